"""``index.fhir.json``: the bundle's index as a FHIR R4 Bundle (type ``collection``).

:func:`build_fhir_index` is a pure function of ``index.json``: a Patient (as the
records name them), one DocumentReference per document record (its files as
attachments: path in the bag, size, base64 SHA-1), one ImagingStudy per study
and the check result as a List. :func:`check_fhir_index` is what ``open`` runs:
every attachment must point at a file of the bag with the size and SHA-1 that
``index.json`` gives it, and every resource must be the one
:func:`build_fhir_index` makes from the verified ``index.json``, no more and no
fewer: the Patient, each record's subject, kind, date and study UIDs, the check.
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
import re
import uuid
from typing import TYPE_CHECKING, Any, Final

from recordpack.bundle import format as fmt
from recordpack.model import KIND_TITLES

if TYPE_CHECKING:
    from recordpack.bundle.index_model import BundleIndex

#: LOINC document types by record kind (kinds without one carry only a text).
LOINC_TYPES: Final[dict[str, tuple[str, str]]] = {
    "pathology_report": ("11526-1", "Pathology study"),
    "imaging_report": ("18748-4", "Diagnostic imaging study"),
    "lab_result": ("11502-2", "Laboratory report"),
    "genomic_report": ("51969-4", "Genetic analysis report"),
    "clinical_note": ("11506-3", "Progress note"),
    "operative_report": ("11504-8", "Surgical operation note"),
    "treatment_plan": ("18776-5", "Plan of care note"),
    "medication_list": ("10160-0", "History of Medication use Narrative"),
    "discharge_summary": ("18842-5", "Discharge summary"),
    "patient_summary": ("60591-5", "Patient summary Document"),
}
LOINC: Final = "http://loinc.org"
DICOM_DCM: Final = "http://dicom.nema.org/resources/ontology/DCM"
#: FHIR ``unsignedInt`` upper bound: larger sizes are left out rather than wrong.
MAX_UNSIGNED_INT: Final = 2**31 - 1

_DATE: Final = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_CONTENT_TYPES: Final[dict[str, str]] = {
    ".hl7": "x-application/hl7-v2+er7",
    ".ccd": "application/xml",
    ".ccda": "application/xml",
    ".cda": "application/xml",
    ".dcm": "application/dicom",
}


def _urn(bag: str, local: str) -> str:
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'recordpack:{bag}:{local}')}"


def sha1_base64(hex_digest: str) -> str:
    """A hex SHA-1 as FHIR's ``Attachment.hash`` wants it: base64 of the 20 bytes."""
    return base64.b64encode(bytes.fromhex(hex_digest)).decode("ascii")


def content_type(path: str, role: str | None = None) -> str:
    """The MIME type of a file in the bag, from its name (DICOM images have none)."""
    if role in (fmt.FILE_ROLE_IMAGE, fmt.FILE_ROLE_DICOMDIR):
        return "application/dicom"
    suffix = "." + path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""
    if suffix in _CONTENT_TYPES:
        return _CONTENT_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(path, strict=False)
    return guessed or "application/octet-stream"


def _attachment(path: str, entry: dict[str, Any] | None, title: str | None) -> dict[str, Any]:
    attachment: dict[str, Any] = {
        "contentType": content_type(path, (entry or {}).get("role")),
        "url": path,
    }
    if entry is not None:
        size = entry.get("size")
        if isinstance(size, int) and 0 <= size <= MAX_UNSIGNED_INT:
            attachment["size"] = size
        if entry.get("sha1"):
            attachment["hash"] = sha1_base64(entry["sha1"])
    if title:
        attachment["title"] = title
    return attachment


def _patient(patient: dict[str, Any], url: str) -> dict[str, Any]:
    resource: dict[str, Any] = {"resourceType": "Patient", "id": url.rsplit(":", 1)[-1]}
    if patient.get("name"):
        resource["name"] = [{"text": " ".join(str(patient["name"]).replace("^", " ").split())}]
    if patient.get("birth_date") and _DATE.match(str(patient["birth_date"])):
        resource["birthDate"] = patient["birth_date"]
    if patient.get("id"):
        resource["identifier"] = [{"value": str(patient["id"])}]
    return resource


def _document(
    record: dict[str, Any], files: dict[str, dict[str, Any]], url: str, patient: str
) -> dict[str, Any]:
    kind = str(record.get("kind") or "other")
    concept: dict[str, Any] = {"text": KIND_TITLES.get(kind, kind)}
    if kind in LOINC_TYPES:
        code, display = LOINC_TYPES[kind]
        concept["coding"] = [{"system": LOINC, "code": code, "display": display}]
    resource: dict[str, Any] = {
        "resourceType": "DocumentReference",
        "id": url.rsplit(":", 1)[-1],
        "status": "current",
        "type": concept,
        "subject": {"reference": patient},
        "description": str(record.get("title") or KIND_TITLES.get(kind, kind)),
        "content": [
            {"attachment": _attachment(path, files.get(path), record.get("title"))}
            for path in record.get("files") or []
        ],
    }
    date = record.get("date")
    if date and _DATE.match(str(date)):
        # DocumentReference.date is an instant (needs a time); the record's date is the
        # date of care it describes, which is what context.period says.
        resource["context"] = {"period": {"start": date}}
    return resource


def _imaging_study(record: dict[str, Any], url: str, patient: str) -> dict[str, Any]:
    study = record.get("study") or {}
    resource: dict[str, Any] = {
        "resourceType": "ImagingStudy",
        "id": url.rsplit(":", 1)[-1],
        "status": "available",
        "subject": {"reference": patient},
        "identifier": [
            {"system": "urn:dicom:uid", "value": f"urn:oid:{study.get('study_instance_uid')}"}
        ],
        "numberOfSeries": int(study.get("series_count") or 0),
        "numberOfInstances": int(study.get("instance_count") or 0),
        "series": [
            {
                "uid": str(series.get("uid")),
                "modality": {"system": DICOM_DCM, "code": str(series.get("modality") or "OT")},
                "numberOfInstances": int(series.get("instances") or 0),
                **(
                    {"number": series["number"]}
                    if isinstance(series.get("number"), int) and series["number"] >= 0
                    else {}
                ),
                **(
                    {"description": str(series["description"])} if series.get("description") else {}
                ),
            }
            for series in study.get("series") or []
        ],
    }
    if record.get("date") and _DATE.match(str(record["date"])):
        resource["started"] = record["date"]
    if study.get("description"):
        resource["description"] = str(study["description"])
    if study.get("dicomdir"):
        resource["note"] = [
            {
                "text": f"DICOM file-set in this bundle: {study['dicomdir']} (open it in a DICOM viewer)"
            }
        ]
    return resource


def _check_list(check: dict[str, Any], created: str | None) -> dict[str, Any]:
    verdict = (
        "everything required is here"
        if check.get("ok")
        else "something required is missing or needs attention"
    )
    resource: dict[str, Any] = {
        "resourceType": "List",
        "status": "current",
        "mode": "snapshot",
        "title": f"Check against the required-records list '{check.get('manifest') or 'required records'}': {verdict}",
        "entry": [
            {
                "flag": {"text": str(req.get("status") or "").replace("_", " ")},
                "item": {"display": str(req.get("title") or req.get("id") or "requirement")},
            }
            for req in check.get("requirements") or []
            if isinstance(req, dict)
        ],
    }
    if created:
        resource["date"] = created
    if not resource["entry"]:
        del resource["entry"]
        resource["emptyReason"] = {"text": "No requirements were listed."}
    return resource


def fhir_index_of(index: BundleIndex) -> dict[str, Any]:
    """``index.fhir.json`` for a schema-checked ``index.json``: what pack writes, built
    from the very copy ``open`` checks it against (``BundleIndex.to_json``), so that a
    field the schema check normalises cannot make pack write what open refuses."""
    return build_fhir_index(index.to_json())


def build_fhir_index(index: dict[str, Any]) -> dict[str, Any]:
    """The FHIR R4 Bundle (collection) for ``index`` (an ``index.json`` document)."""
    bag = str(index.get("bag") or "bundle")
    files = {f["path"]: f for f in index.get("files") or [] if isinstance(f, dict) and "path" in f}
    patient_url = _urn(bag, "patient")
    entries: list[dict[str, Any]] = [
        {"fullUrl": patient_url, "resource": _patient(index.get("patient") or {}, patient_url)}
    ]
    summary = index.get("summary") if isinstance(index.get("summary"), dict) else {}
    others = set((summary or {}).get("other_patient_records") or [])
    other_patients: dict[tuple[str, ...], str] = {}
    for number, record in enumerate(index.get("records") or []):
        url = _urn(bag, f"record/{number}")
        subject = patient_url
        if number in others:
            # A record that may be someone else's names its own patient, never the folder's.
            named = record.get("patient") or {}
            key = tuple(str(named.get(k) or "") for k in ("name", "birth_date", "id"))
            if key not in other_patients:
                other_patients[key] = _urn(bag, f"patient/{len(other_patients) + 1}")
                entries.append(
                    {
                        "fullUrl": other_patients[key],
                        "resource": _patient(named, other_patients[key]),
                    }
                )
            subject = other_patients[key]
        if record.get("study"):
            resource = _imaging_study(record, url, subject)
        else:
            resource = _document(record, files, url, subject)
        entries.append({"fullUrl": url, "resource": resource})
    if isinstance(index.get("check"), dict):
        url = _urn(bag, "check")
        entries.append(
            {"fullUrl": url, "resource": _check_list(index["check"], index.get("created"))}
        )
    bundle: dict[str, Any] = {
        "resourceType": "Bundle",
        "id": _urn(bag, "bundle").rsplit(":", 1)[-1],
        "type": "collection",
        "entry": entries,
    }
    if index.get("created"):
        bundle["timestamp"] = index["created"]
    return bundle


def check_fhir_index(
    document: Any,
    index: dict[str, Any],
    payload: dict[str, tuple[int, str]],
    actual_sha1: dict[str, str] | None = None,
) -> list[tuple[str, str]]:
    """What is wrong with ``index.fhir.json`` against the bag: (code, message) pairs.

    Every DocumentReference attachment must name a payload file, with that file's
    size and SHA-1: the one the reader computed from the file's bytes
    (``actual_sha1``), else the one ``index.json`` records for it. Every other
    statement (who the patient is, what each record is and whose, the study
    UIDs, the check result) must be what ``index.json`` says (:func:`_disagreements`).
    """
    if not isinstance(document, dict) or document.get("resourceType") != "Bundle":
        return [("bad_fhir_index", "is not a FHIR Bundle")]
    if document.get("type") != "collection":
        return [("bad_fhir_index", "is not a FHIR Bundle of type 'collection'")]
    sha1 = {f.get("path"): f.get("sha1") for f in index.get("files") or [] if isinstance(f, dict)}
    sha1.update(actual_sha1 or {})
    problems: list[tuple[str, str]] = []
    for entry in document.get("entry") or []:
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict) or resource.get("resourceType") != "DocumentReference":
            continue
        for content in resource.get("content") or []:
            attachment = content.get("attachment") if isinstance(content, dict) else None
            if not isinstance(attachment, dict):
                problems.append(("bad_fhir_index", "has a DocumentReference without an attachment"))
                continue
            url = attachment.get("url")
            if not isinstance(url, str) or url not in payload:
                problems.append(
                    ("fhir_mismatch", f"points at {url!r}, which is not a file of the bundle")
                )
                continue
            size, _ = payload[url]
            if "size" in attachment and attachment["size"] != size:
                problems.append(("fhir_mismatch", f"gives {url} a size that differs from the file"))
            expected = sha1.get(url)
            if "hash" in attachment and not _same_sha1(attachment["hash"], expected):
                problems.append(
                    ("fhir_mismatch", f"gives {url} a SHA-1 that differs from the file")
                )
    return problems + _disagreements(document, index)


def _label(resource: dict[str, Any]) -> str:
    """How a message names a resource recordpack built (never the sender's text)."""
    kind = str(resource.get("resourceType"))
    if kind == "DocumentReference":
        urls = [c["attachment"]["url"] for c in resource.get("content") or []]
        return f"DocumentReference for {urls[0]}" if urls else kind
    if kind == "ImagingStudy":
        return f"ImagingStudy {resource['identifier'][0]['value']}"
    return "check result (List)" if kind == "List" else kind


def _disagreements(document: dict[str, Any], index: dict[str, Any]) -> list[tuple[str, str]]:
    """Where ``document`` says something else than :func:`build_fhir_index` of ``index``.

    Each resource is compared whole, by its fullUrl (a UUID derived from the bag
    and the record's place): an EHR importing the file files the records under the
    Patient it names, so a changed name, birth date or identifier, a record given
    to another subject or kind, a study UID, or a resource added, is a lie.
    """
    expected = build_fhir_index(index)
    problems: list[tuple[str, str]] = []
    shipped: dict[str, Any] = {}
    for entry in document.get("entry") or []:
        url = entry.get("fullUrl") if isinstance(entry, dict) else None
        if not isinstance(url, str) or url in shipped:
            problems.append(("fhir_mismatch", "holds an entry recordpack does not write"))
            continue
        shipped[url] = entry.get("resource")
    for entry in expected["entry"]:
        url, resource = entry["fullUrl"], entry["resource"]
        found = shipped.pop(url, None)
        if found is None:
            problems.append(
                ("fhir_mismatch", f"lacks the {_label(resource)} that index.json gives")
            )
        elif found != resource:
            if not isinstance(found, dict):
                found = {}
            fields = [k for k in resource if found.get(k) != resource[k]]
            extra = bool(set(found) - set(resource))
            said = ", ".join(fields + (["statements index.json does not make"] if extra else []))
            problems.append(
                ("fhir_mismatch", f"its {_label(resource)} differs from index.json ({said})")
            )
    if shipped:
        problems.append(
            (
                "fhir_mismatch",
                f"holds {len(shipped)} resource(s) that index.json does not give",
            )
        )
    for key, value in expected.items():
        if key != "entry" and document.get(key) != value:
            problems.append(("fhir_mismatch", f"its Bundle {key} differs from index.json"))
    if set(document) - set(expected):
        problems.append(("fhir_mismatch", "its Bundle makes statements index.json does not"))
    return problems


def _same_sha1(value: Any, hex_digest: Any) -> bool:
    if not isinstance(value, str) or not isinstance(hex_digest, str):
        return False
    try:
        return base64.b64decode(value, validate=True).hex() == hex_digest.lower()
    except (binascii.Error, ValueError):
        return False
