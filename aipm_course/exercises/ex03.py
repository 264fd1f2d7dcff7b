"""Exercise 03: uncertainty budgets (lesson 03). Numbers and data follow the notebook's parameters."""

from __future__ import annotations

import types

from ..checking import ___, ChoiceQuestion, ChoiceSpec, Mistake, NumberQuestion, NumberSpec, ValidationQuestion
from ..parameters import get_scenario, rng_for, scaled, validate_parameters
from ..scenarios import support_tickets
from ..uncertainty import (
    SEVERITIES,
    BudgetError,
    budget_from_dict,
    cases_to_show_budget,
    reviewer_headcount,
    risk_coverage,
    threshold_for_budget,
    upper_bound,
    zone_policy,
)
from ..workspace import record_check

MODULE = "03"


BUDGET_SKELETON = {
    "ticket_routing": {"max_error_rate": ___, "severity": ___, "owner": ___, "review_date": ___, "fallback": ___},
    "recommendations": {"max_error_rate": ___, "severity": ___, "owner": ___, "review_date": ___, "fallback": ___},
}


def check_two_scenario_budget(answer) -> list[str]:
    """Return what is wrong with a budget for ticket routing and recommendations (question 1)."""
    try:
        budget = budget_from_dict(answer)
    except BudgetError as exc:
        raise ValueError(str(exc)) from None
    problems = []
    scopes = {e.scope: e for e in budget.entries}
    for needed in ("ticket_routing", "recommendations"):
        if needed not in scopes:
            problems.append(f"There is no budget line for `{needed}`. Add one.")
    if problems:
        return problems
    routing, recs = scopes["ticket_routing"], scopes["recommendations"]
    if recs.max_error_rate > 0.10 + 1e-12:
        problems.append("`recommendations`: the product team accepts at most 10% irrelevant items; the budget cannot be looser than that.")
    if routing.max_error_rate >= recs.max_error_rate:
        problems.append("`ticket_routing`: a misrouted ticket hurts a customer more than an irrelevant recommendation, so its budget should be stricter (lower).")
    if SEVERITIES.index(routing.severity) <= SEVERITIES.index(recs.severity):
        problems.append("`ticket_routing`: its errors are more severe than an irrelevant recommendation; rate its severity higher.")
    for entry in (routing, recs):
        if len(entry.fallback.split()) < 3:
            problems.append(f"`{entry.scope}`: describe the fallback in a few words: what happens when the model is unsure?")
        if len(entry.owner.strip()) < 3:
            problems.append(f"`{entry.scope}`: name the owner, a role such as \"Head of Support\".")
        if entry.max_error_rate < 0.001:
            problems.append(f"`{entry.scope}`: a budget below 0.1% cannot be shown with any realistic evaluation set; set a rate you can test.")
    return problems


def _point_estimate_coverage(tickets, budget: float) -> float:
    """The coverage a learner gets by using the observed error rate instead of the upper bound."""
    curve = risk_coverage(tickets.correct, tickets.confidence)
    within = (curve.risk <= budget).nonzero()[0]
    return float(curve.coverage[within[-1]]) if len(within) else 0.0


def load(seed: int = 0, scenario: str = "default") -> types.SimpleNamespace:
    """Return exercise 03's questions for these parameters."""
    seed, scenario = validate_parameters(seed, scenario)
    sc = get_scenario(scenario)  # a workshop variant scales volumes, money and base rates
    rng = rng_for(seed, MODULE)
    parameters = {"seed": seed, "scenario": scenario}
    common = {"module": MODULE, "parameters": parameters, "recorder": record_check}
    tickets = support_tickets(seed=seed + 1)  # not the lesson's data (seed 0)

    q1 = ValidationQuestion(
        "q1",
        "Write a budget for two scenarios",
        (
            "Write an uncertainty budget as a dict with one line each for `ticket_routing` (support tickets "
            "routed to 12 queues; a wrong queue delays a customer's answer) and `recommendations` (items on "
            "a shop's home page; the product team accepts up to 10% irrelevant items). Each line needs "
            "`max_error_rate` (a share), `severity` (low, medium, high or critical), `owner`, "
            "`review_date` (like 2027-03-31) and `fallback` (what happens when the model is unsure)."
        ),
        check_two_scenario_budget,
        starting_point=BUDGET_SKELETON,
        hints=(
            "Which mistake hurts a customer more: a ticket in the wrong queue, or an uninteresting item on a page?",
            "Example line: {\"max_error_rate\": 0.03, \"severity\": \"high\", \"owner\": \"Head of Support\", \"review_date\": \"2027-03-31\", \"fallback\": \"...\"}",
        ),
        solution="Routing gets the stricter budget and the higher severity; recommendations may use the 10% the team accepts, with best-sellers as the fallback.",
        **common,
    )

    coverage = float(rng.choice([0.3, 0.5, 0.7]))
    curve = risk_coverage(tickets.correct, tickets.confidence)
    q2 = NumberQuestion(
        "q2",
        "Selective risk at a coverage",
        (
            f"On the labelled tickets in `ex.data.tickets`, serve only the {coverage:.0%} most confident "
            "predictions (the share is in `ex.q2.data.coverage`). What is the error rate among the tickets served (the selective risk)? Use "
            "`risk_coverage(tickets.correct, tickets.confidence)`."
        ),
        NumberSpec(
            curve.risk_at(coverage),
            rel_tol=0.01,
            fraction=True,
            mistakes=(Mistake(tickets.error_rate, "That is the error rate over all tickets. Serve only the most confident ones."),),
        ),
        hints=("Sort by confidence, keep the top share, and count the errors among them.", f"`risk_coverage(...).risk_at({coverage})`"),
        solution=f"{curve.risk_at(coverage):.2%}, against {tickets.error_rate:.1%} when every ticket is served.",
        data=types.SimpleNamespace(coverage=coverage),
        **common,
    )

    n_eval = int(rng.choice([200, 500, 1000]))
    k_eval = int(rng.choice([2, 4, 6, 10]))
    bound = upper_bound(k_eval, n_eval)
    q3 = NumberQuestion(
        "q3",
        "An upper bound, not a point estimate",
        (
            f"An evaluation found {k_eval} wrong answers in {n_eval} labelled cases. What is the one-sided 95% "
            "Clopper–Pearson upper bound on the true error rate? Use `upper_bound(errors, n)`."
        ),
        NumberSpec(
            bound,
            rel_tol=0.005,
            fraction=True,
            mistakes=(Mistake(k_eval / n_eval, "That is the observed error rate, the point estimate. The bound asks how high the true rate could plausibly be."),),
        ),
        hints=("The bound is higher than the observed rate: it allows for bad luck in a small sample.", "`upper_bound(k, n, confidence_level=0.95)`"),
        solution=f"{bound:.2%}, well above the observed {k_eval / n_eval:.2%}: that gap is what a small evaluation set costs.",
        data=types.SimpleNamespace(errors=k_eval, n=n_eval),
        **common,
    )

    k4, n4 = [(3, 150), (2, 120), (4, 200)][seed % 3]
    b4 = 0.04 if seed % 2 else 0.03
    q4 = ChoiceQuestion(
        "q4",
        "Why the point estimate is not enough",
        f"A model made {k4} errors in {n4} test cases, and the budget is {b4:.0%}. Why can't the team claim the budget is met?",
        ChoiceSpec(
            options={
                "a": f"{n4} cases cannot rule out a true error rate above {b4:.0%}: the 95% upper bound is about {upper_bound(k4, n4):.1%}",
                "b": f"{k4 / n4:.1%} is above {b4:.0%}",
                "c": "The budget must be checked on training data",
                "d": "Error rates cannot be measured for AI models",
            },
            correct="a",
            feedback={
                "b": f"{k4 / n4:.1%} is below {b4:.0%}; the question is how sure we are of it.",
                "c": "Training data flatters a model; budgets are checked on labelled cases it has not seen.",
                "d": "They can, with labelled cases; the issue is how many.",
            },
        ),
        hints=(f"How much could {k4} errors in {n4} change in another sample of {n4}?",),
        solution=f"a) With {k4} errors in {n4} the upper bound is about {upper_bound(k4, n4):.1%}: the evidence does not show the rate is below {b4:.0%}.",
        **common,
    )

    budget = float(rng.choice([0.03, 0.05, 0.08]))
    met = threshold_for_budget(tickets.correct, tickets.confidence, budget)
    q5 = NumberQuestion(
        "q5",
        "Coverage within a budget",
        (
            f"The routing budget is {budget:.0%} at 95% confidence. On `ex.data.tickets`, what share of tickets "
            "(coverage) can the model route on its own, with the upper bound within budget? Use "
            "`threshold_for_budget`."
        ),
        NumberSpec(
            met.coverage,
            rel_tol=1e-3,
            fraction=True,
            mistakes=(
                Mistake(_point_estimate_coverage(tickets, budget), "That coverage uses the observed error rate. The budget must hold for the upper bound, which needs a stricter threshold."),
                Mistake(met.threshold, "That is the confidence threshold; the question asks for the share of tickets served."),
            ),
        ),
        hints=("Lower the confidence threshold while the upper bound on the served error rate stays within the budget.", f"`threshold_for_budget(tickets.correct, tickets.confidence, {budget}).coverage`"),
        solution=str(met),
        data=types.SimpleNamespace(budget=budget),
        **common,
    )

    per_day = scaled(int(rng.choice([4_000, 6_000, 10_000])), sc.volume, whole=True)
    share = float(rng.choice([0.1, 0.15, 0.25]))
    minutes = float(rng.choice([2, 3, 5]))
    hours = float(rng.choice([5, 6]))
    heads = reviewer_headcount(per_day, share, minutes, hours)
    q6 = NumberQuestion(
        "q6",
        "How many reviewers?",
        (
            f"{per_day:,} tickets a day; {share:.0%} go to a person; each takes {minutes:g} minutes; a reviewer "
            f"has {hours:g} productive hours a day. How many reviewers are needed (before rounding up)?"
        ),
        NumberSpec(
            heads,
            rel_tol=0.01,
            mistakes=(Mistake(per_day * share * minutes / 60 / 8, "Reviewers are not productive for all 8 hours: use the productive hours."),),
        ),
        hints=("Work out the review minutes a day first.", "tickets × share × minutes / (60 × productive hours)"),
        solution=f"{per_day:,} × {share} × {minutes:g} / (60 × {hours:g}) = {heads:.2f}, so hire {int(-(-heads // 1))}.",
        data=types.SimpleNamespace(cases_per_day=per_day, human_share=share, minutes_per_case=minutes, productive_hours=hours),
        **common,
    )

    pairs = {"a": (0.97, 0.80), "b": (0.92, 0.70), "c": (0.90, 0.50), "d": (0.85, 0.60)}
    results = {
        key: zone_policy(
            tickets.correct, tickets.confidence, caveat, human, cases_per_day=tickets.cases_per_day,
            cost_error_served=tickets.cost_error_served, cost_error_caveat=tickets.cost_error_caveat,
            cost_per_review=tickets.cost_per_review, minutes_per_review=tickets.minutes_per_review,
        )
        for key, (caveat, human) in pairs.items()
    }
    meeting = {k: r for k, r in results.items() if r.meets(0.05)}
    cheapest = min(meeting, key=lambda k: meeting[k].cost_per_day) if meeting else "a"
    feedback = {}
    for key, r in results.items():
        if key == cheapest:
            feedback[key] = "Right: it meets the budget on the evidence, at the lowest daily cost."
        elif not r.meets(0.05):
            feedback[key] = "This pair does not meet the budget: check the upper bound of the served error rate, not the point estimate."
        else:
            feedback[key] = "It meets the budget, but another pair that also meets it costs less a day."
    q7 = ChoiceQuestion(
        "q7",
        "Thresholds that meet the budget at the lowest cost",
        (
            "For the routing tickets in `ex.data.tickets` with a 5% budget (95% confidence), which pair of "
            "thresholds (caveat below, person below) meets the budget at the lowest cost a day? Use `zone_policy`."
        ),
        ChoiceSpec(options={k: f"caveat below {c}, person below {h}" for k, (c, h) in pairs.items()}, correct=cheapest, feedback=feedback),
        hints=("First drop the pairs whose served upper bound is above 5%.", "Among the rest, compare `cost_per_day`."),
        solution="; ".join(f"{k}: bound {r.served_upper_bound:.2%}, ${r.cost_per_day:,.0f} a day" for k, r in results.items()),
        data=types.SimpleNamespace(pairs=pairs),
        **common,
    )

    target = float(rng.choice([0.03, 0.04, 0.06]))
    true_rate = target * float(rng.choice([0.4, 0.6]))
    needed = cases_to_show_budget(target, true_rate)
    q8 = NumberQuestion(
        "q8",
        "How big must the evaluation set be?",
        (
            f"The budget is {target:.0%}. If the true error rate is {true_rate:.1%}, how many labelled cases does "
            "an evaluation need so that its 95% upper bound lands within the budget four times in five (power 0.8)? "
            "Use `cases_to_show_budget`."
        ),
        NumberSpec(needed, rel_tol=0.02),
        hints=("The closer the true rate is to the budget, the more cases you need.", "`cases_to_show_budget(budget, true_rate)`"),
        solution=f"About {needed:,} cases.",
        data=types.SimpleNamespace(budget=target, true_rate=true_rate),
        **common,
    )

    acc_a, cov_a, acc_b, cov_b = [(0.98, 0.35, 0.92, 0.75), (0.99, 0.25, 0.9, 0.7), (0.97, 0.4, 0.91, 0.85)][seed % 3]
    more = 1000 * (cov_b * acc_b - cov_a * acc_a)
    q9 = NumberQuestion(
        "q9",
        "Coverage is a product metric",
        (
            f"Option A is right on {acc_a:.0%} of the cases it handles but handles only {cov_a:.0%} of them; option B "
            f"is right on {acc_b:.0%} and handles {cov_b:.0%}. Per 1,000 cases, how many more correct answers without "
            "a person does B give than A?"
        ),
        NumberSpec(more, rel_tol=0, abs_tol=0.5, mistakes=(Mistake(1000 * (acc_b - acc_a), "Compare correct answers, not accuracy alone: multiply each accuracy by its coverage."),)),
        hints=("Correct answers without a person = cases × coverage × accuracy.",),
        solution=f"B: 1,000 × {cov_b} × {acc_b} = {1000 * cov_b * acc_b:.0f}; A: 1,000 × {cov_a} × {acc_a} = {1000 * cov_a * acc_a:.0f}; {more:.0f} more. B still needs a budget for its errors.",
        data=types.SimpleNamespace(accuracy_a=acc_a, coverage_a=cov_a, accuracy_b=acc_b, coverage_b=cov_b),
        **common,
    )

    return types.SimpleNamespace(
        q1=q1, q2=q2, q3=q3, q4=q4, q5=q5, q6=q6, q7=q7, q8=q8, q9=q9,
        questions=(q1, q2, q3, q4, q5, q6, q7, q8, q9),
        parameters=parameters,
        data=types.SimpleNamespace(tickets=tickets),
    )
