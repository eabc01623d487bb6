"""What a specialist sees in index.html, in a real browser (Debian's Chromium via Playwright).

The opened bundle's page is loaded from disk with the network off, at a laptop
width (1280 px) and a tablet width (768 px). Screenshots go to docs/screenshots/.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from recordpack.bundle import format as fmt
from tests import summary_folder as case
from tests.chromium import CHROMIUM, CHROMIUM_ARGS

SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
WIDTHS = {"laptop": (1280, 900), "tablet": (768, 1024)}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def opened(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return case.pack_and_open(tmp_path_factory.mktemp("page"))


@pytest.fixture(params=sorted(WIDTHS))
def page(request: pytest.FixtureRequest, browser: Any, opened: dict[str, Any]) -> Iterator[Any]:
    width, height = WIDTHS[request.param]
    context = browser.new_context(viewport={"width": width, "height": height}, offline=True)
    page = context.new_page()
    page.goto((opened["bag"] / fmt.INDEX_HTML).as_uri())
    page.wait_for_load_state("load")
    page.name = request.param  # for screenshot file names
    yield page
    context.close()


def test_the_case_summary_is_what_a_reader_sees_first(page: Any) -> None:
    summary = page.locator("section#summary")
    assert summary.is_visible()
    box = summary.bounding_box()
    assert box is not None and box["y"] < 400, "the summary is not near the top of the page"
    text = summary.inner_text()
    for words in ("INVASIVE LOBULAR CARCINOMA", "pT1c pN0(sn)", "AJCC 8th edition",
                  "no mutation detected", "not amplified (HER2/CEP17 ratio 1.3)", "letrozole"):
        assert words in text, words
    # What the records do not say is not made up: PD-L1 was only mentioned.
    assert "PD-L1" not in text
    assert page.locator("section#timeline").is_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"specialist-{page.name}.png"))
    summary.screenshot(path=str(SCREENSHOTS / f"specialist-summary-{page.name}.png"))


def test_each_fact_links_to_a_record_that_opens(page: Any, opened: dict[str, Any]) -> None:
    links = page.locator("section#summary a")
    assert links.count() > 10
    for href in links.evaluate_all("els => els.map(e => e.getAttribute('href'))"):
        assert (opened["bag"] / href).is_file(), href


def test_status_words_never_wrap_and_nothing_overflows(page: Any) -> None:
    cells = page.locator("td.status")
    assert cells.count() > 0
    lines = cells.evaluate_all(
        """cells => cells.map(td => { const r = document.createRange(); r.selectNodeContents(td);
           return [td.innerText, r.getClientRects().length]; })"""
    )
    for text, rects in lines:
        assert rects == 1, f"status '{text}' wraps onto {rects} lines"
        assert "_" not in text, f"raw code shown: {text}"
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow} px wider than the window"


def test_previews_show_and_another_patients_record_stands_out(page: Any) -> None:
    images = page.locator("figure img")
    assert images.count() == len(case.SERIES)
    loaded = images.evaluate_all("imgs => imgs.map(i => i.complete && i.naturalWidth > 0)")
    assert all(loaded), "a preview image did not load"
    warning = page.locator("tr.other-patient")
    assert warning.count() == 1 and warning.first.is_visible()
    assert "may belong to another patient" in warning.first.inner_text()
    images.first.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / f"specialist-imaging-{page.name}.png"))


@pytest.mark.parametrize(
    "path",
    [
        "data/imaging/ST001/SE001/IM000001",
        "data/records/2024-01-05 Pathology report (1).pdf",
        "data/records/résumé #2?.pdf",
        "data/records/50%/a&b.pdf",
        "data/~tilde_ok-1.2/x",
        "",
    ],
)
def test_links_to_bag_files_are_percent_encoded_segment_by_segment(path: str) -> None:
    """The index page's links: each path segment percent-encoded (a plain path as it
    is), so a name with spaces, '#', '?' or '%' opens the right file."""
    from urllib.parse import quote

    from recordpack.bundle.html import _href

    assert _href(path) == "/".join(quote(part) for part in path.split("/"))
