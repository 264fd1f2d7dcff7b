"""Workshops: one parameterised copy of the exercises per team (instructors' guide).

``prepare`` writes, for each team, the exercise notebooks with their papermill ``parameters`` cell
set to that team's seed and the workshop's scenario. Each team gets its own numbers, and every
check judges answers against the parameters in that team's notebook.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from pathlib import Path

from . import validation
from .parameters import get_scenario

__all__ = ["PreparedTeam", "prepare", "team_seed"]

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
    import papermill

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
        written = []
        for source in notebooks:
            target = folder / source.name
            papermill.execute_notebook(
                str(source), str(target), parameters={"seed": seed, "scenario": scenario},
                prepare_only=True, progress_bar=False, log_output=False, kernel_name="python3",
            )
            written.append(target)
        prepared.append(PreparedTeam(folder.name, seed, scenario, folder, tuple(written)))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["team", "seed", "scenario", "folder", "notebooks"])
    for team in prepared:
        writer.writerow([team.team, team.seed, team.scenario, team.folder.name, " ".join(p.name for p in team.notebooks)])
    (out / "teams.csv").write_text(buffer.getvalue(), encoding="utf-8")
    return prepared
