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
    n = u.cases_to_show_budget(0.05, 0.02, power=0.8, stay_above=False)  # the first n that reaches the power
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


def explorer_terms(explorer):
    """The scenario's prices and the explorer's confirmation sliders, an hour priced at the reviewers' rate."""
    d = explorer.data
    return dict(cases_per_day=d.cases_per_day, cost_error_served=d.cost_error_served, cost_error_caveat=d.cost_error_caveat,
                cost_per_review=d.cost_per_review, minutes_per_review=d.minutes_per_review,
                seconds_per_confirmation=explorer.seconds.value, slip_through_rate=explorer.slip.value, cost_per_hour=36.0)


def test_zone_explorer_reports_what_the_functions_compute():
    from aipm_course.widgets import zone_explorer

    explorer = zone_explorer("support_tickets", seed=0)
    d = explorer.data
    assert (explorer.seconds.value, explorer.slip.value) == (15, 0.3)  # confirming is priced from the start
    assert d.cost_per_review * 60 / d.minutes_per_review == 36.0  # $1.20 for 2 minutes: $36 an hour
    for caveat, human, seconds in [(0.95, 0.7, 15), (0.9, 0.5, 30), (0.8, 0.8, 0)]:
        explorer.caveat.value = caveat
        explorer.human.value = human
        explorer.seconds.value = seconds
        expected = u.zone_policy(d.correct, d.confidence, caveat, human, **explorer_terms(explorer))
        assert f"Served: <b>{expected.shares['served']:.1%}</b>" in explorer.report.value
        assert f"Review work: <b>{expected.review_hours_per_day:.1f} h</b>" in explorer.report.value
        people = u.reviewer_fte(expected.human_cases_per_day, d.minutes_per_review).fte
        assert f"a 7-day desk needs <b>{people:.1f}</b> full-time people" in explorer.report.value
        # one seat filled 7 days a week, 5-day weeks, 30% shrinkage: 7/5 / 0.7 = 2.0 people at least
        assert ("at least <b>2.0</b> to keep one seat filled every day" in explorer.report.value) == (people < 2.0)
        assert f"Cost a day: <b>${expected.cost_per_day:,.0f}</b>" in explorer.report.value
        assert f"upper bound {expected.served_upper_bound:.2%}" in explorer.verdict.value
        assert ("NOT MET" in explorer.verdict.value) == (not expected.meets(0.05))
        assert ("Confirming caveats" in explorer.report.value) == (seconds > 0)
    # moving the person threshold above the caveat threshold drags the caveat threshold along
    explorer.caveat.value = 0.6
    explorer.human.value = 0.75
    assert explorer.caveat.value == 0.75


def test_issue_zone_explorer_says_nothing_served_instead_of_a_100_percent_bound():
    from aipm_course.widgets import zone_explorer

    explorer = zone_explorer("support_tickets", seed=0)
    explorer.caveat.value = 1.0  # no ticket has confidence 1: everything gets a caveat or goes to a person
    assert explorer.result.nothing_served and "NOTHING SERVED" in explorer.verdict.value
    assert "NOT MET" not in explorer.verdict.value and "100" not in explorer.verdict.value
    assert "nothing served" in repr(explorer)


def test_issue_caveat_everything_stops_being_the_cheapest_policy_once_confirming_is_priced():
    from aipm_course.widgets import zone_explorer

    t = support_tickets(seed=0)
    free = dict(cases_per_day=6000, cost_error_served=4.0, cost_error_caveat=1.5, cost_per_review=1.2, minutes_per_review=2.0)
    # the old model: confirming costs nothing and catches every error, so caveating (almost) everything wins
    old = u.cheapest_zones(t.correct, t.confidence, 0.05, **free)
    everything_old = u.zone_policy(t.correct, t.confidence, 1.0, 0.0, **free)
    assert old.shares["caveat"] > 0.9 and old.cost_per_day == pytest.approx(everything_old.cost_per_day, rel=0.01)
    # 15 seconds at $36 an hour for each confirmation, and 30% of wrong suggestions confirmed anyway
    priced = {**free, "seconds_per_confirmation": 15, "slip_through_rate": 0.3}
    new = u.cheapest_zones(t.correct, t.confidence, 0.05, **priced)
    everything = u.zone_policy(t.correct, t.confidence, 1.0, 0.0, **priced)
    assert new.shares["served"] > 0.4 and new.meets(0.05)
    assert new.cost_per_day < 0.95 * everything.cost_per_day
    # caveating everything: 6,000 confirmations × $0.15 + its errors at 70% × $1.5 + 30% × $4
    errors = (~t.correct).sum() * 6000 / len(t.correct)
    assert everything.cost_per_day == pytest.approx(6000 * 0.15 + errors * (0.7 * 1.5 + 0.3 * 4))
    explorer = zone_explorer("support_tickets", seed=0)
    assert f"caveat below {new.caveat_threshold:.2f}, person below {new.human_threshold:.2f}" in explorer.advice.value
    explorer.seconds.value, explorer.slip.value = 0, 0  # the old model in the explorer: it advises caveating nearly all
    assert f"caveat below {old.caveat_threshold:.2f}" in explorer.advice.value and old.caveat_threshold >= 0.95


def test_issue_lesson_caveat_zone_takes_more_time_than_the_whole_human_zone():
    t = support_tickets(seed=0)
    r = u.zone_policy(t.correct, t.confidence, 0.92, 0.7, cases_per_day=6000, cost_error_served=4, cost_error_caveat=1.5,
                      cost_per_review=1.2, minutes_per_review=2, seconds_per_confirmation=15)
    caveated = ((t.confidence >= 0.7) & (t.confidence < 0.92)).sum() * 6000 / len(t.confidence)
    assert round(caveated) == 3024 and r.confirmation_hours_per_day == pytest.approx(caveated * 15 / 3600)  # 12.6 h
    assert r.confirmation_hours_per_day > r.review_hours_per_day  # 11.7 h in the human zone


def test_zone_cost_parts_add_up_to_the_cost_a_day():
    correct, confidence = random_outcomes(6, n=800)
    r = u.zone_policy(correct, confidence, 0.85, 0.5, cases_per_day=1000, cost_error_served=5, cost_error_caveat=2, cost_per_review=1)
    assert sum(r.cost_parts.values()) == pytest.approx(r.cost_per_day)
    assert r.cost_parts["reviews by people"] == pytest.approx((confidence < 0.5).sum() * 1 * 1000 / 800)



# --- confirmation priced, the cheapest pair, staffing --------------------------------------------------------


def test_zone_policy_prices_confirmation_time_and_slips_by_counting():
    correct, confidence = random_outcomes(8, n=1000)
    r = u.zone_policy(correct, confidence, 0.8, 0.4, cases_per_day=2000, cost_error_served=10, cost_error_caveat=3, cost_per_review=1.5,
                      minutes_per_review=3, seconds_per_confirmation=20, slip_through_rate=0.25)
    served, caveat, human = confidence >= 0.8, (confidence >= 0.4) & (confidence < 0.8), confidence < 0.4
    per_confirmation = 1.5 / 3 / 60 * 20  # the reviewers' $0.50 a minute, for 20 seconds
    caveat_errors = (~correct[caveat]).sum()
    expected = ((~correct[served]).sum() * 10 + caveat_errors * (0.75 * 3 + 0.25 * 10) + caveat.sum() * per_confirmation + human.sum() * 1.5) * 2
    assert r.cost_per_day == pytest.approx(expected) and sum(r.cost_parts.values()) == pytest.approx(expected)
    assert list(r.cost_parts) == ["errors served", "errors with a caveat", "confirming caveats", "reviews by people"]
    assert r.confirmation_hours_per_day == pytest.approx(caveat.sum() * 2 * 20 / 3600)
    assert r.overall_error_rate == pytest.approx(((~correct[served]).sum() + 0.25 * caveat_errors) / 1000)
    # an hour priced directly
    own = u.zone_policy(correct, confidence, 0.8, 0.4, cases_per_day=2000, cost_error_served=10, cost_error_caveat=3, cost_per_review=1.5,
                        minutes_per_review=3, seconds_per_confirmation=20, cost_per_hour=72)
    assert own.cost_parts["confirming caveats"] == pytest.approx(caveat.sum() * 2 * 72 * 20 / 3600)


def test_zone_policy_defaults_keep_the_old_model():
    correct, confidence = random_outcomes(5, n=1000)
    r = u.zone_policy(correct, confidence, 0.8, 0.4, cases_per_day=2000, cost_error_served=10, cost_error_caveat=3, cost_per_review=1.5)
    assert list(r.cost_parts) == ["errors served", "errors with a caveat", "reviews by people"] and r.confirmation_hours_per_day == 0
    served = confidence >= 0.8
    assert r.overall_error_rate == pytest.approx((~correct[served]).sum() / 1000)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"seconds_per_confirmation": 10, "minutes_per_review": 0}, "cost_per_hour must be a number 0 or above when seconds_per_confirmation"),
        ({"seconds_per_confirmation": -1}, "seconds_per_confirmation must be a number of seconds from 0 to 3600, got -1"),
        ({"slip_through_rate": 1.5}, "slip_through_rate must be a share in \\[0, 1\\]"),
        ({"cost_per_hour": -5}, "cost_per_hour must be a number 0 or above"),
    ],
)
def test_zone_policy_confirmation_errors(kwargs, message):
    correct, confidence = random_outcomes(0, n=50)
    base = {"cases_per_day": 100, "cost_error_served": 1, "cost_error_caveat": 1, "cost_per_review": 1}
    with pytest.raises(ValueError, match=message):
        u.zone_policy(correct, confidence, 0.9, 0.5, **{**base, **kwargs})


@pytest.mark.parametrize("seed, seconds, slip", [(1, 0, 0), (2, 15, 0.3), (3, 40, 0.6)])
def test_cheapest_zones_agrees_with_trying_every_pair(seed, seconds, slip):
    correct, confidence = random_outcomes(seed, n=600)
    terms = dict(cases_per_day=1000, cost_error_served=6, cost_error_caveat=2, cost_per_review=1.5, minutes_per_review=3,
                 seconds_per_confirmation=seconds, slip_through_rate=slip)
    best = u.cheapest_zones(correct, confidence, 0.2, step=0.1, **terms)
    grid = [round(0.1 * i, 1) for i in range(11)]
    tried = []
    for caveat in grid:
        for human in (h for h in grid if h <= caveat):
            r = u.zone_policy(correct, confidence, caveat, human, **terms)
            if r.nothing_served or r.meets(0.2):
                tried.append((round(r.cost_per_day, 9), -r.shares["served"], caveat, human))
    cost, _, caveat, human = min(tried)
    assert (best.caveat_threshold, best.human_threshold) == (caveat, human)
    assert best.cost_per_day == pytest.approx(cost)


def test_reviewer_fte_hand_worked():
    # 351 reviews × 2 min = 702 min = 11.7 h; 8 h shifts at 85% occupancy = 6.8 h: 1.7206 on the desk;
    # × 7/5 = 2.4088; / (1 − 0.30) = 3.4412 full-time people: hire 4.
    s = u.reviewer_fte(351, 2)
    assert s.workload_hours == pytest.approx(11.7)
    assert s.on_desk == pytest.approx(1.72059, abs=1e-5)
    assert s.fte == pytest.approx(3.44118, abs=1e-5) and s.hire == 4
    assert "3.44 full-time people, hire 4" in str(s)
    # the hardest cases take longer: 3 minutes each, 17.55 h, 5.16 people
    assert u.reviewer_fte(351, 3).fte == pytest.approx(17.55 / 6.8 * 1.4 / 0.7)
    # a 5-day desk without shrinkage is the workload in people
    assert u.reviewer_fte(600, 4, occupancy=1, shrinkage=0, days_open=5).fte == pytest.approx(5.0)
    assert u.reviewer_fte(600, 4, occupancy=1, shrinkage=0, days_open=5).hire == 5


@pytest.mark.parametrize(
    "kwargs, message",
    [({"shrinkage": 1}, "shrinkage must be a share in \\[0, 1\\)"), ({"occupancy": 0}, "occupancy must be a share in \\(0, 1\\]"),
     ({"days_worked": 6, "days_open": 5}, "days_worked must be at most days_open \\(5\\)"), ({"days_open": 8}, "days_open must be a whole number from 1 to 7"),
     ({"shift_hours": 0}, "shift_hours must be")],
)
def test_reviewer_fte_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        u.reviewer_fte(100, 2, **kwargs)


# --- evaluation size: a sawtooth, and served cases --------------------------------------------------------


def test_issue_power_is_a_sawtooth_and_the_size_returned_stays_above_the_target():
    # budget 6%, true rate 2.4%: 195 cases reach a power of 0.8, then 198-216 and 234-237 fall below it again
    chance = {n: _chance_bound_within(n, 0.024, budget=0.06) for n in range(190, 242)}
    below = [n for n in range(195, 242) if chance[n] < 0.8]
    assert chance[195] >= 0.8 and below == list(range(198, 217)) + list(range(234, 238))
    assert u.cases_to_show_budget(0.06, 0.024, stay_above=False) == 195
    assert u.cases_to_show_budget(0.06, 0.024) == 238


@pytest.mark.parametrize("budget, true_rate, power", [(0.05, 0.02, 0.8), (0.05, 0.01, 0.8), (0.03, 0.012, 0.9), (0.1, 0.05, 0.5)])
def test_cases_to_show_budget_power_stays_above_from_the_answer_on(budget, true_rate, power):
    n = u.cases_to_show_budget(budget, true_rate, power=power)
    n_first = u.cases_to_show_budget(budget, true_rate, power=power, stay_above=False)
    # cross-checked with scipy.stats.binom: sum the chance of every error count whose bound is within budget
    ks = np.arange(0, 3 * n)
    for m in range(n, 3 * n):
        passing = ks[(ks < m) & (stats.beta.ppf(0.95, ks + 1, np.maximum(m - ks, 1e-12)) <= budget)]
        assert stats.binom.cdf(passing.max(), m, true_rate) >= power if len(passing) else False, m
    assert n == n_first or _chance_bound_within(n - 1, true_rate, budget) < power
    assert n_first <= n


def test_cases_to_show_budget_counts_served_cases():
    served = u.cases_to_show_budget(0.05, 0.02)
    assert u.cases_to_show_budget(0.05, 0.02, coverage=0.5) == 2 * served  # serving half: twice the labelled cases
    assert u.cases_to_show_budget(0.05, 0.02, coverage=0.3) == math.ceil(served / 0.3)
    with pytest.raises(ValueError, match="coverage must be a share in \\(0, 1\\]"):
        u.cases_to_show_budget(0.05, 0.02, coverage=0)


def test_issue_tuning_on_the_same_data_breaks_the_promise_and_a_fresh_half_keeps_it():
    sim = u.same_data_tuning(cases=600, true_error_rate=0.055, runs=600, seed=1)
    se = math.sqrt(0.05 * 0.95 / 600)  # Monte Carlo error of a rate near 5% from 600 runs
    assert sim.fixed <= 0.05 + 3 * se and sim.fresh <= 0.05 + 3 * se
    assert sim.searched > 0.05 + 3 * se and sim.searched > 3 * sim.fixed
    # the fixed threshold's rate against its exact value: half the cases served on average,
    # P(declared met) = sum over served counts m of P(m served) × P(errors within the largest k allowed)
    exact = 0.0
    for m in range(1, 601):
        ks = np.arange(0, m)
        ok = ks[stats.beta.ppf(0.95, ks + 1, m - ks) <= 0.05]
        if len(ok):
            exact += stats.binom.pmf(m, 600, 0.5) * stats.binom.cdf(ok.max(), m, 0.055)
    assert abs(sim.fixed - exact) <= 3 * math.sqrt(exact * (1 - exact) / 600) + 1e-9
    assert "declared met in" in str(sim)
    assert u.same_data_tuning(cases=600, runs=50, seed=1) == u.same_data_tuning(cases=600, runs=50, seed=1)
    # the same evaluations, judged one by one with threshold_for_budget and upper_bound
    rng, met = np.random.default_rng(2), np.zeros(3)
    for _ in range(40):
        confidence = rng.random(400)
        correct = rng.random(400) >= 0.055
        top = confidence >= 0.5
        met[0] += u.upper_bound(int((~correct[top]).sum()), int(top.sum())) <= 0.05
        met[1] += u.threshold_for_budget(correct, confidence, 0.05).met
        tuned = u.threshold_for_budget(correct[:200], confidence[:200], 0.05)
        if tuned.met:
            judged = confidence[200:] >= tuned.threshold
            met[2] += u.upper_bound(int((~correct[200:][judged]).sum()), int(judged.sum())) <= 0.05
    fast = u.same_data_tuning(cases=400, runs=40, seed=2)
    assert (fast.fixed, fast.searched, fast.fresh) == tuple(met / 40)
    with pytest.raises(ValueError, match="true_error_rate must be above the budget 0.05"):
        u.same_data_tuning(true_error_rate=0.04)


# --- segments and label noise --------------------------------------------------------------------------------


def test_segment_coverage_against_pandas():
    import pandas as pd

    correct, confidence = random_outcomes(9, n=900)
    segments = np.random.default_rng(99).choice(["chat", "email", "phone"], size=900, p=[0.6, 0.35, 0.05])
    table = u.segment_coverage(correct, confidence, segments, 0.7, max_error_rate=0.2)
    frame = pd.DataFrame({"segment": segments, "served": confidence >= 0.7, "wrong": ~correct})
    for name, group in frame.groupby("segment"):
        served = group[group.served]
        assert table.loc[name, "cases"] == len(group) and table.loc[name, "coverage"] == pytest.approx(len(served) / len(group))
        assert table.loc[name, "error_rate"] == pytest.approx(served.wrong.mean())
        from statsmodels.stats.proportion import proportion_confint

        bound = proportion_confint(int(served.wrong.sum()), len(served), alpha=0.10, method="beta")[1]
        assert table.loc[name, "upper_bound"] == pytest.approx(bound)
        assert table.loc[name, "meets_budget"] == (bound <= 0.2)
    with pytest.raises(ValueError, match="segments must be one segment name per case \\(900 of them\\)"):
        u.segment_coverage(correct, confidence, segments[:5], 0.7)


def test_label_noise_hand_worked_and_inverted():
    # 90% true accuracy, 5% wrong labels, 12 classes: 0.9 × 0.95 + 0.1 × 0.05 / 11 = 0.855 + 0.000455
    assert u.measured_accuracy(0.9, 0.05, 12) == pytest.approx(0.855455, abs=1e-6)
    assert u.accuracy_corrected_for_label_noise(0.855455, 0.05, 12) == pytest.approx(0.9, abs=1e-5)
    assert u.measured_accuracy(0.8, 0, 3) == 0.8
    assert u.accuracy_corrected_for_label_noise(0.01, 0.3, 2) == 0.0  # below what the noise alone gives: clipped
    with pytest.raises(ValueError, match="label_error_rate must be a share from 0 to below 0.5"):
        u.measured_accuracy(0.9, 0.5, 2)
    with pytest.raises(ValueError, match="classes must be a whole number from 2"):
        u.measured_accuracy(0.9, 0.05, 1)


@pytest.mark.parametrize("accuracy, noise, classes", [(0.9, 0.05, 12), (0.8, 0.1, 3), (0.7, 0.2, 5)])
def test_label_noise_formula_against_a_simulation(accuracy, noise, classes):
    rng = np.random.default_rng(11)
    n = 400_000
    truth = rng.integers(classes, size=n)
    other = lambda: (truth + rng.integers(1, classes, size=n)) % classes  # noqa: E731 - a wrong class, at random
    predicted = np.where(rng.random(n) < accuracy, truth, other())
    label = np.where(rng.random(n) < noise, other(), truth)
    measured = (predicted == label).mean()
    assert measured == pytest.approx(u.measured_accuracy(accuracy, noise, classes), abs=4 * math.sqrt(0.25 / n))
    assert u.accuracy_corrected_for_label_noise(measured, noise, classes) == pytest.approx(accuracy, abs=0.005)
