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
