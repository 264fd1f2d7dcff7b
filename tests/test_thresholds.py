"""aipm_course.thresholds: every number checked against scikit-learn, a plain-Python loop or a
value worked out by hand, never against numbers copied from the code under test.

A case is flagged when its score is at or above the threshold (score >= threshold).
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    precision_recall_curve,
    precision_score,
    recall_score,
    roc_curve,
)

from aipm_course.scenarios import card_fraud
from aipm_course.thresholds import (
    BestThreshold,
    ConfusionCounts,
    SortedScores,
    bayes_threshold,
    best_threshold,
    confusion_table,
    correct_for_resampling,
    cost_curve,
    expected_cost_per_case,
    metrics_at,
    precision_at_prevalence,
    segment_metrics,
    threshold_for_capacity,
)

FAST = settings(max_examples=40, deadline=None)


# --------------------------------------------------------------------------------------------
# Independent references: plain Python and scikit-learn
# --------------------------------------------------------------------------------------------


def brute_counts(y, scores, threshold):
    """(tp, fp, fn, tn) by looking at every case, flagging score >= threshold."""
    tp = fp = fn = tn = 0
    for label, score in zip(list(y), list(scores)):
        flagged = score >= threshold
        if label == 1 and flagged:
            tp += 1
        elif label == 1:
            fn += 1
        elif flagged:
            fp += 1
        else:
            tn += 1
    return tp, fp, fn, tn


def brute_cost(y, scores, threshold, cost_fp, cost_fn, cost_tp=0.0, cost_tn=0.0):
    tp, fp, fn, tn = brute_counts(y, scores, threshold)
    return (tp * cost_tp + fp * cost_fp + fn * cost_fn + tn * cost_tn) / len(y)


def candidate_thresholds(scores):
    """+inf (flag nothing), then every distinct score, highest first."""
    return [math.inf] + sorted(set(float(s) for s in scores), reverse=True)


def sklearn_counts(y, scores, threshold):
    tn, fp, fn, tp = confusion_matrix(y, (np.asarray(scores) >= threshold).astype(int), labels=[0, 1]).ravel()
    return int(tp), int(fp), int(fn), int(tn)


def tied_data(seed, n=400, decimals=2):
    """Scores rounded to two decimals (many ties), labels more likely at high scores."""
    rng = np.random.default_rng(seed)
    scores = np.round(rng.random(n), decimals)
    y = (rng.random(n) < 0.1 + 0.6 * scores).astype(int)
    return y, scores


def probe_thresholds(scores):
    """Each distinct score (ties), midpoints between them, and values outside the range."""
    distinct = np.unique(scores)
    mids = (distinct[:-1] + distinct[1:]) / 2
    outside = [distinct[0] - 1e-9, distinct[0] - 1, distinct[-1] + 1e-9, distinct[-1] + 1, -math.inf, math.inf]
    return [float(t) for t in np.r_[distinct, mids, outside]]


def calibrated_data(n, seed):
    """Scores that are the true chance of the label: the best threshold should be near Bayes'."""
    rng = np.random.default_rng(seed)
    p = rng.beta(1, 8, size=n)
    return (rng.random(n) < p).astype(int), p


@st.composite
def labelled_scores(draw, max_size=40):
    n = draw(st.integers(1, max_size))
    y = draw(st.lists(st.integers(0, 1), min_size=n, max_size=n))
    score = st.one_of(
        st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0]),  # ties
        st.floats(-5, 5, allow_nan=False, allow_infinity=False),
    )
    s = draw(st.lists(score, min_size=n, max_size=n))
    return np.array(y), np.array(s, dtype=float)


@st.composite
def integer_costs(draw):
    """Whole-number costs with cost_tp <= cost_fn, cost_tn <= cost_fp and some error costing something."""
    cost_fp = draw(st.integers(0, 1000))
    cost_fn = draw(st.integers(0, 1000))
    cost_tp = draw(st.integers(0, cost_fn))
    cost_tn = draw(st.integers(0, cost_fp))
    if cost_fp - cost_tn + cost_fn - cost_tp == 0:
        cost_fn, cost_tp = cost_fn + 1, 0
    return cost_fp, cost_fn, cost_tp, cost_tn


# --------------------------------------------------------------------------------------------
# Closed forms
# --------------------------------------------------------------------------------------------


def test_precision_at_prevalence_hand_worked():
    # 0.1% prevalence, TPR 0.9, FPR 1%: 0.0009 / (0.0009 + 0.999 * 0.01)
    assert precision_at_prevalence(0.9, 0.01, 0.001) == pytest.approx(0.0009 / (0.0009 + 0.00999))
    assert precision_at_prevalence(0.9, 0.01, 0.001) == pytest.approx(0.0826, abs=5e-5)
    # equal rates at 50% prevalence: half the alerts are real
    assert precision_at_prevalence(0.3, 0.3, 0.5) == pytest.approx(0.5)
    # no false positives: every alert is real; nothing flagged: precision reads 0
    assert precision_at_prevalence(0.7, 0.0, 0.2) == pytest.approx(1.0)
    assert precision_at_prevalence(0.0, 0.0, 0.2) == 0.0


def test_precision_at_prevalence_matches_counting_a_population():
    # 1,000,000 people, 2% positive: 20,000 positives of whom 80% flagged, 980,000 negatives of whom 5%
    flagged_real, flagged_false = 0.8 * 20_000, 0.05 * 980_000
    assert precision_at_prevalence(0.8, 0.05, 0.02) == pytest.approx(flagged_real / (flagged_real + flagged_false))


@pytest.mark.parametrize("prevalence", [0, 1, 1.5, -0.1, float("nan"), float("inf"), True, "0.1", None])
def test_precision_at_prevalence_rejects_bad_prevalence(prevalence):
    with pytest.raises(ValueError, match="prevalence"):
        precision_at_prevalence(0.9, 0.01, prevalence)


@pytest.mark.parametrize(("name", "args"), [("tpr", (1.2, 0.01, 0.1)), ("tpr", (-0.1, 0.01, 0.1)), ("fpr", (0.9, 1.5, 0.1)), ("fpr", (0.9, float("nan"), 0.1))])
def test_precision_at_prevalence_rejects_bad_rates(name, args):
    with pytest.raises(ValueError, match=name):
        precision_at_prevalence(*args)


def test_bayes_threshold_hand_worked():
    assert bayes_threshold(5, 500) == pytest.approx(5 / 505)
    assert bayes_threshold(5, 500) == pytest.approx(0.0099, abs=1e-4)
    assert bayes_threshold(1, 1) == pytest.approx(0.5)
    assert bayes_threshold(0, 10) == 0.0  # false alarms are free: flag everything
    assert bayes_threshold(10, 0) == 1.0  # misses are free: flag only certainties
    # with costs for correct decisions: (10 - 2) / ((10 - 2) + (100 - 20)) = 8 / 88
    assert bayes_threshold(cost_fp=10, cost_fn=100, cost_tp=20, cost_tn=2) == pytest.approx(8 / 88)


@pytest.mark.parametrize(("cost_fp", "cost_fn", "cost_tp", "cost_tn"), [(5, 500, 0, 0), (10, 100, 20, 2), (3, 7, 7, 1), (1, 2, 0.5, 0.25)])
def test_bayes_threshold_is_where_flagging_and_not_flagging_cost_the_same(cost_fp, cost_fn, cost_tp, cost_tn):
    t = bayes_threshold(cost_fp, cost_fn, cost_tp, cost_tn)
    flag = t * cost_tp + (1 - t) * cost_fp  # expected cost of flagging a case with P(positive) = t
    leave = t * cost_fn + (1 - t) * cost_tn
    assert flag == pytest.approx(leave)
    # just above t flagging is cheaper, just below it is dearer
    above, below = min(t + 0.01, 1), max(t - 0.01, 0)
    assert above * cost_tp + (1 - above) * cost_fp <= above * cost_fn + (1 - above) * cost_tn + 1e-12
    assert below * cost_tp + (1 - below) * cost_fp >= below * cost_fn + (1 - below) * cost_tn - 1e-12


@pytest.mark.parametrize("name", ["cost_fp", "cost_fn", "cost_tp", "cost_tn"])
def test_bayes_threshold_rejects_a_negative_cost_by_name(name):
    costs = {"cost_fp": 5, "cost_fn": 500, "cost_tp": 0, "cost_tn": 0} | {name: -3}
    with pytest.raises(ValueError, match=rf"{name}.*-3"):
        bayes_threshold(**costs)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), True, "5", None])
def test_bayes_threshold_rejects_non_numbers(bad):
    with pytest.raises(ValueError, match="cost_fp"):
        bayes_threshold(bad, 500)


def test_bayes_threshold_rejects_costs_where_no_error_costs_anything():
    with pytest.raises(ValueError):
        bayes_threshold(0, 0)
    with pytest.raises(ValueError):
        bayes_threshold(0, 0, 0, 0)
    with pytest.raises(ValueError):
        bayes_threshold(5, 7, cost_tp=7, cost_tn=5)  # each error costs exactly what the right call does


def test_bayes_threshold_rejects_a_correct_decision_dearer_than_the_error():
    with pytest.raises(ValueError, match=r"cost_tn.*7") as info:
        bayes_threshold(cost_fp=5, cost_fn=500, cost_tn=7)
    assert "cost_fp" in str(info.value) and "5" in str(info.value)
    with pytest.raises(ValueError, match=r"cost_tp=600"):
        bayes_threshold(cost_fp=5, cost_fn=500, cost_tp=600)


def test_expected_cost_per_case_hand_worked():
    # 3 caught at 1 each, 10 false alarms at 5, 2 misses at 500, 85 left alone at 0: 1053 / 100
    assert expected_cost_per_case(3, 10, 2, 85, cost_fp=5, cost_fn=500, cost_tp=1) == pytest.approx(10.53)
    assert isinstance(expected_cost_per_case(3, 10, 2, 85, 5, 500), float)
    out = expected_cost_per_case([0, 1], [0, 1], [1, 0], [1, 0], 2, 10)
    assert out == pytest.approx([10 / 2, 2 / 2])  # row 1: one miss; row 2: one false alarm


def test_correct_for_resampling_hand_worked():
    # trained at 50% positives, deployed at 1%: a 0.5 score becomes 0.01
    assert correct_for_resampling(0.5, 0.5, 0.01) == pytest.approx(0.01)
    # by odds: 0.8 is odds 4; the prior odds go from 1 to 1/9, so odds 4/9 -> p = 4/13
    assert correct_for_resampling(0.8, 0.5, 0.1) == pytest.approx(4 / 13)
    assert correct_for_resampling(0.0, 0.3, 0.1) == 0.0
    assert correct_for_resampling(1.0, 0.3, 0.1) == pytest.approx(1.0)
    assert isinstance(correct_for_resampling(0.5, 0.5, 0.01), float)


def test_correct_for_resampling_identity_and_round_trip():
    p = np.linspace(0, 1, 11)
    assert correct_for_resampling(p, 0.2, 0.2) == pytest.approx(p)
    there = correct_for_resampling(p, 0.5, 0.02)
    assert there.shape == p.shape
    assert correct_for_resampling(there, 0.02, 0.5) == pytest.approx(p)
    assert np.all(np.diff(there) > 0)  # the order of cases is kept


@pytest.mark.parametrize(("args", "name"), [((1.5, 0.5, 0.1), "p"), ((-0.1, 0.5, 0.1), "p"), ((float("nan"), 0.5, 0.1), "p"), ((0.5, 0, 0.1), "train_prevalence"), ((0.5, 0.5, 1), "deployed_prevalence")])
def test_correct_for_resampling_rejects_bad_values(args, name):
    with pytest.raises(ValueError, match=name):
        correct_for_resampling(*args)


# --------------------------------------------------------------------------------------------
# Counts at a threshold, and at every threshold
# --------------------------------------------------------------------------------------------


def test_a_score_equal_to_the_threshold_is_flagged():
    y, s = [0, 1, 1, 0], [0.2, 0.5, 0.5, 0.7]
    c = metrics_at(y, s, 0.5)
    assert (c.tp, c.fp, c.fn, c.tn) == (2, 1, 0, 1)
    c = metrics_at(y, s, 0.5000001)
    assert (c.tp, c.fp, c.fn, c.tn) == (0, 1, 2, 1)


@pytest.mark.parametrize(("seed", "decimals"), [(0, 2), (1, 1)])
def test_counts_at_match_sklearn_with_ties_and_outside_the_range(seed, decimals):
    y, s = tied_data(seed, decimals=decimals)
    sorted_scores = SortedScores(y, s)
    for t in probe_thresholds(s):
        c = sorted_scores.counts_at(t)
        assert (c.tp, c.fp, c.fn, c.tn) == sklearn_counts(y, s, t), t
        assert c.threshold == t
    assert (sorted_scores.n, sorted_scores.positives, sorted_scores.negatives) == (len(y), int(y.sum()), int((y == 0).sum()))


def test_counts_at_match_a_plain_loop_on_a_small_hand_set():
    y, s = [1, 0, 1, 0, 0, 1], [0.9, 0.9, 0.4, 0.4, 0.1, 0.1]
    sorted_scores = SortedScores(y, s)
    for t in [-1, 0.1, 0.2, 0.4, 0.5, 0.9, 0.95, math.inf]:
        c = sorted_scores.counts_at(t)
        assert (c.tp, c.fp, c.fn, c.tn) == brute_counts(y, s, t)


@pytest.mark.parametrize(("seed", "decimals"), [(0, 2), (1, 1)])
def test_confusion_table_rows_match_sklearn(seed, decimals):
    y, s = tied_data(seed, decimals=decimals)
    table = confusion_table(y, s)
    assert table.thresholds[0] == math.inf
    assert list(table.thresholds[1:]) == sorted(set(s.tolist()), reverse=True)
    assert (table.tp[0], table.fp[0], table.fn[0], table.tn[0]) == (0, 0, y.sum(), (y == 0).sum())
    for i in range(1, len(table.thresholds)):
        row = (table.tp[i], table.fp[i], table.fn[i], table.tn[i])
        assert row == sklearn_counts(y, s, table.thresholds[i])


@pytest.mark.parametrize("seed", range(2))
def test_confusion_table_rates_match_sklearn_curves(seed):
    y, s = tied_data(seed)
    table = confusion_table(y, s)
    row_of = {float(t): i for i, t in enumerate(table.thresholds)}

    precision, recall, pr_thresholds = precision_recall_curve(y, s)  # ascending; last point has no threshold
    for p, r, t in zip(precision[:-1], recall[:-1], pr_thresholds):
        i = row_of[float(t)]
        assert table.precision[i] == pytest.approx(p)
        assert table.recall[i] == pytest.approx(r)

    fpr, tpr, roc_thresholds = roc_curve(y, s, drop_intermediate=False)  # descending; first is inf
    for f, r, t in zip(fpr[1:], tpr[1:], roc_thresholds[1:]):
        i = row_of[float(t)]
        assert table.false_positive_rate[i] == pytest.approx(f)
        assert table.recall[i] == pytest.approx(r)
    # the flag-nothing row: no recall, no false positives, precision read as 0
    assert (table.recall[0], table.false_positive_rate[0], table.precision[0]) == (0, 0, 0)


def test_confusion_table_weights_match_sklearn_sample_weight():
    y, s = tied_data(7, n=200)
    w = np.random.default_rng(1).uniform(0.1, 3, size=len(y))
    table = confusion_table(y, s, weights=w)
    for i in range(1, len(table.thresholds)):
        tn, fp, fn, tp = confusion_matrix(y, (s >= table.thresholds[i]).astype(int), labels=[0, 1], sample_weight=w).ravel()
        assert (table.tp[i], table.fp[i], table.fn[i], table.tn[i]) == pytest.approx((tp, fp, fn, tn))


def test_whole_number_weights_count_like_repeated_rows():
    y, s = tied_data(8, n=100)
    w = np.random.default_rng(2).integers(0, 4, size=len(y))
    weighted = confusion_table(y, s, weights=w)
    for t in weighted.thresholds[1:]:
        i = int(np.nonzero(weighted.thresholds == t)[0][0])
        assert (weighted.tp[i], weighted.fp[i], weighted.fn[i], weighted.tn[i]) == brute_counts(np.repeat(y, w), np.repeat(s, w), t)


@pytest.mark.parametrize("weights", [[1, 1, 1, 5, 5], [1, 1], [1, float("nan"), 1]], ids=["too-long", "too-short", "nan"])
def test_confusion_table_rejects_bad_weights(weights):
    with pytest.raises(ValueError, match="weights"):
        confusion_table([1, 0, 1], [0.1, 0.2, 0.3], weights=weights)


@pytest.mark.parametrize(("y", "s"), [([1, 0, 1], [math.inf, math.inf, 0.2]), ([1, 0, 1, 0], [0.5, -math.inf, -math.inf, 0.7])], ids=["+inf", "-inf"])
def test_infinite_scores_are_rejected_with_their_position(y, s):
    # +inf is the table's own "flag nothing" row, so infinite scores are refused, not guessed at.
    with pytest.raises(ValueError, match=r"scores must be finite; 2 are infinite, the first at position [01]"):
        confusion_table(y, s)


# --------------------------------------------------------------------------------------------
# Metrics at one threshold
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(3))
def test_metrics_at_match_sklearn(seed):
    y, s = tied_data(seed, n=300)
    for t in [-1.0, 0.0, 0.13, 0.5, 0.5000001, 0.77, float(s.max()), 1.5]:
        c = metrics_at(y, s, t)
        pred = (s >= t).astype(int)
        assert c.precision == pytest.approx(precision_score(y, pred, zero_division=0))
        assert c.recall == pytest.approx(recall_score(y, pred, zero_division=0))
        assert c.f1 == pytest.approx(f1_score(y, pred, zero_division=0))
        assert c.accuracy == pytest.approx(accuracy_score(y, pred))
        tn, fp, fn, tp = confusion_matrix(y, pred, labels=[0, 1]).ravel()
        assert c.false_positive_rate == pytest.approx(fp / (fp + tn))
        assert c.false_negative_rate == pytest.approx(fn / (fn + tp))
        assert (c.n, c.flagged) == (len(y), int(pred.sum()))


def test_metrics_at_one_class_only_reads_zero_not_nan():
    c = metrics_at([0, 0, 0], [0.1, 0.6, 0.9], 0.5)
    pred = [0, 1, 1]
    assert c.recall == recall_score([0, 0, 0], pred, zero_division=0) == 0
    assert c.precision == precision_score([0, 0, 0], pred, zero_division=0) == 0
    assert c.f1 == 0 and c.false_negative_rate == 0
    assert c.false_positive_rate == pytest.approx(2 / 3)
    c = metrics_at([1, 1], [0.1, 0.6], 0.5)
    assert c.false_positive_rate == 0 and c.recall == 0.5 and c.precision == 1


def test_confusion_counts_as_dict_and_cost():
    c = ConfusionCounts(0.3, tp=3, fp=10, fn=2, tn=85)
    d = c.as_dict()
    assert d["tp"] == 3 and d["fp"] == 10 and d["fn"] == 2 and d["tn"] == 85 and d["threshold"] == 0.3
    assert d["precision"] == pytest.approx(3 / 13)
    assert d["recall"] == pytest.approx(3 / 5)
    assert d["false_positive_rate"] == pytest.approx(10 / 95)
    assert d["f1"] == pytest.approx(2 * 3 / (2 * 3 + 10 + 2))
    assert d["accuracy"] == pytest.approx(88 / 100)
    assert c.cost_per_case(5, 500, cost_tp=1) == pytest.approx(10.53)


@pytest.mark.parametrize("threshold", [None, "0.5", True, float("nan")])
def test_metrics_at_rejects_a_bad_threshold(threshold):
    with pytest.raises(ValueError, match="threshold"):
        metrics_at([0, 1], [0.2, 0.8], threshold)


# --------------------------------------------------------------------------------------------
# Input validation, the same for every function that takes labels and scores
# --------------------------------------------------------------------------------------------

CALLERS = {
    "SortedScores": lambda y, s: SortedScores(y, s),
    "confusion_table": lambda y, s: confusion_table(y, s),
    "metrics_at": lambda y, s: metrics_at(y, s, 0.5),
    "cost_curve": lambda y, s: cost_curve(y, s, 5, 500),
    "best_threshold": lambda y, s: best_threshold(y, s, 5, 500, resamples=0),
    "threshold_for_capacity": lambda y, s: threshold_for_capacity(y, s, 10, 100),
    "segment_metrics": lambda y, s: segment_metrics(y, s, ["a"] * len(s), 0.5),
}

BAD_INPUTS = {
    "lengths-differ": ([0, 1, 1], [0.1, 0.2], r"y_true and scores.*same length.*3 and 2"),
    "label-2": ([0, 2, 1], [0.1, 0.2, 0.3], r"y_true must hold only 0 and 1, got .*2"),
    "label-minus-1": ([0, -1, 1], [0.1, 0.2, 0.3], r"y_true must hold only 0 and 1, got .*-1"),
    "label-yes": (["yes", "no", "yes"], [0.1, 0.2, 0.3], r"y_true must hold only 0 and 1, got .*yes"),
    "label-half": ([0, 0.5, 1], [0.1, 0.2, 0.3], r"y_true must hold only 0 and 1, got .*0\.5"),
    "nan-score": ([0, 1, 1], [0.1, float("nan"), 0.3], r"scores must not be NaN.*position 1"),
    "text-score": ([0, 1, 1], ["a", "b", "c"], r"scores must be arrays of numbers"),
    "empty": ([], [], r"y_true and scores are empty"),
    "two-d": ([[0, 1], [1, 0]], [[0.1, 0.2], [0.3, 0.4]], r"y_true and scores must be one-dimensional"),
}


@pytest.mark.parametrize("caller", list(CALLERS))
@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_labels_and_scores_raise_a_value_error_naming_the_problem(caller, case):
    y, s, message = BAD_INPUTS[case]
    with pytest.raises(ValueError, match=message):
        CALLERS[caller](y, s)


def test_labels_may_be_booleans_or_floats():
    assert metrics_at([True, False], [0.9, 0.1], 0.5).tp == 1
    assert metrics_at(np.array([1.0, 0.0]), [0.9, 0.1], 0.5).tp == 1


# --------------------------------------------------------------------------------------------
# Properties over random data
# --------------------------------------------------------------------------------------------


@FAST
@given(data=labelled_scores(), low=st.floats(-6, 6), high=st.floats(-6, 6))
def test_counts_are_sane_at_any_threshold(data, low, high):
    y, s = data
    low, high = min(low, high), max(low, high)
    sorted_scores = SortedScores(y, s)
    at_low, at_high = sorted_scores.counts_at(low), sorted_scores.counts_at(high)
    for c in (at_low, at_high):
        assert c.n == len(y)
        assert c.tp + c.fn == y.sum()
        for rate in (c.precision, c.recall, c.false_positive_rate, c.false_negative_rate, c.f1, c.accuracy):
            assert 0 <= rate <= 1
    assert (at_high.tp, at_high.fp, at_high.fn, at_high.tn) == brute_counts(y, s, high)
    assert at_high.recall <= at_low.recall  # raising the threshold never raises recall
    assert at_high.flagged <= at_low.flagged
    assert at_high.false_positive_rate <= at_low.false_positive_rate


@FAST
@given(data=labelled_scores())
def test_table_rows_are_sane(data):
    y, s = data
    table = confusion_table(y, s)
    assert np.all(table.tp + table.fp + table.fn + table.tn == len(y))
    assert np.all(np.diff(table.thresholds) < 0)  # distinct, highest first
    assert np.all(np.diff(table.recall) >= 0)  # falling threshold: recall never drops
    assert np.all(np.diff(table.false_positive_rate) >= 0)
    for rates in (table.precision, table.recall, table.false_positive_rate):
        assert np.all((rates >= 0) & (rates <= 1))
    for i, t in enumerate(table.thresholds):
        if i:
            assert (table.tp[i], table.fp[i], table.fn[i], table.tn[i]) == brute_counts(y, s, t)


# --------------------------------------------------------------------------------------------
# Cost curve and best threshold
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("costs", "seed"), [((5, 500, 0, 0), 0), ((1, 9, 0.5, 0.2), 1), ((2.5, 3, 1, 2), 2)])
def test_cost_curve_matches_a_plain_loop(costs, seed):
    y, s = tied_data(seed, n=150)
    thresholds, cost = cost_curve(y, s, *costs)
    assert list(thresholds) == candidate_thresholds(s)
    expected = [brute_cost(y, s, t, *costs) for t in thresholds]
    assert cost == pytest.approx(expected)


def test_cost_curve_hand_worked():
    # two positives (0.9, 0.3), two negatives (0.6, 0.1); a false alarm costs 1, a miss 10
    thresholds, cost = cost_curve([1, 0, 1, 0], [0.9, 0.6, 0.3, 0.1], 1, 10)
    assert list(thresholds) == [math.inf, 0.9, 0.6, 0.3, 0.1]
    assert cost == pytest.approx([20 / 4, 10 / 4, 11 / 4, 1 / 4, 2 / 4])


@pytest.mark.parametrize("name", ["cost_fp", "cost_fn", "cost_tp", "cost_tn"])
def test_cost_curve_and_best_threshold_reject_negative_costs(name):
    costs = {"cost_fp": 5, "cost_fn": 500, "cost_tp": 0, "cost_tn": 0} | {name: -1}
    with pytest.raises(ValueError, match=name):
        cost_curve([0, 1], [0.1, 0.9], **costs)
    with pytest.raises(ValueError, match=name):
        best_threshold([0, 1], [0.1, 0.9], **costs, resamples=0)


def brute_best(y, s, cost_fp, cost_fn, cost_tp=0.0, cost_tn=0.0):
    """Cheapest threshold by trying each; among equal costs the highest threshold (fewest alerts)."""
    costs = {t: brute_cost(y, s, t, cost_fp, cost_fn, cost_tp, cost_tn) for t in candidate_thresholds(s)}
    cheapest = min(costs.values())
    return max(t for t, c in costs.items() if c <= cheapest + 1e-9), cheapest


def test_best_threshold_hand_worked():
    result = best_threshold([1, 0, 1, 0], [0.9, 0.6, 0.3, 0.1], 1, 10, resamples=0)
    assert (result.threshold, result.cost_per_case) == (0.3, pytest.approx(0.25))
    assert result.interval == (0.3, 0.3) and result.resamples == 0
    assert "no resampling done" in str(result) and "resampled data sets" not in str(result)  # no interval claimed
    # misses cost nothing: flagging nothing costs 0, and among equal costs the highest threshold (+inf) wins
    assert best_threshold([1, 0], [0.9, 0.1], 1, 0, resamples=0).threshold == math.inf


@pytest.mark.parametrize(("costs", "seed"), [((5, 500), 0), ((1, 1), 1), ((20, 30, 4, 1), 2), ((1, 9), 3), ((7.5, 2.25, 0, 0.5), 4)])
def test_best_threshold_matches_brute_force(costs, seed):
    y, s = tied_data(seed, n=200)
    result = best_threshold(y, s, *costs, resamples=0)
    threshold, cost = brute_best(y, s, *costs)
    assert result.threshold == threshold
    assert result.cost_per_case == pytest.approx(cost)


@FAST
@given(data=labelled_scores(max_size=30), costs=integer_costs())
def test_best_threshold_is_never_beaten(data, costs):
    y, s = data
    result = best_threshold(y, s, *costs, resamples=0)
    threshold, cost = brute_best(y, s, *costs)
    assert result.threshold == threshold
    assert result.cost_per_case == pytest.approx(cost, abs=1e-9)
    tolerance = 1e-9 * max(1.0, cost)
    assert result.cost_per_case <= brute_cost(y, s, 0.5, *costs) + tolerance
    assert result.cost_per_case <= brute_cost(y, s, bayes_threshold(*costs), *costs) + tolerance


def test_best_threshold_on_large_calibrated_data_is_near_bayes():
    y, p = calibrated_data(40_000, seed=0)
    result = best_threshold(y, p, 1, 9, resamples=0)
    assert result.threshold == pytest.approx(bayes_threshold(1, 9), abs=0.03)  # 0.1


def test_best_threshold_on_card_fraud_is_the_order_of_bayes():
    scenario = card_fraud(seed=0)
    result = best_threshold(scenario.y_true, scenario.scores, scenario.cost_fp, scenario.cost_fn, resamples=30, seed=1)
    bayes = bayes_threshold(5, 500)  # 5 / 505
    assert 0.1 < result.threshold / bayes < 10
    low, high = result.interval
    assert low <= result.threshold <= high
    assert result.cost_per_case <= brute_cost(scenario.y_true, scenario.scores, bayes, 5, 500)
    text = str(result)
    assert "best threshold" in text and "90%" in text


def test_bootstrap_interval_usually_contains_the_estimate():
    contained = 0
    for seed in range(8):
        y, p = calibrated_data(3_000, seed)
        result = best_threshold(y, p, 1, 9, resamples=60, seed=seed)
        contained += result.interval[0] <= result.threshold <= result.interval[1]
    assert contained >= 7


def test_bootstrap_is_reproducible_for_a_seed_and_changes_with_another():
    y, p = calibrated_data(2_000, seed=5)
    first = best_threshold(y, p, 1, 9, resamples=40, seed=3)
    again = best_threshold(y, p, 1, 9, resamples=40, seed=3)
    other = best_threshold(y, p, 1, 9, resamples=40, seed=4)
    assert first == again
    assert other.interval != first.interval
    assert other.threshold == first.threshold  # the point estimate does not depend on the seed
    assert isinstance(first, BestThreshold) and first.resamples == 40 and first.confidence == 0.9


def test_higher_confidence_gives_a_wider_interval_from_the_same_resamples():
    y, p = calibrated_data(2_000, seed=6)
    narrow = best_threshold(y, p, 1, 9, resamples=60, confidence=0.5, seed=2)
    wide = best_threshold(y, p, 1, 9, resamples=60, confidence=0.95, seed=2)
    assert wide.interval[0] <= narrow.interval[0] <= narrow.interval[1] <= wide.interval[1]


@pytest.mark.parametrize("seed", range(2))
def test_bootstrap_interval_widens_with_fewer_positives(seed):
    y_few, p_few = calibrated_data(400, seed)  # about 45 positives
    y_many, p_many = calibrated_data(40_000, seed)  # about 4,400
    few = best_threshold(y_few, p_few, 1, 9, resamples=60, seed=1)
    many = best_threshold(y_many, p_many, 1, 9, resamples=60, seed=1)
    assert few.interval[1] - few.interval[0] > 1.5 * (many.interval[1] - many.interval[0])


@pytest.mark.parametrize(("kwargs", "name"), [({"resamples": -1}, "resamples"), ({"resamples": 1.5}, "resamples"), ({"resamples": True}, "resamples"), ({"confidence": 0}, "confidence"), ({"confidence": 1}, "confidence"), ({"confidence": 1.5}, "confidence")])
def test_best_threshold_rejects_bad_options(kwargs, name):
    with pytest.raises(ValueError, match=name):
        best_threshold([0, 1], [0.1, 0.9], 5, 500, **kwargs)


@pytest.mark.parametrize("n", [2, 5])
def test_bootstrap_works_on_a_tiny_data_set(n):
    y, s = [1] + [0] * (n - 1), list(np.linspace(1, 0, n))
    result = best_threshold(y, s, 5, 500, resamples=200, seed=0)
    assert result.interval[0] <= result.threshold <= result.interval[1]


def _useless_model(seed):
    """60 cases, about 10% positive, scores unrelated to the labels: with equal costs the cheapest
    choice is to flag nothing (+inf), in the data and in nearly every resample."""
    rng = np.random.default_rng(seed)
    s = rng.random(60)
    return (rng.random(60) < 0.1).astype(int), s


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
@pytest.mark.parametrize("seed", range(5))
def test_bootstrap_interval_keeps_flag_nothing(seed):
    y, s = _useless_model(seed)
    assert brute_best(y, s, 1, 1)[0] == math.inf
    result = best_threshold(y, s, 1, 1, resamples=200, seed=0)
    assert result.threshold == math.inf
    assert result.interval[1] == math.inf  # +inf is the choice of (nearly) every resample


# --------------------------------------------------------------------------------------------
# Capacity
# --------------------------------------------------------------------------------------------


def brute_capacity(y, s, capacity, cases_per_day):
    """Lowest threshold (of +inf and each distinct score) whose alerts a day fit the capacity."""
    fitting = [t for t in candidate_thresholds(s) if cases_per_day * sum(v >= t for v in s) / len(s) <= capacity]
    return min(fitting)


@pytest.mark.parametrize(("capacity", "cases_per_day", "seed"), [(0, 1000, 0), (37, 1000, 0), (100, 1000, 1), (333.3, 1000, 2), (999, 1000, 3), (5000, 1000, 4), (400, 100_000, 5)])
def test_threshold_for_capacity_matches_brute_force(capacity, cases_per_day, seed):
    y, s = tied_data(seed, n=250)
    result = threshold_for_capacity(y, s, capacity, cases_per_day)
    assert result.threshold == brute_capacity(y, s, capacity, cases_per_day)
    flagged = sum(v >= result.threshold for v in s)
    assert result.alerts_per_day == pytest.approx(cases_per_day * flagged / len(s))
    assert result.alerts_per_day <= capacity + 1e-9
    lower = [v for v in sorted(set(s.tolist())) if v < result.threshold]
    if lower:  # one step lower flags more cases than the team can handle
        assert cases_per_day * sum(v >= lower[-1] for v in s) / len(s) > capacity
    else:
        assert flagged == len(s)
    c = metrics_at(y, s, result.threshold)
    assert result.recall == pytest.approx(c.recall)
    assert result.precision == pytest.approx(c.precision)
    assert "alerts a day" in str(result)


def test_threshold_for_capacity_edges():
    y, s = [1, 0, 1, 0], [0.9, 0.6, 0.3, 0.1]
    none = threshold_for_capacity(y, s, 0, 100)
    assert (none.threshold, none.recall, none.alerts_per_day) == (math.inf, 0.0, 0.0)
    everything = threshold_for_capacity(y, s, 100, 100)
    assert (everything.threshold, everything.recall, everything.precision) == (0.1, 1.0, 0.5)
    half = threshold_for_capacity(y, s, 50, 100)  # two of four cases a day
    assert (half.threshold, half.recall, half.alerts_per_day) == (0.6, 0.5, 50.0)


def test_threshold_for_capacity_on_card_fraud_fits_the_team():
    scenario = card_fraud(seed=0)
    result = threshold_for_capacity(scenario.y_true, scenario.scores, scenario.review_capacity_per_day, scenario.cases_per_day)
    flagged = int((scenario.scores >= result.threshold).sum())
    assert flagged / scenario.size * scenario.cases_per_day <= scenario.review_capacity_per_day
    assert result.recall == pytest.approx(recall_score(scenario.y_true, scenario.scores >= result.threshold))


@pytest.mark.parametrize(("capacity", "cases_per_day", "name"), [(-1, 100, "max_alerts_per_day"), (10, 0, "cases_per_day"), (10, -5, "cases_per_day"), (float("nan"), 100, "max_alerts_per_day"), (10, float("inf"), "cases_per_day"), (True, 100, "max_alerts_per_day")])
def test_threshold_for_capacity_rejects_bad_numbers(capacity, cases_per_day, name):
    with pytest.raises(ValueError, match=name):
        threshold_for_capacity([0, 1], [0.1, 0.9], capacity, cases_per_day)


# --------------------------------------------------------------------------------------------
# Segments
# --------------------------------------------------------------------------------------------


def test_segment_metrics_equal_metrics_on_each_subset():
    y, s = tied_data(3, n=300)
    segments = np.random.default_rng(3).choice(["north", "south", "east"], size=len(y))
    table = segment_metrics(y, s, list(segments), 0.5)
    assert list(table.index) == ["east", "north", "south"]
    assert table["cases"].sum() == len(y)
    for name in ["north", "south", "east"]:
        mask = segments == name
        pred = (s[mask] >= 0.5).astype(int)
        row = table.loc[name]
        assert row["cases"] == mask.sum()
        assert row["positives"] == y[mask].sum()
        assert row["recall"] == pytest.approx(recall_score(y[mask], pred, zero_division=0))
        assert row["precision"] == pytest.approx(precision_score(y[mask], pred, zero_division=0))
        tn, fp, fn, tp = confusion_matrix(y[mask], pred, labels=[0, 1]).ravel()
        assert row["false_positive_rate"] == pytest.approx(fp / (fp + tn))


def test_segment_metrics_with_a_missing_segment():
    import pandas as pd

    segments = pd.Series(["a", None, "b", "a"])  # pandas stores the None as NaN
    try:
        table = segment_metrics([0, 1, 1, 0], [0.1, 0.5, 0.9, 0.3], segments, 0.5)
    except ValueError as error:  # refusing is fine too, if the message is about the segments
        assert "segments" in str(error)
    else:
        assert table["cases"].sum() == 4


def test_segment_metrics_rejects_segments_of_another_length():
    with pytest.raises(ValueError, match=r"segments.*2.*3 cases"):
        segment_metrics([0, 1, 1], [0.1, 0.5, 0.9], ["a", "b"], 0.5)
    with pytest.raises(ValueError, match="segments"):
        segment_metrics([0, 1, 1], [0.1, 0.5, 0.9], "a", 0.5)


def test_segment_metrics_flag_rate_and_recall_interval_against_statsmodels():
    from statsmodels.stats.proportion import proportion_confint

    y, s = tied_data(4, n=400)
    segments = np.random.default_rng(40).choice(["north", "south"], size=len(y))
    table = segment_metrics(y, s, list(segments), 0.5, interval=0.9)
    for name in ["north", "south"]:
        mask = segments == name
        flagged = s[mask] >= 0.5
        assert table.loc[name, "flag_rate"] == pytest.approx(flagged.mean())
        caught, positives = int((flagged & (y[mask] == 1)).sum()), int(y[mask].sum())
        low, high = proportion_confint(caught, positives, alpha=0.10, method="beta")
        assert (table.loc[name, "recall_low"], table.loc[name, "recall_high"]) == (pytest.approx(low), pytest.approx(high))
    assert "recall_low" not in segment_metrics(y, s, list(segments), 0.5).columns
    with pytest.raises(ValueError, match="interval must be a share in \\(0, 1\\)"):
        segment_metrics(y, s, list(segments), 0.5, interval=90)


def test_segment_metrics_recall_interval_at_the_extremes():
    table = segment_metrics([1, 1, 1, 0], [0.9, 0.8, 0.7, 0.1], ["a"] * 4, 0.5, interval=0.9)
    assert table.loc["a", "recall_high"] == 1.0 and table.loc["a", "recall_low"] == pytest.approx(0.05 ** (1 / 3))  # 3 of 3 caught
    table = segment_metrics([1, 1, 0], [0.1, 0.2, 0.9], ["a"] * 3, 0.5, interval=0.9)
    assert table.loc["a", "recall_low"] == 0.0 and table.loc["a", "recall_high"] == pytest.approx(1 - 0.05 ** (1 / 2))  # 0 of 2


# --------------------------------------------------------------------------------------------
# Pooled comparisons: Simpson's paradox
# --------------------------------------------------------------------------------------------

SIMPSON = {
    "current model": {"established": (540, 600), "new customer": (120, 200)},
    "new model": {"established": (190, 200), "new customer": (390, 600)},
}


def test_issue_simpson_the_model_that_wins_every_segment_loses_pooled():
    from aipm_course.thresholds import pooled_comparison

    c = pooled_comparison(SIMPSON)
    # by hand: current 90% and 60%, new 95% and 65%; pooled current 660/800 = 82.5%, new 580/800 = 72.5%
    assert c.table.loc["established", "new model"] == pytest.approx(0.95) and c.table.loc["new customer", "current model"] == pytest.approx(0.6)
    assert c.table.loc["pooled", "current model"] == pytest.approx(0.825) and c.table.loc["pooled", "new model"] == pytest.approx(0.725)
    # at the same mix (800 established, 800 new): current (0.9 + 0.6) / 2 = 75%, new (0.95 + 0.65) / 2 = 80%
    assert c.table.loc["same mix", "current model"] == pytest.approx(0.75) and c.table.loc["same mix", "new model"] == pytest.approx(0.80)
    assert c.segment_winners == {"established": "new model", "new customer": "new model"}
    assert c.pooled_winner == "current model" and c.same_mix_winner == "new model" and c.reversed
    assert "Simpson's paradox" in str(c)
    assert c.table.loc["pooled", "new model cases"] == 800
    # weighted to the traffic the product will see (90% established), the new model still wins
    shipped = pooled_comparison(SIMPSON, mix={"established": 0.9, "new customer": 0.1})
    assert shipped.table.loc["same mix", "new model"] == pytest.approx(0.9 * 0.95 + 0.1 * 0.65)


def test_pooled_comparison_with_the_same_mix_has_no_paradox():
    from aipm_course.thresholds import pooled_comparison

    same = pooled_comparison({"a": {"x": (80, 100), "y": (50, 100)}, "b": {"x": (90, 100), "y": (60, 100)}})
    assert not same.reversed and same.pooled_winner == "b"
    assert same.table.loc["pooled", "b"] == pytest.approx(same.table.loc["same mix", "b"])


@pytest.mark.parametrize(
    "counts, message",
    [
        ({"a": {"x": (1, 2)}}, "counts must be a mapping of at least two models"),
        ({"a": {"x": (1, 2)}, "b": {"y": (1, 2)}}, "the same segments as the first model: x"),
        ({"a": {"x": (3, 2)}, "b": {"x": (1, 2)}}, "hits must be a whole number from 0 to the cases \\(2\\)"),
        ({"a": {"x": 5}, "b": {"x": (1, 2)}}, "must be a pair \\(hits, cases\\)"),
        ({"a": {"x": (0, 0)}, "b": {"x": (1, 2)}}, "cases must be a whole number 1 or more"),
    ],
)
def test_pooled_comparison_errors_name_the_entry(counts, message):
    from aipm_course.thresholds import pooled_comparison

    with pytest.raises(ValueError, match=message):
        pooled_comparison(counts)
