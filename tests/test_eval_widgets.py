"""Lesson 08's widgets, driven as a learner would: buttons clicked, menus chosen, sliders moved."""

import json
import math
import re
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from aipm_course import eval_widgets as ew
from aipm_course import evals
from aipm_course.traces import FAILURE_TYPES, generate_traces, load_traces

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(autouse=True)
def work(tmp_path, monkeypatch):
    monkeypatch.setenv("AIPM_WORK_DIR", str(tmp_path))
    return tmp_path


def texts(markup: str, cls: str) -> list[str]:
    return ["".join(t.itertext()) for t in ET.fromstring(markup).iter(SVG + "text") if cls in (t.get("class") or "").split()]


def shapes(markup: str, cls: str, tag: str = "rect") -> list:
    return [e for e in ET.fromstring(markup).iter(SVG + tag) if cls in (e.get("class") or "").split()]


# ------------------------------------------------------------------------------------------------
# Labels: counted, saved, read back
# ------------------------------------------------------------------------------------------------

LABELS = {
    "t001": {"label": "pass", "failure_type": None, "note": ""},
    "t002": {"label": "fail", "failure_type": "wrong_tone", "note": "curt"},
    "t003": {"label": "fail", "failure_type": "wrong_tone", "note": ""},
    "t004": {"label": "fail", "failure_type": None, "note": "something off"},
    "t005": {"label": None, "failure_type": None, "note": "come back to this"},
    "t006": {"label": "fail", "failure_type": "unsupported_claim", "note": "30 days, policy says 14"},
}


def test_label_counts_by_hand():
    c = ew.label_counts(LABELS)
    assert (c.labelled, c.passed, c.failed, c.untyped, c.notes) == (5, 1, 4, 1, 4)
    assert list(c.by_type) == list(FAILURE_TYPES)
    assert c.by_type["wrong_tone"] == 2 and c.by_type["unsupported_claim"] == 1 and sum(c.by_type.values()) == 3
    only = ew.label_counts(LABELS, ids=["t001", "t002", "t999"])
    assert (only.labelled, only.passed, only.failed) == (2, 1, 1)
    assert "5 labelled: 1 pass, 4 fail" in c.summary()


@pytest.mark.parametrize("bad, message", [
    ({"t001": {"label": "maybe"}}, r"labels\['t001'\]\['label'\] must be 'pass', 'fail' or None, got 'maybe'"),
    ({"t001": {"label": "fail", "failure_type": "rude"}}, r"\['failure_type'\] must be one of unsupported_claim"),
    ({"t001": {"label": "pass", "failure_type": "wrong_tone"}}, r"must be None for a trace labelled pass"),
    ({"t001": {"label": "pass", "note": 3}}, r"\['note'\] must be text"),
    ({"t001": "pass"}, r"labels\['t001'\] must be a mapping"),
    (["t001"], r"labels must be a mapping of trace id"),
])
def test_label_counts_refuses_what_is_not_a_label(bad, message):
    with pytest.raises(ValueError, match=message):
        ew.label_counts(bad)


def test_labels_round_trip_through_the_work_folder(work):
    path = ew.labels_path()
    assert path == work / "labels" / "08_trace_labels.json"
    assert ew.load_labels(path) == ({}, "")
    ew.save_labels(LABELS, path)
    stored = json.loads(path.read_text(encoding="utf-8"))
    assert stored["version"] == ew.LABELS_VERSION and stored["labels"]["t006"]["note"] == "30 days, policy says 14"
    assert ew.load_labels(path) == (LABELS, "")
    assert not list(path.parent.glob(".*.tmp"))  # the atomic write left nothing behind
    with pytest.raises(ValueError, match="name must be a plain name"):
        ew.labels_path("../elsewhere")


@pytest.mark.parametrize("content", ["{not json", json.dumps({"version": 99, "labels": {}}), json.dumps({"version": 1, "labels": {"t1": {"label": "x"}}})])
def test_an_unreadable_labels_file_is_kept_aside_and_a_new_one_begun(work, content):
    path = ew.labels_path()
    path.parent.mkdir(parents=True)
    path.write_text(content, encoding="utf-8")
    labels, message = ew.load_labels(path)
    assert labels == {} and "could not be read" in message and "a new one begun" in message
    kept = list(path.parent.glob("08_trace_labels.unreadable*.json"))
    assert len(kept) == 1 and kept[0].read_text(encoding="utf-8") == content and kept[0].name in message
    assert not path.exists()


# ------------------------------------------------------------------------------------------------
# The trace labeller
# ------------------------------------------------------------------------------------------------


def test_the_labeller_labels_counts_and_saves_as_buttons_are_clicked(work):
    labeller = ew.trace_labeller(n=10, seed=4)
    sample = load_traces().sample(10, 4)
    assert labeller.ids == [t.id for t in sample]
    assert "Trace 1 of 10" in labeller.header.value and sample[0].ticket.split()[0] in labeller.trace_view.value
    assert labeller.counts.labelled == 0 and not (work / "labels").exists()  # nothing is written before a label

    labeller.pass_button.click()
    assert labeller.counts.passed == 1 and "PASS" in labeller.header.value
    labeller.next_button.click()
    assert labeller.position == 1 and "Trace 2 of 10" in labeller.header.value
    labeller.failure_type.value = "wrong_tone"  # choosing a type is a fail
    labeller.note.value = "blames the customer"
    labeller.next_button.click()
    labeller.fail_button.click()  # a fail with no type yet
    labeller.previous_button.click()
    assert labeller.failure_type.value == "wrong_tone" and labeller.note.value == "blames the customer"

    c = labeller.counts
    assert (c.labelled, c.passed, c.failed, c.untyped, c.by_type["wrong_tone"]) == (3, 1, 2, 1, 1)
    assert "Labelled <b>3</b> of 10: <b>1</b> pass, <b>2</b> fail (1 still without a failure type)" in labeller.counts_view.value
    saved = json.loads(ew.labels_path().read_text(encoding="utf-8"))["labels"]
    assert saved == {
        sample[0].id: {"label": "pass", "failure_type": None, "note": ""},
        sample[1].id: {"label": "fail", "failure_type": "wrong_tone", "note": "blames the customer"},
        sample[2].id: {"label": "fail", "failure_type": None, "note": ""},
    }
    # relabelling a failure as a pass clears its type
    labeller.pass_button.click()
    assert labeller.failure_type.value is None and labeller.counts.by_type["wrong_tone"] == 0
    # navigation stays inside the sample; "next unlabelled" skips what is labelled
    labeller.go(-5)
    assert labeller.position == 0
    labeller.next_open_button.click()
    assert labeller.position == 3  # the first three are labelled
    labeller.go(99)
    assert labeller.position == 9
    assert "10 traces: 3 labelled, 2 pass, 1 fail" in repr(labeller)


def test_a_new_labeller_starts_where_the_last_one_stopped(work):
    first = ew.trace_labeller(n=8, seed=2)
    first.fail_button.click()
    first.failure_type.value = "unsupported_claim"
    again = ew.trace_labeller(n=8, seed=2)  # a restarted kernel
    assert again.counts.labelled == 1 and again.counts.by_type["unsupported_claim"] == 1
    assert again.failure_type.value == "unsupported_claim"
    other = ew.trace_labeller(n=8, seed=2, name="second_pass")
    assert other.counts.labelled == 0 and other.path.name == "second_pass.json"


def test_the_labeller_shows_the_annotators_label_only_after_yours():
    traces = load_traces()
    labeller = ew.trace_labeller(n=6, seed=0)
    trace = labeller.current
    assert labeller.reference.value == ""
    labeller.pass_button.click()
    assert f"said:</b> {trace.human_label}" in labeller.reference.value and f"Judge A said {trace.judge_a}" in labeller.reference.value
    hidden = ew.trace_labeller(n=6, seed=0, reveal=False, name="hidden")
    hidden.fail_button.click()
    assert hidden.reference.value == ""
    assert len(traces) == 400


def test_the_labellers_chart_counts_yours_against_the_annotators(work):
    labeller = ew.trace_labeller(n=30, seed=5)
    theirs = load_traces().sample(30, 5).failure_counts()
    labeller.failure_type.value = "missed_escalation"
    labeller.go(1)
    labeller.failure_type.value = "missed_escalation"
    chart = labeller.chart.value
    assert texts(chart, "axis-label-x") == ["traces with this failure type"]
    values = texts(chart, "bar-value")
    assert len(values) == len(FAILURE_TYPES)
    expected = [f"{2 if k == 'missed_escalation' else 0} (annotator {theirs[k]})" for k in FAILURE_TYPES]
    assert values == expected
    ticks = [float(t) for t in texts(chart, "tick-x")]
    assert ticks[0] == 0 and ticks[-1] >= max(theirs.values()) and all(t == int(t) for t in ticks)
    assert "2 of 2 labelled" in texts(chart, "chart-title")[0]


def test_the_labeller_keeps_labels_in_memory_when_the_file_cannot_be_written(work):
    labeller = ew.trace_labeller(n=5, seed=1)
    (work / "labels").mkdir()
    ew.labels_path().mkdir()  # a folder where the file goes
    labeller.pass_button.click()
    assert "Not saved" in labeller.status.value and "kept while this kernel runs" in labeller.status.value
    assert labeller.counts.passed == 1 and ew.labels_path().is_dir()  # the folder in the way is left alone
    with pytest.raises(ValueError, match="is a folder or not a regular file, where the labels file goes"):
        ew.trace_labeller(n=5, seed=1)


def test_the_labeller_works_on_any_trace_set_and_refuses_bad_arguments():
    small = generate_traces(seed=3, n=60)
    labeller = ew.trace_labeller(small, n=60, seed=0, name="small")
    assert set(labeller.ids) == {t.id for t in small}
    for kwargs, message in [
        (dict(traces="traces.json"), "traces must be a TraceSet"),
        (dict(n=0), "n must be a number of traces from 1 to 400"),
        (dict(n=401), "n must be a number of traces from 1 to 400"),
        (dict(n=2.5), "n must be"),
        (dict(seed=-1), "seed must be a whole number 0 or above"),
        (dict(name="a/b"), "name must be a plain name"),
        (dict(reveal="yes"), "reveal must be True"),
    ]:
        with pytest.raises(ValueError, match=message):
            ew.trace_labeller(**kwargs)


# ------------------------------------------------------------------------------------------------
# The judge explorer
# ------------------------------------------------------------------------------------------------


def test_explorer_counts_by_hand():
    # 100 labelled at a true pass rate of 0.7: 70 pass (63 judged pass at TPR 0.9), 30 fail (24 caught at TNR 0.8);
    # 200 judged at 0.7 * 0.9 + 0.3 * 0.2 = 0.69: 138 judge passes
    assert ew.explorer_counts(0.7, 0.9, 0.8, 100, 200) == {
        "judged_pass": 138, "judged_total": 200, "true_pass": 63, "false_fail": 7, "false_pass": 6, "true_fail": 24}
    with pytest.raises(ValueError, match="tpr must be a share in"):
        ew.explorer_counts(0.7, 1.2, 0.8, 100, 200)


def test_the_explorer_shows_the_corrected_rate_and_gate_that_evals_computes():
    traces = load_traces()
    labelled, judged = traces.where("labelled"), traces.where("judged")
    measured = evals.judge_agreement(labelled.human(), labelled.judge("a"))
    explorer = ew.judge_explorer("a", minimum=0.6)
    assert explorer.tpr.value == pytest.approx(measured.tpr) and explorer.tnr.value == pytest.approx(measured.tnr)
    assert explorer.n_labelled.value == len(labelled) and explorer.n_judged == 10_000  # a week of traffic, judged automatically
    truth = judged.human().mean()
    for tpr, tnr, n in [(0.95, 0.9, 400), (0.8, 0.6, 60), (0.99, 0.97, 2000)]:
        explorer.tpr.value, explorer.tnr.value, explorer.n_labelled.value = tpr, tnr, n
        counts = ew.explorer_counts(truth, tpr, tnr, n, 10_000)
        expected = evals.corrected_interval_from_counts(**counts)
        assert (explorer.rate.estimate, explorer.rate.low, explorer.rate.high) == (expected.estimate, expected.low, expected.high)
        decision = evals.gate_decision(expected, 0.6)
        assert explorer.decision == decision and decision.upper() in explorer.verdict.value
        assert f"{expected.low:.1%} to {expected.high:.1%}" in explorer.verdict.value
        assert f"{counts['true_pass']} true pass, {counts['false_fail']} false fail" in explorer.report.value


def test_more_labels_and_a_better_judge_turn_not_shown_yet_into_ship_and_a_high_bar_blocks():
    explorer = ew.JudgeExplorer(tpr=0.85, tnr=0.7, n_labelled=40, n_judged=2000, pass_rate=0.75, minimum=0.65)
    assert explorer.decision == "not shown yet"
    wide = explorer.rate.high - explorer.rate.low
    explorer.n_labelled.value = 2000
    explorer.tpr.value, explorer.tnr.value = 0.97, 0.95
    assert explorer.decision == "ship" and explorer.rate.high - explorer.rate.low < wide / 2
    explorer.minimum.value = 0.9
    assert explorer.decision == "block" and "BLOCK" in explorer.verdict.value
    # the raw pass rate moves with the judge's errors; the corrected one stays near the truth
    explorer.tnr.value = 0.55
    assert explorer.rate.observed == pytest.approx(0.75 * 0.97 + 0.25 * 0.45, abs=1e-3)
    assert abs(explorer.rate.estimate - 0.75) < 0.01
    assert "passes more than people would" in explorer.report.value
    explorer.tpr.value, explorer.tnr.value = 0.7, 0.99
    assert "passes fewer than people would" in explorer.report.value


def test_a_judge_no_better_than_chance_gets_a_message_not_a_crash():
    explorer = ew.JudgeExplorer(tpr=0.9, tnr=0.9, n_labelled=100, n_judged=300, pass_rate=0.7)
    explorer.tpr.value, explorer.tnr.value = 0.5, 0.5
    assert explorer.rate is None and explorer.decision is None
    # the reason is evals' own message (it names the judge's TPR + TNR = 1); the explorer passes it on
    assert "No corrected rate here" in explorer.verdict.value and "Move TPR or TNR up" in explorer.verdict.value
    assert explorer.problem and "1" in explorer.problem
    assert texts(explorer.chart.value, "readout")[0].startswith("No corrected rate")
    assert explorer.problem in repr(explorer)
    explorer.tnr.value = 0.9
    assert explorer.rate is not None and explorer.decision in ("ship", "block", "not shown yet")


def test_the_explorers_chart_draws_the_rates_where_they_are():
    explorer = ew.JudgeExplorer(tpr=0.9, tnr=0.8, n_labelled=200, n_judged=500, pass_rate=0.7, minimum=0.6)
    chart, r = explorer.chart.value, explorer.rate
    assert texts(chart, "axis-label-x") == ["pass rate (share of answers that pass)"]
    assert texts(chart, "tick-x") == ["0", "0.25", "0.5", "0.75", "1"]
    root = ET.fromstring(chart)

    def px(v):  # the panel: 560 pixels from x = 40 for the pass rates 0 to 1
        return 40 + 560 * v

    interval = [e for e in root.iter(SVG + "path") if e.get("class") == "interval"][0]
    xs = [float(x) for x in re.findall(r"[ML]([\d.]+),", interval.get("d"))]
    assert xs == pytest.approx([px(r.low), px(r.high)], abs=0.06)
    estimate = [e for e in root.iter(SVG + "circle") if e.get("class") == "estimate"][0]
    assert float(estimate.get("cx")) == pytest.approx(px(r.estimate), abs=0.06)
    minimum = [e for e in root.iter(SVG + "line") if e.get("class") == "minimum"][0]
    assert float(minimum.get("x1")) == pytest.approx(px(0.6), abs=0.06)
    assert any("gate minimum: 60%" == t for t in texts(chart, "legend-text"))


def test_the_explorer_is_fast_enough_to_follow_a_slider():
    explorer = ew.judge_explorer()
    start = time.perf_counter()
    for value in np.linspace(0.6, 0.99, 20):
        explorer.tnr.value = float(value)
    assert (time.perf_counter() - start) / 20 < 0.1


@pytest.mark.parametrize("kwargs, message", [
    (dict(judge="c"), "judge must be one of a, b, got 'c'"),
    (dict(tpr=0.4), "tpr must be a judge's TPR from 0.5 to 1"),
    (dict(tnr=float("nan")), "tnr must be"),
    (dict(n_labelled=5), "n_labelled must be a number of labelled traces from 20 to 2,000"),
    (dict(minimum=0.99), "minimum must be a gate's minimum pass rate from 0.3 to 0.95"),
    (dict(seed=True), "seed must be"),
])
def test_the_explorer_refuses_bad_starting_values(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ew.judge_explorer(**kwargs)


# ------------------------------------------------------------------------------------------------
# Stills, as the course site shows them, and the lesson's cells
# ------------------------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "notebooks" / "08_evaluating_llm_features.ipynb"


@pytest.mark.parametrize("call, kind", [
    ("from aipm_course.eval_widgets import trace_labeller\n\ntrace_labeller(n=20, seed=1)", "TraceLabeller"),
    ("from aipm_course import eval_widgets\neval_widgets.judge_explorer('b', minimum=0.65)", "JudgeExplorer"),
])
def test_still_for_builds_lesson_08s_widgets_from_their_cells(call, kind):
    from aipm_course import widgets as w

    image, sentence = w.still_for(call)
    root = ET.fromstring(image)
    assert root.tag == SVG + "svg" and texts(image, "tick-x") and texts(image, "axis-label-x")
    assert sentence == ew.STILL_SENTENCES[kind] and sentence.count(".") == 1 and sentence.endswith(".")
    assert "judge_explorer" in w.STILL_CALLS and "trace_labeller" in w.STILL_CALLS


def test_still_for_uses_the_cells_arguments_and_still_shows_the_widget_as_it_stands():
    from aipm_course import widgets as w

    strict, _ = w.still_for("judge_explorer(minimum=0.9)")
    assert "gate minimum: 90%" in texts(strict, "legend-text")
    labeller = ew.trace_labeller(n=4, seed=0)
    labeller.fail_button.click()
    image, _ = w.still(labeller)
    assert image == labeller.chart.value and "1 of 1 labelled" in texts(image, "chart-title")[0]
    assert w.still_for("trace_labeller(traces)") is None  # not literal: no still, nothing run


def test_the_lesson_calls_its_widgets_so_the_site_can_show_stills():
    from aipm_course import widgets as w

    if not LESSON.exists():
        pytest.skip("lesson 08 not written yet")
    cells = [c for c in json.loads(LESSON.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
    found = {type_ for c in cells for type_ in ("trace_labeller", "judge_explorer") if f"{type_}(" in "".join(c["source"])}
    assert found == {"trace_labeller", "judge_explorer"}
    for cell in cells:
        source = "".join(cell["source"])
        if re.search(r"\b(trace_labeller|judge_explorer)\(", source.splitlines()[-1]):
            assert w.still_for(source) is not None, source


def test_colours_come_only_from_the_palette():
    pattern = re.compile(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b|(?<!\[)['\"](black|white|red|green|blue|grey|gray|orange)['\"]")
    source = Path(ew.__file__).read_text(encoding="utf-8").splitlines()
    assert not [line for line in source if pattern.search(line)]
    assert math.isclose(len(ew.GATE_COLOURS), 3)


def test_the_explorer_says_when_the_judged_set_not_the_labels_limits_the_interval():
    # counts by hand: 100 judged at 0.7 * 0.9 + 0.3 * 0.2 = 0.69; TPR 63/70 = 0.9, TNR 24/30 = 0.8 exactly
    explorer = ew.JudgeExplorer(tpr=0.9, tnr=0.8, n_labelled=100, n_judged=100, pass_rate=0.7, minimum=0.65)
    floor = 1.959963984540054 * math.sqrt(0.69 * 0.31 / 100) / 0.7  # the delta method's term for the judged set alone
    assert f"cannot get narrower than about &plusmn;{floor:.1%}" in explorer.report.value and "judge more traces" in explorer.report.value
    big = ew.JudgeExplorer(tpr=0.9, tnr=0.8, n_labelled=100, n_judged=10_000, pass_rate=0.7, minimum=0.65)
    needed = evals.labels_needed(0.9, 0.8, 0.69, 10_000, abs(big.rate.estimate - 0.65), human_pass_share=0.7)
    assert f"about <b>{needed:,}</b> labelled traces (approximate)" in big.report.value


def test_two_labellers_on_one_file_never_drop_each_others_labels(work):
    first, second = ew.trace_labeller(n=6, seed=9), ew.trace_labeller(n=6, seed=9)  # the cell run twice
    first.pass_button.click()
    second.go(1)
    second.fail_button.click()
    first.go(2)
    first.failure_type.value = "needless_refusal"
    saved = json.loads(ew.labels_path().read_text(encoding="utf-8"))["labels"]
    assert [saved[i]["label"] for i in first.ids[:3]] == ["pass", "fail", "fail"]
    assert first.counts.labelled == 3


# ------------------------------------------------------------------------------------------------
# The lesson's words: what its prose says about the bundled traces must stay true if they change
# ------------------------------------------------------------------------------------------------


def test_what_the_lesson_says_about_the_bundled_traces_holds():
    from aipm_course import thresholds
    from aipm_course.traces import HARM

    traces = load_traces()
    counts = traces.failure_counts()
    priority = {k: counts[k] * HARM[k] for k in counts}
    # section 1: a wrong tone is among the most common and comes last by priority; planted instructions are
    # the rarest and still outrank a more common type
    assert counts["wrong_tone"] >= sorted(counts.values())[-2] and min(priority, key=priority.get) == "wrong_tone"
    assert counts["injection_followed"] == min(counts.values())
    assert any(counts[k] > counts["injection_followed"] and priority[k] < priority["injection_followed"] for k in counts)
    # section 3: judge A is the lenient one, judge B the strict one
    labelled, judged = traces.where("labelled"), traces.where("judged")
    a = evals.judge_agreement(labelled.human(), labelled.judge("a"))
    b = evals.judge_agreement(labelled.human(), labelled.judge("b"))
    assert a.tpr > b.tpr and b.tnr > a.tnr
    # section 4: the truth is inside both intervals
    truth = judged.human().mean()
    for key in "ab":
        r = evals.corrected_pass_rate_interval(judged.judge(key), labelled.human(), labelled.judge(key), seed=0)
        assert r.low <= truth <= r.high, key
    # section 6: an approval on refunds and resets meets every action a planted instruction ordered
    risky = {"issue_refund", "reset_mfa"}
    ordered = [t for t in traces if t.failure_type == "injection_followed" and t.tool_calls]
    assert ordered and all(any(c.name in risky for c in t.tool_calls) for t in ordered)
    # section 7: when attacks are rare, the cheapest of the lesson's thresholds moves up
    planted, scores = [int(t.planted) for t in traces], [t.filter_score for t in traces]
    grid = (0.3, 0.5, 0.7, 0.9)
    rates = [thresholds.metrics_at(planted, scores, t) for t in grid]
    enriched = grid[int(np.argmin([m.cost_per_case(3.0, 60.0) for m in rates]))]
    rare = grid[int(np.argmin([evals.guardrail_cost(20_000, 0.001, m.recall, m.false_positive_rate, 3.0, 60.0).total for m in rates]))]
    assert rare > enriched
    # section 8: judge A catches made-up claims less often than its average, so a mix richer in them lowers its TNR
    catch = {k: np.mean([t.judge_a == "fail" for t in traces if t.failure_type == k]) for k in counts}
    today = sum(counts[k] * catch[k] for k in counts) / sum(counts.values())
    assert catch["unsupported_claim"] < today
