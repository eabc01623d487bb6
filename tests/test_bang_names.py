"""A '!' in a file name on disk is not taken for the archive separator."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

from click.testing import CliRunner

from recordpack import age, open_bundle, pack, scan_folder
from recordpack.cli import main

REPORT = (
    "SURGICAL PATHOLOGY REPORT\nPatient: Quill, Avery\nDOB: 05/06/1970\n"
    "Collected: 08/01/2026\nFINAL DIAGNOSIS\nInvasive ductal carcinoma.\n"
)


def test_exclamation_mark_in_a_name_scans_packs_and_opens(tmp_path: Path) -> None:
    folder = tmp_path / "records"
    folder.mkdir()
    (folder / "Important!.txt").write_text(REPORT)
    with zipfile.ZipFile(folder / "portal.zip", "w") as zf:
        zf.writestr("labs.txt", REPORT.replace("SURGICAL PATHOLOGY", "LAB"))

    scan = scan_folder(folder)
    files = sorted(f for r in scan.records for f in r.files)
    assert files == ["Important\\x21.txt", "portal.zip!labs.txt"]  # unambiguous
    assert not scan.problems

    identity = age.X25519Identity.generate()
    bundle = tmp_path / "b.rpk"
    pack(scan, bundle, recipients=[identity.recipient()])
    opened = open_bundle(bundle, [identity], tmp_path / "out")
    index = json.loads((opened.bag_dir / "index.json").read_text())
    entry = next(f for f in index["files"] if f["original"] == "Important\\x21.txt")
    packed = (opened.bag_dir / entry["path"]).read_bytes()
    assert hashlib.sha256(packed).hexdigest() == hashlib.sha256(REPORT.encode()).hexdigest()


def test_a_user_may_type_the_name_as_it_is(tmp_path: Path) -> None:
    folder = tmp_path / "records"
    folder.mkdir()
    (folder / "Important!.txt").write_text(REPORT)
    result = CliRunner().invoke(
        main, ["scan", str(folder), "--json", "--label", "Important!.txt=lab_result"]
    )
    assert result.exit_code == 0, result.stderr
    [record] = json.loads(result.stdout)["records"]
    assert record["kind"] == "lab_result" and record["corrected_from"] == "pathology_report"
