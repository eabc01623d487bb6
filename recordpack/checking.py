"""Hold a scanned folder against a manifest: what is there, what is missing, what blocks.

:func:`check` turns a :class:`~recordpack.model.ScanResult` and a
:class:`~recordpack.manifest.Manifest` into a :class:`CheckReport`: one status
per requirement (met, missing, outdated, incomplete, optional_missing) with
the sentences that meet it, the findings across records as data (another
patient's files, files whose patient cannot be confirmed, duplicates, files
that cannot be opened, scans without a report and reports without their
images), and the physical items to arrange separately.

What blocks is data too: :attr:`CheckReport.blocking` lists every blocker
(findings and unmet requirements) with a ``concern`` (identity or
completeness), and :attr:`CheckReport.ok` is true only when that list is
empty. The words live in :mod:`recordpack.check_words`.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final

from recordpack import sentences as sentence_ends
from recordpack.check_words import (
    KIND_WORDS,
    first_file,
    render_check,
    requirement_detail,
)
from recordpack.classify import find_dates
from recordpack.classify.letters import asks_for, kinds_asked_for, read_as_request_letter
from recordpack.classify.text import LETTERHEAD
from recordpack.findings import (
    COMPLETENESS,
    IDENTITY,
    IMAGES_WITHOUT_REPORT,
    INCOMPLETE,
    MET,
    MISSING,
    OPTIONAL_MISSING,
    OUTDATED,
    PATIENT_MISMATCH,
    PATIENT_UNCONFIRMED,
    R_DATED_RESULTS,
    R_DOUBTED_PATIENT,
    R_FEW_DATED_RESULTS,
    R_LACKS,
    R_NOT_FOUND,
    R_PRELIMINARY,
    R_SECTION_EMPTY,
    R_TOO_FEW,
    R_TOO_OLD,
    R_UNCONFIRMED,
    R_UNDATED,
    R_UNSURE_KIND,
    REPORT_WITHOUT_IMAGES,
    STATUSES,
    Finding,
)
from recordpack.identity import Consensus, find_mismatches
from recordpack.manifest import Manifest, Mentions, Requirement
from recordpack.model import (
    DUPLICATE,
    ENCRYPTED,
    PRELIMINARY,
    UNREADABLE,
    WITHDRAWN,
    Record,
    ScanResult,
)
from recordpack.sections import ABSENT, EMPTY, Section, find_section

#: How far apart (days) an imaging report and its images may be dated.
IMAGING_PAIR_DAYS: Final = 30
#: Below this confidence scan says it is not sure of a record's kind ("not sure of
#: this one"): such a record alone never meets an item until the person confirms
#: or corrects its kind (a correction gives confidence 1).
UNSURE_KIND: Final = 0.5

#: Words a DICOM modality code stands for, so manifests can say "mammogram".
MODALITY_WORDS: Final[dict[str, tuple[str, ...]]] = {
    "CT": ("CT", "computed tomography", "CAT scan"),
    "MR": ("MRI", "magnetic resonance"),
    "PT": ("PET", "positron emission tomography"),
    "MG": ("mammogram", "mammography", "mammographic", "tomosynthesis", "breast"),
    "US": ("ultrasound", "sonography", "sonogram", "ultrasonography", "echography"),
    "NM": ("nuclear medicine", "scintigraphy", "bone scan", "SPECT"),
    "CR": ("X-ray", "radiograph", "radiography", "XR"),
    "DX": ("X-ray", "radiograph", "radiography", "XR"),
    "DR": ("X-ray", "radiograph", "radiography", "XR"),
    "RF": ("fluoroscopy",),
    "XA": ("angiography", "angiogram"),
}

#: Modalities that are images a radiologist reports on (not slides, RT objects, SR...).
_REPORTED_MODALITIES: Final = frozenset(MODALITY_WORDS)

#: Finding codes of scan problems that may stop a required record being read.
_UNOPENABLE: Final = frozenset({ENCRYPTED, UNREADABLE})

__all__ = [
    "DID_NOT_HAPPEN",
    "IMAGES_WITHOUT_REPORT",
    "INCOMPLETE",
    "MET",
    "MISSING",
    "OPTIONAL_MISSING",
    "OUTDATED",
    "PATIENT_MISMATCH",
    "PATIENT_UNCONFIRMED",
    "REPORT_WITHOUT_IMAGES",
    "STATUSES",
    "CheckReport",
    "Evidence",
    "Finding",
    "RequirementResult",
    "check",
    "exam_fields",
    "render_check",
]


# --------------------------------------------------------------------------- report model


@dataclass(frozen=True)
class Evidence:
    """Why a record counts: the sentence of a file that says it."""

    path: str
    text: str

    def to_json(self) -> dict[str, str]:
        return {"path": self.path, "text": self.text}


@dataclass(frozen=True)
class RequirementResult:
    """One requirement's status, the records that meet it, and the sentences that say so."""

    requirement: Requirement
    status: str
    records: tuple[Record, ...] = ()
    #: Why the status is what it is, as a code (``R_*``; empty when obvious) ...
    reason: str = ""
    #: ... and what a renderer needs to say it (:attr:`detail`).
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)
    #: For a met (or nearly met) item: which sentence of which file counts.
    evidence: tuple[Evidence, ...] = ()
    #: Files that would count but whose patient cannot be confirmed.
    unconfirmed: tuple[str, ...] = ()

    #: Files of those records that are another person's (one image of a study): not counted.
    left_out: frozenset[str] = frozenset()

    @property
    def files(self) -> list[str]:
        """The files that meet (or would meet) it: never another person's."""
        return [p for record in self.records for p in record.files if p not in self.left_out]

    @property
    def detail(self) -> str:
        """Why the status is what it is, in a plain sentence (empty when obvious)."""
        return requirement_detail(self)

    @property
    def blocking(self) -> bool:
        return self.requirement.required and self.status != MET

    @property
    def concern(self) -> str:
        """Identity when only a patient's confirmation is lacking, else completeness."""
        return IDENTITY if self.unconfirmed and self.status == INCOMPLETE else COMPLETENESS

    def as_finding(self) -> Finding:
        """This unmet requirement as a blocking finding (code = its status)."""
        return Finding(
            code=self.status,
            paths=tuple(self.files) or self.unconfirmed,
            params={
                "requirement": self.requirement.id,
                "title": self.requirement.title,
                "reason": self.reason,
                "detail": self.detail,
            },
            blocks=self.blocking,
            concern=self.concern if self.blocking else None,
        )

    def to_json(self) -> dict[str, Any]:
        req = self.requirement
        doc: dict[str, Any] = {
            "id": req.id,
            "title": req.title,
            "kinds": list(req.kinds),
            "status": self.status,
            "files": self.files,
            "why": req.why,
            "how_to_get": req.how_to_get,
            "required": req.required,
            "detail": self.detail,
            "reason": self.reason,
            "params": dict(self.params),
            "evidence": [e.to_json() for e in self.evidence],
        }
        if self.unconfirmed:
            doc["unconfirmed_files"] = list(self.unconfirmed)
        return doc


@dataclass(frozen=True)
class CheckReport:
    """What :func:`check` found; ``ok`` says whether the folder may be sent."""

    manifest: Manifest
    as_of: dt.date
    root: str
    results: tuple[RequirementResult, ...]
    findings: tuple[Finding, ...]
    #: Physical items (slides, blocks) the patient must arrange separately.
    arrange_separately: tuple[Requirement, ...] = ()
    patient_name: str | None = None
    patient_birth_date: str | None = None
    record_count: int = 0
    #: Records of a required kind that could not be opened (encrypted, damaged).
    unopened: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """True only when every required item is met and no finding blocks."""
        return not self.blocking

    @property
    def blocking(self) -> list[Finding]:
        """Everything that stops the folder being sent, once each, identity first.

        Each is a :class:`Finding` with ``blocks`` true and a ``concern``:
        ``identity`` (another person's files, or a patient that cannot be
        confirmed) or ``completeness`` (a required item not met, a required
        file that cannot be opened). Unmet requirements appear with their
        status as the code and ``params["requirement"]`` their id.
        """
        found = [f for f in self.findings if f.blocks]
        gaps = [r.as_finding() for r in self.results if r.blocking]
        everything = found + gaps
        return [f for f in everything if f.concern == IDENTITY] + [
            f for f in everything if f.concern != IDENTITY
        ]

    def still_blocking(self, accepted: Iterable[str] = ()) -> list[Finding]:
        """What still blocks once the user has accepted the given concerns.

        ``accepted`` holds :data:`~recordpack.findings.IDENTITY` and/or
        :data:`~recordpack.findings.COMPLETENESS`; a gate refuses while this
        list is not empty.
        """
        allowed = set(accepted)
        return [f for f in self.blocking if f.concern not in allowed]

    def result(self, requirement_id: str) -> RequirementResult:
        """The result for one requirement id; ``KeyError`` when there is none."""
        for result in self.results:
            if result.requirement.id == requirement_id:
                return result
        raise KeyError(requirement_id)

    def to_json(self) -> dict[str, Any]:
        """The ``check --json`` document of KINDS.md (extra keys are additions only)."""
        return {
            "version": 1,
            "manifest": self.manifest.name,
            "ok": self.ok,
            "requirements": [r.to_json() for r in self.results],
            "findings": [f.to_json() for f in self.findings],
            "blocking": [
                {
                    "code": f.code,
                    "paths": list(f.paths),
                    "concern": f.concern,
                    "requirement": f.params.get("requirement"),
                }
                for f in self.blocking
            ],
            "arrange_separately": [
                {"id": r.id, "title": r.title, "why": r.why, "how_to_get": r.how_to_get}
                for r in self.arrange_separately
            ],
            "as_of": self.as_of.isoformat(),
            "manifest_title": self.manifest.title,
            "root": self.root,
            "patient": {"name": self.patient_name, "birth_date": self.patient_birth_date},
        }


# --------------------------------------------------------------------------- check


def check(scan: ScanResult, manifest: Manifest, *, as_of: dt.date | None = None) -> CheckReport:
    """Hold what a scan found against a manifest, as of a date (today by default)."""
    as_of = as_of or dt.date.today()
    records = list(scan.records)

    consensus: Consensus = find_mismatches(records)
    foreign = _wholly(records, [m.paths for m in consensus.mismatches if not m.near])
    unsure = _wholly(records, [u.paths for u in consensus.unconfirmed])
    doubted_patient = frozenset(_wholly(records, [m.paths for m in consensus.mismatches if m.near]))
    bad_files = _unopenable_files(scan)
    others_files = frozenset(p for m in consensus.mismatches if not m.near for p in m.paths)
    unusable = {id(r) for r in records if r.files and all(path in bad_files for path in r.files)}
    doubtful = frozenset(id(r) for r in records if r.confidence < UNSURE_KIND)

    results: list[RequirementResult] = []
    physical: list[Requirement] = []
    for requirement in manifest.requirements:
        if requirement.physical:
            physical.append(requirement)
            continue
        judged = _Judged(records, unusable, foreign, unsure, bad_files, doubtful, doubted_patient)
        results.append(replace(_evaluate(requirement, judged, as_of), left_out=others_files))

    required_kinds = {k for r in manifest.requirements if r.required for k in r.kinds}
    findings = _identity_findings(consensus)
    findings += _problem_findings(scan, records, required_kinds)
    usable_records = [r for r in records if id(r) not in unusable | foreign]
    findings += _imaging_findings(usable_records)

    # The sentences of each record were kept while the requirements were judged.
    _text_passages.cache_clear()
    return CheckReport(
        manifest=manifest,
        as_of=as_of,
        root=scan.root,
        results=tuple(results),
        findings=tuple(findings),
        arrange_separately=tuple(physical),
        patient_name=consensus.name,
        patient_birth_date=consensus.birth_date,
        record_count=len(records),
        unopened=tuple(sorted(bad_files)),
    )


def _wholly(records: Sequence[Record], groups: Iterable[Sequence[str]]) -> set[int]:
    """Records every file of which is in one of ``groups`` (a whole study, not one image)."""
    flagged = {path for group in groups for path in group}
    return {id(r) for r in records if r.files and all(p in flagged for p in r.files)}


def _identity_findings(consensus: Consensus) -> list[Finding]:
    """Another person's files and files whose patient cannot be told: both block."""
    findings: list[Finding] = []
    for mismatch in consensus.mismatches:
        record = mismatch.record
        within = record.study is not None and set(mismatch.paths) != set(record.files)
        findings.append(
            Finding(
                PATIENT_MISMATCH,
                mismatch.paths or record.files,
                {
                    "differs": list(mismatch.differs),
                    "found": mismatch.found.to_json(),
                    "expected": mismatch.expected.to_json(),
                    "near": mismatch.near,
                    "second_person": mismatch.second_person,
                    "study": record.study.description if within and record.study else None,
                },
                blocks=True,
                concern=IDENTITY,
            )
        )
    for unsure in consensus.unconfirmed:
        findings.append(
            Finding(
                PATIENT_UNCONFIRMED,
                unsure.paths,
                {"name": unsure.name, "expected_name": consensus.name, "why": unsure.why},
                blocks=True,
                concern=IDENTITY,
            )
        )
    return findings


@dataclass(frozen=True)
class _Judged:
    """The folder's records with what check decided about each (by ``id``)."""

    records: Sequence[Record]
    unusable: set[int]
    foreign: set[int]
    unsure: set[int]
    bad_files: dict[str, str]
    #: Records whose kind scan is not sure of (see :data:`UNSURE_KIND`).
    doubtful: frozenset[int] = frozenset()
    #: Records that may not be the patient's (a doubt, "may not be yours"): they
    #: count, but an item only they meet says so.
    doubted_patient: frozenset[int] = frozenset()


def _counts(records: Sequence[Record], kinds: Sequence[str]) -> dict[str, int]:
    """How many records of each of ``kinds`` (in that order), for a renderer to say."""
    return {kind: n for kind in kinds if (n := sum(1 for r in records if r.kind == kind))}


def _held_back(
    req: Requirement,
    records: Sequence[Record],
    reason: str,
    params: dict[str, Any],
    *,
    unconfirmed: tuple[str, ...] = (),
) -> RequirementResult:
    """``records`` would meet ``req`` but wait for the person to confirm them (whose
    they are, or what they are): incomplete, or optional and missing."""
    return RequirementResult(
        req,
        INCOMPLETE if req.required else OPTIONAL_MISSING,
        tuple(records),
        reason=reason,
        params=params,
        evidence=_evidence(records[0], req),
        unconfirmed=unconfirmed,
    )


def _letter_naming(req: Requirement, judged: _Judged) -> Record | None:
    """The file read as a letter asking for records whose words name ``req``'s record
    itself (its kind's record words and the item's own words): it may be that record,
    misread, and its owner can correct its kind. The most specific such letter, the one
    that names the fewest kinds of record, else the first; None when no letter names it."""
    naming = [
        record
        for record in judged.records
        if id(record) not in judged.foreign
        and read_as_request_letter(record.evidence)
        and _names(record.text, req) is not None
    ]
    # min() keeps the first of equals: the folder's order breaks a tie.
    return min(naming, key=lambda r: len(kinds_asked_for(r.text)), default=None)


def _names(text: str, req: Requirement) -> str | None:
    """The first of ``req``'s kinds a letter's ``text`` names as the item itself, with the
    item's own words (its ``matches``, and for a kind that counts only by its sections,
    those sections: a "summary of care" is no medication list); else None."""
    if not _mentions_all(text, req.matches):
        return None
    for kind in req.kinds:
        if kind == "imaging_study":
            # A letter's text is never a scan's images, whatever it asks for.
            continue
        if asks_for(text, (kind,)) and (
            kind not in req.sections_in or _mentions_all(text, req.sections)
        ):
            return kind
    return None


def _letter_params(req: Requirement, letter: Record | None) -> dict[str, Any]:
    """What a renderer needs to say that ``letter`` may be ``req``'s record, misread, and
    how to file it as one: the letter (in a few words, and its path) and the kind it
    would be, the first of ``req``'s kinds its words name."""
    if letter is None:
        return {"letter_file": None}
    kind = _names(letter.text, req)
    return {"letter_file": first_file(letter), "letter_path": letter.files[0], "letter_kind": kind}


def _evaluate(req: Requirement, judged: _Judged, as_of: dt.date) -> RequirementResult:
    candidates = [r for r in judged.records if r.kind in req.kinds]
    excluded = judged.unusable | judged.foreign | judged.unsure | judged.doubtful
    usable = [r for r in candidates if id(r) not in excluded]
    scope = req.matches_in
    selected = [r for r in usable if _affirms_all(r, req.matches, scope)]
    absent = MISSING if req.required else OPTIONAL_MISSING
    # What the sender withdrew never counts; what is not final counts only as not final.
    withdrawn = [r for r in selected if r.status in WITHDRAWN]
    provisional = [r for r in selected if r.status == PRELIMINARY]
    selected = [r for r in selected if r.status not in WITHDRAWN and r.status != PRELIMINARY]
    blank = [(r, gap) for r in selected if (gap := _section_gap(r, req)) is not None]
    if blank:
        shown_nothing = {id(r) for r, _ in blank}
        selected = [r for r in selected if id(r) not in shown_nothing]

    if not selected:
        # A file that cannot be opened would not count even once confirmed; nor would
        # one whose kind scan is not sure of: saying whose it is settles only that
        # (its patient_unconfirmed finding), so such a record holds the item back as
        # unsure_kind, a completeness concern that only confirming its kind lifts.
        unsure = [
            r
            for r in candidates
            if id(r) in judged.unsure
            and id(r) not in judged.unusable
            and id(r) not in judged.doubtful
            and _affirms_all(r, req.matches, scope)
        ]
        if unsure:
            return _held_back(
                req,
                unsure,
                R_UNCONFIRMED,
                {"file": first_file(unsure[0]), "name": unsure[0].patient.name},
                unconfirmed=tuple(p for r in unsure for p in r.files),
            )
        doubted = [
            r
            for r in candidates
            if id(r) in judged.doubtful
            and id(r) not in judged.unusable | judged.foreign
            and _affirms_all(r, req.matches, scope)
        ]
        if doubted:
            return _held_back(
                req, doubted, R_UNSURE_KIND, {"file": first_file(doubted[0]), "kind": doubted[0].kind}
            )
        if provisional:
            return RequirementResult(
                req,
                INCOMPLETE if req.required else OPTIONAL_MISSING,
                tuple(provisional),
                reason=R_PRELIMINARY,
                params={"file": first_file(provisional[0])},
                evidence=_evidence(provisional[0], req),
            )
        if blank:
            record, (name, section) = blank[0]
            return RequirementResult(
                req,
                INCOMPLETE if req.required else OPTIONAL_MISSING,
                tuple(r for r, _ in blank),
                reason=R_SECTION_EMPTY,
                params={
                    "file": first_file(record),
                    "kind": record.kind,
                    "section": name,
                    "heading": section.heading,
                    "says": section.first_line if section.state == EMPTY else None,
                },
            )
        locked = [r for r in candidates if id(r) in judged.unusable]
        # Words said only as a plan or history (an exam's words elsewhere in a
        # report are no such thing: a CT that mentions "breast" is not a plan
        # for breast imaging).
        said = [
            r
            for r in usable
            if scope == "text" and req.matches and _mentions_all(haystack(r), req.matches)
        ]
        params: dict[str, Any] = {
            "locked_file": locked[0].files[0] if locked else None,
            "locked_reason": judged.bad_files.get(locked[0].files[0]) if locked else None,
            # Only another patient's record that would have counted is worth naming.
            "foreign": any(
                id(r) in judged.foreign and _affirms_all(r, req.matches, scope) for r in candidates
            ),
            "about": [group[0] for group in req.matches] if usable else [],
            "in_exam": scope == "exam",
            "not_a_result_file": first_file(said[0]) if said else None,
            "withdrawn_file": first_file(withdrawn[0]) if withdrawn else None,
            "withdrawn_status": withdrawn[0].status if withdrawn else None,
            "found": _counts(usable, req.kinds),
            **_letter_params(req, _letter_naming(req, judged)),
        }
        return RequirementResult(req, absent, (), reason=R_NOT_FOUND, params=params)

    pool = selected
    if req.max_age_days is not None:
        cutoff = as_of - dt.timedelta(days=req.max_age_days)
        recent = [r for r in selected if (d := _date(r)) is None or d >= cutoff]
        if len(recent) < req.count and len(recent) < len(selected):
            newest = max((d for r in selected if (d := _date(r)) is not None), default=None)
            # A recent one the sender has not finalised, or withdrew, is worth naming.
            unfinal = [r for r in (*provisional, *withdrawn) if (d := _date(r)) and d >= cutoff]
            return RequirementResult(
                req,
                OUTDATED,
                tuple(selected),
                reason=R_TOO_OLD if newest else "",
                params={
                    "newest": newest.isoformat() if newest else None,
                    "max_age_days": req.max_age_days,
                    "as_of": as_of.isoformat(),
                    "newer_file": first_file(unfinal[0]) if unfinal else None,
                    "newer_status": unfinal[0].status if unfinal else None,
                },
            )
        pool = recent

    met_reason, met_params = "", {}
    if req.count_dated_results:
        dated = set().union(
            *(result_dates(haystack(r), req.matches, dayfirst=_dayfirst(r)) for r in pool)
        )
        # Never fewer than the records themselves: two reports are two results.
        have = max(len(pool), len(dated))
        about = req.matches[0][0]
        if have < req.count:
            return RequirementResult(
                req,
                INCOMPLETE,
                tuple(pool),
                reason=R_FEW_DATED_RESULTS,
                params={
                    "have": have,
                    "count": req.count,
                    "about": about,
                    "found": _counts(pool, req.kinds),
                },
            )
        if len(dated) > len(pool):
            met_reason = R_DATED_RESULTS
            met_params = {
                "have": len(dated),
                "about": about,
                "first": min(dated).isoformat(),
                "last": max(dated).isoformat(),
            }
    elif len(pool) < req.count:
        return RequirementResult(
            req,
            INCOMPLETE,
            tuple(pool),
            reason=R_TOO_FEW,
            params={"count": req.count, "found": _counts(pool, req.kinds)},
        )

    lacking = [group for group in req.must_mention if not any(_affirms_any(r, group) for r in pool)]
    if lacking:
        unread = [r.files[0] for r in pool if r.files and not r.text.strip()]
        return RequirementResult(
            req,
            INCOMPLETE,
            tuple(pool),
            reason=R_LACKS,
            params={
                "lacking": [group[0] for group in lacking],
                "found": _counts(pool, req.kinds),
                "unread_file": unread[0] if unread else None,
            },
        )

    evidence = tuple(dict.fromkeys(e for r in pool for e in _evidence(r, req)))
    undated = [r for r in pool if _date(r) is None]
    if req.max_age_days is not None and undated:
        # Recent enough is what the manifest asks: a record whose date cannot be
        # read may be years old, so it cannot be what makes the item met.
        file = undated[0].files[0] if undated[0].files else undated[0].title
        if len(pool) - len(undated) < req.count:
            return RequirementResult(
                req,
                INCOMPLETE,
                tuple(pool),
                reason=R_UNDATED,
                params={"file": file, "max_age_days": req.max_age_days},
                evidence=evidence,
            )
    if pool and all(id(r) in judged.doubted_patient for r in pool):
        # Met only by a record that may not be the patient's: if it is not, the item is missing.
        met_reason, met_params = R_DOUBTED_PATIENT, {"file": first_file(pool[0])}
    return RequirementResult(
        req, MET, tuple(pool), reason=met_reason, params=met_params, evidence=evidence
    )


# --------------------------------------------------------------------------- text matching


def haystack(record: Record) -> str:
    """The text a manifest's words are looked for in: title, text, study descriptions."""
    parts = [record.title, record.text]
    study = record.study
    if study is not None:
        parts.append(study.description or "")
        parts += [s.description or "" for s in study.series]
        for modality in study.modalities:
            parts += MODALITY_WORDS.get(modality, ())
    return "\n".join(p for p in parts if p)


#: Words that say an exam, a test or a procedure did not happen: negated,
#: declined, cancelled or deferred. A result is not on file, and no
#: institution holds one (request letters use it).
_DID_NOT_HAPPEN: Final = (
    r"(?:not|cannot|can't)\s+(?:be(?:en)?\s+)?(?:performed|done|obtained|available|undergone"
    r"|received|completed"
    r"|tested|assessed|evaluated)"
    r"|(?:did|does|has|have|had)\s*(?:not|n't)\s+(?:have|had|undergo|undergone|get|receive|been)"
    r"|never\s+(?:had|been|underwent)|declined|deferred|cancell?ed"
    r"|no\s+(?:\S+\s+){0,4}?(?:(?:was|were|has\s+been|have\s+been)\s+"
    r"(?:performed|done|obtained|available)|available|on\s+file)"
)

#: A sentence saying an event did not happen (see :data:`_DID_NOT_HAPPEN`).
DID_NOT_HAPPEN: Final = re.compile(rf"\b(?:{_DID_NOT_HAPPEN})\b", re.IGNORECASE)

#: What a sentence says when it does not say an exam or a test was done and its
#: result is on file: (what it is, the words that say it). One row per way of
#: saying it; a sentence that matches any row is not counted.
_NOT_A_RESULT_WORDS: Final[tuple[tuple[str, str], ...]] = (
    (
        "recommended",
        r"recommend\w*|(?:^|we\s+|is\s+|are\s+)suggest(?:s|ed)?"
        r"|suggest(?:s|ed)?\s+(?:further|additional|follow|that|a\s|an\s)"
        r"|advis(?:e|ed|able)|consider|consideration"
        r"|should\s+(?:be|have|undergo|get)|(?:could|may|might|would)\s+(?:benefit"
        r"|be\s+(?:helpful|useful|considered|obtained|performed|done|warranted|beneficial|indicated))"
        r"|warrant(?:s|ed)?|if\s+(?:clinically\s+)?indicated|candidate\s+for",
    ),
    (
        "ordered or requested",
        r"refer(?:red|ral)?\s+(?:for|to)|ordered|orders?(?=\s*:)|request(?:s|ed)?\s+(?:for|a|an)"
        r"|requested\s+on"
        # "were requested by the clinician"; not the field "Requested by: Dr. X"
        r"|(?:is|are|was|were|been|being)\s+requested|requested\s+by(?!\s*:)",
    ),
    (
        "planned",
        r"will\s+(?:be|undergo|have|get|need|follow)|(?:is|are|was|were)\s+(?:scheduled|planned|booked)"
        r"|scheduled|booked|planned\s+(?:for|on)|plan(?:\s+is|\s+to|(?=\s*:))"
        r"|to\s+(?:be\s+(?:performed|done|obtained|scheduled|arranged|sent)|have|undergo|get)"
        r"|upcoming|going\s+to|needs?|needed|next\s+(?:week|month|visit)"
        r"|in\s+\d+(?:\s*(?:-|to)\s*\d+)?\s*(?:days?|weeks?|wks?|months?|mos?|years?)",
    ),
    (
        "sent out",
        # "sent to the reference laboratory for ... testing", "forwarded to a lab
        # for ... analysis": the tissue went for the test; its result is not here.
        r"sent\s+out|send[-\s]?outs?"
        r"|(?:sent|forwarded|submitted|shipped|referred|dispatched)\s+(?:out\s+)?(?:to\s+)?"
        r"(?:[\w&.,()/-]+\s+){0,8}?for",
    ),
    (
        "pending or reported elsewhere",
        r"pending|await(?:s|ed|ing)?|to\s+follow|not\s+yet|in\s+(?:process|progress)"
        r"|to\s+be\s+(?:issued|reported|released|added|sent)"
        r"|(?:see|refer\s+to)\s+(?:the\s+)?(?:separate|attached|subsequent|following|later)?\s*addend(?:um|a)"
        r"|separate\s+report|reported\s+separately"
        r"|(?:see|refer\s+to)\s+(?:the\s+|a\s+)?(?:separate|attached|subsequent|below|above"
        r"|comments?|notes?|(?:\w+\s+)?report)"
        r"|not\s+(?:yet\s+)?(?:been\s+)?(?:resulted|reported)",
    ),
    (
        "could not be done",
        r"insufficient\s+(?:\S+\s+){0,2}?(?:tumou?r|tissue|material|sample|specimen|cells)"
        r"|(?:insufficient|inadequate)\s+(?:for|to)"
        r"|(?:tumou?r|tissue|material|sample|specimen|cells?|block)\s+(?:\w+\s+){0,2}?(?:is|was|are|were)"
        r"\s+(?:insufficient|inadequate|exhausted|not\s+sufficient)"
        r"|qns|quantity\s+not\s+sufficient|not\s+(?:interpretable|reportable)|uninterpretable"
        r"|unable\s+to\s+(?:be\s+)?(?:perform|assess|evaluat|test|determin|interpret|obtain|complet)\w*"
        r"|failed\s+(?:qc|quality|sequencing|to\s+(?:amplify|yield|produce|give))"
        r"|(?:assay|sequencing|testing|test|analysis|run)\s+(?:has\s+|was\s+)?failed",
    ),
    ("did not happen", _DID_NOT_HAPPEN),
    (
        "done before or elsewhere",
        r"prior(?!\s+to\b)|previous(?:ly)?|earlier|history\s+of"
        r"|outside\s+(?:hospital|facility|institution|study|studies|images|report)"
        r"|at\s+(?:another|an\s+outside|a\s+different|other)\s+"
        r"(?:hospital|facility|institution|center|centre|clinic)"
        r"|elsewhere|unavailable|not\s+(?:available|provided|included|attached|on\s+file)",
    ),
)

#: A sentence that does not say an exam or a test was done and is on file:
#: a recommendation, a plan or future tense, a test sent out, requested,
#: pending or impossible, a negation of the event, or something done before
#: or elsewhere that the folder does not hold (:data:`_NOT_A_RESULT_WORDS`).
_NOT_A_RESULT: Final = re.compile(
    r"\b(?:" + "|".join(f"(?:{words})" for _, words in _NOT_A_RESULT_WORDS) + r")\b",
    re.IGNORECASE,
)

#: A line that runs on into the next: it ends in a lower-case letter, a comma or a hyphen.
_RUNS_ON: Final = re.compile(r"[a-z,\-]$")
_SENTENCE_END: Final = re.compile(r"(?<=[.!?])\s+")
#: Where a sentence's clauses part: "ER positive (95%); PR pending" states two things.
_CLAUSE_END: Final = re.compile(r"(?<=;)\s+")
#: A test's name (EGFR, PD-L1, HER2, FISH, Ki-67): a clause that names one
#: speaks of its own test, not of the clauses before it.
_NAMES_A_TEST: Final = re.compile(r"\b(?:[A-Z]{2,}|[A-Z][A-Za-z]*-?\d)")


def sentences(text: str) -> Iterator[str]:
    """``text`` cut into sentences: wrapped lines joined, fields and headings kept apart."""
    chunk: list[str] = []
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            if chunk:
                yield from _split(" ".join(chunk))
                chunk = []
            continue
        chunk.append(line)
        if not _RUNS_ON.search(line):
            yield from _split(" ".join(chunk))
            chunk = []
    if chunk:
        yield from _split(" ".join(chunk))


def _split(paragraph: str) -> Iterator[str]:
    for piece in sentence_ends.split(_SENTENCE_END, paragraph):
        if piece.strip():
            yield piece.strip()


def _passages(record: Record) -> list[tuple[str, str]]:
    """``(path, sentence)`` pairs that state something: no recommendations, plans,
    negations or history. A study's own header (description, modality) always counts."""
    path = record.files[0] if record.files else record.title
    return _passages_of_study(record, path) + _text_passages(path, record.title, record.text)


def _passages_of_study(record: Record, path: str) -> list[tuple[str, str]]:
    """A DICOM study's own header (description, modality): it always counts."""
    out: list[tuple[str, str]] = []
    study = record.study
    if study is not None:
        words = [w for m in study.modalities for w in MODALITY_WORDS.get(m, ())[:1]]
        header = " ".join(
            [
                *(study.modalities or ()),
                *words,
                study.description or "",
                *(s.description or "" for s in study.series),
            ]
        ).strip()
        if header:
            out.append((path, f"DICOM header: {header}"))
        for modality in study.modalities:
            for word in MODALITY_WORDS.get(modality, ()):
                out.append((path, word))
    return out


@functools.lru_cache(maxsize=512)
def _text_passages(path: str, title: str, text: str) -> list[tuple[str, str]]:
    return [(path, c) for s in sentences(f"{title}\n\n{text}") for c in _stated_clauses(s)]


def _stated_clauses(sentence: str) -> list[str]:
    """The clauses of ``sentence`` that state a result: not one that is no result
    (:data:`_NOT_A_RESULT`), nor one a later clause says is no result without
    naming a test of its own ("EGFR and ALK analysis; results to follow")."""
    clauses = [c.strip() for c in _CLAUSE_END.split(sentence) if c.strip()]
    denied = [bool(_NOT_A_RESULT.search(c)) for c in clauses]
    # Whether a clause from here on is a bare "no result" that speaks of what came before.
    tail_denies = [False] * (len(clauses) + 1)
    for i in range(len(clauses) - 1, -1, -1):
        bare = denied[i] and not _NAMES_A_TEST.search(clauses[i])
        tail_denies[i] = tail_denies[i + 1] or bare
    return [c for i, c in enumerate(clauses) if not denied[i] and not tail_denies[i + 1]]


#: A field that says what was examined: "Exam: CT CHEST", "PROCEDURE:" or an
#: "EXAM" heading (value after it or on the next line), "Study description:
#: MRI BREAST". "Exam date:" is not one.
_EXAM_LABEL: Final = re.compile(
    r"(?:exam(?:ination)?s?|procedure|study)"
    r"(?:\s+(?:type|performed|description|name|title|requested))?\s*(?P<colon>[:#])?\s*(?P<value>.*)",
    re.IGNORECASE,
)
#: Between the fields of a line laid out in columns ("SEX:   F   Exam:   CT CHEST").
_FIELD_GAP: Final = re.compile(r"\s{3,}|\t")
#: Lines read as a report's exam statement when it has no exam field.
_HEAD_LINES: Final = 5
#: A labelled field ("Patient: ...", "CLINICAL HISTORY: ..."); an exam field
#: is read by :func:`_exam_statements` before the head lines are.
_FIELD_LINE: Final = re.compile(r"[^:\n]{1,40}:")
#: Where a report's narrative begins: what it says after is history or result.
_NARRATIVE: Final = re.compile(
    r"(?:clinical\s+)?(?:history|indications?|reasons?\s+for|findings|impressions?|comparisons?"
    r"|technique|conclusions?|results?|opinion|summary)\b",
    re.IGNORECASE,
)


def _exam_statements(lines: Sequence[str]) -> list[str]:
    """The values of the exam fields of ``lines`` (stripped lines of a report)."""
    found: list[str] = []
    for index, line in enumerate(lines):
        fields = [f for f in _FIELD_GAP.split(line) if f]
        for position, text in enumerate(fields):
            label = _EXAM_LABEL.fullmatch(text)
            if label is None:
                continue
            value = label.group("value").strip()
            if label.group("colon") is None and (value or len(fields) > 1):
                continue  # a sentence that starts with "Exam", not a field
            if not value and position + 1 < len(fields):
                value = fields[position + 1]
            if not value and len(fields) == 1:  # "EXAM" alone: the exam is on the next line
                value = next((later for later in lines[index + 1 : index + 3] if later), "")
            if value:
                found.append(value)
    return list(dict.fromkeys(found))


#: Where an exam field turns to another exam than the one done: a comparison
#: ("comparison: CT chest 09/01/2026", "compared with", "vs"), a prior ("Prior
#: PET/CT ... not available"). A plan or a negation ("CT CHEST deferred") is
#: told by :data:`_NOT_A_RESULT`.
_ASIDE_WORDS: Final = r"compar\w*|vs\b\.?|versus|correlat\w*|prior(?!\s+to\b)|previous\w*"
_EXAM_ASIDE: Final = re.compile(rf"\b(?:{_ASIDE_WORDS})", re.IGNORECASE)
#: Where a clause of an exam field may begin: a sentence or list break, a dash,
#: or the word that starts an aside ("CT ABDOMEN compared with CT chest").
_EXAM_CLAUSE: Final = re.compile(
    rf"[.;,:]\s+|\s+[-\u2013\u2014]+\s+|\s+(?=(?:{_ASIDE_WORDS}))", re.IGNORECASE
)
_PARENTHESIS: Final = re.compile(r"\(([^()]*)\)|\[([^\[\]]*)\]")


def _is_aside(clause: str) -> bool:
    return bool(_EXAM_ASIDE.search(clause) or _NOT_A_RESULT.search(clause))


def exam_done(value: str) -> str:
    """The exam an exam field's ``value`` says was done: the field less its
    asides, "" when it names none.

    A parenthesis that is an aside is dropped; the field is cut where its first
    aside clause begins, since what follows names other exams (a comparison's
    list, a prior, a deferral): "CT ABDOMEN AND PELVIS; CT CHEST deferred" gives
    "CT ABDOMEN AND PELVIS"."""
    kept = _PARENTHESIS.sub(
        lambda m: " " if _is_aside(m.group(1) or m.group(2) or "") else m.group(0), value
    )
    start = 0
    for cut in [*_EXAM_CLAUSE.finditer(kept), None]:
        end = cut.start() if cut is not None else len(kept)
        if _is_aside(kept[start:end]):
            kept = kept[:start]
            break
        if cut is not None:
            start = cut.end()
    return " ".join(kept.split()).rstrip(" .;,:-")


def _exams_done(lines: Sequence[str]) -> tuple[bool, list[str]]:
    """Whether ``lines`` have an exam field, and the exams their fields say were done."""
    fields = _exam_statements(lines)
    return bool(fields), [done for done in dict.fromkeys(map(exam_done, fields)) if done]


def exam_fields(text: str) -> list[str]:
    """What a report's exam fields say was examined ("EXAM: CT CHEST" gives "CT CHEST"),
    less their comparisons, priors and plans (see :func:`exam_done`).

    "Date of exam:" is a date, not an exam field."""
    return _exams_done([line.strip() for line in text.split("\n")])[1]


def _exam_passages(record: Record) -> list[tuple[str, str]]:
    """Where an imaging record says what was examined: a study's DICOM header, and
    a report's exam fields (or, without one, its first lines, less its
    letterhead and labelled fields). Not its history, findings or letterhead: a chest CT of a breast cancer patient says
    "breast" there, and is not breast imaging."""
    path = record.files[0] if record.files else record.title
    out = _passages_of_study(record, path)
    lines = [line.strip() for line in (record.text or "").split("\n")]
    has_field, exam = _exams_done(lines)
    if has_field:
        # The field's own exam only: one it compares with, a prior or a
        # deferred exam it names is not in the folder.
        return out + [(path, f"Exam: {value}") for value in exam]
    if record.study is None:
        # With a text, its title was drawn from it (perhaps from the letterhead:
        # "Breast imaging report" from "Cascade Breast Imaging Associates"), so
        # the text's own lines are read; without one, the title is all there is.
        stated = _head_statements(lines) if record.text else [record.title]
        out += [(path, text) for text in dict.fromkeys(stated) if text]
    return out


def _head_statements(lines: Sequence[str]) -> list[str]:
    """A report's first lines that may say what was examined: up to
    :data:`_HEAD_LINES`, before its history or findings begin, less its
    letterhead and its labelled fields (the patient's, the dates)."""
    head: list[str] = []
    for line in lines:
        if not line or _FIELD_LINE.match(line) or LETTERHEAD.search(line):
            continue
        if _NARRATIVE.match(line):
            break
        head.append(line)
        if len(head) == _HEAD_LINES:
            break
    return head


def _scoped_passages(record: Record, scope: str) -> list[tuple[str, str]]:
    return _exam_passages(record) if scope == "exam" else _passages(record)


def _affirms_any(record: Record, alternatives: Iterable[str], scope: str = "text") -> bool:
    return _first_affirming(record, alternatives, scope) is not None


def _affirms_all(record: Record, groups: Mentions, scope: str = "text") -> bool:
    return all(_affirms_any(record, group, scope) for group in groups)


def _first_affirming(
    record: Record, alternatives: Iterable[str], scope: str = "text"
) -> tuple[str, str] | None:
    patterns = [_pattern(a) for a in alternatives]
    for path, sentence in _scoped_passages(record, scope):
        if any(p.search(sentence) for p in patterns):
            return path, sentence
    return None


#: How long a quoted sentence may be in the evidence.
_QUOTE_CHARS: Final = 200


def _section_gap(record: Record, req: Requirement) -> tuple[str, Section] | None:
    """The first of ``req.sections`` that ``record`` shows empty (or, for a kind in
    ``req.sections_in``, lacks), with the section's name; None when it shows them all."""
    for group in req.sections:
        section = find_section(record.text, group)
        if section.state == EMPTY or (section.state == ABSENT and record.kind in req.sections_in):
            return group[0], section
    return None


def _evidence(record: Record, req: Requirement) -> tuple[Evidence, ...]:
    """The sentences of ``record`` that meet ``req``: one per word group it asks for."""
    found: list[Evidence] = []
    asked = [(group, req.matches_in) for group in req.matches]
    asked += [(group, "text") for group in req.must_mention]
    for group, scope in asked:
        hit = _first_affirming(record, group, scope)
        if hit is not None:
            found.append(Evidence(hit[0], _quote(hit[1])))
    for group in req.sections:
        section = find_section(record.text, group)
        if section.first_line and record.files:
            text = f"{section.heading.rstrip(':')}: {section.first_line}"
            found.append(Evidence(record.files[0], _quote(text)))
    if not found and record.files:
        # Nothing asked of its words: it counts by what it is.
        why = "; ".join(record.evidence[:2]) or record.title
        found.append(
            Evidence(record.files[0], f"{KIND_WORDS.get(record.kind, record.kind)}: {why}")
        )
    return tuple(dict.fromkeys(found))


def _quote(text: str) -> str:
    return text if len(text) <= _QUOTE_CHARS else text[: _QUOTE_CHARS - 1] + "…"


@functools.lru_cache(maxsize=1024)
def _pattern(alternative: str) -> re.Pattern[str]:
    """Whole-word, case-insensitive; a space or hyphen also matches the other or nothing.

    ``HER2`` matches ``HER-2`` and ``her 2``; ``PD-L1`` matches ``PDL1``;
    a trailing ``*`` matches any word ending (``cytogenetic*``). A two-letter
    abbreviation in capitals (``ER``, ``PR``, ``CT``) matches only in
    capitals, so "er" and "Pr" in running text do not count.
    """
    body: list[str] = []
    for token in re.split(r"(\s+|-|\*)", alternative.strip()):
        if not token:
            continue
        if token.isspace():
            body.append(r"[\s\-_/]+")
        elif token == "-":
            body.append(r"[\s\-]?")
        elif token == "*":
            body.append(r"[A-Za-z0-9]*")
        else:
            # Between letters and digits, writers add a hyphen or a space or nothing.
            pieces = re.split(r"(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])", token)
            body.append(r"[\s\-]?".join(re.escape(p) for p in pieces))
    flags = 0 if (len(alternative) <= 2 and alternative.isupper()) else re.IGNORECASE
    return re.compile(r"(?<![A-Za-z0-9])" + "".join(body) + r"(?![A-Za-z0-9])", flags)


def _mentions_any(text: str, alternatives: Iterable[str]) -> bool:
    return any(_pattern(a).search(text) for a in alternatives)


def _mentions_all(text: str, groups: Mentions) -> bool:
    return all(_mentions_any(text, group) for group in groups)


# --------------------------------------------------------------------------- dated results

#: Date labels a result's own date may carry (see classify's label table):
#: none (20), a bare "Date" column (40), collected/drawn/test date (90),
#: date of service (100). Birth, print, report, received and admission dates
#: describe the paper, not one result, and are never counted.
_RESULT_DATE_PRIORITIES: Final = frozenset({20, 40, 90, 100})

#: A value in a results row: 4.1, <0.1, 12 (not a piece of 03/02/2025).
_VALUE: Final = re.compile(r"(?<![\w/.\-])\d+(?:\.\d+)?(?![\w/\-]|\.\d)")

#: How many lines above a test's row a table's header row of dates may be.
_HEADER_LINES: Final = 6


def _dayfirst(record: Record) -> bool | None:
    """How the record's dates read when scan (or its folder) decided; None: from the text."""
    return {"day_first": True, "month_first": False}.get(record.date_order or "")


def result_dates(text: str, terms: Mentions, *, dayfirst: bool | None = None) -> set[dt.date]:
    """Distinct dates written next to a test's name in ``text``: its dated results.

    A cumulative lab printout lists one test on several dates, in one of three
    layouts: on the test's own line ("PSA  03/02/2025 4.1  09/15/2025 5.6"),
    in rows under it ("PSA (ng/mL)" then "03/02/2025  4.1" per line), or in
    a table whose header row holds the dates and whose test row the values.
    Only those places count, so a single result's collection and report dates
    elsewhere on the page are not taken for a history. ``dayfirst`` None reads
    ambiguous dates as the text itself shows (:func:`recordpack.classify.find_dates`).
    """
    if not text or not terms:
        return set()
    every = find_dates(text, dayfirst=dayfirst)
    found = [d for d in every if d.priority in _RESULT_DATE_PRIORITIES]
    if not found:
        return set()
    lines = text.split("\n")
    starts: list[int] = []
    pos = 0
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1

    def line_of(offset: int) -> int:
        return bisect.bisect_right(starts, offset) - 1

    by_line: dict[int, list[dt.date]] = {}
    for d in found:
        by_line.setdefault(line_of(d.pos), []).append(d.value)
    dates_on_line: dict[int, int] = {}
    for d in every:
        dates_on_line[line_of(d.pos)] = dates_on_line.get(line_of(d.pos), 0) + 1
    row_starts = {d.pos for d in found}

    def starts_with_date(index: int) -> bool:
        line = lines[index]
        return starts[index] + len(line) - len(line.lstrip()) in row_starts

    rows: set[int] = set()
    alternatives = [a for group in terms for a in group]
    for index, line in enumerate(lines):
        if not _mentions_any(line, alternatives):
            continue
        rows.add(index)
        # Rows under the test's name: dated lines, past any heading without figures.
        below = index + 1
        while below < len(lines) and lines[below].strip():
            if starts_with_date(below):
                rows.add(below)
            elif any(ch.isdigit() for ch in lines[below]):
                break
            below += 1
        # A table: the dates head the columns, the test's row holds the values.
        if len(_VALUE.findall(line)) >= 2:
            above = index - 1
            while above >= max(0, index - _HEADER_LINES) and lines[above].strip():
                if dates_on_line.get(above, 0) >= 2:
                    rows.add(above)
                    break
                above -= 1
    return {value for index in rows for value in by_line.get(index, ())}


# --------------------------------------------------------------------------- findings


def _unopenable_files(scan: ScanResult) -> dict[str, str]:
    """Files that cannot be opened at all, with the reason in a word or two."""
    bad: dict[str, str] = {}
    for problem in scan.problems:
        if problem.code in _UNOPENABLE:
            reason = "password-protected" if problem.code == ENCRYPTED else "damaged or unreadable"
            for path in (problem.path, *problem.paths):
                bad[path] = reason
    return bad


def _problem_findings(
    scan: ScanResult, records: Sequence[Record], required_kinds: set[str]
) -> list[Finding]:
    """The scan's problems as findings; a required record that cannot be opened blocks."""
    kind_of = {path: r.kind for r in records for path in r.files}
    findings: list[Finding] = []
    for problem in scan.problems:
        if problem.code == PATIENT_MISMATCH:
            continue  # check compares every image itself (names.find_mismatches)
        paths = tuple(dict.fromkeys((problem.path, *problem.paths)))
        params: dict[str, Any] = {"message": problem.message, "hint": problem.hint}
        if problem.code == DUPLICATE and problem.duplicate_of:
            paths = tuple(dict.fromkeys((*paths, problem.duplicate_of)))
            params["duplicate_of"] = problem.duplicate_of
        if problem.code == UNREADABLE:
            params["reason"] = problem.message
        blocks = problem.code in _UNOPENABLE and kind_of.get(problem.path) in required_kinds
        findings.append(
            Finding(
                problem.code,
                paths,
                params,
                blocks=blocks,
                concern=COMPLETENESS if blocks else None,
            )
        )
    return findings


def _study_modalities(record: Record) -> set[str]:
    if record.study is None:
        return set()
    return set(record.study.modalities) & _REPORTED_MODALITIES


def _report_modalities(record: Record) -> set[str]:
    return {code for code, words in MODALITY_WORDS.items() if _affirms_any(record, words)}


def _pairs(study: Record, report: Record, report_modalities: set[str]) -> bool:
    modalities = _study_modalities(study)
    if report_modalities and modalities and not (modalities & report_modalities):
        return False
    ds, dr = _date(study), _date(report)
    if ds is None or dr is None:
        return True
    return abs((ds - dr).days) <= IMAGING_PAIR_DAYS


def _imaging_findings(records: Sequence[Record]) -> list[Finding]:
    """Scans with no written report, and reports whose images are not in the folder."""
    studies = [r for r in records if r.kind == "imaging_study" and _study_modalities(r)]
    reports = [r for r in records if r.kind == "imaging_report"]
    report_modalities = {id(r): _report_modalities(r) for r in reports}
    findings: list[Finding] = []
    for study in studies:
        if any(_pairs(study, report, report_modalities[id(report)]) for report in reports):
            continue
        described = study.study
        findings.append(
            Finding(
                IMAGES_WITHOUT_REPORT,
                study.files,
                {
                    "modalities": [MODALITY_WORDS[m][0] for m in sorted(_study_modalities(study))],
                    "description": described.description if described else None,
                    "date": study.date,
                },
            )
        )
    for report in reports:
        if any(_pairs(study, report, report_modalities[id(report)]) for study in studies):
            continue
        findings.append(Finding(REPORT_WITHOUT_IMAGES, report.files, {"date": report.date}))
    return findings


# --------------------------------------------------------------------------- words


def _date(record: Record) -> dt.date | None:
    if not record.date:
        return None
    try:
        return dt.date.fromisoformat(record.date[:10])
    except ValueError:
        return None
