"""Which sentences of a record state the patient's own facts.

A note also speaks of relatives ("Mother had breast cancer, stage IIIA"), of what
might be ("If nodes are positive she would be stage IIA"), asks questions and takes
statements back ("... ? No - that was her sister"). None of these is a fact of the
patient. :func:`not_the_patients` gives, for each sentence, the reason it is left
out of the case summary (``relative``, ``hypothetical``, ``question`` or
``retracted``), or None for a plain statement.
When unsure the sentence is left out: the summary shows less rather than something wrong.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

#: People a note may speak of besides the patient.
RELATIVES: Final = (
    "mother", "father", "mom", "dad", "parents?", "sisters?", "brothers?", "siblings?",
    "half-sisters?", "half-brothers?", "twins?", "daughters?", "sons?", "children",
    "aunts?", "uncles?", "cousins?", "nieces?", "nephews?", "grandmothers?", "grandfathers?",
    "grandparents?", "grandchildren", "husband", "wife", "spouse", "relatives",
    "maternal", "paternal",
)  # fmt: skip
_RELATIVE: Final = re.compile(
    rf"\b(?:{'|'.join(RELATIVES)})(?:'s)?\b|\bfamily (?:history|hx)\b", re.IGNORECASE
)
#: A section (heading) or a line label ("Family history: ...") about the family.
FAMILY_SECTION: Final = re.compile(r"\bFAMILY\b|^FHX?$", re.IGNORECASE)
# "FHx:" but not "FH-deficient renal cell carcinoma" (FH is also a gene).
FAMILY_LABEL: Final = re.compile(r"^\s*(?:family (?:history|hx)\s*[:-]|FHx?\s*:)", re.IGNORECASE)

#: Words that make a sentence say what might be rather than what is.
HYPOTHETICAL: Final = (
    r"if", r"unless", r"whether", r"would", r"could", r"in case", r"in the event",
    r"assuming", r"suppose", r"hypothetical(?:ly)?", r"consider", r"considering",
    r"(?:was|were|is being) considered",
)  # fmt: skip
# "Should the margins be involved, ...": a condition; "she should continue" is not matched.
_HYPOTHETICAL: Final = re.compile(rf"^should\b|\b(?:{'|'.join(HYPOTHETICAL)})\b", re.IGNORECASE)

#: How a sentence that takes back the one before it begins ("No - that was her sister").
_RETRACTION: Final = re.compile(
    r"^(?:no|nope|not so|incorrect|correction|disregard|scratch that|error)\b\s*(?:[-–—,:;.!]|$)",
    re.IGNORECASE,
)
#: A sentence that goes on about the person the sentence before it spoke of.
_CONTINUES: Final = re.compile(r"^(?:he|she|his|her|they|their|him|them)\b", re.IGNORECASE)


def not_the_patients(sentences: Sequence[tuple[str, str | None]]) -> list[str | None]:
    """For each (sentence, section heading): why it states no fact of the patient, or None."""
    reasons: list[str | None] = []
    for number, (text, section) in enumerate(sentences):
        after = sentences[number + 1][0] if number + 1 < len(sentences) else ""
        about_relative = (
            bool(section and FAMILY_SECTION.search(section))
            or _RELATIVE.search(text) is not None
            or (bool(reasons) and reasons[-1] == "relative" and _CONTINUES.match(text) is not None)
        )
        if about_relative:
            reasons.append("relative")
        elif _RETRACTION.match(after):
            reasons.append("retracted")
        elif "?" in text:
            reasons.append("question")
        elif _HYPOTHETICAL.search(text):
            reasons.append("hypothetical")
        else:
            reasons.append(None)
    return reasons
