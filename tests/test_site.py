"""`make site`: a readable HTML version of the lessons and solved exercises, with working links."""

import re
from pathlib import Path

import pytest

from aipm_course.site import _rewrite_links, build_site, internal_links

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    pages = build_site(out, ROOT)
    return out, pages


def test_every_module_has_its_pages_and_the_index_lists_them_in_order(site):
    out, pages = site
    assert pages[0] == out / "index.html"
    index = (out / "index.html").read_text()
    lessons = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    solutions = sorted(p.stem for p in (ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))
    assert lessons and solutions
    for stem in lessons:
        assert (out / "lessons" / f"{stem}.html").is_file()
        assert f"lessons/{stem}.html" in index
    for stem in solutions:
        assert (out / "solutions" / f"{stem}.html").is_file()
        assert f"solutions/{stem}.html" in index
    numbers = re.findall(r"<li><b>(\d\d)</b>", index)
    assert numbers == sorted(numbers) == sorted({s[:2] for s in lessons})


def test_no_internal_link_is_broken_and_none_points_at_a_notebook(site):
    out, pages = site
    checked = 0
    for page in pages:
        for link in internal_links(page):
            target = (page.parent / link.split("#")[0]).resolve()
            assert target.is_file(), f"{page.relative_to(out)} links to {link}, which is not in the site"
            assert out.resolve() in target.parents
            checked += 1
        assert not re.search(r'href="[^"]*\.ipynb', page.read_text()), f"{page.name} still links to a notebook"
    assert checked >= 12  # the index's links and the start page's module map at least


def test_the_start_page_links_to_every_lesson_and_figures_are_embedded(site):
    out, _ = site
    start = (out / "lessons" / "00_start_here.html").read_text()
    for stem in (p.stem for p in (ROOT / "notebooks").glob("0[1-9]_*.ipynb")):
        assert f'href="{stem}.html"' in start
    assert "data:image/png;base64" in (out / "lessons" / "02_precision_recall_costs.html").read_text()


def test_link_rewriting_rules():
    lesson = '<a href="03_uncertainty_budgets.ipynb">open</a> <a href="../my_work/04_rag_finetune_costs.ipynb">yours</a>'
    assert _rewrite_links(lesson, "lessons") == '<a href="03_uncertainty_budgets.html">open</a> <a href="../solutions/04_rag_finetune_costs.html">yours</a>'
    assert _rewrite_links('<a href="../notebooks/02_precision_recall_costs.ipynb">', "solutions") == '<a href="../lessons/02_precision_recall_costs.html">'
    untouched = '<a href="https://example.org/x.ipynb">x</a> <a href="notes.ipynb">y</a>'
    assert _rewrite_links(untouched, "lessons") == untouched
