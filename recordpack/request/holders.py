"""Which institution holds a record: read from the records the folder already has.

A report names who issued it (its letterhead, a "Performing lab:" line, a DICOM
header's Institution Name), the record number that institution uses for the
patient, and its own case or accession numbers. :func:`issuer` reads these from
one record; :func:`Issuers` groups them per institution so that a missing item
can be addressed to whoever issued the related record. Nothing is guessed
beyond what a record says: an issuer comes with the record it was read from.
"""

from __future__ import annotations

import logging
import re
import unicodedata
import warnings
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Final

from recordpack import sentences
from recordpack.checking import DID_NOT_HAPPEN
from recordpack.model import ARCHIVE_SEP, Record
from recordpack.scan.archive import AmbiguousName, find_member, member_index
from recordpack.scan.paths import to_fs
from recordpack.scan.walk import open_file

#: Words that make a letterhead line an institution's name.
_INSTITUTION_WORDS: Final = re.compile(
    r"\b(hospital|hospitals|medical|health|healthcare|clinic|clinics|infirmary|trust|"
    r"nhs|university|institute|pathology|pathologie|laboratory|laboratories|laboratoire|"
    r"labs?|radiology|imaging|oncology|cancer|nuclear medicine|diagnostics?|associates|"
    r"partners|group|centre|center|department|unit|outpatients?|surgery|practice|"
    r"hôpital|hopital|centre hospitalier|services?)\b",
    re.IGNORECASE,
)

#: Words of a document's own heading, not of who issued it.
_HEADING_WORDS: Final = re.compile(
    r"\b(report|results?|summary|note|letter|consultation report|test results|"
    r"requisition|printout|prescriptions?|medications?|invoice)\b",
    re.IGNORECASE,
)

#: Lines that are never a letterhead: patient details, portals, fax banners, links.
_NOT_LETTERHEAD: Final = re.compile(
    r"(patient|name\s*:|\bdob\b|d\.o\.b|date of birth|\bmrn\b|mychart|portal|https?://|www\.|"
    r"\bfax\b|page \d|printed|\bre:|dear\b|\btel\b|phone|@)",
    re.IGNORECASE,
)

#: Stamps a page carries beside a name (a running header, a footer, a printout's
#: banner): never part of who issued it. "Lakeshore Medical Center  CONFIDENTIAL".
_STAMP: Final = re.compile(
    r"\b(?:(?:strictly|private\s+and)\s+)?confidential(?:\s+(?:patient\s+)?"
    r"(?:information|document|record|report))?\b"
    r"|\bpage\s*\d+(?:\s*(?:of|/)\s*\d+)?\b"
    r"|\bprinted(?:\s+(?:on|at))?\s*:?\s*\d[\d/.:-]*(?:\s+\d{1,2}:\d{2}(?::\d{2})?"
    r"(?:\s*[ap]\.?m\.?)?)?"
    r"|\b(?:certified\s+|true\s+|patient\s+)?copy\b|\bduplicate\b|\bdo\s+not\s+(?:copy|distribute)\b",
    re.IGNORECASE,
)

#: Words that alone make only a department (no institution named).
_GENERIC_WORDS: Final = frozenset(
    [
        "department",
        "dept",
        "of",
        "the",
        "and",
        "unit",
        "radiology",
        "pathology",
        "cellular",
        "histopathology",
        "cytopathology",
        "laboratory",
        "laboratories",
        "lab",
        "labs",
        "imaging",
        "diagnostic",
        "diagnostics",
        "nuclear",
        "medicine",
        "endoscopy",
        "outpatient",
        "outpatients",
        "clinic",
        "service",
        "services",
        "surgery",
        "surgical",
        "oncology",
        "medical",
        "respiratory",
        "breast",
        "colorectal",
        "haematology",
        "hematology",
        "biochemistry",
        "anatomic",
        "anatomical",
        "molecular",
        "genetics",
        "genomics",
        "centre",
        "center",
        "x-ray",
        "xray",
        "ct",
        "mri",
        "ultrasound",
        "mammography",
    ]
)

#: Labelled lines that name who performed a test or issued a report.
_LABELLED_ISSUER: Final = re.compile(
    r"^\s*(?:performing|reporting|testing|issuing)\s+(?:lab(?:oratory)?|site|facility|"
    r"organi[sz]ation|institution)\s*[:#]\s*(?P<name>.+?)\s*$"
    r"|^\s*(?:performed|tested|reported)\s+(?:at|by)\s*[:#]?\s*(?P<name2>.+?)\s*$"
    r"|^\s*(?:facility|institution|hospital|laboratory|lab)\s*:\s*(?P<name3>.+?)\s*$",
    re.IGNORECASE | re.MULTILINE,
)

#: Case, accession and specimen numbers as reports label them.
_CASE_NUMBER: Final = re.compile(
    r"\b(?:accession|case|specimen|surgical\s+pathology|path(?:ology)?|lab(?:oratory)?|"
    r"histology|cytology)\s*(?:no\.?|number|num\.?|#|id)?\s*[:#.]?\s*"
    r"(?P<number>(?=[A-Z0-9/-]*\d)[A-Z]{0,4}[-/ ]?\d{2}[-/]?[A-Z0-9]{2,}(?:[-/][A-Z0-9]+)?)\b",
    re.IGNORECASE,
)

#: How many leading non-empty lines may hold a letterhead.
_LETTERHEAD_LINES: Final = 8

#: Small words a name may have in lower case ("Department of Pathology").
_CONNECTORS: Final = frozenset(
    ["of", "and", "the", "for", "at", "in", "on", "de", "du", "des", "la", "le", "et", "&", "y"]
)

#: Source formats whose text starts with a printed page (a letterhead); a portal
#: export's text starts with its sections' content instead.
_PAGE_FORMATS: Final = frozenset({"pdf", "text", "image", "dicom", "other"})


@dataclass(frozen=True)
class Issuer:
    """Who issued one record, as the record says, with the numbers it gives."""

    name: str
    department: str | None
    #: The patient's record number at this institution (from this record).
    record_number: str | None
    #: Case, accession or specimen numbers the record gives.
    case_numbers: tuple[str, ...]
    #: Where it was read: the record's first file.
    source: str

    @property
    def key(self) -> str:
        return institution_key(self.name)


def institution_key(name: str) -> str:
    """One key for one institution however its records write it (case, accents, 'The')."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    words = [w for w in re.split(r"[^a-z0-9]+", plain.replace("'", "")) if w]
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def is_department_only(name: str) -> bool:
    """True when a name says only a department ("Radiology Department"), not whose."""
    words = [w for w in re.split(r"[^a-z]+", institution_key(name)) if w]
    return bool(words) and all(w in _GENERIC_WORDS for w in words)


def _clean(part: str) -> str:
    """A name as written, less the page's stamps (CONFIDENTIAL, Page 1 of 2, COPY)."""
    return " ".join(_STAMP.sub(" ", part).split()).strip(" -|:,;")


def _looks_like_a_name(part: str) -> bool:
    """A name is short and capitalised; a sentence ("I reviewed ... today.") is not."""
    words = part.split()
    lower = [w for w in words if w[:1].islower() and w.casefold() not in _CONNECTORS]
    return (
        0 < len(words) <= 9
        and len(lower) <= 1
        and not part.endswith(".")
        and sum(c.isdigit() for c in part) <= 2
        and bool(_INSTITUTION_WORDS.search(part))
    )


def letterhead(text: str) -> tuple[str | None, str | None]:
    """(institution, department) from a document's first lines, or (None, None)."""
    labelled = _LABELLED_ISSUER.search(text)
    if labelled:
        given = _clean(next(g for g in labelled.group("name", "name2", "name3") if g))
        if given[:1].isupper() and _looks_like_a_name(given):
            return given, None
    name: str | None = None
    for line in [line for line in text.splitlines() if line.strip()][:_LETTERHEAD_LINES]:
        # A stamp is cut before the line is judged: "Page 1 of 2" beside the
        # hospital's name does not make the line a page banner.
        line = _STAMP.sub("   ", line)
        if _NOT_LETTERHEAD.search(line) or len(line.strip()) > 100:
            continue
        parts = [_clean(p) for p in re.split(r"\s+[-|–—]\s+|\s{3,}|\s*\|\s*", line)]
        named = [p for p in parts if _looks_like_a_name(p) and not _HEADING_WORDS.search(p)]
        institutions = [p for p in named if not is_department_only(p)]
        departments = [p for p in named if is_department_only(p)]
        if name is None:
            if institutions:
                name = institutions[0]
                if departments:
                    return name, departments[0]
            elif departments:
                return departments[0], None
        elif departments and (
            not institutions or institution_key(institutions[0]) == institution_key(name)
        ):
            # A running page header names the hospital alone; the body's
            # letterhead names it again (or not) with the department that
            # wrote the report: "Lakeshore Medical Center - Department of Pathology".
            return name, departments[0]
    return name, None


def case_numbers(text: str) -> tuple[str, ...]:
    """Case, accession and specimen numbers a report gives, in order, without repeats."""
    found = (m.group("number").strip() for m in _CASE_NUMBER.finditer(text))
    return tuple(dict.fromkeys(n for n in found if not re.fullmatch(r"[\d/-]+", n) or "-" in n))


#: Errors reading a record's file again: the record is then simply not named.
_READ_ERRORS: Final = (OSError, zipfile.BadZipFile, KeyError, ValueError, EOFError, AmbiguousName)

#: At most this much of a message file is read for its performing lab.
_MAX_MESSAGE_BYTES: Final = 8 * 1024 * 1024


@contextmanager
def _open_record_file(root: Path, path: str) -> Iterator[BinaryIO]:
    """A record's file (or a member of a zip in the folder), read-only, without atime."""
    if ARCHIVE_SEP not in path:
        with open_file(root / to_fs(path)) as stream:
            yield stream
        return
    archive, _, member = path.partition(ARCHIVE_SEP)
    if ARCHIVE_SEP in member:
        raise KeyError(path)  # a zip inside a zip: not opened again here
    with open_file(root / to_fs(archive)) as raw, zipfile.ZipFile(raw) as zf:
        # Never by a name two members share (find_member raises AmbiguousName).
        entry = find_member(member_index(zf.infolist()), to_fs(member))
        if entry is None:
            raise KeyError(path)
        with zf.open(entry) as stream:
            yield stream  # type: ignore[misc]


def _hl7_performer(root: Path, record: Record) -> str | None:
    """The performing organisation of a result (OBX-23), else the sending facility (MSH-4)."""
    from recordpack.scan import codes, hl7v2

    try:
        with _open_record_file(root, record.files[0]) as stream:
            messages = hl7v2.parse(codes.decode_text(stream.read(_MAX_MESSAGE_BYTES)))
    except _READ_ERRORS:
        return None
    for message in messages:
        candidates = [message.component(message.field(s, 23), 1) for s in message.all("OBX")]
        candidates.append(message.component(message.field(message.first("MSH"), 4), 1))
        for candidate in candidates:
            name = _clean(candidate)
            if name and _looks_like_a_name(name):
                return name
    return None


def _read_record(root: Path, record: Record) -> bytes | None:
    """A record's first file, whole (at most the scanners' document limit), or None."""
    from recordpack.scan.base import MAX_DOCUMENT_BYTES

    try:
        with _open_record_file(root, record.files[0]) as stream:
            data = stream.read(MAX_DOCUMENT_BYTES + 1)
    except _READ_ERRORS:
        return None
    return data if len(data) <= MAX_DOCUMENT_BYTES else None


def _first_name(candidates: Iterable[object]) -> str | None:
    for candidate in candidates:
        name = _clean(candidate) if isinstance(candidate, str) else ""
        if name and len(name) <= 100:
            return name
    return None


def _ccda_custodian(root: Path, record: Record) -> str | None:
    """The organisation that keeps a C-CDA document (custodian), else its author's."""
    from xml.parsers import expat

    from recordpack.scan import ccda
    from recordpack.scan.base import Source

    data = _read_record(root, record)
    if data is None:
        return None
    try:
        tree = ccda.parse_xml(Source.from_bytes(record.files[0], data)).root
    except (expat.ExpatError, ValueError):
        return None

    def names(holder: str, organisation: str) -> Iterator[str]:
        for element in tree.iter():
            if str(element.tag).rsplit("}", 1)[-1] != holder:
                continue
            for inner in element.iter():
                if str(inner.tag).rsplit("}", 1)[-1] == organisation:
                    for part in inner:
                        if str(part.tag).rsplit("}", 1)[-1] == "name":
                            yield "".join(part.itertext())

    return _first_name(names("custodian", "representedCustodianOrganization")) or _first_name(
        names("author", "representedOrganization")
    )


def _fhir_performer(root: Path, record: Record) -> str | None:
    """Who performed a FHIR result (DiagnosticReport performer), else the one Organization."""
    import json

    data = _read_record(root, record)
    if data is None:
        return None
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError):
        return None
    resources = [document]
    if isinstance(document, dict) and isinstance(document.get("entry"), list):
        resources += [e.get("resource") for e in document["entry"] if isinstance(e, dict)]
    resources = [r for r in resources if isinstance(r, dict)]
    performers = [
        p.get("display")
        for r in resources
        if r.get("resourceType") in ("DiagnosticReport", "Observation", "DocumentReference")
        for key in ("performer", "custodian", "author")
        for p in (r.get(key) if isinstance(r.get(key), list) else [r.get(key)])
        if isinstance(p, dict)
    ]
    organisations = [r.get("name") for r in resources if r.get("resourceType") == "Organization"]
    named = [n for n in performers if isinstance(n, str) and _looks_like_a_name(_clean(n))]
    return _first_name(named) or (_first_name(organisations) if len(organisations) == 1 else None)


#: How each structured format names who issued a record.
_STRUCTURED_ISSUERS: Final[dict[str, Callable[[Path, Record], str | None]]] = {
    "hl7v2": _hl7_performer,
    "ccda": _ccda_custodian,
    "fhir": _fhir_performer,
}


def _dicom_institution(root: Path, record: Record) -> tuple[str | None, str | None]:
    """InstitutionName and InstitutionalDepartmentName from the first readable header."""
    from pydicom import dcmread
    from pydicom.errors import InvalidDicomError

    tags = ["InstitutionName", "InstitutionalDepartmentName"]
    logger = logging.getLogger("pydicom")
    for path in record.files[:3]:
        # An odd header was already reported by the scan: no second warning here.
        level = logger.level
        try:
            logger.setLevel(logging.CRITICAL)
            with warnings.catch_warnings(), _open_record_file(root, path) as stream:
                warnings.simplefilter("ignore")
                ds = dcmread(stream, stop_before_pixels=True, specific_tags=tags, force=True)
        except (*_READ_ERRORS, InvalidDicomError):
            continue
        finally:
            logger.setLevel(level)
        name = _clean(str(ds.get("InstitutionName", "") or ""))
        department = _clean(str(ds.get("InstitutionalDepartmentName", "") or ""))
        if name:
            return name, department or None
    return None, None


def issuer(root: Path, record: Record) -> Issuer | None:
    """Who issued ``record``, as it says itself; None when it names no institution."""
    name: str | None = None
    department: str | None = None
    if record.format == "dicom":
        name, department = _dicom_institution(root, record)
    elif record.format in _STRUCTURED_ISSUERS and record.files:
        name = _STRUCTURED_ISSUERS[record.format](root, record)
    if name is None and record.text and record.format in _PAGE_FORMATS:
        name, department = letterhead(record.text)
    if name is None:
        return None
    numbers: tuple[str, ...] = case_numbers(record.text) if record.text else ()
    if record.study is not None and record.study.accession_number:
        numbers = tuple(dict.fromkeys((record.study.accession_number, *numbers)))
    return Issuer(
        name=name,
        department=department,
        record_number=record.patient.id,
        case_numbers=numbers,
        source=record.files[0] if record.files else record.title,
    )


#: Words for the event behind a kind of record: a note saying "biopsy at St. Brendan
#: Medical Center" tells who holds the pathology report.
MENTION_WORDS: Final[dict[str, str]] = {
    "pathology_report": r"biops\w*|patholog\w*|histolog\w*|histopatholog\w*|cytolog\w*|"
    r"resection|excision|lumpectomy|mastectomy|prostatectomy|colectomy|lobectomy|EBUS\S*|FNA",
    "imaging_study": r"CT|MRI|PET\S*|mammogra\w*|ultrasound|imaging|scans?|X-rays?",
    "imaging_report": r"CT|MRI|PET\S*|mammogra\w*|ultrasound|imaging|scans?|X-rays?",
    "lab_result": r"labs?|blood (?:tests?|work)|bloods",
    "genomic_report": r"genomic\w*|genetic\w*|sequencing|NGS|Oncotype\w*|molecular",
    "operative_report": r"surgery|operation|resection|\w+ectomy",
}

#: "... at|by|from|with [the] Name Of Institution": the name is matched case-sensitively.
_NAME_AFTER: Final = (
    r"[^.\n]{0,80}?\b(?i:at|by|from|with)\s+(?:(?i:the)\s+)?"
    r"(?P<name>[A-Z][\w'\u2019.&-]*(?:\s+(?:[A-Z][\w'\u2019.&-]*|of|and|de|du|for)){0,7})"
)


#: Labelled lines naming where a specimen came from (a genomic lab's report says so).
_SPECIMEN_SOURCE: Final = re.compile(
    r"^[ \t]*(?i:(?:submitting|referring|originating|sending)[ \t]+(?:institution|facility|"
    r"hospital|lab(?:oratory)?|pathology(?:[ \t]+lab(?:oratory)?)?|site)|specimen[ \t]+"
    r"(?:source|from|origin)|block[ \t]+(?:source|from))[ \t]*:[ \t]*(?P<name>[^\n]+?)[ \t]*$",
    re.MULTILINE,
)


#: Where a sentence ends: at its stop, at a blank line, or at a line that does
#: not run on into the next (as check's sentences are cut).
_SENTENCE_END: Final = re.compile(r"[.!?;](?=\s|$)|\n[ \t]*\n|(?<![a-z,\-])\n")

#: A stop inside a name read from running text ends it ("Hospital. Biopsy ...");
#: one after a short capital ("St. Brendan's", "J. Doe") is an abbreviation.
_NAME_STOP: Final = re.compile(r"(?<!\b[A-Z])(?<!\b[A-Z][a-z])\.(?=\s)")


def _sentence_around(text: str, start: int, end: int) -> str:
    """The sentence of ``text`` that holds ``text[start:end]``."""
    before = [m.end() for m in sentences.ends(_SENTENCE_END, text, 0, start)]
    after = next(sentences.ends(_SENTENCE_END, text, end), None)
    return text[before[-1] if before else 0 : after.end() if after else len(text)]


def _said_to_happen(pattern: re.Pattern[str], text: str) -> Iterator[str]:
    """The raw names ``pattern`` finds after each event word, but for events a
    sentence says did not happen ("biopsy at X was cancelled", "declined biopsy at X")."""
    position, seen = 0, set()
    # Searched again from each event word: a name cut at its sentence's stop
    # must not hide the next sentence's "Biopsy at Y".
    while (match := pattern.search(text, position)) is not None:
        position = match.start() + 1
        if match.start("name") in seen:
            continue
        seen.add(match.start("name"))
        name = _NAME_STOP.split(match.group("name"), maxsplit=1)[0]
        sentence = _sentence_around(text, match.start(), match.start("name") + len(name))
        if not DID_NOT_HAPPEN.search(sentence):
            yield name


def mentions(text: str, kind: str) -> list[str]:
    """Institutions a text names for the event behind ``kind`` ("biopsy at X").

    Not from a sentence saying the event did not happen ("biopsy at X was
    cancelled"): X holds no record of it.
    """
    words = MENTION_WORDS.get(kind)
    if not words or not text:
        return []
    pattern = re.compile(rf"\b(?i:{words})\b{_NAME_AFTER}")
    raw = list(_said_to_happen(pattern, text))
    if kind == "pathology_report":
        raw = [m.group("name") for m in _SPECIMEN_SOURCE.finditer(text)] + raw
    found: list[str] = []
    for named in raw:
        # "Kestrel Bay Medical Center, Pathology": the institution, not its department.
        parts = [_clean(p) for p in named.split(",")]
        name = next((p for p in parts if p and not is_department_only(p)), "")
        # Trim trailing connector words: "Lakeview Pathology of" -> "Lakeview Pathology".
        name = re.sub(r"(?:\s+(?:of|and|de|du|for))+$", "", name)
        if name[:1].isupper() and _looks_like_a_name(name) and not is_department_only(name):
            found.append(name)
    return found


def mentioned_case_numbers(text: str, kind: str) -> tuple[str, ...]:
    """Case numbers on lines that speak of the event behind ``kind`` (a note quoting one)."""
    words = MENTION_WORDS.get(kind)
    if not words or not text:
        return ()
    pattern = re.compile(rf"\b(?:{words})\b", re.IGNORECASE)
    numbers: list[str] = []
    for line in text.splitlines():
        if pattern.search(line):
            numbers += case_numbers(line)
    return tuple(dict.fromkeys(numbers))


@dataclass(frozen=True)
class Holder:
    """An institution that most likely holds a record, and why recordpack thinks so."""

    name: str
    department: str | None
    #: The patient's record number at this institution, from its own records.
    record_number: str | None
    #: The files whose letterhead or header names it.
    sources: tuple[str, ...]

    @property
    def key(self) -> str:
        return institution_key(self.name)

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "department": self.department,
            "record_number": self.record_number,
            "sources": list(self.sources),
        }


class Issuers:
    """Every record's issuer in a folder, grouped per institution."""

    def __init__(self, root: Path, records: Iterable[Record]) -> None:
        self._by_record: dict[int, Issuer] = {}
        self._case_numbers: dict[int, tuple[str, ...]] = {}
        found = [(r, issuer(root, r)) for r in records]
        # A document's letterhead names the hospital; a DICOM header may name only
        # the imaging site or the scanner's maker, so documents come first.
        named: dict[str, Issuer] = {}
        for record, one in sorted(found, key=lambda p: p[0].format != "dicom"):
            if one is not None and record.patient.id and not is_department_only(one.name):
                named[record.patient.id] = one
        for record, found_issuer in found:
            if found_issuer is None:
                continue
            # "Radiology Department" with the hospital number another record gives
            # with the hospital's name is that hospital's radiology department.
            if is_department_only(found_issuer.name):
                parent = named.get(record.patient.id) if record.patient.id else None
                if parent is None:
                    # "Pathology" alone is no address: whose pathology is unknown.
                    self._case_numbers[id(record)] = found_issuer.case_numbers
                    continue
                found_issuer = Issuer(
                    name=parent.name,
                    department=found_issuer.department or found_issuer.name,
                    record_number=found_issuer.record_number,
                    case_numbers=found_issuer.case_numbers,
                    source=found_issuer.source,
                )
            self._by_record[id(record)] = found_issuer

    def of(self, record: Record) -> Issuer | None:
        """The issuer of one record (None when it names none)."""
        return self._by_record.get(id(record))

    def case_numbers(self, record: Record) -> tuple[str, ...]:
        """The case, accession or specimen numbers a record gives, whoever issued it."""
        issued = self.of(record)
        if issued is not None:
            return issued.case_numbers
        return self._case_numbers.get(id(record)) or case_numbers(record.text)

    def holder(self, records: Sequence[Record]) -> Holder | None:
        """The institution that issued most of ``records`` (the latest on a tie)."""
        issued = [(r, i) for r in records if (i := self.of(r)) is not None]
        if not issued:
            return None
        counts = Counter(i.key for _, i in issued)
        latest = {i.key: (r.date or "") for r, i in sorted(issued, key=lambda p: p[0].date or "")}
        best = max(counts, key=lambda k: (counts[k], latest[k]))
        return self.holder_of_key(best, [i for _, i in issued if i.key == best])

    def mentioned(self, kind: str, records: Sequence[Record]) -> Holder | None:
        """The institution the records most often name for the event behind ``kind``."""
        named: Counter[str] = Counter()
        display: dict[str, str] = {}
        sources: dict[str, list[str]] = {}
        for record in records:
            for name in mentions(record.text, kind):
                key = institution_key(name)
                named[key] += 1
                display.setdefault(key, name)
                sources.setdefault(key, []).append(record.files[0] if record.files else "")
        if not named:
            return None
        key = named.most_common(1)[0][0]
        if any(i.key == key for i in self._by_record.values()):
            known = self.holder_of_key(key)
            # A note's "at Kestrel Bay Medical Center" reads better than a letterhead's capitals.
            name = display[key] if known.name.isupper() else known.name
            return Holder(name, None, known.record_number, tuple(dict.fromkeys(sources[key])))
        return Holder(display[key], None, None, tuple(dict.fromkeys(sources[key])))

    def sole_institution(self) -> Holder | None:
        """The institution when the records name only one (departments aside); else None."""
        keys = {i.key for i in self._by_record.values() if not is_department_only(i.name)}
        return self.holder_of_key(keys.pop()) if len(keys) == 1 else None

    def holder_of_key(self, key: str, issuers: Sequence[Issuer] | None = None) -> Holder:
        """The holder for one institution key, from the given issuers or all of them."""
        mine = list(issuers or [i for i in self._by_record.values() if i.key == key])
        every = [i for i in self._by_record.values() if i.key == key]
        # Show the name as most records write it, preferring mixed case to capitals.
        names = Counter(i.name for i in every)
        name = max(names, key=lambda n: (not n.isupper(), names[n]))
        departments = Counter(i.department for i in mine if i.department)
        numbers = Counter(i.record_number for i in every if i.record_number)
        return Holder(
            name=name,
            department=departments.most_common(1)[0][0] if departments else None,
            record_number=numbers.most_common(1)[0][0] if numbers else None,
            sources=tuple(dict.fromkeys(i.source for i in mine)),
        )


__all__ = [
    "Holder",
    "Issuer",
    "Issuers",
    "case_numbers",
    "institution_key",
    "is_department_only",
    "issuer",
    "letterhead",
    "mentioned_case_numbers",
    "mentions",
]
