"""What the case summary's facts say together: where the records disagree.

:func:`case_findings` reads a summary (``index.json``'s, so the sender's) and returns
findings as data, a ``code`` and its parameters; each renderer words them for its
reader. recordpack never chooses between records that disagree: it names each source.

- ``side_disagrees``: one report puts the disease on the left, another on the right, of
  the same paired organ (``site``); ``sources`` are the laterality facts, ``side`` set
  to "left" or "right". A report that names both sides, or "bilateral", is about both
  and disagrees with neither; a side whose organ is unknown or unpaired is not compared.
- ``stages_differ``: the records give more than one stage of one kind (``field``:
  "tnm" or "stage_group"); ``values`` are the stages, newest first. Each stays its
  own fact with its date and source: they are never merged into one.

Computed when a page is drawn rather than stored, so a bundle packed before this
module existed gets the same warnings.
"""

from __future__ import annotations

import re
from typing import Any, Final

#: Organs that come in pairs, as reports name them: a side means something only for these
#: (a left and a right prostate core are one gland, not a disagreement).
PAIRED_ORGANS: Final[tuple[tuple[str, str], ...]] = (
    ("breast", r"breasts?"),
    ("lung", r"lungs?|(?:upper|middle|lower) lobe|pulmonary"),
    ("kidney", r"kidneys?|renal"),
    ("ovary", r"ovar(?:y|ies)|adnexa(?:l)?"),
    ("fallopian tube", r"fallopian tubes?"),
    ("adrenal gland", r"adrenal(?: glands?)?"),
    ("testis", r"test(?:is|es|icles?)"),
    ("ureter", r"ureters?"),
    ("parotid gland", r"parotid(?: glands?)?"),
    ("eye", r"eyes?|orbits?"),
)
_ORGAN_RES: Final = tuple(
    (name, re.compile(rf"\b(?:{words})\b", re.I)) for name, words in PAIRED_ORGANS
)
_SIDE: Final = re.compile(r"\b(left|right|bilateral)\b", re.IGNORECASE)
#: Words around a stage group that do not change the stage.
_STAGE_WORDS: Final = re.compile(
    r"\b(?:ajcc|uicc|group|clinical|pathologic(?:al)?|anatomic|prognostic)\b|:", re.IGNORECASE
)
#: Stage fields whose values are compared (an AJCC edition is no stage).
_STAGE_FIELDS: Final = ("tnm", "stage_group")


def _organs(text: Any) -> set[str]:
    return {name for name, pattern in _ORGAN_RES if pattern.search(str(text or ""))}


def _side(value: Any) -> str | None:
    """The one side ("left" or "right") a laterality names; None for both or bilateral."""
    sides = {m.group(1).lower() for m in _SIDE.finditer(str(value or ""))}
    return next(iter(sides)) if len(sides) == 1 and "bilateral" not in sides else None


def _side_findings(diagnosis: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # Only facts that name their record can be compared and shown as its source.
    diagnosis = [f for f in diagnosis if type(f.get("record")) is int]
    # What each record's diagnosis names: its paired organs, and whether it names a
    # site that is none ("PROSTATE, LEFT BASE": a side of one gland).
    paired: dict[int, set[str]] = {}
    unpaired: set[int] = set()
    for f in diagnosis:
        record = f["record"]
        named = _organs(f.get("sentence"))
        if f.get("field") == "site":
            site = _organs(f.get("value"))
            named |= site
            if not site:
                unpaired.add(record)
        paired.setdefault(record, set()).update(named)
    sided = [f for f in diagnosis if f.get("field") == "laterality"]
    spoken_of = {o for organs in paired.values() for o in organs}
    # organ -> record -> the sides that record gives, each with its first fact.
    sides: dict[str, dict[int, dict[str, dict[str, Any]]]] = {}
    for f in sided:
        record = f["record"]
        organs = _organs(f.get("sentence"))
        if not organs and record not in unpaired:
            # "Laterality: Left" under "Tumor Site: Breast", or under the one paired
            # organ all these reports speak of.
            organs = paired[record] or spoken_of
        side = _side(f.get("value"))
        if len(organs) != 1 or side is None:
            continue  # no paired organ, or several: a side of what is not known
        organ = next(iter(organs))
        sides.setdefault(organ, {}).setdefault(record, {}).setdefault(side, f)
    found: list[dict[str, Any]] = []
    for organ, records in sides.items():
        one_sided = [next(iter(given.values())) for given in records.values() if len(given) == 1]
        if len({_side(f.get("value")) for f in one_sided}) < 2:
            continue
        found.append(
            {
                "code": "side_disagrees",
                "site": organ,
                "sources": [{**f, "side": _side(f.get("value"))} for f in one_sided],
            }
        )
    return found


def _same_stage(value: str) -> str:
    """A stage as compared: "clinical stage IA" and "AJCC stage IA" are one stage written
    twice ("pathologic stage IA" too: both are listed, with their words, all the same)."""
    return " ".join(_STAGE_WORDS.sub(" ", value.casefold()).split())


def _stage_findings(stage: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for field in _STAGE_FIELDS:
        values: list[str] = []
        for f in sorted(
            (f for f in stage if f.get("field") == field),
            key=lambda f: str(f.get("date") or ""),
            reverse=True,
        ):
            value = str(f.get("value") or "")
            if value and _same_stage(value) not in {_same_stage(v) for v in values}:
                values.append(value)
        if len(values) > 1:
            found.append({"code": "stages_differ", "field": field, "values": values})
    return found


def case_findings(summary: Any) -> list[dict[str, Any]]:
    """Where the summary's facts disagree: side first, then stage (see the module docstring)."""
    if not isinstance(summary, dict):
        return []

    def facts(key: str) -> list[dict[str, Any]]:
        items = summary.get(key)
        return [f for f in items if isinstance(f, dict)] if isinstance(items, list) else []

    return _side_findings(facts("diagnosis")) + _stage_findings(facts("stage"))
