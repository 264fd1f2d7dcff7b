"""The question registry: one function per question, a random stream per question, read-only sets."""

import pytest

from aipm_course.checking import NumberQuestion, NumberSpec, significant
from aipm_course.exercises import load
from aipm_course.exercises.registry import Exercise, stream


def _number(ctx, qid):
    value = float(ctx.rng.uniform(0, 1))
    return NumberQuestion(qid, qid, "A number?", NumberSpec(value, precision=significant(3)))


def _exercise(with_extra: bool) -> Exercise:
    exercise = Exercise("09")
    exercise.question("q1")(lambda ctx: _number(ctx, "q1"))
    if with_extra:
        exercise.question("q1b")(lambda ctx: _number(ctx, "q1b"))
    exercise.question("q2")(lambda ctx: _number(ctx, "q2"))
    return exercise


def test_adding_a_question_never_moves_another_questions_numbers():
    before = _exercise(False).load(seed=7)
    after = _exercise(True).load(seed=7)
    assert before.q1.expected == after.q1.expected
    assert before.q2.expected == after.q2.expected
    assert [q.id for q in after.questions] == ["q1", "q1b", "q2"]


def test_streams_differ_by_seed_module_and_question_and_repeat():
    draw = lambda *key: stream(*key).integers(10**9)  # noqa: E731
    assert draw(3, "02", "q1") == draw(3, "02", "q1")
    assert len({draw(3, "02", "q1"), draw(4, "02", "q1"), draw(3, "03", "q1"), draw(3, "02", "q2")}) == 4


def test_shared_values_are_built_once_and_only_when_used():
    calls = []
    exercise = Exercise("09")

    @exercise.shared
    def rates(ctx):
        calls.append(ctx.question_id)
        return float(ctx.rng.uniform())

    exercise.question("q1")(lambda ctx: NumberQuestion("q1", "t", "p", NumberSpec(ctx.shared.rates, precision=significant(3))))
    exercise.question("q2")(lambda ctx: NumberQuestion("q2", "t", "p", NumberSpec(ctx.shared.rates * 2, precision=significant(3))))
    ex = exercise.load(seed=1)
    assert calls == ["shared:rates"]
    assert ex.q2.expected == pytest.approx(2 * ex.q1.expected)
    assert ex.data.rates == ex.q1.expected


def test_a_question_set_is_read_only_and_names_its_questions():
    ex = load("02", seed=0)
    with pytest.raises(AttributeError, match="read-only"):
        ex.q1 = None
    with pytest.raises(AttributeError, match="q1"):
        ex.q99
    assert ex.parameters["seed"] == 0
    with pytest.raises(TypeError):
        ex.parameters["seed"] = 3
    assert all(q.module == "02" and q.parameters == {"seed": 0, "scenario": "default"} for q in ex.questions)


def test_a_function_registered_under_the_wrong_id_is_refused():
    exercise = Exercise("09")
    exercise.question("q1")(lambda ctx: _number(ctx, "q2"))
    with pytest.raises(ValueError, match="registered as 'q1' built question 'q2'"):
        exercise.load()
    with pytest.raises(ValueError, match="already has"):
        exercise.question("q1")(lambda ctx: None)


def test_bad_parameters_are_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="seed"):
        _exercise(False).load(seed=-1)
    with pytest.raises(ValueError, match="scenario"):
        _exercise(False).load(seed=0, scenario="mars")


def test_shared_values_are_reachable_by_name_as_notebooks_use_them():
    ex = load("06", seed=3)
    assert ex.open_question is ex.data.open_question
    assert "open_question" in dir(ex)


def test_question_ids_come_from_the_registry_without_building_questions(monkeypatch):
    """A progress table lists every module's questions: reading the ids must not build them."""
    from aipm_course import exercises
    from aipm_course.exercises.registry import Exercise

    built = {m: [q.id for q in exercises.load(m).questions] for m in exercises.MODULES}

    def refuse(*args, **kwargs):
        raise AssertionError("question_ids built the questions")

    monkeypatch.setattr(Exercise, "load", refuse)
    assert {m: exercises.question_ids(m) for m in exercises.MODULES} == built
