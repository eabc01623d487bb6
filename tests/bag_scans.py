"""A note and hand-made scans of archives, for the tests of names in the bag (invented patient)."""

from __future__ import annotations

import hashlib

from recordpack.model import ARCHIVE_SEP, FileInfo, Patient, Record, ScanResult

NOTE = (
    b"CONSULTATION NOTE\nPatient: QUILL, AVERY   DOB: 1970-05-06   MRN: RP-TEST-0042\n"
    b"Date: 2026-10-28\nSeen in the breast clinic to discuss adjuvant treatment.\n"
)


def digest(text: str) -> str:
    """The SHA-256 of ``text`` (lone surrogates of undecodable names kept)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def archives_scan(archives: list[str]) -> ScanResult:
    """A scan of a folder holding ``archives``, each with one note inside."""
    records = []
    files: dict[str, FileInfo] = {}
    for archive in archives:
        member = f"{archive}{ARCHIVE_SEP}note.txt"
        records.append(
            Record(
                kind="clinical_note",
                title="Consultation note",
                date="2026-10-28",
                files=(member,),
                patient=Patient("QUILL, AVERY", "1970-05-06", "RP-TEST-0042"),
                confidence=0.9,
                format="text",
            )
        )
        files[archive] = FileInfo(archive, 10, digest(archive))
        files[member] = FileInfo(member, 5, digest(member))
    return ScanResult(root="records", records=tuple(records), problems=(), skipped=(), files=files)
