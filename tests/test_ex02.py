"""Exercise 02's questions: reference answers pass, known wrong answers get the intended
feedback, placeholders are "not attempted", and the numbers follow the parameters."""

import pytest

from aipm_course import thresholds as th
from aipm_course.checking import ___, Outcome
from aipm_course.exercises import load


@pytest.fixture(scope="module")
def ex():
    return load("02", seed=0)


def test_every_question_is_not_attempted_with_the_placeholder(ex):
    assert all(q.check(___).outcome is Outcome.NOT_ATTEMPTED for q in ex.questions)


def test_q1_precision_hand_worked_and_common_slips(ex):
    d = ex.q1.data
    hand = d.prevalence * d.tpr / (d.prevalence * d.tpr + (1 - d.prevalence) * d.fpr)
    assert ex.q1.check(hand).correct
    assert "recall" in ex.q1.check(d.tpr).message
    ignoring_base_rate = ex.q1.check(d.tpr / (d.tpr + d.fpr))
    assert ignoring_base_rate.outcome is Outcome.INCORRECT and "not right yet" not in ignoring_base_rate.message


def test_q2_alerts_and_forgetting_false_alarms(ex):
    d = ex.q2.data
    assert ex.q2.check(round(d.cases_per_day * (d.prevalence * d.tpr + (1 - d.prevalence) * d.fpr))).correct
    assert "false alarms are alerts too" in ex.q2.check(d.cases_per_day * d.prevalence * d.tpr).message


def test_q3_bayes_threshold_and_upside_down(ex):
    c_fp, c_fn = ex.q3.data.cost_fp, ex.q3.data.cost_fn
    assert ex.q3.check(c_fp / (c_fp + c_fn)).correct
    assert "upside down" in ex.q3.check(c_fn / (c_fp + c_fn)).message
    assert "both errors cost the same" in ex.q3.check(0.5).message


def test_q4_expected_cost_function(ex):
    assert ex.q4.check(lambda tp, fp, fn, tn, cfp, cfn: (fp * cfp + fn * cfn) / (tp + fp + fn + tn)).correct
    only_flagged = ex.q4.check(lambda tp, fp, fn, tn, cfp, cfn: (fp * cfp + fn * cfn) / (tp + fp))
    assert only_flagged.outcome is Outcome.INCORRECT


def test_q5_saving_against_a_brute_force_minimum(ex):
    fraud = ex.q5.data.scenario
    table = th.confusion_table(fraud.y_true, fraud.scores)
    costs = [(fp * 5 + fn * 500) / fraud.size for fp, fn in zip(table.fp, table.fn)]
    at_half = th.metrics_at(fraud.y_true, fraud.scores, 0.5)
    saving = ((at_half.fp * 5 + at_half.fn * 500) / fraud.size - min(costs)) * fraud.cases_per_day
    assert ex.q5.check(saving).correct
    assert not ex.q5.check(saving * 2).correct


def test_q6_recall_within_capacity(ex):
    fraud = ex.q5.data.scenario
    result = th.threshold_for_capacity(fraud.y_true, fraud.scores, ex.q6.data.capacity, fraud.cases_per_day)
    assert result.alerts_per_day <= ex.q6.data.capacity
    assert ex.q6.check(result.recall).correct


def test_q7_q8_q9_choices(ex):
    assert ex.q7.check("a").correct and "too high" in ex.q7.check("b").message
    fraud = ex.q5.data.scenario
    best = th.best_threshold(fraud.y_true, fraud.scores, 5, 500, resamples=0)
    recall = th.segment_metrics(fraud.y_true, fraud.scores, fraud.segments, best.threshold)["recall"]
    assert ex.q8.check(recall.idxmin()).correct
    assert not ex.q8.check(recall.idxmax()).correct
    right = {"card_fraud": "false_negative", "cancer_screening": "false_negative", "spam_filter": "false_positive", "cv_auto_reject": "false_positive"}
    assert ex.q9.check(right).correct
    wrong = " ".join(ex.q9.check({**right, "spam_filter": "false_negative"}).details)
    assert "can be undone" in wrong and "real email" not in wrong  # the reason is kept for a right answer


def test_numbers_follow_the_seed():
    seen = {(load("02", seed=s).q1.data.tpr, load("02", seed=s).q3.data.cost_fp, load("02", seed=s).q6.data.capacity) for s in range(8)}
    assert len(seen) > 3
