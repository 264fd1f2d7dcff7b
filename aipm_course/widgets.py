"""Thin ipywidgets front ends over the package's pure functions (lesson 00 onwards).

Widgets hold no logic: a callback reads the controls, calls a pure function and writes the
result into a Label or HTML value. Tests drive them by setting ``slider.value``.
"""

from __future__ import annotations

import ipywidgets as widgets

__all__ = ["widget_check"]


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
