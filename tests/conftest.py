"""Shared fixtures: paths to the public corpus and vectors beside the project."""

from __future__ import annotations

import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path
from typing import NoReturn

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
AGE_VECTORS = SHARED / "vectors" / "age" / "testdata"

# Let tests import the example generator (examples/*.py) as a package.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# The web tests' shared fixtures live there; keep pytest's assertion messages in it.
pytest.register_assert_rewrite("tests.web_helpers")


_DATA_DIR = pytest.StashKey[Path]()


def pytest_configure(config: pytest.Config) -> None:
    """recordpack's own state (the audit log, request tracking, saved corrections) goes
    to a folder of the test run's, never the developer's: every command and child
    process inherits it. A hook, not module code: some tests import this module again
    as ``tests.conftest``, and the run must keep one folder, removed at its end."""
    folder = Path(tempfile.mkdtemp(prefix="recordpack-test-data-"))
    config.stash[_DATA_DIR] = folder
    os.environ["RECORDPACK_DATA_DIR"] = str(folder)
    os.environ.pop("RECORDPACK_AUDIT_LOG", None)
    # Started with Ctrl-C ignored (``nohup cmd &``, some CI runners), every child
    # process would inherit the ignoring, and the tests of what Ctrl-C does would
    # fail for a reason that is not recordpack's. A handled signal is reset to the
    # default in a child, so Python's own handler here gives each child its own.
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_unconfigure(config: pytest.Config) -> None:
    folder = config.stash.get(_DATA_DIR, None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


#: Under CI=true a missing tool or data set fails the test: a skip would hide it.
IN_CI = os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def missing(reason: str) -> NoReturn:
    """Skip the test for ``reason`` on a developer's machine; fail it under CI=true."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: missing test tools or data are failures, not skips)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The public sample records in ../shared/corpus (skips when absent, fails in CI)."""
    if not CORPUS.is_dir():
        missing("../shared/corpus is absent (it exists beside the project in CI)")
    return CORPUS


@pytest.fixture(scope="session")
def age_vectors() -> Path:
    """The CCTV age test vectors in ../shared/vectors/age/testdata (skips when absent, fails in CI)."""
    if not AGE_VECTORS.is_dir():
        missing("../shared/vectors/age is absent (it exists beside the project in CI)")
    return AGE_VECTORS


def require_tool(name: str, package: str) -> str:
    """Path of an external program, or skip (fail in CI) saying how to install it."""
    path = shutil.which(name)
    if path is None:
        missing(f"this test needs {name}, which is not installed "
                f"(apt-get install {package}; .ci/run does this)")
    assert path is not None
    return path
