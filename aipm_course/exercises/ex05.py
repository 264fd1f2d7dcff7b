"""Exercise 05: rollout planning (lesson 05). Numbers and data follow the notebook's parameters."""

from __future__ import annotations

import math
import types

import numpy as np

from ..checking import distinct_mistakes, ___, ChoiceQuestion, ChoiceSpec, Mistake, NumberQuestion, NumberSpec, ValidationQuestion
from ..parameters import get_scenario, rng_for, scaled, validate_parameters
from ..rollout import (
    DEFAULT_BASELINES,
    Regression,
    blast_radius,
    days_to_detect,
    drift_check,
    example_plan,
    minimum_detectable_effect,
    read_plan,
    sample_size,
    sample_size_per_arm,
    simulate_rollout,
    validate_plan,
)
from ..workspace import record_check

MODULE = "05"


def _hours(h: float) -> str:
    return f"{h:g} hour" if h == 1 else f"{h:g} hours"



PLAN_SKELETON = {
    "feature": ___,
    "owner": ___,
    "stages": [
        {"kind": "shadow", "traffic_share": 1.0, "min_days": ___, "gates": [
            {"metric": ___, "layer": "offline", "comparison": ">=", "threshold": ___, "severity": "blocker"}]},
        {"kind": "canary", "traffic_share": ___, "min_days": ___, "gates": [
            {"metric": "task_success", "layer": "online", "comparison": ">=", "threshold": ___, "severity": "blocker", "effect": ___}]},
        {"kind": "full", "traffic_share": 1.0, "min_days": 1, "gates": []},
    ],
    "kill_switch": {"trigger": ___, "metric": "escalation_rate", "comparison": "<=", "threshold": ___},
    "rollback": ___,
}


def _plan_checker(daily_users: float, p_baseline: float):
    def check(answer) -> list[str]:
        plan = read_plan(answer)  # PlanError is a ValueError: "could not be read"
        problems = [str(f) for f in validate_plan(plan, daily_users, p_baseline)]
        if not any(s.kind == "ramp" for s in plan.stages):
            problems.append("plan: there is no ramp between the small stages and full launch. Fix: add a ramp stage (e.g. 25% or 50%) so online and business effects can be measured before everyone gets it.")
        known = set(DEFAULT_BASELINES)
        unknown = sorted({g.metric for s in plan.stages for g in s.gates} - known)
        if plan.kill_metric and plan.kill_metric not in known:
            unknown.append(plan.kill_metric)
        if unknown:
            problems.append(f"metrics: {', '.join(map(repr, unknown))} are not measured here. Fix: use {', '.join(sorted(known))}.")
        if plan.kill_metric == "escalation_rate" and plan.kill_comparison != "<=":
            problems.append("kill switch: the comparison is the healthy condition, the one that keeps the feature on: escalation_rate <= 0.3 means it is switched off above 30%. Fix: use \"<=\".")
        if not any(g.metric == "task_success" and g.layer == "online" and g.severity == "blocker" for s in plan.stages for g in s.gates):
            problems.append("gates: no blocker watches task_success online, so a model that resolves fewer tasks would reach everyone. Fix: add one to the canary and the ramp.")
        if problems:
            return problems
        # The plan must let a healthy model through and stop a regression before full launch.
        healthy = simulate_rollout(plan, daily_users, seed=1)
        if not healthy.reached_full and healthy.reason.startswith("Kill switch"):
            problems.append(
                f"simulation: the kill switch turned off a model as good as today's. {healthy.reason} "
                f"Fix: set its threshold further from today's {plan.kill_metric} of {DEFAULT_BASELINES[plan.kill_metric]:.0%}, "
                "so that an ordinary day's ups and downs do not trip it."
            )
        elif not healthy.reached_full:
            problems.append(
                f"simulation: a model as good as today's did not reach full launch. {healthy.reason} "
                "Fix: loosen the gate that stopped it. A healthy model passes only a threshold set below today's rate, with room for day-to-day noise."
            )
        worse = simulate_rollout(plan, daily_users, changes=[Regression("task_success", -0.04, start_day=1)], seed=1)
        if worse.reached_full:
            problems.append("simulation: a model that resolves 4 points fewer tasks reached full launch. Fix: tighten the online gates, or give them an effect they can detect.")
        return problems

    return check


def _plan_saver(question, daily_users: float, p_baseline: float):
    """A function that saves a plan to the portfolio once ``question`` accepts it; it never raises.

    The plan question asks more than the validator alone (a ramp, metrics measured here, and
    simulated healthy and regressed launches), so a plan it still rejects is not saved."""

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


def load(seed: int = 0, scenario: str = "default") -> types.SimpleNamespace:
    """Return exercise 05's questions for these parameters."""
    seed, scenario = validate_parameters(seed, scenario)
    sc = get_scenario(scenario)  # a workshop variant scales volumes, money and base rates
    rng = rng_for(seed, MODULE)
    parameters = {"seed": seed, "scenario": scenario}
    common = {"module": MODULE, "parameters": parameters, "recorder": record_check}

    # q1: what each stage is for ---------------------------------------------------------------
    situations = [
        ("You want to compare the new model's answers with what agents actually did, with no user seeing them.", "shadow",
         "No user sees the output and nothing is at risk: shadow mode."),
        ("Five friendly customers will use it for a month, with a weekly call about what goes wrong.", "pilot",
         "A few chosen customers, in close contact: a pilot."),
        ("A random 5% of users get it; the other 95% are the control, so a drop shows up at low exposure.", "canary",
         "A small random share against everyone else as the control: a canary."),
    ]
    text, answer, why = situations[seed % len(situations)]
    seen_by = {"shadow": "Here users do see it." if answer != "shadow" else "", "dogfood": "Dogfood means employees use it, not customers."}
    stage_feedback = {
        "shadow": seen_by["shadow"] or "",
        "dogfood": seen_by["dogfood"],
        "pilot": "A pilot is a few hand-picked customers in close contact; this is not." if answer != "pilot" else "",
        "canary": "A canary is a random share of users compared with everyone else; this is not." if answer != "canary" else "",
        "ramp": "A ramp gives a large share of users the new model, after the small stages.",
        "full": "At full launch everyone gets it: there is nothing left to compare with.",
    }
    stage_feedback[answer] = f"Right. {why}"
    q1 = ChoiceQuestion(
        "q1",
        "What each stage is for",
        f"{text} Which stage is this?",
        ChoiceSpec(
            options={"shadow": "shadow mode", "dogfood": "internal dogfood", "pilot": "pilot stage", "canary": "canary stage", "ramp": "gradual ramp", "full": "full launch"},
            correct=answer,
            feedback=stage_feedback,
        ),
        hints=("Who sees the new model's output, and how were they chosen?",),
        solution=f"{answer}: {text}",
        **common,
    )

    # q2: sample size per arm -----------------------------------------------------------------
    p1 = float(rng.choice([0.08, 0.12, 0.20, 0.35]))
    lift = float(rng.choice([0.01, 0.02, 0.03]))
    n = sample_size_per_arm(p1, p1 + lift)
    sigma2 = p1 * (1 - p1)
    q2 = NumberQuestion(
        "q2",
        "Users per arm",
        (
            f"Today {p1:.0%} of answers lead to a resolved ticket. You want to detect a rise to {p1 + lift:.0%} with a "
            "two-sided test at α = 0.05 and power 0.8, 50/50 split. How many users does each arm need (rounded up)?"
        ),
        NumberSpec(
            n,
            rel_tol=0,
            abs_tol=1,
            units="users per arm",
            mistakes=(
                Mistake(sample_size_per_arm(p1, p1 + lift, alpha=0.10), "That is a one-sided test's size (α = 0.10 two-sided). The question asks for two-sided at 0.05."),
                Mistake(2 * n, "That is the total for both arms. The question asks per arm."),
                Mistake(math.ceil(16 * sigma2 / lift**2), "That is the quick rule 16σ²/δ²: a good sanity check, but use the exact formula."),
            ),
        ),
        hints=("`sample_size_per_arm(p_baseline, p_treatment)`", "The smaller the change, the more users: halving it needs about four times as many."),
        solution=f"{n:,} users per arm ({2 * n:,} in all).",
        data=types.SimpleNamespace(p_baseline=p1, p_treatment=p1 + lift),
        **common,
    )

    # q3: how long a canary must run ----------------------------------------------------------------
    users = scaled(int(rng.choice([20_000, 40_000, 80_000])), sc.volume, whole=True)
    base = float(rng.choice([0.55, 0.6, 0.7]))
    drop = float(rng.choice([0.01, 0.015, 0.02]))
    share = float(rng.choice([0.02, 0.05, 0.1]))
    days = days_to_detect(users, base, -drop, share)
    needed_users = sample_size(base, base - drop, share)
    per_arm_days = math.ceil(sample_size_per_arm(base, base - drop) / (users * share))
    q3 = NumberQuestion(
        "q3",
        "How long must the canary run?",
        (
            f"{users:,} users a day. The canary gives {share:.0%} of them the new model; everyone else is the control. "
            f"The task success rate is {base:.0%} and the canary must be able to detect a drop of {drop:.1%} points "
            "(two-sided, α = 0.05, power 0.8). How many whole days must it run?"
        ),
        NumberSpec(
            days,
            rel_tol=0,
            abs_tol=0.5,
            units="days",  # a fraction of a day below the answer: round up

            mistakes=distinct_mistakes(days, (
                Mistake(per_arm_days, "That treats the canary as one arm of a 50/50 test. With an unequal split use the total sample for that split: `sample_size(..., treatment_share=...)`."),
                Mistake(math.ceil(sample_size_per_arm(base, base - drop) / users), "That assumes half of all users get the new model. Only the canary's share does."),
                Mistake(needed_users.total, "That is the number of users needed. Divide by the users a day to get days."),
                Mistake(days * 24, "That looks like hours. Give whole days."),
            )),
        ),
        hints=("Total users needed for this split ÷ users a day, rounded up.", f"`days_to_detect({users}, {base}, -{drop}, {share})`"),
        solution=f"{days} days: {sample_size(base, base - drop, share)}; at {users:,} a day that takes {days} days.",
        data=types.SimpleNamespace(daily_users=users, p_baseline=base, effect=-drop, treatment_share=share),
        **common,
    )

    # q4: the smallest effect you can see -------------------------------------------------------------
    n_arm = int(rng.choice([2_000, 5_000, 10_000]))
    p4 = float(rng.choice([0.1, 0.3, 0.5]))
    mde = minimum_detectable_effect(p4, n_arm)
    approx = (1.959963984540054 + 0.8416212335729143) * math.sqrt(2 * p4 * (1 - p4) / n_arm)
    q4 = NumberQuestion(
        "q4",
        "The smallest change you can see",
        (
            f"A ramp will have {n_arm:,} users per arm and a baseline rate of {p4:.0%}. What is the smallest rise in the "
            "rate (as a share, e.g. 0.02 for two points) it can detect, two-sided α = 0.05, power 0.8? Solve exactly."
        ),
        NumberSpec(
            mde,
            rel_tol=0.01,
            fraction=True,
            mistakes=distinct_mistakes(mde, (
                Mistake(approx, "That is the quick approximation, which uses the baseline's variance for both arms. Solve the sample-size formula exactly: `minimum_detectable_effect`."),
                Mistake(p4 + mde, "That is the new rate. The question asks for the rise: the new rate minus the baseline."),
            ), rel_tol=0.01),
        ),
        hints=("The detectable effect shrinks with the square root of the sample size.", "`minimum_detectable_effect(p_baseline, n_per_arm)`"),
        solution=f"{mde:.4f} ({mde:.2%} points); the quick approximation gives {approx:.4f}.",
        data=types.SimpleNamespace(p_baseline=p4, n_per_arm=n_arm),
        **common,
    )

    # q5: blast radius -----------------------------------------------------------------------------------
    users5 = scaled(int(rng.choice([50_000, 120_000, 300_000])), sc.volume, whole=True)
    share5 = float(rng.choice([0.01, 0.05, 0.25]))
    detect = float(rng.choice([2, 6, 24]))
    back = float(rng.choice([0.5, 1, 4]))
    radius = blast_radius(users5, share5, detect, back)
    q5 = NumberQuestion(
        "q5",
        "Blast radius",
        (
            f"{users5:,} users a day; the stage exposes {share5:.0%} of them. A bad release takes {_hours(detect)} to detect "
            f"and {_hours(back)} to roll back. How many users meet it before it is gone?"
        ),
        NumberSpec(
            radius,
            rel_tol=5e-3,
            units="users",
            mistakes=(
                Mistake(blast_radius(users5, share5, detect, 0), "Users keep meeting it while you roll back: add the rollback hours."),
                Mistake(users5 * share5 * (detect + back), "The hours need converting to days: divide by 24."),
                Mistake(users5 * (detect + back) / 24, f"Only the stage's share ({share5:.0%}) gets the new model."),
            ),
        ),
        hints=("Users a day × share × the time it is live, in days.", "`blast_radius(daily_users, traffic_share, hours_to_detect, hours_to_rollback)`"),
        solution=f"{users5:,} × {share5} × ({detect:g} + {back:g}) / 24 = {radius:,.0f} users.",
        data=types.SimpleNamespace(daily_users=users5, traffic_share=share5, hours_to_detect=detect, hours_to_rollback=back),
        **common,
    )

    # q6: why a small canary takes long --------------------------------------------------------------------
    q6 = ChoiceQuestion(
        "q6",
        "Why a 5% canary takes so long",
        "A 50/50 test would detect the drop in 4 days. Why does a 5% canary need about three weeks for the same drop?",
        ChoiceSpec(
            options={
                "a": "With an unequal split the total users needed grows by about 1/(4f(1-f)): about 5.3 times as many at f = 5%",
                "b": "Canary users are less engaged than other users",
                "c": "The control group is too big, which adds noise",
                "d": "Statistical tests only work with equal groups",
            },
            correct="a",
            feedback={
                "a": "Right. The small arm limits the precision; the big control cannot make up for it.",
                "b": "The users are chosen at random: they behave like everyone else.",
                "c": "A big control is fine; the small treatment arm is what limits the precision.",
                "d": "Unequal groups work; they just need more users in all.",
            },
        ),
        hints=("Which arm limits the precision of the comparison?",),
        solution="a) The small arm limits the precision: total traffic needed scales by 1/(4f(1−f)), 5.26× at 5%.",
        **common,
    )

    # q7: blocker or warning ------------------------------------------------------------------------------------
    q7 = ChoiceQuestion(
        "q7",
        "Blocker or warning?",
        "During the canary, which of these should block the next stage (a ship blocker) rather than only raise a warning?",
        ChoiceSpec(
            options={
                "a": "The share of answers that cite a refund policy that does not exist rose from 0.1% to 0.8%",
                "b": "Average answer length grew by 12%",
                "c": "Latency at the 50th percentile rose from 1.9 s to 2.1 s, within the 3 s target",
                "d": "Users in one region rate answers slightly lower, within noise",
            },
            correct="a",
            feedback={
                "a": "Right. Invented policies harm customers and trust, and the harm grows with every user exposed.",
                "b": "Worth a look, but longer answers harm no one by themselves: a warning.",
                "c": "Still within the target: a warning to watch, not a reason to stop.",
                "d": "Within noise: watch it, and check it with more data at the ramp.",
            },
        ),
        hints=("Which one can harm a customer or the company if more users see it?",),
        solution="a) Invented policies are a safety and trust failure that grows with exposure: a blocker.",
        **common,
    )

    # q8: the simulated rollout ------------------------------------------------------------------------------------
    plan = example_plan()
    start = int(rng.choice([8, 12, 16]))
    change = float(rng.choice([-0.03, -0.04, -0.05]))
    sim_users = 20_000
    sim = simulate_rollout(plan, sim_users, changes=[Regression("task_success", change, start_day=start)], seed=seed)
    in_stop_stage = sum(r["share"] * sim_users for r in sim.days if r["stage"] == sim.stop_stage and r["day"] >= start)
    q8 = NumberQuestion(
        "q8",
        "A regression part-way",
        (
            f"Simulate the lesson's plan (`ex.data.plan`) at {sim_users:,} users a day, with a regression that lowers "
            f"task_success by {-change:.0%} points on the new model from day {start}, seed {seed}:\n"
            f"`simulate_rollout(ex.data.plan, {sim_users}, changes=[Regression(\"task_success\", {change}, start_day={start})], seed={seed})`. "
            "How many users met the regression before the rollout stopped?"
        ),
        NumberSpec(sim.exposed_to_regression, rel_tol=1e-9, abs_tol=0.5, units="users", mistakes=distinct_mistakes(sim.exposed_to_regression, (
            Mistake(sim.stop_day or -1, "That is the day it stopped. The question asks how many users met the regression."),
            Mistake(in_stop_stage, "That counts only the stage that stopped it. Users in earlier stages after the regression began met it too."),
        ), rel_tol=1e-9)),
        hints=("Run the simulation and read its `exposed_to_regression`.", "Which stage stopped it, and why that late? The canary's gate is checked at the end of the stage."),
        solution=f"{sim.exposed_to_regression:,.0f} users. {sim.reason}",
        data=types.SimpleNamespace(plan=plan, daily_users=sim_users, change=change, start_day=start, seed=seed),
        **common,
    )

    # q9: drift ------------------------------------------------------------------------------------------------------
    drift_rng = np.random.default_rng([seed, 5, 9])
    shift = float(rng.choice([0.05, 0.12, 0.3]))
    reference = drift_rng.lognormal(mean=4.0, sigma=0.6, size=4_000)  # question length in characters at launch
    current = drift_rng.lognormal(mean=4.0 + shift, sigma=0.6, size=4_000)
    report = drift_check(reference, current)
    q9 = NumberQuestion(
        "q9",
        "Has the input drifted?",
        (
            "`ex.data.reference` holds the length of 4,000 questions in the launch week; `ex.data.current` this week's. "
            "What is the population stability index (PSI, 10 bins)? Use `drift_check(reference, current).psi`."
        ),
        NumberSpec(report.psi, rel_tol=0.01, abs_tol=0.0006, mistakes=distinct_mistakes(report.psi, (  # the 3 decimals drift_check prints pass
            Mistake(report.ks_statistic, "That is the Kolmogorov–Smirnov statistic; the question asks for the PSI."),
            Mistake(report.psi * 100, "The PSI is not a percentage: give it as the index itself (e.g. 0.12)."),
        ), rel_tol=0.01)),
        hints=("`drift_check(ex.data.reference, ex.data.current)`", "Below 0.1 is stable, 0.1 to 0.25 moderate, above 0.25 significant."),
        solution=str(report),
        **common,
    )

    # q10: data drift or concept drift ---------------------------------------------------------------------------------
    q10 = ChoiceQuestion(
        "q10",
        "Data drift or concept drift?",
        (
            "After a price change, customers ask the same kinds of questions in the same words as before, but the right "
            "answer to \"can I get a refund?\" has changed. Which is it?"
        ),
        ChoiceSpec(
            options={"data": "data drift: the inputs changed", "concept": "concept drift: the right output for the same input changed", "none": "no drift"},
            correct="concept",
            feedback={
                "concept": "Right. The inputs look the same; only the right answer moved. Input statistics like the PSI cannot see it.",
                "data": "The questions look the same, so the inputs did not move: a PSI on them stays low.",
                "none": "The answers the product should give have changed: that is drift, even if no input statistic moves.",
            },
            aliases={"concept drift": "concept", "data drift": "data"},
        ),
        hints=("Did the inputs change, or the mapping from input to the right answer?",),
        solution="concept: input statistics miss it; only labelled recent cases (or user feedback) show it.",
        **common,
    )

    # q11: your own rollout plan ----------------------------------------------------------------------------------------------
    plan_users = int(rng.choice([10_000, 25_000, 60_000]))
    plan_base = 0.6
    q11 = ValidationQuestion(
        "q11",
        "Your rollout plan",
        (
            f"Write a rollout plan for the help-centre assistant at {plan_users:,} users a day (task success today "
            f"{plan_base:.0%}): stages from shadow to full with shares and minimum days, gates on at least two metric "
            "layers with thresholds (online gates with the `effect` they must detect, e.g. -0.02), a kill switch and a "
            "rollback action. Each stage must run long enough for its traffic to show its gate's effect."
        ),
        _plan_checker(plan_users, plan_base),
        starting_point=PLAN_SKELETON,
        hints=(
            "Start from the skeleton in the cell; the lesson's `example_plan()` shows every part filled in.",
            f"`validate_plan(plan, {plan_users}, {plan_base})` lists what is missing; `days_to_detect` tells how long a stage must run.",
        ),
        solution="See the lesson's example plan: shadow, dogfood, canary, ramp and full, gates on offline, online and business metrics, a kill switch and a rollback.",
        data=types.SimpleNamespace(daily_users=plan_users, p_baseline=plan_base),
        **common,
    )

    questions = (q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11)
    return types.SimpleNamespace(
        **{q.id: q for q in questions},
        questions=questions,
        parameters=parameters,
        data=types.SimpleNamespace(plan=plan, reference=reference, current=current),
        save_plan=_plan_saver(q11, plan_users, plan_base),
    )
