"""HL7 v2 scanner: the public sample messages and invented ones."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from recordpack.model import UNREADABLE, Problem
from recordpack.scan import hl7v2
from recordpack.scan.base import Document, Source
from tests.prerequisites import missing

# Labels we disagree with, each with the reason. The kind the message itself states wins.
OVERRIDES = {
    # TXA-2 "DI" is HL7 table 0270's "Diagnostic imaging" and OBR-4 is a
    # transthoracic echo: the sender says this document is an imaging report.
    "hl7v2/ms-fhir-converter/MDM-T02-01.hl7": "imaging_report",
    # TXA-2 "DS" is table 0270's "Discharge summary"; the OBX text is filler.
    "hl7v2/ms-fhir-converter/MDM-T02-03.hl7": "discharge_summary",
}


def _labels(corpus: Path) -> list[tuple[str, str]]:
    with (corpus / "labels.csv").open(newline="") as f:
        return [(r["path"], r["kind"]) for r in csv.DictReader(f) if r["path"].startswith("hl7v2/")]


def _scan_bytes(data: bytes, name: str = "message.hl7") -> list[object]:
    source = Source.from_bytes(name, data)
    assert hl7v2.sniff(source)
    return list(hl7v2.scan(source))


def _one_document(data: bytes) -> Document:
    outcomes = _scan_bytes(data)
    documents = [o for o in outcomes if isinstance(o, Document)]
    assert len(documents) == 1, outcomes
    return documents[0]


def _corpus_kind(corpus: Path, path: str) -> str | None:
    source = Source.from_bytes(path, (corpus / path).read_bytes())
    if not hl7v2.sniff(source):
        return None
    documents = [o for o in hl7v2.scan(source) if isinstance(o, Document)]
    return documents[0].kind if documents else None


CORPUS_FILES = [
    "ADT-A01-01.hl7", "LAB-ORU-1.hl7", "LAB-ORU-2.hl7", "LRI_2.0-NG_CBC_Typ_Message.hl7",
    "MDM-T01-01.hl7", "MDM-T02-01.hl7", "MDM-T02-03.hl7", "ORM-O01-01.hl7", "ORU-R01-01.hl7",
    "ORU-R01-RMGEAD.hl7", "RDE-O11-01.hl7",
]


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_corpus_message_kind(corpus: Path, name: str) -> None:
    path = f"hl7v2/ms-fhir-converter/{name}"
    labels = dict(_labels(corpus))
    if path not in labels:
        missing(f"{path} is not in labels.csv")
    assert _corpus_kind(corpus, path) == OVERRIDES.get(path, labels[path])


def test_corpus_accuracy_at_least_90_percent(corpus: Path) -> None:
    labels = _labels(corpus)
    assert labels
    hits = sum(_corpus_kind(corpus, p) == OVERRIDES.get(p, k) for p, k in labels)
    assert hits / len(labels) >= 0.9


def test_corpus_patients_never_show_an_ssn(corpus: Path) -> None:
    # ORU-R01-RMGEAD carries 555-44-4444 in PID-3 with no type; ADT-A01 a typed SS.
    for path, _kind in _labels(corpus):
        for outcome in hl7v2.scan(Source.from_bytes(path, (corpus / path).read_bytes())):
            if isinstance(outcome, Document):
                assert outcome.patient.id not in ("555-44-4444", "123456789")


ORU = (
    "MSH|^~\\&|LAB|NORTHFIELD LAB|EHR|CLINIC|20240305101500-0500||ORU^R01^ORU_R01|A1|P|2.5.1\n"
    "PID|1||SSA-ish^^^USSSA^SS~778812^^^NORTHFIELD^MR~X99^^^OTHER^PI||Testperson^Ada^B||19700214|F\n"
    "OBR|1|P1|F1|24362-6^Renal function panel^LN|||20240304083000-0500\n"
    "OBX|1|NM|2160-0^Creatinine^LN||0.9|mg/dL|0.6-1.1|N|||F\n"
    "OBX|2|NM|3094-0^Urea nitrogen^LN||14|mg/dL|7-20|N|||F\n"
)


def test_oru_with_bom_and_lf_is_a_lab_result_with_patient_and_date() -> None:
    document = _one_document(b"\xef\xbb\xbf" + ORU.encode())
    assert document.kind == "lab_result"
    assert document.title == "Renal function panel"
    assert document.date == "2024-03-04"  # OBR-7 (collection), not the message time
    assert document.patient.name == "Testperson, Ada B"
    assert document.patient.birth_date == "1970-02-14"
    assert document.patient.id == "778812"  # the MR identifier, never the SS one
    assert "Creatinine" in document.text


def test_cr_and_crlf_separators_read_the_same() -> None:
    lf = _one_document(ORU.encode())
    for separator in ("\r", "\r\n"):
        other = _one_document(ORU.replace("\n", separator).encode())
        assert (other.kind, other.date, other.patient) == (lf.kind, lf.date, lf.patient)


PATHOLOGY_ORU = (
    "MSH|^~\\&|APLIS|RIVERBEND PATH|EHR|CLINIC|20240412150000||ORU^R01|P7|P|2.5\r"
    "PID|1||PX-4410^^^RIVERBEND^MR||Quillfeather^Noor||19650903|F\r"
    "OBR|1|S24-0193|S24-0193|88305^Tissue exam^CPT|||20240410\r"
    "OBX|1|TX|22634-0^Gross^LN||SURGICAL PATHOLOGY REPORT||||||F\r"
    "OBX|2|TX|22637-3^Diagnosis^LN||FINAL DIAGNOSIS: Left breast, core biopsy: invasive ductal "
    "carcinoma, grade 2.||||||F\r"
)


def test_pathology_oru_is_a_pathology_report() -> None:
    document = _one_document(PATHOLOGY_ORU.encode())
    assert document.kind == "pathology_report"
    assert document.date == "2024-04-10"
    assert "invasive ductal carcinoma" in document.text


RADIOLOGY_ORU = (
    "MSH|^~\\&|RIS|LAKESIDE IMAGING|EHR|CLINIC|20240501120000||ORU^R01|R2|P|2.3\n"
    "PID|1||R-5521^^^LAKESIDE^MR||Brightwater^Oskar||19581111|M\n"
    "OBR|1|A|B|71260^CT CHEST W CONTRAST^C4|||20240430|||||||||||||||||RAD\n"
    "OBX|1|TX|71260^CT CHEST^C4||FINDINGS: 8 mm nodule in the right upper lobe.||||||F\n"
    "OBX|2|TX|71260^CT CHEST^C4||IMPRESSION: Indeterminate nodule; follow-up CT advised.||||||F\n"
)


def test_radiology_oru_is_an_imaging_report() -> None:
    document = _one_document(RADIOLOGY_ORU.encode())
    assert document.kind == "imaging_report"
    assert any("RAD" in e for e in document.evidence)
    assert document.patient.name == "Brightwater, Oskar"


def test_mdm_document_type_decides_the_kind() -> None:
    mdm = (
        "MSH|^~\\&|DOC|HOSP|EHR|CLINIC|20240601||MDM^T02|M1|P|2.5\n"
        "PID|1||M-1^^^HOSP^MR||Testperson^Ada||19700214|F\n"
        "TXA|1|OP|TX|20240530\n"
        "OBX|1|TX|||Procedure: right hemicolectomy. Estimated blood loss 50 mL.||||||F\n"
    )
    document = _one_document(mdm.encode())
    assert document.kind == "operative_report"
    assert document.date == "2024-05-30"


def test_batch_of_different_kinds_gives_one_record_per_message() -> None:
    batch = "FHS|^~\\&|LAB\nBHS|^~\\&|LAB\n" + ORU + RADIOLOGY_ORU + "BTS|2\nFTS|1\n"
    documents = [o for o in _scan_bytes(batch.encode()) if isinstance(o, Document)]
    assert [(d.kind, d.part) for d in documents] == [
        ("lab_result", "message 1"), ("imaging_report", "message 2")]


def test_batch_of_one_kind_for_one_patient_is_one_record() -> None:
    second = ORU.replace("20240304083000", "20240311090000")
    document = _one_document((ORU + second).encode())
    assert document.date == "2024-03-11"  # the latest results
    assert document.part is None


@pytest.mark.parametrize(("data", "words"), [
    (b"MSH|\n", "too short"),
    (b"MSHa^~\\&|X|Y\nPID|1\n", "separator"),
    (b"MSH|^~\\&|LAB|X|Y|Z|2024\nPID|1||1\n", "message type"),
])
def test_damaged_messages_are_unreadable_problems(data: bytes, words: str) -> None:
    outcomes = hl7v2.scan(Source.from_bytes("bad.hl7", data))
    assert len(outcomes) == 1
    problem = outcomes[0]
    assert isinstance(problem, Problem)
    assert problem.code == UNREADABLE
    assert problem.path == "bad.hl7"
    assert words in problem.message
    assert problem.hint


@pytest.mark.parametrize("data", [b"MSG|hello", b"Dear doctor, MSH levels", b"%PDF-1.7", b""])
def test_sniff_rejects_what_is_not_hl7(data: bytes) -> None:
    assert not hl7v2.sniff(Source.from_bytes("x.txt", data))
