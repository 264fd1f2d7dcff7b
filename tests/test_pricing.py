"""Lesson 04's pricing and margins: every closed form checked against scipy.stats.lognorm, a
numerical integral or a seeded simulation, and the lesson's numbers worked by hand."""

import math

import matplotlib
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

from aipm_course import costs, pricing
from aipm_course.pricing import Plan, Usage, compare_plans, economics_from_uses, gross_margin, plan_economics

matplotlib.use("Agg")

LESSON = Usage(median=40, sigma=1.2)  # questions a seat a month in the lesson
RAG_QUERY = 0.0075  # lesson 04's RAG query on GPT-4.1: (2,500 x $2 + 300 x $8) / 1M + $0.0001


def lognorm(usage):
    """The same distribution in scipy's terms: shape s = sigma, scale = median."""
    return stats.lognorm(s=usage.sigma, scale=usage.median)


# --- usage: the lognormal's closed forms against scipy -----------------------------------------------


@pytest.mark.parametrize("usage", [LESSON, Usage(60, 1.0), Usage(100, 1.5), Usage(5, 0.3)])
def test_usage_closed_forms_agree_with_scipy(usage):
    ref = lognorm(usage)
    assert usage.mean == pytest.approx(ref.mean(), rel=1e-12)
    for u in (0.5, usage.median, 3 * usage.median, 400, 5_000):
        assert usage.share_above(u) == pytest.approx(ref.sf(u), rel=1e-9, abs=1e-15)
    assert usage.share_between(20, 300) == pytest.approx(ref.cdf(300) - ref.cdf(20), rel=1e-9)
    for q in (0.01, 0.5, 0.99):
        assert usage.quantile(q) == pytest.approx(ref.ppf(q), rel=1e-9)
    # partial mean: the integral of u f(u) over (low, high]
    for low, high in ((0, 50), (50, 400), (400, math.inf)):
        assert usage.uses_between(low, high) == pytest.approx(_integral(ref, lambda u: u, low, high), rel=1e-7, abs=1e-300)
    # uses beyond an allowance: E[max(0, U - A)]
    for allowance in (0, 30, 200):
        assert usage.expected_excess(allowance) == pytest.approx(_integral(ref, lambda u: u - allowance, allowance, math.inf), rel=1e-7, abs=1e-300)


def _integral(ref, g, low, high):
    """The integral of g(u) f(u) du over (low, high] by adaptive quadrature in z = (ln u - mu) / sigma,
    where the density is the standard normal one and the range is short, to a relative 1e-10
    (scipy's ``expect`` over an infinite range loses the far tail's digits)."""
    sigma, mu = ref.kwds["s"], math.log(ref.kwds["scale"])
    z = lambda u: -40.0 if u <= 0 else min(40.0, (math.log(u) - mu) / sigma)  # noqa: E731
    za, zb = z(low), z(high) if math.isfinite(high) else 40.0
    if zb <= za:
        return 0.0
    cuts = sorted({za, zb, *[c for c in (-5.0, 0.0, 5.0) if za < c < zb]})
    f = lambda t: g(math.exp(mu + sigma * t)) * stats.norm.pdf(t)  # noqa: E731
    return sum(integrate.quad(f, a, b, epsabs=0, epsrel=1e-11, limit=500)[0] for a, b in zip(cuts, cuts[1:]))


def test_usage_hand_values():
    # mean = median x exp(sigma^2 / 2) = 40 x e^0.72 = 82.18
    assert LESSON.mean == pytest.approx(40 * math.exp(0.72)) == pytest.approx(82.18, abs=0.01)
    # share above 400 uses: z = ln(400 / 40) / 1.2 = 1.919, 1 - Phi(1.919) = 0.0275
    assert LESSON.share_above(400) == pytest.approx(0.0275, abs=1e-4)
    assert LESSON.share_above(LESSON.median) == pytest.approx(0.5)
    assert LESSON.share_above(0) == 1.0 and LESSON.share_above(math.inf) == 0.0
    assert Usage.from_mean(LESSON.mean, 1.2).median == pytest.approx(40)


def test_usage_sample_is_seeded_and_lognormal():
    a, b = LESSON.sample(50_000, seed=3), LESSON.sample(50_000, seed=3)
    assert np.array_equal(a, b) and not np.array_equal(a, LESSON.sample(50_000, seed=4))
    # the logarithm is normal with mean ln(40) and sd 1.2 (Kolmogorov-Smirnov, seeded)
    assert stats.kstest(np.log(a), "norm", args=(math.log(40), 1.2)).pvalue > 0.01


@pytest.mark.parametrize(
    "make, pattern",
    [
        (lambda: Usage(0, 1), "median must be"),
        (lambda: Usage(40, 0), r"sigma must be .*\(0, 5\]"),
        (lambda: Usage(40, 9), "sigma must be"),
        (lambda: Usage(40, float("nan")), "sigma must be"),
        (lambda: LESSON.share_above(-1), "uses must be"),
        (lambda: LESSON.share_between(300, 20), r"high must be .*at or above low \(300\)"),
        (lambda: LESSON.quantile(1), r"share must be a share in \(0, 1\)"),
        (lambda: LESSON.sample(0), "seats must be"),
        (lambda: LESSON.expected_excess(-5), "allowance must be"),
    ],
)
def test_usage_refuses_bad_values(make, pattern):
    with pytest.raises(pricing.validation.AipmError, match=pattern):
        make()


# --- plans -----------------------------------------------------------------------------------------


def test_revenue_per_plan_hand_values():
    uses = np.array([0.0, 10.0, 150.0, 400.0])
    assert Plan("per_seat", 3.0).revenue(uses).tolist() == [3, 3, 3, 3]
    assert Plan("per_use", 0.02).revenue(uses).tolist() == pytest.approx([0, 0.2, 3.0, 8.0])
    assert Plan("per_outcome", 0.04).revenue(uses, success_rate=0.85).tolist() == pytest.approx([0, 0.34, 5.1, 13.6])
    hybrid = Plan("hybrid", 3.0, allowance=100, overage=0.01)
    assert hybrid.revenue(uses).tolist() == pytest.approx([3, 3, 3.5, 6.0])
    assert hybrid.revenue(150.0) == pytest.approx(3.5)
    assert "Hybrid: $3.00 a seat with 100 uses, then $0.01 a use" == hybrid.label


@pytest.mark.parametrize(
    "make, pattern",
    [
        (lambda: Plan("per_month", 3.0), "kind must be one of per_seat, per_use, per_outcome, hybrid"),
        (lambda: Plan("per_seat", 0), "price must be a price in USD above 0"),
        (lambda: Plan("per_seat", 3.0, allowance=100), "allowance and overage belong to a hybrid plan"),
        (lambda: Plan("hybrid", 3.0, allowance=-1), "allowance must be"),
        (lambda: Plan("per_seat", 3.0).revenue([1, -2]), "uses must be"),
        (lambda: Plan("per_outcome", 1.0).revenue(3, success_rate=2), "success_rate must be a share"),
        (lambda: gross_margin(0, 1), "revenue must be an amount in USD above 0"),
        (lambda: plan_economics(Plan("per_seat", 3.0), {"median": 40}, 0.01), "usage must be Usage"),
        (lambda: plan_economics("per_seat", LESSON, 0.01), "plan must be a Plan"),
        (lambda: plan_economics(Plan("per_seat", 3.0), LESSON, -0.01), "cost_per_use must be"),
        (lambda: plan_economics(Plan("per_outcome", 1.0), LESSON, 0.01, success_rate=0), "success_rate must be above 0"),
        (lambda: economics_from_uses(Plan("per_seat", 3.0), [], 0.01), "uses must be a non-empty list"),
        (lambda: compare_plans([], LESSON, 0.01), "plans must be a non-empty list"),
    ],
)
def test_plans_refuse_bad_values(make, pattern):
    with pytest.raises(pricing.validation.AipmError, match=pattern):
        make()


def test_gross_margin_hand_values():
    assert gross_margin(3.0, 0.6) == pytest.approx(0.8)
    assert gross_margin(3.0, 4.5) == pytest.approx(-0.5)  # serving costs more than it earns


# --- a plan's economics: the lesson's numbers by hand, then scipy and a simulation --------------------


def test_per_seat_plan_by_hand():
    e = plan_economics(Plan("per_seat", 3.0), LESSON, RAG_QUERY)
    mean = 40 * math.exp(1.2**2 / 2)
    assert e.cost_per_seat == pytest.approx(mean * RAG_QUERY)  # $0.62
    assert e.gross_margin == pytest.approx(1 - mean * RAG_QUERY / 3.0) == pytest.approx(0.795, abs=1e-3)
    threshold = 3.0 / RAG_QUERY  # 400 questions a month
    assert e.loses_above == pytest.approx(threshold)
    z = math.log(threshold / 40) / 1.2
    assert e.share_losing == pytest.approx(1 - stats.norm.cdf(z), rel=1e-9)
    # the losing seats' share of all cost: Phi(sigma - z)
    assert e.cost_share_losing == pytest.approx(stats.norm.cdf(1.2 - z), rel=1e-9) == pytest.approx(0.236, abs=1e-3)
    assert "gross margin 79.5%" in str(e) and "2.8% of seats above 400 uses a month lose money" in str(e)


PLANS = [
    Plan("per_seat", 3.0),
    Plan("per_use", 0.02),
    Plan("per_use", 0.005),  # below the cost per use: every seat loses money
    Plan("per_outcome", 0.04),
    Plan("hybrid", 3.0, allowance=200, overage=0.01),  # overage above the cost: no seat loses
    Plan("hybrid", 2.0, allowance=400, overage=0.005),  # overage below the cost: heavy seats lose
    Plan("hybrid", 1.0, allowance=50, overage=0.02),  # a small allowance, a high overage: no seat loses
    Plan("hybrid", 1.0, allowance=200, overage=0.02),  # seats between 133 and 240 uses lose money
]


def _by_brute_force(plan, usage, cost, success):
    """The same figures by numerical integration over the lognormal density (scipy), with the
    ranges where a seat loses money found by scanning uses and solving for the edges (not by the
    package's formula)."""
    from scipy.optimize import brentq

    ref = lognorm(usage)
    top = ref.ppf(1 - 1e-14)
    net = lambda u: float(plan.revenue(u, success)) - cost * u  # noqa: E731
    grid = np.geomspace(1e-6, top, 20_001)
    signs = np.array([net(u) < 0 for u in grid])
    edges = [brentq(net, grid[i], grid[i + 1], xtol=1e-12) for i in np.flatnonzero(np.diff(signs))]
    cuts = sorted({0.0, top, *edges, *([plan.allowance] if 0 < plan.allowance < top else [])})
    revenue = share = 0.0
    for a, b in zip(cuts, cuts[1:]):
        revenue += integrate.quad(lambda u: float(plan.revenue(u, success)) * ref.pdf(u), a, b, limit=200)[0]
        if net((a + b) / 2) < 0:
            share += integrate.quad(ref.pdf, a, b, limit=200)[0]
    return revenue, share


@pytest.mark.parametrize("plan", PLANS, ids=lambda p: p.label)
def test_plan_economics_agree_with_numerical_integration(plan):
    e = plan_economics(plan, LESSON, RAG_QUERY, success_rate=0.85)
    revenue, share = _by_brute_force(plan, LESSON, RAG_QUERY, 0.85)
    assert e.revenue_per_seat == pytest.approx(revenue, rel=1e-5)
    assert e.cost_per_seat == pytest.approx(RAG_QUERY * lognorm(LESSON).mean(), rel=1e-9)
    assert e.share_losing == pytest.approx(share, abs=1e-5)


@pytest.mark.parametrize("plan", PLANS, ids=lambda p: p.label)
def test_plan_economics_agree_with_a_seeded_simulation(plan):
    seats = 400_000
    uses = LESSON.sample(seats, seed=20)
    closed = plan_economics(plan, LESSON, RAG_QUERY, success_rate=0.85)
    counted = economics_from_uses(plan, uses, RAG_QUERY, success_rate=0.85)
    # a share of seats: within 4 standard errors of a binomial count
    se = math.sqrt(max(closed.share_losing * (1 - closed.share_losing), 1e-12) / seats)
    assert counted.share_losing == pytest.approx(closed.share_losing, abs=4 * se + 1e-9)
    # means of a heavy-tailed quantity: within 4 standard errors of the sample mean
    se_cost = RAG_QUERY * uses.std() / math.sqrt(seats)
    assert counted.cost_per_seat == pytest.approx(closed.cost_per_seat, abs=4 * se_cost)
    revenue = plan.revenue(uses, 0.85)
    assert counted.revenue_per_seat == pytest.approx(closed.revenue_per_seat, abs=4 * revenue.std() / math.sqrt(seats) + 1e-12)
    assert counted.cost_share_losing == pytest.approx(closed.cost_share_losing, abs=0.01)


def test_what_each_kind_of_plan_does_with_the_heavy_tail():
    cost = RAG_QUERY
    per_use = plan_economics(Plan("per_use", 0.02), LESSON, cost)
    assert per_use.share_losing == 0 and per_use.gross_margin == pytest.approx(1 - cost / 0.02)
    below = plan_economics(Plan("per_use", 0.005), LESSON, cost)
    assert below.share_losing == pytest.approx(1) and below.gross_margin == pytest.approx(1 - cost / 0.005)
    outcome = plan_economics(Plan("per_outcome", 0.04), LESSON, cost, success_rate=0.85)
    assert outcome.gross_margin == pytest.approx(1 - cost / (0.04 * 0.85))  # paid for the 85% done right only
    # a hybrid whose overage covers the cost per use and whose seat price covers the allowance: nobody loses
    safe = plan_economics(Plan("hybrid", 3.0, allowance=200, overage=0.01), LESSON, cost)
    assert safe.share_losing == 0 and safe.losing_uses == ()
    assert safe.revenue_per_seat == pytest.approx(3.0 + 0.01 * lognorm(LESSON).expect(lambda u: max(0.0, u - 200)), rel=1e-6)
    # overage below the cost: every seat above 2.0 / 0.0075 = 267 uses loses, in one range
    leaky = plan_economics(Plan("hybrid", 2.0, allowance=400, overage=0.005), LESSON, cost)
    assert leaky.losing_uses == (pytest.approx((2.0 / cost, math.inf)),)
    assert leaky.share_losing == pytest.approx(LESSON.share_above(2.0 / cost))
    # a seat price below the allowance's cost, overage above the cost: the loss sits in the middle
    middle = plan_economics(Plan("hybrid", 1.0, allowance=200, overage=0.02), LESSON, cost)
    low, high = middle.losing_uses[0]
    assert low == pytest.approx(1.0 / cost)  # 133 uses
    assert high == pytest.approx(200 + (cost * 200 - 1.0) / (0.02 - cost))  # where the overage catches up: 240
    assert middle.loses_above is None
    assert middle.share_losing == pytest.approx(lognorm(LESSON).cdf(high) - lognorm(LESSON).cdf(low), rel=1e-9)


def test_caching_and_a_cheaper_model_first_shrink_the_losing_tail():
    # the lesson's levers on the RAG query: GPT-4.1 mini first, 20% handed to GPT-4.1, the search paid
    # once, then 30% of questions answered from a cache of earlier answers at no cost
    mini = (2_500 * 0.40 + 300 * 1.60) / 1e6
    large = (2_500 * 2.00 + 300 * 8.00) / 1e6
    tiered = 0.0001 + mini + 0.2 * large
    cheaper = 0.7 * tiered
    assert cheaper == pytest.approx(costs.cost_with_cache(costs.cost_with_fallback(mini, large, 0.2, shared=0.0001), 0.3))
    before = plan_economics(Plan("per_seat", 3.0), LESSON, RAG_QUERY)
    after = plan_economics(Plan("per_seat", 3.0), LESSON, cheaper)
    assert after.loses_above == pytest.approx(3.0 / cheaper)
    assert after.loses_above > before.loses_above
    assert after.share_losing == pytest.approx(lognorm(LESSON).sf(3.0 / cheaper), rel=1e-9)
    assert after.share_losing < before.share_losing / 10 and after.gross_margin > before.gross_margin


@settings(max_examples=60, deadline=None)
@given(
    median=st.floats(1, 500), sigma=st.floats(0.1, 2.5), price=st.floats(0.5, 50), cost=st.floats(1e-4, 0.1),
    allowance=st.floats(0, 2_000), overage=st.floats(0, 0.2),
)
def test_property_shares_are_shares_and_a_cheaper_cost_never_hurts(median, sigma, price, cost, allowance, overage):
    usage = Usage(median, sigma)
    for plan in (Plan("per_seat", price), Plan("hybrid", price, allowance=allowance, overage=overage)):
        e = plan_economics(plan, usage, cost)
        assert 0 <= e.share_losing <= 1 and 0 <= e.cost_share_losing <= 1 and e.gross_margin <= 1
        cheaper = plan_economics(plan, usage, cost / 2)
        assert cheaper.share_losing <= e.share_losing + 1e-12 and cheaper.gross_margin >= e.gross_margin - 1e-12


def test_compare_plans_table():
    table = compare_plans([Plan("per_seat", 3.0), Plan("hybrid", 3.0, allowance=200, overage=0.01)], LESSON, RAG_QUERY)
    assert list(table.columns) == ["revenue a seat ($)", "cost to serve a seat ($)", "gross margin", "seats losing money", "their share of the cost"]
    assert table.loc["Per seat: $3.00 a seat a month", "seats losing money"] == pytest.approx(0.0275, abs=1e-4)
    assert table.loc["Per seat: $3.00 a seat a month", "gross margin"] == pytest.approx(0.795, abs=1e-3)


# --- the figures ------------------------------------------------------------------------------------


def test_seat_margin_plot_marks_each_cost_per_use():
    from aipm_course import plots

    fig = plots.seat_margin_plot(LESSON, 3.0, {"RAG on GPT-4.1": RAG_QUERY, "with the levers": 0.0021})
    ax = fig.axes[0]
    assert ax.get_xlabel() == "uses a seat a month (log scale)" and ax.get_ylabel() == "share of seats using more (log scale)"
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("loses money above 400 uses, 2.8% of seats" in t for t in texts)
    assert any(f"loses money above {3.0 / 0.0021:,.0f} uses" in t for t in texts)
    assert ax.get_title() == "Which seats lose money at $3.00 a seat a month?"
    with pytest.raises(ValueError, match="costs_per_use must be"):
        plots.seat_margin_plot(LESSON, 3.0, {})
    with pytest.raises(ValueError, match="usage must be"):
        plots.seat_margin_plot(40, 3.0, {"a": 0.01})
    matplotlib.pyplot.close("all")


def test_break_even_horizon_plot_shows_the_jump_at_the_lessons_horizon():
    from aipm_course import plots

    fig = plots.break_even_horizon_plot(costs.CostInputs())
    ax = fig.axes[0]
    assert ax.get_xlabel() == "horizon (months)" and ax.get_ylabel() == "break-even (queries a day)"
    notes = [t.get_text() for t in ax.texts]
    assert "12 months: 8,186 a day" in notes and any(n.startswith("just after: 11,") for n in notes)
    line = ax.get_lines()[0]
    x, y = line.get_xdata(), line.get_ydata()
    assert y[np.searchsorted(x, 12.0 + 1e-6)] > y[np.searchsorted(x, 12.0 - 1e-6) - 1] + 3_000  # the tooth at month 12
    with pytest.raises(ValueError, match="max_months must be"):
        plots.break_even_horizon_plot(max_months=1)
    matplotlib.pyplot.close("all")
