"""The rendering layer: the only place findings, reports and results become words.

- :mod:`recordpack.render.text`: a terminal's plain text (pack summary, what was
  left out, a bundle's index);
- :mod:`recordpack.render.json`: the ``--json`` documents;
- :mod:`recordpack.render.requests`: records-request letters written and tracked;
- HTML: the bundle's ``index.html`` (:func:`recordpack.bundle.html.render_index_html`).

The scan and check reports are worded by :func:`recordpack.scan.report.render_scan`
and :func:`recordpack.check_words.render_check`, re-exported here so that front doors
import every renderer from one place.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

_EXPORTS: dict[str, str] = {
    "render_scan": "recordpack.scan.report",
    "render_check": "recordpack.checking",
    "render_index_html": "recordpack.bundle.html",
    "render_pack": "recordpack.render.text",
    "render_index": "recordpack.render.text",
    "render_omissions": "recordpack.render.text",
    "render_written": "recordpack.render.requests",
    "render_requests": "recordpack.render.requests",
}

__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:
    from recordpack.bundle.html import render_index_html as render_index_html
    from recordpack.checking import render_check as render_check
    from recordpack.render.requests import render_requests as render_requests
    from recordpack.render.requests import render_written as render_written
    from recordpack.render.text import render_index as render_index
    from recordpack.render.text import render_omissions as render_omissions
    from recordpack.render.text import render_pack as render_pack
    from recordpack.scan.report import render_scan as render_scan


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'recordpack.render' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
