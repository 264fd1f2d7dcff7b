"""Exercise 07: the capstone, a support-triage copilot's urgent-ticket flag end to end (lesson 07).

Brief, threshold by cost, uncertainty budget, cost model, rollout plan and eval plan, each checked
and saved to the portfolio, then the portfolio assembled. Numbers follow the notebook's parameters.

The questions are registered in order on ``exercise`` (see ``registry.py``); the eval plan (step 6)
came last, so it is q13 although the notebook asks it before the portfolio (q12). The case's data,
the thresholds of step 2 (cheapest, closed form, capacity, headroom), the budget's threshold of
step 3 and the cost comparison of step 4 are shared values (``ex.data.case``, ...). ``load``
returns the question set with five extras the notebook uses: ``ex.case``, ``ex.comparison``,
``ex.save_brief(brief)``, ``ex.save_plan(plan)`` and ``ex.save_eval_plan(plan)``.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import math
import numbers
import re
import types
from collections.abc import Mapping

import numpy as np

from ..briefs import brief_to_dict, load_example, read_brief, validate_brief
from ..checking import ___, Mistake, NumberQuestion, NumberSpec, ValidationQuestion, decimals, significant, whole
from ..costs import DAYS_PER_MONTH, CostInputs, break_even_between, compare
from ..eval_plan import EVAL_PLAN_SKELETON, check_eval_plan, known_failure_type, read_eval_plan
from ..parameters import Scenario, get_scenario, scaled, validate_parameters
from ..portfolio import PortfolioReport
from ..rollout import KILL_SWITCH_MIN_USERS, example_plan, plan_to_dict, read_plan
from ..scenarios import support_tickets, urgent_tickets
from ..thresholds import ConfusionCounts, bayes_threshold, best_threshold, confusion_table, metrics_at
from ..uncertainty import budget_from_dict, reviewer_fte, threshold_for_budget, zone_policy
from .plan_checks import plan_checker, plan_saver
from .registry import Context, Exercise, QuestionSet

__all__ = ["exercise", "load", "case", "CapstoneSet", "THRESHOLD_SKELETON", "BUDGET_SKELETON", "COST_SKELETON", "EVAL_PLAN_SKELETON"]

# The exercise's starting points: an answer still equal to one of these is "not attempted".
THRESHOLD_SKELETON = {"threshold": ___, "rationale": ___}
BUDGET_SKELETON = {
    "budget": {"name": ___, "budget": {___: {"max_error_rate": ___, "severity": ___, "owner": ___, "review_date": ___, "fallback": ___}}},
    "caveat_threshold": ___,
    "human_threshold": ___,
}
COST_SKELETON = {"choice": ___, "rationale": ___}

MODULE = "07"
BUDGET = 0.05  # the routing budget: at most 5% of tickets answered alone may be wrong
REVIEWERS_AVAILABLE = 10  # full-time triagers (people employed) the team can spare for the human zone (scaled with the volume)
PLAN_BASELINE = 0.60  # task success today, the rate the rollout's online gates watch
HUMAN_THRESHOLD = 0.8  # question 6: tickets below this confidence go to a person
# Questions 6 and 7 turn review work into people to employ with lesson 03's reviewer_fte and these
# assumptions (its defaults, stated in question 6): 8-hour shifts at 85% occupancy, a desk open
# 7 days a week staffed by 5-day weeks, 30% of paid time lost to shrinkage.
STAFFING = {"shift_hours": 8.0, "occupancy": 0.85, "shrinkage": 0.30, "days_open": 7, "days_worked": 5}
PLANNED_LOAD = 0.85  # question 4: plan the seniors' flags at no more than this share of what they can read
LEAST_LOAD = 0.80  # question 4: a threshold filling less than this share leaves them idle while urgent tickets are missed
HALF_STEP = 5e-5  # question 4: a threshold given to four decimals counts as the one it rounds
BRIEFING_SEED = 42  # the seed the briefing (notebooks/07) shows its numbers with
LESSON_03_HUMAN_THRESHOLD = 0.7  # the human threshold of lesson 03's zone example
LESSON_05_USERS = 20_000  # the users a day of lesson 05's plan
ESCALATION_HARM_AT_LEAST = 4  # question 13: the harm a missed escalation must be given, of 5

exercise = Exercise(MODULE)


# --------------------------------------------------------------------------------------------
# The case: the data and assumptions every step uses
# --------------------------------------------------------------------------------------------


def _case(seed: int, sc: Scenario) -> types.SimpleNamespace:
    base = urgent_tickets(seed)
    urgent = dataclasses.replace(
        base,
        cost_fp=scaled(base.cost_fp, sc.cost),
        cost_fn=scaled(base.cost_fn, sc.cost),
        cases_per_day=scaled(base.cases_per_day, sc.volume, whole=True),
        review_capacity_per_day=scaled(base.review_capacity_per_day, sc.volume, whole=True),
    )
    routing = support_tickets(seed)
    tickets_per_day = urgent.cases_per_day
    # A scenario scales every fixed and monthly cost; token prices stay those of the price table.
    d = CostInputs()
    money = ("prompt_setup", "prompt_monthly", "rag_setup", "rag_monthly", "ft_setup", "ft_monthly", "ft_retrain_cost")
    costs = d.with_(queries_per_day=tickets_per_day, **{k: scaled(getattr(d, k), sc.cost) for k in money})
    zone_costs = {
        "cost_error_served": scaled(routing.cost_error_served, sc.cost), "cost_error_caveat": scaled(routing.cost_error_caveat, sc.cost),
        "cost_per_review": scaled(routing.cost_per_review, sc.cost), "minutes_per_review": routing.minutes_per_review,
    }
    return types.SimpleNamespace(
        seed=seed, scenario=sc.name, urgent=urgent, routing=routing, tickets_per_day=tickets_per_day,
        minutes_per_review=routing.minutes_per_review, zone_costs=zone_costs, budget=BUDGET,
        reviewers_available=max(1, round(REVIEWERS_AVAILABLE * sc.volume)), costs=costs, plan_baseline=PLAN_BASELINE,
    )


def case(seed: int = 0, scenario: str = "default") -> types.SimpleNamespace:
    """Return the capstone's data and assumptions for these parameters (also used by the lesson)."""
    seed, scenario = validate_parameters(seed, scenario)
    return _case(seed, get_scenario(scenario))


def _shared_case(ctx: Context) -> types.SimpleNamespace:
    """The case (``ex.data.case``): the same as ``case(seed, scenario)``."""
    return _case(ctx.seed, ctx.scenario)


_shared_case.__name__ = "case"  # shared as ``ex.data.case``; ``case`` itself is the public function
exercise.shared(_shared_case)


@exercise.shared
def thresholds(ctx: Context) -> types.SimpleNamespace:
    """Step 2's thresholds: the cheapest on the data, the closed form for calibrated scores (the
    cheapest in expectation), and the lowest whose flags fit all, 85% and 80% of the seniors' capacity."""
    u = ctx.shared.case.urgent
    # One sorted table gives them all (what best_threshold and threshold_for_capacity compute, each sorting
    # the 20,000 scores again): the cheapest, the highest among equal costs; the lowest that fits.
    table = confusion_table(u.y_true, u.scores)
    cost = table.cost_per_case(u.cost_fp, u.cost_fn)
    i = int(np.nonzero(cost <= cost.min() + 1e-12 * max(1.0, abs(cost.min())))[0][0])
    n = table.tp[0] + table.fp[0] + table.fn[0] + table.tn[0]
    flags = (table.tp + table.fp) / n * u.cases_per_day

    def fitting(load: float) -> float:
        return float(table.thresholds[int(np.nonzero(flags <= load * u.review_capacity_per_day + 1e-9)[0][-1])])

    at = ConfusionCounts(float(table.thresholds[i]), int(table.tp[i]), int(table.fp[i]), int(table.fn[i]), int(table.tn[i]))
    return types.SimpleNamespace(cheapest=at.threshold, at_cheapest=at, bayes=bayes_threshold(u.cost_fp, u.cost_fn),
                                 capacity=fitting(1.0), headroom=fitting(PLANNED_LOAD), least_load=fitting(LEAST_LOAD))


@exercise.shared
def budget_met(ctx: Context):
    """Step 3's threshold: the lowest confidence whose served tickets' upper bound fits the budget."""
    r = ctx.shared.case.routing
    return threshold_for_budget(r.correct, r.confidence, BUDGET)


@exercise.shared
def comparison(ctx: Context):
    """Step 4's cost comparison: ``compare(c.costs)``."""
    return compare(ctx.shared.case.costs)


@functools.lru_cache(maxsize=1)
def _example_brief() -> dict:
    return brief_to_dict(load_example("support_triage"))


@functools.lru_cache(maxsize=1)
def _lesson_numbers() -> types.SimpleNamespace:
    """What the lessons print for the same quantities (seed 42 in the briefing, lesson 03's and 04's
    examples): the numbers a learner copies when they use the lesson's data instead of their own."""
    u = urgent_tickets(BRIEFING_SEED)
    cheapest = best_threshold(u.y_true, u.scores, u.cost_fp, u.cost_fn, resamples=0).threshold
    at = metrics_at(u.y_true, u.scores, cheapest)
    lesson03 = support_tickets(0)
    lesson04 = compare(CostInputs())
    p = lesson04.patterns
    return types.SimpleNamespace(
        cheapest=cheapest, flags_a_day=at.flagged / at.n * u.cases_per_day,
        budget_threshold=threshold_for_budget(lesson03.correct, lesson03.confidence, BUDGET).threshold,
        rag_per_success=lesson04.per_success["rag"],
        break_even_per_day=break_even_between(p["rag"], p["fine_tuned"], lesson04.inputs.months).per_day,
    )


# --------------------------------------------------------------------------------------------
# Checkers of the open questions
# --------------------------------------------------------------------------------------------


def _words(text) -> int:
    return len(text.split()) if isinstance(text, str) else 0


def _has_number(text: str) -> bool:
    return bool(re.search(r"\d", text))


def _decision(answer, keys: tuple[str, ...]) -> Mapping:
    if not isinstance(answer, Mapping):
        raise ValueError(f"answer with a dict with the keys {', '.join(keys)}, got {type(answer).__name__}")
    missing = [k for k in keys if k not in answer]
    if missing:
        raise ValueError(f"the dict is missing {', '.join(missing)}")
    return answer


def _rationale_problems(text) -> list[str]:
    if _words(text) < 12:
        return [f"rationale: {_words(text)} words. Give your reasons in at least 12: the decision, what it costs, what you give up."]
    if not _has_number(text):
        return ["rationale: no number in it. Back the decision with one (a cost a day, a share, a headcount)."]
    return []


def _observed_threshold(correct, confidence, budget: float) -> float:
    """The lowest confidence threshold whose served cases' observed error rate is within the budget
    (the tempting answer that ignores how sure the evidence is)."""
    c, p = np.asarray(correct, dtype=bool), np.asarray(confidence, dtype=float)
    order = np.argsort(-p, kind="mergesort")
    p_sorted, errors = p[order], np.cumsum(~c[order])
    last = np.r_[np.nonzero(np.diff(p_sorted))[0], len(p_sorted) - 1]
    ok = np.nonzero(errors[last] / (last + 1) <= budget)[0]
    return float(p_sorted[last[ok[-1]]]) if len(ok) else 1.0


def _brief_checker(example: dict):
    def check(answer) -> list[str]:
        brief = read_brief(answer)
        problems = [str(f) for f in validate_brief(brief)]
        about = {"feature": brief.feature, "user problem": brief.user_problem,
                 "AI role": brief.sections.get("workflow", {}).get("ai_role", "")}
        off = [name for name, text in about.items() if "urgen" not in str(text).lower()]
        if off:
            problems.append(f"focus: the {', '.join(off)} do not mention urgent tickets. This brief is for the urgent-ticket flag: say what is urgent and what the AI does about it.")
        if brief_to_dict(brief) == example:
            problems.append("copy: this is the lesson's example brief unchanged. Rewrite it for the urgent-ticket flag.")
        return problems

    return check


# A rationale that adds people to read the flags: hiring, contractors, more seniors.
HIRING = re.compile(
    r"\b(hire[sd]?|hiring|recruit\w*|headcount|contractors?)\b"
    r"|\b(more|extra|additional|new|another)\s+(\w+\s+)?(seniors?|agents?|people|staff|reviewers?)\b",
    re.IGNORECASE,
)


def _defensible_range(t: types.SimpleNamespace) -> tuple[float, float]:
    """Question 4's range: from the lower of the closed form (the cheapest in expectation, for
    calibrated scores) and the cheapest on the data, up to the threshold that fills 80% of the
    seniors' capacity (or the cheapest, when even it fills less)."""
    return min(t.bayes, t.cheapest), max(t.least_load, t.cheapest)


def _threshold_checker(c: types.SimpleNamespace, t: types.SimpleNamespace):
    u = c.urgent
    low, high = _defensible_range(t)
    capacity, planned = u.review_capacity_per_day, PLANNED_LOAD * u.review_capacity_per_day

    def flags_a_day(x: float) -> float:
        m = metrics_at(u.y_true, u.scores, x)
        return m.flagged / m.n * u.cases_per_day

    def check(answer) -> list[str]:
        d = _decision(answer, ("threshold", "rationale"))
        x = d["threshold"]
        if isinstance(x, bool) or not isinstance(x, numbers.Real) or not 0 < x < 1:
            raise ValueError(f"threshold must be a number between 0 and 1, got {x!r}")
        problems = []
        if x < low - HALF_STEP:
            problems.append(
                f"threshold: {x:g} is below both the cheapest threshold on the data ({t.cheapest:.4f}) and the closed form for these "
                f"calibrated scores, cost of a false flag / (sum of both costs) = {t.bayes:.4f}, the cheapest in expectation. Below both, "
                "each extra flag costs more than the misses it prevents, and the seniors get more to read. Raise it."
            )
        elif x > high + HALF_STEP:
            problems.append(
                f"threshold: {x:g} flags about {flags_a_day(x):,.0f} tickets a day, under {LEAST_LOAD:.0%} of the {capacity:,} a day the "
                f"seniors can read: beyond the headroom a busy day needs, it misses urgent tickets they had time for. Lower it to {high:.4f} or below."
            )
        elif flags_a_day(x + HALF_STEP) > planned + 1e-9 and not HIRING.search(str(d["rationale"])):
            flags = flags_a_day(x)
            problems.append(
                f"headroom: at {x:g} the seniors get about {flags:,.0f} flags a day, {flags / capacity:.0%} of the {capacity:,} they can read. "
                f"Flags come in bursts, and a queue's wait grows sharply as a desk nears 100% busy: plan for at most {PLANNED_LOAD:.0%} "
                f"({planned:,.0f} a day). Raise the threshold to {t.headroom:.4f} or more, or say in the rationale whom you hire to read the rest."
            )
        return problems + _rationale_problems(d["rationale"])

    return check


def _budget_checker(c: types.SimpleNamespace):
    def check(answer) -> list[str]:
        d = _decision(answer, ("budget", "caveat_threshold", "human_threshold"))
        budget = budget_from_dict(d["budget"])  # BudgetError is a ValueError: "could not be read"
        problems = []
        if len(budget.entries) < 2:
            problems.append("budget: one line only. Give at least two scopes with different limits (e.g. all tickets, and the ones about billing or security).")
        z = zone_policy(
            c.routing.correct, c.routing.confidence, d["caveat_threshold"], d["human_threshold"],
            cases_per_day=c.tickets_per_day, **c.zone_costs,
        )
        loosest = max(e.max_error_rate for e in budget.entries)
        if loosest > c.budget + 1e-12:
            problems.append(f"budget: a line allows {loosest:.1%} errors; the support lead's limit is {c.budget:.0%} for every scope.")
        if z.served_upper_bound > c.budget:
            problems.append(
                f"zones: tickets answered alone have an upper bound of {z.served_upper_bound:.2%} errors, over the {c.budget:.0%} budget. "
                "Raise the caveat threshold."
            )
        staff = reviewer_fte(z.human_cases_per_day, c.minutes_per_review, **STAFFING)
        if staff.hire > c.reviewers_available:
            problems.append(
                f"people: the human zone needs {staff.hire} triagers and the team can spare {c.reviewers_available}: {staff.workload_hours:.1f} h "
                f"of reviewing a day is {staff.on_desk:.2f} people on the desk, {staff.fte:.2f} to employ (counted as in question 6). "
                "Lower the human threshold (more tickets get a caveat instead)."
            )
        return problems

    return check


def _cost_checker(comparison):
    worst = max(comparison.per_success, key=comparison.per_success.get)

    def check(answer) -> list[str]:
        d = _decision(answer, ("choice", "rationale"))
        choice = d["choice"]
        if not isinstance(choice, str) or choice not in comparison.patterns:
            raise ValueError(f"choice must be one of {', '.join(map(repr, comparison.patterns))}, got {choice!r}")
        problems = []
        if choice == worst:
            problems.append(
                f"choice: {comparison.patterns[choice].name} costs the most per successful task "
                f"(${comparison.per_success[choice]:.4f}). Pick a pattern you can defend on cost per success."
            )
        return problems + _rationale_problems(d["rationale"])

    return check


def _is_portfolio_report(answer) -> bool:
    if isinstance(answer, PortfolioReport):
        return True
    # the same class from a reloaded copy of aipm_course.portfolio is still the report
    kind = type(answer)
    return kind.__name__ == "PortfolioReport" and kind.__module__ == PortfolioReport.__module__ and dataclasses.is_dataclass(answer)


def _portfolio_checker(answer) -> list[str]:
    if not _is_portfolio_report(answer):
        raise ValueError(
            f"pass the report that `build_portfolio()` returns (`report = build_portfolio()`, then `ex.q12.check(report)`), "
            f"not {type(answer).__name__}"
        )
    return [f"missing: {s.title}. Make it in {s.how}." for s in answer.missing]


# --------------------------------------------------------------------------------------------
# Step 1: the brief
# --------------------------------------------------------------------------------------------


@exercise.question("q1")
def the_brief(ctx: Context) -> ValidationQuestion:
    c, example = ctx.shared.case, copy.deepcopy(_example_brief())
    return ValidationQuestion(
        "q1",
        "The brief for the urgent-ticket flag",
        (
            "Write the brief for a new feature of the support-triage copilot: flag urgent tickets (an outage, a security "
            f"problem, a customer about to leave) for a senior agent within the hour. {c.tickets_per_day:,} tickets a day, about "
            f"{c.urgent.prevalence:.0%} urgent; the seniors can read {c.urgent.review_capacity_per_day:,} flags a day. Start from the lesson 01 "
            "example if you like, but make it about urgency. It must pass the validator."
        ),
        _brief_checker(example),
        starting_point=example,
        hints=(
            "`brief_to_yaml(load_example(\"support_triage\"))` gives a complete brief to adapt; change the feature, the problem, the metrics and the human loop.",
            "The validator lists what is missing, field by field: run the check after each section.",
            "A quality target must be one its evaluation set can show by a 95% bound. For recall, `eval_size` counts the urgent tickets "
            "only (about 8% of a labelled set); for precision, the tickets the flag marks. Size the set for that, or give `expected:` from a pilot.",
        ),
        solution=("One complete brief is in the solved notebook: recall at least 0.7 measured on about 320 urgent tickets with 0.8 expected; "
                  "yours will differ in its details."),
    )


# --------------------------------------------------------------------------------------------
# Step 2: the threshold
# --------------------------------------------------------------------------------------------


@exercise.question("q2")
def cheapest_threshold(ctx: Context) -> NumberQuestion:
    u, t, lesson = ctx.shared.case.urgent, ctx.shared.thresholds, _lesson_numbers()
    p = significant(3)
    closed_form = u.cost_fp / (u.cost_fp + u.cost_fn)
    slips = (
        Mistake(closed_form, "That is the closed form for calibrated scores, cost of a false flag / (sum of both costs): a good first guess. "
                "The question asks for the cheapest threshold on these tickets, which their own errors decide: price every threshold and take the lowest."),
        Mistake(0.5, "0.5 treats a false flag and a missed urgent ticket as equally bad. They are not: weigh each error by its cost."),
        Mistake(u.cost_fn / (u.cost_fp + u.cost_fn), "That puts the cost of a miss on top. A threshold that high suits errors where a false flag is the expensive one; "
                "here a miss is, so the cheapest threshold flags generously."),
        Mistake(u.cost_fp / u.cost_fn, "That is the ratio of the two costs (the odds form). Even the closed form divides by the sum of both costs, "
                "and this question asks for the threshold that is cheapest on the data itself."),
        Mistake(t.capacity, "That is the lowest threshold the seniors can handle, the other end of question 4. This question ignores capacity: "
                "which threshold gives the lowest cost of errors?"),
        Mistake(lesson.cheapest, f"That is the briefing's cheapest threshold, for seed {BRIEFING_SEED}. Your tickets come from your own seed: run the search on `c.urgent`."),
    )
    return NumberQuestion(
        "q2",
        "The cheapest threshold",
        (
            f"On your seed's {u.size:,} labelled tickets (`c.urgent`; the briefing showed seed {BRIEFING_SEED}), a false flag costs ${u.cost_fp:g} "
            f"and a missed urgent ticket ${u.cost_fn:g}. Which score threshold gives the lowest cost of errors on this data?"
        ),
        NumberSpec(t.cheapest, precision=p, fraction=True, mistakes=slips),
        hints=(
            "Price every threshold: at each one, count false flags and missed urgent tickets, weigh each by its cost, and keep the cheapest.",
            "`best_threshold(u.y_true, u.scores, u.cost_fp, u.cost_fn, resamples=0).threshold` does the search.",
        ),
        solution=(f"`best_threshold(...)` → {p.format(t.cheapest)} (the closed form for calibrated scores, cost_fp / (cost_fp + cost_fn), "
                  f"gives {p.format(closed_form)}: near it, because these scores are calibrated, but not the same)."),
        data=u,
    )


@exercise.question("q3")
def flags_a_day(ctx: Context) -> NumberQuestion:
    u, t, lesson = ctx.shared.case.urgent, ctx.shared.thresholds, _lesson_numbers()
    m, p = t.at_cheapest, significant(3)
    flags = m.flagged / m.n * u.cases_per_day
    slips = (
        Mistake(m.flagged, f"That is the count in the labelled sample of {m.n:,} tickets. Scale it to a day: the share flagged × tickets a day."),
        Mistake(m.flagged / m.n, "That is the share of tickets flagged. Multiply it by the tickets a day to get flags a day."),
        Mistake(m.tp / m.n * u.cases_per_day, "That counts only the urgent tickets that get flagged. False flags land on the seniors' desk too: count every ticket at or above the threshold."),
        Mistake(u.prevalence * u.cases_per_day, "That is how many urgent tickets arrive a day, whatever the threshold. Count the tickets the threshold flags, urgent or not."),
        Mistake(u.review_capacity_per_day, "That is how many flags the seniors can read a day, the limit question 4 compares against. Count the flags the cheapest threshold produces."),
        Mistake(lesson.flags_a_day, f"That is the briefing's figure for seed {BRIEFING_SEED}. Count the flags on your own tickets, `c.urgent`, at your cheapest threshold."),
    )
    return NumberQuestion(
        "q3",
        "Flags a day at that threshold",
        f"At the cheapest threshold, how many tickets a day would be flagged ({u.cases_per_day:,} tickets a day)?",
        NumberSpec(flags, precision=p, units="flags a day", mistakes=slips),
        hints=(
            "A flag is any ticket scored at or above the threshold, urgent or not. Find the share flagged in the sample, then scale it to a day.",
            "Flags a day = (flagged in the sample / sample size) × tickets a day; `metrics_at(u.y_true, u.scores, cheapest)` gives the counts.",
        ),
        solution=f"{m.flagged:,} of {m.n:,} flagged × {u.cases_per_day:,} = {p.format(flags)} a day, against {u.review_capacity_per_day:,} the seniors can read.",
    )


@exercise.question("q4")
def your_threshold(ctx: Context) -> ValidationQuestion:
    c, t = ctx.shared.case, ctx.shared.thresholds
    low, high = _defensible_range(t)
    return ValidationQuestion(
        "q4",
        "Your threshold, and why",
        (
            "Choose the threshold you would ship and give your reasons: a dict with `threshold` and `rationale`. "
            "The cheapest one may flag more tickets than the seniors can read: decide between hiring, a higher threshold, or something in between, "
            f"and leave the seniors headroom for a busy day (plan for at most {PLANNED_LOAD:.0%} of the flags they can read)."
        ),
        _threshold_checker(c, t),
        starting_point=copy.deepcopy(THRESHOLD_SKELETON),
        hints=(
            "`threshold_for_capacity(y_true, scores, capacity, tickets_a_day)` gives the lowest threshold whose flags fit a capacity: "
            f"try it with {PLANNED_LOAD:.0%} of the seniors' capacity, the most to plan for.",
            "Defensible: from the lower of the closed form cost_fp / (cost_fp + cost_fn) (the cheapest in expectation for calibrated scores) "
            f"and the cheapest on the data, up to the threshold that fills about {LEAST_LOAD:.0%} of the seniors' capacity. "
            f"One that fills more than {PLANNED_LOAD:.0%} needs more seniors: say whom you hire.",
        ),
        solution=(f"Between {low:.4f} and {high:.4f}. From {t.headroom:.4f} up, today's seniors keep {1 - PLANNED_LOAD:.0%} headroom; "
                  "below it, name the hiring in the reasons. The reasons state the cost a day and the people needed."),
        data=types.SimpleNamespace(cheapest=t.cheapest, capacity=t.capacity, bayes=t.bayes, headroom=t.headroom, least_load=t.least_load),
    )


# --------------------------------------------------------------------------------------------
# Step 3: the uncertainty budget
# --------------------------------------------------------------------------------------------


@exercise.question("q5")
def budget_threshold(ctx: Context) -> NumberQuestion:
    c, met, lesson = ctx.shared.case, ctx.shared.budget_met, _lesson_numbers()
    r, p = c.routing, decimals(3)
    slips = (
        Mistake(lambda: _observed_threshold(r.correct, r.confidence, c.budget),
                "That threshold keeps the observed error rate within the budget. The budget must hold for the upper confidence bound "
                "on that rate: with a sample, the true rate may be higher than what you saw."),
        Mistake(lambda: threshold_for_budget(r.correct, r.confidence, c.budget, confidence_level=0.975).threshold,
                "That uses a two-sided 95% interval (97.5% on each side). The budget needs a one-sided bound: 95% sure the error rate is at most the budget."),
        Mistake(1 - c.budget, "That is one minus the budget (or the 95% confidence level). The threshold is a cut on the model's confidence, "
                "found on the labelled tickets from the errors among those served."),
        Mistake(met.coverage, "That is the coverage: the share of tickets served alone. The question asks for the confidence threshold that gives it."),
        Mistake(met.upper_bound, "That is the upper bound on the served error rate. The question asks for the confidence threshold at which it fits the budget."),
        Mistake(lesson.budget_threshold, "That is lesson 03's threshold, on its seed-0 tickets. Your tickets come from your seed: use `c.routing`."),
    )
    return NumberQuestion(
        "q5",
        "The lowest confidence that keeps the budget",
        (
            f"The copilot also routes every ticket to one of 12 queues. The support lead allows at most {c.budget:.0%} wrong queues "
            f"among tickets routed with no human, shown with 95% confidence (a one-sided upper bound) on your seed's {r.size:,} labelled tickets "
            "(`c.routing`). What is the lowest confidence threshold that meets it?"
        ),
        NumberSpec(met.threshold, precision=p, fraction=True, mistakes=slips),
        hints=(
            "Serve the most confident tickets first; for each threshold, count the errors among those served and put an upper bound on their rate.",
            "`threshold_for_budget(correct, confidence, max_error_rate)` finds the widest coverage whose upper bound fits.",
        ),
        solution=f"{met} The threshold, to three decimals: {p.format(met.threshold)}.",
        data=r,
    )


def _staffing(c, share: float, **change):
    """reviewer_fte for a share of the tickets, with question 6's assumptions (a slip changes one)."""
    return reviewer_fte(share * c.tickets_per_day, c.minutes_per_review, **{**STAFFING, **change})


def _up(x: float) -> int:
    return math.ceil(x - 1e-9)


def _staffing_slips(c, z, below) -> tuple[Mistake, ...]:
    human = z.shares["human"]
    s = _staffing(c, human)
    week, shrink = STAFFING["days_open"] / STAFFING["days_worked"], STAFFING["shrinkage"]
    return (
        Mistake(_up(s.on_desk), f"That is the people on the desk each open day: the workload, not the headcount. A desk open {STAFFING['days_open']} days "
                f"staffed by {STAFFING['days_worked']}-day weeks needs × {STAFFING['days_open']}/{STAFFING['days_worked']}, and shrinkage leaves "
                f"{1 - shrink:.0%} of paid time: ÷ {1 - shrink:g}."),
        Mistake(_staffing(c, human, shrinkage=0).hire, f"That covers the {STAFFING['days_open']}-day desk but forgets shrinkage: breaks, training and leave "
                f"take {shrink:.0%} of paid time, so divide by {1 - shrink:g}."),
        Mistake(_staffing(c, human, days_open=STAFFING["days_worked"]).hire, f"That allows for shrinkage but not for the {STAFFING['days_open']}-day desk: "
                f"each triager works {STAFFING['days_worked']} days of {STAFFING['days_open']}, so × {STAFFING['days_open']}/{STAFFING['days_worked']}."),
        Mistake(_up(s.on_desk * week * (1 + shrink)), f"That adds {shrink:.0%} (× {1 + shrink:g}). Shrinkage of {shrink:.0%} leaves {1 - shrink:.0%} of paid "
                f"time for work: divide by {1 - shrink:g} (× {1 / (1 - shrink):.2f})."),
        Mistake(_staffing(c, human, occupancy=1).hire, f"That counts every minute of a shift as reviewing. At {STAFFING['occupancy']:.0%} occupancy a triager "
                f"reviews about {STAFFING['shift_hours'] * STAFFING['occupancy']:g} hours of an {STAFFING['shift_hours']:g}-hour shift."),
        Mistake(_staffing(c, human + z.shares["caveat"]).hire, "You sent the caveat zone to people too. Only tickets below the human threshold go to a person."),
        Mistake(_staffing(c, 1.0).hire, "That sends every ticket to a person. Only the human zone, the tickets below the human threshold, needs a triager."),
        Mistake(_staffing(c, below(LESSON_03_HUMAN_THRESHOLD)).hire,
                f"That uses lesson 03's human threshold ({LESSON_03_HUMAN_THRESHOLD}). This question sends tickets below {HUMAN_THRESHOLD} to a person."),
    )


@exercise.question("q6")
def triagers(ctx: Context) -> NumberQuestion:
    c, met = ctx.shared.case, ctx.shared.budget_met
    r, p = c.routing, whole("up")
    z = zone_policy(r.correct, r.confidence, met.threshold, HUMAN_THRESHOLD, cases_per_day=c.tickets_per_day, **c.zone_costs)
    s = _staffing(c, z.shares["human"])
    below = lambda t: float((r.confidence < t).mean())  # noqa: E731 - the share a person sees below t
    return NumberQuestion(
        "q6",
        "Triagers to employ for the human zone",
        (
            f"With that caveat threshold and tickets below confidence {HUMAN_THRESHOLD} sent to a person ({c.minutes_per_review:g} minutes "
            f"each), how many full-time triagers must the team employ for {c.tickets_per_day:,} tickets a day? The desk is open "
            f"{STAFFING['days_open']} days a week; each triager works {STAFFING['days_worked']} shifts of {STAFFING['shift_hours']:g} hours a week "
            f"at {STAFFING['occupancy']:.0%} occupancy (the rest goes on waiting and switching between tickets), and shrinkage (breaks, "
            f"training, leave) takes {STAFFING['shrinkage']:.0%} of paid time."
        ),
        NumberSpec(float(s.hire), precision=p, units="triagers", mistakes=_staffing_slips(c, z, below)),
        hints=(
            "Hours of triage a day = tickets to a person × minutes / 60. People on the desk each day = those hours / the hours a shift "
            "gives at that occupancy. People to employ = on the desk × 7/5 (a desk open every day, 5-day weeks) / 0.7 (shrinkage).",
            "`reviewer_fte(zones.human_cases_per_day, c.minutes_per_review)` uses these assumptions (its defaults); `.hire` rounds up.",
        ),
        solution=(f"{z.human_cases_per_day:,.0f} tickets × {c.minutes_per_review:g} min = {s.workload_hours:.1f} h a day; "
                  f"÷ ({STAFFING['shift_hours']:g} h × {STAFFING['occupancy']:.0%}) = {s.on_desk:.2f} people on the desk (the workload); "
                  f"× 7/5 ÷ {1 - STAFFING['shrinkage']:g} = {s.fte:.2f} full-time → {s.hire} to employ."),
        data=types.SimpleNamespace(human_cases_per_day=z.human_cases_per_day, minutes_per_case=c.minutes_per_review, **STAFFING),
    )


@exercise.question("q7")
def your_budget(ctx: Context) -> ValidationQuestion:
    c = ctx.shared.case
    return ValidationQuestion(
        "q7",
        "Your budget and zones",
        (
            f"Write the uncertainty budget (at least two scopes, none above {c.budget:.0%}) and choose the two thresholds, in a dict with "
            f"`budget`, `caveat_threshold` and `human_threshold`. Tickets answered alone must meet the budget's bound, and the human zone "
            f"must fit the {c.reviewers_available} full-time triagers the team can spare (people to employ, counted as in question 6)."
        ),
        _budget_checker(c),
        starting_point=copy.deepcopy(BUDGET_SKELETON),
        hints=(
            "The budget's format is lesson 03's: `name` and `budget:` with one entry per scope (max_error_rate, severity, owner, review_date, fallback).",
            "Start from the caveat threshold of question 5; move the human threshold down until `reviewer_fte(...).hire` fits the triagers.",
        ),
        solution=("A budget with two or more scopes at 5% or less, the caveat threshold from question 5 or above, and a human threshold whose "
                  "people to employ (not its workload) are no more than the triagers available."),
    )


# --------------------------------------------------------------------------------------------
# Step 4: the cost model
# --------------------------------------------------------------------------------------------


@exercise.question("q8")
def rag_per_success(ctx: Context) -> NumberQuestion:
    c, cmp, lesson = ctx.shared.case, ctx.shared.comparison, _lesson_numbers()
    rag, i, p = cmp.patterns["rag"], c.costs, significant(3)
    total, queries, expected = cmp.totals["rag"], i.queries, cmp.per_success["rag"]
    year = i.queries_per_day * 365  # a learner's year of 365 days instead of the model's 12 × 30
    slips = (
        Mistake(total / queries, "That is the cost per query. Not every draft succeeds: divide by the successful tasks, queries × success rate."),
        Mistake(total / queries * rag.success_rate, "That multiplies by the success rate. Failed drafts still cost money, so the cost per success is higher than per query: divide by it."),
        Mistake(rag.per_query / rag.success_rate, "That counts only the cost of each query. Add the fixed costs (setup and the monthly running cost) over the horizon before dividing."),
        Mistake(total / i.months, "That is the cost per month. Divide the total over the horizon by the successful tasks in it."),
        Mistake(total / (i.queries_per_day * rag.success_rate), "That divides the whole horizon's cost by one day's successful tasks. Use the successful tasks over the whole horizon."),
        Mistake(rag.total_cost(year, i.months) / (year * rag.success_rate), f"That counts 365 days. The cost model counts a month as {DAYS_PER_MONTH:g} days: {i.months:g} months is {i.months * DAYS_PER_MONTH:g} days."),
        Mistake(lesson.rag_per_success, "That is lesson 04's figure, at its 5,000 queries a day. Use the capstone's volume and costs, `c.costs`."),
        Mistake(round(expected, 4), "That is rounded to four decimal places, as lesson 04 prints it; at this cost that keeps only two significant figures. "
                "Keep every digit until the last step, then round to three significant figures."),
    )
    return NumberQuestion(
        "q8",
        "RAG's cost per successful task",
        (
            f"The copilot drafts a reply for each of {c.tickets_per_day:,} tickets a day with lesson 04's assumptions at this volume (`c.costs`). "
            f"What does RAG cost per successful task over {i.months:g} months, in dollars?"
        ),
        NumberSpec(expected, precision=p, units="USD per successful task", mistakes=slips),
        hints=(
            "Cost per successful task = total cost over the horizon / (queries over the horizon × success rate).",
            "`compare(c.costs).per_success`, or `ex.comparison.per_success`.",
        ),
        solution=f"Total ${total:,.0f} / ({queries:,.0f} queries × {rag.success_rate:.0%}) = ${p.format(expected)}.",
    )


@exercise.question("q9")
def break_even(ctx: Context) -> NumberQuestion:
    c, cmp, lesson = ctx.shared.case, ctx.shared.comparison, _lesson_numbers()
    rag, ft, months, p = cmp.patterns["rag"], cmp.patterns["fine_tuned"], c.costs.months, significant(3)
    be = break_even_between(rag, ft, months)
    days = months * DAYS_PER_MONTH
    gap = rag.per_query - ft.per_query
    slips = (
        Mistake(lambda: be.volume, f"That is the total over {months:g} months. Divide by the days in the horizon."),
        Mistake(lambda: be.volume / months, "That is a month's tickets. The question asks for tickets a day."),
        Mistake(lambda: (ft.fixed_cost(months) - ft.retrains(months) * ft.retrain_cost - rag.fixed_cost(months)) / gap / days,
                "That leaves out fine-tuning's retrains. They are part of its fixed cost over the horizon."),
        Mistake(lambda: (ft.fixed_cost(months) + ft.retrain_cost - rag.fixed_cost(months)) / gap / days,
                f"That counts one retrain too many. Retrains fall every {ft.retrain_every_months:g} months inside the horizon, "
                "and the one due at its very end is not part of it."),
        Mistake(lambda: (ft.setup + ft.retrains(months) * ft.retrain_cost - rag.setup) / gap / days,
                "That leaves out the monthly running costs. Each pattern's fixed cost is its setup plus every month's running cost (and retrains)."),
        Mistake(lambda: be.volume / 365, f"That counts 365 days. The cost model counts a month as {DAYS_PER_MONTH:g} days."),
        Mistake(lesson.break_even_per_day, "That is lesson 04's break-even, with its costs. Use the capstone's costs, `c.costs`."),
    )
    return NumberQuestion(
        "q9",
        "Break-even against fine-tuning",
        "Above how many tickets a day would the fine-tuned pattern cost less in total than RAG, retrains included?",
        NumberSpec(be.per_day if be.per_day is not None else math.nan, precision=p, units="tickets a day", mistakes=slips),
        hints=(
            "The break-even is where the two cost lines cross: the extra fixed cost of fine-tuning / what it saves per query, over the horizon, then per day.",
            "`break_even_between(ex.comparison.patterns['rag'], ex.comparison.patterns['fine_tuned'], c.costs.months).per_day`",
        ),
        solution=f"{be.reason} To three significant figures: {p.format(be.per_day) if be.per_day is not None else 'never'}.",
    )


@exercise.question("q10")
def your_pattern(ctx: Context) -> ValidationQuestion:
    cmp = ctx.shared.comparison
    best = cmp.cheapest_per_success
    be = break_even_between(cmp.patterns["rag"], cmp.patterns["fine_tuned"], cmp.inputs.months)
    return ValidationQuestion(
        "q10",
        "Your pattern, and why",
        "Choose the pattern to build: a dict with `choice` (a key of `compare(...).patterns`) and `rationale`.",
        _cost_checker(cmp),
        starting_point=copy.deepcopy(COST_SKELETON),
        hints=("Weigh cost per successful task, weeks to ship and how often the policies change.",),
        solution=(f"Most teams pick {cmp.patterns[best].name} here: cheapest per successful task (${cmp.per_success[best]:.4f}) and current policies; "
                  f"the break-even of RAG with fine-tuning is {be.per_day or 0:,.0f} tickets a day."),
    )


# --------------------------------------------------------------------------------------------
# Step 5: the rollout plan; step 6: the portfolio
# --------------------------------------------------------------------------------------------


def _plan_for_this_product(c: types.SimpleNamespace):
    """Exercise 05's plan checks at this traffic, plus: the plan is for the copilot, not a copy of
    lesson 05's help-centre plan (whose stages pass as they are when the traffic is high)."""
    checks = plan_checker(c.tickets_per_day, c.plan_baseline, healthy_at_least=15)  # as exercise 05: low traffic is no excuse
    lesson = example_plan()

    def check(answer) -> list[str]:
        plan = read_plan(answer)  # PlanError is a ValueError: "could not be read"
        problems = list(checks(plan))
        if not any(word in plan.feature.lower() for word in ("ticket", "triage", "copilot", "urgen")):
            problems.append(f"focus: the feature is {plan.feature!r}. This plan is for the copilot's urgent-ticket flag: name it.")
        if plan.rollback.strip() == lesson.rollback.strip():
            problems.append("rollback: this is lesson 05's rollback for the help-centre assistant. Say what happens to the tickets when the flag is switched off.")
        return problems

    return check


@exercise.question("q11")
def the_plan(ctx: Context) -> ValidationQuestion:
    c = ctx.shared.case
    traffic = (f"At {c.tickets_per_day:,} a day the traffic is lower than lesson 05's {LESSON_05_USERS:,}: lengthen the stages, and let the "
               f"kill switch judge at least {KILL_SWITCH_MIN_USERS} tickets at a time, not a quiet day's handful."
               if c.tickets_per_day < LESSON_05_USERS else
               f"At {c.tickets_per_day:,} a day the traffic is higher than lesson 05's {LESSON_05_USERS:,}: check that each stage still fits.")
    return ValidationQuestion(
        "q11",
        "The rollout plan",
        (
            f"Write the rollout plan for the copilot at {c.tickets_per_day:,} tickets a day (task success today {c.plan_baseline:.0%}), "
            "in lesson 05's format, with a ramp, online blockers that can detect their effect at this traffic, a kill switch, and a rollback "
            "that says what happens to the tickets."
        ),
        _plan_for_this_product(c),
        starting_point=plan_to_dict(example_plan()),
        hints=(f"Start from `plan_to_dict(example_plan())` and make it about the copilot (feature, owner, rollback). {traffic}",
               f"`validate_plan(plan, {c.tickets_per_day}, {c.plan_baseline})` lists the stages too short for their gates, and a kill switch read on too few tickets a day."),
        solution=(f"A plan like lesson 05's example with longer canary and ramp stages, and a kill switch judged on at least "
                  f"{KILL_SWITCH_MIN_USERS} tickets at a time; see the solved notebook."),
    )


@exercise.question("q12")
def the_portfolio(ctx: Context) -> ValidationQuestion:
    return ValidationQuestion(
        "q12",
        "The portfolio",
        "Assemble your portfolio with `build_portfolio()` and pass the report it returns here: every piece must be in it.",
        _portfolio_checker,
        hints=("Each step above ends with a cell that saves its memo; run them, then build the portfolio again.",),
        solution="`report = build_portfolio()` writes portfolio.md and portfolio.html in your work folder's portfolio/; `ex.q12.check(report)`.",
    )


# --------------------------------------------------------------------------------------------
# Step 6: the eval plan (registered last, after the portfolio question it feeds)
# --------------------------------------------------------------------------------------------


def _dollars(x: float) -> str:
    return f"${x:,.0f}" if abs(x - round(x)) < 0.005 else f"${x:,.2f}"


def _is_escalation(entry) -> bool:
    name = entry.get("name") if isinstance(entry, Mapping) else None
    if not isinstance(name, str):
        return False
    return known_failure_type(name) == "missed_escalation" or bool(re.search(r"escalat|urgen", name, re.IGNORECASE))


def _eval_plan_for_this_product(c: types.SimpleNamespace):
    """Module 08's eval-plan checks, plus: the plan is for the copilot, and it covers missed
    escalations (urgent tickets answered instead of sent to a person) with the harm they have here."""

    def check(answer) -> list[str]:
        plan = read_eval_plan(answer)  # EvalPlanError is a ValueError: "could not be read"
        problems = check_eval_plan(plan)
        product = plan.get("product")
        if isinstance(product, str) and product.strip() and not re.search(r"copilot|triage|ticket|support", product, re.IGNORECASE):
            problems.append(f"focus: the product is {product!r}. This plan is for the support-triage copilot's drafted replies: name it.")
        entries = plan.get("failure_types")
        entries = [e for e in entries if isinstance(e, Mapping)] if isinstance(entries, (list, tuple)) else []
        escalations = [e for e in entries if _is_escalation(e)]
        if not escalations:
            problems.append(
                "focus: no failure type covers missed escalations. Fix: add one: an urgent ticket (an outage, a security problem, a legal "
                f"threat) answered instead of sent to a person is what this feature exists to prevent (a miss costs {_dollars(c.urgent.cost_fn)} "
                f"against {_dollars(c.urgent.cost_fp)} for a false flag, step 2)."
            )
        low = [e.get("harm") for e in escalations if type(e.get("harm")) is int and e.get("harm") < ESCALATION_HARM_AT_LEAST]
        if low:
            problems.append(
                f"focus: a missed escalation has harm {low[0]}. Fix: rate it {ESCALATION_HARM_AT_LEAST} or 5: a missed urgent ticket costs "
                f"{_dollars(c.urgent.cost_fn)}, {c.urgent.cost_fn / c.urgent.cost_fp:,.0f} times a false flag (step 2)."
            )
        return problems

    return check


@exercise.question("q13")
def the_eval_plan(ctx: Context) -> ValidationQuestion:
    c = ctx.shared.case
    return ValidationQuestion(
        "q13",
        "The eval plan for the drafted replies",
        (
            f"The copilot drafts a reply for each of {c.tickets_per_day:,} tickets a day. Write the plan that evaluates those replies "
            "(module 08), as a dict like `EVAL_PLAN_SKELETON`: at least three failure types with one pass/fail check each (code where a "
            "rule decides, a judge where not) and their harm from 1 to 5, missed escalations among them; how the judge is validated "
            "against human labels and when it is validated again; the release gate on the corrected pass rate; the regression set; an owner."
        ),
        _eval_plan_for_this_product(c),
        starting_point=copy.deepcopy(EVAL_PLAN_SKELETON),
        hints=(
            "Module 08's failure types are a good start: unsupported claims, the wrong passage, missed escalations, needless refusals, "
            "planted instructions followed, wrong tone. A rule decides from the trace alone (the outcome, a tool call, the ticket's words), "
            "then a judge reads what the rule has no words for; tone, support for a claim and the right passage need a reader.",
            "`check_eval_plan(plan)` lists what is missing. The judge needs at least about 100 human labels with both passes and fails, a "
            "minimum TPR and TNR, and a new validation when a model or prompt changes; the gate reads the corrected pass rate's lower bound.",
        ),
        solution=(
            "Four or more failure types: unsupported claims (a judge; the support score can sort claims for it, not decide), missed "
            "escalations and planted instructions followed (code, then a judge: the outcome and the tool calls decide first; harm 5), "
            "wrong tone (a judge; harm 2). A judge validated on 200 human labels, 60 of them fails, TPR and TNR at least 0.85 and 0.80, re-validated when the "
            "judge's or the copilot's model or prompt changes. The gate: corrected pass rate at least 0.85, read from its lower bound. "
            "A regression set of 150 tickets, each production failure added every week. An owner. See the solved notebook."
        ),
    )


# --------------------------------------------------------------------------------------------
# The question set, with the notebook's extras
# --------------------------------------------------------------------------------------------


class CapstoneSet(QuestionSet):
    """Exercise 07's questions, with the case (``ex.case``), the cost comparison (``ex.comparison``)
    and the three savers the notebook calls (``ex.save_brief``, ``ex.save_plan``, ``ex.save_eval_plan``)."""

    __slots__ = ()

    @property
    def case(self) -> types.SimpleNamespace:
        return self._shared.case

    @property
    def comparison(self):
        return self._shared.comparison

    def save_brief(self, brief) -> str:
        """Save the brief to the portfolio once question 1 passes; never raises."""
        from ..briefs import save_to_portfolio
        from ..checking import Outcome

        result = self.q1.check(brief)
        if result.outcome is Outcome.NOT_ATTEMPTED:
            return "Not saved yet: write the brief in question 1 first."
        if not result.correct:
            return "Not saved yet: question 1 still lists problems. Fix them, then run this cell again."
        return save_to_portfolio(brief)

    def save_plan(self, plan) -> str:
        """Save the plan to the portfolio once question 11 passes; never raises."""
        c = self.case
        return plan_saver(self.q11, c.tickets_per_day, c.plan_baseline)(plan)

    def save_eval_plan(self, plan) -> str:
        """Save the eval plan to the portfolio once question 13 passes; never raises."""
        from ..checking import Outcome
        from ..portfolio import save_eval_plan

        result = self.q13.check(plan)
        if result.outcome is Outcome.NOT_ATTEMPTED:
            return "Not saved yet: write the eval plan in question 13 first."
        if not result.correct:
            return "Not saved yet: question 13 still lists problems. Fix them, then run this cell again."
        return save_eval_plan(plan)

    def __dir__(self):
        return super().__dir__() + ["case", "comparison", "save_brief", "save_plan", "save_eval_plan"]


exercise.question_set = CapstoneSet
load = exercise.load
