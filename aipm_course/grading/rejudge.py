"""Judge a learner's recorded answers again, against questions grading builds itself.

A notebook's check results are outputs, and a learner's code can print outputs too. So each check
carries the learner's answer as a record (:func:`aipm_course.checking.answer_record`), and grading
judges that record again against the questions it builds from the parameters (seed, scenario):

- A value (a number, an option, a dict of fields, a brief's text): :func:`rejudge_value`, here in
  grading's process. No learner code runs.
- A function (its source text): :func:`rejudge_functions`, in a separate process,
  ``python -m aipm_course.grading.rejudge`` (items as JSON on stdin, results as JSON on stdout),
  inside the sandbox, one learner's items per process. That process runs the learner's code, which
  could change how judging works there; so it also returns what the function returned for each
  test case ("calls"), and :func:`confirm_function` judges those values again in grading's process.
- Anything else (``"kind": "object"``) cannot be judged again: :class:`NotRejudged`.

:func:`expected_kinds` says which record kinds a real answer to a question can have. Nothing here
records progress or writes a file.
"""

from __future__ import annotations

import builtins
import functools
import json
import math
import os
import sys
import types
from collections.abc import Mapping
from typing import Any

from .. import exercises, validation
from ..checking import (
    PLACEHOLDER,
    ChoiceQuestion,
    FunctionQuestion,
    NumberQuestion,
    Question,
    StructuredQuestion,
    ValidationQuestion,
    _as_real,
    _displayable,
    _object_record,
    _time_left,
    _TimedOut,
    _TimeLimit,
    _type_name,
    answer_record,
    decode_value,
    is_unanswered,
    safe_repr,
)
from ..parameters import validate_parameters

__all__ = ["NotRejudged", "expected_kinds", "rejudge_value", "rejudge_functions", "confirm_function", "first_hint", "title", "main"]

REJUDGED = "re-judged"
NOT_REJUDGED = "not re-judged"

# The record kinds a real answer can have, by the kind of question. "none" is the placeholder ___,
# which any question can still hold (it is judged again as "not attempted").
_KINDS: tuple[tuple[tuple[type, ...], frozenset[str]], ...] = (
    ((FunctionQuestion,), frozenset({"none", "function"})),
    ((ValidationQuestion,), frozenset({"none", "value", "object"})),
    ((NumberQuestion, ChoiceQuestion, StructuredQuestion), frozenset({"none", "value"})),
)


class NotRejudged(validation.AipmError):
    """A recorded answer that cannot be judged again; the message says why."""


# --------------------------------------------------------------------------------------------
# The questions, built once per module, seed and scenario, with progress recording off
# --------------------------------------------------------------------------------------------


def _no_record(result: Any, module: str) -> None:
    """Judging again is not the learner's progress: nothing is written."""


@functools.lru_cache(maxsize=256)
def _questions(module: str, seed: int, scenario: str) -> dict[str, Question]:
    built = {}
    for question in exercises.load(module, seed=seed, scenario=scenario).questions:
        question._recorder = _no_record
        built[question.id] = question
    return built


def _question(module: Any, question: Any, seed: Any, scenario: Any) -> Question:
    if not isinstance(module, str) or module not in exercises.MODULES:
        raise NotRejudged(str(validation.fail("module", module, "one of " + ", ".join(exercises.MODULES))))
    if isinstance(seed, str) and seed.isascii() and seed.isdigit():
        seed = int(seed)  # parameters read back from a notebook or a roster
    try:
        seed, scenario = validate_parameters(seed, scenario)
    except validation.AipmError as exc:
        raise NotRejudged(str(exc)) from None
    questions = _questions(module, seed, scenario)
    if not isinstance(question, str) or question not in questions:
        raise NotRejudged(str(validation.fail("question", question, f"a question of module {module}: " + ", ".join(questions))))
    return questions[question]


def expected_kinds(module: str, question: str) -> set[str]:
    """The record kinds (see ``answer_record``) a real answer to this question can have: a function
    question takes {"function"}, a number, option or fields question {"value"}, a validated one
    (a brief, a plan) {"value", "object"}; each also "none" (the placeholder). Empty when the
    module or question is unknown, so no record is plausible."""
    try:
        found = _question(module, question, 0, "default")
    except NotRejudged:
        return set()
    for classes, kinds in _KINDS:
        if isinstance(found, classes):
            return set(kinds)
    return set()


def title(module: str, question: str) -> str:
    """The question's title, or "" for an unknown module or question."""
    try:
        return _question(module, question, 0, "default").title
    except NotRejudged:
        return ""


def first_hint(module: str, question: str, seed: Any = 0, scenario: str = "default") -> str:
    """The text of the question's first hint for these parameters, or "" when it cannot be built
    (the hint alone, without the notebook's pointer to the next one)."""
    try:
        hints = _question(module, question, seed, scenario).hints
    except NotRejudged:
        return ""
    return str(hints[0]) if hints else ""


# --------------------------------------------------------------------------------------------
# Values: judged again here
# --------------------------------------------------------------------------------------------


def _message(exc: BaseException, limit: int = 120) -> str:
    """An exception's message as plain text, even when its ``__str__`` fails."""
    try:
        text = str(exc)
    except Exception:  # noqa: BLE001 - a learner's exception may fail in any way
        return "(its message could not be read)"
    text = _displayable(text) if isinstance(text, str) else "(its message could not be read)"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _error_text(exc: BaseException) -> str:
    return f"{_type_name(exc)}: {_message(exc)}"


def _kind(record: Any) -> str:
    kind = record.get("kind") if isinstance(record, Mapping) else None
    return kind if isinstance(kind, str) else safe_repr(kind, 40)


def rejudge_value(module: str, question: str, seed: Any, scenario: str, record: Mapping[str, Any]) -> tuple[str, str, tuple[str, ...]]:
    """Judge a recorded value again: (outcome, message, details), the outcome as ``Outcome.value``
    ("correct", "incorrect", "not attempted"). The placeholder's record ("none") is judged too.
    Raises :class:`NotRejudged` for an unknown module or question, bad parameters, another kind
    of record, or a value that cannot be read."""
    found = _question(module, question, seed, scenario)
    if not isinstance(record, Mapping):
        raise NotRejudged(f"record {validation.show(record)} is not a value record (a dict such as answer_record returns), "
                          "so it cannot be judged again here")
    kind = _kind(record)
    if kind == "none":
        answer = PLACEHOLDER
    elif kind == "value" and "value" in record:
        try:
            answer = decode_value(record["value"])
        except Exception as exc:  # noqa: BLE001 - a forged record may hold anything
            raise NotRejudged(f"the recorded value could not be read ({_error_text(exc)})") from None
    else:
        raise NotRejudged(f"an answer recorded as {kind!r} is not a value, so it cannot be judged again here")
    result = found.check(answer)
    return result.outcome.value, result.message, result.details


# --------------------------------------------------------------------------------------------
# Functions: run in a separate process, judged again here from what they returned
# --------------------------------------------------------------------------------------------


def _function_question(item: Any) -> FunctionQuestion:
    if not isinstance(item, Mapping):
        raise NotRejudged(str(validation.fail("item", item, "a dict with module, question, seed, scenario and record")))
    found = _question(item.get("module"), item.get("question"), item.get("seed"), item.get("scenario", "default"))
    if not isinstance(found, FunctionQuestion):
        raise NotRejudged(f"question {item.get('module')} {item.get('question')} does not take a function")
    return found


def _define(record: Any, seconds: float) -> types.FunctionType:
    """The recorded function, defined on its own in a fresh namespace (math, np and pd imported)."""
    if _kind(record) != "function":
        raise NotRejudged(f"the answer recorded is {_kind(record)!r}, not a function")
    name, source = record.get("name"), record.get("source")
    if not (isinstance(name, str) and name.isidentifier() and isinstance(source, str)):
        raise NotRejudged("the recorded function has no name or no source text")
    import numpy
    import pandas

    namespace = {"__name__": "recorded_answer", "__builtins__": builtins, "math": math, "np": numpy, "pd": pandas, "___": PLACEHOLDER}
    limit = _TimeLimit(seconds)
    try:
        with limit:
            _define_helpers(record.get("helpers"), namespace)
            exec(compile(source, "<recorded answer>", "exec"), namespace)  # noqa: S102 - the sandboxed process's job
    except _TimedOut as exc:
        if exc.limit is not limit:
            raise
        raise NotRejudged(f"defining the function took longer than {seconds:g} s") from None
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - a NameError (a helper defined elsewhere), a syntax error, ...
        raise NotRejudged(f"the function cannot be defined on its own ({_error_text(exc)})") from None
    function = namespace.get(name)
    if type(function) is not types.FunctionType:
        raise NotRejudged(f"the recorded source defines no function called {name}")
    return function


def _define_helpers(helpers: Any, namespace: dict[str, Any]) -> None:
    """Put back what the function used from the notebook: modules (from a short list), plain values,
    and helper functions (defined from their source)."""
    import importlib

    from ..checking import RECORDABLE_MODULES, decode_value

    if not isinstance(helpers, Mapping):
        return
    for name, helper in helpers.items():
        if not (isinstance(name, str) and name.isidentifier() and isinstance(helper, Mapping)):
            continue
        if helper.get("module") in RECORDABLE_MODULES:
            namespace[name] = importlib.import_module(helper["module"])
        elif "value" in helper:
            namespace[name] = decode_value(helper["value"])
    for name, helper in helpers.items():
        if isinstance(name, str) and isinstance(helper, Mapping) and isinstance(helper.get("source"), str):
            exec(compile(helper["source"], f"<recorded helper {name}>", "exec"), namespace)  # noqa: S102


def _returned(got: Any) -> dict[str, Any]:
    """What one call returned, as JSON data ``_replay`` gives back to the check."""
    if got is not None and got is not Ellipsis and is_unanswered(got):
        return {"placeholder": True}
    record = answer_record(got)
    if record["kind"] == "value":
        return {"returned": record["value"]}
    number = _as_real(got)  # a one-element array or a Decimal is compared as its number
    if number is not None:
        return {"returned": answer_record(number)["value"]}
    return {"object": _object_record(got)["type"], "repr": safe_repr(got, 40)}


def _run_cases(question: FunctionQuestion, function: types.FunctionType) -> list[dict[str, Any]]:
    """Call the function on each test case, under the check's limits, and keep what each returned."""
    calls: list[dict[str, Any]] = []
    outer = _TimeLimit(question.check_time_limit)
    try:
        with outer:
            for case in question.cases:
                seconds = min(question.time_limit, 0.9 * _time_left())
                inner = _TimeLimit(seconds)
                try:
                    with inner:
                        got = function(*case.args, **dict(case.kwargs))
                except _TimedOut as exc:
                    if exc.limit is not inner:
                        raise
                    calls.append({"timeout": round(seconds, 2)})
                    break
                except KeyboardInterrupt:
                    raise
                except NameError as exc:
                    raise NotRejudged(f"it uses a name defined elsewhere in the notebook ({_error_text(exc)})") from None
                except BaseException as exc:  # noqa: BLE001 - the learner's error is part of the answer
                    calls.append({"error": _type_name(exc)[:80], "message": _message(exc, 200)})
                    continue
                calls.append(_returned(got))
    except _TimedOut as exc:
        if exc.limit is not outer:
            raise
        calls.append({"timeout": round(question.check_time_limit, 2)})
    return calls


def _rejudge_function(item: Any) -> dict[str, Any]:
    try:
        question = _function_question(item)
        function = _define(item.get("record"), question.check_time_limit)
        calls = _run_cases(question, function)
        return {**_replay(question, calls), "calls": calls}
    except NotRejudged as exc:
        return {"status": NOT_REJUDGED, "reason": str(exc)}


def rejudge_functions(items: list[dict]) -> list[dict]:
    """Run each recorded function on its question's test cases and judge it. Each item is a dict:
    module, question, seed, scenario and record (``{"kind": "function", ...}``). Each result is
    ``{"status": "re-judged", "outcome", "message", "details", "calls"}`` or
    ``{"status": "not re-judged", "reason"}`` (a helper or value defined elsewhere in the
    notebook: NameError; source that does not define the function; another kind of record).

    This runs the learner's code: call it only in a separate, sandboxed process (``main``), one
    learner's items per process, and confirm each verdict with :func:`confirm_function`."""
    if not isinstance(items, list):
        raise validation.fail("items", items, "a list of dicts (module, question, seed, scenario, record)")
    return [_rejudge_function(item) for item in items]


class _Returned:
    """A value a call returned that is not plain data: shown as it was, equal to nothing."""

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return self.text


def _error(name: str) -> type[Exception]:
    """An exception class named as the learner's error was, so feedback names it the same."""
    return type(name if name.isidentifier() else "Error", (Exception,), {})


def _replayed_call(call: Mapping[str, Any]) -> Any:
    if "returned" in call:
        return decode_value(call["returned"])
    if "placeholder" in call:
        return PLACEHOLDER
    if "object" in call:
        return _Returned(str(call.get("repr", call["object"])))
    if "timeout" in call:
        raise _error("TimeoutError")(f"it did not finish within {call['timeout']} s; look for a loop that never ends")
    raise _error(str(call.get("error", "Error")))(str(call.get("message", "")))


def _checked_calls(calls: Any, question: FunctionQuestion) -> list[Mapping[str, Any]]:
    known = ("returned", "placeholder", "object", "timeout", "error")
    if not (isinstance(calls, list) and len(calls) <= len(question.cases)):
        raise NotRejudged(f"the separate process returned no readable calls (got {safe_repr(calls, 60)})")
    for call in calls:
        if not (isinstance(call, Mapping) and any(key in call for key in known)):
            raise NotRejudged(f"the separate process returned a call grading cannot read: {safe_repr(call, 60)}")
    return calls


def _replay(question: FunctionQuestion, calls: list[Mapping[str, Any]]) -> dict[str, Any]:
    """Judge the function again from what it returned, case by case (no learner code runs)."""
    pending = iter(calls)

    def replayed(*args: Any, **kwargs: Any) -> Any:
        call = next(pending, None)
        if call is None:
            raise _error("NotRun")("not run: an earlier case did not finish in time")
        return _replayed_call(call)

    result = question.check(replayed)
    return {"status": REJUDGED, "outcome": result.outcome.value, "message": result.message, "details": list(result.details)}


def confirm_function(item: Mapping[str, Any], result: Mapping[str, Any]) -> dict[str, Any]:
    """Judge a function answer again in this process, from the return values the separate process
    recorded for each test case (its "calls"), so code the learner ran there cannot change the
    verdict. A result that was not re-judged is passed on, with its reason."""
    if not isinstance(result, Mapping) or result.get("status") != REJUDGED:
        reason = result.get("reason") if isinstance(result, Mapping) else None
        text = reason if isinstance(reason, str) and reason else "the separate process gave no verdict"
        return {"status": NOT_REJUDGED, "reason": _displayable(text)[:300]}
    try:
        question = _function_question(item)
        return {**_replay(question, _checked_calls(result.get("calls"), question)), "calls": list(result["calls"])}
    except NotRejudged as exc:
        return {"status": NOT_REJUDGED, "reason": str(exc)}
    except Exception as exc:  # noqa: BLE001 - a forged result may hold anything
        return {"status": NOT_REJUDGED, "reason": f"the separate process's answer could not be read ({_type_name(exc)})"}


# --------------------------------------------------------------------------------------------
# The separate process
# --------------------------------------------------------------------------------------------


def main() -> int:
    """``python -m aipm_course.grading.rejudge``: items as JSON on stdin, the results as JSON on
    stdout. What the learner's code prints goes to stderr, never into the results."""
    os.environ["AIPM_PROGRESS"] = "0"  # a learner's code that checks answers records nothing
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    try:
        items = json.loads(sys.stdin.read())
        results = rejudge_functions(items)
    except (ValueError, validation.AipmError) as exc:
        print(f"rejudge: stdin must hold a JSON list of items (module, question, seed, scenario, record): {exc}", file=sys.stderr)
        return 2
    out.write(json.dumps(results) + "\n")
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
