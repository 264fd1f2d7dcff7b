"""Run the exercise notebooks as a learner would meet them, and the solutions with other parameters."""

from pathlib import Path

import nbformat
import papermill
import pytest
from nbclient import NotebookClient

from aipm_course.checking import CHECK_MIME_TYPE
from aipm_course.exercises import question_ids

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = sorted((ROOT / "exercises").glob("[0-9][0-9]_*.ipynb"))
SOLUTIONS = sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))


def _check_outcomes(notebook):
    outcomes = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if CHECK_MIME_TYPE in data:
                outcomes.append(data[CHECK_MIME_TYPE])
    return outcomes


def test_there_are_exercises_and_solutions():
    assert EXERCISES and [p.name for p in EXERCISES] == [p.name for p in SOLUTIONS]


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.name)
def test_unanswered_exercise_runs_top_to_bottom_and_reports_not_attempted(path, tmp_path):
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outcomes = _check_outcomes(notebook)
    module = path.name[:2]
    assert sorted(o["question"] for o in outcomes) == sorted(question_ids(module))
    assert {o["outcome"] for o in outcomes} == {"not attempted"}


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.name)
def test_exercise_has_a_papermill_parameters_cell(path):
    notebook = nbformat.read(path, as_version=4)
    tagged = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert "seed" in tagged[0].source and "scenario" in tagged[0].source


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_solution_is_right_for_other_parameters(path, tmp_path):
    """A team given seed 5 and a workshop scenario gets other numbers, and the solution's answers
    are still judged right (the lessons' own seed 0 and default scenario are covered by nbval)."""
    out = tmp_path / path.name
    papermill.execute_notebook(
        str(path), str(out), parameters={"seed": 5, "scenario": "legal_review"}, cwd=str(tmp_path),
        kernel_name="python3", progress_bar=False, execution_timeout=120,
    )
    outcomes = _check_outcomes(nbformat.read(out, as_version=4))
    assert len(outcomes) == len(question_ids(path.name[:2]))
    assert all(o["outcome"] == "correct" for o in outcomes), outcomes
    assert all(o["parameters"] == {"seed": 5, "scenario": "legal_review"} for o in outcomes)


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.name)
def test_help_lines_show_every_uncommented_line_and_only_hints_that_exist(path, tmp_path):
    """A learner may uncomment several help lines at once: each is wrapped in display(), so all of
    them show (a bare expression shows only when it is the cell's last line). A hint number that
    the question does not have is never offered. Then the lines run, uncommented, without error."""
    import re

    from aipm_course.exercises import load

    ex = load(path.name[:2])
    help_cells = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code" and ".hint(" in c.source]
    assert help_cells
    for cell in help_cells:
        for line in cell.source.splitlines():
            found = re.fullmatch(r"# display\(ex\.(q\w+)\.(?:hint\((\d)\)|solution\(\)|data\.\w+\(\))\)", line)
            if line.startswith("# ") and "ex.q" in line:
                assert found, f"{path.name}: help line not wrapped in display(): {line!r}"
                question = getattr(ex, found.group(1))
                assert found.group(2) is None or int(found.group(2)) <= len(question.hints), line
