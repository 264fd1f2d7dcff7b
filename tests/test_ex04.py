"""Exercise 04's questions: reference answers worked out here by hand pass, known wrong answers get
the intended feedback, and no answer makes a check raise."""

import math

import pytest

from aipm_course.checking import ___, Outcome
from aipm_course.costs import ASSUMPTION_LABELS, BreakEven, break_even_volume, compare, sensitivity
from aipm_course.exercises import load
from aipm_course.retrieval import Retriever, abstention_tradeoff, recall_at_k


@pytest.fixture(autouse=True)
def _no_progress_record(monkeypatch):
    """Checks here need not write the learner's progress file (the suite's work folder is a throwaway)."""
    monkeypatch.setenv("AIPM_PROGRESS", "0")


@pytest.fixture(scope="module", params=[0, 3], ids=["seed0", "seed3"])
def ex(request):
    return load("04", seed=request.param)


def _message(question, answer):
    result = question.check(answer)
    assert result.outcome is Outcome.INCORRECT, (question.id, answer, result.message)
    return result.message


def test_twelve_questions_and_placeholders_are_not_attempted(ex):
    assert [q.id for q in ex.questions] == [f"q{i}" for i in range(1, 13)]
    for q in ex.questions:
        assert q.check(___).outcome is Outcome.NOT_ATTEMPTED
        assert q.check().outcome is Outcome.NOT_ATTEMPTED
        assert q.module == "04" and q.parameters["seed"] == ex.parameters["seed"]


def test_q1_tokens_to_money(ex):
    d = ex.q1.data
    answer = (d.prompt_tokens + d.retrieved_tokens) * d.price_in / 1e6 + d.output_tokens * d.price_out / 1e6
    assert ex.q1.check(answer).correct
    assert ex.q1.check(answer * 1.0005).correct  # within the 1e-3 tolerance
    assert "million" in _message(ex.q1, answer * 1e6)
    assert "thousand" in _message(ex.q1, answer * 1e3)
    assert "retrieved" in _message(ex.q1, (d.prompt_tokens * d.price_in + d.output_tokens * d.price_out) / 1e6)
    assert "wrong way round" in _message(ex.q1, ((d.prompt_tokens + d.retrieved_tokens) * d.price_out + d.output_tokens * d.price_in) / 1e6)
    assert "own, higher price" in _message(ex.q1, (d.prompt_tokens + d.retrieved_tokens + d.output_tokens) * d.price_in / 1e6)
    assert "sign" in _message(ex.q1, -answer)


def test_q2_monthly_spend(ex):
    d = ex.q2.data
    assert ex.q2.check(d.queries_per_day * d.cost_per_query * 30).correct
    assert "daily spend" in _message(ex.q2, d.queries_per_day * d.cost_per_query)
    assert "365/12" in _message(ex.q2, d.queries_per_day * d.cost_per_query * 365 / 12)
    assert "30 days" in _message(ex.q2, d.queries_per_day * d.cost_per_query * 31)


def test_q3_break_even_by_hand(ex):
    d = ex.q3.data
    assert d.months == 12 and d.retrains == 3
    rag_fixed = d.rag_setup + 12 * d.rag_monthly
    ft_fixed = d.ft_setup + 12 * d.ft_monthly + 3 * d.retrain_cost
    # RAG: rag_fixed + v * rag_per_query; fine-tuned: ft_fixed + v * ft_per_query; equal at v:
    volume = (ft_fixed - rag_fixed) / (d.rag_per_query - d.ft_per_query)
    assert volume > 0
    per_day = volume / (12 * 30)
    assert ex.q3.check(per_day).correct
    assert "whole horizon" in _message(ex.q3, volume)
    no_retrains = (d.ft_setup + 12 * d.ft_monthly - rag_fixed) / (d.rag_per_query - d.ft_per_query) / 360
    assert "retrains" in _message(ex.q3, no_retrains)
    no_monthly = (d.ft_setup + 3 * d.retrain_cost - d.rag_setup) / (d.rag_per_query - d.ft_per_query) / 360
    assert "monthly costs" in _message(ex.q3, no_monthly)
    # the result object itself is not a number: the learner is told to take one from it
    crossing = break_even_volume(rag_fixed, d.rag_per_query, ft_fixed, d.ft_per_query)
    message = _message(ex.q3, crossing)
    assert ".volume" in message and "result object" in message
    assert ex.q3.check(crossing.volume / 360).correct


def test_q5_to_q8_by_hand(ex):
    d5 = ex.q5.data
    assert ex.q5.check(d5.total_cost / (d5.tasks * d5.success_rate)).correct
    assert "cost per task" in _message(ex.q5, d5.total_cost / d5.tasks)
    assert "Multiplying" in _message(ex.q5, d5.total_cost * d5.success_rate / d5.tasks)

    d6 = ex.q6.data
    assert ex.q6.check(d6.hit_rate * d6.cost_on_hit + (1 - d6.hit_rate) * d6.per_query).correct
    assert "swapped" in _message(ex.q6, d6.hit_rate * d6.per_query + (1 - d6.hit_rate) * d6.cost_on_hit)
    assert "not free" in _message(ex.q6, (1 - d6.hit_rate) * d6.per_query)

    d7 = ex.q7.data
    assert ex.q7.check(d7.first_tier + d7.escalation_rate * d7.second_tier).correct
    forgot = (1 - d7.escalation_rate) * d7.first_tier + d7.escalation_rate * d7.second_tier
    assert "pay for both" in _message(ex.q7, forgot)
    assert f"Only {d7.escalation_rate:.0%}" in _message(ex.q7, d7.first_tier + d7.second_tier)

    d8 = ex.q8.data
    net = d8.saving - (d8.ft_weeks - d8.rag_weeks) * d8.value_per_week
    assert ex.q8.check(net).correct
    assert ex.q8.check(net + 0.9).correct  # abs_tol of one dollar
    assert "leaves out" in _message(ex.q8, d8.saving)
    assert "Both options take time" in _message(ex.q8, d8.saving - d8.ft_weeks * d8.value_per_week)
    assert "Start from what fine-tuning saves" in _message(ex.q8, -(d8.ft_weeks - d8.rag_weeks) * d8.value_per_week)


def test_q4_and_q12_choices(ex):
    assert ex.q4.check("a").correct and ex.q4.check(" A ").correct and ex.q4.check("a)").correct
    assert "Does it?" in _message(ex.q4, "b")
    assert "rule of thumb" in _message(ex.q4, "c")
    assert "not one of the options" in _message(ex.q4, "e")
    assert ex.q12.check("a").correct
    assert "Frequent changes favour RAG" in _message(ex.q12, "b")
    assert "Citations" in _message(ex.q12, "c")


def test_q9_recall_at_k(ex):
    corpus = ex.data.corpus
    k = ex.q9.data.k
    retriever = Retriever(corpus)
    answer = recall_at_k(retriever, corpus, k)
    assert 0 < answer <= 1
    assert ex.q9.check(answer).correct
    at_one = recall_at_k(retriever, corpus, 1)
    if not math.isclose(at_one, answer):
        assert "k = 1" in _message(ex.q9, at_one)
    assert "percentage" in _message(ex.q9, answer * 100)
    # other settings give other answers, which are not accepted
    current = recall_at_k(Retriever(corpus, current_only=True), corpus, k)
    if not math.isclose(current, answer, rel_tol=1e-6):
        assert not ex.q9.check(current).correct


def test_q10_declines_by_an_own_scan(ex):
    corpus = ex.data.corpus
    limit = ex.q10.data.max_wrong
    t = abstention_tradeoff(Retriever(corpus), corpus)
    chosen = None
    for i in sorted(range(len(t.thresholds)), key=lambda i: t.thresholds[i]):
        if t.wrong[i] <= limit + 1e-12:
            chosen = i
            break
    assert chosen is not None and t.thresholds[chosen] > 0
    declined = t.declined_answerable[chosen] + t.declined_rightly[chosen]
    assert 0 < declined < 1
    assert ex.q10.check(float(declined)).correct
    # at the threshold one step lower, too many answers are wrong
    assert t.wrong[chosen - 1] > limit
    if not math.isclose(t.declined_answerable[chosen], declined):
        assert "Count every" in _message(ex.q10, float(t.declined_answerable[chosen]))
    if not math.isclose(t.wrong[chosen], declined):
        assert "answered wrongly" in _message(ex.q10, float(t.wrong[chosen]))
    if not math.isclose(t.thresholds[chosen], declined, rel_tol=1e-6):
        assert "threshold itself" in _message(ex.q10, float(t.thresholds[chosen]))


def test_q11_assumption_closest_to_flipping(ex):
    inputs = ex.data.inputs
    rows = [r for r in sensitivity(inputs) if r.flip_factor is not None]
    assert rows
    best = min(rows, key=lambda r: abs(r.flip_factor - 1))  # the smallest move as a share of the value
    assert ex.q11.check(best.name).correct
    assert ex.q11.check(ASSUMPTION_LABELS[best.name]).correct
    assert ex.q11.check(ASSUMPTION_LABELS[best.name].upper()).correct
    # the flip is real: a little beyond the flip value the cheaper option (delay included) changes
    def margin(i):
        r = compare(i)
        return r.totals["fine_tuned"] + r.delay["fine_tuned"] - r.totals["rag"] - r.delay["rag"]

    beyond = best.flip_value * (1.01 if best.flip_factor > 1 else 0.99)
    assert (margin(inputs) > 0) != (margin(inputs.with_(**{best.name: beyond})) > 0)
    for other in rows:
        if other.name != best.name and other.name in ex.q11.spec.options:
            assert abs(other.flip_factor - 1) >= abs(best.flip_factor - 1)
            assert "smaller one" in _message(ex.q11, other.name)
    assert "not one of the options" in _message(ex.q11, "weather")


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


def test_solutions_and_hints_render(ex):
    for q in ex.questions:
        assert str(q.solution()).strip()
        assert str(q.hint(1)).strip() and str(q.hint(99)).strip()
