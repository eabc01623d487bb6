"""FHIR scanner: the public sample resources, invented Bundles, NDJSON and damaged JSON."""

from __future__ import annotations

import base64
import csv
import json
from pathlib import Path
from typing import Any

import pytest

from recordpack.model import UNREADABLE, UNSUPPORTED, Problem
from recordpack.scan import fhir
from recordpack.scan.base import Document, Source

# Labels we disagree with, each with the reason.
OVERRIDES = {
    # LOINC 22637-3 is "Pathology report final diagnosis" and the report's results
    # are tumor invasion, margins, sentinel nodes, grade and ER/PR/HER2: a breast
    # surgical pathology report in structured form. "LAB" is the US Core category
    # every laboratory-performed report carries, pathology included.
    "fhir/mcode-4.0.0/DiagnosticReport-us-core-diagnosticreport-lab-jenny-m.json":
        "pathology_report",
}


def _labels(corpus: Path) -> list[tuple[str, str]]:
    with (corpus / "labels.csv").open(newline="") as f:
        return [(r["path"], r["kind"]) for r in csv.DictReader(f) if r["path"].startswith("fhir/")]


def _corpus_kind(corpus: Path, path: str) -> str | None:
    source = Source.from_bytes(path, (corpus / path).read_bytes())
    if not fhir.sniff(source):
        return None
    documents = [o for o in fhir.scan(source) if isinstance(o, Document)]
    return documents[0].kind if documents else None


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "labelled" in metafunc.fixturenames:
        from tests.prerequisites import CORPUS

        if not CORPUS.is_dir():  # the corpus fixture skips (fails under CI) saying why
            metafunc.parametrize("labelled", [("", "")], ids=["corpus-absent"])
            return
        rows = _labels(CORPUS)
        metafunc.parametrize("labelled", rows, ids=[Path(p).name for p, _k in rows])


def test_corpus_resource_kind(corpus: Path, labelled: tuple[str, str]) -> None:
    path, kind = labelled
    assert _corpus_kind(corpus, path) == OVERRIDES.get(path, kind)


def test_corpus_accuracy_at_least_90_percent(corpus: Path) -> None:
    labels = _labels(corpus)
    assert len(labels) >= 30
    hits = sum(_corpus_kind(corpus, p) == OVERRIDES.get(p, k) for p, k in labels)
    assert hits / len(labels) >= 0.9


def test_corpus_patient_bundle_names_the_patient(corpus: Path) -> None:
    path = "fhir/mcode-4.0.0/Bundle-mcode-patient-bundle-jenny-m.json"
    (document,) = fhir.scan(Source.from_bytes(path, (corpus / path).read_bytes()))
    assert isinstance(document, Document)
    assert document.patient.birth_date == "1965-01-01"
    assert document.patient.id == "MRN1234"


def _source(resource: Any, name: str = "export.json") -> Source:
    return Source.from_bytes(name, json.dumps(resource, indent=2).encode())


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


PATIENT = {
    "resourceType": "Patient", "id": "p1",
    "identifier": [
        {"system": "http://hl7.org/fhir/sid/us-ssn", "value": "987-65-4321"},
        {"type": {"coding": [{"code": "MR"}]}, "system": "urn:example:mrn", "value": "RB-20931"},
    ],
    "name": [{"use": "official", "family": "Marchetti", "given": ["Livia", "Rose"]}],
    "birthDate": "1958-12-01",
}
PATHOLOGY = {
    "resourceType": "DiagnosticReport", "id": "path1", "status": "final",
    "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0074",
                              "code": "PAT"}]}],
    "code": {"text": "Surgical pathology"},
    "subject": {"reference": "Patient/p1"},
    "effectiveDateTime": "2024-02-20T09:15:00-05:00",
    "conclusion": "Right colon, hemicolectomy: adenocarcinoma, margins negative.",
}
CONSULT = {
    "resourceType": "DocumentReference", "id": "note1", "status": "current",
    "type": {"coding": [{"system": "http://loinc.org", "code": "11488-4"}]},
    "subject": {"reference": "Patient/p1"}, "date": "2024-03-01",
    "content": [{"attachment": {"contentType": "text/plain",
                                "data": _b64("Oncology consultation. ASSESSMENT AND PLAN: "
                                             "adjuvant FOLFOX discussed.")}}],
}


def test_bundle_with_a_report_and_a_note_gives_one_record_each() -> None:
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [
        {"fullUrl": "urn:uuid:1", "resource": PATIENT},
        {"fullUrl": "urn:uuid:2", "resource": PATHOLOGY},
        {"fullUrl": "urn:uuid:3", "resource": CONSULT},
    ]}
    source = _source(bundle)
    assert fhir.sniff(source)
    documents = fhir.scan(source)
    assert all(isinstance(d, Document) for d in documents)
    by_part = {d.part: d for d in documents if isinstance(d, Document)}
    assert set(by_part) == {"DiagnosticReport/path1", "DocumentReference/note1"}
    report, note = by_part["DiagnosticReport/path1"], by_part["DocumentReference/note1"]
    assert (report.kind, report.date) == ("pathology_report", "2024-02-20")
    assert "adenocarcinoma" in report.text
    assert (note.kind, note.date) == ("clinical_note", "2024-03-01")
    assert "FOLFOX" in note.text  # the attachment was decoded
    for document in (report, note):
        assert document.patient.name == "Marchetti, Livia Rose"
        assert document.patient.birth_date == "1958-12-01"
        assert document.patient.id == "RB-20931"  # the MR identifier, never the SSN


def test_report_with_contained_patient_and_display_only_subject() -> None:
    contained = dict(PATHOLOGY, contained=[dict(PATIENT, id="pt")],
                     subject={"reference": "#pt"})
    (document,) = fhir.scan(_source(contained))
    assert isinstance(document, Document)
    assert document.patient.name == "Marchetti, Livia Rose"
    display_only = dict(PATHOLOGY, subject={"display": "Livia Marchetti"})
    (document,) = fhir.scan(_source(display_only))
    assert isinstance(document, Document)
    assert document.patient.name == "Livia Marchetti"


def test_document_reference_by_url_only_is_other_and_says_where() -> None:
    by_url = dict(CONSULT, content=[{"attachment": {
        "contentType": "application/pdf", "url": "https://portal.example/Binary/9"}}])
    (document,) = fhir.scan(_source(by_url))
    assert isinstance(document, Document)
    assert document.kind == "other"
    assert any("https://portal.example/Binary/9" in e for e in document.evidence)


def test_loose_lab_observations_are_one_lab_result() -> None:
    observations = [{
        "resourceType": "Observation", "id": f"o{i}", "status": "final",
        "category": [{"coding": [{"code": "laboratory"}]}],
        "code": {"text": name}, "effectiveDateTime": day,
        "valueQuantity": {"value": value, "unit": "ng/mL"},
    } for i, (name, day, value) in enumerate(
        [("CEA", "2024-01-05", 2.1), ("CEA", "2024-04-05", 4.8), ("CA 19-9", "2024-04-05", 31)])]
    bundle = {"resourceType": "Bundle", "type": "searchset",
              "entry": [{"resource": o} for o in observations]}
    (document,) = fhir.scan(_source(bundle))
    assert isinstance(document, Document)
    assert (document.kind, document.date) == ("lab_result", "2024-04-05")
    assert "CA 19-9" in document.text


def test_ndjson_is_read_line_by_line_and_bad_lines_are_reported() -> None:
    lines = [json.dumps(dict(CONSULT, id=f"n{i}", date=f"2024-0{i}-10")) for i in range(1, 5)]
    lines.insert(2, '{"resourceType": "DocumentReference", "id": ')  # cut short
    source = Source.from_bytes("DocumentReference.000.ndjson", "\n".join(lines).encode())
    assert fhir.sniff(source)
    outcomes = fhir.scan(source)
    documents = [o for o in outcomes if isinstance(o, Document)]
    problems = [o for o in outcomes if isinstance(o, Problem)]
    assert [(d.kind, d.date) for d in documents] == [("clinical_note", "2024-04-10")]
    assert [p.code for p in problems] == [UNREADABLE]
    assert "line 3" in problems[0].message


def test_json_with_bom_and_leading_whitespace_is_sniffed() -> None:
    data = b"\xef\xbb\xbf\n  " + json.dumps(PATHOLOGY).encode()
    source = Source.from_bytes("report.json", data)
    assert fhir.sniff(source)
    (document,) = fhir.scan(source)
    assert isinstance(document, Document)
    assert document.kind == "pathology_report"


def test_damaged_json_is_an_unreadable_problem_with_a_hint() -> None:
    data = json.dumps(PATHOLOGY, indent=2).encode()[:-40]
    outcomes = fhir.scan(Source.from_bytes("cut.json", data))
    assert len(outcomes) == 1
    problem = outcomes[0]
    assert isinstance(problem, Problem)
    assert (problem.path, problem.code) == ("cut.json", UNREADABLE)
    assert "line" in problem.message
    assert problem.hint


def test_json_that_is_not_fhir_is_unsupported() -> None:
    outcomes = fhir.scan(Source.from_bytes("x.json", b'{"resourceType": 7, "a": 1}'))
    assert [getattr(o, "code", None) for o in outcomes] == [UNSUPPORTED]


@pytest.mark.parametrize("data", [b"resourceType", b""])
def test_sniff_rejects_what_is_not_fhir(data: bytes) -> None:
    assert not fhir.sniff(Source.from_bytes("x.json", data))


@pytest.mark.parametrize(
    ("data", "code", "words"),
    [
        (b"[1, 2]", UNSUPPORTED, "not FHIR"),
        (b"[" * 200_000, UNREADABLE, "nested far more deeply"),
    ],
)
def test_a_json_array_is_told_what_it_is_not(data: bytes, code: str, words: str) -> None:
    """Not "recordpack cannot read '.json' files": an array is JSON, and not FHIR."""
    source = Source.from_bytes("x.json", data)
    assert fhir.sniff(source)
    [problem] = fhir.scan(source)
    assert isinstance(problem, Problem)
    assert problem.code == code and words in problem.message
    assert not fhir.sniff(Source.from_bytes("x.txt", data))


def test_a_json_object_that_is_not_fhir_is_told_so() -> None:
    """Not "recordpack cannot read .json files": it reads FHIR JSON, and says this one is not."""
    source = Source.from_bytes("x.json", b'{"name": "not fhir"}')
    assert fhir.sniff(source)
    [problem] = fhir.scan(source)
    assert isinstance(problem, Problem)
    assert problem.code == UNSUPPORTED
    assert "not FHIR" in problem.message
    assert not fhir.sniff(Source.from_bytes("x.txt", b'{"name": "not fhir"}'))
