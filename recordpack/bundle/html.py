"""The two human-facing tag files of a bag: ``index.html`` and ``README.txt``.

Both are rendered from the ``index.json`` document, so the three never disagree.
Everything that comes from a record (titles, names, paths) is untrusted text
from a file: it is escaped with :func:`html.escape` and linked only as a
relative path inside the bag. The page is self-contained: inline CSS, no
scripts, no fonts or anything else fetched from a network.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any
from urllib.parse import quote

from recordpack.bundle import format as fmt
from recordpack.bundle.index_model import BundleIndex, parse_index
from recordpack.display import printable
from recordpack.model import KIND_TITLES, KINDS
from recordpack.scan.report import plural

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
"""


def _e(value: object) -> str:
    # Untrusted text: HTML-escaped, and bidi or control characters shown as escapes.
    return escape(printable("" if value is None else str(value)), quote=True)


def _checked(index: Mapping[str, Any] | BundleIndex) -> dict[str, Any]:
    """The index as the schema checked it: renderers never see anything else."""
    model = index if isinstance(index, BundleIndex) else parse_index(dict(index))
    return model.to_json()


def _href(bag_path: str) -> str:
    """A relative link to a file of the bag, every path segment percent-encoded."""
    return "/".join(quote(part) for part in bag_path.split("/"))


def _patient_line(patient: dict[str, Any]) -> str:
    parts = [printable(patient.get("name") or "name not found in the records")]
    if patient.get("birth_date"):
        parts.append(f"born {printable(patient['birth_date'])}")
    if patient.get("id"):
        parts.append(f"ID {printable(patient['id'])}")
    return ", ".join(parts)


def _check_html(check: dict[str, Any] | None) -> str:
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
    rows = []
    for req in check.get("requirements", []):
        status = req.get("status", "")
        css = "ok" if status == "met" else ("muted" if status == "optional_missing" else "bad")
        rows.append(
            f"<tr><td>{_e(req.get('title') or req.get('id'))}</td>"
            f"<td class={css}>{_e(status.replace('_', ' '))}</td>"
            f"<td>{_e(', '.join(req.get('files') or []))}</td></tr>"
        )
    table = (
        "<table><tr><th>Required</th><th>Status</th><th>Files</th></tr>"
        + "".join(rows)
        + "</table>"
        if rows
        else ""
    )
    findings = "".join(
        f"<li><b>{_e(f.get('code'))}</b>: {_e(f.get('message'))}</li>"
        for f in check.get("findings", [])
    )
    name = (
        f"<p class=muted>Checklist: {_e(check.get('manifest'))}</p>"
        if check.get("manifest")
        else ""
    )
    return name + verdict + table + (f"<h3>Findings</h3><ul>{findings}</ul>" if findings else "")


def _records_html(index: dict[str, Any]) -> str:
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
            original = ", ".join(record.get("original_files", [])[:3])
            more = len(record.get("original_files", [])) - 3
            if more > 0:
                original += f" and {more} more"
            out.append(
                f"<tr><td>{_e(record.get('date') or 'undated')}</td>"
                f"<td>{_e(record.get('title'))}{detail}{problems}"
                f"<br><span class=muted>originally: {_e(original)}</span></td>"
                f"<td>{'<br>'.join(links)}</td></tr>"
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
        "<h2>Checklist</h2>",
        _check_html(index.get("check")),
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
        "  index.html            start here: the records by kind and date, with links",
        "  data/records/         the documents, one folder per kind, named by date",
        "  data/imaging/         the DICOM images"
        + (", indexed by data/imaging/DICOMDIR" if has_images else ""),
        "  data/originals/       downloads (zips) exactly as the patient had them;",
        "                        the records inside are also laid out above",
        "  index.json            the same index for programs: original names, SHA-256",
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
            "",
        ]
    lines += [
        "PRIVACY",
        "These are a patient's medical records. Keep them encrypted when you do not",
        "need them open, and delete the decrypted copy when you are done.",
        "",
    ]
    return "\n".join(lines)
