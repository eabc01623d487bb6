"""Realistic, messy patient folders for the acceptance tests of scan and check.

Written independently of ``examples/synthetic.py``: every document here is
typed by hand in the style of a real source (US portal printout, UK clinic
letter, Australian pathology, Canadian lab table, faxed scan, C-CDA, FHIR,
HL7 v2), and the images are pydicom's bundled test files re-labelled for an
invented patient and laid out like a hospital CD. All people are invented.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Sequence
from pathlib import Path

from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont
from pydicom import dcmread
from pydicom.data import get_testdata_file
from pydicom.fileset import FileSet
from pydicom.uid import generate_uid

# --- document writers -------------------------------------------------------


def text_pdf(path: Path, lines: Sequence[str], *, font_size: int = 10) -> Path:
    """A PDF with a text layer, one line per entry (Latin-1 text, core font)."""
    pdf = FPDF(format="Letter")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", size=font_size)
    for line in lines:
        if line.isupper() and line.strip():
            pdf.set_font("Helvetica", style="B", size=font_size + 1)
            pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("Helvetica", size=font_size)
        else:
            pdf.multi_cell(0, 5, line or " ", new_x="LMARGIN", new_y="NEXT")
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
    return path


def fax_pdf(path: Path, lines: Sequence[str]) -> Path:
    """An image-only PDF, as a fax machine or a scanner makes it (no text layer)."""
    font = ImageFont.load_default(size=26)
    page = Image.new("L", (1700, 2200), 255)
    draw = ImageDraw.Draw(page)
    draw.text((60, 30), "FAX  From: 555 0142  Page 1/1  14/05/2025 09:12", fill=0, font=font)
    y = 130
    for line in lines:
        draw.text((110, y), line, fill=0, font=font)
        y += 44
    path.parent.mkdir(parents=True, exist_ok=True)
    page.save(path, "PDF", resolution=200.0)
    return path


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def docx_bytes(paragraphs: Sequence[str]) -> bytes:
    """A minimal Word document (OOXML zip), as a clinic might email."""
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Override PartName="/word/document.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.document.main+xml"/></Types>',
        )
        z.writestr(
            "word/document.xml",
            '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            f'wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>',
        )
    return buf.getvalue()


HEIC_BYTES = (
    b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00\x00\x00\x08mdat" + bytes(200)
)


def dicom_cd(
    root: Path,
    *,
    patient: str,
    patient_id: str,
    birth: str,
    studies: Sequence[tuple[str, str, str, Sequence[str]]],
) -> list[Path]:
    """A hospital CD: DICOMDIR + extension-less files, series split across folders.

    ``studies``: (study date, description, accession, pydicom test file names);
    each test file becomes one series of the study.
    """
    fs = FileSet()
    for date, description, accession, names in studies:
        study_uid = generate_uid()
        for number, name in enumerate(names, start=1):
            src = get_testdata_file(name, download=False)
            assert src is not None, name
            ds = dcmread(src)
            ds.PatientName = patient
            ds.PatientID = patient_id
            ds.PatientBirthDate = birth
            ds.StudyInstanceUID = study_uid
            ds.SeriesInstanceUID = generate_uid()
            ds.SOPInstanceUID = generate_uid()
            ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
            ds.StudyDate = date
            ds.SeriesDate = date
            ds.StudyDescription = description
            ds.AccessionNumber = accession
            ds.SeriesNumber = number
            ds.InstanceNumber = 1
            fs.add(ds)
    root.mkdir(parents=True, exist_ok=True)
    fs.write(root)
    # Real CDs: files split into several top folders, no extensions.
    return sorted(p for p in root.rglob("*") if p.is_file() and p.name != "DICOMDIR")


# --- folder 1: clean US breast folder, many spellings of one name -----------

MARY_KATE = "O'BRIEN-SMITH, MARY-KATE"


def clean_breast(root: Path) -> Path:
    """Mary-Kate O'Brien-Smith: everything present, the name spelled six ways."""
    d = root / "Mary-Kate records"
    path_lines = [
        "MyChart - Test Results",
        "https://mychart.example.org/MyChart/app/test-results   Printed 04/02/2025 10:41 AM",
        "",
        "SURGICAL PATHOLOGY REPORT",
        "Patient: O'BRIEN-SMITH, MARY-KATE        MRN: 4471823",
        "DOB: 06/19/1968   Sex: F",
        "Accession: S25-11873     Collected: 03/11/2025   Received: 03/11/2025",
        "Ordering Provider: Harlan Vickery, MD",
        "",
        "FINAL DIAGNOSIS",
        "Left breast, 2 o'clock, ultrasound-guided core needle biopsy:",
        "  Invasive ductal carcinoma, Nottingham grade 2 (3+2+2 = 7/9).",
        "  Ductal carcinoma in situ, intermediate grade, present.",
        "",
        "BREAST BIOMARKERS",
        "  Estrogen receptor (ER): POSITIVE, 95%, strong",
        "  Progesterone receptor (PR): POSITIVE, 40%, moderate",
        "  HER2 (IHC): 1+, NEGATIVE",
        "  Ki-67: 18%",
        "",
        "GROSS DESCRIPTION",
        "Received in formalin labeled with the patient's name are three cores of tan tissue.",
        "Electronically signed by Orla Penhallow, MD on 03/13/2025",
    ]
    report = text_pdf(d / "MyChart" / "Pathology report(2).pdf", path_lines)
    write(d / "MyChart" / "Pathology report(2) (1).pdf", report.read_bytes())

    text_pdf(
        d / "MyChart" / "Imaging" / "MG DIAG BILAT.pdf",
        [
            "RIVERBEND IMAGING CENTER",
            "Name: Mary Kate O'Brien Smith     DOB: 6/19/1968    MRN: 4471823",
            "EXAM: MAMMO DIAGNOSTIC BILATERAL WITH TOMOSYNTHESIS",
            "Exam date: 02/24/2025",
            "",
            "CLINICAL HISTORY: Palpable lump left breast.",
            "TECHNIQUE: Bilateral CC and MLO views with tomosynthesis.",
            "FINDINGS",
            "There is an irregular spiculated mass at 2 o'clock in the left breast measuring 1.8 cm.",
            "IMPRESSION",
            "Highly suggestive of malignancy. BI-RADS 5. Ultrasound-guided biopsy recommended.",
        ],
    )
    fax_pdf(
        d / "Scans" / "scan0001.pdf",
        [
            "Lakeshore Breast Surgery Associates",
            "",
            "March 20, 2025",
            "",
            "Re: Ms. M. O'Brien-Smith    DOB 06/19/1968",
            "",
            "Dear Dr. Vickery,",
            "",
            "HISTORY OF PRESENT ILLNESS",
            "Thank you for referring Ms. O'Brien-Smith, a 56 year old woman",
            "with a left breast invasive ductal carcinoma, ER and PR positive,",
            "HER2 negative, seen in clinic today.",
            "",
            "ASSESSMENT AND PLAN",
            "Left breast cancer, clinical stage IA. We discussed lumpectomy",
            "with sentinel node biopsy. She will think about it.",
            "",
            "Sincerely, Bram Whitcombe, MD, FACS",
        ],
    )
    write(
        d / "Downloads" / "labs_2025-03-05.txt",
        "QUEST-STYLE LABORATORY REPORT\n"
        "Patient Name: O'Brien-Smith, Mary-Kate    DOB: 06/19/1968\n"
        "Collected: 03/05/2025 07:55   Reported: 03/05/2025 14:02\n\n"
        "Test                      Result   Flag   Reference Range   Units\n"
        "WBC                        6.1              3.8-10.8        Thousand/uL\n"
        "Hemoglobin                 12.9             11.7-15.5       g/dL\n"
        "Platelet count             254              140-400         Thousand/uL\n"
        "Creatinine                 0.78             0.50-1.05       mg/dL\n"
        "ALT                        22               6-29            U/L\n",
    )
    write(
        d / "Downloads" / "Medications.txt",
        "CURRENT MEDICATIONS\n"
        "Patient: Mary-Kate O'Brien-Smith   DOB 06/19/1968\n"
        "As of: 03/20/2025\n\n"
        "Levothyroxine 75 mcg tablet - take 1 tablet by mouth daily\n"
        "Lisinopril 10 mg tablet - take 1 tablet by mouth daily\n"
        "Ibuprofen 400 mg - as needed for pain\n\n"
        "ALLERGIES\nPenicillin - hives\n",
    )
    dicom_cd(
        d / "Imaging CD",
        patient="OBRIENSMITH^MARYKATE",
        patient_id="4471823",
        birth="19680619",
        studies=[
            (
                "20250224",
                "BREAST MRI BILAT W WO CONTRAST",
                "A778120",
                ["MR_small.dcm", "MR_small.dcm"],
            )
        ],
    )
    # The second series was copied off a second disc, outside the DICOMDIR tree.
    series = d / "Imaging CD" / "PT000000" / "ST000000" / "SE000001"
    (d / "Imaging CD" / "DISC 2").mkdir()
    series.rename(d / "Imaging CD" / "DISC 2" / "SE000001")
    write(d / ".DS_Store", b"\x00\x00\x00\x01Bud1" + bytes(40))
    write(d / "Imaging CD" / "AUTORUN.INF", "[autorun]\nopen=viewer.exe\n")
    return d


# --- folder 2: UK colorectal, a relative's letter misfiled ------------------


def misfiled_colorectal(root: Path) -> tuple[Path, str]:
    """José Núñez (UK); his wife Carmen Núñez's histology report is in the folder.

    Returns the folder and the relative path of the misfiled report.
    """
    d = root / "Jose Nunez - hospital letters"
    text_pdf(
        d / "Histopathology" / "Histology report 14-02-2025.pdf",
        [
            "St Aldric's Hospital NHS Foundation Trust - Department of Cellular Pathology",
            "HISTOPATHOLOGY REPORT",
            "Surname: NÚÑEZ      Forename: JOSÉ",
            "Date of birth: 12/07/1959    NHS No: 485 777 3456    Hospital No: K0391128",
            "Lab No: H25/04411     Date taken: 14/02/2025    Date received: 14/02/2025",
            "Specimen: Sigmoid colon polyp, biopsies x4",
            "",
            "MICROSCOPIC DESCRIPTION",
            "Fragments of colonic mucosa infiltrated by moderately differentiated adenocarcinoma.",
            "",
            "DIAGNOSIS",
            "Sigmoid colon biopsy: moderately differentiated adenocarcinoma.",
            "Mismatch repair proteins (MLH1, PMS2, MSH2, MSH6): expression retained (pMMR).",
            "Reported by Dr T. Ashcombe, Consultant Histopathologist, 18/02/2025",
        ],
    )
    misfiled = "Histopathology/Histology report 03-03-2025.pdf"
    text_pdf(
        d / misfiled,
        [
            "St Aldric's Hospital NHS Foundation Trust - Department of Cellular Pathology",
            "HISTOPATHOLOGY REPORT",
            "Surname: NÚÑEZ      Forename: CARMEN",
            "Date of birth: 30/01/1962    NHS No: 485 777 9012    Hospital No: K0391877",
            "Lab No: H25/05902     Date taken: 03/03/2025    Date received: 03/03/2025",
            "Specimen: Skin, left forearm, shave biopsy",
            "",
            "MICROSCOPIC DESCRIPTION",
            "Basaloid nests with peripheral palisading in the dermis.",
            "",
            "DIAGNOSIS",
            "Left forearm: nodular basal cell carcinoma, excised with clear margins.",
            "Reported by Dr T. Ashcombe, Consultant Histopathologist, 05/03/2025",
        ],
    )
    text_pdf(
        d / "Letters" / "Clinic letter - colorectal MDT.pdf",
        [
            "Colorectal Surgery Outpatients",
            "Clinic date: 27/02/2025        Typed: 28/02/2025",
            "",
            "Patient: Mr José Núñez, DOB 12/07/1959, NHS No 485 777 3456",
            "",
            "Dear Dr Pemberton,",
            "I reviewed Mr Núñez in clinic today following his colonoscopy.",
            "",
            "Diagnosis: Adenocarcinoma of the sigmoid colon, cT3 N1 M0.",
            "",
            "Plan: Laparoscopic anterior resection; CEA and staging CT reviewed at MDT.",
            "He understands the diagnosis and is happy to proceed.",
            "",
            "Yours sincerely,",
            "Mr R. Haverstock, Consultant Colorectal Surgeon",
        ],
    )
    text_pdf(
        d / "Letters" / "CT report.pdf",
        [
            "Radiology Department",
            "Patient name: JOSE NUNEZ     DOB: 12/07/1959     Hospital No: K0391128",
            "Examination: CT CHEST ABDOMEN PELVIS WITH CONTRAST",
            "Date of examination: 20/02/2025",
            "",
            "CLINICAL DETAILS: Sigmoid adenocarcinoma, staging.",
            "FINDINGS",
            "Circumferential thickening of the sigmoid colon over 5 cm. Two enlarged mesenteric nodes.",
            "No liver or lung metastases.",
            "IMPRESSION",
            "Sigmoid tumour T3 N1, no distant metastatic disease.",
        ],
    )
    text_pdf(
        d / "Letters" / "Colonoscopy report.pdf",
        [
            "Endoscopy Unit - Colonoscopy Report",
            "Patient: Núñez, José  DOB 12/07/1959  Hospital No K0391128",
            "Procedure date: 14/02/2025",
            "PROCEDURE: Colonoscopy to caecum with biopsies.",
            "Indication: Rectal bleeding, change in bowel habit.",
            "Sedation: Midazolam 2 mg, Fentanyl 50 micrograms.",
            "FINDINGS",
            "Fungating, partially obstructing lesion at 25 cm (sigmoid). Biopsies taken x4. Tattooed.",
            "Complications: none.",
        ],
    )
    write(
        d / "Bloods" / "bloods Feb 2025.txt",
        "BIOCHEMISTRY / HAEMATOLOGY\n"
        "Name: NUNEZ, JOSE   DOB: 12/07/1959   Hosp No: K0391128\n"
        "Sample collected: 19/02/2025 09:30\n\n"
        "Test            Result    Units      Ref range\n"
        "Haemoglobin     112       g/L        130-170\n"
        "CEA             8.4       ug/L       0.0-5.0\n"
        "Creatinine      84        umol/L     59-104\n"
        "ALT             18        U/L        0-41\n",
    )
    write(
        d / "Bloods" / "repeat prescription.txt",
        "REPEAT PRESCRIPTIONS - Current medication\n"
        "Patient: José Núñez   DOB 12/07/1959\n"
        "Printed 01/03/2025\n\n"
        "Ramipril 5mg capsules - one daily\n"
        "Atorvastatin 20mg tablets - one at night\n"
        "Ferrous sulfate 200mg tablets - one twice a day\n\n"
        "Allergies: none known\n",
    )
    dicom_cd(
        d / "CT disc",
        patient="NUNEZ^JOSE",
        patient_id="K0391128",
        birth="19590712",
        studies=[
            ("20250220", "CT CHEST ABDO PELVIS C+", "RX44190", ["CT_small.dcm", "CT_small.dcm"])
        ],
    )
    return d, misfiled


# --- folder 3: Australian lung, no pathology report -------------------------


def lung_without_pathology(root: Path) -> Path:
    """Lachlan Fitzgerald-Ng (AU): imaging, labs and notes, but no pathology."""
    d = root / "Lachlan lung records"
    text_pdf(
        d / "Radiology" / "PET CT report.pdf",
        [
            "Harbourview Nuclear Medicine",
            "Patient: FITZGERALD-NG, Lachlan James   DOB: 03/09/1957   UR: 0088123",
            "Study: FDG PET/CT whole body    Study date: 09/04/2025",
            "Referrer: Dr P. Kowalczyk",
            "",
            "CLINICAL NOTES: Right upper lobe mass. Staging.",
            "FINDINGS",
            "Intensely FDG avid right upper lobe mass, SUVmax 14.2, measuring 38 mm.",
            "FDG avid right hilar node, SUVmax 6.1.",
            "IMPRESSION",
            "Right upper lobe primary with ipsilateral hilar nodal disease. No distant metastases.",
        ],
    )
    text_pdf(
        d / "Radiology" / "CT chest report.pdf",
        [
            "Coastal Radiology",
            "Patient: Mr Lachlan Fitzgerald-Ng   D.O.B 03/09/1957",
            "Examination: CT CHEST WITH CONTRAST      Date of service: 21/03/2025",
            "TECHNIQUE: Axial images with IV contrast.",
            "FINDINGS",
            "38 mm spiculated mass in the right upper lobe. Right hilar lymphadenopathy.",
            "IMPRESSION",
            "Findings suspicious for primary bronchogenic carcinoma. Tissue diagnosis recommended.",
        ],
    )
    write(
        d / "GP letters" / "respiratory clinic letter.txt",
        "Respiratory Medicine Outpatient Clinic\n"
        "Date of consultation: 15/04/2025\n\n"
        "Re: Lachlan FITZGERALD-NG  DOB 03/09/1957  UR 0088123\n\n"
        "Dear Dr Kowalczyk,\n\n"
        "HISTORY OF PRESENT ILLNESS\n"
        "Mr Fitzgerald-Ng is a 67 year old ex-smoker (40 pack years) with a right upper lobe mass.\n\n"
        "ASSESSMENT AND PLAN\n"
        "Likely stage IIB non-small cell lung cancer. EBUS-TBNA is booked for 22/04/2025.\n\n"
        "Kind regards,\nDr Imogen Ratcliffe, Respiratory Physician\n",
    )
    # HL7 v2 ORU from the lab, and a FHIR medication list from the portal.
    segments = (
        "MSH|^~\\&|LIS|HARBOURLAB|PORTAL|HV|20250410081500||ORU^R01|MSG00931|P|2.5.1",
        "PID|1||0088123^^^HV^MR||FITZGERALD-NG^LACHLAN^JAMES||19570903|M",
        "OBR|1||LAB7781|24323-8^Comprehensive metabolic panel^LN|||20250410073000",
        "OBX|1|NM|2951-2^Sodium^LN||139|mmol/L|135-145|N|||F",
        "OBX|2|NM|2160-0^Creatinine^LN||92|umol/L|60-110|N|||F",
        "OBX|3|NM|718-7^Hemoglobin^LN||141|g/L|130-180|N|||F",
    )
    hl7 = "\r".join(segments)
    write(d / "Portal export" / "lab_20250410.hl7", hl7 + "\r")
    fhir = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {
                "resource": {
                    "resourceType": "Patient",
                    "id": "p1",
                    "name": [{"family": "Fitzgerald-Ng", "given": ["Lachlan", "James"]}],
                    "birthDate": "1957-09-03",
                }
            },
            {
                "resource": {
                    "resourceType": "MedicationStatement",
                    "status": "active",
                    "subject": {"reference": "Patient/p1"},
                    "effectiveDateTime": "2025-04-15",
                    "medicationCodeableConcept": {
                        "text": "Tiotropium 18 microgram inhaler, one daily"
                    },
                }
            },
            {
                "resource": {
                    "resourceType": "MedicationStatement",
                    "status": "active",
                    "subject": {"reference": "Patient/p1"},
                    "effectiveDateTime": "2025-04-15",
                    "medicationCodeableConcept": {"text": "Metformin 500 mg tablet twice daily"},
                }
            },
        ],
    }
    write(d / "Portal export" / "medications.json", json.dumps(fhir, indent=1))
    dicom_cd(
        d / "PET CT disc",
        patient="FITZGERALD-NG^LACHLAN^JAMES",
        patient_id="0088123",
        birth="19570903",
        studies=[
            ("20250321", "CT CHEST C+", "CR5510", ["CT_small.dcm"]),
            ("20250409", "PET CT WHOLE BODY FDG", "NM7741", ["CT_small.dcm", "CT_small.dcm"]),
        ],
    )
    write(d / "Thumbs.db", bytes(64))
    return d


# --- folder 4: Canadian prostate, every kind of broken file -----------------


def broken_files_prostate(root: Path) -> Path:
    """Jean-François Tremblay (CA): a portal zip and the files that go wrong."""
    d = root / "JF Tremblay"
    good = text_pdf(
        d / "Pathology" / "Prostate biopsy pathology.pdf",
        [
            "Laboratoire de pathologie - Pathology Consultation Report",
            "SURGICAL PATHOLOGY REPORT",
            "Name: TREMBLAY, JEAN-FRANÇOIS    HCN: 1234-567-890-AB    DOB: 1954-11-02",
            "Collected: 2025-01-16      Accession: SP-25-00417",
            "",
            "FINAL DIAGNOSIS",
            "Prostate, 12-core systematic biopsy:",
            "  Acinar adenocarcinoma, Gleason score 3+4=7 (Grade Group 2) in 5 of 12 cores.",
            "  Perineural invasion present.",
        ],
    )
    text_pdf(
        d / "PSA" / "PSA history.pdf",
        [
            "LifeLabs-style Laboratory Report",
            "Patient: Tremblay, Jean-Francois   DOB: 1954-11-02   HCN 1234-567-890",
            "Collection date: 2025-01-06",
            "",
            "Test                     Result    Reference   Units",
            "PSA, total               8.9 H     <4.5        ug/L",
            "PSA, total (2024-07-02)  6.1 H     <4.5        ug/L",
            "PSA, total (2023-06-20)  4.2       <4.5        ug/L",
        ],
    )
    # Damaged (cut short), password-protected, empty, 0-byte DICOM, docx, HEIC.
    data = good.read_bytes()
    write(d / "Downloads" / "MRI prostate report.pdf", data[: len(data) // 3])
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt("secret-pin-2025")
    buf = io.BytesIO()
    writer.write(buf)
    write(d / "Downloads" / "Bone scan report (protected).pdf", buf.getvalue())
    write(d / "Downloads" / "Consult note.pdf", b"")
    write(d / "MRI disc" / "DICOM" / "00000001", b"")
    write(
        d / "Letters" / "urology consult.docx",
        docx_bytes(["Urology consultation", "Patient: Jean-François Tremblay", "Gleason 3+4"]),
    )
    write(d / "Photos" / "IMG_4021.HEIC", HEIC_BYTES)
    dicom_cd(
        d / "MRI disc",
        patient="TREMBLAY^JEAN-FRANCOIS",
        patient_id="1234567890",
        birth="19541102",
        studies=[("20241210", "MRI PROSTATE MULTIPARAMETRIC", "MR90012", ["MR_small.dcm"])],
    )
    # Portal zip holding a C-CDA visit summary.
    ccda = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<ClinicalDocument xmlns="urn:hl7-org:v3">\n'
        '  <templateId root="2.16.840.1.113883.10.20.22.1.1"/>\n'
        '  <code code="34133-9" codeSystem="2.16.840.1.113883.6.1" displayName="Summary of episode note"/>\n'
        "  <title>Continuity of Care Document</title>\n"
        '  <effectiveTime value="20250120"/>\n'
        '  <recordTarget><patientRole><id extension="1234567890"/><patient>\n'
        "    <name><given>Jean-François</given><family>Tremblay</family></name>\n"
        '    <birthTime value="19541102"/>\n'
        "  </patient></patientRole></recordTarget>\n"
        "  <component><structuredBody>\n"
        "    <component><section><title>Problems</title><text>Prostate cancer</text></section></component>\n"
        "    <component><section><title>Medications</title><text>Tamsulosin 0.4 mg daily</text></section></component>\n"
        "  </structuredBody></component>\n"
        "</ClinicalDocument>\n"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("HealthSummary/Document_1.xml", ccda)
        z.writestr("HealthSummary/Pathology.pdf", good.read_bytes())
        z.writestr("INDEX.HTM", "<html><body>Health summary</body></html>")
    write(d / "Downloads" / "HealthSummary_Jan_20_2025.zip", buf.getvalue())
    write(d / "Downloads" / "desktop.ini", "[.ShellClassInfo]\n")
    return d


def build_all(root: Path) -> dict[str, Path]:
    """Every folder under ``root``, by short name."""
    mis, _ = misfiled_colorectal(root)
    return {
        "breast": clean_breast(root),
        "colorectal": mis,
        "lung": lung_without_pathology(root),
        "prostate": broken_files_prostate(root),
    }
