"""FHIR financial and consent resources are administrative papers (KINDS.md), alone or in a Bundle."""

from __future__ import annotations

import json

import pytest

from recordpack.scan import fhir
from recordpack.scan.base import Document, Source

RESOURCES: list[dict[str, object]] = [
    {"resourceType": "Claim", "id": "c1", "status": "active", "use": "claim",
     "created": "2026-03-02", "patient": {"reference": "Patient/p1"}},
    {"resourceType": "Coverage", "id": "v1", "status": "active",
     "period": {"start": "2026-01-01"}, "beneficiary": {"reference": "Patient/p1"}},
    {"resourceType": "ExplanationOfBenefit", "id": "e1", "status": "active",
     "created": "2026-03-20", "billablePeriod": {"start": "2026-03-02", "end": "2026-03-02"}},
    {"resourceType": "Account", "id": "a1", "status": "active"},
    {"resourceType": "Consent", "id": "k1", "status": "active", "dateTime": "2026-02-27",
     "scope": {"coding": [{"code": "patient-privacy"}]}},
]  # fmt: skip


@pytest.mark.parametrize("resource", RESOURCES, ids=[str(r["resourceType"]) for r in RESOURCES])
def test_financial_and_consent_resources_are_administrative(resource: dict[str, object]) -> None:
    source = Source.from_bytes("r.json", json.dumps(resource).encode())
    [document] = [o for o in fhir.scan(source) if isinstance(o, Document)]
    assert document.kind == "administrative"
    assert document.title


def test_a_claim_is_dated_by_what_it_bills() -> None:
    source = Source.from_bytes("eob.json", json.dumps(RESOURCES[2]).encode())
    [document] = [o for o in fhir.scan(source) if isinstance(o, Document)]
    assert document.date == "2026-03-02"
    assert document.title == "Explanation of benefits"
