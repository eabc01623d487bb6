"""Which sentences of a record state the patient's own facts.

A note also speaks of relatives ("Mother had breast cancer, stage IIIA"), of what
might be ("If nodes are positive she would be stage IIA"), asks questions and takes
statements back ("... ? No - that was her sister"). None of these is a fact of the
patient. :func:`clauses` splits a sentence into its statements ("She has a family
history of breast cancer; she was diagnosed with stage IIIC"), and
:func:`not_the_patients` gives, for each, the reason it is left out of the case
summary (``relative``, ``hypothetical``, ``question`` or ``retracted``), or None
for a plain statement.
When unsure the sentence is left out: the summary shows less rather than something wrong.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

#: People a note may speak of besides the patient, with the pronouns that go on
#: about them ("Her brother had colon cancer. He ..."): "she" after a brother is the patient.
_SHE: Final = frozenset({"she", "her", "hers"})
_HE: Final = frozenset({"he", "his", "him"})
_ANYONE: Final = _SHE | _HE | {"they", "their", "them"}
RELATIVES: Final[tuple[tuple[str, frozenset[str]], ...]] = (
    (r"mother|mom|mum|mommy|mama|grandma|granny|nana|sisters?|daughters?|aunts?|nieces?", _SHE),
    (r"wife|fianc[ée]e|girlfriend", _SHE),
    (r"father|dad|daddy|papa|grandpa|brothers?|sons?|uncles?|nephews?|husband|fianc[ée]", _HE),
    (r"boyfriend", _HE),
    (r"parents?|siblings?|twins?|child|children|kids?|cousins?|grandchild(?:ren)?", _ANYONE),
    (r"spouse|partner|relatives?|in-laws?", _ANYONE),
)  # fmt: skip
# "grandmother", "half-brother", "great-aunt", "stepfather's": the kin word after its prefix.
_KIN_PREFIX: Final = r"(?:great-?|grand-?|half-|step-?)*"
_RELATIVE_PEOPLE: Final = tuple(
    (re.compile(rf"\b{_KIN_PREFIX}(?:{words})(?:'s)?\b", re.IGNORECASE), pronouns)
    for words, pronouns in RELATIVES
)
#: Words that make a sentence about the family without naming one person.
_FAMILY: Final = re.compile(r"\b(?:family (?:history|hx)|maternal|paternal)\b", re.IGNORECASE)
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
#: A clause that goes on about the person the one before it spoke of.
_CONTINUES: Final = re.compile(r"^(?:he|she|his|her|they|their|him|them)\b", re.IGNORECASE)
#: Where a sentence holds two statements: "...; she was ...", "..., and the patient ...".
_CLAUSE_BREAK: Final = re.compile(
    r"\s*;\s*|,\s*(?:and|but)\s+(?=(?:she|he|the patient|patient)\b)", re.IGNORECASE
)


def clauses(sentence: str) -> list[str]:
    """The statements a sentence makes, in order (a clause about a relative drops only itself)."""
    return [part for part in _CLAUSE_BREAK.split(sentence) if part.strip()]


def _relative_in(text: str) -> frozenset[str] | None:
    """The pronouns that may go on about the relatives ``text`` names; None when it names none."""
    pronouns = [p for pattern, p in _RELATIVE_PEOPLE if pattern.search(text)]
    return frozenset().union(*pronouns) if pronouns else None


def not_the_patients(sentences: Sequence[tuple[str, str | None]]) -> list[str | None]:
    """For each (sentence or clause, section heading): why it states no fact of the patient, or None."""
    reasons: list[str | None] = []
    # Pronouns that still speak of the relative named just before ("He ..."), if any.
    spoken_of: frozenset[str] = frozenset()
    for number, (text, section) in enumerate(sentences):
        after = sentences[number + 1][0] if number + 1 < len(sentences) else ""
        named = _relative_in(text)
        pronoun = _CONTINUES.match(text)
        goes_on = pronoun is not None and pronoun.group(0).lower() in spoken_of
        about_relative = (
            bool(section and FAMILY_SECTION.search(section))
            or named is not None
            or _FAMILY.search(text) is not None
            or goes_on
        )
        if named is not None:
            spoken_of = named
        elif not goes_on:
            spoken_of = frozenset()
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
