"""Exercise 00, the warm-up: one question of each answer kind (lesson 00, "How checking works").

The numbers come from the notebook's parameters (seed and scenario), so every team in a
workshop can get its own and still be checked correctly.
"""

from __future__ import annotations

import types

from ..checking import (
    Case,
    ChoiceQuestion,
    ChoiceSpec,
    FunctionQuestion,
    Mistake,
    NumberQuestion,
    NumberSpec,
    StructuredQuestion,
)
from ..parameters import get_scenario, rng_for, scaled, validate_parameters
from ..workspace import record_check

MODULE = "00"


def precision_from_counts(true_positives: float, false_positives: float) -> float:
    """Return the share of flagged cases that are truly positive; 0.0 when nothing is flagged.

    Taught in lesson 00 (warm-up) and lesson 02 (precision and recall).
    """
    flagged = true_positives + false_positives
    return true_positives / flagged if flagged else 0.0


LAYER_FEEDBACK = {
    "quality": (
        "Quality (offline) metrics are measured on a labelled evaluation set before launch, "
        "such as accuracy or recall. Tickets resolved without a human are counted with real users."
    ),
    "product": "Right: it is measured online, with real users, as they use the feature.",
    "business": (
        "Business metrics are outcomes the company reports, usually in money: cost per ticket, "
        "revenue, retention. This one counts what users experience in the product."
    ),
}

COMPARISON_FEEDBACK = {
    ">=": "Right: \"at least\" includes the target itself.",
    ">": "\"At least\" is met by exactly the target; `>` would reject it.",
    "<=": "That would make fewer resolved tickets better. Which way is good here?",
    "<": "That would make fewer resolved tickets better. Which way is good here?",
}


def demo_question() -> NumberQuestion:
    """Return the lesson's demonstration question (not recorded in progress)."""
    return NumberQuestion(
        "demo",
        "How many alerts can the review team handle?",
        "Four analysts each review 50 fraud alerts a day. How many alerts a day can the team review?",
        NumberSpec(
            200,
            rel_tol=0.0,
            abs_tol=1e-9,
            units="alerts a day",
            mistakes=(Mistake(50, "That is one analyst's capacity. How many analysts are there?"),),
        ),
        hints=(
            "Each analyst reviews alerts separately, so their capacities add up.",
            "Multiply the number of analysts by what one analyst reviews in a day.",
        ),
        solution="4 analysts × 50 alerts each = 200 alerts a day.",
        solution_code="team_capacity = 4 * 50",
        module="lesson",
    )


def load(seed: int = 0, scenario: str = "default") -> types.SimpleNamespace:
    """Return the four warm-up questions for these parameters."""
    seed, scenario = validate_parameters(seed, scenario)
    sc = get_scenario(scenario)  # a workshop variant scales volumes, money and base rates
    rng = rng_for(seed, MODULE)
    parameters = {"seed": seed, "scenario": scenario}
    common = {"module": MODULE, "parameters": parameters, "recorder": record_check}

    transactions = scaled(int(rng.choice([20_000, 40_000, 50_000, 80_000, 100_000])), sc.volume, whole=True)
    fraud_cases = max(1, int(round(transactions * min(0.2, float(rng.choice([0.001, 0.002, 0.003, 0.005])) * sc.prevalence))))
    accuracy = (transactions - fraud_cases) / transactions
    q1 = NumberQuestion(
        "q1",
        "The accuracy of a model that never flags anything",
        (
            f"Last month a bank saw {transactions:,} card transactions, of which {fraud_cases:,} "
            "were fraud. A lazy model labels every transaction as legitimate. What is its "
            "accuracy: the share of transactions it labels correctly? Give a share between 0 and 1 "
            "(0.5, not 50%), rounded to four decimal places or not rounded at all. The numbers are "
            "in `ex.q1.data.transactions` and `ex.q1.data.fraud_cases`."
        ),
        NumberSpec(
            accuracy,
            rel_tol=0.0,
            abs_tol=5e-5,
            fraction=True,
            mistakes=(
                Mistake(fraud_cases / transactions, "That is the share of fraud. Accuracy is the share of all transactions labelled correctly."),
                Mistake(0.0, "It catches no fraud, but accuracy also counts every legitimate transaction it labels correctly."),
                Mistake(100 * fraud_cases / transactions, "That is the fraud rate in percent. Accuracy is the share of all transactions labelled correctly."),
                Mistake(transactions - fraud_cases, "That is how many transactions it labels correctly. Divide by the number of all transactions."),
                Mistake(1.0, "Close, but not perfect: it is wrong on every fraud case."),
            ),
        ),
        hints=(
            "Accuracy = correctly labelled transactions / all transactions.",
            "Every legitimate transaction is labelled correctly; every fraud case is labelled wrongly.",
        ),
        solution=(
            f"The model is right on the {transactions - fraud_cases:,} legitimate transactions and wrong "
            f"on the {fraud_cases:,} fraud cases: accuracy = {accuracy:.4f}. It looks excellent and "
            "catches no fraud at all: with rare positives, accuracy says almost nothing. Lesson 02 "
            "replaces it with precision, recall and what each error costs."
        ),
        solution_code="accuracy = 1 - ex.q1.data.fraud_cases / ex.q1.data.transactions",
        data=types.SimpleNamespace(transactions=transactions, fraud_cases=fraud_cases),
        **common,
    )

    q2 = ChoiceQuestion(
        "q2",
        "What should set a fraud model's alert threshold?",
        (
            "A fraud model gives each transaction a score between 0 and 1: the higher, the more "
            "likely fraud. The team picks a threshold: transactions scoring above it raise an "
            "alert for an analyst. Which of these should decide the threshold? Answer with the "
            "letter in quotes, e.g. `\"a\"`."
        ),
        ChoiceSpec(
            options={
                "a": "The threshold with the highest accuracy",
                "b": "0.5, the usual default",
                "c": "The threshold with the lowest expected cost, given what a missed fraud and a false alarm each cost",
                "d": "The model's AUC",
            },
            correct="c",
            feedback={
                "a": "When fraud is rare, the most accurate threshold is often \"never alert\". Accuracy ignores that the two errors cost different amounts.",
                "b": "0.5 is only a convention. Nothing about your costs or your fraud rate makes it right.",
                "c": "Right: a missed fraud and a false alarm cost different amounts, so the threshold should minimise the total cost.",
                "d": "AUC summarises the model over all thresholds at once, so it cannot pick one of them.",
            },
        ),
        hints=(
            "The model can be wrong in two ways: it misses a fraud, or it raises a false alarm. Do they cost the same?",
            "A missed fraud can cost the bank the whole payment; a false alarm costs a few minutes of an analyst's time and an annoyed customer. Which option weighs the two?",
        ),
        solution="c) The threshold that minimises expected cost. Lesson 02 computes it from the costs of each error.",
        solution_code='choice = "c"',
        **common,
    )

    q3 = FunctionQuestion(
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
        **common,
    )

    target = float(rng.choice([0.6, 0.65, 0.7, 0.75]))
    q4 = StructuredQuestion(
        "q4",
        "Write a success metric as data",
        (
            f"The support assistant's goal: \"it resolves at least {target:.0%} of tickets without a "
            "human\". Write it as a dict with three fields. `layer`: where the metric is measured, "
            "one of \"quality\" (offline, on a labelled test set before launch), \"product\" "
            "(online, while real users use the feature) or \"business\" (the company's results, "
            "usually in money). `comparison`: one of \">=\", \">\", \"<=\" or \"<\". `target`: a "
            "share between 0 and 1. The target is in `ex.q4.data.target`."
        ),
        fields={
            "layer": ChoiceSpec(
                {"quality": "quality", "product": "product", "business": "business"},
                correct="product",
                feedback=LAYER_FEEDBACK,
            ),
            "comparison": ChoiceSpec(
                {">=": ">=", ">": ">", "<=": "<=", "<": "<"}, correct=">=", feedback=COMPARISON_FEEDBACK
            ),
            "target": NumberSpec(target, rel_tol=0.0, abs_tol=1e-9, fraction=True),
        },
        hints=(
            "Where could you count tickets resolved without a human: in a test set, with live users, or in the finance report?",
            "\"At least\" includes the target itself, and a share of 45% is written 0.45, not 45.",
        ),
        solution=(
            "It is a product (online) metric: it can only be measured while people use the assistant. "
            "\"At least\" means >=, and the target is a share, not a percentage."
        ),
        solution_code=f'metric = {{"layer": "product", "comparison": ">=", "target": {target}}}',
        data=types.SimpleNamespace(target=target),
        **common,
    )

    return types.SimpleNamespace(
        q1=q1, q2=q2, q3=q3, q4=q4, questions=(q1, q2, q3, q4), parameters=parameters
    )
