"""The widgets of lesson 08: a trace labeller for error analysis and an explorer of judge-corrected
pass rates as a release gate. Thin front ends, as in ``widgets``: the logic is in ``traces``,
``evals`` and the small pure functions here (label counts, the labels file, the explorer's counts).

- ``trace_labeller(n=20, seed=0)``: one trace at a time (ticket, retrieved passages, claims, tool
  calls), Pass and Fail buttons, a failure-type menu and a note. The counts by failure type update
  as you label, and every change is saved at once in your work folder (``labels/<name>.json``), so a
  restarted kernel or a new session starts where you stopped.
- ``judge_explorer(judge="a")``: a judge's TPR and TNR and the size of the labelled split as
  sliders, with a gate's minimum; the corrected pass rate, its bootstrap interval and the gate
  decision update together (``evals.corrected_interval_from_counts``).

Their charts are SVG drawn with ``plots.SvgPanel`` with the axis names and colours of the lesson
figures they mirror (``plots.failure_priority_plot`` and ``plots.corrected_rate_plot``), text in
the page's colour so they read in a dark theme. ``widgets.still`` and ``widgets.still_for`` know
them (``STILL_CALLS``, ``STILL_CHARTS``, ``STILL_SENTENCES`` below).
"""

from __future__ import annotations

import dataclasses
import functools
import html
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from . import validation
from .palette import BORDER, COLOURS, FAINT, INK, ROLES, TEXT

__all__ = [
    "LABELS_VERSION",
    "LabelCounts",
    "label_counts",
    "labels_path",
    "load_labels",
    "save_labels",
    "TraceLabeller",
    "trace_labeller",
    "explorer_counts",
    "JudgeExplorer",
    "judge_explorer",
]

LABELS_VERSION = 1
LABELS_FOLDER = "labels"
LABELS_NAME = "08_trace_labels"
VERDICTS = ("pass", "fail")
GATE_COLOURS = {"ship": ROLES["best"], "block": ROLES["warning"], "not shown yet": COLOURS["orange"]}


def _badge(word: str, colour: str) -> str:
    return f"<span style='background:{colour};color:{TEXT['on_badge']};padding:1px 8px;border-radius:3px'>{html.escape(word)}</span>"


def _chart(name: str, *parts: str) -> str:
    return f"<g class='chart chart-{name}'>" + "".join(parts) + "</g>"


# --------------------------------------------------------------------------------------------
# Labels: counted, read and written (pure functions; the labeller only calls them)
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class LabelCounts:
    """What a set of labels holds: traces labelled, passed and failed, and failures by type."""

    labelled: int
    passed: int
    failed: int
    by_type: dict[str, int]
    untyped: int  # failed, with no failure type chosen yet
    notes: int  # traces with a note, labelled or not

    def summary(self) -> str:
        typed = ", ".join(f"{k} {v}" for k, v in self.by_type.items() if v) or "none yet"
        return (f"{self.labelled} labelled: {self.passed} pass, {self.failed} fail ({self.untyped} without a failure type); "
                f"by type: {typed}; {self.notes} with a note.")


def _failure_types() -> tuple[str, ...]:
    from .traces import FAILURE_TYPES

    return FAILURE_TYPES


def _entry(trace_id: Any, value: Any) -> dict[str, Any]:
    """One trace's label as stored: {"label": "pass" | "fail" | None, "failure_type": a type or None, "note": text}."""
    where = f"labels[{trace_id!r}]"
    if not isinstance(value, Mapping):
        raise validation.fail(where, value, "a mapping with label, failure_type and note")
    label = value.get("label")
    if label is not None and label not in VERDICTS:
        raise validation.fail(f"{where}['label']", label, "'pass', 'fail' or None")
    kind = value.get("failure_type")
    if kind is not None and kind not in _failure_types():
        raise validation.fail(f"{where}['failure_type']", kind, "one of " + ", ".join(_failure_types()) + ", or None")
    if kind is not None and label == "pass":
        raise validation.fail(f"{where}['failure_type']", kind, "None for a trace labelled pass")
    note = value.get("note", "")
    if not isinstance(note, str):
        raise validation.fail(f"{where}['note']", note, "text (a str)")
    return {"label": label, "failure_type": kind, "note": note}


def _labels_arg(labels: Any) -> dict[str, dict[str, Any]]:
    if not isinstance(labels, Mapping) or not all(isinstance(k, str) for k in labels):
        raise validation.fail("labels", labels, "a mapping of trace id (e.g. 't001') to its label, failure_type and note")
    return {k: _entry(k, v) for k, v in labels.items()}


def label_counts(labels, ids=None) -> LabelCounts:
    """Count a set of labels (trace id to label, failure type, note), over ``ids`` only when given
    (the traces of one sample); failures by type in the order of ``traces.FAILURE_TYPES`` (lesson 08)."""
    labels = _labels_arg(labels)
    if ids is not None:
        if isinstance(ids, (str, bytes, Mapping)) or not hasattr(ids, "__iter__"):
            raise validation.fail("ids", ids, "a list of trace ids, or None for every label")
        wanted = set(ids)
        labels = {k: v for k, v in labels.items() if k in wanted}
    chosen = [v for v in labels.values() if v["label"] is not None]
    failed = [v for v in chosen if v["label"] == "fail"]
    by_type = {t: sum(1 for v in failed if v["failure_type"] == t) for t in _failure_types()}
    return LabelCounts(
        labelled=len(chosen), passed=len(chosen) - len(failed), failed=len(failed), by_type=by_type,
        untyped=sum(1 for v in failed if v["failure_type"] is None), notes=sum(1 for v in labels.values() if v["note"].strip()),
    )


def labels_path(name: str = LABELS_NAME, work=None) -> Path:
    """Return where a labeller keeps its labels: ``labels/<name>.json`` in the work folder (``work``,
    or the learner's work folder from ``workspace.work_dir()``) (lesson 08)."""
    from .workspace import _work_arg, portfolio_name

    return _work_arg(work) / LABELS_FOLDER / f"{portfolio_name(name)}.json"


def _path_arg(path: Any) -> Path:
    import os

    if not isinstance(path, (str, os.PathLike)) or isinstance(path, bytes) or not str(path).endswith(".json"):
        raise validation.fail("path", path, "the path of a .json labels file, as text or a Path (see labels_path())")
    return Path(path)


def load_labels(path) -> tuple[dict[str, dict[str, Any]], str]:
    """Return (the labels in the file, a message): ({}, "") when there is no file yet. A file that
    cannot be read as labels is moved aside (renamed with a timestamp) and ({}, a message saying
    where it went) returned, so a new one can begin without losing it (lesson 08)."""
    from .workspace import _stamped

    path = _path_arg(path)
    if not path.exists():
        return {}, ""
    if not path.is_file():
        raise validation.ArgumentError(f"path {validation.show(str(path))} is a folder or not a regular file, where the labels file goes: "
                                       "move or rename it, then run the cell again")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, Mapping) or data.get("version") != LABELS_VERSION:
            raise ValueError(f"not a version {LABELS_VERSION} labels file")
        return _labels_arg(data.get("labels")), ""
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc).split("\n")[0][:160]
        try:
            aside = _stamped(path.parent, path.stem + ".unreadable", ".json")
            path.rename(aside)
        except OSError as move:
            raise validation.ArgumentError(
                f"path {validation.show(str(path))} holds no labels that can be read ({why}) and cannot be moved aside "
                f"({move.strerror or move}): move or delete it, then run the cell again") from None
        return {}, f"Your labels file could not be read ({why}); it was kept as {aside.name} and a new one begun."


def save_labels(labels, path) -> Path:
    """Write the labels to ``path`` as JSON, atomically (a reader sees the old file or the new,
    never half), and return the path (lesson 08)."""
    from .workspace import _atomic_write_bytes

    labels = _labels_arg(labels)
    path = _path_arg(path)
    data = json.dumps({"version": LABELS_VERSION, "labels": dict(sorted(labels.items()))}, indent=1, ensure_ascii=False)
    _atomic_write_bytes(path, (data + "\n").encode("utf-8"))
    return path


# --------------------------------------------------------------------------------------------
# The trace labeller
# --------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _bundled_traces():
    from .traces import load_traces

    return load_traces()


def _trace_set(traces: Any):
    from .traces import TraceSet

    if traces is None:
        return _bundled_traces()
    if not isinstance(traces, TraceSet):
        raise validation.fail("traces", traces, "a TraceSet (from traces.load_traces()), or None for the bundled traces")
    return traces


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


class TraceLabeller(widgets.VBox):
    """Error analysis by hand: one trace at a time, Pass or Fail, a failure type and a note; the
    counts update as you label and every change is saved to ``path`` at once (lesson 08).

    With ``reveal``, labelling a trace also shows what the kit's annotator and the two judges said,
    to compare with your own reading (open coding first, then compare).
    """

    def __init__(self, traces, path, reveal: bool = True) -> None:
        from .traces import FAILURE_NAMES

        self.traces = _trace_set(traces)
        if not len(self.traces):
            raise validation.fail("traces", traces, "a TraceSet holding at least one trace")
        self.path = _path_arg(path)
        if not isinstance(reveal, bool):
            raise validation.fail("reveal", reveal, "True (show the annotator's label after yours) or False")
        self.reveal = reveal
        self.ids = [t.id for t in self.traces]
        self.labels, message = load_labels(self.path)
        self.position = 0
        self._loading = False
        self.header = widgets.HTML()
        self.trace_view = widgets.HTML(layout=widgets.Layout(max_width="56rem"))
        self.pass_button = widgets.Button(description="Pass", button_style="success", icon="check", tooltip="The answer is fine as it is")
        self.fail_button = widgets.Button(description="Fail", button_style="danger", icon="times", tooltip="Something is wrong: say what in the note")
        self.failure_type = widgets.Dropdown(options=[("(no failure type yet)", None)] + [(FAILURE_NAMES[t], t) for t in _failure_types()],
                                             value=None, description="Failure type:", style={"description_width": "100px"},
                                             layout=widgets.Layout(width="420px"))
        self.note = widgets.Textarea(placeholder="What is wrong, in your own words (saved as you leave the box)", description="Note:",
                                     continuous_update=False, style={"description_width": "100px"}, layout=widgets.Layout(width="560px", height="60px"))
        self.previous_button = widgets.Button(description="Previous", icon="arrow-left")
        self.next_button = widgets.Button(description="Next", icon="arrow-right")
        self.next_open_button = widgets.Button(description="Next unlabelled", icon="forward")
        self.reference = widgets.HTML()
        self.status = widgets.HTML()
        self.counts_view = widgets.HTML()
        self.chart = widgets.HTML()
        self.pass_button.on_click(lambda _b: self.label("pass"))
        self.fail_button.on_click(lambda _b: self.label("fail"))
        self.previous_button.on_click(lambda _b: self.go(self.position - 1))
        self.next_button.on_click(lambda _b: self.go(self.position + 1))
        self.next_open_button.on_click(lambda _b: self.go(self._next_open()))
        self.failure_type.observe(self._type_chosen, names="value")
        self.note.observe(self._note_written, names="value")
        super().__init__([
            widgets.HBox([self.previous_button, self.next_button, self.next_open_button]), self.header, self.trace_view,
            widgets.HBox([self.pass_button, self.fail_button, self.failure_type]), self.note, self.reference, self.status,
            self.counts_view, self.chart,
        ])
        self.status.value = self._status(message or self._where())
        self._show()

    # -- what the learner does ----------------------------------------------------------------
    @property
    def current(self):
        return self.traces[self.position]

    def label(self, verdict: str) -> None:
        """Label the trace shown "pass" or "fail" (the buttons call this)."""
        verdict = validation.one_of("verdict", verdict, VERDICTS)
        entry = self._entry()
        entry["label"] = verdict
        entry["failure_type"] = None if verdict == "pass" else self.failure_type.value
        self._changed()

    def go(self, position: int) -> None:
        """Show the trace at ``position`` in the sample (0 is the first), kept within the sample."""
        self.position = min(max(int(position), 0), len(self.ids) - 1)
        self._show()

    def _next_open(self) -> int:
        order = list(range(self.position + 1, len(self.ids))) + list(range(self.position + 1))
        return next((i for i in order if self.labels.get(self.ids[i], {}).get("label") is None), self.position)

    def _entry(self) -> dict[str, Any]:
        return self.labels.setdefault(self.current.id, {"label": None, "failure_type": None, "note": ""})

    def _type_chosen(self, change) -> None:
        if self._loading:
            return
        entry = self._entry()
        entry["failure_type"] = change["new"]
        if change["new"] is not None:
            entry["label"] = "fail"  # a failure type is a failure
        self._changed()

    def _note_written(self, change) -> None:
        if self._loading:
            return
        self._entry()["note"] = change["new"]
        self._changed()

    def _changed(self) -> None:
        """Save the trace shown: read the file again and change only its entry, so two labellers on one
        file (a cell run twice) never drop each other's labels."""
        from .workspace import _locked

        trace_id = self.current.id
        try:
            with _locked(self.path):
                on_disk, message = load_labels(self.path)
                merged = {**self.labels, **on_disk, trace_id: self.labels[trace_id]}
                save_labels(merged, self.path)
            self.labels = merged
            self.status.value = self._status(message or self._where(), warning=bool(message))
        except (OSError, ValueError) as exc:  # a full disk or a folder in the way must not lose the labels in memory
            from .workspace import not_saved

            self.status.value = self._status(not_saved(exc) + " Your labels are kept while this kernel runs.", warning=True)
        self._show()

    # -- what the learner reads ---------------------------------------------------------------
    @property
    def counts(self) -> LabelCounts:
        return label_counts(self.labels, self.ids)

    def _where(self) -> str:
        return f"Labels are saved as you go in {LABELS_FOLDER}/{self.path.name} in your work folder."

    @staticmethod
    def _status(text: str, warning: bool = False) -> str:
        colour = f"color:{TEXT['warning']};" if warning else "opacity:0.75;"
        return f"<div style='{colour}font-size:0.9em'>{_esc(text)}</div>"

    def _show(self) -> None:
        trace, entry = self.current, self.labels.get(self.current.id, {})
        self._loading = True
        self.failure_type.value = entry.get("failure_type")
        self.note.value = entry.get("note", "")
        self._loading = False
        said = entry.get("label")
        mark = _badge(said.upper(), ROLES["best"] if said == "pass" else ROLES["warning"]) if said else "<i>not labelled yet</i>"
        self.header.value = (f"<b>Trace {self.position + 1} of {len(self.ids)}</b> · {_esc(trace.id)} · outcome: "
                             f"<b>{_esc(trace.outcome)}</b> · your label: {mark}")
        self.trace_view.value = self._trace_html(trace)
        self.reference.value = self._reference_html(trace) if said and self.reveal else ""
        c = self.counts
        self.counts_view.value = (f"<div>Labelled <b>{c.labelled}</b> of {len(self.ids)}: <b>{c.passed}</b> pass, <b>{c.failed}</b> fail"
                                  + (f" ({c.untyped} still without a failure type)" if c.untyped else "") + "</div>")
        self.chart.value = self._chart_svg(c)

    def _trace_html(self, trace) -> str:
        box = f"border-left:3px solid {BORDER};padding:2px 10px;margin:4px 0"
        passages = "".join(f"<li><b>{_esc(doc)}</b>: {_esc(text)}</li>" for doc, text in zip(trace.retrieved, self.traces.passages(trace)))
        claims = "".join(f"<li>{_esc(c.text)}</li>" for c in trace.claims) or "<li><i>no claims: the draft makes no statement of fact</i></li>"
        calls = "".join(
            f"<li><code>{_esc(t.name)}({_esc(', '.join(f'{k}={v!r}' for k, v in t.arguments.items()))})</code> {'ok' if t.ok else 'failed'}</li>"
            for t in trace.tool_calls)
        return (
            f"<div style='{box}'><b>Ticket</b><br>{_esc(trace.ticket)}</div>"
            f"<details><summary>Retrieved passages ({len(trace.retrieved)}), best first</summary><ol>{passages}</ol></details>"
            f"<div style='{box}'><b>Drafted answer</b><br>{_esc(trace.answer)}</div>"
            f"<div><b>Its claims</b><ul style='margin:2px 0'>{claims}</ul></div>"
            + (f"<div><b>Tool calls</b><ul style='margin:2px 0'>{calls}</ul></div>" if calls else "")
        )

    def _reference_html(self, trace) -> str:
        from .traces import FAILURE_NAMES

        kind = f", {_esc(FAILURE_NAMES[trace.failure_type])}" if trace.failure_type else ""
        unsure = " <i>(annotators disagreed on this one)</i>" if trace.ambiguous else ""
        return (f"<div style='font-size:0.92em;border:1px dashed {BORDER};padding:4px 8px;margin:4px 0'>"
                f"<b>The kit's annotator said:</b> {_esc(trace.human_label)}{kind}{unsure}. <i>{_esc(trace.note)}</i><br>"
                f"Judge A said {_esc(trace.judge_a)}; judge B said {_esc(trace.judge_b)}.</div>")

    def _chart_svg(self, c: LabelCounts) -> str:
        """Your failures by type against the annotator's on the same sample, as the left panel of
        ``plots.failure_priority_plot`` counts them."""
        from .plots import SvgPanel, axis_label, nice_ticks, svg_document
        from .traces import FAILURE_NAMES

        kinds = _failure_types()
        theirs = self.traces.failure_counts()
        names = [FAILURE_NAMES[k] for k in kinds]
        top = max([*c.by_type.values(), *theirs.values(), 4])
        ticks = nice_ticks(0, top)
        left = 20 + 6.0 * max(map(len, names))
        panel = SvgPanel(left, 34, 260, 24 * len(kinds), xlim=(0, ticks[-1] * 1.15), ylim=(-0.5, len(kinds) - 0.5))
        title = f"Your failures by type: {c.failed} of {c.labelled} labelled"
        parts = [panel.axes(ticks, axis_label("failure_traces"), title=title, categories=[(len(kinds) - 1 - i, n) for i, n in enumerate(names)])]
        for i, kind in enumerate(kinds):
            y = len(kinds) - 1 - i
            parts.append(panel.bar(0, theirs[kind], y - 0.36, y + 0.36, INK, "annotator", opacity=FAINT,
                                   tip=f"{names[i]}: {theirs[kind]} in the annotator's labels of all {len(self.ids)} traces"))
            parts.append(panel.bar(0, c.by_type[kind], y - 0.22, y + 0.22, ROLES["measured"], "yours", tip=f"{names[i]}: {c.by_type[kind]} in your labels"))
            parts.append(panel.label(max(c.by_type[kind], theirs[kind]), y, f"{c.by_type[kind]} (annotator {theirs[kind]})", "bar-value", dx=5, dy=4))
        parts.append(panel.legend([("your labels so far", ROLES["measured"], "box"),
                                   (f"the annotator's, on all {len(self.ids)} traces of this sample", INK, "faint")]))
        return svg_document(_chart("failure-counts", *parts), left + 260 + 150, panel.bottom + 50 + 2 * 16, "Failures by type: yours and the annotator's")

    def __repr__(self) -> str:
        c = self.counts
        return f"TraceLabeller({len(self.ids)} traces: {c.labelled} labelled, {c.passed} pass, {c.failed} fail; saved in {LABELS_FOLDER}/{self.path.name})"


def trace_labeller(traces=None, n: int = 20, seed: int = 0, name: str = LABELS_NAME, reveal: bool = True) -> TraceLabeller:
    """Return the trace labeller over ``n`` traces drawn with ``seed`` from ``traces`` (None: the
    bundled trace set); labels are kept in ``labels/<name>.json`` in your work folder (lesson 08)."""
    traces = _trace_set(traces)
    n = validation.count("n", n, minimum=1, maximum=len(traces), allowed=f"a number of traces from 1 to {len(traces)}")
    seed = validation.seed("seed", seed)
    return TraceLabeller(traces.sample(n, seed), labels_path(name), reveal)


# --------------------------------------------------------------------------------------------
# The judge explorer
# --------------------------------------------------------------------------------------------


def explorer_counts(pass_rate: float, tpr: float, tnr: float, n_labelled: int, n_judged: int) -> dict[str, int]:
    """The counts a judge with these rates would give, rounded to whole traces: on the labelled split
    (human pass share ``pass_rate``) true_pass, false_fail, false_pass, true_fail; on the judged set
    judged_pass of judged_total, at the judge's expected pass rate
    pass_rate × tpr + (1 − pass_rate) × (1 − tnr) (lesson 08)."""
    theta = validation.share("pass_rate", pass_rate)
    a, b = validation.share("tpr", tpr), validation.share("tnr", tnr)
    labelled = validation.count("n_labelled", n_labelled, minimum=2, maximum=10**9)
    judged = validation.count("n_judged", n_judged, minimum=1, maximum=10**9)
    passes = round(labelled * theta)
    true_pass, true_fail = round(passes * a), round((labelled - passes) * b)
    observed = theta * a + (1 - theta) * (1 - b)
    return {"judged_pass": round(judged * observed), "judged_total": judged, "true_pass": true_pass, "false_fail": passes - true_pass,
            "false_pass": labelled - passes - true_fail, "true_fail": true_fail}


def _z(confidence: float) -> float:
    from scipy import stats

    return float(stats.norm.ppf(0.5 + confidence / 2))


@functools.lru_cache(maxsize=4)
def _measured(judge: str) -> dict[str, float]:
    """The bundled traces' judge rates on the labelled split, and the judged set's true pass rate."""
    from .evals import judge_agreement

    traces = _bundled_traces()
    labelled, judged = traces.where("labelled"), traces.where("judged")
    found = judge_agreement(labelled.human(), labelled.judge(judge))
    return {"tpr": found.tpr, "tnr": found.tnr, "n_labelled": len(labelled), "pass_rate": float(judged.human().mean())}


class JudgeExplorer(widgets.VBox):
    """A judge's TPR and TNR, the labelled split's size and a gate's minimum as sliders; the judge's
    raw pass rate, the corrected pass rate with its bootstrap interval and the gate decision update
    together (lesson 08). The true pass rate and the judged set are fixed (``pass_rate``, ``n_judged``):
    the explorer shows what a judge of that quality, measured on that many labels, lets you conclude.
    """

    def __init__(self, tpr: float, tnr: float, n_labelled: int, n_judged: int, pass_rate: float, minimum: float = 0.6,
                 confidence: float = 0.95, seed: int = 0) -> None:
        tpr = validation.real("tpr", tpr, low=0.5, high=1, allowed="a judge's TPR from 0.5 to 1")
        tnr = validation.real("tnr", tnr, low=0.5, high=1, allowed="a judge's TNR from 0.5 to 1")
        n_labelled = validation.count("n_labelled", n_labelled, minimum=20, maximum=2000, allowed="a number of labelled traces from 20 to 2,000")
        self.n_judged = validation.count("n_judged", n_judged, minimum=1, maximum=10**7)
        self.pass_rate = validation.share("pass_rate", pass_rate, open_low=True, open_high=True)
        minimum = validation.real("minimum", minimum, low=0.3, high=0.95, allowed="a gate's minimum pass rate from 0.3 to 0.95")
        self.confidence = validation.share("confidence", confidence, open_low=True, open_high=True)
        self.seed = validation.seed("seed", seed)
        style, layout = {"description_width": "200px"}, widgets.Layout(width="520px")
        self.tpr = widgets.FloatSlider(value=tpr, min=0.5, max=1.0, step=0.005, readout_format=".3f", description="Judge TPR (good answers passed):",
                                       style=style, layout=layout)
        self.tnr = widgets.FloatSlider(value=tnr, min=0.5, max=1.0, step=0.005, readout_format=".3f", description="Judge TNR (bad answers failed):",
                                       style=style, layout=layout)
        self.n_labelled = widgets.IntSlider(value=n_labelled, min=20, max=2000, step=1, description="Labelled traces:", style=style, layout=layout)
        self.minimum = widgets.FloatSlider(value=minimum, min=0.3, max=0.95, step=0.01, readout_format=".2f", description="Gate: minimum pass rate:",
                                           style=style, layout=layout)
        self.verdict = widgets.HTML()
        self.report = widgets.HTML()
        self.chart = widgets.HTML()
        self.rate = None
        self.decision = None
        self.problem = ""
        for control in (self.tpr, self.tnr, self.n_labelled, self.minimum):
            control.observe(self._update, names="value")
        super().__init__([self.tpr, self.tnr, self.n_labelled, self.minimum, self.verdict, self.report, self.chart])
        self._update()

    def _update(self, _change=None) -> None:
        from .evals import EvalError, corrected_interval_from_counts, gate_decision

        counts = explorer_counts(self.pass_rate, self.tpr.value, self.tnr.value, self.n_labelled.value, self.n_judged)
        self.counts = counts
        try:
            self.rate = corrected_interval_from_counts(**counts, confidence=self.confidence, seed=self.seed)
        except EvalError as exc:  # a judge no better than chance, or a split with no pass or no fail
            self.rate, self.decision, self.problem = None, None, str(exc)
            self.verdict.value = f"<div style='color:{TEXT['warning']}'>No corrected rate here: {_esc(exc)}. Move TPR or TNR up.</div>"
            self.report.value, self.chart.value = "", _message_svg(f"No corrected rate: {exc}")
            return
        self.problem = ""
        self.decision = gate_decision(self.rate, self.minimum.value)
        self.verdict.value = self._verdict_html()
        self.report.value = self._report_html()
        self.chart.value = self._chart_svg()

    def _verdict_html(self) -> str:
        r, bar = self.rate, self.minimum.value
        why = {"ship": f"the whole interval is at or above {bar:.0%}",
               "block": f"the whole interval is below {bar:.0%}",
               "not shown yet": f"the interval straddles {bar:.0%}: label more traces, or get a better judge"}[self.decision]
        return (f"<div style='font-size:1.1em'><b>Gate:</b> {_badge(self.decision.upper(), GATE_COLOURS[self.decision])} "
                f"corrected pass rate {r.estimate:.1%}, {r.confidence:.0%} interval {r.low:.1%} to {r.high:.1%}: {why}.</div>")

    def _report_html(self) -> str:
        from .evals import EvalError, labels_needed

        r, c = self.rate, self.counts
        gap = abs(r.estimate - self.minimum.value)
        try:
            needed = labels_needed(r.tpr, r.tnr, r.observed, self.n_judged, gap, human_pass_share=self.pass_rate, confidence=self.confidence)
            more = (f"For the interval to clear {self.minimum.value:.0%} at this estimate, its half-width must fall below {gap:.1%}: "
                    f"about <b>{needed:,}</b> labelled traces (approximate).")
        except EvalError:
            if gap < 0.0005:
                more = f"The estimate sits on the minimum, {self.minimum.value:.0%}: no interval around it can decide."
            else:
                floor = _z(self.confidence) * math.sqrt(r.observed * (1 - r.observed) / self.n_judged) / (r.tpr + r.tnr - 1)
                more = (f"With {self.n_judged:,} judged traces the interval cannot get narrower than about &plusmn;{floor:.1%}, wider than "
                        f"the {gap:.1%} between the estimate and the minimum: judge more traces, not only label more.")
        if r.observed > self.pass_rate + 0.005:
            bias = "the judge passes more than people would: it lets failures through"
        elif r.observed < self.pass_rate - 0.005:
            bias = "the judge passes fewer than people would: it fails good answers"
        else:
            bias = "its errors cancel out here, which a change in the mix of answers would undo"
        return (
            f"<div>Judge's raw pass rate: <b>{r.observed:.1%}</b> of {c['judged_total']:,} judged traces; the true rate here is "
            f"{self.pass_rate:.1%}: {bias}.</div>"
            f"<div>Labelled split: {self.n_labelled.value:,} traces: {c['true_pass']} true pass, {c['false_fail']} false fail, "
            f"{c['false_pass']} false pass, {c['true_fail']} true fail.</div>"
            f"<div>{more}</div>"
            f"<div style='opacity:0.75;font-size:0.9em'>As a module 05 gate: offline blocker, corrected pass rate's lower bound "
            f"&ge; {self.minimum.value:.2f}, currently {r.low:.3f}.</div>"
        )

    def _chart_svg(self) -> str:
        """The raw and corrected pass rates with the interval, the true rate and the minimum, as
        ``plots.corrected_rate_plot`` draws them."""
        from .plots import SvgPanel, axis_label, nice_ticks, svg_document

        r = self.rate
        panel = SvgPanel(40, 34, 560, 60, xlim=(0, 1), ylim=(-0.5, 0.5))
        parts = [panel.axes(nice_ticks(0, 1), axis_label("pass_rate"), title=f"Corrected pass rate {r.estimate:.1%} ({r.low:.1%} to {r.high:.1%})")]
        parts.append(panel.vline(self.pass_rate, INK, "truth", dash="5 3", width=1))
        parts.append(panel.vline(self.minimum.value, ROLES["choice"], "minimum", dash="2 2", width=2))
        parts.append(panel.marker(r.observed, 0.2, ROLES["reference"], "raw"))
        parts.append(panel.line([r.low, r.high], [-0.1, -0.1], ROLES["measured"], "interval", width=4))
        parts.append(panel.marker(r.estimate, -0.1, ROLES["measured"], "estimate"))
        parts.append(panel.legend([
            (f"the judge's raw pass rate: {r.observed:.1%}", ROLES["reference"], "dot"),
            (f"corrected, with its {r.confidence:.0%} interval: {r.estimate:.1%} ({r.low:.1%} to {r.high:.1%})", ROLES["measured"], "line", "marker-value"),
            (f"true pass rate: {self.pass_rate:.1%}", INK, "dashed"),
            (f"gate minimum: {self.minimum.value:.0%}", ROLES["choice"], "dotted", "marker-value"),
        ]))
        return svg_document(_chart("corrected-rate", *parts), 660, panel.bottom + 50 + 4 * 16, "The judge's raw and corrected pass rates against the gate")

    def __repr__(self) -> str:
        if self.rate is None:
            return f"JudgeExplorer(TPR {self.tpr.value:.3f}, TNR {self.tnr.value:.3f}: {self.problem})"
        r = self.rate
        return (f"JudgeExplorer(TPR {self.tpr.value:.3f}, TNR {self.tnr.value:.3f}, {self.n_labelled.value:,} labelled: corrected "
                f"{r.estimate:.1%} ({r.low:.1%} to {r.high:.1%}) against {self.minimum.value:.0%}: {self.decision})")


def _message_svg(text: str) -> str:
    """A one-line SVG saying why there is no chart (for the still of a widget in that state)."""
    from .plots import svg_document

    text = text if len(text) <= 110 else text[:107] + "..."
    return svg_document(f"<text class='readout' x='10' y='22' font-size='13'>{_esc(text)}</text>", 20 + 7.2 * len(text), 36, "Why there is no chart")


def judge_explorer(judge: str = "a", minimum: float = 0.6, tpr: float | None = None, tnr: float | None = None,
                   n_labelled: int | None = None, n_judged: int = 10_000, seed: int = 0) -> JudgeExplorer:
    """Return the judge explorer, starting from judge ``judge`` ("a" or "b") as measured on the bundled
    traces' labelled split (``tpr``, ``tnr`` and ``n_labelled`` override it), at the true pass rate of
    the bundled judged set, with ``n_judged`` traces judged (a week of traffic: judging is automatic
    and cheap) and a gate at ``minimum`` (lesson 08)."""
    judge = validation.one_of("judge", judge, ("a", "b"))
    found = _measured(judge)
    return JudgeExplorer(found["tpr"] if tpr is None else tpr, found["tnr"] if tnr is None else tnr,
                         found["n_labelled"] if n_labelled is None else n_labelled, n_judged, found["pass_rate"], minimum, seed=seed)


# --------------------------------------------------------------------------------------------
# Stills, registered in widgets.still / widgets.still_for
# --------------------------------------------------------------------------------------------

STILL_SENTENCES = {
    "TraceLabeller": "Clicking Pass or Fail, choosing a failure type and writing a note labels the trace shown; the counts by "
                     "failure type grow beside the annotator's, and every label is saved in your work folder as you go.",
    "JudgeExplorer": "Moving the judge's TPR and TNR or the number of labelled traces widens or narrows the corrected pass rate's "
                     "interval: a weaker judge or fewer labels widen it, and the gate turns from ship to not shown yet or block.",
}
STILL_CHARTS = {TraceLabeller: "chart", JudgeExplorer: "chart"}
STILL_CALLS = {"trace_labeller": trace_labeller, "judge_explorer": judge_explorer}
