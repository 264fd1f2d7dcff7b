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
