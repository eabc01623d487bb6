"""A copy is said to be "sent once" only when a copy of it is sent, and the copy sent is named.

A copy of a file scan skips (a paper that is not a record, recordpack's own audit
log) is skipped alike, saying so; a copy of a file the user leaves out is sent in
its place, as its record, and the check and the bundle say so.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from recordpack import age, workflow
from recordpack.audit import AuditEvent, AuditLog
from recordpack.web import service
from tests.cli_runs import index_of, run

pytest_plugins = ("tests.web_helpers",)  # the home and signed_in fixtures

STRANGER = "Quillon Ashdown-Vey"  # another patient, named only in the coordinator's log

PATHOLOGY = (
    "SURGICAL PATHOLOGY REPORT\n"
    "Patient: ZEPHYRINE, OLWEN Q   DOB: 04/02/1961   MRN: 88120\n"
    "Collected: 03/11/2025\n\n"
    "FINAL DIAGNOSIS\n"
    "Left breast, core needle biopsy: invasive ductal carcinoma, Nottingham grade 2.\n"
    "Estrogen receptor (ER): POSITIVE, 90%. Progesterone receptor (PR): POSITIVE, 30%.\n"
    "HER2 (IHC): 1+, NEGATIVE.\n\n"
    "GROSS DESCRIPTION\nThree cores of tan tissue.\n"
    "Electronically signed by Perpetua Lindqvist, MD\n"
)
MEDICATIONS = (
    "CURRENT MEDICATIONS\n"
    "Patient: Olwen Q Zephyrine   DOB 04/02/1961\nAs of: 03/20/2025\n\n"
    "Levothyroxine 75 mcg tablet - take 1 tablet by mouth daily\n"
    "Lisinopril 10 mg tablet - take 1 tablet by mouth daily\n\n"
    "ALLERGIES\nPenicillin - hives\n"
)
RECIPE = "Lemon drizzle cake\n\n2 cups flour\n1 cup sugar\nBake at 180C for 40 minutes.\n"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A patient's folder with copies of a record, of a recipe, of an old audit log and
    of a file recordpack cannot read, each copy named so that it sorts first."""
    root = tmp_path_factory.mktemp("copies")
    d = root / "Olwen"
    (d / "a old").mkdir(parents=True)
    (d / "pathology.txt").write_text(PATHOLOGY)
    (d / "a old" / "pathology (1).txt").write_text(PATHOLOGY)
    (d / "medications.txt").write_text(MEDICATIONS)
    (d / "recipe.txt").write_text(RECIPE)
    (d / "a old" / "recipe (1).txt").write_text(RECIPE)
    (d / "zscan.xyz").write_bytes(b"\x00\x01 an export no program here reads \x02")
    shutil.copy(d / "zscan.xyz", d / "a old" / "zscan (1).xyz")
    log = AuditLog(root / "elsewhere" / "audit.sqlite3")
    log.append(AuditEvent("pack", "/clinic/out/qav.rpk", "packed", patient=STRANGER))
    shutil.copy(log.path, d / "zlog.sqlite3")
    shutil.copy(log.path, d / "a old" / "zlog copy.sqlite3")
    return d


def _scan(folder: Path, *args: str) -> dict[str, Any]:
    result = run("scan", folder, "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def _pack(folder: Path, tmp_path: Path, *args: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """``folder`` packed with ``args``: pack's JSON and the bundle's index."""
    identity = age.X25519Identity.generate()
    bundle = tmp_path / "b.rpk"
    packed = run(
        "pack", folder, "-o", bundle, "--to", str(identity.recipient()), "--json",
        "--audit-log", tmp_path / "audit.sqlite3", *args,
    )  # fmt: skip
    assert packed.exit_code == 0, packed.output
    return json.loads(packed.stdout), index_of(bundle, [identity])


def test_a_copy_of_a_skipped_file_is_skipped_alike_never_said_to_be_sent(folder: Path) -> None:
    doc = _scan(folder)
    skipped = {s["path"]: s["reason"] for s in doc["skipped"]}
    assert skipped["recipe.txt"] == "not a medical record"
    assert skipped["a old/recipe (1).txt"] == (
        "same content as recipe.txt, which is skipped: not a medical record"
    )
    copy = skipped["a old/zlog copy.sqlite3"]
    assert copy.startswith("same content as zlog.sqlite3, which is skipped: recordpack's audit log")
    assert "never packed" in copy
    problems = {p["path"]: p for p in doc["problems"]}
    assert not {"a old/recipe (1).txt", "a old/zlog copy.sqlite3"} & problems.keys()
    # A copy of a file that is sent still says so, naming it.
    assert problems["a old/pathology (1).txt"]["duplicate_of"] == "pathology.txt"
    assert "it is sent once" in problems["a old/pathology (1).txt"]["hint"]
    human = run("scan", folder).stdout
    assert "same content as recipe.txt, which is skipped" in human
    assert "Same content as recipe.txt" not in human


def test_a_copy_of_the_audit_log_is_never_packed(folder: Path, tmp_path: Path) -> None:
    packed, index = _pack(folder, tmp_path, "--accept-incomplete")
    originals = {f["original"] for f in index["files"]}
    assert not {"zlog.sqlite3", "a old/zlog copy.sqlite3", "a old/recipe (1).txt"} & originals
    assert STRANGER not in json.dumps(index)
    omitted = {o["path"]: o["code"] for o in packed["omitted"]}
    assert omitted["a old/zlog copy.sqlite3"] == "skipped"
    assert omitted["a old/recipe (1).txt"] == "skipped"


def test_a_copy_of_a_paper_the_user_labels_is_a_duplicate_of_it_again(folder: Path) -> None:
    doc = _scan(folder, "--label", "recipe.txt=other")
    assert "recipe.txt" in [f for r in doc["records"] for f in r["files"]]
    problems = {p["path"]: p for p in doc["problems"]}
    assert problems["a old/recipe (1).txt"]["duplicate_of"] == "recipe.txt"
    assert not [s for s in doc["skipped"] if "recipe" in s["path"]]


def test_the_copy_sent_of_a_problem_file_is_the_one_scan_names(
    folder: Path, tmp_path: Path
) -> None:
    problems = {p["path"]: p for p in _scan(folder)["problems"]}
    assert problems["a old/zscan (1).xyz"]["duplicate_of"] == "zscan.xyz"
    _, index = _pack(folder, tmp_path, "--accept-incomplete")
    sent = [f for f in index["files"] if f["original"].endswith(".xyz")]
    assert [f["original"] for f in sent] == ["zscan.xyz"]
    assert index["duplicates"] == [
        d for d in index["duplicates"] if d["original"] != "zscan.xyz"
    ] and {"original": "a old/zscan (1).xyz", "same_as": sent[0]["path"]} in index["duplicates"]


def test_a_kept_copy_of_a_file_left_out_is_sent_as_its_record(
    folder: Path, tmp_path: Path
) -> None:
    packed, index = _pack(
        folder, tmp_path, "--exclude", "pathology.txt", "-m", "breast", "--accept-incomplete"
    )
    (record,) = [r for r in index["records"] if r["kind"] == "pathology_report"]
    assert record["original_files"] == ["a old/pathology (1).txt"]
    (file,) = [f for f in index["files"] if f["original"] == "a old/pathology (1).txt"]
    assert file["role"] == "record"
    assert {"original": "pathology.txt", "reason": "excluded by the user"} in index["excluded"]
    (pathology,) = [r for r in index["check"]["requirements"] if r["id"] == "pathology"]
    assert pathology["status"] == "met" and pathology["files"] == ["a old/pathology (1).txt"]
    assert not [f for f in index["check"]["findings"] if f["code"] == "duplicate"
                and "pathology.txt" in f["paths"]]  # fmt: skip
    assert not [p for p in index["problems"] if p["path"] == "a old/pathology (1).txt"]
    assert packed["records"] == 2
    omitted = {o["path"]: o["code"] for o in packed["omitted"]}
    assert omitted["pathology.txt"] == "excluded"


def test_a_record_left_out_on_the_web_leaves_its_copies_out_and_says_so(
    signed_in: Any, home: Any, tmp_path: Path
) -> None:
    """The page offers records only, so a copy goes where its record goes."""
    from tests.web_helpers import text_of

    original, copy = "Downloads/report(3).pdf", "Downloads/report(3) (1).pdf"
    signed_in.post("/choose/records", {"id": signed_in.web.chooser.issue(home.records)})
    assert signed_in.wait() == "done"
    page = text_of(signed_in.http.get("/records").text)
    assert f"Same content as {original}: it is listed once" in page
    signed_in.post("/decide", {"action": "leave-out", "path": original})
    page = text_of(signed_in.http.get("/records").text)
    assert f"Same content as {original}: it is listed once" not in page
    assert f"Same content as {original}, which you left out: this copy is left out with it." in page
    # The check the pack page makes, and the bundle it writes, agree: neither is sent.
    signed_in.post("/check", {"manifest": "general"})
    checked = service.check_folder(signed_in.web.session.prepared, "general", [original])
    sent = {p for r in workflow.without_excluded(checked.scan, checked.exclusions).records
            for p in r.files}  # fmt: skip
    assert not {original, copy} & sent
