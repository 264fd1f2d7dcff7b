"""Exercise 01: framing an AI feature and writing its brief (lesson 01).

The numbers in questions 2 and 4 and the scenarios in question 3 come from the notebook's
parameters, so workshop teams get different ones and are still checked correctly.
"""

from __future__ import annotations

import types

from ..briefs import FEASIBILITY_DIMENSIONS, PATTERNS, RAW_MAX, RAW_MIN, feasibility_score, read_brief, validate_brief
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
)
from ..parameters import rng_for, validate_parameters
from ..workspace import record_check

MODULE = "01"

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

PATTERN_LABELS = {p.key: p.name for p in PATTERNS}

SCENARIOS = (
    (
        "expenses",
        "Reject expense claims above the $75 limit that have no receipt attached.",
        "rules",
        {
            "predictive_ml": "The rule is exact and known: a model would only add errors and an audit problem.",
            "rag": "Nothing here needs documents or generated text; the policy is one clear rule.",
            "fine_tuning": "Far too heavy: the rule fits in one line of logic.",
            "agent": "There is nothing to plan or act on in several steps; a fixed rule does it.",
        },
    ),
    (
        "churn",
        "Rank 20,000 subscribers by how likely they are to cancel next month, from two years of usage history.",
        "predictive_ml",
        {
            "rules": "No fixed rule captures the many signals in usage history; this is scoring from past data.",
            "rag": "There are no documents to look up: this is a score learned from labelled history.",
            "fine_tuning": "Generating text is not the job; a model that scores from past data is.",
            "agent": "Nothing needs to be done in several steps: it is one score per subscriber.",
        },
    ),
    (
        "travel_policy",
        "Answer employees' questions about the travel policy, quoting the paragraph the answer comes from.",
        "rag",
        {
            "rules": "Questions come in countless wordings; rules cannot answer free-text questions.",
            "predictive_ml": "A score or a class is not an answer; people need text grounded in the policy.",
            "fine_tuning": "The policy changes, and answers must quote it: look it up at question time instead of training it in.",
            "agent": "Answering from documents needs no multi-step actions; retrieval covers it.",
        },
    ),
    (
        "descriptions",
        (
            "Write two million product descriptions a month in the brand's exact voice; a general model "
            "with the style guide in its prompt keeps getting the tone wrong."
        ),
        "fine_tuning",
        {
            "rules": "Templates cannot write varied, natural descriptions.",
            "predictive_ml": "This is writing text, not scoring or ranking.",
            "rag": "Looking up documents does not change the model's tone, which is the problem here.",
            "agent": "No multi-step actions are needed: one consistent writing task, at very high volume.",
        },
    ),
    (
        "refund_flow",
        (
            "Handle a refund end to end: check the order, issue the refund in the payment system and email "
            "the customer, with a person approving anything above $200."
        ),
        "agent",
        {
            "rules": "The steps depend on what each order looks like; fixed rules break on the exceptions.",
            "predictive_ml": "A score does not act: the job is several steps across systems.",
            "rag": "Answering is not enough: the system must act in the order and payment systems.",
            "fine_tuning": "Training does not give the system tools or approval steps.",
        },
    ),
    (
        "delivery_eta",
        "Predict how many days late a parcel will be, from the route, the carrier and the weather forecast.",
        "predictive_ml",
        {
            "rules": "Delays depend on many interacting factors; rules would be crude guesses.",
            "rag": "There are no documents to consult: it is a forecast from past deliveries.",
            "fine_tuning": "It is a number to forecast, not text to write.",
            "agent": "One forecast per parcel needs no multi-step actions.",
        },
    ),
)


def broken_feasibility_score(ratings: tuple[int, ...]) -> float:
    """The scorecard as first published, with its normalisation bug: weighted sum / 75 * 100."""
    raw = 0
    for dim, rating in zip(FEASIBILITY_DIMENSIONS, ratings):
        raw += dim.weight * (6 - rating if dim.inverted else rating)
    return raw / 75 * 100


def _uninverted_score(ratings: tuple[int, ...]) -> float:
    """The score a learner gets when they forget to invert the hard dimensions."""
    raw = sum(dim.weight * rating for dim, rating in zip(FEASIBILITY_DIMENSIONS, ratings))
    return (raw - RAW_MIN) * 100 / (RAW_MAX - RAW_MIN)


def _weighted_sum(ratings: tuple[int, ...]) -> int:
    return sum(d.weight * (6 - r if d.inverted else r) for d, r in zip(FEASIBILITY_DIMENSIONS, ratings))


def normalised_score(weighted_sum: float) -> float:
    """Map the weighted sum (75 to 375) onto 0 to 100 (the corrected scorecard, lesson 01)."""
    return (weighted_sum - RAW_MIN) * 100 / (RAW_MAX - RAW_MIN)


def _score_fields(prefix: str, ratings: tuple[int, ...]) -> dict:
    result = feasibility_score(*ratings)
    verdict_feedback = {
        "GREEN": "GREEN needs a score of 70 or more.",
        "YELLOW": "YELLOW is from 50 up to 70.",
        "RED": "RED is below 50.",
    }
    return {
        f"{prefix}_score": NumberSpec(
            result.score,
            rel_tol=0.0,
            abs_tol=0.06,
            mistakes=(
                Mistake(broken_feasibility_score(ratings), "That is the published formula's number, which divides by 75 and so runs from 100 to 500. Map 75→0 and 375→100 instead."),
                Mistake(_uninverted_score(ratings), "Invert the hard dimensions first: for accuracy requirement, failure impact and alternatives, use 6 − rating."),
                Mistake(_weighted_sum(ratings), "That is the weighted sum (75 to 375). Map it onto 0–100: subtract 75, divide by 300, multiply by 100."),
            ),
        ),
        f"{prefix}_verdict": ChoiceSpec(
            {"GREEN": "GREEN", "YELLOW": "YELLOW", "RED": "RED"},
            correct=result.verdict,
            feedback={
                **{k: v for k, v in verdict_feedback.items() if k != result.verdict},
                result.verdict: f"Right: {verdict_feedback[result.verdict]}",
            },
        ),
    }


def load(seed: int = 0, scenario: str = "default") -> types.SimpleNamespace:
    """Return exercise 01's questions for these parameters."""
    seed, scenario = validate_parameters(seed, scenario)
    rng = rng_for(seed, MODULE)
    parameters = {"seed": seed, "scenario": scenario}
    common = {"module": MODULE, "parameters": parameters, "recorder": record_check}

    q1 = ValidationQuestion(
        "q1",
        "Repair a vague brief",
        (
            "The YAML below is a first draft of a brief for a refund helper in an online shop. Edit it "
            "until the validator finds nothing: complete all ten sections, give every metric a "
            "comparison and a number, give quality metrics their evaluation set and size, and add a "
            "human fallback, a kill switch with a rollback, and a cost per successful task. Invent "
            "realistic details: the shop handles about 1,200 refund requests a day. Passing the "
            "validator means nothing is missing; whether each answer is convincing is your judgement, "
            "so replace the draft's vague sentences too."
        ),
        lambda answer: validate_brief(read_brief(answer)),
        starting_point=DRAFT_BRIEF,
        hints=(
            "Run the check after each section you add: it lists what is still missing, field by field.",
            "A complete example: `print(briefs.brief_to_yaml(briefs.load_example(\"support_triage\")))`. "
            "Follow its shape, not its content.",
        ),
        solution=(
            "Every section answers a question the team would otherwise argue about later. One complete "
            "version is in `solutions/01_framing_and_briefs.ipynb`; yours will differ in its details, and "
            "that is fine as long as each target is a number the team can test."
        ),
        **common,
    )

    picks = rng.choice(len(IDEAS), size=2, replace=False)
    (name_a, ratings_a), (name_b, ratings_b) = IDEAS[picks[0]], IDEAS[picks[1]]
    q2 = StructuredQuestion(
        "q2",
        "Score two ideas",
        (
            f"Idea A, \"{name_a}\", is rated {dict(zip([d.name for d in FEASIBILITY_DIMENSIONS], ratings_a))}. "
            f"Idea B, \"{name_b}\", is rated {dict(zip([d.name for d in FEASIBILITY_DIMENSIONS], ratings_b))}. "
            "Give each idea's feasibility score (0–100, one decimal is enough) and verdict, as a dict "
            "with `a_score`, `a_verdict`, `b_score`, `b_verdict`. The ratings are in `ex.q2.data`."
        ),
        fields={**_score_fields("a", ratings_a), **_score_fields("b", ratings_b)},
        hints=(
            "Use the corrected scorecard from the lesson: weights 20/10/10/15/10/10, the hard dimensions inverted (6 − rating).",
            "Weighted sum = 20·data + 10·(6 − accuracy) + 10·latency + 15·(6 − failure) + 10·(6 − alternatives) + 10·trust; then (sum − 75) / 300 × 100.",
        ),
        solution="Compute both with `feasibility_score`; GREEN from 70, YELLOW from 50, RED below.",
        solution_code=(
            "a = feasibility_score(*ex.q2.data.ratings_a)\n"
            "b = feasibility_score(*ex.q2.data.ratings_b)\n"
            'scores = {"a_score": a.score, "a_verdict": a.verdict, "b_score": b.score, "b_verdict": b.verdict}'
        ),
        data=types.SimpleNamespace(name_a=name_a, ratings_a=ratings_a, name_b=name_b, ratings_b=ratings_b),
        **common,
    )

    chosen = [SCENARIOS[i] for i in sorted(rng.choice(len(SCENARIOS), size=4, replace=False))]
    options = {key: label for key, label in PATTERN_LABELS.items()}
    q3 = StructuredQuestion(
        "q3",
        "Pick the smallest reliable pattern",
        (
            "For each scenario, give the smallest pattern on the ladder that would do the job reliably: "
            "one of \"rules\", \"predictive_ml\", \"rag\", \"fine_tuning\", \"agent\". Answer with a dict "
            "from scenario key to pattern.\n"
            + "\n".join(f"`{key}`: {text}" for key, text, _, _ in chosen)
        ),
        fields={
            key: ChoiceSpec(options, correct=answer, feedback={**feedback, answer: "Right: the smallest rung that does the job."})
            for key, _, answer, feedback in chosen
        },
        hints=(
            "Walk the ladder from the bottom: can rules do it? A model that scores? Retrieval? Only then fine-tuning or an agent.",
            "Fine-tuning is for changing the model's behaviour at high volume; an agent is for acting in several steps.",
        ),
        solution="; ".join(f"{key}: {answer}" for key, _, answer, _ in chosen),
        data=types.SimpleNamespace(scenarios={key: text for key, text, _, _ in chosen}),
        **common,
    )

    categories = int(rng.choice([8, 10, 12, 15]))
    threshold = float(rng.choice([0.85, 0.88, 0.9]))
    eval_size = int(rng.choice([300, 500, 800]))
    q4 = StructuredQuestion(
        "q4",
        "Turn a wish into a testable requirement",
        (
            "The wish: \"the assistant should understand customer emails really well\". What the team "
            f"knows: support sorts English emails into {categories} categories; the business case needs "
            f"at least {threshold:.0%} of emails put in the right category; senior agents have labelled "
            f"{eval_size} recent emails. Write the requirement as a dict with `task` (what the system does), "
            "`input`, `categories` (how many), `metric` (one of \"accuracy\", \"precision\", \"recall\"), "
            "`comparison`, `threshold` (a share), `eval_set` (what it is measured on) and `eval_size`."
        ),
        fields={
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
            "categories": NumberSpec(categories, rel_tol=0, abs_tol=0, mistakes=()),
            "metric": ChoiceSpec(
                {"accuracy": "accuracy", "precision": "precision", "recall": "recall"},
                correct="accuracy",
                feedback={
                    "precision": "Precision counts how many flagged cases are right; here every email gets a category, and the need is the share sorted correctly.",
                    "recall": "Recall counts how many true cases are found; the need here is the share of all emails sorted correctly.",
                },
            ),
            "comparison": ChoiceSpec(
                {">=": ">=", ">": ">", "<=": "<=", "<": "<"},
                correct=">=",
                feedback={">": "\"At least\" includes the target itself.", "<=": "That makes fewer right answers better.", "<": "That makes fewer right answers better."},
                aliases={"≥": ">=", "≤": "<=", "at least": ">="},
            ),
            "threshold": NumberSpec(threshold, rel_tol=0, abs_tol=1e-9, fraction=True),
            "eval_set": TextSpec(
                min_words=2,
                mention_any=(("label", "annotat", "gold", "senior agent", "reviewed", "hand-checked", "ground truth"),),
                feedback="Say what it is measured on: the emails labelled by senior agents.",
            ),
            "eval_size": NumberSpec(eval_size, rel_tol=0, abs_tol=0),
        },
        hints=(
            "A testable requirement names the task, the input, the output, a threshold and how it is measured.",
            "\"Put in the right category\" out of all emails is accuracy; \"at least\" is >=; a share of 88% is 0.88.",
        ),
        solution=(
            f"Given a customer email in English, the system shall classify it into one of {categories} "
            f"categories with accuracy of at least {threshold:.0%}, measured on {eval_size} emails labelled "
            "by senior agents."
        ),
        data=types.SimpleNamespace(categories=categories, threshold=threshold, eval_size=eval_size),
        **common,
    )

    worst, best = (1, 5, 1, 5, 5, 1), (5, 1, 5, 1, 1, 5)
    q5 = StructuredQuestion(
        "q5",
        "Find the bug in a published scorecard",
        (
            "A published version of the scorecard ends like this:\n"
            "    raw = (data * 20 + (6 - accuracy) * 10 + latency * 10\n"
            "           + (6 - failure) * 15 + (6 - alternatives) * 10 + trust * 10) / 75 * 100\n"
            "    verdict = \"GREEN\" if raw >= 70 else \"YELLOW\" if raw >= 50 else \"RED\"\n"
            f"What does it give the worst possible idea {worst} and the best {best}? Give `worst_score`, "
            "`best_score` and `worst_verdict`. (`ex.q5.data.broken_score(ratings)` runs that code, if you "
            "want to check your arithmetic.)"
        ),
        fields={
            "worst_score": NumberSpec(
                broken_feasibility_score(worst),
                rel_tol=1e-6,
                mistakes=(Mistake(0, "0 is what the corrected scorecard gives. Use the broken formula: `ex.q5.data.broken_score`."),),
            ),
            "best_score": NumberSpec(
                broken_feasibility_score(best),
                rel_tol=1e-6,
                mistakes=(Mistake(100, "100 is the corrected scorecard's best. Use the broken formula."),),
            ),
            "worst_verdict": ChoiceSpec(
                {"GREEN": "GREEN", "YELLOW": "YELLOW", "RED": "RED"},
                correct="GREEN",
                feedback={
                    "RED": "Compare the worst idea's score under this formula with the verdict thresholds.",
                    "YELLOW": "Compare the worst idea's score under this formula with the verdict thresholds.",
                },
            ),
        },
        hints=(
            "The weights add up to 75, so each rating step is worth 75 points of weighted sum.",
            "Work out the worst idea's weighted sum first: every rating at its worst, each inverted one counted as 6 − rating.",
        ),
        solution=(
            "The weighted sum runs from 75 to 375, so dividing by 75 gives 100 to 500: every idea scores at "
            "least 100 and every idea is GREEN. The fix maps 75 to 0 and 375 to 100."
        ),
        data=types.SimpleNamespace(broken_score=broken_feasibility_score, worst=worst, best=best),
        **common,
    )

    q6 = FunctionQuestion(
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
        **common,
    )

    q7 = ChoiceQuestion(
        "q7",
        "Name the failure mode",
        (
            "Six months after launch, agents use the support copilot on 90% of tickets and rate it "
            "well. Its offline accuracy has risen from 85% to 91%, yet handle time and support costs "
            "have not moved. Which failure mode is this?"
        ),
        ChoiceSpec(
            options={
                "a": "Underuse: the feature shipped, but few people use it",
                "b": "Expectation gap: users expected perfection and lost trust after errors",
                "c": "Metric disconnect: the model metric improves, the business outcome does not",
                "d": "Cost blowout: spend grew faster than value",
            },
            correct="c",
            feedback={
                "a": "Agents use it on 90% of tickets, so it is not underused; look at which metric moved.",
                "b": "Nothing here says users lost trust; the clue is the gap between the two metrics.",
                "c": "Right: map model metrics to the business outcome before optimising them, and watch both.",
                "d": "Nothing here is about spend; the clue is a model metric that improves alone.",
            },
        ),
        hints=(
            "Look at which number moved and which did not.",
            "One metric is measured offline on a test set; the other is the company's result.",
        ),
        solution="c) A metric disconnect: offline quality improved but did not change the business result.",
        solution_code='failure_mode = "c"',
        **common,
    )

    return types.SimpleNamespace(
        q1=q1, q2=q2, q3=q3, q4=q4, q5=q5, q6=q6, q7=q7,
        questions=(q1, q2, q3, q4, q5, q6, q7),
        parameters=parameters,
    )
