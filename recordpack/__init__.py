"""recordpack: scan, check, pack and open a cancer patient's medical records.

The public API is re-exported here; the CLI (``recordpack.cli``) only calls it.
"""

__version__ = "0.1.0"
