"""Exercise 04's questions: answers worked out here by hand pass at the precision the prompt states
(and so do the forms the lesson and `solution()` print), every named slip gets its own feedback,
the answer that ignores each question's concept is wrong for every seed 0-499 in every scenario,
no answer makes a check raise, and `load` never raises and is fast."""

import collections
import math
import re
import time

import pytest
from scipy import stats

from aipm_course.checking import ___, ChoiceQuestion, NumberQuestion, Outcome
from aipm_course.costs import ASSUMPTION_LABELS, BreakEven, break_even_volume, sensitivity
from aipm_course.exercises import ex04, load
from aipm_course.parameters import scenarios
from aipm_course.retrieval import Retriever, abstention_tradeoff, load_corpus

SEEDS = range(500)
SCENARIOS = list(scenarios())
OLD_CRASH_SEEDS = (2, 6, 8, 9, 15, 20, 22, 25)  # raised TypeError before the slips could be dropped


@pytest.fixture(scope="module", autouse=True)
def _quiet(quiet_work_folder):
    """Thousands of checks: keep progress recording off."""


@pytest.fixture(scope="module")
def every_load():
    """Exercise 04 for every seed 0-499 in every scenario, loaded once: (seed, scenario, ex)."""
    return [(seed, name, load("04", seed=seed, scenario=name)) for name in SCENARIOS for seed in SEEDS]


@pytest.fixture(scope="module", params=[0, 3], ids=["seed0", "seed3"])
def ex(request):
    return load("04", seed=request.param)


def _message(question, answer):
    result = question.check(answer)
    assert result.outcome is Outcome.INCORRECT, (question.id, answer, result.message)
    return result.message


def _right(question, answer):
    result = question.check(answer)
    assert result.correct, (question.id, question.parameters, answer, result.message)


def _key_of(question, starts_with):
    """The key of the option whose text starts with these words (options are shuffled per seed)."""
    keys = [key for key, text in question.spec.options.items() if text.startswith(starts_with)]
    assert len(keys) == 1, (question.id, starts_with, question.spec.options)
    return keys[0]


# ---------------------------------------------------------------------------------------------
# By hand: the right answers, from the numbers the question gives
# ---------------------------------------------------------------------------------------------


def q1_by_hand(d):
    return ((d.prompt_tokens + d.retrieved_tokens) * d.price_in + d.output_tokens * d.price_out) / 1_000_000


def q13_by_hand(d, mean=None):
    """Gross margin of a seat plan: 1 - cost x mean questions / price, the mean from scipy's lognormal."""
    mean = stats.lognorm(s=d.sigma, scale=d.median).mean() if mean is None else mean
    return 1 - d.cost_per_use * mean / d.price


def q14_by_hand(d):
    """The share of seats above price / cost questions a month, from scipy's lognormal."""
    return stats.lognorm(s=d.sigma, scale=d.median).sf(d.price / d.cost_per_use)


def q3_by_hand(d, retrains=3, monthly=True, days=360):
    """Queries a day at which RAG and fine-tuning cost the same, or None when the lines never cross."""
    rag_fixed = d.rag_setup + (12 * d.rag_monthly if monthly else 0)
    ft_fixed = d.ft_setup + retrains * d.retrain_cost + (12 * d.ft_monthly if monthly else 0)
    if ft_fixed <= rag_fixed:
        return None  # fine-tuning is cheaper per query and no dearer to start: never a crossing
    return (ft_fixed - rag_fixed) / (d.rag_per_query - d.ft_per_query) / days


_RECALL = {}


def recall_by_hand(k):
    """Recall at k by an own loop: the share of each answerable question's documents in its top k, averaged."""
    if k not in _RECALL:
        corpus = load_corpus()
        retriever = Retriever(corpus)
        found = [len({hit.doc_id for hit in retriever.search(q.text, k=k)} & set(q.relevant)) / len(q.relevant) for q in corpus.questions if q.relevant]
        _RECALL[k] = sum(found) / len(found)
    return _RECALL[k]


_SCAN = {}


def declines_by_own_scan(limit):
    """(threshold, declined share, declined-answerable share) at the lowest threshold whose wrong share is within the limit."""
    if limit not in _SCAN:
        corpus = load_corpus()
        t = abstention_tradeoff(Retriever(corpus), corpus)
        i = next(i for i in sorted(range(len(t.thresholds)), key=lambda i: t.thresholds[i]) if t.wrong[i] <= limit + 1e-12)
        assert t.wrong[i - 1] > limit  # one step lower, too many answers are wrong
        _SCAN[limit] = (float(t.thresholds[i]), float(t.declined_answerable[i] + t.declined_rightly[i]), float(t.declined_answerable[i]))
    return _SCAN[limit]


_FLIPS = {}


def flips(inputs):
    if inputs not in _FLIPS:
        _FLIPS[inputs] = [r for r in sensitivity(inputs) if r.flip_factor is not None]
    return _FLIPS[inputs]


# ---------------------------------------------------------------------------------------------
# The issue's regressions
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_old_crash_seeds_load_and_the_uncomputable_slip_is_dropped(scenario):
    for seed in OLD_CRASH_SEEDS:
        ex = load("04", seed=seed, scenario=scenario)
        for spec in (q.spec for q in ex.questions if isinstance(q, NumberQuestion)):
            assert all(isinstance(m.value, float) and math.isfinite(m.value) for m in spec.mistakes)


def test_a_break_even_without_retrains_that_never_comes_is_dropped_not_a_crash(every_load):
    found = 0
    for seed, scenario, ex in every_load[:500]:
        q3 = ex.q3
        if q3_by_hand(q3.data, retrains=0) is None:
            found += 1
            assert not any("retrains are a fixed cost" in m.feedback for m in q3.spec.mistakes)
            assert len(q3.spec.mistakes) >= 3
    assert found  # the case the issue reported does occur


def test_load_is_fast_once_the_seed_independent_work_is_cached():
    load("04", seed=0)
    start = time.perf_counter()
    for seed in range(40):
        load("04", seed=seed, scenario=SCENARIOS[seed % len(SCENARIOS)])
    per_load = (time.perf_counter() - start) / 40
    assert per_load < 0.1, f"{per_load * 1000:.0f} ms a load"  # was 360 ms; about 15 ms here (10 of them reading scenario files)


def test_lesson_printed_forms_are_accepted():
    """The lesson prints recall at k and the decline shares to three decimals and costs per query
    to four; the issue's cases: 0.885 for a recall of 0.8846, and the cache cost to four decimals."""
    at_five = next(load("04", seed=s) for s in range(50) if load("04", seed=s).q9.data.k == 5)
    _right(at_five.q9, 0.885)
    _right(at_five.q9, 0.8846)
    assert "not right yet" in _message(at_five.q9, 0.89)


def test_the_cached_price_table_cannot_be_changed_through_a_question_set():
    ex = load("04")
    ex.data.prices.clear()
    assert load("04").data.prices and ex04._prices()


# ---------------------------------------------------------------------------------------------
# Every seed, every scenario: right answers pass, the answer that ignores the concept fails
# ---------------------------------------------------------------------------------------------


def test_number_answers_by_hand_and_their_printed_forms_pass_for_every_seed(every_load):
    for seed, scenario, ex in every_load:
        where = (seed, scenario)
        d1, d2, d3, d5, d6, d7, d8 = (getattr(ex, q).data for q in ("q1", "q2", "q3", "q5", "q6", "q7", "q8"))
        answers = {
            "q1": q1_by_hand(d1),
            "q2": d2.queries_per_day * d2.cost_per_query * 30,
            "q3": q3_by_hand(d3),
            "q5": d5.total_cost / (d5.tasks * d5.success_rate),
            "q6": d6.hit_rate * d6.cost_on_hit + (1 - d6.hit_rate) * d6.per_query,
            "q7": d7.first_tier + d7.escalation_rate * d7.second_tier,
            "q8": d8.saving - (d8.ft_weeks - d8.rag_weeks) * d8.value_per_week,
            "q9": recall_by_hand(ex.q9.data.k),
            "q10": declines_by_own_scan(ex.q10.data.max_wrong)[1],
            "q13": q13_by_hand(ex.q13.data),
            "q14": q14_by_hand(ex.q14.data),
        }
        assert answers["q3"] is not None and answers["q3"] > 0, where  # the lines always cross
        for qid, answer in answers.items():
            q = getattr(ex, qid)
            assert "three significant figures" in q.prompt, (where, qid)
            assert math.isclose(q.spec.expected, answer, rel_tol=1e-9), (where, qid, q.spec.expected, answer)
            _right(q, answer)
            _right(q, float(f"{answer:.3g}"))  # three significant figures, as the prompt asks
        for qid in ("q1", "q5", "q6", "q7"):  # the lesson prints these costs to four decimals: exact here
            _right(getattr(ex, qid), float(f"{answers[qid]:.4f}"))
        _right(ex.q3, float(round(answers["q3"])))  # BreakEven prints the daily volume as a whole number
        for qid in ("q9", "q10"):  # the lesson prints these shares to three decimals
            _right(getattr(ex, qid), round(answers[qid], 3))
        assert 0.4 < answers["q13"] < 0.96 and 0.01 < answers["q14"] < 0.45, where  # margins and shares worth asking about


def test_the_answer_that_ignores_the_concept_is_wrong_for_every_seed(every_load):
    for seed, scenario, ex in every_load:
        d1, d2, d3, d5, d6, d7, d8 = (getattr(ex, q).data for q in ("q1", "q2", "q3", "q5", "q6", "q7", "q8"))
        # q1 ignores the retrieved tokens; q2 gives the day's spend; q5 the cost per task, ignoring failures
        assert "retrieved passages" in _message(ex.q1, (d1.prompt_tokens * d1.price_in + d1.output_tokens * d1.price_out) / 1e6)
        assert "daily spend" in _message(ex.q2, d2.queries_per_day * d2.cost_per_query)
        assert "cost per task" in _message(ex.q5, d5.total_cost / d5.tasks)
        # q3 leaves out the monthly costs, or the retrains (when that crossing exists at all)
        assert "monthly costs" in _message(ex.q3, q3_by_hand(d3, monthly=False))
        no_retrains = q3_by_hand(d3, retrains=0)
        if no_retrains is not None:
            assert "retrains" in _message(ex.q3, no_retrains)
        # q6 ignores the cache, or what a hit costs; q7 ignores that handed-on queries pay both models
        assert not ex.q6.check(d6.per_query).correct
        assert "not free" in _message(ex.q6, (1 - d6.hit_rate) * d6.per_query)
        assert "pay for both" in _message(ex.q7, (1 - d7.escalation_rate) * d7.first_tier + d7.escalation_rate * d7.second_tier)
        # q8 ignores the weeks lost
        assert "leaves out the weeks lost" in _message(ex.q8, d8.saving)
        # q9 averages over the questions no document answers too; q10 counts only part of the declines
        corpus = ex.data.corpus
        everything = recall_by_hand(ex.q9.data.k) * len(corpus.answerable) / len(corpus.questions)
        assert "all 48 questions" in _message(ex.q9, everything)
        assert "Count every" in _message(ex.q10, declines_by_own_scan(ex.q10.data.max_wrong)[2])
        # q4 takes fixed gap / per-query gap without asking which way the gap goes; q12 trusts the rule
        naive = (ex.q4.data.custom_fixed - ex.q4.data.hosted_fixed) / (ex.q4.data.custom_per_query - ex.q4.data.hosted_per_query)
        assert "which way" in _message(ex.q4, _key_of(ex.q4, f"Above {naive:,.0f} queries a year"))
        assert ex.q4.check(_key_of(ex.q4, "Never")).correct
        assert "typical numbers" in _message(ex.q12, _key_of(ex.q12, "Never"))
        assert ex.q12.check(_key_of(ex.q12, "When it lets a much smaller model")).correct
        # q13 prices the median seat, ignoring the heavy tail; q14 says no seat loses money because the average one does not
        d13, d14 = ex.q13.data, ex.q14.data
        assert "heavy users pull the mean above the median" in _message(ex.q13, q13_by_hand(d13, mean=d13.median))
        average_pays = d14.cost_per_use * stats.lognorm(s=d14.sigma, scale=d14.median).mean() < d14.price
        assert "a lognormal always has seats above and below that" in _message(ex.q14, 0.0 if average_pays else 1.0)


def test_q11_the_longest_tornado_bar_is_not_the_smallest_move_for_any_seed(every_load):
    answers = collections.Counter()
    for seed, scenario, ex in every_load:
        rows = flips(ex.data.inputs)
        smallest = min(rows, key=lambda r: abs(r.flip_factor - 1))
        biggest_swing = max(rows, key=lambda r: abs(r.margin_at_high - r.margin_at_low))
        assert smallest.name != biggest_swing.name
        assert ex.q11.check(smallest.name).correct and ex.q11.check(ASSUMPTION_LABELS[smallest.name]).correct
        assert "longest bar" in _message(ex.q11, biggest_swing.name)
        answers[smallest.name] += 1
    assert len(answers) >= 3, answers  # the answer itself changes with the seed, not only its place


def test_choice_keys_move_and_the_right_option_is_not_the_longest(every_load):
    places = collections.defaultdict(collections.Counter)
    longest = collections.Counter()
    for seed, scenario, ex in every_load[:600]:
        for q in (q for q in ex.questions if isinstance(q, ChoiceQuestion)):
            keys = list(q.spec.options)
            places[q.id][keys.index(q.spec.correct)] += 1
            right = len(q.spec.options[q.spec.correct])
            longest[q.id] += all(right > len(text) for key, text in q.spec.options.items() if key != q.spec.correct)
    for qid, counts in places.items():
        assert len(counts) == len(getattr(load("04"), qid).spec.options), (qid, counts)
        assert max(counts.values()) <= 0.4 * sum(counts.values()), (qid, counts)
        assert longest[qid] <= sum(counts.values()) / len(counts), (qid, longest[qid])


# ---------------------------------------------------------------------------------------------
# Named slips: each has its own feedback (hand-computed wrong answers, two seeds)
# ---------------------------------------------------------------------------------------------


def test_fourteen_questions_and_placeholders_are_not_attempted(ex):
    assert [q.id for q in ex.questions] == [f"q{i}" for i in range(1, 15)]
    for q in ex.questions:
        assert q.check(___).outcome is Outcome.NOT_ATTEMPTED
        assert q.check().outcome is Outcome.NOT_ATTEMPTED
        assert q.check(None).outcome is Outcome.NOT_ATTEMPTED
        assert q.module == "04" and q.parameters["seed"] == ex.parameters["seed"]


def test_q1_tokens_to_money_slips(ex):
    d = ex.q1.data
    right = q1_by_hand(d)
    sent = d.prompt_tokens + d.retrieved_tokens
    assert "wrong way round" in _message(ex.q1, (sent * d.price_out + d.output_tokens * d.price_in) / 1e6)
    assert "own, higher price" in _message(ex.q1, (sent + d.output_tokens) * d.price_in / 1e6)
    assert "writes back cost money" in _message(ex.q1, sent * d.price_in / 1e6)
    assert "per million tokens, not per thousand" in _message(ex.q1, right * 1e3)
    assert "divide by 1,000,000" in _message(ex.q1, right * 1e6)
    assert "cents" in _message(ex.q1, right * 100)
    assert "times too big" in _message(ex.q1, right * 10)
    assert "sign" in _message(ex.q1, -right)


def test_q2_monthly_spend_slips(ex):
    daily = ex.q2.data.queries_per_day * ex.q2.data.cost_per_query
    assert "year" in _message(ex.q2, daily * 360)
    assert "365/12" in _message(ex.q2, daily * 365 / 12)
    assert "31-day" in _message(ex.q2, daily * 31)
    assert "week" in _message(ex.q2, daily * 7)


def test_q3_break_even_slips(ex):
    d = ex.q3.data
    right = q3_by_hand(d)
    assert "whole horizon" in _message(ex.q3, right * 360)
    assert "per month" in _message(ex.q3, right * 30)
    assert "four retrains" in _message(ex.q3, q3_by_hand(d, retrains=4))
    if any("365 days" in m.feedback for m in ex.q3.spec.mistakes):  # dropped where it rounds like the answer
        assert "365 days" in _message(ex.q3, right * 360 / 365)
    twice = ((d.ft_setup + 3 * d.retrain_cost + 24 * d.ft_monthly) - (d.rag_setup + 24 * d.rag_monthly)) / (d.rag_per_query - d.ft_per_query) / 360
    assert "counted twice" in _message(ex.q3, twice)
    # the result object itself is not a number: the learner is told to take one from it
    crossing = break_even_volume(d.rag_setup, d.rag_per_query, d.ft_setup + 3 * d.retrain_cost, d.ft_per_query, d.rag_monthly, d.ft_monthly, 12)
    message = _message(ex.q3, crossing)
    assert ".volume" in message and "result object" in message
    _right(ex.q3, crossing.per_day)


def test_q5_to_q8_slips(ex):
    d5 = ex.q5.data
    assert "Multiplying" in _message(ex.q5, d5.total_cost * d5.success_rate / d5.tasks)
    assert "not resolved" in _message(ex.q5, d5.total_cost / (d5.tasks * (1 - d5.success_rate)))
    assert "as a share" in _message(ex.q5, d5.total_cost / (d5.tasks * d5.success_rate * 100))

    d6 = ex.q6.data
    right6 = d6.hit_rate * d6.cost_on_hit + (1 - d6.hit_rate) * d6.per_query
    assert "swapped" in _message(ex.q6, d6.hit_rate * d6.per_query + (1 - d6.hit_rate) * d6.cost_on_hit)
    assert "weight it by the hit rate" in _message(ex.q6, (1 - d6.hit_rate) * d6.per_query + d6.cost_on_hit)
    assert "saving per query" in _message(ex.q6, d6.per_query - right6)

    d7 = ex.q7.data
    assert f"Only {d7.escalation_rate:.0%}" in _message(ex.q7, d7.first_tier + d7.second_tier)
    assert "swapped" in _message(ex.q7, d7.second_tier + d7.escalation_rate * d7.first_tier)
    assert "add its cost" in _message(ex.q7, d7.escalation_rate * d7.second_tier)

    d8 = ex.q8.data
    delay = (d8.ft_weeks - d8.rag_weeks) * d8.value_per_week
    assert "Both options take time" in _message(ex.q8, d8.saving - d8.ft_weeks * d8.value_per_week)
    assert "subtract their value" in _message(ex.q8, d8.saving + delay)
    assert "Start from what fine-tuning saves" in _message(ex.q8, -delay)
    assert "delay alone" in _message(ex.q8, delay)


def test_q13_and_q14_slips(ex):
    d = ex.q13.data
    mean = d.median * math.exp(d.sigma**2 / 2)
    assert "1 minus that" in _message(ex.q13, d.cost_per_use * mean / d.price)
    assert "markup" in _message(ex.q13, (d.price - d.cost_per_use * mean) / (d.cost_per_use * mean))
    assert "exp(sigma²/2)" in _message(ex.q13, q13_by_hand(d, mean=d.median * math.exp(d.sigma**2)))
    assert "percentage" in _message(ex.q13, q13_by_hand(d) * 100)

    d = ex.q14.data
    z = math.log(d.price / d.cost_per_use / d.median) / d.sigma
    right = q14_by_hand(d)
    assert right == pytest.approx(stats.norm.sf(z), rel=1e-12)
    assert "pay their way" in _message(ex.q14, 1 - right)
    if d.sigma != 1:
        assert "Divide by sigma" in _message(ex.q14, stats.norm.sf(z * d.sigma))
    assert "base-10" in _message(ex.q14, stats.norm.sf(math.log10(d.price / d.cost_per_use / d.median) / d.sigma))
    treated_as_mean = d.median * math.exp(-d.sigma**2 / 2)
    assert "treats the median as the mean" in _message(ex.q14, stats.lognorm(s=d.sigma, scale=treated_as_mean).sf(d.price / d.cost_per_use))
    assert "percentage" in _message(ex.q14, right * 100)


def test_the_seat_questions_agree_with_a_seeded_simulation():
    """The closed forms behind q13 and q14 against 400,000 simulated seats (seeded)."""
    import numpy as np

    for seed in (0, 3, 7):
        ex = load("04", seed=seed)
        d = ex.q14.data
        uses = np.random.default_rng(seed).lognormal(math.log(d.median), d.sigma, 400_000)
        share = float((uses * d.cost_per_use > d.price).mean())
        assert share == pytest.approx(ex.q14.spec.expected, abs=4 * math.sqrt(share * (1 - share) / uses.size))
        d = ex.q13.data
        uses = np.random.default_rng(seed).lognormal(math.log(d.median), d.sigma, 400_000)
        margin = 1 - d.cost_per_use * uses.mean() / d.price
        assert margin == pytest.approx(ex.q13.spec.expected, abs=4 * d.cost_per_use * uses.std() / math.sqrt(uses.size) / d.price)


def test_q10_hint_code_runs_as_written(ex):
    """Regression: hint 2 named the shares like attributes; `t.at()` returns a dict, so it now indexes it."""
    t = abstention_tradeoff(Retriever(ex.data.corpus), ex.data.corpus)
    threshold = t.lowest_threshold_for(ex.q10.data.max_wrong)
    code = re.findall(r"`([^`]+)`", str(ex.q10.hint(2)))
    names = {"t": t, "threshold": threshold}
    exec(code[0], names)
    assert ex.q10.check(eval(code[1], names)).correct


def test_q9_and_q10_slips(ex):
    k = ex.q9.data.k
    for other in (1, 2, 3, 5, 10):
        if other != k and not math.isclose(recall_by_hand(other), recall_by_hand(k)):
            assert f"k = {other}" in _message(ex.q9, recall_by_hand(other))
    assert "percentage" in _message(ex.q9, recall_by_hand(k) * 100)
    assert "percentage" in _message(ex.q9, round(recall_by_hand(k) * 100, 1))  # 88.5 typed for 0.885

    limit = ex.q10.data.max_wrong
    threshold, declined, _ = declines_by_own_scan(limit)
    assert "threshold itself" in _message(ex.q10, threshold)
    assert "share answered" in _message(ex.q10, 1 - declined)
    assert "percentage" in _message(ex.q10, declined * 100)


def test_q11_wrong_options_say_how_far_they_must_move(ex):
    rows = flips(ex.data.inputs)
    best = min(rows, key=lambda r: r.move)
    right = ex.q11.check(best.name)
    assert right.message.startswith("Right: ") and f"{best.move:.0%} move" in right.message
    for key in ex.q11.spec.options:
        if key != best.name:
            row = next(r for r in rows if r.name == key)
            assert f"{row.move:.0%} move" in _message(ex.q11, key)
    assert "not one of the options" in _message(ex.q11, "weather")


def test_choices_explain_the_right_answer_and_each_wrong_one(ex):
    for q in (ex.q4, ex.q11, ex.q12):
        right = q.check(q.spec.correct)
        assert right.correct and right.message.startswith("Right: ") and len(right.message) > 40
        wrong = [_message(q, key) for key in q.spec.options if key != q.spec.correct]
        assert len(set(wrong)) == len(wrong)
        assert q.check(q.spec.options[q.spec.correct]).correct  # the option's text works too
        assert q.check(f" {q.spec.correct.upper()} ").correct
    assert "not one of the options" in _message(ex.q4, "e")


def test_solutions_print_a_value_that_passes(ex):
    for q in ex.questions:
        if isinstance(q, NumberQuestion):
            text = str(q.solution())
            assert q.spec.precision.format(q.spec.expected) in text, (q.id, text)
            _right(q, float(q.spec.precision.format(q.spec.expected).replace(",", "")))


def test_hints_come_in_pairs_and_render(ex):
    for q in ex.questions:
        assert len(q.hints) == 2, q.id
        assert str(q.solution()).strip()
        assert str(q.hint(1)).strip() and str(q.hint(99)).strip()


def test_the_notebook_api_is_kept(ex):
    assert ex.data.corpus.questions and ex.data.inputs.queries_per_day > 0 and ex.data.prices
    assert {"prompt_tokens", "retrieved_tokens", "output_tokens", "price_in", "price_out"} <= set(vars(ex.q1.data))
    assert ex.q9.data.k in (2, 3, 5) and 0 < ex.q10.data.max_wrong < 1


# ---------------------------------------------------------------------------------------------
# A check never raises
# ---------------------------------------------------------------------------------------------


def _a_function(x):
    return x


ODD_ANSWERS = [None, "abc", [1, 2], float("nan"), float("inf"), _a_function, {"a": 1}, (1, 2), True, b"a", object(), "12%", "0,5"]


@pytest.mark.parametrize("answer", ODD_ANSWERS, ids=lambda a: type(a).__name__)
def test_odd_answers_never_raise(ex, answer):
    for q in ex.questions:
        result = q.check(answer)
        assert not result.correct
        assert isinstance(result.message, str) and result.message
        if answer is None:
            assert result.outcome is Outcome.NOT_ATTEMPTED
        else:
            assert result.outcome is Outcome.INCORRECT, (q.id, answer)


def test_a_break_even_object_tells_the_learner_to_take_a_number(ex):
    crossing = break_even_volume(10_000, 0.01, 30_000, 0.002)
    assert isinstance(crossing, BreakEven)
    for q in ex.questions:
        result = q.check(crossing)
        assert result.outcome is Outcome.INCORRECT
        assert ".volume" in result.message or "result object" in result.message, (q.id, result.message)
    never = break_even_volume(30_000, 0.02, 10_000, 0.01)
    assert never.never
    for q in ex.questions:
        assert q.check(never).outcome is Outcome.INCORRECT
