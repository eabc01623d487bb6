"""recordpack: scan, check, pack and open a cancer patient's medical records.

The public API is re-exported here lazily (PEP 562), so that importing one part
(``recordpack.age``, the CLI's ``inspect``) does not load pydicom and the scanners.
The CLI (``recordpack.cli``) only calls this API.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "scan_folder": "recordpack.scan",
    "check": "recordpack.check",
    "load_manifest": "recordpack.manifest",
    "pack": "recordpack.bundle.pack",
    "PackSummary": "recordpack.bundle.pack",
    "open_bundle": "recordpack.bundle.reader",
    "verify_bundle": "recordpack.bundle.reader",
    "inspect_bundle": "recordpack.bundle.reader",
}

__all__ = [
    "PackSummary",
    "__version__",
    "check",
    "inspect_bundle",
    "load_manifest",
    "open_bundle",
    "pack",
    "scan_folder",
    "verify_bundle",
]

if TYPE_CHECKING:
    from recordpack.bundle.pack import PackSummary as PackSummary
    from recordpack.bundle.pack import pack as pack
    from recordpack.bundle.reader import inspect_bundle as inspect_bundle
    from recordpack.bundle.reader import open_bundle as open_bundle
    from recordpack.bundle.reader import verify_bundle as verify_bundle
    from recordpack.check import check as check
    from recordpack.manifest import load_manifest as load_manifest
    from recordpack.scan import scan_folder as scan_folder


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'recordpack' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
