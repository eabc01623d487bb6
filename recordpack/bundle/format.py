"""Constants of the recordpack bundle format, shared by the writer and the reader.

A bundle is age v1 (binary) around a ZIP holding one BagIt bag (RFC 8493)
under a single top-level folder ``<bag>/``. See ``BUNDLE.md``. Changing any
value here changes the format: bump :data:`INDEX_VERSION` when it does.
"""

from __future__ import annotations

import re
from typing import Final

#: Version of ``index.json`` (its ``"version"`` key).
INDEX_VERSION: Final = 1
#: The case summary's sections in index.json, in display order
#: (:mod:`recordpack.summary.extract` fills each).
SUMMARY_SECTIONS: Final[tuple[str, ...]] = (
    "diagnosis",
    "stage",
    "history",
    "biomarkers",
    "tumor_markers",
    "treatments",
    "procedures",
)

#: Suggested file extension for a bundle.
BUNDLE_SUFFIX: Final = ".rpk"

#: BagIt version written in ``bagit.txt``.
BAGIT_VERSION: Final = "1.0"
BAGIT_ENCODING: Final = "UTF-8"

# Tag files at the top of the bag (paths relative to ``<bag>/``).
BAGIT_TXT: Final = "bagit.txt"
BAG_INFO_TXT: Final = "bag-info.txt"
README_TXT: Final = "README.txt"
INDEX_HTML: Final = "index.html"
INDEX_JSON: Final = "index.json"
INDEX_FHIR: Final = "index.fhir.json"  # the same index as a FHIR R4 Bundle (collection)
PREVIEWS_DIR: Final = "previews"  # one small PNG per imaging series, for index.html
#: What a preview file in the bag may be called (index.json and index.html name nothing else).
PREVIEW_NAME: Final = re.compile(r"^previews/[a-z0-9-]{1,80}\.png$")
MANIFEST: Final = "manifest-sha256.txt"
TAGMANIFEST: Final = "tagmanifest-sha256.txt"

#: Tag files in the order they are written, after every payload file.
#: ``tagmanifest-sha256.txt`` covers all the others.
TAG_FILES: Final[tuple[str, ...]] = (
    BAGIT_TXT,
    BAG_INFO_TXT,
    README_TXT,
    INDEX_HTML,
    INDEX_JSON,
    INDEX_FHIR,
    MANIFEST,
    TAGMANIFEST,
)
#: Tag files listed in ``tagmanifest-sha256.txt``.
TAGMANIFEST_COVERS: Final[tuple[str, ...]] = TAG_FILES[:-1]

#: The payload folder and its parts.
PAYLOAD_DIR: Final = "data"
RECORDS_DIR: Final = "data/records"
ORIGINALS_DIR: Final = "data/originals"
IMAGING_DIR: Final = "data/imaging"
DICOMDIR_PATH: Final = "data/imaging/DICOMDIR"

#: Bag (top-level folder) name: ``recordpack-<YYYYMMDD>-<patient slug or 'records'>``.
BAG_PREFIX: Final = "recordpack-"
BAG_NAME_RE: Final = re.compile(r"^recordpack-(\d{8})-([a-z0-9]+(?:-[a-z0-9]+)*)$")

#: ``bag-info.txt`` keys recordpack writes.
BAG_INFO_KEYS: Final[tuple[str, ...]] = (
    "Bagging-Date",
    "Bag-Software-Agent",
    "Payload-Oxum",
    "Bag-Size",
    "External-Description",
)

#: Marker values in ``index.json``.
FILE_ROLE_RECORD: Final = "record"  # a record's file under data/records/
FILE_ROLE_IMAGE: Final = "image"  # a DICOM instance in the file-set under data/imaging/
FILE_ROLE_DICOMDIR: Final = "dicomdir"  # data/imaging/DICOMDIR itself (generated)
FILE_ROLE_ORIGINAL: Final = "original"  # an original archive under data/originals/
FILE_ROLE_PROBLEM: Final = "problem"  # a file scan had a problem with


def bag_name(date_yyyymmdd: str, slug: str | None) -> str:
    """The bag folder name for a packing date (``YYYYMMDD``) and patient slug."""
    return f"{BAG_PREFIX}{date_yyyymmdd}-{slug or 'records'}"


def human_size(size: int) -> str:
    """``1536`` -> ``1.5 KB`` (decimal units, as file managers show)."""
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} TB"
