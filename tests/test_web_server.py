"""The local web app through Starlette's test client: every route, and every safety check.

Each refusal test fails when its check is removed from ``recordpack.web.security``
or the routes: the same request with the check satisfied succeeds.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from recordpack import age, workflow
from recordpack.bundle.reader import verify_bundle
from recordpack.web import service
from recordpack.web.jobs import Jobs
from recordpack.web.security import CSP
from tests.web_helpers import (
    BIDI_NAME,
    ORIGIN,
    PORT,
    STRANGER,
    Client,
    Home,
    add_bidi_named_note,
    add_second_stranger,
    client,
    job_id_from,
    text_of,
    tree_digest,
)

pytest_plugins = ("tests.web_helpers",)  # the home and signed_in fixtures

#: What a page sent from another folder's (or an older reading's) page is answered with.
OUT_OF_DATE = (
    "This page was out of date: it showed another folder (or an older reading of it). "
    "Nothing was changed; here is the current page."
)

# --------------------------------------------------------------------------- the token and cookie


def test_first_visit_exchanges_the_token_for_a_strict_cookie_and_drops_it_from_the_address(
    home: Home,
) -> None:
    c = client()
    http = c.http
    http.cookies.clear()
    answer = http.get(f"/check?token={c.secrets.token}&x=1", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/check?x=1"
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"recordpack-{PORT}={c.secrets.session};")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert c.secrets.token not in cookie
    # The cookie alone now opens every page.
    assert http.get("/", follow_redirects=False).status_code == 200


@pytest.mark.parametrize(
    "path", ["/", "/records", "/static/app.css", "/static/app.js", "/api/jobs/x", "/choose/records"]
)
def test_every_route_needs_the_token_or_the_cookie(home: Home, path: str) -> None:
    c = client()
    c.http.cookies.clear()
    refused = c.http.get(path, follow_redirects=False)
    assert refused.status_code == 403
    assert "link that recordpack printed" in refused.text
    for token in ["x" * 43, "é" * 43, ""]:
        wrong = c.http.get(path, params={"token": token}, follow_redirects=False)
        assert wrong.status_code == 403
    raw = f"recordpack-{PORT}=ünïcode".encode()
    assert c.http.get(path, headers={"cookie": raw}, follow_redirects=False).status_code == 403
    c.http.cookies.set(f"recordpack-{PORT}", c.secrets.token)
    forged = c.http.get(path, follow_redirects=False)
    assert forged.status_code == 403  # the URL token is not the cookie's value


def test_a_post_with_the_token_in_the_address_is_not_signed_in(home: Home) -> None:
    c = client()
    c.http.cookies.clear()
    answer = c.http.post(
        f"/close?token={c.secrets.token}",
        data={"csrf": c.secrets.csrf},
        headers={"origin": ORIGIN},
        follow_redirects=False,
    )
    assert answer.status_code == 403


# --------------------------------------------------------------------------- Host and Origin


@pytest.mark.parametrize(
    "host", ["evil.example", f"evil.example:{PORT}", "127.0.0.1:1", f"127.0.0.2:{PORT}", ""]
)
def test_a_foreign_host_header_is_refused(signed_in: Client, host: str) -> None:
    answer = signed_in.http.get("/", headers={"host": host})
    assert answer.status_code == 400
    assert "not served here" in answer.text


def test_localhost_with_the_port_is_accepted(signed_in: Client) -> None:
    assert signed_in.http.get("/", headers={"host": f"localhost:{PORT}"}).status_code == 200


@pytest.mark.parametrize(
    "origin", [None, "http://evil.example", f"http://127.0.0.1:{PORT + 1}", "null"]
)
def test_a_state_changing_request_from_another_origin_is_refused(
    signed_in: Client, origin: str | None
) -> None:
    headers = {"origin": origin} if origin else {}
    answer = signed_in.http.post(
        "/check", data={"csrf": signed_in.secrets.csrf, "manifest": "breast"}, headers=headers
    )
    assert answer.status_code == 403
    assert signed_in.web.session.manifest is None


@pytest.mark.parametrize(
    "path",
    [
        "/choose/records",
        "/records",
        "/check",
        "/decide",
        "/pack",
        "/open",
        "/close",
        "/letters",
        "/jobs/x/cancel",
    ],
)
def test_every_form_needs_the_csrf_token(signed_in: Client, path: str) -> None:
    shut: list[bool] = []
    signed_in.web.shutdown = lambda: shut.append(True)
    for wrong in ["wrong", "ü" * 43]:
        answer = signed_in.http.post(path, data={"csrf": wrong}, headers={"origin": ORIGIN})
        assert answer.status_code == 403
    missing = signed_in.http.post(path, data={}, headers={"origin": ORIGIN})
    assert missing.status_code == 403
    time.sleep(0.3)
    assert not shut


def test_the_key_check_needs_the_csrf_header(signed_in: Client) -> None:
    body = json.dumps({"key": "age1"})
    refused = signed_in.http.post(
        "/api/recipient",
        content=body,
        headers={"origin": ORIGIN, "content-type": "application/json"},
    )
    assert refused.status_code == 403
    allowed = signed_in.http.post(
        "/api/recipient",
        content=body,
        headers={"origin": ORIGIN, "x-csrf-token": signed_in.secrets.csrf},
    )
    assert allowed.status_code == 200
    garbled = signed_in.http.post(
        "/api/recipient",
        content=b"{not json",
        headers={"origin": ORIGIN, "x-csrf-token": signed_in.secrets.csrf},
    )
    assert garbled.status_code == 400


# --------------------------------------------------------------------------- headers and pages


def test_pages_carry_a_strict_policy_and_no_inline_script_or_style(signed_in: Client) -> None:
    for path in ["/", "/choose/records", "/open", "/static/app.css"]:
        answer = signed_in.http.get(path)
        assert answer.status_code == 200
        assert answer.headers["content-security-policy"] == CSP
        assert "unsafe-inline" not in CSP and "default-src 'self'" in CSP
        assert "frame-ancestors 'none'" in CSP
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["cache-control"] == "no-store"
        assert answer.headers["x-content-type-options"] == "nosniff"
        if path.endswith(".css"):
            continue
        html = answer.text
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert not re.search(r"\sstyle=|\son[a-z]+=|<style", html), path
        assert not re.search(r"(src|href)=\"(https?:)?//", html), path  # nothing from a network


def test_every_control_has_a_label(signed_in: Client, home: Home) -> None:
    signed_in.post("/choose/records", {"id": signed_in.web.chooser.issue(home.records)})
    assert signed_in.wait() == "done"
    signed_in.post("/check", {"manifest": "breast"})
    signed_in.post("/decide", {"action": "leave-out", "path": STRANGER})
    for path in ["/records", "/check", "/pack", "/open"]:
        html = signed_in.http.get(path).text
        ids = set(re.findall(r"<(?:input|select|textarea)[^>]*\bid=\"([^\"]+)\"", html))
        labelled = set(re.findall(r"<label[^>]*\bfor=\"([^\"]+)\"", html))
        assert ids <= labelled, (path, ids - labelled)
        for control in re.findall(r"<(?:input|select)(?![^>]*type=\"hidden\")[^>]*>", html):
            if "id=" not in control:  # then it must sit inside its label
                assert re.search(r"<label[^>]*>\s*" + re.escape(control), html), (path, control)


# --------------------------------------------------------------------------- the folder chooser


def test_the_chooser_starts_at_home_and_lists_folders_only(signed_in: Client, home: Home) -> None:
    (home.home / "notes.txt").write_text("not a folder")
    (home.home / ".hidden").mkdir()
    page = text_of(signed_in.http.get("/choose/records").text)
    assert re.search(r"Choose your records folder Home ", page)
    assert "My records" in page
    assert "notes.txt" not in page and ".hidden" not in page


def test_the_chooser_refuses_ids_it_did_not_issue_and_paths(signed_in: Client, home: Home) -> None:
    for at in ["../../etc", "/etc", str(home.records), "x" * 12]:
        answer = signed_in.http.get("/choose/records", params={"at": at})
        assert answer.status_code == 400
        assert "not one this page offered" in answer.text
        posted = signed_in.post("/choose/records", {"id": at})
        assert posted.status_code == 400  # type: ignore[attr-defined]
    assert signed_in.web.session.folder is None


def test_the_chooser_goes_into_a_folder_and_up(signed_in: Client, home: Home) -> None:
    html = signed_in.http.get("/choose/records").text
    into = re.search(
        r'href="/choose/records\?at=([\w-]+)"><span[^>]*>[^<]*</span> My records<', html
    )
    assert into
    inside = signed_in.http.get("/choose/records", params={"at": into.group(1)}).text
    assert "Downloads" in inside and "Harbor Oncology" in inside
    assert "Up one level (home)" in text_of(inside)


def test_the_bundle_chooser_lists_bundles_and_key_files(signed_in: Client, home: Home) -> None:
    (home.home / "records.rpk").write_bytes(b"x")
    (home.home / "key.txt").write_text("x")
    assert "records.rpk" in signed_in.http.get("/choose/bundle").text
    assert "key.txt" not in signed_in.http.get("/choose/bundle").text
    assert "key.txt" in signed_in.http.get("/choose/identity").text
    assert signed_in.http.get("/choose/nothing").status_code == 400


# --------------------------------------------------------------------------- records, check, pack


def _scan(c: Client, home: Home) -> None:
    answer = c.post("/choose/records", {"id": c.web.chooser.issue(home.records)})
    # On the progress page, or already on the records when the scan was that quick.
    assert re.search(r"/(jobs/[\w-]+|records)$", str(answer.url))  # type: ignore[attr-defined]
    assert c.wait() == "done"


def test_records_page_shows_the_patient_kinds_studies_problems_and_the_stranger(
    signed_in: Client, home: Home
) -> None:
    before = tree_digest(home.records)
    _scan(signed_in, home)
    page = text_of(signed_in.http.get("/records").text)
    assert "These records are about HARROWGATE, DELPHINE M, born 1963-05-11" in page
    assert "Pathology reports (1)" in page and "Surgical pathology report" in page
    assert "MAMMO DIAG BILAT W TOMO" in page and "AX T1 POST GAD (MR), 3 images" in page
    assert "A record that may not be yours" in page and "PELLINORE, GORDON T" in page
    assert "Files to look at (1)" in page and "duplicate copy" in page
    assert "What to do:" in page
    assert "Files skipped because they are not records" in page
    assert tree_digest(home.records) == before


def test_a_kind_scan_is_unsure_of_is_confirmed_with_a_tick(signed_in: Client, home: Home) -> None:
    # A printout whose few words leave scan unsure; its file name says lab results.
    (home.records / "psa-results.txt").write_text(
        "CUMULATIVE LAB REPORT\nTest  Units  Results\n"
        "PSA, total  ng/mL  03/02/2025 4.1  09/15/2025 5.6\n"
    )
    _scan(signed_in, home)
    scan = signed_in.web.session.scan
    assert scan is not None
    number, record = next(
        (n, r) for n, r in enumerate(scan.records) if r.files[0] == "psa-results.txt"
    )
    assert record.kind == "lab_result" and record.confidence < 0.5
    html = signed_in.http.get("/records").text
    item = html[html.index(f'id="record-{number}"') :]
    item = item[: item.index("</li>")]
    assert "not sure of its kind" in text_of(item) and f'name="sure-{number}"' in item
    signed_in.post("/records", {f"kind-{number}": "lab_result", f"sure-{number}": "1"})
    assert signed_in.wait() == "done"
    again = signed_in.web.session.scan
    assert again is not None
    confirmed = next(r for r in again.records if r.files[0] == "psa-results.txt")
    assert confirmed.kind == "lab_result" and confirmed.confidence == 1.0
    html = signed_in.http.get("/records").text
    assert f'name="sure-{number}"' not in html


def test_a_correction_and_a_left_out_file_are_saved_outside_the_folder_and_reused(
    signed_in: Client, home: Home
) -> None:
    before = tree_digest(home.records)
    _scan(signed_in, home)
    scan = signed_in.web.session.scan
    assert scan is not None
    numbers = {r.files[0]: n for n, r in enumerate(scan.records)}
    education = numbers["Harbor Oncology/Chemotherapy and You.pdf"]
    form = {f"kind-{education}": "treatment_plan"}
    form[f"out-{numbers[STRANGER]}"] = "1"
    signed_in.post("/records", form)
    assert signed_in.wait() == "done"
    saved = list((home.data / "folders").glob("*.json"))
    assert len(saved) == 1
    document = json.loads(saved[0].read_text())
    assert document["kinds"] == {"Harbor Oncology/Chemotherapy and You.pdf": "treatment_plan"}
    assert document["left_out"] == [STRANGER]
    assert tree_digest(home.records) == before

    again = client()  # the next launch
    _scan(again, home)
    page = text_of(again.http.get("/records").text)
    assert "kind changed by you" in page and "left out" in page
    assert "A record that may not be yours" not in page
    kinds = {r.files[0]: r.kind for r in again.web.session.scan.records}  # type: ignore[union-attr]
    assert kinds["Harbor Oncology/Chemotherapy and You.pdf"] == "treatment_plan"


def test_a_choice_made_on_a_file_never_passes_to_the_file_that_replaced_it(
    signed_in: Client, home: Home
) -> None:
    education = "Harbor Oncology/Chemotherapy and You.pdf"
    _scan(signed_in, home)
    scan = signed_in.web.session.scan
    assert scan is not None
    numbers = {r.files[0]: n for n, r in enumerate(scan.records)}
    scanned_kind = {r.files[0]: r.kind for r in scan.records}
    signed_in.post(
        "/records", {f"kind-{numbers[education]}": "treatment_plan", f"out-{numbers[STRANGER]}": "1"}
    )
    assert signed_in.wait() == "done"
    document = json.loads(next((home.data / "folders").glob("*.json")).read_text())
    assert set(document["contents"]) == {education, STRANGER}

    # Both files are replaced by other records under the same names (a new download).
    records = home.records
    (records / education).write_bytes((records / "Harbor Oncology/Visit 2026-11-12.pdf").read_bytes())
    (records / STRANGER).write_bytes((records / "Downloads/LabResults_2026-11-04.pdf").read_bytes())

    again = client()  # the next launch
    _scan(again, home)
    page = text_of(again.http.get("/records").text)
    assert "have been replaced or changed since; they were forgotten" in page
    rescanned = again.web.session.scan
    assert rescanned is not None
    kinds = {r.files[0]: r.kind for r in rescanned.records}
    assert kinds[education] == scanned_kind["Harbor Oncology/Visit 2026-11-12.pdf"] != "treatment_plan"
    choices = again.web.session.choices
    assert choices is not None and STRANGER not in choices.left_out and not choices.kinds
    assert "kind changed by you" not in page


def test_choices_saved_without_their_files_contents_are_not_applied(
    signed_in: Client, home: Home
) -> None:
    from recordpack.web import store

    education = "Harbor Oncology/Chemotherapy and You.pdf"
    store.save(store.Choices(str(home.records), {education: "treatment_plan"}, [STRANGER]))
    _scan(signed_in, home)
    kinds = {r.files[0]: r.kind for r in signed_in.web.session.scan.records}  # type: ignore[union-attr]
    assert kinds[education] != "treatment_plan"
    assert "they were forgotten" in text_of(signed_in.http.get("/records").text)
    assert "A record that may not be yours" in text_of(signed_in.http.get("/records").text)


def test_a_stale_page_cannot_change_the_records(signed_in: Client, home: Home) -> None:
    _scan(signed_in, home)
    old_page = {"reading": signed_in.web.session.reading, "kind-0": "other", "out-0": "1"}
    _scan(signed_in, home)  # read again (another tab chose the folder again)
    answer = signed_in.post("/records", old_page)
    assert str(answer.url).endswith("/records?out-of-date=other-reading")  # type: ignore[attr-defined]
    assert OUT_OF_DATE in text_of(answer.text)  # type: ignore[attr-defined]
    assert not list(home.data.glob("folders/*.json"))


def test_record_files_are_served_by_id_only(signed_in: Client, home: Home) -> None:
    _scan(signed_in, home)
    scan = signed_in.web.session.scan
    assert scan is not None
    number = next(n for n, r in enumerate(scan.records) if r.files[0] == "Downloads/report(3).pdf")
    g = signed_in.web.session.generation
    shown = signed_in.http.get(f"/records/{number}/file", params={"g": g})
    assert shown.status_code == 200
    assert shown.headers["content-type"] == "application/pdf"
    assert shown.content == (home.records / "Downloads/report(3).pdf").read_bytes()
    assert "default-src 'none'" in shown.headers["content-security-policy"]
    for bad in [
        f"/records/{number}/file?g={g + 1}",
        "/records/999/file?g=1",
        "/records/-1/file?g=1",
    ]:
        assert signed_in.http.get(bad).status_code == 404
    for trick in ["/records/..%2F..%2Fetc%2Fpasswd/file", "/records/%2Fetc%2Fpasswd/file"]:
        assert signed_in.http.get(trick).status_code == 404
    assert signed_in.http.get("/static/../app.py").status_code == 404


def test_check_says_what_is_missing_and_blocks_the_stranger(signed_in: Client, home: Home) -> None:
    _scan(signed_in, home)
    signed_in.post("/check", {"manifest": "breast"})
    page = text_of(signed_in.http.get("/check").text)
    assert "Not ready yet: 1 thing needs your attention" in page
    assert "A record that may not be yours" in page
    assert "Leave it out" in page and "It is mine: send it" in page
    assert "Next: lock and save" not in page
    # The pack page refuses, and nothing is written.
    out = home.home / "recordpack-bundles"
    answer = signed_in.post("/pack", {"how": "passphrase"})
    assert answer.status_code == 400  # type: ignore[attr-defined]
    assert "not decided on yet" in text_of(answer.text)  # type: ignore[attr-defined]
    assert not out.exists() or not any(out.iterdir())

    signed_in.post("/decide", {"action": "leave-out", "path": STRANGER})
    ready = text_of(signed_in.http.get("/check").text)
    assert (
        "Ready to send: everything on the “Breast cancer second opinion” checklist is here" in ready
    )
    assert "Left out by you" in ready and STRANGER in ready
    signed_in.post("/decide", {"action": "put-back", "path": STRANGER})
    assert "Not ready yet" in text_of(signed_in.http.get("/check").text)


def test_check_of_an_incomplete_folder_says_why_and_how(signed_in: Client, home: Home) -> None:
    import shutil

    shutil.rmtree(home.records / "Harbor Oncology")
    _scan(signed_in, home)
    signed_in.post("/check", {"manifest": "breast"})
    signed_in.post("/decide", {"action": "leave-out", "path": STRANGER})
    page = text_of(signed_in.http.get("/check").text)
    assert "Missing: " in page and "Why it matters:" in page and "How to get it:" in page
    assert "Send what I have anyway" in page
    signed_in.post("/decide", {"action": "accept-incomplete"})
    assert "Next: lock and save" in text_of(signed_in.http.get("/check").text)


def test_a_secret_key_pasted_by_mistake_is_refused_with_the_cli_warning(
    signed_in: Client, home: Home
) -> None:
    identity = age.X25519Identity.generate()
    answer = signed_in.http.post(
        "/api/recipient",
        json={"key": str(identity)},
        headers={"origin": ORIGIN, "x-csrf-token": signed_in.secrets.csrf},
    ).json()
    assert answer["ok"] is False
    assert answer["message"] == "this is a secret key, not a public key"
    assert "Never send or share a secret key" in answer["hint"]
    good = signed_in.http.post(
        "/api/recipient",
        json={"key": str(identity.recipient())},
        headers={"origin": ORIGIN, "x-csrf-token": signed_in.secrets.csrf},
    ).json()
    assert good["ok"] is True

    _scan(signed_in, home)
    signed_in.post("/check", {"manifest": "breast"})
    signed_in.post("/decide", {"action": "leave-out", "path": STRANGER})
    refused = signed_in.post("/pack", {"how": "key", "key": str(identity)})
    assert refused.status_code == 400  # type: ignore[attr-defined]
    assert "Never send or share a secret key" in refused.text  # type: ignore[attr-defined]
    assert not (home.home / "recordpack-bundles").exists() or not any(
        (home.home / "recordpack-bundles").iterdir()
    )


def _ready_to_pack(c: Client, home: Home) -> None:
    _scan(c, home)
    c.post("/check", {"manifest": "breast"})
    c.post("/decide", {"action": "leave-out", "path": STRANGER})


def test_pack_to_a_pasted_key_then_the_specialist_opens_it(signed_in: Client, home: Home) -> None:
    before = tree_digest(home.records)
    identity = age.X25519Identity.generate()
    _ready_to_pack(signed_in, home)
    assert "recordpack-bundles" in text_of(signed_in.http.get("/pack").text)
    answer = signed_in.post("/pack", {"how": "key", "key": str(identity.recipient())})
    assert signed_in.wait() == "done"
    done = text_of(signed_in.http.get("/done").text)
    bundles = list((home.home / "recordpack-bundles").glob("*.rpk"))
    assert len(bundles) == 1, answer
    assert f"Home/recordpack-bundles/{bundles[0].name}" in done
    assert "21 records locked into one file" in done
    assert "1 file left out as you asked" in done
    assert "Only the specialist who holds the matching secret key can open it" in done
    assert "Not in the bundle (" in done and f"{STRANGER}: left out as asked" in done
    verified = verify_bundle(bundles[0], [identity])
    originals = [p for r in verified.index["records"] for p in r["original_files"]]
    assert STRANGER not in originals
    assert tree_digest(home.records) == before

    # The specialist: choose the bundle and the key file, open, read, follow a link.
    key_file = age.write_identity_file(home.home / "specialist-key.txt", identity)
    specialist = client()
    specialist.post("/choose/bundle", {"id": specialist.web.chooser.issue(bundles[0])})
    specialist.post("/choose/identity", {"id": specialist.web.chooser.issue(key_file)})
    opened = specialist.post("/open", {})
    assert re.search(r"/(jobs/[\w-]+|opened)$", str(opened.url))  # type: ignore[attr-defined]
    assert specialist.wait() == "done"
    page_html = specialist.http.get("/opened").text
    page = text_of(page_html)
    assert "all intact" in page and "HARROWGATE, DELPHINE M" in page
    assert "Surgical pathology report" in page
    assert "Everything on the “Breast cancer second opinion” checklist was there" in page
    link = re.search(r'href="(/opened/\d+/file)"[^>]*>2026-08-14_surgical', page_html)
    assert link
    record = specialist.http.get(link.group(1))
    assert record.content == (home.records / "Downloads/report(3).pdf").read_bytes()
    assert specialist.http.get("/opened/9999/file").status_code == 404

    # Both steps are in the audit log, as they would be from the command line.
    from recordpack.audit import AuditLog, default_log_path

    events = [e.event for e in AuditLog(default_log_path()).events()]
    packed = [e for e in events if e.action == "pack" and e.subject == str(bundles[0])]
    assert [e.outcome for e in packed] == ["packed"]
    assert packed[0].recipients == (str(identity.recipient()),)
    assert any(e.action == "open" and e.subject == str(bundles[0]) for e in events)


def test_pack_to_an_uploaded_key_file(signed_in: Client, home: Home) -> None:
    identity = age.X25519Identity.generate()
    _ready_to_pack(signed_in, home)
    upload = f"# the specialist's key\n{identity.recipient()}\n".encode()
    signed_in.post("/pack", {"how": "key"}, files={"key_file": ("key.txt", upload, "text/plain")})
    assert signed_in.wait() == "done"
    bundle = next((home.home / "recordpack-bundles").glob("*.rpk"))
    assert verify_bundle(bundle, [identity]).files > 0


def test_an_uploaded_secret_key_file_is_refused(signed_in: Client, home: Home) -> None:
    identity = age.X25519Identity.generate()
    _ready_to_pack(signed_in, home)
    answer = signed_in.post(
        "/pack",
        {"how": "key"},
        files={"key_file": ("key.txt", f"{identity}\n".encode(), "text/plain")},
    )
    assert answer.status_code == 400  # type: ignore[attr-defined]
    page = text_of(answer.text)  # type: ignore[attr-defined]
    assert "the key file, line 1: this is a secret key, not a public key" in page
    assert "recordpack-key-" not in page  # no temporary path shown


def test_pack_with_a_passphrase_shows_it_once_and_never_stores_it(
    signed_in: Client, home: Home
) -> None:
    _ready_to_pack(signed_in, home)
    signed_in.post("/pack", {"how": "passphrase"})
    assert signed_in.wait() == "done"
    passphrase = signed_in.web.session.passphrase
    assert passphrase and len(passphrase.split("-")) == 7
    page = text_of(signed_in.http.get("/done").text)
    assert passphrase in page and "Copy the passphrase" in page
    assert "never put it in the same email" in page.lower()
    bundle = next((home.home / "recordpack-bundles").glob("*.rpk"))
    assert verify_bundle(bundle, [age.ScryptIdentity(passphrase)]).files > 0
    for stored in home.data.rglob("*"):
        if stored.is_file():  # the saved corrections, the audit log (SQLite) ...
            assert passphrase.encode() not in stored.read_bytes()

    # The specialist types it.
    specialist = client()
    specialist.post("/choose/bundle", {"id": specialist.web.chooser.issue(bundle)})
    assert "The passphrase the sender gave you" in specialist.http.get("/open").text
    wrong = specialist.post("/open", {"passphrase": "not-it"})
    assert "/jobs/" in str(wrong.url)  # type: ignore[attr-defined]
    assert specialist.wait() == "failed"
    failed = text_of(specialist.http.get(str(wrong.url)).text)  # type: ignore[attr-defined]
    assert "This did not work" in failed and "What to do" in failed
    specialist.web.session.open_job = None
    specialist.post("/open", {"passphrase": passphrase})
    assert specialist.wait() == "done"
    assert "all intact" in specialist.http.get("/opened").text


def test_the_output_folder_is_never_inside_the_records_folder(
    signed_in: Client, home: Home
) -> None:
    _ready_to_pack(signed_in, home)
    signed_in.post(
        "/choose/output", {"id": signed_in.web.chooser.issue(home.records / "Downloads")}
    )
    answer = signed_in.post("/pack", {"how": "passphrase"})
    assert answer.status_code == 400  # type: ignore[attr-defined]
    assert "cannot be saved inside the records folder" in answer.text  # type: ignore[attr-defined]
    assert not list(home.records.rglob("*.rpk"))


def test_open_without_a_bundle_or_key_says_what_to_do(signed_in: Client) -> None:
    answer = signed_in.post("/open", {})
    assert answer.status_code == 400  # type: ignore[attr-defined]
    assert "First choose the bundle you received" in answer.text  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- progress and cancel


def test_job_progress_is_reported_and_cancel_stops_it() -> None:
    jobs = Jobs()
    started = []

    def work(progress: service.Progress, cancel: service.CancelToken) -> None:
        for n in range(10_000):
            cancel.raise_if_cancelled()
            progress(n, 10_000)
            started.append(n)
            time.sleep(0.001)

    job = jobs.start("t", "files", "/done", "/back", work)
    while not started:
        time.sleep(0.01)
    assert job.to_json()["state"] == "running"
    job.cancel.cancel()
    jobs.join_all(5)
    assert job.state == "cancelled"
    assert len(started) < 10_000


def test_a_cancelled_pack_leaves_no_file(signed_in: Client, home: Home) -> None:
    _ready_to_pack(signed_in, home)
    prepared = signed_in.web.session.prepared
    assert prepared is not None
    checked = service.check_folder(prepared, "breast", [STRANGER])
    decision = service.gate(checked, False, False)
    assert decision.allowed
    token = service.CancelToken()
    token.cancel()
    out = home.home / "cancelled.rpk"
    with pytest.raises(service.Cancelled):
        service.pack_folder(
            checked,
            decision,
            out,
            service.passphrase_recipients(service.generate_passphrase()),
            lambda d, t: None,
            token,
        )
    assert list(home.home.glob("*cancelled*")) == []


def test_the_cancel_route_cancels_a_running_scan(signed_in: Client, home: Home) -> None:
    gate = service.CancelToken()  # holds the scan until the test has pressed Cancel

    original = service.scan

    def slow_scan(folder, kinds, progress, cancel, contents=None):  # type: ignore[no-untyped-def]
        while not cancel.cancelled and not gate.cancelled:
            time.sleep(0.01)
        return original(folder, kinds, progress, cancel, contents)

    service.scan = slow_scan
    try:
        answer = signed_in.post(
            "/choose/records", {"id": signed_in.web.chooser.issue(home.records)}
        )
        job = job_id_from(str(answer.url))  # type: ignore[attr-defined]
        progress = signed_in.http.get(f"/api/jobs/{job}").json()
        assert progress["state"] == "running"
        signed_in.post(f"/jobs/{job}/cancel")
        assert signed_in.wait(job) == "cancelled"
        page = text_of(signed_in.http.get(f"/jobs/{job}").text)
        assert "Cancelled. Nothing was changed" in page
    finally:
        gate.cancel()
        service.scan = original
    assert signed_in.web.session.scan is None
    assert signed_in.http.get("/api/jobs/nothing").status_code == 404


def test_close_stops_the_server(signed_in: Client) -> None:
    stopped: list[bool] = []
    signed_in.web.shutdown = lambda: stopped.append(True)
    page = signed_in.post("/close")
    assert "recordpack is closed" in page.text  # type: ignore[attr-defined]
    deadline = time.monotonic() + 10  # the page is sent first; the server stops just after
    while not stopped and time.monotonic() < deadline:
        time.sleep(0.05)
    assert stopped == [True]


# --------------------------------------------------------------------------- the real command


def test_recordpack_ui_serves_on_loopback_with_a_token_and_closes(home: Home) -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "recordpack",
            "ui",
            str(home.records),
            "--no-browser",
            "--port",
            "0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        match = re.fullmatch(r"http://127\.0\.0\.1:(\d+)/records\?token=([\w-]{40,})", line)
        assert match, line
        port = int(match.group(1))
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base) as http:
            assert http.get("/").status_code == 403
            assert http.get("/", headers={"host": f"evil.example:{port}"}).status_code == 400
            page = http.get(line, follow_redirects=True)
            assert page.status_code == 200 and "token=" not in str(page.url)
            for _ in range(200):
                if "records are about" in page.text:
                    break
                time.sleep(0.1)
                page = http.get("/records", follow_redirects=True)
            assert "HARROWGATE, DELPHINE M" in text_of(page.text)
            csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
            assert csrf
            refused = http.post(
                "/close", data={"csrf": csrf.group(1)}, headers={"origin": "http://evil.example"}
            )
            assert refused.status_code == 403
            closed = http.post("/close", data={"csrf": csrf.group(1)}, headers={"origin": base})
            assert "recordpack is closed" in closed.text
        assert process.wait(timeout=20) == 0
        assert "stopped" in (process.stderr.read() if process.stderr else "")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_recordpack_ui_refuses_a_port_in_use(home: Home) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "recordpack", "ui", "--no-browser", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 2
    assert f"cannot listen on port {port}" in result.stderr
    assert "--port 0" in result.stderr
    assert result.stdout == ""


def test_the_ui_listens_on_loopback_only(home: Home) -> None:
    from recordpack.web.server import bind

    sock = bind(0)
    try:
        assert sock.getsockname()[0] == "127.0.0.1"
    finally:
        sock.close()


# --------------------------------------------------------------------------- hostile and real input


def test_names_and_titles_from_the_records_are_shown_as_text_never_as_markup(
    signed_in: Client, home: Home
) -> None:
    hostile = '<img src=x onerror="alert(1)">.txt'
    (home.records / hostile).write_text(
        "PROGRESS NOTE <script>alert(2)</script>\nPatient: HARROWGATE, DELPHINE M\nDate: 2026-11-01\n"
    )
    _scan(signed_in, home)
    html = signed_in.http.get("/records").text
    assert "<img src=x" not in html and "<script>alert" not in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;.txt" in html


def test_the_specialist_page_links_only_files_inside_the_opened_bundle(
    signed_in: Client, tmp_path: Path
) -> None:
    from recordpack.bundle.reader import OpenResult

    bag = tmp_path / "opened" / "bag"
    (bag / "data").mkdir(parents=True)
    (bag / "data" / "ok.txt").write_text("a record")
    (tmp_path / "opened" / "secret.txt").write_text("not a record")
    (bag / "data" / "link.txt").symlink_to(tmp_path / "opened" / "secret.txt")
    index = {
        "patient": {"name": "<b>Someone</b>"},
        "records": [
            {
                "kind": "clinical_note",
                "title": "<script>x</script>",
                "files": ["data/ok.txt", "../secret.txt", "/etc/passwd", "data/link.txt"],
            }
        ],
    }
    signed_in.web.session.opened = OpenResult(tmp_path / "opened", bag, index, 1, 8, None, None)
    html = signed_in.http.get("/opened").text
    assert "&lt;b&gt;Someone&lt;/b&gt;" in html and "<script>x" not in html
    links = re.findall(r'href="(/opened/\d+/file)"', html)
    assert len(links) == 1
    assert signed_in.http.get(links[0]).text == "a record"
    assert signed_in.http.get("/opened/1/file").status_code == 404


def test_a_real_world_folder_the_app_has_never_seen(
    signed_in: Client, home: Home, corpus: Path
) -> None:
    folder = home.home / "corpus"
    shutil.copytree(corpus, folder)
    before = tree_digest(folder)
    signed_in.post("/choose/records", {"id": signed_in.web.chooser.issue(folder)})
    assert signed_in.wait(timeout=300) == "done"
    scan = signed_in.web.session.scan
    assert scan is not None and len(scan.records) > 50
    page = text_of(signed_in.http.get("/records").text)
    assert f"Found {len(scan.records)} records" in page
    signed_in.post("/check", {"manifest": "general"})
    check = signed_in.http.get("/check")
    assert check.status_code == 200
    assert "Ready to send" in check.text or "Not ready yet" in check.text
    assert tree_digest(folder) == before


@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGTERM"])
def test_ctrl_c_stops_recordpack_ui_cleanly(home: Home, signal_name: str) -> None:
    import signal

    process = subprocess.Popen(
        [sys.executable, "-m", "recordpack", "ui", "--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().startswith("http://127.0.0.1:")
        process.send_signal(getattr(signal, signal_name))
        assert process.wait(timeout=20) == 0
        stderr = process.stderr.read() if process.stderr else ""
        assert "Traceback" not in stderr and "stopped" in stderr
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_packing_progress_is_shown_in_sizes_and_percent(signed_in: Client) -> None:
    release = service.CancelToken()

    def work(progress: service.Progress, cancel: service.CancelToken) -> None:
        progress(2_500_000, 10_000_000)
        while not release.cancelled and not cancel.cancelled:
            time.sleep(0.01)

    job = signed_in.web.jobs.start(
        "Packing and locking your records", "bytes", "/done", "/pack", work
    )
    try:
        while job.total == 0:
            time.sleep(0.01)
        page = text_of(signed_in.http.get(f"/jobs/{job.id}").text)
        assert "25% done (2.5 MB of 10.0 MB)" in page
        assert signed_in.http.get(f"/api/jobs/{job.id}").json()["done"] == 2_500_000
    finally:
        release.cancel()


def test_a_record_the_person_says_is_theirs_is_packed_and_marked_in_the_index(
    signed_in: Client, home: Home
) -> None:
    identity = age.X25519Identity.generate()
    _scan(signed_in, home)
    signed_in.post("/check", {"manifest": "breast"})
    signed_in.post("/decide", {"action": "accept-other-patient", "path": STRANGER})
    page = text_of(signed_in.http.get("/check").text)
    assert "You said this record is yours: it will be sent." in page
    assert "Ready to send, as you decided below." in page
    assert "Next: lock and save for the specialist" in page
    signed_in.post("/pack", {"how": "key", "key": str(identity.recipient())})
    assert signed_in.wait() == "done"
    bundle = next((home.home / "recordpack-bundles").glob("*.rpk"))
    index = verify_bundle(bundle, [identity]).index
    originals = [p for r in index["records"] for p in r["original_files"]]
    assert STRANGER in originals
    assert index["check"]["ok"] is False  # the specialist sees the doubt too
    assert "22 records locked into one file" in text_of(signed_in.http.get("/done").text)


def test_nothing_is_packed_when_every_record_is_left_out(signed_in: Client, home: Home) -> None:
    _scan(signed_in, home)
    scan = signed_in.web.session.scan
    assert scan is not None
    every = [p for r in scan.records for p in r.files]
    signed_in.post("/check", {"manifest": "general"})
    signed_in.post("/decide", {"action": "leave-out", "path": every})
    signed_in.post("/decide", {"action": "accept-incomplete"})
    answer = signed_in.post("/pack", {"how": "passphrase"})
    assert answer.status_code == 400  # type: ignore[attr-defined]
    assert "There is nothing left to send" in text_of(answer.text)  # type: ignore[attr-defined]
    assert not (home.home / "recordpack-bundles").exists() or not any(
        (home.home / "recordpack-bundles").iterdir()
    )


def test_letters_asking_for_what_is_missing_are_written_outside_the_folder(
    signed_in: Client, home: Home
) -> None:
    shutil.rmtree(home.records / "Harbor Oncology")
    before = tree_digest(home.records)
    _scan(signed_in, home)
    signed_in.post("/check", {"manifest": "breast"})
    signed_in.post("/decide", {"action": "leave-out", "path": STRANGER})
    assert "Write letters asking for what is missing" in signed_in.http.get("/check").text
    page = signed_in.post("/letters")
    text = text_of(page.text)  # type: ignore[attr-defined]
    own = home.home / "recordpack-letters" / "harrowgate-delphine-m"
    letters = sorted(own.glob("*.pdf"))
    assert letters, text
    assert f"letter{'' if len(letters) == 1 else 's'} written in {_place(own)}" in text
    assert "These letters are templates, not legal advice: read each one, correct" in text
    assert "Why this address:" in text
    link = re.search(r'href="(/letters/\d+/file)"', page.text)  # type: ignore[attr-defined]
    assert link
    pdf = signed_in.http.get(link.group(1))
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert signed_in.http.get("/letters/99/file").status_code == 404
    assert tree_digest(home.records) == before


def test_saying_one_record_is_yours_sends_that_one_only(signed_in: Client, home: Home) -> None:
    identity = age.X25519Identity.generate()
    second = add_second_stranger(home.records)
    _scan(signed_in, home)
    signed_in.post("/check", {"manifest": "breast"})
    assert "Not ready yet: 2 things need your attention" in text_of(
        signed_in.http.get("/check").text
    )
    signed_in.post("/decide", {"action": "accept-other-patient", "path": second})
    page = text_of(signed_in.http.get("/check").text)
    assert page.count("You said this record is yours: it will be sent.") == 1
    assert page.count("It is mine: send it") == 1  # PELLINORE's record still asks
    assert "Not ready yet: 1 thing needs your attention" in page
    assert "Next: lock and save" not in page
    answer = signed_in.post("/pack", {"how": "key", "key": str(identity.recipient())})
    assert answer.status_code == 400  # type: ignore[attr-defined]

    signed_in.post("/decide", {"action": "leave-out", "path": STRANGER})
    page = text_of(signed_in.http.get("/check").text)
    assert "Ready to send, as you decided below." in page
    assert "1 record that may be someone else’s will be sent because you said it is yours" in page
    assert "Next: lock and save for the specialist" in page
    signed_in.post("/pack", {"how": "key", "key": str(identity.recipient())})
    assert signed_in.wait() == "done"
    bundle = next((home.home / "recordpack-bundles").glob("*.rpk"))
    originals = {
        p for r in verify_bundle(bundle, [identity]).index["records"] for p in r["original_files"]
    }
    assert second in originals and STRANGER not in originals


def test_a_folder_that_disappears_while_it_is_read_shows_no_records_or_checklist(
    signed_in: Client, home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_prepare = workflow.prepare

    def prepare_then_vanish(*args: Any, **kwargs: Any) -> Any:
        prepared = real_prepare(*args, **kwargs)
        shutil.rmtree(home.records)  # a USB stick pulled out as the scan ends
        return prepared

    monkeypatch.setattr(workflow, "prepare", prepare_then_vanish)
    answer = signed_in.post("/choose/records", {"id": signed_in.web.chooser.issue(home.records)})
    assert signed_in.wait() == "failed"
    page = text_of(signed_in.http.get(str(answer.url)).text)  # type: ignore[attr-defined]
    assert "the folder “My records” disappeared while recordpack was reading it" in page
    assert "choose it again" in page
    for path in ("/records", "/check"):
        shown = text_of(signed_in.http.get(path).text)
        assert "Already here" not in shown and "These records are about" not in shown


def test_files_gone_while_the_folder_is_read_are_named_and_block_the_checklist(
    signed_in: Client, home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    from recordpack.scan import walk

    gone = home.records / "Harbor Oncology" / "Consult note 2026-10-28.txt"
    real_read = walk.read_file

    def read_after_a_move(path: str) -> Any:
        if path.endswith("Consult note 2026-10-28.txt"):
            gone.unlink()  # moved away after the folder was listed
        return real_read(path)

    monkeypatch.setattr(walk, "read_file", read_after_a_move)
    monkeypatch.setattr(walk, "scan_processes", lambda *args, **kwargs: 0)  # read here
    _scan(signed_in, home)
    page = text_of(signed_in.http.get("/records").text)
    assert "1 file was gone before recordpack could read it" in page
    assert "Harbor Oncology/Consult note 2026-10-28.txt" in page
    assert "This disappeared while recordpack was reading the folder." in page
    assert "not allowed to read" not in page
    signed_in.post("/check", {"manifest": "breast"})
    check = text_of(signed_in.http.get("/check").text)
    assert "moved or deleted while recordpack was reading your folder" in check
    assert "Already here" not in check and "Ready to send" not in check


def _place(folder: Path) -> str:
    return "Home/" + folder.relative_to(Path.home()).as_posix()


def test_each_records_folder_gets_its_own_letters_folder_never_written_over(
    signed_in: Client, home: Home
) -> None:
    shutil.rmtree(home.records / "Harbor Oncology")
    sister = home.home / "Another copy"  # the same hospitals, another records folder
    shutil.copytree(home.records, sister)
    written: list[Path] = []
    for folder in (home.records, sister):
        signed_in.post("/choose/records", {"id": signed_in.web.chooser.issue(folder)})
        assert signed_in.wait() == "done"
        signed_in.post("/check", {"manifest": "breast"})
        signed_in.post("/decide", {"action": "leave-out", "path": STRANGER})
        text = text_of(signed_in.post("/letters").text)  # type: ignore[attr-defined]
        assert "folder of their own" not in text and "written in" in text, text
        assert signed_in.web.session.letters_folder is not None
        written.append(signed_in.web.session.letters_folder)
    first, second = written
    assert first != second and second.name == f"{first.name}-2"
    assert {p.name for p in first.glob("*.pdf")} == {p.name for p in second.glob("*.pdf")}
    # The first folder's letters again: into its own folder, as before.
    signed_in.post("/choose/records", {"id": signed_in.web.chooser.issue(home.records)})
    assert signed_in.wait() == "done"
    signed_in.post("/letters")
    assert signed_in.web.session.letters_folder == first


def test_a_letter_with_no_known_addressee_says_to_fill_it_in(
    signed_in: Client, home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    from recordpack.request import holders

    shutil.rmtree(home.records / "Harbor Oncology")
    monkeypatch.setattr(holders.Issuers, "holder", lambda *args, **kwargs: None)
    _scan(signed_in, home)
    signed_in.post("/check", {"manifest": "breast"})
    text = text_of(signed_in.post("/letters").text)  # type: ignore[attr-defined]
    assert "with the address left blank: no record says who holds these" in text
    assert "send it to the address at its top" not in text


def test_the_duplicate_hint_never_asks_to_change_the_folder(signed_in: Client, home: Home) -> None:
    _scan(signed_in, home)
    page = text_of(signed_in.http.get("/records").text)
    assert "Nothing in your folder was changed" in page
    assert "Nothing to do: it is sent once." in page
    assert "you may delete the extra copy" not in page


def test_a_long_list_shows_its_first_entries_and_says_how_many_more(
    signed_in: Client, home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    from recordpack.web import app

    monkeypatch.setattr(app, "LIST_LIMIT", 2)
    _scan(signed_in, home)
    scan = signed_in.web.session.scan
    assert scan is not None
    labs = [n for n, r in enumerate(scan.records) if r.kind == "lab_result"]
    html = signed_in.http.get("/records").text
    page = text_of(html)
    assert f"Lab results ({len(labs)})" in page
    assert f"The first 2 are shown; {len(labs) - 2} more" in page
    assert f'id="record-{labs[2]}"' not in html
    # Saving the page keeps what it did not show: a hidden record left out stays out.
    hidden = scan.records[labs[2]].files[0]
    signed_in.post("/decide", {"action": "leave-out", "path": hidden})
    signed_in.post("/records")
    choices = signed_in.web.session.choices
    assert choices is not None and hidden in choices.left_out


def test_bidi_and_control_characters_in_names_are_shown_escaped(
    signed_in: Client, home: Home
) -> None:
    add_bidi_named_note(home.records)
    _scan(signed_in, home)
    html = signed_in.http.get("/records").text
    assert "\u202e" in BIDI_NAME and "\u202e" not in html and "\u202c" not in html
    assert r"Consult \u202etxt.exe\u202c 2026-11-01.txt" in text_of(html)


def test_the_referrer_policy_is_the_one_the_guide_names(signed_in: Client) -> None:
    from recordpack.web.security import SECURITY_HEADERS

    policy = signed_in.http.get("/").headers["referrer-policy"]
    assert dict(SECURITY_HEADERS)["referrer-policy"] == policy
    guide = (Path(__file__).resolve().parent.parent / "docs" / "ui.md").read_text()
    assert f"`Referrer-Policy: {policy}`" in guide


# --------------------------------------------------------------------------- out-of-date pages

#: Another invented person's lab report, under the same name as QUILLBY's in "My records".
OTHER_FOLDER_STRANGER = (
    "NORTHGATE LABORATORY\nLABORATORY RESULTS\n\n"
    "PATIENT: TREMWITH, OSWIN B\nDOB: 03/14/1958\nMRN: NGL-7730\nCollected: 11/18/2026\n\n"
    "TEST                RESULT     UNITS       REFERENCE RANGE\n"
    "Creatinine          1.4        mg/dL       0.6-1.2\n"
)


def _two_folders(home: Home) -> tuple[Path, Path, str]:
    """Folders "My records" and "Other records", each with a stranger's report under one name."""
    path = add_second_stranger(home.records)
    other = home.home / "Other records"
    shutil.copytree(home.records, other)
    (other / path).write_text(OTHER_FOLDER_STRANGER)
    return home.records, other, path


def _choose(c: Client, folder: Path) -> None:
    c.post("/choose/records", {"id": c.web.chooser.issue(folder)})
    assert c.wait() == "done"


def _page_form(c: Client) -> dict[str, str]:
    """What the forms of the page shown now carry about the page."""
    return {"reading": c.web.session.reading, "checklist": c.web.session.manifest or ""}


def test_a_decision_made_on_another_folders_page_changes_nothing(
    signed_in: Client, home: Home
) -> None:
    mine, other, path = _two_folders(home)
    _choose(signed_in, mine)
    signed_in.post("/check", {"manifest": "breast"})
    tab_a = _page_form(signed_in)  # the checklist of "My records", flagging QUILLBY's report
    assert "QUILLBY" in text_of(signed_in.http.get("/check").text)
    _choose(signed_in, other)  # tab B chooses the other folder
    signed_in.post("/check", {"manifest": "breast"})

    for decision in (
        {"action": "accept-other-patient", "path": path},
        {"action": "leave-out", "path": path},
        {"action": "accept-incomplete"},
    ):
        answer = signed_in.post("/decide", {**tab_a, **decision})
        page = text_of(answer.text)  # type: ignore[attr-defined]
        assert "You said this record is yours" not in page
        assert "Not ready yet: 2 things need your attention" in page
        assert OUT_OF_DATE in page and "TREMWITH" in page  # the current page: "Other records"
        assert str(answer.url).endswith("/check?out-of-date=other-reading")  # type: ignore[attr-defined]
    assert signed_in.web.session.own == set()
    assert not signed_in.web.session.accept_incomplete
    assert not list(home.data.glob("folders/*.json"))  # no choice saved for either folder

    out = home.home / "recordpack-bundles"
    for form in ({**tab_a, "how": "passphrase"}, tab_a):
        answer = signed_in.post("/pack" if "how" in form else "/letters", form)
        assert OUT_OF_DATE in text_of(answer.text)  # type: ignore[attr-defined]
    assert not out.exists()
    assert not (home.home / "recordpack-letters").exists()


def test_a_page_checked_against_another_checklist_decides_nothing(
    signed_in: Client, home: Home
) -> None:
    shutil.rmtree(home.records / "Harbor Oncology")
    _scan(signed_in, home)
    signed_in.post("/check", {"manifest": "breast"})
    breast_page = _page_form(signed_in)
    signed_in.post("/check", {"manifest": "general"})  # another tab chose another checklist
    answer = signed_in.post("/decide", {**breast_page, "action": "accept-incomplete"})
    assert "it showed your records checked against another checklist" in text_of(
        answer.text  # type: ignore[attr-defined]
    )
    assert not signed_in.web.session.accept_incomplete


def test_a_claim_is_for_the_very_file_claimed_never_another_of_the_same_name(
    home: Home,
) -> None:
    from recordpack.web import decisions

    mine, other, path = _two_folders(home)
    read_mine, read_other = workflow.prepare(mine).scan, workflow.prepare(other).scan
    claim = {decisions.file_key(mine, read_mine, path)}
    assert decisions.claimed_paths(claim, mine, read_mine) == {path}
    assert decisions.claimed_paths(claim, other, read_other) == set()
    (mine / path).write_text(OTHER_FOLDER_STRANGER)  # the same name, another file
    assert decisions.claimed_paths(claim, mine, workflow.prepare(mine).scan) == set()


def test_a_decision_sent_while_another_folder_is_read_changes_nothing(
    signed_in: Client, home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine, other, path = _two_folders(home)
    _choose(signed_in, mine)
    signed_in.post("/check", {"manifest": "breast"})
    tab_a = _page_form(signed_in)
    release = threading.Event()  # holds the reading of "Other records" until the test is done
    original = service.scan

    def held_scan(folder, kinds, progress, cancel, contents=None):  # type: ignore[no-untyped-def]
        release.wait(30)
        return original(folder, kinds, progress, cancel, contents)

    monkeypatch.setattr(service, "scan", held_scan)
    try:
        signed_in.post("/choose/records", {"id": signed_in.web.chooser.issue(other)})
        answer = signed_in.post(
            "/decide", {**tab_a, "action": "accept-other-patient", "path": path}
        )
        assert "/jobs/" in str(answer.url)  # type: ignore[attr-defined]
        assert OUT_OF_DATE in text_of(answer.text)  # type: ignore[attr-defined]
        assert signed_in.web.session.own == set()
    finally:
        release.set()
    assert signed_in.wait() == "done"
    assert "You said this record is yours" not in text_of(signed_in.http.get("/check").text)


def test_an_item_met_only_by_a_record_that_may_not_be_yours_says_so(
    signed_in: Client, home: Home
) -> None:
    (home.records / "Harbor Oncology" / "genetics.txt").write_text(
        "INVITAE GERMLINE GENETIC TEST REPORT\nPatient: Harrowgate, Del\n"
        "Report date: 10/02/2026\nGENES ANALYZED: BRCA1, BRCA2, PALB2, TP53, CHEK2, ATM\n"
        "RESULT: NEGATIVE. No pathogenic variants identified.\n"
    )
    _scan(signed_in, home)
    signed_in.post("/check", {"manifest": "breast"})
    page = text_of(signed_in.http.get("/check").text)
    assert "Harbor Oncology/genetics.txt may not be yours" in page
    assert (
        "Only Harbor Oncology/genetics.txt has it, and it may not be yours (see above): "
        "if it is not yours, this is missing." in page
    )


# --------------------------------------------------------------------------- choices in another tab

OTHER_CHOICE = (
    "This page was out of date: another folder, bundle or key was chosen since, "
    "in another tab or window. Nothing was done; here is the current page."
)


def test_a_pack_page_that_showed_another_output_folder_packs_nothing(
    signed_in: Client, home: Home
) -> None:
    _ready_to_pack(signed_in, home)
    shown = signed_in.http.get("/pack").text
    assert "recordpack-bundles" in text_of(shown)
    tab_a = re.search(r'name="chosen" value="([0-9a-f]+)"', shown)
    assert tab_a is not None
    elsewhere = home.home / "Shared with the family"
    elsewhere.mkdir()
    signed_in.post("/choose/output", {"id": signed_in.web.chooser.issue(elsewhere)})  # tab B

    answer = signed_in.post("/pack", {"how": "passphrase", "chosen": tab_a.group(1)})
    page = text_of(answer.text)  # type: ignore[attr-defined]
    assert OTHER_CHOICE in page and "Shared with the family" in page  # the current page
    assert str(answer.url).endswith("/pack?out-of-date=other-choice")  # type: ignore[attr-defined]
    assert signed_in.web.session.pack_job is None
    assert not list(elsewhere.iterdir())
    assert not (home.home / "recordpack-bundles").exists()


def test_an_open_page_that_showed_another_bundle_opens_nothing(
    signed_in: Client, home: Home
) -> None:
    identity = age.X25519Identity.generate()
    _ready_to_pack(signed_in, home)
    signed_in.post("/pack", {"how": "key", "key": str(identity.recipient())})
    assert signed_in.wait() == "done"
    bundle = next((home.home / "recordpack-bundles").glob("*.rpk"))
    key_file = age.write_identity_file(home.home / "specialist-key.txt", identity)
    other = home.home / "from another sender.rpk"
    other.write_bytes(bundle.read_bytes())

    specialist = client()
    specialist.post("/choose/bundle", {"id": specialist.web.chooser.issue(bundle)})
    specialist.post("/choose/identity", {"id": specialist.web.chooser.issue(key_file)})
    shown = specialist.http.get("/open").text
    tab_a = re.search(r'name="chosen" value="([0-9a-f]+)"', shown)
    assert tab_a is not None and bundle.name in text_of(shown)
    specialist.post("/choose/bundle", {"id": specialist.web.chooser.issue(other)})  # tab B

    answer = specialist.post("/open", {"chosen": tab_a.group(1)})
    page = text_of(answer.text)  # type: ignore[attr-defined]
    assert OTHER_CHOICE in page and other.name in page
    assert specialist.web.session.open_job is None
    assert not [p for p in home.home.iterdir() if p.is_dir() and "from another sender" in p.name]
    # The page as it is now opens what it shows.
    specialist.post("/open", {})
    assert specialist.wait() == "done"
    assert "all intact" in specialist.http.get("/opened").text
