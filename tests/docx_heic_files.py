"""Word letters (.docx, by python-docx) and iPhone photos (HEIC, by pillow-heif) of a page."""

from __future__ import annotations

import io

import docx
from PIL import Image
from pillow_heif import register_heif_opener

from tests.page_images import text_png

#: An invented patient's pathology report, line by line.
PATHOLOGY = [
    "SURGICAL PATHOLOGY REPORT",
    "Patient: LINDQVIST, ORLA   DOB: 03/09/1961   MRN: RP-TEST-7781",
    "Date of procedure: 09/14/2026",
    "Specimen: left breast, core needle biopsy",
    "FINAL DIAGNOSIS: invasive ductal carcinoma, grade 2",
]


def docx_bytes(lines: list[str], table: list[list[str]] | None = None) -> bytes:
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def heic_bytes(lines: list[str]) -> bytes:
    register_heif_opener()
    out = io.BytesIO()
    with Image.open(io.BytesIO(text_png(lines))) as page:
        page.convert("RGB").save(out, format="HEIF", quality=90)
    return out.getvalue()
