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


def test_pattern_ladder_chart_puts_rag_and_fine_tuning_on_one_rung_side_by_side():
    fig = pattern_ladder_chart()
    ax = fig.axes[0]
    centres = {p.key: bar.get_x() + bar.get_width() / 2 for p, bar in zip(PATTERNS, ax.containers[0])}
    assert (centres["rag"] + centres["fine_tuning"]) / 2 == pytest.approx(3)  # rungs 1-5 sit at 0-4
    assert centres["prompt_only"] == pytest.approx(2) and centres["agent"] == pytest.approx(4)
    assert "rung 4" in ax.get_title() and "Each rung" not in ax.get_title()
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
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "90% bootstrap interval" in legend and len(ax.patches) == 1  # resamples=20: the band is drawn and listed
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
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert not any("interval" in t for t in legend) and not ax.patches, legend  # resamples=0: no band drawn, none listed
    figure_ticks = [t.get_text() for t in ax.get_yticklabels() if 0 <= t.get_position()[1] <= ax.get_ylim()[1] * 1.0001]
    widget_ticks = _svg_texts(explorer.curves.value, "tick-y")[5:]  # after the precision axis's five
    assert figure_ticks == widget_ticks
    plt.close(fig)


# ------------------------------------------------------------------------------------------------
# Lesson 08: evaluating LLM features
# ------------------------------------------------------------------------------------------------

from matplotlib.colors import to_hex  # noqa: E402


def _bar_widths(ax, container=0):
    return [bar.get_width() for bar in ax.containers[container]]


def test_failure_priority_plot_ranks_by_frequency_times_harm():
    counts = {"wrong_tone": 30, "injection_followed": 6, "unsupported_claim": 12, "needless_refusal": 0}
    harm = {"wrong_tone": 1, "injection_followed": 5, "unsupported_claim": 4, "needless_refusal": 2}
    fig = plots.failure_priority_plot(counts, harm, names={k: k.replace("_", " ") for k in counts})
    left, right = fig.axes
    # by hand: 12 x 4 = 48, 6 x 5 = 30, 30 x 1 = 30 (the more harmful first on a tie), 0 x 2 = 0; the top row first
    assert [t.get_text() for t in left.get_yticklabels()] == ["unsupported claim", "injection followed", "wrong tone", "needless refusal"]
    assert [tick.get_position()[1] for tick in left.get_yticklabels()] == [3, 2, 1, 0]  # the first at the top
    assert _bar_widths(left) == [12, 6, 30, 0]
    assert _bar_widths(right) == [48, 30, 30, 0]
    colours = [to_hex(bar.get_facecolor()).upper() for bar in right.containers[0]]
    assert colours[0] == palette.ROLES["choice"].upper() and set(colours[1:]) == {palette.ROLES["measured"].upper()}
    assert left.get_xlabel() == "traces with this failure type" and "harm" in right.get_xlabel()
    assert "12 × 4 = 48" in [t.get_text() for t in right.texts]
    plt.close(fig)


def test_the_labellers_chart_and_the_priority_figure_name_the_count_axis_alike(tmp_path, monkeypatch):
    from aipm_course.eval_widgets import trace_labeller
    from aipm_course.traces import HARM, load_traces

    monkeypatch.setenv("AIPM_WORK_DIR", str(tmp_path))
    fig = plots.failure_priority_plot(load_traces().failure_counts(), HARM)
    assert [fig.axes[0].get_xlabel()] == _svg_texts(trace_labeller(n=10, seed=0).chart.value, "axis-label-x")
    plt.close(fig)


def _agreements():
    from aipm_course.evals import judge_agreement

    human = [True, True, True, False, False]
    return {"A": judge_agreement(human, [True, True, False, False, True]), "always pass": judge_agreement(human, [True] * 5)}


def test_judge_rates_plot_puts_tpr_tnr_and_agreement_where_they_are():
    fig = plots.judge_rates_plot(_agreements())
    ax = fig.axes[0]
    points = {(round(line.get_xdata()[0], 6), line.get_marker()) for line in ax.get_lines() if len(line.get_xdata()) == 1}
    # judge A by hand: TPR 2/3, TNR 1/2, agreement 3/5; always pass: TPR 1, TNR 0, agreement = the pass rate 3/5
    assert {(round(2 / 3, 6), "o"), (0.5, "s"), (0.6, "D"), (1.0, "o"), (0.0, "s")} <= points
    assert [t.get_text() for t in ax.get_yticklabels()] == ["A", "always pass"]
    assert ax.get_xlabel() == "share of traces (TPR, TNR, agreement)"
    assert {t.get_text() for t in ax.get_legend().get_texts()} == {"TPR: good answers it passes", "TNR: bad answers it fails", "raw agreement with people"}
    plt.close(fig)


def test_corrected_rate_plot_draws_each_interval_and_the_lines_of_the_explorer():
    from aipm_course.eval_widgets import JudgeExplorer
    from aipm_course.evals import corrected_interval_from_counts

    rate = corrected_interval_from_counts(140, 200, 60, 10, 6, 24)
    fig = plots.corrected_rate_plot({"judge A": rate}, truth=0.7, minimum=0.6)
    ax = fig.axes[0]
    segments = [line for line in ax.get_lines() if len(line.get_xdata()) == 2 and line.get_linewidth() == 3]
    assert list(segments[0].get_xdata()) == [rate.low, rate.high]
    verticals = {line.get_label().split(":")[0]: line.get_xdata()[0] for line in ax.get_lines() if line.get_label().startswith(("true", "gate"))}
    assert verticals == {"true pass rate": 0.7, "gate minimum": 0.6}
    explorer = JudgeExplorer(tpr=0.9, tnr=0.8, n_labelled=100, n_judged=200, pass_rate=0.7)
    assert [ax.get_xlabel()] == _svg_texts(explorer.chart.value, "axis-label-x")
    assert [t.get_text() for t in ax.get_xticklabels()] == _svg_texts(explorer.chart.value, "tick-x")
    plt.close(fig)


def test_support_score_plot_splits_the_claims_by_the_human_label():
    scores = np.array([0.12, 0.22, 0.97, 0.92, 0.77, 0.32, 1.0])  # away from the bins' edges (0.05 apart)
    supported = np.array([False, False, True, True, True, True, False])
    fig = plots.support_score_plot(scores, supported, 0.7)
    ax = fig.axes[0]
    heights = [[bar.get_height() for bar in container] for container in ax.containers]
    assert [sum(h) for h in heights] == pytest.approx([1, 1])  # each group's shares add up to 1
    assert [i for i, h in enumerate(heights[0]) if h] == [6, 15, 18, 19] and set(h for h in heights[0] if h) == {0.25}
    assert [i for i, h in enumerate(heights[1]) if h] == [2, 4, 19] and heights[1][19] == pytest.approx(1 / 3)
    assert ax.get_xlabel().startswith("support score") and ax.get_ylabel() == "share of the group's claims"
    assert [t.get_text() for t in ax.get_legend().get_texts()][:2] == ["people: supported (4 claims)", "people: not supported (3 claims)"]
    assert any(line.get_xdata()[0] == 0.7 for line in ax.get_lines())
    plt.close(fig)


def test_chain_success_plot_multiplies_the_steps():
    fig = plots.chain_success_plot((0.95, 0.9), max_steps=12, mark_steps=10)
    ax = fig.axes[0]
    lines = [line for line in ax.get_lines() if len(line.get_xdata()) == 12]
    assert list(lines[0].get_ydata()) == pytest.approx([0.95 ** k for k in range(1, 13)])
    notes = [t.get_text() for t in ax.texts]
    assert notes == ["0.60", "0.35"]  # 0.95^10 = 0.5987, 0.9^10 = 0.3487, worked by hand
    assert ax.get_xlabel() == "steps in the task" and ax.get_ylabel() == "chance that every step succeeds"
    plt.close(fig)


def test_guardrail_plot_counts_blocks_as_a_brute_force_count_does():
    rng = np.random.default_rng(3)
    planted = (rng.random(200) < 0.1).astype(int)
    scores = np.clip(rng.normal(0.3 + 0.4 * planted, 0.15), 0, 1)
    fig = plots.guardrail_plot(planted, scores, cost_false_block=2, cost_missed=50, chosen=0.5)
    left, right = fig.axes
    grid = left.get_lines()[0].get_xdata()
    caught, blocked, cost = left.get_lines()[0].get_ydata(), left.get_lines()[1].get_ydata(), right.get_lines()[0].get_ydata()
    for i in (0, 60, 100, 140, 200):
        t = grid[i]
        flagged = scores >= t
        assert caught[i] == pytest.approx(flagged[planted == 1].mean())
        assert blocked[i] == pytest.approx(flagged[planted == 0].mean())
        assert cost[i] == pytest.approx((2 * np.sum(flagged & (planted == 0)) + 50 * np.sum(~flagged & (planted == 1))) / 200)
    brute = [(2 * np.sum((scores >= t) & (planted == 0)) + 50 * np.sum((scores < t) & (planted == 1))) / 200 for t in grid]
    cheapest = [line for line in right.get_lines() if line.get_label().startswith("cheapest")][0]
    assert cheapest.get_xdata()[0] == grid[int(np.argmin(brute))]
    assert left.get_xlabel() == right.get_xlabel() == "filter threshold: block a request scoring at or above it"
    assert right.get_ylabel() == "expected cost per request (USD)"
    plt.close(fig)


@pytest.mark.parametrize("call, message", [
    (lambda: plots.failure_priority_plot({}, {}), "counts must be a non-empty mapping"),
    (lambda: plots.failure_priority_plot({"a": 2}, {"a": 9}), r"harm\['a'\] must be a whole number from 1 to 5"),
    (lambda: plots.failure_priority_plot({"a": 2}, {"b": 1}), "harm must be a mapping with a harm"),
    (lambda: plots.failure_priority_plot({"a": -1}, {"a": 1}), r"counts\['a'\] must be"),
    (lambda: plots.judge_rates_plot({"A": 0.9}), "agreements must be a mapping"),
    (lambda: plots.corrected_rate_plot([0.7]), "rates must be a mapping"),
    (lambda: plots.support_score_plot([0.5, 1.5], [True, False], 0.7), "scores must be"),
    (lambda: plots.support_score_plot([0.5, 0.6], [1, 0], 0.7), "supported must be an array of True"),
    (lambda: plots.support_score_plot([0.5, 0.6], [True], 0.7), "supported must have one value per scores value"),
    (lambda: plots.chain_success_plot([0.9, 0]), "step_rates must be"),
    (lambda: plots.chain_success_plot(max_steps=1), "max_steps must be"),
    (lambda: plots.chain_success_plot(max_steps=5, mark_steps=10), "mark_steps must be a number of steps from 1 to max_steps"),
    (lambda: plots.guardrail_plot([0, 1], [0.2, 0.9], -1, 5), "cost_false_block must be"),
    (lambda: plots.guardrail_plot([0, 1, 2], [0.2, 0.9, 0.3], 1, 5), "planted must be"),
    (lambda: plots.guardrail_plot([0, 1], [0.2], 1, 5), "scores must have one value per planted value"),
])
def test_lesson_08_figures_refuse_bad_arguments_by_name(call, message):
    with pytest.raises(ValueError, match=message):
        call()
