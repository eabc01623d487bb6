"""Lay out a letter's words as a PDF with fpdf2 (a well-kept PDF library).

A Unicode TrueType font (DejaVu Sans, Liberation Sans, Noto Sans or Arial,
whichever the system has) keeps every letter of a name; without one, the
built-in Helvetica is used and characters it lacks are written without their
accents (the plain-text copy always keeps them).
"""

from __future__ import annotations

import functools
import logging
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from recordpack.classify.letters import OWN_LETTER_CREATOR, OWN_LETTER_KEYWORD, OWN_LETTER_SUBJECT
from recordpack.request.letters import LetterText

#: Unicode fonts to look for: (regular, bold), in order of preference.
FONT_CANDIDATES: Final[tuple[tuple[str, str], ...]] = (
    (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    ),
    (
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    ),
    (
        "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
        "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
    ),
    ("/Library/Fonts/Arial Unicode.ttf", "/Library/Fonts/Arial Unicode.ttf"),
    ("C:\\Windows\\Fonts\\arial.ttf", "C:\\Windows\\Fonts\\arialbd.ttf"),
)


def _unicode_font() -> tuple[str, str] | None:
    for regular, bold in FONT_CANDIDATES:
        if Path(regular).is_file() and Path(bold).is_file():
            return regular, bold
    return None


@functools.cache
def _drawable(font_path: str) -> frozenset[int]:
    """The code points a TrueType font has glyphs for."""
    from fontTools.ttLib import TTFont  # fpdf2's own dependency

    with TTFont(font_path, lazy=True) as font:
        return frozenset(font.getBestCmap() or {})


def _all_text(text: LetterText) -> Iterator[str]:
    yield text.title
    for block in text.blocks:
        yield from block.lines
        for label, value in block.fields:
            yield label
            yield value


def undrawable(text: LetterText) -> str:
    """The characters of a letter the PDF cannot show (the text copy keeps them all)."""
    font = _unicode_font()
    chars = dict.fromkeys(c for line in _all_text(text) for c in line if not c.isspace())
    if font is None:
        return "".join(c for c in chars if c.encode("latin-1", "ignore") == b"")
    drawable = _drawable(font[0])
    return "".join(c for c in chars if ord(c) not in drawable)


@contextmanager
def _quiet_fpdf() -> Iterator[None]:
    """fpdf2 logs missing glyphs itself; recordpack reports them once, in plain words."""
    logger = logging.getLogger("fpdf")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _latin1(text: str) -> str:
    """Text the core fonts can draw: Latin-1 kept, other letters without accents."""
    out = []
    for char in text:
        try:
            char.encode("latin-1")
            out.append(char)
        except UnicodeEncodeError:
            plain = unicodedata.normalize("NFKD", char).encode("latin-1", "ignore").decode()
            out.append(plain or "?")
    return "".join(out)


def render_pdf(text: LetterText) -> bytes:
    """The letter as the bytes of a one- or two-page PDF (US Letter).

    Characters the font cannot show are left out (see :func:`undrawable`).
    """
    with _quiet_fpdf():
        return _render(text)


def _render(text: LetterText) -> bytes:
    pdf = FPDF(format="letter")
    pdf.set_title(text.title)
    # What marks the file as recordpack's letter, for a scan of a folder holding it.
    pdf.set_creator(OWN_LETTER_CREATOR)
    pdf.set_subject(OWN_LETTER_SUBJECT)
    pdf.set_keywords(OWN_LETTER_KEYWORD)
    pdf.set_margins(22, 20, 22)
    pdf.set_auto_page_break(True, margin=20)
    font = _unicode_font()
    if font is not None:
        pdf.add_font("Letter", "", font[0])
        pdf.add_font("Letter", "B", font[1])
        family = "Letter"
        clean: Callable[[str], str] = str
    else:
        family = "Helvetica"
        clean = _latin1
    pdf.add_page()
    width = pdf.epw

    for block in text.blocks:
        if block.style == "heading":
            pdf.ln(3)
            pdf.set_font(family, "B", 11)
            pdf.multi_cell(
                width, 6, clean(block.lines[0]), new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L"
            )
        elif block.style == "paragraph":
            pdf.set_font(family, "", 10.5)
            for line in block.lines:
                pdf.ln(2)
                pdf.multi_cell(
                    width, 5.2, clean(line), new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L"
                )
        elif block.style == "footer":
            pdf.set_font(family, "", 7.5)
            pdf.ln(6)
            for line in block.lines:
                pdf.multi_cell(
                    width, 4, clean(line), new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L"
                )
        elif block.style == "list":
            pdf.set_font(family, "", 10.5)
            pdf.ln(1)
            for number, line in enumerate(block.lines, 1):
                pdf.set_x(pdf.l_margin)
                pdf.cell(8, 5.2, f"{number}.")
                pdf.multi_cell(
                    width - 8, 5.2, clean(line), new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L"
                )
                pdf.ln(1)
        else:
            pdf.ln(6 if block.style == "signature" else 2)
            label_width = min(
                max(pdf.get_string_width(f"{label}:") for label, _ in block.fields) + 6,
                width / 2,
            )
            for label, value in block.fields:
                pdf.set_font(family, "B", 10.5)
                pdf.cell(
                    label_width,
                    6 if block.style == "signature" else 5.2,
                    clean(f"{label}:") if label else "",
                )
                pdf.set_font(family, "", 10.5)
                pdf.multi_cell(
                    width - label_width,
                    6 if block.style == "signature" else 5.2,
                    clean(value),
                    new_x=XPos.LMARGIN,
                    new_y=YPos.NEXT,
                    align="L",
                )
    return bytes(pdf.output())


__all__ = ["FONT_CANDIDATES", "render_pdf", "undrawable"]
