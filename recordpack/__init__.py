"""recordpack: scan, check, pack and open a cancer patient's medical records.

The public API is re-exported here lazily (PEP 562), so that importing one part
(``recordpack.age``, the CLI's ``--help``) does not load pydicom and the scanners.
Front doors (the CLI, a web app, a batch runner) call the workflow:
:func:`prepare` -> :func:`gate` -> :func:`choose_encryption` / :func:`recipients`
-> :func:`pack_prepared`; :func:`open_bundle`, :func:`verify_bundle`,
:func:`inspect_bundle` on the receiving side. Every error raised on purpose is a
:class:`RecordpackError`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    # the workflow
    "prepare": "recordpack.workflow",
    "recheck": "recordpack.workflow",
    "gate": "recordpack.workflow",
    "choose_encryption": "recordpack.workflow",
    "recipients": "recordpack.workflow",
    "identities": "recordpack.workflow",
    "pack_prepared": "recordpack.workflow",
    "pack_to_stream": "recordpack.workflow",
    "open_bundle": "recordpack.workflow",
    "verify_bundle": "recordpack.workflow",
    "inspect_bundle": "recordpack.workflow",
    "Prepared": "recordpack.workflow",
    "GateDecision": "recordpack.workflow",
    "EncryptionChoice": "recordpack.workflow",
    "PackResult": "recordpack.workflow",
    "Omission": "recordpack.workflow",
    "Inspection": "recordpack.workflow",
    "Progress": "recordpack.workflow",
    "CancelToken": "recordpack.workflow",
    # the steps underneath
    "scan_folder": "recordpack.scan",
    "check": "recordpack.checking",
    "load_manifest": "recordpack.manifest",
    "pack": "recordpack.bundle.pack",
    # models
    "ScanResult": "recordpack.model",
    "Record": "recordpack.model",
    "Problem": "recordpack.model",
    "Patient": "recordpack.model",
    "CheckReport": "recordpack.checking",
    "Finding": "recordpack.checking",
    "Manifest": "recordpack.manifest",
    "PackSummary": "recordpack.bundle.pack",
    "OpenResult": "recordpack.bundle.reader",
    "VerifyResult": "recordpack.bundle.reader",
    "BundleIndex": "recordpack.bundle.index_model",
    "IndexSchemaError": "recordpack.bundle.index_model",
    "AuditLog": "recordpack.audit",
    "AuditLogError": "recordpack.audit",
    "Identity": "recordpack.age",
    "Recipient": "recordpack.age",
    # errors
    "RecordpackError": "recordpack.errors",
    "UsageError": "recordpack.errors",
    "InputError": "recordpack.errors",
    "ManifestError": "recordpack.errors",
    "AgeError": "recordpack.errors",
    "BundleError": "recordpack.errors",
    "Cancelled": "recordpack.workflow",
    "GateRefused": "recordpack.workflow",
    "EncryptionChoiceError": "recordpack.workflow",
    "ExclusionError": "recordpack.workflow",
    "NoKeyError": "recordpack.workflow",
    "BundleVerificationError": "recordpack.bundle.reader",
}

__all__ = ["__version__", *sorted(_EXPORTS)]

if TYPE_CHECKING:
    from recordpack.age import Identity as Identity
    from recordpack.age import Recipient as Recipient
    from recordpack.audit import AuditLog as AuditLog
    from recordpack.audit import AuditLogError as AuditLogError
    from recordpack.bundle.index_model import BundleIndex as BundleIndex
    from recordpack.bundle.index_model import IndexSchemaError as IndexSchemaError
    from recordpack.bundle.pack import PackSummary as PackSummary
    from recordpack.bundle.pack import pack as pack
    from recordpack.bundle.reader import BundleVerificationError as BundleVerificationError
    from recordpack.bundle.reader import OpenResult as OpenResult
    from recordpack.bundle.reader import VerifyResult as VerifyResult
    from recordpack.checking import CheckReport as CheckReport
    from recordpack.checking import Finding as Finding
    from recordpack.checking import check as check
    from recordpack.errors import AgeError as AgeError
    from recordpack.errors import BundleError as BundleError
    from recordpack.errors import InputError as InputError
    from recordpack.errors import ManifestError as ManifestError
    from recordpack.errors import RecordpackError as RecordpackError
    from recordpack.errors import UsageError as UsageError
    from recordpack.manifest import Manifest as Manifest
    from recordpack.manifest import load_manifest as load_manifest
    from recordpack.model import Patient as Patient
    from recordpack.model import Problem as Problem
    from recordpack.model import Record as Record
    from recordpack.model import ScanResult as ScanResult
    from recordpack.scan import scan_folder as scan_folder
    from recordpack.workflow import Cancelled as Cancelled
    from recordpack.workflow import CancelToken as CancelToken
    from recordpack.workflow import EncryptionChoice as EncryptionChoice
    from recordpack.workflow import EncryptionChoiceError as EncryptionChoiceError
    from recordpack.workflow import ExclusionError as ExclusionError
    from recordpack.workflow import GateDecision as GateDecision
    from recordpack.workflow import GateRefused as GateRefused
    from recordpack.workflow import Inspection as Inspection
    from recordpack.workflow import NoKeyError as NoKeyError
    from recordpack.workflow import Omission as Omission
    from recordpack.workflow import PackResult as PackResult
    from recordpack.workflow import Prepared as Prepared
    from recordpack.workflow import Progress as Progress
    from recordpack.workflow import choose_encryption as choose_encryption
    from recordpack.workflow import gate as gate
    from recordpack.workflow import identities as identities
    from recordpack.workflow import inspect_bundle as inspect_bundle
    from recordpack.workflow import open_bundle as open_bundle
    from recordpack.workflow import pack_prepared as pack_prepared
    from recordpack.workflow import pack_to_stream as pack_to_stream
    from recordpack.workflow import prepare as prepare
    from recordpack.workflow import recheck as recheck
    from recordpack.workflow import recipients as recipients
    from recordpack.workflow import verify_bundle as verify_bundle


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'recordpack' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
