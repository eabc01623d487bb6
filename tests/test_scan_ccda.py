"""C-CDA scanner: the public sample documents, invented documents, and unsafe XML."""

from __future__ import annotations

import base64
import csv
import socket
from pathlib import Path

import pytest

from recordpack.model import UNREADABLE, UNSUPPORTED, Problem
from recordpack.scan import ccda
from recordpack.scan.base import Document, Source


def _labels(corpus: Path) -> list[tuple[str, str]]:
    # The PDFs beside the C-CDA files are the PDF scanner's; the XML ones are ours.
    with (corpus / "labels.csv").open(newline="") as f:
        return [(r["path"], r["kind"]) for r in csv.DictReader(f)
                if r["path"].startswith("ccda/") and not r["path"].lower().endswith(".pdf")]


def _corpus_kind(corpus: Path, path: str) -> str | None:
    source = Source.from_bytes(path, (corpus / path).read_bytes())
    if not ccda.sniff(source):
        return None
    documents = [o for o in ccda.scan(source) if isinstance(o, Document)]
    return documents[0].kind if documents else None


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "labelled" in metafunc.fixturenames:
        from tests.prerequisites import CORPUS

        if not CORPUS.is_dir():  # the corpus fixture skips (fails under CI) saying why
            metafunc.parametrize("labelled", [("", "")], ids=["corpus-absent"])
            return
        rows = _labels(CORPUS)
        metafunc.parametrize("labelled", rows, ids=[Path(p).name for p, _k in rows])


def test_corpus_document_kind(corpus: Path, labelled: tuple[str, str]) -> None:
    path, kind = labelled
    assert _corpus_kind(corpus, path) == kind


def test_corpus_accuracy_at_least_90_percent(corpus: Path) -> None:
    labels = _labels(corpus)
    assert len(labels) >= 20
    hits = sum(_corpus_kind(corpus, p) == k for p, k in labels)
    assert hits / len(labels) >= 0.9


def test_corpus_never_outputs_an_ssn(corpus: Path) -> None:
    # CCD 1 gives the patient only an id under the SSN root 2.16.840.1.113883.4.1.
    path = "ccda/hl7-c-cda-examples/Documents/CCD/CCD 1/CCD.XML"
    data = (corpus / path).read_bytes()
    assert b"444222222" in data
    document = ccda.scan(Source.from_bytes(path, data))[0]
    assert isinstance(document, Document)
    assert document.patient.id is None
    assert document.patient.name == "Betterhalf, Eve"
    assert document.patient.birth_date == "1975-05-01"


def _cda(body: str, *, code: str = 'code="34133-9" displayName="Summarization of episode note"',
         title: str = "Health Summary", prolog: str = "") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
{prolog}<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <realmCode code="US"/>
  <templateId root="2.16.840.1.113883.10.20.22.1.1" extension="2015-08-01"/>
  <code {code} codeSystem="2.16.840.1.113883.6.1"/>
  <title>{title}</title>
  <effectiveTime value="20240507143000-0500"/>
  <recordTarget><patientRole>
    <id extension="123-45-6789" root="2.16.840.1.113883.4.1"/>
    <id extension="MRN-0042177" root="2.16.840.1.113883.19.5"/>
    <patient>
      <name use="L"><given>Harriet</given><given>Anne</given><given qualifier="CL">Hattie</given>
        <family>Quill</family></name>
      <birthTime value="19610922"/>
    </patient>
  </patientRole></recordTarget>
  <documentationOf><serviceEvent classCode="PCPR">
    <effectiveTime><low value="19610922"/><high value="20240507"/></effectiveTime>
  </serviceEvent></documentationOf>
  <component>{body}</component>
</ClinicalDocument>
""".encode()


STRUCTURED = """<structuredBody><component><section>
  <templateId root="2.16.840.1.113883.10.20.22.2.1.1"/>
  <code code="10160-0" codeSystem="2.16.840.1.113883.6.1"/>
  <title>Medications</title><text>Tamoxifen 20 mg daily</text>
</section></component></structuredBody>"""


def test_ccd_patient_birth_date_and_record_number() -> None:
    source = Source.from_bytes("export/summary.xml", _cda(STRUCTURED))
    assert ccda.sniff(source)
    (document,) = ccda.scan(source)
    assert isinstance(document, Document)
    assert document.kind == "patient_summary"
    assert document.title == "Health Summary"
    # A summary is "as of" its creation; its service period starts at birth.
    assert document.date == "2024-05-07"
    assert document.patient.name == "Quill, Harriet Anne"
    assert document.patient.birth_date == "1961-09-22"
    assert document.patient.id == "MRN-0042177"  # never the SSN-rooted id
    assert "Tamoxifen" in document.text


def test_discharge_summary_is_dated_by_its_service_event() -> None:
    data = _cda(STRUCTURED, code='code="18842-5"', title="Discharge Summary").replace(
        b'<low value="19610922"/>', b'<low value="20240429"/>')
    (document,) = ccda.scan(Source.from_bytes("ds.xml", data))
    assert isinstance(document, Document)
    assert (document.kind, document.date) == ("discharge_summary", "2024-04-29")


def test_document_kind_falls_back_to_the_title() -> None:
    data = _cda(STRUCTURED, code='code="X-LOCAL-77"', title="Oncology Treatment Plan")
    (document,) = ccda.scan(Source.from_bytes("plan.xml", data))
    assert isinstance(document, Document)
    assert document.kind == "treatment_plan"
    assert any("title" in e for e in document.evidence)


def test_unstructured_plain_text_attachment_is_read() -> None:
    note = b"SURGICAL PATHOLOGY REPORT\nFINAL DIAGNOSIS: invasive ductal carcinoma, grade 2.\n"
    body = (f'<nonXMLBody><text mediaType="text/plain" representation="B64">'
            f"{base64.b64encode(note).decode()}</text></nonXMLBody>")
    data = _cda(body, code='code="34109-9"', title="Scanned document")
    (document,) = ccda.scan(Source.from_bytes("ud.xml", data))
    assert isinstance(document, Document)
    assert "invasive ductal carcinoma" in document.text
    assert any("text/plain" in e for e in document.evidence)


def test_damaged_base64_attachment_is_a_problem_but_the_record_stays() -> None:
    body = ('<nonXMLBody><text mediaType="application/pdf" representation="B64">'
            "%%%not base64%%%</text></nonXMLBody>")
    outcomes = ccda.scan(Source.from_bytes("ud.xml", _cda(body, code='code="11490-0"')))
    kinds = [o.kind for o in outcomes if isinstance(o, Document)]
    problems = [o for o in outcomes if isinstance(o, Problem)]
    assert kinds == ["discharge_summary"]
    assert [p.code for p in problems] == [UNREADABLE]
    assert "damaged" in problems[0].message


def test_stylesheet_pointing_to_a_url_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    _no_network(monkeypatch)
    prolog = '<?xml-stylesheet type="text/xsl" href="http://stylesheets.invalid/cda.xsl"?>\n'
    (document,) = ccda.scan(Source.from_bytes("ccd.xml", _cda(STRUCTURED, prolog=prolog)))
    assert isinstance(document, Document)
    assert document.kind == "patient_summary"


def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the scanner tried to open a network connection")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_external_entity_is_never_loaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _no_network(monkeypatch)
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    prolog = (f'<!DOCTYPE ClinicalDocument [\n  <!ENTITY leak SYSTEM "{secret.as_uri()}">\n'
              '  <!ENTITY remote SYSTEM "http://entities.invalid/x">\n]>\n')
    data = _cda(STRUCTURED, prolog=prolog, title="&leak;&remote;")
    source = Source.from_bytes("xxe.xml", data)
    assert ccda.sniff(source)
    outcomes = ccda.scan(source)
    assert [type(o) for o in outcomes] == [Problem]
    problem = outcomes[0]
    assert isinstance(problem, Problem)
    assert problem.code == UNSUPPORTED
    assert "entity" in problem.message
    assert "TOP-SECRET" not in repr(outcomes)


def test_entity_expansion_bomb_is_refused() -> None:
    prolog = ('<!DOCTYPE ClinicalDocument [<!ENTITY a "aaaaaaaaaa">'
              '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
              '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>\n')
    outcomes = ccda.scan(Source.from_bytes("bomb.xml", _cda(STRUCTURED, prolog=prolog, title="&c;")))
    assert [getattr(o, "code", None) for o in outcomes] == [UNSUPPORTED]


def test_doctype_with_an_external_dtd_is_read_without_fetching_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    _no_network(monkeypatch)
    prolog = '<!DOCTYPE ClinicalDocument SYSTEM "http://dtd.invalid/cda.dtd">\n'
    (document,) = ccda.scan(Source.from_bytes("dtd.xml", _cda(STRUCTURED, prolog=prolog)))
    assert isinstance(document, Document)
    assert document.kind == "patient_summary"


def test_truncated_xml_is_an_unreadable_problem_with_a_hint() -> None:
    data = _cda(STRUCTURED)
    outcomes = ccda.scan(Source.from_bytes("cut.xml", data[: len(data) // 2]))
    assert len(outcomes) == 1
    problem = outcomes[0]
    assert isinstance(problem, Problem)
    assert (problem.path, problem.code) == ("cut.xml", UNREADABLE)
    assert "line" in problem.message
    assert problem.hint and "again" in problem.hint


def test_fragment_without_namespace_declarations_is_read() -> None:
    # Cut out of a document: xsi: is used but no longer declared.
    fragment = b"""<section>
  <templateId root="2.16.840.1.113883.10.20.22.2.3.1"/>
  <code code="30954-2" codeSystem="2.16.840.1.113883.6.1"/>
  <title>Results</title><text>CEA 3.1 ng/mL</text>
  <entry><organizer classCode="BATTERY" moodCode="EVN">
    <code code="2039-6" displayName="CEA" codeSystem="2.16.840.1.113883.6.1"/>
    <component><observation><value xsi:type="PQ" value="3.1" unit="ng/mL"/>
      <effectiveTime value="20240102"/></observation></component>
  </organizer></entry>
</section>"""
    source = Source.from_bytes("results.xml", fragment)
    assert ccda.sniff(source)
    (document,) = ccda.scan(source)
    assert isinstance(document, Document)
    assert (document.kind, document.date) == ("lab_result", "2024-01-02")


@pytest.mark.parametrize("data", [
    b'<?xml version="1.0"?><html><body>hello</body></html>',
    b'<?xml version="1.0"?><ClinicalDocument xmlns="urn:other">x</ClinicalDocument>',
    b"<section><title>Chapter 1</title></section>",
    b"SURGICAL PATHOLOGY REPORT",
])
def test_sniff_rejects_other_xml_and_text(data: bytes) -> None:
    assert not ccda.sniff(Source.from_bytes("x.xml", data))
