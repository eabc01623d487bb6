"""Records-request letters as data: what to ask for, from whom, on what legal basis.

:func:`plan_requests` turns a check report into :class:`RequestItem`\\ s (each
required record found missing, outdated or incomplete; each imaging report
whose images are not in the folder and each scan without its report), works
out who most likely holds each one from the records themselves
(:mod:`recordpack.request.holders`), and groups them into one :class:`Letter`
per institution, plus a release request for slides and blocks when the
manifest lists physical items. :func:`compose` gives a letter's words as
blocks that the text and PDF renderers lay out.

Letters are templates the patient reads, corrects and signs; they state facts
(the law's name and deadline), never legal advice.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final

from recordpack.check_words import KIND_PLURALS, KIND_WORDS
from recordpack.checking import (  # the same content matching as check's
    MODALITY_WORDS,
    CheckReport,
    RequirementResult,
    _mentions_any,
    exam_fields,
    haystack,
)
from recordpack.classify.letters import OWN_LETTER_LINE, is_request_letter
from recordpack.findings import (
    IMAGES_WITHOUT_REPORT,
    INCOMPLETE,
    MISSING,
    OUTDATED,
    PATIENT_MISMATCH,
    REPORT_WITHOUT_IMAGES,
)
from recordpack.manifest import Requirement
from recordpack.model import Record, ScanResult
from recordpack.request.holders import Holder, Issuers, mentioned_case_numbers
from recordpack.request.jurisdiction import Jurisdiction

#: Statuses of a required record that a letter asks for.
REQUESTED_STATUSES: Final = (MISSING, OUTDATED, INCOMPLETE)

#: Item reasons beyond check's statuses.
IMAGES_MISSING: Final = "images_missing"
REPORT_MISSING: Final = "report_missing"
PHYSICAL: Final = "physical"

RECORDS_LETTER: Final = "records"
SLIDES_LETTER: Final = "slides"

#: What to ask for, per kind, in the patient's own words to the holder.
ASK_WORDS: Final[dict[str, str]] = {
    "pathology_report": "all pathology reports (biopsy and surgical pathology), with every "
    "addendum and all special-stain, receptor and other ancillary results",
    "imaging_report": "the radiologist's written reports of my imaging exams",
    "imaging_study": "the images of my imaging exams",
    "lab_result": "my laboratory (blood test) results",
    "genomic_report": "the reports of any genomic, molecular or genetic tests",
    "clinical_note": "the notes of my clinic visits (consultation and follow-up notes)",
    "operative_report": "the operative and procedure reports",
    "treatment_plan": "my treatment plans and treatment summaries (chemotherapy, radiation "
    "and other treatment)",
    "medication_list": "my current medication and allergy list",
    "discharge_summary": "my hospital discharge summaries",
    "patient_summary": "a summary of my health record",
    "administrative": "the administrative papers about my care",
    "other": "the other documents about my care",
}

#: A missing kind is most likely held by whoever issued a record of these kinds
#: (the hospital where the operation was done holds the pathology of its tissue).
RELATED_KINDS: Final[dict[str, tuple[str, ...]]] = {
    # Not a genomic report: the genomics lab tested a block sent to it; its report
    # names where the specimen came from, which holders.mentions reads.
    "pathology_report": ("operative_report", "discharge_summary"),
    "imaging_report": ("imaging_study",),
    "imaging_study": ("imaging_report",),
    "lab_result": ("clinical_note", "treatment_plan"),
    "clinical_note": ("treatment_plan", "medication_list", "clinical_note"),
    "medication_list": ("clinical_note", "treatment_plan"),
    "patient_summary": ("clinical_note", "discharge_summary"),
    "treatment_plan": ("clinical_note",),
    "operative_report": ("discharge_summary", "pathology_report"),
    "discharge_summary": ("operative_report",),
    "genomic_report": ("clinical_note",),
}

#: What a slides-and-blocks release asks the pathology department to ship.
SLIDES_TO_SHIP: Final[tuple[str, ...]] = (
    "all glass slides of the case(s), stained with H&E",
    (
        "all special stains and immunohistochemistry slides (for example ER, PR, HER2, Ki-67, "
        "PD-L1), and any recuts"
    ),
    (
        "the representative paraffin tissue block(s), or unstained slides cut from them if your "
        "policy is to keep the blocks"
    ),
    "a copy of the pathology report(s) of the case(s)",
)

@dataclass(frozen=True)
class RequestItem:
    """One thing to ask for, with who most likely holds it and why recordpack thinks so."""

    #: Stable for tracking: ``req:<requirement id>``, ``images:<report path>``,
    #: ``report:<first image path>`` or ``physical:<requirement id>``.
    key: str
    reason: str
    #: What to ask for, in the patient's words.
    what: str
    #: Dates and identifiers ("dated 2025-04-09", "accession NM7741").
    details: tuple[str, ...]
    holder: Holder | None
    #: Why this holder, for the patient to judge ("" when no holder is known).
    because: str = ""
    requirement_id: str | None = None
    imaging: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "reason": self.reason,
            "requirement": self.requirement_id,
            "what": self.what,
            "details": list(self.details),
            "holder": self.holder.name if self.holder else None,
            "because": self.because,
        }


@dataclass(frozen=True)
class Letter:
    """One letter: to one institution (or to a blank addressee), about one patient."""

    id: str
    kind: str  # RECORDS_LETTER or SLIDES_LETTER
    holder: Holder | None
    items: tuple[RequestItem, ...]
    patient_name: str | None
    birth_date: str | None
    jurisdiction: Jurisdiction
    dated: dt.date
    send_to: str | None = None
    #: Pathology case numbers (slides releases).
    case_numbers: tuple[str, ...] = ()

    @property
    def addressee(self) -> str | None:
        return self.holder.name if self.holder else None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "addressee": self.addressee,
            "department": self.holder.department if self.holder else None,
            "record_number": self.holder.record_number if self.holder else None,
            "holder_sources": list(self.holder.sources) if self.holder else [],
            "patient": {"name": self.patient_name, "birth_date": self.birth_date},
            "items": [item.to_json() for item in self.items],
            "case_numbers": list(self.case_numbers),
            "send_to": self.send_to,
            "jurisdiction": self.jurisdiction.code,
            "legal_basis": self.jurisdiction.law if self.kind == RECORDS_LETTER else None,
            "deadline": self.jurisdiction.deadline_words if self.kind == RECORDS_LETTER else None,
            "dated": self.dated.isoformat(),
        }


# --------------------------------------------------------------------------- planning


def _record_by_path(scan: ScanResult) -> dict[str, Record]:
    return {path: record for record in scan.records for path in record.files}


def _exam_words(record: Record) -> str:
    """What the exam was, as the report or the images' header name it."""
    if record.study is not None:
        modalities = "/".join(record.study.modalities)
        description = record.study.description or ""
        return " ".join(part for part in (modalities, description) if part) or record.title
    fields = exam_fields(record.text)
    if fields:
        return " ".join(fields[0].split())
    named = [
        words[0] for code, words in MODALITY_WORDS.items() if _mentions_any(record.text, words)
    ]
    return "/".join(dict.fromkeys(named)) or "imaging"


def _identifiers(record: Record, issuers: Issuers) -> tuple[str, ...]:
    details = [f"dated {record.date}"] if record.date else []
    numbers = issuers.case_numbers(record)
    if record.study is not None and record.study.accession_number:
        numbers = tuple(dict.fromkeys((record.study.accession_number, *numbers)))
    label = "accession" if record.kind in ("imaging_study", "imaging_report") else "case"
    details += [f"{label} {number}" for number in numbers[:3]]
    return tuple(details)


def _because(holder: Holder, kind: str) -> str:
    """Why a holder was chosen: "the operative report Surgery/op.pdf was issued by X"."""
    noun = KIND_WORDS.get(kind, kind.replace("_", " "))
    sources = holder.sources[:2]
    if len(sources) > 1:
        noun = KIND_PLURALS.get(kind, noun + "s")
    verb = "was" if len(sources) == 1 else "were"
    return f"the {noun} {' and '.join(sources)} {verb} issued by {holder.name}"


def _ask_words(requirement: Requirement) -> str:
    kind = requirement.kinds[0] if requirement.kinds else "other"
    words = ASK_WORDS.get(kind, requirement.title)
    if {"imaging_report", "imaging_study"} <= set(requirement.kinds):
        words = "the images and the radiologist's written reports of my imaging exams"
    if requirement.matches:
        words += " (" + ", ".join(group[0] for group in requirement.matches) + ")"
    return words


def _requirement_details(
    result: RequirementResult, records: Sequence[Record], as_of: dt.date
) -> tuple[str, ...]:
    requirement = result.requirement
    details: list[str] = []
    dates = sorted(r.date for r in result.records if r.date)
    if result.status == OUTDATED and dates:
        details.append(f"everything dated after {dates[-1]}, the newest I have")
    elif requirement.max_age_days is not None:
        since = as_of - dt.timedelta(days=requirement.max_age_days)
        details.append(f"everything from {since.isoformat()} to today")
    if result.status == MISSING and "pathology_report" in requirement.kinds:
        # A note quoting the case number ("surgical pathology case KB26-01977").
        numbers = [n for r in records for n in mentioned_case_numbers(r.text, "pathology_report")]
        details += [f"case {n}" for n in dict.fromkeys(numbers)][:3]
    if result.status == INCOMPLETE:
        text = "\n".join(haystack(r) for r in result.records)
        lacking = [g[0] for g in requirement.must_mention if not _mentions_any(text, g)]
        if lacking:
            details.append("including the results for " + ", ".join(lacking))
        elif requirement.count > 1:
            details.append(f"at least {requirement.count} of them")
    return tuple(details)


def _record_items(
    report: CheckReport, scan: ScanResult, issuers: Issuers
) -> tuple[list[RequestItem], set[str]]:
    """Items for single records: images of a report, the report of a scan."""
    by_path = _record_by_path(scan)
    items: list[RequestItem] = []
    kinds_covered: set[str] = set()
    for finding in report.findings:
        if finding.code not in (REPORT_WITHOUT_IMAGES, IMAGES_WITHOUT_REPORT) or not finding.paths:
            continue
        record = by_path.get(finding.paths[0])
        if record is None:
            continue
        issued = issuers.of(record)
        holder = issuers.holder([record]) if issued else None
        exam = _exam_words(record)
        if finding.code == REPORT_WITHOUT_IMAGES:
            key, reason, missing_kind = f"images:{record.files[0]}", IMAGES_MISSING, "imaging_study"
            what = f"the images of my {exam} exam"
            because = f"the report {record.files[0]} was issued by {holder.name}" if holder else ""
        else:
            key, reason, missing_kind = (
                f"report:{record.files[0]}",
                REPORT_MISSING,
                "imaging_report",
            )
            what = f"the radiologist's written report of my {exam} exam"
            because = (
                f"the images' DICOM header ({record.files[0]}) names {holder.name}"
                if holder
                else ""
            )
        kinds_covered.add(missing_kind)
        items.append(
            RequestItem(
                key=key,
                reason=reason,
                what=what,
                details=_identifiers(record, issuers),
                holder=holder,
                because=because,
                imaging=True,
            )
        )
    return items, kinds_covered


def _requirement_items(
    report: CheckReport, scan: ScanResult, issuers: Issuers, covered: set[str]
) -> list[RequestItem]:
    items: list[RequestItem] = []
    for result in report.results:
        requirement = result.requirement
        if not requirement.required or result.status not in REQUESTED_STATUSES:
            continue
        kinds = set(requirement.kinds)
        # Images and reports asked for one exam at a time already cover this.
        if result.status == MISSING and kinds and kinds <= covered:
            continue
        holder: Holder | None
        because = ""
        if result.records:
            holder = issuers.holder(result.records)
            if holder:
                because = _because(holder, result.records[0].kind)
        else:
            holder, because = _holder_of_missing(requirement.kinds, scan, issuers)
        items.append(
            RequestItem(
                key=f"req:{requirement.id}",
                reason=result.status,
                what=_ask_words(requirement),
                details=_requirement_details(result, scan.records, report.as_of),
                holder=holder,
                because=because,
                requirement_id=requirement.id,
                imaging=bool(kinds & {"imaging_study"}),
            )
        )
    return items


def _holder_of_missing(
    kinds: Sequence[str], scan: ScanResult, issuers: Issuers
) -> tuple[Holder | None, str]:
    """Who most likely holds a record of ``kinds`` the folder lacks, and why."""
    for kind in kinds:
        for related_kind in RELATED_KINDS.get(kind, ()):
            related = [r for r in scan.records if r.kind == related_kind]
            holder = issuers.holder(related)
            if holder:
                return holder, _because(holder, related_kind)
    for kind in kinds:
        holder = issuers.mentioned(kind, scan.records)
        if holder:
            sources = ", ".join(holder.sources[:2])
            return holder, f"{sources} names {holder.name} where it speaks of this"
    holder = issuers.sole_institution()
    if holder:
        return holder, f"{holder.name} is the only institution your records name"
    return None, ""


def patients_own(scan: ScanResult, report: CheckReport) -> ScanResult:
    """The scan without the records check found to be another patient's, nor letters
    asking for records.

    Another patient's institution, record number and case numbers must never go
    into this patient's letters; a request letter's addressee holds nothing
    because a letter was written to it.
    """
    foreign = {p for f in report.findings if f.code == PATIENT_MISMATCH for p in f.paths}
    own = tuple(
        r
        for r in scan.records
        if not foreign.intersection(r.files) and not is_request_letter(r.evidence)
    )
    return scan if len(own) == len(scan.records) else replace(scan, records=own)


def plan_items(root: Path, scan: ScanResult, report: CheckReport) -> list[RequestItem]:
    """Every record to ask for, each with its most likely holder (None when unknown)."""
    scan = patients_own(scan, report)
    issuers = Issuers(root, scan.records)
    record_items, covered = _record_items(report, scan, issuers)
    return _requirement_items(report, scan, issuers, covered) + record_items


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")
    return slug[:50].strip("-") or "unknown"


def _slides_letters(
    root: Path, scan: ScanResult, report: CheckReport
) -> list[tuple[Holder | None, tuple[str, ...], str]]:
    """(holder, case numbers, why that holder) for each slides release to write."""
    if not report.arrange_separately:
        return []
    issuers = Issuers(root, scan.records)
    pathology = sorted(
        (r for r in scan.records if r.kind == "pathology_report"), key=lambda r: r.date or ""
    )
    groups: dict[str | None, list[Record]] = defaultdict(list)
    for record in pathology:
        issued = issuers.of(record)
        groups[issued.key if issued else None].append(record)
    if not groups:
        holder, because = _holder_of_missing(("pathology_report",), scan, issuers)
        quoted = [
            n for r in scan.records for n in mentioned_case_numbers(r.text, "pathology_report")
        ]
        return [(holder, tuple(dict.fromkeys(quoted)), because)]
    out: list[tuple[Holder | None, tuple[str, ...], str]] = []
    for key, records in groups.items():
        holder = issuers.holder(records) if key is not None else None
        numbers: list[str] = []
        for record in records:
            numbers += issuers.case_numbers(record)
        because = _because(holder, "pathology_report") if holder else ""
        out.append((holder, tuple(dict.fromkeys(numbers)), because))
    return out


def plan_requests(
    root: Path,
    scan: ScanResult,
    report: CheckReport,
    *,
    jurisdiction: Jurisdiction,
    send_to: str | None = None,
    today: dt.date | None = None,
) -> list[Letter]:
    """The letters a check report calls for: one per holder, then slides releases."""
    today = today or dt.date.today()
    scan = patients_own(scan, report)
    items = plan_items(root, scan, report)
    grouped: dict[str | None, list[RequestItem]] = defaultdict(list)
    holders: dict[str | None, Holder | None] = {}
    for item in items:
        key = item.holder.key if item.holder else None
        grouped[key].append(item)
        holders.setdefault(key, item.holder)
    letters: list[Letter] = []
    used: set[str] = set()

    def unique(stem: str) -> str:
        name, n = stem, 2
        while name in used:
            name, n = f"{stem}-{n}", n + 1
        used.add(name)
        return name

    # Known holders first, in the order their items came; the blank addressee last.
    for key in sorted(grouped, key=lambda k: k is None):
        holder = holders[key]
        letters.append(
            Letter(
                id=unique("request-" + (_slug(holder.name) if holder else "holder-unknown")),
                kind=RECORDS_LETTER,
                holder=holder,
                items=tuple(grouped[key]),
                patient_name=report.patient_name,
                birth_date=report.patient_birth_date,
                jurisdiction=jurisdiction,
                dated=today,
                send_to=send_to,
            )
        )
    for holder, numbers, because in _slides_letters(root, scan, report):
        slides_items = tuple(
            RequestItem(
                key=f"physical:{requirement.id}",
                reason=PHYSICAL,
                what=requirement.title,
                details=tuple(f"case {n}" for n in numbers),
                holder=holder,
                because=because,
                requirement_id=requirement.id,
            )
            for requirement in report.arrange_separately
        )
        letters.append(
            Letter(
                id=unique("slides-release-" + (_slug(holder.name) if holder else "holder-unknown")),
                kind=SLIDES_LETTER,
                holder=holder,
                items=slides_items,
                patient_name=report.patient_name,
                birth_date=report.patient_birth_date,
                jurisdiction=jurisdiction,
                dated=today,
                send_to=send_to,
                case_numbers=numbers,
            )
        )
    return letters


# --------------------------------------------------------------------------- words


BLANK: Final = "_" * 32


@dataclass(frozen=True)
class Block:
    """One part of a letter: a heading, a paragraph, a numbered list or labelled fields."""

    style: str  # "heading", "paragraph", "list", "fields", "signature", "footer"
    lines: tuple[str, ...] = ()
    fields: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class LetterText:
    """A letter's words, in order, for the renderers to lay out."""

    title: str
    blocks: tuple[Block, ...] = field(default=())


def _addressee_block(letter: Letter) -> Block:
    if letter.holder is None:
        return Block("fields", fields=(("To", BLANK), ("", BLANK), ("", BLANK)))
    department = letter.holder.department or (
        "Pathology Department" if letter.kind == SLIDES_LETTER else "Medical Records"
    )
    return Block("fields", fields=(("To", letter.holder.name), ("", department)))


def _patient_block(letter: Letter) -> Block:
    number = letter.holder.record_number if letter.holder else None
    fields = [
        ("Patient", letter.patient_name or BLANK),
        ("Date of birth", letter.birth_date or BLANK),
        ("Record number at your institution", number or BLANK),
    ]
    if letter.kind == SLIDES_LETTER:
        fields.append(
            ("Pathology case number(s)", ", ".join(letter.case_numbers) or BLANK),
        )
    return Block("fields", fields=tuple(fields))


def _item_line(item: RequestItem) -> str:
    details = f" ({'; '.join(item.details)})" if item.details else ""
    return item.what[:1].upper() + item.what[1:] + details + "."


def _signature(letter: Letter) -> Block:
    return Block(
        "signature",
        fields=(
            ("Signature", BLANK),
            ("Name", letter.patient_name or BLANK),
            ("Date", BLANK),
            ("Address", BLANK),
            ("Phone or email", BLANK),
        ),
    )


def _records_letter(letter: Letter) -> LetterText:
    law = letter.jurisdiction
    blocks = [
        Block("paragraph", (letter.dated.strftime("%d %B %Y").lstrip("0"),)),
        _addressee_block(letter),
        Block("heading", ("Request for a copy of my medical records",)),
        _patient_block(letter),
        Block(
            "paragraph",
            (
                (
                    f"Under {law.right}, granted by {law.law}, I ask for a copy of the following "
                    "records:"
                ),
            ),
        ),
        Block("list", tuple(_item_line(item) for item in letter.items)),
    ]
    formats = ["Please send an electronic copy (PDF or a secure download) of the documents."]
    if any(item.imaging for item in letter.items):
        formats.append(
            "Please send the imaging on a disc (CD or DVD) or as a download, in DICOM format, "
            "together with the radiologist's written reports."
        )
    blocks.append(Block("heading", ("Format",)))
    blocks.append(Block("paragraph", (" ".join(formats),)))
    blocks.append(Block("heading", ("Where to send them",)))
    if letter.send_to:
        blocks.append(Block("paragraph", (law.third_party,)))
        blocks.append(Block("fields", fields=(("Send to", letter.send_to),)))
    else:
        blocks.append(Block("paragraph", ("Please send them to me, at the address below.",)))
    blocks.append(Block("heading", ("Legal basis and deadline",)))
    deadline = (
        f"{law.law[:1].upper() + law.law[1:]} gives you "
        f"{law.deadline_words} from receiving this request to give me access"
    )
    if law.extension:
        deadline += f" ({law.extension})"
    deadline += f". The law allows {law.fee}; please tell me before charging any fee."
    blocks.append(Block("paragraph", (deadline,)))
    blocks.append(
        Block(
            "paragraph",
            (
                (
                    "If you do not hold some of these records, please tell me who does. If you "
                    "need anything more from me to process this request, please contact me."
                ),
            ),
        )
    )
    blocks.append(Block("paragraph", ("Sincerely,",)))
    blocks.append(_signature(letter))
    return LetterText("Request for a copy of medical records", tuple(blocks))


def _slides_letter(letter: Letter) -> LetterText:
    who = letter.patient_name or "the patient named above"
    blocks = [
        Block("paragraph", (letter.dated.strftime("%d %B %Y").lstrip("0"),)),
        _addressee_block(letter),
        Block("heading", ("Release of pathology slides and tissue blocks for a second opinion",)),
        _patient_block(letter),
        Block(
            "paragraph",
            (
                (
                    "I am seeking a second opinion. I ask you to release the following material "
                    "from the pathology case(s) above, for review by the consulting pathologist:"
                ),
            ),
        ),
        Block("list", SLIDES_TO_SHIP),
        Block("heading", ("Ship to",)),
        Block(
            "fields",
            fields=(("Send to", letter.send_to),)
            if letter.send_to
            else (("Name", BLANK), ("Department", BLANK), ("Address", BLANK), ("Phone", BLANK)),
        ),
        Block("heading", ("Consent",)),
        Block(
            "paragraph",
            (
                (
                    f"I, {who}, consent to the release of these slides and blocks to the "
                    "consulting pathologist named above, for review and for any further tests "
                    "needed for my care. Please tell me when they are shipped and how they will "
                    "be returned, if you need them back."
                ),
            ),
        ),
        Block("paragraph", ("Sincerely,",)),
        _signature(letter),
    ]
    return LetterText("Release of pathology slides and blocks", tuple(blocks))


def compose(letter: Letter) -> LetterText:
    """The words of a letter, block by block, ending in the line that marks it as
    recordpack's (so that a scan of a folder holding it never takes it for a record)."""
    words = _slides_letter(letter) if letter.kind == SLIDES_LETTER else _records_letter(letter)
    return replace(words, blocks=(*words.blocks, Block("footer", (OWN_LETTER_LINE,))))


def render_text(text: LetterText) -> str:
    """A letter as plain text (UTF-8, wrapped at 78 columns)."""
    import textwrap

    out: list[str] = []
    for block in text.blocks:
        if block.style == "heading":
            out += ["", block.lines[0].upper()]
        elif block.style in ("paragraph", "footer"):
            for line in block.lines:
                out += [""] + textwrap.wrap(line, 78, break_on_hyphens=False)
        elif block.style == "list":
            out.append("")
            for number, line in enumerate(block.lines, 1):
                out += textwrap.wrap(
                    line, 78, initial_indent=f"  {number}. ", subsequent_indent="     "
                )
        else:
            out.append("")
            if block.style == "signature":
                out.append("")
            width = max(len(label) for label, _ in block.fields) + 2
            for label, value in block.fields:
                lead = f"{label}:".ljust(width) if label else " " * width
                out.append(f"{lead}{value}".rstrip())
    return "\n".join(out).lstrip("\n") + "\n"


__all__ = [
    "ASK_WORDS",
    "RELATED_KINDS",
    "Block",
    "Letter",
    "LetterText",
    "RequestItem",
    "compose",
    "plan_items",
    "plan_requests",
    "render_text",
]
