"""The practice loop in lesson 06: the ``adaptive_practice`` widget driven as a learner would (typing
into ``answer.value``, choosing ``choice.value``, ``Button.click()``), with a fake clock and a practice
log in ``tmp_path``; the self-scorer's record; the history figure and the simulated learner's log.

Expected values are worked here from the drills' own numbers, the Leitner rule written out by hand
(1, 3, 7 and 14 days), and the log read back row by row, never copied from the widget's code.
"""

from __future__ import annotations

import datetime as dt

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from aipm_course.drills import DRILL_KINDS, make_drill  # noqa: E402
from aipm_course.estimation import make_estimate  # noqa: E402
from aipm_course.interview import get_question  # noqa: E402
from aipm_course.practice import LogUnavailable, PracticeLog, Scheduler, all_kinds, plan_session  # noqa: E402
from aipm_course.practice_plots import SAMPLE_LEARNER, SAMPLE_MINUTES, history_figure, sample_log  # noqa: E402
from aipm_course.validation import AipmError  # noqa: E402
from aipm_course.widgets import AdaptivePractice, SelfScorer, adaptive_practice, self_scorer  # noqa: E402
from widget_helpers import plain, visible  # noqa: E402

UTC = dt.timezone.utc
START = dt.datetime(2026, 12, 4, 20, 0, tzinfo=UTC)


class FakeClock:
    """An aware UTC clock the test moves by hand."""

    def __init__(self, start: dt.datetime = START):
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)




def local(at: dt.datetime) -> str:
    """A time as the practice messages print it: the machine's local time, to the minute."""
    return at.astimezone().strftime("%Y-%m-%d %H:%M")


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def log(tmp_path):
    return PracticeLog(tmp_path / "practice.sqlite")


def drills(*kinds, seed=3, difficulty=2):
    return [make_drill(kind, seed, difficulty) for kind in kinds]


def widget(items, log, clock):
    return AdaptivePractice(items, log, clock=clock)


def type_and_check(w, text):
    w.answer.value = text
    w.check_button.click()


def choose(w, key):
    w.choice.value = key
    w.choice_button.click()


def wrong_key(spec):
    return next(k for k in spec.options if k != spec.correct)


def rows(log):
    return log.drill_attempts()


# --------------------------------------------------------------------------------------------
# A session planned from the log
# --------------------------------------------------------------------------------------------


def test_the_session_is_the_planners_and_the_header_says_why_each_kind_is_there(tmp_path, clock):
    w = adaptive_practice(minutes=10, seed=5, log=tmp_path / "a.sqlite", clock=clock)
    planned = plan_session(PracticeLog(tmp_path / "b.sqlite"), minutes=10, seed=5, clock=clock)
    assert [(i.kind, i.seed, i.difficulty) for i in w.items] == [(i.kind, i.seed, i.difficulty) for i in planned]
    assert sum(i.seconds for i in w.items) <= 10 * 60
    header = visible(w.header.value)
    assert f"{len(planned)} items" in header
    for item in planned:
        assert f"{DRILL_KINDS[item.kind][0]} (warm-up): never tried" in header  # a fresh log: every kind is new, at warm-up
    first = planned[0]
    assert f"Item 1 of {len(planned)}" in visible(w.title.value) and first.title in visible(w.title.value)
    assert visible(w.prompt.value) == plain(first.prompt)
    assert "0:00 of" in visible(w.clock.value)
    assert w.note.value == ""  # saved, nothing to say
    assert repr(w) == f"AdaptivePractice({len(planned)} items, item 1 of {len(planned)}; run it in JupyterLab to practise)"


def test_a_kind_missed_yesterday_comes_first_and_the_header_says_it_was_missed(tmp_path, clock):
    path = tmp_path / "practice.sqlite"
    first_kind = all_kinds()[0]
    late_kind = "blast_radius"
    PracticeLog(path).record_drill(kind=first_kind, difficulty=1, seed=1, answer=0.5, outcome="correct", seconds=60,
                                   at=START - dt.timedelta(hours=20))  # box 1: due in 4 hours
    PracticeLog(path).record_drill(kind=late_kind, difficulty=1, seed=1, answer=0.5, outcome="incorrect", seconds=60,
                                   at=START - dt.timedelta(days=1))
    w = adaptive_practice(minutes=3, seed=1, log=path, clock=clock)
    assert w.items[0].kind == late_kind
    assert "missed last time" in visible(w.header.value)


# --------------------------------------------------------------------------------------------
# One item: right, wrong, a typo, skip, and the "so what" step
# --------------------------------------------------------------------------------------------


def test_a_right_answer_then_the_right_so_what_is_one_row_with_both_outcomes_and_the_time(log, clock):
    d, nxt = drills("base_rate_precision", "cost_per_query")
    w = widget([d, nxt], log, clock)
    clock.advance(47)
    type_and_check(w, f"{d.expected * 100:.2f}%")  # typed as a percentage, as a learner might
    assert "Correct" in visible(w.feedback.value)
    assert w.stage == "so_what" and w.position == 0 and rows(log) == []  # the row waits for the "so what"
    assert w.so_what_box.layout.display is None and w.number_box.layout.display == "none"
    assert plain(d.so_what.prompt) in visible(w.so_what_prompt.value)
    assert sorted(value for _, value in w.choice.options) == sorted(d.so_what.spec.options)
    clock.advance(30)  # thinking about the "so what" does not add to the number's time
    choose(w, d.so_what.spec.correct)
    assert "Correct" in visible(w.feedback.value)
    [row] = rows(log)
    assert (row.kind, row.seed, row.difficulty, row.outcome, row.so_what) == (d.kind, d.seed, d.difficulty, "correct", "correct")
    assert row.seconds == pytest.approx(47)
    assert row.at == START + dt.timedelta(seconds=47)
    assert row.session == w.session_id
    assert float(row.answer) == pytest.approx(round(d.expected * 100, 2) / 100)
    assert w.position == 1 and w.stage == "number" and f"Item 2 of 2: {nxt.title}" in visible(w.title.value)


def test_a_wrong_answer_shows_the_slips_feedback_and_a_wrong_so_what_its_own(log, clock):
    [d] = drills("threshold_by_cost")
    slip = d.slips[0]
    w = widget([d], log, clock)
    type_and_check(w, repr(slip.value))
    assert plain(slip.feedback) in visible(w.feedback.value)
    assert "Not yet" in visible(w.feedback.value)
    assert w.stage == "so_what"  # the "so what" follows whatever the number's outcome
    spec = d.so_what.spec
    key = wrong_key(spec)
    choose(w, key)
    assert plain(spec.feedback[key]) in visible(w.feedback.value)
    [row] = rows(log)
    assert (row.outcome, row.so_what) == ("incorrect", "incorrect")
    assert w.finished
    review = visible(w.review.value)
    assert "0 of 1 right" in review and "'so what': 0 of 1 right" in review
    assert plain(d.working) in review  # the miss comes with its worked solution
    assert plain(spec.options[spec.correct]) in review  # and the better choice


@pytest.mark.parametrize("typo", ["abc", "8,3", "twelve", "1e400", "nan", "--5", "0.1.2"])
def test_a_typo_asks_again_and_does_not_use_up_the_drill(log, clock, typo):
    d, _ = drills("reviewer_headcount", "budget_bound")
    w = widget([d, _], log, clock)
    before = w.prompt.value
    type_and_check(w, typo)
    assert w.position == 0 and w.stage == "number" and w.prompt.value == before
    assert "Type digits" in visible(w.feedback.value) or "decimal" in visible(w.feedback.value)
    assert rows(log) == []
    type_and_check(w, str(d.expected))  # the drill is still there to answer
    assert "Correct" in visible(w.feedback.value)


def test_an_empty_box_asks_for_an_answer_and_choosing_nothing_asks_for_a_choice(log, clock):
    [d] = drills("budget_bound")
    w = widget([d], log, clock)
    type_and_check(w, "   ")
    assert "first" in visible(w.feedback.value) and w.stage == "number"
    type_and_check(w, str(d.expected))
    w.choice_button.click()  # no option chosen yet
    assert "Choose an option first" in visible(w.feedback.value)
    assert w.stage == "so_what" and rows(log) == []


def test_skip_records_a_skip_without_a_so_what_and_puts_the_worked_solution_in_the_review(log, clock):
    d, right = drills("break_even_volume", "cost_per_query")
    w = widget([d, right], log, clock)
    clock.advance(12)
    w.skip_button.click()
    [row] = rows(log)
    assert (row.kind, row.outcome, row.so_what, row.answer) == (d.kind, "skipped", None, "")
    assert row.seconds == pytest.approx(12)
    assert w.position == 1 and w.stage == "number"  # no "so what" after a skip
    type_and_check(w, str(right.expected))
    w.choice_skip.click()  # the "so what" can be skipped too
    assert [r.so_what for r in rows(log)] == [None, "skipped"]
    review = visible(w.review.value)
    assert "1 of 2 right" in review and f"{d.title} ({d.level}): skipped" in review
    assert plain(d.working) in review


def test_hint_shows_the_drills_hints_in_turn(log, clock):
    [d] = drills("base_rate_precision")
    w = widget([d], log, clock)
    w.hint_button.click()
    assert plain(d.hints[0]) in visible(w.hint.value)
    w.hint_button.click()
    assert plain(d.hints[1]) in visible(w.hint.value)
    w.hint_button.click()  # past the last: the last again, never an error
    assert plain(d.hints[-1]) in visible(w.hint.value)
    type_and_check(w, str(d.expected))
    choose(w, d.so_what.spec.correct)
    assert w.finished


def test_the_clock_follows_the_fake_clock_on_each_tick(log, clock):
    [d] = drills("cost_per_query")
    w = widget([d], log, clock)
    clock.advance(d.seconds + 5)
    w.ticker.value += 1
    text = visible(w.clock.value)
    over = d.seconds + 5
    assert f"{over // 60}:{over % 60:02d} of {d.seconds // 60}:{d.seconds % 60:02d}" in text and "over the suggested time" in text


def test_buttons_after_the_end_do_nothing(log, clock):
    [d] = drills("cost_per_query")
    w = widget([d], log, clock)
    w.skip_button.click()
    assert w.finished and "Session over" in visible(w.title.value)
    for button in (w.check_button, w.skip_button, w.hint_button, w.choice_button, w.choice_skip):
        button.click()
    assert len(rows(log)) == 1 and not w.ticker.playing


# --------------------------------------------------------------------------------------------
# The end of the session: the score and when each kind comes back (the Leitner rule by hand)
# --------------------------------------------------------------------------------------------


def test_the_review_gives_the_score_and_when_each_kind_is_due_by_the_rule(log, clock):
    right, missed = drills("base_rate_precision", "blast_radius")
    w = widget([right, missed], log, clock)
    clock.advance(30)
    type_and_check(w, str(right.expected))
    answered_at = clock.now
    choose(w, right.so_what.spec.correct)
    clock.advance(200)  # over the suggested time: right, but not "in time"
    type_and_check(w, str(missed.slips[0].value))
    choose(w, missed.so_what.spec.correct)
    review = visible(w.review.value)
    assert "1 of 2 right (1 within the suggested time); 'so what': 2 of 2 right" in review
    # box 1 after a first right answer: due one day after the attempt; a miss: due at once
    assert local(answered_at + dt.timedelta(days=1)) in review
    assert "Blast radius: due again now" in review
    scheduler = Scheduler(log, clock=clock)
    assert scheduler.state("base_rate_precision").due == answered_at + dt.timedelta(days=1)


# --------------------------------------------------------------------------------------------
# Estimation items: one box per assumption
# --------------------------------------------------------------------------------------------


def test_an_estimate_gets_a_box_per_assumption_and_its_answer_is_judged_from_them(log, clock):
    est = make_estimate("estimate_llm_monthly_cost", seed=0, difficulty=1)
    w = widget([est], log, clock)
    boxes = w.assumption_boxes
    assert [b.assumption.name for b in boxes] == [a.name for a in est.assumptions]
    values = {a.name: a.typical for a in est.assumptions}
    for box in boxes:
        box.value = str(values[box.assumption.name])
    # the bill by hand: agents x uses a day x 30 days x tokens per use x price per 1M tokens / 1M
    agents = est.facts["users"]
    by_hand = agents * values["uses_per_user_per_day"] * 30 * values["tokens_per_use"] * values["price_per_million"] / 1e6
    assert agents > 0 and f"{agents:,}" in est.prompt
    boxes[0].value = ""  # one box left empty: asked again, not used up
    type_and_check(w, f"{by_hand:.6g}")
    assert "first" in visible(w.feedback.value) and w.position == 0
    boxes[0].value = str(values[boxes[0].assumption.name])
    boxes[1].value = "lots"
    type_and_check(w, f"{by_hand:.6g}")
    assert "not a number" in visible(w.feedback.value) and w.position == 0
    boxes[1].value = str(values[boxes[1].assumption.name])
    type_and_check(w, f"{by_hand:.6g}")
    assert "Correct" in visible(w.feedback.value)
    [row] = rows(log)
    assert row.kind == est.kind and row.outcome == "correct" and row.so_what is None
    assert "uses_per_user_per_day" in row.answer and "answer" in row.answer


def test_an_implausible_assumption_is_a_miss_that_names_it(log, clock):
    est = make_estimate("estimate_llm_monthly_cost", seed=0, difficulty=1)
    w = widget([est], log, clock)
    values = {a.name: a.typical for a in est.assumptions}
    wild = est.assumptions[1]
    values[wild.name] = wild.high * 10
    for box in w.assumption_boxes:
        box.value = str(values[box.assumption.name])
    type_and_check(w, f"{est.compute(values):.6g}")
    assert "Not yet" in visible(w.feedback.value)
    assert wild.label.lower() in visible(w.feedback.value).lower()
    assert rows(log)[0].outcome == "incorrect"


# --------------------------------------------------------------------------------------------
# Whatever is typed, nothing raises
# --------------------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(max_size=30), min_size=1, max_size=6))
def test_any_typed_text_gets_an_answer_and_never_an_error(tmp_path, typed):
    clock = FakeClock()
    log = PracticeLog(tmp_path / f"{abs(hash(tuple(typed)))}.sqlite")
    est = make_estimate("estimate_review_team", seed=1, difficulty=2)
    w = AdaptivePractice(drills("srm_check", "pricing_margin") + [est], log, clock=clock)
    for text in typed:
        for box in w.assumption_boxes:
            box.value = text
        type_and_check(w, text)
        if w.stage == "so_what":
            choose(w, wrong_key(w.current.so_what.spec))
    assert w.position <= 3 and len(rows(log)) == w.position


# --------------------------------------------------------------------------------------------
# A log that is damaged, in the way, or fails mid-session
# --------------------------------------------------------------------------------------------


def test_a_corrupt_log_is_set_aside_and_the_widget_works(tmp_path, clock):
    path = tmp_path / "practice.sqlite"
    path.write_bytes(b"this is not a database, it is a shopping list" * 50)
    w = adaptive_practice(minutes=3, seed=2, log=path, clock=clock)
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("practice.sqlite.corrupt-")]
    assert len(aside) == 1 and aside[0].read_bytes().startswith(b"this is not a database")
    note = visible(w.note.value)
    assert aside[0].name in note and "new log" in note
    item = w.current
    type_and_check(w, str(item.expected))
    choose(w, item.so_what.spec.correct)
    assert [r.outcome for r in PracticeLog(path).drill_attempts()] == ["correct"]


def test_a_folder_in_place_of_the_log_leaves_the_practice_working_unsaved(tmp_path, clock):
    folder = tmp_path / "practice.sqlite"
    folder.mkdir()
    (folder / "keep.txt").write_text("mine")
    w = adaptive_practice(minutes=3, seed=2, log=folder, clock=clock)
    assert "Practice is not being saved" in visible(w.note.value) and "is a folder" in visible(w.note.value)
    item = w.current
    type_and_check(w, str(item.expected))
    choose(w, item.so_what.spec.correct)
    assert sorted(p.name for p in folder.iterdir()) == ["keep.txt"]  # untouched
    assert not w.saved
    while not w.finished:
        w.skip_button.click()
    assert "This session was not saved" in visible(w.review.value)


def test_a_log_that_fails_mid_session_says_so_once_and_the_practice_goes_on(log, clock):
    a, b, c = drills("cost_per_query", "budget_bound", "blast_radius")
    w = widget([a, b, c], log, clock)

    def broken(**_):
        raise LogUnavailable(f"the practice log {log.path} could not be written (disk full)")

    w.practice_log.record_drill = broken
    w.skip_button.click()
    w.skip_button.click()
    note = visible(w.note.value)
    assert note.count("Practice is not being saved") == 1 and "disk full" in note
    assert w.position == 2 and not w.saved


@pytest.mark.parametrize("call, name", [
    (lambda p: adaptive_practice(log=3), "log"),
    (lambda p: adaptive_practice(log=p, clock="noon"), "clock"),
    (lambda p: adaptive_practice(log=p, minutes=0), "minutes"),
    (lambda p: adaptive_practice(log=p, kinds=["no_such_kind"]), "kinds"),
    (lambda p: adaptive_practice(log=p, seed=-1), "seed"),
    (lambda p: self_scorer("worth-building", log=object()), "log"),
])
def test_bad_arguments_are_refused_by_name(tmp_path, call, name):
    with pytest.raises(AipmError, match=rf"\b{name} must be"):
        call(tmp_path / "practice.sqlite")


# --------------------------------------------------------------------------------------------
# The self-scorer writes the first score to the practice log
# --------------------------------------------------------------------------------------------


def test_the_first_self_score_is_recorded_with_the_rubric_ids_ticked(log):
    question = get_question("worth-building")
    scorer = SelfScorer(question, log=log)
    scorer.boxes[0].value = scorer.boxes[2].value = True
    scorer.score_button.click()
    scorer.boxes[1].value = True
    scorer.score_button.click()  # scoring again shows the new score, and records nothing more
    [row] = log.open_attempts()
    assert row.question_id == question.id
    assert row.ticked == (question.rubric[0].id, question.rubric[2].id)
    assert row.total == len(question.rubric)
    assert "Saved to your practice log" in visible(scorer.saved.value)
    assert f"3 of {len(question.rubric)} points" in visible(scorer.result.value)


def test_a_self_score_that_cannot_be_saved_says_so_in_one_line_and_still_scores(tmp_path):
    folder = tmp_path / "practice.sqlite"
    folder.mkdir()
    scorer = self_scorer("worth-building", log=folder)
    scorer.boxes[0].value = True
    scorer.score_button.click()
    note = visible(scorer.saved.value)
    assert note.startswith("⚠ Not saved to your practice log") and "is a folder" in note
    assert "1 of" in visible(scorer.result.value)
    assert list(folder.iterdir()) == []


def test_the_self_scorer_uses_the_work_folders_log_by_default(tmp_path, monkeypatch):
    monkeypatch.setenv("AIPM_WORK_DIR", str(tmp_path))
    monkeypatch.delenv("AIPM_PRACTICE_FILE", raising=False)
    scorer = self_scorer("worth-building")
    scorer.score_button.click()
    assert [a.ticked for a in PracticeLog(tmp_path / ".aipm" / "practice.sqlite").open_attempts()] == [()]


# --------------------------------------------------------------------------------------------
# The history figure
# --------------------------------------------------------------------------------------------


def texts(fig):
    found = [t.get_text() for t in fig.findobj(matplotlib.text.Text)]
    return " ".join(found)


def test_the_figure_draws_the_share_right_so_far_and_the_median_seconds(tmp_path):
    path = tmp_path / "practice.sqlite"
    log = PracticeLog(path)
    plan = [  # (session, day, kind, outcome, seconds)
        ("s1", 0, "base_rate_precision", "incorrect", 150), ("s1", 0, "base_rate_precision", "correct", 110),
        ("s1", 0, "cost_per_query", "correct", 90),
        ("s2", 2, "base_rate_precision", "correct", 80),
        ("s3", 5, "cost_per_query", "incorrect", 70), ("s3", 5, "base_rate_precision", "correct", 60),
    ]
    for i, (session, day, kind, outcome, seconds) in enumerate(plan):
        log.record_drill(kind=kind, difficulty=1, seed=i, answer=0.1, outcome=outcome, seconds=seconds, session=session,
                         at=START + dt.timedelta(days=day, minutes=i))
    fig = history_figure(log.history())
    left, right = fig.axes[:2]
    # base-rate precision: 1 of 2, then 2 of 3, then 3 of 4 right so far; cost per query: 1 of 1, then 1 of 2
    assert data_lines(left) == sorted([([1, 2, 3], [50.0, round(200 / 3, 6), 75.0]), ([1, 3], [100.0, 50.0])])
    # the median seconds of each session's answers: (150 + 110) / 2, 80, 60; and 90, 70
    assert data_lines(right) == sorted([([1, 2, 3], [130.0, 80.0, 60.0]), ([1, 3], [90.0, 70.0])])
    assert [t.get_text() for t in left.get_yticklabels()] == ["0%", "25%", "50%", "75%", "100%"]
    assert "share right" in left.get_ylabel() and "seconds" in right.get_ylabel() and "session" in left.get_xlabel()
    days = [(START + dt.timedelta(days=d)).astimezone() for d in (0, 2, 5)]  # each session's date on the learner's calendar
    assert [t.get_text() for t in left.get_xticklabels()] == [f"{n}\n{d.day} {d:%b}" for n, d in enumerate(days, 1)]
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["Base-rate precision", "Cost per query"]
    plt.close(fig)


def data_lines(ax):
    """(x, y) of each line with markers (the data; reference lines have none), y rounded, sorted."""
    return sorted(([float(x) for x in line.get_xdata()], [round(float(y), 6) for y in line.get_ydata()])
                  for line in ax.lines if line.get_marker() not in (None, "None", ""))


def test_the_suggested_times_are_drawn_and_said_for_each_kind(tmp_path):
    log = PracticeLog(tmp_path / "practice.sqlite")
    for i, kind in enumerate(("threshold_by_cost", "break_even_volume")):
        log.record_drill(kind=kind, difficulty=1, seed=i, answer=1, outcome="correct", seconds=100, session="s1", at=START)
    fig = history_figure(log.history())
    right = fig.axes[1]
    levels = sorted(float(line.get_ydata()[0]) for line in right.lines if line.get_marker() in (None, "None", ""))
    expected = sorted(float(make_drill(k, 0, 2).seconds) for k in ("threshold_by_cost", "break_even_volume"))
    assert levels == expected
    note = fig.legends[0].get_title().get_text()
    assert "suggested time at the standard level" in note and f"{expected[0]:.0f} s for Threshold from error costs" in note and f"{expected[1]:.0f} s for Break-even volume" in note
    plt.close(fig)


def test_an_empty_history_says_no_practice_is_recorded_yet(tmp_path):
    fig = history_figure(PracticeLog(tmp_path / "none.sqlite").history())
    assert "no practice recorded yet" in texts(fig).lower()
    plt.close(fig)


@pytest.mark.parametrize("bad", [None, [], pd.DataFrame({"session": ["a"]}), "history"])
def test_the_figure_refuses_what_is_not_a_history(bad):
    with pytest.raises(AipmError, match="history must be"):
        history_figure(bad)


# --------------------------------------------------------------------------------------------
# The simulated learner's log
# --------------------------------------------------------------------------------------------


def test_the_sample_log_is_the_real_schedule_every_two_or_three_days(tmp_path):
    log = sample_log(tmp_path / "sample.sqlite", seed=0, sessions=8)
    attempts = log.drill_attempts()
    sessions = sorted({a.session for a in attempts})
    assert len(sessions) == 8 and {a.kind for a in attempts} <= set(SAMPLE_LEARNER)
    by_session = [[a for a in attempts if a.session == s] for s in sessions]
    starts = [done[0].at - dt.timedelta(seconds=done[0].seconds) for done in by_session]  # each attempt is logged when answered
    assert {(b.date() - a.date()).days for a, b in zip(starts, starts[1:])} <= {2, 3}
    # each session is what the real planner gives from the log as it stood when the session began
    replay = PracticeLog(tmp_path / "replay.sqlite")
    for done, start in zip(by_session, starts):
        planned = plan_session(replay, minutes=SAMPLE_MINUTES, kinds=list(SAMPLE_LEARNER), seed=0, clock=lambda at=start: at)
        assert [(i.kind, i.difficulty) for i in planned] == [(a.kind, a.difficulty) for a in done]
        for a in done:
            replay.record_drill(kind=a.kind, difficulty=a.difficulty, seed=a.seed, answer=a.answer, outcome=a.outcome,
                                seconds=a.seconds, so_what=a.so_what, session=a.session, at=a.at)
    history = log.history()
    assert list(history.columns) == ["session", "started", "kind", "attempts", "correct", "accuracy", "median_seconds"]
    again = sample_log(tmp_path / "again.sqlite", seed=0, sessions=8)
    assert [(a.kind, a.outcome, a.seconds) for a in again.drill_attempts()] == [(a.kind, a.outcome, a.seconds) for a in attempts]


def test_the_sample_never_writes_into_a_log_with_practice_or_the_learners_own(tmp_path, monkeypatch):
    monkeypatch.setenv("AIPM_WORK_DIR", str(tmp_path / "work"))
    monkeypatch.delenv("AIPM_PRACTICE_FILE", raising=False)
    own = tmp_path / "work" / ".aipm" / "practice.sqlite"
    with pytest.raises(AipmError, match="path must be a path other than your own practice log"):
        sample_log(own)
    assert not own.exists()
    used = tmp_path / "used.sqlite"
    PracticeLog(used).record_drill(kind="blast_radius", difficulty=1, seed=1, answer=1, outcome="correct", seconds=50)
    with pytest.raises(AipmError, match="path must be a new or empty practice log"):
        sample_log(used)
    assert len(PracticeLog(used).drill_attempts()) == 1
    with pytest.raises(AipmError, match="sessions must be"):
        sample_log(tmp_path / "x.sqlite", sessions=0)
    assert not (tmp_path / "x.sqlite").exists()


def test_the_simulated_kinds_learn_at_different_paces(tmp_path):
    """Over their first six attempts (five simulated learners), the fast kind is right more often than the slow one."""
    fastest = min(SAMPLE_LEARNER, key=lambda k: SAMPLE_LEARNER[k][1])
    slowest = max(SAMPLE_LEARNER, key=lambda k: SAMPLE_LEARNER[k][1])
    right = dict.fromkeys((fastest, slowest), 0)
    for seed in range(5):
        log = sample_log(tmp_path / f"learner{seed}.sqlite", seed=seed, sessions=14)
        for kind in right:
            first = log.drill_attempts(kind)[:6]
            assert len(first) == 6
            right[kind] += sum(a.outcome == "correct" for a in first)
    assert right[fastest] > right[slowest] + 5


# --------------------------------------------------------------------------------------------
# After a learner's review: a share typed as a percentage, hints recorded, slow answers, the best "so what"
# --------------------------------------------------------------------------------------------


def test_a_share_typed_as_a_percentage_without_the_sign_is_asked_again(log, clock):
    [d] = drills("base_rate_precision")
    assert d.fraction
    w = widget([d], log, clock)
    type_and_check(w, "45.2")
    # worked by hand: 45.2 means 45.2% = 0.452; nothing said about whether it would be right
    assert visible(w.feedback.value) == "A share is between 0 and 1: type 0.452 or 45.2%"
    assert w.position == 0 and w.stage == "number" and rows(log) == []
    type_and_check(w, "45.2%")  # with the sign it is judged as typed
    assert w.stage == "so_what" and "A share is between" not in visible(w.feedback.value)


def test_a_share_assumption_typed_as_a_percentage_is_asked_again(log, clock):
    est = make_estimate("estimate_review_team", seed=1, difficulty=1)
    w = widget([est], log, clock)
    values = {a.name: a.typical for a in est.assumptions}
    for box in w.assumption_boxes:
        box.value = str(values[box.assumption.name])
    share_box = next(b for b in w.assumption_boxes if b.assumption.unit == "share")
    share_box.value = "20"
    type_and_check(w, f"{est.compute(values):.6g}")
    assert "A share is between 0 and 1: type 0.2 or 20%" in visible(w.feedback.value)
    assert share_box.assumption.label in visible(w.feedback.value) and rows(log) == []
    share_box.value = str(values[share_box.assumption.name])
    type_and_check(w, f"{est.compute(values):.6g}")
    assert [r.outcome for r in rows(log)] == ["correct"]


def test_hints_are_recorded_and_a_right_answer_after_the_last_one_says_it_keeps_its_box(log, clock):
    first, second = drills("budget_bound", "cost_per_query")
    w = widget([first, second], log, clock)
    for _ in range(3):  # two hints, and a click past the last
        w.hint_button.click()
    type_and_check(w, str(first.expected))
    assert "Right after the last hint" in visible(w.feedback.value) and "it stays in its box" in visible(w.feedback.value)
    choose(w, first.so_what.spec.correct)
    assert "Right after the last hint" in visible(w.feedback.value)  # still shown above the "so what" verdict
    w.hint_button.click()
    type_and_check(w, str(second.expected))
    assert "last hint" not in visible(w.feedback.value)
    w.choice_skip.click()
    assert [(r.kind, r.hints) for r in rows(log)] == [("budget_bound", len(first.hints)), ("cost_per_query", 1)]
    assert Scheduler(log, clock=clock).state("budget_bound").box == 0  # by the rule: it stays where it was
    assert Scheduler(log, clock=clock).state("cost_per_query").box == 1


def test_a_right_but_slow_answer_says_so_at_once(log, clock):
    slow, fast = drills("blast_radius", "cost_per_query")
    w = widget([slow, fast], log, clock)
    clock.advance(2 * slow.seconds + 1)
    type_and_check(w, str(slow.expected))
    assert f"Right but slow ({2 * slow.seconds + 1} s of {slow.seconds} s suggested): it stays in its box." in visible(w.feedback.value)
    w.choice_skip.click()
    clock.advance(2 * fast.seconds)  # exactly twice: not slow
    type_and_check(w, str(fast.expected))
    assert "slow" not in visible(w.feedback.value)


def test_a_wrong_so_what_shows_the_best_choice_at_once(log, clock):
    d, nxt = drills("pricing_margin", "blast_radius")
    w = widget([d, nxt], log, clock)
    type_and_check(w, str(d.expected))
    spec = d.so_what.spec
    choose(w, wrong_key(spec))
    shown = visible(w.feedback.value)
    assert w.position == 1  # already on the next item, with the best move in view
    assert f"The best choice: {spec.correct}) {plain(spec.options[spec.correct]).rstrip('.')}." in shown
    assert spec.why and f"Why: {plain(spec.why)}" in shown
    type_and_check(w, str(nxt.expected))
    choose(w, nxt.so_what.spec.correct)
    assert "The best choice" not in visible(w.feedback.value)
