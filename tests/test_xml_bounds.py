"""XML and Word files are read in bounded time and memory, whatever one tag holds.

An outside tester found a C-CDA whose one attribute was 200 MB (its reading
time grew with the square of the attribute's length: ten minutes), one whose
element had 3 million attributes (975 MB, reported as an ordinary record) and
a Word document whose 240 MB text part took 1.5 GB to read.
"""

from __future__ import annotations

import io
import tracemalloc
from pathlib import Path

import pytest

from recordpack.model import Problem
from recordpack.scan import ccda, scan_folder, xmlfeed
from recordpack.scan.base import HEAD_SIZE, Document, Source

pytestmark = pytest.mark.timeout(120)

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


def _problems(outcomes: list[object]) -> list[Problem]:
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
    assert problem.code == "unsupported"
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
