"""Where pack, open and scan write: never over a record, the bundle, a device or a pipe,
never inside the folder being read (by any name), and a sweep of leftovers that
touches only what recordpack made."""

from __future__ import annotations

import errno
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from recordpack import age
from recordpack.cli import main
from tests.pack_folder import make_patient_folder


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "records"
    make_patient_folder(root)
    return root


@pytest.fixture
def key(identity: age.X25519Identity) -> str:
    return str(identity.recipient())


def run(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], env=env)


def listing(root: Path) -> dict[str, bytes | None]:
    """Every name under ``root`` with a file's bytes (None for anything else)."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes() if p.is_file() else None
        for p in sorted(root.rglob("*"))
    }


# ------------------------------------------------------------------ 1: where the receipt goes


def test_a_receipt_over_a_record_in_the_folder_is_refused_before_packing(
    folder: Path, key: str, tmp_path: Path
) -> None:
    record = next(p for p in sorted(folder.rglob("*")) if p.is_file())
    before = listing(folder)
    out = tmp_path / "b.rpk"
    result = run("pack", folder, "-o", out, "--to", key, "--receipt", record, "--force")
    assert result.exit_code == 2, result.output
    assert "inside the folder being packed" in result.stderr
    assert listing(folder) == before and not out.exists()


def test_a_receipt_named_like_the_bundle_is_refused(
    folder: Path, key: str, tmp_path: Path
) -> None:
    out = tmp_path / "same.rpk"
    alias = tmp_path / "sub" / ".." / "same.rpk"
    (tmp_path / "sub").mkdir()
    result = run("pack", folder, "-o", out, "--to", key, "--receipt", alias)
    assert result.exit_code == 2 and "would replace the bundle" in result.stderr
    assert not out.exists()


def test_an_existing_receipt_is_replaced_only_with_force(
    folder: Path, key: str, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.key"
    secret.write_text("AGE-SECRET-KEY-1...\n")
    kept = run("pack", folder, "-o", tmp_path / "a.rpk", "--to", key, "--receipt", secret)
    assert kept.exit_code == 2 and "already exists" in kept.stderr and "--force" in kept.stderr
    assert secret.read_text() == "AGE-SECRET-KEY-1...\n" and not (tmp_path / "a.rpk").exists()
    replaced = run(
        "pack", folder, "-o", tmp_path / "b.rpk", "--to", key, "--receipt", secret, "--force"
    )
    assert replaced.exit_code == 0, replaced.stderr
    assert json.loads(secret.read_text())["receipt"] is True


def test_a_receipt_whose_folder_is_missing_is_refused_before_packing(
    folder: Path, key: str, tmp_path: Path
) -> None:
    out = tmp_path / "b.rpk"
    result = run("pack", folder, "-o", out, "--to", key, "--receipt", tmp_path / "nodir" / "r.json")
    assert result.exit_code == 2 and "does not exist" in result.stderr
    assert not out.exists()


# ------------------------------------------------------- 2: the receipt fails after the bundle


@pytest.fixture
def full_disk_for_receipts(monkeypatch: pytest.MonkeyPatch) -> None:
    import recordpack.receipt

    def failing(path: Path, data: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(recordpack.receipt, "write_atomic", failing)


@pytest.mark.usefixtures("full_disk_for_receipts")
def test_a_receipt_that_cannot_be_written_says_the_bundle_was(
    folder: Path, key: str, tmp_path: Path
) -> None:
    out = tmp_path / "b.rpk"
    result = run("pack", folder, "-o", out, "--to", key, "--receipt", tmp_path / "r.json")
    assert result.exit_code == 1
    assert f"the bundle was written to {out}" in result.stderr
    assert "the receipt could not be written: No space left on device" in result.stderr
    assert "nothing was packed" not in result.stderr
    assert out.exists() and not (tmp_path / "r.json").exists()


@pytest.mark.usefixtures("full_disk_for_receipts")
def test_a_receipt_that_cannot_be_written_in_json(
    folder: Path, key: str, tmp_path: Path
) -> None:
    out = tmp_path / "b.rpk"
    result = run("pack", folder, "-o", out, "--to", key, "--receipt", tmp_path / "r.json", "--json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["packed"] is True and document["path"] == str(out)
    assert document["ok"] is False and document["receipt_written"] is False
    assert document["error"]["code"] == "receipt_not_written"
    assert document["receipt"]["sha256"] == document["sha256"]


# ----------------------------------------------------------- 3: the sweep of leftovers


def _dead_pid() -> int:
    """The number of a process that has ended."""
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_the_sweep_leaves_the_users_lookalike_files_and_folders(
    folder: Path, identity: age.X25519Identity, key: str, tmp_path: Path
) -> None:
    from recordpack.bundle.leftovers import temporary_name

    downloads = tmp_path / "dl"
    downloads.mkdir()
    (downloads / ".thesis.2019.final.part").write_text("draft")
    photos = downloads / ".photos.1999.summer.partial"
    photos.mkdir()
    (photos / "img1.jpg").write_text("pic")
    # A recordpack name over a file that is not a bundle's start: not pack's either.
    odd = downloads / temporary_name("x.rpk", ".part", _dead_pid())
    odd.write_text("my notes")
    user_files = listing(downloads)

    packed = run("pack", folder, "-o", downloads / "x.rpk", "--to", key)
    assert packed.exit_code == 0, packed.stderr
    identity_file = tmp_path / "key.txt"
    identity_file.write_text(f"{identity}\n")
    opened = run("open", downloads / "x.rpk", "-i", identity_file, "-o", downloads / "opened", "-q")
    assert opened.exit_code == 0, opened.stderr
    assert "removed" not in packed.stderr + opened.stderr
    after = listing(downloads)
    assert {name: after[name] for name in user_files} == user_files


def test_pack_says_on_stderr_which_leftover_it_removed(
    folder: Path, key: str, tmp_path: Path
) -> None:
    from recordpack.bundle.leftovers import temporary_name

    out = tmp_path / "out"
    out.mkdir()
    stale = out / temporary_name("b.rpk", ".part", _dead_pid())
    stale.write_bytes(b"age-encryption.org/v1\n-> X25519 cut short")
    result = run("pack", folder, "-o", out / "b.rpk", "--to", key, "-q")
    assert result.exit_code == 0, result.stderr
    assert not stale.exists()
    assert f"removed {stale}, left by an interrupted earlier pack" in result.stderr


# ----------------------------------------------- 4: only a regular file is ever replaced


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_force_never_replaces_a_named_pipe(folder: Path, key: str, tmp_path: Path) -> None:
    pipe = tmp_path / "fifo.out"
    os.mkfifo(pipe)
    as_bundle = run("pack", folder, "-o", pipe, "--to", key, "-q", "--force")
    assert as_bundle.exit_code == 2 and "is a named pipe" in as_bundle.stderr
    as_receipt = run(
        "pack", folder, "-o", tmp_path / "b.rpk", "--to", key, "--receipt", pipe, "--force"
    )
    assert as_receipt.exit_code == 2 and "is a named pipe" in as_receipt.stderr
    assert pipe.is_fifo() and not (tmp_path / "b.rpk").exists()


def test_force_never_replaces_a_link(folder: Path, key: str, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.txt"
    target.write_text("kept")
    link = tmp_path / "b.rpk"
    link.symlink_to(target)
    result = run("pack", folder, "-o", link, "--to", key, "--force")
    assert result.exit_code == 2 and "is a symbolic link" in result.stderr
    assert link.is_symlink() and target.read_text() == "kept"


# ----------------------------------------- 5: the source folder by another name


@pytest.fixture
def bind_mount(folder: Path, tmp_path: Path) -> Iterator[Path]:
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    if os.geteuid() != 0:
        pytest.skip("only root can bind-mount")
    done = subprocess.run(["mount", "--bind", str(folder), str(mirror)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"bind mounts are not available here: {done.stderr!r}")
    try:
        yield mirror
    finally:
        subprocess.run(["umount", str(mirror)], check=True)


def test_an_output_through_a_bind_mount_of_the_folder_is_refused(
    folder: Path, key: str, bind_mount: Path
) -> None:
    before = listing(folder)
    (nested,) = [p for p in sorted(bind_mount.rglob("*")) if p.is_dir()][:1]
    for out in (bind_mount / "out.rpk", nested / "out.rpk"):
        result = run("pack", folder, "-o", out, "--to", key)
        assert result.exit_code == 2 and "inside the folder" in result.stderr
    receipt = run(
        "pack", folder, "-o", folder.parent / "b.rpk", "--to", key, "--receipt",
        bind_mount / "r.json",
    )  # fmt: skip
    assert receipt.exit_code == 2 and "inside the folder" in receipt.stderr
    assert listing(folder) == before


# -------------------------------------------------- 6: the audit log and the folder


@pytest.mark.parametrize("first", ["folder", "log"])
def test_scan_refuses_an_audit_log_inside_the_folder(folder: Path, first: str) -> None:
    before = listing(folder)
    log = ["--audit-log", str(folder / "sub" / "newlog.jsonl")]
    args = ["scan", "-q", str(folder), *log] if first == "folder" else ["scan", *log, str(folder)]
    result = run(*args)
    assert result.exit_code == 2 and "inside the folder" in result.stderr
    assert listing(folder) == before


def test_check_refuses_an_audit_log_inside_the_folder_named_by_the_environment(
    folder: Path,
) -> None:
    before = listing(folder)
    result = run("check", "-q", folder, env={"RECORDPACK_AUDIT_LOG": str(folder / "log.db")})
    assert result.exit_code == 2 and "inside the folder" in result.stderr
    assert listing(folder) == before


def test_pack_refuses_to_write_the_bundle_over_the_audit_log(
    folder: Path, key: str, tmp_path: Path
) -> None:
    log = tmp_path / "audit.db"
    assert run("scan", "-q", folder, "--audit-log", log).exit_code == 0
    before = log.read_bytes()
    result = run("pack", folder, "-o", log, "--to", key, "--force", "--audit-log", log)
    assert result.exit_code == 2 and "is the audit log" in result.stderr
    assert log.read_bytes() == before
