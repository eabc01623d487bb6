"""recordpack: scan, check, pack and open a cancer patient's medical records.

The public API is re-exported here; the CLI (``recordpack.cli``) only calls it.
"""

__version__ = "0.1.0"

from recordpack.scan import scan_folder  # noqa: E402  (public API; after __version__ for the CLI)
from recordpack.bundle.reader import inspect_bundle, open_bundle, verify_bundle  # noqa: E402
from recordpack.check import check as check
from recordpack.manifest import load_manifest as load_manifest
from recordpack.bundle.pack import PackSummary as PackSummary
from recordpack.bundle.pack import pack as pack
