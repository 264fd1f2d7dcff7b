"""Experiments that lie: peeking, sample-ratio mismatch, novelty and the full-week minimum, and
interleaving for ranking changes (lesson 05, "Experiments that lie").

- ``peeking_false_positive_rate`` and ``crossing_probability``: the chance that a test with no real
  difference (an A/A test) crosses a significance line at some look, when it is read many times.
- ``sequential_bounds``: lines that keep that chance at alpha however often the test is read
  (alpha spending of the O'Brien–Fleming or Pocock type, after Lan and DeMets, or Bonferroni).
- ``simulate_peeking``: many seeded A/A (or A/B) tests read every day, with or without a correction.
- ``sample_ratio_mismatch``: a chi-square goodness-of-fit test of the arm counts against the split.
- ``full_week_days`` and ``daily_effects``: why a stage runs whole weeks, and how novelty and
  primacy make the first days lie.
- ``team_draft_interleave`` and ``interleaving_credit``: one list from two rankers, and which one
  the clicks prefer.

The crossing probabilities use the normal approximation of the z-test (a Brownian motion observed at
the looks), integrated numerically on a grid; the simulations draw binomial counts, so their rates
agree with the integrals to within Monte Carlo error and the small error of the normal approximation.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import stats
from scipy.optimize import brentq

from . import validation

__all__ = [
    "SEQUENTIAL_METHODS",
    "SRM_ALARM",
    "MAX_LOOKS",
    "crossing_probability",
    "peeking_false_positive_rate",
    "sequential_bounds",
    "PeekingResult",
    "simulate_peeking",
    "SrmResult",
    "sample_ratio_mismatch",
    "full_week_days",
    "daily_effects",
    "Interleaved",
    "team_draft_interleave",
    "interleaving_credit",
]

# "none": the plain line z_{1−α/2} at every look (peeking). The other three keep the chance of a
# false alarm over all looks at alpha: alpha spending of the O'Brien–Fleming type (strict early,
# close to the plain line at the end), of the Pocock type (about the same line at every look), and
# Bonferroni (alpha / looks at each look: simple, and stricter than it needs to be).
SEQUENTIAL_METHODS = ("none", "obrien-fleming", "pocock", "bonferroni")
SRM_ALARM = 0.001  # the usual alarm level for a sample-ratio mismatch: a broken split, not bad luck
MAX_LOOKS = 200
MAX_TEST_DAYS = 4_000_000  # simulated tests × days held in memory at once (about 100 MB)
_GRID = 401  # points across each look's region of "no decision yet"; 1,601 moves the 5th decimal at most


# --------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------


def _looks(value: Any) -> int:
    return validation.count("looks", value, minimum=1, maximum=MAX_LOOKS, allowed=f"a whole number of looks from 1 to {MAX_LOOKS}")


def _alpha(value: Any) -> float:
    return validation.real("alpha", value, low=0, high=0.5, low_open=True, high_open=True, allowed="a significance level in (0, 0.5)")


def _information(value: Any, looks: int) -> np.ndarray:
    """The share of the final sample seen at each look: increasing, in (0, 1], the last one 1."""
    if value is None:
        return np.arange(1, looks + 1) / looks
    allowed = f"{looks} increasing shares of the final sample in (0, 1], the last one 1 (or None for equal steps)"
    t = validation.array("information", value, allowed)
    if t.size != looks or t[0] <= 0 or np.any(np.diff(t) <= 0) or not math.isclose(t[-1], 1.0):
        raise validation.fail("information", value, allowed)
    return t


def _method(value: Any) -> str:
    return validation.one_of("method", value, SEQUENTIAL_METHODS)


# --------------------------------------------------------------------------------------------
# Crossing probabilities: a z-test read at several looks, when nothing differs
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass
class _Paths:
    """The density of the running score S_k = Z_k·√t_k over the paths with no decision yet."""

    x: np.ndarray
    density: np.ndarray
    t: float

    def weights(self) -> np.ndarray:
        w = np.full(self.x.size, self.x[1] - self.x[0])
        w[[0, -1]] /= 2  # the trapezoid rule
        return w * self.density


def _first_look(b: float, t: float) -> tuple[float, _Paths]:
    c, sd = b * math.sqrt(t), math.sqrt(t)
    x = np.linspace(-c, c, _GRID)
    return float(2 * stats.norm.sf(b)), _Paths(x, stats.norm.pdf(x, scale=sd), t)


def _crossing_now(paths: _Paths, b: float, t: float) -> float:
    """P(no decision before, and |Z| ≥ b at this look)."""
    c, sd = b * math.sqrt(t), math.sqrt(t - paths.t)
    outside = stats.norm.cdf((-c - paths.x) / sd) + stats.norm.sf((c - paths.x) / sd)
    return float(paths.weights() @ outside)


def _next_look(paths: _Paths, b: float, t: float) -> tuple[float, _Paths]:
    """The chance of a first crossing at this look, and the paths that go on."""
    c, sd = b * math.sqrt(t), math.sqrt(t - paths.t)
    x = np.linspace(-c, c, _GRID)
    kernel = stats.norm.pdf((x[:, None] - paths.x[None, :]) / sd) / sd
    return _crossing_now(paths, b, t), _Paths(x, kernel @ paths.weights(), t)


def _crossings(bounds: Sequence[float], t: np.ndarray) -> list[float]:
    """The chance of a first crossing at each look, under no difference."""
    first, paths = _first_look(bounds[0], t[0])
    out = [first]
    for b, tk in zip(bounds[1:], t[1:]):
        p, paths = _next_look(paths, b, tk)
        out.append(p)
    return out


def crossing_probability(bounds: Any, information: Any = None) -> float:
    """Return the chance that a two-sided z-test with no real difference behind it reaches |z| ≥ the
    bound at some look (lesson 05, "Experiments that lie").

    ``bounds`` holds one line per look; ``information`` the share of the final sample each look has
    seen (equal steps by default). The z-values of successive looks are correlated (each look holds
    the data of the ones before), which is why the chance is well below 1 − (1 − α)^looks. Computed
    by numerical integration over the paths with no decision yet (the normal approximation)."""
    allowed = f"a list of 1 to {MAX_LOOKS} positive, finite z-values, one per look"
    b = validation.array("bounds", bounds, allowed)
    if not 1 <= b.size <= MAX_LOOKS or np.any(b <= 0):
        raise validation.fail("bounds", bounds, allowed)
    return float(min(sum(_crossings(list(b), _information(information, b.size))), 1.0))


def peeking_false_positive_rate(looks: int, alpha: float = 0.05, information: Any = None) -> float:
    """Return the chance that an A/A test read at ``looks`` looks, each at the plain two-sided line
    z_{1−α/2}, "finds" a difference at one of them (lesson 05). One look gives alpha; 14 daily looks
    at α = 0.05 give about 0.22."""
    looks, alpha = _looks(looks), _alpha(alpha)
    return crossing_probability([stats.norm.isf(alpha / 2)] * looks, information)


def _spent(method: str, alpha: float, t: float) -> float:
    """Alpha spent on both sides by information t (Lan–DeMets spending functions; each side spends
    half, as in the published tables of two-sided bounds)."""
    if method == "obrien-fleming":
        return float(2 * 2 * stats.norm.sf(stats.norm.isf(alpha / 4) / math.sqrt(t)))
    return float(alpha * math.log(1 + (math.e - 1) * t))  # Pocock type


def _spending_bounds(method: str, alpha: float, t: np.ndarray) -> list[float]:
    """Solve look by look for the line whose first-crossing chance is the alpha spent since the last look."""
    bounds, paths, before = [], None, 0.0
    for tk in t:
        spend = _spent(method, alpha, tk) - before
        before += spend
        if paths is None:
            b = float(stats.norm.isf(spend / 2))
            _, paths = _first_look(b, tk)
        else:
            known = paths
            b = float(brentq(lambda z: _crossing_now(known, z, tk) - spend, 0.5, 40, xtol=1e-10))
            _, paths = _next_look(paths, b, tk)
        bounds.append(b)
    return bounds


def sequential_bounds(looks: int, alpha: float = 0.05, method: str = "obrien-fleming", information: Any = None) -> list[float]:
    """Return the |z| line of each look for a test read ``looks`` times (lesson 05).

    ``method``: "obrien-fleming" (alpha spending of the O'Brien–Fleming type, each side spending
    α/2 as 2 − 2Φ(z_{1−α/4}/√t) by the share t of the sample: very strict at early looks, near the
    plain line at the last), "pocock"
    (α(t) = α·ln(1 + (e − 1)t): about the same line at every look), "bonferroni" (z_{1−α/(2·looks)}
    at every look: simple and a little too strict) or "none" (the plain z_{1−α/2}: peeking). With
    any but "none", the chance that an A/A test crosses a line at some look is alpha (at most alpha
    for Bonferroni). Five equal looks, O'Brien–Fleming type, α = 0.05: 4.88, 3.36, 2.68, 2.29, 2.03."""
    looks, alpha, method = _looks(looks), _alpha(alpha), _method(method)
    if information is None:
        return list(_equal_step_bounds(looks, alpha, method))
    return _bounds(looks, alpha, method, _information(information, looks))


@functools.lru_cache(maxsize=256)
def _equal_step_bounds(looks: int, alpha: float, method: str) -> tuple[float, ...]:
    """The lines for equally spaced looks, kept: a simulated rollout asks for the same ones often."""
    return tuple(_bounds(looks, alpha, method, _information(None, looks)))


def _bounds(looks: int, alpha: float, method: str, t: np.ndarray) -> list[float]:
    if method == "none":
        return [float(stats.norm.isf(alpha / 2))] * looks
    if method == "bonferroni":
        return [float(stats.norm.isf(alpha / (2 * looks)))] * looks
    return _spending_bounds(method, alpha, t)


# --------------------------------------------------------------------------------------------
# Simulated A/A and A/B tests, read every day
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class PeekingResult:
    """Simulated tests read every day: how many crossed a line at some look, and at the end only."""

    tests: int
    days: int
    method: str
    bounds: tuple[float, ...]
    any_look_rate: float  # share of tests that crossed the day's line on some day
    final_look_rate: float  # share that cross the plain line z_{1−α/2} when read once, at the end
    stopped_by_day: tuple[float, ...]  # share of tests stopped by the end of each day

    @property
    def standard_error(self) -> float:
        """The Monte Carlo standard error of ``any_look_rate``: √(r(1 − r)/tests)."""
        return math.sqrt(self.any_look_rate * (1 - self.any_look_rate) / self.tests)

    def __str__(self) -> str:
        how = "read every day at the plain line" if self.method == "none" else f"read every day with {self.method} lines"
        return (f"{self.tests:,} tests over {self.days} days, {how}: {self.any_look_rate:.1%} crossed a line on some day "
                f"(± {self.standard_error:.1%}); read once at the end: {self.final_look_rate:.1%}")


def _z(hits_a: np.ndarray, n_a: np.ndarray, hits_b: np.ndarray, n_b: np.ndarray) -> np.ndarray:
    """The pooled two-proportion z statistic, elementwise (0 where both arms are all 0 or all 1)."""
    pooled = (hits_a + hits_b) / (n_a + n_b)
    se = np.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    diff = hits_b / n_b - hits_a / n_a
    return np.divide(diff, se, out=np.zeros_like(diff, dtype=float), where=se > 0)


def simulate_peeking(tests: int = 10_000, days: int = 14, users_per_day: int = 500, rate: float = 0.10, alpha: float = 0.05,
                     method: str = "none", treatment_rate: float | None = None, seed: int = 0) -> PeekingResult:
    """Return how often simulated tests cross a line when read every day (lesson 05).

    Each test has two arms of ``users_per_day`` users a day each; every user converts at ``rate``
    (the treatment at ``treatment_rate``; by default the same rate: an A/A test, where every
    "difference" found is a false positive). Each evening the pooled z-test is read on the counts so
    far against the day's line from ``sequential_bounds(days, alpha, method)``. The same seed gives
    the same result; 10,000 tests over 14 days take a few milliseconds."""
    tests = validation.count("tests", tests, minimum=100, maximum=200_000, allowed="a whole number of tests from 100 to 200,000")
    days = validation.count("days", days, minimum=1, maximum=MAX_LOOKS, allowed=f"a whole number of days from 1 to {MAX_LOOKS}")
    if tests * days > MAX_TEST_DAYS:  # the draws are held in memory at once
        raise validation.fail("tests", tests, f"at most {MAX_TEST_DAYS // days:,} tests over {days} days ({MAX_TEST_DAYS:,} test-days in all)")
    users = validation.count("users_per_day", users_per_day, minimum=1, maximum=10**7, allowed="a whole number of users a day per arm, from 1 to 10,000,000")
    rate = validation.share("rate", rate, open_low=True, open_high=True, allowed="a conversion rate in (0, 1)")
    treated = rate if treatment_rate is None else validation.share("treatment_rate", treatment_rate, open_low=True, open_high=True,
                                                                   allowed="a conversion rate in (0, 1), or None for an A/A test")
    alpha, method = _alpha(alpha), _method(method)
    bounds = sequential_bounds(days, alpha, method)
    rng = np.random.default_rng(validation.seed("seed", seed))
    hits_a = rng.binomial(users, rate, size=(tests, days)).cumsum(axis=1)
    hits_b = rng.binomial(users, treated, size=(tests, days)).cumsum(axis=1)
    n = users * np.arange(1, days + 1)
    z = np.abs(_z(hits_a, n, hits_b, n))
    crossed = z >= np.asarray(bounds)
    stopped = np.logical_or.accumulate(crossed, axis=1).mean(axis=0)
    final = float(np.mean(z[:, -1] >= stats.norm.isf(alpha / 2)))
    return PeekingResult(tests, days, method, tuple(bounds), float(stopped[-1]), final, tuple(float(s) for s in stopped))


# --------------------------------------------------------------------------------------------
# Sample-ratio mismatch
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SrmResult:
    counts: tuple[int, ...]
    expected: tuple[float, ...]
    statistic: float
    p_value: float
    alarm: float

    @property
    def degrees_of_freedom(self) -> int:
        return len(self.counts) - 1

    @property
    def mismatch(self) -> bool:
        """True when the split is too far from the plan to be chance: p below the alarm level."""
        return self.p_value < self.alarm

    def __str__(self) -> str:
        head = f"χ² = {self.statistic:.3g} on {self.degrees_of_freedom} degree{'s' if self.degrees_of_freedom > 1 else ''} of freedom, p = {self.p_value:.3g}"
        if self.mismatch:
            return (f"{head}: sample-ratio mismatch (below {self.alarm:g}). The split is broken: do not read the metrics; "
                    "find out why users went missing from an arm (a redirect, a crash, a bot filter, a logging bug).")
        return f"{head}: no mismatch (the alarm is p < {self.alarm:g}); the split is as planned, within chance."


def sample_ratio_mismatch(counts: Any, planned: Any = (0.5, 0.5), alarm: float = SRM_ALARM) -> SrmResult:
    """Return a chi-square goodness-of-fit test of the users per arm against the planned split (lesson 05).

    χ² = Σ (observed − expected)² / expected, with expected = total × planned share, on (arms − 1)
    degrees of freedom. A p-value below ``alarm`` (0.001 by custom) means the assignment or the
    logging is broken, and the comparison is not to be trusted, whatever the metric says."""
    allowed = "the users in each arm: two or more whole numbers, 0 or more, not all 0"
    if isinstance(counts, (str, bytes)) or not isinstance(counts, (Sequence, np.ndarray)) or len(counts) < 2:
        raise validation.fail("counts", counts, allowed)
    observed = [validation.count("counts", c, minimum=0, allowed=allowed) for c in counts]
    if sum(observed) == 0:
        raise validation.fail("counts", counts, allowed)
    shares = _planned(planned)
    if len(shares) != len(observed):
        raise validation.fail("counts", counts, f"{len(shares)} counts, one for each share in planned (or give planned one share per arm)")
    alarm = validation.real("alarm", alarm, low=0, high=1, low_open=True, high_open=True, allowed="a p-value level in (0, 1)")
    expected = [sum(observed) * s for s in shares]
    statistic = sum((o - e) ** 2 / e for o, e in zip(observed, expected))
    p = float(stats.chi2.sf(statistic, len(observed) - 1))
    return SrmResult(tuple(observed), tuple(expected), float(statistic), p, alarm)


def _planned(value: Any) -> list[float]:
    allowed = "two or more shares above 0 that add up to 1, one per arm"
    shares = validation.array("planned", value, allowed)
    if shares.size < 2 or np.any(shares <= 0) or not math.isclose(shares.sum(), 1.0, abs_tol=1e-9):
        raise validation.fail("planned", value, allowed)
    return [float(s) for s in shares]


# --------------------------------------------------------------------------------------------
# Whole weeks, novelty and primacy
# --------------------------------------------------------------------------------------------


def full_week_days(days_needed: float) -> int:
    """Return the days a stage should run: whole weeks, at least one, and no fewer than the days its
    sample needs (lesson 05). Weekday and weekend users differ; a stage of whole weeks gives every
    day of the week the same weight. 3 days needed → 7; 9 → 14."""
    days = validation.real("days_needed", days_needed, low=0, high=10_000, low_open=True, allowed="a number of days above 0, up to 10,000")
    return 7 * max(1, math.ceil(days / 7 - 1e-9))


def daily_effects(days: int, lasting_effect: float, first_day_extra: float = 0.0, half_life_days: float = 3.0,
                  weekend_effect: float | None = None, first_weekday: int = 0) -> np.ndarray:
    """Return the true effect of a change on each day 1..``days`` (lesson 05).

    effect on day d = base + first_day_extra · 0.5^((d − 1)/half_life_days), where base is
    ``lasting_effect`` on weekdays and ``weekend_effect`` (if given) on Saturdays and Sundays.
    A positive extra is a **novelty effect** (users try the new thing, then lose interest); a
    negative one is a **primacy effect** (users used to the old way do worse at first).
    ``first_weekday`` is the weekday of day 1 (0 = Monday)."""
    days = validation.count("days", days, minimum=1, maximum=3650, allowed="a whole number of days from 1 to 3,650")
    lasting = validation.real("lasting_effect", lasting_effect, low=-1, high=1, allowed="a change in a rate, from -1 to 1")
    extra = validation.real("first_day_extra", first_day_extra, low=-1, high=1, allowed="a change in a rate, from -1 to 1")
    half = validation.positive("half_life_days", half_life_days, allowed="a number of days above 0")
    weekend = lasting if weekend_effect is None else validation.real("weekend_effect", weekend_effect, low=-1, high=1,
                                                                      allowed="a change in a rate, from -1 to 1, or None")
    start = validation.count("first_weekday", first_weekday, minimum=0, maximum=6, allowed="a weekday from 0 (Monday) to 6 (Sunday)")
    d = np.arange(1, days + 1)
    base = np.where((start + d - 1) % 7 >= 5, weekend, lasting)
    return base + extra * 0.5 ** ((d - 1) / half)


# --------------------------------------------------------------------------------------------
# Interleaving for ranking changes
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Interleaved:
    """One list shown to a user, and which ranker ("A" or "B") put each item there."""

    items: tuple
    teams: tuple[str, ...]

    def __str__(self) -> str:
        return ", ".join(f"{item} ({team})" for item, team in zip(self.items, self.teams))


def _ranking(name: str, value: Any) -> list:
    allowed = "a list of items (e.g. document ids), best first, each once"
    if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, np.ndarray)) or len(value) == 0:
        raise validation.fail(name, value, allowed)
    items = list(value)
    try:
        if len(set(items)) != len(items):
            raise validation.fail(name, value, allowed)
    except TypeError:
        raise validation.fail(name, value, allowed) from None
    return items


def team_draft_interleave(ranking_a: Any, ranking_b: Any, length: int | None = None, seed: int = 0) -> Interleaved:
    """Return one list merged from two rankings by team drafting (lesson 05).

    Like picking teams in a playground: the ranker with fewer picks so far (a coin toss when they
    are level) adds its best item not yet in the list, until ``length`` items (all items by default).
    Each item remembers who picked it, so a click on it is a vote for that ranker."""
    a, b = _ranking("ranking_a", ranking_a), _ranking("ranking_b", ranking_b)
    pool = list(dict.fromkeys(a + b))
    length = len(pool) if length is None else validation.count("length", length, minimum=1, maximum=len(pool),
                                                               allowed=f"a whole number of items from 1 to {len(pool)}")
    rng = np.random.default_rng(validation.seed("seed", seed))
    items, teams, picks = [], [], {"A": 0, "B": 0}
    while len(items) < length:
        team = ("A" if rng.random() < 0.5 else "B") if picks["A"] == picks["B"] else min(picks, key=picks.get)
        source = a if team == "A" else b
        choice = next((x for x in source if x not in items), None)
        if choice is None:  # this ranker has nothing left: the other picks
            team = "B" if team == "A" else "A"
            choice = next(x for x in (a if team == "A" else b) if x not in items)
        items.append(choice)
        teams.append(team)
        picks[team] += 1
    return Interleaved(tuple(items), tuple(teams))


def interleaving_credit(interleaved: Interleaved, clicked: Any) -> dict[str, Any]:
    """Return the clicks each ranker's items got and the preferred ranker ("A", "B" or "tie") for
    one interleaved list (lesson 05). ``clicked`` lists the items the user clicked."""
    if not isinstance(interleaved, Interleaved):
        raise validation.fail("interleaved", interleaved, "an Interleaved list, from team_draft_interleave(...)")
    if isinstance(clicked, (str, bytes)) or not isinstance(clicked, (Sequence, np.ndarray, set, frozenset)):
        raise validation.fail("clicked", clicked, "a list of the items clicked (may be empty)")
    team_of = dict(zip(interleaved.items, interleaved.teams))
    try:
        unknown = [c for c in clicked if c not in team_of]
    except TypeError:
        raise validation.fail("clicked", clicked, "a list of the items clicked, each one of the list shown") from None
    if unknown:
        raise validation.fail("clicked", clicked, "items of the list shown: " + ", ".join(map(str, interleaved.items)))
    credit = {"A": 0, "B": 0}
    for c in set(clicked):
        credit[team_of[c]] += 1
    winner = "tie" if credit["A"] == credit["B"] else max(credit, key=credit.get)
    return {**credit, "winner": winner}
