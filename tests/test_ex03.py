"""Exercise 03's questions: reference answers pass, known wrong answers get the intended feedback."""

import pytest

from aipm_course import uncertainty as u
from aipm_course.checking import ___, Outcome
from aipm_course.exercises import load

BUDGET = {
    "ticket_routing": {"max_error_rate": 0.03, "severity": "high", "owner": "Head of Support", "review_date": "2027-03-31", "fallback": "a human triager routes it"},
    "recommendations": {"max_error_rate": 0.10, "severity": "low", "owner": "Head of Merchandising", "review_date": "2027-06-30", "fallback": "show the best-seller list"},
}


@pytest.fixture(scope="module")
def ex():
    return load("03", seed=0)


def test_placeholders_are_not_attempted(ex):
    assert all(q.check(___).outcome is Outcome.NOT_ATTEMPTED for q in ex.questions)


def test_q1_budget_rules(ex):
    assert ex.q1.check(BUDGET).correct
    looser_routing = {**BUDGET, "ticket_routing": {**BUDGET["ticket_routing"], "max_error_rate": 0.2}}
    assert "stricter" in " ".join(ex.q1.check(looser_routing).details)
    too_loose = {**BUDGET, "recommendations": {**BUDGET["recommendations"], "max_error_rate": 0.2}}
    assert "at most 10%" in " ".join(ex.q1.check(too_loose).details)
    bad = {**BUDGET, "recommendations": {**BUDGET["recommendations"], "severity": "huge"}}
    assert "could not be read" in ex.q1.check(bad).message


def test_numeric_questions_against_the_functions(ex):
    t = ex.data.tickets
    assert ex.q2.check(u.risk_coverage(t.correct, t.confidence).risk_at(ex.q2.data.coverage)).correct
    assert "all tickets" in ex.q2.check(t.error_rate).message
    d = ex.q3.data
    assert ex.q3.check(u.upper_bound(d.errors, d.n)).correct
    assert "point estimate" in ex.q3.check(d.errors / d.n).message
    assert ex.q5.check(u.threshold_for_budget(t.correct, t.confidence, ex.q5.data.budget).coverage).correct
    h = ex.q6.data
    assert ex.q6.check(h.cases_per_day * h.human_share * h.minutes_per_case / (60 * h.productive_hours)).correct
    assert ex.q8.check(u.cases_to_show_budget(ex.q8.data.budget, ex.q8.data.true_rate)).correct
    q = ex.q9.data
    assert ex.q9.check(1000 * (q.coverage_b * q.accuracy_b - q.coverage_a * q.accuracy_a)).correct
    assert "coverage" in ex.q9.check(1000 * (q.accuracy_b - q.accuracy_a)).message
    assert "observed error rate" in ex.q5.check(
        __import__("aipm_course.exercises.ex03", fromlist=["x"])._point_estimate_coverage(t, ex.q5.data.budget)
    ).message


def test_q7_cheapest_pair_that_meets_the_budget(ex):
    t = ex.data.tickets
    results = {k: u.zone_policy(t.correct, t.confidence, c, h, cases_per_day=t.cases_per_day, cost_error_served=t.cost_error_served,
                                cost_error_caveat=t.cost_error_caveat, cost_per_review=t.cost_per_review, minutes_per_review=t.minutes_per_review)
               for k, (c, h) in ex.q7.data.pairs.items()}
    meeting = {k: r.cost_per_day for k, r in results.items() if r.meets(0.05)}
    assert ex.q7.check(min(meeting, key=meeting.get)).correct
    failing = next((k for k, r in results.items() if not r.meets(0.05)), None)
    if failing:
        assert "upper bound" in ex.q7.check(failing).message


def test_q4_choice(ex):
    assert ex.q4.check("a").correct and "how sure" in ex.q4.check("b").message


def test_q1_skeleton_is_not_attempted_and_half_filled_is_explained(ex):
    from aipm_course.exercises.ex03 import BUDGET_SKELETON

    assert ex.q1.check(BUDGET_SKELETON).outcome is Outcome.NOT_ATTEMPTED
    half = {"ticket_routing": BUDGET["ticket_routing"], "recommendations": dict(BUDGET_SKELETON["recommendations"])}
    result = ex.q1.check(half)
    assert result.outcome is Outcome.INCORRECT and "recommendations" in result.message
