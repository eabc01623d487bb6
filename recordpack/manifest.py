"""Required-records manifests: parse, validate and resolve ``extends``.

A manifest is a TOML file (data, not code) saying which records a
second-opinion specialist needs. The built-in ones live in
``recordpack/manifests/*.toml``; ``--manifest`` also takes a path to the user's
own file. Every problem in a manifest is a :class:`~recordpack.errors.ManifestError`
naming the file, the line and what is wrong, with the nearest valid key or
kind for a misspelling.
"""

from __future__ import annotations

import difflib
import functools
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any, Final

from recordpack.errors import ManifestError
from recordpack.model import KINDS

#: Keys allowed at the top of a manifest.
MANIFEST_KEYS: Final[tuple[str, ...]] = ("name", "title", "description", "extends", "requirement")

#: Keys allowed in a ``[[requirement]]`` table.
REQUIREMENT_KEYS: Final[tuple[str, ...]] = (
    "id",
    "title",
    "kinds",
    "count",
    "count_dated_results",
    "required",
    "max_age_days",
    "must_mention",
    "matches",
    "matches_in",
    "sections",
    "sections_in",
    "physical",
    "why",
    "how_to_get",
)

#: Where a requirement's ``matches`` words are looked for: anywhere a record
#: states something ("text"), or only where an imaging record says what was
#: examined ("exam": a DICOM study's header, a report's Exam/Procedure line).
MATCH_PLACES: Final[tuple[str, ...]] = ("text", "exam")

_ID_RE: Final = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_BUILTIN_PACKAGE: Final = "recordpack"
_BUILTIN_DIR: Final = "manifests"

#: A list of groups; each group a list of alternative words or phrases.
Mentions = tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Requirement:
    """One thing the specialist needs: which kinds of record, how many, how recent."""

    id: str
    title: str
    kinds: tuple[str, ...]
    count: int = 1
    #: Count dated results, not records: one cumulative lab report listing
    #: PSA on three dates is three results (dates written next to a
    #: ``matches`` word), so ``count = 2`` is met by it alone.
    count_dated_results: bool = False
    required: bool = True
    #: How recent a record must be, in days before the check's reference date.
    max_age_days: int | None = None
    #: Content the records must show: every group must be found (any alternative).
    must_mention: Mentions = ()
    #: Which records count at all: only records mentioning every group
    #: (e.g. only lab results about PSA count towards a PSA history).
    matches: Mentions = ()
    #: Where ``matches`` words count (see :data:`MATCH_PLACES`): a chest CT
    #: report of a breast cancer patient says "breast" but is not breast imaging.
    matches_in: str = "text"
    #: Sections a record must not show empty: every group names one section's
    #: headings (``[["medication*"], ["allerg*"]]``). A record with such a
    #: heading whose content says it could not be loaded, or is not on file,
    #: does not count.
    sections: Mentions = ()
    #: Kinds of record that count only when they hold every one of ``sections``
    #: (a health summary that has no medications section is no medication list).
    sections_in: tuple[str, ...] = ()
    #: Something that cannot be in a folder (glass slides, tissue blocks).
    physical: bool = False
    why: str = ""
    how_to_get: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "kinds": list(self.kinds),
            "count": self.count,
            "count_dated_results": self.count_dated_results,
            "required": self.required,
            "max_age_days": self.max_age_days,
            "must_mention": [list(group) for group in self.must_mention],
            "matches": [list(group) for group in self.matches],
            "matches_in": self.matches_in,
            "sections": [list(group) for group in self.sections],
            "sections_in": list(self.sections_in),
            "physical": self.physical,
            "why": self.why,
            "how_to_get": self.how_to_get,
        }


@dataclass(frozen=True)
class Manifest:
    """A resolved manifest: its own requirements after its parent's."""

    name: str
    title: str
    description: str
    requirements: tuple[Requirement, ...]
    extends: str | None = None
    #: Where it came from: ``built-in`` or the file's path.
    source: str = "built-in"
    #: Names of the manifests it inherits from, nearest first.
    lineage: tuple[str, ...] = field(default=())

    def requirement(self, requirement_id: str) -> Requirement:
        """The requirement with this id; ``KeyError`` when there is none."""
        for requirement in self.requirements:
            if requirement.id == requirement_id:
                return requirement
        raise KeyError(requirement_id)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": 1,
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "extends": self.extends,
            "source": self.source,
            "requirements": [r.to_json() for r in self.requirements],
        }


# --------------------------------------------------------------------------- loading


def builtin_names() -> list[str]:
    """Names of the built-in manifests, ``general`` first."""
    folder = resources.files(_BUILTIN_PACKAGE).joinpath(_BUILTIN_DIR)
    names = sorted(
        entry.name[: -len(".toml")] for entry in folder.iterdir() if entry.name.endswith(".toml")
    )
    if "general" in names:
        names.remove("general")
        names.insert(0, "general")
    return names


def list_manifests() -> list[Manifest]:
    """Every built-in manifest, resolved, ``general`` first."""
    return [load_manifest(name) for name in builtin_names()]


def load_manifest(name_or_path: str) -> Manifest:
    """Load a built-in manifest by name, or a manifest file by path.

    Raises :class:`ManifestError` (exit status 2) for an unknown name, a file
    that cannot be read, malformed TOML, an unknown key or kind, an unknown
    parent or an ``extends`` cycle.
    """
    return _resolve(_locate(name_or_path, base=None), chain=())


@dataclass(frozen=True)
class _Located:
    key: str  # identity for cycle detection
    label: str  # how errors name it
    text: str
    path: Path | None  # None for a built-in


def _looks_like_path(value: str) -> bool:
    return value.endswith(".toml") or "/" in value or "\\" in value


def _locate(name_or_path: str, base: Path | None) -> _Located:
    names = builtin_names()
    if not _looks_like_path(name_or_path) and name_or_path in names:
        resource = resources.files(_BUILTIN_PACKAGE).joinpath(_BUILTIN_DIR, f"{name_or_path}.toml")
        return _Located(
            key=f"built-in:{name_or_path}",
            label=f"built-in manifest '{name_or_path}'",
            text=resource.read_text(encoding="utf-8"),
            path=None,
        )
    path = Path(name_or_path)
    if base is not None and not path.is_absolute():
        path = base / path
    if _looks_like_path(name_or_path) or path.is_file():
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ManifestError(
                f"manifest file {path} does not exist",
                hint="Check the path, or use a built-in manifest: " + ", ".join(names) + ".",
            ) from None
        except UnicodeDecodeError:
            raise ManifestError(
                f"{path} is not a text file (manifests are UTF-8 TOML)",
                hint="Save the manifest as plain UTF-8 text.",
            ) from None
        except OSError as error:
            raise ManifestError(
                f"cannot read manifest file {path}: {error.strerror or error}",
                hint="Check the file exists and you may read it.",
            ) from None
        return _Located(key=f"file:{path.resolve()}", label=str(path), text=text, path=path)
    close = difflib.get_close_matches(name_or_path, names, n=1)
    suggestion = f"Did you mean '{close[0]}'? " if close else ""
    raise ManifestError(
        f"unknown manifest '{name_or_path}'",
        hint=f"{suggestion}Built-in manifests: {', '.join(names)} "
        "(see `recordpack manifests`), or give the path to your own .toml file.",
    )


def _resolve(located: _Located, chain: tuple[str, ...]) -> Manifest:
    if located.key in chain:
        raise ManifestError(
            f"{located.label}: 'extends' makes a cycle",
            hint="A manifest cannot extend itself, directly or through another manifest; "
            "remove one of the 'extends' lines.",
        )
    raw = _parse(located)
    parent: Manifest | None = None
    if raw.extends is not None:
        try:
            parent_located = _locate(
                raw.extends, base=located.path.parent if located.path else None
            )
        except ManifestError as error:
            raise ManifestError(
                f"{located.label}, line {raw.extends_line}: 'extends': {error.message}",
                hint=error.hint,
            ) from None
        parent = _resolve(parent_located, chain + (located.key,))
    requirements = _merge(located, raw, parent)
    name = raw.name or (located.path.stem if located.path else "manifest")
    return Manifest(
        name=name,
        title=raw.title or name,
        description=raw.description if raw.description is not None else "",
        requirements=requirements,
        extends=parent.name if parent else None,
        source=str(located.path) if located.path else "built-in",
        lineage=((parent.name,) + parent.lineage) if parent else (),
    )


# --------------------------------------------------------------------------- parsing


@dataclass
class _RawRequirement:
    fields: dict[str, Any]
    line: int  # line of its [[requirement]] header


@dataclass
class _RawManifest:
    name: str | None
    title: str | None
    description: str | None
    extends: str | None
    extends_line: int
    requirements: list[_RawRequirement]


_TOML_POS_RE: Final = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_HEADER_RE: Final = re.compile(r"^\s*\[\[\s*requirement\s*\]\]\s*(#.*)?$")


def _parse(located: _Located) -> _RawManifest:
    label = located.label
    try:
        data = tomllib.loads(located.text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        position = _TOML_POS_RE.search(message)
        if position:
            problem = message[: position.start()]
            where = f"line {position.group(1)}, column {position.group(2)}"
        else:
            problem, where = message, "somewhere"
        raise ManifestError(
            f"{label}, {where}: this is not valid TOML: {problem[:1].lower() + problem[1:]}",
            hint="Check quotes, brackets and '=' on that line; text values need "
            'double quotes, e.g. title = "Pathology report".',
        ) from None

    lines = located.text.splitlines()
    headers = [i + 1 for i, line in enumerate(lines) if _HEADER_RE.match(line)]

    def err(line: int, problem: str, hint: str | None = None) -> ManifestError:
        return ManifestError(f"{label}, line {line}: {problem}", hint=hint)

    for key in data:
        if key not in MANIFEST_KEYS:
            raise err(
                _line_of(lines, key, 0, headers[0] if headers else None),
                f"unknown key '{key}'",
                _suggest(key, MANIFEST_KEYS),
            )

    def text_value(key: str) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise err(_line_of(lines, key, 0), f"'{key}' must be text in double quotes")
        return " ".join(value.split())

    name = text_value("name")
    if name is not None and not _ID_RE.match(name):
        raise err(
            _line_of(lines, "name", 0),
            f"name '{name}' should be lower-case letters, digits, '-' or '_'",
        )
    extends = text_value("extends")

    raw_requirements = data.get("requirement", [])
    if isinstance(raw_requirements, dict):
        raise err(
            _line_of_table(lines, "requirement"),
            "write each requirement as [[requirement]] (double brackets), not [requirement]",
        )
    if not isinstance(raw_requirements, list):
        raise err(_line_of(lines, "requirement", 0), "'requirement' must be [[requirement]] tables")
    requirements: list[_RawRequirement] = []
    for index, table in enumerate(raw_requirements):
        header = headers[index] if index < len(headers) else 1
        if not isinstance(table, dict):
            raise err(header, "each requirement must be a [[requirement]] table")
        next_header = headers[index + 1] if index + 1 < len(headers) else None
        requirements.append(
            _RawRequirement(_check_fields(table, lines, header, next_header, err), header)
        )
    if not requirements and extends is None:
        raise err(
            1,
            "this manifest has no [[requirement]] and extends nothing",
            "Add at least one [[requirement]] table, or 'extends = \"general\"'.",
        )
    return _RawManifest(
        name=name,
        title=text_value("title"),
        description=text_value("description"),
        extends=extends,
        extends_line=_line_of(lines, "extends", 0),
        requirements=requirements,
    )


_ErrFactory = Callable[..., ManifestError]


def _check_fields(
    table: Mapping[str, Any],
    lines: list[str],
    header: int,
    next_header: int | None,
    err: _ErrFactory,
) -> dict[str, Any]:
    """Type-check one requirement table; return its fields, normalised."""

    def at(key: str) -> int:
        return _line_of(lines, key, header, next_header)

    out: dict[str, Any] = {}
    for key, value in table.items():
        if key not in REQUIREMENT_KEYS:
            raise err(
                at(key), f"unknown key '{key}' in a requirement", _suggest(key, REQUIREMENT_KEYS)
            )
        if key in ("id", "title", "why", "how_to_get"):
            if not isinstance(value, str) or not value.strip():
                raise err(at(key), f"'{key}' must be non-empty text in double quotes")
            value = " ".join(value.split()) if key != "id" else value
            if key == "id" and not _ID_RE.match(value):
                raise err(at(key), f"id '{value}' should be lower-case letters, digits, '-' or '_'")
        elif key in ("kinds", "sections_in"):
            if not isinstance(value, list) or not all(isinstance(k, str) for k in value):
                raise err(
                    at(key), f"'{key}' must be a list of record kinds, e.g. [\"pathology_report\"]"
                )
            for kind in value:
                if kind not in KINDS:
                    raise err(
                        at(key), f"unknown record kind '{kind}'", _suggest(kind, KINDS, "kind")
                    )
            value = tuple(dict.fromkeys(value))
        elif key in ("count", "max_age_days"):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise err(at(key), f"'{key}' must be a whole number of 1 or more")
        elif key in ("required", "physical", "count_dated_results"):
            if not isinstance(value, bool):
                raise err(at(key), f"'{key}' must be true or false")
        elif key in ("must_mention", "matches", "sections"):
            value = _mentions(value, functools.partial(_mention_error, err, at(key), key))
        elif key == "matches_in" and value not in MATCH_PLACES:
            raise err(
                at(key),
                f"'matches_in' must be one of {', '.join(repr(p) for p in MATCH_PLACES)}, not {value!r}",
                'Use matches_in = "exam" to look for the words only where an imaging '
                "record says what was examined.",
            )
        out[key] = value
    if "id" not in out:
        raise err(header, "this requirement has no 'id'", 'Add a line such as id = "pathology".')
    return out


def _mention_error(err: _ErrFactory, line: int, key: str, problem: str) -> ManifestError:
    return err(line, f"'{key}' {problem}")


def _mentions(value: Any, fail: Callable[[str], ManifestError]) -> Mentions:
    """``[["ER", "estrogen receptor"], "HER2"]`` -> groups of alternatives."""
    if not isinstance(value, list):
        raise fail('must be a list of groups, e.g. [["ER", "estrogen receptor"], ["HER2"]]')
    groups: list[tuple[str, ...]] = []
    for group in value:
        alternatives = [group] if isinstance(group, str) else group
        if (
            not isinstance(alternatives, list)
            or not alternatives
            or not all(isinstance(a, str) and a.strip() for a in alternatives)
        ):
            raise fail("groups must be non-empty lists of words in double quotes")
        groups.append(tuple(a.strip() for a in alternatives))
    return tuple(groups)


def _merge(
    located: _Located, raw: _RawManifest, parent: Manifest | None
) -> tuple[Requirement, ...]:
    """Parent's requirements, then the child's: the same id overrides field by field."""
    merged: dict[str, Requirement] = {r.id: r for r in (parent.requirements if parent else ())}
    seen: set[str] = set()
    for item in raw.requirements:
        fields = dict(item.fields)
        rid = fields["id"]
        where = f"{located.label}, line {item.line}"
        if rid in seen:
            raise ManifestError(
                f"{where}: requirement id '{rid}' is used twice in this file",
                hint="Give each requirement its own id.",
            )
        seen.add(rid)
        base = merged.get(rid)
        if base is not None:
            updated = replace(base, **fields)
        else:
            for needed in ("title",) if fields.get("physical") else ("title", "kinds"):
                if needed not in fields:
                    raise ManifestError(
                        f"{where}: requirement '{rid}' has no '{needed}'",
                        hint="A new requirement needs an id, a title and the kinds of record "
                        'that meet it, e.g. kinds = ["pathology_report"].',
                    )
            fields.setdefault("kinds", ())
            updated = Requirement(**fields)
        if not updated.physical and not updated.kinds:
            raise ManifestError(
                f"{where}: requirement '{rid}' lists no kinds",
                hint="Say which kinds of record meet it, or set physical = true for "
                "things that cannot be in a folder.",
            )
        if updated.count_dated_results and not updated.matches:
            # The dates counted are those written next to a 'matches' word.
            raise ManifestError(
                f"{where}: requirement '{rid}' has count_dated_results but no 'matches'",
                hint="Say which test the dated results are of, e.g. "
                'matches = [["PSA", "prostate specific antigen"]].',
            )
        if updated.sections_in and not updated.sections:
            raise ManifestError(
                f"{where}: requirement '{rid}' has sections_in but no 'sections'",
                hint="Say which sections those records must hold, e.g. "
                'sections = [["medication*"], ["allerg*"]].',
            )
        merged[rid] = updated
    return tuple(merged.values())


# --------------------------------------------------------------------------- helpers


def _suggest(word: str, valid: Iterable[str], what: str = "key") -> str:
    valid = list(valid)
    close = difflib.get_close_matches(word, valid, n=1, cutoff=0.6)
    if close:
        return f"Did you mean '{close[0]}'? Valid {what}s: {', '.join(valid)}."
    return f"Valid {what}s: {', '.join(valid)}."


def _key_pattern(key: str) -> re.Pattern[str]:
    quoted = re.escape(key)
    return re.compile(rf"""^\s*(?:{quoted}|"{quoted}"|'{quoted}')\s*(?:=|\.)""")


def _line_of(lines: list[str], key: str, start: int, stop: int | None = None) -> int:
    """1-based line where ``key = ...`` is written between two line numbers."""
    pattern = _key_pattern(key)
    end = len(lines) if stop is None else stop - 1
    for index in range(max(start - 1, 0), end):
        if pattern.match(lines[index]):
            return index + 1
    return max(start, 1)


def _line_of_table(lines: list[str], key: str) -> int:
    pattern = re.compile(rf"^\s*\[\s*{re.escape(key)}\s*\]")
    for index, line in enumerate(lines):
        if pattern.match(line):
            return index + 1
    return 1
