"""The lesson 04 cost explorer, driven as a learner would: by setting its sliders' values.

Every figure it shows is compared with what ``costs.compare`` and ``costs.break_even_between``
return for the same assumptions, computed here from scratch.
"""

import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from aipm_course.costs import CostInputs, break_even_between, compare
from aipm_course.widgets import CostExplorer, cost_explorer


def _expected(**values):
    result = compare(CostInputs().with_(**values), combined=True)
    crossing = break_even_between(result.patterns["rag"], result.patterns["fine_tuned"], result.inputs.months)
    return result, crossing


def _assert_shows(explorer, result, crossing):
    html = explorer.summary.value
    assert explorer.result.inputs == result.inputs
    assert explorer.result.totals == pytest.approx(result.totals, rel=1e-12)
    for key, total in result.totals.items():
        assert f"${total:,.0f}</td>" in html, key
        assert f"${result.patterns[key].per_query:.5f}" in html
    cheapest = min(result.totals, key=result.totals.get)
    assert f"Cheapest in total: <b>{result.patterns[cheapest].name}</b>" in html
    assert f"total over {result.inputs.months:g} months" in html
    if crossing.never:
        assert "never" in html and "queries a day</b>" not in html
        assert "class='break-even'" not in explorer.chart.value
    else:
        assert f"<b>{crossing.per_day:,.0f} queries a day</b>" in html
        assert "class='break-even'" in explorer.chart.value
    assert explorer.break_even == crossing


def test_starts_from_the_lesson_assumptions_and_matches_a_hand_calculation():
    explorer = cost_explorer()
    assert isinstance(explorer, CostExplorer)
    result, crossing = _expected()
    _assert_shows(explorer, result, crossing)
    i = CostInputs()
    # RAG by hand: fixed = setup + months x monthly; per query = tokens x prices / 1M + search
    rag_per_query = ((i.prompt_tokens + i.retrieved_tokens) * i.large_in + i.output_tokens * i.large_out) / 1e6 + i.rag_per_query_extra
    rag_total = i.rag_setup + i.months * i.rag_monthly + i.queries_per_day * i.months * 30 * rag_per_query
    assert explorer.result.totals["rag"] == pytest.approx(rag_total, rel=1e-12)
    # fine-tuned by hand: retrains at months 3, 6 and 9 inside 12
    ft_per_query = (i.prompt_tokens * i.small_in + i.output_tokens * i.small_out) / 1e6
    ft_fixed = i.ft_setup + i.months * i.ft_monthly + 3 * i.ft_retrain_cost
    assert explorer.result.totals["fine_tuned"] == pytest.approx(ft_fixed + i.queries_per_day * 360 * ft_per_query, rel=1e-12)
    rag_fixed = i.rag_setup + i.months * i.rag_monthly
    assert explorer.break_even.per_day == pytest.approx((ft_fixed - rag_fixed) / (rag_per_query - ft_per_query) / 360, rel=1e-9)
    assert "class='line-rag'" in explorer.chart.value and "class='volume'" in explorer.chart.value
    # RAG on the fine-tuned model by hand: both setups and monthly costs, the retrains, the small
    # model reading the retrieved passages, and the search on every query
    combo_per_query = ((i.prompt_tokens + i.retrieved_tokens) * i.small_in + i.output_tokens * i.small_out) / 1e6 + i.rag_per_query_extra
    combo_fixed = i.rag_setup + i.ft_setup + i.months * (i.rag_monthly + i.ft_monthly) + 3 * i.ft_retrain_cost
    assert explorer.result.totals["rag_fine_tuned"] == pytest.approx(combo_fixed + i.queries_per_day * 360 * combo_per_query, rel=1e-12)
    assert explorer.result.totals["rag_fine_tuned"] == pytest.approx(71_578, abs=0.5)  # 69,400 + 1,800,000 x 0.00121
    assert "class='line-rag_fine_tuned'" in explorer.chart.value and "RAG + fine-tuned" in explorer.summary.value
    assert "href='https://platform.openai.com/docs/pricing'" in explorer.prices_note.value  # the prices' source, with its address


MOVES = [
    ("queries_per_day", 12_345.0),
    ("months", 6),
    ("retrieved_tokens", 6_000),
    ("queries_per_day", 800.0),
    ("large_in", 5.0),
    ("small_in", 1.0),
    ("small_out", 4.0),
    ("months", 24),
    ("output_tokens", 600),
    ("prompt_tokens", 1_200),
    ("large_out", 20.0),
    ("queries_per_day", 60_000.0),
]


def test_every_slider_move_shows_what_the_functions_compute():
    explorer = cost_explorer()
    state = {}
    seen_cheapest = set()
    for name, value in MOVES:
        if name == "queries_per_day":
            explorer.set_volume(value)  # any volume: added to the slider's stops if it is not one
        else:
            explorer.controls[name].value = value
        state[name] = value
        result, crossing = _expected(**state)
        _assert_shows(explorer, result, crossing)
        seen_cheapest.add(explorer.result.cheapest)
        assert explorer.inputs() == CostInputs().with_(**{n: c.value for n, c in explorer.controls.items()})
    # the moves are big enough to change which option wins
    assert len(seen_cheapest) >= 2


SVG = "{http://www.w3.org/2000/svg}"


def _chart(explorer):
    root = ET.fromstring(explorer.chart.value)
    assert root.get("fill") == "currentColor"  # text and axes follow the page's theme
    (chart,) = [g for g in root.iter(SVG + "g") if "chart" in (g.get("class") or "").split()]
    return chart


def _texts(chart, cls):
    return ["".join(t.itertext()) for t in chart.iter(SVG + "text") if cls in (t.get("class") or "").split()]


def _tick_positions(chart, axis):
    """[(value, pixel)] of an axis's tick labels."""
    return [(float("".join(t.itertext()).replace(",", "")), float(t.get("x" if axis == "x" else "y")))
            for t in chart.iter(SVG + "text") if f"tick-{axis}" in (t.get("class") or "").split()]


def _path_points(chart, cls):
    (path,) = [p for p in chart.iter(SVG + "path") if p.get("class") == cls]
    return [tuple(map(float, pair.split(","))) for pair in re.findall(r"[-\d.]+,[-\d.]+", path.get("d"))]


def _height_at(points, x):
    """Where a drawn line is at pixel column x."""
    xs, ys = zip(*points)
    return float(np.interp(x, xs, ys))


def test_the_break_even_marker_sits_where_the_lines_cross():
    explorer = cost_explorer()
    for volume in (2_000.0, 20_000.0):
        explorer.controls["queries_per_day"].value = volume  # both are stops on the slider
        chart = _chart(explorer)
        (marker,) = [c for c in chart.iter(SVG + "circle") if c.get("class") == "break-even"]
        cx, cy = float(marker.get("cx")), float(marker.get("cy"))
        # on both drawn lines, and at the volume the functions compute, read off the x axis
        assert _height_at(_path_points(chart, "line-rag"), cx) == pytest.approx(cy, abs=0.5)
        assert _height_at(_path_points(chart, "line-fine_tuned"), cx) == pytest.approx(cy, abs=0.5)
        (v0, p0), (v1, p1) = _tick_positions(chart, "x")[0], _tick_positions(chart, "x")[-1]
        assert v0 + (cx - p0) / (p1 - p0) * (v1 - v0) == pytest.approx(explorer.break_even.per_day, rel=0.01)
        assert f"RAG = fine-tuned at {explorer.break_even.per_day:,.0f} a day" in _texts(chart, "marker-value")


def test_the_chart_has_volumes_and_thousands_of_dollars_on_its_axes_and_a_legend():
    for months, volume in ((12, 5_000.0), (24, 50_000.0)):
        explorer = cost_explorer(months=months, queries_per_day=volume)
        result, crossing = _expected(months=months, queries_per_day=volume)
        chart = _chart(explorer)
        xs = [v for v, _ in _tick_positions(chart, "x")]
        ys = [v for v, _ in _tick_positions(chart, "y")]
        steps_x, steps_y = np.diff(xs), np.diff(ys)
        assert xs[0] == 0 and len(xs) >= 3 and np.allclose(steps_x, steps_x[0]) and xs[-1] >= volume
        assert ys[0] == 0 and len(ys) >= 3 and np.allclose(steps_y, steps_y[0])
        # the y axis is in thousands of dollars: its top tick just covers the dearest line where the lines end
        (v0, p0), (v1, p1) = _tick_positions(chart, "x")[0], _tick_positions(chart, "x")[-1]
        right_edge = v0 + (max(x for x, _ in _path_points(chart, "line-rag")) - p0) / (p1 - p0) * (v1 - v0)
        assert right_edge >= volume
        dearest = max(p.total_cost(right_edge * 30 * months, months) for p in result.patterns.values()) / 1000
        assert dearest <= ys[-1] * 1.001 and ys[-1] < 2.5 * dearest
        assert _texts(chart, "axis-label-x") == ["queries a day"]
        assert _texts(chart, "axis-label-y") == [f"total cost over {months} months (thousand USD)"]
        legend = _texts(chart, "legend-text")
        for key, p in result.patterns.items():
            assert any(t.startswith(f"{p.name}: ${p.per_query:.4f} a query") for t in legend), key
        assert f"your volume: {volume:,.0f} a day" in _texts(chart, "marker-value")


def test_the_chart_follows_the_sliders():
    explorer = cost_explorer()
    before = explorer.chart.value
    explorer.controls["months"].value = 24
    assert explorer.chart.value != before
    assert _texts(_chart(explorer), "axis-label-y") == ["total cost over 24 months (thousand USD)"]


def test_the_break_even_disappears_when_fine_tuning_costs_more_per_query():
    explorer = cost_explorer()
    assert "class='break-even'" in explorer.chart.value
    explorer.controls["small_in"].value = 8.0
    explorer.controls["small_out"].value = 40.0
    result, crossing = _expected(small_in=8.0, small_out=40.0)
    assert result.patterns["fine_tuned"].per_query > result.patterns["rag"].per_query
    assert crossing.never and explorer.break_even.never
    _assert_shows(explorer, result, crossing)
    assert "class='break-even'" not in explorer.chart.value
    assert "never cost the same" in explorer.summary.value
    assert "never" in repr(explorer)
    # and it comes back with the cheap fine-tuned model
    explorer.controls["small_in"].value = 0.3
    explorer.controls["small_out"].value = 1.2
    _assert_shows(explorer, *_expected())


def test_assumptions_without_a_slider_are_kept():
    explorer = cost_explorer(rag_setup=20_000, ft_retrain_cost=2_000, queries_per_day=3_000)
    result, crossing = _expected(rag_setup=20_000, ft_retrain_cost=2_000, queries_per_day=3_000)
    _assert_shows(explorer, result, crossing)
    explorer.controls["months"].value = 18
    _assert_shows(explorer, *_expected(rag_setup=20_000, ft_retrain_cost=2_000, queries_per_day=3_000, months=18))
    assert CostExplorer(CostInputs(rag_setup=20_000)).result.totals == compare(CostInputs(rag_setup=20_000), combined=True).totals


def test_repr_mentions_the_totals():
    explorer = cost_explorer()
    text = repr(explorer)
    for key, total in explorer.result.totals.items():
        assert f"{explorer.result.patterns[key].name} ${total:,.0f}" in text
    assert "5,000 queries a day over 12 months" in text
    assert f"break-even {explorer.break_even.per_day:,.0f} a day" in text
    explorer.set_volume(40_000.0)
    assert "40,000 queries a day" in repr(explorer)
    assert f"${explorer.result.totals['rag']:,.0f}" in repr(explorer)


def test_bad_starting_assumptions():
    with pytest.raises(ValueError, match="unknown assumption 'unknown_assumption'"):
        cost_explorer(unknown_assumption=1)
    with pytest.raises(ValueError, match="inputs must be CostInputs"):
        CostExplorer({"queries_per_day": 100})
    with pytest.raises(ValueError, match="large_in must be"):
        cost_explorer(large_in=-1)


@pytest.mark.parametrize("name, value", [("retrieved_tokens", 12_000), ("large_in", 30.0), ("months", 1.5)])
def test_starting_assumptions_are_used_as_given_or_refused(name, value):
    try:
        explorer = cost_explorer(**{name: value})
    except ValueError:
        return  # refusing with a message would be fine too
    assert getattr(explorer.result.inputs, name) == value
    assert explorer.result.totals == compare(CostInputs().with_(**{name: value}), combined=True).totals


def test_the_volume_slider_has_exact_stops_and_takes_any_starting_volume():
    """A log slider would round 5,000 to 5,012 in the browser; the stops are exact numbers."""
    explorer = cost_explorer()
    stops = [v for _, v in explorer.controls["queries_per_day"].options]
    assert 5_000.0 in stops and stops == sorted(stops)
    assert explorer.controls["queries_per_day"].label == "5,000"
    odd = cost_explorer(queries_per_day=12_345)
    assert odd.controls["queries_per_day"].value == 12_345.0 and "12,345 a day" in odd.summary.value
    with pytest.raises(ValueError, match="queries_per_day"):
        odd.set_volume(-3)
