"""environment.yml (conda, Binder) and pyproject.toml must describe the same environment."""

import importlib.metadata as metadata
import re
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]


def _pyproject_requirements():
    # The installed metadata is built from pyproject.toml (make reinstalls when it changes);
    # reading it avoids a TOML parser, which Python 3.10 lacks.
    lines = metadata.requires("aipm-course") or []
    return {canonicalize_name(r.name): str(r.specifier) for r in map(Requirement, lines)}


def _conda_requirements():
    spec = yaml.safe_load((ROOT / "environment.yml").read_text())
    found = {}
    for entry in spec["dependencies"]:
        if not isinstance(entry, str):
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*(.*)", entry.strip())
        name, bound = match.group(1), match.group(2).replace(" ", "")
        if name in {"python", "pip"}:
            continue
        found[canonicalize_name(name)] = bound
    return found


def test_same_packages_and_lower_bounds_in_both_files():
    assert _conda_requirements() == _pyproject_requirements()


def test_bounds_are_lower_bounds_not_pins():
    for name, bound in _pyproject_requirements().items():
        assert bound.startswith(">="), f"{name} should have a lower bound (>=), not {bound!r}"


def test_environment_installs_the_kit_itself():
    spec = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_sections = [e["pip"] for e in spec["dependencies"] if isinstance(e, dict) and "pip" in e]
    assert ["-e ."] in pip_sections


def test_python_floor_agrees():
    spec = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert metadata.metadata("aipm-course")["Requires-Python"] == ">=3.10"
    assert 'requires-python = ">=3.10"' in (ROOT / "pyproject.toml").read_text()
    assert "python>=3.10" in spec["dependencies"]
