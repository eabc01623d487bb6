"""Is every record in a folder about the same patient?

Names are compared as people write them: ``THOMPSON^MARGARET^A`` (DICOM),
``Thompson, Margaret A``, ``Margaret A. Thompson`` and ``MARGARET THOMPSON``
are one person. Case, accents, punctuation, word order, titles, suffixes
(Jr, III), a missing middle name and a middle name written as an initial
never make a mismatch; a different first or last name does, and so does a
different birth date. Record numbers differ between hospitals for the same
patient, so a record number alone never does.

The folder's patient is decided by consensus: records vote with their
confidence, DICOM headers (structured, typed by a machine) weigh more.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Final

from recordpack.model import Record

#: Words that are not part of anyone's name: titles, suffixes, and labels a
#: text extractor may leave around a name ("Patient Name: ... DOB").
_NOT_NAME: Final = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "dr",
        "prof",
        "sir",
        "dame",
        "rev",
        "jr",
        "sr",
        "ii",
        "iii",
        "iv",
        "md",
        "phd",
        "dds",
        "rn",
        "np",
        "esq",
        "patient",
        "pt",
        "name",
        "dob",
        "mrn",
        "birth",
        "date",
        "born",
        "sex",
        "male",
        "female",
        "age",
        "id",
        "account",
        "acct",
        "number",
        "no",
        "nr",
        "unit",
        "record",
        "medical",
        "of",
        "the",
        "and",
        "ssn",
        "gender",
        "years",
        "yo",
    ]
)

#: Everyday forms of given names, so "Peggy Thompson" is "Margaret Thompson".
_NICKNAMES: Final[dict[str, tuple[str, ...]]] = {
    "william": ("bill", "billy", "will", "willy", "liam"),
    "robert": ("bob", "bobby", "rob", "robbie", "bert"),
    "richard": ("dick", "rick", "ricky", "rich"),
    "james": ("jim", "jimmy", "jamie"),
    "john": ("jack", "johnny", "jon"),
    "margaret": ("peggy", "maggie", "meg", "marge", "margie", "greta"),
    "elizabeth": ("liz", "lizzie", "beth", "betty", "eliza", "elisabeth", "libby"),
    "katherine": ("kate", "kathy", "katie", "catherine", "kathryn", "cathy", "kat"),
    "michael": ("mike", "mikey", "mick"),
    "thomas": ("tom", "tommy"),
    "joseph": ("joe", "joey"),
    "charles": ("charlie", "chuck", "chas"),
    "edward": ("ed", "eddie", "ted", "ned"),
    "patricia": ("pat", "patty", "trish", "tricia"),
    "patrick": ("pat", "paddy"),
    "susan": ("sue", "susie", "suzanne"),
    "deborah": ("deb", "debbie", "debra"),
    "jennifer": ("jen", "jenny"),
    "christopher": ("chris",),
    "christine": ("chris", "chrissy", "christina"),
    "daniel": ("dan", "danny"),
    "anthony": ("tony",),
    "stephen": ("steve", "steven", "stevie"),
    "david": ("dave", "davy"),
    "alexander": ("alex", "sandy"),
    "alexandra": ("alex", "sandra", "sandy"),
    "barbara": ("barb", "barbie"),
    "nicholas": ("nick", "nicky"),
    "rebecca": ("becky", "becca"),
    "samuel": ("sam", "sammy"),
    "samantha": ("sam", "sammy"),
    "theodore": ("ted", "teddy", "theo"),
    "victoria": ("vicky", "tori"),
    "jacqueline": ("jackie",),
    "dorothy": ("dot", "dottie"),
    "gregory": ("greg",),
    "kenneth": ("ken", "kenny"),
    "lawrence": ("larry",),
    "raymond": ("ray",),
    "ronald": ("ron", "ronnie"),
    "donald": ("don", "donnie"),
    "timothy": ("tim", "timmy"),
    "benjamin": ("ben", "benny"),
    "abigail": ("abby", "gail"),
    "frances": ("fran", "frankie"),
    "francis": ("frank", "frankie"),
}

_CANONICAL: Final[dict[str, frozenset[str]]] = {}
for _full, _short in _NICKNAMES.items():
    for _form in (_full, *_short):
        _CANONICAL[_form] = _CANONICAL.get(_form, frozenset()) | {_full}


class NameMatch(Enum):
    """How two written names relate."""

    SAME = "same"  # the same person, as far as names can tell
    NEAR = "near"  # one letter apart: a typing or OCR slip, or another person
    DIFFERENT = "different"  # a different first or last name
    UNKNOWN = "unknown"  # too little to compare (one word, blank)


@dataclass(frozen=True)
class PersonName:
    """A name reduced to what identifies a person."""

    raw: str
    words: tuple[str, ...]  # whole-name words (2+ letters), lower case, no accents
    initials: tuple[str, ...]  # single letters (middle initials)

    @property
    def display(self) -> str:
        """How a person would write it: ``THOMPSON^MARGARET^A`` -> ``THOMPSON, MARGARET A``."""
        raw = self.raw.split("=")[0]
        if "^" in raw:
            family, _, rest = raw.partition("^")
            given = " ".join(part for part in rest.split("^") if part)
            return f"{family}, {given}".strip(", ") if given else family
        return " ".join(raw.split())


def fold(text: str) -> str:
    """Lower case without accents: ``Müller`` -> ``muller``."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def parse_name(raw: str | None) -> PersonName | None:
    """Split a written name into comparable words; None when nothing is left."""
    if not raw or not raw.strip():
        return None
    # A DICOM PN may carry ideographic and phonetic forms after "=": keep the first.
    text = fold(raw.split("=")[0])
    text = re.sub(r"['\u2019`]", "", text)  # O'Brien -> obrien
    tokens = [t for t in re.split(r"[^a-z0-9]+", text) if t]
    tokens = [t for t in tokens if t not in _NOT_NAME and not any(c.isdigit() for c in t)]
    words = tuple(t for t in tokens if len(t) > 1)
    initials = tuple(t for t in tokens if len(t) == 1)
    if not words and not initials:
        return None
    return PersonName(raw=raw, words=words, initials=initials)


def _same_word(a: str, b: str) -> bool:
    if a == b:
        return True
    forms_a = _CANONICAL.get(a, frozenset({a}))
    forms_b = _CANONICAL.get(b, frozenset({b}))
    return bool(forms_a & forms_b)


def _one_slip(a: str, b: str) -> bool:
    """One letter added, dropped, changed, or two neighbours swapped."""
    if min(len(a), len(b)) < 4 or abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        return (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and a[diffs[0]] == b[diffs[1]]
            and a[diffs[1]] == b[diffs[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def _join_compounds(words: tuple[str, ...], other: tuple[str, ...]) -> tuple[str, ...]:
    """Rejoin the parts of a compound name that ``other`` writes as one word.

    ``O'Brien-Smith, Mary-Kate`` splits into four words, but a DICOM header
    often carries ``OBRIENSMITH^MARYKATE``: runs of consecutive words whose
    concatenation is a word of ``other`` become that word.
    """
    wanted = set(other) - set(words)
    if not wanted:
        return words
    out: list[str] = []
    i = 0
    while i < len(words):
        for size in (4, 3, 2):
            run = "".join(words[i : i + size])
            if i + size <= len(words) and run in wanted:
                out.append(run)
                i += size
                break
        else:
            out.append(words[i])
            i += 1
    return tuple(out)


def compare_names(a: PersonName | None, b: PersonName | None) -> NameMatch:
    """Compare two written names, ignoring order, case, accents and middle names."""
    if a is None or b is None or not a.words or not b.words:
        return NameMatch.UNKNOWN
    a_words = _join_compounds(a.words, b.words)
    b_words = _join_compounds(b.words, a_words)
    if (a_words, b_words) != (a.words, b.words):
        a = PersonName(a.raw, a_words, a.initials)
        b = PersonName(b.raw, b_words, b.initials)
    small, large = (a, b) if len(a.words) <= len(b.words) else (b, a)
    unmatched = [w for w in small.words if not any(_same_word(w, x) for x in large.words)]
    if not unmatched:
        if len(small.words) == 1 and small.initials:
            # "M. Thompson" against "John Thompson": the initial must fit somewhere.
            letters = {w[0] for w in large.words} | set(large.initials)
            if not set(small.initials) & letters:
                return NameMatch.DIFFERENT
        return NameMatch.SAME
    spare = [x for x in large.words if not any(_same_word(x, w) for w in small.words)]
    if all(any(_one_slip(w, x) for x in spare) for w in unmatched):
        return NameMatch.NEAR
    if len(small.words) == 1 and not small.initials:
        return NameMatch.UNKNOWN  # one stray word is more likely a misread label than a name
    return NameMatch.DIFFERENT


def same_birth_date(a: str, b: str) -> bool:
    """Equal ISO dates; day and month swapped counts as equal (03/04 vs 04/03 formats)."""
    if a == b:
        return True
    pa, pb = a.split("-"), b.split("-")
    return len(pa) == len(pb) == 3 and pa[0] == pb[0] and pa[1] == pb[2] and pa[2] == pb[1]


# --------------------------------------------------------------------------- consensus


@dataclass(frozen=True)
class Mismatch:
    """A record that disagrees with the folder's patient, and why, in plain words."""

    record: Record
    reasons: tuple[str, ...]
    #: True when the only doubt is a one-letter spelling difference.
    near: bool = False

    @property
    def message(self) -> str:
        path = _describe_files(self.record)
        lead = (
            "may belong to another patient" if self.near else "seems to belong to another patient"
        )
        advice = (
            "Check it, and take it out of the folder if it is not yours."
            if self.near
            else "Take it out of the folder unless you are sure it is yours."
        )
        return f"{path} {lead}: {'; '.join(self.reasons)}. {advice}"


@dataclass(frozen=True)
class Consensus:
    """Who the folder is about, and the records that disagree."""

    name: str | None
    birth_date: str | None
    mismatches: tuple[Mismatch, ...]


def _weight(record: Record) -> float:
    # A DICOM header's name is typed by a machine from the order: trust it more.
    if record.kind == "imaging_study" or record.format == "dicom":
        return max(record.confidence, 0.9)
    return max(record.confidence, 0.05)


def _is_ocr(record: Record) -> bool:
    return record.format == "image"


@dataclass
class _Cluster:
    rep: PersonName
    members: list[tuple[Record, PersonName]]
    weight: float


def find_mismatches(records: Sequence[Record]) -> Consensus:
    """Decide the folder's patient by weighted consensus; list the records that disagree."""
    named = [(r, parse_name(r.patient.name)) for r in records]
    full = [(r, n) for r, n in named if n is not None and len(n.words) >= 2]
    full.sort(key=lambda item: -_weight(item[0]))

    clusters: list[_Cluster] = []
    for record, name in full:
        for cluster in clusters:
            if compare_names(cluster.rep, name) is NameMatch.SAME:
                cluster.members.append((record, name))
                cluster.weight += _weight(record)
                break
        else:
            clusters.append(_Cluster(rep=name, members=[(record, name)], weight=_weight(record)))

    reasons: dict[int, list[str]] = defaultdict(list)
    near: dict[int, bool] = {}
    by_id = {id(r): r for r in records}
    main: _Cluster | None = None
    if clusters:
        clustered = {id(r) for c in clusters for r, _ in c.members}
        unnamed = [r for r in records if id(r) not in clustered]
        main = max(clusters, key=lambda c: (_support(c, unnamed), len(c.members)))
        main_name = _best_display(main)
        for cluster in clusters:
            if cluster is main:
                continue
            verdict = compare_names(main.rep, cluster.rep)
            for record, name in cluster.members:
                if verdict is NameMatch.NEAR:
                    if _is_ocr(record) or record.confidence < 0.6:
                        continue  # a one-letter slip in uncertain text is not worth an alarm
                    near[id(record)] = True
                    reasons[id(record)].append(
                        f"the name is written '{name.display}', "
                        f"not '{main_name}' as in the other records"
                    )
                elif verdict is NameMatch.DIFFERENT:
                    near[id(record)] = False
                    reasons[id(record)].append(
                        f"it names '{name.display}'{_id_note(record, main)}, "
                        f"but the other records name '{main_name}'"
                    )
        # Short names ("Thompson", "M. Smith"): flag only a clear difference.
        for record, short in named:
            if short is None or len(short.words) >= 2:
                continue
            if compare_names(main.rep, short) is NameMatch.DIFFERENT:
                near[id(record)] = False
                reasons[id(record)].append(
                    f"it names '{short.display}', but the other records name '{main_name}'"
                )

    # Birth date: the weighted vote of the main patient's records (or of all).
    # Records without a usable name vote too; other patients' records do not.
    voters = [
        r
        for r in records
        if not any(id(r) == id(m) for c in clusters if c is not main for m, _ in c.members)
    ]
    votes: dict[str, float] = defaultdict(float)
    for record in voters:
        if record.patient.birth_date:
            votes[record.patient.birth_date] += _weight(record)
    birth_date = max(votes, key=lambda d: votes[d]) if votes else None
    if birth_date is not None:
        for record in records:
            given = record.patient.birth_date
            if given and not same_birth_date(given, birth_date):
                near[id(record)] = False
                reasons[id(record)].append(
                    f"it gives the birth date {given}, but the other records give {birth_date}"
                )

    mismatches = tuple(
        Mismatch(record=by_id[key], reasons=tuple(found), near=near.get(key, False))
        for key, found in reasons.items()
    )
    mismatches = tuple(sorted(mismatches, key=lambda m: m.record.files[:1]))
    return Consensus(
        name=_best_display(main) if main else None, birth_date=birth_date, mismatches=mismatches
    )


def _support(cluster: _Cluster, unnamed: Sequence[Record]) -> float:
    """A name's weight, plus records without a name that share its birth date or number."""
    births = {r.patient.birth_date for r, _ in cluster.members if r.patient.birth_date}
    ids = {r.patient.id for r, _ in cluster.members if r.patient.id}
    extra = sum(
        _weight(r)
        for r in unnamed
        if (r.patient.birth_date and r.patient.birth_date in births)
        or (r.patient.id and r.patient.id in ids)
    )
    return cluster.weight + extra


def _best_display(cluster: _Cluster) -> str:
    """How the main patient's name is best shown: as a DICOM header or most records write it.

    Not the longest form: text extraction sometimes leaves a stray word after a
    name ("HARROWGATE, DELPHINE M Exam"), and the longest form would keep it.
    """
    counts: dict[tuple[str, ...], int] = defaultdict(int)
    for _, name in cluster.members:
        counts[name.words] += 1

    def score(member: tuple[Record, PersonName]) -> tuple[bool, int, int, float]:
        record, name = member
        return (
            record.format == "dicom",
            counts[name.words],
            len(name.initials) - len(name.words),
            _weight(record),
        )

    best = max(cluster.members, key=score)[1]

    # A header typed in plain ASCII without punctuation ("OBRIENSMITH^MARYKATE",
    # "NUNEZ^JOSE") loses word breaks and accents that other records keep
    # ("O'BRIEN-SMITH, MARY-KATE", "Núñez, José"): show the same letters as
    # the person writes them.
    def richness(name: PersonName) -> tuple[int, bool]:
        return len(name.words), not name.raw.isascii()

    letters = sorted("".join(best.words + best.initials))
    richer = [
        name
        for _, name in cluster.members
        if sorted("".join(name.words + name.initials)) == letters
        and richness(name) > richness(best)
    ]
    if richer:
        best = max(
            richer,
            key=lambda n: (richness(n), counts[n.words], n.raw.isupper() == best.raw.isupper()),
        )
    return best.display


def _id_note(record: Record, main: _Cluster) -> str:
    ids = {r.patient.id for r, _ in main.members if r.patient.id}
    if record.patient.id and record.patient.id not in ids:
        return f" (record number {record.patient.id})"
    return ""


def _describe_files(record: Record) -> str:
    if not record.files:
        return f"The {record.title}"
    if len(record.files) == 1:
        return record.files[0]
    return f"{record.files[0]} (and {len(record.files) - 1} more files of the same study)"
