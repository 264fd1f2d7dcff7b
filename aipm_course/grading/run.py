"""Running one submitted notebook, in a child process of the grader (``python -m aipm_course.grading``).

The child runs every cell with errors allowed: a cell that raises is noted (cell number, line, the
exception's name) and the run carries on, so one typo never hides the questions after it. A cell
that runs longer than the time limit is interrupted, noted, and the run carries on too. After each
cell the child prints one JSON line with what that cell showed (its check results and its error),
so whatever ran is kept even if the child is stopped or its kernel dies.

The parent reads those lines with care: they come from a process that ran a learner's code, so a
line may be forged. Nothing in them is trusted as an outcome; grading judges the recorded answers
again (see ``rejudge``).
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .. import validation

MEMORY_LIMIT = 4 * 2**30  # bytes of address space a graded notebook (the child and its kernel) may use
MAX_LINE = 2_000_000  # characters of one result line the parent reads; longer lines are dropped
MAX_CHECKS_PER_CELL = 50
_QUESTION_HEADING = re.compile(r"^#{1,6}\s*Question\s+(\d+)\b", re.IGNORECASE | re.MULTILINE)
_QUESTION_USE = re.compile(r"\bex\.q(\d+)\b")
_CELL_LINE = re.compile(r"(?:Cell In\s*\[[^\]]*\]|<cell line: \d+>|input-\d+-[0-9a-f]+)[^\n]*?line (\d+)")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


# --------------------------------------------------------------------------------------------
# Reading a notebook without running it
# --------------------------------------------------------------------------------------------


def _cells(nb) -> list:
    """The notebook's cells, once ``nb`` is a notebook (what nbformat reads)."""
    cells = getattr(nb, "cells", None)
    if not isinstance(cells, list) or not all(isinstance(cell, dict) for cell in cells):
        raise validation.fail("nb", nb, "a notebook (what nbformat.read returns)")
    return cells


def question_of_cells(nb) -> list[str | None]:
    """Each cell's question ("q3"), or None for the setup before the first question.

    A cell belongs to the question whose heading ("## Question 3: ...") it follows; a code cell
    that uses ``ex.qN`` belongs to qN wherever it is."""
    owner: list[str | None] = []
    current = None
    for cell in _cells(nb):
        source = cell.get("source", "")
        if cell.get("cell_type") == "markdown":
            heading = _QUESTION_HEADING.search(source)
            if heading:
                current = f"q{int(heading.group(1))}"
            owner.append(current)
            continue
        used = {f"q{int(n)}" for n in _QUESTION_USE.findall(source)}
        owner.append(used.pop() if len(used) == 1 else current)
    return owner


def stated_parameters(nb) -> dict[str, Any]:
    """The seed and scenario the notebook's parameters cells set (the last such cell wins),
    read without running anything: only plain assignments of literals are understood."""
    found: dict[str, Any] = {}
    for cell in _cells(nb):
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.get("cell_type") != "code" or not {"parameters", "injected-parameters"} & set(tags):
            continue
        try:
            tree = ast.parse(cell.get("source", ""))
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                name = node.targets[0].id
                if name in ("seed", "scenario"):
                    try:
                        found[name] = ast.literal_eval(node.value)
                    except ValueError:
                        pass
    return found


def error_text(output: dict) -> str:
    """An error output in one line: "NameError: name 'x' is not defined", with the line when known.
    Never raises: an output of another shape (a learner's notebook may hold anything) is "Error"."""
    output = output if isinstance(output, dict) else {}
    name = str(output.get("ename", "Error"))[:80]
    value = " ".join(str(output.get("evalue", "")).split())[:200]
    traceback = output.get("traceback")
    trace = _ANSI.sub("", "\n".join(str(t) for t in (traceback if isinstance(traceback, list) else [])))
    lines = _CELL_LINE.findall(trace)
    where = f"line {lines[-1]}: " if lines else ""
    return f"{where}{name}: {value}" if value else f"{where}{name}"


# --------------------------------------------------------------------------------------------
# The child
# --------------------------------------------------------------------------------------------


def _emit(record: dict, out) -> None:
    out.write(json.dumps(record, default=str) + "\n")
    out.flush()


def _cell_report(index: int, cell) -> dict:
    from ..checking import CHECK_MIME_TYPE

    checks, error = [], None
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        if CHECK_MIME_TYPE in data and len(checks) < MAX_CHECKS_PER_CELL:
            item = data[CHECK_MIME_TYPE]
            try:
                checks.append(json.loads(item) if isinstance(item, str) else dict(item))
            except (ValueError, TypeError):
                pass
        if output.get("output_type") == "error":
            error = error_text(output)
    return {"cell": index, "checks": checks, "error": error}


def _timed_out(cell) -> bool:
    """True when the cell was stopped at the time limit (nbclient interrupts it: a KeyboardInterrupt)."""
    return any(o.get("output_type") == "error" and o.get("ename") in ("TimeoutError", "KeyboardInterrupt")
               for o in cell.get("outputs", []))


def run_notebook(path: Path, timeout: float, out) -> None:
    """Run every code cell of the notebook at ``path``, errors allowed, printing a line per cell.

    A cell that runs past ``timeout`` is interrupted and marked with a TimeoutError; if the kernel
    does not answer a quick probe after that, the cells after it are not run."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError

    nb = nbformat.read(path, as_version=4)
    stopped = {"ename": "TimeoutError", "evalue": f"the cell ran longer than {timeout:g} s and was stopped", "traceback": []}
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3", allow_errors=True, interrupt_on_timeout=True,
        error_on_timeout=stopped, resources={"metadata": {"path": str(path.parent)}}, record_timing=False,
    )
    status = "ran"
    owners = question_of_cells(nb)

    def where(index: int) -> str:
        return f"cell {index + 1}" + (f" (question {owners[index][1:]})" if owners[index] else " (setup)")

    with client.setup_kernel(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            began = time.monotonic()
            try:
                client.execute_cell(cell, index)
            except DeadKernelError:
                _emit(_cell_report(index, cell), out)
                _emit({"status": f"the kernel died in {where(index)} (the notebook exited Python or crashed it)"}, out)
                return
            except Exception as exc:  # noqa: BLE001 - anything nbclient raises ends the run, kept so far
                _emit(_cell_report(index, cell), out)
                _emit({"status": f"could not go on after {where(index)}: {type(exc).__name__}: {str(exc)[:160]}"}, out)
                return
            if _timed_out(cell) or time.monotonic() - began >= timeout:
                cell.outputs = [o for o in cell.outputs if o.get("output_type") != "error"] + [dict(stopped, output_type="error")]
            _emit(_cell_report(index, cell), out)
            if _timed_out(cell):
                status = f"timed out: {where(index)} ran longer than {timeout:g} s and was stopped"
                if not _answers(client):
                    _emit({"status": status + "; the kernel did not stop, so the cells after it did not run"}, out)
                    return
    _emit({"status": status}, out)


def _answers(client) -> bool:
    """After a time-out: True when the kernel runs a trivial cell again within 10 s."""
    import nbformat

    probe = nbformat.v4.new_code_cell("pass")
    saved, client.timeout = client.timeout, 10
    try:
        client.execute_cell(probe, 0)
    except Exception:  # noqa: BLE001 - a kernel that cannot be reached is stuck too
        return False
    finally:
        client.timeout = saved
    return not _timed_out(probe)


def child_main(argv: list[str]) -> int:
    """``python -m aipm_course.grading NOTEBOOK TIMEOUT``: run it; results go to stdout, one JSON line a cell.

    Outside a sandbox the child makes itself the reaper of whatever the notebook starts, and stops
    all of it before it exits, so nothing a notebook leaves running outlives its grading."""
    from . import sandbox

    out = sys.stdout
    _limit_memory(MEMORY_LIMIT)
    reaping = sandbox.become_subreaper()
    try:
        run_notebook(Path(argv[0]), float(argv[1]), out)
    except Exception as exc:  # noqa: BLE001 - say what went wrong in the one channel the parent reads
        _emit({"status": f"could not be run: {type(exc).__name__}: {str(exc)[:160]}"}, out)
    finally:
        if reaping:
            sandbox.reap_descendants()
    return 0


def _limit_memory(limit: int) -> None:
    """Cap the address space of this process and all it starts (its kernel included), so a
    notebook that allocates without end gets a MemoryError instead of starving the machine."""
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (ImportError, ValueError, OSError):  # not on this system: grading goes on without the cap
        pass


def parse_child_output(text: str) -> dict:
    """What the child printed: {"status": ..., "cells": {index: {"checks": [...], "error": ...}}}.

    Lines that are not the child's JSON (or are too long) are skipped; the last status wins. Never
    raises: what is not text holds no lines."""
    cells: dict[int, dict] = {}
    status = None
    for line in text.splitlines() if isinstance(text, str) else []:
        if len(line) > MAX_LINE or not line.startswith("{"):
            continue
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if not isinstance(record, dict):
            continue
        if isinstance(record.get("status"), str):
            status = record["status"][:300]
        index = record.get("cell")
        if validation.is_whole(index) and 0 <= index < 100_000:
            checks = [c for c in record.get("checks", []) if isinstance(c, dict)] if isinstance(record.get("checks"), list) else []
            error = record.get("error") if isinstance(record.get("error"), str) else None
            cells[index] = {"checks": checks[:MAX_CHECKS_PER_CELL], "error": error[:400] if error else None}
    return {"status": status, "cells": cells}
