"""Build recordpack bundles by hand for the open/verify/inspect tests.

Independent of ``recordpack.bundle.pack`` on purpose: it follows BUNDLE.md with
the standard library only (zipfile + hashlib), so the reader is tested against
the format, and it can build the hostile variants pack never would. Patient
names here are invented.
"""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

BAG = "recordpack-20261124-jane-testperson"

#: A small, varied payload: a PDF-ish record, a text record, a fake DICOM file.
PAYLOAD: dict[str, bytes] = {
    "data/records/01-pathology_report/2026-08-20_surgical-pathology-report.pdf": b"%PDF-1.4\n"
    + bytes(range(256)) * 40
    + b"\n%%EOF\n",
    "data/records/04-lab_result/2026-09-01_tumor-markers.txt": b"CEA 2.1 ng/mL (0-3)\nCA 15-3 18 U/mL (0-30)\n"
    * 50,
    "data/imaging/DICOMDIR": b"\0" * 128 + b"DICM" + b"\x02\x00" * 100,
    "data/imaging/PT000000/ST000000/SE000000/IM000000": b"\0" * 128 + b"DICM" + b"\x55" * 5000,
}


class Unseekable(io.RawIOBase):
    """A write-only stream zipfile cannot seek in, as pack's age writer is."""

    def __init__(self) -> None:
        self.buffer = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.buffer += bytes(data)
        return len(data)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def bag_members(
    payload: dict[str, bytes] | None = None,
    *,
    bag: str = BAG,
    manifest_patch: Callable[[list[str]], list[str]] | None = None,
    index_patch: Callable[[dict[str, Any]], None] | None = None,
    bag_info_patch: Callable[[list[str]], list[str]] | None = None,
) -> list[tuple[str, bytes]]:
    """(member name, bytes) of a valid bag, in pack's order; patches break one thing."""
    payload = dict(PAYLOAD if payload is None else payload)
    manifest = [f"{sha256(data)}  {path}" for path, data in payload.items()]
    if manifest_patch:
        manifest = manifest_patch(manifest)
    oxum = f"{sum(len(d) for d in payload.values())}.{len(payload)}"
    bag_info = [
        "Bagging-Date: 2026-11-24",
        "Bag-Software-Agent: recordpack/0.1.0",
        f"Payload-Oxum: {oxum}",
    ]
    if bag_info_patch:
        bag_info = bag_info_patch(bag_info)
    index: dict[str, Any] = {
        "version": 1,
        "software": "recordpack 0.1.0",
        "created": "2026-11-24T15:00:00Z",
        "bag": bag,
        "patient": {"name": "TESTPERSON, JANE Q", "birth_date": "1970-01-02", "id": "T0001"},
        "check": {
            "version": 1,
            "manifest": "breast",
            "ok": False,
            "requirements": [
                {
                    "id": "pathology",
                    "title": "Biopsy or surgical pathology report",
                    "kinds": ["pathology_report"],
                    "status": "met",
                    "files": ["path.pdf"],
                    "why": "",
                    "how_to_get": "",
                },
                {
                    "id": "genomic",
                    "title": "Genomic test report",
                    "kinds": ["genomic_report"],
                    "status": "missing",
                    "files": [],
                    "why": "",
                    "how_to_get": "Ask the lab.",
                },
            ],
            "findings": [],
        },
        "encryption": {"recipients": [], "passphrase": False},
        "records": [
            {
                "kind": "pathology_report",
                "title": "Surgical pathology report",
                "date": "2026-08-20",
                "files": [next(iter(payload), "")],
                "original_files": ["MyChart/report(3).pdf"],
                "problems": [],
            },
        ],
        "files": [
            {
                "path": path,
                "original": path.rsplit("/", 1)[-1],
                "size": len(data),
                "sha256": sha256(data),
            }
            for path, data in payload.items()
        ],
        "duplicates": [],
        "problems": [],
        "skipped": [],
        "excluded": [],
    }
    if index_patch:
        index_patch(index)
    tags = {
        "bagit.txt": b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n",
        "bag-info.txt": ("\n".join(bag_info) + "\n").encode(),
        "README.txt": b"These are medical records for a second opinion.\n",
        "index.html": b"<!doctype html><title>Records</title>\n",
        "index.json": json.dumps(index, indent=1).encode(),
        "manifest-sha256.txt": ("\n".join(manifest) + "\n").encode(),
    }
    tagmanifest = "".join(f"{sha256(data)}  {name}\n" for name, data in tags.items())
    tags["tagmanifest-sha256.txt"] = tagmanifest.encode()
    members = [(f"{bag}/{path}", data) for path, data in payload.items()]
    members += [(f"{bag}/{name}", data) for name, data in tags.items()]
    return members


def zip_bytes(
    members: Sequence[tuple[str | zipfile.ZipInfo, bytes]], *, streaming: bool = True
) -> bytes:
    """Write members as pack does: one pass to an unseekable stream (data descriptors)."""
    sink: Any = Unseekable() if streaming else io.BytesIO()
    with zipfile.ZipFile(sink, "w") as archive:
        for member, data in members:
            if isinstance(member, str):
                info = zipfile.ZipInfo(member, date_time=(2026, 11, 24, 15, 0, 0))
                text = member.endswith((".txt", ".json", ".html"))
                info.compress_type = zipfile.ZIP_DEFLATED if text else zipfile.ZIP_STORED
            else:
                info = member
            archive.writestr(info, data)
    return bytes(sink.buffer) if streaming else sink.getvalue()


def valid_zip(**kwargs: Any) -> bytes:
    return zip_bytes(list(bag_members(**kwargs)))


def age_encrypt_cli(data: bytes, out: Path, recipient: str) -> Path:
    """Encrypt with the standard age tool (the interop path)."""
    subprocess.run(["age", "-r", recipient, "-o", str(out)], input=data, check=True)
    return out


def age_keygen_cli(path: Path) -> str:
    """A key file from the standard age-keygen; returns its recipient."""
    subprocess.run(["age-keygen", "-o", str(path)], check=True, capture_output=True)
    for line in path.read_text().splitlines():
        if line.startswith("# public key: "):
            return line.split(": ", 1)[1]
    raise AssertionError("age-keygen wrote no public key")


def recordpack_age_ready() -> bool:
    """True once recordpack.age can decrypt (streaming and random access)."""
    from recordpack import age

    return all(hasattr(age, n) for n in ("decrypt_reader", "open_random_access", "encrypt_writer"))


class Sealer:
    """Encrypt ZIP bytes into a bundle the tests can open.

    Uses recordpack's own age writer to a fresh X25519 key; until that exists,
    falls back to handing the reader the plain ZIP (the ZIP and BagIt layers
    are then still tested, the age layer is not).
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.identities: list[Any] = []
        self.recipient: Any = None
        if recordpack_age_ready():
            from recordpack import age

            identity = age.X25519Identity.generate()
            self.identities = [identity]
            self.recipient = identity.recipient()

    def __call__(self, data: bytes, name: str = "bundle.rpk") -> Any:
        path = self.folder / name
        if self.recipient is None:
            from recordpack.bundle.reader import _PlainZip

            path.write_bytes(data)
            return _PlainZip(path)
        from recordpack import age

        with open(path, "wb") as out, age.encrypt_writer(out, [self.recipient]) as writer:
            writer.write(data)
        return path
