"""Argument checks for the whole kit: one error root, one finding type, one way to say what is allowed.

Every check takes the argument's name and value, returns the cleaned value (a float, an int, the
chosen option) and otherwise raises ``ArgumentError`` with a message that names the argument, the
value (a short repr, never a huge value whole) and what is allowed:

    prevalence must be a share in (0, 1), got 1.5

Conventions:

- A real number is an int, float, numpy scalar, Decimal or Fraction: never a bool, never NaN,
  never infinite (unless ``finite=False``, where infinity means something: a threshold that flags
  nothing), never an int too large for a float. A whole number is an int or numpy integer: never
  a bool, never a float such as 3.0.
- A share is in [0, 1] unless the function says it is open, and the error names the interval:
  (0, 1) when an end is meaningless (a prevalence of exactly 0 leaves precision undefined).
- Every error the package raises subclasses ``AipmError``, itself a ``ValueError``, so one
  ``except ValueError`` still catches them all.
- Every validator (briefs, rollout plans, the environment doctor) returns ``Finding`` items that
  read "where: message Fix: fix".
"""

from __future__ import annotations

import dataclasses
import decimal
import numbers
from collections.abc import Iterable
from typing import Any

__all__ = [
    "AipmError",
    "ArgumentError",
    "SEVERITIES",
    "Finding",
    "show",
    "is_number",
    "is_whole",
    "is_real",
    "fail",
    "interval",
    "array",
    "real",
    "share",
    "positive",
    "nonnegative",
    "count",
    "seed",
    "one_of",
]

SHOW_AT_MOST = 60
SEVERITIES = ("error", "warning", "info")


class AipmError(ValueError):
    """The root of every error the package raises: a value the learner or author can fix."""


class ArgumentError(AipmError):
    """An argument outside what a function accepts; the message names it, its value and the allowed range."""


def show(value: Any, limit: int = SHOW_AT_MOST) -> str:
    """Return ``repr(value)``, cut to ``limit`` characters with "..." (never echo a huge value whole)."""
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - describing a value must never raise
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def fail(name: str, value: Any, allowed: str, error: type[AipmError] = ArgumentError) -> AipmError:
    """Return (to raise) the error "<name> must be <allowed>, got <short repr>" for a check of one's own."""
    return error(f"{name} must be {allowed}, got {show(value)}")


def read_as(name: str, value: Any, kinds: tuple[type, ...], convert, allowed: str, error: type[AipmError] = ArgumentError, source: Any = None) -> Any:
    """Return ``convert(value)`` when ``value`` is one of ``kinds``; otherwise refuse it by the
    argument's ``name``. ``source`` is the YAML text or path the value was read from, if it was,
    so the message can say what the file held instead."""
    if isinstance(value, kinds):
        return convert(value)
    if source is not None:
        raise error(f"{name} must be YAML text (or a .yaml file) holding {allowed}, got {show(source)}, which reads as a {type(value).__name__}")
    raise fail(name, value, allowed, error)


def _number(x: float) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def interval(low: float, high: float, low_open: bool = False, high_open: bool = False) -> str:
    """Return an interval as people write it: [0, 1], (0, 1], (0, 1)."""
    return f"{'(' if low_open else '['}{_number(low)}, {_number(high)}{')' if high_open else ']'}"


def _range_text(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    if low is not None and high is not None:
        return f"a number in {interval(low, high, low_open, high_open)}"
    if low is not None:
        return f"a number above {_number(low)}" if low_open else f"a number {_number(low)} or more"
    if high is not None:
        return f"a number below {_number(high)}" if high_open else f"a number {_number(high)} or less"
    return "a finite number"


def _inside(x: float, low: float | None, high: float | None, low_open: bool, high_open: bool) -> bool:
    above = low is None or (x > low if low_open else x >= low)
    below = high is None or (x < high if high_open else x <= high)
    return above and below


def is_number(value: Any) -> bool:
    """True for a real number of any size, NaN and ±inf included: an int, float, numpy scalar,
    Decimal or Fraction, but not a bool. For reading data; to check an argument use ``real``."""
    return isinstance(value, (numbers.Real, decimal.Decimal)) and not isinstance(value, bool)


def is_whole(value: Any) -> bool:
    """True for a whole number of any size: an int or numpy integer, but not a bool (nor 3.0)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_real(value: Any) -> bool:
    """True for what ``real`` accepts with no bounds: a real number, finite, not a bool."""
    return _as_float(value) is not None


def _as_float(value: Any, finite: bool = True) -> float | None:
    """The value as a float, or None for a bool, a non-number, NaN, a number too large for a float,
    or ±inf (unless ``finite`` is False)."""
    if not is_number(value):
        return None
    try:
        x = float(value)
    except (OverflowError, ValueError, TypeError):
        return None
    if x != x or finite and x - x != 0:  # NaN is not equal to itself; ±inf - ±inf is NaN
        return None
    return x


def real(
    name: str,
    value: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    finite: bool = True,
    allowed: str | None = None,
    error: type[AipmError] = ArgumentError,
) -> float:
    """Return ``value`` as a float if it is a finite real number within the bounds (``finite=False``
    also lets ±inf through); ``allowed`` replaces the words after "must be" in the error."""
    x = _as_float(value, finite)
    if x is None or not _inside(x, low, high, low_open, high_open):
        raise fail(name, value, allowed or _range_text(low, high, low_open, high_open), error)
    return x


def share(
    name: str,
    value: Any,
    *,
    open_low: bool = False,
    open_high: bool = False,
    allowed: str | None = None,
    error: type[AipmError] = ArgumentError,
) -> float:
    """Return ``value`` as a float if it is a share in [0, 1], or (0, 1], [0, 1), (0, 1) when open."""
    text = allowed or f"a share in {interval(0, 1, open_low, open_high)}"
    return real(name, value, low=0, high=1, low_open=open_low, high_open=open_high, allowed=text, error=error)


def positive(name: str, value: Any, *, allowed: str | None = None, error: type[AipmError] = ArgumentError) -> float:
    """Return ``value`` as a float if it is a finite number above 0."""
    return real(name, value, low=0, low_open=True, allowed=allowed, error=error)


def nonnegative(name: str, value: Any, *, allowed: str | None = None, error: type[AipmError] = ArgumentError) -> float:
    """Return ``value`` as a float if it is a finite number, 0 or more."""
    return real(name, value, low=0, allowed=allowed, error=error)


def count(
    name: str,
    value: Any,
    *,
    minimum: int | None = 0,
    maximum: int | None = None,
    allowed: str | None = None,
    error: type[AipmError] = ArgumentError,
) -> int:
    """Return ``value`` as an int if it is a whole number (not a bool, not a float) from
    ``minimum`` to ``maximum`` (no limit on a side that is None)."""
    if not is_whole(value) or not _inside(value, minimum, maximum, False, False):
        raise fail(name, value, allowed or _whole_text(minimum, maximum), error)
    return int(value)


def _whole_text(minimum: int | None, maximum: int | None) -> str:
    if minimum is not None and maximum is not None:
        return f"a whole number from {minimum} to {maximum}"
    if minimum is not None:
        return f"a whole number {minimum} or more"
    return "a whole number" if maximum is None else f"a whole number {maximum} or less"


def seed(name: str, value: Any, *, error: type[AipmError] = ArgumentError) -> int:
    """Return a random seed as an int: a whole number 0 or above."""
    return count(name, value, minimum=0, allowed="a whole number 0 or above", error=error)


def array(name: str, value: Any, allowed: str, *, empty: bool = False, nan: bool = False, infinite: bool = False):
    """``value`` as a one-dimensional NumPy array of floats, or an ArgumentError naming ``name`` (never a
    NumPy message: None, text, mappings, objects and ints too large for a float are all refused).
    An empty array, NaN and ±inf are refused unless ``empty``, ``nan`` or ``infinite`` allow them."""
    import numpy as np
    from collections.abc import Mapping

    if value is None or isinstance(value, (str, bytes, Mapping)) or np.ndim(value) != 1:
        raise fail(name, value, allowed)
    try:
        out = np.asarray(value, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise fail(name, value, allowed) from None
    if out.ndim != 1 or (not empty and out.size == 0):
        raise fail(name, value, allowed)
    if (not nan and np.isnan(out).any()) or (not infinite and np.isinf(out).any()):
        raise fail(name, value, allowed)
    return out


def one_of(name: str, value: Any, allowed: Iterable[Any], *, error: type[AipmError] = ArgumentError) -> Any:
    """Return ``value`` if it is one of ``allowed`` (compared with ==, bools never equal to 1 or 0)."""
    options = tuple(allowed)
    for option in options:
        try:
            same = type(value) is type(option) or not isinstance(value, bool) and not isinstance(option, bool)
            if same and bool(value == option):
                return option
        except Exception:  # noqa: BLE001 - a value that cannot be compared is not an option
            continue
    raise fail(name, value, "one of " + ", ".join(str(o) for o in options), error)


@dataclasses.dataclass(frozen=True)
class Finding:
    """One result of a check: where (field, stage or check name), the message, the fix and a severity.

    ``str(finding)`` reads "where: message Fix: fix" (no "Fix:" when there is none). The old
    attribute names still work: ``field``, ``stage`` and ``name`` are ``where``; ``problem`` and
    ``detail`` are ``message``; ``ok`` is true for anything but an error.
    """

    where: str
    message: str
    fix: str = ""
    severity: str = "error"

    def __post_init__(self) -> None:
        one_of("severity", self.severity, SEVERITIES)

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" + (f" Fix: {self.fix}" if self.fix else "")

    @property
    def ok(self) -> bool:
        return self.severity != "error"

    field = stage = name = property(lambda self: self.where, doc="The old name of ``where``.")
    problem = detail = property(lambda self: self.message, doc="The old name of ``message``.")
