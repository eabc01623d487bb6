"""The words of a check: findings and the whole report, in plain language.

The one place that turns :class:`~recordpack.findings.Finding` data and a
:class:`~recordpack.checking.CheckReport` into sentences for a person. The
headline comes from ``report.ok`` and the numbered list from
``report.blocking``, so "READY TO SEND" can never sit above a finding that
blocks, and each finding is shown once.
"""

from __future__ import annotations

import dataclasses
import shlex
import textwrap
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, Protocol

from recordpack.display import printable
from recordpack.findings import (
    IDENTITY,
    IMAGES_WITHOUT_REPORT,
    INCOMPLETE,
    MET,
    MISSING,
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
    Finding,
)
from recordpack.identity import PARTIAL, parse_name
from recordpack.model import DUPLICATE as DUPLICATE_CODE
from recordpack.model import ENCRYPTED as ENCRYPTED_CODE
from recordpack.model import KIND_WORDING, RECORD_STATUS_WORDS, with_article
from recordpack.model import NO_TEXT as NO_TEXT_CODE
from recordpack.model import UNREADABLE as UNREADABLE_CODE
from recordpack.sections import NO_CURRENT_MARKER

if TYPE_CHECKING:
    from recordpack.checking import CheckReport, RequirementResult
    from recordpack.model import Record

_UNREAD_CODES: Final = frozenset({ENCRYPTED_CODE, UNREADABLE_CODE, NO_TEXT_CODE, "unsupported"})

#: What each differing field is called in a sentence.
_FIELD_WORDS: Final[dict[str, str]] = {
    "name": "name",
    "birth_date": "birth date",
    "id": "patient ID",
}


# --------------------------------------------------------------------------- small words

#: One record of each kind, in words, for sentences, and plurals (from model.KIND_WORDING).
KIND_WORDS: Final[dict[str, str]] = {k: w.word for k, w in KIND_WORDING.items()}
KIND_PLURALS: Final[dict[str, str]] = {k: w.plural for k, w in KIND_WORDING.items()}


def kind_noun(kind: str, n: int) -> str:
    """A kind in words, singular or plural to agree with ``n``: ``2 sets of scan images``."""
    singular = KIND_WORDS.get(kind, kind.replace("_", " "))
    if n == 1:
        return singular
    return KIND_PLURALS.get(kind, singular + "s")


def tally(counts: Mapping[str, int], *, one: str = "1 ") -> str:
    """How many records of each kind: ``1 imaging report and 2 sets of scan images``.

    ``one`` is what a count of one reads as ("" after "the": ``the pathology report``).
    """
    parts = [(one if n == 1 else f"{n} ") + kind_noun(kind, n) for kind, n in counts.items() if n]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def join_or(items: Sequence[str]) -> str:
    """``ER, PR or HER2``."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]


def files_phrase(paths: Sequence[str], *, what: str = "file") -> str:
    """``a.pdf``, ``a.pdf and b.pdf``, or ``a and 4 more files``."""
    if not paths:
        return f"a {what}"
    if len(paths) == 1:
        return paths[0]
    if len(paths) == 2:
        return f"{paths[0]} and {paths[1]}"
    return f"{paths[0]} and {len(paths) - 1} more {what}s"


def first_file(record: Record) -> str:
    """A record's files in a few words: ``CD/IM1 and 3 more files``."""
    if not record.files:
        return record.title
    return files_phrase(record.files)


def records_phrase(records: Sequence[Record]) -> str:
    shown = [first_file(r) for r in records[:3]]
    more = f" and {len(records) - 3} more" if len(records) > 3 else ""
    return ", ".join(shown) + more


def _lower_first(text: str) -> str:
    """'The file is empty' -> 'the file is empty' (not 'PDF ends early')."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def person(name: str) -> str:
    """A name as people write it: ``QUILLFEATHER^ROSALIND`` -> ``QUILLFEATHER, ROSALIND``."""
    parsed = parse_name(name)
    return parsed.display if parsed is not None else name


# --------------------------------------------------------------------------- findings


def _mismatch(f: Finding) -> str:
    p = f.params
    found, expected = p.get("found", {}), p.get("expected", {})

    def shown(field: str, value: str | None) -> str | None:
        return person(value) if field == "name" and value else value

    differ = [
        f"the {_FIELD_WORDS.get(field, field)} {shown(field, found.get(field)) or '(none)'} "
        f"instead of {shown(field, expected.get(field)) or 'the one in the other records'}"
        for field in p.get("differs", ())
    ]
    files = files_phrase(f.paths)
    where = f" (in the study '{p['study']}')" if p.get("study") else ""
    one = len(f.paths) <= 1
    if p.get("near"):
        lead = "may not be yours"
    else:
        lead = "seems to be another person's" if one else "seem to be another person's"
    it, verb = ("it", "gives") if one else ("they", "give")
    if p.get("second_person"):
        # The file holds the patient's record and names someone else too (a fax cover,
        # two reports in one file): "instead of" would say the patient is not in it.
        named = [
            f"the {_FIELD_WORDS.get(field, field)} {shown(field, found.get(field)) or '(none)'}"
            for field in p.get("differs", ())
        ]
        return (
            f"{files}{where} also names another person ({'; '.join(named)}): part of "
            f"{'it' if one else 'them'} may be someone else's record. Take out what is not "
            "yours, or split the file, before sending."
        )
    return (
        f"{files}{where} {lead}: {it} {verb} {'; '.join(differ)}. "
        f"Take {'it' if one else 'them'} out of the folder unless you are sure "
        f"{'it is' if one else 'they are'} yours."
    )


def _unconfirmed(f: Finding) -> str:
    p = f.params
    one = len(f.paths) <= 1
    it_is = "it is" if one else "they are"
    yours = f" ({person(p['expected_name'])})" if p.get("expected_name") else ""
    if not p.get("name"):
        # What scan read, not what the file holds: a name it could not read may be there.
        return (
            f"recordpack found no patient name, birth date or matching ID in "
            f"{files_phrase(f.paths)}, so it cannot tell whether {it_is} yours{yours}. "
            f"Confirm {it_is} yours before sending, or take {'it' if one else 'them'} out."
        )
    if p.get("why") == PARTIAL:
        return (
            f"{files_phrase(f.paths)} {'names' if one else 'name'} the patient only as "
            f"'{p.get('name', '')}', with no first name, birth date or matching ID: a relative's "
            f"record reads the same, so recordpack cannot tell whether {it_is} yours{yours}. "
            f"Confirm {it_is} yours before sending, or take {'it' if one else 'them'} out."
        )
    return (
        f"{files_phrase(f.paths)} {'names' if one else 'name'} the patient "
        f"'{p.get('name', '')}', a code or a single word rather than a person's name, so "
        f"recordpack cannot tell whether {it_is} yours{yours}. Confirm {it_is} yours before "
        f"sending, or take {'it' if one else 'them'} out."
    )


def _duplicate(f: Finding) -> str:
    twin = f.params.get("duplicate_of")
    path = f.paths[0] if f.paths else "A file"
    if twin:
        return f"{path} is an exact copy of {twin}; one copy is enough."
    return f"{path} is an exact copy of another file; one copy is enough."


def _encrypted(f: Finding) -> str:
    hint = f.params.get("hint") or (
        "Ask for a copy without a password, or open it yourself and save it as a new PDF."
    )
    return f"{f.paths[0]} is password-protected, so the specialist could not open it. {hint}"


def _unreadable(f: Finding) -> str:
    reason = str(f.params.get("reason", "")).rstrip(".")
    reason = f". {reason}" if ":" in reason else f": {_lower_first(reason)}"
    hint = f.params.get("hint") or "Ask for a new copy, or copy it again from the disc or download."
    return f"{f.paths[0]} could not be read{reason}. {hint}"


def _no_text(f: Finding) -> str:
    return (
        f"{f.paths[0]} is a picture of a page (a scan or a photo) whose words could not be "
        "read, so recordpack could not check what it says. The specialist can still look at "
        "it; a clearer copy or the original PDF would be better."
    )


def _images_without_report(f: Finding) -> str:
    p = f.params
    what = "/".join(p.get("modalities", ())) or "scan"
    desc = f" '{p['description']}'" if p.get("description") else ""
    when = f" from {p['date']}" if p.get("date") else ""
    return (
        f"The {what}{desc} images{when} ({files_phrase(f.paths)}) have no written report in the "
        "folder. Ask the radiology department for the radiologist's report of this scan."
    )


def _report_without_images(f: Finding) -> str:
    when = f" from {f.params['date']}" if f.params.get("date") else ""
    return (
        f"{files_phrase(f.paths)} is an imaging report{when}, but its images are not in the "
        "folder. If you can, ask the radiology department for the images on a disc."
    )


def _requirement_gap(f: Finding) -> str:
    label = {MISSING: "Missing", OUTDATED: "Out of date", INCOMPLETE: "Incomplete"}.get(
        f.code, f.code
    )
    text = f"{label}: {f.params.get('title', '')}."
    if f.params.get("detail"):
        text += " " + str(f.params["detail"])
    return text


def _other(f: Finding) -> str:
    message = str(f.params.get("message", f.code)).rstrip(".")
    hint = f" {f.params['hint']}" if f.params.get("hint") else ""
    # No blanket ".." -> "." here: a path ("a.zip!../x.hl7") is shown as it is.
    return f"{f.paths[0] if f.paths else ''}: {message}.{hint}"


_FINDING_WORDS: Final[dict[str, Callable[[Finding], str]]] = {
    PATIENT_MISMATCH: _mismatch,
    PATIENT_UNCONFIRMED: _unconfirmed,
    DUPLICATE_CODE: _duplicate,
    ENCRYPTED_CODE: _encrypted,
    UNREADABLE_CODE: _unreadable,
    NO_TEXT_CODE: _no_text,
    IMAGES_WITHOUT_REPORT: _images_without_report,
    REPORT_WITHOUT_IMAGES: _report_without_images,
    MISSING: _requirement_gap,
    OUTDATED: _requirement_gap,
    INCOMPLETE: _requirement_gap,
}


def _shown(value: Any) -> Any:
    """A parameter as it may appear inside a sentence: names and titles come from the
    files, so a line break or a control character in one is shown as an escape
    (``\\x0a``), never as the end of the sentence and the start of a forged one."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, list | tuple):
        return type(value)(_shown(v) for v in value)
    if isinstance(value, Mapping):
        return {k: _shown(v) for k, v in value.items()}
    return value


def finding_message(finding: Finding) -> str:
    """One finding as a plain sentence (with what to do about it)."""
    shown = dataclasses.replace(
        finding, paths=_shown(finding.paths), params=_shown(finding.params)
    )
    return _FINDING_WORDS.get(finding.code, _other)(shown)


#: Headings of the numbered list, by finding code.
_HEADINGS: Final[dict[str, str]] = {
    PATIENT_MISMATCH: "A record that may not be yours",
    PATIENT_UNCONFIRMED: "Records whose patient cannot be confirmed",
    ENCRYPTED_CODE: "A file that cannot be opened",
    UNREADABLE_CODE: "A file that cannot be opened",
    MISSING: "Missing",
    OUTDATED: "Out of date",
    INCOMPLETE: "Incomplete",
}

#: The step each kind of blocker asks for, said once however many there are.
_STEPS: Final[dict[str, str]] = {
    PATIENT_MISMATCH: "Check the record(s) that may belong to someone else, and take them out.",
    PATIENT_UNCONFIRMED: "Confirm that the records whose patient could not be told are yours.",
    ENCRYPTED_CODE: "Replace the files that cannot be opened with good copies.",
    UNREADABLE_CODE: "Replace the files that cannot be opened with good copies.",
}


# --------------------------------------------------------------------------- requirements


def _not_found(p: Mapping[str, Any]) -> str:
    notes: list[str] = []
    if p.get("locked_file"):
        notes.append(
            f"The file {p['locked_file']} looks like one but could not be opened "
            f"({p.get('locked_reason') or 'damaged'})."
        )
    if p.get("foreign"):
        notes.append("The one in the folder seems to belong to another patient.")
    if p.get("withdrawn_file"):
        status = RECORD_STATUS_WORDS.get(p.get("withdrawn_status") or "", "withdrawn")
        notes.append(
            f"{p['withdrawn_file']} would count, but its sender marked it {status}, so it "
            "does not: ask for the valid, final one."
        )
    about = " and ".join(p.get("about", ()))
    if about and p.get("not_a_result_file"):
        notes.append(
            f"{p['not_a_result_file']} mentions {about}, but only as a recommendation, a plan, "
            "a negation or past history, not as a result."
        )
    elif about and p.get("in_exam"):
        notes.append(
            f"Found {tally(p.get('found', {}))}, but no exam line or image description "
            f"among them says {about}."
        )
    elif about:
        notes.append(f"Found {tally(p.get('found', {}))}, but none mentions {about}.")
    return " ".join(notes)


def _letter_note(p: Mapping[str, Any], command: Sequence[str] | None) -> str:
    """A file read as a letter whose words name the missing record: how to file it as
    that record if it is one (with the front door's command to copy, when it has one)."""
    kind = with_article(KIND_WORDS.get(p["letter_kind"], p["letter_kind"]))
    how = ": " + _command(*command) if command else "."
    return (
        f"{p['letter_file']} was read as a letter asking for records; if it holds the "
        f"record itself, file it as {kind} and check again{how}"
    )


def _too_old(p: Mapping[str, Any]) -> str:
    text = (
        f"The newest is from {p['newest']}, more than {p['max_age_days']} days before "
        f"{p['as_of']}; the specialist needs a more recent one."
    )
    if p.get("newer_file"):
        status = RECORD_STATUS_WORDS.get(p.get("newer_status") or "", "not final")
        text += (
            f" A newer one, {p['newer_file']}, is marked {status} by its sender, so it "
            "does not count: ask for the final version."
        )
    return text


def _few_dated_results(p: Mapping[str, Any]) -> str:
    have, about = p["have"], p["about"]
    return (
        f"Only {have} dated {about} result{'' if have == 1 else 's'} found in the "
        f"{tally(p['found'], one='')}; at least {p['count']} are needed. "
        f"A lab printout listing your past {about} results with their dates counts too."
    )


def _lacks(p: Mapping[str, Any]) -> str:
    text = f"No {join_or(p['lacking'])} result found in the {tally(p['found'], one='')}."
    if p.get("unread_file"):
        text += f" The text of {p['unread_file']} could not be read, so it could not be checked."
    return text


def _section_empty(p: Mapping[str, Any]) -> str:
    section = p["section"]
    if p.get("heading"):
        says = p.get("says") or ""
        said = f'all it says is "{says}"' if says else "it is empty"
        if says.startswith(NO_CURRENT_MARKER[:-1]):  # the entries are all stopped, completed...
            statuses = says[len(NO_CURRENT_MARKER) - 1 :].strip(" :)")
            said = (
                "every allergy in it is marked as no longer current"
                if section == "allergies"
                else "every medicine in it is marked as no longer taken"
            ) + (f" ({statuses})" if statuses else "")
        stop = "" if says[-1:] in (".", "!", "?") else "."
        text = f"In {p['file']}, the section '{p['heading']}' is there, but {said}{stop}"
    else:
        kind = with_article(KIND_WORDS.get(p["kind"], p["kind"]))
        text = f"{p['file']} is {kind} with no {section} section."
    return f"{text} It does not show your {section}: ask for the list itself, or add one."


_REQUIREMENT_WORDS: Final[dict[str, Callable[[Mapping[str, Any]], str]]] = {
    R_UNCONFIRMED: lambda p: (
        f"{p['file']} would count, but "
        + (
            f"its patient name ('{p['name']}') cannot"
            if p.get("name")
            else "recordpack found no patient name in it, so it cannot"
        )
        + " be matched to yours: it counts only once you confirm it is yours."
    ),
    R_UNSURE_KIND: lambda p: (
        f"{p['file']} may be {with_article(KIND_WORDS.get(p['kind'], p['kind']))}, but "
        "recordpack is not sure of that: open it and look. If it is one, confirm its kind (or correct it), "
        "then check again."
    ),
    R_NOT_FOUND: _not_found,
    R_PRELIMINARY: lambda p: (
        f"{p['file']} is marked preliminary (not final) by its sender: ask for the final "
        "version, then check again."
    ),
    R_TOO_OLD: _too_old,
    R_FEW_DATED_RESULTS: _few_dated_results,
    R_TOO_FEW: lambda p: f"Only {tally(p['found'])} found; at least {p['count']} are needed.",
    R_LACKS: _lacks,
    R_SECTION_EMPTY: _section_empty,
    R_DOUBTED_PATIENT: lambda p: (
        f"Only {p['file']} has it, and it may not be yours (see above): if it is not "
        "yours, this is missing."
    ),
    R_DATED_RESULTS: lambda p: (
        f"{p['have']} dated {p['about']} results found, from {p['first']} to {p['last']}."
    ),
    R_UNDATED: lambda p: (
        f"The date of {p['file']} could not be read, so it cannot show that it is "
        f"recent (from the last {p['max_age_days']} days): check its date, or ask for a "
        "recent one."
        if p.get("max_age_days")
        else f"The date of {p['file']} could not be read: check that it is recent."
    ),
}


#: Given a file and the kind to file it as, the words of a command that does it (a
#: front door's own spelling), or None when that front door offers none (a web page
#: has its own control, and says so itself).
FileAs = Callable[[str, str], Sequence[str] | None]


def requirement_detail(result: RequirementResult, file_as: FileAs | None = None) -> str:
    """Why a requirement has its status, in a plain sentence (empty when obvious).

    ``file_as`` words the command that files a misread letter as the missing record.
    """
    words = _REQUIREMENT_WORDS.get(result.reason)
    shown = _shown(result.params)
    text = words(shown) if words is not None else ""
    raw = result.params
    if result.reason == R_NOT_FOUND and raw.get("letter_path") and raw.get("letter_kind"):
        # The command takes the file's own path, not its escaped display.
        command = file_as(raw["letter_path"], raw["letter_kind"]) if file_as else None
        text = " ".join(filter(None, (text, _letter_note(shown, command))))
    return text


# --------------------------------------------------------------------------- the report


#: The next steps that can come with a command to copy (the front door words it).
STEP_CHECK_AGAIN: Final = "check_again"
STEP_REQUEST_LETTERS: Final = "request_letters"
STEP_PACK: Final = "pack"
STEP_CONFIRM_KINDS: Final = "confirm_kinds"
#: File one file (``path``) as one kind (``kind``): a misread letter that is the record.
STEP_FILE_AS: Final = "file_as"


class StepCommand(Protocol):
    """Given a step, the report and the step's own parameters (:data:`STEP_FILE_AS`'s
    ``path`` and ``kind``), the words of a command that does it (a front door's own
    spelling), or None when that front door offers no command (a web page has buttons)."""

    def __call__(
        self, step: str, report: CheckReport, /, **params: str
    ) -> Sequence[str] | None: ...


def render_check(report: CheckReport, command: StepCommand | None = None) -> str:
    """The plain report for a patient: what blocks first, then the good news, then the rest.

    ``command`` words the commands to copy in "What to do next"; without it the
    steps are said in words only.
    """
    out: list[str] = []
    m = report.manifest
    out.append(f'Checked {report.root} against "{m.title}" ({m.name}), as of {report.as_of}.')
    if report.patient_name or report.patient_birth_date:
        who = report.patient_name or "the patient"
        born = f", born {report.patient_birth_date}" if report.patient_birth_date else ""
        out.append(f"The records are about {who}{born}.")
    out.append("")

    blockers = report.blocking
    if report.ok:
        out.append("READY TO SEND: everything the specialist asked for is here.")
    else:
        n = len(blockers)
        things = "thing needs" if n == 1 else "things need"
        out.append(f"NOT READY TO SEND YET: {n} {things} your attention first.")
    out.append("")

    results = {r.requirement.id: r for r in report.results}
    missing_count = sum(1 for b in blockers if b.code == MISSING)
    file_as: FileAs | None = None
    if command is not None:
        spell = command

        def file_as(path: str, kind: str) -> Sequence[str] | None:
            return spell(STEP_FILE_AS, report, path=path, kind=kind)

    for number, blocker in enumerate(blockers, 1):
        result = results.get(str(blocker.params.get("requirement", "")))
        if result is not None:
            out += _requirement_lines(number, result, brief=missing_count > 3, file_as=file_as)
            continue
        out.append(f"{number}. {_HEADINGS.get(blocker.code, 'Needs a look')}")
        out += _indent(blocker.message)
        out.append("")

    met = [r for r in report.results if r.status == MET]
    if met:
        out.append("Already here:")
        for result in met:
            out.append(f"  - {result.requirement.title}: {records_phrase(result.records)}")
            if result.evidence:
                first = result.evidence[0]
                out += _indent(f'Found in {first.path}: "{first.text}"', 6)
            if result.detail:
                out += _indent(result.detail, 6)
        out.append("")

    soft = [r for r in report.results if not r.requirement.required and r.status != MET]
    if soft:
        out.append("Optional, not found (send them if you have them):")
        for result in soft:
            detail = requirement_detail(result, file_as)
            note = f" ({detail.rstrip('.')})" if detail else ""
            out.append(f"  - {result.requirement.title}{note}")
        out.append("")

    if report.arrange_separately:
        out.append("To arrange separately (these cannot go in a folder):")
        for requirement in report.arrange_separately:
            out.append(f"  - {requirement.title}")
            out += _indent(requirement.how_to_get, 6)
        out.append("")

    smaller = [f for f in report.findings if not f.blocks]
    if smaller:
        out.append("Smaller things worth a look:")
        for finding in smaller:
            out += _indent(finding.message, 4, first="  - ")
        out.append("")

    out.append("What to do next:")
    for index, step in enumerate(next_steps(report, command), 1):
        out += _indent(step, 5, first=f"  {index}. ")
    # Names and titles come from the files: no bidi or control character reaches the terminal.
    text = "\n".join(out).rstrip()
    return "\n".join(printable(line) for line in text.split("\n")) + "\n"


def next_steps(report: CheckReport, command: StepCommand | None = None) -> list[str]:
    """What to do, in order, each step once (with a command to copy where ``command`` gives one)."""

    def copy(step: str) -> str:
        words = command(step, report) if command is not None else None
        return ": " + _command(*words) if words else "."

    steps: list[str] = []
    blockers = report.blocking
    for blocker in blockers:
        if blocker.code in _STEPS:
            steps.append(_STEPS[blocker.code])
    unsure = [b for b in blockers if b.params.get("reason") == R_UNSURE_KIND]
    if unsure:
        steps.append(
            "Open the files recordpack is not sure of (named above). If each is what it "
            "seems, confirm its kind and check again" + copy(STEP_CONFIRM_KINDS)
        )
    gaps = [
        b for b in blockers if b.code in (MISSING, OUTDATED, INCOMPLETE) and b not in unsure
    ]
    if gaps:
        steps.append(
            "Ask for the records listed above (each one says how), put them in the folder, "
            "and run this check again" + copy(STEP_CHECK_AGAIN)
        )
        steps.append(
            "recordpack can write the request letters for you, one to each hospital or lab "
            "that holds a missing record" + copy(STEP_REQUEST_LETTERS)
        )
    unread = [f for f in report.findings if f.code in _UNREAD_CODES and not f.blocks]
    if gaps and unread:
        steps.append(
            "Some files could not be read (see above); one of them may be a record listed "
            "as missing. Replace them with readable copies (a PDF is best)."
        )
    if report.ok:
        steps.append("Pack the folder for the specialist" + copy(STEP_PACK))
    if report.arrange_separately:
        steps.append("Ask the specialist's office how to send the slides and tissue blocks.")
    return list(dict.fromkeys(steps))


def _requirement_lines(
    number: int, result: RequirementResult, *, brief: bool, file_as: FileAs | None
) -> list[str]:
    label = {MISSING: "Missing", OUTDATED: "Out of date", INCOMPLETE: "Incomplete"}.get(
        result.status, result.status
    )
    out = [f"{number}. {label}: {result.requirement.title}"]
    detail = requirement_detail(result, file_as)
    if detail:
        out += _indent(detail)
    if result.status == MISSING and not brief:
        # With many gaps, the reasons make the list too long to act on.
        out += _indent(f"Why it matters: {result.requirement.why}")
    if result.concern != IDENTITY:
        out += _indent(f"How to get it: {result.requirement.how_to_get}")
    out.append("")
    return out


#: Stands for a space that wrapping must not break (inside a command to copy).
_KEEP_SPACE: Final = "\x00"


def _command(*words: str) -> str:
    """A shell command to copy: quoted where needed, never split across lines."""
    return " ".join(shlex.quote(w) for w in words).replace(" ", _KEEP_SPACE)


def _indent(text: str, width: int = 3, first: str | None = None) -> list[str]:
    """Wrap a paragraph at 78 columns with a hanging indent."""
    lead = first if first is not None else " " * width
    lines = textwrap.wrap(
        text,
        width=78,
        initial_indent=lead,
        subsequent_indent=" " * max(width, len(lead)),
        break_on_hyphens=False,
        break_long_words=False,
    )
    return [line.replace(_KEEP_SPACE, " ") for line in lines]


__all__ = [
    "KIND_WORDS",
    "finding_message",
    "next_steps",
    "render_check",
    "requirement_detail",
]
