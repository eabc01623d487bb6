"""Huge HL7 v2 batches and huge DICOM header elements are scanned in bounded memory,
with a plain problem naming the file when something is left unread."""

from __future__ import annotations

import struct
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from recordpack.model import Patient, Problem
from recordpack.scan import dicom, hl7v2
from recordpack.scan.base import DicomHeader, Document, Outcome, Source
from recordpack.scan.walk import HEADER_READ, open_file

pytestmark = pytest.mark.timeout(120)

_MiB = 1024 * 1024


def _element(group: int, element: int, vr: bytes, value: bytes) -> bytes:
    if vr in (b"OB", b"OW", b"SQ", b"UN", b"UT"):
        return struct.pack("<HH", group, element) + vr + b"\0\0" + struct.pack("<I", len(value)) + value
    return struct.pack("<HH", group, element) + vr + struct.pack("<H", len(value)) + value


def _ct_header() -> bytes:
    """The file meta and first elements of a CT image (explicit VR little endian)."""
    meta = (_element(2, 1, b"OB", b"\0\1") + _element(2, 2, b"UI", b"1.2.840.10008.5.1.4.1.1.2\0")
            + _element(2, 3, b"UI", b"1.2.3.4.5.6\0")
            + _element(2, 0x10, b"UI", b"1.2.840.10008.1.2.1\0"))
    return (b"\0" * 128 + b"DICM" + _element(2, 0, b"UL", struct.pack("<I", len(meta))) + meta
            + _element(8, 0x16, b"UI", b"1.2.840.10008.5.1.4.1.1.2\0")
            + _element(8, 0x18, b"UI", b"1.2.3.4.5.6\0") + _element(8, 0x60, b"CS", b"CT")
            + _element(0x10, 0x10, b"PN", b"FERNWOOD^ODALYS")
            + _element(0x20, 0x0D, b"UI", b"1.2.3.4.7\0"))


def _write_ct(path: Path, private_sizes: list[int]) -> None:
    """A CT image whose header holds private OB elements of these sizes before its
    pixel data, written sparse (the elements cost no disk space)."""
    with path.open("wb") as out:
        out.write(_ct_header())
        for number, size in enumerate(private_sizes):
            out.write(struct.pack("<HH", 0x0009, 0x1010 + number) + b"OB\0\0" + struct.pack("<I", size))
            out.seek(size, 1)
        out.write(_element(0x7FE0, 0x10, b"OW", b"\0" * 512))


def _source(path: Path) -> Source:
    """The file as the walker hands a large DICOM image to scan: its head, then the file."""
    with path.open("rb") as stream:
        head = stream.read(HEADER_READ)
    return Source(path.name, path.stat().st_size, None, head, opener=lambda: open_file(path))


def _peak_mib(scan: Callable[[], list[Outcome]]) -> tuple[list[Outcome], float]:
    """What ``scan`` returns and the most memory Python held while it ran, in MiB
    (after a first run, which imports what it needs)."""
    scan()
    tracemalloc.start()
    try:
        outcomes = scan()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return outcomes, peak / _MiB


def test_a_huge_private_element_is_skipped_not_read(tmp_path: Path) -> None:
    path = tmp_path / "IM000001.dcm"
    _write_ct(path, [200 * _MiB])
    outcomes, peak = _peak_mib(lambda: dicom.scan(_source(path)))
    [header] = outcomes
    assert isinstance(header, DicomHeader)
    assert (header.modality, header.patient.name) == ("CT", "FERNWOOD^ODALYS")
    assert header.study_instance_uid == "1.2.3.4.7"
    # Read whole, the element alone is 200 MiB.
    assert peak < 16, f"the scan held {peak:.0f} MiB"


def test_a_header_of_many_large_elements_is_refused_unread(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Each element under the size skipped, together far over what a header may hold
    # (scaled down from 16 MiB and 64 MiB).
    monkeypatch.setattr(dicom, "DEFER_BYTES", 2 * _MiB)
    monkeypatch.setattr(dicom, "MAX_HEADER_BYTES", 8 * _MiB)
    path = tmp_path / "IM000002.dcm"
    _write_ct(path, [_MiB + 2] * 12)
    outcomes, peak = _peak_mib(lambda: dicom.scan(_source(path)))
    [problem] = outcomes
    assert isinstance(problem, Problem) and problem.path == "IM000002.dcm"
    assert problem.code == "unreadable"
    assert "its header holds more than" in problem.message
    assert "absurdly large element" in problem.message
    assert peak < 12, f"the scan held {peak:.0f} MiB"


def test_deeply_nested_sequences_are_a_plain_problem(tmp_path: Path) -> None:
    item = struct.pack("<HH", 0x0040, 0xA730) + b"SQ\0\0\xff\xff\xff\xff" + struct.pack(
        "<HHI", 0xFFFE, 0xE000, 0xFFFFFFFF)
    end = struct.pack("<HHI", 0xFFFE, 0xE00D, 0) + struct.pack("<HHI", 0xFFFE, 0xE0DD, 0)
    data = _ct_header() + item * 5000 + end * 5000
    [problem] = dicom.scan(Source.from_bytes("deep.dcm", data))
    assert isinstance(problem, Problem) and problem.code == "unreadable"
    assert "its header nests sequences too deeply to read" in problem.message
    assert "Error" not in problem.message


def _batch(count: int, *, one_person: bool) -> bytes:
    """An HL7 v2 batch of ``count`` ORU messages: one (invented) person's, or each another's."""
    lines = []
    for number in range(count):
        who = 0 if one_person else number
        lines.append(
            f"MSH|^~\\&|LAB|HOSP|RCV|FAC|20260820||ORU^R01|{number}|P|2.5\r"
            f"PID|1||{who}^^^H^MR||QUENBY{who}^ISOLDE||19620314|F\r"
            f"OBR|1|||CBC|||202608{number % 28 + 1:02d}\r"
            f"OBX|1|NM|WBC||{number % 9 + 2}|10*9/L|4-11||||F\r")
    return "".join(lines).encode()


def test_a_batch_of_many_people_lists_at_most_500_and_says_how_many_not() -> None:
    data = _batch(20_000, one_person=False)
    outcomes, peak = _peak_mib(lambda: hl7v2.scan(Source.from_bytes("results.hl7", data)))
    documents = [o for o in outcomes if isinstance(o, Document)]
    [problem] = [o for o in outcomes if isinstance(o, Problem)]
    assert len(documents) == 500
    assert documents[0].part == "message 1" and documents[0].patient.name == "QUENBY0, ISOLDE"
    assert documents[-1].part == "message 500"
    assert problem.code == "partly_read" and problem.path == "results.hl7"
    assert "holds 20,000 messages" in problem.message
    assert "the other 19,500 were not listed" in problem.message
    # Every message's record held at once grew with the batch (500 MB for a 16 MB one).
    assert peak < 8, f"the scan held {peak:.0f} MiB"


def test_one_persons_long_batch_is_one_record_read_in_one_pass(
        monkeypatch: pytest.MonkeyPatch) -> None:
    compared = 0
    same_person = hl7v2._same_person

    def counted(first: Patient, second: Patient) -> bool:
        nonlocal compared
        compared += 1
        return same_person(first, second)

    monkeypatch.setattr(hl7v2, "_same_person", counted)
    [record] = hl7v2.scan(Source.from_bytes("results.hl7", _batch(2000, one_person=True)))
    assert isinstance(record, Document) and record.part is None
    assert record.title == "CBC (2000 messages)" and record.date == "2026-08-28"
    assert record.patient.name == "QUENBY0, ISOLDE"
    # Every message against every other (4 million comparisons) made a 16 MB batch of
    # one person's results take hours; each new message is compared with the few
    # people already seen.
    assert compared <= 2000, f"{compared} comparisons of two patients"
