"""Exercise 02: precision, recall and the cost of being wrong (lesson 02).

The rates, costs, volumes and the card-fraud data all come from the notebook's parameters, so
each workshop team gets its own numbers and is still checked correctly.
"""

from __future__ import annotations

import types

from ..checking import Case, ChoiceQuestion, ChoiceSpec, FunctionQuestion, Mistake, NumberQuestion, NumberSpec, StructuredQuestion
from ..parameters import get_scenario, rng_for, scaled, validate_parameters
from ..scenarios import card_fraud
from ..thresholds import bayes_threshold, best_threshold, expected_cost_per_case, metrics_at, precision_at_prevalence, segment_metrics, threshold_for_capacity
from ..workspace import record_check

MODULE = "02"

COSTLIER = {
    "card_fraud": ("false_negative", "A missed fraud costs the whole payment; a false alarm costs a short review."),
    "cancer_screening": ("false_negative", "A missed cancer can cost a life; a false alarm costs a follow-up test and worry."),
    "spam_filter": ("false_positive", "A real email hidden in spam can cost a deal or a deadline; a missed spam costs a click on delete."),
    "cv_auto_reject": ("false_positive", "Wrongly rejecting a good candidate is silent and final; a weak CV let through costs a recruiter a minute."),
}


def reference_expected_cost(tp, fp, fn, tn, cost_fp, cost_fn):
    """The expected cost per case from counts (the reference for question 4)."""
    return expected_cost_per_case(tp, fp, fn, tn, cost_fp, cost_fn)


def load(seed: int = 0, scenario: str = "default") -> types.SimpleNamespace:
    """Return exercise 02's questions for these parameters."""
    seed, scenario = validate_parameters(seed, scenario)
    sc = get_scenario(scenario)  # a workshop variant scales volumes, money and base rates
    rng = rng_for(seed, MODULE)
    parameters = {"seed": seed, "scenario": scenario}
    common = {"module": MODULE, "parameters": parameters, "recorder": record_check}

    tpr = float(rng.choice([0.8, 0.9, 0.95]))
    fpr = float(rng.choice([0.005, 0.01, 0.02]))
    prevalence = min(0.2, float(rng.choice([0.001, 0.002, 0.005])) * sc.prevalence)
    cases_per_day = scaled(int(rng.choice([50_000, 100_000, 250_000])), sc.volume, whole=True)
    precision = precision_at_prevalence(tpr, fpr, prevalence)
    rates = types.SimpleNamespace(tpr=tpr, fpr=fpr, prevalence=prevalence, cases_per_day=cases_per_day)
    q1 = NumberQuestion(
        "q1",
        "Precision at a low base rate",
        (
            f"A fraud model catches {tpr:.0%} of fraud (its true-positive rate, or recall) and wrongly flags "
            f"{fpr:.1%} of legitimate payments (its false-positive rate). Fraud is {prevalence:.1%} of payments. "
            "What share of its alerts are real fraud (its precision), as a share between 0 and 1? The numbers "
            "are in `ex.q1.data`."
        ),
        NumberSpec(
            precision,
            rel_tol=2e-3,
            fraction=True,
            mistakes=(
                Mistake(tpr, "That is the recall: the share of fraud caught. Precision asks what share of the alerts are fraud."),
                Mistake(1 - fpr, "That is the share of legitimate payments left alone. Precision is about the alerts."),
                Mistake(tpr / (tpr + fpr), "That ignores how rare fraud is: weigh each rate by how many payments it applies to."),
            ),
        ),
        hints=(
            "Imagine 1,000,000 payments: how many are fraud, how many of those are flagged, and how many legitimate ones are flagged?",
            "precision = π·TPR / (π·TPR + (1 − π)·FPR), with π the share of fraud.",
        ),
        solution=f"π·TPR / (π·TPR + (1 − π)·FPR) = {precision:.4f}: most alerts are false, because legitimate payments vastly outnumber fraud.",
        solution_code="precision_at_prevalence(ex.q1.data.tpr, ex.q1.data.fpr, ex.q1.data.prevalence)",
        data=rates,
        **common,
    )

    alerts = cases_per_day * (prevalence * tpr + (1 - prevalence) * fpr)
    q2 = NumberQuestion(
        "q2",
        "Alerts a day",
        (
            f"The same model sees {cases_per_day:,} payments a day. How many alerts a day does it raise? "
            "(Round as you like; within 1% counts.)"
        ),
        NumberSpec(
            alerts,
            rel_tol=0.01,
            mistakes=(
                Mistake(cases_per_day * prevalence * tpr, "Those are only the real fraud alerts. The false alarms are alerts too."),
                Mistake(cases_per_day * fpr, "Those are only the false alarms. Add the fraud it catches."),
            ),
        ),
        hints=("Alerts = caught fraud + false alarms.", "cases × (π·TPR + (1 − π)·FPR)."),
        solution=f"{cases_per_day:,} × (π·TPR + (1 − π)·FPR) ≈ {alerts:,.0f} alerts a day; compare that with what the review team can handle.",
        data=rates,
        **common,
    )

    cost_fp = scaled(float(rng.choice([2, 5, 10, 25])), sc.cost)
    cost_fn = scaled(float(rng.choice([200, 500, 1000])), sc.cost)
    t_star = bayes_threshold(cost_fp, cost_fn)
    q3 = NumberQuestion(
        "q3",
        "The threshold set by the costs",
        (
            f"A false alarm costs ${cost_fp:g} (an analyst's time and an annoyed customer); a missed fraud costs "
            f"${cost_fn:g}. Correct decisions cost nothing. If the model's scores are calibrated probabilities, "
            "above which score should a payment be flagged to minimise the expected cost? Give at least three "
            "significant figures (e.g. 0.00123)."
        ),
        NumberSpec(
            t_star,
            rel_tol=5e-3,
            mistakes=(
                Mistake(cost_fn / (cost_fp + cost_fn), "That threshold is upside down: a costly miss should make you flag more, so the threshold must be low."),
                Mistake(cost_fp / cost_fn, "Close, but not exact: the threshold balances the cost of flagging against the cost of not flagging the same case."),
                Mistake(0.5, "0.5 is right only when both errors cost the same."),
            ),
        ),
        hints=(
            "Flag when the expected cost of flagging is below that of not flagging: (1 − p)·C_FP < p·C_FN.",
            "Solve (1 − p)·C_FP = p·C_FN for p.",
        ),
        solution=f"t* = C_FP / (C_FP + C_FN) = {t_star:.4f}.",
        solution_code="bayes_threshold(ex.q3.data.cost_fp, ex.q3.data.cost_fn)",
        data=types.SimpleNamespace(cost_fp=cost_fp, cost_fn=cost_fn),
        **common,
    )

    q4 = FunctionQuestion(
        "q4",
        "Expected cost per case",
        (
            "Write `expected_cost(tp, fp, fn, tn, cost_fp, cost_fn)` that returns the average cost per case "
            "from the four confusion counts, when correct decisions cost nothing."
        ),
        reference_expected_cost,
        cases=(
            Case((10, 90, 5, 895, 5, 500)),
            Case((0, 0, 1, 999, 5, 500), note="Nothing flagged: every fraud is missed."),
            Case((50, 950, 0, 0, 2, 100), note="Everything flagged: every legitimate case is a false alarm."),
            Case((3, 7, 2, 88, 10, 1000)),
        ),
        function_name="expected_cost",
        hints=("Add up what the errors cost, then divide by the number of cases.", "(fp·cost_fp + fn·cost_fn) / (tp + fp + fn + tn)."),
        solution="Only the errors cost money here: false alarms and misses, averaged over all cases.",
        solution_code="def expected_cost(tp, fp, fn, tn, cost_fp, cost_fn):\n    return (fp * cost_fp + fn * cost_fn) / (tp + fp + fn + tn)",
        **common,
    )

    fraud = card_fraud(seed=seed + 1)  # not the lesson's data set (seed 0), so answers are not copied
    best = best_threshold(fraud.y_true, fraud.scores, fraud.cost_fp, fraud.cost_fn, resamples=0)
    at_half = metrics_at(fraud.y_true, fraud.scores, 0.5).cost_per_case(fraud.cost_fp, fraud.cost_fn)
    saving = (at_half - best.cost_per_case) * fraud.cases_per_day
    q5 = NumberQuestion(
        "q5",
        "What the default threshold costs",
        (
            f"On the card-fraud data in `ex.q5.data.scenario` ({fraud.size:,} payments; false alarm ${fraud.cost_fp:g}, "
            f"miss ${fraud.cost_fn:g}; {fraud.cases_per_day:,} payments a day), how much money a day does the "
            "cheapest threshold save compared with the default threshold of 0.5? Use `metrics_at` and "
            "`best_threshold` from `aipm_course.thresholds`."
        ),
        NumberSpec(saving, rel_tol=0.01, units="USD a day"),
        hints=(
            "Expected cost a day = cost per case × payments a day. Compute it at 0.5 and at the best threshold.",
            "`metrics_at(y, scores, 0.5).cost_per_case(5, 500)` and `best_threshold(y, scores, 5, 500).cost_per_case`.",
        ),
        solution=f"About {saving:,.0f} USD a day: the default threshold misses most fraud because misses cost 100 times more than false alarms.",
        data=types.SimpleNamespace(scenario=fraud),
        **common,
    )

    capacity = scaled(int(rng.choice([200, 300, 500, 600])), sc.volume, whole=True)
    reach = threshold_for_capacity(fraud.y_true, fraud.scores, capacity, fraud.cases_per_day)
    lesson_capacity = threshold_for_capacity(fraud.y_true, fraud.scores, 400, fraud.cases_per_day)
    q6 = NumberQuestion(
        "q6",
        "Recall within the review team's capacity",
        (
            f"The review team can handle {capacity} alerts a day. On the same card-fraud data, what is the "
            "highest recall (share of fraud caught) you can reach without exceeding that? Use "
            "`threshold_for_capacity`."
        ),
        NumberSpec(
            reach.recall,
            rel_tol=1e-3,
            fraction=True,
            mistakes=(Mistake(lesson_capacity.recall, f"That is the recall at 400 alerts a day, the lesson's team; this team handles {capacity}."),)
            if abs(lesson_capacity.recall - reach.recall) > 1e-9
            else (),
        ),
        hints=(
            "Lower the threshold until the alerts a day would exceed the capacity; the recall there is the answer.",
            f"`threshold_for_capacity(y, scores, {capacity}, cases_per_day).recall`",
        ),
        solution=f"{reach}. To catch more, the team needs more reviewers or a better model.",
        data=types.SimpleNamespace(capacity=capacity),
        **common,
    )

    q7 = ChoiceQuestion(
        "q7",
        "Reading a reliability diagram",
        (
            "On a reliability diagram, the scores between 0.4 and 0.5 sit at an observed rate of 0.1: only "
            "10% of those cases are positive. What does that tell you?"
        ),
        ChoiceSpec(
            options={
                "a": "The scores overstate the probability there: they are not calibrated, so the closed-form threshold would be wrong",
                "b": "The scores understate the probability there",
                "c": "The model is well calibrated",
                "d": "The threshold should be 0.45",
            },
            correct="a",
            feedback={
                "b": "The cases were scored around 0.45 but only 10% are positive: the scores are too high, not too low.",
                "c": "Calibrated scores would put those cases near 0.45 on the observed axis too.",
                "d": "A reliability diagram checks whether scores are probabilities; it does not pick a threshold.",
            },
        ),
        hints=("Calibrated means: of the cases scored 0.45, about 45% are positive.", "Is 10% more or less than 45%?"),
        solution="a) Recalibrate (e.g. isotonic regression on held-out data) before reading scores as probabilities.",
        **common,
    )

    segments = segment_metrics(fraud.y_true, fraud.scores, fraud.segments, best.threshold)
    lowest = str(segments["recall"].idxmin())
    names = [str(s) for s in segments.index]
    q8 = ChoiceQuestion(
        "q8",
        "Slice before you ship",
        (
            "At the cheapest threshold on the card-fraud data, which customer segment gets the lowest recall? "
            "Use `segment_metrics(y, scores, ex.q5.data.scenario.segments, threshold)`."
        ),
        ChoiceSpec(
            options={name: name for name in names},
            correct=lowest,
            feedback={name: "Compute the recall per segment and compare them." for name in names if name != lowest}
            | {lowest: "Right: the same threshold protects this segment far less, so set a gate per segment."},
        ),
        hints=("Recall per segment = fraud caught in that segment / fraud in that segment.", "`segment_metrics(...)['recall']`"),
        solution=f"{lowest}: its recall is {segments.loc[lowest, 'recall']:.0%}, against {segments['recall'].max():.0%} for the best served segment.",
        **common,
    )

    options = {"false_positive": "a false positive (a false alarm)", "false_negative": "a false negative (a miss)"}
    q9 = StructuredQuestion(
        "q9",
        "Which error is costlier?",
        (
            "For each product, which error usually costs more: \"false_positive\" or \"false_negative\"? "
            "`card_fraud` (positive = fraud), `cancer_screening` (positive = cancer), `spam_filter` "
            "(positive = spam), `cv_auto_reject` (a tool that rejects job applications on its own; positive = reject)."
        ),
        fields={
            key: ChoiceSpec(
                options,
                correct=answer,
                feedback={
                    "false_positive" if answer == "false_negative" else "false_negative": "Think about what happens to the person or the business after each kind of mistake, and which one can be undone.",
                    answer: "Right: " + reason,
                },
            )
            for key, (answer, reason) in COSTLIER.items()
        },
        hints=("Ask what happens to a person or to the business after each kind of mistake.", "Which mistakes can be undone cheaply, and which cannot?"),
        solution="; ".join(f"{key}: {answer}" for key, (answer, _) in COSTLIER.items()),
        **common,
    )

    return types.SimpleNamespace(
        q1=q1, q2=q2, q3=q3, q4=q4, q5=q5, q6=q6, q7=q7, q8=q8, q9=q9,
        questions=(q1, q2, q3, q4, q5, q6, q7, q8, q9),
        parameters=parameters,
    )
