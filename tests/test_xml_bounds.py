"""XML and Word files are read in bounded time and memory, whatever one tag holds.

An outside tester found a C-CDA whose one attribute was 200 MB (its reading
time grew with the square of the attribute's length: ten minutes), one whose
element had 3 million attributes (975 MB, reported as an ordinary record) and
a Word document whose 240 MB text part took 1.5 GB to read.
"""

from __future__ import annotations

import io
import random
import subprocess
import sys
import tracemalloc
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pytest

from recordpack.model import Problem
from recordpack.scan import ccda, docx, scan_folder, xmlfeed
from recordpack.scan.base import HEAD_SIZE, Document, Source

pytestmark = pytest.mark.timeout(120)

ROOT = Path(__file__).resolve().parent.parent

_CCDA_HEAD = b'<?xml version="1.0"?><ClinicalDocument xmlns="urn:hl7-org:v3">'
_NOTE = (b"Pathology report. Patient: Quill, Avery. Specimen: right breast core biopsy. "
         b"Diagnosis: invasive ductal carcinoma, grade 2.\n")


class _Counting(io.BytesIO):
    """A file that counts the bytes read from it."""

    read_total = 0

    def read(self, size: int | None = -1, /) -> bytes:
        data = super().read(size)
        _Counting.read_total += len(data)
        return data


def _counted_source(name: str, data: bytes) -> Source:
    _Counting.read_total = 0
    return Source(name, len(data), None, data[:HEAD_SIZE], opener=lambda: _Counting(data))


def _problems(outcomes: Sequence[object]) -> list[Problem]:
    return [o for o in outcomes if isinstance(o, Problem)]


def test_a_huge_attribute_is_cut_where_it_starts_and_the_rest_not_read() -> None:
    # 24 MB in one attribute: expat looked at it again with every 64 KiB chunk.
    data = (_CCDA_HEAD + b"<title>Discharge summary</title><code value=\"" + b"A" * 24_000_000
            + b'"/></ClinicalDocument>')
    outcomes = ccda.scan(_counted_source("ccd.xml", data))
    [problem] = _problems(outcomes)
    assert problem.code == "partly_read"
    # What was cut is named, not "the first 99% was read".
    assert "the very beginning" in problem.message
    assert "<code> element" in problem.message and "over 1 MB long" in problem.message
    assert "99%" not in problem.message
    # Reading stopped soon after the attribute passed the limit.
    assert _Counting.read_total < 3 * xmlfeed.MAX_MARKUP_BYTES
    [document] = [o for o in outcomes if isinstance(o, Document)]
    assert document.title == "Discharge summary"  # what came before it was read


def test_an_element_with_a_million_attributes_is_partly_read_in_small_memory() -> None:
    attributes = b"".join(b'a%d="1" ' % n for n in range(400_000))  # 4.5 MB of them
    data = (_CCDA_HEAD + b"<title>Clinic letter</title><code " + attributes
            + b"/></ClinicalDocument>")
    tracemalloc.start()
    try:
        outcomes = ccda.scan(Source.from_bytes("ccd.xml", data))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    [problem] = _problems(outcomes)
    assert problem.code == "partly_read" and "<code> element" in problem.message
    # expat's dictionary of 400,000 attributes alone took over 100 MB.
    assert peak < 32 * 2**20, f"traced memory peaked at {peak / 2**20:.0f} MiB"


def test_an_element_with_too_many_short_attributes_is_named() -> None:
    count = xmlfeed.MAX_ATTRIBUTES + 1
    attributes = b"".join(b'a%d="1" ' % n for n in range(count))  # a small tag
    data = (_CCDA_HEAD + b"<title>Clinic letter</title><code " + attributes
            + b"/><component/></ClinicalDocument>")
    outcomes = ccda.scan(Source.from_bytes("ccd.xml", data))
    [problem] = _problems(outcomes)
    assert problem.code == "partly_read"
    assert f"a <code> element has {count:,} attributes" in problem.message


def test_a_root_tag_over_the_limit_is_not_read_and_says_why() -> None:
    data = (b'<ClinicalDocument xmlns="urn:hl7-org:v3" note="' + b"x" * 3_000_000
            + b'"><title>2.16.840.1.113883</title></ClinicalDocument>')
    [problem] = ccda.scan(Source.from_bytes("ccd.xml", data))
    assert isinstance(problem, Problem) and problem.code == "unsupported"
    assert "start tag of a <ClinicalDocument> element" in problem.message


@pytest.mark.parametrize("extra", [-1, 0, 1, 8, 100])
def test_markup_at_the_limit_at_every_chunk_edge(extra: int,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xmlfeed, "CHUNK", 7)
    monkeypatch.setattr(xmlfeed, "MAX_MARKUP_BYTES", 200)
    value = b"B" * (200 - len(b'<code value=""/>') + extra)  # a tag of 200 + extra bytes
    data = (_CCDA_HEAD + b"<title>Clinic letter</title><code value=\"" + value
            + b'"/><!-- after --></ClinicalDocument>')
    outcomes = ccda.scan(Source.from_bytes("ccd.xml", data))
    cut = [p for p in _problems(outcomes) if p.code == "partly_read"]
    # A tag of up to the limit is read (expat holds back at most all but its last byte);
    # one longer by a chunk is always cut, and named.
    assert bool(cut) == (extra > 1)
    assert all("<code> element" in p.message for p in cut)


def test_a_comment_over_the_limit_is_named_and_the_rest_of_the_folder_read(
        tmp_path: Path) -> None:
    (tmp_path / "note.txt").write_bytes(_NOTE)
    (tmp_path / "ccd.xml").write_bytes(_CCDA_HEAD + b"<title>Summary</title><!-- "
                                       + b"c" * 5_000_000 + b" --></ClinicalDocument>")
    result = scan_folder(tmp_path)
    [problem] = result.problems
    assert (problem.path, problem.code) == ("ccd.xml", "partly_read")
    assert "a comment is over 1 MB long" in problem.message
    assert {f for r in result.records for f in r.files} == {"note.txt", "ccd.xml"}


# --- Word documents -------------------------------------------------------------------

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
       'package/2006/content-types"><Default Extension="rels" ContentType="application/'
       'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
       '"application/xml"/><Override PartName="/word/document.xml" ContentType="application/'
       'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
         'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
         'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
         'Target="word/document.xml"/></Relationships>')


def _paragraph(text: str) -> bytes:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>".encode()


def _write_docx(path: Path, body: bytes) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", _CT)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("word/document.xml", f'<?xml version="1.0"?><w:document xmlns:w="{_W}">'
                         f"<w:body>".encode() + body + b"</w:body></w:document>")


_MEASURE = """
import re, sys
from pathlib import Path
from recordpack.scan import docx
from recordpack.scan.base import Source
def peak():  # of this process alone (ru_maxrss starts at the parent's size)
    return int(re.search(r"VmHWM:\\s*(\\d+)", Path("/proc/self/status").read_text()).group(1))
data = Path(sys.argv[1]).read_bytes()
before = peak()
outcomes = docx.scan(Source.from_bytes("letter.docx", data))
after = peak()
[record] = outcomes
print(record.kind, record.patient.name, (after - before) // 1024, sep="|")
"""


def test_a_large_word_document_is_read_streamed_in_small_memory(tmp_path: Path) -> None:
    words = [f"w{n:04d}x" for n in range(5000)]  # random words: a ratio of a real letter
    rng = random.Random(7)
    first = (_paragraph("Pathology report") + _paragraph("Patient: Quill, Avery")
             + _paragraph("Diagnosis: invasive ductal carcinoma of the right breast, grade 2."))
    rest = b"".join(_paragraph(" ".join(rng.choices(words, k=12))) for _ in range(220_000))
    path = tmp_path / "letter.docx"
    _write_docx(path, first + rest)  # document.xml: about 24 MB
    done = subprocess.run([sys.executable, "-c", _MEASURE, str(path)], capture_output=True,
                          text=True, timeout=100, check=True, cwd=ROOT)
    kind, name, grown = done.stdout.strip().split("|")
    assert (kind, name) == ("pathology_report", "Quill, Avery")
    # python-docx's tree of this part added some 200 MB to the peak.
    assert int(grown) < 48, f"the scan added {grown} MiB to the peak"


def test_a_word_document_cut_at_a_huge_tag_says_so(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # Over the size python-docx is given, this document is streamed.
    monkeypatch.setattr(docx, "MAX_TREE_BYTES", 0, raising=False)
    body = (_paragraph("Pathology report. Patient: Quill, Avery.")
            + _paragraph("Diagnosis: invasive ductal carcinoma of the right breast, grade 2.")
            + b'<w:p w:rsidR="' + b"0" * 2_000_000 + b'"/>' + _paragraph("Not read."))
    path = tmp_path / "letter.docx"
    _write_docx(path, body)
    outcomes = docx.scan(Source.from_bytes("letter.docx", path.read_bytes()))
    [problem] = _problems(outcomes)
    assert problem.code == "partly_read"
    assert "start tag of a <p> element" in problem.message
    [document] = [o for o in outcomes if isinstance(o, Document)]
    assert "invasive ductal carcinoma" in document.text and "Not read." not in document.text
