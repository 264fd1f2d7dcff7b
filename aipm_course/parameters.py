"""Notebook parameters: the seed and scenario that set an exercise's numbers (lesson 00).

Every exercise notebook starts with a papermill ``parameters`` cell (``seed`` and ``scenario``).
Its questions compute their expected answers from those values, so a workshop can give each team
different numbers and still check every answer.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["SCENARIOS", "validate_parameters", "rng_for"]

# Scenario names an exercise accepts. Modules add their own variants here.
SCENARIOS: dict[str, str] = {
    "default": "The numbers used in the lessons.",
}


def validate_parameters(seed, scenario) -> tuple[int, str]:
    """Return (seed, scenario) checked: seed a whole number >= 0, scenario a known name."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be a whole number 0 or above, got {seed!r}")
    if not isinstance(scenario, str) or scenario not in SCENARIOS:
        known = ", ".join(repr(name) for name in SCENARIOS)
        raise ValueError(f"scenario must be one of {known}, got {scenario!r}")
    return int(seed), scenario


def rng_for(seed: int, module: str) -> np.random.Generator:
    """Return a random generator for one module's exercise, fixed by the seed."""
    return np.random.default_rng([int(seed), int(module)])
