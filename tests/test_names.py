"""Patient identity: name variants of one person, and records of someone else."""

from __future__ import annotations

import pytest

from recordpack.identity import (
    NameMatch,
    compare_names,
    find_mismatches,
    parse_name,
    same_birth_date,
)
from recordpack.model import Patient, Record

SAME_AS_THOMPSON = [
    "THOMPSON^MARGARET^A",
    "Thompson, Margaret A",
    "Margaret A. Thompson",
    "MARGARET THOMPSON",
    "Thompson, Margaret Anne",
    "Margaret Anne Thompson",
    "Mrs. Margaret Thompson",
    # A suffix on one side only ("Thompson Jr., Margaret") is a doubt: test_identity_truth.
    "Márgaret Thómpson",
    "Peggy Thompson",
    "THOMPSON^MARGARET^^MRS",
    "Patient: Margaret Thompson",
]


@pytest.mark.parametrize("variant", SAME_AS_THOMPSON)
def test_ways_of_writing_one_name_are_the_same_person(variant: str) -> None:
    assert compare_names(parse_name("Margaret A. Thompson"), parse_name(variant)) is NameMatch.SAME


@pytest.mark.parametrize("other", ["John Thompson", "Margaret Wilson", "Chen, Robert", "M. Smith"])
def test_a_different_first_or_last_name_is_another_person(other: str) -> None:
    assert (
        compare_names(parse_name("THOMPSON^MARGARET^A"), parse_name(other)) is NameMatch.DIFFERENT
    )


def test_one_letter_apart_is_near_not_same() -> None:
    assert compare_names(parse_name("Margaret Thompson"), parse_name("Margaret Thomson")) is (
        NameMatch.NEAR
    )


@pytest.mark.parametrize("blank", [None, "", "   ", "MRN 00482913"])
def test_nothing_to_compare_is_unknown(blank: str | None) -> None:
    assert compare_names(parse_name("Margaret Thompson"), parse_name(blank)) is NameMatch.UNKNOWN


def test_birth_dates_with_day_and_month_swapped_are_the_same() -> None:
    assert same_birth_date("1962-03-04", "1962-04-03")
    assert not same_birth_date("1962-03-14", "1962-03-15")


def _record(
    path: str,
    name: str | None,
    dob: str | None = None,
    *,
    fmt: str = "pdf",
    confidence: float = 0.9,
    mrn: str | None = None,
) -> Record:
    return Record(
        kind="clinical_note" if fmt != "dicom" else "imaging_study",
        title="t",
        date=None,
        files=(path,),
        patient=Patient(name, dob, mrn),
        confidence=confidence,
        format=fmt,
    )


def test_clean_folder_has_no_mismatch() -> None:
    records = [
        _record(f"r{i}.pdf", v, "1962-03-14", mrn=str(i)) for i, v in enumerate(SAME_AS_THOMPSON)
    ]
    consensus = find_mismatches(records)
    assert consensus.mismatches == ()
    assert consensus.birth_date == "1962-03-14"
    assert consensus.name is not None and "THOMPSON" in consensus.name.upper()


def test_misfiled_record_is_flagged_by_consensus() -> None:
    records = [
        _record("a.pdf", "Thompson, Margaret A", "1962-03-14"),
        _record("b.pdf", "MARGARET THOMPSON", None),
        _record("disc/IM1", "THOMPSON^MARGARET", "1962-03-14", fmt="dicom"),
        _record("misfiled.pdf", "Robert Chen", "1955-07-02", mrn="991"),
    ]
    mismatches = find_mismatches(records).mismatches
    assert [m.record.files for m in mismatches] == [("misfiled.pdf",)]
    message = mismatches[0].message
    assert message.startswith("misfiled.pdf")
    assert "Robert Chen" in message and "1955-07-02" in message and "991" in message


def test_a_different_birth_date_alone_is_flagged() -> None:
    records = [
        _record("a.pdf", "Margaret Thompson", "1962-03-14"),
        _record("b.pdf", "Margaret Thompson", "1962-03-14"),
        _record("c.pdf", "Margaret Thompson", "1971-11-30"),
    ]
    mismatches = find_mismatches(records).mismatches
    assert [m.record.files[0] for m in mismatches] == ["c.pdf"]
    assert "1971-11-30" in mismatches[0].message


def test_ocr_slip_is_tolerated_but_a_typed_one_is_questioned() -> None:
    base = [_record("a.pdf", "Margaret Thompson"), _record("b.pdf", "Thompson, Margaret")]
    ocr = find_mismatches(base + [_record("scan.jpg", "Margaret Thomson", fmt="image")])
    assert ocr.mismatches == ()
    typed = find_mismatches(base + [_record("c.pdf", "Margaret Thomson")]).mismatches
    assert len(typed) == 1 and typed[0].near
    assert "may belong to another patient" in typed[0].message


def test_dicom_headers_outweigh_a_single_document() -> None:
    records = [
        _record("disc/1", "THOMPSON^MARGARET", fmt="dicom", confidence=0.5),
        _record("disc/2", "THOMPSON^MARGARET", fmt="dicom", confidence=0.5),
        _record("letter.pdf", "John Wilson", confidence=0.6),
    ]
    assert [m.record.files[0] for m in find_mismatches(records).mismatches] == ["letter.pdf"]


@pytest.mark.parametrize("name", ["やまだ^たろう", "قباني^لنزار", "Ιωάννου^Μαρία"])
def test_names_in_other_scripts_are_compared_not_dropped(name: str) -> None:
    assert compare_names(parse_name(name), parse_name(name)) is NameMatch.SAME
    assert compare_names(parse_name(name), parse_name("Margaret Thompson")) is NameMatch.DIFFERENT
