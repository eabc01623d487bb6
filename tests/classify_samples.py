"""Invented records (no real person) in the layouts of several different institutions.

Each Sample holds a record's text and what classifying it must give: kind, date
of service, and the patient's name, birth date and record number (None where the
record gives none). test_classify.py classifies the texts; test_scan_pdf.py renders
the same samples to PDF; the text scanner and rule table tests read them too.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sample:
    id: str
    kind: str
    text: str
    date: str | None
    name: str | None = None
    birth_date: str | None = None
    mrn: str | None = None


SAMPLES: tuple[Sample, ...] = (
    Sample(
        "path-lakeside",
        "pathology_report",
        """\
LAKESIDE REGIONAL MEDICAL CENTER
Department of Pathology and Laboratory Medicine
SURGICAL PATHOLOGY REPORT
Patient: HOLLOWAY, BEATRIX J          MRN: 00482913
DOB: 03/14/1962    Sex: F     Accession: S26-01873
Ordering Physician: Ramon Castellanos, MD
Collected: 08/20/2026   Received: 08/21/2026   Reported: 08/24/2026
FINAL DIAGNOSIS:
A. Breast, left, 2 o'clock, ultrasound-guided core biopsy:
 - Invasive ductal carcinoma, Nottingham grade 2 (tubules 3, nuclei 2, mitoses 1).
 - Ductal carcinoma in situ, intermediate grade.
Estrogen receptor: Positive (95%, strong). Progesterone receptor: Positive (60%).
HER2 (IHC): 1+, negative. Ki-67: 20%.
GROSS DESCRIPTION:
Received in formalin labeled with the patient's name are four tan-white cores
measuring 1.2 to 1.6 cm in length, entirely submitted in cassettes A1-A2.
Pathologist: Ingrid Vasquez-Lindqvist, MD
""",
        "2026-08-20",
        "HOLLOWAY, BEATRIX J",
        "1962-03-14",
        "00482913",
    ),
    Sample(
        "path-northfield-marrow",
        "pathology_report",
        """\
Northfield University Hospital - Hematopathology
BONE MARROW BIOPSY AND ASPIRATE REPORT
Name: Oswin P. Tremaine
Date of Birth: 1957-11-02
Medical Record #: NF-5520341
Referring physician: Dr. Halvard Quist
Specimen received: 2026-05-06
Specimens: Bone marrow aspirate and core biopsy, right posterior iliac crest
Final Diagnosis
Hypercellular marrow (70%) involved by plasma cell neoplasm, 40% plasma cells
by CD138 immunohistochemistry, kappa restricted.
Flow cytometry: monotypic plasma cells, CD38+, CD56+.
Microscopic Description
Sections show sheets of plasma cells with mild atypia.
Report printed 2026-06-30
""",
        "2026-05-06",
        "Oswin P. Tremaine",
        "1957-11-02",
        "NF-5520341",
    ),
    Sample(
        "path-cytology",
        "pathology_report",
        """\
CYTOPATHOLOGY REPORT
Pathologist: Dr. Yusuf Adebayo-Kerr
Pt Name: Marisol Quintanilla-Reyes     D.O.B.: 22-Jul-1970
Patient ID: 40021987
Procedure Date: 14-Mar-2026
Specimen source: Thyroid, right lobe, fine needle aspiration
DIAGNOSIS:
Positive for malignancy. Papillary thyroid carcinoma (Bethesda category VI).
MICROSCOPIC DESCRIPTION:
Smears show cohesive sheets of follicular cells with nuclear grooves and
intranuclear pseudoinclusions.
""",
        "2026-03-14",
        "Marisol Quintanilla-Reyes",
        "1970-07-22",
        "40021987",
    ),
    Sample(
        "imaging-ct",
        "imaging_report",
        """\
Mercy Valley Imaging Associates
RADIOLOGY REPORT
PATIENT NAME: PEMBERTON, CORDELIA       DOB: 09/30/1955
MRN: 3318820           Exam Date: 07/11/2026
Ordering: Lucien Ashdown, MD
EXAM: CT CHEST WITH CONTRAST
CLINICAL INDICATION: Lung adenocarcinoma, restaging.
TECHNIQUE: Axial images were obtained through the chest after IV contrast.
COMPARISON: CT chest 04/02/2026.
FINDINGS:
Right upper lobe spiculated mass measures 2.1 x 1.8 cm, previously 2.9 x 2.4 cm.
No new pulmonary nodules. No pleural effusion.
IMPRESSION:
1. Decrease in size of the right upper lobe mass, consistent with treatment response.
Electronically signed by: Theodora Brandvold, MD (Radiologist) on 07/11/2026 14:02
""",
        "2026-07-11",
        "PEMBERTON, CORDELIA",
        "1955-09-30",
        "3318820",
    ),
    Sample(
        "imaging-petct",
        "imaging_report",
        """\
Harborview Nuclear Medicine
PET/CT Skull Base to Mid-Thigh Report
Patient: Ximena Olasunkanmi
DOB: 1/5/64
Date of Exam: July 2, 2026
Indication: Hodgkin lymphoma, interim assessment after 2 cycles.
Technique: 12.1 mCi F-18 FDG was administered intravenously. Blood glucose 96 mg/dL.
Findings: Previously hypermetabolic mediastinal nodes now show SUV max 2.1
(previously 9.8), below mediastinal blood pool.
Impression: Complete metabolic response (Deauville 2).
""",
        "2026-07-02",
        "Ximena Olasunkanmi",
        "1964-01-05",
        None,
    ),
    Sample(
        "imaging-mammo",
        "imaging_report",
        """\
Bayside Breast Imaging Center
Name: GRAYSON, ELOISE
Study Date: 20260115
Exam: Diagnostic mammogram, bilateral, with tomosynthesis
Comparison: 01/10/2025
Findings: There is an irregular spiculated mass in the left breast upper outer
quadrant at 2 o'clock measuring 14 mm, with associated pleomorphic calcifications.
Impression: Highly suggestive of malignancy. BI-RADS 5.
Recommendation: Ultrasound-guided core biopsy.
""",
        "2026-01-15",
        "GRAYSON, ELOISE",
        None,
        None,
    ),
    Sample(
        "lab-summit",
        "lab_result",
        """\
Summit Clinical Laboratories
LABORATORY REPORT
Patient Name: Fenwick, Augustin R.     DOB: 12/01/1949    MRN: 7765012
Collected: 10/02/2026 07:45   Received: 10/02/2026 09:10   Reported: 10/03/2026
Ordering Provider: Priya Ramanathan, MD
Test                Result    Flag   Units       Reference Range
WBC                 3.1       L      x10^3/uL    4.0-11.0
Hemoglobin          10.8      L      g/dL        13.5-17.5
Platelets           142       L      x10^3/uL    150-400
CEA                 8.4       H      ng/mL       0.0-3.0
Creatinine          1.02             mg/dL       0.70-1.30
""",
        "2026-10-02",
        "Fenwick, Augustin R.",
        "1949-12-01",
        "7765012",
    ),
    Sample(
        "lab-portal-markers",
        "lab_result",
        """\
Lab Results - MyHealth Portal
Printed on Nov 01 2026
Patient: Wilhelmina Ostrowski-Baptiste   Birth Date: 06/19/1968
Date of Service: Sep 3 2026
CA 27.29 .......... 58 U/mL (normal range 0 - 38)  HIGH
CEA ............... 2.9 ng/mL (normal range 0.0 - 3.0)
Alkaline phosphatase 131 U/L (normal range 40 - 129) HIGH
Performing lab: Cedar Hills Reference Laboratory
""",
        "2026-09-03",
        "Wilhelmina Ostrowski-Baptiste",
        "1968-06-19",
        None,
    ),
    Sample(
        "genomic-cgp",
        "genomic_report",
        """\
COMPREHENSIVE GENOMIC PROFILING REPORT
Patient: Thaddeus Okonkwo-Lindgren     DOB: 02/28/1959
Specimen collected: 2026-04-11        Report date: 2026-04-28
Tumor type: Lung adenocarcinoma       Specimen: FFPE block A3 (surgical pathology S26-4411)
Method: hybrid-capture next-generation sequencing (NGS) of 324 genes.
GENOMIC FINDINGS
EGFR L858R (c.2573T>G)   variant allele frequency 31.2%
TP53 p.R273H             VAF 28.0%
Tumor mutational burden: 4 Muts/Mb    Microsatellite status: MS-Stable
FDA-approved therapies for this tumor type: osimertinib, erlotinib.
""",
        "2026-04-11",
        "Thaddeus Okonkwo-Lindgren",
        "1959-02-28",
        None,
    ),
    Sample(
        "genomic-germline",
        "genomic_report",
        """\
Hereditary Cancer Genetic Test Results
Patient name: Rosalind Ebbesen        Date of birth: 10/07/1980
Sample collected: 03/09/2026
Result: POSITIVE - one pathogenic variant identified
Gene      Variant             Classification
BRCA2     c.5946delT          Pathogenic
CHEK2     c.1100delC          Variant of uncertain significance
This germline test analyzed 47 genes associated with hereditary cancer risk.
Genetic counseling is recommended for relatives.
""",
        "2026-03-09",
        "Rosalind Ebbesen",
        "1980-10-07",
        None,
    ),
    Sample(
        "genomic-oncotype",
        "genomic_report",
        """\
Oncotype DX Breast Recurrence Score Report
Patient: Genevieve Marchetti-Holm   DOB: 05-Feb-1966
Date Received: 02-Jun-2026
Recurrence Score Result: 14
Distant recurrence risk at 9 years with endocrine therapy alone: 4%.
Group average absolute chemotherapy benefit: < 1%.
""",
        "2026-06-02",
        "Genevieve Marchetti-Holm",
        "1966-02-05",
        None,
    ),
    Sample(
        "note-oncology-consult",
        "clinical_note",
        """\
Riverbend Cancer Institute
MEDICAL ONCOLOGY CONSULTATION
Patient: HOLLOWAY, BEATRIX J      DOB: 03/14/1962      MRN: 00482913
Date of Visit: 09/02/2026
Referring physician: Ramon Castellanos, MD
HISTORY OF PRESENT ILLNESS:
Ms. Holloway is a 64-year-old woman who presents for a second opinion. Surgical
pathology report (08/20/2026) showed invasive ductal carcinoma, Nottingham
grade 2, ER positive, HER2 negative. Final diagnosis per outside pathology.
REVIEW OF SYSTEMS: Negative except fatigue.
PHYSICAL EXAMINATION: Well appearing. ECOG 0.
ASSESSMENT AND PLAN:
Stage IA left breast cancer. We discussed lumpectomy followed by radiation.
Follow up in 2 weeks.
""",
        "2026-09-02",
        "HOLLOWAY, BEATRIX J",
        "1962-03-14",
        "00482913",
    ),
    Sample(
        "note-soap",
        "clinical_note",
        """\
PROGRESS NOTE
Name: Anselm Kowalczyk-Reid     Date of birth: 08/11/1971
Encounter date: 10/21/2026
Subjective: Tolerating cycle 3 of chemotherapy with mild nausea.
Objective: Vitals stable. Afebrile.
Assessment: Colon adenocarcinoma on adjuvant FOLFOX, tolerating well.
Plan: Continue current regimen, ondansetron as needed, return to clinic in 2 weeks.
""",
        "2026-10-21",
        "Anselm Kowalczyk-Reid",
        "1971-08-11",
        None,
    ),
    Sample(
        "note-letter",
        "clinical_note",
        """\
Westbrook Hematology Oncology
October 5, 2026
Dear Dr. Pellegrino,
Thank you for referring Mrs. Leocadia Fairbanks, whom I saw today in clinic for
newly diagnosed diffuse large B-cell lymphoma. She is a 58-year-old woman who
presents with cervical adenopathy. I reviewed her PET/CT and biopsy results with her.
Impression and plan: We will proceed with R-CHOP.
Sincerely, Bartholomew Ngata, MD
""",
        "2026-10-05",
        None,
        None,
        None,
    ),
    Sample(
        "op-mastectomy",
        "operative_report",
        """\
OPERATIVE REPORT
Patient Name: Delphine Arceneaux-Voss   MRN: 88120457   DOB: 04/30/1975
Date of Surgery: 06/18/2026
Surgeon: Cassius Whitford, MD
PREOPERATIVE DIAGNOSIS: Left breast cancer.
POSTOPERATIVE DIAGNOSIS: Same.
PROCEDURE PERFORMED: Left total mastectomy with sentinel lymph node biopsy.
ANESTHESIA: General endotracheal.
ESTIMATED BLOOD LOSS: 50 mL.
SPECIMENS: Left breast, sentinel lymph nodes x2 to pathology.
DESCRIPTION OF PROCEDURE: The patient was brought to the operating room and placed
supine. The left chest was prepped and draped in the usual sterile fashion.
The patient tolerated the procedure well.
""",
        "2026-06-18",
        "Delphine Arceneaux-Voss",
        "1975-04-30",
        "88120457",
    ),
    Sample(
        "op-colonoscopy",
        "operative_report",
        """\
Eastgate Endoscopy Center - Colonoscopy Procedure Report
Patient: Ignatius Pommerenke    Birth date: 1960-12-12
Procedure date: 2026-02-17
Indications for procedure: Positive stool DNA test.
Findings: A 25 mm ulcerated mass in the sigmoid colon at 30 cm, biopsied and tattooed.
Estimated blood loss: minimal. Complications: None.
The scope was advanced to the cecum. Withdrawal time 9 minutes.
""",
        "2026-02-17",
        "Ignatius Pommerenke",
        "1960-12-12",
        None,
    ),
    Sample(
        "tx-chemo",
        "treatment_plan",
        """\
CHEMOTHERAPY TREATMENT PLAN
Patient: Philippa Strandquist     DOB: 11/11/1969    MRN: 5502198
Plan start date: 07/06/2026
Diagnosis: Left breast cancer, stage IIA, HER2 negative. Intent: curative (adjuvant).
Regimen: dose-dense AC followed by paclitaxel (ddAC-T)
Doxorubicin 60 mg/m2 IV day 1 every 14 days x 4 cycles
Cyclophosphamide 600 mg/m2 IV day 1 every 14 days x 4 cycles
then Paclitaxel 80 mg/m2 IV weekly x 12
Height 165 cm, weight 70 kg, BSA 1.78 m2. Premedications and antiemetics per protocol.
""",
        "2026-07-06",
        "Philippa Strandquist",
        "1969-11-11",
        "5502198",
    ),
    Sample(
        "tx-radiation",
        "treatment_plan",
        """\
Radiation Oncology Treatment Summary
Patient Name: Evander Castellano-Pike
Treatment dates: 03/02/2026 to 04/10/2026
Site: Prostate and seminal vesicles. Technique: IMRT with daily image guidance.
Dose: 70 Gy in 28 fractions (2.5 Gy per fraction).
Concurrent androgen deprivation therapy.
The patient tolerated treatment with grade 1 urinary frequency.
""",
        "2026-03-02",
        "Evander Castellano-Pike",
        None,
        None,
    ),
    Sample(
        "med-list",
        "medication_list",
        """\
CURRENT MEDICATIONS
Patient: Cornelius Ambrose-Whitley     DOB: 07/04/1948
Date: 10/15/2026                       Printed: 11/01/2026
Allergies: Penicillin (hives), sulfa drugs
Metformin 500 mg tablet - take 1 tablet by mouth twice daily
Lisinopril 10 mg tablet - 1 tablet by mouth daily
Anastrozole 1 mg tablet - 1 tablet by mouth daily
Ondansetron 8 mg tablet - every 8 hours as needed for nausea
Vitamin D3 2000 units - daily
""",
        "2026-10-15",
        "Cornelius Ambrose-Whitley",
        "1948-07-04",
        None,
    ),
    Sample(
        "med-portal",
        "medication_list",
        """\
Medications and Allergies
Name: Thomasina Oyelaran-Brooks
Allergies: NKDA
Tamoxifen 20 mg by mouth once daily
Gabapentin 300 mg capsule at bedtime
Prescriber: Odalys Fontaine, NP   Pharmacy: Corner Drug #112   Refills: 3
""",
        None,
        "Thomasina Oyelaran-Brooks",
        None,
        None,
    ),
    Sample(
        "ds-hospital",
        "discharge_summary",
        """\
St. Aldric Hospital
DISCHARGE SUMMARY
Patient: MORROW-ELLSWORTH, JASPER T     MRN: 20045671    DOB: 02/02/1952
Admission Date: 05/01/2026     Discharge Date: 05/06/2026
Attending: Henrietta Sobczak, MD
ADMITTING DIAGNOSIS: Febrile neutropenia.
DISCHARGE DIAGNOSES: 1. Febrile neutropenia, resolved. 2. Small cell lung cancer.
HOSPITAL COURSE: The patient was admitted after cycle 2 of carboplatin and etoposide
with fever and an absolute neutrophil count of 200. Blood cultures were negative.
DISCHARGE MEDICATIONS: Levofloxacin 500 mg by mouth daily for 5 days.
CONDITION AT DISCHARGE: Stable. Follow up with oncology in 1 week.
""",
        "2026-05-06",
        "MORROW-ELLSWORTH, JASPER T",
        "1952-02-02",
        "20045671",
    ),
    Sample(
        "ds-brief",
        "discharge_summary",
        """\
Hospital Discharge Summary - Pinecrest Medical Center
Name: Ottoline Vasquez-Harrow
Date of admission: 14 August 2026
Date of discharge: 19 August 2026
Reason for admission: small bowel obstruction, metastatic ovarian cancer.
Brief hospital course: managed conservatively with bowel rest and decompression.
Discharge disposition: home with hospice consultation.
""",
        "2026-08-19",
        "Ottoline Vasquez-Harrow",
        None,
        None,
    ),
    Sample(
        "summary-portal",
        "patient_summary",
        """\
Patient Health Summary
Patient: Barnaby Quill-Ashworth     Date of Birth: 01/21/1963
Generated: 11/02/2026
Problem List: Prostate cancer; Hypertension; Hyperlipidemia
Allergies, Adverse Reactions: None known
Medications: Enzalutamide 160 mg daily; Amlodipine 5 mg daily
Immunizations: Influenza 10/01/2026; COVID-19 09/12/2025
Encounters: Urology 10/20/2026; Radiation oncology 09/15/2026
Results: PSA 0.4 ng/mL (10/20/2026)
Care Team: Ferdinand Mbeki, MD (Urology)
""",
        "2026-11-02",
        "Barnaby Quill-Ashworth",
        "1963-01-21",
        None,
    ),
    Sample(
        "admin-auth",
        "administrative",
        """\
Granite State Health Plan
PRIOR AUTHORIZATION APPROVAL
Member: Winifred Abernathy-Cole        Member ID: GSH884210377
Group Number: 55102                     Authorization #: PA-2026-118830
Date: 09/18/2026
Service approved: PET/CT skull base to mid-thigh (CPT 78815), in-network facility.
This approval is not a guarantee of payment. Benefits are subject to eligibility
and the terms of the member's plan at the time of service.
""",
        "2026-09-18",
        # The member is the insured person the approved service is for.
        "Winifred Abernathy-Cole",
        None,
        None,
    ),
    Sample(
        "admin-consent",
        "administrative",
        """\
Informed Consent for Chemotherapy
Patient name: Leopold Farrington-Oduya
I consent to treatment with the chemotherapy regimen described to me. I have been
told about the possible benefits, risks and side effects, and I agree to proceed.
Patient signature: ______________    Date: 07/01/2026
Witness signature: ______________
""",
        "2026-07-01",
        "Leopold Farrington-Oduya",
        None,
        None,
    ),
    Sample(
        "other-parking",
        "other",
        """\
Visitor parking and directions
The main garage entrance is on Elm Street. Take the blue elevators to level 2 and follow
the signs to the Cancer Center reception desk. Validation is available at the front desk.
""",
        None,
    ),
)
