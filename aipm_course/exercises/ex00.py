"""Exercise 00, the warm-up: one question of each answer kind (lesson 00, "How checking works").

Each question is one small function registered in order; its numbers come from its own random
stream, fixed by the notebook's parameters (seed and scenario), so every team in a workshop can get
its own and still be checked correctly.
"""

from __future__ import annotations

import types

from .. import validation
from ..checking import (
    Case,
    ChoiceQuestion,
    ChoiceSpec,
    FunctionQuestion,
    Mistake,
    NumberQuestion,
    NumberSpec,
    StructuredQuestion,
    choice,
    decimals,
    significant,
    whole,
)
from .registry import Exercise

MODULE = "00"

exercise = Exercise(MODULE)
load = exercise.load


def precision_from_counts(true_positives: float, false_positives: float) -> float:
    """Return the share of flagged cases that are truly positive; 0.0 when nothing is flagged.

    Taught in lesson 00 (warm-up) and lesson 02 (precision and recall).
    """
    true_positives = validation.nonnegative("true_positives", true_positives, allowed="a count of cases, 0 or more")
    false_positives = validation.nonnegative("false_positives", false_positives, allowed="a count of cases, 0 or more")
    flagged = true_positives + false_positives
    return true_positives / flagged if flagged else 0.0


def demo_question() -> NumberQuestion:
    """Return the lesson's demonstration question (not recorded in progress)."""
    return NumberQuestion(
        "demo",
        "How many alerts can the review team handle?",
        "Four analysts each review 50 fraud alerts a day. How many alerts a day can the team review?",
        NumberSpec(
            200,
            precision=whole(),
            units="alerts a day",
            mistakes=(
                Mistake(50, "That is one analyst's capacity. How many analysts are there?"),
                Mistake(4, "That is the number of analysts. How many alerts does each of them review?"),
                Mistake(54, "You added the analysts to the alerts. Each analyst reviews 50: combine them by multiplying."),
            ),
        ),
        hints=(
            "Each analyst reviews alerts separately, so their capacities add up.",
            "Multiply the number of analysts by what one analyst reviews in a day.",
        ),
        solution="4 analysts × 50 alerts each = 200 alerts a day.",
        solution_code="team_capacity = 4 * 50",
        module="lesson",
    )


# -- q1: a number ------------------------------------------------------------------------------

# Accuracy of a model that never alerts is 1 − (fraud share): close to 1, so it is asked to four
# decimal places. At three significant figures (or three decimals) it would round to 1.00 for the
# rarest fraud, and "perfect" would pass.
ACCURACY_PRECISION = decimals(4)


@exercise.question("q1")
def accuracy_of_never_alerting(ctx) -> NumberQuestion:
    transactions = ctx.volume(ctx.pick([20_000, 40_000, 50_000, 80_000, 100_000]))
    fraud_cases = max(1, round(transactions * ctx.rate(ctx.pick([0.001, 0.002, 0.003, 0.005]))))
    legitimate = transactions - fraud_cases
    accuracy = legitimate / transactions
    p = ACCURACY_PRECISION
    return NumberQuestion(
        "q1",
        "The accuracy of a model that never flags anything",
        (
            f"Last month a bank saw {transactions:,} card transactions, of which {fraud_cases:,} "
            "were fraud. A lazy model labels every transaction as legitimate. What is its "
            "accuracy: the share of transactions it labels correctly? Give a share between 0 and 1 "
            f"(0.5, not 50%), {p.phrase} (or not rounded at all). The numbers are in "
            "`ex.q1.data.transactions` and `ex.q1.data.fraud_cases`."
        ),
        NumberSpec(
            accuracy,
            precision=p,
            fraction=True,
            mistakes=(
                Mistake(fraud_cases / transactions, "That is the share of fraud. Accuracy is the share of all transactions labelled correctly."),
                Mistake(0.0, "It catches no fraud, but accuracy also counts every legitimate transaction it labels correctly."),
                Mistake(1.0, "Not perfect: every fraud case is labelled wrongly. Take those out of the correct ones."),
                Mistake(100 * fraud_cases / transactions, "That is the fraud rate in percent. Accuracy is the share of all transactions labelled correctly."),
                Mistake(legitimate, "That is how many transactions it labels correctly. Divide by the number of all transactions."),
                Mistake(round(accuracy, 3), "Give four decimal places: with fraud this rare, the model's errors only show in the fourth."),
            ),
        ),
        hints=(
            "Accuracy = correctly labelled transactions / all transactions.",
            "Every legitimate transaction is labelled correctly; every fraud case is labelled wrongly.",
        ),
        solution=(
            f"The model is right on the {legitimate:,} legitimate transactions and wrong on the "
            f"{fraud_cases:,} fraud cases: accuracy = {legitimate:,} / {transactions:,} = {p.format(accuracy)}. "
            "It looks excellent and catches no fraud at all: with rare positives, accuracy says almost "
            "nothing. Lesson 02 replaces it with precision, recall and what each error costs."
        ),
        solution_code="accuracy = 1 - ex.q1.data.fraud_cases / ex.q1.data.transactions",
        data=types.SimpleNamespace(transactions=transactions, fraud_cases=fraud_cases),
    )


# -- q2: a choice ------------------------------------------------------------------------------

THRESHOLD_RIGHT = (
    "The one at which misses and false alarms cost least in total",
    "a missed fraud and a false alarm cost different amounts, so the threshold should make their total cost smallest.",
)
THRESHOLD_WRONG = (
    (
        "The one with the highest accuracy on last month's transactions",
        "When fraud is rare, the most accurate threshold is often \"never alert\": accuracy rewards "
        "labelling everything legitimate and treats every kind of error as equally bad.",
    ),
    (
        "0.5, halfway between certain fraud and certainly legitimate",
        "0.5 is only a convention. Nothing about this bank's payments or its fraud rate makes it the right place to cut.",
    ),
    (
        "The one that gives the model its highest AUC on held-out data",
        "AUC summarises the model over all thresholds at once: it is the same whichever threshold you pick, so it cannot choose one.",
    ),
)


@exercise.question("q2")
def what_sets_the_threshold(ctx) -> ChoiceQuestion:
    spec = choice(ctx.rng, right=THRESHOLD_RIGHT, wrong=THRESHOLD_WRONG)
    return ChoiceQuestion(
        "q2",
        "What should set a fraud model's alert threshold?",
        (
            "A fraud model gives each transaction a score between 0 and 1: the higher, the more "
            "likely fraud. The team picks a threshold: transactions scoring above it raise an "
            "alert for an analyst. Which of these should decide the threshold? Answer with the "
            "letter in quotes, e.g. `\"a\"`."
        ),
        spec,
        hints=(
            "The model can be wrong in two ways: it misses a fraud, or it raises a false alarm. Do they cost the same?",
            "A missed fraud can cost the bank the whole payment; a false alarm costs a few minutes of an analyst's time and an annoyed customer. Which option weighs the two?",
        ),
        solution=(
            f"{spec.correct}) {THRESHOLD_RIGHT[0]}: {THRESHOLD_RIGHT[1]} Lesson 02 computes it from the costs of each error."
        ),
        solution_code=f'choice = "{spec.correct}"',
    )


# -- q3: a function ----------------------------------------------------------------------------


@exercise.question("q3")
def precision_function(ctx) -> FunctionQuestion:
    return FunctionQuestion(
        "q3",
        "Write a precision function",
        (
            "When a model flags a case, it is either right (a true positive: the case really is "
            "fraud) or wrong (a false positive: a false alarm). Precision is the share of flagged "
            "cases that are right. Write `precision(true_positives, false_positives)` that returns "
            "it as a share between 0 and 1. When nothing is flagged, return 0.0."
        ),
        precision_from_counts,
        cases=(
            Case((90, 10)),
            Case((9, 991)),
            Case((5, 0)),
            Case((0, 7)),
            Case((0, 0), note="When nothing is flagged, return 0.0 instead of dividing by zero."),
        ),
        function_name="precision",
        hints=(
            "Flagged cases = true positives + false positives.",
            "Check whether anything was flagged before you divide.",
        ),
        solution="Divide the true positives by everything flagged, and guard against an empty flag list.",
        solution_code=(
            "def precision(true_positives, false_positives):\n"
            "    flagged = true_positives + false_positives\n"
            "    return true_positives / flagged if flagged else 0.0"
        ),
    )


# -- q4: a structured answer -------------------------------------------------------------------

LAYER = ChoiceSpec(
    {"quality": "quality", "product": "product", "business": "business"},
    correct="product",
    feedback={
        "quality": (
            "Quality (offline) metrics are measured on a labelled evaluation set before launch, "
            "such as accuracy or recall. Where can tickets be resolved without a human?"
        ),
        "business": (
            "Business metrics are outcomes the company reports, usually in money: cost per ticket, "
            "revenue, retention. This one counts something users do in the product."
        ),
    },
    why="it is measured online, with real users, as they use the feature.",
)

AT_LEAST = ChoiceSpec(
    {">=": ">=", ">": ">", "<=": "<=", "<": "<"},
    correct=">=",
    feedback={
        ">": "\"At least\" is met by exactly the target; `>` would reject it.",
        "<=": "That would make fewer resolved tickets better. Which way is good here?",
        "<": "That would make fewer resolved tickets better. Which way is good here?",
    },
    aliases={"≥": ">=", "≤": "<=", "at least": ">="},
    why="\"at least\" includes the target itself.",
)

SHARE = significant(3)


def target_spec(target: float) -> NumberSpec:
    """The target as a share: the slips are the complement, the percentage and a misplaced point."""
    target = validation.share("target", target)
    return NumberSpec(
        target,
        precision=SHARE,
        fraction=True,
        mistakes=(
            Mistake(1 - target, "That is the share of tickets still handed to a human. The goal counts the ones resolved without one."),
            Mistake(100 * target, "That is the percentage. Write the target as a share between 0 and 1: 45% is 0.45."),
            Mistake(target / 10, "The decimal point has moved: 45% is 0.45, not 0.045."),
        ),
    )


@exercise.question("q4")
def success_metric_as_data(ctx) -> StructuredQuestion:
    target = ctx.pick([0.6, 0.65, 0.7, 0.75])
    return StructuredQuestion(
        "q4",
        "Write a success metric as data",
        (
            f"The support assistant's goal: \"it resolves at least {target:.0%} of tickets without a "
            "human\". Write it as a dict with three fields. `layer`: where the metric is measured, "
            "one of \"quality\" (offline, on a labelled test set before launch), \"product\" "
            "(online, while real users use the feature) or \"business\" (the company's results, "
            "usually in money). `comparison`: one of \">=\", \">\", \"<=\" or \"<\". `target`: a "
            f"share between 0 and 1, {SHARE.phrase} (0.45 for 45%). The target is in `ex.q4.data.target`."
        ),
        fields={
            "layer": LAYER.shuffled(ctx.rng),
            "comparison": AT_LEAST.shuffled(ctx.rng),
            "target": target_spec(target),
        },
        hints=(
            "Where could you count tickets resolved without a human: in a test set, with live users, or in the finance report?",
            "\"At least\" includes the target itself, and a share of 45% is written 0.45, not 45.",
        ),
        solution=(
            "It is a product (online) metric: it can only be measured while people use the assistant. "
            f"\"At least\" means >=, and the target is a share, not a percentage: {SHARE.format(target)}."
        ),
        solution_code=f'metric = {{"layer": "product", "comparison": ">=", "target": {target}}}',
        data=types.SimpleNamespace(target=target),
    )
