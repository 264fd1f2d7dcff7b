"""Shared helpers for the answer-policy tests: walk every question of every module and judge it.

These helpers compute what a learner would type (the right answer rounded to the precision the
prompt states, a percentage for a share, a factor of ten) from the question's own spec, and ask
the question's check what it says. The measurements the closing notes report come from here too
(`benchmarks/answer_policy.py`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator

from aipm_course.checking import ChoiceQuestion, NumberQuestion, NumberSpec, StructuredQuestion
from aipm_course.exercises import MODULES, load
from aipm_course.parameters import scenarios

ALL_MODULES = list(MODULES)
ALL_SCENARIOS = list(scenarios())
GENERIC = "is not right yet"
ORDER_OF_MAGNITUDE = "times too"
PERCENTAGE = "percentage"


def numeric_specs(question) -> Iterator[tuple[str, NumberSpec]]:
    """The number specs of a question: its own, or each numeric field of a structured answer."""
    if isinstance(question, NumberQuestion):
        yield question.id, question.spec
    elif isinstance(question, StructuredQuestion):
        for name, spec in question.fields.items():
            if isinstance(spec, NumberSpec):
                yield f"{question.id}.{name}", spec


def judge(spec: NumberSpec, value: float) -> tuple[bool, str]:
    return spec.judge(value)


def rounded_answer(spec: NumberSpec) -> float:
    """The right answer as a learner writes it at the stated precision."""
    return spec.precision.round(spec.expected)


def near_a_slip(spec: NumberSpec, value: float) -> bool:
    return any(spec.precision.near(value, m.value) for m in spec.mistakes)


def scaled_answer_message(spec: NumberSpec, factor: float) -> tuple[bool, str] | None:
    """The verdict on the right answer times ``factor``, or None when that value is a named slip
    (whose own feedback then answers it) or is not a sensible answer (zero)."""
    if spec.expected == 0:
        return None
    value = spec.expected * factor
    if spec.whole:
        value = float(round(value))
        if value == 0:
            return None
    if near_a_slip(spec, value):
        return None
    return judge(spec, value)


_NUMBER = re.compile(r"(?<![\w.])-?\$?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(%?)")


def numbers_in(text: str) -> list[tuple[float, bool]]:
    """The numbers written in a text, each with whether it carried a % sign."""
    found = []
    for match in _NUMBER.finditer(text):
        whole, fraction, percent = match.groups()
        number = float(whole.replace(",", "") + (fraction or ""))
        if match.group(0).startswith("-"):
            number = -number
        found.append((number, percent == "%"))
    return found


def printed_solution_passes(question) -> bool:
    """True when some number the solution prints passes the question's own check."""
    text = str(question.solution())
    spec = question.spec
    for number, percent in numbers_in(text):
        value = number / 100 if percent and spec.fraction else number
        if math.isfinite(value) and spec.judge(value)[0]:
            return True
    return False


def choice_questions(ex) -> Iterator[ChoiceQuestion]:
    return (q for q in ex.questions if isinstance(q, ChoiceQuestion))


def right_is_longest(question: ChoiceQuestion) -> bool:
    """True when the right option's text is strictly the longest."""
    options = question.spec.options
    right = len(str(options[question.spec.correct]))
    return all(right > len(str(text)) for key, text in options.items() if key != question.spec.correct)


def loaded(seeds, scenario_names=None):
    """Every module's question set for each seed and scenario: (module, seed, scenario, ex)."""
    for module in ALL_MODULES:
        for scenario in scenario_names or ALL_SCENARIOS:
            for seed in seeds:
                yield module, seed, scenario, load(module, seed=seed, scenario=scenario)
