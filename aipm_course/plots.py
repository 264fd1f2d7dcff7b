"""Figures for the lessons: titled, labelled, in colour-blind-safe colours (Okabe–Ito)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from . import validation
from .briefs import FEASIBILITY_DIMENSIONS, PATTERNS, RAW_MAX, RAW_MIN, FeasibilityResult

__all__ = [
    "COLOURS",
    "VERDICT_COLOURS",
    "feasibility_chart",
    "pattern_ladder_chart",
    "dimension_label",
    "confusion_matrix_plot",
    "pr_roc_plot",
    "cost_curve_plot",
    "reliability_plot",
    "risk_coverage_plot",
    "zone_plot",
    "PATTERN_COLOURS",
    "pattern_cost_plot",
    "tornado_plot",
    "recall_at_k_plot",
    "abstention_plot",
    "rollout_timeline_plot",
    "simulation_plot",
    "drift_plot",
]

# Okabe–Ito palette: distinguishable with the common forms of colour blindness.
COLOURS = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "yellow": "#F0E442",
    "purple": "#CC79A7",
    "grey": "#999999",
}
VERDICT_COLOURS = {"GREEN": COLOURS["green"], "YELLOW": COLOURS["orange"], "RED": COLOURS["vermillion"]}


# --------------------------------------------------------------------------------------------
# Argument checks: a wrong argument is named here, never deep inside Matplotlib
# --------------------------------------------------------------------------------------------


def _text(name: str, value: Any) -> str:
    """A title or label: text, or None for none."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise validation.fail(name, value, "text (a str)")
    return value


def _axes(ax: Any):
    """Where to draw: a Matplotlib Axes, or None for a new figure."""
    from matplotlib.axes import Axes

    if ax is not None and not isinstance(ax, Axes):
        raise validation.fail("ax", ax, "a Matplotlib Axes (e.g. from plt.subplots()), or None for a new figure")
    return ax


def _instance(name: str, value: Any, kind: type, allowed: str) -> Any:
    if not isinstance(value, kind):
        raise validation.fail(name, value, allowed)
    return value


def _optional_real(name: str, value: Any, **bounds: Any) -> float | None:
    return None if value is None else validation.real(name, value, **bounds)


def _array(name: str, value: Any, *, allowed: str, infinite: bool = False) -> np.ndarray:
    """A non-empty one-dimensional array of numbers (±inf too when ``infinite``), never NaN."""
    if value is None or isinstance(value, (str, bytes, Mapping)) or np.ndim(value) != 1:
        raise validation.fail(name, value, allowed)
    try:
        out = np.asarray(value, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise validation.fail(name, value, allowed) from None
    if out.size == 0 or np.isnan(out).any() or (not infinite and np.isinf(out).any()):
        raise validation.fail(name, value, allowed)
    return out


def _same_length(name: str, value: np.ndarray, other: str, length: int) -> None:
    if len(value) != length:
        raise validation.ArgumentError(f"{name} must have one value per {other} value: got {len(value)} for {length}")


def _labels(name: str, value: Any) -> np.ndarray:
    out = _array(name, value, allowed="a non-empty array of 0 and 1 (one label per case)")
    if not np.isin(out, [0, 1]).all():
        raise validation.fail(name, value, "a non-empty array of 0 and 1 (one label per case)")
    return out


def _probabilities(name: str, value: Any, length: int) -> np.ndarray:
    out = _array(name, value, allowed="a non-empty array of probabilities in [0, 1] (one per case)")
    if (out < 0).any() or (out > 1).any():
        raise validation.fail(name, value, "a non-empty array of probabilities in [0, 1] (one per case)")
    _same_length(name, out, "y_true", length)
    return out


def _items(name: str, value: Any, kind: type, allowed: str) -> list:
    """A list (or tuple) of ``kind``."""
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, kind) for v in value):
        raise validation.fail(name, value, allowed)
    return list(value)


def dimension_label(name: str) -> str:
    """Return a dimension's name for people, e.g. "Data availability"."""
    if not isinstance(name, str):
        raise validation.fail("name", name, 'a dimension\'s name (text), e.g. "user_ai_trust"')
    words = name.replace("_", " ").replace(" ai ", " AI ")
    return words[:1].upper() + words[1:]


def feasibility_chart(result: FeasibilityResult, title: str = "", ax=None):
    """Return a bar chart of each dimension's points in a feasibility score (lesson 01)."""
    _instance("result", result, FeasibilityResult, "a FeasibilityResult, from briefs.feasibility_score(...)")
    title, ax = _text("title", title), _axes(ax)
    if ax is None:
        fig, ax = plt.subplots(figsize=(7.5, 3.6))
    else:
        fig = ax.figure
    names = [d.name for d in FEASIBILITY_DIMENSIONS]
    labels = [dimension_label(n) + (" (inverted)" if d.inverted else "") for n, d in zip(names, FEASIBILITY_DIMENSIONS)]
    most = [d.weight * 4 * 100 / (RAW_MAX - RAW_MIN) for d in FEASIBILITY_DIMENSIONS]
    points = [result.contributions[n] for n in names]
    rows = range(len(names))[::-1]
    ax.barh(rows, most, color="#e5e5e5", label="most it can add")
    ax.barh(rows, points, color=VERDICT_COLOURS[result.verdict], label="points this idea gets")
    for row, value, top in zip(rows, points, most):
        ax.text(top + 0.6, row, f"{value:.1f} of {top:.1f}", va="center", fontsize=9)
    ax.set_yticks(list(rows), labels)
    ax.set_xlim(0, max(most) + 9)
    ax.set_xlabel("points of the 0–100 feasibility score")
    heading = f"{title}: " if title else ""
    ax.set_title(f"{heading}{result.score:.1f}/100, {result.verdict}")
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def pattern_ladder_chart(ax=None):
    """Return a bar chart of the patterns' relative governance load, smallest first (lesson 01)."""
    ax = _axes(ax)
    if ax is None:
        fig, ax = plt.subplots(figsize=(7.5, 3))
    else:
        fig = ax.figure
    names = [p.name.replace(" (RAG)", "\n(RAG)").replace("Retrieval-augmented generation", "Retrieval-augmented\ngeneration") for p in PATTERNS]
    loads = [p.governance_load for p in PATTERNS]
    bars = ax.bar(range(len(PATTERNS)), loads, color=COLOURS["blue"])
    ax.bar_label(bars, labels=[str(v) for v in loads], padding=2, fontsize=9)
    ax.set_xticks(range(len(PATTERNS)), names, fontsize=8)
    ax.set_ylim(0, 105)
    ax.set_ylabel("relative governance load (0–100)")
    ax.set_title("Each rung up the ladder costs more evaluation, monitoring and approval", fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------------------------
# Lesson 02: thresholds and costs
# --------------------------------------------------------------------------------------------


def confusion_matrix_plot(counts, title: str = "", ax=None):
    """Return a 2×2 confusion matrix with counts and the rate each cell stands for (lesson 02)."""
    from .thresholds import ConfusionCounts

    _instance("counts", counts, ConfusionCounts, "ConfusionCounts, from thresholds.metrics_at(...)")
    title, ax = _text("title", title), _axes(ax)
    if ax is None:
        fig, ax = plt.subplots(figsize=(5.2, 4.2))
    else:
        fig = ax.figure
    cells = np.array([[counts.tp, counts.fn], [counts.fp, counts.tn]])
    positives, negatives = counts.tp + counts.fn, counts.fp + counts.tn
    rates = np.array(
        [[counts.tp / positives if positives else 0, counts.fn / positives if positives else 0],
         [counts.fp / negatives if negatives else 0, counts.tn / negatives if negatives else 0]]
    )
    names = [["caught (TP)", "missed (FN)"], ["false alarm (FP)", "correctly passed (TN)"]]
    ax.imshow(rates, cmap="Blues", vmin=0, vmax=1)
    for i in range(2):
        for j in range(2):
            colour = "white" if rates[i, j] > 0.6 else "black"
            ax.text(j, i, f"{names[i][j]}\n{cells[i, j]:,}\n{rates[i, j]:.1%} of row", ha="center", va="center", color=colour, fontsize=9)
    ax.set_xticks([0, 1], ["flagged", "not flagged"])
    ax.set_yticks([0, 1], ["truly positive", "truly negative"])
    ax.set_xlabel("model decision")
    ax.set_ylabel("truth")
    ax.set_title(title or f"Confusion matrix at threshold {counts.threshold:.3g}")
    fig.tight_layout()
    return fig


def pr_roc_plot(table, chosen, title: str = ""):
    """Return precision–recall and ROC curves with the chosen threshold marked (lesson 02)."""
    from sklearn.metrics import auc

    from .thresholds import ConfusionCounts, ThresholdTable

    _instance("table", table, ThresholdTable, "a ThresholdTable, from thresholds.confusion_table(...)")
    _instance("chosen", chosen, ConfusionCounts, "ConfusionCounts at the chosen threshold, from thresholds.metrics_at(...)")
    title = _text("title", title)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    recall, precision, fpr = table.recall[1:], table.precision[1:], table.false_positive_rate[1:]
    left.plot(recall, precision, color=COLOURS["blue"], label="all thresholds")
    left.plot([chosen.recall], [chosen.precision], "o", color=COLOURS["vermillion"], markersize=9, label=f"threshold {chosen.threshold:.3g}")
    left.set_xlabel("recall (share of positives caught)")
    left.set_ylabel("precision (share of alerts that are real)")
    left.set_title("Precision–recall curve")
    left.set_xlim(0, 1.02)
    left.set_ylim(0, 1.02)
    left.legend(frameon=False)
    right.plot(fpr, table.recall[1:], color=COLOURS["blue"], label=f"model (AUC {auc(table.false_positive_rate, table.recall):.3f})")
    right.plot([0, 1], [0, 1], "--", color=COLOURS["grey"], label="random guessing")
    right.plot([chosen.false_positive_rate], [chosen.recall], "o", color=COLOURS["vermillion"], markersize=9, label=f"threshold {chosen.threshold:.3g}")
    right.set_xlabel("false-positive rate (share of negatives flagged)")
    right.set_ylabel("recall (true-positive rate)")
    right.set_title("ROC curve")
    right.legend(frameon=False, loc="lower right")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def cost_curve_plot(thresholds, cost_per_case, best, closed_form: float | None = None, unit: str = "USD", title: str = "",
                    mark: float | None = None, mark_label: str = "your choice"):
    """Return expected cost per case against threshold, minimum and closed-form threshold marked,
    and ``mark`` (e.g. the threshold you chose) as a dotted line."""
    from .thresholds import BestThreshold

    thresholds = _array("thresholds", thresholds, allowed="a non-empty array of thresholds (from thresholds.cost_curve)", infinite=True)
    cost_per_case = _array("cost_per_case", cost_per_case, allowed="a non-empty array of costs, one per threshold")
    _same_length("cost_per_case", cost_per_case, "thresholds", len(thresholds))
    if not (np.isfinite(thresholds) & (thresholds > 0)).any():
        raise validation.fail("thresholds", thresholds, "an array holding at least one finite threshold above 0")
    _instance("best", best, BestThreshold, "a BestThreshold, from thresholds.best_threshold(...)")
    closed_form = _optional_real("closed_form", closed_form, low=0, high=1, allowed="a threshold in [0, 1], or None")
    mark = _optional_real("mark", mark, low=0, high=1, allowed="a threshold in [0, 1], or None")
    unit, title, mark_label = _text("unit", unit), _text("title", title), _text("mark_label", mark_label)
    fig, ax = plt.subplots(figsize=(8, 4))
    finite = np.isfinite(thresholds) & (thresholds > 0)
    ax.plot(thresholds[finite], cost_per_case[finite], color=COLOURS["blue"], label="expected cost per case")
    ax.axvline(best.threshold, color=COLOURS["vermillion"], label=f"cheapest on the data: {best.threshold:.3g}")
    low, high = best.interval
    ax.axvspan(low, high, color=COLOURS["vermillion"], alpha=0.12, label=f"{best.confidence:.0%} bootstrap interval")
    if closed_form is not None:
        ax.axvline(closed_form, color=COLOURS["green"], linestyle="--", label=f"closed form: {closed_form:.3g}")
    if mark is not None:
        ax.axvline(mark, color="black", linestyle=":", label=f"{mark_label}: {mark:.3g}")
    ax.set_xscale("log")
    ax.set_xlim(left=max(float(np.min(thresholds[finite])), 1e-4), right=1.0)
    ax.set_xlabel("threshold (log scale): flag a case when its score is at least this")
    ax.set_ylabel(f"expected cost per case ({unit})")
    ax.set_title(title or "What each threshold costs")
    ax.legend(frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def reliability_plot(y_true, before, after=None, n_bins: int = 10, title: str = ""):
    """Return a reliability diagram: predicted probability against the observed rate (lesson 02)."""
    from sklearn.calibration import calibration_curve

    y_true = _labels("y_true", y_true)
    before = _probabilities("before", before, len(y_true))
    after = None if after is None else _probabilities("after", after, len(y_true))
    n_bins = validation.count("n_bins", n_bins, minimum=1, maximum=1_000)
    title = _text("title", title)
    fig, ax = plt.subplots(figsize=(5.5, 5))
    ax.plot([0, 1], [0, 1], "--", color=COLOURS["grey"], label="perfectly calibrated")
    observed, predicted = calibration_curve(y_true, before, n_bins=n_bins, strategy="uniform")
    ax.plot(predicted, observed, "o-", color=COLOURS["vermillion"], label="raw scores")
    if after is not None:
        observed, predicted = calibration_curve(y_true, after, n_bins=n_bins, strategy="uniform")
        ax.plot(predicted, observed, "s-", color=COLOURS["blue"], label="after recalibration")
    ax.set_xlabel("predicted probability (mean in each bin)")
    ax.set_ylabel("observed share of positives")
    ax.set_title(title or "Reliability diagram")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(frameon=False, loc="upper left")
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------------------------
# Lesson 03: uncertainty budgets
# --------------------------------------------------------------------------------------------


def risk_coverage_plot(curve, budget: float, chosen=None, title: str = ""):
    """Return the risk–coverage curve with the budget line and the chosen point (lesson 03)."""
    from .uncertainty import BudgetResult, RiskCoverage

    _instance("curve", curve, RiskCoverage, "a RiskCoverage, from uncertainty.risk_coverage(...)")
    budget = validation.share("budget", budget, open_low=True, open_high=True, allowed="an error budget in (0, 1), e.g. 0.05")
    if chosen is not None:
        _instance("chosen", chosen, BudgetResult, "a BudgetResult, from uncertainty.threshold_for_budget(...), or None")
    title = _text("title", title)
    fig, ax = plt.subplots(figsize=(7.5, 4))
    ax.plot(curve.coverage, curve.risk, color=COLOURS["blue"], label="error rate of the cases served")
    ax.axhline(budget, color=COLOURS["vermillion"], linestyle="--", label=f"budget: {budget:.0%}")
    if chosen is not None and chosen.met:
        ax.plot([chosen.coverage], [chosen.observed_error_rate], "o", color=COLOURS["vermillion"], markersize=9,
                label=f"chosen: {chosen.coverage:.0%} served, upper bound {chosen.upper_bound:.1%}")
        ax.vlines(chosen.coverage, chosen.observed_error_rate, chosen.upper_bound, color=COLOURS["vermillion"])
    ax.set_xlabel("coverage: share of cases served, most confident first")
    ax.set_ylabel("selective risk: error rate among them")
    ax.set_title(title or f"Risk–coverage curve (AURC {curve.aurc:.3f})")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, max(float(curve.risk[len(curve.risk) // 20:].max()) * 1.1, budget * 1.5))
    ax.legend(frameon=False, loc="upper left")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def zone_plot(result, title: str = ""):
    """Return the zones' shares of cases and of the daily cost as stacked bars (lesson 03)."""
    from .uncertainty import ZoneResult

    _instance("result", result, ZoneResult, "a ZoneResult, from uncertainty.zone_policy(...)")
    title = _text("title", title)
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.4))
    zones = [("served", COLOURS["blue"]), ("caveat", COLOURS["orange"]), ("human", COLOURS["green"])]
    left_edge = 0.0
    for zone, colour in zones:
        share = result.shares[zone]
        left.barh([0], [share], left=left_edge, color=colour, label=f"{zone}: {share:.0%} (error {result.error_rates[zone]:.0%})")
        left_edge += share
    left.set_xlim(0, 1)
    left.set_yticks([])
    left.set_xlabel("share of cases")
    left.set_title("Where the cases go")
    left.legend(frameon=False, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.35), ncol=1)
    names = list(result.cost_parts)
    values = [result.cost_parts[k] for k in names]
    bars = right.barh(names, values, color=[COLOURS["blue"], COLOURS["orange"], COLOURS["green"]])
    right.bar_label(bars, labels=[f"${v:,.0f}" for v in values], padding=3, fontsize=8)
    right.set_xlim(0, max(values + [1]) * 1.35)
    right.invert_yaxis()
    right.set_xlabel("USD a day")
    right.set_title(f"${result.cost_per_day:,.0f} a day; {result.reviewers:.1f} reviewers")
    right.spines[["top", "right"]].set_visible(False)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------------------------
# Lesson 04: costs and retrieval
# --------------------------------------------------------------------------------------------

PATTERN_COLOURS = {"prompt_only": COLOURS["grey"], "rag": COLOURS["blue"], "fine_tuned": COLOURS["vermillion"]}


def pattern_cost_plot(inputs=None, max_per_day: float | None = None, title: str = ""):
    """Return each pattern's total cost over the horizon against queries a day, with the
    RAG/fine-tuned break-even and today's volume marked (lesson 04)."""
    from .costs import CostInputs, break_even_between, patterns_for

    if inputs is not None:
        _instance("inputs", inputs, CostInputs, "CostInputs(...), or None for the lesson's assumptions")
    max_per_day = _optional_real("max_per_day", max_per_day, low=0, low_open=True, allowed="a number of queries a day above 0, or None")
    title = _text("title", title)
    inputs = CostInputs() if inputs is None else inputs
    patterns = patterns_for(inputs)
    crossing = break_even_between(patterns["rag"], patterns["fine_tuned"], inputs.months)
    top = max_per_day or max(2 * inputs.queries_per_day, 1.3 * (crossing.per_day or 0), 1_000)
    per_day = np.linspace(0, top, 200)
    fig, ax = plt.subplots(figsize=(7.5, 4))
    for key, pattern in patterns.items():
        ax.plot(per_day, pattern.total_cost_per_day(per_day, inputs.months) / 1000, color=PATTERN_COLOURS[key], linewidth=2,
                label=f"{pattern.name}: \\${pattern.per_query:.4f} a query, \\${pattern.fixed_cost(inputs.months):,.0f} fixed")
    if not crossing.never:
        cost = patterns["rag"].total_cost(crossing.volume, inputs.months) / 1000
        ax.plot([crossing.per_day], [cost], "o", color="black", markersize=7, label=f"RAG = fine-tuned at {crossing.per_day:,.0f} a day")
    ax.axvline(inputs.queries_per_day, color=COLOURS["grey"], linestyle=":", label=f"your volume: {inputs.queries_per_day:,.0f} a day")
    ax.set_xlim(0, top)
    ax.set_ylim(0, None)
    ax.set_xlabel("queries a day")
    ax.set_ylabel(f"total cost over {inputs.months:g} months (thousand USD)")
    ax.set_title(title or f"What each pattern costs over {inputs.months:g} months")
    ax.legend(frameon=False, fontsize=8, loc="upper left")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def tornado_plot(rows, title: str = "", a: str = "RAG", b: str = "fine-tuned", most: int = 10):
    """Return a tornado chart: how the cost margin moves when each assumption moves (lesson 04).

    Each bar spans the margin (cost of B minus cost of A) at the low and the high value; the line
    at 0 is where the decision flips; the label says how far the assumption must move to get there.
    """
    from .costs import SensitivityRow

    rows = _items("rows", rows, SensitivityRow, "a list of SensitivityRow, from costs.sensitivity(...)")
    title, a, b = _text("title", title), _text("a", a), _text("b", b)
    most = validation.count("most", most, minimum=1)
    rows = rows[:most]
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(rows) + 1.4))
    positions = list(range(len(rows)))[::-1]
    for y, row in zip(positions, rows):
        low, high = row.margin_at_low / 1000, row.margin_at_high / 1000
        ax.barh(y, high - low if high >= low else low - high, left=min(low, high), color=COLOURS["sky"], height=0.6)
        ax.plot([low], [y], "<", color=COLOURS["blue"], markersize=6)
        ax.plot([high], [y], ">", color=COLOURS["vermillion"], markersize=6)
        factor = row.flip_factor
        text = "no flip within 1/100 to 100x" if factor is None else f"flips at x{factor:.2f}"
        ax.text(max(low, high), y, "  " + text, va="center", fontsize=8)
    ax.axvline(0, color="black", linewidth=1)
    ax.set_yticks(positions, [r.label for r in rows])
    ax.set_xlabel(f"{b} cost minus {a} cost (thousand USD); right of 0: {a} is cheaper")
    ax.set_title(title or "Which assumption could change the decision? (each moved -50% < and +50% >)")
    ax.spines[["top", "right"]].set_visible(False)
    left, right = ax.get_xlim()
    ax.set_xlim(min(left, 0), right + (right - min(left, 0)) * 0.35)
    fig.tight_layout()
    return fig


def recall_at_k_plot(ks, recalls, title: str = ""):
    """Return retrieval recall at k against k (lesson 04)."""
    if isinstance(ks, (str, bytes, Mapping)) or np.ndim(ks) != 1 or not len(ks) or not all(validation.is_whole(k) and k >= 1 for k in ks):
        raise validation.fail("ks", ks, "a non-empty list of whole numbers 1 or more (the k of each recall)")
    recalls = _array("recalls", recalls, allowed="a non-empty list of recalls in [0, 1], one per k")
    if (recalls < 0).any() or (recalls > 1).any():
        raise validation.fail("recalls", recalls, "a non-empty list of recalls in [0, 1], one per k")
    _same_length("recalls", recalls, "ks", len(ks))
    ks, recalls, title = [int(k) for k in ks], recalls.tolist(), _text("title", title)
    fig, ax = plt.subplots(figsize=(6.5, 3.4))
    ax.plot(list(ks), list(recalls), "o-", color=COLOURS["blue"])
    for k, r in zip(ks, recalls):
        ax.annotate(f"{r:.0%}", (k, r), textcoords="offset points", xytext=(0, 7), ha="center", fontsize=8)
    ax.set_xlabel("k: documents retrieved per question")
    ax.set_ylabel("recall at k")
    ax.set_ylim(0, 1.05)
    ax.set_xticks(list(ks))
    ax.set_title(title or "How often the right policy is among the documents retrieved")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def abstention_plot(tradeoff, chosen: float | None = None, title: str = ""):
    """Return the "I don't know" trade-off: wrong answers against declined questions (lesson 04)."""
    from .retrieval import AbstentionTradeoff

    _instance("tradeoff", tradeoff, AbstentionTradeoff, "an AbstentionTradeoff, from retrieval.abstention_tradeoff(...)")
    chosen = _optional_real("chosen", chosen, low=0, high=1, allowed="a similarity threshold in [0, 1], or None")
    title = _text("title", title)
    fig, ax = plt.subplots(figsize=(7, 3.8))
    ax.plot(tradeoff.thresholds, tradeoff.wrong, color=COLOURS["vermillion"], linewidth=2, label="answered from the wrong document")
    ax.plot(tradeoff.thresholds, tradeoff.declined_answerable, color=COLOURS["blue"], linewidth=2, label="declined although the answer was there")
    if chosen is not None:
        ax.axvline(chosen, color=COLOURS["grey"], linestyle=":", label=f"threshold {chosen:.2f}")
    ax.set_xlabel("similarity threshold: below it, say \"I don't know\"")
    ax.set_ylabel("share of all questions")
    ax.set_ylim(0, 1)
    ax.set_title(title or "Saying \"I don't know\": fewer wrong answers, more questions declined")
    ax.legend(frameon=False, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------------------------
# Lesson 05: rollout
# --------------------------------------------------------------------------------------------

STAGE_COLOURS = {"shadow": COLOURS["grey"], "dogfood": COLOURS["purple"], "pilot": COLOURS["sky"], "canary": COLOURS["orange"], "ramp": COLOURS["blue"], "full": COLOURS["green"]}


def rollout_timeline_plot(items, daily_users: float, title: str = ""):
    """Return the rollout as a timeline: the share of users on the new model day by day, each stage
    coloured, with its exposure written on it (lesson 05). ``items`` come from ``rollout.schedule``."""
    from .rollout import StageSchedule

    items = _items("items", items, StageSchedule, "a list of StageSchedule, from rollout.schedule(...)")
    daily_users = validation.nonnegative("daily_users", daily_users, allowed="a number of users a day, 0 or more")
    title = _text("title", title)
    fig, ax = plt.subplots(figsize=(8, 3.6))
    for item in items:
        share = item.stage.traffic_share if item.stage.exposed else 0.0
        ax.fill_between([item.start_day, item.end_day], 0, [share, share], step="pre", color=STAGE_COLOURS[item.stage.kind], alpha=0.85,
                        label=f"{item.stage.title}: {item.days} d, {item.exposure:,.0f} users exposed")
        if not item.stage.exposed:
            ax.fill_between([item.start_day, item.end_day], 0, [0.03, 0.03], color=STAGE_COLOURS["shadow"], hatch="//", alpha=0.5)
        ax.text((item.start_day + item.end_day) / 2, max(share, 0.03) + 0.03, item.stage.title, ha="center", fontsize=8)
    end = items[-1].end_day if items else 1
    ax.set_xlim(0, end)
    ax.set_ylim(0, 1.15)
    ax.set_xlabel("days from the start of the rollout")
    ax.set_ylabel("share of users on the new model")
    ax.set_title(title or f"Rollout timeline: {end} days to full launch at {daily_users:,.0f} users a day")
    ax.legend(frameon=False, fontsize=7, loc="upper left")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def simulation_plot(result, plan, metric: str, title: str = ""):
    """Return one metric's daily values in a simulated rollout, on the new model and on the old
    (the control), with its gate thresholds, the stages and the day the rollout stopped (lesson 05)."""
    from .rollout import RolloutPlan, SimulationResult

    _instance("result", result, SimulationResult, "a SimulationResult, from rollout.simulate_rollout(...)")
    _instance("plan", plan, RolloutPlan, "the RolloutPlan that was simulated")
    recorded = sorted({k for r in result.days for k, v in r.items() if validation.is_number(v) and k != "day"})
    if not isinstance(metric, str) or metric not in recorded:
        raise validation.fail("metric", metric, "one of the metrics the simulation recorded: " + ", ".join(recorded))
    title = _text("title", title)
    days = [r["day"] for r in result.days if metric in r]
    values = [r[metric] for r in result.days if metric in r]
    control_days = [r["day"] for r in result.days if metric in r.get("control", {})]
    control = [r["control"][metric] for r in result.days if metric in r.get("control", {})]
    fig, ax = plt.subplots(figsize=(8, 3.6))
    ax.plot(days, values, "o-", markersize=3, color=COLOURS["blue"], label="new model")
    if control:
        ax.plot(control_days, control, "s-", markersize=2, color=COLOURS["grey"], label="old model (control)")
    thresholds = {g.threshold for s in plan.stages for g in s.gates if g.metric == metric and g.threshold is not None}
    for t in sorted(thresholds):
        ax.axhline(t, color=COLOURS["vermillion"], linestyle="--", label=f"gate: {t:g}")
    if plan.kill_metric == metric and plan.kill_threshold is not None:
        ax.axhline(plan.kill_threshold, color="black", linestyle=":", label=f"kill switch: {plan.kill_threshold:g}")
    stages = []
    for r in result.days:
        if not stages or stages[-1][0] != r["stage"]:
            stages.append([r["stage"], r["day"], r["day"]])
        stages[-1][2] = r["day"]
    top = max(values + control + list(thresholds) + [0.0]) * 1.08
    for name, first, last in stages:
        ax.axvline(first - 0.5, color="#dddddd", linewidth=1)
        ax.text((first + last) / 2, top, name, ha="center", va="bottom", fontsize=8, color="#555555")
    if result.stopped:
        ax.axvline(result.stop_day + 0.5, color="black", linewidth=2, label=f"stopped after day {result.stop_day}")
    ax.set_xlabel("day")
    ax.set_ylabel(metric)
    ax.set_ylim(None, top * 1.06)
    ax.set_title(title or ("Simulated rollout: " + ("stopped" if result.stopped else "reached full launch")))
    ax.legend(frameon=False, fontsize=8, loc="lower left")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def drift_plot(reference, current, report, feature: str = "feature", title: str = ""):
    """Return the reference and current distributions of a feature, with the drift figures (lesson 05)."""
    from .rollout import DriftReport

    reference = _array("reference", reference, allowed="a non-empty array of finite numbers (the feature at launch)")
    current = _array("current", current, allowed="a non-empty array of finite numbers (the feature now)")
    _instance("report", report, DriftReport, "a DriftReport, from rollout.drift_check(reference, current)")
    feature, title = _text("feature", feature), _text("title", title)
    fig, ax = plt.subplots(figsize=(7, 3.4))
    both = np.concatenate([np.asarray(reference, float), np.asarray(current, float)])
    edges = np.histogram_bin_edges(both, bins=30)
    ax.hist(reference, bins=edges, density=True, alpha=0.6, color=COLOURS["blue"], label="reference (at launch)")
    ax.hist(current, bins=edges, density=True, alpha=0.6, color=COLOURS["orange"], label="current (this week)")
    ax.set_xlabel(feature)
    ax.set_ylabel("density")
    ax.set_title(title or f"PSI {report.psi:.2f} ({report.level}), KS {report.ks_statistic:.2f}")
    ax.legend(frameon=False, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig
