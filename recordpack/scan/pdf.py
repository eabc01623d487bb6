"""PDF scanner: text layer (or OCR of scanned pages) -> kind, date, patient.

pypdf reads the text page by page, up to :data:`MAX_PAGES` pages and
:data:`MAX_TEXT_CHARS` characters. A password-protected PDF is an
``encrypted`` problem, a damaged or truncated one an ``unreadable`` problem,
and a scan without a usable text layer is read by OCR when tesseract is
installed, else it is a ``no_text`` problem. In every problem case the file
still appears as a low-confidence record so the user sees it.
"""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any, BinaryIO, Final

from recordpack import ocr
from recordpack.classify import (
    Classification,
    classify_text,
    classify_unreadable,
    has_meaningful_text,
)
from recordpack.classify.letters import written_by_recordpack
from recordpack.model import ENCRYPTED, NO_TEXT, UNREADABLE, Problem, Skipped
from recordpack.quiet import quiet_libraries
from recordpack.scan import pdffonts
from recordpack.scan.base import NOT_A_RECORD, PARTLY_READ, Document, Outcome, Source

FORMAT = "pdf"

#: Pages whose text is read; the first pages say what a record is.
MAX_PAGES: Final = 30
#: Pages whose images are OCR'd when there is no text layer (OCR is slow).
MAX_OCR_PAGES: Final = 10
#: A text layer with at least this many words and no picture on its pages is a
#: born-digital document, read as text however short (below the usual 12 words).
SHORT_TEXT_WORDS: Final = 3
#: An inline image in a content stream: ``BI /W 100 /H 100 ... ID``.
_INLINE_IMAGE: Final = re.compile(rb"(?<![A-Za-z])BI\s+/")
#: Characters of text kept per document (check searches it for content).
MAX_TEXT_CHARS: Final = 200_000
#: Images smaller than this (logos, barcodes, rules) are not worth OCR.
MIN_OCR_PIXELS: Final = 200 * 200
#: Bytes at the end of the file searched for the %%EOF marker.
TAIL_SIZE: Final = 8 * 1024

_ENCRYPTED_HINT: Final = (
    "Ask the sender for a copy without a password, or open it with its password and "
    "'print to PDF' to save an unprotected copy, then scan again."
)
_DAMAGED_HINT: Final = "Download or copy the file again from where it came from."


def sniff(source: Source) -> bool:
    """A PDF: ``%PDF-`` in the first KiB (some PDFs start with junk), or a .pdf name."""
    return b"%PDF-" in source.head[:1024] or source.suffix == ".pdf"


def scan(source: Source) -> list[Outcome]:
    """Read the PDF and say what it is; never raises for bad input."""
    with quiet_libraries(), _stream_limit():
        try:
            return _scan(source)
        except Exception as exc:  # noqa: BLE001 - pypdf raises many types on hostile input
            return [
                Problem(
                    source.path,
                    UNREADABLE,
                    f"This PDF is damaged and cannot be read ({_describe(exc)}).",
                    hint=_DAMAGED_HINT,
                )
            ]


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:120] if text else type(exc).__name__


def _document(
    source: Source,
    c: Classification,
    *,
    text: str = "",
    confidence: float | None = None,
    extra: tuple[str, ...] = (),
) -> Document:
    return Document.from_classification(
        source.path,
        c,
        format=FORMAT,
        text=text[:MAX_TEXT_CHARS],
        confidence=confidence,
        extra_evidence=extra,
    )


def _open(source: Source) -> BinaryIO:
    stream = source.open()
    if stream.seekable():
        return stream
    # pypdf needs random access (archive members may not offer it).
    with stream:
        return io.BytesIO(source.read_all())


def _truncated(stream: BinaryIO, size: int) -> bool:
    stream.seek(max(0, size - TAIL_SIZE))
    tail = stream.read(TAIL_SIZE)
    stream.seek(0)
    return b"%%EOF" not in tail


#: Bytes one PDF stream may inflate to (a page's content, one picture): a 600 dpi
#: colour page is about 100 MB raw, but a records PDF's are far smaller; pypdf's
#: own default (75 MB) let one crafted page cost 150 MB of memory.
MAX_STREAM_BYTES: Final = 40 * 1024 * 1024


@contextmanager
def _stream_limit() -> Iterator[None]:
    """Within the block, pypdf inflates no stream past :data:`MAX_STREAM_BYTES`."""
    import pypdf

    apply = getattr(pypdf, "apply_configuration", None)
    if apply is None:  # pypdf before 7 reads a module constant
        import pypdf.filters

        limit = min(pypdf.filters.ZLIB_MAX_OUTPUT_LENGTH, MAX_STREAM_BYTES)
        pypdf.filters.ZLIB_MAX_OUTPUT_LENGTH = limit
        yield
        return
    current = pypdf.get_configuration().zlib_maximum_output_length
    with apply(zlib_maximum_output_length=min(current or MAX_STREAM_BYTES, MAX_STREAM_BYTES)):
        yield


def _scan(source: Source) -> list[Outcome]:
    from pypdf import PasswordType, PdfReader

    pdffonts.install()

    if b"%PDF-" not in source.head[:1024]:
        return [
            Problem(
                source.path,
                UNREADABLE,
                "This file is named .pdf but is not a PDF (it may be a web page or an "
                "error message saved under a PDF name).",
                hint=_DAMAGED_HINT,
            )
        ]
    outcomes: list[Outcome] = []
    with _open(source) as stream:
        truncated = _truncated(stream, source.size)
        if truncated:
            outcomes.append(
                Problem(
                    source.path,
                    UNREADABLE,
                    "PDF ends early: the file is incomplete.",
                    hint=_DAMAGED_HINT,
                )
            )
        try:
            reader = PdfReader(stream, strict=False)
            if reader.is_encrypted:
                try:
                    opened = reader.decrypt("") != PasswordType.NOT_DECRYPTED
                except Exception:  # noqa: BLE001 - unsupported encryption: the same for the user
                    opened = False
                if not opened:
                    outcomes.append(
                        Problem(
                            source.path,
                            ENCRYPTED,
                            "This PDF is password-protected.",
                            hint=_ENCRYPTED_HINT,
                        )
                    )
                    c = classify_unreadable(source.name, reason="password-protected")
                    outcomes.append(_document(source, c))
                    return outcomes
            text, _pages = _extract_text(reader)
        except Exception as exc:  # noqa: BLE001 - untrusted input may raise anything
            if not truncated:
                outcomes.append(
                    Problem(
                        source.path,
                        UNREADABLE,
                        f"This PDF is damaged and cannot be read ({_describe(exc)}).",
                        hint=_DAMAGED_HINT,
                    )
                )
            c = classify_unreadable(source.name, reason="damaged file")
            if c.kind != "other":
                outcomes.append(_document(source, c))
            return outcomes

        if has_meaningful_text(text) or (
            has_meaningful_text(text, min_words=SHORT_TEXT_WORDS)
            and not _has_page_images(reader, len(reader.pages))
        ):
            # A born-digital page is read as written, however short ("PSA 7.9 ng/mL ...").
            c = classify_text(text, name=source.name, own_letter=_own_letter(reader))
            if c.not_record:
                return [*outcomes, Skipped(source.path, NOT_A_RECORD)]
            confidence = min(c.confidence, 0.4) if truncated else None
            outcomes.append(_with_metadata_date(source, c, reader, text, confidence=confidence))
            return outcomes

        # No usable text layer: a scan. Read its page images if we can.
        if not ocr.available():
            outcomes.append(
                Problem(
                    source.path,
                    NO_TEXT,
                    "This PDF is a scan (pictures of pages, no text), and no OCR "
                    "program is installed to read it.",
                    hint=ocr.INSTALL_HINT,
                )
            )
            c = classify_unreadable(source.name, reason="scanned pages, no OCR installed")
            outcomes.append(_document(source, c))
            return outcomes
        ocr_text, failure, unread = _ocr_pages(reader, len(reader.pages))
        if unread is not None:
            outcomes.append(
                Problem(
                    source.path,
                    PARTLY_READ,
                    f"{unread}.",
                    hint="If those pages matter, ask the sender for the electronic original "
                    "(a PDF with text), or split the scan into smaller files.",
                )
            )
        if has_meaningful_text(ocr_text, min_words=5):
            c = classify_text(ocr_text, name=source.name, ocr=True, own_letter=_own_letter(reader))
            if c.not_record:
                return [*outcomes, Skipped(source.path, NOT_A_RECORD)]
            outcomes.append(_with_metadata_date(source, c, reader, ocr_text))
            return outcomes
        message = "No text could be read from this scanned PDF"
        message += f" ({failure})." if failure else "."
        outcomes.append(
            Problem(
                source.path,
                NO_TEXT,
                message,
                hint="Scan the paper again at 300 dpi, straight and well lit, or ask "
                "the sender for the original electronic copy.",
            )
        )
        outcomes.append(
            _document(source, classify_unreadable(source.name, reason="no readable text"))
        )
        return outcomes


_WIDE_GAP = re.compile(r"[ \t]{3,}")
_BLANK_LINES = re.compile(r"\n(?:[ \t]*\n){2,}")


def _page_text(page: Any) -> str:
    """A page's text, laid out as printed: columns stay apart.

    pypdf's default mode joins the columns of a two-column header with single
    spaces ("DOE, JANE Exam date: ..."), so a patient's name runs into the
    next label. Layout mode keeps the gap; runs of 3+ spaces are shortened to
    three (still a field separator for the classifier) and runs of blank
    lines to one, so positions stay compact. Falls back to the default mode
    when layout extraction fails on an odd page.
    """
    try:
        laid_out = page.extract_text(extraction_mode="layout") or ""
    except Exception:  # noqa: BLE001 - layout mode trips on some fonts; plain mode may still work
        return page.extract_text() or ""
    lines = (_WIDE_GAP.sub("   ", line.strip()) for line in laid_out.split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip("\n")


def _extract_text(reader: Any) -> tuple[str, int]:
    """Text of the first pages (a page that fails is skipped) and the page count read."""
    parts: list[str] = []
    total = 0
    count = min(len(reader.pages), MAX_PAGES)
    for index in range(count):
        try:
            page_text = _page_text(reader.pages[index])
        except Exception:  # noqa: BLE001 - one bad page must not hide the others
            continue
        parts.append(page_text)
        total += len(page_text)
        if total >= MAX_TEXT_CHARS:
            break
    return "\n".join(parts), count


def _has_page_images(reader: Any, pages: int) -> bool:
    """Whether any page draws a picture (a scan): an image XObject, directly or in a form.

    When the structure cannot be read, the answer is yes: the caller then
    treats the file as a scan, as before.
    """

    def holds_image(resources: Any, depth: int) -> bool:
        xobjects = (resources or {}).get("/XObject") or {}
        for ref in xobjects.values():
            obj = ref.get_object()
            subtype = obj.get("/Subtype")
            if subtype == "/Image":
                return True
            if subtype == "/Form" and depth < 3 and holds_image(obj.get("/Resources"), depth + 1):
                return True
        return False

    try:
        for index in range(min(pages, MAX_OCR_PAGES)):
            page = reader.pages[index]
            if holds_image(page.get("/Resources"), 0):
                return True
            contents = page.get_contents()
            if contents is not None and _INLINE_IMAGE.search(contents.get_data()):
                return True
    except Exception:  # noqa: BLE001 - an odd structure: say "scan", the careful answer
        return True
    return False


def _ocr_pages(reader: Any, pages: int) -> tuple[str, str | None, str | None]:
    """OCR of the page images within one document's :class:`ocr.Budget`.

    Returns the text, the last failure (if any) and what was left unread (if anything).
    """
    parts: list[str] = []
    failure: str | None = None
    budget = ocr.Budget()
    last_page = min(pages, MAX_OCR_PAGES)
    stopped_at: int | None = None
    for index in range(last_page):
        try:
            for image in reader.pages[index].images:  # lazily: a picture is decoded when read
                if not budget.examine():
                    break
                try:
                    pil = image.image
                    if pil is None or pil.width * pil.height < MIN_OCR_PIXELS:
                        continue
                    timeout = budget.read()
                    if timeout is None:
                        break
                    buffer = io.BytesIO()
                    pil.save(buffer, format="PNG")
                    for png in ocr.prepare_image(buffer.getvalue(), max_frames=1):
                        parts.append(ocr.image_to_text(png, timeout=timeout))
                except ocr.OcrError as exc:
                    failure = f"page {index + 1}: {exc.message}"
                except Exception as exc:  # noqa: BLE001 - unusual image encodings (JBIG2, CCITT...)
                    failure = f"page {index + 1}: image could not be decoded ({_describe(exc)})"
        except Exception as exc:  # noqa: BLE001 - untrusted input may raise anything
            failure = f"page {index + 1}: images could not be extracted ({_describe(exc)})"
        if budget.exhausted:
            stopped_at = index + 1
            break
    total = pages
    unread: str | None = None
    if stopped_at is not None:
        unread = (
            f"OCR stopped on page {stopped_at} at the limit of work for one document "
            f"({ocr.MAX_IMAGES_PER_DOCUMENT} pictures read or "
            f"{ocr.MAX_SECONDS_PER_DOCUMENT:.0f} seconds): the rest of page {stopped_at}"
            + (
                f" and pages {stopped_at + 1}-{total} were not read"
                if total > stopped_at
                else " was not read"
            )
        )
    elif total > last_page:
        unread = (
            f"OCR reads the first {last_page} pages of a scanned PDF: "
            f"pages {last_page + 1}-{total} were not read"
        )
    return "\n".join(parts), failure, unread


_PDF_DATE = re.compile(r"D?:?(\d{4})(\d{2})?(\d{2})?")


def _own_letter(reader: Any) -> bool:
    """Whether the PDF's metadata marks it as a request letter recordpack wrote."""
    try:
        return written_by_recordpack(reader.metadata or {})
    except Exception:  # noqa: BLE001 - untrusted input may raise anything
        return False


def _metadata_date(reader: Any) -> str | None:
    try:
        raw = (reader.metadata or {}).get("/CreationDate")
    except Exception:  # noqa: BLE001 - untrusted input may raise anything
        return None
    if not raw:
        return None
    m = _PDF_DATE.match(str(raw).strip())
    if not m or not m.group(2) or not m.group(3):
        return None
    try:
        value = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
    if value.year < 1900 or value > date.today():
        return None
    return value.isoformat()


def _with_metadata_date(
    source: Source, c: Classification, reader: Any, text: str, *, confidence: float | None = None
) -> Document:
    """The document; when the text has no date, the PDF's creation date, flagged as a guess."""
    if c.date is not None:
        return _document(source, c, text=text, confidence=confidence)
    created = _metadata_date(reader)
    if created is None:
        return _document(source, c, text=text, confidence=confidence)
    base = c.confidence if confidence is None else confidence
    doc = _document(
        source,
        c,
        text=text,
        confidence=base * 0.95,
        extra=(
            f"date {created} from the PDF file's creation date (no date in the text; "
            "this may be when the file was made, not the date of the record)",
        ),
    )
    return dataclasses.replace(doc, date=created)
