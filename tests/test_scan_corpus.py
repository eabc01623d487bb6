"""The whole public corpus: no crash, every malformed DICOM handled, kind accuracy >= 90%."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from benchmarks.corpus_accuracy import evaluate, report
from recordpack.model import ScanResult
from recordpack.scan import scan_folder


@pytest.fixture(scope="module")
def corpus_scan(corpus: Path) -> ScanResult:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return scan_folder(corpus)


def test_every_corpus_file_is_a_record_a_problem_or_skipped(
    corpus: Path, corpus_scan: ScanResult
) -> None:
    accounted = {f for r in corpus_scan.records for f in r.files}
    accounted |= {p.path for p in corpus_scan.problems} | {s.path for s in corpus_scan.skipped}
    on_disk = {str(p.relative_to(corpus)) for p in corpus.rglob("*") if p.is_file()} - {
        "labels.csv",
        "SOURCES.md",
    }
    assert on_disk - accounted == set()


def test_malformed_dicom_never_crashes_a_scanner(corpus_scan: ScanResult) -> None:
    # run_scanner turns an exception into "could not be read (TypeName: ...)": none allowed.
    crashes = [
        p
        for p in corpus_scan.problems
        if p.path.startswith("dicom/") and "could not be read (" in p.message
    ]
    assert crashes == []
    truncated = {p.path: p.code for p in corpus_scan.problems}
    assert truncated["dicom/pydicom/MR_truncated.dcm"] == "unreadable"


def test_dicomdir_variants_are_skipped_and_cd_images_grouped(corpus_scan: ScanResult) -> None:
    skipped = {s.path for s in corpus_scan.skipped}
    assert {
        "dicom/pydicom/dicomdirtests/DICOMDIR",
        "dicom/pydicom/dicomdirtests/DICOMDIR-bigEnd",
        "dicom/pydicom/dicomdirtests/DICOMDIR-empty.dcm",
        "dicom/pydicom/dicomdirtests/TINY_ALPHA/DICOMDIR",
    } <= skipped
    tiny = [r for r in corpus_scan.records if any("TINY_ALPHA" in f for f in r.files)]
    assert len(tiny) == 1 and len(tiny[0].files) == 50


def test_kind_accuracy_on_labelled_corpus(corpus: Path, corpus_scan: ScanResult) -> None:
    accuracy = evaluate(corpus, corpus_scan)
    print(report(accuracy))
    assert accuracy.total >= 150  # the figure covers most of the corpus, not a handful
    assert accuracy.ratio >= 0.90, report(accuracy)
