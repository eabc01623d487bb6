"""The example folder and the synthetic-record generator (examples/)."""

from __future__ import annotations

import hashlib
import io
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from datetime import date
from pathlib import Path

import pytest
from pydicom import dcmread
from pydicom.errors import InvalidDicomError
from pydicom.fileset import FileSet
from pypdf import PdfReader

from examples import make_sample_patient as sample
from examples import synthetic as syn
from tests.prerequisites import ROOT, require_tool

SAMPLE = ROOT / "examples" / "sample-patient"
PATIENT = sample.PATIENT
CD = SAMPLE / "Imaging CD - Cascade Breast Imaging"
ZIP = SAMPLE / "Downloads" / "MyChart_Download_2026-09-02.zip"


def pdf_text(path: Path | io.BytesIO) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def tree_digests(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


# ------------------------------------------------------------------ the committed folder


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sample.build(tmp_path_factory.mktemp("regen") / "sample-patient")


def _library_versions() -> dict[str, str]:
    import zlib

    import fpdf
    import pydicom

    return {"fpdf2": fpdf.__version__, "pydicom": pydicom.__version__,
            "zlib": zlib.ZLIB_RUNTIME_VERSION}


def _same_content(a: Path, b: Path) -> bool:
    """Whether two files hold the same record even if a library encoded it differently."""
    if a.suffix == ".pdf":
        return pdf_text(a) == pdf_text(b)
    if a.suffix == ".zip":
        with zipfile.ZipFile(a) as za, zipfile.ZipFile(b) as zb:
            return [(i.filename, i.date_time, za.read(i)) for i in za.infolist()] == \
                [(i.filename, i.date_time, zb.read(i)) for i in zb.infolist()]
    try:
        da, db = dcmread(a), dcmread(b)
    except (InvalidDicomError, OSError):
        return False
    return bool(da == db)


def test_committed_folder_matches_generator_byte_for_byte(regenerated: Path) -> None:
    # Every format here is written deterministically (fixed PDF dates, zip times,
    # UIDs from seeds), so any difference means the folder drifted from the script.
    committed, fresh = tree_digests(SAMPLE), tree_digests(regenerated)
    assert sorted(committed) == sorted(fresh), "file lists differ: rerun make_sample_patient.py"
    changed = [name for name in committed if committed[name] != fresh[name]]
    if _library_versions() != sample.GENERATED_WITH:
        # Another fpdf2/zlib/pydicom may encode the same content in other bytes:
        # then only a difference in content counts as drift.
        changed = [n for n in changed if not _same_content(SAMPLE / n, regenerated / n)]
    assert changed == [], f"regenerate with python examples/make_sample_patient.py: {changed}"


def test_sample_folder_is_small() -> None:
    assert sum(p.stat().st_size for p in SAMPLE.rglob("*") if p.is_file()) < 3 * 1024 * 1024


def test_script_runs_standalone(tmp_path: Path) -> None:
    target = tmp_path / "out"
    done = subprocess.run([sys.executable, str(ROOT / "examples" / "make_sample_patient.py"),
                           str(target)], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""  # reports on stderr only
    assert "wrote" in done.stderr
    assert sorted(tree_digests(target)) == sorted(tree_digests(SAMPLE))


def test_script_rejects_extra_arguments(tmp_path: Path) -> None:
    assert sample.main([str(tmp_path / "a"), str(tmp_path / "b")]) == 2
    assert not (tmp_path / "a").exists()


def test_duplicate_download_has_same_bytes() -> None:
    dl = SAMPLE / "Downloads"
    assert (dl / "report(3).pdf").read_bytes() == (dl / "report(3) (1).pdf").read_bytes()


def test_clutter_is_present() -> None:
    assert (SAMPLE / ".DS_Store").read_bytes()[4:8] == b"Bud1"
    assert (SAMPLE / "Downloads" / "Thumbs.db").read_bytes()[:4] == bytes.fromhex("d0cf11e0")
    assert (SAMPLE / "__MACOSX" / "Downloads" / "._report(3).pdf").read_bytes()[:4] == \
        bytes.fromhex("00051607")
    assert (CD / "AUTORUN.INF").read_text().startswith("[autorun]")
    assert (CD / "VIEWER" / "IVIEWER.EXE").read_bytes()[:2] == b"MZ"


def test_every_document_kind_is_in_the_sample() -> None:
    # The heading each kind prints, found in some PDF or the text note of the folder.
    texts = [pdf_text(p) for p in SAMPLE.rglob("*.pdf") if "__MACOSX" not in p.parts]
    texts += [p.read_text() for p in SAMPLE.rglob("*.txt")]
    everything = "\n".join(texts).upper()
    for heading in ("SURGICAL PATHOLOGY REPORT", "IMPRESSION", "REFERENCE RANGE",
                    "GENOMIC TESTING REPORT", "HISTORY OF PRESENT ILLNESS", "OPERATIVE REPORT",
                    "TREATMENT PLAN", "CURRENT MEDICATION LIST", "DISCHARGE SUMMARY",
                    "HEALTH SUMMARY", "NOT A GUARANTEE OF PAYMENT", "PATIENT EDUCATION"):
        assert heading in everything, heading


def test_name_is_written_differently_across_institutions() -> None:
    dl = SAMPLE / "Downloads"
    assert "PATIENT: HARROWGATE, DELPHINE M" in pdf_text(dl / "report(3).pdf")
    assert "Patient Name: Delphine M. Harrowgate" in pdf_text(dl / "document.pdf")
    assert "Name: Harrowgate, Delphine" in pdf_text(dl / "LabResults_2026-11-04.pdf")
    assert "Patient Name: Delphine Harrowgate" in pdf_text(dl / "document(1).pdf")
    ct = min((SAMPLE / "Northbrook Regional" / "CT_CHEST_20261008").iterdir())
    assert str(dcmread(ct).PatientName) == "HARROWGATE^DELPHINE^M"


def test_breast_pathology_report_has_receptors_and_collection_date() -> None:
    text = pdf_text(SAMPLE / "Downloads" / "report(3).pdf")
    for term in ("FINAL DIAGNOSIS", "GROSS DESCRIPTION", "Estrogen receptor (ER): POSITIVE",
                 "Progesterone receptor (PR)", "HER2", "Ki-67"):
        assert term in text
    assert "Collected: 08/14/2026" in text
    # The footer's print date is a different, later date.
    printed = re.search(r"Printed on (\d\d/\d\d/\d{4})", text)
    assert printed is not None and printed.group(1) != "08/14/2026"


def test_misfiled_lab_report_belongs_to_someone_else() -> None:
    text = pdf_text(SAMPLE / "Downloads" / "report(4).pdf")
    assert "PELLINORE, GORDON T" in text
    assert "HARROWGATE" not in text.upper()
    assert "02/03/1958" in text


def test_recent_records_fall_within_manifest_windows() -> None:
    today = date(2026, 11, 24)
    assert (today - sample.LABS).days <= 90
    assert (today - sample.FOLLOW_UP).days <= 180
    assert "Collected: 2026-11-04" in pdf_text(SAMPLE / "Downloads" / "LabResults_2026-11-04.pdf")


def test_only_invented_people_appear() -> None:
    invented = {p.dicom for p in syn.INVENTED_PEOPLE}
    names = {str(dcmread(p, stop_before_pixels=True).PatientName)
             for p in SAMPLE.rglob("*") if p.is_file() and _is_dicom(p)}
    assert names and names <= invented
    with zipfile.ZipFile(ZIP) as zf:
        hl7 = next(n for n in zf.namelist() if n.endswith(".hl7"))
        pid = next(s for s in zf.read(hl7).decode("utf-8-sig").splitlines() if s.startswith("PID"))
    assert pid.split("|")[5] in invented


def _is_dicom(path: Path) -> bool:
    with path.open("rb") as f:
        head = f.read(132)
    return head[128:132] == b"DICM" and path.name != "DICOMDIR"


# ------------------------------------------------------------------ DICOM


def test_imaging_cd_dicomdir_loads_and_points_into_dicom_folder() -> None:
    fs = FileSet(CD / "DICOMDIR")
    assert len(fs) == 10  # 4 mammogram views + 2 MRI series of 3
    modalities: dict[str, set[str]] = {}
    for inst in fs:
        path = Path(inst.path)
        assert path.is_file()
        rel = path.relative_to(CD).parts
        assert rel[0] == "DICOM" and all(len(p) <= 8 and "." not in p for p in rel[1:])
        ds = inst.load()
        modalities.setdefault(ds.Modality, set()).add(ds.StudyInstanceUID)
        assert ds.PatientID == "CBI0048815"
    assert {m: len(s) for m, s in modalities.items()} == {"MG": 1, "MR": 1}
    assert {(d.ImageLaterality, d.ViewPosition) for d in (i.load() for i in fs)
            if d.Modality == "MG"} == {("R", "CC"), ("L", "CC"), ("R", "MLO"), ("L", "MLO")}


def test_ct_series_without_extensions_reads_with_pixels() -> None:
    files = sorted((SAMPLE / "Northbrook Regional" / "CT_CHEST_20261008").iterdir())
    assert [f.name for f in files] == [f"{i:06d}" for i in range(1, 7)]
    datasets = [dcmread(f) for f in files]
    assert {d.StudyInstanceUID for d in datasets} == {datasets[0].StudyInstanceUID}
    assert len({d.SOPInstanceUID for d in datasets}) == 6
    assert datasets[0].StudyDate == "20261008" and datasets[0].Modality == "CT"
    assert (datasets[0].Rows, datasets[0].Columns) == (16, 16)
    assert len(datasets[0].PixelData) == 16 * 16 * 2


@pytest.mark.parametrize("names, pattern", [("numbered", r"IM-0001-000\d\.dcm"),
                                            ("cd", r"IM00000\d"), ("ext", r"2\.25\.\d+\.dcm"),
                                            ("bare", r"00000\d")])
def test_series_file_name_styles(tmp_path: Path, names: syn.DicomNames, pattern: str) -> None:
    paths = syn.write_dicom_series(tmp_path, person=PATIENT, study_uid=syn.uid_from("t", names),
                                   n=3, study_date=date(2026, 7, 1), description="CT TEST",
                                   names=names)
    assert len(paths) == 3
    for p in paths:
        assert re.fullmatch(pattern, p.name), p.name
        assert dcmread(p).InstanceNumber == paths.index(p) + 1


def test_headerless_dicom_has_no_preamble_but_reads(tmp_path: Path) -> None:
    (path,) = syn.write_dicom_series(tmp_path, person=PATIENT, study_uid="1.2.3", n=1,
                                     study_date=date(2026, 7, 1), description="OLD",
                                     names="bare", preamble=False)
    assert path.read_bytes()[128:132] != b"DICM"
    assert str(dcmread(path, force=True).PatientName) == "HARROWGATE^DELPHINE^M"


@pytest.mark.interop
@pytest.mark.parametrize("modality", ["CT", "MR", "MG", "PT"])
def test_dicom_files_pass_dciodvfy(tmp_path: Path, modality: str) -> None:
    tool = require_tool("dciodvfy", "dicom3tools")
    (path,) = syn.write_dicom_series(tmp_path, person=PATIENT, study_uid=syn.uid_from(modality),
                                     modality=modality, n=1, study_date=date(2026, 7, 1),
                                     description=f"{modality} TEST")
    out = subprocess.run([tool, str(path)], capture_output=True, text=True, timeout=60, check=False)
    errors = [line for line in (out.stdout + out.stderr).splitlines() if line.startswith("Error")]
    assert errors == []


@pytest.mark.interop
def test_cd_files_are_ps3_10_for_dcmtk() -> None:
    tool = require_tool("dcmftest", "dcmtk")
    files = [str(p) for p in (CD / "DICOM").rglob("IM*")] + [str(CD / "DICOMDIR")]
    out = subprocess.run([tool, *files], capture_output=True, text=True, timeout=60, check=False)
    assert out.returncode == 0, out.stdout
    assert out.stdout.count("yes:") == len(files)


# ------------------------------------------------------------------ portal exports


def test_portal_zip_members_parse_with_fixed_timestamps() -> None:
    with zipfile.ZipFile(ZIP) as zf:
        infos = zf.infolist()
        assert {i.date_time for i in infos} == {(2026, 9, 2, 19, 41, 6)}
        data = {i.filename.rsplit("/", 1)[-1]: zf.read(i) for i in infos}
    ns = {"h": "urn:hl7-org:v3"}
    ccd = ET.fromstring(data["Summary_of_Care.xml"])
    assert ccd.find("h:code", ns).get("code") == "34133-9"  # type: ignore[union-attr]
    assert ccd.find(".//h:patient/h:name/h:family", ns).text == "Harrowgate"  # type: ignore[union-attr]
    assert ccd.find(".//h:birthTime", ns).get("value") == "19630511"  # type: ignore[union-attr]
    titles = {t.text for t in ccd.iterfind(".//h:section/h:title", ns)}
    assert {"Problems", "Medications", "Allergies", "Results"} <= titles

    bundle = json.loads(data["Patient_Bundle.json"])
    assert bundle["resourceType"] == "Bundle"
    resources = [e["resource"] for e in bundle["entry"]]
    patient = next(r for r in resources if r["resourceType"] == "Patient")
    assert patient["birthDate"] == "1963-05-11" and patient["name"][0]["family"] == "Harrowgate"
    report = next(r for r in resources if r["resourceType"] == "DiagnosticReport")
    ids = {f"Observation/{r['id']}" for r in resources if r["resourceType"] == "Observation"}
    assert {ref["reference"] for ref in report["result"]} == ids

    hl7 = data["ORU_20260828.hl7"]
    assert hl7.startswith(b"\xef\xbb\xbf") and b"\r" not in hl7
    segments = hl7.decode("utf-8-sig").splitlines()
    assert segments[0].startswith("MSH|^~\\&|") and "ORU^R01" in segments[0]
    assert [s[:3] for s in segments[1:3]] == ["PID", "OBR"]
    assert all(s.startswith("OBX|") for s in segments[3:]) and len(segments) > 10
    assert segments[1].split("|")[7] == "19630511"


@pytest.mark.parametrize("kind", ["patient_summary", "clinical_note", "discharge_summary",
                                  "operative_report", "imaging_report", "pathology_report"])
def test_ccda_document_types(kind: str) -> None:
    root = ET.fromstring(syn.ccda_document(kind=kind, person=PATIENT, service_date=date(2026, 9, 1)))
    ns = {"h": "urn:hl7-org:v3"}
    template, code, _ = syn._CCDA_TYPES[kind]
    assert template in {t.get("root") for t in root.iterfind("h:templateId", ns)}
    assert root.find("h:code", ns).get("code") == code  # type: ignore[union-attr]


def test_hl7_with_cr_separators_and_no_bom() -> None:
    msg = syn.hl7_oru(person=PATIENT, lf=False)
    assert not msg.startswith(b"\xef\xbb\xbf") and b"\n" not in msg
    assert msg.split(b"\r")[1].startswith(b"PID|")


def test_fhir_imaging_report_carries_the_text() -> None:
    import base64

    bundle = json.loads(syn.fhir_bundle(person=PATIENT, service_date=date(2026, 9, 1),
                                        kind="imaging_report", cancer="lung"))
    report = bundle["entry"][-1]["resource"]
    assert report["category"][0]["coding"][0]["code"] == "RAD"
    assert "IMPRESSION" in base64.b64decode(report["presentedForm"][0]["data"]).decode()


# ------------------------------------------------------------------ reports of every kind

# Words KINDS.md gives as typical signs of each kind, which each report must carry.
SIGNS = {
    "pathology_report": ("SURGICAL PATHOLOGY", "FINAL DIAGNOSIS", "GROSS DESCRIPTION", "Accession"),
    "imaging_report": ("EXAM", "TECHNIQUE", "FINDINGS", "IMPRESSION"),
    "lab_result": ("Reference range", "Units", "Hemoglobin", "Collected"),
    "genomic_report": ("GENOMIC", "Next-generation sequencing", "variant"),
    "clinical_note": ("HISTORY OF PRESENT ILLNESS", "REVIEW OF SYSTEMS", "ASSESSMENT AND PLAN"),
    "operative_report": ("PREOPERATIVE DIAGNOSIS", "PROCEDURE", "ANESTHESIA", "ESTIMATED BLOOD LOSS"),
    "treatment_plan": ("REGIMEN", "cycles", "mg/m2"),
    "medication_list": ("MEDICATION", "ALLERGIES", "tablet"),
    "discharge_summary": ("ADMISSION DATE", "DISCHARGE DIAGNOSIS", "HOSPITAL COURSE"),
    "patient_summary": ("HEALTH SUMMARY", "PROBLEMS", "MEDICATIONS", "ALLERGIES"),
    "administrative": ("Member ID", "Authorization", "not a guarantee of payment"),
    "other": ("PATIENT EDUCATION",),
}
NAME_STYLES = ("HARROWGATE, DELPHINE M", "Delphine M. Harrowgate", "Harrowgate, Delphine")
DOB_STYLES = ("05/11/1963", "May 11, 1963", "1963-05-11")


@pytest.mark.parametrize("layout", range(syn.LAYOUTS))
@pytest.mark.parametrize("kind", syn.DOCUMENT_KINDS)
def test_pdf_of_each_kind_and_layout(tmp_path: Path, kind: str, layout: int) -> None:
    assert set(SIGNS) == set(syn.DOCUMENT_KINDS)
    path = syn.write_pdf(tmp_path / "r.pdf", kind=kind, person=PATIENT,
                         service_date=date(2026, 8, 14), layout=layout, extra="Extra line 42")
    text = pdf_text(path)
    for sign in SIGNS[kind]:
        assert sign.lower() in text.lower(), sign
    assert NAME_STYLES[layout] in text and DOB_STYLES[layout] in text and PATIENT.mrn in text
    assert ("08/14/2026", "August 14, 2026", "2026-08-14")[layout] in text
    assert "Extra line 42" in text
    # Physicians are named, and none of them is the patient.
    assert re.search(r"[A-Z][a-z]+ [A-Z][a-z-]+, (MD|DO|PhD|RN|PharmD)", text) or kind in (
        "other", "patient_summary")
    assert "Harrowgate, MD" not in text
    # Same words in the plain-text rendering.
    plain = syn.report_text(kind=kind, person=PATIENT, service_date=date(2026, 8, 14),
                            layout=layout, extra="Extra line 42")
    assert _words(plain) <= _words(text)


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


@pytest.mark.parametrize("cancer, terms", [
    ("breast", ("ER", "PR", "HER2", "Ki-67")),
    ("prostate", ("Gleason", "Grade Group", "cores")),
    ("colorectal", ("MMR", "MSI", "MLH1")),
    ("lung", ("PD-L1", "TTF-1")),
    ("lymphoma", ("CD20", "Ki-67", "HEMATOPATHOLOGY")),
])
def test_pathology_content_follows_the_cancer(tmp_path: Path, cancer: syn.Cancer,
                                              terms: tuple[str, ...]) -> None:
    text = pdf_text(syn.write_pdf(tmp_path / "p.pdf", kind="pathology_report", person=PATIENT,
                                  service_date=date(2026, 8, 14), cancer=cancer))
    for term in terms:
        assert term in text


def test_psa_history_has_dates(tmp_path: Path) -> None:
    text = pdf_text(syn.write_pdf(tmp_path / "l.pdf", kind="lab_result", person=PATIENT,
                                  service_date=date(2026, 8, 14), cancer="prostate"))
    assert len(re.findall(r"PSA \d+\.\d ng/mL on \d\d/\d\d/\d{4}", text)) == 3


def test_unknown_kind_and_exam_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="imaging_study"):
        syn.write_pdf(tmp_path / "x.pdf", kind="imaging_study", person=PATIENT,
                      service_date=date(2026, 1, 1))
    with pytest.raises(ValueError, match="unknown exam"):
        syn.write_pdf(tmp_path / "x.pdf", kind="imaging_report", person=PATIENT,
                      service_date=date(2026, 1, 1), exam="xray")
    assert not (tmp_path / "x.pdf").exists()


def test_pdf_bytes_do_not_depend_on_the_clock(tmp_path: Path) -> None:
    a = syn.write_pdf(tmp_path / "a.pdf", kind="clinical_note", person=PATIENT,
                      service_date=date(2026, 8, 14))
    b = syn.write_pdf(tmp_path / "b.pdf", kind="clinical_note", person=PATIENT,
                      service_date=date(2026, 8, 14))
    assert a.read_bytes() == b.read_bytes()
    assert PdfReader(a).metadata.creation_date.date() > date(2026, 8, 14)  # type: ignore[union-attr]


# ------------------------------------------------------------------ whole folders


@pytest.mark.parametrize("cancer", syn.CANCERS)
def test_make_patient_folder(tmp_path: Path, cancer: syn.Cancer) -> None:
    person = syn.INVENTED_PEOPLE[syn.CANCERS.index(cancer) + 2]
    full = syn.make_patient_folder(tmp_path / "full", person=person, cancer=cancer)
    part = syn.make_patient_folder(tmp_path / "part", person=person, cancer=cancer, complete=False)
    # Lymphoma has separate bone marrow and flow cytometry pathology reports.
    pathology = {"pathology_report.pdf", "bone_marrow_report.pdf", "flow_cytometry_report.pdf"}
    assert set(tree_digests(full)) - set(tree_digests(part)) == pathology & set(tree_digests(full))
    assert person.formal in pdf_text(full / "pathology_report.pdf")
    fs = FileSet(full / "imaging_cd" / "DICOMDIR")
    assert len(fs) > 0 and {str(i.load().PatientName) for i in fs} == {person.dicom}
    with zipfile.ZipFile(full / "portal_download.zip") as zf:
        assert zf.testzip() is None and len(zf.namelist()) == 3


def test_invented_people_are_distinct() -> None:
    people = syn.INVENTED_PEOPLE
    assert len({(p.family, p.given) for p in people}) == len(people)
    assert len({p.mrn for p in people}) == len(people)
    doctors = {n.split(",")[0] for names in syn.INVENTED_PHYSICIANS.values() for n in names}
    assert not {p.family for p in people} & {d.split()[-1] for d in doctors}


# ------------------------------------------------------------------ harder inputs for scanners


@pytest.mark.interop
def test_scanned_pdf_has_no_text_layer_but_ocr_reads_it(tmp_path: Path) -> None:
    path = syn.write_scanned_pdf(tmp_path / "scan.pdf", kind="pathology_report", person=PATIENT,
                                 service_date=date(2026, 8, 14))
    page = PdfReader(path).pages[0]
    assert page.extract_text().strip() == ""
    (image,) = page.images
    assert image.image is not None and image.image.size == (1275, 1650)
    tool = require_tool("tesseract", "tesseract-ocr")
    png = tmp_path / "page.png"
    png.write_bytes(image.data)
    out = subprocess.run([tool, str(png), "-"], capture_output=True, text=True, timeout=120,
                         check=False)
    assert "SURGICAL PATHOLOGY REPORT" in out.stdout
    assert "HARROWGATE, DELPHINE M" in out.stdout


def test_scanned_pdf_can_carry_a_noisy_hidden_ocr_layer(tmp_path: Path) -> None:
    noisy = "SURG1CAL PATH0L0GY REP0RT\nHARR0WGATE, DELPH1NE"
    path = syn.write_scanned_pdf(tmp_path / "scan.pdf", kind="pathology_report", person=PATIENT,
                                 service_date=date(2026, 8, 14), hidden_text=noisy)
    assert pdf_text(path).split() == noisy.split()


def test_password_protected_pdf(tmp_path: Path) -> None:
    path = syn.write_pdf(tmp_path / "locked.pdf", kind="lab_result", person=PATIENT,
                         service_date=date(2026, 8, 14), password="s3cret")
    reader = PdfReader(path)
    assert reader.is_encrypted
    assert not reader.decrypt("wrong")
    assert reader.decrypt("s3cret")
    assert "Hemoglobin" in reader.pages[0].extract_text()


@pytest.mark.parametrize("suffix, fmt", [(".png", "PNG"), (".jpg", "JPEG"), (".tif", "TIFF")])
def test_document_images(tmp_path: Path, suffix: str, fmt: str) -> None:
    from PIL import Image

    path = syn.write_document_image(tmp_path / f"photo{suffix}", kind="lab_result",
                                    person=PATIENT, service_date=date(2026, 8, 14), skew=1.0)
    with Image.open(path) as img:
        assert img.format == fmt and img.size == (1275, 1650)
    with pytest.raises(ValueError, match="unknown image type"):
        syn.write_document_image(tmp_path / "photo.gif", kind="lab_result", person=PATIENT,
                                 service_date=date(2026, 8, 14))


@pytest.mark.parametrize("syntax", ["1.2.840.10008.1.2", "1.2.840.10008.1.2.2",
                                    "1.2.840.10008.1.2.1.99"])
def test_series_in_other_transfer_syntaxes(tmp_path: Path, syntax: str) -> None:
    ref = syn.write_dicom_series(tmp_path / "ref", person=PATIENT, study_uid="1.2.3", n=1,
                                 study_date=date(2026, 7, 1), description="REF")[0]
    (path,) = syn.write_dicom_series(tmp_path / "ts", person=PATIENT, study_uid="1.2.3", n=1,
                                     study_date=date(2026, 7, 1), description="REF",
                                     transfer_syntax=syntax)
    ds, expected = dcmread(path), dcmread(ref)
    assert ds.file_meta.TransferSyntaxUID == syntax
    assert ds.PatientName == expected.PatientName and ds.SOPInstanceUID == expected.SOPInstanceUID
    if syntax == "1.2.840.10008.1.2.2":  # big endian: same pixel values, swapped bytes
        assert ds.PixelData == syn._swap16(expected.PixelData)
    else:
        assert ds.PixelData == expected.PixelData
    with pytest.raises(ValueError, match="cannot write transfer syntax"):
        syn.write_dicom_series(tmp_path / "jpeg", person=PATIENT, study_uid="1.2.3", n=1,
                               study_date=date(2026, 7, 1), description="X",
                               transfer_syntax="1.2.840.10008.1.2.4.50")


def test_dicom_documents(tmp_path: Path) -> None:
    pdf = syn.write_pdf(tmp_path / "r.pdf", kind="imaging_report", person=PATIENT,
                        service_date=date(2026, 8, 14)).read_bytes()
    enc = dcmread(syn.write_dicom_pdf(tmp_path / "enc.dcm", person=PATIENT, pdf=pdf,
                                      study_date=date(2026, 8, 14)))
    assert enc.SOPClassUID == "1.2.840.10008.5.1.4.1.1.104.1"
    assert enc.EncapsulatedDocument[: len(pdf)] == pdf
    assert "IMPRESSION" in pdf_text(io.BytesIO(enc.EncapsulatedDocument[: enc.EncapsulatedDocumentLength]))

    sr = dcmread(syn.write_dicom_sr(tmp_path / "sr.dcm", person=PATIENT,
                                    study_date=date(2026, 8, 14), exam="mammogram"))
    assert sr.Modality == "SR"
    assert "BI-RADS 5" in sr.ContentSequence[2].TextValue

    plan = dcmread(syn.write_rt_plan(tmp_path / "rt.dcm", person=PATIENT,
                                     plan_date=date(2026, 11, 5), dose_gy=40.05, fractions=15))
    assert plan.Modality == "RTPLAN" and plan.FractionGroupSequence[0].NumberOfFractionsPlanned == 15
    assert float(plan.DoseReferenceSequence[0].TargetPrescriptionDose) == pytest.approx(40.05)


@pytest.mark.interop
def test_dicom_documents_pass_dciodvfy(tmp_path: Path) -> None:
    tool = require_tool("dciodvfy", "dicom3tools")
    paths = [
        syn.write_dicom_pdf(tmp_path / "enc.dcm", person=PATIENT, pdf=b"%PDF-1.4\n%%EOF\n",
                            study_date=date(2026, 8, 14)),
        syn.write_dicom_sr(tmp_path / "sr.dcm", person=PATIENT, study_date=date(2026, 8, 14)),
        syn.write_rt_plan(tmp_path / "rt.dcm", person=PATIENT, plan_date=date(2026, 11, 5)),
    ]
    for path in paths:
        out = subprocess.run([tool, str(path)], capture_output=True, text=True, timeout=60,
                             check=False)
        errors = [ln for ln in (out.stdout + out.stderr).splitlines() if ln.startswith("Error")]
        assert errors == [], path.name


# ------------------------------------------------------------------ what the demo shows


def _check_json(folder: Path) -> tuple[int, dict[str, object]]:
    from click.testing import CliRunner

    from recordpack.cli import main

    result = CliRunner().invoke(main, ["check", str(folder), "--manifest", "breast",
                                       "--as-of", "2026-11-24", "--json", "--quiet"])
    return result.exit_code, json.loads(result.stdout)


def test_demo_check_flags_exactly_the_misfiled_record_and_the_duplicate() -> None:
    code, report = _check_json(SAMPLE)
    assert code == 1
    statuses = {r["id"]: r["status"] for r in report["requirements"]}  # type: ignore[attr-defined]
    assert set(statuses.values()) <= {"met", "optional_missing"}, statuses
    findings = {(f["code"], tuple(f["paths"])) for f in report["findings"]}  # type: ignore[attr-defined]
    assert ("patient_mismatch", ("Downloads/report(4).pdf",)) in findings
    assert any(c == "duplicate" and "Downloads/report(3).pdf" in p for c, p in findings)
    assert {c for c, _ in findings} <= {"patient_mismatch", "duplicate"}


def test_demo_folder_without_the_misfiled_record_is_ready(tmp_path: Path) -> None:
    import shutil

    folder = shutil.copytree(SAMPLE, tmp_path / "sample")
    (folder / "Downloads" / "report(4).pdf").unlink()
    code, report = _check_json(folder)
    assert code == 0 and report["ok"] is True
