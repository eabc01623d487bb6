"""The benchmark harness times what it says it times (benchmarks/README.md)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import paired

ROOT = Path(__file__).resolve().parent.parent


def test_timed_commands_get_the_environment_as_it_is_when_they_run(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A script sets RECORDPACK_DATA_DIR after importing paired (pack's audit log goes
    there), and recordpack is the installed one, not a checkout in the working folder."""
    monkeypatch.setenv("RECORDPACK_DATA_DIR", str(tmp_path))
    env = paired.timed_env()
    assert env["RECORDPACK_DATA_DIR"] == str(tmp_path)
    assert env["PYTHONSAFEPATH"] == "1"
    where = subprocess.run(
        [sys.executable, "-c", "import sys; print(sys.path[0])"],
        env=env, cwd=tmp_path, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert where.stdout.strip() != "" and Path(where.stdout.strip()) != tmp_path


def test_compare_runs_one_command_under_two_pythons_and_prints_the_ratio() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "compare.py"), sys.executable, sys.executable,
         "--rounds", "1", "--", "--version"],
        capture_output=True, text=True, check=False, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "| before |" in done.stdout and "| after |" in done.stdout
    assert "after / before:" in done.stdout
    refused = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "compare.py"), sys.executable, sys.executable],
        capture_output=True, text=True, check=False, cwd=ROOT,
    )  # fmt: skip
    assert refused.returncode != 0 and "after --" in refused.stderr


def _document_folder(out: Path, *options: str) -> str:
    """Run make_document_folder.py for 40 documents into ``out``; returns what it printed."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "make_document_folder.py"), "--documents", "40",
         *options, str(out)],
        capture_output=True, text=True, check=False, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def _changed_files(root: Path, default: Path) -> list[str]:
    """The files of ``root`` that differ from those of the default folder (same names required)."""

    def files(folder: Path) -> dict[str, bytes]:
        return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}

    made, plain = files(root), files(default)
    assert made.keys() == plain.keys()
    return sorted(name for name in made if made[name] != plain[name])


def test_the_document_folder_can_hold_ocr_scans_and_is_otherwise_unchanged(tmp_path: Path) -> None:
    printed = _document_folder(tmp_path / "ocr", "--searchable", "25")
    _document_folder(tmp_path / "plain")
    changed = _changed_files(tmp_path / "ocr", tmp_path / "plain")
    assert changed and all(name.endswith(".pdf") for name in changed)
    for name in changed:
        data = (tmp_path / "ocr" / name).read_bytes()
        assert b"/GlyphLessFont" in data and b"/DCTDecode" in data
    assert "searchable pdf" in printed


def test_the_real_pdf_folder_copies_the_corpus_pdfs_as_distinct_files_of_the_same_kind(
    corpus: Path, tmp_path: Path
) -> None:
    import json

    out = tmp_path / "real"
    made = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "make_real_pdf_folder.py"), "--copies", "2",
         "--corpus", str(corpus), str(out)],
        capture_output=True, text=True, check=False, cwd=ROOT,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    originals = sorted(p for p in corpus.rglob("*.pdf") if p.is_file())
    copies = sorted(out.iterdir())
    assert len(copies) == 2 * len(originals) and len(originals) >= 10
    assert len({p.read_bytes() for p in copies}) == len(copies)  # no two alike: no duplicates
    scanned = subprocess.run(
        [sys.executable, "-m", "recordpack", "scan", "--json", "-q", str(out)],
        capture_output=True, text=True, check=False,
    )
    records = json.loads(scanned.stdout)["records"]
    kinds: dict[str, set[str]] = {}
    for record in records:
        kinds.setdefault(record["files"][0].split("-", 1)[1], set()).add(record["kind"])
    assert len(records) == len(copies)
    assert all(len(both) == 1 for both in kinds.values())  # each copy read as its original
    assert sum(1 for both in kinds.values() if both == {"pathology_report"}) >= 9


def test_the_document_folder_can_hold_long_records_and_is_otherwise_unchanged(
    tmp_path: Path,
) -> None:
    from pypdf import PdfReader

    printed = _document_folder(tmp_path / "long", "--long", "100")
    _document_folder(tmp_path / "plain")
    changed = _changed_files(tmp_path / "long", tmp_path / "plain")
    assert changed and all(name.endswith((".pdf", ".txt")) for name in changed)
    for name in changed:
        long, plain = tmp_path / "long" / name, tmp_path / "plain" / name
        if name.endswith(".txt"):
            assert "PRIOR REPORTS" in long.read_text() and long.stat().st_size > 4 * plain.stat().st_size
        else:
            assert len(PdfReader(long).pages) >= 3 > len(PdfReader(plain).pages), name
    assert "long pdf" in printed and "long text" in printed
