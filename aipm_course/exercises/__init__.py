"""The exercises' questions, one module per lesson; ``load`` builds them from the parameters."""

from __future__ import annotations

import dataclasses
import importlib
import types

from .. import validation

__all__ = ["MODULES", "ModuleInfo", "load", "question_ids"]


@dataclasses.dataclass(frozen=True)
class ModuleInfo:
    number: str
    title: str
    slug: str
    questions_module: str


MODULES: dict[str, ModuleInfo] = {
    "00": ModuleInfo("00", "Start here", "start_here", "aipm_course.exercises.ex00"),
    "01": ModuleInfo("01", "Framing and the AI brief", "framing_and_briefs", "aipm_course.exercises.ex01"),
    "02": ModuleInfo("02", "Precision, recall, costs", "precision_recall_costs", "aipm_course.exercises.ex02"),
    "03": ModuleInfo("03", "Uncertainty budgets", "uncertainty_budgets", "aipm_course.exercises.ex03"),
    "04": ModuleInfo("04", "RAG, fine-tuning and costs", "rag_finetune_costs", "aipm_course.exercises.ex04"),
    "05": ModuleInfo("05", "Rollout planning", "rollout_planning", "aipm_course.exercises.ex05"),
    "06": ModuleInfo("06", "Interview drills", "interview_drills", "aipm_course.exercises.ex06"),
    "07": ModuleInfo("07", "Capstone", "capstone", "aipm_course.exercises.ex07"),
    "08": ModuleInfo("08", "Evaluating LLM features", "evaluating_llm_features", "aipm_course.exercises.ex08"),
}


def load(module: str, seed: int = 0, scenario: str = "default") -> types.SimpleNamespace:
    """Return the question set of one module for the given parameters."""
    if not isinstance(module, str) or module not in MODULES:
        raise validation.fail("module", module, f"one of {', '.join(MODULES)}")
    return importlib.import_module(MODULES[module].questions_module).load(seed=seed, scenario=scenario)


def question_ids(module: str) -> list[str]:
    """Return the ids of a module's questions, in order (read from its registry: nothing is built,
    so a progress table over every module stays quick)."""
    if not isinstance(module, str) or module not in MODULES:
        raise validation.fail("module", module, f"one of {', '.join(MODULES)}")
    return list(importlib.import_module(MODULES[module].questions_module).exercise.question_ids)
