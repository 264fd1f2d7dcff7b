"""The widgets' charts in a real browser, in JupyterLab's light and dark themes.

A small page holds the stills of the lessons' widgets (``widgets.still_for`` on each lesson's
cell), inline, inside an element styled as JupyterLab styles a widget's output, under the real
theme variables of the installed JupyterLab (its light and dark theme style sheets). Headless
Chromium (Debian's, through Playwright's ``executable_path``; no browser is ever downloaded) opens
it in each theme; screenshots of every chart are saved under the test's temporary folder. The
checks read the page's computed style: every axis name and tick value is there, visible, and
painted in a colour that stands out from the background (contrast ratio at least 4.5, as WCAG asks
of small text); the axes' lines at least 3.

Without Chromium or Playwright these tests skip, saying how to install them; with
AIPM_REQUIRE_BROWSER=1 (as in CI) they fail instead.
"""

from __future__ import annotations

import html
import os
import re
import sys
from pathlib import Path

import pytest
from test_browser import CHROMIUM, CHROMIUM_ARGS, _missing, _verdict  # one browser set-up for every browser test

THEMES = Path(sys.prefix) / "share" / "jupyter" / "lab" / "themes" / "@jupyterlab"

# the lessons' widget cells, as the lessons write them
CELLS = {
    "threshold": 'threshold_explorer("card_fraud", seed=0)',
    "zone": 'zone_explorer("support_tickets", seed=0)',
    "cost": "cost_explorer()",
    "scorecard": "scorecard_explorer(data_availability=3, accuracy_requirement=4, latency_tolerance=4, failure_impact=3, "
                 "alternatives_exist=2, user_ai_trust=3)",
    "rollout": "rollout_planner(daily_users=20_000, p_baseline=0.60, effect=0.02)",
    "labeller": "trace_labeller(n=20, seed=1)",
    "judge": 'judge_explorer("a", minimum=0.6)',
}
# the axis names each still must show (a lesson figure uses the same words)
AXIS_NAMES = {
    "threshold": ["recall (share of positives caught)", "precision (share of alerts that are real)",
                  "threshold (log scale): flag scores at or above it", "expected cost per case (USD)"],
    "zone": ["share of cases", "cost a day (USD)"],
    "cost": ["queries a day", "total cost over 12 months (thousand USD)"],
    "scorecard": ["points of the 0–100 feasibility score"],
    "rollout": ["days from the start of the rollout", "share of users on the new model"],
    "labeller": ["traces with this failure type"],
    "judge": ["pass rate (share of answers that pass)"],
}


@pytest.fixture(scope="module")
def browser_ready():
    verdict = _verdict(_missing(), os.environ)
    if verdict:
        (pytest.fail if verdict[0] == "fail" else pytest.skip)(verdict[1])


# ------------------------------------------------------------------------------------------------
# The page
# ------------------------------------------------------------------------------------------------

# JupyterLab's own values, for a JupyterLab without its theme files on disk
FALLBACK = {
    "light": ":root{--jp-layout-color0:white;--jp-content-font-color1:rgba(0,0,0,.87);--jp-ui-font-color0:#000;--jp-border-color1:#bdbdbd}",
    "dark": ":root{--jp-layout-color0:#111;--jp-content-font-color1:#fff;--jp-ui-font-color0:#fff;--jp-border-color1:#616161}",
}


def theme_css(theme: str) -> str:
    sheet = THEMES / f"theme-{theme}-extension" / "index.css"
    return sheet.read_text() if sheet.is_file() else FALLBACK[theme]


def stills_page(theme: str) -> str:
    from aipm_course.widgets import still_for

    blocks = []
    for name, cell in CELLS.items():
        image, sentence = still_for(cell)
        blocks.append(f"<figure class='still' id='{name}'><div class='widget-html-content'>{image}</div>"
                      f"<figcaption>{html.escape(sentence)}</figcaption></figure>")
    # as JupyterLab: the page's background and text colours come from the theme's variables, and a
    # widget's HTML takes --jp-widgets-color (ipywidgets sets it to the content font colour)
    return (
        "<!doctype html><html><head><meta charset='utf-8'><style>" + theme_css(theme) + "</style><style>"
        ":root{--jp-widgets-color:var(--jp-content-font-color1)}"
        "body{margin:0;padding:12px;background:var(--jp-layout-color0);color:var(--jp-content-font-color1);font-family:sans-serif}"
        ".widget-html-content{color:var(--jp-widgets-color)} figure{margin:0 0 18px 0}"
        "</style></head><body>" + "".join(blocks) + "</body></html>"
    )


# ------------------------------------------------------------------------------------------------
# Colour arithmetic (WCAG 2.1)
# ------------------------------------------------------------------------------------------------


def parse_colour(text: str) -> tuple[float, float, float, float]:
    numbers = [float(x) for x in re.findall(r"[\d.]+", text)]
    assert text.startswith("rgb") and len(numbers) in (3, 4), text
    return (*numbers[:3], numbers[3] if len(numbers) == 4 else 1.0)


def over(colour, background):
    """A colour with transparency, as painted over an opaque background."""
    *rgb, alpha = colour
    return tuple(alpha * c + (1 - alpha) * b for c, b in zip(rgb, background[:3]))


def luminance(rgb) -> float:
    def channel(c):
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_contrast_arithmetic_matches_known_pairs():
    white, black = (255, 255, 255), (0, 0, 0)
    assert contrast(white, black) == pytest.approx(21)
    assert contrast(white, white) == pytest.approx(1)
    assert contrast((118, 118, 118), white) == pytest.approx(4.54, abs=0.01)  # #767676: the lightest grey passing 4.5 on white
    assert over(parse_colour("rgba(0, 0, 0, 0.87)"), white) == pytest.approx((33.15, 33.15, 33.15))


# ------------------------------------------------------------------------------------------------
# The checks
# ------------------------------------------------------------------------------------------------

READ_TEXTS = """(root) => [...root.querySelectorAll('svg text')].map(t => {
    const box = t.getBoundingClientRect();
    return {cls: t.getAttribute('class') || '', text: t.textContent, fill: getComputedStyle(t).fill,
            opacity: getComputedStyle(t).opacity, width: box.width, height: box.height};
})"""
READ_AXES = "(root) => [...root.querySelectorAll('svg path.axis')].map(p => getComputedStyle(p).stroke)"


@pytest.fixture(scope="module")
def browser(browser_ready):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    return tmp_path_factory.mktemp("widget-chart-screenshots")


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_charts_axis_names_and_values_are_there_and_readable_in_each_theme(browser, shots, theme):
    page_file = shots / f"stills-{theme}.html"
    page_file.write_text(stills_page(theme), encoding="utf-8")
    context = browser.new_context(viewport={"width": 900, "height": 900})
    page = context.new_page()
    try:
        page.goto(page_file.as_uri())
        page.wait_for_selector("figure.still svg")
        background = parse_colour(page.evaluate("() => getComputedStyle(document.body).backgroundColor"))
        assert (luminance(background[:3]) > 0.5) == (theme == "light"), (theme, background)
        page.screenshot(path=str(shots / f"{theme}.png"), full_page=True)
        for name, axis_names in AXIS_NAMES.items():
            figure = page.locator(f"figure#{name}")
            figure.scroll_into_view_if_needed()
            figure.screenshot(path=str(shots / f"{theme}-{name}.png"))
            texts = figure.evaluate(READ_TEXTS)
            labels = [t for t in texts if "axis-label" in t["cls"].split()]
            assert sorted(t["text"] for t in labels) == sorted(axis_names), (theme, name)
            ticks = [t for t in texts if "tick" in t["cls"].split()]
            assert ticks and all(re.fullmatch(r"[\d,.e-]+", t["text"]) for t in ticks), (theme, name)
            for t in labels + ticks + [t for t in texts if "legend-text" in t["cls"].split()]:
                assert t["width"] > 0 and t["height"] > 0 and float(t["opacity"]) == 1, (theme, name, t)
                ratio = contrast(over(parse_colour(t["fill"]), background), background[:3])
                assert ratio >= 4.5, f"{theme}: {name}'s {t['text']!r} painted {t['fill']} on {background}: contrast {ratio:.2f}"
            for stroke in figure.evaluate(READ_AXES):
                assert contrast(over(parse_colour(stroke), background), background[:3]) >= 3, (theme, name, stroke)
    finally:
        context.close()
    assert len(list(shots.glob(f"{theme}-*.png"))) == len(AXIS_NAMES)


def test_the_charts_text_takes_the_themes_colour(browser, shots):
    """The same still is painted dark on the light page and light on the dark one."""
    colours = {}
    for theme in ("light", "dark"):
        context = browser.new_context(viewport={"width": 900, "height": 700})
        page = context.new_page()
        try:
            page.set_content(stills_page(theme))
            fills = page.locator("figure#threshold").evaluate(READ_TEXTS)
            colours[theme] = {t["fill"] for t in fills if "axis-label" in t["cls"].split()}
        finally:
            context.close()
    assert len(colours["light"]) == 1 and len(colours["dark"]) == 1
    light, dark = parse_colour(colours["light"].pop()), parse_colour(colours["dark"].pop())
    assert luminance(over(light, (255, 255, 255))) < 0.2 < 0.8 < luminance(over(dark, (17, 17, 17)))
