"""A FHIR narrative (XHTML ``div``) -> the lines a person reads in it.

Block elements (paragraphs, list items, ``br``, headings) end a line; a table
row is one line whose cells are labelled by the header row above them
("Allergen: Penicillin; Reaction: Hives"), so that a table holding only its
header row gives no line at all: it says nothing.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Final

#: Elements that start a line of their own.
_BLOCKS: Final = frozenset({
    "div", "p", "br", "li", "ul", "ol", "table", "thead", "tbody", "tfoot", "caption",
    "h1", "h2", "h3", "h4", "h5", "h6", "tr", "dt", "dd", "pre", "blockquote", "section",
})
_CELLS: Final = frozenset({"td", "th"})
_SPACES = re.compile(r"\s+")


class _Lines(HTMLParser):
    """Collects a narrative's lines; rows become labelled cells."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.words: list[str] = []  # of the line or cell being read
        self.header: list[str] = []  # the last header row's cells
        self.row: list[tuple[bool, str]] | None = None  # (is header, text) per cell
        self.in_cell = False

    def _flush(self) -> None:
        text = _SPACES.sub(" ", "".join(self.words)).strip()
        self.words = []
        if not text:
            return
        if self.in_cell and self.row is not None:
            self.row[-1] = (self.row[-1][0], text)
        else:
            self.lines.append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _CELLS and self.row is not None:
            self._flush()
            self.in_cell = True
            self.row.append((tag == "th", ""))
        elif tag == "tr":
            self._end_row()
            self.row = []
        elif tag in _BLOCKS and not self.in_cell:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in _CELLS and self.in_cell:
            self._flush()
            self.in_cell = False
        elif tag in ("tr", "table"):
            self._end_row()
        elif tag in _BLOCKS and not self.in_cell:
            self._flush()

    def handle_data(self, data: str) -> None:
        self.words.append(data)

    def finish(self) -> list[str]:
        """The lines read, with any row or line left open ended."""
        self._end_row()
        self._flush()
        return self.lines

    def _end_row(self) -> None:
        if self.in_cell:
            self._flush()
            self.in_cell = False
        row, self.row = self.row, None
        if not row:
            return
        if all(is_header for is_header, _text in row):
            self.header = [text for _h, text in row]
            return
        labels = self.header + [""] * (len(row) - len(self.header))
        cells = [f"{label}: {text}" if label and text else text
                 for label, (_h, text) in zip(labels, row, strict=False) if text]
        if cells:
            self.lines.append("; ".join(cells))


def narrative_lines(div: str) -> list[str]:
    """The lines of text a narrative ``div`` shows, in order (never raises)."""
    reader = _Lines()
    try:
        reader.feed(div)
        reader.close()
    except (AssertionError, ValueError):  # html.parser on badly broken markup
        pass
    return reader.finish()
