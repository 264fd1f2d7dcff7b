"""`aipm grade`: a folder of submissions, good, bad and messy, graded in ONE run (module scope).

The run starts kernels, so everything that needs one shares a single call to ``grade`` with a short
per-cell timeout and two notebooks at a time; the other tests (argument checks, files that are not
notebooks) start no kernel. The hostile submissions (a sandbox's work) are in test_grading_hostile.py.

The submissions, one folder per learner:
  answered       solution 02 prepared for seed 7 / fintech_fraud (papermill parameters injection)
  answered_03    solution 03 prepared for seed 3 / healthcare_triage
  half_answered  solution 02 with the answers to q1 and q7 put back to ___
  unanswered     exercise 02 as handed out (seed 0 / default)
  wrong          solution 02 with q3 answered 0.5
  typo           solution 02 with a NameError in q2's answer cell: q2 is "error", the rest still graded
  loops          exercise 02 with an endless loop (that first starts a background process)
  exits          exercise 02 with a cell calling os._exit(1)
  exits_late     solution 02 that calls os._exit(1) after q2's check (q1 and q2 already checked)
  bad_import     exercise 02 whose first cell imports a module that does not exist
  not_json       02_... holding broken JSON
  empty          02_... with no bytes
  text_file      my_answers.ipynb holding plain text (no module number): listed, not graded
  wrong_seed     solution 02 at seed 0, where the roster assigns seed 7: judged against seed 7, flagged
  twice          solution 02 (newest) and the wrong one in an older copy: the newest is graded
  exported       02_....html and answers.py only: listed as not notebooks
  + answered/.ipynb_checkpoints/, a checkpoint copy that must be ignored
  + the roster also lists "absent", who handed in nothing, and assigns "answered" module 03 too
"""


import csv
import hashlib
import os
import re
import time
from pathlib import Path

import nbformat
import papermill
import pytest
from nbformat.v4 import new_code_cell

from aipm_course import cli
from aipm_course.exercises import question_ids
from aipm_course.grading import find_submissions, grade, model

REPO = Path(__file__).resolve().parents[1]
EX02, EX03 = "02_precision_recall_costs.ipynb", "03_uncertainty_budgets.ipynb"
TIMEOUT = 15
Q02, Q03 = question_ids("02"), question_ids("03")
WRONG_FEEDBACK = "0.5 is right only when both errors cost the same."


def snapshot(folder: Path) -> dict:
    """sha256 of every file below folder, and every folder, by relative path (hidden ones too)."""
    found = {}
    for directory, folders, files in os.walk(folder):
        for name in folders:
            found[os.path.relpath(os.path.join(directory, name), folder) + "/"] = "folder"
        for name in files:
            path = os.path.join(directory, name)
            found[os.path.relpath(path, folder)] = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return found


def with_parameters(source: Path, target: Path, seed: int, scenario: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    papermill.execute_notebook(
        str(source), str(target), parameters={"seed": seed, "scenario": scenario},
        prepare_only=True, progress_bar=False, log_output=False, kernel_name="python3",
    )


def edited(source: Path, target: Path, replacements=(), insert=None) -> None:
    """Write source to target with each (old, new) replaced in exactly one cell, and/or a code cell
    inserted at (index, code)."""
    nb = nbformat.read(source, as_version=4)
    for old, new in replacements:
        cells = [c for c in nb.cells if old in c.source]
        assert len(cells) == 1, old
        cells[0].source = cells[0].source.replace(old, new)
    if insert:
        index, code = insert
        nb.cells.insert(index, new_code_cell(code))
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)


def setup_cell_index(path: Path) -> int:
    """The index of the cell that builds `ex` (so a cell inserted after it runs before any check)."""
    nb = nbformat.read(path, as_version=4)
    return next(i for i, c in enumerate(nb.cells) if "ex = load(" in c.source)


SPAWN_THEN_LOOP = (
    "import os, subprocess\n"
    "child = subprocess.Popen(['sleep', '300'])\n"
    "open({pids!r}, 'w').write(f'{{os.getpid()}} {{child.pid}}')\n"
    "while True:\n"
    "    pass\n"
)


def build_submissions(root: Path, spy: Path) -> dict:
    solution02, solution03 = REPO / "solutions" / EX02, REPO / "solutions" / EX03
    exercise02 = REPO / "exercises" / EX02
    after_setup = setup_cell_index(exercise02) + 1

    with_parameters(solution02, root / "answered" / EX02, 7, "fintech_fraud")
    with_parameters(solution03, root / "answered_03" / EX03, 3, "healthcare_triage")
    edited(solution02, root / "half_answered" / EX02, [
        ("precision = precision_at_prevalence(ex.q1.data.tpr, ex.q1.data.fpr, ex.q1.data.prevalence)", "precision = ___"),
        ('reading = "overstate" if d.observed < d.score else "understate"', "reading = ___"),
    ])
    edited(exercise02, root / "unanswered" / EX02)
    edited(solution02, root / "wrong" / EX02, [
        ("threshold = ex.q3.data.cost_fp / (ex.q3.data.cost_fp + ex.q3.data.cost_fn)", "threshold = 0.5"),
    ])
    edited(exercise02, root / "loops" / EX02, insert=(after_setup, SPAWN_THEN_LOOP.format(pids=str(spy / "loops.pids"))))
    edited(exercise02, root / "exits" / EX02, insert=(after_setup, "import os; os._exit(1)"))
    late = nbformat.read(solution02, as_version=4)
    after_q2 = next(i for i, c in enumerate(late.cells) if "ex.q2.check(" in c.source) + 1
    edited(solution02, root / "exits_late" / EX02, insert=(after_q2, "import os; os._exit(1)"))
    edited(exercise02, root / "bad_import" / EX02, insert=(0, "import not_a_real_module"))
    (root / "not_json").mkdir()
    (root / "not_json" / EX02).write_text('{"cells": [{"cell_type": "code", "source": "x = 1"', encoding="utf-8")
    (root / "empty").mkdir()
    (root / "empty" / EX02).write_bytes(b"")
    (root / "text_file").mkdir()
    (root / "text_file" / "my_answers.ipynb").write_text("Dear instructor, my answers are 0.16 and 594.\n", encoding="utf-8")
    edited(solution02, root / "typo" / EX02, [
        ("alerts_per_day = ", "alerts_per_day = undefined_name + "),
    ])
    edited(solution02, root / "wrong_seed" / EX02)  # seed 0, default: the roster says seed 7
    edited(solution02, root / "twice" / "old" / EX02, [
        ("threshold = ex.q3.data.cost_fp / (ex.q3.data.cost_fp + ex.q3.data.cost_fn)", "threshold = 0.5"),
    ])
    os.utime(root / "twice" / "old" / EX02, (time.time() - 3600, time.time() - 3600))
    edited(solution02, root / "twice" / EX02)
    (root / "exported").mkdir()
    (root / "exported" / "02_precision_recall_costs.html").write_text("<html>exported</html>", encoding="utf-8")
    (root / "exported" / "answers.py").write_text("x = 1\n", encoding="utf-8")
    checkpoints = root / "answered" / ".ipynb_checkpoints"
    checkpoints.mkdir()
    (checkpoints / "02_precision_recall_costs-checkpoint.ipynb").write_bytes((root / "wrong" / EX02).read_bytes())
    return {"checkpoint": checkpoints / "02_precision_recall_costs-checkpoint.ipynb"}


ROSTER = """learner,team,seed,scenario,modules
answered,team-01,7,fintech_fraud,02 03
answered_03,team-02,3,healthcare_triage,03
wrong_seed,team-01,7,fintech_fraud,02
absent,team-02,3,healthcare_triage,02
"""


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("grading")
    submissions, out, spy = base / "submissions", base / "out", base / "spy"
    submissions.mkdir()
    spy.mkdir()
    built = build_submissions(submissions, spy)
    roster = base / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    before = snapshot(submissions)
    lines: list[str] = []
    began = time.perf_counter()
    # no sandbox here (the loop writes its pids where the test can read them; test_grading_hostile.py
    # grades in the sandbox), which also tests that the grader stops what a notebook left running
    report = grade(submissions, out, jobs=2, timeout=TIMEOUT, progress=lines.append, roster=roster, sandbox="off")
    seconds = time.perf_counter() - began
    after = snapshot(submissions)
    with (out / "grades.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    with (out / "gradebook.csv").open(newline="", encoding="utf-8") as handle:
        book = list(csv.DictReader(handle))
    return {
        "submissions": submissions, "out": out, "spy": spy, "built": built, "before": before, "after": after,
        "report": report, "lines": lines, "seconds": seconds, "rows": rows, "book": book,
        "html": (out / "summary.html").read_text(encoding="utf-8"),
    }


def results_of(graded, learner: str, module: str = "02") -> dict:
    found = [r for r in graded["report"].results if r.learner == learner and r.module == module]
    by_id = {r.question: r for r in found}
    assert len(by_id) == len(found), "a question appears twice"
    return by_id


def file_of(graded, learner: str):
    return next(f for f in graded["report"].files if f.learner == learner)


def findings(graded, kind: str) -> list:
    return [f for f in graded["report"].run.findings if f.kind == kind]


GRADED = ["answered", "answered_03", "half_answered", "unanswered", "wrong", "typo", "loops", "exits", "exits_late",
          "bad_import", "not_json", "empty", "wrong_seed", "twice"]


# --- the submissions folder is only read -------------------------------------------------------------


def test_every_file_in_the_submissions_folder_is_unchanged_and_nothing_is_added(graded):
    assert graded["before"] == graded["after"]


def test_the_reports_are_written_to_out_only(graded):
    names = sorted(p.name for p in graded["out"].iterdir())
    assert {"grades.csv", "gradebook.csv", "summary.html", "feedback"} <= set(names), names


def test_the_whole_run_finishes_well_within_the_hard_deadline(graded):
    assert graded["seconds"] < 240, graded["seconds"]


def test_the_checkpoint_copy_is_ignored_and_every_notebook_graded_once(graded):
    assert graded["built"]["checkpoint"] in list(graded["submissions"].rglob("*.ipynb"))
    assert not any(".ipynb_checkpoints" in f.file for f in graded["report"].files)
    assert sorted(f.learner for f in graded["report"].files) == sorted(GRADED)


# --- carrying on past errors -------------------------------------------------------------------------


def test_a_typo_in_one_question_is_an_error_there_and_the_rest_are_still_graded(graded):
    rows = results_of(graded, "typo")
    assert list(rows) == Q02
    assert rows["q2"].outcome == "error"
    assert "NameError" in rows["q2"].message and "undefined_name" in rows["q2"].message
    assert re.search(r"in question 2 \(cell \d+ from the top\), line \d+: NameError", rows["q2"].message), rows["q2"].message
    assert [q for q, r in rows.items() if r.outcome != "correct"] == ["q2"]
    assert file_of(graded, "typo").status == "ran"
    assert any("NameError" in e for e in file_of(graded, "typo").errors)


def test_the_endless_loop_is_stopped_at_the_timeout_and_the_run_goes_on(graded):
    loops = file_of(graded, "loops")
    assert re.match(r"timed out: cell \d+ \(setup\) ran longer than", loops.status) and f"longer than {TIMEOUT:g} s" in loops.status
    assert TIMEOUT <= loops.seconds < TIMEOUT * 3 + 60
    rows = results_of(graded, "loops")
    assert {r.outcome for r in rows.values()} == {"not attempted"}  # every check after the loop still ran


def test_what_the_endless_loop_started_does_not_outlive_grading(graded):
    pids = (graded["spy"] / "loops.pids").read_text().split()
    assert len(pids) == 2  # the kernel and the `sleep` it started
    deadline = time.monotonic() + 10
    alive = pids
    while alive and time.monotonic() < deadline:
        alive = [pid for pid in pids if _running(int(pid))]
        time.sleep(0.2)
    assert not alive


def _running(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return not re.search(r"^State:\s+[ZX]", status, re.MULTILINE)  # a zombie has stopped


def test_a_kernel_that_dies_late_keeps_what_ran_and_the_rest_is_not_reached(graded):
    rows = results_of(graded, "exits_late")
    assert [rows["q1"].outcome, rows["q2"].outcome] == ["correct", "correct"]
    assert all(rows[q].outcome == "not reached" for q in Q02[2:])
    assert re.match(r"the kernel died in cell \d+ \(question 2\)", file_of(graded, "exits_late").status)


def test_a_failed_import_is_named_and_the_questions_still_run(graded):
    bad = file_of(graded, "bad_import")
    assert any("ModuleNotFoundError" in e and "not_a_real_module" in e for e in bad.errors), bad.errors
    assert {r.outcome for r in results_of(graded, "bad_import").values()} == {"not attempted"}


@pytest.mark.parametrize("learner, status", [("exits", r"the kernel died in cell \d+ \(setup\)"),
                                             ("not_json", r"not a valid notebook: "), ("empty", r"empty file")])
def test_a_notebook_that_cannot_run_has_every_question_not_reached_and_says_why(graded, learner, status):
    assert re.match(status, file_of(graded, learner).status), file_of(graded, learner).status
    rows = results_of(graded, learner)
    assert list(rows) == Q02 and {r.outcome for r in rows.values()} == {"not reached"}


# --- judged again, against the assignment -------------------------------------------------------------


def test_the_answered_learner_is_correct_everywhere_and_each_outcome_was_rejudged(graded):
    rows = results_of(graded, "answered")
    assert list(rows) == Q02
    for row in rows.values():
        assert (row.outcome, row.seed, row.scenario) == ("correct", "7", "fintech_fraud"), row
        assert row.verification == model.AGREES, row
    rows03 = results_of(graded, "answered_03", "03")
    assert {(r.outcome, r.seed, r.scenario) for r in rows03.values()} == {("correct", "3", "healthcare_triage")}


def test_the_wrong_and_half_answered_learners_get_exactly_their_outcomes(graded):
    wrong = results_of(graded, "wrong")
    assert [q for q, r in wrong.items() if r.outcome != "correct"] == ["q3"]
    assert wrong["q3"].message == WRONG_FEEDBACK and wrong["q3"].hint
    half = results_of(graded, "half_answered")
    assert {q: r.outcome for q, r in half.items()} == {q: "not attempted" if q in ("q1", "q7") else "correct" for q in Q02}


def test_a_learner_working_at_another_seed_is_judged_against_the_assignment_and_flagged(graded):
    rows = results_of(graded, "wrong_seed")
    assert {r.seed for r in rows.values()} == {"7"}
    assert sum(r.outcome == "correct" for r in rows.values()) < len(Q02) // 2
    assert any("assignment differs" in flag for flag in file_of(graded, "wrong_seed").flags)
    assert [f.learner for f in findings(graded, "assignment differs")] == ["wrong_seed"]


def test_the_newest_of_two_copies_is_graded_and_the_other_listed(graded):
    assert file_of(graded, "twice").file == f"twice/{EX02}"
    assert {r.outcome for r in results_of(graded, "twice").values()} == {"correct"}
    assert [f.file for f in findings(graded, "duplicate")] == [f"twice/old/{EX02}"]


# --- what was not graded is said ---------------------------------------------------------------------


def test_files_that_are_not_notebooks_are_listed(graded):
    listed = {f.file for f in findings(graded, "not a notebook")}
    assert {"exported/02_precision_recall_costs.html", "exported/answers.py"} <= listed
    assert [f.file for f in findings(graded, "not an exercise")] == ["text_file/my_answers.ipynb"]


def test_the_roster_names_who_and_what_is_missing(graded):
    assert [f.learner for f in findings(graded, "missing learner")] == ["absent"]
    assert [(f.learner, "03" in f.detail) for f in findings(graded, "missing module")] == [("answered", True)]
    absent = [r for r in graded["report"].results if r.learner == "absent"]
    assert [r.question for r in absent] == Q02 and {r.outcome for r in absent} == {"missing"}
    not_listed = {f.learner for f in findings(graded, "not on the roster")}
    assert {"typo", "loops", "twice"} <= not_listed and "answered" not in not_listed


def test_totals_are_out_of_all_the_modules_questions(graded):
    book = {row["learner"]: row for row in graded["book"]}
    assert set(GRADED) | {"absent"} <= set(book)
    column = next(c for c in graded["book"][0] if c.startswith("02"))
    assert str(len(Q02)) in column
    assert book["typo"][column] == str(len(Q02) - 1)
    assert book["exits_late"][column] == "2"
    assert book["absent"][column] in ("", "0")


def test_the_summary_says_which_isolation_was_used_and_lists_what_was_not_graded(graded):
    page = graded["html"]
    assert graded["report"].run.isolation.split(":")[0] in page
    for name in ("absent", "answers.py", "my_answers.ipynb", f"twice/old/{EX02}"):
        assert name in page, name


def test_progress_is_reported_for_every_notebook(graded):
    done = [line for line in graded["lines"] if re.match(r"\[\s*\d+/\d+\]", line)]
    assert len(done) == len(GRADED)
    assert graded["lines"][0].startswith(f"Grading {len(GRADED)} notebook(s) with 2 at a time")


# --- refusals (no kernel) ------------------------------------------------------------------------------


@pytest.fixture
def small_folder(tmp_path):
    submissions = tmp_path / "submissions"
    (submissions / "ana").mkdir(parents=True)
    (submissions / "ana" / EX02).write_bytes(b"")
    return submissions


@pytest.mark.parametrize("where", ["inside", "same"])
def test_grade_refuses_an_out_folder_inside_the_submissions(small_folder, capsys, where):
    out = small_folder / "results" if where == "inside" else small_folder
    before = snapshot(small_folder)
    assert cli.main(["grade", str(small_folder), "--out", str(out), "--timeout", "5"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("aipm: error: ") and "outside the submissions folder" in err and "Traceback" not in err
    assert snapshot(small_folder) == before


def test_grade_refuses_a_missing_submissions_folder(tmp_path, capsys):
    assert cli.main(["grade", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("aipm: error: submissions must be a folder") and "nowhere" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("timeout", ["0", "-5", "3601", "nan"])
def test_grade_refuses_a_bad_timeout(small_folder, tmp_path, capsys, timeout):
    assert cli.main(["grade", str(small_folder), "--out", str(tmp_path / "out"), "--timeout", timeout]) == 1
    assert capsys.readouterr().err.startswith("aipm: error: timeout must be a number of seconds from 1 to 3600")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("jobs", [-1, 0, 1.5, True])
def test_grade_refuses_bad_jobs(small_folder, tmp_path, jobs):
    with pytest.raises(ValueError, match="jobs"):
        grade(small_folder, tmp_path / "out", jobs=jobs, timeout=5)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("text, message", [
    ("team,seed\nx,1\n", "learner column"),
    ("learner,seed\nana,seven\n", "row 2: seed must be a whole number"),
    ("learner,scenario,seed\nana,mars,1\n", "row 2: scenario must be one of"),
    ("learner,modules\nana,02 99\n", "row 2: modules must be module numbers"),
    ("learner\nana\nana\n", "row 3: learner 'ana' is already on row 2"),
    ("learner\n../x\n", "row 2: learner must be the name of a folder"),
])
def test_a_bad_roster_is_refused_naming_the_row(small_folder, tmp_path, capsys, text, message):
    roster = tmp_path / "roster.csv"
    roster.write_text(text, encoding="utf-8")
    assert cli.main(["grade", str(small_folder), "--out", str(tmp_path / "out"), "--roster", str(roster)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("aipm: error: ") and message in err, err
    assert not (tmp_path / "out").exists()


def test_the_cli_grades_files_that_need_no_kernel_and_lists_the_rest(small_folder, tmp_path, capsys):
    (small_folder / "ben").mkdir()
    (small_folder / "ben" / "notes.ipynb").write_text("not a notebook", encoding="utf-8")
    (small_folder / "ben" / "02_x.pdf").write_bytes(b"%PDF")
    before = snapshot(small_folder)
    assert cli.main(["grade", str(small_folder), "--out", str(tmp_path / "out"), "--jobs", "1", "--timeout", "5"]) == 0
    captured = capsys.readouterr()
    assert re.search(rf"\[\s*1/1\] ana/{EX02}: empty file", captured.err)
    assert "Graded 1 notebook(s)" in captured.out
    assert snapshot(small_folder) == before
    with (tmp_path / "out" / "grades.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["learner"], r["question"], r["outcome"]) for r in rows] == [("ana", q, "not reached") for q in Q02]
    page = (tmp_path / "out" / "summary.html").read_text(encoding="utf-8")
    assert "notes.ipynb" in page and "02_x.pdf" in page


def test_the_roster_and_the_folder_are_matched_with_care(tmp_path, capsys):
    """No kernel: empty notebooks. A semicolon roster (as some spreadsheets save it), a name that
    differs only in capitals, a learner who handed in only an export, a notebook loose in the folder."""
    submissions = tmp_path / "submissions"
    for learner, name in (("ana", EX02), ("Ben", EX02), ("cy", "02_precision_recall_costs.html")):
        (submissions / learner).mkdir(parents=True)
        (submissions / learner / name).write_bytes(b"")
    (submissions / EX02).write_bytes(b"")
    roster = tmp_path / "roster.csv"
    roster.write_text("learner;team;seed;scenario;modules\nana;t1;1;default;02\nben;t1;1;default;02\ncy;t2;2;default;02\n",
                      encoding="utf-8")
    report = grade(submissions, tmp_path / "out", jobs=1, timeout=5, progress=lambda _: None, roster=roster)
    notes = {(f.kind, f.learner): f.detail for f in report.run.findings}
    assert "differs only in capitals: Ben" in notes[("missing learner", "ben")]
    assert "differs only in capitals: ben" in notes[("not on the roster", "Ben")]
    assert "only: 02_precision_recall_costs.html" in notes[("missing learner", "cy")]
    assert ("not in a learner's folder", "02_precision_recall_costs") in notes
    assert sorted(f.learner for f in report.run.files) == ["Ben", "ana"]
