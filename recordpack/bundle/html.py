"""The two human-facing tag files of a bag: ``index.html`` and ``README.txt``.

Both are rendered from the ``index.json`` document, so the three never disagree.
Everything that comes from a record (titles, names, paths) is untrusted text
from a file: it is escaped with :func:`html.escape` and linked only as a
relative path inside the bag. The page is self-contained: inline CSS, no
scripts, no fonts or anything else fetched from a network.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from html import escape
from typing import Any, Final
from urllib.parse import quote

from recordpack.bundle import format as fmt
from recordpack.bundle.index_model import BundleIndex, parse_index
from recordpack.display import printable
from recordpack.model import KIND_TITLES, KINDS, RECORD_STATUS_WORDS
from recordpack.scan.report import plural
from recordpack.summary.findings import case_findings
from recordpack.summary.render import (
    facts,
    listed,
    newest_first,
    other_patient_records,
    past_value,
    timeline_mark,
)

_CSS = """
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:60rem;
padding:0 1rem;color:#1b1b1b;background:#fff}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #ccc}
h3{font-size:1.05rem;margin:1.2rem 0 .3rem}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.25rem .5rem;vertical-align:top;
border-bottom:1px solid #eee;overflow-wrap:anywhere}th{background:#f4f4f4}
td:first-child{white-space:nowrap}
.muted{color:#555}.ok{color:#176117;font-weight:600}.bad{color:#a00;font-weight:600}
.warn{color:#8a5300}code{font-size:.9em;background:#f4f4f4;padding:0 .2em}
td.status,th.status{white-space:nowrap;word-break:keep-all;overflow-wrap:normal;width:1%}
td.date{white-space:nowrap;width:1%}q{display:block;color:#555;font-size:.9em;quotes:"\\201C" "\\201D"}
tr.other-patient td{background:#fff4e5;color:#7a3e00;border-bottom:2px solid #e0a050;
white-space:normal}th{overflow-wrap:normal;word-break:keep-all}
table.checklist td:first-child{white-space:normal}
.absent{color:#555;font-style:italic}.neg{font-weight:600}
section{margin-bottom:1.5rem}.facts th:first-child,.facts td:first-child{width:9rem}
.facts td:nth-child(2){width:35%}
figure{display:inline-block;margin:.3rem .6rem .6rem 0;vertical-align:top;max-width:10rem}
figure img{width:8rem;height:8rem;object-fit:contain;background:#000;display:block}
figcaption{font-size:.8em;color:#555}
@media (max-width:820px){body{margin:1rem auto;font-size:15px}td,th{padding:.2rem .3rem}}
"""


def _e(value: object) -> str:
    # Untrusted text: HTML-escaped, and bidi or control characters shown as escapes.
    return escape(printable("" if value is None else str(value)), quote=True)


def _checked(index: Mapping[str, Any] | BundleIndex) -> dict[str, Any]:
    """The index as the schema checked it: renderers never see anything else."""
    model = index if isinstance(index, BundleIndex) else parse_index(dict(index))
    return model.to_json()


#: A path that percent-encoding leaves as it is (``quote``'s unreserved characters
#: and the "/" between segments): most of a bag's paths, checked in one match.
_URL_PLAIN: Final = re.compile(r"[A-Za-z0-9_.~/-]*")


def _href(bag_path: str) -> str:
    """A relative link to a file of the bag, every path segment percent-encoded."""
    if _URL_PLAIN.fullmatch(bag_path):
        return bag_path
    return "/".join(quote(part) for part in bag_path.split("/"))


def _patient_line(patient: dict[str, Any]) -> str:
    parts = [printable(patient.get("name") or "name not found in the records")]
    if patient.get("birth_date"):
        parts.append(f"born {printable(patient['birth_date'])}")
    if patient.get("id"):
        parts.append(f"ID {printable(patient['id'])}")
    return ", ".join(parts)


#: How the checklist's statuses read to a specialist (never the raw code).
STATUS_WORDS: Final[dict[str, str]] = {
    "met": "here",
    "missing": "missing",
    "outdated": "outdated",
    "incomplete": "incomplete",
    "optional_missing": "optional, not here",
}

#: What each check finding tells the specialist: said from its code and files, not
#: from the message, which was written for the patient ("ask the hospital...").
FINDING_WORDS: Final[dict[str, str]] = {
    "patient_mismatch": "May be another patient's record (the name or birth date differs)",
    "images_without_report": "Images with no written report among these records",
    "report_without_images": "An imaging report whose images are not among these records",
    "duplicate": "An identical copy was packed once",
    "encrypted": "Password-protected: recordpack could not read it",
    "unreadable": "Could not be read",
    "no_text": "A scanned page whose words could not be read: check it by eye",
    "unsupported": "A file type recordpack does not read",
}


def _bag_paths(index: dict[str, Any]) -> tuple[set[str], dict[str, str]]:
    """The bag's files, and original path -> bag path (for findings, which name originals)."""
    paths: set[str] = set()
    by_original: dict[str, str] = {}
    for item in index.get("files") or []:
        if isinstance(item, dict) and isinstance(item.get("path"), str):
            paths.add(item["path"])
            if isinstance(item.get("original"), str):
                by_original.setdefault(item["original"], item["path"])
    for duplicate in index.get("duplicates") or []:
        if isinstance(duplicate, dict) and isinstance(duplicate.get("original"), str):
            by_original.setdefault(duplicate["original"], str(duplicate.get("same_as")))
    return paths, by_original


def _link(path: Any, text: Any, paths: set[str]) -> str:
    """A link to ``path`` when it is a file of the bag; otherwise the text alone."""
    if isinstance(path, str) and path in paths:
        return f'<a href="{_e(_href(path))}">{_e(text)}</a>'
    return _e(text)


def _original_link(original: str, paths: set[str], by_original: dict[str, str]) -> str:
    path = by_original.get(original)
    return _link(path, path.rsplit("/", 1)[-1] if path else original, paths)


def _check_html(check: dict[str, Any] | None, index: dict[str, Any] | None = None) -> str:
    if check is None:
        return (
            "<p class=muted>These records were not checked against a list of required records.</p>"
        )
    verdict = (
        "<p class=ok>Everything the checklist requires is here.</p>"
        if check.get("ok")
        else "<p class=bad>Something the checklist requires is missing or needs attention; "
        "the person who packed these records chose to send them anyway.</p>"
    )
    paths, by_original = _bag_paths(index or {})
    rows = []
    for req in check.get("requirements", []):
        status = str(req.get("status", ""))
        css = "ok" if status == "met" else ("muted" if status == "optional_missing" else "bad")
        originals = [str(f) for f in listed(req, "files")]
        files = ", ".join(_original_link(f, paths, by_original) for f in originals[:3])
        if len(originals) > 3:
            files += f" and {len(originals) - 3} more"
        rows.append(
            f"<tr><td>{_e(req.get('title') or req.get('id'))}</td>"
            f"<td class='status {css}'>{_e(STATUS_WORDS.get(status, 'see the records'))}</td>"
            f"<td>{files}</td></tr>"
        )
    table = (
        "<table class=checklist><tr><th>Required</th><th class=status>Status</th>"
        "<th>Records</th></tr>" + "".join(rows) + "</table>"
        if rows
        else ""
    )
    findings = "".join(
        f"<li>{_e(FINDING_WORDS.get(str(f.get('code')), 'Needs attention'))}: "
        + ", ".join(_original_link(str(p), paths, by_original) for p in listed(f, "paths"))
        + "</li>"
        for f in check.get("findings", [])
        if isinstance(f, dict)
    )
    name = (
        f"<p class=muted>Checklist: {_e(check.get('manifest'))}</p>"
        if check.get("manifest")
        else ""
    )
    return name + verdict + table + (f"<h3>Findings</h3><ul>{findings}</ul>" if findings else "")


def _other_patient_files(index: dict[str, Any]) -> set[str]:
    """Original paths the check says may be another patient's."""
    check = index.get("check") if isinstance(index.get("check"), dict) else {}
    return {
        str(p)
        for f in listed(check, "findings")
        if isinstance(f, dict) and f.get("code") == "patient_mismatch"
        for p in listed(f, "paths")
    }


def _records_html(index: dict[str, Any]) -> str:
    others = _other_patient_files(index)
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for record in index.get("records", []):
        by_kind.setdefault(record.get("kind", "other"), []).append(record)
    out: list[str] = []
    for kind in [k for k in KINDS if k in by_kind] + [k for k in by_kind if k not in KINDS]:
        records = sorted(
            by_kind[kind], key=lambda r: (r.get("date") or "9999", r.get("title") or "")
        )
        out.append(f"<h3>{_e(KIND_TITLES.get(kind, kind))} ({len(records)})</h3><table>")
        out.append("<tr><th>Date</th><th>Record</th><th>Files</th></tr>")
        # (the record's own link comes first in its row; its original path last)
        for record in records:
            links = []
            for path in record.get("files", []):
                links.append(f'<a href="{_e(_href(path))}">{_e(path.rsplit("/", 1)[-1])}</a>')
            members = record.get("archive_members") or []
            if members:
                links.append(
                    "<span class=muted>inside the archive: "
                    + _e(", ".join(m.get("member", "") for m in members))
                    + "</span>"
                )
            study = record.get("study")
            detail = ""
            if study:
                detail = (
                    f"<br><span class=muted>{_e(', '.join(study.get('modalities') or []))}, "
                    f"{_e(study.get('series_count'))} series, "
                    f"{_e(plural(int(study.get('instance_count') or 0), 'image'))}"
                    + (
                        f"; open <code>{_e(study['dicomdir'])}</code> in a DICOM viewer"
                        if study.get("dicomdir")
                        else ""
                    )
                    + "</span>"
                )
                links = (
                    [f'<a href="{_e(_href(study["dicomdir"]))}">DICOMDIR</a>']
                    if study.get("dicomdir")
                    else links[:3]
                )
            problems = "".join(
                f"<br><span class=warn>{_e(p.get('message'))}</span>"
                for p in record.get("problems", [])
            )
            if record.get("status") in RECORD_STATUS_WORDS:
                problems = (
                    f"<br><span class=warn>Marked {_e(RECORD_STATUS_WORDS[record['status']])} by "
                    "its sender.</span>" + problems
                )
            original = ", ".join(record.get("original_files", [])[:3])
            more = len(record.get("original_files", [])) - 3
            if more > 0:
                original += f" and {more} more"
            out.append(
                f"<tr><td class=date>{_e(record.get('date') or 'undated')}</td>"
                f"<td>{'<br>'.join(links)}<br>{_e(record.get('title'))}{detail}{problems}"
                f"<br><span class=muted>originally: {_e(original)}</span></td>"
                f"<td>{_e(plural(len(record.get('files') or []), 'file'))}</td></tr>"
            )
            if others & set(record.get("original_files") or []):
                who = (record.get("patient") or {}).get("name")
                out.append(
                    "<tr class=other-patient><td colspan=3>&#9888; The record above may belong to "
                    "another patient"
                    + (f": it names {_e(who)}" if who else "")
                    + ". Check the name and birth date on it before you rely on it.</td></tr>"
                )
        out.append("</table>")
    return "".join(out) or "<p>No records.</p>"


def render_index_html(index: Mapping[str, Any] | BundleIndex) -> str:
    """The human index of the bag, one self-contained HTML page.

    Pack renders it from the index it writes, open from the verified index.json:
    the same input gives the same page. Raises IndexSchemaError for an index that
    does not follow the schema.
    """
    index = _checked(index)
    patient = index.get("patient") or {}
    enc = index.get("encryption") or {}
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        "<meta name=viewport content='width=device-width, initial-scale=1'>",
        "<meta http-equiv=Content-Security-Policy content=\"default-src 'none'; style-src 'unsafe-inline'; img-src 'self'\">",
        f"<title>Medical records: {_e(patient.get('name') or index.get('bag'))}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>Medical records of {_e(_patient_line(patient))}</h1>",
        f"<p class=muted>Packed {_e(index.get('created'))} by {_e(index.get('software'))} for a second opinion. "
        f"{plural(len(index.get('records', [])), 'record')}, "
        f"{plural(len(index.get('files', [])), 'file')}. "
        + (
            "Encrypted with a passphrase."
            if enc.get("passphrase")
            else f"Encrypted to {plural(len(enc.get('recipients') or []), 'key')}."
        )
        + "</p>",
        summary_html(index),
        timeline_html(index),
        "<h2>Checklist</h2>",
        _check_html(index.get("check"), index),
        "<h2>Records</h2>",
        _records_html(index),
    ]
    images = [r for r in index.get("records", []) if r.get("study")]
    if images:
        parts.append("<h2>Imaging</h2>")
        if any(r["study"].get("dicomdir") for r in images):
            parts.append(
                f"<p>Point a DICOM viewer at <code>{_e(fmt.DICOMDIR_PATH)}</code> (open it as a "
                "DICOMDIR, CD or DVD): it lists every study below.</p>"
            )
        parts.append(
            "<table><tr><th>Date</th><th>Study</th><th>Modalities</th><th>Series</th><th>Images</th></tr>"
        )
        for r in images:
            s = r["study"]
            parts.append(
                f"<tr><td>{_e(r.get('date') or 'undated')}</td><td>{_e(s.get('description') or r.get('title'))}</td>"
                f"<td>{_e(', '.join(s.get('modalities') or []))}</td><td>{_e(s.get('series_count'))}</td>"
                f"<td>{_e(s.get('instance_count'))}</td></tr>"
            )
        parts.append("</table>")
        parts.append(previews_html(images))
    if index.get("duplicates"):
        parts.append("<h2>Duplicates (packed once)</h2><ul>")
        parts += [
            f"<li>{_e(d.get('original'))} is the same file as "
            f'<a href="{_e(_href(d.get("same_as", "")))}">{_e(d.get("same_as"))}</a></li>'
            for d in index["duplicates"]
        ]
        parts.append("</ul>")
    if index.get("problems"):
        parts.append("<h2>Problems found while reading the records</h2><ul>")
        parts += [
            f"<li><b>{_e(p.get('path'))}</b>: {_e(p.get('message'))}</li>"
            for p in index["problems"]
        ]
        parts.append("</ul>")
    if index.get("excluded"):
        parts.append("<h2>Left out on purpose</h2><ul>")
        parts += [
            f"<li>{_e(x.get('original'))}: {_e(x.get('reason'))}</li>" for x in index["excluded"]
        ]
        parts.append("</ul>")
    if index.get("skipped"):
        count = len(index["skipped"])
        what = (
            "1 file that is not a record (a system file, viewer software or an old DICOMDIR) "
            "was left out; index.json lists it."
            if count == 1
            else f"{count} files that are not records (system files, viewer software, old "
            "DICOMDIR files) were left out; index.json lists them."
        )
        parts.append(f"<p class=muted>{what}</p>")
    parts.append(
        "<p class=muted>Every file is listed with its SHA-256 in manifest-sha256.txt and index.json. "
        "See README.txt for how to verify this bundle.</p></body></html>\n"
    )
    return "".join(parts)


def render_readme(index: Mapping[str, Any] | BundleIndex) -> str:
    """Plain words for the specialist: what this is and how to open it, with or without recordpack."""
    index = _checked(index)
    patient = index.get("patient") or {}
    enc = index.get("encryption") or {}
    bag = printable(index.get("bag") or "the bag")
    key_line = (
        "It was encrypted with a passphrase, which should reach you separately (by phone or text)."
        if enc.get("passphrase")
        else "It was encrypted to these age public keys: "
        + printable(", ".join(enc.get("recipients") or []))
        + ". Open it with the matching secret key file."
    )
    decrypt = (
        "age -d BUNDLE.rpk > bundle.zip"
        if enc.get("passphrase")
        else "age -d -i key.txt BUNDLE.rpk > bundle.zip"
    )
    open_cmd = (
        "recordpack open BUNDLE.rpk -o records/"
        if enc.get("passphrase")
        else "recordpack open BUNDLE.rpk -i key.txt -o records/"
    )
    has_images = any((r.get("study") or {}).get("dicomdir") for r in index.get("records", []))
    lines = [
        "MEDICAL RECORDS FOR A SECOND OPINION",
        "",
        f"Patient: {_patient_line(patient)}",
        f"Packed:  {printable(str(index.get('created')))} with {printable(str(index.get('software')))}",
        (
            f"Content: {plural(len(index.get('records', [])), 'record')} in "
            f"{plural(len(index.get('files', [])), 'file')}"
        ),
        "",
        "WHAT THIS IS",
        "This folder is a BagIt bag (RFC 8493) that was sent to you as one encrypted",
        f"file (age v1 format, https://age-encryption.org). {key_line}",
        "",
        "  index.html            start here: the case summary, a timeline and the",
        "                        records by kind and date, with links",
        "  data/records/         the documents, one folder per kind, named by date",
        "  data/imaging/         the DICOM images"
        + (", indexed by data/imaging/DICOMDIR" if has_images else ""),
        "  data/originals/       downloads (zips) exactly as the patient had them;",
        "                        the records inside are also laid out above",
        "  index.json            the same index for programs: original names, SHA-256",
        "  index.fhir.json       the index as a FHIR R4 Bundle, for an EHR or FHIR tool",
        "  manifest-sha256.txt   the SHA-256 of every file, to verify nothing changed",
        "",
        "Every file is a byte-for-byte copy of the patient's file; index.json and",
        "index.html give each file's original name and location.",
        "",
        "OPENING IT WITH RECORDPACK",
        f"  {open_cmd}",
        "recordpack checks the encryption, every file's SHA-256 and the index before",
        "writing anything, then shows what is inside.",
        "",
        "OPENING IT WITHOUT RECORDPACK",
        f"  {decrypt}",
        "  unzip bundle.zip",
        f"  bagit.py --validate {bag}     (optional: pip install bagit)",
        "The age tool (https://age-encryption.org) decrypts it; any unzip program",
        "extracts it; bagit.py confirms that every file is intact.",
        "",
    ]
    if has_images:
        lines += [
            "IMAGES",
            "Point your DICOM viewer at data/imaging/DICOMDIR (in most viewers: open",
            "CD/DVD or DICOMDIR). The image files are the original DICOM files.",
        ]
        if any((r.get("study") or {}).get("previews") for r in index.get("records", [])):
            lines.append("previews/ holds one small picture per series, shown in index.html.")
        lines.append("")
    lines += [
        "PRIVACY",
        "These are a patient's medical records. Keep them encrypted when you do not",
        "need them open, and delete the decrypted copy when you are done.",
        "",
    ]
    return "\n".join(lines)


# --------------------------------------------------------------------------- case summary

#: Diagnosis fields in reading order, with their labels.
DIAGNOSIS_FIELDS: Final[dict[str, str]] = {
    "histology": "Histology",
    "site": "Site",
    "laterality": "Laterality",
    "grade": "Grade",
}
STAGE_FIELDS: Final[dict[str, str]] = {
    "tnm": "TNM",
    "stage_group": "Stage",
    "ajcc_edition": "AJCC edition",
}
ABSENT: Final = "Not found in these records."
#: A treatment's flags and the word each adds after it ("ended": the text says it is over).
TREATMENT_NOTES: Final = (("planned", "planned"), ("ended", "ended"))
#: A diagnosis fact's flags and the words each adds after it.
DIAGNOSIS_NOTES: Final = (("previous", "from a previous biopsy"),)
#: A past-history fact's flags and the words each adds after it.
HISTORY_NOTES: Final = (
    ("previous", "a previous biopsy's finding, quoted in a later report"),
    ("marker", "a result under a past history heading"),
)


def _notes(fact: dict[str, Any], notes: tuple[tuple[str, str], ...]) -> str:
    """The muted words a fact's flags add after its value, or nothing."""
    words = [word for flag, word in notes if fact.get(flag)]
    return f" <span class=muted>({', '.join(words)})</span>" if words else ""


def _source(fact: dict[str, Any], index: dict[str, Any], paths: set[str]) -> str:
    """The record a fact came from (linked) and the sentence that states it."""
    records = listed(index, "records")
    number = fact.get("record")
    record = records[number] if isinstance(number, int) and 0 <= number < len(records) else {}
    title = (record or {}).get("title") or fact.get("path") or "record"
    # The record's own date: a fact's date (a 2019 stage quoted in a 2025 note) has its column.
    date = (record or {}).get("date")
    label = f"{title}" + (f", {date}" if date else "")
    return f"{_link(fact.get('path'), label, paths)}<q>{_e(fact.get('sentence'))}</q>"


def _field_rows(
    items: list[dict[str, Any]], labels: dict[str, str], index: dict[str, Any], paths: set[str]
) -> str:
    ordered = sorted(
        items,
        key=lambda f: (
            list(labels).index(str(f.get("field"))) if str(f.get("field")) in labels else 99
        ),
    )
    rows = "".join(
        f"<tr><th>{_e(labels.get(str(f.get('field')), f.get('field')))}</th>"
        f"<td>{_e(f.get('value'))}{_notes(f, DIAGNOSIS_NOTES)}</td>"
        f"<td>{_source(f, index, paths)}</td></tr>"
        for f in ordered
    )
    return f"<table class=facts>{rows}</table>" if rows else f"<p class=absent>{ABSENT}</p>"


def _dated_rows(
    items: list[dict[str, Any]], labels: dict[str, str], index: dict[str, Any], paths: set[str]
) -> str:
    """Facts with a date column, newest first: each stage beside its date and source."""
    rows = "".join(
        f"<tr><th>{_e(labels.get(str(f.get('field')), f.get('field')))}</th>"
        f"<td>{_e(f.get('value'))}</td><td class=date>{_e(f.get('date') or 'undated')}</td>"
        f"<td>{_source(f, index, paths)}</td></tr>"
        for f in newest_first(items, tuple(labels))
    )
    return f"<table class=facts>{rows}</table>" if rows else f"<p class=absent>{ABSENT}</p>"


def _side_note(finding: dict[str, Any], index: dict[str, Any], paths: set[str]) -> str:
    organ = f" of the {_e(finding['site'])}" if finding.get("site") else ""
    sources = "".join(
        f"<li><b>{_e(f['side'])}</b> in {_source(f, index, paths)}</li>" for f in finding["sources"]
    )
    return (
        f"<div class=warn>&#9888; The records disagree on the side{organ}:<ul>{sources}</ul>"
        "recordpack does not choose one: check these reports (or whether the disease is on "
        "both sides).</div>"
    )


def _stages_note(finding: dict[str, Any], index: dict[str, Any], paths: set[str]) -> str:
    values = ", ".join(_e(v) for v in finding["values"])
    return (
        f"<p class=warn>The records give more than one stage ({values}): each is listed with "
        "its date and source, newest first, none merged into another.</p>"
    )


#: Each finding's section and its words for the page (codes: recordpack.summary.findings).
_FINDING_NOTES: Final[
    dict[str, tuple[str, Callable[[dict[str, Any], dict[str, Any], set[str]], str]]]
] = {
    "side_disagrees": ("diagnosis", _side_note),
    "stages_differ": ("stage", _stages_note),
}


def _finding_notes(
    found: list[dict[str, Any]], section: str, index: dict[str, Any], paths: set[str]
) -> str:
    return "".join(
        words(finding, index, paths)
        for finding in found
        for where, words in [_FINDING_NOTES[finding["code"]]]
        if where == section
    )


def _other_patient_note(summary: dict[str, Any], index: dict[str, Any], paths: set[str]) -> str:
    """Which records gave no facts because they may be another patient's."""
    records = listed(index, "records")
    numbers = [n for n in other_patient_records(summary) if 0 <= n < len(records)]
    if not numbers:
        return ""
    links = ", ".join(
        _link((records[n].get("files") or [None])[0], records[n].get("title") or "record", paths)
        for n in numbers
    )
    return (
        "<p class=warn>&#9888; Nothing here is taken from records that may belong to another "
        f"patient: {links}.</p>"
    )


def _history_rows(items: list[dict[str, Any]], index: dict[str, Any], paths: set[str]) -> str:
    """Past conditions (a prior cancer), apart from the diagnosis and stage; nothing when none."""
    if not items:
        return ""
    rows = "".join(
        f"<tr><td class=date>{_e(f.get('date') or 'undated')}</td>"
        f"<td>{_e(past_value(f))}{_notes(f, HISTORY_NOTES)}</td>"
        f"<td>{_source(f, index, paths)}</td></tr>"
        for f in items
    )
    return (
        "<h3>Past history</h3><p class=muted>Earlier conditions the records give as past (past "
        "medical or surgical history, &ldquo;history of&rdquo;, &ldquo;prior&rdquo;): not this "
        "case's diagnosis or stage. Each as written, with the date its statement gives. A "
        "previous biopsy's finding that a pathology report quotes beside its own diagnosis is "
        "listed here too, marked so, and so are tumour marker and biomarker results under a "
        "past medical history heading.</p>"
        "<table><tr><th class=date>Date</th><th>Past condition, as written</th><th>Source</th>"
        f"</tr>{rows}</table>"
    )


def summary_html(index: dict[str, Any]) -> str:
    """``<section id="summary">``: diagnosis, stage, biomarkers, treatments, each with its source."""
    summary = index.get("summary")
    if not isinstance(summary, dict):
        return ""
    paths, _ = _bag_paths(index)
    found = case_findings(summary)
    parts = [
        "<section id=summary><h2>Case summary</h2>",
        (
            "<p class=muted>Facts as the records state them, each with the record it comes from "
            "and the sentence that says it. recordpack shows only what a record says plainly; "
            "anything else is left to you and the records themselves.</p>"
        ),
        _other_patient_note(summary, index, paths),
        "<h3>Diagnosis</h3>",
        _finding_notes(found, "diagnosis", index, paths),
        _field_rows(facts(summary, "diagnosis"), DIAGNOSIS_FIELDS, index, paths),
        "<h3>Stage</h3>",
        _finding_notes(found, "stage", index, paths),
        _dated_rows(facts(summary, "stage"), STAGE_FIELDS, index, paths),
        _history_rows(facts(summary, "history"), index, paths),
        "<h3>Biomarkers</h3>",
    ]
    markers = facts(summary, "biomarkers")
    if markers:
        parts.append(
            "<table><tr><th>Marker</th><th>Result</th><th>Method</th><th class=date>Date</th>"
            "<th>Source</th></tr>"
        )
        for f in markers:
            result = _e(f.get("result"))
            if f.get("negative"):
                result = f"<span class=neg>{result}</span>"
            method = ", ".join(_e(v) for v in (f.get("test"), f.get("method")) if v)
            parts.append(
                f"<tr><td>{_e(f.get('marker'))}</td><td>{result}</td><td>{method}</td>"
                f"<td class=date>{_e(f.get('date') or 'undated')}</td>"
                f"<td>{_source(f, index, paths)}</td></tr>"
            )
        parts.append("</table>")
    else:
        parts.append(f"<p class=absent>{ABSENT}</p>")
    parts.append("<h3>Tumour markers</h3>")
    values = facts(summary, "tumor_markers")
    if values:
        parts.append(
            "<table><tr><th>Marker</th><th>Value</th><th class=date>Date</th><th>Source</th></tr>"
        )
        parts += [
            f"<tr><td>{_e(f.get('marker'))}</td><td>{_e(f.get('value'))} {_e(f.get('unit'))}</td>"
            f"<td class=date>{_e(f.get('date') or 'undated')}</td>"
            f"<td>{_source(f, index, paths)}</td></tr>"
            for f in values
        ]
        parts.append("</table>")
    else:
        parts.append(f"<p class=absent>{ABSENT}</p>")
    for key, title in (("treatments", "Treatments"), ("procedures", "Surgery and biopsies")):
        parts.append(f"<h3>{title}</h3>")
        items = facts(summary, key)
        if not items:
            parts.append(f"<p class=absent>{ABSENT}</p>")
            continue
        parts.append("<table><tr><th class=date>Date</th><th>As written</th><th>Source</th></tr>")
        for f in items:
            notes = []
            if f.get("cycles"):
                notes.append(f"{_e(f['cycles'])} cycles")
            notes += [word for flag, word in TREATMENT_NOTES if f.get(flag)]
            note = f" <span class=muted>({', '.join(notes)})</span>" if notes else ""
            parts.append(
                f"<tr><td class=date>{_e(f.get('date') or 'undated')}</td>"
                f"<td>{_e(f.get('value'))}{note}</td><td>{_source(f, index, paths)}</td></tr>"
            )
        parts.append("</table>")
    parts.append("</section>")
    return "".join(parts)


def timeline_html(index: dict[str, Any]) -> str:
    """``<section id="timeline">``: every record by date, across kinds."""
    if not isinstance(index.get("timeline"), list):
        return ""
    timeline = [e for e in listed(index, "timeline") if isinstance(e, dict)]
    paths, _ = _bag_paths(index)
    summary = index.get("summary") if isinstance(index.get("summary"), dict) else {}
    others = set(other_patient_records(summary))
    rows = "".join(
        f"<tr><td class=date>{_e(e.get('date') or 'undated')}</td>"
        f"<td>{_e(KIND_TITLES.get(str(e.get('kind')), 'Other documents'))}</td>"
        f"<td>{_link(e.get('path'), e.get('title') or 'record', paths)}"
        + (
            f" <span class=warn>{_e(mark.strip())}</span>"
            if (mark := timeline_mark(index, e.get("record"), others))
            else ""
        )
        + "</td></tr>"
        for e in timeline
    )
    body = (
        f"<table><tr><th class=date>Date</th><th>Kind</th><th>Record</th></tr>{rows}</table>"
        if rows
        else "<p class=absent>No records.</p>"
    )
    return f"<section id=timeline><h2>Timeline</h2>{body}</section>"


def previews_html(studies: list[dict[str, Any]]) -> str:
    """One small picture per series (made at pack time), or why a series has none."""
    out: list[str] = []
    for record in studies:
        study = record.get("study") or {}
        previews = [p for p in study.get("previews") or [] if isinstance(p, dict)]
        if not previews:
            continue
        out.append(
            f"<div class=previews><h3>{_e(record.get('date') or 'undated')}: "
            f"{_e(study.get('description') or record.get('title'))}</h3>"
        )
        for p in previews:
            caption = _e(" ".join(str(v) for v in (p.get("modality"), "series") if v))
            path = p.get("path")
            if isinstance(path, str) and fmt.PREVIEW_NAME.match(path):
                out.append(
                    f'<figure><img src="{_e(_href(path))}" alt="{caption} preview">'
                    f"<figcaption>{caption}</figcaption></figure>"
                )
            else:
                reason = p.get("problem") or "no preview"
                out.append(
                    f"<figure><figcaption>{caption}: no preview ({_e(reason)}); "
                    "open the images in a DICOM viewer.</figcaption></figure>"
                )
        out.append("</div>")
    if not out:
        return ""
    return (
        "<p class=muted>One slice per series, made when the records were packed, for "
        "orientation only: read the images in a DICOM viewer.</p>" + "".join(out)
    )
