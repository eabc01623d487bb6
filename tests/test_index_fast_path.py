"""The index parser's one-pass reading of the usual entries says what the value-by-value checks say.

``index_model._plain_file``, the one-match payload path of ``bag_path_problem``
(and the list shortcuts of ``texts`` and ``listed_paths``) exist for speed on a 10,000-file bundle; for every entry,
well-formed or hostile, the result must be the one the full checks give: the
same entry, or the same refusal naming the same place.
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
from typing import Any

import pytest

from recordpack.bundle import format as fmt
from recordpack.bundle import index_model
from recordpack.bundle.index_model import IndexSchemaError, parse_index
from recordpack.bundle.policy import DEFAULT_LIMITS

GOOD_FILE: dict[str, Any] = {
    "path": "data/imaging/ST1/IM1",
    "original": "CD/DICOM/IM1",
    "size": 14560,
    "sha256": "4b" * 32,
    "role": "image",
}
#: Values each key of a file entry may be given: good ones and hostile ones.
VARIANTS: dict[str, list[Any]] = {
    "path": [
        "data/x.pdf",
        "data/a b (1).pdf",
        "data/é.pdf",
        "x.pdf",
        "data/../x",
        "data/",
        "https://example.org/x",
        "data/a\x01b",
        "",
        None,
        3,
        ["data/x"],
        "data/" + "a" * 300,
    ],
    "size": [0, 7, -1, 1.5, True, "7", None],
    "sha256": ["ab" * 32, "AB" * 32, "ab" * 31, "zz" * 32, None, 5],
    "role": [None, "image", "document", "weird", 1],
    "original": [None, "a.pdf", 4, ["a"]],
    "note": [None, "read in part", 0],
    "sha1": [None, "ab" * 20, "AB" * 20, "ab" * 19, 1],
    "members": [None, [], ["a.dcm"], ["a", 1], "a", {"a": 1}],
}


def _full_checks_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """No one-pass entry, and no one-match payload path in ``bag_path_problem``."""
    monkeypatch.setattr(index_model, "_plain_file", lambda value, limits: None)
    monkeypatch.setattr(index_model, "plainly_safe", lambda name, pattern, limits: False)


def _outcome(document: dict[str, Any]) -> object:
    try:
        return parse_index(copy.deepcopy(document))
    except IndexSchemaError as error:
        return ("refused", str(error))


def _index(files: list[Any], record_files: Any = None) -> dict[str, Any]:
    listed = [f["path"] for f in files if isinstance(f, dict) and isinstance(f.get("path"), str)]
    return {
        "version": fmt.INDEX_VERSION,
        "files": files,
        "records": [
            {
                "kind": "imaging_study",
                "title": "CT",
                "files": listed[:1] if record_files is None else record_files,
                "original_files": ["CD/DICOM/IM1"],
            }
        ],
    }


def _entries() -> list[Any]:
    """The good entry with each key given each variant, and with a key missing."""
    entries: list[Any] = [GOOD_FILE, "not an object", None, []]
    for key, values in VARIANTS.items():
        for value in values:
            entries.append({**GOOD_FILE, key: value})
        entries.append({k: v for k, v in GOOD_FILE.items() if k != key})
    # pairs of changes, so no check hides behind another
    for (key1, values1), (key2, values2) in itertools.combinations(VARIANTS.items(), 2):
        entries.append({**GOOD_FILE, key1: values1[-1], key2: values2[1]})
    return entries


def test_each_file_entry_gives_what_the_full_checks_give(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    documents = [_index([entry]) for entry in _entries()]
    quick = [_outcome(document) for document in documents]
    taken = sum(
        index_model._plain_file(entry, DEFAULT_LIMITS) is not None
        for entry in _entries()
    )
    assert taken > 20  # the one-pass reading is exercised
    assert sum(isinstance(o, tuple) for o in quick) > 40  # and so are refusals
    _full_checks_only(monkeypatch)
    assert [_outcome(document) for document in documents] == quick


@pytest.mark.parametrize(
    "record_files",
    [
        ["data/imaging/ST1/IM1"],
        ["data/other.pdf"],
        ["data/../etc"],
        ["data/imaging/ST1/IM1", 7],
        "data/imaging/ST1/IM1",
        [],
        None,
    ],
)
@pytest.mark.parametrize("originals", [["CD/DICOM/IM1"], ["a", 1], "a", None])
def test_a_records_files_give_what_the_full_checks_give(
    record_files: Any, originals: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = _index([GOOD_FILE], record_files=record_files)
    if record_files is None:
        document["records"][0]["files"] = None
    document["records"][0]["original_files"] = originals
    quick = _outcome(document)
    _full_checks_only(monkeypatch)
    monkeypatch.setattr(
        index_model._Value,
        "listed_paths",
        lambda self, listed: tuple(item.listed_path(listed) for item in self.items()),
    )
    monkeypatch.setattr(
        index_model._Value, "texts", lambda self: tuple(item.text() for item in self.items())
    )
    assert _outcome(document) == quick


@pytest.mark.parametrize(
    "entry",
    [
        GOOD_FILE,
        {**GOOD_FILE, "role": None, "original": None},
        {**GOOD_FILE, "members": ["a.dcm", "b.dcm"], "note": "read in part", "sha1": "ab" * 20},
    ],
)
def test_a_one_pass_entry_is_the_frozen_entry_the_constructor_makes(entry: dict[str, Any]) -> None:
    quick = index_model._plain_file(entry, DEFAULT_LIMITS)
    built = index_model.FileEntry(
        path=entry["path"],
        original=entry.get("original"),
        size=entry["size"],
        sha256=entry["sha256"],
        role=entry.get("role"),
        members=tuple(entry.get("members") or ()),
        note=entry.get("note"),
        sha1=entry.get("sha1"),
    )
    assert quick == built
    assert (repr(quick), hash(quick), quick.to_json()) == (repr(built), hash(built), built.to_json())
    with pytest.raises(dataclasses.FrozenInstanceError):
        quick.size = 0  # type: ignore[misc]
