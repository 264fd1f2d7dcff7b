"""Lesson 04 costs: every figure checked against hand-worked arithmetic, FACTS.md or an independent solver."""

import csv
import dataclasses
import datetime as dt
import math
import re
from importlib import resources

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq

from aipm_course import costs as c

# The CostInputs defaults, written out so that the hand arithmetic below reads from them.
DEFAULTS = dict(
    queries_per_day=5_000, months=12,
    prompt_tokens=500, examples_tokens=1_000, retrieved_tokens=2_000, output_tokens=300,
    large_in=2.00, large_out=8.00, small_in=0.30, small_out=1.20,
    prompt_setup=3_000, prompt_monthly=300, prompt_weeks=1, prompt_success=0.30,
    rag_setup=10_000, rag_monthly=1_200, rag_per_query_extra=0.0001, rag_weeks=3, rag_success=0.85,
    ft_setup=15_000, ft_monthly=500, ft_retrain_every=3, ft_retrain_cost=8_000, ft_weeks=6, ft_success=0.75,
    value_per_week=0.0, combo_weeks=7, combo_success=0.90,
)

PRICE_HEADER = "model,provider,kind,input_per_million,output_per_million,training_per_million,as_of,source,note"
GOOD_ROW = "GPT-X,OpenAI,chat,2.00,8.00,,2026-06,a price page,"


# --- cost per query -----------------------------------------------------------------------------


def test_cost_per_query_reproduces_the_facts_worked_example():
    # RAG on a $2 / $8 model: (500 + 2,000) x 2 / 1e6 + 300 x 8 / 1e6 = 0.005 + 0.0024
    assert c.cost_per_query(500 + 2_000, 300, 2.00, 8.00) == pytest.approx(0.0074, rel=1e-12)
    # fine-tuned small model, no retrieval: 500 x 0.30 / 1e6 + 300 x 1.20 / 1e6 = 0.00015 + 0.00036
    small = c.cost_per_query(500, 300, 0.30, 1.20)
    assert small == pytest.approx(0.00051, rel=1e-12)
    assert round(small, 4) == 0.0005  # "about $0.0005"


@pytest.mark.parametrize(
    "tokens_in, tokens_out, p_in, p_out, extra, expected",
    [
        (0, 0, 2.0, 8.0, 0.0, 0.0),
        (1_000_000, 0, 2.5, 10.0, 0.0, 2.5),  # a million input tokens cost the input price
        (0, 1_000_000, 2.5, 10.0, 0.0, 10.0),  # and a million output tokens the output price
        (2_500, 300, 2.0, 8.0, 0.0001, 0.0075),  # RAG with embedding + search
        (1_500, 300, 2.0, 8.0, 0.0, 0.0054),  # prompt-only with worked examples
        (1_000, 1_000, 0.0, 0.0, 0.002, 0.002),  # free model, only the extra
        (10_000, 2_000, 3.0, 15.0, 0.0, 0.06),  # 0.03 + 0.03
    ],
)
def test_cost_per_query_hand_values(tokens_in, tokens_out, p_in, p_out, extra, expected):
    assert c.cost_per_query(tokens_in, tokens_out, p_in, p_out, extra) == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_extra_per_query_is_added_once():
    base = 500 * 2.0 / 1e6 + 300 * 8.0 / 1e6
    assert c.cost_per_query(500, 300, 2.0, 8.0, extra_per_query=0.01) == pytest.approx(base + 0.01)


def test_price_row_cost_per_query_uses_its_own_prices():
    gpt = c.Price("M", "P", "chat", 2.0, 8.0, None, "2026-06", "here")
    assert gpt.cost_per_query(2_500, 300) == pytest.approx(0.0074)
    emb = c.Price("E", "P", "embedding", 0.02, None, None, "2026-06", "here")
    assert emb.cost_per_query(1_000_000, 500) == pytest.approx(0.02)  # no output price: output is free


# --- errors name the argument and the bad value ---------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, pattern",
    [
        (dict(input_tokens=-1), r"input_tokens.*-1"),
        (dict(output_tokens=-300), r"output_tokens.*-300"),
        (dict(price_in_per_million=-2.0), r"price_in_per_million.*-2\.0"),
        (dict(price_out_per_million=-8), r"price_out_per_million.*-8"),
        (dict(extra_per_query=-0.001), r"extra_per_query.*-0\.001"),
        (dict(input_tokens=float("nan")), r"input_tokens.*nan"),
        (dict(price_out_per_million=float("inf")), r"price_out_per_million.*inf"),
        (dict(output_tokens=True), r"output_tokens.*True"),
        (dict(input_tokens="500"), r"input_tokens.*'500'"),
        (dict(price_in_per_million=None), r"price_in_per_million.*None"),
    ],
)
def test_cost_per_query_rejects_bad_values(kwargs, pattern):
    args = dict(input_tokens=500, output_tokens=300, price_in_per_million=2.0, price_out_per_million=8.0)
    args.update(kwargs)
    with pytest.raises(ValueError, match=pattern):
        c.cost_per_query(**args)


@pytest.mark.parametrize(
    "queries, pattern",
    [
        (-5, r"queries.*-5"),
        (-0.5, r"queries.*-0\.5"),
        ([10, -2, 30], r"queries.*-2\.0"),
        (np.array([0.0, 1e6, -3.0]), r"queries.*-3\.0"),
        (float("nan"), r"queries.*nan"),
        ([1.0, float("nan")], r"queries.*nan"),
        (True, r"queries.*True"),
        ("1000", r"queries.*'1000'"),
    ],
)
def test_total_cost_rejects_bad_volumes(queries, pattern):
    p = c.Pattern("X", setup=100, per_query=0.01)
    with pytest.raises(ValueError, match=pattern):
        p.total_cost(queries)


def test_total_cost_names_the_argument_for_a_list_holding_a_string():
    p = c.Pattern("X", setup=100, per_query=0.01)
    with pytest.raises(ValueError, match=r"queries.*'a'"):
        p.total_cost([10, "a"])


def test_total_cost_per_day_rejects_negative_daily_volume():
    with pytest.raises(ValueError, match=r"queries_per_day.*-1"):
        c.Pattern("X").total_cost_per_day(-1)


@pytest.mark.parametrize(
    "kwargs, pattern",
    [
        (dict(setup=-1), r"setup.*-1"),
        (dict(per_query=-0.01), r"per_query.*-0\.01"),
        (dict(monthly={"hosting": -50}), r"monthly\['hosting'\].*-50"),
        (dict(retrain_cost=float("nan")), r"retrain_cost.*nan"),
        (dict(retrain_every_months=0), r"retrain_every_months.*0"),
        (dict(weeks_to_ship="six"), r"weeks_to_ship.*'six'"),
        (dict(setup=False), r"setup.*False"),
    ],
)
def test_pattern_rejects_bad_values(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        c.Pattern("X", **kwargs)


@pytest.mark.parametrize("rate", [0, 0.0, 1.5, -0.1, float("nan"), True])
def test_success_rate_must_be_in_zero_one(rate):
    with pytest.raises(ValueError, match=r"success_rate.*\(0, 1\]"):
        c.Pattern("X", success_rate=rate)
    with pytest.raises(ValueError, match=r"success_rate"):
        c.cost_per_successful_task(100.0, 10, rate)


@pytest.mark.parametrize("field", ["prompt_success", "rag_success", "ft_success"])
@pytest.mark.parametrize("rate", [0, 1.5, -0.1])
def test_cost_inputs_success_rates_must_be_in_zero_one(field, rate):
    with pytest.raises(ValueError, match=rf"{field}.*{re.escape(repr(rate))}"):
        c.CostInputs(**{field: rate})


def test_success_rate_of_exactly_one_is_allowed():
    assert c.Pattern("X", success_rate=1).success_rate == 1.0
    assert c.cost_per_successful_task(50.0, 10, 1) == pytest.approx(5.0)


@pytest.mark.parametrize("tasks", [0, 0.0, -10])
def test_cost_per_successful_task_needs_some_tasks(tasks):
    with pytest.raises(ValueError, match=rf"tasks.*{re.escape(repr(tasks))}"):
        c.cost_per_successful_task(100.0, tasks, 0.5)


def test_cost_per_successful_task_hand_values():
    assert c.cost_per_successful_task(1_000, 200, 0.5) == pytest.approx(10.0)  # 1000 / (200 x 0.5)
    assert c.cost_per_successful_task(37_900, 1_800_000, 0.85) == pytest.approx(37_900 / 1_530_000)
    # a pattern: 10 a day for 12 months = 3,600 queries; total 1000 + 3600 x 0.01 = 1036; success 0.8
    p = c.Pattern("X", setup=1_000, per_query=0.01, success_rate=0.8)
    assert p.cost_per_successful_task(10, months=12) == pytest.approx(1_036 / (3_600 * 0.8))


def test_levers_hand_values_and_errors():
    # cache: 0.3 x 0.001 + 0.7 x 0.01
    assert c.cost_with_cache(0.01, 0.3, 0.001) == pytest.approx(0.0073)
    assert c.cost_with_cache(0.01, 0.0) == pytest.approx(0.01)
    assert c.cost_with_cache(0.01, 1.0) == 0.0
    # fallback: every query pays 0.001, a fifth also pays 0.0074
    assert c.cost_with_fallback(0.001, 0.0074, 0.2) == pytest.approx(0.00248)
    # delay: 3 weeks x $2,000
    assert c.cost_of_delay(3, 2_000) == pytest.approx(6_000)
    with pytest.raises(ValueError, match=r"hit_rate.*1\.2"):
        c.cost_with_cache(0.01, 1.2)
    with pytest.raises(ValueError, match=r"escalation_rate.*-0\.1"):
        c.cost_with_fallback(0.001, 0.01, -0.1)
    with pytest.raises(ValueError, match=r"value_per_week.*-5"):
        c.cost_of_delay(2, -5)


# --- break-even --------------------------------------------------------------------------------


def line_total(fixed, per_query, monthly, months, volume):
    return fixed + months * monthly + per_query * volume


BREAK_EVEN_CASES = [
    # fixed_a, per_query_a, fixed_b, per_query_b, monthly_a, monthly_b, months
    (24_400, 0.0075, 45_000, 0.00051, 0, 0, 12),  # RAG vs fine-tuned with the defaults folded into fixed
    (5_000, 0.01, 20_000, 0.002, 100, 800, 6),  # monthly costs: gap (20000 + 4800) - (5000 + 600) = 19,200
    (50_000, 0.001, 1_000, 0.02, 0, 0, 12),  # A has the higher fixed cost, B costs more per query
    (0, 0.005, 0, 0.001, 0, 300, 24),  # only monthly differs: gap 7,200
    (1_000, 0.001, 1_000, 0.002, 100, 50, 12),  # equal setup; A's monthly makes A the higher one
    (10_000, 0.0074, 30_000, 0.00051, 300, 500, 12),  # B: more setup and monthly, far less per query
]
HAND_VOLUMES = {
    0: 20_600 / 0.00699,
    1: 19_200 / 0.008,
    2: 49_000 / 0.019,
    3: 7_200 / 0.004,
    4: 600 / 0.001,
}


@pytest.mark.parametrize("case_index", range(len(BREAK_EVEN_CASES)))
def test_break_even_volume_solves_the_two_cost_lines(case_index):
    fa, va, fb, vb, ha, hb, m = BREAK_EVEN_CASES[case_index]
    result = c.break_even_volume(fa, va, fb, vb, ha, hb, m, names=("A", "B"))
    # independent 1: the 2x2 linear system  C - v_a Q = F_a + M h_a,  C - v_b Q = F_b + M h_b
    volume, cost = np.linalg.solve(np.array([[-va, 1.0], [-vb, 1.0]]), np.array([fa + m * ha, fb + m * hb]))
    # independent 2: the root of the difference of the lines
    root = brentq(lambda q: line_total(fa, va, ha, m, q) - line_total(fb, vb, hb, m, q), 0, 1e12, xtol=1e-9, rtol=1e-14)
    assert not result.never
    assert result.volume == pytest.approx(volume, rel=1e-9)
    assert result.volume == pytest.approx(root, rel=1e-9)
    if case_index in HAND_VOLUMES:
        assert result.volume == pytest.approx(HAND_VOLUMES[case_index], rel=1e-12)
    # the two options cost the same at the returned volume
    total_a = line_total(fa, va, ha, m, result.volume)
    total_b = line_total(fb, vb, hb, m, result.volume)
    assert total_a == pytest.approx(total_b, rel=1e-6)
    assert total_a == pytest.approx(cost, rel=1e-6)
    # the named sides are right: cheaper below at half the volume, cheaper above at twice it
    totals = lambda q: {"A": line_total(fa, va, ha, m, q), "B": line_total(fb, vb, hb, m, q)}  # noqa: E731
    below, above = totals(result.volume / 2), totals(result.volume * 2)
    other = {"A": "B", "B": "A"}
    assert below[result.cheaper_below] < below[other[result.cheaper_below]]
    assert above[result.cheaper_above] < above[other[result.cheaper_above]]
    assert result.cheaper_below != result.cheaper_above
    # per day: volume / (months x 30)
    assert result.per_day == pytest.approx(volume / (m * 30), rel=1e-9)
    assert result.months == m


def test_break_even_per_day_hand_value():
    # RAG vs fine-tuned at the defaults: (45000 - 24400) / (0.0075 - 0.00051) / 360 = 8,186.3 a day
    result = c.break_even_volume(24_400, 0.0075, 45_000, 0.00051, names=("RAG", "Fine-tuned"))
    assert result.per_day == pytest.approx(20_600 / 0.00699 / 360, rel=1e-12)
    assert result.per_day == pytest.approx(8_186.3, abs=0.05)
    assert (result.cheaper_below, result.cheaper_above) == ("RAG", "Fine-tuned")


@pytest.mark.parametrize(
    "fa, va, fb, vb, winner",
    [
        (10_000, 0.001, 20_000, 0.002, "RAG"),  # fine-tuned: more fixed and more per query
        (30_000, 0.003, 20_000, 0.002, "Fine-tuned"),  # RAG: more fixed and more per query
        (10_000, 0.002, 20_000, 0.002, "RAG"),  # same per query, fine-tuned costs more up front
        (20_000, 0.002, 10_000, 0.002, "Fine-tuned"),  # same per query, RAG costs more up front
    ],
)
def test_break_even_never_when_the_dearer_option_saves_nothing_per_query(fa, va, fb, vb, winner):
    result = c.break_even_volume(fa, va, fb, vb, names=("RAG", "Fine-tuned"))
    assert result.never is True
    assert result.volume is None
    assert result.per_day is None
    assert "Never" in result.reason
    assert f"{winner} is cheaper at every volume" in result.reason
    assert result.cheaper_below == result.cheaper_above == winner
    for q in (0, 1e3, 1e6, 1e9):  # and it really is
        costs = {"RAG": fa + va * q, "Fine-tuned": fb + vb * q}
        assert costs[winner] <= min(costs.values())


def test_break_even_never_when_the_monthly_cost_makes_one_dearer_everywhere():
    # same setup and per-query cost, but B's monthly is higher
    result = c.break_even_volume(1_000, 0.002, 1_000, 0.002, monthly_a=100, monthly_b=200, names=("RAG", "Fine-tuned"))
    assert result.never and "RAG is cheaper at every volume" in result.reason


def test_break_even_identical_options_never_cross():
    result = c.break_even_volume(5_000, 0.003, 5_000, 0.003, monthly_a=100, monthly_b=100, names=("RAG", "Fine-tuned"))
    assert result.never and result.volume is None
    assert "Never" in result.reason and "RAG" in result.reason and "Fine-tuned" in result.reason


def test_break_even_with_equal_fixed_costs_is_at_zero():
    result = c.break_even_volume(5_000, 0.003, 5_000, 0.001, names=("RAG", "Fine-tuned"))
    assert result.volume == 0.0
    assert result.cheaper_above == "Fine-tuned"


def test_break_even_rejects_bad_arguments():
    with pytest.raises(ValueError, match=r"fixed_b.*-1"):
        c.break_even_volume(0, 0.01, -1, 0.001)
    with pytest.raises(ValueError, match=r"months.*0"):
        c.break_even_volume(0, 0.01, 100, 0.001, months=0)


def test_break_even_between_patterns_includes_retraining():
    rag = c.Pattern("RAG", setup=10_000, monthly={"x": 1_200}, per_query=0.0075)
    ft = c.Pattern("Fine-tuned", setup=15_000, monthly={"y": 500}, per_query=0.00051, retrain_every_months=3, retrain_cost=8_000)
    result = c.break_even_between(rag, ft)
    # fixed: RAG 10000 + 12 x 1200 = 24,400; FT 15000 + 12 x 500 + 3 x 8000 = 45,000
    assert result.volume == pytest.approx(20_600 / 0.00699, rel=1e-12)
    assert (result.cheaper_below, result.cheaper_above) == ("RAG", "Fine-tuned")


# --- property tests ---------------------------------------------------------------------------------

money = st.floats(0, 1e6, allow_nan=False, allow_infinity=False)
per_query_cost = st.floats(0, 1.0, allow_nan=False, allow_infinity=False)


@st.composite
def patterns(draw):
    monthly = draw(st.dictionaries(st.sampled_from(["hosting", "evaluation", "store"]), money, max_size=3))
    every = draw(st.one_of(st.none(), st.floats(0.25, 36)))
    return c.Pattern(
        "P", setup=draw(money), monthly=monthly, per_query=draw(per_query_cost),
        retrain_every_months=every, retrain_cost=draw(money),
    )


@settings(max_examples=80, deadline=None)
@given(patterns(), st.lists(st.floats(0, 1e10, allow_nan=False), min_size=1, max_size=20), st.floats(0, 60))
def test_total_cost_never_falls_as_volume_rises(pattern, volumes, months):
    ordered = np.sort(np.array(volumes))
    totals = pattern.total_cost(ordered, months)
    assert np.all(np.diff(totals) >= 0)
    assert totals[0] >= pattern.fixed_cost(months)
    scalars = [pattern.total_cost(float(q), months) for q in ordered]
    assert np.array_equal(np.array(scalars), totals)
    assert all(a <= b for a, b in zip(scalars, scalars[1:]))


@settings(max_examples=60, deadline=None)
@given(patterns(), st.floats(0, 1e6, allow_nan=False), st.floats(0, 60))
def test_total_cost_per_day_is_total_cost_of_the_horizon(pattern, per_day, months):
    expected = pattern.fixed_cost(months) + per_day * months * 30 * pattern.per_query
    assert pattern.total_cost_per_day(per_day, months) == pytest.approx(expected, rel=1e-12, abs=1e-9)
    assert pattern.total_cost_per_day(per_day, months) == pytest.approx(pattern.total_cost(per_day * months * 30, months), rel=1e-12, abs=1e-9)


@settings(max_examples=150, deadline=None)
@given(
    st.integers(0, 100_000), st.integers(0, 50_000),
    st.integers(0, 100_000), st.integers(0, 50_000),
    st.integers(0, 5_000), st.integers(0, 5_000), st.integers(1, 36),
)
def test_break_even_property(fa, va_micro, fb, vb_micro, ha, hb, months):
    va, vb = va_micro / 1e6, vb_micro / 1e6  # per-query costs in whole micro-dollars
    result = c.break_even_volume(fa, va, fb, vb, ha, hb, months, names=("A", "B"))

    def costs(q):
        return {"A": fa + months * ha + va * q, "B": fb + months * hb + vb * q}

    if result.never:
        if result.cheaper_below is not None:  # one option is cheaper (or as cheap) everywhere
            for q in (0, 1e3, 1e6, 1e9, 1e12):
                total = costs(q)
                assert total[result.cheaper_below] <= min(total.values()) * (1 + 1e-12)
        return
    q = result.volume
    at = costs(q)
    assert at["A"] == pytest.approx(at["B"], rel=1e-6)
    other = {"A": "B", "B": "A"}
    above = costs(q * 1.01 + 1)
    assert above[result.cheaper_above] < above[other[result.cheaper_above]]
    if q > 0:
        below = costs(q * 0.99)
        assert below[result.cheaper_below] < below[other[result.cheaper_below]]


@settings(max_examples=150, deadline=None)
@given(per_query_cost, st.floats(0, 1), per_query_cost)
def test_cost_with_cache_is_between_hit_and_miss(per_query, hit_rate, on_hit):
    result = c.cost_with_cache(per_query, hit_rate, on_hit)
    tol = 1e-12 * max(per_query, on_hit, 1e-300)
    assert min(per_query, on_hit) - tol <= result <= max(per_query, on_hit) + tol


@settings(max_examples=150, deadline=None)
@given(per_query_cost, per_query_cost, st.floats(0, 1))
def test_cost_with_fallback_is_at_least_the_first_tier(first, second, rate):
    result = c.cost_with_fallback(first, second, rate)
    assert result >= first
    assert result <= first + second


# --- retraining and fixed cost ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "every, months, expected",
    [
        (3, 12, 3),  # at 3, 6, 9 (12 is the end)
        (12, 12, 0),
        (6, 13, 2),  # at 6, 12
        (None, 12, 0),
        (5, 12, 2),  # at 5, 10
        (1, 12, 11),
        (3, 0, 0),
        (0.5, 2, 3),  # at 0.5, 1, 1.5
        (24, 12, 0),
    ],
)
def test_retrains_in_a_horizon(every, months, expected):
    assert c.Pattern("X", retrain_every_months=every).retrains(months) == expected


def test_fixed_cost_hand_values():
    p = c.Pattern("X", setup=1_000, monthly={"a": 100, "b": 50}, per_query=0.002, retrain_every_months=4, retrain_cost=500)
    assert p.monthly_total == 150
    assert p.fixed_cost(12) == pytest.approx(1_000 + 12 * 150 + 2 * 500)  # 3,800
    assert p.total_cost(10_000, 12) == pytest.approx(3_800 + 20)
    ft = c.Pattern("FT", setup=15_000, monthly={"eval": 500}, retrain_every_months=3, retrain_cost=8_000)
    assert ft.fixed_cost(12) == pytest.approx(15_000 + 6_000 + 24_000)
    assert ft.fixed_cost(13) == pytest.approx(15_000 + 6_500 + 4 * 8_000)  # retrains at 3, 6, 9, 12
    assert c.Pattern("Y", setup=7).fixed_cost(0) == 7


# --- the lesson's three patterns ---------------------------------------------------------------------


def test_cost_inputs_defaults_are_the_ones_written_here():
    assert dataclasses.asdict(c.CostInputs()) == DEFAULTS


def test_patterns_for_defaults_hand_computed():
    d = DEFAULTS
    prompt_pq = (d["prompt_tokens"] + d["examples_tokens"]) * d["large_in"] / 1e6 + d["output_tokens"] * d["large_out"] / 1e6
    rag_pq = (d["prompt_tokens"] + d["retrieved_tokens"]) * d["large_in"] / 1e6 + d["output_tokens"] * d["large_out"] / 1e6 + d["rag_per_query_extra"]
    ft_pq = d["prompt_tokens"] * d["small_in"] / 1e6 + d["output_tokens"] * d["small_out"] / 1e6
    assert (prompt_pq, rag_pq, ft_pq) == pytest.approx((0.0054, 0.0075, 0.00051), rel=1e-12)

    pats = c.patterns_for()
    assert set(pats) == {"prompt_only", "rag", "fine_tuned"}
    assert pats["prompt_only"].per_query == pytest.approx(0.0054, rel=1e-12)
    assert pats["rag"].per_query == pytest.approx(0.0075, rel=1e-12)
    assert pats["fine_tuned"].per_query == pytest.approx(0.00051, rel=1e-12)
    assert pats["fine_tuned"].retrains(12) == 3
    assert pats["rag"].success_rate == 0.85 and pats["fine_tuned"].weeks_to_ship == 6


def test_compare_defaults_hand_computed():
    queries = 5_000 * 12 * 30  # 1,800,000
    totals = {
        "prompt_only": 3_000 + 12 * 300 + queries * 0.0054,  # 16,320
        "rag": 10_000 + 12 * 1_200 + queries * 0.0075,  # 37,900
        "fine_tuned": 15_000 + 12 * 500 + 3 * 8_000 + queries * 0.00051,  # 45,918
    }
    assert totals == pytest.approx({"prompt_only": 16_320, "rag": 37_900, "fine_tuned": 45_918})
    result = c.compare()
    assert result.totals == pytest.approx(totals, rel=1e-12)
    per_success = {
        "prompt_only": 16_320 / (queries * 0.30),
        "rag": 37_900 / (queries * 0.85),
        "fine_tuned": 45_918 / (queries * 0.75),
    }
    assert result.per_success == pytest.approx(per_success, rel=1e-12)
    assert result.cheapest == "prompt_only"  # cheapest in money
    assert result.cheapest_per_success == "rag"  # but prompt-only succeeds only 30% of the time
    assert result.delay == {"prompt_only": 0.0, "rag": 0.0, "fine_tuned": 0.0}


def test_compare_cost_of_delay():
    result = c.compare(c.CostInputs(value_per_week=2_000))
    assert result.delay == pytest.approx({"prompt_only": 2_000, "rag": 6_000, "fine_tuned": 12_000})


def test_compare_rejects_something_other_than_cost_inputs():
    with pytest.raises(ValueError, match="CostInputs"):
        c.compare({"queries_per_day": 100})


def test_fine_tuning_pays_mainly_when_it_lets_a_smaller_model_do_the_job():
    def rag_ft_per_day(small_in, small_out):
        # RAG fixed 10000 + 12 x 1200; fine-tuned 15000 + 12 x 500 + 3 retrains x 8000
        ft_pq = 500 * small_in / 1e6 + 300 * small_out / 1e6
        return (45_000 - 24_400) / (0.0075 - ft_pq) / 360

    expected_default = rag_ft_per_day(0.30, 1.20)  # 8,186 a day
    expected_big = rag_ft_per_day(4.0, 16.0)  # 81,746 a day: fine-tuned costs 0.0068 a query
    assert expected_big / expected_default == pytest.approx(0.00699 / 0.0007, rel=1e-12)

    def actual(inputs):
        pats = c.patterns_for(inputs)
        return c.break_even_between(pats["rag"], pats["fine_tuned"], inputs.months).per_day

    default = actual(c.CostInputs())
    big = actual(c.CostInputs(small_in=4.0, small_out=16.0))
    assert default == pytest.approx(expected_default, rel=1e-9)
    assert big == pytest.approx(expected_big, rel=1e-9)
    assert 9 < big / default < 11


# --- the dated price table ---------------------------------------------------------------------


def read_price_rows():
    text = resources.files("aipm_course").joinpath("data", "prices.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def parse_as_of(value):
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return dt.datetime.strptime(value, "%Y-%m-%d").date()
    if re.fullmatch(r"\d{4}-\d{2}", value):
        return dt.datetime.strptime(value, "%Y-%m").date()
    if re.fullmatch(r"\d{4}", value):  # the source gives a year only (FACTS.md: "Anthropic pricing, 2026")
        return dt.date(int(value), 1, 1)
    raise AssertionError(f"as_of {value!r} is not YYYY, YYYY-MM or YYYY-MM-DD")


def test_price_file_rows_are_dated_and_sourced():
    rows = read_price_rows()
    assert len(rows) >= 10
    for row in rows:
        as_of = (row["as_of"] or "").strip()
        assert as_of, row
        assert parse_as_of(as_of) <= dt.date(2026, 12, 31), row
        assert (row["source"] or "").strip(), row
        assert re.fullmatch(r"https://[a-z0-9.-]+\.[a-z]{2,}/\S*", row["url"]), row  # every row: its source's address
        assert row["kind"] in ("chat", "embedding", "fine_tuned"), row
        float(row["input_per_million"])
        if row["kind"] in ("chat", "fine_tuned"):
            assert row["output_per_million"].strip(), row
            assert float(row["output_per_million"]) >= 0
    # and load_prices agrees with the raw file
    loaded = c.load_prices()
    assert list(loaded) == [r["model"] for r in rows]
    for row in rows:
        assert loaded[row["model"]].as_of == row["as_of"]
        assert loaded[row["model"]].input_per_million == float(row["input_per_million"])


# FACTS.md "Dated price defaults"
FACTS_PRICES = {
    "GPT-4.1": (2.00, 8.00), "GPT-4.1 mini": (0.40, 1.60), "GPT-4.1 nano": (0.10, 0.40),
    "GPT-4o mini": (0.15, 0.60), "GPT-5": (1.25, 10.00), "GPT-5 mini": (0.25, 2.00),
    "Claude Sonnet 4.x": (3, 15), "Claude Haiku 4.5": (1, 5), "Claude Opus 4.6": (5, 25),
    "Gemini 2.5 Pro": (1.25, 10), "Gemini 2.5 Flash": (0.30, 2.50), "Gemini 2.5 Flash-Lite": (0.10, 0.40),
    "text-embedding-3-small": (0.02, None), "text-embedding-3-large": (0.13, None),
}


def test_price_file_matches_facts():
    rows = {r["model"]: r for r in read_price_rows()}
    for model, (p_in, p_out) in FACTS_PRICES.items():
        assert float(rows[model]["input_per_million"]) == p_in, model
        if p_out is None:
            assert rows[model]["output_per_million"].strip() == ""
        else:
            assert float(rows[model]["output_per_million"]) == p_out, model
    prices = c.load_prices()
    assert (prices["GPT-4.1"].input_per_million, prices["GPT-4.1"].output_per_million) == (2.00, 8.00)
    assert prices["text-embedding-3-small"].input_per_million == 0.02
    assert prices["text-embedding-3-small"].output_per_million is None
    # fine-tuned small model: about 2x the base price, about $3 per 1M training tokens, an assumption
    ft = prices["GPT-4o mini fine-tuned"]
    assert (ft.input_per_million, ft.output_per_million) == (2 * 0.15, 2 * 0.60)
    assert ft.training_per_million == 3.0
    assert "assumption" in ft.source.lower()
    # CostInputs' defaults are the table's GPT-4.1 and fine-tuned GPT-4o mini
    d = c.CostInputs()
    assert (d.large_in, d.large_out) == (prices["GPT-4.1"].input_per_million, prices["GPT-4.1"].output_per_million)
    assert (d.small_in, d.small_out) == (ft.input_per_million, ft.output_per_million)


def write(tmp_path, text, name="prices.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_load_prices_reads_a_good_file(tmp_path):
    path = write(tmp_path, f"{PRICE_HEADER}\n{GOOD_ROW}\nEmb,OpenAI,embedding,0.02,,,2026-06-30,page,\n")
    prices = c.load_prices(path)
    assert prices["GPT-X"].output_per_million == 8.0
    assert prices["GPT-X"].training_per_million is None
    assert prices["Emb"].as_of == "2026-06-30"


@pytest.mark.parametrize(
    "text, pattern",
    [
        (PRICE_HEADER.replace(",source", "") + "\nGPT-X,OpenAI,chat,2,8,,2026-06,\n", r"missing the column\(s\) source"),
        (f"{PRICE_HEADER}\nGPT-X,OpenAI,chat,$2.50,8.00,,2026-06,page,\n", r"line 2, column input_per_million: '\$2\.50'"),
        (f"{PRICE_HEADER}\n{GOOD_ROW}\nGPT-Y,OpenAI,chat,2.00,-8.00,,2026-06,page,\n", r"line 3: output_per_million.*-8\.0"),
        (f"{PRICE_HEADER}\nGPT-X,OpenAI,chat,2.00,8.00,,June 2026,page,\n", r"line 2: as_of.*'June 2026'"),
        (f"{PRICE_HEADER}\nGPT-X,OpenAI,chat,2.00,8.00,,2026-13,page,\n", r"line 2: as_of.*'2026-13'"),
        (f"{PRICE_HEADER}\n{GOOD_ROW}\n{GOOD_ROW}\n", r"line 3: the model 'GPT-X' appears twice"),
        (f"{PRICE_HEADER}\nGPT-X,OpenAI,chat,2.00,8.00,,2026-06,,\n", r"line 2: source"),
        (f"{PRICE_HEADER}\nGPT-X,OpenAI,chat,,8.00,,2026-06,page,\n", r"line 2, column input_per_million"),
        (f"{PRICE_HEADER}\nGPT-X,OpenAI,chat,2.00,,,2026-06,page,\n", r"line 2: output_per_million"),
        (f"{PRICE_HEADER}\nGPT-X,OpenAI,llm,2.00,8.00,,2026-06,page,\n", r"line 2: kind.*'llm'"),
        (f"{PRICE_HEADER}\nGPT-X,OpenAI,chat,nan,8.00,,2026-06,page,\n", r"line 2: input_per_million.*nan"),
        (f"{PRICE_HEADER}\n", r"no price rows"),
        ("", r"missing the column"),
    ],
)
def test_load_prices_malformed_files(tmp_path, text, pattern):
    path = write(tmp_path, text)
    with pytest.raises(c.PriceFileError, match=re.escape(str(path)) + ".*" + pattern):
        c.load_prices(path)


def test_load_prices_missing_file(tmp_path):
    path = tmp_path / "nowhere" / "prices.csv"
    with pytest.raises(c.PriceFileError, match=re.escape(str(path))):
        c.load_prices(path)
    assert issubclass(c.PriceFileError, ValueError)


def test_load_prices_not_utf8(tmp_path):
    path = tmp_path / "prices.csv"
    path.write_bytes((f"{PRICE_HEADER}\nGPT-\xe9,OpenAI,chat,2,8,,2026-06,page,\n").encode("latin-1"))
    with pytest.raises(c.PriceFileError, match=re.escape(str(path)) + ".*UTF-8"):
        c.load_prices(path)


def test_load_prices_accepts_a_utf8_file_with_a_byte_order_mark(tmp_path):
    path = tmp_path / "prices.csv"
    path.write_text(f"{PRICE_HEADER}\n{GOOD_ROW}\n", encoding="utf-8-sig")
    assert c.load_prices(path)["GPT-X"].input_per_million == 2.0


def test_get_price_exact_case_insensitive_and_suggestions():
    prices = c.load_prices()
    assert c.get_price("GPT-4.1").output_per_million == 8.00
    assert c.get_price("GPT-4.1", prices) is prices["GPT-4.1"]
    assert c.get_price("gpt-4.1 MINI", prices).model == "GPT-4.1 mini"
    assert c.get_price("TEXT-EMBEDDING-3-SMALL").input_per_million == 0.02
    with pytest.raises(ValueError, match=r"'GPT-4\.2' is not in the price table\. Did you mean .*'GPT-4\.1'"):
        c.get_price("GPT-4.2", prices)
    with pytest.raises(ValueError, match="is not in the price table") as info:
        c.get_price("zzzzzzzz", prices)
    assert "Did you mean" not in str(info.value)


def test_price_with_override_marks_the_source():
    price = c.load_prices()["GPT-4.1"]
    cheaper = price.with_(input_per_million=1.5)
    assert cheaper.input_per_million == 1.5
    assert cheaper.output_per_million == 8.0
    assert cheaper.as_of == price.as_of == "2026-06"
    assert "override" in cheaper.source and price.as_of in cheaper.source
    assert price.input_per_million == 2.0  # the original is unchanged
    assert price.with_(input_per_million=1.5, source="our contract").source == "our contract"
    assert price.with_(note="hi").source == price.source  # not a price change
    with pytest.raises(ValueError, match="unknown price field 'colour'"):
        price.with_(colour="blue")
    with pytest.raises(ValueError, match=r"input_per_million.*-1"):
        price.with_(input_per_million=-1)


def test_price_table_dataframe_shows_date_and_source():
    table = c.price_table()
    assert table.loc["GPT-4.1", "as_of"] == "2026-06"
    assert table.loc["GPT-4.1", "input_per_million"] == 2.0
    assert table["source"].str.len().min() > 0


# --- ops dashboard ----------------------------------------------------------------------------------


def test_ops_dashboard_corrects_the_source_dashboard():
    board = c.ops_dashboard(12_450, 0.019)
    assert board.daily == pytest.approx(236.55, abs=1e-9)  # 12,450 x 0.019
    assert board.monthly == pytest.approx(7_096.50, abs=1e-8)  # x 30 days
    assert abs(board.daily - 234) > 2  # the seed's $234 a day is wrong
    implied = 234 / 12_450
    assert implied == pytest.approx(0.0188, abs=5e-5)
    assert c.ops_dashboard(12_450, implied).daily == pytest.approx(234)
    assert "$236.55 a day" in str(board) and "$7,096.50 a month" in str(board)
    assert c.ops_dashboard(1_000, 0.01, days_per_month=31).monthly == pytest.approx(310)
    with pytest.raises(ValueError, match=r"queries_per_day.*-1"):
        c.ops_dashboard(-1, 0.01)
    with pytest.raises(ValueError, match=r"days_per_month.*0"):
        c.ops_dashboard(100, 0.01, days_per_month=0)


# --- sensitivity -----------------------------------------------------------------------------------


def independent_margin(inputs):
    result = c.compare(inputs)
    return (result.totals["fine_tuned"] - result.totals["rag"]) + (result.delay["fine_tuned"] - result.delay["rag"])


def test_sensitivity_rows_sorted_and_flips_are_real():
    base = c.CostInputs()
    base_margin = independent_margin(base)
    assert base_margin == pytest.approx(45_918 - 37_900)  # RAG is cheaper by 8,018
    rows = c.sensitivity(base, a="rag", b="fine_tuned")
    swings = [r.swing for r in rows]
    assert swings == sorted(swings, reverse=True)
    assert all(r.swing > 0 for r in rows)
    flipped = [r for r in rows if r.flip_value is not None]
    assert {"queries_per_day", "ft_retrain_cost", "ft_setup", "rag_setup"} <= {r.name for r in flipped}
    for row in rows:
        assert row.base == getattr(base, row.name)
        assert row.low_value == pytest.approx(row.base * 0.5) and row.high_value == pytest.approx(row.base * 1.5)
        assert row.margin_at_low == pytest.approx(independent_margin(base.with_(**{row.name: row.low_value})))
        assert row.margin_at_high == pytest.approx(independent_margin(base.with_(**{row.name: row.high_value})))
    for row in flipped:
        far, near = (1.01, 0.99) if row.flip_value > row.base else (0.99, 1.01)
        m_far = independent_margin(base.with_(**{row.name: row.flip_value * far}))
        m_near = independent_margin(base.with_(**{row.name: row.flip_value * near}))
        assert np.sign(m_far) == -np.sign(base_margin), row
        assert np.sign(m_near) == np.sign(base_margin), row
        assert row.flip_factor == pytest.approx(row.flip_value / row.base)


def test_sensitivity_flip_values_hand_computed():
    rows = {r.name: r for r in c.sensitivity()}
    # queries_per_day: the RAG/fine-tuned break-even a day, solved on the two cost lines
    rag_line = lambda q: 10_000 + 12 * 1_200 + q * 360 * 0.0075  # noqa: E731
    ft_line = lambda q: 15_000 + 12 * 500 + 3 * 8_000 + q * 360 * 0.00051  # noqa: E731
    per_day = brentq(lambda q: rag_line(q) - ft_line(q), 1, 1e7, xtol=1e-10, rtol=1e-14)
    assert per_day == pytest.approx(20_600 / 0.00699 / 360, rel=1e-10)
    assert rows["queries_per_day"].flip_value == pytest.approx(per_day, rel=1e-4)
    # retrain cost: 8018 + 3 (r - 8000) = 0
    assert rows["ft_retrain_cost"].flip_value == pytest.approx(8_000 - 8_018 / 3, rel=1e-4)
    # fine-tuned setup: 8018 + (s - 15000) = 0; RAG setup: 8018 - (s - 10000) = 0
    assert rows["ft_setup"].flip_value == pytest.approx(15_000 - 8_018, rel=1e-4)
    assert rows["rag_setup"].flip_value == pytest.approx(10_000 + 8_018, rel=1e-4)
    # RAG monthly: 8018 - 12 (h - 1200) = 0
    assert rows["rag_monthly"].flip_value == pytest.approx(1_200 + 8_018 / 12, rel=1e-4)
    # retraining every 6 months instead of 3: 2 retrains -> 1 saves 8,000 > the 18 left at every 4-5.99
    assert rows["ft_retrain_every"].flip_value == pytest.approx(6, rel=1e-4)
    # fine-tuned monthly only ever raises fine-tuned's cost: never flips
    assert rows["ft_monthly"].flip_value is None


def test_sensitivity_leaves_out_assumptions_with_no_effect():
    names = {r.name for r in c.sensitivity()}
    for absent in ("prompt_setup", "prompt_monthly", "examples_tokens", "prompt_weeks", "rag_weeks", "ft_weeks",
                   "value_per_week", "rag_success", "ft_success", "prompt_success"):
        assert absent not in names
    rows = c.sensitivity(names=["prompt_setup", "queries_per_day"])
    assert [r.name for r in rows] == ["queries_per_day", "prompt_setup"]
    assert rows[1].swing == 0 and rows[1].flip_value is None


def test_sensitivity_counts_the_cost_of_delay():
    base = c.CostInputs(value_per_week=1_000)
    rows = {r.name: r for r in c.sensitivity(base)}
    # fine-tuned ships 3 weeks after RAG: 3,000 more on the margin; ft_weeks 3 -> 9 moves it by 6,000
    assert rows["ft_weeks"].margin_at_low == pytest.approx(8_018 + (3 - 3) * 1_000)
    assert rows["ft_weeks"].margin_at_high == pytest.approx(8_018 + (9 - 3) * 1_000)
    assert rows["rag_weeks"].margin_at_low == pytest.approx(8_018 + (6 - 1.5) * 1_000)
    no_delay = {r.name for r in c.sensitivity(base, include_delay=False)}
    assert "ft_weeks" not in no_delay and "value_per_week" not in no_delay


def test_sensitivity_with_a_custom_margin():
    rows = c.sensitivity(names=["queries_per_day"], margin=lambda i: 6_000 - i.queries_per_day)
    assert rows[0].flip_value == pytest.approx(6_000, rel=1e-6)
    assert rows[0].margin_at_low == 3_500 and rows[0].margin_at_high == -1_500


def test_sensitivity_months_flip_is_found():
    base = c.CostInputs()
    # at 3 months: no retrain yet, RAG 10000 + 3 x 1200 + 450,000 x 0.0075 = 16,975;
    # fine-tuned 15000 + 3 x 500 + 450,000 x 0.00051 = 16,729.5 -> fine-tuned is cheaper by 245.5
    assert independent_margin(base.with_(months=3)) == pytest.approx(-245.5)
    assert independent_margin(base.with_(months=3.01)) > 0  # a retrain at 3 months makes RAG cheaper again
    row = next(r for r in c.sensitivity(base) if r.name == "months")
    assert row.flip_value == pytest.approx(3.0, rel=1e-3)


@pytest.mark.parametrize(
    "kwargs, pattern",
    [
        (dict(a="vector"), r"a must be one of .*'vector'"),
        (dict(b="ft"), r"b must be one of .*'ft'"),
        (dict(a="rag", b="rag"), r"different patterns.*'rag'"),
        (dict(spread=0), r"spread.*0"),
        (dict(spread=1), r"spread.*1"),
        (dict(spread=-0.2), r"spread.*-0\.2"),
        (dict(spread=True), r"spread.*True"),
        (dict(spread="half"), r"spread.*'half'"),
        (dict(names=["queries_per_day", "colour"]), r"unknown assumption 'colour'"),
    ],
)
def test_sensitivity_rejects_bad_arguments(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        c.sensitivity(**kwargs)


# --- issue 20: prompt caching priced, comparable tiers, RAG with fine-tuning, the sawtooth, sources ---


def test_prompt_cache_hand_values():
    # Claude Sonnet 4.x ($3 / $15, cached input $0.30): 1,500 tokens in, 1,400 of them cached, 300 out
    no_cache = (1_500 * 3 + 300 * 15) / 1e6  # 0.009
    always = (100 * 3 + 1_400 * 0.30 + 300 * 15) / 1e6  # 0.00522
    assert c.cost_with_prompt_cache(1_500, 300, 1_400, 3, 15, 0.30) == pytest.approx(always, rel=1e-12)
    assert always == pytest.approx(0.00522)
    # 80% of queries find the prefix in the cache: a weighted average of the two
    assert c.cost_with_prompt_cache(1_500, 300, 1_400, 3, 15, 0.30, hit_rate=0.8) == pytest.approx(0.8 * always + 0.2 * no_cache, rel=1e-12)
    assert c.cost_with_prompt_cache(1_500, 300, 1_400, 3, 15, 0.30, hit_rate=0) == pytest.approx(no_cache, rel=1e-12)
    assert c.cost_with_prompt_cache(1_500, 300, 0, 3, 15, 0.30) == pytest.approx(no_cache, rel=1e-12)
    assert c.cost_with_prompt_cache(1_500, 300, 1_400, 3, 15, 0.30, extra_per_query=0.0001) == pytest.approx(always + 0.0001, rel=1e-12)


@pytest.mark.parametrize(
    "kwargs, pattern",
    [
        (dict(cached_tokens=2_000), r"cached_tokens must be at most input_tokens \(1,500\)"),
        (dict(cached_tokens=-1), r"cached_tokens must be .*0 or more, got -1"),
        (dict(hit_rate=1.5), r"hit_rate must be a share in \[0, 1\], got 1\.5"),
        (dict(price_cached_in_per_million=float("nan")), r"price_cached_in_per_million must be"),
    ],
)
def test_prompt_cache_rejects_bad_values(kwargs, pattern):
    args = dict(input_tokens=1_500, output_tokens=300, cached_tokens=1_400, price_in_per_million=3, price_out_per_million=15, price_cached_in_per_million=0.3)
    args.update(kwargs)
    with pytest.raises(c.validation.AipmError, match=pattern):
        c.cost_with_prompt_cache(**args)


def test_the_table_prices_prompt_cache_hits_only_where_the_facts_state_them():
    prices = c.load_prices()
    # FACTS.md: Anthropic's cached input costs 0.1x the input price; no other row states a cached price
    for model, price in prices.items():
        if price.provider == "Anthropic":
            assert price.cached_input_per_million == pytest.approx(0.1 * price.input_per_million), model
        else:
            assert price.cached_input_per_million is None, model
    sonnet = prices["Claude Sonnet 4.x"]
    assert sonnet.cost_per_query(1_500, 300, cached_tokens=1_400) == pytest.approx((100 * 3 + 1_400 * 0.3 + 300 * 15) / 1e6)
    assert sonnet.cost_per_query(1_500, 300) == pytest.approx(0.009)
    with pytest.raises(ValueError, match=r"cached_tokens needs a cached-input price.*GPT-4\.1"):
        prices["GPT-4.1"].cost_per_query(2_500, 300, cached_tokens=500)
    assert prices["GPT-4.1"].with_(cached_input_per_million=0.5).cost_per_query(2_500, 300, cached_tokens=500) == pytest.approx((2_000 * 2 + 500 * 0.5 + 300 * 8) / 1e6)


def test_training_run_compute_is_small_next_to_the_old_ranges():
    # 5,000 examples x 1,000 tokens x 3 epochs = 15M training tokens at $3 per 1M
    assert c.training_run_cost(5_000, 1_000) == pytest.approx(45.0)
    assert c.training_run_cost(5_000, 1_000, epochs=1, price_per_million=c.get_price("GPT-4o mini fine-tuned").training_per_million) == pytest.approx(15.0)
    with pytest.raises(ValueError, match="epochs must be"):
        c.training_run_cost(5_000, 1_000, epochs=0)


def test_fallback_pays_the_shared_search_once():
    # search $0.0001 once; GPT-4.1 mini's answer; 20% also GPT-4.1's answer (without a second search)
    search = 0.0001
    small = (2_500 * 0.40 + 300 * 1.60) / 1e6
    large = (2_500 * 2.00 + 300 * 8.00) / 1e6
    assert c.cost_with_fallback(small, large, 0.2, shared=search) == pytest.approx(search + small + 0.2 * large, rel=1e-12)
    assert c.cost_with_fallback(small, large, 0.2) == pytest.approx(small + 0.2 * large, rel=1e-12)
    with pytest.raises(ValueError, match="shared must be"):
        c.cost_with_fallback(small, large, 0.2, shared=-1)


def test_rag_on_the_fine_tuned_model_hand_computed():
    d = DEFAULTS
    pats = c.patterns_for(combined=True)
    assert list(pats) == ["prompt_only", "rag", "fine_tuned", "rag_fine_tuned"]
    assert list(c.patterns_for()) == ["prompt_only", "rag", "fine_tuned"]  # the other modules' three options are kept
    combo = pats["rag_fine_tuned"]
    per_query = ((d["prompt_tokens"] + d["retrieved_tokens"]) * d["small_in"] + d["output_tokens"] * d["small_out"]) / 1e6 + d["rag_per_query_extra"]
    assert combo.per_query == pytest.approx(per_query) == pytest.approx(0.00121)
    fixed = d["rag_setup"] + d["ft_setup"] + 12 * (d["rag_monthly"] + d["ft_monthly"]) + 3 * d["ft_retrain_cost"]
    assert combo.fixed_cost(12) == pytest.approx(fixed) == pytest.approx(69_400)
    result = c.compare(combined=True)
    assert result.totals["rag_fine_tuned"] == pytest.approx(69_400 + 1_800_000 * 0.00121)
    assert result.per_success["rag_fine_tuned"] == pytest.approx(71_578 / (1_800_000 * 0.90))
    # at 50,000 queries a day it costs less than RAG alone, and resolves more questions than either
    big = c.compare(c.CostInputs(queries_per_day=50_000), combined=True)
    assert big.totals["rag_fine_tuned"] == pytest.approx(69_400 + 18_000_000 * 0.00121)
    assert big.totals["rag_fine_tuned"] < big.totals["rag"]
    # each extra question it resolves over RAG costs (71,578 - 37,900) / (1,800,000 x (0.90 - 0.85)) = $0.374
    assert c.cost_per_extra_success(result, "rag", "rag_fine_tuned") == pytest.approx((71_578 - 37_900) / 90_000)
    assert c.cost_per_extra_success(result, "rag", "rag_fine_tuned") == pytest.approx(0.3742, abs=1e-4)
    # break-even with RAG, by hand: (69,400 - 24,400) / (0.0075 - 0.00121) / 360
    crossing = c.break_even_between(pats["rag"], combo)
    assert crossing.per_day == pytest.approx(45_000 / (0.0075 - 0.00121) / 360)


def test_break_even_text_names_both_options_and_which_side_each_wins():
    crossing = c.break_even_volume(24_400, 0.0075, 45_000, 0.00051, names=("RAG", "Fine-tuned"))
    assert crossing.reason == (
        "Break-even at 2,947,067 queries over 12 months (about 8,186 a day). Below that volume RAG costs less "
        "(its fixed costs are lower); above it Fine-tuned costs less (it is cheaper per query)."
    )
    unnamed = c.break_even_volume(24_400, 0.0075, 45_000, 0.00051).reason
    assert "option A costs less" in unnamed and "option B costs less" in unnamed


def _break_even_by_hand(months):
    """RAG against fine-tuning at the defaults, per day, for a horizon of `months`: retrains fall at
    3, 6, 9, ... strictly inside the horizon."""
    retrains = sum(1 for k in range(1, 100) if 3 * k < months - 1e-9)
    gap = (15_000 + 500 * months + 8_000 * retrains) - (10_000 + 1_200 * months)
    return gap / ((0.0075 - 0.00051) * 30 * months)


def test_break_even_by_horizon_is_a_sawtooth():
    horizons = [1, 2.99, 3, 3.01, 6, 6.01, 11.99, 12, 12.01, 24, 36]
    got = c.break_even_by_horizon(c.CostInputs(), horizons)
    assert got == pytest.approx([_break_even_by_hand(m) for m in horizons], rel=1e-9)
    assert got[horizons.index(12)] == pytest.approx(8_186.3, abs=0.1)  # the lesson's number, at the bottom of a tooth
    assert got[horizons.index(12.01)] > 11_000  # just after, the retrain due at month 12 is in
    # between retrains it falls; at each retrain it jumps up
    grid = np.arange(1, 721) * 0.05
    line = c.break_even_by_horizon(c.CostInputs(), grid)
    steps = np.diff(line)
    jumps = grid[1:][steps > 0]
    assert np.allclose(jumps, np.arange(3, 36, 3) + 0.05, atol=0.051)  # one tooth per retrain, nowhere else
    # a pair that never crosses gives NaN, not an error
    never = c.break_even_by_horizon(c.CostInputs(small_in=8, small_out=40), [12])
    assert np.isnan(never[0])
    with pytest.raises(ValueError, match="months must be a list of horizons"):
        c.break_even_by_horizon(c.CostInputs(), [0, 12])
    with pytest.raises(ValueError, match="a and b must be different"):
        c.break_even_by_horizon(c.CostInputs(), [12], a="rag", b="rag")


def test_sensitivity_rows_read_as_sentences_with_units_and_the_option_that_takes_over():
    rows = {r.name: r for r in c.sensitivity(c.CostInputs())}
    retrain = str(rows["ft_retrain_cost"])
    assert retrain.startswith("Cost of a retrain (ft_retrain_cost): $8,000; flips at $5,327 (x0.67, a 33% move down)")
    assert retrain.endswith("where Fine-tuned becomes the cheaper option")
    assert str(rows["months"]).startswith("Months in the horizon (months): 12 months; flips at 3 months (x0.25")
    assert "flips at 8,186 queries a day" in str(rows["queries_per_day"])
    assert "$2.00 per 1M tokens; flips at $3.78 per 1M tokens" in str(rows["large_in"])
    assert "an 80% move up" in str(rows["rag_setup"])
    assert str(rows["ft_monthly"]).endswith("no flip between 1/100 and 100 times it: RAG stays the cheaper option")
    for row in rows.values():
        assert not re.search(r"\de[+-]\d", str(row)), str(row)  # never 2.005e+04
    assert rows["rag_setup"].cheaper == "RAG" and rows["rag_setup"].a == "RAG" and rows["rag_setup"].b == "Fine-tuned"


def test_assumption_text_hand_values():
    assert c.assumption_text("queries_per_day", 20_050) == "20,050 queries a day"
    assert c.assumption_text("rag_per_query_extra", 0.000123) == "$0.000123"
    assert c.assumption_text("large_in", 0.3) == "$0.30 per 1M tokens"
    assert c.assumption_text("ft_success", 0.75) == "75%"
    assert c.assumption_text("ft_retrain_every", 4.5) == "4.5 months"


def test_sensitivity_against_the_combined_option():
    rows = c.sensitivity(c.CostInputs(), a="rag", b="rag_fine_tuned", names=["queries_per_day"])
    # RAG + fine-tuned overtakes RAG at the break-even volume: 45,000 / (0.0075 - 0.00121) / 360 a day
    assert rows[0].flip_value == pytest.approx(45_000 / (0.0075 - 0.00121) / 360, rel=1e-6)
    assert rows[0].b == "RAG + fine-tuned"


def test_every_price_row_shows_its_source_address_and_date():
    table = c.price_table()
    assert {"as_of", "source", "url", "cached_input_per_million"} <= set(table.columns)
    assert table["url"].str.startswith("https://").all()
    sources = c.price_sources()
    assert list(sources.columns) == ["source", "as of", "address", "models"]
    assert sources["address"].str.startswith("https://").all()
    models = ", ".join(sources["models"]).split(", ")
    assert sorted(models) == sorted(c.load_prices())  # every model under exactly one source


def test_user_price_files_may_leave_out_the_optional_columns_or_give_them(tmp_path):
    plain = c.load_prices(write(tmp_path, f"{PRICE_HEADER}\n{GOOD_ROW}\n"))["GPT-X"]
    assert plain.url == "" and plain.cached_input_per_million is None
    header = PRICE_HEADER + ",cached_input_per_million,url"
    full = c.load_prices(write(tmp_path, f"{header}\nGPT-X,OpenAI,chat,2.00,8.00,,2026,page,,0.2,https://example.com/prices\n", "full.csv"))["GPT-X"]
    assert full.as_of == "2026" and full.cached_input_per_million == 0.2 and full.url == "https://example.com/prices"
    with pytest.raises(c.PriceFileError, match=r"line 2: url must be the source's web address"):
        c.load_prices(write(tmp_path, f"{header}\nGPT-X,OpenAI,chat,2.00,8.00,,2026,page,,,ftp://x\n", "bad.csv"))
    # a price you change is your figure: its address goes with the old source
    assert c.get_price("GPT-4.1").with_(input_per_million=1.0).url == ""


def test_cost_per_extra_success_refuses_what_it_cannot_divide_by():
    result = c.compare(combined=True)
    with pytest.raises(ValueError, match=r"b must be a pattern with a higher success rate than a.*'prompt_only'"):
        c.cost_per_extra_success(result, "rag", "prompt_only")
    with pytest.raises(ValueError, match="b must be one of"):
        c.cost_per_extra_success(c.compare(), "rag", "rag_fine_tuned")
    with pytest.raises(ValueError, match="comparison must be"):
        c.cost_per_extra_success({"rag": 1}, "rag", "fine_tuned")
    # fine-tuned alone resolves fewer than RAG: nothing extra to pay for
    assert c.cost_per_extra_success(result, "fine_tuned", "rag") == pytest.approx((37_900 - 45_918) / (1_800_000 * 0.10))
