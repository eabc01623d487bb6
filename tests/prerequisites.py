"""What the tests need from outside the project, and what a test does when it is missing.

The public test data lives in ``../shared`` beside the project (``CORPUS``,
``AGE_VECTORS``); external programs are found on the PATH (:func:`require_tool`).
Something missing skips the test on a developer's machine and fails it under
CI=true (:func:`missing`). The fixtures ``corpus`` and ``age_vectors`` are in
conftest.py.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import NoReturn

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
AGE_VECTORS = SHARED / "vectors" / "age" / "testdata"

#: Under CI=true a missing tool or data set fails the test: a skip would hide it.
IN_CI = os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def missing(reason: str) -> NoReturn:
    """Skip the test for ``reason`` on a developer's machine; fail it under CI=true."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: missing test tools or data are failures, not skips)")
    pytest.skip(reason)


def require_tool(name: str, package: str) -> str:
    """Path of an external program, or skip (fail in CI) saying how to install it."""
    path = shutil.which(name)
    if path is None:
        missing(f"this test needs {name}, which is not installed "
                f"(apt-get install {package}; .ci/run does this)")
    assert path is not None
    return path
