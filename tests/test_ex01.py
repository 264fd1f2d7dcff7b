"""Exercise 01's questions: reference answers pass, known wrong answers get the intended feedback,
placeholders are "not attempted", and the numbers follow the parameters."""

import copy

import pytest

from aipm_course import briefs
from aipm_course.checking import ___, Outcome
from aipm_course.exercises import load
from aipm_course.exercises.ex01 import DRAFT_BRIEF, SCENARIOS, broken_feasibility_score, normalised_score


@pytest.fixture
def ex():
    return load("01", seed=0)


def _complete_brief_dict():
    return briefs.brief_to_dict(briefs.load_example("support_triage"))


def test_q1_draft_is_not_attempted_a_complete_brief_passes_and_partial_repairs_are_listed(ex):
    assert ex.q1.check(DRAFT_BRIEF).outcome is Outcome.NOT_ATTEMPTED
    assert ex.q1.check(___).outcome is Outcome.NOT_ATTEMPTED
    assert ex.q1.check(briefs.brief_to_yaml(_complete_brief_dict())).correct
    assert ex.q1.check(_complete_brief_dict()).correct  # a dict works as well as YAML text
    partial = _complete_brief_dict()
    del partial["release"]["kill_switch"]
    result = ex.q1.check(partial)
    assert result.outcome is Outcome.INCORRECT and result.message == "1 problem(s) left."
    assert "kill switch" in result.details[0]


def test_q1_draft_with_one_edit_lists_its_findings(ex):
    edited = DRAFT_BRIEF.replace("Refunds take too long.", "Refunds take three days on average.")
    result = ex.q1.check(edited)
    assert result.outcome is Outcome.INCORRECT
    assert "problem(s) left" in result.message and "more" in result.details[-1]


def test_q1_malformed_yaml_names_the_line(ex):
    result = ex.q1.check("feature: Refund helper\nworkflow:\n  users: [agents\n")
    assert result.outcome is Outcome.INCORRECT and "line" in result.message


def test_q2_scores_and_verdicts(ex):
    a = briefs.feasibility_score(*ex.q2.data.ratings_a)
    b = briefs.feasibility_score(*ex.q2.data.ratings_b)
    right = {"a_score": a.score, "a_verdict": a.verdict, "b_score": b.score, "b_verdict": b.verdict}
    assert ex.q2.check(right).correct
    assert ex.q2.check({**right, "a_score": round(a.score, 1)}).correct
    broken = ex.q2.check({**right, "a_score": broken_feasibility_score(ex.q2.data.ratings_a)})
    assert "divides by 75" in " ".join(broken.details)
    wrong_verdict = {"GREEN": "RED", "YELLOW": "GREEN", "RED": "YELLOW"}[a.verdict]
    assert ex.q2.check({**right, "a_verdict": wrong_verdict}).outcome is Outcome.INCORRECT


def test_q2_hand_worked_score_for_a_known_idea():
    # Email suggestions (5,2,5,1,4,5): 20*5 + 10*(6-2) + 10*5 + 15*(6-1) + 10*(6-4) + 10*5 = 335,
    # (335 - 75) / 300 * 100 = 86.67.
    assert briefs.feasibility_score(5, 2, 5, 1, 4, 5).score == pytest.approx(86.6667, abs=1e-3)


def test_q3_patterns_and_feedback(ex):
    right = {key: answer for key, _, answer, _ in SCENARIOS if key in ex.q3.data.scenarios}
    assert len(right) == 4 and ex.q3.check(right).correct
    key = next(iter(right))
    wrong_answer = "agent" if right[key] != "agent" else "rules"
    result = ex.q3.check({**right, key: wrong_answer})
    assert result.outcome is Outcome.INCORRECT
    expected_feedback = dict((k, fb) for k, _, _, fb in SCENARIOS)[key][wrong_answer]
    assert expected_feedback in " ".join(result.details)
    assert ex.q3.check({}).outcome is Outcome.NOT_ATTEMPTED


def test_q3_every_scenario_feedback_covers_every_wrong_pattern():
    for key, _, answer, feedback in SCENARIOS:
        assert set(feedback) == set(briefs.PATTERN_KEYS) - {answer}, key


def test_q4_requirement_field_by_field(ex):
    data = ex.q4.data
    right = {
        "task": "classify each email into a category",
        "input": "a customer email in English",
        "categories": data.categories,
        "metric": "accuracy",
        "comparison": ">=",
        "threshold": data.threshold,
        "eval_set": "recent emails labelled by senior agents",
        "eval_size": data.eval_size,
    }
    assert ex.q4.check(right).correct
    wrong = {**right, "metric": "precision", "threshold": data.threshold * 100, "task": "be smart"}
    text = " ".join(ex.q4.check(wrong).details)
    assert "every email gets a category" in text and "percentage" in text and "classifies" in text


def test_q5_broken_scorecard_gives_100_to_500():
    assert broken_feasibility_score((1, 5, 1, 5, 5, 1)) == pytest.approx(100)
    assert broken_feasibility_score((5, 1, 5, 1, 1, 5)) == pytest.approx(500)
    ex = load("01")
    assert ex.q5.check({"worst_score": 100, "best_score": 500, "worst_verdict": "GREEN"}).correct
    corrected = ex.q5.check({"worst_score": 0, "best_score": 100, "worst_verdict": "RED"})
    assert "corrected scorecard" in " ".join(corrected.details)


def test_q6_normalisation_function(ex):
    assert ex.q6.check(normalised_score).correct
    assert ex.q6.check(lambda s: (s - 75) / 300 * 100).correct
    published = ex.q6.check(lambda s: s / 75 * 100)
    assert published.outcome is Outcome.INCORRECT
    assert "The worst idea must score 0." in " ".join(published.details)


def test_q7_failure_mode(ex):
    assert ex.q7.check("c").correct
    assert "spend" in ex.q7.check("d").message


def test_numbers_and_scenarios_follow_the_seed():
    variants = {(tuple(load("01", seed=s).q3.data.scenarios), load("01", seed=s).q2.data.name_a) for s in range(10)}
    assert len(variants) > 3
    first, again = load("01", seed=4), load("01", seed=4)
    assert first.q4.data == again.q4.data and first.q2.data.ratings_a == again.q2.data.ratings_a


def test_saving_the_brief_to_the_portfolio_keeps_the_previous_version(tmp_path, monkeypatch):
    monkeypatch.setenv("AIPM_WORK_DIR", str(tmp_path))
    # A draft with findings is not saved, so it can never replace a finished brief.
    report = briefs.save_to_portfolio(DRAFT_BRIEF)
    assert report.startswith("Not saved yet") and "finding(s)" in report
    assert not (tmp_path / "portfolio").exists()
    assert briefs.save_to_portfolio("feature: [oops").startswith("Not saved: the brief cannot be read.")
    complete = _complete_brief_dict()
    assert "passes the validator" in briefs.save_to_portfolio(copy.deepcopy(complete))
    first = (tmp_path / "portfolio" / "01_feature_brief.yaml").read_text()
    changed = copy.deepcopy(complete)
    changed["feature"] = "Support triage copilot, version 2"
    report = briefs.save_to_portfolio(changed)
    assert "previous version is kept" in report
    backups = list((tmp_path / "backups").glob("01_feature_brief.*.yaml"))
    assert len(backups) == 1 and backups[0].read_text() == first
    markdown = (tmp_path / "portfolio" / "01_feature_brief.md").read_text()
    assert markdown.startswith("# AI feature brief: Support triage copilot, version 2")
    assert briefs.load_brief(tmp_path / "portfolio" / "01_feature_brief.yaml") == briefs.brief_from_dict(changed)


def test_choice_answers_written_other_ways_are_understood(ex):
    right = {key: answer for key, _, answer, _ in SCENARIOS if key in ex.q3.data.scenarios}
    loose = {key: value.replace("_", "-").upper() if value != "agent" else "agents" for key, value in right.items()}
    assert ex.q3.check(loose).correct
    assert ex.q7.check("C) Metric disconnect").correct
