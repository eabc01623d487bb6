"""The scanner fuzz suite's seeds, mutators and checks (see docs/trust-scan.md).

Deterministic: every mutant comes from ``random.Random(seed)``, so a failure
names a seed and a mutant number that reproduce it. ``RECORDPACK_FUZZ_ITERATIONS``
(default :data:`DEFAULT_ITERATIONS`) sets the number of mutants per seed file.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import struct
import tarfile
import tracemalloc
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import py7zr

from recordpack.model import Problem, Skipped
from recordpack.scan.base import HEAD_SIZE, DicomHeader, Document, Outcome, Source
from recordpack.scan.walk import SCANNERS, dispatch, run_scanner

#: Mutants per seed file in CI; raise it for a longer run.
DEFAULT_ITERATIONS = 24
#: Python memory one mutant's scan may peak at (traced allocations).
MAX_TRACED_BYTES = 192 * 1024 * 1024


def seed_for(name: str) -> int:
    """The random seed of one seed file's mutants; ``RECORDPACK_FUZZ_SEED`` picks another set."""
    base = int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "big")
    extra = os.environ.get("RECORDPACK_FUZZ_SEED", "").strip()
    return base ^ int(extra) if extra.isdigit() else base


def iterations() -> int:
    """Mutants per seed file: ``RECORDPACK_FUZZ_ITERATIONS`` or the CI default."""
    value = os.environ.get("RECORDPACK_FUZZ_ITERATIONS", "")
    return int(value) if value.strip().isdigit() else DEFAULT_ITERATIONS


# --- seeds: real records of every format --------------------------------------------

#: (name given to the scanner, path under ../shared/corpus, bytes kept (0 = all)).
CORPUS_SEEDS: tuple[tuple[str, str, int], ...] = (
    ("radiology.xml", ("ccda/hl7-c-cda-examples/Results/Results Radiology with Image Narrative/"
                       "Chest X ray with Narrative Report(C-CDA2.1).xml"), 0),
    ("operative.xml", "ccda/hl7-c-cda-examples/Documents/Operative Note/Operative_Note.xml", 0),
    ("embedded-pdf.xml", ("ccda/hl7-c-cda-examples/Unstructured/CDA with Embedded PDF 2/"
                          "CDA_with_Embedded_PDF.xml"), 0),
    ("lipids.json", "fhir/fhir-r4-core-examples/Bundle-lipids.json", 0),
    ("patient.json", "fhir/mcode-4.0.0/Patient-cancer-patient-jenny-m.json", 0),
    ("oncology.json", "fhir/genomics-reporting-3.0.0/Bundle-bundle-oncology-report-example.json", 0),
    ("device.ndjson", "fhir/synthea-bulk-ndjson/patient-129c6ac7/Device.000.ndjson", 0),
    ("oru.hl7", "hl7v2/ms-fhir-converter/ORU-R01-01.hl7", 0),
    ("brain.pdf", "pdf/tcga-grasool/brain-2.pdf", 0),
    ("MR_small.dcm", "dicom/pydicom/MR_small.dcm", 0),
    ("rtdose", "dicom/pydicom/rtdose.dcm", 0),
    ("pathology.txt", "text/tcga_pathology_ocr_text_sample30.csv", 12_000),
)


def corpus_seed(corpus: Path, relative: str, keep: int) -> bytes:
    data = (corpus / relative).read_bytes()
    return data[:keep] if keep else data


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def tar_of(members: dict[str, bytes], mode: str = "w:gz") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as archive:  # type: ignore[call-overload]
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def sevenzip_bytes(members: dict[str, bytes], password: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with py7zr.SevenZipFile(buffer, "w", password=password) as archive:
        for name, data in members.items():
            archive.writestr(data, name)
    return buffer.getvalue()


def png_page() -> bytes:
    """A small picture of a page (a scanned note): the image scanner's seed."""
    from PIL import Image, ImageDraw

    picture = Image.new("L", (320, 240), color=255)
    ImageDraw.Draw(picture).text((10, 10), "PATHOLOGY REPORT\nDiagnosis: benign", fill=0)
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


# --- mutators --------------------------------------------------------------------------

_TOKENS = (b"<?", b"<!--", b"<!DOCTYPE x [", b'"\\ud800"', b"\\udfff", b"\x00", b"%PDF-1.7",
           b"PK\x03\x04", b"MSH|^~\\&|", b"]]>", b"{" * 64, b"[" * 64, b"<a>" * 64,
           b"\xff\xfe", b"\xef\xbb\xbf", b"obj <<", b"endobj", b"stream\n", b"\r\n\r\n")
_HUGE = (0xFFFFFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFF, 0x7FFF, 0xFFFFFFFE)


def _interesting_offsets(size: int) -> list[int]:
    points = {0, 1, 2, 3, 4, 8, 12, 16, 30, 128, 132, 144, 1024, size // 2, size - 1, size - 2,
              size - 22, size - 128, HEAD_SIZE - 1, HEAD_SIZE, HEAD_SIZE + 1}
    return sorted(p for p in points if 0 < p < size)


def flip_bits(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        position = rng.randrange(len(out))
        out[position] ^= 1 << rng.randrange(8)
    return bytes(out)


def set_bytes(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 16)):
        out[rng.randrange(len(out))] = rng.choice((0, 0xFF, 0x7F, 0x80, 0x3C, 0x22, 0x5C))
    return bytes(out)


def truncate(data: bytes, rng: random.Random) -> bytes:
    if rng.random() < 0.5:
        return data[: rng.choice(_interesting_offsets(len(data)) or [0])]
    return data[: rng.randrange(len(data))]


def duplicate_chunk(data: bytes, rng: random.Random) -> bytes:
    start = rng.randrange(len(data))
    chunk = data[start: start + rng.randint(1, 4096)]
    at = rng.randrange(len(data))
    return data[:at] + chunk * rng.randint(1, 8) + data[at:]


def delete_chunk(data: bytes, rng: random.Random) -> bytes:
    start = rng.randrange(len(data))
    return data[:start] + data[start + rng.randint(1, 4096):]


def huge_length(data: bytes, rng: random.Random) -> bytes:
    """A length field (or any 2/4 bytes) set to a huge value, little- or big-endian."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        value = rng.choice(_HUGE)
        packed = struct.pack(rng.choice(("<I", ">I")), value & 0xFFFFFFFF)
        position = rng.randrange(max(1, len(out) - 4))
        out[position: position + 4] = packed
    return bytes(out)


def insert_token(data: bytes, rng: random.Random) -> bytes:
    at = rng.choice([0, *_interesting_offsets(len(data)), rng.randrange(len(data) + 1)])
    return data[:at] + rng.choice(_TOKENS) + data[at:]


_MARKERS = (b"<?", b"<!--", b"<", b"?>", b"-->", b"{", b'"', b"[", b"PK", b"obj", b"stream",
            b"endstream", b"xref", b"|", b"\r", b"DICM")


def truncations(data: bytes, limit: int = 24) -> Iterator[tuple[str, bytes]]:
    """The input cut at interesting offsets: fixed ones and just inside structural markers."""
    offsets = set(_interesting_offsets(len(data)))
    for marker in _MARKERS:
        at = data.find(marker)
        for _ in range(3):
            if at < 0:
                break
            offsets.update((at + 1, at + len(marker)))
            at = data.find(marker, at + 1)
    chosen = sorted(o for o in offsets if 0 < o < len(data))
    step = max(1, len(chosen) // limit)
    for offset in chosen[::step][:limit]:
        yield f"cut at {offset}", data[:offset]


MUTATORS: tuple[Callable[[bytes, random.Random], bytes], ...] = (
    flip_bits, set_bytes, truncate, duplicate_chunk, delete_chunk, huge_length, insert_token)


def mutants(data: bytes, seed: int, count: int) -> Iterator[tuple[str, bytes]]:
    """``count`` mutants of ``data`` (one to three mutations each), named for reproduction."""
    rng = random.Random(seed)
    for number in range(count):
        mutant = data or b"\x00"
        names: list[str] = []
        for _ in range(rng.choice((1, 1, 2, 3))):
            mutator = MUTATORS[(number + len(names)) % len(MUTATORS)] if not names else (
                rng.choice(MUTATORS))
            mutant = mutator(mutant, rng) or b"\x00"
            names.append(mutator.__name__)
        yield f"seed {seed} mutant {number} ({'+'.join(names)})", mutant


# --- checks ----------------------------------------------------------------------------


@dataclass
class Verdict:
    """What one scanned input gave, and what it cost."""

    label: str
    outcomes: list[Outcome]
    traced_peak: int


def _texts(outcome: Outcome) -> Iterator[str]:
    for value in vars(outcome).values():
        if isinstance(value, str):
            yield value
        elif isinstance(value, tuple):
            yield from (v for v in value if isinstance(v, str))
        elif hasattr(value, "__dataclass_fields__"):
            yield from (v for v in vars(value).values() if isinstance(v, str))


def scan_checked(label: str, name: str, data: bytes) -> Verdict:
    """Scan one input as the folder walker would; fail on anything a user would suffer.

    No exception may escape, every outcome must be a known type with text that
    can be written as UTF-8 JSON, and the traced Python memory must stay under
    :data:`MAX_TRACED_BYTES`.
    """
    started = tracemalloc.is_tracing()
    if not started:
        tracemalloc.start()
    tracemalloc.reset_peak()
    source = Source.from_bytes(name, data)
    try:
        # Every sniff answers without raising (the walker would swallow it and
        # move on, but a sniff that raises or loops is a bug all the same)...
        accepting = [scanner for scanner in SCANNERS if scanner.sniff(source)]
        outcomes = dispatch(source)
        # ...and every scanner that would take the file copes with it, not only the first
        # (the zip scanner too: a .docx is a zip, and its members go back through dispatch).
        for scanner in accepting[1:]:
            outcomes += run_scanner(scanner, source)
    except BaseException as error:  # the point of the test
        raise AssertionError(f"{label}: {type(error).__name__} escaped: {error}") from error
    peak = tracemalloc.get_traced_memory()[1]
    if not started:
        tracemalloc.stop()
    assert outcomes, f"{label}: no outcome at all"
    for outcome in outcomes:
        assert isinstance(outcome, Document | DicomHeader | Problem | Skipped), (label, outcome)
        for text in _texts(outcome):
            json.dumps(text, ensure_ascii=False).encode("utf-8")
    assert peak < MAX_TRACED_BYTES, f"{label}: traced memory peaked at {peak / 2**20:.0f} MiB"
    return Verdict(label, outcomes, peak)
