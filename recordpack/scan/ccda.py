"""C-CDA (HL7 CDA R2) documents and section fragments: what record a file is.

The kind comes from the document's LOINC code, then its C-CDA template ids,
then its title, then its text. Unstructured documents (``nonXMLBody``) are
read through their attachment: an embedded PDF goes to the PDF scanner, plain
text and RTF to the text classifier, a reference to another file is noted.

XML is parsed with expat directly: no DTD or external entity is ever loaded,
stylesheet processing instructions are ignored, and a file that declares its
own entities is refused rather than expanded.
"""

from __future__ import annotations

import base64
import binascii
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final
from xml.parsers import expat

from recordpack.model import UNREADABLE, UNSUPPORTED, Patient, Problem
from recordpack.scan import codes, xmlfeed
from recordpack.scan.base import PARTLY_READ, Document, Outcome, Source
from recordpack.sections import EMPTY_SECTION_MARKER, no_current_line, not_current

FORMAT: Final = "ccda"

NAMESPACE: Final = "urn:hl7-org:v3"
_FRAGMENT_ROOTS: Final = frozenset({"section", "component", "structuredBody"})
_ROOT_TAG = re.compile(rb"<([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)[\s/>]")
_CPT_SYSTEM: Final = "2.16.840.1.113883.6.12"
_CODE_SYSTEM_NAMES: Final[dict[str, str]] = {"2.16.840.1.113883.6.1": "LOINC", _CPT_SYSTEM: "CPT"}


class XMLRefused(ValueError):
    """An XML file that declares entities: recordpack does not expand them."""


# --- sniffing and parsing -------------------------------------------------------


def _root_name(head: bytes) -> str | None:
    """Local name of the first element in an XML head (after prolog, PIs, comments)."""
    text = head[:16384]
    if text.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = text.decode("utf-16", "ignore").encode("utf-8")
    position = 0
    while True:
        start = text.find(b"<", position)
        if start < 0 or start + 1 >= len(text):
            return None
        marker = text[start + 1: start + 2]
        if marker == b"?":
            end, closer = text.find(b"?>", start + 2), b"?>"
        elif text.startswith(b"<!--", start):
            end, closer = text.find(b"-->", start + 4), b"-->"
        elif marker == b"!":
            end, closer = text.find(b">", start + 2), b">"  # DOCTYPE: its subset is refused later
        else:
            match = _ROOT_TAG.match(text, start)
            return match.group(2).decode("ascii") if match else None
        if end < 0:
            return None  # unclosed: no element follows in the head (checked before adding)
        position = end + len(closer)


def sniff(source: Source) -> bool:
    """A CDA ``ClinicalDocument`` in the HL7 v3 namespace, or a CDA section fragment."""
    head = source.head[:16384]
    root = _root_name(head.lstrip(b"\xef\xbb\xbf \t\r\n"))
    if root == "ClinicalDocument":
        return NAMESPACE.encode() in head or b"2.16.840.1.113883" in head
    if root in _FRAGMENT_ROOTS:
        return NAMESPACE.encode() in head or b'"2.16.840.1.113883.10.20.' in head
    return False


#: Elements kept in memory per file (a few hundred bytes each); past it the rest
#: of the file is not read. Structured ``entry`` elements of a ClinicalDocument
#: are dropped as they close (the verdict reads the header and the narrative),
#: so even a 200 MB export stays far below.
MAX_ELEMENTS: Final = 100_000
#: Characters of text and attribute values kept per file (an embedded PDF is read
#: from its base64 text): about 16 MB.
MAX_TEXT: Final = 16 * 1024 * 1024


class XMLTooLarge(ValueError):
    """The XML file's first element alone is over the budget: nothing to read."""

    def __init__(self, cut: str | None = None) -> None:
        super().__init__(cut or "over the budget")
        #: What in it is over a limit, in words, when one element or tag is (else None).
        self.cut = cut


class XMLTruncated(Exception):
    """The element or text budget was reached: the tree holds the file's beginning."""


@dataclass
class Parsed:
    """An XML file's element tree and, when it was too large to keep whole, what was left out."""

    root: ET.Element
    #: Where in the file the budget was reached (bytes); None when all of it was read.
    stopped_at: int | None = None
    #: What was over a limit, in words, when one element or tag was (the budget
    #: for the whole file was not reached): it and all after it were not read.
    cut: str | None = None


def parse_xml(source: Source) -> Parsed:
    """The element tree of an XML file, read in chunks; no DTD, no entities, no network.

    Memory and time are bounded (:data:`MAX_ELEMENTS`, :data:`MAX_TEXT`, and the
    limits of one tag in :mod:`recordpack.scan.xmlfeed`) whatever the file's
    size. Raises :class:`XMLRefused` when the file declares entities,
    :class:`XMLTooLarge` when its first element alone is over the budget,
    ``expat.ExpatError`` when it is not well-formed XML.
    """
    try:
        return _parse_xml(source, namespaces=True)
    except expat.ExpatError as exc:
        # Fragments cut out of a document often use prefixes (xsi:, sdtc:) that
        # their own root no longer declares: read them with plain names instead.
        if exc.code != expat.errors.codes[expat.errors.XML_ERROR_UNBOUND_PREFIX]:
            raise
        return _parse_xml(source, namespaces=False)


def _parse_xml(source: Source, *, namespaces: bool) -> Parsed:
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate(namespace_separator="}" if namespaces else None)
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    open_elements: list[ET.Element] = []
    elements_left, text_left = MAX_ELEMENTS, MAX_TEXT  # the budget
    spent_before: list[tuple[int, int]] = []  # the budget when each open element started
    document = False  # a ClinicalDocument: its structured entries are not kept
    after_dropped = False  # text now is the tail of a dropped entry: not kept either

    def qname(name: str) -> str:
        return "{" + name if "}" in name else name

    # The handlers run once per element of files of millions: kept lean.
    def start(name: str, attributes: dict[str, str]) -> None:
        nonlocal document, after_dropped, elements_left, text_left
        after_dropped = False
        spent_before.append((elements_left, text_left))
        elements_left -= 1
        xmlfeed.check_attributes(name, attributes)
        text_left -= sum(map(len, attributes.values()))
        if elements_left < 0 or text_left < 0:
            raise XMLTruncated
        element = builder.start(qname(name), {qname(k): v for k, v in attributes.items()})
        if not open_elements:
            document = _local(element.tag) == "ClinicalDocument"
        open_elements.append(element)

    def end(name: str) -> None:
        nonlocal after_dropped, elements_left, text_left
        element = builder.end(qname(name))
        open_elements.pop()
        elements, text = spent_before.pop()
        if document and open_elements and name.endswith("entry") and _local(name) == "entry":
            open_elements[-1].remove(element)
            elements_left, text_left = elements, text  # its memory is freed
            after_dropped = True

    def data(text: str) -> None:
        nonlocal text_left
        if not after_dropped:
            text_left -= len(text)
            if text_left < 0:
                raise XMLTruncated
            builder.data(text)

    def refuse_entity(name: str, *_args: object) -> None:
        raise XMLRefused(f"the file declares its own XML entity '{name}'")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = data
    parser.EntityDeclHandler = refuse_entity
    parser.UnparsedEntityDeclHandler = refuse_entity
    # No ExternalEntityRefHandler: expat then never loads an external entity or DTD.
    with source.open() as stream:
        try:
            xmlfeed.feed(parser, stream)
        except (XMLTruncated, xmlfeed.MarkupTooLong, xmlfeed.TooManyAttributes) as exc:
            cut = None if isinstance(exc, XMLTruncated) else str(exc)
            if not open_elements:
                raise XMLTooLarge(cut) from None
            while open_elements:  # close what is open: the tree holds the beginning
                builder.end(open_elements.pop().tag)
            stopped = exc.offset if isinstance(exc, xmlfeed.MarkupTooLong) else max(
                parser.CurrentByteIndex, 0)
            return Parsed(builder.close(), stopped_at=stopped, cut=cut)
    return Parsed(builder.close())


# --- namespace-agnostic tree helpers (fragments often have no namespace) --------


def _local(tag: object) -> str:
    """Element name without namespace (``{uri}name``) or prefix (``p:name``)."""
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1] if isinstance(tag, str) else ""


def _children(element: ET.Element | None, name: str) -> Iterator[ET.Element]:
    if element is not None:
        yield from (child for child in element if _local(child.tag) == name)


def _path(element: ET.Element | None, *names: str) -> ET.Element | None:
    for name in names:
        element = next(_children(element, name), None)
        if element is None:
            return None
    return element


def _descendants(element: ET.Element, name: str) -> Iterator[ET.Element]:
    return (e for e in element.iter() if _local(e.tag) == name)


def _text(element: ET.Element | None) -> str:
    if element is None:
        return ""
    return re.sub(r"\s+", " ", " ".join(element.itertext())).strip()


def _narrative(element: ET.Element) -> str:
    """Titles and narrative blocks of every section, one block per line; under the
    title of a section that holds nothing, :data:`EMPTY_SECTION_MARKER`."""
    parts: list[str] = []
    size = 0
    for section in _descendants(element, "section"):
        title = _text(_path(section, "title"))
        if title:
            parts.append(title)
        if _holds_nothing(section):
            # Said outright, so that the section's emptiness is not guessed from
            # whatever the next section's title happens to be.
            parts.append(EMPTY_SECTION_MARKER)
        elif (statuses := _no_current_entries(section, title)) is not None:
            parts.append(no_current_line(statuses))
        block = _text(_path(section, "text"))
        if block:
            parts.append(block)
        size += len(title) + len(block)
        if size > codes.MAX_TEXT_CHARS:
            break
    return "\n".join(parts)[: codes.MAX_TEXT_CHARS]


#: Narrative elements that name a table's columns rather than hold its content.
_TABLE_HEADS: Final = frozenset({"thead", "th", "caption"})


def _holds_nothing(section: ET.Element) -> bool:
    """Whether a section says by its structure that it is empty: a ``nullFlavor``
    on it, or no narrative beyond a table's header row. A section made of
    subsections holds what they hold."""
    if section.get("nullFlavor"):
        return True
    if any(_children(component, "section") for component in _children(section, "component")):
        return False
    text = _path(section, "text")
    return text is None or not "".join(_content_text(text)).strip()


#: LOINC codes of sections that list the medicines a patient takes (C-CDA
#: Medications section, admission and discharge medications) or her allergies.
_LIST_SECTIONS: Final = frozenset({"10160-0", "42346-7", "10183-2", "75311-1", "48765-2"})


def _no_current_entries(section: ET.Element, title: str) -> list[str] | None:
    """The statuses of a medications or allergies section's entries when none of them
    is current (every row of its tables says "Discontinued", "Completed", "Inactive",
    "Resolved" in its Status column); None when some may be current, or it is no such section.

    The narrative's Status column is read, as the person reading the document does:
    an entry's ``statusCode`` "completed" often means only that the order was
    written, so it says nothing of whether the medicine is still taken."""
    code = _path(section, "code")
    if (code is None or code.get("code") not in _LIST_SECTIONS) and not re.search(
            r"medication|allerg", title, re.IGNORECASE):
        return None
    text = _path(section, "text")
    tables = list(_descendants(text, "table")) if text is not None else []
    if not tables or text is None:
        return None
    outside = [text.text or "", *(child.tail or "" for child in text)]
    outside += [_text(child) for child in text if _local(child.tag) != "table"]
    if "".join(outside).strip():
        return None  # a paragraph or list of medicines besides the tables
    statuses: list[str] = []
    for table in tables:
        rows = list(_descendants(table, "tr"))
        head = next((r for r in rows if _has_child(r, "th")), None)
        names = [_text(cell).lower() for cell in _children(head, "th")]
        column = next((i for i, name in enumerate(names) if "status" in name), None)
        body = [r for r in rows if r is not head and _has_child(r, "td")]
        if column is None:
            if body:
                return None  # rows whose status is not stated
            continue
        for row in body:
            cells = [_text(cell) for cell in row if _local(cell.tag) in ("td", "th")]
            statuses.append(cells[column] if column < len(cells) else "")
    return statuses if statuses and all(not_current(s) for s in statuses) else None


def _has_child(element: ET.Element, name: str) -> bool:
    # Not any(...): an element without children is falsy.
    return next(_children(element, name), None) is not None


def _content_text(element: ET.Element) -> Iterator[str]:
    """The text of ``element`` outside table header rows and captions."""
    if _local(element.tag) in _TABLE_HEADS:
        return
    if element.text:
        yield element.text
    for child in element:
        yield from _content_text(child)
        if child.tail:
            yield child.tail


def _time(element: ET.Element | None) -> str | None:
    """ISO date of an IVL_TS/TS element: its ``low``, else its own value, else ``center``."""
    if element is None:
        return None
    for candidate in (_path(element, "low"), element, _path(element, "center")):
        if candidate is not None:
            found = codes.hl7_date(candidate.get("value"))
            if found:
                return found
    return None


# --- the verdict ----------------------------------------------------------------------


@dataclass
class _Kind:
    kind: str
    confidence: float
    evidence: list[str]


def _code_evidence(code: ET.Element) -> str:
    system = _CODE_SYSTEM_NAMES.get(code.get("codeSystem", ""), "code")
    display = code.get("displayName")
    return f"{system} {code.get('code')}" + (f" '{display}'" if display else "")


def _coded_kind(element: ET.Element, level: str) -> _Kind | None:
    """Kind from an element's ``code`` (and translations) or its template ids."""
    code = _path(element, "code")
    if code is not None:
        for candidate in (code, *_children(code, "translation")):
            found = codes.loinc_kind([(candidate.get("codeSystem"), candidate.get("code"))])
            if found:
                return _Kind(found[0], 0.95, [f"{level} code {_code_evidence(candidate)}"])
    for template in _children(element, "templateId"):
        kind = codes.CDA_TEMPLATE_KINDS.get(template.get("root", ""))
        if kind:
            return _Kind(kind, 0.9, [f"{level} template {template.get('root')}"])
    return None


def _title_kind(*texts: str | None) -> _Kind | None:
    found = codes.kind_from_title(*texts)
    return _Kind(found[0], 0.7, [f"title '{found[1]}'"]) if found else None


def _text_kind(text: str, title: str) -> _Kind | None:
    verdict = codes.classify(text, name=title)
    if verdict and verdict.confidence >= codes.STRONG_TEXT_CONFIDENCE and verdict.kind != "other":
        return _Kind(verdict.kind, verdict.confidence, list(verdict.evidence))
    return None


def _patient(document: ET.Element) -> Patient:
    role = _path(document, "recordTarget", "patientRole")
    if role is None:
        return Patient()
    person = _path(role, "patient")
    name: str | None = None
    names = list(_children(person, "name"))
    # Legal name first; a name may also be plain text without parts.
    names.sort(key=lambda n: 0 if n.get("use") in (None, "L") else 1)
    for element in names:
        given = [_text(g) for g in _children(element, "given") if g.get("qualifier") != "CL"]
        family = next((_text(f) for f in _children(element, "family")), "")
        name = codes.format_name(family, given) or _text(element) or None
        if name:
            break
    birth_time = _path(person, "birthTime")
    birth = codes.hl7_date(birth_time.get("value") if birth_time is not None else None)
    patient_id = None
    for identifier in _children(role, "id"):
        value = (identifier.get("extension") or "").strip()
        if value and not identifier.get("nullFlavor") and not codes.is_ssn(
                value, identifier.get("root")):
            patient_id = value
            break
    return Patient(name=name, birth_date=birth, id=patient_id)


def _document_date(document: ET.Element, kind: str) -> str | None:
    header_date = _time(_path(document, "effectiveTime"))
    if kind == "patient_summary":
        # A summary's service period often starts at birth; it is "as of" its creation.
        return header_date
    for service in _descendants(document, "serviceEvent"):
        found = _time(_path(service, "effectiveTime"))
        if found:
            return found
    encounter = _path(document, "componentOf", "encompassingEncounter", "effectiveTime")
    return _time(encounter) or header_date


def _attachment(source: Source, body: ET.Element, title: str,
                problems: list[Problem]) -> tuple[_Kind | None, str, list[str]]:
    """Kind, text and evidence from an unstructured body's attachment."""
    text_element = _path(body, "text")
    if text_element is None:
        return None, "", ["unstructured document without content"]
    reference = _path(text_element, "reference")
    if reference is not None and reference.get("value"):
        target = reference.get("value", "")
        return None, "", [f"the document itself is in another file: '{target}'"]
    media = (text_element.get("mediaType") or "text/plain").lower()
    raw = "".join(text_element.itertext())
    if (text_element.get("representation") or "TXT").upper() == "B64":
        try:
            data = base64.b64decode(re.sub(r"\s+", "", raw), validate=True)
        except (binascii.Error, ValueError):
            problems.append(Problem(source.path, UNREADABLE,
                                    f"the {media} attached to this C-CDA document is damaged "
                                    "(bad base64)",
                                    hint="Ask the sender to export the document again."))
            return None, "", [f"damaged {media} attachment"]
    else:
        data = raw.encode("utf-8")
    if media == "application/pdf":
        verdict = codes.scan_pdf_bytes(source.path, data)
        if verdict is None:
            return None, "", ["embedded PDF"]
        evidence = [f"embedded PDF reads as {verdict.kind}", *verdict.evidence]
        kind = None
        if verdict.confidence >= codes.STRONG_TEXT_CONFIDENCE and verdict.kind != "other":
            kind = _Kind(verdict.kind, verdict.confidence, evidence)
        return kind, verdict.text, evidence
    text = codes.decode_text(data)
    if "rtf" in media:
        text = codes.rtf_to_text(text)
    elif "html" in media or "xml" in media:
        text = re.sub(r"<[^>]+>", " ", text)
    label = f"embedded {media} text"
    return _text_kind(text, title), text[: codes.MAX_TEXT_CHARS], [label]


def _scan_document(source: Source, document: ET.Element) -> list[Outcome]:
    problems: list[Problem] = []
    title = _text(_path(document, "title"))
    code = _path(document, "code")
    display = code.get("displayName") if code is not None else None
    coded = _coded_kind(document, "document")
    body = _path(document, "component", "nonXMLBody")
    extra: list[str] = []
    if body is not None:
        from_attachment, text, extra = _attachment(source, body, title, problems)
        # The sender's document code states the type; the attachment decides only
        # when the code is missing or unknown.
        chosen = coded or from_attachment
        if coded is None and from_attachment is None:
            chosen = _title_kind(title, display)
    else:
        text = _narrative(document)
        chosen = coded or _title_kind(title, display) or _text_kind(text, title)
    if chosen is None:
        chosen = _Kind("other", 0.3, ["a C-CDA document of unstated type"])
    if not title:
        title = display or codes.LOINC_TITLES.get(code.get("code", "") if code is not None else "",
                                                  "Clinical document")
    evidence = tuple(dict.fromkeys([*chosen.evidence, *extra]))[:8]
    return [Document(
        path=source.path, kind=chosen.kind, title=title,
        date=_document_date(document, chosen.kind), patient=_patient(document),
        confidence=chosen.confidence, evidence=evidence, format=FORMAT, text=text,
    ), *problems]


def _results_kind(section: ET.Element) -> _Kind | None:
    """A results section holding imaging reports rather than lab tests."""
    for entry in _children(section, "entry"):
        for element in entry:
            code = _path(element, "code")
            if code is None:
                continue
            number = code.get("code", "")
            if code.get("codeSystem") == _CPT_SYSTEM and number[:1] == "7" and len(number) == 5:
                # CPT 70010-79999 is the radiology range.
                return _Kind("imaging_report", 0.85, [f"result code {_code_evidence(code)}"])
            found = codes.kind_from_title(code.get("displayName"))
            if found and found[0] in ("imaging_report", "pathology_report", "genomic_report"):
                return _Kind(found[0], 0.8, [f"result code {_code_evidence(code)}"])
    return None


def _note_text(section: ET.Element) -> str:
    """Text of a notes section's note activities (base64 RTF or plain text)."""
    texts: list[str] = []
    for act in _descendants(section, "act"):
        element = _path(act, "text")
        if element is None or (element.get("representation") or "").upper() != "B64":
            continue
        try:
            data = base64.b64decode(re.sub(r"\s+", "", "".join(element.itertext())), validate=True)
        except (binascii.Error, ValueError):
            continue
        text = codes.decode_text(data)
        texts.append(codes.rtf_to_text(text) if "rtf" in (element.get("mediaType") or "") else text)
    return "\n".join(texts)


def _scan_fragment(source: Source, root: ET.Element) -> list[Outcome]:
    section = root if _local(root.tag) == "section" else next(_descendants(root, "section"), root)
    title = _text(_path(section, "title"))
    code = _path(section, "code")
    display = code.get("displayName") if code is not None else None
    text = "\n".join(t for t in (_narrative(root), _note_text(section)) if t)[: codes.MAX_TEXT_CHARS]
    chosen = _coded_kind(section, "section")
    if chosen is not None and chosen.kind == "lab_result":
        chosen = _results_kind(section) or chosen
    chosen = (chosen or _title_kind(title, display) or _text_kind(text, title)
              or _Kind("other", 0.3, ["a C-CDA section of unstated type"]))
    date = None
    for element in _descendants(section, "effectiveTime"):
        date = _time(element)
        if date:
            break
    evidence = ("C-CDA section fragment (no document header)", *chosen.evidence)
    # A results section is titled "Results": name what it holds.
    entry_names = [c.get("displayName") for entry in _children(section, "entry") for element in entry
                   for c in _children(element, "code") if c.get("displayName")]
    if entry_names and (not title or title.lower() == "results"):
        title = f"{title or 'Results'}: {', '.join(dict.fromkeys(n for n in entry_names if n))}"
    return [Document(
        path=source.path, kind=chosen.kind, title=title or display or "C-CDA section",
        date=date, patient=Patient(), confidence=min(chosen.confidence, 0.85),
        evidence=evidence, format=FORMAT, text=text,
    )]


def scan(source: Source) -> list[Outcome]:
    """One record per C-CDA document or fragment; problems for unreadable files."""
    try:
        parsed = parse_xml(source)
    except XMLRefused as exc:
        return [Problem(source.path, UNSUPPORTED,
                        f"XML file not read: {exc}, which recordpack never expands for safety",
                        hint="Ask the sender for a standard C-CDA export (without a DOCTYPE).")]
    except XMLTooLarge as exc:
        what = (f"{exc.cut}, more than recordpack reads of one element" if exc.cut else
                "its first element alone holds more than recordpack keeps in memory for one file")
        return [Problem(source.path, UNSUPPORTED, f"XML file not read: {what}",
                        hint="recordpack will include it as it is; ask the sender for a "
                             "standard C-CDA export if it is a record.")]
    except expat.ExpatError as exc:
        reason = expat.ErrorString(exc.code) if exc.code else str(exc)
        return [Problem(source.path, UNREADABLE,
                        f"XML is damaged ({reason} at line {exc.lineno}): "
                        "the file may be cut short or edited by hand",
                        hint="Download or export this document again from the portal.")]
    except OSError as exc:
        return [Problem(source.path, UNREADABLE, f"could not read the file: {exc}",
                        hint="Check that the file is not open in another program and try again.")]
    root = parsed.root
    name = _local(root.tag)
    partly: list[Outcome] = []
    if parsed.stopped_at is not None and parsed.cut is not None:
        share = 100 * parsed.stopped_at // max(source.size, 1)
        partly.append(Problem(
            source.path, PARTLY_READ,
            f"Only {f'the first {share}%' if share else 'the very beginning'} of this XML file "
            f"was read: {parsed.cut}, more than recordpack reads of one element; it and the "
            "rest of the file were not looked at.",
            hint="The file is included as it is; if its content matters, ask the sender for "
                 "a new export."))
    elif parsed.stopped_at is not None:
        partly.append(Problem(
            source.path, PARTLY_READ,
            f"Only the first {100 * parsed.stopped_at // max(source.size, 1)}% of this XML "
            "file was read (it holds more than recordpack keeps in memory for one file): "
            "the rest was not looked at.",
            hint="The file is included as it is; if its end matters, ask the sender for "
                 "smaller exports."))
    if name == "ClinicalDocument":
        return [*_scan_document(source, root), *partly]
    if name in _FRAGMENT_ROOTS:
        return [*_scan_fragment(source, root), *partly]
    return [Problem(source.path, UNSUPPORTED,
                    f"XML file is not a C-CDA document (its root element is <{name}>)",
                    hint="recordpack will include it as it is; nothing to do.")]
