"""How a bundle's index reads to a specialist in the terminal."""

from __future__ import annotations

from recordpack.render.text import render_index


def test_a_large_study_is_summarised_by_its_folder_not_listed_slice_by_slice() -> None:
    files = [f"data/imaging/PT000000/ST000000/SE00000{s}/IM{i:06d}" for s in (0, 1) for i in range(1500)]
    index = {
        "patient": {"name": "Doe, Jane Q", "birth_date": "1960-01-02", "id": None},
        "records": [
            {
                "kind": "imaging_study",
                "title": "CT CHEST (CT, 2 series, 3000 images)",
                "date": "2026-10-08",
                "files": files,
                "study": {"modalities": ["CT"], "series_count": 2, "instance_count": 3000},
            },
            {
                "kind": "pathology_report",
                "title": "Surgical pathology report",
                "date": "2026-08-14",
                "files": ["data/records/01-pathology_report/2026-08-14_surgical-pathology-report.pdf"],
            },
        ],
    }
    text = "\n".join(render_index(index))
    assert "3000 files in data/imaging/PT000000/ST000000/" in text
    assert "IM000001" not in text
    assert text.count("3000 images") == 1  # the title's counts are not repeated
    assert "data/records/01-pathology_report/2026-08-14_surgical-pathology-report.pdf" in text


def test_sizes_read_as_a_file_manager_shows_them() -> None:
    from recordpack.bundle.format import human_size

    assert human_size(999) == "999 bytes"
    assert human_size(1536) == "1.5 KB"
    assert human_size(1_075_462_408) == "1.1 GB"


def test_a_record_its_sender_withdrew_or_left_preliminary_says_so() -> None:
    from recordpack.bundle.html import _records_html

    record = {
        "kind": "pathology_report",
        "title": "Surgical pathology report",
        "date": "2026-08-14",
        "files": ["data/records/01-pathology_report/2026-08-14_report.json"],
        "original_files": ["portal/report.json"],
        "problems": [],
    }
    for status, words in (("entered_in_error", "entered in error"), ("preliminary", "preliminary (not final)")):
        index = {"patient": {}, "records": [dict(record, status=status)]}
        assert f"marked {words} by its sender" in "\n".join(render_index(index))
        assert f"Marked {words} by its sender." in _records_html(index)
    plain = {"patient": {}, "records": [record]}
    assert "by its sender" not in "\n".join(render_index(plain)) + _records_html(plain)
