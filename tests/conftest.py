"""Shared fixtures: paths to the public corpus and vectors beside the project."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
AGE_VECTORS = SHARED / "vectors" / "age" / "testdata"

# Let tests import the example generator (examples/*.py) as a package.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The public sample records in ../shared/corpus (skips when absent)."""
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is absent (it exists beside the project in CI only)")
    return CORPUS


@pytest.fixture(scope="session")
def age_vectors() -> Path:
    """The CCTV age test vectors in ../shared/vectors/age/testdata (skips when absent)."""
    if not AGE_VECTORS.is_dir():
        pytest.skip("../shared/vectors/age is absent (it exists beside the project in CI only)")
    return AGE_VECTORS


def require_tool(name: str, package: str) -> str:
    """Path of an external program, or skip the test saying how to install it."""
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (apt-get install {package}; .ci/run does this)")
    return path
