"""Findings as data: a code, the files concerned, parameters, and whether it blocks.

``check`` produces :class:`Finding` objects; words come from one renderer
(:mod:`recordpack.check_words`), so every front door says the same thing and
a program reads the codes. A blocking finding carries a *concern* that tells
a gate which acceptance could override it:

- :data:`IDENTITY`: a file may be another person's, or its patient cannot be
  confirmed. Only the patient can decide.
- :data:`COMPLETENESS`: something required is missing, outdated, incomplete
  or cannot be opened.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

# Requirement statuses (KINDS.md).
MET: Final = "met"
MISSING: Final = "missing"
OUTDATED: Final = "outdated"
INCOMPLETE: Final = "incomplete"
OPTIONAL_MISSING: Final = "optional_missing"
STATUSES: Final = (MET, MISSING, OUTDATED, INCOMPLETE, OPTIONAL_MISSING)

# Finding codes beyond the scan's problem codes (KINDS.md names the first three).
PATIENT_MISMATCH: Final = "patient_mismatch"
IMAGES_WITHOUT_REPORT: Final = "images_without_report"
REPORT_WITHOUT_IMAGES: Final = "report_without_images"
#: A patient name that cannot be compared (a code, a single word): the patient must confirm.
PATIENT_UNCONFIRMED: Final = "patient_unconfirmed"

# Why a requirement has its status (RequirementResult.reason); the renderer words them.
#: Only files whose patient cannot be confirmed would meet it.
R_UNCONFIRMED: Final = "unconfirmed_patient"
#: The only records that would meet the item are ones whose kind scan is not sure of.
R_UNSURE_KIND: Final = "unsure_kind"
#: Nothing meets it (params say what was found instead, and why it did not count).
R_NOT_FOUND: Final = "not_found"
#: The newest record is older than the manifest allows.
R_TOO_OLD: Final = "too_old"
#: Fewer dated results than asked for.
R_FEW_DATED_RESULTS: Final = "few_dated_results"
#: Fewer records than asked for.
R_TOO_FEW: Final = "too_few"
#: Present, but a result the manifest asks of it is not there.
R_LACKS: Final = "lacks_results"
#: The only records that would meet it show a section it needs empty ("could not
#: be loaded", "not on file"), or are summaries without that section.
R_SECTION_EMPTY: Final = "section_empty"
#: The only records that would meet it are preliminary (the sender's status says not final).
R_PRELIMINARY: Final = "preliminary"
#: Met, but only by records that may not be the patient's ("may not be yours").
R_DOUBTED_PATIENT: Final = "doubted_patient"
#: Met, by more dated results than records (a cumulative printout).
R_DATED_RESULTS: Final = "dated_results"
#: Met, but a record's date could not be read to tell how recent it is.
R_UNDATED: Final = "undated"

# What a blocking finding is about (see the module docstring).
IDENTITY: Final = "identity"
COMPLETENESS: Final = "completeness"
CONCERNS: Final = (IDENTITY, COMPLETENESS)


@dataclass(frozen=True)
class Finding:
    """Something found across the folder's records, as data.

    ``paths`` are exactly the files concerned; ``params`` what a renderer needs
    to say it (names, dates, what differs); ``blocks`` whether it stops the
    folder being sent; ``concern`` (when it blocks) what kind of decision
    would lift it. :attr:`message` is the plain sentence for people.
    """

    code: str
    paths: tuple[str, ...]
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)
    blocks: bool = False
    concern: str | None = None

    @property
    def blocking(self) -> bool:
        """Same as :attr:`blocks` (the older name)."""
        return self.blocks

    @property
    def message(self) -> str:
        """The finding in plain words (:func:`recordpack.check_words.finding_message`)."""
        from recordpack.check_words import finding_message

        return finding_message(self)

    def __str__(self) -> str:
        return self.message

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "paths": list(self.paths),
            "message": self.message,
            "blocking": self.blocks,
            "concern": self.concern,
            "params": dict(self.params),
        }
