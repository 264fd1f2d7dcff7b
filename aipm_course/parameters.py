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
    import yaml

    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"cannot read the scenario file {path}: {exc}") from None
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{path} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ScenarioError(f"{path} must hold name, title, story, volume, cost and prevalence")
    name = data.get("name")
    if not isinstance(name, str) or not name.replace("_", "").isalnum() or name != name.lower():
        raise ScenarioError(f"{path}: `name` must be lower-case letters, digits and underscores, got {name!r}")
    values: dict[str, Any] = {}
    for key in ("volume", "cost", "prevalence"):
        value = data.get(key, 1.0)
        allowed = "a multiplier from 0.01 to 100"
        values[key] = validation.real(f"{path}: `{key}`", value, low=0.01, high=100, allowed=allowed, error=ScenarioError)
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        raise ScenarioError(f"{path}: `title` must be a short description, got {title!r}")
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
                raise ScenarioError(f"{path}: the scenario name {item.name!r} is already used")
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
        raise ValueError(f"scenario must be one of {', '.join(repr(n) for n in known)}, got {name!r}")
    return known[name]


def validate_parameters(seed, scenario) -> tuple[int, str]:
    """Return (seed, scenario) checked: seed a whole number >= 0, scenario a known name."""
    seed = validation.seed("seed", seed)
    known = scenarios()
    if not isinstance(scenario, str) or scenario not in known:
        names = ", ".join(repr(name) for name in known)
        raise ValueError(f"scenario must be one of {names}, got {scenario!r}")
    return seed, scenario


def rng_for(seed: int, module: str) -> np.random.Generator:
    """Return a random generator for one module's exercise, fixed by the seed."""
    return np.random.default_rng([int(seed), int(module)])


def scaled(value: float, factor: float, whole: bool = False) -> float | int:
    """Return value × factor (rounded to a whole number, at least 1, when ``whole``)."""
    result = value * factor
    return max(1, int(round(result))) if whole else float(result)
