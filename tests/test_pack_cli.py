"""``recordpack pack`` and ``recordpack demo`` as a user runs them: every option, exit codes, streams."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest

from recordpack import age
from tests.cli_runs import index_of, run
from tests.pack_folder import dicom_bytes, make_patient_folder, tree_snapshot
from tests.prerequisites import missing

SEND_HINT = "Give them the passphrase by another channel"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "records"
    make_patient_folder(root)
    return root


def cheap(passphrase: str) -> list[Any]:
    return [age.ScryptIdentity(passphrase)]


@pytest.fixture(autouse=True)
def fast_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    """Work factor 2^10 instead of 2^18 in these tests: same format, a thousandth of the time."""
    real = age.ScryptRecipient

    def quick(passphrase: str, work_factor: int = 10) -> Any:
        return real(passphrase, work_factor=work_factor)

    monkeypatch.setattr(age, "ScryptRecipient", quick)


def test_to_packs_for_a_public_key(
    folder: Path, identity: age.X25519Identity, tmp_path: Path
) -> None:
    out = tmp_path / "b.rpk"
    result = run("pack", folder, "-o", out, "--to", str(identity.recipient()))
    assert result.exit_code == 0, result.stderr
    assert f"Send {out.name} to the specialist" in result.stdout
    assert str(identity.recipient()) in result.stdout
    assert index_of(out, [identity])["encryption"]["recipients"] == [str(identity.recipient())]


def test_to_file_and_several_recipients(
    folder: Path, identity: age.X25519Identity, tmp_path: Path
) -> None:
    other = age.X25519Identity.generate()
    keys = tmp_path / "keys.txt"
    keys.write_text(f"# the tumour board\n{other.recipient()}\n")
    out = tmp_path / "b.rpk"
    result = run("pack", folder, "-o", out, "--to-file", keys, "--to", str(identity.recipient()))
    assert result.exit_code == 0, result.stderr
    assert index_of(out, [other])["bag"] == index_of(out, [identity])["bag"]


def test_bad_public_key_is_a_usage_error(folder: Path, tmp_path: Path) -> None:
    result = run("pack", folder, "-o", tmp_path / "b.rpk", "--to", "age1notakey")
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert "recordpack: error:" in result.stderr
    assert not (tmp_path / "b.rpk").exists()


def test_recipient_or_passphrase_is_required_and_not_both(
    folder: Path, identity: age.X25519Identity, tmp_path: Path
) -> None:
    out = tmp_path / "b.rpk"
    none = run("pack", folder, "-o", out)
    assert none.exit_code == 2 and "--to" in none.stderr
    both = run(
        "pack",
        folder,
        "-o",
        out,
        "--to",
        str(identity.recipient()),
        "--passphrase-env",
        "P",
        env={"P": "x y z w v"},
    )
    assert both.exit_code == 2 and "cannot be combined" in both.stderr
    two = run(
        "pack", folder, "-o", out, "--passphrase-env", "P", "--passphrase", env={"P": "x y z w v"}
    )
    assert two.exit_code == 2 and "one way only" in two.stderr
    assert not out.exists()


def test_passphrase_is_never_a_command_line_value(folder: Path, tmp_path: Path) -> None:
    result = run("pack", folder, "-o", tmp_path / "b.rpk", "--passphrase=secret words here")
    assert result.exit_code == 2 and "does not take a value" in result.stderr
    result = run("pack", folder, "-o", tmp_path / "b.rpk", "--passphrase", "secret")
    assert result.exit_code == 2  # "secret" is an unexpected extra argument, never a passphrase
    assert not (tmp_path / "b.rpk").exists()


def test_passphrase_generated_is_shown_once_on_stderr(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "b.rpk"
    result = run("pack", folder, "-o", out, "--passphrase", input="y\n")
    assert result.exit_code == 0, result.stderr
    from recordpack.passphrase import WORDS

    shown = [line.strip() for line in result.stderr.splitlines() if line.strip().count("-") == 6]
    assert len(shown) == 1 and all(w in WORDS for w in shown[0].split("-"))
    assert shown[0] not in result.stdout and SEND_HINT in result.stdout
    assert index_of(out, cheap(shown[0]))["encryption"] == {"recipients": [], "passphrase": True}


def test_passphrase_typed_twice(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "b.rpk"
    mine = "correct horse battery staple"
    result = run("pack", folder, "-o", out, "--passphrase", input=f"n\n{mine}\n{mine}\n")
    assert result.exit_code == 0, result.stderr
    assert mine not in result.stdout + result.stderr  # typed without echo, never printed
    assert index_of(out, cheap(mine))["encryption"]["passphrase"] is True


def test_passphrase_with_no_one_at_the_keyboard_says_how_scripts_do_it(
    folder: Path, tmp_path: Path
) -> None:
    out = tmp_path / "b.rpk"
    result = run("pack", folder, "-o", out, "--passphrase", input="")
    assert result.exit_code == 2
    assert "--passphrase-file" in result.stderr and "Aborted" not in result.stderr
    assert not out.exists()


def test_passphrase_file_and_env(folder: Path, tmp_path: Path) -> None:
    secret = tmp_path / "pass.txt"
    secret.write_text("velvet-walrus-orbit-tulip\nignored second line\n")
    out = tmp_path / "a.rpk"
    assert run("pack", folder, "-o", out, "--passphrase-file", secret).exit_code == 0
    assert index_of(out, cheap("velvet-walrus-orbit-tulip"))["encryption"]["passphrase"]
    out2 = tmp_path / "b.rpk"
    result = run(
        "pack",
        folder,
        "-o",
        out2,
        "--passphrase-env",
        "RP_PASS",
        env={"RP_PASS": "harbor violin toast"},
    )
    assert result.exit_code == 0 and SEND_HINT in result.stdout
    assert index_of(out2, cheap("harbor violin toast"))["bag"]
    unset = run("pack", folder, "-o", tmp_path / "c.rpk", "--passphrase-env", "RP_UNSET_VAR")
    assert unset.exit_code == 2 and "RP_UNSET_VAR" in unset.stderr


def test_manifest_gate_stops_with_the_report_then_accept_packs(
    folder: Path, identity: age.X25519Identity, tmp_path: Path
) -> None:
    before = tree_snapshot(folder)
    out = tmp_path / "b.rpk"
    key = str(identity.recipient())
    refused = run("pack", folder, "-o", out, "--to", key, "-m", "breast")
    assert refused.exit_code == 1
    assert "Missing" in refused.stdout  # the check's report, as `recordpack check` prints it
    assert "nothing was packed" in refused.stderr and "--accept-incomplete" in refused.stderr
    assert not out.exists() and list(tmp_path.glob(".b.rpk*")) == []
    as_json = run("pack", folder, "-o", out, "--to", key, "-m", "breast", "--json")
    assert as_json.exit_code == 1 and json.loads(as_json.stdout)["check"]["ok"] is False

    accepted = run(
        "pack",
        folder,
        "-o",
        out,
        "--to",
        key,
        "-m",
        "breast",
        "--accept-incomplete",
        "--as-of",
        "2026-11-01",
    )
    assert accepted.exit_code == 0, accepted.stderr
    check = index_of(out, [identity])["check"]
    assert check["manifest"] == "breast" and check["ok"] is False and check["as_of"] == "2026-11-01"
    assert tree_snapshot(folder) == before


def test_other_patient_needs_its_own_acceptance(
    folder: Path, identity: age.X25519Identity, tmp_path: Path
) -> None:
    stranger = folder / "Other CD" / "IM1"
    stranger.parent.mkdir()
    data, _ = dicom_bytes(
        "1.2.826.0.1.3680043.8.498.77", 1, 1, study_uid="1.2.826.0.1.3680043.8.498.70"
    )
    stranger.write_bytes(
        data.replace(b"QUILL^AVERY", b"ZORN^BERTIL")
        .replace(b"RP-TEST-0042", b"ZB-TEST-0999")
        .replace(b"19700506", b"19480101")
    )
    out = tmp_path / "b.rpk"
    key = str(identity.recipient())
    result = run("pack", folder, "-o", out, "--to", key, "-m", "breast", "--accept-incomplete")
    assert result.exit_code == 1 and "--accept-other-patient" in result.stderr and not out.exists()
    result = run(
        "pack",
        folder,
        "-o",
        out,
        "--to",
        key,
        "-m",
        "breast",
        "--accept-incomplete",
        "--accept-other-patient",
    )
    assert result.exit_code == 0, result.stderr
    findings = index_of(out, [identity])["check"]["findings"]
    assert any(f["code"] == "patient_mismatch" for f in findings)


def test_as_of_must_be_a_date(folder: Path, identity: age.X25519Identity, tmp_path: Path) -> None:
    result = run(
        "pack",
        folder,
        "-o",
        tmp_path / "b.rpk",
        "--to",
        str(identity.recipient()),
        "-m",
        "breast",
        "--as-of",
        "soon",
    )
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.stderr


def test_exclude(folder: Path, identity: age.X25519Identity, tmp_path: Path) -> None:
    out = tmp_path / "b.rpk"
    key = str(identity.recipient())
    result = run(
        "pack",
        folder,
        "-o",
        out,
        "--to",
        key,
        "--exclude",
        "labs",
        "--exclude",
        folder / "broken.pdf",
        "--json",
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["excluded"] == 2
    index = index_of(out, [identity])
    assert {x["original"] for x in index["excluded"]} == {"labs/cbc 2026-08-01.txt", "broken.pdf"}
    assert not any(
        f["original"] in ("labs/cbc 2026-08-01.txt", "broken.pdf") for f in index["files"]
    )
    typo = run("pack", folder, "-o", tmp_path / "c.rpk", "--to", key, "--exclude", "lbas")
    assert (
        typo.exit_code == 2
        and "matches no record" in typo.stderr
        and not (tmp_path / "c.rpk").exists()
    )


def test_label_and_corrections_change_the_kind(
    folder: Path, identity: age.X25519Identity, tmp_path: Path
) -> None:
    key = str(identity.recipient())
    out = tmp_path / "a.rpk"
    result = run(
        "pack", folder, "-o", out, "--to", key, "--label", "labs/cbc 2026-08-01.txt=genomic_report"
    )
    assert result.exit_code == 0, result.stderr
    kinds = {r["original_files"][0]: r["kind"] for r in index_of(out, [identity])["records"]}
    assert kinds["labs/cbc 2026-08-01.txt"] == "genomic_report"
    fixes = tmp_path / "fixes.csv"
    fixes.write_text("path,kind\nlabs/cbc 2026-08-01.txt,clinical_note\n")
    out2 = tmp_path / "b.rpk"
    assert run("pack", folder, "-o", out2, "--to", key, "--corrections", fixes).exit_code == 0
    records = index_of(out2, [identity])["records"]
    lab = next(r for r in records if r["original_files"] == ["labs/cbc 2026-08-01.txt"])
    assert lab["kind"] == "clinical_note" and lab["files"][0].startswith(
        "data/records/06-clinical_note/"
    )


def test_pack_reads_corrections_exactly_as_scan_does(
    folder: Path, identity: age.X25519Identity, tmp_path: Path
) -> None:
    """One piece of code serves both: a --label on the command line wins over the file."""
    fixes = tmp_path / "fixes.csv"
    fixes.write_text("path,kind\nlabs/cbc 2026-08-01.txt,clinical_note\n")
    label = "labs/cbc 2026-08-01.txt=genomic_report"
    scanned = run("scan", folder, "--json", "--corrections", fixes, "--label", label)
    kinds = {r["files"][0]: r["kind"] for r in json.loads(scanned.stdout)["records"]}
    out = tmp_path / "a.rpk"
    key = str(identity.recipient())
    packed = run("pack", folder, "-o", out, "--to", key, "--corrections", fixes, "--label", label)
    assert packed.exit_code == 0, packed.stderr
    index = index_of(out, [identity])
    assert {r["original_files"][0]: r["kind"] for r in index["records"]} == kinds
    assert kinds["labs/cbc 2026-08-01.txt"] == "genomic_report"


def test_force_replaces_only_when_asked(
    folder: Path, identity: age.X25519Identity, tmp_path: Path
) -> None:
    out = tmp_path / "b.rpk"
    out.write_bytes(b"an older bundle")
    key = str(identity.recipient())
    kept = run("pack", folder, "-o", out, "--to", key)
    assert (
        kept.exit_code == 2 and "--force" in kept.stderr and out.read_bytes() == b"an older bundle"
    )
    replaced = run("pack", folder, "-o", out, "--to", key, "--force")
    assert replaced.exit_code == 0 and index_of(out, [identity])["bag"]


def test_out_inside_the_folder_is_refused(folder: Path, identity: age.X25519Identity) -> None:
    before = tree_snapshot(folder)
    result = run("pack", folder, "-o", folder / "b.rpk", "--to", str(identity.recipient()))
    assert result.exit_code == 2 and "inside the folder" in result.stderr
    assert tree_snapshot(folder) == before


def test_quiet_prints_only_the_path(
    folder: Path, identity: age.X25519Identity, tmp_path: Path
) -> None:
    out = tmp_path / "b.rpk"
    result = run("pack", folder, "-o", out, "--to", str(identity.recipient()), "-q")
    assert result.exit_code == 0 and result.stdout == f"{out}\n" and result.stderr == ""


def test_json_summary(folder: Path, identity: age.X25519Identity, tmp_path: Path) -> None:
    out = tmp_path / "b.rpk"
    result = run("pack", folder, "-o", out, "--to", str(identity.recipient()), "--json")
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (
        summary["version"] == 1
        and summary["path"] == str(out)
        and summary["size"] == out.stat().st_size
    )
    assert summary["imaging_studies"] == 1 and summary["images_in_dicomdir"] == 5
    assert summary["duplicates"] == 1 and summary["encryption"]["recipients"] == [
        str(identity.recipient())
    ]
    assert summary["records"] == sum(summary["records_by_kind"].values())


def test_demo_runs_the_whole_path(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parent.parent / "examples" / "sample-patient"
    if not example.is_dir():
        missing("examples/sample-patient is not there")
    source = tmp_path / "example"
    shutil.copytree(example, source)
    out = tmp_path / "demo"
    result = run("demo", source, "--out", out)
    assert result.exit_code == 0, result.stderr + result.stdout
    for step in ("1. scan", "2. check", "3. pack", "4. open"):
        assert step in result.stdout
    assert (out / "records.rpk").is_file() and (out / "specialist-key.txt").is_file()
    assert list((out / "opened").glob("recordpack-*/index.html"))
    assert (
        index_of(out / "records.rpk", age.load_identities(out / "specialist-key.txt"))["check"]
        is not None
    )


def test_demo_without_the_example_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("demo")
    assert (
        result.exit_code == 1
        and "examples/sample-patient" in result.stderr
        and "hint" in result.stderr
    )


def test_a_demo_that_stops_before_packing_leaves_no_folder_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    empty = tmp_path / "nothing"
    empty.mkdir()
    result = run("demo", empty)
    assert result.exit_code != 0 and "cannot be packed" in result.stderr
    assert list(scratch.glob("recordpack-demo-*")) == []


def test_summaries_say_one_record_one_problem(tmp_path: Path) -> None:
    """Singular and plural, in the scan report, the pack summary and the bundle's README."""
    root = tmp_path / "records"
    root.mkdir()
    (root / "path.txt").write_text("SURGICAL PATHOLOGY REPORT\nFINAL DIAGNOSIS\nBenign.\n")
    (root / "path (1).txt").write_text("SURGICAL PATHOLOGY REPORT\nFINAL DIAGNOSIS\nBenign.\n")
    (root / "notes.xyz").write_bytes(b"\x00\x01 unknown")
    (root / "old.txt").write_text("CONSULTATION NOTE\nHISTORY OF PRESENT ILLNESS\nWell.\n")
    (root / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    scanned = run("scan", root)
    assert scanned.exit_code == 0
    # Two problems: the duplicate and the unreadable file.
    assert "Summary: 2 records, 2 problems, 1 skipped." in scanned.stdout
    identity = age.X25519Identity.generate()
    out = tmp_path / "a.rpk"
    packed = run("pack", root, "-o", out, "--to", str(identity.recipient()), "--exclude", "old.txt")
    assert packed.exit_code == 0, packed.stderr
    text = packed.stdout
    assert "Packed 1 record into" in text
    assert "1 duplicate file packed once" in text
    assert "1 file with problems included" in text and "1 file left out" in text
    assert "(s)" not in text
    with open(out, "rb") as src:
        zf = zipfile.ZipFile(io.BytesIO(age.decrypt_reader(src, [identity]).read()))
    (readme,) = [n for n in zf.namelist() if n.endswith("/README.txt")]
    assert "Content: 1 record in 2 files" in zf.read(readme).decode()
    (html,) = [n for n in zf.namelist() if n.endswith("/index.html")]
    page = zf.read(html).decode()
    assert "1 record, 2 files." in page and "Encrypted to 1 key." in page
    assert "1 file that is not a record (" in page
