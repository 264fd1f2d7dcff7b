"""Questions as small specs: each question is one function, registered in order (lesson 00).

An exercise module declares its questions like this::

    exercise = Exercise("02")

    @exercise.shared
    def fraud(ctx):                      # a value several questions use, built once per load
        return card_fraud(seed=ctx.seed + 1)

    @exercise.question("q1")
    def precision_at_low_base_rate(ctx):
        tpr = float(ctx.rng.choice([0.8, 0.9]))
        return NumberQuestion("q1", ...)

    load = exercise.load

Each question function receives a :class:`Context`: the seed, the scenario, and a random stream
of its own derived from (seed, module, question id). Adding, removing or changing one question
therefore never moves another question's numbers. ``load`` returns a read-only
:class:`QuestionSet`: ``ex.q1``, ``ex.questions``, ``ex.parameters``, ``ex.data``.
"""

from __future__ import annotations

import dataclasses
import types
import zlib
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from .. import validation
from ..checking import Question
from ..parameters import Scenario, get_scenario, scaled, validate_parameters
from ..workspace import record_check

__all__ = ["Context", "Exercise", "QuestionSet", "stream"]


def stream(seed: int, module: str, name: str) -> np.random.Generator:
    """Return the random stream of one question (or shared value) of one module, fixed by the seed."""
    seed = validation.seed("seed", seed)
    if not (isinstance(module, str) and module.isascii() and module.isdigit() and len(module) <= 2):
        raise validation.fail("module", module, "a module number as text, such as '02'")
    if not isinstance(name, str):
        raise validation.fail("name", name, "the name of a question or shared value (text)")
    return np.random.default_rng([seed, int(module), zlib.crc32(name.encode("utf-8", "surrogatepass"))])


class Shared:
    """The values several questions share, each built once on first use (``ctx.shared.fraud``)."""

    def __init__(self, builders: dict[str, Callable[[Context], Any]], seed: int, scenario: Scenario, module: str):
        self._builders = builders
        self._seed, self._scenario, self._module = seed, scenario, module
        self._values: dict[str, Any] = {}

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in self._builders:
            raise AttributeError(f"exercise {self._module} shares no value called {name!r}; it shares {', '.join(self._builders) or 'none'}")
        if name not in self._values:
            ctx = Context(self._module, f"shared:{name}", self._seed, self._scenario, self)
            self._values[name] = self._builders[name](ctx)
        return self._values[name]

    def built(self) -> dict[str, Any]:
        """Every shared value, built now."""
        return {name: getattr(self, name) for name in self._builders}


@dataclasses.dataclass
class Context:
    """What a question function receives: the parameters and a random stream of its own."""

    module: str
    question_id: str
    seed: int
    scenario: Scenario
    shared: Shared

    def __post_init__(self):
        self.rng = stream(self.seed, self.module, self.question_id)

    @property
    def parameters(self) -> dict[str, Any]:
        return {"seed": self.seed, "scenario": self.scenario.name}

    def pick(self, options) -> Any:
        """One of the options, drawn from this question's stream (returns a plain Python value)."""
        value = options[int(self.rng.integers(len(options)))]
        return value.item() if hasattr(value, "item") else value

    def volume(self, value: float) -> int:
        """A count of cases, queries or users, scaled by the scenario (a whole number, at least 1)."""
        return scaled(value, self.scenario.volume, whole=True)

    def money(self, value: float) -> float:
        """An amount of money, scaled by the scenario."""
        return scaled(value, self.scenario.cost)

    def rate(self, value: float, cap: float = 0.2) -> float:
        """The base rate of a rare event, scaled by the scenario (never above ``cap``)."""
        return min(cap, value * self.scenario.prevalence)


class QuestionSet:
    """The read-only questions of one exercise: ``ex.q1``, ``ex.questions``, ``ex.parameters``, and
    each shared value by its name (``ex.open_question``)."""

    __slots__ = ("_questions", "_parameters", "_shared", "_module")

    def __init__(self, module: str, questions: tuple[Question, ...], parameters: dict[str, Any], shared: Shared):
        object.__setattr__(self, "_module", module)
        object.__setattr__(self, "_questions", questions)
        object.__setattr__(self, "_parameters", types.MappingProxyType(dict(parameters)))
        object.__setattr__(self, "_shared", shared)

    @property
    def questions(self) -> tuple[Question, ...]:
        return self._questions

    @property
    def parameters(self) -> types.MappingProxyType:
        return self._parameters

    @property
    def module(self) -> str:
        return self._module

    @property
    def data(self) -> types.SimpleNamespace:
        """The values the questions share (data sets, rates), as one namespace."""
        return types.SimpleNamespace(**self._shared.built())

    def __getattr__(self, name: str) -> Any:
        for question in self._questions:
            if question.id == name:
                return question
        if not name.startswith("_") and name in self._shared._builders:
            return getattr(self._shared, name)  # a shared value, e.g. ex.open_question
        ids = ", ".join(q.id for q in self._questions)
        raise AttributeError(f"exercise {self._module} has no question {name!r}; its questions are {ids}")

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"the questions of exercise {self._module} are read-only; load them again to change the seed or scenario")

    def __iter__(self) -> Iterator[Question]:
        return iter(self._questions)

    def __len__(self) -> int:
        return len(self._questions)

    def __dir__(self):
        return [q.id for q in self._questions] + list(self._shared._builders) + ["questions", "parameters", "data", "module"]

    def __repr__(self) -> str:
        return f"<exercise {self._module}: {len(self)} questions, seed {self._parameters.get('seed')}, scenario {self._parameters.get('scenario')!r}>"


class Exercise:
    """The registry of one module's questions and shared values, in order."""

    def __init__(self, module: str, question_set: type[QuestionSet] | None = None):
        self.module = module
        # A module whose notebook needs more than questions (e.g. ``ex.save_plan``) passes a subclass.
        self.question_set = question_set or QuestionSet
        self._questions: dict[str, Callable[[Context], Question]] = {}
        self._shared: dict[str, Callable[[Context], Any]] = {}

    def shared(self, builder: Callable[[Context], Any]) -> Callable[[Context], Any]:
        """Register a value several questions use; it is built once per load, on first use."""
        self._shared[builder.__name__] = builder
        return builder

    def question(self, question_id: str) -> Callable:
        """Register the function that builds question ``question_id``; order of registration is the order shown."""
        def register(build: Callable[[Context], Question]) -> Callable[[Context], Question]:
            if question_id in self._questions:
                raise ValueError(f"exercise {self.module} already has a question {question_id!r}")
            self._questions[question_id] = build
            return build
        return register

    @property
    def question_ids(self) -> list[str]:
        return list(self._questions)

    def load(self, seed: int = 0, scenario: str = "default") -> QuestionSet:
        """Return this exercise's questions for the notebook's parameters (seed and scenario)."""
        seed, name = validate_parameters(seed, scenario)
        sc = get_scenario(name)
        shared = Shared(self._shared, seed, sc, self.module)
        questions = tuple(self._build(qid, build, seed, sc, shared) for qid, build in self._questions.items())
        return self.question_set(self.module, questions, {"seed": seed, "scenario": name}, shared)

    def _build(self, question_id: str, build: Callable, seed: int, sc: Scenario, shared: Shared) -> Question:
        ctx = Context(self.module, question_id, seed, sc, shared)
        question = build(ctx)
        if question.id != question_id:
            raise ValueError(f"exercise {self.module}: the function registered as {question_id!r} built question {question.id!r}")
        question.module = self.module
        question.parameters = dict(ctx.parameters)
        if question._recorder is None:
            question._recorder = record_check
        return question
