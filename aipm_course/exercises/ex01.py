"""Exercise 01: framing an AI feature and writing its brief (lesson 01).

Each question is one small function registered in order. The ideas in question 2, the scenarios
in question 3 and the numbers in question 4 come from each question's own random stream, fixed by
the notebook's parameters, so workshop teams get different ones and are still checked correctly.
Question 2's second idea always has a knock-out rating, so the rule is checked for every seed.
"""

from __future__ import annotations

import types
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

import numpy as np

from .. import validation
from ..briefs import (
    FEASIBILITY_DIMENSIONS,
    PATTERNS,
    RAW_MAX,
    RAW_MIN,
    _check_rating,
    feasibility_score,
    read_brief,
    validate_brief,
)
from ..checking import (
    Case,
    ChoiceQuestion,
    ChoiceSpec,
    FunctionQuestion,
    Mistake,
    NumberSpec,
    StructuredQuestion,
    TextSpec,
    ValidationQuestion,
    choice,
    decimals,
    significant,
    whole,
)
from .registry import Exercise

MODULE = "01"

exercise = Exercise(MODULE)
load = exercise.load

# The draft learners repair in question 1. The exercise notebook starts from exactly this text.
DRAFT_BRIEF = """\
feature: Refund helper
user_problem: Refunds take too long.
workflow:
  users: customer service
  ai_role: AI handles refunds
why_ai:
  reason: everyone is adding AI
pattern:
  choice: agent
metrics:
  quality:
    accuracy: as high as possible
  product:
    customer_satisfaction: better than today
"""

IDEAS = (
    ("Email reply suggestions for sales reps", (5, 2, 5, 1, 4, 5)),
    ("Automatic loan approval", (2, 5, 2, 5, 3, 1)),
    ("Meeting-notes summaries", (4, 2, 4, 2, 3, 4)),
    ("Medication dose advice for patients", (3, 5, 3, 5, 2, 2)),
    ("Product-search ranking for a web shop", (5, 3, 2, 2, 3, 4)),
    ("Fraud alerts for card payments", (4, 4, 1, 4, 2, 3)),
    ("Contract clause review for a legal team", (3, 4, 4, 4, 3, 2)),
    ("Smart reply drafts in a support inbox", (4, 3, 4, 2, 3, 3)),
)

# Ideas whose total alone says GREEN or YELLOW but whose knock-out rating makes them RED.
KNOCKOUT_IDEAS = (
    ("Overnight approval of large bank payouts, with no one checking", (5, 4, 5, 5, 1, 5)),
    ("Insulin doses changed by a wearable pump on its own", (5, 5, 4, 5, 1, 4)),
    ("Churn predictions for a product launched last week", (1, 1, 5, 1, 2, 5)),
    ("Sales forecasts for a shop that opens next month", (1, 2, 5, 2, 2, 4)),
)

PATTERN_LABELS = {p.key: p.name for p in PATTERNS}


class Scenario(NamedTuple):
    """A job to build, the smallest pattern that does it reliably, and feedback per other pattern."""

    key: str
    text: str
    answer: str
    feedback: dict[str, str]
    why: str


SCENARIOS = (
    Scenario(
        "expenses",
        "Reject expense claims above the $75 limit that have no receipt attached.",
        "rules",
        {
            "predictive_ml": "The rule is exact and known: a model would only add errors and an audit problem.",
            "prompt_only": "A language model can misread an amount; an exact rule cannot, and it costs nothing to run.",
            "rag": "Nothing here needs documents or generated text; the policy is one clear rule.",
            "fine_tuning": "Far too heavy: the rule fits in one line of logic.",
            "agent": "There is nothing to plan or act on in several steps; a fixed rule does it.",
        },
        "the policy is one exact rule (amount and receipt), so code can apply it without errors.",
    ),
    Scenario(
        "churn",
        "Rank 20,000 subscribers by how likely they are to cancel next month, from two years of usage history.",
        "predictive_ml",
        {
            "rules": "No fixed rule captures the many signals in usage history; this is scoring from past data.",
            "prompt_only": "A language model reads text; 20,000 usage histories call for a model trained on who cancelled before.",
            "rag": "There are no documents to look up: this is a score learned from labelled history.",
            "fine_tuning": "Generating text is not the job; a model that scores from past data is.",
            "agent": "Nothing needs to be done in several steps: it is one score per subscriber.",
        },
        "a score per subscriber learned from labelled history is exactly what a predictive model gives.",
    ),
    Scenario(
        "travel_policy",
        "Answer employees' questions about the travel policy, quoting the paragraph the answer comes from.",
        "rag",
        {
            "rules": "Questions come in countless wordings; rules cannot answer free-text questions.",
            "predictive_ml": "A score or a class is not an answer; people need text grounded in the policy.",
            "prompt_only": "A general model has never seen this company's policy: it would answer from guesswork.",
            "fine_tuning": "The gap is knowledge, not behaviour: the policy changes and answers must quote it, so look it up at question time.",
            "agent": "Answering from documents needs no multi-step actions; retrieval covers it.",
        },
        "finding the right paragraph and answering from it is retrieval, and it stays current when the policy changes.",
    ),
    Scenario(
        "descriptions",
        (
            "Write two million product descriptions a month in the brand's exact voice; a general model "
            "with the style guide in its prompt keeps getting the tone wrong."
        ),
        "fine_tuning",
        {
            "rules": "Templates cannot write varied, natural descriptions.",
            "predictive_ml": "This is writing text, not scoring or ranking.",
            "prompt_only": "That was tried: the style guide in the prompt keeps getting the tone wrong.",
            "rag": "The gap is behaviour, not knowledge: looking up documents does not change the model's tone.",
            "agent": "No multi-step actions are needed: one consistent writing task, at very high volume.",
        },
        "prompting has failed on tone, and at this volume training the voice into the model pays.",
    ),
    Scenario(
        "refund_flow",
        (
            "Handle a refund end to end: check the order, issue the refund in the payment system and email "
            "the customer, with a person approving anything above $200."
        ),
        "agent",
        {
            "rules": "The steps depend on what each order looks like; fixed rules break on the exceptions.",
            "predictive_ml": "A score does not act: the job is several steps across systems.",
            "prompt_only": "A prompt gives text back; it cannot check the order or issue the refund.",
            "rag": "Answering is not enough: the system must act in the order and payment systems.",
            "fine_tuning": "Training does not give the system tools or approval steps.",
        },
        "the job is several actions across systems, with an approval step: that needs an agent.",
    ),
    Scenario(
        "delivery_eta",
        "Predict how many days late a parcel will be, from the route, the carrier and the weather forecast.",
        "predictive_ml",
        {
            "rules": "Delays depend on many interacting factors; rules would be crude guesses.",
            "prompt_only": "A language model is not a forecaster: past deliveries train a model that predicts delays.",
            "rag": "There are no documents to consult: it is a forecast from past deliveries.",
            "fine_tuning": "It is a number to forecast, not text to write.",
            "agent": "One forecast per parcel needs no multi-step actions.",
        },
        "a number forecast from past deliveries is what a predictive model is for.",
    ),
    Scenario(
        "meeting_notes",
        (
            "Turn each internal meeting's transcript into five bullet points and a list of actions; in a "
            "test on 50 meetings, a general model with a short instruction already did it well."
        ),
        "prompt_only",
        {
            "rules": "Fixed rules cannot summarise free conversation.",
            "predictive_ml": "A summary is text to write, not a score to learn from past data.",
            "rag": "Everything needed is in the transcript itself: there is nothing to look up.",
            "fine_tuning": "A prompt already does it well; training adds examples to label and a model to keep.",
            "agent": "Writing a summary is one step; nothing has to act in other systems.",
        },
        "the job is free text and a general model already does it from an instruction: nothing to train or look up.",
    ),
)


# -- the scorecard and the slips learners make with it -------------------------------------------


def _ratings(ratings: Any) -> tuple[int, ...]:
    """The ``ratings`` argument: six ratings from 1 to 5, in the order of ``FEASIBILITY_DIMENSIONS``."""
    six = f"six ratings from 1 to 5, one per dimension ({', '.join(d.name for d in FEASIBILITY_DIMENSIONS)})"
    if isinstance(ratings, (str, bytes, Mapping)) or not isinstance(ratings, Iterable):
        raise validation.fail("ratings", ratings, six)
    values = list(ratings)
    if len(values) != len(FEASIBILITY_DIMENSIONS):
        raise validation.fail("ratings", ratings, six)
    return tuple(_check_rating(f"ratings[{i}]", r) for i, r in enumerate(values))


def _rng(rng: Any) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise validation.fail("rng", rng, "a numpy random Generator, e.g. np.random.default_rng(0)")
    return rng


def _effective(ratings: tuple[int, ...]) -> list[int]:
    """Each rating as it counts: the hard dimensions inverted (6 − rating)."""
    return [6 - r if d.inverted else r for d, r in zip(FEASIBILITY_DIMENSIONS, ratings)]


def broken_feasibility_score(ratings: tuple[int, ...]) -> float:
    """The scorecard as first published, with its normalisation bug: weighted sum / 75 * 100."""
    return _weighted_sum(_ratings(ratings)) / 75 * 100


def _uninverted_score(ratings: tuple[int, ...]) -> float:
    """The score a learner gets when they forget to invert the hard dimensions."""
    raw = sum(dim.weight * rating for dim, rating in zip(FEASIBILITY_DIMENSIONS, ratings))
    return (raw - RAW_MIN) * 100 / (RAW_MAX - RAW_MIN)


def _weighted_sum(ratings: tuple[int, ...]) -> int:
    return sum(d.weight * e for d, e in zip(FEASIBILITY_DIMENSIONS, _effective(ratings)))


def _unweighted_score(ratings: tuple[int, ...]) -> float:
    """The score with every dimension weighted the same (effective ratings 6 to 30 mapped onto 0–100)."""
    return (sum(_effective(ratings)) - 6) * 100 / 24


def normalised_score(weighted_sum: float) -> float:
    """Map the weighted sum (75 to 375) onto 0 to 100 (the corrected scorecard, lesson 01)."""
    weighted_sum = validation.real("weighted_sum", weighted_sum)
    return (weighted_sum - RAW_MIN) * 100 / (RAW_MAX - RAW_MIN)


SCORE = decimals(1)  # the lesson prints scores as 86.7/100
VERDICT_RULE = {
    "GREEN": "GREEN needs a score of 70 or more.",
    "YELLOW": "YELLOW is from 50 up to 70.",
    "RED": "RED is below 50.",
}
VERDICT_WHY = {"GREEN": "70 or more, so GREEN", "YELLOW": "from 50 up to 70, so YELLOW", "RED": "below 50, so RED"}


def score_spec(ratings: tuple[int, ...]) -> NumberSpec:
    """One idea's score, with the slips of the published formula, no inversion, no weights, no shift."""
    ratings = _ratings(ratings)
    return NumberSpec(
        feasibility_score(*ratings).score,
        precision=SCORE,
        mistakes=(
            Mistake(broken_feasibility_score(ratings), "That is the published formula's number, which divides by 75 and so runs from 100 to 500. Map 75→0 and 375→100 instead."),
            Mistake(_uninverted_score(ratings), "Invert the hard dimensions first: for accuracy requirement, failure impact and alternatives, use 6 − rating."),
            Mistake(_weighted_sum(ratings), "That is the weighted sum (75 to 375). Map it onto 0–100: subtract 75, divide by 300, multiply by 100."),
            Mistake(_unweighted_score(ratings), "That treats the six dimensions as equally important. Weight them 20/10/10/15/10/10 before you add them up."),
            Mistake(_weighted_sum(ratings) / RAW_MAX * 100, "Dividing by 375 alone leaves the worst idea at 20, not 0. Subtract the worst sum (75) first, then divide by the range (300)."),
        ),
    )


KNOCKOUT_SLIP = "That is what the total alone says. Check the ratings against the knock-out rule first."


def verdict_spec(ratings: tuple[int, ...], rng) -> ChoiceSpec:
    """The verdict, knock-out rule included: the total's own verdict gets the knock-out feedback."""
    ratings, rng = _ratings(ratings), _rng(rng)
    result = feasibility_score(*ratings)
    feedback = {k: v for k, v in VERDICT_RULE.items() if k != result.verdict}
    why = f"a score of {SCORE.format(result.score)} is {VERDICT_WHY[result.verdict]}."
    if result.knockouts:
        knocked = " and ".join(f"{name.replace('_', ' ')} is rated {result.ratings[name]}" for name in result.knockouts)
        why = f"{knocked}, a knock-out: RED whatever the total ({SCORE.format(result.score)})."
        if result.score_verdict != "RED":
            feedback[result.score_verdict] = KNOCKOUT_SLIP
    return ChoiceSpec(
        {"GREEN": "GREEN", "YELLOW": "YELLOW", "RED": "RED"},
        correct=result.verdict,
        feedback=feedback,
        why=why,
    ).shuffled(rng)


# -- the questions ---------------------------------------------------------------------------------


@exercise.question("q1")
def repair_a_vague_brief(ctx) -> ValidationQuestion:
    return ValidationQuestion(
        "q1",
        "Repair a vague brief",
        (
            "The YAML below is a first draft of a brief for a refund helper in an online shop. Edit it "
            "until the validator finds nothing: complete all ten sections, give every metric a "
            "comparison and a number, give quality metrics their evaluation set and a size large enough "
            "to show the target by its 95% bound, and add a human fallback, a kill switch with a "
            "rollback, and a cost per successful task. Invent "
            "realistic details: the shop handles about 1,200 refund requests a day. Passing the "
            "validator means nothing is missing; whether each answer is convincing is your judgement, "
            "so replace the draft's vague sentences too."
        ),
        lambda answer: validate_brief(read_brief(answer)),
        starting_point=DRAFT_BRIEF,
        hints=(
            "Run the check after each section you add: it lists what is still missing, field by field.",
            "A complete example: `print(briefs.brief_to_yaml(briefs.load_example(\"support_triage\")))`. "
            "Follow its shape, not its content. If the check says the set is too small, its fix names the size.",
        ),
        solution=(
            "Every section answers a question the team would otherwise argue about later. One complete "
            "version is in `solutions/01_framing_and_briefs.ipynb`; yours will differ in its details, and "
            "that is fine as long as each target is a number the team can test."
        ),
    )


def _rated(ratings: tuple[int, ...]) -> dict[str, int]:
    return dict(zip([d.name for d in FEASIBILITY_DIMENSIONS], ratings))


@exercise.question("q2")
def score_two_ideas(ctx) -> StructuredQuestion:
    (name_a, ratings_a), (name_b, ratings_b) = IDEAS[int(ctx.rng.integers(len(IDEAS)))], KNOCKOUT_IDEAS[int(ctx.rng.integers(len(KNOCKOUT_IDEAS)))]
    a, b = feasibility_score(*ratings_a), feasibility_score(*ratings_b)
    return StructuredQuestion(
        "q2",
        "Score two ideas",
        (
            f"Idea A, \"{name_a}\", is rated {_rated(ratings_a)}. Idea B, \"{name_b}\", is rated "
            f"{_rated(ratings_b)}. Give each idea's feasibility score (0–100) {SCORE.phrase}, and its "
            "verdict with the knock-out rule applied, as a dict with `a_score`, `a_verdict`, `b_score`, "
            "`b_verdict`. The ratings are in `ex.q2.data`."
        ),
        fields={
            "a_score": score_spec(ratings_a),
            "a_verdict": verdict_spec(ratings_a, ctx.rng),
            "b_score": score_spec(ratings_b),
            "b_verdict": verdict_spec(ratings_b, ctx.rng),
        },
        hints=(
            "Use the corrected scorecard from the lesson: weights 20/10/10/15/10/10, the hard dimensions inverted "
            "(6 − rating). Then check for a knock-out: data availability 1 or failure impact 5 makes it RED.",
            "Weighted sum = 20·data + 10·(6 − accuracy) + 10·latency + 15·(6 − failure) + 10·(6 − alternatives) + 10·trust; then (sum − 75) / 300 × 100.",
        ),
        solution=(
            f"A: {SCORE.format(a.score)}, {a.verdict}; B: {SCORE.format(b.score)}, {b.verdict}. Compute both with "
            "`feasibility_score`; GREEN from 70, YELLOW from 50, RED below, and RED whatever the total when "
            f"a knock-out rating is there. B's total alone would say {b.score_verdict}, but "
            f"{' and '.join(n.replace('_', ' ') for n in b.knockouts)} is at its worst."
        ),
        solution_code=(
            "a = feasibility_score(*ex.q2.data.ratings_a)\n"
            "b = feasibility_score(*ex.q2.data.ratings_b)\n"
            'scores = {"a_score": a.score, "a_verdict": a.verdict, "b_score": b.score, "b_verdict": b.verdict}'
        ),
        data=types.SimpleNamespace(name_a=name_a, ratings_a=ratings_a, name_b=name_b, ratings_b=ratings_b),
    )


def pattern_spec(scenario: Scenario, rng) -> ChoiceSpec:
    if not isinstance(scenario, Scenario):
        raise validation.fail("scenario", scenario, "one of the exercise's pattern scenarios (ex01.SCENARIOS)")
    rng = _rng(rng)
    return ChoiceSpec(
        dict(PATTERN_LABELS),
        correct=scenario.answer,
        feedback=dict(scenario.feedback),
        why=scenario.why,
    ).shuffled(rng)


@exercise.question("q3")
def smallest_reliable_pattern(ctx) -> StructuredQuestion:
    chosen = [SCENARIOS[int(i)] for i in sorted(ctx.rng.choice(len(SCENARIOS), size=4, replace=False))]
    return StructuredQuestion(
        "q3",
        "Pick the smallest reliable pattern",
        (
            "For each scenario, give the smallest pattern on the ladder that would do the job reliably: "
            "one of \"rules\", \"predictive_ml\", \"prompt_only\", \"rag\", \"fine_tuning\", \"agent\". RAG and "
            "fine-tuning share a rung: choose between them by the gap (knowledge to look up, or behaviour to "
            "change). Answer with a dict from scenario key to pattern.\n" + "\n".join(f"`{s.key}`: {s.text}" for s in chosen)
        ),
        fields={s.key: pattern_spec(s, ctx.rng) for s in chosen},
        hints=(
            "Walk the ladder from the bottom: can rules do it? A model that scores? A general model with a prompt? "
            "Only then retrieval or fine-tuning, and an agent last.",
            "Retrieval closes a knowledge gap (facts to look up); fine-tuning a behaviour gap (a tone or format the "
            "prompt cannot hold); an agent is for acting in several steps.",
        ),
        solution="\n".join(f"`{s.key}`: \"{s.answer}\". Smallest rung because {s.why}" for s in chosen),
        data=types.SimpleNamespace(scenarios={s.key: s.text for s in chosen}),
    )


COUNT = whole()
SHARE = significant(3)


def requirement_numbers(categories: int, threshold: float, eval_size: int) -> dict[str, NumberSpec]:
    """The three numbers of the requirement, each with the slips of mixing them up."""
    categories = validation.count("categories", categories, minimum=2, maximum=10**6)
    threshold = validation.share("threshold", threshold, open_low=True, open_high=True)
    eval_size = validation.count("eval_size", eval_size, minimum=1, maximum=10**9)
    return {
        "categories": NumberSpec(categories, precision=COUNT, mistakes=(
            Mistake(eval_size, "That is the size of the labelled set. `categories` is how many categories an email can be sorted into."),
            Mistake(1, "Each email gets one category, but the field asks how many categories there are to choose from."),
            Mistake(round(100 * threshold), "That is the accuracy target in percent. `categories` is how many categories there are."),
        )),
        "threshold": NumberSpec(threshold, precision=SHARE, fraction=True, mistakes=(
            Mistake(100 * threshold, "That is the percentage. Write the threshold as a share between 0 and 1: 88% is 0.88."),
            Mistake(1 - threshold, "That is the share of emails allowed in the wrong category. The threshold is the share put in the right one."),
            Mistake(threshold * eval_size, "That is how many of the labelled emails must be right. Give the share instead."),
        )),
        "eval_size": NumberSpec(eval_size, precision=COUNT, mistakes=(
            Mistake(categories, "That is the number of categories. `eval_size` is how many labelled emails it is measured on."),
            Mistake(round(threshold * eval_size), "That is how many of the labelled emails must be right. `eval_size` is how many there are."),
            Mistake(round((1 - threshold) * eval_size), "That is how many labelled emails may be wrong. `eval_size` is how many there are."),
        )),
    }


METRIC = ChoiceSpec(
    {"accuracy": "accuracy", "precision": "precision", "recall": "recall"},
    correct="accuracy",
    feedback={
        "precision": "Precision counts how many of the cases a model flags are right. Here nothing is flagged: every email gets a category.",
        "recall": "Recall counts how many of the true cases of one kind are found; the need here is about every email, whatever its category.",
    },
    why="every email gets a category, and the need is the share of all emails sorted into the right one.",
)

JUDGED_BY = ChoiceSpec(
    {"point estimate": "point estimate", "lower bound": "lower bound", "upper bound": "upper bound"},
    correct="lower bound",
    feedback={
        "point estimate": "One sample can land above the target by luck; a target is judged by the bound that allows for it.",
        "upper bound": "The upper bound is the most hopeful reading; an \"at least\" target must be cleared from below.",
    },
    aliases={"point": "point estimate", "lower": "lower bound", "upper": "upper bound",
             "95% lower bound": "lower bound", "the observed accuracy": "point estimate"},
    why="an \"at least\" target is shown when even the 95% lower bound of accuracy clears it, not one lucky sample.",
)

AT_LEAST = ChoiceSpec(
    {">=": ">=", ">": ">", "<=": "<=", "<": "<"},
    correct=">=",
    feedback={">": "\"At least\" includes the target itself.", "<=": "That makes fewer right answers better.", "<": "That makes fewer right answers better."},
    aliases={"≥": ">=", "≤": "<=", "at least": ">="},
    why="\"at least\" includes the target itself.",
)


def requirement_texts() -> dict[str, TextSpec]:
    return {
        "task": TextSpec(
            min_words=1,
            mention_any=(("classif", "categor", "sort", "route", "label", "assign", "queue", "tag", "triage"),),
            feedback="Name the task itself: the system sorts (classifies) each email into a category.",
        ),
        "input": TextSpec(
            min_words=1,
            mention_any=(("email", "e-mail", "mail", "message"),),
            feedback="Say what goes in: a customer email (in English).",
        ),
        "eval_set": TextSpec(
            min_words=2,
            mention_any=(("label", "annotat", "gold", "senior agent", "reviewed", "hand-checked", "ground truth"),),
            feedback="Say what it is measured on: the emails labelled by senior agents.",
        ),
    }


@exercise.question("q4")
def testable_requirement(ctx) -> StructuredQuestion:
    categories = ctx.pick([8, 10, 12, 15])
    threshold = ctx.pick([0.85, 0.88, 0.9])
    eval_size = ctx.pick([2_000, 2_500, 3_000])
    numbers, texts = requirement_numbers(categories, threshold, eval_size), requirement_texts()
    return StructuredQuestion(
        "q4",
        "Turn a wish into a testable requirement",
        (
            "The wish: \"the assistant should understand customer emails really well\". What the team "
            f"knows: support sorts English emails into {categories} categories; the business case needs "
            f"at least {threshold:.0%} of emails put in the right category; senior agents have labelled "
            f"{eval_size:,} recent emails. Write the requirement as a dict with `task` (what the system does), "
            f"`input`, `categories` (how many, {COUNT.phrase}), `metric` (one of \"accuracy\", \"precision\", "
            f"\"recall\"), `comparison`, `threshold` (a share between 0 and 1, {SHARE.phrase}), `judged_by` "
            "(what must clear the threshold: one of \"point estimate\", \"lower bound\", \"upper bound\"), "
            f"`eval_set` (what it is measured on) and `eval_size` ({COUNT.phrase})."
        ),
        fields={
            "task": texts["task"],
            "input": texts["input"],
            "categories": numbers["categories"],
            "metric": METRIC.shuffled(ctx.rng),
            "comparison": AT_LEAST.shuffled(ctx.rng),
            "threshold": numbers["threshold"],
            "judged_by": JUDGED_BY.shuffled(ctx.rng),
            "eval_set": texts["eval_set"],
            "eval_size": numbers["eval_size"],
        },
        hints=(
            "A testable requirement names the task, the input, the output, a threshold and how it is measured.",
            "\"Put in the right category\" out of all emails is accuracy; \"at least\" is >=; a share of 88% is 0.88; "
            "an \"at least\" target is met when the 95% lower bound clears it.",
        ),
        solution=(
            f"Given a customer email in English, the system shall classify it into one of {categories} "
            f"categories with accuracy of at least {threshold:.0%} (threshold {SHARE.format(threshold)}), judged by "
            f"its one-sided 95% lower bound, measured on {eval_size:,} emails labelled by senior agents."
        ),
        data=types.SimpleNamespace(categories=categories, threshold=threshold, eval_size=eval_size),
    )


WORST, BEST = (1, 5, 1, 5, 5, 1), (5, 1, 5, 1, 1, 5)


def broken_extreme_spec(ratings: tuple[int, ...], corrected: float) -> NumberSpec:
    """The broken formula's score of the worst or best idea, with the slips of working it by hand."""
    ratings = _ratings(ratings)
    corrected = validation.real("corrected", corrected)
    return NumberSpec(
        broken_feasibility_score(ratings),
        precision=significant(3),
        mistakes=(
            Mistake(corrected, f"{corrected:g} is what the corrected scorecard gives. Use the broken formula: `ex.q5.data.broken_score`."),
            Mistake(_weighted_sum(ratings), "That is the weighted sum before the formula's last step. Finish it: divide by 75, multiply by 100."),
            Mistake(_weighted_sum(ratings) / 75, "You divided by 75 but did not multiply by 100."),
            Mistake(sum(d.weight * r for d, r in zip(FEASIBILITY_DIMENSIONS, ratings)) / 75 * 100, "The published code inverts the hard dimensions too: count accuracy, failure and alternatives as 6 − rating."),
        ),
    )


@exercise.question("q5")
def bug_in_a_published_scorecard(ctx) -> StructuredQuestion:
    p = significant(3)
    return StructuredQuestion(
        "q5",
        "Find the bug in a published scorecard",
        (
            "A published version of the scorecard ends like this:\n"
            "    raw = (data * 20 + (6 - accuracy) * 10 + latency * 10\n"
            "           + (6 - failure) * 15 + (6 - alternatives) * 10 + trust * 10) / 75 * 100\n"
            "    verdict = \"GREEN\" if raw >= 70 else \"YELLOW\" if raw >= 50 else \"RED\"\n"
            f"What does it give the worst possible idea {WORST} and the best {BEST}? Give `worst_score` and "
            f"`best_score` {p.phrase}, and `worst_verdict`. (`ex.q5.data.broken_score(ratings)` runs that "
            "code, if you want to check your arithmetic.)"
        ),
        fields={
            "worst_score": broken_extreme_spec(WORST, 0),
            "best_score": broken_extreme_spec(BEST, 100),
            "worst_verdict": ChoiceSpec(
                {"GREEN": "GREEN", "YELLOW": "YELLOW", "RED": "RED"},
                correct="GREEN",
                feedback={
                    "RED": "RED is what the worst idea deserves, but this formula decides. Compare its score with the thresholds.",
                    "YELLOW": "Compare the worst idea's score under this formula with the verdict thresholds.",
                },
                why="the worst idea scores 100 under this formula, above the GREEN threshold of 70.",
            ).shuffled(ctx.rng),
        },
        hints=(
            "The weights add up to 75, so each rating step is worth 75 points of weighted sum.",
            "Work out the worst idea's weighted sum first: every rating at its worst, each inverted one counted as 6 − rating.",
        ),
        solution=(
            f"worst_score {p.format(broken_feasibility_score(WORST))}, best_score {p.format(broken_feasibility_score(BEST))}, "
            "worst_verdict GREEN. The weighted sum runs from 75 to 375, so dividing by 75 gives 100 to 500: every "
            "idea scores at least 100 and every idea is GREEN. The fix maps 75 to 0 and 375 to 100."
        ),
        data=types.SimpleNamespace(broken_score=broken_feasibility_score, worst=WORST, best=BEST),
    )


@exercise.question("q6")
def fix_the_normalisation(ctx) -> FunctionQuestion:
    return FunctionQuestion(
        "q6",
        "Fix the normalisation",
        (
            "Write `normalised_score(weighted_sum)` that maps the weighted sum onto 0–100 so that the "
            "worst possible idea (a weighted sum of 75) scores 0 and the best (375) scores 100, in a "
            "straight line between them."
        ),
        normalised_score,
        cases=(
            Case((75,), note="The worst idea must score 0."),
            Case((375,), note="The best idea must score 100."),
            Case((225,)),
            Case((300,)),
            Case((150,)),
        ),
        function_name="normalised_score",
        hints=(
            "Subtract the lowest possible sum first, then divide by the width of the range.",
            "The range is 375 − 75 = 300 points wide.",
        ),
        solution="Shift by the minimum and divide by the range: (weighted_sum − 75) / 300 × 100.",
        solution_code="def normalised_score(weighted_sum):\n    return (weighted_sum - 75) / (375 - 75) * 100",
    )


FAILURE_RIGHT = (
    "Metric disconnect: the model improves, the business does not",
    "the offline metric improved but the business outcome it should drive did not; tie each model metric to a business result and watch both.",
)
FAILURE_WRONG = (
    (
        "Underuse: the feature shipped, but few people reach for it",
        "Agents use it on 90% of tickets: that is heavy use, not underuse.",
    ),
    (
        "Expectation gap: users wanted perfection and lost their trust",
        "Agents rate it well and keep using it; an expectation gap shows as falling trust and use after visible errors.",
    ),
    (
        "Cost blowout: spending grew faster than the value delivered",
        "Nothing in the story is about what the copilot costs to run; a cost blowout shows as a bill that outgrows the value.",
    ),
)


@exercise.question("q7")
def name_the_failure_mode(ctx) -> ChoiceQuestion:
    spec = choice(ctx.rng, right=FAILURE_RIGHT, wrong=FAILURE_WRONG)
    return ChoiceQuestion(
        "q7",
        "Name the failure mode",
        (
            "Six months after launch, agents use the support copilot on 90% of tickets and rate it "
            "well. Its offline accuracy has risen from 85% to 91%, yet handle time and support costs "
            "have not moved. Which failure mode is this? Answer with the letter in quotes."
        ),
        spec,
        hints=(
            "Look at which number moved and which did not.",
            "One metric is measured offline on a test set; the other is the company's result.",
        ),
        solution=f"{spec.correct}) {FAILURE_RIGHT[0]}: {FAILURE_RIGHT[1]}",
        solution_code=f'failure_mode = "{spec.correct}"',
    )
