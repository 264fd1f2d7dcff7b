"""Open interview questions (lesson 06): the bank, the course's concept list, the numbers quoted in
model answers (recomputed here by hand, by brute force and with scipy/statsmodels), lesson 08's
questions on evaluating LLM features and agents, self-scoring, lookup and random picks, the
loader's errors on malformed files, and exercise 06's written-answer checker.

Tests marked ``xfail(strict=True)`` expose real bugs: they fail today and will "pass" (and so
fail the suite) once the bug is fixed.
"""

import itertools
import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import numpy as np
import pytest
import yaml
from scipy import stats
from scipy.optimize import brentq
from statsmodels.stats.proportion import power_proportions_2indep

from aipm_course.exercises.ex06 import WRITTEN_CONCEPTS, _written_answer_checker, _written_pool
from aipm_course.interview import (
    CONCEPTS,
    KINDS,
    BankError,
    OpenQuestion,
    SelfScore,
    concept_coverage,
    get_question,
    load_bank,
    pick_questions,
    questions_for,
    self_score,
)


@pytest.fixture(scope="module")
def bank():
    return load_bank()


def full_text(q: OpenQuestion) -> str:
    """Everything a learner reads for one question: prompt, rubric, model answer, follow-ups."""
    return "\n".join([q.question, *(p.point for p in q.rubric), q.model_answer, *q.follow_ups])


def flat(text: str) -> str:
    """The text with every run of spaces and line breaks made one space (model answers wrap lines)."""
    return " ".join(text.split())


# --------------------------------------------------------------------------------------------
# The bank itself
# --------------------------------------------------------------------------------------------


def test_the_bank_loads_with_enough_distinct_questions(bank):
    assert all(isinstance(q, OpenQuestion) for q in bank)
    assert len(bank) >= 25
    ids = [q.id for q in bank]
    assert len(set(ids)) == len(ids), [i for i in ids if ids.count(i) > 1]
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", i) for i in ids), ids


def test_every_question_has_a_rubric_a_model_answer_and_known_tags(bank):
    for q in bank:
        assert len(q.question.split()) >= 5, q.id
        assert len(q.rubric) >= 3, q.id
        point_ids = [p.id for p in q.rubric]
        assert len(set(point_ids)) == len(point_ids), (q.id, point_ids)
        assert all(p.point.strip() for p in q.rubric), q.id
        assert len(q.model_answer.split()) >= 60, (q.id, len(q.model_answer.split()))
        assert q.concepts, q.id
        assert set(q.concepts) <= set(CONCEPTS), (q.id, set(q.concepts) - set(CONCEPTS))
        assert 0 < q.minutes <= 30, q.id


def test_every_concept_is_tested_by_a_question(bank):
    tagged = {}
    for q in bank:
        for c in q.concepts:
            tagged.setdefault(c, []).append(q.id)
    untested = [c for c in CONCEPTS if c not in tagged]
    assert not untested, f"concepts no question tests: {untested}"
    # concept_coverage agrees with the count made here
    assert concept_coverage(bank) == {c: tagged.get(c, []) for c in CONCEPTS}


# The topics the course requires (its concept list), each with the CONCEPTS key that carries it and
# a word its description must contain.
REQUIRED_TOPICS = {
    "AI vs traditional PM": ("ai_vs_traditional_pm", "traditional"),
    "model limitations": ("model_limitations", "limitations"),
    "metric stack": ("metric_stack", "metric stack"),
    "accuracy paradox / precision-recall": ("accuracy_paradox", "precision"),
    "threshold by cost": ("threshold_by_cost", "threshold"),
    "calibration": ("calibration", "calibration"),
    "uncertainty budget": ("uncertainty_budget", "uncertainty budget"),
    "three-zone policy": ("three_zone_policy", "three-zone"),
    "human review load": ("human_review_load", "review"),
    "RAG vs fine-tuning break-even": ("rag_vs_finetuning", "break-even"),
    "cost per query": ("cost_per_query", "cost per query"),
    "RAG components": ("rag_components", "RAG components"),
    "rollout stages": ("rollout_stages", "rollout stages"),
    "sample size": ("sample_size", "sample size"),
    "blast radius": ("blast_radius", "blast radius"),
    "shadow mode": ("shadow_mode", "shadow mode"),
    "kill switch": ("kill_switch", "kill switch"),
    "drift": ("drift", "drift"),
    "monitoring": ("monitoring", "monitoring"),
    "data flywheel": ("data_flywheel", "flywheel"),
    "experimentation": ("experimentation", "experimentation"),
    "responsible AI": ("responsible_ai", "responsible AI"),
    "governance": ("governance", "governance"),
    "failure modes": ("failure_modes", "failure modes"),
    "role archetypes": ("role_archetypes", "archetypes"),
    "working with ML engineers": ("working_with_ml_engineers", "ML engineers"),
    "worth building": ("worth_building", "worth building"),
    "most important metric": ("most_important_metric", "metric"),
    "when not to use AI": ("when_not_to_use_ai", "not to use AI"),
    "failure-first design": ("failure_first_design", "failure-first"),
    "LLM evaluation: error analysis": ("llm_eval_strategy", "error analysis"),
    "LLM judge validation, corrected pass rate": ("llm_judge", "corrected pass rate"),
    "groundedness of RAG answers": ("groundedness", "groundedness"),
    "agents' compounding reliability": ("agent_reliability", "multiply"),
    "guardrails and prompt injection": ("prompt_injection", "prompt injection"),
    "experiment pitfalls (SRM, peeking, Simpson's paradox)": ("experiment_pitfalls", "sample-ratio mismatch"),
    "pricing and gross margin": ("pricing_margin", "gross margin"),
    "product sense: design an AI feature": ("product_sense", "painful step"),
    "behavioural answers told as stories": ("behavioural_stories", "what changed afterwards"),
}


def test_concepts_cover_the_course_topics_and_each_is_tagged(bank):
    tagged = {c for q in bank for c in q.concepts}
    for topic, (key, word) in REQUIRED_TOPICS.items():
        assert key in CONCEPTS, f"{topic}: {key} is not in CONCEPTS"
        assert word.lower() in CONCEPTS[key].lower(), f"{topic}: the description of {key} does not mention {word!r}"
        assert key in tagged, f"{topic}: no question is tagged {key}"
    # one topic per key, and no concept the course does not ask for
    keys = [key for key, _ in REQUIRED_TOPICS.values()]
    assert len(set(keys)) == len(keys)
    assert set(CONCEPTS) == set(keys), set(CONCEPTS) ^ set(keys)
    # every description says where the concept is taught
    assert all(re.search(r"\(lessons? \d\d", d) for d in CONCEPTS.values())


def test_rubric_numbers_shown_to_learners_match_self_score_numbers(bank):
    q = bank[0]
    lines = str(q.rubric_text()).splitlines()[1:]
    assert len(lines) == len(q.rubric)
    for n, (line, point) in enumerate(zip(lines, q.rubric), 1):
        assert line.startswith(f"{n}. **{point.id}**")
        assert self_score(q, [n]).covered == (point,)
    assert f"{len(q.rubric)} points" in str(q.show())
    assert q.model_answer.split()[0] in str(q.answer())


# --------------------------------------------------------------------------------------------
# Numbers quoted in the bank, recomputed
# --------------------------------------------------------------------------------------------

Z_975, Z_80 = stats.norm.ppf(0.975), stats.norm.ppf(0.8)


def per_arm(p1: float, p2: float) -> float:
    """Users per arm, two-sided alpha 0.05, power 0.8, pooled variance under the null (unrounded)."""
    pbar = (p1 + p2) / 2
    return (Z_975 * math.sqrt(2 * pbar * (1 - pbar)) + Z_80 * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) ** 2 / (p2 - p1) ** 2


def canary_factor(f: float) -> float:
    return 1 / (4 * f * (1 - f))


def clopper_pearson_upper(errors: int, n: int) -> float:
    """One-sided 95% upper bound on an error rate."""
    return stats.beta.ppf(0.95, errors + 1, n - errors)


def half_up(x: str, places: str) -> Decimal:
    return Decimal(x).quantize(Decimal(places), ROUND_HALF_UP)


N_10_11 = per_arm(0.10, 0.11)
PRECISION = 0.001 * 0.9 / (0.001 * 0.9 + 0.999 * 0.01)
ALERTS = 100_000 * 0.001 * 0.9 + 100_000 * 0.999 * 0.01
RAG_QUERY = (2_500 * 2 + 300 * 8) / 1e6
REVIEWERS = 20_000 * 0.15 * 4 / 60 / 6

# Lesson 08. The judge's true pass rate solves observed = theta * TPR + (1 - theta) * (1 - TNR):
# found here by root finding, not by the closed form the answer quotes.
JUDGE_THETA = brentq(lambda t: t * 0.95 + (1 - t) * (1 - 0.80) - 0.72, 0, 1)
TNR_LOW, TNR_HIGH = stats.beta.ppf(0.025, 48, 60 - 48 + 1), stats.beta.ppf(0.975, 48 + 1, 60 - 48)  # exact two-sided


def tries_brute_force(n: int, c: int, k: int) -> tuple[Fraction, Fraction]:
    """(pass@k, pass^k) by listing every set of k of the n tries, the first c of them successes."""
    subsets = list(itertools.combinations(range(n), k))
    some = sum(any(i < c for i in s) for s in subsets)
    every = sum(all(i < c for i in s) for s in subsets)
    return Fraction(some, len(subsets)), Fraction(every, len(subsets))


def retries_brute_force(p: float, attempts: int) -> tuple[float, float]:
    """(expected attempts, share finished) by listing every run of successes and failures."""
    expected = finished = 0.0
    for run in itertools.product([True, False], repeat=attempts):
        prob = math.prod(p if ok else 1 - p for ok in run)
        used = next((i + 1 for i, ok in enumerate(run) if ok), attempts)
        expected += prob * used
        finished += prob * any(run)
    return expected, finished


PASS_AT_2, PASS_HAT_2 = tries_brute_force(8, 5, 2)
AGENT_ATTEMPTS, AGENT_FINISHED = retries_brute_force(0.60, 3)
CLEAN_BLOCKED = (10_000 - 10_000 / 1_000) * 0.02  # clean requests wrongly blocked by the filter
JUDGE_CALL = (1_000 * 2 + 100 * 8) / 1e6  # dollars: 1,000 tokens in at $2/M, 100 out at $8/M


def srm_p(arm_a: int, arm_b: int) -> float:
    """p-value of a sample-ratio check on a planned 50/50 split: chi-squared by hand, one degree of freedom."""
    expected = (arm_a + arm_b) / 2
    chi2 = sum((arm - expected) ** 2 / expected for arm in (arm_a, arm_b))
    return float(stats.chi2.sf(chi2, 1))


# Reviewer headcount with 7-day cover (x 7/5) and 20% shrinkage (/ 0.8), and the hires one point of traffic costs.
HIRES = REVIEWERS * 7 / 5 / 0.8
HIRES_PER_POINT = 20_000 * 0.01 * 4 / 60 / 6 * 7 / 5 / 0.8
# Product-sense cases: a homework-help session of 8 turns (1,500 tokens in, 150 out at $0.40/$1.60 per 1M).
SESSION = 8 * (1_500 * 0.40 + 150 * 1.60) / 1e6
TYPICAL_PUPIL, HEAVY_PUPIL = SESSION * 3 * 38, SESSION * 30 * 38
MEAN_PUPIL = 0.95 * TYPICAL_PUPIL + 0.05 * HEAVY_PUPIL
LISTING = (3_300 * 0.10 + 150 * 0.40) / 1e6
CLAIM_CHAT = 10 * (2_000 * 2 + 150 * 8) / 1e6 + 4_500 * 2 / 1e6
# Behavioural stories: a wrong-approval bound (14 in 1,000) and a cascade of a small and a large model.
APPROVAL_BOUND = clopper_pearson_upper(14, 1_000)
CASCADE = 0.0008 + 0.20 * 0.009
# What users receive: each route's share x the share who stay for the answer x the share answered right.
# Small model alone (3% leave), large model alone (11% leave), and the cascade (quick 80%, slow 20%).
ROUTES = {"small": [(1.0, 0.97, 0.84)], "large": [(1.0, 0.89, 0.91)], "cascade": [(0.80, 0.97, 0.90), (0.20, 0.89, 0.85)]}
RECEIVED = {name: sum(share * stay * right for share, stay, right in routes) for name, routes in ROUTES.items()}
CASCADE_BEFORE_LEAVING = sum(share * right for share, _, right in ROUTES["cascade"])
# The judge of story-judge-distrust, as a table of 200 labelled traces: 150 people passed (the judge
# passed 146 of them), 50 people failed (the judge failed 23). Its weekly rate is 86%.
HUMAN = np.array([True] * 150 + [False] * 50)
JUDGE = np.array([True] * 146 + [False] * 4 + [True] * 27 + [False] * 23)
JUDGE_TPR = np.mean(JUDGE[HUMAN])
JUDGE_TNR = np.mean(~JUDGE[~HUMAN])
# corrected by root finding, with the rates as measured and as the answer rounds them (0.97, 0.46)
DRIFTED_THETA = brentq(lambda t: t * JUDGE_TPR + (1 - t) * (1 - JUDGE_TNR) - 0.86, 0, 1)
DRIFTED_THETA_SHOWN = brentq(lambda t: t * 0.97 + (1 - t) * (1 - 0.46) - 0.86, 0, 1)
# The cost overrun: a call is 500 tokens out at $15 per 1M and its input at $3 per 1M (cached
# instructions at a tenth); 2,000 fixed tokens plus 4 passages make 3,500 in, so a passage is 375.
PASSAGE = (3_500 - 2_000) / 4


def call_cost(passages: int, cached: bool = False) -> float:
    """Dollars for one call with this many passages."""
    instructions = 2_000 * (0.3 if cached else 3)
    return (instructions + passages * PASSAGE * 3 + 500 * 15) / 1e6


OVERRUN_QUERY = call_cost(12) * (1 + 0.07 * 5)  # the 7% that timed out fired all five retries
FIXED_QUERY = call_cost(4, cached=True) * (1 + 0.07 * 1) + 0.0004  # one retry at most, plus the reranker


def more_than(n: int, p: float, k: int) -> float:
    """Chance of more than k events in n independent tries at rate p, summed term by term."""
    return 1 - sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k + 1))


# The kill switch: a feature really at 0.5% harmful, read daily against a 1% line (more than 2 in 200,
# more than 10 in 1,000), crosses it by chance this often.
FALSE_ALARM_200, FALSE_ALARM_1000 = more_than(200, 0.005, 2), more_than(1_000, 0.005, 10)


@dataclass(frozen=True)
class Claim:
    text: str  # as quoted in the bank
    recomputed: str  # the same figure formatted from the test's own arithmetic
    context: tuple[str, ...]  # inputs any question quoting the figure as a result must state


CLAIMS = [
    # sample size: 10% -> 11%, two-sided alpha 0.05, power 0.8
    Claim("14,751", f"{math.ceil(N_10_11):,}", ("10%", "11%")),
    Claim("29,500", f"{round(2 * N_10_11, -2):,.0f}", ("10%", "11%")),
    Claim("5.26", f"{canary_factor(0.05):.2f}", ("5%",)),
    Claim("5.3 times", f"{canary_factor(0.05):.1f} times", ("5%",)),
    Claim("25 times", f"{canary_factor(0.01):.0f} times", ("1%",)),
    Claim("155,000", f"{round(2 * N_10_11 * canary_factor(0.05), -3):,.0f}", ("5%", "10%", "11%")),
    Claim("745,000", f"{round(2 * N_10_11 * canary_factor(0.01), -3):,.0f}", ("1%", "10%", "11%")),
    # base-rate precision: prevalence 0.1%, TPR 0.9, FPR 1%, 100,000 payments
    Claim("8.3%", f"{PRECISION:.1%}", ("0.1%", "90%", "1%")),
    Claim("1,089", f"{ALERTS:,.0f}", ("0.1%", "90%", "1%", "100,000")),
    Claim("11 of every 12", f"{round(12 * (1 - PRECISION))} of every 12", ("0.1%", "90%", "1%")),
    # threshold by cost: $5 false alarm, $500 miss
    Claim("0.0099", f"{5 / 505:.4f}", ("$5", "$500")),
    # spam: a lost real email at $20 against a spam let through at 2 cents
    Claim("99.9% sure", f"{20 / 20.02:.1%} sure", ("$20", "2 cents")),
    # cost per query: 2,500 input tokens at $2/M, 300 output tokens at $8/M
    Claim("$0.0074", f"${RAG_QUERY:.4f}", ("2,000", "500", "300", "$2 per million", "$8 per million")),
    Claim("$0.0069", f"${RAG_QUERY - 0.0005:.4f}", ("$0.0005",)),
    Claim("$2,220", f"${RAG_QUERY * 10_000 * 30:,.0f}", ("10,000", "30-day")),
    Claim("2.9 million", f"{20_000 / (RAG_QUERY - 0.0005) / 1e6:.1f} million", ("$20,000",)),
    Claim("8,000 a day", f"{round(20_000 / (RAG_QUERY - 0.0005) / 365, -3):,.0f} a day", ("$20,000",)),
    # cost per successful task
    Claim("$0.0147", f"${0.0044 / 0.30:.4f}", ("$0.0044", "30%")),
    Claim("$0.0093", f"${half_up(str(Decimal('0.0074') / Decimal('0.80')), '0.0001')}", ("$0.0074", "80%")),
    Claim("37% cheaper", f"{1 - (0.0074 / 0.80) / (0.0044 / 0.30):.0%} cheaper", ("$0.0044", "$0.0074")),
    Claim("$236.55", f"${12_450 * 0.019:,.2f}", ("12,450", "$0.019")),
    # uncertainty budget: Clopper-Pearson one-sided 95% upper bounds
    Claim("6.2%", f"{clopper_pearson_upper(2, 100):.1%}", ("in 100",)),
    Claim("2.9%", f"{clopper_pearson_upper(20, 1_000):.1%}", ("20 errors in 1,000",)),
    Claim("3.4%", f"{clopper_pearson_upper(10, 500):.1%}", ("10 in 500",)),
    # reviewer headcount: 20,000 a day, 15% to people, 4 minutes, 6 productive hours
    Claim("33.3", f"{REVIEWERS:.1f}", ("20,000", "15%", "4 minutes", "6 productive hours")),
    Claim("34 reviewers", f"{math.ceil(REVIEWERS)} reviewers", ("20,000", "15%", "4 minutes")),
    # blast radius: 50,000 users a day
    Claim("833", f"{50_000 * 0.05 * (6 + 2) / 24:.0f}", ("50,000", "5%")),
    Claim("35,000", f"{50_000 * 0.05 * 14:,.0f}", ("50,000", "5%", "14")),
    Claim("167", f"{50_000 * 0.01 * 8 / 24:.0f}", ("50,000", "1%", "8 hours")),
    # coverage versus accuracy, per 1,000 cases
    Claim("297", f"{1_000 * 0.30 * 0.99:.0f}", ("99%", "30%")),
    Claim("720", f"{1_000 * 0.80 * 0.90:.0f}", ("90%", "80%")),
    Claim("27 times", f"{(1_000 * 0.80 * 0.10) / (1_000 * 0.30 * 0.01):.0f} times", ("99%", "90%")),
    # worth building: 2,000 tickets a day at 2 cents a draft
    Claim("$40 a day", f"${2_000 * 0.02:.0f} a day", ("2,000", "2 cents")),
    # lesson 08: trusting a judge (observed 72%, TPR 0.95, TNR 0.80 from 48 of 60 failures)
    Claim("0.52/0.75", f"{0.72 + 0.80 - 1:.2f}/{0.95 + 0.80 - 1:.2f}", ("0.72", "0.95", "0.80")),
    Claim("about 69%", f"about {JUDGE_THETA:.0%}", ("72%", "0.95", "0.80")),
    Claim("0.68 to 0.89", f"{TNR_LOW:.2f} to {TNR_HIGH:.2f}", ("48 of 60",)),
    # agents: chains, repeated tries, retries, approvals
    Claim("about 60%", f"about {math.prod([0.95] * 10):.0%}", ("10 steps", "95%")),
    Claim("about 90%", f"about {math.prod([0.99] * 10):.0%}", ("10 steps", "99%")),
    Claim("about 77%", f"about {math.prod([0.95] * 5):.0%}", ("5 steps", "95%")),
    Claim("25/28", f"{PASS_AT_2.numerator}/{PASS_AT_2.denominator}", ("5 successes in 8 tries",)),
    Claim("10/28", f"{PASS_HAT_2 * 28}/28", ("5 successes in 8 tries",)),
    Claim("about 0.89", f"about {float(PASS_AT_2):.2f}", ("5 successes in 8 tries",)),
    Claim("about 0.36", f"about {float(PASS_HAT_2):.2f}", ("5 successes in 8 tries",)),
    Claim("94% of tasks finish", f"{AGENT_FINISHED:.0%} of tasks finish", ("60%", "up to 3 times")),
    Claim("1.56 attempts", f"{AGENT_ATTEMPTS:.2f} attempts", ("60%", "up to 3 times")),
    Claim("costs 20 cents", f"costs {0.12 * AGENT_ATTEMPTS / AGENT_FINISHED * 100:.0f} cents", ("12 cents", "60%")),
    Claim("100 minutes a day", f"{500 * 0.20 * 1:.0f} minutes a day", ("20% of 500", "1 minute")),
    # prompt injection: 10,000 requests, 1 in 1,000 planted, 90% caught, 2% of clean ones blocked at $3
    Claim("stops 9 attacks", f"stops {10_000 / 1_000 * 0.90:.0f} attacks", ("10,000", "1 in 1,000", "90%")),
    Claim("about 200 good requests", f"about {round(CLEAN_BLOCKED, -1):.0f} good requests", ("10,000", "2%")),
    Claim("about $600", f"about ${round(CLEAN_BLOCKED * 3, -1):.0f}", ("10,000", "2%", "$3")),
    # eval strategy: 400 traces x 3 judged checks; 200 expert labels at 2 minutes
    Claim("1,200 judge calls", f"{400 * 3:,} judge calls", ("400 traces", "3 judged checks")),
    Claim("$0.0028 a call", f"${JUDGE_CALL:.4f} a call", ("1,000 tokens in", "100 out", "$2 and $8 per million")),
    Claim("about $3.40 a run", f"about ${round(1_200 * JUDGE_CALL, 1):.2f} a run", ("1,200 judge calls", "$0.0028")),
    # hallucination: 36 of 400 answers; 5% more of 2,000 tickets at 4 minutes
    Claim("that's 9%", f"that's {36 / 400:.0%}", ("36 of 400",)),
    Claim("about 7 hours of agent time", f"about {2_000 * 0.05 * 4 / 60:.0f} hours of agent time", ("5% of 2,000", "4 minutes")),
    # LLM limits: 20,000 tokens of context at $2 per million
    Claim("4 cents before", f"{20_000 * 2 / 1e6 * 100:.0f} cents before", ("20,000 tokens", "$2 per million")),
    # working with ML engineers: the 95% margin of 90% measured on 500 cases
    Claim("2.6 points", f"{Z_975 * math.sqrt(0.9 * 0.1 / 500) * 100:.1f} points", ("500", "90%")),
    # reviewer headcount: people to hire, and the hires each point of traffic sent to people costs
    Claim("about 58.3", f"about {HIRES:.1f}", ("20,000", "15%", "7/5", "0.8")),
    Claim("about 59 people", f"about {math.ceil(HIRES)} people", ("7/5", "0.8")),
    Claim("about 13 hours of review", f"about {20_000 * 0.01 * 4 / 60:.0f} hours of review", ("200 tickets", "4 minutes")),
    Claim("about 4 hires", f"about {round(HIRES_PER_POINT)} hires", ("200 tickets", "7/5", "0.8")),
    # traffic-split health: a planned 50/50 split that came out 50,600 against 49,400
    Claim("about 0.00015", f"about {srm_p(50_600, 49_400):.5f}", ("50,600", "49,400")),
    # drift: the mix of segments alone moves the overall number
    Claim("about 91% to about 87%", f"about {0.9 * 0.92 + 0.1 * 0.80:.0%} to about {0.6 * 0.92 + 0.4 * 0.80:.0%}", ("92%", "80%", "10% to 40%")),
    # product sense: card disputes (2,400 a day, 4 minutes saved, $45 an hour; 3,000 tokens in, 500 out)
    Claim("9,600 minutes", f"{2_400 * 4:,} minutes", ("2,400 disputes", "4 minutes")),
    Claim("about $7,200", f"about ${2_400 * 4 / 60 * 45:,.0f}", ("2,400", "$45 an hour")),
    Claim("about $0.010 a dispute", f"about ${(3_000 * 2 + 500 * 8) / 1e6:.3f} a dispute", ("3,000 tokens", "500", "$2 and $8 per million")),
    Claim("$24 a day", f"${2_400 * (3_000 * 2 + 500 * 8) / 1e6:.0f} a day", ("2,400",)),
    Claim("48 a day at 6 minutes", f"{2_400 * 0.02:.0f} a day at 6 minutes", ("2%",)),
    # product sense: discharge notes (250 a day, 13 minutes saved at $70 an hour; 20,000 tokens in, 800 out)
    Claim("about 54 hours of doctor time", f"about {250 * 13 / 60:.0f} hours of doctor time", ("250", "13 minutes")),
    Claim("roughly $3,800", f"roughly ${round(250 * 13 / 60 * 70, -2):,.0f}", ("$70 an hour",)),
    Claim("below about 1%", f"below about {1 - 0.05 ** (1 / 300):.0%}", ("none in 300",)),
    Claim("about $12 a day", f"about ${250 * (20_000 * 2 + 800 * 8) / 1e6:.0f} a day", ("250", "20,000 tokens", "800")),
    # product sense: listings (200,000 a day; complete from 55% to 80%; a tenth of a 16-point gap; 2,000 brand checks)
    Claim("about $0.0004 a listing", f"about ${LISTING:.4f} a listing", ("3,300 tokens", "150 out", "$0.10 and $0.40")),
    Claim("$78 a day", f"${200_000 * LISTING:.0f} a day", ("200,000", "3,300 tokens")),
    Claim("50,000 more listings", f"{round(200_000 * (0.80 - 0.55)):,} more listings", ("200,000", "55%", "80%")),
    Claim("800 sales", f"{round(200_000 * (0.80 - 0.55)) * (38 - 22) // 10 // 100:.0f} sales", ("50,000", "38%", "22%", "a tenth")),
    Claim("about $1,600 a day", f"about ${round(200_000 * (0.80 - 0.55)) * (38 - 22) // 10 // 100 * 2:,.0f} a day", ("800 sales", "$2 commission")),
    Claim("about 4.2 people", f"about {2_000 * 45 / 3_600 / 6:.1f} people", ("2,000 a day", "45 seconds", "6 productive hours")),
    Claim("6 hires for a 7-day desk", f"{math.ceil(2_000 * 45 / 3_600 / 6 * 7 / 5)} hires for a 7-day desk", ("2,000 a day", "45 seconds")),
    # product sense: homework help (sold per pupil per year at $6)
    Claim("about $0.0067", f"about ${SESSION:.4f}", ("8 turns", "1,500 tokens", "150 out", "$0.40 and $1.60")),
    Claim("about $0.77 a year", f"about ${TYPICAL_PUPIL:.2f} a year", ("3 a week", "38 weeks")),
    Claim("about $7.66", f"about ${HEAVY_PUPIL:.2f}", ("30 a week", "38 weeks")),
    Claim("about $1.11", f"about ${MEAN_PUPIL:.2f}", ("heaviest 5%",)),
    Claim("about 81% on model cost", f"about {(6 - MEAN_PUPIL) / 6:.0%} on model cost", ("$6 seat",)),
    Claim("about $2.55", f"about ${SESSION * 2 * 5 * 38:.2f}", ("2 sessions a school day",)),
    Claim("sends 15 a week", f"sends {1_000 * 3 * 0.005:.0f} a week", ("1,000 pupils", "3 sessions a week", "0.5%")),
    Claim("2.5 hours of their week", f"{1_000 * 3 * 0.005 * 10 / 60:.1f} hours of their week", ("10 minutes",)),
    # product sense: claims intake (2,400 a day; call-backs of 15 minutes from 40% to 15%; 12% to a person)
    Claim("240 hours of handler time", f"{2_400 * 0.40 * 15 / 60:.0f} hours of handler time", ("2,400", "40%", "15 minutes")),
    Claim("150 handler hours", f"{2_400 * (0.40 - 0.15) * 15 / 60:.0f} handler hours", ("40% to 15%", "15 minutes")),
    Claim("about $5,250", f"about ${2_400 * (0.40 - 0.15) * 15 / 60 * 35:,.0f}", ("$35 an hour",)),
    Claim("288 a day at 20 minutes", f"{2_400 * 0.12:.0f} a day at 20 minutes", ("12%",)),
    Claim("16 people on the desk", f"{2_400 * 0.12 * 20 / 60 / 6:.0f} people on the desk", ("6 productive hours",)),
    Claim("about 23 hires", f"about {math.ceil(2_400 * 0.12 * 20 / 60 / 6 * 7 / 5)} hires", ("7-day",)),
    Claim("about $0.061", f"about ${CLAIM_CHAT:.3f}", ("10 turns", "2,000 tokens in", "150 out", "4,500 tokens", "$2 and $8 per million")),
    Claim("about 7 cents per completed intake", f"about {CLAIM_CHAT / 0.85 * 100:.0f} cents per completed intake", ("85%",)),
    Claim("$8.75", f"${15 / 60 * 35:.2f}", ("15-minute", "$35 an hour")),
    # behavioural: the routing disagreement (9,000 tickets at 1.5 minutes; 60% routed at 4% wrong)
    Claim("225 hours a day", f"{9_000 * 1.5 / 60:.0f} hours a day", ("9,000", "1.5 minutes")),
    Claim("saves 135 hours", f"saves {9_000 * 1.5 / 60 * 0.60:.0f} hours", ("60%",)),
    Claim("216 misrouted", f"{9_000 * 0.60 * 0.04:.0f} misrouted", ("9,000", "60%", "4%")),
    Claim("36 hours of customer waiting", f"{9_000 * 0.60 * 0.04 * 10 / 60:.0f} hours of customer waiting", ("10 minutes",)),
    Claim("about 945 hours", f"about {9_000 * 1.5 / 60 * 0.60 * 7:.0f} hours", ("135 hours",)),
    Claim("roughly $28,000", f"roughly ${round(9_000 * 1.5 / 60 * 0.60 * 7 * 30, -3):,.0f}", ("$30 an hour",)),
    # behavioural: the stopped launch (96,000 foreign-card payments, false declines 4.5% against 1.5%)
    Claim("about 2,880", f"about {96_000 * (0.045 - 0.015):,.0f}", ("96,000", "4.5%", "1.5%")),
    Claim("around $200,000", f"around ${round(96_000 * 0.03 * 70, -5):,.0f}", ("$70",)),
    Claim("roughly $46,000", f"roughly ${round(40_000 * 12 / 52 * 5, -3):,.0f}", ("$40,000 a month", "five weeks")),
    # behavioural: the misleading metric (Simpson's paradox; 150,000 chats a month)
    Claim("from 60% to 66%", f"from {0.5 * 0.75 + 0.5 * 0.45:.0%} to {0.8 * 0.72 + 0.2 * 0.42:.0%}", ("75%", "72%", "45%", "42%", "80%")),
    Claim("$600 a month", f"${0.004 * 150_000:.0f} a month", ("$0.004", "150,000")),
    Claim("4,500 more chats", f"{150_000 * 0.03:,.0f} more chats", ("3 points", "150,000")),
    Claim("about $18,000 a month", f"about ${150_000 * 0.03 * 4:,.0f} a month", ("$4 each",)),
    # behavioural: the segment that got worse (15,000 tickets, 12% Spanish, 7 points more misrouted)
    Claim("1,800 Spanish tickets", f"{15_000 * 0.12:,.0f} Spanish tickets", ("15,000", "12%")),
    Claim("about 126 more", f"about {15_000 * 0.12 * 0.07:.0f} more", ("7 points",)),
    # behavioural: the cost overrun (1.2 million queries; 4 then 12 passages; retries; cached instructions)
    Claim("to 6,500", f"to {2_000 + 12 * PASSAGE:,.0f}", ("3,500 tokens", "2,000 of them", "from 4 to 12")),
    Claim("$0.018 to $0.027", f"${call_cost(4):.3f} to ${call_cost(12):.3f}", ("500 tokens out", "$3 and $15 per million")),
    Claim("1.35 calls", f"{1 + 0.07 * 5:.2f} calls", ("7%", "5 times")),
    Claim("about $0.036 against", f"about ${OVERRUN_QUERY:.3f} against", ("$0.027", "1.35 calls")),
    Claim("$43,740", f"${1_200_000 * OVERRUN_QUERY:,.0f}", ("1.2 million", "1.35 calls")),
    Claim("a call cost $0.0126", f"a call cost ${call_cost(4, cached=True):.4f}", ("a tenth of the price", "back to 3,500")),
    Claim("about $0.014 a query", f"about ${FIXED_QUERY:.3f} a query", ("1.07 calls", "$0.0004")),
    Claim("about $16,700", f"about ${round(1_200_000 * FIXED_QUERY, -2):,.0f}", ("1.2 million", "1.07 calls")),
    Claim("about 1.7 cents per successful answer", f"about {FIXED_QUERY / 0.84 * 100:.1f} cents per successful answer", ("84%",)),
    Claim("$6,000 a month", f"${30 * 200:,} a month", ("Thirty accounts", "$200 a month")),
    # behavioural: the model that was not ready (14 wrong approvals in 1,000; 6,000 claims a month)
    Claim("about 2.2%", f"about {APPROVAL_BOUND:.1%}", ("14", "1,000 labelled claims")),
    Claim("roughly $160,000", f"roughly ${6_000 * 40 / 60 * 40:,.0f}", ("6,000", "40 minutes", "$40 an hour")),
    Claim("$100,800", f"${6_000 * 0.014 * 1_200:,.0f}", ("1.4%", "$1,200")),
    Claim("132 wrong approvals", f"{6_000 * round(APPROVAL_BOUND, 3):.0f} wrong approvals", ("about 2.2%",)),
    Claim("about $158,000", f"about ${round(6_000 * round(APPROVAL_BOUND, 3) * 1_200, -3):,.0f}", ("about 2.2%", "$1,200")),
    Claim("about 0.75%", f"about {1 - 0.05 ** (1 / 400):.2%}", ("no wrong approvals in 400",)),
    Claim("about $64,000", f"about ${6_000 * 0.40 * 40 / 60 * 40:,.0f}", ("40%", "$40 an hour")),
    # behavioural: latency against quality (a small model first, the large one for the hardest 20%)
    Claim("both about 81%", f"both about {0.89 * 0.91:.0%}", ("11%", "91%")),
    Claim("about 89% quality", f"about {CASCADE_BEFORE_LEAVING:.0%} quality", ("80%", "90%", "85%")),
    Claim("receive about 85%", f"receive about {RECEIVED['cascade']:.0%}", ("3% leaving", "11%", "80%", "90%")),
    Claim("rose by 4 points", f"rose by {round(100 * (RECEIVED['cascade'] - RECEIVED['large'])):.0f} points", ("against 81%",)),
    Claim("about 1.6 seconds", f"about {0.80 * 0.9 + 0.20 * (0.9 + 3.5):.1f} seconds", ("3.5 seconds", "0.9")),
    Claim("about $0.0026 a question", f"about ${CASCADE:.4f} a question", ("$0.009", "$0.0008")),
    Claim("about $1,040 a month", f"about ${400_000 * CASCADE:,.0f} a month", ("400,000",)),
    Claim("$3,600 for the large model", f"${400_000 * 0.009:,.0f} for the large model", ("400,000", "$0.009")),
    # behavioural: the judge that drifted (weekly 86%; 146 of 150 passes passed, 23 of 50 failures failed)
    Claim("about 0.97", f"about {JUDGE_TPR:.2f}", ("146 of the 150",)),
    Claim("150 passed, 75%", f"{HUMAN.sum()} passed, {HUMAN.mean():.0%}", ("200 recent traces",)),
    Claim("173 of 200, 86.5%", f"{JUDGE.sum()} of 200, {JUDGE.mean():.1%}", ("146 of the 150", "23 of the 50")),
    Claim("about 74%", f"about {DRIFTED_THETA:.0%}", ("86%", "0.97", "0.46")),
    Claim("about 74%,", f"about {DRIFTED_THETA_SHOWN:.0%},", ("(0.86 + 0.46 − 1) / (0.97 + 0.46 − 1)",)),
    # kill switch: false alarms from a daily reading of a feature at half its 1% line
    Claim("about 8% of days", f"about {FALSE_ALARM_200:.0%} of days", ("200 sampled", "0.5%", "crosses 1%")),
    Claim("about 1.3% of days", f"about {FALSE_ALARM_1000:.1%} of days", ("1,000 conversations", "0.5%")),
]


def occurrences(text: str, figure: str) -> list[int]:
    """Where figure stands on its own in text (not inside a longer number such as 1,833 or 833.5)."""
    pattern = r"(?<![\d.,])" + re.escape(figure) + r"(?![\d]|[.,]\d)"
    return [m.start() for m in re.finditer(pattern, text)]


@pytest.mark.parametrize("claim", CLAIMS, ids=[c.text for c in CLAIMS])
def test_the_recomputed_figure_is_the_quoted_one(claim):
    assert claim.recomputed == claim.text


def test_the_closed_form_sample_size_agrees_with_statsmodels():
    # statsmodels' power for two independent proportions crosses 0.8 between 14,750 and 14,751 per arm
    below = power_proportions_2indep(0.01, 0.10, 14_750, alpha=0.05, alternative="two-sided").power
    at = power_proportions_2indep(0.01, 0.10, 14_751, alpha=0.05, alternative="two-sided").power
    assert below < 0.8 <= at
    assert math.ceil(N_10_11) == 14_751
    # halving the effect needs about four times the users; a 2-point drop about a fifth
    assert per_arm(0.10, 0.105) / N_10_11 == pytest.approx(4, rel=0.05)
    assert per_arm(0.10, 0.08) / N_10_11 == pytest.approx(1 / 5, rel=0.1)
    # days: 10,000 users a day -> about 3 (50/50) and 16 (5% canary); 50,000 a day at 1% -> about 15
    assert round(2 * N_10_11 / 10_000) == 3
    assert round(2 * N_10_11 * canary_factor(0.05) / 10_000) == 16
    assert round(2 * N_10_11 * canary_factor(0.01) / 50_000) == 15


def test_figures_quoted_in_the_bank_belong_to_questions_that_state_their_inputs(bank):
    found = set()
    for q in bank:
        text = flat(full_text(q))
        for claim in CLAIMS:
            if not occurrences(text, claim.text) or occurrences(flat(q.question), claim.text):
                continue  # absent, or given in the question as an input rather than worked out
            found.add(claim.text)
            missing = [c for c in claim.context if c not in text]
            assert not missing, f"{q.id} quotes {claim.text} but never states {missing}"
    # the five figures the lessons lean on are all in the bank
    assert {"14,751", "8.3%", "0.0099", "$0.0074", "5.26"} <= found, found
    # and every figure listed here is still quoted somewhere (a changed figure is not silently skipped)
    assert found == {c.text for c in CLAIMS}, {c.text for c in CLAIMS} - found


def test_small_arithmetic_in_model_answers(bank):
    by_id = {q.id: q for q in bank}
    if "when-not-to-use-ai" in by_id and "under 7 hours" in by_id["when-not-to-use-ai"].model_answer:
        assert 6 < 200 * 2 / 60 < 7  # 200 cases a month at 2 minutes each
    if "reviewer-headcount" in by_id:
        answer = by_id["reviewer-headcount"].model_answer
        if "3,000 tickets" in answer:
            assert 20_000 * 0.15 == 3_000
        if "12,000 minutes" in answer:
            assert 3_000 * 4 == 12_000 and 12_000 / 60 == 200


# --------------------------------------------------------------------------------------------
# Lesson 08's open questions: evaluating LLM features and agents
# --------------------------------------------------------------------------------------------

# The five questions and the concept each must test.
LESSON_08 = {
    "eval-strategy": "llm_eval_strategy",
    "trust-llm-judge": "llm_judge",
    "rag-hallucination": "groundedness",
    "agent-reliability": "agent_reliability",
    "prompt-injection": "prompt_injection",
}


def paragraphs(answer: str) -> list[str]:
    return [p for p in re.split(r"\n\s*\n", answer.strip()) if p.strip()]


@pytest.mark.parametrize("qid", list(LESSON_08))
def test_lesson_08_questions_have_the_senior_shape(bank, qid):
    q = get_question(qid, bank)
    assert LESSON_08[qid] in q.concepts
    assert all("(lesson 08)" in CONCEPTS[c] for c in q.concepts if c in LESSON_08.values())
    assert 5 <= len(q.rubric) <= 7, len(q.rubric)
    assert 3 <= len(paragraphs(q.model_answer)) <= 5, len(paragraphs(q.model_answer))
    assert len(re.findall(r"\bI(?:'d|'m)?\b", q.model_answer)) >= 4, "the model answer speaks in the first person"
    assert len(re.findall(r"\d", q.model_answer)) >= 10, "the model answer works concrete numbers"
    assert len(q.follow_ups) == 2 and all(f.rstrip().endswith("?") for f in q.follow_ups)
    assert 3 <= q.minutes <= 6
    # not in exercise 06's written-answer pool, so that exercise's questions and numbers stay as they are
    assert not WRITTEN_CONCEPTS & set(q.concepts)


def test_every_lesson_08_concept_is_taught_in_lesson_08_and_tested_by_its_question(bank):
    lesson_08 = {c for c, text in CONCEPTS.items() if "(lesson 08)" in text}
    assert lesson_08 == set(LESSON_08.values())
    for concept in lesson_08:
        assert {q.id for q in questions_for(concept, bank)} & set(LESSON_08), concept


# Terms the answers use, each with the words that explain it where it first appears.
TERMS = [
    ("eval-strategy", "LLM judge", "a second model prompted to grade"),
    ("eval-strategy", "regression set", "a fixed collection of past failures"),
    ("eval-strategy", "frequency times harm", "harm on a scale from 1 (mild) to 5 (severe)"),
    ("trust-llm-judge", "TPR", "of the answers people pass, the share the judge passes"),
    ("trust-llm-judge", "TNR", "of the answers people fail, the share the judge fails"),
    ("trust-llm-judge", "bootstrap", "resample the judged answers and the labelled split together"),
    ("rag-hallucination", "Retrieval recall", "among those retrieved"),
    ("rag-hallucination", "Groundedness", "every claim in the answer supported by the retrieved passages"),
    ("agent-reliability", "pass@k", "at least one of k tries succeeds"),
    ("agent-reliability", "pass^k", "all k succeed"),
    ("prompt-injection", "Least privilege", "the narrowest power the task needs"),
    ("prompt-injection", "red-team set", "attacks we write ourselves"),
]


@pytest.mark.parametrize("qid, term, explanation", TERMS, ids=[f"{q}:{t}" for q, t, _ in TERMS])
def test_lesson_08_answers_explain_their_terms(bank, qid, term, explanation):
    answer = flat(get_question(qid, bank).model_answer)
    assert term in answer and explanation in answer
    # the explanation sits next to the term's first use, not paragraphs later
    assert abs(answer.index(explanation) - answer.index(term)) < 200


def test_raw_agreement_hides_a_judge_that_passes_everything():
    # trust-llm-judge: with 85% of answers passing, a judge that passes all agrees 85% of the time
    human = np.array([True] * 85 + [False] * 15)
    judge = np.ones_like(human)
    assert np.mean(human == judge) == pytest.approx(0.85)
    assert np.sum(~judge & ~human) / np.sum(~human) == 0  # its TNR: no failure caught
    # and the corrected rate of the worked example is below the raw 72% (a lenient judge flatters)
    assert JUDGE_THETA < 0.72 and (0.72 + 0.80 - 1) / (0.95 + 0.80 - 1) == pytest.approx(JUDGE_THETA)


def corrected_interval(n_judged: int, n_pass: int, n_fail: int, seed: int, draws: int = 8_000) -> tuple[float, float]:
    """95% percentile bootstrap of the corrected rate, resampling the judged set and the labelled split."""
    rng = np.random.default_rng(seed)
    true_pass, true_fail = round(0.95 * n_pass), round(0.80 * n_fail)
    n = n_pass + n_fail
    observed = rng.binomial(n_judged, 0.72, draws) / n_judged
    cells = rng.multinomial(n, np.array([true_pass, n_pass - true_pass, n_fail - true_fail, true_fail]) / n, draws)
    tpr = cells[:, 0] / (cells[:, 0] + cells[:, 1])
    tnr = cells[:, 3] / (cells[:, 2] + cells[:, 3])
    keep = tpr + tnr > 1
    theta = np.clip((observed[keep] + tnr[keep] - 1) / (tpr[keep] + tnr[keep] - 1), 0, 1)
    low, high = np.percentile(theta, [2.5, 97.5])
    return float(low), float(high)


@pytest.mark.parametrize(
    "labels, quoted",
    [((140, 60), "from roughly 62% to 75%"), ((280, 120), "narrow it to about 64% to 74%")],
    ids=["200 labels", "400 labels"],
)
def test_the_judge_interval_quoted_is_what_a_bootstrap_gives(bank, labels, quoted):
    answer = flat(get_question("trust-llm-judge", bank).model_answer)
    assert quoted in answer and "1,000 judged answers" in answer
    low_q, high_q = (int(x) / 100 for x in re.findall(r"(\d+)%", quoted))
    for seed in (1, 2):
        low, high = corrected_interval(1_000, *labels, seed=seed)
        assert abs(low - low_q) <= 0.01 and abs(high - high_q) <= 0.01, (quoted, low, high)
    # the gate of 63% sits between the two lower bounds, as the answer says
    assert corrected_interval(1_000, 140, 60, seed=3)[0] < 0.63 < corrected_interval(1_000, 280, 120, seed=3)[0]
    assert "release gate is 63%" in answer


# The recomputed figures (CLAIMS) each answer must quote in its model answer, not only in its rubric.
ANSWER_FIGURES = {
    "trust-llm-judge": ["0.52/0.75", "about 69%", "0.68 to 0.89"],
    "agent-reliability": ["about 60%", "about 90%", "about 77%", "25/28", "10/28", "about 0.89", "about 0.36",
                          "94% of tasks finish", "1.56 attempts", "costs 20 cents", "100 minutes a day"],
    "prompt-injection": ["stops 9 attacks", "about 200 good requests", "about $600"],
    "eval-strategy": ["1,200 judge calls", "$0.0028 a call", "about $3.40 a run"],
    "rag-hallucination": ["that's 9%", "about 7 hours of agent time"],
    "llm-limitations": ["4 cents before"],
    "working-with-ml-engineers": ["2.6 points"],
}


@pytest.mark.parametrize("qid", list(ANSWER_FIGURES))
def test_lesson_08_model_answers_quote_the_recomputed_figures(bank, qid):
    answer = flat(get_question(qid, bank).model_answer)
    claims = {c.text for c in CLAIMS}
    for figure in ANSWER_FIGURES[qid]:
        assert figure in claims, f"{figure} is not recomputed in CLAIMS"
        assert occurrences(answer, figure), f"{qid}'s model answer no longer quotes {figure}"


def test_small_arithmetic_in_lesson_08_answers(bank):
    strategy = flat(get_question("eval-strategy", bank).model_answer)
    # frequency times harm: 14 at harm 4, 3 at harm 5, 6 at harm 1
    for count, harm in [(14, 4), (3, 5), (6, 1)]:
        assert re.search(rf"\b{count}\b[^;.]*\bharm {harm}\b[^;.]*\bscores? {count * harm}\b", strategy), (count, harm)
    assert 14 * 4 > 3 * 5 > 6 * 1 and 3 < 6  # the rarer missed escalation still ranks above tone
    assert "under 7 hours" in strategy and 6 < 200 * 2 / 60 < 7
    hallucination = flat(get_question("rag-hallucination", bank).model_answer)
    assert "5% of 2,000 daily tickets, 100 tickets" in hallucination and 2_000 * 0.05 == 100
    agents = flat(get_question("agent-reliability", bank).model_answer)
    assert "fails 4 times in 10" in agents and round(10 * (1 - 0.95**10)) == 4


# The three older answers this lesson strengthened keep every rubric id they had.
STRENGTHENED = {
    "llm-limitations": ({"hallucination", "context", "inconsistency", "injection", "ux"}, ["retrieves", "200 human labels"]),
    "role-archetypes": ({"five", "users", "success", "start", "startup"}, ["interviews differ", "12 product teams"]),
    "working-with-ml-engineers": (
        {"data-question", "measure-question", "blocker-question", "min-quality", "pm-role"},
        ["2.6 points", "trace review"],
    ),
}


@pytest.mark.parametrize("qid", list(STRENGTHENED))
def test_strengthened_answers_keep_their_ids_and_gain_depth(bank, qid):
    q = get_question(qid, bank)
    old_ids, phrases = STRENGTHENED[qid]
    assert old_ids < {p.id for p in q.rubric} and len(q.rubric) <= 7
    answer = flat(q.model_answer)
    assert all(phrase in answer for phrase in phrases), phrases
    assert 3 <= len(paragraphs(q.model_answer)) <= 5 and len(q.follow_ups) == 2


def test_llm_limitations_covers_injection_through_documents_and_evaluation_at_scale(bank):
    q = get_question("llm-limitations", bank)
    assert {"prompt_injection", "llm_eval_strategy"} <= set(q.concepts)
    answer = flat(q.model_answer)
    assert "document the model retrieves" in answer and "judge" in answer


# --------------------------------------------------------------------------------------------
# Kinds: technical questions, product-sense cases and behavioural prompts
# --------------------------------------------------------------------------------------------

# The 45 technical questions the bank held before product-sense cases and behavioural prompts came:
# learners' logs name them, so none may disappear.
TECHNICAL_IDS = """
worth-building most-important-metric when-not-to-use-ai ai-vs-traditional-pm testable-requirement vendor-accuracy
precision-at-low-prevalence threshold-by-cost calibration costlier-error rag-vs-finetuning rag-cost-per-query
cost-per-successful-task rag-quality model-is-wrong budget-evidence reviewer-headcount coverage-vs-accuracy
rollout-plan shadow-mode sample-size blast-radius canary-size kill-switch drift override-rate-rising data-flywheel
offline-online-gap experimentation-beyond-ab responsible-screening governance-questions model-card failure-modes
model-limitations llm-limitations role-archetypes platform-pm-metrics working-with-ml-engineers accuracy-deadline
cost-blowout eval-strategy trust-llm-judge rag-hallucination agent-reliability prompt-injection
""".split()

_KIT_BANK = load_bank()
PRODUCT_SENSE_IDS = [q.id for q in _KIT_BANK if q.kind == "product_sense"]
BEHAVIOURAL_IDS = [q.id for q in _KIT_BANK if q.kind == "behavioural"]


def test_the_kinds_and_how_many_of_each(bank):
    assert set(KINDS) == {"technical", "product_sense", "behavioural"}
    assert all(q.kind in KINDS for q in bank)
    technical = [q.id for q in bank if q.kind == "technical"]
    assert len(TECHNICAL_IDS) == 45 and set(TECHNICAL_IDS) <= set(technical)
    assert len(PRODUCT_SENSE_IDS) >= 5
    assert len(BEHAVIOURAL_IDS) >= 10


def test_every_question_of_every_kind_has_a_rubric_and_a_model_answer_with_a_number(bank):
    for q in bank:
        ids = [p.id for p in q.rubric]
        assert len(ids) >= 3 and len(set(ids)) == len(ids), (q.id, ids)
        assert re.search(r"\d", q.model_answer), f"{q.id}: the model answer has no number"


def test_show_tells_how_to_answer_each_kind(bank):
    for q in bank:
        text = str(q.show())
        if q.kind == "technical":  # unchanged: the question, then the time and the number of points
            assert text.endswith(f"{q.question}\n\n(Answer aloud or in writing in about {q.minutes:g} minutes; a strong answer covers {len(q.rubric)} points.)")
        else:
            assert q.question in text and f"covers {len(q.rubric)} points" in text
    assert "what you would not build" in str(get_question(PRODUCT_SENSE_IDS[0], bank).show())
    assert "what changed afterwards" in str(get_question(BEHAVIOURAL_IDS[0], bank).show())


# The core of every product-sense rubric: the goal and constraints clarified first, the user and the
# painful step, whether AI is needed, what the first version does and leaves out, the failures and who
# is hurt, metrics with numbers, the people in the loop.
PRODUCT_SENSE_CORE = {"goal-constraints", "user-step", "need-ai", "first-version", "failures", "metrics", "human-loop"}


@pytest.mark.parametrize("qid", PRODUCT_SENSE_IDS)
def test_product_sense_cases_do_what_a_senior_pm_does(bank, qid):
    q = get_question(qid, bank)
    assert q.question.startswith("Design an AI feature")
    assert "product_sense" in q.concepts and 7 <= len(q.rubric) <= 9
    assert PRODUCT_SENSE_CORE <= {p.id for p in q.rubric}, {p.id for p in q.rubric}
    assert q.rubric[0].id == "goal-constraints", "clarifying the goal comes first"
    answer = flat(q.model_answer)
    assert len(re.findall(r"\bI(?:'d|'m)?\b", answer)) >= 4, "the model answer speaks in the first person"
    assert len(re.findall(r"\d", answer)) >= 20, "the model answer works concrete numbers"
    assert "would not build" in answer, "it says what it would not build"
    assert "kill switch" in answer, "the rollout has a kill switch"
    assert re.search(r"\$\d", answer) and "per million" in answer, "the cost per task is priced from tokens"
    assert re.search(r"\d[\d.,]* (hours|people|hires)", answer), "the human loop is sized in hours or people"
    assert re.search(r"[Ll]atency|\bseconds?\b", answer), "latency is weighed as a product constraint"
    assert len(q.follow_ups) == 2 and all(f.rstrip().endswith("?") for f in q.follow_ups)
    assert 8 <= q.minutes <= 15
    assert not WRITTEN_CONCEPTS & set(q.concepts)  # exercise 06's written question stays as it is


@pytest.mark.parametrize("qid", PRODUCT_SENSE_IDS)
def test_product_sense_answers_open_with_the_goal_and_choose_a_first_version(bank, qid):
    q = get_question(qid, bank)
    points = {p.id: p.point for p in q.rubric}
    assert "goal" in points["goal-constraints"] and "constraints" in points["goal-constraints"]
    assert "first version" in points["first-version"] and "leaves out" in points["first-version"]
    opening = flat(paragraphs(q.model_answer)[0])
    assert re.search(r"\bwants?\b|\bgoal\b|\bbuying\b|\bafter\b", opening), "the answer opens by asking what the goal is"
    assert re.search(r"\bconstraints\b|\blimits\b", opening), "... and what constrains the design"
    assert re.search(r"I'll assume", opening), "... and states the assumption it works on"
    answer = flat(q.model_answer)
    assert re.search(r"The first version [^.]*\.", answer), "it says what the first version does"
    first = answer.index("The first version")
    assert first < answer.index("would not build") < first + 200, "... next to what it leaves out"


# Phrases a rubric once quoted from its own model answer: points reward the judgement, not recall.
RECITED = ["cheating detector", "comparison team", "pharmacist", "luxury brand", "region-level", "safeguarding lead"]


def test_product_sense_rubrics_reward_judgement_not_the_model_answers_details(bank):
    for q in bank:
        if q.kind != "product_sense":
            continue
        for p in q.rubric:
            assert not re.search(r"\d", p.point), (q.id, p.id, "a figure to recall")
            assert '"' not in p.point, (q.id, p.id, "a quotation to recall")
            assert not [r for r in RECITED if r in p.point.lower()], (q.id, p.id, p.point)


# A behavioural answer is a story in this order; every prompt's rubric has these points, by id.
STORY = ["situation", "numbers", "your-actions", "trade-off", "outcome", "own-mistake", "changed-after"]

# The ten prompts the course promises, each with words its question must contain.
TEN_PROMPTS = {
    "story-ml-disagreement": "disagreed with your ML engineers",
    "story-stopped-launch": "a launch you stopped",
    "story-misleading-metric": "a metric that misled you",
    "story-segment-worse": "worse for one group",
    "story-skip-the-eval": "skip the evaluation",
    "story-cost-overrun": "cost overrun",
    "story-not-ready": "not ready",
    "story-latency-quality": "between latency and quality",
    "story-judge-distrust": "stopped trusting an evaluation",
    "story-failed-experiment": "a failed experiment",
}


def test_the_ten_behavioural_prompts_are_there(bank):
    for qid, words in TEN_PROMPTS.items():
        q = get_question(qid, bank)
        assert q.kind == "behavioural" and words in q.question, (qid, q.question)


def test_every_behavioural_rubric_rewards_the_outcome_and_what_changed_afterwards(bank):
    behavioural = [q for q in bank if q.kind == "behavioural"]
    assert len(behavioural) >= 10
    for q in behavioural:
        ids = {p.id for p in q.rubric}
        assert {"outcome", "changed-after"} <= ids, (q.id, ids)


# Words that own a mistake in a model answer.
OWN_MISTAKE = re.compile(r"\b(my (own )?mistake|the mistake was mine|I should have|I'd do differently)\b", re.IGNORECASE)


def test_all_ten_behavioural_rubrics_score_the_candidates_own_mistake(bank):
    behavioural = [q for q in bank if q.kind == "behavioural"]
    assert set(TEN_PROMPTS) <= {q.id for q in behavioural}
    for q in behavioural:
        points = {p.id: p.point for p in q.rubric}
        assert "own-mistake" in points, q.id
        assert "mistake of their own" in points["own-mistake"] and "differently" in points["own-mistake"]
        # the model answer owns one, in words a listener would hear
        assert OWN_MISTAKE.search(flat(q.model_answer)), f"{q.id}: the model answer names no mistake of its own"
        # and only this point asks for it, so it is not scored twice
        assert not [pid for pid, point in points.items() if pid != "own-mistake" and "mistake" in point], q.id


@pytest.mark.parametrize("qid", BEHAVIOURAL_IDS)
def test_behavioural_answers_are_stories_with_numbers(bank, qid):
    q = get_question(qid, bank)
    assert q.question.startswith("Tell me about")
    assert [p.id for p in q.rubric] == STORY
    assert "behavioural_stories" in q.concepts
    parts = paragraphs(q.model_answer)
    assert 4 <= len(parts) <= 6, len(parts)
    assert flat(parts[-1]).startswith("What changed"), "the story ends with what changed afterwards"
    answer = flat(q.model_answer)
    assert len(re.findall(r"\bI\b", answer)) >= 5, "told in the first person: what I did"
    assert len(re.findall(r"\d", answer)) >= 10, "the story has numbers"
    assert len(q.follow_ups) == 2 and all(f.rstrip().endswith("?") for f in q.follow_ups)
    assert not WRITTEN_CONCEPTS & set(q.concepts)


# Rubric points a senior interviewer listens for, added to the technical questions: each question,
# its point ids, and words each point must contain.
SENIOR_POINTS = {
    "rollout-plan": {"split-health": "sample-ratio mismatch"},
    "offline-online-gap": {"split-health": "sample-ratio mismatch", "segments-cancel": "cancelled"},
    "drift": {"mix-shift": "mix of segments", "size-not-p": "p-value"},
    "sample-size": {"full-week": "weekday"},
    "experimentation-beyond-ab": {"peeking": "22%"},
    "most-important-metric": {"latency": "2 seconds", "layers-linked": "offline gain"},
    "vendor-accuracy": {"latency": "200 milliseconds"},
    "llm-limitations": {"cost-latency": "latency target"},
    "trust-llm-judge": {"experts": "domain experts"},
    "eval-strategy": {"code-or-judge": "true-negative"},
    "reviewer-headcount": {"shrinkage": "59 hires", "trade": "4 hires"},
    "cost-blowout": {"heavy-users": "seat price"},
}


@pytest.mark.parametrize("qid", list(SENIOR_POINTS))
def test_rubrics_reward_what_a_senior_interviewer_listens_for(bank, qid):
    q = get_question(qid, bank)
    points = {p.id: p.point for p in q.rubric}
    for point_id, words in SENIOR_POINTS[qid].items():
        assert point_id in points, (qid, point_id, list(points))
        assert words in points[point_id], (qid, point_id, points[point_id])
    assert len(q.rubric) <= 7


def test_small_arithmetic_in_the_new_answers(bank):
    text = {q.id: flat(q.model_answer) for q in bank}
    # a 50/50 split that came out 25,500 / 24,500 or 48,800 / 51,200 is broken; 50,600 / 49,400 sits
    # between the usual alarm line and the 0.0001 quoted for the larger gap
    assert "25,500 and 24,500 users" in text["offline-online-gap"] and srm_p(25_500, 24_500) < 0.0001
    assert "48,800 users against 51,200" in text["story-failed-experiment"] and srm_p(48_800, 51_200) < 0.001
    assert 0.0001 < srm_p(50_600, 49_400) < 0.001
    # segments that cancel: 40% gaining 4.5 points and 60% losing 3 leave the average where it was
    assert "40% of traffic, gain 4.5 points" in text["offline-online-gap"] and 0.40 * 4.5 - 0.60 * 3 == pytest.approx(0)
    # the latency story: both options deliver about the same quality
    assert round(0.97 * 0.84, 2) == round(0.89 * 0.91, 2) == 0.81
    # the segment story: overall 89% -> 91% with Spanish (12%) 86% -> 79% and English about 89% -> 92%
    assert round(0.88 * 0.894 + 0.12 * 0.86, 2) == 0.89 and round(0.88 * 0.924 + 0.12 * 0.79, 2) == 0.91
    # ... and 400 cases per language show a 5-point drop at 95% confidence, where 150 could not
    margin = lambda n: Z_975 * math.sqrt(2 * 0.86 * 0.14 / n)  # noqa: E731
    assert "400 cases per language" in text["story-segment-worse"] and margin(400) < 0.05 < margin(150)
    # the evaluation a stakeholder wanted to skip: 11 of 120 is about 9 in every 100
    assert "11 of the 120" in text["story-skip-the-eval"] and round(100 * 11 / 120) == 9
    # the narrow launch: even at the upper bound, 40% of 6,000 claims overpay under $22,000 a month
    assert "under $22,000" in text["story-not-ready"] and 2_400 * (1 - 0.05 ** (1 / 400)) * 1_200 < 22_000
    # the judge: 23 of 50 failures caught is a true-negative rate of 0.46
    assert "23 of the 50" in text["story-judge-distrust"] and 23 / 50 == 0.46
    # discharge notes: under 5 cents a note; the audit is about 8 hours a week
    assert "under 5 cents" in text["design-discharge-notes"] and (20_000 * 2 + 800 * 8) / 1e6 < 0.05
    assert "about 8 hours" in text["design-discharge-notes"] and round(50 * 10 / 60) == 8
    # card disputes: 160 hours a day and an audit of about 5 hours
    assert "160 hours a day" in text["design-dispute-handling"] and 9_600 / 60 == 160
    assert "about 5 hours" in text["design-dispute-handling"] and round(48 * 6 / 60) == 5
    # claims intake: 96 hours of hand-offs a day
    assert "96 hours" in text["design-claims-intake"] and 288 * 20 / 60 == 96
    # the cost overrun: the forecast was 1 million queries at $0.018
    assert "$18,000 a month" in text["story-cost-overrun"] and 1_000_000 * 0.018 == 18_000
    assert "1 million queries at $0.018" in text["story-cost-overrun"]


def test_the_reviewed_stories_hold_together(bank):
    text = {q.id: flat(q.model_answer) for q in bank}
    # the judge: its weekly rate is what it gives on the labelled traces, and corrected it agrees with
    # the people's own rate on them (the rounded rates quoted give the same answer as the exact ones)
    judge = text["story-judge-distrust"]
    assert "a steady 86%" in judge and abs(JUDGE.mean() - 0.86) < 0.01
    assert abs(DRIFTED_THETA - HUMAN.mean()) < 0.02 and round(DRIFTED_THETA, 2) == round(DRIFTED_THETA_SHOWN, 2)
    assert "(0.86 + 0.46 − 1) / (0.97 + 0.46 − 1)" in judge and round(JUDGE_TNR, 2) == 0.46 and round(JUDGE_TPR, 2) == 0.97
    # the latency story compares like with like: every option is counted after the users who leave
    latency = text["story-latency-quality"]
    assert "both about 81%" in latency and round(RECEIVED["small"], 2) == round(RECEIVED["large"], 2) == 0.81
    assert RECEIVED["large"] < RECEIVED["cascade"] < CASCADE_BEFORE_LEAVING
    # the cost overrun: 12 passages can't take a call past 2,000 fixed tokens plus 12 of the passages
    overrun = text["story-cost-overrun"]
    assert "to 6,500" in overrun and "9,000" not in overrun and 2_000 + 4 * PASSAGE == 3_500
    assert "$18,000 a month" in overrun and 1_000_000 * call_cost(4) == pytest.approx(18_000)
    assert "under the forecast" in overrun and 1_200_000 * FIXED_QUERY < 18_000
    # listings: 45% missing a field is 55% complete, and the target of 80% adds 25 points of 200,000
    listing = text["design-listing-quality"]
    assert "45% missing" in listing and "from 55% to 80%" in listing and 100 - 45 == 55
    assert "complete 50,000 more listings a day" in listing and 200_000 * 25 // 100 == 50_000


def test_daily_peeking_finds_false_wins_as_often_as_the_answer_says(bank):
    answer = flat(get_question("experimentation-beyond-ab", bank).model_answer)
    assert "daily for 14 days, about 22%" in answer and "about 5% with one look" in answer
    # A/A tests: two arms at 10%, 500 users a day each, a two-proportion z-test read after every day
    rng = np.random.default_rng(0)
    sims, days, per_day = 4_000, 14, 500
    a = rng.binomial(per_day, 0.10, (sims, days)).cumsum(axis=1)
    b = rng.binomial(per_day, 0.10, (sims, days)).cumsum(axis=1)
    n = per_day * np.arange(1, days + 1)
    pooled = (a + b) / (2 * n)
    z = (a - b) / n / np.sqrt(pooled * (1 - pooled) * 2 / n)
    assert abs(np.mean((np.abs(z) > Z_975).any(axis=1)) - 0.22) < 0.03  # some look "finds" a gap
    assert abs(np.mean(np.abs(z[:, -1]) > Z_975) - 0.05) < 0.015  # one look at the end


def test_pick_questions_draws_from_one_kind(bank):
    for kind in KINDS:
        pool = {q.id for q in bank if q.kind == kind}
        for seed in (0, 3, 11):
            picked = pick_questions(seed, 3, bank, kind=kind)
            assert len({q.id for q in picked}) == 3 and {q.id for q in picked} <= pool
            assert picked == pick_questions(seed, 3, bank, kind=kind)
        assert {q.id for q in pick_questions(0, len(pool), bank, kind=kind)} == pool
        assert len({tuple(q.id for q in pick_questions(seed, 2, bank, kind=kind)) for seed in range(8)}) >= 4
    # no kind is every kind, as before
    assert pick_questions(4, 5, bank) == pick_questions(4, 5, bank, kind=None)
    assert {q.id for q in pick_questions(0, len(bank), bank)} == {q.id for q in bank}
    assert [q.id for q in pick_questions(2, 2, kind="behavioural")] == [q.id for q in pick_questions(2, 2, bank, kind="behavioural")]


@pytest.mark.parametrize("bad", ["Behavioural", "story", "", 3, True, None.__class__, ["technical"]])
def test_pick_questions_refuses_an_unknown_kind(bank, bad):
    with pytest.raises(ValueError) as err:
        pick_questions(0, 1, bank, kind=bad)
    message = str(err.value)
    assert "kind" in message and all(k in message for k in KINDS), message


def test_pick_questions_asks_for_no_more_than_the_kind_holds(bank):
    held = sum(q.kind == "behavioural" for q in bank)
    with pytest.raises(ValueError) as err:
        pick_questions(0, held + 1, bank, kind="behavioural")
    assert f"1 to {held}" in str(err.value) and "n must" in str(err.value)


def test_pick_questions_on_a_bank_without_that_kind(bank):
    technical = [q for q in bank if q.kind == "technical"][:4]
    with pytest.raises(ValueError) as err:
        pick_questions(0, 1, technical, kind="behavioural")
    message = str(err.value)
    assert "kind" in message and "'behavioural'" in message and "technical" in message


# --------------------------------------------------------------------------------------------
# Follow-ups: the mock interview shows them with the question, before any model answer
# --------------------------------------------------------------------------------------------

# The rubric point that answers each follow-up, in the follow-ups' order: a follow-up that no point
# answers can't be scored. Read each pair when a follow-up or a rubric changes.
FOLLOW_UP_POINTS = {
    "worth-building": ("data", "baseline"),
    "most-important-metric": ("blockers", "task-success"),
    "when-not-to-use-ai": ("rules-suffice",),
    "ai-vs-traditional-pm": ("planning", "done"),
    "testable-requirement": ("small-set", "eval-set"),
    "vendor-accuracy": ("precision-recall",),
    "precision-at-low-prevalence": ("formula", "base-rate-lesson"),
    "threshold-by-cost": ("rule", "rule"),
    "calibration": ("resampling",),
    "costlier-error": ("direction",),
    "rag-vs-finetuning": ("style-latency", "break-even"),
    "rag-cost-per-query": ("caveats", "break-even"),
    "cost-per-successful-task": ("fallback-cost",),
    "rag-quality": ("three-levels", "recall-at-k"),
    "model-is-wrong": ("fallback", "thresholds"),
    "budget-evidence": ("more-data",),
    "reviewer-headcount": ("trade",),
    "coverage-vs-accuracy": ("coverage",),
    "rollout-plan": ("purpose", "blockers"),
    "shadow-mode": ("compare",),
    "sample-size": ("mde",),
    "blast-radius": ("daily-checks",),
    "canary-size": ("days",),
    "kill-switch": ("false-alarms",),
    "drift": ("concept-drift",),
    "override-rate-rising": ("fresh-labels",),
    "data-flywheel": ("loop",),
    "offline-online-gap": ("theatre",),
    "experimentation-beyond-ab": ("long-term",),
    "responsible-screening": ("slices",),
    "governance-questions": ("proportion",),
    "model-card": ("purpose",),
    "failure-modes": ("rank",),
    "model-limitations": ("detect",),
    "llm-limitations": ("context", "eval-at-scale"),
    "role-archetypes": ("users", "interviews"),
    "platform-pm-metrics": ("dev-experience",),
    "working-with-ml-engineers": ("error-bar", "shared-evals"),
    "accuracy-deadline": ("ship-design",),
    "cost-blowout": ("levers",),
    "eval-strategy": ("traces-first", "binary-checks"),
    "trust-llm-judge": ("correction", "experts"),
    "rag-hallucination": ("three-measures", "citations"),
    "agent-reliability": ("repeat-runs", "approval"),
    "prompt-injection": ("false-blocks", "sources"),
    "design-dispute-handling": ("human-loop", "failures"),
    "design-discharge-notes": ("failures", "human-loop"),
    "design-listing-quality": ("metrics", "experiment"),
    "design-homework-help": ("failures", "first-version"),
    "design-claims-intake": ("metrics", "failures"),
    "story-ml-disagreement": ("trade-off", "outcome"),
    "story-stopped-launch": ("numbers", "your-actions"),
    "story-misleading-metric": ("your-actions", "changed-after"),
    "story-segment-worse": ("trade-off", "changed-after"),
    "story-skip-the-eval": ("trade-off", "numbers"),
    "story-cost-overrun": ("trade-off", "your-actions"),
    "story-not-ready": ("numbers", "trade-off"),
    "story-latency-quality": ("numbers", "trade-off"),
    "story-judge-distrust": ("your-actions", "numbers"),
    "story-failed-experiment": ("own-mistake", "numbers"),
}


def test_every_follow_up_is_answered_by_a_rubric_point(bank):
    assert set(FOLLOW_UP_POINTS) == {q.id for q in bank if q.follow_ups}
    for q in bank:
        points = FOLLOW_UP_POINTS.get(q.id, ())
        assert len(points) == len(q.follow_ups), (q.id, "one rubric point per follow-up", q.follow_ups)
        missing = set(points) - {p.id for p in q.rubric}
        assert not missing, (q.id, "no such rubric point", missing)


NUMBER_WORDS = set("two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty hundred thousand million".split())
# Terms the course teaches: a follow-up may use them although only the model answer spells them out.
COURSE_TERMS = {"AI", "ML", "LLM", "RAG", "ROC", "AUC", "A/B", "TPR", "TNR"}
# A person in a story the learner never heard ("what if she had refused?").
STORY_PERSON = re.compile(r"\b(?:she|he|her|hers|him|his)\b", re.IGNORECASE)


def figures(text: str) -> set[str]:
    """Numbers in text, in digits (commas dropped) or in words; a scale's name such as 1-to-10 is not a figure."""
    text = re.sub(r"\b\d+-to-\d+\b", " ", text)
    digits = {m.group().rstrip(".,").replace(",", "") for m in re.finditer(r"\d[\d,.]*", text)}
    return digits | ({w.lower() for w in re.findall(r"[A-Za-z]+", text)} & NUMBER_WORDS)


def names(text: str) -> set[str]:
    """Capitalised words inside a sentence (CEO, Spanish, option A), not the word that opens it, nor "I"."""
    found = set()
    for m in re.finditer(r"(?<![\w'/-])[A-Z][\w'/-]*", text):
        before = text[: m.start()].rstrip()
        if before and before[-1] not in '.?!:"(' and not re.fullmatch(r"I(?:'\w+)?", m.group()):
            found.add(m.group())
    return found - COURSE_TERMS


def assumed_details(follow_up: str, question: str, model_answer: str) -> set[str]:
    """The figures and names a follow-up shares with the model answer but not with the question, and any story person."""
    tokens = lambda text: set(re.findall(r"[\w'/-]+", text))  # noqa: E731
    shared = (figures(follow_up) & figures(model_answer)) - figures(question)
    shared |= {n for n in names(follow_up) if n in tokens(model_answer) and n not in tokens(question)}
    return shared | {w.lower() for w in STORY_PERSON.findall(follow_up)}


def test_follow_ups_assume_nothing_from_the_model_answer(bank):
    for q in bank:
        for f in q.follow_ups:
            assert not assumed_details(f, q.question, q.model_answer), (q.id, f, assumed_details(f, q.question, q.model_answer))


# Follow-ups the bank once asked, each with the detail a learner who had only read the question lacked.
ASSUMING = [
    ("story-not-ready", "Why did you judge the launch on the upper bound rather than on the 1.4%?", {"1.4"}),
    ("story-not-ready", "What would you have said if the CEO had insisted on option A?", {"CEO", "A"}),
    ("story-stopped-launch", "Why 1.25 times? How would you defend that number?", {"1.25"}),
    ("story-skip-the-eval", "Why did you pick those three clauses to check?", {"three"}),
    ("story-ml-disagreement", "What would you have done if she had still refused?", {"she"}),
    ("testable-requirement", "How would you label 500 emails quickly without ruining label quality?", {"500"}),
    ("failure-modes", "Which of the eight have you seen most often, and what would have caught it earlier?", {"eight"}),
]


@pytest.mark.parametrize("qid, follow_up, details", ASSUMING, ids=[f"{a[0]}: {a[1][:30]}" for a in ASSUMING])
def test_a_follow_up_that_assumes_the_model_answer_is_caught(bank, qid, follow_up, details):
    q = get_question(qid, bank)
    assert assumed_details(follow_up, q.question, q.model_answer) == details


def test_a_follow_up_may_bring_figures_of_its_own():
    question = "A false alarm costs $5 and a missed fraud costs $500. At which score would you start flagging?"
    answer = "Flag from 5 / 505, about 1%. Our CFO asked for a 1-to-10 score; I said no."
    assert assumed_details("Finance thinks a missed fraud costs $250, not $500. How far does the threshold move?", question, answer) == set()
    assert assumed_details("Your A/B test says a 1-to-10 score helps. Do you believe it?", question, answer) == set()
    assert assumed_details("What if the CFO thinks 1% is too low?", question, answer) == {"CFO", "1"}


def test_the_kill_switch_answers_its_false_alarm_follow_up(bank):
    q = get_question("kill-switch", bank)
    assert any("false alarm" in f for f in q.follow_ups)
    point = {p.id: p.point for p in q.rubric}["false-alarms"]
    assert "noise" in point and "false alarms" in point
    answer = flat(q.model_answer)
    assert "false alarms included" in answer and "a day's more exposure" in answer
    # about 8% of days is a false alarm every 12 or 13 days, "every two weeks or so"
    assert "every two weeks or so" in answer and 10 < 1 / FALSE_ALARM_200 < 15
    # two days in a row over the line at 200 a day is rarer than one day at 1,000 a day
    assert FALSE_ALARM_200**2 < FALSE_ALARM_1000 < FALSE_ALARM_200


# --------------------------------------------------------------------------------------------
# self_score
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def question(bank):
    return next(q for q in bank if len(q.rubric) >= 5)


def test_numbers_and_ids_give_the_same_score(bank):
    for q in bank:
        ids = [p.id for p in q.rubric]
        by_number = self_score(q, [1, 3])
        by_id = self_score(q, [ids[0], ids[2]])
        assert by_number == by_id
        assert self_score(q, [3, ids[0]]) == by_number  # mixed and out of order
    q = bank[0]
    assert self_score(q.id, [1, 3]) == self_score(q, [1, 3])  # the question by its id


def test_score_is_covered_over_total_and_missed_is_the_complement(question):
    n = len(question.rubric)
    for size in range(n + 1):
        for chosen in itertools.combinations(range(1, n + 1), size):
            result = self_score(question, list(reversed(chosen)))
            assert result.score == pytest.approx(size / n)
            assert result.covered == tuple(question.rubric[i - 1] for i in sorted(chosen))
            assert result.missed == tuple(p for i, p in enumerate(question.rubric, 1) if i not in chosen)


def test_duplicates_count_once(question):
    first = question.rubric[0]
    result = self_score(question, [1, 1, first.id, f" {first.id} "])
    assert result.covered == (first,)
    assert result.score == pytest.approx(1 / len(question.rubric))


def test_nothing_covered_and_everything_covered(question):
    n = len(question.rubric)
    none = self_score(question, [])
    assert none.score == 0 and none.covered == () and none.missed == question.rubric
    assert none.verdict.startswith("Not yet")
    every = self_score(question, range(1, n + 1))
    assert every.score == 1.0 and every.missed == ()
    assert every.verdict.startswith("Strong")
    assert self_score(question, iter(p.id for p in question.rubric)).score == 1.0  # any iterable


@pytest.mark.parametrize("bad", [0, "len+1", -1, "no-such-point", True, False, 2.0])
def test_bad_rubric_points_are_refused_with_the_allowed_values(question, bad):
    n = len(question.rubric)
    if bad == "len+1":
        bad = n + 1
    with pytest.raises(ValueError) as err:
        self_score(question, [1, bad])
    message = str(err.value)
    assert repr(bad) in message
    assert f"1 to {n}" in message
    if isinstance(bad, str) or isinstance(bad, (bool, float)):
        assert all(p.id in message for p in question.rubric), message


@pytest.mark.parametrize("bad", ["1, 3", "workflow", b"1", None, 3])
def test_covered_must_be_a_list(question, bad):
    with pytest.raises(ValueError) as err:
        self_score(question, bad)
    message = str(err.value)
    assert repr(bad) in message and f"1 to {len(question.rubric)}" in message and "list" in message


def test_self_score_text_forms(question):
    n = len(question.rubric)
    result = self_score(question, [1, 2])
    assert isinstance(result, SelfScore)
    text = str(result)
    assert text.startswith(f"2 of {n} points ({2 / n:.0%})")
    assert result.verdict in text
    for p in question.rubric[2:]:
        assert p.point in text
    rich = result.as_text()
    assert question.id in rich.heading
    assert f"**2 of {n} points ({2 / n:.0%}).**" in rich.body
    assert [line for line in rich.body.splitlines() if line.startswith("- **")] == [f"- **{p.id}**: {p.point}" for p in question.rubric[2:]]
    assert f"2 of {n} points" in result._repr_html_()
    all_points = self_score(question, range(1, n + 1))
    assert str(all_points).endswith("Missed: none") and "missed" not in all_points.as_text().body


def test_verdicts_rise_with_the_score(question):
    n = len(question.rubric)
    order = ["Not yet", "Partial", "Good", "Strong"]
    ranks = [next(i for i, word in enumerate(order) if self_score(question, range(1, k + 1)).verdict.startswith(word)) for k in range(n + 1)]
    assert ranks == sorted(ranks) and ranks[0] == 0 and ranks[-1] == 3


# --------------------------------------------------------------------------------------------
# Lookup and random picks
# --------------------------------------------------------------------------------------------


def test_get_question_finds_each_id_and_suggests_close_ones(bank):
    for q in bank:
        assert get_question(q.id, bank) is q
    assert get_question("drift").id == "drift"  # the kit's own bank by default
    target = bank[0].id
    typo = target[:-1] + ("x" if target[-1] != "x" else "y")
    with pytest.raises(ValueError) as err:
        get_question(typo, bank)
    message = str(err.value)
    assert repr(typo) in message and "did you mean" in message and repr(target) in message
    with pytest.raises(ValueError) as err:
        get_question("qqqqqqqqqqqqqqqqqqqq", bank)
    assert all(q.id in str(err.value) for q in bank)


def test_questions_for_a_concept(bank):
    for concept in CONCEPTS:
        assert questions_for(concept, bank) == [q for q in bank if concept in q.concepts]
    with pytest.raises(ValueError) as err:
        questions_for("prompt_engineering", bank)
    message = str(err.value)
    assert "'prompt_engineering'" in message
    assert all(c in message for c in CONCEPTS)


def test_pick_questions_is_deterministic_distinct_and_varies_with_the_seed(bank):
    for seed in (0, 1, 7, 123):
        for n in (1, 3, len(bank)):
            first = pick_questions(seed, n, bank)
            assert [q.id for q in first] == [q.id for q in pick_questions(seed, n, bank)]
            assert len(first) == n and len({q.id for q in first}) == n
            assert all(q in bank for q in first)
    picks = {tuple(q.id for q in pick_questions(seed, 3, bank)) for seed in range(10)}
    assert len(picks) >= 8
    assert [q.id for q in pick_questions(5, 3)] == [q.id for q in pick_questions(5, 3, bank)]


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"seed": -1}, ["seed", "-1"]),
        ({"seed": 1.5}, ["seed", "1.5"]),
        ({"seed": True}, ["seed", "True"]),
        ({"seed": "3"}, ["seed", "'3'"]),
        ({"n": 0}, ["n must", "got 0"]),
        ({"n": "len+1"}, ["n must", "from 1 to"]),
        ({"n": 2.0}, ["n must", "2.0"]),
        ({"n": True}, ["n must", "True"]),
    ],
)
def test_pick_questions_refuses_bad_arguments(bank, kwargs, words):
    if kwargs.get("n") == "len+1":
        kwargs = {"n": len(bank) + 1}
        words = words + [f"1 to {len(bank)}", f"got {len(bank) + 1}"]
    with pytest.raises(ValueError) as err:
        pick_questions(bank=bank, **kwargs)
    for word in words:
        assert word in str(err.value)


# --------------------------------------------------------------------------------------------
# load_bank on files of your own
# --------------------------------------------------------------------------------------------


def entry(qid: str, **changes):
    data = {
        "id": qid,
        "question": f"What would you do about {qid}?",
        "concepts": ["drift", "monitoring"],
        "minutes": 3,
        "rubric": [
            {"id": "first", "point": "Names the first thing."},
            {"id": "second", "point": "Names the second thing."},
            {"id": "third", "point": "Names the third thing."},
        ],
        "model_answer": "I would look at the inputs first, then at fresh labels.",
        "follow_ups": ["And then?"],
    }
    for key, value in changes.items():
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    return data


def write(tmp_path, data, name="bank.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_a_small_bank_of_your_own_loads(tmp_path):
    path = write(tmp_path, [entry("alpha"), entry("beta", minutes=2.5)])
    loaded = load_bank(path)
    assert [q.id for q in loaded] == ["alpha", "beta"]
    assert loaded[1].minutes == 2.5 and loaded[0].concepts == ("drift", "monitoring")
    assert [p.id for p in loaded[0].rubric] == ["first", "second", "third"]
    assert load_bank(str(path)) == loaded  # a str path works too


def test_kinds_load_and_a_question_without_one_is_technical(tmp_path):
    path = write(tmp_path, [entry("alpha"), entry("beta", kind="behavioural"), entry("gamma", kind="product_sense")])
    assert [q.kind for q in load_bank(path)] == ["technical", "behavioural", "product_sense"]
    assert [q.id for q in pick_questions(0, 1, load_bank(path), kind="behavioural")] == ["beta"]


def test_a_mapping_with_questions_loads(tmp_path):
    path = write(tmp_path, {"questions": [entry("alpha"), entry("beta")]})
    assert [q.id for q in load_bank(path)] == ["alpha", "beta"]


def test_a_file_with_a_byte_order_mark_loads(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + yaml.safe_dump([entry("alpha")]).encode("utf-8"))
    assert [q.id for q in load_bank(path)] == ["alpha"]


MALFORMED = {
    # name: (entries or raw text, words the message must contain besides the file name)
    "missing rubric": ([entry("alpha"), entry("beta", rubric=None)], ["entry 2", "beta", "'rubric'"]),
    "two-point rubric": (
        [entry("alpha"), entry("beta", rubric=[{"id": "a", "point": "A."}, {"id": "b", "point": "B."}])],
        ["entry 2", "beta", "'rubric'", "at least 3"],
    ),
    "duplicate rubric id": (
        [entry("alpha", rubric=[{"id": "a", "point": "A."}, {"id": "b", "point": "B."}, {"id": "a", "point": "C."}])],
        ["entry 1", "alpha", "rubric point ids"],
    ),
    "rubric point without text": (
        [entry("alpha", rubric=[{"id": "a", "point": "A."}, {"id": "b"}, {"id": "c", "point": "C."}])],
        ["entry 1", "alpha", "rubric point 2", "'point'"],
    ),
    "unknown concept": ([entry("alpha"), entry("beta", concepts=["drift", "vibes"])], ["entry 2", "beta", "'vibes'", "concept"]),
    "no concepts": ([entry("alpha", concepts=[])], ["entry 1", "alpha", "'concepts'"]),
    "duplicate question id": ([entry("alpha"), entry("beta"), entry("alpha")], ["'alpha'", "id", "twice"]),
    "minutes 0": ([entry("alpha", minutes=0)], ["entry 1", "alpha", "'minutes'", "got 0"]),
    "minutes as text": ([entry("alpha", minutes="3")], ["entry 1", "alpha", "'minutes'", "got '3'"]),
    "minutes true": ([entry("alpha", minutes=True)], ["entry 1", "alpha", "'minutes'", "got True"]),
    "missing model answer": ([entry("alpha", model_answer=None)], ["entry 1", "alpha", "'model_answer'"]),
    "blank question": ([entry("alpha", question="   ")], ["entry 1", "alpha", "'question'"]),
    "missing id": ([entry("alpha"), entry("x", id=None)], ["entry 2", "'id'"]),
    "follow-ups not a list": ([entry("alpha", follow_ups="And then?")], ["entry 1", "alpha", "'follow_ups'"]),
    "entry not a mapping": ([entry("alpha"), "just a string"], ["entry 2", "mapping", "str"]),
    "mapping without questions": ({"items": [entry("alpha")]}, ["questions"]),
    "empty list": ([], ["questions"]),
    "unknown kind": ([entry("alpha"), entry("beta", kind="story")], ["entry 2", "beta", "'kind'", "'story'", "technical, product_sense, behavioural"]),
    "kind not text": ([entry("alpha", kind=["technical"])], ["entry 1", "alpha", "'kind'", "technical, product_sense, behavioural"]),
    "kind in capitals": ([entry("alpha", kind="Behavioural")], ["entry 1", "alpha", "'kind'", "'Behavioural'"]),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_banks_name_the_file_the_entry_and_the_field(tmp_path, case):
    data, words = MALFORMED[case]
    path = write(tmp_path, data, name="my_bank.yaml")
    with pytest.raises(BankError) as err:
        load_bank(path)
    message = str(err.value)
    assert "my_bank.yaml" in message
    for word in words:
        assert word in message, (word, message)
    assert isinstance(err.value, ValueError)


def test_text_that_is_not_yaml(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("- id: alpha\n  question: [unclosed\n  rubric: {\n", encoding="utf-8")
    with pytest.raises(BankError) as err:
        load_bank(path)
    message = str(err.value)
    assert "broken.yaml" in message and "YAML" in message and "line" in message


def test_a_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(yaml.safe_dump([entry("alpha", model_answer="Caf\u00e9 prices first.")], allow_unicode=True).encode("latin-1"))
    with pytest.raises(BankError) as err:
        load_bank(path)
    message = str(err.value)
    assert "latin1.yaml" in message and "utf-8" in message.lower()


@pytest.mark.parametrize("content", [b"", b"   \n", b"# only a comment\n"])
def test_an_empty_file(tmp_path, content):
    path = tmp_path / "empty.yaml"
    path.write_bytes(content)
    with pytest.raises(BankError) as err:
        load_bank(path)
    message = str(err.value)
    assert "empty.yaml" in message and "questions" in message


def test_a_missing_file(tmp_path):
    with pytest.raises(BankError, match="nowhere.yaml"):
        load_bank(tmp_path / "nowhere.yaml")


def test_minutes_range_in_the_message_is_the_range_enforced(tmp_path):
    with pytest.raises(BankError) as err:
        load_bank(write(tmp_path, [entry("alpha", minutes=0)]))
    low, high = map(float, re.search(r"from (\d+) to (\d+)", str(err.value)).groups())
    below_stated = low / 2  # a value under the stated lower bound, yet above 0
    try:
        load_bank(write(tmp_path, [entry("alpha", minutes=below_stated)], name="half.yaml"))
    except BankError:
        pass  # refused, as the message says
    else:
        pytest.fail(f"minutes={below_stated} loaded although the message says minutes run from {low:g} to {high:g}")


# --------------------------------------------------------------------------------------------
# Exercise 06's written answer (run last: the bank may be mid-edit)
# --------------------------------------------------------------------------------------------

FILLER = (
    "The support team reads each ticket, looks up the policy pages and then writes a reply by hand. "
    "Reading and searching take most of the time, and the replies vary from agent to agent. "
    "A draft that quotes the right policy page would let agents spend their time on the hard cases. "
    "The plan starts with one queue, where the tickets are short and the policies are well written. "
)
NUMBERS_METRIC = "The main measure is the resolution rate, which should rise from 60% to 70% within 3 months, with the cost per ticket under 5 cents. "
WORDS_METRIC = "The main measure is the resolution rate, which should rise from sixty to seventy percent within three months, with the cost per ticket under five cents. "
NUMBERS_NO_METRIC = "Agents should close 70% of tickets on first contact within 3 months, up from 60% today. "
FAILURE = "When the model is wrong, the agent sees a fallback: the ticket goes to a human queue and the error is logged for the next review. "
NO_FAILURE = "When the model is unsure, the agent sees a plain note and reads the ticket in full, as today. "
DECISION = "I would launch it on that one queue first and widen it only if the numbers hold for a month. "
NO_DECISION = "The first version covers one queue, and the numbers are reviewed each week by the team lead. "

GOOD = FILLER + NUMBERS_METRIC + FAILURE + DECISION


@pytest.mark.parametrize(
    "answer, problem",
    [
        (FILLER + WORDS_METRIC + FAILURE + DECISION, "numbers:"),
        (FILLER + NUMBERS_NO_METRIC + FAILURE + DECISION, "metrics:"),
        (FILLER + NUMBERS_METRIC + NO_FAILURE + DECISION, "failure:"),
        (FILLER + NUMBERS_METRIC + FAILURE + NO_DECISION, "decision:"),
        (NUMBERS_METRIC + FAILURE + DECISION, "length:"),
    ],
    ids=["no digits", "no metric words", "no failure words", "no decision", "short"],
)
def test_the_written_answer_checker_names_the_one_problem(answer, problem):
    check = _written_answer_checker()
    assert check(GOOD) == []
    problems = check(answer)
    assert len(problems) == 1 and problems[0].startswith(problem), problems
    if problem == "length:":
        assert f"{len(answer.split())} words" in problems[0] and "80" in problems[0]


def test_the_written_answer_checker_wants_text():
    check = _written_answer_checker()
    with pytest.raises(ValueError, match="int"):
        check(42)
    assert len(check("")) == 5  # every problem at once
    assert _written_answer_checker(min_words=10)(NUMBERS_METRIC + FAILURE + DECISION) == []


def test_every_model_answer_in_the_written_pool_passes_the_checker(bank):
    pool = _written_pool()
    assert pool, "the written-answer pool is empty"
    assert WRITTEN_CONCEPTS <= {c for q in pool for c in q.concepts}
    assert {q.id for q in pool} == {q.id for q in bank if WRITTEN_CONCEPTS & set(q.concepts)}
    check = _written_answer_checker()
    failing = {q.id: check(q.model_answer) for q in pool}
    failing = {qid: problems for qid, problems in failing.items() if problems}
    assert not failing, f"model answers that fail exercise 06's checker: {failing}"
