"""aipm_course.validation: one core for argument checks, errors and findings."""

import math
import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from aipm_course import briefs, doctor, rollout, validation
from aipm_course.briefs import BriefError
from aipm_course.costs import PriceFileError
from aipm_course.exercise_builder import ExerciseBuildError
from aipm_course.interview import BankError
from aipm_course.parameters import ScenarioError
from aipm_course.retrieval import CorpusError
from aipm_course.rollout import PlanError
from aipm_course.uncertainty import BudgetError
from aipm_course.validation import AipmError, ArgumentError, Finding
from aipm_course.workspace import KitError

PACKAGE = Path(validation.__file__).parent



class Thing:
    """Some other object (a stable repr keeps test ids the same across pytest-xdist workers)."""

    def __repr__(self):
        return "Thing()"


# Bad for every check: not a number at all, or not a finite one, or too large for a float.
NOT_NUMBERS = [True, False, np.bool_(True), None, "0.5", "1", [0.5], 1 + 0j, Thing()]
NOT_FINITE = [math.nan, math.inf, -math.inf, np.float64("nan"), Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity")]
HUGE = [10**400, -(10**400), Fraction(10**400, 3)]


def message_of(check, *args, **kwargs) -> str:
    with pytest.raises(ArgumentError) as caught:
        check(*args, **kwargs)
    return str(caught.value)


# --- real ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [(0, 0.0), (3, 3.0), (-2.5, -2.5), (np.float64(0.25), 0.25), (np.float32(0.5), 0.5), (np.int64(7), 7.0),
     (Decimal("0.5"), 0.5), (Fraction(1, 4), 0.25), (10**300, 1e300)],
)
def test_real_accepts_numbers_and_returns_a_float(value, expected):
    result = validation.real("x", value)
    assert result == expected and type(result) is float


@pytest.mark.parametrize("bad", NOT_NUMBERS + NOT_FINITE + HUGE, ids=repr)
def test_real_rejects_bools_non_numbers_non_finite_and_huge_values(bad):
    message = message_of(validation.real, "amount", bad)
    assert message.startswith("amount must be a finite number, got ")
    assert validation.show(bad) in message


def test_real_huge_int_out_of_range_is_an_argument_error_not_an_overflow():
    message = message_of(validation.real, "n_per_arm", 10**400, low=0, high=1e6)
    assert message.startswith("n_per_arm must be a number in [0, 1e+06], got 1000") and message.endswith("...")


@pytest.mark.parametrize(
    "kwargs, bad, allowed",
    [
        ({"low": 0, "high": 1}, 1.5, "a number in [0, 1]"),
        ({"low": 0, "high": 1, "low_open": True}, 0, "a number in (0, 1]"),
        ({"low": 0, "high": 24, "low_open": True}, 25, "a number in (0, 24]"),
        ({"low": 1, "high": 3600}, 0.5, "a number in [1, 3600]"),
        ({"low": 0}, -1, "a number 0 or more"),
        ({"low": 0, "low_open": True}, 0, "a number above 0"),
        ({"high": 10}, 11, "a number 10 or less"),
        ({"high": 10, "high_open": True}, 10, "a number below 10"),
        ({"low": 0.01, "high": 100}, 0.001, "a number in [0.01, 100]"),
    ],
)
def test_real_out_of_range_names_argument_value_and_interval(kwargs, bad, allowed):
    assert message_of(validation.real, "x", bad, **kwargs) == f"x must be {allowed}, got {bad!r}"


@pytest.mark.parametrize("kwargs, edge", [({"low": 0, "low_open": True}, 0), ({"high": 1, "high_open": True}, 1)])
def test_real_open_ends_exclude_the_end_and_closed_ends_include_it(kwargs, edge):
    with pytest.raises(ArgumentError):
        validation.real("x", edge, **kwargs)
    closed = {k: v for k, v in kwargs.items() if not k.endswith("_open")}
    assert validation.real("x", edge, **closed) == edge


def test_real_allowed_text_replaces_the_range_words():
    message = message_of(validation.real, "effect", 0.9, high=0.4, allowed="a change that keeps the rate in (0, 1)")
    assert message == "effect must be a change that keeps the rate in (0, 1), got 0.9"


def test_real_with_finite_false_lets_infinity_through_but_never_nan():
    assert validation.real("threshold", math.inf, finite=False) == math.inf
    assert validation.real("threshold", -math.inf, finite=False) == -math.inf
    with pytest.raises(ArgumentError, match="threshold"):
        validation.real("threshold", math.nan, finite=False)
    assert message_of(validation.real, "ms", math.inf, low=0, high=10, finite=False) == "ms must be a number in [0, 10], got inf"


def test_real_raises_the_error_class_it_is_given():
    with pytest.raises(PlanError, match=re.escape("stage 2 (canary): `traffic_share` must be a share in (0, 1], got 0")):
        validation.share("stage 2 (canary): `traffic_share`", 0, open_low=True, error=PlanError)


# --- share --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [0, 1, 0.5, np.float64(0.3), Decimal("0.25"), Fraction(2, 3), 1.0, 0.0])
def test_share_accepts_zero_to_one_inclusive_by_default(value):
    assert validation.share("s", value) == pytest.approx(float(value))


@pytest.mark.parametrize(
    "kwargs, interval, rejected",
    [
        ({}, "[0, 1]", [-0.1, 1.01]),
        ({"open_low": True}, "(0, 1]", [0, -0.1, 1.5]),
        ({"open_high": True}, "[0, 1)", [1, 1.5]),
        ({"open_low": True, "open_high": True}, "(0, 1)", [0, 1, 1.5]),
    ],
)
def test_share_message_shows_the_interval_it_checks(kwargs, interval, rejected):
    for bad in rejected:
        assert message_of(validation.share, "prevalence", bad, **kwargs) == f"prevalence must be a share in {interval}, got {bad!r}"


def test_share_message_example_from_the_module_docstring():
    assert message_of(validation.share, "prevalence", 1.5, open_low=True, open_high=True) == "prevalence must be a share in (0, 1), got 1.5"


@pytest.mark.parametrize("bad", NOT_NUMBERS + NOT_FINITE + HUGE, ids=repr)
def test_share_rejects_what_real_rejects(bad):
    assert message_of(validation.share, "rate", bad).startswith("rate must be a share in [0, 1], got ")


# --- positive and nonnegative ---------------------------------------------------------------------------


def test_positive_and_nonnegative():
    assert validation.positive("x", 0.001) == 0.001 and validation.nonnegative("x", 0) == 0.0
    assert message_of(validation.positive, "daily_users", 0) == "daily_users must be a number above 0, got 0"
    assert message_of(validation.nonnegative, "cost", -1) == "cost must be a number 0 or more, got -1"
    assert message_of(validation.positive, "n", -5, allowed="a number of users above 0") == "n must be a number of users above 0, got -5"


@pytest.mark.parametrize("check", [validation.positive, validation.nonnegative])
@pytest.mark.parametrize("bad", NOT_NUMBERS + NOT_FINITE + HUGE, ids=repr)
def test_positive_and_nonnegative_reject_what_real_rejects(check, bad):
    assert message_of(check, "volume", bad).startswith("volume must be a number")


# --- count and seed --------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [0, 5, np.int64(5), np.int8(3), np.uint16(9), 10**400])
def test_count_accepts_whole_numbers_and_returns_an_int(value):
    result = validation.count("n", value)
    assert result == value and type(result) is int


@pytest.mark.parametrize("bad", [3.0, 2.5, np.float64(2.0), Decimal(3), Fraction(3, 1), *NOT_NUMBERS, *NOT_FINITE], ids=repr)
def test_count_rejects_floats_bools_and_non_numbers(bad):
    assert message_of(validation.count, "bins", bad).startswith("bins must be a whole number 0 or more, got ")


@pytest.mark.parametrize(
    "kwargs, bad, allowed",
    [
        ({"minimum": 2, "maximum": 100}, 1, "a whole number from 2 to 100"),
        ({"minimum": 2, "maximum": 100}, 101, "a whole number from 2 to 100"),
        ({"minimum": 2, "maximum": 100}, 10**400, "a whole number from 2 to 100"),
        ({"minimum": 1}, 0, "a whole number 1 or more"),
        ({"minimum": None, "maximum": 3}, 4, "a whole number 3 or less"),
    ],
)
def test_count_out_of_range_names_argument_value_and_range(kwargs, bad, allowed):
    assert message_of(validation.count, "bins", bad, **kwargs) == f"bins must be {allowed}, got {validation.show(bad)}"


def test_count_without_a_minimum_accepts_negative_numbers():
    assert validation.count("eval_size", -10, minimum=None) == -10
    assert message_of(validation.count, "eval_size", 2.5, minimum=None) == "eval_size must be a whole number, got 2.5"


@pytest.mark.parametrize("value", [0, 1, 42, np.int64(7), 2**64])
def test_seed_accepts_whole_numbers_zero_or_above(value):
    assert validation.seed("seed", value) == int(value)


@pytest.mark.parametrize("bad", [-1, 1.5, 1.0, *NOT_NUMBERS, *NOT_FINITE, -(10**400)], ids=repr)
def test_seed_rejects_everything_else_with_the_usual_words(bad):
    assert message_of(validation.seed, "first_seed", bad) == f"first_seed must be a whole number 0 or above, got {validation.show(bad)}"


# --- one_of -----------------------------------------------------------------------------------------------


def test_one_of_returns_the_option_and_lists_the_options_when_not_one():
    assert validation.one_of("kind", "canary", ("shadow", "canary")) == "canary"
    assert validation.one_of("level", 2, [1, 2, 3]) == 2
    assert message_of(validation.one_of, "kind", "beta", ("shadow", "canary")) == "kind must be one of shadow, canary, got 'beta'"


@pytest.mark.parametrize("bad", [True, None, np.array([1, 2]), "1", 1.5])
def test_one_of_does_not_take_a_bool_for_a_number_nor_fail_on_odd_values(bad):
    with pytest.raises(ArgumentError, match="level must be one of 1, 2, 3"):
        validation.one_of("level", bad, [1, 2, 3])


# --- predicates and messages ---------------------------------------------------------------------------


def test_predicates():
    assert validation.is_number(math.nan) and validation.is_number(10**400) and validation.is_number(Decimal(1))
    assert not validation.is_number(True) and not validation.is_number("1") and not validation.is_number(None)
    assert validation.is_real(1.5) and not validation.is_real(math.inf) and not validation.is_real(10**400)
    assert validation.is_whole(np.int32(3)) and not validation.is_whole(3.0) and not validation.is_whole(False)


@pytest.mark.parametrize("long_value", ["x" * 10_000, list(range(10_000)), np.arange(10_000.0), 10**400])
def test_long_values_are_shown_truncated(long_value):
    message = message_of(validation.real, "value", long_value)
    shown = message.split(", got ", 1)[1]
    assert len(shown) <= validation.SHOW_AT_MOST and shown.endswith("...")
    assert len(message) < 120


def test_short_values_are_shown_whole_as_their_repr():
    assert validation.show("abc") == "'abc'" and validation.show(1.5) == "1.5"
    assert message_of(validation.real, "p", "0.1", low=0, high=1) == "p must be a number in [0, 1], got '0.1'"


def test_show_never_raises():
    class Broken:
        def __repr__(self):
            raise RuntimeError("no repr")

    assert validation.show(Broken()) == "<Broken>"


def test_fail_builds_the_standard_message():
    error = validation.fail("effect", 0, "a non-zero change", PlanError)
    assert isinstance(error, PlanError) and str(error) == "effect must be a non-zero change, got 0"


# --- one error root ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "error",
    [ArgumentError, BankError, PriceFileError, PlanError, ScenarioError, BriefError, ExerciseBuildError, BudgetError, CorpusError, KitError],
)
def test_every_package_error_is_an_aipm_error_and_a_value_error(error):
    assert issubclass(error, AipmError) and issubclass(error, ValueError)


def test_no_package_error_subclasses_value_error_or_exception_directly():
    # public error classes only: a private control-flow exception such as checking._TimedOut is not one
    pattern = re.compile(r"^class ([A-Z]\w*Error)\((ValueError|Exception)\)", re.M)
    found = [f"{relative}: {m.group(1)}" for relative, text in _package_sources() for m in pattern.finditer(text)]
    assert found == [], "subclass validation.AipmError instead: " + ", ".join(found)


# --- one finding type ---------------------------------------------------------------------------------------


def test_the_three_old_finding_names_are_the_one_class():
    assert briefs.Finding is rollout.PlanFinding is doctor.Finding is Finding


def test_finding_reads_as_before():
    brief = briefs.Finding("user_problem", "The user problem is missing.", "Say whose work is painful.")
    assert str(brief) == "user_problem: The user problem is missing. Fix: Say whose work is painful."
    plan = rollout.PlanFinding("Canary", "14 days are too few.", "Run it longer.")
    assert str(plan) == "Canary: 14 days are too few. Fix: Run it longer."
    assert str(Finding("Python", "3.12.1", severity="info")) == "Python: 3.12.1"


def test_finding_keeps_the_old_attribute_names():
    f = Finding("stage 1", "message", "fix it")
    assert f.field == f.stage == f.name == f.where == "stage 1"
    assert f.problem == f.detail == f.message == "message"
    assert f.severity == "error" and not f.ok
    assert Finding("Python", "fine", severity="info").ok and Finding("x", "y", severity="warning").ok


def test_finding_is_frozen_and_checks_its_severity():
    f = Finding("a", "b")
    with pytest.raises(AttributeError):
        f.where = "c"
    with pytest.raises(ArgumentError, match="severity must be one of error, warning, info, got 'fatal'"):
        Finding("a", "b", "c", "fatal")


def test_findings_from_each_module_are_findings():
    assert all(isinstance(f, Finding) for f in briefs.validate_brief(briefs.load_example("weak")))
    data = rollout.plan_to_dict(rollout.example_plan())
    data["rollback"] = ""
    assert all(isinstance(f, Finding) for f in rollout.validate_plan(data))
    assert all(isinstance(f, Finding) for f in doctor.run_checks(kernel=False))


def test_findings_table_keeps_its_columns():
    table = briefs.findings_table(briefs.validate_brief(briefs.load_example("weak")))
    assert list(table.columns) == ["field", "problem", "fix"] and len(table) > 0


# --- no hand-written guard creeps back -------------------------------------------------------------------

# "x is a bool or not a number" and "x is a number and not a bool", written out by hand.
GUARDS = [
    re.compile(r"isinstance\((?P<v>[\w.]+), bool\)\s+or\s+not\s+isinstance\((?P=v),"),
    re.compile(r"isinstance\((?P<v>[\w.]+), (?:numbers\.\w+|int|float|\(int, float\))\)\s+and\s+not\s+isinstance\((?P=v), bool\)"),
]
# checking.py, exercises/ and drills.py are handled separately; validation.py is where the guard lives.
HANDLED_ELSEWHERE = {"checking.py", "drills.py", "validation.py"}


def _package_sources():
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] == "exercises" or str(relative) in HANDLED_ELSEWHERE:
            continue
        yield relative, path.read_text(encoding="utf-8")


def test_no_module_writes_the_number_guard_by_hand():
    found = [
        f"{relative}:{text.count(chr(10), 0, m.start()) + 1}: {m.group(0)}"
        for relative, text in _package_sources()
        for guard in GUARDS
        for m in guard.finditer(text)
    ]
    assert found == [], "use aipm_course.validation (real, share, count, seed, is_number, is_whole) instead:\n" + "\n".join(found)


def test_the_guard_pattern_would_catch_the_old_code():
    old = [
        "if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 < value < 1:",
        "if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:",
        "if isinstance(item, numbers.Integral) and not isinstance(item, bool):",
    ]
    assert all(any(g.search(line) for g in GUARDS) for line in old)


def test_read_as_converts_its_kinds_and_refuses_others_by_name():
    from aipm_course.validation import ArgumentError, read_as

    assert read_as("data", {"a": 1}, (dict,), len, "a mapping") == 1
    with pytest.raises(ArgumentError, match=r"^data must be a mapping, got 3$"):
        read_as("data", 3, (dict,), len, "a mapping")
    with pytest.raises(ArgumentError, match=r"source must be YAML text \(or a .yaml file\) holding a mapping, got '- a', which reads as a list"):
        read_as("source", ["a"], (dict,), len, "a mapping", source="- a")


def test_array_gives_floats_and_refuses_by_name_what_is_not_a_list_of_numbers():
    import numpy as np

    from aipm_course.validation import ArgumentError, array

    assert array("scores", [1, 0.5, 2], "numbers").tolist() == [1.0, 0.5, 2.0]
    for bad in (None, "1,2", {"a": 1}, [[1, 2]], [], [1, float("nan")], [1, float("inf")], ["x"], [10**400]):
        with pytest.raises(ArgumentError, match=r"^scores must be numbers"):
            array("scores", bad, "numbers")
    allowed = array("scores", [], "numbers", empty=True)
    assert allowed.size == 0
    both = array("scores", [float("nan"), -np.inf], "numbers", nan=True, infinite=True)
    assert np.isnan(both[0]) and both[1] == -np.inf
