"""Interview drills (lesson 06): every drill's answer recomputed here from its parameters (and,
where the parameters leave a number out, from the prompt a learner reads) with the course's
formulas written out by hand, cross-checked against scipy and statsmodels; the answer policy
(the precision the prompt states, the slips and their feedback, the messages for a factor of ten
and a percentage given for a share) for every kind, difficulty, seed 0-499 and scenario;
difficulty, scenarios, the checker and the timed practice session. The two module 08 kinds (a judge's
corrected pass rate, agent reliability) are recomputed in exact fractions and by enumeration. The
framings an interviewer checks: reviewers to employ (shrinkage, a 7-day desk), blast radius in distinct
users under sticky assignment (against a simulation), the 16·p(1 − p)/δ² rule of thumb; and the "so
what" step after each number, whose right option is worked out here from the number.
"""

import collections
import dataclasses
import functools
import itertools
import math
import numbers
import re
from fractions import Fraction
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from scipy.optimize import brentq
from statsmodels.stats.proportion import samplesize_proportions_2indep_onetail

from aipm_course import drills as dr
from aipm_course import parameters
from aipm_course.checking import CheckResult, Outcome, Precision, RichText, significant, whole
from aipm_course.parameters import scenarios

# The ten kinds this file checks, named here: drill_cases registers more after them (tested in
# test_drill_cases.py). Tests of what holds every kind (a drill set, the catalogue) use ALL_KINDS.
KINDS = ["base_rate_precision", "threshold_by_cost", "reviewer_headcount", "budget_bound", "cost_per_query",
         "break_even_volume", "sample_size_duration", "blast_radius", "judge_correction", "agent_reliability"]
ALL_KINDS = list(dr.DRILL_KINDS)
SCENARIOS = list(scenarios())
LEVELS = (1, 2, 3)
SEEDS = range(500)
SCENARIO_SEEDS = range(100)

# The slip each drill names first: the one-step error an interviewer expects most, and the answer of
# a learner who ignores what the drill tests.
MAIN_SLIP = {
    "base_rate_precision": {1: "ignored_prevalence", 2: "ignored_prevalence", 3: "answered_accuracy"},
    "threshold_by_cost": {1: "swapped_costs", 2: "ignored_cost_of_catching", 3: "minutes_as_dollars"},
    "reviewer_headcount": {1: "forgot_human_share", 2: "people_on_the_desk", 3: "used_caveat_share"},
    "budget_bound": {1: "point_estimate", 2: "point_estimate", 3: "point_estimate"},
    "cost_per_query": {1: "forgot_retrieved_tokens", 2: "forgot_retrieved_tokens", 3: "ignored_cache"},
    "break_even_volume": {1: "total_not_per_day", 2: "ignored_monthly", 3: "forgot_retrains"},
    "sample_size_duration": {1: "one_arm_only", 2: "all_users_eligible", 3: "sized_as_50_50"},
    "blast_radius": {1: "forgot_rollback", 2: "user_days", 3: "canary_counted_twice"},
    "judge_correction": {1: "raw_pass_rate", 2: "raw_pass_rate", 3: "raw_pass_rate"},
    "agent_reliability": {1: "step_rate_as_task_rate", 2: "pass_at_k", 3: "cost_per_attempt"},
}
SHARE_KINDS = {"base_rate_precision", "threshold_by_cost", "budget_bound", "judge_correction"}  # answered as a share in (0, 1]
MONEY_ANSWERS = {("cost_per_query", 1), ("cost_per_query", 2), ("cost_per_query", 3), ("agent_reliability", 3)}  # in dollars


def is_share(d):
    """The drill asks for a share: the share kinds, and agent reliability except its cost (difficulty 3)."""
    return d.kind in SHARE_KINDS or (d.kind == "agent_reliability" and d.difficulty < 3)
WHOLE_KINDS = {"reviewer_headcount", "sample_size_duration", "blast_radius"}  # people, days, users: whole, rounded up
# The answer policy: shares and money and volumes to three significant figures, people/days/users whole and rounded up.
PRECISION = {kind: (Precision("whole", 0, "up") if kind in WHOLE_KINDS else Precision("sig", 3)) for kind in KINDS}

NUMBER = r"([\d,]+(?:\.\d+)?)"  # 1,234 or 0.5 or 12.25
MONEY = r"\$" + NUMBER


# --- drills, made once per test process -------------------------------------------------------

# scenarios() parses every scenario's YAML file on each call (a few ms), and make_drill calls it once
# per drill. The tests that make thousands of scenario drills read the files once instead: the same
# Scenario objects, by the same names, through the same get_scenario.
CACHED_SCENARIOS = functools.cache(parameters.scenarios)


@pytest.fixture
def scenarios_read_once():
    with mock.patch.object(parameters, "scenarios", CACHED_SCENARIOS):
        yield


@functools.cache
def grid(kind, difficulty, scenario="default"):
    """The drills of one kind and difficulty for seeds 0-499 in one scenario."""
    with mock.patch.object(parameters, "scenarios", CACHED_SCENARIOS):
        return tuple(dr.make_drill(kind, seed, difficulty, scenario) for seed in SEEDS)


@functools.cache
def default_drills(kind):
    """make_drill(kind, seed) for seeds 0-499: the difficulty varies with the seed (1 + seed % 3)."""
    return tuple(grid(kind, 1 + seed % 3)[seed] for seed in SEEDS)


@functools.cache
def scenario_drills(scenario):
    """One drill of each kind for 100 seeds, as drill_set makes them."""
    with mock.patch.object(parameters, "scenarios", CACHED_SCENARIOS):
        return tuple(d for seed in SCENARIO_SEEDS for d in dr.drill_set(seed, kinds=KINDS, scenario=scenario))


# --- reading the prompt as a learner would ----------------------------------------------------


def num(text):
    return float(text.replace(",", ""))


def read(prompt, pattern):
    """The numbers the pattern captures in the prompt, as floats (percentages still in %)."""
    found = re.search(pattern, prompt)
    assert found, f"the prompt does not state {pattern!r}:\n{prompt}"
    return tuple(num(g) for g in found.groups())


def dollars(text):
    return [num(x) for x in re.findall(MONEY, text)]


def same(a, b):
    return a == pytest.approx(b, rel=1e-9, abs=1e-12)


def ceil_exact(*factors, divide_by=1):
    """ceil(product of factors / divide_by), in exact decimal arithmetic (0.15 is 15/100, not a float)."""
    value = Fraction(1)
    for f in factors:
        value *= Fraction(str(f))
    return math.ceil(value / Fraction(str(divide_by)))


# --- independent solvers: each returns (answer, value of the main slip) -----------------------


def solve_precision(d):
    p = d.params
    pi, tpr, fpr = p["prevalence"], p["tpr"], p["fpr"]
    if d.difficulty == 1:
        catch, flag, rate = read(d.prompt, rf"catches {NUMBER}% of the \w+ \w+ and wrongly flags {NUMBER}% of the others\. {NUMBER}% of")
        assert same(catch / 100, tpr) and same(flag / 100, fpr) and same(rate / 100, pi)
    elif d.difficulty == 2:
        sens, spec, rate = read(d.prompt, rf"sensitivity is {NUMBER}% and its specificity {NUMBER}%\. {NUMBER}% of")
        assert same(sens / 100, tpr) and same(1 - spec / 100, fpr) and same(rate / 100, pi)
    else:
        (one_in,) = read(d.prompt, rf"About 1 in {NUMBER} ")
        catch, flag = read(d.prompt, rf"catches {NUMBER}% of them and wrongly flags {NUMBER}% of the rest")
        assert same(pi, 1 / one_in) and same(catch / 100, tpr) and same(flag / 100, fpr)
    answer = pi * tpr / (pi * tpr + (1 - pi) * fpr)
    if d.difficulty == 3:
        main = pi * tpr + (1 - pi) * (1 - fpr)  # the accuracy
    else:
        main = tpr / (tpr + fpr)  # prevalence left out (treated as 50%)
    return answer, main


def solve_threshold(d):
    p = d.params
    c_fp, c_fn, c_tp, c_tn = p["cost_fp"], p["cost_fn"], p["cost_tp"], 0.0
    if d.difficulty == 1:
        miss, hold = read(d.prompt, rf"A missed fraud costs {MONEY}; holding a good payment for review costs {MONEY}")
        assert same(miss, c_fn) and same(hold, c_fp) and c_tp == 0
        main = c_fn / (c_fn + c_fp)  # swapped
    elif d.difficulty == 2:
        review, miss, lost = read(d.prompt, rf"analyst at {MONEY}\. A missed fraud loses the full {MONEY}\. A caught fraud still loses {NUMBER}% of it")
        assert same(review, c_fp) and same(miss, c_fn) and same(c_tp, review + lost / 100 * miss)
        main = c_fp / (c_fp + c_fn)  # a caught fraud treated as free
    else:
        minutes, wage, miss = read(d.prompt, rf"spends {NUMBER} minutes on each and costs {MONEY} an hour\. A missed case .* costs {MONEY}\.")
        assert same(c_fp, minutes / 60 * wage) and same(miss, c_fn) and c_tp == 0
        main = minutes / (minutes + c_fn)  # minutes used as dollars
    answer = (c_fp - c_tn) / ((c_fp - c_tn) + (c_fn - c_tp))
    return answer, main


def exact(x):
    """A decimal number as an exact fraction (0.15 is 15/100, not the float nearest it)."""
    return Fraction(str(x))


def headcount_inputs(d):
    """(tickets, human share, minutes, productive hours, shrinkage), read from the prompt as a learner reads them;
    shrinkage is None at difficulty 1 (the people reviewing on a given day, not the people to employ)."""
    p = d.params
    if d.difficulty == 1:
        cases, pct, minutes, hours = read(d.prompt, rf"handles {NUMBER} tickets a day and sends {NUMBER}% of them to a human\. A human needs {NUMBER} minutes a ticket, and a reviewer has {NUMBER} productive hours")
        assert "must be reviewing on a given day" in d.prompt and "not the people to employ" in d.prompt
        share, shrinkage = exact(pct) / 100, None
    else:
        if d.difficulty == 2:
            cases, pct, minutes = read(d.prompt, rf"handles {NUMBER} tickets a day, every day of the week, and sends {NUMBER}% of them to a human, who needs {NUMBER} minutes a ticket")
            share = exact(pct) / 100
        else:
            auto, cases, caveat, minutes = read(d.prompt, rf"answers {NUMBER}% of {NUMBER} tickets a day automatically, every day of the week, answers {NUMBER}% with a caveat \(no human\), and sends the rest to a human, who needs {NUMBER} minutes a ticket")
            share = 1 - exact(auto) / 100 - exact(caveat) / 100  # the human zone is what is left after the other two
        hours, shrink = read(d.prompt, rf"open 7 days a week; each reviewer works 5 of them and gives {NUMBER} productive hours a day to tickets\. Shrinkage is {NUMBER}%")
        shrinkage = exact(shrink) / 100
        assert "How many full-time reviewers must you employ?" in d.prompt
        assert same(float(shrinkage), p["shrinkage"])
    assert same(cases, p["cases_per_day"]) and same(float(share), p["human_share"]) and same(minutes, p["minutes_per_case"]) and same(hours, p["productive_hours"])
    return exact(cases), share, exact(minutes), exact(hours), shrinkage


def to_employ(people_on_the_desk, shrinkage):
    """FACTS, Headcount: a 7-day desk covered by 5-day weeks, × 7/5, and shrinkage, ÷ (1 − shrinkage)."""
    return people_on_the_desk * Fraction(7, 5) / (1 - shrinkage)


def solve_headcount(d):
    cases, share, minutes, hours, shrinkage = headcount_inputs(d)
    desk = cases * share * minutes / (60 * hours)  # people reviewing on a given day
    if d.difficulty == 1:
        return math.ceil(desk), math.ceil(cases * minutes / (60 * hours))  # main slip: every ticket staffed
    answer = math.ceil(to_employ(desk, shrinkage))
    if d.difficulty == 2:
        return answer, math.ceil(desk)  # main slip: the people on the desk, not the people to employ
    (caveat,) = read(d.prompt, rf"answers {NUMBER}% with a caveat")
    return answer, math.ceil(to_employ(cases * exact(caveat) / 100 * minutes / (60 * hours), shrinkage))  # the caveat zone staffed


def solve_bound(d):
    p = d.params
    k, n, level = p["errors"], p["n"], p["confidence_level"]
    n_, k_, pct = read(d.prompt, rf"random sample of {NUMBER} .* found {NUMBER} wrong\. .* with {NUMBER}% confidence")
    assert (n_, k_, pct / 100) == (n, k, pytest.approx(level))
    assert level == (0.99 if d.difficulty == 3 else 0.95)
    answer = stats.beta.ppf(level, k + 1, n - k)  # one-sided Clopper-Pearson upper bound
    if k == 0:
        assert answer == pytest.approx(1 - (1 - level) ** (1 / n), rel=1e-9)
    return answer, k / n


def solve_cost(d):
    p = d.params
    prompt_t, retrieved, out, p_in, p_out = (p[k] for k in ("prompt_tokens", "retrieved_tokens", "output_tokens", "price_in", "price_out"))
    stated = read(d.prompt, rf"sends {NUMBER} tokens of instructions and question plus {NUMBER} tokens of retrieved text, and gets {NUMBER} tokens back\. The model costs {MONEY} per million input tokens and {MONEY} per million output")
    assert stated == (prompt_t, retrieved, out, pytest.approx(p_in), pytest.approx(p_out))
    per_query = ((prompt_t + retrieved) * p_in + out * p_out) / 1e6
    forgot = (prompt_t * p_in + out * p_out) / 1e6
    if d.difficulty == 1:
        factor = 1.0
        assert "one query" in d.prompt
    else:
        (per_day,) = read(d.prompt, rf"It gets {NUMBER} queries a day")
        month = per_day * 30
        if d.difficulty == 2:
            factor = month
        else:
            (hit,) = read(d.prompt, rf"and {NUMBER}% of them are repeats served from a cache")
            factor = month * (1 - hit / 100)
            forgot = per_query * month  # main slip at difficulty 3: the cache left out
    assert same(p["factor"], factor)
    main = forgot if d.difficulty == 3 else forgot * factor
    return per_query * factor, main


def retrain_months(every, months):
    """Months at which a retrain falls: every, 2·every, … strictly before the horizon."""
    return [m for m in range(every, months, every)] if every else []


def solve_break_even(d):
    p = d.params
    months, days = p["months"], p["months"] * 30
    f_rag, v_rag, h_rag = p["rag_setup"], p["rag_per_query"], p["rag_monthly"]
    f_ft, v_ft, h_ft = p["ft_setup"], p["ft_per_query"], p["ft_monthly"]
    every, retrain = p["retrain_every"], p["retrain_cost"]
    n_retrains = len(retrain_months(every, months))
    assert p["retrains"] == n_retrains
    assert read(d.prompt, r"over (\d+) months of 30 days") == (months,)
    rag = read(d.prompt, rf"RAG: {MONEY} to build, {MONEY} a query")
    ft = read(d.prompt, rf"Fine-tuned: {MONEY} to build and train, {MONEY} a query")
    assert same(rag[0], f_rag) and same(rag[1], v_rag) and same(ft[0], f_ft) and same(ft[1], v_ft)
    if d.difficulty >= 2:
        assert read(d.prompt, rf"RAG: .*?, {MONEY} a month to run")[0] == pytest.approx(h_rag)
        assert read(d.prompt, rf"Fine-tuned: .*?, {MONEY} a month to run")[0] == pytest.approx(h_ft)
    else:
        assert h_rag == h_ft == 0 and "a month to run" not in d.prompt
    if d.difficulty == 3:
        cost, every_ = read(d.prompt, rf"a retrain costing {MONEY} every (\d+) months")
        assert same(cost, retrain) and every_ == every
    else:
        assert every is None and n_retrains == 0 and "retrain" not in d.prompt

    def per_day(fixed_gap):
        return fixed_gap / (v_rag - v_ft) / days

    answer = per_day(f_ft + n_retrains * retrain + months * h_ft - f_rag - months * h_rag)
    main = {
        1: answer * days,  # the total over the horizon, not a day
        2: per_day(f_ft - f_rag),  # the monthly costs left out
        3: per_day(f_ft + months * h_ft - f_rag - months * h_rag),  # the retrains left out
    }[d.difficulty]
    return answer, main


def brentq_break_even(d):
    """Queries a day where the two total-cost lines cross, found numerically."""
    p = d.params
    months, days = p["months"], p["months"] * 30
    retrains = len(retrain_months(p["retrain_every"], months)) * p["retrain_cost"]

    def gap(q):
        rag = p["rag_setup"] + months * p["rag_monthly"] + p["rag_per_query"] * q * days
        ft = p["ft_setup"] + retrains + months * p["ft_monthly"] + p["ft_per_query"] * q * days
        return rag - ft

    return brentq(gap, 0.0, 1e9, xtol=1e-9, rtol=1e-13)


def per_arm_closed_form(p1, p2, alpha=0.05, power=0.8):
    z_a, z_b = stats.norm.ppf(1 - alpha / 2), stats.norm.ppf(power)
    pbar = (p1 + p2) / 2
    n = (z_a * math.sqrt(2 * pbar * (1 - pbar)) + z_b * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) ** 2 / (p2 - p1) ** 2
    return math.ceil(n)


@functools.cache
def statsmodels_nobs1(p1, p2, ratio):
    """nobs1 (the arm at prop1 = p2, the new model); the other arm has ratio·nobs1."""
    return samplesize_proportions_2indep_onetail(diff=p2 - p1, prop2=p1, power=0.8, ratio=ratio, alpha=0.05, alternative="two-sided")


def days_for(users_needed, users_a_day):
    return math.ceil(Fraction(users_needed) / Fraction(str(users_a_day)))


def solve_sample_size(d):
    p = d.params
    p1, p2, users = p["p_baseline"], p["p_treatment"], p["daily_users"]
    base, rise = read(d.prompt, rf"Today {NUMBER}% of users .* detect a rise to {NUMBER}% with a two-sided test at α = 0\.05 and power 0\.8")
    assert same(base / 100, p1) and same(rise / 100, p2)
    n = per_arm_closed_form(p1, p2)
    assert p["n_per_arm"] == n
    assert n == math.ceil(statsmodels_nobs1(p1, p2, 1.0))
    eligible, f = p["eligible_share"], p["treatment_share"]
    if d.difficulty == 1:
        assert read(d.prompt, rf"{NUMBER} users a day enter the test, split 50/50") == (users,)
        assert (eligible, f) == (1.0, 0.5)
        return days_for(2 * n, users), days_for(n, users)
    if d.difficulty == 2:
        users_, stated = read(d.prompt, rf"The product has {NUMBER} users a day, but only the {NUMBER}% who reach")
        assert users_ == users and same(stated / 100, eligible) and f == 0.5
        in_test = Fraction(str(users)) * Fraction(str(eligible))
        return math.ceil(Fraction(2 * n) / in_test), days_for(2 * n, users)
    stated, users_ = read(d.prompt, rf"canary: {NUMBER}% of {NUMBER} users a day get the new version")
    assert users_ == users and same(stated / 100, f) and eligible == 1.0
    ratio = (1 - f) / f
    nobs1 = statsmodels_nobs1(p1, p2, ratio)  # the treated (canary) arm
    total = nobs1 * (1 + ratio)
    return math.ceil(total / users), days_for(2 * n, users)


def reached(visit, days):
    """The chance that a user who visits on any given day with probability ``visit`` comes at least once in ``days`` days."""
    return 1 - (1 - visit) ** days


def blast_inputs(d):
    """(user base, daily visit share, the stage(s)), read from the prompt, as exact fractions."""
    base, visit = read(d.prompt, rf"Your product has {NUMBER} users; on any given day {NUMBER}% of them visit, each independently")
    p = d.params
    assert base == p["user_base"] and same(visit / 100, p["daily_visit_share"])
    if d.difficulty == 2:
        share, days = read(d.prompt, rf"A ramp gives {NUMBER}% of users a new model for (\d+) days; assignment is sticky")
        assert same(share / 100, p["share"]) and days == p["days"]
        return exact(base), exact(visit) / 100, (exact(share) / 100, int(days))
    canary, canary_days, ramp, ramp_days = read(d.prompt, rf"A canary gives {NUMBER}% of users a new model for (\d+) days; then a ramp grows the share to {NUMBER}% for (\d+) days\. Buckets are sticky")
    assert same(canary / 100, p["canary"]) and canary_days == p["canary_days"] and same(ramp / 100, p["ramp"]) and ramp_days == p["ramp_days"]
    return exact(base), exact(visit) / 100, (exact(canary) / 100, int(canary_days), exact(ramp) / 100, int(ramp_days))


def solve_blast(d):
    """The users who meet the regression, in exact arithmetic, rounded up; and the main slip (unrounded)."""
    p = d.params
    if d.difficulty == 1:
        users, back = p["daily_users"], Fraction(str(p["hours_to_rollback"]))
        share, users_, detect, back_ = read(d.prompt, rf"gives {NUMBER}% of {NUMBER} daily users a new model\. Each user visits once a day at most, at times spread evenly over the day\. A regression would be noticed in {NUMBER} hours and rolled back in {NUMBER} more")
        assert same(share / 100, p["share"]) and users_ == users and detect == p["hours_to_detect"] and back_ == back
        exposed = users * Fraction(str(p["share"])) * (Fraction(str(detect)) + back) / 24
        return math.ceil(exposed), users * p["share"] * detect / 24
    base, visit, stage = blast_inputs(d)
    if d.difficulty == 2:
        share, days = stage
        # sticky: a user in the arm counts once, if they come on at least one of the days
        return math.ceil(share * base * reached(visit, days)), float(base * visit * share * days)  # main slip: user-days
    canary, canary_days, ramp, ramp_days = stage
    in_canary = canary * base * reached(visit, canary_days + ramp_days)  # the canary's bucket stays in for both stages
    added = (ramp - canary) * base * reached(visit, ramp_days)  # the users the ramp adds, for the ramp only
    twice = canary * base * reached(visit, canary_days) + ramp * base * reached(visit, ramp_days)  # main slip
    return math.ceil(in_canary + added), float(twice)


def clip(x):
    return min(Fraction(1), max(Fraction(0), x))


def judge_inputs(d):
    """(p, TPR, TNR) as exact fractions, read from the prompt as a learner reads them."""
    (p, judged) = read(d.prompt, rf"It passed {NUMBER}% of {NUMBER} \w+\.")
    assert judged == d.params["judged"]
    p = Fraction(str(p)) / 100
    if d.difficulty == 1:
        tpr, tnr = (Fraction(str(x)) / 100 for x in read(d.prompt, rf"it passes {NUMBER}% of the \w+ people pass and fails {NUMBER}% of the \w+ people fail"))
    elif d.difficulty == 2:
        tpr, false_pass = read(d.prompt, rf"true-positive rate \(pass is the positive class\) is {NUMBER}, and it wrongly passes {NUMBER}% of the")
        tpr, tnr = Fraction(str(tpr)), 1 - Fraction(str(false_pass)) / 100
    else:
        tp, ff, fp, tf = (int(x) for x in read(d.prompt, r"both passed (\d+); people passed and the judge failed (\d+); people failed and the judge passed (\d+); both failed (\d+)\."))
        assert (tp, ff, fp, tf) == tuple(d.params[k] for k in ("true_pass", "false_fail", "false_pass", "true_fail"))
        tpr, tnr = Fraction(tp, tp + ff), Fraction(tf, tf + fp)
    assert same(float(p), d.params["observed"]) and same(float(tpr), d.params["tpr"]) and same(float(tnr), d.params["tnr"])
    return p, tpr, tnr


def solve_judge(d):
    """θ = (p + TNR − 1) / (TPR + TNR − 1), clipped to [0, 1], in exact fractions; the main slip is the raw p."""
    p, tpr, tnr = judge_inputs(d)
    assert tpr + tnr > Fraction(115, 100)
    theta = (p + tnr - 1) / (tpr + tnr - 1)
    if 0 <= theta <= 1:  # the forward model gives back the judge's pass rate
        assert theta * tpr + (1 - theta) * (1 - tnr) == p
    return float(clip(theta)), float(p)


def agent_inputs(d):
    if d.difficulty == 1:
        steps, rate = read(d.prompt, rf"in (\d+) steps\. Each step succeeds {NUMBER}% of the time, independently")
        return int(steps), Fraction(str(rate)) / 100
    if d.difficulty == 2:
        n, c, k = read(d.prompt, r"the same [\w' ]+ (\d+) times; it finished it (\d+) times\. A customer will hand it this [\w' ]+ (\d+) times\. Estimate pass\^(\d+)")[:3]
        return int(n), int(c), int(k)
    steps, rate, cost, attempts = read(d.prompt, rf"runs (\d+) steps, each succeeding {NUMBER}% of the time independently, and costs {MONEY} in model and tool calls\. .* up to (\d+) attempts in all")
    assert cost == pytest.approx(d.params["cost_per_attempt"], rel=1e-9)
    return int(steps), Fraction(str(rate)) / 100, Fraction(d.params["cost_per_attempt"]), int(attempts)


def finished_task_cost(cost, p, attempts):
    """Spend per task and finished share, by walking the attempts: attempt j happens when the j − 1 before failed."""
    spend, finished = Fraction(0), Fraction(0)
    for j in range(1, attempts + 1):
        reached = (1 - p) ** (j - 1)
        spend += reached * cost
        finished += reached * p
    return spend, finished


def solve_agent(d):
    if d.difficulty == 1:
        steps, rate = agent_inputs(d)
        assert (steps, float(rate)) == (d.params["steps"], pytest.approx(d.params["step_rate"]))
        return float(rate ** steps), float(rate)
    if d.difficulty == 2:
        n, c, k = agent_inputs(d)
        assert (n, c, k) == (d.params["tries"], d.params["successes"], d.params["k"]) and k <= c < n
        return math.comb(c, k) / math.comb(n, k), 1 - math.comb(n - c, k) / math.comb(n, k)
    steps, rate, cost, attempts = agent_inputs(d)
    spend, finished = finished_task_cost(cost, rate ** steps, attempts)
    assert spend / finished == cost / rate ** steps  # the cap on attempts drops out
    return float(spend / finished), float(cost)


SOLVERS = {
    "base_rate_precision": solve_precision,
    "threshold_by_cost": solve_threshold,
    "reviewer_headcount": solve_headcount,
    "budget_bound": solve_bound,
    "cost_per_query": solve_cost,
    "break_even_volume": solve_break_even,
    "sample_size_duration": solve_sample_size,
    "blast_radius": solve_blast,
    "judge_correction": solve_judge,
    "agent_reliability": solve_agent,
}


def test_every_kind_has_a_solver_here():
    assert set(SOLVERS) == set(MAIN_SLIP) == set(KINDS) == set(PRECISION)
    assert ALL_KINDS[: len(KINDS)] == KINDS  # registered first, in this order: their numbers depend on the position


def assert_sound(d):
    """The drill is solvable (its answer is the one worked here), plausible, and a learner who ignores
    what it tests (the main slip, worked out here) is told so."""
    answer, main = SOLVERS[d.kind](d)
    if d.kind in WHOLE_KINDS:
        assert d.expected == answer and d.expected == int(d.expected), d
    else:
        assert d.expected == pytest.approx(answer, rel=1e-9), d
    assert math.isfinite(d.expected) and d.expected > 0, d
    assert d.fraction == is_share(d), d
    if d.fraction:  # a judge's corrected pass rate may be clipped to 1
        assert 0 < d.expected < 1 or (d.kind == "judge_correction" and d.expected == 1), d
    for key in ("prevalence", "tpr", "fpr", "human_share", "share", "canary", "ramp", "p_baseline", "p_treatment"):
        if key in d.params:
            assert 0 < d.params[key] < 1, (d, key)
    assert d.check(d.expected).correct, d
    # the main slip: its name, and its value worked out here; marked wrong with its own feedback
    assert d.slips[0].name == MAIN_SLIP[d.kind][d.difficulty], d
    assert d.slips[0].value == pytest.approx(main, rel=1e-9), d
    for concept_ignored in {main, d.precision.round(main)}:  # as worked out, and rounded as the prompt asks
        result = d.check(concept_ignored)
        assert result.outcome is Outcome.INCORRECT and d.slips[0].feedback in result.message, (d, concept_ignored, result.message)


# --- 1. every drill is solvable, for 500 seeds per kind and level ---------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_every_level_and_seed_gives_a_solvable_drill_whose_main_slip_fails(kind):
    for level in LEVELS:
        drills = grid(kind, level)
        assert [d.seed for d in drills] == list(SEEDS)
        for d in drills:
            assert d.kind == kind and d.difficulty == level
            assert_sound(d)


def test_a_zero_error_bound_is_about_the_rule_of_three():
    zero = [d for d in default_drills("budget_bound") if d.params["errors"] == 0]
    assert len(zero) >= 150  # every warm-up has no errors
    for d in zero:
        assert d.expected == pytest.approx(3 / d.params["n"], rel=0.02)
        assert d.expected == pytest.approx(1 - 0.05 ** (1 / d.params["n"]), rel=1e-9)


@pytest.mark.parametrize("difficulty", [1, 2, 3])
def test_break_even_agrees_with_where_the_two_total_cost_lines_cross(difficulty):
    drills = grid("break_even_volume", difficulty)[::10]
    assert len(drills) >= 30
    for d in drills:
        assert d.expected == pytest.approx(brentq_break_even(d), rel=1e-7), d


def test_break_even_retrains_fall_strictly_before_the_horizon():
    assert retrain_months(6, 12) == [6]
    assert retrain_months(4, 12) == [4, 8]
    assert retrain_months(4, 18) == [4, 8, 12, 16]
    assert retrain_months(6, 6) == []
    hard = grid("break_even_volume", 3)
    for d in hard:
        p = d.params
        assert p["retrains"] == sum(1 for m in range(1, p["months"]) if m % p["retrain_every"] == 0)
        assert p["retrains"] >= 1  # else the retrain slip would equal the answer


def test_the_canary_duration_agrees_with_statsmodels_and_is_longer_than_a_50_50_test():
    canaries = grid("sample_size_duration", 3)
    assert len(canaries) >= 300
    for d in canaries:
        answer, fifty_fifty = solve_sample_size(d)
        assert d.expected == answer
        assert d.expected > fifty_fifty


# --- 2. fresh numbers from every seed, the same drill from the same arguments -------------------


@pytest.mark.parametrize("kind", KINDS)
def test_different_seeds_give_different_numbers(kind):
    drills = default_drills(kind)
    assert len({d.prompt for d in drills}) >= 400
    assert len({round(d.expected, 9) for d in drills}) >= (20 if kind in WHOLE_KINDS else 100)


def fields(d):
    return tuple((f.name, getattr(d, f.name)) for f in dataclasses.fields(d))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("scenario", ["default", "legal_review"])
def test_the_same_arguments_give_the_identical_drill(kind, scenario, scenarios_read_once):
    for seed in (0, 1, 2, 41, 999, 12_345_678_901):
        for difficulty in (None, 1, 2, 3):
            a = dr.make_drill(kind, seed, difficulty, scenario)
            b = dr.make_drill(kind, seed=seed, difficulty=difficulty, scenario=scenario)
            assert fields(a) == fields(b)
    assert fields(dr.make_drill(kind, 5)) == fields(dr.make_drill(kind, np.int64(5)))
    assert dr.make_drill(kind, 0).prompt != dr.make_drill(kind, 3).prompt  # same difficulty, new numbers


# --- 3. difficulty and argument errors ----------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_difficulty_none_varies_with_the_seed(kind):
    for d in default_drills(kind):
        assert d.difficulty == 1 + d.seed % 3
        assert d.level == {1: "warm-up", 2: "standard", 3: "stretch"}[d.difficulty]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("difficulty", [1, 2, 3])
def test_an_explicit_difficulty_works_for_every_kind(kind, difficulty):
    for seed in range(0, 60):
        d = dr.make_drill(kind, seed, difficulty)
        assert d.difficulty == difficulty
        assert_sound(d)
    # the explicit level is the same drill as the one None picks for a matching seed
    seed = difficulty - 1
    assert fields(dr.make_drill(kind, seed, difficulty)) == fields(dr.make_drill(kind, seed))
    assert dr.make_drill(kind, 0, np.int64(difficulty)).difficulty == difficulty


@pytest.mark.parametrize("bad", [0, 4, -1, 2.5, 2.0, True, False, "2", [2]])
def test_a_bad_difficulty_is_rejected(bad):
    with pytest.raises(ValueError, match=r"difficulty must be 1 \(warm-up\), 2 \(standard\) or 3 \(stretch\)"):
        dr.make_drill("blast_radius", 1, bad)
    with pytest.raises(ValueError, match="difficulty"):
        dr.drill_set(1, difficulty=bad)


@pytest.mark.parametrize("bad", ["nope", "Blast_Radius", "", None, 3, ["blast_radius"]])
def test_a_bad_kind_is_rejected_naming_the_kinds(bad):
    with pytest.raises(ValueError) as info:
        dr.make_drill(bad, 1)
    message = str(info.value)
    assert message.startswith("kind must be one of")
    assert all(repr(k) in message for k in KINDS)
    assert repr(bad) in message


@pytest.mark.parametrize("bad", [-1, -100, True, False, 1.0, 2.5, "3", None])
def test_a_bad_seed_is_rejected(bad):
    with pytest.raises(ValueError, match=rf"seed must be a whole number 0 or above, got {re.escape(repr(bad))}"):
        dr.make_drill("budget_bound", bad)
    with pytest.raises(ValueError, match="seed must be a whole number 0 or above"):
        dr.drill_set(bad)


@pytest.mark.parametrize("bad", ["atlantis", "Default", "", None, 3])
def test_an_unknown_scenario_is_rejected_naming_the_scenarios(bad):
    with pytest.raises(ValueError) as info:
        dr.make_drill("cost_per_query", 1, scenario=bad)
    message = str(info.value)
    assert message.startswith("scenario must be one of")
    assert all(repr(name) in message for name in SCENARIOS)
    with pytest.raises(ValueError, match="scenario must be one of"):
        dr.drill_set(1, scenario=bad)


# --- 4. scenarios -----------------------------------------------------------------------------


def test_the_kit_ships_scenarios_besides_the_default():
    assert SCENARIOS[0] == "default"
    assert len(SCENARIOS) >= 3
    assert any(sc.cost >= 5 for sc in scenarios().values())  # a money-heavy one for the scaling tests


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_scenario_gives_sound_drills_of_every_kind(scenario):
    drills = scenario_drills(scenario)
    assert len(drills) == len(SCENARIO_SEEDS) * len(KINDS)
    for d in drills:
        assert_sound(d)
    for kind in KINDS:
        assert len({d.prompt for d in drills if d.kind == kind}) >= 80
    # drill_set gives the same drills as make_drill
    for d in drills[:: len(KINDS) * 25 + 1]:
        assert fields(d) == fields(dr.make_drill(d.kind, d.seed, scenario=scenario))


MONEY_SCENARIOS = [name for name, sc in scenarios().items() if sc.cost != 1]


@pytest.mark.parametrize("scenario", MONEY_SCENARIOS)
def test_a_scenario_scales_the_money_in_a_threshold_prompt(scenario, scenarios_read_once):
    factor = scenarios()[scenario].cost
    for seed in range(60):
        plain = dr.make_drill("threshold_by_cost", seed, 1)
        scaled = dr.make_drill("threshold_by_cost", seed, 1, scenario)
        before, after = dollars(plain.prompt), dollars(scaled.prompt)
        assert len(before) == len(after) == 2
        assert after == pytest.approx([factor * x for x in before], rel=1e-6)
        # the threshold is a ratio of costs: scaling every cost leaves it where it was
        assert scaled.expected == pytest.approx(plain.expected, rel=1e-9)


# A scenario changes the numbers, so a draw that was usable before may now be rejected (two slips too
# close together, say) and the drill drawn again. The scaling tests compare the seeds whose other
# numbers show that the draw was the same, and require most seeds to be such pairs.


def test_legal_review_puts_ten_times_the_money_into_a_break_even_case(scenarios_read_once):
    assert scenarios()["legal_review"].cost == 10
    pairs = 0
    for seed in range(40):
        plain = dr.make_drill("break_even_volume", seed, 3)
        legal = dr.make_drill("break_even_volume", seed, 3, "legal_review")
        a, b = plain.params, legal.params
        if any(a[key] != b[key] for key in ("months", "rag_per_query", "ft_per_query", "retrain_every", "retrains")):
            continue  # drawn again in one of the two
        pairs += 1
        for key in ("rag_setup", "ft_setup", "rag_monthly", "ft_monthly", "retrain_cost"):
            assert b[key] == pytest.approx(10 * a[key]), key
        assert sorted(x for x in dollars(legal.prompt) if x >= 1) == pytest.approx(sorted(10 * x for x in dollars(plain.prompt) if x >= 1))
        # the prices per query are market prices and stay put: $0.006 a query is $0.006 in any workshop
        assert sorted(x for x in dollars(legal.prompt) if x < 1) == sorted(x for x in dollars(plain.prompt) if x < 1)
        # ten times the fixed costs at the same prices per query: ten times the break-even volume
        assert legal.expected == pytest.approx(10 * plain.expected, rel=1e-9)
    assert pairs >= 30


@pytest.mark.parametrize("scenario", [name for name in SCENARIOS if name != "default"])
def test_a_scenario_scales_base_rates_and_volumes(scenario, scenarios_read_once):
    sc = scenarios()[scenario]
    pairs = 0
    for seed in range(40):
        plain = dr.make_drill("base_rate_precision", seed, 1)
        other = dr.make_drill("base_rate_precision", seed, 1, scenario)
        if (plain.params["tpr"], plain.params["fpr"], plain.prompt[:30]) != (other.params["tpr"], other.params["fpr"], other.prompt[:30]):
            continue  # drawn again in one of the two
        pairs += 1
        assert other.params["prevalence"] == pytest.approx(min(0.3, plain.params["prevalence"] * sc.prevalence))
    assert pairs >= 25
    for seed in range(40):  # any number of users is usable: the same draw every time
        plain = dr.make_drill("blast_radius", seed, 1)
        other = dr.make_drill("blast_radius", seed, 1, scenario)
        assert other.params["daily_users"] == pytest.approx(plain.params["daily_users"] * sc.volume)


# --- 5. the checker never raises --------------------------------------------------------------


class FloatRaises:
    def __float__(self):
        raise RuntimeError("no float for you")

    def __index__(self):
        raise RuntimeError("no index either")

    def __repr__(self):
        raise RuntimeError("and no repr")


class RealFloatRaises(FloatRaises):
    """Claims to be a real number, then fails to become a float."""


numbers.Real.register(RealFloatRaises)


class ShapeRaises:
    @property
    def shape(self):
        raise KeyError("shape")


class ItemRaises:
    shape = (1,)
    size = 1

    def item(self):
        raise ValueError("no item")


class EqRaises:
    __hash__ = None

    def __eq__(self, other):
        raise TypeError("no comparing")

    def __bool__(self):
        raise TypeError("no truth")


@dataclasses.dataclass
class AResult:
    volume: float = 1.0
    per_day: float = 2.0


ODD_VALUES = [
    FloatRaises(), RealFloatRaises(), ShapeRaises(), ItemRaises(), EqRaises(), AResult(), AResult, object(), int, len,
    lambda: 1, np.array([1.0, 2.0]), np.array(0.25), np.array([0.5]), np.float64("nan"), np.int64(7), np.array([None]),
    10**400, -(10**400), 2**1024, {"a": 1}, {1, 2}, (0, 5), b"0.5", bytearray(b"1"), "8.26%", "6,510", "0,5", "'3'",
]

ANSWERS = st.one_of(
    st.none(),
    st.just(...),
    st.text(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(),
    st.integers(min_value=10**300, max_value=10**500),
    st.booleans(),
    st.complex_numbers(),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.fractions(),
    st.lists(st.one_of(st.floats(), st.integers(), st.none()), max_size=4),
    st.tuples(st.integers(), st.integers()),
    st.dictionaries(st.text(max_size=3), st.floats(), max_size=3),
    st.builds(np.array, st.lists(st.floats(allow_nan=True), max_size=3)),
    st.sampled_from(ODD_VALUES),
)


@functools.cache
def one_drill_per_kind_and_level():
    return tuple(dr.make_drill(kind, 11, level) for kind in KINDS for level in (1, 2, 3))


@settings(max_examples=400, deadline=None)
@given(answer=ANSWERS, index=st.integers(0, 3 * len(KINDS) - 1))
def test_the_checker_never_raises(answer, index):
    d = one_drill_per_kind_and_level()[index]
    result = d.check(answer)
    assert isinstance(result, CheckResult)
    assert result.outcome in set(Outcome)
    assert isinstance(result.message, str) and result.message
    assert isinstance(str(result), str) and isinstance(result._repr_html_(), str)
    if answer is None or answer is Ellipsis:
        assert result.outcome is Outcome.NOT_ATTEMPTED
    else:
        assert result.outcome is not Outcome.NOT_ATTEMPTED
    if result.correct:  # only a real number that agrees with the answer at the stated precision is ever right
        value = float(np.asarray(answer).item()) if isinstance(answer, np.ndarray) else float(answer)
        assert not isinstance(answer, bool)
        assert d.precision.agrees(value, d.expected)


@pytest.mark.parametrize("kind", KINDS)
def test_a_blank_answer_is_not_attempted(kind):
    d = dr.make_drill(kind, 4)
    for blank in (None, ...):
        result = d.check(blank)
        assert result.outcome is Outcome.NOT_ATTEMPTED and not result.correct
        assert result.outcome.value == "not attempted"
        assert "Not attempted" in str(result)
    assert d.check().outcome is Outcome.NOT_ATTEMPTED


def test_the_checker_survives_an_exception_that_cannot_be_printed():
    class Unprintable(Exception):
        def __str__(self):
            raise RuntimeError("cannot print")

    class Weird:
        @property
        def shape(self):
            raise Unprintable()

    result = dr.make_drill("blast_radius", 1).check(Weird())
    assert result.outcome is Outcome.INCORRECT




# --- 6. the answer policy, for every kind, level, seed 0-499 and scenario ------------------------


def unit(p, value):
    """The size of one step in the last place the precision keeps."""
    if p.kind == "whole":
        return 1.0
    return 10.0 ** (math.floor(math.log10(abs(value))) - p.digits + 1)


def policy_problems(d):
    """What breaks the answer policy in one drill: an empty list when it follows it."""
    p, spec = d.precision, d.question.spec
    judge = spec.judge
    problems = []
    if p != PRECISION[d.kind] or spec.precision != p:
        problems.append(f"precision {p} for a {d.kind}")
    if p.phrase not in d.prompt or p.phrase not in d.question.prompt:
        problems.append("the prompt does not state the precision")
    rounded = p.round(d.expected)
    for label, value in {("rounded answer", rounded), ("worked answer", stated_answer(d)[0])}:
        ok, message = judge(value)
        if not ok:
            problems.append(f"the {label} {value!r} is rejected: {message}")
    for beyond in (rounded + 2 * unit(p, rounded), rounded - 2 * unit(p, rounded)) if p.kind != "whole" else (rounded + 1, rounded - 1):
        if judge(beyond)[0]:
            problems.append(f"{beyond!r}, beyond the precision, is accepted")
    if len(d.slips) < dr.MIN_SLIPS or len({s.name for s in d.slips}) != len(d.slips):
        problems.append(f"slips {[s.name for s in d.slips]}")
    if d.slips[0].name != MAIN_SLIP[d.kind][d.difficulty]:
        problems.append(f"the main slip is {d.slips[0].name}")
    if len(spec.mistakes) != len(d.slips):
        problems.append("the checker dropped or merged a slip the drill names")
    for slip in d.slips:  # the slip as a learner writes it at the precision (unrounded, it is the same slip: see _usable)
        ok, message = judge(p.round(slip.value))
        if ok or slip.feedback not in message:
            problems.append(f"slip {slip.name} = {p.round(slip.value)!r}: {'accepted' if ok else message}")
    ok, message = judge(p.round(10 * d.expected))
    if ok or "10 times too big" not in message:
        problems.append(f"ten times the answer: {message}")
    if d.fraction:
        ok, message = judge(p.round(100 * d.expected))
        if ok or "percentage" not in message or "between 0 and 1" not in message:
            problems.append(f"the answer as a percentage: {message}")
    return problems


def unique_drills(kind):
    """Every level, seed 0-499 and scenario; a drill a scenario leaves unchanged (the same prompt and
    answer as in another scenario) is checked once."""
    seen = set()
    for scenario in SCENARIOS:
        for level in LEVELS:
            for d in grid(kind, level, scenario):
                key = (d.difficulty, d.seed, d.prompt, d.expected)
                if key not in seen:
                    seen.add(key)
                    yield d


@pytest.mark.parametrize("kind", KINDS)
def test_every_drill_follows_the_answer_policy(kind):
    """The prompt states the precision; the answer, rounded to it, and the worked answer pass; two steps
    beyond it fail; each of at least three named slips gets its own feedback and is never right; ten
    times the answer gets an order-of-magnitude message, and a share given as a percentage the
    percentage message."""
    failures, checked = [], 0
    for d in unique_drills(kind):
        checked += 1
        failures += [(d.difficulty, d.seed, d.question.parameters, problem) for problem in policy_problems(d)]
    assert failures == [], failures[:5]
    assert checked >= len(SEEDS) * len(LEVELS)


def test_a_scenario_changes_the_drills_it_scales():
    # the error-rate bound has no volume, money or base rate in it: every scenario gives the same drill
    assert [d.prompt for d in grid("budget_bound", 2, "legal_review")] == [d.prompt for d in grid("budget_bound", 2)]
    # the money, volumes and base rates move with legal_review (money × 10, volumes × 0.1, base rates × 3)
    for kind in ("threshold_by_cost", "reviewer_headcount", "cost_per_query", "break_even_volume", "blast_radius", "base_rate_precision"):
        moved = sum(a.prompt != b.prompt for a, b in zip(grid(kind, 2), grid(kind, 2, "legal_review")))
        assert moved >= 0.9 * len(SEEDS), kind


def test_a_slip_equal_to_the_answer_at_the_precision_is_dropped_and_close_slips_draw_again():
    precision = significant(3)
    slip = dr.Slip
    fields = dict(expected=0.2004, precision=precision, slips=[
        slip("main", 0.5, "main"), slip("other", 0.9, "other"), slip("third", 0.05, "third"), slip("same_as_answer", 0.2, "same")])
    kept = dr._usable(fields)
    assert [s.name for s in kept] == ["main", "other", "third"]  # 0.2 is 0.2004 at three significant figures
    assert dr._usable({**fields, "slips": fields["slips"][:2] + fields["slips"][3:]}) is None  # fewer than three left
    assert dr._usable({**fields, "slips": [slip("main", 0.2001, "m")] + fields["slips"][1:]}) is None  # the main slip is the answer
    assert dr._usable({**fields, "slips": fields["slips"] + [slip("twin", 0.9004, "twin")]}) is None  # two slips alike: draw again
    assert dr._usable({**fields, "slips": fields["slips"] + [slip("apart", 0.904, "apart")]}) is not None  # 0.904 and 0.900 differ
    assert dr._usable({**fields, "expected": math.nan}) is None


def test_a_slip_that_is_also_a_rounding_or_a_factor_of_ten_says_so():
    count = whole("up")
    fields = dict(expected=3, precision=count, slips=[dr.Slip("one_arm", 2, "One arm."), dr.Slip("x10", 30, "Ten."), dr.Slip("far", 200, "Far.")])
    one_arm, x10, far = dr._usable(fields)
    assert one_arm.feedback.startswith("One arm.") and "rounded down" in one_arm.feedback
    assert x10.feedback.startswith("Ten.") and "10 times too big" in x10.feedback
    assert far.feedback == "Far."
    share = dict(expected=0.005, precision=significant(3), fraction=True,
                 slips=[dr.Slip("half", 0.5, "Half."), dr.Slip("b", 0.9, "B."), dr.Slip("c", 0.02, "C.")])
    assert "looks like a percentage" in dr._usable(share)[0].feedback


@pytest.mark.parametrize("kind", sorted(SHARE_KINDS))
def test_a_percentage_typed_with_its_sign_is_explained(kind):
    for d in default_drills(kind)[:50]:
        assert "% sign" in d.check(f"{d.expected * 100:.2f}%").message


def test_a_percentage_example():
    d = next(d for d in default_drills("base_rate_precision") if 0.05 < d.expected < 0.15)
    assert "percentage" in d.check(round(d.expected * 100, 2)).message


def test_an_unrounded_headcount_gets_told_to_round_up():
    fractional = 0
    for d in default_drills("reviewer_headcount"):
        cases, share, minutes, hours, shrinkage = headcount_inputs(d)
        desk = cases * share * minutes / (60 * hours)
        raw = float(desk if shrinkage is None else to_employ(desk, shrinkage))
        if raw == d.expected:
            continue  # the work fills a whole number of reviewers exactly
        fractional += 1
        assert raw < d.expected
        result = d.check(raw)
        assert not result.correct
        assert "round up" in result.message, (d, raw, result.message)
        assert not d.check(math.floor(raw)).correct  # rounded down: too few people
        assert "round up" in d.check(math.floor(raw)).message
        assert not d.check(d.expected + 1).correct
    assert fractional >= 450


@pytest.mark.parametrize("kind", sorted(WHOLE_KINDS))
def test_a_whole_number_answer_must_be_the_whole_number_rounded_up(kind):
    for d in default_drills(kind)[:300]:
        assert d.check(int(d.expected)).correct
        assert d.check(float(d.expected)).correct
        assert d.check(np.int64(d.expected)).correct
        assert not d.check(d.expected + 1).correct
        assert not d.check(d.expected - 1).correct  # a canary's quick estimate a day short is named, not accepted
        quoted = d.check(str(int(d.expected)))
        assert not quoted.correct and "quotes" in quoted.message


@pytest.mark.parametrize("kind", sorted(set(KINDS) - WHOLE_KINDS))
def test_an_answer_at_three_significant_figures_passes_whatever_its_rounding(kind):
    for d in default_drills(kind)[:300]:
        rounded = float(f"{d.expected:.3g}")
        assert d.check(rounded).correct, d
        assert d.check(float(f"{d.expected:.5g}")).correct, d
        assert d.check(np.float64(d.expected)).correct


def test_a_canary_quick_estimate_a_day_off_is_named():
    named = 0
    for d in grid("sample_size_duration", 3):
        slip = next((s for s in d.slips if s.name == "quick_estimate"), None)
        if slip is None:
            continue  # the estimate gave the exact answer: nothing to name
        named += 1
        assert 1 <= abs(slip.value - d.expected) <= 0.05 * d.expected + 1
        assert "quick 1/(4f(1 − f)) estimate" in d.check(slip.value).message
    assert named >= 10
# --- 7. drill sets ----------------------------------------------------------------------------


def test_a_drill_set_has_one_drill_of_each_kind_in_an_order_set_by_the_seed():
    orders = set()
    for seed in range(30):
        drills = dr.drill_set(seed)
        kinds = tuple(d.kind for d in drills)
        assert sorted(kinds) == sorted(ALL_KINDS)
        assert all(d.seed == seed and d.difficulty == 1 + seed % 3 for d in drills)
        assert kinds == tuple(d.kind for d in dr.drill_set(seed))  # same seed, same order
        orders.add(kinds)
    assert len(orders) >= 25


def test_a_drill_set_holds_the_same_drills_as_make_drill():
    for seed in (0, 7, 8):
        for d in dr.drill_set(seed, kinds=KINDS, difficulty=2):
            assert d.difficulty == 2
            assert fields(d) == fields(dr.make_drill(d.kind, seed, 2))


def test_a_drill_set_of_some_kinds():
    chosen = ["blast_radius", "budget_bound", "cost_per_query"]
    orders = set()
    for seed in range(20):
        drills = dr.drill_set(seed, kinds=chosen)
        assert sorted(d.kind for d in drills) == sorted(chosen)
        orders.add(tuple(d.kind for d in drills))
    assert len(orders) >= 3
    assert [d.kind for d in dr.drill_set(3, kinds=("reviewer_headcount",))] == ["reviewer_headcount"]


@pytest.mark.parametrize("bad", [[], (), "blast_radius", ["blast_radius", "nope"], ["nope"], [None], 5, {"blast_radius": 1}])
def test_a_drill_set_rejects_bad_kinds(bad):
    with pytest.raises(ValueError, match="kind"):
        dr.drill_set(1, kinds=bad)


# --- 8. timed practice ------------------------------------------------------------------------


class FakeClock:
    def __init__(self, start=1_000.0):
        self.now = start

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds


def wrong_answer(d):
    return d.expected * 3 + 7  # far from the answer and from every slip


def test_a_practice_session_times_and_scores_each_drill():
    drills = dr.drill_set(5, kinds=KINDS)
    clock = FakeClock()
    session = dr.PracticeSession(drills, clock=clock)
    assert session.current is drills[0] and session.position == 0 and not session.finished
    assert session.elapsed() == 0.0  # not started
    assert session.start() is drills[0]

    clock.advance(30)
    assert session.elapsed() == 30
    first = session.answer(drills[0].expected)  # right, in time
    assert first.correct and session.current is drills[1]

    clock.advance(400)
    second = session.answer(wrong_answer(drills[1]))  # wrong, slow
    assert second.outcome is Outcome.INCORRECT and session.current is drills[2]

    clock.advance(10)
    blank = session.answer(None)  # a blank is not taken: the drill stays and its clock runs on
    assert blank.outcome is Outcome.NOT_ATTEMPTED and session.current is drills[2] and session.position == 2
    clock.advance(5)
    assert session.skip() is None  # gives up after 15 s in all
    assert session.current is drills[3]

    late = drills[3].seconds + 1
    clock.advance(late)
    assert session.answer(drills[3].expected).correct  # right, but over the suggested time

    score = session.score()
    assert score.correct == 2 and score.correct_in_time == 1 and score.answered == 3
    assert score.total == len(drills) == len(KINDS) == 10
    assert score.seconds == pytest.approx(30 + 400 + 15 + late)
    assert score.target_seconds == sum(d.seconds for d in drills)
    assert f"2 of {len(KINDS)} right (1 within the suggested time), 3 answered" in str(score)

    misses = session.misses()
    assert [m.drill for m in misses] == [drills[1], drills[2]] + list(drills[4:])
    assert misses[0].result is second and misses[0].seconds == 400 and misses[0].answer == wrong_answer(drills[1])
    assert misses[1].result is None and misses[1].seconds == 15  # skipped
    assert all(m.seconds is None and m.result is None for m in misses[2:])  # not reached

    review = session.review()
    assert isinstance(review, RichText)
    text = str(review)
    assert str(score) in text
    for m in misses:
        assert m.drill.working in text
    assert drills[0].working not in text and drills[3].working not in text
    assert second.message in text
    assert text.count("not reached") == len(drills) - 4
    assert "skipped" in text


def test_a_practice_session_ends_and_then_takes_no_answers():
    drills = dr.drill_set(2, kinds=["blast_radius", "budget_bound", "reviewer_headcount"])
    clock = FakeClock()
    session = dr.PracticeSession.new(2, kinds=["blast_radius", "budget_bound", "reviewer_headcount"], clock=clock)
    assert [i.drill.prompt for i in session.items] == [d.prompt for d in drills]
    session.start()
    for item in list(session.items):
        clock.advance(20)
        assert session.answer(item.drill.expected).correct
    assert session.finished and session.current is None and session.start() is None
    assert session.answer(1.0) is None
    assert session.skip() is None
    score = session.score()
    assert (score.correct, score.correct_in_time, score.answered, score.total) == (3, 3, 3, 3)
    assert score.seconds == pytest.approx(60)
    assert session.misses() == []
    assert all(d.working not in str(session.review()) for d in drills)


def test_the_first_answer_is_the_one_scored():
    drills = dr.drill_set(9, kinds=["cost_per_query", "blast_radius"])
    session = dr.PracticeSession(drills, clock=FakeClock())
    session.start()
    session.answer(wrong_answer(drills[0]))
    assert session.current is drills[1]  # no second try at the first drill
    session.answer(drills[1].expected)
    assert [i.correct for i in session.items] == [False, True]


@pytest.mark.parametrize("bad", [[], (), None, ["not a drill"], [object()], "drills"])
def test_a_practice_session_needs_drills(bad):
    with pytest.raises(ValueError, match="drills must be a non-empty list of Drill objects"):
        dr.PracticeSession(bad)
    if isinstance(bad, list) and bad:
        with pytest.raises(ValueError, match="non-empty list of Drill objects"):
            dr.PracticeSession([dr.make_drill("blast_radius", 1), *bad])


def test_a_practice_session_from_a_generator_holds_its_drills_or_is_rejected():
    drills = dr.drill_set(1)
    try:
        session = dr.PracticeSession(d for d in drills)
    except ValueError:
        return
    assert len(session.items) == len(drills)



# --- 9. worked solutions, hints and code --------------------------------------------------------


BOLD = re.compile(r"\*\*\$?" + NUMBER)


def stated_answer(d):
    """The number the worked solution gives in bold, and how many decimals it shows."""
    found = BOLD.search(d.working)
    assert found, d.working
    text = found.group(1)
    return num(text), len(text.split(".")[1]) if "." in text else 0


@pytest.mark.parametrize("kind", KINDS)
def test_the_worked_solution_states_the_answer_at_the_stated_precision(kind):
    for d in default_drills(kind):
        value, _ = stated_answer(d)
        assert value == pytest.approx(d.precision.round(d.expected), rel=1e-12), (d, d.working)
        assert f"**{'$' if (kind, d.difficulty) in MONEY_ANSWERS else ''}{d.precision.format(d.expected)}" in d.working
        if d.fraction and kind != "threshold_by_cost":
            assert f"({d.precision.format(d.expected, percent=True)})" in d.working  # and as a percentage
@pytest.mark.parametrize("kind", KINDS)
def test_hints_and_the_solution_are_text(kind):
    for d in default_drills(kind)[:30]:
        one, two = d.hint(1), d.hint(2)
        assert isinstance(one, RichText) and isinstance(two, RichText)
        assert d.hints[0] in one.body and d.hints[1] in two.body and one.body != two.body
        for n in (0, 3, 99, -1, "2", None, 1.5):
            assert isinstance(d.hint(n), RichText)
        solution = d.solution()
        assert solution.body == d.working and solution.code == d.code
        assert d.title in str(d) and d.prompt in str(d)
        assert f"<Drill {kind} seed={d.seed} difficulty={d.difficulty}>" == repr(d)
        assert isinstance(d._repr_html_(), str)
        assert d.seconds in (90, 120, 150, 180)


@pytest.mark.parametrize("kind", KINDS)
def test_the_solution_code_runs_and_gives_the_answer(kind):
    from aipm_course.costs import break_even_volume, cost_per_query
    from aipm_course.evals import chain_success, corrected_pass_rate, cost_per_finished_task, pass_hat_k
    from aipm_course.rollout import blast_radius, days_to_detect, distinct_users_exposed, sample_size_per_arm
    from aipm_course.thresholds import bayes_threshold, precision_at_prevalence
    from aipm_course.uncertainty import reviewer_fte, reviewer_headcount, upper_bound

    namespace = dict(
        math=math, break_even_volume=break_even_volume, cost_per_query=cost_per_query, blast_radius=blast_radius,
        distinct_users_exposed=distinct_users_exposed, reviewer_fte=reviewer_fte,
        days_to_detect=days_to_detect, sample_size_per_arm=sample_size_per_arm, bayes_threshold=bayes_threshold,
        precision_at_prevalence=precision_at_prevalence, reviewer_headcount=reviewer_headcount, upper_bound=upper_bound,
        chain_success=chain_success, corrected_pass_rate=corrected_pass_rate, cost_per_finished_task=cost_per_finished_task,
        pass_hat_k=pass_hat_k,
    )
    for d in default_drills(kind)[::10]:
        assert eval(d.code, dict(namespace)) == pytest.approx(d.expected, rel=1e-9), d.code  # noqa: S307


# The worked solution's bold answer is what a learner copies: it should pass the drill's own checker.

FIXED_WORKED_ANSWER_BUGS = {  # fixed: kept as a record of what the tests below guard against
    "cost_per_query": "a one-query cost under about $0.005 is printed with 4 decimals ($0.0016 for 0.00156), "
    "more than the 1% tolerance off, so the worked answer is marked 'close, but not close enough'",
    "break_even_volume": "a small break-even (e.g. 24.7 queries a day) is printed as a whole number (25), "
    "more than 1% off, so the worked answer is marked wrong",
    "blast_radius": "with small traffic (e.g. 1% of 3,300 users for 4 hours = 5.5 users) the answer is printed as a whole "
    "number of users (6), more than 1% off, so the worked answer, and any whole count of users, is marked wrong",
}


def worked_answer_failures(drills):
    return [(d.seed, d.difficulty, d.expected, stated_answer(d)[0]) for d in drills if not d.check(stated_answer(d)[0]).correct]


@pytest.mark.parametrize(
    "kind",
    KINDS,
)
def test_the_worked_answer_as_printed_passes_the_checker(kind):
    assert worked_answer_failures(default_drills(kind)) == []


def _scenario_param(scenario, kind):
    return pytest.param(scenario, kind)


@pytest.mark.parametrize("scenario, kind", [_scenario_param(s, k) for s in SCENARIOS if s != "default" for k in KINDS])
def test_the_worked_answer_as_printed_passes_the_checker_in_every_scenario(scenario, kind):
    assert worked_answer_failures([d for d in scenario_drills(scenario) if d.kind == kind]) == []


def test_a_whole_number_of_users_passes_a_small_blast_radius(scenarios_read_once):
    failures = []
    for seed in range(300):
        d = dr.make_drill("blast_radius", seed, 1, "legal_review")
        # the question asks how many users: the worked answer, a whole number of users, should be right
        failures += worked_answer_failures([d])
    assert failures == []


def test_a_practice_session_reads_typed_answers_and_ignores_typos():
    session = dr.PracticeSession(dr.drill_set(4, kinds=KINDS), clock=lambda: 0.0)
    first = session.start()
    typo = session.answer("abc")
    assert typo.outcome is Outcome.NOT_ATTEMPTED and session.position == 0  # a typo keeps the drill
    assert session.answer("8,3").outcome is Outcome.NOT_ATTEMPTED and session.position == 0  # a decimal comma: asked again
    typed = f"{first.expected * 100:.6f}%" if first.fraction else f"{first.expected:,.6f}"
    assert session.answer(typed).correct  # "8.3%" and "14,751" are read as numbers
    assert session.position == 1

@pytest.mark.parametrize("text, number", [("8.3%", 0.083), ("14,751", 14751.0), ("$2,220", 2220.0), ("$2,220.50", 2220.5), (" 0.25 ", 0.25), (7, 7)])
def test_parse_answer_reads_what_people_type(text, number):
    assert dr.parse_answer(text) == pytest.approx(number)


@pytest.mark.parametrize("text", ["", "abc", "nan", "inf", "8,3", "1..2"])
def test_parse_answer_refuses_what_is_not_a_number(text):
    assert dr.parse_answer(text) is None


def test_typed_answers_at_the_stated_precision_pass():
    # what a learner types into the practice widget: a share as a percentage, a count with commas, dollars
    share = next(d for d in default_drills("base_rate_precision") if 0.05 < d.expected < 0.2)
    assert share.check(dr.parse_answer(share.precision.format(share.expected, percent=True))).correct
    count = next(d for d in default_drills("blast_radius") if d.expected >= 10_000)
    assert count.check(dr.parse_answer(f"{int(count.expected):,}")).correct
    bill = next(d for d in default_drills("cost_per_query") if d.expected >= 1_000)
    assert bill.check(dr.parse_answer("$" + bill.precision.format(bill.expected))).correct


# --- 10. module 08: a judge's corrected pass rate, and whether an agent finishes ----------------

M08_KINDS = ("judge_correction", "agent_reliability")


def m08_drills():
    """Every level, seed 0-499 and scenario of the two module 08 kinds."""
    for kind in M08_KINDS:
        yield from unique_drills(kind)


def judge_slip_values(d):
    """The named slips of a judge drill, each worked out here from the prompt's numbers."""
    p, tpr, tnr = (float(x) for x in judge_inputs(d))
    values = {
        "raw_pass_rate": p,
        "swapped_rates": (p + tpr - 1) / (tpr + tnr - 1),
        "divided_by_tpr": p / tpr,
        "false_passes_left_out_below": (p + tnr - 1) / tpr,
    }
    if d.difficulty == 2:
        false_pass = 1 - tnr
        values["false_pass_rate_as_tnr"] = (p + false_pass - 1) / (tpr + false_pass - 1) if tpr + false_pass != 1 else math.nan
    if d.difficulty == 3:
        c = d.params
        values["forgot_clip"] = (p + tnr - 1) / (tpr + tnr - 1)
        by_verdict_tpr = c["true_pass"] / (c["true_pass"] + c["false_pass"])
        by_verdict_tnr = c["true_fail"] / (c["true_fail"] + c["false_fail"])
        values["rates_over_judge_verdicts"] = (p + by_verdict_tnr - 1) / (by_verdict_tpr + by_verdict_tnr - 1)
    return values


def agent_slip_values(d):
    if d.difficulty == 1:
        steps, rate = (float(x) for x in agent_inputs(d))
        steps = int(steps)
        return {"step_rate_as_task_rate": rate, "one_step_short": rate ** (steps - 1),
                "added_failures": 1 - steps * (1 - rate), "at_least_one_step": 1 - (1 - rate) ** steps}
    if d.difficulty == 2:
        n, c, k = agent_inputs(d)
        all_k = math.comb(c, k) / math.comb(n, k)
        return {"pass_at_k": 1 - math.comb(n - c, k) / math.comb(n, k), "plug_in": (c / n) ** k,
                "one_run_rate": c / n, "some_run_fails": 1 - all_k}
    steps, rate, cost, attempts = agent_inputs(d)
    p = float(rate) ** steps
    finished = 1 - (1 - p) ** attempts
    per_task = float(cost) * finished / p
    return {"cost_per_attempt": float(cost), "spread_over_all_tasks": per_task, "retries_left_out": float(cost) / finished,
            "step_rate_as_attempt_rate": float(cost) / float(rate), "every_attempt_used": float(cost) * attempts / finished}


SLIP_VALUES = {"judge_correction": judge_slip_values, "agent_reliability": agent_slip_values}


@pytest.mark.parametrize("kind", [*M08_KINDS, "reviewer_headcount", "blast_radius"])
def test_each_named_slip_is_the_error_it_names_and_gets_its_feedback(kind):
    """Every slip a module 08, headcount or blast-radius drill keeps is the number worked out here for that error, and a learner who
    gives it (as computed, or rounded as the prompt asks) is told that error; all differ from the answer."""
    kept = {}
    # the module 08 kinds in every scenario; headcount and blast radius in the default and the smallest one
    # (legal_review: a desk of a few people, a small user base), where twin slips are most common
    drills = unique_drills(kind) if kind in M08_KINDS else (d for sc in ("default", "legal_review") for level in LEVELS for d in grid(kind, level, sc))
    for d in drills:
        values = SLIP_VALUES[kind](d)
        assert [s.name for s in d.slips][0] == MAIN_SLIP[kind][d.difficulty]
        for slip in d.slips:
            assert slip.value == pytest.approx(values[slip.name], rel=1e-9), (d, slip.name)
            assert not d.precision.indistinct(slip.value, d.expected), (d, slip.name)
            for given_answer in (slip.value, d.precision.round(slip.value)):
                result = d.check(given_answer)
                assert result.outcome is Outcome.INCORRECT and slip.feedback in result.message, (d, slip.name, result.message)
            kept[(d.difficulty, slip.name)] = kept.get((d.difficulty, slip.name), 0) + 1
        # a slip left out is one the precision cannot tell from the answer (or from a slip named before it)
        for name, value in values.items():
            if name not in {s.name for s in d.slips} and math.isfinite(value):
                assert d.precision.indistinct(value, d.expected) or any(d.precision.indistinct(value, s.value) for s in d.slips), (d, name)
    # every slip the brief names is met, most of them in nearly every drill
    expected_names = {(level, name) for level in LEVELS for name in SLIP_VALUES[kind](grid(kind, level)[0])}
    assert set(kept) == expected_names
    assert kept.get((3, "forgot_clip"), 1) >= 100 if kind == "judge_correction" else True


def test_a_judge_at_warm_up_and_standard_is_never_clipped_and_always_better_than_chance():
    for d in m08_drills():
        if d.kind != "judge_correction":
            continue
        p, tpr, tnr = judge_inputs(d)
        assert tpr + tnr > Fraction(115, 100)
        unclipped = (p + tnr - 1) / (tpr + tnr - 1)
        if d.difficulty < 3:
            assert 0 < unclipped < 1, d
        else:
            assert unclipped > 0, d  # never clipped to 0: the answer is a share above 0
        if unclipped > 1:
            assert d.expected == 1 and "clip" in d.working and "above 1" in d.working


def test_a_stretch_judge_is_sometimes_clipped_to_one():
    clipped = [d for d in grid("judge_correction", 3) if d.expected == 1]
    assert 30 <= len(clipped) <= 200
    for d in clipped:
        slip = next(s for s in d.slips if s.name == "forgot_clip")
        assert slip.value >= 1.01  # at three significant figures, clearly above 1
        assert "clip it to [0, 1]" in d.check(d.precision.round(slip.value)).message
        assert d.check(1).correct and d.check("100%").outcome is Outcome.INCORRECT


@pytest.mark.parametrize("level", [1, 2, 3])
def test_judge_numbers_are_plausible(level):
    for d in grid("judge_correction", level):
        assert d.params["judged"] % 100 == 0 and d.params["judged"] >= 200
        assert round(d.params["observed"] * d.params["judged"]) == pytest.approx(d.params["observed"] * d.params["judged"])
        if level == 3:
            c = d.params
            assert min(c["true_pass"], c["false_fail"], c["false_pass"], c["true_fail"]) >= 1
            assert sum(c[k] for k in ("true_pass", "false_fail", "false_pass", "true_fail")) in (120, 150, 200, 240, 300)


def test_pass_hat_k_and_pass_at_k_agree_with_enumerating_the_runs():
    """pass^k and pass@k, counted by listing every set of k of the n tries."""
    triples = {(d.params["tries"], d.params["successes"], d.params["k"]) for d in grid("agent_reliability", 2)}
    assert len(triples) >= 60
    for n, c, k in sorted(triples):
        tries = [True] * c + [False] * (n - c)
        subsets = list(itertools.combinations(range(n), k))
        every = Fraction(sum(all(tries[i] for i in s) for s in subsets), len(subsets))
        any_one = Fraction(sum(any(tries[i] for i in s) for s in subsets), len(subsets))
        d = next(d for d in grid("agent_reliability", 2) if (d.params["tries"], d.params["successes"], d.params["k"]) == (n, c, k))
        assert d.expected == pytest.approx(float(every), rel=1e-12)
        assert d.slips[0].value == pytest.approx(float(any_one), rel=1e-12)  # pass@k, the main slip
        assert every <= Fraction(c, n) ** k  # the plug-in (c/n)^k never understates


def test_cost_per_finished_task_agrees_with_a_simulation():
    """The expected spend per finished task, against 200,000 simulated tasks (about 1% off at most)."""
    rng = np.random.default_rng(8)
    for d in grid("agent_reliability", 3)[:12]:
        q, steps, cost, m = d.params["step_rate"], d.params["steps"], d.params["cost_per_attempt"], d.params["max_attempts"]
        ok = (rng.random((200_000, m, steps)) < q).all(axis=2)  # an attempt succeeds when every step does
        first = np.where(ok.any(axis=1), ok.argmax(axis=1) + 1, m)  # attempts used: up to the first success
        spent = cost * first.sum()
        assert spent / ok.any(axis=1).sum() == pytest.approx(d.expected, rel=0.015), d


def test_hand_worked_module_08_drills():
    # FACTS: p 72%, TPR 0.95, TNR 0.80 → (0.72 + 0.80 − 1) / (0.95 + 0.80 − 1) = 0.52 / 0.75 = 0.6933
    judge = dr.make_drill("judge_correction", 0, 1)
    assert "It passed 80% of 3,000 answers" in judge.prompt
    assert "passes 97% of the answers people pass and fails 85% of the answers people fail" in judge.prompt
    assert judge.expected == pytest.approx(0.65 / 0.82)  # (0.80 + 0.85 − 1) / (0.97 + 0.85 − 1) = 0.79268
    assert judge.check(0.793).correct and not judge.check(0.80).correct
    assert "raw pass rate" in judge.check(0.8).message
    assert "swapped" in judge.check(0.939).message  # (0.80 + 0.97 − 1) / 0.82 = 0.93902

    counts = dr.make_drill("judge_correction", 0, 3)
    assert "both passed 60; people passed and the judge failed 12; people failed and the judge passed 14; both failed 34" in counts.prompt
    assert "It passed 70% of" in counts.prompt
    # TPR = 60/72 = 5/6, TNR = 34/48 = 17/24: (0.7 − 7/24) / (13/24) = 9.8 / 13 = 0.753846
    assert counts.expected == pytest.approx(9.8 / 13)
    assert counts.check(0.754).correct

    chain = dr.make_drill("agent_reliability", 0, 1)
    assert "in 10 steps. Each step succeeds 96% of the time" in chain.prompt
    assert chain.expected == pytest.approx(0.6648326359915)  # 0.96^10
    assert chain.check(0.665).correct and "one step's success rate" in chain.check(0.96).message

    every = dr.make_drill("agent_reliability", 0, 2)
    assert "20 times; it finished it 18 times" in every.prompt and "this expense claim 2 times" in every.prompt
    assert every.expected == pytest.approx(153 / 190)  # C(18, 2) / C(20, 2) = 153 / 190 = 0.80526
    assert "pass@2" in every.check(189 / 190).message  # 1 − C(2, 2) / C(20, 2) = 1 − 1/190
    assert "plug-in" in every.check(0.81).message  # (18/20)^2

    cost = dr.make_drill("agent_reliability", 0, 3)
    assert "runs 5 steps, each succeeding 90% of the time" in cost.prompt and "costs $0.05" in cost.prompt and "up to 2 attempts" in cost.prompt
    assert cost.expected == pytest.approx(0.05 / 0.59049)  # $0.05 / 0.9^5 = $0.084675
    assert cost.check(0.0847).correct and not cost.check(0.0848).correct
    assert "cost of one attempt" in cost.check(0.05).message


def test_a_clipped_judge_by_hand():
    d = next(d for d in grid("judge_correction", 3) if d.expected == 1)
    c, p = d.params, d.params["observed"]
    tpr = c["true_pass"] / (c["true_pass"] + c["false_fail"])
    assert p > tpr  # it passed more than it passes of the good answers: only a noisy TPR explains that
    assert d.check(1.0).correct and d.check(0.999).correct and not d.check(0.99).correct


def test_the_practice_session_and_the_catalogue_include_the_module_08_drills():
    assert ALL_KINDS[:10] == KINDS and KINDS[-2:] == list(M08_KINDS)  # newer kinds come after these ten
    table = dr.catalogue()
    assert list(table.index) == ALL_KINDS and len(table) == len(ALL_KINDS) >= 10
    for kind in M08_KINDS:
        assert table.loc[kind, "lesson"] == "08"
        assert table.loc[kind, "time (standard)"] == "2:30"
    session = dr.PracticeSession.new(4, kinds=KINDS)
    assert sorted(i.drill.kind for i in session.items) == sorted(KINDS)
    session.start()
    for item in list(session.items):
        assert session.answer(item.drill.expected).correct
    assert session.score().correct == 10


def test_the_first_eight_kinds_keep_their_numbers():
    # the seed includes the kind's position: the module 08 kinds come last so lesson 06 and exercise 06 keep their numbers
    assert ALL_KINDS[:8] == ["base_rate_precision", "threshold_by_cost", "reviewer_headcount", "budget_bound",
                         "cost_per_query", "break_even_volume", "sample_size_duration", "blast_radius"]
    d = dr.make_drill("base_rate_precision", 3)
    rng = np.random.default_rng([3, 0, d.difficulty])
    assert d.prompt.startswith(dr._PRECISION_STORIES[int(rng.integers(len(dr._PRECISION_STORIES)))][0])


# --- 11. framings an interviewer checks: people to employ, distinct users, the rule of thumb -------


def headcount_slip_values(d):
    """The named slips of a headcount drill, each worked out here in exact arithmetic from the prompt's numbers."""
    cases, share, minutes, hours, shrinkage = headcount_inputs(d)

    def desk(human_share):
        return cases * human_share * minutes / (60 * hours)

    if d.difficulty == 1:
        return {"forgot_human_share": math.ceil(desk(1)), "hours_not_minutes": math.ceil(desk(share) * 60),
                "tickets_per_reviewer": float(hours * 60 / minutes)}
    s = shrinkage
    values = {
        "people_on_the_desk": math.ceil(desk(share)),
        "forgot_shrinkage": math.ceil(desk(share) * Fraction(7, 5)),
        "forgot_seven_day_cover": math.ceil(desk(share) / (1 - s)),
        "shrinkage_multiplied": math.ceil(desk(share) * Fraction(7, 5) * (1 + s)),
        "forgot_human_share": math.ceil(to_employ(desk(1), s)),
        "hours_not_minutes": math.ceil(to_employ(desk(share) * 60, s)),
    }
    if d.difficulty == 3:
        auto, caveat = (exact(x) / 100 for x in read(d.prompt, rf"answers {NUMBER}% of .* automatically, .* answers {NUMBER}% with a caveat"))
        values["used_caveat_share"] = math.ceil(to_employ(desk(caveat), s))
        values["staffed_caveat_zone"] = math.ceil(to_employ(desk(1 - auto), s))
    return values


def blast_slip_values(d):
    """The named slips of a blast-radius drill, each worked out here from the prompt's numbers."""
    if d.difficulty == 1:
        users, share, detect, back = (d.params[k] for k in ("daily_users", "share", "hours_to_detect", "hours_to_rollback"))
        return {"forgot_rollback": users * share * detect / 24, "forgot_share": users * (detect + back) / 24,
                "hours_as_days": users * share * (detect + back), "users_an_hour": users * share / 24}
    base, visit, stage = blast_inputs(d)
    if d.difficulty == 2:
        share, days = stage
        values = {"user_days": base * visit * share * days, "everyone_in_bucket": share * base,
                  "one_day_only": base * visit * share, "forgot_share": base * reached(visit, days)}
    else:
        canary, canary_days, ramp, ramp_days = stage
        both = canary_days + ramp_days
        values = {
            "canary_counted_twice": canary * base * reached(visit, canary_days) + ramp * base * reached(visit, ramp_days),
            "user_days": base * visit * (canary * canary_days + ramp * ramp_days),
            "everyone_in_bucket": ramp * base,
            "one_day_only": base * visit * ramp,
            "forgot_share": base * reached(visit, both),
            "ramp_share_throughout": ramp * base * reached(visit, both),
            "forgot_canary": ramp * base * reached(visit, ramp_days),
        }
    return {name: float(value) for name, value in values.items()}


SLIP_VALUES.update(reviewer_headcount=headcount_slip_values, blast_radius=blast_slip_values)


def test_distinct_users_by_hand_and_its_argument_checks():
    from aipm_course.rollout import distinct_users_exposed
    from aipm_course.validation import AipmError

    # a 2-day 25% ramp, 1,000,000 users, 30% visit a day: 1 − 0.7² = 0.51 of the arm comes at least once
    assert distinct_users_exposed(1_000_000, 0.3, 0.25, 2) == pytest.approx(127_500)
    assert 1_000_000 * 0.3 * 0.25 * 2 == pytest.approx(150_000)  # user-days: returning users counted twice
    assert distinct_users_exposed(1_000_000, 0.3, 0.25, 1) == pytest.approx(75_000)  # one day: the same as daily users × share
    assert distinct_users_exposed(1_000_000, 1.0, 0.25, 5) == pytest.approx(250_000)  # everyone visits: the whole bucket
    assert distinct_users_exposed(1_000_000, 0.0, 0.25, 5) == 0
    assert distinct_users_exposed(1_000_000, 0.3, 0.25, 0) == 0
    assert distinct_users_exposed(1_000_000, 0.3, 0.25, np.int64(2)) == pytest.approx(127_500)
    for name, bad in [("user_base", -1), ("user_base", math.nan), ("daily_visit_share", 1.5), ("daily_visit_share", -0.1),
                      ("traffic_share", 0), ("traffic_share", 1.2), ("days", -1), ("days", 2.5), ("days", True), ("days", "3"), ("days", 10**400)]:
        arguments = {**dict(user_base=1_000, daily_visit_share=0.3, traffic_share=0.25, days=2), name: bad}
        with pytest.raises(AipmError, match=rf"^{name} must be"):
            distinct_users_exposed(**arguments)
    assert "model" in distinct_users_exposed.__doc__ and "independently" in distinct_users_exposed.__doc__


def test_sticky_buckets_agree_with_a_simulation():
    """The stretch blast radius against simulated users: each has a sticky bucket in [0, 1) and visits each day
    with the daily share; a user meets the regression on a day they visit while their bucket is in the arm."""
    rng = np.random.default_rng(19)
    drills = [d for d in grid("blast_radius", 3)[:40] if d.params["canary_days"] + d.params["ramp_days"] <= 10][:6]
    assert len(drills) == 6
    users = 300_000
    for d in drills:
        p = d.params
        bucket = rng.random(users)
        days = p["canary_days"] + p["ramp_days"]
        visits = rng.random((users, days)) < p["daily_visit_share"]
        share_on = np.array([p["canary"]] * p["canary_days"] + [p["ramp"]] * p["ramp_days"])
        met = (visits & (bucket[:, None] < share_on[None, :])).any(axis=1).mean()
        rate = d.expected / p["user_base"]
        assert abs(met - rate) < 4 * math.sqrt(rate * (1 - rate) / users) + 1e-6, (d, met, rate)


def test_user_days_always_overcount_distinct_users():
    for level in (2, 3):
        for d in grid("blast_radius", level):
            slip = next((s for s in d.slips if s.name == "user_days"), None)
            if slip is not None:
                assert slip.value > d.expected
                assert "user-days" in d.check(slip.value).message


def test_hand_worked_headcount_to_employ():
    from aipm_course.uncertainty import reviewer_fte

    # 1,200 tickets to humans × 5 minutes = 100 hours a day; 6.25 productive hours each: 16 on the desk;
    # × 7/5 = 22.4; ÷ (1 − 0.2) = 28 people to employ (exactly)
    staffing = reviewer_fte(1_200, 5, shift_hours=6.25, occupancy=1.0, shrinkage=0.2)
    assert staffing.on_desk == pytest.approx(16) and staffing.fte == pytest.approx(28) and staffing.hire == 28
    d = dr.make_drill("reviewer_headcount", 1, 2)
    assert "How many full-time reviewers must you employ?" in d.prompt and "Shrinkage is 20%" in d.prompt
    assert d.expected == 127  # 11,900 × 25% × 8 / 60 = 396.67 h; / 5.5 = 72.12; × 7/5 = 100.97; / 0.8 = 126.21
    for wrong, words in [(73, "reviewing on a given day"), (101, "left out shrinkage"), (91, "7-day cover"), (122, "(1 + shrinkage)")]:
        assert words in d.check(wrong).message, (wrong, d.check(wrong).message)
    warm_up = dr.make_drill("reviewer_headcount", 1, 1)
    assert "must be reviewing on a given day" in warm_up.prompt and "employ" in warm_up.prompt
    assert warm_up.expected == 20  # 7,500 × 20% × 5 minutes / (60 × 6.5) = 19.23


def rule_of_thumb_days(d):
    """The days the rule of thumb n ≈ 16·p(1 − p)/δ² per arm gives (p the baseline), worked here from the parameters."""
    p = d.params
    per_arm = 16 * p["p_baseline"] * (1 - p["p_baseline"]) / (p["p_treatment"] - p["p_baseline"]) ** 2
    f = p["treatment_share"]
    return math.ceil(2 * per_arm / (4 * f * (1 - f)) / (p["daily_users"] * p["eligible_share"]) - 1e-9)


def test_the_rule_of_thumb_is_accepted_when_it_agrees_and_named_when_it_does_not():
    agreed = named = 0
    for level in LEVELS:
        for d in grid("sample_size_duration", level):
            days = rule_of_thumb_days(d)
            result = d.check(days)
            if days == d.expected:
                agreed += 1
                assert result.correct  # it agrees at the stated precision
            else:
                named += 1
                assert not result.correct and "rule of thumb" in result.message and "first estimate" in result.message, (d, days, result.message)
                assert "exact formula" in result.message
            assert "16·p(1 − p)/δ²" in d.hints[1] and "sample_size_per_arm" in d.hints[1]
    assert agreed >= 500 and named >= 50


def test_the_10_to_11_percent_rule_of_thumb_by_hand():
    # FACTS: 10% → 11% needs 14,751 per arm; the rule of thumb gives 16 × 0.1 × 0.9 / 0.01² = 14,400
    assert 16 * 0.1 * 0.9 / 0.01 ** 2 == pytest.approx(14_400)
    assert per_arm_closed_form(0.10, 0.11) == 14_751


@pytest.mark.parametrize("kind", KINDS)
def test_an_answer_a_quarter_off_is_never_called_a_rounding(kind):
    """1.25 and 0.8 times the answer are neither slips nor roundings: the checker must not say 'close' or 'rounding'
    (unless that number is a named slip, whose own feedback then speaks)."""
    for level in LEVELS:
        for d in grid(kind, level):
            for factor in (1.25, 0.8):
                answer = d.precision.round(d.expected * factor)  # as a learner writes it at the stated precision
                result = d.check(answer)
                if result.correct or any(s.feedback in result.message for s in d.slips):
                    continue
                message = result.message.lower()
                assert "rounding" not in message and "close" not in message, (d, answer, result.message)
    if PRECISION[kind].kind != "whole":  # what the checker says to a real rounding, so the words above can be told apart
        d = next(d for d in grid(kind, 2) if not d.precision.agrees(float(f"{d.expected:.2g}"), d.expected)
                 and not any(d.precision.near(float(f"{d.expected:.2g}"), s.value) for s in d.slips))
        assert "rounding away" in d.check(float(f"{d.expected:.2g}")).message


# --- 12. the "so what" step ---------------------------------------------------------------------


def amount(text):
    """A number as a so-what prompt states it: 1,234 or $0.022 or 47.9% (as a share)."""
    text = text.replace("$", "").replace(",", "")
    return float(text[:-1]) / 100 if text.endswith("%") else float(text)


AMOUNT = r"(\$?[\d,]*\d(?:\.\d+)?%?)"


def input_share(d):
    p = d.params
    inputs = (p["prompt_tokens"] + p["retrieved_tokens"]) * p["price_in"]
    return inputs / (inputs + p["output_tokens"] * p["price_out"])


def read_text(text, pattern):
    found = re.search(pattern, text)
    assert found, (pattern, text)
    return found.group(1)


def stated_in(text, pattern):
    return amount(read_text(text, pattern))


def agrees3(a, b):
    """a and b agree at three significant figures (how the so-what prompts state shares)."""
    return abs(a - b) <= 0.5 * 10 ** (math.floor(math.log10(abs(b))) - 2) + 1e-12


# Each idea a "so what" option can carry, by how its phrasings start. An option whose text starts with none of
# them is a wrong idea of its own (the accuracy trap, peeking, a retrain...).
IDEAS = {
    "base_rate_precision": {"act": ("Block them at once", "Start treatment", "Remove them at once", "Reject them at once"),
                            "check": ("Hold them", "Confirm each one", "Send each one to", "Send them to")},
    "threshold_by_cost": {"raise": ("Raise the line",), "lower": ("Lower the line",), "keep": ("Keep the line",)},
    "reviewer_headcount": {"launch": ("Launch, and watch", "Launch with"), "hire": ("Hire ",)},
    "budget_bound": {"sign": ("Sign ",), "hold": ("Hold off",)},
    "cost_per_query": {"launch": ("Launch it as it is",), "less_input": ("Send less retrieved",), "less_output": ("Cap the",)},
    "break_even_volume": {"rag": ("Stay with RAG",), "fine_tune": ("Fine-tune",)},
    "sample_size_duration": {"run": ("Run it to its planned end", "Run it for its whole weeks"),
                             "move": ("Move the review", "Tell them it will not be ready")},
    "blast_radius": {"keep": ("Keep the plan",), "cut": ("Cut the exposure",)},
    "judge_correction": {"ship": ("Ship it",), "hold": ("Hold the launch",)},
    "agent_reliability": {"alone": ("Launch it as it is",), "retry": ("Retry failed read-only", "Retry each failed read-only"),
                          "approve": ("Launch with a person",), "switch": ("Switch",), "more": ("Run more tries",),
                          "keep_old": ("Keep the version",), "agent": ("Keep this agent",), "smaller": ("Move these tasks",)},
}


def idea_of(kind, text):
    found = [idea for idea, starts in IDEAS[kind].items() if text.startswith(starts)]
    assert len(found) <= 1, (kind, text)
    return found[0] if found else None


def precision_idea(d, prompt):
    """Act at once when the wrong actions cost less per flag than a check: (1 − precision) × their cost < the check."""
    share = stated_in(prompt, rf"about {AMOUNT} are really")
    assert agrees3(share, d.expected)
    harm, check = stated_in(prompt, rf"costs about {AMOUNT} \("), stated_in(prompt, rf"(?:check|test) costs {AMOUNT} ")
    if "patients" in prompt:
        assert "the test flags" in prompt
    return "act" if (1 - share) * harm < check else "check"


def changed_costs(d, prompt):
    """The costs after the change the prompt announces, from the drill's prompt and the so-what's."""
    fp, fn, tp = (d.params[k] for k in ("cost_fp", "cost_fn", "cost_tp"))
    if d.difficulty == 1:
        if "holding a good payment costs" in prompt:
            return stated_in(prompt, rf"holding a good payment costs {AMOUNT}\."), fn, tp
        return fp, stated_in(prompt, rf"a missed fraud costs {AMOUNT}\."), tp
    if d.difficulty == 2:
        (lost,) = read(d.prompt, rf"A caught fraud still loses {NUMBER}% of it")
        if "a review costs" in prompt:
            review = stated_in(prompt, rf"a review costs {AMOUNT}\.")
            return review, fn, review + lost / 100 * fn
        miss = stated_in(prompt, rf"a missed fraud now loses {AMOUNT},")
        assert f"still loses {lost:g}% of it" in prompt
        return fp, miss, fp + lost / 100 * miss
    minutes, wage = read(d.prompt, rf"spends {NUMBER} minutes on each and costs {MONEY} an hour")
    if "minutes a case" in prompt:
        return stated_in(prompt, rf"time: {AMOUNT} minutes a case") * wage / 60, fn, tp
    if "an hour" in prompt:
        return minutes * stated_in(prompt, rf"now costs {AMOUNT} an hour") / 60, fn, tp
    return fp, stated_in(prompt, rf"churned customer now costs {AMOUNT}\."), tp


def threshold_idea(d, prompt, right_text):
    t = d.expected
    assert agrees3(stated_in(prompt, rf"the line is {AMOUNT}:"), t)
    fp, fn, tp = changed_costs(d, prompt)
    moved = fp / (fp + fn - tp)
    assert 0 < moved < 1 and not agrees3(moved, t)
    if idea_of(d.kind, right_text) in ("raise", "lower"):  # the right option names the new line
        assert agrees3(stated_in(right_text, rf"line to {AMOUNT},"), moved), (right_text, moved)
    return "raise" if moved > t else "lower"


def duration_idea(d, prompt):
    days, review = stated_in(prompt, r"takes (\d+) days? to come in"), stated_in(prompt, r"review is in (\d+) days?\.")
    assert days == d.expected
    weeks = 7 * max(1, math.ceil(days / 7))  # whole weeks, at least one
    assert f"runs {weeks} days" in prompt or (weeks == days and "whole weeks already" in prompt)
    return "run" if weeks <= review else "move"


def chain_idea(d, prompt):
    steps, q = d.params["steps"], d.params["step_rate"]
    first = int(stated_in(prompt, r"Its first (\d+) steps"))
    last = steps - first
    assert (f"its last {last} steps change" if last > 1 else "its last step changes") in prompt
    assert agrees3(stated_in(prompt, rf"retry succeeds {AMOUNT} of"), q)
    bar = stated_in(prompt, rf"only at {AMOUNT} or more")
    retried = (1 - (1 - q) ** 2) ** first * q**last  # a read-only step fails only when both tries fail
    return "alone" if q**steps >= bar else "retry" if retried >= bar else "approve"


def every_time_idea(d, prompt):
    n, c, k = (d.params[key] for key in ("tries", "successes", "k"))
    up, down = math.comb(c + 1, k) / math.comb(n + 1, k), math.comb(c, k) / math.comb(n + 1, k)  # one more try, a success or not
    assert agrees3(stated_in(prompt, rf"make that {AMOUNT} if it succeeded"), up)
    assert agrees3(stated_in(prompt, rf"or {AMOUNT} if it failed"), down)
    old = stated_in(prompt, rf"runs right {AMOUNT} of the time")
    return "switch" if down > old else "keep_old" if up < old else "more"


def right_idea(d):
    """The idea that is right for this drill's number, worked out here from the number and what the so-what
    prompt states (a cost, a budget, a limit, a gate, a rival's rate)."""
    prompt, x = d.so_what.prompt, d.expected
    spec = d.so_what.spec
    if d.kind == "base_rate_precision":
        return precision_idea(d, prompt)
    if d.kind == "threshold_by_cost":
        return threshold_idea(d, prompt, spec.options[spec.correct])
    if d.kind == "reviewer_headcount":
        needed = int(stated_in(prompt, r"needs (\d+) "))
        have = int(stated_in(prompt, r"(?:and|employ) (\d+) (?:reviewers?|full-time)"))
        assert needed == x
        return "launch" if needed <= have else "hire"
    if d.kind == "budget_bound":
        assert agrees3(stated_in(prompt, rf"upper bound is {AMOUNT}\."), x)
        return "sign" if x <= stated_in(prompt, rf"at most {AMOUNT}\.") else "hold"
    if d.kind == "cost_per_query":
        if x <= stated_in(prompt, rf"the budget is {AMOUNT} "):
            return "launch"
        return "less_input" if input_share(d) >= 0.5 else "less_output"
    if d.kind == "break_even_volume":
        return "fine_tune" if stated_in(prompt, rf"You expect about {AMOUNT} a day") > x else "rag"
    if d.kind == "sample_size_duration":
        return duration_idea(d, prompt)
    if d.kind == "blast_radius":
        return "keep" if x <= stated_in(prompt, rf"accepts at most {AMOUNT}\.") else "cut"
    if d.kind == "judge_correction":
        return "ship" if x >= stated_in(prompt, rf"gate is {AMOUNT}\.") else "hold"
    if d.difficulty == 1:
        return chain_idea(d, prompt)
    if d.difficulty == 2:
        return every_time_idea(d, prompt)
    return "agent" if x < stated_in(prompt, rf"smaller model spends {AMOUNT} per") else "smaller"


def so_what_problems(d):
    """What is wrong with one drill's so-what step: an empty list when the right option passes, each wrong one gets
    its own feedback, the options are balanced, the right idea is the one the number calls for, and no wrong option
    carries the right idea in other words (exactly one option is defensible)."""
    problems = []
    spec = d.so_what.spec
    if not isinstance(d.so_what, dr.SoWhat) or not 3 <= len(spec.options) <= 4:
        return [f"so_what {d.so_what!r}"]
    right = d.decide(spec.correct)
    if not right.correct or not right.message.startswith("Right: "):
        problems.append(f"the right option fails: {right.message}")
    messages = {}
    for key in spec.options:
        if key != spec.correct:
            result = d.decide(key)
            if result.correct or result.message != spec.feedback[key]:
                problems.append(f"option {key}: {result.message}")
            messages[key] = result.message
    if len(set(messages.values())) != len(messages):
        problems.append("two wrong options share their feedback")
    lengths = [len(text) for text in spec.options.values()]
    if max(lengths) > 1.6 * min(lengths):
        problems.append(f"unbalanced options {lengths}")
    idea = right_idea(d)
    shown = idea_of(d.kind, spec.options[spec.correct])
    if shown != idea:
        problems.append(f"the right option is {spec.options[spec.correct]!r} ({shown}), the number calls for {idea!r}")
    if any(idea_of(d.kind, text) == shown for key, text in spec.options.items() if key != spec.correct):
        problems.append(f"a wrong option carries the right idea: {spec.options}")
    return problems


@pytest.mark.parametrize("kind", KINDS)
def test_every_drill_has_a_so_what_whose_right_option_follows_the_number(kind):
    failures = []
    for level in LEVELS:
        keys = collections.Counter()
        for d in grid(kind, level):
            failures += [(level, d.seed, problem) for problem in so_what_problems(d)]
            keys[d.so_what.spec.correct] += 1
        # the right letter moves
        assert len(keys) == len(grid(kind, level)[0].so_what.spec.options) and min(keys.values()) >= 50, (level, keys)
    assert failures == [], failures[:5]


# The share of draws at which the right option may carry one idea, or be the shortest (or the longest) option.
MOST_OF_ONE_IDEA, MOST_AT_AN_END = 0.70, 0.40


@pytest.mark.parametrize("kind", KINDS)
def test_the_right_idea_varies_with_the_numbers_and_its_length_is_no_tell(kind):
    # Base-rate precision: a story about patients always calls for a second test (a wrong treatment harms a healthy
    # person, and the costs drawn say so); the other three stories act or check as their costs decide.
    for level in LEVELS:
        ideas, shortest, longest = collections.Counter(), 0, 0
        for d in grid(kind, level):
            spec = d.so_what.spec
            text = spec.options[spec.correct]
            ideas[idea_of(kind, text)] += 1
            others = sorted(len(t) for key, t in spec.options.items() if key != spec.correct)
            shortest += len(text) < others[0]
            longest += len(text) > others[-1]
        n = len(SEEDS)
        assert len(ideas) >= 2 and max(ideas.values()) <= MOST_OF_ONE_IDEA * n, (level, ideas)
        assert shortest <= MOST_AT_AN_END * n and longest <= MOST_AT_AN_END * n, (level, shortest, longest)
        if kind == "agent_reliability":  # each difficulty has ideas of its own, and each of them comes up
            assert min(ideas.values()) >= 0.05 * n, (level, ideas)


# Words with which an option would state a comparison that the prompt's numbers settle ("it is within budget",
# "the gate is cleared"): an option is an action with a reason a candidate could believe, so only the numbers
# tell the right one.
SETTLED = re.compile(r"\b(within|over budget|under budget|clears?|cleared|above|below|under the|too close|a tie|"
                     r"nearly (?:always|every)|most flags|most of its flags|right about most|fits|short of)\b", re.I)


@pytest.mark.parametrize("kind", KINDS)
def test_no_option_states_a_comparison_the_numbers_settle(kind):
    found = {text for level in LEVELS for d in grid(kind, level) for text in d.so_what.spec.options.values() if SETTLED.search(text)}
    assert found == set()


PLURAL_AFTER_ONE = re.compile(r"(?<![\d.,])1 (?:errors|days|reviewers|users|steps|tries|weeks|runs|queries)\b")


def test_a_count_of_one_takes_the_singular():
    texts = []
    for kind in KINDS:
        for d in [*grid(kind, 1), *grid(kind, 2), *grid(kind, 3), *grid(kind, 1, "legal_review"), *grid(kind, 2, "healthcare_triage")]:
            spec = d.so_what.spec
            texts += [d.prompt, d.working, d.so_what.prompt, spec.why, *spec.options.values(), *spec.feedback.values()]
    assert [t for t in texts if PLURAL_AFTER_ONE.search(t)] == []
    assert dr._days(1) == "1 day" and dr._days(14) == "14 days"


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_so_what_works_in_every_scenario(scenario):
    failures = [(d.kind, d.difficulty, d.seed, problem) for d in scenario_drills(scenario) for problem in so_what_problems(d)]
    assert failures == [], failures[:5]


def test_the_so_what_is_a_choice_question_that_never_raises():
    d = dr.make_drill("blast_radius", 3, 2)
    assert d.decision.id == "blast_radius-so-what" and d.decision is d.decision
    assert d.decide(None).outcome is Outcome.NOT_ATTEMPTED and d.decide().outcome is Outcome.NOT_ATTEMPTED
    for odd in (3, 2.5, ["a"], {"a": 1}, "z", "", b"a", object(), FloatRaises()):
        result = d.decide(odd)
        assert result.outcome is Outcome.INCORRECT and result.message
    right = d.so_what.spec.correct
    assert d.decide(right.upper()).correct and d.decide(f" {right}) ").correct
    assert "so what" in str(d.decision.title).lower()


def test_the_so_what_draws_from_its_own_stream():
    # the numbers come from [seed, kind's position, difficulty], the so-what step from [..., 7]
    for kind in ("threshold_by_cost", "reviewer_headcount", "agent_reliability"):
        title, builder = dr.DRILL_KINDS[kind]
        index = ALL_KINDS.index(kind)
        for seed in (0, 5):
            d = dr.make_drill(kind, seed, 2)
            fields_ = builder(np.random.default_rng([seed, index, 2]), 2, parameters.DEFAULT)
            assert fields_["expected"] == d.expected  # the first draw was usable for these seeds
            again = fields_["so_what"](np.random.default_rng([seed, index, 2, 7]))
            assert again == d.so_what


def option(d, start):
    return next(key for key, text in d.so_what.spec.options.items() if text.startswith(start))


def test_hand_worked_base_rate_so_what_cases():
    # seed 13, warm-up: 2% of patients ill, 80% caught, 1% of the rest flagged: 0.016 / (0.016 + 0.98 × 0.01) = 0.016 / 0.0258
    # = 62.0%. A screening test's positive is confirmed by a second test, not treated at once: the wrong treatments
    # (38.0% of positives, times what treating a healthy person costs) cost more than the second test.
    d = dr.make_drill("base_rate_precision", 13, 1)
    assert "2% of patients are ill" in d.prompt and "catches 80% of the ill patients and wrongly flags 1% of the others" in d.prompt
    assert "Of the patients the test flags, about 62.0% are really ill." in d.so_what.prompt and "the model" not in d.so_what.prompt
    harm, test = stated_in(d.so_what.prompt, rf"costs about {AMOUNT} "), stated_in(d.so_what.prompt, rf"test costs {AMOUNT} ")
    assert 0.38 * harm > test
    assert d.so_what.spec.options[d.so_what.spec.correct].startswith("Confirm each one with a second")
    assert "a second test must confirm each one first" in d.so_what.spec.why and "person" not in d.so_what.spec.why
    treat = d.decide(option(d, "Start treatment"))
    assert not treat.correct and f"0.380 × ${harm:,.0f}" in treat.message
    # seed 5, stretch: 1 in 500 claims, 90% caught, 2% of the rest flagged: 0.0018 / (0.0018 + 0.998 × 0.02) = 8.27%.
    d = dr.make_drill("base_rate_precision", 5, 3)
    assert "About 1 in 500 claims" in d.prompt and "catches 90% of them and wrongly flags 2% of the rest" in d.prompt
    assert "8.27%" in d.so_what.prompt
    harm, check = stated_in(d.so_what.prompt, rf"costs about {AMOUNT} "), stated_in(d.so_what.prompt, rf"check costs {AMOUNT} ")
    at_once = 0.9173 * harm < check  # 1 − 0.0827 of the flags are wrong
    assert d.so_what.spec.options[d.so_what.spec.correct].startswith("Reject them at once" if at_once else ("Send each", "Send them"))
    # the same share of right flags calls for acting at once or for a check, as the costs say: both happen
    by_idea = collections.defaultdict(list)
    for d in grid("base_rate_precision", 2):
        by_idea[right_idea(d)].append(SHARE_PRECISION.round(d.expected))
    assert set(by_idea["act"]) & set(by_idea["check"]) and min(by_idea["act"]) < 0.5 < max(by_idea["check"])


SHARE_PRECISION = significant(3)


def test_hand_worked_threshold_so_what_case():
    # seed 6, standard: review $19, miss $2,980, a caught fraud still loses 20%: t = 19 / (2,980 × 0.8) = 0.00797.
    # A second analyst doubles the review to $38 (and the review inside a caught fraud's cost): t = 38 / (2,980 × 0.8)
    # = 0.0159; the same step the other way would halve it.
    d = dr.make_drill("threshold_by_cost", 6, 2)
    fp, fn = d.params["cost_fp"], d.params["cost_fn"]
    lost = (d.params["cost_tp"] - fp) / fn
    t = fp / (fn * (1 - lost))
    assert t == pytest.approx(d.expected)
    prompt = d.so_what.prompt
    assert "Where should the line go now?" in prompt
    idea = threshold_idea(d, prompt, d.so_what.spec.options[d.so_what.spec.correct])
    assert idea_of(d.kind, d.so_what.spec.options[d.so_what.spec.correct]) == idea
    keep = d.decide(option(d, "Keep the line"))
    assert not keep.correct and "the costs moved" in keep.message
    assert "do not depend on what errors cost" in d.decide(option(d, "Retrain")).message


def test_hand_worked_duration_so_what_case():
    # seed 9123, warm-up: 10% → 12%: 3,841 users per arm, 7,682 in all, / 2,400 a day = 3.2, so 4 days; a test runs whole
    # weeks, so 7 days. The review falls before day 7: tell the team it will not be ready. "Run it for all the days it
    # needs" is not offered beside it: only one option is defensible.
    d = dr.make_drill("sample_size_duration", 9123)
    assert d.difficulty == 1 and d.expected == 4
    assert "In practice a test runs whole weeks" in d.working and "here 7 days" in d.working
    prompt = d.so_what.prompt
    assert "The sample takes 4 days to come in; in whole weeks the test runs 7 days." in prompt
    review = stated_in(prompt, r"review is in (\d+) days?\.")
    assert review < 7 and not PLURAL_AFTER_ONE.search(prompt)
    texts = list(d.so_what.spec.options.values())
    assert d.so_what.spec.options[d.so_what.spec.correct].startswith(("Move the review", "Tell them it will not be ready"))
    assert not any(t.startswith("Run it") for t in texts) and not any("aim higher" in t for t in texts)
    # a test that fits: one read at its planned end, and no "move the review" beside it
    fits = next(d for d in grid("sample_size_duration", 2) if right_idea(d) == "run")
    assert not any(t.startswith(("Move the review", "Tell them")) for t in fits.so_what.spec.options.values())


def test_hand_worked_agent_so_what_cases():
    # a chain: 0.93^17 = 29.1% finished; with the first 14 steps retried once, (1 − 0.07²)^14 × 0.93^3 = 75.1%
    d = dr.make_drill("agent_reliability", 1, 1)
    assert (d.params["steps"], d.params["step_rate"]) == (17, 0.93)
    if "first 14 steps" in d.so_what.prompt:
        assert "75.1%" in d.so_what.spec.why or "75.1%" in " ".join(d.so_what.spec.feedback.values())
    assert (1 - 0.07**2) ** 14 * 0.93**3 == pytest.approx(0.7509, abs=1e-4)
    # pass^3 from 7 of 10: C(7,3)/C(10,3) = 35/120 = 29.2%; one more try: C(8,3)/C(11,3) = 56/165 = 33.9%, or C(7,3)/C(11,3)
    # = 35/165 = 21.2%
    d = dr.make_drill("agent_reliability", 2, 2)
    assert (d.params["tries"], d.params["successes"], d.params["k"]) == (10, 7, 3)
    assert "33.9% if it succeeded, or 21.2% if it failed" in d.so_what.prompt
    demo = d.decide(option(d, "Tell the customer"))
    assert not demo.correct and "pass^3 = 29.2%" in demo.message


def test_hand_worked_judge_so_what_case():
    # a judge (seed 5, warm-up) passed 86%, with TPR 0.93 and TNR 0.45: (0.86 + 0.45 − 1) / (0.93 + 0.45 − 1) = 0.31 / 0.38
    # = 81.6%, against a gate of 92%: do not ship
    j = dr.make_drill("judge_correction", 5, 1)
    assert "passed 86% of 1,200" in j.prompt and "passes 93% of the replies people pass and fails 45%" in j.prompt
    assert "passed 86% of answers; corrected, 81.6% really pass. The launch gate is 92%." in j.so_what.prompt
    assert j.so_what.spec.options[j.so_what.spec.correct].startswith("Hold the launch")
    assert "counts the judge's own mistakes" in j.decide(option(j, "Go by the judge's raw")).message


def test_the_exact_bound_is_asked_for_and_the_rule_of_three_named_as_the_quick_estimate():
    # 0 errors in 670: exact 95% bound 1 − 0.05^(1/670) = 0.00446; the rule of three 3 / 670 = 0.00448
    d = dr.make_drill("budget_bound", 75, 1)
    assert d.params["n"] == 670 and d.params["errors"] == 0
    exact_bound = 1 - 0.05 ** (1 / 670)
    assert f"{exact_bound:.3g}" == "0.00446" and f"{3 / 670:.3g}" == "0.00448"
    assert "exact one-sided 95% upper bound" in d.prompt and "Clopper–Pearson" in d.prompt
    assert d.check(0.00446).correct
    message = d.check(0.00448).message
    assert "rule of three" in message and "quick estimate" in message and "asks for the exact" in message
    assert "right quick estimate" not in message
    for level in LEVELS:  # every level asks for the exact bound
        assert all("exact one-sided" in d.prompt and "Clopper–Pearson" in d.prompt for d in grid("budget_bound", level))


def test_leaving_out_one_minus_prevalence_is_a_named_slip():
    # seed 67, warm-up: 4% ill, 99% caught, 5% of the rest flagged: 0.0396 / (0.0396 + 0.96 × 0.05) = 0.452; with the
    # false-alarm rate applied to everyone, 0.0396 / (0.0396 + 0.05) = 0.442
    d = dr.make_drill("base_rate_precision", 67, 1)
    assert f"{d.expected:.3g}" == "0.452"
    message = d.check(0.442).message
    assert "false-alarm rate to every case" in message and "1 − prevalence" in message
    kept = 0
    for level in LEVELS:
        for d in grid("base_rate_precision", level):
            pi, tpr, fpr = (d.params[k] for k in ("prevalence", "tpr", "fpr"))
            value = pi * tpr / (pi * tpr + fpr)
            slip = next((s for s in d.slips if s.name == "false_alarms_on_everyone"), None)
            if slip is None:  # left out only when the precision cannot tell it from the answer or another slip
                assert d.precision.indistinct(value, d.expected) or any(d.precision.indistinct(value, s.value) for s in d.slips), d
            else:
                kept += 1
                assert slip.value == pytest.approx(value, rel=1e-12) and slip.feedback in d.check(slip.value).message
    assert kept >= 0.6 * 3 * len(SEEDS)
