"""The specialist's first screen: case facts drawn from the records' text, and a timeline.

:func:`build_summary` reads the text scan already extracted from each document
(no file is read again) and keeps only what a record states plainly, each fact
with the record it came from and the sentence that says it. :func:`build_timeline`
orders every record by date. Both return plain JSON-ready data for ``index.json``;
:mod:`recordpack.summary.render` words them for a terminal.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from recordpack.summary.extract import SUMMARY_VERSION, SourcedText, build_summary
    from recordpack.summary.timeline import build_timeline

#: Where each name lives: loaded on first use, so that reading a bundle's
#: summary (``summary.render``) does not compile the extraction patterns.
_HOMES = {
    "SUMMARY_VERSION": "recordpack.summary.extract",
    "SourcedText": "recordpack.summary.extract",
    "build_summary": "recordpack.summary.extract",
    "build_timeline": "recordpack.summary.timeline",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)


__all__ = ["SUMMARY_VERSION", "SourcedText", "build_summary", "build_timeline"]
