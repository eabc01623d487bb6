"""OCR wrapper and the image scanner: photos and scans of documents."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from recordpack import ocr
from recordpack.model import Problem
from recordpack.scan import image
from recordpack.scan.base import Document, Source
from tests.page_images import SCANNED_PAGE, text_png
from tests.prerequisites import require_tool

LAB_PAGE = [
    "LABORATORY REPORT",
    "Patient Name: Fenwick, Augustin R.",
    "Collected: 10/02/2026",
    "Test          Result   Units    Reference Range",
    "Hemoglobin    10.8     g/dL     13.5-17.5",
    "Platelets     142      K/uL     150-400",
]


def _as(fmt: str, png: bytes, **save: object) -> bytes:
    out = io.BytesIO()
    with Image.open(io.BytesIO(png)) as img:
        img.convert("RGB" if fmt == "JPEG" else "L").save(out, format=fmt, **save)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("a.jpg", "JPEG"),
        ("b.png", "PNG"),
        ("c.tif", "TIFF"),
        ("d.bmp", "BMP"),
        ("e.gif", "GIF"),
        ("IMG_0042", "JPEG"),
    ],
)
def test_images_are_sniffed_by_magic_bytes(name: str, fmt: str) -> None:
    data = _as(fmt, text_png(["x"], size=20))
    assert image.sniff(Source.from_bytes(name, data))


def test_non_images_are_not_sniffed() -> None:
    for data in (b"%PDF-1.7", b"BMW car manual text", b"hello", bytes(300)):
        assert not image.sniff(Source.from_bytes("x.jpg", data))


def test_damaged_heic_photo_is_one_unreadable_problem() -> None:
    data = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(100)
    source = Source.from_bytes("IMG_1234.HEIC", data)
    assert image.sniff(source)
    out = image.scan(source)
    (problem,) = [o for o in out if isinstance(o, Problem)]
    assert problem.code == "unreadable"
    assert problem.hint


def test_without_tesseract_a_photo_is_no_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocr, "available", lambda: False)
    out = image.scan(Source.from_bytes("labs_march.jpg", _as("JPEG", text_png(LAB_PAGE))))
    problem = next(o for o in out if isinstance(o, Problem))
    assert problem.code == "no_text"
    assert problem.hint and "tesseract" in problem.hint
    doc = next(o for o in out if isinstance(o, Document))
    assert doc.kind == "lab_result"  # from the file name only
    assert doc.confidence <= 0.3


def test_image_to_text_without_tesseract_raises_typed_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ocr.shutil, "which", lambda name: None)  # type: ignore[attr-defined]
    with pytest.raises(ocr.OcrError) as err:
        ocr.image_to_text(b"\x89PNG")
    assert err.value.hint and "tesseract" in err.value.hint


def test_prepare_image_rejects_corrupt_data() -> None:
    png = text_png(["x"], size=20)
    with pytest.raises(ocr.OcrError):
        ocr.prepare_image(png[: len(png) // 3])
    with pytest.raises(ocr.OcrError):
        ocr.prepare_image(b"not an image at all")


def test_prepare_image_turns_multipage_tiff_into_pages() -> None:
    pages = [Image.open(io.BytesIO(text_png([f"page {i}"], size=20))) for i in range(3)]
    out = io.BytesIO()
    pages[0].save(out, format="TIFF", save_all=True, append_images=pages[1:])
    assert len(ocr.prepare_image(out.getvalue())) == 3


@pytest.mark.interop
def test_tesseract_reads_printed_text() -> None:
    require_tool("tesseract", "tesseract-ocr")
    assert ocr.available()
    text = ocr.image_to_text(text_png(["SURGICAL PATHOLOGY REPORT"]))
    assert "PATHOLOGY" in text.upper()


@pytest.mark.interop
def test_tesseract_failure_is_a_typed_error() -> None:
    require_tool("tesseract", "tesseract-ocr")
    with pytest.raises(ocr.OcrError):
        ocr.image_to_text(b"definitely not an image")


@pytest.mark.interop
@pytest.mark.parametrize(
    ("fmt", "lines", "kind"),
    [("JPEG", SCANNED_PAGE, "pathology_report"), ("PNG", LAB_PAGE, "lab_result")],
)
def test_photo_of_a_document_is_classified(fmt: str, lines: list[str], kind: str) -> None:
    require_tool("tesseract", "tesseract-ocr")
    data = _as(fmt, text_png(lines))
    out = image.scan(Source.from_bytes("IMG_0042", data))
    assert [type(o) for o in out] == [Document]
    doc = out[0]
    assert isinstance(doc, Document)
    assert doc.kind == kind
    assert doc.format == "image"
    assert "text read by OCR" in doc.evidence
    assert doc.date in ("2026-02-03", "2026-10-02")


@pytest.mark.interop
def test_picture_without_text_is_no_text() -> None:
    require_tool("tesseract", "tesseract-ocr")
    img = Image.new("RGB", (400, 300), (200, 120, 90))
    buf = io.BytesIO()
    img.save(buf, format="JPEG")
    out = image.scan(Source.from_bytes("photo.jpg", buf.getvalue()))
    assert any(isinstance(o, Problem) and o.code == "no_text" for o in out)


def test_corrupt_image_is_a_problem_not_a_crash() -> None:
    png = text_png(["x"], size=20)
    out = image.scan(Source.from_bytes("broken.png", png[:60]))
    assert any(isinstance(o, Problem) for o in out)
