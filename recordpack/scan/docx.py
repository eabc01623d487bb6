"""Word documents (``.docx``, ``.docm``): clinic letters and reports patients are sent.

The text of the page headers, the body (paragraphs and table cells, in
order) and the page footers is read with python-docx and classified like any
document (the patient line is often only in a page header); when python-docx refuses a
document whose ``word/document.xml`` is still there (no relationships part,
say), its words are read from that part alone. A DOCX is a zip: its entries are
checked first (count, declared size, inflation ratio) so a zip bomb dressed as
a letter is refused before python-docx inflates it. python-docx holds every XML
part as a tree several times its size: a document whose XML parts are larger
than :data:`MAX_TREE_BYTES` is read the second way, streamed, in small memory.
A damaged file is one ``unreadable`` problem; a paper that is not medical is
skipped as such.
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Iterator
from typing import Any, Final

from recordpack.classify import classify_text, classify_unreadable, has_meaningful_text
from recordpack.model import NO_TEXT, UNREADABLE, Problem, Skipped
from recordpack.scan import xmlfeed
from recordpack.scan.base import (
    MAX_DOCUMENT_BYTES,
    NOT_A_RECORD,
    PARTLY_READ,
    Document,
    Outcome,
    Source,
)

FORMAT = "docx"

SUFFIXES: Final = frozenset({".docx", ".docm"})
#: A Word document's parts, unpacked, above this are not a letter: refused unread.
MAX_UNPACKED_BYTES: Final = 256 * 1024 * 1024
MAX_ENTRIES: Final = 5_000
MAX_RATIO: Final = 200
MAX_TEXT_CHARS: Final = 200_000
#: XML parts (unpacked) above which python-docx is not used: it builds a tree of
#: every part, some 6 times its size (a 240 MB document.xml took 1.5 GB); an
#: ordinary letter or report has well under 1 MB.
MAX_TREE_BYTES: Final = 8 * 1024 * 1024

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


def _check_parts(data: bytes) -> int:
    """The declared unpacked size of the document's XML parts; raises ``_Refused``."""
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
        # zipfile never unpacks more than an entry declares: the sum bounds what is parsed.
        return sum(i.file_size for i in infos if i.filename.lower().endswith((".xml", ".rels")))


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
# Element names as expat gives them (namespace, "}", local name).
_T, _TAB, _P = (f"{_W[1:]}{name}" for name in ("t", "tab", "p"))


class _Enough(Exception):
    """The budget of text is read: the rest of the part is not needed."""


class PartlyRead(Exception):
    """Reading a part stopped at markup over a limit: what was before it is kept."""

    def __init__(self, lines: list[str], cut: str) -> None:
        super().__init__(cut)
        self.lines = lines
        self.cut = cut


def _part_lines(archive: zipfile.ZipFile, name: str, budget: int) -> list[str]:
    """The paragraphs of one part of the document, streamed, up to ``budget`` characters.

    Memory stays small whatever the part's size: only the text kept is held.
    Raises :class:`PartlyRead` (with the paragraphs before it) when one tag is over
    the limits of :mod:`recordpack.scan.xmlfeed`, ``expat.ExpatError`` when the part
    is not well-formed and ``ValueError`` when it declares XML entities.
    """
    from xml.parsers import expat

    lines: list[str] = []
    line: list[str] = []  # pieces of the paragraph being read
    size = 0  # of the lines kept (with their line breaks) and of the pieces
    in_text = False

    def start(tag: str, attributes: dict[str, str]) -> None:
        nonlocal in_text
        xmlfeed.check_attributes(tag, attributes)
        in_text = tag == _T

    def end(tag: str) -> None:
        nonlocal in_text, line, size
        in_text = False
        if tag == _TAB:  # also a tab stop in the paragraph's properties, as before
            line.append("\t")
            size += 1
        elif tag == _P:
            lines.append("".join(line))
            size += 1
            line = []
            if size > budget:
                raise _Enough

    def data(text: str) -> None:
        nonlocal size
        if in_text:
            line.append(text)
            size += len(text)
            if size > budget:  # one paragraph the size of a book: keep what fits
                lines.append("".join(line))
                raise _Enough

    def refuse_entity(entity: str, *_args: object) -> None:
        raise ValueError(f"the part declares its own XML entity '{entity}'")

    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = data
    parser.EntityDeclHandler = refuse_entity
    parser.UnparsedEntityDeclHandler = refuse_entity
    with archive.open(name) as xml:
        try:
            xmlfeed.feed(parser, xml)
        except _Enough:
            pass
        except (xmlfeed.MarkupTooLong, xmlfeed.TooManyAttributes) as exc:
            raise PartlyRead([*lines, "".join(line)] if line else lines, str(exc)) from None
    return lines


def _margin_names(archive: zipfile.ZipFile, kind: str) -> list[str]:
    return sorted(
        n for n in archive.namelist() if n.startswith(f"word/{kind}") and n.endswith(".xml")
    )[:MAX_MARGIN_PARTS]


def bare_text(data: bytes) -> tuple[str, str | None]:
    """The words of ``word/document.xml`` (and of the page headers and footers), streamed,
    and what was not read when a part holds a tag over the limits (else None): for a
    document too large for python-docx, or one it refuses (missing relationships or
    styles) whose text is still there."""
    cut: str | None = None
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        try:
            body = _part_lines(archive, "word/document.xml", MAX_TEXT_CHARS)
        except PartlyRead as exc:
            body, cut = exc.lines, f"in its text, {exc.cut}"
        margins: dict[str, list[str]] = {}
        budget = MAX_TEXT_CHARS // 4
        for kind in ("header", "footer"):
            margins[kind] = []
            for name in _margin_names(archive, kind):
                try:
                    lines = _part_lines(archive, name, budget)
                except PartlyRead as exc:
                    lines, cut = exc.lines, cut or f"in a page {kind}, {exc.cut}"
                except Exception:  # noqa: BLE001 - a damaged margin is left out, the body read
                    continue
                text = "\n".join(lines).strip()
                if text and budget > 0:
                    margins[kind].append(text)
                    budget -= len(text)
    lines = [*margins["header"], *body, *margins["footer"]]
    return "\n".join(lines)[:MAX_TEXT_CHARS], cut


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
        xml_size = _check_parts(data)
    except _Refused:
        return _damaged(source, "it unpacks to far more than a document holds")
    except Exception as error:  # noqa: BLE001 - a zip too damaged to list
        return _damaged(source, type(error).__name__)
    cut: str | None = None
    try:
        if xml_size > MAX_TREE_BYTES:
            text, cut = bare_text(data)
        else:
            text = body_text(data)
    except Exception as error:  # noqa: BLE001 - python-docx and lxml raise many types
        try:
            text, cut = bare_text(data)
        except Exception:  # noqa: BLE001 - the first error says more
            return _damaged(source, type(error).__name__)
    partly: list[Outcome] = []
    if cut is not None:
        partly.append(Problem(
            source.path, PARTLY_READ,
            f"Only part of this Word document was read: {cut}, more than recordpack reads "
            "of one element; it and the rest of that part were not looked at.",
            hint="The file is included as it is; if its content matters, open it and save "
                 "it again (or as PDF), then scan again.",
        ))  # fmt: skip
    if not has_meaningful_text(text, min_words=5) and partly:
        # Not "holds no text": what was not read may hold it.
        reason = "Word document only partly read"
        return [*partly, Document.from_classification(
            source.path, classify_unreadable(source.name, reason=reason), format=FORMAT)]
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
    if c.not_record and not partly:
        # Only when all of it was read: the unread rest may be the medical part.
        return [Skipped(source.path, NOT_A_RECORD)]
    return [Document.from_classification(source.path, c, format=FORMAT, text=text), *partly]
