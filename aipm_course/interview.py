"""Open interview questions with a rubric, a model answer and a self-score (lesson 06).

The bank lives in ``aipm_course/data/interview_questions.yaml``. Each question lists the points a
strong answer covers (its rubric), a model answer and the concepts it tests. ``self_score``
takes the rubric points you covered and returns a score and the points you missed.

Each question has a kind (see ``KINDS``): "technical" (a concept or a calculation; the default),
"product_sense" (design an AI feature for a given user) or "behavioural" (a story from your own
work). ``pick_questions(..., kind="behavioural")`` draws from one kind only.

    >>> q = get_question("worth-building")
    >>> self_score(q, [1, 2]).score          # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from . import validation
from .checking import RichText
from .validation import AipmError

__all__ = [
    "CONCEPTS",
    "KINDS",
    "BankError",
    "RubricPoint",
    "OpenQuestion",
    "SelfScore",
    "load_bank",
    "get_question",
    "questions_for",
    "pick_questions",
    "self_score",
    "concept_coverage",
]

# The concepts the course must teach, with where each is taught. Every one is tested by at least
# one open question (a test checks the bank's tags against this list).
CONCEPTS: dict[str, str] = {
    "ai_vs_traditional_pm": "AI PM versus traditional PM: probabilistic systems, behavioural specifications, 'done' as thresholds held across segments, the five differences (lesson 01)",
    "worth_building": "Deciding whether an AI feature is worth building: the workflow, the outcome, quality, trust and cost (lesson 01)",
    "when_not_to_use_ai": "When not to use AI: rules, search or a form do the job (lesson 01)",
    "model_limitations": "Model limitations: training-data bias, distribution shift, adversarial inputs, extrapolation, correlation versus causation; hallucination, context length, inconsistency (lesson 01)",
    "metric_stack": "The metric stack in three layers (offline, online, business); coverage, override rate, time saved, escalation rate, cost per successful task (lesson 01)",
    "most_important_metric": "Which metric matters most: a small stack, not one number (lessons 01 and 06)",
    "accuracy_paradox": "The accuracy paradox, precision, recall and F1, and the costs of each error (lesson 02)",
    "threshold_by_cost": "Choosing a threshold by the cost of each error (lesson 02)",
    "calibration": "Calibration: when a score can be read as a probability (lesson 02)",
    "uncertainty_budget": "The uncertainty budget: how wrong the product may be, where, with confidence bounds (lesson 03)",
    "three_zone_policy": "The three-zone policy: answer, answer with a caveat, hand to a human (lesson 03)",
    "human_review_load": "Human review load and reviewer headcount (lesson 03)",
    "failure_first_design": "Failure-first design: fallbacks, confidence thresholds and feedback loops before the happy path (lesson 03)",
    "rag_vs_finetuning": "RAG versus fine-tuning, and the break-even volume (lesson 04)",
    "cost_per_query": "Cost per query from tokens, and cost per successful task (lesson 04)",
    "pricing_margin": "Pricing an AI feature and its gross margin: per seat, per use or per outcome, the cost to serve, and the heavy users who can turn a seat price into a loss (lesson 04)",
    "rag_components": "RAG components and quality levels: chunking, retrieval, ranking, freshness, saying 'I don't know' (lesson 04)",
    "rollout_stages": "Rollout stages: shadow, dogfood, pilot, canary, ramp, full (lesson 05)",
    "shadow_mode": "Shadow mode: the model runs on real traffic and nobody sees its output (lesson 05)",
    "kill_switch": "The kill switch and the rollback plan (lesson 05)",
    "sample_size": "Sample size and test duration (lesson 05)",
    "blast_radius": "Blast radius: users exposed before a regression is rolled back (lesson 05)",
    "drift": "Data drift versus concept drift, and drift statistics (lesson 05)",
    "monitoring": "Monitoring after launch: quality, cost and latency together; retraining (lesson 05)",
    "data_flywheel": "The data flywheel: usage that produces labels that improve the model (lessons 03 and 05)",
    "experimentation": "Experimentation depth: offline versus online evaluation, interleaving, bandits, long-term effects (lesson 05)",
    "experiment_pitfalls": "Experiments that mislead: a sample-ratio mismatch (check the traffic split before reading a test), peeking, novelty effects, and segments that cancel out (Simpson's paradox: a pooled gain hiding a loss in a segment) (lessons 02 and 05)",
    "responsible_ai": "Responsible AI: bias and fairness slices, privacy, transparency, accountability (lesson 01)",
    "governance": "The pre-launch checklist, the five governance questions and model cards (lesson 05)",
    "failure_modes": "The eight recurring failure modes of AI products (lesson 01)",
    "role_archetypes": "AI PM role archetypes: platform, applied, ML infrastructure, AI tooling, AI-first startup (lesson 06)",
    "working_with_ml_engineers": "Working with ML engineers: the better questions to ask (lesson 06)",
    "product_sense": "Product sense: designing an AI feature from the goal and its constraints and the user's painful step, whether AI is needed, the failure modes and who they hurt, a metric stack with numbers, the people in the loop, the cost per task, a rollout with a kill switch, what the first version does, and what not to build (lesson 06)",
    "behavioural_stories": "Behavioural answers: a story from your own work told as the situation, the numbers, what you did, the trade-off and its price, the outcome, your own mistake and what changed afterwards (lesson 06)",
    "llm_eval_strategy": "Evaluating an LLM feature: error analysis on real traces, failure types, one pass/fail check per type (code where a rule decides, a judge where not), a regression set, evals as release gates (lesson 08)",
    "llm_judge": "Trusting an LLM judge: its true-positive and true-negative rates against human labels with intervals, why raw agreement misleads, the corrected pass rate, re-validation (lesson 08)",
    "groundedness": "Groundedness of RAG answers: claims supported by the retrieved passages, versus retrieval recall and a correct answer; a support score is a proxy validated against human labels (lesson 08)",
    "agent_reliability": "Agent reliability: step success rates multiply, pass@k versus pass^k, cost per finished task with retries, where a human approves (lesson 08)",
    "prompt_injection": "Prompt injection and guardrails: instructions planted in retrieved documents, least privilege for tools, filters and the cost of false blocks, red-team sets (lesson 08)",
}


# The kinds of open question, with what a strong answer to each does. A question without a kind is technical.
KINDS: dict[str, str] = {
    "technical": "a concept or a calculation: the numbers, the reasoning and the decision they lead to",
    "product_sense": "design an AI feature for a given user: the goal and constraints, the painful step, whether AI is needed, what goes wrong and who is hurt, metrics with numbers, the people in the loop, the cost per task, the rollout, what the first version does and what you would not build",
    "behavioural": "a story from your own work: the situation, the numbers, what you did, the trade-off and its price, the outcome, your own mistake and what changed afterwards",
}

_HOW_TO_ANSWER = {
    "product_sense": "Design it aloud: first ask the goal and the constraints, then the user and the painful step, whether AI is needed, what goes wrong and who is hurt, metrics with numbers, the people in the loop, the cost per task, the rollout with its kill switch, what the first version does, and what you would not build.",
    "behavioural": "Tell one real story: the situation, the numbers, what you did yourself, the trade-off and what it cost, the outcome, what you got wrong yourself, and what changed afterwards.",
}


class BankError(AipmError):
    """A question bank that cannot be used: the message names the file, the entry and the field."""


@dataclasses.dataclass(frozen=True)
class RubricPoint:
    """One thing a strong answer covers: a short id and the point in words."""

    id: str
    point: str


@dataclasses.dataclass(frozen=True)
class OpenQuestion:
    """An open interview question with its rubric, model answer, concept tags and kind (one of KINDS)."""

    id: str
    question: str
    concepts: tuple[str, ...]
    rubric: tuple[RubricPoint, ...]
    model_answer: str
    minutes: float = 3
    follow_ups: tuple[str, ...] = ()
    kind: str = "technical"

    def show(self) -> RichText:
        points = len(self.rubric)
        how = f"\n\n{_HOW_TO_ANSWER[self.kind]}" if self.kind in _HOW_TO_ANSWER else ""
        return RichText(f"Open question: {self.id}", f"{self.question}{how}\n\n(Answer aloud or in writing in about {self.minutes:g} minutes; a strong answer covers {points} points.)")

    def rubric_text(self) -> RichText:
        lines = [f"{i}. **{p.id}**: {p.point}" for i, p in enumerate(self.rubric, 1)]
        return RichText(f"Rubric for {self.id}", "\n".join(lines))

    def answer(self) -> RichText:
        extra = ""
        if self.follow_ups:
            extra = "\n\nFollow-ups an interviewer may ask:\n" + "\n".join(f"- {f}" for f in self.follow_ups)
        return RichText(f"Model answer to {self.id}", self.model_answer.strip() + extra)

    def _repr_html_(self) -> str:
        return self.show()._repr_html_()


def _text(entry: Mapping, key: str, where: str, required: bool = True) -> str:
    value = entry.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise BankError(f"{where}: '{key}' must be non-empty text, got {validation.show(value)}")
    return value.strip()


def _question_from(entry: Any, where: str) -> OpenQuestion:
    if not isinstance(entry, Mapping):
        raise BankError(f"{where}: each question must be a mapping with id, question, concepts, rubric and model_answer, got {type(entry).__name__}")
    qid = _text(entry, "id", where)
    where = f"{where} ({qid if len(qid) <= 60 else qid[:57] + '...'})"
    concepts = entry.get("concepts")
    if not isinstance(concepts, list) or not concepts or not all(isinstance(c, str) for c in concepts):
        raise BankError(f"{where}: 'concepts' must be a non-empty list of concept names, got {validation.show(concepts)}")
    unknown = [c for c in concepts if c not in CONCEPTS]
    if unknown:
        raise BankError(f"{where}: unknown concept {validation.show(unknown[0])}; known concepts are {', '.join(CONCEPTS)}")
    raw_rubric = entry.get("rubric")
    if not isinstance(raw_rubric, list) or len(raw_rubric) < 3:
        raise BankError(f"{where}: 'rubric' must be a list of at least 3 points, got {validation.show(raw_rubric)}")
    rubric = []
    for i, point in enumerate(raw_rubric, 1):
        if not isinstance(point, Mapping):
            raise BankError(f"{where}: rubric point {i} must have 'id' and 'point', got {validation.show(point)}")
        rubric.append(RubricPoint(_text(point, "id", f"{where} rubric point {i}"), _text(point, "point", f"{where} rubric point {i}")))
    ids = [p.id for p in rubric]
    if len(set(ids)) != len(ids):
        raise BankError(f"{where}: rubric point ids must differ, got {validation.show(ids)}")
    minutes = entry.get("minutes", 3)
    minutes = validation.real(f"{where}: 'minutes'", minutes, low=1, high=30, allowed="a number from 1 to 30", error=BankError)
    follow = entry.get("follow_ups", [])
    if not isinstance(follow, list) or not all(isinstance(f, str) for f in follow):
        raise BankError(f"{where}: 'follow_ups' must be a list of questions, got {validation.show(follow)}")
    kind = entry.get("kind", "technical")
    if not isinstance(kind, str) or kind not in KINDS:
        raise BankError(f"{where}: 'kind' must be one of {', '.join(KINDS)} (left out, it is technical), got {validation.show(kind)}")
    return OpenQuestion(qid, _text(entry, "question", where), tuple(concepts), tuple(rubric), _text(entry, "model_answer", where), minutes, tuple(follow), kind)


def _default_bank() -> Path:
    return Path(str(resources.files("aipm_course") / "data" / "interview_questions.yaml"))


def load_bank(path: str | Path | None = None) -> list[OpenQuestion]:
    """Return the open questions from the kit's bank, or from a YAML file of your own."""
    from .safe_yaml import load_yaml

    if path is not None and not isinstance(path, (str, os.PathLike)):
        raise validation.fail("path", path, "the path of a YAML file of questions (text or a Path), or None for the kit's bank")
    if path is not None and not Path(path).is_file():
        missing = Path(path)
        raise BankError(f"path must be a YAML file of questions that exists (or None for the kit's bank); there is no file {validation.show(missing.name)} in {validation.show(str(missing.parent))}")
    path = _default_bank() if path is None else Path(path)
    data = load_yaml(path, what="the question bank", error=BankError)
    if isinstance(data, Mapping):
        data = data.get("questions")
    if not isinstance(data, list) or not data:
        raise BankError(f"{path}: expected a list of questions (or a 'questions:' key holding one), got {type(data).__name__}")
    questions = [_question_from(entry, f"{path.name} entry {i}") for i, entry in enumerate(data, 1)]
    seen: set[str] = set()
    for q in questions:
        if q.id in seen:
            raise BankError(f"{path.name}: the question id {validation.show(q.id)} is used twice")
        seen.add(q.id)
    return questions


_BANK_ALLOWED = "a list of OpenQuestion items (as load_bank returns), or None for the kit's bank"


@functools.lru_cache(maxsize=4)
def _kit_bank(path: str, stamp: tuple[int, int]) -> tuple[OpenQuestion, ...]:
    """The kit's bank, read once per version of its file (``stamp`` is its mtime and size)."""
    return tuple(load_bank(path))


def _bank(bank: Any, nonempty: bool = False) -> list[OpenQuestion]:
    """The ``bank`` argument as a list of questions: None is the kit's bank (read once)."""
    if bank is None:
        path = _default_bank()
        try:
            stat = path.stat()
        except OSError:
            return load_bank()  # the file is gone: load_bank says so
        return list(_kit_bank(str(path), (stat.st_mtime_ns, stat.st_size)))
    if isinstance(bank, (str, bytes, Mapping)) or not isinstance(bank, Iterable):
        raise validation.fail("bank", bank, _BANK_ALLOWED)
    questions = list(bank)
    for index, q in enumerate(questions):
        if not isinstance(q, OpenQuestion):
            raise validation.fail(f"bank[{index}]", q, "an OpenQuestion (as load_bank returns)")
    if nonempty and not questions:
        raise validation.fail("bank", bank, "a non-empty list of OpenQuestion items, or None for the kit's bank")
    return questions


def get_question(question_id: str, bank: Sequence[OpenQuestion] | None = None) -> OpenQuestion:
    """Return one question by its id; an unknown id gets the closest ids as suggestions."""
    if not isinstance(question_id, str):
        raise validation.fail("question_id", question_id, "a question id (text), e.g. 'worth-building'")
    return _find("question_id", question_id, _bank(bank))


def _find(name: str, question_id: str, bank: list[OpenQuestion]) -> OpenQuestion:
    """The question with this id; an unknown id is refused by the argument's ``name``, with the closest ids."""
    import difflib

    for q in bank:
        if q.id == question_id:
            return q
    ids = [q.id for q in bank]
    close = difflib.get_close_matches(question_id, ids, n=3)
    hint = f"; did you mean {', '.join(map(repr, close))}?" if close else f"; the ids are {', '.join(ids)}"
    raise validation.ArgumentError(f"{name} {validation.show(question_id)} is not in the bank{hint}")


def _question_arg(name: str, value: Any) -> OpenQuestion:
    """An argument that is a question, or the id of one in the kit's bank (``self_score``, the widget)."""
    if isinstance(value, OpenQuestion):
        return value
    if not isinstance(value, str):
        raise validation.fail(name, value, "an OpenQuestion or a question id (text), e.g. 'worth-building'")
    return _find(name, value, _bank(None))


def questions_for(concept: str, bank: Sequence[OpenQuestion] | None = None) -> list[OpenQuestion]:
    """Return the questions that test a concept (see CONCEPTS)."""
    if not isinstance(concept, str) or concept not in CONCEPTS:
        raise validation.fail("concept", concept, f"one of {', '.join(CONCEPTS)}")
    bank = _bank(bank)
    return [q for q in bank if concept in q.concepts]


def pick_questions(seed: int = 0, n: int = 3, bank: Sequence[OpenQuestion] | None = None, kind: str | None = None) -> list[OpenQuestion]:
    """Return n different questions drawn by the seed, for a practice round; ``kind`` (see KINDS) draws from one kind only."""
    bank = _bank(bank, nonempty=True)
    seed = validation.seed("seed", seed)
    if kind is not None:
        kind = validation.one_of("kind", kind, KINDS)
        held = sorted({q.kind for q in bank})
        bank = [q for q in bank if q.kind == kind]
        if not bank:
            raise validation.fail("kind", kind, f"a kind this bank holds ({', '.join(held)}), or None for every kind")
    n = validation.count("n", n, minimum=1, maximum=len(bank))
    order = np.random.default_rng([seed, 607]).permutation(len(bank))[:n]
    return [bank[i] for i in order]


def concept_coverage(bank: Sequence[OpenQuestion] | None = None) -> dict[str, list[str]]:
    """Return, for every concept, the ids of the questions that test it (empty when none does)."""
    bank = _bank(bank)
    return {c: [q.id for q in bank if c in q.concepts] for c in CONCEPTS}


@dataclasses.dataclass(frozen=True)
class SelfScore:
    """The points you covered, the ones you missed, and the share covered."""

    question: OpenQuestion
    covered: tuple[RubricPoint, ...]
    missed: tuple[RubricPoint, ...]

    @property
    def score(self) -> float:
        return len(self.covered) / len(self.question.rubric)

    @property
    def verdict(self) -> str:
        if self.score == 1:
            return "Strong: every point covered."
        if self.score >= 0.7:
            return "Good: add the missing points and it is a strong answer."
        if self.score >= 0.4:
            return "Partial: the answer has a start; the missing points are what an interviewer listens for."
        return "Not yet: read the model answer, then try again tomorrow without looking."

    def __str__(self) -> str:
        missed = " ".join(p.point for p in self.missed) or "none"
        return f"{len(self.covered)} of {len(self.question.rubric)} points ({self.score:.0%}). {self.verdict} Missed: {missed}"

    def _repr_html_(self) -> str:
        return self.as_text()._repr_html_()

    def as_text(self) -> RichText:
        lines = [f"**{len(self.covered)} of {len(self.question.rubric)} points ({self.score:.0%}).** {self.verdict}"]
        if self.missed:
            lines.append("\nPoints you missed:")
            lines += [f"- **{p.id}**: {p.point}" for p in self.missed]
        return RichText(f"Self-score for {self.question.id}", "\n".join(lines))


def self_score(question: OpenQuestion | str, covered: Iterable[Any]) -> SelfScore:
    """Score an answer from the rubric points you covered: their ids or their numbers (1 is the first)."""
    q = _question_arg("question", question)
    if isinstance(covered, (str, bytes)) or not isinstance(covered, Iterable):
        raise ValueError(f"covered must be a list of rubric point ids or numbers (1 to {len(q.rubric)}), got {covered!r}")
    ids = [p.id for p in q.rubric]
    chosen: set[str] = set()
    for item in covered:
        if validation.is_whole(item):
            if not 1 <= item <= len(ids):
                raise ValueError(f"rubric point numbers run from 1 to {len(ids)}, got {item!r}")
            chosen.add(ids[int(item) - 1])
        elif isinstance(item, str) and item.strip() in ids:
            chosen.add(item.strip())
        else:
            raise ValueError(f"{item!r} is not a rubric point of {q.id}; use a number from 1 to {len(ids)} or one of {', '.join(ids)}")
    return SelfScore(q, tuple(p for p in q.rubric if p.id in chosen), tuple(p for p in q.rubric if p.id not in chosen))
