"""The exercise mechanism: questions with check, hints and a solution (taught in lesson 00).

A question is an object. ``q.check(answer)`` returns a :class:`CheckResult` with exactly one of
three outcomes: correct, incorrect (with feedback that teaches) or not attempted. ``q.hint()``,
``q.hint(2)`` give tiered hints; ``q.solution()`` the worked answer.

A check never raises, whatever the learner passes in: a wrong type, NaN, a function that fails,
an object whose comparison fails. Each becomes an incorrect outcome with a message. A check never
hangs either (judging runs under a time limit, :attr:`Question.check_time_limit`, main thread on
Unix), and its feedback is always text a display can encode (lone surrogates are escaped).

Each result carries the answer it judged as plain data (:func:`answer_record`), so grading can
judge it again in its own process instead of trusting the outcome a notebook shows.
"""

from __future__ import annotations

import builtins
import copy
import dataclasses
import decimal
import difflib
import enum
import html
import inspect
import json
import math
import numbers
import re
import signal
import sys
import textwrap
import threading
import time
import types
from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = [
    "___",
    "PLACEHOLDER",
    "Outcome",
    "CheckResult",
    "RichText",
    "Question",
    "NumberQuestion",
    "ChoiceQuestion",
    "FunctionQuestion",
    "StructuredQuestion",
    "ValidationQuestion",
    "NumberSpec",
    "ChoiceSpec",
    "TextSpec",
    "Case",
    "Mistake",
    "Slip",
    "Precision",
    "significant",
    "decimals",
    "whole",
    "choice",
    "is_unanswered",
    "safe_repr",
    "answer_record",
    "decode_value",
]

CHECK_MIME_TYPE = "application/vnd.aipm.check+json"
ROUND_UP = "You can't have part of a person or a day: round up to the next whole number."


class _Placeholder:
    """The blank a learner replaces with an answer. It counts as "not attempted"."""

    _instance: _Placeholder | None = None

    def __new__(cls) -> _Placeholder:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "___"

    def __bool__(self) -> bool:
        return False

    def __reduce__(self):
        return (_Placeholder, ())


___ = _Placeholder()
PLACEHOLDER = ___


def is_unanswered(value: Any) -> bool:
    """Return True for the placeholder, ``None`` and ``...``: the answers that mean "not yet"."""
    if value is None or value is Ellipsis or value is PLACEHOLDER:
        return True
    # A placeholder from a reloaded copy of this module is still a placeholder.
    return type(value).__name__ == "_Placeholder"


def _displayable(text: Any) -> str:
    """Text any display can encode: a plain ``str`` whose characters UTF-8 cannot carry (lone
    surrogates such as ``"\\ud800"``) are written as backslash escapes. Not text: its safe repr."""
    if not isinstance(text, str):
        return safe_repr(text)
    # str.encode, not text.encode: a str subclass from a learner may override its methods.
    return str.encode(text, "utf-8", "backslashreplace").decode("utf-8")


def safe_repr(value: Any, limit: int = 80) -> str:
    """Return a short one-line repr of any object, even one whose ``__repr__`` fails. The text
    always encodes as UTF-8 (lone surrogates are escaped), so any display can show it."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 8 <= limit <= 100_000:
        from . import validation

        raise validation.fail("limit", limit, "a whole number of characters from 8 to 100,000")
    if isinstance(value, str) and str.__len__(value) > limit - 2:
        return _displayable(repr(str.__getitem__(value, slice(0, max(limit - 5, 1))) + "..."))
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - a learner's object may fail in any way
        text = f"<{_type_name(value)} object>"
    if not isinstance(text, str):
        text = f"<{_type_name(value)} object>"
    text = _displayable(text)
    text = re.sub(r"\s*\n\s*", " ", text)  # tables and arrays print over several lines
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text


def _exc_text(exc: BaseException, limit: int) -> str:
    """The message of an exception, even one whose ``__str__`` fails; always displayable."""
    try:
        text = str(exc)
    except Exception:  # noqa: BLE001 - a learner's exception may fail in any way
        return "(its message could not be read)"
    return safe_repr(text, limit)


def _type_name(value: Any) -> str:
    try:
        return _displayable(str(type(value).__name__))
    except Exception:  # noqa: BLE001
        return "object"


class Outcome(enum.Enum):
    """The three outcomes of a check."""

    CORRECT = "correct"
    INCORRECT = "incorrect"
    NOT_ATTEMPTED = "not attempted"


_LOOK = {
    Outcome.CORRECT: ("✓", "Correct", "#1a7f37", "#dafbe1"),
    Outcome.INCORRECT: ("✗", "Not yet", "#9a3412", "#fff1e5"),
    Outcome.NOT_ATTEMPTED: ("…", "Not attempted", "#57606a", "#f6f8fa"),
}


def _inline_html(text: str) -> str:
    """Escape text for HTML, then turn `code` spans and **bold** into tags."""
    escaped = html.escape(text)
    escaped = re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped)
    escaped = re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", escaped)
    return escaped.replace("\n", "<br>")


@dataclasses.dataclass(frozen=True)
class CheckResult:
    """The outcome of one check, with the feedback a learner reads."""

    question_id: str
    title: str
    outcome: Outcome
    message: str
    details: tuple[str, ...] = ()
    parameters: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    module: str = ""
    answer: Mapping[str, Any] = dataclasses.field(default_factory=dict)  # see answer_record

    def __post_init__(self):
        # Feedback echoes the learner's values: make every text displayable once, here, so a lone
        # surrogate can never stop Jupyter's message packer (or a grading run) with UnicodeEncodeError.
        for name in ("question_id", "title", "message", "module"):
            object.__setattr__(self, name, _displayable(getattr(self, name)))
        object.__setattr__(self, "details", tuple(_displayable(d) for d in self.details))

    @property
    def label(self) -> str:
        """The question's name as shown to the learner, e.g. "00 q1"."""
        return f"{self.module} {self.question_id}".strip()

    @property
    def correct(self) -> bool:
        return self.outcome is Outcome.CORRECT

    def __bool__(self) -> bool:
        return self.correct

    def as_dict(self) -> dict[str, Any]:
        """Return the result as plain JSON-ready values (used by progress and grading)."""
        return {
            "module": self.module,
            "question": self.question_id,
            "title": self.title,
            "outcome": self.outcome.value,
            "message": self.message,
            "details": list(self.details),
            "parameters": dict(self.parameters),
            "answer": dict(self.answer),
        }

    def __str__(self) -> str:
        icon, label, _, _ = _LOOK[self.outcome]
        lines = [f"{icon} {label} [{self.label}] {self.title}".rstrip(), self.message]
        lines += [f"  - {d}" for d in self.details]
        return "\n".join(line for line in lines if line)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        icon, label, colour, background = _LOOK[self.outcome]
        items = "".join(f"<li>{_inline_html(d)}</li>" for d in self.details)
        details = f"<ul style='margin:4px 0 0 0'>{items}</ul>" if items else ""
        return (
            f"<div class='aipm-check aipm-{self.outcome.name.lower()}' "
            f"style='border-left:6px solid {colour};background:{background};"
            f"padding:6px 10px;margin:4px 0;color:#1f2328'>"
            f"<strong style='color:{colour}'>{icon} {label}</strong> "
            f"<span style='color:#57606a'>[{html.escape(self.label)}] "
            f"{html.escape(self.title)}</span>"
            f"<div>{_inline_html(self.message)}</div>{details}</div>"
        )

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {
            "text/plain": str(self),
            "text/html": self._repr_html_(),
            CHECK_MIME_TYPE: self.as_dict(),
        }


@dataclasses.dataclass(frozen=True)
class RichText:
    """A block of text (a prompt, a hint, a solution) that renders nicely in JupyterLab."""

    heading: str
    body: str
    code: str = ""

    def __str__(self) -> str:
        parts = [self.heading, self.body]
        if self.code:
            parts.append("\n".join("    " + line for line in self.code.splitlines()))
        return "\n".join(p for p in parts if p)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        code = (
            f"<pre style='background:#f6f8fa;padding:6px'><code>{html.escape(self.code)}</code></pre>"
            if self.code
            else ""
        )
        return (
            f"<div class='aipm-text' style='border-left:6px solid #0969da;padding:6px 10px;"
            f"margin:4px 0'><strong>{_inline_html(self.heading)}</strong>"
            f"<div>{_inline_html(self.body)}</div>{code}</div>"
        )


# --------------------------------------------------------------------------------------------
# Specs: how one value is judged. Questions use one spec; structured answers use one per field.
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Mistake:
    """A known wrong answer (a named slip) and the feedback that teaches what went wrong.

    ``value`` may be a number or a function of no arguments that computes it: a slip that cannot
    be computed for some parameters (no crossing point, a division by zero) is then dropped
    instead of crashing the question.
    """

    value: Any
    feedback: str
    also: tuple[float, ...] = ()  # other values that give the same feedback (merged slips)

    @property
    def values(self) -> tuple[Any, ...]:
        return (self.value, *self.also)


Slip = Mistake


def _slip_value(mistake: Mistake) -> float | None:
    """The slip's number, or None when it cannot be computed or is not a finite number."""
    value = mistake.value
    try:
        if callable(value):
            value = value()
        number = _as_real(value)
    except Exception:  # noqa: BLE001 - an uncomputable slip is dropped, never a crash
        return None
    return number if number is not None and math.isfinite(number) else None


def distinct_mistakes(expected: float, mistakes: Sequence[Mistake], rel_tol: float = 1e-3, abs_tol: float = 1e-12, precision: Precision | None = None) -> tuple[Mistake, ...]:
    """Drop slips that cannot be computed or that agree with the right answer, and merge slips
    that give the same number, so feedback never calls a right answer wrong or names the wrong
    slip. With a ``precision``, "agree" means agree at that precision; else within the tolerances."""
    def same(a: float, b: float) -> bool:
        if precision is not None:
            return precision.indistinct(a, b)
        return math.isclose(a, b, rel_tol=rel_tol, abs_tol=abs_tol)

    kept: list[Mistake] = []
    for m in mistakes:
        value = _slip_value(m)
        if value is None or same(value, expected):
            continue
        twin = next((i for i, k in enumerate(kept) if same(k.value, value)), None)
        if twin is None:
            kept.append(Mistake(value, m.feedback))
        elif m.feedback not in kept[twin].feedback:
            merged = f"Two different slips give this number. Either: {kept[twin].feedback} Or: {m.feedback}"
            kept[twin] = Mistake(kept[twin].value, merged, (*kept[twin].also, value))
        else:
            kept[twin] = Mistake(kept[twin].value, kept[twin].feedback, (*kept[twin].also, value))
    return tuple(kept)


_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}


def _unit_at(value: float, kind: str, digits: int) -> float:
    """The size of one step in the last place the precision keeps, e.g. 0.001 for 0.885 at 3 s.f."""
    if kind == "decimals":
        return 10.0 ** -digits
    if value == 0:
        return 10.0 ** -(digits + 6)
    # At least the smallest normal float: a step below it underflows to 0 (a subnormal answer such as 5e-324).
    return max(10.0 ** (math.floor(math.log10(abs(value))) - digits + 1), sys.float_info.min)


_HALF_UP = decimal.Context(prec=60, rounding=decimal.ROUND_HALF_UP)


def _round_half_up(value: float, places: int) -> float:
    """``value`` rounded to ``places`` decimal places as a person rounds: a half goes up, away from zero
    (112,500 to three significant figures is 113,000, and 2.675 to two places is 2.68), reading the
    number as it prints. Python's ``round`` sends a half to the even digit and works on the binary value."""
    if not math.isfinite(value) or abs(value) < 1e-300 or abs(places) > 40:
        return round(value, places)
    exact = decimal.Decimal(repr(value))
    return float(exact.quantize(decimal.Decimal(1).scaleb(-places), context=_HALF_UP))


@dataclasses.dataclass(frozen=True)
class Precision:
    """The precision a numeric question asks for, stated in its prompt: the answer policy.

    ``kind`` is "sig" (significant figures), "decimals" (decimal places), or "whole" (a whole
    number; ``rounding`` says "up", "down" or "nearest"). An answer is right when it agrees with
    the expected value at that precision: it rounds to the same value, or lies within half a step
    of the last kept place. So the value ``solution()`` and the lesson print is always accepted.
    """

    kind: str = "sig"
    digits: int = 3
    rounding: str = "nearest"

    def __post_init__(self):
        from . import validation

        validation.one_of("kind", self.kind, ("sig", "decimals", "whole"))
        validation.one_of("rounding", self.rounding, ("up", "down", "nearest"))
        validation.count("digits", self.digits, minimum=0, maximum=15)
        if self.kind not in ("sig", "decimals", "whole"):
            raise ValueError(f"kind must be 'sig', 'decimals' or 'whole', got {self.kind!r}")
        if self.rounding not in ("up", "down", "nearest"):
            raise ValueError(f"rounding must be 'up', 'down' or 'nearest', got {self.rounding!r}")

    # -- how it reads --------------------------------------------------------------------------
    @property
    def phrase(self) -> str:
        """The precision in words, e.g. "to three significant figures"."""
        digits = _WORDS.get(self.digits, str(self.digits))
        if self.kind == "sig":
            return f"to {digits} significant figure{'s' if self.digits != 1 else ''}"
        if self.kind == "decimals":
            return f"to {digits} decimal place{'s' if self.digits != 1 else ''}"
        return {"up": "as a whole number, rounded up", "down": "as a whole number, rounded down"}.get(self.rounding, "as a whole number")

    @property
    def instruction(self) -> str:
        return f"Give it {self.phrase}."

    def round(self, value: float) -> float:
        """The value as a learner should write it at this precision."""
        if self.kind == "whole":
            slack = 1e-9 * max(1.0, abs(value))  # 12.000000001 from floating point is 12
            if self.rounding == "up":
                return float(math.ceil(value - slack))
            if self.rounding == "down":
                return float(math.floor(value + slack))
            return float(math.floor(value + 0.5))
        unit = _unit_at(value, self.kind, self.digits)
        places = -round(math.log10(unit))
        return _round_half_up(value, places)

    def format(self, value: float, percent: bool = False) -> str:
        """The value written at this precision, e.g. "0.885", "4,040", "27.1%" (percent=True)."""
        if percent:
            shown = Precision(self.kind, self.digits if self.kind == "sig" else max(self.digits - 2, 0), self.rounding)
            return shown.format(value * 100) + "%"
        rounded = self.round(value)
        if self.kind == "whole":
            return f"{int(rounded):,}"
        unit = _unit_at(rounded or value, self.kind, self.digits)  # 9.96 at two figures is 10, not 10.0
        places = max(0, -round(math.log10(unit)))
        return f"{rounded:,.{places}f}"

    # -- how it judges -------------------------------------------------------------------------
    def agrees(self, answer: float, expected: float) -> bool:
        """True when the answer is the expected value at this precision."""
        if self.kind == "whole":
            return answer == self.round(expected)
        if self._far_apart(answer, expected):  # the quick answer for a value several steps away
            return False
        if self.round(answer) == self.round(expected):
            return True
        half = 0.5 * _unit_at(expected, self.kind, self.digits)
        return abs(answer - expected) <= half * (1 + 1e-9) + 1e-15

    def near(self, answer: float, target: float) -> bool:
        """True when the answer is the target up to rounding (used to recognise a slip)."""
        if self.kind == "whole":
            return math.floor(target) - 1e-9 <= answer <= math.ceil(target) + 1e-9 or self.agrees(answer, target)
        return self.agrees(answer, target)

    def indistinct(self, a: float, b: float) -> bool:
        """True when two values cannot be told apart at this precision (a slip equal to the answer)."""
        if self._far_apart(a, b):  # the quick answer for most pairs; the same verdict as the full test
            return False
        return self.near(a, b) or self.near(b, a) or self.near(self.round(b), a) or self.near(self.round(a), b)

    def _far_apart(self, a: float, b: float) -> bool:
        """True when a and b are more than a few steps of the last kept place apart, so no rounding joins them."""
        gap, size = abs(a - b), max(abs(a), abs(b))
        if self.kind == "whole":
            return gap > 3 + 1e-8 * size
        step = 10.0 ** -self.digits if self.kind == "decimals" else size * 10.0 ** (1 - self.digits)
        return gap > 4 * step + 1e-12

    def close(self, answer: float, expected: float) -> bool:
        """True when the answer is really a rounding away: the answer rounded one figure too early, or
        within one and a half steps of the last place."""
        if self.kind == "whole":
            return False
        if self.digits > 1 and answer == Precision(self.kind, self.digits - 1).round(expected):
            return True  # rounded one figure too early: 0.0032 for 0.00322
        return abs(answer - expected) <= 1.5 * _unit_at(expected, self.kind, self.digits)


def significant(digits: int = 3) -> Precision:
    """Three significant figures (by default): 0.885, 4,040, 0.00398."""
    return Precision("sig", digits)


def decimals(digits: int) -> Precision:
    """A fixed number of decimal places: a share to three decimals is 0.271."""
    return Precision("decimals", digits)


def whole(rounding: str = "nearest") -> Precision:
    """A whole number: people and days are rounded up (``whole("up")``)."""
    return Precision("whole", 0, rounding)


def _as_real(value: Any) -> float | None:
    """Return value as a float if it is a single real number (not a bool), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, decimal.Decimal):
        return float(value)
    # NumPy 0-d arrays and one-element arrays of numbers
    shape = getattr(value, "shape", None)
    if shape is not None and getattr(value, "size", None) == 1 and hasattr(value, "item"):
        item = value.item()
        if isinstance(item, numbers.Real) and not isinstance(item, bool):
            return float(item)
    return None


def _describe_type(value: Any) -> str:
    """Describe a value in plain words, e.g. "a list ([1, 2])" or "a table column"."""
    name = _type_name(value)
    if isinstance(value, str):
        return f"the text {safe_repr(value, 40)}"
    if isinstance(value, bool):
        return f"the value {value} (a yes/no value, not a number)"
    if isinstance(value, type):
        cls = _displayable(getattr(value, "__name__", name))
        return f"the class {cls} itself; create one first, e.g. `{cls}(...)`"
    if callable(value):
        return f"a function ({_displayable(getattr(value, '__name__', name))})"
    if name == "Series":
        return "a table column (pandas Series); pick one value from it"
    if name == "DataFrame":
        return "a table (pandas DataFrame); pick one value from it"
    if name == "ndarray":
        size = getattr(value, "size", "several")
        return f"an array of {size} values ({safe_repr(value, 40)})"
    if isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, int) for v in value):
        return f"two numbers ({safe_repr(value, 40)}). If you wrote a decimal comma, use a point: 0.5, not 0,5"
    if isinstance(value, (list, tuple, set, dict)):
        kinds = {"list": "a list", "tuple": "a tuple", "set": "a set", "dict": "a dict"}
        return f"{kinds.get(name, 'a collection')} ({safe_repr(value, 40)})"
    if isinstance(value, complex):
        return f"a complex number ({safe_repr(value, 40)})"
    numeric = _numeric_attributes(value)
    if numeric:
        listed = ", ".join(f"`.{n}`" for n in numeric[:4])
        return f"a result object ({name}); take the number you need from it, e.g. {listed}"
    return f"a value of type {name} ({safe_repr(value, 40)})"


def _numeric_attributes(value: Any) -> list[str]:
    """The names of a dataclass result's numeric fields and properties, e.g. ["volume", "per_day"]."""
    if not dataclasses.is_dataclass(value) or isinstance(value, type):
        return []
    names = [f.name for f in dataclasses.fields(value)]
    names += [n for n, member in vars(type(value)).items() if isinstance(member, property) and not n.startswith("_")]
    found = []
    for n in names:
        try:
            attribute = getattr(value, n)
        except Exception:  # noqa: BLE001 - describing a value must never raise
            continue
        if _as_real(attribute) is not None:
            found.append(n)
    return found


def _number_from_text(text: str, fraction: bool = True) -> str | None:
    """Return advice when a learner typed a number as text, or None if it is not one."""
    stripped = text.strip()
    if stripped.endswith("%"):
        try:
            float(stripped[:-1].replace(",", "."))
        except ValueError:
            return None
        if fraction:
            return "Write it as a share without the % sign and quotes: 25% is 0.25."
        return "Write it as a plain number, without the % sign and the quotes."
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", stripped):
        return "Write it as a plain number, without quotes and without the thousands comma: 6510, not \"6,510\"."
    if re.fullmatch(r"-?\d+,\d+", stripped):
        return "Write it as a number with a decimal point and no quotes: 0.5, not \"0,5\"."
    try:
        float(stripped.replace(",", ""))
    except ValueError:
        return None
    return "That is a number in quotes, so Python reads it as text. Remove the quotes."


_FACTORS = (10, 100, 1000)
_GENERIC = "is not right yet. Re-read the question, or ask for a hint."


@dataclasses.dataclass(frozen=True)
class NumberSpec:
    """A number, judged by the answer policy.

    With a ``precision`` (what exercises use) the answer is right when it agrees with
    ``expected`` at that precision. Without one, it is right within the tolerances:
    |answer - expected| <= max(abs_tol, rel_tol*|expected|).

    A wrong answer gets, in this order: the feedback of a named slip it matches; a message for a
    percentage given for a share (or the reverse), a factor of 10, 100 or 1,000, the reciprocal,
    the wrong sign or the wrong rounding direction; "close" only when it is a rounding away.
    """

    expected: float
    rel_tol: float = 1e-3
    abs_tol: float = 0.0
    units: str = ""
    mistakes: tuple[Mistake, ...] = ()
    fraction: bool = False  # True when the answer is a share between 0 and 1
    whole: bool = False  # True when the answer is a count of people, days or users: a whole number
    precision: Precision | None = None
    percent: bool = False  # True when the answer is asked for as a percentage (27.1 for 27.1%)

    def __post_init__(self):
        if self.precision is not None and self.precision.kind == "whole":
            object.__setattr__(self, "whole", True)
        kept = distinct_mistakes(self.expected, self.mistakes, self.rel_tol, max(self.abs_tol, 1e-12), self.precision)
        object.__setattr__(self, "mistakes", kept)

    def close(self, value: float, target: float) -> bool:
        if self.precision is not None:
            return self.precision.agrees(value, target)
        return abs(value - target) <= max(self.abs_tol, self.rel_tol * abs(target))

    def _near(self, value: float, target: float) -> bool:
        """True when the value is the target up to rounding (recognises a slip or a transform)."""
        if self.precision is not None:
            return self.precision.near(value, target)
        return self.close(value, target)

    def _near_loosely(self, value: float, target: float) -> bool:
        """True when the value is the target up to rounding, or at two significant figures: a
        learner who slips a factor or a sign also tends to round (8.3 for 8.264%)."""
        return self._near(value, target) or Precision("sig", 2).agrees(value, target)

    def judge(self, answer: Any) -> tuple[bool, str]:
        number = _as_real(answer)
        if number is None:
            if isinstance(answer, str):
                advice = _number_from_text(answer, self.fraction)
                if advice:
                    return False, f"Your answer is {_describe_type(answer)}. {advice}"
            return False, f"Expected a single number, got {_describe_type(answer)}."
        if math.isnan(number):
            return False, "Your answer is NaN (not a number). Check for a division by zero or a missing value."
        if math.isinf(number):
            return False, "Your answer is infinite. Check for a division by zero."
        if self.whole and abs(number - round(number)) <= 1e-9 * max(1.0, abs(number)):
            number = float(round(number))  # 6400.000000000001 from floating point is 6,400
        if self.whole and number != math.floor(number):
            return False, self._not_whole(number)
        if self.close(number, self.expected):
            return True, f"{_fmt(number)}{(' ' + self.units) if self.units else ''} is right."
        slip = self._slip(number)
        return False, slip if slip is not None else self._generic(number)

    def _slip(self, number: float) -> str | None:
        """The feedback of the named slip the answer matches, if any."""
        for mistake in self.mistakes:
            if any(self._near(number, value) for value in mistake.values):
                return mistake.feedback
        return None

    def _not_whole(self, number: float) -> str:
        target = self.precision.round(self.expected) if self.precision else self.expected
        if math.ceil(number) == target:
            return ROUND_UP
        if math.floor(number) == target and self.precision is not None and self.precision.rounding == "down":
            return "Round down to a whole number: only complete ones count."
        slip = self._slip(number)
        if slip is not None:
            return slip
        return f"Give a whole number ({_fmt(number)} is not one), then check the steps before."

    def _generic(self, number: float) -> str:
        """The message for a wrong answer that matches no named slip."""
        e = self.expected
        if e != 0 and self.fraction and not self.percent and self._near_loosely(number, e * 100):
            return "That looks like a percentage. Give the answer as a share between 0 and 1 (0.25 for 25%)."
        if e != 0 and self.percent and self._near_loosely(number, e / 100):
            return "That looks like a share. This question asks for a percentage: 25 for 25%, not 0.25."
        if e != 0 and self._near_loosely(number, -e):
            return "The size is right but the sign is wrong."
        rounding = self._rounding_direction(number)
        if rounding:
            return rounding
        if self._is_close(number):
            return f"{_fmt(number)} is close: it is a rounding away. Keep every digit until the last step, then round {self._phrase()}."
        if e != 0:
            for factor in _FACTORS:
                if self._near_loosely(number, e * factor):
                    return f"{_fmt(number)} is about {factor:,} times too big. Check the units (per thousand or per one, cents or dollars, days or hours) and where the decimal point sits."
                if self._near_loosely(number, e / factor):
                    return f"{_fmt(number)} is about {factor:,} times too small. Check the units (per thousand or per one, cents or dollars, days or hours) and where the decimal point sits."
            # Near 1 a value and its reciprocal look alike: name the reciprocal only when they are far apart.
            apart = abs(1 / e - e) > 0.1 * max(abs(e), abs(1 / e))
            if apart and self._near_loosely(number, 1 / e):
                return "That looks upside down: you divided the other way round. Check which quantity goes on top."
        return f"{_fmt(number)} {_GENERIC}"

    def _rounding_direction(self, number: float) -> str:
        p = self.precision
        if p is None:
            if self.whole and number == self.expected - 1 - self.abs_tol:
                return "One short: round up, not down. Part of a person or a day still needs a whole one."
            return ""
        if p.kind != "whole":
            return ""
        target = p.round(self.expected)
        if p.rounding == "up" and number == target - 1 and target - 1 < self.expected:
            return "One short: round up, not down. Part of a person or a day still needs a whole one."
        if p.rounding == "down" and number == target + 1:
            return "One too many: round down here, because only complete ones count."
        if p.rounding == "nearest" and abs(number - self.expected) < 1.5:
            return "Round to the nearest whole number."
        return ""

    def _is_close(self, number: float) -> bool:
        if self.precision is not None:
            return self.precision.close(number, self.expected)
        return self.rel_tol > 0 and self.expected != 0 and abs(number - self.expected) <= 10 * self.rel_tol * abs(self.expected)

    def _phrase(self) -> str:
        return self.precision.phrase if self.precision is not None else "at the end"


def _fmt(value: float) -> str:
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    if 1_000 <= abs(value) < 1e15:
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{value:.6g}"


@dataclasses.dataclass(frozen=True)
class ChoiceSpec:
    """One option among several, given by its key (e.g. "b"); case and spaces are ignored."""

    options: Mapping[str, str]
    correct: str
    feedback: Mapping[str, str] = dataclasses.field(default_factory=dict)
    aliases: Mapping[str, str] = dataclasses.field(default_factory=dict)  # other ways to write a key
    why: str = ""  # one line on why the right option is right, shown when it is chosen

    def shuffled(self, rng: Any) -> ChoiceSpec:
        """The same options in an order drawn from ``rng`` (a NumPy generator): keys keep their options."""
        keys = list(self.options)
        order = [keys[i] for i in rng.permutation(len(keys))]
        return dataclasses.replace(self, options={k: self.options[k] for k in order})

    def _normalise(self, answer: Any) -> str | None:
        if not isinstance(answer, str):
            return None
        text = answer.strip().strip("().").strip().strip("\"'").lower()
        keys = {k.lower(): k for k in self.options}
        lettered = re.match(r"^\(?([a-z])\)\s+\S", text)  # "c) Metric disconnect"
        candidates = [text, text.replace("-", "_").replace(" ", "_"), text.rstrip("s")]
        if lettered:
            candidates.append(lettered.group(1))
        for candidate in candidates:
            if candidate in keys:
                return candidate
        for alias, key in self.aliases.items():
            if text == alias.lower():
                return key.lower()
        for key, label in self.options.items():
            if text == str(label).strip().lower():
                return key.lower()
        return None

    def judge(self, answer: Any) -> tuple[bool, str]:
        keys = ", ".join(repr(k) for k in self.options)
        key = self._normalise(answer)
        if key is None:
            if isinstance(answer, str):
                return False, f"{safe_repr(answer, 40)} is not one of the options. Answer with one of {keys}, in quotes."
            named = getattr(answer, "name", None) if dataclasses.is_dataclass(answer) and not isinstance(answer, type) else None
            if isinstance(named, str) and self._normalise(named) is not None:
                return False, f"That is a whole result object ({type(answer).__name__}); answer with its `.name`, which is text."
            return False, f"Expected one option as text (one of {keys}), got {_describe_type(answer)}."
        if key == self.correct.lower():
            if self.correct in self.feedback:
                return True, self.feedback[self.correct]
            return True, f"Right: {self.why}" if self.why else "Right."
        original = next(k for k in self.options if k.lower() == key)
        return False, self.feedback.get(original, "That is not the best choice. Think about what it leaves out.")


def choice(rng: Any, right: tuple[str, str], wrong: Sequence[tuple[str, str]], **kwargs: Any) -> ChoiceSpec:
    """A lettered choice, shuffled by ``rng``: ``right`` is (option, why it is right), ``wrong`` a
    list of (option, feedback that says what it misses). Keys a, b, c, ... follow the shown order,
    so the right key moves between seeds."""
    from . import validation

    if not hasattr(rng, "permutation"):
        raise validation.fail("rng", rng, "a NumPy random generator (numpy.random.default_rng)")
    pairs = [right, *wrong] if isinstance(wrong, (list, tuple)) else None
    if not pairs or len(pairs) < 2 or len(pairs) > 8 or not all(isinstance(p, tuple) and len(p) == 2 and all(isinstance(t, str) for t in p) for p in pairs):
        bad = ("wrong", wrong) if isinstance(right, tuple) and len(right) == 2 and all(isinstance(t, str) for t in right) else ("right", right)
        raise validation.fail(bad[0], bad[1], "(option text, feedback) pairs of text: one right, one to seven wrong")
    entries = [(right[0], None)] + [(text, feedback) for text, feedback in wrong]
    order = [entries[i] for i in rng.permutation(len(entries))]
    keys = "abcdefgh"[: len(order)]
    options = {key: text for key, (text, _) in zip(keys, order)}
    correct = next(key for key, (_, feedback) in zip(keys, order) if feedback is None)
    feedback = {key: fb for key, (_, fb) in zip(keys, order) if fb is not None}
    return ChoiceSpec(options, correct, feedback, why=right[1], **kwargs)


@dataclasses.dataclass(frozen=True)
class TextSpec:
    """Free text that must be present and, optionally, mention some words."""

    min_words: int = 1
    must_mention: tuple[str, ...] = ()
    # Each group is satisfied when the text mentions any one of its words (e.g. label/labelled).
    mention_any: tuple[tuple[str, ...], ...] = ()
    feedback: str = ""

    def judge(self, answer: Any) -> tuple[bool, str]:
        if not isinstance(answer, str):
            return False, f"Expected text, got {_describe_type(answer)}."
        words = answer.split()
        if len(words) < self.min_words:
            return False, f"Write at least {self.min_words} words; you wrote {len(words)}."
        lower = answer.lower()
        missing = [w for w in self.must_mention if w.lower() not in lower]
        missing += [group[0] for group in self.mention_any if not any(w.lower() in lower for w in group)]
        if missing:
            return False, self.feedback or ("It should mention " + ", ".join(repr(m) for m in missing) + ".")
        return True, "Present and specific enough."


# --------------------------------------------------------------------------------------------
# Answer records: the learner's answer as plain data, so grading can judge it again elsewhere.
# --------------------------------------------------------------------------------------------

MAX_RECORD_CHARS = 100_000  # a longer record (as JSON) keeps only the answer's type
_MARKERS = ("$placeholder", "$float", "$tuple", "$text", "$dict")  # a one-key dict with one of these keys is encoded data


class _TooLarge(Exception):
    """An answer whose record would be longer than MAX_RECORD_CHARS."""


def answer_record(answer: Any) -> dict[str, Any]:
    """The answer as JSON data, so grading can judge it again in its own process. Never raises.

    - ``{"kind": "none"}``: the placeholder ``___`` (or ``...``).
    - ``{"kind": "value", "value": ...}``: None, yes/no, numbers (NumPy's too), text, and lists,
      tuples and dicts (text keys) of these. NaN, infinities, tuples and text JSON cannot carry
      are encoded; :func:`decode_value` gives the answer back.
    - ``{"kind": "function", "name": ..., "source": ..., "helpers": {...}}``: a function written
      with ``def``, with what it uses from the notebook (see :func:`_helpers`).
    - ``{"kind": "object", "type": "module.Name"}``: anything else, and any record longer than
      100,000 characters (then with a ``"reason"``).

    No method of the answer is called: a subclass of int, float, text, list, tuple or dict is read
    as the built-in type it extends, so what is recorded is the data itself."""
    try:
        if answer is not None and is_unanswered(answer):
            return {"kind": "none"}
        if type(answer) is types.FunctionType and answer.__code__.co_name != "<lambda>":
            code = answer.__code__
            record = {"kind": "function", "name": code.co_name, "source": textwrap.dedent(inspect.getsource(code))}
            helpers = _helpers(answer)
            if helpers:
                record["helpers"] = helpers
        else:
            record = {"kind": "value", "value": _encode(answer, [MAX_RECORD_CHARS])}
        text = json.dumps(record, ensure_ascii=False, allow_nan=False)
        str.encode(text, "utf-8")  # text any display can carry, or no record
        if len(text) > MAX_RECORD_CHARS:
            raise _TooLarge
        return record
    except (_TimedOut, KeyboardInterrupt):
        raise  # the check's time limit stops a slow record like any judging
    except _TooLarge:
        return _object_record(answer, "too large to record")
    except BaseException:  # noqa: BLE001 - a record never fails: the type is always there
        return _object_record(answer)


# Modules a recorded function may use by another name (``import numpy as np``): imported again by name.
RECORDABLE_MODULES = ("math", "statistics", "numpy", "pandas", "scipy", "scipy.stats", "random", "decimal", "fractions")


def _helpers(function: types.FunctionType, depth: int = 3) -> dict[str, dict[str, Any]]:
    """What a function answer uses from the notebook, so it can run again on its own: the source of
    each function it calls that was defined in the notebook (and theirs, ``depth`` levels down), the
    value of each constant it reads (plain data only), and the name of each module it uses.
    Names that are builtins, or cannot be recorded, are left out (re-running then says which)."""
    found: dict[str, dict[str, Any]] = {}
    pending = [(function, depth)]
    while pending:
        current, level = pending.pop()
        namespace = current.__globals__
        for name in _global_names(current.__code__):
            if name in found or name not in namespace or name in ("___",):
                continue
            value = namespace[name]
            if type(value) is types.FunctionType and value.__code__.co_name != "<lambda>":
                if value.__module__ not in ("__main__", None) or level <= 0:
                    continue
                found[name] = {"source": textwrap.dedent(inspect.getsource(value.__code__))}
                pending.append((value, level - 1))
            elif type(value) is types.ModuleType:
                if value.__name__ in RECORDABLE_MODULES:
                    found[name] = {"module": value.__name__}
            else:
                try:
                    found[name] = {"value": _encode(value, [MAX_RECORD_CHARS // 10])}
                except (TypeError, _TooLarge, UnicodeEncodeError):
                    continue
    return found


def _uncarried_note(answer: Any, record: Mapping[str, Any]) -> tuple[str, ...]:
    """A note for a function answer that uses something from the notebook its record cannot carry
    (grading runs the function again on its own, with only what the record holds)."""
    if record.get("kind") != "function" or type(answer) is not types.FunctionType or answer.__module__ != "__main__":
        return ()  # only a function written in a notebook (grading's own replay of one is not)
    carried = set(record.get("helpers", {})) | set(dir(builtins)) | {"___"}
    missing = sorted(n for n in _global_names(answer.__code__) if n in answer.__globals__ and n not in carried)
    if not missing:
        return ()
    names = ", ".join(f"`{n}`" for n in missing[:5])
    return (f"If this is graded, your function is run again on its own, with the functions, plain values and "
            f"modules it uses. It also uses {names}, which cannot be carried along: define what it needs inside it.",)


def _global_names(code: types.CodeType) -> set[str]:
    """Global names a function's code (and the code of functions nested in it) reads."""
    names = set(code.co_names)
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            names |= _global_names(constant)
    return names


def _object_record(answer: Any, reason: str = "") -> dict[str, Any]:
    """``{"kind": "object", "type": "module.Name"}``, read from the type itself (never faked)."""
    names = []
    for attribute in ("__module__", "__qualname__"):
        try:
            name = type.__dict__[attribute].__get__(type(answer), type)
        except Exception:  # noqa: BLE001
            name = ""
        names.append(str.__str__(name)[:100] if isinstance(name, str) else "?")
    record = {"kind": "object", "type": _displayable(".".join(names))}
    return {**record, "reason": reason} if reason else record


def _encode(value: Any, budget: list[int]) -> Any:
    """A value as JSON data (see :func:`answer_record`); TypeError for what is not plain data."""
    budget[0] -= 1
    if budget[0] < 0:
        raise _TooLarge
    if value is None or type(value) is bool:
        return value
    if value is PLACEHOLDER:  # a field still to be filled in, inside a structured answer
        return {"$placeholder": 1}
    if isinstance(value, int) and not isinstance(value, bool):
        return int.__int__(value)
    if isinstance(value, float):
        number = float.__float__(value)
        return number if math.isfinite(number) else {"$float": repr(number)}
    if isinstance(value, str):
        text = str.__str__(value)
        budget[0] -= len(text)
        if budget[0] < 0:
            raise _TooLarge
        try:
            str.encode(text, "utf-8")
            return text
        except UnicodeEncodeError:  # lone surrogates: kept byte for byte
            return {"$text": str.encode(text, "utf-8", "surrogatepass").decode("latin-1")}
    if isinstance(value, list):
        return [_encode(v, budget) for v in list.__iter__(value)]
    if isinstance(value, tuple):
        return {"$tuple": [_encode(v, budget) for v in tuple.__iter__(value)]}
    if isinstance(value, dict):
        return _encode_dict(value, budget)
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(value, numpy.generic) and type(value).__module__ == "numpy":
        item = numpy.generic.item(value)
        if not isinstance(item, numpy.generic):
            return _encode(item, budget)
    raise TypeError(f"{_type_name(value)} is not plain data")


def _encode_dict(value: dict, budget: list[int]) -> dict[str, Any]:
    encoded = {}
    for key, item in dict.items(value):
        if not isinstance(key, str):
            raise TypeError("only text keys can be recorded")
        key = str.__str__(key)
        str.encode(key, "utf-8")
        budget[0] -= len(key)
        encoded[key] = _encode(item, budget)
    if len(encoded) == 1 and next(iter(encoded)) in _MARKERS:
        return {"$dict": encoded}  # the learner's own one-key dict, not an encoded value
    return encoded


def decode_value(value: Any) -> Any:
    """The answer a value record holds: ``decode_value(record["value"])`` (see :func:`answer_record`)."""
    from . import validation

    if isinstance(value, float) and not math.isfinite(value):
        raise validation.fail("value", value, 'the JSON data answer_record writes (NaN and infinities as {"$float": "nan"})')
    if isinstance(value, list):
        return [decode_value(v) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        ((key, inner),) = value.items()
        if key == "$placeholder" and inner == 1:
            return PLACEHOLDER
        if key == "$float" and inner in ("nan", "inf", "-inf"):
            return float(inner)
        if key == "$tuple" and isinstance(inner, list):
            return tuple(decode_value(v) for v in inner)
        if key == "$text" and isinstance(inner, str):
            return inner.encode("latin-1").decode("utf-8", "surrogatepass")
        if key == "$dict" and isinstance(inner, dict):
            return {k: decode_value(v) for k, v in inner.items()}
        if key in _MARKERS:
            raise validation.fail(key, inner, "the data answer_record writes under that key")
    return {k: decode_value(v) for k, v in value.items()}


# --------------------------------------------------------------------------------------------
# Questions
# --------------------------------------------------------------------------------------------


class Question:
    """A question with ``check(answer)``, ``hint(n)`` and ``solution()``. Subclasses judge."""

    kind = "question"
    # Seconds one check may take to judge an answer; longer is reported as an incorrect outcome.
    check_time_limit: float = 5.0

    def __init__(
        self,
        question_id: str,
        title: str,
        prompt: str,
        *,
        hints: Sequence[str] = (),
        solution: str = "",
        solution_code: str = "",
        module: str = "",
        parameters: Mapping[str, Any] | None = None,
        data: Any = None,
        recorder: Callable[[CheckResult, str], None] | None = None,
    ) -> None:
        self.id = question_id
        self.title = title
        self.prompt = prompt
        self.hints = tuple(hints)
        self._solution = solution
        self._solution_code = solution_code
        self.module = module
        self.parameters = dict(parameters or {})
        self.data = data
        self._recorder = recorder

    # -- what the learner calls -------------------------------------------------------------
    def show(self) -> RichText:
        """Return the question's prompt, ready to display."""
        return RichText(f"{self.id}: {self.title}", self.prompt)

    def hint(self, n: int = 1) -> RichText:
        """Return hint number n (1 is the gentlest). Never raises."""
        if not self.hints:
            return RichText(f"Hint for {self.id}", "This question has no hints. Try the solution.")
        if isinstance(n, bool) or not isinstance(n, numbers.Integral):
            return RichText(
                f"Hint for {self.id}",
                f"Ask for a hint by its number, e.g. `hint(1)`; got {_describe_type(n)}.",
            )
        count = len(self.hints)
        index = min(max(int(n), 1), count)
        plural = "hint" if count == 1 else "hints"
        note = "" if 1 <= n <= count else f" (there {'is' if count == 1 else 'are'} {count} {plural}; showing number {index})"
        more = f" Ask `hint({index + 1})` for more." if index < count else ""
        return RichText(f"Hint {index} of {count} for {self.id}{note}", self.hints[index - 1] + more)

    def solution(self) -> RichText:
        """Return the worked solution."""
        return RichText(f"Solution to {self.id}", self._solution, self._solution_code)

    def check(self, answer: Any = PLACEHOLDER) -> CheckResult:
        """Judge an answer: correct, incorrect with feedback, or not attempted. Never raises
        (except KeyboardInterrupt, so a learner can always stop a cell).

        The whole judging runs under a time limit of ``check_time_limit`` seconds, so an answer
        that loops (a function, or an object whose ``__eq__``, ``__repr__``, ``__float__`` ...
        never returns) is stopped and marked incorrect. See :class:`_TimeLimit`: the limit works
        on the main thread on Unix; elsewhere judging runs without one.
        """
        limit = _TimeLimit(self.check_time_limit)
        record = _object_record(answer)
        try:
            with limit:
                try:
                    if is_unanswered(answer):
                        outcome, message, details = (
                            Outcome.NOT_ATTEMPTED,
                            "Replace the placeholder `___` with your answer, then run the cell again.",
                            (),
                        )
                    else:
                        outcome, message, details = self._judge(answer)
                    details = tuple(details)
                except (_TimedOut, KeyboardInterrupt):
                    raise
                except BaseException as exc:  # noqa: BLE001 - the checker must never raise (SystemExit too)
                    outcome, message, details = (
                        Outcome.INCORRECT,
                        f"Your answer could not be checked: {_type_name(exc)}: {_exc_text(exc, 120)}. "
                        "Check its type against the question.",
                        (),
                    )
                try:  # the answer as grading keeps it, read under the same time limit
                    record = self._answer_record(answer)
                    details += _uncarried_note(answer, record)
                except (_TimedOut, KeyboardInterrupt):
                    raise
                except BaseException:  # noqa: BLE001 - never fails a check: the type is kept
                    pass
        except _TimedOut as exc:
            if exc.limit is not limit:
                raise  # an outer limit ran out (a check run inside a learner's timed function)
            outcome, message, details = (
                Outcome.INCORRECT,
                f"Checking your answer took longer than {_fmt(round(self.check_time_limit, 2))} s: "
                "something in it runs a loop that never ends (a function, or a method of an object, "
                "such as `__eq__` or `__repr__`). Check its type against the question.",
                (),
            )
        result = CheckResult(
            self.id, self.title, outcome, message, details, dict(self.parameters), self.module, record
        )
        if self._recorder is not None:
            try:
                self._recorder(result, self.module)
            except Exception:  # noqa: BLE001 - progress must never break a check
                pass
        return result

    def _judge(self, answer: Any) -> tuple[Outcome, str, Sequence[str]]:
        raise NotImplementedError

    def _answer_record(self, answer: Any) -> dict[str, Any]:
        """The answer as grading keeps it; a question may keep what it judges instead (the same verdict)."""
        return answer_record(answer)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.id}: {self.title}>"

    def _repr_html_(self) -> str:
        return self.show()._repr_html_()


def _verdict(ok: bool) -> Outcome:
    return Outcome.CORRECT if ok else Outcome.INCORRECT


class NumberQuestion(Question):
    """A numeric answer checked within a tolerance, with feedback for known mistakes."""

    kind = "number"

    def __init__(self, question_id: str, title: str, prompt: str, spec: NumberSpec, **kwargs: Any):
        if spec.precision is not None and spec.precision.phrase not in prompt:
            prompt = f"{prompt.rstrip()} {spec.precision.instruction}"
        super().__init__(question_id, title, prompt, **kwargs)
        self.spec = spec

    @property
    def expected(self) -> float:
        return self.spec.expected

    def _judge(self, answer: Any):
        ok, message = self.spec.judge(answer)
        return _verdict(ok), message, ()

    def _answer_record(self, answer: Any) -> dict[str, Any]:
        # The spec judges only the number it reads (a one-element array, a Decimal): keep that.
        record = answer_record(answer)
        number = _as_real(answer) if record["kind"] == "object" else None
        return record if number is None else answer_record(number)


class ChoiceQuestion(Question):
    """One option among several, with feedback for each wrong option."""

    kind = "choice"

    def __init__(self, question_id: str, title: str, prompt: str, spec: ChoiceSpec, **kwargs: Any):
        super().__init__(question_id, title, prompt, **kwargs)
        self.spec = spec

    @property
    def expected(self) -> str:
        return self.spec.correct

    def show(self) -> RichText:
        options = "\n".join(
            f"- \"{key}\"" if key == label else f"{key}) {label}" for key, label in self.spec.options.items()
        )
        return RichText(f"{self.id}: {self.title}", f"{self.prompt}\n{options}")

    def _judge(self, answer: Any):
        ok, message = self.spec.judge(answer)
        return _verdict(ok), message, ()


@dataclasses.dataclass(frozen=True)
class Case:
    """One test case for a function answer: the arguments, and what to say if it fails."""

    args: tuple = ()
    kwargs: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    note: str = ""

    def describe(self, name: str) -> str:
        parts = [safe_repr(a, 30) for a in self.args]
        parts += [f"{k}={safe_repr(v, 30)}" for k, v in self.kwargs.items()]
        return f"{name}({', '.join(parts)})"


class _TimedOut(BaseException):
    """Raised inside a block that ran out of time (see :class:`_TimeLimit`).

    A BaseException, like KeyboardInterrupt, so a learner's ``except Exception`` cannot swallow
    it; ``limit`` is the limit that ran out, so nested limits tell their time-outs apart.
    """

    def __init__(self, limit: _TimeLimit | None = None):
        super().__init__("time limit")
        self.limit = limit


_REPEAT = 0.1  # seconds between repeated time-outs while a timed-out block has not exited
_ACTIVE: list[_TimeLimit] = []  # the limits in force, outermost first
_SAVED: list[tuple[Any, tuple[float, float], float]] = []  # what the outermost limit restores


def _alarms_usable() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


class _TimeLimit:
    """A time limit on a block: ``limit = _TimeLimit(5)``, then ``with limit: ...``.

    When the time is up, :class:`_TimedOut` (a BaseException) is raised in the block, and raised
    again every 0.1 s until the block exits, so learner code cannot swallow it: not with
    ``except Exception``, not with a bare ``except:`` in a loop (only code that catches every
    repetition forever could, which is beyond any in-process limit). KeyboardInterrupt is untouched.
    Limits nest: an inner limit never extends an outer one; when both have run out, the outer one
    is raised. The handler and timer in place before (e.g. another tool's alarm) are restored.

    This needs SIGALRM and ``setitimer``: the main thread of a Unix process (a Jupyter kernel
    runs cells there). Elsewhere (Windows, a worker thread) the block runs without a limit,
    as before: the fallback, so a learner's endless loop there is stopped only by interrupting.
    """

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.deadline = math.inf
        self.armed = False

    def __enter__(self) -> _TimeLimit:
        if not (self.seconds > 0 and _alarms_usable()):
            return self
        now = time.monotonic()
        self.deadline = now + self.seconds
        if not _ACTIVE:
            outer_timer = signal.setitimer(signal.ITIMER_REAL, 0)  # stops and saves another tool's timer
            previous = signal.signal(signal.SIGALRM, _on_alarm)
            _SAVED.append((previous, outer_timer, now))
        _ACTIVE.append(self)
        self.armed = True
        _arm(now)
        return self

    def __exit__(self, *exc_info: Any) -> bool:
        if not self.armed:
            return False
        self.armed = False
        if self in _ACTIVE:
            _ACTIVE.remove(self)
        if _ACTIVE:
            _arm(time.monotonic())
            return False
        signal.setitimer(signal.ITIMER_REAL, 0)
        if _SAVED:
            previous, (delay, interval), started = _SAVED.pop()
            signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)
            if delay > 0:  # another tool's timer: give it back what is left of its time
                left = delay - (time.monotonic() - started)
                signal.setitimer(signal.ITIMER_REAL, max(left, 1e-3), interval)
        return False


def _arm(now: float) -> None:
    """Set the timer for the nearest deadline of the limits in force."""
    nearest = math.inf
    for limit in _ACTIVE:
        nearest = min(nearest, limit.deadline)
    if nearest < math.inf:
        signal.setitimer(signal.ITIMER_REAL, max(nearest - now, 1e-4))


def _on_alarm(signum: int, frame: Any) -> None:
    now = time.monotonic()
    expired = None
    for limit in _ACTIVE:  # outermost first: when several ran out, the outer one stops everything
        if now >= limit.deadline:
            expired = limit
            break
    if expired is None:
        _arm(now)  # early (timer granularity): wait for the deadline
        return
    if frame is not None and frame.f_code in _QUIET_CODE:
        signal.setitimer(signal.ITIMER_REAL, 0.01)  # never raise inside the limit's own bookkeeping
        return
    signal.setitimer(signal.ITIMER_REAL, _REPEAT)  # raised again until the block exits
    raise _TimedOut(expired)


_QUIET_CODE = frozenset({_TimeLimit.__enter__.__code__, _TimeLimit.__exit__.__code__, _arm.__code__})


def _time_left() -> float:
    """Seconds left before the nearest limit in force runs out (infinite when none is)."""
    now = time.monotonic()
    left = math.inf
    for limit in _ACTIVE:
        left = min(left, limit.deadline - now)
    return left


def _values_match(got: Any, expected: Any, rel_tol: float, abs_tol: float) -> bool:
    expected_number = _as_real(expected)
    if expected_number is not None:
        got_number = _as_real(got)
        if got_number is None or math.isnan(got_number):
            return math.isnan(expected_number) and got_number is not None
        return abs(got_number - expected_number) <= max(abs_tol, rel_tol * abs(expected_number))
    if isinstance(expected, (list, tuple)):
        if not isinstance(got, (list, tuple)) or len(got) != len(expected):
            return False
        return all(_values_match(g, e, rel_tol, abs_tol) for g, e in zip(got, expected))
    try:
        result = got == expected
        return result if isinstance(result, bool) else False
    except Exception:  # noqa: BLE001 - a learner's __eq__ may fail
        return False


class FunctionQuestion(Question):
    """A function answer, run on test cases and compared with a reference implementation."""

    kind = "function"

    def __init__(
        self,
        question_id: str,
        title: str,
        prompt: str,
        reference: Callable[..., Any],
        cases: Sequence[Case],
        *,
        function_name: str = "your function",
        rel_tol: float = 1e-6,
        abs_tol: float = 1e-9,
        time_limit: float = 5.0,
        **kwargs: Any,
    ):
        super().__init__(question_id, title, prompt, **kwargs)
        self.reference = reference
        self.cases = tuple(cases)
        self.function_name = function_name
        self.rel_tol = rel_tol
        self.abs_tol = abs_tol
        self.time_limit = time_limit

    def _judge(self, answer: Any):
        if not callable(answer):
            return (
                Outcome.INCORRECT,
                f"Expected a function (pass its name without brackets, e.g. `{self.function_name}`), "
                f"got {_describe_type(answer)}.",
                (),
            )
        passed, details = 0, []
        for number, case in enumerate(self.cases, start=1):
            call = case.describe(self.function_name)
            expected = self.reference(*case.args, **dict(case.kwargs))
            note = f" {case.note}" if case.note else ""
            # Each call gets its own limit, inside what is left of the check's, so a loop that never
            # ends is named here (which call) before the check's own limit would stop everything.
            seconds = min(self.time_limit, 0.9 * _time_left())
            limit = _TimeLimit(seconds)
            try:
                with limit:
                    got = answer(*case.args, **dict(case.kwargs))
            except _TimedOut as exc:
                if exc.limit is not limit:
                    raise
                details.append(f"{call} did not finish within {_fmt(round(seconds, 2))} s. Look for a loop that never ends.")
                break  # the other cases would only make the learner wait longer
            except KeyboardInterrupt:
                raise
            except BaseException as exc:  # noqa: BLE001 - includes SystemExit from the learner
                details.append(f"{call} stopped with an error ({_type_name(exc)}: {_exc_text(exc, 80)}).{note}")
                continue
            if got is not None and got is not Ellipsis and is_unanswered(got) and number == 1:
                return (
                    Outcome.NOT_ATTEMPTED,
                    "Your function still returns the placeholder `___`. Write its body, then run the cell again.",
                    (),
                )
            if _values_match(got, expected, self.rel_tol, self.abs_tol):
                passed += 1
                continue
            if got is None and expected is not None:
                note = " Did you forget `return`?" + note
            elif _values_match(got, _scaled(expected, 100), self.rel_tol, self.abs_tol) and _scaled(expected, 100) != expected:
                note = " That is 100 times too big: return a share between 0 and 1, not a percentage." + note
            details.append(f"{call} returned {_show(got)}; expected {_show(expected)}.{note}")
        total = len(self.cases)
        if passed == total:
            return Outcome.CORRECT, f"Your function passes all {total} test cases.", ()
        shown = details[:3]
        if len(details) > 3:
            shown.append(f"... and {len(details) - 3} more failing case(s).")
        return Outcome.INCORRECT, f"Your function passes {passed} of {total} test cases.", tuple(shown)


def _scaled(value: Any, factor: float) -> Any:
    number = _as_real(value)
    return number * factor if number is not None else value


def _show(value: Any) -> str:
    """Show a value in feedback: numbers rounded to 6 significant digits, others as a short repr."""
    number = _as_real(value)
    if number is not None and not isinstance(value, bool) and math.isfinite(number):
        return _fmt(number)
    return safe_repr(value, 40)


def _own_classes(value: Any) -> tuple[type, ...]:
    """The classes of a value, by ``type()`` (which an object cannot fake, unlike ``__class__``)."""
    return tuple(type(value).__mro__)


def _is_mock(value: Any) -> bool:
    """True for a ``unittest.mock`` object (Mock, MagicMock, with or without a spec)."""
    return any(vars(cls).get("__module__") == "unittest.mock" for cls in _own_classes(value))


def _synthesises_attributes(value: Any) -> bool:
    """True for an object that makes up attributes when asked: a mock, or a class that defines
    ``__getattr__`` or its own ``__getattribute__`` in Python."""
    for cls in _own_classes(value):
        own = vars(cls)
        if own.get("__module__") == "unittest.mock" or "__getattr__" in own:
            return True
        custom = own.get("__getattribute__")
        if custom is not None and not isinstance(custom, types.WrapperDescriptorType):
            return True
    return False


def _own_attributes(value: Any, wanted: Sequence[str] = ()) -> dict[str, Any]:
    """The public data attributes an object keeps itself: the entries of its own ``__dict__``, and
    the ``wanted`` names set as data (not methods or properties) on its classes. Nothing is looked
    up through the object, so nothing it makes up is read."""
    found: dict[str, Any] = {}
    for cls in reversed(_own_classes(value)):  # bases first, so a subclass's value wins
        if cls is object or vars(cls).get("__module__") == "builtins":
            continue
        for name, member in vars(cls).items():
            if name in wanted and not callable(member) and not hasattr(type(member), "__get__"):
                found[name] = member
    try:
        own = object.__getattribute__(value, "__dict__")
    except AttributeError:
        own = {}
    if isinstance(own, dict):
        found.update({k: v for k, v in own.items() if not (isinstance(k, str) and k.startswith("_"))})
    return found


def _key_text(key: Any, limit: int = 40) -> str:
    """A field name as the learner wrote it, for feedback: text as is (shortened), else its repr."""
    if isinstance(key, str):
        text = _displayable(key)
        return text if len(text) <= limit else text[: limit - 3] + "..."
    return safe_repr(key, limit)


class StructuredQuestion(Question):
    """A structured answer (a dict, a dataclass or an object with attributes), checked per field.

    The answer is read by its type (see ``_read``): a mock or an object that makes up attributes
    when asked is refused, so it can never pass by "having" every field."""

    kind = "structured"

    def __init__(
        self,
        question_id: str,
        title: str,
        prompt: str,
        fields: Mapping[str, NumberSpec | ChoiceSpec | TextSpec],
        **kwargs: Any,
    ):
        super().__init__(question_id, title, prompt, **kwargs)
        self.fields = dict(fields)

    def _read(self, answer: Any) -> dict[Any, Any] | None:
        """The answer's fields, read by its type, never by asking it for names: a Mapping (a
        dict), a dataclass instance (its fields), or an object that keeps its attributes itself
        (a SimpleNamespace, an instance of a plain class: its ``__dict__``, and data set on its
        class). None for anything else, including objects that make up attributes when asked
        (a ``unittest.mock.MagicMock``, a class with ``__getattr__``): they would "have" every field."""
        if issubclass(type(answer), Mapping):  # its real type: a mock with spec=dict is no Mapping
            return dict(answer)
        if _synthesises_attributes(answer) or isinstance(answer, type) or callable(answer):
            return None
        if isinstance(answer, (str, bytes, numbers.Number)):
            return None
        if dataclasses.is_dataclass(answer):
            return {f.name: getattr(answer, f.name) for f in dataclasses.fields(answer)}
        return _own_attributes(answer, list(self.fields)) or None

    def _answer_record(self, answer: Any) -> dict[str, Any]:
        # The fields are judged as read by ``_read`` (a dataclass, a namespace): keep them as a dict.
        record = answer_record(answer)
        if record["kind"] == "value" or _is_mock(answer):
            return record
        values = self._read(answer)
        return record if values is None else answer_record(values)

    def _judge(self, answer: Any):
        names = ", ".join(f"`{name}`" for name in self.fields)
        if _is_mock(answer):
            return (
                Outcome.INCORRECT,
                f"That is a mock object ({_type_name(answer)}): it pretends to have every field, so it "
                f"cannot be checked. Write a dict with the fields {names}.",
                (),
            )
        values = self._read(answer)
        if values is None:
            made_up = ""
            if _synthesises_attributes(answer) and _type_name(answer) not in ("Series", "DataFrame"):
                made_up = " Its attributes are made up when asked (`__getattr__`), so they cannot be read as fields."
            return (
                Outcome.INCORRECT,
                f"Expected a dict with the fields {names}, got {_describe_type(answer)}.{made_up}",
                (),
            )
        details, right = [], 0
        unknown = [key for key in values if key not in self.fields]
        written = [_key_text(k) for k in unknown]
        for name, spec in self.fields.items():
            if name not in values:
                near = difflib.get_close_matches(name, written, n=1, cutoff=0.6)
                near += [k for k in written if k.lower() == name.lower() and k not in near]
                if near:
                    details.append(f"`{name}`: missing. You wrote `{near[0]}`: check the spelling and capitals.")
                else:
                    details.append(f"`{name}`: missing. Add this field.")
                continue
            value = values[name]
            if is_unanswered(value):
                details.append(f"`{name}`: still the placeholder. Fill it in.")
                continue
            ok, message = spec.judge(value)
            right += ok
            details.append(f"`{name}`: {'✓' if ok else '✗'} {message}")
        total = len(self.fields)
        if unknown:
            listed = ", ".join(f"`{k}`" for k in written[:5])
            details.append(f"Not a field of this answer, so not checked: {listed}.")
        if right == total:
            return Outcome.CORRECT, f"All {total} fields are right.", tuple(details)
        # Nothing filled in yet: an empty dict, or only placeholders.
        if all(is_unanswered(value) for value in values.values()):
            return Outcome.NOT_ATTEMPTED, "Fill in the fields, then run the cell again.", ()
        return Outcome.INCORRECT, f"{right} of {total} fields are right.", tuple(details)


class ValidationQuestion(Question):
    """An open-ended answer (a brief, a plan) checked by a validator that lists what is missing.

    ``validate(answer)`` returns a list of problems (empty when the answer passes) or raises
    ValueError with a message for an answer it cannot read. An answer equal to the starting
    point (the draft the learner was given) counts as not attempted.
    """

    kind = "validated"

    def __init__(
        self,
        question_id: str,
        title: str,
        prompt: str,
        validate: Callable[[Any], Sequence[Any]],
        *,
        starting_point: Any = None,
        show_at_most: int = 6,
        **kwargs: Any,
    ):
        super().__init__(question_id, title, prompt, **kwargs)
        self.validate = validate
        # A copy: a learner who edits the skeleton in place (plan = SKELETON; plan["x"] = ...) must
        # not turn the question's draft into their answer, which would then read as "not attempted".
        self.starting_point = _private_copy(starting_point)
        self.show_at_most = show_at_most

    def _judge(self, answer: Any):
        if self.starting_point is not None and _same_text(answer, self.starting_point):
            return (
                Outcome.NOT_ATTEMPTED,
                "This is still the draft you were given. Change it, then run the cell again.",
                (),
            )
        try:
            problems = list(self.validate(answer))
        except ValueError as exc:
            return Outcome.INCORRECT, f"Your answer could not be read: {exc}", ()
        if not problems:
            return Outcome.CORRECT, "It passes every check.", ()
        shown = [str(p) for p in problems[: self.show_at_most]]
        if len(problems) > self.show_at_most:
            shown.append(f"... and {len(problems) - self.show_at_most} more. Fix these first.")
        return Outcome.INCORRECT, f"{len(problems)} problem(s) left.", tuple(shown)


def _private_copy(value: Any) -> Any:
    try:
        return copy.deepcopy(value)
    except Exception:  # noqa: BLE001 - an object that cannot be copied is kept as it is
        return value


def _same_text(answer: Any, starting_point: Any) -> bool:
    """True when the answer is still the starting point (text up to surrounding spaces, or equal data)."""
    if isinstance(answer, str) and isinstance(starting_point, str):
        return answer.strip() == starting_point.strip()
    if isinstance(answer, Mapping) and isinstance(starting_point, Mapping):
        try:
            return bool(answer == starting_point)
        except Exception:  # noqa: BLE001 - a learner's object may fail to compare
            return False
    return False
