"""The case summary reads the present illness.

The history of present illness gives the patient's current treatment, while past
medical history, family history and medication lists still give none. All invented.
"""

from __future__ import annotations

from typing import Any

import pytest

from recordpack.summary import SourcedText, build_summary

NOTE_DATE = "2026-11-05"


def _summary(text: str, kind: str = "clinical_note") -> dict[str, Any]:
    return build_summary([SourcedText(0, "data/records/note.txt", kind, NOTE_DATE, text)])


# --------------------------------------------------------------------------- history sections

HPI_NOTE = """HISTORY OF PRESENT ILLNESS
Ms. Vantreece has stage IIA left breast cancer.
Currently on letrozole since March 2025.
Her sister was treated with tamoxifen.
If her bone density falls, she would switch to exemestane.
PAST MEDICAL HISTORY
Hodgkin lymphoma in 1990 treated with ABVD.
FAMILY HISTORY
Mother on anastrozole.
SOCIAL HISTORY
Works as a radiotherapy technician.
MEDICATIONS
Letrozole 2.5 mg daily.
"""


@pytest.mark.parametrize("heading", ["HISTORY OF PRESENT ILLNESS", "HPI:", "Interval History"])
def test_the_present_illness_gives_the_current_treatment_and_nothing_else(heading: str) -> None:
    text = HPI_NOTE.replace("HISTORY OF PRESENT ILLNESS", heading)
    treatments = _summary(text)["treatments"]
    assert [(f["value"], f["date"], f["planned"]) for f in treatments] == [
        ("Currently on letrozole since March 2025.", "2025-03", False)
    ]
