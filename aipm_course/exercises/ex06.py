"""Exercise 06: interview drills and open questions (lesson 06). Numbers follow the notebook's parameters."""

from __future__ import annotations

import re
import types

from ..checking import ChoiceQuestion, ChoiceSpec, ValidationQuestion
from ..drills import DRILL_KINDS, make_drill
from ..interview import load_bank
from ..parameters import validate_parameters
from ..workspace import record_check

MODULE = "06"

# The open questions the written answer draws from: the ones interviewers ask most.
WRITTEN_CONCEPTS = {"worth_building", "most_important_metric", "when_not_to_use_ai", "rag_vs_finetuning", "ai_vs_traditional_pm", "failure_first_design"}

WRITTEN_STARTING_POINT = "Write your answer here, in your own words."

_METRIC_WORDS = ("metric", "rate", "precision", "recall", "success", "cost", "accuracy", "latency", "per task", "conversion", "retention")
_FAILURE_WORDS = ("wrong", "error", "fail", "fallback", "human", "escalat", "mistake", "miss", "false")
_DECISION_WORDS = ("i would", "i'd", "recommend", "decide", "decision", "ship", "launch", "build", "don't", "do not", "stop", "choose", "go with")


def _written_answer_checker(min_words: int = 80):
    def check(answer) -> list[str]:
        if not isinstance(answer, str):
            raise ValueError(f"write your answer as text in triple quotes, got {type(answer).__name__}")
        text = answer.lower()
        words = answer.split()
        problems = []
        if len(words) < min_words:
            problems.append(f"length: {len(words)} words. A spoken answer of two or three minutes is about 250 to 400 words; write at least {min_words}.")
        if not re.search(r"\d", answer):
            problems.append("numbers: there are none. Strong answers put a number on something: a target, a threshold, a cost, a volume.")
        if not any(w in text for w in _METRIC_WORDS):
            problems.append("metrics: you name no measure of success (a rate, a cost, precision or recall, task success).")
        if not any(w in text for w in _FAILURE_WORDS):
            problems.append("failure: you do not say what happens when the model is wrong (errors, a fallback, a human).")
        if not any(w in text for w in _DECISION_WORDS):
            problems.append("decision: you do not commit to a decision. Say what you would do, and when you would change your mind.")
        return problems

    return check


_ROLES = {
    "platform": "Platform AI PM",
    "applied": "Applied AI PM",
    "ml_infra": "ML infrastructure PM",
    "ai_tooling": "AI tooling PM",
    "ai_first_startup": "AI-first startup PM",
}

_JOBS = (
    ("You will own the company's model-serving API, used by 40 internal teams. Success: adoption, p95 latency, uptime and developer satisfaction.", "platform",
     "Internal teams consume the capability through an API: a platform role, judged by adoption, latency and reliability."),
    ("You will own the fraud checks in our payments app: which transactions to hold, what the customer sees, and the cost of each mistake.", "applied",
     "An existing ML capability applied to one user problem, with its error costs: an applied role."),
    ("You will own our feature store, experiment tracking and model registry. Your users are our ML engineers and data scientists.", "ml_infra",
     "The tools ML teams build with, for ML engineers: ML infrastructure."),
    ("You will own a no-code labelling and evaluation tool that lets operations teams build their own classifiers.", "ai_tooling",
     "A product that helps non-experts build and evaluate AI: AI tooling."),
    ("Employee number six. The product is an AI contract reviewer; you will define the evaluation, talk to investors and decide what data to buy.", "ai_first_startup",
     "The AI is the product and you wear every hat: an AI-first startup."),
)

_ROLE_FEEDBACK = {
    "platform": "A platform PM serves other teams through shared AI capabilities (an API, a serving layer). Who are the users here?",
    "applied": "An applied PM uses AI to solve one end-user problem. Is that what this role owns?",
    "ml_infra": "An ML infrastructure PM serves ML engineers with the tools they build models with. Is that who this role serves?",
    "ai_tooling": "An AI tooling PM builds products that let others create or evaluate AI, often non-experts. Does this role do that?",
    "ai_first_startup": "In an AI-first startup the AI is the whole product and the PM covers everything. Is that the setting here?",
}

_ASKS = (
    ("The engineers have been on the ranking model for three weeks longer than planned, and a stakeholder wants a date.",
     {"a": "Why is this taking so long?", "b": "What is the biggest uncertainty or blocker right now, and what would remove it?",
      "c": "Can we just ship what we have and fix it later?", "d": "Can you give me a date by Friday?"},
     "b"),
    ("Sales wants an AI feature that predicts which customers will upgrade. You meet the ML lead for the first time.",
     {"a": "Can you build this?", "b": "How accurate can you make it?",
      "c": "What data would we need to predict upgrades, and do we have it with the outcome recorded?", "d": "How long would a model take?"},
     "c"),
    ("An engineer reports that the new model scores 94% accuracy on the test set.",
     {"a": "Great, can we ship it tomorrow?", "b": "Is 94% better than the old model?",
      "c": "How are we measuring that, on which cases, and what errors does it make on the segments that matter?", "d": "Can you get it to 97%?"},
     "c"),
    ("The team disagrees about whether the model is good enough to launch.",
     {"a": "Let's ship it and fix it later.", "b": "What is the lowest quality we could ship with safely, and how would we know we are below it?",
      "c": "Which model is the most accurate?", "d": "Can we wait until it is perfect?"},
     "b"),
)


def _written_pool():
    return [q for q in load_bank() if WRITTEN_CONCEPTS & set(q.concepts)]


def load(seed: int = 0, scenario: str = "default") -> types.SimpleNamespace:
    """Return exercise 06's questions for these parameters."""
    seed, scenario = validate_parameters(seed, scenario)
    parameters = {"seed": seed, "scenario": scenario}
    common = {"module": MODULE, "parameters": parameters, "recorder": record_check}

    # q1-q8: one drill of each kind, with the difficulty rotating with the seed -----------------
    drills = [make_drill(kind, seed, 1 + (seed + i) % 3, scenario) for i, kind in enumerate(DRILL_KINDS)]
    drill_questions = [d.as_question(f"q{i}", **common) for i, d in enumerate(drills, 1)]

    # q9: a written answer to an open question ------------------------------------------------
    pool = _written_pool()
    open_q = pool[seed % len(pool)]
    q9 = ValidationQuestion(
        "q9",
        "A written answer to an open question",
        (
            f"Answer this interview question in writing, as you would say it (at least 80 words): **{open_q.question}** "
            "The check looks at structure only: a number, a measure of success, what happens when the model is wrong, "
            "and a decision. Then score yourself against the rubric with the tick boxes below (`self_scorer`)."
        ),
        _written_answer_checker(),
        starting_point=WRITTEN_STARTING_POINT,
        hints=(
            "Start from the user and the decision, name two or three metrics with a number, say how it fails and what catches it, and commit.",
            "Write first; then open the rubric (`ex.open_question.rubric_text()`) to see which points you missed, and add them.",
        ),
        solution=open_q.model_answer,
        data=open_q,
        **common,
    )

    # q10: which role is this? ----------------------------------------------------------------
    job, role, why = _JOBS[seed % len(_JOBS)]
    feedback = dict(_ROLE_FEEDBACK)
    feedback[role] = f"Right. {why}"
    q10 = ChoiceQuestion(
        "q10",
        "Which kind of AI PM role is this?",
        f"A job advert says: \"{job}\" Which archetype is it?",
        ChoiceSpec(options=_ROLES, correct=role, feedback=feedback),
        hints=("Ask who the users are (end customers, internal teams, ML engineers, non-experts) and whether the AI is the whole product.",),
        solution=f"{role}: {why}",
        **common,
    )

    # q11: the better question to ask an ML engineer -----------------------------------------
    situation, asks, best = _ASKS[seed % len(_ASKS)]
    ask_feedback = {k: "That question pushes for speed or a single number, or stops short: it will not tell you what limits the work. Which option asks about data, measurement, the blocker or the minimum quality?" for k in asks}
    ask_feedback[best] = "Right: it asks about what the engineers can actually see (data, measurement, the blocker, the minimum quality), which gets you a useful answer."
    q11 = ChoiceQuestion(
        "q11",
        "The better question to ask an ML engineer",
        f"{situation} Which question gets you the most useful answer?",
        ChoiceSpec(options=asks, correct=best, feedback=ask_feedback),
        hints=("A good question to an ML engineer is about data, measurement, the biggest uncertainty, or the minimum quality to ship, not about speed.",),
        solution=f"{best}) {asks[best]}",
        **common,
    )

    questions = (*drill_questions, q9, q10, q11)
    return types.SimpleNamespace(
        **{q.id: q for q in questions},
        questions=questions,
        parameters=parameters,
        drills=drills,
        open_question=open_q,
    )
