"""Recorded answers, and judging them again outside the learner's kernel (grading trusts no printed outcome).

Each check carries the learner's answer as a record (``checking.answer_record``); grading judges
the record again against questions it builds itself (``aipm_course.grading.rejudge``): values in
its own process, functions in a separate one whose verdict grading confirms from the values the
function returned.
"""

from __future__ import annotations

import collections
import dataclasses
import json
import math
import os
import subprocess
import sys
import time
import types
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pytest

from aipm_course.checking import (
    CHECK_MIME_TYPE,
    PLACEHOLDER,
    CheckResult,
    ChoiceQuestion,
    ChoiceSpec,
    NumberQuestion,
    NumberSpec,
    Outcome,
    StructuredQuestion,
    answer_record,
    decode_value,
)
from aipm_course.exercises import MODULES, load
from aipm_course.grading import rejudge
from aipm_course.grading.rejudge import NotRejudged, confirm_function, expected_kinds, first_hint, rejudge_functions, rejudge_value, title
from aipm_course.validation import AipmError
from policy_helpers import ALL_SCENARIOS
from test_question_seeds import _worked_answer

ROOT = Path(__file__).resolve().parents[1]
SEEDS = range(30)


def roundtrip(record: dict) -> dict:
    """A record as grading reads it back from a notebook: through strict JSON (no NaN literals)."""
    return json.loads(json.dumps(record, allow_nan=False))


# --------------------------------------------------------------------------------------------
# answer_record: each kind
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [None, True, False, 0, -7, 2**70, 0.885, "b", "", "naïve ✓", [1, 2.5, "x"], (0, 5), [(1, 2), [3]],
     {"metric": "recall", "threshold": 0.5, "nested": {"a": [1, (2, 3)]}}, {"$float": "nan"}, {"$tuple": [1]}],
)
def test_plain_data_is_recorded_as_a_value_and_reads_back_the_same(answer):
    record = roundtrip(answer_record(answer))
    assert record["kind"] == "value"
    back = decode_value(record["value"])
    assert back == answer and type(back) is type(answer)


def test_numpy_scalars_are_recorded_as_python_values():
    answer = {"count": np.int64(3), "share": np.float32(0.5), "flag": np.bool_(True), "rate": np.float64(0.25)}
    back = decode_value(roundtrip(answer_record(answer))["value"])
    assert back == {"count": 3, "share": 0.5, "flag": True, "rate": 0.25}
    assert [type(v) for v in back.values()] == [int, float, bool, float]


def test_nan_and_infinities_survive_json():
    answer = [math.nan, math.inf, -math.inf, {"x": math.nan}]
    record = answer_record(answer)
    text = json.dumps(record, allow_nan=False)  # strict JSON: would raise on a bare NaN
    back = decode_value(json.loads(text)["value"])
    assert math.isnan(back[0]) and back[1] == math.inf and back[2] == -math.inf and math.isnan(back[3]["x"])


def test_text_json_cannot_carry_is_kept_and_encodes_as_utf8():
    answer = "a\ud800b"
    record = answer_record(answer)
    json.dumps(record, ensure_ascii=False).encode("utf-8")  # what Jupyter's message packer needs
    assert decode_value(roundtrip(record)["value"]) == answer


def test_the_placeholder_is_recorded_as_none():
    assert answer_record(PLACEHOLDER) == {"kind": "none"}
    assert answer_record(...) == {"kind": "none"}


def reference_like_precision(true_positives, false_positives):
    flagged = true_positives + false_positives
    return true_positives / flagged if flagged else 0.0


def test_a_function_is_recorded_with_its_name_and_source():
    def nested(x):
        return x + 1

    record = roundtrip(answer_record(reference_like_precision))
    assert record["kind"] == "function" and record["name"] == "reference_like_precision"
    assert record["source"].startswith("def reference_like_precision(true_positives, false_positives):")
    namespace: dict = {}
    exec(record["source"], namespace)
    assert namespace["reference_like_precision"](9, 1) == 0.9
    assert answer_record(nested)["source"].startswith("def nested(x):")  # dedented


@pytest.mark.parametrize(
    "answer, type_name",
    [(lambda x: x, "builtins.function"), (print, "builtins.builtin_function_or_method"), ({1, 2}, "builtins.set"),
     (np.array([0.5]), "numpy.ndarray"), ({1: "one"}, "builtins.dict"), (types.SimpleNamespace(a=1), "types.SimpleNamespace"),
     (1 + 2j, "builtins.complex")],
)
def test_anything_else_is_recorded_as_its_type(answer, type_name):
    assert answer_record(answer) == {"kind": "object", "type": type_name}


def test_a_function_whose_source_cannot_be_read_is_an_object():
    namespace: dict = {}
    exec("def made_up(x):\n    return x\n", namespace)  # no file: inspect cannot find the source
    assert answer_record(namespace["made_up"]) == {"kind": "object", "type": "builtins.function"}


def test_a_record_over_the_size_limit_keeps_only_the_type():
    for answer in (list(range(50_000)), "x" * 100_001, {"a": ["y" * 60_000, "z" * 60_000]}):
        started = time.monotonic()
        record = answer_record(answer)
        assert record == {"kind": "object", "type": f"builtins.{type(answer).__name__}", "reason": "too large to record"}
        assert time.monotonic() - started < 2
    assert answer_record("x" * 99_000)["kind"] == "value"


class Looping(list):
    def __iter__(self):
        while True:
            pass


class Liar(float):
    def __float__(self):
        return 0.885


class Meta(type):
    def __getattribute__(cls, name):  # even type(answer).__qualname__ raises
        raise RuntimeError("no attributes")


class Hostile(metaclass=Meta):
    def __repr__(self):
        raise RuntimeError("no repr")


def test_records_read_the_data_itself_and_never_call_the_answer():
    started = time.monotonic()
    assert answer_record(Looping([1, 2])) == {"kind": "value", "value": [1, 2]}  # its __iter__ is never called
    assert answer_record(Liar(0.5)) == {"kind": "value", "value": 0.5}  # the real number, not what __float__ says
    record = answer_record(Hostile())
    assert record["kind"] == "object" and record["type"].endswith("Hostile")
    assert time.monotonic() - started < 1


# --------------------------------------------------------------------------------------------
# The record in each check
# --------------------------------------------------------------------------------------------


def small_number_question(**kwargs) -> NumberQuestion:
    question = NumberQuestion("q1", "A share", "What share?", NumberSpec(0.885, rel_tol=1e-3), **kwargs)
    question.check_time_limit = 0.3
    return question


def test_as_dict_and_the_mime_bundle_carry_the_answer():
    result = small_number_question().check(0.885)
    assert result.answer == {"kind": "value", "value": 0.885}
    assert result.as_dict()["answer"] == {"kind": "value", "value": 0.885}
    assert result._repr_mimebundle_()[CHECK_MIME_TYPE]["answer"] == {"kind": "value", "value": 0.885}
    assert small_number_question().check().as_dict()["answer"] == {"kind": "none"}
    json.dumps(small_number_question().check(math.nan).as_dict(), allow_nan=False)
    assert CheckResult("q1", "t", Outcome.CORRECT, "m").as_dict()["answer"] == {}  # made by hand: no answer


def test_the_progress_record_never_holds_the_answer(fresh_work):

    ex = load("00")
    ex.q1.check(12345.678)
    text = "\n".join(p.read_text() for p in fresh_work.rglob("*") if p.is_file())
    assert '"q1"' in text and "12345.678" not in text and '"answer"' not in text


class LoopingMapping(Mapping):
    def __getitem__(self, key):
        return 1

    def __len__(self):
        return 1

    def __iter__(self):
        while True:
            pass


def test_a_looping_answer_is_stopped_by_the_time_limit_and_recorded_as_its_type():
    question = StructuredQuestion("q1", "Fields", "Fill them in.", {"a": NumberSpec(1.0)})
    question.check_time_limit = 0.3
    started = time.monotonic()
    result = question.check(LoopingMapping())
    assert time.monotonic() - started < 2
    assert result.outcome is Outcome.INCORRECT and "longer than" in result.message
    assert result.answer["kind"] == "object" and result.answer["type"].endswith("LoopingMapping")


def test_recording_runs_under_the_check_time_limit():
    class SlowToRecord(NumberQuestion):
        def _answer_record(self, answer):
            while True:
                pass

    question = SlowToRecord("q1", "A share", "What share?", NumberSpec(0.885))
    question.check_time_limit = 0.3
    started = time.monotonic()
    result = question.check(0.885)
    assert time.monotonic() - started < 2
    assert result.answer == {"kind": "object", "type": "builtins.float"} and not result.correct


def test_a_number_question_records_the_number_it_judged():
    question = small_number_question()
    for answer in (np.array([0.885]), np.array(0.8851)):
        result = question.check(answer)
        assert result.answer["kind"] == "value" and result.correct


@dataclasses.dataclass
class Fields:
    metric: str
    threshold: float


def fields_question() -> StructuredQuestion:
    return StructuredQuestion(
        "q1", "Fields", "Fill them in.",
        {"metric": ChoiceSpec({"a": "precision", "b": "recall"}, "b"), "threshold": NumberSpec(0.5)},
    )


def test_a_fields_question_records_a_dataclass_or_namespace_as_the_dict_it_judged():
    question = fields_question()
    for answer in (Fields("b", 0.5), types.SimpleNamespace(metric="b", threshold=0.5), Fields("a", 0.5)):
        result = question.check(answer)
        assert result.answer["kind"] == "value"
        again = question.check(decode_value(roundtrip(result.answer)["value"]))
        assert (again.outcome, again.message, again.details) == (result.outcome, result.message, result.details)


# --------------------------------------------------------------------------------------------
# expected_kinds, titles and hints
# --------------------------------------------------------------------------------------------


def test_expected_kinds_follow_the_kind_of_question():
    assert expected_kinds("00", "q3") == {"none", "function"}
    for question in ("q1", "q2", "q4"):  # a number, an option, fields
        assert expected_kinds("00", question) == {"none", "value"}
    assert expected_kinds("07", "q12") == {"none", "value", "object"}  # a validated answer (a report)
    assert "object" not in expected_kinds("02", "q1")  # a forged record for a number is not plausible
    assert "function" not in expected_kinds("02", "q1")
    assert expected_kinds("00", "q99") == set() and expected_kinds("99", "q1") == set()


def test_title_and_first_hint_come_from_the_question():
    ex = load("03", seed=7, scenario="legal_review")
    assert title("03", "q2") == ex.q2.title
    # the hint alone: a report cannot point at `hint(2)` the way the notebook does
    assert ex.q2.hint(1).body.startswith(first_hint("03", "q2", 7, "legal_review"))
    assert first_hint("03", "q2", 7, "legal_review") == ex.q2.hints[0] and "hint(2)" not in ex.q2.hints[0]
    assert first_hint("03", "q2", "7", "legal_review") == ex.q2.hints[0]  # a seed read back as text
    assert title("03", "q99") == "" and first_hint("99", "q1", 0, "default") == ""


# --------------------------------------------------------------------------------------------
# rejudge_value: every module, seeds 0-29, every scenario
# --------------------------------------------------------------------------------------------


def wrong_value(question, answer):
    """A wrong answer of the right shape: far from the number, or another option."""
    if isinstance(question, NumberQuestion):
        return answer + max(1.0, abs(answer))
    if isinstance(question, ChoiceQuestion):
        return next(k for k in question.spec.options if k != question.spec.correct)
    name, value = next(iter(answer.items()))
    spec = question.fields[name]
    if isinstance(spec, ChoiceSpec):
        return {**answer, name: next(k for k in spec.options if k != spec.correct)}
    return {**answer, name: value + max(1.0, abs(value))}


@pytest.mark.parametrize("scenario", ALL_SCENARIOS)
@pytest.mark.parametrize("module", list(MODULES))
def test_worked_answers_are_judged_again_as_correct_and_wrong_ones_as_incorrect(module, scenario):
    numeric, moved = 0, 0
    for seed in SEEDS:
        for question in load(module, seed=seed, scenario=scenario).questions:
            answer = _worked_answer(question)
            if answer is None:
                continue
            record = roundtrip(answer_record(answer))
            assert record["kind"] in expected_kinds(module, question.id)
            outcome, message, details = rejudge_value(module, question.id, seed, scenario, record)
            assert outcome == "correct", f"{module} {question.id} seed {seed} {scenario}: {answer!r} -> {message} {details}"
            wrong = roundtrip(answer_record(wrong_value(question, answer)))
            assert rejudge_value(module, question.id, seed, scenario, wrong)[0] == "incorrect", f"{module} {question.id} seed {seed}"
            if isinstance(question, NumberQuestion):
                numeric += 1
                other = (seed + 1) % len(SEEDS)
                moved += rejudge_value(module, question.id, other, scenario, record)[0] != "correct"
    if numeric:  # the same number judged against another team's seed is mostly wrong there
        assert moved / numeric >= 0.4, f"{module} {scenario}: only {moved} of {numeric} differ at another seed"


def test_every_answer_stored_in_the_solutions_is_judged_again_as_shown():
    """The solution notebooks' stored check results carry their answers: the values are judged
    again with the same outcome, and their kinds are the ones expected."""
    import nbformat

    seen = collections.Counter()
    for path in sorted((ROOT / "solutions").glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            for output in cell.get("outputs", []):
                bundle = output.get("data", {}).get(CHECK_MIME_TYPE)
                if not bundle:
                    continue
                record, module, question = bundle["answer"], bundle["module"], bundle["question"]
                assert record["kind"] in expected_kinds(module, question), f"{path.name} {question}: {record}"
                seen[record["kind"]] += 1
                if record["kind"] == "value":
                    params = bundle["parameters"]
                    outcome, message, details = rejudge_value(module, question, params["seed"], params["scenario"], record)
                    assert (outcome, message, list(details)) == (bundle["outcome"], bundle["message"], bundle["details"])
    assert seen["value"] >= 70 and seen["function"] == 3 and seen["object"] >= 1


def test_the_placeholder_is_judged_again_as_not_attempted():
    assert rejudge_value("02", "q1", 4, "default", {"kind": "none"})[0] == "not attempted"


@pytest.mark.parametrize(
    "module, question, seed, scenario, record, says",
    [
        ("02", "q1", 0, "default", {"kind": "object", "type": "builtins.set"}, "not a value"),
        ("00", "q3", 0, "default", {"kind": "function", "name": "f", "source": "def f(): pass"}, "not a value"),
        ("02", "q1", 0, "default", {"value": 0.5}, "not a value"),
        ("02", "q1", 0, "default", "0.5", "not a value"),
        ("02", "q1", 0, "default", {"kind": "value", "value": {"$float": "zero"}}, "could not be read"),
        ("02", "q99", 0, "default", {"kind": "value", "value": 0.5}, "question must be"),
        ("99", "q1", 0, "default", {"kind": "value", "value": 0.5}, "module must be"),
        ("02", "q1", -1, "default", {"kind": "value", "value": 0.5}, "seed"),
        ("02", "q1", 0, "no_such_place", {"kind": "value", "value": 0.5}, "scenario"),
    ],
)
def test_what_cannot_be_judged_again_says_why(module, question, seed, scenario, record, says):
    with pytest.raises(NotRejudged, match=says) as caught:
        rejudge_value(module, question, seed, scenario, record)
    assert isinstance(caught.value, AipmError)


def test_judging_again_writes_nothing(tmp_path, monkeypatch):
    progress, work = tmp_path / "progress.json", tmp_path / "work"
    monkeypatch.setenv("AIPM_PROGRESS_FILE", str(progress))
    monkeypatch.setenv("AIPM_WORK_DIR", str(work))
    monkeypatch.delenv("AIPM_PROGRESS", raising=False)
    rejudge._questions.cache_clear()
    ex = load("00", seed=11)
    answer = roundtrip(answer_record(_worked_answer(ex.q1)))
    assert rejudge_value("00", "q1", 11, "default", answer)[0] == "correct"
    assert rejudge_value("00", "q2", 11, "default", {"kind": "value", "value": "z"})[0] == "incorrect"
    expected_kinds("00", "q1"), title("00", "q1"), first_hint("00", "q1", 11, "default")
    assert not progress.exists() and not work.exists()
    ex.q1.check(1.0)  # the same check in a learner's notebook does record: the test can fail
    assert progress.exists()


# --------------------------------------------------------------------------------------------
# Functions: a separate process, then confirmed here
# --------------------------------------------------------------------------------------------


def function_item(module, question, seed, scenario, source, name):
    return {"module": module, "question": question, "seed": seed, "scenario": scenario,
            "record": {"kind": "function", "name": name, "source": source}}


def run_rejudge_process(items, env):
    done = subprocess.run(
        [sys.executable, "-m", "aipm_course.grading.rejudge"], input=json.dumps(items),
        capture_output=True, text=True, env=env, timeout=120, cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), done.stderr


def test_function_answers_are_judged_again_in_a_separate_process(tmp_path):
    progress, work = tmp_path / "progress.json", tmp_path / "work"
    env = {**os.environ, "AIPM_PROGRESS_FILE": str(progress), "AIPM_WORK_DIR": str(work)}
    env.pop("AIPM_PROGRESS", None)
    solutions = [("00", "q3", 3, "default"), ("01", "q6", 8, "fintech_fraud"), ("02", "q4", 21, "healthcare_triage")]
    items = []
    for module, question, seed, scenario in solutions:
        q = getattr(load(module, seed=seed, scenario=scenario), question)
        items.append(function_item(module, question, seed, scenario, q.solution().code, q.function_name))
    items += [
        function_item("00", "q3", 3, "default", "def precision(tp, fp):\n    return helper(tp) / (tp + fp)\n", "precision"),
        function_item("00", "q3", 3, "default", "def precision(tp, fp):\n    return tp / (tp + fp) * 100\n", "precision"),
        # prints, and checks an answer itself: neither reaches the results or any progress file
        function_item("00", "q3", 3, "default",
                      "def precision(tp, fp):\n    from aipm_course.exercises import load\n    load('00').q1.check(1)\n"
                      "    print('[{\"status\": \"forged\"}]')\n    return tp / (tp + fp) if tp + fp else 0.0\n", "precision"),
        # changes how judging works in that process: the verdict confirmed here does not change
        function_item("00", "q3", 3, "default",
                      "def precision(tp, fp):\n    import aipm_course.checking as c\n    c._values_match = lambda *a: True\n"
                      "    return 0\n", "precision"),
        function_item("00", "q3", 3, "default", "x = 1\n", "precision"),
        function_item("02", "q1", 3, "default", "def f():\n    return 1\n", "f"),
    ]
    results, stderr = run_rejudge_process(items, env)
    assert len(results) == len(items)
    confirmed = [confirm_function(item, result) for item, result in zip(items, results)]
    for result in confirmed[:3]:
        assert result["status"] == "re-judged" and result["outcome"] == "correct", result
    assert confirmed[3] == {"status": "not re-judged", "reason": results[3]["reason"]}
    assert "NameError" in results[3]["reason"] and "helper" in results[3]["reason"]
    assert confirmed[4]["outcome"] == "incorrect" and "100 times too big" in " ".join(confirmed[4]["details"])
    assert confirmed[5]["outcome"] == "correct" and "forged" in stderr
    assert confirmed[6]["outcome"] == "incorrect"
    assert confirmed[7]["status"] == "not re-judged" and "no function called precision" in confirmed[7]["reason"]
    assert confirmed[8]["status"] == "not re-judged" and "does not take a function" in confirmed[8]["reason"]
    assert not progress.exists() and not work.exists()


def test_confirming_judges_the_recorded_calls_and_refuses_what_it_cannot_read():
    q = load("00", seed=5).q3
    item = function_item("00", "q3", 5, "default", "", "precision")
    returns = [{"returned": q.reference(*case.args, **dict(case.kwargs))} for case in q.cases]
    assert confirm_function(item, {"status": "re-judged", "outcome": "incorrect", "calls": returns})["outcome"] == "correct"
    errors = [{"error": "ZeroDivisionError", "message": "division by zero"}] * len(q.cases)
    told = confirm_function(item, {"status": "re-judged", "outcome": "correct", "calls": errors})
    assert told["outcome"] == "incorrect" and "ZeroDivisionError: 'division by zero'" in told["details"][0]
    assert confirm_function(item, {"status": "re-judged", "outcome": "correct", "calls": [{"timeout": 4.5}]})["outcome"] == "incorrect"
    assert confirm_function(item, {"status": "re-judged", "calls": [{"placeholder": True}]})["outcome"] == "not attempted"
    for forged in ({"status": "re-judged", "outcome": "correct"}, {"status": "re-judged", "calls": [{"nonsense": 1}]},
                   {"status": "re-judged", "calls": returns * 2}, "correct", None):
        assert confirm_function(item, forged)["status"] == "not re-judged"


def test_rejudge_functions_in_process_refuses_items_it_cannot_read():
    results = rejudge_functions([{"module": "00"}, "q3", function_item("00", "q3", 0, "default", "def precision(:", "precision")])
    assert [r["status"] for r in results] == ["not re-judged"] * 3
    assert "SyntaxError" in results[2]["reason"]
    with pytest.raises(AipmError, match="items must be"):
        rejudge_functions({"module": "00"})


def test_a_structured_answer_with_fields_still_to_fill_is_recorded_and_judged_again_alike():
    from aipm_course.checking import PLACEHOLDER, answer_record, decode_value
    from aipm_course.exercises import load

    ex = load("02", seed=5, scenario="legal_review")
    answer = {"card_fraud": PLACEHOLDER, "cancer_screening": "false negative", "spam_filter": PLACEHOLDER, "cv_auto_reject": PLACEHOLDER}
    shown = ex.q9.check(answer)
    record = json.loads(json.dumps(answer_record(answer)))
    assert record["kind"] == "value"
    assert decode_value(record["value"])["card_fraud"] is PLACEHOLDER
    again = rejudge_value("02", "q9", 5, "legal_review", record)
    assert again[0] == shown.outcome.value and again[1] == shown.message


NOTEBOOK_CELL = '''import numpy as numeric_python
SCALE = 1.0

def ratio(a, b):
    return a / b if b else 0.0

def share_of(tp, fp):
    return SCALE * ratio(tp, tp + fp)

def precision(tp, fp):
    return float(numeric_python.float64(share_of(tp, fp)))
'''


def test_a_function_that_uses_helpers_from_its_notebook_is_recorded_with_them_and_judged_again(tmp_path):
    """As in a notebook: functions defined in __main__, calling each other, a constant and an
    aliased module. The record carries them, so the function runs again on its own."""
    cell = tmp_path / "cell.py"  # a file, so inspect.getsource finds the source (as IPython's cells are found)
    cell.write_text(NOTEBOOK_CELL, encoding="utf-8")
    namespace = {"__name__": "__main__"}
    exec(compile(NOTEBOOK_CELL, str(cell), "exec"), namespace)
    q = load("00", seed=4).q3
    assert q.check(namespace["precision"]).correct
    record = json.loads(json.dumps(answer_record(namespace["precision"])))
    assert set(record["helpers"]) == {"numeric_python", "SCALE", "ratio", "share_of"}
    assert record["helpers"]["numeric_python"] == {"module": "numpy"} and record["helpers"]["SCALE"] == {"value": 1.0}
    items = [{"module": "00", "question": "q3", "seed": 4, "scenario": "default", "record": record}]
    without = dict(record, helpers={})
    items.append(dict(items[0], record=without))
    results, _ = run_rejudge_process(items, {**os.environ, "AIPM_PROGRESS": "0"})
    assert confirm_function(items[0], results[0])["outcome"] == "correct", results[0]
    assert results[1]["status"] == "not re-judged" and "NameError" in results[1]["reason"]


def test_a_function_using_what_cannot_be_carried_is_told_so_in_the_notebook(tmp_path):
    source = ("class Thing:\n    factor = 1.0\n\nthing = Thing()\n\n"
              "def precision(tp, fp):\n    return thing.factor * tp / (tp + fp) if tp + fp else 0.0\n")
    cell = tmp_path / "cell.py"
    cell.write_text(source, encoding="utf-8")
    namespace = {"__name__": "__main__"}
    exec(compile(source, str(cell), "exec"), namespace)
    result = load("00", seed=4).q3.check(namespace["precision"])
    assert result.correct
    assert any("`thing`" in d and "cannot be carried" in d for d in result.details), result.details
    plain = {"__name__": "__main__"}
    exec(compile(NOTEBOOK_CELL, str(cell), "exec"), plain)
    assert not any("cannot be carried" in d for d in load("00", seed=4).q3.check(plain["precision"]).details)
