"""`aipm grade`: a folder of submissions, good and bad, graded in ONE run (module scope).

The run starts kernels, so everything that needs one shares a single call to ``grade`` with a short
per-cell timeout and two notebooks at a time; the other tests (argument checks, files that are not
notebooks, the summary's wording) start no kernel.

The submissions, one folder per learner:
  answered       solution 02 prepared for seed 7 / fintech_fraud (papermill parameters injection)
  answered_03    solution 03 prepared for seed 3 / healthcare_triage
  half_answered  solution 02 with the answers to q1 and q7 put back to ___
  unanswered     exercise 02 as handed out (seed 0 / default)
  wrong          solution 02 with q3 answered 0.5
  loops          exercise 02 with an endless loop (that first starts a background process)
  exits          exercise 02 with a cell calling os._exit(1)
  exits_late     solution 02 that calls os._exit(1) after q2's check (q1 and q2 already checked)
  bad_import     exercise 02 whose first cell imports a module that does not exist
  not_json       02_... holding broken JSON
  empty          02_... with no bytes
  text_file      my_answers.ipynb holding plain text (no module number)
  + answered/.ipynb_checkpoints/, a checkpoint copy that must be ignored
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
from aipm_course.grading import CSV_COLUMNS, GradeRow, _summary_html, find_submissions, grade

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
    checkpoints = root / "answered" / ".ipynb_checkpoints"
    checkpoints.mkdir()
    (checkpoints / "02_precision_recall_costs-checkpoint.ipynb").write_bytes((root / "wrong" / EX02).read_bytes())
    return {"checkpoint": checkpoints / "02_precision_recall_costs-checkpoint.ipynb"}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("grading")
    submissions, out, spy = base / "submissions", base / "out", base / "spy"
    submissions.mkdir()
    spy.mkdir()
    built = build_submissions(submissions, spy)
    before = snapshot(submissions)
    lines: list[str] = []
    began = time.perf_counter()
    report = grade(submissions, out, jobs=2, timeout=TIMEOUT, progress=lines.append)
    seconds = time.perf_counter() - began
    after = snapshot(submissions)
    with report.csv_path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        columns, rows = reader.fieldnames, list(reader)
    return {
        "submissions": submissions, "out": out, "spy": spy, "built": built, "before": before, "after": after,
        "report": report, "lines": lines, "seconds": seconds, "columns": columns, "rows": rows,
        "html": report.html_path.read_text(encoding="utf-8"),
    }


def rows_of(graded, learner: str) -> list[dict]:
    return [r for r in graded["rows"] if r["learner"] == learner]


def by_question(rows) -> dict:
    found = {r["question"]: r for r in rows}
    assert len(found) == len(rows), "a question appears twice"
    return found


LEARNERS = ["answered", "answered_03", "half_answered", "unanswered", "wrong", "loops", "exits", "exits_late",
            "bad_import", "not_json", "empty", "text_file"]


# --- the submissions folder is only read -------------------------------------------------------------


def test_every_file_in_the_submissions_folder_is_unchanged_and_nothing_is_added(graded):
    assert graded["before"] == graded["after"]
    assert len([k for k in graded["before"] if not k.endswith("/")]) == len(LEARNERS) + 1  # + the checkpoint


def test_grades_csv_and_summary_html_are_written_to_out_only(graded):
    assert sorted(p.name for p in graded["out"].iterdir()) == ["grades.csv", "summary.html"]
    assert graded["report"].csv_path == graded["out"].resolve() / "grades.csv"


def test_the_whole_run_finishes_well_within_the_hard_deadline(graded):
    # 12 notebooks, 2 at a time; the endless loop is stopped after TIMEOUT seconds
    assert graded["seconds"] < 150, graded["seconds"]
    assert graded["report"].seconds <= graded["seconds"]


def test_the_checkpoint_copy_is_ignored(graded):
    assert graded["built"]["checkpoint"] in [p for p in graded["submissions"].rglob("*.ipynb")]
    assert not any(".ipynb_checkpoints" in r["file"] for r in graded["rows"])
    assert not any("checkpoint" in line for line in graded["lines"])
    assert len(find_submissions(graded["submissions"])) == len(LEARNERS)


def test_every_learner_is_graded_once(graded):
    files = graded["report"].files
    assert sorted(f["learner"] for f in files) == sorted(LEARNERS)
    assert {r["learner"] for r in graded["rows"]} == set(LEARNERS)


# --- the endless loop --------------------------------------------------------------------------------


def test_the_endless_loop_is_stopped_at_the_timeout_and_reported(graded):
    loops = next(f for f in graded["report"].files if f["learner"] == "loops")
    assert loops["status"] == f"timed out: a cell ran longer than {TIMEOUT:g} s"
    assert TIMEOUT <= loops["seconds"] < TIMEOUT * 3 + 60  # the cell's own timeout, not the hard deadline
    rows = rows_of(graded, "loops")
    assert [r["question"] for r in rows] == Q02
    assert all(r["outcome"] == "not reached" and r["status"].startswith("timed out") for r in rows)
    assert any("loops/" in line and "timed out" in line for line in graded["lines"])


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


# --- the CSV, row by row --------------------------------------------------------------------------------


def test_the_csv_has_the_documented_columns(graded):
    assert tuple(graded["columns"]) == CSV_COLUMNS
    assert graded["rows"]


def test_the_answered_learner_is_correct_everywhere_with_its_injected_parameters(graded):
    rows = rows_of(graded, "answered")
    assert [r["question"] for r in rows] == Q02
    for row in rows:
        assert row["outcome"] == "correct", row
        assert (row["seed"], row["scenario"]) == ("7", "fintech_fraud")
        assert (row["module"], row["file"], row["status"]) == ("02", f"answered/{EX02}", "ran")
        assert row["title"]


def test_the_answered_module_03_learner_is_correct_everywhere_with_its_parameters(graded):
    rows = rows_of(graded, "answered_03")
    assert [r["question"] for r in rows] == Q03
    assert all(r["outcome"] == "correct" and r["module"] == "03" for r in rows), rows
    assert {(r["seed"], r["scenario"], r["status"]) for r in rows} == {("3", "healthcare_triage", "ran")}


def test_the_unanswered_learner_is_not_attempted_everywhere(graded):
    rows = rows_of(graded, "unanswered")
    assert [r["question"] for r in rows] == Q02
    assert {(r["outcome"], r["seed"], r["scenario"], r["status"]) for r in rows} == {("not attempted", "0", "default", "ran")}


def test_the_half_answered_learner_has_both(graded):
    rows = by_question(rows_of(graded, "half_answered"))
    assert list(rows) == Q02
    outcomes = {qid: row["outcome"] for qid, row in rows.items()}
    assert outcomes == {qid: "not attempted" if qid in ("q1", "q7") else "correct" for qid in Q02}
    assert {r["status"] for r in rows.values()} == {"ran"}


def test_the_wrong_learner_has_exactly_the_changed_question_incorrect(graded):
    rows = by_question(rows_of(graded, "wrong"))
    assert list(rows) == Q02
    assert [qid for qid, row in rows.items() if row["outcome"] != "correct"] == ["q3"]
    assert rows["q3"]["outcome"] == "incorrect"
    assert rows["q3"]["message"] == WRONG_FEEDBACK
    assert rows["q3"]["status"] == "ran"


BAD_CASES = {
    "loops": r"timed out: a cell ran longer than 15 s",
    "exits": r"the kernel died",
    "bad_import": r"stopped at cell 1: ModuleNotFoundError: No module named 'not_a_real_module'",
    "not_json": r"not a valid notebook: ",
    "empty": r"empty file",
}


@pytest.mark.parametrize("learner", sorted(BAD_CASES))
def test_a_bad_submission_gets_every_question_not_reached_and_says_what_happened(graded, learner):
    rows = rows_of(graded, learner)
    assert [r["question"] for r in rows] == Q02
    for row in rows:
        assert (row["module"], row["outcome"], row["seed"], row["scenario"], row["message"]) == ("02", "not reached", "", "", "")
        assert re.match(BAD_CASES[learner], row["status"]), row["status"]
    assert len({r["status"] for r in rows}) == 1


def test_a_kernel_that_dies_late_is_reported_and_the_rest_not_reached(graded):
    rows = by_question(rows_of(graded, "exits_late"))
    assert list(rows) == Q02
    assert {r["status"] for r in rows.values()} == {"the kernel died (the notebook exited Python or crashed it)"}
    assert all(rows[qid]["outcome"] == "not reached" for qid in Q02[2:])


def test_checks_that_ran_before_the_kernel_died_are_kept(graded):
    rows = by_question(rows_of(graded, "exits_late"))
    assert [rows["q1"]["outcome"], rows["q2"]["outcome"]] == ["correct", "correct"]
    assert (rows["q1"]["seed"], rows["q1"]["scenario"]) == ("0", "default")


def test_a_text_file_with_no_module_number_gets_a_single_row(graded):
    rows = rows_of(graded, "text_file")
    assert len(rows) == 1
    row = rows[0]
    assert (row["file"], row["module"], row["question"], row["outcome"]) == ("text_file/my_answers.ipynb", "", "", "")
    assert row["status"].startswith("not a valid notebook: "), row["status"]


def test_the_report_counts_the_files_that_could_not_be_run(graded):
    text = str(graded["report"])
    assert f"Graded {len(LEARNERS)} notebook(s)" in text
    assert f"{len(BAD_CASES) + 2} could not be run to the end" in text  # + text_file and exits_late
    assert str(graded["report"].csv_path) in text and str(graded["report"].html_path) in text


# --- progress ---------------------------------------------------------------------------------------------


def test_progress_is_reported_for_every_notebook(graded):
    lines = graded["lines"]
    assert lines[0] == f"Grading {len(LEARNERS)} notebook(s) with 2 at a time, at most {TIMEOUT} s a cell ..."
    done = lines[1:]
    assert len(done) == len(LEARNERS)
    assert [re.match(r"\[\s*(\d+)/(\d+)\]", line).groups() for line in done] == [
        (str(i), str(len(LEARNERS))) for i in range(1, len(LEARNERS) + 1)
    ]
    answered = next(line for line in done if line.split("] ")[1].startswith(f"answered/{EX02}"))
    assert f"{len(Q02)} of {len(Q02)} checks correct; ran" in answered


# --- the HTML summary ------------------------------------------------------------------------------------


def test_the_summary_names_every_learner_and_says_grading_is_not_a_sandbox(graded):
    page = graded["html"]
    for learner in LEARNERS:
        assert f">{learner}</td>" in page
    assert "not a sandbox" in page
    assert page.startswith("<!doctype html>")


def test_the_summary_shows_each_questions_pass_share(graded):
    page, rows = graded["html"], graded["rows"]
    for module, qids in (("02", Q02), ("03", Q03)):
        for qid in qids:
            group = [r for r in rows if r["module"] == module and r["question"] == qid]
            passed = sum(r["outcome"] == "correct" for r in group)
            pattern = rf">{module}</td><td[^>]*>{qid}</td><td[^>]*>[^<]*</td><td[^>]*>{passed} of {len(group)} \("
            assert re.search(pattern, page), (module, qid, passed, len(group))
    # module 02 q4: answered, half_answered and wrong, of the 10 learners who handed in module 02
    assert re.search(r">q4</td><td[^>]*>Expected cost per case</td><td[^>]*>3 of 10 \(30%\)", page)


def test_the_summary_shows_the_most_common_wrong_feedback(graded):
    assert re.search(r">q3</td><td[^>]*>[^<]*</td><td[^>]*>[^<]*</td><td[^>]*>" + re.escape(WRONG_FEEDBACK) + r" \(1×\)", graded["html"])


def test_the_most_common_wrong_feedback_is_the_one_given_most_often():
    def row(learner, outcome, message):
        return GradeRow(learner, f"{learner}/x.ipynb", "02", "q3", "T <&>", outcome, message, "0", "default", "ran")

    rows = [row("<b>a</b>", "incorrect", "Upside <down>"), row("b", "incorrect", "Both the same"),
            row("c", "incorrect", "Upside <down>"), row("d", "correct", "0.004 is right."), row("e", "not attempted", "")]
    files = [{"learner": r.learner, "file": r.file, "status": "ran", "correct": 0, "attempted": 1, "checks": 1} for r in rows]
    page = _summary_html(rows, files)
    assert "Upside &lt;down&gt; (2×)" in page and "Both the same" not in page
    assert "1 of 5 (20%)" in page and "T &lt;&amp;&gt;" in page
    assert "&lt;b&gt;a&lt;/b&gt;" in page and "<b>a</b>" not in page


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
    assert err.startswith("aipm: error: ") and "must be a folder" in err and "nowhere" in err
    assert not (tmp_path / "out").exists()


def test_grade_refuses_a_file_as_the_submissions_folder(small_folder, tmp_path, capsys):
    assert cli.main(["grade", str(small_folder / "ana" / EX02), "--out", str(tmp_path / "out")]) == 1
    assert "must be a folder" in capsys.readouterr().err


@pytest.mark.parametrize("timeout", ["0", "-5", "3601", "nan"])
def test_grade_refuses_a_bad_timeout(small_folder, tmp_path, capsys, timeout):
    assert cli.main(["grade", str(small_folder), "--out", str(tmp_path / "out"), "--timeout", timeout]) == 1
    err = capsys.readouterr().err
    assert err.startswith("aipm: error: timeout must be a number of seconds from 1 to 3600")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("jobs", [-1, 1.5, True])
def test_grade_refuses_bad_jobs(small_folder, tmp_path, jobs):
    with pytest.raises(ValueError, match="jobs"):
        grade(small_folder, tmp_path / "out", jobs=jobs, timeout=5)
    assert not (tmp_path / "out").exists()


def test_grade_refuses_zero_jobs(small_folder, tmp_path):
    with pytest.raises(ValueError, match="jobs"):
        grade(small_folder, tmp_path / "out", jobs=0, timeout=5, progress=lambda _: None)


def test_the_cli_grades_files_that_need_no_kernel_and_reports_progress_on_stderr(small_folder, tmp_path, capsys):
    (small_folder / "ben").mkdir()
    (small_folder / "ben" / "notes.ipynb").write_text("not a notebook", encoding="utf-8")
    before = snapshot(small_folder)
    assert cli.main(["grade", str(small_folder), "--out", str(tmp_path / "out"), "--jobs", "1", "--timeout", "5"]) == 0
    captured = capsys.readouterr()
    assert "Grading 2 notebook(s) with 1 at a time, at most 5 s a cell ..." in captured.err
    assert re.search(rf"\[\s*\d/2\] ana/{EX02}: 0 of 0 checks correct; empty file", captured.err)
    assert re.search(r"\[\s*\d/2\] ben/notes.ipynb: 0 of 0 checks correct; not a valid notebook", captured.err)
    assert "Graded 2 notebook(s)" in captured.out and "2 could not be run to the end" in captured.out
    assert snapshot(small_folder) == before
    with (tmp_path / "out" / "grades.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["learner"], r["question"], r["outcome"]) for r in rows] == [("ana", q, "not reached") for q in Q02] + [("ben", "", "")]


def test_a_notebook_with_no_cells_needs_no_kernel(tmp_path):
    submissions = tmp_path / "subs"
    submissions.mkdir()
    nbformat.write(nbformat.v4.new_notebook(), submissions / "02_blank.ipynb")
    report = grade(submissions, tmp_path / "out", jobs=1, timeout=5, progress=lambda _: None)
    assert [(f["learner"], f["status"]) for f in report.files] == [("02_blank", "a notebook with no cells")]
    assert {r.outcome for r in report.rows} == {"not reached"}
