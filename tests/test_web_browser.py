"""The web app in a real browser (Debian's Chromium driven by Playwright), as a person uses it.

Walks the patient's whole path on the example folder (choose the folder, see the
records, check them, decide about the stranger's record, lock to a key) and the
specialist's (open the bundle just made), asserting what is on the screen.
Screenshots go to a temporary folder; with RECORDPACK_UPDATE_SCREENSHOTS=1 they
replace docs/screenshots/ui-*.png. Under CI=true a missing Chromium or Playwright
fails instead of skipping.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from recordpack import age, workflow
from recordpack.web import service
from recordpack.web.server import Server, bind
from tests.chromium import CHROMIUM, CHROMIUM_ARGS  # one browser set-up
from tests.prerequisites import missing
from tests.web_helpers import (
    ROOT,
    STRANGER,
    Home,
    add_bidi_named_note,
    add_second_stranger,
    tree_digest,
)

pytest_plugins = ("tests.web_helpers",)  # the home fixture

SCREENSHOTS = ROOT / "docs" / "screenshots"
#: How far a page scrolls sideways (0 or less: it fits the window).
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
#: What sticks out past the right edge of the window (to say what scrolls sideways).
WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .slice(-3)
  .map(e => `${e.tagName.toLowerCase()}.${e.className} "${e.textContent.trim().slice(0, 60)}"`
            + ` ${Math.round(e.getBoundingClientRect().width)}px`)"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        missing("playwright is not installed (pip install playwright)")
    expect.set_options(timeout=20_000)  # a busy machine; a person waits longer than this
    if not Path(CHROMIUM).exists():
        missing(f"{CHROMIUM} is missing (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class Running:
    """The app served on a free port by uvicorn in a thread."""

    def __init__(self, folder: Path | None = None) -> None:
        self.server = Server(bind(0), folder)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.stop()
        self.thread.join(15)


@pytest.fixture
def running(home: Home) -> Iterator[Running]:
    served = Running()
    try:
        yield served
    finally:
        served.stop()


@pytest.fixture
def page(browser: Any, running: Running, tmp_path: Path) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    policy_errors: list[str] = []
    page.on(
        "console",
        lambda message: (
            policy_errors.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    page.policy_errors = policy_errors
    try:
        yield page
    finally:
        context.close()
    assert policy_errors == [], "the page broke its own Content-Security-Policy"


@contextmanager
def fresh_page(browser: Any, url: str, width: int = 1280, height: int = 900) -> Iterator[Any]:
    """A page in a new browser context (its own cookies), at ``url``, closed afterwards."""
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        page.goto(url)
        yield page
    finally:
        context.close()


def choose_the_records_folder(page: Any) -> None:
    """From the start page, pick ~/My records with the page's own chooser."""
    page.get_by_role("link", name="Choose my records folder").click()
    page.get_by_role("link", name="My records").click()
    page.get_by_role("button", name="Use this folder: My records").click()


def shot(page: Any, name: str, tmp_path: Path) -> None:
    """Save a screenshot of the whole page (and into docs/ when asked to)."""
    target = tmp_path / f"ui-{name}.png"
    page.screenshot(path=str(target), full_page=True)
    if os.environ.get("RECORDPACK_UPDATE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(target, SCREENSHOTS / target.name)


def visible_text(page: Any) -> str:
    return re.sub(r"\s+", " ", page.inner_text("main"))


def test_the_patient_and_the_specialist_walk_the_whole_path(
    page: Any, running: Running, home: Home, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    before = tree_digest(home.records)
    page.goto(running.server.url)
    assert "token=" not in page.url  # swapped for the cookie at once
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Get your records ready for a second opinion"
    )
    shot(page, "home", tmp_path)

    # 1. Choose the folder, with the server's chooser.
    choose_the_records_folder(page)

    # 2. The records, by kind, with the stranger marked.
    expect(page.get_by_text("These records are about")).to_be_visible()
    text = visible_text(page)
    assert "These records are about HARROWGATE, DELPHINE M, born 1963-05-11." in text
    assert "Found 22 records" in text
    for group in ["Pathology reports (1)", "Imaging reports (3)", "Lab results (3)"]:
        expect(page.get_by_role("heading", name=group)).to_be_visible()
    assert "MRI BREAST BILAT W WO CONTRAST" in text and "AX T1 PRE (MR), 3 images" in text
    expect(page.get_by_role("alert")).to_contain_text("PELLINORE, GORDON T")
    expect(page.get_by_role("heading", name="Files to look at (1)")).to_be_visible()
    shot(page, "records", tmp_path)

    # 3. The checklist: not ready while the stranger's record is in.
    page.get_by_role("link", name="Next: check against a checklist").click()
    page.get_by_label("Breast cancer second opinion").check()
    page.get_by_role("button", name="Check my records").click()
    expect(page.get_by_role("heading", level=2).first).to_have_text(
        "Not ready yet: 1 thing needs your attention."
    )
    expect(page.get_by_role("heading", name="A record that may not be yours")).to_be_visible()
    expect(page.get_by_role("link", name="Next: lock and save for the specialist")).to_have_count(0)
    shot(page, "check-stranger", tmp_path)
    page.get_by_role("button", name="Leave it out").click()
    expect(page.get_by_role("heading", level=2).first).to_have_text(
        "Ready to send: everything on the “Breast cancer second opinion” checklist is here."
    )
    expect(page.get_by_text(STRANGER)).to_be_visible()  # under "Left out by you"
    shot(page, "check", tmp_path)

    # 4. Lock it to the specialist's key: a secret key is refused as it is typed.
    identity = age.X25519Identity.generate()
    page.get_by_role("link", name="Next: lock and save for the specialist").click()
    page.wait_for_load_state()
    key = page.get_by_label("The specialist’s key", exact=True)
    key.fill(str(identity))
    expect(page.locator("#key-status")).to_contain_text("this is a secret key, not a public key")
    expect(page.locator("#key-status")).to_contain_text("Never send or share a secret key")
    key.fill(str(identity.recipient()))
    expect(page.locator("#key-status")).to_contain_text("This is a public key")
    shot(page, "pack", tmp_path)
    page.get_by_role("button", name="Lock and save the bundle").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your bundle is ready")
    bundles = list((home.home / "recordpack-bundles").glob("*.rpk"))
    assert len(bundles) == 1
    text = visible_text(page)
    assert f"Home/recordpack-bundles/{bundles[0].name}" in text
    assert "21 records locked into one file" in text
    assert f"Send the file {bundles[0].name} to the specialist" in text
    assert "1 file left out as you asked" in text
    shot(page, "done", tmp_path)
    assert tree_digest(home.records) == before

    # The specialist opens it (same computer here; any computer in life).
    key_file = age.write_identity_file(home.home / "specialist-key.txt", identity)
    page.get_by_role("link", name="Open records you received").click()
    page.get_by_role("link", name="Choose the bundle").click()
    page.get_by_role("link", name="recordpack-bundles").click()
    page.get_by_role("button", name=f"Choose {bundles[0].name}").click()
    expect(page.locator("#chosen-bundle")).to_have_text(
        f"Home/recordpack-bundles/{bundles[0].name}"
    )
    page.get_by_role("link", name="Choose your key file").click()
    page.get_by_role("link", name="Home folder").click()
    page.get_by_role("button", name=f"Choose {key_file.name}").click()
    page.get_by_role("button", name="Check and open").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The records, checked and opened")
    text = visible_text(page)
    assert re.search(r"Every file was checked: \d+ files \([^)]+\), all intact", text)
    assert "Patient: HARROWGATE, DELPHINE M, born 1963-05-11" in text
    assert "Everything on the “Breast cancer second opinion” checklist was there." in text
    row = page.get_by_role("row").filter(has_text="Surgical pathology report")
    expect(row).to_contain_text("Pathology reports")
    shot(page, "opened", tmp_path)
    for width in (390, 1280):  # a phone-sized window, then back
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate(OVERFLOW) <= 0, f"the index scrolls sideways at {width} px"
    link = row.get_by_role("link").first
    port = running.server.secrets.port
    answer = page.request.get(f"http://127.0.0.1:{port}{link.get_attribute('href')}")
    assert answer.status == 200 and answer.headers["content-type"] == "application/pdf"
    assert answer.body() == (home.records / "Downloads" / "report(3).pdf").read_bytes()


def test_a_long_scan_shows_progress_and_cancel_works(
    page: Any, running: Running, home: Home, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from playwright.sync_api import expect

    release = threading.Event()
    real_scan = service.scan

    def slow_scan(
        folder: Path, kinds: Any, progress: Any, cancel: Any, contents: Any = None
    ) -> Any:
        for done in range(1000):  # a folder of a thousand files, read slowly
            if release.is_set():
                break
            cancel.raise_if_cancelled()
            progress(done, 1000)
            time.sleep(0.02)
        return real_scan(folder, kinds, progress, cancel, contents)

    monkeypatch.setattr(service, "scan", slow_scan)
    page.goto(running.server.url)
    choose_the_records_folder(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Finding your records")
    expect(page.get_by_role("status")).to_contain_text(re.compile(r"\d+ of 1000 files done"))
    value = page.locator("progress").evaluate("bar => bar.value")
    page.wait_for_function("v => document.querySelector('progress').value > v", arg=value)
    shot(page, "progress", tmp_path)
    page.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Cancelled. Nothing was changed and nothing was left half-written."
    )
    release.set()
    page.get_by_role("link", name="Go back").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose your records folder")


def test_keyboard_only_and_a_narrow_window(
    browser: Any, running: Running, home: Home, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    with fresh_page(browser, running.server.url, 390, 800) as page:
        # Tab to the first step and press Enter, as someone without a mouse does.
        for _ in range(20):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.textContent.trim()") == (
                "Choose my records folder"
            ):
                break
        else:
            raise AssertionError("Tab never reached 'Choose my records folder'")
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text("Choose your records folder")
        page.get_by_role("link", name="My records").focus()
        page.keyboard.press("Enter")
        page.get_by_role("button", name="Use this folder: My records").focus()
        page.keyboard.press("Enter")
        expect(page.get_by_text("These records are about")).to_be_visible()
        page.wait_for_load_state()
        overflow = page.evaluate(OVERFLOW)
        wide = page.evaluate(WIDEST) if overflow > 0 else []
        assert overflow <= 0, f"the records page scrolls sideways in a narrow window: {wide}"
        font = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
        assert font >= 16
        shot(page, "records-narrow", tmp_path)


def test_the_page_refuses_a_visit_without_the_token(browser: Any, running: Running) -> None:
    port = running.server.secrets.port
    with fresh_page(browser, "about:blank") as page:
        answer = page.goto(f"http://127.0.0.1:{port}/")
        assert answer is not None and answer.status == 403
        assert "needs the link that recordpack printed" in page.inner_text("body")
        answer = page.goto(f"http://localhost:{port}/")
        assert answer is not None and answer.status == 403


def test_a_passphrase_is_shown_large_with_a_copy_button(
    browser: Any, running: Running, home: Home, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    with fresh_page(browser, running.server.url) as page:
        choose_the_records_folder(page)
        expect(page.get_by_text("These records are about")).to_be_visible()
        # Leave the stranger's record out on the records page this time.
        record = page.locator("li.record").filter(has_text="may not be yours")
        record.get_by_label("Leave this out").check()
        page.get_by_role("button", name="Save changes").click()
        expect(page.locator("li.record.left-out")).to_contain_text("Laboratory report")
        page.get_by_role("link", name="Next: check against a checklist").click()
        page.get_by_label("Cancer second opinion: the general record set").check()
        page.get_by_role("button", name="Check my records").click()
        expect(page.get_by_role("heading", level=2).first).to_contain_text("Ready to send")
        page.get_by_role("link", name="Next: lock and save for the specialist").click()
        page.get_by_label("With a passphrase").check()
        page.get_by_role("button", name="Lock and save the bundle").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Your bundle is ready")
        page.wait_for_load_state()  # the style sheet too
        phrase = page.locator("#passphrase")
        words = phrase.inner_text().strip()
        assert re.fullmatch(r"[a-z]+(-[a-z]+){6}", words)
        assert float(phrase.evaluate("p => parseFloat(getComputedStyle(p).fontSize)")) >= 28
        text = visible_text(page)
        assert "not saved anywhere" in text
        assert "read it out on the phone, or send it by text message" in text
        page.get_by_role("button", name="Copy the passphrase").click()
        expect(page.locator("#copied")).to_contain_text(re.compile("Copied|Selected"))
        shot(page, "passphrase", tmp_path)
        bundle = next((home.home / "recordpack-bundles").glob("*.rpk"))
        from recordpack.bundle.reader import verify_bundle

        assert verify_bundle(bundle, [age.ScryptIdentity(words)]).files > 0


def test_a_record_the_scan_is_unsure_of_is_confirmed_with_a_tick(
    page: Any, running: Running, home: Home, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    # A printout whose few words leave scan unsure; its file name says lab results.
    (home.records / "psa-results.txt").write_text(
        "CUMULATIVE LAB REPORT\nTest  Units  Results\n"
        "PSA, total  ng/mL  03/02/2025 4.1  09/15/2025 5.6\n"
    )
    page.goto(running.server.url)
    choose_the_records_folder(page)
    expect(page.get_by_text("These records are about")).to_be_visible()
    item = page.locator("li.record", has_text="psa-results.txt")
    expect(item.get_by_text("not sure of its kind")).to_be_visible()
    tick = item.get_by_label("This kind is right")
    expect(tick).to_be_visible()
    shot(page, "unsure-kind", tmp_path)
    tick.check()
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("These records are about")).to_be_visible()
    item = page.locator("li.record", has_text="psa-results.txt")
    expect(item).to_be_visible()
    expect(item.get_by_text("not sure of its kind")).to_have_count(0)
    expect(item.get_by_label("This kind is right")).to_have_count(0)
    expect(item.get_by_text("kind confirmed by you")).to_be_visible()


def test_it_is_mine_sends_only_the_record_it_was_pressed_for(
    page: Any, running: Running, home: Home, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    add_second_stranger(home.records)
    page.goto(running.server.url)
    choose_the_records_folder(page)
    expect(page.get_by_text("These records are about")).to_be_visible()
    page.get_by_role("link", name="Next: check against a checklist").click()
    page.get_by_label("Breast cancer second opinion").check()
    page.get_by_role("button", name="Check my records").click()
    verdict = page.get_by_role("heading", level=2).first
    expect(verdict).to_have_text("Not ready yet: 2 things need your attention.")
    strangers = page.locator("div.stranger")
    expect(strangers).to_have_count(2)
    strangers.filter(has_text="QUILLBY").get_by_role("button", name="It is mine: send it").click()
    expect(verdict).to_have_text("Not ready yet: 1 thing needs your attention.")
    claimed = page.locator("div.stranger").filter(has_text="QUILLBY")
    expect(claimed).to_contain_text("You said this record is yours: it will be sent.")
    other = page.locator("div.stranger").filter(has_text="PELLINORE")
    expect(other).not_to_contain_text("You said this record is yours")
    expect(other.get_by_role("button", name="It is mine: send it")).to_be_visible()
    expect(page.get_by_role("link", name="Next: lock and save for the specialist")).to_have_count(0)
    other.get_by_role("button", name="Leave it out").click()
    expect(verdict).to_have_text("Ready to send, as you decided below.")
    expect(page.get_by_role("link", name="Next: lock and save for the specialist")).to_be_visible()


def test_a_folder_gone_during_the_scan_is_said_to_have_disappeared(
    page: Any, running: Running, home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    from playwright.sync_api import expect

    real_prepare = workflow.prepare

    def prepare_then_vanish(*args: Any, **kwargs: Any) -> Any:
        prepared = real_prepare(*args, **kwargs)
        shutil.rmtree(home.records)  # deleted, or a USB stick pulled out, as the scan ends
        return prepared

    monkeypatch.setattr(workflow, "prepare", prepare_then_vanish)
    page.goto(running.server.url)
    choose_the_records_folder(page)
    expect(page.get_by_role("alert")).to_contain_text(
        "the folder “My records” disappeared while recordpack was reading it"
    )
    expect(page.get_by_role("alert")).to_contain_text("choose it again")
    text = visible_text(page)
    assert "not allowed to read" not in text and "These records are about" not in text
    page.goto(running.server.url.split("/?")[0] + "/check")
    expect(page.get_by_text("Already here")).to_have_count(0)


def test_a_name_with_a_right_to_left_override_is_shown_escaped(
    page: Any, running: Running, home: Home
) -> None:
    from playwright.sync_api import expect

    add_bidi_named_note(home.records)
    page.goto(running.server.url)
    choose_the_records_folder(page)
    expect(page.get_by_text("These records are about")).to_be_visible()
    text = visible_text(page)
    assert r"Consult \u202etxt.exe\u202c 2026-11-01.txt" in text
    assert "\u202e" not in text
    # The duplicate in the sample folder: sent once, and the folder is never changed.
    assert "Nothing to do: it is sent once." in text
    assert "you may delete the extra copy" not in text


def test_a_decision_made_in_a_tab_showing_another_folder_changes_nothing(
    browser: Any, running: Running, home: Home
) -> None:
    from playwright.sync_api import expect

    from tests.test_web_server import OTHER_FOLDER_STRANGER, OUT_OF_DATE

    path = add_second_stranger(home.records)
    other = home.home / "Other records"
    shutil.copytree(home.records, other)
    (other / path).write_text(OTHER_FOLDER_STRANGER)  # another person, the same file name
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        tab_a = context.new_page()
        tab_a.goto(running.server.url)
        choose_the_records_folder(tab_a)
        check_against_breast(tab_a)
        expect(tab_a.locator("div.stranger").filter(has_text="QUILLBY")).to_be_visible()

        tab_b = context.new_page()  # the same browser, so the same sign-in
        tab_b.goto(f"http://127.0.0.1:{running.server.secrets.port}/choose/records")
        tab_b.get_by_role("link", name="Other records").click()
        tab_b.get_by_role("button", name="Use this folder: Other records").click()
        expect(tab_b.get_by_text("These records are about")).to_be_visible()
        check_against_breast(tab_b)
        expect(tab_b.locator("div.stranger").filter(has_text="TREMWITH")).to_be_visible()

        # Tab A still shows "My records": its "It is mine" is about QUILLBY's report there.
        quillby = tab_a.locator("div.stranger").filter(has_text="QUILLBY")
        quillby.get_by_role("button", name="It is mine: send it").click()
        expect(tab_a.locator("#out-of-date")).to_have_text(OUT_OF_DATE)
        expect(tab_a.locator("div.stranger").filter(has_text="TREMWITH")).to_be_visible()
        for tab in (tab_a, tab_b):
            tab.reload()
            expect(tab.get_by_role("heading", level=2).first).to_have_text(
                "Not ready yet: 2 things need your attention."
            )
            expect(tab.get_by_text("You said this record is yours")).to_have_count(0)
            expect(tab.get_by_role("link", name="Next: lock and save")).to_have_count(0)

        # Tab B chooses "My records" again; tab A, now showing "Other records", leaves
        # TREMWITH's report out: nothing of "My records" is left out.
        tab_b.get_by_role("link", name="1. Choose folder").click()
        tab_b.get_by_role("link", name="My records").click()
        tab_b.get_by_role("button", name="Use this folder: My records").click()
        expect(tab_b.get_by_text("These records are about")).to_be_visible()
        tremwith = tab_a.locator("div.stranger").filter(has_text="TREMWITH")
        tremwith.get_by_role("button", name="Leave it out").click()
        expect(tab_a.locator("#out-of-date")).to_have_text(OUT_OF_DATE)
        expect(tab_a.get_by_text("Left out by you")).to_have_count(0)
        assert not list(home.data.glob("folders/*.json"))  # no folder's choices were saved
    finally:
        context.close()


def check_against_breast(page: Any) -> None:
    """From the records page, check against the breast cancer checklist."""
    page.get_by_role("link", name="Next: check against a checklist").click()
    page.get_by_label("Breast cancer second opinion").check()
    page.get_by_role("button", name="Check my records").click()
