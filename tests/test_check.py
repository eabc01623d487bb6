"""check(): requirement statuses, findings and the report, on synthetic scan results.

Every patient here is invented. Records are built directly as the scanner
would produce them, so these tests do not depend on how well scanning
classifies a file (test_check_cli.py runs the real scanner).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from recordpack.checking import STATUSES, CheckReport, check, render_check
from recordpack.manifest import builtin_names, load_manifest
from recordpack.model import ImagingStudy, Patient, Problem, Record, ScanResult, Series

AS_OF = dt.date(2026, 8, 1)
NAME = "Thompson, Margaret A"
DOB = "1962-03-14"


def rec(
    kind: str,
    path: str,
    text: str = "",
    *,
    date: str | None = "2026-07-01",
    name: str | None = NAME,
    dob: str | None = DOB,
    mrn: str | None = None,
    title: str | None = None,
    confidence: float = 0.9,
    fmt: str = "pdf",
) -> Record:
    return Record(
        kind=kind,
        title=title or kind.replace("_", " ").capitalize(),
        date=date,
        files=(path,),
        patient=Patient(name, dob, mrn),
        confidence=confidence,
        format=fmt,
        text=text,
    )


def study(
    path: str,
    modality: str,
    description: str,
    *,
    date: str = "2026-07-05",
    name: str = "THOMPSON^MARGARET^A",
    dob: str | None = DOB,
    files: int = 3,
) -> Record:
    paths = tuple(f"{path}/IM{i:04d}" for i in range(files))
    return Record(
        kind="imaging_study",
        title=f"{modality} {description}",
        date=date,
        files=paths,
        patient=Patient(name, dob, "X-55"),
        confidence=0.99,
        format="dicom",
        study=ImagingStudy(
            study_instance_uid=f"1.2.826.0.1.{abs(hash(path)) % 10**8}",
            modalities=(modality,),
            description=description,
            accession_number=None,
            study_id=None,
            series=(Series("1.2.3", modality, 1, description, ()),),
        ),
    )


def scan_of(*records: Record, problems: tuple[Problem, ...] = ()) -> ScanResult:
    return ScanResult(root="records", records=records, problems=problems, skipped=())


def general_records() -> list[Record]:
    """A folder that meets the general manifest."""
    return [
        rec(
            "pathology_report",
            "pathology/biopsy.pdf",
            "SURGICAL PATHOLOGY REPORT\nFINAL DIAGNOSIS: invasive carcinoma.",
            date="2026-06-01",
        ),
        rec(
            "imaging_report",
            "radiology/ct-chest.pdf",
            "EXAM: CT CHEST WITH CONTRAST\nFINDINGS: 2 cm nodule.\nIMPRESSION: suspicious.",
            date="2026-07-05",
            name="MARGARET THOMPSON",
        ),
        study("disc/CT", "CT", "CT CHEST W CONTRAST", date="2026-07-05"),
        rec("lab_result", "labs/cmp.pdf", "Sodium 139 mmol/L Creatinine 0.8", date="2026-07-20"),
        rec("medication_list", "meds.pdf", "Letrozole 2.5 mg daily. Allergies: none", date=None),
        rec(
            "clinical_note",
            "notes/consult.pdf",
            "HISTORY OF PRESENT ILLNESS ... ASSESSMENT AND PLAN",
            date="2026-07-25",
            name="Margaret A. Thompson",
        ),
    ]


#: Per manifest: records that meet its own requirements, and one requirement
#: whose records are removed to make the folder incomplete.
SPECIFIC: dict[str, tuple[Callable[[], list[Record]], str]] = {
    "general": (list, "recent_labs"),
    "breast": (
        lambda: [
            rec(
                "pathology_report",
                "pathology/breast-ihc.pdf",
                "Estrogen receptor (ER): positive, 95%. Progesterone receptor (PR): positive. "
                "HER2 (IHC): 1+, negative. Ki-67: 15%.",
                date="2026-06-03",
            ),
            rec(
                "imaging_report",
                "radiology/mammogram.pdf",
                "BILATERAL DIAGNOSTIC MAMMOGRAM\nIMPRESSION: BI-RADS 5",
                date="2026-05-20",
            ),
            study("disc/MG", "MG", "MAMMO DIAG BILAT", date="2026-05-20"),
        ],
        "breast_imaging",
    ),
    "lung": (
        lambda: [
            rec(
                "genomic_report",
                "genomics/ngs-panel.pdf",
                "Next-generation sequencing. EGFR exon 19 deletion detected. ALK: no fusion. "
                "ROS1: no fusion. KRAS: wild type. PD-L1 (22C3) TPS 40%.",
                date="2026-06-20",
            ),
            rec(
                "imaging_report",
                "radiology/pet-ct.pdf",
                "FDG PET/CT SKULL BASE TO MID THIGH\nIMPRESSION: hypermetabolic right upper "
                "lobe mass.",
                date="2026-07-02",
            ),
            study("disc/PET", "PT", "PET CT WHOLE BODY", date="2026-07-02"),
        ],
        "pet_ct",
    ),
    "prostate": (
        lambda: [
            rec(
                "pathology_report",
                "pathology/prostate-biopsy.pdf",
                "Prostate needle biopsy, 12 cores. Adenocarcinoma, Gleason score 3+4=7 "
                "(Grade Group 2) in 4 of 12 cores.",
                date="2026-06-10",
                name="THOMPSON, MARK",
                dob="1955-02-01",
            ),
            rec(
                "lab_result",
                "labs/psa-2025.pdf",
                "PSA, total 5.1 ng/mL",
                date="2025-10-01",
                name="Mark Thompson",
                dob="1955-02-01",
            ),
            rec(
                "lab_result",
                "labs/psa-2026.pdf",
                "Prostate specific antigen 7.9 ng/mL",
                date="2026-05-01",
                name="Mark Thompson",
                dob="1955-02-01",
            ),
            rec(
                "imaging_report",
                "radiology/prostate-mri.pdf",
                "MRI PROSTATE WITHOUT AND WITH CONTRAST. PI-RADS 4 lesion.",
                date="2026-05-15",
                name="Mark Thompson",
                dob="1955-02-01",
            ),
        ],
        "psa_history",
    ),
    "colorectal": (
        lambda: [
            rec(
                "operative_report",
                "procedures/colonoscopy.pdf",
                "COLONOSCOPY REPORT\nPROCEDURE: Colonoscopy with biopsy. Fungating mass in "
                "the sigmoid colon.",
                date="2026-05-02",
            ),
            rec(
                "pathology_report",
                "pathology/colon.pdf",
                "Adenocarcinoma. Mismatch repair (MMR) proteins: MLH1, PMS2, MSH2, MSH6 "
                "intact (proficient).",
                date="2026-05-06",
            ),
            rec("lab_result", "labs/cea.pdf", "CEA 4.2 ng/mL", date="2026-07-10"),
            rec(
                "imaging_report",
                "radiology/ct-cap.pdf",
                "CT CHEST, ABDOMEN AND PELVIS WITH CONTRAST. No liver lesions.",
                date="2026-05-10",
            ),
        ],
        "cea",
    ),
    "lymphoma-leukemia": (
        lambda: [
            rec(
                "pathology_report",
                "pathology/marrow.pdf",
                "BONE MARROW BIOPSY AND ASPIRATE: hypercellular marrow.",
                date="2026-06-15",
            ),
            rec(
                "pathology_report",
                "pathology/flow.pdf",
                "FLOW CYTOMETRY: immunophenotype consistent with B-cell lymphoma.",
                date="2026-06-15",
            ),
            rec(
                "genomic_report",
                "genomics/fish.pdf",
                "FISH panel: t(14;18) detected. Karyotype 46,XX.",
                date="2026-06-18",
            ),
            rec(
                "genomic_report",
                "genomics/ngs.pdf",
                "Molecular NGS panel: TP53 mutation not detected; MYD88 L265P detected.",
                date="2026-06-25",
            ),
            rec(
                "lab_result",
                "labs/cbc.pdf",
                "CBC WITH DIFFERENTIAL: WBC 7.2, neutrophils 60%, lymphocytes 30%",
                date="2026-07-22",
            ),
        ],
        "flow_cytometry",
    ),
}


def folder_for(manifest_name: str) -> list[Record]:
    extra, _ = SPECIFIC[manifest_name]
    records = general_records() + extra()
    if manifest_name == "prostate":
        # The prostate patient is a man: give every record his name.
        records = [
            Record(
                **{
                    **r.__dict__,
                    "patient": Patient(
                        "THOMPSON^MARK" if r.format == "dicom" else "Mark Thompson",
                        "1955-02-01",
                        None,
                    ),
                }
            )
            for r in records
        ]
    return records


def test_every_builtin_manifest_has_a_scenario() -> None:
    assert sorted(SPECIFIC) == sorted(builtin_names())


@pytest.mark.parametrize("name", sorted(SPECIFIC))
def test_complete_folder_is_ready(name: str) -> None:
    report = check(scan_of(*folder_for(name)), load_manifest(name), as_of=AS_OF)
    unmet = [
        (r.requirement.id, r.status, r.detail)
        for r in report.results
        if r.requirement.required and r.status != "met"
    ]
    assert unmet == []
    assert [f.code for f in report.findings if f.blocking] == []
    assert report.ok
    assert "READY TO SEND" in render_check(report)


@pytest.mark.parametrize("name", sorted(SPECIFIC))
def test_incomplete_folder_names_what_is_missing(name: str) -> None:
    manifest = load_manifest(name)
    _, removed = SPECIFIC[name]
    full = check(scan_of(*folder_for(name)), manifest, as_of=AS_OF)
    gone = set(full.result(removed).files)
    assert gone, f"the complete {name} folder should meet {removed}"
    records = [r for r in folder_for(name) if not set(r.files) & gone]
    report = check(scan_of(*records), manifest, as_of=AS_OF)
    assert not report.ok
    result = report.result(removed)
    assert result.status == "missing"
    assert result.files == []
    text = render_check(report)
    assert "NOT READY" in text
    assert result.requirement.title in text
    assert result.requirement.how_to_get.split()[0] in text
    assert any(b.code == "missing" for b in report.blocking)


def test_missing_pathology_report_is_missing_and_blocks() -> None:
    records = [r for r in general_records() if r.kind != "pathology_report"]
    report = check(scan_of(*records), load_manifest("general"), as_of=AS_OF)
    assert report.result("pathology").status == "missing"
    assert not report.ok
    assert report.to_json()["ok"] is False


def test_old_labs_are_outdated_as_of_a_date() -> None:
    manifest = load_manifest("general")
    scan = scan_of(*general_records())
    # Labs of 2026-07-20 are recent on 2026-08-01 but not on 2027-01-01.
    assert check(scan, manifest, as_of=AS_OF).result("recent_labs").status == "met"
    late = check(scan, manifest, as_of=dt.date(2027, 1, 1))
    labs = late.result("recent_labs")
    assert labs.status == "outdated"
    assert labs.files == ["labs/cmp.pdf"]
    assert "2026-07-20" in labs.detail and "90 days" in labs.detail
    assert late.result("clinic_notes").status == "met"  # 160 days: within 180
    assert not late.ok
    assert "Out of date" in render_check(late)


def test_an_undated_record_is_neither_outdated_nor_proof_of_a_recent_one() -> None:
    records = [r for r in general_records() if r.kind != "lab_result"]
    records.append(rec("lab_result", "labs/undated.pdf", "Hemoglobin 12", date=None))
    report = check(scan_of(*records), load_manifest("general"), as_of=AS_OF)
    result = report.result("recent_labs")
    # Its date cannot be read, so it may be years old: not "met", and the folder not ready.
    assert result.status == "incomplete"
    assert result.files == ["labs/undated.pdf"]
    assert "labs/undated.pdf" in result.detail and "90 days" in result.detail
    assert not report.ok
    words = render_check(report)
    assert "NOT READY TO SEND YET" in words and "everything the specialist asked for" not in words


def test_an_undated_record_beside_a_recent_one_does_not_hold_the_item_back() -> None:
    records = list(general_records())
    records.append(rec("lab_result", "labs/undated.pdf", "Hemoglobin 12", date=None))
    result = check(scan_of(*records), load_manifest("general"), as_of=AS_OF).result("recent_labs")
    assert result.status == "met"


def test_breast_pathology_without_her2_is_incomplete() -> None:
    records = [r for r in folder_for("breast") if r.kind != "pathology_report"]
    records.append(
        rec(
            "pathology_report",
            "pathology/breast.pdf",
            "Invasive ductal carcinoma. Estrogen receptor positive. Progesterone receptor "
            "positive. HER2 pending.".replace("HER2 pending.", ""),
        )
    )
    report = check(scan_of(*records), load_manifest("breast"), as_of=AS_OF)
    result = report.result("pathology")
    assert result.status == "incomplete"
    assert "HER2" in result.detail
    assert "ER" not in result.detail.replace("HER2", "")
    assert result.files == ["pathology/breast.pdf"]
    assert not report.ok
    assert "HER2" in render_check(report)


def test_receptor_results_may_come_in_separate_reports() -> None:
    records = [r for r in folder_for("breast") if r.kind != "pathology_report"]
    records += [
        rec("pathology_report", "path/a.pdf", "ER: positive (90%). PR: negative."),
        rec("pathology_report", "path/b.pdf", "Addendum: HER-2/neu by IHC: 3+ (positive)."),
    ]
    result = check(scan_of(*records), load_manifest("breast"), as_of=AS_OF).result("pathology")
    assert result.status == "met"
    assert sorted(result.files) == ["path/a.pdf", "path/b.pdf"]


#: Receptor lines that name the tests but give no result (written as outside reports word it).
_NO_RECEPTOR_RESULTS = [
    "ER, PR and HER2: see separate addendum.",
    "Immunohistochemistry (ER, PR, HER2) requested on block A2; results to be issued as an "
    "addendum.",
    "ER: in process\nPR: in process\nHER2: in process",
    "ER / PR / HER2: insufficient tumor for testing (QNS).",
    "ER, PR and HER2 testing deferred to the excision specimen.",
    "ER: cancelled\nPR: cancelled\nHER2: cancelled",
    "ER, PR, HER2: results in progress, to be reported in an addendum.",
]


@pytest.mark.parametrize("receptors", _NO_RECEPTOR_RESULTS)
def test_receptors_named_without_a_result_do_not_meet_the_pathology_item(receptors: str) -> None:
    records = [r for r in folder_for("breast") if r.kind != "pathology_report"]
    text = f"FINAL DIAGNOSIS: Invasive ductal carcinoma, grade 2.\n\n{receptors}\n"
    records.append(rec("pathology_report", "pathology/breast.pdf", text))
    report = check(scan_of(*records), load_manifest("breast"), as_of=AS_OF)
    result = report.result("pathology")
    assert result.status == "incomplete"
    assert "HER2" in result.detail
    assert not report.ok


def test_receptors_with_results_still_meet_the_pathology_item() -> None:
    records = [r for r in folder_for("breast") if r.kind != "pathology_report"]
    text = (
        "FINAL DIAGNOSIS: Invasive ductal carcinoma, grade 2.\n\n"
        "ER: positive (95%, strong)\nPR: positive (40%)\nHER2: negative (1+)\n"
        "Frozen section diagnosis: deferred to permanent sections.\n"
    )
    records.append(rec("pathology_report", "pathology/breast.pdf", text))
    result = check(scan_of(*records), load_manifest("breast"), as_of=AS_OF).result("pathology")
    assert result.status == "met"


#: A pelvic MRI read for the hip, and a prostate MRI ordered as "MRI pelvis".
_PELVIC_MRIS = [
    pytest.param(
        "EXAM: MRI PELVIS WITHOUT CONTRAST (HIP PROTOCOL)\n"
        "INDICATION: Right hip pain.\n"
        "FINDINGS: Mild degenerative change of the right hip. Prostate not evaluated.\n"
        "IMPRESSION: Mild right hip osteoarthritis.",
        False,
        id="hip",
    ),
    pytest.param(
        "EXAM: MRI PELVIS WITH AND WITHOUT CONTRAST\n"
        "INDICATION: Rising PSA.\n"
        "FINDINGS: 1.2 cm lesion in the left peripheral zone of the prostate, PI-RADS 4.\n"
        "IMPRESSION: PI-RADS 4 lesion.",
        True,
        id="prostate",
    ),
]


@pytest.mark.parametrize(("report", "is_prostate_mri"), _PELVIC_MRIS)
def test_a_pelvic_mri_is_the_prostate_mri_only_when_it_looked_at_the_prostate(
    report: str, is_prostate_mri: bool
) -> None:
    records = [r for r in folder_for("prostate") if "prostate-mri" not in r.files[0]]
    records.append(
        rec("imaging_report", "radiology/mri-pelvis.pdf", report, name="Mark Thompson",
            dob="1955-02-01")
    )
    result = check(scan_of(*records), load_manifest("prostate"), as_of=AS_OF).result(
        "prostate_mri"
    )
    assert (result.status == "met") is is_prostate_mri


def test_lung_biomarkers_name_the_missing_ones() -> None:
    records = [r for r in folder_for("lung") if r.kind != "genomic_report"]
    records.append(rec("genomic_report", "ngs.pdf", "EGFR L858R detected. KRAS wild type."))
    result = check(scan_of(*records), load_manifest("lung"), as_of=AS_OF).result("biomarkers")
    assert result.status == "incomplete"
    for marker in ("ALK", "ROS1", "PD-L1"):
        assert marker in result.detail
    assert "EGFR" not in result.detail


def test_one_psa_result_is_not_a_history() -> None:
    records = [r for r in folder_for("prostate") if r.files != ("labs/psa-2025.pdf",)]
    result = check(scan_of(*records), load_manifest("prostate"), as_of=AS_OF).result("psa_history")
    assert result.status == "incomplete"
    assert "2" in result.detail


def test_unrelated_lab_does_not_count_as_psa() -> None:
    records = [r for r in folder_for("prostate") if "psa" not in r.files[0]]
    report = check(scan_of(*records), load_manifest("prostate"), as_of=AS_OF)
    result = report.result("psa_history")
    assert result.status == "missing"
    assert "PSA" in result.detail  # "found 1 lab result, but none mentions PSA"


def test_tumour_genomic_report_is_not_an_inherited_gene_test() -> None:
    oncotype = rec(
        "genomic_report",
        "oncotype.pdf",
        "Oncotype DX Breast Recurrence Score 18. Not intended to report germline findings.",
    )
    brca = rec("genomic_report", "brca.pdf", "Hereditary cancer panel: BRCA1 and BRCA2 negative.")
    alone = check(scan_of(*folder_for("breast"), oncotype), load_manifest("breast"), as_of=AS_OF)
    assert alone.result("germline").status == "optional_missing"
    both = check(scan_of(*folder_for("breast"), oncotype, brca), load_manifest("breast"), as_of=AS_OF)
    assert both.result("germline").status == "met"
    assert both.result("germline").files == ["brca.pdf"]


def test_slides_are_arranged_separately_never_met() -> None:
    report = check(scan_of(*general_records()), load_manifest("general"), as_of=AS_OF)
    assert [r.id for r in report.arrange_separately] == ["slides"]
    doc = report.to_json()
    assert "slides" not in [r["id"] for r in doc["requirements"]]
    assert doc["arrange_separately"][0]["id"] == "slides"
    text = render_check(report)
    assert "arrange separately" in text.lower() and "slides" in text.lower()


def test_optional_items_never_block() -> None:
    report = check(scan_of(*folder_for("breast")), load_manifest("breast"), as_of=AS_OF)
    genomic = report.result("genomic_assay")
    assert genomic.status == "optional_missing"
    assert report.ok


# --------------------------------------------------------------------------- patient


def test_misfiled_record_of_another_patient_blocks() -> None:
    records = general_records() + [
        rec(
            "pathology_report",
            "pathology/report 2.pdf",
            "SURGICAL PATHOLOGY REPORT",
            name="Chen, Robert",
            dob="1955-07-02",
            mrn="77120",
        )
    ]
    report = check(scan_of(*records), load_manifest("general"), as_of=AS_OF)
    mismatches = [f for f in report.findings if f.code == "patient_mismatch"]
    assert len(mismatches) == 1
    assert mismatches[0].paths == ("pathology/report 2.pdf",)
    assert "Chen" in mismatches[0].message and "1955-07-02" in mismatches[0].message
    assert mismatches[0].blocking
    assert not report.ok
    # The other patient's report must not count as this patient's pathology.
    assert "pathology/report 2.pdf" not in report.result("pathology").files
    text = render_check(report)
    assert text.index("pathology/report 2.pdf") < text.index("Already here")


def test_misfiled_record_is_not_counted_as_meeting_a_requirement() -> None:
    records = [r for r in general_records() if r.kind != "pathology_report"]
    records.append(rec("pathology_report", "path.pdf", name="Robert Chen", dob="1955-07-02"))
    result = check(scan_of(*records), load_manifest("general"), as_of=AS_OF).result("pathology")
    assert result.status == "missing"
    assert "another patient" in result.detail


def test_name_variants_of_one_patient_are_not_flagged() -> None:
    variants = [
        "THOMPSON^MARGARET^A",
        "Thompson, Margaret A",
        "Margaret A. Thompson",
        "MARGARET THOMPSON",
        "Thompson, Margaret Anne",
        "margaret thompson",
        "Mrs. Margaret Thompson",
    ]
    records = [
        rec("clinical_note", f"notes/{i}.pdf", "note", name=v, mrn=f"{1000 + i}")
        for i, v in enumerate(variants)
    ]
    report = check(scan_of(*general_records(), *records), load_manifest("general"), as_of=AS_OF)
    assert [f for f in report.findings if f.code == "patient_mismatch"] == []
    assert report.ok


def test_record_numbers_alone_do_not_make_a_mismatch() -> None:
    records = [
        Record(
            **{**r.__dict__, "patient": Patient(r.patient.name, r.patient.birth_date, f"MRN{i}")}
        )
        for i, r in enumerate(general_records())
    ]
    report = check(scan_of(*records), load_manifest("general"), as_of=AS_OF)
    assert [f.code for f in report.findings if f.code == "patient_mismatch"] == []


# --------------------------------------------------------------------------- findings


def test_encrypted_required_record_blocks_and_does_not_count() -> None:
    records = [r for r in general_records() if r.kind != "pathology_report"]
    records.append(rec("pathology_report", "locked.pdf", "", confidence=0.3))
    problems = (Problem("locked.pdf", "encrypted", "the PDF needs a password"),)
    report = check(scan_of(*records, problems=problems), load_manifest("general"), as_of=AS_OF)
    result = report.result("pathology")
    assert result.status == "missing"
    assert "locked.pdf" in result.detail and "password" in result.detail
    encrypted = [f for f in report.findings if f.code == "encrypted"]
    assert encrypted[0].paths == ("locked.pdf",) and encrypted[0].blocking
    assert not report.ok


def test_duplicates_and_image_only_files_are_reported_not_blocking() -> None:
    problems = (
        Problem(
            "copy of biopsy.pdf", "duplicate", "same bytes", duplicate_of="pathology/biopsy.pdf"
        ),
        Problem("photo.jpg", "no_text", "no text could be read"),
    )
    report = check(
        scan_of(*general_records(), problems=problems), load_manifest("general"), as_of=AS_OF
    )
    by_code = {f.code: f for f in report.findings}
    assert set(by_code["duplicate"].paths) == {"copy of biopsy.pdf", "pathology/biopsy.pdf"}
    assert "photo.jpg" in by_code["no_text"].message
    assert report.ok  # nothing here stops sending


def test_images_without_report_and_report_without_images() -> None:
    records = general_records() + [
        study("disc/MR", "MR", "MRI BRAIN", date="2026-03-01"),
        rec(
            "imaging_report",
            "radiology/bone-scan.pdf",
            "NUCLEAR MEDICINE BONE SCAN",
            date="2026-01-10",
        ),
    ]
    report = check(scan_of(*records), load_manifest("general"), as_of=AS_OF)
    codes = {(f.code, f.paths[0]) for f in report.findings}
    assert ("images_without_report", "disc/MR/IM0000") in codes
    assert ("report_without_images", "radiology/bone-scan.pdf") in codes
    # The CT report and the CT images of the same day are a pair: neither is flagged.
    flagged = {p for f in report.findings for p in f.paths}
    assert "radiology/ct-chest.pdf" not in flagged and "disc/CT/IM0000" not in flagged


def test_report_pairs_only_with_images_of_the_same_kind_of_scan() -> None:
    records = [r for r in general_records() if r.kind != "imaging_study"]
    records.append(study("disc/US", "US", "US ABDOMEN", date="2026-07-05"))
    report = check(scan_of(*records), load_manifest("general"), as_of=AS_OF)
    codes = {f.code for f in report.findings}
    assert {"images_without_report", "report_without_images"} <= codes


# --------------------------------------------------------------------------- JSON


def _assert_contract(doc: dict[str, object], manifest: str) -> None:
    assert doc["version"] == 1
    assert doc["manifest"] == manifest
    assert isinstance(doc["ok"], bool)
    assert isinstance(doc["requirements"], list) and doc["requirements"]
    for item in doc["requirements"]:
        assert isinstance(item, dict)
        assert {"id", "title", "kinds", "status", "files", "why", "how_to_get"} <= set(item)
        assert item["status"] in STATUSES
        assert isinstance(item["files"], list) and isinstance(item["kinds"], list)
    assert isinstance(doc["findings"], list)
    for finding in doc["findings"]:
        assert isinstance(finding, dict)
        assert {"code", "paths", "message"} <= set(finding)
        assert isinstance(finding["paths"], list) and finding["message"]


@pytest.mark.parametrize("name", sorted(SPECIFIC))
def test_json_follows_the_contract(name: str) -> None:
    records = folder_for(name) + [rec("clinical_note", "stray.pdf", name="Jane Doe-Example")]
    problems = (Problem("broken.pdf", "unreadable", "PDF ends early"),)
    report = check(scan_of(*records, problems=problems), load_manifest(name), as_of=AS_OF)
    doc = report.to_json()
    _assert_contract(doc, name)
    assert doc["ok"] is False
    assert {"patient_mismatch", "unreadable"} <= {f["code"] for f in doc["findings"]}


def test_report_object_agrees_with_its_json() -> None:
    report: CheckReport = check(scan_of(*general_records()), load_manifest("general"), as_of=AS_OF)
    doc = report.to_json()
    assert doc["ok"] == report.ok
    assert [r["status"] for r in doc["requirements"]] == [r.status for r in report.results]



def test_a_file_that_also_names_another_person_is_worded_so() -> None:
    from recordpack.findings import PATIENT_MISMATCH, Finding

    params = {
        "differs": ["name"],
        "found": {"name": "PELLINORE, GORDON T", "birth_date": None, "id": None},
        "expected": {"name": NAME, "birth_date": DOB, "id": None},
        "near": False,
    }
    alone = Finding(PATIENT_MISMATCH, ("two-reports.pdf",), params, blocks=True).message
    both = Finding(
        PATIENT_MISMATCH, ("two-reports.pdf",), {**params, "second_person": True}, blocks=True
    ).message
    assert "instead of" in alone
    assert "also names another person" in both and "PELLINORE, GORDON T" in both
    assert "instead of" not in both


def test_a_record_scan_is_unsure_of_does_not_meet_an_item_alone() -> None:
    records = [r for r in folder_for("general") if r.kind != "pathology_report"]
    records.append(rec("pathology_report", "scans/uterine.pdf", "Histologic type: adenocarcinoma",
                       confidence=0.39))
    report = check(scan_of(*records), load_manifest("general"), as_of=AS_OF)
    result = report.result("pathology")
    assert result.status == "incomplete" and result.files == ["scans/uterine.pdf"]
    assert "may be a pathology report, but recordpack is not sure" in result.detail
    assert not report.ok


def test_a_sure_record_beside_an_unsure_one_meets_the_item() -> None:
    records = list(folder_for("general"))
    records.append(rec("pathology_report", "scans/maybe.pdf", "Specimen", confidence=0.3))
    result = check(scan_of(*records), load_manifest("general"), as_of=AS_OF).result("pathology")
    assert result.status == "met" and "scans/maybe.pdf" not in result.files


def test_the_same_kind_given_as_a_correction_confirms_it() -> None:
    from recordpack.scan import parse_labels
    from recordpack.scan.corrections import CONFIRMED, apply

    unsure = rec("lab_result", "psa-results.txt", "PSA 4.1", confidence=0.3)
    (confirmed,) = apply(parse_labels(["psa-results.txt=lab_result"]), [unsure], set())
    assert confirmed.kind == "lab_result" and confirmed.confidence == 1.0
    assert confirmed.evidence[0] == CONFIRMED and confirmed.corrected_from is None


def test_scan_s_report_says_a_kind_the_person_confirmed() -> None:
    from recordpack.scan import parse_labels
    from recordpack.scan.corrections import apply
    from recordpack.scan.report import render_records

    unsure = rec("lab_result", "psa-results.txt", "PSA 4.1", confidence=0.3)
    assert "not sure of this one" in "\n".join(render_records([unsure]))
    (confirmed,) = apply(parse_labels(["psa-results.txt=lab_result"]), [unsure], set())
    shown = "\n".join(render_records([confirmed]))
    assert "(kind confirmed by you)" in shown and "not sure" not in shown


def test_a_damaged_file_whose_patient_is_a_code_is_not_offered_for_confirmation() -> None:
    records = [r for r in general_records() if r.kind != "imaging_study"]
    broken = study("CD", "CT", "CT CHEST", name="JANCT000", dob=None, files=1)
    problems = (Problem(broken.files[0], "unreadable", "DICOM file ends before its image data"),)
    result = check(scan_of(*records, broken, problems=problems), load_manifest("general"), as_of=AS_OF)
    images = result.result("imaging_images")
    assert images.status == "missing"
    assert "could not be opened" in images.detail and "confirm" not in images.detail


def test_an_item_met_only_by_a_record_that_may_not_be_yours_says_it_would_be_missing() -> None:
    records = list(general_records())
    notes = [r for r in records if r.kind == "clinical_note"]
    others = [r for r in records if r.kind != "clinical_note"]
    doubted = rec("clinical_note", "note-del.txt", notes[0].text, name="Thompson, Marg", dob=None)
    report = check(scan_of(*others, doubted), load_manifest("general"), as_of=AS_OF)
    notes_item = report.result("clinic_notes")
    assert notes_item.status == "met" and notes_item.files == ["note-del.txt"]
    assert notes_item.reason == "doubted_patient"
    assert "if it is not yours, this is missing" in " ".join(render_check(report).split())
    assert not report.ok
    # Beside a record that is surely the patient's, nothing more is said.
    report = check(scan_of(*records, doubted), load_manifest("general"), as_of=AS_OF)
    assert report.result("clinic_notes").reason != "doubted_patient"
