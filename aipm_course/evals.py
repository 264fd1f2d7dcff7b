"""Evaluation statistics for LLM features (lesson 08).

- ``judge_agreement``: how often an LLM judge agrees with people, split into TPR (good answers it
  passes) and TNR (bad answers it catches), each with an exact interval. Pass is the positive class.
- ``corrected_pass_rate``: the judge's raw pass rate corrected for the judge's own errors
  (the Rogan-Gladen estimator), and ``corrected_pass_rate_interval``, a bootstrap interval that
  carries the uncertainty of the judged set and of the judge's TPR and TNR together.
- ``labels_needed``: about how many human labels give an interval of a chosen half-width.
- ``gate_decision``: ship, block, or "not shown yet" from an interval and a minimum.
- Agents: ``pass_at_k`` and ``pass_hat_k`` (at least one / all of k tries succeed),
  ``chain_success`` (every step of a chain succeeds), ``cost_per_finished_task`` (retries) and
  ``guardrail_cost`` (what an injection filter costs and saves).

Labels are accepted as bools (True = pass) or the strings "pass" and "fail".
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import numpy as np
from scipy import stats

from . import validation
from .validation import AipmError, fail

# The trace set and the support score live in ``traces``; they are importable from here too, so a
# lesson can take everything module 08 needs from one place. (Listed in ``traces.__all__``.)
from .traces import FAILURE_TYPES, generate_traces, load_traces, support_score  # noqa: F401  (re-exported)

__all__ = [
    "EvalError",
    "JudgeAgreement",
    "as_pass",
    "judge_agreement",
    "corrected_pass_rate",
    "CorrectedRate",
    "corrected_pass_rate_interval",
    "corrected_interval_from_counts",
    "labels_needed",
    "gate_decision",
    "pass_at_k",
    "pass_hat_k",
    "chain_success",
    "TaskCost",
    "cost_per_finished_task",
    "GuardrailCost",
    "guardrail_cost",
]

LABELS_ALLOWED = "True, False, 'pass' or 'fail'"
CHANCE = 1e-12  # tpr + tnr within this of 1 counts as "no better than chance"
CHUNK = 1_000_000  # at most this many resampled positions in memory at once
MAX_COUNT = 10**12  # a count of traces, requests or tries above this is a typing slip, not data
MAX_ATTEMPTS = 1000  # retries per task


class EvalError(AipmError):
    """An evaluation input that cannot be used: the message names the argument, its value and what is allowed."""


def _pct(x: float) -> str:
    return "undefined" if math.isnan(x) else f"{100 * x:.1f}%"


def _confidence(value: Any) -> float:
    return validation.share("confidence", value, open_low=True, open_high=True, error=EvalError)


def _share(name: str, value: Any) -> float:
    return validation.share(name, value, error=EvalError)


# --------------------------------------------------------------------------------------------
# Labels and judge agreement
# --------------------------------------------------------------------------------------------


def _label(value: Any) -> bool | None:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, str) and value in ("pass", "fail"):
        return value == "pass"
    return None


def as_pass(labels, name: str = "labels") -> np.ndarray:
    """Return ``labels`` as a one-dimensional bool array, True = pass.

    Accepts a sequence or array of bools or of the strings "pass" and "fail". Refuses an empty
    input, text, numbers such as 1 and 0, and names the first bad position and its value.
    """
    if isinstance(labels, np.ndarray) and labels.dtype == bool and labels.ndim == 1 and labels.size:
        return labels.copy()
    if labels is None or isinstance(labels, (str, bytes, Mapping)) or np.ndim(labels) != 1:
        raise fail(name, labels, f"a non-empty sequence of {LABELS_ALLOWED}", EvalError)
    values = list(labels)
    if not values:
        raise fail(name, labels, f"a non-empty sequence of {LABELS_ALLOWED}", EvalError)
    out = np.empty(len(values), dtype=bool)
    for i, value in enumerate(values):
        label = _label(value)
        if label is None:
            raise fail(f"{name}[{i}]", value, LABELS_ALLOWED, EvalError)
        out[i] = label
    return out


def _pair(first, second, first_name: str, second_name: str) -> tuple[np.ndarray, np.ndarray]:
    a, b = as_pass(first, first_name), as_pass(second, second_name)
    if len(a) != len(b):
        raise EvalError(
            f"{first_name} and {second_name} must have the same length (one label each per trace), "
            f"got {len(a)} and {len(b)}"
        )
    return a, b


def _clopper_pearson(successes: int, total: int, confidence: float) -> tuple[float, float]:
    """Exact two-sided interval for a proportion; (nan, nan) when ``total`` is 0."""
    if total == 0:
        return (math.nan, math.nan)
    alpha = 1 - confidence
    low = 0.0 if successes == 0 else float(stats.beta.ppf(alpha / 2, successes, total - successes + 1))
    high = 1.0 if successes == total else float(stats.beta.ppf(1 - alpha / 2, successes + 1, total - successes))
    return (low, high)


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else math.nan


@dataclasses.dataclass(frozen=True)
class JudgeAgreement:
    """A judge's verdicts against human labels; pass is the positive class.

    ``true_pass``: both say pass; ``false_fail``: the human says pass, the judge fail;
    ``false_pass``: the human says fail, the judge pass; ``true_fail``: both say fail.
    TPR (or TNR) is NaN, with a NaN interval, when no human label is pass (or fail).
    """

    n: int
    true_pass: int
    false_fail: int
    false_pass: int
    true_fail: int
    tpr: float
    tnr: float
    tpr_interval: tuple[float, float]
    tnr_interval: tuple[float, float]
    agreement: float
    human_pass_rate: float
    judge_pass_rate: float
    confidence: float

    def summary(self) -> str:
        level = f"{100 * self.confidence:g}%"
        return (
            f"Judge against people on {self.n} traces: raw agreement {_pct(self.agreement)}; "
            f"human pass rate {_pct(self.human_pass_rate)}, judge pass rate {_pct(self.judge_pass_rate)}.\n"
            f"TPR (good answers passed) {_rate_text(self.tpr, self.tpr_interval, level, 'pass')}; "
            f"TNR (bad answers caught) {_rate_text(self.tnr, self.tnr_interval, level, 'fail')}."
        )


def _rate_text(rate: float, bounds: tuple[float, float], level: str, label: str) -> str:
    if math.isnan(rate):
        return f"undefined (no human {label} label)"
    return f"{_pct(rate)} ({level} interval {_pct(bounds[0])} to {_pct(bounds[1])})"


def judge_agreement(human, judge, confidence: float = 0.95) -> JudgeAgreement:
    """Compare a judge's verdicts with human labels on the same traces.

    Raw agreement alone hides a lenient judge: one that passes everything agrees as often as
    the human pass rate, yet catches no failure (TNR 0). Intervals are exact (Clopper-Pearson).
    """
    h, j = _pair(human, judge, "human", "judge")
    level = _confidence(confidence)
    tp, ff = int(np.sum(h & j)), int(np.sum(h & ~j))
    fp, tf = int(np.sum(~h & j)), int(np.sum(~h & ~j))
    n = len(h)
    return JudgeAgreement(
        n=n, true_pass=tp, false_fail=ff, false_pass=fp, true_fail=tf,
        tpr=_ratio(tp, tp + ff), tnr=_ratio(tf, fp + tf),
        tpr_interval=_clopper_pearson(tp, tp + ff, level), tnr_interval=_clopper_pearson(tf, fp + tf, level),
        agreement=(tp + tf) / n, human_pass_rate=(tp + ff) / n, judge_pass_rate=(tp + fp) / n,
        confidence=level,
    )


# --------------------------------------------------------------------------------------------
# The corrected pass rate
# --------------------------------------------------------------------------------------------


def _chance_error(tpr: float, tnr: float) -> EvalError:
    return EvalError(
        f"tpr + tnr must be above 1, got tpr {tpr:g} + tnr {tnr:g} = {tpr + tnr:g}: the judge is no "
        "better than chance, so its pass rate says nothing about the true pass rate"
    )


def corrected_pass_rate(observed_pass_rate: float, tpr: float, tnr: float) -> float:
    """The true pass rate estimated from a judge's pass rate and its error rates.

    theta = (p + tnr - 1) / (tpr + tnr - 1), clipped to [0, 1] (the Rogan-Gladen estimator).
    Undefined, and refused, when tpr + tnr <= 1 (a judge no better than chance).
    """
    p = _share("observed_pass_rate", observed_pass_rate)
    a, b = _share("tpr", tpr), _share("tnr", tnr)
    if a + b - 1 <= CHANCE:
        raise _chance_error(a, b)
    return min(1.0, max(0.0, (p + b - 1) / (a + b - 1)))


@dataclasses.dataclass(frozen=True)
class CorrectedRate:
    """A corrected pass rate with its bootstrap percentile interval.

    ``estimate`` is the point estimate from the full data; ``low`` and ``high`` come from the
    bootstrap draws with tpr + tnr > 1 (``undefined_share`` of the draws had a judge no better
    than chance and were dropped).
    """

    estimate: float
    low: float
    high: float
    confidence: float
    observed: float
    tpr: float
    tnr: float
    n_judged: int
    n_labelled: int
    n_boot: int
    undefined_share: float

    def summary(self) -> str:
        level = f"{100 * self.confidence:g}%"
        text = (
            f"Corrected pass rate {_pct(self.estimate)} ({level} interval {_pct(self.low)} to {_pct(self.high)}), "
            f"from a judge pass rate of {_pct(self.observed)} on {self.n_judged} judged traces.\n"
            f"Judge TPR {_pct(self.tpr)}, TNR {_pct(self.tnr)} on {self.n_labelled} labelled traces; "
            f"{self.n_boot} bootstrap draws."
        )
        if self.undefined_share > 0:
            text += (
                f" {_pct(self.undefined_share)} of draws had a judge no better than chance and were dropped"
                + ("; read the interval with care." if self.undefined_share >= 0.01 else ".")
            )
        return text


def _boot_settings(confidence: Any, n_boot: Any, seed: Any) -> tuple[float, int, int]:
    level = _confidence(confidence)
    draws = validation.count("n_boot", n_boot, minimum=100, maximum=1_000_000, error=EvalError)
    return level, draws, validation.seed("seed", seed, error=EvalError)


def _need_both(pos: int, neg: int, name: str) -> None:
    if pos == 0 or neg == 0:
        missing = "pass" if pos == 0 else "fail"
        rate = "TPR" if pos == 0 else "TNR"
        raise EvalError(
            f"{name} must hold at least one human pass and one human fail, got {pos} pass and {neg} fail: "
            f"with no human {missing} the judge's {rate} is undefined"
        )


def _theta_draws(p, tp, ff, fp, tf) -> np.ndarray:
    """Corrected rate per draw from count arrays; NaN where tpr + tnr <= 1 or a rate is undefined."""
    with np.errstate(divide="ignore", invalid="ignore"):
        tpr = tp / (tp + ff)
        tnr = tf / (fp + tf)
        denom = tpr + tnr - 1
        theta = np.clip((p + tnr - 1) / denom, 0.0, 1.0)
    return np.where(denom > CHANCE, theta, np.nan)


def _result(theta, estimate, level, observed, tpr, tnr, n_judged, n_labelled, n_boot) -> CorrectedRate:
    ok = theta[~np.isnan(theta)]
    if ok.size == 0:
        raise EvalError(
            f"every one of the n_boot {n_boot} bootstrap draws had a judge no better than chance "
            "(tpr + tnr <= 1): label more traces before reading an interval"
        )
    alpha = 1 - level
    low, high = np.quantile(ok, [alpha / 2, 1 - alpha / 2])
    return CorrectedRate(
        estimate=estimate, low=float(low), high=float(high), confidence=level, observed=observed,
        tpr=tpr, tnr=tnr, n_judged=n_judged, n_labelled=n_labelled, n_boot=n_boot,
        undefined_share=1 - ok.size / n_boot,
    )


def _resampled_counts(codes: np.ndarray, kinds: int, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Per bootstrap draw (rows), how often each code 0 .. kinds-1 occurs when ``codes`` is
    resampled with replacement; done in chunks so memory stays small for large sets."""
    n = len(codes)
    rows = max(1, CHUNK // n)
    parts = []
    for start in range(0, n_boot, rows):
        size = min(rows, n_boot - start)
        drawn = codes[rng.integers(0, n, size=(size, n))] + kinds * np.arange(size)[:, None]
        parts.append(np.bincount(drawn.ravel(), minlength=size * kinds).reshape(size, kinds))
    return np.concatenate(parts)


def corrected_pass_rate_interval(
    judge_verdicts, labelled_human, labelled_judge, confidence: float = 0.95, n_boot: int = 2000, seed: int = 0
) -> CorrectedRate:
    """The corrected pass rate with a percentile bootstrap interval.

    ``judge_verdicts``: the judge on the judged set (no human labels needed there).
    ``labelled_human`` and ``labelled_judge``: people and judge on the labelled split, which
    measures the judge's TPR and TNR. Each draw resamples the judged verdicts and the labelled
    pairs together, so the interval carries the uncertainty of all three rates. Draws in which the
    judge is no better than chance are dropped and counted (``undefined_share``).
    """
    verdicts = as_pass(judge_verdicts, "judge_verdicts")
    human, judge = _pair(labelled_human, labelled_judge, "labelled_human", "labelled_judge")
    level, draws, seed_value = _boot_settings(confidence, n_boot, seed)
    agree = judge_agreement(human, judge)
    _need_both(agree.true_pass + agree.false_fail, agree.false_pass + agree.true_fail, "labelled_human")
    observed = float(verdicts.mean())
    estimate = corrected_pass_rate(observed, agree.tpr, agree.tnr)
    rng = np.random.default_rng(seed_value)
    p = _resampled_counts(verdicts.astype(np.intp), 2, draws, rng)[:, 1] / len(verdicts)
    cells = 2 * (~human).astype(np.intp) + (~judge)  # 0 true pass, 1 false fail, 2 false pass, 3 true fail
    tp, ff, fp, tf = _resampled_counts(cells, 4, draws, rng).T
    theta = _theta_draws(p, tp, ff, fp, tf)
    return _result(theta, estimate, level, observed, agree.tpr, agree.tnr, len(verdicts), len(human), draws)


def corrected_interval_from_counts(
    judged_pass: int, judged_total: int, true_pass: int, false_fail: int, false_pass: int, true_fail: int,
    confidence: float = 0.95, n_boot: int = 2000, seed: int = 0,
) -> CorrectedRate:
    """``corrected_pass_rate_interval`` from counts, for a widget.

    The same bootstrap in distribution: the judged pass count is drawn binomially, the labelled
    split multinomially over its four cells (human pass/fail by judge pass/fail).
    """
    total = validation.count("judged_total", judged_total, minimum=1, maximum=MAX_COUNT, error=EvalError)
    passed = validation.count("judged_pass", judged_pass, minimum=0, maximum=total,
                              allowed=f"a whole number from 0 to judged_total ({total})", error=EvalError)
    cells = [validation.count(name, value, maximum=MAX_COUNT, error=EvalError) for name, value in
             (("true_pass", true_pass), ("false_fail", false_fail), ("false_pass", false_pass), ("true_fail", true_fail))]
    level, draws, seed_value = _boot_settings(confidence, n_boot, seed)
    _need_both(cells[0] + cells[1], cells[2] + cells[3], "the labelled counts (true_pass + false_fail, false_pass + true_fail)")
    tpr, tnr = cells[0] / (cells[0] + cells[1]), cells[3] / (cells[2] + cells[3])
    observed = passed / total
    if tpr + tnr - 1 <= CHANCE:
        raise EvalError(
            f"true_pass, false_fail, false_pass and true_fail must describe a judge better than chance, got "
            f"{cells[0]}, {cells[1]}, {cells[2]}, {cells[3]}: TPR {tpr:g} + TNR {tnr:g} = {tpr + tnr:g}, not above 1, "
            "so the judge's pass rate says nothing about the true pass rate")
    estimate = corrected_pass_rate(observed, tpr, tnr)
    rng = np.random.default_rng(seed_value)
    p = rng.binomial(total, observed, size=draws) / total
    n_labelled = sum(cells)
    tp, ff, fp, tf = rng.multinomial(n_labelled, np.array(cells) / n_labelled, size=draws).T
    theta = _theta_draws(p, tp, ff, fp, tf)
    return _result(theta, estimate, level, observed, tpr, tnr, total, n_labelled, draws)


def _z(confidence: float) -> float:
    return float(stats.norm.ppf(0.5 + confidence / 2))


def labels_needed(
    tpr: float, tnr: float, observed_pass_rate: float, n_judged: int, half_width: float,
    human_pass_share: float = 0.7, confidence: float = 0.95,
) -> int:
    """About how many human labels the labelled split needs for an interval of ``half_width``.

    An approximation (the delta method, good when the split is not tiny): with d = tpr + tnr - 1,
    Var(theta) ~ [p(1-p)/n_judged + theta^2 tpr(1-tpr)/n_pos + (1-theta)^2 tnr(1-tnr)/n_neg] / d^2,
    n_pos = human_pass_share * n, n_neg = the rest. Returns the smallest n with z * sd <= half_width.
    Refused when even unlimited labels cannot reach ``half_width`` (the judged set alone is too small).
    """
    theta = corrected_pass_rate(observed_pass_rate, tpr, tnr)
    p, a, b = float(observed_pass_rate), float(tpr), float(tnr)
    judged = validation.count("n_judged", n_judged, minimum=1, maximum=MAX_COUNT, error=EvalError)
    target = validation.real("half_width", half_width, low=0, high=1, low_open=True, error=EvalError)
    share = validation.share("human_pass_share", human_pass_share, open_low=True, open_high=True, error=EvalError)
    z, d2 = _z(_confidence(confidence)), (a + b - 1) ** 2
    fixed = p * (1 - p) / judged / d2
    per_label = (theta**2 * a * (1 - a) / share + (1 - theta) ** 2 * b * (1 - b) / (1 - share)) / d2
    room = (target / z) ** 2 - fixed
    if room <= 0:
        floor = z * math.sqrt(fixed)
        raise fail("half_width", half_width,
                   f"above {floor:.4f} (what the judged set alone gives with n_judged {judged}, however many "
                   "traces are labelled; judge more traces or accept a wider interval)", EvalError)
    n = max(1, math.ceil(per_label / room))
    while n > 1 and z * math.sqrt(fixed + per_label / (n - 1)) <= target:
        n -= 1
    while z * math.sqrt(fixed + per_label / n) > target:
        n += 1
    return n


def gate_decision(rate: CorrectedRate, minimum: float) -> str:
    """"ship" if the whole interval is at or above ``minimum``, "block" if it is all below,
    else "not shown yet" (the evidence does not decide; label or judge more)."""
    if not isinstance(rate, CorrectedRate):
        raise fail("rate", rate, "a CorrectedRate (from corrected_pass_rate_interval)", EvalError)
    bar = _share("minimum", minimum)
    if rate.low >= bar:
        return "ship"
    if rate.high < bar:
        return "block"
    return "not shown yet"


# --------------------------------------------------------------------------------------------
# Agents: repeated tries, chains, retries, guardrails
# --------------------------------------------------------------------------------------------


def _tries(n: Any, c: Any, k: Any) -> tuple[int, int, int]:
    n = validation.count("n", n, minimum=1, error=EvalError)
    c = validation.count("c", c, minimum=0, maximum=n, allowed=f"a whole number from 0 to n ({n})", error=EvalError)
    k = validation.count("k", k, minimum=1, maximum=n, allowed=f"a whole number from 1 to n ({n})", error=EvalError)
    return n, c, k


def pass_at_k(n: int, c: int, k: int) -> float:
    """Chance that at least one of k tries succeeds, from n tries with c successes (unbiased):
    1 - C(n-c, k) / C(n, k); 1 when n - c < k. Exact integer arithmetic."""
    n, c, k = _tries(n, c, k)
    if n - c < k:
        return 1.0
    return float(1 - Fraction(math.comb(n - c, k), math.comb(n, k)))


def pass_hat_k(n: int, c: int, k: int) -> float:
    """Chance that all k tries succeed (pass^k), from n tries with c successes (unbiased):
    C(c, k) / C(n, k). Exact integer arithmetic."""
    n, c, k = _tries(n, c, k)
    return float(Fraction(math.comb(c, k), math.comb(n, k)))


def chain_success(step_rates) -> float:
    """Chance that every step of a chain succeeds, steps independent: the product of the rates."""
    allowed = "a non-empty sequence of shares in [0, 1]"
    if step_rates is None or isinstance(step_rates, (str, bytes, Mapping)) or np.ndim(step_rates) != 1:
        raise fail("step_rates", step_rates, allowed, EvalError)
    rates = [_share(f"step_rates[{i}]", rate) for i, rate in enumerate(step_rates)]
    if not rates:
        raise fail("step_rates", step_rates, allowed, EvalError)
    return float(math.prod(rates))


@dataclasses.dataclass(frozen=True)
class TaskCost:
    """What a task costs when failed attempts are retried, up to ``max_attempts``."""

    success_rate: float
    max_attempts: int
    expected_attempts: float
    finished_share: float
    cost_per_task: float
    cost_per_finished_task: float

    def summary(self) -> str:
        return (
            f"With a {_pct(self.success_rate)} success rate and up to {self.max_attempts} attempts: "
            f"{_pct(self.finished_share)} of tasks finish, {self.expected_attempts:.2f} attempts on average.\n"
            f"Cost per task {self.cost_per_task:.4g}, per finished task {self.cost_per_finished_task:.4g}."
        )


def cost_per_finished_task(cost_per_attempt: float, success_rate: float, max_attempts: int = 1) -> TaskCost:
    """Cost of a task retried until it succeeds, at most ``max_attempts`` times (attempts independent).

    finished share = 1 - (1-p)^m; expected attempts = (1 - (1-p)^m) / p (m when p = 0).
    Refused when ``success_rate`` is 0: no task would ever finish.
    """
    cost = validation.nonnegative("cost_per_attempt", cost_per_attempt, error=EvalError)
    p = _share("success_rate", success_rate)
    if p == 0:
        raise fail("success_rate", success_rate, "above 0 and at most 1 (at 0 no task ever finishes, so there is no cost per finished task)", EvalError)
    m = validation.count("max_attempts", max_attempts, minimum=1, maximum=MAX_ATTEMPTS, error=EvalError)
    finished = 1 - (1 - p) ** m
    attempts = float(m) if p == 0 else finished / p
    per_task = cost * attempts
    per_finished = per_task / finished if finished > 0 else math.inf
    return TaskCost(success_rate=p, max_attempts=m, expected_attempts=attempts, finished_share=finished,
                    cost_per_task=per_task, cost_per_finished_task=per_finished)


@dataclasses.dataclass(frozen=True)
class GuardrailCost:
    """Expected counts and costs of an injection guardrail over ``requests`` requests."""

    requests: int
    attacks: float
    caught: float
    missed: float
    false_blocks: float
    cost_false_blocks: float
    cost_missed: float
    total: float

    def summary(self) -> str:
        return (
            f"Of {self.requests} requests, about {self.attacks:.1f} are attacks: {self.caught:.1f} caught, "
            f"{self.missed:.1f} missed; {self.false_blocks:.1f} benign requests blocked.\n"
            f"Cost: {self.cost_false_blocks:.4g} for false blocks + {self.cost_missed:.4g} for missed attacks "
            f"= {self.total:.4g}."
        )


def guardrail_cost(
    requests: int, attack_rate: float, catch_rate: float, false_block_rate: float,
    cost_false_block: float, cost_missed_attack: float,
) -> GuardrailCost:
    """Expected cost of a guardrail: benign requests it blocks plus attacks it misses.

    ``false_block_rate`` is the share of benign requests blocked; ``catch_rate`` the share of attacks caught.
    """
    n = validation.count("requests", requests, maximum=MAX_COUNT, error=EvalError)
    attack = _share("attack_rate", attack_rate)
    catch = _share("catch_rate", catch_rate)
    false_block = _share("false_block_rate", false_block_rate)
    per_block = validation.nonnegative("cost_false_block", cost_false_block, error=EvalError)
    per_miss = validation.nonnegative("cost_missed_attack", cost_missed_attack, error=EvalError)
    attacks = n * attack
    caught = attacks * catch
    missed = attacks - caught
    blocks = (n - attacks) * false_block
    return GuardrailCost(requests=n, attacks=attacks, caught=caught, missed=missed, false_blocks=blocks,
                         cost_false_blocks=blocks * per_block, cost_missed=missed * per_miss,
                         total=blocks * per_block + missed * per_miss)
