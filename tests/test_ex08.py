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
import re
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
from aipm_course.evals import judge_agreement
from aipm_course.traces import FAILURE_NAMES, FAILURE_TYPES, HARM, SUPPORT_THRESHOLD, generate_traces, support_score

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


def false_block_rate(traces, threshold: float) -> float:
    """Blocked benign traces ÷ benign traces."""
    benign = [t for t in traces if not t.planted]
    return sum(t.filter_score >= threshold for t in benign) / len(benign)


def false_block_cost(traces, d) -> float:
    """A day's benign requests (production's share of attacks, from the question) × the false-block rate × the cost."""
    return d.requests_per_day * (1 - d.attack_rate) * false_block_rate(traces, d.threshold) * d.cost_false_block


def grounded_failures(sample) -> collections.Counter:
    """Failure types of the failed answers with claims, every one of them labelled supported."""
    return collections.Counter(t.failure_type for t in sample
                               if t.human_label == "fail" and len(t.claims) > 0 and all(c.supported for c in t.claims))


def claim_scores(sample) -> tuple[list[float], list[bool]]:
    scores, human = [], []
    for trace in sample:
        passages = sample.passages(trace)
        for claim in trace.claims:
            scores.append(support_score(claim.text, passages))
            human.append(claim.supported)
    return scores, human


def share_at(scores, cut: float) -> float:
    return sum(s >= cut for s in scores) / len(scores)


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
    assert ex.q1.check(grounded_failures(sample).most_common(1)[0][0]).correct
    counts = collections.Counter(t.failure_type for t in sample if t.human_label == "fail")
    top = counts.most_common(1)[0][0]
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
    assert ex.q11.check(round(false_block_cost(traces, d))).correct


def test_q1_accepts_the_plain_words_name_and_spaces_and_explains_the_types_grounded_answers_cannot_have(ex):
    right = ex.q1.spec.correct
    assert ex.q1.check(FAILURE_NAMES[right]).correct and ex.q1.check(right.replace("_", " ").title()).correct
    assert "cannot fail for an unsupported claim" in ex.q1.check("unsupported_claim").message
    assert "None of the" in ex.q1.check("needless_refusal").message


def test_the_prompts_say_which_trace_set_and_reveal_no_answer():
    for seed in (0, 137):
        e = load("08", seed=seed, scenario="fintech_fraud")
        for qid in ("q1", "q3", "q4"):
            assert f"generate_traces(seed + 1)" in getattr(e, qid).prompt and f"seed {seed + 1}" in getattr(e, qid).prompt
        assert f"(seed {seed + 1})" in e.data.traces.summary()
        assert all(f"{k} {HARM[k]}" in e.q2.prompt for k in FAILURE_TYPES)  # all six harms: the list gives nothing away
        assert not any(k in e.q1.prompt for k in FAILURE_TYPES)


# --- named slips, each with its own message -------------------------------------------------------------------


def test_each_numeric_question_has_at_least_three_distinct_slips_with_their_own_feedback(every_set):
    for seed, name, e in every_set[::11]:
        for qid in NUMERIC:
            q = getattr(e, qid)
            slips, near = q.spec.mistakes, q.spec.precision.near
            messages = [q.check(m.value).message for m in slips]
            for i, (m, message) in enumerate(zip(slips, messages)):
                # a slip gets its own feedback, unless an earlier slip's number is within rounding of it
                if message != m.feedback:
                    assert any(message == k.feedback and any(near(m.value, v) for v in k.values) for k in slips[:i]), (qid, seed, name, i)
            assert len(set(messages)) >= 3, (qid, seed, name)
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
    # the reviewer's slip: the lesson's 1 in 1,000 put into guardrail_cost
    lesson = d.requests_per_day * 0.999 * false_block_rate(traces, d.threshold) * d.cost_false_block
    assert "lesson's share" in ex.q11.check(lesson).message and "1 in 1,000" in ex.q11.check(round(lesson, 1)).message
    scores, human = claim_scores(sample)
    if abs(sum(human) / len(human) - sum(s >= ex.q7.data.cut for s in scores) / len(scores)) > 0.0015:
        assert "people labelled supported" in ex.q7.check(sum(human) / len(human)).message


# --- concepts, for every seed in every scenario ------------------------------------------------------------------


def test_concept_q1_q2_counting_and_weighing_by_harm(every_set, data_by_seed):
    frequency_refused = harm_refused = 0
    for seed, name, e in every_set:
        _, sample = data_by_seed(seed)
        grounded = grounded_failures(sample)
        (g_top, g_n), (_, g_next) = grounded.most_common(2)
        assert g_n > g_next and e.q1.check(g_top).correct, (seed, name)
        counts = collections.Counter(t.failure_type for t in sample if t.failure_type)
        (top, n_top), (_, n_next) = counts.most_common(2)
        assert n_top > n_next, (seed, name)
        if top != g_top:  # counting every failure instead of the grounded ones
            assert "grounded" in e.q1.check(top).message, (seed, name)
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


def test_q1_the_answer_changes_with_the_seed_and_never_ties(data_by_seed):
    answers = collections.Counter()
    for seed in range(500):
        _, sample = data_by_seed(seed)
        grounded = grounded_failures(sample)
        (top, n), (_, n_next) = grounded.most_common(2)
        assert n > n_next, (seed, grounded)
        assert load("08", seed=seed).q1.spec.correct == top, seed
        answers[top] += 1
    assert len(answers) >= 3 and max(answers.values()) <= 0.5 * 500, answers


def test_q1_a_grounded_answer_is_one_whose_every_claim_people_supported(data_by_seed):
    _, sample = data_by_seed(0)
    assert all(ex08.grounded(t) == (len(t.claims) > 0 and all(c.supported for c in t.claims)) for t in sample)
    assert not any(t.failure_type == "unsupported_claim" and ex08.grounded(t) for t in sample)


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


def _refused_with(q, value, *phrases) -> bool:
    """The answer is refused; when it is not the right answer at the asked precision, its message has one of the phrases."""
    result = q.check(value)
    return not result.correct and any(p in result.message for p in phrases)


def test_q5_the_other_judge_and_the_pass_rate_over_all_traces_are_named(every_set, data_by_seed):
    named = 0
    for seed, name, e in every_set:
        traces, _ = data_by_seed(seed)
        q, judge = e.q5, e.q5.data.judge
        other = "b" if judge == "a" else "a"
        right = rogan_gladen(judge_pass_rate(traces, "judged", judge), *rates_by_counting(traces, "labelled", judge))
        p_all = sum(getattr(t, f"judge_{judge}") == "pass" for t in traces) / len(traces)
        shown = int(re.search(rf"judge {judge.upper()} (\d+)%", traces.summary()).group(1)) / 100  # what the summary prints
        cases = {
            rogan_gladen(judge_pass_rate(traces, "judged", other), *rates_by_counting(traces, "labelled", other)): (f"judge {other.upper()}'s", "Two different"),
            p_all: ("over all 400 traces", "Two different", "raw pass rate"),
            rogan_gladen(p_all, *rates_by_counting(traces, "labelled", judge)): ("traces.summary()", "Two different"),
            rogan_gladen(shown, *rates_by_counting(traces, "labelled", judge)): ("traces.summary()", "Two different"),
        }
        for value, phrases in cases.items():
            if abs(value - right) > 0.0015:
                named += 1
                assert _refused_with(q, value, *phrases), (seed, name, value, q.check(value).message)
    assert named > 3 * len(every_set)


def test_q3_q4_the_whole_result_object_names_the_field_to_take(ex):
    t = ex.data.traces.where("labelled")
    whole = judge_agreement(t.human(), t.judge(ex.q3.data.judge))
    assert "`.tpr`" in ex.q3.check(whole).message and "`.tnr`" in ex.q4.check(whole).message
    assert not ex.q3.check(whole).correct


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


def test_q6_takes_not_shown_yet_in_any_spelling(every_set):
    for seed, name, e in every_set:
        right = e.q6.spec.correct
        for spelling in {right, right.replace(" ", "_"), right.replace(" ", "-"), right.title(), right.upper(), f" {right}. "}:
            assert e.q6.check(spelling).correct, (seed, spelling)
        if right != "not shown yet":
            assert not e.q6.check("not_shown_yet").correct and "Compare each end" in e.q6.check("Not_Shown_Yet").message


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


def test_q7_the_whole_trace_set_and_the_lessons_cut_are_never_accepted_and_are_named(every_set, data_by_seed):
    scored = {}
    for seed, name, e in every_set:
        traces, sample = data_by_seed(seed)
        q, cut = e.q7, e.q7.data.cut
        assert cut != SUPPORT_THRESHOLD
        if seed not in scored:
            scored[seed] = (claim_scores(sample)[0], claim_scores(traces)[0])
        scores, whole = scored[seed]
        for value, phrase in ((share_at(whole, cut), f"all {len(traces)} traces"), (share_at(scores, SUPPORT_THRESHOLD), "lesson's cut")):
            for answer in (value, round(value, 3)):
                assert _refused_with(q, answer, phrase, "Two different"), (seed, answer, q.check(answer).message)
        right = share_at(scores, cut)
        per_trace = statistics.mean(sum(support_score(c.text, sample.passages(t)) >= cut for c in t.claims) / len(t.claims)
                                    for t in sample if t.claims)
        for value, phrase in ((statistics.mean(scores), "mean support score"), (per_trace, "averages each trace")):
            if abs(value - right) > 0.0015:
                assert _refused_with(q, value, phrase, "Two different"), (seed, value, q.check(value).message)


def test_concept_q8_pass_at_k_and_with_replacement_are_refused(every_set):
    for seed, name, e in every_set:
        d = e.q8.data
        exact = all_k_succeed_by_enumeration(d.n, d.c, d.k)
        assert e.q8.check(round(float(exact), 3)).correct, (seed, name)
        assert "pass@k" in e.q8.check(float(at_least_one_by_enumeration(d.n, d.c, d.k))).message, (seed, name)
        if abs(1 - 2 * float(exact)) > 0.0015:
            assert _refused_with(e.q8, 1 - float(exact), "1 − pass^k", "Two different"), (seed, name, e.q8.check(1 - float(exact)).message)
        if abs((d.c / d.n) ** d.k - float(exact)) > 0.0015:
            assert "with replacement" in e.q8.check((d.c / d.n) ** d.k).message, (seed, name)


def test_concept_q9_adding_or_averaging_steps_is_refused(every_set):
    for seed, name, e in every_set:
        rates = e.q9.data.step_rates
        assert e.q9.check(round(math.prod(rates), 3)).correct, (seed, name)
        assert "sum" in e.q9.check(sum(rates)).message, (seed, name)
        assert not e.q9.check(statistics.mean(rates)).correct
        # the average rate to the power of the steps: never accepted, and named
        power = statistics.mean(rates) ** len(rates)
        for answer in (power, round(power, 3)):
            assert _refused_with(e.q9, answer, "The steps differ", "Two different"), (seed, name, rates)


def test_q9_the_first_hint_does_not_invite_one_rate_to_a_power(ex):
    first = str(ex.q9.hint(1))
    assert "0.95 over 10" not in first and "each" in first


def test_concept_q10_cost_per_task_started_is_refused(every_set):
    for seed, name, e in every_set:
        d = e.q10.data
        c, p, m = d.cost_per_attempt, d.success_rate, d.max_attempts
        attempts = sum((1 - p) ** (i - 1) for i in range(1, m + 1))  # attempt i happens when the first i-1 failed
        finished = 1 - (1 - p) ** m
        assert e.q10.check(float(f"{c * attempts / finished:.3g}")).correct, (seed, name)
        assert e.q10.check(c / p).correct, (seed, name)
        assert "per task started" in e.q10.check(c * attempts).message, (seed, name)
        # the cost per task divided by one attempt's success rate (0.27 for $0.18, 1.2 attempts, 80%)
        assert _refused_with(e.q10, float(f"{c * attempts / p:.3g}"), "one attempt's success rate", "Two different"), (seed, name)


def test_q10_dividing_by_the_success_rate_is_named_hand_worked(every_set):
    # 80% and 2 attempts: 1 + 0.2 = 1.2 attempts a task, 1 − 0.2² = 0.96 finish. At $0.18 an attempt:
    # $0.216 a task ÷ 0.96 = $0.225 per finished task; ÷ 0.8 instead gives the slip $0.27 (= $0.18 × 1.2 / 0.8).
    seen = 0
    for seed, name, e in every_set:
        d = e.q10.data
        if (d.success_rate, d.max_attempts) == (0.8, 2):
            seen += 1
            c = d.cost_per_attempt
            assert e.q10.check(float(f"{c * 1.25:.3g}")).correct and "one attempt's success rate" in e.q10.check(c * 1.5).message, (seed, name)
    assert seen > 50


def test_concept_q11_counting_every_block_is_refused(every_set, data_by_seed):
    for seed, name, e in every_set[::3]:
        traces, _ = data_by_seed(seed)
        d = e.q11.data
        right = false_block_cost(traces, d)
        assert e.q11.check(float(f"{right:.3g}")).correct, (seed, name)
        blocks = sum(1 for t in traces if t.filter_score >= d.threshold)
        assert "every block" in e.q11.check(blocks / len(traces) * d.requests_per_day * d.cost_false_block).message, (seed, name)


def test_q11_each_slip_says_what_the_learner_did(every_set, data_by_seed):
    for seed, name, e in every_set:
        traces, _ = data_by_seed(seed)
        q, d = e.q11, e.q11.data
        assert d.attack_rate in (0.01, 0.02) and f"{d.attack_rate:.0%} of the copilot's" in q.prompt
        assert "over-represented" in q.prompt and "fair sample" not in q.prompt
        rate = false_block_rate(traces, d.threshold)
        false = sum(t.filter_score >= d.threshold and not t.planted for t in traces)
        per_day = d.requests_per_day * d.cost_false_block
        slips = {
            per_day * 0.999 * rate: ("lesson's share", "Two different"),  # the lesson's attack rate in guardrail_cost
            per_day * rate: ("to every request", "Two different"),
            false / len(traces) * per_day: ("over-represented there",),  # the traces' own mix of attacks
            d.requests_per_day * (1 - d.attack_rate) * rate: ("price each",),  # the count, not priced
        }
        for value, phrases in slips.items():
            for answer in (value, float(f"{value:.3g}")):
                assert _refused_with(q, answer, *phrases), (seed, name, answer, q.check(answer).message)


# --- q12: the eval plan ------------------------------------------------------------------------------------------


def test_q12_a_sound_plan_passes_and_the_skeleton_is_not_attempted(ex):
    assert ex.q12.check(sound_plan()).correct
    assert ex.q12.check(copy.deepcopy(EVAL_PLAN_SKELETON)).outcome is Outcome.NOT_ATTEMPTED


def test_q12_issue_gating_on_the_raw_rate_or_point_estimate_is_refused(ex):
    raw = ex.q12.check(sound_plan(release_gate={"min_pass_rate": 0.85, "rate": "the judge's raw pass rate", "read_from": "lower bound"}))
    assert not raw.correct and any("release_gate.rate" in d for d in raw.details)
    point = ex.q12.check(sound_plan(release_gate={"min_pass_rate": 0.85, "rate": "corrected", "read_from": "point estimate"}))
    assert not point.correct and any("release_gate.read_from" in d for d in point.details)


def test_q12_agrees_with_the_lessons_table_of_checks(ex):
    for check in ("code", "judge", "code, then a judge"):
        plan = sound_plan()
        plan["failure_types"][1]["check"] = check  # missed_escalation: "code, then a judge" in the lesson
        assert ex.q12.check(plan).correct, check
    plan = sound_plan()
    plan["failure_types"][0]["check"] = "code"  # unsupported_claim needs a reader
    result = ex.q12.check(plan)
    assert not result.correct and any(d.startswith("failure_types[0].check") and "no rule decides" in d for d in result.details)


@pytest.mark.parametrize(("part", "key", "text"), [
    ("release_gate", "read_from", "the point estimate, never the lower bound"),
    ("judge", "revalidate_when", "never, not on a model change or a prompt change"),
    ("regression_set", "refreshed_from", "not from production failures"),
    ("release_gate", "rate", "not corrected"),
])
def test_q12_a_negated_answer_is_refused(ex, part, key, text):
    plan = sound_plan()
    plan[part] = dict(plan[part], **{key: text})
    result = ex.q12.check(plan)
    assert not result.correct and [d.split(":")[0] for d in result.details] == [f"{part}.{key}"], result.details


def test_q12_the_prompt_names_every_key_the_check_reads(ex):
    keys = {"product", "failure_types", "name", "check", "verdict", "rule_or_question", "harm", "judge", "labelled_cases",
            "labelled_fails", "min_tpr", "min_tnr", "revalidate_when", "release_gate", "min_pass_rate", "rate", "read_from",
            "regression_set", "size", "refreshed_from", "owner"}
    assert all(f"`{k}`" in ex.q12.prompt for k in keys), [k for k in keys if f"`{k}`" not in ex.q12.prompt]


def test_q12_the_exercise_cell_shows_every_key_to_fill_in():
    import json
    from pathlib import Path

    notebook = json.loads((Path(__file__).parents[1] / "exercises" / "08_evaluating_llm_features.ipynb").read_text(encoding="utf-8"))
    cell = next("".join(c["source"]) for c in notebook["cells"] if "ex.q12.check(plan)" in "".join(c["source"]))
    for key in ("product", "failure_types", "name", "check", "verdict", "rule_or_question", "harm", "labelled_cases", "labelled_fails",
                "min_tpr", "min_tnr", "revalidate_when", "release_gate", "min_pass_rate", "rate", "read_from", "regression_set",
                "size", "refreshed_from", "owner"):
        assert f'"{key}": ___' in cell or f'"{key}": [' in cell or f'"{key}": {{' in cell, key


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
