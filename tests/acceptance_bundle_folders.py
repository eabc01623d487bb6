"""Builders of realistic record folders for the bundle acceptance tests.

Each builder lays out what a patient's download folder really looks like: a hospital
CD (DICOMDIR, nested PT/ST/SE folders, extensionless files, several patients), portal
zips with images inside, PDFs, awkward names and paths, duplicates, empty files, a FIFO,
a directory that looks like a file and a link leading outside. Only public test data
(pydicom's bundled files, ../shared/corpus) and invented names are used.
"""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

from pydicom.data import get_testdata_file

# pydicom's bundled files, one per interesting transfer syntax or object type.
PYDICOM_FILES = [
    "CT_small.dcm",  # explicit little endian CT
    "MR_small_RLE.dcm",  # RLE lossless
    "MR_small_jp2klossless.dcm",  # JPEG 2000
    "MR_small_jpeg_ls_lossless.dcm",  # JPEG-LS
    "SC_rgb_jpeg_dcmtk.dcm",  # JPEG baseline
    "image_dfl.dcm",  # deflated explicit little endian
    "SC_rgb_rle_2frame.dcm",  # multi-frame RLE colour
    "rtplan.dcm",  # RT plan
    "rtstruct.dcm",  # RT structure set
    "test-SR.dcm",  # structured report
]

CORPUS_DICOM = [
    "highdicom/seg_image_ct_binary.dcm",  # SEG
    "highdicom/sm_image.dcm",  # enhanced multi-frame slide microscopy
    "highdicom/sr_document.dcm",  # SR
    "pylibjpeg-data/CT1_JLSN.dcm",  # JPEG-LS
    "pylibjpeg-data/US1_J2KI.dcm",  # JPEG 2000 irreversible
    "pydicom/rtdose.dcm",  # RT dose
    "pylibjpeg-data/emri_small.dcm",  # multi-frame MR
]


def pydicom_file(name: str) -> Path:
    found = get_testdata_file(name, download=False)
    if found is None:
        raise FileNotFoundError(name)
    return Path(str(found))


def minimal_pdf(text: str) -> bytes:
    """A small valid one-page PDF whose text layer says ``text`` (ASCII)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    for line in text.splitlines():
        pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


PATHOLOGY = """Surgical Pathology Report
Patient: Quillon, Marisol   DOB: 1961-04-09
Date of procedure: 2026-02-11
FINAL DIAGNOSIS: Left breast, core biopsy: invasive ductal carcinoma, grade 2.
"""

RADIOLOGY = """Radiology Report
Patient: Quillon, Marisol   DOB: 1961-04-09
Exam date: 2026-02-03   Exam: Mammogram, diagnostic, bilateral
FINDINGS: Irregular mass in the left breast at 2 o'clock.
IMPRESSION: BI-RADS 5. Tissue sampling recommended.
"""


def build_hospital_cd(dest: Path, corpus: Path) -> Path:
    """A CD as exported by a PACS: DICOMDIR at the top, extensionless files in nested
    folders, studies of several (test) patients, plus pydicom's varied objects."""
    cd = dest / "CD from Mercy Imaging"
    src = corpus / "dicom" / "pydicom" / "dicomdirtests"
    shutil.copytree(src, cd, ignore=shutil.ignore_patterns("DICOMDIR-*"))
    extra = cd / "EXTRA" / "PT000001" / "ST000000"
    for number, name in enumerate(PYDICOM_FILES):
        series = extra / f"SE{number:06d}"
        series.mkdir(parents=True, exist_ok=True)
        shutil.copy(pydicom_file(name), series / "IM000000")
    for number, name in enumerate(CORPUS_DICOM):
        series = cd / "OTHER" / f"SE{number:06d}"
        series.mkdir(parents=True, exist_ok=True)
        shutil.copy(corpus / "dicom" / name, series / "IM000000")
    return cd


def build_awkward_folder(dest: Path, corpus: Path) -> Path:
    """Documents with awkward names and places, a portal zip of images, and things
    a scan must step over: empty file, FIFO, directory named like a file, a link out."""
    root = dest
    root.mkdir(parents=True, exist_ok=True)
    (root / "Pathology – biopsy report (Feb 2026) é.pdf").write_bytes(minimal_pdf(PATHOLOGY))
    reports = root / "Radiology reports" / "2026"
    reports.mkdir(parents=True)
    (reports / "mammogram report.pdf").write_bytes(minimal_pdf(RADIOLOGY))
    # The same report saved twice, once as a browser 'copy'.
    (root / "mammogram report (1).pdf").write_bytes(minimal_pdf(RADIOLOGY))
    # A very long file name (240 bytes) deep in a path longer than 255 characters.
    deep = root
    for level in range(6):
        deep = deep / f"level {level} of the patient portal download folder"
    deep.mkdir(parents=True)
    long_name = "Pathology addendum " + "x" * 210 + ".pdf"
    (deep / long_name).write_bytes(minimal_pdf(PATHOLOGY + "ADDENDUM: HER2 negative.\n"))
    # Real PDFs from the corpus.
    for pdf in sorted((corpus / "pdf" / "tcga-grasool").glob("*.pdf"))[:2]:
        shutil.copy(pdf, root / f"scanned {pdf.name}")
    # A portal download: a zip holding DICOM files and a report.
    with zipfile.ZipFile(root / "portal download.zip", "w") as zf:
        zf.write(pydicom_file("CT_small.dcm"), "imaging/series 1/ct.dcm")
        zf.write(pydicom_file("MR_small.dcm"), "imaging/series 2/mr.dcm")
        zf.writestr("reports/radiology.pdf", minimal_pdf(RADIOLOGY))
    (root / "empty note.txt").write_bytes(b"")
    os.mkfifo(root / "named pipe.pdf")
    (root / "looks like a file.pdf").mkdir()
    outside = dest.parent / f"{dest.name}-outside.pdf"
    outside.write_bytes(minimal_pdf(PATHOLOGY))
    (root / "link outside.pdf").symlink_to(outside)
    return root


def build_full_folder(dest: Path, corpus: Path) -> Path:
    """Everything together: awkward documents plus a hospital CD."""
    root = build_awkward_folder(dest, corpus)
    build_hospital_cd(root, corpus)
    return root
