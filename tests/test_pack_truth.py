"""pack tells the truth (issue 9): identity always guards the bundle, a passphrase comes after
the check, the summary names what was left out, and an empty bundle is never made."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from recordpack import age
from recordpack.scan import walk
from tests.cli_runs import index_of, run
from tests.pack_folder import make_patient_folder

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "sample-patient"
STRANGER = "Downloads/report(4).pdf"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample patient's folder, with the stranger's lab report filed among her records."""
    return Path(shutil.copytree(EXAMPLE, tmp_path_factory.mktemp("sample") / "sample"))


@pytest.fixture(autouse=True)
def fast_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    real = age.ScryptRecipient
    monkeypatch.setattr(
        age, "ScryptRecipient", lambda p, work_factor=10: real(p, work_factor=work_factor)
    )


def test_without_a_manifest_another_patients_record_blocks_the_pack(
    sample: Path, identity: age.X25519Identity, tmp_path: Path
) -> None:
    out = tmp_path / "b.rpk"
    key = str(identity.recipient())
    refused = run("pack", sample, "-o", out, "--to", key)
    assert refused.exit_code == 1 and not out.exists() and list(tmp_path.iterdir()) == []
    assert STRANGER in refused.stdout and "--accept-other-patient" in refused.stderr
    assert "nothing was packed" in refused.stderr
    as_json = json.loads(run("pack", sample, "-o", out, "--to", key, "--json").stdout)
    assert as_json["packed"] is False and as_json["refused"] == ["other_patient"]
    assert [f["paths"] for f in as_json["gate"]["other_patient"]] == [[STRANGER]]
    # Accepting an incomplete folder is not accepting a stranger's record.
    incomplete = run("pack", sample, "-o", out, "--to", key, "--accept-incomplete")
    assert incomplete.exit_code == 1 and not out.exists()


def test_accepting_another_patient_packs_and_the_bundle_says_so(
    sample: Path, identity: age.X25519Identity, tmp_path: Path
) -> None:
    out = tmp_path / "b.rpk"
    packed = run(
        "pack", sample, "-o", out, "--to", str(identity.recipient()), "--accept-other-patient"
    )
    assert packed.exit_code == 0, packed.stderr
    assert "another person" in packed.stdout and STRANGER in packed.stdout
    findings = index_of(out, [identity])["check"]["findings"]
    assert [f["paths"] for f in findings if f["code"] == "patient_mismatch"] == [[STRANGER]]


def test_leaving_the_strangers_record_out_lets_the_pack_through(
    sample: Path, identity: age.X25519Identity, tmp_path: Path
) -> None:
    out = tmp_path / "b.rpk"
    key = str(identity.recipient())
    packed = run("pack", sample, "-o", out, "--to", key, "--exclude", STRANGER, "--json")
    assert packed.exit_code == 0, packed.stderr
    index = index_of(out, [identity])
    assert index["check"] is None
    assert STRANGER not in {f["original"] for f in index["files"]}


def test_passphrase_is_made_only_after_the_check_passes(sample: Path, tmp_path: Path) -> None:
    out = tmp_path / "b.rpk"
    refused = run("pack", sample, "-o", out, "--passphrase", "-m", "lung", input="y\n")
    assert refused.exit_code == 1 and not out.exists()
    assert "write it down" not in refused.stderr  # no passphrase shown for nothing
    from recordpack.passphrase import WORDS

    shown = [
        line
        for line in refused.stderr.splitlines()
        if line.strip().count("-") == 6 and all(w in WORDS for w in line.strip().split("-"))
    ]
    assert shown == []


def test_an_empty_folder_is_refused(identity: age.X25519Identity, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    out = tmp_path / "empty.rpk"
    result = run("pack", empty, "-o", out, "--to", str(identity.recipient()))
    assert result.exit_code == 1 and not out.exists()
    assert "no record to pack" in result.stderr and "Send" not in result.stdout
    # Leaving every record out is refused the same way.
    folder = tmp_path / "records"
    make_patient_folder(folder)
    everything = run(
        "pack", folder, "-o", out, "--to", str(identity.recipient()), "--exclude", "*",
        "--accept-incomplete", "--accept-other-patient",
    )  # fmt: skip
    assert everything.exit_code == 1 and "no record to pack" in everything.stderr
    assert not out.exists()


def test_summary_names_unreadable_folders_and_skipped_files(
    identity: age.X25519Identity, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "records"
    make_patient_folder(folder)
    (folder / "from the clinic").mkdir()
    (folder / "from the clinic" / "letter.txt").write_text("CONSULTATION NOTE\n")
    real_open = walk.open_fd

    def deny(path: Any, flags: int = os.O_RDONLY) -> int:
        if str(path).endswith("from the clinic"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags)

    monkeypatch.setattr(walk, "open_fd", deny)
    out = tmp_path / "b.rpk"
    text = run("pack", folder, "-o", out, "--to", str(identity.recipient()))
    assert text.exit_code == 0, text.stderr
    (unreadable,) = [line for line in text.stdout.splitlines() if "Could not be read" in line]
    assert "from the clinic" in unreadable
    (skipped,) = [line for line in text.stdout.splitlines() if "not medical records" in line]
    assert ".DS_Store" in skipped
    data = json.loads(
        run("pack", folder, "-o", tmp_path / "c.rpk", "--to", str(identity.recipient()),
            "--json").stdout
    )  # fmt: skip
    omitted = {(o["path"], o["code"]) for o in data["omitted"]}
    assert ("from the clinic", "unreadable") in omitted and (".DS_Store", "skipped") in omitted


def test_demo_shows_the_block_and_leaves_the_strangers_record_out(
    sample: Path, tmp_path: Path
) -> None:
    out = tmp_path / "demo"
    result = run("demo", sample, "-o", out)
    assert result.exit_code == 0, result.stderr + result.stdout
    pack_step = result.stdout.split("== 3. pack")[1].split("== 4. open")[0]
    assert "pack refuses this folder" in pack_step and STRANGER in pack_step
    assert "--exclude" in pack_step
    index = index_of(out / "records.rpk", age.load_identities(out / "specialist-key.txt"))
    assert STRANGER not in {f["original"] for f in index["files"]}
    assert not any(f["code"] == "patient_mismatch" for f in index["check"]["findings"])
    assert os.listdir(sample)  # the example folder is untouched (read-only to us)
