"""The rule table (``rules.toml``): loading, validation, prefiltering and scoring.

Each row says which kind a phrase supports, where it counts and how much: a
*heading* counts in full when it is the document's own title (a short line near
the top) and only a little when the body merely mentions it; a *section*
counts when it starts a line; a *term* counts anywhere. Every rule carries the
literal keywords one of which any match must contain (derived from a phrase,
or listed as ``needs`` for a regex): a rule whose keywords are absent from the
document is not run, which keeps classification to a few regex searches.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any, Final

import ahocorasick
import regex

from recordpack.classify.text import (
    LETTERHEAD,
    TITLE_CHARS,
    TITLE_LINES,
    fold,
    repair_ocr_digits,
    show,
)
from recordpack.model import KINDS

#: Extra score for the kind named by the document's own title.
TITLE_BONUS: Final = 5.0
#: A title heading at least this strong damps every other kind's score by
#: OTHER_KINDS_FACTOR: what a document calls itself beats what it quotes.
STRONG_TITLE: Final = 7.0
OTHER_KINDS_FACTOR: Final = 0.6
#: Weight factor for a heading phrase that appears in the body only.
MENTION_FACTOR: Final = 0.35
#: Weight factor for a section phrase that does not start a line.
INLINE_SECTION_FACTOR: Final = 0.3
#: How far before its first keyword a rule's match may begin (a number and
#: unit before "daily", a label before "date"): the search starts there.
KEYWORD_REACH: Final = 400
#: Where a rule may count.
PLACES: Final = ("heading", "section", "term")
#: Largest weight a single rule may carry (the validation test holds the table to it).
MAX_WEIGHT: Final = 12.0


class RuleTableError(ValueError):
    """The rule table is malformed (a developer error, caught by the test suite)."""


# OCR commonly confuses these; a phrase letter matches any of its look-alikes.
_OCR_CLASSES: Final[dict[str, str]] = {
    "o": "[o0]",
    "i": "[i1l|!]",
    "l": "[l1i|]",
    "s": "[s5$]",
}


def fuzzy(phrase: str) -> str:
    """A regex for ``phrase`` tolerant of case, spacing and OCR look-alikes.

    Spaces match any run of whitespace, ``-`` is optional, ``/`` and ``&``
    may be spaced (``&`` also matches "and"), ``.`` is optional.
    """
    out: list[str] = []
    for ch in phrase:
        low = ch.lower()
        if low in _OCR_CLASSES:
            out.append(_OCR_CLASSES[low])
        elif ch == " ":
            out.append(r"\s+")
        elif ch == "-":
            out.append(r"[-\s]?")
        elif ch == "/":
            out.append(r"\s*/\s*")
        elif ch == "&":
            out.append(r"\s*(?:&|and)\s*")
        elif ch == ".":
            out.append(r"\.?")
        else:
            out.append(re.escape(ch))
    body = "".join(out)
    start = r"\b" if phrase[:1].isalnum() else ""
    end = r"\b" if phrase[-1:].isalnum() else ""
    return f"{start}{body}{end}"


@dataclass(frozen=True)
class Rule:
    """One row of the classification table.

    ``where`` is ``heading``, ``section`` or ``term``. ``pattern`` is a plain
    phrase made fuzzy by :func:`fuzzy` unless ``raw`` (a regex, case-insensitive
    unless ``case``). A term counts up to ``hits`` times. ``needs``: folded
    keywords (:func:`recordpack.classify.text.fold`), one of which every match
    contains; empty means the rule always runs.
    """

    kind: str
    where: str
    weight: float
    pattern: str
    title: str | None = None
    raw: bool = False
    case: bool = False
    hits: int = 1
    needs: tuple[str, ...] = ()
    #: A header field ("ADMISSION DATE:"), not a section that opens the body.
    field: bool = False


_FRAGMENT = re.compile(r"\{\{(\w+)\}\}")


def phrase_words(phrase: str) -> tuple[str, ...]:
    """Every word of a fuzzy phrase, folded: a match contains each of them."""
    return tuple(dict.fromkeys(fold(p) for p in re.split(r"[^0-9A-Za-z]+", phrase) if p))


def phrase_keyword(phrase: str) -> str:
    """The longest word of a fuzzy phrase, folded: every match of the phrase contains it."""
    return max(phrase_words(phrase), key=len, default="")


def _rule(kind: str, row: dict[str, Any], fragments: dict[str, str]) -> Rule:
    unknown = set(row) - {
        "where",
        "weight",
        "phrase",
        "regex",
        "title",
        "case",
        "hits",
        "needs",
        "field",
    }
    if unknown:
        raise RuleTableError(f"{kind}: unknown keys {sorted(unknown)} in {row}")
    if ("phrase" in row) == ("regex" in row):
        raise RuleTableError(f"{kind}: a rule has exactly one of 'phrase' and 'regex': {row}")
    raw = "regex" in row
    pattern = str(row["regex"] if raw else row["phrase"])
    if raw:
        pattern = _FRAGMENT.sub(lambda m: fragments[m.group(1)], pattern)
        needs = tuple(fold(str(n)) for n in row.get("needs", ()))
    else:
        needs = (phrase_keyword(pattern),)
    rule = Rule(
        kind=kind,
        where=str(row["where"]),
        weight=float(row["weight"]),
        pattern=pattern,
        title=row.get("title"),
        raw=raw,
        case=bool(row.get("case", False)),
        hits=int(row.get("hits", 1)),
        needs=needs,
        field=bool(row.get("field", False)),
    )
    _validate(rule)
    return rule


def _validate(rule: Rule) -> None:
    where = f"{rule.kind} rule {rule.pattern!r}"
    if rule.where not in PLACES:
        raise RuleTableError(f"{where}: 'where' must be one of {PLACES}, not {rule.where!r}")
    if not 0 < rule.weight <= MAX_WEIGHT:
        raise RuleTableError(f"{where}: weight {rule.weight} is outside (0, {MAX_WEIGHT}]")
    if not 1 <= rule.hits <= 10:
        raise RuleTableError(f"{where}: hits {rule.hits} is outside 1..10")
    if rule.where == "heading" and rule.title is None:
        raise RuleTableError(f"{where}: a heading rule names the title it gives")
    if any(not n for n in rule.needs):
        raise RuleTableError(f"{where}: an empty keyword in 'needs'")
    try:
        _compile(rule)  # regex's cache then serves compile_rule's compile
    except regex.error as error:
        raise RuleTableError(f"{where}: the pattern does not compile ({error})") from error


@dataclass(frozen=True)
class Requirement:
    """What a document must show to be filed as ``kind`` (the ``[requires.KIND]`` tables).

    One pattern of every ``all_of`` group must match and no ``none_of`` pattern
    may; ``why`` is the evidence given when the requirement fails.
    """

    kind: str
    why: str
    all_of: tuple[regex.Pattern[str], ...]
    none_of: regex.Pattern[str] | None

    def met(self, text: str) -> bool:
        """Whether ``text`` (or its OCR-repaired reading) shows the structure this kind requires."""
        if self.none_of is not None and self.none_of.search(text):
            return False
        if all(group.search(text) for group in self.all_of):
            return True
        repaired = repair_ocr_digits(text)
        return repaired != text and all(group.search(repaired) for group in self.all_of)


def _any_of(kind: str, patterns: list[Any]) -> regex.Pattern[str]:
    if not patterns:
        raise RuleTableError(f"requires.{kind}: an empty group of patterns")
    try:
        return regex.compile(
            "|".join(f"(?:{p})" for p in patterns), regex.V0 | regex.IGNORECASE | regex.MULTILINE
        )
    except regex.error as error:
        raise RuleTableError(f"requires.{kind}: a pattern does not compile ({error})") from error


def _requirement(kind: str, table: dict[str, Any]) -> Requirement:
    if kind not in KINDS:
        raise RuleTableError(f"unknown kind [requires.{kind}] in the rule table")
    unknown = set(table) - {"why", "all_of", "none_of"}
    if unknown or "why" not in table or not table.get("all_of"):
        raise RuleTableError(
            f"requires.{kind}: needs 'why' and 'all_of' (unknown: {sorted(unknown)})"
        )
    none_of = table.get("none_of", [])
    return Requirement(
        kind=kind,
        why=str(table["why"]),
        all_of=tuple(_any_of(kind, group) for group in table["all_of"]),
        none_of=_any_of(kind, none_of) if none_of else None,
    )


@dataclass(frozen=True)
class RuleTable:
    """The parsed table: scoring rules and per-kind requirements."""

    rules: tuple[Rule, ...]
    requires: dict[str, Requirement]


def parse_table(text: str) -> RuleTable:
    """The rule table from its TOML text (format in docs/classification.md)."""
    data = tomllib.loads(text)
    fragments = {str(k): str(v) for k, v in data.pop("fragments", {}).items()}
    requires = {k: _requirement(k, v) for k, v in data.pop("requires", {}).items()}
    rules: list[Rule] = []
    for kind, table in data.items():
        if kind not in KINDS:
            raise RuleTableError(f"unknown kind [{kind}] in the rule table")
        rules.extend(_rule(kind, row, fragments) for row in table["rules"])
    return RuleTable(tuple(rules), requires)


def parse_rules(text: str) -> tuple[Rule, ...]:
    """The scoring rules from the TOML text of a rule table."""
    return parse_table(text).rules


def load_table() -> RuleTable:
    """The built-in rule table, ``recordpack/classify/rules.toml``."""
    source = resources.files("recordpack.classify").joinpath("rules.toml")
    return parse_table(source.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Compiled:
    """A rule with its pattern compiled."""

    rule: Rule
    anywhere: regex.Pattern[str]


#: What may stand before a section label on its line, and what ends the label.
_SECTION_PREFIX: Final = re.compile(r"[ \t>*#•\-]*(?:[0-9A-Za-z]{1,2}[.)]\s*)?")
_SECTION_END: Final = re.compile(r"[ \t]*(?::|-|$|\t|\s{2,})", re.MULTILINE)


def _compile(rule: Rule) -> regex.Pattern[str]:
    """The rule's pattern: the phrase made fuzzy, or the raw regex, case-insensitive
    unless ``case``.

    Compiled by the ``regex`` module in its version 0, which behaves as ``re``
    does: it runs the table's case-insensitive alternations about three times
    as fast over a long report, with the same matches (``tests/test_classify_rules.py``).
    """
    body = rule.pattern if rule.raw else fuzzy(rule.pattern)
    return regex.compile(body, regex.V0 | (0 if rule.case else regex.IGNORECASE))


def compile_rule(rule: Rule) -> Compiled:
    """The rule with its pattern compiled."""
    return Compiled(rule, _compile(rule))


@functools.cache
def table() -> RuleTable:
    """The built-in table, read and compiled on first use (a folder of images
    alone never needs it: starting without it saves a tenth of a second)."""
    return load_table()


def requirements() -> dict[str, Requirement]:
    """The built-in ``[requires.KIND]`` tables."""
    return table().requires


def prepare() -> None:
    """Compile the built-in table (rules and requirements) and build its keyword index
    now, not at the first classification (a fork server does, so that every worker it
    starts inherits them)."""
    _keyword_index()  # compiles the table too


@functools.cache
def compiled() -> tuple[Compiled, ...]:
    """Headings, then sections, then terms (table order within each): where two
    rules of a kind match the same words, the first counts (see score_kinds)."""
    return tuple(
        compile_rule(r) for r in sorted(table().rules, key=lambda r: PLACES.index(r.where))
    )


def __getattr__(name: str) -> Any:
    """``RULES``, ``REQUIRES``, ``TABLE``: the built-in table, loaded on first use."""
    if name == "TABLE":
        return table()
    if name == "RULES":
        return table().rules
    if name == "REQUIRES":
        return requirements()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass
class Hit:
    rule: Rule
    score: float
    label: str  # evidence string
    title_pos: int | None  # position of a title heading, else None
    matched: str
    span: tuple[int, int] = (0, 0)
    #: A section label found at the start of a line (not inline).
    anchored: bool = False


def _title_zone_end(text: str) -> int:
    """End offset of the title area: the first TITLE_LINES non-empty lines."""
    count = 0
    pos = 0
    for line in text.split("\n"):
        pos += len(line) + 1
        if line.strip():
            count += 1
        if count >= TITLE_LINES or pos >= TITLE_CHARS:
            break
    return min(pos, TITLE_CHARS)


def _line_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    ls = text.rfind("\n", 0, start) + 1
    le = text.find("\n", end)
    return ls, (len(text) if le == -1 else le)


def _score_rule(c: Compiled, text: str, title_end: int, start: int = 0) -> Hit | None:
    """The rule's hit; a heading is a title only before ``title_end``.

    No match begins before ``start`` (see :data:`KEYWORD_REACH`).
    """
    rule = c.rule
    if rule.where == "heading":
        best: Hit | None = None
        for m in c.anywhere.finditer(text, start):
            ls, le = _line_bounds(text, m.start(), m.end())
            before = text[ls : m.start()].strip()
            rest = text[m.end() : le]
            after = rest.strip(" \t:-")
            heading_like = (
                len(before) <= 25
                and len(after) <= 40
                and not LETTERHEAD.search(text, ls, le)  # "Cascade Breast Imaging Associates"
            )
            # "CURRENT MEDICATIONS:" labels a section; a title stands without a colon.
            is_label = rest.lstrip(" \t").startswith(":")
            if m.start() < title_end and heading_like and not is_label:
                return Hit(
                    rule,
                    rule.weight,
                    f"heading '{show(m.group())}'",
                    m.start(),
                    m.group(),
                    m.span(),
                )
            if best is None:
                best = Hit(
                    rule,
                    rule.weight * MENTION_FACTOR,
                    f"mention '{show(m.group())}'",
                    None,
                    m.group(),
                    m.span(),
                )
            if m.start() >= title_end:
                break  # past the title area only the first mention counts
        return best
    if rule.where == "section":
        # Each match is checked for standing at a line's start (after optional
        # numbering like "1." or "A)") and ending with a colon, a dash, the end
        # of the line or a gap: cheaper than a ^-anchored search of every line.
        loose = None
        for m in c.anywhere.finditer(text, start):
            loose = loose or m
            line_start = text.rfind("\n", 0, m.start()) + 1
            if _SECTION_PREFIX.fullmatch(text, line_start, m.start()) and _SECTION_END.match(
                text, m.end()
            ):
                shown = m.group()
                return Hit(
                    rule, rule.weight, f"section '{show(shown)}'", None, shown, m.span(), True
                )
        if loose is not None:
            return Hit(
                rule,
                rule.weight * INLINE_SECTION_FACTOR,
                f"term '{show(loose.group())}'",
                None,
                loose.group(),
                loose.span(),
            )
        return None
    # term
    if rule.hits <= 1:
        one = c.anywhere.search(text, start)
        if one is None:
            return None
        return Hit(rule, rule.weight, f"term '{show(one.group())}'", None, one.group(), one.span())
    found: list[str] = []
    for m in c.anywhere.finditer(text, start):
        found.append(m.group())
        if len(found) >= rule.hits:
            break
    if not found:
        return None
    label = f"term '{show(found[0])}'" + (f" (x{len(found)})" if len(found) > 1 else "")
    return Hit(rule, rule.weight * len(found), label, None, found[0])


@dataclass(frozen=True)
class _KeywordIndex:
    """The compiled rules by keyword: each keyword is looked for once per text."""

    always: tuple[int, ...]  # rules without keywords (their place in compiled())
    #: Each keyword and the rules needing it (a text's pass visits only the keywords
    #: it holds, a few dozen of some 600).
    by_keyword: Mapping[str, tuple[int, ...]]
    #: A phrase rule and its other words: every match contains each of them too.
    also: Mapping[int, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    #: :attr:`every_word`, found in one pass (:func:`_first_places`).
    words: Any = None

    @property
    def every_word(self) -> set[str]:
        """Every keyword and phrase word above: what :attr:`words` finds."""
        return set(self.by_keyword) | {w for others in self.also.values() for w in others}


def _automaton(words: set[str]) -> Any:
    """An Aho-Corasick automaton (pyahocorasick) finding each of ``words`` wherever
    it occurs; the sorted words themselves when pyahocorasick was built for bytes
    only (:func:`_first_places` then searches for each)."""
    if not getattr(ahocorasick, "unicode", False):
        return tuple(sorted(words))
    automaton = ahocorasick.Automaton()
    for word in sorted(words):
        automaton.add_word(word, word)
    automaton.make_automaton()
    return automaton


@functools.cache
def _keyword_index() -> _KeywordIndex:
    rules: dict[str, list[int]] = {}
    always: list[int] = []
    also: dict[int, tuple[str, ...]] = {}
    for number, c in enumerate(compiled()):
        if not c.rule.needs:
            always.append(number)
        for keyword in dict.fromkeys(c.rule.needs):
            rules.setdefault(keyword, []).append(number)
        if not c.rule.raw:
            others = tuple(w for w in phrase_words(c.rule.pattern) if w not in c.rule.needs)
            if others:
                also[number] = others
    index = _KeywordIndex(tuple(always), {k: tuple(v) for k, v in rules.items()}, also)
    return dataclasses.replace(index, words=_automaton(index.every_word))


def _first_places(folded: str, words: Any) -> dict[str, int]:
    """Where each of the automaton's ``words`` first occurs in ``folded`` (as
    ``folded.find(word)`` says), for those that occur: one pass over the text
    instead of one search per word (the table has some 600)."""
    if isinstance(words, tuple):
        return {word: at for word in words if (at := folded.find(word)) >= 0}
    first: dict[str, int] = {}
    for end, word in words.iter(folded):
        if word not in first:  # matches come in order of their end: the first is the earliest
            first[word] = end - len(word) + 1
    return first


def _starts(folded: str, windowed: bool) -> dict[int, int]:
    """Where each runnable rule's search starts, by its place in compiled(): from
    shortly before its first keyword (``windowed``) or from 0. A rule whose
    keywords are all absent, or a phrase one of whose words is, is not runnable
    and is left out."""
    index = _keyword_index()
    places = _first_places(folded, index.words)
    first: dict[int, int] = {}
    for keyword, at in places.items():
        for number in index.by_keyword.get(keyword, ()):  # a phrase word alone runs nothing
            if at < first.get(number, len(folded)):
                first[number] = at
    for number in [n for n in first if n in index.also]:
        # A phrase runs only when all its words are there.
        if not all(word in places for word in index.also[number]):
            del first[number]
    starts = {n: max(0, at - KEYWORD_REACH) if windowed else 0 for n, at in first.items()}
    starts.update(dict.fromkeys(index.always, 0))
    return starts


def sentence_case(s: str) -> str:
    """A matched heading as a title: "SURGICAL PATHOLOGY" -> "Surgical pathology"."""
    s = " ".join(s.split()).strip(" :-")
    if s.isupper() or s.istitle():
        s = s[:1].upper() + s[1:].lower()
    return s


def score_kinds(
    text: str, folded: str | None = None, *, windowed: bool = True
) -> tuple[dict[str, float], dict[str, list[Hit]]]:
    """Each kind's score and the hits behind it.

    ``folded`` is ``fold(text)`` when the caller has it; rules whose keywords
    it lacks are not run, and (``windowed``) a rule's search starts shortly
    before its first keyword.
    """
    if folded is None:
        folded = fold(text)
    # Folding keeps positions unless lower-casing changed the length (rare scripts).
    windowed = windowed and len(folded) == len(text)
    title_end = _title_zone_end(text)
    scores: dict[str, float] = {}
    hits: dict[str, list[Hit]] = {}
    starts = _starts(folded, windowed)
    runnable = [(c, starts[n]) for n, c in enumerate(compiled()) if n in starts]
    # Sections first: where each kind's body begins. A heading after another
    # kind's body has begun ("CHIEF COMPLAINT ... CURRENT MEDICATIONS") is a
    # section of that body, not the document's title.
    section_hits: dict[int, Hit | None] = {}
    body_start: dict[str, int] = {}
    for c, start in runnable:
        if c.rule.where == "section":
            hit = section_hits[id(c)] = _score_rule(c, text, title_end, start)
            if hit is not None and hit.anchored and not c.rule.field:
                kind = c.rule.kind
                body_start[kind] = min(body_start.get(kind, hit.span[0]), hit.span[0])
    for c, start in runnable:
        if c.rule.where == "section":
            hit = section_hits[id(c)]
        else:
            others = [pos for kind, pos in body_start.items() if kind != c.rule.kind]
            hit = _score_rule(c, text, min([title_end, *others]), start)
        if hit is None:
            continue
        # "SURGICAL PATHOLOGY REPORT" also matches "PATHOLOGY REPORT": the
        # same words count once, for the first (more specific) rule.
        if hit.rule.hits <= 1 and any(
            h.span[0] < hit.span[1] and hit.span[0] < h.span[1] for h in hits.get(c.rule.kind, ())
        ):
            continue
        scores[c.rule.kind] = scores.get(c.rule.kind, 0.0) + hit.score
        hits.setdefault(c.rule.kind, []).append(hit)
    # The document's own title wins over body mentions: the top-most title
    # heading gets a bonus, so "Progress note ... pathology showed" stays a note.
    titled = [h for hs in hits.values() for h in hs if h.title_pos is not None]
    if titled:
        top = min(titled, key=lambda h: (h.title_pos or 0, -h.rule.weight))
        scores[top.rule.kind] += TITLE_BONUS
        if top.rule.weight >= STRONG_TITLE:
            for kind in scores:
                if kind != top.rule.kind:
                    scores[kind] *= OTHER_KINDS_FACTOR
    return scores, hits
