"""The specialist's first screen: case facts drawn from the records' text, and a timeline.

:func:`build_summary` reads the text scan already extracted from each document
(no file is read again) and keeps only what a record states plainly, each fact
with the record it came from and the sentence that says it. :func:`build_timeline`
orders every record by date. Both return plain JSON-ready data for ``index.json``;
:mod:`recordpack.summary.render` words them for a terminal.
"""

from __future__ import annotations

from recordpack.summary.extract import SUMMARY_VERSION, SourcedText, build_summary
from recordpack.summary.timeline import build_timeline

__all__ = ["SUMMARY_VERSION", "SourcedText", "build_summary", "build_timeline"]
