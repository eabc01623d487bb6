"""Every built-in manifest, end to end: generated folders through the real ``check`` command.

A complete folder for the manifest's cancer must pass; the same folder without its
pathology reports must fail on exactly that; a stranger's report dropped into a
complete folder must be named. The folders come from ``examples.synthetic`` (invented
people only) and are generated once per module.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from examples import synthetic as syn
from recordpack.checking import check
from recordpack.cli import main
from recordpack.manifest import builtin_names, load_manifest
from recordpack.scan import scan_folder

#: The day the folders are generated for and checked on (recent labs and notes count from it).
TODAY = date(2026, 11, 20)

#: The cancer whose folder each built-in manifest is checked against ("general": any).
CANCER_FOR: dict[str, syn.Cancer] = {
    "general": "colorectal",
    "breast": "breast",
    "lung": "lung",
    "prostate": "prostate",
    "colorectal": "colorectal",
    "lymphoma-leukemia": "lymphoma",
}

Folder = Callable[[syn.Cancer, bool], Path]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Folder:
    """``folder(cancer, complete)``: a generated patient folder, written once per module."""
    made: dict[tuple[str, bool], Path] = {}

    def get(cancer: syn.Cancer, complete: bool) -> Path:
        key = (cancer, complete)
        if key not in made:
            # A different invented person per cancer, so no test leans on one name's spelling.
            person = syn.INVENTED_PEOPLE[syn.CANCERS.index(cancer) + 2]
            root = tmp_path_factory.mktemp(f"{cancer}-{'complete' if complete else 'incomplete'}")
            made[key] = syn.make_patient_folder(root / "records", person=person, cancer=cancer,
                                                complete=complete, today=TODAY)
        return made[key]

    return get


def run_check(root: Path, manifest: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(
        main, ["check", str(root), "-m", manifest, "--json", "--as-of", TODAY.isoformat()])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.stdout)


def cancer_for(manifest: str) -> syn.Cancer:
    if manifest not in CANCER_FOR:
        pytest.fail(f"built-in manifest {manifest!r} has no generated folder: add it to CANCER_FOR")
    return CANCER_FOR[manifest]


def statuses(report: dict[str, Any]) -> dict[str, str]:
    return {r["id"]: r["status"] for r in report["requirements"]}


def findings(report: dict[str, Any], code: str) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["code"] == code]


@pytest.mark.parametrize("manifest", builtin_names())
def test_complete_folder_passes(folder: Folder, manifest: str) -> None:
    code, report = run_check(folder(cancer_for(manifest), True), manifest)
    unmet = {r["id"]: (r["status"], r["detail"]) for r in report["requirements"]
             if r["required"] and r["status"] != "met"}
    assert unmet == {}
    assert report["ok"] is True and report["manifest"] == manifest
    assert code == 0
    assert findings(report, "patient_mismatch") == []
    # Every scan has its written report and every report its images.
    assert findings(report, "images_without_report") == []
    assert findings(report, "report_without_images") == []


@pytest.mark.parametrize("manifest", builtin_names())
def test_folder_without_pathology_fails_on_pathology(folder: Folder, manifest: str) -> None:
    code, report = run_check(folder(cancer_for(manifest), False), manifest)
    assert statuses(report)["pathology"] == "missing"
    assert report["ok"] is False
    assert code == 1
    assert findings(report, "patient_mismatch") == []


@pytest.mark.parametrize("manifest", builtin_names())
def test_a_strangers_report_is_named(folder: Folder, manifest: str, tmp_path: Path) -> None:
    cancer = cancer_for(manifest)
    root = shutil.copytree(folder(cancer, True), tmp_path / "records")
    patient = syn.INVENTED_PEOPLE[syn.CANCERS.index(cancer) + 2]
    stranger = next(p for p in syn.INVENTED_PEOPLE if p.family != patient.family)
    syn.write_pdf(root / "Downloads" / "LabResults.pdf", kind="lab_result", person=stranger,
                  service_date=date(2026, 11, 2), cancer=cancer)
    code, report = run_check(root, manifest)
    mismatches = findings(report, "patient_mismatch")
    assert [f["paths"] for f in mismatches] == [["Downloads/LabResults.pdf"]]
    assert stranger.family.lower() in mismatches[0]["message"].lower()
    assert report["ok"] is False
    assert code == 1


def test_lymphoma_pet_ct_is_one_study_with_both_series(folder: Folder) -> None:
    scan = scan_folder(folder("lymphoma", True))
    studies = [r for r in scan.records if r.kind == "imaging_study"]
    assert len(studies) == 1
    study = studies[0].study
    assert study is not None and set(study.modalities) == {"PT", "CT"}
    assert len(study.series) == 2


def test_counts_read_as_plain_english(folder: Folder) -> None:
    # A prostate folder checked against the lung manifest: its MRI report and images are
    # not a chest CT, and neither its pathology nor its germline report names EGFR.
    scan = scan_folder(folder("prostate", True))
    report = check(scan, load_manifest("lung"), as_of=TODAY)
    ct_chest, biomarkers = report.result("ct_chest"), report.result("biomarkers")
    assert ct_chest.status == "missing"
    assert ct_chest.detail == (
        "Found 1 imaging report and 1 set of scan images, but no exam line or image "
        "description among them says CT and chest.")
    assert biomarkers.status == "incomplete"
    assert "found in the genomic report and pathology report." in biomarkers.detail
