"""Thin ipywidgets front ends over the package's pure functions (lesson 00 onwards).

Widgets hold no logic: a callback reads the controls, calls a pure function and writes the
result into a Label or HTML value. Tests drive them by setting ``slider.value``.
"""

from __future__ import annotations

import ipywidgets as widgets

__all__ = ["widget_check", "ScorecardExplorer", "scorecard_explorer"]


def widget_check() -> widgets.VBox:
    """Return a slider and a label that doubles its value: if it moves, widgets work here."""
    slider = widgets.IntSlider(value=3, min=0, max=10, description="Move me:", continuous_update=True)
    result = widgets.Label()

    def update(_change=None) -> None:
        result.value = f"Twice {slider.value} is {2 * slider.value}."

    slider.observe(update, names="value")
    update()
    box = widgets.VBox([slider, result])
    box.slider, box.result = slider, result  # handles for tests and curious learners
    return box


class ScorecardExplorer(widgets.VBox):
    """The feasibility scorecard as six sliders; the score, verdict and bars update as they move."""

    def __init__(self, ratings: dict[str, int] | None = None) -> None:
        from .briefs import FEASIBILITY_DIMENSIONS
        from .plots import dimension_label

        from .briefs import _check_rating

        start = {d.name: 3 for d in FEASIBILITY_DIMENSIONS}
        for name, value in (ratings or {}).items():
            if name not in start:
                raise ValueError(f"unknown dimension {name!r}; the dimensions are {', '.join(start)}")
            start[name] = _check_rating(name, value)
        self.sliders = {
            d.name: widgets.IntSlider(
                value=start[d.name],
                min=1,
                max=5,
                description=dimension_label(d.name) + (" (inverted)" if d.inverted else ""),
                tooltip=d.question,
                style={"description_width": "230px"},
                layout=widgets.Layout(width="480px"),
                continuous_update=True,
            )
            for d in FEASIBILITY_DIMENSIONS
        }
        self.questions = widgets.HTML(
            "<details><summary>What each rating means</summary>"
            + "<br>".join(f"<b>{dimension_label(d.name)}</b>: {d.question}" for d in FEASIBILITY_DIMENSIONS)
            + "<br>An inverted dimension counts against the idea when rated high (it scores 6 − rating).</details>"
        )
        self.score_label = widgets.HTML()
        self.chart = widgets.HTML()
        self.result = None
        for slider in self.sliders.values():
            slider.observe(self._update, names="value")
        super().__init__(
            [widgets.HBox([widgets.VBox(list(self.sliders.values())), self.chart]), self.score_label, self.questions]
        )
        self._update()

    def _update(self, _change=None) -> None:
        from .briefs import feasibility_score

        self.result = feasibility_score(**{name: s.value for name, s in self.sliders.items()})
        self.score_label.value = _verdict_html(self.result)
        self.chart.value = _contribution_bars_html(self.result)

    def __repr__(self) -> str:  # the plain-text form stored in notebooks: short and readable
        return f"ScorecardExplorer({self.result})"


def _verdict_html(result) -> str:
    from .plots import VERDICT_COLOURS

    colour = VERDICT_COLOURS[result.verdict]
    return (
        f"<div style='font-size:1.15em'><b>Score: {result.score:.1f} / 100</b> "
        f"<span style='background:{colour};color:white;padding:1px 8px;border-radius:3px'>{result.verdict}</span>"
        f"</div><div>{result.guidance}</div>"
    )


def _contribution_bars_html(result) -> str:
    """Draw each dimension's points as an HTML bar: quick to redraw, and testable as text."""
    from .briefs import FEASIBILITY_DIMENSIONS, RAW_MAX, RAW_MIN
    from .plots import VERDICT_COLOURS, dimension_label

    colour = VERDICT_COLOURS[result.verdict]
    rows = []
    for dim in FEASIBILITY_DIMENSIONS:
        most = dim.weight * 4 * 100 / (RAW_MAX - RAW_MIN)
        points = result.contributions[dim.name]
        rows.append(
            f"<div style='display:flex;align-items:center;margin:3px 0'>"
            f"<span style='width:150px'>{dimension_label(dim.name)}</span>"
            f"<span style='display:inline-block;width:{most * 6:.0f}px;background:#e5e5e5'>"
            f"<span style='display:block;width:{points * 6:.0f}px;height:14px;background:{colour}'></span></span>"
            f"<span style='margin-left:6px'>{points:.1f} of {most:.1f}</span></div>"
        )
    return "<div><b>Points per dimension</b>" + "".join(rows) + "</div>"


def scorecard_explorer(**ratings: int) -> ScorecardExplorer:
    """Return the interactive feasibility scorecard, starting from the given ratings (lesson 01)."""
    return ScorecardExplorer(ratings)
