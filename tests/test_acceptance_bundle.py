"""Acceptance of pack / open / verify / inspect as users run them, judged by independent tools.

Folders come from ``acceptance_bundle_folders`` (a hospital CD, a portal zip, awkward
names and paths). The judges are the Debian ``age`` tool, ``unzip``, bagit-python,
dcmtk's ``dcmftest`` and dicom3tools' ``dciodvfy``; each test also states a defect
found in acceptance that it guards against.
"""

from __future__ import annotations

import hashlib
import html.parser
import json
import os
import subprocess
import sys
import urllib.parse
import zipfile
from pathlib import Path

import pytest

from tests.acceptance_bundle_folders import build_awkward_folder, build_full_folder
from tests.cli_runs import run
from tests.prerequisites import require_tool
from tests.terminal import run_with_terminal

#: The awkward folder's portal zip holds pydicom's CT_small and MR_small, whose patient
#: names are codes ("CompressedSamples^CT1"): the patient confirms them to pack them.
CONFIRMED = ("--accept-other-patient",)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------- interruption

KILL_SELF = """
import os, signal, sys
import recordpack.bundle.{module} as target
real = target.{function}
def killed(*args, **kwargs):
    os.kill(os.getpid(), signal.{signal})  # as if the user closed the terminal mid-way
    return real(*args, **kwargs)
target.{function} = killed
from recordpack.cli import main
sys.argv = ["recordpack", *sys.argv[1:]]
main()
"""


def run_killed(
    module: str, function: str, sig: str, *args: str | Path
) -> subprocess.CompletedProcess[str]:
    code = KILL_SELF.format(module=module, function=function, signal=sig)
    return subprocess.run(
        [sys.executable, "-c", code, *map(str, args)],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("sig", ["SIGTERM", "SIGHUP"])
def test_pack_killed_midway_leaves_no_partial_file(
    tmp_path: Path, corpus: Path, key: tuple[Path, str], sig: str
) -> None:
    """Defect: SIGTERM/SIGHUP killed pack outright, leaving a hidden OUT.part as big as the bundle."""
    folder = build_awkward_folder(tmp_path / "records", corpus)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    done = run_killed(
        "pack", "write_bag", sig, "pack", folder, "-o", out_dir / "b.rpk", "--to", key[1],
        *CONFIRMED,
    )
    assert done.returncode == 130, done.stderr
    assert "interrupted" in done.stderr
    assert "Traceback" not in done.stderr
    assert list(out_dir.iterdir()) == []


def test_open_killed_midway_leaves_nothing(
    tmp_path: Path, corpus: Path, key: tuple[Path, str]
) -> None:
    folder = build_awkward_folder(tmp_path / "records", corpus)
    bundle = tmp_path / "b.rpk"
    assert run("pack", folder, "-o", bundle, "--to", key[1], "-q", *CONFIRMED).exit_code == 0
    out_dir = tmp_path / "opened"
    out_dir.mkdir()
    done = run_killed(
        "reader", "_stream_members", "SIGTERM", "open", bundle, "-i", key[0], "-o", out_dir / "x"
    )
    assert done.returncode == 130, done.stderr
    assert list(out_dir.iterdir()) == []


# --------------------------------------------------------------------------- passphrase files

PASSPHRASE = "invented meadow lantern 42"


@pytest.mark.interop
def test_passphrase_file_saved_by_notepad_opens_with_age(tmp_path: Path, corpus: Path) -> None:
    """Defect: a UTF-8 byte-order mark became part of the passphrase, so the words
    the specialist typed at age's prompt were 'wrong'."""
    age_tool = require_tool("age", "age")
    folder = build_awkward_folder(tmp_path / "records", corpus)
    secret = tmp_path / "passphrase.txt"
    secret.write_bytes(b"\xef\xbb\xbf" + PASSPHRASE.encode() + b"\r\n")
    bundle = tmp_path / "b.rpk"
    packed = run("pack", folder, "-o", bundle, "--passphrase-file", secret, "-q", *CONFIRMED)
    assert packed.exit_code == 0, packed.output
    plain = tmp_path / "b.zip"
    run_with_terminal([age_tool, "-d", "-o", str(plain), str(bundle)], [("passphrase", PASSPHRASE)])
    assert zipfile.is_zipfile(plain)
    typed = tmp_path / "typed.txt"
    typed.write_text(PASSPHRASE + "\n")
    assert run("verify", bundle, "--passphrase-file", typed).exit_code == 0


@pytest.mark.parametrize("command", ["open", "verify", "inspect"])
def test_unreadable_passphrase_file_is_a_plain_error(
    tmp_path: Path, key: tuple[Path, str], command: str
) -> None:
    """Defect: a passphrase file in Latin-1 crashed open/verify/inspect with a traceback."""
    secret = tmp_path / "passphrase.txt"
    secret.write_bytes("mot de passe \xe9t\xe9\n".encode("latin-1"))
    bundle = tmp_path / "b.rpk"
    bundle.write_bytes(b"age-encryption.org/v1\n")
    result = run(command, bundle, "--passphrase-file", secret)
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "passphrase.txt is not UTF-8" in result.output


# --------------------------------------------------------------------------- the judges


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.links += [v for k, v in attrs if k in ("href", "src") and v]


def source_files(folder: Path) -> dict[str, str]:
    """Every regular file under ``folder`` (links not followed): relative path -> SHA-256."""
    found = {}
    for dirpath, _dirs, names in os.walk(folder):
        for name in names:
            path = Path(dirpath) / name
            if path.is_file() and not path.is_symlink():
                found[path.relative_to(folder).as_posix()] = sha256(path)
    return found


@pytest.fixture(scope="module")
def judged(
    tmp_path_factory: pytest.TempPathFactory, corpus: Path, key: tuple[Path, str]
) -> tuple[Path, Path, Path]:
    """The full folder packed by recordpack, then decrypted by age and unzipped by unzip."""
    age_tool = require_tool("age", "age")
    unzip = require_tool("unzip", "unzip")
    work = tmp_path_factory.mktemp("judged")
    folder = build_full_folder(work / "Marisol records", corpus)
    bundle = work / "for Dr Invented.rpk"
    # The corpus's DICOM files name many people: packing them is a deliberate acceptance.
    packed = run("pack", folder, "-o", bundle, "--to", key[1], "--accept-other-patient")
    assert packed.exit_code == 0, packed.output
    plain = work / "bundle.zip"
    subprocess.run([age_tool, "-d", "-i", key[0], "-o", plain, bundle], check=True)
    subprocess.run([unzip, "-q", plain, "-d", work / "unzipped"], check=True)
    (bag,) = (work / "unzipped").iterdir()
    return folder, bundle, bag


@pytest.mark.interop
def test_bagit_python_validates_the_bag(judged: tuple[Path, Path, Path]) -> None:
    _folder, _bundle, bag = judged
    done = subprocess.run(
        [sys.executable, "-m", "bagit", "--validate", bag],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "is valid" in done.stderr


@pytest.mark.interop
def test_dcmtk_and_dicom3tools_accept_the_dicomdir(judged: tuple[Path, Path, Path]) -> None:
    dcmftest = require_tool("dcmftest", "dcmtk")
    dciodvfy = require_tool("dciodvfy", "dicom3tools")
    imaging = judged[2] / "data" / "imaging"
    done = subprocess.run(
        [dcmftest, "DICOMDIR"], cwd=imaging, capture_output=True, text=True, check=False
    )
    assert done.stdout.startswith("yes:"), done.stdout + done.stderr
    checked = subprocess.run(
        [dciodvfy, imaging / "DICOMDIR"], capture_output=True, text=True, check=False
    )
    errors = [
        line for line in (checked.stdout + checked.stderr).splitlines() if line.startswith("Error")
    ]
    assert errors == []


@pytest.mark.interop
def test_every_record_file_is_in_the_bag_byte_for_byte(judged: tuple[Path, Path, Path]) -> None:
    folder, _bundle, bag = judged
    index = json.loads((bag / "index.json").read_text(encoding="utf-8"))
    by_original = {entry["original"]: entry for entry in index["files"]}
    duplicates = {entry["original"] for entry in index["duplicates"]}
    skipped = {entry["path"] for entry in index["skipped"]}
    for original, digest in source_files(folder).items():
        if original in skipped or original in duplicates:
            continue
        entry = by_original[original]  # the index maps it to its original path
        assert sha256(bag / entry["path"]) == digest == entry["sha256"], original


@pytest.mark.interop
def test_index_html_links_all_resolve_offline(judged: tuple[Path, Path, Path]) -> None:
    bag = judged[2]
    parser = _Links()
    parser.feed((bag / "index.html").read_text(encoding="utf-8"))
    files = [link for link in parser.links if not link.startswith("#")]
    assert files, "index.html links to no record"
    for link in files:
        assert ":" not in link.split("/")[0], f"{link} needs the network"
        assert (bag / urllib.parse.unquote(link)).is_file(), link


@pytest.mark.interop
def test_dicom_records_outside_the_file_set_have_an_extension(
    judged: tuple[Path, Path, Path],
) -> None:
    """Defect: an RT plan or SR from a CD (file IM000000) went into data/records/ with no
    extension, so the specialist's computer did not know what opens it."""
    records = judged[2] / "data" / "records"
    nameless = [
        p.relative_to(records).as_posix()
        for p in records.rglob("*")
        if p.is_file() and not p.suffix
    ]
    assert nameless == []


def test_open_verify_and_inspect_agree_with_the_tools(
    judged: tuple[Path, Path, Path], key: tuple[Path, str], tmp_path: Path
) -> None:
    _folder, bundle, bag = judged
    index = json.loads((bag / "index.json").read_text(encoding="utf-8"))
    verified = run("verify", bundle, "-i", key[0], "--json")
    assert verified.exit_code == 0, verified.output
    report = json.loads(verified.output)
    assert (report["ok"], report["bag"], report["problems"]) == (True, bag.name, [])
    assert report["files"] == len(index["files"])
    inspected = json.loads(run("inspect", bundle, "-i", key[0], "--json").output)
    assert inspected["index"] == index
    opened = run("open", bundle, "-i", key[0], "-o", tmp_path / "opened")
    assert opened.exit_code == 0, opened.output
    assert source_files(tmp_path / "opened" / bag.name) == source_files(bag)


def test_pack_says_which_links_and_special_files_it_did_not_pack(
    tmp_path: Path, corpus: Path, key: tuple[Path, str]
) -> None:
    """Defect: a link to a report kept elsewhere (or a pipe) was silently not packed; the
    patient believed it was sent. Now the summary and --json name it."""
    folder = build_awkward_folder(tmp_path / "records", corpus)
    text = run("pack", folder, "-o", tmp_path / "a.rpk", "--to", key[1], *CONFIRMED)
    assert text.exit_code == 0, text.output
    (line,) = [line for line in text.output.splitlines() if "Not packed" in line]
    assert "link outside.pdf" in line and "named pipe.pdf" in line
    assert "copy the file itself" in line
    data = run("pack", folder, "-o", tmp_path / "b.rpk", "--to", key[1], "--json", *CONFIRMED)
    assert sorted(json.loads(data.output)["not_packed"]) == ["link outside.pdf", "named pipe.pdf"]


@pytest.mark.interop
@pytest.mark.parametrize("command", ["open", "verify", "inspect"])
def test_an_already_decrypted_or_armored_bundle_gets_a_plain_answer(
    judged: tuple[Path, Path, Path], key: tuple[Path, str], tmp_path: Path, command: str
) -> None:
    """Defect: a ZIP already decrypted with age was called 'damaged, ask for a new copy',
    and an armored copy got 'cannot be opened for random access'."""
    age_tool = require_tool("age", "age")
    plain = judged[2].parent.parent / "bundle.zip"
    said = run(command, plain, "-i", key[0])
    assert said.exit_code == 1
    assert "plain ZIP file" in said.output and "Unzip it" in said.output
    armored = tmp_path / "armored.rpk"
    subprocess.run([age_tool, "-a", "-r", key[1], "-o", armored, judged[1]], check=True)
    said = run(command, armored, "-i", key[0])
    assert said.exit_code == 1
    assert "armored" in said.output and "random access" not in said.output
    assert "then unzip" in said.output
