"""The exercise builder: solutions/ is the one source, exercises/ is generated from it.

The most important test is the last one: the committed exercises/ must be exactly what the
builder makes from the committed solutions/, so the two can never drift apart.
"""

import copy
import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from aipm_course.checking import ___
from aipm_course.exercise_builder import ExerciseBuildError, build_exercises, exercise_from_solution, strip_solutions

REPO = Path(__file__).resolve().parents[1]
NUMBERED = "[0-9][0-9]_*.ipynb"


def notebook(*cells, **metadata):
    nb = new_notebook(cells=list(cells))
    nb.metadata.update(metadata)
    return nb


def write_notebook(path: Path, nb) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.exists() else {}


# --- BEGIN/END SOLUTION blocks ------------------------------------------------------------------


def test_block_of_assignments_becomes_one_placeholder_per_assigned_name():
    source = (
        "### BEGIN SOLUTION\n"
        "rate = fraud / total\n"
        "rate = round(rate, 3)\n"
        "low = high = 0\n"
        "share: float = 1 - rate\n"
        "### END SOLUTION\n"
        "print(share)"
    )
    assert strip_solutions(source) == (
        "rate = ___  # your answer here\n"
        "low = ___  # your answer here\n"
        "high = ___  # your answer here\n"
        "share = ___  # your answer here\n"
        "print(share)"
    )


def test_block_that_returns_inside_a_function_becomes_return_placeholder():
    source = (
        "def precision(tp, fp):\n"
        "    ### BEGIN SOLUTION\n"
        "    flagged = tp + fp\n"
        "    return tp / flagged if flagged else 0.0\n"
        "    ### END SOLUTION\n"
        "\n"
        "\n"
        "check(precision)"
    )
    assert strip_solutions(source) == (
        "def precision(tp, fp):\n"
        "    return ___  # your code here\n"
        "\n"
        "\n"
        "check(precision)"
    )


def test_code_outside_the_block_is_kept_exactly():
    source = "x = 1  # set-up\n### BEGIN SOLUTION\ny = x + 1\n### END SOLUTION\nprint(x, y)  # after"
    out = strip_solutions(source).split("\n")
    assert out[0] == "x = 1  # set-up"
    assert out[-1] == "print(x, y)  # after"
    assert "x + 1" not in strip_solutions(source)


def test_block_whose_returns_are_inside_if_else_still_becomes_return_placeholder():
    """Regression: only a top-level `return` used to count, so this became `flagged = ___`."""
    source = (
        "def precision(tp, fp):\n"
        "    ### BEGIN SOLUTION\n"
        "    flagged = tp + fp\n"
        "    if flagged:\n"
        "        return tp / flagged\n"
        "    else:\n"
        "        return 0.0\n"
        "    ### END SOLUTION\n"
    )
    assert "    return ___  # your code here" in strip_solutions(source).split("\n")


def test_tuple_unpacking_in_a_block_becomes_one_placeholder_per_name():
    """Regression: this used to become `(low, high) = ___`, which fails when run (cannot unpack)."""
    source = "### BEGIN SOLUTION\nlow, high = 0.2, 0.8\n### END SOLUTION"
    assert strip_solutions(source) == "low = ___  # your answer here\nhigh = ___  # your answer here"


# --- line-level # ANSWER ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('choice = "c"  # ANSWER', "choice = ___  # your answer here"),
        ("threshold: float = 0.5  # ANSWER", "threshold: float = ___  # your answer here"),
        ('costs["fp"] = 12.5  # ANSWER', 'costs["fp"] = ___  # your answer here'),
        ("    target=0.6,  # ANSWER", "    target=___,  # your answer here"),
        ("x = 1#ANSWER   ", "x = ___  # your answer here"),
    ],
)
def test_answer_mark_on_an_assignment_blanks_the_value(line, expected):
    assert strip_solutions(line) == expected


def test_answer_mark_on_dict_items_blanks_each_value_and_keeps_keys_and_commas():
    source = (
        "metric = {\n"
        '    "layer": "product",  # ANSWER\n'
        '    "comparison": ">=",  # ANSWER\n'
        '    "target": ex.q4.data.target,  # ANSWER\n'
        '    "owner": "support lead",\n'
        "}"
    )
    assert strip_solutions(source) == (
        "metric = {\n"
        '    "layer": ___,  # your answer here\n'
        '    "comparison": ___,  # your answer here\n'
        '    "target": ___,  # your answer here\n'
        '    "owner": "support lead",\n'
        "}"
    )


# --- the generated code is still valid Python ---------------------------------------------------


SOLUTION_CELL = """\
fraud, total = 40, 20_000
### BEGIN SOLUTION
accuracy = 1 - fraud / total
### END SOLUTION
choice = "c"  # ANSWER
metric = {
    "layer": "product",  # ANSWER
    "target": 0.6,  # ANSWER
}


def precision(tp, fp):
    ### BEGIN SOLUTION
    flagged = tp + fp
    return tp / flagged if flagged else 0.0
    ### END SOLUTION


answer = precision(3, 1)
"""


def test_generated_code_compiles_and_runs_with_the_placeholder_defined():
    exercise = strip_solutions(SOLUTION_CELL)
    code = compile(exercise, "<exercise cell>", "exec")
    namespace = {"___": ___}
    exec(code, namespace)  # noqa: S102 - running generated code is the point of the test
    assert namespace["accuracy"] is ___
    assert namespace["choice"] is ___
    assert namespace["metric"] == {"layer": ___, "target": ___}
    assert namespace["answer"] is ___  # the function body now returns the placeholder
    assert namespace["fraud"] == 40  # set-up code still runs


def test_solution_cell_itself_runs_and_gives_the_real_answers():
    """Guards the test above: the same cell, unstripped, computes real values."""
    namespace = {}
    exec(compile(SOLUTION_CELL, "<solution cell>", "exec"), namespace)  # noqa: S102
    assert namespace["answer"] == 0.75
    assert namespace["accuracy"] == pytest.approx(0.998)


def test_every_code_cell_of_the_committed_exercises_compiles():
    for path in sorted((REPO / "exercises").glob(NUMBERED)):
        nb = nbformat.read(path, as_version=4)
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                compile(cell.source, f"{path.name}, cell {index}", "exec")


# --- marker errors name the notebook and the cell ------------------------------------------------


@pytest.mark.parametrize(
    ("bad_cell", "message"),
    [
        (new_code_cell("### BEGIN SOLUTION\nx = 1"), r"line 1 is never closed"),
        (
            new_code_cell("### BEGIN SOLUTION\nx = 1\n### BEGIN SOLUTION\ny = 2\n### END SOLUTION"),
            r"line 3 is inside the block opened on line 1; blocks cannot be nested",
        ),
        (new_code_cell("x = 1\n### END SOLUTION"), r"'### END SOLUTION' on line 2 has no '### BEGIN SOLUTION'"),
        (new_code_cell("print(x)  # ANSWER"), r"line 1 is marked '# ANSWER' but has no '=' or dict key"),
        (new_code_cell("if x == 1:  # ANSWER\n    pass"), r"line 1 is marked '# ANSWER'"),
        (
            new_markdown_cell("Answer:\n### BEGIN SOLUTION\n42\n### END SOLUTION"),
            r"solution markers are only allowed in code cells",
        ),
    ],
    ids=["unclosed", "nested", "end-without-begin", "answer-without-value", "answer-on-comparison", "markdown"],
)
def test_marker_error_names_the_notebook_and_the_cell(bad_cell, message):
    nb = notebook(
        new_markdown_cell("# Title"),
        new_code_cell("a = 1  # ANSWER"),
        new_code_cell("secret = 1", metadata={"tags": ["solution-only"]}),
        bad_cell,  # cell 3 of the solution notebook (counting the dropped solution-only cell)
    )
    with pytest.raises(ExerciseBuildError, match=message) as error:
        exercise_from_solution(nb, name="07_demo.ipynb")
    assert re.search(r"07_demo\.ipynb, cell 3\b", str(error.value)), str(error.value)


def test_build_error_names_the_solution_file(tmp_path):
    write_notebook(tmp_path / "solutions" / "03_broken.ipynb", notebook(new_code_cell("### BEGIN SOLUTION\nx = 1")))
    with pytest.raises(ExerciseBuildError, match=r"03_broken\.ipynb, cell 0"):
        build_exercises(tmp_path / "solutions", tmp_path / "exercises")
    assert not (tmp_path / "exercises").exists()


def test_unreadable_solution_notebook_is_a_build_error(tmp_path):
    (tmp_path / "solutions").mkdir()
    (tmp_path / "solutions" / "01_garbled.ipynb").write_text("{ not json", encoding="utf-8")
    with pytest.raises(ExerciseBuildError, match=r"01_garbled\.ipynb: not a readable notebook"):
        build_exercises(tmp_path / "solutions", tmp_path / "exercises")


def test_empty_solutions_folder_is_a_build_error(tmp_path):
    with pytest.raises(ExerciseBuildError, match="No solution notebooks"):
        build_exercises(tmp_path, tmp_path / "exercises")


# --- what the exercise notebook keeps and drops --------------------------------------------------


def solution_notebook():
    ran = new_code_cell(
        "### BEGIN SOLUTION\nx = 2\n### END SOLUTION",
        execution_count=7,
        outputs=[nbformat.v4.new_output("execute_result", data={"text/plain": "2"}, execution_count=7)],
        metadata={"tags": ["keep-me"], "custom": {"a": 1}, "collapsed": True, "scrolled": False, "execution": {}},
    )
    return notebook(
        new_markdown_cell("## Question 1\nWhat is *x*?", metadata={"note": "kept"}),
        ran,
        new_code_cell("print('reference check')", metadata={"tags": ["solution-only"]}),
        new_code_cell("print(x)", execution_count=8, outputs=[nbformat.v4.new_output("stream", text="2\n")]),
        kernelspec={"name": "python3", "display_name": "Python 3", "language": "python"},
        papermill={"duration": 1.0},
        widgets={"state": {}},
    )


def test_solution_only_cells_are_dropped():
    exercise = exercise_from_solution(solution_notebook())
    assert [c.source for c in exercise.cells] == [
        "## Question 1\nWhat is *x*?",
        "x = ___  # your answer here",
        "print(x)",
    ]


def test_outputs_and_execution_counts_are_cleared():
    exercise = exercise_from_solution(solution_notebook())
    for cell in exercise.cells:
        if cell.cell_type == "code":
            assert cell.outputs == []
            assert cell.execution_count is None


def test_other_metadata_and_markdown_are_kept_and_run_state_removed():
    solution = solution_notebook()
    exercise = exercise_from_solution(solution)
    assert exercise.cells[0] == solution.cells[0]
    assert exercise.cells[1].metadata == {"tags": ["keep-me"], "custom": {"a": 1}}
    assert exercise.cells[1].id == solution.cells[1].id
    assert exercise.metadata == {"kernelspec": solution.metadata.kernelspec}
    nbformat.validate(exercise)


def test_input_notebook_is_not_mutated():
    solution = solution_notebook()
    before = copy.deepcopy(solution)
    exercise_from_solution(solution)
    assert solution == before


# --- build_exercises: check mode and write mode ---------------------------------------------------


@pytest.fixture
def kit(tmp_path):
    """A small kit: two solution notebooks and an exercises/ folder built from them."""
    solutions, exercises = tmp_path / "solutions", tmp_path / "exercises"
    write_notebook(solutions / "00_intro.ipynb", notebook(new_code_cell('a = "x"  # ANSWER')))
    write_notebook(solutions / "01_next.ipynb", notebook(new_code_cell("### BEGIN SOLUTION\nb = 2\n### END SOLUTION")))
    (solutions / "notes.ipynb").write_text("not numbered, so not a lesson", encoding="utf-8")
    build_exercises(solutions, exercises)
    return solutions, exercises


def test_write_mode_writes_every_exercise_then_reports_unchanged(tmp_path):
    solutions, exercises = tmp_path / "solutions", tmp_path / "exercises"
    write_notebook(solutions / "00_intro.ipynb", notebook(new_code_cell('a = "x"  # ANSWER')))
    write_notebook(solutions / "01_next.ipynb", notebook(new_code_cell("b = 2  # ANSWER")))

    first = build_exercises(solutions, exercises)
    assert [p.name for p in first.written] == ["00_intro.ipynb", "01_next.ipynb"]
    assert first.unchanged == [] and first.stale == []
    files = snapshot(exercises)
    assert set(files) == {"00_intro.ipynb", "01_next.ipynb"}
    assert nbformat.reads(files["00_intro.ipynb"].decode(), as_version=4).cells[0].source == (
        "a = ___  # your answer here"
    )

    second = build_exercises(solutions, exercises)
    assert second.written == []
    assert [p.name for p in second.unchanged] == ["00_intro.ipynb", "01_next.ipynb"]
    assert snapshot(exercises) == files


def test_check_mode_on_an_up_to_date_folder_reports_nothing_stale(kit):
    solutions, exercises = kit
    report = build_exercises(solutions, exercises, check=True)
    assert report.stale == [] and report.written == []
    assert [p.name for p in report.unchanged] == ["00_intro.ipynb", "01_next.ipynb"]


def test_check_mode_reports_stale_missing_and_orphan_files_and_writes_nothing(kit):
    solutions, exercises = kit
    # A solution changed since the last build, another exercise was deleted, and an exercise
    # was left behind after its solution was removed.
    write_notebook(solutions / "00_intro.ipynb", notebook(new_code_cell('a = "y"  # ANSWER\nprint(a)')))
    (exercises / "01_next.ipynb").unlink()
    (exercises / "05_removed.ipynb").write_text("{}", encoding="utf-8")
    before = snapshot(exercises)

    report = build_exercises(solutions, exercises, check=True)

    assert sorted(p.name for p in report.stale) == ["00_intro.ipynb", "01_next.ipynb", "05_removed.ipynb"]
    assert report.written == []
    assert snapshot(exercises) == before


# --- the committed exercises/ match the committed solutions/ --------------------------------------


def test_committed_exercises_match_solutions(tmp_path):
    generated_dir = tmp_path / "exercises"
    build_exercises(REPO / "solutions", generated_dir)
    generated = snapshot(generated_dir)
    committed = {p.name: p.read_bytes() for p in sorted((REPO / "exercises").glob("*.ipynb"))}
    fix = (
        "exercises/ is out of date with solutions/: run `aipm build-exercises` (or `make exercises`) "
        "and commit the result."
    )

    assert generated, "no solution notebooks were found in solutions/"
    assert set(committed) == set(generated), (
        f"{fix}\n  missing from exercises/: {sorted(set(generated) - set(committed))}"
        f"\n  without a solution: {sorted(set(committed) - set(generated))}"
    )
    different = [name for name in generated if generated[name] != committed[name]]
    assert not different, f"{fix}\n  differs from its solution: {different}"


# --- starting code for the exercise (### EXERCISE) -----------------------------------------------


def test_exercise_part_becomes_the_starting_code_and_the_solution_part_goes():
    source = (
        "### BEGIN SOLUTION\n"
        'draft = "finished"\n'
        "### EXERCISE\n"
        '# draft = "to repair"\n'
        "#     indented = True\n"
        "### END SOLUTION\n"
        "check(draft)"
    )
    assert strip_solutions(source) == 'draft = "to repair"\n    indented = True\ncheck(draft)'


def test_exercise_part_must_be_commented_out_in_the_solution():
    source = "### BEGIN SOLUTION\nx = 1\n### EXERCISE\nx = 2\n### END SOLUTION"
    with pytest.raises(ExerciseBuildError, match=r"line 4 .* must be commented out"):
        strip_solutions(source)


@pytest.mark.parametrize(
    "source",
    ["### EXERCISE\n# x = 1", "### BEGIN SOLUTION\nx = 1\n### EXERCISE\n# a\n### EXERCISE\n# b\n### END SOLUTION"],
)
def test_exercise_marker_outside_a_block_or_twice_is_an_error(source):
    with pytest.raises(ExerciseBuildError, match="EXERCISE"):
        strip_solutions(source)


# --- build_exercises never replaces someone's notebooks by surprise ------------------------------

from aipm_course.exercise_builder import OverwriteRefused  # noqa: E402

BACKUP = re.compile(r"^00_intro\.\d{8}-\d{6}(-\d+)?\.ipynb$")


@pytest.fixture
def solutions(tmp_path):
    folder = tmp_path / "solutions"
    write_notebook(folder / "00_intro.ipynb", notebook(new_code_cell('a = "x"  # ANSWER')))
    write_notebook(folder / "01_next.ipynb", notebook(new_code_cell("b = 2  # ANSWER")))
    return folder


def learners_notebook(folder: Path) -> bytes:
    """Write a learner's filled-in 00_intro.ipynb into folder and return its bytes."""
    path = write_notebook(folder / "00_intro.ipynb", notebook(new_code_cell('a = "my answer"')))
    return path.read_bytes()


def every_file(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_building_into_the_learners_work_folder_is_refused_and_writes_nothing(tmp_path, solutions, monkeypatch):
    """Regression: `aipm build-exercises --out my_work` replaced the learner's notebooks, no backup."""
    work = tmp_path / "my_work"
    monkeypatch.setenv("AIPM_WORK_DIR", str(work))
    mine = learners_notebook(work)

    with pytest.raises(OverwriteRefused) as caught:
        build_exercises(solutions, work)

    message = str(caught.value)
    assert "work folder" in message and "00_intro.ipynb" in message and "--force" in message
    assert every_file(work) == {"00_intro.ipynb": mine}  # not even the missing 01 was written


def test_the_kits_my_work_is_refused_even_empty_and_when_aipm_work_dir_points_elsewhere(tmp_path, solutions, monkeypatch):
    kit = tmp_path / "kit"
    (kit / "exercises").mkdir(parents=True)
    (kit / "my_work").mkdir()
    monkeypatch.setenv("AIPM_KIT_ROOT", str(kit))
    monkeypatch.setenv("AIPM_WORK_DIR", str(tmp_path / "elsewhere"))
    monkeypatch.chdir(kit)
    with pytest.raises(OverwriteRefused, match="work folder"):
        build_exercises(solutions, Path("my_work"))  # relative, as typed: --out my_work
    assert every_file(kit / "my_work") == {}


def test_a_folder_with_a_notebook_that_differs_is_refused_and_writes_nothing(tmp_path, solutions):
    out = tmp_path / "somewhere"
    mine = learners_notebook(out)
    with pytest.raises(OverwriteRefused, match="differ") as caught:
        build_exercises(solutions, out)
    assert "00_intro.ipynb" in str(caught.value)
    assert every_file(out) == {"00_intro.ipynb": mine}


def test_a_folder_whose_notebooks_are_what_it_would_write_or_unrelated_is_filled_without_a_flag(tmp_path, solutions):
    out = tmp_path / "out"
    first = build_exercises(solutions, out)
    (out / "01_next.ipynb").unlink()
    (out / "notes.ipynb").write_text("my own notes, another name", encoding="utf-8")
    report = build_exercises(solutions, out)
    assert [p.name for p in report.written] == ["01_next.ipynb"]
    assert [p.name for p in report.unchanged] == ["00_intro.ipynb"]
    assert report.backups == [] and not (out / "backups").exists()
    assert (out / "notes.ipynb").read_text(encoding="utf-8") == "my own notes, another name"
    assert first.written


def test_force_replaces_them_keeping_a_timestamped_backup_of_each(tmp_path, solutions, monkeypatch):
    work = tmp_path / "my_work"
    monkeypatch.setenv("AIPM_WORK_DIR", str(work))
    mine = learners_notebook(work)

    report = build_exercises(solutions, work, force=True)

    assert [p.name for p in report.written] == ["00_intro.ipynb", "01_next.ipynb"]
    assert len(report.backups) == 1 and report.backups[0].parent == work / "backups"
    assert BACKUP.match(report.backups[0].name)
    assert report.backups[0].read_bytes() == mine
    assert nbformat.read(work / "00_intro.ipynb", as_version=4).cells[0].source == "a = ___  # your answer here"
    # the same notebook again is unchanged: no second backup
    again = build_exercises(solutions, work, force=True)
    assert again.written == [] and again.backups == []
    assert len(list((work / "backups").iterdir())) == 1


def test_two_forced_builds_in_the_same_second_keep_two_backups(tmp_path, solutions, monkeypatch):
    from aipm_course import workspace

    monkeypatch.setattr(workspace, "_timestamp", lambda: "20250101-120000")
    out = tmp_path / "out"
    first, second = learners_notebook(out), None
    build_exercises(solutions, out, force=True)
    second = write_notebook(out / "00_intro.ipynb", notebook(new_code_cell('a = "second try"'))).read_bytes()
    build_exercises(solutions, out, force=True)
    assert sorted(p.read_bytes() for p in (out / "backups").iterdir()) == sorted([first, second])


@pytest.mark.parametrize("how", ["aipm_kit_root", "beside_solutions"])
def test_the_kits_own_exercises_are_regenerated_without_a_flag_even_when_out_of_date(tmp_path, solutions, monkeypatch, how):
    """The author flow (`make exercises`): exercises/ holds generated files, so stale ones are replaced."""
    kit = solutions.parent
    exercises = kit / "exercises"
    build_exercises(solutions, exercises)
    stale = write_notebook(exercises / "00_intro.ipynb", notebook(new_code_cell("a = ___  # an older version")))
    if how == "aipm_kit_root":
        monkeypatch.setenv("AIPM_KIT_ROOT", str(kit))
    else:
        monkeypatch.delenv("AIPM_KIT_ROOT", raising=False)
        (kit / "pyproject.toml").write_text("[project]\nname = 'a-kit'\n", encoding="utf-8")

    report = build_exercises(solutions, exercises)

    assert [p.name for p in report.written] == ["00_intro.ipynb"]
    assert report.backups == [] and not (exercises / "backups").exists()
    assert stale.read_bytes() != b"" and "older version" not in stale.read_text(encoding="utf-8")
    assert build_exercises(solutions, exercises, check=True).stale == []


def test_check_mode_in_the_learners_work_folder_is_allowed_and_writes_nothing(tmp_path, solutions, monkeypatch):
    work = tmp_path / "my_work"
    monkeypatch.setenv("AIPM_WORK_DIR", str(work))
    mine = learners_notebook(work)
    report = build_exercises(solutions, work, check=True)
    assert sorted(p.name for p in report.stale) == ["00_intro.ipynb", "01_next.ipynb"]
    assert every_file(work) == {"00_intro.ipynb": mine}


def test_a_folder_where_a_notebook_goes_is_refused_even_with_force(tmp_path, solutions):
    out = tmp_path / "out"
    (out / "00_intro.ipynb").mkdir(parents=True)
    (out / "00_intro.ipynb" / "inside.txt").write_text("keep", encoding="utf-8")
    with pytest.raises(OverwriteRefused, match="not notebook files"):
        build_exercises(solutions, out, force=True)
    assert every_file(out) == {"00_intro.ipynb/inside.txt": b"keep"}
