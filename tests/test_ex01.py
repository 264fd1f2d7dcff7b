"""Exercise 01's questions: hand-worked answers pass at the precision the prompt states, each named
slip gets its own feedback, the answer that ignores the concept fails for every seed 0-499 in every
scenario, placeholders are "not attempted", choices move, and the notebooks keep their template fixes."""

import copy
import json
import re
import time
from pathlib import Path

import pytest

from aipm_course import briefs
from aipm_course.checking import ___, Outcome
from aipm_course.exercises import load
from aipm_course.exercises.ex01 import DRAFT_BRIEF, IDEAS, KNOCKOUT_IDEAS, SCENARIOS, broken_feasibility_score, normalised_score
from aipm_course.parameters import scenarios

ROOT = Path(__file__).resolve().parents[1]
SEEDS = range(500)
SCENARIO_NAMES = list(scenarios())

pytestmark = pytest.mark.usefixtures("quiet_work_folder")

# The scorecard worked by hand, independently of the package: weights and which ratings are inverted.
WEIGHTS = (20, 10, 10, 15, 10, 10)
INVERTED = (False, True, False, True, True, False)


def hand_score(ratings, invert=True):
    weighted = sum(w * ((6 - r) if (inv and invert) else r) for w, r, inv in zip(WEIGHTS, ratings, INVERTED))
    return (weighted - 75) / 300 * 100


def hand_verdict(score):
    return "GREEN" if score >= 70 else "YELLOW" if score >= 50 else "RED"


def hand_final_verdict(ratings):
    """The verdict with the knock-out rule by hand: data availability 1 or failure impact 5 is RED."""
    return "RED" if ratings[0] == 1 or ratings[3] == 5 else hand_verdict(hand_score(ratings))


@pytest.fixture
def ex():
    return load("01", seed=0)


def _complete_brief_dict():
    return briefs.brief_to_dict(briefs.load_example("support_triage"))


def _key(question, fragment):
    """The letter of the option whose text contains ``fragment`` (letters move with the seed)."""
    return next(k for k, text in question.spec.options.items() if fragment in text)


FAILURE_WRONG = ("Underuse", "Expectation gap", "Cost blowout")


@pytest.mark.parametrize("scenario", SCENARIO_NAMES)
def test_concepts_answers_that_ignore_them_fail_for_every_seed(scenario):
    """Loaded once per (seed, scenario). For every seed 0-499:
    q2: scores that skip the inversion of the hard dimensions, or use the published /75 formula, are wrong;
        the verdict the total alone gives to idea B, ignoring its knock-out, is wrong;
    q3: always reaching for the most capable pattern ("agent"), or always for a prompt, is wrong;
    q4: a metric that ignores that every email gets a category (precision, recall), a percentage
        for the share, or judging the target by the point estimate is wrong;
    q5: trusting the published scorecard to give 0 and 100 is wrong;
    q7: every failure mode other than the metric disconnect is wrong."""
    for seed in SEEDS:
        ex = load("01", seed=seed, scenario=scenario)
        data = ex.q2.data
        right = {"a_score": hand_score(data.ratings_a), "a_verdict": hand_final_verdict(data.ratings_a),
                 "b_score": hand_score(data.ratings_b), "b_verdict": hand_final_verdict(data.ratings_b)}
        assert ex.q2.check(right).correct, (seed, right)
        by_total = {**right, "b_verdict": hand_verdict(hand_score(data.ratings_b))}
        assert by_total["b_verdict"] != "RED" and not ex.q2.check(by_total).correct, seed
        uninverted = {**right, "a_score": hand_score(data.ratings_a, invert=False), "b_score": hand_score(data.ratings_b, invert=False)}
        assert not ex.q2.check(uninverted).correct, seed
        published = {**right, "a_score": broken_feasibility_score(data.ratings_a)}
        assert not ex.q2.check(published).correct, seed
        assert not ex.q3.check({key: "agent" for key in ex.q3.data.scenarios}).correct, seed
        assert not ex.q3.check({key: "prompt_only" for key in ex.q3.data.scenarios}).correct, seed
        requirement = _right_requirement(ex.q4.data)
        assert ex.q4.check(requirement).correct, seed
        for ignoring in ({"metric": "precision"}, {"metric": "recall"}, {"threshold": 100 * ex.q4.data.threshold},
                         {"judged_by": "point estimate"}):
            assert not ex.q4.check({**requirement, **ignoring}).correct, (seed, ignoring)
        assert not ex.q5.check({"worst_score": 0, "best_score": 100, "worst_verdict": "RED"}).correct
        for text in FAILURE_WRONG:
            assert not ex.q7.check(_key(ex.q7, text)).correct, (seed, text)
        assert ex.q7.check(_key(ex.q7, "Metric disconnect")).correct


# -- q1: repair a brief -------------------------------------------------------------------------


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


# -- q2: score two ideas ------------------------------------------------------------------------


def test_q2_hand_worked_scores_for_known_ideas():
    # Email suggestions (5,2,5,1,4,5): 20*5 + 10*(6-2) + 10*5 + 15*(6-1) + 10*(6-4) + 10*5 = 335,
    # (335 - 75) / 300 * 100 = 86.67. Loans (2,5,2,5,3,1): 40+10+20+15+30+10 = 125 -> 16.67.
    assert briefs.feasibility_score(5, 2, 5, 1, 4, 5).score == pytest.approx(86.6667, abs=1e-3)
    assert briefs.feasibility_score(2, 5, 2, 5, 3, 1).score == pytest.approx(16.6667, abs=1e-3)
    for _, ratings in IDEAS:
        assert briefs.feasibility_score(*ratings).score == pytest.approx(hand_score(ratings))


def test_q2_scores_pass_as_the_lesson_prints_them(ex):
    data = ex.q2.data
    a, b = briefs.feasibility_score(*data.ratings_a), briefs.feasibility_score(*data.ratings_b)
    right = {"a_score": a.score, "a_verdict": a.verdict, "b_score": b.score, "b_verdict": b.verdict}
    assert "to one decimal place" in ex.q2.prompt
    assert ex.q2.check(right).correct
    printed = float(str(a).split("/")[0])  # the lesson prints "86.7/100 GREEN: ..."
    assert ex.q2.check({**right, "a_score": printed, "b_score": round(b.score, 1)}).correct
    wrong_verdict = {"GREEN": "RED", "YELLOW": "GREEN", "RED": "YELLOW"}[a.verdict]
    result = ex.q2.check({**right, "a_verdict": wrong_verdict})
    rule = {"GREEN": "GREEN needs a score of 70", "YELLOW": "YELLOW is from 50 up to 70", "RED": "RED is below 50"}[wrong_verdict]
    assert result.outcome is Outcome.INCORRECT and rule in " ".join(result.details)


def test_q2_each_named_slip_gets_its_own_feedback():
    # Email suggestions, worked by hand: weighted sum 335; no inversion 20*5+10*2+10*5+15*1+10*4+10*5 = 275
    # -> 66.7; published 335/75*100 = 446.7; equal weights (5+4+5+5+2+5 - 6)/24*100 = 83.3; 335/375 = 89.3.
    q = next(q for q in (load("01", seed=s).q2 for s in range(200)) if q.data.name_a.startswith("Email"))
    right = {"a_score": 86.7, "a_verdict": "GREEN", "b_score": hand_score(q.data.ratings_b), "b_verdict": hand_final_verdict(q.data.ratings_b)}
    assert q.check(right).correct
    slips = {446.7: "divides by 75", 66.7: "Invert the hard dimensions", 335: "weighted sum", 83.3: "equally important", 89.3: "Dividing by 375"}
    for value, words in slips.items():
        detail = q.check({**right, "a_score": value}).details[0]
        assert words in detail, (value, detail)
    assert "close" in q.check({**right, "a_score": 86.6}).details[0]  # truncated, not rounded: a rounding away
    assert "close" not in q.check({**right, "a_score": 80.0}).details[0]


def test_q2_verdict_explains_why():
    ex = next(e for e in (load("01", seed=s) for s in range(50)) if e.q2.data.ratings_a[0] > 1 and e.q2.data.ratings_a[3] < 5)
    a = briefs.feasibility_score(*ex.q2.data.ratings_a)
    result = ex.q2.check({"a_score": a.score, "a_verdict": a.verdict, "b_score": ___, "b_verdict": ___})
    assert any(d.startswith("`a_verdict`: ✓ Right: a score of") for d in result.details)


def test_q2_idea_b_always_has_a_knock_out_that_flips_its_verdict():
    # By hand: payouts (5,4,5,5,1,5) = 285 -> 70.0; insulin (5,5,4,5,1,4) = 100+10+40+15+50+40 = 255 -> 60.0;
    # churn (1,1,5,1,2,5) = 20+50+50+75+40+50 = 285 -> 70.0; shop (1,2,5,2,2,4) = 20+40+50+60+40+40 = 250 -> 58.3.
    assert [round(hand_score(r), 1) for _, r in KNOCKOUT_IDEAS] == [70.0, 60.0, 70.0, 58.3]
    assert all(hand_final_verdict(r) == "RED" != hand_verdict(hand_score(r)) for _, r in KNOCKOUT_IDEAS)
    names = {load("01", seed=s).q2.data.name_b for s in range(40)}
    assert names == {name for name, _ in KNOCKOUT_IDEAS}


def test_q2_knock_out_feedback_and_why():
    q = next(q for q in (load("01", seed=s).q2 for s in range(60)) if q.data.name_b.startswith("Overnight"))
    a = briefs.feasibility_score(*q.data.ratings_a)
    right = {"a_score": a.score, "a_verdict": a.verdict, "b_score": 70.0, "b_verdict": "RED"}
    result = q.check(right)
    assert result.correct and any("failure impact is rated 5, a knock-out: RED whatever the total (70.0)" in d for d in result.details)
    green = " ".join(q.check({**right, "b_verdict": "GREEN"}).details)
    assert "what the total alone says" in green and "knock-out rule" in green and "RED" not in green.split("`b_verdict`")[1]
    yellow = " ".join(q.check({**right, "b_verdict": "YELLOW"}).details)
    assert "YELLOW is from 50 up to 70" in yellow
    assert "knock-out" in q.prompt and "knock-out" in q.solution().body


# -- q3: the smallest reliable pattern -----------------------------------------------------------


def test_q3_patterns_feedback_and_why(ex):
    right = {s.key: s.answer for s in SCENARIOS if s.key in ex.q3.data.scenarios}
    assert len(right) == 4
    result = ex.q3.check(right)
    assert result.correct
    for s in SCENARIOS:
        if s.key in right:
            assert any(s.why in d for d in result.details)
    key = next(iter(right))
    wrong_answer = "agent" if right[key] != "agent" else "rules"
    result = ex.q3.check({**right, key: wrong_answer})
    assert result.outcome is Outcome.INCORRECT
    expected_feedback = {s.key: s.feedback for s in SCENARIOS}[key][wrong_answer]
    assert expected_feedback in " ".join(result.details)
    assert ex.q3.check({}).outcome is Outcome.NOT_ATTEMPTED


def test_q3_every_scenario_feedback_covers_every_wrong_pattern():
    for s in SCENARIOS:
        assert set(s.feedback) == set(briefs.PATTERN_KEYS) - {s.answer}, s.key
        assert len(set(s.feedback.values())) == len(s.feedback), s.key
        assert s.why and s.answer not in ("",)


def test_q3_choice_answers_written_other_ways_are_understood(ex):
    right = {s.key: s.answer for s in SCENARIOS if s.key in ex.q3.data.scenarios}
    loose = {key: value.replace("_", "-").upper() if value != "agent" else "agents" for key, value in right.items()}
    assert ex.q3.check(loose).correct


# -- q4: a testable requirement -----------------------------------------------------------------


def _right_requirement(data):
    return {
        "task": "classify each email into a category",
        "input": "a customer email in English",
        "categories": data.categories,
        "metric": "accuracy",
        "comparison": ">=",
        "threshold": data.threshold,
        "judged_by": "lower bound",
        "eval_set": "recent emails labelled by senior agents",
        "eval_size": data.eval_size,
    }


def test_q4_requirement_field_by_field(ex):
    data = ex.q4.data
    right = _right_requirement(data)
    assert "as a whole number" in ex.q4.prompt and "to three significant figures" in ex.q4.prompt
    assert ex.q4.check(right).correct
    wrong = {**right, "metric": "precision", "threshold": data.threshold * 100, "task": "be smart"}
    text = " ".join(ex.q4.check(wrong).details)
    assert "every email gets a category" in text and "percentage" in text and "classifies" in text
    assert ex.q4.check({name: ___ for name in right}).outcome is Outcome.NOT_ATTEMPTED


def test_q4_each_numeric_field_names_three_slips(ex):
    data = ex.q4.data
    right = _right_requirement(data)

    def detail(field, value):
        return next(d for d in ex.q4.check({**right, field: value}).details if d.startswith(f"`{field}`"))

    assert "size of the labelled set" in detail("categories", data.eval_size)
    assert "how many categories there are to choose from" in detail("categories", 1)
    assert "accuracy target in percent" in detail("categories", round(100 * data.threshold))
    assert "allowed in the wrong category" in detail("threshold", 1 - data.threshold)
    assert "must be right" in detail("threshold", data.threshold * data.eval_size)
    assert "number of categories" in detail("eval_size", data.categories)
    assert "must be right" in detail("eval_size", round(data.threshold * data.eval_size))
    assert "may be wrong" in detail("eval_size", round((1 - data.threshold) * data.eval_size))


def test_q4_judged_by_feedback_and_a_set_large_enough_for_its_target():
    for seed in range(30):
        ex = load("01", seed=seed)
        data = ex.q4.data
        assert briefs.target_evidence(">=", data.threshold, data.eval_size).enough, (seed, data)
    ex = load("01", seed=0)
    right = _right_requirement(ex.q4.data)
    point = " ".join(ex.q4.check({**right, "judged_by": "point estimate"}).details)
    upper = " ".join(ex.q4.check({**right, "judged_by": "upper bound"}).details)
    assert "by luck" in point and "most hopeful reading" in upper
    assert ex.q4.check({**right, "judged_by": "95% lower bound"}).correct
    assert "95% lower bound" in ex.q4.solution().body


def test_q3_a_prompt_that_already_works_is_the_smallest_rung():
    scenario = next(s for s in SCENARIOS if s.key == "meeting_notes")
    assert scenario.answer == "prompt_only" and "already did it well" in scenario.text
    ex = next(e for e in (load("01", seed=s) for s in range(60)) if "meeting_notes" in e.q3.data.scenarios)
    right = {s.key: s.answer for s in SCENARIOS if s.key in ex.q3.data.scenarios}
    assert ex.q3.check(right).correct
    tuned = " ".join(ex.q3.check({**right, "meeting_notes": "fine_tuning"}).details)
    assert "A prompt already does it well" in tuned
    by_gap = {s.key: s.feedback for s in SCENARIOS}
    assert "knowledge, not behaviour" in by_gap["travel_policy"]["fine_tuning"]
    assert "behaviour, not knowledge" in by_gap["descriptions"]["rag"]


# -- q5: the bug in a published scorecard --------------------------------------------------------


def test_q5_broken_scorecard_gives_100_to_500_and_names_the_slips():
    # Worst (1,5,1,5,5,1): every rating at its worst, weighted sum 75 -> 75/75*100 = 100; best 375 -> 500.
    assert broken_feasibility_score((1, 5, 1, 5, 5, 1)) == pytest.approx(100)
    assert broken_feasibility_score((5, 1, 5, 1, 1, 5)) == pytest.approx(500)
    ex = load("01")
    assert "to three significant figures" in ex.q5.prompt
    result = ex.q5.check({"worst_score": 100, "best_score": 500, "worst_verdict": "GREEN"})
    assert result.correct and any("above the GREEN threshold" in d for d in result.details)
    corrected = " ".join(ex.q5.check({"worst_score": 0, "best_score": 100, "worst_verdict": "RED"}).details)
    assert "corrected scorecard" in corrected and "this formula decides" in corrected

    def worst(value):
        return ex.q5.check({"worst_score": value, "best_score": 500, "worst_verdict": "GREEN"}).details[0]

    assert "weighted sum" in worst(75)
    assert "multiply by 100" in worst(1)
    # Not inverting, by hand: 20*1 + 10*5 + 10*1 + 15*5 + 10*5 + 10*1 = 215 -> 286.7.
    assert "inverts the hard dimensions" in worst(286.7)


# -- q6: fix the normalisation ------------------------------------------------------------------


def test_q6_normalisation_function(ex):
    assert ex.q6.check(normalised_score).correct
    assert ex.q6.check(lambda s: (s - 75) / 300 * 100).correct
    published = ex.q6.check(lambda s: s / 75 * 100)
    assert published.outcome is Outcome.INCORRECT
    assert "The worst idea must score 0." in " ".join(published.details)


# -- q7: name the failure mode ------------------------------------------------------------------


def test_q7_failure_mode_feedback_per_option(ex):
    right = ex.q7.check(_key(ex.q7, "Metric disconnect"))
    assert right.correct and right.message.startswith("Right: ") and "business" in right.message
    messages = [ex.q7.check(_key(ex.q7, text)).message for text in FAILURE_WRONG]
    assert len(set(messages)) == 3
    assert "90%" in messages[0] and "trust" in messages[1] and "costs to run" in messages[2]
    for message in messages:
        assert "Metric disconnect" not in message and "Right" not in message
    assert ex.q7.check(f"{ex.q7.expected.upper()}) Metric disconnect").correct


def test_q7_the_right_key_moves_and_the_right_option_is_never_the_longest():
    # Regression: the right option was always "c" and always the longest (2,500 of 2,500 loads).
    keys, longest = set(), 0
    for seed in range(60):
        q = load("01", seed=seed).q7
        keys.add(q.expected)
        lengths = {k: len(text) for k, text in q.spec.options.items()}
        longest += lengths[q.expected] >= max(lengths.values())
        assert q.solution().body.startswith(f"{q.expected}) Metric disconnect")
    assert keys == {"a", "b", "c", "d"}
    assert longest == 0


# -- the module as a whole ----------------------------------------------------------------------


def test_every_question_starts_not_attempted(ex):
    for question in ex.questions:
        assert question.check(___).outcome is Outcome.NOT_ATTEMPTED


def test_numbers_and_scenarios_follow_the_seed():
    variants = {(tuple(load("01", seed=s).q3.data.scenarios), load("01", seed=s).q2.data.name_a) for s in range(10)}
    assert len(variants) > 3
    first, again = load("01", seed=4), load("01", seed=4)
    assert first.q4.data == again.q4.data and first.q2.data.ratings_a == again.q2.data.ratings_a
    assert first.q7.spec.options == again.q7.spec.options


def test_loading_is_fast():
    start = time.perf_counter()
    for seed in range(200):
        load("01", seed=seed, scenario=SCENARIO_NAMES[seed % len(SCENARIO_NAMES)])
    assert (time.perf_counter() - start) / 200 < 0.04


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


# -- the notebooks: template fixes --------------------------------------------------------------


def _cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _source(cell):
    return "".join(cell["source"])


@pytest.mark.parametrize("folder", ["solutions", "exercises"])
def test_the_import_of_the_blank_is_a_setup_cell_not_an_answer_cell(folder):
    """Regression: `from aipm_course.checking import ___` sat right under "Replace each `___`"."""
    cells = _cells(ROOT / folder / "01_framing_and_briefs.ipynb")
    setup = next(i for i, c in enumerate(cells) if "import ___" in _source(c))
    assert "Setup" in _source(cells[setup])
    before = "\n".join(_source(c) for c in cells[:setup] if c["cell_type"] == "markdown")
    assert "Replace each `___`" not in before
    assert "do not change" in before.lower()


def test_no_cell_shows_two_hints_at_once():
    for folder in ("solutions", "exercises"):
        for cell in _cells(ROOT / folder / "01_framing_and_briefs.ipynb"):
            live = [line for line in _source(cell).splitlines() if re.search(r"\.hint\(", line) and not line.lstrip().startswith("#")]
            assert len(live) <= 1, (folder, _source(cell))
