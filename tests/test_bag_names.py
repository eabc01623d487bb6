"""Names in the bag: what pack writes, open opens, whatever the source files are called.

The layout makes every bag path unique by the very rule open refuses colliding
names with (:func:`recordpack.bundle.safety.normalized_key`: case and Unicode
normalisation ignored, as macOS and Windows do), keeps every generated name
within the lengths open accepts, and keeps extensions of several parts whole.
"""

from __future__ import annotations

import hashlib
import io
import re
import string
import tarfile
import unicodedata
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recordpack.bundle import format as fmt
from recordpack.bundle.index_model import bag_path_problem
from recordpack.bundle.layout import plan_bag, slugify
from recordpack.bundle.pack import _member
from recordpack.bundle.safety import MemberProblem, UnsafeMemberError, check_members
from recordpack.errors import BundleError
from recordpack.model import FileInfo, Patient, Problem, Record, ScanResult
from recordpack.scan.report import render_problems
from tests.bag_scans import NOTE, archives_scan, digest
from tests.cli_runs import run

CAFE_NFC = unicodedata.normalize("NFC", "café")
CAFE_NFD = unicodedata.normalize("NFD", "café")
assert CAFE_NFC != CAFE_NFD


def reader_problems(bag: str, paths: list[str]) -> list[MemberProblem]:
    """What open's member check says of a ZIP holding ``paths`` in ``bag`` (tag files too)."""
    infos = []
    for name in (fmt.BAGIT_TXT, fmt.MANIFEST, fmt.INDEX_JSON, *paths):
        info = zipfile.ZipInfo(f"{bag}/{name}")
        info.create_system = 3
        info.external_attr = 0o644 << 16
        info.file_size = info.compress_size = 1
        infos.append(info)
    found_bag, problems = check_members(infos)
    assert found_bag == bag
    return problems + [
        MemberProblem(p, "index", reason)
        for p in paths
        if (reason := bag_path_problem(p)) is not None
    ]


# Letters that look the same to macOS or Windows in another form: case, composed
# and decomposed accents, ß/ss, the Kelvin sign, the ff ligature, wide characters.
_LOOKALIKES = ["a", "A", "e", "E", "é", "É", "\u0301", "ß", "s", "S", "K", "\u212a", "ﬀ", "f"]
_LETTERS = st.sampled_from([*_LOOKALIKES, "_", "2", ".", " ", "日", "-"])


def _within_255_bytes(text: str) -> str:
    cut = text.encode("utf-8")[:255].decode("utf-8", "ignore")
    return "x" if cut in ("", ".", "..") else cut


_COMPONENT = st.one_of(
    st.text(_LETTERS, min_size=1, max_size=6),
    # Names at the file-system limit, where recordpack's own "_2" must not overflow.
    st.builds(
        lambda letter, tail: letter * 255 + tail,
        st.sampled_from(["a", "A", "é", "É", "日", "e\u0301"]),
        st.sampled_from(["", ".zip", ".tar.gz", ".nii.gz", "_2.zip"]),
    ),
).map(_within_255_bytes)


def _is_tree(paths: list[str]) -> bool:
    """Whether ``paths`` can all exist on a (case-sensitive) disk: no file is a folder."""
    folders = {p.rsplit("/", i)[0] for p in paths for i in range(1, p.count("/") + 1)}
    return not folders & set(paths)


_SOURCES = (
    st.lists(st.lists(_COMPONENT, min_size=1, max_size=3).map("/".join), min_size=1, max_size=8)
    .map(lambda paths: list(dict.fromkeys(paths)))
    .filter(_is_tree)
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(_SOURCES)
def test_any_source_names_give_bag_paths_open_accepts(sources: list[str]) -> None:
    plan = plan_bag(archives_scan(sources), "20261130")
    paths = [f.path for f in plan.files]
    originals = [f for f in plan.files if f.role == fmt.FILE_ROLE_ORIGINAL]
    assert sorted(f.source for f in originals) == sorted(sources)  # every archive, once
    assert reader_problems(plan.bag, paths) == []


def both_forms(names: list[str]) -> bool:
    """Whether ``names`` are café.zip and café_2.zip, one in each Unicode form."""
    return sorted(names) in (
        sorted([f"{CAFE_NFC}.zip", f"{CAFE_NFD}_2.zip"]),
        sorted([f"{CAFE_NFD}.zip", f"{CAFE_NFC}_2.zip"]),
    )


def test_names_that_differ_only_in_accent_encoding_are_made_unique() -> None:
    plan = plan_bag(archives_scan([f"{CAFE_NFC}.zip", f"{CAFE_NFD}.zip"]), "20261130")
    paths = [f.path for f in plan.files if f.role == fmt.FILE_ROLE_ORIGINAL]
    assert both_forms([p.removeprefix("data/originals/") for p in paths]), paths


@pytest.mark.parametrize(
    ("sources", "expected"),
    [
        (["scans", "Scans/ct.zip"], ["data/originals/Scans_2/ct.zip", "data/originals/scans"]),
        (["Scans/ct.zip", "scans"], ["data/originals/Scans/ct.zip", "data/originals/scans_2"]),
    ],
)
def test_a_file_where_a_folder_must_be_is_renamed(sources: list[str], expected: list[str]) -> None:
    plan = plan_bag(archives_scan(sources), "20261130")
    paths = sorted(f.path for f in plan.files if f.role == fmt.FILE_ROLE_ORIGINAL)
    assert paths == expected


@pytest.mark.parametrize(
    "names",
    [
        # (Names of 255 ASCII letters are over Windows' path limit: test_windows_names.py.)
        ("É" * 125 + "x.zip", "é" * 125 + "x.zip"),  # "_2" would cut a two-byte letter
        ("xx" + "日" * 83 + ".zip", "XX" + "日" * 83 + ".zip"),  # ... a three-byte one
    ],
)
def test_255_byte_names_are_shortened_keeping_extension_and_suffix(
    names: tuple[str, str],
) -> None:
    assert all(len(name.encode()) == 255 for name in names)
    plan = plan_bag(archives_scan(list(names)), "20261130")
    leaves = [f.path.rsplit("/", 1)[1] for f in plan.files if f.role == fmt.FILE_ROLE_ORIGINAL]
    assert leaves[0] == names[0]
    assert leaves[1].endswith("_2.zip") and len(leaves[1].encode()) <= 255
    stem = leaves[1].removesuffix("_2.zip")
    assert names[1].startswith(stem) and len(stem) >= len(names[1]) - 8


@pytest.mark.parametrize(
    ("name", "stem", "suffix"),
    [
        ("trunc.tar.gz", "trunc", ".tar.gz"),
        ("brain.NII.GZ", "brain", ".NII.GZ"),
        ("a.tar.bz2", "a", ".tar.bz2"),
        ("note.pdf", "note", ".pdf"),
        ("Consult 2026.10.28 final", "Consult 2026.10.28 final", ""),
        (".tar.gz", ".tar", ".gz"),
    ],
)
def test_split_suffix_keeps_extensions_of_several_parts(name: str, stem: str, suffix: str) -> None:
    from recordpack.bundle.layout import split_suffix

    assert split_suffix(name) == (stem, suffix)


def test_a_damaged_tar_gz_keeps_its_extension_in_the_bag() -> None:
    scan = ScanResult(
        root="records",
        records=(),
        problems=(Problem("trunc.tar.gz", "unreadable", "The archive is damaged."),),
        skipped=(),
        files={"trunc.tar.gz": FileInfo("trunc.tar.gz", 10, digest("trunc"))},
    )
    (planned,) = plan_bag(scan, "20261130").files
    assert planned.path == "data/records/99-problem_files/trunc.tar.gz"


def test_a_collision_is_explained_without_accusing_the_sender() -> None:
    error = UnsafeMemberError(
        [MemberProblem(f"b/data/{CAFE_NFD}.zip", "colliding_name", "looks the same as ...")]
    )
    assert error.hint is not None and "deliberately altered" not in error.hint
    assert "pack the records again" in error.hint
    hostile = UnsafeMemberError([MemberProblem("b/../x", "unsafe_path", "has '..' in its name")])
    assert hostile.hint is not None and "deliberately altered" in hostile.hint


def test_reader_says_names_look_the_same_not_that_case_differs() -> None:
    problems = reader_problems("b", [f"data/{CAFE_NFC}.txt", f"data/{CAFE_NFD}.txt"])
    assert [p.code for p in problems] == ["colliding_name"]
    assert "looks the same as" in problems[0].message
    assert "case is ignored" not in problems[0].message


def test_pack_refusal_reads_as_a_sentence() -> None:
    with pytest.raises(BundleError) as caught:
        _member("b", "data/originals/" + "x" * 300 + ".zip", False, 10, (2026, 1, 1, 0, 0, 0))
    assert ": it has a path component that is too long, and recordpack" in str(caught.value)


def tar_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def test_problem_label_names_the_archive_type_read() -> None:
    problems = [
        Problem(f"{name}!../evil.txt", "unsafe_name", "A file inside was not read.")
        for name in ("a.tar", "b.tgz", "c.7z", "d.zip", "e.tar!f.zip")
    ]
    problems.append(Problem("g.tar.xz", "zip_bomb", "The archive unpacks to far more."))
    text = "\n".join(render_problems(problems))
    assert "a.tar!../evil.txt  [unsafe name inside a tar]" in text
    assert "b.tgz!../evil.txt  [unsafe name inside a tar]" in text
    assert "c.7z!../evil.txt  [unsafe name inside a 7z]" in text
    assert "d.zip!../evil.txt  [unsafe name inside a zip]" in text
    assert "e.tar!f.zip!../evil.txt  [unsafe name inside a zip]" in text
    assert "g.tar.xz  [suspicious tar]" in text


# End to end, through the command line, as the outside tester ran it.


def pack_and_open(folder: Path, key: tuple[Path, str], tmp_path: Path) -> Path:
    bundle = tmp_path / "b.rpk"
    packed = run("pack", folder, "-o", bundle, "--to", key[1], "-q", "--accept-incomplete")
    assert packed.exit_code == 0, packed.output
    opened = run("open", bundle, "-i", key[0], "-o", tmp_path / "opened")
    assert opened.exit_code == 0, opened.output
    (bag,) = (tmp_path / "opened").iterdir()
    return bag


def test_archives_named_cafe_in_both_unicode_forms_pack_and_open(
    key: tuple[Path, str], tmp_path: Path
) -> None:
    folder = tmp_path / "records"
    folder.mkdir()
    for name, tag in ((CAFE_NFC, b"1"), (CAFE_NFD, b"2")):
        (folder / f"{name}.zip").write_bytes(zip_bytes({"note.txt": NOTE + tag}))
    bag = pack_and_open(folder, key, tmp_path)
    originals = [p.name for p in (bag / fmt.ORIGINALS_DIR).iterdir()]
    assert both_forms(originals), originals
    notes = sorted(p.read_bytes() for p in (bag / fmt.RECORDS_DIR).rglob("*.txt"))
    assert notes == [NOTE + b"1", NOTE + b"2"]


def test_archives_with_255_byte_names_differing_in_case_pack_and_open(
    key: tuple[Path, str], tmp_path: Path
) -> None:
    folder = tmp_path / "records"
    folder.mkdir()
    for name in ("É" * 125 + "x.zip", "é" * 125 + "x.zip"):
        (folder / name).write_bytes(zip_bytes({"n.txt": name.encode()}))
    bag = pack_and_open(folder, key, tmp_path)
    originals = sorted(p.name for p in (bag / fmt.ORIGINALS_DIR).iterdir())
    assert originals == ["É" * 125 + "x.zip", "é" * 124 + "_2.zip"]


def test_an_unsafe_name_in_a_tar_is_labelled_tar_and_a_cut_tar_gz_keeps_its_name(
    key: tuple[Path, str], tmp_path: Path
) -> None:
    folder = tmp_path / "records"
    folder.mkdir()
    (folder / "bad.tar").write_bytes(tar_bytes({"../evil.txt": NOTE, "ok.txt": NOTE}))
    whole = io.BytesIO()
    with tarfile.open(fileobj=whole, mode="w:gz") as tar:
        data = NOTE * 400
        info = tarfile.TarInfo("note.txt")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    (folder / "trunc.tar.gz").write_bytes(whole.getvalue()[: len(whole.getvalue()) // 2])
    scanned = run("scan", folder)
    assert "bad.tar!../evil.txt  [unsafe name inside a tar]" in scanned.output
    bag = pack_and_open(folder, key, tmp_path)
    assert (bag / fmt.RECORDS_DIR / "99-problem_files" / "trunc.tar.gz").is_file()


def _patient_scan(name: str) -> ScanResult:
    """A scan of one consultation note about ``name``."""
    record = Record(
        kind="clinical_note",
        title="Consultation note",
        date="2026-10-28",
        files=("note.txt",),
        patient=Patient(name, "1970-05-06", "RP-TEST-0042"),
        confidence=0.9,
        format="text",
    )
    files = {"note.txt": FileInfo("note.txt", len(NOTE), hashlib.sha256(NOTE).hexdigest())}
    return ScanResult(root="records", records=(record,), problems=(), skipped=(), files=files)


@pytest.mark.parametrize(
    ("name", "bag"),
    [
        ("ØDEGÅRD, ÅSE", "ase-odegard"),
        ("WAŁĘSA^ŁUCJA", "lucja-walesa"),
        ("STRAUß, GRETE", "grete-strauss"),
        ("ÞÓRSDÓTTIR, GUÐRÚN", "gudrun-thorsdottir"),
        ("ĐẶNG, THỊ MAI", "thi-mai-dang"),
        ("LÆRKE, SØREN", "soren-laerke"),
        ("CŒUR, ŒDA", "oeda-coeur"),
        ("Yıldırım, Ayşe Işıl", "ayse-isil-yildirim"),
    ],
)
def test_a_bag_named_after_the_patient_keeps_every_letter_of_the_name(
    name: str, bag: str
) -> None:
    # Before, letters with no accent to strip vanished: ØDEGÅRD, ÅSE gave "ase-degard".
    plan = plan_bag(_patient_scan(name), "20261130")
    assert plan.bag == fmt.bag_name("20261130", bag)


def _slug_before(text: str, max_length: int = 60) -> str:
    """slugify as it was before letters were spelled out, for the names it kept whole."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    return slug.strip("-") or "record"


#: ASCII, and letters whose accent was always dropped correctly.
_KEPT_LETTERS = (
    string.ascii_letters + string.digits + " ,.^'()_-" + "ÀÁÂÄÅÇÈÉÊËÍÎÏÑÓÔÖÚÜÝàáâäåçèéêëíîïñóôöúüýčŠšŽžŘřőű"
)


@given(st.text(alphabet=_KEPT_LETTERS, max_size=80))
@settings(max_examples=300, deadline=None)
def test_names_spelled_whole_before_keep_their_slug(text: str) -> None:
    assert slugify(text) == _slug_before(text)


@pytest.mark.parametrize(
    ("name", "bag"),
    [
        ("QUILL, AVERY", "avery-quill"),
        ("THOMPSON^MARGARET^A", "margaret-a-thompson"),
        ("Müller, José", "jose-muller"),
        ("O'BRIEN-NÚÑEZ, SIÂN", "sian-o-brien-nunez"),
    ],
)
def test_existing_bag_names_are_unchanged(name: str, bag: str) -> None:
    assert plan_bag(_patient_scan(name), "20261130").bag == fmt.bag_name("20261130", bag)
