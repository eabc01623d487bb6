"""The bundle's ``index.json`` as typed data, parsed and checked once against its schema.

A bundle can come from anyone who has the recipient's public key, so its index
is untrusted input. :func:`parse_index` turns the raw text into a
:class:`BundleIndex` or raises :class:`IndexSchemaError` naming what is wrong:
a wrong type (``"patient": "x"``, ``"files": 5``), nesting deeper than a
recordpack index ever has, an unknown record kind or file role, or a path that
does not lie inside the bag (``../../etc/passwd``, ``/etc/shadow``,
``javascript:...``). open, verify and inspect call it *before* extracting
anything; the HTML and text renderers read only what it returns, so every link
they draw points at a file of the bag that the index lists.

Pack runs the same parser over the index it is about to write: a bundle
recordpack makes always passes.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar

from recordpack.bundle import format as fmt
from recordpack.bundle.policy import (
    DEFAULT_LIMITS,
    PLAIN_COMPONENT,
    Limits,
    path_problem,
    plainly_safe,
)
from recordpack.errors import BundleError
from recordpack.model import KINDS, RECORD_STATUSES, Skipped
from recordpack.model import Problem as IndexProblem

__all__ = [
    "FILE_ROLES",
    "ArchiveMember",
    "BundleIndex",
    "CaseSummary",
    "CheckFinding",
    "CheckSummary",
    "Duplicate",
    "Excluded",
    "FileEntry",
    "IndexPatient",
    "IndexProblem",
    "IndexSchemaError",
    "PreviewEntry",
    "RecordEntry",
    "RecordNote",
    "Requirement",
    "Skipped",
    "StudyEntry",
    "SummaryFact",
    "TimelineEntry",
    "bag_path_problem",
    "parse_index",
    "parse_index_text",
]

#: Roles a file of the bag may have (``index.json`` ``files[].role``).
FILE_ROLES: Final = frozenset(
    {
        fmt.FILE_ROLE_RECORD,
        fmt.FILE_ROLE_IMAGE,
        fmt.FILE_ROLE_DICOMDIR,
        fmt.FILE_ROLE_ORIGINAL,
        fmt.FILE_ROLE_PROBLEM,
    }
)

_SHA256: Final = re.compile(r"[0-9a-f]{64}")
_SHA1: Final = re.compile(r"[0-9a-f]{40}")

#: Keys a case-summary fact may carry: text (or a number) and true/false values.
#: ``record`` (a record's number) and ``path`` (a file the index lists) are checked apart.
FACT_TEXT_KEYS: Final = (
    "field",
    "value",
    "marker",
    "result",
    "test",
    "method",
    "unit",
    "cycles",
    "date",
    "sentence",
)
FACT_FLAG_KEYS: Final = ("negative", "planned", "ended", "previous")

#: A plain value of a summary fact.
Scalar = str | int | float | bool | None
_SCHEME: Final = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")

T = TypeVar("T")


class IndexSchemaError(BundleError):
    """``index.json`` does not follow the recordpack index schema."""

    code = "bad_index"

    default_hint = (
        "this bundle was not made by recordpack or was deliberately altered; nothing was "
        "extracted: do not open it with other tools either, and ask the sender"
    )

    def __init__(self, where: str, message: str) -> None:
        self.where = where
        super().__init__(f"index.json is not a valid recordpack index: {where} {message}")


#: A payload path of plain components (``data/...``, not ending in "/"): fine for
#: :func:`bag_path_problem` whatever its other rules, so checked in one match.
_PLAIN_PAYLOAD: Final = re.compile(
    rf"{re.escape(fmt.PAYLOAD_DIR)}/(?:{PLAIN_COMPONENT}/)*{PLAIN_COMPONENT}"
)


def bag_path_problem(path: str, limits: Limits = DEFAULT_LIMITS) -> str | None:
    """Why ``path`` is not a plain relative path of a payload file in the bag, or None."""
    if plainly_safe(path, _PLAIN_PAYLOAD, limits):
        return None
    if _SCHEME.match(path):
        return "is a link (URL), not a file of the bundle"
    reason = path_problem(path, limits)
    if reason is not None:
        return reason
    if not path.startswith(fmt.PAYLOAD_DIR + "/") or path.endswith("/"):
        return "is not a file under data/ in the bundle"
    return None


# --------------------------------------------------------------------------
# Typed entries.


@dataclass(frozen=True)
class IndexPatient:
    name: str | None = None
    birth_date: str | None = None
    id: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "birth_date": self.birth_date, "id": self.id}


@dataclass(frozen=True)
class RecordNote:
    """A problem scan noted about one of a record's files."""

    code: str | None
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True)
class ArchiveMember:
    archive: str  # bag path of the archive
    member: str  # name inside it (data, shown escaped)

    def to_json(self) -> dict[str, Any]:
        return {"archive": self.archive, "member": self.member}


@dataclass(frozen=True)
class PreviewEntry:
    """One series' preview: a PNG under ``previews/`` (a tag file of the bag) or why there is none."""

    series_uid: str | None
    modality: str | None
    path: str | None
    problem: str | None

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"series_uid": self.series_uid, "modality": self.modality}
        if self.path is not None:
            doc["path"] = self.path
        if self.problem is not None:
            doc["problem"] = self.problem
        return doc


@dataclass(frozen=True)
class StudyEntry:
    study_instance_uid: str | None
    modalities: tuple[str, ...]
    description: str | None
    accession_number: str | None
    series_count: int
    instance_count: int
    series: tuple[dict[str, Any], ...]
    dicomdir: str | None
    previews: tuple[PreviewEntry, ...] | None = None
    #: Files of the study whose image data is damaged (absent when none are).
    damaged_count: int | None = None

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "study_instance_uid": self.study_instance_uid,
            "modalities": list(self.modalities),
            "description": self.description,
            "accession_number": self.accession_number,
            "series_count": self.series_count,
            "instance_count": self.instance_count,
            "series": [dict(s) for s in self.series],
            "dicomdir": self.dicomdir,
        }
        if self.damaged_count is not None:
            doc["damaged_count"] = self.damaged_count
        if self.previews is not None:
            doc["previews"] = [p.to_json() for p in self.previews]
        return doc


@dataclass(frozen=True)
class RecordEntry:
    kind: str
    title: str
    date: str | None
    files: tuple[str, ...]
    original_files: tuple[str, ...]
    patient: IndexPatient = field(default_factory=IndexPatient)
    confidence: float | None = None
    evidence: tuple[str, ...] = ()
    format: str | None = None
    problems: tuple[RecordNote, ...] = ()
    archive_members: tuple[ArchiveMember, ...] = ()
    corrected_from: str | None = None
    study: StudyEntry | None = None
    #: What the sender of the record said of it when not final (model.RECORD_STATUSES).
    status: str | None = None

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "kind": self.kind,
            "title": self.title,
            "date": self.date,
            "patient": self.patient.to_json(),
            "confidence": self.confidence,
            "evidence": list(self.evidence),
            "format": self.format,
            "files": list(self.files),
            "original_files": list(self.original_files),
            "problems": [p.to_json() for p in self.problems],
        }
        if self.archive_members:
            doc["archive_members"] = [m.to_json() for m in self.archive_members]
        if self.corrected_from is not None:
            doc["corrected_from"] = self.corrected_from
        if self.status is not None:
            doc["status"] = self.status
        if self.study is not None:
            doc["study"] = self.study.to_json()
        return doc


@dataclass(frozen=True)
class FileEntry:
    path: str
    original: str | None
    size: int
    sha256: str
    role: str | None = None
    members: tuple[str, ...] = ()
    note: str | None = None
    sha1: str | None = None  # for index.fhir.json's attachment hashes (documents only)

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "path": self.path,
            "original": self.original,
            "size": self.size,
            "sha256": self.sha256,
            "role": self.role,
        }
        if self.sha1 is not None:
            doc["sha1"] = self.sha1
        if self.members:
            doc["members"] = list(self.members)
        if self.note is not None:
            doc["note"] = self.note
        return doc


@dataclass(frozen=True)
class Duplicate:
    original: str
    same_as: str

    def to_json(self) -> dict[str, Any]:
        return {"original": self.original, "same_as": self.same_as}


@dataclass(frozen=True)
class Excluded:
    original: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"original": self.original, "reason": self.reason}


@dataclass(frozen=True)
class Requirement:
    id: str | None
    title: str | None
    status: str
    files: tuple[str, ...]


@dataclass(frozen=True)
class CheckFinding:
    code: str | None
    message: str | None


@dataclass(frozen=True)
class CheckSummary:
    """The check report pack stored; ``document`` is the whole report (plain JSON data)."""

    ok: bool
    manifest: str | None
    requirements: tuple[Requirement, ...]
    findings: tuple[CheckFinding, ...]
    document: Mapping[str, Any]

    def to_json(self) -> dict[str, Any]:
        return dict(self.document)


@dataclass(frozen=True)
class SummaryFact:
    """One case fact as a record states it: known keys only, each a plain value.

    ``record`` is the number of a record of the index, ``path`` a file the index
    lists (under ``data/``); ``values`` keeps the other keys in the order written.
    """

    values: tuple[tuple[str, Scalar], ...]
    record: int | None = None
    path: str | None = None

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = dict(self.values)
        if self.record is not None:
            doc["record"] = self.record
        if self.path is not None:
            doc["path"] = self.path
        return doc


@dataclass(frozen=True)
class CaseSummary:
    """The case summary pack drew from the records (``index.json`` ``summary``)."""

    version: int | None
    sections: tuple[tuple[str, tuple[SummaryFact, ...]], ...]
    other_patient_records: tuple[int, ...] = ()

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"version": self.version}
        for name, items in self.sections:
            doc[name] = [f.to_json() for f in items]
        doc["other_patient_records"] = list(self.other_patient_records)
        return doc


@dataclass(frozen=True)
class TimelineEntry:
    """One record on the timeline: its date, kind, title, number and the file a reader opens."""

    date: str | None
    kind: str | None
    title: str | None
    record: int | None
    path: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "date": self.date,
            "kind": self.kind,
            "title": self.title,
            "record": self.record,
            "path": self.path,
        }


@dataclass(frozen=True)
class BundleIndex:
    """A checked ``index.json``: every path inside the bag, every type as the schema says."""

    version: int
    software: str | None
    created: str | None
    bag: str | None
    patient: IndexPatient
    check: CheckSummary | None
    recipients: tuple[str, ...]
    passphrase: bool
    records: tuple[RecordEntry, ...]
    files: tuple[FileEntry, ...]
    duplicates: tuple[Duplicate, ...] = ()
    problems: tuple[IndexProblem, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    excluded: tuple[Excluded, ...] = ()
    summary: CaseSummary | None = None
    timeline: tuple[TimelineEntry, ...] | None = None

    def preview_paths(self) -> tuple[str, ...]:
        """The preview files (tag files under ``previews/``) the index names."""
        return tuple(
            p.path
            for r in self.records
            if r.study is not None
            for p in r.study.previews or ()
            if p.path is not None
        )

    def file(self, path: str) -> FileEntry | None:
        """The entry of the bag file at ``path``, or None."""
        for entry in self.files:
            if entry.path == path:
                return entry
        return None

    def to_json(self) -> dict[str, Any]:
        """The index document, holding only what the schema checked."""
        return {
            "version": self.version,
            "software": self.software,
            "created": self.created,
            "bag": self.bag,
            "patient": self.patient.to_json(),
            "check": self.check.to_json() if self.check is not None else None,
            "encryption": {"recipients": list(self.recipients), "passphrase": self.passphrase},
            "records": [r.to_json() for r in self.records],
            "files": [f.to_json() for f in self.files],
            "duplicates": [d.to_json() for d in self.duplicates],
            "problems": [p.to_json() for p in self.problems],
            "skipped": [s.to_json() for s in self.skipped],
            "excluded": [x.to_json() for x in self.excluded],
            **({"summary": self.summary.to_json()} if self.summary is not None else {}),
            **(
                {"timeline": [e.to_json() for e in self.timeline]}
                if self.timeline is not None
                else {}
            ),
        }


# --------------------------------------------------------------------------
# The parser: one small typed reader per JSON value, each naming where it is.


#: The start of an ISO 8601 date as index.json writes it (``dt.date.fromisoformat`` alone
#: also takes ``20261130`` and week dates).
_ISO_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")


class _Value:
    """A JSON value and where it sits in the document (``records[3].files[0]``)."""

    def __init__(
        self, value: Any, where: str, limits: Limits, parent: _Value | None = None
    ) -> None:
        self.value = value
        self._key = where  # the place is spelled out only when something fails
        self._parent = parent
        self.limits = limits

    @property
    def where(self) -> str:
        if self._parent is None:
            return self._key
        above = self._parent.where
        return (
            f"{above}{self._key}"
            if self._key.startswith("[")
            else f"{above}.{self._key}".lstrip(".")
        )

    def fail(self, message: str) -> IndexSchemaError:
        return IndexSchemaError(self.where, message)

    def child(self, key: str | int) -> _Value:
        obj = self.value
        value = obj.get(key) if isinstance(obj, dict) else obj[key]
        return _Value(value, f"[{key}]" if isinstance(key, int) else key, self.limits, self)

    def obj(self) -> _Value:
        if not isinstance(self.value, dict):
            raise self.fail(f"must be an object, not {_kind(self.value)}")
        return self

    def items(self) -> list[_Value]:
        if self.value is None:
            return []
        if not isinstance(self.value, list):
            raise self.fail(f"must be a list, not {_kind(self.value)}")
        return [self.child(i) for i in range(len(self.value))]

    def text(self) -> str:
        if not isinstance(self.value, str):
            raise self.fail(f"must be text, not {_kind(self.value)}")
        return self.value

    def opt_text(self) -> str | None:
        return None if self.value is None else self.text()

    def opt_date(self) -> str | None:
        """A calendar date written ``YYYY-MM-DD``, or None."""
        return self._opt_parsed(
            lambda text: _ISO_DATE.fullmatch(text) is not None and bool(dt.date.fromisoformat(text)),
            "a date written YYYY-MM-DD",
        )

    def opt_timestamp(self) -> str | None:
        """A date and time in ISO 8601 (``2026-11-30T09:15:00Z``), or None."""
        return self._opt_parsed(
            lambda text: _ISO_DATE.match(text) is not None and bool(dt.datetime.fromisoformat(text)),
            "a date and time (ISO 8601)",
        )

    def _opt_parsed(self, valid: Callable[[str], bool], what: str) -> str | None:
        """Text that ``valid`` accepts (it may raise ValueError), or None."""
        text = self.opt_text()
        if text is not None:
            try:
                ok = valid(text)
            except ValueError:
                ok = False
            if not ok:
                raise self.fail(f"({text!r}) must be {what}")
        return text

    def integer(self) -> int:
        if not isinstance(self.value, int) or isinstance(self.value, bool) or self.value < 0:
            raise self.fail(f"must be a whole number of 0 or more, not {_kind(self.value)}")
        return self.value

    def record_number(self, count: int) -> int:
        """A whole number below ``count``: the number of a record in ``records``."""
        number = self.integer()
        if number >= count:
            raise self.fail(f"({number}) names a record that index.json does not have")
        return number

    def opt_number(self, count: int) -> int | None:
        return None if self.value is None else self.record_number(count)

    def scalar(self) -> Scalar:
        """Text, a number, true/false or null: never an object or a list."""
        if self.value is not None and not isinstance(self.value, (str, int, float)):
            raise self.fail(f"must be text or a number, not {_kind(self.value)}")
        return self.value

    def opt_flag(self) -> bool | None:
        return None if self.value is None else self.flag()

    def flag(self) -> bool:
        if not isinstance(self.value, bool):
            raise self.fail(f"must be true or false, not {_kind(self.value)}")
        return self.value

    def texts(self) -> tuple[str, ...]:
        value = self.value
        if type(value) is list and all(type(item) is str for item in value):
            return tuple(value)
        return tuple(item.text() for item in self.items())

    def bag_path(self) -> str:
        path = self.text()
        reason = bag_path_problem(path, self.limits)
        if reason is not None:
            raise self.fail(f"({path!r}) {reason}")
        return path

    def opt_bag_path(self) -> str | None:
        return None if self.value is None else self.bag_path()

    def listed_paths(self, listed: set[str]) -> tuple[str, ...]:
        """A list of paths that ``files`` lists."""
        value = self.value
        if type(value) is list and all(type(p) is str and p in listed for p in value):
            return tuple(value)
        return tuple(item.listed_path(listed) for item in self.items())

    def listed_path(self, listed: set[str]) -> str:
        if type(self.value) is str and self.value in listed:
            return self.value  # every listed path has passed bag_path already
        path = self.bag_path()
        if path not in listed:
            raise self.fail(f"({path!r}) names a file that index.json does not list")
        return path

    def plain_json(self, depth: int = 0) -> Any:
        """The value itself, after checking it is plain JSON data of bounded depth."""
        if depth > self.limits.max_index_depth:
            raise self.fail("is nested deeper than any recordpack index")
        value = self.value
        if isinstance(value, dict):
            return {str(k): self.child(k).plain_json(depth + 1) for k in value}
        if isinstance(value, list):
            return [self.child(i).plain_json(depth + 1) for i in range(len(value))]
        return value


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "text", bool: "true/false", type(None): "null"}
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    return names.get(type(value), type(value).__name__)


def _patient(v: _Value) -> IndexPatient:
    if v.value is None:
        return IndexPatient()
    v.obj()
    return IndexPatient(
        name=v.child("name").opt_text(),
        birth_date=v.child("birth_date").opt_date(),
        id=v.child("id").opt_text(),
    )


def _note(v: _Value) -> RecordNote:
    v.obj()
    return RecordNote(code=v.child("code").opt_text(), message=v.child("message").text())


def _preview(v: _Value) -> PreviewEntry:
    v.obj()
    path = v.child("path")
    if path.value is not None:
        name = path.text()
        reason = _SCHEME.match(name) and "is a link (URL), not a file of the bundle"
        reason = reason or path_problem(name, v.limits)
        if reason is None and not fmt.PREVIEW_NAME.match(name):
            reason = f"is not a preview picture under {fmt.PREVIEWS_DIR}/ in the bundle"
        if reason:
            raise path.fail(f"({name!r}) {reason}")
    return PreviewEntry(
        series_uid=v.child("series_uid").opt_text(),
        modality=v.child("modality").opt_text(),
        path=path.value,
        problem=v.child("problem").opt_text(),
    )


def _study(v: _Value, listed: set[str]) -> StudyEntry:
    v.obj()
    dicomdir = v.child("dicomdir")
    previews = v.child("previews")
    series = tuple(item.obj().plain_json(2) for item in v.child("series").items())
    return StudyEntry(
        study_instance_uid=v.child("study_instance_uid").opt_text(),
        modalities=v.child("modalities").texts(),
        description=v.child("description").opt_text(),
        accession_number=v.child("accession_number").opt_text(),
        series_count=v.child("series_count").integer()
        if v.value.get("series_count") is not None
        else 0,
        instance_count=(
            v.child("instance_count").integer() if v.value.get("instance_count") is not None else 0
        ),
        series=series,
        dicomdir=None if dicomdir.value is None else dicomdir.listed_path(listed),
        previews=None if previews.value is None else _each(previews, _preview),
        damaged_count=(
            v.child("damaged_count").integer() if v.value.get("damaged_count") is not None else None
        ),
    )


def _record(v: _Value, listed: set[str]) -> RecordEntry:
    v.obj()
    kind = v.child("kind").text()
    if kind not in KINDS:
        raise v.child("kind").fail(f"({kind!r}) is not a kind of record recordpack knows")
    corrected = v.child("corrected_from").opt_text()
    status = v.child("status").opt_text()
    if status is not None and status not in RECORD_STATUSES:
        raise v.child("status").fail(f"({status!r}) is not a record status recordpack knows")
    confidence = v.child("confidence").value
    if confidence is not None and (
        isinstance(confidence, bool) or not isinstance(confidence, (int, float))
    ):
        raise v.child("confidence").fail(f"must be a number, not {_kind(confidence)}")
    study = v.child("study")
    return RecordEntry(
        kind=kind,
        title=v.child("title").text(),
        date=v.child("date").opt_date(),
        files=v.child("files").listed_paths(listed),
        original_files=v.child("original_files").texts(),
        patient=_patient(v.child("patient")),
        confidence=None if confidence is None else float(confidence),
        evidence=v.child("evidence").texts(),
        format=v.child("format").opt_text(),
        problems=tuple(_note(p) for p in v.child("problems").items()),
        archive_members=tuple(
            ArchiveMember(
                archive=m.obj().child("archive").listed_path(listed),
                member=m.child("member").text(),
            )
            for m in v.child("archive_members").items()
        ),
        corrected_from=corrected,
        study=None if study.value is None else _study(study, listed),
        status=status,
    )


def _plain_file(value: Any, limits: Limits) -> FileEntry | None:
    """A file entry of the usual shape, checked in one pass (a bundle may list
    tens of thousands); None for anything else, which :func:`_file` then checks
    value by value to say what is wrong. The two agree (tests/test_index_fast_path.py)."""
    if type(value) is not dict:
        return None
    get = value.get
    path, size, digest, role = get("path"), get("size"), get("sha256"), get("role")
    original, note, sha1, members = get("original"), get("note"), get("sha1"), get("members")
    if (
        type(path) is str
        and type(size) is int
        and size >= 0
        and type(digest) is str
        and _SHA256.fullmatch(digest)
        and (role is None or (type(role) is str and role in FILE_ROLES))
        and (original is None or type(original) is str)
        and (note is None or type(note) is str)
        and (sha1 is None or (type(sha1) is str and _SHA1.fullmatch(sha1)))
        and (members is None or (type(members) is list and all(type(m) is str for m in members)))
        and bag_path_problem(path, limits) is None
    ):
        return _checked_file_entry(
            path, original, size, digest, role, tuple(members or ()), note, sha1
        )
    return None


def _checked_file_entry(
    path: str,
    original: str | None,
    size: int,
    sha256: str,
    role: str | None,
    members: tuple[str, ...],
    note: str | None,
    sha1: str | None,
) -> FileEntry:
    """``FileEntry(...)`` for values already checked, without the frozen ``__init__``'s
    ``object.__setattr__`` per field (a third of the time of a 10,000-file index's
    entries). Equal to the constructor's result (tests/test_index_fast_path.py)."""
    entry = object.__new__(FileEntry)
    fields = entry.__dict__
    fields["path"] = path
    fields["original"] = original
    fields["size"] = size
    fields["sha256"] = sha256
    fields["role"] = role
    fields["members"] = members
    fields["note"] = note
    fields["sha1"] = sha1
    return entry


def _files(v: _Value) -> tuple[FileEntry, ...]:
    entries = v.value
    if type(entries) is not list:
        return _each(v, _file)
    return tuple(
        _plain_file(entry, v.limits) or _file(v.child(number))
        for number, entry in enumerate(entries)
    )


def _file(v: _Value) -> FileEntry:
    """A file entry checked value by value (:func:`_files` tries the one pass first)."""
    v.obj()
    digest = v.child("sha256").text().lower()
    if not _SHA256.fullmatch(digest):
        raise v.child("sha256").fail("is not a SHA-256 (64 hexadecimal digits)")
    role = v.child("role").opt_text()
    if role is not None and role not in FILE_ROLES:
        raise v.child("role").fail(f"({role!r}) is not a role recordpack knows")
    return FileEntry(
        path=v.child("path").bag_path(),
        original=v.child("original").opt_text(),
        size=v.child("size").integer(),
        sha256=digest,
        role=role,
        members=v.child("members").texts(),
        note=v.child("note").opt_text(),
        sha1=_sha1(v.child("sha1")),
    )


def _sha1(v: _Value) -> str | None:
    if v.value is None:
        return None
    digest = v.text().lower()
    if not _SHA1.fullmatch(digest):
        raise v.fail("is not a SHA-1 (40 hexadecimal digits)")
    return digest


def _fact(v: _Value, listed: set[str], records: int) -> SummaryFact:
    v.obj()
    values: list[tuple[str, Scalar]] = []
    for key in v.value:
        if key in FACT_TEXT_KEYS:
            values.append((key, v.child(key).scalar()))
        elif key in FACT_FLAG_KEYS:
            values.append((key, v.child(key).opt_flag()))
    path = v.child("path")
    return SummaryFact(
        values=tuple(values),
        record=v.child("record").opt_number(records),
        path=None if path.value is None else path.listed_path(listed),
    )


def _summary(v: _Value, listed: set[str], records: int) -> CaseSummary | None:
    """The case summary: known sections of facts; anything else in it is left out."""
    if v.value is None:
        return None
    v.obj()
    version = v.child("version")
    return CaseSummary(
        version=None if version.value is None else version.integer(),
        sections=tuple(
            (name, _each(v.child(name), lambda f: _fact(f, listed, records)))
            for name in fmt.SUMMARY_SECTIONS
        ),
        other_patient_records=tuple(
            n.record_number(records) for n in v.child("other_patient_records").items()
        ),
    )


def _timeline(v: _Value, listed: set[str], records: int) -> tuple[TimelineEntry, ...] | None:
    if v.value is None:
        return None

    def entry(e: _Value) -> TimelineEntry:
        kind = e.child("kind").opt_text()
        if kind is not None and kind not in KINDS:
            raise e.child("kind").fail(f"({kind!r}) is not a kind of record recordpack knows")
        path = e.child("path")
        return TimelineEntry(
            date=e.child("date").opt_date(),
            kind=kind,
            title=e.child("title").opt_text(),
            record=e.child("record").opt_number(records),
            path=None if path.value is None else path.listed_path(listed),
        )

    return _each(v, entry)


def _check(v: _Value) -> CheckSummary | None:
    if v.value is None:
        return None
    v.obj()
    document = v.plain_json(1)
    ok = v.child("ok")
    return CheckSummary(
        ok=False if ok.value is None else ok.flag(),
        manifest=v.child("manifest").opt_text(),
        requirements=tuple(
            Requirement(
                id=r.obj().child("id").opt_text(),
                title=r.child("title").opt_text(),
                status=r.child("status").text(),
                files=r.child("files").texts(),
            )
            for r in v.child("requirements").items()
        ),
        findings=tuple(
            CheckFinding(
                code=f.obj().child("code").opt_text(), message=f.child("message").opt_text()
            )
            for f in v.child("findings").items()
        ),
        document=document,
    )


def _each(v: _Value, build: Callable[[_Value], T]) -> tuple[T, ...]:
    return tuple(build(item.obj()) for item in v.items())


def parse_index(document: Any, limits: Limits = DEFAULT_LIMITS) -> BundleIndex:
    """Check an index document (already JSON-decoded) against the schema; raise IndexSchemaError."""
    root = _Value(document, "", limits)
    if not isinstance(document, dict):
        raise IndexSchemaError("the document", f"must be an object, not {_kind(document)}")
    version = root.child("version")
    if version.value != fmt.INDEX_VERSION:
        raise IndexSchemaError(
            "the document",
            f"has version {version.value!r}; this recordpack reads version {fmt.INDEX_VERSION} "
            "(the bundle may come from a newer recordpack: update recordpack)",
        )
    files = _files(root.child("files"))
    listed = {f.path for f in files}
    if len(listed) != len(files):
        raise IndexSchemaError("files", "lists the same path twice")
    encryption = root.child("encryption")
    recipients: tuple[str, ...] = ()
    passphrase = False
    if encryption.value is not None:
        encryption.obj()
        recipients = encryption.child("recipients").texts()
        flag = encryption.child("passphrase")
        passphrase = False if flag.value is None else flag.flag()
    records = tuple(_record(r, listed) for r in root.child("records").items())
    return BundleIndex(
        version=fmt.INDEX_VERSION,
        software=root.child("software").opt_text(),
        created=root.child("created").opt_timestamp(),
        bag=root.child("bag").opt_text(),
        patient=_patient(root.child("patient")),
        check=_check(root.child("check")),
        recipients=recipients,
        passphrase=passphrase,
        records=records,
        files=files,
        duplicates=_each(
            root.child("duplicates"),
            lambda d: Duplicate(
                original=d.child("original").text(),
                same_as=d.child("same_as").listed_path(listed),
            ),
        ),
        problems=_each(
            root.child("problems"),
            lambda p: IndexProblem(
                path=p.child("path").text(),
                code=p.child("code").text(),
                message=p.child("message").text(),
                hint=p.child("hint").opt_text(),
                duplicate_of=p.child("duplicate_of").opt_text(),
                paths=p.child("paths").texts(),
            ),
        ),
        skipped=_each(
            root.child("skipped"),
            lambda s: Skipped(path=s.child("path").text(), reason=s.child("reason").text()),
        ),
        excluded=_each(
            root.child("excluded"),
            lambda x: Excluded(
                original=x.child("original").text(), reason=x.child("reason").text()
            ),
        ),
        summary=_summary(root.child("summary"), listed, len(records)),
        timeline=_timeline(root.child("timeline"), listed, len(records)),
    )


def parse_index_text(raw: bytes, limits: Limits = DEFAULT_LIMITS) -> BundleIndex:
    """Decode and check the bytes of ``index.json``; raise IndexSchemaError for anything wrong."""
    if len(raw) > limits.max_tag_file_size:
        raise IndexSchemaError("the document", "is far larger than any recordpack index")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise IndexSchemaError("the document", "is not UTF-8 text") from None
    try:
        document = json.loads(text)
    except RecursionError:
        raise IndexSchemaError(
            "the document", "is nested deeper than any recordpack index"
        ) from None
    except json.JSONDecodeError as exc:
        raise IndexSchemaError("the document", f"is not valid JSON ({exc})") from None
    return parse_index(document, limits)
