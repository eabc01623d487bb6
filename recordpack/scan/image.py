"""Image scanner: photos and scans of documents (JPEG, PNG, TIFF, BMP, GIF, WebP, HEIC).

The picture is read by OCR (:mod:`recordpack.ocr`) and the text classified.
Without tesseract, or when no text can be read, the file is a ``no_text``
problem and still shows as a low-confidence record; a picture whose text is
plainly not medical is skipped as "not a medical record". iPhone HEIC/HEIF
photos are decoded by pillow-heif. Recognised by magic bytes, so a photo named
``IMG_0042`` or ``scan.jpeg.download`` is found too.
"""

from __future__ import annotations

from typing import Final

from recordpack import ocr
from recordpack.classify import (
    Classification,
    classify_text,
    classify_unreadable,
    has_meaningful_text,
)
from recordpack.model import NO_TEXT, UNREADABLE, UNSUPPORTED, Problem, Skipped
from recordpack.scan.base import NOT_A_RECORD, PARTLY_READ, Document, Outcome, Source

FORMAT = "image"

#: Largest image file read for OCR.
MAX_IMAGE_BYTES: Final = 64 * 1024 * 1024
#: Pages of a multi-page TIFF (fax, scanner) that are OCR'd.
MAX_FRAMES: Final = 10
MAX_TEXT_CHARS: Final = 200_000

_HEIC_BRANDS: Final = (
    b"heic",
    b"heix",
    b"heim",
    b"heis",
    b"hevc",
    b"hevx",
    b"mif1",
    b"msf1",
    b"avif",
)


def image_type(head: bytes) -> str | None:
    """The image format named by the magic bytes, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "tiff"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp" and head[8:12] in _HEIC_BRANDS:
        return "heic"
    # "BM" alone is too weak: check the DIB header size as well.
    if head.startswith(b"BM") and len(head) >= 18 and head[14] in (12, 40, 52, 56, 64, 108, 124):
        return "bmp"
    return None


def sniff(source: Source) -> bool:
    """An image by its magic bytes."""
    return image_type(source.head) is not None


_UNREADABLE_HINT: Final = (
    "If this is a photo or scan of a document, take a sharp, straight, well-lit photo of the "
    "whole page (or scan it at 300 dpi) and add that instead. If it is a picture rather than "
    "a document, you can ignore this."
)


def _document(source: Source, c: Classification, text: str = "") -> Document:
    return Document.from_classification(source.path, c, format=FORMAT, text=text[:MAX_TEXT_CHARS])


def scan(source: Source) -> list[Outcome]:
    """OCR the image and say what it is; a read error is reported by the walker."""
    if not ocr.available():
        return [
            Problem(
                source.path,
                NO_TEXT,
                "This is a picture (photo or scan), and no OCR program is installed to read it.",
                hint=ocr.INSTALL_HINT,
            ),
            _document(source, classify_unreadable(source.name, reason="picture, no OCR installed")),
        ]
    try:
        data = source.read_all(MAX_IMAGE_BYTES)
    except ValueError:
        return [
            Problem(
                source.path,
                UNSUPPORTED,
                f"This image is larger than {MAX_IMAGE_BYTES // (1024 * 1024)} MB; it was not read.",
                hint="Scan the page at 300 dpi or save a smaller copy, then scan again.",
            )
        ]
    partly: list[Outcome] = []
    try:
        pages = ocr.prepare_image(data, max_frames=MAX_FRAMES)
        budget = ocr.Budget()
        texts: list[str] = []
        for page in pages:
            timeout = budget.read()
            if timeout is None:
                partly.append(Problem(
                    source.path, PARTLY_READ,
                    f"OCR read {len(texts)} of the {len(pages)} pages of this picture, the limit "
                    "of work for one document: the other pages were not read.",
                    hint="If those pages matter, scan them as separate pictures."))
                break
            texts.append(ocr.image_to_text(page, timeout=timeout))
        text = "\n".join(texts)
    except ocr.OcrError as exc:
        return [
            Problem(
                source.path,
                UNREADABLE,
                f"This image could not be read: {exc.message}.",
                hint=exc.hint or _UNREADABLE_HINT,
            ),
            _document(source, classify_unreadable(source.name, reason="image not readable")),
        ]
    if not has_meaningful_text(text, min_words=5):
        return [
            Problem(
                source.path,
                NO_TEXT,
                "No readable text was found in this picture.",
                hint=_UNREADABLE_HINT,
            ),
            _document(source, classify_unreadable(source.name, reason="no readable text")),
            *partly,
        ]
    c = classify_text(text, name=source.name, ocr=True)
    if c.not_record:
        return [Skipped(source.path, NOT_A_RECORD), *partly]
    return [_document(source, c, text), *partly]
