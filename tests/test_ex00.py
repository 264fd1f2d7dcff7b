"""Exercise 00's questions: the reference answer passes, known wrong answers get the intended
feedback, the placeholder is "not attempted", and the numbers follow the parameters."""

import pytest

from aipm_course.checking import ___, Outcome
from aipm_course.exercises import MODULES, load, question_ids
from aipm_course.exercises.ex00 import demo_question, precision_from_counts


@pytest.fixture
def ex():
    return load("00", seed=0, scenario="default")


def test_q1_accuracy_of_always_legitimate_hand_worked(ex):
    n, fraud = ex.q1.data.transactions, ex.q1.data.fraud_cases
    # Right on the n - fraud legitimate transactions, wrong on the fraud ones.
    assert ex.q1.check((n - fraud) / n).correct
    assert ex.q1.check(round((n - fraud) / n, 4)).correct
    assert "share of fraud" in ex.q1.check(fraud / n).message
    assert "percentage" in ex.q1.check(100 * (n - fraud) / n).message
    assert "legitimate" in ex.q1.check(0).message
    assert "fraud rate in percent" in ex.q1.check(100 * fraud / n).message
    assert "Divide by" in ex.q1.check(n - fraud).message
    assert ex.q1.check(___).outcome is Outcome.NOT_ATTEMPTED


def test_q2_choice_feedback(ex):
    assert ex.q2.check("c").correct
    assert "never alert" in ex.q2.check("a").message
    assert ex.q2.check('"c"').correct and ex.q2.check("(c)").correct
    assert "convention" in ex.q2.check("b").message
    assert "all thresholds" in ex.q2.check("d").message
    assert ex.q2.check(None).outcome is Outcome.NOT_ATTEMPTED


def test_q3_precision_function(ex):
    assert ex.q3.check(precision_from_counts).correct
    written_by_hand = lambda tp, fp: tp / (tp + fp) if (tp + fp) > 0 else 0.0  # noqa: E731
    assert ex.q3.check(written_by_hand).correct
    naive = ex.q3.check(lambda tp, fp: tp / (tp + fp))
    assert naive.outcome is Outcome.INCORRECT
    assert any("dividing by zero" in d for d in naive.details)
    recall_instead = ex.q3.check(lambda tp, fp: fp / (tp + fp) if tp + fp else 0.0)
    assert recall_instead.outcome is Outcome.INCORRECT


def test_q3_reference_matches_hand_values():
    assert precision_from_counts(90, 10) == 0.9
    assert precision_from_counts(9, 991) == pytest.approx(0.009)
    assert precision_from_counts(0, 0) == 0.0


def test_q4_structured_metric(ex):
    target = ex.q4.data.target
    assert ex.q4.check({"layer": "product", "comparison": ">=", "target": target}).correct
    wrong = ex.q4.check({"layer": "business", "comparison": ">", "target": target * 100})
    assert wrong.outcome is Outcome.INCORRECT
    text = " ".join(wrong.details)
    assert "money" in text and "exactly the target" in text and "percentage" in text
    assert ex.q4.check({"layer": ___, "comparison": ___, "target": ___}).outcome is Outcome.NOT_ATTEMPTED


def test_numbers_follow_the_seed_and_are_reproducible():
    first = load("00", seed=1)
    again = load("00", seed=1)
    assert first.q1.data == again.q1.data and first.q4.data == again.q4.data
    variants = {(load("00", seed=s).q1.data.transactions, load("00", seed=s).q1.data.fraud_cases) for s in range(12)}
    assert len(variants) > 3
    # A right answer for one seed is judged against that seed's numbers.
    other = next(s for s in range(1, 50) if load("00", seed=s).q1.expected != first.q1.expected)
    assert not load("00", seed=other).q1.check(first.q1.expected).correct


def test_parameters_travel_with_each_result():
    result = load("00", seed=7).q2.check("c")
    assert result.parameters == {"seed": 7, "scenario": "default"}
    assert result.module == "00"


@pytest.mark.parametrize(
    "seed, scenario, message",
    [(-1, "default", "seed"), (1.5, "default", "seed"), (True, "default", "seed"), (0, "mars", "scenario")],
)
def test_bad_parameters_get_clear_errors(seed, scenario, message):
    with pytest.raises(ValueError, match=message):
        load("00", seed=seed, scenario=scenario)


def test_unknown_module_is_a_clear_error():
    with pytest.raises(ValueError, match="module must be one of"):
        load("42")


def test_registry_lists_every_exercise_notebook():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    numbers = sorted(p.name[:2] for p in (root / "solutions").glob("[0-9][0-9]_*.ipynb"))
    assert numbers == sorted(MODULES)
    assert question_ids("00") == ["q1", "q2", "q3", "q4"]


def test_demo_question_three_outcomes():
    demo = demo_question()
    assert demo.check(___).outcome is Outcome.NOT_ATTEMPTED
    assert "one analyst" in demo.check(50).message
    assert demo.check(4 * 50).correct
