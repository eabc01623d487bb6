"""Word letters (.docx) and iPhone photos (HEIC/HEIF) are read, not called unsupported.

Files made by python-docx and pillow-heif (tests/docx_heic_files.py), with invented
names; photos are read by the real tesseract.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from PIL import Image

from recordpack.scan import scan_folder
from tests.docx_heic_files import PATHOLOGY, docx_bytes, heic_bytes
from tests.page_images import text_png
from tests.prerequisites import require_tool

RECIPE = [
    "Grandma's apple cake",
    "Ingredients: 3 apples, 2 cups flour, 1 teaspoon cinnamon",
    "Preheat the oven to 180 degrees.",
    "Whisk the eggs and sugar, then bake for 40 minutes. Serves 8.",
]


def test_a_docx_pathology_report_is_read_with_its_table(tmp_path: Path) -> None:
    data = docx_bytes(
        PATHOLOGY[:4],
        [["Test", "Result"], ["FINAL DIAGNOSIS", "invasive ductal carcinoma, grade 2"],
         ["Estrogen receptor", "positive, 95%"]],
    )
    (tmp_path / "Pathology letter.docx").write_bytes(data)
    result = scan_folder(tmp_path)
    assert not result.problems
    (record,) = result.records
    assert record.kind == "pathology_report"
    assert record.date == "2026-09-14"
    assert record.patient.name and "LINDQVIST" in record.patient.name.upper()


def test_a_docx_without_its_extension_is_still_a_document(tmp_path: Path) -> None:
    (tmp_path / "letter_download").write_bytes(docx_bytes(PATHOLOGY))
    (record,) = scan_folder(tmp_path).records
    assert record.kind == "pathology_report" and record.files == ("letter_download",)


def test_a_docx_recipe_is_skipped_as_not_a_medical_record(tmp_path: Path) -> None:
    (tmp_path / "cake.docx").write_bytes(docx_bytes(RECIPE))
    result = scan_folder(tmp_path)
    assert not result.records and not result.problems
    assert [(s.path, s.reason) for s in result.skipped] == [("cake.docx", "not a medical record")]


@pytest.mark.parametrize("cut", [0.5, 0.1])
def test_a_damaged_docx_is_one_unreadable_problem(tmp_path: Path, cut: float) -> None:
    data = docx_bytes(PATHOLOGY)
    (tmp_path / "report.docx").write_bytes(data[: int(len(data) * cut)])
    result = scan_folder(tmp_path)
    (problem,) = result.problems
    assert problem.code == "unreadable" and problem.path == "report.docx"
    assert "Word document is damaged" in problem.message
    assert all(r.confidence < 0.5 for r in result.records)


def test_a_docx_bomb_is_refused_before_it_is_inflated(tmp_path: Path) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx_bytes(PATHOLOGY))) as src, zipfile.ZipFile(
        out, "w", zipfile.ZIP_DEFLATED
    ) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("word/media/padding.bin", bytes(300 * 1024 * 1024))
    (tmp_path / "big.docx").write_bytes(out.getvalue())
    (problem,) = scan_folder(tmp_path).problems
    assert problem.code == "unreadable" and "far more" in problem.message


@pytest.mark.interop
def test_an_iphone_heic_photo_of_a_report_is_read_by_ocr(tmp_path: Path) -> None:
    require_tool("tesseract", "tesseract-ocr")
    (tmp_path / "IMG_2231.HEIC").write_bytes(heic_bytes(PATHOLOGY))
    result = scan_folder(tmp_path)
    assert not result.problems
    (record,) = result.records
    assert record.kind == "pathology_report" and record.date == "2026-09-14"
    assert "text read by OCR" in record.evidence


@pytest.mark.interop
def test_a_photo_of_a_recipe_is_skipped_as_not_a_medical_record(tmp_path: Path) -> None:
    require_tool("tesseract", "tesseract-ocr")
    out = io.BytesIO()
    with Image.open(io.BytesIO(text_png(RECIPE))) as page:
        page.convert("RGB").save(out, format="JPEG")
    (tmp_path / "IMG_0007.jpg").write_bytes(out.getvalue())
    (tmp_path / "IMG_0008.heic").write_bytes(heic_bytes(RECIPE))
    result = scan_folder(tmp_path)
    assert not result.records and not result.problems
    assert {(s.path, s.reason) for s in result.skipped} == {
        ("IMG_0007.jpg", "not a medical record"),
        ("IMG_0008.heic", "not a medical record"),
    }


def test_a_bare_docx_python_docx_refuses_is_read_from_its_document_part(tmp_path: Path) -> None:
    """No relationships part: python-docx refuses it, but the words are there."""
    body = "".join(f"<w:p><w:r><w:t>{line}</w:t></w:r></w:p>" for line in PATHOLOGY)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(
            "word/document.xml",
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body>{body}</w:body></w:document>",
        )
    with pytest.raises(Exception):  # noqa: B017 - whatever python-docx raises
        docx.Document(io.BytesIO(out.getvalue()))
    (tmp_path / "bare.docx").write_bytes(out.getvalue())
    result = scan_folder(tmp_path)
    assert not result.problems
    (record,) = result.records
    assert record.kind == "pathology_report" and record.date == "2026-09-14"


def test_a_zip_holding_a_stored_docx_is_still_read_as_a_zip(tmp_path: Path) -> None:
    """The Word document's part names show in the zip's first bytes; it is still a download."""
    with zipfile.ZipFile(tmp_path / "download", "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("letters/pathology.docx", docx_bytes(PATHOLOGY))
    (record,) = scan_folder(tmp_path).records
    assert record.files == ("download!letters/pathology.docx",)
    assert record.kind == "pathology_report"
