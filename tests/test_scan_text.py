"""Text scanner: encodings, RTF, HTML, and never stealing structured files."""

from __future__ import annotations

import codecs

import pytest

from recordpack.model import Problem
from recordpack.scan import text
from recordpack.scan.base import Document, Source
from tests.classify_samples import SAMPLES

NOTE = SAMPLES[0].text  # a surgical pathology report


def _scan(name: str, data: bytes) -> list[Document | Problem]:
    source = Source.from_bytes(name, data)
    assert text.sniff(source), name
    out = text.scan(source)
    assert all(isinstance(o, (Document, Problem)) for o in out)
    return out  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("report.txt", NOTE.encode()),
        ("report.txt", codecs.BOM_UTF8 + NOTE.replace("\n", "\r\n").encode()),
        ("report.txt", codecs.BOM_UTF16_LE + NOTE.encode("utf-16-le")),
        ("report.txt", NOTE.replace("Lindqvist", "Lindqvíst").encode("cp1252")),
        ("REPORT", NOTE.encode()),  # no extension at all
        ("report.md", ("# Surgical Pathology Report\n\n" + NOTE).encode()),
    ],
    ids=["utf8", "bom-crlf", "utf16", "cp1252", "no-extension", "markdown"],
)
def test_text_files_are_classified(name: str, data: bytes) -> None:
    [doc] = _scan(name, data)
    assert isinstance(doc, Document)
    assert doc.kind == "pathology_report"
    assert doc.date == "2026-08-20"
    assert doc.patient.name == "HOLLOWAY, BEATRIX J"
    assert doc.format == "text"
    assert "\r" not in doc.text


def test_latin1_text_keeps_accents() -> None:
    [doc] = _scan("note.txt", "Patient: Zoë Ångström-Nuñez\nPROGRESS NOTE\n".encode("latin-1"))
    assert isinstance(doc, Document)
    assert "Ångström" in doc.text


def test_html_export_is_read_as_visible_text() -> None:
    body = "".join(f"<p>{line}</p>" for line in SAMPLES[3].text.splitlines())
    html = (
        f"<html><head><style>p {{color: red}}</style><script>var x = 'FINAL DIAGNOSIS';</script>"
        f"</head><body>{body}</body></html>"
    )
    [doc] = _scan("visit.html", html.encode())
    assert isinstance(doc, Document)
    assert doc.kind == "imaging_report"
    assert "var x" not in doc.text and "color" not in doc.text


def test_rtf_control_words_are_stripped() -> None:
    lines = SAMPLES[14].text.splitlines()  # operative report
    body = r"\par ".join(line.replace("\\", "\\\\") for line in lines)
    rtf = (
        r"{\rtf1\ansi\deff0{\fonttbl{\f0 Times New Roman;}}{\colortbl;\red0\green0\blue0;}"
        r"{\*\generator Riched20;}\f0\fs22 " + body + r"\par Caf\'e9 \u8212? done}"
    )
    [doc] = _scan("op.rtf", rtf.encode("ascii"))
    assert isinstance(doc, Document)
    assert doc.kind == "operative_report"
    assert "Times New Roman" not in doc.text and "\\par" not in doc.text
    assert "Café — done" in doc.text


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("message.txt", b"MSH|^~\\&|LAB|HOSP|||202603140830||ORU^R01|1|P|2.5\nPID|1||123\n"),
        ("message.txt", codecs.BOM_UTF8 + b"MSH|^~\\&|LAB|HOSP|||202603140830||ORU^R01|1|P|2.5\n"),
        ("export.txt", b'{"resourceType": "Bundle", "type": "collection"}'),
        ("ccd", b'<?xml version="1.0"?>\n<ClinicalDocument xmlns="urn:hl7-org:v3"/>'),
        ("data.json", b'{"a": 1}'),
        ("doc.xml", b"just text in an xml-named file"),
        ("image", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200)),
        ("IM000001", bytes(128) + b"DICM" + bytes(200)),
        ("empty", b""),
    ],
)
def test_structured_and_binary_files_are_not_claimed(name: str, data: bytes) -> None:
    assert not text.sniff(Source.from_bytes(name, data))


def test_empty_txt_is_a_problem_not_a_crash() -> None:
    [problem] = _scan("blank.txt", b"")
    assert isinstance(problem, Problem)
    assert problem.code == "unreadable"
    assert problem.hint


def test_whitespace_only_txt_is_a_problem() -> None:
    [problem] = _scan("blank.txt", b"  \r\n\t\n")
    assert isinstance(problem, Problem)
