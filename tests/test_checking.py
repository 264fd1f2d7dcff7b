"""The exercise mechanism: three outcomes, teaching feedback, and checks that never raise."""

import dataclasses
import math
import sys
import types

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aipm_course.checking import (
    CHECK_MIME_TYPE,
    PLACEHOLDER,
    ___,
    Case,
    CheckResult,
    ChoiceQuestion,
    ChoiceSpec,
    FunctionQuestion,
    Mistake,
    NumberQuestion,
    NumberSpec,
    Outcome,
    StructuredQuestion,
    TextSpec,
    is_unanswered,
    safe_repr,
)


def number_q(expected=0.25, **spec):
    return NumberQuestion("q1", "A share", "What share?", NumberSpec(expected, **spec), hints=("h1", "h2"))


def choice_q():
    spec = ChoiceSpec({"a": "Accuracy", "b": "Expected cost"}, correct="b", feedback={"a": "Accuracy hides rare errors."})
    return ChoiceQuestion("q2", "Pick", "Which?", spec)


def function_q(time_limit=5.0):
    def reference(a, b):
        return a / (a + b) if a + b else 0.0

    cases = [Case((1, 1)), Case((3, 1)), Case((0, 0), note="Guard the empty case.")]
    return FunctionQuestion("q3", "Fn", "Write it", reference, cases, function_name="share", time_limit=time_limit)


def structured_q():
    fields = {
        "layer": ChoiceSpec({"quality": "quality", "product": "product"}, correct="product"),
        "target": NumberSpec(0.6, rel_tol=0, abs_tol=1e-9, fraction=True),
        "owner": TextSpec(min_words=1),
    }
    return StructuredQuestion("q4", "Struct", "Fill", fields)


def _exercise_question(name):
    from aipm_course.exercises import load

    def make():
        return getattr(load("00", seed=3), name)

    make.__name__ = f"ex00_{name}"
    return make


# The test questions above, and every real exercise question in the kit.
ALL_QUESTIONS = [number_q, choice_q, function_q, structured_q] + [
    _exercise_question(name) for name in ("q1", "q2", "q3", "q4")
]


class RaisingEq:
    def __eq__(self, other):
        raise RuntimeError("eq exploded")

    __hash__ = object.__hash__


class RaisingRepr:
    def __repr__(self):
        raise RuntimeError("repr exploded")


class RaisingEverything:
    def __getattr__(self, name):
        raise RuntimeError(f"no {name}")

    def __eq__(self, other):
        raise RuntimeError("eq exploded")

    def __repr__(self):
        raise RuntimeError("repr exploded")

    __hash__ = object.__hash__


def raising_function(*args, **kwargs):
    raise ValueError("learner bug")


def exiting_function(*args, **kwargs):
    sys.exit(3)


AWKWARD = [
    None,
    ...,
    ___,
    float("nan"),
    float("inf"),
    float("-inf"),
    "",
    "0.25",
    "b",
    [],
    [0.25],
    {},
    {"layer": None},
    raising_function,
    exiting_function,
    RaisingEq(),
    RaisingRepr(),
    RaisingEverything(),
    True,
    np.array([0.25, 0.3]),
    np.float64("nan"),
    object,
    type,
    b"bytes",
    complex(1, 2),
    10**400,
]


@pytest.mark.parametrize("make", ALL_QUESTIONS)
@pytest.mark.parametrize("answer", AWKWARD, ids=[safe_repr(a, 20) for a in AWKWARD])
def test_awkward_answers_give_an_outcome_never_an_exception(make, answer):
    result = make().check(answer)
    assert isinstance(result, CheckResult)
    assert result.outcome in set(Outcome)
    assert isinstance(str(result), str) and isinstance(result._repr_html_(), str)


any_value = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
    | st.binary()
    | st.just(...)
    | st.just(___)
    | st.integers(0, 4).map(lambda i: [raising_function, exiting_function, RaisingEq, RaisingRepr, RaisingEverything][i])
    | st.integers(2, 4).map(lambda i: [raising_function, exiting_function, RaisingEq, RaisingRepr, RaisingEverything][i]()),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(["layer", "target", "owner", "x"]) | st.text(max_size=5), children, max_size=4)
    | st.tuples(children, children),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answer=any_value, which=st.sampled_from(ALL_QUESTIONS))
def test_property_no_answer_makes_a_check_raise(answer, which):
    result = which().check(answer)
    assert result.outcome in set(Outcome)
    assert result.message


@settings(max_examples=200, deadline=None)
@given(
    returned=st.one_of(
        st.none(), st.floats(allow_nan=True), st.integers(), st.text(), st.lists(st.floats()), st.builds(RaisingEq)
    )
)
def test_property_any_function_result_is_judged(returned):
    result = function_q().check(lambda a, b: returned)
    assert result.outcome in {Outcome.CORRECT, Outcome.INCORRECT}


# --- not attempted ---------------------------------------------------------------------------


@pytest.mark.parametrize("make", ALL_QUESTIONS)
@pytest.mark.parametrize("blank", [None, ..., ___, PLACEHOLDER])
def test_blank_answers_are_not_attempted(make, blank):
    result = make().check(blank)
    assert result.outcome is Outcome.NOT_ATTEMPTED
    assert "___" in result.message or "Fill in" in result.message
    assert not result


def test_placeholder_is_a_singleton_that_survives_pickling():
    import pickle

    assert pickle.loads(pickle.dumps(___)) is ___
    assert repr(___) == "___"
    assert is_unanswered(___) and not is_unanswered(0) and not is_unanswered("")


def test_function_still_returning_the_placeholder_is_not_attempted():
    assert function_q().check(lambda a, b: ___).outcome is Outcome.NOT_ATTEMPTED


def test_structured_answer_with_only_placeholders_is_not_attempted():
    result = structured_q().check({"layer": ___, "target": ___, "owner": ___})
    assert result.outcome is Outcome.NOT_ATTEMPTED


# --- numbers ---------------------------------------------------------------------------------


def test_number_right_within_tolerance_and_wrong_outside():
    q = number_q(0.25, rel_tol=0.01)
    assert q.check(0.2524).correct
    assert q.check(np.float32(0.25)).correct
    assert q.check(np.array(0.25)).correct
    assert q.check(0.26).outcome is Outcome.INCORRECT


def test_number_feedback_teaches_common_slips():
    q = number_q(0.25, rel_tol=1e-3, fraction=True, mistakes=(Mistake(0.75, "That is the other share."),))
    assert "other share" in q.check(0.75).message
    assert "percentage" in q.check(25).message
    assert "Remove the quotes" in q.check("0.25").message
    assert "NaN" in q.check(float("nan")).message
    assert "infinite" in q.check(float("inf")).message
    assert "sign" in q.check(-0.25).message
    assert "list" in q.check([0.25]).message
    assert "yes/no" in q.check(True).message


@pytest.mark.parametrize(
    "typed, advice",
    [("25%", "without the % sign"), ("0,25", "decimal point"), ("0.25", "Remove the quotes"), ((0, 25), "decimal comma")],
)
def test_number_typed_the_wrong_way_gets_advice_that_leads_somewhere(typed, advice):
    assert advice in number_q(0.25).check(typed).message


def test_decimal_and_fraction_answers_are_numbers():
    from decimal import Decimal
    from fractions import Fraction

    assert number_q(0.25).check(Decimal("0.25")).correct
    assert number_q(0.25).check(Fraction(1, 4)).correct


def test_types_are_described_in_plain_words():
    import pandas as pd

    q = number_q(0.25)
    assert "table column" in q.check(pd.Series([0.25, 0.5])).message
    assert "\n" not in q.check(pd.DataFrame({"a": range(30)})).message
    assert "array of 2 values" in q.check(np.array([0.25, 0.5])).message
    assert "the class RaisingEq itself" in q.check(RaisingEq).message


def test_wrong_number_feedback_does_not_reveal_the_answer():
    message = number_q(0.3125).check(0.5).message
    assert "0.3125" not in message and "0.312" not in message


# --- choices ---------------------------------------------------------------------------------


def test_choice_accepts_key_in_any_case_or_the_option_text():
    q = choice_q()
    for answer in ["b", " B ", "b)", "(b)", "b.", "'b'", "Expected cost", "expected cost"]:
        assert q.check(answer).correct, answer


def test_choice_wrong_option_gets_its_own_feedback_and_unknown_lists_options():
    q = choice_q()
    assert q.check("a").message == "Accuracy hides rare errors."
    unknown = q.check("z").message
    assert "'a'" in unknown and "'b'" in unknown and "in quotes" in unknown
    assert "text" in q.check(2).message


# --- functions -------------------------------------------------------------------------------


def test_function_right_passes_all_cases():
    assert function_q().check(lambda a, b: a / (a + b) if a + b else 0.0).correct


def test_function_that_divides_by_zero_gets_the_case_note():
    result = function_q().check(lambda a, b: a / (a + b))
    assert result.outcome is Outcome.INCORRECT
    assert "2 of 3" in result.message
    assert any("ZeroDivisionError" in d and "Guard the empty case." in d for d in result.details)


def test_function_returning_percentages_or_nothing_is_told_so():
    percent = function_q().check(lambda a, b: 100 * a / (a + b) if a + b else 0.0)
    assert any("100 times too big" in d for d in percent.details)
    assert "50; expected 0.5" in " ".join(percent.details)
    forgot = function_q().check(lambda a, b: None)
    assert any("forget `return`" in d for d in forgot.details)


def test_function_feedback_rounds_noise_and_counts_hidden_failures():
    def reference(x):
        return x / 10

    cases = [Case((i,)) for i in range(1, 6)]
    q = FunctionQuestion("q", "t", "p", reference, cases, function_name="f")
    result = q.check(lambda x: 0.1 * x + 0.30000000000000004)
    assert "and 2 more failing case(s)" in result.details[-1]
    assert "0.4; expected 0.1" in result.details[0]


def test_function_that_calls_sys_exit_or_raises_is_incorrect_not_fatal():
    assert "SystemExit" in " ".join(function_q().check(exiting_function).details)
    assert "learner bug" in " ".join(function_q().check(raising_function).details)


@pytest.mark.skipif(not hasattr(__import__("signal"), "setitimer"), reason="needs Unix timers")
def test_function_that_never_returns_is_stopped():
    def forever(a, b):
        while True:
            pass

    import time

    started = time.monotonic()
    result = function_q(time_limit=0.5).check(forever)
    assert result.outcome is Outcome.INCORRECT
    assert "did not finish" in " ".join(result.details)
    # Three cases at 0.5 s each would take 1.5 s: the check stops after the first time-out.
    assert time.monotonic() - started < 1.4


def test_not_a_function_is_explained():
    result = function_q().check(0.5)
    assert "Expected a function" in result.message


# --- structured answers ----------------------------------------------------------------------


def test_structured_answer_accepts_dict_dataclass_and_namespace():
    @dataclasses.dataclass
    class Metric:
        layer: str
        target: float
        owner: str

    for answer in (
        {"layer": "product", "target": 0.6, "owner": "Support lead"},
        Metric("product", 0.6, "Support lead"),
        types.SimpleNamespace(layer="product", target=0.6, owner="Support lead"),
    ):
        assert structured_q().check(answer).correct


def test_structured_answer_as_an_object_with_class_attributes():
    class Metric:
        layer = "product"
        target = 0.6
        owner = "Support lead"

    assert structured_q().check(Metric()).correct
    assert "the class Metric itself" in structured_q().check(Metric).message


def test_structured_near_miss_and_unknown_keys_are_pointed_out():
    result = structured_q().check({"Layer": "product", "targt": 0.6, "owner": "me", "colour": "red"})
    text = "\n".join(result.details)
    assert "You wrote `Layer`" in text and "You wrote `targt`" in text
    assert "not checked: `Layer`, `targt`, `colour`" in text


def test_structured_feedback_is_per_field():
    result = structured_q().check({"layer": "quality", "target": 60})
    assert result.outcome is Outcome.INCORRECT
    text = "\n".join(result.details)
    assert "`layer`: ✗" in text
    assert "`target`: ✗" in text and "percentage" in text
    assert "`owner`: missing" in text
    assert result.message == "0 of 3 fields are right."


# --- rendering, hints, solutions -------------------------------------------------------------


def test_result_renders_as_html_text_and_json():
    result = number_q().check(0.5)
    bundle = result._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html", CHECK_MIME_TYPE}
    assert bundle[CHECK_MIME_TYPE]["outcome"] == "incorrect"
    assert bundle["text/plain"].startswith("✗ Not yet")


def test_html_escapes_learner_text():
    result = choice_q().check("<script>alert(1)</script>")
    assert "<script>" not in result._repr_html_()


def test_hints_are_tiered_and_out_of_range_is_handled():
    q = number_q()
    assert "h1" in q.hint().body and "hint(2)" in q.hint().body
    assert q.hint(2).body == "h2"
    assert "there are 2 hints" in q.hint(9).heading
    assert "by its number" in q.hint("two").body
    assert q.hint(0).body.startswith("h1")


def test_solution_shows_text_and_code():
    q = NumberQuestion("q", "t", "p", NumberSpec(1.0), solution="Because.", solution_code="x = 1")
    shown = q.solution()
    assert shown.body == "Because." and "x = 1" in str(shown) and "<pre" in shown._repr_html_()


def test_recorder_failure_does_not_break_a_check():
    def broken_recorder(result, module):
        raise OSError("disk full")

    q = NumberQuestion("q", "t", "p", NumberSpec(1.0), recorder=broken_recorder)
    assert q.check(1.0).correct


def test_safe_repr_truncates_and_survives_bad_repr():
    assert safe_repr("x" * 500, 20) == "'" + "x" * 15 + "...'"  # the closing quote is kept
    assert safe_repr(list(range(500)), 20).endswith("...")
    assert safe_repr("a\nb  c") == repr("a\nb  c")
    assert "RaisingRepr" in safe_repr(RaisingRepr())


def test_nan_expected_matches_only_nan_in_function_cases():
    q = FunctionQuestion("q", "t", "p", lambda: math.nan, [Case(())])
    assert q.check(lambda: math.nan).correct
    assert not q.check(lambda: 0.0).correct


def test_validation_question_treats_an_unchanged_starting_dict_as_not_attempted():
    from aipm_course.checking import ValidationQuestion

    start = {"a": ___, "b": ___}
    q = ValidationQuestion("q", "t", "p", lambda answer: [] if answer.get("a") == 1 else ["a must be 1"], starting_point=start)
    assert q.check(dict(start)).outcome is Outcome.NOT_ATTEMPTED
    assert q.check({"a": 2, "b": ___}).details == ("a must be 1",)
    assert q.check({"a": 1, "b": 3}).correct
    assert q.check({"a": RaisingEq(), "b": ___}).outcome in set(Outcome)



def test_validation_question_judges_a_skeleton_edited_in_place():
    """plan = SKELETON; plan["a"] = 2 edits the very dict the question was given: it is an answer."""
    from aipm_course.checking import ValidationQuestion

    skeleton = {"a": ___, "b": {"c": ___}}
    q = ValidationQuestion("q", "t", "p", lambda answer: [] if answer.get("a") == 1 else ["a must be 1"], starting_point=skeleton)
    plan = skeleton
    plan["b"]["c"] = 5
    assert q.check(plan).outcome is Outcome.INCORRECT and q.check(plan).details == ("a must be 1",)
    plan["a"] = 1
    assert q.check(plan).correct
    assert q.check({"a": ___, "b": {"c": ___}}).outcome is Outcome.NOT_ATTEMPTED  # the draft as given


# --- the answer policy: precision, named slips, targeted messages --------------------------

from aipm_course.checking import Precision, choice, decimals, significant, whole  # noqa: E402


@pytest.mark.parametrize(
    "precision, answer, expected, agrees",
    [
        (significant(3), 0.885, 0.8846, True),  # what the lesson prints
        (significant(3), 0.8846, 0.8846, True),
        (significant(3), 0.884, 0.8846, False),  # one step off in the third figure
        (significant(3), 0.88, 0.8846, False),  # only two figures
        (significant(3), 4040, 4042, True),
        (significant(3), 4050, 4042, False),
        (significant(3), 0.00398, 0.003984, True),
        (significant(3), 0.004, 0.003984, False),  # C_FP/C_FN for C_FP/(C_FP+C_FN) with 2 and 500
        (significant(3), 0.1, 0.09996, True),  # rounds to the same value across a power of ten
        (decimals(3), 0.271, 0.2712, True),
        (decimals(3), 0.272, 0.2712, False),
        (whole("up"), 4042, 4041.2, True),
        (whole("up"), 4041, 4041.2, False),
        (whole("up"), 12, 12.000000001, True),  # floating-point noise is not a part-person
        (whole("nearest"), 7, 7.4, True),
        (whole("down"), 7, 7.9, True),
    ],
)
def test_precision_accepts_exactly_what_agrees(precision, answer, expected, agrees):
    assert precision.agrees(answer, expected) is agrees


@pytest.mark.parametrize(
    "precision, value, percent, text",
    [
        (significant(3), 4042, False, "4,040"),
        (significant(3), 0.003984, False, "0.00398"),
        (significant(3), 0.27123, True, "27.1%"),
        (decimals(3), 0.27123, True, "27.1%"),
        (decimals(2), 1234.5678, False, "1,234.57"),
        (whole("up"), 4041.2, False, "4,042"),
    ],
)
def test_precision_writes_what_it_accepts(precision, value, percent, text):
    assert precision.format(value, percent=percent) == text


def test_precision_phrases_are_plain_words():
    assert significant(3).instruction == "Give it to three significant figures."
    assert decimals(3).phrase == "to three decimal places"
    assert whole("up").phrase == "as a whole number, rounded up"
    with pytest.raises(ValueError, match="kind"):
        Precision("approximately")


def _spec(expected, **kw):
    kw.setdefault("precision", significant(3))
    return NumberSpec(expected, **kw)


def test_a_named_slip_gets_its_feedback_even_when_it_is_near_the_answer():
    spec = _spec(2 / 502, mistakes=(Mistake(2 / 500, "Divide by the sum of both costs."),))
    assert spec.judge(0.004) == (False, "Divide by the sum of both costs.")
    assert spec.judge(0.00398)[0]


def test_slips_that_cannot_be_computed_or_equal_the_answer_are_dropped():
    def no_crossing():
        return None

    spec = _spec(
        0.5,
        mistakes=(
            Mistake(no_crossing, "never shown"),
            Mistake(lambda: 1 / 0, "never shown"),
            Mistake(float("nan"), "never shown"),
            Mistake(0.5004, "equals the answer at three figures"),
            Mistake(0.25, "half"),
            Mistake(0.2501, "another half"),
        ),
    )
    assert [m.value for m in spec.mistakes] == [0.25]
    assert "Either: half Or: another half" in spec.mistakes[0].feedback


@pytest.mark.parametrize(
    "spec, answer, words",
    [
        (_spec(0.271, fraction=True), 27.1, "percentage"),
        (_spec(27.1, percent=True), 0.271, "asks for a percentage"),
        (_spec(0.0345), 0.345, "10 times too big"),
        (_spec(0.0345), 0.000345, "100 times too small"),
        (_spec(1234.0), 1_234_000, "1,000 times too big"),
        (_spec(4.0), 0.25, "upside down"),
        (_spec(-0.02), 0.02, "sign"),
        (NumberSpec(4042, precision=whole("up")), 4041, "round up"),
        (NumberSpec(4042, precision=whole("up")), 4041.3, "round up"),
        (NumberSpec(7, precision=whole("down")), 8, "round down"),
        (_spec(0.8846), 0.8834, "close"),
    ],
)
def test_predictable_slips_get_their_own_message(spec, answer, words):
    ok, message = spec.judge(answer)
    assert not ok and words in message, message


def test_close_is_said_only_for_a_rounding_away():
    spec = _spec(0.8846)
    assert "close" not in spec.judge(0.87)[1]
    assert "not right yet" in spec.judge(0.87)[1]


def test_number_question_states_its_precision_in_the_prompt():
    q = NumberQuestion("q1", "T", "How many?", NumberSpec(4041.2, precision=whole("up")))
    assert q.prompt.endswith("Give it as a whole number, rounded up.")
    q = NumberQuestion("q1", "T", "How many, as a whole number, rounded up?", NumberSpec(4041.2, precision=whole("up")))
    assert q.prompt.count("rounded up") == 1


def test_choice_is_shuffled_per_stream_and_explains_the_right_option():
    import numpy as np

    positions = set()
    for seed in range(40):
        spec = choice(np.random.default_rng(seed), ("Recalibrate", "the scores overstate"), [("Lower it", "no"), ("Raise it", "no."), ("Keep it", "no!")])
        positions.add(list(spec.options).index(spec.correct))
        assert spec.options[spec.correct] == "Recalibrate"
        assert spec.judge(spec.correct) == (True, "Right: the scores overstate")
        assert sorted(spec.options) == ["a", "b", "c", "d"]
    assert positions == {0, 1, 2, 3}


def test_merged_slips_answer_either_value():
    spec = _spec(0.5, mistakes=(Mistake(0.2501, "first slip"), Mistake(0.2506, "second slip")))
    assert len(spec.mistakes) == 1
    assert "second slip" in spec.judge(0.251)[1]  # the second value, written at three figures
    assert "first slip" in spec.judge(0.250)[1]


def test_near_one_a_slightly_wrong_answer_is_not_called_upside_down():
    spec = _spec(0.9816)
    for answer in (0.985, 0.99, 0.995, 0.9804):
        assert "upside down" not in spec.judge(answer)[1], answer


def test_an_answer_rounded_one_figure_too_early_is_close():
    assert "close" in _spec(0.00322).judge(0.0032)[1]
    assert "close" in NumberSpec(0.2712, precision=decimals(3)).judge(0.27)[1]


# --- hardening: a check never hangs, its feedback always displays, a fake never passes --------

import json  # noqa: E402
import signal  # noqa: E402
import time  # noqa: E402
from unittest import mock  # noqa: E402

from aipm_course.checking import Question, _TimedOut, _TimeLimit  # noqa: E402

needs_alarm = pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs Unix timers")

LOOPING_DUNDERS = ["__eq__", "__repr__", "__float__", "__index__", "__len__", "__iter__", "__bool__", "__hash__", "__str__", "__format__"]


def _loop_forever(self, *args, **kwargs):
    while True:
        pass


def looping(dunder):
    """An object whose ``dunder`` never returns."""
    namespace = {dunder: _loop_forever}
    if dunder == "__eq__":
        namespace["__hash__"] = object.__hash__
    return type(f"Looping{dunder}", (), namespace)()


@pytest.fixture
def short_checks(monkeypatch):
    monkeypatch.setattr(Question, "check_time_limit", 0.3)
    return 0.3


def _swallows_exception(a, b):
    while True:
        try:
            time.sleep(0.01)
        except Exception:  # noqa: BLE001 - the learner's mistake under test
            pass


def _swallows_everything_once(a, b):
    try:
        while True:
            time.sleep(0.01)
    except:  # noqa: E722 - swallows the time-out, then loops again
        while True:
            time.sleep(0.01)


@needs_alarm
@pytest.mark.parametrize("forever", [_swallows_exception, _swallows_everything_once])
def test_a_function_that_swallows_the_time_out_is_still_stopped(forever):
    started = time.monotonic()
    result = function_q(time_limit=0.5).check(forever)
    assert result.outcome is Outcome.INCORRECT
    assert "did not finish within 0.5 s" in " ".join(result.details)
    assert time.monotonic() - started < 1.5


@needs_alarm
@pytest.mark.parametrize("dunder", LOOPING_DUNDERS)
def test_an_object_whose_methods_never_return_is_stopped(short_checks, dunder):
    """As the answer, as a field of a structured answer and as what a function returns."""
    answers = [(make, looping(dunder)) for make in ALL_QUESTIONS]
    answers += [(structured_q, {"layer": looping(dunder), "target": looping(dunder), "owner": looping(dunder)})]
    answers += [(function_q, lambda a, b, obj=looping(dunder): obj)]
    for make, answer in answers:
        question = make()
        question._recorder = None  # time the judging, not the progress file
        started = time.monotonic()
        result = question.check(answer)
        took = time.monotonic() - started
        assert result.outcome is not Outcome.CORRECT, (make.__name__, result)
        assert took < short_checks + 1.0, (make.__name__, took)
        if took >= short_checks:
            assert "took longer than 0.3 s" in result.message or "did not finish" in " ".join(result.details)


@needs_alarm
def test_the_check_time_limit_is_a_class_attribute_and_a_time_out_is_incorrect(monkeypatch):
    assert Question.check_time_limit == 5.0
    monkeypatch.setattr(Question, "check_time_limit", 0.2)
    result = number_q().check(looping("__repr__"))
    assert result.outcome is Outcome.INCORRECT
    assert result.message.startswith("Checking your answer took longer than 0.2 s:")


def test_keyboard_interrupt_still_stops_a_check():
    def interrupted(a, b):
        raise KeyboardInterrupt

    class InterruptedRepr:
        def __repr__(self):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        function_q().check(interrupted)
    with pytest.raises(KeyboardInterrupt):
        number_q().check(InterruptedRepr())


def test_a_method_that_calls_sys_exit_is_incorrect_not_fatal():
    class Exits:
        def __repr__(self):
            sys.exit(3)

    for make in ALL_QUESTIONS:
        assert make().check(Exits()).outcome in {Outcome.INCORRECT, Outcome.NOT_ATTEMPTED}


@needs_alarm
def test_time_limits_nest_and_give_back_the_previous_alarm():
    fired = []
    previous = signal.signal(signal.SIGALRM, lambda signum, frame: fired.append(signum))
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.8)
        outer, inner = _TimeLimit(5), _TimeLimit(0.1)
        with outer:
            with pytest.raises(_TimedOut) as caught:
                with inner:
                    while True:
                        pass
            assert caught.value.limit is inner  # the inner one ran out; the outer goes on
        assert signal.getsignal(signal.SIGALRM) is not None and not fired
        assert 0 < signal.getitimer(signal.ITIMER_REAL)[0] <= 0.8  # the other timer runs again
        outer, inner = _TimeLimit(0.1), _TimeLimit(5)
        with pytest.raises(_TimedOut) as caught:
            with outer:
                with inner:
                    while True:
                        pass
        assert caught.value.limit is outer  # an inner limit never extends an outer one
        time.sleep(0.9)
        assert fired == [signal.SIGALRM]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class SurrogateRepr:
    def __repr__(self):
        return "<\udcff>"

    def __str__(self):
        return "\ud800"


class SurrogateStrError(Exception):
    def __str__(self):
        return "broken \udfff"


def _raises_surrogate_message(*args, **kwargs):
    raise ValueError("bad \ud800 value")


def _raises_surrogate_str(*args, **kwargs):
    raise SurrogateStrError()


HOSTILE_TEXT = [
    "\ud800",
    "a\udfffb" * 40,
    {"layer": "product", "\ud800": 1},
    {"\ud800" * 60: "\udfff", "Layer\ud800": 1},
    {"layer": "\ud800", "target": "\ud800", "owner": "\ud800 \udfff"},
    ["\ud800"],
    SurrogateRepr(),
    {"layer": SurrogateRepr()},
    types.SimpleNamespace(**{"\ud800": 1, "layer": "\udfff"}),
    _raises_surrogate_message,
    _raises_surrogate_str,
    lambda *args: "\ud800",
    lambda *args: SurrogateRepr(),
]


def assert_displayable(result):
    json.dumps(result.as_dict(), ensure_ascii=False).encode("utf-8")
    str(result).encode("utf-8")
    repr(result).encode("utf-8")
    result._repr_html_().encode("utf-8")


@pytest.mark.parametrize("make", ALL_QUESTIONS)
@pytest.mark.parametrize("answer", HOSTILE_TEXT, ids=range(len(HOSTILE_TEXT)))
def test_feedback_on_answers_with_lone_surrogates_always_displays(make, answer):
    assert_displayable(make().check(answer))


def test_the_reported_surrogate_key_is_shown_escaped():
    from aipm_course.exercises import load

    question = load("00").q4
    question._recorder = None
    result = question.check({"layer": "product", "\ud800": 1})
    assert_displayable(result)
    assert "`\\ud800`" in " ".join(result.details)


def test_safe_repr_and_a_result_escape_what_utf8_cannot_carry():
    assert safe_repr(SurrogateRepr()) == "<\\udcff>"
    assert safe_repr("\ud800").encode("utf-8")
    result = CheckResult("q\ud800", "t\udfff", Outcome.INCORRECT, "m\ud800", ("d\udfff",), {}, "00")
    assert_displayable(result)
    assert result.message == "m\\ud800" and result.details == ("d\\udfff",)


@pytest.mark.parametrize("make", [structured_q, _exercise_question("q4")])
@pytest.mark.parametrize(
    "fake", [mock.MagicMock(), mock.NonCallableMagicMock(), mock.Mock(), mock.NonCallableMock(), mock.MagicMock(spec=dict)]
)
def test_a_mock_is_refused_even_with_the_right_attributes(make, fake):
    question = make()
    right = {"layer": "product", "target": 0.6, "owner": "Support lead", "comparison": ">="}
    for name in question.fields:
        setattr(fake, name, right[name] if name != "target" else question.fields["target"].expected)
    result = question.check(fake)
    assert result.outcome is Outcome.INCORRECT
    assert "mock object" in result.message and "Write a dict" in result.message


def test_an_object_that_makes_up_attributes_is_refused():
    class Anything:
        def __getattr__(self, name):
            return {"layer": "product", "target": 0.6, "owner": "Support lead"}.get(name, "x")

    class Intercepts:
        def __getattribute__(self, name):
            return "product"

    for fake in (Anything(), Intercepts()):
        result = structured_q().check(fake)
        assert result.outcome is Outcome.INCORRECT and "Expected a dict" in result.message


def test_structured_answer_reads_own_attributes_and_declared_fields_only():
    class Metric:
        layer = "product"

        def __init__(self):
            self.target = 0.6
            self.owner = "Support lead"

        @property
        def colour(self):  # a property is not read: it could run anything
            raise AssertionError("read")

    assert structured_q().check(Metric()).correct
    partial = structured_q().check(types.SimpleNamespace(layer="product", target=0.6, note="x"))
    assert "`owner`: missing" in " ".join(partial.details) and "`note`" in partial.details[-1]
    empty = structured_q().check(object())
    assert "Expected a dict" in empty.message


def test_a_dict_subclass_with_attribute_access_is_still_a_dict():
    class AttrDict(dict):
        def __getattr__(self, name):
            return self[name]

    assert structured_q().check(AttrDict(layer="product", target=0.6, owner="Support lead")).correct


@pytest.mark.parametrize("answer", [5e-324, -5e-324, 1e-310, 2.2e-308])
def test_a_subnormal_answer_is_judged_without_a_math_error(answer):
    """A step in the last kept place below the smallest normal float used to underflow to 0 (log10 of 0)."""
    for expected in (0.0, 1e-320, 0.25):
        ok, message = NumberSpec(expected, precision=significant(3)).judge(answer)
        assert isinstance(ok, bool) and message
    assert significant(3).round(answer) == pytest.approx(answer, abs=1e-300)


@pytest.mark.parametrize(
    "precision, value, shown",
    [
        (significant(3), 112_500.0, "113,000"),  # a half goes up, as a person rounds (Python's round gives 112,000)
        (significant(3), 0.0125, "0.0125"),
        (significant(2), 0.0125, "0.013"),
        (significant(2), 2_250.0, "2,300"),
        (decimals(2), 2.675, "2.68"),  # read as it prints, not as the binary 2.67499...
        (significant(3), 0.4445, "0.445"),
    ],
)
def test_the_kit_rounds_a_half_up_as_a_person_does(precision, value, shown):
    assert precision.format(value) == shown
    assert NumberSpec(value, precision=precision).judge(float(shown.replace(",", "")))[0]


@pytest.mark.parametrize("value, digits, shown", [(9.96, 2, "10"), (0.0995, 2, "0.10"), (999.6, 3, "1,000"), (0.9996, 3, "1.00")])
def test_a_value_that_rounds_up_to_a_new_place_keeps_the_asked_figures(value, digits, shown):
    assert significant(digits).format(value) == shown
