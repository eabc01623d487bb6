"""The workflow API every front door calls: prepare, gate, encryption, pack, open; progress and cancel."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from recordpack import age, workflow
from recordpack.errors import UsageError
from recordpack.manifest import load_manifest
from tests.pack_folder import make_patient_folder

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "sample-patient"
STRANGER = "Downloads/report(4).pdf"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "records"
    make_patient_folder(root)
    return root


@pytest.fixture(scope="module")
def example_prepared(tmp_path_factory: pytest.TempPathFactory) -> workflow.Prepared:
    """The sample patient's folder: her records plus one stranger's lab report."""
    source = tmp_path_factory.mktemp("example") / "sample"
    shutil.copytree(EXAMPLE, source)
    return workflow.prepare(source)


def test_without_a_manifest_another_patients_record_blocks(
    example_prepared: workflow.Prepared,
) -> None:
    decision = workflow.gate(example_prepared)
    assert not decision.allowed and decision.refused == (workflow.REFUSED_OTHER_PATIENT,)
    assert [f.paths for f in decision.other_patient] == [(STRANGER,)]
    assert example_prepared.manifest is None  # identity was checked without being asked


def test_accepting_incomplete_never_lets_another_patient_through(
    example_prepared: workflow.Prepared,
) -> None:
    assert not workflow.gate(example_prepared, accept_incomplete=True).allowed
    accepted = workflow.gate(example_prepared, accept_other_patient=True)
    assert accepted.allowed and [f.paths for f in accepted.accepted] == [(STRANGER,)]


def test_excluding_the_strangers_record_lets_the_folder_through(
    example_prepared: workflow.Prepared,
) -> None:
    prepared = workflow.prepare(example_prepared.folder, exclusions=[STRANGER])
    assert workflow.gate(prepared).allowed
    assert prepared.record_count == example_prepared.record_count - 1


def test_recheck_changes_the_checklist_and_exclusions_without_reading_a_file(
    example_prepared: workflow.Prepared, monkeypatch: pytest.MonkeyPatch
) -> None:
    import recordpack.scan

    def no_scan(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("recheck read the folder again")

    monkeypatch.setattr(recordpack.scan, "scan_folder", no_scan)
    rechecked = workflow.recheck(example_prepared, load_manifest("breast"), exclusions=[STRANGER])
    assert rechecked.scan is example_prepared.scan
    assert rechecked.manifest is not None and rechecked.manifest.name == "breast"
    assert rechecked.record_count == example_prepared.record_count - 1
    assert not workflow.gate(rechecked).other_patient
    with pytest.raises(workflow.ExclusionError):
        workflow.recheck(example_prepared, exclusions=["no-such-file.pdf"])


def test_manifest_gate_separates_incomplete_from_other_patient(folder: Path) -> None:
    prepared = workflow.prepare(folder, load_manifest("breast"))
    decision = workflow.gate(prepared)
    assert decision.refused == (workflow.REFUSED_INCOMPLETE,) and not decision.other_patient
    assert any(f.code == "missing" for f in decision.incomplete)
    assert workflow.gate(prepared, accept_incomplete=True).allowed


def test_an_empty_folder_is_refused_whatever_is_accepted(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    decision = workflow.gate(
        workflow.prepare(empty), accept_incomplete=True, accept_other_patient=True
    )
    assert decision.refused == (workflow.REFUSED_EMPTY,)


def test_pack_refuses_before_writing_when_the_gate_refuses(
    example_prepared: workflow.Prepared, identity: age.X25519Identity, tmp_path: Path
) -> None:
    out = tmp_path / "b.rpk"
    with pytest.raises(workflow.GateRefused) as refused:
        workflow.pack_prepared(example_prepared, out, [identity.recipient()])
    assert refused.value.decision.refused == (workflow.REFUSED_OTHER_PATIENT,)
    assert list(tmp_path.iterdir()) == []


def test_pack_result_names_what_was_left_out_and_its_digest(
    folder: Path, identity: age.X25519Identity, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from recordpack.scan import walk

    locked = folder / "locked"
    locked.mkdir()
    (locked / "note.txt").write_text("CONSULTATION NOTE\n")
    real_open = walk.open_fd

    def deny(path: Any, flags: int = os.O_RDONLY) -> int:
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags)

    monkeypatch.setattr(walk, "open_fd", deny)
    prepared = workflow.prepare(folder, exclusions=["labs"])
    result = workflow.pack_prepared(prepared, tmp_path / "b.rpk", [identity.recipient()])
    codes = {(o.path, o.code) for o in result.omitted}
    assert (".DS_Store", workflow.OMITTED_SKIPPED) in codes
    assert ("labs/cbc 2026-08-01.txt", workflow.OMITTED_EXCLUDED) in codes
    assert ("locked", workflow.OMITTED_UNREADABLE) in codes
    assert result.sha256 == hashlib.sha256(result.path.read_bytes()).hexdigest()
    doc = result.to_json()
    assert doc["packed"] is True and doc["size"] == result.path.stat().st_size


def test_encryption_choice_is_validated_before_any_work(
    identity: age.X25519Identity, tmp_path: Path
) -> None:
    with pytest.raises(workflow.EncryptionChoiceError) as none:
        workflow.choose_encryption()
    assert none.value.code == workflow.NO_RECIPIENT and isinstance(none.value, UsageError)
    with pytest.raises(workflow.EncryptionChoiceError) as both:
        workflow.choose_encryption(keys=[str(identity.recipient())], passphrase="a b c d")
    assert both.value.code == workflow.PASSPHRASE_WITH_KEYS
    with pytest.raises(workflow.EncryptionChoiceError) as twice:
        workflow.choose_encryption(passphrase="a b c", ask_passphrase=True)
    assert twice.value.code == workflow.PASSPHRASE_TWICE
    with pytest.raises(workflow.EncryptionChoiceError) as bad:
        workflow.choose_encryption(keys=["age1notakey"])
    assert bad.value.code == workflow.BAD_RECIPIENT
    asked = workflow.choose_encryption(ask_passphrase=True)
    # Nothing is made or asked for until the gate has passed: the choice only records it.
    assert asked.ask_passphrase and asked.passphrase is None
    (recipient,) = workflow.recipients(asked, "river lamp quiet orchard")
    assert isinstance(recipient, age.ScryptRecipient)


def test_progress_reports_phases_and_cancel_stops_the_scan(folder: Path) -> None:
    seen: list[tuple[str, int, int]] = []

    def progress(phase: str, done: int, total: int, detail: str = "") -> None:
        seen.append((phase, done, total))

    workflow.prepare(folder, progress=progress)
    phases = [p for p, _, _ in seen]
    assert phases[0] == workflow.PHASE_SCAN and phases[-1] == workflow.PHASE_CHECK
    scan_steps = [(d, t) for p, d, t in seen if p == workflow.PHASE_SCAN]
    assert scan_steps[-1][0] == scan_steps[-1][1] > 0

    token = workflow.CancelToken()

    def cancel_midway(phase: str, done: int, total: int, detail: str = "") -> None:
        if done >= 2:
            token.cancel()

    with pytest.raises(workflow.Cancelled):
        workflow.prepare(folder, progress=cancel_midway, cancel=token)


def test_cancel_during_pack_leaves_nothing(
    folder: Path, identity: age.X25519Identity, tmp_path: Path
) -> None:
    prepared = workflow.prepare(folder)
    token = workflow.CancelToken()
    calls: list[Any] = []

    def progress(phase: str, done: int, total: int, detail: str = "") -> None:
        calls.append(phase)
        if phase == workflow.PHASE_PACK and done > 0:
            token.cancel()

    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(workflow.Cancelled):
        workflow.pack_prepared(
            prepared, out / "b.rpk", [identity.recipient()], progress=progress, cancel=token
        )
    assert list(out.iterdir()) == [] and workflow.PHASE_PACK in calls


def test_pack_to_stream_then_open_and_inspect(
    folder: Path, identity: age.X25519Identity, tmp_path: Path
) -> None:
    prepared = workflow.prepare(folder)
    sink = io.BytesIO()
    result = workflow.pack_to_stream(prepared, sink, [identity.recipient()])
    bundle = tmp_path / "from-stream.rpk"
    bundle.write_bytes(sink.getvalue())
    assert not result.path.exists()  # the temporary copy is gone
    keys = workflow.identities(bundle, key_files=[_key_file(identity, tmp_path)])
    opened = workflow.open_bundle(bundle, keys)
    assert opened.dest == tmp_path / "from-stream" and opened.files > 0
    assert workflow.verify_bundle(bundle, keys).files == opened.files
    inspected = workflow.inspect_bundle(bundle, keys)
    assert inspected.index.bag == result.summary.bag and not inspected.verified


def test_identities_need_a_key_or_passphrase(tmp_path: Path) -> None:
    bundle = tmp_path / "x.rpk"
    with (
        open(bundle, "wb") as dst,
        age.encrypt_writer(dst, [age.ScryptRecipient("a b c d", work_factor=10)]) as plain,
    ):
        plain.write(b"x")
    with pytest.raises(workflow.NoKeyError) as missing:
        workflow.identities(bundle)
    assert missing.value.passphrase_bundle is True


def _key_file(identity: age.X25519Identity, folder: Path) -> Path:
    path = folder / "key.txt"
    if not path.exists():
        age.write_identity_file(path, identity)
    return path


def test_a_cancel_token_can_share_another_processes_flag(folder: Path) -> None:
    import multiprocessing

    flag = multiprocessing.get_context("spawn").Event()
    token = workflow.CancelToken(flag)
    flag.set()  # as another process would
    with pytest.raises(workflow.Cancelled):
        workflow.prepare(folder, cancel=token)
