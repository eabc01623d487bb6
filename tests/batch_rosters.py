"""Writing a batch roster and running the CLI with an audit log, for the batch tests."""

from __future__ import annotations

import csv
from pathlib import Path

from click.testing import CliRunner

from recordpack.cli import main


def write_roster(root: Path, rows: list[dict[str, str]], name: str = "roster.csv") -> Path:
    """A roster CSV of ``rows`` (its ``folder`` column first) at ``root / name``."""
    path = root / name
    header = sorted({k for row in rows for k in row}, key=lambda k: (k != "folder", k))
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return path


def run_logged(args: list[str], log: Path) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of ``recordpack ARGS --audit-log LOG``."""
    result = CliRunner().invoke(main, [*args, "--audit-log", str(log)])
    return result.exit_code, result.stdout, result.stderr
