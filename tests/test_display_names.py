"""Defect 11 (display): bidi and control characters in file names never reach a terminal raw."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from recordpack.cli import main

RLO = "\u202e"


def test_scan_and_check_show_a_bidi_name_escaped(tmp_path: Path) -> None:
    folder = tmp_path / "records"
    folder.mkdir()
    (folder / f"pathology_{RLO}fdp.exe").write_text(
        "SURGICAL PATHOLOGY REPORT\nPatient: Avery Quill\nDate of service: 2026-08-20\n"
        "FINAL DIAGNOSIS:\nInvasive ductal carcinoma.\n"
    )
    scanned = CliRunner().invoke(main, ["scan", str(folder)])
    assert scanned.exit_code == 0, scanned.stderr
    assert RLO not in scanned.stdout and "pathology_\\u202efdp.exe" in scanned.stdout
    checked = CliRunner().invoke(main, ["check", str(folder), "-m", "breast"])
    assert RLO not in checked.stdout + checked.stderr


def test_error_messages_show_control_characters_escaped(tmp_path: Path) -> None:
    from recordpack import age

    key = tmp_path / "key.txt"
    key.write_text(f"{age.X25519Identity.generate()}\n")
    bundle = tmp_path / "b.rpk"
    bundle.write_bytes(b"not opened: the destination is checked first")
    dest = tmp_path / f"no{RLO}such\x1b[2J" / "opened"
    result = CliRunner().invoke(main, ["open", str(bundle), "-i", str(key), "-o", str(dest)])
    assert result.exit_code == 2 and "does not exist" in result.stderr
    assert RLO not in result.stderr and "\x1b" not in result.stderr
    assert "no\\u202esuch\\x1b[2J" in result.stderr
