"""`make site`: the course site, built with Sphinx, myst-nb and sphinx-book-theme from stored outputs.

The site is built once for this file, from a copy of the kit as a fresh clone has it (the files git
tracks or would add, not the ignored ones), so the test also shows that the build needs nothing
else and writes nothing outside site/ and build/. Expected values come from the notebooks and the
command-line parser, read here on their own, never from the site's generator.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import shutil
import subprocess
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from aipm_course import site as site_module
from aipm_course.site import build_site

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SOLVED = sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))
QUOTES = str.maketrans("“”‘’", "\"\"''")  # the site's typographic quotes, compared as plain ones
HUB, REPO = "https://hub.test.invalid", "https://github.com/test-org/test-kit"


def _kit_copy(target: Path) -> Path:
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.split("\0")
    for name in filter(None, listed):
        if (ROOT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
    return target


def _files(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    kit = _kit_copy(tmp_path_factory.mktemp("kit"))
    before = _files(kit)
    saved = {k: os.environ.get(k) for k in ("AIPM_SITE_HUB_URL", "AIPM_SITE_REPO_URL")}
    os.environ.update(AIPM_SITE_HUB_URL=HUB, AIPM_SITE_REPO_URL=REPO)
    try:
        start = time.perf_counter()
        pages = build_site(kit / "site", kit)
        seconds = time.perf_counter() - start
    finally:
        for key, value in saved.items():
            os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)
    print(f"site built in {seconds:.1f} s")
    return {"kit": kit, "out": kit / "site", "pages": pages, "before": before, "seconds": seconds}


class Page(HTMLParser):
    """What a test needs from an HTML page: links, element ids, images, the navigation's links."""

    def __init__(self, path: Path):
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.images: list[dict] = []
        self.nav: list[str] = []
        self.prev_next: dict[str, str] = {}
        self._nav_depth = 0
        self.feed(path.read_text(encoding="utf-8"))

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "nav" and (self._nav_depth or "bd-docs-nav" in (a.get("class") or "")):
            self._nav_depth += 1
        for key in ("href", "src"):
            if a.get(key) and tag in {"a", "link", "img", "script"}:
                self.links.append(a[key])
        if tag == "a" and self._nav_depth and a.get("href"):
            self.nav.append(a["href"])
        if tag == "a" and a.get("class") in {"left-prev", "right-next"}:
            self.prev_next[a["class"]] = a.get("href", "")
        if tag == "img":
            self.images.append(a)

    def handle_endtag(self, tag):
        if tag == "nav" and self._nav_depth:
            self._nav_depth -= 1


def _cells(path: Path) -> list[dict]:
    return [dict(c, source="".join(c["source"])) for c in json.loads(path.read_text(encoding="utf-8"))["cells"]]


def _text(page: Path) -> str:
    """A page's words, without tags, entities decoded, spaces collapsed."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8")))
    return " ".join(text.translate(QUOTES).split())


def _words(markdown: str) -> str:
    return " ".join(re.sub(r"[*_`]|\[([^\]]*)\]\([^)]*\)", r"\1", markdown).split())


# ------------------------------------------------------------------------------------------------


def test_the_build_writes_only_its_site_and_build_folders_both_ignored_by_git(built):
    kit = built["kit"]
    after = _files(kit)
    outside = {k: v for k, v in after.items() if not k.startswith(("site/", "build/"))}
    assert outside == built["before"]
    assert (kit / "site" / "index.html").is_file() and (kit / "build" / "site").is_dir()
    for path in ("site/index.html", "build/site/src/index.md"):
        assert subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT).returncode == 0, f"{path} is not ignored by git"
    assert built["seconds"] < 120


def test_sphinx_reports_no_warning(built):
    log = (built["kit"] / "build" / "site" / "sphinx.log").read_text(encoding="utf-8")
    assert "WARNING" not in log and "ERROR" not in log, log[-3000:]


def test_every_internal_link_and_anchor_resolves(built):
    out = built["out"]
    pages = sorted(p for p in out.rglob("*.html") if "_static" not in p.parts)  # _static: the themes' templates
    parsed = {page: Page(page) for page in pages}
    checked = anchors = 0
    for page, found in parsed.items():
        for link in found.links:
            parts = urlsplit(link)
            if parts.scheme or link.startswith(("//", "mailto:", "javascript:")):
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            where = f"{page.relative_to(out)} links to {link}"
            assert target.is_file(), f"{where}, which is not in the site"
            assert out.resolve() in target.parents, f"{where}, outside the site"
            if parts.fragment and target.suffix == ".html":
                assert unquote(parts.fragment) in parsed[target].ids, f"{where}, an anchor that page lacks"
                anchors += 1
            checked += 1
        # links to pages, not notebooks (the download button's _sources/ copy and launch addresses aside)
        assert not re.search(r'href="(?![^"]*_sources/)(?!https?:)[^"]*\.ipynb["#]', page.read_text(encoding="utf-8")), \
            f"{page.name} still links to a notebook"
    assert checked > 500 and anchors > 50


def test_nothing_is_loaded_from_the_internet(built):
    for page in built["out"].rglob("*.html"):
        if "_static" in page.parts:
            continue
        loads = re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="((?:https?:)?//[^"]+)"', page.read_text(encoding="utf-8"))
        assert not loads, f"{page.name} loads {loads}"


def test_the_navigation_lists_every_page_in_module_order_with_previous_and_next(built):
    out = built["out"]
    numbers = sorted({p.name[:2] for p in LESSONS + SOLVED})
    stems = {p.name[:2]: p.stem for p in LESSONS + SOLVED}
    modules = [f"modules/{stems[n]}.html" for n in numbers]
    expected = (["index.html"] + modules + [f"notebooks/{p.stem}.html" for p in LESSONS]
                + [f"solutions/{p.stem}.html" for p in SOLVED]
                + ["instructors/README.html", "instructors/hub/README.html", "commands.html"])
    nav = [h.split("#")[0] for h in Page(out / "index.html").nav]
    nav = [("index.html" if h in {"", "#"} else h) for h in nav]
    assert list(dict.fromkeys(nav)) == expected
    lesson = Page(out / "notebooks" / f"{LESSONS[2].stem}.html")
    assert lesson.prev_next == {"left-prev": f"{LESSONS[1].stem}.html", "right-next": f"{LESSONS[3].stem}.html"}
    # the same navigation from a page one folder down
    assert f"../notebooks/{LESSONS[0].stem}.html" in Page(out / "solutions" / f"{SOLVED[0].stem}.html").nav


def _module_table() -> dict[str, list[str]]:
    """Lesson 00's module table, read here: {number: [title, decide, lesson time, exercise time]}."""
    rows = {}
    for cell in _cells(LESSONS[0]):
        for line in cell["source"].splitlines():
            cols = [c.strip() for c in line.strip().strip("|").split("|")]
            if re.fullmatch(r"\d\d .+", cols[0]) and len(cols) >= 4:
                rows[cols[0][:2]] = [cols[0][3:], cols[1], cols[2], cols[3]]
    return rows


def test_the_start_page_shows_each_module_with_its_times_and_each_module_page_its_outcomes(built):
    out = built["out"]
    table = _module_table()
    assert set(table) == {p.name[:2] for p in LESSONS}
    rows = [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", r)).translate(QUOTES).split())
            for r in re.findall(r"<tr.*?</tr>", (out / "index.html").read_text(encoding="utf-8"), re.S)]
    for number, (title, decide, lesson_time, exercise_time) in table.items():
        row = next((r for r in rows if r.startswith(f"{number} {title}")), None)
        assert row, f"module {number} is not on the start page"
        assert f"{lesson_time} {exercise_time}" in row and _words(decide) in row
    for lesson in LESSONS:
        first = _cells(lesson)[0]["source"]
        items = re.findall(r"^- (.+(?:\n  +.+)*)", first, re.M)
        assert items, f"{lesson.name} has no outcomes list"
        page = _text(out / "modules" / f"{lesson.stem}.html")
        for item in items:
            assert _words(item) in page
        lesson_time, exercise_time = table[lesson.name[:2]][2:]
        assert f"Time: lesson {lesson_time}, exercise {exercise_time}" in page


def test_the_search_index_has_words_from_every_lesson(built):
    from sphinx.search.en import SearchEnglish

    stem = SearchEnglish({}).stem
    text = (built["out"] / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(text[text.index("(") + 1 : text.rindex(")")])
    for lesson in LESSONS:
        doc = index["docnames"].index(f"notebooks/{lesson.stem}")
        body = " ".join(c["source"] for c in _cells(lesson)[1:] if c["cell_type"] == "markdown")
        words = [w for w in re.findall(r"[a-z]{9,}", body.lower())][:5]
        assert len(words) == 5
        for word in words:  # a word in a heading is in titleterms only
            docs = [index[kind].get(stem(word), []) for kind in ("terms", "titleterms")]
            docs = [d for found in docs for d in (found if isinstance(found, list) else [found])]
            assert doc in docs, f"{word!r} of {lesson.name} is not in the search index"


def _figures(notebook: Path) -> list[tuple[str, str]]:
    """(source, the markdown that follows) for every code cell with a PNG output."""
    cells = _cells(notebook)
    found = []
    for i, cell in enumerate(cells):
        if any("image/png" in o.get("data", {}) for o in cell.get("outputs", [])):
            after = cells[i + 1]["source"] if i + 1 < len(cells) and cells[i + 1]["cell_type"] == "markdown" else ""
            found.append((cell["source"], after))
    return found


def test_every_figure_has_alt_text_with_its_title_and_the_lessons_reading(built):
    figures_seen = 0
    for lesson in LESSONS:
        page = Page(built["out"] / "notebooks" / f"{lesson.stem}.html")
        images = [i for i in page.images if "_images/" in i.get("src", "")]
        figures = _figures(lesson)
        assert len(images) == len(figures), lesson.name
        for image, (source, after) in zip(images, figures):
            alt = " ".join(image.get("alt", "").split())
            assert len(alt) > 20, f"{lesson.name}: {image}"
            title = re.search(r"""title=["']([^"']+)["']""", source)
            if title:
                assert alt.startswith(title.group(1)), (alt, title.group(1))
            paragraph = next((p for p in after.split("\n\n") if p.strip() and not p.startswith("#")), "")
            if paragraph:
                opening = " ".join(_words(paragraph).split()[:4])
                assert opening in alt, (alt, opening)
            figures_seen += 1
    assert figures_seen >= 15


def test_lesson_02s_widget_is_a_still_with_a_sentence_saying_what_moving_it_shows(built):
    lesson = LESSONS[2]
    page = (built["out"] / "notebooks" / f"{lesson.stem}.html").read_text(encoding="utf-8")
    stills = re.findall(r'<figure class="aipm-widget-still">(.*?)</figure>', page, re.S)
    widget_cells = [c for c in _cells(lesson) if any("application/vnd.jupyter.widget-view+json" in o.get("data", {})
                                                      for o in c.get("outputs", []))]
    assert len(stills) == len(widget_cells) == 1
    assert "widget-view+json" not in page and "ipywidgets" not in page
    caption = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", stills[0].split("<figcaption>")[-1])).split())
    assert "launch button" in caption
    from aipm_course import widgets

    if hasattr(widgets, "still_for"):
        svg, sentence = widgets.still_for(widget_cells[0]["source"])
        assert "<svg" in stills[0] and " ".join(sentence.split()) in caption
    else:  # until the widgets draw their own stills, the page says so instead of showing nothing
        assert site_module.NO_STILL in caption


def test_launch_buttons_open_the_notebook_on_binder_and_on_the_hub_through_nbgitpuller(built):
    lesson = LESSONS[2]
    links = Page(built["out"] / "notebooks" / f"{lesson.stem}.html").links
    hub = [urlsplit(link) for link in links if link.startswith(HUB)]
    assert len(hub) == 1 and hub[0].path == "/hub/user-redirect/git-pull"
    query = parse_qs(hub[0].query)
    assert query["repo"] == [REPO] and query["branch"] == ["main"]
    assert query["urlpath"] == [f"lab/tree/test-kit/notebooks/{lesson.name}"]
    binder = [link for link in links if "/v2/gh/test-org/test-kit/" in link]
    assert binder and binder[0].endswith(f"urlpath=lab/tree/notebooks/{lesson.name}")
    # the start page is not a notebook: nothing to launch there
    assert not any(link.startswith(HUB) for link in Page(built["out"] / "index.html").links)


def _commands(parser, prefix="aipm"):
    yield prefix, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _commands(sub, f"{prefix} {name}")


def test_the_command_reference_has_every_command_as_its_help_prints_it(built):
    from aipm_course.cli import build_parser

    page = _text(built["out"] / "commands.html")
    commands = list(_commands(build_parser()))
    assert len(commands) > 12 and "aipm workshop prepare" in dict(commands)
    for name, parser in commands:  # compared word by word: the lines may break elsewhere (and at hyphens)
        expected = re.sub(r"-\s+", "-", " ".join(parser.format_help().split()))
        assert expected in re.sub(r"-\s+", "-", page), f"`{name} --help` is not on the command reference"


# ------------------------------------------------------------------------------------------------
# The pieces, on small inputs
# ------------------------------------------------------------------------------------------------


def test_a_link_to_the_learners_own_exercise_goes_to_the_solved_exercise_and_widget_state_is_dropped():
    notebook = {"metadata": {"widgets": {"state": {}}}, "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": ["Open [it](../my_work/03_x.ipynb) or [that](04_y.ipynb)."]},
        {"cell_type": "markdown", "metadata": {"tags": ["solution-only"]}, "source": "Solved version."},
    ]}
    prepared = site_module.prepare_notebook(notebook)
    assert [c["source"] for c in prepared["cells"]] == ["Open [it](../solutions/03_x.ipynb) or [that](04_y.ipynb)."]
    assert "widgets" not in prepared["metadata"]


def test_first_sentence_and_figure_title():
    assert site_module.first_sentence("### Heading\n\nRead the **top** row: at 0.5 it misses. Then more.") == \
        "Read the top row: at 0.5 it misses."
    assert site_module.first_sentence("With ten times less traffic, it is too short:") == "With ten times less traffic, it is too short."
    assert site_module.first_sentence("Use `suggest_pattern`, e.g. for _rare_ cases. **k** is next.") == \
        "Use suggest_pattern, e.g. for rare cases."
    assert site_module.first_sentence("Two decisions. **k** sets how many.") == "Two decisions."
    plots = {"cost_curve_plot": __import__("ast").parse(
        'def cost_curve_plot(a, b, title=""):\n    """Return what each threshold costs (lesson 02)."""').body[0]}
    assert site_module.figure_title('plots.cost_curve_plot(x, y, title="Card fraud")', plots) == "Card fraud"
    assert site_module.figure_title("plots.cost_curve_plot(x, y, 'Given')", plots) == "Given"
    assert site_module.figure_title("plots.cost_curve_plot(x, y);", plots) == "What each threshold costs"
    assert site_module.figure_title("ax.set_title('Mine')", plots) == "Mine"
    assert site_module.figure_title("%matplotlib inline\nplt.plot(x)", plots) == "Figure"
