"""Classification of record text: kind, title, date of service and patient.

The invented records it reads are SAMPLES, in tests/classify_samples.py.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from recordpack.classify import (
    classify_filename,
    classify_text,
    find_patient,
    has_meaningful_text,
    parse_date,
)
from recordpack.model import KINDS
from tests.classify_samples import SAMPLES, Sample

TODAY = date(2026, 11, 24)


def _ids(samples: tuple[Sample, ...]) -> list[str]:
    return [s.id for s in samples]


@pytest.mark.parametrize("sample", SAMPLES, ids=_ids(SAMPLES))
def test_sample_kind_date_and_patient(sample: Sample) -> None:
    c = classify_text(sample.text, today=TODAY)
    assert c.kind == sample.kind, c.evidence
    assert c.date == sample.date
    assert c.patient.name == sample.name
    assert c.patient.birth_date == sample.birth_date
    assert c.patient.id == sample.mrn
    assert 0.0 <= c.confidence <= 1.0
    if sample.kind != "other":
        assert c.confidence >= 0.5, c.evidence
        assert c.evidence


def test_every_document_kind_has_samples() -> None:
    covered = {s.kind for s in SAMPLES}
    assert covered == set(KINDS) - {"imaging_study"}


def test_title_comes_from_the_documents_own_heading() -> None:
    by_id = {s.id: s for s in SAMPLES}
    assert classify_text(by_id["path-lakeside"].text).title == "Surgical pathology report"
    assert classify_text(by_id["ds-hospital"].text).title == "Discharge summary"
    # No heading: a readable title from the kind.
    assert classify_text(by_id["note-letter"].text).title == "Clinic note"


def test_evidence_names_the_heading_and_sections() -> None:
    c = classify_text(SAMPLES[0].text)
    assert "heading 'SURGICAL PATHOLOGY REPORT'" in c.evidence
    assert "section 'FINAL DIAGNOSIS'" in c.evidence


def test_a_note_that_quotes_a_pathology_report_stays_a_note() -> None:
    note = """\
PROGRESS NOTE
Date of Visit: 04/02/2026
Interval history: Surgical pathology report reviewed today.
FINAL DIAGNOSIS: invasive ductal carcinoma, margins negative, 0/3 lymph nodes involved.
Gross description of the specimen and receptor studies were discussed with her.
Plan: refer to radiation oncology.
"""
    assert classify_text(note).kind == "clinical_note"


def test_physician_is_never_the_patient() -> None:
    text = """\
Ordering Physician Name: Lucretia Vanterpool, MD
Pathologist: Dr. Emeric Sandoval
Referring: Ambrose Keel, M.D.
FINAL DIAGNOSIS: benign fibroadenoma.
"""
    assert classify_text(text).patient.name is None


def test_birth_date_is_never_the_service_date() -> None:
    text = "SURGICAL PATHOLOGY REPORT\nPatient: DOE-RAMIREZ, ANA\nDOB: 02/03/1960\nFINAL DIAGNOSIS: benign."
    c = classify_text(text, today=TODAY)
    assert c.patient.birth_date == "1960-02-03"
    assert c.date is None


def test_printed_date_loses_to_the_collection_date() -> None:
    text = "LAB RESULTS\nPrinted: 11/20/2026\nHemoglobin 12.1 g/dL\nCollected: 11/02/2026\n"
    assert classify_text(text, today=TODAY).date == "2026-11-02"


def test_label_on_the_line_above_the_date() -> None:
    text = "Collected Date/Time:\n03/14/2026 08:10\nDOB:\n04/04/1950\n"
    c = classify_text(text, today=TODAY)
    assert c.date == "2026-03-14"
    assert c.patient.birth_date is None or c.patient.birth_date == "1950-04-04"


@pytest.mark.parametrize(
    ("written", "iso"),
    [
        ("03/14/2026", "2026-03-14"),
        ("3/14/26", "2026-03-14"),
        ("2026-03-14", "2026-03-14"),
        ("14-Mar-2026", "2026-03-14"),
        ("March 14, 2026", "2026-03-14"),
        ("14 March 2026", "2026-03-14"),
        ("Mar 14 2026", "2026-03-14"),
        ("Sept. 3, 2025", "2025-09-03"),
        ("14/03/2026", "2026-03-14"),  # day > 12: day first
        ("04/03/2026", "2026-04-03"),  # ambiguous: US order
        ("3/14/98", "1998-03-14"),
    ],
)
def test_date_formats(written: str, iso: str) -> None:
    assert parse_date(f"Date of Service: {written}", today=TODAY) == iso


@pytest.mark.parametrize(
    "written", ["2026-13-45", "02/30/2026", "01/01/1850", "12/31/2031", "45/45/2026"]
)
def test_impossible_dates_are_refused(written: str) -> None:
    assert parse_date(f"Date of Service: {written}", today=TODAY) is None


def test_compact_date_needs_a_label() -> None:
    assert classify_text("Accession 20260314\nFINAL DIAGNOSIS: benign", today=TODAY).date is None
    assert (
        classify_text("Study Date: 20260314\nIMPRESSION: normal", today=TODAY).date == "2026-03-14"
    )


def test_account_number_is_not_a_record_number() -> None:
    p = find_patient("Patient: Ivo Marchbanks\nAcct #: 99887766\nAccession: S26-123")
    assert p.id is None
    assert find_patient("Med. Rec. #: 00123456").id == "00123456"


def test_patient_name_variants() -> None:
    assert find_patient("PATIENT NAME   QUIGLEY, HORTENSE A\n").name == "QUIGLEY, HORTENSE A"
    assert (
        find_patient("Patient Name:\nLUNDQVIST, MAGNUS\nDOB: 01/01/1950").name
        == "LUNDQVIST, MAGNUS"
    )
    assert find_patient("Patient: The patient is a 60-year-old man").name is None
    assert find_patient("Patient Name: Redacted").name is None


def test_weak_text_is_other_with_low_confidence() -> None:
    c = classify_text("Thank you. See attached.")
    assert c.kind == "other"
    assert c.confidence < 0.3


def test_filename_hint_only_when_text_is_weak() -> None:
    weak = classify_text("scan 2", name="path_report_2026.pdf")
    assert weak.kind == "pathology_report"
    assert weak.confidence <= 0.3
    assert any("file name" in e for e in weak.evidence)
    strong = classify_text(SAMPLES[3].text, name="path_report.pdf")
    assert strong.kind == "imaging_report"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("path_report.pdf", "pathology_report"),
        ("SurgPath-2026-03.pdf", "pathology_report"),
        ("CT_report.pdf", "imaging_report"),
        ("CT Chest 2026.pdf", "imaging_report"),
        ("labs.pdf", "lab_result"),
        ("FoundationOne_results.pdf", "genomic_report"),
        ("op_note.txt", "operative_report"),
        ("discharge.pdf", "discharge_summary"),
        ("insurance card front.jpg", "administrative"),
        ("chemo plan.pdf", "treatment_plan"),
        ("report(3).pdf", None),
        ("IMG_0042.jpg", None),
        ("scan.pdf", None),
    ],
)
def test_classify_filename(name: str, kind: str | None) -> None:
    assert classify_filename(name) == kind


def test_ocr_noise_lowers_confidence() -> None:
    clean = SAMPLES[0].text
    junk = "IIIIIIIIIIIIII IIII1IIIIIIIII ^^~~ IIIIIIIIIIIII\n" * 8
    assert classify_text(junk + clean).kind == "pathology_report"
    assert classify_text(junk + clean).confidence < classify_text(clean).confidence


def test_ocr_heading_errors_are_tolerated() -> None:
    text = "SURG1CAL PATH0LOGY REP0RT\nF1NAL DIAGNOS1S:\nbenign breast tissue\nGR0SS DESCRIPTION:\n3 cores"
    assert classify_text(text).kind == "pathology_report"


def test_meaningful_text_ignores_barcode_junk() -> None:
    assert not has_meaningful_text("IIIIIIIIIIIIII Ill1III 12 13\n\n  IIIII lllll ")
    assert has_meaningful_text(SAMPLES[0].text)


def test_never_raises_on_odd_input() -> None:
    for text in (
        "",
        "\x00\x01\x02",
        "\ufeff" * 10,
        "a" * 300_000,
        "Date: 99/99/9999",
        "\u202e" * 50,
    ):
        c = classify_text(text)
        assert c.kind in KINDS


# --------------------------------------------------------------------------
# Real records: TCGA OCR'd pathology report texts (public, de-identified)
# --------------------------------------------------------------------------


def test_tcga_ocr_texts_are_pathology_reports(corpus: Path) -> None:
    path = corpus / "text" / "tcga_pathology_ocr_text_sample30.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 30
    kinds = [classify_text(row["ocr_text"], name=row["pdf_file_name_path"]).kind for row in rows]
    recognised = sum(kind == "pathology_report" for kind in kinds)
    assert recognised / len(rows) >= 0.9, kinds


@pytest.mark.parametrize(
    "letterhead",
    ["CASCADE BREAST IMAGING ASSOCIATES", "Granite State Radiology Partners", "Northside Breast Centre"],
)
def test_a_letterhead_is_not_the_documents_title(letterhead: str) -> None:
    """The name of the centre that wrote a report is not what the report is:
    a chest CT from a breast imaging practice is not a "Breast imaging report"."""
    result = classify_text(
        f"{letterhead}\n"
        "CT CHEST WITH CONTRAST\n"
        "Patient: Harrowgate, Delphine M   DOB: 04/12/1958   Exam date: 03/01/2026\n"
        "CLINICAL HISTORY: Invasive ductal carcinoma of the left breast; staging.\n"
        "FINDINGS: No pulmonary nodules. No lymphadenopathy.\n"
        "IMPRESSION: No evidence of metastatic disease in the chest.\n"
    )
    assert result.kind == "imaging_report"
    assert "breast" not in result.title.lower() and "radiology" not in result.title.lower()


def _date_texts() -> list[str]:
    """Every date shape, in both cases and with look-alike characters, plus the development texts."""
    from tests.notes_devset import NOTES
    from tests.realworld_docs import DOCS

    months = ["jan", "February", "MAR", "apr.", "May", "june",
              "Jul", "aug", "Sept", "oct", "Nov", "DEC"]  # fmt: skip
    shapes = ["{m} 5, 2024", "5 {m} 2024", "5th {m}, 24", "{m}-05-2024", "Seen {m} 31st 2019."]
    texts = [shape.format(m=month) for shape in shapes for month in months]
    texts += ["2024-03-05", "03/05/2024", "5.3.24", "20240305",
              "12-31-99", "1/2/2003/4", "v2.10.2020"]  # fmt: skip
    # Characters that equal a month's first letter when case is ignored (long s, Kelvin
    # sign), other scripts' digits, and text around a date without spaces.
    texts += ["ſep 5, 2024", "\u212aep 5 2024", "٠٣/٠٥/٢٠٢٤", "x12/03/2024y", "DOB:03-04-1950"]
    return texts + [n.text for n in NOTES] + [d.text for d in DOCS] + [s.text for s in SAMPLES]


def test_the_date_look_ahead_finds_exactly_what_the_date_shapes_find() -> None:
    """DATE_RE puts a look-ahead for a digit or a month's first letter before the
    shapes, for speed: it must find the same dates, with the same parts."""
    import re

    from recordpack.classify.dates import DATE_RE, DATE_SHAPES

    bare = re.compile(DATE_SHAPES, re.IGNORECASE)
    found = 0
    for text in _date_texts():
        fast = [(m.span(), m.groupdict()) for m in DATE_RE.finditer(text)]
        assert fast == [(m.span(), m.groupdict()) for m in bare.finditer(text)], text[:60]
        found += len(fast)
    assert found > 500
    assert DATE_RE.search("ſep 5, 2024") is not None  # the look-ahead ignores case as the shapes do


def test_noise_ratio_counts_visible_characters_as_a_regex_would() -> None:
    """noise_ratio counts non-space characters by splitting, not by a list of regex
    matches: the same count, whatever the space characters (every one Unicode has)."""
    import re
    import sys

    from recordpack.classify.text import _BARCODE_RUN, _JUNK_CHAR, noise_ratio

    def by_regex(text: str) -> float:
        sample = text[:20_000]
        visible = len(re.findall(r"\S", sample))
        if visible == 0:
            return 1.0
        junk = sum(len(m.group()) for m in _BARCODE_RUN.finditer(sample))
        return min(1.0, (junk + len(_JUNK_CHAR.findall(sample))) / visible)

    spaces = "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())
    texts = [*_date_texts(), spaces, spaces + "x", "", "IIIIIIII lll ~~ \x1c\x1dword"]
    texts += ["a\u2028b\u3000c\x85d" * 50, "\u00a0".join(_date_texts())]
    assert all(noise_ratio(t) == by_regex(t) for t in texts)
    assert noise_ratio(spaces) == 1.0 and 0 < noise_ratio("IIIIIIII lll ~~ \x1c\x1dword") < 1
