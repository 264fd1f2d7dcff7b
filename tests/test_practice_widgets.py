"""The lesson 06 practice widgets, driven as a learner would: typing into ``answer.value``,
``Button.click()``, and setting ``ticker.value`` as the browser's Play widget does each second.
The session runs on a fake clock the tests move by hand, so every time shown is known exactly.

Tests marked ``xfail(strict=True)`` expose real bugs: they fail today and will "pass" (and so
fail the suite) once the bug is fixed.
"""

import re

import pytest

from aipm_course.drills import DIFFICULTIES, DRILL_KINDS, PracticeSession, drill_set
from aipm_course.interview import get_question, load_bank, self_score
from aipm_course.widgets import DrillPractice, SelfScorer, drill_practice, self_scorer
from widget_helpers import plain, visible

SEED = 0
N = len(DRILL_KINDS)  # a session holds one drill of each kind: 13 since pricing, SRM and test length joined


class FakeClock:
    def __init__(self, start: float = 1_000.0):
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds




def mmss(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 60}:{s % 60:02d}"


def clock_colour(markup: str) -> str:
    return re.search(r"color:\s*(#[0-9a-fA-F]{3,6})", markup).group(1).lower()


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def drills():
    return drill_set(SEED)


@pytest.fixture
def practice(clock, drills):
    return DrillPractice(PracticeSession(drills, clock=clock))


def tick(widget: DrillPractice) -> None:
    """What the browser's Play widget does once a second."""
    widget.ticker.value += 1


def submit(widget: DrillPractice, text: str) -> None:
    widget.answer.value = text
    widget.check_button.click()


def spy_on_answers(widget: DrillPractice) -> list:
    """Record every value the widget hands to the session, then let the session judge it."""
    seen = []
    real = widget.session.answer

    def answer(value):
        seen.append(value)
        return real(value)

    widget.session.answer = answer
    return seen


# --------------------------------------------------------------------------------------------
# DrillPractice
# --------------------------------------------------------------------------------------------


def test_the_header_names_the_first_drill_and_its_difficulty(practice, drills):
    first = drills[0]
    header = visible(practice.header.value)
    assert header.startswith(f"Drill 1 of {len(drills)}")
    assert len(drills) == N == 13
    assert first.title in header
    assert DIFFICULTIES[first.difficulty] in header
    assert mmss(first.seconds) in header
    assert plain(first.prompt) == visible(practice.prompt.value)
    assert practice.ticker.playing is True
    assert practice.session.position == 0


def test_the_clock_follows_the_fake_clock_and_turns_over_after_the_suggested_time(practice, clock, drills):
    limit = drills[0].seconds
    text = visible(practice.clock.value)
    assert f"0:00 of {mmss(limit)}" in text and "over" not in text
    in_time = clock_colour(practice.clock.value)

    clock.advance(75)
    tick(practice)
    assert f"{mmss(75)} of {mmss(limit)}" in visible(practice.clock.value)

    clock.advance(limit - 75)  # exactly the suggested time: not over yet
    tick(practice)
    text = visible(practice.clock.value)
    assert f"{mmss(limit)} of {mmss(limit)}" in text and "over" not in text
    assert clock_colour(practice.clock.value) == in_time

    clock.advance(1)
    tick(practice)
    text = visible(practice.clock.value)
    assert f"{mmss(limit + 1)} of {mmss(limit)}" in text
    assert "over" in text
    assert clock_colour(practice.clock.value) != in_time


def test_the_clock_text_changes_only_on_a_tick(practice, clock):
    before = practice.clock.value
    clock.advance(30)
    assert practice.clock.value == before  # nothing re-renders until the browser ticks
    tick(practice)
    assert "0:30 of" in visible(practice.clock.value)


def test_a_right_answer_shows_correct_and_moves_to_drill_two(practice, clock, drills):
    clock.advance(42)
    submit(practice, str(drills[0].expected))
    feedback = visible(practice.feedback.value)
    assert "Correct" in feedback and "Not yet" not in feedback
    assert practice.session.position == 1
    assert practice.session.items[0].correct
    assert practice.session.items[0].seconds == pytest.approx(42)  # the time comes from the session's clock
    header = visible(practice.header.value)
    assert header.startswith(f"Drill 2 of {N}") and drills[1].title in header
    assert plain(drills[1].prompt) == visible(practice.prompt.value)
    assert practice.answer.value == ""
    assert f"0:00 of {mmss(drills[1].seconds)}" in visible(practice.clock.value)  # a fresh clock for drill 2


def test_a_wrong_answer_is_scored_and_moves_on(practice, drills):
    wrong = drills[0].expected * 7 + 1_000
    submit(practice, str(wrong))
    assert "Not yet" in visible(practice.feedback.value)
    assert practice.session.position == 1
    assert practice.session.items[0].answer == pytest.approx(wrong)
    assert not practice.session.items[0].correct


@pytest.mark.parametrize(
    "typed, value",
    [("8.3%", 0.083), ("1,234", 1234.0), (" 14751 ", 14751.0), ("$0.0074", 0.0074), ("0.083", 0.083), ("12.5 %", 0.125)],
)
def test_typed_answers_are_read_as_numbers(practice, typed, value):
    seen = spy_on_answers(practice)
    submit(practice, typed)
    assert seen == [pytest.approx(value)]
    assert practice.session.position == 1  # a number is an answer: the drill is used


@pytest.mark.parametrize("typed", ["abc", "8.3.1", "%", "12 users", "one hundred"])
def test_a_non_number_shows_a_message_and_keeps_the_drill(practice, clock, typed):
    seen = spy_on_answers(practice)
    clock.advance(20)
    submit(practice, typed)
    assert seen == []
    assert practice.session.position == 0
    assert practice.session.items[0].result is None and practice.session.items[0].seconds is None
    message = visible(practice.feedback.value)
    assert "not a number" in message and typed.strip() in message
    assert practice.answer.value == typed  # left for the learner to correct
    assert visible(practice.header.value).startswith(f"Drill 1 of {N}")


@pytest.mark.parametrize("typed", ["", "   ", "$", ","])
def test_an_empty_answer_keeps_the_drill(practice, typed):
    seen = spy_on_answers(practice)
    submit(practice, typed)
    assert seen == []
    assert practice.session.position == 0
    assert practice.feedback.value != ""  # the learner is told to type something
    assert "Correct" not in practice.feedback.value


@pytest.mark.parametrize("typed", ["nan", "inf"])
def test_nan_and_inf_are_not_answers(practice, typed):
    submit(practice, typed)
    assert practice.session.position == 0, f"typing {typed!r} used up drill 1"


def test_skip_moves_on_and_counts_as_a_miss(practice, clock, drills):
    clock.advance(10)
    practice.skip_button.click()
    assert practice.session.position == 1
    assert practice.session.items[0].result is None and practice.session.items[0].seconds == pytest.approx(10)
    assert "Skipped" in visible(practice.feedback.value)
    assert visible(practice.header.value).startswith(f"Drill 2 of {N}")
    assert practice.session.misses()[0].drill is drills[0]


def test_a_whole_session_ends_with_disabled_controls_and_a_review_of_the_misses(practice, clock, drills):
    plan = ["right", "wrong", "skip", "right", "wrong", "right", "skip", "right", "wrong", "right", "wrong", "skip", "right"]
    assert len(plan) == len(drills)
    for i, (step, drill) in enumerate(zip(plan, drills)):
        assert visible(practice.header.value).startswith(f"Drill {i + 1} of {N}")
        clock.advance(30 + i)
        tick(practice)
        if step == "right":
            submit(practice, str(drill.expected))
        elif step == "wrong":
            submit(practice, "not sure")  # a typo first: kept
            assert practice.session.position == i
            submit(practice, str(drill.expected * 7 + 1_000))
        else:
            practice.skip_button.click()
        assert practice.session.position == i + 1
    assert practice.session.finished
    assert practice.ticker.playing is False
    assert practice.answer.disabled and practice.check_button.disabled and practice.skip_button.disabled
    assert "Session over" in visible(practice.header.value)
    assert practice.prompt.value == "" and practice.clock.value == ""

    review = visible(practice.review.value)
    assert f"{plan.count('right')} of {N} right" in review
    for step, drill in zip(plan, drills):
        worked = plain(drill.working)
        assert drill.title in review
        if step == "right":
            assert worked not in review, f"a right answer's worked solution is listed: {drill.title}"
        else:
            assert f"Worked solution: {worked}" in review, f"the miss {drill.title} has no worked solution"
    assert review.count("skipped") == plan.count("skip")
    assert review.count("Worked solution:") == len(plan) - plan.count("right")

    tick(practice)  # a late tick from the browser changes nothing
    assert practice.clock.value == ""
    practice.check_button.click()  # nor does a click that slips through
    assert practice.session.finished and "Session over" in visible(practice.header.value)


def test_repr_is_short_and_has_no_address(practice, drills):
    text = repr(practice)
    assert "0x" not in text and "object at" not in text
    assert len(text) <= 100
    assert f"{N} drills" in text and f"drill 1 of {N}" in text
    for drill in drills:
        practice.skip_button.click()
    assert "finished" in repr(practice) and "0x" not in repr(practice)


def test_drill_practice_builds_and_the_seed_changes_the_first_prompt():
    widget = drill_practice(seed=3)
    assert isinstance(widget, DrillPractice)
    assert visible(widget.header.value).startswith(f"Drill 1 of {N}")
    assert widget.ticker.playing is True
    prompts = {visible(drill_practice(seed=s).prompt.value) for s in (0, 1, 3)}
    assert len(prompts) == 3
    assert visible(drill_practice(seed=1).prompt.value) == plain(drill_set(1)[0].prompt)  # same drills as drill_set
    with pytest.raises(ValueError, match="seed"):
        drill_practice(seed=-1)


# --------------------------------------------------------------------------------------------
# SelfScorer
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def question():
    return next(q for q in load_bank() if len(q.rubric) >= 4)


def test_one_checkbox_per_rubric_point_labelled_with_the_point(question):
    scorer = SelfScorer(question)
    assert len(scorer.boxes) == len(question.rubric)
    assert [b.description for b in scorer.boxes] == [p.point for p in question.rubric]
    assert not any(b.value for b in scorer.boxes)
    assert scorer.score_button.description == "Score my answer"
    assert scorer.result.value == ""
    assert f"{len(question.rubric)} rubric points" in repr(scorer) and "0x" not in repr(scorer)


def test_ticking_points_one_and_three_scores_like_self_score(question):
    scorer = self_scorer(question)
    scorer.boxes[0].value = True
    scorer.boxes[2].value = True
    assert scorer.result.value == ""  # nothing is scored until the button is clicked
    scorer.score_button.click()
    shown = visible(scorer.result.value)
    expected = self_score(question, [1, 3])
    n = len(question.rubric)
    assert f"2 of {n} points ({2 / n:.0%})" in shown
    assert visible(expected._repr_html_()) in shown
    for i, point in enumerate(question.rubric, 1):
        listed = f"{point.id}: {point.point}" in shown
        assert listed is (i not in (1, 3)), point.id  # exactly the missed points are listed
    assert plain(question.model_answer) in shown  # the model answer follows the score


def test_scoring_again_reflects_the_boxes_now(question):
    scorer = SelfScorer(question.id)
    scorer.score_button.click()
    assert visible(self_score(question, [])._repr_html_()) in visible(scorer.result.value)
    for box in scorer.boxes:
        box.value = True
    scorer.score_button.click()
    shown = visible(scorer.result.value)
    n = len(question.rubric)
    assert f"{n} of {n} points (100%)" in shown and "Strong" in shown


def test_self_scorer_refuses_an_unknown_question():
    with pytest.raises(ValueError, match="no-such-question"):
        SelfScorer("no-such-question")
    with pytest.raises(ValueError, match="did you mean"):
        self_scorer(load_bank()[0].id + "x")
    assert get_question(load_bank()[0].id).id == SelfScorer(load_bank()[0].id).question.id


@pytest.mark.parametrize("typed", ["8,3", "8,3%", "0,25"])
def test_a_decimal_comma_is_queried_not_consumed(practice, typed):
    submit(practice, typed)
    assert practice.session.position == 0, f"typing {typed!r} used up drill 1"
    assert "dot for decimals" in practice.feedback.value
