"""Checks for a learner's rollout plan, shared by exercise 05 (q11) and exercise 07 (the capstone).

``plan_checker(daily_users, p_baseline)`` returns the check function a ``ValidationQuestion`` uses;
``plan_saver(question, daily_users, p_baseline)`` returns the ``save_plan`` helper the notebooks call.
"""

from __future__ import annotations

from ..checking import ___
from ..rollout import DEFAULT_BASELINES, METRICS, Regression, read_plan, simulate_rollout, validate_plan

__all__ = ["PLAN_SKELETON", "REGRESSIONS", "plan_checker", "plan_saver"]

# Exercise 05's starting point: a plan still equal to this is "not attempted".
PLAN_SKELETON = {
    "feature": ___,
    "owner": ___,
    "stages": [
        {"kind": "shadow", "traffic_share": 1.0, "min_days": ___, "gates": [
            {"metric": ___, "layer": "offline", "comparison": ">=", "threshold": ___, "severity": "blocker"}]},
        {"kind": "canary", "traffic_share": ___, "min_days": ___, "gates": [
            {"metric": "task_success", "layer": "online", "comparison": ">=", "threshold": ___, "severity": "blocker", "effect": ___},
            {"metric": "escalation_rate", "layer": "online", "comparison": ___, "threshold": ___, "severity": "blocker", "effect": ___}]},
        {"kind": "full", "traffic_share": 1.0, "min_days": 1, "gates": []},
    ],
    "kill_switch": {"trigger": ___, "metric": "escalation_rate", "comparison": "<=", "threshold": ___},
    "rollback": ___,
}


SEEDS = range(20)  # simulated rollouts per check: one seed can be lucky, twenty show the pattern
# Of 20 simulated rollouts, how many a model as good as today's must complete (exercises 05 and 07).
# The gates' tests against the control stop a healthy model now and then (that is what alpha means),
# so not all 20; a kill switch read on a dozen users a day would stop it in about half, but the
# simulation judges it on at least 100 users (``rollout.KILL_SWITCH_MIN_USERS``) and ``validate_plan``
# asks the plan to say so, so low traffic is no reason to accept fewer.
HEALTHY_AT_LEAST = 15
# (metric, change from day 1, rollouts of 20 it must stop before full launch)
REGRESSIONS = (
    ("task_success", -0.10, 19),
    ("escalation_rate", 0.10, 19),
    ("task_success", -0.04, 15),
)


def plan_checker(daily_users: float, p_baseline: float, *, healthy_at_least: int = HEALTHY_AT_LEAST):
    """Return a check function for a rollout plan at ``daily_users`` a day and task success ``p_baseline``.

    The function takes the learner's plan (a dict, YAML text or a ``RolloutPlan``) and returns a list
    of problems, each naming the part and the fix; an empty list means the plan passes. On top of
    ``validate_plan`` (stage lengths, a week at least where gates read users, a test read daily only
    with a correction, no test of an effect in dogfood, gate and kill-switch directions, the kill
    switch's words against its threshold, a real rollback) it asks for a ramp, metrics this product measures and an online
    task_success blocker; then it simulates the plan over 20 seeds: a model as good as today's must
    reach full launch in at least ``healthy_at_least`` of them, and each of ``REGRESSIONS`` must be
    stopped before full launch: task success 10 points lower and escalations 10 points higher in 19
    of 20 rollouts, task success 4 points lower in 15 of 20. A plan that cannot be read raises
    ``PlanError`` (a ``ValueError``), which ``ValidationQuestion`` reports as "could not be read"."""
    baselines = {**DEFAULT_BASELINES, "task_success": p_baseline}

    def check(answer) -> list[str]:
        plan = read_plan(answer)  # PlanError is a ValueError: "could not be read"
        problems = [str(f) for f in validate_plan(plan, daily_users, p_baseline)] + _shape_problems(plan)
        if problems:
            return problems
        return _healthy_problems(plan, daily_users, baselines, healthy_at_least) + _regression_problems(plan, daily_users, baselines)

    return check


def _shape_problems(plan) -> list[str]:
    """What the exercise asks beyond the validator: a ramp, metrics measured here, an online task_success blocker."""
    problems = []
    if not any(s.kind == "ramp" for s in plan.stages):
        problems.append("plan: there is no ramp between the small stages and full launch. Fix: add a ramp stage (e.g. 25% or 50%) so online and business effects can be measured before everyone gets it.")
    known = set(DEFAULT_BASELINES)
    unknown = sorted({g.metric for s in plan.stages for g in s.gates} - known)
    if plan.kill_metric and plan.kill_metric not in known:
        unknown.append(plan.kill_metric)
    if unknown:
        problems.append(f"metrics: {', '.join(map(repr, unknown))} are not measured here. Fix: use {', '.join(sorted(known))}.")
    if not any(g.metric == "task_success" and g.layer == "online" and g.severity == "blocker" for s in plan.stages for g in s.gates):
        problems.append("gates: no blocker watches task_success online, so a model that resolves fewer tasks would reach everyone. Fix: add one to the canary and the ramp.")
    return problems


def _healthy_problems(plan, daily_users: float, baselines: dict, at_least: int) -> list[str]:
    """A model as good as today's must reach full launch in at least ``at_least`` simulated rollouts."""
    stopped = [r for r in (simulate_rollout(plan, daily_users, baselines, seed=seed) for seed in SEEDS) if not r.reached_full]
    if len(SEEDS) - len(stopped) >= at_least:
        return []
    killed = [r for r in stopped if r.reason.startswith("Kill switch")]
    if len(killed) * 2 >= len(stopped):
        return [
            f"simulation: the kill switch turned off a model as good as today's in {len(killed)} of {len(SEEDS)} simulated rollouts "
            f"(e.g. {killed[0].reason}) Fix: set its threshold further from today's {plan.kill_metric} of "
            f"{baselines[plan.kill_metric]:.0%}, so that an ordinary day's ups and downs do not trip it."
        ]
    return [
        f"simulation: a model as good as today's did not reach full launch in {len(stopped)} of {len(SEEDS)} simulated rollouts "
        f"(e.g. {stopped[0].reason}) Fix: loosen the gate that stopped it. A healthy model passes only a threshold "
        "set on the healthy side of today's rate, with room for day-to-day noise."
    ]


def _regression_problems(plan, daily_users: float, baselines: dict) -> list[str]:
    """A regression from day 1 must be stopped before full launch in (nearly) every simulated rollout."""
    problems = []
    for metric, change, at_least in REGRESSIONS:
        results = [simulate_rollout(plan, daily_users, baselines, changes=[Regression(metric, change)], seed=seed) for seed in SEEDS]
        shipped = sum(r.reached_full for r in results)
        if len(SEEDS) - shipped >= at_least:
            continue
        base, direction = baselines[metric], METRICS[metric]
        moves = "falls" if change < 0 else "rises"
        problems.append(
            f"simulation: a model whose {metric} {moves} by {abs(change) * 100:g} points ({base:.0%} → {base + change:.0%}) "
            f"reached full launch in {shipped} of {len(SEEDS)} simulated rollouts. Fix: {_stop_advice(plan, direction)}"
        )
    return problems


def _stop_advice(plan, metric) -> str:
    """How to make the plan stop a regression in ``metric`` (a Metric): watch it the way its harm goes."""
    watched = any(g.metric == metric.name and g.severity == "blocker" and g.layer != "offline" for s in plan.stages if s.exposed for g in s.gates)
    if watched:
        return (f"tighten the online gates on {metric.name}, or give them an effect they can detect; "
                "a threshold nearer today's rate stops it sooner.")
    return (f"add an online blocker on {metric.name} to the canary or the ramp, written the way its harm goes: "
            f"comparison \"{metric.healthy_comparison}\" and {metric.effect_example()}. Or set a kill switch this change would trip.")


def plan_saver(question, daily_users: float, p_baseline: float):
    """Return a ``save_plan(plan)`` function that saves a plan to the portfolio once ``question`` accepts it.

    ``question`` is the plan's ``ValidationQuestion`` (built with ``plan_checker``). The function never
    raises: it returns "Not saved yet: ..." while the plan is not attempted or still has problems (the
    question asks more than the validator alone, so a plan it rejects is not saved), and otherwise
    the message of ``rollout.save_plan_to_portfolio``."""

    def save_plan(plan) -> str:
        from ..checking import Outcome
        from ..rollout import save_plan_to_portfolio

        result = question.check(plan)
        if result.outcome is Outcome.NOT_ATTEMPTED:
            return f"Not saved yet: write the plan in question {question.id[1:]} first."
        if not result.correct:
            return f"Not saved yet: question {question.id[1:]} still lists problems. Fix them, then run this cell again."
        return save_plan_to_portfolio(plan, daily_users, p_baseline)

    return save_plan
