"""Precision, recall and the cost of being wrong: choosing a threshold by money (lesson 02).

A case is *flagged* when its score is at or above the threshold. Every function here works on
all thresholds at once: the scores are sorted once and the confusion counts read from
cumulative sums, so a million scores cost milliseconds, not seconds.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from . import validation

__all__ = [
    "ConfusionCounts",
    "ThresholdTable",
    "SortedScores",
    "precision_at_prevalence",
    "bayes_threshold",
    "confusion_table",
    "metrics_at",
    "cost_curve",
    "BestThreshold",
    "best_threshold",
    "CapacityResult",
    "threshold_for_capacity",
    "segment_metrics",
    "PooledComparison",
    "pooled_comparison",
    "expected_cost_per_case",
    "correct_for_resampling",
]


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


def _float_array(name: str, value: Any, allowed: str = "a one-dimensional array of numbers") -> np.ndarray:
    """``value`` as a one-dimensional float array, or an ArgumentError naming ``name`` (empty, NaN and
    ±inf pass here; the callers judge them)."""
    return validation.array(name, value, allowed, empty=True, nan=True, infinite=True)


def _check_labels_and_scores(y_true: Any, scores: Any) -> tuple[np.ndarray, np.ndarray]:
    for name, value in (("y_true", y_true), ("scores", scores)):
        if value is None or isinstance(value, (str, bytes, dict)) or np.ndim(value) != 1:
            raise validation.ArgumentError(
                f"y_true and scores must be one-dimensional arrays, one value per case; {name} is {validation.show(value)}"
            )
    y = np.asarray(y_true)
    try:
        s = np.asarray(scores, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise validation.ArgumentError(f"y_true and scores must be arrays of numbers; scores holds {validation.show(scores)}") from None
    if len(y) != len(s):
        raise validation.ArgumentError(f"y_true and scores must have the same length, got {len(y)} and {len(s)}")
    if len(y) == 0:
        raise validation.ArgumentError("y_true and scores are empty; at least one case is needed")
    try:
        bad = ~np.isin(y, [0, 1])
    except Exception:  # noqa: BLE001 - labels that cannot even be compared are not 0 and 1
        bad = np.ones(len(y), dtype=bool)
    if bad.any():
        raise validation.ArgumentError(f"y_true must hold only 0 and 1, got {validation.show(y[bad][0])} at position {int(np.argmax(bad))}")
    nan = np.isnan(s)
    if nan.any():
        raise validation.ArgumentError(f"scores must not be NaN; {int(nan.sum())} are, the first at position {int(np.argmax(nan))}")
    infinite = np.isinf(s)
    if infinite.any():
        raise validation.ArgumentError(f"scores must be finite; {int(infinite.sum())} are infinite, the first at position {int(np.argmax(infinite))}")
    return y.astype(np.int8), s


def _check_cost(name: str, value: Any) -> float:
    return validation.nonnegative(name, value, allowed="a finite number, 0 or more (a cost, not a gain)")


def _open_share(name: str, value: Any) -> float:
    """A prevalence or confidence, in (0, 1): at exactly 0 or 1 precision, the odds or the interval are undefined."""
    return validation.share(name, value, open_low=True, open_high=True)


# --------------------------------------------------------------------------------------------
# Closed forms
# --------------------------------------------------------------------------------------------


def precision_at_prevalence(tpr: float, fpr: float, prevalence: float) -> float:
    """Return precision from the true- and false-positive rates and the prevalence (lesson 02).

    precision = π·TPR / (π·TPR + (1 − π)·FPR). With π = 0.1%, TPR = 0.9 and FPR = 1%, only about
    8% of alerts are real: a good-looking model meets a rare problem.
    """
    tpr = validation.share("tpr", tpr)
    fpr = validation.share("fpr", fpr)
    prevalence = _open_share("prevalence", prevalence)
    flagged = prevalence * tpr + (1 - prevalence) * fpr
    return prevalence * tpr / flagged if flagged > 0 else 0.0


def bayes_threshold(cost_fp: float, cost_fn: float, cost_tp: float = 0, cost_tn: float = 0) -> float:
    """Return the cost-minimising threshold for calibrated probabilities (lesson 02).

    t* = (C_FP − C_TN) / ((C_FP − C_TN) + (C_FN − C_TP)): flag a case when its probability of
    being positive is at least t*. With a $5 false alarm and a $500 miss, t* ≈ 0.0099.
    """
    cost_fp, cost_fn = _check_cost("cost_fp", cost_fp), _check_cost("cost_fn", cost_fn)
    cost_tp, cost_tn = _check_cost("cost_tp", cost_tp), _check_cost("cost_tn", cost_tn)
    wrong_alarm = cost_fp - cost_tn  # what flagging a negative costs, over leaving it
    missed = cost_fn - cost_tp  # what missing a positive costs, over catching it
    if wrong_alarm < 0 or missed < 0:
        raise validation.ArgumentError(
            "a correct decision must not cost more than the matching error: need cost_tn <= cost_fp and "
            f"cost_tp <= cost_fn, got cost_tn={cost_tn}, cost_fp={cost_fp}, cost_tp={cost_tp}, cost_fn={cost_fn}"
        )
    if wrong_alarm + missed == 0:
        raise validation.ArgumentError(
            f"errors cost nothing here (cost_fp={cost_fp:g} equals cost_tn and cost_fn={cost_fn:g} equals cost_tp), "
            "so every threshold is equally good; give a false alarm or a miss a cost"
        )
    return wrong_alarm / (wrong_alarm + missed)


MAX_COUNT = 2**53  # the largest count a float holds exactly


def _count_values(name: str, value: Any) -> np.ndarray:
    """A confusion count: a whole number 0 or more (8 or 8.0, as a ThresholdTable row holds it), or
    an array of counts that are finite and 0 or more (weighted counts, from
    ``confusion_table(weights=...)``, may be fractional)."""
    if np.ndim(value) == 0:
        value = value.item() if isinstance(value, np.ndarray) else value
        allowed = "a whole number 0 or more (a count of cases), or an array of them"
        if validation.is_real(value) and not validation.is_whole(value) and float(value).is_integer():
            value = int(value)  # 8.0 counts 8 cases
        return np.asarray(float(validation.count(name, value, maximum=MAX_COUNT, allowed=allowed)))
    try:
        out = np.asarray(value, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise validation.fail(name, value, "a whole number 0 or more (a count of cases), or an array of them") from None
    if out.size == 0:
        raise validation.fail(name, value, "a count or a non-empty array of counts")
    if not np.isfinite(out).all() or (out < 0).any():
        raise validation.fail(name, value, "counts that are finite and 0 or more")
    return out


def _cost_per_case(tp, fp, fn, tn, cost_fp, cost_fn, cost_tp=0.0, cost_tn=0.0):
    """The cost per case from counts already checked (every total above 0)."""
    total = tp + fp + fn + tn
    out = (tp * cost_tp + fp * cost_fp + fn * cost_fn + tn * cost_tn) / total
    return float(out) if np.ndim(out) == 0 else out


def expected_cost_per_case(tp, fp, fn, tn, cost_fp, cost_fn, cost_tp=0.0, cost_tn=0.0):
    """Return the average cost per case from confusion counts (scalars or arrays; lesson 02).

    Each count is a whole number 0 or more (or an array of counts, all the same length); the
    costs are numbers 0 or more. The counts must add up to at least one case.
    """
    names = ("tp", "fp", "fn", "tn")
    counts = [_count_values(n, v) for n, v in zip(names, (tp, fp, fn, tn))]
    costs = [_check_cost(n, v) for n, v in (("cost_fp", cost_fp), ("cost_fn", cost_fn), ("cost_tp", cost_tp), ("cost_tn", cost_tn))]
    try:
        shape = np.broadcast_shapes(*(c.shape for c in counts))
    except ValueError:
        shapes = ", ".join(f"{n} {c.shape[0] if c.ndim == 1 else c.shape}" for n, c in zip(names, counts))
        raise validation.ArgumentError(f"tp, fp, fn and tn must have the same length (or be single counts), got {shapes}") from None
    total = np.broadcast_to(counts[0] + counts[1] + counts[2] + counts[3], shape)
    if (total == 0).any():
        where = "" if total.ndim == 0 else f" at position {int(np.argmax(total == 0))}"
        raise validation.ArgumentError(
            f"tp, fp, fn and tn add up to 0{where}: there are no cases to average over; the cost per case needs at least one case"
        )
    cost_fp, cost_fn, cost_tp, cost_tn = costs
    return _cost_per_case(*counts, cost_fp, cost_fn, cost_tp, cost_tn)


def correct_for_resampling(p: Any, train_prevalence: float, deployed_prevalence: float) -> Any:
    """Return probabilities corrected from a resampled training prevalence to the deployed one.

    p′ = (π_t/π_s)·p / [(π_t/π_s)·p + ((1−π_t)/(1−π_s))·(1−p)] (lesson 02, calibration).
    """
    source = _open_share("train_prevalence", train_prevalence)
    target = _open_share("deployed_prevalence", deployed_prevalence)
    allowed = "a probability in [0, 1] or an array of them"
    if p is None or isinstance(p, (str, bytes, dict)):
        raise validation.fail("p", p, allowed)
    if np.ndim(p) == 0:
        p = np.asarray(validation.share("p", p, allowed=allowed))
    else:
        try:
            p = np.asarray(p, dtype=float)
        except (TypeError, ValueError, OverflowError):
            raise validation.fail("p", p, allowed) from None
    if np.isnan(p).any() or (p < 0).any() or (p > 1).any():
        raise validation.ArgumentError("p must hold probabilities between 0 and 1")
    up = (target / source) * p
    down = ((1 - target) / (1 - source)) * (1 - p)
    out = up / (up + down)
    return float(out) if out.ndim == 0 else out


# --------------------------------------------------------------------------------------------
# All thresholds at once
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ConfusionCounts:
    """Confusion counts at one threshold, with the rates a product manager reads."""

    threshold: float
    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def n(self) -> int:
        return self.tp + self.fp + self.fn + self.tn

    @property
    def flagged(self) -> int:
        return self.tp + self.fp

    @property
    def precision(self) -> float:
        return self.tp / self.flagged if self.flagged else 0.0

    @property
    def recall(self) -> float:
        positives = self.tp + self.fn
        return self.tp / positives if positives else 0.0

    @property
    def false_positive_rate(self) -> float:
        negatives = self.fp + self.tn
        return self.fp / negatives if negatives else 0.0

    @property
    def false_negative_rate(self) -> float:
        positives = self.tp + self.fn
        return self.fn / positives if positives else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def accuracy(self) -> float:
        return (self.tp + self.tn) / self.n if self.n else 0.0

    def cost_per_case(self, cost_fp: float, cost_fn: float, cost_tp: float = 0.0, cost_tn: float = 0.0) -> float:
        return expected_cost_per_case(self.tp, self.fp, self.fn, self.tn, cost_fp, cost_fn, cost_tp, cost_tn)

    def as_dict(self) -> dict[str, float]:
        return {
            "threshold": self.threshold,
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "tn": self.tn,
            "precision": self.precision,
            "recall": self.recall,
            "false_positive_rate": self.false_positive_rate,
            "f1": self.f1,
            "accuracy": self.accuracy,
        }


class SortedScores:
    """Scores sorted once, so the counts at any threshold are a binary search away (lesson 02)."""

    def __init__(self, y_true: Any, scores: Any) -> None:
        y, s = _check_labels_and_scores(y_true, scores)
        order = np.argsort(s, kind="mergesort")  # ascending
        self.scores = s[order]
        self.labels = y[order]
        # positives among the cases with the k lowest scores, for k = 0..n
        self.positives_below = np.concatenate([[0], np.cumsum(self.labels, dtype=np.int64)])
        self.n = len(s)
        self.positives = int(self.positives_below[-1])
        self.negatives = self.n - self.positives

    def counts_at(self, threshold: float) -> ConfusionCounts:
        """Return the confusion counts when cases with score >= threshold are flagged."""
        threshold = validation.real("threshold", threshold, finite=False, allowed="a number")  # ±inf: flag all or none
        below = int(np.searchsorted(self.scores, threshold, side="left"))  # cases not flagged
        fn = int(self.positives_below[below])
        tn = below - fn
        tp = self.positives - fn
        fp = self.negatives - tn
        return ConfusionCounts(float(threshold), tp, fp, fn, tn)


@dataclasses.dataclass(frozen=True)
class ThresholdTable:
    """Confusion counts at every distinct score used as a threshold, highest threshold first.

    The first row has threshold +inf: nothing is flagged.
    """

    thresholds: np.ndarray
    tp: np.ndarray
    fp: np.ndarray
    fn: np.ndarray
    tn: np.ndarray

    @property
    def recall(self) -> np.ndarray:
        positives = self.tp + self.fn
        return np.divide(self.tp, positives, out=np.zeros(len(self.tp)), where=positives > 0)

    @property
    def precision(self) -> np.ndarray:
        flagged = self.tp + self.fp
        return np.divide(self.tp, flagged, out=np.zeros(len(self.tp)), where=flagged > 0)

    @property
    def false_positive_rate(self) -> np.ndarray:
        negatives = self.fp + self.tn
        return np.divide(self.fp, negatives, out=np.zeros(len(self.fp)), where=negatives > 0)

    def cost_per_case(self, cost_fp, cost_fn, cost_tp=0.0, cost_tn=0.0) -> np.ndarray:
        costs = [_check_cost(n, v) for n, v in (("cost_fp", cost_fp), ("cost_fn", cost_fn), ("cost_tp", cost_tp), ("cost_tn", cost_tn))]
        return _cost_per_case(self.tp, self.fp, self.fn, self.tn, *costs)  # every row counts the same cases, at least one


def confusion_table(y_true: Any, scores: Any, weights: np.ndarray | None = None) -> ThresholdTable:
    """Return the confusion counts at every distinct score as a threshold (sort once; lesson 02)."""
    y, s = _check_labels_and_scores(y_true, scores)
    order = np.argsort(-s, kind="mergesort")  # highest score first
    s_sorted, y_sorted = s[order], y[order].astype(float)
    if weights is None:
        w = np.ones(len(s))
    else:
        w = _float_array("weights", weights, "a one-dimensional array of numbers 0 or above (one weight per case)")
        if w.shape != s.shape:
            raise validation.ArgumentError(f"weights must have one value per case, got {w.shape[0]} for {len(s)} cases")
        if not np.isfinite(w).all() or (w < 0).any():
            raise validation.ArgumentError("weights must be finite numbers 0 or above")
        if w.sum() == 0:
            raise validation.ArgumentError("weights must not all be 0: at least one case must count")
        w = w[order]
    tp_cum = np.cumsum(w * y_sorted)
    fp_cum = np.cumsum(w * (1 - y_sorted))
    # the last position of each run of equal scores: flagging at that score flags the whole run
    last = np.r_[np.nonzero(np.diff(s_sorted))[0], len(s_sorted) - 1]
    positives, negatives = tp_cum[-1], fp_cum[-1]
    tp = np.r_[0.0, tp_cum[last]]
    fp = np.r_[0.0, fp_cum[last]]
    thresholds = np.r_[np.inf, s_sorted[last]]
    return ThresholdTable(thresholds, tp, fp, positives - tp, negatives - fp)


def metrics_at(y_true: Any, scores: Any, threshold: float) -> ConfusionCounts:
    """Return confusion counts and rates at one threshold (flag when score >= threshold)."""
    return SortedScores(y_true, scores).counts_at(threshold)


def cost_curve(
    y_true: Any, scores: Any, cost_fp: float, cost_fn: float, cost_tp: float = 0.0, cost_tn: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """Return (thresholds, expected cost per case) at every distinct threshold (lesson 02)."""
    costs = [_check_cost(n, v) for n, v in (("cost_fp", cost_fp), ("cost_fn", cost_fn), ("cost_tp", cost_tp), ("cost_tn", cost_tn))]
    table = confusion_table(y_true, scores)
    return table.thresholds, table.cost_per_case(*costs)


@dataclasses.dataclass(frozen=True)
class BestThreshold:
    """The cheapest threshold on the data, its cost per case, and a bootstrap interval for it."""

    threshold: float
    cost_per_case: float
    interval: tuple[float, float]
    confidence: float
    resamples: int

    def __str__(self) -> str:
        low, high = self.interval
        found = f"best threshold {self.threshold:.4g} (cost {self.cost_per_case:.4g} per case); "
        if self.resamples == 0:
            return found + "no resampling done (resamples=0), so no interval"
        return found + f"{self.confidence:.0%} of resampled data sets put it between {low:.4g} and {high:.4g}"

    def __repr__(self) -> str:
        return f"BestThreshold({self})"


def _argmin_first(values: np.ndarray) -> int:
    """Index of the minimum; among equal costs, the highest threshold (fewer alerts, same cost)."""
    best = values.min()
    return int(np.nonzero(values <= best + 1e-12 * max(1.0, abs(best)))[0][0])


MAX_RESAMPLES = 100_000  # bootstrap resamples best_threshold accepts: more only takes longer


def best_threshold(
    y_true: Any,
    scores: Any,
    cost_fp: float,
    cost_fn: float,
    cost_tp: float = 0.0,
    cost_tn: float = 0.0,
    *,
    resamples: int = 200,
    confidence: float = 0.9,
    seed: int = 0,
) -> BestThreshold:
    """Return the threshold with the lowest expected cost per case on the data (lesson 02).

    With few positives the best threshold moves a lot from one sample to the next. The interval
    comes from a Poisson bootstrap: each case is re-weighted by a random count with mean 1, which
    resamples the data without sorting it again.
    """
    costs = [_check_cost(n, v) for n, v in (("cost_fp", cost_fp), ("cost_fn", cost_fn), ("cost_tp", cost_tp), ("cost_tn", cost_tn))]
    resamples = validation.count("resamples", resamples, maximum=MAX_RESAMPLES)  # a bound: each resample costs a pass over the data
    seed = validation.seed("seed", seed)
    confidence = _open_share("confidence", confidence)
    y, s = _check_labels_and_scores(y_true, scores)
    table = confusion_table(y, s)
    cost = table.cost_per_case(*costs)
    index = _argmin_first(cost)
    best = float(table.thresholds[index])
    if resamples == 0:
        return BestThreshold(best, float(cost[index]), (best, best), confidence, 0)
    rng = np.random.default_rng(seed)
    order = np.argsort(-s, kind="mergesort")
    s_sorted, y_sorted = s[order], y[order].astype(float)
    last = np.r_[np.nonzero(np.diff(s_sorted))[0], len(s_sorted) - 1]
    thresholds = np.r_[np.inf, s_sorted[last]]
    found = []
    for _ in range(resamples):
        w = rng.poisson(1.0, size=len(s_sorted))
        if not w.any():
            continue  # an empty resample (possible only on tiny data) says nothing
        tp_cum, fp_cum = np.cumsum(w * y_sorted), np.cumsum(w * (1 - y_sorted))
        tp, fp = np.r_[0.0, tp_cum[last]], np.r_[0.0, fp_cum[last]]
        resampled = _cost_per_case(tp, fp, tp_cum[-1] - tp, fp_cum[-1] - fp, *costs)  # w.any(): every row counts a case
        found.append(thresholds[_argmin_first(resampled)])  # +inf when flagging nothing is cheapest
    if not found:
        return BestThreshold(best, float(cost[index]), (best, best), confidence, 0)
    tail = (1 - confidence) / 2
    # "lower" and "higher" pick observed thresholds, so +inf (flag nothing) stays a valid end.
    low = np.quantile(np.array(found), tail, method="lower")
    high = np.quantile(np.array(found), 1 - tail, method="higher")
    return BestThreshold(best, float(cost[index]), (float(low), float(high)), confidence, len(found))


@dataclasses.dataclass(frozen=True)
class CapacityResult:
    """The highest-recall threshold whose alerts fit the review team's capacity."""

    threshold: float
    recall: float
    precision: float
    alerts_per_day: float

    def __str__(self) -> str:
        return (
            f"threshold {self.threshold:.4g}: {self.alerts_per_day:,.0f} alerts a day, "
            f"recall {self.recall:.1%}, precision {self.precision:.1%}"
        )

    def __repr__(self) -> str:
        return f"CapacityResult({self})"


def threshold_for_capacity(y_true: Any, scores: Any, max_alerts_per_day: float, cases_per_day: float) -> CapacityResult:
    """Return the lowest threshold (highest recall) whose alerts a day stay within capacity (lesson 02).

    Alerts a day = cases a day × the share of cases flagged at that threshold.
    """
    max_alerts_per_day = validation.nonnegative("max_alerts_per_day", max_alerts_per_day, allowed="a number 0 or above")
    cases_per_day = validation.positive("cases_per_day", cases_per_day, allowed="a number above 0")
    table = confusion_table(y_true, scores)
    n = table.tp[0] + table.fp[0] + table.fn[0] + table.tn[0]
    alerts = (table.tp + table.fp) / n * cases_per_day
    fits = np.nonzero(alerts <= max_alerts_per_day + 1e-9)[0]
    i = int(fits[-1])  # the lowest threshold that still fits (alerts only grow as it falls)
    return CapacityResult(float(table.thresholds[i]), float(table.recall[i]), float(table.precision[i]), float(alerts[i]))


def _segment_groups(segments: Any, n: int) -> np.ndarray:
    groups = np.asarray(
        ["(missing)" if g is None or (isinstance(g, float) and math.isnan(g)) else g for g in np.asarray(segments, dtype=object).ravel()],
        dtype=object,
    ) if np.ndim(segments) == 1 else np.asarray(segments)
    if groups.shape != (n,):
        raise validation.ArgumentError(f"segments must have one value per case, got {groups.shape[0] if groups.ndim else 0} for {n} cases")
    return groups


def _recall_interval(caught: int, positives: int, level: float) -> tuple[float, float]:
    """The two-sided Clopper–Pearson interval for a recall of caught / positives."""
    from scipy import stats

    if positives == 0:
        return 0.0, 1.0
    tail = (1 - level) / 2
    low = stats.beta.ppf(tail, caught, positives - caught + 1) if caught > 0 else 0.0
    high = stats.beta.ppf(1 - tail, caught + 1, positives - caught) if caught < positives else 1.0
    return float(low), float(high)


def segment_metrics(y_true: Any, scores: Any, segments: Any, threshold: float, interval: float | None = None):
    """Return per segment, at one threshold (lesson 02): cases, positives, recall, precision,
    false-positive rate and flag rate (the share of the segment's cases flagged: how much of the
    review load, and of the friction, lands on it).

    With ``interval`` (a confidence level such as 0.9), add ``recall_low`` and ``recall_high``, the
    two-sided Clopper–Pearson interval of each segment's recall: with a dozen positives it is wide.
    """
    import pandas as pd

    y, s = _check_labels_and_scores(y_true, scores)
    groups = _segment_groups(segments, len(y))
    level = None if interval is None else _open_share("interval", interval)
    rows = []
    for name in sorted(set(groups.tolist()), key=str):
        mask = groups == name
        counts = SortedScores(y[mask], s[mask]).counts_at(threshold)
        row = {
            "segment": name,
            "cases": counts.n,
            "positives": counts.tp + counts.fn,
            "recall": counts.recall,
            "precision": counts.precision,
            "false_positive_rate": counts.false_positive_rate,
            "flag_rate": counts.flagged / counts.n,
        }
        if level is not None:
            row["recall_low"], row["recall_high"] = _recall_interval(counts.tp, counts.tp + counts.fn, level)
        rows.append(row)
    return pd.DataFrame(rows).set_index("segment")


# --------------------------------------------------------------------------------------------
# Pooled comparisons: Simpson's paradox
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class PooledComparison:
    """Two or more models' rates per segment and pooled, and the pooled rates at one common mix of segments."""

    table: Any  # a DataFrame: one row per segment, then "pooled" and "same mix"; a rate and a case count per model
    segment_winners: dict[str, str]
    pooled_winner: str
    same_mix_winner: str

    @property
    def reversed(self) -> bool:
        """True when one model wins in every segment and another wins pooled: Simpson's paradox."""
        winners = set(self.segment_winners.values())
        return len(winners) == 1 and self.pooled_winner not in winners

    def __str__(self) -> str:
        winners = set(self.segment_winners.values())
        every = f"{next(iter(winners))} wins in every segment" if len(winners) == 1 else "the segments disagree"
        turn = ": Simpson's paradox" if self.reversed else ""
        return f"{every}; pooled, {self.pooled_winner} wins{turn}. At the same mix of segments, {self.same_mix_winner} wins."

    def __repr__(self) -> str:
        return f"PooledComparison({self})"


def _hits_and_cases(model: str, segment: str, value: Any) -> tuple[int, int]:
    where = f"counts[{model!r}][{segment!r}]"
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise validation.fail(where, value, "a pair (hits, cases), e.g. (540, 600)")
    cases = validation.count(f"{where} cases", value[1], minimum=1)
    hits = validation.count(f"{where} hits", value[0], maximum=cases, allowed=f"a whole number from 0 to the cases ({cases})")
    return hits, cases


def pooled_comparison(counts: Any, mix: Any = None) -> PooledComparison:
    """Compare models segment by segment, pooled, and at one common mix of segments (lesson 02).

    ``counts`` maps each model to ``{segment: (hits, cases)}`` (e.g. frauds caught and frauds seen),
    every model over the same segments. The pooled rate weights each segment by the cases that
    model happened to be tested on, so models tested on different mixes can swap places when
    pooled (Simpson's paradox). The "same mix" row weights every model's segment rates by ``mix``
    ({segment: weight}; by default all the models' cases together): a fair comparison.
    """
    import pandas as pd

    if not isinstance(counts, Mapping) or len(counts) < 2:
        raise validation.fail("counts", counts, "a mapping of at least two models to {segment: (hits, cases)}")
    models = [str(m) for m in counts]
    segments = None
    data = {}
    for model, per_segment in counts.items():
        if not isinstance(per_segment, Mapping) or not per_segment:
            raise validation.fail(f"counts[{model!r}]", per_segment, "a mapping {segment: (hits, cases)} with at least one segment")
        if segments is None:
            segments = [str(s) for s in per_segment]
        if sorted(str(s) for s in per_segment) != sorted(segments):
            raise validation.fail(f"counts[{model!r}]", per_segment, f"the same segments as the first model: {', '.join(segments)}")
        data[str(model)] = {str(s): _hits_and_cases(str(model), str(s), v) for s, v in per_segment.items()}
    if mix is None:
        weights = {s: sum(data[m][s][1] for m in models) for s in segments}
    else:
        if not isinstance(mix, Mapping) or sorted(str(s) for s in mix) != sorted(segments):
            raise validation.fail("mix", mix, f"a mapping with a weight for each segment: {', '.join(segments)}")
        weights = {str(s): validation.nonnegative(f"mix[{s!r}]", w) for s, w in mix.items()}
        if sum(weights.values()) == 0:
            raise validation.fail("mix", mix, "weights that are not all 0")
    total = sum(weights.values())
    rows = {s: {} for s in segments + ["pooled", "same mix"]}
    for m in models:
        for s in segments:
            hits, cases = data[m][s]
            rows[s][m], rows[s][f"{m} cases"] = hits / cases, cases
        hits, cases = (sum(data[m][s][i] for s in segments) for i in (0, 1))
        rows["pooled"][m], rows["pooled"][f"{m} cases"] = hits / cases, cases
        rows["same mix"][m] = sum(weights[s] / total * rows[s][m] for s in segments)
        rows["same mix"][f"{m} cases"] = 0
    table = pd.DataFrame.from_dict(rows, orient="index")[[c for m in models for c in (m, f"{m} cases")]]
    for m in models:  # a common mix is a weighting, not cases anybody tested: no count on that row
        table[f"{m} cases"] = table[f"{m} cases"].astype("Int64")
        table.loc["same mix", f"{m} cases"] = pd.NA
    best = lambda row: max(models, key=lambda m: table.loc[row, m])  # noqa: E731 - the first model wins a tie
    return PooledComparison(table, {s: best(s) for s in segments}, best("pooled"), best("same mix"))
