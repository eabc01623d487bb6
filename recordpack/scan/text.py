"""Plain-text scanner: .txt, .rtf, .md, .html and unknown files that decode as text.

Runs after the structured scanners (C-CDA, FHIR, HL7 v2) and still refuses
anything that looks like XML, JSON or an HL7 message, so it never steals
their files. Handles byte-order marks, CRLF line ends and legacy encodings
(cp1252 / latin-1 fallback).
"""

from __future__ import annotations

import codecs
import re
from html.parser import HTMLParser
from typing import Final

from recordpack.classify import classify_text
from recordpack.model import UNREADABLE, UNSUPPORTED, Problem, Skipped
from recordpack.scan.base import NOT_A_RECORD, Document, Outcome, Source

FORMAT = "text"

#: Extensions read as text documents.
TEXT_SUFFIXES: Final = frozenset(
    {
        ".txt",
        ".text",
        ".rtf",
        ".md",
        ".markdown",
        ".html",
        ".htm",
        ".xhtml",
        ".asc",
        ".log",
        ".note",
        ".csv",
        ".tsv",
    }
)
#: Extensions the structured scanners own; never claimed here.
STRUCTURED_SUFFIXES: Final = frozenset(
    {".xml", ".json", ".ndjson", ".hl7", ".ccda", ".cda", ".fhir", ".dcm", ".pdf", ".zip"}
)
#: Bytes read from a text file: records are small; a huge "text" file is
#: a log or a data dump, classified from its beginning.
MAX_TEXT_BYTES: Final = 4 * 1024 * 1024
MAX_TEXT_CHARS: Final = 200_000

_BOMS: Final = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_STRUCTURED_START = re.compile(
    rb"^\s*(?:<\?xml|<ClinicalDocument|<[A-Za-z][\w.-]*:ClinicalDocument|<Bundle|<Patient\b|"
    rb"\{(?!\\rtf)|\[|MSH\||FHS\||BHS\||<!--)"
)
_HTML_START = re.compile(
    rb"^\s*(?:<!doctype\s+html|<html|<head|<body|<meta|<title|<div|<p\b|<table)", re.IGNORECASE
)


def _strip_bom(data: bytes) -> tuple[bytes, str | None]:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :], encoding
    return data, None


def decode(data: bytes) -> str:
    """Text from bytes: BOM if any, else UTF-8, else Windows-1252, else latin-1."""
    body, encoding = _strip_bom(data)
    if encoding is not None:
        return body.decode(encoding, "replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A file cut mid-character at our read limit is still UTF-8.
        if exc.start >= len(body) - 4:
            return body[: exc.start].decode("utf-8")
    try:
        return body.decode("cp1252")
    except UnicodeDecodeError:
        return body.decode("latin-1")


def looks_like_text(head: bytes) -> bool:
    """Whether the bytes are text (no NULs unless UTF-16/32, few control characters)."""
    body, encoding = _strip_bom(head[:8192])
    if encoding is not None and encoding.startswith(("utf-16", "utf-32")):
        return True
    if not body or b"\x00" in body:
        return False
    controls = sum(1 for b in body if b < 32 and b not in (9, 10, 12, 13, 27))
    if controls > len(body) // 100:
        return False
    try:
        body.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        if exc.start >= len(body) - 4:
            return True
    # Legacy 8-bit text: mostly printable ASCII.
    printable = sum(1 for b in body if 32 <= b < 127 or b in (9, 10, 13))
    return printable >= 0.9 * len(body)


def _is_structured(head: bytes) -> bool:
    body, encoding = _strip_bom(head[:4096])
    if encoding is not None and encoding != "utf-8":
        body = body.decode(encoding, "replace").encode("utf-8", "replace")
    return _STRUCTURED_START.match(body) is not None


def sniff(source: Source) -> bool:
    """Text documents by extension, or any file whose head decodes as text.

    Never XML, JSON or HL7 v2 content (even named .txt): those belong to the
    structured scanners.
    """
    if source.suffix in STRUCTURED_SUFFIXES:
        return False
    if source.suffix in TEXT_SUFFIXES:
        return not _is_structured(source.head)
    if source.size == 0:
        return False
    return looks_like_text(source.head) and not _is_structured(source.head)


def scan(source: Source) -> list[Outcome]:
    """Read the text and classify it; a read error is reported by the walker."""
    if source.size == 0:
        return [
            Problem(
                source.path,
                UNREADABLE,
                "This file is empty.",
                hint="Download or copy it again; if it is empty at the source, leave it out.",
            )
        ]
    with source.open() as stream:
        data = stream.read(MAX_TEXT_BYTES)
    if source.suffix in (".rtf",) or data.lstrip().startswith(b"{\\rtf"):
        text = rtf_to_text(decode(data))
    elif source.suffix in (".html", ".htm", ".xhtml") or _HTML_START.match(data[:1024]):
        text = html_to_text(decode(data))
    else:
        if not looks_like_text(data):
            return [
                Problem(
                    source.path,
                    UNSUPPORTED,
                    "This file is not a document recordpack can read.",
                    hint="If it is a medical record, save or export it as PDF and scan again.",
                )
            ]
        text = decode(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")[:MAX_TEXT_CHARS]
    if not text.strip():
        return [
            Problem(
                source.path,
                UNREADABLE,
                "This file holds no text.",
                hint="Download or copy it again; if it is empty at the source, leave it out.",
            )
        ]
    c = classify_text(text, name=source.name)
    if c.not_record:
        return [Skipped(source.path, NOT_A_RECORD)]
    return [Document.from_classification(source.path, c, format=FORMAT, text=text)]


# --------------------------------------------------------------------------
# HTML and RTF
# --------------------------------------------------------------------------

_BLOCK_TAGS: Final = frozenset(
    {
        "p",
        "div",
        "br",
        "tr",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "table",
        "section",
        "article",
        "header",
        "footer",
        "ul",
        "ol",
        "dt",
        "dd",
        "pre",
        "blockquote",
        "hr",
        "title",
    }
)


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append("  ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def _escape_unclosed(html: str) -> str:
    """The page with markup openers that nothing closes written as text (``&lt;``).

    html.parser rescans an unclosed ``<!--``, ``<![`` or ``<`` from its start at
    every later one: 100,000 of them took hours. Nothing after the last ``>``
    (``-->``, ``]]>``) can be markup, so escaping them there changes no text.
    """
    cut = html.rfind(">") + 1
    head, tail = html[:cut], html[cut:].replace("<", "&lt;")
    for opener, closer in (("<!--", "-->"), ("<![", "]]>")):
        end = head.rfind(closer) + len(closer) if closer in head else 0
        head = head[:end] + head[end:].replace(opener, "&lt;" + opener[1:])
    return head + tail


def html_to_text(html: str) -> str:
    """Visible text of an HTML page, one line per block (scripts and styles dropped)."""
    parser = _TextExtractor()
    try:
        parser.feed(_escape_unclosed(html))
        parser.close()
    except Exception:  # noqa: BLE001 - html.parser is lenient; keep what was read if it still fails
        pass
    lines = (" ".join(line.split()) for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)


_RTF_TOKEN = re.compile(
    r"\\([a-zA-Z]+)(-?\d+)? ?|\\'([0-9a-fA-F]{2})|\\(.)|([{}])|([^\\{}]+)", re.DOTALL
)
_RTF_DESTINATIONS: Final = frozenset(
    {
        "fonttbl",
        "colortbl",
        "stylesheet",
        "info",
        "pict",
        "header",
        "footer",
        "headerl",
        "headerr",
        "footerl",
        "footerr",
        "object",
        "datastore",
        "themedata",
        "listtable",
        "listoverridetable",
        "rsidtbl",
        "generator",
        "xmlnstbl",
        "latentstyles",
        "filetbl",
        "revtbl",
        "colorschememapping",
    }
)
_RTF_BREAKS: Final = {
    "par": "\n",
    "line": "\n",
    "sect": "\n",
    "page": "\n",
    "row": "\n",
    "tab": "\t",
    "cell": "  ",
    "emdash": "—",
    "endash": "–",
    "bullet": "•",
    "lquote": "‘",
    "rquote": "’",
    "ldblquote": "“",
    "rdblquote": "”",
}


def rtf_to_text(rtf: str) -> str:
    """Plain text of an RTF document: control words dropped, paragraphs kept.

    A small state machine over groups: destinations (font tables, pictures,
    ``{\\*...}`` groups) are skipped, ``\\'hh`` and ``\\uN`` escapes decoded.
    """
    out: list[str] = []
    stack: list[tuple[bool, int]] = []
    skipping = False
    uc = 1  # characters to skip after a \uN escape
    pending_skip = 0
    for m in _RTF_TOKEN.finditer(rtf):
        word, arg, hexbyte, symbol, brace, plain = m.groups()
        if brace == "{":
            stack.append((skipping, uc))
            continue
        if brace == "}":
            skipping, uc = stack.pop() if stack else (False, 1)
            continue
        if word is not None:
            if word in _RTF_DESTINATIONS:
                skipping = True
            elif skipping:
                continue
            elif word == "uc" and arg is not None:
                uc = int(arg)
            elif word == "u" and arg is not None:
                code = int(arg)
                out.append(chr(code + 65536 if code < 0 else code))
                pending_skip = uc
            elif word in _RTF_BREAKS:
                out.append(_RTF_BREAKS[word])
            continue
        if symbol is not None:
            if symbol == "*":
                skipping = True
            elif not skipping and symbol in "\\{}":
                out.append(symbol)
            elif not skipping and symbol == "~":
                out.append(" ")
            elif not skipping and symbol in "\n\r":
                out.append("\n")
            continue
        if skipping:
            continue
        if hexbyte is not None:
            if pending_skip:
                pending_skip -= 1
                continue
            out.append(bytes([int(hexbyte, 16)]).decode("cp1252", "replace"))
            continue
        if plain is not None:
            plain = plain.replace("\r", "").replace("\n", "")
            if pending_skip:
                drop = min(pending_skip, len(plain))
                plain = plain[drop:]
                pending_skip -= drop
            out.append(plain)
    lines = (line.strip() for line in "".join(out).split("\n"))
    return "\n".join(lines).strip()
