"""A disk that fails mid-read gives a plain 'could not be read' problem (walker.run_scanner)."""

from __future__ import annotations

import errno
import io
from typing import BinaryIO

import pytest

from recordpack.model import UNREADABLE, Problem
from recordpack.scan import image, text, walk
from recordpack.scan.base import HEAD_SIZE, Source


class _FailingStream(io.RawIOBase):
    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        raise OSError(errno.EIO, "Input/output error")


def _source(path: str, head: bytes) -> Source:
    def opener() -> BinaryIO:
        return io.BufferedReader(_FailingStream())

    # Larger than its head, so the scanner must read past it and hits the failing disk.
    return Source(path, HEAD_SIZE * 2, "0" * 64, head[:HEAD_SIZE].ljust(HEAD_SIZE, b" "), opener)


@pytest.mark.parametrize(
    ("scanner", "path", "head"),
    [
        (text, "note.txt", b"CLINIC NOTE\nHISTORY OF PRESENT ILLNESS\n"),
        (image, "scan.png", b"\x89PNG\r\n\x1a\n"),
    ],
)
def test_read_error_is_a_plain_unreadable_problem(scanner: object, path: str, head: bytes) -> None:
    outcomes = walk.run_scanner(scanner, _source(path, head))  # type: ignore[arg-type]
    problems = [o for o in outcomes if isinstance(o, Problem)]
    assert [p.code for p in problems] == [UNREADABLE]
    assert problems[0].path == path
    assert problems[0].message == "The file could not be read (Input/output error)."
    assert "another program" in (problems[0].hint or "")
