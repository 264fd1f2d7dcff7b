"""Exercise 02: precision, recall and the cost of being wrong (lesson 02).

Each question is one small function, registered in order. Rates, costs and capacities come from
each question's own random stream. The card-fraud data of questions 5, 6 and 8 are
``card_fraud(seed=seed + 1)``: a different sample from the lesson's (``card_fraud(seed=0)``), so
an answer cannot be copied from the lesson; the prompts say so.

What questions 5, 6 and 8 need from a sample is read from one sort of its scores and cached per
sample (:func:`fraud_facts`), and the sample itself is built only when a learner asks for it
(``ex.q5.data.scenario``), so ``load`` stays fast for any seed and scenario.
"""

from __future__ import annotations

import dataclasses
import functools
import types
from fractions import Fraction

import numpy as np

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
)
from ..scenarios import card_fraud
from ..thresholds import expected_cost_per_case
from .registry import Exercise

__all__ = ["exercise", "load", "fraud_facts", "FraudFacts", "reference_expected_cost"]

exercise = Exercise("02")
load = exercise.load

LESSON_SEED = 0  # the lesson's card-fraud sample is card_fraud(seed=0)
LESSON_CAPACITY = 400  # the lesson's review team
CAPACITIES = (200, 300, 500, 600)  # the review teams this exercise draws from
SEGMENTS = ("business", "established", "new customer")
HANDFUL = 30  # fewer fraud cases than this in a segment is too few for a release gate of its own

COSTLIER = {
    "card_fraud": ("false_negative", "a missed fraud costs the whole payment; a false alarm costs a short review."),
    "cancer_screening": ("false_negative", "a missed cancer can cost a life; a false alarm costs a follow-up test and worry."),
    "spam_filter": ("false_positive", "a real email hidden in spam can cost a deal or a deadline; a missed spam costs a click on delete."),
    "cv_auto_reject": ("false_positive", "wrongly rejecting a good candidate is silent and final; a weak CV let through costs a recruiter a minute."),
}
WEIGH = {
    "card_fraud": "Weigh a held payment and an analyst's few minutes against a fraudulent payment that goes through.",
    "cancer_screening": "Weigh a follow-up test and a few anxious days against a cancer found late.",
    "spam_filter": "Weigh a spam left in the inbox against a real email that nobody sees in the spam folder.",
    "cv_auto_reject": "Weigh a weak CV that a recruiter reads for a minute against a good candidate nobody ever looks at.",
}


def reference_expected_cost(tp, fp, fn, tn, cost_fp, cost_fn):
    """The expected cost per case from counts (the reference for question 4)."""
    return expected_cost_per_case(tp, fp, fn, tn, cost_fp, cost_fn)


# --------------------------------------------------------------------------------------------
# The card-fraud sample: what questions 5, 6 and 8 read from it, computed once per sample
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Reach:
    """The highest-recall threshold within one review capacity (as ``threshold_for_capacity``)."""

    threshold: float
    recall: float
    precision: float
    alerts_per_day: float


@dataclasses.dataclass(frozen=True)
class FraudFacts:
    """The numbers questions 5, 6 and 8 need from one card-fraud sample."""

    data_seed: int
    size: int
    cases_per_day: int
    cost_fp: float
    cost_fn: float
    best_threshold: float
    cost_best: float  # per payment, at the cheapest threshold
    cost_half: float  # per payment, at 0.5
    cost_closed_form: float  # per payment, at C_FP / (C_FP + C_FN)
    best_recall: float
    best_alerts_per_day: float
    reach: types.MappingProxyType  # capacity -> Reach
    segments: types.MappingProxyType  # segment -> (fraud cases, fraud caught at the cheapest threshold)

    def saving_per_day(self) -> float:
        return (self.cost_half - self.cost_best) * self.cases_per_day

    def segment_recall(self, name: str) -> Fraction:
        positives, caught = self.segments[name]
        return Fraction(caught, positives) if positives else Fraction(0)


def _counts_at(s_desc, tp_cum, positives, n, threshold):
    """(tp, fp, fn, tn) when payments scoring at or above the threshold are flagged."""
    flagged = int(np.searchsorted(-s_desc, -threshold, side="right"))
    tp = int(tp_cum[flagged - 1]) if flagged else 0
    return tp, flagged - tp, positives - tp, n - flagged - (positives - tp)


def _reach(table, capacity, cases_per_day):
    thresholds, tp, flagged, positives, n = table
    alerts = flagged / n * cases_per_day
    i = int(np.nonzero(alerts <= capacity + 1e-9)[0][-1])
    precision = tp[i] / flagged[i] if flagged[i] else 0.0
    return Reach(float(thresholds[i]), float(tp[i] / positives), float(precision), float(alerts[i]))


@functools.lru_cache(maxsize=1024)
def fraud_facts(data_seed: int) -> FraudFacts:
    """Read the cheapest threshold, the costs, the reach per capacity and the segments from one sort."""
    fraud = card_fraud(seed=data_seed)
    y, s, n = np.asarray(fraud.y_true, dtype=np.int64), fraud.scores, fraud.size
    cost_fp, cost_fn = fraud.cost_fp, fraud.cost_fn
    order = np.argsort(-s)  # equal scores are grouped below, so the sort need not be stable
    s_desc, tp_cum = s[order], np.cumsum(y[order])
    positives = int(tp_cum[-1])
    last = np.r_[np.nonzero(np.diff(s_desc))[0], n - 1]  # a run of equal scores is flagged together
    tp, flagged = np.r_[0, tp_cum[last]], np.r_[0, last + 1]
    thresholds = np.r_[np.inf, s_desc[last]]
    cost = expected_cost_per_case(tp, flagged - tp, positives - tp, n - flagged - (positives - tp), cost_fp, cost_fn)
    best = int(np.nonzero(cost <= cost.min() + 1e-12 * max(1.0, abs(cost.min())))[0][0])
    table = (thresholds, tp, flagged, positives, n)
    fraud_cases = np.flatnonzero(y)  # recall per segment needs only the fraud cases
    where, caught = fraud.segments[fraud_cases], s[fraud_cases] >= thresholds[best]
    segments = {name: (int((where == name).sum()), int(((where == name) & caught).sum())) for name in SEGMENTS}
    return FraudFacts(
        data_seed, n, fraud.cases_per_day, cost_fp, cost_fn, float(thresholds[best]), float(cost[best]),
        float(expected_cost_per_case(*_counts_at(s_desc, tp_cum, positives, n, 0.5), cost_fp, cost_fn)),
        float(expected_cost_per_case(*_counts_at(s_desc, tp_cum, positives, n, cost_fp / (cost_fp + cost_fn)), cost_fp, cost_fn)),
        float(tp[best] / positives), float(flagged[best] / n * fraud.cases_per_day),
        types.MappingProxyType({c: _reach(table, c, fraud.cases_per_day) for c in (*CAPACITIES, LESSON_CAPACITY)}),
        types.MappingProxyType(segments),  # cached and shared by every load: read-only
    )


class FraudSample:
    """``ex.q5.data``: the card-fraud sample (``.scenario``, built on first use) and its facts."""

    def __init__(self, data_seed: int):
        self.data_seed = data_seed

    @functools.cached_property
    def scenario(self):
        return card_fraud(seed=self.data_seed)

    @property
    def facts(self) -> FraudFacts:
        return fraud_facts(self.data_seed)

    def __repr__(self) -> str:
        return f"FraudSample(scenario=card_fraud(seed={self.data_seed}))"


@exercise.shared
def rates(ctx):
    """The model's rates, the base rate and the volume (questions 1 and 2)."""
    return types.SimpleNamespace(
        tpr=ctx.pick([0.8, 0.9, 0.95]),
        fpr=ctx.pick([0.005, 0.01, 0.02]),
        prevalence=ctx.rate(ctx.pick([0.001, 0.002, 0.005])),
        cases_per_day=ctx.volume(ctx.pick([50_000, 100_000, 250_000])),
    )


@exercise.shared
def sample(ctx):
    """The card-fraud sample of questions 5, 6 and 8: not the lesson's (seed 0), so answers differ."""
    return FraudSample(ctx.seed + 1)


# --------------------------------------------------------------------------------------------
# Questions 1-3: base rates, alerts, the threshold set by the costs
# --------------------------------------------------------------------------------------------


def _as_percentage(share):
    """A share typed as a percentage rounded to one or two decimals (8.3 or 8.26 for 0.08264).

    The core recognises a percentage only at the share's own precision (8.264 at three decimals),
    so the shorter forms a learner types are named here."""
    message = "That looks like a percentage. Give the answer as a share between 0 and 1 (0.25 for 25%)."
    return (Mistake(round(share * 100, 1), message), Mistake(round(share * 100, 2), message))


def _precision_slips(tpr, fpr, prevalence, precision):
    return _as_percentage(precision) + (
        Mistake(tpr, "That is the recall: the share of fraud the model catches. Precision asks what share of its alerts are fraud."),
        Mistake(1 - fpr, "That is the share of legitimate payments left alone (1 − FPR). Precision is about the alerts, not the legitimate payments."),
        Mistake(tpr / (tpr + fpr), "That ignores how rare fraud is: the two rates apply to very different numbers of payments. Weigh each by the share of payments it applies to."),
        Mistake(1 - precision, "That is the share of alerts that are false alarms. Precision is the share of alerts that are real fraud."),
        Mistake(prevalence * tpr, "That is the share of all payments that are caught fraud. Divide it by the share of payments that raise an alert."),
    )


@exercise.question("q1")
def precision_at_low_base_rate(ctx):
    r = ctx.shared.rates
    precision = r.prevalence * r.tpr / (r.prevalence * r.tpr + (1 - r.prevalence) * r.fpr)
    p = decimals(3)
    return NumberQuestion(
        "q1",
        "Precision at a low base rate",
        (
            f"A fraud model catches {r.tpr:.0%} of fraud (its true-positive rate, or recall) and wrongly flags "
            f"{r.fpr:.1%} of legitimate payments (its false-positive rate). Fraud is {r.prevalence:.2%} of payments. "
            "What share of its alerts are real fraud (its precision)? Give it as a share between 0 and 1, "
            f"{p.phrase} (a percentage divided by 100). The numbers are in `ex.q1.data`."
        ),
        NumberSpec(precision, precision=p, fraction=True, mistakes=_precision_slips(r.tpr, r.fpr, r.prevalence, precision)),
        hints=(
            "Imagine 1,000,000 payments: how many are fraud, how many of those are flagged, and how many legitimate ones are flagged?",
            "precision = π·TPR / (π·TPR + (1 − π)·FPR), with π the share of fraud.",
        ),
        solution=(
            f"π·TPR / (π·TPR + (1 − π)·FPR) = {p.format(precision)} ({p.format(precision, percent=True)}): most alerts are "
            "false, because legitimate payments vastly outnumber fraud."
        ),
        solution_code="precision_at_prevalence(ex.q1.data.tpr, ex.q1.data.fpr, ex.q1.data.prevalence)",
        data=r,
    )


def _alert_slips(r):
    false_alarms = "Those are only the false alarms. Add the fraud the model catches: it raises alerts too."
    return (
        Mistake(r.cases_per_day * r.prevalence * r.tpr, "Those are only the real fraud alerts. The false alarms on legitimate payments are alerts too."),
        Mistake(r.cases_per_day * (1 - r.prevalence) * r.fpr, false_alarms),
        Mistake(r.cases_per_day * r.fpr, false_alarms),
        Mistake(r.cases_per_day * r.tpr, "That applies the recall to every payment. Recall applies only to the fraud (a share π of payments); legitimate payments are flagged at the false-positive rate."),
        Mistake(r.prevalence * r.tpr + (1 - r.prevalence) * r.fpr, "That is the share of payments that raise an alert, per payment. The question asks how many a day: multiply by the payments a day."),
        Mistake(r.cases_per_day * r.prevalence, "That is how many payments a day are fraud. Alerts come from the model: the fraud it catches plus the legitimate payments it flags."),
    )


@exercise.question("q2")
def alerts_a_day(ctx):
    r = ctx.shared.rates
    alerts = r.cases_per_day * (r.prevalence * r.tpr + (1 - r.prevalence) * r.fpr)
    p = significant(3)
    return NumberQuestion(
        "q2",
        "Alerts a day",
        f"The same model sees {r.cases_per_day:,} payments a day. How many alerts a day does it raise? Give it {p.phrase}.",
        NumberSpec(alerts, precision=p, units="alerts a day", mistakes=_alert_slips(r)),
        hints=("Alerts = the fraud it catches + the legitimate payments it flags, each a day.", "payments a day × (π·TPR + (1 − π)·FPR)."),
        solution=(
            f"{r.cases_per_day:,} × (π·TPR + (1 − π)·FPR) = {p.format(alerts)} alerts a day "
            "(compare that with what the review team can handle)."
        ),
        data=r,
    )


def _usd(amount: float) -> str:
    """An amount of money as a prompt shows it: $125, $1,000, $0.40 (cents in full), $0.125 (every digit)."""
    if abs(amount - round(amount)) < 1e-9:
        return f"${amount:,.0f}"
    if abs(amount * 100 - round(amount * 100)) < 1e-6:
        return f"${amount:,.2f}"
    return f"${amount:,g}"


def _threshold_slips(cost_fp, cost_fn):
    lesson_costs = abs(cost_fp / cost_fn - 5 / 500) < 1e-12  # the lesson's costs, up to a common factor
    lesson = "That is the lesson's threshold, for a $5 false alarm and a $500 miss. Put this question's costs in the same formula."
    return (
        Mistake(cost_fn / (cost_fp + cost_fn), "That threshold is upside down: a costly miss should make you flag more, so the threshold must be low. Check which cost goes on top."),
        Mistake(cost_fp / cost_fn, "That is the ratio C_FP / C_FN, a quick approximation. Set the expected cost of flagging, (1 − p)·C_FP, equal to that of not flagging, p·C_FN, and solve for p exactly."),
        Mistake(0.5, "0.5 is right only when both errors cost the same."),
        Mistake(cost_fn / cost_fp, "A threshold is a probability between 0 and 1. You divided the cost of a miss by the cost of a false alarm; compare the expected costs of flagging and of not flagging instead."),
        Mistake(lambda: None if lesson_costs else 5 / 505, lesson),
        Mistake(lambda: None if lesson_costs else 0.0099, lesson),
    )


@exercise.question("q3")
def threshold_set_by_costs(ctx):
    cost_fp = ctx.money(ctx.pick([2, 5, 10, 25]))
    cost_fn = ctx.money(ctx.pick([200, 500, 1000]))
    t_star = cost_fp / (cost_fp + cost_fn)
    p = significant(4)  # three figures cannot tell C_FP/(C_FP+C_FN) from C_FP/C_FN for every pair of costs
    return NumberQuestion(
        "q3",
        "The threshold set by the costs",
        (
            f"A false alarm costs {_usd(cost_fp)} (an analyst's time and an annoyed customer); a missed fraud costs "
            f"{_usd(cost_fn)}. Correct decisions cost nothing. If the model's scores are calibrated probabilities, "
            f"above which score should a payment be flagged to minimise the expected cost? Give it {p.phrase} "
            "(e.g. 0.01234): fewer figures cannot tell the exact threshold from a quick approximation."
        ),
        NumberSpec(t_star, precision=p, fraction=True, mistakes=_threshold_slips(cost_fp, cost_fn)),
        hints=(
            "Flag when the expected cost of flagging is below that of not flagging: (1 − p)·C_FP < p·C_FN.",
            "Solve (1 − p)·C_FP = p·C_FN for p.",
        ),
        solution=f"t* = C_FP / (C_FP + C_FN) = {cost_fp:g} / {cost_fp + cost_fn:g} = {p.format(t_star)}.",
        solution_code="bayes_threshold(ex.q3.data.cost_fp, ex.q3.data.cost_fn)",
        data=types.SimpleNamespace(cost_fp=cost_fp, cost_fn=cost_fn),
    )


@exercise.question("q4")
def expected_cost_function(ctx):
    return FunctionQuestion(
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
    )


# --------------------------------------------------------------------------------------------
# Questions 5-6: the card-fraud sample in money and in reviewers
# --------------------------------------------------------------------------------------------

DIFFERENT_SAMPLE = "This exercise uses a different sample from the lesson's, so its numbers (and answers) differ from the lesson's."
DIFFERENT_ANSWER = "This exercise uses a different sample from the lesson's, so the answer can differ from the lesson's."


def _saving_slips(f: FraudFacts, lesson: FraudFacts):
    per_day = f.cases_per_day
    return (
        Mistake(f.cost_half - f.cost_best, "That is the saving per payment. The question asks per day: multiply by the payments a day."),
        Mistake(f.cost_best * per_day, "That is what the cheapest threshold costs a day on its own. The saving is the difference between the cost a day at 0.5 and at the cheapest threshold."),
        Mistake(f.cost_half * per_day, "That is what the default threshold of 0.5 costs a day on its own. Subtract what the cheapest threshold costs a day."),
        Mistake((f.cost_half - f.cost_closed_form) * per_day, "That uses the closed-form threshold C_FP / (C_FP + C_FN), which is the cheapest only where the scores are calibrated. The question asks for the cheapest threshold on the data: use `best_threshold`."),
        Mistake(lesson.saving_per_day(), "That is the lesson's saving, on the lesson's sample. This exercise uses a different sample: compute it on `ex.q5.data.scenario`."),
    )


@exercise.question("q5")
def what_the_default_threshold_costs(ctx):
    data = ctx.shared.sample
    f, lesson = data.facts, fraud_facts(LESSON_SEED)
    saving, p = f.saving_per_day(), significant(3)
    return NumberQuestion(
        "q5",
        "What the default threshold costs",
        (
            f"On the card-fraud data in `ex.q5.data.scenario` ({f.size:,} payments; a false alarm costs ${f.cost_fp:g}, a miss "
            f"${f.cost_fn:g}; {f.cases_per_day:,} payments a day), how much money a day does the cheapest threshold save "
            f"compared with the default threshold of 0.5? {DIFFERENT_SAMPLE} Use `metrics_at` and `best_threshold` from "
            f"`aipm_course.thresholds`. Give it in USD a day, {p.phrase}."
        ),
        NumberSpec(saving, precision=p, units="USD a day", mistakes=_saving_slips(f, lesson)),
        hints=(
            "Cost a day = cost per payment × payments a day. Compute it at 0.5 and at the cheapest threshold.",
            "With `fraud = ex.q5.data.scenario`: `metrics_at(fraud.y_true, fraud.scores, 0.5).cost_per_case(fraud.cost_fp, fraud.cost_fn)` "
            "and `best_threshold(fraud.y_true, fraud.scores, fraud.cost_fp, fraud.cost_fn).cost_per_case`, each × `fraud.cases_per_day`.",
        ),
        solution=(
            f"At 0.5: {p.format(f.cost_half * f.cases_per_day)} USD a day; at the cheapest threshold ({f.best_threshold:.4g}): "
            f"{p.format(f.cost_best * f.cases_per_day)} USD a day. The saving is {p.format(saving)} USD a day: the default "
            f"threshold misses most fraud, and a miss costs {f.cost_fn / f.cost_fp:g} times a false alarm."
        ),
        data=data,
    )


def _reach_slips(f: FraudFacts, lesson: FraudFacts, capacity: int):
    reach = f.reach[capacity]
    return _as_percentage(reach.recall) + (
        Mistake(f.reach[LESSON_CAPACITY].recall, f"That is the recall at {LESSON_CAPACITY} alerts a day, the lesson's team; this team handles {capacity}."),
        Mistake(lesson.reach[LESSON_CAPACITY].recall, "That is the lesson's answer, on the lesson's sample and team. This exercise uses a different sample: run `threshold_for_capacity` on `ex.q5.data.scenario` with this team's capacity."),
        Mistake(reach.precision, "That is the precision at that threshold: the share of alerts that are fraud. Recall is the share of all fraud that gets caught."),
        Mistake(1 - reach.recall, "That is the share of fraud missed (1 − recall). The question asks for the share caught."),
        Mistake(f.best_recall, f"That is the recall at the cheapest threshold, which raises about {f.best_alerts_per_day:,.0f} alerts a day: more than this team can handle. Find the lowest threshold whose alerts still fit."),
        Mistake(capacity / f.cases_per_day, "That is the share of payments flagged (alerts ÷ payments a day). Recall is the share of the fraud that gets caught."),
    )


@exercise.question("q6")
def recall_within_capacity(ctx):
    f, lesson = ctx.shared.sample.facts, fraud_facts(LESSON_SEED)
    binding = [c for c in CAPACITIES if f.reach[c].recall < f.best_recall]  # a team that cannot review every alert
    capacity = ctx.pick(binding or list(CAPACITIES))
    reach, p = f.reach[capacity], decimals(3)
    return NumberQuestion(
        "q6",
        "Recall within the review team's capacity",
        (
            f"The review team can handle {capacity} alerts a day. On the same card-fraud data ({f.cases_per_day:,} "
            "payments a day), what is the highest recall (the share of fraud caught) you can reach without exceeding "
            f"that? {DIFFERENT_SAMPLE} Use `threshold_for_capacity`. Give it as a share between 0 and 1, {p.phrase} "
            "(a percentage divided by 100)."
        ),
        NumberSpec(reach.recall, precision=p, fraction=True, mistakes=_reach_slips(f, lesson, capacity)),
        hints=(
            "Lower the threshold until the alerts a day would exceed the capacity; the recall there is the answer.",
            f"`threshold_for_capacity(fraud.y_true, fraud.scores, {capacity}, fraud.cases_per_day).recall`",
        ),
        solution=(
            f"threshold {reach.threshold:.4g}: {reach.alerts_per_day:,.0f} alerts a day, recall "
            f"{p.format(reach.recall, percent=True)} ({p.format(reach.recall)}), precision {reach.precision:.1%}. "
            "To catch more, the team needs more reviewers or a better model."
        ),
        data=types.SimpleNamespace(capacity=capacity),
    )


# --------------------------------------------------------------------------------------------
# Questions 7-9: calibration, segments, which error is costlier
# --------------------------------------------------------------------------------------------

RELIABILITY = {  # (bin start, observed share of positives): scores too high, or too low
    "overstate": ((0.3, 0.05), (0.4, 0.1), (0.5, 0.15), (0.6, 0.2), (0.4, 0.05)),
    "understate": ((0.1, 0.5), (0.2, 0.6), (0.1, 0.4), (0.3, 0.7), (0.2, 0.5)),
}
DIRECTION = "The scores {} the chance of a positive there: do not read them as probabilities"


def _answer_by_word(spec: ChoiceSpec) -> ChoiceSpec:
    """Let a learner answer q7 with one word for an option too ("overstate"), whatever its letter."""
    words = {"overstate": "scores overstate", "understate": "scores understate", "calibrated": "are calibrated", "threshold": "cheapest threshold"}
    aliases = {word: next(key for key, text in spec.options.items() if phrase in text) for word, phrase in words.items()}
    return dataclasses.replace(spec, aliases=aliases)


@exercise.question("q7")
def reading_a_reliability_diagram(ctx):
    direction = ctx.pick(["overstate", "understate"])
    other = "understate" if direction == "overstate" else "overstate"
    low, observed = ctx.pick(RELIABILITY[direction])
    middle = round(low + 0.05, 2)
    seen = f"cases scored about {middle:.2f} turned out positive {observed:.0%} of the time"
    how = "too high" if direction == "overstate" else "too low"
    spec = choice(
        ctx.rng,
        right=(DIRECTION.format(direction), f"{seen}, so the scores are {how} there; recalibrate before using C_FP / (C_FP + C_FN)."),
        wrong=[
            (DIRECTION.format(other), f"Compare the two axes: {seen}. Is the score above or below what happened?"),
            ("The scores are calibrated there: a reliability diagram checks how well cases are ranked",
             f"Calibrated means the observed share matches the score: of cases scored about {middle:.2f}, about {middle:.0%} would be positive. Ranking is what ROC AUC measures."),
            ("The cheapest threshold is the middle of that bin, where the scores and outcomes part ways",
             "A reliability diagram does not choose a threshold; it checks whether the scores can be read as probabilities. Compare the bin's score with its observed share."),
        ],
    )
    return ChoiceQuestion(
        "q7",
        "Reading a reliability diagram",
        (
            f"On a reliability diagram, the cases scored between {low:.1f} and {low + 0.1:.1f} sit at an observed rate of "
            f"{observed:.2f}: {observed:.0%} of those cases are positive. What does that tell you? Answer with the "
            "option's letter, or with one word for it: \"overstate\", \"understate\", \"calibrated\" or \"threshold\". "
            "The numbers are in `ex.q7.data`."
        ),
        _answer_by_word(spec),
        hints=(
            f"Calibrated means: of the cases scored about {middle:.2f}, about {middle:.0%} are positive.",
            f"Is {observed:.0%} more or less than {middle:.0%}? A score above what happens overstates the chance.",
        ),
        solution=f"{spec.correct}) {seen}: the scores {direction} the chance there. Recalibrate (e.g. isotonic regression on held-out data) before reading scores as probabilities.",
        data=types.SimpleNamespace(low=low, high=round(low + 0.1, 2), score=middle, observed=observed),
    )


def _segment_why(name: str, f: FraudFacts) -> str:
    positives, _ = f.segments[name]
    recall = f"{float(f.segment_recall(name)):.0%}"
    if positives < HANDFUL:
        return (
            f"{name} has the lowest recall at the cheapest threshold ({recall}), but on only {positives} fraud cases. "
            "A handful of cases is too few for a gate of its own: confirm the gap on more data (module 03) before you "
            "gate this segment, and meanwhile do not let the overall recall hide it."
        )
    return (
        f"{name} has the lowest recall at the cheapest threshold ({recall}) on {positives} fraud cases, more than a "
        "handful, so the gap is worth a release gate of its own; confirm it on fresh data (module 03), since the "
        "overall recall hides it."
    )


def _segment_feedback(name: str, f: FraudFacts) -> str:
    positives, caught = f.segments[name]
    lesson = "The lesson's sample served new customers worst, but this exercise uses a different sample. " if name == "new customer" else ""
    return (
        f"{lesson}At the cheapest threshold, {name} has {caught} of its {positives} fraud cases caught "
        f"({float(f.segment_recall(name)):.0%}). Work out the same share for each segment and compare."
    )


@exercise.question("q8")
def slice_before_you_ship(ctx):
    f = ctx.shared.sample.facts
    lowest = min(SEGMENTS, key=lambda name: (f.segment_recall(name), f.segments[name][0]))
    tied = sum(f.segment_recall(name) == f.segment_recall(lowest) for name in SEGMENTS) > 1
    spec = ChoiceSpec(
        {name: name for name in SEGMENTS},
        lowest,
        {name: _segment_feedback(name, f) for name in SEGMENTS if name != lowest},
        why=_segment_why(lowest, f),
    ).shuffled(ctx.rng)
    return ChoiceQuestion(
        "q8",
        "Slice before you ship",
        (
            "At the cheapest threshold on the card-fraud data (`ex.q5.data.scenario`), which customer segment gets the "
            f"lowest recall? {DIFFERENT_ANSWER} Use "
            "`segment_metrics(fraud.y_true, fraud.scores, fraud.segments, threshold)`, and read its `positives` column "
            "before you act on the answer."
            + (" Two segments tie for the lowest recall here: answer the one with fewer fraud cases." if tied else "")
        ),
        spec,
        hints=(
            "Recall per segment = fraud caught in that segment / fraud in that segment, at the cheapest threshold.",
            "`segment_metrics(...)[\"recall\"]`, with the threshold from `best_threshold(...).threshold`.",
        ),
        solution=(
            f"{lowest}: recall {float(f.segment_recall(lowest)):.0%} on {f.segments[lowest][0]} fraud cases, against "
            f"{float(max(f.segment_recall(n) for n in SEGMENTS)):.0%} for the best served segment."
        ),
    )


@exercise.question("q9")
def which_error_is_costlier(ctx):
    options = {"false_positive": "a false positive (a false alarm)", "false_negative": "a false negative (a miss)"}
    fields = {
        key: ChoiceSpec(
            options,
            correct=answer,
            feedback={next(k for k in options if k != answer): f"{WEIGH[key]} Which mistake can be undone, and which one does anybody notice?"},
            why=reason,
        )
        for key, (answer, reason) in COSTLIER.items()
    }
    return StructuredQuestion(
        "q9",
        "Which error is costlier?",
        (
            "For each product, which error usually costs more: \"false_positive\" or \"false_negative\"? "
            "`card_fraud` (positive = fraud), `cancer_screening` (positive = cancer), `spam_filter` "
            "(positive = spam), `cv_auto_reject` (a tool that rejects job applications on its own; positive = reject)."
        ),
        fields,
        hints=("Ask what happens to a person or to the business after each kind of mistake.", "Which mistakes can be undone cheaply, and which cannot?"),
        solution="; ".join(f"{key}: {answer}" for key, (answer, _) in COSTLIER.items()),
    )
