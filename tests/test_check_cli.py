"""`recordpack check` and `recordpack manifests` end to end: real PDFs through the scanner.

The PDFs are written here with fpdf2 for invented patients, with the headings
real reports use; exit codes, stdout JSON and stderr are checked separately.
"""

from __future__ import annotations

import json
from pathlib import Path

import fpdf  # fpdf2 (a declared test dependency) writes the test PDFs
import pytest
from click.testing import CliRunner

from recordpack.cli import main

PATHOLOGY = [
    "SURGICAL PATHOLOGY REPORT",
    "Patient: Thompson, Margaret   DOB: 03/14/1962   MRN: 00482913",
    "Date of collection: 06/01/2026",
    "SPECIMEN: Left breast, core needle biopsy",
    "GROSS DESCRIPTION: Three cores of tan tissue.",
    "FINAL DIAGNOSIS: Invasive ductal carcinoma, grade 2.",
    "Estrogen receptor (ER): positive. Progesterone receptor (PR): positive.",
    "HER2 (IHC): 1+, negative.",
]
LABS = [
    "LABORATORY REPORT",
    "Patient: MARGARET THOMPSON   DOB: 03/14/1962",
    "Collected: 07/15/2026",
    "Test          Result   Units     Reference range",
    "WBC           6.1      10^3/uL   4.0-11.0",
    "Hemoglobin    12.9     g/dL      12.0-16.0",
]
OTHER_PATIENT = [
    "SURGICAL PATHOLOGY REPORT",
    "Patient: Chen, Robert   DOB: 07/02/1955   MRN: 7712",
    "Date of collection: 05/02/2026",
    "SPECIMEN: Colon polyp",
    "GROSS DESCRIPTION: One polyp.",
    "FINAL DIAGNOSIS: Tubular adenoma.",
]

#: A small manifest of the user's own: pathology and recent labs.
SMALL_MANIFEST = """
name = "small"
title = "Pathology and labs"

[[requirement]]
id = "pathology"
title = "Pathology report"
kinds = ["pathology_report"]
why = "It says what the cancer is."
how_to_get = "Ask the pathology department."

[[requirement]]
id = "labs"
title = "Recent labs"
kinds = ["lab_result"]
max_age_days = 60
why = "They show how you are now."
how_to_get = "Ask your doctor's office."
"""


def write_pdf(path: Path, lines: list[str]) -> None:
    document = fpdf.FPDF()
    document.add_page()
    document.set_font("Helvetica", size=11)
    for line in lines:
        document.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    document.output(str(path))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "records"
    root.mkdir()
    write_pdf(root / "pathology.pdf", PATHOLOGY)
    write_pdf(root / "labs.pdf", LABS)
    return root


@pytest.fixture
def small_manifest(tmp_path: Path) -> Path:
    path = tmp_path / "small.toml"
    path.write_text(SMALL_MANIFEST, encoding="utf-8")
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_clean_folder_meets_a_users_manifest(folder: Path, small_manifest: Path) -> None:
    code, out, _ = run(
        "check", str(folder), "-m", str(small_manifest), "--as-of", "2026-08-01", "--json", "-q"
    )
    doc = json.loads(out)
    assert code == 0, out
    assert doc["ok"] is True and doc["manifest"] == "small"
    statuses = {r["id"]: (r["status"], r["files"]) for r in doc["requirements"]}
    assert statuses == {"pathology": ("met", ["pathology.pdf"]), "labs": ("met", ["labs.pdf"])}
    assert [f for f in doc["findings"] if f["code"] == "patient_mismatch"] == []


def test_human_report_and_exit_0(folder: Path, small_manifest: Path) -> None:
    code, out, _ = run("check", str(folder), "-m", str(small_manifest), "--as-of", "2026-08-01")
    assert code == 0
    assert "READY TO SEND" in out and "pathology.pdf" in out


def test_outdated_labs_as_of_a_later_date(folder: Path, small_manifest: Path) -> None:
    code, out, _ = run(
        "check", str(folder), "-m", str(small_manifest), "--as-of", "2026-12-01", "--json"
    )
    assert code == 1
    labs = {r["id"]: r for r in json.loads(out)["requirements"]}["labs"]
    assert labs["status"] == "outdated" and labs["files"] == ["labs.pdf"]


def test_misfiled_report_of_another_patient_is_flagged(folder: Path, small_manifest: Path) -> None:
    write_pdf(folder / "report 2.pdf", OTHER_PATIENT)
    code, out, _ = run(
        "check", str(folder), "-m", str(small_manifest), "--as-of", "2026-08-01", "--json"
    )
    doc = json.loads(out)
    assert code == 1 and doc["ok"] is False
    mismatches = [f for f in doc["findings"] if f["code"] == "patient_mismatch"]
    assert [f["paths"] for f in mismatches] == [["report 2.pdf"]]
    assert "Chen" in mismatches[0]["message"]
    code, text, _ = run("check", str(folder), "-m", str(small_manifest), "--as-of", "2026-08-01")
    assert code == 1 and text.index("report 2.pdf") < text.index("Already here")


def test_missing_pathology_report_exits_1(folder: Path) -> None:
    (folder / "pathology.pdf").unlink()
    code, out, _ = run("check", str(folder), "-m", "breast", "--as-of", "2026-08-01", "--json")
    doc = json.loads(out)
    assert code == 1
    pathology = {r["id"]: r for r in doc["requirements"]}["pathology"]
    assert pathology["status"] == "missing" and pathology["files"] == []
    assert pathology["how_to_get"]


def test_breast_check_on_real_pdfs_finds_receptors(folder: Path) -> None:
    code, out, _ = run("check", str(folder), "-m", "breast", "--as-of", "2026-08-01", "--json")
    assert code == 1  # no imaging, medications or notes yet
    pathology = {r["id"]: r for r in json.loads(out)["requirements"]}["pathology"]
    assert pathology["status"] == "met", pathology


@pytest.mark.parametrize(
    "args",
    [
        ["-m", "brest"],
        ["--as-of", "2026-13-40"],
        ["-m", "nowhere/missing.toml"],
    ],
)
def test_usage_errors_exit_2(folder: Path, args: list[str]) -> None:
    code, out, err = run("check", str(folder), *args)
    assert code == 2
    assert out == ""
    assert err.strip()


def test_malformed_manifest_exits_2_naming_the_line(folder: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[[requirement]]\nid = "a"\ntitel = "A"\nkinds = ["other"]\n', encoding="utf-8")
    code, out, err = run("check", str(folder), "-m", str(bad))
    assert code == 2 and out == ""
    assert "line 3" in err and "titel" in err and "'title'" in err


def test_missing_folder_exits_2(tmp_path: Path) -> None:
    code, _, err = run("check", str(tmp_path / "nope"))
    assert code == 2 and "nope" in err


def test_manifests_lists_the_builtins() -> None:
    code, out, _ = run("manifests", "--json")
    assert code == 0
    names = [m["name"] for m in json.loads(out)["manifests"]]
    assert names[0] == "general" and "lymphoma-leukemia" in names
    code, text, _ = run("manifests")
    assert code == 0 and "Breast cancer second opinion" in text


def test_manifests_show_resolves_the_parent() -> None:
    code, out, _ = run("manifests", "show", "lung", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["extends"] == "general"
    ids = [r["id"] for r in doc["requirements"]]
    assert "pathology" in ids and "biomarkers" in ids
    code, text, _ = run("manifests", "show", "lung")
    assert code == 0 and "EGFR" in text and "Arrange separately" in text
    code, _, err = run("manifests", "show", "lugn")
    assert code == 2 and "'lung'" in err


def test_every_command_has_help() -> None:
    for args in (["check", "--help"], ["manifests", "--help"], ["manifests", "show", "--help"]):
        code, out, _ = run(*args)
        assert code == 0 and "Usage" in out
