"""Exercise 08: evaluating LLM features (lesson 08). Numbers and data follow the notebook's parameters.

Each question is one function below, registered in order, with its own random stream. The traces
(``ex.data.traces``) are a different set from the lesson's: ``generate_traces(seed + 1)``, 400
synthetic traces of the support copilot (so their ``summary()`` names seed + 1). ``ex.data.sample``
is 100 of them, the sample a team reads in an error analysis (questions 1, 2 and 7). What the
questions need from the traces (labels, verdicts, support scores, intervals) is worked out once per
seed and cached, so loading stays fast.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import statistics
import types

import numpy as np

from ..checking import (
    ChoiceQuestion,
    ChoiceSpec,
    Mistake,
    NumberQuestion,
    NumberSpec,
    ValidationQuestion,
    decimals,
    significant,
)
from ..eval_plan import EVAL_PLAN_SKELETON, check_eval_plan, read_eval_plan
from ..evals import (
    CorrectedRate,
    JudgeAgreement,
    chain_success,
    corrected_pass_rate,
    corrected_pass_rate_interval,
    cost_per_finished_task,
    gate_decision,
    judge_agreement,
    pass_at_k,
    pass_hat_k,
)
from ..traces import FAILURE_NAMES, FAILURE_TYPES, HARM, SUPPORT_THRESHOLD, Trace, TraceSet, generate_traces, support_score
from ..validation import AipmError, Finding, show
from .registry import Exercise

__all__ = ["exercise", "load", "EVAL_PLAN_SKELETON", "SAMPLE_SIZE", "CUTS", "trace_facts", "sample_seed", "grounded", "check_copilot_eval_plan"]

exercise = Exercise("08")
load = exercise.load

SHARE = decimals(3)  # rates and shares: what the lesson prints as 93.1% is 0.931
MONEY = significant(3)
SAMPLE_SIZE = 100  # the traces a team reads in its error analysis
BOOT_SEED = 0  # the seed of the bootstrap interval in question 6 (the function's default)
CUTS = (0.5, 0.7, 0.8)  # question 7's support-score cuts: never the lesson's SUPPORT_THRESHOLD (0.6)
LESSON_ATTACK_RATE = 0.001  # the lesson's share of requests with a planted instruction (question 11's slip)


def _data_note(seed: int) -> str:
    return (f"`ex.data.traces` is a different trace set from the lesson's: `generate_traces(seed + 1)`, so "
            f"`traces.summary()` says seed {seed + 1}.")


# --------------------------------------------------------------------------------------------
# The traces, and what the questions read from them (once per seed)
# --------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def _traces(seed: int) -> TraceSet:
    return generate_traces(seed + 1)


def grounded(trace: Trace) -> bool:
    """True when the answer makes at least one claim and people labelled every claim supported."""
    return bool(trace.claims) and all(c.supported for c in trace.claims)


def _top_unique(scores: dict[str, float]) -> str | None:
    """The key with the highest score, or None when two share it or it is zero."""
    ranked = sorted(scores.values(), reverse=True)
    if not ranked or ranked[0] <= 0 or (len(ranked) > 1 and ranked[0] == ranked[1]):
        return None
    return max(scores, key=scores.get)


def _analysis(counts: dict[str, int]) -> tuple[str | None, str | None]:
    """The most frequent type, and the next to fix among the others by frequency x harm (None on a tie)."""
    top = _top_unique(dict(counts))
    if top is None:
        return None, None
    rest = {k: counts[k] * HARM[k] for k in FAILURE_TYPES if k != top}
    return top, _top_unique(rest)


def _grounded_counts(traces) -> dict[str, int]:
    """Failure types of the failed answers that are grounded (question 1), zeros included."""
    counts = dict.fromkeys(FAILURE_TYPES, 0)
    for t in traces:
        if t.failure_type is not None and grounded(t):
            counts[t.failure_type] += 1
    return counts


@dataclasses.dataclass(frozen=True)
class _Claims:
    """Every claim of a trace set: the human label, the support score against the trace's retrieved
    passages and against its first passage only, and the position of its trace in the set."""

    human: np.ndarray
    score: np.ndarray
    first: np.ndarray
    owner: np.ndarray

    def of(self, positions) -> _Claims:
        keep = np.isin(self.owner, np.asarray(list(positions), dtype=int))
        return _Claims(*(_frozen(getattr(self, f.name)[keep]) for f in dataclasses.fields(self)))


def _frozen(values) -> np.ndarray:
    array = np.asarray(values)
    array.setflags(write=False)
    return array


@functools.lru_cache(maxsize=4)
def _claim_table(seed: int) -> _Claims:
    traces = _traces(seed)
    human, best, first, owner = [], [], [], []
    for index, trace in enumerate(traces):
        passages = traces.passages(trace)
        for claim in trace.claims:
            human.append(claim.supported)
            best.append(support_score(claim.text, passages))
            first.append(support_score(claim.text, passages[:1]))
            owner.append(index)
    return _Claims(*(_frozen(np.array(x, dtype=d)) for x, d in ((human, bool), (best, float), (first, float), (owner, int))))


def _positions(traces: TraceSet, sample: TraceSet) -> list[int]:
    where = {t.id: i for i, t in enumerate(traces)}
    return [where[t.id] for t in sample]


def _cuts(sample_claims: _Claims, all_claims: _Claims) -> list[float]:
    """Question 7's cuts at which the sample's share differs, at the asked precision, from the share
    over every trace and from the share at the lesson's cut: neither slip is ever accepted."""
    lesson = float((sample_claims.score >= SUPPORT_THRESHOLD).mean())
    out = []
    for cut in CUTS:
        share = float((sample_claims.score >= cut).mean())
        every = float((all_claims.score >= cut).mean())
        if not SHARE.indistinct(share, every) and not SHARE.indistinct(share, lesson):
            out.append(cut)
    return out


@functools.lru_cache(maxsize=1024)
def sample_seed(seed: int) -> int:
    """The seed of ``ex.data.sample``: the first of seed, seed + 1,000, ... whose sample has one most
    frequent failure type among its grounded failures (question 1), one most frequent type overall and
    one clear next type to fix (question 2), and a cut for question 7 (see ``_cuts``)."""
    traces, claims = _traces(seed), _claim_table(seed)
    for step in range(50):
        candidate = seed + 1000 * step
        sample = traces.sample(SAMPLE_SIZE, candidate)
        top, nxt = _analysis(sample.failure_counts())
        if top is None or nxt is None or _top_unique(_grounded_counts(sample)) is None:
            continue
        if _cuts(claims.of(_positions(traces, sample)), claims):
            return candidate
    raise AipmError(f"no sample of the traces for seed {seed} gives questions 1, 2 and 7 one answer each")


@dataclasses.dataclass(frozen=True)
class TraceFacts:
    """What the questions need from one seed's traces (arrays are read-only)."""

    size: int
    counts: dict  # failure type -> count in the sample
    grounded_counts: dict  # failure type -> count among the sample's grounded failed answers
    split: dict  # "labelled"/"judged"/"all" -> {"human": arr, "a": arr, "b": arr}
    planted: np.ndarray
    filter_score: np.ndarray
    claims: _Claims  # the sample's claims (owner: position in the whole set)
    all_claims: _Claims  # every claim of the 400 traces
    cuts: tuple  # question 7's cuts for this sample


def _labels(traces: TraceSet) -> dict[str, np.ndarray]:
    return {"human": _frozen(traces.human()), "a": _frozen(traces.judge("a")), "b": _frozen(traces.judge("b"))}


@functools.lru_cache(maxsize=1024)
def trace_facts(seed: int) -> TraceFacts:
    """Read everything the questions need from ``generate_traces(seed + 1)`` and its sample."""
    traces, all_claims = _traces(seed), _claim_table(seed)
    sample = traces.sample(SAMPLE_SIZE, sample_seed(seed))
    claims = all_claims.of(_positions(traces, sample))
    split = {"all": _labels(traces), "labelled": _labels(traces.where("labelled")), "judged": _labels(traces.where("judged"))}
    return TraceFacts(
        len(traces), sample.failure_counts(), _grounded_counts(sample), split,
        _frozen([t.planted for t in traces]), _frozen([t.filter_score for t in traces]),
        claims, all_claims, tuple(_cuts(claims, all_claims)),
    )


@exercise.shared
def traces(ctx):
    """400 synthetic traces of the support copilot: a different set from the lesson's."""
    return _traces(ctx.seed)


@exercise.shared
def sample(ctx):
    """The 100 traces of the error analysis (questions 1, 2 and 7)."""
    return _traces(ctx.seed).sample(SAMPLE_SIZE, sample_seed(ctx.seed))


@exercise.shared
def judge(ctx):
    """The judge questions 3 to 6 measure: "a" (lenient on unsupported claims) or "b" (strict on tone)."""
    return ctx.pick(["a", "b"])


def _type_spec(ctx, right: str, feedback: dict[str, str], why: str, options=FAILURE_TYPES) -> ChoiceSpec:
    aliases = {FAILURE_NAMES[k]: k for k in options}
    return ChoiceSpec(
        options={k: k for k in options}, correct=right, why=why,
        feedback={k: v for k, v in feedback.items() if k != right}, aliases=aliases,
    ).shuffled(ctx.rng)


# --------------------------------------------------------------------------------------------
# q1: the most frequent failure type among grounded answers people failed
# --------------------------------------------------------------------------------------------


def _grounded_feedback(facts: TraceFacts) -> dict[str, str]:
    counts, found = facts.counts, facts.grounded_counts
    n, fails = sum(found.values()), sum(counts.values())
    overall = max(counts, key=counts.get)
    keep = "Keep only the failed answers that make claims and whose every claim people marked supported, then count."
    out = {}
    for kind in FAILURE_TYPES:
        k, everywhere = found[kind], counts[kind]
        if k == 0 and everywhere == 0:
            text = f"No failure in the sample is `{kind}`, grounded or not. {keep}"
        elif k == 0:
            text = f"None of the {n} grounded answers people failed is `{kind}`: its {everywhere} failures in the sample all have an unsupported claim or no claims at all. {keep}"
        elif kind == overall:
            text = f"It is the most frequent type in the whole sample ({everywhere} of {fails} failures), but only {k} of the {n} grounded answers people failed; another type comes up more often there. {keep}"
        else:
            text = f"People gave `{kind}` to {k} of the {n} grounded answers they failed; another type comes up more often. Count each type among those answers only."
        out[kind] = text
    if found["unsupported_claim"] == 0:
        lead = f" It is the most frequent type among all {fails} failures of the sample, grounded or not." if overall == "unsupported_claim" else ""
        out["unsupported_claim"] = f"A grounded answer cannot fail for an unsupported claim: every claim in it is supported.{lead} {keep}"
    return out


@exercise.question("q1")
def most_frequent_failure(ctx) -> ChoiceQuestion:
    facts = trace_facts(ctx.seed)
    found = facts.grounded_counts
    top, n = _top_unique(found), sum(found.values())
    why = f"{found[top]} of the {n} grounded answers people failed are of this type, more than any other: grounded is not correct."
    spec = _type_spec(ctx, top, _grounded_feedback(facts), why)
    return ChoiceQuestion(
        "q1",
        "What goes wrong in grounded answers",
        (
            f"A colleague read the {SAMPLE_SIZE} traces in `ex.data.sample`, failed some, and gave each failed trace a "
            "failure type (`trace.failure_type`). Some of the failed answers are grounded: they make at least one claim, "
            "and people labelled every one of their claims supported by a retrieved passage (`claim.supported`). Among "
            "the grounded answers people failed, which failure type is the most frequent? Answer with the type's name in "
            f"quotes, as `FAILURE_TYPES` spells it. {_data_note(ctx.seed)}"
        ),
        spec,
        hints=(
            "Grounded is not correct: an answer can be fully supported and still fail. Keep the failed traces whose answer has claims, all of them supported; then count the failure types among them.",
            "`collections.Counter(t.failure_type for t in sample if t.failure_type and t.claims and all(c.supported for c in t.claims))`",
        ),
        solution=f"\"{top}\": {found[top]} of the {n} grounded answers people failed. Counts: " + ", ".join(f"{k} {v}" for k, v in found.items() if v) + ".",
    )


# --------------------------------------------------------------------------------------------
# q2: what to fix next, by frequency x harm
# --------------------------------------------------------------------------------------------


def _priority_feedback(counts: dict[str, int], top: str, right: str) -> dict[str, str]:
    rest = [k for k in FAILURE_TYPES if k != top]
    most_frequent = max(rest, key=lambda k: (counts[k], -rest.index(k)))
    out = {}
    for kind in rest:
        score = counts[kind] * HARM[kind]
        if kind == most_frequent and counts[kind] > counts[right]:
            out[kind] = f"It is the most frequent of the rest ({counts[kind]}), but frequency alone ignores harm: weigh each count by its harm (`HARM`), {counts[kind]} × {HARM[kind]} = {score}."
        elif HARM[kind] == max(HARM.values()):
            out[kind] = f"It is the most harmful type (harm {HARM[kind]}), but it happens less often: {counts[kind]} × {HARM[kind]} = {score}. Harm alone ignores how often a failure happens."
        else:
            out[kind] = f"{counts[kind]} × harm {HARM[kind]} = {score}: another type scores higher. Multiply each type's count by its harm."
    return out


@exercise.question("q2")
def what_to_fix_next(ctx) -> ChoiceQuestion:
    counts = trace_facts(ctx.seed).counts
    top, right = _analysis(counts)
    rest = tuple(k for k in FAILURE_TYPES if k != top)
    why = f"{counts[right]} failures × harm {HARM[right]} = {counts[right] * HARM[right]}, the highest frequency × harm once the sample's most frequent type ({top}) is set aside."
    feedback = _priority_feedback(counts, top, right)
    feedback[top] = f"That is the most frequent type in the whole sample ({counts[top]} failures), the one a fix is already under way for. Rank the other types by frequency × harm."
    spec = _type_spec(ctx, right, feedback, why)
    table = ", ".join(f"{k} {HARM[k]}" for k in FAILURE_TYPES)
    return ChoiceQuestion(
        "q2",
        "What to fix next",
        (
            f"A fix for the most frequent failure type among all the failed traces of `ex.data.sample` is already under way. "
            f"Which type should the team fix next, ranked by frequency in the sample × harm? The harm of one failure "
            f"(1 mild to 5 severe) is in `HARM`: {table}. Answer with the type's name in quotes."
        ),
        spec,
        hints=(
            "Set aside the sample's most frequent type. A rare failure can matter more than a common one if it does more harm, and the reverse: weigh both.",
            "`counts = sample.failure_counts()`; for each type but the most frequent, `counts[kind] * HARM[kind]`; pick the largest.",
        ),
        solution=f"\"{right}\": {top} is the most frequent ({counts[top]}); then " + "; ".join(f"{k} {counts[k]} × {HARM[k]} = {counts[k] * HARM[k]}" for k in rest) + ".",
    )


# --------------------------------------------------------------------------------------------
# q3, q4: the judge's TPR and TNR against people, on the labelled split
# --------------------------------------------------------------------------------------------


def _agreement(facts: TraceFacts, judge: str, split: str = "labelled"):
    labels = facts.split[split]
    return judge_agreement(labels["human"], labels[judge])


def _rate_slips(facts: TraceFacts, judge: str, rate: str) -> tuple[Mistake, ...]:
    """Slips for a TPR (rate="tpr") or TNR (rate="tnr") question."""
    g, other = _agreement(facts, judge), _agreement(facts, "b" if judge == "a" else "a")
    every = _agreement(facts, judge, "all")
    swapped, name = ("tnr", "TNR") if rate == "tpr" else ("tpr", "TPR")
    value = getattr(g, rate)
    if rate == "tpr":
        own = (
            Mistake(lambda: g.true_pass / (g.true_pass + g.false_pass), "That is the share of the judge's passes that people passed too (its precision). TPR starts from the human passes: of those, how many did the judge pass?"),
            Mistake(g.judge_pass_rate, "That is the judge's pass rate on the labelled split. TPR counts only the traces people passed."),
        )
    else:
        own = (
            Mistake(lambda: g.true_fail / (g.true_fail + g.false_fail), "That is the share of the judge's fails that people failed too. TNR starts from the human fails: of those, how many did the judge fail?"),
            Mistake(1 - g.judge_pass_rate, "That is the judge's fail rate on the labelled split. TNR counts only the traces people failed."),
        )
    return (
        Mistake(getattr(g, swapped), f"That is the judge's {name}: you swapped the two. With pass as the positive class, TPR is measured on the human passes, TNR on the human fails."),
        Mistake(1 - value, f"That is the judge's error rate on these traces (1 − {rate.upper()}). Count the traces where the judge agrees with people."),
        Mistake(g.agreement, "That is the raw agreement over all labelled traces. It mixes passes and fails, so it hides a judge that passes almost everything: split it by the human label."),
        Mistake(getattr(every, rate), "That uses every trace. A judge is measured on the labelled split only: in practice only those traces have human labels."),
        Mistake(getattr(other, rate), f"That is the other judge's {rate.upper()}. This question is about judge {judge.upper()}."),
        *own,
    )


@dataclasses.dataclass(frozen=True)
class RateSpec(NumberSpec):
    """A TPR or TNR: the whole ``judge_agreement`` result gets a message naming the field to take."""

    field: str = "tpr"

    def judge(self, answer):
        if isinstance(answer, JudgeAgreement):
            return False, f"That is the whole result of `judge_agreement` (a JudgeAgreement); answer with one number from it, its `.{self.field}`."
        return super().judge(answer)


def _rate_question(ctx, qid: str, rate: str) -> NumberQuestion:
    facts, judge = trace_facts(ctx.seed), ctx.shared.judge
    g = _agreement(facts, judge)
    value = getattr(g, rate)
    if rate == "tpr":
        words, cells, formula = "true-positive rate (TPR)", "human passes", f"{g.true_pass} / ({g.true_pass} + {g.false_fail})"
    else:
        words, cells, formula = "true-negative rate (TNR)", "human fails", f"{g.true_fail} / ({g.false_pass} + {g.true_fail})"
    low, high = getattr(g, f"{rate}_interval")
    return NumberQuestion(
        qid,
        f"Judge {judge.upper()}'s {rate.upper()}",
        (
            f"On the labelled split of `ex.data.traces` (`traces.where(\"labelled\")`), what is judge {judge.upper()}'s "
            f"{words} against the human labels, with pass as the positive class? Give it as a share between 0 and 1 "
            f"to three decimal places. The judge's name is in `ex.{qid}.data.judge`. {_data_note(ctx.seed)}"
        ),
        RateSpec(value, precision=SHARE, fraction=True, mistakes=_rate_slips(facts, judge, rate), field=rate),
        hints=(
            f"Keep only the {cells} of the labelled split; the {rate.upper()} is the share of them on which the judge agrees with people.",
            f"`judge_agreement(labelled.human(), labelled.judge(\"{judge}\")).{rate}`",
        ),
        solution=f"{formula} = {SHARE.format(value)} (95% interval {low:.1%} to {high:.1%}, on {g.n} labelled traces).",
        data=types.SimpleNamespace(judge=judge),
    )


@exercise.question("q3")
def judge_tpr(ctx) -> NumberQuestion:
    return _rate_question(ctx, "q3", "tpr")


@exercise.question("q4")
def judge_tnr(ctx) -> NumberQuestion:
    return _rate_question(ctx, "q4", "tnr")


# --------------------------------------------------------------------------------------------
# q5: the corrected pass rate
# --------------------------------------------------------------------------------------------


def _corrected_slips(facts: TraceFacts, judge: str) -> tuple[Mistake, ...]:
    g, every = _agreement(facts, judge), _agreement(facts, judge, "all")
    labelled, judged = facts.split["labelled"], facts.split["judged"]
    p = float(judged[judge].mean())
    d = g.tpr + g.tnr - 1
    other = "b" if judge == "a" else "a"
    o, p_other = _agreement(facts, other), float(judged[other].mean())
    p_all = float(facts.split["all"][judge].mean())
    shown = int(f"{p_all:.0%}".rstrip("%")) / 100  # the pass rate over all traces as traces.summary() prints it
    raw_all = (f"That is judge {judge.upper()}'s raw pass rate over all {facts.size} traces (the one `traces.summary()` prints), "
               "uncorrected. Take its pass rate on the judged split, then correct it with its TPR and TNR.")
    corrected_all = (f"You corrected judge {judge.upper()}'s pass rate over all {facts.size} traces, the one `traces.summary()` prints. "
                     "Those include the labelled split that measured the judge: correct its pass rate on the judged split only.")
    return (
        Mistake(p, "That is the judge's raw pass rate on the judged split. It is off by the judge's own errors: correct it with its TPR and TNR."),
        Mistake(lambda: (p + g.tpr - 1) / d, "TPR and TNR are swapped in the formula: θ = (p + TNR − 1) / (TPR + TNR − 1)."),
        Mistake(lambda: p / g.tpr, "Dividing by TPR undoes the good answers the judge fails, but not the bad answers it passes: use θ = (p + TNR − 1) / (TPR + TNR − 1)."),
        # Corrected on the labelled split itself, the rate is exactly that split's human pass rate: one slip.
        Mistake(float(labelled["human"].mean()), "That is the pass rate of the labelled split (people's, or the judge's corrected there: on the split that measured the judge they are the same). The question asks about the judged split: correct the judge's pass rate there."),
        Mistake(float(judged["human"].mean()), "That is the judged split's pass rate by its human labels, which a real team does not have (nobody labelled those traces). Estimate it from the judge's verdicts, corrected."),
        Mistake(lambda: corrected_pass_rate(p, every.tpr, every.tnr), "That measures TPR and TNR on every trace. Measure the judge on the labelled split only."),
        Mistake(lambda: corrected_pass_rate(p_other, o.tpr, o.tnr), f"That is judge {other.upper()}'s corrected pass rate. This question is about judge {judge.upper()}: its verdicts, its TPR and its TNR."),
        Mistake(p_other, f"That is judge {other.upper()}'s raw pass rate on the judged split. This question is about judge {judge.upper()}, and its rate corrected."),
        Mistake(p_all, raw_all),
        Mistake(shown, raw_all),
        Mistake(lambda: corrected_pass_rate(p_all, g.tpr, g.tnr), corrected_all),
        Mistake(lambda: corrected_pass_rate(shown, g.tpr, g.tnr), corrected_all),
    )


@exercise.question("q5")
def corrected_rate(ctx) -> NumberQuestion:
    facts, judge = trace_facts(ctx.seed), ctx.shared.judge
    g = _agreement(facts, judge)
    p = float(facts.split["judged"][judge].mean())
    theta = corrected_pass_rate(p, g.tpr, g.tnr)
    return NumberQuestion(
        "q5",
        "The corrected pass rate",
        (
            f"Judge {judge.upper()} judged the traces of the judged split (`traces.where(\"judged\")`). Correct its raw "
            "pass rate there with its TPR and TNR from the labelled split (questions 3 and 4). What is the corrected "
            "pass rate of the judged split, as a share between 0 and 1 to three decimal places? The judge's name is in "
            "`ex.q5.data.judge`."
        ),
        NumberSpec(theta, precision=SHARE, fraction=True, mistakes=_corrected_slips(facts, judge)),
        hints=(
            "A lenient judge passes some bad answers, a strict one fails some good ones: the raw pass rate is off by both. The correction undoes them.",
            "θ = (p + TNR − 1) / (TPR + TNR − 1), clipped to [0, 1]; `corrected_pass_rate(p, tpr, tnr)`.",
        ),
        solution=f"p = {p:.4f}, TPR {g.tpr:.4f}, TNR {g.tnr:.4f}: θ = ({p:.4f} + {g.tnr:.4f} − 1) / ({g.tpr:.4f} + {g.tnr:.4f} − 1) = {SHARE.format(theta)}, against a raw {p:.1%}.",
        data=types.SimpleNamespace(judge=judge),
    )


# --------------------------------------------------------------------------------------------
# q6: can the judge gate the release?
# --------------------------------------------------------------------------------------------

GATE_MARGIN = 0.01  # the minimum sits at least this far from the interval's ends, the estimate and the raw rate
GATE_OPTIONS = ("ship", "block", "not shown yet")
GATE_ALIASES = {"not_shown_yet": "not shown yet", "not-shown-yet": "not shown yet"}  # as question 1 takes "wrong tone" for wrong_tone


@functools.lru_cache(maxsize=1024)
def gate_interval(seed: int, judge: str) -> CorrectedRate:
    """The corrected pass rate's bootstrap interval for one judge on the judged split (question 6)."""
    labels = trace_facts(seed).split
    lab, jud = labels["labelled"], labels["judged"]
    return corrected_pass_rate_interval(jud[judge], lab["human"], lab[judge], seed=BOOT_SEED)


def _gate_minimums(rate: CorrectedRate) -> dict[str, tuple[list[float], list[float]]]:
    """For each decision, the minimums (whole percentages) that give it, and among them those where a
    wrong answer teaches most: not shown yet with the estimate and the raw rate on either side of the
    minimum; ship with the raw rate below it; block with the raw rate above it."""
    grid = [m / 100 for m in range(40, 96)]
    clear = [m for m in grid if all(abs(m - x) >= GATE_MARGIN for x in (rate.low, rate.high, rate.estimate, rate.observed))]
    between = sorted((rate.estimate, rate.observed))
    found = {
        "not shown yet": [m for m in clear if rate.low < m < rate.high],
        "ship": [m for m in clear if m < rate.low],
        "block": [m for m in clear if m > rate.high],
    }
    best = {
        "not shown yet": [m for m in found["not shown yet"] if between[0] < m < between[1]],
        "ship": [m for m in found["ship"] if rate.observed < m],
        "block": [m for m in found["block"] if m < rate.observed],
    }
    return {d: (found[d], best[d]) for d in GATE_OPTIONS}


def _gate_feedback(rate: CorrectedRate, minimum: float, right: str) -> dict[str, str]:
    """What each wrong decision teaches: the point estimate, the judge's raw rate, or how to read the interval."""
    m = f"{minimum:.0%}"
    bias = "this judge passes more than people do, so its raw rate runs high" if rate.observed > rate.estimate else "this judge fails more than people do, so its raw rate runs low"
    raw = f"The judge's raw pass rate ({rate.observed:.1%}) is {'above' if rate.observed > minimum else 'below'} {m}, but {bias}. Gate on the corrected rate and its interval."
    point = f"The corrected estimate ({rate.estimate:.1%}) is {'above' if rate.estimate > minimum else 'below'} {m}, but it is one value inside the interval: the true rate may lie on the other side. A gate reads the interval's ends."
    read = {
        "ship": f"Shipping needs evidence that the rate reaches {m}: the interval's low end at or above it. Compare each end of the interval with {m}.",
        "block": f"Blocking needs evidence that the rate is below {m}: the interval's high end below it. Compare each end of the interval with {m}.",
        "not shown yet": f"\"Not shown yet\" means the interval reaches both sides of {m}. Compare each end of the interval with {m}.",
    }
    out = {}
    for decision in GATE_OPTIONS:
        says = {"ship": (rate.estimate > minimum, rate.observed > minimum), "block": (rate.estimate < minimum, rate.observed < minimum)}.get(decision, (False, False))
        if decision != right and says[1] and (right == "not shown yet" or not says[0]):
            out[decision] = raw
        elif decision != right and says[0] and right == "not shown yet":
            out[decision] = point
        else:
            out[decision] = read[decision]
    return out


@exercise.question("q6")
def can_the_judge_gate(ctx) -> ChoiceQuestion:
    judge = ctx.shared.judge
    rate = gate_interval(ctx.seed, judge)
    minimums = _gate_minimums(rate)
    right = ctx.pick([d for d in ("not shown yet", "not shown yet", "ship", "block") if minimums[d][0]])
    found, best = minimums[right]
    minimum = ctx.pick(best or found)
    feedback = _gate_feedback(rate, minimum, right)
    why = {"ship": "the interval's low end clears the minimum: the evidence shows the pass rate reaches it.",
           "block": "the interval's high end is below the minimum: the evidence shows the pass rate misses it.",
           "not shown yet": "the interval's low end is below the minimum and its high end above: label or judge more traces."}[right]
    spec = ChoiceSpec(options={d: d for d in GATE_OPTIONS}, correct=right, why=why, aliases=GATE_ALIASES,
                      feedback={d: feedback[d] for d in GATE_OPTIONS if d != right}).shuffled(ctx.rng)
    return ChoiceQuestion(
        "q6",
        "Can the judge gate the release?",
        (
            f"The release needs a pass rate of at least {minimum:.0%}, read from judge {judge.upper()}'s verdicts on the judged "
            "split. Compute the corrected pass rate's 95% bootstrap interval with `corrected_pass_rate_interval` (its "
            "defaults: 2,000 draws, seed 0). Does the release ship, is it blocked, or is it not shown yet? Answer "
            "\"ship\", \"block\" or \"not shown yet\". The minimum is in `ex.q6.data.minimum`."
        ),
        spec,
        hints=(
            "A gate asks what the evidence shows, not what the best guess is: where does the whole interval lie against the minimum?",
            f"`rate = corrected_pass_rate_interval(judged.judge(\"{judge}\"), labelled.human(), labelled.judge(\"{judge}\"))`, then `gate_decision(rate, {minimum})`.",
        ),
        solution=f"\"{right}\": the interval is {rate.low:.1%} to {rate.high:.1%} (estimate {rate.estimate:.1%}, raw {rate.observed:.1%}) against a minimum of {minimum:.0%}.",
        data=types.SimpleNamespace(judge=judge, minimum=minimum),
    )


# --------------------------------------------------------------------------------------------
# q7: groundedness: the share of claims the support score calls supported
# --------------------------------------------------------------------------------------------


def _support_slips(facts: TraceFacts, cut: float) -> tuple[Mistake, ...]:
    claims = facts.claims
    called = claims.score >= cut
    owners = np.unique(claims.owner)
    all_called = [bool(called[claims.owner == i].all()) for i in owners]
    per_trace = [float(called[claims.owner == i].mean()) for i in owners]
    return (
        Mistake(float(claims.human.mean()), "That is the share of claims people labelled supported. The question asks what the support score says: it is a proxy, and it disagrees with people on some claims."),
        Mistake(float((claims.score > cut).mean()), f"A claim exactly at the cut counts as supported: use score ≥ {cut}, not >."),
        Mistake(float(1 - called.mean()), "That is the share the score calls unsupported. The question asks for the share called supported."),
        Mistake(float((claims.first >= cut).mean()), "That scores each claim against the first retrieved passage only. The support score takes the best of all the trace's retrieved passages."),
        Mistake(float((called == claims.human).mean()), "That is how often the score agrees with the human labels. The question asks for the share of claims the score calls supported."),
        Mistake(lambda: sum(all_called) / len(all_called), "That counts traces whose every claim is called supported. The question counts claims, one by one."),
        Mistake(float((claims.score >= SUPPORT_THRESHOLD).mean()), f"That uses the lesson's cut, `SUPPORT_THRESHOLD` ({SUPPORT_THRESHOLD:g}). This question's cut is {cut:g}: a claim counts as supported at or above {cut:g}."),
        Mistake(float(claims.score.mean()), "That is the mean support score of the claims, not a share of claims. Count the claims whose score is at or above the cut."),
        Mistake(lambda: statistics.fmean(per_trace), "That averages each trace's share of claims called supported, so a trace with one claim weighs as much as one with five. Pool the claims: claims at or above the cut ÷ all claims."),
        Mistake(float((facts.all_claims.score >= cut).mean()), f"That scores the claims of all {facts.size} traces in `ex.data.traces`. The question asks about the {SAMPLE_SIZE} traces of `ex.data.sample`."),
    )


@exercise.question("q7")
def claims_called_supported(ctx) -> NumberQuestion:
    facts = trace_facts(ctx.seed)
    cut = ctx.pick(list(facts.cuts))
    claims = facts.claims
    share = float((claims.score >= cut).mean())
    return NumberQuestion(
        "q7",
        "Groundedness: claims the score calls supported",
        (
            "Score every claim of every trace in `ex.data.sample` against that trace's retrieved passages with "
            f"`support_score(claim.text, sample.passages(trace))`. At a cut of {cut} (a claim counts as supported at or "
            "above it), what share of the sample's claims does the score call supported? Give it as a share between 0 and "
            "1 to three decimal places. The cut is in `ex.q7.data.cut`."
        ),
        NumberSpec(share, precision=SHARE, fraction=True, mistakes=_support_slips(facts, cut)),
        hints=(
            "Count claims, not traces: a trace's answer is split into several claims, and a refusal has none.",
            f"`scores = [support_score(c.text, sample.passages(t)) for t in sample for c in t.claims]`, then the share with score ≥ {cut}.",
        ),
        solution=(
            f"{int((claims.score >= cut).sum())} of {len(claims.score)} claims = {SHARE.format(share)}; people labelled "
            f"{claims.human.mean():.1%} supported, and the score agrees with them on {((claims.score >= cut) == claims.human).mean():.1%} of the claims."
        ),
        data=types.SimpleNamespace(cut=cut),
    )


# --------------------------------------------------------------------------------------------
# q8: pass^k, from n tries with c successes
# --------------------------------------------------------------------------------------------


@exercise.question("q8")
def every_try_succeeds(ctx) -> NumberQuestion:
    n = ctx.pick([8, 10, 12, 16, 20])
    k = ctx.pick([2, 3, 4])
    c = ctx.pick([c for c in range(k, n) if pass_hat_k(n, c, k) >= 0.05 and c / n <= 0.95])
    value = pass_hat_k(n, c, k)
    slips = (
        Mistake(pass_at_k(n, c, k), "That is pass@k: the chance that at least one of k tries succeeds. The question asks for all k (pass^k)."),
        Mistake((c / n) ** k, "That is (c/n)^k, as if each try were drawn with replacement. The unbiased estimator draws k of the n tries without replacement: C(c, k) / C(n, k)."),
        Mistake(c / n, "That is the success rate of one try. All k tries must succeed."),
        Mistake(1 - (1 - c / n) ** k, "That is 1 − (1 − c/n)^k, the chance that at least one try succeeds. The question asks for all k."),
        Mistake(math.comb(n - c, k) / math.comb(n, k), "That is the chance that all k tries fail. The question asks that all k succeed."),
        Mistake(1 - value, "That is 1 − pass^k: the chance that at least one of the k tries fails. The question asks that all k succeed."),
    )
    return NumberQuestion(
        "q8",
        "Succeeding every time: pass^k",
        (
            f"The copilot's refund agent ran the same task {n} times and succeeded {c} times. Estimate the chance that all "
            f"{k} of {k} new tries succeed (pass^{k}) with the unbiased estimator. Give it as a share between 0 and 1 to "
            "three decimal places. The numbers are in `ex.q8.data`."
        ),
        NumberSpec(value, precision=SHARE, fraction=True, mistakes=slips),
        hints=(
            "Succeeding once is not succeeding every time: a customer who asks twice must get a good answer both times.",
            f"pass^k = C(c, k) / C(n, k): `pass_hat_k({n}, {c}, {k})` (`math.comb` works too).",
        ),
        solution=f"C({c}, {k}) / C({n}, {k}) = {math.comb(c, k)} / {math.comb(n, k)} = {SHARE.format(value)}; pass@{k} would be {pass_at_k(n, c, k):.3f}.",
        data=types.SimpleNamespace(n=n, c=c, k=k),
    )


# --------------------------------------------------------------------------------------------
# q9: a chain's success
# --------------------------------------------------------------------------------------------

CHAIN_STEPS = (
    "read the ticket and find the order",
    "retrieve the refund policy",
    "check the refund window",
    "look up the payment",
    "decide the refund amount",
    "issue the refund",
    "write the reply",
    "log the case",
)
STEP_RATES = (0.9, 0.93, 0.95, 0.97, 0.98, 0.99)


def _step_rates(ctx, steps: int) -> list[float]:
    """Rates that differ enough that the average rate to the power of the steps is a different answer."""
    for _ in range(100):
        rates = [ctx.pick(STEP_RATES) for _ in range(steps)]
        if not SHARE.indistinct(chain_success(rates), statistics.fmean(rates) ** steps):
            return rates
    return [0.9, 0.99] + [0.95] * (steps - 2)  # not reached for seeds 0-499: the tests check


@exercise.question("q9")
def chain_of_steps(ctx) -> NumberQuestion:
    steps = CHAIN_STEPS[: ctx.pick([5, 6, 7, 8])]
    rates = _step_rates(ctx, len(steps))
    value = chain_success(rates)
    slips = (
        Mistake(sum(rates), "That is the sum of the step rates. Every step must succeed, so the chances multiply."),
        Mistake(sum(rates) / len(rates), "That is the average step's success rate. Every step must succeed: multiply the rates."),
        Mistake(min(rates), "That is the weakest step alone. The other steps fail too, sometimes: multiply all the rates."),
        Mistake(1 - sum(1 - r for r in rates), "That subtracts the failure rates from 1 (1 − Σ(1 − p)), which counts two failures in one task twice. Multiply the success rates."),
        Mistake(rates[-1], "That is the last step's rate. The task succeeds only if every step before it did too."),
        Mistake(statistics.fmean(rates) ** len(rates), f"That raises the average step rate to the power {len(steps)}. The steps differ: multiply each step's own rate."),
    )
    listed = "; ".join(f"{s} {r:.0%}" for s, r in zip(steps, rates))
    return NumberQuestion(
        "q9",
        "A chain's success",
        (
            f"An agent handles a refund in {len(steps)} steps, each succeeding with its own rate, independently: {listed}. "
            "What share of refunds go through every step? Give it as a share between 0 and 1 to three decimal places. "
            "The rates are in `ex.q9.data.step_rates`."
        ),
        NumberSpec(value, precision=SHARE, fraction=True, mistakes=slips),
        hints=(
            "A refund goes through only if every step succeeds, and each step has its own chance: the chances multiply, one factor per step.",
            "`chain_success(step_rates)`, or `math.prod(step_rates)`.",
        ),
        solution=" × ".join(f"{r:g}" for r in rates) + f" = {SHARE.format(value)}.",
        data=types.SimpleNamespace(steps=steps, step_rates=rates),
    )


# --------------------------------------------------------------------------------------------
# q10: the cost per finished task, with retries
# --------------------------------------------------------------------------------------------


@exercise.question("q10")
def cost_per_finished(ctx) -> NumberQuestion:
    cost = round(ctx.money(ctx.pick([0.04, 0.06, 0.09, 0.12])), 6)
    p, m = ctx.pick([(p, m) for p in (0.5, 0.6, 0.7, 0.8) for m in (2, 3) if (1 - p) ** m >= 0.02])
    result = cost_per_finished_task(cost, p, m)
    value = result.cost_per_finished_task
    slips = (
        Mistake(cost, "That is the cost of one attempt. Failed attempts are paid for too, and so are the tasks that never finish."),
        Mistake(result.cost_per_task, "That is the average cost per task started. Some tasks never finish: divide the spend by the finished tasks only."),
        Mistake(cost * m, f"That assumes every task uses all {m} attempts. A task stops at its first success."),
        Mistake(cost / result.finished_share, "That counts one attempt per task. A task that succeeds at the second try paid for two."),
        Mistake(cost * result.expected_attempts * result.finished_share, "You multiplied by the finished share. Divide the spend by the finished tasks instead."),
        Mistake(result.cost_per_task / p, f"You divided the cost per task started by one attempt's success rate ({p:.0%}). Divide it by the share of tasks that finish within {m} attempts, 1 − (1 − p)^{m}: retries finish more tasks than one attempt does."),
    )
    return NumberQuestion(
        "q10",
        "The cost per finished task",
        (
            f"Each attempt of the refund agent costs ${cost:g} in tokens and tool calls and succeeds {p:.0%} of the time, "
            f"independently. A failed attempt is retried, up to {m} attempts in all; then the task goes to a person "
            "unfinished. What does the agent spend per finished task (all its spend divided by the tasks it finishes), "
            "in dollars to three significant figures? The numbers are in `ex.q10.data`."
        ),
        NumberSpec(value, precision=MONEY, units="dollars", mistakes=slips),
        hints=(
            "Work per task started: how many attempts on average, and what share finish? The failed tasks' attempts land on the finished ones.",
            f"`cost_per_finished_task({cost}, {p}, max_attempts={m}).cost_per_finished_task`",
        ),
        solution=(
            f"{result.expected_attempts:.4f} attempts per task × ${cost:g} = ${result.cost_per_task:.4f} per task; "
            f"{result.finished_share:.4f} finish, so ${MONEY.format(value)} per finished task (= ${cost:g} / {p:g})."
        ),
        data=types.SimpleNamespace(cost_per_attempt=cost, success_rate=p, max_attempts=m),
    )


# --------------------------------------------------------------------------------------------
# q11: what a guardrail's false blocks cost a day
# --------------------------------------------------------------------------------------------

ATTACK_RATES = (0.01, 0.02)  # production's share of requests with a planted instruction: rarer than in the traces


@dataclasses.dataclass(frozen=True)
class _Blocks:
    """What the filter does to the traces at one threshold (scores at or above it are blocked)."""

    false: int  # benign traces blocked
    true: int  # planted traces blocked
    benign: int
    planted: int
    below: int  # benign traces below the threshold

    @property
    def rate(self) -> float:
        return self.false / self.benign


def _blocks(facts: TraceFacts, threshold: float) -> _Blocks:
    blocked = facts.filter_score >= threshold
    benign = ~facts.planted
    return _Blocks(int((blocked & benign).sum()), int((blocked & facts.planted).sum()), int(benign.sum()),
                   int(facts.planted.sum()), int((~blocked & benign).sum()))


def _false_block_cost(b: _Blocks, requests: int, attack_rate: float, cost: float) -> float:
    return requests * (1 - attack_rate) * b.rate * cost


def _guardrail_slips(facts: TraceFacts, threshold: float, requests: int, attack_rate: float, cost: float) -> tuple[Mistake, ...]:
    b, n = _blocks(facts, threshold), facts.size
    benign_requests = requests * (1 - attack_rate)
    every_block = "That counts every block, the planted instructions caught too. Only benign requests blocked are false blocks."
    return (
        Mistake(b.false / n * requests * cost, f"That takes the mix of requests from the traces (false blocks ÷ all {n} traces), but planted instructions are over-represented there. Measure the false-block rate among the benign traces, and apply it to this question's benign requests: {1 - attack_rate:.0%} of {requests:,}."),
        Mistake(requests * b.rate * cost, f"That applies the false-block rate to every request, the {attack_rate:.0%} with a planted instruction too. Only benign requests can be false blocks: apply the rate to the {1 - attack_rate:.0%} that are benign."),
        Mistake(requests * (1 - LESSON_ATTACK_RATE) * b.rate * cost, f"That uses the lesson's share of requests with a planted instruction (1 in 1,000). This question gives its own: {attack_rate:.0%} of the requests."),
        Mistake(b.false / n * benign_requests * cost, "The benign share is counted twice: false blocks ÷ all traces is not the false-block rate. Divide the blocked benign traces by the benign traces only."),
        Mistake((b.false + b.true) / n * requests * cost, every_block),
        Mistake((b.false + b.true) / n * benign_requests * cost, every_block),
        Mistake(b.below / b.benign * benign_requests * cost, "That prices the benign traces below the threshold. The filter blocks scores at or above it (higher = more suspicious)."),
        Mistake(b.false * cost, f"That is the cost for the {b.false} false blocks among the {n} traces. Scale the rate to the {requests:,} requests a day."),
        Mistake(benign_requests * b.rate, f"That is the number of false blocks a day, not what they cost: price each at ${cost:g}."),
        Mistake(requests * attack_rate * b.true / b.planted * cost, "That prices the planted instructions caught. The question asks about benign requests blocked."),
    )


def _attack_rates(facts: TraceFacts, threshold: float, requests: int, cost: float) -> list[float]:
    """The attack rates at which the main slips are told apart from the answer at three significant figures."""
    b = _blocks(facts, threshold)
    out = []
    for a in ATTACK_RATES:
        right = _false_block_cost(b, requests, a, cost)
        slips = (b.false / facts.size * requests * cost, requests * b.rate * cost, requests * (1 - LESSON_ATTACK_RATE) * b.rate * cost)
        if not any(MONEY.indistinct(right, s) for s in slips):
            out.append(a)
    return out or list(ATTACK_RATES)


@exercise.question("q11")
def false_blocks_cost(ctx) -> NumberQuestion:
    facts = trace_facts(ctx.seed)
    threshold = ctx.pick([t for t in (0.4, 0.5, 0.6, 0.7, 0.8) if _blocks(facts, t).false >= 2 and _blocks(facts, t).true >= 1] or [0.5])
    requests = ctx.volume(ctx.pick([20_000, 40_000, 60_000]))
    cost = round(ctx.money(ctx.pick([3, 4, 6])), 6)
    attack_rate = ctx.pick(_attack_rates(facts, threshold, requests, cost))
    b = _blocks(facts, threshold)
    value = _false_block_cost(b, requests, attack_rate, cost)
    benign_requests = requests * (1 - attack_rate)
    return NumberQuestion(
        "q11",
        "What false blocks cost a day",
        (
            f"An injection filter scores the retrieved text of each trace (`trace.filter_score`, higher = more suspicious) "
            f"and blocks scores at or above {threshold}; `trace.planted` marks the traces that do carry a planted instruction. "
            f"Planted instructions are over-represented in `ex.data.traces`, as in the lesson's set, so that there are enough "
            f"to count; so take only the filter's false-block rate from the traces: the share of the benign traces (no planted "
            f"instruction) it blocks. In production, {attack_rate:.0%} of the copilot's {requests:,} requests a day carry a "
            f"planted instruction: use this question's share, not the lesson's 1 in 1,000. Each benign request blocked costs "
            f"${cost:g} (a person answers it instead). What do false blocks cost a day, in dollars to three significant "
            "figures? The numbers are in `ex.q11.data`."
        ),
        NumberSpec(value, precision=MONEY, units="dollars a day", mistakes=_guardrail_slips(facts, threshold, requests, attack_rate, cost)),
        hints=(
            "A false block is a benign request blocked. Take its rate among the benign traces, apply it to a day's benign requests (production's mix, not the traces'), then price each.",
            f"blocked benign traces ÷ benign traces × {requests:,} × (1 − {attack_rate:g}) × ${cost:g}; or `guardrail_cost({requests}, {attack_rate:g}, catch_rate, false_block_rate, {cost:g}, 0).cost_false_blocks` (the catch rate does not change the false blocks).",
        ),
        solution=(
            f"{b.false} of the {b.benign} benign traces are blocked: a false-block rate of {b.rate:.4f} ({b.true} of the {b.planted} "
            f"planted ones are caught). {requests:,} × (1 − {attack_rate:g}) = {benign_requests:,.0f} benign requests a day × "
            f"{b.rate:.4f} = {benign_requests * b.rate:,.1f} false blocks × ${cost:g} = ${MONEY.format(value)} a day."
        ),
        data=types.SimpleNamespace(threshold=threshold, requests_per_day=requests, attack_rate=attack_rate, cost_false_block=cost),
    )


# --------------------------------------------------------------------------------------------
# q12: an eval plan for the support copilot
# --------------------------------------------------------------------------------------------

COPILOT_WORDS = ("copilot", "support", "ticket", "triage")


def check_copilot_eval_plan(plan) -> list[str]:
    """``check_eval_plan``, plus: the plan is for the capstone's support copilot. Never raises."""
    problems = list(check_eval_plan(plan))
    try:
        product = read_eval_plan(plan).get("product")
    except AipmError:
        return problems
    if isinstance(product, str) and product.strip() and not any(w in product.lower() for w in COPILOT_WORDS):
        problems.append(str(Finding("product", f"{show(product)} is not the support copilot.", "this plan is for the capstone's support copilot: name it.")))
    return problems


@exercise.question("q12")
def eval_plan_for_the_copilot(ctx) -> ValidationQuestion:
    return ValidationQuestion(
        "q12",
        "An eval plan for the support copilot",
        (
            "Write an eval plan for the capstone's support copilot as a dict, starting from `EVAL_PLAN_SKELETON` (the "
            "cell below shows every key). The `product`. At least three `failure_types`, each with its `name`, its "
            "`check` (`\"code\"` where a rule decides, `\"judge\"` where a reader must, or `\"code, then a judge\"` as the "
            "lesson's table has it), its `verdict` (`\"pass/fail\"`, never a score), its `rule_or_question` in words and "
            "its `harm` (1 to 5). The `judge`: how many human-labelled cases validate it (`labelled_cases`) and how many "
            "of them people failed (`labelled_fails`), the `min_tpr` and `min_tnr` it must show, and `revalidate_when`. "
            "The `release_gate`: `min_pass_rate`, the `rate` it reads and where it is `read_from`. The `regression_set`: "
            "its `size` and what it is `refreshed_from`. The `owner`."
        ),
        check_copilot_eval_plan,
        starting_point=EVAL_PLAN_SKELETON,
        hints=(
            "Start from your error analysis (questions 1 and 2): one pass/fail check per failure type; a rule where the trace alone decides (an outcome, a tool call), a judge where a reader must.",
            "`check_eval_plan(plan)` lists what is missing. The gate reads the corrected pass rate's lower bound; the judge needs both human passes and fails, and a re-validation on every model or prompt change.",
        ),
        solution=(
            "For example: unsupported claims (judge, harm 4), missed escalations (code, then a judge: the ticket names a legal "
            "threat, an outage or account security and the outcome is not escalated; a judge reads what the words miss, harm 4), "
            "followed injections (code, then a judge: a refund with no policy reason, then the answer's words, harm 5), wrong "
            "tone (judge, harm 1); a judge validated on 200 labelled traces with 60 fails, TPR and TNR at least 0.85, "
            "re-validated on every model or prompt change; a gate at a corrected pass rate of 0.85 read from the lower bound; "
            "a regression set of 150 traces refreshed from production failures; the Head of Support as owner."
        ),
    )
