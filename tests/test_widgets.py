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
