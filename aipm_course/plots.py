"""Figures for the lessons, and the drawing the widgets' charts share with them (lesson 00 onwards).

Two back ends, one look. The lesson figures are Matplotlib images; the widgets draw SVG as text,
because a widget must redraw in a few milliseconds as a slider moves, which Matplotlib cannot do.
What makes a chart read the same in a lesson and in an explorer lives here, once, and both back
ends use it:

- the colours: ``palette`` (Okabe–Ito, colour-blind safe; one meaning per colour);
- the axis names with their units: ``AXES`` and ``axis_label``;
- the tick values and their text: ``nice_ticks``, ``log_ticks`` and ``tick_labels``;
- the legend texts where a figure and a widget show the same thing (``stage_label``).

``SvgPanel`` and ``svg_document`` draw the widgets' charts: axes with tick values, lines,
markers, bars and a legend, with text and axes in ``currentColor`` so that they follow the page's
theme (light or dark). Each widget chart mirrors a lesson figure: the threshold explorer
``pr_roc_plot`` and ``cost_curve_plot``, the zone explorer ``zone_plot``, the cost explorer
``pattern_cost_plot``, the rollout planner ``rollout_timeline_plot`` and the scorecard
``feasibility_chart``.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from . import validation
from .briefs import FEASIBILITY_DIMENSIONS, PATTERNS, RAW_MAX, RAW_MIN, FeasibilityResult
from .palette import COLOURS, FAINT, FIGURE, INK, PATTERN_COLOURS, ROLES, STAGE_COLOURS, VERDICT_COLOURS, ZONE_COLOURS

__all__ = [
    "COLOURS",
    "VERDICT_COLOURS",
    "AXES",
    "axis_label",
    "nice_ticks",
    "log_ticks",
    "tick_labels",
    "stage_label",
    "SvgPanel",
    "svg_document",
    "feasibility_chart",
    "pattern_ladder_chart",
    "dimension_label",
    "confusion_matrix_plot",
    "pr_roc_plot",
    "cost_curve_plot",
    "reliability_plot",
    "risk_coverage_plot",
    "zone_plot",
    "PATTERN_COLOURS",
    "pattern_cost_plot",
    "tornado_plot",
    "recall_at_k_plot",
    "abstention_plot",
    "break_even_horizon_plot",
    "seat_margin_plot",
    "rollout_timeline_plot",
    "simulation_plot",
    "drift_plot",
]


# --------------------------------------------------------------------------------------------
# Argument checks: a wrong argument is named here, never deep inside Matplotlib
# --------------------------------------------------------------------------------------------


def _text(name: str, value: Any) -> str:
    """A title or label: text, or None for none."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise validation.fail(name, value, "text (a str)")
    return value


def _axes(ax: Any):
    """Where to draw: a Matplotlib Axes, or None for a new figure."""
    from matplotlib.axes import Axes

    if ax is not None and not isinstance(ax, Axes):
        raise validation.fail("ax", ax, "a Matplotlib Axes (e.g. from plt.subplots()), or None for a new figure")
    return ax


def _instance(name: str, value: Any, kind: type, allowed: str) -> Any:
    if not isinstance(value, kind):
        raise validation.fail(name, value, allowed)
    return value


def _optional_real(name: str, value: Any, **bounds: Any) -> float | None:
    return None if value is None else validation.real(name, value, **bounds)


def _array(name: str, value: Any, *, allowed: str, infinite: bool = False) -> np.ndarray:
    """A non-empty one-dimensional array of numbers (±inf too when ``infinite``), never NaN."""
    return validation.array(name, value, allowed, infinite=infinite)


def _same_length(name: str, value: np.ndarray, other: str, length: int) -> None:
    if len(value) != length:
        raise validation.ArgumentError(f"{name} must have one value per {other} value: got {len(value)} for {length}")


def _labels(name: str, value: Any) -> np.ndarray:
    out = _array(name, value, allowed="a non-empty array of 0 and 1 (one label per case)")
    if not np.isin(out, [0, 1]).all():
        raise validation.fail(name, value, "a non-empty array of 0 and 1 (one label per case)")
    return out


def _probabilities(name: str, value: Any, length: int) -> np.ndarray:
    out = _array(name, value, allowed="a non-empty array of probabilities in [0, 1] (one per case)")
    if (out < 0).any() or (out > 1).any():
        raise validation.fail(name, value, "a non-empty array of probabilities in [0, 1] (one per case)")
    _same_length(name, out, "y_true", length)
    return out


def _items(name: str, value: Any, kind: type, allowed: str) -> list:
    """A list (or tuple) of ``kind``."""
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, kind) for v in value):
        raise validation.fail(name, value, allowed)
    return list(value)


# --------------------------------------------------------------------------------------------
# Shared by the lesson figures and the widgets' charts: axis names, ticks, legend texts
# --------------------------------------------------------------------------------------------

AXES = {
    "recall": "recall (share of positives caught)",
    "precision": "precision (share of alerts that are real)",
    "false_positive_rate": "false-positive rate (share of negatives flagged)",
    "threshold": "threshold (log scale): flag scores at or above it",
    "cost_per_case": "expected cost per case ({unit})",
    "share_of_cases": "share of cases",
    "cost_a_day": "cost a day ({unit})",
    "queries_a_day": "queries a day",
    "total_cost": "total cost over {months:g} months (thousand USD)",
    "rollout_day": "days from the start of the rollout",
    "share_of_users": "share of users on the new model",
    "feasibility_points": "points of the 0–100 feasibility score",
}


def axis_label(name: str, **units: Any) -> str:
    """Return an axis's name with its unit, e.g. "expected cost per case (USD)": the same words in a
    lesson figure and in a widget (lesson 00 onwards). ``units`` fill the blanks ({unit}, {months})."""
    if not isinstance(name, str) or name not in AXES:
        raise validation.fail("name", name, "one of " + ", ".join(map(repr, AXES)))
    try:
        return AXES[name].format(**units)
    except (KeyError, ValueError, TypeError):
        raise validation.fail("units", units, f"the values {AXES[name]!r} needs") from None


def _limits(low: Any, high: Any) -> tuple[float, float]:
    low = validation.real("low", low, allowed="a finite number")
    high = validation.real("high", high, allowed="a finite number at or above low")
    if high < low:
        raise validation.fail("high", high, f"a number at or above low ({low:g})")
    return low, high


def nice_ticks(low: float, high: float, most: int = 5) -> list[float]:
    """Return round tick values from at or below ``low`` to at or above ``high``, at most ``most`` of
    them, a step of 1, 2, 2.5 or 5 times a power of ten apart: 0, 0.25, 0.5, 0.75, 1 for a share
    (lesson 00 onwards). The first and last are the axis's ends."""
    low, high = _limits(low, high)
    most = validation.count("most", most, minimum=2, maximum=50)
    if high - low < 1e-12 * max(1.0, abs(low)):
        low, high = (0.0, 1.0) if low == 0 else (min(0.0, low), max(0.0, high))
    power = 10.0 ** math.floor(math.log10((high - low) / (most - 1)))
    for step in (m * power for m in (1, 2, 2.5, 5, 10, 20)):
        first, last = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
        if last - first + 1 <= most:
            return [float(round(k * step, 12)) for k in range(first, last + 1)]
    raise AssertionError("unreachable: a step of 20 powers always fits")  # pragma: no cover


def log_ticks(low: float, high: float, most: int = 6) -> list[float]:
    """Return powers of ten from at or below ``low`` to at or above ``high`` for a log axis, thinned
    to at most ``most`` (1 is always kept when in range), e.g. 0.0001, 0.001, 0.01, 0.1, 1 (lesson 02)."""
    low, high = _limits(low, high)
    if low <= 0:
        raise validation.fail("low", low, "a number above 0 (a log axis has no 0)")
    most = validation.count("most", most, minimum=2, maximum=50)
    first, last = math.floor(math.log10(low) + 1e-9), math.ceil(math.log10(high) - 1e-9)
    last = max(last, first + 1)
    stride = math.ceil((last - first + 1) / most)
    anchor = 0 if first <= 0 <= last else last
    return [10.0 ** e for e in range(first, last + 1) if (e - anchor) % stride == 0]


def tick_labels(ticks: Any, log: bool = False) -> list[str]:
    """Return the text of each tick: as few decimals as the values need, thousands with commas
    ("0.25", "1", "2,000"); on a log axis below 0.0001, powers of ten ("1e-6") (lesson 00 onwards)."""
    values = _array("ticks", ticks, allowed="a non-empty list of finite numbers (tick values)")
    if not isinstance(log, bool):
        raise validation.fail("log", log, "True (a log axis) or False")
    if log and ((values <= 0).any()):
        raise validation.fail("ticks", ticks, "numbers above 0 on a log axis")
    steps = np.diff(np.sort(values))
    step = float(steps[steps > 0].min()) if (steps > 0).any() else None
    out = []
    for v in values.tolist():
        if log and v < 1e-4:
            out.append(f"1e{round(math.log10(v))}" if math.isclose(10 ** round(math.log10(v)), v) else f"{v:.0e}")
            continue
        # enough decimals for the value itself and, on a linear axis, to tell it from its neighbour
        digits = next((d for d in range(13) if abs(round(v, d) - v) <= 1e-9 * max(1.0, abs(v))), 12)
        if step is not None and not log:
            digits = max(digits, next((d for d in range(13) if abs(round(step, d) - step) <= 1e-6 * step), 12))
        text = f"{v:,.{digits}f}".rstrip("0").rstrip(".") if digits else f"{v:,.0f}"
        out.append("0" if text in ("-0", "0") else text)
    return out


def stage_label(item) -> str:
    """Return a rollout stage's legend text, e.g. "Canary 7 d, 7,000 users exposed" (lesson 05);
    shadow mode reads "no user sees it" and dogfood "staff only": neither exposes a customer."""
    from .rollout import StageSchedule

    _instance("item", item, StageSchedule, "a StageSchedule, from rollout.schedule(...)")
    if not item.stage.exposed:
        return f"{item.stage.title} {item.days} d, no user sees it"
    if not item.stage.customers_exposed:
        return f"{item.stage.title} {item.days} d, staff only"
    return f"{item.stage.title} {item.days} d, {item.exposure:,.0f} users exposed"


def _use_ticks(ax, axis: str, ticks: list[float], log: bool = False) -> None:
    """Put the shared tick values and texts on a Matplotlib axis."""
    (ax.set_xticks if axis == "x" else ax.set_yticks)(ticks, tick_labels(ticks, log=log))
    if log:
        (ax.xaxis if axis == "x" else ax.yaxis).set_minor_formatter(plt.NullFormatter())


# --------------------------------------------------------------------------------------------
# The widgets' charts: SVG drawn as text (the same names, ticks and colours as the figures)
# --------------------------------------------------------------------------------------------

LEGEND_ROW = 16  # pixels a legend entry takes


def _esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _xy(x: float, y: float) -> str:
    return f"x='{x:.1f}' y='{y:.1f}'"


class SvgPanel:
    """One chart inside an SVG image: a plot area at (left, top), ``width`` × ``height`` pixels,
    showing ``xlim`` × ``ylim`` (x on a log scale with ``xlog``). Each method returns SVG text;
    text and axes are drawn in the page's text colour, data in the palette's colours (lesson 00)."""

    def __init__(self, left: float, top: float, width: float, height: float, xlim=(0.0, 1.0), ylim=(0.0, 1.0), xlog: bool = False) -> None:
        self.left, self.top, self.width, self.height, self.xlog = left, top, width, height, xlog
        self.xlim, self.ylim = (float(xlim[0]), float(xlim[1])), (float(ylim[0]), float(ylim[1]))
        x0, x1 = np.log10(self.xlim) if xlog else self.xlim
        self._x0, self._xspan = float(x0), float(x1 - x0) or 1.0
        self._yspan = (self.ylim[1] - self.ylim[0]) or 1.0

    @property
    def bottom(self) -> float:
        return self.top + self.height

    def x(self, value):
        """Pixel column of a value (or an array of them), clipped to the plot area."""
        v = np.log10(np.maximum(value, self.xlim[0])) if self.xlog else np.asarray(value, dtype=float)
        return self.left + np.clip((v - self._x0) / self._xspan, 0, 1) * self.width

    def y(self, value):
        """Pixel row of a value (or an array of them), clipped to the plot area."""
        return self.top + (1 - np.clip((np.asarray(value, dtype=float) - self.ylim[0]) / self._yspan, 0, 1)) * self.height

    def axes(self, xticks, xlabel: str, yticks=None, ylabel: str = "", title: str = "", categories=None) -> str:
        """Axes with gridlines, tick values and names; ``categories`` [(y value, name)] label bars instead
        of y ticks. Ticks beyond the axis's limits are left out (as Matplotlib does)."""
        parts = []
        xticks, yticks = self._inside(xticks, self.xlim), None if yticks is None else self._inside(yticks, self.ylim)
        for v, text in zip(xticks, tick_labels(xticks, log=self.xlog)):
            px = float(self.x(v))
            parts.append(f"<line class='grid' x1='{px:.1f}' x2='{px:.1f}' y1='{self.top:.1f}' y2='{self.bottom:.1f}' stroke='{INK}' stroke-opacity='{FAINT}'/>"
                         f"<text class='tick tick-x' {_xy(px, self.bottom + 15)} text-anchor='middle'>{text}</text>")
        labels = list(zip(yticks, tick_labels(yticks))) if yticks is not None else []
        for v, text in labels:
            py = float(self.y(v))
            parts.append(f"<line class='grid' x1='{self.left:.1f}' x2='{self.left + self.width:.1f}' y1='{py:.1f}' y2='{py:.1f}' stroke='{INK}' stroke-opacity='{FAINT}'/>"
                         f"<text class='tick tick-y' {_xy(self.left - 6, py)} dy='0.32em' text-anchor='end'>{text}</text>")
        for v, name in categories or []:
            parts.append(f"<text class='category' {_xy(self.left - 6, float(self.y(v)))} dy='0.32em' text-anchor='end'>{_esc(name)}</text>")
        parts.append(f"<path class='axis' d='M{self.left:.1f},{self.top:.1f} V{self.bottom:.1f} H{self.left + self.width:.1f}' fill='none' stroke='{INK}'/>")
        parts.append(f"<text class='axis-label axis-label-x' {_xy(self.left + self.width / 2, self.bottom + 33)} text-anchor='middle'>{_esc(xlabel)}</text>")
        if ylabel:
            widest = max([len(t) for _, t in labels] + [len(str(n)) for _, n in categories or []] + [1])
            ax_x, ax_y = self.left - 14 - 6.2 * widest, self.top + self.height / 2
            parts.append(f"<text class='axis-label axis-label-y' {_xy(ax_x, ax_y)} text-anchor='middle' transform='rotate(-90 {ax_x:.1f} {ax_y:.1f})'>{_esc(ylabel)}</text>")
        if title:
            parts.append(f"<text class='chart-title' {_xy(self.left + self.width / 2, self.top - 10)} text-anchor='middle' font-weight='bold' font-size='12'>{_esc(title)}</text>")
        return "".join(parts)

    @staticmethod
    def _inside(ticks, limits) -> list[float]:
        low, high = limits
        slack = 1e-9 * max(abs(low), abs(high), 1e-300)
        return [t for t in ticks if low - slack <= t <= high + slack]

    def line(self, xs, ys, colour: str, cls: str, width: float = 1.5, dash: str = "") -> str:
        """A line through the points (xs, ys)."""
        px, py = self.x(xs), self.y(ys)
        if not len(px):
            return ""
        d = "M" + " L".join(f"{a:.1f},{b:.1f}" for a, b in zip(px.tolist(), py.tolist()))
        dashes = f" stroke-dasharray='{dash}'" if dash else ""
        return f"<path class='{cls}' d='{d}' fill='none' stroke='{colour}' stroke-width='{width}'{dashes}/>"

    def vline(self, x: float, colour: str, cls: str, dash: str = "", width: float = 1.5) -> str:
        """A vertical line across the plot area at ``x``."""
        px = float(self.x(x))
        dashes = f" stroke-dasharray='{dash}'" if dash else ""
        return f"<line class='{cls}' x1='{px:.1f}' x2='{px:.1f}' y1='{self.top:.1f}' y2='{self.bottom:.1f}' stroke='{colour}' stroke-width='{width}'{dashes}/>"

    def marker(self, x: float, y: float, colour: str, cls: str, radius: float = 5) -> str:
        """A dot at (x, y)."""
        return f"<circle class='{cls}' cx='{float(self.x(x)):.1f}' cy='{float(self.y(y)):.1f}' r='{radius}' fill='{colour}'/>"

    def bar(self, x0: float, x1: float, y0: float, y1: float, colour: str, cls: str, opacity: float | None = None, tip: str = "") -> str:
        """A rectangle from (x0, y0) to (x1, y1) in data units; ``tip`` shows on hover."""
        left, right = sorted((float(self.x(x0)), float(self.x(x1))))
        top, bottom = sorted((float(self.y(y1)), float(self.y(y0))))
        shade = f" fill-opacity='{opacity}'" if opacity is not None else ""
        title = f"<title>{_esc(tip)}</title>" if tip else ""
        return f"<rect class='{cls}' x='{left:.1f}' y='{top:.1f}' width='{right - left:.1f}' height='{bottom - top:.1f}' fill='{colour}'{shade}>{title}</rect>"

    def label(self, x: float, y: float, text: str, cls: str, anchor: str = "start", dx: float = 0, dy: float = 0) -> str:
        """Text at (x, y) in data units, moved by (dx, dy) pixels."""
        return f"<text class='{cls}' {_xy(float(self.x(x)) + dx, float(self.y(y)) + dy)} text-anchor='{anchor}'>{_esc(text)}</text>"

    def legend(self, items, top: float | None = None) -> str:
        """A legend under the axes: one row per (text, colour, kind), kind "line", "dashed", "dotted",
        "dot", "box" or "faint" (a pale box); an item may add a fourth element, extra classes for its text."""
        y = self.bottom + 50 if top is None else top
        rows = []
        for i, (text, colour, kind, *extra) in enumerate(items):
            row_y, x = y + i * LEGEND_ROW, self.left
            if kind == "dot":
                swatch = f"<circle cx='{x + 9:.1f}' cy='{row_y - 4:.1f}' r='4.5' fill='{colour}'/>"
            elif kind in ("box", "faint"):
                shade = f" fill-opacity='{FAINT}'" if kind == "faint" else ""
                swatch = f"<rect x='{x + 2:.1f}' y='{row_y - 9:.1f}' width='14' height='10' fill='{colour}'{shade}/>"
            else:
                dash = {"dashed": " stroke-dasharray='5 3'", "dotted": " stroke-dasharray='2 2'"}.get(kind, "")
                swatch = f"<line x1='{x:.1f}' x2='{x + 18:.1f}' y1='{row_y - 4:.1f}' y2='{row_y - 4:.1f}' stroke='{colour}' stroke-width='2'{dash}/>"
            classes = " ".join(["legend-text", *extra])
            rows.append(f"{swatch}<text class='{classes}' {_xy(x + 24, row_y)}>{_esc(text)}</text>")
        return "<g class='legend'>" + "".join(rows) + "</g>"


def svg_document(body: str, width: float, height: float, label: str = "") -> str:
    """Return a whole SVG image around ``body``: its text and axes take the page's text colour
    (``currentColor``), so it reads in a light and a dark theme when placed inline (lesson 00)."""
    if not isinstance(body, str):
        raise validation.fail("body", body, "SVG text (a str)")
    width = validation.real("width", width, low=1, high=10_000, allowed="a width in pixels from 1 to 10,000")
    height = validation.real("height", height, low=1, high=10_000, allowed="a height in pixels from 1 to 10,000")
    label = _text("label", label)
    title = f"<title>{_esc(label)}</title>" if label else ""
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' class='aipm-chart' width='{width:.0f}' height='{height:.0f}' "
        f"viewBox='0 0 {width:.0f} {height:.0f}' role='img' font-family='sans-serif' font-size='11' fill='{INK}'>"
        f"{title}{body}</svg>"
    )


def dimension_label(name: str) -> str:
    """Return a dimension's name for people, e.g. "Data availability"."""
    if not isinstance(name, str):
        raise validation.fail("name", name, 'a dimension\'s name (text), e.g. "user_ai_trust"')
    words = name.replace("_", " ").replace(" ai ", " AI ")
    return words[:1].upper() + words[1:]


def feasibility_chart(result: FeasibilityResult, title: str = "", ax=None):
    """Return a bar chart of each dimension's points in a feasibility score (lesson 01)."""
    _instance("result", result, FeasibilityResult, "a FeasibilityResult, from briefs.feasibility_score(...)")
    title, ax = _text("title", title), _axes(ax)
    if ax is None:
        fig, ax = plt.subplots(figsize=(7.5, 3.6))
    else:
        fig = ax.figure
    names = [d.name for d in FEASIBILITY_DIMENSIONS]
    labels = [dimension_label(n) + (" (inverted)" if d.inverted else "") for n, d in zip(names, FEASIBILITY_DIMENSIONS)]
    most = [d.weight * 4 * 100 / (RAW_MAX - RAW_MIN) for d in FEASIBILITY_DIMENSIONS]
    points = [result.contributions[n] for n in names]
    rows = range(len(names))[::-1]
    ax.barh(rows, most, color=FIGURE["track"], label="most it can add")
    ax.barh(rows, points, color=VERDICT_COLOURS[result.verdict], label="points this idea gets")
    for row, value, top, name in zip(rows, points, most, names):
        knocked = " knock-out" if name in result.knockouts else ""  # a critical dimension at its worst: RED whatever the total
        ax.text(top + 0.6, row, f"{value:.1f} of {top:.1f}{knocked}", va="center", fontsize=9, fontweight="bold" if knocked else "normal")
    ax.set_yticks(list(rows), labels)
    _use_ticks(ax, "x", nice_ticks(0, max(most)))
    ax.set_xlim(0, max(most) + (15 if result.knockouts else 9))
    ax.set_xlabel(axis_label("feasibility_points"))
    heading = f"{title}: " if title else ""
    ax.set_title(f"{heading}{result.score:.1f}/100, {result.verdict}{' by knock-out' if result.knockouts else ''}")
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def pattern_ladder_chart(ax=None):
    """Return a bar chart of the patterns' relative governance load by rung (lesson 01). Patterns that
    share a rung (RAG and fine-tuning) stand side by side: they close different gaps, not a bigger one."""
    ax = _axes(ax)
    if ax is None:
        fig, ax = plt.subplots(figsize=(8, 3.6))
    else:
        fig = ax.figure
    import textwrap

    rungs = sorted({p.rung for p in PATTERNS})
    xs = []
    for p in PATTERNS:
        mates = [q for q in PATTERNS if q.rung == p.rung]
        xs.append(rungs.index(p.rung) + 0.46 * (mates.index(p) - (len(mates) - 1) / 2))
    width = [0.8 if sum(q.rung == p.rung for q in PATTERNS) == 1 else 0.42 for p in PATTERNS]
    names = [textwrap.fill(p.name, 12) + f"\nrung {p.rung}" for p in PATTERNS]
    loads = [p.governance_load for p in PATTERNS]
    for rung in rungs:  # a shared rung gets a pale band: one step, two patterns side by side
        if sum(p.rung == rung for p in PATTERNS) > 1:
            ax.axvspan(rungs.index(rung) - 0.48, rungs.index(rung) + 0.48, color=FIGURE["track"], zorder=0)
    bars = ax.bar(xs, loads, width=width, color=COLOURS["blue"])
    ax.bar_label(bars, labels=[str(v) for v in loads], padding=2, fontsize=9)
    ax.set_xticks(xs, names, fontsize=8)
    ax.set_ylim(0, 105)
    ax.set_ylabel("relative governance load (0–100)")
    ax.set_title("Governance load by pattern: RAG and fine-tuning share rung 4 and close different gaps", fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------------------------
# Lesson 02: thresholds and costs
# --------------------------------------------------------------------------------------------


def confusion_matrix_plot(counts, title: str = "", ax=None):
    """Return a 2×2 confusion matrix with counts and the rate each cell stands for (lesson 02)."""
    from .thresholds import ConfusionCounts

    _instance("counts", counts, ConfusionCounts, "ConfusionCounts, from thresholds.metrics_at(...)")
    title, ax = _text("title", title), _axes(ax)
    if ax is None:
        fig, ax = plt.subplots(figsize=(5.2, 4.2))
    else:
        fig = ax.figure
    cells = np.array([[counts.tp, counts.fn], [counts.fp, counts.tn]])
    positives, negatives = counts.tp + counts.fn, counts.fp + counts.tn
    rates = np.array(
        [[counts.tp / positives if positives else 0, counts.fn / positives if positives else 0],
         [counts.fp / negatives if negatives else 0, counts.tn / negatives if negatives else 0]]
    )
    names = [["caught (TP)", "missed (FN)"], ["false alarm (FP)", "correctly passed (TN)"]]
    ax.imshow(rates, cmap="Blues", vmin=0, vmax=1)
    for i in range(2):
        for j in range(2):
            colour = FIGURE["on_dark_fill"] if rates[i, j] > 0.6 else FIGURE["ink"]
            ax.text(j, i, f"{names[i][j]}\n{cells[i, j]:,}\n{rates[i, j]:.1%} of row", ha="center", va="center", color=colour, fontsize=9)
    ax.set_xticks([0, 1], ["flagged", "not flagged"])
    ax.set_yticks([0, 1], ["truly positive", "truly negative"])
    ax.set_xlabel("model decision")
    ax.set_ylabel("truth")
    ax.set_title(title or f"Confusion matrix at threshold {counts.threshold:.3g}")
    fig.tight_layout()
    return fig


def pr_roc_plot(table, chosen, title: str = ""):
    """Return precision–recall and ROC curves with the chosen threshold marked (lesson 02)."""
    from sklearn.metrics import auc

    from .thresholds import ConfusionCounts, ThresholdTable

    _instance("table", table, ThresholdTable, "a ThresholdTable, from thresholds.confusion_table(...)")
    _instance("chosen", chosen, ConfusionCounts, "ConfusionCounts at the chosen threshold, from thresholds.metrics_at(...)")
    title = _text("title", title)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    recall, precision, fpr = table.recall[1:], table.precision[1:], table.false_positive_rate[1:]
    left.plot(recall, precision, color=ROLES["measured"], label="all thresholds")
    left.plot([chosen.recall], [chosen.precision], "o", color=ROLES["choice"], markersize=9, label=f"threshold {chosen.threshold:.3g}")
    left.set_xlabel(axis_label("recall"))
    left.set_ylabel(axis_label("precision"))
    left.set_title("Precision–recall curve")
    for axis in ("x", "y"):
        _use_ticks(left, axis, nice_ticks(0, 1))
        _use_ticks(right, axis, nice_ticks(0, 1))
    left.set_xlim(0, 1.02)
    left.set_ylim(0, 1.02)
    left.legend(frameon=False)
    right.plot(fpr, table.recall[1:], color=ROLES["measured"], label=f"model (AUC {auc(table.false_positive_rate, table.recall):.3f})")
    right.plot([0, 1], [0, 1], "--", color=ROLES["reference"], label="random guessing")
    right.plot([chosen.false_positive_rate], [chosen.recall], "o", color=ROLES["choice"], markersize=9, label=f"threshold {chosen.threshold:.3g}")
    right.set_xlabel(axis_label("false_positive_rate"))
    right.set_ylabel("recall (true-positive rate)")
    right.set_title("ROC curve")
    right.legend(frameon=False, loc="lower right")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def cost_curve_plot(thresholds, cost_per_case, best, closed_form: float | None = None, unit: str = "USD", title: str = "",
                    mark: float | None = None, mark_label: str = "your choice"):
    """Return expected cost per case against threshold, minimum and closed-form threshold marked,
    and ``mark`` (e.g. the threshold you chose) as a dotted line."""
    from .thresholds import BestThreshold

    thresholds = _array("thresholds", thresholds, allowed="a non-empty array of thresholds (from thresholds.cost_curve)", infinite=True)
    cost_per_case = _array("cost_per_case", cost_per_case, allowed="a non-empty array of costs, one per threshold")
    _same_length("cost_per_case", cost_per_case, "thresholds", len(thresholds))
    if not (np.isfinite(thresholds) & (thresholds > 0)).any():
        raise validation.fail("thresholds", thresholds, "an array holding at least one finite threshold above 0")
    _instance("best", best, BestThreshold, "a BestThreshold, from thresholds.best_threshold(...)")
    closed_form = _optional_real("closed_form", closed_form, low=0, high=1, allowed="a threshold in [0, 1], or None")
    mark = _optional_real("mark", mark, low=0, high=1, allowed="a threshold in [0, 1], or None")
    unit, title, mark_label = _text("unit", unit), _text("title", title), _text("mark_label", mark_label)
    fig, ax = plt.subplots(figsize=(8, 4))
    finite = np.isfinite(thresholds) & (thresholds > 0)
    ax.plot(thresholds[finite], cost_per_case[finite], color=ROLES["measured"], label="expected cost per case")
    ax.axvline(best.threshold, color=ROLES["best"], label=f"cheapest on the data: {best.threshold:.3g}")
    if best.resamples > 0:  # no resampling, no interval: nothing drawn, nothing in the legend
        low, high = best.interval
        ax.axvspan(low, high, color=ROLES["best"], alpha=0.15, label=f"{best.confidence:.0%} bootstrap interval")
    if closed_form is not None:
        ax.axvline(closed_form, color=ROLES["reference"], linestyle="--", label=f"closed form: {closed_form:.3g}")
    if mark is not None:
        ax.axvline(mark, color=ROLES["choice"], linestyle=":", linewidth=2, label=f"{mark_label}: {mark:.3g}")
    ax.set_xscale("log")
    left_end = max(float(np.min(thresholds[finite])), 1e-4)
    shown = finite & (thresholds >= left_end)
    yticks = nice_ticks(0, float(np.max(cost_per_case[shown])))
    _use_ticks(ax, "x", log_ticks(left_end, 1.0), log=True)
    _use_ticks(ax, "y", yticks)
    ax.set_xlim(left=left_end, right=1.0)
    ax.set_ylim(0, yticks[-1])
    ax.set_xlabel(axis_label("threshold"))
    ax.set_ylabel(axis_label("cost_per_case", unit=unit))
    ax.set_title(title or "What each threshold costs")
    ax.legend(frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def reliability_plot(y_true, before, after=None, n_bins: int = 10, title: str = ""):
    """Return a reliability diagram: predicted probability against the observed rate (lesson 02)."""
    from sklearn.calibration import calibration_curve

    y_true = _labels("y_true", y_true)
    before = _probabilities("before", before, len(y_true))
    after = None if after is None else _probabilities("after", after, len(y_true))
    n_bins = validation.count("n_bins", n_bins, minimum=1, maximum=1_000)
    title = _text("title", title)
    fig, ax = plt.subplots(figsize=(5.5, 5))
    ax.plot([0, 1], [0, 1], "--", color=COLOURS["grey"], label="perfectly calibrated")
    observed, predicted = calibration_curve(y_true, before, n_bins=n_bins, strategy="uniform")
    ax.plot(predicted, observed, "o-", color=COLOURS["vermillion"], label="raw scores")
    if after is not None:
        observed, predicted = calibration_curve(y_true, after, n_bins=n_bins, strategy="uniform")
        ax.plot(predicted, observed, "s-", color=COLOURS["blue"], label="after recalibration")
    ax.set_xlabel("predicted probability (mean in each bin)")
    ax.set_ylabel("observed share of positives")
    ax.set_title(title or "Reliability diagram")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(frameon=False, loc="upper left")
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------------------------
# Lesson 03: uncertainty budgets
# --------------------------------------------------------------------------------------------


def risk_coverage_plot(curve, budget: float, chosen=None, title: str = ""):
    """Return the risk–coverage curve with the budget line and the chosen point (lesson 03)."""
    from .uncertainty import BudgetResult, RiskCoverage

    _instance("curve", curve, RiskCoverage, "a RiskCoverage, from uncertainty.risk_coverage(...)")
    budget = validation.share("budget", budget, open_low=True, open_high=True, allowed="an error budget in (0, 1), e.g. 0.05")
    if chosen is not None:
        _instance("chosen", chosen, BudgetResult, "a BudgetResult, from uncertainty.threshold_for_budget(...), or None")
    title = _text("title", title)
    fig, ax = plt.subplots(figsize=(7.5, 4))
    ax.plot(curve.coverage, curve.risk, color=COLOURS["blue"], label="error rate of the cases served")
    ax.axhline(budget, color=COLOURS["vermillion"], linestyle="--", label=f"budget: {budget:.0%}")
    if chosen is not None and chosen.met:
        ax.plot([chosen.coverage], [chosen.observed_error_rate], "o", color=COLOURS["vermillion"], markersize=9,
                label=f"chosen: {chosen.coverage:.0%} served, upper bound {chosen.upper_bound:.1%}")
        ax.vlines(chosen.coverage, chosen.observed_error_rate, chosen.upper_bound, color=COLOURS["vermillion"])
    ax.set_xlabel("coverage: share of cases served, most confident first")
    ax.set_ylabel("selective risk: error rate among them")
    ax.set_title(title or f"Risk–coverage curve (AURC {curve.aurc:.3f})")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, max(float(curve.risk[len(curve.risk) // 20:].max()) * 1.1, budget * 1.5))
    ax.legend(frameon=False, loc="upper left")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def zone_plot(result, title: str = ""):
    """Return the zones' shares of cases and of the daily cost as stacked bars (lesson 03)."""
    from .uncertainty import ZoneResult

    _instance("result", result, ZoneResult, "a ZoneResult, from uncertainty.zone_policy(...)")
    title = _text("title", title)
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.4))
    left_edge = 0.0
    for zone, colour in ZONE_COLOURS.items():
        share = result.shares[zone]
        left.barh([0], [share], left=left_edge, color=colour, label=f"{zone}: {share:.0%} (error {result.error_rates[zone]:.0%})")
        left_edge += share
    _use_ticks(left, "x", nice_ticks(0, 1))
    left.set_xlim(0, 1)
    left.set_yticks([])
    left.set_xlabel(axis_label("share_of_cases"))
    left.set_title("Where the cases go")
    left.legend(frameon=False, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.35), ncol=1)
    names = list(result.cost_parts)
    values = [result.cost_parts[k] for k in names]
    zone_of = {"errors served": "served", "confirming caveats": "caveat", "reviews by people": "human"}  # other parts: the caveat zone
    bars = right.barh(names, values, color=[ZONE_COLOURS[zone_of.get(n, "caveat")] for n in names])
    right.bar_label(bars, labels=[f"${v:,.0f}" for v in values], padding=3, fontsize=8)
    _use_ticks(right, "x", nice_ticks(0, max(values + [1])))
    right.set_xlim(0, max(values + [1]) * 1.35)
    right.invert_yaxis()
    right.set_xlabel(axis_label("cost_a_day", unit="USD"))
    right.set_title(f"${result.cost_per_day:,.0f} a day; {result.review_hours_per_day:.1f} h of reviews")
    right.spines[["top", "right"]].set_visible(False)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------------------------
# Lesson 04: costs and retrieval
# --------------------------------------------------------------------------------------------


def pattern_cost_plot(inputs=None, max_per_day: float | None = None, title: str = "", combined: bool = False):
    """Return each pattern's total cost over the horizon against queries a day, with the
    RAG/fine-tuned break-even and today's volume marked; ``combined`` adds RAG on the fine-tuned
    model (lesson 04)."""
    from .costs import CostInputs, break_even_between, patterns_for

    if inputs is not None:
        _instance("inputs", inputs, CostInputs, "CostInputs(...), or None for the lesson's assumptions")
    max_per_day = _optional_real("max_per_day", max_per_day, low=0, low_open=True, allowed="a number of queries a day above 0, or None")
    title = _text("title", title)
    inputs = CostInputs() if inputs is None else inputs
    patterns = patterns_for(inputs, validation.one_of("combined", combined, (True, False)))
    crossing = break_even_between(patterns["rag"], patterns["fine_tuned"], inputs.months)
    top = max_per_day or max(2 * inputs.queries_per_day, 1.3 * (crossing.per_day or 0), 1_000)
    per_day = np.linspace(0, top, 200)
    fig, ax = plt.subplots(figsize=(7.5, 4))
    for key, pattern in patterns.items():
        ax.plot(per_day, pattern.total_cost_per_day(per_day, inputs.months) / 1000, color=PATTERN_COLOURS[key], linewidth=2,
                label=f"{pattern.name}: \\${pattern.per_query:.4f} a query, \\${pattern.fixed_cost(inputs.months):,.0f} fixed")
    if not crossing.never:
        cost = patterns["rag"].total_cost(crossing.volume, inputs.months) / 1000
        ax.plot([crossing.per_day], [cost], "o", color=FIGURE["ink"], markersize=7, label=f"RAG = fine-tuned at {crossing.per_day:,.0f} a day")
    ax.axvline(inputs.queries_per_day, color=ROLES["reference"], linestyle=":", label=f"your volume: {inputs.queries_per_day:,.0f} a day")
    _use_ticks(ax, "x", nice_ticks(0, top, most=6))
    _use_ticks(ax, "y", nice_ticks(0, max(float(p.total_cost_per_day(top, inputs.months)) for p in patterns.values()) / 1000))
    ax.set_xlim(0, top)
    ax.set_ylim(0, None)
    ax.set_xlabel(axis_label("queries_a_day"))
    ax.set_ylabel(axis_label("total_cost", months=inputs.months))
    ax.set_title(title or f"What each pattern costs over {inputs.months:g} months")
    ax.legend(frameon=False, fontsize=8, loc="upper left")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def tornado_plot(rows, title: str = "", a: str = "RAG", b: str = "fine-tuned", most: int = 10):
    """Return a tornado chart: how the cost margin moves when each assumption moves (lesson 04).

    Each bar spans the margin (cost of B minus cost of A) at the low and the high value; the line
    at 0 is where the decision flips; the label says how far the assumption must move to get there.
    """
    from .costs import SensitivityRow

    rows = _items("rows", rows, SensitivityRow, "a list of SensitivityRow, from costs.sensitivity(...)")
    title, a, b = _text("title", title), _text("a", a), _text("b", b)
    most = validation.count("most", most, minimum=1)
    rows = rows[:most]
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(rows) + 1.4))
    positions = list(range(len(rows)))[::-1]
    for y, row in zip(positions, rows):
        low, high = row.margin_at_low / 1000, row.margin_at_high / 1000
        ax.barh(y, high - low if high >= low else low - high, left=min(low, high), color=COLOURS["sky"], height=0.6)
        ax.plot([low], [y], "<", color=COLOURS["blue"], markersize=6)
        ax.plot([high], [y], ">", color=COLOURS["vermillion"], markersize=6)
        factor = row.flip_factor
        text = "no flip within 1/100 to 100x" if factor is None else f"flips at x{factor:.2f}"
        ax.text(max(low, high), y, "  " + text, va="center", fontsize=8)
    ax.axvline(0, color=FIGURE["ink"], linewidth=1)
    ax.set_yticks(positions, [r.label for r in rows])
    ax.set_xlabel(f"{b} cost minus {a} cost (thousand USD); right of 0: {a} is cheaper")
    ax.set_title(title or "Which assumption could change the decision? (each moved -50% < and +50% >)")
    ax.spines[["top", "right"]].set_visible(False)
    left, right = ax.get_xlim()
    ax.set_xlim(min(left, 0), right + (right - min(left, 0)) * 0.35)
    fig.tight_layout()
    return fig


AXES.update({
    "horizon_months": "horizon (months)",
    "break_even_per_day": "break-even (queries a day)",
    "uses_per_seat": "uses a seat a month (log scale)",
    "share_of_seats_above": "share of seats using more (log scale)",
})


def break_even_horizon_plot(inputs=None, max_months: float = 36, title: str = ""):
    """Return the RAG/fine-tuned break-even in queries a day against the horizon: a sawtooth, one
    tooth per retrain, with the lesson's horizon marked just before and just after its end (lesson 04)."""
    from .costs import CostInputs, break_even_by_horizon

    if inputs is not None:
        _instance("inputs", inputs, CostInputs, "CostInputs(...), or None for the lesson's assumptions")
    inputs = CostInputs() if inputs is None else inputs
    top = validation.real("max_months", max_months, low=2, high=120, allowed="a number of months from 2 to 120")
    title = _text("title", title)
    every = inputs.ft_retrain_every
    retrains = [k * every for k in range(1, int(top / every) + 1) if k * every < top]
    # a fine grid, plus points either side of each retrain so that each jump is drawn upright
    months = np.unique(np.concatenate([np.linspace(1, top, 600), *[[r - 1e-6, r + 1e-6] for r in retrains if r > 1]]))
    per_day = break_even_by_horizon(inputs, months)
    fig, ax = plt.subplots(figsize=(7.5, 4))
    ax.plot(months, per_day, color=ROLES["measured"], linewidth=2, label="RAG = fine-tuned at this volume")
    for k, r in enumerate(r for r in retrains if r >= 1):
        ax.axvline(r, color=ROLES["reference"], linestyle=":", linewidth=1, label="a retrain is due" if k == 0 else None)
    here = inputs.months
    if 1 <= here <= top:
        before, after = break_even_by_horizon(inputs, [here, here + 0.01])
        for value, text in ((before, f"{here:g} months: {before:,.0f} a day"), (after, f"just after: {after:,.0f} a day")):
            if np.isfinite(value):
                ax.plot([here], [value], "o", color=ROLES["choice"], markersize=6)
                ax.annotate(text, (here, value), textcoords="offset points", xytext=(8, -3), fontsize=8)
    finite = per_day[np.isfinite(per_day)]
    _use_ticks(ax, "x", nice_ticks(0, top, most=8))
    if finite.size:
        _use_ticks(ax, "y", nice_ticks(0, float(finite.max())))
    ax.set_xlim(0, top)
    ax.set_ylim(0, None)
    ax.set_xlabel(axis_label("horizon_months"))
    ax.set_ylabel(axis_label("break_even_per_day"))
    ax.set_title(title or "The break-even depends on where the horizon ends: retrains come in lumps")
    ax.legend(frameon=False, fontsize=8, loc="upper right")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def seat_margin_plot(usage, price: float, costs_per_use, title: str = ""):
    """Return the share of seats that use more than each number of uses a month (lognormal usage,
    both axes on a log scale), with, for a flat seat price, the uses at which a seat starts to lose
    money for each cost per use: a cheaper cost per use moves that line right (lesson 04).

    ``costs_per_use`` maps a label (e.g. "GPT-4.1 RAG") to a cost per use in USD."""
    from .pricing import Usage

    _instance("usage", usage, Usage, "Usage(median=..., sigma=...), from aipm_course.pricing")
    price = validation.positive("price", price, allowed="a seat price in USD a month, above 0")
    if not isinstance(costs_per_use, Mapping) or not costs_per_use or len(costs_per_use) > 4:
        raise validation.fail("costs_per_use", costs_per_use, "a dict of 1 to 4 {label: cost per use in USD}")
    lines = {}
    for label, cost in costs_per_use.items():
        lines[_text("costs_per_use label", label)] = validation.positive(f"costs_per_use[{label!r}]", cost, allowed="a cost in USD above 0")
    title = _text("title", title)
    thresholds = {label: price / cost for label, cost in lines.items()}
    low = 10.0 ** math.floor(math.log10(usage.quantile(0.005)))  # the axis starts at a power of ten
    high = max(usage.quantile(0.9999), 1.3 * max(thresholds.values()))
    uses = np.geomspace(low, high, 400)
    above = np.array([usage.share_above(u) for u in uses.tolist()])
    fig, ax = plt.subplots(figsize=(8, 4.2 + 0.2 * len(lines)))
    ax.plot(uses, above, color=ROLES["measured"], linewidth=2, label=f"seats using more ({usage.median:,.0f} a month is the median)")
    ax.axvline(usage.mean, color=ROLES["reference"], linestyle=":", label=f"the average seat: {usage.mean:,.0f} uses a month")
    colours = (ROLES["choice"], ROLES["best"], COLOURS["orange"], COLOURS["purple"])
    for (label, cost), colour in zip(lines.items(), colours):
        t = thresholds[label]
        share = usage.share_above(t)
        shown = f"{share:.1%}" if share >= 0.01 else f"{share:.2%}"
        ax.axvline(t, color=colour, linewidth=1.5, label=f"{label} (${cost:.3g} a use): loses money above {t:,.0f} uses, {shown} of seats")
        if share > 0:
            ax.plot([t], [share], "o", color=colour, markersize=6)
    ax.set_xscale("log")
    ax.set_yscale("log")
    floor = max(1e-4, min(usage.share_above(high), 1e-3))
    ax.set_ylim(floor, 1.05)
    ax.set_xlim(low, high)
    yticks = [v for v in (1, 0.1, 0.01, 0.001, 0.0001) if v >= floor]
    ax.set_yticks(yticks, [f"{v * 100:g}%" for v in yticks])
    ax.yaxis.set_minor_formatter(plt.NullFormatter())
    _use_ticks(ax, "x", log_ticks(low, high), log=True)
    ax.set_xlim(low, high)
    ax.set_xlabel(axis_label("uses_per_seat"))
    ax.set_ylabel(axis_label("share_of_seats_above"))
    ax.set_title(title or f"Which seats lose money at ${price:,.2f} a seat a month?")
    ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(0, -0.16))
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def recall_at_k_plot(ks, recalls, title: str = ""):
    """Return retrieval recall at k against k (lesson 04)."""
    if isinstance(ks, (str, bytes, Mapping)) or np.ndim(ks) != 1 or not len(ks) or not all(validation.is_whole(k) and k >= 1 for k in ks):
        raise validation.fail("ks", ks, "a non-empty list of whole numbers 1 or more (the k of each recall)")
    recalls = _array("recalls", recalls, allowed="a non-empty list of recalls in [0, 1], one per k")
    if (recalls < 0).any() or (recalls > 1).any():
        raise validation.fail("recalls", recalls, "a non-empty list of recalls in [0, 1], one per k")
    _same_length("recalls", recalls, "ks", len(ks))
    ks, recalls, title = [int(k) for k in ks], recalls.tolist(), _text("title", title)
    fig, ax = plt.subplots(figsize=(6.5, 3.4))
    ax.plot(list(ks), list(recalls), "o-", color=COLOURS["blue"])
    for k, r in zip(ks, recalls):
        ax.annotate(f"{r:.0%}", (k, r), textcoords="offset points", xytext=(0, 7), ha="center", fontsize=8)
    ax.set_xlabel("k: documents retrieved per question")
    ax.set_ylabel("recall at k")
    ax.set_ylim(0, 1.05)
    ax.set_xticks(list(ks))
    ax.set_title(title or "How often the right policy is among the documents retrieved")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def abstention_plot(tradeoff, chosen: float | None = None, title: str = ""):
    """Return the "I don't know" trade-off: wrong answers against declined questions (lesson 04)."""
    from .retrieval import AbstentionTradeoff

    _instance("tradeoff", tradeoff, AbstentionTradeoff, "an AbstentionTradeoff, from retrieval.abstention_tradeoff(...)")
    chosen = _optional_real("chosen", chosen, low=0, high=1, allowed="a similarity threshold in [0, 1], or None")
    title = _text("title", title)
    fig, ax = plt.subplots(figsize=(7, 3.8))
    ax.plot(tradeoff.thresholds, tradeoff.wrong, color=COLOURS["vermillion"], linewidth=2, label="answered from the wrong document")
    ax.plot(tradeoff.thresholds, tradeoff.declined_answerable, color=COLOURS["blue"], linewidth=2, label="declined although the answer was there")
    if chosen is not None:
        ax.axvline(chosen, color=COLOURS["grey"], linestyle=":", label=f"threshold {chosen:.2f}")
    ax.set_xlabel("similarity threshold: below it, say \"I don't know\"")
    ax.set_ylabel("share of all questions")
    ax.set_ylim(0, 1)
    ax.set_title(title or "Saying \"I don't know\": fewer wrong answers, more questions declined")
    ax.legend(frameon=False, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------------------------
# Lesson 05: rollout
# --------------------------------------------------------------------------------------------

def rollout_timeline_plot(items, daily_users: float, title: str = ""):
    """Return the rollout as a timeline: the share of users on the new model day by day, each stage
    coloured, with its exposure written on it (lesson 05). ``items`` come from ``rollout.schedule``."""
    from .rollout import StageSchedule

    items = _items("items", items, StageSchedule, "a list of StageSchedule, from rollout.schedule(...)")
    daily_users = validation.nonnegative("daily_users", daily_users, allowed="a number of users a day, 0 or more")
    title = _text("title", title)
    fig, ax = plt.subplots(figsize=(8, 3.6))
    for item in items:
        # shadow mode and dogfood expose no customer: a thin hatched band in the stage's colour
        customers = item.stage.customers_exposed
        share = item.stage.traffic_share if customers else 0.0
        ax.fill_between([item.start_day, item.end_day], 0, [share, share], step="pre", color=STAGE_COLOURS[item.stage.kind], alpha=0.85,
                        label=stage_label(item))
        if not customers:
            ax.fill_between([item.start_day, item.end_day], 0, [0.03, 0.03], color=STAGE_COLOURS[item.stage.kind], hatch="//", alpha=0.5)
        ax.text((item.start_day + item.end_day) / 2, max(share, 0.03) + 0.03, item.stage.title, ha="center", fontsize=8)
    end = items[-1].end_day if items else 1
    _use_ticks(ax, "x", nice_ticks(0, end, most=8))
    _use_ticks(ax, "y", nice_ticks(0, 1))
    ax.set_xlim(0, end)
    ax.set_ylim(0, 1.15)
    ax.set_xlabel(axis_label("rollout_day"))
    ax.set_ylabel(axis_label("share_of_users"))
    ax.set_title(title or f"Rollout timeline: {end} days to full launch at {daily_users:,.0f} users a day")
    ax.legend(frameon=False, fontsize=7, loc="upper left")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def simulation_plot(result, plan, metric: str, title: str = ""):
    """Return one metric's daily values in a simulated rollout, on the new model and on the old
    (the control), with its gate thresholds, the stages and the day the rollout stopped (lesson 05)."""
    from .rollout import RolloutPlan, SimulationResult

    _instance("result", result, SimulationResult, "a SimulationResult, from rollout.simulate_rollout(...)")
    _instance("plan", plan, RolloutPlan, "the RolloutPlan that was simulated")
    recorded = sorted({k for r in result.days for k, v in r.items() if validation.is_number(v) and k != "day"})
    if not isinstance(metric, str) or metric not in recorded:
        raise validation.fail("metric", metric, "one of the metrics the simulation recorded: " + ", ".join(recorded))
    title = _text("title", title)
    days = [r["day"] for r in result.days if metric in r]
    values = [r[metric] for r in result.days if metric in r]
    control_days = [r["day"] for r in result.days if metric in r.get("control", {})]
    control = [r["control"][metric] for r in result.days if metric in r.get("control", {})]
    fig, ax = plt.subplots(figsize=(8, 3.6))
    ax.plot(days, values, "o-", markersize=3, color=COLOURS["blue"], label="new model")
    if control:
        ax.plot(control_days, control, "s-", markersize=2, color=COLOURS["grey"], label="old model (control)")
    thresholds = {g.threshold for s in plan.stages for g in s.gates if g.metric == metric and g.threshold is not None}
    for t in sorted(thresholds):
        ax.axhline(t, color=COLOURS["vermillion"], linestyle="--", label=f"gate: {t:g}")
    if plan.kill_metric == metric and plan.kill_threshold is not None:
        ax.axhline(plan.kill_threshold, color=FIGURE["ink"], linestyle=":", label=f"kill switch: {plan.kill_threshold:g}")
    stages = []
    for r in result.days:
        if not stages or stages[-1][0] != r["stage"]:
            stages.append([r["stage"], r["day"], r["day"]])
        stages[-1][2] = r["day"]
    top = max(values + control + list(thresholds) + [0.0]) * 1.08
    for name, first, last in stages:
        ax.axvline(first - 0.5, color=FIGURE["rule"], linewidth=1)
        ax.text((first + last) / 2, top, name, ha="center", va="bottom", fontsize=8, color=FIGURE["muted"])
    if result.stopped:
        ax.axvline(result.stop_day + 0.5, color=FIGURE["ink"], linewidth=2, label=f"stopped after day {result.stop_day}")
    ax.set_xlabel("day")
    ax.set_ylabel(metric)
    ax.set_ylim(None, top * 1.06)
    ax.set_title(title or ("Simulated rollout: " + ("stopped" if result.stopped else "reached full launch")))
    ax.legend(frameon=False, fontsize=8, loc="lower left")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def drift_plot(reference, current, report, feature: str = "feature", title: str = ""):
    """Return the reference and current distributions of a feature, with the drift figures (lesson 05)."""
    from .rollout import DriftReport

    reference = _array("reference", reference, allowed="a non-empty array of finite numbers (the feature at launch)")
    current = _array("current", current, allowed="a non-empty array of finite numbers (the feature now)")
    _instance("report", report, DriftReport, "a DriftReport, from rollout.drift_check(reference, current)")
    feature, title = _text("feature", feature), _text("title", title)
    fig, ax = plt.subplots(figsize=(7, 3.4))
    both = np.concatenate([np.asarray(reference, float), np.asarray(current, float)])
    edges = np.histogram_bin_edges(both, bins=30)
    ax.hist(reference, bins=edges, density=True, alpha=0.6, color=COLOURS["blue"], label="reference (at launch)")
    ax.hist(current, bins=edges, density=True, alpha=0.6, color=COLOURS["orange"], label="current (this week)")
    ax.set_xlabel(feature)
    ax.set_ylabel("density")
    ax.set_title(title or f"PSI {report.psi:.2f} ({report.level}), KS {report.ks_statistic:.2f}")
    ax.legend(frameon=False, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------------------------
# Lesson 08: evaluating LLM features
# --------------------------------------------------------------------------------------------

__all__ += [
    "failure_priority_plot",
    "judge_rates_plot",
    "corrected_rate_plot",
    "support_score_plot",
    "chain_success_plot",
    "guardrail_plot",
]

AXES.update({
    "failure_traces": "traces with this failure type",
    "failure_priority": "priority: traces × harm of one failure (1–5)",
    "judge_rate": "share of traces (TPR, TNR, agreement)",
    "pass_rate": "pass rate (share of answers that pass)",
    "support_score": "support score: best share of the claim's words in one passage",
    "claims_share": "share of the group's claims",
    "chain_steps": "steps in the task",
    "chain_success": "chance that every step succeeds",
    "filter_threshold": "filter threshold: block a request scoring at or above it",
    "guardrail_share": "share of requests of that kind",
    "cost_per_request": "expected cost per request ({unit})",
})

# one meaning per colour, as elsewhere: what people labelled, each judge, the line a gate draws
JUDGE_COLOURS = (COLOURS["blue"], COLOURS["orange"], COLOURS["grey"], COLOURS["purple"], COLOURS["sky"])
RATE_MARKERS = {"tpr": ("TPR: good answers it passes", COLOURS["green"], "o"),
                "tnr": ("TNR: bad answers it fails", COLOURS["vermillion"], "s"),
                "agreement": ("raw agreement with people", FIGURE["ink"], "D")}


def _counts_by_name(name: str, value: Any) -> dict[str, int]:
    """A mapping of name to a whole number 0 or more (traces of each failure type)."""
    if not isinstance(value, Mapping) or not value or not all(isinstance(k, str) for k in value):
        raise validation.fail(name, value, "a non-empty mapping of failure type to a count, e.g. {'wrong_tone': 3}")
    return {k: validation.count(f"{name}[{k!r}]", v) for k, v in value.items()}


def failure_priority_plot(counts, harm, names=None, title: str = ""):
    """Return how often each failure type occurs and its priority, traces × harm, highest first;
    the type to fix first is drawn in the colour of a choice (lesson 08)."""
    counts = _counts_by_name("counts", counts)
    if not isinstance(harm, Mapping) or set(harm) != set(counts):
        raise validation.fail("harm", harm, "a mapping with a harm from 1 to 5 for each failure type in counts")
    harm = {k: validation.count(f"harm[{k!r}]", harm[k], minimum=1, maximum=5) for k in counts}
    if names is not None and (not isinstance(names, Mapping) or not set(counts) <= set(names)):
        raise validation.fail("names", names, "a mapping with a plain name for each failure type in counts, or None")
    title = _text("title", title)
    label = {k: (names[k] if names is not None else k.replace("_", " ")) for k in counts}
    order = sorted(counts, key=lambda k: (-counts[k] * harm[k], -harm[k], k))
    rows = list(range(len(order)))[::-1]
    priority = [counts[k] * harm[k] for k in order]
    first = [ROLES["choice"] if i == 0 and priority[0] > 0 else ROLES["measured"] for i in range(len(order))]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 0.42 * len(order) + 1.7), sharey=True)
    bars = left.barh(rows, [counts[k] for k in order], color=ROLES["measured"])
    left.bar_label(bars, labels=[str(counts[k]) for k in order], padding=3, fontsize=8)
    left.set_yticks(rows, [label[k] for k in order])
    _use_ticks(left, "x", nice_ticks(0, max(max(counts.values()), 1)))
    left.set_xlim(0, max(max(counts.values()), 1) * 1.2)
    left.set_xlabel(axis_label("failure_traces"))
    left.set_title("How often")
    bars = right.barh(rows, priority, color=first)
    right.bar_label(bars, labels=[f"{counts[k]} × {harm[k]} = {p}" for k, p in zip(order, priority)], padding=3, fontsize=8)
    _use_ticks(right, "x", nice_ticks(0, max(max(priority), 1)))
    right.set_xlim(0, max(max(priority), 1) * 1.45)
    right.set_xlabel(axis_label("failure_priority"))
    right.set_title("Frequency × harm: fix the top one first")
    for ax in (left, right):
        ax.spines[["top", "right"]].set_visible(False)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def _judges(value: Any):
    from .evals import JudgeAgreement

    if not isinstance(value, Mapping) or not value or len(value) > len(JUDGE_COLOURS) or not all(
            isinstance(k, str) and isinstance(v, JudgeAgreement) for k, v in value.items()):
        raise validation.fail("agreements", value, f"a mapping of 1 to {len(JUDGE_COLOURS)} judge names to JudgeAgreement, "
                                                   "from evals.judge_agreement(...)")
    return dict(value)


def judge_rates_plot(agreements, title: str = ""):
    """Return each judge's TPR and TNR against people with their intervals, and its raw agreement:
    a judge that passes everything agrees as often as people pass, and catches nothing (lesson 08)."""
    agreements = _judges(agreements)
    title = _text("title", title)
    names = list(agreements)
    fig, ax = plt.subplots(figsize=(8, 0.75 * len(names) + 1.9))
    rows = list(range(len(names)))[::-1]
    for key, offset in (("tpr", 0.18), ("tnr", 0.0), ("agreement", -0.18)):
        text, colour, shape = RATE_MARKERS[key]
        for y, name in zip(rows, names):
            a = agreements[name]
            value = getattr(a, key)
            if math.isnan(value):
                continue
            if key != "agreement":
                low, high = getattr(a, f"{key}_interval")
                ax.plot([low, high], [y + offset] * 2, color=colour, linewidth=2)
            ax.plot([value], [y + offset], shape, color=colour, markersize=7, label=text if y == rows[0] else None)
            ax.annotate(f"{value:.0%}", (value, y + offset), textcoords="offset points", xytext=(8, -3), fontsize=7)
    ax.set_yticks(rows, names)
    _use_ticks(ax, "x", nice_ticks(0, 1))
    ax.set_xlim(0, 1.08)
    ax.set_ylim(-0.6, len(names) - 0.4)
    ax.set_xlabel(axis_label("judge_rate"))
    first = agreements[names[0]]
    ax.set_title(title or f"Judges against people on {first.n} labelled traces ({first.confidence:.0%} intervals)")
    ax.legend(frameon=False, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.28), ncol=3)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def corrected_rate_plot(rates, truth: float | None = None, minimum: float | None = None, title: str = ""):
    """Return each judge's raw pass rate and its corrected pass rate with the bootstrap interval,
    with the true pass rate (when known) and a gate's minimum as lines (lesson 08)."""
    from .evals import CorrectedRate

    if not isinstance(rates, Mapping) or not rates or len(rates) > len(JUDGE_COLOURS) or not all(
            isinstance(k, str) and isinstance(v, CorrectedRate) for k, v in rates.items()):
        raise validation.fail("rates", rates, f"a mapping of 1 to {len(JUDGE_COLOURS)} judge names to CorrectedRate, "
                                              "from evals.corrected_pass_rate_interval(...)")
    truth = _optional_real("truth", truth, low=0, high=1, allowed="a pass rate in [0, 1], or None")
    minimum = _optional_real("minimum", minimum, low=0, high=1, allowed="a gate's minimum pass rate in [0, 1], or None")
    title = _text("title", title)
    names = list(rates)
    fig, ax = plt.subplots(figsize=(8, 0.8 * len(names) + 1.9))
    rows = list(range(len(names)))[::-1]
    for y, name in zip(rows, names):
        r = rates[name]
        ax.plot([r.observed], [y + 0.15], "o", color=ROLES["reference"], markersize=7,
                label="the judge's raw pass rate" if y == rows[0] else None)
        ax.plot([r.low, r.high], [y - 0.1] * 2, color=ROLES["measured"], linewidth=3)
        ax.plot([r.estimate], [y - 0.1], "o", color=ROLES["measured"], markersize=8,
                label=f"corrected, with its {r.confidence:.0%} interval" if y == rows[0] else None)
        ax.annotate(f"{r.estimate:.1%} ({r.low:.1%} to {r.high:.1%})", (r.high, y - 0.1), textcoords="offset points", xytext=(6, -3), fontsize=8)
    if truth is not None:
        ax.axvline(truth, color=FIGURE["ink"], linestyle="--", linewidth=1, label=f"true pass rate: {truth:.1%}")
    if minimum is not None:
        ax.axvline(minimum, color=ROLES["choice"], linestyle=":", linewidth=2, label=f"gate minimum: {minimum:.0%}")
    ax.set_yticks(rows, names)
    _use_ticks(ax, "x", nice_ticks(0, 1))
    ax.set_xlim(0, 1.15)
    ax.set_ylim(-0.6, len(names) - 0.4)
    ax.set_xlabel(axis_label("pass_rate"))
    ax.set_title(title or "Corrected pass rate: the judge's pass rate, corrected for its errors")
    ax.legend(frameon=False, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.28), ncol=2)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def support_score_plot(scores, supported, threshold: float, title: str = ""):
    """Return how the support score spreads over the claims people found supported and over those they
    did not (each group's bars add up to 1), with the cut at which the score counts a claim as supported
    (lesson 08)."""
    scores = _array("scores", scores, allowed="a non-empty array of support scores in [0, 1], one per claim")
    if (scores < 0).any() or (scores > 1).any():
        raise validation.fail("scores", scores, "a non-empty array of support scores in [0, 1], one per claim")
    if isinstance(supported, (str, bytes, Mapping)) or np.ndim(supported) != 1 or not all(isinstance(v, (bool, np.bool_)) for v in supported):
        raise validation.fail("supported", supported, "an array of True (people found a passage supporting the claim) or False, one per claim")
    supported = np.asarray(supported, dtype=bool)
    _same_length("supported", supported, "scores", len(scores))
    threshold = validation.share("threshold", threshold)
    title = _text("title", title)
    fig, ax = plt.subplots(figsize=(8, 3.8))
    edges = np.linspace(0, 1, 21)
    for chosen, colour, text in ((supported, COLOURS["blue"], "supported"), (~supported, COLOURS["orange"], "not supported")):
        group = scores[chosen]  # each group's bars add up to 1, so a small group stays visible beside a large one
        ax.hist(group, bins=edges, weights=np.full(len(group), 1 / max(len(group), 1)), color=colour, alpha=0.75,
                label=f"people: {text} ({len(group):,} claims)")
    ax.axvline(threshold, color=ROLES["choice"], linestyle="--", linewidth=2, label=f"cut: supported at or above {threshold:.2f}")
    _use_ticks(ax, "x", nice_ticks(0, 1))
    ax.set_xlim(0, 1)
    ax.set_xlabel(axis_label("support_score"))
    ax.set_ylabel(axis_label("claims_share"))
    ax.set_title(title or "The support score against people's claim labels")
    ax.legend(frameon=False, fontsize=8, loc="upper left")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def chain_success_plot(step_rates=(0.99, 0.95, 0.9), max_steps: int = 20, mark_steps: int | None = 10, title: str = ""):
    """Return the chance that every step of a task succeeds against its number of steps, one line per
    step success rate (steps independent): 0.95 a step over 10 steps is about 0.60 (lesson 08)."""
    rates = _array("step_rates", step_rates, allowed="a non-empty list of step success rates in (0, 1]")
    if (rates <= 0).any() or (rates > 1).any() or len(rates) > len(JUDGE_COLOURS):
        raise validation.fail("step_rates", step_rates, f"a list of 1 to {len(JUDGE_COLOURS)} step success rates in (0, 1]")
    max_steps = validation.count("max_steps", max_steps, minimum=2, maximum=200)
    if mark_steps is not None:
        mark_steps = validation.count("mark_steps", mark_steps, minimum=1, maximum=max_steps,
                                      allowed=f"a number of steps from 1 to max_steps ({max_steps}), or None")
    title = _text("title", title)
    steps = np.arange(1, max_steps + 1)
    fig, ax = plt.subplots(figsize=(7.5, 4))
    for rate, colour in zip(rates.tolist(), JUDGE_COLOURS):
        ax.plot(steps, rate ** steps, "o-", markersize=3, color=colour, label=f"{rate:.0%} a step")
        if mark_steps is not None:
            value = rate ** mark_steps
            ax.plot([mark_steps], [value], "o", color=colour, markersize=8)
            ax.annotate(f"{value:.2f}", (mark_steps, value), textcoords="offset points", xytext=(7, 4), fontsize=8)
    if mark_steps is not None:
        ax.axvline(mark_steps, color=ROLES["reference"], linestyle=":", label=f"{mark_steps} steps")
    _use_ticks(ax, "x", nice_ticks(0, max_steps))
    _use_ticks(ax, "y", nice_ticks(0, 1))
    ax.set_xlim(0, max_steps + 0.5)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel(axis_label("chain_steps"))
    ax.set_ylabel(axis_label("chain_success"))
    ax.set_title(title or "Step success rates multiply")
    ax.legend(frameon=False, fontsize=8, loc="lower left")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def guardrail_plot(planted, scores, cost_false_block: float, cost_missed: float, chosen: float | None = None, unit: str = "USD", title: str = ""):
    """Return an injection filter's trade-off against its threshold: the share of planted instructions
    it blocks and of clean requests it blocks too (left), and the expected cost per request of false
    blocks and misses, cheapest marked (right); the arithmetic of lesson 02 (lesson 08)."""
    from .thresholds import SortedScores

    planted = _labels("planted", planted)
    scores = _array("scores", scores, allowed="a non-empty array of filter scores in [0, 1], one per request")
    if (scores < 0).any() or (scores > 1).any():
        raise validation.fail("scores", scores, "a non-empty array of filter scores in [0, 1], one per request")
    _same_length("scores", scores, "planted", len(planted))
    cost_fp = validation.nonnegative("cost_false_block", cost_false_block)
    cost_fn = validation.nonnegative("cost_missed", cost_missed)
    chosen = _optional_real("chosen", chosen, low=0, high=1, allowed="a threshold in [0, 1], or None")
    unit, title = _text("unit", unit), _text("title", title)
    thresholds = np.linspace(0, 1, 201)
    ranked = SortedScores(planted, scores)
    counts = [ranked.counts_at(t) for t in thresholds.tolist()]
    caught = np.array([c.recall for c in counts])
    blocked = np.array([c.false_positive_rate for c in counts])
    cost = np.array([c.cost_per_case(cost_fp, cost_fn) for c in counts])
    best = int(np.argmin(cost))  # the lowest of the cheapest thresholds on the grid
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.plot(thresholds, caught, color=ROLES["measured"], linewidth=2, label="planted instructions blocked (recall)")
    left.plot(thresholds, blocked, color=COLOURS["orange"], linewidth=2, label="clean requests blocked (false blocks)")
    right.plot(thresholds, cost, color=ROLES["measured"], linewidth=2, label="expected cost per request")
    right.axvline(thresholds[best], color=ROLES["best"], label=f"cheapest on the data: {thresholds[best]:.2f}")
    if chosen is not None:
        for ax in (left, right):
            ax.axvline(chosen, color=ROLES["choice"], linestyle=":", linewidth=2, label=f"your choice: {chosen:.2f}")
    for ax in (left, right):
        _use_ticks(ax, "x", nice_ticks(0, 1))
        ax.set_xlim(0, 1)
        ax.set_xlabel(axis_label("filter_threshold"))
        ax.legend(frameon=False, fontsize=8)
        ax.spines[["top", "right"]].set_visible(False)
    _use_ticks(left, "y", nice_ticks(0, 1))
    left.set_ylim(0, 1.05)
    left.set_ylabel(axis_label("guardrail_share"))
    left.set_title("What the filter blocks")
    yticks = nice_ticks(0, max(float(cost.max()), 1e-9))
    _use_ticks(right, "y", yticks)
    right.set_ylim(0, yticks[-1])
    right.set_ylabel(axis_label("cost_per_request", unit=unit))
    right.set_title("What each threshold costs")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------------------------
# Lesson 05: experiments that lie
# --------------------------------------------------------------------------------------------

__all__ += ["peeking_plot", "novelty_plot"]


def peeking_plot(results, alpha: float = 0.05, title: str = ""):
    """Return simulated tests read every day: each method's |z| line by day (left) and the share of
    tests stopped by each day (right), with alpha marked (lesson 05, "Experiments that lie").
    ``results`` maps a label to an ``experiments.simulate_peeking`` result; all cover the same days."""
    from .experiments import PeekingResult

    if not isinstance(results, Mapping) or not results or not all(isinstance(r, PeekingResult) for r in results.values()):
        raise validation.fail("results", results, "a mapping of label to PeekingResult, from experiments.simulate_peeking(...)")
    if len({r.days for r in results.values()}) != 1:
        raise validation.fail("results", results, "results over the same number of days")
    alpha = validation.real("alpha", alpha, low=0, high=0.5, low_open=True, high_open=True, allowed="a significance level in (0, 0.5)")
    title = _text("title", title)
    colours = [COLOURS["vermillion"], COLOURS["blue"], COLOURS["green"], COLOURS["orange"]]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    for (label, r), colour in zip(results.items(), colours * 3):
        days = np.arange(1, r.days + 1)
        left.plot(days, r.bounds, "o-", markersize=3, color=colour, label=label)
        right.plot(days, r.stopped_by_day, "o-", markersize=3, color=colour, label=f"{label}: {r.any_look_rate:.1%} by day {r.days}")
    right.axhline(alpha, color=FIGURE["ink"], linestyle=":", label=f"alpha: {alpha:g}")
    left.set_ylim(0, None)
    left.set_xlabel("day the test is read")
    left.set_ylabel("|z| needed to call a difference")
    left.set_title("The line each day")
    right.set_ylim(0, None)
    right.set_xlabel("day the test is read")
    right.set_ylabel("share of A/A tests stopped so far")
    right.set_title("False alarms pile up with each look")
    for ax in (left, right):
        ax.legend(frameon=False, fontsize=8)
        ax.spines[["top", "right"]].set_visible(False)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def novelty_plot(effects, lasting_effect: float, title: str = ""):
    """Return a change's true effect day by day, and what a stage that ended on each day would have
    measured (the average so far), against the lasting effect (lesson 05, "Experiments that lie")."""
    effects = _array("effects", effects, allowed="a non-empty array of daily effects, from experiments.daily_effects(...)")
    lasting = validation.real("lasting_effect", lasting_effect, low=-1, high=1, allowed="a change in a rate, from -1 to 1")
    title = _text("title", title)
    days = np.arange(1, effects.size + 1)
    fig, ax = plt.subplots(figsize=(8, 3.4))
    ax.plot(days, effects * 100, "o-", markersize=3, color=COLOURS["grey"], label="true effect that day")
    ax.plot(days, np.cumsum(effects) / days * 100, color=COLOURS["blue"], linewidth=2, label="what a stage ending that day measures")
    ax.axhline(lasting * 100, color=COLOURS["vermillion"], linestyle="--", label=f"lasting effect: {lasting * 100:+.1f} points")
    for week in range(7, effects.size, 7):
        ax.axvline(week + 0.5, color=FIGURE["rule"], linewidth=1)
    ax.set_xlabel("day of the stage")
    ax.set_ylabel("effect (percentage points)")
    ax.set_title(title or "The first days are not the lasting effect")
    ax.legend(frameon=False, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig
