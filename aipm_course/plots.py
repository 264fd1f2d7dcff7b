"""Figures for the lessons: titled, labelled, in colour-blind-safe colours (Okabe–Ito)."""

from __future__ import annotations

import matplotlib.pyplot as plt

from .briefs import FEASIBILITY_DIMENSIONS, PATTERNS, RAW_MAX, RAW_MIN, FeasibilityResult

__all__ = ["COLOURS", "VERDICT_COLOURS", "feasibility_chart", "pattern_ladder_chart", "dimension_label"]

# Okabe–Ito palette: distinguishable with the common forms of colour blindness.
COLOURS = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "yellow": "#F0E442",
    "purple": "#CC79A7",
    "grey": "#999999",
}
VERDICT_COLOURS = {"GREEN": COLOURS["green"], "YELLOW": COLOURS["orange"], "RED": COLOURS["vermillion"]}


def dimension_label(name: str) -> str:
    """Return a dimension's name for people, e.g. "Data availability"."""
    words = name.replace("_", " ").replace(" ai ", " AI ")
    return words[:1].upper() + words[1:]


def feasibility_chart(result: FeasibilityResult, title: str = "", ax=None):
    """Return a bar chart of each dimension's points in a feasibility score (lesson 01)."""
    if ax is None:
        fig, ax = plt.subplots(figsize=(7.5, 3.6))
    else:
        fig = ax.figure
    names = [d.name for d in FEASIBILITY_DIMENSIONS]
    labels = [dimension_label(n) + (" (inverted)" if d.inverted else "") for n, d in zip(names, FEASIBILITY_DIMENSIONS)]
    most = [d.weight * 4 * 100 / (RAW_MAX - RAW_MIN) for d in FEASIBILITY_DIMENSIONS]
    points = [result.contributions[n] for n in names]
    rows = range(len(names))[::-1]
    ax.barh(rows, most, color="#e5e5e5", label="most it can add")
    ax.barh(rows, points, color=VERDICT_COLOURS[result.verdict], label="points this idea gets")
    for row, value, top in zip(rows, points, most):
        ax.text(top + 0.6, row, f"{value:.1f} of {top:.1f}", va="center", fontsize=9)
    ax.set_yticks(list(rows), labels)
    ax.set_xlim(0, max(most) + 9)
    ax.set_xlabel("points of the 0–100 feasibility score")
    heading = f"{title}: " if title else ""
    ax.set_title(f"{heading}{result.score:.1f}/100, {result.verdict}")
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def pattern_ladder_chart(ax=None):
    """Return a bar chart of the patterns' relative governance load, smallest first (lesson 01)."""
    if ax is None:
        fig, ax = plt.subplots(figsize=(7.5, 3))
    else:
        fig = ax.figure
    names = [p.name.replace(" (RAG)", "\n(RAG)").replace("Retrieval-augmented generation", "Retrieval-augmented\ngeneration") for p in PATTERNS]
    loads = [p.governance_load for p in PATTERNS]
    bars = ax.bar(range(len(PATTERNS)), loads, color=COLOURS["blue"])
    ax.bar_label(bars, labels=[str(v) for v in loads], padding=2, fontsize=9)
    ax.set_xticks(range(len(PATTERNS)), names, fontsize=8)
    ax.set_ylim(0, 105)
    ax.set_ylabel("relative governance load (0–100)")
    ax.set_title("Each rung up the ladder costs more evaluation, monitoring and approval", fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig
