"""Grade a folder of submitted exercise notebooks (instructors' guide).

Every notebook runs in a fresh kernel, in its own temporary copy and work folder, in a separate
process with a time limit; several run at once. Each check's outcome is collected from the executed
notebook. The submissions folder is only read, never written.

Grading runs the learners' code. It is not a sandbox: run it on a machine (or in a container) where
that code can do no harm.
"""

from __future__ import annotations

import collections
import concurrent.futures
import csv
import dataclasses
import html
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import validation

__all__ = ["GradeRow", "GradeReport", "find_submissions", "grade", "grade_one"]

CSV_COLUMNS = ("learner", "file", "module", "question", "title", "outcome", "message", "seed", "scenario", "status")


@dataclasses.dataclass(frozen=True)
class GradeRow:
    learner: str
    file: str
    module: str
    question: str
    title: str
    outcome: str
    message: str
    seed: str
    scenario: str
    status: str


@dataclasses.dataclass
class GradeReport:
    rows: list[GradeRow]
    files: list[dict]
    csv_path: Path
    html_path: Path
    seconds: float

    def __str__(self) -> str:
        problems = sum(1 for f in self.files if f["status"] != "ran")
        return (
            f"Graded {len(self.files)} notebook(s) in {self.seconds:.1f} s; {problems} could not be run to the end.\n"
            f"CSV: {self.csv_path}\nSummary: {self.html_path}"
        )


def find_submissions(root: Path) -> list[Path]:
    """Every .ipynb under root, except Jupyter's checkpoint copies, in a stable order."""
    if not isinstance(root, (str, os.PathLike)) or not Path(root).is_dir():
        raise validation.fail("root", root, "a folder of submitted notebooks (a path as text or a Path)")
    root = Path(root)
    return sorted(p for p in root.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts and p.is_file())


def _learner_and_module(path: Path, root: Path) -> tuple[str, str]:
    relative = path.relative_to(root)
    learner = relative.parent.as_posix() if relative.parent != Path(".") else path.stem
    module = path.name[:2] if path.name[:2].isdigit() else ""
    return learner, module


# --------------------------------------------------------------------------------------------
# One notebook, in its own process (so a runaway kernel can be stopped with everything it started)
# --------------------------------------------------------------------------------------------


def read_submission(path: Path):
    """Return (problem, notebook): a problem in words for a file that is not a runnable notebook,
    else (None, the notebook)."""
    import nbformat

    raw = path.read_bytes()
    if not raw.strip():
        return "empty file", None
    try:
        nb = nbformat.reads(raw.decode("utf-8"), as_version=4)
    except UnicodeDecodeError:
        return "not a notebook: the file is not UTF-8 text", None
    except Exception as exc:  # noqa: BLE001 - any unreadable file becomes a row, not a crash
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"not a valid notebook: {first[:160]}", None
    if not nb.cells:
        return "a notebook with no cells", None
    return None, nb


def grade_one(notebook: str | Path, timeout: float) -> dict:
    """Run one notebook (already copied into a scratch folder) and return what its checks said.

    Runs in the current process; ``grade`` calls it in a separate process per notebook.
    """
    import nbformat
    import papermill

    from .checking import CHECK_MIME_TYPE

    notebook = Path(notebook)
    problem, nb = read_submission(notebook)
    if problem:
        return {"status": problem, "checks": []}
    nbformat.write(nb, notebook)  # normalised, so papermill reads what nbformat understood
    executed = notebook.with_name("executed.ipynb")
    status = "ran"
    try:
        papermill.execute_notebook(
            str(notebook), str(executed), cwd=str(notebook.parent), kernel_name="python3",
            progress_bar=False, log_output=False, execution_timeout=timeout,
            request_save_on_cell_execute=True,  # so checks that ran survive a time-out or a dead kernel
        )
    except papermill.PapermillExecutionError as exc:
        status = f"stopped at cell {exc.exec_count or exc.cell_index}: {exc.ename}: {str(exc.evalue)[:160]}"
    except Exception as exc:  # noqa: BLE001 - a dead kernel, a time-out, a broken kernel spec
        name = type(exc).__name__
        if "Timeout" in name or isinstance(exc, TimeoutError):
            status = f"timed out: a cell ran longer than {timeout:g} s"
        elif "DeadKernel" in name:
            status = "the kernel died (the notebook exited Python or crashed it)"
        else:
            status = f"could not be run: {name}: {str(exc)[:160]}"
    checks = []
    if executed.exists():
        try:
            done = nbformat.read(executed, as_version=4)
        except Exception:  # noqa: BLE001
            done = None
        for cell in done.cells if done is not None else []:
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                if CHECK_MIME_TYPE in data:
                    item = data[CHECK_MIME_TYPE]
                    checks.append(json.loads(item) if isinstance(item, str) else item)
    return {"status": status, "checks": checks}


def _run_isolated(source: Path, timeout: float) -> dict:
    """Copy one submission to a scratch folder and grade it in a child process with a deadline."""
    problem, _ = read_submission(source)  # reading only; files that cannot run need no kernel
    if problem:
        return {"status": problem, "checks": []}
    with tempfile.TemporaryDirectory(prefix="aipm-grade-") as scratch:
        copy = Path(scratch) / "submission.ipynb"
        shutil.copyfile(source, copy)
        env = dict(os.environ, AIPM_WORK_DIR=str(Path(scratch) / "work"), PYTHONDONTWRITEBYTECODE="1")
        command = [sys.executable, "-m", "aipm_course.grading", str(copy), str(timeout)]
        deadline = timeout * 3 + 60  # the child stops a long cell itself; this catches a stuck child
        child = subprocess.Popen(command, cwd=scratch, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        try:
            out, err = child.communicate(timeout=deadline)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.communicate()
            return {"status": f"timed out: stopped after {deadline:g} s", "checks": []}
        finally:
            try:  # the child and anything it started in its own process group (the kernel runs in a
                # session of its own, which the child's time-out handling shuts down)
                os.killpg(child.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        text = out.decode("utf-8", "replace").strip().splitlines()
        if child.returncode != 0 or not text:
            tail = err.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
            return {"status": f"could not be graded: {tail[0][:160]}", "checks": []}
        return json.loads(text[-1])


# --------------------------------------------------------------------------------------------
# The whole folder
# --------------------------------------------------------------------------------------------


def _rows_for(learner: str, file: str, module: str, result: dict) -> list[GradeRow]:
    from .exercises import MODULES, question_ids

    rows = []
    seen = set()
    for check in result["checks"]:
        params = check.get("parameters", {})
        seen.add(check.get("question"))
        rows.append(GradeRow(
            learner, file, check.get("module") or module, check.get("question", ""), check.get("title", ""),
            check.get("outcome", ""), " ".join(str(check.get("message", "")).split()), str(params.get("seed", "")),
            str(params.get("scenario", "")), result["status"],
        ))
    if module in MODULES:
        for qid in question_ids(module):
            if qid not in seen:  # a question whose check never ran: the notebook stopped before it
                rows.append(GradeRow(learner, file, module, qid, "", "not reached", "", "", "", result["status"]))
    if not rows:
        rows.append(GradeRow(learner, file, module, "", "", "", "", "", "", result["status"]))
    return rows


def grade(
    submissions: str | Path,
    out: str | Path,
    jobs: int | None = None,
    timeout: float = 300,
    progress: Callable[[str], Any] | None = None,
) -> GradeReport:
    """Grade every notebook under ``submissions``; write ``grades.csv`` and ``summary.html`` to ``out``."""
    root = Path(submissions).resolve()
    if not root.is_dir():
        raise ValueError(f"submissions must be a folder of notebooks, got {str(submissions)!r}")
    target = Path(out).resolve()
    if target == root or root in target.parents:
        raise ValueError(f"--out must be outside the submissions folder (grading never writes there), got {str(out)!r}")
    validation.real("timeout", timeout, low=1, high=3600, allowed="a number of seconds from 1 to 3600")
    if jobs is None:
        jobs = max(1, os.cpu_count() or 1)
    jobs = validation.count("jobs", jobs, minimum=1)
    say = progress or (lambda text: print(text, file=sys.stderr, flush=True))
    files = find_submissions(root)
    start = time.perf_counter()
    results: dict[Path, dict] = {}
    say(f"Grading {len(files)} notebook(s) with {jobs} at a time, at most {timeout:g} s a cell ...")
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        started = {pool.submit(_timed, path, timeout): path for path in files}
        for done, future in enumerate(concurrent.futures.as_completed(started), start=1):
            path = started[future]
            results[path] = future.result()
            checks = results[path]["checks"]
            right = sum(1 for c in checks if c.get("outcome") == "correct")
            say(f"[{done:>3}/{len(files)}] {path.relative_to(root)}: {right} of {len(checks)} checks correct; "
                f"{results[path]['status']} ({results[path]['seconds']:.1f} s)")
    rows: list[GradeRow] = []
    file_summaries = []
    for path in files:
        learner, module = _learner_and_module(path, root)
        file = path.relative_to(root).as_posix()
        result = results[path]
        rows.extend(_rows_for(learner, file, module, result))
        checks = result["checks"]
        file_summaries.append({
            "learner": learner, "file": file, "module": module, "status": result["status"],
            "correct": sum(1 for c in checks if c.get("outcome") == "correct"),
            "attempted": sum(1 for c in checks if c.get("outcome") in ("correct", "incorrect")),
            "checks": len(checks), "seconds": result["seconds"],
        })
    target.mkdir(parents=True, exist_ok=True)
    csv_path, html_path = target / "grades.csv", target / "summary.html"
    with csv_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        writer.writerows(dataclasses.astuple(row) for row in rows)
    html_path.write_text(_summary_html(rows, file_summaries), encoding="utf-8")
    return GradeReport(rows, file_summaries, csv_path, html_path, time.perf_counter() - start)


def _timed(path: Path, timeout: float) -> dict:
    began = time.perf_counter()
    try:
        result = _run_isolated(path, timeout)
    except Exception as exc:  # noqa: BLE001 - one bad submission never stops the others
        result = {"status": f"could not be graded: {type(exc).__name__}: {exc}", "checks": []}
    result["seconds"] = time.perf_counter() - began
    return result


def _summary_html(rows: list[GradeRow], files: list[dict]) -> str:
    e = html.escape
    cell = "padding:3px 8px;border-bottom:1px solid #ddd;text-align:left"
    learners = "".join(
        f"<tr><td style='{cell}'>{e(f['learner'])}</td><td style='{cell}'>{e(f['file'])}</td><td style='{cell}'>{f['correct']}</td>"
        f"<td style='{cell}'>{f['attempted']}</td><td style='{cell}'>{f['checks']}</td><td style='{cell}'>{e(f['status'])}</td></tr>"
        for f in files
    )
    by_question: dict[tuple[str, str], list[GradeRow]] = collections.defaultdict(list)
    for row in rows:
        if row.question:
            by_question[(row.module, row.question)].append(row)
    questions = []
    for (module, qid), group in sorted(by_question.items(), key=lambda kv: (kv[0][0], int(kv[0][1][1:]) if kv[0][1][1:].isdigit() else 0)):
        passed = sum(1 for r in group if r.outcome == "correct")
        wrong = collections.Counter(r.message for r in group if r.outcome == "incorrect")
        common = f"{e(wrong.most_common(1)[0][0])} ({wrong.most_common(1)[0][1]}×)" if wrong else ""
        title = next((r.title for r in group if r.title), "")
        questions.append(
            f"<tr><td style='{cell}'>{e(module)}</td><td style='{cell}'>{e(qid)}</td><td style='{cell}'>{e(title)}</td>"
            f"<td style='{cell}'>{passed} of {len(group)} ({passed / len(group):.0%})</td><td style='{cell}'>{common}</td></tr>"
        )
    head = "".join
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>Grades</title></head>"
        "<body style='font-family:sans-serif'><h1>Grades</h1>"
        f"<p>{len(files)} notebook(s). Grading ran each learner's code; it is not a sandbox.</p>"
        "<h2>Per learner and notebook</h2><table style='border-collapse:collapse'><tr>"
        + head(f"<th style='{cell}'>{h}</th>" for h in ("learner", "notebook", "correct", "attempted", "checks", "status"))
        + f"</tr>{learners}</table><h2>Per question</h2><table style='border-collapse:collapse'><tr>"
        + head(f"<th style='{cell}'>{h}</th>" for h in ("module", "question", "title", "passed", "most common wrong feedback"))
        + f"</tr>{''.join(questions)}</table></body></html>"
    )


if __name__ == "__main__":  # the child process of one submission: print its result as JSON
    print(json.dumps(grade_one(sys.argv[1], float(sys.argv[2]))))
