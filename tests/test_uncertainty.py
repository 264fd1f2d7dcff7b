"""Uncertainty budgets: every formula cross-checked against a direct loop, scipy or a hand value."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from aipm_course import uncertainty as u
from aipm_course.scenarios import recommendations, support_tickets


def random_outcomes(seed, n=400, ties=True):
    rng = np.random.default_rng(seed)
    confidence = rng.random(n)
    if ties:
        confidence = np.round(confidence, 2)
    correct = rng.random(n) < 0.3 + 0.7 * confidence
    return correct, confidence


# --- risk-coverage ------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(4))
def test_risk_coverage_agrees_with_a_direct_loop(seed):
    correct, confidence = random_outcomes(seed, ties=False)
    curve = u.risk_coverage(correct, confidence)
    order = sorted(range(len(correct)), key=lambda i: -confidence[i])
    for k in (1, 7, 100, 250, len(correct)):
        served = order[:k]
        errors = sum(1 for i in served if not correct[i])
        assert curve.risk[k - 1] == pytest.approx(errors / k)
        assert curve.coverage[k - 1] == pytest.approx(k / len(correct))
    assert curve.aurc == pytest.approx(np.mean(curve.risk))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.floats(0, 1)), min_size=1, max_size=60))
def test_risk_at_full_coverage_is_the_overall_error_rate(rows):
    correct = np.array([r[0] for r in rows])
    confidence = np.array([r[1] for r in rows])
    curve = u.risk_coverage(correct, confidence)
    assert curve.risk[-1] == pytest.approx(1 - correct.mean())
    assert ((curve.risk >= 0) & (curve.risk <= 1)).all()


# --- upper bound and threshold for a budget ---------------------------------------------------------


@pytest.mark.parametrize("k, n", [(0, 10), (2, 100), (4, 500), (10, 1000), (50, 60)])
def test_upper_bound_is_the_clopper_pearson_bound_from_scipy(k, n):
    expected = stats.beta.ppf(0.95, k + 1, n - k)
    assert u.upper_bound(k, n) == pytest.approx(expected)
    # hand check for zero errors: (1 - b)^n = 0.05, so b = 1 - 0.05^(1/n)
    if k == 0:
        assert u.upper_bound(0, n) == pytest.approx(1 - 0.05 ** (1 / n))
    assert u.upper_bound(n, n) == 1.0


def test_upper_bound_matches_statsmodels_beta_interval():
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(3, 200, alpha=0.10, method="beta")  # two-sided 90% = one-sided 95%
    assert u.upper_bound(3, 200) == pytest.approx(high)


def brute_force_budget(correct, confidence, budget, level=0.95):
    """Try every distinct confidence as a threshold; keep the lowest that meets the budget."""
    best = None
    for tau in sorted(set(confidence.tolist())):
        served = confidence >= tau
        n = int(served.sum())
        k = int((~correct[served]).sum())
        bound = 1.0 if k >= n else stats.beta.ppf(level, k + 1, n - k)
        if bound <= budget and (best is None or tau < best[0]):
            best = (tau, n, k, bound)
    return best


@pytest.mark.parametrize("seed, budget", [(0, 0.1), (1, 0.2), (2, 0.15), (3, 0.3)])
def test_threshold_for_budget_agrees_with_brute_force(seed, budget):
    correct, confidence = random_outcomes(seed)
    result = u.threshold_for_budget(correct, confidence, budget)
    brute = brute_force_budget(correct, confidence, budget)
    if brute is None:
        assert not result.met
    else:
        tau, n, k, bound = brute
        assert result.met and result.threshold == tau and result.served == n and result.errors == k
        assert result.upper_bound == pytest.approx(bound) and result.upper_bound <= budget
        assert result.coverage == pytest.approx(n / len(correct))


def test_no_threshold_meets_an_impossible_budget():
    correct, confidence = random_outcomes(0)
    result = u.threshold_for_budget(correct, confidence, 0.001)
    assert not result.met and result.threshold is None and "No threshold meets this budget" in str(result)


def test_the_point_estimate_alone_would_claim_too_much():
    t = support_tickets(seed=0)
    result = u.threshold_for_budget(t.correct, t.confidence, 0.05)
    assert result.observed_error_rate < result.upper_bound <= 0.05


def _chance_bound_within(n, true_rate, budget=0.05, level=0.95):
    """By brute force: the chance that n cases with this true rate give an upper bound within budget."""
    return sum(stats.binom.pmf(k, n, true_rate) for k in range(n + 1) if stats.beta.ppf(level, k + 1, n - k) <= budget)


def test_cases_to_show_budget_reaches_the_power_and_fewer_do_not():
    n = u.cases_to_show_budget(0.05, 0.02, power=0.8)
    assert _chance_bound_within(n, 0.02) >= 0.8
    assert all(_chance_bound_within(m, 0.02) < 0.8 for m in range(max(1, n - 40), n))
    assert u.cases_to_show_budget(0.05, 0.03) > u.cases_to_show_budget(0.05, 0.01)
    assert u.cases_to_show_budget(0.05, 0.02, power=0.9) >= n
    with pytest.raises(ValueError, match="below the budget"):
        u.cases_to_show_budget(0.05, 0.06)
    with pytest.raises(ValueError, match="power must be in"):
        u.cases_to_show_budget(0.05, 0.02, power=1)


# --- zones and reviewers ------------------------------------------------------------------------------


def test_reviewer_headcount_hand_worked():
    # 6,000 tickets, 20% to people, 2 minutes each: 2,400 minutes = 40 hours; 6 productive hours each.
    assert u.reviewer_headcount(6000, 0.2, 2, 6) == pytest.approx(40 / 6)


def test_zone_policy_against_direct_counts():
    correct, confidence = random_outcomes(5, n=1000)
    r = u.zone_policy(correct, confidence, 0.8, 0.4, cases_per_day=2000, cost_error_served=10, cost_error_caveat=3,
                      cost_per_review=1.5, minutes_per_review=4, productive_hours_per_reviewer=6)
    served, caveat, human = confidence >= 0.8, (confidence >= 0.4) & (confidence < 0.8), confidence < 0.4
    assert r.shares["served"] + r.shares["caveat"] + r.shares["human"] == pytest.approx(1)
    assert r.shares["human"] == pytest.approx(human.mean())
    assert r.error_rates["served"] == pytest.approx((~correct[served]).mean())
    expected_cost = ((~correct[served]).sum() * 10 + (~correct[caveat]).sum() * 3 + human.sum() * 1.5) * 2
    assert r.cost_per_day == pytest.approx(expected_cost)
    assert r.reviewers == pytest.approx(2000 * human.mean() * 4 / 360)
    assert r.served_upper_bound == pytest.approx(u.upper_bound(int((~correct[served]).sum()), int(served.sum())))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"caveat_threshold": 0.3, "human_threshold": 0.6}, "must not be above caveat_threshold"),
        ({"caveat_threshold": 1.3, "human_threshold": 0.6}, "caveat_threshold must be in"),
        ({"caveat_threshold": 0.9, "human_threshold": 0.6, "cost_per_review": -1}, "cost_per_review"),
    ],
)
def test_zone_policy_errors(kwargs, message):
    correct, confidence = random_outcomes(0, n=50)
    base = {"cases_per_day": 100, "cost_error_served": 1, "cost_error_caveat": 1, "cost_per_review": 1}
    with pytest.raises(ValueError, match=message):
        u.zone_policy(correct, confidence, **{**base, **kwargs})


@pytest.mark.parametrize(
    "correct, confidence, message",
    [([True], [1.5], "confidence must hold numbers in \\[0, 1\\]"), ([], [], "empty"), ([True, False], [0.5], "same length"),
     ([2], [0.5], "True/False"), ([True], [float("nan")], "no NaN")],
)
def test_bad_inputs_get_clear_errors(correct, confidence, message):
    with pytest.raises(ValueError, match=message):
        u.risk_coverage(correct, confidence)


@pytest.mark.parametrize("budget", [0, 1, 1.5, -0.1, "5%", True])
def test_budgets_outside_zero_one_are_rejected(budget):
    correct, confidence = random_outcomes(0, n=20)
    with pytest.raises(ValueError, match="max_error_rate must be in \\(0, 1\\)"):
        u.threshold_for_budget(correct, confidence, budget)


# --- the budget as data -------------------------------------------------------------------------------

LINE = {"max_error_rate": 0.05, "severity": "high", "owner": "Head of Support", "review_date": "2027-03-31", "fallback": "a person routes it"}


def test_budget_round_trip_and_table(tmp_path):
    budget = u.budget_from_dict({"name": "Assistant", "budget": {"routing": LINE, "recs": {**LINE, "max_error_rate": "10%", "severity": "low"}}})
    assert budget.entry("recs").max_error_rate == pytest.approx(0.10)
    path = u.save_budget(budget, tmp_path / "budget.yaml")
    assert u.load_budget(path) == budget
    table = u.budget_table(budget)
    assert list(table.index) == ["routing", "recs"] and table.loc["recs", "max_error_rate"] == "10.0%"


@pytest.mark.parametrize(
    "change, message",
    [({"max_error_rate": 1.5}, "max_error_rate must be a share in \\(0, 1\\)"), ({"severity": "huge"}, "severity must be one of"),
     ({"review_date": "next spring"}, "review_date must be a date"), ({"owner": ""}, "missing owner")],
)
def test_budget_lines_with_bad_values_name_the_field(change, message):
    with pytest.raises(u.BudgetError, match=message):
        u.budget_from_dict({"budget": {"routing": {**LINE, **change}}})


def test_malformed_budget_yaml_names_the_line():
    with pytest.raises(u.BudgetError, match=r"not valid YAML at line \d"):
        u.load_budget("budget:\n  routing: [oops\n")


# --- scenarios ----------------------------------------------------------------------------------------


def test_confidence_scenarios_are_deterministic_and_roughly_calibrated():
    a, b = support_tickets(seed=2), support_tickets(seed=2)
    assert np.array_equal(a.confidence, b.confidence) and np.array_equal(a.y_pred, b.y_pred)
    assert not np.array_equal(a.confidence, support_tickets(seed=3).confidence)
    assert len(set(a.y_true.tolist())) == 12
    # calibrated: the mean confidence is close to the share right
    assert abs(a.confidence.mean() - a.correct.mean()) < 0.02
    r = recommendations(seed=0)
    assert r.suggested_budget == 0.10 and 0 < r.error_rate < 0.5


def test_zone_explorer_reports_what_the_functions_compute():
    from aipm_course.widgets import zone_explorer

    explorer = zone_explorer("support_tickets", seed=0)
    d = explorer.data
    for caveat, human in [(0.95, 0.7), (0.9, 0.5), (0.8, 0.8)]:
        explorer.caveat.value = caveat
        explorer.human.value = human
        expected = u.zone_policy(d.correct, d.confidence, caveat, human, cases_per_day=d.cases_per_day,
                                 cost_error_served=d.cost_error_served, cost_error_caveat=d.cost_error_caveat,
                                 cost_per_review=d.cost_per_review, minutes_per_review=d.minutes_per_review)
        assert f"Served: <b>{expected.shares['served']:.1%}</b>" in explorer.report.value
        assert f"Reviewers needed: <b>{expected.reviewers:.1f}</b>" in explorer.report.value
        assert f"Cost a day: <b>${expected.cost_per_day:,.0f}</b>" in explorer.report.value
        assert f"upper bound {expected.served_upper_bound:.2%}" in explorer.verdict.value
        assert ("NOT MET" in explorer.verdict.value) == (not expected.meets(0.05))
    # moving the person threshold above the caveat threshold drags the caveat threshold along
    explorer.caveat.value = 0.6
    explorer.human.value = 0.75
    assert explorer.caveat.value == 0.75


def test_zone_cost_parts_add_up_to_the_cost_a_day():
    correct, confidence = random_outcomes(6, n=800)
    r = u.zone_policy(correct, confidence, 0.85, 0.5, cases_per_day=1000, cost_error_served=5, cost_error_caveat=2, cost_per_review=1)
    assert sum(r.cost_parts.values()) == pytest.approx(r.cost_per_day)
    assert r.cost_parts["reviews by people"] == pytest.approx((confidence < 0.5).sum() * 1 * 1000 / 800)
