"""The DICOM scanner on pydicom's real test files, the corpus and synthetic studies."""

from __future__ import annotations

import gzip
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset
from pydicom.uid import EncapsulatedPDFStorage, MRImageStorage, generate_uid

from recordpack.model import Problem, Skipped
from recordpack.scan import dicom, scan_folder
from recordpack.scan.base import HEAD_SIZE, DicomHeader, Document, Source
from tests.prerequisites import missing, require_tool
from tests.scan_helpers import make_dataset, write_part10, write_raw


def _testdata(name: str) -> Path:
    path = get_testdata_file(name, download=False)
    if path is None:
        missing(f"pydicom test file {name} is not installed")
    return Path(str(path))


def _scan_file(path: Path, display: str | None = None) -> list[object]:
    data = path.read_bytes()
    source = Source.from_bytes(display or path.name, data)
    assert dicom.sniff(source), f"{path.name} not recognised as DICOM"
    return list(dicom.scan(source))


@pytest.mark.parametrize(
    ("name", "modality"),
    [
        ("CT_small.dcm", "CT"),
        ("MR_small.dcm", "MR"),
        ("MR_small_bigendian.dcm", "MR"),
        ("MR_small_implicit.dcm", "MR"),
        ("JPEG2000.dcm", "NM"),
        ("image_dfl.dcm", "OT"),
        ("MR_small_RLE.dcm", "MR"),
        ("SC_rgb_small_odd.dcm", "OT"),
        ("liver_1frame.dcm", "SEG"),
    ],
)
def test_image_files_give_headers(name: str, modality: str) -> None:
    (header,) = _scan_file(_testdata(name))
    assert isinstance(header, DicomHeader)
    assert header.modality == modality
    assert header.study_instance_uid and header.sop_instance_uid
    assert header.part10 is True


def test_ct_small_header_values() -> None:
    (header,) = _scan_file(_testdata("CT_small.dcm"))
    assert isinstance(header, DicomHeader)
    assert header.study_date == "2004-01-19"
    assert header.patient.name == "CompressedSamples^CT1"  # PN kept as written
    assert header.patient.id == "1CT1"
    assert header.transfer_syntax_uid == "1.2.840.10008.1.2.1"


@pytest.mark.parametrize("name", ["rtplan.dcm", "rtdose.dcm", "rtstruct.dcm"])
def test_radiotherapy_objects_are_treatment_plans(name: str) -> None:
    outcomes = _scan_file(_testdata(name))
    (document,) = [o for o in outcomes if isinstance(o, Document)]
    assert document.kind == "treatment_plan"
    assert document.date is not None and len(document.date) == 10


@pytest.mark.parametrize("name", ["test-SR.dcm", "reportsi.dcm"])
def test_structured_reports_are_documents_with_their_text(name: str) -> None:
    (document,) = _scan_file(_testdata(name))
    assert isinstance(document, Document)
    assert document.kind == "imaging_report"
    assert len(document.text) > 50  # the report's words, walked out of the content tree


def test_ecg_waveform_is_other() -> None:
    (document,) = _scan_file(_testdata("waveform_ecg.dcm"))
    assert isinstance(document, Document) and document.kind == "other"


def test_dicomdir_is_skipped_even_under_another_name() -> None:
    (outcome,) = _scan_file(_testdata("DICOMDIR"), display="CD/INDEX")
    assert isinstance(outcome, Skipped) and "directory index" in outcome.reason


def test_raw_dataset_without_preamble_is_read_but_not_part10() -> None:
    (header,) = _scan_file(_testdata("no_meta.dcm"))  # also has one stray leading byte
    assert isinstance(header, DicomHeader)
    assert header.modality == "CT" and header.part10 is False


def test_gzip_dicom_is_read() -> None:
    (header,) = _scan_file(_testdata("zipMR.gz"))
    assert isinstance(header, DicomHeader) and header.modality == "MR"
    assert header.part10 is False


def test_truncated_image_is_read_and_reported() -> None:
    outcomes = _scan_file(_testdata("MR_truncated.dcm"))
    assert any(isinstance(o, DicomHeader) for o in outcomes)
    (problem,) = [o for o in outcomes if isinstance(o, Problem)]
    assert problem.code == "unreadable" and "ends early" in problem.message


def test_garbage_named_dcm_is_a_problem() -> None:
    source = Source.from_bytes("scan.dcm", b"this is not dicom at all" * 10)
    assert dicom.sniff(source)
    (problem,) = dicom.scan(source)
    assert isinstance(problem, Problem) and problem.code == "unreadable"
    assert "DICOM" in problem.message


def test_text_is_not_sniffed_as_dicom() -> None:
    assert not dicom.sniff(Source.from_bytes("a.txt", b"PATIENT: TEST\nFINDINGS: none\n" * 20))
    assert not dicom.sniff(Source.from_bytes("a.pdf", b"%PDF-1.7\n" + b"0" * 300))


def test_header_larger_than_head_is_read_from_the_file(tmp_path: Path) -> None:
    ds = make_dataset(study_uid=generate_uid(), series_uid=generate_uid(), instance=7)
    ds.add_new(0x00091010, "OB", b"\x01" * (HEAD_SIZE + 1000))  # big private element
    path = write_part10(ds, tmp_path / "big.dcm")
    result = scan_folder(tmp_path)
    (record,) = result.records
    assert record.study is not None and record.study.series[0].instances[0].instance_number == 7
    assert not result.problems
    assert path.stat().st_size > HEAD_SIZE


def test_encapsulated_pdf_is_a_document(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    for line in (
        "CT CHEST WITH CONTRAST",
        "EXAM: CT chest",
        "TECHNIQUE: axial images",
        "FINDINGS: no mass.",
        "IMPRESSION: no evidence of disease.",
    ):
        pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    data = bytes(pdf.output())
    ds = Dataset()
    ds.SOPClassUID = EncapsulatedPDFStorage
    ds.SOPInstanceUID = generate_uid()
    ds.StudyInstanceUID = generate_uid()
    ds.SeriesInstanceUID = generate_uid()
    ds.Modality = "DOC"
    ds.PatientName = "TESTPERSON^ALICE"
    ds.ContentDate = "20250301"
    ds.DocumentTitle = "CT chest report"
    ds.MIMETypeOfEncapsulatedDocument = "application/pdf"
    ds.EncapsulatedDocument = data + (b"\x00" if len(data) % 2 else b"")
    path = write_part10(ds, tmp_path / "REPORT")
    documents = [o for o in _scan_file(path) if isinstance(o, Document)]
    assert documents, "an encapsulated PDF must give a document"
    document = documents[0]
    assert document.path == "REPORT" and document.format == "dicom"
    assert "PDF encapsulated in DICOM" in document.evidence
    assert document.patient.name == "TESTPERSON^ALICE"
    assert document.date == "2025-03-01"
    assert document.kind != "imaging_study"


def test_multi_series_study_groups_into_one_record(tmp_path: Path) -> None:
    study = generate_uid()
    axial, coronal = generate_uid(), generate_uid()
    for number in range(1, 4):  # extensionless CD names, some without preamble
        ds = make_dataset(study_uid=study, series_uid=axial, instance=number, series_number=2)
        write_part10(ds, tmp_path / "CD" / "SE0002" / f"IM{number:05d}")
    for number in range(1, 3):
        ds = make_dataset(study_uid=study, series_uid=coronal, instance=number, series_number=3)
        write_raw(ds, tmp_path / "CD" / "SE0003" / f"IM{number:05d}")
    other = make_dataset(
        study_uid=generate_uid(),
        series_uid=generate_uid(),
        instance=1,
        modality="MR",
        sop_class=MRImageStorage,
        study_description="MRI BRAIN",
        study_date="20250401",
    )
    write_part10(other, tmp_path / "mri.dcm")
    result = scan_folder(tmp_path)
    assert not result.problems
    ct, mri = result.records
    assert ct.kind == mri.kind == "imaging_study"
    assert ct.date == "2025-03-14" and mri.date == "2025-04-01"  # sorted by date
    assert ct.title == "CT CHEST WITH CONTRAST (CT, 2 series, 5 images)"
    assert ct.patient.name == "TESTPERSON^ALICE" and ct.patient.birth_date == "1960-01-02"
    assert ct.study is not None
    assert [len(s.instances) for s in ct.study.series] == [3, 2]
    assert [s.number for s in ct.study.series] == [2, 3]
    assert [i.part10 for i in ct.study.series[1].instances] == [False, False]
    assert [i.instance_number for i in ct.study.series[0].instances] == [1, 2, 3]
    assert ct.to_json()["study"]["instance_count"] == 5
    assert len(ct.files) == 5


def test_conflicting_patients_in_one_study_are_a_problem(tmp_path: Path) -> None:
    study, series = generate_uid(), generate_uid()
    for number in range(1, 4):
        write_part10(
            make_dataset(study_uid=study, series_uid=series, instance=number),
            tmp_path / f"a{number}.dcm",
        )
    intruder = make_dataset(
        study_uid=study,
        series_uid=series,
        instance=4,
        patient="OTHERPERSON^BOB",
        patient_id="ZZ999",
    )
    write_part10(intruder, tmp_path / "a4.dcm")
    result = scan_folder(tmp_path)
    (record,) = result.records
    assert record.patient.name == "TESTPERSON^ALICE"
    (problem,) = result.problems
    assert problem.code == "patient_mismatch" and problem.paths == ("a4.dcm",)
    assert "OTHERPERSON^BOB" in problem.message


def test_malformed_corpus_dicom_is_read_or_reported(corpus: Path, tmp_path: Path) -> None:
    names = [
        "MR_truncated.dcm",
        "rtplan_truncated.dcm",
        "badVR.dcm",
        "meta_missing_tsyntax.dcm",
        "no_meta.dcm",
        "ExplVR_BigEndNoMeta.dcm",
        "zipMR.gz",
        "UN_sequence.dcm",
    ]
    folder = tmp_path / "bad"
    folder.mkdir()
    for name in names:
        shutil.copy(corpus / "dicom" / "pydicom" / name, folder / name)
    result = scan_folder(folder)
    in_records = {f for r in result.records for f in r.files}
    in_problems = {p.path for p in result.problems}
    for name in names:
        assert name in in_records | in_problems, name
    for problem in result.problems:  # problems come from the scanner, not from a crash
        assert "Error:" not in problem.message, problem
    kinds = {r.files[0]: r.kind for r in result.records if len(r.files) == 1}
    assert kinds["ExplVR_BigEndNoMeta.dcm"] == "treatment_plan"  # big endian, no meta
    assert kinds["badVR.dcm"] == "treatment_plan"


def test_part10_flag_agrees_with_dcmtk(corpus: Path) -> None:
    dcmftest = require_tool("dcmftest", "dcmtk")
    folder = corpus / "dicom" / "pydicom"
    names = [
        "CT_small.dcm",
        "no_meta.dcm",
        "rtstruct.dcm",
        "ExplVR_BigEndNoMeta.dcm",
        "MR_small_bigendian.dcm",
        "image_dfl.dcm",
        "rtplan.dcm",
    ]
    for name in names:
        verdict = subprocess.run(
            [dcmftest, str(folder / name)], check=False, capture_output=True, text=True
        )
        dcmtk_part10 = verdict.stdout.startswith("yes")
        headers = [o for o in _scan_file(folder / name) if isinstance(o, DicomHeader)]
        documents = [o for o in _scan_file(folder / name) if isinstance(o, Document)]
        if headers:
            assert headers[0].part10 is dcmtk_part10, name
        else:
            assert documents, name


def test_gzip_of_non_dicom_is_not_dicom() -> None:
    data = gzip.compress(b"hello world" * 100)
    assert not dicom.sniff(Source.from_bytes("notes.txt.gz", data))


def test_iso_dates() -> None:
    assert dicom.iso_date("20240131") == "2024-01-31"
    assert dicom.iso_date("2024.01.31") == "2024-01-31"
    assert dicom.iso_date("20241331") is None
    assert dicom.iso_date("") is None
    assert dicom.iso_date(io.StringIO().getvalue()) is None


def test_empty_person_name_is_unknown(tmp_path: Path) -> None:
    ds = make_dataset(
        study_uid=generate_uid(), series_uid=generate_uid(), instance=1, patient="^^^^"
    )
    (header,) = _scan_file(write_part10(ds, tmp_path / "x.dcm"))
    assert isinstance(header, DicomHeader) and header.patient.name is None


def _cut(data: bytes, where: str) -> bytes:
    """``data`` cut just before its Pixel Data element, or half-way through its header."""
    import pydicom

    stream = io.BytesIO(data)
    pydicom.dcmread(stream, stop_before_pixels=True)
    at = stream.tell()  # where the Pixel Data element begins
    assert 0 < at < len(data)
    return data[:at] if where == "before pixels" else data[: at // 2]


@pytest.mark.parametrize("where", ["before pixels", "in the header"])
@pytest.mark.parametrize("name", ["CT_small.dcm", "MR_small_implicit.dcm", "MR_small_bigendian.dcm"])
def test_an_image_cut_off_before_its_pixels_is_reported_incomplete(
    tmp_path: Path, name: str, where: str
) -> None:
    cut = _cut(_testdata(name).read_bytes(), where)
    source = Source.from_bytes("CD/IM0001", cut)
    problems = [o for o in dicom.scan(source) if isinstance(o, Problem)]
    assert [p.code for p in problems] == ["unreadable"]
    assert "ends before its image data" in problems[0].message


def test_a_study_of_cut_off_images_does_not_count_as_the_images(tmp_path: Path) -> None:
    from recordpack.checking import check
    from recordpack.manifest import load_manifest

    folder = tmp_path / "records"
    (folder / "CD").mkdir(parents=True)
    cut = _cut(_testdata("CT_small.dcm").read_bytes(), "before pixels")
    (folder / "CD" / "IM0001").write_bytes(cut)
    report = check(scan_folder(folder), load_manifest("general"))
    assert report.result("imaging_images").status != "met"
    assert any(f.code == "unreadable" and "CD/IM0001" in f.paths for f in report.findings)


def test_a_presentation_state_has_no_pixels_and_is_not_called_incomplete(tmp_path: Path) -> None:
    from pydicom.uid import GrayscaleSoftcopyPresentationStateStorage

    ds = make_dataset(
        study_uid=generate_uid(),
        series_uid=generate_uid(),
        instance=1,
        modality="PR",
        sop_class=GrayscaleSoftcopyPresentationStateStorage,
    )
    del ds.PixelData
    path = write_part10(ds, tmp_path / "PR0001")
    assert not [o for o in _scan_file(path) if isinstance(o, Problem)]
