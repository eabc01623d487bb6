"""The record model shared by scan, check and pack.

Frozen dataclasses only. ``to_json`` methods produce exactly the documents
specified in KINDS.md (the public ``--json`` contract); anything extra that a
JSON consumer may want is added as *new* keys, never by renaming.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

#: Every record kind, in the order a reader expects them (KINDS.md).
KINDS: Final[tuple[str, ...]] = (
    "pathology_report",
    "imaging_study",
    "imaging_report",
    "lab_result",
    "genomic_report",
    "clinical_note",
    "operative_report",
    "treatment_plan",
    "medication_list",
    "discharge_summary",
    "patient_summary",
    "administrative",
    "other",
)


@dataclass(frozen=True)
class KindWording:
    """How each kind is said to a person; the one table every renderer words kinds from."""

    title: str  # a record's title when its own heading gives none: "Pathology report"
    heading: str  # a group of records: "Pathology reports"
    word: str  # in a sentence: "no HER2 result in the pathology report"
    plural: str  # "3 pathology reports"


#: Wording of every kind (KINDS), for human output.
KIND_WORDING: Final[dict[str, KindWording]] = {
    "pathology_report": KindWording(
        "Pathology report", "Pathology reports", "pathology report", "pathology reports"
    ),
    "imaging_study": KindWording(
        "Imaging study",
        "Imaging studies (DICOM images)",
        "set of scan images",
        "sets of scan images",
    ),
    "imaging_report": KindWording(
        "Imaging report", "Imaging reports", "imaging report", "imaging reports"
    ),
    "lab_result": KindWording("Lab results", "Lab results", "lab result", "lab results"),
    "genomic_report": KindWording(
        "Genomic test report",
        "Genomic and genetic test reports",
        "genomic report",
        "genomic reports",
    ),
    "clinical_note": KindWording("Clinic note", "Clinic notes", "clinic note", "clinic notes"),
    "operative_report": KindWording(
        "Operative report",
        "Operative and procedure reports",
        "operative report",
        "operative reports",
    ),
    "treatment_plan": KindWording(
        "Treatment plan", "Treatment plans", "treatment plan", "treatment plans"
    ),
    "medication_list": KindWording(
        "Medication list", "Medication and allergy lists", "medication list", "medication lists"
    ),
    "discharge_summary": KindWording(
        "Discharge summary", "Discharge summaries", "discharge summary", "discharge summaries"
    ),
    "patient_summary": KindWording(
        "Patient summary",
        "Patient summaries (portal exports)",
        "patient summary",
        "patient summaries",
    ),
    "administrative": KindWording(
        "Administrative document",
        "Administrative papers",
        "administrative paper",
        "administrative papers",
    ),
    "other": KindWording("Document", "Other documents", "other document", "other documents"),
}

def with_article(noun: str) -> str:
    """``noun`` after its indefinite article: "a pathology report", "an imaging report"."""
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


#: Plain-language headings for each kind, for human output (from KIND_WORDING).
KIND_TITLES: Final[dict[str, str]] = {k: w.heading for k, w in KIND_WORDING.items()}

# Problem codes (KINDS.md requires at least the first five).
UNREADABLE: Final = "unreadable"
ENCRYPTED: Final = "encrypted"
NO_TEXT: Final = "no_text"
DUPLICATE: Final = "duplicate"
UNSUPPORTED: Final = "unsupported"
PROBLEM_CODES: Final[tuple[str, ...]] = (UNREADABLE, ENCRYPTED, NO_TEXT, DUPLICATE, UNSUPPORTED)

#: Separator between an archive's path and a member's path: ``a.zip!dir/b.xml``.
#: What the sender says of a record that is not its final, valid version (FHIR's
#: DiagnosticReport.status, HL7 v2's result status). None: final, or not stated.
PRELIMINARY: Final = "preliminary"
CANCELLED: Final = "cancelled"
ENTERED_IN_ERROR: Final = "entered_in_error"
SUPERSEDED: Final = "superseded"
#: Most telling first: a record withdrawn is withdrawn whatever else it says.
RECORD_STATUSES: Final[tuple[str, ...]] = (ENTERED_IN_ERROR, CANCELLED, SUPERSEDED, PRELIMINARY)
def most_telling(statuses: Iterable[str | None]) -> str | None:
    """The status that says most of a record, of those given (None when there is none)."""
    return min((s for s in statuses if s), key=RECORD_STATUSES.index, default=None)


#: Statuses that withdraw a record: it never counts towards anything.
WITHDRAWN: Final[frozenset[str]] = frozenset({CANCELLED, ENTERED_IN_ERROR, SUPERSEDED})
#: How a status is said to people.
RECORD_STATUS_WORDS: Final[dict[str, str]] = {
    PRELIMINARY: "preliminary (not final)",
    CANCELLED: "cancelled",
    ENTERED_IN_ERROR: "entered in error",
    SUPERSEDED: "replaced by a newer version",
}

ARCHIVE_SEP: Final = "!"


@dataclass(frozen=True)
class Patient:
    """Who a record says it is about. Any field may be unknown (None)."""

    name: str | None = None
    birth_date: str | None = None  # ISO YYYY-MM-DD
    id: str | None = None  # medical record number or patient ID

    def is_empty(self) -> bool:
        return self.name is None and self.birth_date is None and self.id is None

    def to_json(self) -> dict[str, str | None]:
        return {"name": self.name, "birth_date": self.birth_date, "id": self.id}


@dataclass(frozen=True)
class DicomInstance:
    """One DICOM file of an imaging study, as its header describes it."""

    path: str
    sop_class_uid: str
    sop_instance_uid: str
    transfer_syntax_uid: str | None
    instance_number: int | None = None
    #: True when the file is a conformant PS3.10 file (preamble, DICM, meta).
    #: Only such files can go into a DICOM file-set (DICOMDIR) as they are.
    part10: bool = True
    #: Who this file's header names; check compares each image, not only the study.
    patient: Patient | None = field(default=None, compare=False)
    #: True when scan found the image data damaged (cut short, missing): the file
    #: travels with its study but is no image to look at (nor in the DICOMDIR).
    damaged: bool = False


@dataclass(frozen=True)
class Series:
    """One series of an imaging study."""

    uid: str
    modality: str | None
    number: int | None
    description: str | None
    instances: tuple[DicomInstance, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "uid": self.uid,
            "modality": self.modality,
            "number": self.number,
            "description": self.description,
            "instances": sum(1 for i in self.instances if not i.damaged),
        }


@dataclass(frozen=True)
class ImagingStudy:
    """What the headers of one Study Instance UID say about the study."""

    study_instance_uid: str
    modalities: tuple[str, ...]
    description: str | None
    accession_number: str | None
    study_id: str | None
    series: tuple[Series, ...]
    #: Study time (HHMMSS) when known, for the DICOMDIR study record.
    time: str | None = None

    @property
    def instance_count(self) -> int:
        """The images that can be looked at (damaged ones are counted apart)."""
        return sum(1 for s in self.series for i in s.instances if not i.damaged)

    @property
    def damaged_count(self) -> int:
        """The files of the study whose image data is damaged."""
        return sum(1 for s in self.series for i in s.instances if i.damaged)

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "study_instance_uid": self.study_instance_uid,
            "modalities": list(self.modalities),
            "description": self.description,
            "accession_number": self.accession_number,
            "series_count": len(self.series),
            "instance_count": self.instance_count,
            "series": [s.to_json() for s in self.series],
        }
        if self.damaged_count:
            # Files of the study that are no image to look at (each has its problem).
            doc["damaged_count"] = self.damaged_count
        return doc


@dataclass(frozen=True)
class Record:
    """One medical record: a document, or all the files of one imaging study."""

    kind: str
    title: str
    date: str | None  # ISO YYYY-MM-DD: the date the record is about
    files: tuple[str, ...]  # relative to the scanned folder, "/" separators
    patient: Patient = field(default_factory=Patient)
    confidence: float = 0.5
    evidence: tuple[str, ...] = ()
    #: Source format: "pdf", "dicom", "ccda", "fhir", "hl7v2", "text", "image".
    format: str = "other"
    study: ImagingStudy | None = None
    #: Extracted text (for content requirements in check); not part of JSON.
    text: str = field(default="", repr=False, compare=False)
    #: Kind before a user's correction, when the user corrected it.
    corrected_from: str | None = None
    #: How the numbers in ``text``'s dates are to be read: "day_first" or
    #: "month_first" when the document or its folder decided, None when
    #: nothing did (read month first). Not part of JSON: the evidence says it.
    date_order: str | None = field(default=None, compare=False)
    #: What the sender says of it when it is not final (see :data:`RECORD_STATUSES`).
    status: str | None = None

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "kind": self.kind,
            "title": self.title,
            "date": self.date,
            "files": list(self.files),
            "patient": self.patient.to_json(),
            "confidence": round(self.confidence, 2),
            "evidence": list(self.evidence),
            "format": self.format,
        }
        if self.study is not None:
            doc["study"] = self.study.to_json()
        if self.corrected_from is not None:
            doc["corrected_from"] = self.corrected_from
        if self.status is not None:
            doc["status"] = self.status
        return doc


@dataclass(frozen=True)
class Problem:
    """Something wrong with a file, with a plain-language hint of what to do."""

    path: str
    code: str
    message: str
    hint: str | None = None
    duplicate_of: str | None = None
    paths: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"path": self.path, "code": self.code, "message": self.message}
        if self.hint:
            doc["hint"] = self.hint
        if self.duplicate_of is not None:
            doc["duplicate_of"] = self.duplicate_of
        if self.paths:
            doc["paths"] = list(self.paths)
        return doc


@dataclass(frozen=True)
class Skipped:
    """A file that is not a record (clutter, viewer software, DICOMDIR)."""

    path: str
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"path": self.path, "reason": self.reason}


@dataclass(frozen=True)
class FileInfo:
    """A file seen by scan: its size and SHA-256, computed once and reused by pack."""

    path: str
    size: int
    #: None for a DICOM image scan read only as far as its header (its pixel data
    #: is read once, by pack, which hashes it as it writes it).
    sha256: str | None
    #: CRC-32 of the content (as ZIP uses), when scan read the file from disk: pack
    #: checks a file did not change since the scan by the CRC its ZIP writer computes
    #: anyway, instead of hashing every byte a second time.
    crc32: int | None = None
    #: SHA-256 of the first 64 KiB, for a file larger than that (the part scan read of
    #: a file read only in part), and the file's modification time (ns) when read.
    #: Pack checks both for a file read only in part: what it packs is what scan saw.
    head_sha256: str | None = None
    mtime_ns: int | None = None


@dataclass(frozen=True)
class ScanResult:
    """Everything a scan found in a folder."""

    root: str
    records: tuple[Record, ...]
    problems: tuple[Problem, ...]
    skipped: tuple[Skipped, ...]
    #: Every file read (records, problem files and archives), keyed by relative path.
    files: dict[str, FileInfo] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": 1,
            "root": self.root,
            "records": [r.to_json() for r in self.records],
            "problems": [p.to_json() for p in self.problems],
            "skipped": [s.to_json() for s in self.skipped],
        }
