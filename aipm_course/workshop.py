"""Workshops: one parameterised copy of the exercises per team (instructors' guide).

``prepare`` writes, for each team, the exercise notebooks with their papermill ``parameters`` cell
rewritten to hold that team's seed and the workshop's scenario: one parameters cell, still tagged
``parameters`` (so papermill and the grader find it), with the team's numbers and no second
"injected" cell beside it. Each team gets its own numbers, and every check judges answers against
the parameters in that team's notebook.

``prepare_handout`` writes the same exercises as a hand-out for learners: for each team, the
lessons (as shipped, with their outputs) in ``notebooks/``, the team's exercises in ``my_work/`` (the
names the lessons' and exercises' links expect) and a README.md, and never a solution notebook.
It is ready to put in a git repository for nbgitpuller, or on a shared drive.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from pathlib import Path
from typing import Any

from . import validation
from .parameters import get_scenario

__all__ = ["PreparedTeam", "prepare", "prepare_handout", "check_handout_folder", "set_parameters", "team_seed"]

MAX_TEAMS = 500
MAX_SEED = 2**63 - 1000  # every team's seed (first_seed + team - 1) stays a seed numpy and the drills take


@dataclasses.dataclass(frozen=True)
class PreparedTeam:
    team: str
    seed: int
    scenario: str
    folder: Path
    notebooks: tuple[Path, ...]


def team_seed(first_seed: int, index: int) -> int:
    """Team number ``index`` (from 1) gets seed first_seed + index - 1."""
    first_seed = validation.count("first_seed", first_seed, minimum=0, maximum=MAX_SEED, allowed="a whole number from 0 to 2**63 - 1000")
    index = validation.count("index", index, minimum=1, maximum=MAX_TEAMS, allowed=f"a team number from 1 to {MAX_TEAMS}")
    return first_seed + index - 1


def _exercise_notebooks(modules: list[str] | None) -> list[Path]:
    from .workspace import kit_root

    found = sorted((kit_root() / "exercises").glob("[0-9][0-9]_*.ipynb"))
    if modules:
        wanted = set(modules)
        unknown = wanted - {p.name[:2] for p in found}
        if unknown:
            raise ValueError(f"modules must be among {', '.join(p.name[:2] for p in found)}, got {', '.join(sorted(unknown))}")
        found = [p for p in found if p.name[:2] in wanted]
    return found


def prepare(scenario: str, teams: int, out: str | Path, modules: list[str] | None = None, first_seed: int = 1) -> list[PreparedTeam]:
    """Write out/team-NN/ with every exercise (or the ``modules`` given) set to that team's seed
    and the scenario, plus out/teams.csv. Refuses to write over anything already there."""
    get_scenario(scenario)  # a clear error for an unknown name, before anything is written
    teams = validation.count("teams", teams, minimum=1, maximum=MAX_TEAMS)
    first_seed = validation.count("first_seed", first_seed, minimum=0, maximum=MAX_SEED, allowed="a whole number from 0 to 2**63 - 1000")
    out = Path(out)
    notebooks = _exercise_notebooks(modules)
    folders = [out / f"team-{i:02d}" for i in range(1, teams + 1)]
    taken = [f for f in [*folders, out / "teams.csv"] if f.exists()]
    if taken:
        raise ValueError(f"{taken[0]} already exists; choose an empty --out folder so nothing is overwritten")
    prepared = []
    for index, folder in enumerate(folders, start=1):
        seed = team_seed(first_seed, index)
        folder.mkdir(parents=True)
        written = _write_exercises(folder, notebooks, seed, scenario)
        prepared.append(PreparedTeam(folder.name, seed, scenario, folder, written))
    (out / "teams.csv").write_text(_teams_csv(prepared), encoding="utf-8")
    return prepared


def _write_exercises(folder: Path, notebooks: list[Path], seed: int, scenario: str) -> tuple[Path, ...]:
    """Write each exercise into folder with its parameters cell set to the team's seed and scenario."""
    import nbformat

    written = []
    for source in notebooks:
        notebook = nbformat.read(source, as_version=4)
        set_parameters(notebook, seed, scenario, where=source.name)
        target = folder / source.name
        with open(target, "x", encoding="utf-8") as handle:
            nbformat.write(notebook, handle)
        written.append(target)
    return tuple(written)


_ASSIGNMENT = re.compile(r"(seed|scenario)\s*=(?!=)")


def set_parameters(notebook: Any, seed: int, scenario: str, where: str = "the notebook") -> None:
    """Rewrite the notebook's one ``parameters`` cell (tag kept) so that it sets this seed and scenario,
    and drop any papermill ``injected-parameters`` cell: one cell holds the team's numbers."""
    if not isinstance(getattr(notebook, "cells", None), list):
        raise validation.fail("notebook", notebook, "a notebook (what nbformat.read returns)")
    seed = validation.seed("seed", seed)
    get_scenario(scenario)
    cells = [c for c in notebook.cells if c.cell_type == "code" and "parameters" in c.metadata.get("tags", [])]
    if len(cells) != 1:
        raise validation.ArgumentError(f"{where} must have exactly one code cell tagged parameters, got {len(cells)}")
    values = {"seed": f"seed = {int(seed)}", "scenario": f"scenario = {json.dumps(scenario)}"}
    lines = []
    for line in cells[0].source.splitlines():
        match = _ASSIGNMENT.match(line)
        if match:
            line = values.pop(match.group(1), None)
            if line is None:
                continue  # a second assignment of the same name: one is enough
        lines.append(line)
    cells[0].source = "\n".join([*lines, *values.values()])
    cells[0].outputs, cells[0].execution_count = [], None
    cells[0].metadata.pop("papermill", None)
    notebook.cells = [c for c in notebook.cells if "injected-parameters" not in c.metadata.get("tags", [])]
    notebook.metadata.pop("papermill", None)


def _teams_csv(prepared: list[PreparedTeam]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["team", "seed", "scenario", "folder", "notebooks"])
    for team in prepared:
        writer.writerow([team.team, team.seed, team.scenario, team.folder.name, " ".join(p.name for p in team.notebooks)])
    return buffer.getvalue()


# --- the hand-out for learners ---------------------------------------------------------------------------

HANDOUT_ALLOWED = "a new or empty folder"


def check_handout_folder(handout: str | Path) -> Path:
    """Return ``handout`` as a Path if it is a new or empty folder; otherwise raise ``ArgumentError``
    (nothing is ever written over)."""
    if not isinstance(handout, (str, Path)) or not str(handout).strip():
        raise validation.fail("handout", handout, HANDOUT_ALLOWED)
    folder = Path(handout)
    if folder.exists() and not folder.is_dir():
        raise validation.ArgumentError(f"handout must be {HANDOUT_ALLOWED}, got {validation.show(str(handout), 300)}: it is a file")
    if folder.is_dir() and any(folder.iterdir()):
        raise validation.ArgumentError(f"handout must be {HANDOUT_ALLOWED}, got {validation.show(str(handout), 300)}: it is not empty")
    return folder


def _lessons(notebooks: list[Path]) -> list[Path]:
    """The lesson notebooks of the same modules as the exercises, as shipped."""
    from .workspace import kit_root

    wanted = {p.name[:2] for p in notebooks}
    return [p for p in sorted((kit_root() / "notebooks").glob("[0-9][0-9]_*.ipynb")) if p.name[:2] in wanted]


def _team_readme(team: PreparedTeam, lessons: list[Path]) -> str:
    lesson_lines = "".join(f"- `notebooks/{p.name}`\n" for p in lessons)
    exercise_lines = "".join(f"- `my_work/{p.name}`\n" for p in team.notebooks)
    return f"""# {team.team}: your workbook

Your team's numbers: seed {team.seed}, scenario `{team.scenario}`. Near the top of each exercise is
the cell that sets `seed` and `scenario`: it holds your team's numbers; do not change it. Every
check judges your answers against those numbers, and so does the grading.

## What is here

The lessons, to read and run (with their outputs, so you can read them first):

{lesson_lines}
Your team's exercises:

{exercise_lines}
## How to work

1. Read a lesson and run its cells with Shift+Enter.
2. Open its exercise in `my_work/`. Run the setup cells, then for each question replace `___`
   with your answer and run the cell: it checks the answer, and the feedback says what is right or
   what slipped. Stuck? The cell after each check holds `hint(1)`, `hint(2)` and `solution()`:
   remove the `#` in front of one to see it, hints first.
3. Your checks are recorded as you go: `aipm progress` in a terminal shows where you are.
4. **Before you hand in:** restart the kernel and run all cells (Kernel, then "Restart Kernel and
   Run All Cells"), then save. The notebook is graded as it runs from the top.
"""


def prepare_handout(scenario: str, teams: int, handout: str | Path, modules: list[str] | None = None, first_seed: int = 1) -> list[PreparedTeam]:
    """Write handout/team-NN/ for each team: the lessons in notebooks/, the team's exercises in
    my_work/ (seed first_seed + N - 1 and the scenario), a README.md for learners; and
    handout/teams.csv. No solution notebook is written. Refuses a folder that is not empty."""
    get_scenario(scenario)
    teams = validation.count("teams", teams, minimum=1, maximum=MAX_TEAMS)
    first_seed = validation.count("first_seed", first_seed, minimum=0, maximum=MAX_SEED, allowed="a whole number from 0 to 2**63 - 1000")
    folder = check_handout_folder(handout)
    notebooks = _exercise_notebooks(modules)
    lessons = _lessons(notebooks)
    prepared = []
    for index in range(1, teams + 1):
        seed = team_seed(first_seed, index)
        team_folder = folder / f"team-{index:02d}"
        (team_folder / "notebooks").mkdir(parents=True)
        (team_folder / "my_work").mkdir()
        for lesson in lessons:
            (team_folder / "notebooks" / lesson.name).write_bytes(lesson.read_bytes())
        written = _write_exercises(team_folder / "my_work", notebooks, seed, scenario)
        team = PreparedTeam(team_folder.name, seed, scenario, team_folder, written)
        (team_folder / "README.md").write_text(_team_readme(team, lessons), encoding="utf-8")
        prepared.append(team)
    (folder / "teams.csv").write_text(_teams_csv(prepared), encoding="utf-8")
    return prepared
