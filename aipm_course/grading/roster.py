"""The class list grading checks submissions against (``aipm grade --roster FILE``).

A roster is a CSV file with a header row. Only ``learner`` is required:

  learner   the name of the learner's folder in the submissions (``submissions/<learner>/...``)
  team      optional, shown in the reports
  seed      optional: the seed the learner was assigned; answers are judged against it
  scenario  optional: the scenario assigned (default "default" when a seed is given)
  modules   optional: the modules assigned, e.g. "02 03" or "02,03"; missing ones are reported

The ``teams.csv`` that ``aipm workshop prepare`` writes has team, seed, scenario and notebooks
columns: add a learner column (one row per learner) and it is a roster. Its ``notebooks`` column
is read as the modules when there is no ``modules`` column.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from pathlib import Path
from typing import Any

from .. import validation

__all__ = ["RosterEntry", "RosterError", "read_roster"]

MAX_BYTES = 5_000_000
MAX_ROWS = 20_000


class RosterError(validation.AipmError):
    """A roster file that cannot be read; the message names the row and column."""


@dataclasses.dataclass(frozen=True)
class RosterEntry:
    learner: str
    team: str = ""
    seed: int | None = None
    scenario: str | None = None
    modules: tuple[str, ...] = ()

    @property
    def assigned(self) -> bool:
        """True when the roster says which seed (and scenario) this learner works with."""
        return self.seed is not None


def _modules(text: str, where: str) -> tuple[str, ...]:
    from ..exercises import MODULES

    found = []
    for item in re.split(r"[\s,;]+", text.strip()):
        if not item:
            continue
        number = item[:2] if item.endswith(".ipynb") else item
        if not re.fullmatch(r"\d{1,2}", number) or number.zfill(2) not in MODULES:
            raise RosterError(f"{where}: modules must be module numbers among {', '.join(MODULES)} (e.g. \"02 03\"), got {validation.show(item)}")
        if number.zfill(2) not in found:
            found.append(number.zfill(2))
    return tuple(found)


def _entry(row: dict[str, Any], where: str) -> RosterEntry:
    from ..parameters import scenarios

    learner = (row.get("learner") or "").strip()
    if not learner or learner in (".", "..") or "/" in learner or "\\" in learner:
        raise RosterError(f"{where}: learner must be the name of a folder in the submissions (no / or \\), got {validation.show(learner)}")
    seed_text = (row.get("seed") or "").strip()
    seed = None
    if seed_text:
        if not re.fullmatch(r"\d{1,19}", seed_text) or int(seed_text) > 2**63 - 1:
            raise RosterError(f"{where}: seed must be a whole number from 0 to 2**63 - 1, got {validation.show(seed_text)}")
        seed = int(seed_text)
    scenario = (row.get("scenario") or "").strip() or None
    if scenario is not None and scenario not in scenarios():
        raise RosterError(f"{where}: scenario must be one of {', '.join(scenarios())}, got {validation.show(scenario)}")
    if scenario is not None and seed is None:
        raise RosterError(f"{where}: a scenario needs a seed in the same row, got scenario {scenario!r} and no seed")
    modules_text = row.get("modules") if row.get("modules") is not None else row.get("notebooks") or ""
    return RosterEntry(learner, (row.get("team") or "").strip(), seed, scenario or ("default" if seed is not None else None),
                       _modules(modules_text or "", where))


def _dialect(text: str):
    """Commas, or the semicolons (or tabs) a spreadsheet in some languages writes instead."""
    header = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=header.count)
    return csv.excel_tab if delimiter == "\t" else type("RosterDialect", (csv.excel,), {"delimiter": delimiter})


def read_roster(path: str | Path) -> list[RosterEntry]:
    """Read a roster CSV (see the module's description); raise ``RosterError`` naming what is wrong."""
    if not isinstance(path, (str, Path)) or not Path(path).is_file():
        raise validation.fail("roster", path, "a CSV file with a learner column (and optionally team, seed, scenario, modules)", RosterError)
    raw = Path(path).read_bytes()
    if len(raw) > MAX_BYTES:
        raise RosterError(f"roster {path} is {len(raw):,} bytes; a roster may be at most {MAX_BYTES:,} bytes")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RosterError(f"roster {path} is not UTF-8 text (byte {exc.start}); save it as CSV UTF-8") from exc
    reader = csv.DictReader(io.StringIO(text), dialect=_dialect(text))
    columns = [c.strip().lower() for c in reader.fieldnames or []]
    if "learner" not in columns:
        raise RosterError(f"roster {path} must have a header row with a learner column, got columns {', '.join(columns) or 'none'}")
    reader.fieldnames = columns
    entries: list[RosterEntry] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(reader, start=2):
        if number > MAX_ROWS + 1:
            raise RosterError(f"roster {path} has more than {MAX_ROWS:,} rows")
        if not any((v or "").strip() for k, v in row.items() if k is not None and isinstance(v, str)):
            continue  # a blank line
        entry = _entry(row, f"roster {Path(path).name}, row {number}")
        if entry.learner in seen:
            raise RosterError(f"roster {Path(path).name}, row {number}: learner {entry.learner!r} is already on row {seen[entry.learner]}; list each learner once")
        seen[entry.learner] = number
        entries.append(entry)
    if not entries:
        raise RosterError(f"roster {path} lists no learners")
    return entries
