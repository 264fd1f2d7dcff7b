"""Every colour the lesson figures and the widgets use, in one place (lesson 00 onwards).

Data colours are the Okabe–Ito palette: told apart with the common forms of colour blindness,
and the same in a light and a dark theme. A colour has one meaning everywhere: blue is the curve
or the thing measured, vermillion the threshold you are looking at, green the cheapest or a met
budget, grey a reference. Zones, patterns, stages and verdicts keep their colour from figure to
widget, so a chart reads the same in a lesson and in an explorer.

Ink (text, axes, gridlines) depends on where the chart is drawn:
- the lesson figures are PNG images on white, so their ink is black (``FIGURE``);
- the widgets draw SVG and HTML inside the page, so their ink is ``currentColor``: the text colour
  of the page around them. In JupyterLab's dark theme that is light (JupyterLab sets it from
  ``--jp-content-font-color1``), so labels stay readable. Borders use JupyterLab's own variable,
  with a light-theme fallback outside JupyterLab.
"""

from __future__ import annotations

__all__ = [
    "OKABE_ITO",
    "COLOURS",
    "ROLES",
    "VERDICT_COLOURS",
    "ZONE_COLOURS",
    "PATTERN_COLOURS",
    "STAGE_COLOURS",
    "FIGURE",
    "TEXT",
    "INK",
    "BORDER",
    "FAINT",
]

# Okabe & Ito (2008), "Color Universal Design".
OKABE_ITO = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "yellow": "#F0E442",
    "purple": "#CC79A7",
    "grey": "#999999",
}
COLOURS = OKABE_ITO  # the name the lesson figures have always used

# What a colour means in a chart
ROLES = {
    "measured": COLOURS["blue"],  # the curve or the quantity itself
    "choice": COLOURS["vermillion"],  # the threshold (or point) the learner is looking at
    "best": COLOURS["green"],  # the cheapest point, a budget met
    "reference": COLOURS["grey"],  # random guessing, your volume, a control group
    "warning": COLOURS["vermillion"],  # over capacity, a budget not met, a stage too short
}

VERDICT_COLOURS = {"GREEN": COLOURS["green"], "YELLOW": COLOURS["orange"], "RED": COLOURS["vermillion"]}
ZONE_COLOURS = {"served": COLOURS["blue"], "caveat": COLOURS["orange"], "human": COLOURS["green"]}
PATTERN_COLOURS = {"prompt_only": COLOURS["grey"], "rag": COLOURS["blue"], "fine_tuned": COLOURS["vermillion"], "rag_fine_tuned": COLOURS["purple"]}
STAGE_COLOURS = {
    "shadow": COLOURS["grey"], "dogfood": COLOURS["purple"], "pilot": COLOURS["sky"],
    "canary": COLOURS["orange"], "ramp": COLOURS["blue"], "full": COLOURS["green"],
}

# Neutrals of the lesson figures (Matplotlib, drawn on white)
FIGURE = {
    "ink": "#000000",  # text, reference lines, markers that are not data
    "on_dark_fill": "#ffffff",  # text on a dark cell (the confusion matrix)
    "track": "#e5e5e5",  # the "most it could be" bar behind a value
    "rule": "#dddddd",  # stage boundaries
    "muted": "#555555",  # secondary labels
}

# Text colours with enough contrast on white for small type, and readable on a dark background
TEXT = {
    "warning": COLOURS["vermillion"],
    "on_badge": "#ffffff",  # a verdict's word on its coloured badge
    "late": "#b35900",  # the drill clock over its suggested time
    "on_time": "#1a7f37",  # the drill clock within it
}

# Theme-aware values for the widgets' SVG and HTML
INK = "currentColor"
BORDER = "var(--jp-border-color1, #bdbdbd)"
FAINT = 0.18  # opacity of currentColor for gridlines and "most it could be" tracks
