"""Exercise 03: uncertainty budgets (lesson 03). Numbers and data follow the notebook's parameters.

Each question is one function below, registered in order; each draws its numbers from its own
random stream. The labelled tickets (``ex.data.tickets``) are a different sample from the lesson's:
``support_tickets(seed + 1)``. Work that depends only on the seed (sorting the tickets, the grid of
zone policies for question 7, evaluation sizes) is cached, so loading stays fast. Question 7 prices
a caveat as lesson 03 does (15 seconds to confirm, 30% of wrong caveats confirmed anyway).
"""

from __future__ import annotations

import datetime as _dt
import functools
import math
import numbers
import types

import numpy as np
from scipy import stats

from .. import validation
from ..checking import ___, ChoiceQuestion, Mistake, NumberQuestion, NumberSpec, ValidationQuestion, choice, decimals, significant, whole
from ..scenarios import ConfidenceScenario, support_tickets
from ..uncertainty import (
    SEVERITIES,
    BudgetError,
    _as_budget,
    _terms,
    _zone_money,
    accuracy_corrected_for_label_noise,
    cases_to_show_budget,
    measured_accuracy,
    reviewer_headcount,
    risk_coverage,
    threshold_for_budget,
    upper_bound,
    zone_policy,
)
from .registry import Exercise

exercise = Exercise("03")
load = exercise.load

SHARE = decimals(3)  # shares: what the lesson prints as 4.2% is 0.042
ROUNDED_UP = whole("up")
COUNT = significant(3)
SAMPLE_NOTE = "`ex.data.tickets` is a different sample of tickets from the lesson's."

# --------------------------------------------------------------------------------------------
# Question 1: a budget for two scenarios
# --------------------------------------------------------------------------------------------

RECOMMENDATIONS_TOLERANCE = 0.10  # stated in the question: the product team accepts up to 10%
REVIEW_WITHIN_DAYS = 366  # a living document: the next review is within a year

BUDGET_SKELETON = {
    "ticket_routing": {"max_error_rate": ___, "severity": ___, "owner": ___, "review_date": ___, "fallback": ___},
    "recommendations": {"max_error_rate": ___, "severity": ___, "owner": ___, "review_date": ___, "fallback": ___},
}


def _today() -> _dt.date:
    """Today's date, read when an answer is checked (tests replace it)."""
    return _dt.date.today()


def _tolerance_problems(routing, recs) -> list[str]:
    """What contradicts the question's stated tolerance and the order of the two scenarios."""
    problems = []
    stated = RECOMMENDATIONS_TOLERANCE
    if recs.max_error_rate > stated + 1e-9:
        problems.append(f"`recommendations`: max_error_rate is {recs.max_error_rate:.1%}, looser than the {stated:.0%} irrelevant items the product team accepts. The budget cannot allow more than the team agreed.")
    elif recs.max_error_rate < stated - 1e-9:
        problems.append(f"`recommendations`: max_error_rate is {recs.max_error_rate:.1%}, but the question says the product team accepts up to {stated:.0%} irrelevant items. The budget records the tolerance that was agreed; a stricter number sends good recommendations to the fallback for nothing.")
    if routing.max_error_rate >= recs.max_error_rate:
        problems.append(f"`ticket_routing`: its budget ({routing.max_error_rate:.1%}) is not stricter than the recommendations' ({recs.max_error_rate:.1%}). A misrouted ticket delays a customer's answer, an irrelevant item costs a glance: give routing the lower rate.")
    if SEVERITIES.index(routing.severity) <= SEVERITIES.index(recs.severity):
        problems.append("`ticket_routing`: its errors are more severe than an irrelevant recommendation; rate its severity higher.")
    if routing.max_error_rate < 0.001:
        problems.append("`ticket_routing`: a budget below 0.1% cannot be shown with any realistic evaluation set; set a rate you can test.")
    return problems


def _line_problems(entry, today: _dt.date) -> list[str]:
    """What is missing or out of date in one budget line."""
    problems = []
    when = _dt.date.fromisoformat(entry.review_date)
    if when <= today:
        problems.append(f"`{entry.scope}`: review_date {when.isoformat()} is not in the future (today is {today.isoformat()}). A budget is reviewed ahead, as data, users and costs change: pick a date in the coming months.")
    elif (when - today).days > REVIEW_WITHIN_DAYS:
        problems.append(f"`{entry.scope}`: review_date {when.isoformat()} is more than a year away. A budget is a living document, not a launch artefact: review it within the coming year.")
    if len(entry.fallback.split()) < 3:
        problems.append(f"`{entry.scope}`: describe the fallback in a few words: what happens when the model is unsure?")
    if len(entry.owner.strip()) < 3:
        problems.append(f"`{entry.scope}`: name the owner, a role such as \"Head of Support\".")
    return problems


def check_two_scenario_budget(answer) -> list[str]:
    """Return what is wrong with a budget for ticket routing and recommendations (question 1)."""
    try:
        budget = _as_budget(answer, "answer")
    except BudgetError as exc:
        raise ValueError(str(exc)) from None
    scopes = {e.scope: e for e in budget.entries}
    missing = [f"There is no budget line for `{name}`. Add one." for name in ("ticket_routing", "recommendations") if name not in scopes]
    if missing:
        return missing
    routing, recs = scopes["ticket_routing"], scopes["recommendations"]
    today = _today()
    return _tolerance_problems(routing, recs) + _line_problems(routing, today) + _line_problems(recs, today)


@exercise.question("q1")
def budget_for_two_scenarios(ctx) -> ValidationQuestion:
    example = (_today() + _dt.timedelta(days=91)).isoformat()
    return ValidationQuestion(
        "q1",
        "Write a budget for two scenarios",
        (
            "Write an uncertainty budget as a dict with one line each for `ticket_routing` (support tickets "
            "routed to 12 queues; a wrong queue delays a customer's answer) and `recommendations` (items on "
            "a shop's home page; the product team accepts up to 10% irrelevant items). Each line needs "
            "`max_error_rate` (a share), `severity` (low, medium, high or critical), `owner`, "
            "`review_date` (the next review, within the coming year, written YYYY-MM-DD) and `fallback` "
            "(what happens when the model is unsure)."
        ),
        check_two_scenario_budget,
        starting_point=BUDGET_SKELETON,
        hints=(
            "Which mistake hurts a customer more: a ticket in the wrong queue, or an uninteresting item on a page? And what tolerance does the question already state?",
            f"Example line: {{\"max_error_rate\": 0.03, \"severity\": \"high\", \"owner\": \"Head of Support\", \"review_date\": \"{example}\", \"fallback\": \"...\"}}",
        ),
        solution=(
            "Routing gets a stricter budget than recommendations and a higher severity; recommendations record the "
            "10% the product team accepts, with best-sellers as the fallback; both lines name an owner and a review "
            "date within the coming year."
        ),
    )


# --------------------------------------------------------------------------------------------
# The tickets, shared by questions 2, 5 and 7
# --------------------------------------------------------------------------------------------


@exercise.shared
def tickets(ctx):
    """Labelled support tickets: a different sample from the lesson's (which uses seed 0)."""
    return support_tickets(seed=ctx.seed + 1)


@functools.lru_cache(maxsize=1024)
def _ranked(seed: int) -> tuple[np.ndarray, int]:
    """Whether each ticket is wrong, most confident first (ties in the given order), and the errors in all."""
    t = support_tickets(seed=seed + 1)
    order = np.argsort(-np.asarray(t.confidence), kind="mergesort")
    wrong = ~np.asarray(t.correct)[order]
    return wrong, int(wrong.sum())


# --------------------------------------------------------------------------------------------
# Question 2: selective risk
# --------------------------------------------------------------------------------------------


def _risk_slips(seed: int, coverage: float) -> tuple[Mistake, ...]:
    wrong, errors = _ranked(seed)
    n = len(wrong)
    k = math.ceil(coverage * n - 1e-9)
    top = int(wrong[:k].sum())
    return (
        Mistake(lambda: 1 - top / k, "That is the share of served tickets that are right (the selective accuracy). The question asks for the error rate among them: count the wrong ones."),
        Mistake(errors / n, "That is the error rate over all tickets, as if every ticket were served. Keep only the most confident share first."),
        Mistake(lambda: (errors - top) / (n - k), "That is the error rate among the tickets held back, the least confident ones. The selective risk counts errors among the tickets served."),
        Mistake(lambda: int(wrong[n - k:].sum()) / k, "That is the error rate of the least confident tickets. Sort by confidence from the highest: the served share is the most confident one."),
        Mistake(top / n, "You divided the errors among the served tickets by all tickets. The selective risk divides by the number of tickets served."),
    )


@exercise.question("q2")
def selective_risk(ctx) -> NumberQuestion:
    t = ctx.shared.tickets
    coverage = ctx.pick([0.3, 0.5, 0.7])
    risk = risk_coverage(t.correct, t.confidence).risk_at(coverage)
    return NumberQuestion(
        "q2",
        "Selective risk at a coverage",
        (
            f"On the labelled tickets in `ex.data.tickets`, serve only the {coverage:.0%} most confident "
            "predictions (the share is in `ex.q2.data.coverage`). What is the error rate among the tickets served "
            "(the selective risk), as a share between 0 and 1 to three decimal places? Use "
            f"`risk_coverage(tickets.correct, tickets.confidence)`. {SAMPLE_NOTE}"
        ),
        NumberSpec(risk, precision=SHARE, fraction=True, mistakes=_risk_slips(ctx.seed, coverage)),
        hints=(
            "Sort the tickets by confidence, highest first, and keep the top share. The selective risk is the errors among them divided by how many you kept.",
            f"`risk_coverage(tickets.correct, tickets.confidence).risk_at({coverage})`",
        ),
        solution=f"{SHARE.format(risk)} ({risk:.2%}) of the tickets served are wrong, against {t.error_rate:.1%} when every ticket is served.",
        data=types.SimpleNamespace(coverage=coverage),
    )


# --------------------------------------------------------------------------------------------
# Question 3: an upper bound
# --------------------------------------------------------------------------------------------


def _wald_upper(errors: int, n: int, level: float = 0.95) -> float:
    """The normal-approximation (Wald) one-sided upper bound: the quick formula a learner may use."""
    p = errors / n
    return p + stats.norm.ppf(level) * math.sqrt(p * (1 - p) / n)


@exercise.question("q3")
def upper_bound_not_point_estimate(ctx) -> NumberQuestion:
    # Bounds from 1.7% up: at three decimals a 20% slip is then never a mere rounding away.
    k, n = ctx.pick([(k, n) for n in (200, 300, 500) for k in (2, 4, 6, 10) if (k, n) != (2, 500)] + [(10, 1000)])
    bound = upper_bound(k, n)
    slips = (
        Mistake(k / n, "That is the observed error rate, the point estimate. The bound asks how high the true rate could plausibly be, given this sample."),
        Mistake(lambda: _wald_upper(k, n), "That is the normal approximation (observed rate + 1.645 standard errors). With few errors it understates the bound; use the exact Clopper–Pearson bound."),
        Mistake(lambda: upper_bound(k, n, 0.975), "That is the top of a two-sided 95% interval (97.5% on each side). The question asks for a one-sided 95% bound: only a rate that is too high matters."),
        Mistake(lambda: upper_bound(n - k, n), "That is a bound on the share answered right. Count the wrong answers as the errors."),
    )
    return NumberQuestion(
        "q3",
        "An upper bound, not a point estimate",
        (
            f"An evaluation found {k} wrong answers in {n} labelled cases. What is the one-sided 95% "
            "Clopper–Pearson upper bound on the true error rate, as a share between 0 and 1 to three decimal "
            "places? Use `upper_bound(errors, n)`; the numbers are in `ex.q3.data`."
        ),
        NumberSpec(bound, precision=SHARE, fraction=True, mistakes=slips),
        hints=(
            "The bound is above the observed rate: it allows for the luck of a small sample. How high could the true rate be and still give this few errors?",
            "`upper_bound(ex.q3.data.errors, ex.q3.data.n)` (one-sided, 95% by default).",
        ),
        solution=f"{SHARE.format(bound)} ({bound:.2%}), well above the observed {k / n:.1%}: that gap is what a small evaluation set costs.",
        data=types.SimpleNamespace(errors=k, n=n),
    )


# --------------------------------------------------------------------------------------------
# Question 4: why the point estimate is not enough
# --------------------------------------------------------------------------------------------

POINT_ESTIMATE_RIGHT = "Too few cases: the true rate could still be above the budget"
POINT_ESTIMATE_WRONG = (
    (
        "A budget can only be shown on the data the model was trained on",
        "Training data flatters a model: it has seen those cases. A budget is checked on labelled cases the model has not seen.",
    ),
    (
        "The observed rate must be at most half the budget to count",
        "A fixed margin like that ignores how many cases were checked: what decides is how high the true rate could be given these errors and cases.",
    ),
    (
        "Any budget needs a thousand labelled cases before it can be shown",
        "No fixed count is always enough or always needed: with a true rate far below the budget, a few hundred cases can show it.",
    ),
)


@exercise.question("q4")
def why_not_the_point_estimate(ctx) -> ChoiceQuestion:
    k, n = ctx.pick([(3, 150), (2, 120), (4, 200)])
    budget = ctx.pick([0.03, 0.04])
    bound = upper_bound(k, n)
    spec = choice(ctx.rng, right=(POINT_ESTIMATE_RIGHT, f"with {k} errors in {n} cases the 95% upper bound is {bound:.1%}, above the {budget:.0%} budget."), wrong=POINT_ESTIMATE_WRONG)
    return ChoiceQuestion(
        "q4",
        "Why the point estimate is not enough",
        (
            f"A model made {k} errors in {n} test cases ({k / n:.1%}), and the budget is {budget:.0%}. Why can't the "
            "team claim the budget is met? Answer with the letter in quotes (or the option's text)."
        ),
        spec,
        hints=(
            f"Could {k} errors in {n} cases happen by luck if the true rate were a little above {budget:.0%}?",
            f"Compute `upper_bound({k}, {n})` and compare it with the budget.",
        ),
        solution=f"{spec.correct}) {POINT_ESTIMATE_RIGHT}: with {k} errors in {n} the 95% upper bound is {bound:.1%}; the evidence does not show the rate is below {budget:.0%}.",
        data=types.SimpleNamespace(errors=k, n=n, budget=budget),
    )


# --------------------------------------------------------------------------------------------
# Question 5: coverage within a budget
# --------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def _budget_facts(seed: int, budget: float) -> tuple:
    """The coverage met on the evidence, and the coverages a learner claims who uses the observed
    error rate instead of the upper bound: with a confidence threshold (which serves whole runs of
    equal confidence), or read off the risk–coverage curve case by case. The threshold's comes
    first: when the two agree at three decimals, only the first is kept."""
    t = support_tickets(seed=seed + 1)
    met = threshold_for_budget(t.correct, t.confidence, budget)
    curve = risk_coverage(t.correct, t.confidence)
    runs = np.r_[np.nonzero(np.diff(curve.confidence))[0], len(curve.risk) - 1]  # last case of each run
    naive = []
    for at in (runs, np.arange(len(curve.risk))):
        within = at[curve.risk[at] <= budget]
        naive.append(float(curve.coverage[within[-1]]) if len(within) else None)
    return met, tuple(naive)


@exercise.question("q5")
def coverage_within_budget(ctx) -> NumberQuestion:
    # A budget no threshold can meet on this sample would make the answer 0: offer only budgets that can be met.
    budget = ctx.pick([b for b in (0.03, 0.05, 0.08) if _budget_facts(ctx.seed, b)[0].coverage >= 0.05])
    met, naive = _budget_facts(ctx.seed, budget)
    observed = "That coverage keeps the observed error rate within the budget. The budget must hold for the upper bound, which needs a stricter threshold and serves fewer tickets."
    slips = (
        Mistake(naive[0], observed),
        Mistake(naive[1], observed),
        Mistake(met.threshold, "That is the confidence threshold. The question asks for the share of tickets served above it (the coverage)."),
        Mistake(met.served, "That is the number of tickets served. Give the share of all tickets: a number between 0 and 1."),
        Mistake(1 - met.coverage, "That is the share held back for a caveat or a person. The coverage is the share the model routes on its own."),
    )
    return NumberQuestion(
        "q5",
        "Coverage within a budget",
        (
            f"The routing budget is {budget:.0%} at 95% confidence. On `ex.data.tickets`, what share of tickets "
            "(coverage) can the model route on its own, with the upper bound within budget? Give it as a share "
            f"between 0 and 1 to three decimal places. Use `threshold_for_budget`. {SAMPLE_NOTE}"
        ),
        NumberSpec(met.coverage, precision=SHARE, fraction=True, mistakes=slips),
        hints=(
            "Lower the confidence threshold while the upper bound on the served error rate stays within the budget.",
            f"`threshold_for_budget(tickets.correct, tickets.confidence, {budget}).coverage`",
        ),
        solution=f"Coverage {SHARE.format(met.coverage)}. {met}",
        data=types.SimpleNamespace(budget=budget),
    )


# --------------------------------------------------------------------------------------------
# Question 6: reviewers
# --------------------------------------------------------------------------------------------


class WholeNumberSpec(NumberSpec):
    """A whole-number answer (``expected`` already rounded) whose named slips are recognised before
    they are rounded, too, and never take the place of the "round up" message.

    The core first asks for a whole number, so a learner who forgot the share and did not round
    would hear "give a whole number" instead of what went wrong; here the slip is named first. A
    slip that rounds to one below the answer is dropped: that answer gets "one short: round up"."""

    def __post_init__(self):
        super().__post_init__()
        below = self.precision.round(self.expected) - 1
        object.__setattr__(self, "mistakes", tuple(m for m in self.mistakes if not self.precision.near(below, m.value)))

    def judge(self, answer):
        if isinstance(answer, numbers.Real) and not isinstance(answer, bool) and math.isfinite(answer) and answer != math.floor(answer):
            for mistake in self.mistakes:
                if self.precision.near(float(answer), mistake.value):
                    return False, mistake.feedback
        return super().judge(answer)



def _reviewer_slips(per_day: int, share: float, minutes: float, hours: float) -> tuple[Mistake, ...]:
    return (
        Mistake(per_day * minutes / (60 * hours), "You staffed for every ticket. Only the share sent to a person needs a reviewer: take that share of the tickets first."),
        Mistake(per_day * share * minutes / (60 * 8), f"A reviewer is not productive for a whole 8-hour day (breaks, meetings, training): use the {hours:g} productive hours."),
        Mistake(per_day * share * minutes / hours, "You divided minutes by hours. Turn the review minutes into hours (divide by 60) before dividing by a reviewer's hours."),
        Mistake(per_day * share * minutes / 60, "That is the review hours needed a day. Divide by the productive hours one reviewer works to get people."),
        Mistake(per_day * share, "That is the number of tickets sent to people a day. Turn it into review time, then into people."),
    )


@exercise.question("q6")
def how_many_reviewers(ctx) -> NumberQuestion:
    per_day = ctx.volume(ctx.pick([4_000, 6_000, 10_000]))
    share = ctx.pick([0.1, 0.15, 0.25])
    # Where cases are few (legal, healthcare) each review takes longer, so the team is not a fraction of a person.
    minutes = round(ctx.pick([2, 3, 5]) / min(1.0, ctx.scenario.volume), 6)
    hours = ctx.pick([5, 6])
    heads = reviewer_headcount(per_day, share, minutes, hours)
    hire = int(ROUNDED_UP.round(heads))
    return NumberQuestion(
        "q6",
        "How many people reviewing each day?",
        (
            f"{per_day:,} tickets a day; {share:.0%} go to a person; each review takes {minutes:g} minutes; a reviewer "
            f"has {hours:g} productive hours a day. How many people must be reviewing on each day to clear the work, "
            "as a whole number, rounded up? (That is the workload in people; the lesson's `reviewer_fte` turns it into "
            "people to hire.) The numbers are in `ex.q6.data`."
        ),
        WholeNumberSpec(float(hire), precision=ROUNDED_UP, mistakes=_reviewer_slips(per_day, share, minutes, hours)),
        hints=(
            "Work out the review minutes a day first: tickets sent to people × minutes each.",
            "reviewers = tickets × share × minutes / (60 × productive hours), then round up to whole people.",
        ),
        solution=(
            f"{per_day:,} × {share:g} × {minutes:g} / (60 × {hours:g}) = {heads:.2f}, so {hire} people reviewing each day. "
            "To hire, add a desk open 7 days with 5-day weeks (× 7/5) and shrinkage (÷ 0.7 at 30%): `reviewer_fte`."
        ),
        data=types.SimpleNamespace(cases_per_day=per_day, human_share=share, minutes_per_case=minutes, productive_hours=hours),
    )


# --------------------------------------------------------------------------------------------
# Question 7: thresholds that meet the budget at the lowest cost
# --------------------------------------------------------------------------------------------

ZONE_BUDGET = 0.05
CONFIRMING = {"seconds_per_confirmation": 15.0, "slip_through_rate": 0.3}  # as lesson 03 prices a caveat
CAVEATS = tuple(round(0.80 + 0.01 * i, 2) for i in range(19))  # 0.80 ... 0.98
HUMANS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
MARGIN = 0.001  # a pair meets (fails) the budget clearly: its bound is this far below (above) it
GAP = 0.03  # options' daily costs differ by at least 3%


@functools.lru_cache(maxsize=1024)
def _zone_grid(seed: int) -> tuple[np.ndarray, ...]:
    """Every (caveat, person) pair of the grid: daily cost, served upper bound, observed served error rate.

    The same arithmetic as ``zone_policy``, for all pairs at once; the question then runs
    ``zone_policy`` on the four options it shows (and the tests recompute them by counting)."""
    t = support_tickets(seed=seed + 1)
    p = np.asarray(t.confidence)
    order = np.argsort(p, kind="mergesort")
    ps, errs = p[order], np.r_[0, np.cumsum(~np.asarray(t.correct)[order])]
    pairs = np.array([(c, h) for c in CAVEATS for h in HUMANS if h < c])
    below_c, below_h = np.searchsorted(ps, pairs[:, 0], "left"), np.searchsorted(ps, pairs[:, 1], "left")
    n, total = len(ps), errs[-1]
    served, served_errors = n - below_c, total - errs[below_c]
    terms = _terms(t.cases_per_day, t.cost_error_served, t.cost_error_caveat, t.cost_per_review, t.minutes_per_review, 6.0,
                   CONFIRMING["seconds_per_confirmation"], CONFIRMING["slip_through_rate"], None, 0.95)
    cost = sum(_zone_money(terms, served_errors, below_c - below_h, errs[below_c] - errs[below_h], below_h, n).values())
    return pairs, cost, upper_bound(served_errors, served), served_errors / served


def _pick(rng, indices: np.ndarray) -> int:
    return int(indices[int(rng.integers(len(indices)))])


def _zone_options(seed: int, rng) -> dict[str, tuple[float, float]]:
    """Four pairs: the right one (cheapest that meets the budget), a cheaper one that fails it
    (the answer of a learner who ignores the budget), one that meets it at a higher cost, and one
    more that fails it (where possible, on the upper bound only)."""
    pairs, cost, bound, observed = _zone_grid(seed)
    meets, fails = bound <= ZONE_BUDGET - MARGIN, bound >= ZONE_BUDGET + MARGIN
    usable = [r for r in np.nonzero(meets)[0] if (fails & (cost < cost[r] * (1 - GAP))).any() and (meets & (cost > cost[r] * (1 + GAP))).any()]
    right = _pick(rng, np.array(usable))
    cheaper = np.nonzero(fails & (cost < cost[right] * (1 - GAP)))[0]
    on_estimate = cheaper[observed[cheaper] <= ZONE_BUDGET]  # also the pick of a learner who trusts the point estimate
    trap = _pick(rng, on_estimate if len(on_estimate) else cheaper)
    dearer = _pick(rng, np.nonzero(meets & (cost > cost[right] * (1 + GAP)))[0])
    others = np.nonzero(fails & (cost > cost[trap] * (1 + GAP)))[0]
    apart = others[pairs[others, 0] != pairs[trap, 0]]  # not the same caveat threshold as the cheapest
    others = apart if len(apart) else others
    bound_only = others[observed[others] <= ZONE_BUDGET]
    failing = _pick(rng, bound_only if len(bound_only) else others)
    return {name: tuple(float(x) for x in pairs[i]) for name, i in (("right", right), ("cheapest", trap), ("dearer", dearer), ("failing", failing))}


def _zone_text(pair: tuple[float, float]) -> str:
    return f"caveat below {pair[0]:.2f}, person below {pair[1]:.2f}"


def zone_result(tickets, pair: tuple[float, float]):
    """``zone_policy`` for one (caveat, person) pair on the exercise's tickets and their costs, a
    confirmation priced as lesson 03 prices it (15 seconds; 30% of wrong caveats confirmed anyway)."""
    if not isinstance(tickets, ConfidenceScenario):
        raise validation.fail("tickets", tickets, "the exercise's tickets: a ConfidenceScenario (scenarios.support_tickets())")
    if not isinstance(pair, (tuple, list, np.ndarray)) or len(pair) != 2:
        raise validation.fail("pair", pair, "a (caveat threshold, person threshold) pair of shares")
    pair = (validation.share("pair[0]", pair[0]), validation.share("pair[1]", pair[1]))
    return zone_policy(
        tickets.correct, tickets.confidence, pair[0], pair[1], cases_per_day=tickets.cases_per_day,
        cost_error_served=tickets.cost_error_served, cost_error_caveat=tickets.cost_error_caveat,
        cost_per_review=tickets.cost_per_review, minutes_per_review=tickets.minutes_per_review, **CONFIRMING,
    )


def _zone_feedback(result) -> dict[str, str]:
    budget = f"{ZONE_BUDGET:.0%}"
    failing = (
        f"Its observed served error rate ({result['failing'].error_rates['served']:.1%}) is within {budget}, but the upper bound is not: on this evidence it does not meet the budget."
        if result["failing"].error_rates["served"] <= ZONE_BUDGET
        else f"The upper bound on its served error rate is above {budget}, so it does not meet the budget, whatever it costs."
    )
    return {
        "cheapest": f"This pair costs the least a day, but the upper bound on its served error rate is above the {budget} budget. Cost only ranks the pairs that meet the budget.",
        "dearer": "It meets the budget on the evidence, but another pair that also meets it costs less a day.",
        "failing": failing,
    }


@exercise.question("q7")
def cheapest_pair_within_budget(ctx) -> ChoiceQuestion:
    t = ctx.shared.tickets
    chosen = _zone_options(ctx.seed, ctx.rng)
    result = {name: zone_result(t, pair) for name, pair in chosen.items()}
    feedback = _zone_feedback(result)
    why = f"it is the cheapest pair a day (${result['right'].cost_per_day:,.0f}) among those whose served upper bound is within {ZONE_BUDGET:.0%}."
    spec = choice(ctx.rng, right=(_zone_text(chosen["right"]), why), wrong=[(_zone_text(chosen[k]), feedback[k]) for k in ("cheapest", "dearer", "failing")])
    name_of = {_zone_text(pair): name for name, pair in chosen.items()}
    names = {key: name_of[text] for key, text in spec.options.items()}  # option key -> which pair
    pairs = {key: chosen[name] for key, name in names.items()}
    return ChoiceQuestion(
        "q7",
        "Thresholds that meet the budget at the lowest cost",
        (
            f"For the routing tickets in `ex.data.tickets` with a {ZONE_BUDGET:.0%} budget (95% confidence), which pair of "
            "thresholds (caveat below, person below; in `ex.q7.data.pairs`) meets the budget at the lowest cost a day? "
            "Use `zone_policy` with the tickets' own costs, 15 seconds to confirm a caveat and 30% of wrong caveats "
            f"confirmed anyway (`ex.q7.data.confirming`). Answer with the letter in quotes. {SAMPLE_NOTE}"
        ),
        spec,
        hints=(f"First drop the pairs whose served upper bound is above {ZONE_BUDGET:.0%}.", "Among the rest, compare `cost_per_day`."),
        solution="; ".join(f"{key}: bound {result[name].served_upper_bound:.2%}, ${result[name].cost_per_day:,.0f} a day" for key, name in names.items()),
        data=types.SimpleNamespace(pairs=pairs, budget=ZONE_BUDGET, confirming=dict(CONFIRMING)),
    )


# --------------------------------------------------------------------------------------------
# Question 8: the size of an evaluation set
# --------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=256)
def _cases(budget: float, true_rate: float, level: float = 0.95, power: float = 0.8, stay: bool = True) -> int:
    return cases_to_show_budget(budget, true_rate, confidence_level=level, power=power, stay_above=stay)


def _normal_approximation_cases(budget: float, true_rate: float) -> float:
    """The textbook normal-approximation sample size for a one-sided test of one rate."""
    za, zb = stats.norm.ppf(0.95), stats.norm.ppf(0.8)
    return ((za * math.sqrt(budget * (1 - budget)) + zb * math.sqrt(true_rate * (1 - true_rate))) / (budget - true_rate)) ** 2


@exercise.question("q8")
def evaluation_set_size(ctx) -> NumberQuestion:
    budget = ctx.pick([0.03, 0.04, 0.06])
    true_rate = round(budget * ctx.pick([0.4, 0.6]), 6)
    needed = _cases(budget, true_rate)
    slips = (
        Mistake(lambda: _cases(budget, true_rate, power=0.5), "That size succeeds only half the time (power 0.5). The question asks for four evaluations in five (power 0.8), which needs more cases."),
        Mistake(lambda: _cases(budget, true_rate, level=0.975), "That uses a two-sided 95% interval (97.5% on each side). The budget needs a one-sided 95% bound."),
        Mistake(lambda: _normal_approximation_cases(budget, true_rate), "That is the normal-approximation formula. With rare errors it is off; count with the binomial, as `cases_to_show_budget` does."),
        Mistake(3 / budget, "That is the rule of three: it holds only when an evaluation finds no errors at all. With a true rate above zero it will find some, so more cases are needed."),
        Mistake(lambda: _cases(budget, true_rate, stay=False), "That is the first size whose power reaches 0.8, but a few more cases fall below 0.8 again (errors come in whole numbers). The question asks for the size from which the power stays at 0.8 or above."),
    )
    return NumberQuestion(
        "q8",
        "How big must the evaluation set be?",
        (
            f"The budget is {budget:.0%}. If the true error rate is {true_rate:.1%}, how many labelled (and served) cases "
            "does an evaluation need so that its one-sided 95% upper bound lands within the budget four times in five "
            "(power 0.8), at that size and at every larger one? Give it as a whole number, rounded up. Use "
            "`cases_to_show_budget`; the numbers are in `ex.q8.data`."
        ),
        WholeNumberSpec(float(needed), precision=ROUNDED_UP, mistakes=slips),
        hints=("The closer the true rate is to the budget, the more cases you need.", "`cases_to_show_budget(ex.q8.data.budget, ex.q8.data.true_rate)`"),
        solution=f"{needed:,} labelled cases.",
        data=types.SimpleNamespace(budget=budget, true_rate=true_rate),
    )


# --------------------------------------------------------------------------------------------
# Question 9: coverage as a product metric
# --------------------------------------------------------------------------------------------


@exercise.question("q9")
def coverage_is_a_product_metric(ctx) -> NumberQuestion:
    acc_a, cov_a = ctx.pick([0.97, 0.98, 0.99]), ctx.pick([0.25, 0.3, 0.35, 0.4])
    acc_b, cov_b = ctx.pick([0.88, 0.9, 0.92]), ctx.pick([0.7, 0.75, 0.8, 0.85])
    more = 1000 * (cov_b * acc_b - cov_a * acc_a)
    slips = (
        Mistake(1000 * (acc_b - acc_a), "Compare correct answers, not accuracy alone: accuracy counts only the cases each option handles. Multiply each accuracy by its coverage."),
        Mistake(1000 * (cov_b - cov_a), "That compares how many cases each option handles, as if every handled case were right. Multiply each coverage by its accuracy."),
        Mistake(1000 * cov_b * acc_b, "That is B's correct answers alone. The question asks how many more than A."),
        Mistake(1000 * (cov_b * (1 - acc_b) - cov_a * (1 - acc_a)), "That counts wrong answers (coverage × error rate). The question asks about correct answers."),
    )
    return NumberQuestion(
        "q9",
        "Coverage is a product metric",
        (
            f"Option A is right on {acc_a:.0%} of the cases it handles but handles only {cov_a:.0%} of them; option B "
            f"is right on {acc_b:.0%} and handles {cov_b:.0%}. Per 1,000 cases, how many more correct answers without "
            "a person does B give than A? Give it to three significant figures. The numbers are in `ex.q9.data`."
        ),
        NumberSpec(more, precision=COUNT, mistakes=slips),
        hints=(
            "Count, for each option, the cases it handles that come out right; the rest of its work is errors or goes to a person.",
            "Correct answers without a person = cases × coverage × accuracy; then take B minus A.",
        ),
        solution=(
            f"B: 1,000 × {cov_b:g} × {acc_b:g} = {COUNT.format(1000 * cov_b * acc_b)}; A: 1,000 × {cov_a:g} × {acc_a:g} = "
            f"{COUNT.format(1000 * cov_a * acc_a)}; {COUNT.format(more)} more. B still needs a budget for its errors."
        ),
        data=types.SimpleNamespace(accuracy_a=acc_a, coverage_a=cov_a, accuracy_b=acc_b, coverage_b=cov_b),
    )


# --------------------------------------------------------------------------------------------
# Question 10: wrong labels in the evaluation set
# --------------------------------------------------------------------------------------------


def _noise_slips(measured: float, noise: float, classes: int) -> tuple[Mistake, ...]:
    return (
        Mistake(measured, "That is the measured accuracy itself. Part of its shortfall is the labels' fault, not the model's: correct for the wrong labels."),
        Mistake(measured / (1 - noise), "Dividing by the share of right labels forgets that a wrong answer can meet a wrong label naming the same class: take away e/(K − 1) first, then divide by 1 − e·K/(K − 1)."),
        Mistake(lambda: (measured - noise / classes) / (1 - noise - noise / classes), "A wrong label names one of the other K − 1 classes, not one of K: use e/(K − 1)."),
        Mistake(measured + noise, "Adding the label error rate overcorrects: a right answer scores only when its label is right (a share 1 − e of the time), so divide, do not add."),
        Mistake(lambda: measured_accuracy(measured, noise, classes), "That applies the wrong labels a second time: it is what a model with the measured accuracy would measure. You need the inverse."),
    )


@exercise.question("q10")
def accuracy_under_label_noise(ctx) -> NumberQuestion:
    classes = ctx.pick([3, 4, 5, 6])
    noise = ctx.pick([0.04, 0.06, 0.08, 0.10])
    measured = round(measured_accuracy(ctx.pick([0.80, 0.85, 0.90]), noise, classes), 3)
    truth = accuracy_corrected_for_label_noise(measured, noise, classes)
    return NumberQuestion(
        "q10",
        "Wrong labels in the evaluation set",
        (
            f"A classifier sorts cases into {classes} classes and measures {measured:.1%} accuracy on its evaluation set. "
            f"Two people relabelled a sample independently and found that {noise:.0%} of the set's labels are wrong, at "
            "random. About how accurate is the model truly, as a share between 0 and 1 to three decimal places? Use "
            "`accuracy_corrected_for_label_noise`; the numbers are in `ex.q10.data`."
        ),
        NumberSpec(truth, precision=SHARE, fraction=True, mistakes=_noise_slips(measured, noise, classes)),
        hints=(
            "A right answer scores only when its label is right; a wrong answer scores when its label is wrong in the same way, e/(K − 1) of the time.",
            f"measured = a(1 − e) + (1 − a)·e/(K − 1): solve for a, or `accuracy_corrected_for_label_noise({measured}, {noise}, {classes})`.",
        ),
        solution=(
            f"a = ({measured} − {noise}/{classes - 1}) / (1 − {noise} × {classes}/{classes - 1}) = {SHARE.format(truth)}: "
            f"the model is better than it measured. Fix the labels by double labelling, for every case, and report both numbers."
        ),
        data=types.SimpleNamespace(measured=measured, label_error_rate=noise, classes=classes),
    )
