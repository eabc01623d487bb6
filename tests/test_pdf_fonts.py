"""The memo of pypdf's /ToUnicode maps (recordpack.scan.pdffonts): same text, each map built once.

OCR programs give their invisible text layer a /ToUnicode map of all 65,536
codes; pypdf expanded it on every page (about 150 ms a page). These tests
hold the memo to reading exactly the text pypdf reads without it, on
OCR'd scans written the way Tesseract writes them, on a PDF made by the real
tesseract, and on the public corpus's PDFs.
"""

from __future__ import annotations

import copy
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader, _cmap
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject, StreamObject

from examples import synthetic
from recordpack.scan import pdf, pdffonts
from recordpack.scan.base import Document, Source
from tests.prerequisites import require_tool

PERSON = synthetic.INVENTED_PEOPLE[0]
#: A 65,536-code identity map, as OCR programs write it: one entry per code.
FULL_MAP = 65_536


@pytest.fixture
def memo() -> Iterator[Callable[[Any], Any]]:
    """The memo installed and empty; yields pypdf's own parser (the memo's ``__wrapped__``)."""
    assert pdffonts.install(), "this pypdf has its /ToUnicode parser where the memo expects it"
    pdffonts.clear()
    yield _cmap._parse_to_unicode.__wrapped__  # type: ignore[attr-defined]
    pdffonts.clear()


def _texts(paths: list[Path]) -> list[str]:
    return [pdf._extract_text(PdfReader(p, strict=False))[0] for p in paths]


def _unmemoised_texts(
    paths: list[Path], parse: Callable[[Any], Any], monkeypatch: pytest.MonkeyPatch
) -> list[str]:
    with monkeypatch.context() as m:
        m.setattr(_cmap, "_parse_to_unicode", parse)
        return _texts(paths)


def _searchable(folder: Path, count: int) -> list[Path]:
    kinds = ("pathology_report", "imaging_report", "lab_result", "genomic_report", "clinical_note")
    return [
        synthetic.write_searchable_pdf(
            folder / f"scan-{i}.pdf",
            kind=kinds[i % len(kinds)],
            person=PERSON,
            service_date=date(2024, 3, 5 + i),
            seed=i,
            dpi=60,
        )
        for i in range(count)
    ]


def _counting(parse: Callable[[Any], Any], calls: list[int]) -> Callable[[Any], Any]:
    def counted(font: Any) -> Any:
        found = parse(font)
        if len(found[0]) >= FULL_MAP:
            calls.append(len(found[0]))
        return found

    return counted


def test_ocr_scans_read_the_same_text_with_the_memo(
    tmp_path: Path, memo: Callable[[Any], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _searchable(tmp_path, 4)
    assert sum(len(PdfReader(p).pages) for p in paths) > len(paths)  # several pages each
    plain = _unmemoised_texts(paths, memo, monkeypatch)
    assert all("PATIENT" in t.upper() or PERSON.family.upper() in t.upper() for t in plain)
    assert _texts(paths) == plain
    assert _texts(paths) == plain  # and again, from the kept maps


def test_each_map_is_built_once_per_process(
    tmp_path: Path, memo: Callable[[Any], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[int] = []
    paths = _searchable(tmp_path, 3)
    monkeypatch.setattr(_cmap, "_parse_to_unicode", pdffonts._memoized(_counting(memo, built)))
    pages = sum(len(PdfReader(p).pages) for p in paths)
    _texts(paths)
    assert built == [FULL_MAP], f"{pages} pages: the identity map was built {len(built)} times"
    # The cost the memo removes (and proof the count above can fail): without it,
    # every page builds the map again.
    built.clear()
    monkeypatch.setattr(_cmap, "_parse_to_unicode", _counting(memo, built))
    _texts(paths)
    assert len(built) == pages > len(paths)


def test_a_kept_map_cannot_be_changed_by_a_caller(
    tmp_path: Path, memo: Callable[[Any], Any]
) -> None:
    [path] = _searchable(tmp_path, 1)
    font = _first_page_fonts(path)["/F0"].get_object()
    assert isinstance(font, DictionaryObject)
    mapping, codes = _cmap._parse_to_unicode(font)
    for change in (
        lambda: mapping.__setitem__("A", "B"),
        lambda: mapping.update({"A": "B"}),
        lambda: mapping.pop("A"),
        lambda: mapping.clear(),
    ):
        with pytest.raises(TypeError):
            change()
    again, _ = _cmap._parse_to_unicode(font)
    assert again["A"] == "A" and len(again) == len(codes) == FULL_MAP
    # Still a dict to anyone who asks, and its copies are plain dicts others may change.
    assert isinstance(mapping, dict)
    for duplicate in (copy.copy(mapping), copy.deepcopy(mapping), mapping.copy()):
        assert type(duplicate) is dict and duplicate == mapping
        duplicate["A"] = "B"
    assert _cmap._parse_to_unicode(font)[0]["A"] == "A"


def _font_with_map(first: int, last: int, target: int) -> DictionaryObject:
    stream = DecodedStreamObject()
    stream.set_data(
        b"begincmap\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n1 beginbfrange\n"
        + b"<%04X> <%04X> <%04X>\nendbfrange\nendcmap\n" % (first, last, target)
    )
    return DictionaryObject({NameObject("/ToUnicode"): stream})


def _to_unicode(font: DictionaryObject) -> StreamObject:
    """A font's /ToUnicode stream."""
    stream = font["/ToUnicode"]
    assert isinstance(stream, StreamObject)
    return stream


def _first_page_fonts(path: Path) -> DictionaryObject:
    """The /Font resources of a PDF's first page."""
    resources = PdfReader(path).pages[0]["/Resources"]
    assert isinstance(resources, DictionaryObject)
    fonts = resources["/Font"]
    assert isinstance(fonts, DictionaryObject)
    return fonts


def test_the_memo_keeps_a_bounded_number_of_mappings(memo: Callable[[Any], Any]) -> None:
    for target in range(6):  # six distinct maps of 32,768 codes: more than the memo keeps
        mapping, _ = _cmap._parse_to_unicode(_font_with_map(0, 0x7FFF, 0x100 * target))
        assert len(mapping) == 0x8000
    assert pdffonts._held <= pdffonts.MAX_ENTRIES
    assert 0 < len(pdffonts._memo) < 6
    # The most recent maps are the ones kept.
    assert _cmap._parse_to_unicode(_font_with_map(0, 0x7FFF, 0x500))[0]["\x00"] == "\u0500"


def test_many_large_cmaps_of_few_mappings_do_not_fill_memory(memo: Callable[[Any], Any]) -> None:
    """A hostile PDF: every font's CMap is large (padded with comments) but maps one code."""
    padding = b"%" + b"x" * (pdffonts.MAX_KEY_BYTES // 2) + b"\n"
    for n in range(20):
        font = _font_with_map(n, n, 0x41)
        stream = _to_unicode(font)
        stream.set_data(padding + stream.get_data())
        assert _cmap._parse_to_unicode(font)[0] == {chr(n): "A"}
    kept = sum(len(key) for key in pdffonts._memo)
    assert kept == pdffonts._held_bytes <= pdffonts.MAX_KEYS_BYTES
    assert 0 < len(pdffonts._memo) < 20


def test_an_unfamiliar_pypdf_is_left_alone(
    memo: Callable[[Any], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_cmap, "_parse_to_unicode", memo)
    real_get_encoding = _cmap.get_encoding
    monkeypatch.setattr(_cmap, "get_encoding", lambda font: ({}, {}))
    assert pdffonts.install() is False
    assert _cmap._parse_to_unicode is memo
    # A parser that takes more than the font dictionary is not the one the memo knows.
    monkeypatch.setattr(_cmap, "get_encoding", real_get_encoding)
    monkeypatch.setattr(_cmap, "_parse_to_unicode", lambda font, space_code: memo(font))
    assert pdffonts.install() is False


def test_fonts_sharing_a_map_but_not_its_encoding_are_kept_apart(
    memo: Callable[[Any], Any],
) -> None:
    plain, other = _font_with_map(0, 0xFF, 0x41), _font_with_map(0, 0xFF, 0x41)
    other[NameObject("/Encoding")] = NameObject("/Identity-H")
    assert _cmap._parse_to_unicode(plain)[0] == _cmap._parse_to_unicode(other)[0]
    assert len(pdffonts._memo) == 2


def test_scanning_ocr_scans_finds_their_kinds(tmp_path: Path, memo: Callable[[Any], Any]) -> None:
    kinds = ("pathology_report", "imaging_report", "lab_result")
    for i, kind in enumerate(kinds):
        path = synthetic.write_searchable_pdf(
            tmp_path / f"{kind}.pdf",
            kind=kind,
            person=PERSON,
            service_date=date(2024, 5, 1 + i),
            seed=i,
        )
        [document] = [
            o
            for o in pdf.scan(Source.from_bytes(path.name, path.read_bytes()))
            if isinstance(o, Document)
        ]
        assert document.kind == kind
        assert document.date == f"2024-05-0{1 + i}"


@pytest.mark.interop
def test_a_pdf_made_by_tesseract_reads_the_same(
    tmp_path: Path, memo: Callable[[Any], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    tesseract = require_tool("tesseract", "tesseract-ocr")
    text = synthetic.report_text(
        kind="pathology_report", person=PERSON, service_date=date(2024, 3, 5)
    )
    head = "\n".join(text.splitlines()[:12])  # a short page: OCR takes seconds a full one
    synthetic.render_page_image(head, dpi=150).save(tmp_path / "page.png")
    subprocess.run(
        [tesseract, str(tmp_path / "page.png"), str(tmp_path / "ocr"), "pdf"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    path = tmp_path / "ocr.pdf"
    font = next(iter(_first_page_fonts(path).values())).get_object()
    assert len(memo(font)[0]) == FULL_MAP  # the real thing writes the full identity map
    plain = _unmemoised_texts([path], memo, monkeypatch)
    assert "PATHOLOGY" in plain[0].upper()
    assert _texts([path, path]) == plain * 2


def test_the_corpus_pdfs_read_the_same_text(
    corpus: Path, memo: Callable[[Any], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = sorted(corpus.rglob("*.pdf"))
    assert len(paths) >= 10
    plain = _unmemoised_texts(paths, memo, monkeypatch)
    assert _texts(paths) == plain
    assert _texts(paths) == plain
    assert pdffonts._memo, "the corpus's OCR'd reports (Acrobat Paper Capture) have maps to keep"


def test_the_pdf_scanner_puts_the_memo_in_place(tmp_path: Path) -> None:
    """In a new process (as a scan's worker is), reading one PDF installs the memo."""
    [path] = _searchable(tmp_path, 1)
    probe = (
        "import sys\n"
        "from pathlib import Path\n"
        "from pypdf import _cmap\n"
        "from recordpack.scan import pdf\n"
        "from recordpack.scan.base import Source\n"
        "path = Path(sys.argv[1])\n"
        "before = hasattr(_cmap._parse_to_unicode, '__wrapped__')\n"
        "pdf.scan(Source.from_bytes(path.name, path.read_bytes()))\n"
        "print(before, hasattr(_cmap._parse_to_unicode, '__wrapped__'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert done.stdout.split() == ["False", "True"]


def test_threads_reading_ocr_scans_at_once_read_the_same_text(
    tmp_path: Path, memo: Callable[[Any], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A library caller's scan runs on threads: they share the memo."""
    from concurrent.futures import ThreadPoolExecutor

    paths = _searchable(tmp_path, 6) * 2
    plain = _unmemoised_texts(paths, memo, monkeypatch)
    pdffonts.clear()
    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(lambda p: _texts([p])[0], paths)) == plain
    assert len(pdffonts._memo) == 1


# --- fuzz: hostile CMaps give what pypdf's own parser gives, and a scan survives them ---


def _outcome_of(parse: Callable[[Any], Any], font: DictionaryObject) -> tuple[str, Any]:
    try:
        mapping, codes = parse(font)
    except Exception as error:  # noqa: BLE001 - a hostile CMap may make pypdf raise anything
        return "raised", type(error).__name__
    return "parsed", (dict(mapping), list(codes))


@pytest.mark.timeout(120)
def test_mutated_cmaps_parse_as_pypdf_parses_them(memo: Callable[[Any], Any]) -> None:
    """Each mutant of the OCR programs' CMap, through the memo twice (built, then kept),
    gives exactly what pypdf's own parser gives: the same maps, or the same error."""
    from tests.fuzz_helpers import iterations, mutants, seed_for

    # (the CMap, mutants of it): the full map takes pypdf ~0.15 s a parse, the small one far less.
    seeds = (
        (synthetic._OCR_TO_UNICODE, iterations()),
        (_to_unicode(_font_with_map(0x20, 0x7E, 0x20)).get_data(), 8 * iterations()),
    )
    checked = 0
    for number, (seed, count) in enumerate(seeds):
        for label, cmap in mutants(seed, seed_for(f"cmap-{number}"), count):
            stream = DecodedStreamObject()
            stream.set_data(cmap)
            font = DictionaryObject({NameObject("/ToUnicode"): stream})
            expected = _outcome_of(memo, font)
            assert _outcome_of(_cmap._parse_to_unicode, font) == expected, label
            assert _outcome_of(_cmap._parse_to_unicode, font) == expected, label
            checked += expected[0] == "parsed"
    assert checked > 10
    assert pdffonts._held <= pdffonts.MAX_ENTRIES


@pytest.mark.timeout(120)
def test_mutants_of_an_ocr_scan_are_scanned_without_harm(
    tmp_path: Path, memo: Callable[[Any], Any]
) -> None:
    from tests.fuzz_helpers import iterations, mutants, scan_checked, seed_for, truncations

    path = synthetic.write_searchable_pdf(
        tmp_path / "scan.pdf",
        kind="pathology_report",
        person=PERSON,
        service_date=date(2024, 3, 5),
        dpi=20,
    )
    data = path.read_bytes()
    assert any(isinstance(o, Document) for o in scan_checked("scan.pdf", "scan.pdf", data).outcomes)
    for label, mutant in [*truncations(data), *mutants(data, seed_for("ocr-scan"), iterations())]:
        scan_checked(f"scan.pdf: {label}", "scan.pdf", mutant)
