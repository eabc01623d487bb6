"""One small preview image per imaging series, decoded from one slice at pack time.

:func:`series_preview` reads a single frame of one DICOM file (the middle
instance of the series, the middle frame of a multi-frame image), applies the
modality rescale and a window that suits the modality, and returns a small PNG.
Decoding uses pydicom's pixel handlers with numpy and Pillow (JPEG baseline and
JPEG 2000 through Pillow, RLE natively); a syntax no permissively licensed
decoder handles, or damaged pixel data, gives a plain reason instead of a picture.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO, Final

from recordpack.bundle.format import PREVIEW_NAME as PREVIEW_NAME
from recordpack.model import DicomInstance, Series

#: Longest side of a preview, in pixels.
PREVIEW_SIZE: Final = 256
#: Largest DICOM file decoded for a preview (a bigger one is left without).
MAX_PREVIEW_SOURCE: Final = 512 * 1024 * 1024
#: Largest decoded frame (bytes) a preview is made from.
MAX_FRAME_BYTES: Final = 128 * 1024 * 1024
#: Default CT window (centre, width): soft tissue.
CT_WINDOW: Final = (40.0, 400.0)


@dataclass(frozen=True)
class Preview:
    """A series' preview (PNG bytes) or why there is none."""

    series_uid: str
    modality: str | None
    png: bytes | None
    problem: str | None = None


def representative(series: Series, available: Sequence[str]) -> DicomInstance | None:
    """The series' middle instance (by instance number) among the files in the bag."""
    present = set(available)
    instances = [i for i in series.instances if i.path in present]
    # An image scan found damaged shows nothing: any whole one is a better choice.
    instances = [i for i in instances if not i.damaged] or instances
    if not instances:
        return None
    instances.sort(key=lambda i: (i.instance_number is None, i.instance_number or 0, i.path))
    return instances[len(instances) // 2]


def series_preview(series: Series, source: BinaryIO) -> Preview:
    """Decode one frame of ``source`` (a DICOM file of ``series``) into a small PNG."""
    try:
        png = _render(source)
    except _NoPixels as why:
        return Preview(series.uid, series.modality, None, str(why))
    except Exception as error:  # noqa: BLE001 - any decoder failure means "no preview", said plainly
        return Preview(series.uid, series.modality, None, _reason(error))
    return Preview(series.uid, series.modality, png)


class _NoPixels(Exception):
    """The file holds no image to preview."""


def _reason(error: Exception) -> str:
    text = str(error)
    if "plugin" in text.lower() or "decod" in text.lower() or "transfer syntax" in text.lower():
        return "its pixel data uses a compression recordpack cannot decode"
    return "its pixel data could not be decoded"


def _render(source: BinaryIO) -> bytes:
    import numpy as np
    from PIL import Image
    from pydicom import dcmread
    from pydicom.dataset import Dataset
    from pydicom.pixels.processing import apply_modality_lut, apply_voi_lut
    from pydicom.pixels.utils import pixel_array

    header = dcmread(source, stop_before_pixels=True, force=True)
    if "Rows" not in header or "Columns" not in header:
        raise _NoPixels("it holds no image")
    frames = int(getattr(header, "NumberOfFrames", 1) or 1)
    samples = int(getattr(header, "SamplesPerPixel", 1) or 1)
    bits = int(getattr(header, "BitsAllocated", 16) or 16)
    frame_bytes = int(header.Rows) * int(header.Columns) * samples * max(bits, 8) // 8
    if frame_bytes > MAX_FRAME_BYTES or frames < 1:
        # A header may claim anything: memory stays bounded whatever the file says.
        raise _NoPixels("its images are too large to preview")
    source.seek(0)
    ds = Dataset()
    # Only the one frame is read and decoded, whatever the file's size.
    array = pixel_array(source, index=frames // 2 if frames > 1 else None, ds_out=ds)
    photometric = str(getattr(ds, "PhotometricInterpretation", "MONOCHROME2"))
    if array.ndim == 3 and array.shape[-1] in (3, 4):
        image = Image.fromarray(_to_uint8(array[..., :3], None, None), mode="RGB")
    elif array.ndim == 2:
        values: Any = apply_modality_lut(array, ds).astype(np.float64)
        window: tuple[float, float] | None = None
        modality = str(getattr(ds, "Modality", "") or "")
        if "WindowCenter" in ds and "WindowWidth" in ds:
            values = apply_voi_lut(values, ds, index=0).astype(np.float64)
        elif modality == "CT":
            window = CT_WINDOW
        grey = _to_uint8(values, window, photometric == "MONOCHROME1")
        image = Image.fromarray(grey, mode="L")
    else:
        raise _NoPixels("its pixel data is not a picture recordpack can show")
    image.thumbnail((PREVIEW_SIZE, PREVIEW_SIZE))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _to_uint8(values: Any, window: tuple[float, float] | None, invert: bool | None) -> Any:
    """Scale to 0..255: by a (centre, width) window, else the 1st to 99th percentile."""
    import numpy as np

    data = values.astype(np.float64)
    if window is not None:
        centre, width = window
        low, high = centre - width / 2, centre + width / 2
    else:
        low, high = (float(v) for v in np.percentile(data, (1, 99)))
    if high <= low:
        high = low + 1
    scaled = np.clip((data - low) / (high - low), 0, 1) * 255
    if invert:
        scaled = 255 - scaled
    return scaled.astype(np.uint8)
