"""HL7 v2 messages (ORU results, MDM documents, ADT, orders, pharmacy): what record a file is.

A file may hold one message or a batch. It becomes one record when its
messages are of one kind, one result status and one person (no name, birth
date or record number differs); otherwise one record per message (``part`` =
``"message N"``), each naming its own patient. A record's date is when its
results or document are from, never when the message was sent (MSH-7); its
status is what the sender says of its results (OBR-25, OBX-11) or of its
document (TXA-17 completion, TXA-19 availability). Segments may
be separated by CR, LF or CRLF, and a UTF-8 BOM or MLLP framing bytes may
come first.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Final

from recordpack.classify.status import text_status
from recordpack.model import (
    CANCELLED,
    ENTERED_IN_ERROR,
    PRELIMINARY,
    SUPERSEDED,
    UNREADABLE,
    WITHDRAWN,
    Patient,
    Problem,
    most_telling,
)
from recordpack.scan import codes
from recordpack.scan.base import PARTLY_READ, Document, Outcome, Source

FORMAT: Final = "hl7v2"

_BOM: Final = b"\xef\xbb\xbf"
_FRAMING: Final = b"\x0b\x1c\r\n\t "
_HEADERS: Final = (b"MSH", b"FHS", b"BHS")
_SEGMENT_ID = re.compile(r"^[A-Z][A-Z0-9]{2}$")
_LINE_BREAKS = re.compile(r"\r\n|\r|\n")

#: Message types (MSH-9.1) that are not results or documents -> kind and title.
_MESSAGE_KINDS: Final[dict[str, tuple[str, str]]] = {
    # An admission or an order is an event in a hospital system, not a paper the
    # specialist reads; "administrative" is kept for what KINDS.md lists there
    # (insurance, referral, authorization, billing), so a manifest asking for
    # those is not satisfied by an ADT feed.
    "ADT": ("other", "Admission, discharge or transfer message"),
    "ORM": ("other", "Order message"),
    "OML": ("other", "Laboratory order message"),
    "OMG": ("other", "Order message"),
    "OMI": ("other", "Imaging order message"),
    "SIU": ("other", "Appointment message"),
    "VXU": ("other", "Vaccination record message"),
    "PPR": ("other", "Problem list message"),
    "ACK": ("other", "Acknowledgement message"),
    "QRY": ("other", "Query message"),
    "RDE": ("medication_list", "Pharmacy order"),
    "RDS": ("medication_list", "Pharmacy dispense"),
    "RAS": ("medication_list", "Medication administration"),
    "RGV": ("medication_list", "Medication given"),
    "OMP": ("medication_list", "Pharmacy order"),
    "REF": ("administrative", "Referral message"),
    "RRI": ("administrative", "Referral response"),
    "BAR": ("administrative", "Billing account message"),
    "DFT": ("administrative", "Billing (financial transaction) message"),
}

#: MDM trigger events that carry the document's content (the others only notify).
_MDM_WITH_CONTENT: Final = frozenset({"T02", "T04", "T06", "T08", "T10"})

_HL7_DOCUMENT_TITLES: Final[dict[str, str]] = {
    "AR": "Autopsy report", "CD": "Cardiodiagnostics report", "CN": "Consultation note",
    "DI": "Diagnostic imaging report", "DS": "Discharge summary", "ED": "Emergency department report",
    "HP": "History and physical", "OP": "Operative report", "PC": "Psychiatric consultation",
    "PH": "Psychiatric history and physical", "PN": "Procedure note", "PR": "Progress note",
    "SP": "Surgical pathology report", "TS": "Transfer summary",
}

#: Words in a result's text that make it a pathology report rather than a lab result.
_PATHOLOGY_TEXT = re.compile(
    r"surgical pathology|final diagnosis|gross description|microscopic description|"
    r"cytology report|bone marrow", re.IGNORECASE)
_IMAGING_TEXT = re.compile(r"\bimpression\s*:|\btechnique\s*:|\bfindings\s*:", re.IGNORECASE)

#: Result status codes -> the record status they mean (None: final) and their meaning.
#: OBR-25 is the order's status (HL7 table 0123), OBX-11 one result's (table 0085);
#: a code one table lacks is read as the other table means it. Other codes say nothing.
_RESULT_STATUSES: Final[dict[str, tuple[str | None, str]]] = {
    "F": (None, "final"),
    "C": (None, "corrected"),
    "U": (None, "changed to final"),
    "P": (PRELIMINARY, "preliminary"),
    "A": (PRELIMINARY, "some results not yet available"),  # table 0123: "some, but not all"
    "I": (PRELIMINARY, "in process, results pending"),
    "S": (PRELIMINARY, "partial or scheduled"),
    "R": (PRELIMINARY, "not verified"),
    "X": (CANCELLED, "cancelled, no result"),
    "N": (CANCELLED, "not asked"),
    "W": (ENTERED_IN_ERROR, "posted in error"),
    "D": (ENTERED_IN_ERROR, "deleted"),
}

#: What a document (MDM) says of itself in its TXA segment -> the record status each code
#: means (None: final) and its meaning, by field. Other codes say nothing.
_DOCUMENT_STATUSES: Final[dict[int, dict[str, tuple[str | None, str]]]] = {
    # TXA-17, completion status (HL7 table 0271): a document no one has signed yet
    # (dictated, typed, in progress, or awaiting its second signature) is preliminary.
    17: {
        "DI": (PRELIMINARY, "dictated, not yet signed"),
        "DO": (PRELIMINARY, "documented, not yet signed"),
        "IN": (PRELIMINARY, "incomplete"),
        "IP": (PRELIMINARY, "in progress"),
        "PA": (PRELIMINARY, "pre-authenticated, awaiting its final signature"),
        "PR": (PRELIMINARY, "preliminary"),  # HL7 v2.3 only
        "AU": (None, "authenticated"),
        "LA": (None, "legally authenticated"),
        "CA": (CANCELLED, "canceled"),
    },
    # TXA-19, availability status (HL7 table 0275).
    19: {
        "AV": (None, "available for patient care"),
        "CA": (CANCELLED, "canceled"),
        "OB": (SUPERSEDED, "obsolete"),
        # The sender says it is not to be used for care (not yet released, or held
        # back), not that it is wrong: like a preliminary one it is shown but never
        # meets an item, and check says a final copy would.
        "UN": (PRELIMINARY, "unavailable for patient care"),
    },
}


@dataclass(frozen=True)
class _DateField:
    """A field that may say when a record is from, and what to say when it is the one used."""

    segment: str
    number: int
    note: str | None = None
    component: int = 1  # the component holding the timestamp (a TQ field's start is its 4th)


#: Where a result message says when its results are from, best first.
_RESULT_DATES: Final = (
    _DateField("OBR", 7),  # observation (collection) date/time
    _DateField("OBX", 14),  # date/time of the observation
    _DateField("OBR", 22, "date is when the results were reported (OBR-22): "
                          "the message gives no collection date"),
)

#: Where each message type says when its record is from, best first. MSH-7 is
#: never one: it is when the message was made or sent, which a portal export
#: sets to the day of the download.
_DATE_FIELDS: Final[dict[str, tuple[_DateField, ...]]] = {
    "ORU": _RESULT_DATES,
    "OUL": _RESULT_DATES,
    "ORL": _RESULT_DATES,
    "MDM": (_DateField("TXA", 4), _DateField("OBR", 7),
            _DateField("TXA", 6, "date is when the document was first written (TXA-6)")),
    "ADT": (_DateField("PV1", 44), _DateField("EVN", 6), _DateField("EVN", 2)),
}
#: RXE-1 (and ORC-7) is Quantity/Timing (TQ): quantity ^ interval ^ duration ^ start ^ end
#: ...; only its start (component 4) is a date. TQ1-7, its successor from v2.5 on, likewise.
_OTHER_DATES: Final = (_DateField("OBR", 7), _DateField("ORC", 9),
                       _DateField("RXE", 1, component=4), _DateField("TQ1", 7))

#: Evidence for a message that says nothing of when its record is from.
_NO_DATE_NOTE: Final = ("date unknown: the message gives no date for its content, "
                        "and the time it was sent (MSH-7) is not that date")


class HL7Error(ValueError):
    """A file that starts like an HL7 v2 message but cannot be read as one."""


@dataclass
class _Message:
    """One message: its header fields and its segments as lists of fields."""

    index: int
    separators: tuple[str, str, str, str, str]  # field, component, repetition, escape, sub
    segments: list[list[str]] = field(default_factory=list)

    def all(self, name: str) -> list[list[str]]:
        return [s for s in self.segments if s[0] == name]

    def first(self, name: str) -> list[str] | None:
        for segment in self.segments:
            if segment[0] == name:
                return segment
        return None

    def field(self, segment: list[str] | None, number: int) -> str:
        """Raw field ``number`` in HL7 numbering (MSH-1 is the separator, see parse)."""
        if segment is None:
            return ""
        return segment[number] if 0 < number < len(segment) else ""

    def components(self, value: str) -> list[str]:
        return value.split(self.separators[1])

    def repetitions(self, value: str) -> list[str]:
        return [v for v in value.split(self.separators[2]) if v]

    def component(self, value: str, number: int) -> str:
        parts = self.components(value)
        if number > len(parts):
            return ""
        # Subcomponents: the first one holds the value (``EVERYMAN&&&&Aniston``).
        return self.unescape(parts[number - 1].split(self.separators[4])[0])

    def unescape(self, value: str) -> str:
        esc = self.separators[3]
        if not esc or esc not in value:
            return value
        sep = self.separators
        table = {"F": sep[0], "S": sep[1], "R": sep[2], "E": sep[3], "T": sep[4], ".br": "\n"}

        def replace(match: re.Match[str]) -> str:
            code = match.group(1)
            if code in table:
                return table[code]
            if code.startswith("X") and re.fullmatch(r"X[0-9A-Fa-f]+", code) and len(code) % 2:
                return bytes.fromhex(code[1:]).decode("latin-1")
            return ""  # formatting commands (\H\, \N\, \.sp\ ...) carry no text

        return re.sub(re.escape(esc) + r"([^" + re.escape(esc) + r"]*)" + re.escape(esc),
                      replace, value)

    @property
    def type(self) -> tuple[str, str]:
        value = self.field(self.first("MSH"), 9)
        return self.component(value, 1).upper(), self.component(value, 2).upper()


@dataclass(frozen=True)
class _Verdict:
    kind: str
    title: str
    date: str | None
    patient: Patient
    confidence: float
    evidence: tuple[str, ...]
    text: str
    status: str | None = None  # model.RECORD_STATUSES; None: final or not stated
    date_note: str | None = None  # how the date was found, when a reader should know


def sniff(source: Source) -> bool:
    """Whether the file starts like an HL7 v2 message or batch (after a BOM or MLLP bytes)."""
    head = source.head[:64]
    head = head.removeprefix(_BOM)
    head = head.lstrip(_FRAMING)
    return len(head) > 4 and head[:3] in _HEADERS and not head[3:4].isalnum() and head[3:4] != b" "


#: Bytes of an HL7 v2 file read (its messages are parsed in memory): a records
#: batch is far smaller; a larger one is read from its beginning.
MAX_HL7_BYTES: Final = 16 * 1024 * 1024


def scan(source: Source) -> list[Outcome]:
    """One record per file (or per message when a batch mixes kinds or patients)."""
    partly: list[Outcome] = []
    try:
        with source.open() as stream:
            data = stream.read(MAX_HL7_BYTES + 1)
        if len(data) > MAX_HL7_BYTES:
            # Read a bounded head, cut at its last segment end: the rest is named as unread.
            cut = max(data.rfind(b"\r", 0, MAX_HL7_BYTES), data.rfind(b"\n", 0, MAX_HL7_BYTES))
            data = data[: cut if cut > 0 else MAX_HL7_BYTES]
            partly.append(Problem(
                source.path, PARTLY_READ,
                f"Only the first {MAX_HL7_BYTES // 1024**2} MB of this "
                f"{source.size / 1024**2:.0f} MB HL7 v2 file were read (recordpack's limit "
                "for one file): the messages after that were not looked at.",
                hint="The file is included as it is; if its later messages matter, ask the "
                     "sender to split the batch into smaller files."))
        text = codes.decode_text(data)
        del data
        batch = _Batch()
        for message in _messages(text):
            batch.add(message, source.path)
    except (OSError, ValueError) as exc:
        return [Problem(source.path, UNREADABLE, f"not a readable HL7 v2 message: {exc}",
                        hint="Ask the sender for a new copy of this file; it may be cut short "
                             "or not really an HL7 message.")]
    return [*batch.outcomes(source), *partly]


def parse(text: str) -> list[_Message]:
    """The messages in a file's text; raises :class:`HL7Error` when there is none."""
    return list(_messages(text))


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text``, one at a time (a batch has hundreds of thousands)."""
    start = 0
    for match in _LINE_BREAKS.finditer(text):
        yield text[start:match.start()]
        start = match.end()
    yield text[start:]


def _checked(message: _Message) -> _Message:
    kind, _trigger = message.type
    if not kind:
        raise HL7Error(f"message {message.index} has no message type (MSH-9)")
    return message


def _messages(text: str) -> Iterator[_Message]:
    """The messages in a file's text, each as soon as it ends; raises :class:`HL7Error`
    (once the messages before the fault are given) when the text is not HL7 v2."""
    count = 0
    current: _Message | None = None
    for raw in _lines(text.lstrip("\ufeff")):
        line = raw.strip("\x0b\x1c\x00 \t")
        if not line:
            continue
        name = line[:3]
        if name == "MSH":
            if len(line) < 6:
                raise HL7Error("the message header (MSH) is too short to hold its separators")
            sep = line[3]
            fields = line.split(sep)
            enc = fields[1] if len(fields) > 1 else ""
            if sep.isalnum() or sep.isspace() or not 2 <= len(enc) <= 5 or any(
                    c.isalnum() or c.isspace() or c == sep for c in enc):
                raise HL7Error("the message header (MSH) does not start with valid separator "
                               "characters (like MSH|^~\\&)")
            enc = enc + "^~\\&"[len(enc):]
            if current is not None:
                yield _checked(current)
            count += 1
            current = _Message(count, (sep, enc[0], enc[1], enc[2], enc[3]))
            # MSH-1 is the field separator itself: keep it so MSH-n sits at index n.
            current.segments.append(["MSH", sep, *fields[1:]])
            continue
        if name in ("FHS", "BHS", "BTS", "FTS"):
            continue  # batch envelope
        if current is None:
            raise HL7Error(f"text before the first message header: {line[:20]!r}")
        fields = line.split(current.separators[0])
        if not _SEGMENT_ID.match(fields[0]):
            # A wrapped line of free text belongs to the previous segment.
            if current.segments:
                current.segments[-1][-1] += "\n" + line
            continue
        current.segments.append(fields)
    if current is None:
        raise HL7Error("no message header (MSH) found")
    yield _checked(current)


# --- reading a message -----------------------------------------------------------


def _patient(message: _Message) -> Patient:
    pid = message.first("PID")
    if pid is None:
        return Patient()
    names = message.repetitions(message.field(pid, 5))
    name = None
    if names:
        xpn = names[0]
        given = [message.component(xpn, 2), message.component(xpn, 3)]
        name = codes.format_name(message.component(xpn, 1), given)
    birth = codes.hl7_date(message.field(pid, 7))
    return Patient(name=name, birth_date=birth, id=_patient_id(message, pid))


def _patient_id(message: _Message, pid: list[str]) -> str | None:
    """PID-3 identifier, type MR preferred, never a social security number."""
    candidates: list[tuple[int, str]] = []
    for rank_base, number in ((0, 3), (10, 2)):  # PID-2 is the old "external ID"
        for cx in message.repetitions(message.field(pid, number)):
            value = message.component(cx, 1).strip()
            id_type = message.component(cx, 5).upper()
            authority = message.component(cx, 4).upper()
            if not value or codes.is_ssn(value, id_type, authority):
                continue
            candidates.append((rank_base + (0 if id_type in ("MR", "MRN") else 1), value))
    return min(candidates)[1] if candidates else None


def _obx_text(message: _Message) -> str:
    lines: list[str] = []
    for obx in message.all("OBX"):
        value_type = message.field(obx, 2).upper()
        label = message.component(message.field(obx, 3), 2)
        values = [message.unescape(v) for v in message.repetitions(message.field(obx, 5))]
        if value_type in ("ED", "RP"):
            values = []  # encapsulated data or a pointer: not readable text
        elif value_type in ("CE", "CWE", "CNE", "SN"):
            values = [" ".join(message.components(v)).strip() for v in values]
        value = " ".join(v for v in values if v)
        units = message.component(message.field(obx, 6), 1)
        if value_type in ("TX", "FT", "ST") and not label.strip(" -"):
            lines.append(value)
        else:
            lines.append(" ".join(p for p in (label, value, units) if p))
    return "\n".join(line for line in lines if line.strip())


#: Embedded documents (OBX-5 of type ED) decoded from one message, at most.
MAX_EMBEDDED_PDFS: Final = 20
#: ED subtypes (OBX-5.3) read as text when their data is not a PDF.
_TEXT_SUBTYPES: Final = frozenset({"PLAIN", "TEXT", "RTF", "HTML", "XML", "X-HL7-CDA-LEVEL-ONE"})
_TAGS = re.compile(r"<[^>]+>")


def _embedded_pdfs(path: str, message: _Message) -> list[Document]:
    """The verdicts on documents carried base64 in OBX-5 ED fields: a PDF read by the
    PDF scanner, text (type TEXT, or a plain, RTF, HTML or XML subtype) by the
    document classifier; each with the status its own header states.

    ED is source application ^ type of data ^ data subtype ^ encoding ^ data
    (HL7 v2.5 2A.2.22); a long value may be wrapped over lines or repetitions.
    """
    found: list[Document] = []
    for obx in message.all("OBX"):
        if message.field(obx, 2).upper() != "ED" or len(found) >= MAX_EMBEDDED_PDFS:
            continue
        for value in message.repetitions(message.field(obx, 5)):
            parts = message.components(value)
            if len(parts) < 5 or parts[3].strip().upper() not in ("BASE64", "B64"):
                continue
            encoded = re.sub(r"\\.br\\|\s", "", parts[4])
            try:
                data = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=False)
            except (binascii.Error, ValueError):
                continue
            subtype = parts[2].strip().upper()
            if data.lstrip()[:8].startswith(b"%PDF"):
                verdict = codes.scan_pdf_bytes(path, data)
            elif parts[1].strip().upper() == "TEXT" or subtype in _TEXT_SUBTYPES:
                verdict = _embedded_text(path, data, subtype)
            else:
                continue
            if verdict is not None:
                found.append(verdict)
    return found


def _embedded_text(path: str, data: bytes, subtype: str) -> Document | None:
    """The document classifier's verdict on text carried in an ED field (None when it has no words)."""
    text = codes.decode_text(data)
    if subtype == "RTF":
        text = codes.rtf_to_text(text)
    elif subtype in ("HTML", "XML", "X-HL7-CDA-LEVEL-ONE"):
        text = _TAGS.sub(" ", text)
    classification = codes.classify(text)
    if classification is None:
        return None
    return Document.from_classification(path, classification, format="text",
                                        text=text[: codes.MAX_TEXT_CHARS])


def _obr_kind(message: _Message) -> tuple[str, str] | None:
    """Kind from the order segments: diagnostic service (OBR-24) or test (OBR-4)."""
    for obr in message.all("OBR"):
        service = message.component(message.field(obr, 24), 1).upper()
        if service in codes.DIAGNOSTIC_SERVICE_KINDS and service not in ("LAB", "OTH"):
            return codes.DIAGNOSTIC_SERVICE_KINDS[service], f"OBR-24 diagnostic service {service}"
        test = message.field(obr, 4)
        code, text = message.component(test, 1), message.component(test, 2)
        system = message.component(test, 3).upper() or None
        found = codes.loinc_kind([(system if system in codes.LOINC_SYSTEMS else None, code)])
        if found and found[0] != "lab_result":
            return found[0], f"OBR-4 LOINC {code} '{text}'"
        by_title = codes.kind_from_title(text, message.component(test, 5))
        if by_title and by_title[0] in ("pathology_report", "imaging_report", "genomic_report"):
            return by_title[0], f"OBR-4 '{text}'"
    return None


def _obr_title(message: _Message) -> str | None:
    titles: list[str] = []
    for obr in message.all("OBR"):
        test = message.field(obr, 4)
        title = message.component(test, 2) or message.component(test, 5) or message.component(test, 1)
        if title and title not in titles:
            titles.append(title)
    if not titles:
        return None
    return titles[0] if len(titles) == 1 else f"{titles[0]} (+{len(titles) - 1} more)"


def _date(message: _Message) -> tuple[str | None, str | None]:
    """When the message's record is from, and a note on how it was found (or not)."""
    msg_type, _trigger = message.type
    for where in _DATE_FIELDS.get(msg_type, _OTHER_DATES):
        for segment in message.all(where.segment):
            found = codes.hl7_date(message.component(message.field(segment, where.number),
                                                     where.component))
            if found:
                return found, where.note
    return None, _NO_DATE_NOTE


def _result_status(message: _Message) -> tuple[str | None, str | None]:
    """What the sender says of the message's results (None: final or not stated), with evidence.

    Each result (OBX) has its own status, else its order's (OBR-25); an order
    without results counts as one. Withdrawn when every result, or every
    order, is cancelled or in error; preliminary when any is not final.
    """
    orders: list[str] = []
    results: list[str] = []
    order_status = ""
    order_has_results = True
    for segment in message.segments:
        if segment[0] == "OBR":
            if not order_has_results and order_status:
                results.append(order_status)
            order_status = message.component(message.field(segment, 25), 1).strip().upper()
            orders.append(order_status)
            order_has_results = False
        elif segment[0] == "OBX":
            own = message.component(message.field(segment, 11), 1).strip().upper()
            results.append(own or order_status)
            order_has_results = True
    if not order_has_results and order_status:
        results.append(order_status)
    results = [c for c in results if c in _RESULT_STATUSES]
    orders = [c for c in orders if c in _RESULT_STATUSES]
    said = {c: _RESULT_STATUSES[c][0] for c in (*orders, *results)}

    def marked(status: str) -> tuple[str, str]:
        shown = ", ".join(f"{c} ({_RESULT_STATUSES[c][1]})" for c in sorted(said))
        return status, f"result status {shown} (OBR-25, OBX-11)"

    for group in (results, orders):
        if group and all(said[c] in WITHDRAWN for c in group):
            in_error = any(said[c] == ENTERED_IN_ERROR for c in group)
            return marked(ENTERED_IN_ERROR if in_error else CANCELLED)
    if PRELIMINARY in said.values():
        return marked(PRELIMINARY)
    return None, None


def _document_status(message: _Message) -> tuple[str | None, list[str]]:
    """What a document's TXA-17 (completion) and TXA-19 (availability) say of it (None:
    final or not stated), with the evidence naming each code that says something."""
    txa = message.first("TXA")
    if message.type[0] != "MDM" or txa is None:
        return None, []
    found: list[str | None] = []
    evidence: list[str] = []
    for number, table in _DOCUMENT_STATUSES.items():
        code = message.component(message.field(txa, number), 1).strip().upper()
        if code in table:
            status, meaning = table[code]
            found.append(status)
            if status is not None:
                evidence.append(f"document status TXA-{number} {code} ({meaning})")
    return most_telling(found), evidence


def _classify(message: _Message, path: str = "") -> _Verdict:
    """What one message is, its date and status; a base64 PDF it carries (OBX ED) is read as a document."""
    date, date_note = _date(message)
    status, status_note = _result_status(message)
    document_status, document_notes = _document_status(message)
    status = most_telling((status, document_status))
    verdict = _classify_message(message, date)
    notes = [*([status_note] if status_note else []), *document_notes]
    if notes:
        verdict = replace(verdict, evidence=(*verdict.evidence[:1], *notes,
                                             *verdict.evidence[1:]))
    attached = _embedded_pdfs(path, message) if message.all("OBX") else []
    if attached:
        verdict = _with_attachment(verdict, attached)
        if date is None and verdict.date is not None:
            date_note = "date read from the attached document (the message gives none)"
        # What the document itself says of its status counts as much as the message's.
        status = most_telling((status, *(d.status for d in attached)))
        said = [f"attached document (OBX ED): {text_status(d.text)[1] or d.status}"
                for d in attached if d.status]
        verdict = replace(verdict, evidence=(*verdict.evidence[:1], *said[:2],
                                             *verdict.evidence[1:]))
    return replace(verdict, status=status, date_note=date_note)


def _with_attachment(verdict: _Verdict, attached: list[Document]) -> _Verdict:
    """The message's verdict with what its attached PDFs say: the kind when its codes are vague."""
    best = max(attached, key=lambda d: d.confidence)
    text = "\n\n".join([verdict.text, *(d.text for d in attached)])[: codes.MAX_TEXT_CHARS]
    what = "PDF" if best.format == "pdf" else "text"
    evidence = (*verdict.evidence, f"attached {what} (OBX ED) reads as {best.kind}")
    patient = codes.merge_patients(verdict.patient, best.patient)
    # The message's own codes say what it is when they are specific; else the PDF does.
    if best.confidence >= codes.STRONG_TEXT_CONFIDENCE and (
        verdict.confidence < 0.85 or verdict.kind in ("lab_result", "other", "clinical_note")
    ) and best.kind != "other":
        return _Verdict(best.kind, verdict.title if verdict.title else best.title,
                        verdict.date or best.date, patient, best.confidence,
                        (*evidence, *best.evidence), text)
    return _Verdict(verdict.kind, verdict.title, verdict.date or best.date, patient,
                    verdict.confidence, evidence, text)


def _classify_message(message: _Message, date: str | None) -> _Verdict:
    msg_type, trigger = message.type
    type_text = f"{msg_type}^{trigger}" if trigger else msg_type
    evidence = [f"HL7 v2 message {type_text}"]
    patient = _patient(message)
    text = _obx_text(message)[: codes.MAX_TEXT_CHARS]

    if msg_type in ("ORU", "OUL", "ORL"):
        title = _obr_title(message) or "Results"
        found = _obr_kind(message)
        if found:
            return _Verdict(found[0], title, date, patient, 0.85, (*evidence, found[1]), text)
        if _PATHOLOGY_TEXT.search(text):
            hit = _PATHOLOGY_TEXT.search(text)
            assert hit is not None
            return _Verdict("pathology_report", title, date, patient, 0.8,
                            (*evidence, f"result text '{hit.group(0)}'"), text)
        verdict = codes.classify(text, name=title) if len(text) > 300 else None
        if (verdict and verdict.confidence >= codes.STRONG_TEXT_CONFIDENCE
                and verdict.kind in ("pathology_report", "imaging_report", "genomic_report")):
            return _Verdict(verdict.kind, title, date, patient, verdict.confidence,
                            (*evidence, *verdict.evidence), text)
        if _IMAGING_TEXT.search(text) and len(message.all("OBX")) <= 3 and len(text) > 300:
            return _Verdict("imaging_report", title, date, patient, 0.6,
                            (*evidence, "narrative result with FINDINGS/IMPRESSION"), text)
        return _Verdict("lab_result", title, date, patient, 0.8,
                        (*evidence, f"{len(message.all('OBX'))} result(s) (OBX)"), text)

    if msg_type == "MDM":
        txa = message.first("TXA")
        doc_type = message.component(message.field(txa, 2), 1).upper()
        title = (_HL7_DOCUMENT_TITLES.get(doc_type) or message.component(message.field(txa, 2), 2)
                 or _obr_title(message) or "Clinical document")
        if trigger and trigger not in _MDM_WITH_CONTENT:
            return _Verdict("other", f"{title} (notification only)", date, patient, 0.7,
                            (*evidence, "a notification: the document itself is not in the message"),
                            text)
        if doc_type in codes.HL7_DOCUMENT_TYPES:
            return _Verdict(codes.HL7_DOCUMENT_TYPES[doc_type], title, date, patient, 0.85,
                            (*evidence, f"TXA-2 document type {doc_type} ({title})"), text)
        verdict = codes.classify(text, name=title)
        if verdict and verdict.confidence >= codes.STRONG_TEXT_CONFIDENCE:
            return _Verdict(verdict.kind, title, date, patient, verdict.confidence,
                            (*evidence, *verdict.evidence), text)
        by_title = codes.kind_from_title(title)
        if by_title:
            return _Verdict(by_title[0], title, date, patient, 0.6,
                            (*evidence, f"document title '{by_title[1]}'"), text)
        return _Verdict("clinical_note", title, date, patient, 0.4,
                        (*evidence, "a clinical document of unstated type"), text)

    kind, title = _MESSAGE_KINDS.get(msg_type, ("other", f"HL7 {msg_type} message"))
    if kind == "medication_list":
        drugs = [message.component(message.field(s, 2), 2) for s in message.all("RXE")]
        drugs += [message.component(message.field(s, 1), 2) for s in message.all("RXO")]
        drugs = [d for d in drugs if d]
        if drugs:
            evidence.append(f"{len(drugs)} medication(s), e.g. '{drugs[0]}'")
            text = "\n".join([*drugs, text])
    return _Verdict(kind, title, date, patient, 0.8, tuple(evidence), text)


def _same_person(first: Patient, second: Patient) -> bool:
    """Whether two messages are about one person.

    No name, birth date or record number may differ, and a name or a record
    number must be shared (or both say exactly the same, or nothing).
    """
    name1, name2 = (" ".join(p.name.casefold().split()) if p.name else None
                    for p in (first, second))
    pairs = ((name1, name2), (first.birth_date, second.birth_date), (first.id, second.id))
    if any(a and b and a != b for a, b in pairs):
        return False
    return first == second or bool(name1 and name1 == name2) or bool(first.id and first.id == second.id)


#: Records listed from one HL7 v2 file whose messages are of several kinds or people
#: (one each); the messages after them are counted, not read (as FHIR NDJSON's 500).
MAX_HL7_RECORDS: Final = 500


def _person_key(patient: Patient) -> tuple[str | None, ...]:
    """What :func:`_same_person` reads of a patient: two with one key are the same person
    and answer alike about any third (so one of them stands for both)."""
    name = " ".join(patient.name.casefold().split()) if patient.name else None
    if name or patient.id:
        return name, patient.birth_date, patient.id
    return "raw", patient.name, patient.birth_date  # equal only when exactly equal


class _Batch:
    """A file's messages, read one at a time: one record while they are one kind, status
    and person, else one record for each of the first :data:`MAX_HL7_RECORDS` messages.

    Memory stays bounded whatever the number of messages: a batch of one person's
    results keeps a summary, never each message; the people seen are kept one per
    :func:`_person_key` (a handful, while they are all one person).
    """

    def __init__(self) -> None:
        self.count = 0
        self.listed: list[_Verdict] = []  # the first MAX_HL7_RECORDS, one record each
        self.one_record = True
        self._people: dict[tuple[str | None, ...], Patient] = {}
        self._first: _Verdict | None = None
        self._latest: _Verdict | None = None  # the latest dated message
        self._evidence: dict[str, None] = {}
        self._texts: list[str] = []
        self._text_chars = 0
        self._patient = Patient()
        self._confidence = 1.0

    def add(self, message: _Message, path: str) -> None:
        self.count += 1
        if not self.one_record and len(self.listed) >= MAX_HL7_RECORDS:
            return  # counted, not read: no record would show it
        verdict = _classify(message, path)
        if len(self.listed) < MAX_HL7_RECORDS:
            self.listed.append(verdict)
        if self.one_record:
            self._join(verdict)

    def _join(self, verdict: _Verdict) -> None:
        first = self._first or verdict
        key = _person_key(verdict.patient)
        if verdict.kind != first.kind or verdict.status != first.status or (
                key not in self._people and not all(
                    _same_person(verdict.patient, p) for p in self._people.values())):
            self.one_record = False
            return
        self._first = first
        self._people.setdefault(key, verdict.patient)
        if verdict.date and (self._latest is None or verdict.date > (self._latest.date or "")):
            self._latest = verdict
        for line in verdict.evidence:
            if len(self._evidence) < 8:  # a record shows its first few
                self._evidence.setdefault(line)
        if self._text_chars < codes.MAX_TEXT_CHARS:
            self._texts.append(verdict.text)
            self._text_chars += len(verdict.text) + 2
        self._patient = codes.merge_patients(self._patient, verdict.patient)
        self._confidence = min(self._confidence, verdict.confidence)

    def outcomes(self, source: Source) -> list[Outcome]:
        """The file's records, and a problem naming the messages not listed."""
        if self.one_record and self._first is not None:
            return [self._record(source, self._first)]
        outcomes: list[Outcome] = [
            Document(path=source.path, kind=v.kind, title=v.title, date=v.date,
                     patient=v.patient, confidence=v.confidence,
                     evidence=(*v.evidence, v.date_note) if v.date_note else v.evidence,
                     format=FORMAT, text=v.text, part=f"message {index}", status=v.status)
            for index, v in enumerate(self.listed, start=1)]
        unlisted = self.count - len(self.listed)
        if unlisted > 0:
            outcomes.append(Problem(
                source.path, PARTLY_READ,
                f"This HL7 v2 file holds {self.count:,} messages about more than one person or "
                f"of more than one kind; only the first {len(self.listed):,} are listed as "
                f"records (recordpack's limit for one file): the other {unlisted:,} were not "
                "listed.",
                hint="The file is included as it is; if its later messages matter, ask the "
                     "sender for one file per patient, or for a smaller batch."))
        return outcomes

    def _record(self, source: Source, first: _Verdict) -> Document:
        """The one record of a file whose messages are one kind, status and person."""
        latest = self._latest or first  # the latest result is what matters now
        evidence = list(self._evidence)
        if latest.date_note:
            evidence.insert(1, latest.date_note)
        title = first.title
        if self.count > 1:
            evidence.insert(0, f"{self.count} messages in one file")
            title = f"{first.title} ({self.count} messages)"
        return Document(
            path=source.path, kind=first.kind, title=title, date=latest.date,
            patient=self._patient, confidence=self._confidence,
            evidence=tuple(evidence[:8]), format=FORMAT,
            text="\n\n".join(self._texts)[: codes.MAX_TEXT_CHARS],
            status=first.status)
