"""Experiments that lie (lesson 05): peeking, sequential lines, sample-ratio mismatch, whole weeks,
novelty and interleaving. Every number is checked against an independent implementation (scipy's
multivariate normal, scipy.stats.chisquare, statsmodels' z-test, a Brownian-motion Monte Carlo) or a
published or hand-worked value; simulated rates are asserted within 3 Monte Carlo standard errors."""

import math
import time

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportions_ztest

from aipm_course import experiments as e
from aipm_course.validation import AipmError


def no_crossing_by_mvn(bounds, information=None):
    """P(|Z_k| < b_k at every look) from scipy's multivariate normal: corr(Z_i, Z_j) = √(t_i/t_j), i ≤ j."""
    k = len(bounds)
    t = np.arange(1, k + 1) / k if information is None else np.asarray(information, float)
    cov = np.sqrt(np.minimum.outer(t, t) / np.maximum.outer(t, t))
    b = np.asarray(bounds, float)
    mvn = stats.multivariate_normal(mean=np.zeros(k), cov=cov, allow_singular=False)
    return float(mvn.cdf(b, lower_limit=-b, rng=np.random.default_rng(0)))


def brownian_crossing(bounds, paths=200_000, seed=1):
    """The share of simulated Brownian paths, read at equal steps, that cross |z| ≥ bound at some look."""
    k = len(bounds)
    rng = np.random.default_rng(seed)
    s = rng.standard_normal((paths, k)).cumsum(axis=1)
    z = np.abs(s) / np.sqrt(np.arange(1, k + 1))
    return float(np.mean((z >= np.asarray(bounds)).any(axis=1)))


# --- crossing probabilities ----------------------------------------------------------------------


def test_one_look_is_alpha():
    assert e.peeking_false_positive_rate(1) == pytest.approx(0.05, abs=1e-12)
    assert e.peeking_false_positive_rate(1, alpha=0.01) == pytest.approx(0.01, abs=1e-12)


@pytest.mark.parametrize("looks, published", [(5, 0.142), (10, 0.193), (20, 0.248), (50, 0.320)])
def test_repeated_looks_match_armitage_mcpherson_and_rowe(looks, published):
    # Armitage, McPherson and Rowe (1969), repeated significance tests at the 5% level, equal steps
    assert e.peeking_false_positive_rate(looks) == pytest.approx(published, abs=0.0015)


@pytest.mark.parametrize("bounds", [[1.96] * 3, [2.5, 2.2, 2.0], [1.96] * 8, [3.0, 1.5, 2.5, 2.0]])
def test_crossing_probability_agrees_with_scipys_multivariate_normal(bounds):
    assert e.crossing_probability(bounds) == pytest.approx(1 - no_crossing_by_mvn(bounds), abs=2e-4)


def test_crossing_probability_with_unequal_looks_agrees_with_scipy():
    t = [0.1, 0.25, 0.7, 1.0]
    bounds = [2.8, 2.4, 2.1, 2.0]
    assert e.crossing_probability(bounds, t) == pytest.approx(1 - no_crossing_by_mvn(bounds, t), abs=2e-4)


def test_fourteen_daily_looks_agree_with_a_brownian_monte_carlo():
    exact = e.peeking_false_positive_rate(14)
    mc = brownian_crossing([stats.norm.isf(0.025)] * 14)
    se = math.sqrt(mc * (1 - mc) / 200_000)
    assert abs(exact - mc) < 3 * se
    assert f"{exact:.0%}" == "22%"  # the FACTS figure: about 22% of A/A tests read daily for 14 days
    # the looks are correlated: far fewer false alarms than 14 independent tests, more than one
    assert 0.05 < exact < 1 - 0.95**14


# --- sequential lines ----------------------------------------------------------------------------


def test_obrien_fleming_type_lines_match_the_published_table():
    # Lan–DeMets O'Brien–Fleming-type spending, five equal looks, two-sided α = 0.05 (e.g. Jennison and
    # Turnbull's tables; gsDesign and ldbounds give the same): 4.877, 3.357, 2.680, 2.290, 2.031
    assert e.sequential_bounds(5) == pytest.approx([4.877, 3.357, 2.680, 2.290, 2.031], abs=1.5e-3)


@pytest.mark.parametrize("method", ["obrien-fleming", "pocock"])
@pytest.mark.parametrize("looks", [2, 4])
def test_spending_lines_spend_what_their_function_says_by_scipy(method, looks):
    bounds = e.sequential_bounds(looks, 0.05, method)
    t = np.arange(1, looks + 1) / looks
    if method == "obrien-fleming":  # each side spends 2 − 2Φ(z_{1−α/4}/√t)
        spent = 2 * 2 * stats.norm.sf(stats.norm.isf(0.0125) / np.sqrt(t))
    else:  # α·ln(1 + (e − 1)t)
        spent = 0.05 * np.log(1 + (math.e - 1) * t)
    for k in range(1, looks + 1):
        crossed_by_k = 1 - no_crossing_by_mvn(bounds[:k], t[:k] / t[k - 1]) if k > 1 else 2 * stats.norm.sf(bounds[0])
        assert crossed_by_k == pytest.approx(spent[k - 1], abs=3e-4)
    assert e.crossing_probability(bounds) == pytest.approx(0.05, abs=1e-6)


def test_the_methods_have_their_shapes():
    obf = e.sequential_bounds(14, method="obrien-fleming")
    pocock = e.sequential_bounds(14, method="pocock")
    assert all(a > b for a, b in zip(obf, obf[1:]))  # strict early, easing
    assert obf[-1] == pytest.approx(2.10, abs=0.02) and obf[0] > 7  # near the plain 1.96 at the end
    assert max(pocock) - min(pocock) < 0.3 < max(obf) - min(obf)  # about the same line at every look
    assert e.sequential_bounds(14, method="bonferroni") == pytest.approx([stats.norm.isf(0.05 / 28)] * 14)
    assert e.sequential_bounds(14, method="none") == pytest.approx([stats.norm.isf(0.025)] * 14)
    # Bonferroni is safe but stricter than it needs to be
    assert e.crossing_probability(e.sequential_bounds(14, method="bonferroni")) < 0.03


def test_bounds_with_unequal_looks_spend_alpha():
    t = [0.2, 0.5, 1.0]
    bounds = e.sequential_bounds(3, information=t)
    assert e.crossing_probability(bounds, t) == pytest.approx(0.05, abs=1e-6)
    assert 1 - no_crossing_by_mvn(bounds, t) == pytest.approx(0.05, abs=3e-4)


# --- simulated A/A tests read every day ----------------------------------------------------------


def within_mc_error(rate, truth, tests):
    return abs(rate - truth) <= 3 * math.sqrt(truth * (1 - truth) / tests)


def test_daily_peeking_simulation_agrees_with_the_exact_rate_and_one_look_stays_near_alpha():
    start = time.perf_counter()
    result = e.simulate_peeking(tests=10_000, days=14, users_per_day=500, rate=0.10, seed=0)
    assert time.perf_counter() - start < 1.0  # what the lesson runs
    assert within_mc_error(result.any_look_rate, e.peeking_false_positive_rate(14), 10_000)
    assert within_mc_error(result.final_look_rate, 0.05, 10_000)
    assert result.standard_error == pytest.approx(math.sqrt(result.any_look_rate * (1 - result.any_look_rate) / 10_000))
    assert list(result.stopped_by_day) == sorted(result.stopped_by_day) and result.stopped_by_day[-1] == result.any_look_rate
    assert str(result).startswith("10,000 tests over 14 days, read every day at the plain line: ")


@pytest.mark.parametrize("method", ["obrien-fleming", "pocock"])
def test_a_sequential_correction_keeps_the_simulated_false_positive_rate_near_alpha(method):
    result = e.simulate_peeking(tests=20_000, method=method, seed=1)
    assert within_mc_error(result.any_look_rate, 0.05, 20_000)
    assert result.bounds == tuple(e.sequential_bounds(14, method=method))


def test_bonferroni_stays_below_alpha_in_simulation():
    result = e.simulate_peeking(tests=20_000, method="bonferroni", seed=2)
    exact = e.crossing_probability(e.sequential_bounds(14, method="bonferroni"))
    assert within_mc_error(result.any_look_rate, exact, 20_000) and result.any_look_rate < 0.05


def test_the_simulation_reads_each_day_with_the_pooled_z_test_of_statsmodels():
    # the same draws, read one test and one day at a time by statsmodels' pooled two-proportion z-test
    tests, days, users = 200, 6, 300
    result = e.simulate_peeking(tests=tests, days=days, users_per_day=users, rate=0.2, seed=7)
    rng = np.random.default_rng(7)
    a = rng.binomial(users, 0.2, size=(tests, days)).cumsum(axis=1)
    b = rng.binomial(users, 0.2, size=(tests, days)).cumsum(axis=1)
    line = stats.norm.isf(0.025)
    stopped = np.zeros(tests, bool)
    by_day = []
    for d in range(days):
        n = users * (d + 1)
        for i in range(tests):
            z, _ = proportions_ztest([b[i, d], a[i, d]], [n, n])
            stopped[i] |= abs(z) >= line
        by_day.append(stopped.mean())
    assert result.stopped_by_day == pytest.approx(by_day)
    final = np.mean([abs(proportions_ztest([b[i, -1], a[i, -1]], [users * days] * 2)[0]) >= line for i in range(tests)])
    assert result.final_look_rate == pytest.approx(final)


def test_a_real_lift_is_found_by_the_corrected_test_with_little_power_lost():
    # 10% -> 12% with 7,000 users an arm: a one-look test has about 98% power; O'Brien–Fleming lines keep nearly all of it
    power = stats.norm.sf(stats.norm.isf(0.025) - 0.02 / math.sqrt(0.1 * 0.9 / 7_000 + 0.12 * 0.88 / 7_000))
    result = e.simulate_peeking(tests=4_000, treatment_rate=0.12, method="obrien-fleming", seed=3)
    assert within_mc_error(result.final_look_rate, power, 4_000)
    assert result.any_look_rate > power - 0.03
    # and it stops early: half the tests have stopped within the first 9 days
    assert result.stopped_by_day[8] > 0.5


def test_the_same_seed_gives_the_same_result():
    assert e.simulate_peeking(tests=500, seed=4) == e.simulate_peeking(tests=500, seed=4)
    assert e.simulate_peeking(tests=500, seed=4) != e.simulate_peeking(tests=500, seed=5)


# --- sample-ratio mismatch ------------------------------------------------------------------------


@pytest.mark.parametrize("counts, planned", [
    ([50_600, 49_400], (0.5, 0.5)),
    ([10_120, 9_880], (0.5, 0.5)),
    ([95_400, 4_600], (0.95, 0.05)),
    ([3_310, 3_400, 3_290], (1 / 3, 1 / 3, 1 / 3)),
    ([0, 12], (0.5, 0.5)),
])
def test_srm_agrees_with_scipys_chisquare(counts, planned):
    result = e.sample_ratio_mismatch(counts, planned)
    expected = np.asarray(planned) * sum(counts)
    reference = stats.chisquare(counts, expected)
    assert result.statistic == pytest.approx(reference.statistic)
    assert result.p_value == pytest.approx(reference.pvalue, rel=1e-9)
    assert result.expected == pytest.approx(tuple(expected))
    assert result.degrees_of_freedom == len(counts) - 1
    assert result.mismatch == (reference.pvalue < 0.001)


def test_a_split_that_looks_fine_can_be_a_mismatch():
    # 50.6% against 49.4% of 100,000 users: χ² = 2 × 600² / 50,000 = 14.4, p ≈ 0.00015, an alarm
    result = e.sample_ratio_mismatch([50_600, 49_400])
    assert result.statistic == pytest.approx(14.4)
    assert result.mismatch and str(result).startswith("χ² = 14.4 on 1 degree of freedom, p = 0.000148: sample-ratio mismatch")
    # the same shares on 20,000 users are chance
    small = e.sample_ratio_mismatch([10_120, 9_880])
    assert small.statistic == pytest.approx(2 * 120**2 / 10_000) and not small.mismatch
    assert "no mismatch" in str(small)
    # a canary planned at 5% is judged against 5%, not an even split
    assert not e.sample_ratio_mismatch([95_050, 4_950], (0.95, 0.05)).mismatch


@pytest.mark.parametrize("kwargs, name", [
    (dict(counts=[100]), "counts"), (dict(counts="100,200"), "counts"), (dict(counts=[0, 0]), "counts"),
    (dict(counts=[10, -1]), "counts"), (dict(counts=[10.5, 3]), "counts"), (dict(counts=[10, 20], planned=(0.5, 0.6)), "planned"),
    (dict(counts=[10, 20], planned=(1.0,)), "planned"), (dict(counts=[10, 20], alarm=0), "alarm"),
    (dict(counts=[10, 20, 30]), "counts"),  # three arms against the default two-way split
])
def test_srm_refuses_bad_input_by_name(kwargs, name):
    with pytest.raises(AipmError, match=f"^{name} must be"):
        e.sample_ratio_mismatch(**kwargs)


# --- whole weeks, novelty and primacy -------------------------------------------------------------


@pytest.mark.parametrize("needed, days", [(0.5, 7), (3, 7), (7, 7), (7.2, 14), (9, 14), (14, 14), (15, 21), (50, 56)])
def test_full_week_days(needed, days):
    assert e.full_week_days(needed) == days


@pytest.mark.parametrize("bad", [0, -3, float("nan"), "7", None])
def test_full_week_days_refuses_bad_input(bad):
    with pytest.raises(AipmError, match="^days_needed must be"):
        e.full_week_days(bad)


def test_novelty_fades_by_its_half_life_and_weekends_have_their_own_effect():
    novelty = e.daily_effects(10, lasting_effect=0.01, first_day_extra=0.04, half_life_days=3)
    assert novelty[0] == pytest.approx(0.05) and novelty[3] == pytest.approx(0.01 + 0.02) and novelty[6] == pytest.approx(0.01 + 0.01)
    assert all(a > b for a, b in zip(novelty, novelty[1:]))
    primacy = e.daily_effects(10, lasting_effect=0.01, first_day_extra=-0.03, half_life_days=2)
    assert primacy[0] == pytest.approx(-0.02) and primacy[2] == pytest.approx(0.01 - 0.015)
    # day 1 a Monday: days 6 and 7 are the weekend
    weekly = e.daily_effects(14, lasting_effect=0.03, weekend_effect=-0.01)
    assert list(weekly[:7]) == pytest.approx([0.03] * 5 + [-0.01] * 2)
    assert weekly[:7].mean() == pytest.approx((5 * 0.03 - 2 * 0.01) / 7)
    # a stage that starts on a Thursday: its first four days hold a weekend
    assert list(e.daily_effects(4, 0.03, weekend_effect=-0.01, first_weekday=3)) == pytest.approx([0.03, 0.03, -0.01, -0.01])


# --- interleaving ----------------------------------------------------------------------------------


def is_team_draft(merged, a, b):
    """Each pick is its team's best item not yet shown, and neither team ever leads by more than one."""
    shown, counts = [], {"A": 0, "B": 0}
    for item, team in zip(merged.items, merged.teams):
        source = a if team == "A" else b
        best = next((x for x in source if x not in shown), None)
        if best is not None and item != best:
            return False
        shown.append(item)
        counts[team] += 1
        if abs(counts["A"] - counts["B"]) > 1 and best is not None:
            return False
    return True


@pytest.mark.parametrize("seed", range(20))
def test_team_draft_is_a_fair_merge(seed):
    a = ["refund-policy", "returns", "shipping", "warranty", "contact"]
    b = ["returns", "warranty", "refund-policy", "gift-cards", "shipping"]
    merged = e.team_draft_interleave(a, b, seed=seed)
    assert sorted(merged.items) == sorted(set(a) | set(b))
    assert is_team_draft(merged, a, b)
    short = e.team_draft_interleave(a, b, length=4, seed=seed)
    assert len(short.items) == 4 and short.items == merged.items[:4]


def test_identical_rankings_interleave_to_themselves_and_the_coin_is_fair():
    a = list("abcdef")
    assert e.team_draft_interleave(a, a, seed=3).items == tuple(a)
    firsts = [e.team_draft_interleave(["x", "y"], ["y", "x"], seed=s).teams[0] for s in range(400)]
    assert 160 <= firsts.count("A") <= 240


def test_interleaving_credit_by_hand():
    merged = e.Interleaved(items=("returns", "refund-policy", "warranty", "shipping"), teams=("B", "A", "B", "A"))
    assert e.interleaving_credit(merged, ["refund-policy"]) == {"A": 1, "B": 0, "winner": "A"}
    assert e.interleaving_credit(merged, ["returns", "warranty", "shipping"]) == {"A": 1, "B": 2, "winner": "B"}
    assert e.interleaving_credit(merged, []) == {"A": 0, "B": 0, "winner": "tie"}
    with pytest.raises(AipmError, match="^clicked must be items of the list shown"):
        e.interleaving_credit(merged, ["gift-cards"])
    with pytest.raises(AipmError, match="^interleaved must be"):
        e.interleaving_credit(["returns"], ["returns"])


@pytest.mark.parametrize("kwargs, name", [
    (dict(ranking_a=[], ranking_b=["x"]), "ranking_a"), (dict(ranking_a=["x"], ranking_b="xy"), "ranking_b"),
    (dict(ranking_a=["x", "x"], ranking_b=["y"]), "ranking_a"), (dict(ranking_a=["x"], ranking_b=["y"], length=3), "length"),
])
def test_team_draft_refuses_bad_input_by_name(kwargs, name):
    with pytest.raises(AipmError, match=f"^{name} must be"):
        e.team_draft_interleave(**kwargs)


# --- errors ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("call, name", [
    (lambda: e.peeking_false_positive_rate(0), "looks"),
    (lambda: e.peeking_false_positive_rate(500), "looks"),
    (lambda: e.peeking_false_positive_rate(5, alpha=0.7), "alpha"),
    (lambda: e.sequential_bounds(5, method="wald"), "method"),
    (lambda: e.sequential_bounds(3, information=[0.5, 0.4, 1.0]), "information"),
    (lambda: e.sequential_bounds(3, information=[0.2, 0.5]), "information"),
    (lambda: e.crossing_probability([1.96, -1]), "bounds"),
    (lambda: e.crossing_probability([]), "bounds"),
    (lambda: e.simulate_peeking(tests=10), "tests"),
    (lambda: e.simulate_peeking(rate=1), "rate"),
    (lambda: e.simulate_peeking(treatment_rate=0), "treatment_rate"),
    (lambda: e.simulate_peeking(seed=-1), "seed"),
])
def test_bad_arguments_are_refused_by_name(call, name):
    with pytest.raises(AipmError, match=f"^{name} must be"):
        call()


# --- the lesson's figures ------------------------------------------------------------------------


def test_peeking_plot_draws_each_methods_lines_and_stopped_shares():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from aipm_course import plots

    results = {"plain": e.simulate_peeking(tests=500, days=7, seed=1), "OBF": e.simulate_peeking(tests=500, days=7, method="obrien-fleming", seed=1)}
    fig = plots.peeking_plot(results)
    left, right = fig.axes
    assert [list(line.get_ydata()) for line in left.get_lines()] == [list(r.bounds) for r in results.values()]
    stopped = [line for line in right.get_lines() if len(line.get_xdata()) == 7]
    assert [list(line.get_ydata()) for line in stopped] == [list(r.stopped_by_day) for r in results.values()]
    assert any(t.get_text() == "alpha: 0.05" for t in right.get_legend().get_texts())
    plt.close(fig)
    with pytest.raises(AipmError, match="^results must be"):
        plots.peeking_plot({"a": 0.2})
    with pytest.raises(AipmError, match="^results must be results over the same number of days"):
        plots.peeking_plot({"a": results["plain"], "b": e.simulate_peeking(tests=500, days=5)})


def test_novelty_plot_shows_the_running_average_a_stage_would_measure():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from aipm_course import plots

    effects = e.daily_effects(14, 0.01, 0.04, 3)
    fig = plots.novelty_plot(effects, 0.01)
    daily, running = fig.axes[0].get_lines()[:2]
    assert list(daily.get_ydata()) == pytest.approx(list(effects * 100))
    # a stage that ends on day d measures the mean of days 1..d, by hand
    assert list(running.get_ydata()) == pytest.approx([sum(effects[:d]) / d * 100 for d in range(1, 15)])
    plt.close(fig)
    with pytest.raises(AipmError, match="^lasting_effect must be"):
        plots.novelty_plot(effects, 2)
