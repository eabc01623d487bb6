"""The folder walker: hashing, clutter, symlinks, duplicates, corrections, no changes."""

from __future__ import annotations

import hashlib
import os
import shutil
import time
import zipfile
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydicom.uid import generate_uid

from recordpack.cli import main
from recordpack.errors import InputError, UsageError
from recordpack.model import KINDS
from recordpack.scan import load_corrections, parse_labels, scan_folder, walk
from recordpack.scan.base import HEAD_SIZE, Source
from tests.pack_folder import pdf_bytes
from tests.scan_helpers import make_dataset, snapshot, write_part10, write_raw


def _ct_series(folder: Path, count: int, *, study: str, series: str, prefix: str = "IM") -> None:
    for number in range(1, count + 1):
        ds = make_dataset(study_uid=study, series_uid=series, instance=number)
        write_part10(ds, folder / f"{prefix}{number:04d}")


@pytest.fixture
def records_folder(tmp_path: Path) -> Path:
    """A small patient folder: a CD copy, a portal zip, clutter, a duplicate, a link."""
    root = tmp_path / "records"
    study = generate_uid()
    _ct_series(root / "CD" / "DICOM" / "S1", 3, study=study, series=generate_uid())
    write_raw(
        make_dataset(study_uid=study, series_uid=generate_uid(), instance=1, series_number=2),
        root / "CD" / "DICOM" / "S2" / "00000001",
    )
    (root / "CD" / "DICOMDIR").write_bytes(b"\x00" * 128 + b"DICM")
    (root / "CD" / "AUTORUN.INF").write_text("[autorun]\nopen=viewer.exe\n")
    (root / "CD" / "Viewer").mkdir()
    (root / "CD" / "Viewer" / "viewer.exe").write_bytes(b"MZ" + b"\x00" * 100)
    (root / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (root / "notes.xyz").write_bytes(b"\x07\x08 binary stuff nobody reads")
    (root / "empty.pdf").write_bytes(b"")
    shutil.copy(root / "CD" / "DICOM" / "S1" / "IM0001", root / "copy of IM0001")
    with zipfile.ZipFile(root / "portal.zip", "w") as archive:
        archive.write(root / "CD" / "DICOM" / "S1" / "IM0002", "export/IM0002.dcm")
        archive.writestr("__MACOSX/._IM0002.dcm", b"junk")
    (root / "link-out").symlink_to("/etc/hostname")
    (root / "link-in").symlink_to(root / "notes.xyz")
    return root


def test_every_file_is_hashed_once_and_listed(records_folder: Path) -> None:
    result = scan_folder(records_folder)
    on_disk = {
        str(path.relative_to(records_folder)): path
        for path in records_folder.rglob("*")
        if path.is_file() and not path.is_symlink()
    }
    skipped = {s.path for s in result.skipped}
    for rel, path in on_disk.items():
        if rel in skipped or rel.startswith("CD/Viewer/"):
            continue
        info = result.files[rel]
        assert info.size == path.stat().st_size
        assert info.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    # The zip member is listed with its own hash, under archive!member.
    member = result.files["portal.zip!export/IM0002.dcm"]
    expected = (records_folder / "CD" / "DICOM" / "S1" / "IM0002").read_bytes()
    assert member.sha256 == hashlib.sha256(expected).hexdigest()


def test_clutter_links_and_viewer_are_skipped_with_reasons(records_folder: Path) -> None:
    result = scan_folder(records_folder)
    reasons = {s.path: s.reason for s in result.skipped}
    assert "DICOM directory index" in reasons["CD/DICOMDIR"]
    assert "viewer" in reasons["CD/Viewer/"].lower()
    assert "viewer" in reasons["CD/AUTORUN.INF"].lower()
    assert reasons[".DS_Store"] == "system file"
    assert "not followed" in reasons["link-out"] and "not followed" in reasons["link-in"]
    assert "portal.zip!__MACOSX/._IM0002.dcm" in reasons
    assert not any(path.startswith(("CD/Viewer", "link")) for path in result.files)


def test_duplicates_are_one_record_and_a_problem(records_folder: Path) -> None:
    result = scan_folder(records_folder)
    (study,) = [r for r in result.records if r.kind == "imaging_study"]
    # 4 distinct instances; the two byte-identical copies are not counted again.
    assert study.study is not None and study.study.instance_count == 4
    assert len(study.study.series) == 2
    duplicates = {p.path: p.duplicate_of for p in result.problems if p.code == "duplicate"}
    assert duplicates == {
        "copy of IM0001": "CD/DICOM/S1/IM0001",
        "portal.zip!export/IM0002.dcm": "CD/DICOM/S1/IM0002",
    }
    assert "copy of IM0001" in result.files


def test_bad_files_are_problems_and_the_rest_still_scans(records_folder: Path) -> None:
    result = scan_folder(records_folder)
    codes = {p.path: p.code for p in result.problems}
    assert codes["empty.pdf"] == "unreadable"
    assert codes["notes.xyz"] == "unsupported"
    assert any(r.kind == "imaging_study" for r in result.records)


def test_a_crashing_scanner_becomes_an_unreadable_problem(
    records_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from recordpack.scan import dicom

    real = dicom.scan

    def explode(source: Source) -> list[object]:
        if source.path.endswith("IM0003"):
            raise RuntimeError("simulated scanner bug")
        return real(source)  # type: ignore[return-value]

    monkeypatch.setattr(dicom, "scan", explode)
    result = scan_folder(records_folder)
    problem = next(p for p in result.problems if p.path == "CD/DICOM/S1/IM0003")
    assert problem.code == "unreadable" and "simulated scanner bug" in problem.message
    (study,) = [r for r in result.records if r.kind == "imaging_study"]
    assert study.study is not None and study.study.instance_count == 3


def test_results_are_deterministic_and_sorted(records_folder: Path) -> None:
    first = scan_folder(records_folder).to_json()
    second = scan_folder(records_folder).to_json()
    assert first == second
    order = [KINDS.index(r["kind"]) for r in first["records"]]
    assert order == sorted(order)


def test_progress_reports_every_file(records_folder: Path) -> None:
    calls: list[tuple[int, int]] = []
    scan_folder(records_folder, progress=lambda done, total: calls.append((done, total)))
    total = calls[-1][1]
    assert calls[0] == (0, total) and calls[-1] == (total, total)
    assert [done for done, _ in calls] == list(range(total + 1))


def test_missing_or_file_root_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such folder"):
        scan_folder(tmp_path / "nope")
    (tmp_path / "a.pdf").write_bytes(b"%PDF-1.4")
    with pytest.raises(InputError, match="is a file"):
        scan_folder(tmp_path / "a.pdf")


def test_unreadable_file_is_a_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # CI runs as root, who may read any file: the refusal is simulated at the open.
    (tmp_path / "secret.pdf").write_bytes(b"%PDF-1.4 x")
    (tmp_path / "fine.txt").write_text("Clinic note. Seen today.\n")
    real_open = os.open

    def refuse_secret(path: object, flags: int, *args: object) -> int:
        if str(path).endswith("secret.pdf"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", refuse_secret)
    result = scan_folder(tmp_path)
    assert [(p.path, p.code) for p in result.problems] == [("secret.pdf", "unreadable")]
    assert "not allowed" in result.problems[0].message
    assert [r.files for r in result.records] == [("fine.txt",)]


def test_head_and_hash_at_chunk_edges(tmp_path: Path) -> None:
    for size in (0, 1, HEAD_SIZE - 1, HEAD_SIZE, HEAD_SIZE + 1, walk.CHUNK_SIZE + 1):
        data = os.urandom(size)
        path = tmp_path / f"f{size}"
        path.write_bytes(data)
        read = walk.read_file(path, whole=True)
        assert read.size == size
        assert read.sha256 == hashlib.sha256(data).hexdigest()
        assert read.head == data[:HEAD_SIZE]
        assert read.crc32 == zlib.crc32(data)


# --------------------------------------------------------------------------- corrections


def test_label_corrects_a_kind_and_says_so(records_folder: Path) -> None:
    corrections = parse_labels(["CD/DICOM/S1/IM0001=other"])
    result = scan_folder(records_folder, corrections=corrections)
    (record,) = [r for r in result.records if "CD/DICOM/S1/IM0001" in r.files]
    assert record.kind == "other" and record.corrected_from == "imaging_study"
    assert record.confidence == 1.0 and record.evidence[0] == "corrected by the user"
    assert record.to_json()["corrected_from"] == "imaging_study"


def test_correction_of_a_problem_file_creates_a_record(records_folder: Path) -> None:
    result = scan_folder(records_folder, corrections=parse_labels(["notes.xyz=clinical_note"]))
    (record,) = [r for r in result.records if r.files == ("notes.xyz",)]
    assert record.kind == "clinical_note"


def test_corrections_file_and_its_errors(records_folder: Path, tmp_path: Path) -> None:
    good = tmp_path / "fix.csv"
    good.write_text('path,kind\n# a comment\n\n"CD/DICOM/S1/*",other\n')
    result = scan_folder(records_folder, corrections=load_corrections(good))
    assert any(r.corrected_from == "imaging_study" for r in result.records)

    bad_kind = tmp_path / "bad.csv"
    bad_kind.write_text("notes.xyz,clinical_note\nnotes.xyz,xray\n")
    with pytest.raises(UsageError, match=r"bad.csv line 2: 'xray' is not a record kind"):
        load_corrections(bad_kind)

    nothing = tmp_path / "nothing.csv"
    nothing.write_text("missing.pdf,lab_result\n")
    with pytest.raises(UsageError, match=r"nothing.csv line 1: 'missing.pdf' matches no file"):
        scan_folder(records_folder, corrections=load_corrections(nothing))

    with pytest.raises(UsageError, match="expected PATH=KIND"):
        parse_labels(["just-a-path"])


# --------------------------------------------------------------------------- no changes


def test_scan_changes_nothing_in_the_folder(records_folder: Path) -> None:
    # Access times in the past: a plain read would update them (relatime rules).
    past = time.time() - 10 * 24 * 3600
    for path in [*records_folder.rglob("*"), records_folder]:
        if not path.is_symlink():
            os.utime(path, (past, path.stat().st_mtime))
    before = snapshot(records_folder)
    result = CliRunner().invoke(main, ["scan", str(records_folder)])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(main, ["scan", "--json", str(records_folder)])
    assert result.exit_code == 0
    after = snapshot(records_folder)
    assert after == before


def test_clutter_table_and_unsupported_hints(tmp_path: Path) -> None:
    from recordpack.scan import clutter

    assert clutter.file_reason("CD/VIEWER.INI") is not None
    assert clutter.file_reason("a/__MACOSX/b/report.pdf") is not None
    assert clutter.file_reason("Downloads/~$letter.docx") is not None
    assert clutter.file_reason("Downloads/report(3).pdf") is None
    assert clutter.file_reason("README.TXT") is None  # may be a report on disk...
    assert (
        clutter.file_reason("README.TXT", in_archive=True) == clutter.PORTAL_INDEX
    )  # ...not in a zip
    (tmp_path / "records.7z").write_bytes(b"7z\xbc\xaf\x27\x1c" + b"\x00" * 30)
    (tmp_path / "letter.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 30)
    hints = {p.path: p.hint or "" for p in scan_folder(tmp_path).problems}
    assert "unpack it" in hints["records.7z"]
    assert "save it as PDF" in hints["letter.doc"]


PATHOLOGY = (
    "SURGICAL PATHOLOGY REPORT\nPatient: TESTPERSON, ALICE\nFINAL DIAGNOSIS\n"
    "Invasive ductal carcinoma, grade 2. Margins negative.\n"
)


@pytest.mark.parametrize(
    ("names", "original"),
    [
        (["Downloads/report(3) (1).pdf", "Downloads/report(3).pdf"], "Downloads/report(3).pdf"),
        (["a/Copy of visit.txt", "z/visit.txt"], "z/visit.txt"),
        (["visit - Copy.txt", "visit.txt"], "visit.txt"),
        (["visit copy 2.txt", "visit.txt"], "visit.txt"),
        (["result-1.txt", "result.txt"], "result.txt"),
        (["MyChart/deep/visit.txt", "visit.txt"], "visit.txt"),  # then the shallower path
        (["b/visit.txt", "a/visit.txt"], "a/visit.txt"),  # then sorted order
        (["visit.txt", "portal.zip!visit.txt"], "visit.txt"),  # a file on disk over a member
    ],
)
def test_the_copy_a_person_would_keep_is_the_record(
    tmp_path: Path, names: list[str], original: str
) -> None:
    root = tmp_path / "records"
    for name in names:
        if "!" in name:
            archive_name, member = name.split("!")
            with zipfile.ZipFile(root / archive_name, "w") as archive:
                archive.writestr(member, PATHOLOGY)
            continue
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if name.endswith(".pdf"):
            path.write_bytes(pdf_bytes(*PATHOLOGY.splitlines()))
        else:
            path.write_text(PATHOLOGY)
    for _ in range(2):  # deterministic whatever order the threads finish in
        result = scan_folder(root)
        assert [r.files for r in result.records] == [(original,)]
        duplicates = {p.path: p.duplicate_of for p in result.problems if p.code == "duplicate"}
        assert duplicates == {name: original for name in names if name != original}


DISC_README = (
    "Lakeside Imaging\nPatient imaging CD\n\nThis disc holds the images of your examination(s) "
    "in the DICOM format.\nTo view them on Windows, open VIEWER\\IVIEWER.EXE.\n"
)
RADIOLOGY_REPORT = (
    "EXAM: MAMMOGRAM BILATERAL DIAGNOSTIC\nDATE: 2025-03-14\n\nFINDINGS:\n"
    "A 12 mm irregular mass in the left breast at 2 o'clock.\n\nIMPRESSION:\nBI-RADS 5.\n"
)


@pytest.mark.parametrize("marker", ["DICOMDIR", "DICOM/"])
def test_imaging_disc_information_is_skipped_but_reports_are_read(
    tmp_path: Path, marker: str
) -> None:
    root = tmp_path / "records"
    cd = root / "Imaging CD"
    _ct_series(cd / "DICOM" / "S1", 1, study=generate_uid(), series=generate_uid())
    if marker == "DICOMDIR":
        (cd / "DICOMDIR").write_bytes(b"\x00" * 128 + b"DICM")
    (cd / "README.TXT").write_text(DISC_README)
    (cd / "INFO.TXT").write_text("Disc created 2025-03-15 by the film library.\n")
    (cd / "LICENSE.txt").write_text("The viewer is licensed, not sold.\n")
    (cd / "REPORT.TXT").write_text(RADIOLOGY_REPORT)
    # Named like disc information, but a report: it is read.
    (cd / "Read me first.txt").write_text(RADIOLOGY_REPORT + "Prior: none.\n")
    # The same README outside an imaging CD is an ordinary file.
    (root / "README.TXT").write_text(DISC_README)

    result = scan_folder(root)
    reasons = {s.path: s.reason for s in result.skipped}
    for name in ("README.TXT", "INFO.TXT", "LICENSE.txt"):
        assert reasons[f"Imaging CD/{name}"] == "imaging disc information (not a report)"
    reports = {f for r in result.records if r.kind == "imaging_report" for f in r.files}
    assert {"Imaging CD/REPORT.TXT", "Imaging CD/Read me first.txt"} <= reports
    assert "README.TXT" not in reasons
    assert "README.TXT" in result.files


def test_clutter_rules_match_as_fnmatch_does_first_rule_first() -> None:
    """The rule tables, compiled into one pattern each, give the first matching
    rule's reason for every name, as a loop over fnmatch would."""
    import fnmatch

    from recordpack.scan import clutter

    tables = (
        (clutter.DIRECTORY_RULES, clutter._DIRECTORIES),
        (clutter.FILE_RULES, clutter._FILES),
        (clutter.ARCHIVE_FILE_RULES, clutter._ARCHIVE_FILES),
    )
    names = ["IM000001", "report.pdf", "Scan 2024.JPG", "a\nb.tmp", "DICOMDIR", ""]
    for rules, _ in tables:
        for pattern, _ in rules:
            names += [pattern.replace("*", "x"), pattern.replace("*", ""), pattern.upper()]
    matched = 0
    for rules, compiled in tables:
        for name in names:
            expected = next(
                (reason for pattern, reason in rules if fnmatch.fnmatchcase(name.lower(), pattern)),
                None,
            )
            assert clutter._match(compiled, name) == expected, name
            matched += expected is not None
    assert matched >= len(names) // 2  # most names made from the rules match one


def test_a_folder_nested_deeper_than_the_interpreters_stack_is_still_listed(
    tmp_path: Path,
) -> None:
    """A folder 1,500 levels deep (a broken sync tool, a hostile folder) is listed
    like any other: no recursion runs out, and one folder is open at a time."""
    import resource

    root = tmp_path / "records"
    root.mkdir()
    (root / "a-note.txt").write_text("Clinic note\nSeen today.\n")
    here = os.open(root, os.O_RDONLY)
    try:
        for _ in range(1500):  # created relative to the last level: no path is too long
            os.mkdir("d", dir_fd=here)
            below = os.open("d", os.O_RDONLY, dir_fd=here)
            os.close(here)
            here = below
        with open(os.open("deep-note.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=here), "w") as f:
            f.write("Clinic note\nSeen deep down.\n")
    finally:
        os.close(here)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(256, hard), hard))  # fewer than the levels
    try:
        result = scan_folder(root)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
        _remove_nested(root, 1500)
    assert sorted(path.rsplit("/", 1)[-1] for path in result.files) == ["a-note.txt", "deep-note.txt"]
    assert max(path.count("/") for path in result.files) == 1500
    assert len(result.records) == 2 and not result.problems


def _remove_nested(root: Path, levels: int) -> None:
    """Remove ``levels`` nested "d" folders under ``root`` without recursion
    (shutil.rmtree, which pytest's clean-up uses, recurses once per level)."""
    back = os.getcwd()
    try:
        os.chdir(root)
        for _ in range(levels):
            os.chdir("d")
        for name in os.listdir("."):
            os.remove(name)  # the deep note
        for _ in range(levels):
            os.chdir("..")
            os.rmdir("d")
    finally:
        os.chdir(back)
