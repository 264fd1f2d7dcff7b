"""The answer policy, over every exercise module, many seeds and every scenario.

For every numeric question: the precision is stated in the prompt; the right answer rounded to
it passes; what `solution()` prints passes; each named slip gets its own feedback and is never
marked correct; at least three slips survive for nearly every seed; a percentage for a share
gets the percentage message; ten times the answer gets an order-of-magnitude message.
For every choice question: the right key moves between seeds, the right option is not the
longest more often than chance, each wrong option has feedback of its own, the right one a why.
Never-raises: random hostile answers to every question of every module (lone surrogates, mocks,
methods that loop or raise) give an outcome: no raise, no hang, no display failure, never correct.
"""

from __future__ import annotations

import ast
import collections
import json
import time
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aipm_course.checking import ChoiceQuestion, NumberQuestion, Outcome, Question
from aipm_course.exercises import MODULES, load
from policy_helpers import (
    ALL_SCENARIOS,
    GENERIC,
    ORDER_OF_MAGNITUDE,
    PERCENTAGE,
    choice_questions,
    numeric_specs,
    printed_solution_passes,
    right_is_longest,
    rounded_answer,
    scaled_answer_message,
)

SEEDS = range(100)


@pytest.fixture(scope="module", autouse=True)
def _quiet(quiet_work_folder):
    """Thousands of checks: keep progress recording off."""


def _sets(module, seeds=SEEDS):
    for scenario in ALL_SCENARIOS:
        for seed in seeds:
            yield seed, scenario, load(module, seed=seed, scenario=scenario)


@pytest.mark.parametrize("module", list(MODULES))
def test_numeric_questions_follow_the_answer_policy(module):
    slips_short = collections.Counter()
    seen = collections.Counter()
    for seed, scenario, ex in _sets(module):
        for question in ex.questions:
            for label, spec in numeric_specs(question):
                where = f"{module} {label} seed {seed} {scenario}"
                seen[label] += 1
                assert spec.precision is not None, f"{where}: no stated precision"
                assert spec.precision.phrase in question.prompt, f"{where}: the prompt does not state {spec.precision.phrase!r}"
                ok, message = spec.judge(rounded_answer(spec))
                assert ok, f"{where}: the answer rounded {spec.precision.phrase} ({rounded_answer(spec)}) is refused: {message}"
                assert spec.judge(spec.expected)[0], f"{where}: the exact answer is refused"
                if isinstance(question, NumberQuestion):
                    assert printed_solution_passes(question), f"{where}: no number solution() prints passes: {question.solution()}"
                for slip in spec.mistakes:
                    ok, message = spec.judge(slip.value)
                    assert not ok, f"{where}: the slip {slip.value} is marked correct"
                    assert message == slip.feedback, f"{where}: the slip {slip.value} got {message!r}, not its own feedback"
                slips_short[label] += len(spec.mistakes) < 3
                ten = scaled_answer_message(spec, 10)
                if ten is not None:
                    assert not ten[0] and ORDER_OF_MAGNITUDE in ten[1], f"{where}: ten times the answer got {ten[1]!r}"
                if spec.fraction:
                    pct = scaled_answer_message(spec, 100)
                    if pct is not None:
                        assert not pct[0] and PERCENTAGE in pct[1], f"{where}: a percentage for the share got {pct[1]!r}"
    for label, count in seen.items():
        assert slips_short[label] <= 0.05 * count, f"{module} {label}: fewer than three named slips in {slips_short[label]} of {count} draws"


@pytest.mark.parametrize("module", list(MODULES))
def test_choice_questions_move_the_right_key_and_explain(module):
    positions = collections.defaultdict(collections.Counter)
    for seed, scenario, ex in _sets(module, range(60)):
        for question in choice_questions(ex):
            spec = question.spec
            keys = list(spec.options)
            positions[question.id][keys.index(spec.correct)] += 1
            right = question.check(spec.correct)
            assert right.correct and right.message.startswith("Right") and len(right.message) > len("Right."), (
                f"{module} {question.id}: the right answer needs a one-line why, got {right.message!r}"
            )
            wrong = [question.check(key).message for key in keys if key != spec.correct]
            assert all(not question.check(key).correct for key in keys if key != spec.correct)
            assert len(set(wrong)) == len(wrong), f"{module} {question.id}: two wrong options share their feedback"
    for qid, counts in positions.items():
        total = sum(counts.values())
        assert len(counts) >= 2, f"{module} {qid}: the right key never moves"
        assert max(counts.values()) <= 0.7 * total, f"{module} {qid}: the right key sits in one place too often: {dict(counts)}"


def test_the_right_option_is_the_longest_no_more_than_chance():
    questions = [q for module in MODULES for q in choice_questions(load(module, seed=0))]
    longest = sum(right_is_longest(q) for q in questions)
    fair = sum(1 / len(q.spec.options) for q in questions)
    assert questions
    assert longest <= fair + 1, f"the right option is the longest in {longest} of {len(questions)} choice questions (chance: {fair:.1f})"


@pytest.mark.parametrize("module", list(MODULES))
def test_a_wrong_answer_is_never_called_close_unless_it_is_a_rounding_away(module):
    for seed, scenario, ex in _sets(module, range(20)):
        for question in ex.questions:
            for label, spec in numeric_specs(question):
                if spec.precision.kind == "whole" or spec.expected == 0:
                    continue
                far = spec.expected * 1.2
                message = spec.judge(far)[1]
                assert "close" not in message.lower() or any(spec.precision.near(far, m.value) for m in spec.mistakes), (
                    f"{module} {label} seed {seed}: 20% off is called close: {message!r}"
                )


def _function_lengths(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node.name, node.end_lineno - node.lineno + 1


def test_question_functions_are_short_enough_to_read_at_once():
    folder = Path(__file__).resolve().parents[1] / "aipm_course" / "exercises"
    long = [(path.name, name, n) for path in sorted(folder.glob("*.py")) for name, n in _function_lengths(path) if n > 60]
    assert not long, f"functions over 60 lines: {long}"


def _all_question_makers():
    return [(module, index) for module in MODULES for index in range(len(load(module).questions))]


class _Hostile:
    """An answer built to break a check: a method that never returns or that raises."""


def _loop_forever(self, *args, **kwargs):
    while True:
        pass


def _raise_error(self, *args, **kwargs):
    raise RuntimeError("broken \ud800 method")


_DUNDERS = ("__eq__", "__repr__", "__float__", "__index__", "__len__", "__iter__", "__bool__", "__hash__", "__str__", "__format__")


def _with_method(body, dunder):
    namespace = {dunder: body}
    if dunder == "__eq__":
        namespace["__hash__"] = object.__hash__
    kind = "Looping" if body is _loop_forever else "Raising"
    return type(f"{kind}{dunder}", (_Hostile,), namespace)()


class _SurrogateRepr(_Hostile):
    def __repr__(self):
        return "<\udcff>"

    def __str__(self):
        return "\ud800"


def _raises_with_surrogate(*args, **kwargs):
    raise ValueError("bad \ud800 value")


def _swallows_the_time_out(*args, **kwargs):
    while True:
        try:
            time.sleep(0.01)
        except Exception:  # noqa: BLE001 - the learner's mistake under test
            pass


_surrogate_text = st.text(st.characters() | st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), max_size=8)
_hostile_leaf = st.one_of(
    st.sampled_from(_DUNDERS).map(lambda d: _with_method(_loop_forever, d)),
    st.sampled_from(_DUNDERS).map(lambda d: _with_method(_raise_error, d)),
    st.builds(mock.MagicMock),
    st.builds(mock.NonCallableMagicMock),
    st.builds(_SurrogateRepr),
    st.sampled_from([_raises_with_surrogate, _swallows_the_time_out]),
)
_hostile = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True)
    | st.text() | _surrogate_text | st.binary() | st.just(...) | st.sampled_from(["a", "b", "c", "d", "27.1%", "4,040", "0,5", "q"])
    | _hostile_leaf,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(_surrogate_text | st.sampled_from(["layer", "target", "metric", "stages", "threshold"]), children, max_size=4)
    | st.tuples(children, children),
    max_leaves=8,
)
_CHECK_LIMIT = 0.5  # seconds per check in this test (5 s in the kit), so looping answers stay quick


def _all_hostile(answer) -> bool:
    """True for a mock or a breaking object, or a non-empty collection of nothing else."""
    if isinstance(answer, (_Hostile, mock.NonCallableMock)) or answer is _raises_with_surrogate or answer is _swallows_the_time_out:
        return True
    if type(answer) in (list, tuple) and answer:
        return all(_all_hostile(item) for item in answer)
    if type(answer) is dict and answer:
        return all(_all_hostile(item) for item in answer.values())
    return False


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answer=_hostile, which=st.sampled_from(_all_question_makers()), seed=st.integers(0, 499))
def test_property_no_answer_to_any_question_makes_a_check_raise(answer, which, seed):
    """Hostile answers (lone surrogates in keys, values and messages, mocks, methods that loop or
    raise): never a raise, a hang, a display failure, nor a hostile answer judged correct."""
    module, index = which
    question = load(module, seed=seed).questions[index]
    saved = Question.check_time_limit
    Question.check_time_limit = _CHECK_LIMIT
    try:
        started = time.monotonic()
        result = question.check(answer)
        took = time.monotonic() - started
    finally:
        Question.check_time_limit = saved
    assert took < _CHECK_LIMIT + 2, f"{module} {question.id}: the check took {took:.1f} s"
    assert result.outcome in set(Outcome)
    assert isinstance(result.message, str) and result.message
    assert isinstance(str(result), str) and isinstance(result._repr_html_(), str)
    # What Jupyter's message packer does: any text that cannot be encoded stops the notebook.
    json.dumps(result.as_dict(), ensure_ascii=False).encode("utf-8")
    str(result).encode("utf-8")
    result._repr_html_().encode("utf-8")
    if _all_hostile(answer):
        assert result.outcome is not Outcome.CORRECT, f"{module} {question.id}: a hostile answer is judged correct: {result}"


def test_choice_questions_exist_in_the_modules_that_ask_them():
    counts = {module: sum(isinstance(q, ChoiceQuestion) for q in load(module).questions) for module in MODULES}
    assert sum(counts.values()) >= 10, counts
