"""Where the patient lives decides the law a records request cites and its deadline.

A table of facts, not legal advice: the name of the right of access, the law
that grants it, how long the holder has to answer and what it may charge.
The letters cite these words; the patient reviews every letter before signing.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Final

from recordpack.request.errors import UNKNOWN_JURISDICTION, RequestError


@dataclass(frozen=True)
class Jurisdiction:
    """The legal basis of a request for one's own records, and its deadline."""

    code: str
    country: str
    #: The right the letter invokes, in the words the law uses.
    right: str
    #: The law (with section) that grants it.
    law: str
    #: The deadline as the law counts it: days, or calendar months.
    days: int = 0
    months: int = 0
    #: The deadline in words: "30 days", "one month".
    deadline_words: str = ""
    #: An extension the holder may take, in words ("" when none is set out).
    extension: str = ""
    #: What the holder may charge, in words.
    fee: str = ""
    #: The sentence that makes "send it to my specialist" a valid instruction.
    third_party: str = ""

    def deadline(self, sent_on: dt.date) -> dt.date:
        """The last day of the legal deadline for a request sent (received) on ``sent_on``."""
        if self.months:
            month_index = sent_on.month - 1 + self.months
            year, month = sent_on.year + month_index // 12, month_index % 12 + 1
            day = min(sent_on.day, calendar.monthrange(year, month)[1])
            return dt.date(year, month, day)
        return sent_on + dt.timedelta(days=self.days)

    def to_json(self) -> dict[str, object]:
        return {
            "code": self.code,
            "country": self.country,
            "right": self.right,
            "law": self.law,
            "deadline": self.deadline_words,
            "extension": self.extension,
            "fee": self.fee,
            "third_party": self.third_party,
        }


JURISDICTIONS: Final[dict[str, Jurisdiction]] = {
    "us": Jurisdiction(
        code="us",
        country="United States",
        right="the right of access to my protected health information",
        law="the HIPAA Privacy Rule, 45 CFR 164.524",
        days=30,
        deadline_words="30 days",
        extension="one extension of up to 30 more days, with a written reason given to me "
        "within the first 30 days",
        fee="a reasonable, cost-based fee at most",
        third_party="This signed, written request is my direction under 45 CFR "
        "164.524(c)(3)(ii) to send the copy directly to the person named below.",
    ),
    "uk": Jurisdiction(
        code="uk",
        country="United Kingdom",
        right="the right of access by the data subject (a subject access request)",
        law="Article 15 of the UK GDPR and the Data Protection Act 2018",
        months=1,
        deadline_words="one month",
        extension="up to two further months only where the request is complex, with the "
        "reason given to me within the first month",
        fee="no fee for a first copy",
        third_party="I authorise you to send the copy directly to the person named below, "
        "who is treating me.",
    ),
    "ca": Jurisdiction(
        code="ca",
        country="Canada",
        right="the right of access to my personal health information",
        law="the Personal Information Protection and Electronic Documents Act (PIPEDA), "
        "Principle 4.9 and section 8, or the health information act of my province, "
        "whichever applies",
        days=30,
        deadline_words="30 days",
        extension="an extension only as the applicable act allows, with notice to me "
        "within the first 30 days",
        fee="at most a minimal or reasonable fee as the applicable act allows",
        third_party="I consent to the disclosure of the copy to the person named below, "
        "who is treating me, and ask you to send it to them directly.",
    ),
    "au": Jurisdiction(
        code="au",
        country="Australia",
        right="the right of access to my personal information",
        law="Australian Privacy Principle 12 (APP 12) of the Privacy Act 1988 (Cth)",
        days=30,
        deadline_words="30 days",
        extension="",
        fee="no charge for making the request, and any charge for giving access must not "
        "be excessive",
        third_party="I consent to the disclosure of the copy to the person named below, "
        "who is treating me, and ask you to send it to them directly.",
    ),
}

DEFAULT: Final = "us"


def get_jurisdiction(code: str) -> Jurisdiction:
    """The jurisdiction for ``us``, ``uk``, ``ca`` or ``au``; :class:`RequestError` otherwise."""
    try:
        return JURISDICTIONS[code.strip().lower()]
    except KeyError:
        raise RequestError(
            f"unknown jurisdiction '{code}'",
            code=UNKNOWN_JURISDICTION,
            hint="Use one of: " + ", ".join(JURISDICTIONS) + ".",
        ) from None
