"""Evaluation statistics (lesson 08): every formula against a hand-worked value, brute force,
statsmodels or a simulation; every error names its argument and value."""

import itertools
import math

import numpy as np
import pytest
from scipy import special
from statsmodels.stats.proportion import proportion_confint

from aipm_course import evals as e
from aipm_course.validation import AipmError


def simulate_study(rng, theta, tpr, tnr, n):
    """n traces: the human truth (True = pass) and a judge with the given error rates."""
    human = rng.random(n) < theta
    judge = np.where(human, rng.random(n) < tpr, rng.random(n) >= tnr)
    return human, judge


# --- labels -------------------------------------------------------------------------------------


def test_as_pass_reads_bools_and_words_alike():
    words = ["pass", "fail", "fail", "pass"]
    bools = [True, False, False, True]
    assert e.as_pass(words).tolist() == bools
    assert e.as_pass(np.array(bools)).tolist() == bools
    assert e.as_pass(tuple(np.array(bools))).tolist() == bools
    assert e.as_pass(np.array(words)).dtype == bool


def test_as_pass_returns_a_copy():
    labels = np.array([True, False])
    out = e.as_pass(labels)
    out[0] = False
    assert labels[0]


# --- judge agreement ------------------------------------------------------------------------------


def test_judge_agreement_counts_on_a_hand_made_example():
    #        human: P  P  P  P  P  F  F  F  P  F
    human = ["pass"] * 5 + ["fail"] * 3 + ["pass", "fail"]
    judge = [True, True, True, False, True, True, False, False, True, True]
    # human pass (6): judge pass at 0,1,2,4,8 -> 5 true passes, 1 false fail (position 3)
    # human fail (4): judge pass at 5 and 9 -> 2 false passes, judge fail at 6,7 -> 2 true fails
    a = e.judge_agreement(human, judge)
    assert (a.n, a.true_pass, a.false_fail, a.false_pass, a.true_fail) == (10, 5, 1, 2, 2)
    assert a.tpr == pytest.approx(5 / 6)
    assert a.tnr == pytest.approx(2 / 4)
    assert a.agreement == pytest.approx(7 / 10)
    assert a.human_pass_rate == pytest.approx(6 / 10)
    assert a.judge_pass_rate == pytest.approx(7 / 10)
    assert a.confidence == 0.95


@pytest.mark.parametrize("confidence", [0.8, 0.9, 0.95, 0.99])
@pytest.mark.parametrize("seed", range(3))
def test_judge_agreement_intervals_are_exact_clopper_pearson(confidence, seed):
    human, judge = simulate_study(np.random.default_rng(seed), 0.65, 0.9, 0.7, 90)
    a = e.judge_agreement(human, judge, confidence=confidence)
    alpha = 1 - confidence
    expected_tpr = proportion_confint(a.true_pass, a.true_pass + a.false_fail, alpha=alpha, method="beta")
    expected_tnr = proportion_confint(a.true_fail, a.false_pass + a.true_fail, alpha=alpha, method="beta")
    assert a.tpr_interval == pytest.approx(expected_tpr, abs=1e-9)
    assert a.tnr_interval == pytest.approx(expected_tnr, abs=1e-9)


def test_clopper_pearson_at_the_edges():
    # every human pass passed: TPR 1, the interval reaches 1; no human fail caught: TNR 0, reaches 0
    a = e.judge_agreement([True] * 12 + [False] * 5, [True] * 17)
    assert a.tpr_interval == pytest.approx(proportion_confint(12, 12, alpha=0.05, method="beta"))
    assert a.tnr_interval == pytest.approx(proportion_confint(0, 5, alpha=0.05, method="beta"))
    assert a.tpr_interval[1] == 1.0 and a.tnr_interval[0] == 0.0


def test_a_judge_that_passes_everything_agrees_as_often_as_the_base_rate():
    human, _ = simulate_study(np.random.default_rng(4), 0.8, 1, 1, 300)
    a = e.judge_agreement(human, [True] * 300)
    assert a.agreement == pytest.approx(human.mean())
    assert a.agreement > 0.7
    assert a.tnr == 0.0 and a.tpr == 1.0


def test_judge_agreement_with_no_human_fail_leaves_tnr_undefined():
    a = e.judge_agreement([True, True, True], [True, False, True])
    assert math.isnan(a.tnr) and all(math.isnan(x) for x in a.tnr_interval)
    assert a.tpr == pytest.approx(2 / 3)
    assert "undefined (no human fail label)" in a.summary()


def test_judge_agreement_summary_reads_as_percentages():
    a = e.judge_agreement(["pass"] * 5 + ["fail"] * 3 + ["pass", "fail"],
                          [True, True, True, False, True, True, False, False, True, True])
    text = a.summary()
    assert "70.0%" in text and "83.3%" in text and "50.0%" in text and "95% interval" in text
    assert len(text.splitlines()) <= 2


# --- corrected pass rate ---------------------------------------------------------------------------


def test_corrected_pass_rate_facts_example():
    # (0.72 + 0.80 - 1) / (0.95 + 0.80 - 1) = 0.52 / 0.75 = 0.6933...
    assert e.corrected_pass_rate(0.72, 0.95, 0.80) == pytest.approx(0.693, abs=5e-4)
    assert e.corrected_pass_rate(0.72, 0.95, 0.80) == pytest.approx(52 / 75)


def test_corrected_pass_rate_clips_at_0_and_1():
    # (0.10 + 0.80 - 1) / 0.70 = -0.14 -> 0;  (0.95 + 0.90 - 1) / 0.80 = 1.06 -> 1
    assert e.corrected_pass_rate(0.10, 0.90, 0.80) == 0.0
    assert e.corrected_pass_rate(0.95, 0.90, 0.90) == 1.0


@pytest.mark.parametrize("p", [0.0, 0.13, 0.5, 0.72, 1.0])
def test_a_perfect_judge_returns_its_own_pass_rate(p):
    assert e.corrected_pass_rate(p, 1.0, 1.0) == pytest.approx(p)


@pytest.mark.parametrize("theta,tpr,tnr", [(0.7, 0.9, 0.8), (0.3, 0.95, 0.6), (0.55, 0.7, 0.99)])
def test_corrected_pass_rate_inverts_the_forward_model(theta, tpr, tnr):
    observed = theta * tpr + (1 - theta) * (1 - tnr)  # what such a judge passes on average
    assert e.corrected_pass_rate(observed, tpr, tnr) == pytest.approx(theta)


def make_rate(low, high):
    return e.CorrectedRate(estimate=(low + high) / 2, low=low, high=high, confidence=0.95, observed=0.7,
                           tpr=0.9, tnr=0.8, n_judged=300, n_labelled=150, n_boot=2000, undefined_share=0.0)


def test_gate_decision():
    assert e.gate_decision(make_rate(0.82, 0.9), 0.8) == "ship"
    assert e.gate_decision(make_rate(0.8, 0.9), 0.8) == "ship"
    assert e.gate_decision(make_rate(0.6, 0.79), 0.8) == "block"
    assert e.gate_decision(make_rate(0.75, 0.85), 0.8) == "not shown yet"
    assert e.gate_decision(make_rate(0.7, 0.8), 0.8) == "not shown yet"


def test_corrected_interval_covers_the_true_rate_in_simulated_studies():
    theta, tpr, tnr = 0.7, 0.9, 0.8
    rng = np.random.default_rng(2026)
    covered = 0
    for study in range(200):
        _, verdicts = simulate_study(rng, theta, tpr, tnr, 300)
        human, judge = simulate_study(rng, theta, tpr, tnr, 150)
        rate = e.corrected_pass_rate_interval(verdicts, human, judge, n_boot=500, seed=study)
        covered += rate.low <= theta <= rate.high
    assert covered / 200 >= 0.90


def test_corrected_interval_carries_the_uncertainty_of_the_labelled_split():
    rng = np.random.default_rng(5)
    _, verdicts = simulate_study(rng, 0.7, 0.9, 0.8, 5000)
    small = simulate_study(rng, 0.7, 0.9, 0.8, 60)
    large = simulate_study(rng, 0.7, 0.9, 0.8, 1500)
    narrow = e.corrected_pass_rate_interval(verdicts, *large)
    wide = e.corrected_pass_rate_interval(verdicts, *small)
    assert wide.high - wide.low > 2 * (narrow.high - narrow.low)
    # the judged set alone (5000 traces) would give about +-0.017 on the raw rate
    assert wide.high - wide.low > 0.1


def test_corrected_interval_estimate_and_fields():
    rng = np.random.default_rng(6)
    _, verdicts = simulate_study(rng, 0.7, 0.9, 0.8, 300)
    human, judge = simulate_study(rng, 0.7, 0.9, 0.8, 150)
    rate = e.corrected_pass_rate_interval(verdicts, human, judge)
    tpr = (human & judge).sum() / human.sum()
    tnr = (~human & ~judge).sum() / (~human).sum()
    assert rate.observed == pytest.approx(verdicts.mean())
    assert (rate.tpr, rate.tnr) == pytest.approx((tpr, tnr))
    expected = (verdicts.mean() + tnr - 1) / (tpr + tnr - 1)
    assert rate.estimate == pytest.approx(min(1.0, max(0.0, expected)))
    assert rate.low < rate.estimate < rate.high
    assert (rate.n_judged, rate.n_labelled, rate.n_boot, rate.confidence) == (300, 150, 2000, 0.95)
    assert rate == e.corrected_pass_rate_interval(verdicts, human, judge)  # seeded: same draws
    wider = e.corrected_pass_rate_interval(verdicts, human, judge, confidence=0.99)
    assert wider.low < rate.low and wider.high > rate.high


def test_counts_version_agrees_with_the_array_version_in_distribution():
    rng = np.random.default_rng(7)
    _, verdicts = simulate_study(rng, 0.7, 0.9, 0.8, 300)
    human, judge = simulate_study(rng, 0.7, 0.9, 0.8, 150)
    arrays = e.corrected_pass_rate_interval(verdicts, human, judge, n_boot=10_000, seed=1)
    counts = e.corrected_interval_from_counts(
        int(verdicts.sum()), len(verdicts), int((human & judge).sum()), int((human & ~judge).sum()),
        int((~human & judge).sum()), int((~human & ~judge).sum()), n_boot=10_000, seed=2)
    assert counts.estimate == arrays.estimate
    assert (counts.observed, counts.tpr, counts.tnr) == (arrays.observed, arrays.tpr, arrays.tnr)
    assert (counts.n_judged, counts.n_labelled) == (300, 150)
    # a 2.5% quantile from 10,000 draws moves by about 0.002 between seeds
    assert counts.low == pytest.approx(arrays.low, abs=0.01)
    assert counts.high == pytest.approx(arrays.high, abs=0.01)


def test_undefined_draws_are_dropped_and_counted():
    # a weak judge on a small split: TPR 6/10, TNR 6/10, so many draws have tpr + tnr <= 1
    cells = (6, 4, 4, 6)
    rate = e.corrected_interval_from_counts(120, 200, *cells, n_boot=20_000, seed=3)
    # independent count of such draws: resample the split, count tpr + tnr <= 1 (or undefined)
    rng = np.random.default_rng(11)
    tp, ff, fp, tf = rng.multinomial(20, np.array(cells) / 20, size=200_000).T
    with np.errstate(divide="ignore", invalid="ignore"):
        bad = ~(tp / (tp + ff) + tf / (fp + tf) > 1)
    assert 0.1 < rate.undefined_share < 0.5
    assert rate.undefined_share == pytest.approx(bad.mean(), abs=0.015)
    assert "dropped" in rate.summary()
    assert 0 <= rate.low <= rate.estimate <= rate.high <= 1


def test_corrected_rate_summary():
    rate = e.corrected_interval_from_counts(216, 300, 95, 5, 10, 40, seed=0)
    text = rate.summary()
    assert f"{100 * rate.estimate:.1f}%" in text and f"{100 * rate.low:.1f}%" in text
    assert "72.0%" in text and "95% interval" in text and "300 judged" in text and "150 labelled" in text
    assert "dropped" not in text
    assert len(text.splitlines()) <= 2


# --- labels needed --------------------------------------------------------------------------------


def delta_half_width(tpr, tnr, p, n_judged, n_labels, share, confidence=0.95):
    """The approximate half-width, written out again for the test."""
    theta = min(1, max(0, (p + tnr - 1) / (tpr + tnr - 1)))
    var = (p * (1 - p) / n_judged
           + theta**2 * tpr * (1 - tpr) / (share * n_labels)
           + (1 - theta) ** 2 * tnr * (1 - tnr) / ((1 - share) * n_labels)) / (tpr + tnr - 1) ** 2
    z = {0.9: 1.6448536269514722, 0.95: 1.959963984540054}[confidence]
    return z * math.sqrt(var)


@pytest.mark.parametrize("tpr,tnr,p,n_judged,half_width,share,confidence", [
    (0.95, 0.80, 0.72, 2000, 0.05, 0.7, 0.95),
    (0.90, 0.80, 0.69, 5000, 0.03, 0.7, 0.95),
    (0.85, 0.90, 0.60, 400, 0.08, 0.5, 0.90),
    (0.99, 0.70, 0.80, 10_000, 0.02, 0.8, 0.95),
])
def test_labels_needed_is_the_smallest_size_that_reaches_the_half_width(tpr, tnr, p, n_judged, half_width, share, confidence):
    n = e.labels_needed(tpr, tnr, p, n_judged, half_width, human_pass_share=share, confidence=confidence)
    assert delta_half_width(tpr, tnr, p, n_judged, n, share, confidence) <= half_width
    assert delta_half_width(tpr, tnr, p, n_judged, n - 1, share, confidence) > half_width


def test_labels_needed_roughly_matches_the_bootstrap():
    tpr, tnr, share, n_judged = 0.9, 0.8, 0.7, 2000
    p = share * tpr + (1 - share) * (1 - tnr)  # 0.69: the judge's rate when the true rate is 0.7
    n = e.labels_needed(tpr, tnr, p, n_judged, 0.05, human_pass_share=share)
    cells = [round(n * share * tpr), round(n * share * (1 - tpr)),
             round(n * (1 - share) * (1 - tnr)), round(n * (1 - share) * tnr)]
    rate = e.corrected_interval_from_counts(round(p * n_judged), n_judged, *cells, n_boot=20_000, seed=0)
    assert (rate.high - rate.low) / 2 == pytest.approx(0.05, rel=0.2)


def test_labels_needed_refuses_a_half_width_the_judged_set_cannot_reach():
    # judged set alone: 1.96 * sqrt(0.72 * 0.28 / 280) / 0.75 = 0.070
    with pytest.raises(e.EvalError) as info:
        e.labels_needed(0.95, 0.80, 0.72, 280, 0.05)
    message = str(info.value)
    assert "half_width" in message and "0.05" in message and "n_judged 280" in message and "0.070" in message


# --- agents ---------------------------------------------------------------------------------------


def brute_force(n, c, k):
    tries = [True] * c + [False] * (n - c)
    subsets = list(itertools.combinations(tries, k))
    return (sum(any(s) for s in subsets) / len(subsets), sum(all(s) for s in subsets) / len(subsets))


def test_pass_at_k_and_pass_hat_k_against_every_k_subset():
    for n in range(1, 9):
        for c in range(n + 1):
            for k in range(1, n + 1):
                at_k, hat_k = brute_force(n, c, k)
                assert e.pass_at_k(n, c, k) == pytest.approx(at_k, abs=1e-12), (n, c, k)
                assert e.pass_hat_k(n, c, k) == pytest.approx(hat_k, abs=1e-12), (n, c, k)


def test_pass_at_k_facts_example():
    assert e.pass_at_k(8, 5, 2) == pytest.approx(25 / 28)
    assert e.pass_hat_k(8, 5, 2) == pytest.approx(10 / 28)


def test_pass_at_k_with_large_counts_stays_exact():
    # no overflow and no cancellation: compare with log-gamma arithmetic
    log_comb = lambda a, b: special.gammaln(a + 1) - special.gammaln(b + 1) - special.gammaln(a - b + 1)  # noqa: E731
    assert e.pass_hat_k(2000, 1500, 300) == pytest.approx(math.exp(log_comb(1500, 300) - log_comb(2000, 300)), rel=1e-8)
    miss = math.exp(log_comb(1990, 200) - log_comb(2000, 200))
    assert e.pass_at_k(2000, 10, 200) == pytest.approx(1 - miss, rel=1e-8)
    assert e.pass_at_k(2000, 1999, 2) == 1.0


def test_chain_success():
    assert e.chain_success([0.95] * 10) == pytest.approx(0.5987, abs=5e-5)
    assert e.chain_success(np.array([0.9, 0.5, 1.0])) == pytest.approx(0.45)
    assert e.chain_success([0.3]) == pytest.approx(0.3)
    assert e.chain_success((0.99, 0.0)) == 0.0


def test_cost_per_finished_task_hand_worked():
    # p 0.8, up to 3 attempts: attempts 1 + 0.2 + 0.04 = 1.24; finished 1 - 0.2^3 = 0.992
    t = e.cost_per_finished_task(0.10, 0.8, 3)
    assert t.expected_attempts == pytest.approx(1.24)
    assert t.finished_share == pytest.approx(0.992)
    assert t.cost_per_task == pytest.approx(0.124)
    assert t.cost_per_finished_task == pytest.approx(0.125)
    one = e.cost_per_finished_task(0.10, 0.8)
    assert (one.expected_attempts, one.finished_share) == pytest.approx((1.0, 0.8))
    assert one.cost_per_finished_task == pytest.approx(0.125)
    assert "99.2%" in t.summary() and len(t.summary().splitlines()) <= 2


def test_cost_per_finished_task_edges():
    with pytest.raises(e.EvalError, match=r"success_rate must be above 0.*no task ever finishes.*got 0\.0"):
        e.cost_per_finished_task(2.0, 0.0, 4)
    with pytest.raises(e.EvalError, match=r"max_attempts.*1000"):
        e.cost_per_finished_task(2.0, 0.5, 1001)
    rare = e.cost_per_finished_task(2.0, 0.01, 4)  # hand-worked: 1 - 0.99**4 = 0.03940399 finish
    assert rare.finished_share == pytest.approx(0.03940399) and rare.cost_per_finished_task == pytest.approx(200.0)
    always = e.cost_per_finished_task(2.0, 1.0, 4)
    assert (always.expected_attempts, always.finished_share, always.cost_per_finished_task) == (1.0, 1.0, 2.0)


@pytest.mark.parametrize("p,m", [(0.6, 3), (0.25, 5), (0.9, 1)])
def test_cost_per_finished_task_against_a_simulation(p, m):
    rng = np.random.default_rng(8)
    tasks, cost = 200_000, 3.0
    success = rng.random((tasks, m)) < p
    finished = success.any(axis=1)
    attempts = np.where(finished, success.argmax(axis=1) + 1, m)
    t = e.cost_per_finished_task(cost, p, m)
    assert t.finished_share == pytest.approx(finished.mean(), abs=0.005)
    assert t.expected_attempts == pytest.approx(attempts.mean(), rel=0.01)
    assert t.cost_per_finished_task == pytest.approx(cost * attempts.sum() / finished.sum(), rel=0.01)


def test_guardrail_cost_hand_worked():
    # 10,000 requests, 1% attacks = 100: 90 caught, 10 missed; 9,900 benign x 2% = 198 blocked
    g = e.guardrail_cost(10_000, 0.01, 0.9, 0.02, 2.0, 500.0)
    assert (g.requests, g.attacks, g.caught, g.missed, g.false_blocks) == pytest.approx((10_000, 100, 90, 10, 198))
    assert (g.cost_false_blocks, g.cost_missed, g.total) == pytest.approx((396, 5000, 5396))
    assert "5396" in g.summary()


# --- errors ---------------------------------------------------------------------------------------

VERDICTS = [True, False, True, True]
HUMAN = [True, True, False, False]
JUDGE = [True, False, False, False]


@pytest.mark.parametrize("call,fragments", [
    (lambda: e.as_pass([True, "pass", 1, "fail"]), ["labels[2]", "got 1", "'pass' or 'fail'"]),
    (lambda: e.as_pass(["pass", "Passed"], name="judge"), ["judge[1]", "'Passed'"]),
    (lambda: e.as_pass([True, float("nan")]), ["labels[1]", "nan"]),
    (lambda: e.as_pass([]), ["labels", "non-empty", "got []"]),
    (lambda: e.as_pass("pass"), ["labels", "got 'pass'"]),
    (lambda: e.as_pass([[True, False]]), ["labels", "[[True, False]]"]),
    (lambda: e.judge_agreement([True, False], [True]), ["human", "judge", "same length", "2 and 1"]),
    (lambda: e.judge_agreement([True], [True], confidence=1.0), ["confidence", "(0, 1)", "got 1.0"]),
    (lambda: e.corrected_pass_rate(0.7, 0.6, 0.4), ["tpr + tnr", "tpr 0.6", "tnr 0.4", "no better than chance"]),
    (lambda: e.corrected_pass_rate(0.7, 0.3, 0.5), ["tpr + tnr", "0.8", "no better than chance"]),
    (lambda: e.corrected_pass_rate(float("nan"), 0.9, 0.9), ["observed_pass_rate", "nan", "[0, 1]"]),
    (lambda: e.corrected_pass_rate(0.5, 1.2, 0.9), ["tpr", "1.2", "[0, 1]"]),
    (lambda: e.corrected_pass_rate(0.5, 0.9, -0.1), ["tnr", "-0.1", "[0, 1]"]),
    (lambda: e.corrected_pass_rate_interval([], HUMAN, JUDGE), ["judge_verdicts", "non-empty"]),
    (lambda: e.corrected_pass_rate_interval(VERDICTS, HUMAN, JUDGE[:3]), ["labelled_human", "labelled_judge", "4 and 3"]),
    (lambda: e.corrected_pass_rate_interval(VERDICTS, [True] * 4, JUDGE), ["labelled_human", "4 pass and 0 fail", "TNR is undefined"]),
    (lambda: e.corrected_pass_rate_interval(VERDICTS, [False] * 4, JUDGE), ["labelled_human", "0 pass and 4 fail", "TPR is undefined"]),
    (lambda: e.corrected_pass_rate_interval(VERDICTS, HUMAN, [True, False, True, False]), ["tpr + tnr", "no better than chance"]),
    (lambda: e.corrected_pass_rate_interval(VERDICTS, HUMAN, JUDGE, n_boot=10), ["n_boot", "got 10"]),
    (lambda: e.corrected_pass_rate_interval(VERDICTS, HUMAN, JUDGE, seed=-1), ["seed", "got -1"]),
    (lambda: e.corrected_interval_from_counts(301, 300, 5, 1, 1, 5), ["judged_pass", "301", "judged_total (300)"]),
    (lambda: e.corrected_interval_from_counts(10, 0, 5, 1, 1, 5), ["judged_total", "got 0"]),
    (lambda: e.corrected_interval_from_counts(10, 20, 5, -1, 1, 5), ["false_fail", "got -1"]),
    (lambda: e.corrected_interval_from_counts(10, 20, 5, 1.5, 1, 5), ["false_fail", "got 1.5"]),
    (lambda: e.corrected_interval_from_counts(10, 20, 0, 0, 1, 5), ["0 pass and 6 fail", "TPR is undefined"]),
    (lambda: e.labels_needed(0.9, 0.8, 0.7, 0, 0.05), ["n_judged", "got 0"]),
    (lambda: e.labels_needed(0.9, 0.8, 0.7, 500, 0), ["half_width", "got 0"]),
    (lambda: e.labels_needed(0.9, 0.8, 0.7, 500, 0.05, human_pass_share=1.0), ["human_pass_share", "got 1.0"]),
    (lambda: e.labels_needed(0.5, 0.5, 0.7, 500, 0.05), ["tpr + tnr", "no better than chance"]),
    (lambda: e.gate_decision(0.8, 0.7), ["rate", "CorrectedRate", "got 0.8"]),
    (lambda: e.gate_decision(make_rate(0.7, 0.8), 80), ["minimum", "got 80", "[0, 1]"]),
    (lambda: e.pass_at_k(5, 6, 2), ["c", "got 6", "0 to n (5)"]),
    (lambda: e.pass_at_k(5, 3, 6), ["k", "got 6", "1 to n (5)"]),
    (lambda: e.pass_hat_k(5, 3, 0), ["k", "got 0", "1 to n (5)"]),
    (lambda: e.pass_hat_k(0, 0, 1), ["n", "got 0"]),
    (lambda: e.pass_hat_k(5.0, 3, 1), ["n", "got 5.0"]),
    (lambda: e.chain_success([]), ["step_rates", "non-empty", "got []"]),
    (lambda: e.chain_success([0.9, 1.1]), ["step_rates[1]", "1.1", "[0, 1]"]),
    (lambda: e.chain_success([0.9, float("nan")]), ["step_rates[1]", "nan"]),
    (lambda: e.chain_success(0.9), ["step_rates", "got 0.9"]),
    (lambda: e.cost_per_finished_task(-1, 0.5), ["cost_per_attempt", "got -1"]),
    (lambda: e.cost_per_finished_task(1, 1.5), ["success_rate", "1.5", "[0, 1]"]),
    (lambda: e.cost_per_finished_task(1, 0.5, 0), ["max_attempts", "got 0"]),
    (lambda: e.guardrail_cost(-5, 0.1, 0.9, 0.01, 1, 100), ["requests", "got -5"]),
    (lambda: e.guardrail_cost(100, 0.1, 0.9, float("nan"), 1, 100), ["false_block_rate", "nan"]),
    (lambda: e.guardrail_cost(100, 0.1, 0.9, 0.01, 1, -100), ["cost_missed_attack", "got -100"]),
])
def test_errors_name_the_argument_and_the_value(call, fragments):
    with pytest.raises(e.EvalError) as info:
        call()
    assert isinstance(info.value, AipmError)
    for fragment in fragments:
        assert fragment in str(info.value)
