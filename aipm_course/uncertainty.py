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
        raise KeyError(f"no budget line for {scope!r}; the budget covers {', '.join(e.scope for e in self.entries)}")


def _entry_from(scope: str, raw: Any) -> BudgetEntry:
    where = f"budget.{scope}"
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
        raise BudgetError(f"{where}.severity must be one of {', '.join(SEVERITIES)}, got {raw['severity']!r}")
    date = raw["review_date"]
    if isinstance(date, _dt.date):
        date = date.isoformat()
    try:
        _dt.date.fromisoformat(str(date))
    except ValueError:
        raise BudgetError(f"{where}.review_date must be a date like 2027-03-31, got {raw['review_date']!r}") from None
    return BudgetEntry(scope, float(rate), severity, str(raw["owner"]).strip(), str(date), str(raw["fallback"]).strip())


def budget_from_dict(data: Any) -> UncertaintyBudget:
    """Return a budget from ``{"name": ..., "budget": {scope: {...}, ...}}`` (or just the scopes)."""
    if isinstance(data, UncertaintyBudget):
        return data
    if not isinstance(data, Mapping):
        raise BudgetError(f"a budget must be a mapping, got {type(data).__name__}")
    name = str(data.get("name", "uncertainty budget"))
    lines = data.get("budget", {k: v for k, v in data.items() if k != "name"})
    if not isinstance(lines, Mapping) or not lines:
        raise BudgetError("a budget needs at least one line under `budget:`, one per scenario or segment")
    return UncertaintyBudget(name, tuple(_entry_from(str(scope), raw) for scope, raw in lines.items()))


def load_budget(source: str | Path) -> UncertaintyBudget:
    """Return a budget from a YAML file or YAML text (safe loading only)."""
    if isinstance(source, Path) or (isinstance(source, str) and "\n" not in source and source.endswith((".yaml", ".yml"))):
        try:
            text = Path(source).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise BudgetError(f"cannot read the budget {source}: {exc}") from None
    elif isinstance(source, str):
        text = source
    else:
        raise BudgetError(f"source must be a YAML file path or YAML text, got {type(source).__name__}")
    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = f" at line {mark.line + 1}" if mark else ""
        raise BudgetError(f"the budget is not valid YAML{line}: {exc.problem}. Check quotes, colons and indentation.") from None
    return budget_from_dict(data)


def budget_to_yaml(budget: UncertaintyBudget | Mapping) -> str:
    """Return the budget as YAML that ``load_budget`` reads back to an equal budget."""
    budget = budget_from_dict(budget)
    lines = {e.scope: {k: v for k, v in dataclasses.asdict(e).items() if k != "scope"} for e in budget.entries}
    return yaml.safe_dump({"name": budget.name, "budget": lines}, sort_keys=False, allow_unicode=True, width=10_000)


def save_budget(budget: UncertaintyBudget | Mapping, path: str | Path) -> Path:
    """Write the budget as YAML; return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(budget_to_yaml(budget), encoding="utf-8")
    return path


def budget_table(budget: UncertaintyBudget | Mapping):
    """Return the budget as a table, one row per scenario or segment."""
    import pandas as pd

    budget = budget_from_dict(budget)
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
    k = np.asarray(errors, dtype=float)
    n = np.asarray(n, dtype=float)
    if (k < 0).any() or (k > n).any():
        raise ValueError("errors must be between 0 and n")
    with np.errstate(invalid="ignore"):
        bound = np.where(k >= n, 1.0, stats.beta.ppf(level, k + 1, np.maximum(n - k, 1e-12)))
    bound = np.where(n <= 0, 1.0, bound)
    return float(bound) if bound.ndim == 0 else bound


def _check_outcomes(correct: Any, confidence: Any) -> tuple[np.ndarray, np.ndarray]:
    c = np.asarray(correct)
    p = np.asarray(confidence, dtype=float)
    if c.ndim != 1 or p.ndim != 1:
        raise ValueError(f"correct and confidence must be one-dimensional, got shapes {c.shape} and {p.shape}")
    if len(c) != len(p):
        raise ValueError(f"correct and confidence must have the same length, got {len(c)} and {len(p)}")
    if len(c) == 0:
        raise ValueError("correct and confidence are empty; at least one case is needed")
    if not np.isin(c, [0, 1, True, False]).all():
        raise ValueError("correct must hold only True/False (or 1/0): whether each answer was right")
    if np.isnan(p).any() or (p < 0).any() or (p > 1).any():
        raise ValueError("confidence must hold numbers in [0, 1], with no NaN")
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
    raise ValueError(f"more than {limit:,} cases would be needed; the true rate is too close to the budget")


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
    if human_threshold > caveat_threshold:
        raise ValueError(
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
