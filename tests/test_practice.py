"""The practice loop (lesson 06): the log, the Leitner schedule, planned sessions and the mock interview.

The schedule is checked against the rule written out here by hand, with a fake clock: boxes 1-4 come
back after 1, 3, 7 and 14 days, box 0 at once; a right number with a right (or no) "so what" goes up one
box; right but slow (over twice the suggested time) stays; a wrong "so what" drops one box but never to
0; a miss or skip drops two; three right numbers in a row raise the difficulty and restart at box 1, two
misses lower it. The log is checked for a round trip of every field, damaged files
(garbage, a truncated database, another program's database), a folder in its place, and two processes
writing at once.
"""

from __future__ import annotations

import datetime as dt
import math
import multiprocessing
import os
import sqlite3
import warnings
from contextlib import closing
from pathlib import Path

import pytest

from aipm_course import drills, interview, practice
from aipm_course.checking import Outcome
from aipm_course.practice import (INTERVALS, Attempt, LogUnavailable, MockInterview, OpenAttempt, PracticeLog, Scheduler, all_kinds,
                                  make_item, plan_session)
from aipm_course.validation import ArgumentError

UTC = dt.timezone.utc
T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
# The rule, by hand: days before a kind in each box is due again.
DAYS_IN_BOX = {1: 1, 2: 3, 3: 7, 4: 14}


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: dt.datetime = T0):
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now


@pytest.fixture
def log(tmp_path):
    return PracticeLog(tmp_path / "log" / "practice.sqlite")


def record(log, kind, outcome, at, difficulty=1, seconds=30.0, session="s", so_what=None, hints=0):
    log.record_drill(kind=kind, difficulty=difficulty, seed=7, answer="0.5", outcome=outcome, seconds=seconds,
                     so_what=so_what, session=session, at=at, hints=hints)


def listing(folder: Path):
    return sorted((str(p.relative_to(folder)), p.read_bytes() if p.is_file() else None) for p in folder.rglob("*"))


# --------------------------------------------------------------------------------------------
# The schedule
# --------------------------------------------------------------------------------------------


def test_the_rule_is_explained_one_line_per_rule():
    assert INTERVALS == tuple(DAYS_IN_BOX[b] for b in (1, 2, 3, 4))
    text = Scheduler.explain()
    assert text == practice.RULE
    header, *rules = text.split("\n")
    assert header.startswith("How the practice schedule works") and len(rules) >= 8
    assert all(r.startswith("- ") for r in rules)
    for words in ("1, 3, 7 or 14 days", "box 0", "at once", "'so what'", "up one box", "twice the suggested time",
                  "it stays where it is", "down one box", "down two boxes", "three right numbers in a row", "box 1",
                  "the next day at the harder level", "two misses in a row", "Open questions"):
        assert any(words.lower() in r.lower() for r in rules), words
    # the module's docstring tells the same rule
    for words in ("drops one box", "drops two boxes", "more than", "box 1, due the next day", "follows the number alone"):
        assert words in " ".join(practice.__doc__.split()), words


def answer_at_level(log, kind, clock, outcome="correct", days=20, **extra):
    """Answer ``kind`` at the difficulty the scheduler gives it, ``days`` after the clock; return the state after."""
    level = Scheduler(log, clock).difficulty(kind)
    record(log, kind, outcome, clock.advance(days=days), difficulty=level, **extra)
    return Scheduler(log, clock).state(kind)


def to_stretch(log, kind, clock):
    """Six right answers at the scheduler's level: warm-up to standard to stretch, ending in box 1."""
    states = [answer_at_level(log, kind, clock) for _ in range(6)]
    assert (states[-1].difficulty, states[-1].box) == (3, 1)
    return states[-1]


def test_right_answers_climb_the_boxes_and_each_rise_in_difficulty_restarts_at_box_1(log):
    clock = Clock()
    states = [answer_at_level(log, "blast_radius", clock) for _ in range(10)]
    # by hand: up one box per right answer; the 3rd and the 6th raise the difficulty and restart at box 1
    assert [s.box for s in states] == [1, 2, 1, 2, 3, 1, 2, 3, 4, 4]
    assert [s.difficulty for s in states] == [1, 1, 2, 2, 2, 3, 3, 3, 3, 3]
    assert [s.last_move for s in states] == ["up", "up", "harder", "up", "up", "harder", "up", "up", "up", "up"]
    for state in states:
        assert state.due == state.last_at + dt.timedelta(days=DAYS_IN_BOX[state.box])


def test_when_difficulty_rises_the_kind_is_back_the_next_day_at_the_harder_level(log):
    clock = Clock()
    answer_at_level(log, "cost_per_query", clock)
    second = answer_at_level(log, "cost_per_query", clock)
    assert (second.box, second.difficulty) == (2, 1)  # due in 3 days at warm-up
    third = answer_at_level(log, "cost_per_query", clock)
    assert (third.box, third.difficulty, third.streak) == (1, 2, 0)
    assert third.due == clock.now + dt.timedelta(days=1)
    scheduler = Scheduler(log, clock)
    assert scheduler.reason("cost_per_query").startswith("moved up to standard last time, box 1: not due until")
    clock.advance(days=1)
    assert scheduler.due_kinds(["blast_radius", "cost_per_query"]) == ["cost_per_query", "blast_radius"]  # due: first
    items = plan_session(log, minutes=2, kinds=["cost_per_query"], seed=1, clock=clock)
    assert [(i.kind, i.difficulty) for i in items] == [("cost_per_query", 2)]


def test_a_missed_kind_is_due_before_a_mastered_one(log):
    clock = Clock()
    for _ in range(9):  # nine right answers at the scheduler's level: stretch, box 4 (see the climb above)
        answer_at_level(log, "blast_radius", clock, days=15)
    record(log, "cost_per_query", "incorrect", clock.advance(hours=1))
    clock.advance(minutes=5)
    scheduler = Scheduler(log, clock)
    assert scheduler.state("blast_radius").box == 4
    assert scheduler.state("cost_per_query").box == 0
    order = scheduler.due_kinds(["blast_radius", "cost_per_query", "judge_correction"])
    assert order == ["cost_per_query", "judge_correction", "blast_radius"]  # missed, never tried, mastered
    assert scheduler.due_kinds()[0] == "cost_per_query"
    assert scheduler.due_kinds()[-1] == "blast_radius"
    # one miss does not throw the mastered kind back to the front: box 4 drops to box 2, back in 3 days
    record(log, "blast_radius", "incorrect", clock.advance(minutes=1))
    missed_at = clock.now
    clock.advance(minutes=1)
    state = scheduler.state("blast_radius")
    assert (state.box, state.due) == (2, missed_at + dt.timedelta(days=3))
    assert scheduler.due_kinds(["blast_radius", "cost_per_query", "judge_correction"]) == ["cost_per_query", "judge_correction", "blast_radius"]
    assert scheduler.reason("blast_radius").startswith("missed last time, down to box 2: not due until")
def test_overdue_kinds_come_longest_overdue_first_then_never_tried_then_by_due_date(log):
    clock = Clock()
    record(log, "blast_radius", "correct", T0)                       # box 1: due T0 + 1 day
    record(log, "cost_per_query", "incorrect", T0 + dt.timedelta(hours=2))  # box 0: due T0 + 2 h
    record(log, "budget_bound", "correct", T0 + dt.timedelta(hours=3))      # box 1: due T0 + 1 day 3 h
    clock.now = T0 + dt.timedelta(days=1, hours=1)
    kinds = ["budget_bound", "blast_radius", "cost_per_query", "judge_correction"]
    # overdue: cost_per_query (23 h) before blast_radius (1 h); then never tried; then budget_bound (due in 2 h)
    assert Scheduler(log, clock).due_kinds(kinds) == ["cost_per_query", "blast_radius", "judge_correction", "budget_bound"]


def test_never_tried_kinds_keep_the_kits_order(log):
    assert Scheduler(log, Clock()).due_kinds() == all_kinds()
    assert Scheduler(log, Clock()).due_kinds(["blast_radius", "base_rate_precision"]) == ["base_rate_precision", "blast_radius"]


def test_a_right_answer_into_box_2_is_due_three_days_later_not_2_9(log):
    first = T0
    second = T0 + dt.timedelta(days=1, hours=5, minutes=17, seconds=3)
    record(log, "blast_radius", "correct", first)
    record(log, "blast_radius", "correct", second)
    clock = Clock(second + dt.timedelta(days=2.9))
    scheduler = Scheduler(log, clock)
    state = scheduler.state("blast_radius")
    assert state.box == 2
    assert state.due == second + dt.timedelta(days=DAYS_IN_BOX[2])
    assert state.due - second == dt.timedelta(days=3)
    assert "not due until" in scheduler.reason("blast_radius")
    assert scheduler.due_kinds(["blast_radius", "cost_per_query"]) == ["cost_per_query", "blast_radius"]  # not due yet
    clock.now = second + dt.timedelta(days=3)
    assert "due since" in scheduler.reason("blast_radius")
    assert scheduler.due_kinds(["cost_per_query", "blast_radius"]) == ["blast_radius", "cost_per_query"]  # due: before never tried


@pytest.mark.parametrize("more", range(0, 6))
def test_each_box_comes_back_after_its_days_and_box_4_is_the_top(log, more):
    clock = Clock()
    kind = "srm_check" if "srm_check" in all_kinds() else "blast_radius"
    to_stretch(log, kind, clock)  # stretch, box 1: no rise in difficulty from here on
    for _ in range(more):
        answer_at_level(log, kind, clock)
    state = Scheduler(log, clock).state(kind)
    box = min(1 + more, 4)
    assert (state.box, state.due) == (box, clock.now + dt.timedelta(days=DAYS_IN_BOX[box]))


@pytest.mark.parametrize("outcome", ["incorrect", "skipped"])
def test_a_miss_or_a_skip_drops_two_boxes_and_box_0_is_due_at_once(log, outcome):
    clock = Clock()
    to_stretch(log, "blast_radius", clock)
    for _ in range(3):
        answer_at_level(log, "blast_radius", clock)  # box 4
    scheduler = Scheduler(log, clock)
    boxes, dues, levels = [], [], []
    for _ in range(3):
        state = answer_at_level(log, "blast_radius", clock, outcome=outcome, days=1)
        boxes.append(state.box)
        dues.append(state.due - clock.now)
        levels.append(state.difficulty)
        assert state.last_outcome == outcome
    # by hand: 4 -> 2 (back in 3 days) -> 0 (at once) -> 0; the second miss in a row lowers stretch to standard
    assert boxes == [2, 0, 0]
    assert dues == [dt.timedelta(days=3), dt.timedelta(0), dt.timedelta(0)]
    assert levels == [3, 2, 2]
    clock.advance(seconds=1)
    what = "skipped" if outcome == "skipped" else "missed"
    assert scheduler.reason("blast_radius").startswith(f"{what} last time (")
    assert "due again at once" in scheduler.reason("blast_radius")
    # from box 3 a miss lands in box 1, due the next day
    to_stretch(log, "cost_per_query", clock)
    answer_at_level(log, "cost_per_query", clock)
    answer_at_level(log, "cost_per_query", clock)  # box 3
    state = answer_at_level(log, "cost_per_query", clock, outcome=outcome, days=1)
    assert (state.box, state.due) == (1, clock.now + dt.timedelta(days=1))


def test_a_right_but_slow_answer_stays_where_it_is(log):
    clock = Clock()
    suggested = drills.make_drill("blast_radius", 7, 1).seconds  # the item the learner saw (seed 7, as record() logs)
    assert suggested > 0
    record(log, "blast_radius", "correct", clock.advance(days=1), seconds=30)  # box 1
    scheduler = Scheduler(log, clock)
    record(log, "blast_radius", "correct", clock.advance(days=2), seconds=2 * suggested + 1)
    state = scheduler.state("blast_radius")
    assert (state.box, state.due, state.last_move) == (1, clock.now + dt.timedelta(days=1), "slow")
    assert scheduler.reason("blast_radius").startswith("right but slow last time, so it stays in box 1")
    # exactly twice the time is not "more than twice"; an untimed answer is not slow
    other = "cost_per_query"
    other_suggested = drills.make_drill(other, 7, 1).seconds
    record(log, other, "correct", clock.advance(minutes=1), seconds=2 * other_suggested)
    record(log, other, "correct", clock.advance(days=2), seconds=None)
    assert scheduler.state(other).box == 2


def test_the_suggested_time_of_a_kind_does_not_depend_on_the_seed():
    # the slow rule reads the suggested seconds per kind and difficulty; the seed of an item must not change them
    for kind in all_kinds():
        for difficulty in (1, 2, 3):
            times = {make_item(kind, seed, difficulty).seconds for seed in range(0, 500, 25)}
            assert len(times) == 1 and practice._suggested(kind, difficulty) == times.pop(), (kind, difficulty)


def test_slow_right_answers_still_raise_the_difficulty(log):
    clock = Clock()
    suggested = drills.make_drill("blast_radius", 7, 1).seconds
    states = []
    for _ in range(3):
        record(log, "blast_radius", "correct", clock.advance(days=1), seconds=3 * suggested)
        states.append(Scheduler(log, clock).state("blast_radius"))
    # by hand: box 0 stays box 0 (due at once) twice; the third right number raises the difficulty: box 1
    assert [(s.box, s.difficulty) for s in states] == [(0, 1), (0, 1), (1, 2)]
    assert states[0].due == states[0].last_at and states[-1].due == states[-1].last_at + dt.timedelta(days=1)


def test_a_wrong_so_what_after_a_right_number_drops_one_box_but_never_to_box_0(log):
    clock = Clock()
    to_stretch(log, "base_rate_precision", clock)
    boxes = []
    for so_what in ["correct", "correct", "incorrect", "incorrect", "incorrect", "skipped", None, "incorrect"]:
        boxes.append(answer_at_level(log, "base_rate_precision", clock, so_what=so_what).box)
    # by hand from box 1: up, up (3), down (2), down (1), stays (1), up: a skipped "so what" does not count (2),
    # up: no "so what" (3), down (2)
    assert boxes == [2, 3, 2, 1, 1, 2, 3, 2]
    state = Scheduler(log, clock).state("base_rate_precision")
    assert state.due == clock.now + dt.timedelta(days=DAYS_IN_BOX[2])
    assert Scheduler(log, clock).reason("base_rate_precision").startswith("right number but wrong 'so what' last time, box 2")
    # a wrong "so what" beats slowness: down one box, not "stays"
    record(log, "base_rate_precision", "correct", clock.advance(days=5), difficulty=3, seconds=10_000, so_what="incorrect")
    assert Scheduler(log, clock).state("base_rate_precision").box == 1


def test_the_difficulty_follows_the_number_alone(log):
    clock = Clock()
    states = [answer_at_level(log, "threshold_by_cost", clock, so_what="incorrect") for _ in range(3)]
    # box 0 stays box 0 (due at once); three right numbers raise the difficulty all the same: box 1
    assert [(s.box, s.difficulty) for s in states] == [(0, 1), (0, 1), (1, 2)]
    assert states[0].due == states[0].last_at
def test_a_right_answer_after_the_last_hint_counts_in_the_score_but_keeps_its_box(log):
    clock = Clock()
    kind = "pricing_margin"
    last = len(make_item(kind, 7, 1).hints)  # the item record() logs: seed 7, warm-up; its last hint gives the formula
    assert last >= 2
    record(log, kind, "correct", clock.advance(days=1))  # box 1
    record(log, kind, "correct", clock.advance(days=2), hints=last)
    scheduler = Scheduler(log, clock)
    state = scheduler.state(kind)
    # by hand: right (box 1), then right with every hint shown: still box 1, back 1 day after it; both count as right
    assert (state.box, state.correct, state.last_move) == (1, 2, "hinted")
    assert state.due == clock.now + dt.timedelta(days=DAYS_IN_BOX[1])
    assert scheduler.reason(kind).startswith("right after the last hint last time, so it stays in box 1")
    record(log, kind, "correct", clock.advance(days=2), hints=last - 1)  # one hint short of the last: up as usual
    assert scheduler.state(kind).box == 2


def test_after_the_last_hint_the_run_toward_a_harder_level_starts_again(log):
    clock = Clock()
    last = len(make_item("blast_radius", 7, 1).hints)
    levels = []
    for hints in (0, 0, last, 0, 0, 0):  # 20 days apart: always due
        record(log, "blast_radius", "correct", clock.advance(days=20), hints=hints)
        levels.append(Scheduler(log, clock).difficulty("blast_radius"))
    # by hand: two right, then the hinted one breaks the run; three clean right answers after it raise the level
    assert levels == [1, 1, 1, 1, 1, 2]


def test_the_number_of_hints_of_a_kind_does_not_depend_on_the_seed():
    # the schedule reads the hint count per kind and difficulty; the seed of an item must not change it
    for kind in all_kinds():
        for difficulty in (1, 2, 3):
            counts = {len(make_item(kind, seed, difficulty).hints) for seed in range(0, 500, 25)}
            assert len(counts) == 1 and practice._hint_count(kind, difficulty) == counts.pop() >= 1, (kind, difficulty)


def test_a_second_right_answer_before_the_kind_is_due_earns_nothing(log):
    clock = Clock()
    first = clock.advance(hours=1)
    record(log, "pricing_margin", "correct", first, session="today")
    record(log, "pricing_margin", "correct", clock.advance(minutes=5), session="today")  # again, in the same session
    scheduler = Scheduler(log, clock)
    state = scheduler.state("pricing_margin")
    # by hand: box 0 -> box 1, due a day after the first answer; the second, before then, leaves box and date alone
    assert (state.box, state.due, state.last_move, state.correct) == (1, first + dt.timedelta(days=1), "early", 2)
    assert scheduler.reason("pricing_margin").startswith("right last time but before it was due, so it stays in box 1")
    # it still counts for the difficulty: a third right answer, when due, is the third in a row: standard, box 1
    record(log, "pricing_margin", "correct", first + dt.timedelta(days=1))
    state = scheduler.state("pricing_margin")
    assert (state.box, state.difficulty, state.due) == (1, 2, first + dt.timedelta(days=2))
    # a right answer when the kind is due (to the second) moves it up; an early miss still drops two boxes
    record(log, "cost_per_query", "correct", T0)
    record(log, "cost_per_query", "correct", T0 + dt.timedelta(days=1))
    assert scheduler.state("cost_per_query").box == 2
    record(log, "cost_per_query", "incorrect", T0 + dt.timedelta(days=1, hours=1))
    assert scheduler.state("cost_per_query").box == 0


def test_a_session_a_few_hours_earlier_in_the_day_still_counts(log):
    """Due a day after 21:00; the next evening at 15:30 is within the 6-hour grace, 14:30 is not."""
    for kind, hours_early, box in (("cost_per_query", 5.5, 2), ("blast_radius", 6.5, 1)):
        record(log, kind, "correct", T0)
        record(log, kind, "correct", T0 + dt.timedelta(days=1) - dt.timedelta(hours=hours_early))
        assert Scheduler(log, Clock()).state(kind).box == box, (kind, hours_early)


def test_difficulty_rises_after_three_right_in_a_row_and_falls_after_two_misses(log):
    clock = Clock()
    scheduler = Scheduler(log, clock)
    levels = []

    def answer(outcome):
        level = scheduler.difficulty("cost_per_query")
        record(log, "cost_per_query", outcome, clock.advance(days=1), difficulty=level)
        levels.append(scheduler.difficulty("cost_per_query"))

    assert scheduler.difficulty("cost_per_query") == 1
    for outcome in ["correct"] * 3 + ["correct"] * 3 + ["correct"] * 3:
        answer(outcome)
    assert levels == [1, 1, 2, 2, 2, 3, 3, 3, 3]  # up after each third right answer, never above 3
    levels.clear()
    for outcome in ["incorrect", "correct", "incorrect", "incorrect", "skipped", "incorrect", "incorrect", "incorrect"]:
        answer(outcome)
    # a right answer breaks a run of misses; a skip is a miss; never below 1
    assert levels == [3, 3, 3, 2, 2, 1, 1, 1]


def test_right_answers_below_the_current_difficulty_do_not_raise_it(log):
    clock = Clock()
    for _ in range(3):
        record(log, "blast_radius", "correct", clock.advance(days=1), difficulty=1)
    assert Scheduler(log, clock).difficulty("blast_radius") == 2
    for _ in range(3):  # warm-ups again: not "at the current difficulty"
        record(log, "blast_radius", "correct", clock.advance(days=1), difficulty=1)
    assert Scheduler(log, clock).difficulty("blast_radius") == 2
    for _ in range(3):
        record(log, "blast_radius", "correct", clock.advance(days=1), difficulty=2)
    assert Scheduler(log, clock).difficulty("blast_radius") == 3


def test_open_questions_do_not_move_boxes(log):
    clock = Clock()
    record(log, "blast_radius", "correct", clock.advance(hours=1))
    before = Scheduler(log, clock).states()
    order = Scheduler(log, clock).due_kinds()
    for _ in range(5):
        log.record_open(question_id="worth-building", ticked=["workflow"], total=5, at=clock.advance(minutes=1))
    clock.now = T0 + dt.timedelta(hours=1, minutes=5)
    assert Scheduler(log, clock).states() == before
    assert Scheduler(log, clock).due_kinds() == order


def test_weakest_kinds_are_worst_accuracy_first(log):
    at = T0
    for kind, outcomes in {"blast_radius": "cci", "cost_per_query": "ii", "budget_bound": "iii", "judge_correction": "cc"}.items():
        for o in outcomes:
            at += dt.timedelta(minutes=1)
            record(log, kind, "correct" if o == "c" else "incorrect", at)
    weakest = Scheduler(log, Clock(at)).weakest(3)
    # 0/3 before 0/2 (more evidence), then 2/3; 2/2 is not weak
    assert [(s.kind, s.correct, s.attempts) for s in weakest] == [("budget_bound", 0, 3), ("cost_per_query", 0, 2), ("blast_radius", 2, 3)]


def test_scheduler_refuses_what_it_cannot_use(log):
    with pytest.raises(ArgumentError, match="log"):
        Scheduler("practice.sqlite")
    with pytest.raises(ArgumentError, match="clock"):
        Scheduler(log, clock=5)
    with pytest.raises(ArgumentError, match="kind"):
        Scheduler(log).state("nope")
    with pytest.raises(ArgumentError, match="kinds.*blast_radius"):
        Scheduler(log).due_kinds(["nope"])


# --------------------------------------------------------------------------------------------
# The log
# --------------------------------------------------------------------------------------------


def test_every_field_comes_back_as_it_was_recorded(log):
    here = dt.timezone(dt.timedelta(hours=2))
    at = dt.datetime(2026, 12, 3, 10, 30, 15, 250_000, tzinfo=here)
    log.record_drill(kind="cost_per_query", difficulty=3, seed=2**40, answer="$2,220", outcome="incorrect", seconds=47.25,
                     so_what="correct", session="2026-12-03T08:30:00-abcd", at=at)
    log.record_drill(kind="blast_radius", difficulty=1, seed=0, answer=[1, 2] * 500, outcome=Outcome.CORRECT, seconds=None,
                     at=at + dt.timedelta(minutes=1))
    log.record_open(question_id="worth-building", ticked=["workflow", "outcome"], total=6, seconds=300, session="x",
                    at=at + dt.timedelta(minutes=2))
    first, second = log.drill_attempts()
    assert first == Attempt(dt.datetime(2026, 12, 3, 8, 30, 15, 250_000, tzinfo=UTC), "cost_per_query", 3, 2**40, "$2,220", "incorrect",
                            47.25, "correct", "2026-12-03T08:30:00-abcd")
    assert first.at == at  # the same instant
    assert (second.kind, second.outcome, second.seconds, second.so_what, second.session) == ("blast_radius", "correct", None, None, "")
    assert second.answer.startswith("[1, 2, 1, 2") and len(second.answer) <= 200
    assert log.drill_attempts("blast_radius") == [second]
    assert log.open_attempts() == [OpenAttempt(at.astimezone(UTC) + dt.timedelta(minutes=2), "worth-building", ("workflow", "outcome"), 6, 300.0, "x")]
    assert log.open_attempts()[0].share == pytest.approx(2 / 6)


def test_attempts_come_oldest_first_whatever_the_order_they_were_written(log):
    for hours in (5, 1, 3):
        record(log, "blast_radius", "correct", T0 + dt.timedelta(hours=hours))
    assert [a.at.hour for a in log.drill_attempts()] == [10, 12, 14]


def test_a_naive_time_is_read_as_utc(log):
    record(log, "blast_radius", "correct", dt.datetime(2026, 12, 3, 10, 0))
    assert log.drill_attempts()[0].at == dt.datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


def test_a_missing_log_reads_empty_and_is_not_created(tmp_path):
    log = PracticeLog(tmp_path / "none" / "practice.sqlite")
    assert log.drill_attempts() == [] and log.open_attempts() == []
    frame = log.history()
    assert list(frame.columns) == ["session", "started", "kind", "attempts", "correct", "accuracy", "median_seconds"]
    assert frame.empty
    assert not (tmp_path / "none").exists()
    assert Scheduler(log, Clock()).due_kinds() == all_kinds()


def test_an_empty_file_is_a_new_log(tmp_path):
    path = tmp_path / "practice.sqlite"
    path.write_bytes(b"")
    log = PracticeLog(path)
    assert log.drill_attempts() == []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        record(log, "blast_radius", "correct", T0)
    assert len(log.drill_attempts()) == 1


@pytest.mark.parametrize("bad, name", [
    (dict(kind="nope"), "kind"),
    (dict(kind=None), "kind"),
    (dict(difficulty=0), "difficulty"),
    (dict(difficulty=4), "difficulty"),
    (dict(difficulty=True), "difficulty"),
    (dict(difficulty=2.0), "difficulty"),
    (dict(seed=-1), "seed"),
    (dict(seed=2**63), "seed"),
    (dict(outcome="right"), "outcome"),
    (dict(outcome=Outcome.NOT_ATTEMPTED), "outcome"),
    (dict(seconds=-1), "seconds"),
    (dict(seconds=float("nan")), "seconds"),
    (dict(seconds="47"), "seconds"),
    (dict(so_what="maybe"), "so_what"),
    (dict(session=5), "session"),
    (dict(at="yesterday"), "at"),
    (dict(at=dt.date(2026, 12, 1)), "at"),
])
def test_record_drill_refuses_a_bad_argument_by_name(log, bad, name):
    good = dict(kind="blast_radius", difficulty=1, seed=1, answer=1, outcome="correct", seconds=1.0)
    with pytest.raises(ArgumentError) as error:
        log.record_drill(**{**good, **bad})
    assert str(error.value).startswith(f"{name} must be")
    assert log.drill_attempts() == []


@pytest.mark.parametrize("bad, name", [
    (dict(question_id=""), "question_id"),
    (dict(question_id=3), "question_id"),
    (dict(ticked="workflow"), "ticked"),
    (dict(ticked=["a", "a"]), "ticked"),
    (dict(ticked=["a", 2]), "ticked"),
    (dict(ticked=["a", "b", "c"], total=2), "ticked"),
    (dict(total=0), "total"),
    (dict(seconds=-5), "seconds"),
])
def test_record_open_refuses_a_bad_argument_by_name(log, bad, name):
    good = dict(question_id="worth-building", ticked=["a"], total=5)
    with pytest.raises(ArgumentError) as error:
        log.record_open(**{**good, **bad})
    assert str(error.value).startswith(f"{name} must be")


def test_the_log_refuses_a_bad_path_or_timeout(tmp_path):
    with pytest.raises(ArgumentError, match="path"):
        PracticeLog(5)
    with pytest.raises(ArgumentError, match="timeout"):
        PracticeLog(tmp_path / "p.sqlite", timeout=-1)


def test_practice_path_is_in_the_work_folder_unless_the_environment_says_otherwise(tmp_path, monkeypatch):
    monkeypatch.delenv("AIPM_PRACTICE_FILE", raising=False)
    monkeypatch.setenv("AIPM_WORK_DIR", str(tmp_path / "work"))
    assert practice.practice_path() == (tmp_path / "work").resolve() / ".aipm" / "practice.sqlite"
    assert PracticeLog().path == practice.practice_path()
    monkeypatch.setenv("AIPM_PRACTICE_FILE", str(tmp_path / "elsewhere.sqlite"))
    assert practice.practice_path() == (tmp_path / "elsewhere.sqlite").resolve()


def _filled_log(path: Path, rows: int = 60) -> None:
    log = PracticeLog(path)
    for i in range(rows):
        log.record_drill(kind="blast_radius", difficulty=1, seed=i, answer="x" * 150, outcome="correct", seconds=1.0, at=T0)


def _garbage(path: Path) -> bytes:
    data = bytes(range(256)) * 40
    path.write_bytes(data)
    return data


def _truncated(path: Path) -> bytes:
    _filled_log(path)
    data = path.read_bytes()
    assert len(data) >= 4 * 4096  # several pages, so half of it cuts through the tables
    path.write_bytes(data[: len(data) // 2])
    return data[: len(data) // 2]


def _other_tables(path: Path) -> bytes:
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE users (name TEXT, email TEXT)")
        con.execute("INSERT INTO users VALUES ('ada', 'ada@example.com')")
    return path.read_bytes()


def _other_columns(path: Path) -> bytes:
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        con.execute("CREATE TABLE drill_attempts (id INTEGER PRIMARY KEY, kind TEXT)")
        con.execute("CREATE TABLE open_attempts (id INTEGER PRIMARY KEY, question TEXT)")
        con.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    return path.read_bytes()


@pytest.mark.parametrize("damage", [_garbage, _truncated, _other_tables, _other_columns])
@pytest.mark.parametrize("first", ["read", "write"])
def test_a_damaged_log_is_set_aside_with_a_warning_and_a_new_one_works(tmp_path, damage, first):
    path = tmp_path / "practice.sqlite"
    data = damage(path)
    log = PracticeLog(path)
    with pytest.warns(UserWarning, match=r"practice log .* moved to practice\.sqlite\.corrupt-") as caught:
        if first == "read":
            assert log.drill_attempts() == []
        else:
            record(log, "blast_radius", "incorrect", T0)
    assert len(caught) == 1
    aside = list(tmp_path.glob("practice.sqlite.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == data  # kept, byte for byte
    assert str(tmp_path) in str(caught[0].message)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the new log is sound: no second warning
        record(log, "cost_per_query", "correct", T0)
        kinds = [a.kind for a in PracticeLog(path).drill_attempts()]
    assert kinds == (["cost_per_query"] if first == "read" else ["blast_radius", "cost_per_query"])


def test_a_folder_in_the_logs_place_is_left_untouched(tmp_path):
    path = tmp_path / "practice.sqlite"
    path.mkdir()
    (path / "notes.txt").write_text("mine", encoding="utf-8")
    before = listing(tmp_path)
    log = PracticeLog(path)
    with pytest.raises(LogUnavailable, match=r"practice\.sqlite is a folder") as error:
        record(log, "blast_radius", "correct", T0)
    assert str(path) in str(error.value)
    with pytest.raises(LogUnavailable, match="is a folder"):
        log.drill_attempts()
    with pytest.raises(LogUnavailable):
        log.record_open(question_id="worth-building", ticked=[], total=5)
    assert listing(tmp_path) == before


def test_a_log_whose_folder_cannot_be_made_is_unavailable(tmp_path):
    (tmp_path / "work").write_text("a file where the folder should be", encoding="utf-8")
    log = PracticeLog(tmp_path / "work" / ".aipm" / "practice.sqlite")
    with pytest.raises(LogUnavailable, match=r"could not be created \(") as error:
        record(log, "blast_radius", "correct", T0)
    assert str(log.path) in str(error.value)
    assert (tmp_path / "work").read_text(encoding="utf-8") == "a file where the folder should be"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root writes in read-only folders")
def test_a_log_in_a_read_only_folder_is_unavailable(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(LogUnavailable, match="practice.sqlite"):
            record(PracticeLog(folder / "practice.sqlite"), "blast_radius", "correct", T0)
    finally:
        folder.chmod(0o700)


def test_a_log_from_a_newer_kit_is_refused_and_kept(tmp_path):
    path = tmp_path / "practice.sqlite"
    record(PracticeLog(path), "blast_radius", "correct", T0)
    with sqlite3.connect(path) as con:
        con.execute("UPDATE meta SET value = '9' WHERE key = 'schema_version'")
    data = path.read_bytes()
    with pytest.raises(LogUnavailable, match="newer version"):
        PracticeLog(path).drill_attempts()
    assert path.read_bytes() == data and not list(tmp_path.glob("*.corrupt-*"))


# The log as the kit wrote it before hints were recorded (schema 1), written out here by hand.
SCHEMA_1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE drill_attempts (id INTEGER PRIMARY KEY, at TEXT NOT NULL, kind TEXT NOT NULL, difficulty INTEGER NOT NULL,
    seed INTEGER NOT NULL, answer TEXT NOT NULL, outcome TEXT NOT NULL, seconds REAL, so_what TEXT, session TEXT NOT NULL);
CREATE TABLE open_attempts (id INTEGER PRIMARY KEY, at TEXT NOT NULL, question_id TEXT NOT NULL, ticked TEXT NOT NULL,
    total INTEGER NOT NULL, seconds REAL, session TEXT NOT NULL);
INSERT INTO meta VALUES ('schema_version', '1');
INSERT INTO drill_attempts (at, kind, difficulty, seed, answer, outcome, seconds, so_what, session)
    VALUES ('2026-12-01T09:00:00.000000+00:00', 'blast_radius', 1, 4, '2110', 'correct', 41.5, 'correct', 'old');
INSERT INTO open_attempts (at, question_id, ticked, total, seconds, session)
    VALUES ('2026-12-01T09:10:00.000000+00:00', 'worth-building', '["workflow"]', 5, NULL, 'old');
"""


def _schema_1(path: Path) -> None:
    with closing(sqlite3.connect(path)) as con:
        con.executescript(SCHEMA_1)


def _columns(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as con:
        return [row[1] for row in con.execute("PRAGMA table_info(drill_attempts)")]


def test_hints_are_recorded_and_refused_by_name_when_bad(log):
    record(log, "blast_radius", "correct", T0, hints=2)
    record(log, "blast_radius", "correct", T0 + dt.timedelta(minutes=1))
    assert [a.hints for a in log.drill_attempts()] == [2, 0]
    for bad in (-1, 101, 1.5, True, "2"):
        with pytest.raises(ArgumentError) as error:
            record(log, "blast_radius", "correct", T0, hints=bad)
        assert str(error.value).startswith("hints must be")
    assert len(log.drill_attempts()) == 2


def test_a_log_from_before_hints_opens_and_is_brought_up_to_date(tmp_path):
    path = tmp_path / "practice.sqlite"
    _schema_1(path)
    assert "hints" not in _columns(path)
    log = PracticeLog(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # neither damaged nor set aside: no warning
        [old] = log.drill_attempts()
        assert (old.kind, old.seconds, old.so_what, old.hints) == ("blast_radius", 41.5, "correct", 0)
        assert [o.question_id for o in log.open_attempts()] == ["worth-building"]
        record(log, "blast_radius", "correct", T0 + dt.timedelta(days=2), hints=1)
    assert _columns(path)[-1] == "hints" and not list(tmp_path.glob("*.corrupt-*"))
    with closing(sqlite3.connect(path)) as con:
        assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == ("2",)
    assert [a.hints for a in PracticeLog(path).drill_attempts()] == [0, 1]
    assert Scheduler(PracticeLog(path), Clock(T0 + dt.timedelta(days=2))).state("blast_radius").box == 2


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root writes in read-only folders")
def test_a_log_from_before_hints_on_a_read_only_disk_is_read_as_it_is(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "practice.sqlite"
    _schema_1(path)
    data = path.read_bytes()
    path.chmod(0o444)
    folder.chmod(0o555)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            log = PracticeLog(path)
            assert [(a.kind, a.hints) for a in log.drill_attempts()] == [("blast_radius", 0)]
            assert Scheduler(log, Clock(T0 + dt.timedelta(hours=2))).state("blast_radius").box == 1
        with pytest.raises(LogUnavailable):
            record(log, "blast_radius", "correct", T0)
    finally:
        folder.chmod(0o755)
        path.chmod(0o644)
    assert path.read_bytes() == data


def test_a_log_from_before_hints_that_this_program_may_not_write_is_read_as_it_is(tmp_path, monkeypatch):
    path = tmp_path / "practice.sqlite"
    _schema_1(path)
    data = path.read_bytes()
    monkeypatch.setattr(practice.os, "access", lambda *args, **kwargs: False)  # opened read-only, as for a file not ours
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        log = PracticeLog(path)
        assert [(a.kind, a.hints) for a in log.drill_attempts()] == [("blast_radius", 0)]
        assert log.drill_attempts("blast_radius")[0].answer == "2110"
    assert path.read_bytes() == data and "hints" not in _columns(path)
    monkeypatch.undo()
    record(log, "blast_radius", "correct", T0 + dt.timedelta(days=2), hints=2)  # once it may write, it is brought up to date
    assert [a.hints for a in PracticeLog(path).drill_attempts()] == [0, 2]


def test_rows_that_cannot_be_read_are_left_out_with_one_warning_naming_the_log_and_the_count(log):
    for minutes in range(4):
        record(log, "blast_radius" if minutes < 3 else "cost_per_query", "correct", T0 + dt.timedelta(minutes=minutes))
    log.record_open(question_id="worth-building", ticked=["workflow"], total=5, at=T0)
    with closing(sqlite3.connect(log.path)) as con, con:
        con.execute("UPDATE drill_attempts SET at = '2026-13-45T99:00:00' WHERE id IN (1, 4)")  # a bad date in two rows
        con.execute("UPDATE open_attempts SET ticked = 'not json'")
    fresh = PracticeLog(log.path)
    with pytest.warns(UserWarning) as caught:
        assert len(fresh.drill_attempts("blast_radius")) == 2  # one of its three is unreadable
        assert len(fresh.drill_attempts()) == 2
        Scheduler(fresh, Clock()).states()
        assert fresh.open_attempts() == []
        fresh.open_attempts()
    messages = [str(w.message) for w in caught]
    assert len(messages) == 2, messages  # once per kind of record, however often the log is read
    assert str(log.path) in messages[0] and "has 2 rows of drill attempts that cannot be read" in messages[0]
    assert "has 1 row of self-scored open questions that cannot be read" in messages[1]
    # cost_per_query's only attempt was unreadable: it is "never tried", and the warning said why
    assert Scheduler(fresh, Clock()).state("cost_per_query").attempts == 0


def _write_many(path: str, worker: int, count: int, barrier) -> None:
    log = PracticeLog(path, timeout=60)
    barrier.wait(60)  # both start at once, on a log neither has created yet
    for i in range(count):
        log.record_drill(kind="blast_radius", difficulty=1, seed=worker * 1000 + i, answer=i, outcome="correct", seconds=1.0,
                         session=f"worker-{worker}")


def test_two_processes_writing_at_once_lose_nothing(tmp_path):
    path = str(tmp_path / "practice.sqlite")
    context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    barrier = context.Barrier(2)
    workers = [context.Process(target=_write_many, args=(path, w, 200, barrier)) for w in (1, 2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
    assert [w.exitcode for w in workers] == [0, 0]
    attempts = PracticeLog(path).drill_attempts()
    assert len(attempts) == 400
    assert sorted(a.seed for a in attempts) == sorted([1000 + i for i in range(200)] + [2000 + i for i in range(200)])


def test_history_has_a_row_per_session_and_kind_in_time_order(log):
    s1, s2 = "2026-12-01T09:00:00-aaaa", "2026-12-03T09:00:00-bbbb"
    t1, t2 = T0, T0 + dt.timedelta(days=2)
    # written out of order: session 2 first
    record(log, "cost_per_query", "correct", t2 + dt.timedelta(minutes=1), seconds=40, session=s2)
    record(log, "cost_per_query", "incorrect", t1 + dt.timedelta(minutes=3), seconds=90, session=s1)
    record(log, "cost_per_query", "correct", t1 + dt.timedelta(minutes=4), seconds=60, session=s1)
    record(log, "cost_per_query", "skipped", t1 + dt.timedelta(minutes=5), seconds=2, session=s1)
    record(log, "blast_radius", "correct", t1 + dt.timedelta(minutes=1), seconds=None, session=s1)
    record(log, "blast_radius", "correct", dt.datetime(2026, 12, 5, 8, 0, tzinfo=UTC), seconds=30, session="")
    frame = log.history()
    assert list(frame.columns) == ["session", "started", "kind", "attempts", "correct", "accuracy", "median_seconds"]
    rows = [tuple(r) for r in frame[["session", "kind", "attempts", "correct"]].itertuples(index=False)]
    # within a session, kinds in the kit's order (cost_per_query is taught before blast_radius)
    assert rows == [(s1, "cost_per_query", 3, 1), (s1, "blast_radius", 1, 1), (s2, "cost_per_query", 1, 1), ("2026-12-05", "blast_radius", 1, 1)]
    assert list(frame["started"]) == [t1 + dt.timedelta(minutes=1)] * 2 + [t2 + dt.timedelta(minutes=1), dt.datetime(2026, 12, 5, 8, tzinfo=UTC)]
    assert frame["accuracy"].tolist() == pytest.approx([1 / 3, 1.0, 1.0, 1.0])
    medians = frame["median_seconds"].tolist()
    assert medians[0] == 75.0  # median of 90 and 60; the 2-second skip left out
    assert math.isnan(medians[1])  # the only attempt was not timed
    assert medians[2:] == [40.0, 30.0]
    assert frame["attempts"].dtype.kind == "i" and frame["accuracy"].dtype.kind == "f"


def test_session_ids_are_fresh_and_readable(log):
    ids = {log.new_session_id() for _ in range(20)}
    assert len(ids) == 20
    sample = next(iter(ids))
    assert dt.datetime.strptime(sample[:19], "%Y-%m-%dT%H:%M:%S") and len(sample) == 24


# --------------------------------------------------------------------------------------------
# Kinds, items and planned sessions
# --------------------------------------------------------------------------------------------


def test_all_kinds_are_the_drills_then_the_estimates():
    kinds = all_kinds()
    assert kinds[: len(drills.DRILL_KINDS)] == list(drills.DRILL_KINDS)
    assert len(set(kinds)) == len(kinds)
    estimation = practice._estimation()
    extra = list(estimation.ESTIMATE_KINDS) if estimation else []
    assert kinds[len(drills.DRILL_KINDS):] == extra


def test_make_item_builds_a_drill_or_an_estimate():
    item = make_item("blast_radius", 3, 2)
    assert isinstance(item, drills.Drill) and (item.kind, item.seed, item.difficulty) == ("blast_radius", 3, 2)
    for kind in all_kinds()[len(drills.DRILL_KINDS):]:
        estimate = make_item(kind, 3, 2)
        assert hasattr(estimate, "assumptions") and (estimate.kind, estimate.difficulty) == (kind, 2)
    with pytest.raises(ArgumentError, match="kind must be one of the practice kinds: base_rate_precision"):
        make_item("nope", 1, 1)
    with pytest.raises(ArgumentError, match="difficulty"):
        make_item("blast_radius", 1, 4)


def test_plan_session_fits_the_minutes_for_every_seed(log):
    warm_up = {k: make_item(k, 0, 1).seconds for k in all_kinds()}  # an empty log: every kind at warm-up
    cases = [(seed, 1 + seed % 60) for seed in range(200)] + [(seed, m) for seed in (0, 1) for m in range(1, 61)]
    repeated = 0
    for seed, minutes in cases:
        items = plan_session(log, minutes=minutes, seed=seed, clock=Clock())
        total = sum(i.seconds for i in items)
        assert items, (seed, minutes)
        assert total <= minutes * 60 or len(items) == 1, (seed, minutes, total)
        kinds = [i.kind for i in items]
        left = minutes * 60 - total
        missing = [k for k in all_kinds() if k not in kinds]
        if missing:
            # a kind comes twice only when every kind is in; no kind left out would fit in what is left
            assert len(set(kinds)) == len(kinds), (seed, minutes, kinds)
            assert all(warm_up[k] > left for k in missing), (seed, minutes, total)
        else:
            repeated += len(kinds) > len(set(kinds))
            assert min(warm_up.values()) > left, (seed, minutes, total)  # nothing more would fit
    assert sum(warm_up.values()) < 60 * 60 and repeated  # long sessions do bring kinds back a second time


def test_a_session_gives_each_kind_once_until_every_kind_is_in(log):
    clock = Clock()
    everything = sum(make_item(k, 0, 1).seconds for k in all_kinds()) / 60
    items = plan_session(log, minutes=math.floor(everything) - 1, seed=3, clock=clock)  # not quite room for every kind
    assert len({i.kind for i in items}) == len(items)
    # the learner's case: pricing_margin and one other kind, 10 minutes: each in turn, then again
    two = plan_session(log, minutes=10, kinds=["pricing_margin", "blast_radius"], seed=3, clock=clock)
    kinds = [i.kind for i in two]
    assert kinds[:2] == ["blast_radius", "pricing_margin"] and len(kinds) > 2  # both in: then a second round
    assert kinds[:4] == ["blast_radius", "pricing_margin"] * 2


def test_plan_session_puts_the_urgent_kinds_first_at_the_schedulers_difficulty(log):
    clock = Clock()
    for _ in range(3):
        record(log, "judge_correction", "correct", clock.advance(days=2), difficulty=1)  # now difficulty 2, box 1
    record(log, "blast_radius", "incorrect", clock.advance(hours=1))
    clock.advance(minutes=1)
    items = plan_session(log, minutes=60, seed=4, clock=clock)
    assert items[0].kind == "blast_radius"
    assert items[1].kind == all_kinds()[0]  # then the never-tried kinds in order
    judged = [i for i in items if i.kind == "judge_correction"]
    assert judged and all(i.difficulty == 2 for i in judged)
    assert items.index(judged[0]) == len(all_kinds()) - 1  # not due: last of the first round


def test_plan_session_takes_the_kinds_named_and_fresh_seeds(log):
    items = plan_session(log, minutes=10, kinds=["cost_per_query", "blast_radius"], seed=9, clock=Clock())
    assert {i.kind for i in items} == {"cost_per_query", "blast_radius"}
    assert len({i.seed for i in items}) == len(items)
    again = plan_session(log, minutes=10, kinds=["cost_per_query", "blast_radius"], seed=9, clock=Clock())
    assert [(i.kind, i.seed) for i in again] == [(i.kind, i.seed) for i in items]
    other = plan_session(log, minutes=10, kinds=["cost_per_query", "blast_radius"], seed=10, clock=Clock())
    assert [i.seed for i in other] != [i.seed for i in items]


@pytest.mark.parametrize("bad, pattern", [
    (dict(minutes=0), r"minutes must be a number of minutes above 0 and at most 120, got 0"),
    (dict(minutes=121), r"minutes must be .* at most 120"),
    (dict(minutes=float("nan")), "minutes"),
    (dict(minutes=True), "minutes"),
    (dict(kinds=["nope"]), r"kinds must be a list of practice kinds from: base_rate_precision, .*blast_radius"),
    (dict(kinds="blast_radius"), "kinds"),
    (dict(kinds=[]), "kinds"),
    (dict(seed=-1), "seed"),
    (dict(scenario="nope"), "scenario"),
    (dict(clock="now"), "clock"),
])
def test_plan_session_refuses_bad_arguments_by_name(log, bad, pattern):
    with pytest.raises(ArgumentError, match=pattern):
        plan_session(log, **bad)


def test_plan_session_without_a_seed_draws_one_from_the_clock(log):
    a = plan_session(log, minutes=5, clock=Clock())
    b = plan_session(log, minutes=5, clock=Clock(T0 + dt.timedelta(seconds=1)))
    assert [i.seed for i in a] != [i.seed for i in b]


# --------------------------------------------------------------------------------------------
# The mock interview
# --------------------------------------------------------------------------------------------


def _urgent(log, kinds, at=T0):
    """Make these kinds the most urgent, in this order (missed, the first longest ago)."""
    for i, kind in enumerate(kinds):
        record(log, kind, "incorrect", at + dt.timedelta(minutes=i), session="before")


def _right_answer(item):
    if hasattr(item, "assumptions"):
        return item.compute(item.typical), item.typical
    return item.expected, None


def _wrong_letter(item):
    spec = item.so_what.spec
    return next(k for k in spec.options if k != spec.correct)


def test_the_mock_plans_three_drills_and_two_open_questions_with_follow_ups(log):
    first_kinds = set()
    for seed in range(30):
        mock = MockInterview(log, seed=seed, clock=Clock())
        kinds = [s.kind for s in mock.steps]
        assert kinds == ["drill"] * 3 + ["open"] * 2
        drill_kinds = [s.item.kind for s in mock.steps[:3]]
        assert len(set(drill_kinds)) == 3
        assert len({practice._module_of(k) for k in drill_kinds}) >= 2
        assert all(s.item.difficulty >= 2 for s in mock.steps[:3])  # an interview asks standard questions or harder
        case, story = (s.item for s in mock.steps[3:])
        assert case.kind in ("product_sense", "technical") and story.kind == "behavioural"  # a case, then a story
        assert case.follow_ups and story.follow_ups
        first_kinds.add(case.kind)
        assert sum(s.suggested for s in mock.steps) == pytest.approx(30 * 60)
    assert first_kinds == {"product_sense", "technical"}  # the seed varies the case
    assert log.drill_attempts() == []  # planning writes nothing


def test_the_mock_takes_the_most_urgent_kinds_but_never_all_from_one_module(log):
    modules: dict[str, list[str]] = {}
    for kind in all_kinds():
        modules.setdefault(practice._module_of(kind), []).append(kind)
    crowded = next((ks for ks in modules.values() if len(ks) >= 3), None)
    if crowded is None:
        pytest.skip("no module has three kinds yet")
    _urgent(log, crowded[:3])
    mock = MockInterview(log, seed=1, clock=Clock(T0 + dt.timedelta(hours=1)))
    chosen = [s.item.kind for s in mock.steps[:3]]
    assert chosen[:2] == crowded[:2]
    assert practice._module_of(chosen[2]) != practice._module_of(crowded[0])


def test_the_mock_runs_step_by_step_records_one_session_and_reports(log):
    urgent = ["cost_per_query", "blast_radius", "judge_correction"]
    _urgent(log, urgent)
    for _ in range(2):  # history before the mock: budget_bound 0 of 2
        record(log, "budget_bound", "incorrect", T0 + dt.timedelta(minutes=30), session="before")
    clock = Clock(T0 + dt.timedelta(hours=2))
    mock = MockInterview(log, seed=3, clock=clock)
    assert [s.item.kind for s in mock.steps[:3]] == urgent
    first, second, third, q1, q2 = mock.steps

    # 1: right, in 47 s; the "so what" right
    assert mock.start() is first and first.stage == "number"
    assert mock.answer("not a number").outcome is Outcome.NOT_ATTEMPTED and mock.current is first  # a typo uses nothing up
    assert mock.decide("a").outcome is Outcome.NOT_ATTEMPTED  # no choice waiting yet
    clock.advance(seconds=47)
    value, _ = _right_answer(first.item)
    assert mock.answer(repr(value)).correct
    if first.item.so_what is not None:
        assert mock.current is first and first.stage == "so_what"
        assert mock.decide("zz").outcome is Outcome.NOT_ATTEMPTED
        clock.advance(seconds=10)
        assert mock.decide(first.item.so_what.spec.correct.upper()).correct
    assert first.seconds == 47 and mock.current is second

    # 2: a named slip, in 200 s; the "so what" wrong
    mock.start()
    clock.advance(seconds=200)
    slip = second.item.slips[0]
    result = mock.answer(slip.value)
    assert result.outcome is Outcome.INCORRECT
    if second.item.so_what is not None:
        assert not mock.decide(_wrong_letter(second.item)).correct

    # 3: skipped after 5 s
    mock.start()
    clock.advance(seconds=5)
    mock.skip()
    # open 1: three points, in 9 minutes; open 2: skipped at once
    mock.start()
    clock.advance(minutes=9)
    score = mock.score_open([1, 3, 2])
    assert len(score.covered) == 3
    mock.start()
    mock.skip()
    assert mock.finished and mock.start() is None

    rows = [a for a in log.drill_attempts() if a.session == mock.session]
    assert [(a.kind, a.outcome) for a in rows] == [("cost_per_query", "correct"), ("blast_radius", "incorrect"), ("judge_correction", "skipped")]
    assert [a.seconds for a in rows] == [47.0, 200.0, 5.0]
    has = [s.item.so_what is not None for s in (first, second, third)]
    assert [a.so_what for a in rows] == [("correct" if has[0] else None), ("incorrect" if has[1] else None), None]
    opens = log.open_attempts()
    assert [(o.question_id, len(o.ticked), o.total, o.session) for o in opens] == [
        (q1.item.id, 3, len(q1.item.rubric), mock.session), (q2.item.id, 0, len(q2.item.rubric), mock.session)]
    assert set(opens[0].ticked) == {q1.item.rubric[i].id for i in (0, 1, 2)}

    report = mock.report()
    assert report.drills_right == 1
    assert report.so_what_right == (int(has[0]), sum(has[:2]))
    spent = 47 + (10 if has[0] else 0) + 200 + 5 + 9 * 60
    assert report.minutes_used == pytest.approx(spent / 60)
    assert [i.outcome for i in report.items[:3]] == ["correct", "incorrect", "skipped"]
    assert [i.share for i in report.items[3:]] == pytest.approx([3 / len(q1.item.rubric), 0.0])
    # weakest over the whole log: budget_bound 0/2, then the 0/2 kinds missed before and in the mock, ...
    assert report.weakest[0] == ("blast_radius", 0, 2) or report.weakest[0] == ("budget_bound", 0, 2)
    assert {k for k, r, n in report.weakest} <= {"budget_bound", "blast_radius", "judge_correction"}
    text = str(report)
    assert "1 of 3 right" in text
    assert f"{spent / 60:.1f} minutes of 30" in text
    assert "took 47 s (suggested" in text
    assert practice._plain(second.item.check(slip.value).message)[:50] in text
    assert practice._plain(second.item.working)[:50] in text and practice._plain(third.item.working)[:50] in text
    assert practice._plain(first.item.working)[:50] not in text  # a right answer needs no worked solution
    assert f"{3 / len(q1.item.rubric):.0%} of the rubric" in text
    assert "aipm practice --kinds" in text
    md = report.markdown()
    assert md.startswith("### Mock interview report") and "**Drills**" in md and "1 of 3 right" in md


def test_the_report_says_what_was_not_reached(log):
    mock = MockInterview(log, seed=5, clock=Clock())
    text = str(mock.report())
    assert "0 of 3 right" in text
    for step in mock.steps:
        assert f"- {step.title}: not reached\n" in text
    assert "Misses" not in text
    assert "no drill recorded yet" in text


def test_the_mock_takes_an_estimate_with_its_assumptions(log):
    kinds = all_kinds()[len(drills.DRILL_KINDS):]
    if not kinds:
        pytest.skip("no estimation kinds yet")
    _urgent(log, [kinds[0], "blast_radius", "cost_per_query"])
    clock = Clock(T0 + dt.timedelta(hours=1))
    mock = MockInterview(log, seed=2, clock=clock)
    step = mock.start()
    assert hasattr(step.item, "assumptions")
    answer, values = _right_answer(step.item)
    assert mock.answer(answer).outcome is Outcome.NOT_ATTEMPTED  # no assumptions yet: the step waits
    typed = {k: repr(v) for k, v in values.items()}  # as typed in a terminal
    assert mock.answer(repr(answer), typed).correct
    assert mock.current is not step or step.stage == "so_what"
    attempt = log.drill_attempts(kinds[0])[-1]
    assert attempt.outcome == "correct" and attempt.session == mock.session


def test_the_mock_refuses_bad_arguments_by_name(log):
    with pytest.raises(ArgumentError, match="log"):
        MockInterview("log")
    with pytest.raises(ArgumentError, match="minutes"):
        MockInterview(log, minutes=0)
    with pytest.raises(ArgumentError, match="seed"):
        MockInterview(log, seed=-2)
    mock = MockInterview(log, seed=1, clock=Clock())
    with pytest.raises(ArgumentError, match="covered"):
        mock.score_open([1])  # the first step is a drill


def test_a_damaged_log_that_cannot_be_moved_aside_is_unavailable_and_kept(tmp_path, monkeypatch):
    path = tmp_path / "practice.sqlite"
    data = _garbage(path)

    def refuse(*args):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(practice.os, "rename", refuse)
    with pytest.raises(LogUnavailable, match=r"could not be moved aside \(Permission denied\)") as error:
        PracticeLog(path).drill_attempts()
    assert str(path) in str(error.value) and "nothing was overwritten" in str(error.value)
    with pytest.raises(LogUnavailable):
        record(PracticeLog(path), "blast_radius", "correct", T0)
    assert path.read_bytes() == data
