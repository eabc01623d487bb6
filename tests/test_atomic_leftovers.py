"""A file written whole (a receipt, a letter, the requests index) whose writer was killed
outright leaves a temporary that may hold medical data: the next write of the same name
removes it, and nothing that is not its own.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

from recordpack.atomic import write_atomic
from recordpack.bundle.leftovers import WRITE, temporary_name
from tests.leftover_helpers import dead_pid, kill_when_stalled

#: A child that writes TARGET atomically and stalls just before the rename, so that it can
#: be killed with SIGKILL while its temporary (holding the patient's data) exists.
_STALLED_WRITER = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from recordpack.atomic import write_atomic

    target, marker = Path(sys.argv[1]), Path(sys.argv[2])

    def stall(source, destination):
        marker.write_text("about to rename")
        time.sleep(600)

    os.replace = stall
    write_atomic(target, b"Receipt for TESTPERSON, JANE Q, MRN 000-TEST")
    """
)


def test_a_write_killed_with_sigkill_is_swept_by_the_next_write_of_that_name(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    target = out / "receipt.json"
    marker = tmp_path / "started"
    kill_when_stalled(_STALLED_WRITER, target, marker, marker=marker)
    stale = list(out.iterdir())
    assert len(stale) == 1 and not target.exists()
    assert b"TESTPERSON" in stale[0].read_bytes()  # the leftover holds the patient's data
    assert stale[0].name.startswith(".receipt.json.recordpack-tmp-")  # and says whose it is
    assert stale[0].stat().st_mode & 0o077 == 0  # readable only by its owner meanwhile

    report = write_atomic(target, b"the new receipt")
    assert report.removed == (stale[0],) and report.kept == ()
    assert sorted(p.name for p in out.iterdir()) == ["receipt.json"]
    assert target.read_bytes() == b"the new receipt"


def test_only_that_names_leftovers_of_dead_processes_are_removed(tmp_path: Path) -> None:
    dead = dead_pid()
    other_target = tmp_path / temporary_name("letter.pdf", WRITE, dead)
    live = tmp_path / temporary_name("receipt.json", WRITE, os.getppid())
    lookalike = tmp_path / ".receipt.json.recordpack-tmp-1-abcd1234-00000000.tmp"  # bad check
    old_style = tmp_path / ".receipt.json.k3j4h5g6.part"  # not provably recordpack's
    pack_part = tmp_path / temporary_name("receipt.json", ".part", dead)  # a bundle's, for pack
    mine = tmp_path / temporary_name("receipt.json", WRITE, dead)
    for path in (other_target, live, lookalike, old_style, pack_part, mine):
        path.write_bytes(b"a draft")
    folder = tmp_path / temporary_name("receipt.json", WRITE, dead_pid())
    folder.mkdir()  # what write_atomic makes is a file, never a folder
    link = tmp_path / temporary_name("receipt.json", WRITE, dead_pid())
    link.symlink_to(other_target)

    report = write_atomic(tmp_path / "receipt.json", b"{}")

    assert report.removed == (mine,) and not mine.exists()
    assert [path for path, _ in report.kept] == [live]
    assert "may still be using it" in report.kept[0][1]
    for path in (other_target, live, lookalike, old_style, pack_part, folder):
        assert path.exists(), path.name
    assert link.is_symlink()
