"""The learner's portfolio: decision memos, and one document that gathers them (lesson 07).

The capstone saves one memo per decision into ``my_work/portfolio/``, each as Markdown with its
figure: the feature brief, the threshold decision, the uncertainty budget, the cost model, the
rollout plan and the eval plan (a table, no figure). ``build_portfolio`` (the ``aipm portfolio``
command) gathers whatever is there into ``portfolio.md`` and a self-contained ``portfolio.html``
with the figures inside, and lists the pieces still missing. A missing piece is reported, never an
error.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as _dt
import html
import re
from pathlib import Path
from typing import Any

from . import validation

__all__ = [
    "SECTIONS",
    "Section",
    "PortfolioReport",
    "threshold_decision_markdown",
    "budget_markdown",
    "cost_model_markdown",
    "save_memo",
    "save_threshold_decision",
    "save_budget_memo",
    "save_cost_model",
    "save_eval_plan",
    "build_portfolio",
]


@dataclasses.dataclass(frozen=True)
class Section:
    """One piece of the portfolio: its title, the file stem it is saved under, and how to make it."""

    key: str
    title: str
    stem: str
    how: str


SECTIONS: tuple[Section, ...] = (
    Section("brief", "Feature brief", "01_feature_brief", "exercise 01 (the last question) or step 1 of the capstone (exercise 07)"),
    Section("threshold", "Threshold decision", "02_threshold_decision", "step 2 of the capstone (exercise 07)"),
    Section("budget", "Uncertainty budget and review load", "03_uncertainty_budget", "step 3 of the capstone (exercise 07)"),
    Section("costs", "Cost model", "04_cost_model", "step 4 of the capstone (exercise 07)"),
    Section("rollout", "Rollout plan", "05_rollout_plan", "exercise 05 (the last question) or step 5 of the capstone (exercise 07)"),
    Section("eval_plan", "Eval plan", "06_eval_plan", "step 6 of the capstone (exercise 07)"),
)
OUTPUT_STEM = "portfolio"


# --------------------------------------------------------------------------------------------
# Memos: one decision each, as Markdown
# --------------------------------------------------------------------------------------------


def _rationale(text: Any, min_words: int = 12) -> str:
    if not isinstance(text, str) or len(text.split()) < min_words:
        got = "nothing" if not isinstance(text, str) else f"{len(text.split())} words"
        raise ValueError(f"rationale must be your reasons in at least {min_words} words (the decision, what it costs, what you gave up), got {got}")
    return text.strip()


def _people(n: int) -> str:
    return f"{n} person" if n == 1 else f"{n} people"


PLANNED_LOAD = 0.85  # the most of a review team's capacity to plan for: flags come in bursts (lesson 07)


def _money(x: float) -> str:
    return f"${x:,.0f}" if abs(x) >= 100 else f"${x:,.2f}"


def threshold_decision_markdown(scenario: Any, threshold: float, rationale: str, title: str = "Threshold decision") -> str:
    """Return a memo for one threshold on a labelled scenario: the chosen threshold against the
    cheapest one on the data, the closed form C_FP/(C_FP+C_FN) (the cheapest in expectation when the
    scores are calibrated), the lowest the review team can handle and the lowest that leaves it 15%
    headroom, with precision, recall, flags, the share of capacity and cost a day."""
    from .scenarios import Scenario
    from .thresholds import bayes_threshold, best_threshold, metrics_at, threshold_for_capacity

    if not isinstance(scenario, Scenario):
        raise validation.fail("scenario", scenario, "a labelled Scenario (e.g. scenarios.load_scenario('urgent_tickets'))")
    threshold = validation.real("threshold", threshold, low=0, high=1)
    why = _rationale(rationale)
    y, s = scenario.y_true, scenario.scores
    per_day = scenario.cases_per_day
    best = best_threshold(y, s, scenario.cost_fp, scenario.cost_fn, scenario.cost_tp, scenario.cost_tn, resamples=0)
    capacity = threshold_for_capacity(y, s, scenario.review_capacity_per_day, per_day)
    headroom = threshold_for_capacity(y, s, PLANNED_LOAD * scenario.review_capacity_per_day, per_day)
    closed_form = bayes_threshold(scenario.cost_fp, scenario.cost_fn, scenario.cost_tp, scenario.cost_tn)
    rows = []
    for label, t in (("Your choice", float(threshold)), ("Cheapest on the data", best.threshold),
                     ("Closed form, calibrated scores", closed_form), (f"Most the {scenario.reviewer_word} can handle", capacity.threshold),
                     (f"{PLANNED_LOAD:.0%} of what they can handle", headroom.threshold)):
        m = metrics_at(y, s, t)
        flags = m.flagged / m.n * per_day
        load = f"{flags / scenario.review_capacity_per_day:.0%}" if scenario.review_capacity_per_day > 0 else "-"
        cost = m.cost_per_case(scenario.cost_fp, scenario.cost_fn, scenario.cost_tp, scenario.cost_tn) * per_day
        rows.append(f"| {label} | {t:.4f} | {m.precision:.1%} | {m.recall:.1%} | {flags:,.0f} | {load} | {_money(cost)} |")
    lines = [
        f"# {title}: {scenario.title}",
        "",
        f"{scenario.description}",
        "",
        f"Data: {scenario.size:,} labelled {scenario.case_word}, {scenario.prevalence:.1%} positive. A false alarm costs {_money(scenario.cost_fp)}, "
        f"a miss {_money(scenario.cost_fn)}. {per_day:,} {scenario.case_word} a day; the {scenario.reviewer_word} can handle "
        f"{scenario.review_capacity_per_day:,} {scenario.flag_word} a day.",
        "",
        "| Threshold | Value | Precision | Recall | Flags a day | Share of capacity | Cost of errors a day |",
        "|---|---|---|---|---|---|---|",
        *rows,
        "",
        f"The closed form, cost of a false alarm / (sum of both error costs), is the cheapest threshold in expectation when the scores "
        f"are calibrated; the cheapest on the data differs from it partly by chance. Plan the {scenario.flag_word} at no more than "
        f"{PLANNED_LOAD:.0%} of what the {scenario.reviewer_word} can handle: they arrive in bursts, and a queue's wait grows sharply "
        "as a desk nears 100% busy.",
        "",
        f"**Decision:** flag a {scenario.case_word.removesuffix('s')} when its score is at least **{float(threshold):.4f}**.",
        "",
        f"**Why:** {why}",
        "",
    ]
    return "\n".join(lines)


def _staffing(zones: Any, staffing: Any):
    """The people the human zone needs: the given Staffing, or reviewer_fte's defaults at the zones' review load."""
    from .uncertainty import Staffing, reviewer_fte

    if staffing is None:
        minutes = zones.review_hours_per_day * 60 / zones.human_cases_per_day if zones.human_cases_per_day > 0 else 0.0
        return reviewer_fte(zones.human_cases_per_day, minutes)
    if not isinstance(staffing, Staffing):
        raise validation.fail("staffing", staffing, "None, or the Staffing that uncertainty.reviewer_fte returns")
    return staffing


def budget_markdown(budget: Any, zones: Any, max_error_rate: float, rationale: str, title: str = "Uncertainty budget", staffing: Any = None) -> str:
    """Return a memo for an uncertainty budget and the three-zone policy that keeps it.

    The human zone is shown twice, as lesson 03 teaches: its workload (hours of reviewing a day, and
    people on the desk each open day) and the people to employ for it (``uncertainty.reviewer_fte``:
    by default 8-hour shifts at 85% occupancy, a 7-day desk staffed by 5-day weeks, 30% shrinkage;
    pass ``staffing`` for other assumptions)."""
    from .uncertainty import ZoneResult, _check_budget, budget_from_dict

    if not isinstance(zones, ZoneResult):
        raise validation.fail("zones", zones, "the three-zone policy that uncertainty.zone_policy returns")
    max_error_rate = _check_budget(max_error_rate)
    b = budget_from_dict(budget)
    why = _rationale(rationale)
    staff = _staffing(zones, staffing)
    meets = zones.served_upper_bound <= max_error_rate
    lines = [
        f"# {title}: {b.name}",
        "",
        "| Scope | Most errors allowed | Severity | Owner | Review by | Fallback |",
        "|---|---|---|---|---|---|",
        *[f"| {e.scope} | {e.max_error_rate:.1%} | {e.severity} | {e.owner} | {e.review_date} | {e.fallback} |" for e in b.entries],
        "",
        f"## The three-zone policy",
        "",
        f"- Answer alone when confidence ≥ {zones.caveat_threshold:.2f}: {zones.shares['served']:.1%} of cases, "
        f"observed error rate {zones.error_rates['served']:.2%}, 95% upper bound {zones.served_upper_bound:.2%} "
        f"({'within' if meets else 'OVER'} the {max_error_rate:.1%} budget).",
        f"- Answer with a caveat when confidence ≥ {zones.human_threshold:.2f}: {zones.shares['caveat']:.1%} of cases.",
        f"- Hand to a person below that: {zones.shares['human']:.1%} of cases, {zones.human_cases_per_day:,.0f} a day.",
        f"  - Workload: {staff.workload_hours:,.1f} hours of reviewing a day, {staff.on_desk:.2f} people on the desk each open day "
        f"({staff.shift_hours:g}-hour shifts at {staff.occupancy:.0%} occupancy).",
        f"  - People to employ: {_people(staff.hire)} ({staff.fte:.2f} full-time before rounding up: {staff.days_open} days open, "
        f"{staff.days_worked} worked each week, {staff.shrinkage:.0%} shrinkage).",
        *([f"- Confirming caveats: {zones.confirmation_hours_per_day:,.1f} hours a day of the people who confirm them."]
          if zones.confirmation_hours_per_day > 0 else []),
        f"- Cost of errors and reviews: {_money(zones.cost_per_day)} a day.",
        "",
        f"**Why:** {why}",
        "",
    ]
    return "\n".join(lines)


def cost_model_markdown(comparison: Any, choice: str, rationale: str, title: str = "Cost model") -> str:
    """Return a memo comparing the patterns' costs over the horizon, with the chosen pattern."""
    from .costs import Comparison, break_even_between

    if not isinstance(comparison, Comparison):
        raise validation.fail("comparison", comparison, "the comparison of patterns that costs.compare returns")
    why = _rationale(rationale)
    if not isinstance(choice, str) or choice not in comparison.patterns:
        raise validation.fail("choice", choice, f"one of {', '.join(map(repr, comparison.patterns))}")
    i = comparison.inputs
    rows = [
        f"| {p.name} | ${p.per_query:.5f} | {_money(p.fixed_cost(i.months))} | {_money(comparison.totals[k])} | {p.success_rate:.0%} | ${comparison.per_success[k]:.4f} | {p.weeks_to_ship:g} |"
        for k, p in comparison.patterns.items()
    ]
    lines = [
        f"# {title}",
        "",
        f"{i.queries_per_day:,.0f} queries a day over {i.months:g} months (30-day months). Each query: {i.prompt_tokens:,.0f} prompt tokens, "
        f"{i.retrieved_tokens:,.0f} retrieved (RAG) or {i.examples_tokens:,.0f} of examples (prompt only), {i.output_tokens:,.0f} out. "
        f"Large model ${i.large_in:g} / ${i.large_out:g} per million tokens in / out, fine-tuned small model ${i.small_in:g} / ${i.small_out:g}. "
        "Every figure is an assumption: change one and the table changes.",
        "",
        "| Pattern | Cost per query | Fixed over the horizon | Total | Success rate | Per successful task | Weeks to ship |",
        "|---|---|---|---|---|---|---|",
        *rows,
        "",
    ]
    if "rag" in comparison.patterns and "fine_tuned" in comparison.patterns:
        be = break_even_between(comparison.patterns["rag"], comparison.patterns["fine_tuned"], i.months)
        lines += [f"RAG against fine-tuning: {be.reason}", ""]
    lines += [
        f"Cheapest in total: {comparison.patterns[comparison.cheapest].name}; cheapest per successful task: "
        f"{comparison.patterns[comparison.cheapest_per_success].name}.",
        "",
        f"**Decision:** build **{comparison.patterns[choice].name}**.",
        "",
        f"**Why:** {why}",
        "",
    ]
    return "\n".join(lines)


def save_memo(stem: str, markdown: str, figure: Any = None, work: Path | None = None) -> str:
    """Save a memo (and its figure) into the portfolio under a section's name; return what was saved.

    Both places are checked and the figure drawn before anything is written, so a folder in the way
    raises ``KitError`` (a ValueError) and leaves nothing half-saved."""
    from .workspace import save_files

    stems = {s.stem for s in SECTIONS}
    if not isinstance(stem, str) or stem not in stems:
        raise validation.fail("stem", stem, f"one of {', '.join(sorted(stems))}")
    if not isinstance(markdown, str) or not markdown.strip():
        raise ValueError("markdown must be the memo's text, got nothing")
    files: dict[str, Any] = {f"{stem}.md": markdown}
    if figure is not None:
        files[f"{stem}.png"] = figure
    return "\n".join(str(s) for s in save_files(files, work))


def _not_yet(*answers: Any) -> str | None:
    from .checking import is_unanswered

    if any(is_unanswered(a) for a in answers):
        return "Not saved yet: answer the question above first, then run this cell again."
    return None


def _closing(fig) -> None:
    import matplotlib.pyplot as plt

    plt.close(fig)


def _save_decision(stem: str, answers: tuple, needs: str, build, work: Path | None) -> str:
    """Check the answers are there, build (memo text, figure) from the decision dict and save both.
    Never raises: an answer that is not ready gets "Not saved yet: <what to fix>", and a memo that
    cannot be written (a folder where the file goes, a work folder that cannot be written)
    gets "Not saved: <why>", with nothing half-saved."""
    from .workspace import not_saved

    waiting = _not_yet(*answers)
    if waiting:
        return waiting
    decision = answers[0]
    try:
        if not isinstance(decision, dict):
            raise ValueError(f"decision must be a dict with {needs}")
        text, fig = build(decision)
    except (ValueError, TypeError) as exc:
        return f"Not saved yet: {exc}"
    try:
        return save_memo(stem, text, fig, work)
    except (ValueError, TypeError, OSError) as exc:
        return not_saved(exc)
    finally:
        _closing(fig)


def save_threshold_decision(scenario: Any, decision: Any, work: Path | None = None) -> str:
    """Save the threshold memo and its cost curve to the portfolio (capstone step 2). Never raises."""
    from .plots import cost_curve_plot
    from .thresholds import best_threshold, cost_curve

    def build(d: dict):
        text = threshold_decision_markdown(scenario, d.get("threshold"), d.get("rationale"))
        thresholds, cost = cost_curve(scenario.y_true, scenario.scores, scenario.cost_fp, scenario.cost_fn, scenario.cost_tp, scenario.cost_tn)
        best = best_threshold(scenario.y_true, scenario.scores, scenario.cost_fp, scenario.cost_fn, resamples=0)
        return text, cost_curve_plot(thresholds, cost, best, title="What each threshold costs", mark=d["threshold"])

    return _save_decision("02_threshold_decision", (decision,), "threshold and rationale", build, work)


def save_budget_memo(routing: Any, decision: Any, cases_per_day: float, costs: dict[str, float], max_error_rate: float, rationale: Any, work: Path | None = None) -> str:
    """Save the budget memo and the zones chart to the portfolio (capstone step 3). Never raises."""
    from .plots import zone_plot
    from .uncertainty import zone_policy

    def build(d: dict):
        if not all(hasattr(routing, a) for a in ("correct", "confidence")):
            raise validation.fail("routing", routing, "the routing model's cases: correct and confidence, as a ConfidenceScenario has (scenarios.support_tickets())")
        if not isinstance(costs, dict):
            raise validation.fail("costs", costs, "a dict of the zone costs (cost_error_served, cost_error_caveat, cost_per_review, ...)")
        zones = zone_policy(routing.correct, routing.confidence, d.get("caveat_threshold"), d.get("human_threshold"),
                            cases_per_day=cases_per_day, **costs)
        text = budget_markdown(d.get("budget"), zones, max_error_rate, rationale)
        return text, zone_plot(zones, title="Where tickets go, and what it costs a day")

    return _save_decision("03_uncertainty_budget", (decision, rationale), "budget, caveat_threshold and human_threshold", build, work)


def save_cost_model(comparison: Any, decision: Any, work: Path | None = None) -> str:
    """Save the cost memo and the pattern cost lines to the portfolio (capstone step 4). Never raises."""
    from .plots import pattern_cost_plot

    def build(d: dict):
        text = cost_model_markdown(comparison, d.get("choice"), d.get("rationale"))
        return text, pattern_cost_plot(comparison.inputs, title="Total cost over the horizon by volume")

    return _save_decision("04_cost_model", (decision,), "choice and rationale", build, work)


def _is_skeleton(plan: Any, skeleton: dict) -> bool:
    try:
        return isinstance(plan, dict) and bool(plan == skeleton)
    except Exception:  # noqa: BLE001 - a learner's object may fail to compare
        return False


def save_eval_plan(plan: Any, work: Path | None = None) -> str:
    """Save an eval plan that ``eval_plan.check_eval_plan`` finds sound to the portfolio as its memo
    (capstone step 6). A plan with problems is not saved, so a draft never replaces a finished plan;
    the text returned lists them. Never raises."""
    from .eval_plan import EVAL_PLAN_SKELETON, check_eval_plan, eval_plan_markdown
    from .workspace import not_saved

    waiting = _not_yet(plan)
    if waiting or _is_skeleton(plan, EVAL_PLAN_SKELETON):
        return waiting or "Not saved yet: this is still the skeleton. Fill in each ___, then run this cell again."
    problems = check_eval_plan(plan)
    if problems:
        listed = "\n".join(f"- {p}" for p in problems)
        return f"Not saved yet: the plan still has {len(problems)} problem(s). Fix them, then run this cell again:\n{listed}"
    try:
        return save_memo("06_eval_plan", eval_plan_markdown(plan), None, work)
    except (ValueError, TypeError, OSError) as exc:
        return not_saved(exc)


# --------------------------------------------------------------------------------------------
# Assembling the document
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class PortfolioReport:
    markdown: Path
    html: Path
    included: tuple[str, ...]
    missing: tuple[Section, ...]
    extras: tuple[str, ...]
    problems: tuple[str, ...]

    def __str__(self) -> str:
        lines = [f"Wrote portfolio/{self.markdown.name} and portfolio/{self.html.name} in your work folder.", f"Included: {', '.join(self.included) or 'nothing yet'}."]
        if self.extras:
            lines.append(f"Also included, from your own files: {', '.join(self.extras)}.")
        if self.missing:
            lines.append("Missing (the document lists them too):")
            lines += [f"  - {s.title}: make it in {s.how}." for s in self.missing]
        else:
            lines.append("Nothing is missing.")
        lines += [f"Note: {p}" for p in self.problems]
        return "\n".join(lines)


def _lines_outside_code(text: str):
    """Yield (line, outside) for each line: outside is False inside a ``` or ~~~ fenced block."""
    fence = None
    for line in text.splitlines():
        marker = re.match(r"^\s*(```|~~~)", line)
        if marker and (fence is None or marker.group(1) == fence):
            fence = marker.group(1) if fence is None else None
            yield line, False
        else:
            yield line, fence is None


def _demote(text: str, levels: int = 2) -> str:
    """Push every Markdown heading down, so a memo's title sits under the portfolio's section."""
    out = []
    for line, outside in _lines_outside_code(text):
        if outside and re.match(r"^#{1,6}\s", line):
            hashes = len(line) - len(line.lstrip("#"))
            line = "#" * min(6, hashes + levels) + line[hashes:]
        out.append(line)
    return "\n".join(out).strip()


def _first_heading(text: str) -> str | None:
    """The first top-level heading outside code blocks, or None."""
    for line, outside in _lines_outside_code(text):
        if outside and re.match(r"^#\s+\S", line):
            return line[1:].strip()
    return None


def _read(path: Path, problems: list[str]) -> str | None:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        problems.append(f"{path.name} is not UTF-8 text and was left out; save it again as UTF-8.")
    except OSError as exc:
        problems.append(f"{path.name} could not be read ({exc.strerror or exc}) and was left out.")
    return None


def _section_markdown(number: int, title: str, body: str, folder: Path, stem: str) -> list[str]:
    lines = [f"## {number}. {title}", "", _demote(body), ""]
    figure = folder / f"{stem}.png"
    if figure.is_file() and f"{stem}.png" not in body:
        lines += [f"![{title}]({stem}.png)", ""]
    data = folder / f"{stem}.yaml"
    if data.is_file():
        lines += [f"As data: [{stem}.yaml]({stem}.yaml)", ""]
    return lines


def _html(markdown_text: str, folder: Path, title: str) -> str:
    import mistune

    render = mistune.create_markdown(escape=True, plugins=["table", "strikethrough"])
    body = render(markdown_text)

    def inline(match: re.Match) -> str:
        name = html.unescape(match.group(1))
        path = folder / name
        if re.fullmatch(r"[\w.-]+\.png", name) and path.is_file():
            data = base64.b64encode(path.read_bytes()).decode("ascii")
            return f'src="data:image/png;base64,{data}"'
        return match.group(0)

    body = re.sub(r'src="([^"]+)"', inline, body)

    def data_block(match: re.Match) -> str:
        # The page is meant to be sent on its own, so a link to a file beside it would break:
        # show the data in a fold instead.
        name = html.unescape(match.group(1))
        path = folder / name
        try:
            content = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            return match.group(0)
        return (
            f"<details><summary>The data behind this memo ({html.escape(name)})</summary>"
            f"<pre>{html.escape(content)}</pre></details>"
        )

    body = re.sub(r'<p>As data: <a href="([\w.-]+\.yaml)">[^<]*</a></p>', data_block, body)
    style = (
        "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:56rem;margin:2rem auto;padding:0 1rem;"
        "line-height:1.5;color:#1a1a1a}table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #ccc;"
        "padding:.3rem .6rem;text-align:left}th{background:#f3f3f3}img{max-width:100%}h2{border-bottom:1px solid #ddd;"
        "padding-bottom:.2rem;margin-top:2.5rem}.missing{color:#8a4b00}pre{background:#f6f6f6;padding:.6rem;"
        "overflow-x:auto}summary{cursor:pointer;color:#444}"
    )
    return (
        f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
        f"<style>{style}</style></head><body>\n{body}\n</body></html>\n"
    )


def build_portfolio(work: Path | None = None, title: str = "AI product portfolio", author: str = "", today: _dt.date | None = None) -> PortfolioReport:
    """Gather the memos in ``my_work/portfolio/`` into ``portfolio.md`` and ``portfolio.html``.

    Sections follow the course's order; any other Markdown file you put in the folder comes after
    them. Missing sections are listed in the document and in the report. Earlier versions of the
    two output files are kept in ``backups/`` when they differ.
    """
    from .workspace import _work_arg, save_artifact

    if not isinstance(title, str) or not title.strip():
        raise ValueError(f"title must be non-empty text, got {title!r}")
    if not isinstance(author, str):
        raise ValueError(f"author must be text, got {author!r}")
    if today is not None and not isinstance(today, _dt.date):
        raise validation.fail("today", today, "a datetime.date, or None for today")
    work = _work_arg(work)
    folder = work / "portfolio"
    folder.mkdir(parents=True, exist_ok=True)
    today = today or _dt.date.today()
    problems: list[str] = []
    included: list[str] = []
    missing: list[Section] = []
    parts: list[tuple[str, str, str]] = []  # (title, body, stem)
    for section in SECTIONS:
        path = folder / f"{section.stem}.md"
        text = _read(path, problems) if path.is_file() else None
        if text is None or not text.strip():
            missing.append(section)
            continue
        included.append(section.title)
        parts.append((section.title, text, section.stem))
    known = {f"{s.stem}.md" for s in SECTIONS} | {f"{OUTPUT_STEM}.md"}
    extras: list[str] = []
    for path in sorted(folder.glob("*.md")):
        if path.name in known or path.name.startswith("."):
            continue
        text = _read(path, problems)
        if text and text.strip():
            extras.append(path.name)
            heading = _first_heading(text)
            parts.append((heading or path.stem.replace("_", " "), text, path.stem))
    byline = f"By {author.strip()}. " if author.strip() else ""
    lines = [f"# {title.strip()}", "", f"{byline}Assembled on {today.isoformat()} from the AI PM Workbook.", ""]
    if parts:
        lines += ["Contents:", ""] + [f"{n}. {t}" for n, (t, _, _) in enumerate(parts, 1)] + [""]
    for n, (t, body, stem) in enumerate(parts, 1):
        lines += _section_markdown(n, t, body, folder, stem)
    if missing:
        lines += ["## Still missing", ""]
        lines += [f"- **{s.title}**: make it in {s.how}." for s in missing]
        lines.append("")
    text = "\n".join(lines)
    md = save_artifact(f"{OUTPUT_STEM}.md", text, work)
    page = save_artifact(f"{OUTPUT_STEM}.html", _html(text, folder, title.strip()), work)
    return PortfolioReport(md.path, page.path, tuple(included), tuple(missing), tuple(extras), tuple(problems))
