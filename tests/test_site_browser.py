"""The course site in headless Chromium, opened from files on disk (file://), as a reader would.

From the start page, the left navigation leads to lesson 02, whose figures load and whose widget
shows its still; the search box finds a word; the dark theme can be chosen. Playwright drives
Debian's chromium, as in tests/test_browser.py: without Chromium or Playwright these tests skip,
saying how to install them; with AIPM_REQUIRE_BROWSER=1 (as in CI) they fail instead.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from test_browser import CHROMIUM, CHROMIUM_ARGS, _missing, _verdict

from aipm_course.site import build_site

ROOT = Path(__file__).resolve().parents[1]
LESSON_02 = next((ROOT / "notebooks").glob("02_*.ipynb"))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    verdict = _verdict(_missing(), os.environ)
    if verdict:
        (pytest.fail if verdict[0] == "fail" else pytest.skip)(verdict[1])
    base = tmp_path_factory.mktemp("site")
    build_site(base / "site", ROOT, work=base / "work")
    return base


@pytest.fixture(scope="module")
def page(site):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(30_000)
        yield page
        browser.close()


def _figures(notebook: Path) -> int:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return sum(any("image/png" in o.get("data", {}) for o in c.get("outputs", [])) for c in cells)


def test_the_navigation_leads_from_the_start_page_to_lesson_02_and_its_figures_load(site, page):
    page.goto((site / "site" / "index.html").as_uri())
    assert page.title().startswith("The AI PM Workbook")
    page.locator(f'nav.bd-docs-nav a[href$="notebooks/{LESSON_02.stem}.html"]').click()
    page.wait_for_load_state("load")
    assert page.url.endswith(f"/notebooks/{LESSON_02.stem}.html")
    images = page.locator("article img[src*='_images/']")
    assert images.count() == _figures(LESSON_02) >= 3
    for index in range(images.count()):
        image = images.nth(index)
        image.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
        assert len(image.get_attribute("alt") or "") > 20
    still = page.locator("figure.aipm-widget-still")
    still.scroll_into_view_if_needed()
    assert still.is_visible() and "launch button" in still.inner_text()
    page.screenshot(path=str(site / "lesson-02.png"))
    # previous and next
    assert page.locator("a.right-next").get_attribute("href").startswith("03_")


def test_the_search_box_finds_a_word_from_files_on_disk(site, page):
    page.goto((site / "site" / "index.html").as_uri())
    page.locator("button.search-button-field").first.click()
    box = page.locator("#pst-search-dialog input[name=q], form.bd-search input[name=q]").first
    box.fill("threshold")
    box.press("Enter")
    page.wait_for_url(re.compile(r".*/search\.html\?q=threshold.*"))
    page.wait_for_function("() => /found \\d+ page/i.test(document.querySelector('#search-results')?.innerText || '')")
    results = page.locator("#search-results ul.search li a")
    hrefs = [results.nth(i).get_attribute("href") for i in range(results.count())]
    assert any(f"notebooks/{LESSON_02.stem}.html" in (h or "") for h in hrefs), hrefs


def test_the_reader_can_switch_to_the_dark_theme(site, page):
    page.goto((site / "site" / "notebooks" / f"{LESSON_02.stem}.html").as_uri())
    switch = page.locator("button.theme-switch-button").first
    for _ in range(3):  # a menu (Light, Dark, System) in newer themes, a button that cycles in older ones
        switch.click()
        dark = page.locator('button.theme-change-button[data-mode="dark"]')
        if dark.count():
            dark.click()
        if page.evaluate("document.documentElement.dataset.theme") == "dark":
            break
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    page.screenshot(path=str(site / "lesson-02-dark.png"))
