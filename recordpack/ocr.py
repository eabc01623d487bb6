"""Optical character recognition through the ``tesseract`` program.

Only the installed ``tesseract`` command is used (no Python binding): the
image goes in on stdin and the text comes back on stdout, so nothing is ever
written next to the user's files. Without tesseract, scanners report a
``no_text`` problem whose hint is :data:`INSTALL_HINT`.
"""

from __future__ import annotations

import functools
import io
import os
import shutil
import subprocess
import time
from typing import Final

from recordpack.errors import RecordpackError

#: What to tell a user whose scanned documents cannot be read.
INSTALL_HINT: Final = (
    "To read scanned pages and photos, install the free OCR program tesseract "
    "(Debian/Ubuntu: `sudo apt install tesseract-ocr`, macOS: `brew install tesseract`, "
    "Windows: the UB Mannheim installer), then scan again."
)
#: Seconds one image may take; a page at 300 dpi takes a few seconds.
DEFAULT_TIMEOUT: Final = 120.0
#: Longest side, in pixels, of an image handed to tesseract: phone photos are
#: larger than OCR needs and would only cost time.
MAX_SIDE: Final = 4000


#: Pictures OCR'd per document at most: a scanned page holds one, and one
#: tesseract run costs seconds (a PDF page with 200 images cost 90 s).
MAX_IMAGES_PER_DOCUMENT: Final = 12
#: Pictures looked at (decoded to see whether they are worth OCR) per document.
MAX_IMAGES_EXAMINED: Final = 60
#: Seconds of OCR per document at most, whatever its pictures.
MAX_SECONDS_PER_DOCUMENT: Final = 180.0


#: Pixels of a picture decoded for OCR at most: a letter page at 600 dpi is 34
#: million; a picture declaring more would cost hundreds of megabytes to decode.
MAX_PIXELS: Final = 60_000_000


class Budget:
    """The OCR work one document may still cost: pictures read, pictures examined, seconds."""

    def __init__(self) -> None:
        self.images = MAX_IMAGES_PER_DOCUMENT
        self.examined = MAX_IMAGES_EXAMINED
        self._deadline = time.monotonic() + MAX_SECONDS_PER_DOCUMENT
        #: True once something was left unread because the budget ran out.
        self.exhausted = False

    def examine(self) -> bool:
        """Whether one more picture may be decoded and looked at."""
        if self.examined <= 0 or self.seconds_left() <= 0:
            self.exhausted = True
            return False
        self.examined -= 1
        return True

    def read(self) -> float | None:
        """The timeout for OCR of one more picture, or None when the budget is spent."""
        left = self.seconds_left()
        if self.images <= 0 or left <= 0:
            self.exhausted = True
            return None
        self.images -= 1
        return min(DEFAULT_TIMEOUT, left)

    def seconds_left(self) -> float:
        return self._deadline - time.monotonic()


class OcrError(RecordpackError):
    """Tesseract could not read an image."""

    default_hint = "Check that the image opens in an image viewer; if it does, try a sharper scan."


def available() -> bool:
    """Whether the ``tesseract`` program is installed (on PATH)."""
    return shutil.which("tesseract") is not None


def image_to_text(data: bytes, *, timeout: float = DEFAULT_TIMEOUT, lang: str = "eng") -> str:
    """The text tesseract reads in an image (PNG, JPEG, TIFF, BMP...); raises :class:`OcrError`."""
    program = shutil.which("tesseract")
    if program is None:
        raise OcrError("tesseract is not installed", hint=INSTALL_HINT)
    # One thread: scans may run beside other work on small machines, and
    # tesseract's OpenMP threads mostly add overhead for single pages.
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    try:
        done = subprocess.run(
            [program, "stdin", "stdout", "-l", lang, "--psm", "3"],
            input=data,
            capture_output=True,
            timeout=timeout,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise OcrError(
            f"reading the image took longer than {timeout:.0f} seconds",
            hint="The image may be very large: scan the page at 300 dpi and try again.",
        ) from exc
    except OSError as exc:
        raise OcrError(f"could not run tesseract: {exc.strerror or exc}") from exc
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        last = detail[-1] if detail else f"exit status {done.returncode}"
        raise OcrError(f"tesseract could not read the image ({last})")
    return done.stdout.decode("utf-8", "replace")


@functools.cache
def _register_heif() -> None:
    """Let Pillow open iPhone HEIC/HEIF photos (pillow-heif), once per process."""
    from pillow_heif import register_heif_opener

    register_heif_opener()


def prepare_image(data: bytes, *, max_frames: int = 10) -> list[bytes]:
    """PNG pages ready for OCR from any image Pillow opens, upright and grayscale.

    Phone photos are turned by their EXIF orientation and shrunk to
    :data:`MAX_SIDE`; multi-page TIFF scans give one PNG per page (at most
    ``max_frames``). Raises :class:`OcrError` when Pillow cannot decode it.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    _register_heif()
    pages: list[bytes] = []
    try:
        with Image.open(io.BytesIO(data)) as img:
            width, height = img.size
            if width * height > MAX_PIXELS:
                raise OcrError(
                    f"the picture is {width} x {height} pixels, more than recordpack decodes "
                    f"({MAX_PIXELS // 1_000_000} million)",
                    hint="Scan the page at 300 dpi or save a smaller copy, then scan again.",
                )
            # A JPEG is decoded straight at the size OCR needs (a fraction of the memory).
            img.draft("L", (MAX_SIDE, MAX_SIDE))
            frames = getattr(img, "n_frames", 1)
            for index in range(min(frames, max_frames)):
                img.seek(index)
                frame = ImageOps.exif_transpose(img) if index == 0 else img.copy()
                frame = frame.convert("L")
                if max(frame.size) > MAX_SIDE:
                    frame.thumbnail((MAX_SIDE, MAX_SIDE))
                out = io.BytesIO()
                frame.save(out, format="PNG")
                pages.append(out.getvalue())
    except (UnidentifiedImageError, Image.DecompressionBombError) as exc:
        raise OcrError(f"the image cannot be decoded ({exc})") from exc
    except (OSError, ValueError, EOFError, SyntaxError, RuntimeError) as exc:  # corrupt data
        raise OcrError(
            f"the image is damaged or incomplete ({exc})", hint="Download or copy the image again."
        ) from exc
    return pages
