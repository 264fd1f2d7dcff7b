"""Every module loads for seeds 0–499 in every scenario, and every question's worked answer
passes its own check there (workshops hand each team a different seed and scenario).

One test per module and scenario, so the parallel runner spreads them over the cores."""

from __future__ import annotations

import pytest

from aipm_course.checking import ChoiceQuestion, ChoiceSpec, NumberQuestion, NumberSpec, StructuredQuestion, TextSpec
from aipm_course.exercises import MODULES, load
from policy_helpers import ALL_SCENARIOS, rounded_answer

SEEDS = range(500)


@pytest.fixture(scope="module", autouse=True)
def _quiet(quiet_work_folder):
    """Thousands of checks: keep progress recording off."""


def _worked_answer(question):
    """What a learner who did the work would pass, or None for answers that are not values
    (functions, briefs and plans have tests of their own)."""
    if isinstance(question, NumberQuestion):
        return rounded_answer(question.spec)
    if isinstance(question, ChoiceQuestion):
        return question.spec.correct
    if isinstance(question, StructuredQuestion) and not any(isinstance(s, TextSpec) for s in question.fields.values()):
        answer = {}
        for name, spec in question.fields.items():
            answer[name] = rounded_answer(spec) if isinstance(spec, NumberSpec) else spec.correct if isinstance(spec, ChoiceSpec) else None
        return answer
    return None


@pytest.mark.parametrize("scenario", ALL_SCENARIOS)
@pytest.mark.parametrize("module", list(MODULES))
def test_every_seed_loads_and_its_worked_answers_pass(module, scenario):
    for seed in SEEDS:
        ex = load(module, seed=seed, scenario=scenario)
        assert ex.parameters == {"seed": seed, "scenario": scenario}
        for question in ex.questions:
            answer = _worked_answer(question)
            if answer is None:
                continue
            result = question.check(answer)
            assert result.correct, f"{module} {question.id} seed {seed} {scenario}: the worked answer {answer!r} is refused: {result.message} {result.details}"
