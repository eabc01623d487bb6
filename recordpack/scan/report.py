"""The human view of a :class:`ScanResult`: plain words for a patient, stable for scripts.

``render_scan`` is the whole report; its parts (``render_patients``,
``render_records``, ``render_problems``, ``render_skipped``) are reusable by
other commands (``check`` shows the same records and problems).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from posixpath import commonpath

from recordpack.display import printable
from recordpack.identity import NameMatch, PersonName, compare_names, parse_name
from recordpack.model import (
    ARCHIVE_SEP,
    KIND_TITLES,
    KINDS,
    RECORD_STATUS_WORDS,
    Patient,
    Problem,
    Record,
    ScanResult,
    Skipped,
)
from recordpack.scan.archive import UNSAFE_NAME
from recordpack.scan.base import NOT_A_RECORD
from recordpack.scan.corrections import CONFIRMED
from recordpack.scan.paths import guess, has_escapes
from recordpack.scan.sevenzip import is_7z_name
from recordpack.scan.tarball import is_tar_name

#: Heading shown above each problem code.
PROBLEM_TITLES: dict[str, str] = {
    "unreadable": "cannot be read",
    "encrypted": "password-protected",
    "no_text": "no readable text",
    "duplicate": "duplicate copy",
    "unsupported": "not a format recordpack reads",
    "patient_mismatch": "names a different patient",
    "unsafe_name": "unsafe name inside a {archive}",
    "zip_bomb": "suspicious {archive}",
    "duplicate_name": "two files by one name inside a {archive}",
    "partly_read": "only partly read",
}


def archive_noun(path: str) -> str:
    """What kind of archive ``path`` names, as scan decides it: ``tar``, ``7z`` or ``zip``."""
    if is_tar_name(path):
        return "tar"
    return "7z" if is_7z_name(path) else "zip"


def problem_title(code: str, path: str = "") -> str:
    """A problem code in plain words (``password-protected``), naming the kind of archive
    read for a problem with an archive or a member of one (``unsafe name inside a tar``)."""
    title = PROBLEM_TITLES.get(code, code.replace("_", " "))
    if "{archive}" not in title:
        return title
    # A member's problem names the archive it is in; an archive's problem, itself.
    archive = path.rsplit(ARCHIVE_SEP, 1)[0] if code == UNSAFE_NAME else path
    return title.format(archive=archive_noun(archive))


_INDENT = "  "
_DATE_WIDTH = 10


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 record``, ``2 records``; ``many`` for irregular plurals (``1 copy``, ``2 copies``)."""
    return f"{count} {word}" if count == 1 else f"{count} {many or word + 's'}"


def patients(records: Iterable[Record]) -> list[tuple[Patient, int]]:
    """The distinct people records name, most frequent first, with record counts.

    Spellings of one name are merged with the rule ``check`` uses
    (:func:`recordpack.identity.compare_names`: order, case, accents,
    punctuation, compound names written as one word, middle names); record
    numbers are not compared, since each institution has its own.
    """
    clusters: list[tuple[list[PersonName], Counter[tuple[str | None, str | None, str | None]]]] = []
    for record in records:
        parsed = parse_name(record.patient.name)
        if parsed is None or not parsed.words:
            continue
        entry = (record.patient.name, record.patient.birth_date, record.patient.id)
        for members, counts in clusters:
            if any(compare_names(parsed, m) is NameMatch.SAME for m in members):
                members.append(parsed)
                counts[entry] += 1
                break
        else:
            clusters.append(([parsed], Counter({entry: 1})))
    found: list[tuple[Patient, int]] = []
    for _, counts in clusters:
        names = Counter[str]()
        for (name, _, _), n in counts.items():
            if name:
                names[name] += n
        births = Counter[str]()
        ids = Counter[str]()
        for (_, birth, pid), n in counts.items():
            if birth:
                births[birth] += n
            if pid:
                ids[pid] += n
        found.append(
            (
                Patient(
                    names.most_common(1)[0][0],
                    births.most_common(1)[0][0] if births else None,
                    ids.most_common(1)[0][0] if ids else None,
                ),
                sum(counts.values()),
            )
        )
    found.sort(key=lambda item: -item[1])
    return found


def _describe(patient: Patient) -> str:
    # A DICOM name (FAMILY^GIVEN^MIDDLE) is shown as a person writes it.
    parsed = parse_name(patient.name)
    parts = [parsed.display if parsed else "name unknown"]
    if patient.birth_date:
        parts.append(f"born {patient.birth_date}")
    if patient.id:
        parts.append(f"ID {patient.id}")
    return ", ".join(parts)


def render_patients(result: ScanResult) -> list[str]:
    """Who the records are about; several names get a warning line."""
    found = patients(result.records)
    if not found:
        return ["Patient: no name found in the records."]
    if len(found) == 1:
        return [f"Patient: {_describe(found[0][0])}"]
    lines = ["The records name more than one person:"]
    lines += [f"{_INDENT}{_describe(p)}  ({plural(n, 'record')})" for p, n in found]
    lines.append(
        f"{_INDENT}Check that every record is yours (names may also be spelled differently)."
    )
    return lines


def _files_line(files: tuple[str, ...]) -> str:
    if len(files) <= 3:
        return ", ".join(files)
    outside = [f.rsplit("!", 1)[0] for f in files]
    try:
        folder = commonpath(outside)
    except ValueError:
        folder = ""
    where = f"{folder}/" if folder else "this folder"
    return f"{plural(len(files), 'file')} in {where}"


#: How a reader corrects a kind, and names a file, unless a front door says it its own way.
CORRECT_A_KIND = "correct its kind"
NAME_A_FILE = "a correction or an exclusion"
#: How a reader includes a paper skipped as not a medical record ({path}: the file).
INCLUDE_A_PAPER = "a correction naming '{path}' and its kind"


def render_records(records: Iterable[Record], *, correct: str = CORRECT_A_KIND) -> list[str]:
    """Records grouped by kind (model.KINDS order), each with date, title and files.

    ``correct`` says how the reader corrects a kind (a front door may name its option).
    """
    by_kind: dict[str, list[Record]] = {}
    for record in records:
        by_kind.setdefault(record.kind, []).append(record)
    lines: list[str] = []
    for kind in (*KINDS, *sorted(set(by_kind) - set(KINDS))):
        group = by_kind.get(kind)
        if not group:
            continue
        lines.append(f"{KIND_TITLES.get(kind, kind)} ({len(group)})")
        for record in group:
            date = (record.date or "no date").ljust(_DATE_WIDTH)
            lines.append(f"{_INDENT}{date}  {record.title}")
            pad = _INDENT + " " * (_DATE_WIDTH + 2)
            lines.append(f"{pad}{_files_line(record.files)}")
            if record.status is not None:
                lines.append(f"{pad}(marked {RECORD_STATUS_WORDS.get(record.status, record.status)} by the sender)")
            if record.corrected_from is not None:
                lines.append(
                    f"{pad}(your correction; recordpack had it as {record.corrected_from})"
                )
            elif CONFIRMED in record.evidence:
                lines.append(f"{pad}(kind confirmed by you)")
            elif record.confidence < 0.5:
                lines.append(f"{pad}(not sure of this one: check it, and {correct} if needed)")
        lines.append("")
    return lines


def render_problems(problems: Iterable[Problem]) -> list[str]:
    """Each problem with its file, what is wrong and what to do."""
    problems = list(problems)
    if not problems:
        return []
    lines = [f"Problems ({len(problems)}): these files need a look"]
    for problem in problems:
        title = problem_title(problem.code, problem.path)
        lines.append(f"{_INDENT}{problem.path}  [{title}]")
        lines.append(f"{_INDENT * 2}{problem.message}")
        if problem.hint:
            lines.append(f"{_INDENT * 2}What to do: {problem.hint}")
    lines.append("")
    return lines


def render_skipped(
    skipped: Iterable[Skipped], *, examples: int = 3, include: str = INCLUDE_A_PAPER
) -> list[str]:
    """Skipped files counted by reason, with a few names each.

    ``include`` says how the reader includes a paper skipped as not a medical
    record (a front door may name its option); ``{path}`` stands for the file.
    """
    by_reason: dict[str, list[str]] = {}
    for item in skipped:
        by_reason.setdefault(item.reason, []).append(item.path)
    if not by_reason:
        return []
    total = sum(len(paths) for paths in by_reason.values())
    lines = [f"Skipped ({total}): not medical records"]
    for reason, paths in sorted(by_reason.items(), key=lambda kv: -len(kv[1])):
        shown = ", ".join(paths[:examples]) + (", ..." if len(paths) > examples else "")
        lines.append(f"{_INDENT}{len(paths)} x {reason}: {shown}")
    papers = by_reason.get(NOT_A_RECORD)
    if papers:
        lines.append(
            f"{_INDENT}If one of these is a medical record after all, include it with "
            f"{include.format(path=papers[0])} (kinds: "
            f"{', '.join(k for k in KINDS if k != 'imaging_study')})."
        )
    lines.append("")
    return lines


def render_name_note(result: ScanResult, *, name_in: str = NAME_A_FILE) -> list[str]:
    """A word on file names that are not UTF-8, with how to name one (empty when there are none)."""
    paths = [*(f for r in result.records for f in r.files), *(p.path for p in result.problems)]
    odd = next((p for p in paths if has_escapes(p)), None)
    if odd is None:
        return []
    name = odd.rsplit("/", 1)[-1]
    return [
        "Some file names are not in UTF-8 (usual on discs made on Windows); a byte that",
        "is not UTF-8 is shown as \\xHH. To name such a file in",
        f"{name_in}, write it as shown ({name}) or as it reads ({guess(name)}).",
        "",
    ]


def render_scan(
    result: ScanResult,
    *,
    correct: str = CORRECT_A_KIND,
    name_in: str = NAME_A_FILE,
    include: str = INCLUDE_A_PAPER,
) -> str:
    """The whole human report of a scan."""
    lines = [
        f"Scanned {result.root}: {plural(len(result.files), 'file')} read.",
        *render_patients(result),
        "",
    ]
    if result.records:
        lines += render_records(result.records, correct=correct)
    else:
        lines += ["No medical records were found.", ""]
    lines += render_problems(result.problems)
    lines += render_skipped(result.skipped, include=include)
    lines += render_name_note(result, name_in=name_in)
    lines.append(
        f"Summary: {plural(len(result.records), 'record')}, {plural(len(result.problems), 'problem')}, "
        f"{len(result.skipped)} skipped."
    )
    # File names and titles come from the files: no bidi or control character reaches the
    # terminal, and a line break in a name is shown as \x0a, never as a line of its own.
    return "\n".join(printable(line) for line in lines)
