"""PDF scanner: synthetic PDFs in several layouts, real scanned reports, broken files."""

from __future__ import annotations

import csv
import io
from datetime import UTC
from pathlib import Path

import pytest
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

from recordpack import ocr
from recordpack.model import Problem
from recordpack.scan import pdf
from recordpack.scan.base import Document, Outcome, Source
from tests.classify_samples import SAMPLES, Sample
from tests.page_images import SCANNED_PAGE, text_png
from tests.prerequisites import require_tool

# --------------------------------------------------------------------------
# Builders
# --------------------------------------------------------------------------


def render_pdf(text: str, layout: int = 0, *, creation_date: object | None = None) -> bytes:
    """A born-digital PDF of ``text`` in one of three layouts (as different institutions print)."""
    doc = FPDF()
    doc.set_auto_page_break(True, margin=15)
    if creation_date is not None:
        doc.set_creation_date(creation_date)  # type: ignore[arg-type]
    doc.add_page()
    lines = text.splitlines()
    if layout == 0:  # plain, one font
        doc.set_font("Helvetica", size=10)
        for line in lines:
            doc.multi_cell(0, 5, line or " ", new_x="LMARGIN", new_y="NEXT")
    elif layout == 1:  # bold centred letterhead, then body; label/value lines in two cells
        doc.set_font("Helvetica", "B", 14)
        doc.cell(0, 8, lines[0], align="C", new_x="LMARGIN", new_y="NEXT")
        doc.set_font("Times", size=11)
        for line in lines[1:]:
            label, sep, value = line.partition(": ")
            if sep and len(label) < 24 and "  " not in line:
                doc.set_font("Times", "B", 11)
                doc.cell(50, 6, label + ":")
                doc.set_font("Times", size=11)
                doc.multi_cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")
            else:
                doc.multi_cell(0, 6, line or " ", new_x="LMARGIN", new_y="NEXT")
    else:  # fixed-width, like a lab system's printout
        doc.set_font("Courier", size=9)
        for line in lines:
            doc.cell(0, 4.5, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(doc.output())


def image_only_pdf(png: bytes) -> bytes:
    """A 'scanned' PDF: one page holding only an image, no text layer."""
    doc = FPDF()
    doc.add_page()
    doc.image(io.BytesIO(png), x=5, y=5, w=200)
    return bytes(doc.output())


def scan_bytes(name: str, data: bytes) -> list[Outcome]:
    source = Source.from_bytes(name, data)
    assert pdf.sniff(source)
    return pdf.scan(source)


def documents(outcomes: list[Outcome]) -> list[Document]:
    return [o for o in outcomes if isinstance(o, Document)]


def problems(outcomes: list[Outcome]) -> list[Problem]:
    return [o for o in outcomes if isinstance(o, Problem)]


# --------------------------------------------------------------------------
# Born-digital PDFs, every kind, three layouts
# --------------------------------------------------------------------------


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.id for s in SAMPLES])
@pytest.mark.parametrize("layout", [0, 1, 2])
def test_synthetic_pdf_kind_date_patient(sample: Sample, layout: int) -> None:
    outcomes = scan_bytes("report(3).pdf", render_pdf(sample.text, layout))
    assert problems(outcomes) == []
    [doc] = documents(outcomes)
    assert doc.kind == sample.kind, doc.evidence
    assert doc.format == "pdf"
    assert doc.patient.name == sample.name
    assert doc.patient.birth_date == sample.birth_date
    assert doc.patient.id == sample.mrn
    if sample.date is not None:
        assert doc.date == sample.date
    assert doc.patient.birth_date is None or doc.date != doc.patient.birth_date


def test_document_text_is_kept_for_content_checks() -> None:
    [doc] = documents(scan_bytes("a.pdf", render_pdf(SAMPLES[0].text)))
    assert "HER2" in doc.text and "Estrogen receptor" in doc.text


def test_creation_date_is_a_flagged_last_resort() -> None:
    from datetime import datetime

    text = "SURGICAL PATHOLOGY REPORT\nFINAL DIAGNOSIS:\nBenign breast tissue.\nGROSS DESCRIPTION:\nTwo cores."
    stamp = datetime(2025, 5, 17, 10, 0, tzinfo=UTC)
    [doc] = documents(scan_bytes("a.pdf", render_pdf(text, creation_date=stamp)))
    assert doc.kind == "pathology_report"
    assert doc.date == "2025-05-17"
    assert any("creation date" in e for e in doc.evidence)
    # A date in the text wins over the metadata.
    dated = text + "\nDate of Procedure: 03/02/2025"
    [doc] = documents(scan_bytes("a.pdf", render_pdf(dated, creation_date=stamp)))
    assert doc.date == "2025-03-02"


def test_sniff_pdf_after_junk_or_by_name() -> None:
    data = render_pdf("hello")
    assert pdf.sniff(Source.from_bytes("x.bin", b"\r\n\r\n" + data))
    assert pdf.sniff(Source.from_bytes("report.PDF", b"<html>error</html>"))
    assert not pdf.sniff(Source.from_bytes("notes.txt", b"plain text"))


# --------------------------------------------------------------------------
# Broken, protected and scanned PDFs
# --------------------------------------------------------------------------


def _encrypt(data: bytes, user_password: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_password_protected_pdf_is_an_encrypted_problem() -> None:
    data = _encrypt(render_pdf(SAMPLES[0].text), "s3cret")
    outcomes = scan_bytes("path_report.pdf", data)
    [problem] = problems(outcomes)
    assert problem.code == "encrypted"
    assert problem.path == "path_report.pdf"
    assert problem.hint and "print to PDF" in problem.hint
    [doc] = documents(outcomes)  # still listed, kind from the file name
    assert doc.kind == "pathology_report"
    assert doc.confidence <= 0.3


def test_pdf_with_only_an_owner_password_is_read() -> None:
    data = _encrypt(render_pdf(SAMPLES[0].text), "")
    outcomes = scan_bytes("x.pdf", data)
    assert problems(outcomes) == []
    assert documents(outcomes)[0].kind == "pathology_report"


def test_truncated_pdf_is_unreadable_with_plain_message() -> None:
    data = render_pdf(SAMPLES[0].text)
    outcomes = scan_bytes("download.pdf", data[: len(data) // 2])
    codes = [p.code for p in problems(outcomes)]
    assert codes == ["unreadable"]
    assert "ends early" in problems(outcomes)[0].message


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n" + bytes(range(256)) * 20 + b"\n%%EOF\n",
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF",
        b"",
        b"<!DOCTYPE html><html><body>Session expired</body></html>",
    ],
    ids=["garbage", "no-pages", "empty", "html-named-pdf"],
)
def test_damaged_pdf_never_raises(data: bytes) -> None:
    outcomes = pdf.scan(Source.from_bytes("broken.pdf", data))
    assert outcomes, "a damaged file must be reported"
    assert all(isinstance(o, (Problem, Document)) for o in outcomes)
    assert any(isinstance(o, Problem) and o.code == "unreadable" for o in outcomes) or documents(
        outcomes
    )


def test_scanned_pdf_without_ocr_is_no_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocr, "available", lambda: False)
    outcomes = scan_bytes("biopsy.pdf", image_only_pdf(text_png(SCANNED_PAGE)))
    [problem] = problems(outcomes)
    assert problem.code == "no_text"
    assert problem.hint and "tesseract" in problem.hint
    [doc] = documents(outcomes)
    assert doc.kind == "pathology_report"  # from the file name, weakly
    assert doc.confidence <= 0.3


@pytest.mark.interop
def test_scanned_pdf_is_read_by_ocr() -> None:
    require_tool("tesseract", "tesseract-ocr")
    outcomes = scan_bytes("scan0001.pdf", image_only_pdf(text_png(SCANNED_PAGE)))
    assert problems(outcomes) == []
    [doc] = documents(outcomes)
    assert doc.kind == "pathology_report"
    assert doc.date == "2026-02-03"
    assert doc.patient.birth_date == "1961-04-12"
    assert "text read by OCR" in doc.evidence


# --------------------------------------------------------------------------
# Real PDFs from the public corpus
# --------------------------------------------------------------------------


def _corpus_pdf_labels(corpus: Path) -> dict[str, str]:
    with (corpus / "labels.csv").open(encoding="utf-8", newline="") as f:
        return {
            row["path"]: row["kind"]
            for row in csv.DictReader(f)
            if row["path"].lower().endswith(".pdf")
        }


@pytest.fixture(scope="module")
def corpus_pdf_results(corpus: Path) -> dict[str, tuple[str, list[Outcome]]]:
    """Every labelled corpus PDF scanned once: path -> (label, outcomes)."""
    results = {}
    for rel, kind in _corpus_pdf_labels(corpus).items():
        data = (corpus / rel).read_bytes()
        results[rel] = (kind, pdf.scan(Source.from_bytes(rel, data)))
    return results


def test_corpus_pdfs_match_labels(corpus_pdf_results: dict[str, tuple[str, list[Outcome]]]) -> None:
    assert len(corpus_pdf_results) >= 17
    wrong = {}
    for rel, (kind, outcomes) in corpus_pdf_results.items():
        docs = documents(outcomes)
        got = docs[0].kind if docs else "(none)"
        if got != kind:
            wrong[rel] = got
    accuracy = 1 - len(wrong) / len(corpus_pdf_results)
    assert accuracy >= 0.9, wrong


def test_tcga_scans_with_noisy_ocr_layer_are_pathology(
    corpus_pdf_results: dict[str, tuple[str, list[Outcome]]],
) -> None:
    tcga = {rel: out for rel, (_, out) in corpus_pdf_results.items() if "tcga-grasool" in rel}
    assert len(tcga) == 15
    for rel, outcomes in tcga.items():
        [doc] = documents(outcomes)
        assert doc.kind == "pathology_report", (rel, doc.evidence)
        assert problems(outcomes) == []
        # The noisy hidden OCR layer is not taken at face value.
        assert doc.confidence < 0.99


def test_born_digital_discharge_summary_patient(
    corpus_pdf_results: dict[str, tuple[str, list[Outcome]]],
) -> None:
    [(_, outcomes)] = [v for k, v in corpus_pdf_results.items() if k.endswith("UD_sample.pdf")]
    [doc] = documents(outcomes)
    assert doc.kind == "discharge_summary"
    assert doc.patient.name == "Levin, Henry L."
    assert doc.patient.id == "12345"
    assert doc.date == "2009-03-26"
