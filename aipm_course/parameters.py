"""Notebook parameters: the seed and scenario that set an exercise's numbers (lesson 00).

Every exercise notebook starts with a papermill ``parameters`` cell (``seed`` and ``scenario``).
Its questions compute their expected answers from those values, so a workshop can give each team
different numbers and still check every answer.

A scenario is a named variant for a workshop (e.g. fintech fraud, healthcare triage): it scales the
exercises' volumes, money amounts and base rates of rare events. The scenarios ship as YAML files in
``aipm_course/data/scenarios/``; an instructor can add more as YAML files in the kit's
``instructors/scenarios/`` folder. "default" leaves every number as the lessons have it.
"""

from __future__ import annotations

import dataclasses
import math
import os
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from . import validation
from .validation import AipmError

__all__ = ["Scenario", "scenarios", "get_scenario", "load_scenario_file", "validate_parameters", "rng_for", "scaled"]


@dataclasses.dataclass(frozen=True)
class Scenario:
    """A workshop variant: a story and three multipliers applied to the exercises' numbers."""

    name: str
    title: str
    story: str = ""
    volume: float = 1.0  # cases, queries and users a day
    cost: float = 1.0  # money: the cost of an error, of a query budget, of a review
    prevalence: float = 1.0  # how common the rare event is (fraud, a disease, a violation)

    def __str__(self) -> str:
        return f"{self.name}: {self.title} (volume x{self.volume:g}, money x{self.cost:g}, base rates x{self.prevalence:g})"


DEFAULT = Scenario("default", "The numbers used in the lessons.")


class ScenarioError(AipmError):
    """A scenario file that cannot be used: the message names the file and the field."""


def load_scenario_file(path: str | Path) -> Scenario:
    """Return a Scenario from a YAML file with name, title, story, volume, cost and prevalence."""
    from .safe_yaml import load_yaml

    if not isinstance(path, (str, os.PathLike)) or not str(path):
        raise validation.fail("path", path, "the path of a scenario YAML file (a str or a Path)", ScenarioError)
    path = Path(path)
    if not path.is_file():
        raise validation.fail("path", str(path), "the path of an existing scenario YAML file", ScenarioError)
    data = load_yaml(path, what="the scenario file", error=ScenarioError)
    if not isinstance(data, dict):
        raise ScenarioError(f"{path} must hold name, title, story, volume, cost and prevalence")
    name = data.get("name")
    if not isinstance(name, str) or not name.replace("_", "").isalnum() or name != name.lower():
        raise ScenarioError(f"{path}: `name` must be lower-case letters, digits and underscores, got {validation.show(name)}")
    values: dict[str, Any] = {}
    for key in ("volume", "cost", "prevalence"):
        value = data.get(key, 1.0)
        allowed = "a multiplier from 0.01 to 100"
        values[key] = validation.real(f"{path}: `{key}`", value, low=0.01, high=100, allowed=allowed, error=ScenarioError)
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        raise ScenarioError(f"{path}: `title` must be a short description, got {validation.show(title)}")
    return Scenario(name, title.strip(), str(data.get("story") or "").strip(), **values)


def _scenario_files() -> list[Path]:
    files = sorted(Path(str(resources.files("aipm_course") / "data" / "scenarios")).glob("*.yaml"))
    try:
        from .workspace import kit_root

        extra = kit_root() / "instructors" / "scenarios"
        files += sorted(extra.glob("*.yaml")) if extra.is_dir() else []
    except Exception:  # noqa: BLE001 - outside the kit, the shipped scenarios are enough
        pass
    return files


def scenarios() -> dict[str, Scenario]:
    """Return every known scenario by name: "default" first, then the shipped and the kit's files.

    The files are read again only when one is added, removed or changed (every exercise load asks)."""
    files = _scenario_files()
    stamp = tuple((str(path), _modified(path)) for path in files)
    if _CACHE.get("stamp") != stamp:
        found = {"default": DEFAULT}
        for path in files:
            item = load_scenario_file(path)
            if item.name in found:
                raise ScenarioError(f"{path}: the scenario name {validation.show(item.name)} is already used")
            found[item.name] = item
        _CACHE.update(stamp=stamp, found=found)
    return dict(_CACHE["found"])


_CACHE: dict[str, Any] = {}


def _modified(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return -1


def get_scenario(name: str) -> Scenario:
    known = scenarios()
    if not isinstance(name, str) or name not in known:
        raise validation.fail("scenario", name, "one of " + ", ".join(repr(n) for n in known))
    return known[name]


def validate_parameters(seed, scenario) -> tuple[int, str]:
    """Return (seed, scenario) checked: seed a whole number >= 0, scenario a known name."""
    seed = _check_seed(seed)
    known = scenarios()
    if not isinstance(scenario, str) or scenario not in known:
        raise validation.fail("scenario", scenario, "one of " + ", ".join(repr(name) for name in known))
    return seed, scenario


MAX_SEED = 2**32 - 1  # the largest seed: scikit-learn's random_state takes no more


def _check_seed(seed: Any) -> int:
    """A seed: a whole number from 0 to MAX_SEED (the kit's usual message below 0)."""
    seed = validation.seed("seed", seed)
    if seed > MAX_SEED:
        raise validation.fail("seed", seed, f"a whole number from 0 to {MAX_SEED:,}")
    return seed


def rng_for(seed: int, module: str) -> np.random.Generator:
    """Return a random generator for one module's exercise, fixed by the seed."""
    seed = _check_seed(seed)
    if not isinstance(module, str) or not module.isdigit() or not module.isascii():
        raise validation.fail("module", module, 'a module number as text, e.g. "02"')
    return np.random.default_rng([seed, int(module)])


def scaled(value: float, factor: float, whole: bool = False) -> float | int:
    """Return value × factor (rounded to a whole number, at least 1, when ``whole``)."""
    value = validation.real("value", value)
    factor = validation.positive("factor", factor, allowed="a multiplier above 0")
    whole = validation.one_of("whole", whole, (True, False))
    result = value * factor
    if not math.isfinite(result):
        raise validation.fail("value", value, f"a number whose product with factor {factor:g} is finite")
    return max(1, int(round(result))) if whole else float(result)
