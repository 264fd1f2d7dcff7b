"""Exercise 07: the capstone, a support-triage copilot's urgent-ticket flag end to end (lesson 07).

Brief, threshold by cost, uncertainty budget, cost model and rollout plan, each checked and saved to
the portfolio, then the portfolio assembled. Numbers follow the notebook's parameters.
"""

from __future__ import annotations

import math
import numbers
import re
import types
from collections.abc import Mapping

from ..briefs import brief_to_dict, load_example, read_brief, validate_brief
from ..checking import ___, Mistake, NumberQuestion, NumberSpec, ValidationQuestion, distinct_mistakes
from ..costs import CostInputs, break_even_between, compare
from ..parameters import get_scenario, scaled, validate_parameters
from ..scenarios import urgent_tickets, support_tickets
from ..thresholds import best_threshold, metrics_at, threshold_for_capacity
from ..uncertainty import budget_from_dict, threshold_for_budget, zone_policy
from ..workspace import record_check
from ..rollout import example_plan, plan_to_dict
from .ex05 import _plan_checker, _plan_saver

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
REVIEWERS_AVAILABLE = 10  # triagers the support team can spare for the human zone (scaled with the volume)
PLAN_BASELINE = 0.60  # task success today, the rate the rollout's online gates watch


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
    problems = []
    if _words(text) < 12:
        problems.append(f"rationale: {_words(text)} words. Give your reasons in at least 12: the decision, what it costs, what you give up.")
    elif not _has_number(text):
        problems.append("rationale: no number in it. Back the decision with one (a cost a day, a share, a headcount).")
    return problems


def case(seed: int = 0, scenario: str = "default") -> types.SimpleNamespace:
    """Return the capstone's data and assumptions for these parameters (also used by the lesson)."""
    seed, scenario = validate_parameters(seed, scenario)
    sc = get_scenario(scenario)
    base = urgent_tickets(seed)
    import dataclasses

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
    return types.SimpleNamespace(
        seed=seed, scenario=scenario, urgent=urgent, routing=routing, tickets_per_day=tickets_per_day,
        minutes_per_review=routing.minutes_per_review,
        zone_costs={"cost_error_served": scaled(routing.cost_error_served, sc.cost), "cost_error_caveat": scaled(routing.cost_error_caveat, sc.cost),
                    "cost_per_review": scaled(routing.cost_per_review, sc.cost), "minutes_per_review": routing.minutes_per_review},
        budget=BUDGET, reviewers_available=max(1, round(REVIEWERS_AVAILABLE * sc.volume)), costs=costs, plan_baseline=PLAN_BASELINE,
    )


def _observed_threshold(correct, confidence, budget: float) -> float:
    """The lowest confidence threshold whose served cases' observed error rate is within the budget
    (the tempting answer that ignores how sure the evidence is)."""
    import numpy as np

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


def _threshold_checker(c: types.SimpleNamespace, cheapest: float, capacity: float):
    low, high = sorted((cheapest, capacity))

    def check(answer) -> list[str]:
        d = _decision(answer, ("threshold", "rationale"))
        t = d["threshold"]
        if isinstance(t, bool) or not isinstance(t, numbers.Real) or not 0 < t < 1:
            raise ValueError(f"threshold must be a number between 0 and 1, got {t!r}")
        problems = []
        if t < low - 1e-9:
            problems.append(
                f"threshold: {t:g} flags more tickets than the cheapest threshold ({cheapest:.4f}) and more than the seniors can read: "
                "it costs more and overloads them. Raise it."
            )
        elif t > high + 1e-9:
            problems.append(
                f"threshold: {t:g} flags fewer tickets than the seniors can handle ({c.urgent.review_capacity_per_day:,} a day) "
                "and misses more urgent ones than needed. Lower it."
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
        needed = math.ceil(z.reviewers - 1e-9)
        if needed > c.reviewers_available:
            problems.append(
                f"people: the human zone needs {needed} triagers and the team can spare {c.reviewers_available}. Lower the human threshold "
                "(more tickets get a caveat instead)."
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


def _portfolio_checker(answer) -> list[str]:
    missing = getattr(answer, "missing", None)
    if missing is None:
        raise ValueError("pass the report that build_portfolio() returns")
    return [f"missing: {s.title}. Make it in {s.how}." for s in missing]


def load(seed: int = 0, scenario: str = "default") -> types.SimpleNamespace:
    """Return exercise 07's questions for these parameters."""
    c = case(seed, scenario)
    parameters = {"seed": c.seed, "scenario": c.scenario}
    common = {"module": MODULE, "parameters": parameters, "recorder": record_check}
    u = c.urgent

    # q1: the brief --------------------------------------------------------------------------
    example = brief_to_dict(load_example("support_triage"))
    q1 = ValidationQuestion(
        "q1",
        "The brief for the urgent-ticket flag",
        (
            "Write the brief for a new feature of the support-triage copilot: flag urgent tickets (an outage, a security "
            f"problem, a customer about to leave) for a senior agent within the hour. {c.tickets_per_day:,} tickets a day, about "
            f"{u.prevalence:.0%} urgent; the seniors can read {u.review_capacity_per_day:,} flags a day. Start from the lesson 01 "
            "example if you like, but make it about urgency. It must pass the validator."
        ),
        _brief_checker(example),
        starting_point=example,
        hints=(
            "`brief_to_yaml(load_example(\"support_triage\"))` gives a complete brief to adapt; change the feature, the problem, the metrics and the human loop.",
            "The validator lists what is missing, field by field: run the check after each section.",
        ),
        solution="One complete brief is in the solved notebook; yours will differ in its details.",
        **common,
    )

    # q2-q4: the threshold ---------------------------------------------------------------------
    best = best_threshold(u.y_true, u.scores, u.cost_fp, u.cost_fn, resamples=0)
    at_best = metrics_at(u.y_true, u.scores, best.threshold)
    flags_best = at_best.flagged / at_best.n * u.cases_per_day
    q2 = NumberQuestion(
        "q2",
        "The cheapest threshold",
        (
            f"On the {u.size:,} labelled tickets, a false flag costs ${u.cost_fp:g} and a missed urgent ticket ${u.cost_fn:g}. "
            "Which score threshold gives the lowest cost of errors on this data?"
        ),
        NumberSpec(best.threshold, rel_tol=0.002, abs_tol=1e-4, fraction=True, mistakes=distinct_mistakes(best.threshold, (
            Mistake(u.cost_fp / (u.cost_fp + u.cost_fn), "That is the formula for calibrated scores, a good first guess. The question asks for the cheapest threshold on this data: search it with `best_threshold`."),
            Mistake(0.5, "0.5 assumes both errors cost the same; they do not."),
        ))),
        hints=("Try every threshold and price its errors: `best_threshold(y_true, scores, cost_fp, cost_fn)`.",),
        solution=f"`best_threshold(...)` → {best.threshold:.4f} (the closed form for calibrated scores gives {u.cost_fp / (u.cost_fp + u.cost_fn):.4f}, close, because these scores are calibrated).",
        data=u,
        **common,
    )
    q3 = NumberQuestion(
        "q3",
        "Flags a day at that threshold",
        f"At the cheapest threshold, how many tickets a day would be flagged ({u.cases_per_day:,} tickets a day)?",
        NumberSpec(flags_best, rel_tol=0.01, units="flags a day", mistakes=distinct_mistakes(flags_best, (
            Mistake(at_best.flagged, "That is the count in the labelled sample. Scale it to a day: flagged share × tickets a day."),
            Mistake(at_best.tp / at_best.n * u.cases_per_day, "That counts only the urgent tickets flagged. False flags land on the seniors' desk too."),
        ))),
        hints=("Flags a day = (flagged in the sample / sample size) × tickets a day. `metrics_at(...)` gives the counts.",),
        solution=f"{at_best.flagged:,} of {at_best.n:,} flagged × {u.cases_per_day:,} = {flags_best:,.0f} a day, against {u.review_capacity_per_day:,} the seniors can read.",
        **common,
    )
    capacity = threshold_for_capacity(u.y_true, u.scores, u.review_capacity_per_day, u.cases_per_day)
    q4 = ValidationQuestion(
        "q4",
        "Your threshold, and why",
        (
            "Choose the threshold you would ship and give your reasons: a dict with `threshold` and `rationale`. "
            "The cheapest one may flag more tickets than the seniors can read: decide between hiring, a higher threshold, or something in between."
        ),
        _threshold_checker(c, best.threshold, capacity.threshold),
        starting_point=THRESHOLD_SKELETON,
        hints=(
            "`threshold_for_capacity(y_true, scores, capacity, tickets_a_day)` gives the lowest threshold the seniors can handle.",
            "Any threshold between the cheapest one and the capacity one is defensible; say which costs you accept.",
        ),
        solution=f"Between {min(best.threshold, capacity.threshold):.4f} and {max(best.threshold, capacity.threshold):.4f}, with reasons that name the cost a day and the people needed.",
        data=types.SimpleNamespace(cheapest=best.threshold, capacity=capacity.threshold),
        **common,
    )

    # q5-q7: the uncertainty budget --------------------------------------------------------------
    r = c.routing
    met = threshold_for_budget(r.correct, r.confidence, c.budget)
    naive = _observed_threshold(r.correct, r.confidence, c.budget)
    q5 = NumberQuestion(
        "q5",
        "The lowest confidence that keeps the budget",
        (
            f"The copilot also routes every ticket to one of 12 queues. The support lead allows at most {c.budget:.0%} wrong queues "
            f"among tickets routed with no human, shown with 95% confidence on {r.size:,} labelled tickets. What is the lowest "
            "confidence threshold that meets it?"
        ),
        NumberSpec(met.threshold, rel_tol=0, abs_tol=0.0005, fraction=True, mistakes=distinct_mistakes(met.threshold, (
            Mistake(naive, "That threshold meets the budget on the observed error rate only. The budget must hold for the upper confidence bound."),
        ), abs_tol=0.0005)),
        hints=("`threshold_for_budget(correct, confidence, max_error_rate)` finds the widest coverage whose upper bound fits.",),
        solution=str(met),
        data=r,
        **common,
    )
    human_t = 0.8
    zones = zone_policy(r.correct, r.confidence, met.threshold, human_t, cases_per_day=c.tickets_per_day, **c.zone_costs)
    reviewers = math.ceil(zones.reviewers - 1e-9)
    q6 = NumberQuestion(
        "q6",
        "Triagers for the human zone",
        (
            f"With that caveat threshold and tickets below confidence {human_t} sent to a person ({c.minutes_per_review:g} minutes "
            f"each, 6 productive hours a day), how many triagers do {c.tickets_per_day:,} tickets a day need (whole people)?"
        ),
        NumberSpec(reviewers, rel_tol=0, abs_tol=0, units="triagers", whole=True, mistakes=distinct_mistakes(reviewers, (
            Mistake(math.ceil((zones.shares["human"] + zones.shares["caveat"]) * c.tickets_per_day * c.minutes_per_review / 360 - 1e-9),
                    "You sent the caveat zone to people too. Only tickets below the human threshold go to a person."),
        ))),
        hints=("`zone_policy(...)` gives the shares and `.reviewers`; or tickets × human share × minutes / (60 × 6).",),
        solution=f"Human share {zones.shares['human']:.1%} × {c.tickets_per_day:,} = {zones.human_cases_per_day:,.0f} tickets × {c.minutes_per_review:g} min / 360 = {zones.reviewers:.2f} → {reviewers}.",
        **common,
    )
    q7 = ValidationQuestion(
        "q7",
        "Your budget and zones",
        (
            f"Write the uncertainty budget (at least two scopes, none above {c.budget:.0%}) and choose the two thresholds, in a dict with "
            f"`budget`, `caveat_threshold` and `human_threshold`. Tickets answered alone must meet the budget's bound, and the human zone "
            f"must fit the {c.reviewers_available} triagers the team can spare."
        ),
        _budget_checker(c),
        starting_point=BUDGET_SKELETON,
        hints=(
            "The budget's format is lesson 03's: `name` and `budget:` with one entry per scope (max_error_rate, severity, owner, review_date, fallback).",
            "Start from the caveat threshold of question 5; move the human threshold down until the triagers fit.",
        ),
        solution="A budget with two or more scopes at 5% or less, the caveat threshold from question 5 or above, and a human threshold that needs no more triagers than are available.",
        **common,
    )

    # q8-q10: the cost model ----------------------------------------------------------------
    comparison = compare(c.costs)
    rag_success = comparison.per_success["rag"]
    be = break_even_between(comparison.patterns["rag"], comparison.patterns["fine_tuned"], c.costs.months)
    q8 = NumberQuestion(
        "q8",
        "RAG's cost per successful task",
        (
            f"The copilot drafts a reply for each of {c.tickets_per_day:,} tickets a day with lesson 04's assumptions (`CostInputs(queries_per_day={c.tickets_per_day})`). "
            f"What does RAG cost per successful task over {c.costs.months:g} months, in dollars?"
        ),
        NumberSpec(rag_success, rel_tol=0.005, units="USD per successful task", mistakes=distinct_mistakes(rag_success, (
            Mistake(comparison.totals["rag"] / c.costs.queries, "That is the cost per query. Divide by the successful tasks: queries × success rate."),
        ), rel_tol=0.005)),
        hints=("`compare(c.costs).per_success`, or `ex.comparison.per_success`: total cost / (queries × success rate).",),
        solution=f"Total ${comparison.totals['rag']:,.0f} / ({c.costs.queries:,.0f} queries × {comparison.patterns['rag'].success_rate:.0%}) = ${rag_success:.4f}.",
        **common,
    )
    be_day = be.per_day if be.per_day is not None else 0.0
    q9 = NumberQuestion(
        "q9",
        "Break-even against fine-tuning",
        "Above how many tickets a day would the fine-tuned pattern cost less in total than RAG, retrains included?",
        NumberSpec(be_day, rel_tol=0.005, units="tickets a day", mistakes=distinct_mistakes(be_day, (
            Mistake(be.volume or 0.0, f"That is the total over {c.costs.months:g} months. Divide by the days."),
        ))),
        hints=("`break_even_between(ex.comparison.patterns['rag'], ex.comparison.patterns['fine_tuned'], c.costs.months).per_day`",),
        solution=be.reason,
        **common,
    )
    q10 = ValidationQuestion(
        "q10",
        "Your pattern, and why",
        "Choose the pattern to build: a dict with `choice` (a key of `compare(...).patterns`) and `rationale`.",
        _cost_checker(comparison),
        starting_point=COST_SKELETON,
        hints=("Weigh cost per successful task, weeks to ship and how often the policies change.",),
        solution=f"Most teams pick RAG here: cheapest per successful task (${rag_success:.4f}) and current policies; the break-even with fine-tuning is {be_day:,.0f} tickets a day.",
        **common,
    )

    # q11: the rollout plan ------------------------------------------------------------------
    q11 = ValidationQuestion(
        "q11",
        "The rollout plan",
        (
            f"Write the rollout plan for the copilot at {c.tickets_per_day:,} tickets a day (task success today {c.plan_baseline:.0%}), "
            "in lesson 05's format, with a ramp, online blockers that can detect their effect at this traffic, a kill switch and a rollback."
        ),
        _plan_checker(c.tickets_per_day, c.plan_baseline),
        starting_point=plan_to_dict(example_plan()),
        hints=("Start from `plan_to_dict(example_plan())` and lengthen the stages: this traffic is lower than lesson 05's.",
               f"`validate_plan(plan, {c.tickets_per_day}, {c.plan_baseline})` lists the stages too short for their gates."),
        solution="A plan like lesson 05's example with longer canary and ramp stages; see the solved notebook.",
        **common,
    )

    # q12: the portfolio ------------------------------------------------------------------------
    q12 = ValidationQuestion(
        "q12",
        "The portfolio",
        "Assemble your portfolio with `build_portfolio()` and pass its report here: every piece must be in it.",
        _portfolio_checker,
        hints=("Each step above ends with a cell that saves its memo; run them, then build the portfolio again.",),
        solution="`build_portfolio()` writes portfolio.md and portfolio.html in your work folder's portfolio/.",
        **common,
    )

    def save_brief(brief) -> str:
        """Save the brief to the portfolio once question 1 passes; never raises."""
        from ..briefs import save_to_portfolio
        from ..checking import Outcome

        result = q1.check(brief)
        if result.outcome is Outcome.NOT_ATTEMPTED:
            return "Not saved yet: write the brief in question 1 first."
        if not result.correct:
            return "Not saved yet: question 1 still lists problems. Fix them, then run this cell again."
        return save_to_portfolio(brief)

    questions = (q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, q12)
    return types.SimpleNamespace(**{q.id: q for q in questions}, questions=questions, parameters=parameters, case=c,
                                 comparison=comparison, save_brief=save_brief,
                                 save_plan=_plan_saver(q11, c.tickets_per_day, c.plan_baseline))
