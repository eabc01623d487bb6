"""Hand-made hostile files: each must end as a plain problem (or a record), fast and small."""

from __future__ import annotations

import io
import time
import zipfile
import zlib
from collections.abc import Sequence

import pytest

from recordpack import ocr
from recordpack.model import Problem
from recordpack.scan.base import Document
from tests.fuzz_helpers import scan_checked, zip_of
from tests.hostile_files import many_image_pdf, overlapping_zip

pytestmark = pytest.mark.timeout(60)

_BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE ClinicalDocument [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<ClinicalDocument xmlns="urn:hl7-org:v3"><title>&lol9;</title></ClinicalDocument>
"""

_XXE = b"""<?xml version="1.0"?>
<!DOCTYPE ClinicalDocument [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<ClinicalDocument xmlns="urn:hl7-org:v3"><templateId root="2.16.840.1.113883.10.20.22.1.1"/>
<title>&secret;</title></ClinicalDocument>
"""

_XXE_PARAMETER = b"""<?xml version="1.0"?>
<!DOCTYPE ClinicalDocument [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;]>
<ClinicalDocument xmlns="urn:hl7-org:v3"><title>x</title></ClinicalDocument>
"""


def _only_problems(outcomes: Sequence[object]) -> list[Problem]:
    return [o for o in outcomes if isinstance(o, Problem)]


@pytest.mark.parametrize("data", [_BILLION_LAUGHS, _XXE, _XXE_PARAMETER],
                         ids=["billion-laughs", "xxe-file", "xxe-parameter-entity"])
def test_entity_tricks_are_refused_not_expanded(data: bytes) -> None:
    verdict = scan_checked("entities", "summary.xml", data)
    [problem] = _only_problems(verdict.outcomes)
    assert problem.code in ("unsupported", "unreadable")
    texts = " ".join(str(vars(o)) for o in verdict.outcomes)
    assert "lollol" not in texts and "root:" not in texts


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("deep.json", b'{"resourceType": "Bundle", "entry": ' + b"[" * 200_000 + b"]" * 200_000
         + b"}"),
        ("deep-object.json", b'{"resourceType": "Observation", "x": ' + b'{"a":' * 100_000
         + b"1" + b"}" * 100_000 + b"}"),
        ("deep.xml", b'<section xmlns="urn:hl7-org:v3">' + b"<text>" * 100_000
         + b"</text>" * 100_000 + b"</section>"),
        ("deep.ndjson", b'{"resourceType": "Patient"}\n' + b"[" * 100_000 + b"\n"),
    ],
    ids=["deep-array", "deep-object", "deep-xml", "deep-ndjson-line"],
)
def test_deep_nesting_is_a_problem_not_a_crash(name: str, data: bytes) -> None:
    verdict = scan_checked("deep nesting", name, data)
    assert verdict.outcomes


def test_a_large_deep_json_file_is_read_entry_by_entry_or_refused() -> None:
    body = b'{"resourceType": "Bundle", "type": "collection", "entry": ['
    body += b'{"resource": {"resourceType": "Patient", "id": "p"}},' * 80_000
    body += b'{"resource": ' + b'{"a":' * 100_000 + b"1" + b"}" * 100_000 + b"}]}"
    verdict = scan_checked("large and deep", "export.json", body)
    assert any(isinstance(o, Document) for o in verdict.outcomes) or _only_problems(
        verdict.outcomes)


def _bomb(size: int) -> bytes:
    """A zip whose one member inflates ``size`` zero bytes from a few kilobytes."""
    buffer = io.BytesIO()
    info = zipfile.ZipInfo("notes.txt")
    info.compress_type = zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(buffer, "w") as archive, archive.open(
            info, "w", force_zip64=True) as member:
        block = bytes(1024 * 1024)
        for _ in range(size // len(block)):
            member.write(block)
    return buffer.getvalue()


def test_zip_bomb_is_refused_without_inflating_it() -> None:
    data = _bomb(256 * 1024 * 1024)
    started = time.process_time()
    verdict = scan_checked("zip bomb", "download.zip", data)
    assert time.process_time() - started < 5
    assert [p.code for p in _only_problems(verdict.outcomes)] == ["zip_bomb"]


def test_a_zip_whose_header_understates_a_member_stops_reading() -> None:
    """A member declared small that inflates far more: the bytes actually inflated count."""
    data = bytearray(zip_of({"a.txt": bytes(20 * 1024 * 1024)}))
    central = data.rindex(b"PK\x01\x02")
    data[central + 24: central + 28] = (1000).to_bytes(4, "little")  # declared size
    verdict = scan_checked("understated", "download.zip", bytes(data))
    assert {p.code for p in _only_problems(verdict.outcomes)} <= {"zip_bomb", "unreadable"}
    assert _only_problems(verdict.outcomes)


def test_zip_quine_like_nesting_stops() -> None:
    data = zip_of({"note.txt": b"CLINIC NOTE\nSeen today.\n"})
    for level in range(6):
        data = zip_of({f"level{level}.zip": data})
    verdict = scan_checked("nested zips", "download.zip", data)
    assert any("too many other zips" in p.message for p in _only_problems(verdict.outcomes))


def test_overlapping_entries_cost_one_read() -> None:
    started = time.process_time()
    verdict = scan_checked("overlapping", "download.zip", overlapping_zip(3000))
    assert time.process_time() - started < 10
    assert any(p.code == "zip_bomb" for p in _only_problems(verdict.outcomes))


def _pdf(objects: list[bytes], root: int = 1) -> bytes:
    """A PDF from object bodies (numbered from 1), with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, root, xref)
    return bytes(out)


@pytest.mark.parametrize(
    "objects",
    [
        # A page tree whose Kids contain itself.
        [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>"],
        # Two page-tree nodes that are each other's kid.
        [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
         b"<< /Type /Pages /Kids [2 0 R] /Count 1 /Parent 2 0 R >>"],
        # A page whose Resources and content refer to themselves.
        [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
         b"<< /Type /Page /Parent 2 0 R /Resources 4 0 R /Contents 3 0 R >>",
         b"<< /XObject << /Im1 4 0 R >> /Font 4 0 R >>"],
        # A length that refers to itself, and a Catalog that is its own Pages.
        [b"<< /Type /Catalog /Pages 1 0 R /Length 1 0 R >>"],
    ],
    ids=["kids-self", "kids-cycle", "resources-self", "catalog-self"],
)
def test_pdf_reference_cycles_end(objects: list[bytes]) -> None:
    verdict = scan_checked("pdf cycle", "cycle.pdf", _pdf(objects))
    assert verdict.outcomes


def test_many_image_pdf_page_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[int] = []
    monkeypatch.setattr(ocr, "available", lambda: True)

    def fake_ocr(data: bytes, **_: object) -> str:
        reads.append(1)
        return ""

    monkeypatch.setattr(ocr, "image_to_text", fake_ocr)
    verdict = scan_checked("many images", "scan.pdf", many_image_pdf(200))
    assert len(reads) <= ocr.MAX_IMAGES_PER_DOCUMENT
    assert any(p.code == "partly_read" for p in _only_problems(verdict.outcomes))


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("a.txt", b"x<?"),
        ("b.txt", b"xx<!--"),
        ("c.hl7", b"MSH|^~\\&|" + b"|" * 200_000 + b"\r" + b"OBX|" * 50_000),
        ("d.txt", b"A" * 3_000_000),
        ("e.html", b"<html>" + b"<!--" * 50_000 + b"<![CDATA[" * 20_000),
        ("f.rtf", b"{\\rtf1 " + b"{" * 100_000 + b"text" + b"}" * 100_000),
        ("g.dcm", b"\x00" * 128 + b"DICM" + b"\x02\x00\x10\x00UI\xff\xff" + b"1" * 100),
        ("h.json", b'{"resourceType": "Binary", "data": "' + b"QUJD" * 500_000 + b'"}'),
        ("i.json", b'{"resourceType": "DocumentReference", "content": [{"attachment": '
                   b'{"contentType": "application/pdf", "data": "JVBERi0xLjcK' + b"A" * 4000
                   + b'"}}]}'),
        ("j.png", b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x0dIHDR" + b"\xff\xff\xff\xff" * 2
         + b"\x08\x00\x00\x00\x00"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_odd_files_end_as_plain_outcomes(name: str, data: bytes,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocr, "available", lambda: True)
    monkeypatch.setattr(ocr, "image_to_text", lambda data, **_: "")
    scan_checked(name, name, data)


def test_a_corrupt_deflate_stream_is_one_member_problem() -> None:
    data = bytearray(zip_of({"a.txt": b"PATHOLOGY REPORT\n" * 500, "b.txt": b"CLINIC NOTE\n" * 99}))
    start = data.index(b"a.txt") + 10
    data[start: start + 30] = bytes(b ^ 0x5A for b in data[start: start + 30])
    verdict = scan_checked("corrupt deflate", "download.zip", bytes(data))
    problems = _only_problems(verdict.outcomes)
    assert [(p.path, p.code) for p in problems] == [("download.zip!a.txt", "unreadable")]
    with pytest.raises(zlib.error):  # the stream really is corrupt
        zipfile.ZipFile(io.BytesIO(bytes(data))).read("a.txt")


def test_deep_json_says_so_in_plain_words() -> None:
    data = b'{"resourceType": "Bundle", "entry": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"
    [problem] = _only_problems(scan_checked("deep", "deep.json", data).outcomes)
    assert problem.code == "unreadable"
    assert problem.message == "JSON is nested far more deeply than any FHIR record; it was not read"


def test_pdf_with_a_deflate_bomb_page_stays_small() -> None:
    """A page whose content stream inflates 256 MB from a few hundred kilobytes."""
    bomb = zlib.compress(b"0 0 m " * (256 * 1024 * 1024 // 6), 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(bomb) + bomb + b"\nendstream",
    ]
    started = time.process_time()
    verdict = scan_checked("pdf deflate bomb", "bomb.pdf", _pdf(objects))
    assert time.process_time() - started < 30
    assert verdict.traced_peak < 100 * 1024 * 1024
