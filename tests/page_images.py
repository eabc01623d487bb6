"""Pictures of printed pages, as a scanner or a camera would take them, for the OCR tests."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont


def text_png(lines: list[str], *, size: int = 44) -> bytes:
    """A picture of a printed page: black text on white, large font."""
    img = Image.new("L", (1800, 120 + 80 * len(lines)), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=size)
    for i, line in enumerate(lines):
        draw.text((70, 60 + 80 * i), line, fill=0, font=font)
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


#: The lines of a scanned pathology report (an invented patient), for text_png.
SCANNED_PAGE = [
    "SURGICAL PATHOLOGY REPORT",
    "Patient Name: QUILLFEATHER, ODESSA M",
    "DOB: 04/12/1961    MRN: 77310452",
    "Collected: 02/03/2026",
    "FINAL DIAGNOSIS:",
    "Breast, left, core biopsy: invasive ductal carcinoma.",
    "GROSS DESCRIPTION:",
    "Received in formalin are three tan-white cores.",
]
