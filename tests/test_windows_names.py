"""Bundles that unzip whole with any tool, on Windows, macOS and Linux.

A specialist may open a bundle without recordpack: ``age -d BUNDLE.rpk > bundle.zip``,
then Windows Explorer, 7-Zip or macOS Archive Utility. Windows refuses a name with
``<>:"\\|?*`` or a control character, a device name (``CON``, ``nul.txt``, ``COM¹``),
a name ending in a dot or a space, and a path over 259 characters (MAX_PATH):
Explorer then stops or leaves the file out. Pack gives each such file a name every
system accepts and keeps its real name in index.json (``"original"``); a name that
is already valid keeps its place in the bag.
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recordpack import age
from recordpack.bundle import format as fmt
from recordpack.bundle.layout import plan_bag
from recordpack.model import ARCHIVE_SEP, FileInfo, Patient, Problem, Record, ScanResult
from tests.bag_scans import NOTE, archives_scan
from tests.cli_runs import run

#: Where Windows Explorer's "Extract All" puts bundle.zip from a Downloads folder.
EXTRACTED_INTO = "C:\\Users\\Name\\Downloads\\bundle\\"
#: Windows' device names, in any case and with any extension (Microsoft's
#: "Naming Files, Paths, and Namespaces"); superscript digits count as digits.
DEVICES = frozenset(
    {"CON", "PRN", "AUX", "NUL"} | {f"{p}{d}" for p in ("COM", "LPT") for d in "123456789¹²³"}
)


def windows_problem(bag_path: str) -> str | None:
    """Why Windows Explorer could not extract ``bag_path`` (``<bag>/...``), or None."""
    full = EXTRACTED_INTO + bag_path.replace("/", "\\")
    if len(full.encode("utf-16-le")) // 2 > 259:
        return f"{len(full)} characters once extracted: over MAX_PATH"
    for part in bag_path.split("/"):
        if any(c in '<>:"\\|?*' or ord(c) < 0x20 for c in part):
            return f"{part!r} has a character Windows refuses"
        if part.endswith((" ", ".")):
            return f"{part!r} ends in a dot or a space, which Windows drops"
        if part.split(".")[0].rstrip(" ").upper() in DEVICES:
            return f"{part!r} is a device name on Windows"
        if len(part.encode("utf-8")) > 255:
            return f"{part!r} is over 255 bytes"
    return None


def zip_of(data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("note.txt", data)
    return buffer.getvalue()


def tar_gz_of(data: bytes) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo("note.txt")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def original_paths(archives: list[str]) -> tuple[str, dict[str, str]]:
    """The bag name and, for each archive, its path in the bag."""
    plan = plan_bag(archives_scan(archives), "20261130")
    return plan.bag, {f.original: f.path for f in plan.files if f.role == fmt.FILE_ROLE_ORIGINAL}


#: Names Windows cannot take as they are (folders too), and whether the name's
#: extension is one the bag must keep.
HOSTILE = [
    ("CON.zip", ".zip"),
    ("con", ""),
    ("report:final?.zip", ".zip"),
    ("notes. ", ""),
    ("notes...", ""),
    ("aux", ""),
    ("Aux.Backup.zip", ".zip"),
    ("nul .zip", ".zip"),
    ("nul.tar.gz", ".tar.gz"),
    ("COM¹.zip", ".zip"),
    ("lpt3.zip", ".zip"),
    ("LPT³", ""),
    ("\x01report\x1f.zip", ".zip"),
    ("tab\there\x7f.zip", ".zip"),
    ('<x>|"*.zip', ".zip"),
    ("back\\slash.zip", ".zip"),
    ("scans./ct.zip", ".zip"),
    ("scans /ct.zip", ".zip"),
    ("PRN/x.zip", ".zip"),
    ("com9.d/x.zip", ".zip"),
    ("/".join(["a" * 100] * 3) + "/deep.zip", ".zip"),
    ("b" * 250 + ".zip", ".zip"),
]


@pytest.mark.parametrize(("name", "suffix"), HOSTILE)
def test_a_name_windows_refuses_gets_one_it_accepts_keeping_its_extension(
    name: str, suffix: str
) -> None:
    bag, paths = original_paths([name])
    path = paths[name]  # the index's "original" is the name exactly
    assert windows_problem(f"{bag}/{path}") is None, path
    assert path.startswith(f"{fmt.ORIGINALS_DIR}/") and path.endswith(suffix)


def test_hostile_names_stay_distinct_and_readable() -> None:
    names = [name for name, _ in HOSTILE] + ["CON_.zip", "scans_/ct.zip", "con_"]
    bag, paths = original_paths(names)
    assert sorted(paths) == sorted(names)  # every archive once
    assert len({p.lower() for p in paths.values()}) == len(names)
    assert [p for p in paths.values() if windows_problem(f"{bag}/{p}")] == []
    # What can be kept of the name is kept: the reader still sees which file it was.
    assert paths["CON.zip"].removeprefix("data/originals/").startswith("CON")
    assert "report" in paths["report:final?.zip"] and "final" in paths["report:final?.zip"]


# Pieces of names that Windows refuses, and their neighbours that it accepts.
_PIECES = st.sampled_from(
    ["CON", "aux", "Nul", "com1", "LPT²", "com10", "console", ".", " ", ":", "?", "*", "\x01",
     "\x1f", "a", "é", "日", "-", ".zip", ".tar.gz", ".txt", "x" * 90]
)  # fmt: skip
_NAMES = st.lists(
    st.lists(_PIECES, min_size=1, max_size=4)
    .map("".join)
    .filter(lambda p: p not in (".", "..") and len(p.encode()) <= 255),
    min_size=1,
    max_size=4,
).map("/".join)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(_NAMES, min_size=1, max_size=6, unique=True))
def test_any_names_give_bag_paths_windows_extracts(names: list[str]) -> None:
    folders = {n.rsplit("/", i)[0] for n in names for i in range(1, n.count("/") + 1)}
    names = [n for n in names if n not in folders]  # a file cannot also be a folder on disk
    bag, paths = original_paths(names)
    assert sorted(paths) == sorted(names)
    assert [p for p in paths.values() if windows_problem(f"{bag}/{p}")] == []


#: Names every system accepts, some close to a rule without breaking it: they keep
#: their place in the bag, so bundles of ordinary folders are laid out as before.
ORDINARY = [
    "CT chest 2026.zip",
    "MyChart export (1).zip",
    "Résumé médical.zip",
    "日本語の記録.zip",
    "console.zip",
    "CONNECT.zip",
    "com10.zip",
    "com0x.zip",
    "lpt.zip",
    "auxiliary results.zip",
    "nul-result.tar.gz",
    "notes..zip",
    "v1.2 final.zip",
    ".hidden.zip",
    " leading space.zip",
    "Downloads/2026 imaging/CT chest.zip",
    "x" * 120 + ".zip",
    "日" * 83 + ".zip",  # 253 bytes, but Windows counts 87 characters
]


@pytest.mark.parametrize("name", ORDINARY)
def test_a_name_every_system_accepts_is_kept_as_it_is(name: str) -> None:
    _, paths = original_paths([name])
    assert paths[name] == f"{fmt.ORIGINALS_DIR}/{name}"


def test_the_longest_ordinary_record_names_keep_their_whole_title() -> None:
    # The longest patient slug (40 characters), kind folder and title slug (60) pack
    # makes, twice, so the second takes "_2": the layout is the one it always was.
    title = "Discharge summary after bilateral mastectomy and DIEP flap, L"
    patient = Patient("QUILLINGTONS, AVERYMARGARET ELIZABETHANNE", None, None)
    sources = ("summary.pdf", "summary copy.pdf")
    records = tuple(
        Record(
            kind="discharge_summary",
            title=title,
            date="2026-10-28",
            files=(source,),
            patient=patient,
            confidence=0.9,
            format="pdf",
        )
        for source in sources
    )
    scan = ScanResult(
        root="records",
        records=records,
        problems=(),
        skipped=(),
        files={s: FileInfo(s, 10, sha(s.encode())) for s in sources},
    )
    plan = plan_bag(scan, "20261130")
    assert plan.bag == "recordpack-20261130-averymargaret-elizabethanne-quillingtons"
    stem = "data/records/10-discharge_summary/2026-10-28_" + (
        "discharge-summary-after-bilateral-mastectomy-and-diep-flap-l"
    )
    assert [f.path for f in plan.files] == [f"{stem}.pdf", f"{stem}_2.pdf"]


def test_a_problem_file_named_like_a_device_is_renamed() -> None:
    names = ["CON.pdf", "LPT³.pdf", "report.pdf"]
    scan = ScanResult(
        root="records",
        records=(),
        problems=tuple(Problem(n, "unreadable", "The PDF is damaged.") for n in names),
        skipped=(),
        files={n: FileInfo(n, 10, sha(n.encode())) for n in names},
    )
    plan = plan_bag(scan, "20261130")
    paths = {f.original: f.path for f in plan.files}
    assert sorted(paths) == names
    assert [p for p in paths.values() if windows_problem(f"{plan.bag}/{p}")] == []
    assert paths["report.pdf"] == f"{fmt.RECORDS_DIR}/99-problem_files/report.pdf"


# End to end: pack through the command line, decrypt, unzip, validate, open.


def hostile_folder(root: Path) -> dict[str, bytes]:
    """A folder of records under names Windows refuses; returns each file's bytes by
    its name as scan and the index write it."""
    contents: dict[str, bytes] = {}
    for number, (name, suffix) in enumerate(HOSTILE):
        note = NOTE + f"Visit {number}.\n".encode()
        contents[name] = tar_gz_of(note) if suffix == ".tar.gz" else zip_of(note)
    contents["CON.pdf"] = b"%PDF-1.4 damaged"  # a problem file
    contents["nul.txt"] = NOTE + b"Plain note.\n"  # a record laid out by its title
    for name, data in contents.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    # Scan writes a backslash in a name as \x5c (docs/reference.md), and so does the index.
    return {name.replace("\\", "\\x5c"): data for name, data in contents.items()}


def source_bytes(contents: dict[str, bytes], original: str) -> bytes:
    archive, _, member = original.partition(ARCHIVE_SEP)
    if not member:
        return contents[archive]
    with zipfile.ZipFile(io.BytesIO(contents[archive])) as zf:
        return zf.read(member)


def test_pack_unzip_and_open_bring_back_every_file_under_a_windows_name(
    key: tuple[Path, str], tmp_path: Path
) -> None:
    import bagit  # a declared test dependency: missing, the test fails

    folder = tmp_path / "records"
    contents = hostile_folder(folder)
    bundle = tmp_path / "b.rpk"
    packed = run("pack", folder, "-o", bundle, "--to", key[1], "-q", "--accept-incomplete")
    assert packed.exit_code == 0, packed.output

    # age -d, then any unzip tool.
    with open(bundle, "rb") as src:
        plain = age.decrypt_reader(src, age.load_identities(key[0])).read()
    unzipped = tmp_path / "unzipped"
    with zipfile.ZipFile(io.BytesIO(plain)) as zf:
        names = zf.namelist()
        zf.extractall(unzipped)
    assert [n for n in names if windows_problem(n.rstrip("/"))] == []
    (bag,) = unzipped.iterdir()
    bagit.Bag(str(bag)).validate()

    index = json.loads((bag / fmt.INDEX_JSON).read_text("utf-8"))
    originals = {f["original"]: f["path"] for f in index["files"] if f["original"]}
    # Every file of the folder is in the bag, under a path that maps back to its name.
    assert {o.split(ARCHIVE_SEP, 1)[0] for o in originals} == set(contents)
    for original, path in originals.items():
        assert (bag / path).read_bytes() == source_bytes(contents, original), original

    opened = run("open", bundle, "-i", key[0], "-o", tmp_path / "opened")
    assert opened.exit_code == 0, opened.output
    (opened_bag,) = (tmp_path / "opened").iterdir()
    for original, path in originals.items():
        assert (opened_bag / path).read_bytes() == source_bytes(contents, original), original
