"""The learner's portfolio (lesson 07): decision memos, and the document that gathers them.

Every test builds in its own folder under tmp_path, and AIPM_WORK_DIR points there too, so the
kit's my_work/ is never touched. Numbers in the memos are checked against sums computed here,
from the data, with numpy, scikit-learn and scipy, not against the package's own helpers.
"""

import base64
import datetime as dt
import html
import html.parser
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from scipy.stats import binomtest  # noqa: E402
from sklearn.metrics import confusion_matrix  # noqa: E402

from aipm_course import briefs, cli, rollout  # noqa: E402
from aipm_course.costs import CostInputs, compare  # noqa: E402
from aipm_course.eval_plan import EVAL_PLAN_SKELETON, eval_plan_markdown  # noqa: E402
from aipm_course.portfolio import (  # noqa: E402
    SECTIONS,
    budget_markdown,
    build_portfolio,
    cost_model_markdown,
    save_eval_plan,
    save_memo,
    threshold_decision_markdown,
)
from aipm_course.scenarios import support_tickets, urgent_tickets  # noqa: E402
from aipm_course.uncertainty import budget_from_dict, zone_policy  # noqa: E402
from aipm_course.workspace import save_artifact, save_figure  # noqa: E402

AIPM = Path(sys.executable).parent / "aipm"
TODAY = dt.date(2026, 11, 22)
TITLES = [s.title for s in SECTIONS]
STEMS = [s.stem for s in SECTIONS]
# 17 words, and none of "within" / "OVER", so the budget memo's verdict is the only one in the text.
RATIONALE = "We accept more senior agent looks because a missed urgent ticket costs thirty times more than one"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
BACKUP_NAME = re.compile(r"^portfolio\.\d{8}-\d{6}(-\d+)?\.(md|html)$")


@pytest.fixture
def work(fresh_work):
    """A work folder not yet created (conftest's ``fresh_work``)."""
    return fresh_work


@pytest.fixture
def figure():
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1, 2], [2, 0, 1])
    ax.set_title("a test figure")
    yield fig
    plt.close(fig)


def brief_md() -> str:
    return briefs.brief_to_markdown(briefs.load_example("support_triage"))


def plan_md() -> str:
    return rollout.plan_to_markdown(rollout.example_plan())


def sound_eval_plan() -> dict:
    """An eval plan module 08 would accept, written out here."""
    return {
        "product": "Help-centre answer assistant",
        "failure_types": [
            {"name": "claim not supported by any passage", "check": "judge", "verdict": "pass/fail",
             "rule_or_question": "Does a retrieved passage support every claim in the answer?", "harm": 4},
            {"name": "missed escalation", "check": "code", "verdict": "pass/fail",
             "rule_or_question": "fail when the ticket names an outage and the outcome is not escalated", "harm": 5},
            {"name": "wrong tone", "check": "judge", "verdict": "pass/fail",
             "rule_or_question": "Is the answer curt or blaming?", "harm": 2},
        ],
        "judge": {"labelled_cases": 150, "labelled_fails": 45, "min_tpr": 0.9, "min_tnr": 0.8,
                  "revalidate_when": "any model or prompt change, the judge's or the assistant's"},
        "release_gate": {"min_pass_rate": 0.8, "rate": "corrected", "read_from": "lower bound"},
        "regression_set": {"size": 120, "refreshed_from": "failures found in production, every week"},
        "owner": "Head of Support",
    }


def write_memo(work: Path, stem: str, text: str | bytes) -> Path:
    path = work / "portfolio" / f"{stem}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def still_missing_part(markdown: str) -> str:
    """The text of the document's "Still missing" section ('' when it has none)."""
    match = re.search(r"^## Still missing\s*$(.*)", markdown, flags=re.M | re.S)
    return match.group(1) if match else ""


def listed_missing(markdown: str) -> list[str]:
    return [t for t in TITLES if re.search(rf"^- \*\*{re.escape(t)}\*\*", still_missing_part(markdown), flags=re.M)]


def section_headings(markdown: str) -> list[str]:
    """The portfolio's numbered section headings, e.g. ['1. Feature brief', ...]."""
    return re.findall(r"^## (\d+\. .+)$", markdown, flags=re.M)


def contents(markdown: str) -> list[str]:
    """The numbered lines between "Contents:" and the first section."""
    match = re.search(r"^Contents:\s*$(.*?)^## ", markdown, flags=re.M | re.S)
    assert match, markdown[:500]
    return [line for line in match.group(1).splitlines() if line.strip()]


def backups(work: Path) -> list[Path]:
    folder = work / "backups"
    return sorted(folder.iterdir()) if folder.exists() else []


def build(work: Path, **kwargs):
    return build_portfolio(work=work, today=TODAY, **kwargs)


class Page(html.parser.HTMLParser):
    """Reads an HTML page: the tags seen, unbalanced closes, <img> attributes and the visible text."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: list[str] = []
        self.images: list[dict] = []
        self.text: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "img":
            self.images.append(dict(attrs))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "img":
            self.images.append(dict(attrs))

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else 'nothing'}>")
            if tag in self.stack:
                while self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


# --- 1. which memos are in, which are missing -----------------------------------------------------


def test_an_empty_work_folder_still_gets_a_document_listing_all_six_pieces_as_missing(work):
    report = build(work)
    assert report.markdown == work / "portfolio" / "portfolio.md"
    assert report.html == work / "portfolio" / "portfolio.html"
    assert report.markdown.is_file() and report.html.is_file()
    assert report.included == ()
    assert report.missing == SECTIONS
    assert report.extras == () and report.problems == ()
    text = report.markdown.read_text(encoding="utf-8")
    assert listed_missing(text) == TITLES
    assert section_headings(text) == []
    printed = str(report)
    for section in SECTIONS:
        assert f"{section.title}: make it in {section.how}" in printed
    assert "Nothing is missing" not in printed


def test_some_memos_are_included_in_course_order_and_the_others_listed_missing(work):
    # Written in the "wrong" order on purpose: the document follows the course, not the disk.
    write_memo(work, "05_rollout_plan", plan_md())
    write_memo(work, "01_feature_brief", brief_md())
    report = build(work)
    assert report.included == (TITLES[0], TITLES[4])
    assert [s.stem for s in report.missing] == STEMS[1:4] + STEMS[5:]
    text = report.markdown.read_text(encoding="utf-8")
    assert section_headings(text) == [f"1. {TITLES[0]}", f"2. {TITLES[4]}"]
    brief_at = text.index("AI feature brief: Support triage copilot")
    plan_at = text.index("Rollout plan: Help-centre answer assistant")
    assert brief_at < plan_at < text.index("## Still missing")
    assert listed_missing(text) == TITLES[1:4] + TITLES[5:]
    printed = str(report)
    assert printed.index("Missing") < printed.index(TITLES[1])
    for title in TITLES[1:4] + TITLES[5:]:
        assert f"  - {title}: make it in" in printed
    for title in (TITLES[0], TITLES[4]):
        assert f"  - {title}:" not in printed


def all_six_memos() -> dict[str, str]:
    tickets = support_tickets()
    zones = zone_policy(
        tickets.correct, tickets.confidence, 0.9, 0.6, cases_per_day=tickets.cases_per_day,
        cost_error_served=tickets.cost_error_served, cost_error_caveat=tickets.cost_error_caveat,
        cost_per_review=tickets.cost_per_review, minutes_per_review=tickets.minutes_per_review,
    )
    return {
        "01_feature_brief": brief_md(),
        "02_threshold_decision": threshold_decision_markdown(urgent_tickets(), 0.2, RATIONALE),
        "03_uncertainty_budget": budget_markdown(budget(0.05), zones, 0.05, RATIONALE),
        "04_cost_model": cost_model_markdown(compare(CostInputs()), "rag", RATIONALE),
        "05_rollout_plan": plan_md(),
        "06_eval_plan": eval_plan_markdown(sound_eval_plan()),
    }


def test_with_all_six_memos_nothing_is_missing(work):
    assert len(SECTIONS) == 6 and STEMS[5] == "06_eval_plan" and TITLES[5] == "Eval plan"
    for stem, text in all_six_memos().items():
        save_memo(stem, text, work=work)
    report = build(work, author="Sam")
    assert report.included == tuple(TITLES)
    assert report.missing == ()
    assert "Nothing is missing." in str(report)
    text = report.markdown.read_text(encoding="utf-8")
    assert "## Still missing" not in text
    assert section_headings(text) == [f"{n}. {t}" for n, t in enumerate(TITLES, 1)]
    assert contents(text) == [f"{n}. {t}" for n, t in enumerate(TITLES, 1)]


# --- 2. the Markdown -----------------------------------------------------------------------------


def test_the_markdown_has_the_title_byline_date_and_contents(work):
    write_memo(work, "01_feature_brief", brief_md())
    write_memo(work, "04_cost_model", cost_model_markdown(compare(CostInputs()), "rag", RATIONALE))
    report = build(work, title="  My portfolio ", author=" Sam Lee ")
    lines = report.markdown.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "# My portfolio"
    top = "\n".join(lines[:4])
    assert "By Sam Lee." in top
    assert "2026-11-22" in top
    assert contents("\n".join(lines)) == [f"1. {TITLES[0]}", f"2. {TITLES[3]}"]


def test_the_date_shown_is_the_one_given(work):
    # TODAY may well be the machine's date too; a date far from it shows `today` is the one used.
    text = build_portfolio(work=work, today=dt.date(2031, 2, 3)).markdown.read_text(encoding="utf-8")
    assert "2031-02-03" in "\n".join(text.splitlines()[:4])
    assert dt.date.today().isoformat() not in text


def test_without_an_author_there_is_no_byline(work):
    text = build(work).markdown.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "# AI product portfolio"
    assert "By " not in text
    assert "2026-11-22" in text


def test_a_memos_headings_are_pushed_down_but_not_inside_code_fences(work):
    memo = "\n".join([
        "# My threshold",
        "",
        "## Why this one",
        "",
        "```bash",
        "# a shell comment, not a heading",
        "## nor this",
        "```",
        "",
        "##### Deep",
        "",
        "#hashtag is not a heading",
        "",
    ])
    write_memo(work, "02_threshold_decision", memo)
    lines = build(work).markdown.read_text(encoding="utf-8").splitlines()
    assert "### My threshold" in lines and "# My threshold" not in lines
    assert "#### Why this one" in lines and "## Why this one" not in lines
    assert "# a shell comment, not a heading" in lines and "## nor this" in lines
    assert "### a shell comment, not a heading" not in lines
    assert "###### Deep" in lines  # five levels pushed down stop at six, Markdown's deepest
    assert "#hashtag is not a heading" in lines
    # Outside the code block, the portfolio's own title stays the only level-1 heading.
    assert [line for line in lines if line.startswith("# ")] == ["# AI product portfolio", "# a shell comment, not a heading"]


def test_headings_inside_a_tilde_fence_are_left_alone(work):
    write_memo(work, "02_threshold_decision", "# My threshold\n\n~~~bash\n# install the kit\npip install aipm\n~~~\n")
    lines = build(work).markdown.read_text(encoding="utf-8").splitlines()
    assert "### My threshold" in lines
    assert "# install the kit" in lines


def test_a_saved_figure_is_referenced_once_as_an_image(work, figure):
    write_memo(work, "02_threshold_decision", "# Threshold\n\nMy memo.\n")
    saved = save_figure(figure, "02_threshold_decision.png", work)
    assert saved.path == work / "portfolio" / "02_threshold_decision.png"
    text = build(work).markdown.read_text(encoding="utf-8")
    assert len(re.findall(r"!\[[^\]]*\]\(02_threshold_decision\.png\)", text)) == 1
    # A memo that already shows its figure does not get it twice.
    write_memo(work, "02_threshold_decision", "# Threshold\n\n![my chart](02_threshold_decision.png)\n")
    text = build(work).markdown.read_text(encoding="utf-8")
    assert len(re.findall(r"!\[[^\]]*\]\(02_threshold_decision\.png\)", text)) == 1


def test_a_memo_without_a_figure_gets_no_image(work):
    write_memo(work, "02_threshold_decision", "# Threshold\n\nMy memo.\n")
    assert "![" not in build(work).markdown.read_text(encoding="utf-8")


def test_a_yaml_file_next_to_a_memo_is_linked(work):
    write_memo(work, "05_rollout_plan", plan_md())
    write_memo(work, "01_feature_brief", brief_md())
    (work / "portfolio" / "05_rollout_plan.yaml").write_text(rollout.plan_to_yaml(rollout.example_plan()), encoding="utf-8")
    text = build(work).markdown.read_text(encoding="utf-8")
    links = re.findall(r"(?<!!)\[[^\]]*\]\(([^)]+\.yaml)\)", text)
    assert links == ["05_rollout_plan.yaml"]
    # The link sits in the rollout plan's section, not the brief's.
    assert text.index("## 2. Rollout plan") < text.index("(05_rollout_plan.yaml)")



def test_the_html_shows_the_data_in_a_fold_instead_of_linking_to_a_file_it_travels_without(work):
    write_memo(work, "05_rollout_plan", plan_md())
    data = rollout.plan_to_yaml(rollout.example_plan())
    (work / "portfolio" / "05_rollout_plan.yaml").write_text(data, encoding="utf-8")
    page = build(work).html.read_text(encoding="utf-8")
    assert not re.search(r'href="[^"]*\.yaml"', page)
    folds = re.findall(r"<details><summary>[^<]*05_rollout_plan\.yaml[^<]*</summary><pre>(.*?)</pre></details>", page, re.S)
    assert len(folds) == 1
    assert html.unescape(folds[0]) == data
    # the fold's text parses back into the same plan
    assert rollout.load_plan(html.unescape(folds[0])) == rollout.load_plan(data)

# --- 3. the HTML ---------------------------------------------------------------------------------


def test_the_html_parses_with_balanced_tags_and_has_the_tables_and_headings(work):
    write_memo(work, "01_feature_brief", brief_md())
    write_memo(work, "05_rollout_plan", plan_md())
    report = build(work, title="Sam's <portfolio>")
    page = Page(report.html.read_text(encoding="utf-8"))
    assert page.errors == [] and page.stack == []
    for tag in ("html", "head", "title", "body", "h1", "h2", "h3", "table", "th", "td"):
        assert tag in page.tags, tag
    assert page.tags.count("h2") == 3  # two memos and "Still missing"
    text = "".join(page.text)
    assert "Sam's <portfolio>" in text  # the title is shown as text ...
    assert "portfolio" not in page.tags  # ... not read as a tag
    assert "Still missing" in text


def test_the_html_is_self_contained_every_image_is_the_png_inline(work, figure):
    write_memo(work, "02_threshold_decision", "# Threshold\n\nMy memo.\n")
    write_memo(work, "03_uncertainty_budget", "# Budget\n\nMy budget.\n")
    save_figure(figure, "02_threshold_decision.png", work)
    figure.axes[0].plot([0, 2], [0, 2])  # a different picture for the second memo
    save_figure(figure, "03_uncertainty_budget.png", work)
    report = build(work)
    page = Page(report.html.read_text(encoding="utf-8"))
    pngs = {p.read_bytes() for p in (work / "portfolio").glob("*.png")}
    assert len(pngs) == 2
    assert len(page.images) == 2
    inlined = set()
    for image in page.images:
        src = image["src"]
        prefix = "data:image/png;base64,"
        assert src.startswith(prefix), src[:80]
        inlined.add(base64.b64decode(src[len(prefix):], validate=True))
    assert inlined == pngs


def test_raw_html_in_a_memo_is_shown_as_text_not_run(work):
    memo = '# Threshold\n\n<script>alert("hi")</script>\n\nA picture: <img src="x" onerror="alert(1)">\n'
    write_memo(work, "02_threshold_decision", memo)
    page = Page(build(work).html.read_text(encoding="utf-8"))
    assert "script" not in page.tags
    assert all("onerror" not in image for image in page.images)
    text = "".join(page.text)
    assert '<script>alert("hi")</script>' in text
    assert '<img src="x" onerror="alert(1)">' in text


# --- 4. the learner's own files, and rebuilding --------------------------------------------------


def test_extra_markdown_files_come_after_the_sections_and_are_named(work):
    write_memo(work, "01_feature_brief", brief_md())
    write_memo(work, "04_cost_model", "# Costs\n\nMy cost model.\n")
    (work / "portfolio" / "notes.md").write_text("# My notes\n\nWhat I would do next.\n", encoding="utf-8")
    (work / "portfolio" / "lessons_learned.md").write_text("Shipping small beats shipping late.\n", encoding="utf-8")
    report = build(work)
    assert sorted(report.extras) == ["lessons_learned.md", "notes.md"]
    assert report.included == (TITLES[0], TITLES[3])
    text = report.markdown.read_text(encoding="utf-8")
    headings = section_headings(text)
    assert headings[:2] == [f"1. {TITLES[0]}", f"2. {TITLES[3]}"]
    assert len(headings) == 4 and "My notes" in " ".join(headings[2:])
    for body in ("What I would do next.", "Shipping small beats shipping late."):
        assert text.index("My cost model.") < text.index(body) < text.index("## Still missing")
    printed = str(report)
    assert "notes.md" in printed and "lessons_learned.md" in printed


def test_an_extra_files_title_is_its_first_heading_not_a_comment_in_code(work):
    notes = "```bash\n# install first\npip install aipm\n```\n\n# My notes\n\nText.\n"
    (work / "portfolio").mkdir(parents=True)
    (work / "portfolio" / "notes.md").write_text(notes, encoding="utf-8")
    text = build(work).markdown.read_text(encoding="utf-8")
    assert contents(text) == ["1. My notes"]


def test_rebuilding_never_includes_the_portfolio_in_itself(work):
    write_memo(work, "01_feature_brief", brief_md())
    first = build(work)
    first_text = first.markdown.read_text(encoding="utf-8")
    second = build(work)
    second_text = second.markdown.read_text(encoding="utf-8")
    assert second.extras == ()
    assert second_text == first_text
    assert second_text.count("# AI product portfolio") == 1
    assert second_text.count("AI feature brief: Support triage copilot") == 1


# --- 5. files that cannot be used ----------------------------------------------------------------


def test_a_memo_that_is_not_utf8_is_left_out_and_reported(work):
    write_memo(work, "01_feature_brief", brief_md())
    write_memo(work, "02_threshold_decision", b"\xff\xfe\x00bad")
    report = build(work)
    assert report.included == (TITLES[0],)
    assert TITLES[1] in [s.title for s in report.missing]
    assert len(report.problems) == 1 and "02_threshold_decision.md" in report.problems[0]
    assert "UTF-8" in report.problems[0]
    assert "02_threshold_decision.md" in str(report)
    text = report.markdown.read_text(encoding="utf-8")
    assert TITLES[1] in listed_missing(text)
    assert "bad" not in text


def test_an_extra_file_that_is_not_utf8_is_reported_not_included(work):
    (work / "portfolio").mkdir(parents=True)
    (work / "portfolio" / "notes.md").write_bytes(b"\xff\xfe\x00bad")
    report = build(work)
    assert report.extras == ()
    assert len(report.problems) == 1 and "notes.md" in report.problems[0]


@pytest.mark.parametrize("content", ["", "   \n\n\t\n"])
def test_an_empty_memo_counts_as_missing(work, content):
    write_memo(work, "03_uncertainty_budget", content)
    report = build(work)
    assert report.included == ()
    assert TITLES[2] in [s.title for s in report.missing]
    assert report.problems == ()
    assert TITLES[2] in listed_missing(report.markdown.read_text(encoding="utf-8"))


def test_saving_again_a_memo_that_was_not_utf8_works_and_keeps_the_old_bytes(work):
    old = b"\xff\xfe\x00bad"
    write_memo(work, "02_threshold_decision", old)
    report = build(work)
    assert "save it again as UTF-8" in report.problems[0]
    save_memo("02_threshold_decision", "# Threshold\n\nRewritten as UTF-8.\n", work=work)
    assert (work / "portfolio" / "02_threshold_decision.md").read_text(encoding="utf-8").endswith("Rewritten as UTF-8.\n")
    assert [p.read_bytes() for p in backups(work)] == [old]


# --- 6. backups ----------------------------------------------------------------------------------


def test_rebuilding_after_a_change_keeps_the_previous_document_in_backups(work):
    write_memo(work, "01_feature_brief", brief_md())
    first = build(work)
    old_md, old_html = first.markdown.read_bytes(), first.html.read_bytes()
    assert backups(work) == []
    write_memo(work, "05_rollout_plan", plan_md())
    second = build(work)
    assert second.markdown.read_bytes() != old_md
    kept = backups(work)
    assert len(kept) == 2
    assert all(BACKUP_NAME.match(p.name) for p in kept), [p.name for p in kept]
    by_suffix = {p.suffix: p.read_bytes() for p in kept}
    assert by_suffix == {".md": old_md, ".html": old_html}


def test_rebuilding_without_a_change_makes_no_backup(work, figure):
    write_memo(work, "02_threshold_decision", "# Threshold\n\nMy memo.\n")
    save_figure(figure, "02_threshold_decision.png", work)
    first = build(work)
    md, page = first.markdown.read_bytes(), first.html.read_bytes()
    build(work)
    assert backups(work) == []
    assert first.markdown.read_bytes() == md and first.html.read_bytes() == page


# --- 7. the memos --------------------------------------------------------------------------------


def table_rows(markdown: str) -> dict[str, list[str]]:
    """A Markdown table's body rows by their first cell (the header and the rule are skipped)."""
    rows = {}
    for line in markdown.splitlines():
        if line.startswith("|") and not line.startswith("|---"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            rows[cells[0]] = cells[1:]
    return rows


def percent(cell: str) -> float:
    assert cell.endswith("%"), cell
    return float(cell[:-1].replace(",", "")) / 100


def number(cell: str) -> float:
    return float(cell.replace(",", ""))


def dollars(cell: str) -> float:
    assert cell.startswith("$"), cell
    return float(cell[1:].replace(",", ""))


def printed_close(cell_value: float, exact: float, decimals: int) -> bool:
    return abs(cell_value - exact) <= 0.5 * 10**-decimals + 1e-9


def counts(y: np.ndarray, s: np.ndarray, t: float) -> tuple[int, int, int, int]:
    tn, fp, fn, tp = confusion_matrix(y, (s >= t).astype(int), labels=[0, 1]).ravel()
    return int(tp), int(fp), int(fn), int(tn)


def daily(y, s, t, scenario) -> tuple[float, float, float, float]:
    """(precision, recall, flags a day, cost of errors a day) at threshold t, flagging score >= t."""
    tp, fp, fn, tn = counts(y, s, t)
    n = tp + fp + fn + tn
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn)
    flags = (tp + fp) / n * scenario.cases_per_day
    cost = (fp * scenario.cost_fp + fn * scenario.cost_fn) / n * scenario.cases_per_day
    return precision, recall, flags, cost


def check_row(row: list[str], y, s, scenario) -> float:
    """Check one row's formatted numbers against our own counts; return the row's threshold."""
    t = float(row[0])
    precision, recall, flags, cost = daily(y, s, t, scenario)
    assert printed_close(percent(row[1]) * 100, precision * 100, 1), (row, precision)
    assert printed_close(percent(row[2]) * 100, recall * 100, 1), (row, recall)
    assert printed_close(number(row[3]), flags, 0), (row, flags)
    assert printed_close(percent(row[4]) * 100, flags / scenario.review_capacity_per_day * 100, 0), (row, flags)
    assert printed_close(dollars(row[5]), cost, 0 if cost >= 100 else 2), (row, cost)
    return t


@pytest.fixture(scope="module")
def tickets():
    return urgent_tickets()


@pytest.mark.parametrize("threshold", [0.05, 0.2, 0.5])
def test_the_threshold_memo_numbers_match_counts_computed_from_the_data(tickets, threshold):
    memo = threshold_decision_markdown(tickets, threshold, RATIONALE)
    y, s = np.asarray(tickets.y_true), np.asarray(tickets.scores)
    assert f"{len(y):,} labelled tickets, {y.mean():.1%} positive" in memo
    rows = table_rows(memo)
    chosen, cheapest, capacity = rows["Your choice"], rows["Cheapest on the data"], rows["Most the senior agents can handle"]
    assert float(chosen[0]) == pytest.approx(threshold, abs=5e-5)
    check_row(chosen, y, s, tickets)
    # The cheapest row really is the cheapest: no threshold on a grid of 200 costs less.
    t_cheap = check_row(cheapest, y, s, tickets)
    cheapest_cost = daily(y, s, t_cheap, tickets)[3]
    grid = np.linspace(0, 1, 200)[:, None]
    flagged, positive = s[None, :] >= grid, (y == 1)[None, :]
    fp, fn = (flagged & ~positive).sum(axis=1), (~flagged & positive).sum(axis=1)
    grid_costs = (fp * tickets.cost_fp + fn * tickets.cost_fn) / len(y) * tickets.cases_per_day
    assert cheapest_cost <= grid_costs.min() + 1e-9
    # The capacity row fits the team, and the next lower score seen in the data would not.
    t_cap = check_row(capacity, y, s, tickets)
    assert daily(y, s, t_cap, tickets)[2] <= tickets.review_capacity_per_day
    lower = s[s < t_cap].max()
    assert daily(y, s, lower, tickets)[2] > tickets.review_capacity_per_day
    # The closed form for calibrated scores, by hand: $4 / ($4 + $120) = 0.0323.
    assert float(rows["Closed form, calibrated scores"][0]) == pytest.approx(4 / 124, abs=5e-5)
    check_row(rows["Closed form, calibrated scores"], y, s, tickets)
    # The headroom row fills at most 85% of what the team can read, and the next lower score would not.
    t_head = check_row(rows["85% of what they can handle"], y, s, tickets)
    assert t_cap < t_head
    assert daily(y, s, t_head, tickets)[2] <= 0.85 * tickets.review_capacity_per_day
    assert daily(y, s, s[s < t_head].max(), tickets)[2] > 0.85 * tickets.review_capacity_per_day
    assert "no more than 85%" in memo and "calibrated" in memo
    assert f"at least **{threshold:.4f}**" in memo
    assert RATIONALE in memo


def test_the_threshold_memo_keeps_the_learners_reasons_with_twelve_words_or_more(tickets):
    twelve = "one two three four five six seven eight nine ten eleven twelve"
    assert twelve in threshold_decision_markdown(tickets, 0.3, twelve)
    with pytest.raises(ValueError, match="rationale"):
        threshold_decision_markdown(tickets, 0.3, twelve.rsplit(" ", 1)[0])


@pytest.mark.parametrize("bad", [-0.01, 1.01, float("nan"), True, False, "0.3", None])
def test_the_threshold_memo_refuses_a_threshold_outside_0_1_or_not_a_number(tickets, bad):
    with pytest.raises(ValueError, match="threshold"):
        threshold_decision_markdown(tickets, bad, RATIONALE)


@pytest.mark.parametrize("bad", [None, "", "too short to be a reason", 42])
def test_the_memos_refuse_a_missing_or_short_rationale(tickets, bad):
    with pytest.raises(ValueError, match="rationale"):
        threshold_decision_markdown(tickets, 0.3, bad)
    with pytest.raises(ValueError, match="rationale"):
        cost_model_markdown(compare(CostInputs()), "rag", bad)


def budget(rate: float) -> dict:
    return {
        "name": "Ticket routing",
        "budget": {
            "all tickets": {"max_error_rate": rate, "severity": "medium", "owner": "Support Ops",
                            "review_date": "2027-03-31", "fallback": "route by hand"},
        },
    }


@pytest.fixture(scope="module")
def routing():
    """Support tickets with a three-zone policy, and the zones' figures computed here."""
    t = support_tickets()
    correct, conf = np.asarray(t.y_true) == np.asarray(t.y_pred), np.asarray(t.confidence, dtype=float)
    caveat, human = 0.9, 0.6
    zones = zone_policy(
        correct, conf, caveat, human, cases_per_day=t.cases_per_day, cost_error_served=t.cost_error_served,
        cost_error_caveat=t.cost_error_caveat, cost_per_review=t.cost_per_review, minutes_per_review=t.minutes_per_review,
    )
    served = conf >= caveat
    errors = int((~correct[served]).sum())
    ours = {
        "served": served.mean(),
        "caveat": ((conf >= human) & (conf < caveat)).mean(),
        "human": (conf < human).mean(),
        "error": errors / served.sum(),
        # one-sided 95% Clopper-Pearson bound = the top of the two-sided exact 90% interval
        "bound": binomtest(errors, int(served.sum())).proportion_ci(0.90, method="exact").high,
    }
    return zones, ours


def test_the_budget_memo_shows_the_shares_and_the_bound(routing):
    zones, ours = routing
    memo = budget_markdown(budget_from_dict(budget(0.05)), zones, 0.05, RATIONALE)
    rows = table_rows(memo)
    assert percent(rows["all tickets"][0]) == pytest.approx(0.05)
    assert rows["all tickets"][1:] == ["medium", "Support Ops", "2027-03-31", "route by hand"]
    served = re.search(r"Answer alone .*?: ([\d.]+)% of cases, observed error rate ([\d.]+)%, 95% upper bound ([\d.]+)%", memo)
    caveat = re.search(r"with a caveat .*?: ([\d.]+)% of cases", memo)
    human = re.search(r"Hand to a person .*?: ([\d.]+)% of cases", memo)
    assert served and caveat and human, memo
    assert printed_close(float(served.group(1)), ours["served"] * 100, 1)
    assert printed_close(float(served.group(2)), ours["error"] * 100, 2)
    assert printed_close(float(served.group(3)), ours["bound"] * 100, 2)
    assert printed_close(float(caveat.group(1)), ours["caveat"] * 100, 1)
    assert printed_close(float(human.group(1)), ours["human"] * 100, 1)
    assert RATIONALE in memo


def test_the_budget_memo_tells_the_workload_from_the_people_to_employ():
    t = support_tickets()
    conf = np.asarray(t.confidence, dtype=float)
    zones = zone_policy(t.correct, conf, 0.9, 0.8, cases_per_day=6_000, cost_error_served=4.0, cost_error_caveat=1.5,
                        cost_per_review=1.2, minutes_per_review=2.0)
    memo = budget_markdown(budget(0.05), zones, 0.05, RATIONALE)
    # Written out here: 6,000 tickets × the share below 0.8 × 2 minutes / 60 = hours a day; / (8 h × 85%) on the
    # desk; × 7/5 / (1 − 30%) full-time; rounded up to whole people.
    hours = 6_000 * (conf < 0.8).mean() * 2 / 60
    desk = hours / (8 * 0.85)
    fte = desk * 7 / 5 / 0.7
    work = re.search(r"Workload: ([\d.,]+) hours of reviewing a day, ([\d.]+) people on the desk", memo)
    hire = re.search(r"People to employ: (\d+) (?:person|people) \(([\d.]+) full-time before rounding up", memo)
    assert work and hire, memo
    assert printed_close(number(work.group(1)), hours, 1) and printed_close(float(work.group(2)), desk, 2)
    assert int(hire.group(1)) == math.ceil(fte) and printed_close(float(hire.group(2)), fte, 2)
    assert int(hire.group(1)) > math.ceil(desk) > 1  # about twice the people on the desk (7/5 / 0.7)


def test_the_budget_memo_takes_other_staffing_assumptions_and_refuses_anything_else(routing):
    from aipm_course.uncertainty import reviewer_fte

    zones, ours = routing
    five_days = reviewer_fte(zones.human_cases_per_day, 2.0, days_open=5, shrinkage=0.25)
    memo = budget_markdown(budget(0.05), zones, 0.05, RATIONALE, staffing=five_days)
    fte = 6_000 * ours["human"] * 2 / 60 / (8 * 0.85) / 0.75
    assert f"({fte:.2f} full-time before rounding up: 5 days open, 5 worked each week, 25% shrinkage)" in memo
    with pytest.raises(ValueError, match="staffing"):
        budget_markdown(budget(0.05), zones, 0.05, RATIONALE, staffing=3)


def test_the_budget_memo_counts_the_time_to_confirm_caveats_when_it_is_priced():
    t = support_tickets()
    zones = zone_policy(t.correct, t.confidence, 0.9, 0.6, cases_per_day=6_000, cost_error_served=4.0, cost_error_caveat=1.5,
                        cost_per_review=1.2, minutes_per_review=2.0, seconds_per_confirmation=15)
    caveated = ((np.asarray(t.confidence) >= 0.6) & (np.asarray(t.confidence) < 0.9)).mean() * 6_000
    found = re.search(r"Confirming caveats: ([\d.,]+) hours a day", budget_markdown(budget(0.05), zones, 0.05, RATIONALE))
    assert found and printed_close(number(found.group(1)), caveated * 15 / 3600, 1)


@pytest.mark.parametrize("side", ["below", "above"])
def test_the_budget_memo_says_within_or_over_against_the_served_upper_bound(routing, side):
    zones, ours = routing
    rate = ours["bound"] - 0.004 if side == "below" else ours["bound"] + 0.004
    memo = budget_markdown(budget(rate), zones, rate, RATIONALE)
    verdicts = re.findall(r"\((within|OVER) the ([\d.]+)% budget\)", memo)
    assert len(verdicts) == 1
    assert verdicts[0][0] == ("OVER" if side == "below" else "within")
    assert printed_close(float(verdicts[0][1]), rate * 100, 1)


@pytest.mark.parametrize("bad", [5, -0.1, True])
def test_the_budget_memo_refuses_a_budget_that_is_not_a_share(routing, bad):
    zones, _ = routing
    with pytest.raises(ValueError, match="max_error_rate"):
        budget_markdown(budget(0.05), zones, bad, RATIONALE)


def our_totals(i: CostInputs) -> dict[str, float]:
    """Each pattern's total over the horizon, from the lesson's formulas: setup + months × monthly
    + retrains × retrain cost + queries × (tokens in × price in + tokens out × price out) / 1M + extra."""
    queries = i.queries_per_day * i.months * 30
    retrains = len([k for k in range(1, 1000) if k * i.ft_retrain_every < i.months])
    return {
        "Prompt only": i.prompt_setup + i.months * i.prompt_monthly
        + queries * ((i.prompt_tokens + i.examples_tokens) * i.large_in + i.output_tokens * i.large_out) / 1e6,
        "RAG": i.rag_setup + i.months * i.rag_monthly
        + queries * (((i.prompt_tokens + i.retrieved_tokens) * i.large_in + i.output_tokens * i.large_out) / 1e6 + i.rag_per_query_extra),
        "Fine-tuned": i.ft_setup + i.months * i.ft_monthly + retrains * i.ft_retrain_cost
        + queries * (i.prompt_tokens * i.small_in + i.output_tokens * i.small_out) / 1e6,
    }


@pytest.mark.parametrize("inputs", [CostInputs(), CostInputs(queries_per_day=40_000, months=18)], ids=["default", "busy"])
def test_the_cost_memo_totals_match_the_comparison_and_our_own_sums(inputs):
    comparison = compare(inputs)
    memo = cost_model_markdown(comparison, "rag", RATIONALE)
    rows = table_rows(memo)
    ours = our_totals(inputs)
    assert set(ours) <= set(rows)
    for key, pattern in comparison.patterns.items():
        total = dollars(rows[pattern.name][2])
        assert printed_close(total, comparison.totals[key], 0), (pattern.name, total, comparison.totals[key])
        assert printed_close(total, ours[pattern.name], 0), (pattern.name, total, ours[pattern.name])
    assert "**Decision:** build **RAG**" in memo
    cheapest = min(ours, key=ours.get)
    assert f"Cheapest in total: {cheapest};" in memo


def test_the_cost_memo_refuses_an_unknown_choice_and_lists_the_options():
    with pytest.raises(ValueError, match="choice") as caught:
        cost_model_markdown(compare(CostInputs()), "fine-tuning", RATIONALE)
    message = str(caught.value)
    for option in ("prompt_only", "rag", "fine_tuned", "fine-tuning"):
        assert option in message


def test_the_capstone_scenario_is_as_rare_as_its_docstring_says():
    claimed = re.search(r"about (\d+(?:\.\d+)?)% urgent", urgent_tickets.__doc__)
    assert claimed
    rates = [urgent_tickets(seed=k).prevalence for k in range(3)]
    assert all(abs(r * 100 - float(claimed.group(1))) < 1.0 for r in rates), rates


# --- 8. saving memos and figures -----------------------------------------------------------------


def test_save_memo_refuses_a_stem_that_is_not_a_section_and_names_the_allowed_ones(work):
    with pytest.raises(ValueError, match="stem") as caught:
        save_memo("02_threshold", "# A memo\n", work=work)
    for stem in STEMS:
        assert stem in str(caught.value)
    assert not (work / "portfolio").exists()


@pytest.mark.parametrize("bad", ["", "  \n", None])
def test_save_memo_refuses_an_empty_memo(work, bad):
    with pytest.raises(ValueError, match="markdown"):
        save_memo("01_feature_brief", bad, work=work)
    assert not (work / "portfolio" / "01_feature_brief.md").exists()


def test_save_memo_writes_the_memo_and_its_figure(work, figure):
    text = "# Threshold\n\nMy memo.\n"
    message = save_memo("02_threshold_decision", text, figure=figure, work=work)
    md, png = work / "portfolio" / "02_threshold_decision.md", work / "portfolio" / "02_threshold_decision.png"
    assert md.read_text(encoding="utf-8") == text
    assert png.read_bytes().startswith(PNG_MAGIC)
    assert "02_threshold_decision.md" in message and "02_threshold_decision.png" in message


def test_save_memo_uses_the_work_folder_from_aipm_work_dir(work):
    save_memo("04_cost_model", "# Costs\n\nMine.\n")
    assert (work / "portfolio" / "04_cost_model.md").read_text(encoding="utf-8") == "# Costs\n\nMine.\n"


def test_saving_a_changed_memo_keeps_the_old_one_and_the_same_memo_keeps_nothing(work):
    save_memo("03_uncertainty_budget", "# Budget\n\nFirst version.\n", work=work)
    save_memo("03_uncertainty_budget", "# Budget\n\nFirst version.\n", work=work)
    assert backups(work) == []
    save_memo("03_uncertainty_budget", "# Budget\n\nSecond version.\n", work=work)
    kept = backups(work)
    assert len(kept) == 1
    assert re.fullmatch(r"03_uncertainty_budget\.\d{8}-\d{6}(-\d+)?\.md", kept[0].name)
    assert kept[0].read_text(encoding="utf-8") == "# Budget\n\nFirst version.\n"
    assert (work / "portfolio" / "03_uncertainty_budget.md").read_text(encoding="utf-8") == "# Budget\n\nSecond version.\n"


@pytest.mark.parametrize("not_a_figure", [None, "chart.png", np.zeros((3, 3))])
def test_save_figure_refuses_something_that_is_not_a_figure(work, not_a_figure):
    with pytest.raises(ValueError, match="figure"):
        save_figure(not_a_figure, "02_threshold_decision.png", work)
    assert not (work / "portfolio").exists()


@pytest.mark.parametrize("name", ["../02.png", "sub/02.png", "02.jpg", ".hidden.png", "", "my chart.png", None])
def test_save_figure_refuses_a_name_that_is_not_a_plain_png_file_name(work, figure, name):
    with pytest.raises(ValueError, match="filename"):
        save_figure(figure, name, work)
    assert not (work / "portfolio").exists()
    assert not (work.parent / "02.png").exists()


def test_save_artifact_refuses_a_path_for_a_name(work):
    with pytest.raises(ValueError, match="filename"):
        save_artifact("../portfolio.md", "x", work)


# --- 9. the command ------------------------------------------------------------------------------


def aipm(*args: str, decoy: Path, cwd: Path) -> subprocess.CompletedProcess:
    """Run the installed `aipm` with AIPM_WORK_DIR on a decoy folder that --work-dir must override."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIPM_")}
    env["AIPM_WORK_DIR"] = str(decoy)
    env["MPLBACKEND"] = "Agg"
    return subprocess.run([str(AIPM), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120, check=False)


def test_aipm_portfolio_writes_both_files_and_lists_what_is_missing(tmp_path):
    work, decoy = tmp_path / "work", tmp_path / "decoy"
    write_memo(work, "01_feature_brief", brief_md())
    run = aipm("portfolio", "--work-dir", str(work), "--author", "Sam", "--title", "My portfolio", decoy=decoy, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    md, page = work / "portfolio" / "portfolio.md", work / "portfolio" / "portfolio.html"
    assert md.is_file() and page.is_file()
    assert not decoy.exists()
    text = md.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "# My portfolio" and "By Sam." in text
    assert "<title>My portfolio</title>" in page.read_text(encoding="utf-8")
    assert "portfolio.md" in run.stdout and "portfolio.html" in run.stdout
    assert TITLES[0] in run.stdout.split("Missing")[0]
    missing_part = run.stdout.split("Missing", 1)[1]
    for title in TITLES[1:]:
        assert f"- {title}: make it in" in missing_part
    assert f"- {TITLES[0]}:" not in missing_part


def test_aipm_portfolio_in_process_on_an_empty_folder(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("AIPM_WORK_DIR", str(tmp_path / "decoy"))
    work = tmp_path / "work"
    code = cli.main(["portfolio", "--work-dir", str(work)])
    out = capsys.readouterr().out
    assert code == 0
    for title in TITLES:
        assert f"- {title}: make it in" in out
    assert (work / "portfolio" / "portfolio.md").is_file() and (work / "portfolio" / "portfolio.html").is_file()
    assert not (tmp_path / "decoy").exists()


def test_aipm_portfolio_help_says_it_lists_missing_pieces(tmp_path):
    run = aipm("portfolio", "--help", decoy=tmp_path / "decoy", cwd=tmp_path)
    assert run.returncode == 0
    assert "missing" in run.stdout.lower()
    for option in ("--work-dir", "--title", "--author"):
        assert option in run.stdout
    assert not (tmp_path / "decoy").exists()


@pytest.mark.parametrize("title", ["", "   "])
def test_aipm_portfolio_with_an_empty_title_exits_1_with_a_plain_message(tmp_path, title):
    work = tmp_path / "work"
    run = aipm("portfolio", "--work-dir", str(work), "--title", title, decoy=tmp_path / "decoy", cwd=tmp_path)
    assert run.returncode == 1
    assert run.stderr.startswith("aipm: error: ") and "title" in run.stderr
    assert "Traceback" not in run.stderr
    assert run.stdout == ""
    assert not (work / "portfolio" / "portfolio.md").exists()


# --- 10. savers that never raise: hostile names and folders in the way ----------------------------

from types import SimpleNamespace  # noqa: E402

from aipm_course import workspace  # noqa: E402
from aipm_course.portfolio import save_budget_memo, save_cost_model, save_threshold_decision  # noqa: E402

NAME_RULE = "letters, digits, - and _"
HOSTILE_NAMES = ["../x", "/abs", "a/b", "a\\b", "", "x" * 300, "\ud800", "x.md", ".hidden", "-x", "CON", None, 5]


def every_file(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def save_brief(name, work=None):
    return briefs.save_to_portfolio(briefs.load_example("support_triage"), name=name)


def save_plan(name, work=None):
    return rollout.save_plan_to_portfolio(rollout.example_plan(), 20_000, 0.6, name=name)


NAMED_SAVERS = {"brief": save_brief, "plan": save_plan}


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=repr)
@pytest.mark.parametrize("saver", list(NAMED_SAVERS))
def test_a_saver_given_a_hostile_name_says_not_saved_and_writes_nothing_anywhere(work, tmp_path, saver, name):
    """Regression: `name='../x'` raised ValueError and a 300-character name raised OSError."""
    (tmp_path / "outside.txt").write_text("before", encoding="utf-8")
    before = every_file(tmp_path)
    message = NAMED_SAVERS[saver](name)
    assert message.startswith("Not saved: name must be"), message
    assert NAME_RULE in message
    assert every_file(tmp_path) == before
    assert not Path("/abs.yaml").exists() and not Path("/abs.md").exists()


@pytest.mark.parametrize("saver", list(NAMED_SAVERS))
def test_a_saver_given_a_folders_path_for_a_name_refuses_it(work, tmp_path, saver):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert NAMED_SAVERS[saver](str(elsewhere)).startswith("Not saved: name must be")
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize("saver", list(NAMED_SAVERS))
def test_a_plain_name_up_to_100_characters_is_saved_and_101_is_refused(work, saver):
    assert "Saved portfolio/" in NAMED_SAVERS[saver]("my-plan_2")
    assert "Saved portfolio/" in NAMED_SAVERS[saver]("a" * 100)
    assert NAMED_SAVERS[saver]("a" * 101).startswith("Not saved: name must be")
    assert (work / "portfolio" / ("a" * 100 + ".md")).is_file()


@pytest.mark.parametrize(
    ("saver", "blocked", "others"),
    [
        ("brief", "01_feature_brief.md", ["01_feature_brief.yaml"]),
        ("brief", "01_feature_brief.yaml", ["01_feature_brief.md"]),
        ("plan", "05_rollout_plan.md", ["05_rollout_plan.yaml", "05_rollout_plan.png"]),
        ("plan", "05_rollout_plan.png", ["05_rollout_plan.yaml", "05_rollout_plan.md"]),
    ],
)
def test_a_folder_where_a_file_goes_is_reported_and_nothing_is_half_saved(work, saver, blocked, others):
    """Regression: the plan's YAML was written, then IsADirectoryError was raised for the Markdown."""
    folder = work / "portfolio" / blocked
    folder.mkdir(parents=True)
    (folder / "mine.txt").write_text("keep", encoding="utf-8")
    message = NAMED_SAVERS[saver](blocked.rsplit(".", 1)[0])
    assert message.startswith("Not saved:") and "is a folder" in message and str(folder) in message
    assert every_file(work) == {f"portfolio/{blocked}/mine.txt": b"keep"}
    assert not any((work / "portfolio" / name).exists() for name in others)


def test_a_write_that_fails_part_way_says_what_was_saved(work, monkeypatch):
    real_write = workspace._atomic_write_bytes

    def write(path, data):
        if path.suffix == ".md":
            raise OSError(28, "No space left on device", str(path))
        real_write(path, data)

    monkeypatch.setattr(workspace, "_atomic_write_bytes", write)
    message = save_plan("05_rollout_plan")
    assert message.startswith("Not saved: portfolio/05_rollout_plan.md could not be written (No space left on device)")
    assert "saved before the problem: portfolio/05_rollout_plan.yaml" in message


@pytest.fixture(scope="module")
def capstone():
    """What the capstone's three savers take, built from the kit's scenarios."""
    t = support_tickets()
    routing_data = SimpleNamespace(correct=np.asarray(t.y_true) == np.asarray(t.y_pred), confidence=np.asarray(t.confidence, dtype=float))
    costs = {"cost_error_served": t.cost_error_served, "cost_error_caveat": t.cost_error_caveat,
             "cost_per_review": t.cost_per_review, "minutes_per_review": t.minutes_per_review}
    return {
        "02_threshold_decision": lambda work: save_threshold_decision(urgent_tickets(), {"threshold": 0.3, "rationale": RATIONALE}, work=work),
        "03_uncertainty_budget": lambda work: save_budget_memo(
            routing_data, {"budget": budget(0.05), "caveat_threshold": 0.9, "human_threshold": 0.6},
            t.cases_per_day, costs, 0.05, RATIONALE, work=work),
        "04_cost_model": lambda work: save_cost_model(compare(CostInputs()), {"choice": "rag", "rationale": RATIONALE}, work=work),
    }


@pytest.mark.parametrize("stem", ["02_threshold_decision", "03_uncertainty_budget", "04_cost_model"])
def test_the_capstone_savers_save_both_files(work, capstone, stem):
    message = capstone[stem](work)
    assert f"Saved portfolio/{stem}.md" in message and f"Saved portfolio/{stem}.png" in message


@pytest.mark.parametrize("suffix", [".md", ".png"])
@pytest.mark.parametrize("stem", ["02_threshold_decision", "03_uncertainty_budget", "04_cost_model"])
def test_the_capstone_savers_never_raise_for_a_folder_where_a_file_goes(work, capstone, stem, suffix):
    """Regression: IsADirectoryError escaped these savers, documented as never raising."""
    folder = work / "portfolio" / f"{stem}{suffix}"
    folder.mkdir(parents=True)
    message = capstone[stem](work)
    assert message.startswith("Not saved:") and "is a folder" in message and str(folder) in message
    assert every_file(work) == {}


@pytest.mark.parametrize("stem", ["02_threshold_decision", "04_cost_model"])
def test_the_capstone_savers_never_raise_for_a_work_folder_that_is_a_file(tmp_path, capstone, stem):
    blocker = tmp_path / "a-file"
    blocker.write_text("mine", encoding="utf-8")
    message = capstone[stem](blocker)
    assert message.startswith("Not saved:") and "is a file where a folder should be" in message
    assert blocker.read_text(encoding="utf-8") == "mine"


def test_save_memo_raises_a_clear_error_for_a_folder_in_the_way_and_writes_nothing(work, figure):
    (work / "portfolio" / "02_threshold_decision.png").mkdir(parents=True)
    with pytest.raises(ValueError, match="is a folder"):
        save_memo("02_threshold_decision", "# Memo\n", figure=figure, work=work)
    assert not (work / "portfolio" / "02_threshold_decision.md").exists()


@pytest.mark.parametrize("name", ["x" * 121 + ".md", "\ud800.md"])
def test_save_artifact_refuses_an_overlong_or_unencodable_name_before_touching_the_disk(work, name):
    with pytest.raises(ValueError, match="filename"):
        save_artifact(name, "x", work)
    assert not work.exists()


# --- the eval plan (capstone step 6) --------------------------------------------------------------


def test_save_eval_plan_saves_a_sound_plan_as_the_sixth_memo(work):
    message = save_eval_plan(sound_eval_plan(), work=work)
    path = work / "portfolio" / "06_eval_plan.md"
    assert "Saved portfolio/06_eval_plan.md" in message
    memo = path.read_text(encoding="utf-8")
    assert memo.startswith("# Eval plan") and "Help-centre answer assistant" in memo and "lower bound" in memo
    assert "Open problems" not in memo
    report = build(work)
    assert report.included == (TITLES[5],)
    text = report.markdown.read_text(encoding="utf-8")
    assert section_headings(text) == [f"1. {TITLES[5]}"]
    assert "### Eval plan" in text  # the memo's heading sits under the portfolio's section
    assert "| missed escalation | code | pass/fail |" in text
    assert "<table>" in report.html.read_text(encoding="utf-8")


def test_save_eval_plan_uses_the_work_folder_from_aipm_work_dir(work):
    assert "Saved portfolio/06_eval_plan.md" in save_eval_plan(sound_eval_plan())
    assert (work / "portfolio" / "06_eval_plan.md").is_file()


@pytest.mark.parametrize("answer", [None, ...], ids=["none", "ellipsis"])
def test_save_eval_plan_waits_for_an_answer(work, answer):
    assert save_eval_plan(answer, work=work).startswith("Not saved yet: answer the question above first")
    assert not work.exists()


def test_save_eval_plan_refuses_the_skeleton_and_a_plan_with_problems_with_the_reasons(work):
    import copy

    assert save_eval_plan(copy.deepcopy(EVAL_PLAN_SKELETON), work=work).startswith("Not saved yet: this is still the skeleton")
    point = sound_eval_plan()
    point["release_gate"]["read_from"] = "point estimate"
    message = save_eval_plan(point, work=work)
    assert message.startswith("Not saved yet: the plan still has 1 problem(s)")
    assert "- release_gate.read_from: is 'point estimate', not the lower bound." in message
    assert not work.exists()


def test_a_failing_plan_never_replaces_a_saved_one(work):
    save_eval_plan(sound_eval_plan(), work=work)
    before = (work / "portfolio" / "06_eval_plan.md").read_text(encoding="utf-8")
    draft = sound_eval_plan()
    draft["owner"] = ""
    assert save_eval_plan(draft, work=work).startswith("Not saved yet")
    assert (work / "portfolio" / "06_eval_plan.md").read_text(encoding="utf-8") == before


@pytest.mark.parametrize("answer", [42, "owner: me", ["a"], {"product": {"x": [None]}}, float("nan"), b"x", object()],
                         ids=["int", "yaml", "list", "junk", "nan", "bytes", "object"])
def test_save_eval_plan_never_raises_on_odd_answers(work, answer):
    message = save_eval_plan(answer, work=work)
    assert message.startswith("Not saved yet") and "problem(s)" in message
    assert not work.exists()


def test_save_eval_plan_never_raises_for_a_folder_where_the_memo_goes(work):
    folder = work / "portfolio" / "06_eval_plan.md"
    folder.mkdir(parents=True)
    message = save_eval_plan(sound_eval_plan(), work=work)
    assert message.startswith("Not saved:") and "is a folder" in message
