"""Text preparation shared by the classifier: normalisation, OCR noise, keyword folding."""

from __future__ import annotations

import re
from typing import Final

#: Only the beginning of a long document is classified; titles, headers and
#: the key sections of a record are at its start.
MAX_CLASSIFY_CHARS: Final = 100_000
#: Patient details are looked for near the top (the first pages).
MAX_PATIENT_CHARS: Final = 30_000
#: Title area: the first non-empty lines of the document.
TITLE_LINES: Final = 15
TITLE_CHARS: Final = 2_000

#: A letterhead: a name ending in what an institution calls itself ("Cascade
#: Breast Imaging Associates", "Northside Breast Centre"). It says who wrote
#: the report: not its title, nor what was examined.
LETTERHEAD: Final = re.compile(
    r"\b(?:associates|cent(?:er|re)s?|clinics?|group|hospitals?|institute|imaging|radiology"
    r"|health(?:care)?|partners|practice|services|specialists|university|foundation"
    r"|department|dept)\b[.,]?(?:\s+(?:inc|llc|ltd|pllc|p\.?c)\.?)?$",
    re.IGNORECASE,
)

_SPACE_CHARS = re.compile(r"[\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]")
_BARCODE_RUN = re.compile(r"[Il1|!iH]{6,}")
_WORD = re.compile(r"[A-Za-z]{3,}")
_JUNK_CHAR = re.compile(r"[^\w\s.,:;()/\-%#'\"&+*=<>\[\]@?!]")
#: PDF text layers break words at line ends ("carci-\nnoma"): joined before matching.
_HYPHEN_BREAK = re.compile(r"(?<=[a-z])-\n[ \t]*(?=[a-z])")

_LIGATURES: Final = {
    "\ufb00": "ff",
    "\ufb01": "fi",
    "\ufb02": "fl",
    "\ufb03": "ffi",
    "\ufb04": "ffl",
}
_LIGATURE: Final = re.compile("[\ufb00-\ufb04]")

# OCR look-alikes folded together, as :func:`recordpack.classify.rules.fuzzy` matches them.
_FOLD: Final = str.maketrans({"0": "o", "1": "i", "l": "i", "|": "i", "!": "i", "5": "s", "$": "s"})


def normalize(text: str) -> str:
    """Unify line ends and odd spaces; drop soft hyphens and NULs; undo ligatures; rejoin hyphenated line breaks."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _SPACE_CHARS.sub(" ", text)
    text = text.replace("\u00ad", "").replace("\x00", "")
    if _LIGATURE.search(text):
        # PDF text layers keep typographic ligatures: "ﬁndings" is "findings".
        text = _LIGATURE.sub(lambda m: _LIGATURES[m.group()], text)
    return _HYPHEN_BREAK.sub("", text)


def fold(text: str) -> str:
    """Lower case with OCR look-alikes unified: the form keyword prefilters compare."""
    return text.lower().translate(_FOLD)


_DIGIT_IN_WORD = re.compile(r"(?<=[A-Za-z])[01]|[01](?=[A-Za-z])")


def repair_ocr_digits(text: str) -> str:
    """OCR's digits inside words read back as letters: "PATH0LOGY" -> "PATHOLOGY", "F1NAL" -> "FINAL"."""

    def letter(m: re.Match[str]) -> str:
        upper = text[max(0, m.start() - 1) : m.end() + 1].replace(m.group(), "").isupper()
        if m.group() == "0":
            return "O" if upper else "o"
        return "I" if upper else "l"

    return _DIGIT_IN_WORD.sub(letter, text)


def noise_ratio(text: str) -> float:
    """Share of the (first 20k) characters that look like OCR noise or barcode junk."""
    sample = text[:20_000]
    visible = len("".join(sample.split()))  # the characters \S matches, without a list of them
    if visible == 0:
        return 1.0
    junk = sum(len(m.group()) for m in _BARCODE_RUN.finditer(sample))
    junk += len(_JUNK_CHAR.findall(sample))
    return min(1.0, junk / visible)


def has_meaningful_text(text: str, *, min_words: int = 12) -> bool:
    """Whether ``text`` holds real words, not just whitespace, page numbers or barcode junk."""
    cleaned = _BARCODE_RUN.sub(" ", text[:50_000])
    words = 0
    for match in _WORD.finditer(cleaned):
        if set(match.group().lower()) - set("il"):
            words += 1
            if words >= min_words:
                return True
    return False


def show(s: str) -> str:
    """``s`` on one line, at most 60 characters (for evidence strings)."""
    s = " ".join(s.split())
    return s if len(s) <= 60 else s[:57] + "..."
