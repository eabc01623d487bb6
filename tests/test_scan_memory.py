"""Issue 8 defect 7: structured records are read in bounded memory, whatever their size."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.bench_memory import write_ccda, write_fhir
from recordpack.model import Problem
from recordpack.scan import ccda, jsonstream
from recordpack.scan.base import Document, Source

pytestmark = pytest.mark.timeout(120)

ROOT = Path(__file__).resolve().parent.parent


_MEASURE = """
import resource, sys
from pathlib import Path
from recordpack.scan import {module} as scanner
from recordpack.scan.walk import open_file, read_file
from recordpack.scan.base import Source
path = Path(sys.argv[1])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
read = read_file(path, whole=True)
source = Source(path.name, read.size, read.sha256, read.head, opener=lambda: open_file(path),
                crc32=read.crc32)
[record] = scanner.scan(source)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(record.kind, record.patient.name, record.date, (after - before) // 1024, sep="|")
"""


def _scan_in_child(module: str, path: Path) -> tuple[str, str, str, int]:
    """Kind, patient name, date and the MiB the scan added to the peak RSS of a fresh process."""
    done = subprocess.run([sys.executable, "-c", _MEASURE.format(module=module), str(path)],
                          capture_output=True, text=True, timeout=100, check=True, cwd=ROOT)
    kind, name, date, grown = done.stdout.strip().split("|")
    return kind, name, date, int(grown)


def test_a_large_fhir_export_is_read_entry_by_entry(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    write_fhir(path, 16 * 1024 * 1024)
    kind, name, _date, grown = _scan_in_child("fhir", path)
    assert (kind, name) == ("patient_summary", "Quill, Avery")
    # json.loads of this file adds some 400 MB; entry by entry the peak barely moves.
    assert grown < 32, f"the scan added {grown} MiB to the peak"


def test_a_large_ccda_keeps_its_header_and_drops_its_entries(tmp_path: Path) -> None:
    path = tmp_path / "ccd.xml"
    write_ccda(path, 16 * 1024 * 1024)
    kind, name, date, grown = _scan_in_child("ccda", path)
    assert (kind, name, date) == ("patient_summary", "Quill, Avery", "2024-03-05")
    assert grown < 32, f"the scan added {grown} MiB to the peak"


def test_xml_past_the_element_budget_is_partly_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ccda, "MAX_ELEMENTS", 50)
    body = "".join(f"<title>Part {n}</title>" for n in range(200))
    data = (f'<section xmlns="urn:hl7-org:v3"><code code="11526-1" '
            f'codeSystem="2.16.840.1.113883.6.1"/>{body}</section>').encode()
    outcomes = ccda.scan(Source.from_bytes("big.xml", data))
    problems = [o for o in outcomes if isinstance(o, Problem)]
    assert [p.code for p in problems] == ["partly_read"]
    assert "the rest was not looked at" in problems[0].message
    assert any(isinstance(o, Document) for o in outcomes)


def _members(text: str, chunk: int, monkeypatch: pytest.MonkeyPatch, max_value: int = 10**6
             ) -> list[tuple[str, object]]:
    monkeypatch.setattr(jsonstream, "CHUNK_CHARS", chunk)
    return list(jsonstream.members(io.BytesIO(text.encode()), stream_array="entry",
                                   max_value=max_value))


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 64, 4096])
def test_json_members_at_every_chunk_edge(chunk: int, monkeypatch: pytest.MonkeyPatch) -> None:
    document = {"resourceType": "Bundle", "n": 123456789, "f": -1.5e10, "t": True, "z": None,
                "entry": [{"a": [1, 2, {"b": 'x"y'}]}, 42, "s", [], {}],
                "after": "é \u2603"}
    text = " \n" + json.dumps(document, indent=1) + "\n"
    got = _members(text, chunk, monkeypatch)
    expected = [(k, v) for k, v in document.items() if k != "entry"]
    entry = document["entry"]
    assert isinstance(entry, list)
    entries = [("entry", item) for item in entry]
    assert got == expected[:5] + entries + expected[5:]


@pytest.mark.parametrize(
    ("text", "words"),
    [("[1, 2]", "expected '{'"), ('{"a": 1', "expected '}'"), ('{"a": [1, 2', "damaged"),
     ('{"entry": [1 2]}', "expected ']'"), ('{"a": tru}', "damaged"), ("", "expected '{'")],
)
def test_damaged_json_is_a_plain_error(text: str, words: str,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(jsonstream.JSONStreamError, match=words):
        _members(text, 3, monkeypatch)


def test_a_value_over_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    text = '{"entry": [{"data": "' + "A" * 5000 + '"}]}'
    with pytest.raises(jsonstream.JSONStreamError, match="larger than"):
        _members(text, 100, monkeypatch, max_value=1000)


def test_a_huge_hl7_batch_is_read_from_its_beginning(monkeypatch: pytest.MonkeyPatch) -> None:
    from recordpack.scan import hl7v2

    monkeypatch.setattr(hl7v2, "MAX_HL7_BYTES", 4096)
    message = (b"MSH|^~\\&|LAB|HOSP|||20240305||ORU^R01|1|P|2.5\r"
               b"PID|1||MRN1||QUILL^AVERY||19610412|F\r"
               b"OBR|1|||2857-1^PSA^LN|||20240305\r"
               b"OBX|1|NM|2857-1^PSA^LN||4.1|ng/mL|||||F\r")
    outcomes = hl7v2.scan(Source.from_bytes("batch.hl7", message * 200))
    [problem] = [o for o in outcomes if isinstance(o, Problem)]
    assert problem.code == "partly_read" and "were not looked at" in problem.message
    documents = [o for o in outcomes if isinstance(o, Document)]
    assert documents and documents[0].patient.name == "QUILL, AVERY"
    assert "26 messages" in documents[0].title  # of the 200, those in the first 4 KiB


def test_xml_whose_first_element_is_over_the_budget_is_not_read(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ccda, "MAX_TEXT", 100)
    data = (b'<ClinicalDocument xmlns="urn:hl7-org:v3" note="' + b"x" * 200
            + b'"><title>2.16.840.1.113883</title></ClinicalDocument>')
    [problem] = ccda.scan(Source.from_bytes("a.xml", data))
    assert isinstance(problem, Problem) and problem.code == "unsupported"
    assert "first element alone" in problem.message
