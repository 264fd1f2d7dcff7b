"""Estimation drills: an estimate from your own assumptions, judged on the assumptions and the arithmetic (lesson 06).

Interviewers ask "roughly what would this cost a month?" and listen to two things: whether each
assumption is believable, and whether the arithmetic from those assumptions is right. There is no
single expected number, so an estimate here is checked that way:

1. each assumption against a plausibility range. The ranges are generous: they rule out the absurd,
   not the unusual. A value outside gets feedback that names the assumption, the range and why.
   When each is plausible alone, combinations no single range catches are checked too: an output
   price below the input price, a bill per user beyond the ceiling the prompt states;
2. the answer against what the learner's own assumptions give, to two significant figures (an
   estimate is said aloud: "about 29,000", not "28,800"), with named slips (a day's bill for a month's, prices per 1M tokens read as per 1K, the share that goes
   to a person left out, minutes for hours ...) computed from those same assumptions.

A right answer from an implausible assumption is still "incorrect": the feedback names the
assumption first and says the arithmetic was right. The facts the learner cannot choose (company
size, the product, traffic) come from the seed and are stated in the prompt.

    >>> e = make_estimate("estimate_llm_monthly_cost", seed=3, difficulty=1)
    >>> e.check(e.typical, e.compute(e.typical)).correct
    True

An estimate has ``assumptions`` (``Assumption(name, label, unit, low, high, why)``), ``compute``,
``slips``, ``implausible(values)``, ``worked()``, ``show()``, ``hint(n)``, ``seconds`` and
``check(values, answer)``, which never raises. ``worked()`` works the typical values; after a check,
``worked(values)`` redoes the arithmetic with the learner's own assumptions ("$4,500 a month from your
assumptions"). Every number shown is rounded as the kit rounds: a half goes up (``checking.Precision``). Where a range does not come from the course's checked
facts, a comment says where it comes from.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from . import validation
from .checking import CheckResult, Mistake, NumberSpec, Outcome, Question, RichText, decimals, is_unanswered, safe_repr, significant
from .parameters import DEFAULT as DEFAULT_SCENARIO, Scenario, get_scenario

__all__ = ["ESTIMATE_KINDS", "PRECISION", "Assumption", "Slip", "Estimate", "make_estimate"]

ESTIMATE_KINDS = {
    "estimate_llm_monthly_cost": "Estimate a model's monthly bill",
    "estimate_review_team": "Estimate the review team",
    "estimate_labelling_budget": "Estimate a labelling job",
    "estimate_experiment_reach": "Estimate a test's reach",
}
LEVELS = {1: "warm-up", 2: "standard", 3: "stretch"}
PRECISION = significant(2)  # an estimate is said aloud: every estimate asks for two significant figures
DAYS_PER_MONTH = 30
SHIFT_HOURS = 8
SECONDS = {1: 180, 2: 240, 3: 300}  # suggested time: stating assumptions takes longer than a drill


# --------------------------------------------------------------------------------------------
# Numbers in words
# --------------------------------------------------------------------------------------------


_SIG = {n: significant(n) for n in (2, 3, 4, 6, 10, 12)}
_PLACES = {n: decimals(n) for n in (0, 2, 3, 4)}


def _sig(x: float, digits: int) -> float:
    """x to ``digits`` significant figures as the kit rounds: a half goes up (2,250 -> 2,300 at two), unlike
    Python's round and format, which send a half to the even digit."""
    return (_SIG.get(digits) or significant(digits)).round(x) if math.isfinite(x) else x


def _places(x: float, places: int) -> float:
    """x to ``places`` decimal places, a half up (2.675 -> 2.68)."""
    return (_PLACES.get(places) or decimals(places)).round(x) if math.isfinite(x) else x


def _num(x: float) -> str:
    """A number as people write it: 1,500, 0.25, 12.5 (no floating-point dust)."""
    if abs(x) >= 1e15 or (x != 0 and abs(x) < 1e-6):
        return f"{_sig(x, 3):.3g}"
    return format(_sig(x, 10), ",.10g")


def _pct(x: float) -> str:
    """A share as a percentage: 0.005 -> 0.5%, 0.3 -> 30%."""
    return f"{_sig(x * 100, 6):g}%"


def _usd(x: float, digits: int = 4) -> str:
    """Dollars: $3,060 for big amounts (to the cent), $0.003 for small ones (``digits`` significant figures)."""
    return "$" + (f"{_places(x, 2):,.2f}".removesuffix(".00") if abs(x) >= 100 else format(_sig(x, digits), ",.10g"))


def _answer(x: float, units: str) -> str:
    """An answer at the estimate's precision, as the check accepts it; floating-point dust goes first, so a
    sum that is 2,250 exactly is "2,300" even when the float reads 2,249.9999999999995."""
    text = PRECISION.format(_sig(x, 12))
    return f"${text}" if units.startswith("USD") else f"{text} {units}".rstrip()


# --------------------------------------------------------------------------------------------
# Assumptions and slips
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Assumption:
    """One assumption a learner states, with its plausibility range and why the range is what it is.

    ``unit`` "share" means a share between 0 and 1. ``typical`` is a value inside the range (the
    worked example uses it); ``too_low``/``too_high`` finish the sentence "your <value> ..." for a
    value below or above the range; ``whole`` asks for a whole number (weeks of a test); ``step``
    with ``step_name`` asks for a multiple of ``step`` (days in whole weeks: 7, "weeks").
    """

    name: str
    label: str
    unit: str
    low: float
    high: float
    why: str
    typical: float | None = None
    too_low: str = ""
    too_high: str = ""
    whole: bool = False
    step: float = 0.0
    step_name: str = ""

    def __post_init__(self) -> None:
        low = validation.real("low", self.low)
        validation.real("high", self.high, low=low)
        if self.typical is not None:
            validation.real("typical", self.typical, low=low, high=self.high)
        validation.real("step", self.step, low=0)

    def show(self, value: float) -> str:
        """A value of this assumption in words: 25%, $1.5, 1,500 tokens, 1 day."""
        if self.unit == "share":
            return f"{_num(value)} ({_pct(value)})"
        if self.unit.startswith("USD"):
            return f"{_usd(value)}{self.unit[3:]}"
        one = {"people": "person"}.get(self.unit, self.unit.removesuffix("s")) if value == 1 and " " not in self.unit else self.unit
        return f"{_num(value)} {one}"

    @property
    def range_text(self) -> str:
        """The plausible range in words: "2%–60%", "$0.025–$20 per 1M tokens", "50–1,500 tokens"."""
        if self.unit == "share":
            return f"{_pct(self.low)}–{_pct(self.high)}"
        if self.unit.startswith("USD"):
            return f"{_usd(self.low)}–{_usd(self.high)}{self.unit[3:]}"
        return f"{_num(self.low)}–{_num(self.high)} {self.unit}"

    def plausible(self, value: float) -> bool:
        """True when the value lies in the range (and is whole, or a multiple of ``step``, where that is asked for)."""
        inside = self.low - 1e-12 * abs(self.low) <= value <= self.high + 1e-12 * abs(self.high)
        return inside and (not self.whole or value == math.floor(value)) and self._on_step(value)

    def _on_step(self, value: float) -> bool:
        return not self.step or abs(value / self.step - round(value / self.step)) < 1e-9

    def feedback(self, value: float) -> str | None:
        """None for a plausible value; otherwise the sentence that names the assumption, its range and why."""
        if self.plausible(value):
            return None
        head = f"**{self.label}** (`{self.name}`): plausible is {self.range_text}"
        if value < self.low or value > self.high:
            said = self.too_low if value < self.low else self.too_high
            if self.unit == "share" and not 0 <= value <= 1:
                said = f"is {'below 0%' if value < 0 else 'above 100%'}, which no share can be"
            text = f"{head}; your {self.show(value)} {said or f'is {_side(value, self.low)} that'}."
            if self.unit == "share" and 2 <= value <= 100 and self.low <= value / 100 <= self.high:
                text += f" It looks like a percentage: write a share, {_num(value / 100)} for {_num(value)}%."
        elif not self._on_step(value):
            text = (f"{head}, in whole {self.step_name} (multiples of {_num(self.step)} {self.unit}); "
                    f"your {self.show(value)} is {_num(_places(value / self.step, 2))} {self.step_name}.")
        else:
            text = f"{head}, in whole {self.unit}; your {self.show(value)} is not a whole number."
        return f"{text} {self.why}"


@dataclasses.dataclass(frozen=True)
class Slip:
    """A predictable wrong step: its name, the number it gives from the learner's assumptions, the feedback."""

    name: str
    value: float
    feedback: str


def _side(value: float, low: float) -> str:
    return "below" if value < low else "above"


def _safe(f: Callable[[], float]) -> float:
    """f(), or NaN when the learner's numbers make it undefined (a division by zero, an overflow)."""
    try:
        value = float(f())
    except (ArithmeticError, ValueError, TypeError):  # TypeError: a negative number to a fractional power is complex
        return math.nan
    return value


# --------------------------------------------------------------------------------------------
# The estimate
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, eq=False)
class Estimate:
    """One estimation drill: facts from the seed, the assumptions to state, and a checker.

    ``check(values, answer)``: ``values`` maps each assumption's name (or label) to the number you
    assume; ``answer`` is your estimate. Correct when every assumption is plausible and the answer is
    what those assumptions give, to two significant figures. Never raises.
    """

    kind: str
    seed: int
    difficulty: int
    title: str
    prompt: str
    units: str
    facts: Mapping[str, Any]
    assumptions: tuple[Assumption, ...]
    seconds: int
    hints: tuple[str, ...]
    scenario: str = "default"
    formula: Callable[[Mapping[str, float]], float] = dataclasses.field(default=None, repr=False)
    slip_maker: Callable[[Mapping[str, float], float], list[Slip]] = dataclasses.field(default=None, repr=False)
    steps: Callable[[Mapping[str, float]], str] = dataclasses.field(default=None, repr=False)
    code_for: Callable[[Mapping[str, float]], str] = dataclasses.field(default=None, repr=False)
    cross_check: Callable[[Mapping[str, float]], list[str]] | None = dataclasses.field(default=None, repr=False)
    precision = PRECISION

    # -- what a learner reads -------------------------------------------------------------------
    @property
    def level(self) -> str:
        """The difficulty in words: warm-up, standard or stretch."""
        return LEVELS[self.difficulty]

    @property
    def names(self) -> tuple[str, ...]:
        """The assumptions' names, in the order the prompt asks for them."""
        return tuple(a.name for a in self.assumptions)

    @property
    def typical(self) -> dict[str, float]:
        """A typical value for every assumption, each inside its range (what ``worked()`` uses)."""
        return {a.name: a.typical for a in self.assumptions}

    def show(self) -> RichText:
        lines = [self.prompt, "", "Your assumptions (name for `check`, then what it means):"]
        lines += [f"- `{a.name}`: {a.label} ({a.unit})" for a in self.assumptions]
        lines += ["", f"Check with `check({{{', '.join(repr(n) + ': ...' for n in self.names)}}}, answer)`."]
        return RichText(f"{self.title} ({self.level}, about {self.seconds // 60} minutes)", "\n".join(lines))

    def hint(self, n: int = 1) -> RichText:
        """Hint number n (1 is the gentlest). Never raises."""
        count = len(self.hints)
        index = min(max(int(n), 1), count) if validation.is_whole(n) else 1
        more = f" Ask `hint({index + 1})` for more." if index < count else ""
        return RichText(f"Hint {index} of {count} for {self.title}", self.hints[index - 1] + more)

    def compute(self, values: Mapping[str, float]) -> float:
        """The answer your assumptions give (NaN when they make it undefined, e.g. a shrinkage of 1).

        Raises ArgumentError naming what is missing, unknown or not a number: ``check`` never raises."""
        v = self._numbers(values)
        return _safe(lambda: self.formula(v))

    def _numbers(self, values: Any) -> dict[str, float]:
        """The assumptions as numbers, or an ArgumentError naming what is missing, unknown or not a number."""
        reading = _read(self, values)
        if reading.problems or reading.blanks:
            raise validation.ArgumentError("values: " + _problem_text(reading.problems + _blank_text(self, reading.blanks)))
        return reading.numbers

    def implausible(self, values: Mapping[str, float]) -> tuple[str, ...]:
        """The feedback on what is implausible in these assumptions; () when every one is plausible.

        First each assumption against its range; when every one is plausible alone, the combinations
        (an output price below the input price, a bill per user beyond the ceiling the prompt states).
        Raises ArgumentError naming what is missing, unknown or not a number: ``check`` never raises."""
        return tuple(_notes(self, self._numbers(values)))

    def slips(self, values: Mapping[str, float]) -> tuple[Slip, ...]:
        """The named slips computed from these assumptions: those that are finite numbers (some may equal the
        answer at two significant figures; the check drops those)."""
        v = self._numbers(values)
        return tuple(_slips(self, v, _safe(lambda: self.formula(v))))

    def worked(self, values: Mapping[str, float] | None = None) -> RichText:
        """The arithmetic with typical values inside every range; with your own ``values`` (after a check),
        the same arithmetic redone from your assumptions, ending "$4,500 a month from your assumptions" and
        marking any assumption outside its range.

        Raises ArgumentError naming what is missing, unknown or not a number, as ``compute`` does."""
        if values is None:
            v = self.typical
            listed = "; ".join(f"{_lower(a.label)} {a.show(v[a.name])} (plausible {a.range_text})" for a in self.assumptions)
            body = f"Typical assumptions, each inside its plausible range: {listed}.\n\n{self.steps(v)}"
            return RichText(f"Worked estimate: {self.title}", body, self.code_for(v))
        v = self._numbers(values)
        body = f"Your assumptions: {'; '.join(_yours(a, v[a.name]) for a in self.assumptions)}.\n\n{_redone(self, v)}"
        finite = math.isfinite(_safe(lambda: self.formula(v)))
        return RichText(f"Worked estimate: {self.title}", body, self.code_for(v) if finite else "")

    solution = worked

    @property
    def working(self) -> str:
        """The worked estimate as text (what a practice review shows after a miss)."""
        return self.worked().body

    # -- checking ----------------------------------------------------------------------------
    @functools.cached_property
    def spellings(self) -> dict[str, str]:
        """Every accepted spelling of an assumption (its name, its label in any case) -> its name."""
        found = {}
        for a in self.assumptions:
            found[_key(a.label)] = a.name
            found[_key(a.name)] = a.name
        return found

    @functools.cached_property
    def question(self) -> _EstimateQuestion:
        return _EstimateQuestion(self)

    def check(self, values: Any = None, answer: Any = None) -> CheckResult:
        """Judge your assumptions and your answer: correct, incorrect with feedback, or not attempted. Never raises."""
        return self.question.check((values, answer))

    def __repr__(self) -> str:
        return f"<Estimate {self.kind} seed={self.seed} difficulty={self.difficulty}>"

    def __str__(self) -> str:
        return str(self.show())

    def _repr_html_(self) -> str:
        return self.show()._repr_html_()


def _yours(a: Assumption, value: float) -> str:
    """One of the learner's assumptions in the worked estimate, marked when it lies outside its range."""
    where = "plausible" if a.plausible(value) else "not plausible: the range is"
    return f"{_lower(a.label)} {a.show(value)} ({where} {a.range_text})"


def _redone(e: Estimate, v: Mapping[str, float]) -> str:
    """The steps from the learner's assumptions and what they give; or why they give no number."""
    answer = _safe(lambda: e.formula(v))
    try:
        steps = e.steps(v) if math.isfinite(answer) else ""
    except (ArithmeticError, ValueError, TypeError):  # an absurd value can break a step the answer does not need
        steps = ""
    if not steps:
        return "These assumptions give no finite answer (a division by zero, or a number too large): bring each into its range, then redo the sums."
    given = f"**{_answer(answer, e.units)}{e.units[3:] if e.units.startswith('USD') else ''}** from your assumptions"
    if _notes(e, v):
        return f"{steps}\n\nThat is {given}; but not all of them are plausible (the check says which, and why): fix those, then redo the sums."
    return f"{steps}\n\nThat is {given}, each of them plausible."


@dataclasses.dataclass
class _Reading:
    numbers: dict[str, float]
    blanks: list[str]
    problems: list[str]


def _key(text: str) -> str:
    return "_".join(text.lower().replace("-", " ").split())


def _number_problem(name: str, value: Any) -> str | None:
    """None for a usable number; else what is wrong with it, naming the assumption."""
    if type(value) is float and math.isfinite(value) or validation.is_real(value):  # the quick test first
        return None
    if isinstance(value, bool):
        return f"`{name}` is {value}, a yes/no value: give a number"
    if isinstance(value, str):
        return f"`{name}` is the text {safe_repr(value, 30)}: give a number without quotes"
    if validation.is_number(value):
        return f"`{name}` is {safe_repr(value, 30)}: give a finite number"
    return f"`{name}` is {safe_repr(value, 30)}: give a single number"


def _pairs(estimate: Estimate, values: Any) -> tuple[list[tuple[Any, Any]], list[str]]:
    """(key, value) pairs from a dict, or from a list in the assumptions' order; or a problem."""
    if isinstance(values, Mapping):
        return list(values.items()), []
    if isinstance(values, (list, tuple)) and not isinstance(values, str):
        if len(values) == len(estimate.assumptions):
            return list(zip(estimate.names, values)), []
        return [], [f"a list of {len(values)} values for {len(estimate.assumptions)} assumptions"]
    return [], [f"{safe_repr(values, 40)} is not a dict of assumptions"]


def _read(estimate: Estimate, values: Any) -> _Reading:
    """The learner's assumptions as numbers, the blanks, and every problem in words (never raises)."""
    reading = _Reading({}, [], [])
    pairs, reading.problems = _pairs(estimate, values)
    spellings, unknown, seen = estimate.spellings, [], set()
    for key, value in pairs:
        name = (spellings.get(key) or spellings.get(_key(key))) if isinstance(key, str) else None
        if name is None:
            unknown.append(safe_repr(key, 30))
            continue
        if name in seen:
            reading.problems.append(f"`{name}` is given twice")
        elif is_unanswered(value):
            reading.blanks.append(name)
        elif (problem := _number_problem(name, value)) is not None:
            reading.problems.append(problem)
        else:
            reading.numbers[name] = float(value)
        seen.add(name)
    if unknown:
        reading.problems.append(f"unknown assumption {', '.join(unknown)}")
    missing = [n for n in estimate.names if n not in seen]
    if missing and not (reading.problems and not pairs):
        reading.problems.append("missing " + ", ".join(f"`{n}`" for n in missing))
    if reading.problems:
        reading.problems.append("The assumptions are: " + "; ".join(f"`{a.name}` ({a.label}, {a.unit})" for a in estimate.assumptions) + ".")
    return reading


def _problem_text(problems: Sequence[str]) -> str:
    """The problems in one sentence, then the list of assumptions (always the last entry)."""
    listed = [p for p in problems if not p.startswith("The assumptions are")]
    rest = [p for p in problems if p.startswith("The assumptions are")]
    return " ".join(["; ".join(listed) + "."] + rest)


def _blank_text(estimate: Estimate, blanks: Sequence[str]) -> list[str]:
    return [f"still blank: {', '.join(f'`{n}`' for n in blanks)}"] if blanks else []


class _EstimateQuestion(Question):
    """The estimate as a question whose answer is the pair (values, answer): the checking machinery's
    time limit, its never-raise rule and its record of the answer come with it."""

    def __init__(self, estimate: Estimate):
        super().__init__(estimate.kind, estimate.title, estimate.prompt, hints=estimate.hints,
                         parameters={"seed": estimate.seed, "difficulty": estimate.difficulty, "scenario": estimate.scenario},
                         data=estimate)
        self.estimate = estimate

    def _judge(self, pair: tuple[Any, Any]) -> tuple[Outcome, str, tuple[str, ...]]:
        e = self.estimate
        values, answer = pair
        if is_unanswered(values):
            names = ", ".join(f"`{n}`" for n in e.names)
            return Outcome.NOT_ATTEMPTED, f"State your assumptions first ({names}): the check judges your answer against them.", ()
        reading = _read(e, values)
        if reading.problems:
            return Outcome.INCORRECT, "Your assumptions could not be read: " + _problem_text(reading.problems + _blank_text(e, reading.blanks)), ()
        if reading.blanks:
            return Outcome.NOT_ATTEMPTED, f"Still blank: {', '.join(f'`{n}`' for n in reading.blanks)}. State every assumption, then give your answer.", ()
        if is_unanswered(answer):
            return Outcome.NOT_ATTEMPTED, f"Now give your estimate ({e.units}), worked out from your assumptions.", ()
        return _verdict(e, reading.numbers, answer)


def _slips(e: Estimate, v: Mapping[str, float], answer: float) -> list[Slip]:
    """The slips that can be computed from these assumptions (absurd ones can make a step undefined: then none)."""
    try:
        return [s for s in e.slip_maker(v, answer) if math.isfinite(s.value)]
    except (ArithmeticError, ValueError, TypeError):
        return []


@functools.lru_cache(maxsize=16)
def _spec(e: Estimate, key: tuple[float, ...]) -> tuple[float, NumberSpec | None]:
    """What these assumptions give, and the number check with their slips (None when the answer is not
    finite). Kept for a few sets of assumptions: a learner often tries several answers from the same ones."""
    v = dict(zip(e.names, key))
    expected = _safe(lambda: e.formula(v))
    if not math.isfinite(expected):
        return expected, None
    return expected, NumberSpec(expected, units=e.units, precision=PRECISION, mistakes=tuple(Mistake(s.value, s.feedback) for s in _slips(e, v, expected)))


def _judge_number(spec: NumberSpec, answer: Any) -> tuple[bool, str]:
    """The number check's verdict; an answer its rounding cannot handle (a subnormal float next to 0) is simply wrong."""
    try:
        return spec.judge(answer)
    except (ArithmeticError, ValueError):
        return False, f"{safe_repr(answer, 30)} is not what your assumptions give."


def _notes(e: Estimate, v: Mapping[str, float]) -> list[str]:
    """Each implausible assumption's feedback; when there is none, each implausible combination's."""
    notes = [note for a in e.assumptions if (note := a.feedback(v[a.name])) is not None]
    if notes or e.cross_check is None:
        return notes
    try:
        return list(e.cross_check(v))
    except (ArithmeticError, ValueError, TypeError):  # plausible numbers never get here; a check must not raise
        return []


def _verdict(e: Estimate, v: dict[str, float], answer: Any) -> tuple[Outcome, str, tuple[str, ...]]:
    """Plausibility first (each assumption, then how they combine), then the arithmetic from the learner's own assumptions."""
    notes = _notes(e, v)
    expected, spec = _spec(e, tuple(v[n] for n in e.names))
    if validation.is_whole(answer) and not validation.is_real(answer):
        arithmetic = (False, f"Your answer {safe_repr(answer, 30)} is too large to be any number of {e.units}: check the arithmetic.")
    elif spec is None:
        arithmetic = (False, "These assumptions give no finite answer (a division by zero, or a number too large), so the arithmetic cannot be checked.")
    else:
        arithmetic = _judge_number(spec, answer)
    ok, message = arithmetic
    if notes:
        tail = ("Your arithmetic is right: that is what these assumptions give. Fix what is implausible, then redo the sums."
                if ok else f"The arithmetic is off too: {message}" if math.isfinite(expected) else message)
        return Outcome.INCORRECT, "\n".join(notes + [tail]), ()
    if ok:
        return Outcome.CORRECT, f"Every assumption is plausible, and {_answer(expected, e.units)} is what they give.", ()
    return Outcome.INCORRECT, f"Your assumptions are plausible; the arithmetic from them is not. {message}", ()


# --------------------------------------------------------------------------------------------
# Shared pieces of the builders
# --------------------------------------------------------------------------------------------


def _pick(rng: np.random.Generator, options: Sequence[Any]) -> Any:
    return options[int(rng.integers(len(options)))]


def _scaled(x: float, factor: float, floor: int = 10) -> int:
    """A fact scaled by the scenario, rounded to two significant figures (12,500 -> 13,000)."""
    y = max(floor, x * factor)
    step = 10 ** max(0, math.floor(math.log10(y)) - 1)
    return int(_places(y / step, 0)) * step  # a half up, as the kit rounds


def _assume(name: str, label: str, unit: str, spec: tuple, whole: bool = False, step: float = 0.0, step_name: str = "") -> Assumption:
    """An Assumption from (low, high, typical, why[, too_low[, too_high]])."""
    low, high, typical, why, *rest = spec
    too_low, too_high = (list(rest) + ["", ""])[:2]
    return Assumption(name, label, unit, low, high, why, typical, too_low, too_high, whole, step, step_name)


def _lower(label: str) -> str:
    """A label inside a sentence: "Uses per agent a day" -> "uses per agent a day" (an acronym keeps its case)."""
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]


def _ask(assumptions: Sequence[Assumption]) -> str:
    return " State your assumptions: " + "; ".join(f"{_lower(a.label)} ({a.unit})" for a in assumptions) + "."


def _plausible_hint(assumptions: Sequence[Assumption]) -> str:
    return "Plausible: " + "; ".join(f"{_lower(a.label)} {a.range_text}" for a in assumptions) + "."


# The precision, stated in every prompt: an estimate is said aloud, so two significant figures.
_SAY_IT = f"{PRECISION.instruction[:-1]}, as you would say it aloud: {PRECISION.format(28_800)} for 28,800, {PRECISION.format(4.27)} for 4.27."

_NO_SINGLE = " There is no single right number: the check judges whether each assumption is plausible and whether your answer is what your assumptions give."


# --------------------------------------------------------------------------------------------
# 1. The monthly model bill of an assistant
# --------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _price_ranges() -> dict[str, Any]:
    """Plausible prices from the kit's dated price table (chat and fine-tuned rows): a quarter of the
    cheapest to four times the dearest, so an older or a newer model still fits; typical: the middle row.
    The output price over the input price: from 1 (some hosts of open models charge the same for both)
    to three times the table's largest ratio."""
    from .costs import load_prices

    rows = sorted((p for p in load_prices().values() if p.kind in ("chat", "fine_tuned")), key=lambda p: p.input_per_million)
    ins = [p.input_per_million for p in rows]
    outs = [p.output_per_million for p in rows]
    middle = rows[len(rows) // 2]
    as_of = max(p.as_of for p in rows)
    table = (f"The kit's price table (as of {as_of}) runs from ${min(ins):g} to ${max(ins):g} per 1M input tokens and "
             f"${min(outs):g} to ${max(outs):g} per 1M output tokens; the range allows a quarter of the cheapest to four times the dearest.")
    ratios = [p.output_per_million / p.input_per_million for p in rows]
    ratio_table = f"In the kit's price table (as of {as_of}) output costs {_num(_sig(min(ratios), 2))} to {_num(_sig(max(ratios), 2))} times input."
    return dict(p_in=(min(ins) / 4, max(ins) * 4), p_out=(min(outs) / 4, max(outs) * 4), typical=middle, table=table,
                ratio=(1.0, _places(3 * max(ratios), 0)), ratio_table=ratio_table)


@dataclasses.dataclass(frozen=True)
class _Assistant:
    """One product whose model bill is estimated, and the plausible use of it.

    Ranges: the course's worked examples (lesson 04: 500 prompt + 2,000 retrieved tokens in, 300
    out), the rule of thumb that a token is about three quarters of an English word, and how long
    each kind of input and answer is in practice; generous on both sides. ``ceiling``: (dollars, "month"
    or "chat", why): the model bill per user a month (or per chat, for a daily visitor) beyond which the
    assumptions together are not believable for this product; the prompt states it."""

    intro: str  # with {n}
    one: str
    many: str
    users: tuple[int, ...]
    uses: tuple
    tokens_in: tuple
    tokens_out: tuple
    ceiling: tuple

    def per_user(self, dollars: float) -> str:
        """Dollars per user in words: "$1,000 per agent a month", "$1 per shopper's chat"."""
        return f"{_usd(dollars)} per {self.one} a month" if self.ceiling[1] == "month" else f"{_usd(dollars)} per {self.one}'s chat"


_ASSISTANTS = (
    _Assistant("Your company's {n} support agents will get an assistant that drafts their replies to customers.", "agent", "agents",
               (150, 300, 600, 1_200, 2_500),
               (5, 150, 40, "An agent handles 30–80 tickets a day; not every ticket needs a draft, and some need two.",
                "would mean the assistant sits unused most of the day", "would be more than a draft every three minutes of an 8-hour day"),
               (300, 10_000, 1_500, "Instructions plus the customer's thread: a thread of a few messages is 500–3,000 tokens (a token is about ¾ of a word).",
                "would not even hold the instructions and the customer's message", "would be a short book sent with every ticket"),
               (100, 1_500, 300, "A reply of a few paragraphs is 150–600 tokens.",
                "would be a one-line reply", "would be a long essay for every ticket"),
               # loaded cost of a support agent: pay, taxes, equipment (the labelling drill's $25–50 an hour)
               (1_000, "month", "A support agent costs the company about $4,000–8,000 a month with overheads, and help-desk "
                "software sells reply-drafting tools for tens of dollars per agent a month; a model bill of a fifth of an agent's "
                "cost would have to save a day of every agent's week.")),
    _Assistant("A note-taking app has {n} people a day who use its new writing assistant.", "user", "users",
               (20_000, 50_000, 100_000, 250_000),
               (0.5, 30, 4, "People ask a writing assistant for a few rewrites or summaries a day; heavy users a few dozen.",
                "would mean most users never touch it", "would be more than a request every half hour of a waking day, for everyone"),
               (100, 8_000, 800, "The instructions plus the note or paragraph being rewritten: a page of text is about 600 tokens.",
                "would not hold the instructions", "would be a dozen pages sent with every request"),
               (50, 2_000, 400, "A rewritten paragraph or a summary is 100–800 tokens.",
                "would be a few words", "would be a long report for every request"),
               (30, "month", "Writing apps charge about $8–20 a month for a whole paid plan, and most users pay nothing; "
                "a model bill above $30 per user a month would lose money on every user.")),
    _Assistant("{n} engineers at your company will use a coding assistant in their editor: completions as they type, chat "
               "questions, and agent-style tasks that read files and make changes.", "engineer", "engineers",
               (100, 300, 800, 2_000, 5_000),
               (5, 2_000, 60, "Completions fire as engineers type: hundreds a day for an active engineer; chat questions and an "
                "agent's steps (each step is a request) come on top.",
                "would mean the assistant is barely used", "would be a request every 15 seconds of an 8-hour day"),
               (500, 200_000, 4_000, "A completion sends the open file and a few related ones: 2,000–8,000 tokens (a 300-line file is "
                "about 3,000). An agent-style request sends the task, the files it has read and its earlier steps: often 20,000–100,000.",
                "would not hold the code around the cursor", "would be more than most models can read at once"),
               (20, 8_000, 150, "A completion is a few lines (20–200 tokens); a chat answer with code 300–1,000; an agent's step "
                "that edits several files a few thousand.",
                "would be less than one line of code", "would be several whole modules for every request"),
               (5_000, "month", "An engineer costs about $12,000–20,000 a month with overheads. A few heavy users of agent-style "
                "tools spend thousands a month, but an average of $5,000 for every engineer, a third of what each costs, is not "
                "believable (prompt caching, lesson 04, keeps such bills far lower).")),
    _Assistant("An online shop's chat assistant talks to {n} shoppers a day.", "shopper", "shoppers",
               (5_000, 20_000, 60_000, 150_000),
               (1, 20, 4, "A shopper who opens the chat sends a few messages: 2–6 is usual, 20 is a long conversation.",
                "would mean people open the chat and say nothing", "would be a long negotiation with every shopper"),
               (200, 8_000, 1_200, "Instructions, the conversation so far and a few product descriptions: 500–3,000 tokens.",
                "would not hold the instructions", "would be the whole catalogue page in every message"),
               (50, 1_000, 200, "A chat answer is a few sentences: 50–300 tokens.",
                "would be a word or two", "would be a product manual in every answer"),
               (1, "chat", "An order earns a shop a few dollars of margin, and most shoppers who chat do not buy; a chat "
                "that costs more than $1 in model tokens would lose money on nearly every conversation.")),
)


def _llm_assumptions(a: _Assistant, difficulty: int) -> tuple[Assumption, ...]:
    prices = _price_ranges()
    row = prices["typical"]
    uses = _assume("uses_per_user_per_day", f"Uses per {a.one} a day", "uses", a.uses)
    if difficulty == 1:
        typical_tokens = a.tokens_in[2] + a.tokens_out[2]
        blended = _sig((a.tokens_in[2] * row.input_per_million + a.tokens_out[2] * row.output_per_million) / typical_tokens, 2)
        tokens = (a.tokens_in[0] + a.tokens_out[0], a.tokens_in[1] + a.tokens_out[1], typical_tokens,
                  "Sent and returned together. " + a.tokens_in[3] + " " + a.tokens_out[3], a.tokens_in[4], a.tokens_in[5])
        price = (prices["p_in"][0], prices["p_out"][1], blended,
                 "A blended price sits between a model's input and output prices, nearer the input price when most tokens are sent. " + prices["table"],
                 "would be cheaper than any model on sale", "would be dearer than any model on sale, even counted at its output price")
        return (uses, _assume("tokens_per_use", "Tokens per use, sent and returned", "tokens", tokens),
                _assume("price_per_million", "Blended price per 1M tokens", "USD per 1M tokens", price))
    found = (
        uses,
        _assume("tokens_in", "Tokens sent per use: instructions and input", "tokens", a.tokens_in),
        _assume("tokens_out", "Tokens returned per use", "tokens", a.tokens_out),
        _assume("price_in", "Input price per 1M tokens", "USD per 1M tokens",
                (*prices["p_in"], row.input_per_million, prices["table"], "would be cheaper than any model on sale", "would be dearer than any model on sale")),
        _assume("price_out", "Output price per 1M tokens", "USD per 1M tokens",
                (*prices["p_out"], row.output_per_million, prices["ratio_table"] + " " + prices["table"],
                 "would be cheaper than any model on sale", "would be dearer than any model on sale")),
    )
    if difficulty == 2:
        return found
    return found + (
        _assume("retrieved_tokens", "Retrieved tokens per use", "tokens",
                (200, 20_000, 2_000, "Retrieval adds 3–10 passages of 200–500 tokens each to the prompt (lesson 04's example: 2,000).",
                 "would be less than one passage", "would be a small book in every prompt")),
        _assume("cache_hit_share", "Share of uses answered from a cache", "share",
                (0.0, 0.6, 0.2, "A cache of past answers serves word-for-word repeats at no model cost: 10–40% is common for support "
                 "and shopping questions, less for writing and code.",
                 "", "would mean most questions are word-for-word repeats")),
    )


def _llm_formula(users: int, difficulty: int) -> Callable[[Mapping[str, float]], float]:
    def month(v: Mapping[str, float]) -> float:
        uses = users * v["uses_per_user_per_day"] * DAYS_PER_MONTH
        if difficulty == 1:
            return uses * v["tokens_per_use"] * v["price_per_million"] / 1e6
        sent = v["tokens_in"] + (v["retrieved_tokens"] if difficulty == 3 else 0)
        per_use = (sent * v["price_in"] + v["tokens_out"] * v["price_out"]) / 1e6
        return uses * per_use * (1 - v["cache_hit_share"] if difficulty == 3 else 1)
    return month


# Why an output token costs more than an input token (the price ratio's cross-check).
_WRITING_COSTS_MORE = ("A model reads the whole prompt in one pass, all its tokens at once, but writes its answer one token at a "
                       "time, a pass for each; so writing a token costs more than reading one, and providers charge at least as much for output.")


def _llm_cross_check(a: _Assistant, users: int, difficulty: int, assumptions: Sequence[Assumption]) -> Callable[[Mapping[str, float]], list[str]]:
    """Combinations no single range catches: output priced below input (or far above it), and a bill per
    user beyond the ceiling the prompt states (every assumption at the top of its range at once)."""
    formula, prices = _llm_formula(users, difficulty), _price_ranges()

    def check(v: Mapping[str, float]) -> list[str]:
        notes = []
        if difficulty > 1:
            low, high = prices["ratio"]
            ratio = v["price_out"] / v["price_in"]
            if not low <= ratio <= high:
                said = (f"An output price below the input price is implausible. {_WRITING_COSTS_MORE}" if ratio < low
                        else "No model on sale charges that much more for output than for input.")
                notes.append(f"**Output price against input price** (`price_out` ÷ `price_in`): plausible is {_num(low)}–{_num(high)} times; "
                             f"your {_usd(v['price_out'])} against {_usd(v['price_in'])} per 1M tokens is {_num(_sig(ratio, 2))} times. "
                             f"{said} {prices['ratio_table']}")
        amount, per, why = a.ceiling
        each = formula(v) / users / (DAYS_PER_MONTH if per == "chat" else 1)
        if each > amount:
            notes.append(f"**Bill per {a.one}** (your assumptions together): they give about {a.per_user(_sig(each, 2))}, above the "
                         f"{a.per_user(amount)} the prompt calls believable. {why} {_highest(assumptions, v)}")
        return notes
    return check


def _highest(assumptions: Sequence[Assumption], v: Mapping[str, float]) -> str:
    """The assumption that raises the bill and sits nearest the top of its range (on a log scale): where to look first."""
    raising = [a for a in assumptions if a.unit != "share" and a.low > 0]
    top = max(raising, key=lambda a: math.log(v[a.name] / a.low) / math.log(a.high / a.low))
    return f"Look first at {_lower(top.label)}: your {top.show(v[top.name])} is near the top of its range ({top.range_text})."


def _llm_slips(a: _Assistant, users: int, difficulty: int) -> Callable[[Mapping[str, float], float], list[Slip]]:
    def slips(v: Mapping[str, float], answer: float) -> list[Slip]:
        out = [
            Slip("one_day", answer / DAYS_PER_MONTH, "That is one day's bill. The question asks for a 30-day month: multiply by 30."),
            Slip("per_thousand", answer * 1000, "Prices are per million tokens, not per thousand: divide the tokens by 1,000,000."),
            Slip("one_user", answer / users, f"That is the bill for one {a.one}. Multiply by the {users:,} {a.many}."),
            Slip("one_use_a_day", _safe(lambda: answer / v["uses_per_user_per_day"]),
                 f"You counted one use per {a.one} a day. Multiply by your uses per {a.one} a day."),
        ]
        if difficulty == 1:
            return out
        hit = v["cache_hit_share"] if difficulty == 3 else 0.0
        sent = v["tokens_in"] + (v["retrieved_tokens"] if difficulty == 3 else 0)
        scale = users * v["uses_per_user_per_day"] * DAYS_PER_MONTH * (1 - hit) / 1e6
        out += [
            Slip("swapped_prices", (sent * v["price_out"] + v["tokens_out"] * v["price_in"]) * scale,
                 "The prices are swapped: tokens sent take the input price, tokens returned the output price."),
            Slip("forgot_output_tokens", sent * v["price_in"] * scale, "You left out the tokens returned. The answer is paid for too, at the output price."),
        ]
        if difficulty == 3:
            out += [
                Slip("ignored_cache", _safe(lambda: answer / (1 - hit)), "You left out the cache: uses answered from it cost no model tokens; pay only for the misses."),
                Slip("paid_for_hits", _safe(lambda: answer * hit / (1 - hit)), "You paid for the cache hits. The uses the model answers are the misses: 1 − hit share."),
                Slip("forgot_retrieved_tokens", (v["tokens_in"] * v["price_in"] + v["tokens_out"] * v["price_out"]) * scale,
                     "You left out the retrieved text. Everything sent to the model is input: instructions, question and retrieved passages."),
            ]
        return out
    return slips


def _llm_steps(a: _Assistant, users: int, difficulty: int) -> Callable[[Mapping[str, float]], str]:
    formula = _llm_formula(users, difficulty)

    def steps(v: Mapping[str, float]) -> str:
        uses = users * v["uses_per_user_per_day"]
        answer = formula(v)
        if difficulty == 1:
            tokens = uses * v["tokens_per_use"] * DAYS_PER_MONTH
            return (f"Uses a day: {users:,} {a.many} × {_num(v['uses_per_user_per_day'])} = {_num(uses)}. Tokens a month: {_num(uses)} × "
                    f"{_num(v['tokens_per_use'])} tokens × 30 days = {_num(tokens)}. At {_usd(v['price_per_million'])} per 1M tokens: "
                    f"{_num(tokens)} / 1,000,000 × {_usd(v['price_per_million'])} = **{_answer(answer, 'USD')}** a month.")
        sent = v["tokens_in"] + (v["retrieved_tokens"] if difficulty == 3 else 0)
        per_use = (sent * v["price_in"] + v["tokens_out"] * v["price_out"]) / 1e6
        what = f"({_num(v['tokens_in'])} + {_num(v['retrieved_tokens'])} retrieved)" if difficulty == 3 else _num(sent)
        text = (f"Per use: ({what} × {_usd(v['price_in'])} + {_num(v['tokens_out'])} × {_usd(v['price_out'])}) / 1,000,000 = "
                f"{_usd(per_use)}. Uses a month: {users:,} {a.many} × {_num(v['uses_per_user_per_day'])} a day × 30 days = {_num(uses * 30)}")
        if difficulty == 3:
            text += f", of which the model answers the misses: × (1 − {_num(v['cache_hit_share'])}) = {_num(uses * 30 * (1 - v['cache_hit_share']))}"
        return text + f". A month: **{_answer(answer, 'USD')}**."
    return steps


def _llm_code(users: int, difficulty: int) -> Callable[[Mapping[str, float]], str]:
    def code(v: Mapping[str, float]) -> str:
        g = {k: _num(x).replace(",", "_") for k, x in v.items()}
        month = f"{users} * {g['uses_per_user_per_day']} * 30"
        if difficulty == 1:
            return f"{month} * {g['tokens_per_use']} * {g['price_per_million']} / 1_000_000"
        sent = f"{g['tokens_in']} + {g['retrieved_tokens']}" if difficulty == 3 else g["tokens_in"]
        per_use = f"cost_per_query({sent}, {g['tokens_out']}, {g['price_in']}, {g['price_out']})"
        if difficulty == 2:
            return f"from aipm_course.costs import cost_per_query\n{per_use} * {month}"
        per_use = f"cost_with_cache({per_use}, hit_rate={g['cache_hit_share']})"
        return f"from aipm_course.costs import cost_per_query, cost_with_cache\n{per_use} * {month}"
    return code


def _llm_monthly_cost(rng: np.random.Generator, difficulty: int, sc: Scenario) -> dict[str, Any]:
    a = _pick(rng, _ASSISTANTS)
    users = _scaled(float(_pick(rng, a.users)), sc.volume)
    assumptions = _llm_assumptions(a, difficulty)
    extra = {1: "", 2: "", 3: " It retrieves passages from a help centre for every use, and answers word-for-word repeats from a cache of past answers."}[difficulty]
    ceiling = a.ceiling[0]
    prompt = (a.intro.format(n=f"{users:,}") + extra + " Roughly what will the model cost in a 30-day month (the same use every day), in dollars?"
              + f" A bill above {a.per_user(ceiling)} would not be believable for this product." + _ask(assumptions) + _NO_SINGLE)
    low, high = _price_ranges()["ratio"]
    together = (f" Together: output price {_num(low)}–{_num(high)} times the input price" if difficulty > 1 else " Together:")
    return dict(
        title="Monthly model bill, from your assumptions",
        prompt=prompt, units="USD a month", facts={"users": users, "who": a.many, "ceiling": ceiling}, assumptions=assumptions,
        formula=_llm_formula(users, difficulty), slip_maker=_llm_slips(a, users, difficulty),
        steps=_llm_steps(a, users, difficulty), code_for=_llm_code(users, difficulty),
        cross_check=_llm_cross_check(a, users, difficulty, assumptions),
        hints=(
            f"Work per use first: what one use costs in tokens. Then uses a month: {a.many} × uses a day × 30.",
            ("Cost per use = tokens per use × blended price / 1,000,000 (prices are per 1M tokens)." if difficulty == 1 else
             "Cost per use = (tokens sent × input price + tokens returned × output price) / 1,000,000 (prices are per 1M tokens).")
            + (" Only the cache misses reach the model: × (1 − hit share)." if difficulty == 3 else ""),
            _plausible_hint(assumptions) + together + f"{',' if difficulty > 1 else ''} a bill of at most {a.per_user(ceiling)}.",
        ),
    )


# --------------------------------------------------------------------------------------------
# 2. The people who review the human share
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Desk:
    """A review desk: what comes in, and the plausible share and minutes for that work.

    Ranges: lesson 03 and FACTS "Headcount" (the cases sent to people are the hardest ones);
    moderation and claims figures are generous bands around what such desks publish."""

    intro: str  # with {n}
    case: str
    cases: str
    per_day: tuple[int, ...]
    share: tuple
    minutes: tuple


_DESKS = (
    _Desk("A support assistant at a bank answers {n} customer tickets a day and hands the hard ones to people.", "ticket", "tickets",
          (3_000, 6_000, 10_000, 20_000, 40_000),
          (0.02, 0.6, 0.15, "Assistants that answer tickets hand 5–30% to people; above 60% the assistant is barely automating anything.",
           "would mean almost nothing needs a person: rare outside the easiest queues", "would leave the assistant barely automating anything"),
          (1, 20, 6, "The tickets handed over are the hard ones: 3–10 minutes each is common.",
           "is less than it takes to read a hard ticket", "would be a small investigation for every ticket")),
    _Desk("A moderation model screens {n} posts a day and sends the doubtful ones to human moderators.", "post", "posts",
          (50_000, 100_000, 250_000, 500_000),
          (0.002, 0.15, 0.02, "Moderation models send a few percent of posts to people; above 15% the model filters little.",
           "would mean the model is sure of almost every post", "would mean the model filters very little"),
          (0.1, 5, 0.5, "A post is judged in 10 seconds to a couple of minutes; an image or a video takes longer.",
           "is less than it takes to read a post", "would be a long investigation for every post")),
    _Desk("An insurer's model triages {n} claims a day and sends the uncertain ones to claims handlers.", "claim", "claims",
          (500, 1_000, 2_000, 4_000),
          (0.05, 0.8, 0.3, "Claims triage automates the simple claims; 20–50% going to a handler is common.",
           "would mean almost every claim is simple enough to settle automatically", "would leave the model barely automating anything"),
          (5, 60, 20, "A handler reads the claim, checks documents and decides: 10–40 minutes is common.",
           "is less than it takes to open the documents", "would be more than an hour on every claim")),
    _Desk("A triage chatbot at a hospital network takes {n} patient messages a day and passes some to nurses.", "message", "messages",
          (1_000, 2_000, 5_000),
          (0.05, 0.7, 0.25, "Clinical triage passes a large share to nurses for safety: 15–40% is common.",
           "would be reckless for clinical messages", "would leave the chatbot doing almost nothing"),
          (2, 20, 5, "A nurse reads the message and the chatbot's note and replies or books a call: 3–10 minutes.",
           "is less than it takes to read the message", "would be a full consultation for every message")),
)

# Each loss of time is counted once, as uncertainty.reviewer_fte does: shrinkage is paid time away from the
# cases (breaks, meetings, training, leave, sickness); occupancy, or the productive hours beside shrinkage,
# loses only handovers and the gaps between cases. Without shrinkage (difficulty 1), the productive hours
# lose everything. FACTS "Headcount" and lesson 03.
_COUNTED_ONCE = "Count each loss of time once: shrinkage covers breaks, meetings, training, leave and sickness; {what}."
_PRODUCTIVE_ALONE = (4, 7.5, 6, "Of an 8-hour shift, breaks, meetings, handovers and the gaps between cases take 1–2 hours; "
                     "these hours are what is left for cases.", "would be half a shift", "would leave no time for breaks in an 8-hour shift")
# 8 hours × occupancy of 60–92% (the occupancy range below).
_PRODUCTIVE_BEFORE_SHRINKAGE = (4.8, 7.4, 6.8, "These are the hours on cases of a shift with no break, meeting or training in it: "
                                "shrinkage takes those off separately. Only handovers and the gaps between cases are lost: 8 hours × an "
                                "occupancy of 60–92% (above 85–90% burns people out).",
                                "would mean the desk mostly waits for work", "would leave no gap between cases in an 8-hour shift")
# FACTS "Headcount": 25–35% is common in contact centres; generous on both sides.
_SHRINKAGE = (0.15, 0.45, 0.3, "Shrinkage is the share of paid time away from the cases: breaks, meetings, training, leave and sickness. "
              "25–35% is common in contact centres. The gaps between cases are not shrinkage: they are in the {where}.",
              "would mean almost no breaks, leave, training or sickness", "would mean people are away for much of their paid time")
# uncertainty.reviewer_fte: above about 85–90% burns people out.
_OCCUPANCY = (0.6, 0.92, 0.85, "Occupancy is the share of the time at the desk spent on cases; the rest is handovers and waiting between "
              "cases (breaks and meetings are shrinkage, not occupancy). Above 85–90% burns people out, below 60% the desk mostly waits.",
              "would mean the desk mostly waits for work", "would burn people out")


def _shrinkage(where: str) -> Assumption:
    low, high, typical, why, *rest = _SHRINKAGE
    return _assume("shrinkage", "Shrinkage: share of paid time away from the cases", "share", (low, high, typical, why.format(where=where), *rest))


def _desk_assumptions(d: _Desk, difficulty: int) -> tuple[Assumption, ...]:
    found = (_assume("human_share", f"Share of {d.cases} sent to a person", "share", d.share),
             _assume("minutes_per_case", f"Minutes a person spends per {d.case}", "minutes", d.minutes))
    if difficulty == 3:
        return found + (_assume("occupancy", "Occupancy: share of the time at the desk spent on cases", "share", _OCCUPANCY),
                        _shrinkage("occupancy"))
    if difficulty == 1:
        return found + (_assume("productive_hours", "Productive hours a person a day", "hours", _PRODUCTIVE_ALONE),)
    return found + (_assume("productive_hours", "Productive hours on cases in a shift, before shrinkage", "hours", _PRODUCTIVE_BEFORE_SHRINKAGE),
                    _shrinkage("productive hours"))


def _desk_formula(cases: int, difficulty: int) -> Callable[[Mapping[str, float]], float]:
    def people(v: Mapping[str, float]) -> float:
        workload = cases * v["human_share"] * v["minutes_per_case"] / 60
        if difficulty == 1:
            return workload / v["productive_hours"]
        if difficulty == 2:
            return workload / v["productive_hours"] / (1 - v["shrinkage"])
        return workload / (SHIFT_HOURS * v["occupancy"]) * 7 / 5 / (1 - v["shrinkage"])
    return people


def _desk_slips(d: _Desk, cases: int, difficulty: int) -> Callable[[Mapping[str, float], float], list[Slip]]:
    def slips(v: Mapping[str, float], answer: float) -> list[Slip]:
        share = v["human_share"]
        out = [
            Slip("forgot_human_share", _safe(lambda: answer / share), f"You staffed for every {d.case}. Only the share sent to a person needs a reviewer."),
            Slip("hours_not_minutes", answer * 60, "You divided minutes of work by hours of time. Turn the minutes into hours first (÷ 60)."),
        ]
        if difficulty == 1:
            hours = v["productive_hours"]
            return out + [
                Slip("whole_shift", answer * hours / SHIFT_HOURS, "You divided by the whole 8-hour shift. Only the productive hours review cases."),
                Slip("workload_hours", answer * hours, "That is the hours of review work a day. Divide by the productive hours one person gives."),
                Slip("cases_per_person", _safe(lambda: hours * 60 / v["minutes_per_case"]),
                     f"That is how many {d.cases} one person reviews in a day. The question asks how many people the share sent to people needs."),
            ]
        s = v["shrinkage"]
        out += [
            Slip("forgot_shrinkage", answer * (1 - s),
                 "You left out shrinkage: breaks, meetings, training, leave and sickness take people off the cases. Divide by (1 − shrinkage)."),
            Slip("times_one_plus_shrinkage", answer * (1 - s) * (1 + s),
                 "You multiplied by (1 + shrinkage). Shrinkage is a share of paid time lost, so divide by (1 − shrinkage): 30% lost needs 1 / 0.7 = 1.43 times the people."),
            Slip("rounded_up", math.ceil(answer - 1e-9),
                 "You rounded up to whole people: right when you hire, but this question asks for full-time equivalents "
                 f"{PRECISION.phrase}, so the arithmetic can be checked."),
        ]
        if difficulty == 3:
            occ = v["occupancy"]
            out += [
                Slip("forgot_seven_fifths", answer * 5 / 7, "The desk is open 7 days and each person works 5: multiply the people on the desk by 7/5."),
                Slip("five_sevenths", answer * 25 / 49, "Upside down: to cover 7 days with 5-day weeks you need more people, × 7/5, not × 5/7."),
                Slip("forgot_occupancy", answer * occ, "You counted the whole 8-hour shift as casework. Only the occupancy share goes on cases: divide by 8 × occupancy."),
                Slip("times_occupancy", answer * occ * occ, "You multiplied by the occupancy. Less time on cases needs more people: divide by it."),
            ]
        return out
    return slips


def _desk_steps(d: _Desk, cases: int, difficulty: int) -> Callable[[Mapping[str, float]], str]:
    formula = _desk_formula(cases, difficulty)

    def steps(v: Mapping[str, float]) -> str:
        workload = cases * v["human_share"] * v["minutes_per_case"] / 60
        text = (f"{d.cases.capitalize()} to people: {cases:,} × {_num(v['human_share'])} = {_num(cases * v['human_share'])} a day; "
                f"× {_num(v['minutes_per_case'])} minutes / 60 = {_num(_places(workload, 2))} hours of review a day. ")
        answer = _answer(formula(v), "")
        if difficulty == 1:
            return text + f"/ {_num(v['productive_hours'])} productive hours a person = **{answer}** people reviewing on a given day."
        if difficulty == 2:
            desk = workload / v["productive_hours"]
            return text + (f"/ {_num(v['productive_hours'])} productive hours = {_num(_places(desk, 3))} on the desk; "
                           f"/ (1 − {_num(v['shrinkage'])}) shrinkage = **{answer}** full-time people.")
        desk = workload / (SHIFT_HOURS * v["occupancy"])
        return text + (f"/ (8 hours × {_num(v['occupancy'])} occupancy) = {_num(_places(desk, 3))} on the desk each day; "
                       f"× 7/5 for a 7-day desk with 5-day weeks = {_num(_places(desk * 1.4, 3))}; / (1 − {_num(v['shrinkage'])}) shrinkage = "
                       f"**{answer}** full-time people (lesson 03: FTE = desk people × 7/5 / (1 − shrinkage)).")
    return steps


def _desk_code(cases: int, difficulty: int) -> Callable[[Mapping[str, float]], str]:
    def code(v: Mapping[str, float]) -> str:
        g = {k: _num(x).replace(",", "_") for k, x in v.items()}
        if difficulty == 3:
            return ("from aipm_course.uncertainty import reviewer_fte\n"
                    f"reviewer_fte({cases} * {g['human_share']}, {g['minutes_per_case']}, shift_hours=8, occupancy={g['occupancy']}, "
                    f"shrinkage={g['shrinkage']}, days_open=7, days_worked=5).fte")
        desk = f"reviewer_headcount({cases}, {g['human_share']}, {g['minutes_per_case']}, {g['productive_hours']})"
        return "from aipm_course.uncertainty import reviewer_headcount\n" + (desk if difficulty == 1 else f"{desk} / (1 - {g['shrinkage']})")
    return code


def _review_team(rng: np.random.Generator, difficulty: int, sc: Scenario) -> dict[str, Any]:
    d = _pick(rng, _DESKS)
    cases = _scaled(float(_pick(rng, d.per_day)), sc.volume, floor=200)
    assumptions = _desk_assumptions(d, difficulty)
    ask = {
        1: (" People work 8-hour shifts. How many people must be reviewing on a given day (the workload in people, before leave and rotas)? "
            "The productive hours are what is left of a shift for cases after breaks, meetings, handovers and the gaps between cases."),
        2: (" The desk is open on weekdays, and people work 8-hour shifts on those days. How many full-time people must you employ, allowing for shrinkage? "
            + _COUNTED_ONCE.format(what="the productive hours are the hours on cases of a shift with none of those in it, "
                                        "so they lose only handovers and the gaps between cases")),
        3: (" The desk is open 7 days a week; each person works 5 days, in 8-hour shifts. How many full-time people must you employ? "
            + _COUNTED_ONCE.format(what="occupancy is the share of the time at the desk spent on cases, "
                                        "the rest being handovers and the gaps between cases")),
    }[difficulty]
    answer = "Answer in people" if difficulty == 1 else "Answer in full-time equivalents (FTE), not rounded up to whole people"
    return dict(
        title="Review team, from your assumptions",
        prompt=d.intro.format(n=f"{cases:,}") + ask + _ask(assumptions) + _NO_SINGLE + f" {answer}.",
        units="people" if difficulty == 1 else "FTE", facts={"cases_per_day": cases, "shift_hours": SHIFT_HOURS}, assumptions=assumptions,
        formula=_desk_formula(cases, difficulty), slip_maker=_desk_slips(d, cases, difficulty),
        steps=_desk_steps(d, cases, difficulty), code_for=_desk_code(cases, difficulty),
        hints=(
            "Hours of review work a day first: cases × share to people × minutes / 60. Then the hours one person gives.",
            {1: "People = workload hours / productive hours a person.",
             2: "On the desk = workload hours / productive hours; then divide by (1 − shrinkage).",
             3: "On the desk = workload hours / (8 × occupancy); × 7/5 for a 7-day desk with 5-day weeks; then / (1 − shrinkage)."}[difficulty],
            _plausible_hint(assumptions),
        ),
    )


# --------------------------------------------------------------------------------------------
# 3. Labelling an evaluation set
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Labels:
    """An evaluation set to label, who labels it, and what their time costs.

    Ranges: seconds per item from how long reading such an item takes (lesson 08's error analysis
    reads traces at about a minute each); hourly rates are loaded costs of the people named, generous
    bands around published pay for such roles."""

    intro: str  # with {n}
    item: str
    items: str
    who: str
    sizes: tuple[int, ...]
    seconds: tuple
    rate: tuple


_LABELS = (
    _Labels("An evaluation set of {n} support conversations needs labels (the right category, and whether the answer was acceptable), "
            "by experienced support agents.", "conversation", "conversations", "support agents",
            (500, 1_000, 2_000, 4_000),
            (15, 300, 60, "Reading a short conversation and choosing a category and a pass or fail takes 30 seconds to 2 minutes.",
             "is less than it takes to read the conversation", "would be a long investigation for every conversation"),
            (15, 80, 35, "A support agent's loaded cost (pay, taxes, equipment) is about $25–50 an hour.",
             "is below any legal wage with its overheads", "is a senior specialist's rate, not a support agent's")),
    _Labels("An evaluation set of {n} contract clauses extracted by a model needs checking against the contracts, by paralegals.",
            "clause", "clauses", "paralegals",
            (300, 600, 1_000, 2_000),
            (30, 900, 180, "Finding a clause in the contract and checking the extraction takes 1–5 minutes.",
             "is less than it takes to find the clause", "would be more than a quarter of an hour on every clause"),
            (30, 250, 90, "Paralegals cost about $50–120 an hour loaded; lawyers far more.",
             "is below what a paralegal costs", "is a partner's rate")),
    _Labels("An evaluation set of {n} model-written summaries of patient notes needs checking against the notes, by nurses.",
            "summary", "summaries", "nurses",
            (200, 500, 1_000),
            (60, 900, 240, "Reading a note and checking every claim of its summary takes 2–8 minutes.",
             "is less than it takes to read the note", "would be more than a quarter of an hour on every summary"),
            (30, 150, 60, "A nurse's loaded cost is about $45–90 an hour.",
             "is below what a nurse costs", "is a senior doctor's rate")),
    _Labels("An evaluation set of {n} search results needs relevance ratings, by trained contractors.", "result", "results", "contractors",
            (2_000, 5_000, 10_000, 20_000),
            (3, 120, 20, "A relevance rating of one result takes 5–40 seconds.",
             "is less than it takes to read the result", "would be more than two minutes on every result"),
            (8, 60, 20, "Rating contractors cost about $12–35 an hour.",
             "is below any legal wage with its overheads", "is a specialist's rate, not a rater's")),
)

# Labelling is tiring: quality drops after 4–6 focused hours (a common guideline in annotation teams).
_LABEL_HOURS = (2, 7, 5, "Labelling is tiring: quality drops after 4–6 focused hours; the rest of the day is breaks, questions and calibration.",
                "would take weeks of calendar time for little work", "would leave no time for breaks or calibration")
_LABELLERS = (1, 50, 2, "A small team of 2–10 is usual for an evaluation set; more people need more calibration to label alike.",
              "is not a team", "would spend more time aligning people than labelling")
# Two careful labellers on a clear task disagree on 5–25% of items (Cohen's kappa 0.6–0.9 on balanced labels).
_DISAGREE = (0.03, 0.4, 0.15, "Two careful labellers disagree on 5–25% of items; above 40% the guidelines are broken, below 3% one label would do.",
             "would mean the task is too easy to need two labels", "would mean the guidelines are broken: fix them before paying for labels")


def _label_assumptions(x: _Labels, difficulty: int) -> tuple[Assumption, ...]:
    seconds = _assume("seconds_per_label", f"Seconds to label one {x.item}", "seconds", x.seconds)
    if difficulty == 2:
        return (seconds, _assume("labellers", f"Number of {x.who} labelling", "people", _LABELLERS, whole=True),
                _assume("hours_per_day", "Hours a person labels a day", "hours", _LABEL_HOURS))
    rate = _assume("hourly_rate", f"Hourly cost of one of the {x.who}", "USD an hour", x.rate)
    return (seconds, rate) + ((_assume("disagreement_share", "Share of items the two labels disagree on", "share", _DISAGREE),) if difficulty == 3 else ())


def _label_formula(n: int, difficulty: int) -> Callable[[Mapping[str, float]], float]:
    def result(v: Mapping[str, float]) -> float:
        hours = n * v["seconds_per_label"] / 3600
        if difficulty == 2:
            return hours / (v["labellers"] * v["hours_per_day"])
        labels = 2 + v["disagreement_share"] if difficulty == 3 else 1
        return hours * labels * v["hourly_rate"]
    return result


def _label_slips(x: _Labels, n: int, difficulty: int) -> Callable[[Mapping[str, float], float], list[Slip]]:
    def slips(v: Mapping[str, float], answer: float) -> list[Slip]:
        out = [Slip("seconds_as_minutes", answer * 60, "You divided the seconds by 60, which gives minutes. An hour has 3,600 seconds.")]
        if difficulty == 2:
            return out + [
                Slip("forgot_labellers", answer * v["labellers"], "That is how long one person would take. Divide by the number of people labelling."),
                Slip("hours_not_days", answer * v["hours_per_day"], "That is hours for each person, not days. Divide by the hours each labels a day."),
                Slip("eight_hour_days", _safe(lambda: answer * v["hours_per_day"] / SHIFT_HOURS),
                     "You counted 8 hours of labelling a day. People label only part of the day: use your hours a day."),
                Slip("total_hours", answer * v["labellers"] * v["hours_per_day"], "That is the total hours of labelling. Turn it into days: divide by people × hours a day."),
            ]
        out += [
            Slip("forgot_to_convert", answer * 3600, "You multiplied seconds by an hourly rate. Turn the seconds into hours first (÷ 3,600)."),
            Slip("hours_not_cost", _safe(lambda: answer / v["hourly_rate"]), "That is the hours of labelling. Multiply by the hourly cost."),
            Slip("one_item", answer / n, f"That is the cost of one {x.item}. Multiply by the {n:,} {x.items}."),
        ]
        if difficulty == 3:
            d = v["disagreement_share"]
            once = answer / (2 + d)
            out += [
                Slip("single_labels", once, "You paid for one label per item. Double labelling means two labels on every item, plus a third on the disagreements."),
                Slip("forgot_adjudication", once * 2, "You left out the third label on the items the two labellers disagree on."),
                Slip("adjudicated_everything", once * 3, "You paid a third label on every item. Only the disagreements need one."),
                Slip("disagreements_only", once * (1 + d), "Every item gets two labels; the disagreements get a third: 2 + the disagreement share labels per item."),
            ]
        return out
    return slips


def _label_steps(x: _Labels, n: int, difficulty: int) -> Callable[[Mapping[str, float]], str]:
    formula = _label_formula(n, difficulty)

    def steps(v: Mapping[str, float]) -> str:
        hours = n * v["seconds_per_label"] / 3600
        text = f"Labelling time: {n:,} {x.items} × {_num(v['seconds_per_label'])} s / 3,600 = {_num(_places(hours, 2))} hours"
        if difficulty == 2:
            return text + (f". A day's labelling: {_num(v['labellers'])} people × {_num(v['hours_per_day'])} hours = "
                           f"{_num(v['labellers'] * v['hours_per_day'])} hours. Days: **{_answer(formula(v), 'working days')}**.")
        if difficulty == 3:
            labels = 2 + v["disagreement_share"]
            text += f" for one label each; labels per item: 2 + {_num(v['disagreement_share'])} = {_num(labels)}, so {_num(_places(hours * labels, 2))} hours"
        return text + f". × {_usd(v['hourly_rate'])} an hour = **{_answer(formula(v), 'USD')}**."
    return steps


def _label_code(n: int, difficulty: int) -> Callable[[Mapping[str, float]], str]:
    def code(v: Mapping[str, float]) -> str:
        g = {k: _num(x).replace(",", "_") for k, x in v.items()}
        hours = f"{n} * {g['seconds_per_label']} / 3600"
        if difficulty == 2:
            return f"{hours} / ({g['labellers']} * {g['hours_per_day']})"
        labels = f" * (2 + {g['disagreement_share']})" if difficulty == 3 else ""
        return f"{hours}{labels} * {g['hourly_rate']}"
    return code


def _labelling_budget(rng: np.random.Generator, difficulty: int, sc: Scenario) -> dict[str, Any]:
    x = _pick(rng, _LABELS)
    n = _scaled(float(_pick(rng, x.sizes)), min(sc.volume, 2.0), floor=100)  # an evaluation set grows less than traffic
    assumptions = _label_assumptions(x, difficulty)
    ask = {
        1: " Each item gets one label. Roughly what will the labelling cost, in dollars?",
        2: " Each item gets one label. How many working days will the labelling take?",
        3: (" To measure agreement, every item is labelled by two people independently, and a third labels the items the two disagree on. "
            "Roughly what will the labelling cost, in dollars?"),
    }[difficulty]
    units = "working days" if difficulty == 2 else "USD"
    return dict(
        title="Labelling job, from your assumptions",
        prompt=x.intro.format(n=f"{n:,}") + ask + _ask(assumptions) + _NO_SINGLE,
        units=units, facts={"items": n, "who": x.who}, assumptions=assumptions,
        formula=_label_formula(n, difficulty), slip_maker=_label_slips(x, n, difficulty),
        steps=_label_steps(x, n, difficulty), code_for=_label_code(n, difficulty),
        hints=(
            "Hours of labelling first: items × seconds per label / 3,600.",
            {1: "Cost = hours × hourly cost.",
             2: "Days = hours / (people × hours each labels a day).",
             3: "Labels per item = 2 + the disagreement share (the third label); cost = hours for one label × labels per item × hourly cost."}[difficulty],
            _plausible_hint(assumptions),
        ),
    )


# --------------------------------------------------------------------------------------------
# 4. How many users a test reaches
# --------------------------------------------------------------------------------------------

_PRODUCTS = ("a budgeting app", "a language-learning app", "an online bank", "a meal-kit service", "a photo-editing app")
_TEST_SHARE = (0.01, 1.0, 0.5, "The share of users who enter the test, both arms together: 10–100% is common; under 1% a test on this traffic learns little.",
               "would put almost nobody in the test")
# FACTS (2026-12) and lesson 05: a full-week minimum, so every weekday and the weekend are in.
_WHOLE_WEEKS = "Run whole weeks, at least one, so every weekday and the weekend are in equally; tests rarely run beyond 8 weeks."
_DAYS = (7, 56, 14, _WHOLE_WEEKS, "would miss part of the weekly cycle: weekday and weekend users behave differently",
         "would give an answer too late to act on")
_WEEKS = (1, 8, 2, _WHOLE_WEEKS, "would miss part of the weekly cycle: weekday and weekend users behave differently",
          "would give an answer too late to act on")
_ELIGIBLE = (0.05, 1.0, 0.4, "Only users who reach the screen where the feature appears can enter; funnels lose 20–80% at each step.",
             "would mean almost nobody reaches the feature")
# WAU/MAU: 40–70% for most apps. The floor: a monthly user comes at least once in 30 days, so about 7/30 of
# them come in a given week even if each came only once; generous on both sides.
_WEEKLY_VISIT = (0.2, 0.8, 0.5, "Weekly over monthly active users (WAU/MAU) is 40–70% for most apps. Every monthly user comes at least once "
                 "in 30 days, so even if each came only once, about a quarter (7 of 30 days) would come in a given week; above 80% only "
                 "apps people open every day, such as messaging, reach.",
                 "would be fewer than come in a week even if each monthly user came only once a month",
                 "would mean nearly everyone comes every week, which only apps opened every day reach")
# The visit model of difficulty 3, stated in its prompt.
_WEEKLY_MODEL = ("Work with this model of visits: in each week of the test, every monthly user comes at least once with the same "
                 "chance (the weekly visit share), independently of other weeks. It is a simplification: the same regulars come back "
                 "every week, so real reach grows a little more slowly.")


def _reach_assumptions(difficulty: int) -> tuple[Assumption, ...]:
    share = _assume("test_share", "Share of users in the test (both arms)", "share", _TEST_SHARE)
    if difficulty == 1:
        return (share, _assume("days", "Days the test runs", "days", _DAYS, step=7, step_name="weeks"))
    weeks = _assume("weeks", "Weeks the test runs", "weeks", _WEEKS, whole=True)
    first = (_assume("eligible_share", "Share of new users who reach the feature", "share", _ELIGIBLE) if difficulty == 2
             else _assume("weekly_visit_share", "Share of monthly users who visit in a given week", "share", _WEEKLY_VISIT))
    return (first, share, weeks)


def _distinct(base: float, visit: float, share: float, periods: float) -> float:
    """Distinct users in the test: each comes in a given period (here a week) with probability ``visit``,
    independently of other periods, and stays in the arm drawn on the first visit (sticky assignment):
    share × base × (1 − (1 − visit)^periods). rollout.distinct_users_exposed (lesson 05) is the same
    model with days for periods; at the grain of a week it overstates reach less, because visits
    cluster within a week (a regular comes on many days of it)."""
    return share * base * (1 - (1 - visit) ** periods)


def _reach_formula(users: int, difficulty: int) -> Callable[[Mapping[str, float]], float]:
    def reach(v: Mapping[str, float]) -> float:
        if difficulty == 1:
            return users * v["test_share"] * v["days"]
        if difficulty == 2:
            return users * v["eligible_share"] * v["test_share"] * 7 * v["weeks"]
        return _distinct(users, v["weekly_visit_share"], v["test_share"], v["weeks"])
    return reach


def _reach_slips(users: int, difficulty: int) -> Callable[[Mapping[str, float], float], list[Slip]]:
    def slips(v: Mapping[str, float], answer: float) -> list[Slip]:
        share = v["test_share"]
        out = [
            Slip("one_arm", answer / 2, "That is one arm. The test reaches both arms: the users in the test, new version and control together."),
            Slip("forgot_test_share", _safe(lambda: answer / share), "You counted every user. Only the share in the test is reached."),
        ]
        if difficulty == 1:
            return out + [Slip("one_day", _safe(lambda: answer / v["days"]), "That is one day's users. Multiply by the days the test runs.")]
        if difficulty == 2:
            return out + [
                Slip("weeks_as_days", answer / 7, "You multiplied by the weeks as if they were days. A week has 7 days of new users."),
                Slip("forgot_eligible_share", _safe(lambda: answer / v["eligible_share"]), "Only the users who reach the feature can enter the test."),
            ]
        visit, weeks = v["weekly_visit_share"], v["weeks"]
        return out + [
            Slip("user_weeks", users * visit * share * weeks,
                 "You counted each week's visitors (user-weeks): a user who comes back is counted again every week. Under sticky "
                 "assignment each person counts once: count the users who visit at least once."),
            Slip("everyone_in_bucket", users * share, "You assumed every monthly user comes during the test. Some do not: count those who visit at least once."),
            Slip("one_week", users * visit * share, "That is one week's visitors in the test. More people arrive in later weeks."),
            Slip("days_as_weeks", _safe(lambda: _distinct(users, visit, share, 7 * weeks)),
                 "You raised the chance of staying away to the power of the days. The visit share is per week: the power is the number of weeks."),
        ]
    return slips


def _reach_steps(users: int, difficulty: int) -> Callable[[Mapping[str, float]], str]:
    formula = _reach_formula(users, difficulty)

    def steps(v: Mapping[str, float]) -> str:
        answer = f"**{_answer(formula(v), 'users')}**"
        if difficulty == 1:
            return f"{users:,} new users a day × {_num(v['test_share'])} in the test × {_num(v['days'])} days = {answer}."
        if difficulty == 2:
            return (f"{users:,} new users a day × {_num(v['eligible_share'])} reach the feature × {_num(v['test_share'])} in the test "
                    f"× {_num(v['weeks'])} weeks × 7 days = {answer}.")
        visit, weeks = v["weekly_visit_share"], v["weeks"]
        seen = f"{_places(1 - (1 - visit) ** weeks, 4):.4f}"
        return (f"A user who comes in a given week with probability {_num(visit)} stays away all {_num(weeks)} "
                f"week{'' if weeks == 1 else 's'} with probability (1 − {_num(visit)})^{_num(weeks)}, so comes at least once with "
                f"probability 1 − (1 − {_num(visit)})^{_num(weeks)} = {seen}. Each person counts once (sticky assignment): "
                f"{users:,} × {_num(v['test_share'])} × {seen} = {answer}.")
    return steps


def _reach_code(users: int, difficulty: int) -> Callable[[Mapping[str, float]], str]:
    def code(v: Mapping[str, float]) -> str:
        g = {k: _num(x).replace(",", "_") for k, x in v.items()}
        if difficulty == 1:
            return f"{users} * {g['test_share']} * {g['days']}"
        if difficulty == 2:
            return f"{users} * {g['eligible_share']} * {g['test_share']} * 7 * {g['weeks']}"
        return f"{g['test_share']} * {users} * (1 - (1 - {g['weekly_visit_share']}) ** {g['weeks']})"
    return code


def _experiment_reach(rng: np.random.Generator, difficulty: int, sc: Scenario) -> dict[str, Any]:
    product = _pick(rng, _PRODUCTS)
    if difficulty < 3:
        users = _scaled(float(_pick(rng, [800, 2_000, 5_000, 12_000])), sc.volume)
        where = " new users" if difficulty == 1 else " new users, but the assistant appears only on a screen some of them reach"
        setting = (f"{product.capitalize()} gets {users:,} new sign-ups a day. You test a new onboarding assistant on{where}; "
                   "a user in the test is assigned once, 50/50 between the new version and the old.")
        model = " The test runs whole weeks, so every weekday and the weekend are in: give the days as a multiple of 7." if difficulty == 1 else ""
    else:
        users = _scaled(float(_pick(rng, [200_000, 500_000, 1_000_000, 3_000_000])), sc.volume, floor=1_000)
        setting = (f"{product.capitalize()} has {users:,} monthly active users (people who opened it at least once in the last 30 days), "
                   "who come back in some weeks and not others. You test a new assistant; a user is assigned on their first visit "
                   "during the test and stays in that arm (sticky assignment), 50/50 between the new version and the old.")
        model = " " + _WEEKLY_MODEL
    assumptions = _reach_assumptions(difficulty)
    return dict(
        title="Test reach, from your assumptions",
        prompt=setting + model + " How many distinct users will the test reach (both arms together)?" + _ask(assumptions) + _NO_SINGLE,
        units="users", facts={"users": users, "product": product}, assumptions=assumptions,
        formula=_reach_formula(users, difficulty), slip_maker=_reach_slips(users, difficulty),
        steps=_reach_steps(users, difficulty), code_for=_reach_code(users, difficulty),
        hints=(
            {1: "New users a day × share in the test × days (whole weeks: 7, 14, 21 ...).",
             2: "Whole weeks: days = 7 × weeks. New users a day × share who reach the feature × share in the test × days.",
             3: "Count people, not visits: a returning user is in the test once."}[difficulty],
            {1: "Every new user is a different person, so the days add up.",
             2: "Every new user is a different person, so the days add up; only the eligible share can enter.",
             3: "The chance a user comes at least once in k weeks is 1 − (1 − weekly visit share)^k; "
                "reach = monthly users × share in the test × that chance."}[difficulty],
            _plausible_hint(assumptions),
        ),
    )


# --------------------------------------------------------------------------------------------
# Making an estimate
# --------------------------------------------------------------------------------------------

_BUILDERS = {
    "estimate_llm_monthly_cost": _llm_monthly_cost,
    "estimate_review_team": _review_team,
    "estimate_labelling_budget": _labelling_budget,
    "estimate_experiment_reach": _experiment_reach,
}


def _difficulty(difficulty: Any, seed: int) -> int:
    if difficulty is None:
        return 1 + seed % 3
    return validation.count("difficulty", difficulty, minimum=1, maximum=3,
                            allowed="1 (warm-up), 2 (standard) or 3 (stretch), or None to vary with the seed")


def _scenario(name: Any) -> Scenario:
    if isinstance(name, Scenario):
        return name
    return DEFAULT_SCENARIO if isinstance(name, str) and name == "default" else get_scenario(name)


def make_estimate(kind: str, seed: int = 0, difficulty: int | None = None, scenario: str | Scenario = "default") -> Estimate:
    """Return one estimation drill of ``kind`` with facts drawn from ``seed`` (lesson 06).

    ``kind`` is one of ``ESTIMATE_KINDS``; ``difficulty`` 1, 2 or 3 (None varies it with the seed)
    sets how many assumptions and steps there are; a workshop ``scenario`` scales the facts (users,
    cases, items). The same arguments always give the same estimate.
    """
    kind = validation.one_of("kind", kind, ESTIMATE_KINDS)
    if validation.is_whole(seed) and seed > 2**63 - 1:
        raise validation.fail("seed", seed, "a whole number 0 or above, at most 2**63 - 1")
    seed = validation.seed("seed", seed)
    level = _difficulty(difficulty, seed)
    sc = _scenario(scenario)
    rng = np.random.default_rng([seed, 19, list(ESTIMATE_KINDS).index(kind), level])
    fields = _BUILDERS[kind](rng, level, sc)
    fields["prompt"] = f"{fields['prompt']} {_SAY_IT}"
    return Estimate(kind=kind, seed=seed, difficulty=level, seconds=SECONDS[level], scenario=sc.name, **fields)
