"""The contract between the folder walker and the per-format scanners.

The walker (``recordpack.scan.walk``) reads each file once: it hashes it in
chunks and keeps the first ``HEAD_SIZE`` bytes, then hands a :class:`Source`
to the first scanner whose ``sniff`` accepts it. A scanner module exposes::

    FORMAT: str                                   # "pdf", "dicom", "ccda", ...
    def sniff(source: Source) -> bool             # cheap: look at head / name only
    def scan(source: Source) -> list[Outcome]     # never raises for bad input

``scan`` returns :class:`Document` verdicts, :class:`DicomHeader` facts (the
walker groups them into one ``imaging_study`` record per Study Instance UID),
:class:`~recordpack.model.Problem` and :class:`~recordpack.model.Skipped`.
A file may yield several outcomes (a FHIR Bundle with three reports, a PDF
that is a record *and* has a ``no_text`` problem). Scanners must not write
anything anywhere, and must not read pixel data.
"""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, BinaryIO, Protocol, TypeVar

from recordpack.model import Patient, Problem, Skipped

if TYPE_CHECKING:
    from recordpack.classify import Classification

_T = TypeVar("_T")

#: Problem code: a limit on the work done per file left part of it unread
#: (the message says which part).
PARTLY_READ = "partly_read"

#: Why a readable paper with no sign of medicine (bank statement, recipe, code)
#: is skipped (KINDS.md); a user's correction (``--label``) includes it.
NOT_A_RECORD = "not a medical record"

#: Bytes of each file kept in memory for sniffing and header parsing.
HEAD_SIZE = 256 * 1024

#: Largest file a scanner may read whole into memory (text documents, XML, JSON).
#: Larger ones are streamed or reported as ``unsupported``.
MAX_DOCUMENT_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class Source:
    """One file to scan: a file on disk or a member of an archive."""

    path: str  # relative display path; archive members are "a.zip!dir/b.pdf"
    size: int
    sha256: str | None  # None when only the header of a DICOM image was read
    head: bytes  # the first HEAD_SIZE bytes (all of it for small files)
    opener: Callable[[], BinaryIO] = field(repr=False, compare=False)
    crc32: int | None = None  # of a file on disk, read with its SHA-256

    @property
    def name(self) -> str:
        """The file's base name (of the member, for archive members)."""
        return PurePosixPath(self.path.rsplit("!", 1)[-1]).name

    @property
    def suffix(self) -> str:
        """Lower-case extension with the dot, or '' (DICOM files often have none)."""
        return PurePosixPath(self.name).suffix.lower()

    def open(self) -> BinaryIO:
        """A fresh binary stream positioned at the start of the file."""
        if len(self.head) == self.size:
            return io.BytesIO(self.head)
        return self.opener()

    def read_all(self, limit: int = MAX_DOCUMENT_BYTES) -> bytes:
        """The whole content; raises ``ValueError`` when it is larger than ``limit``."""
        if self.size > limit:
            raise ValueError(f"{self.path} is {self.size} bytes, larger than {limit}")
        if len(self.head) == self.size:
            return self.head
        with self.open() as stream:
            return stream.read()

    @classmethod
    def from_bytes(cls, path: str, data: bytes) -> Source:
        """A source over bytes in memory (tests, embedded attachments)."""
        import hashlib

        return cls(
            path=path,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            head=data[:HEAD_SIZE],
            opener=lambda: io.BytesIO(data),
        )


@dataclass(frozen=True)
class Document:
    """A scanner's verdict that a file (or a part of one) is a document record."""

    path: str
    kind: str
    title: str
    date: str | None
    patient: Patient
    confidence: float
    evidence: tuple[str, ...]
    format: str
    text: str = ""
    #: Which part of the file, when one file holds several records
    #: (e.g. "DiagnosticReport/abc" in a FHIR Bundle); None for the whole file.
    part: str | None = None
    #: How the text says its numeric dates are written ("day_first",
    #: "month_first"), None when nothing in it says (see classify.date_order).
    date_order: str | None = None
    #: True when ``date`` reads validly both ways (03/04/2025) and only the
    #: assumed order chose it: the folder's other documents may decide.
    date_ambiguous: bool = False
    #: What the sender says of it when it is not final (model.RECORD_STATUSES).
    status: str | None = None

    @classmethod
    def from_classification(
        cls,
        path: str,
        c: Classification,
        *,
        format: str,
        text: str = "",
        confidence: float | None = None,
        extra_evidence: tuple[str, ...] = (),
    ) -> Document:
        """A document record from what ``classify_text`` said of its text."""
        return cls(
            path=path,
            kind=c.kind,
            title=c.title,
            date=c.date,
            patient=c.patient,
            confidence=c.confidence if confidence is None else confidence,
            evidence=c.evidence + extra_evidence,
            format=format,
            text=text,
            date_order=c.date_order,
            date_ambiguous=c.date_ambiguous,
            status=c.status,
        )


@dataclass(frozen=True)
class DicomHeader:
    """What one DICOM file's header says; grouped into studies by the walker."""

    path: str
    sop_class_uid: str
    sop_instance_uid: str
    transfer_syntax_uid: str | None
    part10: bool
    study_instance_uid: str
    series_instance_uid: str
    modality: str | None
    study_date: str | None  # ISO
    study_time: str | None
    study_description: str | None
    series_description: str | None
    series_number: int | None
    instance_number: int | None
    accession_number: str | None
    study_id: str | None
    patient: Patient


Outcome = Document | DicomHeader | Problem | Skipped

#: A UTF-16 surrogate alone in a str: JSON's ``"\ud800"`` escape decodes to one,
#: and it cannot be written as UTF-8 (``scan --json`` and pack failed on it).
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """Text a record carries, with every lone surrogate replaced by U+FFFD."""
    return _LONE_SURROGATE.sub("\ufffd", text)


def _clean(value: object) -> object:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, tuple):
        return tuple(_clean(item) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return clean_outcome(value)
    return value


def clean_outcome(outcome: _T) -> _T:
    """A scanner's outcome (or a Patient in it) with only encodable text in its fields.

    Untrusted text enters the model here: whatever a record held, every string
    recordpack keeps can be printed, written as JSON and packed.
    """
    changes = {}
    for item in dataclasses.fields(outcome):  # type: ignore[arg-type]
        value = getattr(outcome, item.name)
        cleaned = _clean(value)
        if cleaned is not value and cleaned != value:
            changes[item.name] = cleaned
    return dataclasses.replace(outcome, **changes) if changes else outcome  # type: ignore[type-var]


class Scanner(Protocol):
    """What a per-format scanner module provides (see module docstring)."""

    @property
    def FORMAT(self) -> str: ...

    def sniff(self, source: Source) -> bool: ...

    def scan(self, source: Source) -> list[Outcome]: ...
