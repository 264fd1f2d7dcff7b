"""Interview drills: short quantitative cases with fresh numbers from a seed (lesson 06).

Each drill is a case an interviewer might pose, in plain words and with realistic numbers:
base-rate precision, a threshold from error costs, reviewer headcount, an error-rate bound,
cost per query, break-even volume, test duration and blast radius; and, from module 08, a judge's
corrected pass rate and whether an agent finishes its task. A drill has a difficulty
(1 warm-up, 2 standard, 3 stretch), a suggested time, a checker with feedback for the usual
slips, hints, and a worked solution computed by the kit's own functions. After the number comes
the step an interviewer asks next, "so what?": a checked choice of what to do with it
(``Drill.so_what``, judged by ``Drill.decide``), whose right option depends on the number.

Every drill follows the course's answer policy: its prompt states the precision it asks for
(a share or an amount of money to three significant figures, people and days as a whole number
rounded up), and its checker accepts exactly the answers that agree at that precision, so the
worked solution's number is always accepted.

    >>> d = make_drill("base_rate_precision", seed=3)
    >>> d.check(d.expected).correct
    True

``PracticeSession`` runs a set of drills against the clock and reviews the misses at the end.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math
import numbers
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from . import validation
from .checking import ChoiceQuestion, ChoiceSpec, CheckResult, Mistake, NumberQuestion, NumberSpec, Outcome, Precision, RichText, choice, safe_repr, significant, whole
from .costs import break_even_volume, cost_per_query
from .evals import chain_success, corrected_pass_rate, cost_per_finished_task, pass_at_k, pass_hat_k
from .experiments import full_week_days
from .parameters import DEFAULT as DEFAULT_SCENARIO, Scenario, get_scenario
from .rollout import blast_radius, distinct_users_exposed, sample_size, sample_size_per_arm
from .thresholds import bayes_threshold, precision_at_prevalence
from .uncertainty import Staffing, reviewer_fte, reviewer_headcount, upper_bound

__all__ = [
    "DIFFICULTIES",
    "DRILL_KINDS",
    "MIN_SLIPS",
    "Slip",
    "SoWhat",
    "Drill",
    "make_drill",
    "drill_set",
    "PracticeSession",
    "PracticeItem",
    "PracticeScore",
    "catalogue",
    "parse_answer",
]

DIFFICULTIES = {1: "warm-up", 2: "standard", 3: "stretch"}
DAYS_PER_MONTH = 30
MIN_SLIPS = 3  # every drill names at least three slips that a learner will predictably make

# The answer policy for each kind of number a drill asks for.
SHARE = significant(3)  # a share or a probability between 0 and 1
MONEY = significant(3)  # dollars
VOLUME = significant(3)  # queries a day
COUNT = whole("up")  # people, days and users: part of one still needs a whole one


@dataclasses.dataclass(frozen=True)
class Slip:
    """A wrong-by-one-step answer: its name, its value and the feedback that names the step."""

    name: str
    value: float
    feedback: str


@dataclasses.dataclass(frozen=True)
class SoWhat:
    """The step after the number: what to do with it, as a checked choice (an interviewer's "so what?").

    ``spec`` is a lettered choice built with ``checking.choice`` (shuffled by the drill's numbers),
    with feedback for each wrong option and a one-line why on the right one.
    """

    prompt: str
    spec: ChoiceSpec


@dataclasses.dataclass(frozen=True, eq=False)
class Drill:
    """One drill: a prompt, the answer the kit computes, the slips it recognises, hints and a worked solution.

    ``expected`` is the exact answer (for a whole-number answer, the whole number the prompt asks
    for); ``precision`` is the precision the prompt states and the checker applies.
    """

    kind: str
    seed: int
    difficulty: int
    title: str
    prompt: str
    expected: float
    units: str
    slips: tuple[Slip, ...]
    hints: tuple[str, ...]
    working: str
    code: str
    params: Mapping[str, Any]
    seconds: int
    precision: Precision = SHARE
    fraction: bool = False
    so_what: SoWhat | None = None

    @property
    def level(self) -> str:
        """The difficulty in words: warm-up, standard or stretch."""
        return DIFFICULTIES[self.difficulty]

    @property
    def whole(self) -> bool:
        """True when the answer is a whole number (people, days, users)."""
        return self.precision.kind == "whole"

    @functools.cached_property
    def question(self) -> NumberQuestion:
        """The drill as an exercise question (check, hint, solution); built once."""
        return self.as_question()

    def as_question(self, question_id: str | None = None, **kwargs: Any) -> NumberQuestion:
        """The drill as an exercise question with another id, module or progress recorder."""
        spec = NumberSpec(
            self.expected,
            units=self.units,
            mistakes=tuple(Mistake(s.value, s.feedback) for s in self.slips),
            fraction=self.fraction,
            precision=self.precision,
        )
        kwargs.setdefault("parameters", {"seed": self.seed, "difficulty": self.difficulty})
        return NumberQuestion(
            question_id or self.kind,
            self.title,
            self.prompt,
            spec,
            hints=self.hints,
            solution=self.working,
            solution_code=self.code,
            data=self,
            **kwargs,
        )

    def check(self, answer: Any = None) -> CheckResult:
        """Judge an answer: correct, incorrect with feedback, or not attempted. Never raises."""
        return self.question.check(answer)

    def hint(self, n: int = 1) -> RichText:
        return self.question.hint(n)

    @functools.cached_property
    def decision(self) -> ChoiceQuestion | None:
        """The "so what" step as a choice question (None when the drill has none); built once."""
        if self.so_what is None:
            return None
        return ChoiceQuestion(f"{self.kind}-so-what", f"{self.title}: so what?", self.so_what.prompt, self.so_what.spec,
                              parameters={"seed": self.seed, "difficulty": self.difficulty}, data=self)

    def decide(self, answer: Any = None) -> CheckResult:
        """Judge the "so what" choice that follows the number. Never raises; a drill without one says so."""
        if self.decision is None:
            return CheckResult(f"{self.kind}-so-what", self.title, Outcome.NOT_ATTEMPTED, "This drill has no 'so what' step.")
        return self.decision.check(answer)

    def solution(self) -> RichText:
        return self.question.solution()

    def show(self) -> RichText:
        return RichText(f"{self.title} ({self.level}, about {_minutes(self.seconds)})", self.prompt)

    def _repr_html_(self) -> str:
        return self.show()._repr_html_()

    def __repr__(self) -> str:
        return f"<Drill {self.kind} seed={self.seed} difficulty={self.difficulty}>"

    def __str__(self) -> str:
        return str(self.show())


def _minutes(seconds: float) -> str:
    minutes = seconds / 60
    return f"{minutes:g} minute" if minutes == 1 else f"{minutes:g} minutes"


# --------------------------------------------------------------------------------------------
# Formatting helpers
# --------------------------------------------------------------------------------------------


def _pct(x: float) -> str:
    """A share as a percentage with as many decimals as it needs (0.005 -> 0.5%)."""
    text = f"{x * 100:.3f}".rstrip("0").rstrip(".")
    return f"{text}%"


def _money(x: float) -> str:
    if x == int(x):
        return f"${int(x):,}"
    return f"${x:,.2f}" if x >= 1 else f"${x:g}"


def _share_answer(value: float) -> str:
    """A share as the worked solution states it: at the drill's precision, then as a percentage."""
    return f"**{SHARE.format(value)}** ({SHARE.format(value, percent=True)})"


def _as_share(noun: str = "share") -> str:
    """The end of a share's prompt: what to give, and to what precision."""
    return f" Answer as a {noun} between 0 and 1, {SHARE.phrase}."


def _pick(rng: np.random.Generator, options: Sequence[Any]) -> Any:
    return options[int(rng.integers(len(options)))]


def _round_to(x: float, step: float) -> float:
    return max(step, round(x / step) * step)


def _up(x: float) -> int:
    """Round a count up, ignoring floating-point dust (12.000000001 is 12)."""
    return math.ceil(x - 1e-9)


# The kit's statistical functions, cached: a drill draws from a few dozen distinct inputs, and a
# rejected draw is drawn again, so the same inputs come back many times.
_bound = functools.lru_cache(maxsize=None)(upper_bound)
_per_arm = functools.lru_cache(maxsize=None)(sample_size_per_arm)


@functools.lru_cache(maxsize=None)
def _split_total(p1: float, p2: float, share: float) -> int:
    """Users in all when a share ``share`` gets the new version (``rollout.sample_size``)."""
    return sample_size(p1, p2, share).total


# --------------------------------------------------------------------------------------------
# The drill types of modules 02-05. Each builder returns the drill's fields for one draw of numbers.
# --------------------------------------------------------------------------------------------

_PRECISION_STORIES = (
    ("A fraud model screens card payments", "payments", "fraudulent"),
    ("A screening test checks patients for a disease", "patients", "ill"),
    ("A moderation model screens posts for harmful content", "posts", "harmful"),
    ("A model flags insurance claims for investigation", "claims", "fraudulent"),
)


def _precision_given(difficulty: int, things: str, bad: str, tpr: float, fpr: float, prevalence: float) -> str:
    """The sentences that give the rates, in the words each difficulty uses."""
    if difficulty == 1:
        return f"It catches {_pct(tpr)} of the {bad} {things} and wrongly flags {_pct(fpr)} of the others. {_pct(prevalence)} of {things} are {bad}."
    if difficulty == 2:
        return f"Its sensitivity is {_pct(tpr)} and its specificity {_pct(1 - fpr)}. {_pct(prevalence)} of {things} are {bad}."
    accuracy = prevalence * tpr + (1 - prevalence) * (1 - fpr)
    return (
        f"About 1 in {round(1 / prevalence):,} {things} is {bad}. The {_FLAG_STORIES[things].actor} catches {_pct(tpr)} of them and wrongly flags "
        f"{_pct(fpr)} of the rest; the vendor's slide says it is {_pct(round(accuracy, 4))} accurate."
    )


def _precision_slips(difficulty: int, tpr: float, fpr: float, prevalence: float) -> list[Slip]:
    accuracy = prevalence * tpr + (1 - prevalence) * (1 - fpr)
    if difficulty == 3:
        # With a rare problem, leaving out the prevalence lands next to the accuracy: name the accuracy.
        main = Slip("answered_accuracy", accuracy,
                    "That is about the accuracy, which is also what you get by leaving out how rare the problem is. "
                    "Accuracy is high because most cases are fine whatever the model says; the question asks how many "
                    "flags are right: weigh the catch rate by how rare the problem is.")
    else:
        main = Slip("ignored_prevalence", tpr / (tpr + fpr),
                    "You left out how rare the problem is (the prevalence). Weigh the catch rate by the share that is bad, "
                    "and the false-alarm rate by the share that is not.")
    slips = [
        main,
        Slip("answered_recall", tpr,
             "That is the share of bad cases the model catches (recall), not the share of flags that are right (precision)."),
        Slip("real_flags_over_all_cases", prevalence * tpr,
             "That is the share of all cases that are real flags. The question asks about the flagged cases only: "
             "divide the real flags by all the flags, real and false."),
    ]
    if difficulty == 2:
        slips.append(Slip("specificity_as_fpr", prevalence * tpr / (prevalence * tpr + (1 - prevalence) * (1 - fpr)),
                          "You used the specificity as the false-alarm rate. The false-alarm rate is 1 − specificity."))
    # Close to the answer when the problem is rare: kept only when the precision tells it from every other slip,
    # so that it never turns a usable draw into one drawn again (each seed keeps its numbers).
    everyone = Slip("false_alarms_on_everyone", prevalence * tpr / (prevalence * tpr + fpr),
                    "You applied the false-alarm rate to every case. False alarms come only from the cases that are not bad: "
                    "weigh the false-alarm rate by their share, 1 − prevalence.")
    if all(_distinct(SHARE, everyone.value, slip.value) for slip in slips):
        slips.append(everyone)
    return slips


def _base_rate_precision(rng, difficulty, sc) -> dict[str, Any]:
    story, things, bad = _pick(rng, _PRECISION_STORIES)
    prevalence = min(0.3, float(_pick(rng, [0.001, 0.002, 0.005, 0.01, 0.02, 0.04])) * sc.prevalence)
    tpr = float(_pick(rng, [0.80, 0.85, 0.90, 0.95, 0.99]))
    fpr = float(_pick(rng, [0.005, 0.01, 0.02, 0.03, 0.05, 0.08]))
    if difficulty == 3:
        prevalence = 1 / round(1 / prevalence)  # stated as "1 in N"
    precision = precision_at_prevalence(tpr, fpr, prevalence)
    given = _precision_given(difficulty, things, bad, tpr, fpr, prevalence)
    real, false = prevalence * tpr * 1e6, (1 - prevalence) * fpr * 1e6
    working = (
        f"Out of 1,000,000 {things}: {prevalence * 1e6:,.0f} are {bad}, and the {_FLAG_STORIES[things].actor} flags {real:,.0f} of them. "
        f"Of the {(1 - prevalence) * 1e6:,.0f} others it wrongly flags {false:,.0f}. "
        f"Precision = π·TPR / (π·TPR + (1 − π)·FPR) = {real:,.0f} / {real + false:,.0f} = {_share_answer(precision)}."
    )
    return dict(
        title="Base-rate precision",
        prompt=f"{story}. {given} Of the {things} it flags, what share are really {bad}?" + _as_share(),
        expected=precision,
        units="",
        slips=_precision_slips(difficulty, tpr, fpr, prevalence),
        hints=(
            "Imagine 1,000,000 cases. How many are bad, and how many of those are flagged?",
            "Count the false alarms too: the false-alarm rate applies to the cases that are not bad. "
            "Precision = real flags / all flags; `precision_at_prevalence(tpr, fpr, prevalence)` does it.",
        ),
        working=working,
        code=f"precision_at_prevalence(tpr={tpr}, fpr={fpr}, prevalence={prevalence!r})",
        params={"prevalence": prevalence, "tpr": tpr, "fpr": fpr},
        seconds=120,
        precision=SHARE,
        fraction=True,
        so_what=_precision_decision(things, bad, precision, prevalence, tpr, sc.cost),
    )


_SWAPPED = "The costs are swapped: the false-alarm cost goes on top of the fraction. A costly miss should push the threshold down, not up."
_HALF = "0.5 is the default, right only when both errors cost the same. Price the two errors."
_ODDS = ("C_FP / C_FN is the break-even odds, not a probability. A probability puts the false-alarm cost over "
         "the sum of what flagging and not flagging can cost.")


def _threshold_case(rng, difficulty, sc, miss: float) -> tuple[dict[str, float], str, list[Slip], str, dict[str, float]]:
    """The costs of one threshold case: (costs, story, the slips specific to it, the costs in the working, and the
    facts behind the costs that the "so what" step changes)."""
    if difficulty == 1:
        hold = float(rng.integers(2, 51)) * sc.cost
        story = (f"A model scores payments with a calibrated probability of fraud. A missed fraud costs {_money(miss)}; "
                 f"holding a good payment for review costs {_money(hold)} (analyst time and an annoyed customer). "
                 "Above what probability should a payment be held, to keep the expected cost lowest?")
        slips = [Slip("swapped_costs", miss / (miss + hold), _SWAPPED), Slip("default_half", 0.5, _HALF), Slip("cost_ratio", hold / miss, _ODDS)]
        working = f"C_FP = {_money(hold)}, C_FN = {_money(miss)}, correct decisions cost nothing."
        return {"cost_fp": hold, "cost_fn": miss, "cost_tp": 0.0}, story, slips, working, {}
    if difficulty == 2:
        review = float(rng.integers(5, 51)) * sc.cost
        lost = float(_pick(rng, [0.2, 0.3, 0.4, 0.5]))
        tp = review + lost * miss
        story = (f"Every held payment is reviewed by an analyst at {_money(review)}. A missed fraud loses the full {_money(miss)}. "
                 f"A caught fraud still loses {_pct(lost)} of it (money already gone), plus the review. "
                 "The model's probabilities are calibrated. Above what probability should a payment be held?")
        slips = [
            Slip("ignored_cost_of_catching", review / (review + miss),
                 "You treated a caught fraud as free. Catching it still costs the review and the money already lost, "
                 "so catching saves less than the full miss: use C_FN − C_TP in the denominator."),
            Slip("swapped_costs", (miss - tp) / (review + miss - tp), "The costs are swapped: the wrong-alarm cost goes on top of the fraction."),
            Slip("default_half", 0.5, _HALF),
            Slip("false_alarm_left_out_below", review / (miss - tp),
                 "The false-alarm cost goes both on top and underneath: the denominator is C_FP + (C_FN − C_TP)."),
        ]
        working = f"C_FP = {_money(review)}, C_FN = {_money(miss)}, C_TP = {_money(review)} + {_pct(lost)} × {_money(miss)} = {_money(tp)}, C_TN = $0."
        return {"cost_fp": review, "cost_fn": miss, "cost_tp": tp}, story, slips, working, {"lost": lost}
    minutes = float(_pick(rng, [6, 10, 12, 15, 20, 30]))
    wage = float(rng.integers(6, 19)) * 5 * sc.cost  # $30 to $90 an hour
    hold = minutes * wage / 60
    story = (f"Flagged support conversations go to a specialist, who spends {minutes:g} minutes on each and costs "
             f"{_money(wage)} an hour. A missed case (a customer who churns after a bad answer) costs {_money(miss)}. "
             "Time on a real case is worth it, so count it as free. The model's probabilities are calibrated. "
             "Above what probability should a conversation be flagged?")
    slips = [
        Slip("minutes_as_dollars", minutes / (minutes + miss),
             "You used the minutes as dollars. Turn the specialist's time into money first: minutes / 60 × hourly cost."),
        Slip("hourly_wage_as_cost", wage / (wage + miss), "You used the hourly cost for a whole hour; one case takes only part of an hour."),
        Slip("swapped_costs", miss / (miss + hold), "The costs are swapped: the false-alarm cost goes on top of the fraction."),
        Slip("default_half", 0.5, _HALF),
    ]
    working = f"C_FP = {minutes:g} / 60 × {_money(wage)} = {_money(round(hold, 2))}, C_FN = {_money(miss)}."
    return {"cost_fp": hold, "cost_fn": miss, "cost_tp": 0.0}, story, slips, working, {"minutes": minutes, "wage": wage}


def _threshold_by_cost(rng, difficulty, sc) -> dict[str, Any]:
    miss = float(rng.integers(10, 301)) * 10 * sc.cost  # $100 to $3,000
    costs, story, slips, working_costs, facts = _threshold_case(rng, difficulty, sc, miss)
    t = bayes_threshold(costs["cost_fp"], costs["cost_fn"], costs["cost_tp"])
    return dict(
        title="Threshold from error costs",
        prompt=story + _as_share("probability"),
        expected=t,
        units="",
        slips=slips,
        hints=(
            "Flag a case when the expected cost of leaving it is above the expected cost of flagging it.",
            "With calibrated probabilities, t* = (C_FP − C_TN) / ((C_FP − C_TN) + (C_FN − C_TP)); "
            "`bayes_threshold(cost_fp, cost_fn, cost_tp)` computes it.",
        ),
        working=f"{working_costs} Flag when p·(C_FN − C_TP) ≥ (1 − p)·C_FP, so t* = C_FP / (C_FP + C_FN − C_TP) = **{SHARE.format(t)}**.",
        code=f"bayes_threshold(cost_fp={costs['cost_fp']!r}, cost_fn={costs['cost_fn']!r}, cost_tp={costs['cost_tp']!r})",
        params=costs,
        seconds=90,
        precision=SHARE,
        fraction=True,
        so_what=_threshold_decision(difficulty, costs, facts),
    )


_DESK_DAYS = (7, 5)  # the desk is open 7 days a week; each reviewer works 5


@dataclasses.dataclass(frozen=True)
class _Desk:
    """The numbers of one headcount case. ``shrinkage`` is None at difficulty 1, which asks for the
    people reviewing on a given day, not the people to employ."""

    cases: int
    share: float
    minutes: float
    hours: float  # productive hours a reviewer gives to tickets on a day at the desk
    shrinkage: float | None
    auto: float = 0.0
    caveat: float = 0.0

    def staffing(self, share: float | None = None) -> Staffing:
        """The kit's staffing (``reviewer_fte``) for this desk, or for another human share. The productive hours
        are the hours of work a person gives on a day at the desk: the shift, at occupancy 1."""
        share = self.share if share is None else share
        return reviewer_fte(self.cases * share, self.minutes, shift_hours=self.hours, occupancy=1.0,
                            shrinkage=self.shrinkage, days_open=_DESK_DAYS[0], days_worked=_DESK_DAYS[1])


def _headcount_prompt(difficulty: int, c: _Desk) -> str:
    if difficulty == 1:
        return (f"An assistant handles {c.cases:,} tickets a day and sends {_pct(c.share)} of them to a human. A human needs "
                f"{c.minutes:g} minutes a ticket, and a reviewer has {c.hours:g} productive hours a day. How many reviewers "
                "must be reviewing on a given day to keep up (the people at work that day, not the people to employ)?")
    desk = (f"The desk is open 7 days a week; each reviewer works 5 of them and gives {c.hours:g} productive hours a day to "
            f"tickets. Shrinkage is {_pct(c.shrinkage)}: the share of paid time lost to leave, sickness and training. How "
            "many full-time reviewers must you employ?")
    if difficulty == 2:
        return (f"An assistant handles {c.cases:,} tickets a day, every day of the week, and sends {_pct(c.share)} of them to a "
                f"human, who needs {c.minutes:g} minutes a ticket. {desk}")
    return (f"A three-zone policy answers {_pct(c.auto)} of {c.cases:,} tickets a day automatically, every day of the week, "
            f"answers {_pct(c.caveat)} with a caveat (no human), and sends the rest to a human, who needs {c.minutes:g} "
            f"minutes a ticket. {desk}")


_ON_THE_DESK = ("That is how many people must be reviewing on a given day, not how many to employ. Each person works 5 of the "
                "desk's 7 days, and shrinkage takes part of their paid time: scale up for both.")
_CAVEAT_SHARE = "The caveat zone is answered with a warning, not by a human. The human zone is what is left: 1 − automatic − caveat."
_CAVEAT_ZONE = ("You sent the caveat zone to humans as well. Its tickets get an answer with a warning and no human: only what is "
                "left after both zones needs a reviewer.")


def _desk_slips(c: _Desk) -> list[Slip]:
    """The slips of the people to employ (difficulty 2 and 3): each step of the staffing left out or turned round."""
    st = c.staffing()
    cover = _DESK_DAYS[0] / _DESK_DAYS[1]
    return [
        Slip("people_on_the_desk", _up(st.on_desk), _ON_THE_DESK),
        Slip("forgot_shrinkage", _up(st.on_desk * cover),
             "You left out shrinkage: leave, sickness and training take part of each person's paid time. Divide by (1 − shrinkage)."),
        Slip("forgot_seven_day_cover", _up(st.on_desk / (1 - c.shrinkage)),
             "You left out the 7-day cover: the desk is open 7 days and each person works 5, so each seat needs 7/5 people."),
        Slip("shrinkage_multiplied", _up(st.on_desk * cover * (1 + c.shrinkage)),
             "You multiplied by (1 + shrinkage). Shrinkage is a share of paid time lost, so only (1 − shrinkage) of it is left "
             "for work: divide by (1 − shrinkage)."),
        Slip("forgot_human_share", c.staffing(share=1.0).hire, "You staffed for every ticket. Only the share sent to a human needs a reviewer."),
        Slip("hours_not_minutes", _up(st.fte * 60),
             "You divided minutes of work by hours of time. Turn a reviewer's productive hours into minutes first (× 60)."),
    ]


def _merge_twins(slips: list[Slip]) -> list[Slip]:
    """The slips, with any that give the same whole number as an earlier one merged into it: its feedback
    names each step that leads there. (The staffing factors 7/5, 1 / (1 − shrinkage) and 8 / hours on
    tickets are close, so on a small desk two slips often land on the same count.)"""
    groups: list[list[Slip]] = []
    for slip in slips:
        twin = next((g for g in groups if not _distinct(COUNT, g[0].value, slip.value)), None)
        if twin is None:
            groups.append([slip])
        else:
            twin.append(slip)
    merged = []
    for group in groups:
        if len(group) == 1:
            merged.append(group[0])
            continue
        lead = "Two different slips" if len(group) == 2 else "Several slips"
        feedback = f"{lead} give this number. Either: " + " Or: ".join(slip.feedback for slip in group)
        merged.append(dataclasses.replace(group[0], feedback=feedback))
    return merged


def _headcount_slips(difficulty: int, c: _Desk) -> list[Slip]:
    if difficulty == 1:
        def staff(human_share: float) -> int:
            return _up(reviewer_headcount(c.cases, human_share, c.minutes, c.hours))

        return [
            Slip("forgot_human_share", staff(1.0), "You staffed for every ticket. Only the share sent to a human needs a reviewer."),
            Slip("hours_not_minutes", _up(c.cases * c.share * c.minutes / c.hours),
                 "You divided minutes of work by hours of time. Turn a reviewer's productive hours into minutes first (× 60)."),
            Slip("tickets_per_reviewer", c.hours * 60 / c.minutes,
                 "That is how many tickets one reviewer can handle in a day. The question asks how many reviewers the human share needs."),
        ]
    slips = _desk_slips(c)
    if difficulty == 3:
        slips.insert(0, Slip("used_caveat_share", c.staffing(share=c.caveat).hire, _CAVEAT_SHARE))
        slips.append(Slip("staffed_caveat_zone", c.staffing(share=round(1 - c.auto, 4)).hire, _CAVEAT_ZONE))
    return _merge_twins(slips)


def _headcount_working(difficulty: int, c: _Desk) -> str:
    to_humans = f"Tickets to humans: {c.cases:,} × {_pct(c.share)} = {c.cases * c.share:,.0f} a day"
    if difficulty == 1:
        raw = reviewer_headcount(c.cases, c.share, c.minutes, c.hours)
        return (f"{to_humans}. Minutes: × {c.minutes:g} = {c.cases * c.share * c.minutes:,.0f}. One reviewer gives "
                f"{c.hours:g} × 60 = {c.hours * 60:g} minutes a day. {c.cases * c.share * c.minutes:,.0f} / {c.hours * 60:g} = "
                f"{raw:.2f}, so **{_up(raw)}** reviewer{'' if _up(raw) == 1 else 's'} at work on a given day (round up). The people to "
                "employ are more: the desk may be open every day, and leave and training take time (`reviewer_fte`).")
    st = c.staffing()
    zone = f"Human zone: 1 − {c.auto:g} − {c.caveat:g} = {c.share:g}. " if difficulty == 3 else ""
    return (f"{zone}{to_humans}; × {c.minutes:g} minutes / 60 = {st.workload_hours:,.1f} hours of reviewing a day. Each reviewer "
            f"gives {c.hours:g} productive hours a day: {st.workload_hours:,.1f} / {c.hours:g} = {st.on_desk:.2f} people reviewing "
            f"on each open day. The desk is open 7 days and each person works 5: × 7/5 = {st.on_desk * 1.4:.2f}. Shrinkage "
            f"{_pct(c.shrinkage)}: ÷ (1 − {c.shrinkage:g}) = {st.fte:.2f}, so **{st.hire}** full-time reviewers to employ "
            "(round up at the end, not at each step).")


def _headcount_hints(difficulty: int) -> tuple[str, str]:
    if difficulty == 1:
        return ("Work out the minutes of human work a day, then the minutes one reviewer can give.",
                "People reviewing = tickets × human share × minutes / (60 × productive hours), rounded up; "
                "`reviewer_headcount(cases, share, minutes, hours)` gives the unrounded figure.")
    return ("First the people reviewing on each open day: hours of work a day / productive hours per person. Then the people "
            "to employ: a 7-day desk from 5-day weeks, and the paid time shrinkage takes.",
            "People to employ = people on the desk × 7/5 / (1 − shrinkage), rounded up at the end; "
            "`reviewer_fte(tickets to humans, minutes, shift_hours=productive hours, occupancy=1, shrinkage=...)` does it "
            "(`.fte`, `.hire`).")


def _headcount_code(difficulty: int, c: _Desk) -> str:
    if difficulty == 1:
        return f"math.ceil(reviewer_headcount({c.cases}, {c.share!r}, {c.minutes!r}, {c.hours!r}))"
    return (f"reviewer_fte({c.cases} * {c.share!r}, {c.minutes!r}, shift_hours={c.hours!r}, occupancy=1.0, "
            f"shrinkage={c.shrinkage!r}, days_open=7, days_worked=5).hire")


def _reviewer_headcount(rng, difficulty, sc) -> dict[str, Any]:
    # At least 1,500 a day even in a low-volume scenario, so the team has several people in it.
    cases = max(1_500, int(_round_to(float(_pick(rng, [2_000, 4_000, 6_000, 9_000, 12_000, 20_000])) * sc.volume * float(rng.uniform(0.8, 1.25)), 100)))
    # the people to employ need a desk of several people, so that each step of the staffing shows in the count
    minutes = float(_pick(rng, [1.5, 2, 3, 4, 5] if difficulty == 1 else [3, 4, 5, 6, 8]))
    hours = float(_pick(rng, [5.5, 6, 6.5, 7]))
    auto = caveat = 0.0
    if difficulty == 3:
        auto = float(_pick(rng, [0.6, 0.65, 0.7, 0.75]))
        caveat = float(_pick(rng, [0.1, 0.15, 0.2]))
        share = round(1 - auto - caveat, 4)
    else:
        share = float(_pick(rng, [0.05, 0.08, 0.1, 0.12, 0.15, 0.2, 0.25]))
    # 30% is common too, but then 7/5 and 1 / (1 − 0.3) give the same count and a learner cannot tell which step they missed
    shrinkage = float(_pick(rng, [0.2, 0.25, 0.35])) if difficulty > 1 else None
    c = _Desk(cases, share, minutes, hours, shrinkage, auto, caveat)
    answer = _up(reviewer_headcount(cases, share, minutes, hours)) if difficulty == 1 else c.staffing().hire
    params = {"cases_per_day": cases, "human_share": share, "minutes_per_case": minutes, "productive_hours": hours, "shrinkage": shrinkage}
    if difficulty > 1:
        params.update(days_open=_DESK_DAYS[0], days_worked=_DESK_DAYS[1])
    return dict(
        title="Reviewer headcount",
        prompt=_headcount_prompt(difficulty, c),
        expected=answer,
        units="reviewers",
        slips=_headcount_slips(difficulty, c),
        hints=_headcount_hints(difficulty),
        working=_headcount_working(difficulty, c),
        code=_headcount_code(difficulty, c),
        params=params,
        seconds=120 if difficulty == 1 else 150,
        precision=COUNT,
        so_what=_headcount_decision(difficulty, answer),
    )


def _bound_slips(difficulty: int, errors: int, n: int, level: float) -> list[Slip]:
    slips = [
        Slip("point_estimate", errors / n,
             f"{errors} / {n:,} is what you saw, not what you can promise. A small sample can hide a worse true rate: "
             "give the upper confidence bound."),
    ]
    if difficulty == 1:
        slips.append(Slip("one_over_n", 1 / n, "1 / n is one error in the sample. With none seen, the bound is about three errors' worth."))
        slips.append(Slip("rule_of_three", 3 / n,
                          "That is the rule of three, 3 / n: the quick estimate to say aloud, a little above the exact bound. "
                          "The question asks for the exact (Clopper–Pearson) bound, which differs at three significant figures: "
                          "with no errors it is 1 − (1 − level)^(1/n), or `upper_bound(errors, n, confidence_level)`."))
    else:
        p = errors / n
        z = 2.3263 if level == 0.99 else 1.6449
        slips.append(Slip("normal_approximation", p + z * math.sqrt(p * (1 - p) / n),
                          "That is the normal approximation, which is too optimistic with only a few errors. Use the exact "
                          "(Clopper–Pearson) bound, e.g. `upper_bound(errors, n, confidence_level)`."))
    if difficulty == 3:
        slips.append(Slip("used_95", _bound(errors, n, 0.95),
                          "That is the 95% bound. At 99% confidence you must allow for a worse true rate, so the bound is higher."))
    slips.append(Slip("two_sided", _bound(errors, n, 1 - (1 - level) / 2),
                      f"That is the upper end of a two-sided {level:.0%} interval. A promise only needs the one-sided bound: "
                      f"all {1 - level:.0%} of doubt goes above it, so it is lower."))
    return slips


def _budget_bound(rng, difficulty, sc) -> dict[str, Any]:
    level = 0.99 if difficulty == 3 else 0.95
    if difficulty == 1:
        errors = 0
        n = int(rng.integers(10, 101)) * 10  # 100 to 1,000
    else:
        errors = int(rng.integers(1, 9))
        n = int(rng.integers(4, 41)) * 50  # 200 to 2,000
    bound = _bound(errors, n, level)
    thing = _pick(rng, ["answers from a support assistant", "routed tickets", "contract clauses the model extracted", "summaries of patient notes"])
    prompt = (
        f"Reviewers checked a random sample of {n:,} {thing} and found {errors} wrong. What error rate can you promise "
        f"with {level:.0%} confidence? Give the exact one-sided {level:.0%} upper bound on the true error rate "
        "(Clopper–Pearson: the worst rate the sample still makes plausible)." + _as_share()
    )
    rule = f" The rule of three, 3 / n = {SHARE.format(3 / n)}, is the quick estimate: a little higher." if errors == 0 else ""
    working = (
        f"The one-sided Clopper–Pearson bound for {errors} error{'' if errors == 1 else 's'} in {n:,} at {level:.0%} is the {level:.0%} quantile of "
        f"Beta({errors + 1}, {n - errors}): {_share_answer(bound)}.{rule} The observed rate {errors / n:.4f} is only the point estimate."
    )
    return dict(
        title="What error rate you can promise",
        prompt=prompt,
        expected=bound,
        units="",
        slips=_bound_slips(difficulty, errors, n, level),
        hints=(
            "The sample's error rate is an estimate; the promise must hold for the worst rate that is still plausible.",
            f"Use the one-sided upper bound: `upper_bound({errors}, {n}, confidence_level={level})`."
            + (f" With zero errors it is exactly 1 − {1 - level:.2f}^(1/n); the rule of three, 3 / n, is the quick estimate." if errors == 0 else ""),
        ),
        working=working,
        code=f"upper_bound({errors}, {n}, confidence_level={level})",
        params={"errors": errors, "n": n, "confidence_level": level},
        seconds=120,
        precision=SHARE,
        fraction=True,
        so_what=_bound_decision(errors, n, level, bound),
    )


def _volume_for_cost(rng, difficulty: int, sc) -> tuple[float, str, str, float | None, int | None]:
    """How many queries the cost covers: (factor, question, working step, cache hit rate, queries a day)."""
    if difficulty == 1:
        return 1.0, " What does one query cost, in dollars?", "", None, None
    per_day = int(_round_to(float(_pick(rng, [5_000, 10_000, 20_000, 50_000, 120_000])) * sc.volume, 100))
    if difficulty == 2:
        ask = f" It gets {per_day:,} queries a day. What does it cost in a 30-day month, in dollars?"
        return per_day * DAYS_PER_MONTH, ask, f" × {per_day:,} a day × 30 days", None, per_day
    hit = float(_pick(rng, [0.2, 0.3, 0.4, 0.5]))
    ask = (f" It gets {per_day:,} queries a day, and {_pct(hit)} of them are repeats served from a cache at no cost. "
           "What does it cost in a 30-day month, in dollars?")
    return per_day * DAYS_PER_MONTH * (1 - hit), ask, f" × {per_day:,} a day × 30 days × (1 − {hit:g}) misses", hit, per_day


def _cost_slips(factor: float, per_query: float, tokens: tuple[int, int, int], prices: tuple[float, float], hit: float | None, per_day: int | None) -> list[Slip]:
    prompt_tokens, retrieved, output = tokens
    p_in, p_out = prices
    answer = per_query * factor
    slips = [
        Slip("forgot_retrieved_tokens", cost_per_query(prompt_tokens, output, p_in, p_out) * factor,
             "You left out the retrieved text. Everything sent to the model is input: instructions, question and retrieved passages."),
        Slip("per_thousand", answer * 1000, "Prices are per million tokens, not per thousand: divide by 1,000,000."),
        Slip("swapped_prices", cost_per_query(prompt_tokens + retrieved, output, p_out, p_in) * factor,
             "The prices are swapped: input tokens take the input price, output tokens the output price."),
        Slip("forgot_output_tokens", (prompt_tokens + retrieved) * p_in / 1e6 * factor,
             "You left out the answer's tokens. The output is paid for too, at the output price."),
    ]
    if per_day is not None:
        month = per_query * per_day * DAYS_PER_MONTH
        slips.append(Slip("one_day_not_a_month", answer / DAYS_PER_MONTH, "That is one day's bill. The question asks for a 30-day month."))
    if hit is not None:
        slips.insert(0, Slip("ignored_cache", month, "You left out the cache: repeats served from it cost nothing, so only the misses are paid for."))
        slips.append(Slip("hit_rate_for_misses", month * hit, "You paid for the hits. The queries the model answers are the misses: 1 − hit rate."))
    return slips


def _cost_per_query(rng, difficulty, sc) -> dict[str, Any]:
    prompt_tokens = int(_pick(rng, [300, 400, 500, 800, 1_000]))
    retrieved = int(_pick(rng, [1_500, 2_000, 3_000, 4_000, 6_000]))
    output = int(_pick(rng, [150, 200, 300, 400, 600]))
    p_in, p_out = _pick(rng, [(2.0, 8.0), (0.4, 1.6), (3.0, 15.0), (1.25, 10.0), (1.0, 5.0), (0.3, 2.5)])
    per_query = cost_per_query(prompt_tokens + retrieved, output, p_in, p_out)
    setting = (
        f"A RAG assistant sends {prompt_tokens:,} tokens of instructions and question plus {retrieved:,} tokens of retrieved "
        f"text, and gets {output:,} tokens back. The model costs ${p_in:g} per million input tokens and ${p_out:g} per million "
        "output tokens."
    )
    factor, ask, extra, hit, per_day = _volume_for_cost(rng, difficulty, sc)
    answer = per_query * factor
    working = (
        f"Input {prompt_tokens:,} + {retrieved:,} = {prompt_tokens + retrieved:,} tokens × ${p_in:g} / 1M = "
        f"${(prompt_tokens + retrieved) * p_in / 1e6:.6f}; output {output:,} × ${p_out:g} / 1M = ${output * p_out / 1e6:.6f}. "
        f"Per query ${per_query:.6f}{extra} = **${MONEY.format(answer)}**."
    )
    return dict(
        title="Cost per query" if difficulty == 1 else "Monthly model bill",
        prompt=setting + ask,
        expected=answer,
        units="USD per query" if difficulty == 1 else "USD a month",
        slips=_cost_slips(factor, per_query, (prompt_tokens, retrieved, output), (p_in, p_out), hit, per_day),
        hints=(
            "Count every token sent (instructions, question, retrieved text) at the input price, and the answer at the output price.",
            "Cost per query = (input tokens × input price + output tokens × output price) / 1,000,000; "
            "`cost_per_query(input_tokens, output_tokens, price_in, price_out)`.",
        ),
        working=working,
        code=f"cost_per_query({prompt_tokens + retrieved}, {output}, {p_in}, {p_out})" + (f" * {factor:g}" if factor != 1 else ""),
        params={"prompt_tokens": prompt_tokens, "retrieved_tokens": retrieved, "output_tokens": output,
                "price_in": p_in, "price_out": p_out, "factor": factor},
        seconds=120,
        precision=MONEY,
        so_what=_cost_decision(difficulty, answer, (prompt_tokens + retrieved) * p_in / ((prompt_tokens + retrieved) * p_in + output * p_out)),
    )


@dataclasses.dataclass(frozen=True)
class _BreakEvenCase:
    """The numbers of one break-even case, and the queries a day at which two cost lines cross."""

    months: int
    rag_setup: float
    ft_setup: float
    rag_q: float
    ft_q: float
    rag_month: float
    ft_month: float
    every: int | None
    retrain: float

    @property
    def days(self) -> int:
        return self.months * DAYS_PER_MONTH

    @property
    def retrains(self) -> int:
        """Retrains strictly before the end of the horizon (the first at month ``every``)."""
        return max(0, math.ceil(self.months / self.every - 1e-9) - 1) if self.every else 0

    @property
    def ft_fixed(self) -> float:
        return self.ft_setup + self.retrains * self.retrain

    def per_day(self, rag_fixed: float, ft_fixed: float, rag_month: float = 0.0, ft_month: float = 0.0, saving: float | None = None) -> float:
        """Queries a day at which the fixed-cost gap is paid back by the saving per query."""
        gap = ft_fixed + self.months * ft_month - rag_fixed - self.months * rag_month
        return gap / (self.rag_q - self.ft_q if saving is None else saving) / self.days


def _break_even_case(rng, difficulty: int, sc) -> _BreakEvenCase:
    months = int(_pick(rng, [6, 12, 18, 24]))
    rag_setup = float(_pick(rng, [5_000, 10_000, 15_000, 20_000])) * sc.cost
    ft_setup = rag_setup + float(_pick(rng, [15_000, 25_000, 40_000, 60_000])) * sc.cost
    rag_q = float(_pick(rng, [0.006, 0.008, 0.010, 0.015, 0.020]))
    ft_q = round(rag_q * float(_pick(rng, [0.1, 0.2, 0.3, 0.4])), 5)
    rag_month = float(_pick(rng, [300, 500, 1_000, 2_000])) * sc.cost if difficulty >= 2 else 0.0
    ft_month = float(_pick(rng, [0, 200, 400])) * sc.cost if difficulty >= 2 else 0.0
    every = int(_pick(rng, [2, 3, 4, 6])) if difficulty == 3 else None
    retrain = float(_pick(rng, [2_400, 5_000, 8_000, 12_000])) * sc.cost if difficulty == 3 else 0.0
    return _BreakEvenCase(months, rag_setup, ft_setup, rag_q, ft_q, rag_month, ft_month, every, retrain)


def _break_even_slips(c: _BreakEvenCase, difficulty: int, volume: float) -> list[Slip]:
    slips = [
        Slip("total_not_per_day", volume, f"That is the total over {c.months} months. Divide by the {c.days} days to get queries a day."),
        Slip("forgot_rag_setup", c.per_day(0, c.ft_fixed, c.rag_month, c.ft_month),
             "You left out RAG's own build cost: it counts against the fine-tuned option's extra fixed cost."),
        Slip("per_month_not_per_day", volume / c.months, "That is queries a month. The question asks for queries a day: divide by the days, not the months."),
        Slip("price_not_saving", c.per_day(c.rag_setup, c.ft_fixed, c.rag_month, c.ft_month, saving=c.rag_q),
             "You divided by RAG's price per query. What pays back the extra fixed cost is the saving per query: "
             "RAG's price minus the fine-tuned price."),
    ]
    if difficulty >= 2:
        slips.insert(0, Slip("ignored_monthly", c.per_day(c.rag_setup, c.ft_fixed),
                             "You left out the monthly running costs. Over the horizon they add months × monthly cost to each side."))
        slips.append(Slip("monthly_once", c.per_day(c.rag_setup, c.ft_fixed, c.rag_month / c.months, c.ft_month / c.months),
                          "You counted the monthly costs once. Multiply them by the number of months."))
    if difficulty == 3:
        slips.insert(0, Slip("forgot_retrains", c.per_day(c.rag_setup, c.ft_setup, c.rag_month, c.ft_month),
                             "You left out the retrains: they add to the fine-tuned option's fixed cost."))
        months = ", ".join(str(c.every * k) for k in range(1, c.retrains + 2))
        slips.append(Slip("one_retrain_too_many", c.per_day(c.rag_setup, c.ft_setup + (c.retrains + 1) * c.retrain, c.rag_month, c.ft_month),
                          f"One retrain too many: with a retrain every {c.every} months, they fall at months {months}, and the last "
                          "one is at the end of the horizon, so it does not count."))
    return slips


def _break_even_prompt(c: _BreakEvenCase, difficulty: int) -> str:
    run = difficulty >= 2
    rag = f"RAG: {_money(c.rag_setup)} to build, {_money(c.rag_q)} a query" + (f", {_money(c.rag_month)} a month to run" if run else "") + "."
    ft = (f"Fine-tuned: {_money(c.ft_setup)} to build and train, {_money(c.ft_q)} a query"
          + (f", {_money(c.ft_month)} a month to run" if run else "")
          + (f", and a retrain costing {_money(c.retrain)} every {c.every} months (the first at month {c.every}, none at the very end)" if c.every else "")
          + ".")
    return (f"You compare two ways to build an assistant over {c.months} months of 30 days. {rag} {ft} "
            "Above how many queries a day does fine-tuning cost less in total?")


def _break_even_working(c: _BreakEvenCase, difficulty: int, volume: float, answer: float) -> str:
    gap = c.ft_fixed + c.months * c.ft_month - c.rag_setup - c.months * c.rag_month
    steps = (f"Extra fixed cost of fine-tuning over {c.months} months: {_money(c.ft_setup)}"
             + (f" + {c.retrains} retrain{'' if c.retrains == 1 else 's'} × {_money(c.retrain)}" if c.every else "")
             + (f" + {c.months} × {_money(c.ft_month)} − {_money(c.rag_setup)} − {c.months} × {_money(c.rag_month)}" if difficulty >= 2 else f" − {_money(c.rag_setup)}"))
    return (f"{steps} = {_money(round(gap, 2))}. Saving per query: {_money(c.rag_q)} − {_money(c.ft_q)} = ${c.rag_q - c.ft_q:.5f}. "
            f"Break-even: {gap:,.0f} / {c.rag_q - c.ft_q:.5f} = {volume:,.0f} queries, / {c.days} days = {answer:,.1f}, "
            f"so **{VOLUME.format(answer)} a day**.")


def _break_even(rng, difficulty, sc) -> dict[str, Any]:
    c = _break_even_case(rng, difficulty, sc)
    be = break_even_volume(c.rag_setup, c.rag_q, c.ft_fixed, c.ft_q, c.rag_month, c.ft_month, c.months, names=("RAG", "fine-tuned"))
    if be.volume is None or be.volume <= 0:  # fine-tuning cheaper at every volume: draw again
        return dict(expected=math.nan, slips=[], precision=VOLUME)
    answer = be.volume / c.days
    return dict(
        title="Break-even volume",
        prompt=_break_even_prompt(c, difficulty),
        expected=answer,
        units="queries a day",
        slips=_break_even_slips(c, difficulty, be.volume),
        hints=(
            "Fine-tuning costs more up front and less per query. Find the volume where the saving per query pays back the extra fixed cost.",
            "Q* = (extra fixed cost over the horizon) / (saving per query); divide by the days in the horizon. "
            "`break_even_volume(fixed_a, per_query_a, fixed_b, per_query_b, monthly_a, monthly_b, months).per_day`.",
        ),
        working=_break_even_working(c, difficulty, be.volume, answer),
        code=f"break_even_volume({c.rag_setup!r}, {c.rag_q!r}, {c.ft_fixed!r}, {c.ft_q!r}, {c.rag_month!r}, {c.ft_month!r}, months={c.months}).per_day",
        params={"months": c.months, "rag_setup": c.rag_setup, "rag_per_query": c.rag_q, "rag_monthly": c.rag_month,
                "ft_setup": c.ft_setup, "ft_per_query": c.ft_q, "ft_monthly": c.ft_month, "retrain_every": c.every,
                "retrain_cost": c.retrain, "retrains": c.retrains},
        seconds=180,
        precision=VOLUME,
        so_what=_break_even_decision(answer, c.months),
    )


_ONE_ARM = "You counted one arm. Both arms need that many users, so the test needs twice as many."
_PER_ARM = "That is the users each arm needs, not days. Turn it into days: both arms' users / the users who enter the test each day."
_TOTAL_USERS = "That is how many users the test needs in all, not days. Divide by the users who enter the test each day."


def _duration_fifty_fifty(rng, difficulty: int, base: str, users: int, n: int, p1: float, p2: float) -> tuple[int, str, list[Slip], str, str, float]:
    """A 50/50 test (difficulty 1, or 2 where only some users can enter): answer, prompt, slips, working, code, eligible share."""
    eligible = 1.0 if difficulty == 1 else float(_pick(rng, [0.2, 0.25, 0.4, 0.5]))
    in_test = users * eligible
    answer = _up(2 * n / in_test)
    slips = [Slip("one_arm_only", _up(n / in_test), _ONE_ARM), Slip("per_arm_users", n, _PER_ARM), Slip("total_users", 2 * n, _TOTAL_USERS)]
    if difficulty == 1:
        prompt = base + f" {users:,} users a day enter the test, split 50/50. How many days must it run?"
        working = f"n per arm = {n:,}; both arms {2 * n:,}; / {users:,} a day = {2 * n / users:.2f}, so **{answer} days** (round up)."
        return answer, prompt, slips, working, f"math.ceil(2 * sample_size_per_arm({p1}, {p2}) / {users})", eligible
    slips.insert(0, Slip("all_users_eligible", _up(2 * n / users), "You counted every user. Only those who can see the feature enter the test."))
    prompt = base + (f" The product has {users:,} users a day, but only the {_pct(eligible)} who reach the screen where the feature appears "
                     "can enter the test, split 50/50. How many days must it run?")
    working = (f"n per arm = {n:,}; both arms {2 * n:,}; users in the test {users:,} × {_pct(eligible)} = {in_test:,.0f} a day; "
               f"{2 * n:,} / {in_test:,.0f} = {2 * n / in_test:.2f}, so **{answer} days** (round up).")
    return answer, prompt, slips, working, f"math.ceil(2 * sample_size_per_arm({p1}, {p2}) / ({users} * {eligible}))", eligible


def _duration_canary(rng, base: str, users: int, n: int, p1: float, p2: float) -> tuple[int, str, list[Slip], str, str, float]:
    """A canary (difficulty 3): a small share gets the new version and everyone else is the control."""
    share = float(_pick(rng, [0.05, 0.1, 0.2]))
    answer = max(1, _up(_split_total(p1, p2, share) / users))  # what days_to_detect gives
    prompt = base + (f" It runs as a canary: {_pct(share)} of {users:,} users a day get the new version and everyone else is the "
                     "control. How many days must the canary run?")
    approx = 2 * n / (4 * share * (1 - share)) / users
    slips = [
        Slip("sized_as_50_50", _up(2 * n / users),
             "That is the length of a 50/50 test. With a small treatment share the treated users are the bottleneck, so it takes longer."),
        Slip("treated_need_n", _up(n / (users * share)),
             "You gave the treated group the full per-arm size of a 50/50 test. With everyone else as the control, the large control "
             "group carries part of the load: the treated group needs about n / (2(1 − f)) users, so the canary is shorter than that."),
        Slip("users_not_days", _split_total(p1, p2, share),
             "That is how many users the canary needs in all, not days. Divide by the users a day."),
        Slip("quick_estimate", _up(approx),
             "That is the quick 1/(4f(1 − f)) estimate: good for a first answer aloud, but here it lands off the exact length. "
             "Size the unequal split itself (`days_to_detect`), then round up."),
    ]
    working = (f"n per arm for a 50/50 test = {n:,}, so {2 * n:,} users in all. With treatment share f = {share:g}, the total grows by "
               f"about 1 / (4f(1 − f)) = {1 / (4 * share * (1 - share)):.2f}: {2 * n / (4 * share * (1 - share)):,.0f} users, "
               f"/ {users:,} a day = {approx:.2f} days. The exact unequal-split formula (`days_to_detect`) gives **{answer} days**; "
               f"a 50/50 test would need {_up(2 * n / users)}.")
    return answer, prompt, slips, working, f"days_to_detect({users}, {p1}, {p2 - p1!r}, treatment_share={share})", share


_RULE_OF_THUMB = ("That is what the rule of thumb n ≈ 16·p(1 − p)/δ² per arm gives: good for a first estimate said aloud, but "
                  "here it lands on another whole number of days. The question asks for the exact formula "
                  "(`sample_size_per_arm`, or `days_to_detect` for an unequal split), then round up.")


def _with_rule_of_thumb(slips: list[Slip], answer: int, days: int) -> list[Slip]:
    """The slips, naming the days the rule of thumb gives when they differ from the exact answer. When they
    agree, the rule's answer is the answer at the stated precision, and it is accepted. When another slip
    gives the same number, that slip's feedback names both."""
    if not _distinct(COUNT, days, answer):
        return slips
    twin = next((i for i, slip in enumerate(slips) if not _distinct(COUNT, slip.value, days)), None)
    if twin is None:
        return [*slips, Slip("rule_of_thumb", days, _RULE_OF_THUMB)]
    both = f"Two different slips give this number. Either: {slips[twin].feedback} Or: {_RULE_OF_THUMB}"
    return [*slips[:twin], dataclasses.replace(slips[twin], feedback=both), *slips[twin + 1:]]


def _in_whole_weeks(days: int) -> str:
    """The calendar after the count: a test runs whole weeks (the drill "Test length in whole weeks" asks for it)."""
    weeks = full_week_days(days)
    calendar = f"{days} days are whole weeks already" if weeks == days else f"here {weeks} days"
    return (" In practice a test runs whole weeks, at least one, because weekday and weekend users behave differently: "
            f"{calendar} (the drill \"Test length in whole weeks\" practises this).")


def _sample_size_duration(rng, difficulty, sc) -> dict[str, Any]:
    p1 = float(_pick(rng, [0.05, 0.08, 0.10, 0.20, 0.30, 0.40]))
    lift = float(_pick(rng, [0.01, 0.02, 0.03]))
    if p1 >= 0.2 and lift == 0.01:
        lift = 0.02
    p2 = round(p1 + lift, 4)
    n = _per_arm(p1, p2)
    # 2,000 to 40,000 a day; a scenario may shrink the traffic but not grow it, so a test still takes days.
    users = int(_round_to(float(rng.integers(20, 401)) * 100 * min(sc.volume, 1.0), 100))
    metric = _pick(rng, ["resolve the ticket without a human", "accept the suggested reply", "click a recommended article"])
    base = f"Today {_pct(p1)} of users {metric}. You want to detect a rise to {_pct(p2)} with a two-sided test at α = 0.05 and power 0.8."
    if difficulty == 3:
        answer, prompt, slips, working, code, share = _duration_canary(rng, base, users, n, p1, p2)
        eligible = 1.0
    else:
        answer, prompt, slips, working, code, eligible = _duration_fifty_fifty(rng, difficulty, base, users, n, p1, p2)
        share = 0.5
    rule = 16 * p1 * (1 - p1) / (p2 - p1) ** 2  # the rule of thumb, users per arm of a 50/50 test
    slips = _with_rule_of_thumb(slips, answer, _up(2 * rule / (4 * share * (1 - share)) / (users * eligible)))
    working += _in_whole_weeks(answer)
    return dict(
        title="How long the test must run",
        prompt=prompt,
        expected=answer,
        units="days",
        slips=slips,
        hints=(
            "First the users each arm needs to detect the change; then how many users a day reach the test.",
            "The exact users per arm of a 50/50 split: `sample_size_per_arm(p_baseline, p_treatment)`; any split: "
            "`days_to_detect(daily_users, p_baseline, effect, treatment_share)`. The rule of thumb n ≈ 16·p(1 − p)/δ² per "
            "arm is the quick estimate to say aloud; the question asks for the exact formula.",
        ),
        working=working,
        code=code,
        params={"p_baseline": p1, "p_treatment": p2, "daily_users": users, "n_per_arm": n, "eligible_share": eligible, "treatment_share": share},
        seconds=150,
        precision=COUNT,
        so_what=_duration_decision(answer),
    )


_FORGOT_ROLLBACK = "You stopped counting at detection. Users keep meeting the bad model until the rollback is done."


def _blast_canary_hours(rng, users: int, back: float) -> dict[str, Any]:
    """Difficulty 1: a canary of a few hours, within one day, among users who visit once a day at most."""
    share = float(_pick(rng, [0.01, 0.02, 0.05, 0.1]))
    detect = float(_pick(rng, [2, 4, 6, 12]))
    raw = blast_radius(users, share, detect, back)
    prompt = (f"A canary gives {_pct(share)} of {users:,} daily users a new model. Each user visits once a day at most, at "
              f"times spread evenly over the day. A regression would be noticed in {detect:g} hours and rolled back in "
              f"{back:g} more. How many users would meet it?")
    slips = [
        Slip("forgot_rollback", blast_radius(users, share, detect, 0), _FORGOT_ROLLBACK),
        Slip("forgot_share", blast_radius(users, 1.0, detect, back), "Only the canary's share of users gets the new model."),
        Slip("hours_as_days", users * share * (detect + back), "The hours are part of a day: divide by 24."),
        Slip("users_an_hour", users * share / 24, "That is how many users meet it in one hour. Multiply by the hours it stays on: detection plus rollback."),
    ]
    return dict(
        raw=raw, prompt=prompt, slips=slips,
        working=f"{users:,} × {share:g} × ({detect:g} + {back:g}) / 24 = {raw:,.2f}",
        code=f"math.ceil(blast_radius({users}, {share}, {detect}, {back}))",
        hints=("Users exposed = users a day × the share with the new model × the time it stays on, in days.",
               "The time on runs until the rollback is finished: detection plus rollback. "
               "`blast_radius(users, share, hours_to_detect, hours_to_rollback)`."),
        params={"daily_users": users, "share": share, "hours_to_detect": detect, "hours_to_rollback": back},
    )


_STICKY = ("Assignment is sticky: a user in the new arm stays in it, so count each user once, whatever the number of visits. "
           "The chance that a user visits at least once in d days is 1 − (1 − daily visit share)^d.")
_USER_DAYS = "You counted user-days: daily visitors × share × days counts a user who comes back on two days twice. " + _STICKY
_EVERYONE = ("That is everyone in the new arm, as if all of them visited. Only those who visit at least once while it is on "
             "meet the regression.")
_ONE_DAY = "That is one day's visitors in the new arm. Users who first come on a later day of the stage meet it too."
def _visitors(base: int, visit: float) -> str:
    return (f"Your product has {base:,} users; on any given day {_pct(visit)} of them visit, each independently of the other "
            "days.")


def _blast_ramp(rng, base: int, visit: float) -> dict[str, Any]:
    """Difficulty 2: one ramp with sticky assignment, read at the end of the stage, when the kill switch ends it."""
    share = float(_pick(rng, [0.05, 0.1, 0.2, 0.25, 0.5]))
    days = int(_pick(rng, [2, 3, 5, 7]))
    raw = distinct_users_exposed(base, visit, share, days)
    reach = 1 - (1 - visit) ** days
    prompt = (f"{_visitors(base, visit)} A ramp gives {_pct(share)} of users a new model for {days} days; assignment is sticky "
              "(a user in the new arm stays in it). Its gate is read only at the end of the stage, and if it fails the kill "
              "switch turns the new model off at once. If a regression starts on the ramp's first day, how many distinct "
              "users meet it?")
    slips = [
        Slip("user_days", base * visit * share * days, _USER_DAYS),
        Slip("everyone_in_bucket", share * base, _EVERYONE),
        Slip("one_day_only", base * visit * share, _ONE_DAY),
        Slip("forgot_share", distinct_users_exposed(base, visit, 1.0, days), "Only the ramp's share of users gets the new model."),
    ]
    working = (f"A user in the ramp's {_pct(share)} meets the regression if they visit on at least one of the {days} days: "
               f"1 − (1 − {visit:g})^{days} = {reach:.4f}. Distinct users: {share:g} × {base:,} × {reach:.4f} = {raw:,.2f}")
    note = (f" Counting user-days instead, {base:,} × {visit:g} × {share:g} × {days} = {base * visit * share * days:,.0f}, "
            "counts a returning user once per visit.")
    return dict(
        raw=raw, prompt=prompt, slips=slips, working=working, note=note,
        code=f"math.ceil(distinct_users_exposed({base}, {visit!r}, {share!r}, {days}))",
        hints=("Count people, not visits: what is the chance that one user in the new arm visits at least once during the stage?",
               "That chance is 1 − (1 − daily visit share)^days; users exposed = share × user base × that chance. "
               "`distinct_users_exposed(user_base, daily_visit_share, traffic_share, days)`."),
        params={"user_base": base, "daily_visit_share": visit, "share": share, "days": days},
    )


def _blast_canary_then_ramp(rng, base: int, visit: float) -> dict[str, Any]:
    """Difficulty 3: a canary that becomes a ramp. Buckets are sticky: the canary's users stay in when the share grows."""
    canary = float(_pick(rng, [0.01, 0.02, 0.05]))
    canary_days = int(_pick(rng, [2, 3, 5, 7]))
    ramp = float(_pick(rng, [0.1, 0.2, 0.25, 0.5]))
    ramp_days = int(_pick(rng, [2, 3, 4, 7]))
    both = canary_days + ramp_days
    in_canary = distinct_users_exposed(base, visit, canary, both)  # the canary's bucket: on for both stages
    added = distinct_users_exposed(base, visit, ramp - canary, ramp_days)  # the users the ramp adds: on for the ramp only
    raw = in_canary + added
    prompt = (f"{_visitors(base, visit)} A canary gives {_pct(canary)} of users a new model for {canary_days} days; then a ramp "
              f"grows the share to {_pct(ramp)} for {ramp_days} days. Buckets are sticky: the canary's users stay in the new arm, "
              f"and the ramp adds other users to reach {_pct(ramp)}. A regression starts on the canary's first day, slips past "
              "the canary's gate, and is caught when the ramp's gate is read at the end of the ramp; the kill switch turns the "
              "new model off at once. How many distinct users meet the regression in all?")
    slips = [
        Slip("canary_counted_twice", distinct_users_exposed(base, visit, canary, canary_days) + distinct_users_exposed(base, visit, ramp, ramp_days),
             "You counted the canary's users again on the ramp. Buckets are sticky: the canary's users are part of the ramp's "
             "share, and one who visits in both stages meets it once. Count the canary's bucket over both stages, and the users "
             "the ramp adds over the ramp only."),
        Slip("user_days", base * visit * (canary * canary_days + ramp * ramp_days), _USER_DAYS),
        Slip("everyone_in_bucket", ramp * base, _EVERYONE),
        Slip("one_day_only", base * visit * ramp, _ONE_DAY),
        Slip("forgot_share", distinct_users_exposed(base, visit, 1.0, both), "Only the canary's and then the ramp's share of users get the new model."),
        Slip("ramp_share_throughout", distinct_users_exposed(base, visit, ramp, both),
             "You gave the canary's days the ramp's share. During the canary only the canary's share had the new model."),
        Slip("forgot_canary", distinct_users_exposed(base, visit, ramp, ramp_days),
             "You left out the canary's days: canary users who visited only then met the regression too."),
    ]
    reach_both, reach_ramp = 1 - (1 - visit) ** both, 1 - (1 - visit) ** ramp_days
    working = (f"The canary's bucket, {_pct(canary)} of users, is in for both stages, {both} days: {canary:g} × {base:,} × "
               f"(1 − (1 − {visit:g})^{both}) = {canary:g} × {base:,} × {reach_both:.4f} = {in_canary:,.2f}. The ramp adds "
               f"{ramp:g} − {canary:g} = {ramp - canary:g} of users for {ramp_days} days: {ramp - canary:g} × {base:,} × "
               f"{reach_ramp:.4f} = {added:,.2f}. In all {raw:,.2f}")
    return dict(
        raw=raw, prompt=prompt, slips=slips, working=working,
        code=(f"math.ceil(distinct_users_exposed({base}, {visit!r}, {canary!r}, {both}) "
              f"+ distinct_users_exposed({base}, {visit!r}, {ramp!r} - {canary!r}, {ramp_days}))"),
        hints=("Count people, not visits. Which users are in the new arm for both stages, and which only for the ramp?",
               "The canary's bucket is on for all the days: share × base × (1 − (1 − v)^(both stages' days)); the users the ramp "
               "adds only for the ramp's days. Add two calls of `distinct_users_exposed(user_base, daily_visit_share, "
               "traffic_share, days)`."),
        params={"user_base": base, "daily_visit_share": visit, "canary": canary, "canary_days": canary_days, "ramp": ramp, "ramp_days": ramp_days},
    )


def _blast_radius(rng, difficulty, sc) -> dict[str, Any]:
    if difficulty == 1:
        users = int(_round_to(float(rng.integers(20, 1001)) * 1_000 * sc.volume, 100))  # 20,000 to 1,000,000 a day
        back = float(_pick(rng, [1, 2, 3, 4]))
        case = _blast_canary_hours(rng, users, back)
    else:
        base = int(_round_to(float(rng.integers(10, 501)) * 10_000 * sc.volume, 1_000))  # 100,000 to 5,000,000 users
        visit = float(_pick(rng, [0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5]))
        case = (_blast_ramp if difficulty == 2 else _blast_canary_then_ramp)(rng, base, visit)
        # a whole number, or close enough that rounding up depends on the arithmetic's last digits: draw again
        if abs(case["raw"] - round(case["raw"])) < 1e-3 + 1e-8 * case["raw"]:
            return dict(expected=math.nan, slips=[], precision=COUNT)
    answer = int(COUNT.round(case["raw"]))
    return dict(
        title="Blast radius",
        prompt=case["prompt"],
        expected=answer,
        units="users",
        slips=case["slips"],
        hints=case["hints"],
        working=f"{case['working']}, so **{answer:,} users** (rounded up).{case.get('note', '')}",
        code=case["code"],
        params=case["params"],
        seconds=90 if difficulty == 1 else 150,
        precision=COUNT,
        so_what=_blast_decision(answer),
    )


# --------------------------------------------------------------------------------------------
# Module 08: a judge's corrected pass rate, and whether an agent finishes its task.
# --------------------------------------------------------------------------------------------

_JUDGED = (
    ("the Brightwater support copilot's draft answers", "answers"),
    ("a shopping assistant's replies", "replies"),
    ("a triage chatbot's notes to nurses", "notes"),
    ("summaries of contract clauses", "summaries"),
)


def _quotient(top: float, bottom: float) -> float:
    """top / bottom, or NaN when the bottom is zero (a slip that cannot be computed is dropped)."""
    return top / bottom if bottom != 0 else math.nan


def _rogan_gladen(p: float, tpr: float, tnr: float) -> float:
    """(p + TNR − 1) / (TPR + TNR − 1), not clipped: the number before the clip."""
    return _quotient(p + tnr - 1, tpr + tnr - 1)


def _judge_rates(rng, difficulty: int) -> tuple[float, float, dict[str, int]]:
    """The judge's TPR and TNR; at difficulty 3 measured from the 2x2 counts of a labelled split."""
    tpr = float(_pick(rng, [0.80, 0.85, 0.88, 0.90, 0.93, 0.95, 0.97]))
    tnr = float(_pick(rng, [0.45, 0.55, 0.60, 0.65, 0.70, 0.75, 0.80, 0.85, 0.90]))
    if difficulty < 3:
        return tpr, tnr, {}
    labelled = int(_pick(rng, [120, 150, 200, 240, 300]))
    people_pass = round(labelled * float(_pick(rng, [0.60, 0.65, 0.70, 0.75, 0.80])))
    people_fail = labelled - people_pass
    true_pass = min(people_pass - 1, max(1, round(people_pass * tpr) + int(rng.integers(-2, 3))))
    true_fail = min(people_fail - 1, max(1, round(people_fail * tnr) + int(rng.integers(-2, 3))))
    counts = {"true_pass": true_pass, "false_fail": people_pass - true_pass, "false_pass": people_fail - true_fail, "true_fail": true_fail}
    return true_pass / people_pass, true_fail / people_fail, counts


def _judge_pass_rate(rng, difficulty: int, tpr: float, tnr: float) -> float:
    """The judge's raw pass rate, a whole percentage. At difficulty 3, one draw in four lies above
    the TPR, so the formula gives more than 1 and the answer must be clipped."""
    if difficulty == 3 and rng.random() < 0.25:
        return min(0.99, round(math.floor(tpr * 100 + 1e-9) / 100 + int(rng.integers(1, 4)) / 100, 2))
    theta = float(rng.uniform(0.45, 0.92))
    return round(theta * tpr + (1 - theta) * (1 - tnr), 2)


def _judge_given(difficulty: int, noun: str, tpr: float, tnr: float, counts: Mapping[str, int]) -> str:
    if difficulty == 1:
        return (f"Checked against people's labels, it passes {_pct(tpr)} of the {noun} people pass and fails "
                f"{_pct(tnr)} of the {noun} people fail.")
    if difficulty == 2:
        return (f"On a labelled split, its true-positive rate (pass is the positive class) is {tpr:g}, and it wrongly "
                f"passes {_pct(1 - tnr)} of the {noun} people fail.")
    return (f"On a labelled split that people graded too: both passed {counts['true_pass']}; people passed and the judge "
            f"failed {counts['false_fail']}; people failed and the judge passed {counts['false_pass']}; both failed "
            f"{counts['true_fail']}.")


def _judge_slips(difficulty: int, p: float, tpr: float, tnr: float, counts: Mapping[str, int]) -> list[Slip]:
    slips = [
        Slip("raw_pass_rate", p,
             "That is the judge's raw pass rate. The judge errs both ways: it fails some good answers (1 − TPR) and "
             "passes some bad ones (1 − TNR). Correct for both: θ = (p + TNR − 1) / (TPR + TNR − 1)."),
        Slip("swapped_rates", _rogan_gladen(p, tnr, tpr),
             "You swapped TPR and TNR. TPR is the share of good answers the judge passes, TNR the share of bad ones it "
             "fails; the top of the fraction is p + TNR − 1."),
        Slip("divided_by_tpr", _quotient(p, tpr),
             "You divided by the TPR alone, as if the judge never passed a bad answer. Take out the bad answers it lets "
             "through (1 − TNR of them), on top and underneath: θ = (p − (1 − TNR)) / (TPR − (1 − TNR))."),
        Slip("false_passes_left_out_below", _quotient(p + tnr - 1, tpr),
             "You took the false passes out on top but not underneath. The bottom is TPR + TNR − 1: every good answer "
             "in place of a bad one adds TPR to the pass rate and takes away 1 − TNR."),
    ]
    if difficulty == 2:
        slips.append(Slip("false_pass_rate_as_tnr", _rogan_gladen(p, tpr, 1 - tnr),
                          "You used the share of bad answers the judge passes as its TNR. The TNR is the share it fails: "
                          "1 − the false-pass rate."))
    if difficulty == 3:
        unclipped = _rogan_gladen(p, tpr, tnr)
        slips.append(Slip("forgot_clip", unclipped,
                          "The formula gives more than 1 here, and no share can be: clip it to [0, 1]. It means the judge's "
                          "rates, measured on a small split, cannot explain so many passes: read it as close to all, with a "
                          "wide interval."))
        tp, ff, fp, tf = (counts[k] for k in ("true_pass", "false_fail", "false_pass", "true_fail"))
        slips.append(Slip("rates_over_judge_verdicts", _rogan_gladen(p, tp / (tp + fp), tf / (tf + ff)),
                          "You divided by the judge's verdicts. The TPR is over the answers people passed (both passed / "
                          "all people passed), the TNR over the answers people failed."))
    return slips


def _judge_working(difficulty: int, p: float, tpr: float, tnr: float, counts: Mapping[str, int], answer: float) -> str:
    rates = ""
    if difficulty == 2:
        rates = f"TNR = 1 − {1 - tnr:.2f} = {tnr:g}. "
    elif difficulty == 3:
        tp, ff, fp, tf = (counts[k] for k in ("true_pass", "false_fail", "false_pass", "true_fail"))
        rates = f"TPR = {tp} / ({tp} + {ff}) = {tpr:.4f}; TNR = {tf} / ({tf} + {fp}) = {tnr:.4f}. "
    top, bottom = p + tnr - 1, tpr + tnr - 1
    solved = (f"{rates}The judge's pass rate mixes two groups: p = θ·TPR + (1 − θ)·(1 − TNR). Solve for θ: "
              f"θ = (p + TNR − 1) / (TPR + TNR − 1) = {top:.4f} / {bottom:.4f}")
    if top / bottom > 1:
        return (f"{solved} = {top / bottom:.4f}. That is above 1, which no share can be: clip to {_share_answer(answer)}. "
                "The judge's rates, measured on a small split, cannot explain so many passes; its interval will be wide.")
    return f"{solved} = {_share_answer(answer)}, against a raw pass rate of {_pct(p)}."


def _judge_correction(rng, difficulty, sc) -> dict[str, Any]:
    things, noun = _pick(rng, _JUDGED)
    judged = max(200, int(_round_to(float(_pick(rng, [800, 1_200, 2_000, 3_000, 5_000])) * sc.volume, 100)))
    tpr, tnr, counts = _judge_rates(rng, difficulty)
    p = _judge_pass_rate(rng, difficulty, tpr, tnr)
    unclipped = _rogan_gladen(p, tpr, tnr)
    # At difficulty 1 and 2 the answer lies well inside (0, 1); at 3 it may be clipped to 1, never to 0.
    inside = 0.03 < unclipped < 0.97 if difficulty < 3 else 0.03 < unclipped and (unclipped < 0.97 or unclipped >= 1.01)
    if not (inside and tpr + tnr > 1.15 and 0 < p < 1):
        return dict(expected=math.nan, slips=[], precision=SHARE)
    answer = corrected_pass_rate(p, tpr, tnr)
    code_rates = (f"{counts['true_pass']} / {counts['true_pass'] + counts['false_fail']}, "
                  f"{counts['true_fail']} / {counts['true_fail'] + counts['false_pass']}") if counts else f"{tpr!r}, {tnr!r}"
    return dict(
        title="Correct a judge's pass rate",
        prompt=(f"An LLM judge grades {things}. It passed {_pct(p)} of {judged:,} {noun}. "
                f"{_judge_given(difficulty, noun, tpr, tnr, counts)} What share of the {judged:,} {noun} really pass "
                "(the corrected pass rate)?" + _as_share()),
        expected=answer,
        units="",
        slips=_judge_slips(difficulty, p, tpr, tnr, counts),
        hints=(
            "Write the judge's pass rate as good answers it passes plus bad answers it lets through: "
            "p = θ·TPR + (1 − θ)·(1 − TNR), where θ is the true pass rate.",
            "Solve for θ: (p + TNR − 1) / (TPR + TNR − 1), clipped to [0, 1]; "
            "`corrected_pass_rate(observed_pass_rate, tpr, tnr)` does it.",
        ),
        working=_judge_working(difficulty, p, tpr, tnr, counts, answer),
        code=f"corrected_pass_rate({p!r}, {code_rates})",
        params={"observed": p, "tpr": tpr, "tnr": tnr, "judged": judged, "unclipped": unclipped, **counts},
        seconds=150,
        precision=SHARE,
        fraction=True,
        so_what=_judge_decision(answer, p),
    )


_AGENT_TASKS = (
    ("handles a refund request", "refund request"),
    ("books a delivery slot", "delivery booking"),
    ("changes a customer's address in every system", "address change"),
    ("files an expense claim from a receipt", "expense claim"),
)


def _agent_chain(rng, task: str, noun: str) -> dict[str, Any]:
    """Difficulty 1: a chain of steps, each of which must succeed."""
    steps = int(rng.integers(4, 21))
    rate = float(_pick(rng, [0.90, 0.92, 0.93, 0.95, 0.96, 0.97, 0.98, 0.99]))
    answer = chain_success([rate] * steps)
    return dict(
        title="Will the agent finish the task",
        prompt=(f"An agent {task} in {steps} steps. Each step succeeds {_pct(rate)} of the time, independently of the "
                f"others, and one failed step spoils the {noun}. What share of tasks does it finish?" + _as_share()),
        expected=answer,
        units="",
        slips=[
            Slip("step_rate_as_task_rate", rate,
                 f"That is one step's success rate. The task needs all {steps} steps to succeed: multiply the rates."),
            Slip("one_step_short", rate ** (steps - 1), f"One step short: the task has {steps} steps, so raise to the power {steps}."),
            Slip("added_failures", 1 - steps * (1 - rate),
                 "You added the steps' failure rates. That is only a rough guide for short chains; the exact chance that every "
                 "step succeeds is the product of their rates."),
            Slip("at_least_one_step", 1 - (1 - rate) ** steps,
                 "That is the chance that at least one step succeeds. The task needs every step to succeed."),
        ],
        hints=(
            "The task finishes only when every step succeeds; the steps are independent.",
            "Multiply the step rates: p^n. `chain_success([p] * n)` does it.",
        ),
        working=(f"Every step must succeed: {rate:g}^{steps} = {_share_answer(answer)}. Steps that each look reliable "
                 f"leave {SHARE.format(1 - answer, percent=True)} of tasks unfinished."),
        code=f"chain_success([{rate!r}] * {steps})",
        params={"steps": steps, "step_rate": rate},
        fraction=True,
        so_what=_chain_decision(steps, rate, answer),
    )


def _agent_every_time(rng, task: str, noun: str) -> dict[str, Any]:
    """Difficulty 2: pass^k, the chance that all k runs succeed, from n tries with c successes."""
    tries = int(_pick(rng, [5, 6, 8, 10, 12, 15, 20]))
    k = int(_pick(rng, [2, 3, 4, 5]))
    fewest = max(k, math.ceil(0.4 * tries))
    if fewest >= tries:  # too few tries for k runs and a failure among them: draw again
        return dict(expected=math.nan, slips=[], precision=SHARE)
    successes = int(rng.integers(fewest, tries))
    answer = pass_hat_k(tries, successes, k)
    at_least_one = pass_at_k(tries, successes, k)
    once = successes / tries
    return dict(
        title="Will the agent finish every time",
        prompt=(f"You gave an agent that {task} the same {noun} {tries} times; it finished it {successes} times. "
                f"A customer will hand it this {noun} {k} times. Estimate pass^{k}, the chance "
                f"that every one of the {k} runs succeeds, with the unbiased estimator from your {tries} tries." + _as_share("probability")),
        expected=answer,
        units="",
        slips=[
            Slip("pass_at_k", at_least_one,
                 f"That is pass@{k}, the chance that at least one of {k} runs succeeds: the demo's number. The customer "
                 f"needs all {k} to succeed: pass^{k} = C(c, k) / C(n, k), with c successes in n tries (C(n, k) counts the ways "
                 f"to choose k of n)."),
            Slip("plug_in", once ** k,
                 f"That is (c/n)^{k}, the plug-in estimate. With only {tries} tries it is biased upwards; the unbiased "
                 f"estimator counts the sets of {k} tries that are all successes: C(c, k) / C(n, k)."),
            Slip("one_run_rate", once, f"That is the chance one run succeeds. All {k} runs must succeed."),
            Slip("some_run_fails", 1 - answer, f"That is the chance that at least one of the {k} runs fails: 1 − pass^{k}."),
        ],
        hints=(
            f"Think of choosing {k} of your {tries} tries at random: pass^{k} is the chance that all {k} chosen are successes.",
            "pass^k = C(c, k) / C(n, k), with c successes in n tries and C(n, k) the ways to choose k of n; `pass_hat_k(n, c, k)` does it. pass@k, at least one success, is 1 − C(n − c, k) / C(n, k).",
        ),
        working=(f"pass^{k} = C({successes}, {k}) / C({tries}, {k}) = {math.comb(successes, k):,} / {math.comb(tries, k):,} = "
                 f"{_share_answer(answer)}. The agent succeeds once {successes} / {tries} = {once:.3f} of the time, and at "
                 f"least once in {k} runs with probability {at_least_one:.3f} (pass@{k}); every one of {k} runs is less likely than either."),
        code=f"pass_hat_k({tries}, {successes}, {k})",
        params={"tries": tries, "successes": successes, "k": k},
        fraction=True,
        so_what=_every_time_decision(tries, successes, k, answer, at_least_one),
    )


def _cents(x: float) -> str:
    """Dollars with cents when the amount is whole cents ($0.50, $1.20), else as ``_money`` writes it ($0.016)."""
    return f"${x:,.2f}" if abs(x * 100 - round(x * 100)) < 1e-9 else _money(x)


def _agent_cost(rng, task: str, noun: str, sc) -> dict[str, Any]:
    """Difficulty 3: the cost per finished task when failed attempts are retried."""
    steps = int(_pick(rng, [3, 4, 5, 6, 8]))
    rate = float(_pick(rng, [0.90, 0.92, 0.95, 0.97]))
    cost = float(_pick(rng, [0.05, 0.08, 0.12, 0.20, 0.30, 0.50])) * sc.cost
    attempts = int(_pick(rng, [2, 3, 4]))
    p = chain_success([rate] * steps)
    tc = cost_per_finished_task(cost, p, attempts)
    return dict(
        title="Cost per finished task",
        prompt=(f"Each attempt by an agent that {task} runs {steps} steps, each succeeding {_pct(rate)} of the time "
                f"independently, and costs {_cents(cost)} in model and tool calls. When an attempt fails, the agent starts "
                f"again, up to {attempts} attempts in all; then a person takes the {noun}. What does the agent spend per "
                "finished task: its spend on all attempts divided by the tasks it finishes, in dollars?"),
        expected=tc.cost_per_finished_task,
        units="USD per finished task",
        slips=[
            Slip("cost_per_attempt", cost,
                 "That is the cost of one attempt. Failed attempts are paid for too, and only finished tasks count: "
                 "each finished task carries the cost of the attempts that failed."),
            Slip("spread_over_all_tasks", tc.cost_per_task,
                 "That is the spend per task started, including the tasks that never finish. Divide by the share that finishes."),
            Slip("retries_left_out", cost / tc.finished_share,
                 "You counted one attempt per task. A failed attempt is tried again: multiply by the expected number of "
                 "attempts, (1 − (1 − p)^m) / p."),
            Slip("step_rate_as_attempt_rate", cost / rate,
                 f"You used one step's rate as the attempt's. An attempt succeeds only when all {steps} steps do: p = q^{steps}."),
            Slip("every_attempt_used", cost * attempts / tc.finished_share,
                 f"Not every task uses all {attempts} attempts: a task stops at its first success."),
        ],
        hints=(
            "First the chance that one attempt succeeds (every step must). Then, per task started: the expected attempts "
            "and the share that finishes.",
            "Cost per finished task = cost per attempt × expected attempts / finished share, with finished share "
            "1 − (1 − p)^m and expected attempts (1 − (1 − p)^m) / p; `cost_per_finished_task(cost, p, m)`.",
        ),
        working=(f"One attempt succeeds with p = {rate:g}^{steps} = {p:.4f}. Finished share 1 − (1 − p)^{attempts} = "
                 f"{tc.finished_share:.4f}; expected attempts per task {tc.finished_share:.4f} / {p:.4f} = "
                 f"{tc.expected_attempts:.4f}; spend per task {_cents(cost)} × {tc.expected_attempts:.4f} = "
                 f"${tc.cost_per_task:.4f}. Per finished task: ${tc.cost_per_task:.4f} / {tc.finished_share:.4f} = "
                 f"**${MONEY.format(tc.cost_per_finished_task)}**, which is the cost of an attempt / p: the cap on attempts "
                 "changes how many tasks finish, not what each finished one costs."),
        code=f"cost_per_finished_task({cost!r}, chain_success([{rate!r}] * {steps}), {attempts}).cost_per_finished_task",
        params={"steps": steps, "step_rate": rate, "attempt_rate": p, "cost_per_attempt": cost, "max_attempts": attempts},
        precision=MONEY,
        so_what=_agent_cost_decision(tc.cost_per_finished_task, cost),
    )


def _agent_reliability(rng, difficulty, sc) -> dict[str, Any]:
    task, noun = _pick(rng, _AGENT_TASKS)
    if difficulty == 1:
        fields = _agent_chain(rng, task, noun)
    elif difficulty == 2:
        fields = _agent_every_time(rng, task, noun)
    else:
        fields = _agent_cost(rng, task, noun, sc)
    return {"precision": SHARE, "seconds": 150, **fields}


# --------------------------------------------------------------------------------------------
# The "so what" step: after the number, what to do with it (a checked choice in the case's words).
# Each builder returns ``so_what``, a function of a random stream of its own (see ``_make``); the
# right option depends on the drill's number, alone or against a budget, limit, gate or cost that
# the step states. Every option is an action with a reason a candidate could believe; no option
# states a comparison that the prompt's numbers settle ("it is within budget"), so only working
# with the numbers tells the right one. The right idea changes with the numbers: each step draws
# its budget, limit or cost on either side of the point where the decision turns.
# --------------------------------------------------------------------------------------------

Phrasing = str | tuple[str, ...]  # an option: one text, or (short, middle, long) phrasings of one idea


def _two_sig(x: float) -> float:
    return float(f"{x:.2g}")


def _plain(x: float) -> str:
    """A positive round number (two significant figures) written out in full: 1,200,000, 4.5, 0.042."""
    return f"{x:,.{max(0, 1 - math.floor(math.log10(x)))}f}"


def _either_side(rng, value: float, factors: Sequence[float] = (0.5, 0.7, 1.4, 2.0)) -> float:
    """A round number (two significant figures) below or above ``value``: the budget, limit or volume a
    "so what" compares the answer with. The side is drawn, so the right decision varies from seed to seed."""
    return _two_sig(value * float(_pick(rng, factors)))


def _dollars(x: float) -> str:
    """A round amount of money as a budget or a price is said: $640, $4.50, $0.022."""
    if x >= 100:
        return f"${x:,.0f}"
    return f"${x:,.2f}" if x >= 1 else f"${_plain(x)}"


def _each(x: float) -> str:
    """An expected cost per case: in cents from a dollar up ($178.60), else to two significant figures ($0.32, $0.051)."""
    return f"${x:,.2f}" if x >= 1 else f"${float(f'{x:.2g}'):g}"


def _days(n: int) -> str:
    """A number of days in words: 1 day, 2 days."""
    return f"{n:,} day" if n == 1 else f"{n:,} days"


def _decision(rng, prompt: str, options: Mapping[str, Phrasing], right: str, why: str, feedback: Mapping[str, str]) -> SoWhat:
    """The "so what" choice: every option by name, the right one's name and why it is right, and for each
    other option the feedback that says what it misses; shuffled by ``rng`` (``checking.choice``).

    An idea given as (short, middle, long) phrasings shows one of them (``_shown``): the length of the
    right option tells nothing."""
    shown = _shown(rng, options, right)
    return SoWhat(prompt, choice(rng, (shown[right], why), [(shown[name], feedback[name]) for name in options if name != right]))


def _place(right: str, others: Sequence[str]) -> int | None:
    """Where the right option's length falls: 0 the shortest, 1 in between, 2 the longest; None on a tie at an end."""
    low, high = min(map(len, others)), max(map(len, others))
    return 0 if len(right) < low else 2 if len(right) > high else 1 if low < len(right) < high else None


def _shown(rng, options: Mapping[str, Phrasing], right: str) -> dict[str, str]:
    """The text each option shows. The stream draws where the right option's length should fall (the shortest,
    in between or the longest, a third of draws each); among the phrasings that put it there, with every option
    at most 1.6 times as long as the shortest, it takes those that show the wrong ideas' middle phrasing where it
    can. So the right option is no more often the shortest or the longest than any other."""
    names = list(options)
    texts = [(options[n],) if isinstance(options[n], str) else tuple(options[n]) for n in names]
    target, at = int(rng.integers(3)), names.index(right)
    best: list[tuple[str, ...]] = []
    best_cost = math.inf
    for combo in itertools.product(*texts):
        lengths = [len(t) for t in combo]
        if max(lengths) > 1.6 * min(lengths) or _place(combo[at], combo[:at] + combo[at + 1:]) != target:
            continue
        cost = sum(len(t) > 1 and combo[i] != t[len(t) // 2] for i, t in enumerate(texts) if i != at)
        if cost < best_cost:
            best, best_cost = [combo], cost
        elif cost == best_cost:
            best.append(combo)
    if not best:  # no phrasing lands there: the middle phrasings
        best = [tuple(t[len(t) // 2] for t in texts)]
    return dict(zip(names, best[int(rng.integers(len(best)))]))


# --- base-rate precision ----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Flags:
    """What happens to the flags of one story: who flags, what acting at once does, who checks, and the costs
    the "so what" step states. ``checks`` are the prices of a check (before the scenario's factor); ``spread``
    the factors that put the cost of a wrong action below or above the point where a check pays."""

    thing: str  # one of the things screened: "payment"
    actor: str  # "model" or "test"
    flag: str  # "flag" or "positive"
    harm: str  # what acting on a wrong flag costs, with {cost}
    check: str  # what a check costs, with {cost}
    wrong_acts: str  # the wrong actions, as the feedback counts them
    checker: str  # who decides first: "an analyst"
    checking: str  # the check, as the feedback prices it: "a check", "a second test"
    act: tuple[str, str, str]
    review: tuple[str, str, str]
    for_good: str  # acting with no way back, on the catch rate ({tpr})
    off: str
    checks: tuple[float, ...]
    spread: tuple[float, ...] = (0.5, 0.7, 1.4, 2.0)


_FLAG_STORIES = {
    "payments": _Flags(
        "payment", "model", "flag",
        "Blocking a good payment costs about {cost} (the customer's time, and some who give up)",
        "an analyst's check costs {cost} a payment and catches every mistake", "wrong blocks", "an analyst", "a check",
        ("Block them at once; customers can appeal.",
         "Block them at once, and let customers appeal quickly.",
         "Block them at once, with a quick way for customers to appeal."),
        ("Hold them until an analyst checks each.",
         "Hold them until an analyst has checked each one.",
         "Hold them, and let an analyst check each one before any block."),
        "Block them for good: the model catches {tpr} of fraud.",
        "Switch the model off: it flags too many good payments.",
        (4.0, 6.0, 8.0, 10.0)),
    # Medicine: a treatment given to someone who is not ill harms them, and a confirming test costs little
    # beside it. The costs drawn always make the second test the cheaper way, as clinical practice does:
    # this story's right option is always to confirm (the other stories' vary with the numbers).
    "patients": _Flags(
        "patient", "test", "positive",
        "Treating someone who is not ill costs about {cost} (the drugs, their side effects, the worry)",
        "a second, more specific test costs {cost} and settles each case", "treatments of people who are not ill", "a second test", "a second test",
        ("Start treatment now, and review it later.",
         "Start treatment at once, and review it at the next visit.",
         "Start treatment at once, and review it at the next visit they make."),
        ("Confirm each one with a second test first.",
         "Confirm each one with a second test before treatment.",
         "Confirm each one with a second, more specific test before treatment."),
        "Tell them they are ill: the test finds {tpr} of cases.",
        "Drop the test: too many of its positives are healthy.",
        (60.0, 120.0, 250.0), (3.0, 5.0, 8.0)),
    "posts": _Flags(
        "post", "model", "flag",
        "Removing a harmless post costs about {cost} (an appeal to handle, and an annoyed author)",
        "a moderator's check costs {cost} a post and catches every mistake", "wrong removals", "a moderator", "a check",
        ("Remove them at once; authors can appeal.",
         "Remove them at once, and let authors appeal quickly.",
         "Remove them at once, with a quick way for authors to appeal."),
        ("Send each one to a moderator first.",
         "Send them to a moderator, who decides before removal.",
         "Send each one to a moderator, who decides before any removal."),
        "Remove them for good: the model catches {tpr} of harm.",
        "Switch the model off: it flags too many harmless posts.",
        (0.25, 0.4, 0.6)),
    "claims": _Flags(
        "claim", "model", "flag",
        "Rejecting a genuine claim costs about {cost} (the appeal, a complaint, the customer's trust)",
        "an investigator's check costs {cost} a claim and catches every mistake", "wrong rejections", "an investigator", "a check",
        ("Reject them at once; customers can appeal.",
         "Reject them at once, and let customers appeal quickly.",
         "Reject them at once, with a quick way for customers to appeal."),
        ("Send each one to an investigator first.",
         "Send them to an investigator, who decides first.",
         "Send each one to an investigator, who decides before rejecting."),
        "Reject them for good: the model catches {tpr} of fraud.",
        "Switch the model off: it flags too many genuine claims.",
        (40.0, 60.0, 100.0, 150.0)),
}


def _precision_decision(things: str, bad: str, precision: float, prevalence: float, tpr: float, cost_factor: float) -> Callable[[Any], SoWhat]:
    """Act on a flag at once, or check it first: per flag, acting costs (1 − precision) × the cost of a wrong
    action (an appeal undoes it); a check costs its price and catches every mistake. The cheaper one is right,
    the same expected-cost reasoning as a threshold from error costs."""
    s = _FLAG_STORIES[things]
    p = SHARE.round(precision)
    share, wrong_share = SHARE.format(p, percent=True), SHARE.format(1 - p, percent=True)
    lift = precision / prevalence

    def decide(rng) -> SoWhat:
        check = _two_sig(float(_pick(rng, s.checks)) * cost_factor)
        harm = _two_sig(check / (1 - p) * float(_pick(rng, s.spread)))
        per_flag = (1 - p) * harm
        acting = f"{SHARE.format(1 - p)} × {_money(harm)} = {_each(per_flag)} a {s.flag} in {s.wrong_acts}"
        checking = f"{s.checking} at {_money(check)}"
        first = "a second test must confirm each one first" if s.actor == "test" else f"{s.checker} must decide first"
        options = {"act": s.act, "review": s.review, "for_good": s.for_good.format(tpr=_pct(tpr)), "off": s.off}
        feedback = {
            "act": f"Acting at once costs {acting}, more than {checking}: {first}.",
            "review": (f"{s.checking[0].upper()}{s.checking[1:]} costs {_money(check)} a {s.flag}; acting at once costs only {acting}, "
                       "and the appeal undoes them."),
            "for_good": (f"{_pct(tpr)} is the share of {bad} {things} the {s.actor} catches (recall), not the share of its {s.flag}s "
                         f"that are right ({share}); and with no way back, the {wrong_share} flagged by mistake pay in full."),
            "off": (f"Without the {s.actor}, every {bad} {s.thing} goes unseen; a {s.flag} is {lift:,.{0 if lift >= 10 else 1}f} times as "
                    f"likely to be {bad} as a {s.thing} picked at random. The question is only who acts on a {s.flag}, and when."),
        }
        if per_flag < check:
            right, why = "act", f"acting at once costs {acting}, less than {checking}; the appeal undoes them."
        else:
            right, why = "review", f"acting at once would cost {acting}, more than {checking}, so {first}."
        prompt = (f"Of the {things} the {s.actor} flags, about {share} are really {bad}. {s.harm.format(cost=_money(harm))}; "
                  f"{s.check.format(cost=_money(check))}. What should happen to the flagged {things}?")
        return _decision(rng, prompt, options, right, why, feedback)

    return decide


# --- threshold from error costs -----------------------------------------------------------------


def _line(costs: Mapping[str, float]) -> float:
    """The cost-minimising threshold, C_FP / (C_FP + C_FN − C_TP), as ``bayes_threshold`` gives it."""
    return costs["cost_fp"] / (costs["cost_fp"] + costs["cost_fn"] - costs["cost_tp"])


def _cost_changes(difficulty: int, costs: Mapping[str, float], facts: Mapping[str, float]) -> list[tuple[str, dict[str, float]]]:
    """The changes the "so what" step can announce for one case: (the sentence, the new costs)."""
    fp, fn, tp = costs["cost_fp"], costs["cost_fn"], costs["cost_tp"]

    def new(**changed: float) -> dict[str, float]:
        return {"cost_fp": fp, "cost_fn": fn, "cost_tp": tp, **changed}

    if difficulty == 1:
        return [(f"A second analyst now signs off each hold: holding a good payment costs {_money(2 * fp)}", new(cost_fp=2 * fp)),
                (f"An automatic check now replaces the analyst: holding a good payment costs {_money(fp / 2)}", new(cost_fp=fp / 2)),
                (f"The card network now fines each missed fraud: a missed fraud costs {_money(2 * fn)}", new(cost_fn=2 * fn))]
    if difficulty == 2:
        lost = facts["lost"]
        return [(f"A second analyst now checks each held payment: a review costs {_money(2 * fp)}", new(cost_fp=2 * fp, cost_tp=tp + fp)),
                (f"A new tool halves the analyst's time: a review costs {_money(fp / 2)}", new(cost_fp=fp / 2, cost_tp=tp - fp / 2)),
                (f"Frauds grow: a missed fraud now loses {_money(2 * fn)}, and a caught one still loses {_pct(lost)} of it",
                 new(cost_fn=2 * fn, cost_tp=fp + lost * 2 * fn))]
    minutes, wage = facts["minutes"], facts["wage"]
    return [(f"A new compliance step doubles the specialist's time: {2 * minutes:g} minutes a case", new(cost_fp=2 * fp)),
            (f"The specialist now costs {_money(1.5 * wage)} an hour", new(cost_fp=1.5 * fp)),
            (f"A new tool halves the specialist's time: {minutes / 2:g} minutes a case", new(cost_fp=fp / 2)),
            (f"A churned customer now costs {_money(2 * fn)}", new(cost_fn=2 * fn))]


def _threshold_decision(difficulty: int, costs: Mapping[str, float], facts: Mapping[str, float]) -> Callable[[Any], SoWhat]:
    """The costs change: the line moves up when a false alarm costs more against what a catch saves, down when
    less. Half the draws raise it, half lower it."""
    t = _line(costs)

    def decide(rng) -> SoWhat:
        changes = [(text, c) for text, c in _cost_changes(difficulty, costs, facts) if 0 < _line(c) < 1]
        up = rng.random() < 0.5
        pick = [(text, c) for text, c in changes if (_line(c) > t) == up] or changes
        sentence, new = pick[int(rng.integers(len(pick)))]
        moved = _line(new)
        raise_it = moved > t
        odds = (t / (1 - t)) ** 2 / (moved / (1 - moved))  # the same step the other way: the other side of the ratio changed
        other = odds / (1 + odds)
        right, wrong = ("raise", "lower") if raise_it else ("lower", "raise")
        t1, t2, t0 = SHARE.format(moved), SHARE.format(other), SHARE.format(t)
        verb = {"raise": "Raise", "lower": "Lower"}
        reason = ("a false alarm now costs more against what a catch saves" if raise_it
                  else "a false alarm now costs less against what a catch saves")
        options = {
            right: (f"{verb[right]} the line to {t1}, where costs balance.",
                    f"{verb[right]} the line to {t1}, where the two costs balance now.",
                    f"{verb[right]} the line to {t1}, where the two expected costs balance."),
            wrong: f"{verb[wrong]} the line to {t2}, where the two costs balance now.",
            "keep": f"Keep the line at {t0}: the model's scores have not changed.",
            "retrain": "Retrain the model on the new costs, then set the line.",
        }
        feedback = {
            wrong: f"The line moves the other way: {reason}. With the new costs, C_FP / (C_FP + C_FN − C_TP) = {t1}.",
            "keep": f"The scores are the same, but the line sits where their costs balance, and the costs moved: it is now {t1}.",
            "retrain": "A calibrated model's probabilities do not depend on what errors cost: the costs move the line, not the model.",
        }
        why = f"with the new costs, C_FP / (C_FP + C_FN − C_TP) = {t1}: {reason}."
        prompt = f"At today's costs the line is {t0}: flag a case above it. {sentence}. Where should the line go now?"
        return _decision(rng, prompt, options, right, why, feedback)

    return decide


# --- reviewer headcount -----------------------------------------------------------------------


def _reviewers(n: int, kind: str = "") -> str:
    """A count of reviewers in words: 1 reviewer, 12 full-time reviewers."""
    return f"{n} {kind}reviewer{'' if n == 1 else 's'}"


def _headcount_decision(difficulty: int, needed: int) -> Callable[[Any], SoWhat]:
    def decide(rng) -> SoWhat:
        have = max(1, round(needed * float(_pick(rng, (0.6, 0.8, 1.25, 1.5)))))
        if have == needed:
            have = needed + 1 if needed == 1 or rng.random() < 0.5 else needed - 1
        who = (f"{_reviewers(have)} {'are' if have != 1 else 'is'} at work on a typical day" if difficulty == 1
               else f"you employ {_reviewers(have, 'full-time ')}")
        options = {
            "launch": ("Launch, and watch the queue each week.",
                       "Launch with this team, and watch the queue each week.",
                       "Launch with the team you have, and watch the queue every week."),
            "hire": ("Hire first, or send fewer tickets to people.",
                     "Hire before launch, or send fewer tickets to people.",
                     "Hire before launch, or send a smaller share of tickets to people."),
            "faster": "Launch, and ask reviewers to get through tickets faster.",
            "overflow": "Launch, and let the overflow skip the human check.",
        }
        feedback = {
            "launch": f"The team is {needed - have} short of the {needed} the work needs: the queue would grow every day.",
            "hire": f"You need {needed} and have {have}: the team covers the work already, so more people add cost for nothing.",
            "faster": "The minutes a ticket takes are what the hard cases need; pushing the pace lowers the quality of the human check.",
            "overflow": "That quietly raises the error rate served with no check: move tickets between zones on purpose, against the error budget.",
        }
        if needed <= have:
            right, why = "launch", f"{needed} needed and {have} on hand: the team covers it, and the queue warns you early if volume grows."
        else:
            right, why = "hire", f"{needed} needed and {have} on hand: without more people or a smaller human share, the backlog grows every day."
        kind = f"{_reviewers(needed)} at work on a given day" if difficulty == 1 else _reviewers(needed, "full-time ")
        prompt = f"The work needs {kind}, and {who}. What do you do before launch?"
        return _decision(rng, prompt, options, right, why, feedback)

    return decide


# --- the error rate you can promise -------------------------------------------------------------


def _bound_decision(errors: int, n: int, level: float, bound: float) -> Callable[[Any], SoWhat]:
    seen = errors / n
    u = SHARE.format(bound, percent=True)

    def decide(rng) -> SoWhat:
        if rng.random() < 0.5:  # a promise above the bound, or one between the rate seen and the bound
            promise = float(f"{bound * float(_pick(rng, (1.3, 1.8))):.2g}")
        else:
            promise = float(f"{seen + (bound - seen) * float(_pick(rng, (0.4, 0.7))):.2g}")
        # a promise between the rate seen and the bound, or above the bound; and never the bound as the prompt rounds it
        if (promise <= seen or promise == bound) or not _distinct(SHARE, promise, bound):
            promise = float(f"{bound * 1.5:.2g}")
        p = _pct(promise)
        options = {
            "sign": ("Sign the promise as the contract asks.",
                     "Sign it as written, and keep sampling the live rate.",
                     "Sign it as written, and keep sampling to watch the live rate."),
            "hold": ("Hold off: sample more, or cut errors first.",
                     "Hold off: check a bigger sample, or cut errors first.",
                     "Hold off: check a bigger sample, or cut errors, before signing."),
            "seen": "Promise the rate the sample showed: it is the best guess.",
            "fix": "Fix the errors the sample found, then sign the promise.",
        }
        feedback = {
            "sign": f"The {level:.0%} upper bound, {u}, is above {p}: the true rate may well be worse than the promise.",
            "hold": f"The upper bound, {u}, is within {p} already: the promise holds at {level:.0%} confidence as it is.",
            "seen": "A promise set at the sample's rate is broken about half the time: promise no less than the upper bound.",
            "fix": "Fixing the sample's errors does not change the true rate of what you ship: the bound is about the process.",
        }
        if bound <= promise:
            right, why = "sign", f"the {level:.0%} upper bound, {u}, is within {p}: the promise holds even for a worse true rate."
        else:
            right, why = "hold", f"the {level:.0%} upper bound, {u}, is above {p}: the sample cannot back the promise yet."
        prompt = (f"You saw {errors} error{'' if errors == 1 else 's'} in {n:,} ({_pct(round(seen, 6))}); the {level:.0%} upper bound is "
                  f"{u}. A customer contract asks you to promise an error rate of at most {p}. What do you do?")
        return _decision(rng, prompt, options, right, why, feedback)

    return decide


# --- cost per query -----------------------------------------------------------------------------


def _cost_decision(difficulty: int, cost: float, input_share: float) -> Callable[[Any], SoWhat]:
    c = "$" + MONEY.format(cost)
    what = "a query" if difficulty == 1 else "a month"
    inputs, outputs = _pct(round(input_share, 2)), _pct(round(1 - input_share, 2))

    def decide(rng) -> SoWhat:
        budget = _either_side(rng, cost)
        b = _dollars(budget)
        options = {
            "fits": ("Launch it as it is, and watch the cost.",
                     "Launch it as it is, and watch the cost per query.",
                     "Launch it as it is, and keep watching the cost per query."),
            "less_input": ("Send less retrieved text before launch.",
                           "Send less retrieved text with each query first.",
                           "Send less retrieved text with each query before launch."),
            "less_output": ("Cap the answers' length before launch.",
                            "Cap the length of the answers before launch.",
                            "Cap the length of the model's answers before launch."),
            "fine_tune": "Move to fine-tuning: no retrieved text to pay for.",
        }
        within = cost <= budget
        feedback = {
            "fits": f"The bill, {c} {what}, is over the budget of {b}: something has to give before launch.",
            "less_input": (f"Within budget ({c} of {b}): cutting retrieved text risks worse answers for savings you do not need." if within
                           else f"The input is the smaller part here ({inputs} of the cost): the answer's tokens are the bigger lever."),
            "less_output": (f"Within budget ({c} of {b}): shorter answers save money you do not need to save." if within
                            else f"The answer's tokens are only {outputs} of the cost: the input, mostly retrieved text, is the bigger lever."),
            "fine_tune": "Fine-tuning has fixed costs of its own (training, hosting, retrains): it only wins above a break-even volume.",
        }
        if within:
            right, why = "fits", f"{c} {what} is within the {b} budget; the cost grows with use, so keep watching it."
        elif input_share >= 0.5:
            right, why = "less_input", f"{c} {what} is over the {b} budget, and input tokens are {inputs} of it, mostly retrieved text."
        else:
            right, why = "less_output", (f"{c} {what} is over the {b} budget, and the answer's tokens are {outputs} of it: shorter answers "
                                         "cut the most.")
        prompt = f"The model costs {c} {what}, and the budget is {b} {what}. What do you do?"
        return _decision(rng, prompt, options, right, why, feedback)

    return decide


# --- break-even volume --------------------------------------------------------------------------


def _break_even_decision(per_day: float, months: int) -> Callable[[Any], SoWhat]:
    q = VOLUME.format(per_day)

    def decide(rng) -> SoWhat:
        expected = _either_side(rng, per_day, (0.4, 0.6, 1.7, 2.5))
        v = _plain(expected)
        ratio = expected / per_day
        options = {
            "rag": ("Stay with RAG, and watch the volume.",
                    "Stay with RAG, and revisit it if the volume grows.",
                    "Stay with RAG, and revisit the choice when the volume grows."),
            "fine_tune": ("Fine-tune, and retire the RAG pipeline.",
                          "Fine-tune, and plan its retrains into the budget.",
                          "Fine-tune, and plan its retrains and hosting into the budget."),
            "both": "Build both, and split the traffic until one of them wins.",
            "later": "Wait for a firmer forecast before choosing either.",
        }
        feedback = {
            "rag": f"{v} a day is {ratio:.1f} times the break-even of {q}: the saving per query more than pays back fine-tuning's extra cost.",
            "fine_tune": f"{v} a day is below the break-even of {q}: the saving per query never pays back fine-tuning's extra cost in {months} months.",
            "both": "Two builds pay both fixed costs, the very thing the break-even weighs: decide from the volume instead.",
            "later": (f"{v} a day is {ratio:.1f} times the break-even: even a rough forecast is far from it. Waiting only delays the "
                      "saving (or the spend) the volume already decides."),
        }
        if expected > per_day:
            right, why = "fine_tune", f"{v} a day is above the break-even of {q}, so fine-tuning costs less over the {months} months."
        else:
            right, why = "rag", f"{v} a day is below the break-even of {q}, so RAG costs less over the {months} months."
        prompt = f"Fine-tuning costs less above {q} queries a day. You expect about {v} a day. Which do you build?"
        return _decision(rng, prompt, options, right, why, feedback)

    return decide


# --- how long the test must run -----------------------------------------------------------------


def _duration_decision(days: int) -> Callable[[Any], SoWhat]:
    """A test runs in whole weeks; the launch review falls before or after the end of its last week."""
    weeks = full_week_days(days)

    def decide(rng) -> SoWhat:
        review = max(2, round(weeks * float(_pick(rng, (0.5, 0.7, 1.4, 2.0)))))
        if review == weeks:
            review = weeks + 1 if rng.random() < 0.5 else weeks - 1
        lead = "Stop at the first week's end if the new version is ahead." if weeks > 7 else "Stop early if the new version is clearly ahead."
        if days < weeks:
            short = f"Stop it on day {days}, as soon as the sample is in."
            short_why = (f"Day {days} is mid-week: weekday and weekend users behave differently, so a test runs whole weeks, "
                         f"here {weeks} days.")
        else:
            short = "Run it a week longer than planned, to be on the safe side."
            short_why = f"The test needs {weeks} days, whole weeks already: another week adds nothing its plan asks for, and delays the decision."
        if weeks <= review:
            right = "run"
            options = {
                "run": ("Run it to its planned end, and read it once.",
                        "Run it for its whole weeks, then read it once, at the end.",
                        "Run it for its whole weeks, and read it once, at the end of them."),
                "peek": "Read it every day, and stop once the change is significant.",
                "short": short,
                "lead": lead,
            }
            why = f"{weeks} days fit before the review in {review}, and one read at the end keeps the false alarms at 5%."
        else:
            right = "move"
            options = {
                "move": ("Move the review: the test needs its weeks.",
                         "Tell them it will not be ready by then: move the review.",
                         "Tell them it will not be ready in time: move the review date."),
                "peek": "Read it every day, and stop once the change is significant.",
                "at_review": "Read it at the review, with the users it has by then.",
                "bigger": "Size it for a bigger change, so that it ends in time.",
            }
            why = f"it runs {weeks} days, more than the {review} before the review: read earlier, it is underpowered for the change."
        feedback = {
            "run": f"It runs {weeks} days and the review is in {review}: it will not have its users by then.",
            "move": f"{weeks} days fit before the review in {review}: the test can finish in time.",
            "peek": "Reading it daily and stopping at the first significant day raises the false alarms well above 5% (peeking).",
            "short": short_why,
            "lead": "A lead before the sample is in is often noise: stopping on it raises the false alarms, and misses part of the week.",
            "at_review": "Underpowered: fewer users than the sample needs, so a miss would not mean no effect, and a hit would overstate the lift.",
            "bigger": ("Sizing for a bigger change does not make the change bigger: the test would be underpowered for the change you "
                       "expect, and likely to miss it."),
        }
        weekly = f"in whole weeks the test runs {weeks} days" if days < weeks else "that is whole weeks already"
        prompt = (f"The sample takes {_days(days)} to come in; {weekly}. The launch review is in {_days(review)}. "
                  "What do you tell the team?")
        return _decision(rng, prompt, options, right, why, {k: v for k, v in feedback.items() if k in options and k != right})

    return decide


# --- blast radius -------------------------------------------------------------------------------


def _blast_decision(users: int) -> Callable[[Any], SoWhat]:
    def decide(rng) -> SoWhat:
        limit = max(1, int(_either_side(rng, users)))
        if limit == users:
            limit = users + 1
        options = {
            "keep": ("Keep the plan, and the gate, as they are.",
                     "Keep the plan as it is, and watch the gate closely.",
                     "Keep the plan as it is, and keep a close watch on its gates."),
            "cut": ("Cut the exposure: a smaller share first.",
                    "Cut the exposure: a smaller share, or an earlier read.",
                    "Cut the exposure: a smaller share, or a gate that reads sooner."),
            "unnoticed": "Accept it: most of those users would not notice it.",
            "everyone": "Skip the stages, and launch to everyone with a kill switch.",
        }
        feedback = {
            "keep": f"{users:,} users is above the limit of {limit:,}: the plan exposes too many.",
            "cut": f"{users:,} users is within the limit of {limit:,}: a smaller or shorter stage buys little and slows learning.",
            "unnoticed": "A regression users do not notice still harms them (wrong answers that look right); the limit counts who meets it.",
            "everyone": "Everyone at once makes the whole user base the blast radius before any gate can fire.",
        }
        if users <= limit:
            right, why = "keep", f"{users:,} users is within the limit of {limit:,}."
        else:
            right, why = "cut", f"{users:,} users is over the limit of {limit:,}: fewer users in the stage, or less time before the read."
        prompt = f"A regression would reach {users:,} users. The risk team accepts at most {limit:,}. What do you do?"
        return _decision(rng, prompt, options, right, why, feedback)

    return decide


# --- a judge's corrected pass rate --------------------------------------------------------------


def _judge_decision(corrected: float, raw: float) -> Callable[[Any], SoWhat]:
    theta, p = SHARE.format(corrected, percent=True), _pct(raw)

    def decide(rng) -> SoWhat:
        gate = round(corrected + float(_pick(rng, (-0.1, -0.05, 0.05, 0.1))), 2)
        if not 0.05 <= gate <= 0.99 or gate == corrected:
            gate = round(corrected - 0.05, 2) if corrected > 0.5 else round(corrected + 0.05, 2)
        g = _pct(gate)
        options = {
            "ship": ("Ship it, and keep the judge on live answers.",
                     "Ship it, and keep the judge scoring live answers.",
                     "Ship it, and keep the judge scoring a sample of live answers."),
            "hold": ("Hold the launch, and work on the failures.",
                     "Hold the launch, and work on the answers that fail.",
                     "Hold the launch, and work on the answers that fail, then rerun."),
            "raw": "Go by the judge's raw pass rate: the correction adds noise.",
            "replace": "Replace the judge first: no decision is possible with it.",
        }
        feedback = {
            "ship": f"Corrected, {theta} of answers really pass: under the gate of {g}.",
            "hold": f"Corrected, {theta} of answers really pass: that clears the gate of {g}.",
            "raw": f"The raw rate, {p}, counts the judge's own mistakes; the corrected {theta} is the estimate of the true rate.",
            "replace": "The correction already allows for the judge's known errors; a better judge narrows the interval, but you can decide now.",
        }
        if corrected >= gate:
            right, why = "ship", f"the true pass rate, {theta}, clears the gate of {g}."
        else:
            right, why = "hold", f"the true pass rate, {theta}, is under the gate of {g}" + (f", even though the raw {p} is above it." if raw >= gate else ".")
        prompt = f"The judge passed {p} of answers; corrected, {theta} really pass. The launch gate is {g}. What do you decide?"
        return _decision(rng, prompt, options, right, why, feedback)

    return decide


# --- agent reliability --------------------------------------------------------------------------

_UNATTENDED_BARS = (0.8, 0.85, 0.9, 0.95, 0.98, 0.99)  # shares of successes at which a team lets an agent run without a person
_PRODUCTION_RATES = tuple(i / 100 for i in range(2, 99))  # pass^k of the version in production, in whole percent
_MARGIN = 0.005  # a bar at least this far from the numbers it is compared with, so rounding never decides


def _bar(rng, cuts: Sequence[float], bars: Sequence[float]) -> tuple[int, float]:
    """A bar (or a rival's rate) drawn so that each idea the numbers allow is equally likely: ``cuts``
    (ascending) split the bars into len(cuts) + 1 ranges, one per idea; returns (the idea's index, the bar)."""
    ranges = [[b for b in bars if all(abs(b - c) >= _MARGIN for c in cuts) and sum(b > c for c in cuts) == i] for i in range(len(cuts) + 1)]
    ideas = [i for i, r in enumerate(ranges) if r]
    idea = ideas[int(rng.integers(len(ideas)))]
    return idea, float(_pick(rng, ranges[idea]))


def _chain_decision(steps: int, rate: float, success: float) -> Callable[[Any], SoWhat]:
    """Difficulty 1: the last steps change records; the ones before can be retried once when they fail. Against
    the bar for running alone: launch as it is, retry the read-only steps, or a person approves the last steps."""
    s = SHARE.format(success, percent=True)

    def decide(rng) -> SoWhat:
        last = int(rng.integers(1, min(3, steps - 2) + 1))
        retried = (1 - (1 - rate) ** 2) ** (steps - last) * rate ** last
        sr = SHARE.format(retried, percent=True)
        idea, bar = _bar(rng, (success, retried), _UNATTENDED_BARS)
        b = _pct(bar)
        right = ("alone", "retry", "approve")[idea]
        options = {
            "alone": ("Launch it as it is; spot-check its tasks.",
                      "Launch it as it is, and spot-check finished tasks.",
                      "Launch it as it is, and spot-check a sample of finished tasks."),
            "retry": ("Retry failed read-only steps, then launch.",
                      "Retry each failed read-only step once, then launch.",
                      "Retry each failed read-only step once, then launch it alone."),
            "approve": ("Launch with a person approving the last steps.",
                        "Launch with a person approving each task's last steps.",
                        "Launch with a person approving each task before records change."),
            "whole": "Retry a failed task from the start until it succeeds.",
        }
        feedback = {
            "alone": f"It finishes {s}, under the {b} bar: alone, too many tasks would fail.",
            "retry": (f"It already finishes {s}, above the {b} bar: retries add time and cost it does not need." if idea == 0 else
                      f"Even with retries of the read-only steps it finishes {sr}, under the {b} bar: the steps that change records need a person."),
            "approve": (f"It finishes {s}, above the {b} bar: a person on every task costs more than it saves." if idea == 0 else
                        f"Retrying the read-only steps once lifts it to {sr}, above the {b} bar: a person on every task is more than it needs."),
            "whole": "A whole task retried repeats the steps that change records (a refund, a booking) and can do them twice.",
        }
        why = (f"{s} clears the {b} bar; spot checks catch a drift early.",
               (f"a step retried once fails only (1 − {rate:g})² of the time: (1 − (1 − {rate:g})²)^{steps - last} × "
                f"{rate:g}^{last} = {sr}, above the {b} bar."),
               f"even with retries it finishes {sr}, under the {b} bar: a person must approve before records change.")[idea]
        step_s = "step changes" if last == 1 else f"{last} steps change"
        prompt = (f"It finishes {s} of tasks. Its first {steps - last} steps only read and draft, and a failed one can be run once "
                  f"more (a retry succeeds {_pct(rate)} of the time too); its last {step_s} records and cannot be retried. The team "
                  f"lets an agent run without a person only at {b} or more. What is the least you must do before launch?")
        return _decision(rng, prompt, options, right, why, {k: v for k, v in feedback.items() if k != right})

    return decide


def _every_time_decision(tries: int, successes: int, k: int, answer: float, at_least_one: float) -> Callable[[Any], SoWhat]:
    """Difficulty 2: a new version's pass^k from a few tries, against the version in production (measured on
    many tasks). One more try, a success or a failure, shows how far the estimate can move: switch when even a
    failure leaves the new version ahead, keep the old one when even a success leaves it behind, and run more
    tries when one try could change the decision."""
    s = SHARE.format(answer, percent=True)
    up, down = pass_hat_k(tries + 1, successes + 1, k), pass_hat_k(tries + 1, successes, k)
    u, d = SHARE.format(up, percent=True), SHARE.format(down, percent=True)
    runs = "both runs" if k == 2 else f"all {k} runs"

    def decide(rng) -> SoWhat:
        idea, old = _bar(rng, (down, up), _PRODUCTION_RATES)
        o = f"production's {_pct(old)}"
        right = ("switch", "more", "keep")[idea]
        options = {
            "switch": ("Switch to the new version, and watch its runs.",
                       "Switch production to the new version, and watch its runs.",
                       "Switch production to the new version, and keep watching its runs."),
            "more": ("Run more tries of the new version first.",
                     "Run more tries of the new version before you decide.",
                     "Run more tries of the new version, then decide on the new estimate."),
            "keep": ("Keep the version in production for now.",
                     "Keep the version in production, and rework the new one.",
                     "Keep the version in production, and rework the new one first."),
            "demo": f"Tell the customer it succeeds {SHARE.format(at_least_one, percent=True)}: the demo's pass@{k}.",
        }
        after_failure = f"even one more failure would leave it at {d}, above {o}"
        after_success = f"even one more success would leave it at {u}, below {o}"
        feedback = {
            "switch": (f"One more failed try would drop it to {d}, below {o}: {tries} tries are too few to switch on." if idea == 1
                       else f"{after_success[0].upper()}{after_success[1:]}: the new version is worse."),
            "more": (f"{after_failure[0].upper()}{after_failure[1:]}: more tries will not change the decision." if idea == 0
                     else f"{after_success[0].upper()}{after_success[1:]}: more tries will not change the decision."),
            "keep": (f"One more success would lift it to {u}, above {o}: a few more tries can settle it." if idea == 1
                     else f"{after_failure[0].upper()}{after_failure[1:]}: the new version is better."),
            "demo": (f"pass@{k} is the chance that at least one of {k} runs succeeds: the demo's number. The customer needs {runs} to "
                     f"succeed: pass^{k} = {s}."),
        }
        why = (f"{after_failure}.",
               f"one more try could move it to {d} or {u}, either side of {o}: {tries} tries cannot settle it yet.",
               f"{after_success}.")[idea]
        prompt = (f"By your {tries} tries, {runs} of the new version succeed {s} of the time. One more try would make that {u} if it "
                  f"succeeded, or {d} if it failed. The version in production, measured on thousands of tasks, gets {runs} right "
                  f"{_pct(old)} of the time. What do you do next?")
        return _decision(rng, prompt, options, right, why, {key: v for key, v in feedback.items() if key != right})

    return decide


def _agent_cost_decision(per_finished: float, per_attempt: float) -> Callable[[Any], SoWhat]:
    """Difficulty 3: this agent's cost per finished task against an agent on a smaller model, cheaper per attempt
    or not: what decides is the cost per finished task."""
    c, a = "$" + MONEY.format(per_finished), _cents(per_attempt)

    def decide(rng) -> SoWhat:
        other = _either_side(rng, per_finished)
        h = _dollars(other)
        options = {
            "agent": ("Keep this agent on these tasks, as it is.",
                      "Keep this agent on these tasks, and watch its cost.",
                      "Keep this agent on these tasks, and keep watching what it costs."),
            "smaller": ("Move these tasks to the smaller model's agent.",
                        "Move these tasks to the agent on the smaller model.",
                        "Move these tasks over to the agent on the smaller, cheaper model."),
            "attempt": "Choose by the cost of one attempt, the quoted price.",
            "cap": "Raise the cap on attempts, to bring the cost per task down.",
        }
        feedback = {
            "agent": f"This agent's {c} per finished task is more than the smaller model's {h}.",
            "smaller": (f"This agent's {c} per finished task is below the smaller model's {h}: a cheaper model that fails more "
                        "often can cost more per finished task."),
            "attempt": f"One attempt costs {a}, but failed attempts are paid too: compare what a finished task costs, {c} against {h}.",
            "cap": "The cap changes how many tasks finish, not what each finished one costs: the cost of an attempt / p.",
        }
        if per_finished < other:
            right, why = "agent", f"{c} per finished task is below the smaller model's {h}."
        else:
            right, why = "smaller", f"{c} per finished task is more than the smaller model's {h}."
        prompt = (f"This agent spends {c} per finished task. An agent on a smaller model spends {h} per finished task on the same "
                  "tasks, with results as good. What do you do?")
        return _decision(rng, prompt, options, right, why, feedback)

    return decide


_Builder = Callable[[np.random.Generator, int, Any], dict]

DRILL_KINDS: dict[str, tuple[str, _Builder]] = {
    "base_rate_precision": ("Base-rate precision", _base_rate_precision),
    "threshold_by_cost": ("Threshold from error costs", _threshold_by_cost),
    "reviewer_headcount": ("Reviewer headcount", _reviewer_headcount),
    "budget_bound": ("What error rate you can promise", _budget_bound),
    "cost_per_query": ("Cost per query", _cost_per_query),
    "break_even_volume": ("Break-even volume", _break_even),
    "sample_size_duration": ("How long the test must run", _sample_size_duration),
    "blast_radius": ("Blast radius", _blast_radius),
    # module 08; added last, so the earlier kinds keep their numbers (the seed includes the kind's position)
    "judge_correction": ("Correct a judge's pass rate", _judge_correction),
    "agent_reliability": ("Will the agent finish the task", _agent_reliability),
}


_WHAT = {
    "base_rate_precision": ("What share of a model's flags are real when the problem is rare", "02", "ignoring how rare the problem is, or quoting accuracy"),
    "threshold_by_cost": ("The score above which to act, from what each error costs", "02", "swapping the costs, or treating a caught case as free"),
    "reviewer_headcount": ("How many people the human share of the work needs: on the desk each day, and to employ", "03", "staffing every case, or leaving out shrinkage and the 7-day cover"),
    "budget_bound": ("The error rate you can promise from a sample, not just the one you saw", "03", "promising the observed rate instead of its upper bound"),
    "cost_per_query": ("What a query (or a month of them) costs in tokens", "04", "forgetting the retrieved text, or prices per thousand"),
    "break_even_volume": ("The volume at which fine-tuning becomes cheaper than RAG", "04", "leaving out monthly costs or retrains"),
    "sample_size_duration": ("How many days a test or a canary must run to see a change", "05", "counting one arm, sizing a canary like a 50/50 test, or giving the 16·p(1 − p)/δ² rule of thumb as exact"),
    "blast_radius": ("How many distinct users meet a bad release before it is turned off", "05", "counting user-days instead of users, or stopping the count at detection"),
    "judge_correction": ("The true pass rate behind an LLM judge's pass rate, from its TPR and TNR", "08", "quoting the raw pass rate, or swapping TPR and TNR"),
    "agent_reliability": ("Whether an agent finishes: chained steps, all k runs (pass^k), the cost per finished task", "08", "quoting one step's rate, pass@k for pass^k, or the cost of one attempt"),
}


def catalogue():
    """Return the drill types as a table: what each tests, where it is taught, its time and the usual slips."""
    import pandas as pd

    rows = []
    for kind, (title, _) in DRILL_KINDS.items():
        what, lesson, slip = _WHAT[kind]
        seconds = make_drill(kind, 0, 2).seconds
        rows.append({"drill": kind, "what it tests": what, "lesson": lesson, "time (standard)": f"{seconds // 60}:{seconds % 60:02d}", "the usual slips": slip})
    return pd.DataFrame(rows).set_index("drill")


_ROUNDED_DOWN = " Or, if you worked it out exactly: you rounded down. Part of one still needs a whole one, so round up."
_TEN_TIMES = " It is also about 10 times too big: check the units and where the decimal point sits."
_PERCENTAGE = " It also looks like a percentage: give the answer as a share between 0 and 1 (0.25 for 25%)."


def _distinct(precision: Precision, a: float, b: float) -> bool:
    """True when two values can be told apart at the drill's precision: the checker's own rule."""
    return not precision.indistinct(a, b)


def _annotated(slip: Slip, expected: float, precision: Precision, fraction: bool) -> Slip:
    """The slip, its feedback extended when its number is also what another slip of the checker gives:
    the answer rounded down, ten times the answer, or the answer as a percentage."""
    notes = [
        (precision.kind == "whole" and precision.rounding == "up" and expected > 1, expected - 1, _ROUNDED_DOWN),
        (True, 10 * expected, _TEN_TIMES),
        (fraction, 100 * expected, _PERCENTAGE),
    ]
    extra = "".join(note for applies, value, note in notes if applies and not _distinct(precision, slip.value, value))
    return dataclasses.replace(slip, feedback=slip.feedback + extra) if extra else slip


def _usable(fields: dict) -> tuple[Slip, ...] | None:
    """The slips of a usable draw, or None to draw again.

    The answer policy decides what "too close" means: a slip that equals the answer at the drill's
    precision (``Precision.indistinct``) is dropped, as the checker would drop it. The draw is
    usable when the main slip (the first) survives, at least ``MIN_SLIPS`` survive, and no two of
    them are indistinct from each other. A slip whose number is also the answer rounded down, ten
    times the answer or the answer as a percentage says so in its feedback.
    """
    expected, precision = fields["expected"], fields["precision"]
    if not (math.isfinite(expected) and expected > 0):
        return None
    slips = fields["slips"]
    kept = [s for s in slips if math.isfinite(s.value) and _distinct(precision, s.value, expected)]
    if len(kept) < MIN_SLIPS or kept[0] is not slips[0]:
        return None
    if not all(_distinct(precision, a.value, b.value) for i, a in enumerate(kept) for b in kept[i + 1:]):
        return None
    return tuple(_annotated(s, expected, precision, fields.get("fraction", False)) for s in kept)


def _state_precision(prompt: str, precision: Precision) -> str:
    """The prompt, ending with the precision it asks for (unless it says so already)."""
    return prompt if precision.phrase in prompt else f"{prompt.rstrip()} {precision.instruction}"


def _check_kind(kind: Any) -> str:
    if not isinstance(kind, str) or kind not in DRILL_KINDS:
        raise ValueError(f"kind must be one of {', '.join(map(repr, DRILL_KINDS))}, got {kind!r}")
    return kind


def _check_difficulty(difficulty: Any, seed: int) -> int:
    if difficulty is None:
        return 1 + seed % 3
    if isinstance(difficulty, bool) or not isinstance(difficulty, numbers.Integral) or int(difficulty) not in DIFFICULTIES:
        raise ValueError(f"difficulty must be 1 (warm-up), 2 (standard) or 3 (stretch), or None to vary with the seed, got {difficulty!r}")
    return int(difficulty)


MAX_SEED = 2**63 - 1  # any seed a learner types; a drill echoes its seed, so not a 400-digit one


def _check_seed(seed: Any) -> int:
    if validation.is_whole(seed) and seed > MAX_SEED:
        raise validation.fail("seed", seed, "a whole number 0 or above, at most 2**63 - 1")
    return validation.seed("seed", seed)


def _scenario(name: Any) -> Scenario:
    if isinstance(name, Scenario):  # the exercise passes the scenario it has already read
        return name
    return DEFAULT_SCENARIO if isinstance(name, str) and name == "default" else get_scenario(name)


def _make(kind: str, seed: int, difficulty: int | None, sc: Scenario) -> Drill:
    difficulty = _check_difficulty(difficulty, seed)
    rng = np.random.default_rng([seed, list(DRILL_KINDS).index(kind), difficulty])
    builder = DRILL_KINDS[kind][1]
    for _ in range(500):
        fields = builder(rng, difficulty, sc)
        slips = _usable(fields)
        if slips is not None:
            break
    else:  # pragma: no cover - the tests check 500 seeds of every kind, level and scenario
        raise RuntimeError(f"could not draw a usable {kind} drill for seed {seed}")
    fields["slips"] = slips
    fields["prompt"] = _state_precision(fields["prompt"], fields["precision"])
    # The "so what" step draws from its own stream, so adding or changing one never moves the numbers.
    so_what = fields.pop("so_what", None)
    if so_what is not None:
        fields["so_what"] = so_what(np.random.default_rng([seed, list(DRILL_KINDS).index(kind), difficulty, 7]))
    return Drill(kind=kind, seed=seed, difficulty=difficulty, **fields)


def make_drill(kind: str, seed: int = 0, difficulty: int | None = None, scenario: str | Scenario = "default") -> Drill:
    """Return one drill of ``kind`` with numbers drawn from ``seed`` (lesson 06).

    ``difficulty`` 1, 2 or 3; None varies it with the seed. A workshop ``scenario`` scales volumes,
    money and base rates as in the exercises. The same arguments always give the same drill.
    """
    return _make(_check_kind(kind), _check_seed(seed), difficulty, _scenario(scenario))


def drill_set(seed: int = 0, kinds: Sequence[str] | None = None, difficulty: int | None = None, scenario: str | Scenario = "default") -> list[Drill]:
    """Return one drill of each kind (or of the kinds named), in an order shuffled by the seed."""
    if kinds is None:
        kinds = list(DRILL_KINDS)
    if isinstance(kinds, str) or not isinstance(kinds, Sequence) or not kinds:
        raise ValueError(f"kinds must be a non-empty list of drill kinds, got {kinds!r}")
    chosen = [_check_kind(k) for k in kinds]
    seed, sc = _check_seed(seed), _scenario(scenario)
    order = np.random.default_rng([seed, 606]).permutation(len(chosen))
    return [_make(chosen[i], seed, difficulty, sc) for i in order]

# --------------------------------------------------------------------------------------------
# Timed practice
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass
class PracticeItem:
    """One drill in a practice session, with the learner's answer and the time it took."""

    drill: Drill
    answer: Any = None
    result: CheckResult | None = None
    seconds: float | None = None

    @property
    def answered(self) -> bool:
        return self.result is not None and self.result.outcome is not Outcome.NOT_ATTEMPTED

    @property
    def correct(self) -> bool:
        return self.result is not None and self.result.correct

    @property
    def in_time(self) -> bool:
        return self.seconds is not None and self.seconds <= self.drill.seconds


@dataclasses.dataclass(frozen=True)
class PracticeScore:
    correct: int
    correct_in_time: int
    answered: int
    total: int
    seconds: float
    target_seconds: int

    def __str__(self) -> str:
        return (
            f"{self.correct} of {self.total} right ({self.correct_in_time} within the suggested time), "
            f"{self.answered} answered, in {self.seconds / 60:.1f} minutes (suggested {self.target_seconds / 60:g})."
        )


def parse_answer(value: Any) -> Any:
    """Read a typed answer: "8.3%" -> 0.083, "14,751" -> 14751, "$2,220" -> 2220.0. Numbers pass
    through; text that is not a number comes back as None (so it does not use up a drill)."""
    import re

    if not isinstance(value, str):
        # a number a check can use passes through; NaN, infinity or a 400-digit int is no answer
        return None if validation.is_number(value) and not validation.is_real(value) else value
    raw = value.strip().replace("$", "").replace(" ", "")
    if not raw or re.fullmatch(r"\d+,\d{1,2}%?", raw):  # empty, or a decimal comma (8,3): ask again
        return None
    text = raw.replace(",", "")
    try:
        number = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


class PracticeSession:
    """Drills one at a time against the clock: ``answer`` records the time and moves on.

    The clock starts when a drill is shown (``start`` or the previous answer). ``clock`` returns
    seconds; tests pass a fake one. Each drill counts once: the first answer is the one scored,
    as in an interview.
    """

    def __init__(self, drills: Sequence[Drill], clock: Callable[[], float] = time.monotonic):
        drills = list(drills) if isinstance(drills, Iterable) and not isinstance(drills, (str, bytes)) else drills
        if not isinstance(drills, list) or not drills or not all(isinstance(d, Drill) for d in drills):
            raise ValueError(f"drills must be a non-empty list of Drill objects, e.g. drill_set(seed=1), got {safe_repr(drills, 60)}")
        self.items = [PracticeItem(d) for d in drills]
        self._clock = clock
        self.position = 0
        self._shown_at: float | None = None

    @classmethod
    def new(cls, seed: int = 0, kinds: Sequence[str] | None = None, difficulty: int | None = None, scenario: str = "default", clock: Callable[[], float] = time.monotonic) -> PracticeSession:
        return cls(drill_set(seed, kinds, difficulty, scenario), clock)

    @property
    def finished(self) -> bool:
        return self.position >= len(self.items)

    @property
    def current(self) -> Drill | None:
        return None if self.finished else self.items[self.position].drill

    def start(self) -> Drill | None:
        """Start the clock on the current drill and return it."""
        if self._shown_at is None and not self.finished:
            self._shown_at = self._clock()
        return self.current

    def elapsed(self) -> float:
        """Seconds spent on the current drill so far."""
        return 0.0 if self._shown_at is None else max(0.0, self._clock() - self._shown_at)

    def answer(self, value: Any) -> CheckResult | None:
        """Check an answer to the current drill, record its time and move to the next one.

        A blank answer (``None``, ``...``, ``___``) is not taken: the drill stays, and the result
        says "not attempted". Returns None when the session is over. Never raises.
        """
        if self.finished:
            return None
        item = self.items[self.position]
        value = parse_answer(value)  # typed text such as "8.3%" counts; a typo does not use up the drill
        result = item.drill.check(value)
        if result.outcome is Outcome.NOT_ATTEMPTED:
            return result
        item.answer, item.result, item.seconds = value, result, self.elapsed()
        self._next()
        return result

    def skip(self) -> None:
        """Give up on the current drill; it counts as a miss."""
        if self.finished:
            return
        item = self.items[self.position]
        item.seconds = self.elapsed()
        self._next()

    def _next(self) -> None:
        self.position += 1
        self._shown_at = None
        self.start()

    def score(self) -> PracticeScore:
        done = [i for i in self.items if i.seconds is not None]
        return PracticeScore(
            correct=sum(i.correct for i in self.items),
            correct_in_time=sum(i.correct and i.in_time for i in self.items),
            answered=sum(i.answered for i in self.items),
            total=len(self.items),
            seconds=sum(i.seconds for i in done),
            target_seconds=sum(i.drill.seconds for i in self.items),
        )

    def misses(self) -> list[PracticeItem]:
        """The drills answered wrongly, skipped or not reached, in order."""
        return [i for i in self.items if not i.correct]

    def review(self) -> RichText:
        """The score, then each miss with your answer, the feedback and the worked solution."""
        lines = [str(self.score()), ""]
        for item in self.items:
            d = item.drill
            took = "not reached" if item.seconds is None else f"{item.seconds:.0f} s of {d.seconds} s suggested"
            if item.correct:
                lines.append(f"- **{d.title}** ({d.level}): right, {took}.")
                continue
            if item.result is None:
                yours = "skipped" if item.seconds is not None else "not reached"
                lines.append(f"- **{d.title}** ({d.level}): {yours}.")
            else:
                lines.append(f"- **{d.title}** ({d.level}): your answer {_short(item.answer)}, {took}. {item.result.message}")
            lines.append(f"  - Worked solution: {d.working}")
        return RichText("Practice review", "\n".join(lines))


def _short(value: Any) -> str:
    return safe_repr(value, 40)



# The newer kinds live in ``drill_cases`` (they use the helpers above); registered last, so the
# kinds above keep their numbers for a seed.
from . import drill_cases as _cases  # noqa: E402

DRILL_KINDS.update(_cases.KINDS)
_WHAT.update(_cases.WHAT)
