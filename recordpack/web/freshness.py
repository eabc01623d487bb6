"""Which page a form was made from, so that a decision made on an out-of-date page is refused.

Every form that changes something carries the stamp of the reading of the folder
its page showed (the folder and the scan's number) and, on the checklist and
pack pages, the checklist it was checked against. Another tab may since have
chosen another folder, read the same one again or chosen another checklist: the
form then names files of a reading the person is no longer looking at, and
nothing is changed. The pack and open forms also carry the stamp of the files
they showed as chosen (where the bundle goes; the bundle and key to open), so a
choice made in another tab is never acted on from a page that did not show it.
Reasons are codes; the pages word them.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path

#: The form field holding the stamp of the folder's reading the page showed.
READING_FIELD = "reading"
#: The form field holding the checklist the page was checked against ("" for none).
CHECKLIST_FIELD = "checklist"

#: The form field holding the stamp of the files the page showed as chosen.
CHOSEN_FIELD = "chosen"

#: The page showed another folder, an older reading of it, or the folder is being read again.
OTHER_READING = "other-reading"
#: The page showed the records checked against another checklist.
OTHER_CHECKLIST = "other-checklist"
#: The page showed another output folder, bundle or key than the one chosen since.
OTHER_CHOICE = "other-choice"


def reading_stamp(folder: Path | None, scan_number: int, read: bool) -> str:
    """The stamp of one finished reading of ``folder`` ("" while none is finished)."""
    if folder is None or not read:
        return ""
    named = os.fsencode(str(folder)) + b"\0" + str(scan_number).encode()
    return hashlib.sha256(named).hexdigest()[:20]


def choice_stamp(*chosen: Path | None) -> str:
    """The stamp of the files a page showed as chosen (None: nothing chosen)."""
    named = b"\0".join(b"-" if path is None else b"+" + os.fsencode(str(path)) for path in chosen)
    return hashlib.sha256(named).hexdigest()[:20]


def chosen_out_of_date(form: Mapping[str, object], chosen: str) -> str | None:
    """OTHER_CHOICE when ``form`` showed other chosen files than ``chosen`` (a stamp); else None."""
    return None if form.get(CHOSEN_FIELD) == chosen else OTHER_CHOICE


def why_out_of_date(
    form: Mapping[str, object],
    reading: str,
    checklist: str | None,
    *,
    with_checklist: bool,
) -> str | None:
    """Why the page ``form`` was sent from is out of date (a code), or None when it is current.

    ``reading`` and ``checklist`` are what the app holds now; ``with_checklist`` when the
    form's meaning depends on the checklist (a decision on a gap, the pack, letters).
    """
    sent = form.get(READING_FIELD)
    if not reading or not isinstance(sent, str) or sent != reading:
        return OTHER_READING
    if with_checklist and form.get(CHECKLIST_FIELD) != (checklist or ""):
        return OTHER_CHECKLIST
    return None
