"""Uncertainty budgets: how wrong the product may be, where, and what happens when the model is unsure (lesson 03).

- An uncertainty budget as data (``UncertaintyBudget``): per scenario or segment, the highest
  acceptable error rate, its severity, owner, review date and fallback.
- ``risk_coverage``: serve the most confident cases first; the error rate of what is served.
- ``threshold_for_budget``: the widest coverage whose *upper confidence bound* on the served error
  rate is within the budget (evidence, not a point estimate).
- ``zone_policy`` and ``reviewer_headcount``: serve, serve with a caveat, or send to a human, and
  what that costs a day.
- ``cases_to_show_budget``: how many labelled cases an evaluation needs to show a budget is met.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from scipy import stats

from . import validation
from .validation import AipmError

__all__ = [
    "BudgetError",
    "BudgetEntry",
    "UncertaintyBudget",
    "SEVERITIES",
    "budget_from_dict",
    "load_budget",
    "budget_to_yaml",
    "save_budget",
    "budget_table",
    "upper_bound",
    "RiskCoverage",
    "risk_coverage",
    "BudgetResult",
    "threshold_for_budget",
    "ZoneResult",
    "zone_policy",
    "reviewer_headcount",
    "cases_to_show_budget",
]

SEVERITIES = ("low", "medium", "high", "critical")


class BudgetError(AipmError):
    """A budget that cannot be read: malformed YAML or a field with a wrong value."""


# --------------------------------------------------------------------------------------------
# The budget as data
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class BudgetEntry:
    """One line of an uncertainty budget."""

    scope: str
    max_error_rate: float
    severity: str
    owner: str
    review_date: str
    fallback: str


@dataclasses.dataclass(frozen=True)
class UncertaintyBudget:
    """An uncertainty budget: a living document, reviewed on its dates, not a launch artefact."""

    name: str
    entries: tuple[BudgetEntry, ...]

    def entry(self, scope: str) -> BudgetEntry:
        for entry in self.entries:
            if entry.scope == scope:
                return entry
        raise KeyError(f"no budget line for {validation.show(scope)}; the budget covers {', '.join(e.scope for e in self.entries)}")


def _entry_from(scope: str, raw: Any) -> BudgetEntry:
    where = f"budget.{scope if len(scope) <= 60 else scope[:57] + '...'}"
    if not isinstance(raw, Mapping):
        raise BudgetError(f"{where} must be a mapping with max_error_rate, severity, owner, review_date and fallback, got {type(raw).__name__}")
    missing = [k for k in ("max_error_rate", "severity", "owner", "review_date", "fallback") if k not in raw or raw[k] in (None, "")]
    if missing:
        raise BudgetError(f"{where} is missing {', '.join(missing)}")
    rate = raw["max_error_rate"]
    if isinstance(rate, str) and rate.strip().endswith("%"):
        try:
            rate = float(rate.strip()[:-1]) / 100
        except ValueError:
            pass
    try:
        rate = validation.share("max_error_rate", rate, open_low=True, open_high=True)
    except validation.ArgumentError:  # name the value as written, e.g. "500%"
        raise validation.fail(f"{where}.max_error_rate", raw["max_error_rate"], 'a share in (0, 1), e.g. 0.05 or "5%"', BudgetError) from None
    severity = str(raw["severity"]).strip().lower()
    if severity not in SEVERITIES:
        raise BudgetError(f"{where}.severity must be one of {', '.join(SEVERITIES)}, got {validation.show(raw['severity'])}")
    date = raw["review_date"]
    if isinstance(date, _dt.date):
        date = date.isoformat()
    try:
        _dt.date.fromisoformat(str(date))
    except ValueError:
        raise BudgetError(f"{where}.review_date must be a date like 2027-03-31, got {validation.show(raw['review_date'])}") from None
    return BudgetEntry(scope, float(rate), severity, str(raw["owner"]).strip(), str(date), str(raw["fallback"]).strip())


def budget_from_dict(data: Any) -> UncertaintyBudget:
    """Return a budget from ``{"name": ..., "budget": {scope: {...}, ...}}`` (or just the scopes)."""
    return _as_budget(data, "data")


def _as_budget(data: Any, name: str) -> UncertaintyBudget:
    """``data`` as a budget; an error names the argument ``name`` it came from."""
    if isinstance(data, UncertaintyBudget):
        return data
    if not isinstance(data, Mapping):
        raise validation.fail(name, data, 'a budget: a mapping such as {"name": ..., "budget": {scope: {...}}}', BudgetError)
    name = str(data.get("name", "uncertainty budget"))
    lines = data.get("budget", {k: v for k, v in data.items() if k != "name"})
    if not isinstance(lines, Mapping) or not lines:
        raise BudgetError("a budget needs at least one line under `budget:`, one per scenario or segment")
    return UncertaintyBudget(name, tuple(_entry_from(str(scope), raw) for scope, raw in lines.items()))


def load_budget(source: str | Path) -> UncertaintyBudget:
    """Return a budget from a YAML file or YAML text (safe loading only)."""
    from .safe_yaml import is_path, load_yaml

    if not isinstance(source, (str, Path)):
        raise validation.fail("source", source, "a YAML file path or YAML text", BudgetError)
    try:  # size, alias and nesting limits, safe loading: the kit's one YAML reader
        data = load_yaml(source, what="the budget", error=BudgetError, argument="source")
    except BudgetError as exc:
        if getattr(exc, "problem", None) is None or "not valid YAML around line" not in str(exc):
            raise
        # a syntax error in the budget's own words ("at line N")
        where = str(source) if is_path(source) else "the budget"
        raise BudgetError(f"{where} is not valid YAML at line {exc.line}: {exc.problem}. Check quotes, colons and indentation.") from None
    if not isinstance(data, Mapping):
        raise validation.fail("source", source, "a YAML file path, or YAML text holding a budget (a mapping with `budget:`)", BudgetError)
    return budget_from_dict(data)


def budget_to_yaml(budget: UncertaintyBudget | Mapping) -> str:
    """Return the budget as YAML that ``load_budget`` reads back to an equal budget."""
    budget = _as_budget(budget, "budget")
    lines = {e.scope: {k: v for k, v in dataclasses.asdict(e).items() if k != "scope"} for e in budget.entries}
    return yaml.safe_dump({"name": budget.name, "budget": lines}, sort_keys=False, allow_unicode=True, width=10_000)


def save_budget(budget: UncertaintyBudget | Mapping, path: str | Path) -> Path:
    """Write the budget as YAML; return the path."""
    text = budget_to_yaml(budget)
    if not isinstance(path, (str, os.PathLike)) or not str(path):
        raise validation.fail("path", path, "a file path (a str or a Path)")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def budget_table(budget: UncertaintyBudget | Mapping):
    """Return the budget as a table, one row per scenario or segment."""
    import pandas as pd

    budget = _as_budget(budget, "budget")
    rows = [dataclasses.asdict(e) for e in budget.entries]
    frame = pd.DataFrame(rows).set_index("scope")
    frame["max_error_rate"] = frame["max_error_rate"].map(lambda r: f"{r:.1%}")
    return frame


# --------------------------------------------------------------------------------------------
# Evidence
# --------------------------------------------------------------------------------------------


def _check_level(confidence_level: Any) -> float:
    return validation.share("confidence_level", confidence_level, open_low=True, open_high=True, allowed="in (0, 1), e.g. 0.95")


def _check_budget(max_error_rate: Any) -> float:
    """An error budget, in (0, 1): no evaluation can show a rate below 0, and 1 is no budget."""
    return validation.share("max_error_rate", max_error_rate, open_low=True, open_high=True, allowed="in (0, 1), e.g. 0.05")


def upper_bound(errors: Any, n: Any, confidence_level: float = 0.95) -> Any:
    """Return the one-sided Clopper–Pearson upper bound on an error rate (lesson 03).

    With ``errors`` wrong out of ``n``, the true error rate is below this bound with the given
    confidence. Works on arrays. With no cases at all the bound is 1.
    """
    level = _check_level(confidence_level)
    k = _counts("errors", errors)
    n = _counts("n", n)
    try:
        np.broadcast_shapes(k.shape, n.shape)
    except ValueError:
        raise validation.ArgumentError(f"errors and n must have the same length (or one be a single count), got shapes {k.shape} and {n.shape}") from None
    if (k > n).any():
        raise validation.ArgumentError(f"errors must be between 0 and n (the errors are among the n cases), got errors {validation.show(errors)} and n {validation.show(n.tolist() if n.ndim else int(n))}")
    with np.errstate(invalid="ignore"):
        bound = np.where(k >= n, 1.0, stats.beta.ppf(level, k + 1, np.maximum(n - k, 1e-12)))
    bound = np.where(n <= 0, 1.0, bound)
    return float(bound) if bound.ndim == 0 else bound


MAX_COUNT = 2**53  # the largest count a float holds exactly


def _counts(name: str, value: Any) -> np.ndarray:
    """A count of cases (a whole number 0 or more) or an array of them, as floats."""
    allowed = "a whole number 0 or more (a count of cases), or an array of them"
    if np.ndim(value) == 0:
        value = value.item() if isinstance(value, np.ndarray) else value
        if validation.is_real(value) and not validation.is_whole(value) and float(value).is_integer():
            value = int(value)  # 3.0 errors are 3 errors (e.g. a sum of a float array)
        return np.asarray(float(validation.count(name, value, maximum=MAX_COUNT, allowed=allowed)))
    try:
        out = np.asarray(value, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise validation.fail(name, value, allowed) from None
    if out.size == 0 or not np.isfinite(out).all() or (out < 0).any() or (out % 1 != 0).any() or (out > MAX_COUNT).any():
        raise validation.fail(name, value, "a non-empty array of whole numbers 0 or more (counts of cases)")
    return out


def _check_outcomes(correct: Any, confidence: Any) -> tuple[np.ndarray, np.ndarray]:
    for name, value in (("correct", correct), ("confidence", confidence)):
        if value is None or isinstance(value, (str, bytes, dict)) or np.ndim(value) != 1:
            raise validation.ArgumentError(f"correct and confidence must be one-dimensional arrays, one value per case; {name} is {validation.show(value)}")
    c = np.asarray(correct)
    try:
        p = np.asarray(confidence, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise validation.ArgumentError(f"confidence must hold numbers in [0, 1], one per case; got {validation.show(confidence)}") from None
    if len(c) != len(p):
        raise validation.ArgumentError(f"correct and confidence must have the same length, got {len(c)} and {len(p)}")
    if len(c) == 0:
        raise validation.ArgumentError("correct and confidence are empty; at least one case is needed")
    try:
        known = np.isin(c, [0, 1, True, False]).all()
    except Exception:  # noqa: BLE001 - values that cannot be compared are not True/False
        known = False
    if not known:
        raise validation.ArgumentError("correct must hold only True/False (or 1/0): whether each answer was right")
    if np.isnan(p).any() or (p < 0).any() or (p > 1).any():
        raise validation.ArgumentError("confidence must hold numbers in [0, 1], with no NaN")
    return c.astype(bool), p


@dataclasses.dataclass(frozen=True)
class RiskCoverage:
    """Coverage and selective risk when the most confident cases are served first."""

    coverage: np.ndarray  # k / n for k = 1..n
    risk: np.ndarray  # errors among the k most confident / k
    confidence: np.ndarray  # the k-th highest confidence
    aurc: float  # the area under the risk-coverage curve: the mean of the risks

    def risk_at(self, coverage: float) -> float:
        """Return the selective risk when serving the given share of cases (rounded up to whole cases)."""
        coverage = validation.share("coverage", coverage, open_low=True)  # serving no case has no risk to read
        k = math.ceil(coverage * len(self.coverage) - 1e-9)
        return float(self.risk[k - 1])


def risk_coverage(correct: Any, confidence: Any) -> RiskCoverage:
    """Return the risk–coverage curve and its area (AURC; lesson 03).

    Sort by confidence, highest first; serving the top k gives coverage k/n and selective risk
    (errors among them) / k. At full coverage the risk is the overall error rate.
    """
    c, p = _check_outcomes(correct, confidence)
    order = np.argsort(-p, kind="mergesort")
    errors = np.cumsum(~c[order])
    k = np.arange(1, len(c) + 1)
    risk = errors / k
    return RiskCoverage(k / len(c), risk, p[order], float(risk.mean()))


@dataclasses.dataclass(frozen=True)
class BudgetResult:
    """Whether a budget can be met on the evidence, and with which confidence threshold."""

    met: bool
    threshold: float | None
    coverage: float
    served: int
    errors: int
    observed_error_rate: float
    upper_bound: float
    max_error_rate: float
    confidence_level: float

    def __str__(self) -> str:
        if not self.met:
            return (
                f"No threshold meets this budget: even the most confident cases do not show an error rate "
                f"below {self.max_error_rate:.1%} with {self.confidence_level:.0%} confidence. Collect more "
                "labelled cases, improve the model, or send more to people."
            )
        return (
            f"Serve cases with confidence >= {self.threshold:.3f}: coverage {self.coverage:.1%} ({self.served:,} cases), "
            f"observed error rate {self.observed_error_rate:.2%}, upper bound {self.upper_bound:.2%} "
            f"<= budget {self.max_error_rate:.1%} at {self.confidence_level:.0%} confidence."
        )

    def __repr__(self) -> str:
        return f"BudgetResult({self})"


def threshold_for_budget(correct: Any, confidence: Any, max_error_rate: float, confidence_level: float = 0.95) -> BudgetResult:
    """Return the lowest confidence threshold (widest coverage) whose served error rate is within budget
    with evidence: its one-sided Clopper–Pearson upper bound is at most the budget (lesson 03).

    Cases with confidence >= threshold are served. When no threshold qualifies, ``met`` is False.
    """
    budget = _check_budget(max_error_rate)
    level = _check_level(confidence_level)
    c, p = _check_outcomes(correct, confidence)
    order = np.argsort(-p, kind="mergesort")
    p_sorted = p[order]
    errors = np.cumsum(~c[order])
    # serving "confidence >= tau" serves whole runs of equal confidence: the last index of each run
    last = np.r_[np.nonzero(np.diff(p_sorted))[0], len(p_sorted) - 1]
    served = last + 1
    errs = errors[last]
    bounds = upper_bound(errs, served, level)
    ok = np.nonzero(bounds <= budget)[0]
    if len(ok) == 0:
        return BudgetResult(False, None, 0.0, 0, 0, 0.0, 1.0, budget, level)
    i = int(ok[-1])  # the widest coverage that still meets the budget
    return BudgetResult(
        True, float(p_sorted[last[i]]), float(served[i] / len(p)), int(served[i]), int(errs[i]),
        float(errs[i] / served[i]), float(bounds[i]), budget, level,
    )


MAX_CASES_SEARCHED = 100_000_000  # the largest ``limit`` cases_to_show_budget searches up to


def cases_to_show_budget(
    max_error_rate: float, true_error_rate: float, confidence_level: float = 0.95, power: float = 0.8, limit: int = 1_000_000
) -> int:
    """Return how many labelled cases an evaluation needs to show the error rate is within budget (lesson 03).

    The smallest n for which, when the true error rate is ``true_error_rate``, the evaluation's
    one-sided Clopper–Pearson upper bound lands at or below the budget with probability ``power``
    (0.8: four evaluations in five succeed). Because errors come in whole numbers, a few more cases
    than this can occasionally have a lower chance.
    """
    budget = _check_budget(max_error_rate)
    level = _check_level(confidence_level)
    power = validation.share("power", power, open_low=True, open_high=True, allowed="in (0, 1), e.g. 0.8")
    limit = validation.count("limit", limit, minimum=1, maximum=MAX_CASES_SEARCHED)
    below = f"at least 0 and below the budget {budget}"
    true_error_rate = validation.real("true_error_rate", true_error_rate, low=0, high=budget, high_open=True, allowed=below)
    start = 1
    while start <= limit:
        n = np.arange(start, min(start * 4, limit) + 1)
        # The bound is within budget exactly when P(Binomial(n, budget) <= k) <= 1 - level, so the
        # most errors an evaluation of n cases may show is the largest such k.
        k_max = stats.binom.ppf(1 - level, n, budget)
        k_max = np.where(stats.binom.cdf(k_max, n, budget) > 1 - level, k_max - 1, k_max)
        chance = np.where(k_max >= 0, stats.binom.cdf(k_max, n, true_error_rate), 0.0)
        found = np.nonzero(chance >= power)[0]
        if len(found):
            return int(n[found[0]])
        start = int(n[-1]) + 1
    raise validation.ArgumentError(
        f"more than limit={limit:,} cases would be needed; true_error_rate {true_error_rate:g} is too close to the budget {budget:g}"
    )


# --------------------------------------------------------------------------------------------
# Three zones and the human's share
# --------------------------------------------------------------------------------------------


def reviewer_headcount(cases_per_day: float, human_share: float, minutes_per_case: float, productive_hours_per_reviewer: float) -> float:
    """Return the reviewers needed: cases to humans a day × minutes each / (60 × productive hours) (lesson 03).

    Round up to hire whole people.
    """
    cases = validation.nonnegative("cases_per_day", cases_per_day, allowed="a number 0 or above")
    minutes = validation.nonnegative("minutes_per_case", minutes_per_case, allowed="a number 0 or above")
    share = validation.share("human_share", human_share)
    hours = validation.real("productive_hours_per_reviewer", productive_hours_per_reviewer, low=0, high=24, low_open=True)
    return cases * share * minutes / (60 * hours)


@dataclasses.dataclass(frozen=True)
class ZoneResult:
    """Shares, error rates and daily cost of a three-zone policy."""

    caveat_threshold: float
    human_threshold: float
    shares: dict[str, float]
    error_rates: dict[str, float]
    served_upper_bound: float
    cost_per_day: float
    human_cases_per_day: float
    reviewers: float
    cost_parts: dict[str, float] = dataclasses.field(default_factory=dict)  # USD a day, per zone

    def meets(self, max_error_rate: float) -> bool:
        """True when the upper bound on the error rate served without a caveat is within budget."""
        return self.served_upper_bound <= _check_budget(max_error_rate)


def zone_policy(
    correct: Any,
    confidence: Any,
    caveat_threshold: float,
    human_threshold: float,
    *,
    cases_per_day: float,
    cost_error_served: float,
    cost_error_caveat: float,
    cost_per_review: float,
    minutes_per_review: float = 4.0,
    productive_hours_per_reviewer: float = 6.0,
    confidence_level: float = 0.95,
) -> ZoneResult:
    """Return a three-zone policy's outcome (lesson 03).

    confidence >= caveat_threshold: served; human_threshold <= confidence < caveat_threshold:
    served with a caveat; confidence < human_threshold: sent to a person (who is assumed right).
    Cost a day = (errors served × C_served + errors with caveat × C_caveat + cases to people ×
    C_review), scaled from the sample to the cases a day.
    """
    c, p = _check_outcomes(correct, confidence)
    caveat_threshold = validation.real("caveat_threshold", caveat_threshold, low=0, high=1, allowed="in [0, 1]")
    human_threshold = validation.real("human_threshold", human_threshold, low=0, high=1, allowed="in [0, 1]")
    cases_per_day = validation.nonnegative("cases_per_day", cases_per_day, allowed="a number 0 or above")
    minutes_per_review = validation.nonnegative("minutes_per_review", minutes_per_review, allowed="a number 0 or above")
    productive_hours_per_reviewer = validation.real("productive_hours_per_reviewer", productive_hours_per_reviewer, low=0, high=24, low_open=True)
    confidence_level = _check_level(confidence_level)
    if human_threshold > caveat_threshold:
        raise validation.ArgumentError(
            f"human_threshold ({human_threshold}) must not be above caveat_threshold ({caveat_threshold}): "
            "the least confident cases go to people, the middle ones get a caveat"
        )
    cost_error_served, cost_error_caveat, cost_per_review = (
        validation.nonnegative(name, value, allowed="a number 0 or above")
        for name, value in (("cost_error_served", cost_error_served), ("cost_error_caveat", cost_error_caveat), ("cost_per_review", cost_per_review))
    )
    n = len(c)
    zones = {
        "served": p >= caveat_threshold,
        "caveat": (p >= human_threshold) & (p < caveat_threshold),
        "human": p < human_threshold,
    }
    shares = {z: float(m.sum() / n) for z, m in zones.items()}
    error_rates = {z: float((~c[m]).sum() / m.sum()) if m.any() else 0.0 for z, m in zones.items()}
    served_errors = int((~c[zones["served"]]).sum())
    served_bound = upper_bound(served_errors, int(zones["served"].sum()), confidence_level)
    scale = cases_per_day / n
    parts = {
        "errors served": served_errors * cost_error_served * scale,
        "errors with a caveat": int((~c[zones["caveat"]]).sum()) * cost_error_caveat * scale,
        "reviews by people": int(zones["human"].sum()) * cost_per_review * scale,
    }
    cost = sum(parts.values())
    human_per_day = shares["human"] * cases_per_day
    reviewers = reviewer_headcount(cases_per_day, shares["human"], minutes_per_review, productive_hours_per_reviewer)
    return ZoneResult(
        float(caveat_threshold), float(human_threshold), shares, error_rates, float(served_bound), float(cost),
        human_per_day, reviewers, {k: float(v) for k, v in parts.items()},
    )
