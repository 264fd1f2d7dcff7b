"""Widgets are driven as a learner would: by setting their values."""

from aipm_course.widgets import widget_check


def test_widget_check_label_follows_the_slider():
    box = widget_check()
    assert box.result.value == "Twice 3 is 6."
    box.slider.value = 7
    assert box.result.value == "Twice 7 is 14."
    box.slider.value = 0
    assert box.result.value == "Twice 0 is 0."


def test_scorecard_explorer_shows_what_the_function_computes():
    from aipm_course.briefs import feasibility_score
    from aipm_course.widgets import scorecard_explorer

    explorer = scorecard_explorer(data_availability=5, accuracy_requirement=2, latency_tolerance=5, failure_impact=1, alternatives_exist=4, user_ai_trust=5)
    assert "Score: 86.7 / 100" in explorer.score_label.value and "GREEN" in explorer.score_label.value
    moves = {"failure_impact": 5, "data_availability": 2, "user_ai_trust": 1, "accuracy_requirement": 5}
    for name, value in moves.items():
        explorer.sliders[name].value = value
        expected = feasibility_score(**{n: s.value for n, s in explorer.sliders.items()})
        assert f"Score: {expected.score:.1f} / 100" in explorer.score_label.value
        assert expected.verdict in explorer.score_label.value
        for dim_points in expected.contributions.values():
            assert f"{dim_points:.1f} of" in explorer.chart.value
    assert explorer.result.verdict == "RED" and "RED" in repr(explorer)


def test_scorecard_explorer_shows_a_knock_out_and_what_the_total_alone_would_say():
    from aipm_course.widgets import scorecard_explorer

    # The ratings (5,4,5,5,1,5) total 70.0 by hand: 100 + 20 + 50 + 15 + 50 + 50 = 285, (285 - 75) / 3 = 70.
    explorer = scorecard_explorer(data_availability=5, accuracy_requirement=4, latency_tolerance=5, failure_impact=5,
                                  alternatives_exist=1, user_ai_trust=5)
    label = explorer.score_label.value
    assert "Score: 70.0 / 100" in label and ">RED<" in label
    assert "Knock-out:</b> failure impact rated 5" in label and "total alone would say GREEN" in label
    assert "70.0/100, RED by knock-out" in explorer.chart.value and "0.0 of 20.0 knock-out" in explorer.chart.value
    explorer.sliders["failure_impact"].value = 4  # no longer catastrophic: the total decides again
    assert "Knock-out" not in explorer.score_label.value and "knock-out" not in explorer.chart.value
    # failure impact 4 counts 6 - 4 = 2: 15 * 2 = 30 instead of 15, so 300 -> (300 - 75) / 3 = 75.0
    assert "Score: 75.0 / 100" in explorer.score_label.value and explorer.result.verdict == "GREEN"
    explorer.sliders["data_availability"].value = 1  # no data: a knock-out of its own
    assert "data availability rated 1" in explorer.score_label.value and explorer.result.verdict == "RED"
    assert "Knock-outs:" in explorer.questions.value


def test_scorecard_explorer_rejects_bad_starting_ratings():
    import pytest

    from aipm_course.widgets import scorecard_explorer

    with pytest.raises(ValueError, match="failure_impact must be a whole number from 1 to 5, got 9"):
        scorecard_explorer(failure_impact=9)
    with pytest.raises(ValueError, match="unknown dimension 'speed'"):
        scorecard_explorer(speed=3)


def test_threshold_explorer_reports_what_the_functions_compute():
    import pytest

    from aipm_course import thresholds as th
    from aipm_course.widgets import threshold_explorer

    explorer = threshold_explorer("card_fraud", seed=0)
    data = explorer.data
    best = th.best_threshold(data.y_true, data.scores, data.cost_fp, data.cost_fn, resamples=0)
    assert explorer.threshold.value == pytest.approx(best.threshold)
    for value in (0.001, 0.02, 0.3):
        explorer.threshold.value = value
        expected = th.metrics_at(data.y_true, data.scores, explorer.threshold.value)
        assert (explorer.counts.tp, explorer.counts.fp, explorer.counts.fn, explorer.counts.tn) == (expected.tp, expected.fp, expected.fn, expected.tn)
        assert f"{expected.tp:,}</td><td" in explorer.matrix.value
        assert f"Precision: <b>{expected.precision:.1%}</b>" in explorer.metrics.value
        assert f"Recall: <b>{expected.recall:.1%}</b>" in explorer.metrics.value
        alerts = expected.flagged / expected.n * data.cases_per_day
        assert f"Alerts a day: <b>{alerts:,.0f}</b>" in explorer.metrics.value
        cost = expected.cost_per_case(data.cost_fp, data.cost_fn) * data.cases_per_day
        assert f"{cost:,.0f} USD" in explorer.metrics.value
    # the marker on the precision-recall curve moves with the threshold
    first = explorer.curves.value
    explorer.threshold.value = 0.002
    assert explorer.curves.value != first and "marker-pr" in explorer.curves.value
    # editable costs change the cost a day
    explorer.cost_fn.value = 1000.0
    doubled = explorer.counts.cost_per_case(explorer.cost_fp.value, 1000.0) * data.cases_per_day
    assert f"{doubled:,.0f} USD" in explorer.metrics.value
    # the dropdown switches scenario and resets the costs to that scenario's
    explorer.scenario_menu.value = "content_moderation"
    assert explorer.data.key == "content_moderation" and explorer.cost_fn.value == explorer.data.cost_fn
    assert "Content moderation" in repr(explorer)


def test_threshold_explorer_rejects_an_unknown_scenario():
    import pytest

    from aipm_course.widgets import threshold_explorer

    with pytest.raises(ValueError, match="scenario must be one of"):
        threshold_explorer("weather")


# ------------------------------------------------------------------------------------------------
# The widgets' charts: read as SVG, the way a browser would, not as the code builds them
# ------------------------------------------------------------------------------------------------

import math  # noqa: E402
import re  # noqa: E402
import xml.etree.ElementTree as ET  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402

SVG = "{http://www.w3.org/2000/svg}"


def charts(markup: str) -> dict:
    """{chart name: its <g> element} of a widget's SVG (it must parse as XML)."""
    root = ET.fromstring(markup)
    assert root.tag == SVG + "svg"
    found = {g.get("class").split("chart-", 1)[1]: g for g in root.iter(SVG + "g") if "chart" in (g.get("class") or "").split()}
    assert found, "no chart in the SVG"
    return found


def texts(element, cls: str) -> list[str]:
    return ["".join(t.itertext()) for t in element.iter(SVG + "text") if cls in (t.get("class") or "").split()]


def text_elements(element, cls: str) -> list:
    return [t for t in element.iter(SVG + "text") if cls in (t.get("class") or "").split()]


def as_number(text: str) -> float:
    return float(text.replace(",", ""))


def ticks(chart, axis: str) -> list[float]:
    return [as_number(t) for t in texts(chart, f"tick-{axis}")]


def axis_scale(chart, axis: str):
    """value -> pixel along an axis, read from where two of its tick labels sit (log axes: by decade)."""
    elements = text_elements(chart, f"tick-{axis}")
    coordinate = "x" if axis == "x" else "y"
    points = [(as_number("".join(e.itertext())), float(e.get(coordinate))) for e in elements]
    (v0, p0), (v1, p1) = points[0], points[-1]
    log = v0 > 0 and v1 / v0 >= 100 and all(math.isclose(math.log10(v), round(math.log10(v))) for v, _ in points)
    f = math.log10 if log else (lambda v: v)
    return lambda v: p0 + (f(v) - f(v0)) / (f(v1) - f(v0)) * (p1 - p0)


def evenly_spaced(values: list[float]) -> bool:
    steps = np.diff(values)
    return len(values) >= 3 and (steps > 0).all() and np.allclose(steps, steps[0], rtol=1e-9)


def assert_theme_aware(markup: str) -> None:
    """Text and axes take the page's colour: no text painted in a fixed colour."""
    root = ET.fromstring(markup)
    assert root.get("fill") == "currentColor"
    for t in root.iter(SVG + "text"):
        assert t.get("fill") in (None, "currentColor"), ET.tostring(t)
    axes = [p for p in root.iter(SVG + "path") if "axis" in (p.get("class") or "").split()]
    assert axes and all(p.get("stroke") == "currentColor" for p in axes)


def circle(chart, cls: str):
    found = [c for c in chart.iter(SVG + "circle") if cls in (c.get("class") or "").split()]
    assert len(found) == 1, cls
    return float(found[0].get("cx")), float(found[0].get("cy"))


def test_threshold_explorer_charts_have_values_units_legends_and_a_marker_that_reads_and_moves():
    from aipm_course import thresholds as th
    from aipm_course.widgets import threshold_explorer

    explorer = threshold_explorer("card_fraud", seed=0)
    data = explorer.data
    seen = set()
    for value in (0.002, 0.05, 0.4):
        explorer.threshold.value = value
        t = explorer.threshold.value
        expected = th.metrics_at(data.y_true, data.scores, t)
        markup = explorer.curves.value
        assert_theme_aware(markup)
        pr, cost = charts(markup)["pr"], charts(markup)["cost"]
        # precision-recall: both axes 0 to 1 in quarters, named with what they mean
        assert ticks(pr, "x") == [0, 0.25, 0.5, 0.75, 1] and ticks(pr, "y") == [0, 0.25, 0.5, 0.75, 1]
        assert texts(pr, "axis-label-x") == ["recall (share of positives caught)"]
        assert texts(pr, "axis-label-y") == ["precision (share of alerts that are real)"]
        assert len(texts(pr, "legend-text")) == 2
        assert texts(pr, "marker-value") == [f"threshold {t:.3g}: precision {expected.precision:.1%}, recall {expected.recall:.1%}"]
        x_of, y_of = axis_scale(pr, "x"), axis_scale(pr, "y")
        cx, cy = circle(pr, "marker-pr")
        assert cx == pytest.approx(x_of(expected.recall), abs=0.6) and cy == pytest.approx(y_of(expected.precision), abs=0.6)
        # cost: thresholds by decade from the slider's lowest to 1, cost per case in USD, real values
        decades = ticks(cost, "x")
        assert decades[-1] == 1 and decades[0] <= 10**explorer.threshold.min
        assert all(math.isclose(math.log10(d), round(math.log10(d))) for d in decades)
        assert texts(cost, "axis-label-y") == ["expected cost per case (USD)"]
        assert "threshold (log scale)" in texts(cost, "axis-label-x")[0]
        grid, per_case = th.cost_curve(data.y_true, data.scores, explorer.cost_fp.value, explorer.cost_fn.value)
        shown = per_case[(grid >= 10**explorer.threshold.min) & (grid <= 1)]
        costs = ticks(cost, "y")
        assert evenly_spaced(costs) and costs[0] == 0 and shown.max() <= costs[-1] < 2.5 * shown.max()
        assert len(texts(cost, "legend-text")) == 3
        cost_here = expected.cost_per_case(data.cost_fp, data.cost_fn)
        (marker_text,) = texts(cost, "marker-value")
        assert f"threshold {t:.3g}: " in marker_text and f"{cost_here * data.cases_per_day:,.0f} a day" in marker_text
        assert f"{cost_here:.3g} USD a case" in marker_text
        cx, cy = circle(cost, "marker-cost")
        assert cx == pytest.approx(axis_scale(cost, "x")(t), abs=0.6) and cy == pytest.approx(axis_scale(cost, "y")(cost_here), abs=0.6)
        seen.add(markup)
    assert len(seen) == 3  # the charts followed the slider


def test_threshold_explorer_cost_chart_follows_the_costs_typed_in():
    from aipm_course import thresholds as th
    from aipm_course.widgets import threshold_explorer

    explorer = threshold_explorer("card_fraud", seed=0)
    before = ticks(charts(explorer.curves.value)["cost"], "y")
    explorer.cost_fn.value = 5000.0
    data = explorer.data
    cost = charts(explorer.curves.value)["cost"]
    after = ticks(cost, "y")
    grid, per_case = th.cost_curve(data.y_true, data.scores, data.cost_fp, 5000.0)
    shown = per_case[(grid >= 10**explorer.threshold.min) & (grid <= 1)]
    assert after != before and shown.max() <= after[-1] < 2.5 * shown.max()  # ten times dearer misses: a new scale, in real values
    best = th.best_threshold(data.y_true, data.scores, data.cost_fp, 5000.0, resamples=0)
    assert f"cheapest on the data: {best.threshold:.3g}" in texts(cost, "legend-text")


def test_zone_explorer_draws_shares_and_costs_with_values_and_updates():
    from aipm_course import uncertainty as u
    from aipm_course.widgets import zone_explorer

    explorer = zone_explorer("support_tickets", seed=0)
    d = explorer.data
    previous = None
    for caveat, human in [(0.95, 0.7), (0.8, 0.4)]:
        explorer.caveat.value = caveat
        explorer.human.value = human
        expected = u.zone_policy(d.correct, d.confidence, caveat, human, cases_per_day=d.cases_per_day, cost_error_served=d.cost_error_served,
                                 cost_error_caveat=d.cost_error_caveat, cost_per_review=d.cost_per_review, minutes_per_review=d.minutes_per_review,
                                 seconds_per_confirmation=15, slip_through_rate=0.3)  # the explorer's starting assumptions
        markup = explorer.chart.value
        assert_theme_aware(markup)
        found = charts(markup)
        shares, costs = found["shares"], found["zone-costs"]
        assert ticks(shares, "x") == [0, 0.25, 0.5, 0.75, 1] and texts(shares, "axis-label-x") == ["share of cases"]
        legend = texts(shares, "legend-text")
        assert len(legend) == 3
        assert f"served: {expected.shares['served']:.0%} (error {expected.error_rates['served']:.0%})" in legend
        spend = ticks(costs, "x")
        assert evenly_spaced(spend) and spend[0] == 0 and texts(costs, "axis-label-x") == ["cost a day (USD)"]
        assert texts(costs, "category") == ["errors served", "errors with a caveat", "confirming caveats", "reviews by people"]
        assert texts(costs, "bar-value") == [f"${v:,.0f}" for v in expected.cost_parts.values()]
        assert max(expected.cost_parts.values()) <= spend[-1] * 1.4
        assert f"caveat below {caveat:.3f}, person below {human:.3f}" in "".join(ET.fromstring(markup).itertext())
        assert texts(costs, "chart-title") == [f"${expected.cost_per_day:,.0f} a day; {expected.review_hours_per_day:.1f} h of reviews"]
        assert markup != previous
        previous = markup
    explorer.seconds.value = 0  # confirming unpriced: that bar goes
    assert "confirming caveats" not in texts(charts(explorer.chart.value)["zone-costs"], "category")


def test_issue_threshold_explorer_shows_a_tiny_threshold_readably():
    from aipm_course import thresholds as th
    from aipm_course.widgets import threshold_explorer

    explorer = threshold_explorer("card_fraud", seed=0)
    explorer.scenario_menu.value = "medical_screening"  # its cheapest threshold is about 3e-12
    data = explorer.data
    best = th.best_threshold(data.y_true, data.scores, data.cost_fp, data.cost_fn, resamples=0).threshold
    assert best < 1e-10 and explorer.threshold.value == pytest.approx(best)
    shown = f"{explorer.threshold.value:{explorer.threshold.readout_format}}"  # the slider's readout format, as Python reads it
    assert shown != "0.0000" and float(shown) == pytest.approx(best, rel=1e-3)
    explorer.scenario_menu.value = "card_fraud"
    shown = f"{explorer.threshold.value:{explorer.threshold.readout_format}}"
    assert abs(float(shown) - explorer.threshold.value) <= 5e-5  # as fine as four decimals, or finer


def test_scorecard_chart_has_a_points_axis_a_legend_and_each_value():
    from aipm_course.briefs import feasibility_score
    from aipm_course.widgets import scorecard_explorer

    explorer = scorecard_explorer(failure_impact=5)
    for move in (1, 5):
        explorer.sliders["data_availability"].value = move
        expected = feasibility_score(**{n: s.value for n, s in explorer.sliders.items()})
        markup = explorer.chart.value
        assert_theme_aware(markup)
        (chart,) = charts(markup).values()
        points = ticks(chart, "x")
        assert evenly_spaced(points) and points[0] == 0 and texts(chart, "axis-label-x") == ["points of the 0–100 feasibility score"]
        assert texts(chart, "legend-text") == ["most it can add", "points this idea gets"]
        assert [t.split(" of ")[0] for t in texts(chart, "bar-value")] == [f"{v:.1f}" for v in expected.contributions.values()]
        knocked = " by knock-out" if expected.knockouts else ""
        assert texts(chart, "chart-title") == [f"{expected.score:.1f}/100, {expected.verdict}{knocked}"]
        assert any(t.endswith("knock-out") for t in texts(chart, "bar-value"))  # failure impact 5 is marked on its bar


def test_rollout_planner_timeline_has_days_shares_a_legend_and_follows_the_controls():
    from aipm_course import rollout
    from aipm_course.widgets import rollout_planner

    planner = rollout_planner()
    lengths = set()
    for users in (20_000, 4_000):
        planner.daily_users.value = users
        items = rollout.schedule(rollout.example_plan(), users, 0.60)
        markup = planner.timeline.value
        assert_theme_aware(markup)
        (chart,) = charts(markup).values()
        days, shares = ticks(chart, "x"), ticks(chart, "y")
        assert evenly_spaced(days) and days[0] == 0 and days[-1] <= items[-1].end_day < days[-1] + (days[1] - days[0])
        assert shares == [0, 0.25, 0.5, 0.75, 1]
        assert texts(chart, "axis-label-x") == ["days from the start of the rollout"]
        assert texts(chart, "axis-label-y") == ["share of users on the new model"]
        # shadow mode and dogfood (the staff) expose no customer; the others count the users they expose
        words = {"shadow": "no user sees it", "dogfood": "staff only"}
        assert texts(chart, "legend-text") == [f"{i.stage.title} {i.days} d, {words.get(i.stage.kind, f'{i.exposure:,.0f} users exposed')}" for i in items]
        lengths.add(items[-1].end_day)
    assert len(lengths) == 2


# ------------------------------------------------------------------------------------------------
# Stills: a picture and a sentence for a page without a kernel
# ------------------------------------------------------------------------------------------------

LESSON_CALLS = {
    "01": "from aipm_course.widgets import scorecard_explorer\n\nscorecard_explorer(\n    data_availability=3, accuracy_requirement=4, "
          "latency_tolerance=4, failure_impact=3, alternatives_exist=2, user_ai_trust=3\n)",
    "02": 'from aipm_course.widgets import threshold_explorer\n\nthreshold_explorer("card_fraud", seed=0)',
    "03": 'from aipm_course.widgets import zone_explorer\n\nzone_explorer("support_tickets", seed=0)',
    "04": "from aipm_course.widgets import cost_explorer\n\ncost_explorer()",
    "05": "from aipm_course.widgets import rollout_planner\n\nrollout_planner(daily_users=20_000, p_baseline=0.60, effect=0.02)",
}


def test_still_shows_the_chart_as_it_stands_and_says_what_moving_would_show():
    from aipm_course import widgets as w

    explorer = w.threshold_explorer("card_fraud", seed=0)
    explorer.threshold.value = 0.3
    image, sentence = w.still(explorer)
    assert image == explorer.curves.value and "marker-value" in image
    assert sentence.startswith("Moving") and sentence.count(".") == 1 and sentence.endswith(".")
    for widget in (w.zone_explorer(), w.cost_explorer(), w.scorecard_explorer(), w.rollout_planner(), w.widget_check()):
        image, sentence = w.still(widget)
        ET.fromstring(image)
        assert sentence.startswith("Moving") and len(sentence) > 40
    box = w.widget_check()
    box.slider.value = 4
    assert "Twice 4 is 8." in "".join(ET.fromstring(w.still(box)[0]).itertext())


def test_still_of_a_planner_whose_controls_contradict_each_other_shows_its_message():
    from aipm_course import widgets as w

    planner = w.rollout_planner()
    planner.p_baseline.value = 0.05
    planner.effect.value = 0.1
    image, _ = w.still(planner)
    assert "The drop is bigger than the baseline rate" in "".join(ET.fromstring(image).itertext())


@pytest.mark.parametrize("not_a_widget", [None, 3, "threshold_explorer()", object()])
def test_still_refuses_what_is_not_a_known_widget(not_a_widget):
    from aipm_course import widgets as w

    with pytest.raises(ValueError, match=r"widget must be a ScorecardExplorer, ThresholdExplorer"):
        w.still(not_a_widget)


def test_still_refuses_widgets_without_a_still():
    from aipm_course import widgets as w

    with pytest.raises(ValueError, match="widget must be"):
        w.still(w.drill_practice(seed=0))


@pytest.mark.parametrize("module", sorted(LESSON_CALLS))
def test_still_for_builds_each_lessons_widget_from_its_cell(module):
    from aipm_course import widgets as w

    found = w.still_for(LESSON_CALLS[module])
    assert found is not None
    image, sentence = found
    assert charts(image) and sentence.startswith("Moving")
    for chart in charts(image).values():
        assert ticks(chart, "x"), module  # every chart has values on its value axis


def test_still_for_uses_the_cells_arguments():
    from aipm_course import widgets as w

    a, _ = w.still_for("cost_explorer(months=6)")
    b, _ = w.still_for("cost_explorer()")
    assert "over 6 months" in a and "over 12 months" in b
    moderation, _ = w.still_for('import aipm_course.widgets as w\nw.threshold_explorer("content_moderation", seed=1)')
    assert "Content moderation" in moderation


def test_still_for_the_lessons_cells_as_stored():
    """Every lesson cell whose stored output is a widget either has a still or is a practice widget."""
    import json
    from pathlib import Path

    from aipm_course import widgets as w

    root = Path(__file__).resolve().parents[1]
    built = set()
    for path in sorted((root / "notebooks").glob("0*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            outputs = cell.get("outputs", [])
            if cell["cell_type"] != "code" or not any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs):
                continue
            source = "".join(cell["source"])
            found = w.still_for(source)
            if found is None:
                assert re.search(r"\b(drill_practice|self_scorer|adaptive_practice)\(", source), (path.name, source)
            else:
                built.add(path.name[:2])
    assert built >= {"00", "01", "02", "03", "04", "05"}


@pytest.mark.parametrize("source", [
    "", "x = 1", "print('hi')", "threshold_explorer", "threshold_explorer(scenario)", "cost_explorer(**assumptions)",
    "drill_practice(seed=0)", "eval('cost_explorer()')", "cost_explorer(months=__import__('os').getpid())", "def f(:", "cost_explorer()\nx = 1",
])
def test_still_for_returns_none_for_anything_else_and_never_runs_code(source):
    from aipm_course import widgets as w

    assert w.still_for(source) is None


def test_still_for_refuses_what_is_not_source_text_and_names_a_bad_call():
    from aipm_course import widgets as w

    for bad in (None, 3, b"cost_explorer()", ["cost_explorer()"]):
        with pytest.raises(ValueError, match="call must be a code cell's source text"):
            w.still_for(bad)
    with pytest.raises(ValueError, match=r"call .*threshold_explorer\('weather'\).* could not build its widget: scenario must be one of"):
        w.still_for("threshold_explorer('weather')")
    with pytest.raises(ValueError, match="could not build its widget"):
        w.still_for("cost_explorer(1, 2, 3)")
