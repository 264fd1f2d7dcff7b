"""Exercise 05: rollout planning (lesson 05), with three questions on experiments that lie (q12–q14).
Each question is one function; numbers follow the parameters."""

from __future__ import annotations

import functools
import math
import types

import numpy as np
from scipy import stats

from ..checking import (
    ChoiceQuestion,
    ChoiceSpec,
    Mistake,
    NumberQuestion,
    NumberSpec,
    ValidationQuestion,
    choice,
    decimals,
    significant,
    whole,
)
from ..rollout import (
    Regression,
    blast_radius,
    days_to_detect,
    drift_check,
    example_plan,
    minimum_detectable_effect,
    population_stability_index,
    sample_size,
    sample_size_per_arm,
    simulate_rollout,
)
from ..experiments import full_week_days, peeking_false_positive_rate, sample_ratio_mismatch
from .plan_checks import PLAN_SKELETON, plan_checker, plan_saver
from .registry import Exercise, QuestionSet, stream

__all__ = ["PLAN_SKELETON", "exercise", "load"]

exercise = Exercise("05")

Z_975 = float(stats.norm.ppf(0.975))  # two-sided α = 0.05
Z_80 = float(stats.norm.ppf(0.80))  # power 0.8


def _hours(h: float) -> str:
    return f"{h:g} hour" if h == 1 else f"{h:g} hours"


def _up(x: float) -> int:
    """A count of users or days as the question asks for it: whole, rounded up (a slip's value too)."""
    return math.ceil(x - 1e-9)


def _points(share: float) -> str:
    """A change in a rate in percentage points, e.g. 0.015 -> "1.5 points"."""
    return f"{share * 100:g} point" if share == 0.01 else f"{share * 100:g} points"


# --------------------------------------------------------------------------------------------
# Shared values: the lesson's plan and the two samples of question 9 (ex.data.plan, .reference, .current)
# --------------------------------------------------------------------------------------------


@exercise.shared
def plan(ctx):
    """The lesson's example plan (question 8 simulates it)."""
    return example_plan()


@functools.lru_cache(maxsize=64)
def _drift_samples(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Question lengths in the launch week and this week, for this seed (not the lesson's sample).

    One stream of its own for both samples (the module's shared stream named "drift"), cached because
    the samples and their PSI depend on the seed alone."""
    rng = stream(seed, exercise.module, "shared:drift")
    shift = float(rng.choice([0.12, 0.2, 0.35]))
    reference = rng.lognormal(mean=4.0, sigma=0.6, size=4_000)
    current = rng.lognormal(mean=4.0 + shift, sigma=0.6, size=4_000)
    reference.setflags(write=False)
    current.setflags(write=False)
    return reference, current


@exercise.shared
def reference(ctx):
    """The length of 4,000 questions in the launch week."""
    return _drift_samples(ctx.seed)[0]


@exercise.shared
def current(ctx):
    """The length of 4,000 questions this week."""
    return _drift_samples(ctx.seed)[1]


# --------------------------------------------------------------------------------------------
# q1: what each stage is for
# --------------------------------------------------------------------------------------------

STAGE_SITUATIONS = {
    "shadow": ("The new model answers every real question in the background; its answers are logged next to what agents did, and no user sees them.",
               "no user sees its output, so it is compared with what happened at no risk."),
    "pilot": ("Five friendly customers use it for a month, with a weekly call about what goes wrong.",
              "a few hand-picked customers in regular contact with the team."),
    "canary": ("A random 5% of users get it; the other 95% keep the old model as the control, so a drop shows up while few are exposed.",
               "a small random share against everyone else as the control."),
    "ramp": ("After the canary passed, a random half of all users get it for a week, so the resolution rate can be measured with confidence.",
             "a large share after the small stages, to measure online and business effects."),
    "full": ("Everyone gets the new model now; the kill switch and the monitoring stay on, and no control group is left.",
             "everyone has it; monitoring, the kill switch and the rollback stay on."),
}
STAGE_FEEDBACK = {
    "shadow": "In shadow mode no user sees the new model's output. Who sees it here?",
    "dogfood": "Dogfooding means the company's own staff use it for their work. Who uses it here?",
    "pilot": "A pilot is a few hand-picked customers in regular contact with the team. How were these users chosen?",
    "canary": "A canary is a small random share of users, compared with everyone else. Check the share and how they were chosen.",
    "ramp": "A ramp gives a large share (a quarter, a half) the new model, after the small stages passed. Check the share.",
    "full": "At full launch everyone gets it and no control group is left. Is anyone still on the old model here?",
}


@exercise.question("q1")
def what_each_stage_is_for(ctx):
    answer = ctx.pick(list(STAGE_SITUATIONS))
    text, why = STAGE_SITUATIONS[answer]
    spec = ChoiceSpec(
        options={kind: kind for kind in STAGE_FEEDBACK},
        correct=answer,
        feedback={kind: fb for kind, fb in STAGE_FEEDBACK.items() if kind != answer},
        why=why,
        aliases={"shadow mode": "shadow", "full launch": "full", "dogfooding": "dogfood", "canary release": "canary"},
    ).shuffled(ctx.rng)
    return ChoiceQuestion(
        "q1",
        "What each stage is for",
        f"{text} Which stage is this?",
        spec,
        hints=("Who sees the new model's output, how many of them, and how were they chosen?",
               "Shadow: nobody sees it. Pilot: a few chosen customers. Canary: a small random share. Ramp: a large share. Full: everyone."),
        solution=f"{answer}: {why}",
    )


# --------------------------------------------------------------------------------------------
# q2: users per arm
# --------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def _per_arm_numbers(p1: float, p2: float) -> tuple[int, float | None, float | None]:
    """Users per arm, and the one-sided and power-less sizes (the slips), for p1 -> p2."""
    return sample_size_per_arm(p1, p2), sample_size_per_arm(p1, p2, alpha=0.10), sample_size_per_arm(p1, p2, power=0.5)


@exercise.question("q2")
def users_per_arm(ctx):
    p1 = ctx.pick([0.08, 0.12, 0.20, 0.35])
    lift = ctx.pick([0.01, 0.02, 0.03])
    p2 = round(p1 + lift, 4)
    n, one_sided, no_power = _per_arm_numbers(p1, p2)
    precision = whole("up")
    mistakes = (
        Mistake(2 * n, "That is the total for both arms together. The question asks for one arm: the users who get the new model, or the same number who keep the old one."),
        Mistake(one_sided, "That is the size of a one-sided test (z = 1.645, as for α = 0.10 two-sided). The question asks for a two-sided test at α = 0.05: use z = 1.96 for the significance term."),
        Mistake(_up(16 * p1 * (1 - p1) / lift**2), "That is the rule of thumb 16·p(1−p)/δ²: a good sanity check, but it rounds the z-values and uses today's rate for both arms. Use the exact formula with p₁ and p₂."),
        Mistake(_up((Z_975 + Z_80) ** 2 * 2 * p1 * (1 - p1) / lift**2), "That is the quick approximation, (z + z)²·2p(1−p)/δ², with today's variance for both arms. The exact formula uses the pooled rate for the significance term and each arm's own rate for the power term."),
        Mistake(no_power, "You left out the power term (z₀.₈ ≈ 0.84): that sample catches the change only half the time. Add the power term inside the square."),
        Mistake(float(significant(3).format(n).replace(",", "")), "That is the size rounded to three significant figures. Users come whole: give the exact number the formula gives, rounded up."),
    )
    return NumberQuestion(
        "q2",
        "Users per arm",
        (
            f"Today {p1:.0%} of answers lead to a resolved ticket. You want to detect a rise to {p2:.0%} with a "
            "two-sided test at α = 0.05 and power 0.8, 50/50 split. How many users does each arm need?"
        ),
        NumberSpec(n, precision=precision, units="users per arm", mistakes=mistakes),
        hints=("The smaller the change you want to see, the more users: halving it needs about four times as many. Use the lesson's formula for users per arm, with p₁ today's rate and p₂ the one to detect.",
               "`sample_size_per_arm(p_baseline, p_treatment)` solves it and rounds up."),
        solution=f"{precision.format(n)} users per arm ({2 * n:,} in all): `sample_size_per_arm({p1}, {p2})`.",
        data=types.SimpleNamespace(p_baseline=p1, p_treatment=p2),
    )


# --------------------------------------------------------------------------------------------
# q3: how long a canary must run
# --------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def _canary_drop(users: int, base: float, share: float, target_days: int) -> float:
    """The drop (from a fixed list) whose canary length at this traffic is closest to target_days."""
    drops = (0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.04, 0.05)
    return min(drops, key=lambda d: abs(math.log(sample_size(base, base - d, share).total / users / target_days)))


@functools.lru_cache(maxsize=None)
def _days_slips(users: int, base: float, drop: float, share: float, days: int) -> tuple[Mistake, ...]:
    need = sample_size(base, base - drop, share)
    per_arm = sample_size_per_arm(base, base - drop)
    return (
        Mistake(need.total / users - 1 if need.total % users == 0 else math.floor(need.total / users), "One day short: the last part-day still has to run, because a stage cannot stop before its sample is complete. Round the days up."),
        Mistake(_up(2 * per_arm / users), "That is how long a 50/50 test would take. With the canary's unequal split the total sample is several times larger: size it for the canary's share."),
        Mistake(_up(per_arm / (users * share)), "That treats the canary as one arm of a 50/50 test. A small arm needs a larger total sample: size the test for the canary's split."),
        Mistake(_up(need.total / (users * share)), "You divided the total sample by the canary's users only. Both arms fill up every day: the control arm is everyone else, so divide by all the users a day."),
        Mistake(_up(need.treatment / users), "You counted one arm (the canary's users) and divided by everyone. Count the users of both arms, and all the users a day."),
        Mistake(need.total, "That is the number of users needed, not days. Divide by the users a day."),
        Mistake(days * 24, "That looks like hours. Give whole days."),
    )


@exercise.question("q3")
def canary_days(ctx):
    users = ctx.volume(ctx.pick([20_000, 40_000, 80_000]))
    base = ctx.pick([0.55, 0.6, 0.7])
    share = ctx.pick([0.02, 0.05, 0.1])
    drop = _canary_drop(users, base, share, ctx.pick([7, 10, 14, 21]))
    days = days_to_detect(users, base, -drop, share)
    precision = whole("up")
    need = sample_size(base, base - drop, share)
    return NumberQuestion(
        "q3",
        "How long must the canary run?",
        (
            f"{users:,} users a day. The canary gives {share:.0%} of them the new model; everyone else is the control. "
            f"The task success rate is {base:.0%} and the canary must be able to detect a drop of {_points(drop)} "
            "(two-sided, α = 0.05, power 0.8). How many days must it run?"
        ),
        NumberSpec(days, precision=precision, units="days", mistakes=_days_slips(users, base, drop, share, days)),
        hints=("A canary is an unequal split: size the test for it, then ask how many days of traffic fill it.",
               f"`sample_size({base}, {round(base - drop, 4)}, treatment_share={share}).total` ÷ users a day, rounded up; or `days_to_detect({users}, {base}, {-drop}, {share})`."),
        solution=f"{precision.format(days)} days: {need}; at {users:,} a day that takes {need.total / users:.2f} days, rounded up.",
        data=types.SimpleNamespace(daily_users=users, p_baseline=base, effect=-drop, treatment_share=share),
    )


# --------------------------------------------------------------------------------------------
# q4: the smallest change a ramp can see
# --------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def _detectable_numbers(p: float, n_arm: int) -> tuple[float, float, float, float]:
    """The exact detectable rise, and the one-sided, power-less and half-sample ones (the slips)."""
    mde = functools.partial(minimum_detectable_effect, p)
    return mde(n_arm), mde(n_arm, alpha=0.10), mde(n_arm, power=0.5), mde(n_arm / 2)


@exercise.question("q4")
def smallest_detectable_rise(ctx):
    n_arm = ctx.pick([2_000, 5_000, 10_000])
    p = ctx.pick([0.1, 0.3, 0.5])
    mde, one_sided, no_power, half = _detectable_numbers(p, n_arm)
    approx = (Z_975 + Z_80) * math.sqrt(2 * p * (1 - p) / n_arm)
    precision = significant(3)
    mistakes = (
        Mistake(approx, "That is the quick approximation (1.96 + 0.84)·√(2p(1−p)/n), which uses today's variance for both arms. The question asks you to solve the sample-size formula exactly."),
        Mistake(p + mde, "That is the new rate. The question asks for the rise: the new rate minus today's."),
        Mistake(one_sided, "That is the effect a one-sided test (α = 0.10 two-sided) can see. The question asks for a two-sided test at α = 0.05."),
        Mistake(no_power, "You left out the power term: that rise is caught only half the time. Solve with power 0.8."),
        Mistake(half, "You split the users in two, but the number given is already per arm."),
    )
    return NumberQuestion(
        "q4",
        "The smallest change you can see",
        (
            f"A ramp will have {n_arm:,} users per arm and a baseline rate of {p:.0%}. What is the smallest rise in the "
            "rate (as a share, e.g. 0.02 for two points) it can detect, two-sided α = 0.05, power 0.8? Solve exactly."
        ),
        NumberSpec(mde, precision=precision, fraction=True, mistakes=mistakes),
        hints=("The detectable effect shrinks with the square root of the sample size. Solving exactly means finding the rise for which the sample-size formula gives this many users per arm.",
               "`minimum_detectable_effect(p_baseline, n_per_arm)`"),
        solution=f"{precision.format(mde)} ({mde * 100:.2f} points); the quick approximation gives {precision.format(approx)}.",
        data=types.SimpleNamespace(p_baseline=p, n_per_arm=n_arm),
    )


# --------------------------------------------------------------------------------------------
# q5: blast radius
# --------------------------------------------------------------------------------------------


@exercise.question("q5")
def blast_radius_of_a_bad_release(ctx):
    users = ctx.volume(ctx.pick([50_000, 120_000, 300_000]))
    # a share that exposes at least 100 users in the shortest window (2.5 h), so any whole answer is at the precision
    share = ctx.pick([s for s in (0.01, 0.05, 0.25) if users * s * 2.5 / 24 >= 100])
    detect = ctx.pick([2, 6, 24])
    back = ctx.pick([0.5, 1, 4])
    radius = blast_radius(users, share, detect, back)
    precision = significant(3)
    mistakes = (
        Mistake(users * share * detect / 24, "Users keep meeting the bad release while you roll it back: add the rollback hours to the hours to detect."),
        Mistake(users * share * (detect + back), "The users are per day and the time is in hours: convert the hours to days first."),
        Mistake(users * (detect + back) / 24, f"Only the stage's share of users ({share:.0%}) gets the new model: the others never meet it."),
        Mistake(users * share * back / 24, "You counted only the rollback time. Users meet the bad release from the start, while nobody has noticed it yet."),
    )
    return NumberQuestion(
        "q5",
        "Blast radius",
        (
            f"{users:,} users a day; the stage exposes {share:.0%} of them. A bad release takes {_hours(detect)} to detect "
            f"and {_hours(back)} to roll back. How many users meet it before it is gone?"
        ),
        NumberSpec(radius, precision=precision, units="users", mistakes=mistakes),
        hints=("Users a day × the share exposed × the time it is live, in days.",
               "`blast_radius(daily_users, traffic_share, hours_to_detect, hours_to_rollback)`"),
        solution=f"{users:,} × {share} × ({detect:g} + {back:g}) / 24 = {precision.format(radius)} users.",
        data=types.SimpleNamespace(daily_users=users, traffic_share=share, hours_to_detect=detect, hours_to_rollback=back),
    )


# --------------------------------------------------------------------------------------------
# q6: why a small canary takes long
# --------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def _days_for_split(users: int, share: float) -> int:
    return days_to_detect(users, 0.6, -0.02, share)


@exercise.question("q6")
def why_a_small_canary_takes_long(ctx):
    users = 5_000
    even, canary = _days_for_split(users, 0.5), _days_for_split(users, 0.05)
    spec = choice(
        ctx.rng,
        right=("The 5% arm fills slowly, and it limits how precise the comparison can be",
               "with an unequal split the small arm limits the precision, so the total traffic needed grows by about 1/(4f(1−f)): 5.3 times at f = 5%."),
        wrong=[
            ("The 95% control group adds noise of its own, which hides the drop for longer",
             "A large control adds precision, not noise: its rate is known very well. Look at the other arm."),
            ("Canary users are picked from the quieter accounts, whose outcomes vary more",
             "Canary users are drawn at random, so they behave like everyone else: that is the point of a canary."),
            ("A significance test needs equal groups, so the canary must wait for extra days",
             "A two-proportion test works with unequal groups. Ask instead how much each group adds to the precision."),
        ],
    )
    return ChoiceQuestion(
        "q6",
        "Why a 5% canary takes so long",
        (
            f"At {users:,} users a day, a 50/50 test detects a two-point drop in task success (60% today) in {even} days. "
            f"Why does a 5% canary need {canary} days for the same drop?"
        ),
        spec,
        hints=("Which arm limits the precision of the comparison: the big one or the small one?",),
        solution=f"{spec.correct}) The small arm limits the precision: total traffic needed scales by 1/(4f(1−f)), 5.26× at 5%.",
    )


# --------------------------------------------------------------------------------------------
# q7: blocker or warning
# --------------------------------------------------------------------------------------------


@exercise.question("q7")
def blocker_or_warning(ctx):
    spec = choice(
        ctx.rng,
        right=("Answers citing a refund policy that doesn't exist rose from 0.1% to 0.8%",
               "invented policies harm customers and trust, and the harm grows with every user exposed."),
        wrong=[
            ("Average answer length grew by 12%, with ratings and escalations unchanged",
             "Worth a look, but longer answers harm no one by themselves: a warning."),
            ("Median latency rose from 1.9 s to 2.1 s, still inside the 3-second target",
             "Still within the target: a warning to watch, not a reason to stop."),
            ("Ratings in one region fell slightly this week, well within their usual noise",
             "Within noise: watch it, and check it with more data at the ramp."),
        ],
    )
    return ChoiceQuestion(
        "q7",
        "Blocker or warning?",
        "During the canary, which of these should block the next stage (a ship blocker) rather than only raise a warning?",
        spec,
        hints=("Which one can harm a customer or the company, more so as more users see it?",),
        solution=f"{spec.correct}) Invented policies are a safety and trust failure that grows with exposure: a blocker.",
    )


# --------------------------------------------------------------------------------------------
# q8: a regression part-way through the simulated rollout
# --------------------------------------------------------------------------------------------


def _exposure_slips(sim, users: int, start: int) -> tuple[Mistake, ...]:
    # customers only: shadow mode shows nobody the new model, dogfood only the staff
    exposed = [r for r in sim.days if r["stage"] not in ("Shadow", "Dogfood")]
    after = [r for r in exposed if r["day"] >= start]
    staff = sum(round(r["share"] * users) for r in sim.days if r["stage"] == "Dogfood" and r["day"] >= start)
    return (
        Mistake(sim.exposed_to_regression + staff if staff else None,
                "That counts the staff in dogfood too. They are employees, not customers: the question counts the users (customers) who met it."),
        Mistake(sim.stop_day, "That is the day it stopped. The question asks how many users met the regression."),
        Mistake(sum(round(r["share"] * users) for r in after if r["stage"] == sim.stop_stage),
                "That counts only the stage that stopped it. Users in earlier stages after the regression began met it too."),
        Mistake(sum(round(r["share"] * users) for r in exposed),
                "That counts every user of the new model, from the first exposed day. Users before the regression began met a good model."),
        Mistake(users * len(after), "That counts everyone after the regression began, the control group too. Only users on the new model met it."),
    )


@exercise.question("q8")
def regression_part_way(ctx):
    start = ctx.pick([8, 12, 16])
    change = ctx.pick([-0.03, -0.04, -0.05])
    users = 20_000
    plan = ctx.shared.plan
    sim = simulate_rollout(plan, users, changes=[Regression("task_success", change, start_day=start)], seed=ctx.seed)
    precision = significant(3)
    return NumberQuestion(
        "q8",
        "A regression part-way",
        (
            f"Simulate the lesson's plan (`ex.data.plan`) at {users:,} users a day, with a regression that lowers "
            f"task_success by {_points(-change)} on the new model from day {start}, seed {ctx.seed}:\n"
            f"`simulate_rollout(ex.data.plan, {users}, changes=[Regression(\"task_success\", {change}, start_day={start})], seed={ctx.seed})`. "
            "How many users (customers; the staff in dogfood do not count) met the regression before the rollout stopped?"
        ),
        NumberSpec(sim.exposed_to_regression, precision=precision, units="users", mistakes=_exposure_slips(sim, users, start)),
        hints=("Only customers on the new model meet the regression, and only from the day it starts (dogfood is the staff). Which stage stopped it, and why that late?",
               "Run the simulation and read its `exposed_to_regression`; the canary's gate is read at the end of the stage."),
        solution=f"{sim.exposed_to_regression:,.0f} users. {sim.reason}",
        data=types.SimpleNamespace(plan=plan, daily_users=users, change=change, start_day=start, seed=ctx.seed),
    )


# --------------------------------------------------------------------------------------------
# q9: has the input drifted?
# --------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _drift_numbers(seed: int):
    """The drift report, and the PSI with the samples swapped (a slip), for this seed's samples."""
    ref, cur = _drift_samples(seed)
    return drift_check(ref, cur), population_stability_index(cur, ref)


@exercise.question("q9")
def input_drift(ctx):
    report, swapped = _drift_numbers(ctx.seed)
    precision = decimals(3)
    mistakes = (
        Mistake(report.ks_statistic, "That is the Kolmogorov–Smirnov statistic (the largest gap between the two cumulative curves). The question asks for the PSI."),
        Mistake(report.ks_pvalue if report.ks_pvalue >= 0.0005 else None, "That is the KS test's p-value: how surprising the gap would be if nothing had changed. The question asks for the size of the shift, the PSI."),
        Mistake(report.psi * 100, "The PSI is not a percentage: give the index itself, as `drift_check` prints it."),
        Mistake(report.psi / math.log(10), "That is the PSI with base-10 logarithms. The index uses the natural logarithm, ln(c / r): `np.log`, not `np.log10`."),
        Mistake(swapped, "You swapped the samples: the bins are cut at the reference's (the launch week's) deciles, and the reference comes first."),
    )
    return NumberQuestion(
        "q9",
        "Has the input drifted?",
        (
            "`ex.data.reference` holds the length of 4,000 questions in the launch week; `ex.data.current` this week's "
            "(a different sample from the lesson's). What is the population stability index (PSI, 10 bins)?"
        ),
        NumberSpec(report.psi, precision=precision, mistakes=mistakes),
        hints=("Cut the launch week into 10 equal-count bins, then compare each bin's share now and then: Σ (c − r)·ln(c / r).",
               "`drift_check(ex.data.reference, ex.data.current).psi`; below 0.1 is stable, 0.1 to 0.25 moderate, above 0.25 significant."),
        solution=str(report),
    )


# --------------------------------------------------------------------------------------------
# q10: data drift or concept drift?
# --------------------------------------------------------------------------------------------

DRIFT_SITUATIONS = {
    "concept": ("After a price change, customers ask the same kinds of questions in the same words as before, but the right "
                "answer to \"can I get a refund?\" has changed.",
                "the inputs look the same; only the right answer moved, so input statistics like the PSI cannot see it."),
    "data": ("A new market opened: questions now arrive in Spanish and run twice as long, while the refund rules and the "
             "right answers stay exactly as they were.",
             "the inputs moved while the right answers did not: input statistics like the PSI show it before any label arrives."),
}
DRIFT_FEEDBACK = {
    "data": "Data drift is a change in the inputs. Did the questions themselves change here?",
    "concept": "Concept drift is a change in the right answer for the same input. Did the right answers change here?",
    "both": "That needs the inputs and the right answers to change. Check each one separately.",
    "none": "Something the product depends on did change here. Which one?",
}


@exercise.question("q10")
def data_or_concept_drift(ctx):
    answer = ctx.pick(list(DRIFT_SITUATIONS))
    text, why = DRIFT_SITUATIONS[answer]
    spec = ChoiceSpec(
        options={"data": "data drift: the inputs have changed", "concept": "concept drift: the answers have changed",
                 "both": "both: inputs and the answers have changed", "none": "no drift: nothing that matters changed"},
        correct=answer,
        feedback={k: fb for k, fb in DRIFT_FEEDBACK.items() if k != answer},
        why=why,
        aliases={"concept drift": "concept", "data drift": "data", "no drift": "none"},
    ).shuffled(ctx.rng)
    return ChoiceQuestion(
        "q10",
        "Data drift or concept drift?",
        f"{text} Which is it?",
        spec,
        hints=("Did the inputs change, or the mapping from an input to the right answer?",),
        solution=f"{answer}: {why}",
    )


# --------------------------------------------------------------------------------------------
# q11: your own rollout plan
# --------------------------------------------------------------------------------------------


@exercise.question("q11")
def your_rollout_plan(ctx):
    users = ctx.pick([10_000, 25_000, 60_000])
    base = 0.6
    return ValidationQuestion(
        "q11",
        "Your rollout plan",
        (
            f"Write a rollout plan for the help-centre assistant at {users:,} users a day (task success today "
            f"{base:.0%}, escalations 15%): stages from shadow to full with shares and minimum days, gates on at least two "
            "metric layers with thresholds, online blockers with the `effect` they must detect (a change in the harmful "
            "direction of their metric), a kill switch whose threshold matches its trigger, and a rollback procedure. "
            "Each stage must run long enough for its traffic to show its gates' effects (and at least a week where its "
            "gates read users), and the plan must stop a model that resolves fewer tasks or escalates more often before "
            "full launch."
        ),
        plan_checker(users, base, healthy_at_least=15),
        starting_point=PLAN_SKELETON,
        hints=(
            "Start from the skeleton in the cell; the lesson's `example_plan()` shows every part filled in. For each gate, ask which way is worse for its metric.",
            f"`validate_plan(plan, {users}, {base})` lists what is missing; `days_to_detect` tells how long a stage must run; "
            f"`simulate_rollout(plan, {users}, changes=[Regression(\"escalation_rate\", 0.10)], seed=s)` shows whether a regression is stopped.",
        ),
        solution="See the lesson's example plan: shadow, dogfood, canary, ramp and full; gates on offline, online and business metrics, "
                 "including a blocker that watches escalations rise; a kill switch whose threshold matches its words; and a rollback procedure.",
        data=types.SimpleNamespace(daily_users=users, p_baseline=base),
    )


# --------------------------------------------------------------------------------------------
# q12: a sample-ratio mismatch (experiments that lie)
# --------------------------------------------------------------------------------------------


@exercise.question("q12")
def sample_ratio_mismatch_p_value(ctx):
    share = ctx.pick([0.5, 0.2, 0.1])
    total = ctx.volume(ctx.pick([40_000, 100_000, 250_000]))
    z = ctx.pick([1.3, 2.4, 3.5, 4.1])  # how many standard deviations the treatment arm falls short
    treatment = round(total * share - z * math.sqrt(total * share * (1 - share)))
    counts, planned = (total - treatment, treatment), (1 - share, share)
    result = sample_ratio_mismatch(counts, planned)
    even = sample_ratio_mismatch(counts).p_value
    precision = significant(3)
    mistakes = (
        Mistake(result.statistic, "That is the χ² statistic. The question asks for its p-value: the chance of a χ² at least this large on 1 degree of freedom, `chi2.sf(statistic, 1)`."),
        Mistake(1 - result.p_value, "That is the chance of a χ² this small or smaller (the cdf). The p-value is the upper tail: `chi2.sf`, not `chi2.cdf`."),
        Mistake(float(stats.chi2.sf(result.statistic, 2)), "That uses 2 degrees of freedom. With two arms the counts must add up to the total, so only one is free: arms − 1 = 1."),
        Mistake(result.p_value / 2, "You halved the p-value, as for a one-sided test. The χ² test already counts a shortfall in either arm: do not halve it."),
        Mistake(even, f"You compared the counts with an even split. The plan gives {share:.0%} of users the new model: the expected counts are the total times each planned share."),
    )
    verdict = "a sample-ratio mismatch: do not read the metrics until you know why users went missing" if result.mismatch else "no alarm at p < 0.001: the split is within chance"
    return NumberQuestion(
        "q12",
        "Did the split hold?",
        (
            f"The plan gives {share:.0%} of users the new model and {1 - share:.0%} the old. After a week the logs count "
            f"{counts[0]:,} users on the old model and {counts[1]:,} on the new. What is the p-value of a χ² goodness-of-fit "
            "test of these counts against the planned split?"
        ),
        NumberSpec(result.p_value, precision=precision, fraction=True, mistakes=mistakes),
        hints=("Expected counts are the total times each planned share; χ² adds (observed − expected)² / expected over the arms, on arms − 1 degrees of freedom.",
               f"`sample_ratio_mismatch({list(counts)}, {list(planned)}).p_value`, or `scipy.stats.chisquare(counts, expected)`."),
        solution=f"p = {precision.format(result.p_value)} (χ² = {result.statistic:.2f} on 1 degree of freedom): {verdict}.",
        data=types.SimpleNamespace(counts=counts, planned=planned),
    )


# --------------------------------------------------------------------------------------------
# q13: reading a test every day (experiments that lie)
# --------------------------------------------------------------------------------------------


@exercise.question("q13")
def peeking_false_alarms(ctx):
    days = ctx.pick([5, 7, 10, 14, 21, 28])
    rate = peeking_false_positive_rate(days)
    precision = decimals(2)
    mistakes = (
        Mistake(0.05, "That is the chance with one look, at the end. Every extra look is another chance for noise to cross 1.96."),
        Mistake(1 - 0.95**days, f"That treats the {days} looks as independent tests. Each day's test holds all the days before it, so the looks are strongly correlated: the chance is far lower."),
        Mistake(0.05 * days, f"That adds up {days} chances of 5%, as if no two looks could both cross. That is only an upper bound (and above 1 for 20 looks or more)."),
        Mistake(0.05 / days, "That is the level each look would need under a Bonferroni correction, not the false-alarm rate of looks without one."),
        Mistake(rate / 2, "That counts crossings on one side only. The test is two-sided: a difference either way is a false alarm."),
    )
    return NumberQuestion(
        "q13",
        "Reading the test every day",
        (
            f"A team reads an A/B test every day for {days} days with a two-sided z-test at α = 0.05, and calls a winner the "
            "first day |z| ≥ 1.96. The new version is in fact no different (an A/A test). What is the chance that they call a "
            "difference on some day? Use the normal approximation (the lesson's `peeking_false_positive_rate`)."
        ),
        NumberSpec(rate, precision=precision, fraction=True, mistakes=mistakes),
        hints=("One look has a 5% chance of a false alarm. Each further look adds some, but less than 5%, because it shares its data with the looks before.",
               f"`peeking_false_positive_rate({days})`; or simulate: `simulate_peeking(days={days}).any_look_rate` agrees to about ±0.01."),
        solution=f"{precision.format(rate)} (about {rate:.0%}, against 5% for one look); a correction such as O'Brien–Fleming lines keeps it at 0.05.",
        data=types.SimpleNamespace(days=days),
    )


# --------------------------------------------------------------------------------------------
# q14: the full-week minimum (experiments that lie)
# --------------------------------------------------------------------------------------------


@exercise.question("q14")
def full_week_minimum(ctx):
    needed = ctx.pick([3, 4, 5, 8, 9, 10, 11, 12, 15, 16, 17, 19])
    days = full_week_days(needed)
    precision = whole()
    mistakes = (
        Mistake(needed, "That is what the sample needs, but it reads some weekdays more often than others (or misses the weekend). Run whole weeks."),
        Mistake(math.ceil(needed / 7), "That is the number of weeks. Give the days."),
        Mistake(7 if needed > 7 else None, "A single week does not hold the sample the gates need. Run whole weeks until it does."),
        Mistake(7 * (needed // 7) or None, "That rounds down to whole weeks: the stage would end before its sample is complete. Round up."),
        Mistake(needed + 7, "You added a week on top. Whole weeks that hold the sample are enough: round the days up to a multiple of 7."),
    )
    return NumberQuestion(
        "q14",
        "How long, in whole weeks?",
        (
            f"A canary's gates need {needed} days of traffic to detect their effect. Use of the product swings over the week: "
            "weekdays and weekends differ, and the first days of any change carry some novelty. How many days should the canary "
            "run?"
        ),
        NumberSpec(days, precision=precision, units="days", mistakes=mistakes),
        hints=("A stage should see every day of the week equally often, and at least once, and still hold the sample its gates need.",
               f"Round {needed} days up to whole weeks: `full_week_days({needed})`."),
        solution=f"{days} days: {needed} days rounded up to whole weeks ({days // 7} week{'s' if days > 7 else ''}).",
        data=types.SimpleNamespace(days_needed=needed),
    )


# --------------------------------------------------------------------------------------------
# The question set, with ex.save_plan
# --------------------------------------------------------------------------------------------


class RolloutQuestionSet(QuestionSet):
    """Exercise 05's questions, plus ``save_plan(plan)``: save a plan question 11 accepts to the portfolio."""

    __slots__ = ()

    def save_plan(self, plan) -> str:
        """Save the plan to the portfolio once question 11 accepts it; never raises."""
        q11 = self.q11
        return plan_saver(q11, q11.data.daily_users, q11.data.p_baseline)(plan)

    def __dir__(self):
        return [*super().__dir__(), "save_plan"]


exercise.question_set = RolloutQuestionSet
load = exercise.load
