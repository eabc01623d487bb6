"""Is every record in a folder about the same patient?

Names are compared as people write them: ``THOMPSON^MARGARET^A`` (DICOM),
``Thompson, Margaret A``, ``Margaret A. Thompson`` and ``MARGARET THOMPSON``
are one person. Case, accents, punctuation, word order, titles, suffixes
(Jr, III), a missing middle name, a middle name written as an initial and
an everyday form of a given name (Peggy for Margaret) never make a mismatch;
a different first or last name does, and so does a different birth date or
generational suffix (Harold Jr is not Harold Sr).
Some differences are a doubt to check rather than another person: another
middle initial (Jane M and Jane R Doe, a mother and daughter), a one-letter
slip, a given name shortened to its first letters (Del for Delphine), and a
surname with a part the other lacks (Doe-Smith for Doe: a marriage, or a
relative), and a generational suffix (Jr, III) on one name only, unless a
birth date or record number confirms it. A record that names nobody, or only a surname (with at most an
initial), and gives no birth date or matching record number cannot be told
to be the patient's: the person confirms it. Day and
month swapped are the same birth date only when one of the two was written
so that it reads both ways (05/11/1963). Record numbers differ between
hospitals for the same patient, so a record number alone never does. A
document whose text names a second person is flagged too.

The folder's patient is decided by consensus: records vote with their
confidence, DICOM headers (structured, typed by a machine) weigh more.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Final

from recordpack.model import Patient, Problem, Record

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
        "junior",
        "senior",
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

#: Generational suffixes as written, each to one form: "Junior" is "Jr", "3rd" is "III".
_GENERATIONS: Final[dict[str, str]] = {
    "jr": "jr",
    "junior": "jr",
    "sr": "sr",
    "senior": "sr",
    "ii": "ii",
    "2nd": "ii",
    "iii": "iii",
    "3rd": "iii",
    "iv": "iv",
    "4th": "iv",
}

_CANONICAL: Final[dict[str, frozenset[str]]] = {}
for _full, _short in _NICKNAMES.items():
    for _form in (_full, *_short):
        _CANONICAL[_form] = _CANONICAL.get(_form, frozenset()) | {_full}


class NameMatch(Enum):
    """How two written names relate."""

    SAME = "same"  # the same person, as far as names can tell
    NEAR = "near"  # the same person or another one: a doubt (see the doubts below)
    DIFFERENT = "different"  # a different first or last name
    UNKNOWN = "unknown"  # too little to compare (one word, blank)


#: Why two names are NEAR, the doubt a person resolves.
SLIP: Final = "slip"  # one letter apart: a typing or OCR slip, or another person
MIDDLE_INITIAL: Final = "middle_initial"  # another middle initial: a namesake, a relative
SHORT_FORM: Final = "short_form"  # "Del" for "Delphine": a short form, or another name
ADDED_NAME: Final = "added_name"  # "Doe-Smith" for "Doe": a marriage, or another person
GENERATION: Final = "generation"  # "Harold Doe Jr" for "Harold Doe": the son, or the father

#: Shortest given or family name read as a short form of a longer one ("Del").
_SHORT_FORM_MIN: Final = 3


@dataclass(frozen=True)
class PersonName:
    """A name reduced to what identifies a person."""

    raw: str
    words: tuple[str, ...]  # whole-name words (2+ letters), lower case, no accents
    initials: tuple[str, ...]  # single letters (middle initials)
    #: Words of a compound part (``Harrowgate-Smyth``) or of a family name the raw
    #: name marks (``Garcia Lopez, Maria``; ``GARCIA LOPEZ^MARIA``): a middle name
    #: may be left out, these may not be without a doubt.
    surname_parts: frozenset[str] = frozenset()
    #: The generational suffix, in one form (``jr``, ``sr``, ``ii``, ``iii``, ``iv``).
    generation: str | None = None

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


@functools.lru_cache(maxsize=4096)
def parse_name(raw: str | None) -> PersonName | None:
    """Split a written name into comparable words; None when nothing is left.

    Cached: a folder's records name the same few people again and again, and a
    :class:`PersonName` is immutable."""
    if not raw or not raw.strip():
        return None
    # A DICOM PN may carry ideographic and phonetic forms after "=": keep the first.
    text = fold(raw.split("=")[0])
    text = re.sub(r"['\u2019`]", "", text)  # O'Brien -> obrien
    # Letters of any script are kept: "やまだ^たろう" and "قباني^لنزار" are names too.
    tokens = _name_words(text)
    words = tuple(t for t in tokens if len(t) > 1)
    initials = tuple(t for t in tokens if len(t) == 1)
    if not words and not initials:
        return None
    generation = next(
        (_GENERATIONS[t] for t in re.split(r"[\W_]+", text) if t in _GENERATIONS), None
    )
    return PersonName(
        raw=raw,
        words=words,
        initials=initials,
        surname_parts=_surname_parts(text),
        generation=generation,
    )


def _name_words(text: str) -> list[str]:
    """The words of a folded name, without titles, labels and numbers."""
    tokens = [t for t in re.split(r"[\W_]+", text) if t]
    return [t for t in tokens if t not in _NOT_NAME and not any(c.isdigit() for c in t)]


def _surname_parts(text: str) -> frozenset[str]:
    """Words of ``text`` (folded) that belong to a compound or to a marked family name."""
    parts: set[str] = set()
    for compound in re.findall(r"[^\W_]+(?:-[^\W_]+)+", text):
        parts.update(w for w in _name_words(compound) if len(w) > 1)
    for mark in ("^", ","):
        family, found, given = text.partition(mark)
        family_words = [w for w in _name_words(family) if len(w) > 1]
        if found and len(family_words) > 1 and _name_words(given):
            parts.update(family_words)
            break
    return frozenset(parts)


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


def _short_form(a: str, b: str) -> bool:
    """One word begins the other and is long enough to be a short form ("Del", "Delphine")."""
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return len(short) >= _SHORT_FORM_MIN and long_.startswith(short)


#: How a word left over on one side may still be the other's, and the doubt it leaves.
_NEAR_WORDS: Final[tuple[tuple[Callable[[str, str], bool], str], ...]] = (
    (_one_slip, SLIP),
    (_short_form, SHORT_FORM),
)


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


def _other_middle_initial(a: PersonName, b: PersonName) -> bool:
    """Both names give a middle name, one at least as an initial, and they do not
    fit ("Jane M Doe" and "Jane R Doe", "Jane Mary Doe" and "Jane R Doe").

    The same first and last name with another middle initial is how a mother
    and a daughter, or two namesakes, differ: not the same person for sure.
    A middle name written out counts by its first letter.
    """
    if not a.initials and not b.initials:
        return False

    def letters(name: PersonName, other: PersonName) -> set[str]:
        spare = [w for w in name.words if not any(_same_word(w, x) for x in other.words)]
        return set(name.initials) | {w[0] for w in spare}

    mine, theirs = letters(a, b), letters(b, a)
    return bool(mine) and bool(theirs) and not mine & theirs


def compare_names(a: PersonName | None, b: PersonName | None) -> NameMatch:
    """Compare two written names, ignoring order, case, accents and middle names."""
    return name_doubt(a, b)[0]


def name_doubt(a: PersonName | None, b: PersonName | None) -> tuple[NameMatch, str | None]:
    """:func:`compare_names`, with the doubt (``SLIP``, ``SHORT_FORM``, ...) when NEAR.

    Two generational suffixes that differ (Jr, Sr) are two people however alike
    the names; a suffix on one name only is a doubt (``GENERATION``).
    """
    match, doubt = _words_doubt(a, b)
    if a is None or b is None or match in (NameMatch.DIFFERENT, NameMatch.UNKNOWN):
        return match, doubt
    if a.generation and b.generation and a.generation != b.generation:
        return NameMatch.DIFFERENT, None
    if match is NameMatch.SAME and a.generation != b.generation:
        return NameMatch.NEAR, GENERATION
    return match, doubt


def _words_doubt(a: PersonName | None, b: PersonName | None) -> tuple[NameMatch, str | None]:
    """How the words of two names relate, suffixes aside."""
    if a is None or b is None or not a.words or not b.words:
        return NameMatch.UNKNOWN, None
    a_words = _join_compounds(a.words, b.words)
    b_words = _join_compounds(b.words, a_words)
    if (a_words, b_words) != (a.words, b.words):
        a = replace(a, words=a_words)
        b = replace(b, words=b_words)
    small, large = (a, b) if len(a.words) <= len(b.words) else (b, a)
    unmatched = [w for w in small.words if not any(_same_word(w, x) for x in large.words)]
    spare = [x for x in large.words if not any(_same_word(x, w) for w in small.words)]
    if not unmatched:
        only_surname = len(small.words) == 1 or set(small.words) <= small.surname_parts
        if only_surname and small.initials:
            # "M. Thompson" against "John Thompson" ("J. Quenby-Atwater" against
            # "Marisol Quenby-Atwater"): the initial must fit somewhere.
            letters = {w[0] for w in large.words} | set(large.initials)
            if not set(small.initials) & letters:
                return NameMatch.DIFFERENT, None
        if _other_middle_initial(small, large):
            return NameMatch.NEAR, MIDDLE_INITIAL
        if any(x in large.surname_parts for x in spare):
            return NameMatch.NEAR, ADDED_NAME
        return NameMatch.SAME, None
    doubts = [
        next((d for near, d in _NEAR_WORDS if any(near(w, x) for x in spare)), None)
        for w in unmatched
    ]
    if None not in doubts:
        return NameMatch.NEAR, doubts[0]
    if len(small.words) == 1 and not small.initials:
        return NameMatch.UNKNOWN, None  # one stray word is more likely a misread label than a name
    return NameMatch.DIFFERENT, None


def same_birth_date(a: str, b: str, *, either_way: bool = True) -> bool:
    """Equal ISO dates; with ``either_way`` (one of them was written 03/04/1962,
    which reads both ways), day and month swapped counts as equal too."""
    return a == b or (either_way and swap_day_month(a) == b)


def swap_day_month(iso: str) -> str | None:
    """``1962-03-04`` read the other way (``1962-04-03``); None when it cannot be."""
    parts = iso.split("-")
    if len(parts) != 3 or parts[1] == parts[2] or max(parts[1], parts[2]) > "12":
        return None
    return f"{parts[0]}-{parts[2]}-{parts[1]}"


def _read_either_way(record: Record) -> bool:
    """Whether the record's birth date could have been read with day and month swapped.

    A typed field (DICOM, FHIR, C-CDA, HL7) cannot; nor a date written so that
    it reads one way only (1963-11-05, 23/04/1963), nor one in a document whose
    own dates (or folder) decided how it writes them. Without the text to look
    at, a document's date is given the benefit of the doubt.
    """
    if record.format in _STRUCTURED_FORMATS or record.format == "dicom":
        return False
    if record.date_order is not None:
        return False
    if not record.text:
        return True
    from recordpack.classify.patient import birth_date_reads_both_ways  # classify imports identity

    return birth_date_reads_both_ways(record.text)


def _vote_birth_date(voters: Sequence[_Unit]) -> tuple[str | None, bool]:
    """The folder's birth date by weighted vote, and whether a record gives it
    in a way that cannot be misread.

    A date that reads both ways also supports its swapped reading, so one
    unambiguous date (a DICOM header's) wins over the same date read the other
    way from letters that did not say how they write dates.
    """
    either = {id(u): _read_either_way(u.record) for u in voters}
    votes: dict[str, float] = defaultdict(float)
    support: dict[str, float] = defaultdict(float)
    for unit in voters:
        given = unit.patient.birth_date or ""
        votes[given] += unit.weight
        support[given] += unit.weight
        swapped = swap_day_month(given) if either[id(unit)] else None
        if swapped:
            support[swapped] += unit.weight
    if not votes:
        return None, False
    best = max(votes, key=lambda d: (support[d], votes[d]))
    certain = any(u.patient.birth_date == best and not either[id(u)] for u in voters)
    return best, certain


# --------------------------------------------------------------------------- consensus

#: What a mismatch can be about, in the order a reader checks them.
NAME: Final = "name"
BIRTH_DATE: Final = "birth_date"
PATIENT_ID: Final = "id"

#: Formats whose patient name is a typed field (a header, a structured
#: element), not words read off a page: a name there that cannot be compared
#: is worth asking about; one odd word extracted from a page is not.
_STRUCTURED_FORMATS: Final = frozenset({"dicom", "ccda", "fhir", "hl7v2"})


@dataclass(frozen=True)
class Mismatch:
    """Files that disagree with the folder's patient: which, and on what.

    ``paths`` are exactly the files that differ: for an imaging study whose
    images name two people, only the images of the other person. ``differs``
    lists what differs (``name``, ``birth_date``, ``id``); ``found`` is what
    those files say and ``expected`` what the folder's other records say.
    """

    record: Record
    reasons: tuple[str, ...]
    #: True when the only doubt is a one-letter spelling difference.
    near: bool = False
    paths: tuple[str, ...] = ()
    #: Why the name is only a doubt (``SLIP``, ``SHORT_FORM``, ...), when ``near``.
    doubt: str | None = None
    differs: tuple[str, ...] = ()
    found: Patient = field(default_factory=Patient)
    expected: Patient = field(default_factory=Patient)
    #: True when the record's own patient is the folder's and ``found`` is a second
    #: person its text names as well (a renderer may say "also names").
    second_person: bool = False

    @property
    def message(self) -> str:
        path = _describe_paths(self.record, self.paths or self.record.files)
        lead = (
            "may belong to another patient" if self.near else "seems to belong to another patient"
        )
        advice = (
            "Check it, and take it out of the folder if it is not yours."
            if self.near
            else "Take it out of the folder unless you are sure it is yours."
        )
        return f"{path} {lead}: {'; '.join(self.reasons)}. {advice}"


#: Why files cannot be told to be the patient's (``Unconfirmed.why``).
CODED: Final = "coded"  # a code or one word (``JANCT000``) instead of a name
PARTIAL: Final = "partial"  # a surname, at most with an initial ("Doe, J"), and nothing else
NAMELESS: Final = "nameless"  # no name at all, no birth date, no matching record number


@dataclass(frozen=True)
class Unconfirmed:
    """Files whose patient cannot be told to be the folder's patient.

    A code (``JANCT000``) or a single word (``CompressedSamples^CT1``) says
    nothing about who the person is; nor does a record that names nobody, or
    only a surname and an initial (a relative's record reads the same), with
    no birth date or matching record number: only the patient can confirm the
    files are theirs.
    """

    record: Record
    paths: tuple[str, ...]
    name: str
    why: str = CODED


@dataclass(frozen=True)
class Consensus:
    """Who the folder is about, the records that disagree, and those that cannot be told."""

    name: str | None
    birth_date: str | None
    mismatches: tuple[Mismatch, ...]
    unconfirmed: tuple[Unconfirmed, ...] = ()


def _weight(record: Record) -> float:
    # A DICOM header's name is typed by a machine from the order: trust it more.
    if record.kind == "imaging_study" or record.format == "dicom":
        return max(record.confidence, 0.9)
    return max(record.confidence, 0.05)


def _is_ocr(record: Record) -> bool:
    return record.format == "image"


@dataclass(frozen=True)
class _Unit:
    """Files that say the same thing about their patient: a document, or the
    images of one study that carry the same name, birth date and ID."""

    record: Record
    paths: tuple[str, ...]
    patient: Patient
    weight: float
    #: True when the record is a study whose images name more than one patient.
    split: bool = False


def _units(records: Sequence[Record]) -> list[_Unit]:
    """One unit per record, or per distinct patient among a study's images."""
    units: list[_Unit] = []
    for record in records:
        study = record.study
        groups: dict[Patient, list[str]] = {}
        if study is not None:
            for series in study.series:
                for instance in series.instances:
                    if instance.patient is not None:
                        groups.setdefault(instance.patient, []).append(instance.path)
        total = sum(len(paths) for paths in groups.values())
        if len(groups) <= 1 or total == 0:
            units.append(_Unit(record, record.files, record.patient, _weight(record)))
            continue
        for patient, paths in groups.items():
            # Weigh by share of the images: one stray image must not outvote the study.
            share = _weight(record) * len(paths) / total
            units.append(_Unit(record, tuple(sorted(paths)), patient, share, split=True))
    return units


@dataclass
class _Cluster:
    rep: PersonName
    members: list[tuple[_Unit, PersonName]]
    weight: float


@dataclass
class _Verdict:
    reasons: list[str]
    differs: list[str]
    near: bool = True
    doubt: str | None = None
    #: Who the files name instead, when not the record's own patient (a second person).
    found: Patient | None = None

    def add(self, what: str, reason: str, *, near: bool = False) -> None:
        """Note one difference (``near``: only a one-letter slip in the name)."""
        self.differs.append(what)
        self.reasons.append(reason)
        self.near = self.near and near


def find_mismatches(records: Sequence[Record]) -> Consensus:
    """Decide the folder's patient by weighted consensus; list the files that disagree.

    Each study is looked at image by image: when its images name two people,
    only the other person's images are a mismatch.
    """
    units = _units(records)
    named = [(u, parse_name(u.patient.name)) for u in units]
    full = [(u, n) for u, n in named if n is not None and len(n.words) >= 2]
    full.sort(key=lambda item: -item[0].weight)

    clusters: list[_Cluster] = []
    for unit, name in full:
        for cluster in clusters:
            if compare_names(cluster.rep, name) is NameMatch.SAME:
                cluster.members.append((unit, name))
                cluster.weight += unit.weight
                break
        else:
            clusters.append(_Cluster(rep=name, members=[(unit, name)], weight=unit.weight))

    verdicts: dict[int, _Verdict] = {}

    def verdict(unit: _Unit) -> _Verdict:
        return verdicts.setdefault(id(unit), _Verdict([], []))

    main: _Cluster | None = None
    main_name: str | None = None
    unconfirmed: list[Unconfirmed] = []
    #: Records whose name differs from the patient's only by a suffix on one of them.
    suffix_only: list[tuple[_Unit, PersonName]] = []
    if clusters:
        clustered = {id(u) for c in clusters for u, _ in c.members}
        unnamed = [u for u in units if id(u) not in clustered]
        main = max(clusters, key=lambda c: (_support(c, unnamed), len(c.members)))
        main_name = _best_display(main)
        for cluster in clusters:
            if cluster is main:
                continue
            match, doubt = name_doubt(main.rep, cluster.rep)
            for unit, name in cluster.members:
                if match is NameMatch.NEAR:
                    uncertain = _is_ocr(unit.record) or unit.record.confidence < 0.6
                    if doubt == SLIP and uncertain:
                        continue  # a one-letter slip in uncertain text is not worth an alarm
                    if doubt == GENERATION:
                        suffix_only.append((unit, name))  # a birth date may settle it, below
                        continue
                    _near_name(verdict(unit), name, main_name, doubt)
                elif match is NameMatch.DIFFERENT:
                    verdict(unit).add(
                        NAME,
                        f"it names '{name.display}'{_id_note(unit, main)}, "
                        f"but the other records name '{main_name}'",
                    )
    main_ids = {u.patient.id for u, _ in main.members if u.patient.id} if main else set()
    for unit, short in named:
        if short is not None and len(short.words) >= 2:
            continue
        # Short names ("Thompson", "M. Smith"): flag only a clear difference.
        match = compare_names(main.rep, short) if main is not None else NameMatch.UNKNOWN
        if match is NameMatch.DIFFERENT:
            verdict(unit).add(
                NAME,
                f"it names '{short.display if short else unit.patient.name}', "
                f"but the other records name '{main_name}'",
            )
        elif (
            match is NameMatch.UNKNOWN
            and unit.patient.name
            and unit.patient.name.strip(" ^=")
            and unit.record.format in _STRUCTURED_FORMATS
        ):
            unconfirmed.append(Unconfirmed(unit.record, unit.paths, unit.patient.name))
        elif (
            main is not None
            and _says_whose(unit.record)
            and not _confirmed_otherwise(unit, main_ids)
        ):
            unconfirmed.append(_unconfirmed(unit, short, match))

    if main is not None:
        for unit in units:
            _second_person(unit, main, main_name, verdicts, verdict)

    # Birth date: the weighted vote of the main patient's records (or of all).
    # Records without a usable name vote too; other patients' records do not.
    others = {id(u) for c in clusters if c is not main for u, _ in c.members}
    voters = [u for u in units if id(u) not in others and u.patient.birth_date]
    birth_date, certain = _vote_birth_date(voters)
    if birth_date is not None:
        for unit in units:
            given = unit.patient.birth_date
            either_way = not certain or _read_either_way(unit.record)
            if given and not same_birth_date(given, birth_date, either_way=either_way):
                verdict(unit).add(
                    BIRTH_DATE,
                    f"it gives the birth date {given}, but the other records give {birth_date}",
                )

    for unit, name in suffix_only:
        if not _same_person_by_data(unit, birth_date, certain, main_ids):
            _near_name(verdict(unit), name, main_name, GENERATION)

    _study_id_mismatches(units, verdicts, verdict)

    expected_id = _main_id(main) if main is not None else None
    by_id = {id(u): u for u in units}
    mismatches = tuple(
        sorted(
            (
                Mismatch(
                    record=by_id[key].record,
                    reasons=tuple(found.reasons),
                    near=found.near and found.differs == [NAME],
                    doubt=found.doubt if found.near and found.differs == [NAME] else None,
                    paths=by_id[key].paths,
                    differs=tuple(dict.fromkeys(found.differs)),
                    found=found.found or by_id[key].patient,
                    second_person=found.found is not None,
                    expected=Patient(main_name, birth_date, expected_id),
                )
                for key, found in verdicts.items()
            ),
            key=lambda m: m.paths[:1],
        )
    )
    return Consensus(
        name=main_name,
        birth_date=birth_date,
        mismatches=mismatches,
        unconfirmed=tuple(sorted(unconfirmed, key=lambda u: u.paths[:1])),
    )


def _same_person_by_data(
    unit: _Unit, birth_date: str | None, certain: bool, main_ids: set[str]
) -> bool:
    """Whether the unit gives the folder's birth date or one of the patient's record numbers."""
    given = unit.patient.birth_date
    if birth_date and given:
        either_way = not certain or _read_either_way(unit.record)
        if same_birth_date(given, birth_date, either_way=either_way):
            return True
    return bool(unit.patient.id and unit.patient.id in main_ids)


def _near_name(found: _Verdict, name: PersonName, main_name: str | None, doubt: str | None) -> None:
    """Note a name that may be the patient's or another person's (``doubt`` says why)."""
    found.add(
        NAME,
        f"the name is written '{name.display}', not '{main_name}' as in the other records",
        near=True,
    )
    found.doubt = doubt


def _second_person(
    unit: _Unit,
    main: _Cluster,
    main_name: str | None,
    verdicts: dict[int, _Verdict],
    verdict: Callable[[_Unit], _Verdict],
) -> None:
    """A document whose text names the folder's patient and someone else as well (a fax
    cover before another person's report, two reports in one PDF) holds another
    person's record, whichever of the two its patient line was taken from."""
    record = unit.record
    if id(unit) in verdicts or record.format in _STRUCTURED_FORMATS or not record.text:
        return
    if record.format == "dicom" or record.study is not None:
        return
    from recordpack.classify.patient import named_people  # classify imports identity

    for name in named_people(record.text):
        other = parse_name(name)
        if other is not None and compare_names(main.rep, other) is NameMatch.DIFFERENT:
            found = verdict(unit)
            found.add(NAME, f"it also names '{other.display}', not only '{main_name}'")
            found.found = Patient(name=other.display)
            return


def _says_whose(record: Record) -> bool:
    """Whether a record would say whose it is if it did: DICOM (every header has the
    field), or a medical record whose text or structure was read. A file that could
    not be read has not been seen to name nobody; a document of kind ``other``
    (counted by no manifest) is not someone's results to mix up."""
    if record.format == "dicom":
        return True
    read = record.format in _STRUCTURED_FORMATS or bool(record.text.strip())
    return read and record.kind != "other"


def _confirmed_otherwise(unit: _Unit, main_ids: set[str]) -> bool:
    """Whether files without a full name still say whose they are: a birth date (the
    vote flags one that differs) or a record number the patient's records give."""
    return bool(unit.patient.birth_date) or bool(unit.patient.id and unit.patient.id in main_ids)


def _unconfirmed(unit: _Unit, short: PersonName | None, match: NameMatch) -> Unconfirmed:
    """Files with no full name and nothing else to tell whose they are: why not."""
    written = (unit.patient.name or "").strip(" ^=")
    if short is None or not written:
        return Unconfirmed(unit.record, unit.paths, "", NAMELESS)
    why = PARTIAL if match is NameMatch.SAME else CODED
    return Unconfirmed(unit.record, unit.paths, short.display if why == PARTIAL else written, why)


def _study_id_mismatches(
    units: Sequence[_Unit], verdicts: dict[int, _Verdict], verdict: Callable[[_Unit], _Verdict]
) -> None:
    """Within one study, images under another patient ID than the rest are a mismatch.

    Across hospitals one person has many record numbers, so an ID alone never
    makes two records differ; within one study, made by one scanner from one
    order, it does.
    """
    by_record: dict[int, list[_Unit]] = defaultdict(list)
    for unit in units:
        if unit.split:
            by_record[id(unit.record)].append(unit)
    for parts in by_record.values():
        fine = [u for u in parts if id(u) not in verdicts]
        ids: dict[str, float] = defaultdict(float)
        for unit in fine:
            if unit.patient.id:
                ids[unit.patient.id] += unit.weight
        if not ids:
            continue
        usual = max(ids, key=lambda i: ids[i])
        for unit in parts:
            if unit.patient.id and unit.patient.id != usual:
                verdict(unit).add(
                    PATIENT_ID,
                    f"its images give the patient ID {unit.patient.id}, "
                    f"but the other images of the study give {usual}",
                )


def _support(cluster: _Cluster, unnamed: Sequence[_Unit]) -> float:
    """A name's weight, plus records without a name that share its birth date or number."""
    births = {u.patient.birth_date for u, _ in cluster.members if u.patient.birth_date}
    ids = {u.patient.id for u, _ in cluster.members if u.patient.id}
    extra = sum(
        u.weight
        for u in unnamed
        if (u.patient.birth_date and u.patient.birth_date in births)
        or (u.patient.id and u.patient.id in ids)
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

    def score(member: tuple[_Unit, PersonName]) -> tuple[bool, int, int, float]:
        unit, name = member
        return (
            unit.record.format == "dicom",
            counts[name.words],
            len(name.initials) - len(name.words),
            unit.weight,
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


def _main_id(main: _Cluster) -> str | None:
    ids: dict[str, float] = defaultdict(float)
    for unit, _ in main.members:
        if unit.patient.id:
            ids[unit.patient.id] += unit.weight
    return max(ids, key=lambda i: ids[i]) if ids else None


def _id_note(unit: _Unit, main: _Cluster) -> str:
    ids = {u.patient.id for u, _ in main.members if u.patient.id}
    if unit.patient.id and unit.patient.id not in ids:
        return f" (record number {unit.patient.id})"
    return ""


def _describe_paths(record: Record, paths: Sequence[str]) -> str:
    if not paths:
        return f"The {record.title}"
    if len(paths) == 1:
        return paths[0]
    return f"{paths[0]} (and {len(paths) - 1} more files of the same study)"


def refine_study_problems(problems: Sequence[Problem], records: Sequence[Record]) -> list[Problem]:
    """Point each study's "images name two patients" problem at the images that are not the
    folder's patient (scan groups a study before it knows whose folder it is)."""
    by_file = {path: record for record in records for path in record.files}
    odd: dict[int, list[str]] = defaultdict(list)
    for mismatch in find_mismatches(records).mismatches:
        if mismatch.record.study is not None:
            odd[id(mismatch.record)] += mismatch.paths
    refined: list[Problem] = []
    for problem in problems:
        record = by_file.get(problem.path)
        paths = sorted(odd.get(id(record), ())) if problem.code == "patient_mismatch" else []
        if paths:
            problem = replace(problem, path=paths[0], paths=tuple(paths))
        refined.append(problem)
    return refined
