"""Uncertainty budgets: how wrong the product may be, where, and what happens when the model is unsure (lesson 03).

- An uncertainty budget as data (``UncertaintyBudget``): per scenario or segment, the highest
  acceptable error rate, its severity, owner, review date and fallback.
- ``risk_coverage``: serve the most confident cases first; the error rate of what is served.
- ``threshold_for_budget``: the widest coverage whose *upper confidence bound* on the served error
  rate is within the budget (evidence, not a point estimate).
- ``zone_policy`` and ``cheapest_zones``: serve, serve with a caveat (which a person confirms, in
  seconds, and sometimes waves through), or send to a human, and what that costs a day.
- ``reviewer_headcount`` and ``reviewer_fte``: review workload, and the full-time people it takes.
- ``cases_to_show_budget``: how many labelled cases an evaluation needs to show a budget is met;
  ``same_data_tuning``: why the threshold must not be tuned on the cases that judge it.
- ``segment_coverage``: coverage and the served error rate per segment at one threshold.
- ``measured_accuracy`` and ``accuracy_corrected_for_label_noise``: wrong labels in the evaluation set.
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
    "cheapest_zones",
    "reviewer_headcount",
    "Staffing",
    "reviewer_fte",
    "cases_to_show_budget",
    "TuningSimulation",
    "same_data_tuning",
    "segment_coverage",
    "measured_accuracy",
    "accuracy_corrected_for_label_noise",
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


def _chance_within_budget(n: np.ndarray, budget: float, true_error_rate: float, level: float) -> np.ndarray:
    """For each evaluation size n: the chance that its one-sided upper bound lands within the budget
    when the true error rate is ``true_error_rate`` (the power of the evaluation)."""
    # The bound is within budget exactly when P(Binomial(n, budget) <= k) <= 1 - level, so the
    # most errors an evaluation of n cases may show is the largest such k.
    k_max = stats.binom.ppf(1 - level, n, budget)
    k_max = np.where(stats.binom.cdf(k_max, n, budget) > 1 - level, k_max - 1, k_max)
    return np.where(k_max >= 0, stats.binom.cdf(k_max, n, true_error_rate), 0.0)


def _first_reaching(budget: float, true_error_rate: float, level: float, power: float, limit: int) -> int | None:
    start = 1
    while start <= limit:
        n = np.arange(start, min(start * 4, limit) + 1)
        found = np.nonzero(_chance_within_budget(n, budget, true_error_rate, level) >= power)[0]
        if len(found):
            return int(n[found[0]])
        start = int(n[-1]) + 1
    return None


def _first_staying(first: int, budget: float, true_error_rate: float, level: float, power: float, limit: int) -> int | None:
    """The smallest n from which the power stays at or above ``power``. Errors come in whole
    numbers, so the power is a sawtooth: it drops each time one more case does not yet allow one
    more error. Its dips shrink as n grows, so the scan goes on until the last dip below the target
    is well behind it (a third of the range scanned)."""
    horizon = max(2 * first, first + 200)
    while True:
        n = np.arange(first, horizon + 1)
        below = n[_chance_within_budget(n, budget, true_error_rate, level) < power]
        staying = int(below[-1]) + 1 if len(below) else first
        if staying > limit:
            return None
        if staying <= horizon * 2 / 3:
            return staying
        horizon *= 2


def cases_to_show_budget(
    max_error_rate: float,
    true_error_rate: float,
    confidence_level: float = 0.95,
    power: float = 0.8,
    limit: int = 1_000_000,
    *,
    stay_above: bool = True,
    coverage: float = 1.0,
) -> int:
    """Return how many labelled cases an evaluation needs to show the error rate is within budget (lesson 03).

    The evaluation succeeds when its one-sided Clopper–Pearson upper bound lands at or below the
    budget; ``power`` is the chance it succeeds when the true error rate is ``true_error_rate``
    (0.8: four evaluations in five). Errors come in whole numbers, so the power does not grow
    steadily with n: a few cases more can lower it (budget 6%, true rate 2.4%: 195 cases reach
    0.8, then 198 to 216 and 234 to 237 fall below it again). With ``stay_above`` (the default) the
    answer is the smallest n from which the power stays at or above the target, so that adding
    cases never hurts; with ``stay_above=False``, the smallest n that reaches it once.

    The count is of cases *served*, since the budget covers what is served. With ``coverage`` below
    1 (the share of cases the product serves), the answer is the labelled cases to collect so that
    about that many are served: n / coverage, rounded up (about: the served count varies a little).
    """
    budget = _check_budget(max_error_rate)
    level = _check_level(confidence_level)
    power = validation.share("power", power, open_low=True, open_high=True, allowed="in (0, 1), e.g. 0.8")
    limit = validation.count("limit", limit, minimum=1, maximum=MAX_CASES_SEARCHED)
    below = f"at least 0 and below the budget {budget}"
    true_error_rate = validation.real("true_error_rate", true_error_rate, low=0, high=budget, high_open=True, allowed=below)
    if not isinstance(stay_above, bool):
        raise validation.fail("stay_above", stay_above, "True or False")
    coverage = validation.share("coverage", coverage, open_low=True, allowed="a share in (0, 1]: the share of cases served")
    n = _first_reaching(budget, true_error_rate, level, power, limit)
    if n is not None and stay_above:
        n = _first_staying(n, budget, true_error_rate, level, power, limit)
    if n is None:
        raise validation.ArgumentError(
            f"more than limit={limit:,} cases would be needed; true_error_rate {true_error_rate:g} is too close to the budget {budget:g}"
        )
    return n if coverage == 1 else math.ceil(n / coverage - 1e-9)


# --------------------------------------------------------------------------------------------
# Tuning on the evaluation set, segments, and label noise
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class TuningSimulation:
    """How often a budget the model does not meet is declared met, by three ways of choosing the threshold."""

    cases: int
    true_error_rate: float
    max_error_rate: float
    runs: int
    fixed: float  # a threshold fixed before the data are seen (serve the top half)
    searched: float  # the threshold searched on the same labelled cases that judge it
    fresh: float  # searched on one half, judged on the other half, untouched until then

    def __str__(self) -> str:
        return (
            f"A model with {self.true_error_rate:.1%} errors at every threshold, a {self.max_error_rate:.0%} budget, "
            f"{self.cases:,} labelled cases, {self.runs:,} evaluations: declared met in {self.fixed:.1%} with a threshold "
            f"fixed in advance, {self.searched:.1%} with the threshold searched on the same cases, {self.fresh:.1%} "
            "when searched on one half and judged on the other."
        )

    def __repr__(self) -> str:
        return f"TuningSimulation({self})"


def _most_errors_allowed(n: np.ndarray, budget: float, level: float = 0.95) -> np.ndarray:
    """For each count of served cases n: the most errors whose one-sided upper bound is still within
    the budget (-1 when none is): the bound is within budget exactly when P(Binomial(n, budget) <= k)
    <= 1 - level."""
    k = stats.binom.ppf(1 - level, n, budget)
    k = np.where(stats.binom.cdf(k, n, budget) > 1 - level, k - 1, k)
    return np.where(n > 0, k, -1)


def _widest_within(wrong_sorted: np.ndarray, allowed: np.ndarray) -> int:
    """How many of the most confident cases can be served within budget (0: none can)."""
    ok = np.nonzero(np.cumsum(wrong_sorted) <= allowed[1:len(wrong_sorted) + 1])[0]
    return int(ok[-1]) + 1 if len(ok) else 0


def same_data_tuning(
    cases: int = 1000, true_error_rate: float = 0.055, max_error_rate: float = 0.05, runs: int = 1000, seed: int = 0
) -> TuningSimulation:
    """Simulate evaluations of a model that misses the budget, and count how often each way of
    choosing the threshold declares the budget met anyway (lesson 03).

    The model is wrong on ``true_error_rate`` of cases at every confidence, so every threshold
    breaks the budget and every "met" is false. A threshold fixed in advance is declared met at
    most 5% of the time (the bound's promise at 95% confidence). Searching the threshold (as
    ``threshold_for_budget`` does, or a person moving sliders until the verdict turns) on the same
    cases tries many thresholds and keeps a lucky one: the promise no longer holds. Choosing on
    one half and judging once on the other half keeps it.
    """
    cases = validation.count("cases", cases, minimum=100, maximum=100_000)
    budget = _check_budget(max_error_rate)
    true_error_rate = validation.real("true_error_rate", true_error_rate, low=budget, high=1, low_open=True, high_open=True,
                                      allowed=f"above the budget {budget:g} and below 1: the model misses the budget")
    runs = validation.count("runs", runs, minimum=1, maximum=20_000)
    rng = np.random.default_rng(validation.seed("seed", seed))
    allowed = _most_errors_allowed(np.arange(cases + 1), budget)
    half = cases // 2
    met = np.zeros((runs, 3), dtype=bool)
    for i in range(runs):
        confidence = rng.random(cases)  # says nothing about errors: every threshold serves the same error rate
        wrong = rng.random(cases) < true_error_rate
        top = confidence >= 0.5
        tune = np.argsort(-confidence[:half], kind="mergesort")
        served = _widest_within(wrong[:half][tune], allowed)
        judged = confidence[half:] >= confidence[:half][tune][served - 1] if served else np.zeros(cases - half, dtype=bool)
        met[i] = (
            wrong[top].sum() <= allowed[top.sum()],
            _widest_within(wrong[np.argsort(-confidence, kind="mergesort")], allowed) > 0,
            served > 0 and wrong[half:][judged].sum() <= allowed[judged.sum()],
        )
    fixed, searched, fresh = met.mean(axis=0)
    return TuningSimulation(cases, true_error_rate, budget, runs, float(fixed), float(searched), float(fresh))


def segment_coverage(correct: Any, confidence: Any, segments: Any, threshold: float, max_error_rate: float | None = None,
                     confidence_level: float = 0.95):
    """Return coverage and the served error rate per segment when cases with confidence >= threshold
    are served (lesson 03): cases, coverage, served, errors, error_rate (among those served) and
    upper_bound, and with a budget, whether each segment meets it on its own evidence."""
    import pandas as pd

    c, p = _check_outcomes(correct, confidence)
    threshold = validation.real("threshold", threshold, low=0, high=1, allowed="in [0, 1]")
    level = _check_level(confidence_level)
    budget = None if max_error_rate is None else _check_budget(max_error_rate)
    if segments is None or isinstance(segments, (str, bytes, Mapping)) or np.ndim(segments) != 1 or len(segments) != len(c):
        raise validation.fail("segments", segments, f"one segment name per case ({len(c)} of them)")
    groups = np.asarray([str(g) for g in segments], dtype=object)
    rows = []
    for name in sorted(set(groups.tolist())):
        mask = groups == name
        served = mask & (p >= threshold)
        n_served, errors = int(served.sum()), int((~c[served]).sum())
        rows.append({"segment": name, "cases": int(mask.sum()), "coverage": n_served / int(mask.sum()), "served": n_served, "errors": errors,
                     "error_rate": errors / n_served if n_served else 0.0, "upper_bound": float(upper_bound(errors, n_served, level))})
    table = pd.DataFrame(rows).set_index("segment")
    if budget is not None:
        table["meets_budget"] = (table["upper_bound"] <= budget) & (table["served"] > 0)
    return table


def _label_noise_terms(label_error_rate: Any, classes: Any) -> tuple[float, int]:
    classes = validation.count("classes", classes, minimum=2, maximum=1_000_000)
    most = (classes - 1) / classes
    e = validation.real("label_error_rate", label_error_rate, low=0, high=most, high_open=True,
                        allowed=f"a share from 0 to below {most:.3g} (with {classes} classes, random labels are wrong {most:.3g} of the time)")
    return e, classes


def measured_accuracy(true_accuracy: float, label_error_rate: float, classes: int) -> float:
    """Return the accuracy an evaluation measures when a share of its labels is wrong at random (lesson 03).

    measured ≈ a·(1 − e) + (1 − a)·e/(K − 1): a right answer scores only when its label is right;
    a wrong answer scores when the label is wrong too and happens to name the same class. This
    assumes label errors fall at random on the other K − 1 classes, independently of the model's
    own errors. 90% true accuracy, 5% wrong labels, 12 classes: about 85.5%.
    """
    a = validation.share("true_accuracy", true_accuracy)
    e, k = _label_noise_terms(label_error_rate, classes)
    return a * (1 - e) + (1 - a) * e / (k - 1)


def accuracy_corrected_for_label_noise(measured: float, label_error_rate: float, classes: int) -> float:
    """Return the true accuracy that would explain a measured accuracy, given the share of wrong
    labels (lesson 03): a = (m − e/(K − 1)) / (1 − e·K/(K − 1)), the inverse of
    ``measured_accuracy``, clipped to [0, 1] (a small evaluation can land outside it by chance)."""
    m = validation.share("measured", measured)
    e, k = _label_noise_terms(label_error_rate, classes)
    return float(min(1.0, max(0.0, (m - e / (k - 1)) / (1 - e * k / (k - 1)))))


# --------------------------------------------------------------------------------------------
# Three zones and the human's share
# --------------------------------------------------------------------------------------------


def reviewer_headcount(cases_per_day: float, human_share: float, minutes_per_case: float, productive_hours_per_reviewer: float) -> float:
    """Return the review workload in people: cases to humans a day × minutes each / (60 × productive hours) (lesson 03).

    This is how many people must be reviewing on a given day, not how many to employ: a desk open
    every day, leave, training and idle time between cases need more (``reviewer_fte``).
    """
    cases = validation.nonnegative("cases_per_day", cases_per_day, allowed="a number 0 or above")
    minutes = validation.nonnegative("minutes_per_case", minutes_per_case, allowed="a number 0 or above")
    share = validation.share("human_share", human_share)
    hours = validation.real("productive_hours_per_reviewer", productive_hours_per_reviewer, low=0, high=24, low_open=True)
    return cases * share * minutes / (60 * hours)


@dataclasses.dataclass(frozen=True)
class Staffing:
    """From review workload to the full-time people to employ (lesson 03)."""

    cases_per_day: float
    minutes_per_case: float
    shift_hours: float
    occupancy: float  # the share of a shift spent on cases; the rest waits for work or goes between cases
    shrinkage: float  # the share of paid time not available: breaks, meetings, training, leave, sickness
    days_open: int
    days_worked: int

    @property
    def workload_hours(self) -> float:
        """Hours of reviewing a day: cases × minutes / 60."""
        return self.cases_per_day * self.minutes_per_case / 60

    @property
    def on_desk(self) -> float:
        """People reviewing on each open day: workload / (shift hours × occupancy)."""
        return self.workload_hours / (self.shift_hours * self.occupancy)

    @property
    def fte(self) -> float:
        """Full-time people to employ: on the desk × days open / days each works, / (1 − shrinkage)."""
        return self.on_desk * self.days_open / self.days_worked / (1 - self.shrinkage)

    @property
    def hire(self) -> int:
        """Whole people, rounded up."""
        return math.ceil(self.fte - 1e-9)

    def __str__(self) -> str:
        return (
            f"{self.cases_per_day:,.0f} cases × {self.minutes_per_case:g} min = {self.workload_hours:.1f} h of reviewing a day; "
            f"{self.shift_hours:g} h shifts at {self.occupancy:.0%} occupancy: {self.on_desk:.2f} people on the desk each open day; "
            f"{self.days_open} days open, {self.days_worked} worked each week (× {self.days_open}/{self.days_worked}), "
            f"{self.shrinkage:.0%} shrinkage (÷ {1 - self.shrinkage:.2f}): {self.fte:.2f} full-time people, hire {self.hire}."
        )

    def __repr__(self) -> str:
        return f"Staffing({self})"


def reviewer_fte(
    cases_per_day: float,
    minutes_per_case: float,
    *,
    shift_hours: float = 8.0,
    occupancy: float = 0.85,
    shrinkage: float = 0.30,
    days_open: int = 7,
    days_worked: int = 5,
) -> Staffing:
    """Return the people a review desk needs: workload turned into full-time headcount (lesson 03).

    workload hours = cases × minutes / 60; on the desk = workload / (shift hours × occupancy);
    full-time people = on the desk × days open / days worked / (1 − shrinkage). Shrinkage of 25–35%
    is common in contact centres; occupancy above about 85–90% burns people out. The cases sent to
    people are the hardest ones, so use the minutes those cases take, not the average ticket's.
    """
    cases = validation.nonnegative("cases_per_day", cases_per_day, allowed="a number 0 or above")
    minutes = validation.nonnegative("minutes_per_case", minutes_per_case, allowed="a number 0 or above")
    shift = validation.real("shift_hours", shift_hours, low=0, high=24, low_open=True)
    occupancy = validation.share("occupancy", occupancy, open_low=True, allowed="a share in (0, 1], e.g. 0.85")
    shrinkage = validation.share("shrinkage", shrinkage, open_high=True, allowed="a share in [0, 1), e.g. 0.30")
    days_open = validation.count("days_open", days_open, minimum=1, maximum=7)
    days_worked = validation.count("days_worked", days_worked, minimum=1, maximum=7)
    if days_worked > days_open:
        raise validation.fail("days_worked", days_worked, f"at most days_open ({days_open}): nobody works on days the desk is closed")
    return Staffing(cases, minutes, shift, occupancy, shrinkage, days_open, days_worked)


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
    reviewers: float  # review workload in people at the productive hours given: not headcount (reviewer_fte)
    cost_parts: dict[str, float] = dataclasses.field(default_factory=dict)  # USD a day, per part
    review_hours_per_day: float = 0.0
    confirmation_hours_per_day: float = 0.0
    overall_error_rate: float = 0.0  # wrong answers reaching users / all cases: served errors and caveat errors waved through

    @property
    def nothing_served(self) -> bool:
        """True when every case gets a caveat or goes to a person: the budget has nothing to judge."""
        return self.shares["served"] == 0

    def meets(self, max_error_rate: float) -> bool:
        """True when the upper bound on the error rate served without a caveat is within budget
        (False when nothing is served: see ``nothing_served``)."""
        return self.served_upper_bound <= _check_budget(max_error_rate)


@dataclasses.dataclass(frozen=True)
class _Terms:
    """A zone policy's checked volumes, prices and assumptions."""

    cases_per_day: float
    cost_error_served: float
    cost_error_caveat: float
    cost_per_review: float
    minutes_per_review: float
    productive_hours: float
    seconds_per_confirmation: float
    slip_through_rate: float
    cost_per_confirmation: float
    confidence_level: float


def _terms(cases_per_day, cost_error_served, cost_error_caveat, cost_per_review, minutes_per_review, productive_hours_per_reviewer,
           seconds_per_confirmation, slip_through_rate, cost_per_hour, confidence_level) -> _Terms:
    money = "a number 0 or above"
    cases_per_day = validation.nonnegative("cases_per_day", cases_per_day, allowed=money)
    served, caveat, review = (
        validation.nonnegative(name, value, allowed=money)
        for name, value in (("cost_error_served", cost_error_served), ("cost_error_caveat", cost_error_caveat), ("cost_per_review", cost_per_review))
    )
    minutes = validation.nonnegative("minutes_per_review", minutes_per_review, allowed=money)
    hours = validation.real("productive_hours_per_reviewer", productive_hours_per_reviewer, low=0, high=24, low_open=True)
    seconds = validation.real("seconds_per_confirmation", seconds_per_confirmation, low=0, high=3600, allowed="a number of seconds from 0 to 3600")
    slip = validation.share("slip_through_rate", slip_through_rate, allowed="a share in [0, 1]: of the caveated answers that are wrong, the share people confirm anyway")
    if cost_per_hour is None:
        if seconds > 0 and minutes == 0:
            raise validation.fail(
                "cost_per_hour", cost_per_hour,
                "a number 0 or above when seconds_per_confirmation is above 0 and minutes_per_review is 0 (an hour is otherwise priced as cost_per_review × 60 / minutes_per_review)",
            )
        rate = review * 60 / minutes if minutes > 0 else 0.0
    else:
        rate = validation.nonnegative("cost_per_hour", cost_per_hour, allowed="a number 0 or above (USD for an hour of a person's time), or None")
    return _Terms(cases_per_day, served, caveat, review, minutes, hours, seconds, slip, rate * seconds / 3600, _check_level(confidence_level))


def _zone_money(t: _Terms, served_errors, caveat_cases, caveat_errors, human_cases, n: int) -> dict[str, Any]:
    """USD a day per part, from counts in a sample of n cases (numbers or arrays alike)."""
    scale = t.cases_per_day / n
    parts = {
        "errors served": served_errors * t.cost_error_served * scale,
        "errors with a caveat": caveat_errors * ((1 - t.slip_through_rate) * t.cost_error_caveat + t.slip_through_rate * t.cost_error_served) * scale,
    }
    if t.seconds_per_confirmation > 0:
        parts["confirming caveats"] = caveat_cases * t.cost_per_confirmation * scale
    parts["reviews by people"] = human_cases * t.cost_per_review * scale
    return parts


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
    seconds_per_confirmation: float = 0.0,
    slip_through_rate: float = 0.0,
    cost_per_hour: float | None = None,
) -> ZoneResult:
    """Return a three-zone policy's outcome (lesson 03).

    confidence >= caveat_threshold: served; human_threshold <= confidence < caveat_threshold:
    served with a caveat, which a person confirms; confidence < human_threshold: sent to a person
    (who is assumed right). Cost a day, scaled from the sample to the cases a day = errors served ×
    C_served + errors with a caveat × [(1 − slip) × C_caveat + slip × C_served] + caveated cases ×
    the confirmation's time + cases to people × C_review.

    Confirming a caveat is not free: ``seconds_per_confirmation`` of a person's time, priced at
    ``cost_per_hour`` (by default the reviewers' rate, cost_per_review × 60 / minutes_per_review).
    People who confirm many suggestions start to wave them through: ``slip_through_rate`` is the
    share of wrong caveated answers confirmed anyway, which then cost as much as an error served.
    The defaults (0 seconds, no slips) are the old, optimistic model.
    """
    c, p = _check_outcomes(correct, confidence)
    caveat_threshold = validation.real("caveat_threshold", caveat_threshold, low=0, high=1, allowed="in [0, 1]")
    human_threshold = validation.real("human_threshold", human_threshold, low=0, high=1, allowed="in [0, 1]")
    t = _terms(cases_per_day, cost_error_served, cost_error_caveat, cost_per_review, minutes_per_review, productive_hours_per_reviewer,
               seconds_per_confirmation, slip_through_rate, cost_per_hour, confidence_level)
    if human_threshold > caveat_threshold:
        raise validation.ArgumentError(
            f"human_threshold ({human_threshold}) must not be above caveat_threshold ({caveat_threshold}): "
            "the least confident cases go to people, the middle ones get a caveat"
        )
    n = len(c)
    zones = {"served": p >= caveat_threshold, "caveat": (p >= human_threshold) & (p < caveat_threshold), "human": p < human_threshold}
    sizes = {z: int(m.sum()) for z, m in zones.items()}
    wrong = {z: int((~c[m]).sum()) for z, m in zones.items()}
    shares = {z: sizes[z] / n for z in zones}
    error_rates = {z: wrong[z] / sizes[z] if sizes[z] else 0.0 for z in zones}
    parts = _zone_money(t, wrong["served"], sizes["caveat"], wrong["caveat"], sizes["human"], n)
    human_per_day = shares["human"] * t.cases_per_day
    return ZoneResult(
        float(caveat_threshold), float(human_threshold), shares, error_rates,
        float(upper_bound(wrong["served"], sizes["served"], t.confidence_level)), float(sum(parts.values())), human_per_day,
        reviewer_headcount(t.cases_per_day, shares["human"], t.minutes_per_review, t.productive_hours),
        {k: float(v) for k, v in parts.items()},
        review_hours_per_day=human_per_day * t.minutes_per_review / 60,
        confirmation_hours_per_day=shares["caveat"] * t.cases_per_day * t.seconds_per_confirmation / 3600,
        overall_error_rate=(wrong["served"] + t.slip_through_rate * wrong["caveat"]) / n,
    )


def cheapest_zones(
    correct: Any,
    confidence: Any,
    max_error_rate: float,
    *,
    cases_per_day: float,
    cost_error_served: float,
    cost_error_caveat: float,
    cost_per_review: float,
    minutes_per_review: float = 4.0,
    productive_hours_per_reviewer: float = 6.0,
    confidence_level: float = 0.95,
    seconds_per_confirmation: float = 0.0,
    slip_through_rate: float = 0.0,
    cost_per_hour: float | None = None,
    step: float = 0.01,
) -> ZoneResult:
    """Return the cheapest three-zone policy on a grid of thresholds that keeps the budget (lesson 03).

    Every pair (caveat below c, person below h) with h <= c on the grid 0, step, 2·step, ..., 1 is
    priced as ``zone_policy`` prices it. A pair keeps the budget when the upper bound on its served
    error rate is within ``max_error_rate``, or when it serves nothing (every answer confirmed or
    made by a person: nothing is left for the budget to judge). Among equal costs the pair serving
    more wins. The arguments are ``zone_policy``'s.
    """
    budget = _check_budget(max_error_rate)
    c, p = _check_outcomes(correct, confidence)
    t = _terms(cases_per_day, cost_error_served, cost_error_caveat, cost_per_review, minutes_per_review, productive_hours_per_reviewer,
               seconds_per_confirmation, slip_through_rate, cost_per_hour, confidence_level)
    step = validation.real("step", step, low=0.001, high=0.5, allowed="a number from 0.001 to 0.5, e.g. 0.01")
    grid = np.unique(np.r_[np.round(np.arange(0, 1, step), 10), 1.0])
    caveat, human = (a.ravel() for a in np.meshgrid(grid, grid, indexing="ij"))
    keep = human <= caveat
    caveat, human = caveat[keep], human[keep]
    order = np.argsort(p, kind="mergesort")
    below_errors = np.r_[0, np.cumsum(~c[order])]  # errors among the k least confident
    below_c, below_h = np.searchsorted(p[order], caveat, "left"), np.searchsorted(p[order], human, "left")
    n, total = len(p), int(below_errors[-1])
    served, served_errors = n - below_c, total - below_errors[below_c]
    parts = _zone_money(t, served_errors, below_c - below_h, below_errors[below_c] - below_errors[below_h], below_h, n)
    cost = sum(parts.values())
    keeps = (served == 0) | (upper_bound(served_errors, served, t.confidence_level) <= budget)
    best = np.lexsort((-served, np.round(np.where(keeps, cost, np.inf), 9)))[0]  # cheapest; then serving more
    return zone_policy(
        c, p, float(caveat[best]), float(human[best]), cases_per_day=cases_per_day, cost_error_served=cost_error_served,
        cost_error_caveat=cost_error_caveat, cost_per_review=cost_per_review, minutes_per_review=minutes_per_review,
        productive_hours_per_reviewer=productive_hours_per_reviewer, confidence_level=confidence_level,
        seconds_per_confirmation=seconds_per_confirmation, slip_through_rate=slip_through_rate, cost_per_hour=cost_per_hour,
    )
