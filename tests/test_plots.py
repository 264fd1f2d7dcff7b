"""Figures: titled, labelled, and drawing the numbers the package computes."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from aipm_course.briefs import PATTERNS, feasibility_score  # noqa: E402
from aipm_course.plots import dimension_label, feasibility_chart, pattern_ladder_chart  # noqa: E402


def test_dimension_labels_read_as_words():
    assert dimension_label("user_ai_trust") == "User AI trust"
    assert dimension_label("data_availability") == "Data availability"


def test_feasibility_chart_bars_are_the_contributions():
    result = feasibility_score(5, 2, 5, 1, 4, 5)
    fig = feasibility_chart(result, "Email suggestions")
    ax = fig.axes[0]
    assert ax.get_title() == "Email suggestions: 86.7/100, GREEN"
    assert "points" in ax.get_xlabel()
    bars = ax.containers[1]  # the second set of bars: the points this idea gets
    widths = [bar.get_width() for bar in bars]
    assert widths == pytest.approx(list(result.contributions.values()))
    assert sum(widths) == pytest.approx(result.score)
    maxima = [bar.get_width() for bar in ax.containers[0]]
    assert sum(maxima) == pytest.approx(100)
    plt.close(fig)


def test_pattern_ladder_chart_shows_each_patterns_load_in_order():
    fig = pattern_ladder_chart()
    ax = fig.axes[0]
    heights = [bar.get_height() for bar in ax.containers[0]]
    assert heights == [p.governance_load for p in PATTERNS]
    assert ax.get_ylabel() and ax.get_title()
    plt.close(fig)


# ------------------------------------------------------------------------------------------------
# One palette, one set of axis names and ticks for the figures and the widgets
# ------------------------------------------------------------------------------------------------

import math  # noqa: E402
import re  # noqa: E402
import xml.etree.ElementTree as ET  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from hypothesis import assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from aipm_course import palette, plots  # noqa: E402

PACKAGE = Path(plots.__file__).parent
# a hex colour, or a colour's name given as a value (a palette key such as COLOURS["blue"] is fine)
COLOUR_LITERAL = re.compile(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b|(?<!\[)['\"](black|white|red|green|blue|grey|gray|orange)['\"]")


@pytest.mark.parametrize("module", ["plots.py", "widgets.py"])
def test_colours_are_typed_only_in_the_palette(module):
    found = [(n, line.strip()) for n, line in enumerate((PACKAGE / module).read_text().splitlines(), 1) if COLOUR_LITERAL.search(line)]
    assert not found, f"colour literals outside palette.py: {found}"


def test_the_palette_is_okabe_ito_and_every_named_colour_comes_from_it():
    # Okabe & Ito (2008), as published
    assert {v.upper() for v in palette.OKABE_ITO.values()} == {
        "#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#F0E442", "#CC79A7", "#999999"}
    okabe = set(palette.OKABE_ITO.values())
    for table in (palette.ROLES, palette.VERDICT_COLOURS, palette.ZONE_COLOURS, palette.PATTERN_COLOURS, palette.STAGE_COLOURS):
        assert set(table.values()) <= okabe
    # the figures and the widgets read the same objects
    assert plots.COLOURS is palette.COLOURS and plots.PATTERN_COLOURS is palette.PATTERN_COLOURS
    assert plots.VERDICT_COLOURS is palette.VERDICT_COLOURS
    # a chart's series never share a colour
    for table in (palette.ZONE_COLOURS, palette.PATTERN_COLOURS, palette.STAGE_COLOURS, palette.VERDICT_COLOURS):
        assert len(set(table.values())) == len(table)


def test_the_widgets_ink_follows_the_page():
    assert palette.INK == "currentColor"
    assert palette.BORDER.startswith("var(--jp-border-color1,")


def test_nice_ticks_for_a_share_are_quarters():
    assert plots.nice_ticks(0, 1) == [0, 0.25, 0.5, 0.75, 1]
    assert plots.tick_labels(plots.nice_ticks(0, 1)) == ["0", "0.25", "0.5", "0.75", "1"]
    assert plots.tick_labels([0, 2_000, 4_000]) == ["0", "2,000", "4,000"]
    assert plots.log_ticks(1e-4, 1) == pytest.approx([1e-4, 1e-3, 1e-2, 1e-1, 1])
    assert plots.tick_labels(plots.log_ticks(1e-4, 1), log=True) == ["0.0001", "0.001", "0.01", "0.1", "1"]
    assert plots.tick_labels([1e-9, 1e-6, 1e-3, 1], log=True) == ["1e-9", "1e-6", "0.001", "1"]


@settings(max_examples=300, deadline=None)
@given(low=st.floats(-1e6, 1e6), span=st.floats(1e-6, 1e7), most=st.integers(3, 12))
def test_nice_ticks_cover_the_range_with_round_even_steps(low, span, most):
    assume(span >= 1e-6 * max(1.0, abs(low)))  # narrower than that, a float cannot hold the steps
    high = low + span
    ticks = plots.nice_ticks(low, high, most)
    assert 2 <= len(ticks) <= most
    slack = 1e-8 * (ticks[-1] - ticks[0])  # float noise, far below a pixel
    assert ticks[0] <= low + slack and ticks[-1] >= high - slack
    steps = np.diff(ticks)
    assert np.allclose(steps, steps[0], rtol=1e-6)
    mantissa = steps[0] / 10 ** math.floor(math.log10(steps[0]) + 1e-9)
    assert any(math.isclose(mantissa, m, rel_tol=1e-6) for m in (1, 2, 2.5, 5))
    labels = plots.tick_labels(ticks)
    assert len(set(labels)) == len(labels)  # no two ticks read the same


@given(low=st.floats(1e-12, 1.0), factor=st.floats(1.0, 1e6))
def test_log_ticks_are_powers_of_ten_around_the_range(low, factor):
    high = low * factor
    ticks = plots.log_ticks(low, high)
    assert 2 <= len(ticks) <= 6
    exponents = [math.log10(t) for t in ticks]
    assert all(math.isclose(e, round(e), abs_tol=1e-9) for e in exponents)
    stride = round(exponents[1] - exponents[0])
    assert stride >= 1 and np.allclose(np.diff(exponents), stride)
    # every decade of the range is within one stride of a labelled tick; 1 is labelled when in range
    assert math.log10(ticks[0]) - stride < math.log10(low) and math.log10(ticks[-1]) + stride > math.log10(high)
    if low <= 1 <= high:
        assert 1.0 in ticks


@pytest.mark.parametrize("call, message", [
    (lambda: plots.nice_ticks(2, 1), "high must be a number at or above low"),
    (lambda: plots.nice_ticks(float("nan"), 1), "low must be"),
    (lambda: plots.log_ticks(0, 1), "low must be a number above 0"),
    (lambda: plots.tick_labels([]), "ticks must be"),
    (lambda: plots.tick_labels([0, 1], log=True), "ticks must be numbers above 0 on a log axis"),
    (lambda: plots.axis_label("speed"), "name must be one of"),
    (lambda: plots.axis_label("cost_per_case"), "units must be the values"),
])
def test_tick_and_label_helpers_refuse_clearly(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def _svg_texts(markup, cls):
    return ["".join(t.itertext()) for t in ET.fromstring(markup).iter("{http://www.w3.org/2000/svg}text") if cls in (t.get("class") or "").split()]


def test_the_lesson_figures_and_the_threshold_explorer_show_the_same_axes():
    from aipm_course import thresholds
    from aipm_course.widgets import threshold_explorer

    explorer = threshold_explorer("card_fraud", seed=0)
    data = explorer.data
    table = thresholds.confusion_table(data.y_true, data.scores)
    chosen = thresholds.metrics_at(data.y_true, data.scores, 0.5)
    fig = plots.pr_roc_plot(table, chosen)
    pr = fig.axes[0]
    widget = explorer.curves.value
    x_labels = _svg_texts(widget, "axis-label-x")
    y_labels = _svg_texts(widget, "axis-label-y")
    assert pr.get_xlabel() == x_labels[0] and pr.get_ylabel() == y_labels[0]
    assert [t.get_text() for t in pr.get_xticklabels()] == ["0", "0.25", "0.5", "0.75", "1"]
    assert [t.get_text() for t in pr.get_yticklabels()] == ["0", "0.25", "0.5", "0.75", "1"]
    assert [line.get_color() for line in pr.get_lines()] == [palette.ROLES["measured"], palette.ROLES["choice"]]
    plt.close(fig)

    best = thresholds.best_threshold(data.y_true, data.scores, data.cost_fp, data.cost_fn, resamples=20)
    grid, cost = thresholds.cost_curve(data.y_true, data.scores, data.cost_fp, data.cost_fn)
    fig = plots.cost_curve_plot(grid, cost, best, mark=0.02)
    ax = fig.axes[0]
    assert ax.get_xlabel() == x_labels[1] and ax.get_ylabel() == y_labels[1]
    decades = [t.get_text() for t in ax.get_xticklabels() if ax.get_xlim()[0] * 0.999 <= t.get_position()[0] <= 1.001]
    assert decades == _svg_texts(widget, "tick-x")[5:]  # the widget's cost axis, after the five precision-recall ticks
    colours = {line.get_label().split(":")[0]: line.get_color() for line in ax.get_lines()}
    assert colours["expected cost per case"] == palette.ROLES["measured"] and colours["cheapest on the data"] == palette.ROLES["best"]
    assert colours["your choice"] == palette.ROLES["choice"]
    plt.close(fig)


def test_the_other_figures_name_their_axes_as_their_widgets_do():
    from aipm_course import costs, rollout, uncertainty
    from aipm_course.scenarios import support_tickets
    from aipm_course.widgets import cost_explorer, rollout_planner, zone_explorer

    fig = plots.pattern_cost_plot(costs.CostInputs())
    ax = fig.axes[0]
    widget = cost_explorer().chart.value
    assert [ax.get_xlabel(), ax.get_ylabel()] == _svg_texts(widget, "axis-label-x") + _svg_texts(widget, "axis-label-y")
    plt.close(fig)

    d = support_tickets(seed=0)
    result = uncertainty.zone_policy(d.correct, d.confidence, 0.9, 0.6, cases_per_day=d.cases_per_day, cost_error_served=d.cost_error_served,
                                     cost_error_caveat=d.cost_error_caveat, cost_per_review=d.cost_per_review, minutes_per_review=d.minutes_per_review)
    fig = plots.zone_plot(result)
    widget = zone_explorer("support_tickets", seed=0).chart.value
    assert [a.get_xlabel() for a in fig.axes] == _svg_texts(widget, "axis-label-x")
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == _svg_texts(widget, "tick-x")[:5]
    plt.close(fig)

    items = rollout.schedule(rollout.example_plan(), 20_000, 0.6)
    fig = plots.rollout_timeline_plot(items, 20_000)
    ax = fig.axes[0]
    widget = rollout_planner().timeline.value
    assert [ax.get_xlabel(), ax.get_ylabel()] == _svg_texts(widget, "axis-label-x") + _svg_texts(widget, "axis-label-y")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == _svg_texts(widget, "legend-text")
    plt.close(fig)


def test_svg_document_is_a_standalone_image_in_the_pages_colour():
    markup = plots.svg_document("<text x='1' y='2'>a &amp; b</text>", 100, 50, "A <chart>")
    root = ET.fromstring(markup)
    assert root.get("fill") == "currentColor" and root.get("viewBox") == "0 0 100 50"
    assert root.find("{http://www.w3.org/2000/svg}title").text == "A <chart>"
    with pytest.raises(ValueError, match="width must be"):
        plots.svg_document("", 0, 10)


def test_a_panel_leaves_out_ticks_beyond_its_limits_and_places_values_on_its_scale():
    panel = plots.SvgPanel(10, 10, 200, 100, xlim=(0, 36), ylim=(0, 1))
    markup = plots.svg_document(panel.axes(plots.nice_ticks(0, 36), "days", plots.nice_ticks(0, 1), "share"), 300, 200)
    assert _svg_texts(markup, "tick-x") == ["0", "10", "20", "30"]
    assert float(panel.x(18)) == pytest.approx(110) and float(panel.y(0.25)) == pytest.approx(85)
    log = plots.SvgPanel(0, 0, 400, 100, xlim=(1e-4, 1), xlog=True)
    assert float(log.x(1e-2)) == pytest.approx(200)


def test_the_cost_figure_and_the_threshold_explorer_use_the_same_cost_scale():
    from aipm_course import thresholds
    from aipm_course.widgets import threshold_explorer

    explorer = threshold_explorer("card_fraud", seed=0)
    data = explorer.data
    best = thresholds.best_threshold(data.y_true, data.scores, data.cost_fp, data.cost_fn, resamples=0)
    grid, cost = thresholds.cost_curve(data.y_true, data.scores, data.cost_fp, data.cost_fn)
    fig = plots.cost_curve_plot(grid, cost, best)
    ax = fig.axes[0]
    figure_ticks = [t.get_text() for t in ax.get_yticklabels() if 0 <= t.get_position()[1] <= ax.get_ylim()[1] * 1.0001]
    widget_ticks = _svg_texts(explorer.curves.value, "tick-y")[5:]  # after the precision axis's five
    assert figure_ticks == widget_ticks
    plt.close(fig)
