"""Exercise 08's questions: the worked answer passes for seeds 0-299 in every scenario, each named slip
gets its own feedback, the answer that ignores each question's concept is refused, and no answer makes
a check raise.

Expected values are recomputed here from the traces' own fields (counting with collections and NumPy,
the formulas written out, pass^k by enumerating the tries), not with `aipm_course.evals` or the
exercise's helpers; the agent questions are hand-worked for seed 0.
"""

from __future__ import annotations

import collections
import copy
import itertools
import math
import statistics
import time
from fractions import Fraction
from unittest import mock

import numpy as np
import pytest

from aipm_course.checking import ___, Outcome
from aipm_course.eval_plan import EVAL_PLAN_SKELETON
from aipm_course.evals import corrected_pass_rate_interval
from aipm_course.exercises import ex08, load
from aipm_course.parameters import scenarios
from aipm_course.traces import FAILURE_NAMES, FAILURE_TYPES, HARM, generate_traces, support_score

pytestmark = pytest.mark.usefixtures("quiet_work_folder")

SEEDS = range(300)
SCENARIOS = list(scenarios())
NUMERIC = ("q3", "q4", "q5", "q7", "q8", "q9", "q10", "q11")


# --- independent references ------------------------------------------------------------------------------


def rates_by_counting(traces, split: str, judge: str) -> tuple[float, float]:
    """(TPR, TNR) of a judge on one split ("labelled", "judged" or "all"), pass as the positive class."""
    rows = [(t.human_label, getattr(t, f"judge_{judge}")) for t in traces if split == "all" or t.split == split]
    cells = collections.Counter(rows)
    tpr = cells["pass", "pass"] / (cells["pass", "pass"] + cells["pass", "fail"])
    tnr = cells["fail", "fail"] / (cells["fail", "fail"] + cells["fail", "pass"])
    return tpr, tnr


def judge_pass_rate(traces, split: str, judge: str) -> float:
    verdicts = [getattr(t, f"judge_{judge}") == "pass" for t in traces if t.split == split]
    return sum(verdicts) / len(verdicts)


def rogan_gladen(p: float, tpr: float, tnr: float) -> float:
    return min(1.0, max(0.0, (p + tnr - 1) / (tpr + tnr - 1)))


def all_k_succeed_by_enumeration(n: int, c: int, k: int) -> Fraction:
    """Share of the k-subsets of n tries (the first c successes) in which every try succeeded."""
    subsets = list(itertools.combinations(range(n), k))
    return Fraction(sum(all(i < c for i in s) for s in subsets), len(subsets))


def at_least_one_by_enumeration(n: int, c: int, k: int) -> Fraction:
    subsets = list(itertools.combinations(range(n), k))
    return Fraction(sum(any(i < c for i in s) for s in subsets), len(subsets))


def false_block_cost(traces, threshold: float, requests: int, cost: float) -> float:
    false = sum(1 for t in traces if t.filter_score >= threshold and not t.planted)
    return false / len(traces) * requests * cost


def claim_scores(sample) -> tuple[list[float], list[bool]]:
    scores, human = [], []
    for trace in sample:
        passages = sample.passages(trace)
        for claim in trace.claims:
            scores.append(support_score(claim.text, passages))
            human.append(claim.supported)
    return scores, human


def own_bootstrap(judged, labelled_human, labelled_judge, draws: int, seed: int) -> tuple[float, float]:
    """A percentile bootstrap written here: resample the judged verdicts and the labelled pairs."""
    rng = np.random.default_rng(seed)
    judged, h, j = np.asarray(judged), np.asarray(labelled_human), np.asarray(labelled_judge)
    thetas = []
    for _ in range(draws):
        p = judged[rng.integers(0, len(judged), len(judged))].mean()
        pick = rng.integers(0, len(h), len(h))
        hh, jj = h[pick], j[pick]
        tpr, tnr = (hh & jj).sum() / hh.sum(), (~hh & ~jj).sum() / (~hh).sum()
        if tpr + tnr > 1:
            thetas.append(rogan_gladen(p, tpr, tnr))
    return tuple(np.quantile(thetas, [0.025, 0.975]))


# --- fixtures ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ex():
    return load("08", seed=0)


@pytest.fixture(scope="module")
def every_set():
    """Every (seed, scenario) a workshop may use, loaded once for all concept tests."""
    return [(seed, name, load("08", seed=seed, scenario=name)) for seed in SEEDS for name in SCENARIOS]


@pytest.fixture(scope="module")
def data_by_seed():
    """The traces and the error-analysis sample per seed, rebuilt here from the generator."""
    cache = {}

    def get(seed):
        if seed not in cache:
            traces = generate_traces(seed + 1)
            cache[seed] = (traces, traces.sample(ex08.SAMPLE_SIZE, ex08.sample_seed(seed)))
        return cache[seed]

    return get


def sound_plan(**changes):
    plan = {
        "product": "Brightwater support copilot: drafted replies to customer tickets",
        "failure_types": [
            {"name": "unsupported_claim", "check": "judge", "verdict": "pass/fail", "rule_or_question": "Is every claim supported by a retrieved passage?", "harm": 4},
            {"name": "missed_escalation", "check": "code", "verdict": "pass/fail", "rule_or_question": "The ticket names a legal threat and the outcome is not escalated", "harm": 4},
            {"name": "wrong_tone", "check": "judge", "verdict": "pass/fail", "rule_or_question": "Is the reply curt, blaming or over-familiar?", "harm": 1},
        ],
        "judge": {"labelled_cases": 200, "labelled_fails": 60, "min_tpr": 0.85, "min_tnr": 0.85, "revalidate_when": ["a model change", "a prompt change"]},
        "release_gate": {"min_pass_rate": 0.85, "rate": "corrected", "read_from": "lower bound"},
        "regression_set": {"size": 150, "refreshed_from": "failures found in production"},
        "owner": "Head of Support",
    }
    plan.update(changes)
    return plan


# --- every question -----------------------------------------------------------------------------------------


def test_there_are_at_least_ten_questions_and_each_has_two_hints_and_a_solution(ex):
    assert len(ex.questions) >= 10
    for question in ex.questions:
        assert len(question.hints) == 2, question.id
        assert str(question.hint(2)).startswith(f"Hint 2 of 2 for {question.id}")
        assert str(question.solution()).strip(), question.id


def test_placeholders_are_not_attempted(ex):
    for question in ex.questions:
        for blank in (___, None, ...):
            assert question.check(blank).outcome is Outcome.NOT_ATTEMPTED, question.id


def test_hostile_answers_never_raise_and_are_never_right(ex):
    class Broken:
        def __eq__(self, other):
            raise RuntimeError("broken \ud800")

        __hash__ = object.__hash__

        def __repr__(self):
            raise RuntimeError("no repr")

    hostile = [float("nan"), float("inf"), -1, 1e300, "abc", "12%", "0,5", "\ud800", b"a", [], {},
               {"product": Broken()}, [1, 2], (0.5,), mock.MagicMock(), Broken(), lambda: 1 / 0, object(), True,
               {"failure_types": "x"}, {"judge": [None]}, "ship it", "q"]
    for question in ex.questions:
        for answer in hostile:
            result = question.check(answer)
            assert result.outcome in (Outcome.INCORRECT, Outcome.NOT_ATTEMPTED), (question.id, answer)
            assert isinstance(result.message, str) and result.message
            str(result).encode("utf-8")


def test_loading_a_new_seed_is_fast_enough():
    took = []
    for seed in range(900, 906):  # seeds nothing else has loaded: no cache helps
        start = time.process_time()
        load("08", seed=seed)
        took.append(time.process_time() - start)
    assert statistics.median(took) < 0.6, f"median load {statistics.median(took) * 1000:.0f} ms of CPU"


def test_the_data_follow_the_seed_not_the_lesson(ex, data_by_seed):
    traces, sample = data_by_seed(0)
    assert ex.data.traces == traces and ex.data.sample == sample
    assert ex.data.traces.seed == 1 and len(ex.data.sample) == ex08.SAMPLE_SIZE
    assert load("08", seed=3).data.traces.seed == 4


# --- hand-worked values for seed 0 --------------------------------------------------------------------------


def test_seed_0_agent_questions_hand_worked(ex):
    d8, d9, d10 = ex.q8.data, ex.q9.data, ex.q10.data
    assert (d8.n, d8.c, d8.k) == (20, 12, 4)
    # C(12, 4) = 495 ways to pick 4 of the 12 successes; C(20, 4) = 4,845 ways to pick any 4: 495 / 4,845 = 0.1022
    assert ex.q8.check(0.102).correct and ex.q8.check(495 / 4845).correct
    assert list(d9.step_rates) == [0.9, 0.95, 0.95, 0.9, 0.95, 0.99, 0.9]
    # 0.9³ × 0.95³ × 0.99 = 0.729 × 0.857375 × 0.99 = 0.61878
    assert ex.q9.check(0.619).correct and ex.q9.check(0.729 * 0.857375 * 0.99).correct
    assert (d10.cost_per_attempt, d10.success_rate, d10.max_attempts) == (0.06, 0.5, 2)
    # 1.5 attempts on average ($0.09 a task); 75% finish: $0.09 / 0.75 = $0.12 (= $0.06 / 0.5)
    assert ex.q10.check(0.12).correct and ex.q10.check(0.09 / 0.75).correct
    assert "per task started" in ex.q10.check(0.09).message
    assert "one attempt" in ex.q10.check(0.06).message


def test_seed_0_trace_questions_by_counting(ex, data_by_seed):
    traces, sample = data_by_seed(0)
    counts = collections.Counter(t.failure_type for t in sample if t.human_label == "fail")
    top = counts.most_common(1)[0][0]
    assert ex.q1.check(top).correct
    priority = {k: counts[k] * HARM[k] for k in FAILURE_TYPES if k != top}
    assert ex.q2.check(max(priority, key=priority.get)).correct
    judge = ex.q3.data.judge
    tpr, tnr = rates_by_counting(traces, "labelled", judge)
    assert ex.q3.check(round(tpr, 3)).correct and ex.q4.check(round(tnr, 3)).correct
    theta = rogan_gladen(judge_pass_rate(traces, "judged", judge), tpr, tnr)
    assert ex.q5.check(round(theta, 3)).correct
    scores, _ = claim_scores(sample)
    assert ex.q7.check(round(sum(s >= ex.q7.data.cut for s in scores) / len(scores), 3)).correct
    d = ex.q11.data
    assert ex.q11.check(round(false_block_cost(traces, d.threshold, d.requests_per_day, d.cost_false_block))).correct


def test_q1_accepts_the_plain_words_name_and_explains_the_rarest_harmful_type(ex):
    right = ex.q1.spec.correct
    assert ex.q1.check(FAILURE_NAMES[right]).correct
    if right != "injection_followed":
        assert "most harmful" in ex.q1.check("injection_followed").message


# --- named slips, each with its own message -------------------------------------------------------------------


def test_each_numeric_question_has_at_least_three_distinct_slips_with_their_own_feedback(every_set):
    for seed, name, e in every_set[::11]:
        for qid in NUMERIC:
            q = getattr(e, qid)
            slips = q.spec.mistakes
            messages = [q.check(m.value).message for m in slips]
            assert messages == [m.feedback for m in slips] and len(set(messages)) >= 3, (qid, seed, name)
            assert not any(q.check(m.value).correct for m in slips)


def test_issue_named_slips_seed_0(ex, data_by_seed):
    traces, sample = data_by_seed(0)
    judge = ex.q3.data.judge
    tpr, tnr = rates_by_counting(traces, "labelled", judge)
    assert "swapped" in ex.q3.check(tnr).message and "swapped" in ex.q4.check(tpr).message
    every_tpr, _ = rates_by_counting(traces, "all", judge)
    if abs(every_tpr - tpr) > 0.0015:
        assert "labelled split only" in ex.q3.check(every_tpr).message
    p = judge_pass_rate(traces, "judged", judge)
    assert "raw pass rate" in ex.q5.check(p).message
    assert "swapped" in ex.q5.check((p + tpr - 1) / (tpr + tnr - 1)).message
    d8 = ex.q8.data
    assert "pass@k" in ex.q8.check(float(at_least_one_by_enumeration(d8.n, d8.c, d8.k))).message
    assert "with replacement" in ex.q8.check((d8.c / d8.n) ** d8.k).message
    assert "sum" in ex.q9.check(sum(ex.q9.data.step_rates)).message
    d = ex.q11.data
    blocks = sum(1 for t in traces if t.filter_score >= d.threshold)
    assert "every block" in ex.q11.check(blocks / len(traces) * d.requests_per_day * d.cost_false_block).message
    scores, human = claim_scores(sample)
    if abs(sum(human) / len(human) - sum(s >= ex.q7.data.cut for s in scores) / len(scores)) > 0.0015:
        assert "people labelled supported" in ex.q7.check(sum(human) / len(human)).message


# --- concepts, for every seed in every scenario ------------------------------------------------------------------


def test_concept_q1_q2_counting_and_weighing_by_harm(every_set, data_by_seed):
    frequency_refused = harm_refused = 0
    for seed, name, e in every_set:
        _, sample = data_by_seed(seed)
        counts = collections.Counter(t.failure_type for t in sample if t.failure_type)
        (top, n_top), (_, n_next) = counts.most_common(2)
        assert n_top > n_next and e.q1.check(top).correct, (seed, name)
        rest = {k: counts[k] * HARM[k] for k in FAILURE_TYPES if k != top}
        right = max(rest, key=rest.get)
        assert sorted(rest.values())[-1] > sorted(rest.values())[-2] and e.q2.check(right).correct, (seed, name)
        by_count = max((k for k in rest), key=lambda k: counts[k])
        if counts[by_count] > counts[right]:
            frequency_refused += 1
            assert "frequency alone" in e.q2.check(by_count).message, (seed, name)
        assert "already under way" in e.q2.check(top).message, (seed, name)
        if "injection_followed" not in (right, top):
            harm_refused += 1
            assert "Harm alone" in e.q2.check("injection_followed").message or "frequency alone" in e.q2.check("injection_followed").message, (seed, name)
    assert frequency_refused > 0.2 * len(every_set) and harm_refused > 0.5 * len(every_set)


def test_concept_q3_q4_swapping_tpr_and_tnr_or_raw_agreement_is_refused(every_set, data_by_seed):
    for seed, name, e in every_set:
        traces, _ = data_by_seed(seed)
        judge = e.q3.data.judge
        tpr, tnr = rates_by_counting(traces, "labelled", judge)
        assert e.q3.check(round(tpr, 3)).correct and e.q4.check(round(tnr, 3)).correct, (seed, name)
        if abs(tpr - tnr) > 0.0015:
            assert "swapped" in e.q3.check(round(tnr, 3)).message, (seed, name)
            assert "swapped" in e.q4.check(round(tpr, 3)).message, (seed, name)


def test_concept_q5_the_raw_rate_is_refused(every_set, data_by_seed):
    for seed, name, e in every_set:
        traces, _ = data_by_seed(seed)
        judge = e.q5.data.judge
        tpr, tnr = rates_by_counting(traces, "labelled", judge)
        p = judge_pass_rate(traces, "judged", judge)
        assert e.q5.check(round(rogan_gladen(p, tpr, tnr), 3)).correct, (seed, name)
        if abs(rogan_gladen(p, tpr, tnr) - p) > 0.0015:
            assert "raw pass rate" in e.q5.check(round(p, 3)).message, (seed, name)


def test_concept_q6_reading_the_point_estimate_or_the_raw_rate_is_refused(every_set):
    cases = collections.Counter()
    for seed, name, e in every_set[:: len(SCENARIOS)]:  # the interval depends on the seed only
        q, judge = e.q6, e.q6.data.judge
        t = e.data.traces
        lab, jud = t.where("labelled"), t.where("judged")
        rate = corrected_pass_rate_interval(jud.judge(judge), lab.human(), lab.judge(judge))
        m = q.data.minimum
        right = "ship" if rate.low >= m else "block" if rate.high < m else "not shown yet"
        assert q.check(right).correct and q.spec.correct == right, (seed, name)
        assert min(abs(m - rate.low), abs(m - rate.high)) >= 0.01, (seed, name)  # another bootstrap agrees
        cases[right] += 1
        if right == "not shown yet":
            point = "ship" if rate.estimate >= m else "block"
            assert "corrected estimate" in q.check(point).message or "raw pass rate" in q.check(point).message, (seed, name)
            raw = "ship" if rate.observed >= m else "block"
            assert "raw pass rate" in q.check(raw).message or "corrected estimate" in q.check(raw).message, (seed, name)
        else:
            assert "Compare each end" in q.check("not shown yet").message, (seed, name)
    assert all(cases[d] >= 0.15 * sum(cases.values()) for d in ("ship", "block", "not shown yet")), cases


def test_q6_an_independent_bootstrap_gives_the_same_decision():
    for seed in range(8):
        e = load("08", seed=seed)
        t, judge, m = e.data.traces, e.q6.data.judge, e.q6.data.minimum
        lab, jud = t.where("labelled"), t.where("judged")
        low, high = own_bootstrap(jud.judge(judge), lab.human(), lab.judge(judge), draws=1500, seed=1234 + seed)
        decision = "ship" if low >= m else "block" if high < m else "not shown yet"
        assert e.q6.check(decision).correct, (seed, low, high, m)


def test_concept_q7_human_labels_or_traces_instead_of_claims_are_refused(every_set, data_by_seed):
    for seed, name, e in every_set[:: len(SCENARIOS) * 3]:
        _, sample = data_by_seed(seed)
        scores, human = claim_scores(sample)
        cut = e.q7.data.cut
        share = sum(s >= cut for s in scores) / len(scores)
        assert e.q7.check(round(share, 3)).correct, (seed, name)
        if abs(share - sum(human) / len(human)) > 0.0015:
            assert "people labelled" in e.q7.check(sum(human) / len(human)).message, (seed, name)


def test_concept_q8_pass_at_k_and_with_replacement_are_refused(every_set):
    for seed, name, e in every_set:
        d = e.q8.data
        exact = all_k_succeed_by_enumeration(d.n, d.c, d.k)
        assert e.q8.check(round(float(exact), 3)).correct, (seed, name)
        assert "pass@k" in e.q8.check(float(at_least_one_by_enumeration(d.n, d.c, d.k))).message, (seed, name)
        if abs((d.c / d.n) ** d.k - float(exact)) > 0.0015:
            assert "with replacement" in e.q8.check((d.c / d.n) ** d.k).message, (seed, name)


def test_concept_q9_adding_or_averaging_steps_is_refused(every_set):
    for seed, name, e in every_set:
        rates = e.q9.data.step_rates
        assert e.q9.check(round(math.prod(rates), 3)).correct, (seed, name)
        assert "sum" in e.q9.check(sum(rates)).message, (seed, name)
        assert not e.q9.check(statistics.mean(rates)).correct


def test_concept_q10_cost_per_task_started_is_refused(every_set):
    for seed, name, e in every_set:
        d = e.q10.data
        c, p, m = d.cost_per_attempt, d.success_rate, d.max_attempts
        attempts = sum((1 - p) ** (i - 1) for i in range(1, m + 1))  # attempt i happens when the first i-1 failed
        finished = 1 - (1 - p) ** m
        assert e.q10.check(float(f"{c * attempts / finished:.3g}")).correct, (seed, name)
        assert e.q10.check(c / p).correct, (seed, name)
        assert "per task started" in e.q10.check(c * attempts).message, (seed, name)


def test_concept_q11_counting_every_block_is_refused(every_set, data_by_seed):
    for seed, name, e in every_set[::3]:
        traces, _ = data_by_seed(seed)
        d = e.q11.data
        right = false_block_cost(traces, d.threshold, d.requests_per_day, d.cost_false_block)
        assert e.q11.check(float(f"{right:.3g}")).correct, (seed, name)
        blocks = sum(1 for t in traces if t.filter_score >= d.threshold)
        assert "every block" in e.q11.check(blocks / len(traces) * d.requests_per_day * d.cost_false_block).message, (seed, name)


# --- q12: the eval plan ------------------------------------------------------------------------------------------


def test_q12_a_sound_plan_passes_and_the_skeleton_is_not_attempted(ex):
    assert ex.q12.check(sound_plan()).correct
    assert ex.q12.check(copy.deepcopy(EVAL_PLAN_SKELETON)).outcome is Outcome.NOT_ATTEMPTED


def test_q12_issue_gating_on_the_raw_rate_or_point_estimate_is_refused(ex):
    raw = ex.q12.check(sound_plan(release_gate={"min_pass_rate": 0.85, "rate": "the judge's raw pass rate", "read_from": "lower bound"}))
    assert not raw.correct and any("release_gate.rate" in d for d in raw.details)
    point = ex.q12.check(sound_plan(release_gate={"min_pass_rate": 0.85, "rate": "corrected", "read_from": "point estimate"}))
    assert not point.correct and any("release_gate.read_from" in d for d in point.details)


def test_q12_a_plan_for_another_product_or_with_scores_is_refused(ex):
    other = ex.q12.check(sound_plan(product="a movie recommender"))
    assert not other.correct and any("not the support copilot" in d for d in other.details)
    scored = sound_plan()
    scored["failure_types"][2] = dict(scored["failure_types"][2], verdict="1-10 score")
    assert any("score" in d for d in ex.q12.check(scored).details)
    assert not ex.q12.check("not a plan").correct


def test_the_worked_answers_pass_for_every_seed_and_scenario(every_set):
    plan = sound_plan()
    for seed, name, e in every_set:
        for q in e.questions:
            if q.id in NUMERIC:
                answer = q.spec.precision.round(q.expected)
            elif q.id == "q12":
                answer = plan
            else:
                answer = q.spec.correct
            result = q.check(answer)
            assert result.correct, (q.id, seed, name, answer, result.message, result.details)
