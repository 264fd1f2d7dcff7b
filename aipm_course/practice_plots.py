"""Your practice over time as a figure, and a simulated learner's log to show what it looks like (lesson 06).

- ``history_figure(PracticeLog().history())``: two panels over your practice sessions, one line per
  kind of drill: the share you got right so far (left) and the median time you took (right), with the
  suggested time drawn where it helps. An empty log gives a figure that says no practice is recorded yet.
- ``sample_log(path)``: a practice log filled by a simulated learner who practises every two or three
  days and improves at a pace that differs by kind. The learner is simulated; the log, the schedule
  and the sessions are the real ones (``practice.PracticeLog``, ``Scheduler`` and ``plan_session``).
  It never writes into your own practice log.
"""

from __future__ import annotations

import datetime as _dt
import math
import os
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from . import validation
from .palette import COLOURS, FIGURE
from .plots import nice_ticks, tick_labels

__all__ = ["history_figure", "sample_log"]

HISTORY_COLUMNS = ("session", "started", "kind", "attempts", "correct", "accuracy", "median_seconds")
# One look per kind: a colour, then a line style and a marker, so that more kinds than colours stay apart.
_LINE_COLOURS = [COLOURS[c] for c in ("blue", "vermillion", "green", "orange", "sky", "purple", "grey")]
_LINE_STYLES = ["-", "--", ":"]
_MARKERS = ["o", "s", "^", "D", "v", "P", "X"]
MOST_REFERENCES = 3  # at most this many different suggested times are drawn as lines

# The simulated learner of ``sample_log``: per kind, the share right at the first attempt and how many
# attempts it takes to close most of the gap to 95% (a bigger number learns more slowly). Made up to
# show different paces; not data about real learners.
SAMPLE_LEARNER = {
    "base_rate_precision": (0.30, 1.0),
    "cost_per_query": (0.55, 2.0),
    "reviewer_headcount": (0.30, 4.0),
    "sample_size_duration": (0.10, 8.0),
}
SAMPLE_START = _dt.datetime(2026, 1, 5, 18, 30, tzinfo=_dt.timezone.utc)  # a Monday evening
SAMPLE_MINUTES = 8  # each simulated session: three or four drills


# --------------------------------------------------------------------------------------------
# The figure
# --------------------------------------------------------------------------------------------


def _history(history: Any):
    import pandas as pd

    allowed = "the table PracticeLog().history() returns: a pandas DataFrame with columns " + ", ".join(HISTORY_COLUMNS)
    if not isinstance(history, pd.DataFrame) or not set(HISTORY_COLUMNS) <= set(history.columns):
        raise validation.fail("history", history, allowed)
    frame = history.loc[:, list(HISTORY_COLUMNS)].copy()
    try:
        frame["started"] = pd.to_datetime(frame["started"], utc=True)
        frame = frame.astype({"session": str, "kind": str, "attempts": "int64", "correct": "int64", "median_seconds": "float64"})
    except (TypeError, ValueError, OverflowError):
        raise validation.fail("history", history, allowed) from None
    if (frame["attempts"] < 1).any() or (frame["correct"] < 0).any() or (frame["correct"] > frame["attempts"]).any():
        raise validation.fail("history", history, allowed + ", each row with 1 or more attempts and 0 to attempts right")
    return frame


def _title_of(kind: str) -> str:
    """A kind in words for the legend ("Base-rate precision"); a kind the kit no longer has keeps its name."""
    from .practice import kind_title

    try:
        return kind_title(kind)
    except validation.AipmError:
        return kind.replace("_", " ")


def _suggested_seconds(kind: str) -> float | None:
    """The suggested time of a kind at the standard difficulty, or None for a kind the kit no longer has."""
    from .practice import make_item

    try:
        return float(make_item(kind, 0, 2).seconds)
    except validation.AipmError:
        return None


def _look(index: int) -> dict:
    colours = len(_LINE_COLOURS)
    return dict(color=_LINE_COLOURS[index % colours], linestyle=_LINE_STYLES[(index // colours) % len(_LINE_STYLES)],
                marker=_MARKERS[index % len(_MARKERS)])


def _empty_figure(title: str):
    fig, ax = plt.subplots(figsize=(10, 3))
    ax.axis("off")
    ax.text(0.5, 0.6, "No practice recorded yet", ha="center", va="center", fontsize=16, transform=ax.transAxes)
    ax.text(0.5, 0.3, "Run adaptive_practice() in lesson 06, or aipm practice in a terminal:\n"
                      "each session you practise adds a point per kind here.",
            ha="center", va="center", fontsize=10, color=FIGURE["muted"], transform=ax.transAxes)
    if title:
        ax.set_title(title)
    return fig


def _session_axis(ax, frame) -> None:
    """Sessions 1, 2, ... on the x axis, each with its date; thinned when there are many."""
    starts = [at.to_pydatetime().astimezone() for at in _sessions(frame)["started"]]  # the learner's own calendar
    count = len(starts)
    step = max(1, math.ceil(count / 8))
    ticks = list(range(1, count + 1, step))
    ax.set_xticks(ticks, [f"{n}\n{starts[n - 1].day} {starts[n - 1]:%b}" for n in ticks])
    ax.set_xlim(0.5, count + 0.5)
    ax.set_xlabel("practice session (number and date)")


def _sessions(frame):
    """One row per session, in time order (the order of the log when two start together)."""
    return frame.drop_duplicates("session").sort_values("started", kind="stable")


def _running_share(rows) -> np.ndarray:
    """The share right over every attempt up to and including each session (one attempt a session is 0% or
    100%; the running share shows the trend)."""
    return np.cumsum(rows["correct"].to_numpy()) / np.cumsum(rows["attempts"].to_numpy())


def _accuracy_panel(ax, frame, kinds, number) -> None:
    for index, kind in enumerate(kinds):
        rows = frame[frame["kind"] == kind].sort_values("started", kind="stable")
        ax.plot(rows["session"].map(number), _running_share(rows) * 100, markersize=5, linewidth=1.8, **_look(index))
    ticks = [0, 25, 50, 75, 100]
    ax.set_yticks(ticks, [f"{t}%" for t in ticks])
    ax.set_ylim(-3, 103)
    ax.set_ylabel("share right so far (all attempts to date)")
    ax.set_title("Are you getting them right?")


def _speed_panel(ax, frame, kinds, number) -> str:
    """The median seconds per session and kind; returns a note on the suggested times drawn."""
    suggested = {k: _suggested_seconds(k) for k in kinds}
    for index, kind in enumerate(kinds):
        rows = frame[frame["kind"] == kind].sort_values("started", kind="stable")
        ax.plot(rows["session"].map(number), rows["median_seconds"], markersize=5, linewidth=1.8, **_look(index))
    note = _reference_lines(ax, kinds, suggested)
    highest = np.nanmax([frame["median_seconds"].max(), *[s for s in suggested.values() if s is not None], 60.0])
    ticks = nice_ticks(0, float(highest) * 1.05)
    ax.set_yticks(ticks, tick_labels(ticks))
    ax.set_ylim(0, ticks[-1])
    ax.set_ylabel("median time to answer (seconds)")
    ax.set_title("Are you getting faster?")
    return note


def _reference_lines(ax, kinds, suggested) -> str:
    """The suggested times as dotted lines, each marked at the right; the note says which kind has which.
    More than ``MOST_REFERENCES`` different times would hide the data: then only the note."""
    known = {k: s for k, s in suggested.items() if s is not None}
    values = sorted(set(known.values()))
    if not values:
        return ""
    if len(values) > MOST_REFERENCES:
        return f"suggested times: {values[0]:.0f} to {values[-1]:.0f} s, depending on the kind"
    parts = []
    for value in values:
        names = [_title_of(k) for k in kinds if known.get(k) == value]
        ax.axhline(value, color=FIGURE["ink"], linestyle=(0, (1, 3)), linewidth=1)
        ax.annotate(f"{value:.0f} s", (1, value), xycoords=("axes fraction", "data"), xytext=(3, 0),
                    textcoords="offset points", ha="left", va="center", fontsize=8)
        parts.append(f"{value:.0f} s for {_and(names)}" if len(values) > 1 else f"{value:.0f} s for every kind shown")
    return "dotted lines: the suggested time at the standard level, " + "; ".join(parts)


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def history_figure(history, title: str = ""):
    """Return your practice over sessions, one line per kind (lesson 06): the share right so far (left)
    and the median seconds you took (right), with the suggested times.

    ``history`` is ``PracticeLog().history()``: one row per session and kind. An empty history gives a
    figure that says no practice is recorded yet."""
    frame = _history(history)
    if not isinstance(title, str):
        raise validation.fail("title", title, "text (a str)")
    if frame.empty:
        return _empty_figure(title)
    from .practice import all_kinds

    order = {k: i for i, k in enumerate(all_kinds())}
    kinds = sorted(frame["kind"].unique(), key=lambda k: (order.get(k, len(order)), k))
    sessions = _sessions(frame)["session"].tolist()
    number = {s: i for i, s in enumerate(sessions, 1)}.get
    columns = min(4, len(kinds))
    rows = math.ceil(len(kinds) / columns)
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.4 + 0.28 * rows), layout="constrained")
    _accuracy_panel(left, frame, kinds, number)
    note = _speed_panel(right, frame, kinds, number)
    for ax in (left, right):
        _session_axis(ax, frame)
        ax.grid(axis="y", color=FIGURE["rule"], linewidth=0.8)
        ax.spines[["top", "right"]].set_visible(False)
    handles = [plt.Line2D([], [], markersize=5, linewidth=1.8, **_look(i)) for i in range(len(kinds))]
    legend = fig.legend(handles, [_title_of(k) for k in kinds], loc="outside lower center", ncol=columns, frameon=False, fontsize=9,
                        title=note or None, title_fontsize=8)
    legend.get_title().set_color(FIGURE["muted"])
    fig.suptitle(title or "Your practice, session by session")
    return fig


# --------------------------------------------------------------------------------------------
# A simulated learner's log
# --------------------------------------------------------------------------------------------


def _new_log(path: Any):
    """A PracticeLog at ``path`` that holds nothing yet, and is not the learner's own."""
    from .practice import PracticeLog, practice_path

    if path is None or isinstance(path, bytes) or not isinstance(path, (str, os.PathLike)) or not str(path):
        raise validation.fail("path", path, "the path of a new practice log (text or a Path), e.g. in a temporary folder")
    target = Path(path).expanduser()
    if target.resolve() == practice_path().resolve():
        raise validation.fail("path", path, "a path other than your own practice log: a simulated learner never writes there")
    log = PracticeLog(target)
    if log.drill_attempts() or log.open_attempts():
        raise validation.fail("path", path, "a new or empty practice log: a simulated learner never mixes with real practice")
    return log


def _simulated(item, practised: int, rng) -> tuple[bool, float, str | None]:
    """One simulated attempt: (right, seconds taken, the "so what" outcome or None)."""
    first, pace = SAMPLE_LEARNER[item.kind]
    learned = 1 - math.exp(-practised / pace)
    chance = (first + (0.95 - first) * learned) * (1 - 0.08 * (item.difficulty - 1))  # a harder level costs a little
    right = bool(rng.random() < chance)
    seconds = float(item.seconds * (1.5 - 0.8 * learned) * rng.lognormal(0, 0.15))
    so_what = None
    if getattr(item, "so_what", None) is not None:
        so_what = "correct" if rng.random() < min(0.97, chance + 0.1) else "incorrect"
    return right, round(seconds, 1), so_what


def _answer(item, right: bool) -> Any:
    """What the simulated learner typed: the answer, or its main slip."""
    if not hasattr(item, "expected"):
        return "(simulated)"
    return item.expected if right else item.slips[0].value


def sample_log(path, seed: int = 0, sessions: int = 8):
    """Fill a new practice log at ``path`` with a simulated learner's sessions, and return it (lesson 06).

    The learner practises four kinds every two or three days, eight minutes at a time, and improves at a
    pace that differs by kind (``SAMPLE_LEARNER``). The sessions are planned by the real scheduler from
    the log as it grows, so the kinds, their order and their difficulty follow the real rule. Use a
    temporary folder: ``path`` must not hold any practice yet, and it is never your own log."""
    from .practice import plan_session

    seed = validation.seed("seed", seed)
    sessions = validation.count("sessions", sessions, minimum=1, maximum=60)
    log = _new_log(path)
    rng = np.random.default_rng([seed, 6062])
    practised = dict.fromkeys(SAMPLE_LEARNER, 0)
    start = SAMPLE_START
    for number in range(1, sessions + 1):
        items = plan_session(log, minutes=SAMPLE_MINUTES, kinds=list(SAMPLE_LEARNER), seed=int(rng.integers(0, 2**31)),
                             clock=lambda at=start: at)
        at = start
        for item in items:
            right, seconds, so_what = _simulated(item, practised[item.kind], rng)
            at += _dt.timedelta(seconds=seconds)  # recorded when answered: the session starts at its first answer less its seconds
            log.record_drill(kind=item.kind, difficulty=item.difficulty, seed=item.seed, answer=_answer(item, right),
                             outcome="correct" if right else "incorrect", seconds=seconds, so_what=so_what,
                             session=f"sample-{number:02d}", at=at)
            practised[item.kind] += 1
        start += _dt.timedelta(days=int(rng.integers(2, 4)))
    return log
