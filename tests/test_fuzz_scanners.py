"""Fuzz suite: mutants of real records of every format through every scanner.

Each seed file (../shared/corpus records, plus a zip and a picture made here)
gives ``RECORDPACK_FUZZ_ITERATIONS`` deterministic mutants (bit and byte flips,
truncation at interesting offsets, duplicated and deleted chunks, huge length
fields, inserted tokens such as an unclosed ``<?``). Each mutant is scanned as
the walker would: no exception may escape, every text must be writable as
UTF-8 JSON, traced memory stays bounded, and pytest-timeout fails a hang.
"""

from __future__ import annotations

import json
import resource
from pathlib import Path

import pytest

from recordpack import ocr
from recordpack.checking import check
from recordpack.manifest import load_manifest
from recordpack.scan import scan_folder
from recordpack.scan.base import DicomHeader, Document
from tests.fuzz_helpers import (
    CORPUS_SEEDS,
    DEFAULT_ITERATIONS,
    corpus_seed,
    iterations,
    mutants,
    png_page,
    scan_checked,
    seed_for,
    sevenzip_bytes,
    tar_of,
    truncations,
    zip_of,
)

# Tight per-test limits (one seed file's mutants take a few seconds), scaled for longer runs.
pytestmark = pytest.mark.timeout(90 * max(1, iterations() // DEFAULT_ITERATIONS))


@pytest.fixture(autouse=True)
def _fast_ocr(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pictures are still decoded and prepared (the hostile part); tesseract's reading is stubbed."""

    def read(data: bytes, **_: object) -> str:
        assert data.startswith(b"\x89PNG"), "OCR is only handed PNG pages"
        return ""

    monkeypatch.setattr(ocr, "available", lambda: True)
    monkeypatch.setattr(ocr, "image_to_text", read)


@pytest.mark.parametrize(("name", "relative", "keep"), CORPUS_SEEDS,
                         ids=[seed[0] for seed in CORPUS_SEEDS])
def test_mutants_of_corpus_records(corpus: Path, name: str, relative: str, keep: int) -> None:
    data = corpus_seed(corpus, relative, keep)
    original = scan_checked(f"{name} (unmutated)", name, data)
    assert original.outcomes
    for label, mutant in [*truncations(data), *mutants(data, seed_for(name), iterations())]:
        scan_checked(f"{name}: {label}", name, mutant)


def test_mutants_of_a_zip_of_records(corpus: Path) -> None:
    members = {
        f"download/{name}": corpus_seed(corpus, relative, keep or 6000)[:6000]
        for name, relative, keep in CORPUS_SEEDS[::3]
    }
    data = zip_of(members)
    for label, mutant in mutants(data, seed_for("zip"), iterations()):
        scan_checked(f"download.zip: {label}", "download.zip", mutant)


def _download(corpus: Path) -> dict[str, bytes]:
    """Every third corpus seed (its first 6000 bytes): an archive's members."""
    return {
        f"download/{seed}": corpus_seed(corpus, relative, keep or 6000)[:6000]
        for seed, relative, keep in CORPUS_SEEDS[::3]
    }


@pytest.mark.parametrize(("name", "mode"), [("download.tgz", "w:gz"), ("download.tar", "w")])
def test_mutants_of_a_tar_of_records(corpus: Path, name: str, mode: str) -> None:
    data = tar_of(_download(corpus), mode)
    assert any(isinstance(o, Document) for o in scan_checked(name, name, data).outcomes)
    for label, mutant in [*truncations(data), *mutants(data, seed_for(name), iterations())]:
        scan_checked(f"{name}: {label}", name, mutant)


def test_mutants_of_a_word_document_and_an_iphone_photo() -> None:
    from tests.docx_heic_files import PATHOLOGY, docx_bytes, heic_bytes

    for name, data in (("letter.docx", docx_bytes(PATHOLOGY, [["Test", "Result"]])),
                       ("IMG_0001.heic", heic_bytes(PATHOLOGY[:2]))):
        scan_checked(f"{name} (unmutated)", name, data)
        for label, mutant in [*truncations(data), *mutants(data, seed_for(name), iterations())]:
            scan_checked(f"{name}: {label}", name, mutant)


def test_mutants_of_a_dicom_file_with_a_tiff_preamble_and_an_undefined_length_un() -> None:
    from tests.scan_helpers import tiff_preamble_un_file

    data = tiff_preamble_un_file()
    assert any(isinstance(o, DicomHeader) for o in scan_checked("IM1", "IM1", data).outcomes)
    for label, mutant in [*truncations(data), *mutants(data, seed_for("cp246"), iterations())]:
        scan_checked(f"IM1: {label}", "IM1", mutant)


def test_mutants_of_messages_that_carry_documents() -> None:
    import json

    from tests.document_messages import (
        PATHOLOGY_PDF,
        diagnostic_report,
        document_bundle,
        hl7_with_pdf,
        message_bundle,
    )

    ndjson = "\n".join(json.dumps(message_bundle(n, diagnostic_report(
        f"r{n}", "22637-3", "Pathology", "2026-07-08", "Invasive carcinoma."))) for n in (1, 2))
    seeds = {
        "messages.ndjson": ndjson.encode(),
        "bundle.json": document_bundle("Binary/b1", None, PATHOLOGY_PDF, "application/pdf").encode(),
        "result.hl7": hl7_with_pdf(PATHOLOGY_PDF),
    }
    for name, data in seeds.items():
        scan_checked(f"{name} (unmutated)", name, data)
        for label, mutant in [*truncations(data), *mutants(data, seed_for(name), iterations())]:
            scan_checked(f"{name}: {label}", name, mutant)


def test_mutants_of_a_7z_of_records(corpus: Path) -> None:
    data = sevenzip_bytes(_download(corpus))
    assert any(isinstance(o, Document) for o in scan_checked("d.7z", "d.7z", data).outcomes)
    for label, mutant in [*truncations(data), *mutants(data, seed_for("7z"), iterations())]:
        scan_checked(f"d.7z: {label}", "d.7z", mutant)


def test_mutants_of_a_picture() -> None:
    data = png_page()
    for label, mutant in mutants(data, seed_for("png"), iterations()):
        scan_checked(f"page.png: {label}", "page.png", mutant)


def test_a_folder_of_mutants_is_scanned_whole(corpus: Path, tmp_path: Path) -> None:
    """Through the walker (threads, hashing, duplicates): every file is accounted for."""
    names: list[str] = []
    for name, relative, keep in CORPUS_SEEDS:
        data = corpus_seed(corpus, relative, keep)
        for number, (_label, mutant) in enumerate(mutants(data, seed_for(name), 3)):
            target = f"{number}-{name}"
            (tmp_path / target).write_bytes(mutant)
            names.append(target)
    result = scan_folder(tmp_path)
    # What the user sees next: check's report and both JSON documents, all writable.
    report = check(result, load_manifest("general"))
    for document in (result.to_json(), report.to_json()):
        json.dumps(document, ensure_ascii=False).encode("utf-8")
    seen = {path for record in result.records for path in record.files}
    seen |= {p.path for p in result.problems} | {s.path for s in result.skipped}
    seen |= set(result.files)
    assert set(names) <= seen
    # The whole process (pytest included) stays far from the gigabytes a blow-up takes.
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < 1024 * 1024  # KiB
