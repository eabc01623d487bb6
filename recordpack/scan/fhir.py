"""FHIR JSON (R4): single resources, Bundles and bulk NDJSON -> records.

* A single resource is one record (a Patient or Condition alone is ``other``).
* A ``document`` Bundle is one record, of its Composition's type.
* Other Bundles: one record when they hold a whole patient record
  (``patient_summary``) or one report; otherwise one record per report,
  document or plan (``part`` = ``"ResourceType/id"``), with loose lab
  Observations grouped into one ``lab_result`` and medication resources into
  one ``medication_list``.
* NDJSON bulk files are read line by line and become one record, of the kind
  most of their resources have; a line that is a Bundle (a FHIR message)
  holding a DiagnosticReport or DocumentReference gives each its own record
  (``part`` = ``"line N ..."``).

A DocumentReference (or a DiagnosticReport's presentedForm) whose attachment
``url`` names a Binary in the same Bundle (``Binary/ID``, ``urn:uuid:...``) is
read from that Binary. One whose document is only a URL elsewhere is
``other``: the file does not hold the document, so it cannot stand in for it.

A record says only what its resources say:

* its ``status`` (and a DocumentReference's ``docStatus``): cancelled, entered
  in error, superseded or preliminary (``model.RECORD_STATUSES``); a lab
  record whose every Observation is withdrawn or has no value is cancelled;
* its patient: the Patient its ``subject`` refers to in the same file; a
  reference to a Patient elsewhere gives only the name it shows (or none);
* its date: when the sample or exam was taken (``effective[x]``, a report's
  own or else its earliest result's), the date it was issued only when
  nothing else is known, and then the evidence says so;
* a record made of many entries (a group, a large file, an NDJSON export) is
  what its entries still standing say and is dated by them (:class:`_Standing`),
  so the same entries say the same whichever file brings them;
* its text: a Composition's sections, each title then its narrative (or why it is
  empty), and a whole-record export's medications and allergies under headings.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from recordpack.classify import Classification, has_meaningful_text
from recordpack.classify.status import text_status
from recordpack.identity import NameMatch, compare_names, parse_name
from recordpack.model import (
    CANCELLED,
    ENTERED_IN_ERROR,
    PRELIMINARY,
    SUPERSEDED,
    UNREADABLE,
    UNSUPPORTED,
    WITHDRAWN,
    Patient,
    Problem,
    most_telling,
)
from recordpack.scan import codes, jsonstream
from recordpack.scan.base import PARTLY_READ, Document, Outcome, Source
from recordpack.scan.narrative import narrative_lines
from recordpack.sections import (
    EMPTY_SECTION_MARKER,
    empty_section_line,
    no_current_line,
    not_current,
)

FORMAT: Final = "fhir"

_JSON_START = re.compile(rb'^(\xef\xbb\xbf)?\s*\{')
#: A file named .json that holds an array is told it is not FHIR, not that JSON is unread.
_JSON_VALUE_START = re.compile(rb'^(\xef\xbb\xbf)?\s*[\{\[]')
_TAGS = re.compile(r"<[^>]+>")
_SPECIFIC: Final = frozenset({"pathology_report", "imaging_report", "genomic_report"})
_MEDICATION_TYPES: Final = frozenset({
    "MedicationRequest", "MedicationStatement", "MedicationAdministration",
    "MedicationDispense", "AllergyIntolerance", "Medication",
})
#: Resource type -> part of a patient record, to tell a whole-record export.
_RECORD_PARTS: Final[dict[str, str]] = {
    "Condition": "problems", "Procedure": "procedures", "Encounter": "encounters",
    "Immunization": "immunizations", "Observation": "results", "DiagnosticReport": "results",
    "CarePlan": "plans", "FamilyMemberHistory": "family history",
    "DocumentReference": "documents", **dict.fromkeys(_MEDICATION_TYPES, "medications"),
}
_LAB_OBSERVATION_CATEGORIES: Final = frozenset({"laboratory"})
_GENOMIC_PROFILE = re.compile(r"genomic|genetic|variant|(^|/)gx-|pgx", re.IGNORECASE)
_RADIOTHERAPY_PROFILE = re.compile(r"radiotherapy|treatment-summary", re.IGNORECASE)
_RADIOTHERAPY_CODES: Final = frozenset({"1217123003"})  # Radiotherapy course of treatment


class FHIRError(ValueError):
    """A JSON file that cannot be read as FHIR."""


@dataclass(frozen=True)
class _Subject:
    """Whom a resource says it is about: a reference to a Patient, the name it shows, or both."""

    reference: str | None
    display: str | None


@dataclass
class _Item:
    """One record's worth of verdict from a resource (or a group of them)."""

    kind: str
    title: str
    date: str | None
    confidence: float
    evidence: list[str]
    text: str = ""
    part: str | None = None
    subject: _Subject | None = None  # None: the resource names no one
    dates: list[str] = field(default_factory=list)
    status: str | None = None  # model.RECORD_STATUSES; None when final or not stated


# --- small FHIR readers ------------------------------------------------------------


def _codings(concept: Any) -> list[dict[str, Any]]:
    if not isinstance(concept, dict):
        return []
    return [c for c in concept.get("coding") or [] if isinstance(c, dict)]


def _concepts(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value] if isinstance(value, dict) else []


def _pairs(concept: Any) -> list[tuple[str | None, str | None]]:
    return [(c.get("system"), c.get("code")) for c in _codings(concept)]


def _display(concept: Any) -> str | None:
    if not isinstance(concept, dict):
        return None
    if isinstance(concept.get("text"), str) and concept["text"].strip():
        return str(concept["text"]).strip()
    for coding in _codings(concept):
        if isinstance(coding.get("display"), str) and coding["display"].strip():
            return str(coding["display"]).strip()
    return None


def _codes_text(concept: Any) -> str:
    parts = [_display(concept) or ""] + [str(c.get("code") or "") for c in _codings(concept)]
    return " ".join(p for p in parts if p)


def _profiles(resource: dict[str, Any]) -> list[str]:
    meta = resource.get("meta")
    profiles = meta.get("profile") if isinstance(meta, dict) else None
    return [p for p in profiles or [] if isinstance(p, str)]


def _narrative(resource: dict[str, Any]) -> str:
    text = resource.get("text")
    div = text.get("div") if isinstance(text, dict) else None
    if not isinstance(div, str):
        return ""
    return re.sub(r"\s+", " ", _TAGS.sub(" ", div)).strip()


def _date_of(resource: dict[str, Any], *keys: str) -> str | None:
    for key in keys:
        value = resource.get(key)
        if isinstance(value, dict):  # Period
            value = value.get("start")
        found = codes.fhir_date(value) if isinstance(value, str) else None
        if found:
            return found
    return None


_DATE_KEYS: Final = ("effectiveDateTime", "effectivePeriod", "performedDateTime",
                     "performedPeriod", "issued", "authoredOn", "date", "onsetDateTime",
                     "recordedDate", "occurrenceDateTime", "period", "effectiveInstant")


def _subject(resource: dict[str, Any]) -> _Subject | None:
    """The resource's ``subject`` (or ``patient``) reference and display, None when it has neither."""
    for key in ("subject", "patient"):
        ref = resource.get(key)
        if not isinstance(ref, dict):
            continue
        reference = ref.get("reference") if isinstance(ref.get("reference"), str) else None
        display = (ref["display"].strip() or None) if isinstance(ref.get("display"), str) else None
        if reference or display:
            return _Subject(reference, display)
    return None


def _resolve(reference: Any, index: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """The resource a reference names in this file (by full URL, ``Type/id``, ``urn:uuid:``
    or ``#id``; a version suffix ``/_history/N`` ignored), None when it is not here."""
    if not isinstance(reference, str):
        return None
    return index.get(reference) or index.get(reference.split("/_history/", 1)[0])


#: FHIR status codes (DiagnosticReport, Observation, DocumentReference and its
#: ``docStatus``, Composition) that say a record is not its final, valid version.
#: Any other code (final, amended, corrected, appended, current) says nothing.
_FHIR_STATUSES: Final[dict[str, str]] = {
    "registered": PRELIMINARY,  # ordered, nothing reported yet
    "partial": PRELIMINARY,
    "preliminary": PRELIMINARY,
    "cancelled": CANCELLED,
    "entered-in-error": ENTERED_IN_ERROR,
    "superseded": SUPERSEDED,
    # The sender does not know whether it is final: not to be taken as final.
    "unknown": PRELIMINARY,
}
#: Elements holding a resource's status, with the words its evidence uses.
_STATUS_ELEMENTS: Final = (("status", "status"), ("docStatus", "document status"))


def _has_value(element: dict[str, Any]) -> bool:
    return any(key.startswith("value") for key in element)


def _status(resource: dict[str, Any]) -> tuple[str | None, list[str]]:
    """What a record resource says of its own status (``model.RECORD_STATUSES``, None
    when final), with the evidence: an Observation that gives no value but a
    ``dataAbsentReason`` holds no result, so it counts as cancelled."""
    found: list[str] = []
    evidence: list[str] = []
    for key, words in _STATUS_ELEMENTS:
        code = resource.get(key)
        if isinstance(code, str) and code in _FHIR_STATUSES:
            found.append(_FHIR_STATUSES[code])
            evidence.append(f"{words} '{code}'")
    absent = resource.get("dataAbsentReason")
    components = [c for c in resource.get("component") or [] if isinstance(c, dict)] if (
        isinstance(resource.get("component"), list)) else []
    if (resource.get("resourceType") == "Observation" and absent is not None
            and not _has_value(resource) and not any(_has_value(c) for c in components)):
        found.append(CANCELLED)
        evidence.append(f"no value ({_display(absent) or 'data absent'})")
    return most_telling(found), evidence


def _human_name(names: Any) -> str | None:
    candidates = [n for n in names if isinstance(n, dict)] if isinstance(names, list) else []
    candidates.sort(key=lambda n: 0 if n.get("use") in (None, "official", "usual") else 1)
    for name in candidates:
        given = [g for g in name.get("given") or [] if isinstance(g, str)]
        family = name.get("family") if isinstance(name.get("family"), str) else None
        formatted = codes.format_name(family, given)
        if formatted:
            return formatted
        if isinstance(name.get("text"), str) and name["text"].strip():
            return str(name["text"]).strip()
    return None


def _patient_id(identifiers: Any) -> str | None:
    ranked: list[tuple[int, str]] = []
    for position, identifier in enumerate(identifiers if isinstance(identifiers, list) else []):
        if not isinstance(identifier, dict) or not isinstance(identifier.get("value"), str):
            continue
        value = identifier["value"].strip()
        type_codes = [str(c.get("code") or "") for c in _codings(identifier.get("type"))]
        if not value or codes.is_ssn(value, identifier.get("system"), *type_codes):
            continue
        ranked.append((0 if "MR" in type_codes else 1 + position, value))
    return min(ranked)[1] if ranked else None


def patient_of(resource: dict[str, Any]) -> Patient:
    """Name, birth date and record number (MR preferred, never an SSN) of a Patient."""
    return Patient(
        name=_human_name(resource.get("name")),
        birth_date=codes.fhir_date(resource.get("birthDate")),
        id=_patient_id(resource.get("identifier")),
    )


# --- attachments -----------------------------------------------------------------------


def _attachment(source: Source, attachment: Any, title: str) -> tuple[Classification | None,
                                                                        str, list[str]]:
    """Classification, text and evidence of an attachment's inline data."""
    if not isinstance(attachment, dict):
        return None, "", []
    media = str(attachment.get("contentType") or "").lower()
    data_b64 = attachment.get("data")
    if not isinstance(data_b64, str):
        url = attachment.get("url")
        return None, "", [f"the document itself is not in this file: {url}"] if url else []
    try:
        data = base64.b64decode(data_b64, validate=False)
    except (binascii.Error, ValueError):
        return None, "", [f"damaged {media or 'attachment'} data"]
    if "pdf" in media or data.startswith(b"%PDF"):
        verdict = codes.scan_pdf_bytes(source.path, data)
        if verdict is None:
            return None, "", ["attached PDF"]
        classification = Classification(verdict.kind, verdict.title, verdict.date,
                                        verdict.patient, verdict.confidence,
                                        verdict.evidence, status=verdict.status)
        return classification, verdict.text, [f"attached PDF reads as {verdict.kind}"]
    text = codes.decode_text(data)
    if "rtf" in media:
        text = codes.rtf_to_text(text)
    elif "html" in media or "xml" in media:
        text = _TAGS.sub(" ", text)
    return codes.classify(text, name=title), text, [f"attached {media or 'text'}"]


def _attached_status(attached: Classification | None, text: str
                     ) -> tuple[str | None, list[str]]:
    """The status an attached document's own header states (``model.RECORD_STATUSES``;
    None when final), with evidence quoting it."""
    if attached is None or attached.status is None:
        return None, []
    _status, how = text_status(text)
    return attached.status, [f"attached document: {how or attached.status}"]


def _readable_binary(data_b64: str) -> bool:
    """Whether a Binary holds a document: a PDF, or text with real words (not a placeholder)."""
    try:
        data = base64.b64decode(data_b64[:400_000], validate=False)
    except (binascii.Error, ValueError):
        return False
    return data.startswith(b"%PDF") or has_meaningful_text(codes.decode_text(data), min_words=5)


def _resolved(attachment: Any, index: dict[str, dict[str, Any]]) -> Any:
    """An attachment whose ``url`` names a Binary in the same Bundle, with its data inline."""
    if not isinstance(attachment, dict) or isinstance(attachment.get("data"), str):
        return attachment
    url = attachment.get("url")
    target = index.get(url) if isinstance(url, str) else None
    if target is None or target.get("resourceType") != "Binary":
        return attachment
    data = target.get("data")
    if not isinstance(data, str) or not _readable_binary(data):
        return attachment
    return {**attachment, "data": data,
            "contentType": attachment.get("contentType") or target.get("contentType")}


def _with_binaries(resource: dict[str, Any], index: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A DocumentReference or DiagnosticReport with attachments that point to Binary
    resources of the same Bundle (``Binary/ID``, ``urn:uuid:...``) filled in."""
    rtype = resource.get("resourceType")
    if rtype == "DocumentReference" and isinstance(resource.get("content"), list):
        return {**resource, "content": [
            {**c, "attachment": _resolved(c.get("attachment"), index)} if isinstance(c, dict)
            else c for c in resource["content"]]}
    if rtype == "DiagnosticReport" and isinstance(resource.get("presentedForm"), list):
        return {**resource, "presentedForm": [_resolved(a, index)
                                              for a in resource["presentedForm"]]}
    return resource


# --- one resource -> item ------------------------------------------------------------------


def _category_codes(resource: dict[str, Any]) -> list[str]:
    return [str(c.get("code") or "") for concept in _concepts(resource.get("category"))
            for c in _codings(concept)]


def _results(report: dict[str, Any], observations: dict[str, dict[str, Any]]
             ) -> list[dict[str, Any]]:
    """The Observations of a report's ``result`` references that are in this file."""
    refs = report.get("result")
    found = (_resolve(ref.get("reference"), observations)
             for ref in (refs if isinstance(refs, list) else []) if isinstance(ref, dict))
    return [o for o in found if o is not None]


_EFFECTIVE_KEYS: Final = ("effectiveDateTime", "effectivePeriod", "effectiveInstant")


def _report_date(report: dict[str, Any], results: list[dict[str, Any]]
                 ) -> tuple[str | None, list[str]]:
    """When a report's specimen or exam was taken: its own ``effective[x]``, else its
    earliest result's; only when neither is known, when it was issued (saying so)."""
    own = _date_of(report, *_EFFECTIVE_KEYS)
    if own:
        return own, []
    taken = [d for d in (_date_of(o, *_EFFECTIVE_KEYS) for o in results) if d]
    if taken:
        return min(taken), ["date from its earliest result"]
    issued = _date_of(report, "issued")
    return issued, (["date is when it was issued"] if issued else [])


def _report_status(report: dict[str, Any], results: list[dict[str, Any]]
                   ) -> tuple[str | None, list[str]]:
    """:func:`_status` of a report; one whose every result is withdrawn or without a
    value, and that has no text of its own, holds no result: cancelled."""
    status, evidence = _status(report)
    refs = report.get("result")
    own_text = any(report.get(key) for key in ("conclusion", "conclusionCode", "presentedForm"))
    if (results and not own_text and isinstance(refs, list) and len(results) == len(refs)):
        verdicts = [(_display(o.get("code")) or "Observation", *_status(o)) for o in results]
        if status not in WITHDRAWN and all(found in WITHDRAWN for _n, found, _e in verdicts):
            status = CANCELLED
            evidence += [f"result '{name}': {', '.join(ev)}" for name, _s, ev in verdicts[:3]]
    return status, evidence


def _diagnostic_report(source: Source, report: dict[str, Any],
                       observations: dict[str, dict[str, Any]], *, deep: bool) -> _Item:
    code = report.get("code")
    title = _display(code) or next((codes.LOINC_TITLES[c] for _s, c in _pairs(code)
                                    if c in codes.LOINC_TITLES), "Diagnostic report")
    evidence: list[str] = []
    texts = [report.get("conclusion") if isinstance(report.get("conclusion"), str) else "",
             _narrative(report)]
    for concept in _concepts(report.get("conclusionCode")):
        texts.append(_display(concept) or "")
    results = _results(report, observations)
    texts += [_observation_line(observation) for observation in results]
    attached: Classification | None = None
    attached_statuses: list[str | None] = []
    if deep:
        for form in report.get("presentedForm") or []:
            attached, form_text, form_evidence = _attachment(source, form, title)
            texts.append(form_text)
            said, said_evidence = _attached_status(attached, form_text)
            attached_statuses.append(said)
            evidence += [*form_evidence, *said_evidence]
            if attached:
                break
    text = "\n".join(t for t in texts if t)[: codes.MAX_TEXT_CHARS]
    date, date_evidence = _report_date(report, results)
    status, status_evidence = _report_status(report, results)
    # The report is what its sender and its own document say, the most telling of them.
    status = most_telling((status, *attached_statuses))

    candidates: list[tuple[str, float, str]] = []
    if any(_GENOMIC_PROFILE.search(p) for p in _profiles(report)):
        candidates.append(("genomic_report", 0.9, "genomics reporting profile"))
    found = codes.loinc_kind(_pairs(code))
    if found:
        candidates.append((found[0], 0.9, f"report code LOINC {found[1]}"))
    for category in _category_codes(report):
        kind = codes.DIAGNOSTIC_SERVICE_KINDS.get(category.upper())
        if kind:
            candidates.append((kind, 0.85, f"report category {category}"))
    by_title = codes.kind_from_title(_display(code), *[_display(c) for c in _codings(code)])
    if by_title:
        candidates.append((by_title[0], 0.75, f"report name '{by_title[1]}'"))
    if attached and attached.confidence >= codes.STRONG_TEXT_CONFIDENCE:
        candidates.append((attached.kind, attached.confidence, "attached report text"))
    # A pathology, imaging or genomic signal is worth more than the generic "LAB"
    # that US Core puts on every laboratory-performed report.
    chosen = next((c for c in candidates if c[0] in _SPECIFIC), None) or next(iter(candidates), None)
    if chosen is None:
        by_text = codes.classify(text, name=title)
        if by_text and by_text.confidence >= codes.STRONG_TEXT_CONFIDENCE:
            chosen = (by_text.kind, by_text.confidence, "report text")
            evidence += list(by_text.evidence)
        else:
            chosen = ("lab_result", 0.4, "a diagnostic report of unstated type")
    return _Item(chosen[0], title, date, chosen[1],
                 [chosen[2], *status_evidence, *date_evidence, *evidence], text,
                 subject=_subject(report), status=status)


def _observation_line(observation: dict[str, Any]) -> str:
    name = _display(observation.get("code")) or ""
    value: Any = ""
    for key, item in observation.items():
        if key.startswith("value"):
            if isinstance(item, dict):
                value = item.get("value", _display(item) or item.get("text", ""))
                unit = item.get("unit")
                value = f"{value} {unit}" if unit else value
            else:
                value = item
            break
    return f"{name} {value}".strip()


def _observation_kind(observation: dict[str, Any]) -> str:
    categories = set(_category_codes(observation))
    if any(_GENOMIC_PROFILE.search(p) for p in _profiles(observation)):
        return "genomic_report"
    if "imaging" in categories:
        return "imaging_report"
    if categories & _LAB_OBSERVATION_CATEGORIES or any(
            "tumor-marker" in p or "-lab" in p for p in _profiles(observation)):
        return "lab_result"
    return "other"


def _document_reference(source: Source, doc: dict[str, Any], *, deep: bool) -> _Item:
    doc_type = doc.get("type")
    title = _display(doc_type) or (doc.get("description") if isinstance(doc.get("description"),
                                                                         str) else None)
    title = title or "Clinical document"
    date = _date_of(doc, "context", "date") if not isinstance(doc.get("context"), dict) else (
        _date_of(doc["context"], "period") or _date_of(doc, "date"))
    evidence: list[str] = []
    texts: list[str] = []
    attached: Classification | None = None
    statuses: list[str | None] = []
    inline = False
    for content in doc.get("content") or []:
        attachment = content.get("attachment") if isinstance(content, dict) else None
        inline = inline or (isinstance(attachment, dict) and isinstance(attachment.get("data"), str))
        if not deep and inline:
            continue
        attached, text, found = _attachment(source, attachment, title)
        texts.append(text)
        said, said_evidence = _attached_status(attached, text)
        statuses.append(said)
        evidence += [*found, *said_evidence]
    text = "\n".join(t for t in texts if t)[: codes.MAX_TEXT_CHARS]
    if not inline:
        return _Item("other", f"{title} (reference only)", date, 0.7,
                     ["document reference without the document", *evidence], text,
                     subject=_subject(doc))
    # Its resource's own status is added by _with_status (most telling wins).
    item = _inline_document(doc, doc_type, title, date, attached, evidence, text)
    item.status = most_telling(statuses)
    return item


def _inline_document(doc: dict[str, Any], doc_type: Any, title: str, date: str | None,
                     attached: Classification | None, evidence: list[str], text: str) -> _Item:
    """The verdict on a DocumentReference whose document is in the file."""
    coded = codes.loinc_kind(_pairs(doc_type)) or codes.loinc_kind(
        [p for concept in _concepts(doc.get("category")) for p in _pairs(concept)])
    if coded:
        return _Item(coded[0], title, date, 0.9, [f"document type LOINC {coded[1]}", *evidence],
                     text, subject=_subject(doc))
    if attached and attached.confidence >= codes.STRONG_TEXT_CONFIDENCE:
        return _Item(attached.kind, title, date, attached.confidence,
                     [*evidence, *attached.evidence], text, subject=_subject(doc))
    by_title = codes.kind_from_title(title)
    if by_title:
        return _Item(by_title[0], title, date, 0.7, [f"document type '{by_title[1]}'", *evidence],
                     text, subject=_subject(doc))
    return _Item("other", title, date, 0.3, ["a document of unstated type", *evidence], text,
                 subject=_subject(doc))


def _composition(composition: dict[str, Any],
                 index: dict[str, dict[str, Any]] | None = None) -> _Item:
    """The verdict on a Composition (a document Bundle's), with its status; ``index``
    (the Bundle's resources) lets a section without narrative list its entries."""
    return _with_status(_composition_kind(composition, index or {}), composition)


def _composition_kind(composition: dict[str, Any], index: dict[str, dict[str, Any]]) -> _Item:
    comp_type = composition.get("type")
    title = (composition.get("title") if isinstance(composition.get("title"), str) else None) or (
        _display(comp_type) or "Clinical document")
    texts = [*_narrative_lines(composition), *_section_lines(composition.get("section"), index)]
    text = "\n".join(t for t in texts if t)[: codes.MAX_TEXT_CHARS]
    date = _date_of(composition, "date")
    for event in composition.get("event") or []:
        if isinstance(event, dict):
            date = _date_of(event, "period") or date
    found = codes.loinc_kind(_pairs(comp_type))
    if found:
        return _Item(found[0], title, date, 0.95, [f"composition type LOINC {found[1]}"], text,
                     subject=_subject(composition))
    by_title = codes.kind_from_title(_display(comp_type), title)
    if by_title:
        return _Item(by_title[0], title, date, 0.75, [f"composition type '{by_title[1]}'"], text,
                     subject=_subject(composition))
    by_text = codes.classify(text, name=title)
    if by_text and by_text.confidence >= codes.STRONG_TEXT_CONFIDENCE:
        return _Item(by_text.kind, title, date, by_text.confidence, list(by_text.evidence), text,
                     subject=_subject(composition))
    return _Item("other", title, date, 0.3, ["a composition of unstated type"], text,
                 subject=_subject(composition))


#: ``emptyReason`` codes (list-empty-reason), as a section's text says them.
_EMPTY_REASONS: Final[dict[str, str]] = {
    "nilknown": "nil known", "notasked": "not asked", "withheld": "information withheld",
    "unavailable": "unavailable", "notstarted": "not started", "closed": "closed list",
}
#: The one ``emptyReason`` that is an answer, not a gap: nothing of the kind is known.
_NIL_KNOWN: Final = "nilknown"
#: Deepest nesting of Composition sections read.
_MAX_SECTION_DEPTH: Final = 5


def _narrative_lines(element: dict[str, Any]) -> list[str]:
    text = element.get("text")
    div = text.get("div") if isinstance(text, dict) else None
    return narrative_lines(div) if isinstance(div, str) else []


def _section_lines(sections: Any, index: dict[str, dict[str, Any]], depth: int = 0
                   ) -> list[str]:
    """Each section's title on a line of its own, then what it holds: its narrative,
    else its entries in this file, else a line saying it has none (and why)."""
    lines: list[str] = []
    for section in sections if isinstance(sections, list) else []:
        if not isinstance(section, dict):
            continue
        title = section.get("title") if isinstance(section.get("title"), str) else None
        lines.append(title or _display(section.get("code")) or "Section")
        empty = section.get("emptyReason")
        if empty is not None:
            reason = [str(c) for _s, c in _pairs(empty) if c]
            if reason and reason[0] == _NIL_KNOWN:
                lines.append("None known")
            else:
                words = _display(empty) or (_EMPTY_REASONS.get(reason[0], reason[0])
                                            if reason else "no reason given")
                lines.append(empty_section_line(words))
        body = _narrative_lines(section)
        refs = [e.get("reference") for e in section.get("entry") or [] if isinstance(e, dict)
                ] if isinstance(section.get("entry"), list) else []
        if not body and empty is None:
            entries = [_resolve(ref, index) for ref in refs]
            body = _medication_lines([e for e in entries if e is not None], index)
            unread = sum(e is None for e in entries)
            if unread:
                body.append(f"({unread} entries without text)")
            if not body and not refs:
                body = [EMPTY_SECTION_MARKER]
        lines += body
        if depth < _MAX_SECTION_DEPTH:
            lines += _section_lines(section.get("section"), index, depth + 1)
    return lines


def _withdrawn_entry(resource: dict[str, Any]) -> bool:
    """An entry its sender took back: entered in error, or an allergy refuted."""
    verification = {c for _s, c in _pairs(resource.get("verificationStatus"))}
    return resource.get("status") == "entered-in-error" or bool(
        verification & {"entered-in-error", "refuted"})


def _entry_line(resource: dict[str, Any], index: dict[str, dict[str, Any]]) -> str | None:
    """One line for a medication, an allergy or another coded entry; None for one its
    sender withdrew or that names nothing."""
    if _withdrawn_entry(resource):
        return None
    if resource.get("resourceType") == "AllergyIntolerance":
        reactions = [_display(m) for r in resource.get("reaction") or [] if isinstance(r, dict)
                     for m in _concepts(r.get("manifestation"))]
        shown = ", ".join(dict.fromkeys(r for r in reactions if r))
        name = _display(resource.get("code"))
        status = _entry_status(resource)
        line = f"{name} (reaction: {shown})" if name and shown else name
        return f"{line} ({status})" if line and status else line
    reference = resource.get("medicationReference")
    medication = _resolve(reference.get("reference"), index) if isinstance(reference, dict) else None
    name = (_display(resource.get("medicationCodeableConcept"))
            or (_display(medication.get("code")) if medication else None)
            or (str(reference.get("display") or "") if isinstance(reference, dict) else "")
            or _display(resource.get("code")) or " ".join(_narrative_lines(resource)))
    dosages = [d.get("text") for key in ("dosageInstruction", "dosage")
               for d in resource.get(key) or [] if isinstance(d, dict)]
    dose = next((d.strip() for d in dosages if isinstance(d, str) and d.strip()), None)
    line = f"{name}: {dose}" if name and dose else name or None
    status = _entry_status(resource)
    return f"{line} ({status})" if line and status else line


#: Medicine resources whose status says whether the patient takes it now (a list's
#: entries); an administration or a dispense is an event, not a list entry.
_LISTED_MEDICATIONS: Final = frozenset({"MedicationRequest", "MedicationStatement"})
#: Their statuses (FHIR R4 medicationrequest-status, medication-statement-status) as
#: shown after the entry; "active" goes without saying. Which of them are not current
#: is :data:`recordpack.sections.NOT_CURRENT_STATUSES`' call: stopped, completed,
#: cancelled, draft, intended, not-taken and unknown are; on-hold (paused, to resume) is not.
_MEDICATION_STATUS_WORDS: Final[dict[str, str]] = {
    "on-hold": "on hold", "completed": "completed", "stopped": "stopped",
    "cancelled": "cancelled", "draft": "draft", "intended": "intended",
    "not-taken": "not taken", "unknown": "status unknown",
}  # fmt: skip


#: An allergy's clinical status (FHIR R4 allergyintolerance-clinical; a plain string in
#: STU3) as shown after the entry: an inactive or resolved allergy is no current one
#: (:data:`recordpack.sections.NOT_CURRENT_STATUSES`); "active" goes without saying.
_ALLERGY_STATUS_WORDS: Final[dict[str, str]] = {"inactive": "inactive", "resolved": "resolved"}


def _entry_status(resource: dict[str, Any]) -> str | None:
    """The status a medicine or allergy list entry states, in words, when not simply active."""
    if resource.get("resourceType") == "AllergyIntolerance":
        clinical = resource.get("clinicalStatus")
        found = [clinical] if isinstance(clinical, str) else [c for _s, c in _pairs(clinical)]
        return next((_ALLERGY_STATUS_WORDS[c] for c in found if c in _ALLERGY_STATUS_WORDS),
                    None)
    status = resource.get("status")
    if resource.get("resourceType") not in _LISTED_MEDICATIONS or not isinstance(status, str):
        return None
    return _MEDICATION_STATUS_WORDS.get(status)


#: The entries that may make up a current list: an allergy, a medicine prescribed or
#: stated (an administration or a dispense is an event, not a list entry).
_LISTED_ENTRIES: Final = _LISTED_MEDICATIONS | {"AllergyIntolerance"}
#: The lists a medicine list record holds, with the resource types of each.
_LISTS: Final = (("Medications", _MEDICATION_TYPES - {"AllergyIntolerance"}),
                 ("Allergies", frozenset({"AllergyIntolerance"})))


def _no_current(resources: list[dict[str, Any]]) -> str | None:
    """:data:`recordpack.sections.NO_CURRENT_MARKER` with their statuses when the
    medicines and allergies among ``resources`` that still stand are list entries none
    of which is current ("2 stopped", "1 resolved"); else None."""
    entries = [r for r in resources if not _withdrawn_entry(r)
               and r.get("resourceType") in _MEDICATION_TYPES]
    statuses = [_entry_status(r) or "" for r in entries]
    if entries and all(r.get("resourceType") in _LISTED_ENTRIES for r in entries) and all(
            not_current(s) for s in statuses):
        return no_current_line(statuses)
    return None


def _medication_lines(resources: list[dict[str, Any]], index: dict[str, dict[str, Any]]
                      ) -> list[str]:
    """The lines of the medicine and allergy entries among ``resources`` that still
    stand, each with its status; led by :data:`recordpack.sections.NO_CURRENT_MARKER`
    when none of them is current (a list of stopped medicines, or of resolved
    allergies, is no current list)."""
    lines = [line for r in resources if (line := _entry_line(r, index)) is not None]
    marker = _no_current(resources)
    return [marker, *lines] if marker else lines


def _medications_text(resources: list[dict[str, Any]], texts: list[str]) -> str:
    """The text of a medicine list record: its entries' ``texts``, after a heading and
    :data:`recordpack.sections.NO_CURRENT_MARKER` for its medicines, and one for its
    allergies, none of which is current, so that check reads no current list of them."""
    lines: list[str] = []
    for heading, types in _LISTS:
        marker = _no_current([r for r in resources if r.get("resourceType") in types])
        if marker:
            lines += [heading, marker]
    return "\n".join([*lines, *texts])


#: Headings of a patient summary built from resources, with the resource types listed
#: under each, so that check finds these sections as in a portal's summary.
_SUMMARY_SECTIONS: Final = (("Medications", ("MedicationRequest", "MedicationStatement")),
                            ("Allergies", ("AllergyIntolerance",)))
#: Entries listed under one heading; the rest are counted.
_MAX_SECTION_ENTRIES: Final = 200


def _summary_lines(resources: list[dict[str, Any]], index: dict[str, dict[str, Any]]
                   ) -> list[str]:
    """The medications and allergies a whole-record export holds, each under its
    heading; a heading whose every entry was withdrawn says it has none."""
    lines: list[str] = []
    for heading, types in _SUMMARY_SECTIONS:
        found = [r for r in resources if r.get("resourceType") in types]
        if not found:
            continue
        entries = _medication_lines(found, index)
        lines.append(heading)
        refuted = any("refuted" in {c for _s, c in _pairs(r.get("verificationStatus"))}
                      for r in found)
        lines += entries[:_MAX_SECTION_ENTRIES] or [empty_section_line(
            "every entry was refuted or entered in error" if refuted
            else "every entry was entered in error")]
        if len(entries) > _MAX_SECTION_ENTRIES:
            lines.append(f"(and {len(entries) - _MAX_SECTION_ENTRIES} more)")
    return lines


#: Financial and consent resources are administrative papers (KINDS.md), with their titles.
_ADMINISTRATIVE_TYPES: Final[dict[str, str]] = {
    "Claim": "Insurance claim",
    "ClaimResponse": "Insurance claim response",
    "Coverage": "Insurance coverage",
    "CoverageEligibilityResponse": "Insurance eligibility",
    "ExplanationOfBenefit": "Explanation of benefits",
    "Account": "Billing account",
    "Invoice": "Invoice",
    "Consent": "Consent",
}


def _with_status(item: _Item, resource: dict[str, Any]) -> _Item:
    """``item`` with the status its resource states (the most telling of that and what
    the item already says, from its attached document), said in its evidence after the kind's."""
    status, evidence = _status(resource)
    item.status = most_telling((status, item.status))
    item.evidence[1:1] = evidence
    return item


def _item(source: Source, resource: dict[str, Any], observations: dict[str, dict[str, Any]],
          *, deep: bool = True) -> _Item:
    """The verdict on one resource as if it were the whole file."""
    return _dated_item(source, resource, observations, _date_of(resource, *_DATE_KEYS), deep=deep)


def _dated_item(source: Source, resource: dict[str, Any],
                observations: dict[str, dict[str, Any]], date: str | None, *,
                deep: bool = True) -> _Item:
    """:func:`_item`, given the resource's own date (``_date_of(resource, *_DATE_KEYS)``)."""
    rtype = str(resource.get("resourceType"))
    subject = _subject(resource)
    if rtype == "DiagnosticReport":
        return _diagnostic_report(source, resource, observations, deep=deep)
    if rtype == "DocumentReference":
        return _with_status(_document_reference(source, resource, deep=deep), resource)
    if rtype == "Composition":
        return _composition(resource)
    if rtype == "Observation":
        kind = _observation_kind(resource)
        title = _display(resource.get("code")) or "Observation"
        return _with_status(_Item(
            kind, title, date, 0.8 if kind != "other" else 0.6,
            [f"Observation category {', '.join(_category_codes(resource)) or 'none'}"],
            _observation_line(resource), subject=subject), resource)
    if rtype in _MEDICATION_TYPES:
        reference = resource.get("medicationReference")
        name = _display(resource.get("medicationCodeableConcept")) or _display(
            resource.get("code")) or (str(reference.get("display") or "")
                                      if isinstance(reference, dict) else "")
        title = name or ("Allergies" if rtype == "AllergyIntolerance" else "Medications")
        status = _entry_status(resource)
        return _Item("medication_list", title, date, 0.85, [f"FHIR {rtype}"],
                     f"{name} ({status})" if name and status else name, subject=subject)
    if rtype in ("CarePlan", "RequestGroup", "PlanDefinition"):
        title = str(resource.get("title") or _display(resource.get("category")) or "Care plan")
        return _Item("treatment_plan", title, date, 0.85, [f"FHIR {rtype}"],
                     _narrative(resource), subject=subject)
    if rtype == "Procedure":
        title = _display(resource.get("code")) or "Procedure"
        code_ids = {c for _s, c in _pairs(resource.get("code")) if c}
        if any(_RADIOTHERAPY_PROFILE.search(p) for p in _profiles(resource)) or (
                code_ids & _RADIOTHERAPY_CODES):
            if title == "Procedure":
                title = "Radiotherapy course summary"
            return _Item("treatment_plan", title, date, 0.85,
                         ["radiotherapy course summary (Procedure)"], _narrative(resource),
                         subject=subject)
        # A structured Procedure says that something was done, not what the surgeon
        # wrote: the operative report is a separate document.
        return _Item("other", title, date, 0.6, ["a procedure entry, not its report"],
                     _narrative(resource), subject=subject)
    if rtype == "Patient":
        return _Item("other", "Patient details", None, 0.8, ["FHIR Patient resource only"],
                     _narrative(resource))
    if rtype in _ADMINISTRATIVE_TYPES:
        title = _display(resource.get("type")) or _ADMINISTRATIVE_TYPES[rtype]
        date = _date_of(resource, "billablePeriod", "created", "dateTime", "servicePeriod",
                        *_DATE_KEYS)
        return _Item("administrative", title, date, 0.85, [f"FHIR {rtype}"],
                     _narrative(resource), subject=subject)
    title = _display(resource.get("code")) or _display(resource.get("type")) or f"FHIR {rtype}"
    return _Item("other", title, date, 0.6, [f"FHIR {rtype}"], _narrative(resource),
                 subject=subject)


# --- files -------------------------------------------------------------------------------------


def sniff(source: Source) -> bool:
    """A JSON object with a ``resourceType`` (a FHIR resource), or NDJSON of them.

    Any other JSON object named ``.json`` is taken too, so that it is told
    plainly that it is not FHIR rather than that JSON cannot be read.
    """
    if source.suffix in (".json", ".ndjson"):
        return bool(_JSON_VALUE_START.match(source.head[:4096]))
    return bool(_JSON_START.match(source.head[:4096])) and b'"resourceType"' in source.head


def scan(source: Source) -> list[Outcome]:
    """Records of a FHIR JSON or NDJSON file; problems for damaged or non-FHIR JSON."""
    try:
        if _is_ndjson(source):
            return _scan_ndjson(source)
        if source.size > WHOLE_JSON_BYTES:
            return _scan_large(source)
        try:
            resource = json.loads(codes.decode_text(source.read_all()))
        except json.JSONDecodeError as exc:
            raise FHIRError(f"JSON is damaged ({exc.msg} at line {exc.lineno}, column "
                            f"{exc.colno}): the file may be cut short") from exc
        if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
            return [Problem(source.path, UNSUPPORTED,
                            "This JSON file is not FHIR (it has no \"resourceType\"), the only JSON "
                            "recordpack reads, so it was not read as a record.",
                            hint="If it holds medical records, ask the portal for a FHIR, C-CDA or "
                            "PDF export; otherwise leave it out.")]
        return _scan_resource(source, resource)
    except FHIRError as exc:
        return [Problem(source.path, UNREADABLE, str(exc),
                        hint="Download or export this file again from the portal.")]
    except RecursionError:
        return [Problem(source.path, UNREADABLE,
                        "JSON is nested far more deeply than any FHIR record; it was not read",
                        hint="This file may be damaged or made to trouble programs: ask the "
                             "sender for a new export.")]
    except OSError as exc:
        return [Problem(source.path, UNREADABLE, f"could not read the file: {exc}",
                        hint="Check that the file is not open in another program and try again.")]


def _is_ndjson(source: Source) -> bool:
    if source.suffix in (".ndjson", ".jsonl"):
        return True
    first, _, rest = source.head.partition(b"\n")
    if not rest.strip():
        return False
    try:
        return isinstance(json.loads(first.decode("utf-8-sig")), dict)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return False


def _document(source: Source, item: _Item, patient: Patient, *, part: str | None = None
              ) -> Document:
    return Document(
        path=source.path, kind=item.kind, title=item.title, date=item.date, patient=patient,
        confidence=item.confidence, evidence=tuple(dict.fromkeys(item.evidence))[:8],
        format=FORMAT, text=item.text[: codes.MAX_TEXT_CHARS], part=part, status=item.status,
    )


def _index(resources: Iterable[tuple[str | None, dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """Resources by every way a reference may name them: fullUrl, Type/id, #id."""
    found: dict[str, dict[str, Any]] = {}
    for full_url, resource in resources:
        rtype, rid = resource.get("resourceType"), resource.get("id")
        if full_url:
            found[full_url] = resource
        if isinstance(rid, str):
            found[f"{rtype}/{rid}"] = resource
            found[f"#{rid}"] = resource
    return found


def _patient_for(subject: _Subject | None, index: dict[str, dict[str, Any]],
                 unnamed: Patient) -> Patient:
    """Whom a record is about, as it says: the Patient of this file its subject refers
    to; else only the name its subject shows (a reference to a Patient elsewhere is
    not the file's Patient, whoever that is); ``unnamed`` when it names no one."""
    if subject is None:
        return unnamed
    target = _resolve(subject.reference, index)
    if target is not None and target.get("resourceType") == "Patient":
        return patient_of(target)
    return Patient(name=subject.display)


def _scan_resource(source: Source, resource: dict[str, Any]) -> list[Outcome]:
    contained = [(None, r) for r in resource.get("contained") or [] if isinstance(r, dict)]
    if resource["resourceType"] == "Bundle":
        return _scan_bundle(source, resource)
    index = _index([*contained, (None, resource)])
    observations = {k: v for k, v in index.items() if v.get("resourceType") == "Observation"}
    item = _item(source, resource, observations)
    if item.kind == "medication_list":
        item.text = _medications_text([resource], [item.text])
    if resource["resourceType"] == "Patient":
        return [_document(source, item, patient_of(resource))]
    return [_document(source, item, _patient_for(item.subject, index, Patient()))]


@dataclass
class _Bundle:
    """A Bundle's resources, indexed for references, and the patient it is about."""

    resources: list[dict[str, Any]]
    index: dict[str, dict[str, Any]]
    observations: dict[str, dict[str, Any]]
    patients: list[dict[str, Any]]
    patient: Patient

    @classmethod
    def of(cls, bundle: dict[str, Any]) -> _Bundle:
        entries: list[tuple[str | None, dict[str, Any]]] = []
        for entry in bundle.get("entry") or []:
            if isinstance(entry, dict) and isinstance(entry.get("resource"), dict):
                resource = entry["resource"]
                full_url = entry.get("fullUrl") if isinstance(entry.get("fullUrl"), str) else None
                entries.append((full_url, resource))
                entries += [(None, r) for r in resource.get("contained") or []
                            if isinstance(r, dict)]
        index = _index(entries)
        resources = [_with_binaries(r, index) for _u, r in entries]
        observations = {k: v for k, v in index.items() if v.get("resourceType") == "Observation"}
        patients = [r for r in resources if r.get("resourceType") == "Patient"]
        patient = patient_of(patients[0]) if len(patients) == 1 else Patient()
        return cls(resources, index, observations, patients, patient)

    def document(self, source: Source, item: _Item, *, part: str | None = None) -> Document:
        """One of the Bundle's records, about whom it says (the Bundle's Patient when it
        names no one); its evidence says when it refers to a Patient not in the file."""
        subject = item.subject
        if subject is not None and subject.reference and _resolve(
                subject.reference, self.index) is None:
            item.evidence.append(f"its patient ({subject.reference}) is not in this file")
        return _document(source, item, _patient_for(subject, self.index, self.patient),
                         part=part)


def _scan_bundle(source: Source, bundle: dict[str, Any]) -> list[Outcome]:
    read = _Bundle.of(bundle)
    documents = _bundle_documents(source, bundle, read)
    return [*documents, *_other_people(source, read, documents)]


def _same_person(a: Patient, b: Patient) -> bool:
    """Whether two Patient resources may be one person (a name or birth date says no)."""
    if compare_names(parse_name(a.name), parse_name(b.name)) is NameMatch.DIFFERENT:
        return False
    return not (a.birth_date and b.birth_date and a.birth_date != b.birth_date)


#: Other people of one Bundle given a record each: enough to flag the file, not a
#: record per entry of a search result listing a whole clinic.
MAX_OTHER_PEOPLE: Final = 3


def _other_people(source: Source, read: _Bundle, documents: list[Document]) -> list[Document]:
    """A record naming each person of the Bundle's Patient resources whom none of its
    records is about: a collection sent for one patient may hold someone else, and
    the folder's check must see them."""
    if len(read.patients) < 2:
        return []
    known = [d.patient for d in documents if not d.patient.is_empty()]
    extra: list[Document] = []
    for resource in read.patients:
        person = patient_of(resource)
        if person.is_empty() or any(_same_person(person, k) for k in known):
            continue
        if len(extra) == MAX_OTHER_PEOPLE:
            break
        known.append(person)
        rid = resource.get("id")
        item = _Item("other", "Patient details (FHIR)", None, 0.5,
                     ["FHIR Patient resource",
                      f"one of {len(read.patients)} Patient resources in the Bundle"])
        extra.append(_document(source, item, person, part=f"Patient/{rid}" if rid else "Patient"))
    return extra


def _bundle_documents(source: Source, bundle: dict[str, Any], read: _Bundle) -> list[Document]:
    resources, patients, bundle_patient = read.resources, read.patients, read.patient
    types = Counter(str(r.get("resourceType")) for r in resources)
    bundle_type = str(bundle.get("type") or "")
    evidence = f"FHIR {bundle_type or 'untyped'} Bundle"

    composition = next((r for r in resources if r.get("resourceType") == "Composition"), None)
    if bundle_type == "document" and composition is not None:
        item = _composition(composition, read.index)
        item.evidence.insert(0, evidence)
        return [read.document(source, item)]

    parts = {_RECORD_PARTS[t] for t in types if t in _RECORD_PARTS}
    if len(parts) >= 3 and (patients or bundle_type in ("collection", "searchset")):
        dated = _Standing()
        for resource in resources:
            dated.add(_status(resource)[0], _date_of(resource, *_DATE_KEYS))
        date = codes.fhir_date(bundle.get("timestamp")) or dated.date()
        summary = ", ".join(sorted(parts))
        item = _Item("patient_summary", "Patient record (FHIR)", date, 0.85,
                     [evidence, f"a whole patient record: {summary}"],
                     "\n".join([*_summary_lines(resources, read.index),
                                *(n for r in resources if (n := _narrative(r)))]))
        return [_document(source, item, bundle_patient)]

    items = _bundle_items(source, resources, read.observations)
    if not items:
        listing = ", ".join(f"{n} {t}" for t, n in types.most_common(4)) or "no resources"
        item = _Item("other", f"FHIR {bundle_type or ''} Bundle".replace("  ", " "),
                     codes.fhir_date(bundle.get("timestamp")), 0.5, [evidence, listing])
        return [_document(source, item, bundle_patient)]
    if len(items) == 1:
        items[0].evidence.insert(0, evidence)
        return [read.document(source, items[0])]
    return [read.document(source, item, part=item.part) for item in items]


def _bundle_items(source: Source, resources: list[dict[str, Any]],
                  observations: dict[str, dict[str, Any]]) -> list[_Item]:
    """Reports, documents and plans in a Bundle, then grouped labs and medications.

    Loose preliminary Observations are a record apart from the others, so that a
    preliminary result's date never makes final ones look recent."""
    items: list[_Item] = []
    claimed: set[int] = set()  # observations a report already holds
    for resource in resources:
        if resource.get("resourceType") == "DiagnosticReport":
            claimed.update(id(target) for target in _results(resource, observations))
    loose_labs: list[_Item] = []
    preliminary_labs: list[_Item] = []  # apart: their date is not a final result's
    medications: list[_Item] = []
    medication_resources: list[dict[str, Any]] = []
    for resource in resources:
        rtype = resource.get("resourceType")
        part = f"{rtype}/{resource.get('id')}" if resource.get("id") else str(rtype)
        if rtype in ("DiagnosticReport", "DocumentReference", "Composition", "CarePlan",
                     "Procedure"):
            item = _item(source, resource, observations)
            if rtype == "Procedure" and item.kind == "other":
                continue
            item.part = part
            items.append(item)
        elif rtype == "Observation" and id(resource) not in claimed:
            item = _item(source, resource, observations)
            if item.kind != "other":
                (preliminary_labs if item.status == PRELIMINARY else loose_labs).append(item)
        elif rtype in _MEDICATION_TYPES and rtype != "Medication":
            medications.append(_item(source, resource, observations))
            medication_resources.append(resource)
    for group, kind, title in ((loose_labs, "lab_result", "Results"),
                               (preliminary_labs, "lab_result", "Preliminary results"),
                               (medications, "medication_list", "Medications")):
        if not group:
            continue
        kinds = Counter(i.kind for i in group)
        group_kind = kinds.most_common(1)[0][0] if kind == "lab_result" else kind
        standing = _Standing()
        for entry in group:
            standing.add(entry.status, entry.date)
        names = ", ".join(dict.fromkeys(i.title for i in group[:3] if i.title != title))
        status, status_evidence = standing.status()
        texts = [i.text for i in group]
        items.append(_Item(group_kind, f"{title}: {names}" if names else title,
                           standing.date(), 0.8,
                           [f"{len(group)} {title.lower()} entries", *status_evidence],
                           _medications_text(medication_resources, texts)
                           if group is medications else "\n".join(texts),
                           part=f"{title.lower()} ({len(group)})", subject=group[0].subject,
                           status=status))
    return items


#: How an entry stands, for :class:`_Standing`: its status unless withdrawn.
_FINAL: Final = "final"
_WITHDRAWN: Final = "withdrawn"


@dataclass
class _Standing:
    """How the entries of one record stand, in bounded memory: how many are final,
    preliminary or withdrawn (by status), and the latest date of each. A record is
    said to be what its entries that still stand say, and dated by them: a
    preliminary entry never dates a record that has final ones, nor a withdrawn
    entry one that has entries still standing."""

    counts: Counter[str] = field(default_factory=Counter)  # _FINAL, PRELIMINARY, _WITHDRAWN
    withdrawn: Counter[str] = field(default_factory=Counter)  # by status
    latest: dict[str, str] = field(default_factory=dict)  # standing -> latest date

    def add(self, status: str | None, date: str | None) -> None:
        standing = (_WITHDRAWN if status in WITHDRAWN else
                    PRELIMINARY if status == PRELIMINARY else _FINAL)
        self.counts[standing] += 1
        if status in WITHDRAWN:
            self.withdrawn[str(status)] += 1
        if date and date > self.latest.get(standing, ""):
            self.latest[standing] = date

    def status(self) -> tuple[str | None, list[str]]:
        """Withdrawn when every entry is (cancelled unless they all say the same),
        preliminary when every entry still standing is; the evidence counts them."""
        total = self.counts.total()
        withdrawn = self.counts[_WITHDRAWN]
        live = total - withdrawn
        evidence = [f"{withdrawn} of {total} entries withdrawn or without a value"
                    ] if withdrawn else []
        if total and not live:
            same = list(self.withdrawn)
            return (same[0] if len(same) == 1 else CANCELLED), evidence
        if live and self.counts[PRELIMINARY] == live:
            return PRELIMINARY, [*evidence, f"{live} of {total} entries preliminary"]
        return None, evidence

    def date(self) -> str | None:
        """The latest date of the final entries; of the preliminary ones when none is
        final; of the withdrawn ones only when every entry is."""
        standing = next((s for s in (_FINAL, PRELIMINARY) if self.counts[s]), _WITHDRAWN)
        return self.latest.get(standing)


class _Tally:
    """What many resources read one at a time add up to: one record, in bounded memory."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.kinds: Counter[str] = Counter()
        self.types: Counter[str] = Counter()
        self.titles: Counter[str] = Counter()
        self.parts: set[str] = set()
        #: How the entries of each kind stand (their statuses and dates), and of all.
        self.standing: dict[str, _Standing] = {}
        self.everything = _Standing()
        #: Every resource, by its own status and any date it carries: a whole record's date.
        self.resources = _Standing()
        self.texts: list[str] = []
        self.text_size = 0
        self.patients: list[Patient] = []
        self.composition: dict[str, Any] | None = None

    def add(self, resource: dict[str, Any]) -> None:
        rtype = str(resource["resourceType"])
        self.types[rtype] += 1
        if rtype in _RECORD_PARTS:
            self.parts.add(_RECORD_PARTS[rtype])
        if rtype == "Composition" and self.composition is None:
            self.composition = resource
        # deep=False: bulk notes are classified by their type codes, not by decoding
        # and classifying every attachment (a bulk file can hold thousands).
        date = _date_of(resource, *_DATE_KEYS)
        item = _dated_item(self.source, resource, {}, date, deep=False)
        self.kinds[item.kind] += 1
        if len(self.titles) < 1000 or item.title in self.titles:
            self.titles[item.title] += 1
        self.standing.setdefault(item.kind, _Standing()).add(item.status, item.date)
        self.everything.add(item.status, item.date)
        self.resources.add(_status(resource)[0], date)
        if rtype == "Patient" and len(self.patients) < 2:
            self.patients.append(patient_of(resource))
        if self.text_size < codes.MAX_TEXT_CHARS and item.text:
            self.texts.append(item.text)
            self.text_size += len(item.text)

    @property
    def patient(self) -> Patient:
        return self.patients[0] if len(self.patients) == 1 else Patient()

    def record(self, what: str, evidence: list[str]) -> Document:
        """One record of the kind most of the resources have."""
        clinical = {k: n for k, n in self.kinds.items() if k != "other"}
        # Entries still standing decide the kind; withdrawn ones only when nothing else does.
        live = {k: n - self.standing[k].counts[_WITHDRAWN] for k, n in clinical.items()}
        standing = {k: n for k, n in live.items() if n} or clinical
        # The specific kind wins when it is a real part of the file, not a stray entry.
        kind = max(standing, key=lambda k: standing[k]) if standing else "other"
        if clinical and clinical[kind] * 5 < sum(self.kinds.values()) and kind != "lab_result":
            kind = "other"
        # The record says what the entries of its kind say, and is dated by them.
        entries = self.standing[kind] if kind != "other" else self.everything
        status, status_evidence = entries.status()
        main_type = self.types.most_common(1)[0][0]
        total = sum(self.types.values())
        title = (self.titles.most_common(1)[0][0] if total == 1
                 else f"{total} {main_type} entries ({what})")
        listing = ", ".join(f"{n} {t}" for t, n in self.types.most_common(3))
        evidence = [*evidence[:-1], f"{evidence[-1]}: {listing}"]
        if clinical:
            evidence.append(", ".join(f"{n} {k}" for k, n in Counter(clinical).most_common(3)))
        item = _Item(kind, title, entries.date(), 0.8 if kind != "other" else 0.6,
                     [*evidence, *status_evidence], "\n".join(self.texts), status=status)
        return _document(self.source, item, self.patient)


#: Longest NDJSON line read (one resource); a longer one is reported, not read.
MAX_LINE_BYTES: Final = 16 * 1024 * 1024


def _scan_ndjson(source: Source) -> list[Outcome]:
    """One record for a bulk-export file, of the kind most of its resources have;
    reports and documents in Bundle lines (messages) are records of their own."""
    tally = _Tally(source)
    records: list[Outcome] = []
    bad_lines: list[int] = []
    lines = 0
    with source.open() as raw:
        stream = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace")
        number = 0
        while line := stream.readline(MAX_LINE_BYTES):
            number += 1
            if len(line) >= MAX_LINE_BYTES and not line.endswith("\n"):
                while (rest := stream.readline(MAX_LINE_BYTES)) and not rest.endswith("\n"):
                    pass  # the rest of an overlong line: skipped in bounded pieces
                lines += 1
                bad_lines.append(number)
                continue
            if not line.strip():
                continue
            lines += 1
            try:
                resource = json.loads(line)
            except (json.JSONDecodeError, RecursionError):
                bad_lines.append(number)
                continue
            if not isinstance(resource, dict) or "resourceType" not in resource:
                bad_lines.append(number)
                continue
            if resource["resourceType"] == "Bundle":
                records.extend(_ndjson_bundle(source, resource, number, tally,
                                              room=MAX_NDJSON_RECORDS - len(records)))
                continue
            tally.add(resource)
    outcomes: list[Outcome] = []
    if bad_lines:
        shown = ", ".join(str(n) for n in bad_lines[:5]) + (" ..." if len(bad_lines) > 5 else "")
        outcomes.append(Problem(source.path, UNREADABLE,
                                f"{len(bad_lines)} of {lines} lines are not FHIR JSON (line {shown})",
                                hint="The rest of the file was read; export it again to get "
                                     "the missing entries."))
        del bad_lines[5:]
    if not tally.types:
        return [*records, *outcomes] or [
            Problem(source.path, UNREADABLE, "NDJSON file holds no FHIR resources",
                    hint="Export the file again from the system it came from.")]
    return [*records, tally.record("bulk export", ["FHIR bulk export (NDJSON)"]), *outcomes]


#: Records kept from the Bundle lines of one NDJSON file; later ones are tallied.
MAX_NDJSON_RECORDS: Final = 500
#: Resource types a Bundle line is split for (each is a record of its own).
_SPLIT_TYPES: Final = frozenset({"DiagnosticReport", "DocumentReference"})


def _ndjson_bundle(source: Source, bundle: dict[str, Any], line: int, tally: _Tally,
                   *, room: int) -> list[Outcome]:
    """The records of one Bundle line (a message): each report or document its own,
    with ``part`` naming the line; a Bundle without one is tallied with the rest."""
    read = _Bundle.of(bundle)
    if room > 0 and any(r.get("resourceType") in _SPLIT_TYPES for r in read.resources):
        evidence = f"FHIR {bundle.get('type') or 'untyped'} Bundle on line {line}"
        items = _bundle_items(source, read.resources, read.observations)
        for item in items:
            item.evidence.insert(0, evidence)
        return [read.document(source, item,
                          part=f"line {line}" + (f" {item.part}" if item.part else ""))
                for item in items[:room]]
    for resource in read.resources:
        tally.add(resource)
    return []


#: FHIR JSON files up to this size are parsed whole (as Python objects they take
#: some 25 times their size); larger ones are read one Bundle entry at a time.
WHOLE_JSON_BYTES: Final = 4 * 1024 * 1024
#: Largest single value (one Bundle entry) of a large file, in characters.
MAX_JSON_VALUE: Final = 16 * 1024 * 1024


def _scan_large(source: Source) -> list[Outcome]:
    """A large FHIR file read entry by entry: one record for the whole file."""
    tally = _Tally(source)
    top: dict[str, Any] = {}
    problems: list[Outcome] = []
    try:
        with source.open() as raw:
            for key, value in jsonstream.members(raw, stream_array="entry",
                                                 max_value=MAX_JSON_VALUE):
                if key != "entry":
                    top[key] = value
                    continue
                resource = value.get("resource") if isinstance(value, dict) else None
                if isinstance(resource, dict) and isinstance(resource.get("resourceType"), str):
                    tally.add(resource)
                    for inner in resource.get("contained") or []:
                        if isinstance(inner, dict) and isinstance(inner.get("resourceType"), str):
                            tally.add(inner)
    except jsonstream.JSONStreamError as exc:
        if not tally.types:
            raise FHIRError(str(exc)) from exc
        problems.append(Problem(source.path, PARTLY_READ,
                                f"Only part of this FHIR file could be read: {exc}.",
                                hint="The entries before that point were read; export the file "
                                     "again to get the rest."))
    if top.get("resourceType") != "Bundle":
        if not isinstance(top.get("resourceType"), str):
            return [Problem(source.path, UNSUPPORTED,
                            "JSON file is not a FHIR resource (no resourceType)",
                            hint="recordpack will include it as it is; nothing to do.")]
        return [*_scan_resource(source, top), *problems]
    if not tally.types:
        return [_document(source, _Item("other", "FHIR Bundle", codes.fhir_date(
            top.get("timestamp")), 0.5, ["an empty FHIR Bundle"]), Patient()), *problems]
    bundle_type = str(top.get("type") or "")
    evidence = [f"FHIR {bundle_type or 'untyped'} Bundle",
                f"a large file ({source.size / 1024**2:.0f} MB) read entry by entry"]
    if bundle_type == "document" and tally.composition is not None:
        item = _composition(tally.composition)
        item.evidence[:0] = evidence
        return [_document(source, item, tally.patient), *problems]
    if len(tally.parts) >= 3 and (tally.patients or bundle_type in ("collection", "searchset")):
        summary = ", ".join(sorted(tally.parts))
        item = _Item("patient_summary", "Patient record (FHIR)",
                     codes.fhir_date(top.get("timestamp")) or tally.resources.date(), 0.85,
                     [*evidence, f"a whole patient record: {summary}"], "\n".join(tally.texts))
        return [_document(source, item, tally.patient), *problems]
    return [tally.record("large FHIR Bundle", evidence), *problems]
