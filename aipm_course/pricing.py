"""What to charge for an AI feature, and what each plan keeps after the cost to serve it (lesson 04).

Four ways to charge: **per seat** (a flat price a month), **per use** (a price per question),
**per outcome** (a price per task done right) and **hybrid** (a seat price that includes an
allowance of uses, and a price per use beyond it). The cost to serve a seat is its uses times the
cost per use that the cost model gives (``costs``); caching and a cheaper first model lower it.

Gross margin = (revenue − cost to serve) / revenue.

Usage per seat is modelled as **lognormal**: the logarithm of a seat's uses a month is normal,
with mean ln(median) and standard deviation ``sigma``. Most seats use little and a few use a lot
(the mean sits above the median, by a factor exp(sigma²/2)); the larger ``sigma``, the heavier
that tail. It is an approximation: fit the median and sigma to your own usage logs. Every share
here has a closed form through the normal distribution (``statistics.NormalDist``); the tests
check them against ``scipy.stats.lognorm`` and a seeded simulation (``economics_from_uses``).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from statistics import NormalDist
from typing import Any

import numpy as np

from . import validation

__all__ = [
    "PLAN_KINDS",
    "Usage",
    "Plan",
    "gross_margin",
    "PlanEconomics",
    "plan_economics",
    "economics_from_uses",
    "compare_plans",
]

PLAN_KINDS = ("per_seat", "per_use", "per_outcome", "hybrid")
_NORMAL = NormalDist()
_MAX_SIGMA = 5.0  # beyond this a "typical" seat means nothing: the mean is exp(12.5) times the median


def _phi(z: float) -> float:
    """The standard normal CDF, Φ(z) = erfc(−z/√2)/2: exact to the last digits in the lower tail too."""
    return 0.5 * math.erfc(-z / math.sqrt(2)) if math.isfinite(z) else (1.0 if z > 0 else 0.0)


def _tail(z: float) -> float:
    """1 − Φ(z), computed directly so that a small share in the upper tail keeps its digits."""
    return _phi(-z)


def _between(a: float, b: float) -> float:
    """Φ(b) − Φ(a) for a ≤ b, from whichever tail keeps the digits."""
    return max(0.0, _tail(a) - _tail(b)) if a > 0 else max(0.0, _phi(b) - _phi(a))


def _log(x: float) -> float:
    return -math.inf if x <= 0 else math.inf if x == math.inf else math.log(x)


def _uses(name: str, value: Any) -> float:
    """A number of uses a month: 0 or more, infinity allowed (the end of the range)."""
    x = validation.real(name, value, low=0, finite=False, allowed="a number of uses a month, 0 or more")
    return x


# --------------------------------------------------------------------------------------------
# Usage per seat
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Usage:
    """Uses per seat a month, lognormal: half the seats use fewer than ``median``; ``sigma`` is the
    standard deviation of the logarithm of uses (0.5: fairly even; 1.5: a heavy tail) (lesson 04)."""

    median: float
    sigma: float

    def __post_init__(self) -> None:
        validation.positive("median", self.median, allowed="a number of uses a month above 0")
        validation.real("sigma", self.sigma, low=0, high=_MAX_SIGMA, low_open=True,
                        allowed=f"the spread of log-usage, a number in (0, {_MAX_SIGMA:g}]")

    @classmethod
    def from_mean(cls, mean: float, sigma: float) -> "Usage":
        """The usage whose mean is ``mean``: median = mean × exp(−sigma²/2)."""
        m = validation.positive("mean", mean, allowed="a number of uses a month above 0")
        s = validation.real("sigma", sigma, low=0, high=_MAX_SIGMA, low_open=True, allowed=f"a number in (0, {_MAX_SIGMA:g}]")
        return cls(m * math.exp(-s * s / 2), s)

    @property
    def mu(self) -> float:
        """The mean of the logarithm of uses: ln(median)."""
        return math.log(self.median)

    @property
    def mean(self) -> float:
        """The mean uses per seat: median × exp(sigma²/2), above the median."""
        return self.median * math.exp(self.sigma**2 / 2)

    def share_above(self, uses: float) -> float:
        """Return the share of seats that use more than ``uses`` a month: 1 − Φ((ln uses − μ)/σ)."""
        u = _uses("uses", uses)
        return _tail((_log(u) - self.mu) / self.sigma)

    def share_between(self, low: float, high: float) -> float:
        """Return the share of seats with more than ``low`` and at most ``high`` uses a month."""
        lo, hi = _uses("low", low), _uses("high", high)
        if hi < lo:
            raise validation.fail("high", high, f"a number of uses at or above low ({lo:g})")
        a, b = (_log(lo) - self.mu) / self.sigma, (_log(hi) - self.mu) / self.sigma
        return _between(a, b)

    def uses_between(self, low: float, high: float) -> float:
        """Return the uses per seat, averaged over all seats, that come from seats with more than
        ``low`` and at most ``high`` uses: mean × [Φ((ln high − μ − σ²)/σ) − Φ((ln low − μ − σ²)/σ)]."""
        lo, hi = _uses("low", low), _uses("high", high)
        if hi < lo:
            raise validation.fail("high", high, f"a number of uses at or above low ({lo:g})")
        shift = self.mu + self.sigma**2
        return self.mean * _between((_log(lo) - shift) / self.sigma, (_log(hi) - shift) / self.sigma)

    def expected_excess(self, allowance: float) -> float:
        """Return the average uses per seat beyond ``allowance``, E[max(0, uses − allowance)]:
        mean × Φ((μ + σ² − ln A)/σ) − A × Φ((μ − ln A)/σ)."""
        a = validation.nonnegative("allowance", allowance, allowed="a number of uses a month, 0 or more")
        if a == 0:
            return self.mean
        d = (self.mu - math.log(a)) / self.sigma
        return max(0.0, self.mean * _phi(d + self.sigma) - a * _phi(d))

    def quantile(self, share: float) -> float:
        """Return the uses a month below which ``share`` of the seats fall (0.99: the 99th percentile)."""
        q = validation.share("share", share, open_low=True, open_high=True)
        return self.median * math.exp(self.sigma * _NORMAL.inv_cdf(q))

    def sample(self, seats: int, seed: int = 0) -> np.ndarray:
        """Return the uses a month of ``seats`` seats drawn at random (seeded): for a simulation."""
        n = validation.count("seats", seats, minimum=1, maximum=10_000_000)
        rng = np.random.default_rng(validation.seed("seed", seed))
        return rng.lognormal(self.mu, self.sigma, n)

    def __str__(self) -> str:
        return f"uses a seat a month: median {self.median:,.3g}, mean {self.mean:,.3g}, sigma {self.sigma:g} (lognormal)"


# --------------------------------------------------------------------------------------------
# Plans
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Plan:
    """One way to charge. ``price`` is the seat price a month (per_seat, hybrid), the price of one
    use (per_use) or of one task done right (per_outcome). A hybrid seat includes ``allowance`` uses
    a month and charges ``overage`` for each use beyond them (lesson 04)."""

    kind: str
    price: float
    allowance: float = 0.0
    overage: float = 0.0
    name: str = ""

    def __post_init__(self) -> None:
        validation.one_of("kind", self.kind, PLAN_KINDS)
        validation.positive("price", self.price, allowed="a price in USD above 0")
        validation.nonnegative("allowance", self.allowance, allowed="a number of uses a month, 0 or more")
        validation.nonnegative("overage", self.overage, allowed="a price in USD per use, 0 or more")
        if self.kind != "hybrid" and (self.allowance or self.overage):
            raise validation.ArgumentError(f"allowance and overage belong to a hybrid plan; kind is {self.kind!r}. Use kind='hybrid', or leave them at 0")
        if not isinstance(self.name, str):
            raise validation.fail("name", self.name, "a short name for the plan (text), or empty")

    @property
    def label(self) -> str:
        """The plan in words, e.g. "Per seat: $3.00 a seat a month"."""
        if self.name:
            return self.name
        p = f"${self.price:,.2f}" if self.price >= 0.1 else f"${self.price:.3g}"
        return {
            "per_seat": f"Per seat: {p} a seat a month",
            "per_use": f"Per use: {p} a use",
            "per_outcome": f"Per outcome: {p} a task done right",
            "hybrid": f"Hybrid: {p} a seat with {self.allowance:,.0f} uses, then ${self.overage:.3g} a use",
        }[self.kind]

    def revenue(self, uses: Any, success_rate: float = 1.0) -> float | np.ndarray:
        """Return what a seat pays in a month for ``uses`` uses (a number or an array).

        ``success_rate`` is the share of uses done right: a per-outcome plan is paid for those only."""
        u = _uses_array("uses", uses)
        s = validation.share("success_rate", success_rate)
        if self.kind == "per_seat":
            out = np.full_like(u, self.price) if isinstance(u, np.ndarray) else self.price
        elif self.kind == "per_use":
            out = self.price * u
        elif self.kind == "per_outcome":
            out = self.price * s * u
        else:
            out = self.price + self.overage * np.maximum(0.0, u - self.allowance)
        return out if isinstance(out, np.ndarray) else float(out)

    def pieces(self, cost_per_use: float, success_rate: float = 1.0) -> list[tuple[float, float, float, float]]:
        """Return what a seat earns after its cost, revenue − cost = a + b × uses, on each range of
        uses where that line holds: [(low, high, a, b), ...]."""
        c = validation.nonnegative("cost_per_use", cost_per_use, allowed="a cost in USD, 0 or more")
        s = validation.share("success_rate", success_rate)
        if self.kind == "per_seat":
            return [(0.0, math.inf, self.price, -c)]
        if self.kind == "per_use":
            return [(0.0, math.inf, 0.0, self.price - c)]
        if self.kind == "per_outcome":
            return [(0.0, math.inf, 0.0, self.price * s - c)]
        a = self.allowance
        return [(0.0, a, self.price, -c), (a, math.inf, self.price - self.overage * a, self.overage - c)]

    def __str__(self) -> str:
        return self.label


def _uses_array(name: str, value: Any) -> float | np.ndarray:
    if isinstance(value, (list, tuple, np.ndarray)):
        arr = validation.array(name, value, "a list of uses a month, each 0 or more")
        if np.any(arr < 0):
            raise validation.fail(name, value, "a list of uses a month, each 0 or more")
        return arr
    return validation.nonnegative(name, value, allowed="a number of uses a month, 0 or more")


def gross_margin(revenue: float, cost_to_serve: float) -> float:
    """Return (revenue − cost to serve) / revenue: the share of each dollar earned that is left
    after serving it (lesson 04). Below 0 when serving costs more than it earns."""
    r = validation.positive("revenue", revenue, allowed="an amount in USD above 0 (a margin needs some revenue)")
    c = validation.nonnegative("cost_to_serve", cost_to_serve, allowed="an amount in USD, 0 or more")
    return (r - c) / r


# --------------------------------------------------------------------------------------------
# A plan's economics: closed form over the lognormal, or counted over simulated seats
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class PlanEconomics:
    """What a plan earns and costs per seat a month, on average, and which seats lose money."""

    plan: Plan
    cost_per_use: float
    success_rate: float
    revenue_per_seat: float
    cost_per_seat: float
    share_losing: float  # the share of seats whose cost to serve is above what they pay
    cost_share_losing: float  # the share of all cost to serve that those seats cause
    losing_uses: tuple[tuple[float, float], ...]  # the ranges of uses a month at which a seat loses money

    @property
    def gross_margin(self) -> float:
        """(revenue − cost to serve) / revenue, over all seats together."""
        return gross_margin(self.revenue_per_seat, self.cost_per_seat)

    @property
    def loses_above(self) -> float | None:
        """The uses a month above which a seat loses money, when the losing seats are exactly the
        heavy ones (a seat price with no charge per use); None otherwise."""
        if len(self.losing_uses) == 1 and math.isinf(self.losing_uses[0][1]) and self.losing_uses[0][0] > 0:
            return self.losing_uses[0][0]
        return None

    def __str__(self) -> str:
        head = (f"{self.plan.label}: ${self.revenue_per_seat:,.2f} revenue and ${self.cost_per_seat:,.2f} cost to serve a seat a month, "
                f"gross margin {self.gross_margin:.1%}; ")
        if self.share_losing == 0:
            return head + "no seat loses money"
        if self.share_losing >= 1:
            return head + "every seat loses money"
        where = f"seats above {self.loses_above:,.0f} uses a month" if self.loses_above is not None else "seats"
        share = f"{self.share_losing:.1%}" if self.share_losing >= 0.01 else f"{self.share_losing:.2%}"
        return head + f"{share} of {where} lose money, causing {self.cost_share_losing:.1%} of the cost to serve"


def _losing_ranges(plan: Plan, cost_per_use: float, success_rate: float) -> tuple[tuple[float, float], ...]:
    """The ranges of uses (low, high] on which revenue − cost < 0."""
    ranges = []
    for low, high, a, b in plan.pieces(cost_per_use, success_rate):
        if b == 0:
            lo, hi = (low, high) if a < 0 else (high, high)
        elif b < 0:  # a + b·u < 0 above −a/b
            lo, hi = max(low, -a / b), high
        else:  # below −a/b
            lo, hi = low, min(high, -a / b)
        if hi > lo:
            ranges.append((lo, hi))
    merged: list[tuple[float, float]] = []
    for lo, hi in ranges:
        if merged and merged[-1][1] >= lo:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return tuple(merged)


def _check_usage(usage: Any) -> Usage:
    if not isinstance(usage, Usage):
        raise validation.fail("usage", usage, "Usage(median=..., sigma=...), the uses per seat a month")
    return usage


def _check_plan(plan: Any) -> Plan:
    if not isinstance(plan, Plan):
        raise validation.fail("plan", plan, "a Plan, e.g. Plan('per_seat', price=3.0)")
    return plan


def plan_economics(plan: Plan, usage: Usage, cost_per_use: float, success_rate: float = 1.0) -> PlanEconomics:
    """Return a plan's revenue and cost to serve per seat a month, its gross margin and the share of
    seats that lose money, in closed form over lognormal usage (lesson 04).

    Per seat: a seat loses money when its uses pass price / cost per use, and the share of such
    seats is 1 − Φ((ln(price / cost) − ln median) / sigma). Per use and per outcome: every seat
    earns the same margin on each use, so all lose or none do. Hybrid: the allowance sets where a
    seat's earnings turn, and an overage price at or above the cost per use stops the losses there.
    """
    plan, usage = _check_plan(plan), _check_usage(usage)
    c = validation.nonnegative("cost_per_use", cost_per_use, allowed="a cost in USD, 0 or more")
    s = validation.share("success_rate", success_rate)
    if plan.kind == "per_seat":
        revenue = plan.price
    elif plan.kind == "per_use":
        revenue = plan.price * usage.mean
    elif plan.kind == "per_outcome":
        revenue = plan.price * s * usage.mean
    else:
        revenue = plan.price + plan.overage * usage.expected_excess(plan.allowance)
    cost = c * usage.mean
    losing = _losing_ranges(plan, c, s)
    share = sum(usage.share_between(lo, hi) for lo, hi in losing)
    cost_share = sum(usage.uses_between(lo, hi) for lo, hi in losing) / usage.mean if c > 0 else 0.0
    if revenue <= 0:
        raise validation.fail("success_rate", success_rate, "above 0 for a per-outcome plan: with no task done right it earns nothing")
    return PlanEconomics(plan, c, s, revenue, cost, min(1.0, share), min(1.0, cost_share), losing)


def economics_from_uses(plan: Plan, uses: Sequence[float] | np.ndarray, cost_per_use: float, success_rate: float = 1.0) -> PlanEconomics:
    """Return the same figures as ``plan_economics``, counted over seats whose uses a month are
    given (e.g. ``Usage(...).sample(100_000, seed=1)``, or your own usage logs) (lesson 04)."""
    plan = _check_plan(plan)
    u = validation.array("uses", uses, "a non-empty list of uses a month, each 0 or more")
    if np.any(u < 0):
        raise validation.fail("uses", uses, "a non-empty list of uses a month, each 0 or more")
    c = validation.nonnegative("cost_per_use", cost_per_use, allowed="a cost in USD, 0 or more")
    s = validation.share("success_rate", success_rate)
    revenue = plan.revenue(u, s)
    cost = c * u
    losing = revenue < cost
    total_cost = float(cost.sum())
    mean_revenue = float(revenue.mean())
    if mean_revenue <= 0:
        raise validation.fail("uses", uses, "seats that pay something: with these uses the plan earns nothing, so it has no margin")
    cost_share = float(cost[losing].sum()) / total_cost if total_cost > 0 else 0.0
    return PlanEconomics(plan, c, s, mean_revenue, float(cost.mean()), float(losing.mean()), cost_share, _losing_ranges(plan, c, s))


def compare_plans(plans: Sequence[Plan] | Mapping[str, Plan], usage: Usage, cost_per_use: float, success_rate: float = 1.0):
    """Return a table (pandas DataFrame) of plans side by side: revenue and cost to serve per seat a
    month, gross margin, and the share of seats that lose money (lesson 04)."""
    import pandas as pd

    items = list(plans.values()) if isinstance(plans, Mapping) else plans
    if isinstance(items, (str, bytes)) or not isinstance(items, (list, tuple)) or not items:
        raise validation.fail("plans", plans, "a non-empty list of Plan")
    rows = []
    for plan in items:
        e = plan_economics(_check_plan(plan), usage, cost_per_use, success_rate)
        rows.append({
            "plan": plan.label,
            "revenue a seat ($)": round(e.revenue_per_seat, 2),
            "cost to serve a seat ($)": round(e.cost_per_seat, 2),
            "gross margin": round(e.gross_margin, 3),
            "seats losing money": round(e.share_losing, 4),
            "their share of the cost": round(e.cost_share_losing, 3),
        })
    return pd.DataFrame(rows).set_index("plan")
