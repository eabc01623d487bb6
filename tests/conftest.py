"""Shared fixtures and hooks: paths to the public corpus and vectors beside the project.

The plain helpers (paths, ``missing``, ``require_tool``) are in tests/prerequisites.py,
imported as ``tests.prerequisites``.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from recordpack.age import X25519Identity

# Let tests import the example generator (examples/*.py) and the helper modules
# (tests.<name>) as packages, however pytest was started.
_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

# pytest explains a failing assert in these helper modules as it does in a test module:
# the web tests' shared fixtures, and the helpers whose asserts check what a test runs.
pytest.register_assert_rewrite(
    "tests.web_helpers",
    "tests.prerequisites",
    "tests.cli_runs",
    "tests.scan_helpers",
    "tests.terminal",
    "tests.breast_folder",
    "tests.acceptance_folders",
    "tests.fuzz_helpers",
    "tests.leftover_helpers",
    "tests.summary_helpers",
)

from tests.prerequisites import AGE_VECTORS, CORPUS, missing  # noqa: E402 (needs the path above)

_DATA_DIR = pytest.StashKey[Path]()


def pytest_configure(config: pytest.Config) -> None:
    """recordpack's own state (the audit log, request tracking, saved corrections) goes
    to a folder of the test run's, never the developer's: every command and child
    process inherits it. A hook, not module code: the run keeps one folder, made here
    and removed at its end."""
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


@pytest.fixture(scope="module")
def key(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """An age key file (age-keygen's format) and its public key, one per test module."""
    from recordpack import age

    identity = age.X25519Identity.generate()
    path = tmp_path_factory.mktemp("key") / "key.txt"
    age.write_identity_file(path, identity)
    return path, str(identity.recipient())


@pytest.fixture(scope="module")
def identity() -> X25519Identity:
    """A fresh age key for one test module's bundles."""
    from recordpack import age

    return age.X25519Identity.generate()
