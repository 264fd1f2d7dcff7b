"""Exercise 03's questions: right answers pass, each named slip gets its own feedback, and the answer
that ignores each question's concept is refused for every seed 0-499 in every scenario.

Expected values are worked by hand or recomputed here independently of `aipm_course.uncertainty`
(Clopper–Pearson bounds from statsmodels, selective risk and zone costs by counting with pandas).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import statistics
import time

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from aipm_course.checking import ROUND_UP, ___, Outcome
from aipm_course.exercises import ex03, load
from aipm_course.parameters import scenarios

pytestmark = pytest.mark.usefixtures("quiet_work_folder")

SEEDS = range(500)
SCENARIOS = list(scenarios())
TODAY = dt.date(2026, 12, 4)
SOON = (TODAY + dt.timedelta(days=90)).isoformat()


# --- independent references ------------------------------------------------------------------------------


def cp_upper(errors: int, n: int) -> float:
    """One-sided 95% Clopper–Pearson upper bound = the top of the two-sided 90% exact interval."""
    return float(proportion_confint(errors, n, alpha=0.10, method="beta")[1])


def frame(tickets) -> pd.DataFrame:
    return pd.DataFrame({"confidence": np.asarray(tickets.confidence), "wrong": ~np.asarray(tickets.correct)})


def served_first(tickets) -> pd.DataFrame:
    return frame(tickets).sort_values("confidence", ascending=False, kind="stable").reset_index(drop=True)


def selective_risk(tickets, coverage: float) -> float:
    top = served_first(tickets).head(math.ceil(coverage * tickets.size - 1e-9))
    return float(top["wrong"].mean())


def coverage_within(tickets, budget: float, bound: bool) -> float:
    """The widest share served (whole runs of equal confidence) whose upper bound (or, with
    bound=False, observed error rate) is within the budget."""
    runs = frame(tickets).groupby("confidence")["wrong"].agg(["size", "sum"]).sort_index(ascending=False)
    served, errors = runs["size"].cumsum().to_numpy(), runs["sum"].cumsum().to_numpy()
    rate = proportion_confint(errors, served, alpha=0.10, method="beta")[1] if bound else errors / served
    ok = np.nonzero(np.asarray(rate) <= budget)[0]
    return float(served[ok[-1]] / tickets.size) if len(ok) else 0.0


def zone_cost_and_bound(tickets, caveat: float, person: float) -> tuple[float, float, float]:
    """Daily cost, served upper bound and observed served error rate, by counting. A caveat takes 15
    seconds of a person's time at the reviewers' rate, and 30% of wrong caveats are confirmed anyway
    (then they cost as much as an error served), as the question states."""
    f = frame(tickets)
    served, caveated, human = f[f.confidence >= caveat], f[(f.confidence >= person) & (f.confidence < caveat)], f[f.confidence < person]
    per_confirmation = tickets.cost_per_review / tickets.minutes_per_review * 15 / 60  # $1.20 for 2 minutes: $0.15 for 15 seconds
    caveat_error = 0.7 * tickets.cost_error_caveat + 0.3 * tickets.cost_error_served
    per_sample = (served.wrong.sum() * tickets.cost_error_served + caveated.wrong.sum() * caveat_error + len(caveated) * per_confirmation
                  + len(human) * tickets.cost_per_review)
    return per_sample * tickets.cases_per_day / len(f), cp_upper(int(served.wrong.sum()), len(served)), served.wrong.mean()


def chance_within(n: int, budget: float, true_rate: float) -> float:
    """The chance that n cases give a one-sided 95% exact upper bound within the budget, by looking
    at every error count."""
    ks = np.arange(0, int(n * budget) + 2)
    bounds = stats.beta.ppf(0.95, ks + 1, np.maximum(n - ks, 1e-12))
    passing = ks[(ks < n) & (bounds <= budget)]
    return float(stats.binom.cdf(passing.max(), n, true_rate)) if len(passing) else 0.0


@functools.lru_cache(maxsize=None)
def evaluation_size(budget: float, true_rate: float, power: float = 0.8, stay: bool = True) -> int:
    """The smallest n whose chance is at least the power (stay=False), or from which it stays so: the
    scan runs to three times the first n and keeps the size after the last one below."""
    first = next(n for n in range(1, 20_000) if chance_within(n, budget, true_rate) >= power)
    if not stay:
        return first
    below = [n for n in range(first, 3 * first) if chance_within(n, budget, true_rate) < power]
    return below[-1] + 1 if below else first


def option_key(question, text: str) -> str:
    return next(key for key, label in question.spec.options.items() if label == text)


# --- fixtures ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ex():
    return load("03", seed=0)


@pytest.fixture(scope="module")
def every_set():
    """Every (seed, scenario) a workshop may use, loaded once for all concept tests."""
    return [(seed, name, load("03", seed=seed, scenario=name)) for seed in SEEDS for name in SCENARIOS]


@pytest.fixture
def fixed_today(monkeypatch):
    monkeypatch.setattr(ex03, "_today", lambda: TODAY)


def budget(routing=None, recommendations=None):
    lines = {
        "ticket_routing": {"max_error_rate": 0.03, "severity": "high", "owner": "Head of Support", "review_date": SOON, "fallback": "a human triager routes it"},
        "recommendations": {"max_error_rate": 0.10, "severity": "low", "owner": "Head of Merchandising", "review_date": SOON, "fallback": "show the best-seller list"},
    }
    lines["ticket_routing"].update(routing or {})
    lines["recommendations"].update(recommendations or {})
    return lines


def details(result) -> str:
    return " ".join(result.details)


# --- every question -----------------------------------------------------------------------------------------


def test_placeholders_are_not_attempted(ex):
    for question in ex.questions:
        for blank in (___, None, ...):
            assert question.check(blank).outcome is Outcome.NOT_ATTEMPTED, question.id


def test_every_question_has_two_hints_so_hint_2_is_real(ex):
    for question in ex.questions:
        assert len(question.hints) == 2, question.id
        assert str(question.hint(2)).startswith(f"Hint 2 of 2 for {question.id}")


def test_loading_is_fast():
    took = []
    for seed in range(900, 920):  # seeds nothing else has loaded: no cache helps
        start = time.process_time()  # CPU time: other processes on the machine do not count
        load("03", seed=seed)
        took.append(time.process_time() - start)
    assert statistics.median(took) < 0.06, f"median load {statistics.median(took) * 1000:.0f} ms of CPU"


# --- q1: a budget for two scenarios ---------------------------------------------------------------------------


def test_q1_a_sound_budget_passes(ex, fixed_today):
    assert ex.q1.check(budget()).correct
    assert ex.q1.check(budget(recommendations={"max_error_rate": "10%", "review_date": TODAY + dt.timedelta(days=30)})).correct


def test_q1_issue_a_budget_contradicting_the_question_and_a_past_review_are_refused(ex, fixed_today):
    result = ex.q1.check(budget(recommendations={"max_error_rate": 0.02}, routing={"max_error_rate": 0.01, "review_date": "2020-03-31"}))
    text = details(result)
    assert not result.correct
    assert "max_error_rate is 2.0%, but the question says the product team accepts up to 10%" in text
    assert "review_date 2020-03-31 is not in the future (today is 2026-12-04)" in text


def test_q1_review_date_is_judged_against_today_at_check_time(ex, fixed_today, monkeypatch):
    assert "not in the future" in details(ex.q1.check(budget(routing={"review_date": TODAY.isoformat()})))
    assert ex.q1.check(budget(routing={"review_date": "2027-01-15"})).correct
    monkeypatch.setattr(ex03, "_today", lambda: dt.date(2027, 2, 1))  # the same answer, checked later
    assert "review_date 2027-01-15 is not in the future (today is 2027-02-01)" in details(ex.q1.check(budget(routing={"review_date": "2027-01-15"})))


def test_q1_a_review_more_than_a_year_away_is_refused(ex, fixed_today):
    assert "more than a year away" in details(ex.q1.check(budget(recommendations={"review_date": "2030-01-01"})))


def test_q1_looser_than_the_stated_tolerance_is_refused(ex, fixed_today):
    assert "looser than the 10% irrelevant items the product team accepts" in details(ex.q1.check(budget(recommendations={"max_error_rate": 0.2})))


def test_q1_routing_must_be_stricter_and_more_severe(ex, fixed_today):
    assert "is not stricter than the recommendations'" in details(ex.q1.check(budget(routing={"max_error_rate": 0.12})))
    assert "rate its severity higher" in details(ex.q1.check(budget(routing={"severity": "low"})))
    assert "below 0.1%" in details(ex.q1.check(budget(routing={"max_error_rate": 0.0005})))


def test_q1_owner_fallback_unreadable_and_half_filled(ex, fixed_today):
    assert "name the owner" in details(ex.q1.check(budget(routing={"owner": "me"})))
    assert "describe the fallback" in details(ex.q1.check(budget(recommendations={"fallback": "none"})))
    assert "could not be read" in ex.q1.check(budget(recommendations={"severity": "huge"})).message
    assert "could not be read" in ex.q1.check(budget(recommendations={"review_date": "next spring"})).message
    assert ex.q1.check(ex03.BUDGET_SKELETON).outcome is Outcome.NOT_ATTEMPTED
    half = {"ticket_routing": budget()["ticket_routing"], "recommendations": dict(ex03.BUDGET_SKELETON["recommendations"])}
    result = ex.q1.check(half)
    assert result.outcome is Outcome.INCORRECT and "recommendations" in result.message
    assert "no budget line for `recommendations`" in details(ex.q1.check({"ticket_routing": budget()["ticket_routing"]}))


def test_q1_the_solution_notebooks_dated_answer_passes_today(ex):
    review = (dt.date.today() + dt.timedelta(days=91)).isoformat()
    assert ex.q1.check(budget(routing={"review_date": review}, recommendations={"review_date": review})).correct


# --- hand-worked and independently computed answers (seed 0, default) ------------------------------------------


def test_q2_selective_risk_against_pandas(ex):
    risk = selective_risk(ex.data.tickets, ex.q2.data.coverage)
    assert ex.q2.check(risk).correct and ex.q2.check(round(risk, 3)).correct
    assert ex.q2.check(round(risk * 100, 1) / 100).correct  # the lesson prints it as 4.2%


def test_q3_hand_worked_bound():
    # 10 errors in 1,000: the exact one-sided 95% bound is 1.69% (tables of the beta quantile)
    assert cp_upper(10, 1000) == pytest.approx(0.01690, abs=5e-5)
    for seed in range(60):
        q = load("03", seed=seed).q3
        assert q.check(round(cp_upper(q.data.errors, q.data.n), 3)).correct
        assert q.check(round(cp_upper(q.data.errors, q.data.n) * 100, 1) / 100).correct  # printed like the lesson: 6.2%


def test_q4_the_right_option_text_answers_it_for_every_seed():
    for seed in range(60):
        assert load("03", seed=seed).q4.check(ex03.POINT_ESTIMATE_RIGHT).correct


def test_q5_coverage_against_an_independent_search(ex):
    t = ex.data.tickets
    assert ex.q5.check(coverage_within(t, ex.q5.data.budget, bound=True)).correct


def test_q5_issue_a_printed_value_rounding_half_up_is_accepted():
    # The issue: coverage 0.2315 printed as "23.2%" was refused. At three decimals both 0.231 and 0.232 pass.
    found = next(e for e in (load("03", seed=s) for s in range(200)) if round(e.q5.expected * 4000) % 4 == 2)  # x.xxx5 of 4,000 tickets
    assert found.q5.expected * 1000 % 1 == pytest.approx(0.5)
    printed = float(f"{found.q5.expected:.1%}"[:-1]) / 100
    assert found.q5.check(printed).correct
    assert found.q5.check(math.floor(found.q5.expected * 1000) / 1000).correct and found.q5.check(math.ceil(found.q5.expected * 1000) / 1000).correct


def test_q6_hand_worked(ex):
    d = ex.q6.data
    assert (d.cases_per_day, d.human_share, d.minutes_per_case, d.productive_hours) == (6000, 0.25, 5, 6)
    # 6,000 × 0.25 = 1,500 reviews × 5 min = 7,500 min = 125 h; / 6 h = 20.8 reviewers: hire 21
    assert ex.q6.check(21).correct
    assert "round up" in ex.q6.check(20).message
    assert ex.q6.check(20.83).message == ROUND_UP


def test_q8_against_an_independent_scan(ex):
    d = ex.q8.data
    assert (d.budget, d.true_rate) == (0.06, 0.024)
    # 195 cases first reach a power of 0.8, but 198-216 and 234-237 fall below it again: from 238 it stays
    assert evaluation_size(0.06, 0.024, stay=False) == 195 and evaluation_size(0.06, 0.024) == 238
    assert ex.q8.check(238).correct
    assert "stays at 0.8 or above" in ex.q8.check(195).message
    assert evaluation_size(0.05, 0.01) == 124  # the lesson's first row, recomputed here


def test_q9_hand_worked(ex):
    d = ex.q9.data
    assert (d.accuracy_a, d.coverage_a, d.accuracy_b, d.coverage_b) == (0.99, 0.35, 0.88, 0.85)
    # B: 1,000 × 0.85 × 0.88 = 748; A: 1,000 × 0.35 × 0.99 = 346.5; 401.5 more
    assert ex.q9.check(401.5).correct and ex.q9.check(402).correct and ex.q9.check(401).correct


# --- named slips, each with its own message ------------------------------------------------------------------


def test_issue_named_slips_have_their_own_messages(ex):
    t, d6, d9 = ex.data.tickets, ex.q6.data, ex.q9.data
    assert "selective accuracy" in ex.q2.check(1 - selective_risk(t, ex.q2.data.coverage)).message
    assert "every ticket" in ex.q6.check(math.ceil(d6.cases_per_day * d6.minutes_per_case / (60 * d6.productive_hours))).message
    assert "every ticket" in ex.q6.check(d6.cases_per_day * d6.minutes_per_case / (60 * d6.productive_hours)).message  # not rounded yet
    assert "Multiply each coverage by its accuracy" in ex.q9.check(1000 * (d9.coverage_b - d9.coverage_a)).message
    assert "accuracy alone" in ex.q9.check(1000 * (d9.accuracy_b - d9.accuracy_a)).message


def test_each_numeric_question_has_at_least_three_distinct_slips(every_set):
    for seed, name, e in every_set[::7]:
        for q in (e.q2, e.q3, e.q5, e.q6, e.q8, e.q9, e.q10):
            slips = q.spec.mistakes
            messages = [q.check(m.value).message for m in slips]
            assert messages == [m.feedback for m in slips] and len(set(messages)) >= 3, (q.id, seed, name)
            assert not any(q.check(m.value).correct for m in slips)


def test_q2_q3_q5_slip_messages(ex):
    t = ex.data.tickets
    assert "all tickets" in ex.q2.check(t.error_rate).message
    d = ex.q3.data
    assert "point estimate" in ex.q3.check(d.errors / d.n).message
    wald = d.errors / d.n + 1.645 * math.sqrt(d.errors / d.n * (1 - d.errors / d.n) / d.n)
    assert "normal approximation" in ex.q3.check(wald).message
    assert "two-sided" in ex.q3.check(float(proportion_confint(d.errors, d.n, alpha=0.05, method="beta")[1])).message
    assert "observed error rate" in ex.q5.check(coverage_within(t, ex.q5.data.budget, bound=False)).message
    assert "percentage" in ex.q5.check(ex.q5.expected * 100).message


# --- concepts, for every seed in every scenario -------------------------------------------------------------------


def test_concept_q1_one_budget_for_both_scenarios_is_refused(every_set, fixed_today):
    same = {"max_error_rate": 0.10, "severity": "medium", "owner": "Head of Product", "review_date": SOON, "fallback": "a person decides instead"}
    for seed, name, e in every_set[::25]:
        result = e.q1.check({"ticket_routing": dict(same), "recommendations": dict(same)})
        assert not result.correct and "not stricter" in details(result), (seed, name)


def test_concept_q2_ignoring_the_selection_is_refused(every_set):
    for seed, name, e in every_set:
        assert "all tickets" in e.q2.check(round(e.data.tickets.error_rate, 3)).message, (seed, name)


def test_concept_q3_the_point_estimate_is_refused(every_set):
    for seed, name, e in every_set:
        d = e.q3.data
        assert "point estimate" in e.q3.check(round(d.errors / d.n, 3)).message, (seed, name)


def test_concept_q4_rules_that_ignore_the_sample_size_are_refused_and_the_key_moves(every_set):
    keys = set()
    for seed, name, e in every_set:
        for text, feedback in ex03.POINT_ESTIMATE_WRONG:
            assert e.q4.check(option_key(e.q4, text)).message == feedback, (seed, name)
        right = e.q4.spec.options[e.q4.spec.correct]
        assert any(len(right) < len(other) for other in e.q4.spec.options.values())
        keys.add(e.q4.spec.correct)
    assert keys == {"a", "b", "c", "d"}


def test_concept_q5_the_point_estimate_coverage_is_refused_and_the_printed_value_passes(every_set):
    for seed, name, e in every_set[::5]:
        t, b = e.data.tickets, e.q5.data.budget
        naive = coverage_within(t, b, bound=False)
        if abs(naive - e.q5.expected) > 0.001:
            assert "observed error rate" in e.q5.check(round(naive, 3)).message, (seed, name)
        printed = str(e.q5.solution()).split("coverage ")[1].split("%")[0]
        assert e.q5.check(float(printed) / 100).correct, (seed, name, printed)


def test_concept_q6_staffing_every_ticket_or_not_rounding_up_is_refused(every_set):
    for seed, name, e in every_set:
        d = e.q6.data
        exact = d.cases_per_day * d.human_share * d.minutes_per_case / (60 * d.productive_hours)
        assert e.q6.check(math.ceil(exact - 1e-9)).correct, (seed, name)
        assert "every ticket" in e.q6.check(math.ceil(exact / d.human_share - 1e-9)).message, (seed, name)
        if exact != math.floor(exact):
            assert not e.q6.check(math.floor(exact)).correct


def test_concept_q7_the_cheapest_pair_ignoring_the_budget_is_refused(every_set):
    point_estimate_refused = 0
    for seed, name, e in every_set:
        t, q = e.data.tickets, e.q7
        rows = {key: zone_cost_and_bound(t, *pair) for key, pair in q.data.pairs.items()}
        cheapest = min(rows, key=lambda k: rows[k][0])
        meeting = [k for k, (cost, bound, observed) in rows.items() if bound <= q.data.budget]
        assert q.check(min(meeting, key=lambda k: rows[k][0])).correct, (seed, name)
        result = q.check(cheapest)
        assert not result.correct and "costs the least a day" in result.message, (seed, name)
        on_estimate = [k for k, (cost, bound, observed) in rows.items() if observed <= q.data.budget]
        point_estimate_refused += not q.check(min(on_estimate, key=lambda k: rows[k][0])).correct
    assert point_estimate_refused >= 0.95 * len(every_set)


def test_concept_q8_ignoring_power_or_using_the_rule_of_three_is_refused(every_set):
    for seed, name, e in every_set:
        d = e.q8.data
        assert "rule of three" in e.q8.check(math.ceil(3 / d.budget)).message, (seed, name)
        assert "half the time" in e.q8.check(evaluation_size(d.budget, d.true_rate, power=0.5)).message, (seed, name)
        assert e.q8.check(evaluation_size(d.budget, d.true_rate)).correct, (seed, name)


def test_concept_q8_the_first_size_that_reaches_the_power_is_refused_where_it_differs(every_set):
    differs = 0
    for seed, name, e in every_set[::10]:
        d = e.q8.data
        first = evaluation_size(d.budget, d.true_rate, stay=False)
        if first != e.q8.expected:
            differs += 1
            assert "stays at 0.8 or above" in e.q8.check(first).message, (seed, name)
    assert differs > 0


def test_q10_hand_worked_and_against_a_simulation():
    # the FACTS example backwards: 12 classes, 5% wrong labels, 85.5% measured -> about 90%
    e = 0.05
    assert (0.855 - e / 11) / (1 - e * 12 / 11) == pytest.approx(0.8995, abs=1e-4)
    for seed in range(40):
        q = load("03", seed=seed).q10
        d = q.data
        a = (d.measured - d.label_error_rate / (d.classes - 1)) / (1 - d.label_error_rate * d.classes / (d.classes - 1))
        assert q.check(round(a, 3)).correct and q.check(round(a * 100, 1) / 100).correct, seed
    # a simulation: a model truly right on a share a, labels wrong at random on e of the cases
    q = load("03", seed=0).q10
    d = q.data
    rng = np.random.default_rng(3)
    n, k = 300_000, d.classes
    truth = rng.integers(k, size=n)
    wrong_class = lambda: (truth + rng.integers(1, k, size=n)) % k  # noqa: E731
    predicted = np.where(rng.random(n) < q.expected, truth, wrong_class())
    labels = np.where(rng.random(n) < d.label_error_rate, wrong_class(), truth)
    assert (predicted == labels).mean() == pytest.approx(d.measured, abs=0.004)


def test_concept_q10_the_measured_accuracy_is_refused(every_set):
    for seed, name, e in every_set:
        d = e.q10.data
        assert "measured accuracy itself" in e.q10.check(d.measured).message, (seed, name)
        assert "forgets that a wrong answer" in e.q10.check(round(d.measured / (1 - d.label_error_rate), 3)).message or \
            e.q10.check(round(d.measured / (1 - d.label_error_rate), 3)).correct is False, (seed, name)


def test_concept_q9_comparing_accuracy_alone_is_refused(every_set):
    for seed, name, e in every_set:
        d = e.q9.data
        assert "accuracy alone" in e.q9.check(round(1000 * (d.accuracy_b - d.accuracy_a))).message, (seed, name)
        assert e.q9.check(round(1000 * (d.coverage_b * d.accuracy_b - d.coverage_a * d.accuracy_a))).correct, (seed, name)
