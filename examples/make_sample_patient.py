"""Regenerate ``examples/sample-patient/``: one invented breast-cancer patient's records.

Usage::

    python examples/make_sample_patient.py [TARGET]

TARGET defaults to ``examples/sample-patient`` beside this script; it is
replaced entirely. The output is byte-for-byte deterministic (fixed dates,
seeds, UIDs, PDF creation dates and ZIP timestamps), so
``tests/test_examples.py`` can check that the committed folder matches.

The folder is assembled the way a patient really assembles one: portal
downloads with unhelpful names, several institutions each writing her name its
own way, an imaging CD copied with its viewer, a CT series without file
extensions, a duplicate download, operating-system clutter, and one lab report
of another (invented) patient downloaded by mistake.
"""

from __future__ import annotations

import shutil
import sys
from datetime import date
from pathlib import Path

if __package__ in (None, ""):
    # Run as a script: make ``examples.synthetic`` importable from the project root.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from examples.synthetic import (
    INVENTED_PEOPLE,
    StudySpec,
    ccda_document,
    fhir_bundle,
    hl7_oru,
    lab_panel,
    uid_from,
    write_dicom_cd,
    write_dicom_series,
    write_pdf,
    write_portal_zip,
    write_text,
)

DEFAULT_TARGET = Path(__file__).resolve().parent / "sample-patient"

#: Library versions the committed folder was generated with. Other versions may
#: encode the same content in different bytes (PDF writer, zlib, DICOM writer);
#: tests then compare content instead of bytes for those formats.
GENERATED_WITH = {"fpdf2": "2.8.9", "pydicom": "3.0.2", "zlib": "1.2.13"}

#: The patient: Delphine Maren Harrowgate, born 1963-05-11 (invented).
PATIENT = INVENTED_PEOPLE[0]
#: Someone else whose lab report ended up in her downloads (invented).
OTHER_PATIENT = INVENTED_PEOPLE[1]

# Each institution numbers her differently (medical record numbers are local).
NORTHBROOK = PATIENT  # 00731946
LAKEVIEW = PATIENT.with_mrn("LP2261940")
CASCADE = PATIENT.with_mrn("CBI0048815")
SUMMIT = PATIENT.with_mrn("S7719402")
HARBOR = PATIENT.with_mrn("HOG-33817")
MERIDIAN = PATIENT.with_mrn("MG-26-118204")
BAYSIDE = PATIENT.with_mrn("BHP604417725")

# The story, in dates (all 2026): screening callback, diagnosis, surgery, staging, plan.
MAMMOGRAM = date(2026, 8, 11)
BIOPSY = date(2026, 8, 14)
BREAST_MRI = date(2026, 8, 25)
PORTAL_LABS = date(2026, 8, 28)
PORTAL_DOWNLOAD = date(2026, 9, 2)
LUMPECTOMY = date(2026, 9, 29)
DISCHARGE = date(2026, 10, 1)
CT_CHEST = date(2026, 10, 8)
OTHER_LABS = date(2026, 10, 21)
CONSULT = date(2026, 10, 28)
LABS = date(2026, 11, 4)
PLAN = date(2026, 11, 5)
PRIOR_AUTH = date(2026, 11, 10)
FOLLOW_UP = date(2026, 11, 12)

# Operating-system clutter, with the magic numbers the real files start with.
DS_STORE = b"\x00\x00\x00\x01Bud1" + bytes(2036)
THUMBS_DB = bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504)
APPLE_DOUBLE = (bytes.fromhex("00051607") + bytes.fromhex("00020000") + b"Mac OS X        "
                + bytes.fromhex("0002") + bytes(70))


def build(target: Path) -> Path:
    """Write the whole sample folder into ``target`` (replacing it); return ``target``."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    dl = target / "Downloads"

    # Portal downloads: the names say nothing about what is inside.
    write_pdf(dl / "report(3).pdf", kind="pathology_report", person=LAKEVIEW,
              service_date=BIOPSY, institution="Lakeview Pathology Partners", layout=0, seed=0)
    # The same file downloaded twice: the browser added " (1)".
    shutil.copyfile(dl / "report(3).pdf", dl / "report(3) (1).pdf")
    write_pdf(dl / "document.pdf", kind="imaging_report", person=CASCADE, service_date=MAMMOGRAM,
              institution="Cascade Breast Imaging Associates", layout=1, exam="mammogram", seed=1)
    write_pdf(dl / "document(1).pdf", kind="imaging_report", person=CASCADE,
              service_date=BREAST_MRI, institution="Cascade Breast Imaging Associates", layout=1,
              variant_name=PATIENT.short, seed=2)
    write_pdf(dl / "Oncotype_Report_MG-26-118204.pdf", kind="genomic_report", person=MERIDIAN,
              service_date=BIOPSY, institution="Meridian Genomics Laboratory", layout=2, seed=0)
    write_pdf(dl / "LabResults_2026-11-04.pdf", kind="lab_result", person=SUMMIT,
              service_date=LABS, institution="Summit Clinical Laboratories", layout=2, seed=4)
    # Downloaded from the wrong portal account: another patient's labs (check flags it).
    write_pdf(dl / "report(4).pdf", kind="lab_result", person=OTHER_PATIENT.with_mrn("S6602317"),
              service_date=OTHER_LABS, institution="Summit Clinical Laboratories", layout=0,
              cancer="prostate", seed=7)
    write_pdf(dl / "MyChart - Health Summary.pdf", kind="patient_summary", person=NORTHBROOK,
              service_date=PORTAL_DOWNLOAD, institution="Northbrook Regional Medical Center",
              layout=1, variant_name=PATIENT.short, seed=0)
    prefix = "Harrowgate_Delphine_HealthSummary/"
    write_portal_zip(dl / "MyChart_Download_2026-09-02.zip", {
        f"{prefix}Summary_of_Care.xml": ccda_document(person=NORTHBROOK,
                                                      service_date=PORTAL_DOWNLOAD, seed=0),
        f"{prefix}fhir/Patient_Bundle.json": fhir_bundle(person=NORTHBROOK,
                                                         service_date=PORTAL_LABS, seed=0),
        f"{prefix}labs/ORU_20260828.hl7": hl7_oru(person=SUMMIT, collected=PORTAL_LABS,
                                                  tests=lab_panel(seed=1), bom=True, lf=True,
                                                  seed=1),
    }, timestamp=(2026, 9, 2, 19, 41, 6))
    (dl / "Thumbs.db").write_bytes(THUMBS_DB)

    # The hospital: surgery, discharge, staging CT (report and images exported without extensions).
    nb = target / "Northbrook Regional"
    write_pdf(nb / "OpReport_Lumpectomy.pdf", kind="operative_report", person=NORTHBROOK,
              service_date=LUMPECTOMY, institution="Northbrook Regional Medical Center", layout=1,
              seed=0)
    write_pdf(nb / "Discharge Summary.pdf", kind="discharge_summary", person=NORTHBROOK,
              service_date=DISCHARGE, institution="Northbrook Regional Medical Center", layout=0,
              seed=0)
    write_pdf(nb / "CT Chest report.pdf", kind="imaging_report", person=NORTHBROOK,
              service_date=CT_CHEST, institution="Northbrook Regional Medical Center", layout=0,
              exam="ct_chest", seed=3)
    write_dicom_series(nb / "CT_CHEST_20261008", person=NORTHBROOK,
                       study_uid=uid_from("sample", "ct-chest", CT_CHEST), modality="CT", n=6,
                       study_date=CT_CHEST, description="CT CHEST W CONTRAST", names="bare",
                       seed=3, series_description="AXIAL 5MM SOFT TISSUE",
                       institution="Northbrook Regional Medical Center")

    # Medical oncology: consult typed into a text file, follow-up, plan, medications.
    ho = target / "Harbor Oncology"
    write_text(ho / "Consult note 2026-10-28.txt", kind="clinical_note", person=HARBOR,
               service_date=CONSULT, institution="Harbor Oncology Group", layout=0, seed=0,
               crlf=True)
    write_pdf(ho / "Visit 2026-11-12.pdf", kind="clinical_note", person=HARBOR,
              service_date=FOLLOW_UP, institution="Harbor Oncology Group", layout=1, seed=1)
    write_pdf(ho / "treatment_plan.pdf", kind="treatment_plan", person=HARBOR, service_date=PLAN,
              institution="Harbor Oncology Group", layout=2, seed=0)
    write_pdf(ho / "Medication list.pdf", kind="medication_list", person=HARBOR,
              service_date=FOLLOW_UP, institution="Harbor Oncology Group", layout=0, seed=0)
    write_pdf(ho / "Chemotherapy and You.pdf", kind="other", person=HARBOR, service_date=PLAN,
              institution="Harbor Oncology Group", layout=1, seed=0)

    write_pdf(target / "Insurance" / "PriorAuth_Approval.pdf", kind="administrative",
              person=BAYSIDE, service_date=PRIOR_AUTH, institution="Bayside Health Plan",
              layout=1, variant_name=PATIENT.short, seed=0)

    # The imaging CD from the breast center, copied as is (viewer and all).
    write_dicom_cd(target / "Imaging CD - Cascade Breast Imaging", person=CASCADE,
                   institution="Cascade Breast Imaging Associates", created=BREAST_MRI,
                   studies=[StudySpec("MG", "MAMMO DIAG BILAT W TOMO", MAMMOGRAM, n=4, seed=11),
                            StudySpec("MR", "MRI BREAST BILAT W WO CONTRAST", BREAST_MRI, n=3,
                                      series=2, seed=12)])

    # A Mac and a Windows PC both touched the folder.
    (target / ".DS_Store").write_bytes(DS_STORE)
    (target / "__MACOSX" / "Downloads").mkdir(parents=True)
    (target / "__MACOSX" / "Downloads" / "._report(3).pdf").write_bytes(APPLE_DOUBLE)
    return target


def main(argv: list[str]) -> int:
    """Entry point: ``make_sample_patient.py [TARGET]``."""
    if len(argv) > 1:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    target = Path(argv[0]) if argv else DEFAULT_TARGET
    build(target)
    files = [p for p in target.rglob("*") if p.is_file()]
    size = sum(p.stat().st_size for p in files)
    print(f"wrote {len(files)} files ({size / 1024:.0f} KiB) to {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
