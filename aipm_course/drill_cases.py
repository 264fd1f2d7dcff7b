"""More interview drills (lesson 06): pricing and gross margin, a sample-ratio mismatch check, and how
long a test must run in whole weeks, with a metric's window.

The builders here use the helpers of ``aipm_course.drills`` and are registered there, after the
older kinds, so every older kind keeps its numbers for a seed. Each builder returns the fields of a
``Drill`` for one draw of numbers, and a ``so_what``: a function of a random stream of its own that
returns the "so what" choice, whose right option depends on the numbers drawn.

- ``pricing_margin`` (lesson 04): the gross margin of a seat price; per use against per seat, or the
  price per use for a target margin; and, with heavy users, the margin over all seats or the seat
  price that keeps a target margin.
- ``srm_check`` (lesson 05): the expected users in the control arm, the χ² statistic or the p-value
  of the users per arm against the planned split (``experiments.sample_ratio_mismatch``); a p-value only
  when it is at least 0.001, the alarm level.
- ``test_length`` (lesson 05): the days a test runs: the days its sample needs, in whole weeks
  (``experiments.full_week_days``); at difficulty 3 the metric has a 7-day window, so the test ends 7 days
  after the last users enter. Its "so what" there is about novelty, which fades with each user's days since
  first exposure, not with the calendar.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

# Filled at the end of this module. They exist before the import below, so that importing this module
# first (which imports ``drills``, which reads them at its end) finds them; the end of this module
# registers the kinds in ``drills`` itself, in the same order, whichever module is imported first.
KINDS: dict[str, tuple[str, Any]] = {}  # kind -> (title, builder); builder(rng, difficulty, scenario) -> a Drill's fields
WHAT: dict[str, tuple[str, str, str]] = {}  # kind -> (what it tests, the lesson that teaches it, the usual slips)

import numpy as np  # noqa: E402

from .checking import Precision, choice, significant, whole  # noqa: E402
from .drills import (  # noqa: E402
    COUNT,
    DRILL_KINDS,
    MONEY,
    SHARE,
    Slip,
    SoWhat,
    _WHAT,
    _as_share,
    _money,
    _pct,
    _per_arm,
    _pick,
    _round_to,
    _share_answer,
    _up,
)
from .experiments import SRM_ALARM, full_week_days, sample_ratio_mismatch  # noqa: E402
from .pricing import Usage, gross_margin  # noqa: E402

__all__ = ["KINDS", "WHAT", "MARGIN_TARGET", "WINDOW_DAYS"]

MARGIN_TARGET = 0.7  # the gross margin finance asks of the add-on in the "so what" steps
STATISTIC = significant(3)  # a χ² statistic
USERS = whole("nearest")  # an expected count of users: a whole number (the drills choose totals that make it one)


_Phrasing = str | tuple[str, ...]  # an option's text: one phrasing, or several of the same idea for the stream to pick from


def _so_what(prompt: str, right: tuple[_Phrasing, str], wrong: Sequence[tuple[_Phrasing, str]]) -> Callable[[np.random.Generator], SoWhat]:
    """The "so what" step: a lettered choice, shuffled by the stream ``_make`` gives it.

    Nothing but the numbers tells the right option. Each idea comes in phrasings of 38 to 60 characters, and the
    stream picks one for every option, right or wrong: the right option is as often the shortest or the longest as
    any other, and an idea that is right in one draw is a wrong option in others, in the same words. No option
    states a comparison the prompt's numbers settle ("its margin clears the target"): every option is an action
    with a reason a candidate could believe."""
    def draw(rng: np.random.Generator) -> SoWhat:
        return SoWhat(prompt, choice(rng, (_phrased(rng, right[0]), right[1]), [(_phrased(rng, text), why) for text, why in wrong]))
    return draw


def _phrased(rng: np.random.Generator, text: _Phrasing) -> str:
    return text if isinstance(text, str) else text[int(rng.integers(len(text)))]


def _scaled(amount: float, factor: float) -> float:
    """An amount of money times a scenario's factor, without floating-point dust (0.01, not 0.010000000000000002)."""
    return round(float(amount) * factor, 9)


def _usd(x: float) -> str:
    """Dollars without floating-point dust ($0.02, not $0.020000000000000004)."""
    return _money(round(x, 6))


def _merged(slips: Sequence[Slip], precision: Precision) -> list[Slip]:
    """The slips, each one that gives the same number as an earlier one folded into it: a learner who lands
    there hears both routes to it, and the draw is not thrown away (``_usable`` rejects two equal slips)."""
    kept: list[Slip] = []
    for slip in slips:
        twin = next((i for i, k in enumerate(kept) if precision.indistinct(k.value, slip.value)), None)
        if twin is None:
            kept.append(slip)
        else:
            kept[twin] = Slip(kept[twin].name, kept[twin].value, f"{kept[twin].feedback} Or, another route to the same number: {slip.feedback}")
    return kept


def _nan(precision: Precision) -> dict[str, Any]:
    """A draw to throw away: ``_make`` draws again."""
    return dict(expected=math.nan, slips=[], precision=precision)


# --------------------------------------------------------------------------------------------
# Pricing and gross margin (lesson 04)
# --------------------------------------------------------------------------------------------

_PRODUCTS = (
    ("A writing assistant in a document editor", "drafts"),
    ("A support copilot for help-desk agents", "suggested replies"),
    ("A meeting summariser in a video-call app", "summaries"),
    ("An AI search bar in a project-management app", "questions"),
)
_MARKUP = "You divided the profit by the cost: that is a markup. Gross margin divides it by the price (the revenue)."
_TARGET_MARKUP = ("You added the margin to the cost (a markup). A margin is a share of the price: price = cost / (1 − margin), "
                  "so that (price − cost) / price is the target.")
_BY_MARGIN = "You divided the cost by the margin. The cost is the share of the price that the margin leaves: price = cost / (1 − margin)."
_MARGIN_HINTS = (
    "Cost to serve a seat = its uses a month × the cost per use (plus any cost the seat carries whatever it uses). "
    "Gross margin = (revenue − cost to serve) / revenue.",
    "`gross_margin(revenue, cost_to_serve)` does the last step; a target margin m needs revenue = cost / (1 − m).",
)
_HEAVY_HINTS = (
    "The cost to serve an average seat follows the mean uses, not the median: weigh each group's uses by its share of seats.",
    "Mean uses = share of heavy seats × their uses + share of the others × theirs; cost = mean × cost per use; "
    "`gross_margin(price, cost)`, or price = cost / (1 − target margin).",
)


def _seat_margin(rng, sc, product: tuple[str, str]) -> dict[str, Any]:
    """Difficulty 1: the gross margin of a seat price, from the uses of an average seat and the cost per use."""
    label, things = product
    price = _scaled(_pick(rng, [10, 12, 15, 20, 25, 30]), sc.cost)
    per_use = _scaled(_pick(rng, [0.002, 0.004, 0.005, 0.008, 0.01, 0.02]), sc.cost)
    uses = int(_round_to(price * float(rng.uniform(0.1, 0.6)) / per_use, 10))
    cost = uses * per_use
    if cost >= price:
        return _nan(SHARE)
    margin = gross_margin(price, cost)
    return dict(
        prompt=(f"{label} is sold at {_usd(price)} a seat a month. An average seat asks for {uses:,} {things} a month, and each "
                f"costs {_usd(per_use)} in model calls. What is the gross margin of the seat price (on model cost)?" + _as_share()),
        expected=margin,
        slips=[
            Slip("markup", (price - cost) / cost, _MARKUP),
            Slip("cost_share", cost / price, "That is the share of the price the cost to serve takes. The margin is what is left of the price."),
            Slip("forgot_uses", (price - per_use) / price, "You took off the cost of one use. A seat costs its uses a month × the cost per use."),
            Slip("profit_in_dollars", price - cost, "That is the profit a seat in dollars. The margin is that profit as a share of the price."),
        ],
        working=(f"Cost to serve a seat: {uses:,} × {_usd(per_use)} = {_usd(cost)} a month. Gross margin = (price − cost to serve) / "
                 f"price = ({_usd(price)} − {_usd(cost)}) / {_usd(price)} = {_share_answer(margin)}."),
        code=f"gross_margin({price!r}, {uses} * {per_use!r})",
        params={"price": price, "cost_per_use": per_use, "uses": uses, "cost_to_serve": cost},
        precision=SHARE,
        fraction=True,
        so_what=_seat_so_what(margin),
    )


_KEEP_SEAT = ("Keep the seat price as it is, and watch usage", "Keep the seat price: buyers value a bill they can plan",
              "Keep the seat price, and watch seat usage each month")
_CUT_USE = ("Cut the cost per use: a cache of answers", "Cut the cost per use first: a cache, a cheaper model",
            "Cut the cost per use: cache answers, a cheaper first model")
_CAP_HEAVY = "Add a usage cap so that heavy seats stop costing so much"


def _seat_so_what(margin: float) -> Callable:
    target, have = _pct(MARGIN_TARGET), _pct(round(margin, 3))
    prompt = f"The seat price keeps a {have} gross margin; finance's target is {target}. What do you do?"
    if margin >= MARGIN_TARGET:
        return _so_what(prompt, (_KEEP_SEAT, f"{have} is at or above the {target} target: buyers keep a bill they can plan, and each "
                                             "seat keeps enough after its model calls."), [
            (_CUT_USE, f"A nice-to-have, not the call now: the margin already reaches the {target} target, and the work is better spent "
                       "on the product."),
            ("Raise the seat price to get ahead of rising usage", f"At today's usage the margin reaches the {target} target: a rise "
             "risks sales to fix a problem you do not have. Watch usage instead."),
            (_CAP_HEAVY, "Nothing here points to a few heavy seats, and the average seat reaches the target: a cap annoys users for nothing."),
        ])
    return _so_what(prompt, (_CUT_USE, "Every seat costs about the same here, so the lever is the cost of a use: a cache of answers and a "
                                       "cheaper first model raise the margin of every seat without touching the price."), [
        (_KEEP_SEAT, f"A bill they can plan matters, but {have} is short of the {target} target: each seat keeps too little after its "
                     "model calls."),
        ("Switch to per-use pricing to protect the margin", "At the same revenue a seat costs the same to serve, so the margin is the same: "
                                                            "how you charge does not change what a use costs."),
        (_CAP_HEAVY, "Nothing here points to a few heavy seats: it is the average seat's margin you computed."),
    ])


def _per_use_case(rng, sc) -> dict[str, float]:
    """Difficulty 2: today's seat price, the cost per use, hosting shared by the seats, and one customer's usage."""
    per_use = _scaled(_pick(rng, [0.004, 0.005, 0.008, 0.01, 0.012, 0.015]), sc.cost)
    seat_hosting = _scaled(_pick(rng, [0.5, 1, 1.5, 2, 3]), sc.cost)
    seats = max(50, int(_round_to(float(_pick(rng, [500, 1_000, 2_000, 4_000])) * sc.volume, 50)))
    return dict(price=_scaled(_pick(rng, [10, 15, 20, 25]), sc.cost), per_use=per_use, seats=seats,
                hosting=round(seat_hosting * seats, 2), uses=int(_pick(rng, [100, 150, 200, 300, 400, 600, 800])),
                use_price=round(per_use * float(_pick(rng, [2, 2.5, 3, 4, 5])), 6), target=float(_pick(rng, [0.6, 0.7, 0.75, 0.8])))


def _per_use_setting(c: dict[str, float], things: str, label: str) -> str:
    return (f"{label} sells at {_usd(c['price'])} a seat a month. Each use costs {_usd(c['per_use'])} in model calls, and hosting (the "
            f"vector store and its pipeline) costs {_usd(c['hosting'])} a month, shared evenly by {c['seats']:,} seats. A large customer's "
            f"seats average {c['uses']:,} {things} a month each.")


def _per_use_margin(c: dict[str, float], things: str, label: str) -> dict[str, Any]:
    """Difficulty 2, one way: the margin on the customer if they pay per use."""
    p, cost, uses, hosting, seats = c["use_price"], c["per_use"], c["uses"], c["hosting"], c["seats"]
    seat_hosting = hosting / seats
    revenue, serve = p * uses, cost * uses + seat_hosting
    if serve >= 0.95 * revenue:
        return _nan(SHARE)
    margin, seat_margin = gross_margin(revenue, serve), (c["price"] - serve) / c["price"]
    if abs(margin - seat_margin) < 0.02:  # the "so what" compares the two: keep them apart
        return _nan(SHARE)
    return dict(
        prompt=(_per_use_setting(c, things, label) + f" They ask to pay per use instead, at {_usd(p)} a use. What gross margin would "
                "you make on one of their seats, per use (counting its share of the hosting)?" + _as_share()),
        expected=margin,
        slips=[
            Slip("forgot_hosting", (p - cost) / p, "You left out the hosting. Each seat carries its share of it: the monthly hosting / the seats."),
            Slip("seat_price_margin", seat_margin,
                 "That is the margin on today's seat price at this usage. The question asks about per use: revenue = price per use × uses."),
            Slip("markup", (revenue - serve) / serve, _MARKUP),
            Slip("all_hosting_on_one_seat", (revenue - cost * uses - hosting) / revenue,
                 "You charged one seat the hosting of every seat. Divide the monthly hosting by the seats first."),
            Slip("forgot_uses", (revenue - cost - seat_hosting) / revenue,
                 "You took off the cost of one use. A seat costs its uses a month × the cost per use, plus its hosting."),
        ],
        working=(f"Revenue a seat: {uses:,} × {_usd(p)} = {_usd(revenue)}. Hosting a seat: {_usd(hosting)} / {seats:,} = "
                 f"{_usd(seat_hosting)}. Cost to serve: {uses:,} × {_usd(cost)} + {_usd(seat_hosting)} = {_usd(serve)}. "
                 f"Gross margin = ({_usd(revenue)} − {_usd(serve)}) / {_usd(revenue)} = {_share_answer(margin)}. On today's seat price "
                 f"the same seat keeps {seat_margin:.1%}."),
        code=f"gross_margin({p!r} * {uses}, {cost!r} * {uses} + {hosting!r} / {seats})",
        params={**c, "seat_hosting": seat_hosting, "seat_margin": seat_margin},
        precision=SHARE,
        fraction=True,
        so_what=_per_use_so_what(margin, seat_margin),
    )


_AGREE = ("Agree to per use: their bill then follows use", "Agree to per use: their bill then follows their use",
          "Agree to per use: each use then pays its cost and margin")
_ON_SEAT = ("Keep them on the seat price they have today", "Keep them on the seat price: a flat bill is simpler",
            "Keep them on the seat price: their bill stays predictable")


def _per_use_so_what(margin: float, seat_margin: float) -> Callable:
    ours, seats = f"{margin:.1%}", f"{seat_margin:.1%}"
    prompt = f"Per use earns {ours} on this customer's seats; today's seat price earns {seats} on them. What do you tell the customer?"
    discount = ("Offer a discount on the seat to keep them happy", "A discount lowers the margin further, and answers a question nobody asked.")
    both = ("Offer both plans, and let them switch each month",
            "They would pick whichever costs them less each month: you would earn the lower of the two margins every time.")
    if margin > seat_margin:
        return _so_what(prompt, (_AGREE, f"Per use earns {ours} on their seats against {seats} on the seat price: a heavy customer on a "
                                         "flat seat pays less than their use is worth; per use makes each use pay its cost and margin."), [
            (_ON_SEAT, f"Simpler, but on their seats the seat price earns {seats} against {ours} per use: their heavy use is what the flat "
                       "bill fails to charge."),
            discount, both,
        ])
    return _so_what(prompt, (_ON_SEAT, f"The seat price earns {seats} on their seats against {ours} per use: at this usage the flat bill "
                                       "covers their uses with more to spare, and their bill stays predictable."), [
        (_AGREE, f"Their bill would follow their use, but per use earns {ours} on their seats against {seats} on the seat price: "
                 "you would give away margin."),
        discount, both,
    ])


def _per_use_price(c: dict[str, float], things: str, label: str) -> dict[str, Any]:
    """Difficulty 2, the other way: the price per use that gives a target margin on the customer."""
    cost, uses, hosting, seats, target = c["per_use"], c["uses"], c["hosting"], c["seats"], c["target"]
    per_use_cost = cost + hosting / seats / uses
    price = per_use_cost / (1 - target)
    today = c["price"] / uses  # what the seat price comes to per use, for this customer
    if abs(today / price - 1) < 0.05:
        return _nan(MONEY)
    return dict(
        prompt=(_per_use_setting(c, things, label) + " They ask to pay per use instead. What price per use gives a "
                f"{_pct(target)} gross margin on one of their seats (counting its share of the hosting), in dollars?"),
        expected=price,
        slips=[
            Slip("markup", per_use_cost * (1 + target), _TARGET_MARKUP),
            Slip("forgot_hosting", cost / (1 - target), "You left out the hosting. Each seat carries its share of it, spread over its uses."),
            Slip("divided_by_margin", per_use_cost / target, _BY_MARGIN),
            Slip("hosting_not_spread_over_uses", (cost + hosting / seats) / (1 - target),
                 "You added a seat's whole month of hosting to a single use. Spread it over the seat's uses: hosting a seat / uses."),
        ],
        working=(f"Hosting a seat: {_usd(hosting)} / {seats:,} = {_usd(hosting / seats)} a month, over {uses:,} uses = "
                 f"${hosting / seats / uses:.5f} a use. Cost per use in all: {_usd(cost)} + ${hosting / seats / uses:.5f} = "
                 f"${per_use_cost:.5f}. A {_pct(target)} margin leaves the cost {_pct(round(1 - target, 4))} of the price: "
                 f"${per_use_cost:.5f} / {1 - target:.2f} = **${MONEY.format(price)}** a use. Check: `gross_margin(price × uses, "
                 f"cost)` gives {gross_margin(price * uses, per_use_cost * uses):.2f}."),
        code=f"({cost!r} * {uses} + {hosting!r} / {seats}) / ({uses} * (1 - {target!r}))",
        params={**c, "cost_per_use_with_hosting": per_use_cost, "seat_price_per_use": today},
        precision=MONEY,
        units="USD a use",
        so_what=_price_so_what(price, today, c["price"], uses, target),
    )


_METER = ("Move them to per use at the target's price", "Move them to per use, or charge beyond an allowance",
          "Move them to per use, or charge for uses beyond an allowance")


def _price_so_what(price: float, today: float, seat: float, uses: int, target: float) -> Callable:
    needs, pays = _usd(round(price, 4)), _usd(round(today, 4))
    prompt = (f"The {_pct(target)} target needs {needs} a use. On today's seat, {_usd(seat)} for {uses:,} uses, they pay {pays} a use. "
              "What do you tell them?")
    discount = "Offer a discount on their seats to win the deal"
    if today >= price:
        return _so_what(prompt, (_ON_SEAT, f"Their seat comes to {pays} a use, at or above the {needs} the target needs: the flat bill "
                                           "already earns the margin."), [
            (_METER, f"No need: the seat comes to {pays} a use, at or above the {needs} the target needs."),
            ("Reprice their seat at the per-use price times their uses", "That cuts their bill to the target exactly, and gives away the "
             "margin above it that they already pay."),
            (discount, "Nobody asked for a discount: the margin above the target is what pays for the months their usage grows."),
        ])
    return _so_what(prompt, (_METER, f"Their seat comes to {pays} a use, short of the {needs} the target needs: their extra use must pay "
                                     "for itself."), [
        (_ON_SEAT, f"Simpler, but it comes to {pays} a use, short of the {needs} the target needs: each extra use costs you margin."),
        (discount, "Their seats already earn less than the target; a discount widens the gap."),
        ("Raise the seat price for every customer to cover them", "Only this customer's heavy use falls short: a rise for all makes "
         "light seats pay for them, and they are the ones who leave."),
    ])


def _heavy_case(rng, sc) -> dict[str, float]:
    """Difficulty 3: skewed usage. The figures come from a lognormal (``pricing.Usage``): the median, the
    mean uses of the heaviest seats and of the others, rounded as a dashboard shows them."""
    median = float(_pick(rng, [20, 30, 40, 60, 80]))
    sigma = float(_pick(rng, [1.0, 1.2, 1.4, 1.6]))
    heavy = float(_pick(rng, [0.05, 0.1, 0.2]))
    usage = Usage(median, sigma)
    edge = usage.quantile(1 - heavy)
    heavy_uses = float(f"{usage.uses_between(edge, math.inf) / heavy:.2g}")
    light_uses = float(round(usage.uses_between(0, edge) / (1 - heavy)))
    return dict(median=median, sigma=sigma, heavy_share=heavy, heavy_uses=heavy_uses, light_uses=light_uses,
                per_use=_scaled(_pick(rng, [0.02, 0.03, 0.04, 0.05]), sc.cost), target=float(_pick(rng, [0.6, 0.7, 0.75, 0.8])),
                case=_pick(rng, ["keep", "tail", "cut"]), where=float(rng.uniform(0.1, 0.9)), market=float(_pick(rng, [0.7, 0.5, 1.3])))


def _heavy_seat_price(c: dict[str, Any]) -> float | None:
    """A seat price in the band where the "so what" has the chosen answer (two significant figures, as a
    price list shows it): over all seats the margin clears the target ("keep"); only the median seat
    clears it ("tail"); neither does, though the price still covers the mean seat ("cut")."""
    keep_above = c["per_use"] * _mean_uses(c) / (1 - MARGIN_TARGET)  # the price at which the mean seat meets the target
    median_above = c["per_use"] * c["median"] / (1 - MARGIN_TARGET)
    low, high = {"keep": (keep_above, 1.8 * keep_above), "tail": (median_above, keep_above),
                 "cut": (c["per_use"] * _mean_uses(c) / 0.9, median_above)}[c["case"]]
    return float(f"{low + c['where'] * (high - low):.2g}") if low < high else None


def _heavy_setting(c: dict[str, float], things: str, label: str, priced: bool) -> str:
    heavy = c["heavy_share"]
    sells = f"sells at {_usd(c['price'])} a seat a month; each" if priced else "is sold per seat; each"
    return (f"{label} {sells} use costs {_usd(c['per_use'])} in model calls. Usage is skewed: the median seat asks for "
            f"{c['median']:g} {things} a month, but the heaviest {_pct(heavy)} of seats average {c['heavy_uses']:,g} and the other "
            f"{_pct(round(1 - heavy, 4))} average {c['light_uses']:,g}.")


def _mean_uses(c: dict[str, float]) -> float:
    return (1 - c["heavy_share"]) * c["light_uses"] + c["heavy_share"] * c["heavy_uses"]


def _mean_working(c: dict[str, float]) -> str:
    heavy, mean = c["heavy_share"], _mean_uses(c)
    return (f"Mean uses a seat: {1 - heavy:g} × {c['light_uses']:,g} + {heavy:g} × {c['heavy_uses']:,g} = {mean:,.1f} a month (not the "
            f"median, {c['median']:g}: the heavy seats pull the mean up). Cost to serve an average seat: {mean:,.1f} × {_usd(c['per_use'])} "
            f"= ${mean * c['per_use']:,.2f}.")


def _heavy_margin(c: dict[str, float], things: str, label: str) -> dict[str, Any]:
    """Difficulty 3, one way: the gross margin over all seats at a seat price."""
    price = _heavy_seat_price(c)
    if price is None:
        return _nan(SHARE)
    c = {**c, "price": price}
    per_use = c["per_use"]
    serve = per_use * _mean_uses(c)
    margin = (price - serve) / price
    median_margin = (price - per_use * c["median"]) / price
    if not 0.05 < margin < 0.95 or abs(margin - MARGIN_TARGET) < 0.01 or abs(median_margin - MARGIN_TARGET) < 0.01:
        return _nan(SHARE)
    both = (c["light_uses"] + c["heavy_uses"]) / 2
    return dict(
        prompt=_heavy_setting(c, things, label, True) + " What is the gross margin over all seats (on model cost)?" + _as_share(),
        expected=margin,
        slips=[
            Slip("median_for_everyone", median_margin,
                 "You priced every seat as the median seat. The cost to serve follows the mean: weigh each group's uses by its share of seats."),
            Slip("unweighted_average", (price - per_use * both) / price,
                 "You averaged the two groups as if they were the same size. Weigh each by its share of seats."),
            Slip("markup", (price - serve) / serve, _MARKUP),
            Slip("heavy_seats_only", (price - per_use * c["heavy_uses"]) / price,
                 "That is the margin on a heavy seat alone. The question asks about all seats together."),
            Slip("forgot_uses", (price - per_use) / price, "You took off the cost of one use. A seat costs its uses a month × the cost per use."),
        ],
        working=(f"{_mean_working(c)} Gross margin = ({_usd(price)} − ${serve:,.2f}) / {_usd(price)} = {_share_answer(margin)}. "
                 f"The median seat alone would show {median_margin:.1%}. (`gross_margin(price, cost_to_serve)`; the lognormal behind these "
                 f"figures is `Usage(median={c['median']:g}, sigma={c['sigma']:g})`.)"),
        code=f"gross_margin({price!r}, {per_use!r} * ({1 - c['heavy_share']!r} * {c['light_uses']!r} + {c['heavy_share']!r} * {c['heavy_uses']!r}))",
        params={**c, "mean_uses": _mean_uses(c), "median_margin": median_margin},
        precision=SHARE,
        fraction=True,
        so_what=_heavy_so_what(margin, median_margin),
    )


_TAIL_FIXES = ("Add a fair-use cap on the heaviest seats",  # two right ideas for a gap in the tail, in three phrasings
               "Add a fair-use cap, with a paid tier for the heavy seats",
               "Send the heavy seats' extra uses to a cheaper model")
_KEEP_ALL = ("Keep the seat price, watch the heavy seats", "Keep the seat price as it is for the moment",
             "Keep the seat price, and watch the heavy seats' usage")
_CUT_ALL = ("Cut the cost per use for all seats first", "Cut the cost per use for all: a cache, a cheaper model",
            "Cut the cost per use for all seats: a cheaper first model")
_PER_USE_ALL = "Price every seat per use to charge the heavy ones"


def _heavy_so_what(margin: float, median_margin: float) -> Callable:
    target, ours, median = _pct(MARGIN_TARGET), f"{margin:.1%}", f"{median_margin:.1%}"
    prompt = (f"Over all seats the margin is {ours}; the median seat alone keeps {median}. Finance's target is {target}. "
              "What do you do?")
    if margin >= MARGIN_TARGET:
        return _so_what(prompt, (_KEEP_ALL, f"The heavy seats cost more, but over all seats the margin, {ours}, still reaches the "
                                            f"{target} target: no change is needed."), [
            (_TAIL_FIXES, f"The whole base reaches the {target} target already: a fix for the tail annoys your keenest users for nothing."),
            ("Raise the seat price to cover the heavy seats", f"They are covered: over all seats the margin reaches the {target} target."),
            (_CUT_ALL, "A nice-to-have, not the call now: over all seats the margin already reaches the target."),
        ])
    if median_margin >= MARGIN_TARGET:
        return _so_what(prompt, (_TAIL_FIXES, f"Typical seats reach the target ({median}); the gap to {ours} over all seats comes from "
                                              "the tail, so make the heavy use pay for itself or cost less, instead of raising the price "
                                              "for everyone."), [
            ("Raise the seat price for every seat to cover the heavy tail", "Typical seats already reach the target: a rise for all "
             "makes the light seats pay for the heavy ones, and they are the ones who leave."),
            ("Keep the seat price: the median seat is fine", f"The median seat reaches it, but over all seats the margin is {ours}: the "
             "heavy seats cost more than the price brings in."),
            (_PER_USE_ALL, "That meters every light seat to reach a few heavy ones: a cap or a tier on the tail does it alone."),
        ])
    return _so_what(prompt, (_CUT_ALL, f"Even the median seat keeps only {median}, short of the target: the problem is the cost of every "
                                       "use, not only the tail."), [
        (_TAIL_FIXES, f"Even the median seat is short of the target ({median}): a fix for the tail leaves the typical seat short."),
        (_KEEP_ALL, f"Waiting changes nothing: at {ours} over all seats and {median} for the median seat, a typical seat is short of the "
                    "target already."),
        (_PER_USE_ALL, f"Metering changes who pays, not what a use costs: even the median seat is short of the target ({median})."),
    ])


def _heavy_price(c: dict[str, float], things: str, label: str) -> dict[str, Any]:
    """Difficulty 3, the other way: the seat price that keeps a target margin over all seats."""
    per_use, target = c["per_use"], c["target"]
    serve = per_use * _mean_uses(c)
    price = serve / (1 - target)
    median_price = per_use * c["median"] / (1 - target)
    anchor = {0.7: median_price * 0.7, 0.5: (median_price + price) / 2, 1.3: price * 1.3}[c["market"]]
    market = float(f"{anchor:.2g}")
    if min(abs(market / price - 1), abs(market / median_price - 1)) < 0.03:
        return _nan(MONEY)
    both = (c["light_uses"] + c["heavy_uses"]) / 2
    return dict(
        prompt=(_heavy_setting(c, things, label, False) + f" What seat price a month gives a {_pct(target)} gross margin over all seats "
                "(on model cost), in dollars?"),
        expected=price,
        slips=[
            Slip("median_for_everyone", median_price,
                 "You priced for the median seat. The cost to serve follows the mean: weigh each group's uses by its share of seats."),
            Slip("markup", serve * (1 + target), _TARGET_MARKUP),
            Slip("divided_by_margin", serve / target, _BY_MARGIN),
            Slip("unweighted_average", per_use * both / (1 - target),
                 "You averaged the two groups as if they were the same size. Weigh each by its share of seats."),
        ],
        working=(f"{_mean_working(c)} A {_pct(target)} margin leaves the cost {_pct(round(1 - target, 4))} of the price: ${serve:,.2f} / "
                 f"{1 - target:.2f} = **${MONEY.format(price)}** a seat a month. Priced for the median seat it would be "
                 f"{_usd(round(median_price, 2))}."),
        code=f"{per_use!r} * ({1 - c['heavy_share']!r} * {c['light_uses']!r} + {c['heavy_share']!r} * {c['heavy_uses']!r}) / (1 - {target!r})",
        params={**c, "mean_uses": _mean_uses(c), "median_price": median_price, "market_price": market},
        precision=MONEY,
        units="USD a seat a month",
        so_what=_market_so_what(price, median_price, market),
    )


_AT_PRICE = ("Set the seat price that the target needs", "Set the seat price the target needs over all seats",
             "Set the seat price the target needs, flat for all seats")
_NEAR_MARKET = ("Price near the market, cap the heavy seats", "Price near the market, with a cap on heavy seats",
                "Price near the market, with a fair-use cap on heavy seats")
_CUT_FIRST = ("Cut the cost per use before setting a price", "Cut the cost per use first, then set the price",
              "Cut the cost per use first: a cache, a cheaper model")


def _market_so_what(price: float, median_price: float, market: float) -> Callable:
    needs, median, going = _usd(round(price, 2)), _usd(round(median_price, 2)), _usd(market)
    prompt = (f"The target needs {needs} a seat over all seats, or {median} if every seat were the median. Similar add-ons sell at "
              f"about {going} a seat. What do you do?")
    median_seat = ("Price for the median seat, the typical buyer", "Priced for the median seat, the heavy seats go unpaid for: over all "
                   "seats the margin falls short of the target.")
    dearer = f"Buyers compare: {needs} is above the {going} similar add-ons sell at."
    if market >= price:
        return _so_what(prompt, (_AT_PRICE, f"{needs} reaches the target over all seats and still sells at or below similar add-ons, "
                                            f"{going}."), [
            (_NEAR_MARKET, "No cap is needed: a flat price that covers every seat already sells at or below the market."),
            (_CUT_FIRST, "Not needed now: the price the target needs already sells at or below the market."),
            median_seat,
        ])
    if market >= median_price:
        return _so_what(prompt, (_NEAR_MARKET, f"A typical seat reaches the target at the market price ({median} needed, {going} paid); "
                                               "the heavy seats are what a flat price cannot cover, so they pay for their extra use."), [
            (_AT_PRICE, f"{dearer} The gap comes only from the heavy seats: charge them, not everyone."),
            ("Price at the market and accept the margin it gives", "At the market price the heavy seats pull the margin under the target; "
             "a cap on them keeps the typical seat at the market price and the margin whole."),
            median_seat,
        ])
    return _so_what(prompt, (_CUT_FIRST, f"At the market price, {going}, even the median seat falls short of the target ({median} needed): "
                                         "no price structure fixes that; the cost of a use must fall."), [
        (_AT_PRICE, dearer),
        (_NEAR_MARKET, "Even the median seat falls short of the target at the market price: a cap on the tail is not enough."),
        median_seat,
    ])


def _pricing_margin(rng, difficulty, sc) -> dict[str, Any]:
    label, things = product = _pick(rng, _PRODUCTS)
    if difficulty == 1:
        fields = _seat_margin(rng, sc, product)
    elif difficulty == 2:
        case = _per_use_case(rng, sc)
        fields = (_per_use_margin if rng.random() < 0.5 else _per_use_price)(case, things, label)
    else:
        case = _heavy_case(rng, sc)
        fields = (_heavy_margin if rng.random() < 0.5 else _heavy_price)(case, things, label)
    return {"title": "Price and margin of an AI feature", "units": "", "hints": _HEAVY_HINTS if difficulty == 3 else _MARGIN_HINTS,
            "seconds": (120, 150, 180)[difficulty - 1], **fields}


# --------------------------------------------------------------------------------------------
# Sample-ratio mismatch (lesson 05)
# --------------------------------------------------------------------------------------------

_ARM_NAMES = ("control", "treatment", "variant B")
_ALARM = f"p < {SRM_ALARM:g}"  # the usual alarm level of the check (lesson 05)
_ALARM_LINE = {1: 10.83, 2: 13.82}  # the χ² above which p < 0.001, by degrees of freedom
_SRM_HINTS = (
    "Test the users per arm, not the metric: what counts would the planned split give, and how far are the observed ones from them?",
    f"Expected = total × planned share; χ² = Σ (observed − expected)² / expected, on (arms − 1) degrees of freedom; the alarm is {_ALARM} "
    f"(χ² above {_ALARM_LINE[1]} with one degree of freedom). `sample_ratio_mismatch(counts, planned)` does it.",
)


def _chi2(counts: Sequence[int], shares: Sequence[float], square: bool = True) -> float:
    total = sum(counts)
    return sum((abs(o - total * s) ** (2 if square else 1)) / (total * s) for o, s in zip(counts, shares))


def _upper(statistic: float, df: int) -> float:
    """P(χ² on ``df`` degrees of freedom > statistic), for the slips: the closed forms for 1, 2 and 3 degrees of
    freedom (erfc(√(x/2)); e^(−x/2); erfc(√(x/2)) + √(2x/π)·e^(−x/2)), quick beside ``scipy.stats.chi2.sf`` for the
    few thousand draws a test makes. Below 1e-300 it is 0: so small a number is 0 to anyone, and the checker's
    rounding needs a normal float (a subnormal one has no place to round to)."""
    x = max(0.0, statistic)
    p = {1: math.erfc(math.sqrt(x / 2)), 2: math.exp(-x / 2), 3: math.erfc(math.sqrt(x / 2)) + math.sqrt(2 * x / math.pi) * math.exp(-x / 2)}[df]
    return p if p > 1e-300 else 0.0


def _z_squared(counts: Sequence[int], converted: Sequence[int]) -> float:
    """The square of the pooled two-proportion z statistic of control against the first treatment: a test of the metric."""
    (n1, n2), (x1, x2) = counts[:2], converted[:2]
    pooled = (x1 + x2) / (n1 + n2)
    return ((x2 / n2 - x1 / n1) ** 2) / (pooled * (1 - pooled) * (1 / n1 + 1 / n2))


def _srm_counts(rng, total: int, shares: Sequence[float]) -> tuple[int, ...]:
    """Users per arm whose χ² against the plan is clearly chance (below 9) or clearly an alarm (13 to 30), half the time each."""
    target = float(rng.uniform(0.5, 9.0) if rng.random() < 0.5 else rng.uniform(13.0, 30.0))
    weights = rng.normal(size=len(shares))
    weights -= weights.mean()
    expected = np.array(shares) * total
    scale = math.sqrt(target / float(np.sum(weights**2 / expected)))
    counts = [int(round(e + scale * w)) for e, w in zip(expected[1:], weights[1:])]
    return (total - sum(counts), *counts)


def _srm_case(rng, difficulty: int, sc) -> dict[str, Any]:
    if difficulty == 1:
        shares: tuple[float, ...] = (0.5, 0.5)
    elif difficulty == 2:
        shares = _pick(rng, [(0.9, 0.1), (0.95, 0.05), (0.8, 0.2)])
    else:
        shares = _pick(rng, [(0.8, 0.1, 0.1), (0.9, 0.05, 0.05), (0.5, 0.25, 0.25)])
    # 20 divides the total, so every expected count is a whole number of users
    total = max(2_000, int(_round_to(float(_pick(rng, [20_000, 50_000, 100_000, 200_000])) * sc.volume * float(rng.uniform(0.8, 1.25)), 20)))
    counts = _srm_counts(rng, total, shares)
    rate = float(_pick(rng, [0.03, 0.05, 0.08, 0.12]))
    lifts = (0.0, float(_pick(rng, [0.03, 0.05, 0.08])), float(_pick(rng, [-0.02, 0.04])))
    converted = tuple(int(round(n * rate * (1 + lift))) for n, lift in zip(counts, lifts))
    # A p-value is asked only when it is at least the alarm level, 0.001: three significant figures of a smaller one
    # (2.22e-05) test the learner's rounding, not the check. Below it, the question asks for χ² or the expected count.
    asks = ["expected", "statistic", "p_value"] if difficulty < 3 else ["statistic", "p_value"]
    if _upper(_chi2(counts, shares), len(shares) - 1) < SRM_ALARM:
        asks.remove("p_value")
    ask = _pick(rng, asks)
    return dict(shares=shares, counts=counts, converted=converted, ask=ask, days=int(_pick(rng, [7, 10, 14])))


def _split_words(shares: Sequence[float]) -> str:
    parts = [f"{_pct(s)} {name}" for s, name in zip(shares, _ARM_NAMES)]
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _srm_prompt(case: dict[str, Any]) -> str:
    arms = "; ".join(f"{name}: {n:,} users, {x:,} converted ({x / n:.2%})" for name, n, x in zip(_ARM_NAMES, case["counts"], case["converted"]))
    story = f"A test planned to split users {_split_words(case['shares'])}. After {case['days']} days: {arms}."
    return story + {
        "expected": " Before you read anything: how many users should the control arm hold, if the split worked as planned?",
        "statistic": " Is the traffic split healthy? Give the χ² statistic of the sample-ratio-mismatch check (χ² goodness of fit of the "
                     "users per arm against the planned split).",
        "p_value": " Is the traffic split healthy? Give the p-value of the sample-ratio-mismatch check (χ² goodness of fit of the users "
                   "per arm against the planned split)." + _as_share("probability"),
    }[case["ask"]]


def _srm_slips(case: dict[str, Any], difficulty: int) -> list[Slip]:
    counts, shares, ask = case["counts"], case["shares"], case["ask"]
    total, arms = sum(counts), len(counts)
    even = (1 / arms,) * arms
    even_words = "50/50" if arms == 2 else "an equal split"
    ignored = Slip("planned_split_ignored", 0.0,
                   f"You expected {even_words}. Test against the split that was planned, {_split_words(shares)}: a small arm is meant to be small.")
    if ask == "expected":
        slips = [Slip("observed_count", counts[0], "That is the count you observed. The expected count is what the planned split gives: total × the control's planned share."),
                 Slip("total_users", total, "That is every user in the test. The control's expected count is its planned share of them."),
                 Slip("gap_from_plan", counts[0] - total * shares[0], "That is how far control is from its expected count (observed − expected), the next step.")]
        if difficulty == 2:
            slips.insert(0, Slip(ignored.name, total / 2, ignored.feedback))
            slips.append(Slip("treatment_expected", total * shares[1], "That is the treatment's expected count. The question asks about the control arm."))
        return slips
    statistic = _chi2(counts, shares)
    metric = _z_squared(counts, case["converted"])
    df = arms - 1
    if ask == "statistic":
        slips = [Slip("forgot_square", _chi2(counts, shares, square=False),
                      "You left out the square: each arm adds (observed − expected)² / expected, so large gaps weigh more."),
                 Slip("one_arm_only", (counts[0] - total * shares[0]) ** 2 / (total * shares[0]),
                      "You added the control arm only. χ² sums (observed − expected)² / expected over every arm."),
                 Slip("tested_the_metric", metric,
                      "That is a test of the metric (conversion in two arms). The split check tests the users per arm against the plan, "
                      "whatever they did."),
                 Slip("no_division", sum((o - total * s) ** 2 for o, s in zip(counts, shares)),
                      "You left out the division: each arm's squared gap is divided by its expected count.")]
    else:
        slips = [Slip("tested_the_metric", _upper(metric, 1),
                      "That is the p-value of a test of the metric (conversion in two arms). The split check tests the users per arm "
                      "against the plan, whatever they did."),
                 Slip("statistic_not_p", statistic, "That is the χ² statistic. Its p-value is the chance of a χ² at least this large: the upper tail."),
                 Slip("lower_tail", 1 - _upper(statistic, df), "That is the lower tail, P(χ² below the statistic). The p-value is the upper tail."),
                 Slip("degrees_of_freedom_arms", _upper(statistic, arms),
                      f"You used {arms} degrees of freedom, one per arm. The counts must add up to the total, so there are arms − 1 = {df}."),
                 Slip("forgot_square", _upper(_chi2(counts, shares, square=False), df),
                      "You left out the square: each arm adds (observed − expected)² / expected, so large gaps weigh more.")]
        if difficulty == 3:
            slips.append(Slip("one_degree_of_freedom", _upper(statistic, 1),
                              f"You used one degree of freedom, as for two arms. With {arms} arms there are {df}."))
    if difficulty >= 2:
        wrong = _chi2(counts, even)
        slips.insert(0, Slip(ignored.name, wrong if ask == "statistic" else _upper(wrong, df), ignored.feedback))
    return _with_zero(slips) if ask == "p_value" else slips


_NEVER_ZERO = "A p-value is never exactly 0: it is the chance of a χ² at least as large as this one."


def _with_zero(slips: list[Slip]) -> list[Slip]:
    """A p-value question's slips, with a word for the answer 0. A slip whose p-value cannot be told from 0 at
    three significant figures (a χ² far out in the tail, such as the one against an equal split) becomes 0, so the
    checker matches the answer 0 to it as it matches the tiny number itself, and says so before its own step: a
    learner who wrote 0 hears why their route gives 0. When no slip gives 0, a slip of its own answers it."""
    if not any(SHARE.indistinct(s.value, 0.0) for s in slips):
        return [*slips, Slip("zero", 0.0, f"{_NEVER_ZERO} Work out its upper tail, then give it to three significant figures.")]
    tiny = f"{_NEVER_ZERO} Yours is 0 to three significant figures, the p of a χ² far out in the tail. The usual route to it: "
    return [Slip(s.name, 0.0, tiny + s.feedback) if SHARE.indistinct(s.value, 0.0) else s for s in slips]


def _srm_working(case: dict[str, Any], result) -> str:
    counts, shares, ask = case["counts"], case["shares"], case["ask"]
    total = sum(counts)
    expected = " and ".join(f"{total:,} × {s:g} = {e:,.0f}" for s, e in zip(shares, result.expected))
    terms = " + ".join(f"({o:,} − {e:,.0f})² / {e:,.0f}" for o, e in zip(counts, result.expected))
    bold = {"expected": f"**{USERS.format(result.expected[0])}**", "statistic": f"**{STATISTIC.format(result.statistic)}**",
            "p_value": _share_answer(result.p_value)}[ask]
    if ask == "expected":
        return (f"Expected users per arm = total × planned share: {expected}. The control arm should hold {bold} users; it holds "
                f"{counts[0]:,}. (The χ² check then gives p = {result.p_value:.3g}.)")
    df = result.degrees_of_freedom
    line = _ALARM_LINE[df]
    statistic = bold if ask == "statistic" else f"{result.statistic:.3f}"
    text = (f"Expected: {expected}. χ² = Σ (observed − expected)² / expected = {terms} = {statistic}, on {len(counts)} − 1 = {df} "
            f"degree{'s' if df > 1 else ''} of freedom. ")
    if ask == "p_value":
        text += f"p = P(χ²{'₁' if df == 1 else '₂'} > {result.statistic:.3f}) = {bold}. "
    verdict = "an alarm: the split is broken" if result.mismatch else "no alarm: the gap is chance"
    return text + f"The alarm is {_ALARM} (χ² above {line} with {df} degree{'s' if df > 1 else ''} of freedom): {verdict}."


_DO_NOT_READ = ("Do not read the metric: find the cause first", "Do not read the metric: find the cause, fix it, re-run",
                "Do not read the metric: find why an arm lost users, then re-run")
_READ = ("Read the metric once, at the planned end", "Read the metric just once, on the last day of the test",
         "Read the metric as planned: once, on the last day of the test")
_REWEIGHT = "Reweight the arms to the planned split, then read the metric"


def _srm_so_what(case: dict[str, Any], result, difficulty: int) -> Callable:
    lift = case["converted"][1] / case["counts"][1] / (case["converted"][0] / case["counts"][0]) - 1
    p = f"{result.p_value:.2g}"
    prompt = (f"The treatment's conversion rate is {abs(lift):.1%} {'higher' if lift >= 0 else 'lower'} than control's (relative). The "
              f"sample-ratio check gives {'p = ' + p if result.p_value >= 1e-4 else 'p < 0.0001'} (the alarm is {_ALARM}). What do you do?")
    if result.mismatch:
        return _so_what(prompt, (_DO_NOT_READ, "A split this far off is not chance: bots, a redirect, a crash in one arm or assignment at "
                                               "the wrong time made the arms hold different users, so the metric compares unlike groups."), [
            (_READ, "With a mismatch the arms hold different kinds of users: the difference may come from who went missing, not from "
                    "the change."),
            (_REWEIGHT, "Reweighting fixes the counts, not who is missing: the users an arm lost are not a random share, so the bias stays."),
            ("Keep it running: the split evens out as users arrive", "A broken assignment does not heal with time: the χ² grows "
             "with the sample, and the bias stays."),
        ])
    if difficulty == 1:
        third = ("Stop the test: the arms are not exactly as planned", "Arms are never exactly the planned split; the check asks "
                 "whether the gap is more than chance, and it is not.")
    else:
        even = "50/50" if len(case["counts"]) == 2 else "an equal split"
        uneven = "the split is far from 50/50" if len(case["counts"]) == 2 else "the arms are far from equal"
        third = (f"Alarm: {uneven}, so stop it", f"The check is against the planned split, {_split_words(case['shares'])}, not {even}: "
                 "against that plan the gap is chance.")
    return _so_what(prompt, (_READ, f"p = {p}, and the alarm is {_ALARM}: a gap this size is chance, so the arms are comparable, and the "
                                    "metric can be read once, at the planned end."), [
        (_DO_NOT_READ, f"There is no cause to find: p = {p}, and the alarm is {_ALARM}, so a gap this size is chance."),
        (_REWEIGHT, "There is nothing to correct: the split is within chance. (After a real mismatch, reweighting would not remove the bias.)"),
        third,
    ])


def _srm_check(rng, difficulty, sc) -> dict[str, Any]:
    case = _srm_case(rng, difficulty, sc)
    counts, shares, ask = case["counts"], case["shares"], case["ask"]
    result = sample_ratio_mismatch(list(counts), planned=shares)
    expected = {"expected": round(result.expected[0]), "statistic": result.statistic, "p_value": result.p_value}[ask]
    attribute = {"expected": "expected[0]", "statistic": "statistic", "p_value": "p_value"}[ask]
    return dict(
        title="Is the traffic split healthy",
        prompt=_srm_prompt(case),
        expected=expected,
        units={"expected": "users", "statistic": "", "p_value": ""}[ask],
        slips=_srm_slips(case, difficulty),
        hints=_SRM_HINTS,
        working=_srm_working(case, result),
        code=f"sample_ratio_mismatch({list(counts)}, planned={shares}).{attribute}",
        params={**case, "statistic": result.statistic, "p_value": result.p_value, "mismatch": result.mismatch},
        seconds=120 if difficulty == 1 else 150,
        precision={"expected": USERS, "statistic": STATISTIC, "p_value": SHARE}[ask],
        fraction=ask == "p_value",
        so_what=_srm_so_what(case, result, difficulty),
    )


# --------------------------------------------------------------------------------------------
# Test length: whole weeks, and the days a metric's window adds (lesson 05)
# --------------------------------------------------------------------------------------------

WINDOW_DAYS = 7  # the window of the metric at difficulty 3: whether a user comes back within 7 days of entering
_WEEKS = ("Weekday and weekend users behave differently, so a test runs in whole weeks, at least one: round the days up to a multiple "
          "of 7, or every weekday does not count the same.")
_ENTRY_WEEKS = ("Weekday and weekend users behave differently, so users enter for whole weeks, at least one: round the days the sample "
                "takes to enter up to a multiple of 7, then add the last users' 7 days.")
_NEAREST_WEEK = "You rounded to the nearest week. A test needs its whole sample: round the days up to the next whole week."
_SHORTCUT = ("That is the rule of thumb n ≈ 16·p(1 − p)/δ² per arm (p the baseline rate, δ the change): good for a first estimate "
             "aloud, but here it lands on another number of weeks. This drill asks for the exact sample size: "
             "`sample_size_per_arm(p_baseline, p_treatment)`.")


_BASELINES = (0.04, 0.05, 0.06, 0.08, 0.10, 0.12, 0.15, 0.20, 0.25, 0.30)
# Difficulties 1 and 2: a metric known on the visit itself, so the last user's result is in the day they enter.
_METRICS = ("finish sign-up in their first session", "accept a suggested reply", "click a result on the first page of search",
            "rate the answer as helpful", "start a free trial from the pricing page")
# Difficulty 3: a metric with a 7-day window, known only once a user's 7 days are over.
_WINDOW_METRICS = ("come back within 7 days of their first visit", "use the assistant again within 7 days of their first visit",
                   "invite a teammate within 7 days of their first visit", "save a second document within 7 days of their first visit")


def _length_case(rng, difficulty: int, sc) -> dict[str, Any] | None:
    """First the whole weeks the sample takes, 1 to 5, each as likely; then a baseline, a change (and, at
    difficulty 2, the test's share of traffic) among those that can take that many weeks at 500 to 20,000
    users a day (a scenario may shrink the traffic but not grow it); then the users a day, spread evenly
    on a log scale over the traffic that gives that many weeks, at three significant figures."""
    weeks = int(rng.integers(1, 6))
    scale = min(sc.volume, 1.0)
    bottom, top = 10**2.7 * scale, 10**4.3 * scale
    shortest = max(1.5, 7.0 * (weeks - 1))  # the sample's days lie in (shortest, 7 × weeks]
    fits = []
    for p1 in _BASELINES:
        for lift in (0.01, 0.02, 0.03) if p1 < 0.2 else (0.02, 0.03):
            for share in (0.1, 0.2, 0.25, 0.5) if difficulty == 2 else (1.0,):
                user_days = 2 * _per_arm(p1, round(p1 + lift, 4)) / share  # users a day × days the sample takes
                low, high = max(bottom, user_days / (7 * weeks)), min(top, user_days / shortest)
                if high > 1.05 * low:
                    fits.append((p1, lift, share, low, high))
    if not fits:
        return None
    p1, lift, share, low, high = fits[int(rng.integers(len(fits)))]
    users = max(50, int(float(f"{math.exp(rng.uniform(math.log(low), math.log(high))):.3g}")))
    p2 = round(p1 + lift, 4)
    n = _per_arm(p1, p2)
    days = 2 * n / (users * share)
    if not shortest < days <= 7 * weeks:  # the rounding of the users a day moved it out
        return None
    return dict(p1=p1, p2=p2, users=users, share=share, n=n, days=days, rough=math.ceil(16 * p1 * (1 - p1) / lift**2 - 1e-9),
                metric=_pick(rng, _WINDOW_METRICS if difficulty == 3 else _METRICS))


def _length_prompt(c: dict[str, Any], difficulty: int) -> str:
    new = "new " if difficulty == 3 else ""
    base = (f"Today {_pct(c['p1'])} of {new}users {c['metric']}. You want to detect a rise to {_pct(c['p2'])} with a two-sided test at "
            "α = 0.05 and power 0.8, split 50/50.")
    if difficulty == 2:
        return (base + f" The product has {c['users']:,} users a day, and the test gets {_pct(c['share'])} of them. Weekday and weekend "
                "users behave differently. How many days must the test run?")
    if difficulty == 1:
        return (base + f" {c['users']:,} users a day enter the test. Weekday and weekend users behave differently. How many days must "
                "the test run?")
    return (base + f" {c['users']:,} new users a day enter the test, on their first visit. Weekday and weekend users behave differently, "
            f"so users enter for whole weeks, at least one, until the sample is in. A user's result is known {WINDOW_DAYS} days after the "
            "day they enter. How many days from the first user's entry until the last user's result is in?")


def _length_slips(c: dict[str, Any], difficulty: int) -> list[Slip]:
    days, users, n = c["days"], c["users"], c["n"]
    window = WINDOW_DAYS if difficulty == 3 else 0
    slips = [
        Slip("sample_days_only", window + _up(days), _ENTRY_WEEKS if window else _WEEKS),
        Slip("one_arm_only", window + full_week_days(days / 2),
             "You counted one arm. Both arms need that many users, so the sample needs twice as many."),
        Slip("nearest_week", window + 7 * max(1, round(days / 7)), _NEAREST_WEEK),
        Slip("users_not_days", 2 * n, "That is how many users the test needs in all, not days. Divide by the users who enter the test each day."),
        Slip("per_arm_users", n, "That is the users each arm needs, not days. Both arms' users / the users who enter the test each day."),
    ]
    if difficulty == 2:
        slips.insert(1, Slip("all_users_in_the_test", full_week_days(2 * n / users),
                             "You counted every user. Only the test's share of them enters it each day."))
    if difficulty == 3:
        slips.insert(0, Slip("forgot_the_window", full_week_days(days),
                             f"That is the day the last users enter. Their result is known only once their {WINDOW_DAYS} days are over: "
                             "the test ends when they are measured."))
        slips.append(Slip("no_weeks_no_window", _up(days), "That is the days the sample takes to enter, and nothing more: users enter "
                          f"for whole weeks, and the last of them need their {WINDOW_DAYS} days."))
        slips.append(Slip("entry_day_in_the_window", full_week_days(days) + WINDOW_DAYS - 1,
                          f"You counted the day of entry as the first of the {WINDOW_DAYS}. A result is known {WINDOW_DAYS} days after the "
                          f"day a user enters: count {WINDOW_DAYS} days on from the last day of entry."))
    slips.append(Slip("rule_of_thumb", window + full_week_days(2 * c["rough"] / (users * c["share"])), _SHORTCUT))
    return slips


_KEEP_RUNNING = ("Keep it running until the test's planned end", "Keep it running, then read it at its planned end",
                 "Keep it running: read it once, on the full sample, at the end")
_RETHINK = ("Rethink it: a bigger change, more traffic", "Rethink it: test a bigger change, or find more traffic",
            "Rethink it: test a bigger change or a more sensitive metric")
_WAIT = ("Wait until the last users have been measured", "Wait for the last users' results, then read it once",
         "Wait until the last users are measured, then read the test once")


def _horizon(rng: np.random.Generator, answer: int, weeks_short: int) -> int:
    """The most days the roadmap gives the test, drawn so that the test fits in about half the draws: on the day or
    with a week to spare, or up to ``weeks_short`` weeks short (never under a week)."""
    most = min(weeks_short, answer // 7 - 1)
    if most >= 1 and rng.random() < 0.5:
        return answer - 7 * int(rng.integers(1, most + 1))
    return answer + 7 * int(rng.integers(0, 2))


def _length_so_what(answer: int) -> Callable:
    """Difficulties 1 and 2: a significant peek on day 4, and the roadmap's horizon."""
    return lambda rng: _peek_so_what(answer, _horizon(rng, answer, 2))(rng)


def _peek_so_what(answer: int, horizon: int) -> Callable:
    prompt = (f"On day 4 the dashboard shows the lift as significant (p = 0.03), and a sales lead asks to stop and ship. The test needs "
              f"{answer} days; the roadmap gives it at most {horizon}. What do you do?")
    ship = ("Ship now: the dashboard already shows a significant lift", "Day 4 is a peek: read every day, a test crosses p < 0.05 by chance "
            "far more often than 5%, and four days miss part of the week.")
    week = ("Stop at day 7: a full week covers the weekly cycle", f"A week is the minimum, not the sample: the test needs {answer} days to "
            "reach its power.")
    if answer == 7:
        week = ("Run a second week too, to be on the safe side", "The test needs 7 days: a second week adds nothing its plan asks for, "
                "and delays the decision a week.")
    if answer <= horizon:
        return _so_what(prompt, (_KEEP_RUNNING, f"Day 4 is a peek over part of a week: the test needs {answer} days and has {horizon}, so "
                                                "let it reach its sample and read it at the planned end."), [
            ship, week,
            (_RETHINK, f"No need: the test needs {answer} days and the roadmap gives {horizon}. Let it reach its sample."),
        ])
    return _so_what(prompt, (_RETHINK, f"The test needs {answer} days and the roadmap gives {horizon}: at this traffic it is underpowered "
                                       "in the time you have. Test a bigger change or a more sensitive metric, or find more traffic."), [
        ship, week,
        (_KEEP_RUNNING, f"Its planned end, day {answer}, is after the roadmap's {horizon}: cut short, the test is underpowered, so a "
                        "miss would not mean no effect, and a hit would overstate the lift."),
    ])


_PER_USER = ("Novelty is per user, not per calendar week: {who} just as new to it in their first days. To see it, compare the lift by "
             "days since each user first saw the feature, and watch whether it settles.")


def _calendar_novelty(enrol: int) -> tuple[str, str]:
    """The tempting wrong idea that a calendar week removes novelty: drop the first week's users or, when the users
    enter for one week only, start again a week later."""
    if enrol > 7:
        return ("Drop the first week's users: they saw it while it was new",
                _PER_USER.format(who="users who enter in week two are"))
    return ("Restart the entry a week later, once the novelty fades", _PER_USER.format(who="users who enter a week later are"))


def _window_so_what(answer: int) -> Callable:
    """Difficulty 3: the entry is over but the last users are not measured yet, and a worry about novelty. A roadmap
    too short ends on the last day of entry, so the story holds on the day it is told."""
    return lambda rng: _measured_so_what(answer, _horizon(rng, answer, 1))(rng)


def _measured_so_what(answer: int, horizon: int) -> Callable:
    enrol = answer - WINDOW_DAYS
    prompt = (f"The last users enter on day {enrol}, and the users measured so far show a lift. The test needs {answer} days; the roadmap "
              f"gives it at most {horizon}. A colleague suspects novelty: users try anything new. What do you do?")
    if answer <= horizon:
        return _so_what(prompt, (_WAIT, f"A user counts once their {WINDOW_DAYS} days are over, so the sample is in on day {answer}: read "
                                        "it once then. Novelty is per user, by days since first exposure: follow the first users into "
                                        "their later weeks and watch whether the lift settles."), [
            _calendar_novelty(enrol),
            ("Read it now: every user the sample needs has entered", f"Entered is not measured: the users of the last {WINDOW_DAYS} days "
             f"have not had their {WINDOW_DAYS} days yet, so the sample is not in until day {answer}."),
            (_RETHINK, f"No need: the last results come in on day {answer}, and the roadmap gives {horizon}."),
        ])
    return _so_what(prompt, (_RETHINK, f"The last users' results come in on day {answer}, after the roadmap's {horizon}: as planned the "
                                       "test cannot be read in time. Test a bigger change or a more sensitive metric, or find more "
                                       "traffic."), [
        _calendar_novelty(enrol),
        (_WAIT, f"Their results come in on day {answer}, after the roadmap's {horizon}: waiting for them overruns the time you have."),
        ("Count the last users before their 7 days are over", "A user counted early has had fewer days to come back: the rate mixes "
         "windows and drops, and the test no longer measures the metric it was sized for."),
    ])


def _length_working(c: dict[str, Any], difficulty: int, answer: int) -> str:
    in_test = c["users"] * c["share"]
    share = f" × {_pct(c['share'])} = {in_test:,.0f}" if difficulty == 2 else ""
    text = (f"Users per arm: `sample_size_per_arm({c['p1']}, {c['p2']})` = {c['n']:,}; both arms {2 * c['n']:,}. Users a day in the test: "
            f"{c['users']:,}{share}. Days for the sample: {2 * c['n']:,} / {in_test:,.0f} = {c['days']:.2f}. ")
    weeks = full_week_days(c["days"])
    if difficulty == 3:
        text += (f"Users enter for whole weeks: `full_week_days({c['days']:.2f})` = {weeks}, so the last users enter on day {weeks}. "
                 f"Their results are in {WINDOW_DAYS} days later: {weeks} + {WINDOW_DAYS} = **{answer} days**, itself whole weeks, so "
                 "the read gives every weekday the same weight.")
    else:
        text += f"In whole weeks, at least one: `full_week_days({c['days']:.2f})` = **{answer} days**."
    rough = c["rough"]
    return text + f" (The rule of thumb 16·p(1 − p)/δ² gives {rough:,} per arm instead of {c['n']:,}.)"


def _test_length(rng, difficulty, sc) -> dict[str, Any]:
    c = _length_case(rng, difficulty, sc)
    if c is None:
        return _nan(COUNT)
    window = WINDOW_DAYS if difficulty == 3 else 0
    answer = full_week_days(c["days"]) + window
    users = f"{c['users']} * {c['share']!r}" if difficulty == 2 else f"{c['users']}"
    return dict(
        title="Test length in whole weeks",
        prompt=_length_prompt(c, difficulty),
        expected=answer,
        units="days",
        slips=_merged(_length_slips(c, difficulty), COUNT),
        hints=(
            "First the users the test needs (both arms), then the days they take to arrive; then the calendar: whole weeks"
            + (f" of entry, then the {WINDOW_DAYS} days the last users need before their result is known." if window else "."),
            "`sample_size_per_arm(p_baseline, p_treatment)` gives users per arm (the rule of thumb is 16·p(1 − p)/δ²); "
            "`full_week_days(days)` rounds days up to whole weeks, at least one.",
        ),
        working=_length_working(c, difficulty, answer),
        code=f"full_week_days(2 * sample_size_per_arm({c['p1']}, {c['p2']}) / ({users})){f' + {window}' if window else ''}",
        params={k: c[k] for k in ("p1", "p2", "users", "share", "n", "days", "rough")} | {"window_days": window},
        seconds=(120, 150, 180)[difficulty - 1],
        precision=COUNT,
        so_what=(_window_so_what if window else _length_so_what)(answer),
    )


# --------------------------------------------------------------------------------------------
# Registration: after the ten kinds of ``drills``, in this order
# --------------------------------------------------------------------------------------------

KINDS.update({
    "pricing_margin": ("Price and margin of an AI feature", _pricing_margin),
    "srm_check": ("Is the traffic split healthy", _srm_check),
    "test_length": ("Test length in whole weeks", _test_length),
})
WHAT.update({
    "pricing_margin": ("The gross margin of an AI feature's price, per seat or per use, when a few users use it a lot", "04",
                       "dividing by the cost (a markup), or pricing for the median user"),
    "srm_check": ("Whether the users per arm match the planned split (a χ² check) before anyone reads the metric", "05",
                  "expecting 50/50 for an unequal split, or testing the metric instead of the counts"),
    "test_length": ("How many days a test runs: its sample, in whole weeks, and the days a metric's window adds before the last users "
                    "are measured", "05", "stopping when the sample is in, mid-week, or before the last users' window is over"),
})
DRILL_KINDS.update(KINDS)  # a no-op when ``drills`` imported this module; needed when this module was imported first
_WHAT.update(WHAT)
