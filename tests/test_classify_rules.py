"""The rule table (recordpack/classify/rules.toml) is valid data, and its keyword prefilter never hides a match."""

from __future__ import annotations

import dataclasses
import re

import pytest
import regex

import recordpack.classify
from recordpack.classify import Rule, fuzzy, normalize, parse_rules
from recordpack.classify.rules import MAX_WEIGHT, PLACES, RuleTableError, score_kinds
from recordpack.classify.text import fold
from recordpack.model import KINDS
from tests.classify_samples import SAMPLES
from tests.notes_devset import NOT_RECORDS, NOTES
from tests.realworld_docs import DOCS


def _built_in_rules() -> tuple[Rule, ...]:
    """``recordpack.classify.RULES``, the built-in table (the package's lazy
    ``__getattr__`` is typed ``object``)."""
    rules = recordpack.classify.RULES
    assert isinstance(rules, tuple)
    return rules


RULES = _built_in_rules()


def test_every_rule_names_a_known_kind_a_place_and_a_sane_weight() -> None:
    assert len(RULES) >= 300
    for rule in RULES:
        assert rule.kind in KINDS, rule
        assert rule.where in PLACES, rule
        assert 0 < rule.weight <= MAX_WEIGHT, rule
        assert 1 <= rule.hits <= 10, rule
        if rule.where == "heading":
            assert rule.title, rule


def test_every_pattern_compiles() -> None:
    for rule in RULES:
        body = rule.pattern if rule.raw else fuzzy(rule.pattern)
        re.compile(body)
        regex.compile(body, regex.V0)


def _long_texts() -> list[str]:
    """The development texts joined a dozen at a time: documents of 10,000 characters and more."""
    texts = _texts()
    return ["\n\n".join(texts[i : i + 12]) for i in range(0, len(texts), 12)]


def test_the_regex_engine_finds_what_re_finds() -> None:
    """The table is compiled by ``regex`` for speed: every rule and requirement
    must find exactly the matches ``re`` finds, so no classification changes."""
    from recordpack.classify.rules import compiled, requirements

    texts = _long_texts()
    assert max(len(t) for t in texts) > 10_000
    pairs = [
        (c.anywhere, re.compile(c.anywhere.pattern, 0 if c.rule.case else re.IGNORECASE))
        for c in compiled()
    ]
    for requirement in requirements().values():
        for group in [*requirement.all_of, *([requirement.none_of] if requirement.none_of else [])]:
            pairs.append((group, re.compile(group.pattern, re.IGNORECASE | re.MULTILINE)))
    matched = 0
    for fast, plain in pairs:
        assert isinstance(fast, regex.Pattern)
        for text in texts:
            found = [(m.span(), m.groups()) for m in fast.finditer(text)]
            assert found == [(m.span(), m.groups()) for m in plain.finditer(text)], fast.pattern
            matched += len(found)
    assert matched > 5_000


def test_every_kind_but_images_has_rules() -> None:
    # imaging_study is only ever DICOM images, never text.
    assert {r.kind for r in RULES} == set(KINDS) - {"imaging_study"}


def _texts() -> list[str]:
    texts = [n.text for n in NOTES] + [d.text for d in DOCS] + [s.text for s in SAMPLES]
    return [normalize(t) for t in texts + [t for _, t in NOT_RECORDS]]


def test_a_rule_never_matches_a_text_without_its_keywords() -> None:
    """The prefilter skips a rule when none of its keywords is in the text: it must never skip a real match."""
    texts = [(t, fold(t)) for t in _texts()]
    checked = 0
    for rule in RULES:
        if not rule.needs:
            continue
        pattern = re.compile(
            rule.pattern if rule.raw else fuzzy(rule.pattern), 0 if rule.case else re.IGNORECASE
        )
        for text, folded in texts:
            match = pattern.search(text)
            if match:
                checked += 1
                assert any(n in folded for n in rule.needs), (rule.pattern, match.group())
                # The keyword is in the matched words themselves, not elsewhere by chance.
                assert any(n in fold(match.group()) for n in rule.needs), (
                    rule.pattern,
                    match.group(),
                )
    assert checked > 1000


#: Rules (by a part of their regex) whose keywords leave out words most documents hold:
#: those words, and every way the regex can be written (each alternative at least once).
SPELLINGS = {
    "(?:education|information": (
        ("information",),  # "patient information leaflet" also says "leaflet"
        (
            "Patient Education",
            "PATIENT INFORMATION LEAFLET",
            "Patient information sheet",
            "Patient handout",
            "Your guide to radiotherapy",
            "A guide to chemotherapy",
            "Understanding your biopsy",
            "Prostate cancer and you",
            "What to expect after surgery",
            "Fact sheet",
            "Booklet",
            "Leaflet",
            "Brochure",
        ),
    ),
    "(?:colonoscopy|endoscopy": (
        ("report",),  # every report says "report"; each of these names a procedure
        (
            "Colonoscopy report",
            "ENDOSCOPY PROCEDURE REPORT",
            "Bronchoscopy Report",
            "EGD report",
            "Cystoscopy report",
            "EUS report",
            "ERCP Procedure Report",
            "Sigmoidoscopy report",
            "Thoracoscopy report",
            "Laparoscopy report",
        ),
    ),
    "health\\s*care\\s+(?:agent": (
        ("health",),  # "mental health", "health history"; each of these names the paper
        (
            "health care agent",
            "Healthcare proxy",
            "HEALTH CARE POWER OF ATTORNEY",
            "durable power of attorney",
        ),
    ),
    "(?:BPD|HC|AC|FL|CRL)": (
        # "ac" and "fl" (folded "fi") are in most texts; each measure has a unit
        ("ac", "fl", "hc"),
        ("BPD 9.1 cm", "HC: 33.2 cm", "AC = 31.0 cm", "FL 72 mm", "CRL 4.5 cm"),
    ),
}


def _top_level_alternatives(pattern: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for at, char in enumerate(pattern):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "|" and depth == 0:
            parts.append(pattern[start:at])
            start = at + 1
    return [*parts, pattern[start:]]


@pytest.mark.parametrize("part", sorted(SPELLINGS))
def test_every_spelling_of_a_rule_holds_one_of_its_keywords(part: str) -> None:
    """A rule's keywords may leave out common words only if every way of writing what
    it matches holds one of the others: else the prefilter would skip a real match."""
    left_out, spellings = SPELLINGS[part]
    (rule,) = [r for r in RULES if r.raw and part in r.pattern]
    assert not {fold(w) for w in left_out} & set(rule.needs)
    flags = 0 if rule.case else re.IGNORECASE
    pattern = re.compile(rule.pattern, flags)
    for alternative in _top_level_alternatives(rule.pattern):  # the spellings cover them all
        assert any(re.search(alternative, s, flags) for s in spellings), alternative
    for spelling in spellings:
        match = pattern.search(spelling)
        assert match is not None, spelling
        assert any(n in fold(match.group()) for n in rule.needs), spelling


def test_a_phrase_never_matches_a_text_without_every_one_of_its_words() -> None:
    """A phrase rule runs only when all its words are in the text: it must never skip a real match."""
    from recordpack.classify.rules import phrase_words

    texts = _texts()
    checked = 0
    for rule in RULES:
        if rule.raw:
            continue
        pattern = re.compile(fuzzy(rule.pattern), 0 if rule.case else re.IGNORECASE)
        words = phrase_words(rule.pattern)
        for text in texts:
            match = pattern.search(text)
            if match:
                checked += 1
                assert all(w in fold(match.group()) for w in words), (rule.pattern, match.group())
    assert checked > 500


def test_requiring_every_word_of_a_phrase_changes_no_score(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same scores and evidence with the every-word filter as with the keyword one alone."""
    from recordpack.classify import rules as rule_module

    texts = _texts() + _long_texts()
    filtered = rule_module._keyword_index()
    assert filtered.also, "phrase rules with more than one word"
    fast = [score_kinds(t, fold(t)) for t in texts]
    without = dataclasses.replace(filtered, also={})
    monkeypatch.setattr(rule_module, "_keyword_index", lambda: without)
    slow = [score_kinds(t, fold(t)) for t in texts]
    run_without = sum(len(rule_module._starts(fold(t), True)) for t in texts)
    monkeypatch.setattr(rule_module, "_keyword_index", lambda: filtered)
    run_with = sum(len(rule_module._starts(fold(t), True)) for t in texts)
    assert run_with < run_without  # the filter does leave rules out
    for (fs, fh), (ss, sh) in zip(fast, slow, strict=True):
        assert fs == ss
        assert {k: [h.label for h in v] for k, v in fh.items()} == {
            k: [h.label for h in v] for k, v in sh.items()
        }


def test_almost_every_rule_has_keywords() -> None:
    without = [r.pattern for r in RULES if not r.needs]
    assert len(without) <= 10, without


@pytest.mark.parametrize(
    ("table", "complaint"),
    [
        ("[not_a_kind]\nrules = [{where = 'term', weight = 1, phrase = 'x'}]", "unknown kind"),
        ("[other]\nrules = [{where = 'body', weight = 1, phrase = 'x'}]", "'where' must be"),
        ("[other]\nrules = [{where = 'term', weight = 0, phrase = 'x'}]", "weight 0.0"),
        ("[other]\nrules = [{where = 'term', weight = 40, phrase = 'x'}]", "weight 40.0"),
        (
            "[other]\nrules = [{where = 'term', weight = 1, regex = '(unclosed'}]",
            "does not compile",
        ),
        ("[other]\nrules = [{where = 'heading', weight = 1, phrase = 'x'}]", "names the title"),
        (
            "[other]\nrules = [{where = 'term', weight = 1, phrase = 'x', regex = 'y'}]",
            "exactly one",
        ),
        (
            "[other]\nrules = [{where = 'term', weight = 1, phrase = 'x', wieght = 2}]",
            "unknown keys",
        ),
    ],
)
def test_a_malformed_table_is_refused(table: str, complaint: str) -> None:
    with pytest.raises(RuleTableError, match=re.escape(complaint)):
        parse_rules(table)


def test_fragments_are_substituted() -> None:
    (rule,) = parse_rules(
        "[fragments]\ngenes = 'EGFR|KRAS'\n[genomic_report]\n"
        "rules = [{where = 'term', weight = 1, regex = '\\b(?:{{genes}})\\b', needs = ['egfr', 'kras']}]"
    )
    assert rule.pattern == r"\b(?:EGFR|KRAS)\b"


def test_starting_each_search_near_its_keyword_changes_nothing() -> None:
    """The windowed search (from shortly before a rule's first keyword) scores exactly as a full one."""
    texts = _texts()
    texts += ["\n\n".join(texts[i : i + 12]) for i in range(0, len(texts), 12)]
    for text in texts:
        folded = fold(text)
        fast = score_kinds(text, folded)
        full = score_kinds(text, folded, windowed=False)
        assert fast[0] == full[0]
        assert {k: [h.label for h in v] for k, v in fast[1].items()} == {
            k: [h.label for h in v] for k, v in full[1].items()
        }


def test_each_rule_starts_shortly_before_its_first_keyword() -> None:
    """The keyword index finds, for every rule, what a search of each of its own
    keywords would: the first of them, or none (the rule is then not run)."""
    from recordpack.classify import rules as rule_module

    texts = [
        "SURGICAL PATHOLOGY REPORT\nDiagnosis: invasive ductal carcinoma, grade 2.\n" * 3,
        "Progress note. Seen in clinic; CT chest showed no nodules. Plan: follow up.",
        "x" * 500 + " hemoglobin 12.1 g/dL, platelets 210, creatinine 0.9 mg/dL",
        "",
    ]
    compiled = rule_module.compiled()
    for text in texts:
        folded = fold(text)
        for windowed in (True, False):
            starts = rule_module._starts(folded, windowed)
            for number, c in enumerate(compiled):
                found = [p for k in c.rule.needs if (p := folded.find(k)) >= 0]
                words = () if c.rule.raw else rule_module.phrase_words(c.rule.pattern)
                if not c.rule.needs:
                    expected: int | None = 0
                elif not found or not all(w in folded for w in words):
                    expected = None
                else:
                    reach = rule_module.KEYWORD_REACH
                    expected = max(0, min(found) - reach) if windowed else 0
                assert starts.get(number) == expected, (c.rule.pattern, text[:30])
    assert any(c.rule.needs for c in compiled) and any(not c.rule.needs for c in compiled)


def test_the_keyword_automaton_places_each_word_where_find_does() -> None:
    """One Aho-Corasick pass gives every keyword's first place, as str.find would."""
    from recordpack.classify import rules as rule_module

    index = rule_module._keyword_index()
    words = index.every_word
    texts = [fold(t) for t in _texts() + _long_texts()]
    texts += ["", "\ud800patholog\udcff", "𝔸 carcinoma" * 3, "carcinomacarcinoma"]
    present = 0
    for folded in texts:
        places = rule_module._first_places(folded, index.words)
        expected = {w: at for w in words if (at := folded.find(w)) >= 0}
        assert places == expected, folded[:60]
        present += len(places)
    assert present > 10_000


def test_a_pyahocorasick_built_for_bytes_only_falls_back_to_searching_each_word(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Such a build cannot hold str keywords: the index then keeps the words, and
    the places and scores are the same."""
    import ahocorasick

    from recordpack.classify import rules as rule_module

    long_texts = _long_texts()[:6]
    texts = [fold(t) for t in long_texts]
    automaton = rule_module._keyword_index()
    scores = [score_kinds(t)[0] for t in long_texts]
    monkeypatch.setattr(ahocorasick, "unicode", 0)
    rule_module._keyword_index.cache_clear()
    try:
        plain = rule_module._keyword_index()
        assert isinstance(plain.words, tuple) and len(plain.words) > 500
        for folded in texts:
            assert rule_module._first_places(folded, plain.words) == rule_module._first_places(
                folded, automaton.words
            )
        assert [score_kinds(t)[0] for t in long_texts] == scores
    finally:
        rule_module._keyword_index.cache_clear()


def test_threads_classifying_at_once_get_what_one_thread_gets() -> None:
    """A small folder is read on threads: the regex patterns and the keyword
    automaton (C extensions) are shared between them and must give each the
    same results."""
    from concurrent.futures import ThreadPoolExecutor

    from recordpack.classify import classify_text

    texts = _texts()[:120] + _long_texts()[:8]
    alone = [classify_text(t) for t in texts]
    with ThreadPoolExecutor(4) as pool:
        for _ in range(2):
            assert list(pool.map(classify_text, texts)) == alone
