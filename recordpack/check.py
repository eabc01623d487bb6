"""Hold a scanned folder against a manifest: what is there, what is missing, what blocks.

:func:`check` turns a :class:`~recordpack.model.ScanResult` and a
:class:`~recordpack.manifest.Manifest` into a :class:`CheckReport`: one status
per requirement (met, missing, outdated, incomplete, optional_missing), the
findings across records (another patient's record, duplicates, files that
cannot be opened, scans without a report and reports without their images),
and the physical items to arrange separately. The same report object gives
the ``--json`` document (KINDS.md) and the plain text for a worried patient.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import re
import shlex
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from recordpack.classify import find_dates
from recordpack.manifest import Manifest, Mentions, Requirement
from recordpack.model import DUPLICATE, ENCRYPTED, NO_TEXT, UNREADABLE, Record, ScanResult
from recordpack.names import Consensus, find_mismatches

MET: Final = "met"
MISSING: Final = "missing"
OUTDATED: Final = "outdated"
INCOMPLETE: Final = "incomplete"
OPTIONAL_MISSING: Final = "optional_missing"
STATUSES: Final = (MET, MISSING, OUTDATED, INCOMPLETE, OPTIONAL_MISSING)

PATIENT_MISMATCH: Final = "patient_mismatch"
IMAGES_WITHOUT_REPORT: Final = "images_without_report"
REPORT_WITHOUT_IMAGES: Final = "report_without_images"

_UNREAD_CODES: Final = frozenset({ENCRYPTED, UNREADABLE, NO_TEXT, "unsupported"})

#: How far apart (days) an imaging report and its images may be dated.
IMAGING_PAIR_DAYS: Final = 30

#: One record of each kind, in words, for sentences ("no HER2 result found in the ...").
KIND_WORDS: Final[dict[str, str]] = {
    "pathology_report": "pathology report",
    "imaging_study": "set of scan images",
    "imaging_report": "imaging report",
    "lab_result": "lab result",
    "genomic_report": "genomic report",
    "clinical_note": "clinic note",
    "operative_report": "operative report",
    "treatment_plan": "treatment plan",
    "medication_list": "medication list",
    "discharge_summary": "discharge summary",
    "patient_summary": "patient summary",
    "administrative": "administrative paper",
    "other": "other document",
}

#: Plurals that are not the singular plus "s".
KIND_PLURALS: Final[dict[str, str]] = {
    "imaging_study": "sets of scan images",
    "discharge_summary": "discharge summaries",
    "patient_summary": "patient summaries",
}

#: Words a DICOM modality code stands for, so manifests can say "mammogram".
MODALITY_WORDS: Final[dict[str, tuple[str, ...]]] = {
    "CT": ("CT", "computed tomography", "CAT scan"),
    "MR": ("MRI", "magnetic resonance"),
    "PT": ("PET", "positron emission tomography"),
    "MG": ("mammogram", "mammography", "mammographic", "tomosynthesis", "breast"),
    "US": ("ultrasound", "sonography", "sonogram", "ultrasonography", "echography"),
    "NM": ("nuclear medicine", "scintigraphy", "bone scan", "SPECT"),
    "CR": ("X-ray", "radiograph", "radiography", "XR"),
    "DX": ("X-ray", "radiograph", "radiography", "XR"),
    "DR": ("X-ray", "radiograph", "radiography", "XR"),
    "RF": ("fluoroscopy",),
    "XA": ("angiography", "angiogram"),
}

#: Modalities that are images a radiologist reports on (not slides, RT objects, SR...).
_REPORTED_MODALITIES: Final = frozenset(MODALITY_WORDS)


# --------------------------------------------------------------------------- report model


@dataclass(frozen=True)
class Finding:
    """Something found across the folder's records, in plain words."""

    code: str
    paths: tuple[str, ...]
    message: str
    #: True when it should stop the bundle being sent until it is sorted out.
    blocking: bool = False

    def __str__(self) -> str:
        return self.message

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "paths": list(self.paths),
            "message": self.message,
            "blocking": self.blocking,
        }


@dataclass(frozen=True)
class RequirementResult:
    """One requirement's status and the records that meet it."""

    requirement: Requirement
    status: str
    records: tuple[Record, ...] = ()
    #: A plain sentence saying why the status is what it is (empty when obvious).
    detail: str = ""

    @property
    def files(self) -> list[str]:
        return [path for record in self.records for path in record.files]

    @property
    def blocking(self) -> bool:
        return self.requirement.required and self.status != MET

    def to_json(self) -> dict[str, Any]:
        req = self.requirement
        return {
            "id": req.id,
            "title": req.title,
            "kinds": list(req.kinds),
            "status": self.status,
            "files": self.files,
            "why": req.why,
            "how_to_get": req.how_to_get,
            "required": req.required,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class CheckReport:
    """What :func:`check` found; ``ok`` says whether the folder may be sent."""

    manifest: Manifest
    as_of: dt.date
    root: str
    results: tuple[RequirementResult, ...]
    findings: tuple[Finding, ...]
    #: Physical items (slides, blocks) the patient must arrange separately.
    arrange_separately: tuple[Requirement, ...] = ()
    patient_name: str | None = None
    patient_birth_date: str | None = None
    record_count: int = 0
    #: Records of a required kind that could not be opened (encrypted, damaged).
    unopened: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """Every required item met and nothing blocks sending."""
        return not self.blocking

    @property
    def blocking(self) -> list[Finding]:
        """What stops the folder being sent, most serious first, as findings."""
        blockers = [f for f in self.findings if f.blocking and f.code == PATIENT_MISMATCH]
        for result in self.results:
            if result.blocking:
                blockers.append(
                    Finding(
                        code=result.status,
                        paths=tuple(result.files),
                        message=_status_sentence(result),
                        blocking=True,
                    )
                )
        blockers += [f for f in self.findings if f.blocking and f.code != PATIENT_MISMATCH]
        return blockers

    def result(self, requirement_id: str) -> RequirementResult:
        """The result for one requirement id; ``KeyError`` when there is none."""
        for result in self.results:
            if result.requirement.id == requirement_id:
                return result
        raise KeyError(requirement_id)

    def to_json(self) -> dict[str, Any]:
        """The ``check --json`` document of KINDS.md (extra keys are additions only)."""
        return {
            "version": 1,
            "manifest": self.manifest.name,
            "ok": self.ok,
            "requirements": [r.to_json() for r in self.results],
            "findings": [f.to_json() for f in self.findings],
            "arrange_separately": [
                {"id": r.id, "title": r.title, "why": r.why, "how_to_get": r.how_to_get}
                for r in self.arrange_separately
            ],
            "as_of": self.as_of.isoformat(),
            "manifest_title": self.manifest.title,
            "root": self.root,
            "patient": {"name": self.patient_name, "birth_date": self.patient_birth_date},
        }


# --------------------------------------------------------------------------- check


def check(scan: ScanResult, manifest: Manifest, *, as_of: dt.date | None = None) -> CheckReport:
    """Hold what a scan found against a manifest, as of a date (today by default)."""
    as_of = as_of or dt.date.today()
    records = list(scan.records)

    consensus: Consensus = find_mismatches(records)
    foreign = {id(m.record) for m in consensus.mismatches if not m.near}
    bad_files = _unopenable_files(scan)
    unusable = {id(r) for r in records if r.files and all(path in bad_files for path in r.files)}

    results: list[RequirementResult] = []
    physical: list[Requirement] = []
    for requirement in manifest.requirements:
        if requirement.physical:
            physical.append(requirement)
            continue
        results.append(_evaluate(requirement, records, unusable, foreign, bad_files, as_of))

    required_kinds = {k for r in manifest.requirements if r.required for k in r.kinds}
    findings: list[Finding] = []
    for mismatch in consensus.mismatches:
        findings.append(
            Finding(PATIENT_MISMATCH, mismatch.record.files, mismatch.message, blocking=True)
        )
    findings += _problem_findings(scan, records, required_kinds)
    usable_records = [r for r in records if id(r) not in unusable and id(r) not in foreign]
    findings += _imaging_findings(usable_records)

    return CheckReport(
        manifest=manifest,
        as_of=as_of,
        root=scan.root,
        results=tuple(results),
        findings=tuple(findings),
        arrange_separately=tuple(physical),
        patient_name=consensus.name,
        patient_birth_date=consensus.birth_date,
        record_count=len(records),
        unopened=tuple(sorted(bad_files)),
    )


def _evaluate(
    req: Requirement,
    records: Sequence[Record],
    unusable: set[int],
    foreign: set[int],
    bad_files: dict[str, str],
    as_of: dt.date,
) -> RequirementResult:
    candidates = [r for r in records if r.kind in req.kinds]
    usable = [r for r in candidates if id(r) not in unusable and id(r) not in foreign]
    selected = [r for r in usable if _mentions_all(haystack(r), req.matches)]
    absent = MISSING if req.required else OPTIONAL_MISSING

    if not selected:
        notes: list[str] = []
        locked = [r for r in candidates if id(r) in unusable]
        if locked:
            notes.append(
                f"The file {locked[0].files[0]} looks like one but could not be opened "
                f"({bad_files.get(locked[0].files[0], 'damaged')})."
            )
        # Only another patient's record that would have counted is worth naming here.
        if any(id(r) in foreign and _mentions_all(haystack(r), req.matches) for r in candidates):
            notes.append("The one in the folder seems to belong to another patient.")
        if usable and req.matches:
            about = " and ".join(group[0] for group in req.matches)
            notes.append(f"Found {_tally(usable, req.kinds)}, but none mentions {about}.")
        return RequirementResult(req, absent, (), " ".join(notes))

    pool = selected
    if req.max_age_days is not None:
        cutoff = as_of - dt.timedelta(days=req.max_age_days)
        recent = [r for r in selected if (d := _date(r)) is None or d >= cutoff]
        if len(recent) < req.count and len(recent) < len(selected):
            newest = max((d for r in selected if (d := _date(r)) is not None), default=None)
            detail = (
                f"The newest is from {newest.isoformat()}, more than {req.max_age_days} days "
                f"before {as_of.isoformat()}; the specialist needs a more recent one."
                if newest
                else ""
            )
            return RequirementResult(req, OUTDATED, tuple(selected), detail)
        pool = recent

    results_detail = ""
    if req.count_dated_results:
        dated = set().union(
            *(result_dates(haystack(r), req.matches, dayfirst=_dayfirst(r)) for r in pool)
        )
        # Never fewer than the records themselves: two reports are two results.
        have = max(len(pool), len(dated))
        about = req.matches[0][0]
        if have < req.count:
            return RequirementResult(
                req,
                INCOMPLETE,
                tuple(pool),
                f"Only {have} dated {about} result{'' if have == 1 else 's'} found in the "
                f"{_tally(pool, req.kinds, one='')}; at least {req.count} are needed. "
                f"A lab printout listing your past {about} results with their dates counts too.",
            )
        if len(dated) > len(pool):
            results_detail = f"{len(dated)} dated {about} results found, from {dated_span(dated)}."
    elif len(pool) < req.count:
        return RequirementResult(
            req,
            INCOMPLETE,
            tuple(pool),
            f"Only {_tally(pool, req.kinds)} found; at least {req.count} are needed.",
        )

    text = "\n".join(haystack(r) for r in pool)
    lacking = [group for group in req.must_mention if not _mentions_any(text, group)]
    if lacking:
        names = _join([group[0] for group in lacking])
        detail = f"No {names} result found in the {_tally(pool, req.kinds, one='')}."
        blank = [r.files[0] for r in pool if r.files and not r.text.strip()]
        if blank:
            detail += f" The text of {blank[0]} could not be read, so it could not be checked."
        return RequirementResult(req, INCOMPLETE, tuple(pool), detail)

    detail = results_detail
    undated = [r for r in pool if _date(r) is None]
    if req.max_age_days is not None and undated and undated[0].files:
        detail = f"The date of {undated[0].files[0]} could not be read: check that it is recent."
    return RequirementResult(req, MET, tuple(pool), detail)


# --------------------------------------------------------------------------- text matching


def haystack(record: Record) -> str:
    """The text a manifest's words are looked for in: title, text, study descriptions."""
    parts = [record.title, record.text]
    study = record.study
    if study is not None:
        parts.append(study.description or "")
        parts += [s.description or "" for s in study.series]
        for modality in study.modalities:
            parts += MODALITY_WORDS.get(modality, ())
    return "\n".join(p for p in parts if p)


@functools.lru_cache(maxsize=1024)
def _pattern(alternative: str) -> re.Pattern[str]:
    """Whole-word, case-insensitive; a space or hyphen also matches the other or nothing.

    ``HER2`` matches ``HER-2`` and ``her 2``; ``PD-L1`` matches ``PDL1``;
    a trailing ``*`` matches any word ending (``cytogenetic*``).
    """
    body: list[str] = []
    for token in re.split(r"(\s+|-|\*)", alternative.strip()):
        if not token:
            continue
        if token.isspace():
            body.append(r"[\s\-_/]+")
        elif token == "-":
            body.append(r"[\s\-]?")
        elif token == "*":
            body.append(r"[A-Za-z0-9]*")
        else:
            # Between letters and digits, writers add a hyphen or a space or nothing.
            pieces = re.split(r"(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])", token)
            body.append(r"[\s\-]?".join(re.escape(p) for p in pieces))
    return re.compile(r"(?<![A-Za-z0-9])" + "".join(body) + r"(?![A-Za-z0-9])", re.IGNORECASE)


def _mentions_any(text: str, alternatives: Iterable[str]) -> bool:
    return any(_pattern(a).search(text) for a in alternatives)


def _mentions_all(text: str, groups: Mentions) -> bool:
    return all(_mentions_any(text, group) for group in groups)


# --------------------------------------------------------------------------- dated results

#: Date labels a result's own date may carry (see classify's label table):
#: none (20), a bare "Date" column (40), collected/drawn/test date (90),
#: date of service (100). Birth, print, report, received and admission dates
#: describe the paper, not one result, and are never counted.
_RESULT_DATE_PRIORITIES: Final = frozenset({20, 40, 90, 100})

#: A value in a results row: 4.1, <0.1, 12 (not a piece of 03/02/2025).
_VALUE: Final = re.compile(r"(?<![\w/.\-])\d+(?:\.\d+)?(?![\w/\-]|\.\d)")

#: How many lines above a test's row a table's header row of dates may be.
_HEADER_LINES: Final = 6


def _dayfirst(record: Record) -> bool | None:
    """How the record's dates read when scan (or its folder) decided; None: from the text."""
    return {"day_first": True, "month_first": False}.get(record.date_order or "")


def result_dates(text: str, terms: Mentions, *, dayfirst: bool | None = None) -> set[dt.date]:
    """Distinct dates written next to a test's name in ``text``: its dated results.

    A cumulative lab printout lists one test on several dates, in one of three
    layouts: on the test's own line ("PSA  03/02/2025 4.1  09/15/2025 5.6"),
    in rows under it ("PSA (ng/mL)" then "03/02/2025  4.1" per line), or in
    a table whose header row holds the dates and whose test row the values.
    Only those places count, so a single result's collection and report dates
    elsewhere on the page are not taken for a history. ``dayfirst`` None reads
    ambiguous dates as the text itself shows (:func:`recordpack.classify.find_dates`).
    """
    if not text or not terms:
        return set()
    every = find_dates(text, dayfirst=dayfirst)
    found = [d for d in every if d.priority in _RESULT_DATE_PRIORITIES]
    if not found:
        return set()
    lines = text.split("\n")
    starts: list[int] = []
    pos = 0
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1

    def line_of(offset: int) -> int:
        return bisect.bisect_right(starts, offset) - 1

    by_line: dict[int, list[dt.date]] = {}
    for d in found:
        by_line.setdefault(line_of(d.pos), []).append(d.value)
    dates_on_line: dict[int, int] = {}
    for d in every:
        dates_on_line[line_of(d.pos)] = dates_on_line.get(line_of(d.pos), 0) + 1
    row_starts = {d.pos for d in found}

    def starts_with_date(index: int) -> bool:
        line = lines[index]
        return starts[index] + len(line) - len(line.lstrip()) in row_starts

    rows: set[int] = set()
    alternatives = [a for group in terms for a in group]
    for index, line in enumerate(lines):
        if not _mentions_any(line, alternatives):
            continue
        rows.add(index)
        # Rows under the test's name: dated lines, past any heading without figures.
        below = index + 1
        while below < len(lines) and lines[below].strip():
            if starts_with_date(below):
                rows.add(below)
            elif any(ch.isdigit() for ch in lines[below]):
                break
            below += 1
        # A table: the dates head the columns, the test's row holds the values.
        if len(_VALUE.findall(line)) >= 2:
            above = index - 1
            while above >= max(0, index - _HEADER_LINES) and lines[above].strip():
                if dates_on_line.get(above, 0) >= 2:
                    rows.add(above)
                    break
                above -= 1
    return {value for index in rows for value in by_line.get(index, ())}


def dated_span(dates: Iterable[dt.date]) -> str:
    """``2025-03-02 to 2026-03-10``: the first and last of some dates."""
    ordered = sorted(dates)
    if len(ordered) == 1:
        return ordered[0].isoformat()
    return f"{ordered[0].isoformat()} to {ordered[-1].isoformat()}"


# --------------------------------------------------------------------------- findings


def _unopenable_files(scan: ScanResult) -> dict[str, str]:
    """Files that cannot be opened at all, with the reason in a word or two."""
    bad: dict[str, str] = {}
    for problem in scan.problems:
        if problem.code in (ENCRYPTED, UNREADABLE):
            reason = "password-protected" if problem.code == ENCRYPTED else "damaged or unreadable"
            for path in (problem.path, *problem.paths):
                bad[path] = reason
    return bad


def _lower_first(text: str) -> str:
    """'The file is empty' -> 'the file is empty' (not 'PDF ends early')."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def _problem_findings(
    scan: ScanResult, records: Sequence[Record], required_kinds: set[str]
) -> list[Finding]:
    kind_of = {path: r.kind for r in records for path in r.files}
    findings: list[Finding] = []
    for problem in scan.problems:
        path = problem.path
        paths = tuple(dict.fromkeys((path, *problem.paths)))
        hint = f" {problem.hint}" if problem.hint else ""
        blocking = False
        if problem.code == DUPLICATE:
            twin = problem.duplicate_of
            if twin:
                paths = tuple(dict.fromkeys((*paths, twin)))
                message = f"{path} is an exact copy of {twin}; one copy is enough."
            else:
                message = f"{path} is an exact copy of another file; one copy is enough."
        elif problem.code == ENCRYPTED:
            # The scanner's hint is the specific advice; say one thing once.
            message = f"{path} is password-protected, so the specialist could not open it." + (
                hint
                or " Ask for a copy without a password, or open it yourself and save it as a new PDF."
            )
            hint = ""
            blocking = kind_of.get(path) in required_kinds
        elif problem.code == UNREADABLE:
            reason = problem.message.rstrip(".")
            reason = f". {reason}" if ":" in reason else f": {_lower_first(reason)}"
            message = f"{path} could not be read{reason}." + (
                hint or " Ask for a new copy, or copy it again from the disc or download."
            )
            hint = ""
            blocking = kind_of.get(path) in required_kinds
        elif problem.code == NO_TEXT:
            message = (
                f"{path} is a picture of a page (a scan or a photo) whose words could not be "
                "read, so recordpack could not check what it says. The specialist can still "
                "look at it; a clearer copy or the original PDF would be better."
            )
        else:
            message = f"{path}: {problem.message}.{hint}".replace("..", ".")
            hint = ""
        if hint and problem.code != DUPLICATE:
            message += hint
        findings.append(Finding(problem.code, paths, message, blocking=blocking))
    return findings


def _study_modalities(record: Record) -> set[str]:
    if record.study is None:
        return set()
    return set(record.study.modalities) & _REPORTED_MODALITIES


def _report_modalities(record: Record) -> set[str]:
    text = haystack(record)
    return {code for code, words in MODALITY_WORDS.items() if _mentions_any(text, words)}


def _pairs(study: Record, report: Record, report_modalities: set[str]) -> bool:
    modalities = _study_modalities(study)
    if report_modalities and modalities and not (modalities & report_modalities):
        return False
    ds, dr = _date(study), _date(report)
    if ds is None or dr is None:
        return True
    return abs((ds - dr).days) <= IMAGING_PAIR_DAYS


def _imaging_findings(records: Sequence[Record]) -> list[Finding]:
    """Scans with no written report, and reports whose images are not in the folder."""
    studies = [r for r in records if r.kind == "imaging_study" and _study_modalities(r)]
    reports = [r for r in records if r.kind == "imaging_report"]
    report_modalities = {id(r): _report_modalities(r) for r in reports}
    findings: list[Finding] = []
    for study in studies:
        if any(_pairs(study, report, report_modalities[id(report)]) for report in reports):
            continue
        what = _study_words(study)
        findings.append(
            Finding(
                IMAGES_WITHOUT_REPORT,
                study.files,
                f"The {what} ({_first_file(study)}) have no written report in the folder. "
                "Ask the radiology department for the radiologist's report of this scan.",
            )
        )
    for report in reports:
        if any(_pairs(study, report, report_modalities[id(report)]) for study in studies):
            continue
        when = f" from {report.date}" if report.date else ""
        findings.append(
            Finding(
                REPORT_WITHOUT_IMAGES,
                report.files,
                f"{_first_file(report)} is an imaging report{when}, but its images are not in "
                "the folder. If you can, ask the radiology department for the images on a disc.",
            )
        )
    return findings


# --------------------------------------------------------------------------- words


def _date(record: Record) -> dt.date | None:
    if not record.date:
        return None
    try:
        return dt.date.fromisoformat(record.date[:10])
    except ValueError:
        return None


def _kind_noun(kind: str, n: int) -> str:
    """A kind in words, singular or plural to agree with ``n``: ``2 sets of scan images``."""
    singular = KIND_WORDS.get(kind, kind.replace("_", " "))
    if n == 1:
        return singular
    return KIND_PLURALS.get(kind, singular + "s")


def _tally(records: Sequence[Record], kinds: Sequence[str], *, one: str = "1 ") -> str:
    """How many records of each kind: ``1 imaging report and 2 sets of scan images``.

    ``one`` is what a count of one reads as ("" after "the": ``the pathology report``).
    """
    counts = {kind: sum(1 for r in records if r.kind == kind) for kind in kinds}
    parts = [(one if n == 1 else f"{n} ") + _kind_noun(kind, n) for kind, n in counts.items() if n]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _join(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]


def _first_file(record: Record) -> str:
    if not record.files:
        return record.title
    if len(record.files) == 1:
        return record.files[0]
    more = len(record.files) - 1
    return f"{record.files[0]} and {more} more file{'s' if more > 1 else ''}"


def _study_words(record: Record) -> str:
    study = record.study
    names = sorted(_study_modalities(record))
    what = "/".join(MODALITY_WORDS[m][0] for m in names) or "scan"
    desc = f" '{study.description}'" if study is not None and study.description else ""
    when = f" from {record.date}" if record.date else ""
    return f"{what}{desc} images{when}"


def _status_sentence(result: RequirementResult) -> str:
    title = result.requirement.title
    label = {
        MISSING: "Missing",
        OUTDATED: "Out of date",
        INCOMPLETE: "Incomplete",
        OPTIONAL_MISSING: "Not found (optional)",
        MET: "Here",
    }[result.status]
    text = f"{label}: {title}."
    if result.detail:
        text += " " + result.detail
    return text


# --------------------------------------------------------------------------- human report


def render_check(report: CheckReport) -> str:
    """The plain report for a patient: what blocks first, then the good news, then the rest."""
    out: list[str] = []
    m = report.manifest
    out.append(f'Checked {report.root} against "{m.title}" ({m.name}), as of {report.as_of}.')
    if report.patient_name or report.patient_birth_date:
        who = report.patient_name or "the patient"
        born = f", born {report.patient_birth_date}" if report.patient_birth_date else ""
        out.append(f"The records are about {who}{born}.")
    out.append("")

    mismatches = [f for f in report.findings if f.code == PATIENT_MISMATCH]
    needs = [r for r in report.results if r.blocking]
    other_blockers = [f for f in report.findings if f.blocking and f.code != PATIENT_MISMATCH]
    problems = len(mismatches) + len(needs) + len(other_blockers)

    if report.ok:
        out.append("READY TO SEND: everything the specialist asked for is here.")
    else:
        things = "thing needs" if problems == 1 else "things need"
        out.append(f"NOT READY TO SEND YET: {problems} {things} your attention first.")
    out.append("")

    number = 0
    for finding in mismatches:
        number += 1
        out.append(f"{number}. A record that may not be yours")
        out += _indent(finding.message)
        out.append("")
    for result in needs:
        number += 1
        label = {MISSING: "Missing", OUTDATED: "Out of date", INCOMPLETE: "Incomplete"}.get(
            result.status, result.status
        )
        out.append(f"{number}. {label}: {result.requirement.title}")
        if result.detail:
            out += _indent(result.detail)
        if result.status == MISSING and len(needs) <= 3:
            # With many gaps, the reasons make the list too long to act on.
            out += _indent(f"Why it matters: {result.requirement.why}")
        out += _indent(f"How to get it: {result.requirement.how_to_get}")
        out.append("")
    for finding in other_blockers:
        number += 1
        out.append(f"{number}. A file that cannot be opened")
        out += _indent(finding.message)
        out.append("")

    met = [r for r in report.results if r.status == MET]
    if met:
        out.append("Already here:")
        for result in met:
            out.append(f"  - {result.requirement.title}: {_records_phrase(result.records)}")
            if result.detail:
                out += _indent(result.detail, 6)
        out.append("")

    soft = [r for r in report.results if not r.requirement.required and r.status != MET]
    if soft:
        out.append("Optional, not found (send them if you have them):")
        for result in soft:
            note = f" ({result.detail.rstrip('.')})" if result.detail else ""
            out.append(f"  - {result.requirement.title}{note}")
        out.append("")

    if report.arrange_separately:
        out.append("To arrange separately (these cannot go in a folder):")
        for requirement in report.arrange_separately:
            out.append(f"  - {requirement.title}")
            out += _indent(requirement.how_to_get, 6)
        out.append("")

    smaller = [f for f in report.findings if not f.blocking]
    if smaller:
        out.append("Smaller things worth a look:")
        for finding in smaller:
            out += _indent(finding.message, 4, first="  - ")
        out.append("")

    out.append("What to do next:")
    steps: list[str] = []
    if mismatches:
        steps.append("Check the record(s) that may belong to someone else, and take them out.")
    if needs:
        steps.append(
            "Ask for the records listed above (each one says how), put them in the folder, "
            "and run this check again: "
            + _command("recordpack", "check", str(report.root), "-m", m.name)
        )
    if other_blockers:
        steps.append("Replace the files that cannot be opened with good copies.")
    unread = [f for f in report.findings if f.code in _UNREAD_CODES and not f.blocking]
    if needs and unread:
        steps.append(
            "Some files could not be read (see above); one of them may be a record listed "
            "as missing. Replace them with readable copies (a PDF is best)."
        )
    if report.ok:
        steps.append(
            "Pack the folder for the specialist: "
            + _command("recordpack", "pack", str(report.root))
        )
    if report.arrange_separately:
        steps.append("Ask the specialist's office how to send the slides and tissue blocks.")
    for index, step in enumerate(steps, 1):
        out += _indent(step, 5, first=f"  {index}. ")
    return "\n".join(out).rstrip() + "\n"


def _records_phrase(records: Sequence[Record]) -> str:
    shown = [_first_file(r) for r in records[:3]]
    more = f" and {len(records) - 3} more" if len(records) > 3 else ""
    return ", ".join(shown) + more


#: Stands for a space that wrapping must not break (inside a command to copy).
_KEEP_SPACE: Final = "\x00"


def _command(*words: str) -> str:
    """A shell command to copy: quoted where needed, never split across lines."""
    return " ".join(shlex.quote(w) for w in words).replace(" ", _KEEP_SPACE)


def _indent(text: str, width: int = 3, first: str | None = None) -> list[str]:
    """Wrap a paragraph at 78 columns with a hanging indent."""
    lead = first if first is not None else " " * width
    lines = textwrap.wrap(
        text,
        width=78,
        initial_indent=lead,
        subsequent_indent=" " * max(width, len(lead)),
        break_on_hyphens=False,
        break_long_words=False,
    )
    return [line.replace(_KEEP_SPACE, " ") for line in lines]
