"""DICOM headers -> one ``imaging_study`` record per Study Instance UID."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable
from typing import Final

from recordpack.model import DicomInstance, ImagingStudy, Patient, Problem, Record, Series
from recordpack.scan.base import DicomHeader
from recordpack.scan.report import plural

PATIENT_MISMATCH: Final = "patient_mismatch"

#: Plain names for modality codes, for titles when a study has no description.
MODALITY_NAMES: Final[dict[str, str]] = {
    "CT": "CT scan",
    "MR": "MRI",
    "PT": "PET scan",
    "NM": "Nuclear medicine scan",
    "MG": "Mammogram",
    "US": "Ultrasound",
    "CR": "X-ray",
    "DX": "X-ray",
    "XA": "Angiography",
    "RF": "Fluoroscopy",
    "SM": "Slide microscopy",
    "SEG": "Segmentation",
    "RTIMAGE": "Radiotherapy image",
    "OT": "Images",
    "SC": "Images",
    "ANN": "Annotations",
    "KO": "Key images",
    "PR": "Presentation state",
    "SR": "Structured report",
    "IO": "Dental X-ray",
    "PX": "Panoramic X-ray",
    "ES": "Endoscopy",
    "XC": "Photographs",
    "GM": "Microscopy",
    "OP": "Eye photographs",
    "OPT": "Eye scan (OCT)",
}


def _most_common(values: Iterable[str | None]) -> str | None:
    counts = Counter(v for v in values if v)
    return counts.most_common(1)[0][0] if counts else None


def _name_key(name: str | None) -> str:
    """A patient name compared loosely: case, ``^`` and spaces do not matter."""
    return re.sub(r"[\s^,.]+", " ", (name or "").upper()).strip()


def study_title(
    description: str | None,
    modalities: tuple[str, ...],
    series: int,
    images: int,
    damaged: int = 0,
) -> str:
    """E.g. 'CT CHEST W CONTRAST (CT, 2 series, 240 images)'; ``images`` counts only
    what can be looked at, and ``damaged`` files are named apart ('1 image, 2 damaged')."""
    if description:
        base = description.strip()
    else:
        names = [MODALITY_NAMES.get(m, m) for m in modalities if m not in ("SR", "KO", "PR")]
        base = " and ".join(dict.fromkeys(names)) or "Imaging study"
    mods = ", ".join(modalities) if modalities else "DICOM"
    more = f", {damaged} damaged" if damaged else ""
    return f"{base} ({mods}, {series} series, {plural(images, 'image')}{more})"


def _patient(headers: list[DicomHeader]) -> Patient:
    counts = Counter((h.patient.name, h.patient.birth_date, h.patient.id) for h in headers)
    best = max(counts.items(), key=lambda kv: (sum(v is not None for v in kv[0]), kv[1]))[0]
    # Fill gaps from other headers of the same person (a birth date only some files carry).
    name, birth, pid = best
    birth = birth or _most_common(
        h.patient.birth_date for h in headers if _name_key(h.patient.name) == _name_key(name)
    )
    pid = pid or _most_common(
        h.patient.id for h in headers if _name_key(h.patient.name) == _name_key(name)
    )
    return Patient(name=name, birth_date=birth, id=pid)


def _mismatch(title: str, headers: list[DicomHeader]) -> Problem | None:
    names = Counter(_name_key(h.patient.name) for h in headers if h.patient.name)
    ids = Counter(h.patient.id for h in headers if h.patient.id)
    if len(names) <= 1 and len(ids) <= 1:
        return None
    majority_name = names.most_common(1)[0][0] if names else None
    majority_id = ids.most_common(1)[0][0] if ids else None
    odd = sorted(
        h.path
        for h in headers
        if (h.patient.name and _name_key(h.patient.name) != majority_name)
        or (h.patient.id and h.patient.id != majority_id)
    )
    shown = sorted({f"{h.patient.name or '?'} (ID {h.patient.id or '?'})" for h in headers})
    return Problem(
        odd[0] if odd else headers[0].path,
        PATIENT_MISMATCH,
        f"The images of '{title}' do not all name the same patient: {'; '.join(shown[:4])}.",
        hint="Make sure every image in this study is yours; remove the files of anyone else.",
        paths=tuple(odd),
    )


def group_studies(
    headers: list[DicomHeader], damaged: Collection[str] = frozenset()
) -> tuple[list[Record], list[Problem]]:
    """One record per Study Instance UID (headers without one are grouped by series).

    ``damaged`` holds the paths whose image data scan found damaged (an ``unreadable``
    problem): they stay in their study's files, marked, and are not counted as images.
    """
    by_study: dict[str, list[DicomHeader]] = {}
    for header in headers:
        key = header.study_instance_uid or f"series:{header.series_instance_uid or header.path}"
        by_study.setdefault(key, []).append(header)

    records: list[Record] = []
    problems: list[Problem] = []
    for key, members in by_study.items():
        by_series: dict[str, list[DicomHeader]] = {}
        for header in members:
            by_series.setdefault(header.series_instance_uid or header.path, []).append(header)
        series_list: list[Series] = []
        for uid, in_series in by_series.items():
            in_series.sort(
                key=lambda h: (h.instance_number is None, h.instance_number or 0, h.path)
            )
            series_list.append(
                Series(
                    uid=uid,
                    modality=_most_common(h.modality for h in in_series),
                    number=in_series[0].series_number,
                    description=_most_common(h.series_description for h in in_series),
                    instances=tuple(
                        DicomInstance(
                            path=h.path,
                            sop_class_uid=h.sop_class_uid,
                            sop_instance_uid=h.sop_instance_uid,
                            transfer_syntax_uid=h.transfer_syntax_uid,
                            instance_number=h.instance_number,
                            part10=h.part10,
                            patient=h.patient,
                            damaged=h.path in damaged,
                        )
                        for h in in_series
                    ),
                )
            )
        series_list.sort(key=lambda s: (s.number is None, s.number or 0, s.uid))
        modalities = tuple(dict.fromkeys(s.modality for s in series_list if s.modality))
        description = _most_common(h.study_description for h in members)
        broken = sum(1 for h in members if h.path in damaged)
        images = len(members) - broken
        title = study_title(description, modalities, len(series_list), images, broken)
        study = ImagingStudy(
            study_instance_uid=members[0].study_instance_uid,
            modalities=modalities,
            description=description,
            accession_number=_most_common(h.accession_number for h in members),
            study_id=_most_common(h.study_id for h in members),
            series=tuple(series_list),
            time=_most_common(h.study_time for h in members),
        )
        evidence = [f"DICOM images grouped by Study Instance UID ({plural(len(members), 'file')})"]
        if not members[0].study_instance_uid:
            evidence = ["DICOM images without a Study Instance UID, grouped by series"]
        records.append(
            Record(
                kind="imaging_study",
                title=title,
                date=_most_common(h.study_date for h in members),
                files=tuple(sorted(h.path for h in members)),
                patient=_patient(members),
                confidence=0.99 if not key.startswith("series:") else 0.8,
                evidence=tuple(evidence),
                format="dicom",
                study=study,
            )
        )
        problem = _mismatch(title, members)
        if problem is not None:
            problems.append(problem)
    return records, problems
