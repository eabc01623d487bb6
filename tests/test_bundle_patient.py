"""The bundle is named after the folder's patient, decided as check decides it."""

from __future__ import annotations

from recordpack.bundle.layout import folder_patient, plan_bag
from recordpack.model import Patient, Record, ScanResult


def _record(path: str, name: str, dob: str, mrn: str | None) -> Record:
    return Record(
        kind="lab_result",
        title="Lab results",
        date="2026-10-01",
        files=(path,),
        patient=Patient(name, dob, mrn),
        confidence=0.9,
        format="pdf",
    )


def test_spellings_of_one_patient_outvote_two_identical_misfiled_records() -> None:
    scan = ScanResult(
        root="records",
        records=(
            _record("a.pdf", "HARROWGATE, DELPHINE M", "1963-05-11", "00731946"),
            _record("b.pdf", "Delphine M. Harrowgate", "1963-05-11", "HOG-33817"),
            _record("c.pdf", "Harrowgate, Delphine", "1963-05-11", "00731946"),
            # Someone else's results, downloaded twice under different names.
            _record("x.pdf", "PELLINORE, GORDON T", "1958-02-03", "S6602317"),
            _record("y.pdf", "PELLINORE, GORDON T", "1958-02-03", "S6602317"),
        ),
        problems=(),
        skipped=(),
    )
    patient = folder_patient(scan)
    assert patient.name is not None and "harrowgate" in patient.name.lower()
    assert patient.birth_date == "1963-05-11"
    assert patient.id == "00731946"  # given twice by her records; never the other patient's
    plan = plan_bag(scan, "20261124")
    assert plan.patient == patient
    assert plan.bag.startswith("recordpack-20261124-") and "harrowgate" in plan.bag
