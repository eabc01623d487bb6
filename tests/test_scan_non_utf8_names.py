"""File names that are not UTF-8 (Latin-1/cp1252 names from CDs burned on Windows).

Every output stays valid UTF-8; the path form (``r\\xe9sum\\xe9.txt``) names the
file unambiguously in JSON, corrections, exclusions and the bundle's index, and
the exact bytes on disk are packed and come back on open.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from recordpack import age
from recordpack.bundle.reader import open_bundle
from recordpack.cli import main
from recordpack.scan.paths import guess, normalise_typed, to_fs, to_path_form

REPORT = b"SURGICAL PATHOLOGY REPORT\nFINAL DIAGNOSIS\nInvasive ductal carcinoma, grade 2.\n"
LATIN1 = b"r\xe9sum\xe9.txt"  # "résumé.txt" in Latin-1: not valid UTF-8
ODD = b"caf\xe9 \xe9t\xe9.xyz"  # a file no scanner reads, so a problem


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "records"
    root.mkdir()
    try:
        with open(os.path.join(os.fsencode(root), LATIN1), "wb") as stream:
            stream.write(REPORT)
    except OSError:
        pytest.skip("this file system accepts only UTF-8 names")
    with open(os.path.join(os.fsencode(root), ODD), "wb") as stream:
        stream.write(b"\x00\x01 not a record format")
    (root / "plain.txt").write_bytes(REPORT + b"Second copy with more text.\n")
    return root


def run(*args: str | Path) -> tuple[int, bytes, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout_bytes, result.stderr


@pytest.mark.parametrize(
    ("raw", "form"),
    [
        (b"r\xe9sum\xe9.pdf", "r\\xe9sum\\xe9.pdf"),
        (b"a\\b.pdf", "a\\x5cb.pdf"),  # a literal backslash cannot be mistaken for an escape
        ("résumé.pdf".encode(), "résumé.pdf"),  # valid UTF-8 is unchanged
    ],
)
def test_path_form_round_trips_to_the_exact_bytes(raw: bytes, form: str) -> None:
    name = os.fsdecode(raw)
    assert to_path_form(name) == form
    assert os.fsencode(to_fs(form)) == raw
    form.encode("utf-8")  # always printable


def test_typed_paths_keep_escapes_and_accept_windows_separators() -> None:
    assert normalise_typed("CD\\r\\xe9sum\\xe9.txt") == "CD/r\\xe9sum\\xe9.txt"
    assert guess("CD/r\\xe9sum\\xe9.txt") == "CD/résumé.txt"


def test_scan_json_and_text_are_valid_utf8(folder: Path) -> None:
    code, out, _ = run("scan", "--json", folder)
    assert code == 0
    document = json.loads(out.decode("utf-8"))  # raises on invalid UTF-8
    files = [f for r in document["records"] for f in r["files"]]
    assert "r\\xe9sum\\xe9.txt" in files
    assert {p["path"] for p in document["problems"]} >= {"caf\\xe9 \\xe9t\\xe9.xyz"}
    code, out, _ = run("scan", folder)
    text = out.decode("utf-8")
    assert code == 0 and "r\\xe9sum\\xe9.txt" in text
    assert "as it reads (résumé.txt)" in text  # how to name it


@pytest.mark.parametrize("typed", ["r\\xe9sum\\xe9.txt", "résumé.txt", "r*sum*.txt"])
def test_label_names_the_file_in_path_form_or_as_read_on_windows(folder: Path, typed: str) -> None:
    code, out, err = run("scan", "--json", "--label", f"{typed}=lab_result", folder)
    assert code == 0, err
    kinds = {r["files"][0]: r["kind"] for r in json.loads(out)["records"]}
    assert kinds["r\\xe9sum\\xe9.txt"] == "lab_result"


def test_corrections_file_names_the_file(folder: Path, tmp_path: Path) -> None:
    fixes = tmp_path / "fix.csv"
    fixes.write_text("path,kind\nr\\xe9sum\\xe9.txt,lab_result\n", encoding="utf-8")
    code, out, err = run("scan", "--json", "--corrections", fixes, folder)
    assert code == 0, err
    kinds = {r["files"][0]: r["kind"] for r in json.loads(out)["records"]}
    assert kinds["r\\xe9sum\\xe9.txt"] == "lab_result"


def test_check_json_is_valid_utf8(folder: Path) -> None:
    code, out, _ = run("check", "--json", "-m", "breast", folder)
    assert code in (0, 1)
    json.loads(out.decode("utf-8"))


def test_pack_and_open_give_back_the_exact_bytes(folder: Path, tmp_path: Path) -> None:
    identity = age.X25519Identity.generate()
    bundle = tmp_path / "b.rpk"
    code, out, err = run("pack", "--json", "--to", str(identity.recipient()), "-o", bundle, folder)
    assert code == 0, err
    summary = json.loads(out.decode("utf-8"))
    assert all(p.isascii() for p in summary["problem_files"])  # bag paths are safe slugs
    result = open_bundle(bundle, [identity], tmp_path / "opened")
    by_original = {f["original"]: f for f in result.index["files"]}
    assert (result.bag_dir / by_original["r\\xe9sum\\xe9.txt"]["path"]).read_bytes() == REPORT
    odd = by_original["caf\\xe9 \\xe9t\\xe9.xyz"]
    assert (result.bag_dir / odd["path"]).read_bytes() == b"\x00\x01 not a record format"
    code, out, err = run("inspect", bundle, "-i", _key_file(identity, tmp_path))
    assert code == 0, err
    out.decode("utf-8")


@pytest.mark.parametrize("how", ["path form", "windows reading", "path on disk"])
def test_exclude_names_the_file(folder: Path, tmp_path: Path, how: str) -> None:
    identity = age.X25519Identity.generate()
    recipient = str(identity.recipient())
    bundle = tmp_path / "b.rpk"
    typed = {
        "path form": "r\\xe9sum\\xe9.txt",
        "windows reading": "résumé.txt",
        "path on disk": os.fsdecode(os.path.join(os.fsencode(folder), LATIN1)),
    }[how]
    code, out, err = run(
        "pack", "--json", "--to", recipient, "-o", bundle, "--exclude", typed, folder
    )
    assert code == 0, err
    assert json.loads(out)["excluded"] == 1
    index = open_bundle(bundle, [identity], tmp_path / "opened").index
    assert index["excluded"] == [
        {"original": "r\\xe9sum\\xe9.txt", "reason": "excluded by the user"}
    ]


def _key_file(identity: age.X25519Identity, tmp_path: Path) -> Path:
    return age.write_identity_file(tmp_path / "key.txt", identity)


def test_a_folder_named_in_latin1_can_be_scanned_checked_and_packed(
    folder: Path, tmp_path: Path
) -> None:
    latin = os.path.join(os.fsencode(tmp_path), b"Dossier m\xe9dical")
    os.rename(os.fsencode(folder), latin)
    where = os.fsdecode(latin)
    for args in (
        ["scan"],
        ["scan", "--json"],
        ["check", "-m", "breast"],
        ["check", "--json", "-m", "breast"],
    ):
        code, out, err = run(*args, where)
        assert code in (0, 1), err
        text = out.decode("utf-8")  # raises on invalid UTF-8
        if "--json" in args:
            document = json.loads(text)
            assert document.get("root", "Dossier m\\xe9dical").endswith("Dossier m\\xe9dical")
        else:
            assert "m\\xe9dical" in text
    identity = age.X25519Identity.generate()
    bundle = os.fsdecode(os.path.join(os.fsencode(tmp_path), b"r\xe9sultats.rpk"))
    code, out, err = run("pack", "--to", str(identity.recipient()), "-o", bundle, where)
    assert code == 0, err
    assert "r\\xe9sultats.rpk" in out.decode("utf-8")
    result = open_bundle(Path(bundle), [identity], tmp_path / "opened")
    by_original = {f["original"]: f for f in result.index["files"]}
    assert (result.bag_dir / by_original["r\\xe9sum\\xe9.txt"]["path"]).read_bytes() == REPORT
