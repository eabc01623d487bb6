"""A keygen killed outright leaves its temporary holding a SECRET key: the next keygen of
that name removes it (and says so), and touches nothing that is not provably its own.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

from recordpack import age
from recordpack.bundle.leftovers import WRITE, temporary_name
from tests.cli_runs import run
from tests.leftover_helpers import dead_pid, kill_when_stalled

#: A child that runs keygen and stalls just before the key file gets its name, so that
#: it can be killed with SIGKILL while its temporary (holding the secret key) exists.
_STALLED_KEYGEN = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from recordpack.cli import main

    target, marker = sys.argv[1], Path(sys.argv[2])

    def stall(source, destination):
        marker.write_text("about to name the key file")
        time.sleep(600)

    os.link = stall
    main(["keygen", "-o", target])
    """
)


def test_a_keygen_killed_with_sigkill_is_swept_by_the_next_keygen_of_that_name(
    tmp_path: Path,
) -> None:
    keys = tmp_path / "keys"
    keys.mkdir()
    target = keys / "key.txt"
    marker = tmp_path / "started"
    kill_when_stalled(_STALLED_KEYGEN, target, marker, marker=marker)
    (stale,) = list(keys.iterdir())
    assert not target.exists()
    assert b"AGE-SECRET-KEY-1" in stale.read_bytes()  # the leftover holds a secret key
    assert stale.name.startswith(".key.txt.recordpack-tmp-")  # and says whose it is
    assert stale.name.endswith(WRITE)
    assert stale.stat().st_mode & 0o077 == 0  # readable only by its owner meanwhile

    result = run("keygen", "-o", target)

    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in keys.iterdir()) == ["key.txt"]
    assert f"removed {stale}" in result.stderr
    assert "secret key" in result.stderr.split(f"removed {stale}")[1].splitlines()[0]
    (identity,) = age.load_identities(target)
    assert result.stdout == f"Public key: {identity.recipient()}\n"


def test_keygen_removes_only_that_names_leftovers_of_dead_processes(tmp_path: Path) -> None:
    dead = dead_pid()
    mine = tmp_path / temporary_name("key.txt", WRITE, dead)
    other_name = tmp_path / temporary_name("old-key.txt", WRITE, dead)
    running = tmp_path / temporary_name("key.txt", WRITE, os.getppid())
    lookalike = tmp_path / ".key.txt.recordpack-tmp-1-abcd1234-00000000.tmp"  # bad check
    before = tmp_path / ".keygen-k3j4h5g6"  # not provably recordpack's: the user decides
    for path in (mine, other_name, running, lookalike, before):
        path.write_bytes(b"AGE-SECRET-KEY-1...")

    result = run("keygen", "-o", tmp_path / "key.txt")

    assert result.exit_code == 0, result.output
    assert not mine.exists()
    for path in (other_name, running, lookalike, before):
        assert path.exists(), path.name
    assert f"removed {mine}" in result.stderr
    kept = [line for line in result.stderr.splitlines() if str(running) in line]
    assert len(kept) == 1 and "may still be using it" in kept[0] and "secret key" in kept[0]
