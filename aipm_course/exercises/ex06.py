"""Exercise 06: interview drills and open questions (lesson 06).

Questions 1 to 8 are one drill of each kind (``aipm_course.drills``), at a difficulty that rotates
with the seed; each drill states its precision and names its slips. Question 9 is a written answer
to an open question from the bank, 10 and 11 are choices. Numbers follow the notebook's parameters.
"""

from __future__ import annotations

import functools
import re

from ..checking import ChoiceQuestion, ChoiceSpec, NumberQuestion, ValidationQuestion, choice
from ..drills import DRILL_KINDS, make_drill
from ..interview import OpenQuestion, _default_bank, load_bank
from .registry import Context, Exercise

MODULE = "06"
exercise = Exercise(MODULE)

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


def _written_pool() -> list[OpenQuestion]:
    """The bank's open questions about the concepts the written answer draws from (read afresh)."""
    return [q for q in load_bank() if WRITTEN_CONCEPTS & set(q.concepts)]


@functools.lru_cache(maxsize=4)
def _pool_as_of(path: str, modified: float) -> tuple[OpenQuestion, ...]:
    return tuple(_written_pool())


def _cached_pool() -> tuple[OpenQuestion, ...]:
    """The written pool, read once per version of the bank file (reading the YAML takes longer than a load)."""
    path = _default_bank()
    try:
        modified = path.stat().st_mtime
    except OSError:
        modified = 0.0
    return _pool_as_of(str(path), modified)


# --------------------------------------------------------------------------------------------
# q1-q8: one drill of each kind, the difficulty rotating with the seed
# --------------------------------------------------------------------------------------------


def _drill_question(ctx: Context, kind: str) -> NumberQuestion:
    """The drill of ``kind`` as question q1..q8: its numbers come from (seed, kind, difficulty) only."""
    index = list(DRILL_KINDS).index(kind)
    difficulty = 1 + (ctx.seed + index) % 3
    drill = make_drill(kind, ctx.seed, difficulty, ctx.scenario)
    return drill.as_question(f"q{index + 1}")


@exercise.question("q1")
def base_rate_precision(ctx: Context) -> NumberQuestion:
    return _drill_question(ctx, "base_rate_precision")


@exercise.question("q2")
def threshold_by_cost(ctx: Context) -> NumberQuestion:
    return _drill_question(ctx, "threshold_by_cost")


@exercise.question("q3")
def reviewer_headcount(ctx: Context) -> NumberQuestion:
    return _drill_question(ctx, "reviewer_headcount")


@exercise.question("q4")
def error_rate_you_can_promise(ctx: Context) -> NumberQuestion:
    return _drill_question(ctx, "budget_bound")


@exercise.question("q5")
def cost_of_the_queries(ctx: Context) -> NumberQuestion:
    return _drill_question(ctx, "cost_per_query")


@exercise.question("q6")
def break_even_volume(ctx: Context) -> NumberQuestion:
    return _drill_question(ctx, "break_even_volume")


@exercise.question("q7")
def days_the_test_must_run(ctx: Context) -> NumberQuestion:
    return _drill_question(ctx, "sample_size_duration")


@exercise.question("q8")
def blast_radius(ctx: Context) -> NumberQuestion:
    return _drill_question(ctx, "blast_radius")


# --------------------------------------------------------------------------------------------
# q9: a written answer to an open question
# --------------------------------------------------------------------------------------------


@exercise.shared
def open_question(ctx: Context) -> OpenQuestion:
    """The open question to answer in writing. It rotates with the seed, so neighbouring teams in a workshop get different ones."""
    pool = _cached_pool()
    return pool[ctx.seed % len(pool)]


@exercise.question("q9")
def written_answer(ctx: Context) -> ValidationQuestion:
    question = ctx.shared.open_question
    return ValidationQuestion(
        "q9",
        "A written answer to an open question",
        (
            f"Answer this interview question in writing, as you would say it (at least 80 words): **{question.question}** "
            "The check looks at structure only: a number, a measure of success, what happens when the model is wrong, "
            "and a decision. Then score yourself against the rubric with the tick boxes below (`self_scorer`)."
        ),
        _written_answer_checker(),
        starting_point=WRITTEN_STARTING_POINT,
        hints=(
            "Start from the user and the decision, name two or three metrics with a number, say how it fails and what catches it, and commit.",
            "Write first; then open the rubric (`ex.q9.data.rubric_text()`) to see which points you missed, and add them.",
        ),
        solution=question.model_answer,
        data=question,
    )


# --------------------------------------------------------------------------------------------
# q10: which kind of AI PM role is this?
# --------------------------------------------------------------------------------------------

_ROLES = {
    "platform": "Platform AI PM",
    "applied": "Applied AI PM",
    "ml_infra": "ML infrastructure PM",
    "ai_tooling": "AI tooling PM",
    "ai_first_startup": "AI-first startup PM",
}

_JOBS = (
    ("You will own the company's model-serving API, used by 40 internal teams. Success: adoption, p95 latency, uptime and developer satisfaction.", "platform",
     "internal teams consume the capability through an API: a platform role, judged by adoption, latency and reliability."),
    ("You will own the fraud checks in our payments app: which transactions to hold, what the customer sees, and the cost of each mistake.", "applied",
     "an existing ML capability applied to one user problem, with its error costs: an applied role."),
    ("You will own our feature store, experiment tracking and model registry. Your users are our ML engineers and data scientists.", "ml_infra",
     "the tools ML teams build with, for ML engineers: ML infrastructure."),
    ("You will own a no-code labelling and evaluation tool that lets operations teams build their own classifiers.", "ai_tooling",
     "a product that helps non-experts build and evaluate AI: AI tooling."),
    ("Employee number six. The product is an AI contract reviewer; you will define the evaluation, talk to investors and decide what data to buy.", "ai_first_startup",
     "the AI is the product and you wear every hat: an AI-first startup."),
)

_ROLE_FEEDBACK = {
    "platform": "A platform PM serves other teams through shared AI capabilities (an API, a serving layer). Who are the users here?",
    "applied": "An applied PM uses AI to solve one end-user problem. Is that what this role owns?",
    "ml_infra": "An ML infrastructure PM serves ML engineers with the tools they build models with. Is that who this role serves?",
    "ai_tooling": "An AI tooling PM builds products that let others create or evaluate AI, often non-experts. Does this role do that?",
    "ai_first_startup": "In an AI-first startup the AI is the whole product and the PM covers everything. Is that the setting here?",
}


@exercise.question("q10")
def which_role(ctx: Context) -> ChoiceQuestion:
    job, role, why = _JOBS[ctx.seed % len(_JOBS)]  # rotates with the seed, like the open question
    feedback = {key: text for key, text in _ROLE_FEEDBACK.items() if key != role}
    spec = ChoiceSpec(options=_ROLES, correct=role, feedback=feedback, why=why).shuffled(ctx.rng)
    return ChoiceQuestion(
        "q10",
        "Which kind of AI PM role is this?",
        f"A job advert says: \"{job}\" Which archetype is it?",
        spec,
        hints=("Ask who the users are (end customers, internal teams, ML engineers, non-experts) and whether the AI is the whole product.",),
        solution=f"{role}: {why}",
    )


# --------------------------------------------------------------------------------------------
# q11: the better question to ask an ML engineer
# --------------------------------------------------------------------------------------------

# Each situation: the better question with why it is better, then three plausible questions of about
# the same length, each with what it misses.
_ASKS = (
    ("The engineers have been on the ranking model for three weeks longer than planned, and a stakeholder wants a date.",
     ("What is the biggest open risk now, and what would it take to retire it?",
      "it asks about what the engineers can see and you cannot, and a plan to remove the risk gives you a date worth giving."),
     [("How many more weeks do you need, so I can give the stakeholder a firm date?",
       "A new date without its cause tends to slip like the first one: you learn when, but not what is in the way."),
      ("Could we ship the current version now and improve the model after launch?",
       "That settles the release before you know what is holding the model back; there may be a reason it is not ready."),
      ("Which part of the plan took longer than expected, and who should have flagged it?",
       "Looking back for whoever missed it makes people guarded, and it says nothing about the work still ahead.")]),
    ("Sales wants an AI feature that predicts which customers will upgrade. You meet the ML lead for the first time.",
     ("Do we have past customers' data with the upgrade outcome recorded for each?",
      "a model can only learn to predict an outcome that has been recorded; without it there is nothing to train or test on."),
     [("What accuracy could a model like this reach if we gave it a full quarter?",
       "Nobody can promise an accuracy before looking at the data, so any number now is a guess."),
      ("Which kind of model would you use for this, and how long would training take?",
       "That jumps to the method and the schedule; what the model would learn from is still an open question."),
      ("Could you build a first version in time for the sales kick-off next month?",
       "A deadline set before anyone has looked at the problem commits the team to something that may not be possible.")]),
    ("An engineer reports that the new model scores 94% accuracy on the test set.",
     ("On which cases is it wrong, and how do those errors split across key segments?",
      "one accuracy hides which errors the model makes and whom they hit, and that is what decides whether it can ship."),
     [("Is 94% higher than what our current model scores on this same test set today?",
       "A better score than the old model can still hide new errors that cost more than the ones it fixed."),
      ("Great result: can we plan the launch for next week and tell the sales team now?",
       "94% on a test set says little on its own: when the problem is rare, a model that never flags anything can score that high."),
      ("What would it take to push the accuracy up to 97% before we launch the model?",
       "A higher target assumes accuracy is the right measure; with rare cases or unequal error costs it may not be.")]),
    ("The team disagrees about whether the model is good enough to launch.",
     ("What is the lowest quality we could safely ship, and how would we notice a drop?",
      "it turns the debate into a bar everyone can test against, and a way to catch the model falling below it."),
     [("Which of the candidate models scored best, so that we can simply launch that one?",
       "The best of the candidates may still fall short of what users need; a ranking does not say whether any is good enough."),
      ("Could we keep improving it until everyone on the team agrees it is ready?",
       "Waiting for agreement has no end point: without a stated bar the same debate comes back each week."),
      ("Can we launch now to all users and fix whatever problems they report later?",
       "Launching to everyone lets users find the failures, and some (wrong answers that look right) are never reported.")]),
)


@exercise.question("q11")
def better_question_to_ask(ctx: Context) -> ChoiceQuestion:
    situation, (best, why), wrong = _ASKS[ctx.seed % len(_ASKS)]  # rotates with the seed
    spec = choice(ctx.rng, right=(best, why), wrong=wrong)
    return ChoiceQuestion(
        "q11",
        "The better question to ask an ML engineer",
        f"{situation} Which question gets you the most useful answer?",
        spec,
        hints=("A good question to an ML engineer is about data, measurement, the biggest uncertainty, or the minimum quality to ship, not about speed.",),
        solution=f"{spec.correct}) {best} Why: {why}",
    )


load = exercise.load
