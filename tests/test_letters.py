"""A doctor's letter that also asks for records is a clinic letter; a bare request is not.

KINDS.md files a physician's letter about a patient as a ``clinical_note``, and a
letter asking for records as ``administrative``. A referral or consultation letter
often ends with "I request copies of ...": its history, examination, assessment and
plan still count toward the clinic-note item. A request that only lists "clinic
notes" (however many clinical words it lists) never does. Every person and place
here is invented.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from recordpack import load_manifest, scan_folder
from recordpack.checking import check
from recordpack.classify.letters import REQUEST_LETTER_EVIDENCE
from tests.records_folders import folder_of

AS_OF = dt.date(2026, 11, 30)

PROSE_REFERRAL = """Harbor Oncology Associates
14 Quay Street, Lakeholm

November 20, 2026

Dr. Ada Quimby
Lakeholm Cancer Clinic

Re: Odile Merriweather, DOB 04/12/1970, MRN LH-220931

Dear Dr. Quimby,

I saw Ms. Merriweather in clinic today and am referring her to you for a second
opinion. She is a 56-year-old woman who noticed a lump in the left breast in
September. Mammography showed a 2.1 cm spiculated mass, and core biopsy at Fenwick
Hospital on 10/20/2026 showed invasive ductal carcinoma, grade 2.

On examination she was well, with a 2 cm firm mass at 2 o'clock in the left breast
and no axillary adenopathy.

My assessment is clinical stage IIA hormone receptor positive breast cancer. My plan
is breast-conserving surgery with sentinel node biopsy, and I would value your view
on neoadjuvant endocrine therapy.

I request copies of the following once you have seen her: your consultation note
and any results.

Yours sincerely,

Tobias Wrenfield, MD
Medical Oncology
"""

UK_CLINIC_LETTER = """Department of Oncology, Kestrel Bay Hospital

Dr P Fairweather
Kestrel Bay Surgery

12 November 2026

Dear Dr Fairweather

Re: Ottilie Quillfeather  DOB 27/10/1971  NHS No 943 476 5919

Diagnosis: Carcinoma of the left lung, adenocarcinoma, T2a N1 M0
Plan: PET-CT, then discussion at the lung MDT

I reviewed Mrs Quillfeather in the lung clinic today. She presented with a three
month history of cough and one episode of haemoptysis. On examination her chest was
clear and there was no lymphadenopathy.

I would be grateful for her spirometry results. I request copies of the following
from her previous hospital: any clinic letters and chest X-ray reports.

Yours sincerely

Dr R Lindqvist
Consultant Medical Oncologist
"""

HEADED_CONSULTATION = """LAKEHOLM CANCER CLINIC
Odile Merriweather   DOB: 04/12/1970

November 21, 2026

Dear Dr. Wrenfield,

Thank you for referring Ms. Merriweather for a second opinion.

History: 56-year-old woman with a left breast mass, biopsy-proven invasive ductal
carcinoma, grade 2, ER/PR positive, HER2 negative.
Examination: 2 cm mass left breast at 2 o'clock, no adenopathy.
Impression: cT2 N0 hormone receptor positive breast cancer.
Recommendations: Upfront breast-conserving surgery; Oncotype DX on the specimen.

I hereby request copies of the following from your office:

- her mammogram images on a disc

Sincerely,
Ada Quimby, MD
"""

DOCTORS_BARE_REQUEST = """Harbor Oncology Associates
14 Quay Street, Lakeholm

November 20, 2026

Medical Records Department
Fenwick Hospital

Re: Odile Merriweather, DOB 04/12/1970

Dear Colleagues,

My patient, Ms. Merriweather, has been referred to me for a second opinion on her
breast cancer. With her signed authorization enclosed, I request copies of the
following:

- clinic notes and consultation notes from 2026: history, examination, assessment
  and plan
- the surgical pathology report of her left breast biopsy

Please send them to the address above.

Yours sincerely,

Tobias Wrenfield, MD
"""

PATIENTS_LISTED_REQUEST = """Odile Merriweather
3 Gull Row, Lakeholm

November 2, 2026

Lakeholm Cancer Clinic, Health Information Management

Dear Sir or Madam,

I request copies of the following from my medical record:

History and physical: 10/2026
Examination findings: all visits
Assessment and plan: every note from 2026
Plan of care: as above

Sincerely,
Odile Merriweather
"""

PATIENTS_OWN_STORY = """Odile Merriweather
3 Gull Row, Lakeholm

November 2, 2026

Dear Dr. Quimby,

I am a 56-year-old woman and I was diagnosed with stage II breast cancer in October.
On examination at Fenwick Hospital a 2 cm mass was found. The plan is surgery in
January, and I would like a second opinion first.

I am writing to request a copy of my medical records, including my clinic notes.

Sincerely,
Odile Merriweather
"""

CLINICAL_LETTERS = {
    "prose referral letter": PROSE_REFERRAL,
    "UK clinic letter with diagnosis and plan lines": UK_CLINIC_LETTER,
    "consultation letter with labelled parts": HEADED_CONSULTATION,
}
BARE_REQUESTS = {
    "a doctor's request listing clinic notes": DOCTORS_BARE_REQUEST,
    "a patient's request listing a note's parts": PATIENTS_LISTED_REQUEST,
    "a patient's own story, then a request": PATIENTS_OWN_STORY,
}


def clinic_notes(folder: Path) -> tuple[str, list[str]]:
    """The general checklist's clinic-note item: its status and the files that meet it."""
    report = check(scan_folder(folder), load_manifest("general"), as_of=AS_OF)
    (result,) = [r for r in report.results if r.requirement.id == "clinic_notes"]
    return result.status, result.files


@pytest.mark.parametrize("case", sorted(CLINICAL_LETTERS))
def test_a_doctors_letter_that_also_asks_for_copies_is_a_clinic_letter(
    tmp_path: Path, case: str
) -> None:
    folder = folder_of(tmp_path, {"letter.txt": CLINICAL_LETTERS[case]})
    (record,) = scan_folder(folder).records
    assert record.kind == "clinical_note"
    assert REQUEST_LETTER_EVIDENCE not in record.evidence
    assert any("a doctor's letter about the patient" in e for e in record.evidence)
    assert record.confidence >= 0.5
    assert clinic_notes(folder) == ("met", ["letter.txt"])


@pytest.mark.parametrize("case", sorted(BARE_REQUESTS))
def test_a_bare_request_that_names_a_notes_parts_is_no_clinic_note(
    tmp_path: Path, case: str
) -> None:
    folder = folder_of(tmp_path, {"letter.txt": BARE_REQUESTS[case]})
    (record,) = scan_folder(folder).records
    assert record.kind == "administrative"
    assert REQUEST_LETTER_EVIDENCE in record.evidence
    assert clinic_notes(folder) == ("missing", [])


def test_a_clinic_letter_says_which_parts_it_tells(tmp_path: Path) -> None:
    folder = folder_of(tmp_path, {"letter.txt": UK_CLINIC_LETTER})
    (record,) = scan_folder(folder).records
    assert (record.title, record.date) == ("Clinic letter", "2026-11-12")
    assert (
        "a doctor's letter about the patient, not only a request for records: it tells "
        "the patient's history, examination, assessment and plan"
    ) in record.evidence
