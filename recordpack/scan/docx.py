"""Word documents (``.docx``, ``.docm``): clinic letters and reports patients are sent.

The text of the page headers, the body (paragraphs and table cells, in
order) and the page footers is read with python-docx and classified like any
document (the patient line is often only in a page header); when python-docx refuses a
document whose ``word/document.xml`` is still there (no relationships part,
say), its words are read from that part alone. A DOCX is a zip: its entries are
checked first (count, declared size, inflation ratio) so a zip bomb dressed as
a letter is refused before python-docx inflates it. A damaged file is one
``unreadable`` problem; a paper that is not medical is skipped as such.
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Iterator
from typing import Any, Final

from recordpack.classify import classify_text, classify_unreadable, has_meaningful_text
from recordpack.model import NO_TEXT, UNREADABLE, Problem, Skipped
from recordpack.scan.base import MAX_DOCUMENT_BYTES, NOT_A_RECORD, Document, Outcome, Source

FORMAT = "docx"

SUFFIXES: Final = frozenset({".docx", ".docm"})
#: A Word document's parts, unpacked, above this are not a letter: refused unread.
MAX_UNPACKED_BYTES: Final = 256 * 1024 * 1024
MAX_ENTRIES: Final = 5_000
MAX_RATIO: Final = 200
MAX_TEXT_CHARS: Final = 200_000

_ZIP_MAGIC: Final = b"PK\x03\x04"


#: Names a word processor writes first in a .docx (a zip of records holding a .docx does not).
_FIRST_PARTS: Final = (b"[Content_Types].xml", b"_rels/", b"docProps/", b"word/")


def sniff(source: Source) -> bool:
    """A .docx by name, or a zip whose first entry is a Word document's part."""
    if source.suffix in SUFFIXES:
        return True
    head = source.head[:4096]
    if not head.startswith(_ZIP_MAGIC) or len(head) < 30 or b"word/" not in head:
        return False
    (name_length,) = struct.unpack("<H", head[26:28])
    return head[30 : 30 + name_length].startswith(_FIRST_PARTS)


class _Refused(Exception):
    """The zip inside the document is not one a word processor wrote."""


def _check_parts(data: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        declared = sum(info.file_size for info in infos)
        if len(infos) > MAX_ENTRIES or declared > MAX_UNPACKED_BYTES:
            raise _Refused
        for info in infos:
            if info.file_size > 8 * 1024 * 1024 and info.file_size > MAX_RATIO * max(
                info.compress_size, 1
            ):
                raise _Refused


def _cell_texts(table: Any) -> Iterator[str]:
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            text = cell.text.strip()
            if text and (not cells or cells[-1] != text):  # merged cells repeat their text
                cells.append(text)
        if cells:
            yield "  ".join(cells)


#: Sections whose page headers and footers are read: a letter has one or a few.
MAX_SECTIONS: Final = 50
#: Header and footer parts read from a document python-docx refuses.
MAX_MARGIN_PARTS: Final = 20


def _blocks_text(container: Any, budget: int) -> list[str]:
    """Paragraphs and table rows of a body, header or footer, up to ``budget`` characters."""
    from docx.table import Table

    lines: list[str] = []
    size = 0
    for block in container.iter_inner_content():
        if isinstance(block, Table):
            lines.extend(_cell_texts(block))
        else:
            lines.append(block.text)
        size += len(lines[-1]) if lines else 0
        if size > budget:
            break
    return lines


def _margins(document: Any, budget: int) -> tuple[list[str], list[str]]:
    """The text of the page headers and of the page footers, each part once.

    The patient line of a letter or report is often only in its page header.
    """
    heads: list[str] = []
    feet: list[str] = []
    seen: set[int] = set()
    for section in list(document.sections)[:MAX_SECTIONS]:
        for margin, into in (
            (section.first_page_header, heads), (section.header, heads),
            (section.even_page_header, heads), (section.first_page_footer, feet),
            (section.footer, feet), (section.even_page_footer, feet),
        ):  # fmt: skip
            # A margin linked to the previous section's has no part of its own.
            if margin.is_linked_to_previous or id(margin.part) in seen:
                continue
            seen.add(id(margin.part))
            text = "\n".join(_blocks_text(margin, budget)).strip()
            if text and text not in heads + feet:
                into.append(text)
                budget -= len(text)
            if budget <= 0:
                return heads, feet
    return heads, feet


def body_text(data: bytes) -> str:
    """The page headers, the body's paragraphs and table rows (in reading order) and
    the page footers, as plain text."""
    import docx

    document = docx.Document(io.BytesIO(data))
    heads, feet = _margins(document, MAX_TEXT_CHARS // 4)
    lines = [*heads, *_blocks_text(document, MAX_TEXT_CHARS), *feet]
    return "\n".join(lines)[:MAX_TEXT_CHARS]


_W: Final = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _part_lines(archive: zipfile.ZipFile, name: str, budget: int) -> list[str]:
    """The paragraphs of one part of the document, streamed, up to ``budget`` characters."""
    from xml.etree.ElementTree import iterparse

    lines: list[str] = []
    line: list[str] = []
    size = 0
    with archive.open(name) as xml:
        for _event, element in iterparse(xml, events=("end",)):
            if element.tag == f"{_W}t" and element.text:
                line.append(element.text)
            elif element.tag == f"{_W}tab":
                line.append("\t")
            elif element.tag == f"{_W}p":
                lines.append("".join(line))
                size += len(lines[-1])
                line = []
                element.clear()
                if size > budget:
                    break
    return lines


def _margin_names(archive: zipfile.ZipFile, kind: str) -> list[str]:
    return sorted(
        n for n in archive.namelist() if n.startswith(f"word/{kind}") and n.endswith(".xml")
    )[:MAX_MARGIN_PARTS]


def bare_text(data: bytes) -> str:
    """The words of ``word/document.xml`` (and of the page headers and footers), streamed:
    for a document python-docx refuses (missing relationships or styles) whose text is
    still there."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        body = _part_lines(archive, "word/document.xml", MAX_TEXT_CHARS)
        margins: dict[str, list[str]] = {}
        budget = MAX_TEXT_CHARS // 4
        for kind in ("header", "footer"):
            margins[kind] = []
            for name in _margin_names(archive, kind):
                try:
                    text = "\n".join(_part_lines(archive, name, budget)).strip()
                except Exception:  # noqa: BLE001 - a damaged margin is left out, the body read
                    continue
                if text and budget > 0:
                    margins[kind].append(text)
                    budget -= len(text)
    lines = [*margins["header"], *body, *margins["footer"]]
    return "\n".join(lines)[:MAX_TEXT_CHARS]


def _damaged(source: Source, detail: str) -> list[Outcome]:
    return [
        Problem(
            source.path,
            UNREADABLE,
            f"This Word document is damaged and cannot be read ({detail}).",
            hint="Open it in your word processor: if it opens, save it again (or as PDF) and "
            "scan again; otherwise ask the sender for a new copy.",
        ),
        Document.from_classification(
            source.path,
            classify_unreadable(source.name, reason="Word document not readable"),
            format=FORMAT,
        ),
    ]


def scan(source: Source) -> list[Outcome]:
    """Read the document's text and say what it is."""
    try:
        data = source.read_all(MAX_DOCUMENT_BYTES)
    except ValueError:
        return _damaged(source, "it is far larger than a letter or report")
    try:
        _check_parts(data)
    except _Refused:
        return _damaged(source, "it unpacks to far more than a document holds")
    except Exception as error:  # noqa: BLE001 - a zip too damaged to list
        return _damaged(source, type(error).__name__)
    try:
        text = body_text(data)
    except Exception as error:  # noqa: BLE001 - python-docx and lxml raise many types
        try:
            text = bare_text(data)
        except Exception:  # noqa: BLE001 - the first error says more
            return _damaged(source, type(error).__name__)
    if not has_meaningful_text(text, min_words=5):
        return [
            Problem(
                source.path,
                NO_TEXT,
                "This Word document holds no readable text (it may be only pictures).",
                hint="Open it and print it to PDF, then put the PDF in the folder.",
            ),
            Document.from_classification(
                source.path, classify_unreadable(source.name, reason="no text"), format=FORMAT
            ),
        ]
    c = classify_text(text, name=source.name)
    if c.not_record:
        return [Skipped(source.path, NOT_A_RECORD)]
    return [Document.from_classification(source.path, c, format=FORMAT, text=text)]
