"""The audit log: every event kept, any edit, deletion or reordering caught."""

from __future__ import annotations

import itertools
import multiprocessing
import sqlite3
from pathlib import Path

import pytest

from recordpack.audit import GENESIS, AuditEvent, AuditLog, AuditLogError


def _event(n: int, action: str = "pack") -> AuditEvent:
    return AuditEvent(
        action=action,
        subject=f"/bundles/patient-{n}.rpk",
        outcome="packed",
        patient=f"TESTPERSON, NUMBER {n}",
        bundle_sha256=f"{n:064x}",
        recipients=("age1examplepublickey",),
        counts={"records": n},
    )


def _filled(tmp_path: Path, n: int = 5) -> AuditLog:
    log = AuditLog(tmp_path / "audit.sqlite3")
    for i in range(1, n + 1):
        log.append(_event(i))
    return log


def test_events_are_kept_in_order_and_the_chain_verifies(tmp_path: Path) -> None:
    log = _filled(tmp_path)
    events = log.events()
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert events[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))
    report = log.verify()
    assert report.ok and report.events == 5 and report.head == events[-1].hash == log.head()


def test_filters_by_action_and_day(tmp_path: Path) -> None:
    log = _filled(tmp_path, 2)
    log.append(_event(3, action="open"))
    assert [e.event.action for e in log.events(action="open")] == ["open"]
    import datetime as dt

    assert log.events(since=dt.date.today() + dt.timedelta(days=1)) == []
    assert len(log.events(since=dt.date.today() - dt.timedelta(days=1))) == 3


def _sql(log: AuditLog, statement: str) -> None:
    with sqlite3.connect(log.path) as db:
        db.execute(statement)


@pytest.mark.parametrize(
    ("statement", "first_bad"),
    [
        ("UPDATE events SET recipients = '[\"age1attacker\"]' WHERE seq = 3", 3),
        ("UPDATE events SET outcome = 'refused' WHERE seq = 2", 2),
        ("UPDATE events SET counts = 'not json' WHERE seq = 4", 4),
        ("DELETE FROM events WHERE seq = 2", 3),
        # Renumbering after a deletion hides the gap but not the broken link.
        ("DELETE FROM events WHERE seq = 2; UPDATE events SET seq = seq - 1 WHERE seq > 2", 2),
        ("UPDATE events SET seq = 10 WHERE seq = 1; UPDATE events SET seq = 1 WHERE seq = 2;"
         " UPDATE events SET seq = 2 WHERE seq = 10", 1),
    ],
    ids=["recipient-edited", "outcome-edited", "counts-garbled", "deleted", "deleted-renumbered",
         "reordered"],
)
def test_any_edit_is_caught_and_named(tmp_path: Path, statement: str, first_bad: int) -> None:
    log = _filled(tmp_path)
    with sqlite3.connect(log.path) as db:
        db.executescript(statement)
    report = log.verify()
    assert not report.ok
    assert report.first_bad == first_bad
    assert report.reason


def test_a_truncated_log_is_caught_by_a_receipts_head_hash(tmp_path: Path) -> None:
    log = _filled(tmp_path)
    head_in_receipt = log.head()
    assert log.verify(receipt_head=head_in_receipt).ok
    _sql(log, "DELETE FROM events WHERE seq = 5")
    assert log.verify().ok  # the chain that is left still holds ...
    report = log.verify(receipt_head=head_in_receipt)
    assert not report.ok and report.receipt_found is False  # ... but the receipt proves the cut


def _append_many(path: str, worker: int, n: int) -> None:
    log = AuditLog(Path(path))
    for i in range(n):
        log.append(_event(worker * 1000 + i))


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "audit.sqlite3"
    AuditLog(path)
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_append_many, args=(str(path), w, 25)) for w in range(4)]
    for p in workers:
        p.start()
    for p in workers:
        p.join(60)
        assert p.exitcode == 0
    log = AuditLog(path)
    assert len(log.events()) == 100
    assert log.verify().ok


def test_an_unusable_place_is_a_clear_error_before_any_work(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(AuditLogError) as caught:
        AuditLog(blocker / "audit.sqlite3")
    assert "audit log" in caught.value.message and caught.value.exit_code == 2


def test_no_record_content_is_stored(tmp_path: Path) -> None:
    log = _filled(tmp_path, 1)
    dump = "\n".join(sqlite3.connect(log.path).iterdump())
    assert "TESTPERSON, NUMBER 1" in dump  # the name, to find the event
    assert set(log.events()[0].to_json()) == {
        "seq", "time", "operator", "action", "subject", "patient", "bundle_sha256",
        "recipients", "outcome", "counts", "prev_hash", "hash",
    }


def test_every_command_on_records_appends_one_event_and_pack_leaves_a_receipt(
    tmp_path: Path,
) -> None:
    import json
    import shutil

    from click.testing import CliRunner

    from recordpack import age
    from recordpack.cli import main

    folder = tmp_path / "records"
    shutil.copytree(Path(__file__).resolve().parent.parent / "examples" / "sample-patient", folder)
    identity = age.X25519Identity.generate()
    key = age.write_identity_file(tmp_path / "key.txt", identity)
    log = tmp_path / "audit.sqlite3"
    bundle = tmp_path / "records.rpk"

    def run(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(main, [*args, "--audit-log", str(log)])
        return result.exit_code, result.stdout

    assert run("scan", "-q", str(folder))[0] == 0
    assert run("check", "-q", str(folder), "-m", "breast")[0] == 1
    # The sample folder holds a stranger's record: the refused pack is logged too.
    assert run("pack", "-q", str(folder), "-o", str(bundle), "--to", str(identity.recipient()))[0] == 1
    code, out = run(
        "pack", "-q", str(folder), "-o", str(bundle), "--to", str(identity.recipient()),
        "--accept-other-patient", "--receipt", str(tmp_path / "receipt.json"), "--force",
    )
    assert code == 0, out
    assert run("verify", str(bundle), "-i", str(key))[0] == 0
    assert run("open", "-q", str(bundle), "-i", str(key), "-o", str(tmp_path / "opened"))[0] == 0
    damaged = tmp_path / "damaged.rpk"
    data = bytearray(bundle.read_bytes())
    data[len(data) // 2] ^= 1
    damaged.write_bytes(bytes(data))
    assert run("verify", str(damaged), "-i", str(key))[0] == 1

    events = AuditLog(log).events()
    assert [(e.event.action, e.event.outcome.split(":")[0]) for e in events] == [
        ("scan", "scanned"), ("check", "not ready"), ("pack", "refused"), ("pack", "packed"),
        ("verify", "verified"), ("open", "verified"), ("verify", "refused"),
    ]
    packed = events[3].event
    receipt = json.loads((tmp_path / "receipt.json").read_text())
    import hashlib

    assert receipt["sha256"] == packed.bundle_sha256 == hashlib.sha256(bundle.read_bytes()).hexdigest()
    # The specialist's verify and open log the same hash: their log matches the receipt.
    assert events[4].event.bundle_sha256 == events[5].event.bundle_sha256 == receipt["sha256"]
    assert events[6].event.bundle_sha256 is None  # refused: nothing claimed about it
    assert receipt["accepted"] == ["accept_other_patient"]
    assert receipt["audit_head"] == events[3].hash
    assert packed.recipients == (str(identity.recipient()),)
    assert AuditLog(log).verify().ok


def test_a_file_name_that_is_not_utf8_is_logged_as_scan_writes_it(tmp_path: Path) -> None:
    latin = "Dossier m\udce9dical"  # the bytes b"m\xe9dical" as Python reads them from disk
    log = AuditLog(tmp_path / "audit.sqlite3")
    log.append(AuditEvent(action="scan", subject=latin, outcome="scanned", patient="JOS\udcc9"))
    (event,) = log.events()
    assert event.event.subject == "Dossier m\\xe9dical" and event.event.patient == "JOS\\xc9"
    assert log.verify().ok  # reading it back does not change it (no double escaping)
