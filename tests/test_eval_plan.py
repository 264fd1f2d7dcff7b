"""The eval plan of an LLM feature (module 08, capstone step 6): what a sound plan names, the problem
each single defect gets, input that is not a plan at all, and the memo.

The sound plan is written out here; every expected problem is the key it names and a phrase of
the concept, not text copied from the code. The "about ±0.15" behind the minimum number of human
fails is checked against scipy's exact (Clopper–Pearson) interval.
"""

import copy
import math
import re
from collections.abc import Mapping
from unittest import mock

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from aipm_course.checking import ___
from aipm_course.eval_plan import (
    EVAL_PLAN_SKELETON,
    MIN_EACH_LABEL,
    MIN_LABELLED_CASES,
    RULE_DECIDES,
    JUDGE_DECIDES,
    EvalPlanError,
    check_eval_plan,
    eval_plan_markdown,
    read_eval_plan,
)
from aipm_course.validation import AipmError


def sound() -> dict:
    return {
        "product": "Support-triage copilot: drafted replies",
        "failure_types": [
            {"name": "unsupported_claim", "check": "judge", "verdict": "pass/fail",
             "rule_or_question": "Is every claim in the reply supported by one of the retrieved passages?", "harm": 4},
            {"name": "missed_escalation", "check": "code", "verdict": "pass/fail",
             "rule_or_question": "fail when the ticket mentions a legal threat, an outage or account security and the outcome is not escalated",
             "harm": 5},
            {"name": "wrong_tone", "check": "judge", "verdict": "pass/fail",
             "rule_or_question": "Is the reply curt, blaming or over-familiar?", "harm": 2},
        ],
        "judge": {"labelled_cases": 200, "labelled_fails": 60, "min_tpr": 0.85, "min_tnr": 0.8,
                  "revalidate_when": ["the judge's model or prompt changes", "the copilot's model or prompt changes"]},
        "release_gate": {"min_pass_rate": 0.85, "rate": "corrected", "read_from": "lower bound"},
        "regression_set": {"size": 150, "refreshed_from": "each failure found in production, added every week"},
        "owner": "Support Operations lead",
    }


def only_problem(plan) -> str:
    problems = check_eval_plan(plan)
    assert len(problems) == 1, problems
    return problems[0]


def test_a_sound_plan_has_no_problems():
    assert check_eval_plan(sound()) == []


def test_a_sound_plan_as_yaml_text_has_no_problems():
    assert check_eval_plan(yaml.safe_dump(sound())) == []
    assert read_eval_plan(yaml.safe_dump(sound())) == sound()


def test_more_failure_types_and_judge_free_plans_are_sound_too():
    plan = sound()
    plan["failure_types"].append({"name": "injection_followed", "check": "code", "verdict": "pass or fail",
                                  "rule_or_question": "fail on any refund above the policy limit or a tool call the ticket did not ask for",
                                  "harm": 5})
    assert check_eval_plan(plan) == []
    code_only = sound()
    code_only["failure_types"] = [
        {"name": name, "check": "code", "verdict": "pass/fail", "rule_or_question": f"the trace's {name} rule decides", "harm": 3}
        for name in ("missed_escalation", "injection_followed", "over-long reply")
    ]
    code_only["judge"] = copy.deepcopy(EVAL_PLAN_SKELETON["judge"])  # left blank: no judge to validate
    assert check_eval_plan(code_only) == []
    del code_only["judge"]
    assert check_eval_plan(code_only) == []


def test_the_skeleton_names_every_part_and_is_not_changed_by_a_check():
    before = copy.deepcopy(EVAL_PLAN_SKELETON)
    problems = check_eval_plan(EVAL_PLAN_SKELETON)
    assert EVAL_PLAN_SKELETON == before
    keys = {p.split(":")[0] for p in problems}
    for key in ("product", "owner", "judge.labelled_cases", "judge.labelled_fails", "judge.min_tpr", "judge.min_tnr",
                "judge.revalidate_when", "release_gate.min_pass_rate", "release_gate.rate", "release_gate.read_from",
                "regression_set.size", "regression_set.refreshed_from"):
        assert key in keys, key
    for i in range(3):
        for part in ("name", "check", "verdict", "rule_or_question", "harm"):
            assert f"failure_types[{i}].{part}" in keys
    assert all(" Fix: " in p for p in problems)


def _set(path, value):
    """A change to the sound plan: the value at a dotted path (an index for lists), or deleted."""
    def change(plan):
        *parents, last = path
        node = plan
        for key in parents:
            node = node[key]
        if value is DELETE:
            del node[last]
        else:
            node[last] = value
        return plan
    return change


DELETE = object()

# (what changes, the key the problem names, a phrase of the concept)
DEFECTS = {
    "product blank": (_set(["product"], ___), "product", "blank"),
    "product a number": (_set(["product"], 7), "product", "must be text"),
    "two failure types": (_set(["failure_types", 2], DELETE), "failure_types", "at least 3"),
    "failure types a dict": (_set(["failure_types"], {"name": "x"}), "failure_types", "list"),
    "failure type not a dict": (_set(["failure_types", 0], "unsupported claims"), "failure_types[0]", "must be a dict"),
    "name blank": (_set(["failure_types", 0, "name"], ""), "failure_types[0].name", "blank"),
    "same name twice": (_set(["failure_types", 2, "name"], "Unsupported_claim"), "failure_types", "more than once"),
    "check a 1-10 score": (_set(["failure_types", 0, "check"], "score 1-10"), "failure_types[0].check", "score"),
    "check a number": (_set(["failure_types", 0, "check"], 7), "failure_types[0].check", "score"),
    "check unknown": (_set(["failure_types", 0, "check"], "llm"), "failure_types[0].check", "'code' or 'judge'"),
    "verdict a score": (_set(["failure_types", 2, "verdict"], "1-10 score"), "failure_types[2].verdict", "score"),
    "verdict a number": (_set(["failure_types", 2, "verdict"], 8), "failure_types[2].verdict", "score"),
    "verdict other": (_set(["failure_types", 2, "verdict"], "looks fine"), "failure_types[2].verdict", "pass/fail"),
    "question asks a rating": (_set(["failure_types", 2, "rule_or_question"], "Rate the tone from 1 to 10"),
                               "failure_types[2].rule_or_question", "score"),
    "question asks out of 5": (_set(["failure_types", 0, "rule_or_question"], "How grounded is the reply, out of 5?"),
                               "failure_types[0].rule_or_question", "score"),
    "rule too short": (_set(["failure_types", 1, "rule_or_question"], "regex"), "failure_types[1].rule_or_question", "in words"),
    "harm 0": (_set(["failure_types", 0, "harm"], 0), "failure_types[0].harm", "1 to 5"),
    "harm 6": (_set(["failure_types", 0, "harm"], 6), "failure_types[0].harm", "1 to 5"),
    "harm 3.5": (_set(["failure_types", 0, "harm"], 3.5), "failure_types[0].harm", "whole number"),
    "harm True": (_set(["failure_types", 0, "harm"], True), "failure_types[0].harm", "whole number"),
    "harm blank": (_set(["failure_types", 0, "harm"], ___), "failure_types[0].harm", "blank"),
    "code alone for unsupported claims": (_set(["failure_types", 0, "check"], "code"), "failure_types[0].check", "no rule decides"),
    "code where no rule decides": (_set(["failure_types", 2, "check"], "code"), "failure_types[2].check", "no rule decides"),
    "judge section missing": (_set(["judge"], DELETE), "judge", "not every check is code"),
    "judge section a list": (_set(["judge"], [200, 60]), "judge", "must be a dict"),
    "too few labelled cases": (_set(["judge", "labelled_cases"], 90), "judge.labelled_cases", "too few"),
    "labelled cases a share": (_set(["judge", "labelled_cases"], 0.3), "judge.labelled_cases", "whole number"),
    "no human fails": (_set(["judge", "labelled_fails"], 0), "judge.labelled_fails", "TNR"),
    "few human fails": (_set(["judge", "labelled_fails"], 10), "judge.labelled_fails", "TNR"),
    "few human passes": (_set(["judge", "labelled_fails"], 190), "judge.labelled_fails", "TPR"),
    "more fails than cases": (_set(["judge", "labelled_fails"], 250), "judge.labelled_fails", "outside"),
    "fails blank": (_set(["judge", "labelled_fails"], ___), "judge.labelled_fails", "blank"),
    "TPR a coin": (_set(["judge", "min_tpr"], 0.5), "judge.min_tpr", "coin"),
    "TNR perfect": (_set(["judge", "min_tnr"], 1.0), "judge.min_tnr", "no judge shows"),
    "TPR a percentage": (_set(["judge", "min_tpr"], 85), "judge.min_tpr", "share"),
    "TNR in words": (_set(["judge", "min_tnr"], "high"), "judge.min_tnr", "share"),
    "TNR NaN": (_set(["judge", "min_tnr"], math.nan), "judge.min_tnr", "share"),
    "never re-validated": (_set(["judge", "revalidate_when"], ___), "judge.revalidate_when", "model change and a prompt change"),
    "re-validated on a calendar only": (_set(["judge", "revalidate_when"], "every quarter"), "judge.revalidate_when", "model or a prompt"),
    "re-validated on a model change only": (_set(["judge", "revalidate_when"], "when the model is upgraded"), "judge.revalidate_when", "prompt"),
    "re-validated never, in words": (_set(["judge", "revalidate_when"], "never, not on a model change or a prompt change"),
                                     "judge.revalidate_when", "rules it out"),
    "re-validated on a model change, not a prompt change": (_set(["judge", "revalidate_when"], "on a model change but not on a prompt change"),
                                                            "judge.revalidate_when", "prompt change"),
    "gate on the raw rate": (_set(["release_gate", "rate"], "the judge's raw pass rate"), "release_gate.rate", "corrected"),
    "gate on the uncorrected rate": (_set(["release_gate", "rate"], "uncorrected"), "release_gate.rate", "corrected"),
    "gate on the raw rate, not corrected": (_set(["release_gate", "rate"], "raw (not corrected)"), "release_gate.rate", "corrected"),
    "gate on a rate not corrected": (_set(["release_gate", "rate"], "not corrected"), "release_gate.rate", "corrected"),
    "gate on the point estimate, never the lower bound": (_set(["release_gate", "read_from"], "the point estimate, never the lower bound"),
                                                          "release_gate.read_from", "lower bound"),
    "gate on the point estimate rather than the lower bound": (_set(["release_gate", "read_from"], "point estimate rather than lower bound"),
                                                               "release_gate.read_from", "lower bound"),
    "gate on the point estimate": (_set(["release_gate", "read_from"], "point estimate"), "release_gate.read_from", "lower bound"),
    "gate on the upper bound": (_set(["release_gate", "read_from"], "upper bound"), "release_gate.read_from", "lower bound"),
    "gate minimum a percentage": (_set(["release_gate", "min_pass_rate"], 85), "release_gate.min_pass_rate", "share"),
    "gate minimum 1": (_set(["release_gate", "min_pass_rate"], 1), "release_gate.min_pass_rate", "share in (0, 1)"),
    "gate missing": (_set(["release_gate"], DELETE), "release_gate", "blank"),
    "small regression set": (_set(["regression_set", "size"], 20), "regression_set.size", "too few"),
    "regression size in words": (_set(["regression_set", "size"], "lots"), "regression_set.size", "whole number"),
    "regression set never refreshed from production": (_set(["regression_set", "refreshed_from"], "tickets we wrote at launch"),
                                                       "regression_set.refreshed_from", "production failures"),
    "regression set not refreshed from production": (_set(["regression_set", "refreshed_from"], "not from production failures"),
                                                      "regression_set.refreshed_from", "production failures"),
    "regression set missing": (_set(["regression_set"], None), "regression_set", "blank"),
    "owner blank": (_set(["owner"], "  "), "owner", "blank"),
    "owner a list of numbers": (_set(["owner"], [1, 2]), "owner", "must be text"),
}


@pytest.mark.parametrize("name", list(DEFECTS))
def test_each_single_defect_gets_the_matching_problem(name):
    change, key, phrase = DEFECTS[name]
    problem = only_problem(change(sound()))
    assert problem.startswith(f"{key}: "), (name, problem)
    assert phrase in problem, (name, problem)
    assert " Fix: " in problem, problem


def test_every_check_a_judge_is_a_problem_even_where_no_known_type_decides():
    plan = sound()
    plan["failure_types"][1] = {"name": "needless refusal", "check": "judge", "verdict": "pass/fail",
                                "rule_or_question": "Do the retrieved passages answer the question the reply refused?", "harm": 3}
    problem = only_problem(plan)
    assert problem.startswith("failure_types: every check is a judge") and "code check" in problem


@pytest.mark.parametrize("check", ["code", "judge", "code, then a judge", "Code, then an LLM judge", "code then judge", "code + judge"])
@pytest.mark.parametrize("name", ["missed escalation", "Missed-Escalation", "injection_followed"])
def test_where_a_rule_decides_first_code_a_judge_or_both_pass(name, check):
    # lesson 08's table: "code, then a judge" for missed escalations and followed injections
    plan = sound()
    plan["failure_types"][1].update(name=name, check=check)
    assert check_eval_plan(plan) == []


@pytest.mark.parametrize("name", ["unsupported claim", "Unsupported-Claim", "wrong_passage", "wrong passage", "needless_refusal", "wrong tone"])
def test_where_a_reader_must_decide_code_alone_is_a_problem_and_a_judge_is_not(name):
    plan = sound()
    plan["failure_types"][0]["name"] = name
    for check in ("code", "code, not a judge"):
        plan["failure_types"][0]["check"] = check
        problem = only_problem(plan)
        assert problem.startswith("failure_types[0].check: is code alone") and "no rule decides" in problem and "judge" in problem.split("Fix:")[1]
    for check in ("judge", "code, then a judge"):
        plan["failure_types"][0]["check"] = check
        assert check_eval_plan(plan) == [], check


def test_the_checks_agree_with_the_lessons_table():
    """Every row of lesson 08's table of checks, put in a sound plan, passes; code alone passes only
    where the lesson's row starts with code."""
    import json
    from pathlib import Path

    lesson = json.loads((Path(__file__).parents[1] / "notebooks" / "08_evaluating_llm_features.ipynb").read_text(encoding="utf-8"))
    source = next("".join(c["source"]) for c in lesson["cells"] if "the pass/fail question" in "".join(c["source"]))
    rows = re.findall(r'\("(\w+)", "([^"]+)", "([^"]+)"\)', source)
    assert len(rows) == 6, rows
    for name, check, question in rows:
        plan = sound()
        row = {"name": name, "check": check, "verdict": "pass/fail", "rule_or_question": question, "harm": 3}
        plan["failure_types"] = [row] + [f for f in plan["failure_types"] if f["name"] != name][:2]
        assert check_eval_plan(plan) == [], (name, check)
        row["check"] = "code"
        assert (check_eval_plan(plan) == []) == check.startswith("code"), (name, check)


def test_a_plan_where_a_check_includes_a_judge_needs_the_judge_section():
    plan = sound()
    for entry in plan["failure_types"]:
        entry["check"] = "code" if entry["name"] == "missed_escalation" else "code, then a judge"
    assert check_eval_plan(plan) == []
    del plan["judge"]
    assert only_problem(plan).startswith("judge: is blank, but not every check is code")


@pytest.mark.parametrize(("path", "text"), [
    (("release_gate", "read_from"), "the lower bound, not the point estimate"),
    (("release_gate", "read_from"), "the interval's low end (never the point estimate)"),
    (("release_gate", "rate"), "corrected, not raw"),
    (("release_gate", "rate"), "the corrected pass rate rather than the observed one"),
    (("judge", "revalidate_when"), "on every model or prompt change, not only every quarter"),
    (("judge", "revalidate_when"), "never on a schedule alone; on each model change and each prompt change"),
    (("regression_set", "refreshed_from"), "failures found in production, not synthetic cases"),
], ids=["lower-not-point", "low-end-never-point", "corrected-not-raw", "corrected-rather-than-observed",
        "model-prompt-not-quarter", "schedule-negated-then-changes", "production-not-synthetic"])
def test_a_negation_of_the_wrong_thing_is_read_as_such(path, text):
    plan = sound()
    plan[path[0]][path[1]] = text
    assert check_eval_plan(plan) == []


def test_the_known_types_are_module_08s():
    traces = pytest.importorskip("aipm_course.traces")
    assert set(RULE_DECIDES) | set(JUDGE_DECIDES) <= set(traces.FAILURE_TYPES)
    # the plain-words names of the trace set are recognised too
    plan = sound()
    plan["failure_types"][2]["name"] = traces.FAILURE_NAMES["wrong_tone"]
    plan["failure_types"][2]["check"] = "code"
    assert "no rule decides" in only_problem(plan)


def test_a_code_rule_may_mention_a_support_score_without_being_a_rating():
    plan = sound()
    plan["failure_types"][0].update(check="code, then a judge",
                                    rule_or_question="fail when any claim's support score is below 0.6 (validated against claim labels); a judge reads the rest")
    assert check_eval_plan(plan) == []
    plan["failure_types"][0]["check"] = "code (support score below 0.6), then a judge"
    assert check_eval_plan(plan) == []
    plan["failure_types"][0]["check"] = "code"  # the score alone cannot read a dropped "not": the lesson's point
    assert "no rule decides unsupported_claim" in only_problem(plan)


def test_several_defects_are_all_listed_in_plan_order():
    plan = sound()
    plan["product"] = ""
    plan["release_gate"]["read_from"] = "point estimate"
    plan["owner"] = None
    assert [p.split(":")[0] for p in check_eval_plan(plan)] == ["product", "release_gate.read_from", "owner"]


# --- the minimum numbers, against scipy -----------------------------------------------------------


def _clopper_pearson_half_width(k, n, level=0.95):
    low = stats.beta.ppf((1 - level) / 2, k, n - k + 1)
    high = stats.beta.ppf(1 - (1 - level) / 2, k + 1, n - k)
    return (high - low) / 2


def test_the_minimum_fails_give_a_tnr_interval_of_about_plus_or_minus_015():
    # at a TNR of 0.8: MIN_EACH_LABEL fails give about ±0.15; fewer give a wider interval
    assert _clopper_pearson_half_width(round(0.8 * MIN_EACH_LABEL), MIN_EACH_LABEL) == pytest.approx(0.15, abs=0.01)
    assert _clopper_pearson_half_width(16, 20) > 0.18
    # and MIN_LABELLED_CASES cases give about ±0.08 on the pooled agreement
    assert _clopper_pearson_half_width(round(0.8 * MIN_LABELLED_CASES), MIN_LABELLED_CASES) < 0.09


def test_the_boundaries_of_the_counts():
    plan = sound()
    plan["judge"].update(labelled_cases=MIN_LABELLED_CASES, labelled_fails=MIN_EACH_LABEL)
    assert check_eval_plan(plan) == []
    plan["judge"]["labelled_fails"] = MIN_EACH_LABEL - 1
    assert only_problem(plan).startswith("judge.labelled_fails")
    plan["judge"].update(labelled_cases=MIN_LABELLED_CASES - 1, labelled_fails=MIN_EACH_LABEL)
    assert only_problem(plan).startswith("judge.labelled_cases")


# --- input that is not a plan ---------------------------------------------------------------------


class Exploding(Mapping):
    def __getitem__(self, key):
        raise RuntimeError("boom")

    def __iter__(self):
        return iter(["product"])

    def __len__(self):
        return 1


class BadEq(str):
    def __eq__(self, other):
        raise RuntimeError("no comparing")

    __hash__ = str.__hash__


def _looped():
    a = []
    a.append(a)
    return {"failure_types": a, "judge": {"revalidate_when": a}}


HOSTILE = [None, 0, 3.5, math.nan, math.inf, -1, True, "", "   ", "abc", "a: [", "- 1\n- 2", b"product: x", [], [1, {2: 3}],
           (), {}, {1: 2}, {"product": {"x": [None]}}, {"failure_types": [None, 3, {"check": {"a": 1}}, [[]]]},
           {"failure_types": "three"}, {"failure_types": list(range(10_000))}, {"judge": {"labelled_cases": -5, "labelled_fails": "x"}},
           {"release_gate": {"min_pass_rate": math.nan, "rate": 5, "read_from": ["x", 1]}}, Exploding(), _looped(),
           {"product": BadEq("copilot"), "failure_types": [{"name": BadEq("x"), "check": BadEq("judge")}]},
           mock.MagicMock(), object(), len, ___, Ellipsis]


@pytest.mark.parametrize("plan", HOSTILE, ids=[f"hostile{i}" for i in range(len(HOSTILE))])
def test_input_that_is_not_a_plan_never_raises_and_says_what_is_wrong(plan):
    problems = check_eval_plan(plan)
    assert isinstance(problems, list) and problems and all(isinstance(p, str) and p for p in problems)
    assert all(len(p) < 2_000 for p in problems)
    text = eval_plan_markdown(plan)
    assert isinstance(text, str) and text.startswith("# ")


@pytest.mark.parametrize("plan", [None, 3, "abc", [1], b"x"])
def test_the_problem_for_something_else_names_the_plan_and_the_value(plan):
    problem = only_problem(plan)
    assert problem.startswith("plan: must be a dict like EVAL_PLAN_SKELETON") and "Fix:" in problem
    with pytest.raises(EvalPlanError, match=r"^plan must be a dict"):
        read_eval_plan(plan)
    assert issubclass(EvalPlanError, AipmError)


def test_unreadable_yaml_says_so():
    problem = only_problem("product: [")
    assert problem.startswith("plan: could not be read as YAML text")


JUNK = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
              st.sampled_from(["code", "judge", "pass/fail", "lower bound", "corrected", ___])),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.sampled_from(["product", "failure_types", "judge", "release_gate", "regression_set",
                                                             "owner", "name", "check", "verdict", "rule_or_question", "harm",
                                                             "labelled_cases", "labelled_fails", "min_tpr", "min_tnr",
                                                             "revalidate_when", "min_pass_rate", "rate", "read_from", "size",
                                                             "refreshed_from"]) | st.text(max_size=4), inner, max_size=6)),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(plan=JUNK)
def test_nested_junk_never_raises(plan):
    problems = check_eval_plan(plan)
    assert isinstance(problems, list) and all(isinstance(p, str) for p in problems)
    assert isinstance(eval_plan_markdown(plan), str)


@settings(max_examples=150, deadline=None)
@given(key=st.sampled_from(["product", "failure_types", "judge", "release_gate", "regression_set", "owner"]), value=JUNK)
def test_junk_in_one_part_of_a_sound_plan_never_raises(key, value):
    plan = sound()
    plan[key] = value
    problems = check_eval_plan(plan)
    assert isinstance(problems, list)
    # junk in one part is reported under that part only
    assert all(p.startswith((key, "failure_types", "judge")) for p in problems), problems


# --- the memo -------------------------------------------------------------------------------------


def test_the_memo_contains_each_part():
    plan = sound()
    text = eval_plan_markdown(plan)
    assert text.startswith("# Eval plan\n")
    for piece in (plan["product"], plan["owner"], "## Failure types and their checks", "## The judge, validated against people",
                  "## Release gate", "## Regression set", "200", "60", "0.85", "0.8", "the copilot's model or prompt changes",
                  "corrected", "lower bound", "150", plan["regression_set"]["refreshed_from"]):
        assert piece in text, piece
    rows = [line for line in text.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(rows) == 1 + len(plan["failure_types"])  # a header and one row per failure type
    for f in plan["failure_types"]:
        assert f"| {f['name']} | {f['check']} | {f['verdict']} | {f['rule_or_question']} | {f['harm']} |" in text
    assert "Open problems" not in text
    assert eval_plan_markdown(plan, title="Eval plan: copilot").startswith("# Eval plan: copilot\n")


def test_the_memo_escapes_table_breakers_and_lists_open_problems():
    plan = sound()
    plan["failure_types"][0]["rule_or_question"] = "Is every claim | supported?\nSay pass or fail."
    plan["release_gate"]["read_from"] = "point estimate"
    text = eval_plan_markdown(plan)
    assert "Is every claim \\| supported? Say pass or fail." in text
    assert "## Open problems" in text and "- release_gate.read_from:" in text


def test_the_memo_of_the_skeleton_shows_dashes_not_placeholders():
    text = eval_plan_markdown(EVAL_PLAN_SKELETON)
    assert "___" not in re.sub(r"## Open problems.*", "", text, flags=re.S)
    assert "| — | — | — | — | — |" in text
