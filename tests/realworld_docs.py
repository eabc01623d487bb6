"""Red-team records: realistic documents written independently of the classifier.

Invented people and institutions only, in the styles of US, UK, Canadian and
Australian hospitals, commercial and reference labs, imaging centres, portals
and insurers. Some texts imitate what pypdf's default text mode makes of a
two-column header (columns joined by single spaces), some carry fax headers
and page footers, one is noisy OCR. Each document states what a careful
person reading it would answer: kind, date of service, patient name as
written, birth date. ``date=None`` means "do not check" (several defensible
answers), never "no date".
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Doc:
    id: str
    kind: str
    date: str | None
    name: str | None
    birth_date: str | None
    text: str


DOCS: tuple[Doc, ...] = (
    # ------------------------------------------------------------------ pathology
    Doc(
        "path-core-two-column-joined",
        "pathology_report",
        "2026-03-14",
        "FENWICK-ODUYA, MARISOL T",
        "1971-06-02",
        """\
ST. BRENDAN'S HEALTH SYSTEM
Department of Laboratory Medicine and Pathology
SURGICAL PATHOLOGY REPORT
PATIENT: FENWICK-ODUYA, MARISOL T Accession #: SP26-004417
DOB: 06/02/1971 (Age: 54) Collected: 03/14/2026 08:15
MRN: 4471902 Received: 03/14/2026 11:40
Sex: F Signed out: 03/17/2026 15:02
Requesting Physician: Tomasz Ilunga, MD Location: Breast Center
SPECIMEN SUBMITTED:
A. Right breast, 10 o'clock, 4 cm FN, US-guided core needle biopsy
CLINICAL HISTORY: 1.8 cm irregular mass, BI-RADS 5.
FINAL DIAGNOSIS:
A. Breast, right, 10:00, core biopsy:
 - Invasive lobular carcinoma, classic type, Nottingham grade 2 (3+2+1 = 6/9).
 - Lobular carcinoma in situ, classic type.
 - E-cadherin negative by immunohistochemistry, supporting lobular phenotype.
 - Lymphovascular invasion: not identified.
GROSS DESCRIPTION:
Received in formalin labeled "Fenwick-Oduya, Marisol" are five yellow-tan cores
of tissue, 0.8 to 1.7 cm. Cold ischemia time < 1 hour. Entirely submitted in A1.
Electronically signed out by Rosalind Achterberg, MD, Pathologist
Page 1 of 1
""",
    ),
    Doc(
        "path-uk-histopathology",
        "pathology_report",
        "2026-04-03",
        "ABERNETHY-QUAYLE, Fenella Rose",
        "1958-09-07",
        """\
Kingsmere Hospitals NHS Foundation Trust
Cellular Pathology Department
HISTOPATHOLOGY REPORT
Surname: ABERNETHY-QUAYLE   Forename(s): Fenella Rose
NHS Number: 943 476 5919   Hospital No: K1204588
Date of Birth: 07/09/1958   Sex: F
Consultant: Mr H. Okafor   Ward/Clinic: Breast Unit
Lab No: H26-12803
Date taken: 03/04/2026   Date received: 04/04/2026   Date authorised: 09/04/2026
Specimen: Left breast wide local excision and sentinel lymph node biopsy
Clinical details: Screen-detected 14 mm mass. ?IDC on core. WLE + SLNB.
Macroscopy:
Orientated wide local excision, 62 x 48 x 30 mm. Cut surface shows a firm
grey-white tumour 16 mm in maximum dimension, 4 mm from the deep margin.
Microscopy:
Invasive carcinoma of no special type, grade 2. Associated DCIS, intermediate grade.
Summary:
Left breast WLE: invasive carcinoma NST, grade 2, 16 mm, margins clear (closest 4 mm, deep).
SLN: 0/2 involved. ER 8/8, PR 6/8, HER2 1+ (negative). pT1c pN0(sn).
SNOMED: T04000 M85003
Reported by Dr P. Lindqvist-Amara, Consultant Histopathologist
""",
    ),
    Doc(
        "path-au-bone-marrow",
        "pathology_report",
        "2026-05-14",
        "Tuilagi, Sefo",
        "1964-11-23",
        """\
Southern Cross Pathology
Haematology Department
BONE MARROW REPORT
Name: Tuilagi, Sefo   UR Number: 3380241
DOB: 23/11/1964   Sex: M   Medicare No: 4961 73320 1
Requesting Dr: Dr Anneliese Vorster (Haematology, Ward 6B)
Lab Ref: 26-BM-0412   Collected: 14/05/2026 10:30   Reported: 19/05/2026
Clinical notes: Pancytopenia, IgG kappa paraprotein 38 g/L.
Aspirate: Particulate and cellular. Plasma cells 34% of nucleated cells, many atypical
with binucleate forms. Myeloid and erythroid maturation preserved.
Trephine: 22 mm core, 70% cellularity, interstitial and nodular infiltrate of CD138
positive plasma cells (approximately 40%), kappa light chain restricted.
Flow cytometry: CD38+ CD138+ CD19- CD56+ clonal plasma cells.
Conclusion: Marrow involved by plasma cell myeloma (approximately 40% plasma cells).
Haematopathologist: Dr Q. Ferreira-Lund
""",
    ),
    Doc(
        "path-flow-cytometry",
        "pathology_report",
        "2026-06-09",
        "Bartholomew Ngata",
        "1949-01-30",
        """\
CEDAR VALLEY UNIVERSITY HOSPITAL
Hematopathology Laboratory
FLOW CYTOMETRY IMMUNOPHENOTYPING REPORT
Pt Name Bartholomew Ngata
DOB 01/30/1949   MRN 8803152   Specimen: Peripheral blood
Date Collected 06/09/2026   Date Received 06/09/2026   Date Reported 06/11/2026
Ordering Provider: Yevgenia Sallow, MD
Clinical Indication: Lymphocytosis (ALC 18.2 x10^3/uL)
Interpretation:
Monotypic B-cell population (82% of lymphocytes) expressing CD5, CD19, CD20 (dim),
CD23 and dim surface kappa light chain; negative for CD10 and FMC7.
The immunophenotype is consistent with chronic lymphocytic leukemia / small
lymphocytic lymphoma. CD38 negative. ZAP-70 not performed.
Markers analyzed: CD2, CD3, CD4, CD5, CD7, CD8, CD10, CD11c, CD19, CD20, CD23,
CD25, CD38, CD45, CD56, CD103, FMC7, kappa, lambda.
Hematopathologist: Idris Montclair-Abiodun, MD
""",
    ),
    Doc(
        "path-cytology-fna",
        "pathology_report",
        "2026-02-19",
        "LINDQVIST, ORRIN B",
        "1980-08-12",
        """\
PINE HOLLOW MEDICAL CENTER
NON-GYN CYTOPATHOLOGY REPORT
Patient Name: LINDQVIST, ORRIN B            Case #: NC26-1188
Date of Birth: 08/12/1980                   Procedure Date: 02/19/2026
Source: Thyroid, right lobe nodule, ultrasound-guided FNA (3 passes)
Adequacy: Satisfactory for evaluation.
DIAGNOSIS:
Thyroid, right lobe, fine needle aspiration:
 - Malignant (Bethesda category VI).
 - Papillary thyroid carcinoma.
COMMENT: Smears show cohesive sheets of follicular cells with nuclear grooves,
intranuclear pseudoinclusions and powdery chromatin. Rapid on-site evaluation performed.
Cytotechnologist: R. Stavros, CT(ASCP)
Cytopathologist: Henrike Baptiste, MD      Final report 02/21/2026
""",
    ),
    Doc(
        "path-addendum-pdl1",
        "pathology_report",
        "2026-01-08",
        "Corvin A. Delacroix-Mbeki",
        "1955-04-17",
        """\
RIVERBEND PATHOLOGY ASSOCIATES
ADDENDUM REPORT
Name: Corvin A. Delacroix-Mbeki      Acc#: RS26-00311
DOB: 04/17/1955   MRN: 2290418
Date of Procedure: 01/08/2026
Addendum date: 01/20/2026
Original diagnosis: Lung, left lower lobe, CT-guided core biopsy: Adenocarcinoma,
acinar predominant.
ADDENDUM DIAGNOSIS:
PD-L1 immunohistochemistry (clone 22C3) on block A1:
 Tumor proportion score (TPS): 60% (high expression).
 Controls performed appropriately.
This addendum does not change the original diagnosis.
Addendum signed by Lucius Farquharson, MD
""",
    ),
    Doc(
        "path-canada-excision",
        "pathology_report",
        "2026-02-11",
        "Gagnon-Whitefeather, Elodie",
        "1968-12-03",
        """\
Lakeshore Health Sciences Centre - Anatomical Pathology
PATHOLOGY CONSULTATION REPORT
Patient: Gagnon-Whitefeather, Elodie    Health Card No: 4821-337-904-KT
Date of Birth: 1968-12-03     Sex: F
Date of Procedure: 2026-02-11   Date Received: 2026-02-11   Date Signed: 2026-02-16
Surgeon: Dr. Anand Petrosyan
Specimen: Right hemicolectomy
Final Diagnosis:
Right colon, hemicolectomy:
 - Adenocarcinoma, moderately differentiated, invading through the muscularis propria
   into pericolorectal tissue (pT3).
 - Margins negative for carcinoma. Lymph nodes: 2 of 19 involved (pN1b).
 - Mismatch repair proteins (MLH1, PMS2, MSH2, MSH6): intact expression.
Gross Description: Received fresh is a right hemicolectomy specimen, 28 cm long.
""",
    ),
    Doc(
        "path-her2-fish",
        "pathology_report",
        "2026-07-22",
        "OYELARAN, PRUDENCE K",
        "1977-03-09",
        """\
HALCYON BAY MEDICAL LABORATORY - CYTOGENETICS AND PATHOLOGY
HER2 FISH REPORT (Breast)
Patient: OYELARAN, PRUDENCE K    DOB: 03/09/1977    MRN: HB-661820
Specimen collected: 07/22/2026   Report date: 07/29/2026
Block tested: SP26-8812 A2 (invasive ductal carcinoma, left breast core biopsy)
Reason for testing: HER2 IHC equivocal (2+)
RESULT: HER2 NOT AMPLIFIED (ISH Group 5)
Average HER2 signals per cell: 3.1   Average CEP17 signals per cell: 2.2
HER2/CEP17 ratio: 1.41
Interpretation per ASCO/CAP 2023 guideline for HER2 testing in breast cancer.
Cells counted: 40 in two separate invasive tumour areas.
Pathologist: Seraphine Oduya-Hall, MD
""",
    ),
    # ------------------------------------------------------------------ labs
    Doc(
        "lab-commercial-columns-joined",
        "lab_result",
        "2026-03-14",
        "HOLLOWELL, DESMOND R",
        "1962-10-05",
        """\
Crestmark Diagnostics  |  Patient Report
Patient Information Specimen Information Client Information
HOLLOWELL, DESMOND R Specimen: CM4471120A Client #: 44103
DOB: 10/05/1962 AGE: 63 Collected: 03/14/2026 / 08:15 EDT MAPLEWOOD ONCOLOGY
Gender: M Received: 03/14/2026 / 14:02 EDT 12 ORCHARD ST
Phone: 555-010-4432 Reported: 03/15/2026 / 06:48 EDT
Patient ID: 9981402
Test Name In Range Out Of Range Reference Range Lab
CEA 7.9 H <=3.8 ng/mL CM
CBC (INCLUDES DIFF/PLT)
WHITE BLOOD CELL COUNT 5.8 3.8-10.8 Thousand/uL CM
RED BLOOD CELL COUNT 3.91 L 4.20-5.80 Million/uL CM
HEMOGLOBIN 12.1 L 13.2-17.1 g/dL CM
PLATELET COUNT 212 140-400 Thousand/uL CM
COMPREHENSIVE METABOLIC PANEL
GLUCOSE 98 65-99 mg/dL CM
CREATININE 1.02 0.70-1.33 mg/dL CM
ALT 24 9-46 U/L CM
Performing Site: CM Crestmark Diagnostics, 800 Foundry Rd, Tarrow, NJ
""",
    ),
    Doc(
        "lab-second-commercial",
        "lab_result",
        "2026-09-30",
        "Imogen P. Stradivarius-Lowe",
        "1959-02-14",
        """\
Meridian Reference Laboratories
Patient Name: Imogen P. Stradivarius-Lowe    Patient ID: 00311984
Date of Birth: 02/14/1959    Sex: Female
Account Number: 40981720    Ordering Physician: L. Haverford, MD
Date Collected: 09/30/2026    Date Received: 10/01/2026    Date Reported: 10/02/2026
Tests Ordered: CA 27.29; Lipid Panel; Hemoglobin A1c
TESTS                     RESULT    FLAG    UNITS     REFERENCE INTERVAL
CA 27.29                  52.4      High    U/mL      0.0-38.6
Cholesterol, Total        188               mg/dL     100-199
Triglycerides             142               mg/dL     0-149
HDL Cholesterol           51                mg/dL     >39
Hemoglobin A1c            5.9       High    %         4.8-5.6
Please note: Reference intervals are specific to this laboratory.
Final Report - page 1 of 1
""",
    ),
    Doc(
        "lab-uk-fbc-dayfirst",
        "lab_result",
        "2026-03-04",
        "Winterbourne, Cressida",
        "1966-08-01",
        """\
Ashdown Valley NHS Trust - Blood Sciences
Haematology & Biochemistry Results
Patient: Winterbourne, Cressida   NHS No: 612 448 9031
DOB: 01/08/1966   Hosp No: AV0098123   Location: Oncology Day Unit
Requested by: Dr S. Mbatha (Consultant Oncologist)
Sample taken: 04/03/2026 09:20   Received: 04/03/2026 10:05
Full Blood Count
Haemoglobin         118 g/L      (115 - 165)
White cell count    3.1 x10^9/L  (4.0 - 11.0)  L
Neutrophils         1.4 x10^9/L  (2.0 - 7.5)   L
Platelets           165 x10^9/L  (150 - 450)
Urea & Electrolytes
Sodium              139 mmol/L   (133 - 146)
Potassium           4.4 mmol/L   (3.5 - 5.3)
Creatinine          71 umol/L    (45 - 84)
eGFR                >90 mL/min/1.73m2
Authorised by: Biomedical Scientist J. Pereira   Printed: 05/03/2026
""",
    ),
    Doc(
        "lab-au-tumour-markers",
        "lab_result",
        "2026-03-13",
        "Nakamura-Kelly, Roderick",
        "1953-05-28",
        """\
Coral Coast Pathology Pty Ltd   ABN 12 345 678 901
CUMULATIVE REPORT - TUMOUR MARKERS
Patient: Nakamura-Kelly, Roderick   D.O.B: 28/05/1953   Sex: M
Address: 14 Banksia Cres, Yarrabee QLD 4870   Medicare: 2951 40812 3
Referring Doctor: Dr Priya Ramaswamy   Copy to: Dr G. Hollis
Lab No: 26-5581023   Collected: 13/03/2026 07:45   Reported: 13/03/2026 16:10
Test          13/03/26   12/12/25   10/09/25   Units    Ref Range
PSA            18.6 H     11.2 H      6.4 H    ug/L     <4.0
Free PSA        1.1        0.9        0.8      ug/L
Free/Total      6  L       8  L      13        %        >25
Comment: Rising PSA. Suggest urology review if not already arranged.
""",
    ),
    Doc(
        "lab-portal-result",
        "lab_result",
        "2026-08-07",
        "Aurelio Vantongeren",
        None,
        """\
MyHealthLink
Test Results
Aurelio Vantongeren
CBC With Differential
Collected on Aug 7, 2026 8:02 AM
Resulted on Aug 7, 2026 11:45 AM
Component        Your Value     Standard Range
WBC              2.9 (L)        4.0 - 10.5 K/uL
Hemoglobin       10.9 (L)       13.0 - 17.0 g/dL
Platelets        98 (L)         150 - 400 K/uL
ANC              1.2 (L)        1.8 - 7.7 K/uL
Ordered by: Beatrix Lomond, NP
Result comment: Counts reviewed before cycle 4; treatment delayed one week.
Printed on Aug 9, 2026 4:12 PM
""",
    ),
    Doc(
        "lab-canada-chemistry",
        "lab_result",
        "2026-10-15",
        "Desrosiers, Anatole",
        "1971-07-19",
        """\
Boreal Community Laboratories
LABORATORY REPORT
Patient Name: Desrosiers, Anatole        Health Number: 7730 114 992
Birth Date: 1971-07-19                   Sex: M
Collection Date/Time: 2026-10-15 07:55   Reported Date/Time: 2026-10-15 13:20
Ordering Practitioner: Dr. Mireille Thibodeaux
Test                      Result     Flag    Reference Range   Units
Calcium                   2.71       HI      2.15-2.60         mmol/L
Albumin                   36                 35-50             g/L
Alkaline Phosphatase      214        HI      40-129            U/L
LD                        388        HI      120-250           U/L
Lab Director: Dr. W. Yusupova
""",
    ),
    # ------------------------------------------------------------------ genomic
    Doc(
        "gen-cgp-reference-lab",
        "genomic_report",
        "2026-04-02",
        "Thaddeus O. Ferreira-Binns",
        "1960-02-29",
        """\
ARCLIGHT GENOMICS  |  ArcSeq ONE CDx
COMPREHENSIVE GENOMIC PROFILING REPORT
Patient Name  Thaddeus O. Ferreira-Binns      Report Date  04/20/2026
Date of Birth  02/29/1960                     Specimen Received  04/08/2026
Disease  Lung adenocarcinoma                   Specimen Collected  04/02/2026
Ordering Physician  Hye-jin Castellanos, MD    Specimen  Lung, FFPE block B2
GENOMIC FINDINGS
EGFR  L858R (c.2573T>G)  VAF 31.4%
TP53  R273H  VAF 28.9%
CDKN2A/B  loss
BIOMARKER FINDINGS
Tumor Mutational Burden  4 Muts/Mb
Microsatellite status  MS-Stable
THERAPIES WITH CLINICAL BENEFIT (IN PATIENT'S TUMOR TYPE): Osimertinib, Erlotinib
Genes assayed: 324 genes by hybrid-capture next-generation sequencing.
""",
    ),
    Doc(
        "gen-molecular-profile-caris-like",
        "genomic_report",
        "2026-05-18",
        "QUENNEVILLE, HARLAN J",
        "1957-10-11",
        """\
Solstice Molecular Sciences
Molecular Profile Report
PATIENT: QUENNEVILLE, HARLAN J Specimen ID: SMS-26-330912
DOB: 10/11/1957 Collected: 05/18/2026
Sex: Male Received: 05/21/2026
Diagnosis: Pancreatic adenocarcinoma Completed: 06/03/2026
Physician: Octavia Brandywine, MD Site: Liver, needle biopsy
Results with Therapy Associations
KRAS  G12D  Pathogenic  Variant frequency 22%
BRCA2  c.5946del (p.Ser1982fs)  Pathogenic  Variant frequency 47% (possibly germline;
consider genetic counseling)
MSI: Stable   TMB: Low (3 mutations/Mb)
Protein expression (IHC): PD-L1 (SP142) negative; MMR proteins intact.
Whole transcriptome sequencing: no fusions detected.
""",
    ),
    Doc(
        "gen-germline-hereditary",
        "genomic_report",
        "2026-06-24",
        "Marguerite Okonjo-Blackwood",
        "1984-03-15",
        """\
Helixgate Clinical Genetics
Hereditary Cancer Panel: Genetic Test Results
Patient Name:
Marguerite Okonjo-Blackwood
DOB: 03/15/1984   Sex: Female   Accession: HG-26-0091837
Specimen: Saliva   Collection Date: 06/24/2026   Report Date: 07/08/2026
Ordering clinician: Felicity Arrowsmith, MS, CGC
RESULT: POSITIVE - PATHOGENIC VARIANT IDENTIFIED
Gene    Variant                  Classification
PALB2   c.3113G>A (p.Trp1038*)   Pathogenic
CHEK2   c.1283C>T (p.Ser428Phe)  Variant of uncertain significance
Genes analyzed (36): APC, ATM, BARD1, BRCA1, BRCA2, BRIP1, CDH1, CHEK2, EPCAM, MLH1,
MSH2, MSH6, NBN, PALB2, PMS2, PTEN, RAD51C, RAD51D, STK11, TP53 ...
Germline testing by NGS and deletion/duplication analysis.
""",
    ),
    Doc(
        "gen-liquid-biopsy",
        "genomic_report",
        "2026-09-03",
        "Sunniva E. Halvorsen-Pike",
        "1969-12-24",
        """\
Tributary Dx - Liquid Biopsy
ctDNA Tumor Profiling Report
Patient: Sunniva E. Halvorsen-Pike   Date of Birth: 12/24/1969
Blood draw date: 09/03/2026   Received: 09/05/2026   Reported: 09/11/2026
Cancer type: Breast carcinoma (HR+/HER2-), metastatic
Alterations detected in cell-free DNA:
PIK3CA  H1047R   VAF 6.8%
ESR1    Y537S    VAF 2.1%
TP53    R175H    VAF 5.5%
Tumor fraction: 9%. Blood-based TMB: not evaluable.
Interpretation: ESR1 mutation associated with resistance to aromatase inhibitors.
""",
    ),
    # ------------------------------------------------------------------ imaging
    Doc(
        "img-mammo-birads",
        "imaging_report",
        "2026-03-14",
        "Rosamund Achebe-Sorensen",
        "1966-01-21",
        """\
WILLOW CREEK WOMEN'S IMAGING
Patient: Rosamund Achebe-Sorensen        MRN: WC00918233
DOB: 01/21/1966                          Exam Date/Time: 03/14/2026 08:15
Referring: Dr. Lionel Adeyemi            Accession: WCI260314-0082
EXAM: DIAGNOSTIC MAMMOGRAM BILATERAL WITH TOMOSYNTHESIS; US BREAST LEFT LIMITED
HISTORY: Palpable lump left breast, 2 o'clock.
COMPARISON: 02/09/2025 screening mammogram.
BREAST COMPOSITION: The breasts are heterogeneously dense (c), which may obscure small masses.
FINDINGS: At the site of the palpable marker in the left breast at 2 o'clock there is an
irregular spiculated mass measuring 1.9 cm. Targeted ultrasound shows a 1.8 x 1.5 x 1.6 cm
irregular hypoechoic mass with angular margins. No axillary adenopathy.
IMPRESSION: Highly suggestive of malignancy. Ultrasound-guided core biopsy recommended.
BI-RADS 5: Highly Suggestive of Malignancy.
Electronically signed by Wendeline Orr, MD on 03/14/2026 11:02
""",
    ),
    Doc(
        "img-pet-ct",
        "imaging_report",
        "2026-07-01",
        "MACALLISTER, TOBIAS E",
        "1952-09-30",
        """\
Highgate Nuclear Imaging Institute
PET/CT SKULL BASE TO MID-THIGH
Name: MACALLISTER, TOBIAS E   DOS: 07/01/2026   MRN: 55-201-883   DOB: 09/30/1952
Ordering: Celestine Varga, MD (Medical Oncology)
INDICATION: Diffuse large B-cell lymphoma, end of treatment restaging (Deauville).
TECHNIQUE: 11.2 mCi F-18 FDG IV. Fasting glucose 94 mg/dL. Uptake time 62 minutes.
Low-dose CT for attenuation correction and localization.
COMPARISON: PET/CT 03/18/2026.
FINDINGS:
Neck: Previously hypermetabolic cervical nodes have resolved, SUVmax 1.9 (previously 14.2).
Chest: No hypermetabolic mediastinal adenopathy. Mediastinal blood pool SUVmax 2.1.
Abdomen/Pelvis: Physiologic activity. Liver SUVmax 2.8.
IMPRESSION: Complete metabolic response (Deauville 2).
""",
    ),
    Doc(
        "img-mri-prostate",
        "imaging_report",
        "2026-04-27",
        "Okwuosa, Benedikt",
        "1958-06-06",
        """\
Granite State Radiology Partners
MRI PROSTATE WITHOUT AND WITH CONTRAST
Patient: Okwuosa, Benedikt   DOB: 06/06/1958   Date of exam: 04/27/2026
Clinical indication: PSA 9.8 ng/mL, prior negative TRUS biopsy.
Technique: Multiparametric MRI of the prostate at 3T: T2-weighted axial, sagittal
and coronal, diffusion-weighted imaging (b = 50, 800, 1400) and DCE after gadolinium.
Prostate volume: 52 mL. PSA density: 0.19 ng/mL/mL.
Findings:
Lesion 1: Left peripheral zone, mid gland, posterolateral, 1.4 cm, markedly hypointense on
ADC, focal early enhancement. PI-RADS 5. Abuts the capsule without definite extraprostatic
extension. Seminal vesicles normal. No pelvic adenopathy.
Impression:
1. PI-RADS 5 lesion left mid peripheral zone; targeted biopsy recommended.
Dictated by: Gwendolyn Szabo-Reyes, MD   Transcribed: 04/28/2026
""",
    ),
    Doc(
        "img-uk-ct-dayfirst",
        "imaging_report",
        "2026-06-05",
        "Penhaligon, Austin",
        "1961-02-10",
        """\
Thornfield General Hospital - Department of Radiology
Patient Name: Penhaligon, Austin    NHS Number: 485 777 3920
Date of Birth: 10/02/1961   Hospital Number: T0442190
Examination: CT Thorax, Abdomen and Pelvis with contrast
Date of Examination: 05/06/2026
Referrer: Dr A. Chaudhry, Colorectal MDT
Clinical History: Rectal adenocarcinoma on biopsy. Staging please.
Report:
Comparison: none.
There is circumferential mural thickening of the upper rectum over 6 cm. Two 5 mm
mesorectal lymph nodes. Liver: two hypodense lesions in segments 6 and 7 (largest
18 mm) in keeping with metastases. Lungs clear. No bony lesion.
Conclusion: Rectal tumour with probable liver metastases (2). MRI liver recommended.
Reported by Dr Ffion Marchetti, Consultant Radiologist, 06/06/2026
""",
    ),
    Doc(
        "img-au-breast-ultrasound",
        "imaging_report",
        "2026-08-18",
        "Talulah Brennan-Oakes",
        "1975-04-04",
        """\
Eucalypt Imaging Group
ULTRASOUND BOTH BREASTS
Patient: Mrs Talulah Brennan-Oakes   DOB: 04/04/1975   Exam date: 18/08/2026
Referred by: Dr Marcus Venn, Westbrook Medical Centre
Clinical notes: Lump right breast 9 o'clock, family history.
Findings:
Right breast 9 o'clock, 3 cm from the nipple: 12 x 9 x 8 mm oval, circumscribed,
parallel hypoechoic mass, no posterior features, no internal vascularity.
Left breast: normal. Axillae: normal lymph nodes.
Conclusion:
Probably benign right breast lesion, likely fibroadenoma. BI-RADS 3.
Short interval follow-up ultrasound in 6 months suggested.
Dr Hamish Oyelowo, Radiologist
""",
    ),
    # ------------------------------------------------------------------ notes
    Doc(
        "note-consult-letter-re",
        "clinical_note",
        "2026-03-12",
        "Wilhelmina Achterberg",
        "1960-02-01",
        """\
SEABROOK CANCER INSTITUTE
Division of Medical Oncology
1400 Lighthouse Way, Seabrook, ME

March 18, 2026

Dr. Harriet Quennell
Maplewood Family Practice

Re: Wilhelmina Achterberg (DOB 02/01/1960)
Date of consultation: March 12, 2026

Dear Dr. Quennell,

Thank you for referring Mrs. Achterberg, a 66-year-old woman with newly diagnosed
stage IIA (cT2 cN0) triple-negative invasive ductal carcinoma of the right breast.
She first noticed a lump in January. Core biopsy on 02/20/2026 showed grade 3 IDC,
ER 0%, PR 0%, HER2 0, Ki-67 80%.
On examination she is well, ECOG 0, with a 3 cm mobile mass at 10 o'clock.
Assessment and plan: We discussed neoadjuvant chemoimmunotherapy per KEYNOTE-522
(pembrolizumab with carboplatin/paclitaxel followed by AC). She wishes to proceed.
I will see her again on 03/26/2026 before cycle 1.

Yours sincerely,
Ignatius Forsythe-Obi, MD
cc: Dr. Leopold Strand, Breast Surgery
""",
    ),
    Doc(
        "note-uk-clinic-letter",
        "clinical_note",
        "2026-04-03",
        "Lachlan Featherstonehaugh",
        "1949-11-05",
        """\
Pennington Vale Hospitals NHS Trust
Oncology Outpatients
Dictated: 06/04/2026   Typed: 08/04/2026
Clinic date: 03/04/2026
Dr R. Abimbola, The Larches Surgery, Pennington

Dear Dr Abimbola

Re: Mr Lachlan Featherstonehaugh   DOB 05/11/1949
NHS No: 401 223 8877   Hosp No: PV229184
Diagnosis: Adenocarcinoma of the prostate, Gleason 4+4=8, T3a N0 M0
Current treatment: Degarelix, then radical radiotherapy planned

I reviewed Mr Featherstonehaugh in the oncology clinic today with his wife. He has
tolerated hormone therapy well apart from hot flushes. His PSA has fallen from 23 to 4.1.
Plan: Continue androgen deprivation; CT planning scan booked; 60 Gy in 20 fractions to
prostate and seminal vesicles. Review in 3 months with PSA.

Yours sincerely

Dr Imelda Rossiter-Nwosu
Consultant Clinical Oncologist
""",
    ),
    Doc(
        "note-after-visit-summary",
        "clinical_note",
        "2026-09-15",
        "Percival Q. Oyedepo",
        None,
        """\
AFTER VISIT SUMMARY
Percival Q. Oyedepo   MRN: 70118342
Visit date: 9/15/2026   Hematology/Oncology Clinic, Dr. Sabine Kowalczyk
Instructions from Dr. Kowalczyk
Your blood counts are recovering. Continue your current medicines.
Call the clinic for a temperature of 100.4 F or higher.
Today's Visit
You saw Sabine Kowalczyk, MD on Tuesday September 15, 2026.
Reason for visit: Follow-up (multiple myeloma)
Vitals: BP 128/76  Pulse 72  Temp 98.1 F  Weight 81.2 kg
What's Next
Lab appointment 10/06/2026 8:00 AM
Next appointment 10/13/2026 9:30 AM with Sabine Kowalczyk, MD
Your Medication List
lenalidomide 10 mg capsule: take 1 capsule by mouth daily on days 1-21
acyclovir 400 mg tablet: take 1 tablet by mouth twice daily
""",
    ),
    Doc(
        "note-progress-soap",
        "clinical_note",
        "2026-10-02",
        "ESPERANZA-LUND, CATALINA",
        "1973-07-07",
        """\
Bayview Medical Group - Hematology/Oncology
Patient: ESPERANZA-LUND, CATALINA    DOB: 07/07/1973    MRN: BV-3310972
Date of Service: 10/02/2026    Provider: Florian Adebayo-Marsh, MD
Encounter type: Office Visit (Established)
SUBJECTIVE: Here for cycle 5 day 1 of FOLFOX for stage III colon cancer. Grade 1
neuropathy in fingertips, cold-induced. No diarrhea. Appetite good.
OBJECTIVE: T 36.7 BP 118/70 HR 80. ECOG 1. Abdomen soft, port site clean.
Labs 10/01/2026: ANC 1.9, Plt 142, creatinine 0.8.
ASSESSMENT/PLAN:
1. Colon adenocarcinoma pT3N1bM0, adjuvant FOLFOX cycle 5 of 12: proceed, oxaliplatin
   dose reduced 20% for neuropathy.
2. Neuropathy: monitor; avoid cold.
RTC 2 weeks.
Electronically signed: Florian Adebayo-Marsh, MD 10/02/2026 17:44
""",
    ),
    Doc(
        "note-telehealth",
        "clinical_note",
        "2026-08-26",
        "Jun-seo Abernathy",
        "1990-05-19",
        """\
Telehealth Visit Note
Northgate Oncology Partners
Patient: Jun-seo Abernathy   Date of birth: May 19, 1990
Encounter Date: 08/26/2026   Visit type: Video visit (patient at home)
Consent: Patient verbally consented to a telehealth visit.
HPI: 36 year old with Hodgkin lymphoma, stage IIA, completed 4 cycles of ABVD.
Interim PET-CT showed complete metabolic response. Mild fatigue.
Review of Systems: Negative for fever, night sweats, weight loss.
Assessment and Plan: Continue AVD for 2 more cycles per RATHL approach. Labs before
next cycle. Follow up in 2 weeks.
Time spent: 25 minutes.
""",
    ),
    # ------------------------------------------------------------------ procedures
    Doc(
        "op-mastectomy",
        "operative_report",
        "2026-05-05",
        "DARROWBY, HENRIETTA V",
        "1963-03-28",
        """\
MERCY LAKES HOSPITAL
OPERATIVE REPORT
PATIENT: DARROWBY, HENRIETTA V MRN: ML-0092841
DOB: 03/28/1963 DATE OF PROCEDURE: 05/05/2026
SURGEON: Octavian Weatherby, MD ASSISTANT: K. Fenwick, PA-C
PREOPERATIVE DIAGNOSIS: Left breast invasive ductal carcinoma, cT2N1.
POSTOPERATIVE DIAGNOSIS: Same.
PROCEDURE: Left modified radical mastectomy.
ANESTHESIA: General endotracheal.
ESTIMATED BLOOD LOSS: 150 mL.
DRAINS: Two 15 Fr Blake drains.
SPECIMENS: Left breast and axillary contents, oriented, to pathology.
DESCRIPTION OF PROCEDURE: The patient was brought to the operating room and placed
supine. After induction of general anesthesia the left chest and axilla were prepped and
draped in the usual sterile fashion. A time-out was performed. An elliptical incision...
Sponge and needle counts were correct x2. The patient tolerated the procedure well.
Dictated 05/05/2026 14:10  Transcribed 05/06/2026 09:02
""",
    ),
    Doc(
        "op-colonoscopy",
        "operative_report",
        "2026-01-27",
        "Gallagher-Nakashima, Ignatius",
        "1968-04-12",
        """\
Fairhaven Endoscopy Center
Colonoscopy Report
Patient Name: Gallagher-Nakashima, Ignatius
Date of Birth: 04/12/1968      Gender: Male
Procedure Date: 01/27/2026     Account #: 5520914
Attending Participant: Mirela Castellano, MD
Indications: Iron deficiency anemia, positive FIT.
Medications: Monitored Anesthesia Care (propofol).
Procedure: After informed consent the colonoscope was introduced through the anus and
advanced to the cecum, identified by the appendiceal orifice and ileocecal valve. The
quality of the bowel preparation was good (Boston 8).
Findings:
- A 35 mm fungating, ulcerated, partially obstructing mass in the ascending colon.
  Biopsied with cold forceps. Tattooed distally with Spot.
- Two 4 mm sessile polyps in the sigmoid colon, removed with cold snare.
Impression: Ascending colon mass, likely malignant.
Recommendation: Await pathology. CT chest/abdomen/pelvis. Surgical referral.
""",
    ),
    Doc(
        "op-port-placement",
        "operative_report",
        "2026-02-04",
        "Sorensen-Achebe, Linnea",
        "1979-10-30",
        """\
Interventional Radiology - Procedure Note
Patient: Sorensen-Achebe, Linnea    MRN: 88104472    DOB: 10/30/1979
Date of Procedure: 02/04/2026
Procedure: Right internal jugular single-lumen chest port placement
Operator: Dr. Nikolai Berisha     Sedation: Moderate (midazolam 2 mg, fentanyl 100 mcg)
Indication: Chemotherapy access for breast cancer.
Description: Informed consent obtained. Time-out performed. The right neck and chest were
prepped and draped in sterile fashion. Under ultrasound guidance the right internal jugular
vein was accessed with a micropuncture needle. A subcutaneous pocket was created and the
port catheter tunneled; tip at the cavoatrial junction on fluoroscopy.
Estimated blood loss: minimal. Complications: none.
The patient tolerated the procedure well.
""",
    ),
    # ------------------------------------------------------------------ treatment
    Doc(
        "tx-radiation-summary",
        "treatment_plan",
        None,
        "Cornelius B. Aldana-Frost",
        "1950-08-08",
        """\
LAKEHEAD RADIATION ONCOLOGY
RADIATION ONCOLOGY TREATMENT SUMMARY
Patient: Cornelius B. Aldana-Frost   DOB: 08/08/1950   MRN: LRO-55213
Diagnosis: Non-small cell lung cancer, RUL, stage IIIA (cT2bN2M0)
Treatment start: 01/05/2026   Treatment end: 02/13/2026
Intent: Curative, concurrent weekly carboplatin/paclitaxel
Site           Technique   Energy   Dose/fraction   Fractions   Total dose
Lung RUL+mediastinum  VMAT    6 MV     2.0 Gy          30          60 Gy
Treatment tolerance: Grade 2 esophagitis, grade 1 fatigue. No treatment breaks.
Follow-up: CT chest in 6-8 weeks; consider durvalumab consolidation.
Radiation Oncologist: Dr. Ysolde Maratheftis
""",
    ),
    Doc(
        "tx-chemo-orders",
        "treatment_plan",
        "2026-03-14",
        "QUIGLEY-ADEBAYO, SIMEON",
        "1969-01-15",
        """\
Brightwater Infusion Center
CHEMOTHERAPY ORDERS - CYCLE 3 DAY 1
PATIENT: QUIGLEY-ADEBAYO, SIMEON Treatment date: 03/14/2026
DOB: 01/15/1969 Height: 178 cm Weight: 84.5 kg BSA: 2.03 m2
MRN: BW-0071133 Allergies: NKDA
Regimen: mFOLFIRINOX every 14 days   Diagnosis: Pancreatic adenocarcinoma, C25.0
Premedications: ondansetron 16 mg IV, dexamethasone 12 mg IV, 30 min before chemotherapy
Oxaliplatin 85 mg/m2 = 173 mg IV over 2 hours
Leucovorin 400 mg/m2 = 812 mg IV over 2 hours
Irinotecan 150 mg/m2 = 305 mg IV over 90 minutes
Fluorouracil 2400 mg/m2 = 4872 mg continuous infusion over 46 hours via pump
Hold parameters: ANC < 1500, platelets < 100,000.
Ordering provider: Anneliese Okoro, MD     Verified by pharmacist: T. Lindgren, PharmD
""",
    ),
    Doc(
        "tx-uk-sact-prescription",
        "treatment_plan",
        "2026-05-04",
        "Philippa Ravenscroft",
        "1982-06-13",
        """\
Harrowfield Cancer Centre - Systemic Anti-Cancer Therapy (SACT) Prescription
Patient: Ms Philippa Ravenscroft   NHS No: 722 918 0055   DOB: 13/06/1982
Consultant: Dr T. Nakagawa   Protocol: Breast - EC90 (epirubicin/cyclophosphamide)
Cycle: 2 of 4   Date of treatment: 04/05/2026   Cycle length: 21 days
Height 164 cm   Weight 61 kg   BSA 1.67 m2
Epirubicin 90 mg/m2 = 150 mg IV bolus
Cyclophosphamide 600 mg/m2 = 1000 mg IV infusion over 30 minutes
Antiemetics: aprepitant, ondansetron, dexamethasone as per protocol
Clinical checks: FBC, U&Es, LFTs within 72 h. Neutrophils >= 1.0, platelets >= 100.
Prescriber: Dr O. Fairbairn   Screened by pharmacist: 01/05/2026
""",
    ),
    # ------------------------------------------------------------------ medications
    Doc(
        "med-list-current",
        "medication_list",
        "2026-03-14",
        "Delacourt, Ambrose",
        "1948-09-21",
        """\
Harborview Primary & Oncology Care
Current Medication List as of 03/14/2026
Patient: Delacourt, Ambrose   DOB: 09/21/1948
Allergies: Penicillin (hives); Sulfa drugs (rash)
Medication                        Sig                                   Prescriber
Anastrozole 1 mg tablet           Take 1 tablet by mouth daily          Dr. R. Voss
Calcium carbonate-vitamin D3      1 tablet by mouth twice daily         Dr. R. Voss
Lisinopril 10 mg tablet           Take 1 tablet by mouth every morning  Dr. H. Imre
Atorvastatin 20 mg tablet         Take 1 tablet by mouth at bedtime     Dr. H. Imre
Ondansetron 4 mg ODT              Dissolve 1 tablet on tongue every 8 hours as needed
Please bring this list to every appointment.
""",
    ),
    Doc(
        "med-au-pharmacy-profile",
        "medication_list",
        "2026-06-20",
        "Fitzgerald-Tane, Moana",
        "1958-12-02",
        """\
Saltbush Pharmacy - Patient Medication Profile
Name: Fitzgerald-Tane, Moana   DOB: 02/12/1958
Address: 3/21 Wattle Rd, Kingsholme NSW 2560
Date printed: 20/06/2026
Regular medicines
Tamoxifen 20 mg tablets - ONE tablet daily
Metformin XR 1000 mg - TWO tablets with evening meal
Pantoprazole 40 mg - ONE tablet daily before breakfast
As required
Paracetamol 500 mg - TWO tablets four times a day when required for pain
Allergies / adverse reactions: Codeine (nausea)
""",
    ),
    # ------------------------------------------------------------------ discharge
    Doc(
        "ds-us-discharge",
        "discharge_summary",
        "2026-07-19",
        "Barnaby T. Ellingworth",
        "1956-03-03",
        """\
CASCADE VALLEY MEDICAL CENTER
DISCHARGE SUMMARY
Patient Name: Barnaby T. Ellingworth   MRN: CV4480192   DOB: 03/03/1956
Admit Date: 07/14/2026   Discharge Date: 07/19/2026   Length of stay: 5 days
Attending: Cordelia Mbatha, MD   PCP: Horace Finlay, MD
Admission Diagnosis: Neutropenic fever.
Discharge Diagnoses:
1. Febrile neutropenia after cycle 2 R-CHOP, resolved.
2. Diffuse large B-cell lymphoma.
Hospital Course: Admitted with T 38.9 C and ANC 0.2. Blood cultures grew no organisms.
Treated with cefepime for 5 days; counts recovered with filgrastim.
Discharge Medications: ciprofloxacin 500 mg by mouth twice daily for 3 days; continue
allopurinol 300 mg daily.
Condition at discharge: Stable. Disposition: Home.
Follow-up: Oncology clinic 07/23/2026.
""",
    ),
    Doc(
        "ds-uk-discharge-dayfirst",
        "discharge_summary",
        "2026-03-09",
        "Okonkwo-Reid, Tabitha",
        "1971-10-06",
        """\
Elmsworth University Hospitals NHS Trust
INPATIENT DISCHARGE SUMMARY
Surname: Okonkwo-Reid   Given names: Tabitha
NHS Number: 610 552 7741   DOB: 06/10/1971
Ward: Lister Ward (Oncology)   Consultant: Dr J. Vasquez-Hart
Date of admission: 04/03/2026   Date of discharge: 09/03/2026
GP: Dr M. Eilers, Church Lane Surgery
Presenting complaint: Shortness of breath, right pleural effusion.
Diagnosis: Malignant pleural effusion secondary to ovarian carcinoma.
Procedures: Ultrasound-guided right chest drain, talc pleurodesis 06/03/2026.
Clinical summary: Drain removed day 4. Breathing much improved on discharge.
Medications on discharge: Apixaban 5 mg twice daily; Paracetamol 1 g four times daily PRN.
Actions for GP: Please check FBC in 1 week.
""",
    ),
    # ------------------------------------------------------------------ summaries
    Doc(
        "sum-portal-health-summary",
        "patient_summary",
        "2026-10-20",
        "Evander Sigurdsson-Mbeki",
        "1965-05-05",
        """\
Health Summary
Evander Sigurdsson-Mbeki   DOB: 5/5/1965   MRN: 0094412
Generated on: October 20, 2026
Active Problems
Multiple myeloma, IgG kappa (diagnosed 04/2025)
Hypertension
Allergies
Iodinated contrast: hives
Current Medications
daratumumab SC every 4 weeks; lenalidomide 10 mg daily days 1-21
Immunizations
Influenza vaccine 10/02/2025; COVID-19 vaccine 09/15/2025; Shingrix 03/11/2025
Recent Encounters
09/30/2026 Office visit - Hematology
Care Team
Sabine Kowalczyk, MD (Hematology)
""",
    ),
    # ------------------------------------------------------------------ administrative
    Doc(
        "adm-eob",
        "administrative",
        "2026-03-02",
        "ROSEMARY Q ABERNATHY",
        None,
        """\
Pinnacle Blue Health Plan
EXPLANATION OF BENEFITS          THIS IS NOT A BILL
Statement date: 03/20/2026
Member: ROSEMARY Q ABERNATHY   Member ID: PBX449201877   Group #: 88120
Patient: ROSEMARY Q ABERNATHY
Claim number: 26079-44819-00
Provider: Seabrook Cancer Institute (in-network)
Date of service 03/02/2026
Service                       Amount billed   Plan discount   Plan paid   You owe
Chemotherapy administration   $1,840.00       $912.00         $742.40     $185.60
Pembrolizumab 200 mg          $11,320.00      $3,108.00       $6,569.60   $1,642.40
Your deductible met: $1,500.00 of $1,500.00   Coinsurance: 20%
""",
    ),
    Doc(
        "adm-uk-referral-2ww",
        "administrative",
        "2026-03-02",
        "Grainger, Oona",
        "1957-03-28",
        """\
Urgent Suspected Cancer Referral Form (2 Week Wait) - Lower GI
To: Colorectal Cancer Services, Brackenhurst NHS Foundation Trust
Referral date: 02/03/2026
Patient surname: Grainger   Forename: Oona
Name: Grainger, Oona   NHS Number: 777 201 4432   DOB: 28/03/1957
Address: 9 Mill Lane, Brackenhurst, BH4 2QT
Referring GP: Dr Ravi Pennycuick, Meadowside Practice
Referral criteria met:
[x] Aged 50 and over with unexplained rectal bleeding
[x] FIT result >= 10 micrograms haemoglobin/g faeces (FIT 87)
Patient informed this is an urgent suspected cancer referral: Yes
Patient available for appointment within 14 days: Yes
""",
    ),
    Doc(
        "adm-consent",
        "administrative",
        None,
        "Halloran, Ezekiel",
        "1961-07-14",
        """\
Stonebridge Regional Cancer Center
CONSENT FOR SYSTEMIC ANTICANCER THERAPY
Patient: Halloran, Ezekiel   DOB: 07/14/1961   MRN: SR-664120
Proposed treatment: Carboplatin and etoposide with atezolizumab, then atezolizumab
maintenance.
Purpose: To control extensive-stage small cell lung cancer.
Risks discussed: low blood counts, infection, nausea, fatigue, hair loss, immune-related
inflammation of the lungs, liver, bowel or glands, allergic reactions, and rarely death.
I have had the opportunity to ask questions. I consent to receive the treatment above.
Patient signature: ____________________   Date: 02/09/2026
Physician signature: __________________   Date: 02/09/2026
Interpreter used: No
""",
    ),
    Doc(
        "adm-prior-auth-denial",
        "administrative",
        "2026-04-22",
        "Perpetua Mwangi-Hollis",
        "1970-01-09",
        """\
Evergreen Mutual Insurance Company
Utilization Management Department
April 22, 2026
Perpetua Mwangi-Hollis
221 Cobble Hill Rd, Ashby, MA

PRIOR AUTHORIZATION DETERMINATION
Member name: Perpetua Mwangi-Hollis   Member ID: EMI-30049122   DOB: 01/09/1970
Authorization #: PA-2026-0041877
Requested service: PET/CT skull base to mid-thigh (CPT 78815)
Determination: NOT APPROVED. The request does not meet medical necessity criteria.
You or your doctor may appeal within 180 days. Approval is not a guarantee of payment.
""",
    ),
    # ------------------------------------------------------------------ other
    Doc(
        "other-education-radiation",
        "other",
        None,
        None,
        None,
        """\
Lakehead Radiation Oncology
PATIENT EDUCATION
Understanding Your Radiation Treatment
What is radiation therapy?
Radiation therapy uses high-energy x-rays to kill cancer cells. Most people have
treatment once a day, Monday to Friday, for several weeks (called fractions).
What to expect at your first visit
You will have a planning CT scan. Small tattoo dots help us line you up each day.
Side effects
Tiredness and skin redness in the treatment area are common. Use a gentle moisturiser.
Questions? Call the nurse line at (555) 010-2299.
Revised 01/2026
""",
    ),
    Doc(
        "other-brochure-chemo",
        "other",
        None,
        None,
        None,
        """\
Your Guide to Chemotherapy
A booklet for patients and families
This booklet explains what chemotherapy is, how it is given (by infusion or as tablets),
and how to manage common side effects such as nausea, fatigue and hair loss.
Drugs such as docetaxel, carboplatin or cyclophosphamide are given in cycles, usually every
21 days. Your team will check your blood counts before each cycle.
Frequently asked questions
Can I work during treatment? Many people do.
Can I drink alcohol? Ask your oncologist.
Keep this booklet and bring your questions to your next visit.
""",
    ),
    # ------------------------------------------------------------------ fax / OCR
    Doc(
        "fax-path-report",
        "pathology_report",
        "2026-03-09",
        "PRZYBYLSKI, HONORIA",
        "1965-09-17",
        """\
FAX FROM: ELMHURST PATH LAB 5550109912   03/15/2026 10:02   PAGE 2/5
TO: Dr Whitfield Oncology   FAX: 5550142277
ELMHURST PATHOLOGY LABORATORY
SURGICAL PATHOLOGY
Patient: PRZYBYLSKI, HONORIA   DOB: 09/17/1965   Case: E26-2231
Date of Surgery: 03/09/2026   Date Received: 03/10/2026   Final: 03/13/2026
Final Diagnosis:
Ovary, right, and fallopian tube, salpingo-oophorectomy:
 - High-grade serous carcinoma involving the ovarian surface and fallopian tube fimbria.
 - Lymphovascular invasion present.
Gross Description: Received in formalin, a 6.2 x 4.1 x 3.0 cm right ovary with
attached fallopian tube.
Pathologist: Adelheid Voorhees, MD
FAX FROM: ELMHURST PATH LAB 5550109912   03/15/2026 10:02   PAGE 3/5
""",
    ),
    Doc(
        "ocr-noisy-lab",
        "lab_result",
        "2026-02-17",
        "VOSKUIJLEN, TIBERIUS",
        "1954-11-08",
        """\
03/19/2026 14:22 FAX 5550187733  NORTHRIDGE ONC              @002/004
N0RTHRIDGE CLlNICAL LAB0RAT0RY
LAB0RAT0RY REP0RT
Patlent: VOSKUIJLEN, TIBERIUS   D0B: 11/08/1954
Collected: 02/17/2026 07:30   Reported: 02/17/2026 15:10
Test              Result   Flag  Reference Range   Units
Hemog1obin        9.8      L     13.5-17.5         g/dL
P1atelets         88       L     150-400           K/uL
Creatinine        1.9      H     0.7-1.3           mg/dL
Ca1cium           11.4     H     8.6-10.3          mg/dL
Tota1 Protein     9.9      H     6.0-8.3           g/dL
|||||||| ||| ||||| |||| ~~ %% ^^
""",
    ),
)

#: Documents also rendered to PDF in a two-column header layout (label/value pairs side by side).
PDF_SUBSET: tuple[str, ...] = (
    "path-uk-histopathology",
    "lab-second-commercial",
    "img-mammo-birads",
    "img-mri-prostate",
    "note-progress-soap",
    "op-colonoscopy",
    "ds-us-discharge",
    "med-list-current",
    "gen-germline-hereditary",
    "adm-prior-auth-denial",
)
