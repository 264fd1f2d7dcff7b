"""Exercise 05's questions: answers worked out here by hand pass at the stated precision, every named
slip gets its own feedback, an answer that ignores each question's concept fails for every seed and
scenario, and the plan question refuses plans that point the wrong way (the issue's hostile plan)."""

import copy
import functools
import math

import numpy as np
import pytest
from scipy import stats

from aipm_course import rollout as r
from aipm_course.checking import ___, Outcome
from aipm_course.exercises import ex05, load
from aipm_course.exercises.ex05 import PLAN_SKELETON
from aipm_course.exercises.plan_checks import REGRESSIONS, plan_checker
from aipm_course.parameters import scenarios

pytestmark = pytest.mark.usefixtures("quiet_work_folder")

Z_A, Z_B = stats.norm.ppf(0.975), stats.norm.ppf(0.8)  # two-sided α = 0.05, power 0.8
PARAMS = [(0, "default"), (2, "default"), (8, "default"), (5, "legal_review"), (11, "ecommerce_search")]


@functools.cache
def _load(seed, scenario="default"):
    return load("05", seed=seed, scenario=scenario)


@pytest.fixture(scope="module", params=PARAMS, ids=[f"seed{s}-{sc}" for s, sc in PARAMS])
def ex(request):
    return _load(*request.param)


def _wrong(question, answer):
    result = question.check(answer)
    assert result.outcome is Outcome.INCORRECT, (question.id, answer, result)
    return result.message


# --- hand-worked formulas (independent of the code under test) ---------------------------------


def per_arm_by_hand(p1, p2, z_a=Z_A, z_b=Z_B):
    pbar = (p1 + p2) / 2
    return (z_a * math.sqrt(2 * pbar * (1 - pbar)) + z_b * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) ** 2 / (p2 - p1) ** 2


def total_by_hand(p1, p2, f):
    """Users in all when a share f gets the new model: each arm rounded up, then added."""
    pbar = (1 - f) * p1 + f * p2
    null = Z_A * math.sqrt(pbar * (1 - pbar) * (1 / (1 - f) + 1 / f))
    alt = Z_B * math.sqrt(p1 * (1 - p1) / (1 - f) + p2 * (1 - p2) / f)
    n = (null + alt) ** 2 / (p2 - p1) ** 2
    return math.ceil((1 - f) * n - 1e-9) + math.ceil(f * n - 1e-9)


def mde_by_hand(p, n):
    """The rise δ for which a 50/50 test needs exactly n per arm, by bisection."""
    low, high = 1e-6, 1 - p - 1e-6
    for _ in range(200):
        mid = (low + high) / 2
        low, high = (mid, high) if per_arm_by_hand(p, p + mid) > n else (low, mid)
    return (low + high) / 2


def psi_by_hand(reference, current):
    edges = np.quantile(reference, np.linspace(0, 1, 11))
    edges[0], edges[-1] = -np.inf, np.inf
    ref = np.histogram(reference, edges)[0] / len(reference)
    cur = np.histogram(current, edges)[0] / len(current)
    ref, cur = np.maximum(ref, 1e-4), np.maximum(cur, 1e-4)
    return float(np.sum((cur - ref) * np.log(cur / ref)))


# --- every question ---------------------------------------------------------------------------


def test_fourteen_questions_placeholders_and_the_skeleton_are_not_attempted(ex):
    assert [q.id for q in ex.questions] == [f"q{i}" for i in range(1, 15)]
    assert all(q.check(___).outcome is Outcome.NOT_ATTEMPTED for q in ex.questions)
    assert ex.q11.check(copy.deepcopy(PLAN_SKELETON)).outcome is Outcome.NOT_ATTEMPTED
    assert set(vars(ex.data)) == {"plan", "reference", "current"}


def test_hints_come_gentlest_first_and_hint_two_only_where_there_are_two(ex):
    for q in ex.questions:
        assert 1 <= len(q.hints) <= 2
        if len(q.hints) == 2 and q.kind == "number":
            assert "`" not in q.hints[0].split(".")[0], q.id  # the first hint names an idea, not a function
    assert "sample_size_per_arm" in ex.q2.hints[1] and "sample_size_per_arm" not in ex.q2.hints[0]
    assert "four times" in ex.q2.hints[0]


@pytest.mark.parametrize("answer", [None, "abc", [1, 2], float("nan"), float("inf"), len, {"stages": "x"}, "feature: [", r.example_plan, True])
def test_checks_never_raise(ex, answer):
    for q in ex.questions:
        q.check(answer)  # must not raise


# --- q1: what each stage is for ---------------------------------------------------------------

CONFUSION = {"shadow": "canary", "pilot": "canary", "canary": "pilot", "ramp": "canary", "full": "ramp"}


def test_q1_each_situation_has_its_stage_and_each_wrong_stage_says_what_it_is(ex):
    q = ex.q1
    assert q.check(q.expected).message.startswith("Right: ")
    messages = {key: _wrong(q, key) for key in q.spec.options if key != q.expected}
    assert len(set(messages.values())) == len(messages) == 5
    assert all(q.expected not in m.split(".")[0] for m in messages.values())  # feedback does not name the answer
    assert q.check(q.expected.upper() + " ").correct


# --- q2: users per arm ------------------------------------------------------------------------


def test_q2_users_per_arm_by_hand_whole_and_rounded_up(ex):
    q, d = ex.q2, ex.q2.data
    n = math.ceil(per_arm_by_hand(d.p_baseline, d.p_treatment) - 1e-9)
    assert q.check(n).correct and q.check(float(n)).correct
    assert "as a whole number, rounded up" in q.prompt
    assert f"{n:,} users per arm" in str(q.solution())  # the exact whole number, never a rounded one
    assert _wrong(q, n - 1).startswith("One short: round up")
    assert "round up" in _wrong(q, n - 0.4).lower()
    assert "thousands comma" in _wrong(q, f"{n:,}")


def test_q2_named_slips(ex):
    q, d = ex.q2, ex.q2.data
    p1, p2 = d.p_baseline, d.p_treatment
    n = math.ceil(per_arm_by_hand(p1, p2) - 1e-9)
    delta = round(p2 - p1, 4)
    assert "total for both arms" in _wrong(q, 2 * n)
    assert "one-sided" in _wrong(q, math.ceil(per_arm_by_hand(p1, p2, z_a=stats.norm.ppf(0.95)) - 1e-9))
    assert "rule of thumb 16·p(1−p)/δ²" in _wrong(q, math.ceil(16 * p1 * (1 - p1) / delta**2 - 1e-9))
    assert "quick approximation" in _wrong(q, math.ceil((Z_A + Z_B) ** 2 * 2 * p1 * (1 - p1) / delta**2 - 1e-9))
    assert "power term" in _wrong(q, math.ceil(per_arm_by_hand(p1, p2, z_b=0.0) - 1e-9))
    assert len({m.feedback for m in q.spec.mistakes}) == len(q.spec.mistakes) >= 5


def test_q2_the_issue_4042_case_prints_and_accepts_the_exact_number():
    ex = next(_load(s) for s in range(100) if (_load(s).q2.data.p_baseline, _load(s).q2.data.p_treatment) == (0.35, 0.38))
    q = ex.q2
    assert math.ceil(per_arm_by_hand(0.35, 0.38)) == 4_042
    assert q.check(4_042).correct
    assert "4,042 users per arm" in str(q.solution()) and "4,040" not in str(q.solution())
    assert "three significant figures" in _wrong(q, 4_040)
    assert _wrong(q, 4_041).startswith("One short: round up")  # one below is the rounding direction, not accepted


# --- q3: how long the canary runs -------------------------------------------------------------


def days_by_hand(d):
    total = total_by_hand(d.p_baseline, d.p_baseline + d.effect, d.treatment_share)
    return total, math.ceil(total / d.daily_users)


def test_q3_days_from_the_unequal_split(ex):
    q, d = ex.q3, ex.q3.data
    total, days = days_by_hand(d)
    assert q.check(days).correct
    assert "as a whole number, rounded up" in q.prompt
    assert q.prompt.count(f"{d.daily_users:,} users a day") == 1
    assert 3 <= days <= 60  # the drop is chosen so the canary runs days to weeks, in every scenario
    assert f"\n{days} days: {total:,} users in all" in str(q.solution())


def test_q3_named_slips(ex):
    q, d = ex.q3, ex.q3.data
    total, days = days_by_hand(d)
    users, f, p1, p2 = d.daily_users, d.treatment_share, d.p_baseline, d.p_baseline + d.effect
    per_arm = math.ceil(per_arm_by_hand(p1, p2) - 1e-9)
    assert "Round the days up" in _wrong(q, days - 1)
    slips = {
        "50/50 test": math.ceil(2 * per_arm / users),
        "one arm of a 50/50 test": math.ceil(per_arm / (users * f)),
        "canary's users only": math.ceil(total / (users * f)),
        "users needed, not days": total,
        "hours": days * 24,
    }
    for phrase, value in slips.items():
        if value != days:
            assert phrase in _wrong(q, value), phrase
    assert len(q.spec.mistakes) >= 4


# --- q4: the smallest detectable rise ---------------------------------------------------------


def test_q4_exact_detectable_effect_at_three_significant_figures(ex):
    q, d = ex.q4, ex.q4.data
    mde = mde_by_hand(d.p_baseline, d.n_per_arm)
    assert q.check(mde).correct
    assert q.check(float(f"{mde:.3g}")).correct
    assert "three significant figures" in q.prompt
    # the issue: 0.8% off was accepted; at three significant figures it is not
    assert not q.check(mde * 1.008).correct and not q.check(mde * 0.992).correct
    assert "new rate" in _wrong(q, d.p_baseline + mde)
    assert "percentage" in _wrong(q, mde * 100)


def test_q4_named_slips(ex):
    q, d = ex.q4, ex.q4.data
    p, n = d.p_baseline, d.n_per_arm
    approx = (Z_A + Z_B) * math.sqrt(2 * p * (1 - p) / n)
    mde = mde_by_hand(p, n)
    if f"{approx:.3g}" != f"{mde:.3g}":
        assert "quick approximation" in _wrong(q, approx)
    else:
        assert q.check(approx).correct  # the approximation agrees at the stated precision
    one_sided = r.minimum_detectable_effect(p, n, alpha=0.10)
    assert "one-sided" in _wrong(q, one_sided)
    assert "already per arm" in _wrong(q, mde_by_hand(p, n / 2))
    assert len(q.spec.mistakes) >= 4


# --- q5: blast radius -------------------------------------------------------------------------


def test_q5_blast_radius_and_its_slips(ex):
    q, d = ex.q5, ex.q5.data
    radius = d.daily_users * d.traffic_share * (d.hours_to_detect + d.hours_to_rollback) / 24
    assert q.check(radius).correct and q.check(float(f"{radius:.3g}")).correct and q.check(round(radius)).correct
    assert "roll it back" in _wrong(q, d.daily_users * d.traffic_share * d.hours_to_detect / 24)
    assert "convert the hours to days" in _wrong(q, d.daily_users * d.traffic_share * (d.hours_to_detect + d.hours_to_rollback))
    assert "share of users" in _wrong(q, d.daily_users * (d.hours_to_detect + d.hours_to_rollback) / 24)
    assert "only the rollback time" in _wrong(q, d.daily_users * d.traffic_share * d.hours_to_rollback / 24)


# --- q6, q7: choices --------------------------------------------------------------------------


@pytest.mark.parametrize("qid, right_text", [("q6", "limits how precise"), ("q7", "refund policy")])
def test_choices_right_option_its_why_and_feedback_per_wrong_option(ex, qid, right_text):
    q = getattr(ex, qid)
    right = next(k for k, text in q.spec.options.items() if right_text in text)
    assert q.expected == right and q.check(right).message.startswith("Right: ")
    wrong = [_wrong(q, k) for k in q.spec.options if k != right]
    assert len(set(wrong)) == 3
    lengths = {k: len(text) for k, text in q.spec.options.items()}
    assert lengths[right] < max(lengths.values())  # the right option is not the longest


def test_q6_numbers_in_the_prompt_are_computed():
    q = _load(0).q6
    even = math.ceil(total_by_hand(0.6, 0.58, 0.5) / 5_000)
    canary = math.ceil(total_by_hand(0.6, 0.58, 0.05) / 5_000)
    assert f"in {even} days" in q.prompt and f"need {canary} days" in q.prompt


# --- q8: the simulated regression -------------------------------------------------------------


def _exposure(d):
    """The simulation, and its days with customers on the new model (shadow shows nobody; dogfood is the staff)."""
    sim = r.simulate_rollout(d.plan, d.daily_users, changes=[r.Regression("task_success", d.change, start_day=d.start_day)], seed=d.seed)
    exposed = [rec for rec in sim.days if rec["stage"] not in ("Shadow", "Dogfood")]
    return sim, exposed


def _staff_after(sim, d):
    """The staff's uses of the new model in dogfood from the regression's first day: not customers."""
    return sum(round(rec["share"] * d.daily_users) for rec in sim.days if rec["stage"] == "Dogfood" and rec["day"] >= d.start_day)


def test_q8_users_who_met_the_regression_recounted_from_the_days(ex):
    q, d = ex.q8, ex.q8.data
    sim, exposed = _exposure(d)
    recount = sum(round(rec["share"] * d.daily_users) for rec in exposed if rec["day"] >= d.start_day)
    assert sim.stopped and not sim.reached_full
    assert q.check(recount).correct and q.check(float(f"{recount:.3g}")).correct
    assert "day it stopped" in _wrong(q, sim.stop_day)
    assert "control group too" in _wrong(q, d.daily_users * sum(1 for rec in exposed if rec["day"] >= d.start_day))
    everyone_new = sum(round(rec["share"] * d.daily_users) for rec in exposed)
    if f"{everyone_new:.3g}" != f"{recount:.3g}":
        assert "before the regression began" in _wrong(q, everyone_new)
    staff = _staff_after(sim, d)
    if staff:  # the regression began in dogfood: its staff met it, but they are not customers
        assert "staff in dogfood" in _wrong(q, recount + staff)
    assert "the staff in dogfood do not count" in q.prompt
    assert len(q.spec.mistakes) >= 3


def test_q8_the_seed_zero_answer_counts_the_canarys_customers_only():
    q = _load(0).q8
    d = q.data
    assert (d.start_day, d.change) == (12, -0.03)
    # days 12-14 are dogfood (the staff's 400 a day); the canary (days 15-28, 1,000 a day) stops it at its end
    assert q.check(14 * 1_000).correct
    assert "staff in dogfood" in _wrong(q, 14 * 1_000 + 3 * 400)


# --- q9: the PSI ------------------------------------------------------------------------------


def test_q9_psi_by_hand_at_three_decimals(ex):
    q = ex.q9
    psi = psi_by_hand(ex.data.reference, ex.data.current)
    assert q.check(psi).correct and q.check(round(psi, 3)).correct
    assert "three decimal places" in q.prompt and "different sample from the lesson's" in q.prompt
    report = r.drift_check(ex.data.reference, ex.data.current)
    assert f"PSI {psi:.3f}" in str(q.solution())
    assert "Kolmogorov" in _wrong(q, report.ks_statistic)
    assert "natural logarithm" in _wrong(q, psi / math.log(10))
    assert "not a percentage" in _wrong(q, psi * 100)
    assert len(q.spec.mistakes) >= 3


# --- q10: data or concept drift ---------------------------------------------------------------


def test_q10_the_situation_decides_and_each_wrong_option_has_feedback(ex):
    q = ex.q10
    expected = "concept" if "same words" in q.prompt else "data"
    assert q.expected == expected and q.check(expected).message.startswith("Right: ")
    assert q.check(f"{expected} drift").correct
    assert len({_wrong(q, k) for k in q.spec.options if k != expected}) == 3


# --- the concept tests: an answer that ignores the concept fails for every seed and scenario ---


def _ignoring_the_concept(ex):
    """(question, the answer of a learner who ignores its concept, a phrase its feedback must hold)."""
    d2, d3, d4, d5, d8 = ex.q2.data, ex.q3.data, ex.q4.data, ex.q5.data, ex.q8.data
    per_arm_5050 = r.sample_size_per_arm(d3.p_baseline, d3.p_baseline + d3.effect)
    sim, exposed = _exposure_cached(d8.seed, d8.start_day, d8.change)
    return [
        (ex.q1, CONFUSION[ex.q1.expected], ""),  # the stage next door: who sees it, and how chosen
        (ex.q2, 2 * ex.q2.expected, "both arms"),  # per arm ignored
        (ex.q3, math.ceil(2 * per_arm_5050 / d3.daily_users), "50/50"),  # the canary's unequal split ignored
        (ex.q4, d4.p_baseline + ex.q4.expected, "new rate"),  # a rise, not a new rate
        (ex.q5, d5.daily_users * (d5.hours_to_detect + d5.hours_to_rollback) / 24, "share"),  # the share exposed ignored
        (ex.q6, next(k for k, t in ex.q6.spec.options.items() if "control group adds noise" in t), "other arm"),
        (ex.q7, next(k for k, t in ex.q7.spec.options.items() if "latency" in t), "warning"),
        (ex.q8, d8.daily_users * sum(1 for rec in exposed if rec["day"] >= d8.start_day), "control group"),  # the control never met it
        (ex.q9, _ks_cached(ex.parameters["seed"]), "Kolmogorov"),  # a p-value-style statistic for the size
        (ex.q10, "data" if ex.q10.expected == "concept" else "concept", ""),
        (ex.q12, ex.q12.spec.mistakes[0].value, "χ² statistic"),  # the statistic read as if it were the verdict
        (ex.q13, 0.05, "one look"),  # peeking ignored: every look taken for the one planned
        (ex.q14, ex.q14.data.days_needed, "whole weeks"),  # the weekly cycle ignored
    ] + ([(ex.q8, ex.q8.expected + _staff_after(sim, d8), "staff in dogfood")] if _staff_after(sim, d8) else [])


@functools.lru_cache(maxsize=None)
def _exposure_cached(seed, start_day, change):
    d = types_namespace(plan=r.example_plan(), daily_users=20_000, change=change, start_day=start_day, seed=seed)
    return _exposure(d)


@functools.lru_cache(maxsize=None)
def _ks_cached(seed):
    ex = _load(seed)
    return r.drift_check(ex.data.reference, ex.data.current).ks_statistic


def types_namespace(**kwargs):
    import types

    return types.SimpleNamespace(**kwargs)


@pytest.mark.parametrize("scenario", scenarios())
def test_an_answer_that_ignores_the_concept_fails_for_every_seed(scenario):
    for seed in range(500):
        ex = ex05.exercise.load(seed, scenario)
        for q, answer, phrase in _ignoring_the_concept(ex):
            ok, message = q.spec.judge(answer)
            assert not ok, (q.id, seed, scenario, answer)
            assert phrase in message, (q.id, seed, scenario, message)
            assert "close" not in message
        for q in ex.questions:
            spec = getattr(q, "spec", None)
            if spec is not None and hasattr(spec, "mistakes"):
                assert len(spec.mistakes) >= 3, (q.id, seed, scenario)
                assert spec.judge(float(spec.precision.format(spec.expected).replace(",", "")))[0], (q.id, seed, scenario)


def test_the_right_key_moves_between_seeds():
    for qid in ("q1", "q6", "q7", "q10"):
        keys = {getattr(_load(seed), qid).expected for seed in range(40)}
        assert len(keys) >= 2, qid


# --- q12: a sample-ratio mismatch ------------------------------------------------------------------


def test_q12_p_value_by_scipys_chisquare_and_its_slips(ex):
    q, d = ex.q12, ex.q12.data
    expected = np.asarray(d.planned) * sum(d.counts)
    reference = stats.chisquare(d.counts, expected)
    assert q.check(reference.pvalue).correct and q.check(float(f"{reference.pvalue:.3g}")).correct
    assert "three significant figures" in q.prompt and f"{d.counts[0]:,}" in q.prompt and f"{d.counts[1]:,}" in q.prompt
    assert "χ² statistic" in _wrong(q, reference.statistic)
    assert "upper tail" in _wrong(q, 1 - reference.pvalue)
    assert "2 degrees of freedom" in _wrong(q, stats.chi2.sf(reference.statistic, 2))
    assert "halved" in _wrong(q, reference.pvalue / 2)
    even = stats.chisquare(d.counts).pvalue
    if d.planned[0] != 0.5:
        assert "even split" in _wrong(q, even)
    verdict = "sample-ratio mismatch" if reference.pvalue < 0.001 else "no alarm"
    assert verdict in str(q.solution())


def test_q12_the_verdict_goes_both_ways_over_seeds():
    verdicts = {_load(seed).q12.expected < 0.001 for seed in range(30)}
    assert verdicts == {True, False}


# --- q13: peeking ---------------------------------------------------------------------------------


def brownian_peeking(days, paths=400_000):
    """The share of Brownian paths read at ``days`` equal steps that reach |z| ≥ 1.96 at some look."""
    rng = np.random.default_rng(days)
    s = rng.standard_normal((paths, days), dtype=np.float32).cumsum(axis=1)
    return float(np.mean((np.abs(s) / np.sqrt(np.arange(1, days + 1)) >= stats.norm.isf(0.025)).any(axis=1)))


@pytest.mark.parametrize("days", [5, 7, 10, 14, 21, 28])
def test_q13_the_peeking_rate_agrees_with_a_monte_carlo_of_the_looks(days):
    from aipm_course.experiments import peeking_false_positive_rate

    mc = brownian_peeking(days)
    assert abs(peeking_false_positive_rate(days) - mc) < 3 * math.sqrt(mc * (1 - mc) / 400_000)


def test_q13_answer_and_slips(ex):
    q, days = ex.q13, ex.q13.data.days
    rate = q.expected
    assert q.check(round(rate, 2)).correct and "two decimal places" in q.prompt and f"every day for {days} days" in q.prompt
    assert "one look" in _wrong(q, 0.05)
    assert "independent tests" in _wrong(q, 1 - 0.95**days)
    assert "upper bound" in _wrong(q, 0.05 * days)
    assert "Bonferroni" in _wrong(q, 0.05 / days)
    assert "one side" in _wrong(q, rate / 2)
    assert 0.05 < rate < 1 - 0.95**days


def test_q13_fourteen_days_is_the_lessons_22_percent():
    seed = next(s for s in range(100) if _load(s).q13.data.days == 14)
    assert _load(seed).q13.check(0.22).correct


# --- q14: whole weeks ------------------------------------------------------------------------------


def test_q14_whole_weeks_by_hand_and_the_slips(ex):
    q, needed = ex.q14, ex.q14.data.days_needed
    days = 7 * max(1, -(-needed // 7))  # whole weeks, at least one
    assert q.check(days).correct and days % 7 == 0 and days >= needed
    assert "whole weeks" in _wrong(q, needed) or needed % 7 == 0
    assert "number of weeks" in _wrong(q, days // 7)
    if needed > 7:
        assert "single week" in _wrong(q, 7)
    assert "added a week" in _wrong(q, needed + 7)


@pytest.mark.parametrize("needed, days", [(3, 7), (5, 7), (8, 14), (12, 14), (15, 21), (19, 21)])
def test_q14_hand_values(needed, days):
    seed = next((s for s in range(300) if _load(s).q14.data.days_needed == needed), None)
    assert seed is not None
    assert _load(seed).q14.expected == days


# --- q11: the plan ----------------------------------------------------------------------------


def _good_plan(daily_users):
    """The lesson's example plan, its canary long enough for this traffic."""
    plan = r.plan_to_dict(r.example_plan())
    canary = plan["stages"][2]
    canary["min_days"] = max(canary["min_days"], r.days_to_detect(daily_users, 0.6, -0.02, canary["traffic_share"]))
    return plan


def _hostile_plan(daily_users):
    """The issue's plan: an escalation gate whose effect has the wrong sign, a kill switch whose threshold
    (40%) contradicts its trigger (25%), and the rollback "x". The old checker said it passes every check."""
    plan = _good_plan(daily_users)
    escalation = {"metric": "escalation_rate", "layer": "online", "comparison": "<=", "threshold": 0.4, "severity": "blocker", "effect": -0.02}
    plan["stages"][2]["gates"].append(dict(escalation))
    plan["stages"][3]["gates"] = [g for g in plan["stages"][3]["gates"] if g["metric"] != "escalation_rate"] + [dict(escalation)]
    plan["kill_switch"] = {"trigger": "escalation above 25%", "metric": "escalation_rate", "comparison": "<=", "threshold": 0.4}
    plan["rollback"] = "x"
    return plan


def test_q11_the_lesson_plan_and_the_solution_plan_pass(ex):
    d = ex.q11.data
    assert ex.q11.check(_good_plan(d.daily_users)).correct
    assert r.validate_plan(_good_plan(d.daily_users), d.daily_users, d.p_baseline) == []


def test_q11_the_issue_hostile_plan_is_refused_with_each_reason(ex):
    d = ex.q11.data
    plan = _hostile_plan(d.daily_users)
    # what made it dangerous: a 10-point rise in escalations reaches everyone in (nearly) every seed
    shipped = sum(r.simulate_rollout(_without_the_gate_directions(plan), d.daily_users, changes=[r.Regression("escalation_rate", 0.10)], seed=s).reached_full for s in range(20))
    assert shipped >= 18
    result = ex.q11.check(plan)
    assert result.outcome is Outcome.INCORRECT
    text = " ".join(result.details)
    assert "watches for a fall (-0.02), but for escalation_rate higher is worse" in text
    assert "effect: 0.02 for a two-point rise in escalation_rate" in text
    assert "The trigger says 25%, but the threshold is 0.4 (40%)" in text
    assert "The rollback 'x' is not a procedure" in text


def _without_the_gate_directions(plan):
    """The hostile plan as the old simulation read it: the escalation gate's test pointed the way of its effect."""
    plan = copy.deepcopy(plan)
    for stage in plan["stages"]:
        stage["gates"] = [g for g in stage["gates"] if g["metric"] != "escalation_rate"]
    return plan


def test_q11_each_hostile_part_alone_is_refused(ex):
    d = ex.q11.data
    for change, expected in [
        (lambda p: p["stages"][3]["gates"][2].update(effect=-0.05), "the harm to catch is a rise"),
        (lambda p: p["stages"][3]["gates"][2].update(comparison=">="), "passes the models it should stop"),
        (lambda p: p["kill_switch"].update(trigger="escalation above 25%"), "The trigger says 25%, but the threshold is 0.3"),
        (lambda p: p["kill_switch"].update(trigger="escalation rate above 0.25 on any day"), "The trigger says 25%"),
        (lambda p: p.update(rollback="x"), "not a procedure"),
        (lambda p: p.update(rollback="roll back"), "not a procedure"),
        (lambda p: p["kill_switch"].update(trigger="x"), "does not say when the feature is switched off"),
        (lambda p: p["stages"][2]["gates"][0].update(effect=0.02), "the harm to catch is a fall"),
    ]:
        plan = _good_plan(d.daily_users)
        change(plan)
        result = ex.q11.check(plan)
        assert result.outcome is Outcome.INCORRECT, expected
        assert expected in " ".join(result.details), (expected, result)


def test_q11_a_kill_switch_whose_words_agree_with_its_threshold_passes(ex):
    d = ex.q11.data
    for trigger in ("escalation rate above 30% on any day", "escalations over 30 percent, two days running", "escalation rate above 0.3"):
        plan = _good_plan(d.daily_users)
        plan["kill_switch"]["trigger"] = trigger
        assert ex.q11.check(plan).correct, trigger


def test_q11_a_plan_that_never_watches_escalations_rise_is_refused_by_the_simulation(ex):
    d = ex.q11.data
    plan = _good_plan(d.daily_users)
    plan["stages"][3]["gates"] = [g for g in plan["stages"][3]["gates"] if g["metric"] != "escalation_rate"]
    assert r.validate_plan(plan, d.daily_users, d.p_baseline) == []  # the validator alone would pass it
    text = " ".join(ex.q11.check(plan).details)
    assert "a model whose escalation_rate rises by 10 points (15% → 25%) reached full launch in" in text
    assert 'comparison "<=" and effect: 0.02 for a two-point rise in escalation_rate' in text


def test_q11_the_regressions_are_stopped_in_nearly_every_seed_for_the_lesson_plan():
    users = 25_000
    plan = _good_plan(users)
    baselines = {**r.DEFAULT_BASELINES, "task_success": 0.6}
    assert {(m, c) for m, c, _ in REGRESSIONS} >= {("task_success", -0.10), ("escalation_rate", 0.10)}
    for metric, change, at_least in REGRESSIONS:
        stopped = sum(not r.simulate_rollout(plan, users, baselines, changes=[r.Regression(metric, change)], seed=s).reached_full for s in range(20))
        assert stopped >= at_least >= 15, (metric, change, stopped)


def test_q11_a_wrong_sign_effect_is_advice_and_simulation_the_right_way_for_escalations():
    # advice: a missing effect on an escalation blocker asks for a positive one
    data = r.plan_to_dict(r.example_plan())
    del data["stages"][3]["gates"][2]["effect"]
    fix = next(f.fix for f in r.validate_plan(data) if "does not say what change" in f.problem)
    assert "effect: 0.02 for a two-point rise in escalation_rate" in fix and "-0.02" not in fix
    del data["stages"][2]["gates"][0]["effect"]
    fixes = [f.fix for f in r.validate_plan(data) if "does not say what change" in f.problem]
    assert any("effect: -0.02 for a two-point drop in task_success" in f for f in fixes)
    # simulation: a gate with no threshold, only the test against the control, catches a rise in escalations
    # whichever sign its effect was written with (the metric says which way is worse)
    for effect in (0.02, -0.02):
        data = r.plan_to_dict(r.example_plan())
        data["stages"][3]["gates"][2].update(threshold=1.0, effect=effect)
        rise = r.simulate_rollout(data, 20_000, changes=[r.Regression("escalation_rate", 0.03)], seed=1)
        assert rise.stop_stage == "Ramp" and "escalation_rate" in rise.reason and "significantly worse" in rise.reason
        fall = r.simulate_rollout(data, 20_000, changes=[r.Regression("escalation_rate", -0.03)], seed=1)
        assert fall.reached_full


def test_q11_a_daily_read_with_a_correction_passes(ex):
    plan = _good_plan(ex.q11.data.daily_users)
    plan["stages"][2]["gates"][0].update(read="daily", correction="obrien-fleming")
    assert ex.q11.check(plan).correct
    assert "at least a week where its gates read users" in ex.q11.prompt


def test_q11_a_kill_switch_that_trips_on_a_healthy_day_is_named_as_the_cause(ex):
    plan = _good_plan(ex.q11.data.daily_users)
    plan["kill_switch"].update(threshold=0.16, trigger="escalation rate above 16% on any day")  # today 15%: a noisy day goes over
    assert r.validate_plan(plan, ex.q11.data.daily_users, ex.q11.data.p_baseline) == []
    text = " ".join(ex.q11.check(plan).details)
    assert "kill switch turned off a model as good as today's in" in text and "of 20 simulated rollouts" in text and "15%" in text
    assert "loosen the gate" not in text


@pytest.mark.parametrize(
    "change, expected",
    [
        (lambda p: p["kill_switch"].update(comparison=">="), "healthy condition"),
        (lambda p: p["stages"][2]["gates"][0].update(threshold=58), "share between 0 and 1"),
        (lambda p: p["stages"][2]["gates"][0].update(metric="task sucess"), "not measured here"),
        (lambda p: p["stages"][2]["gates"][0].update(threshold=0.65), "above today's rate"),
        (lambda p: p["stages"][2]["gates"][0].pop("effect"), "does not say what change"),
        (lambda p: p.update(rollback=""), "rollback"),
        (lambda p: p["stages"].pop(3), "no ramp"),
        # experiments that lie: a canary shorter than a week, and a test read every day with no correction
        (lambda p: p["stages"][2].update(min_days=5), "weekly cycle"),
        (lambda p: p["stages"][2]["gates"][0].update(read="daily"), "read every day"),
        # dogfood is the staff: no control group to test an effect against
        (lambda p: p["stages"][1]["gates"][0].update(effect=0.05), "dogfood has no control group"),
    ],
)
def test_q11_broken_plans_are_explained(ex, change, expected):
    plan = _good_plan(ex.q11.data.daily_users)
    change(plan)
    result = ex.q11.check(plan)
    assert result.outcome is Outcome.INCORRECT
    assert expected in " ".join(result.details) + result.message


def test_q11_a_plan_whose_gates_never_stop_a_regression_fails(ex):
    plan = _good_plan(ex.q11.data.daily_users)
    for stage in plan["stages"]:
        for gate in stage["gates"]:
            if gate["metric"] == "task_success":
                gate.update(threshold=0.3, severity="warning")
    result = ex.q11.check(plan)
    assert result.outcome is Outcome.INCORRECT
    assert "task_success" in " ".join(result.details)


def test_plan_checker_is_public_and_accepts_yaml():
    check = plan_checker(25_000, 0.6)
    assert check(r.plan_to_yaml(_good_plan(25_000))) == []
    assert check(_hostile_plan(25_000))


# --- save_plan --------------------------------------------------------------------------------


def test_save_plan_saves_only_a_plan_question_11_accepts(ex, work):
    d = ex.q11.data
    folder = work / "portfolio"
    assert ex.save_plan(PLAN_SKELETON).startswith("Not saved yet: write the plan in question 11")
    no_ramp = _good_plan(d.daily_users)
    no_ramp["stages"] = [s for s in no_ramp["stages"] if s["kind"] != "ramp"]
    assert r.validate_plan(no_ramp, d.daily_users, d.p_baseline) == []  # the validator alone would save it
    for failing in (no_ramp, "feature: [", _hostile_plan(d.daily_users)):
        assert ex.save_plan(failing).startswith("Not saved yet: question 11 still lists problems")
    assert not folder.exists() or not any(folder.iterdir())
    assert "passes the validator" in ex.save_plan(_good_plan(d.daily_users))
    assert r.load_plan((folder / "05_rollout_plan.yaml").read_text()) == r.plan_from_dict(_good_plan(d.daily_users))
    assert "save_plan" in dir(ex)
