"""Grade a folder of submitted exercise notebooks (instructors' guide, "Grading").

``aipm grade SUBMISSIONS --out REPORT [--roster FILE]``:

1. **Find** every file under SUBMISSIONS (one folder per learner). Notebooks are graded; anything
   else (an .html or .py export, a zip, a link) is listed in the report as not graded, never dropped.
   When a learner handed in the same module twice, the newest is graded and the others are listed.
2. **Copy** every notebook's bytes into a private scratch folder before any code runs, so nothing a
   submission does can change another's.
3. **Run** each copy in a child process, in a bubblewrap sandbox when one is available (no network,
   only its scratch folder writable, nothing else of the machine's files visible but the kit and
   Python), every cell with errors allowed: a cell that fails is "error" for its question, and the
   questions after it are still graded.
4. **Judge again.** Each check records the learner's answer. The grader judges every recorded answer
   itself, against the questions it builds from the learner's assigned seed and scenario (the
   roster's, else the notebook's parameters). The outcome counted is the grader's; where the notebook
   showed another, the report flags it. An outcome with no answer the grader can check is
   "unverified" and never counted correct.
5. **Report**: grades.csv, gradebook.csv, summary.html and one feedback file per learner.

The submissions folder is only read, never written.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .. import validation
from . import model
from .model import FileResult, Finding, GradeRun, QuestionResult
from .roster import RosterEntry, read_roster

__all__ = ["GradeReport", "Submission", "find_submissions", "grade", "read_submission", "GradingError"]


class GradingError(validation.AipmError):
    """Grading cannot start: the message says which argument and what is allowed."""


@dataclasses.dataclass(frozen=True)
class Submission:
    """One notebook to grade: whose, which module, where."""

    learner: str
    module: str
    path: Path
    relative: str
    mtime: float


@dataclasses.dataclass
class GradeReport:
    run: GradeRun
    paths: dict[str, Path]
    seconds: float

    @property
    def results(self) -> list[QuestionResult]:
        return self.run.results

    @property
    def files(self) -> list[FileResult]:
        return self.run.files

    def __str__(self) -> str:
        files = self.run.files
        stopped = sum(1 for f in files if f.status != "ran")
        with_errors = sum(1 for f in files if f.status == "ran" and f.errors)
        flagged = sum(1 for r in self.run.results if r.flagged)
        learners = len({f.learner for f in files})
        lines = [
            f"Graded {len(files)} notebook(s) from {learners} learner(s) in {self.seconds:.1f} s: "
            f"{stopped} stopped early or could not run, {with_errors} ran with cells that raised errors; "
            f"{flagged} outcome(s) flagged; {len(self.run.findings)} note(s) on what was not graded or needs a look.",
            self.run.isolation,
        ]
        lines += [f"{name}: {path}" for name, path in self.paths.items() if "/" not in name]
        return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Finding the submissions
# --------------------------------------------------------------------------------------------


def _learner_of(relative: Path) -> str:
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def find_submissions(submissions: str | Path) -> tuple[list[Submission], list[Finding]]:
    """Every notebook under the submissions folder (checkpoint copies skipped, links not followed) and a finding for
    every other file: not a notebook, a link, no module number in its name."""
    if not isinstance(submissions, (str, os.PathLike)) or isinstance(submissions, bytes) or not Path(submissions).is_dir():
        raise validation.fail("submissions", submissions, "a folder of submitted notebooks, one sub-folder per learner", GradingError)
    root = Path(submissions)
    notebooks: list[Submission] = []
    findings: list[Finding] = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        here = Path(folder)
        for name in list(dirs):
            if name == ".ipynb_checkpoints":
                dirs.remove(name)
            elif (here / name).is_symlink():
                relative = (here / name).relative_to(root)
                findings.append(Finding("link", _learner_of(relative), "a link to a folder; links are not followed", relative.as_posix()))
        for name in sorted(files):
            path = here / name
            relative = path.relative_to(root)
            learner = _learner_of(relative)
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode):
                findings.append(Finding("link", learner, "a link, not a file; links are not followed or read", relative.as_posix()))
            elif not stat.S_ISREG(info.st_mode):
                findings.append(Finding("not a notebook", learner, "not a regular file", relative.as_posix()))
            elif not name.endswith(".ipynb"):
                findings.append(Finding("not a notebook", learner, f"a {path.suffix or 'file without extension'} file, not a notebook: not graded", relative.as_posix()))
            elif len(relative.parts) == 1:
                findings.append(Finding("not in a learner's folder", learner, "a notebook directly in the submissions folder: "
                                        "put it in a folder named after its learner (submissions/<learner>/...) to grade it", relative.as_posix()))
            elif not (name[:2].isdigit() and name[2:3] in ("_", "-", ".", " ")):
                findings.append(Finding("not an exercise", learner, "a notebook whose name does not start with a module number (e.g. 02_...): not graded", relative.as_posix()))
            else:
                notebooks.append(Submission(learner, name[:2], path, relative.as_posix(), info.st_mtime))
    notebooks.sort(key=lambda s: s.relative)
    findings.sort(key=lambda f: f.file)
    return notebooks, findings


def _newest_per_module(notebooks: list[Submission]) -> tuple[list[Submission], list[Finding]]:
    """One notebook per learner and module: the newest; the others become findings."""
    chosen: dict[tuple[str, str], list[Submission]] = {}
    for item in notebooks:
        chosen.setdefault((item.learner, item.module), []).append(item)
    keep, findings = [], []
    for group in chosen.values():
        group.sort(key=lambda s: (s.mtime, s.relative), reverse=True)
        keep.append(group[0])
        for other in group[1:]:
            findings.append(Finding("duplicate", other.learner, f"module {other.module} handed in more than once; graded the newest, {group[0].relative}", other.relative))
    keep.sort(key=lambda s: s.relative)
    return keep, findings


def read_submission(path: Path):
    """Return (problem, notebook): a problem in words for a file that is not a runnable notebook,
    else (None, the notebook)."""
    import nbformat

    if not isinstance(path, (str, os.PathLike)) or isinstance(path, bytes) or not Path(path).is_file():
        raise validation.fail("path", path, "the path of a submitted notebook file", GradingError)
    raw = Path(path).read_bytes()
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


# --------------------------------------------------------------------------------------------
# Running one notebook
# --------------------------------------------------------------------------------------------


def _run_child(notebook: Path, scratch: Path, timeout: float, bwrap: str | None) -> dict:
    """Run the child on one notebook copy; return what it printed, parsed (kept even when stopped)."""
    from . import run, sandbox

    env = sandbox.child_env(scratch)
    command = [sys.executable, "-m", "aipm_course.grading", str(notebook), str(timeout)]
    if bwrap:
        command = sandbox.wrap(command, scratch=scratch, env=env)
    deadline = timeout * 3 + 60  # the child stops a long cell itself; this catches a stuck child
    with tempfile.TemporaryFile() as out_file:
        child = subprocess.Popen(command, cwd=scratch, env=env, stdin=subprocess.DEVNULL, stdout=out_file,
                                 stderr=subprocess.DEVNULL, start_new_session=True)
        stopped = None
        try:
            child.wait(timeout=deadline)
        except subprocess.TimeoutExpired:
            stopped = f"timed out: stopped after {deadline:g} s in all"
        finally:
            try:
                os.killpg(child.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            child.wait()
        out_file.seek(0)
        text = out_file.read(run.MAX_LINE * 4).decode("utf-8", "replace")
    parsed = run.parse_child_output(text)
    if stopped:
        parsed["status"] = stopped
    elif parsed["status"] is None:
        parsed["status"] = "could not be graded: the run ended without saying how (the notebook may have ended Python)"
    return parsed


def _run_one(item: Submission, copy: Path, timeout: float, bwrap: str | None) -> dict:
    began = time.perf_counter()
    try:
        problem, nb = read_submission(copy)
        if problem:
            result = {"status": problem, "cells": {}, "nb": None}
        else:
            result = _run_child(copy, copy.parent, timeout, bwrap)
            result["nb"] = nb
    except Exception as exc:  # noqa: BLE001 - one bad submission never stops the others
        result = {"status": f"could not be graded: {type(exc).__name__}: {exc}", "cells": {}, "nb": None}
    result["seconds"] = time.perf_counter() - began
    return result


# --------------------------------------------------------------------------------------------
# From what ran to results
# --------------------------------------------------------------------------------------------


def _assignment(item: Submission, nb, entry: RosterEntry | None) -> tuple[Any, Any, list[str]]:
    """The (seed, scenario) to judge against, and flags when the notebook's own differ."""
    from . import run

    stated = run.stated_parameters(nb) if nb is not None else {}
    seed, scenario = stated.get("seed", 0), stated.get("scenario", "default")
    flags = []
    if entry is not None and entry.assigned:
        if (seed, scenario) != (entry.seed, entry.scenario):
            flags.append(f"assignment differs: the notebook uses seed {seed}, scenario {scenario}; "
                         f"the roster assigns seed {entry.seed}, scenario {entry.scenario} (answers judged against the roster's)")
        return entry.seed, entry.scenario, flags
    return seed, scenario, flags


def _last_checks(module: str, result: dict, nb) -> tuple[dict[str, dict], dict[str, str], list[str], list[str]]:
    """Per question, the last check shown; per question, the first error in its cells; every error; and flags."""
    from . import run

    owner = run.question_of_cells(nb) if nb is not None else []
    checks: dict[str, dict] = {}
    errors: dict[str, str] = {}
    every: list[str] = []
    flags: list[str] = []
    setup_error = None
    for index in sorted(result["cells"]):
        cell = result["cells"][index]
        question = owner[index] if index < len(owner) else None
        if cell["error"]:
            where = f"question {question[1:]}" if question else "the setup"
            text = f"in {where} (cell {index + 1} from the top), {cell['error']}"
            every.append(text)
            if question is None:
                setup_error = setup_error or text
            else:
                errors.setdefault(question, text)
        for check in cell["checks"]:
            if str(check.get("module", "")) != module or not isinstance(check.get("question"), str):
                flags.append("a check for another module or question was shown and ignored")
                continue
            checks[check["question"]] = check
    if setup_error:
        errors["setup"] = setup_error
    return checks, errors, every, sorted(set(flags))


def _judge_file(item: Submission, result: dict, entry: RosterEntry | None, team: str) -> tuple[list[QuestionResult], FileResult]:
    from ..exercises import MODULES, question_ids
    from . import rejudge, run

    nb = result.get("nb")
    seed, scenario, flags = _assignment(item, nb, entry)
    checks, errors, every_error, more_flags = _last_checks(item.module, result, nb)
    flags += more_flags
    results = []
    functions = []
    if item.module not in MODULES:
        flags.append(f"module {item.module} is not one of the kit's modules: not graded")
    for qid in question_ids(item.module) if item.module in MODULES else []:
        base = dict(learner=item.learner, module=item.module, question=qid, title=rejudge.title(item.module, qid),
                    seed=str(seed), scenario=str(scenario), file=item.relative, team=team)
        check = checks.get(qid)
        if check is None:
            results.append(_unchecked(base, qid, errors, result["status"]))
            continue
        judged = _rejudged(base, check, functions)
        results.append(judged)
    results = _finish_functions(results, functions)
    results = [_with_hint(r) for r in results]
    if any(flag.startswith("assignment differs") for flag in flags):
        used = run.stated_parameters(nb) if nb is not None else {}
        results = [_reassigned(r, used) for r in results]
    file = FileResult(item.learner, item.relative, item.module, result["status"], result.get("seconds", 0.0),
                      str(seed), str(scenario), tuple(every_error), tuple(flags))
    return results, file


def _reassigned(result: QuestionResult, used: dict) -> QuestionResult:
    """A result judged against the roster's parameters, not the notebook's: not a sign of tampering."""
    if not result.verification.startswith((model.AGREES, model.DIFFERS)):
        return result
    ran = f"seed {used.get('seed', 0)}, scenario {used.get('scenario', 'default')}"
    return dataclasses.replace(result, verification=f"{model.REASSIGNED}: the notebook ran with {ran} and showed '{result.shown or result.outcome}'")


def _unchecked(base: dict, qid: str, errors: dict[str, str], status: str) -> QuestionResult:
    if qid in errors:
        return QuestionResult(**base, outcome=model.ERROR, message=f"A cell raised an error {errors[qid]}")
    if "setup" in errors:
        return QuestionResult(**base, outcome=model.ERROR, message=f"This check could not run: a cell raised an error {errors['setup']}")
    why = "" if status == "ran" else f" ({status})"
    return QuestionResult(**base, outcome=model.NOT_REACHED, message=f"Its check never ran{why}.")


# The only answers that are objects grading cannot record: the notebook's own outcome is shown for
# them, marked "not re-judged". Any other object recorded (a forged record, say) is unverified.
OBJECT_ANSWERS = {("07", "q12"): "aipm_course.portfolio.PortfolioReport"}


def _rejudged(base: dict, check: dict, functions: list) -> QuestionResult:
    """Judge the recorded answer again; functions are collected to run together, in a sandbox."""
    from . import rejudge

    shown = str(check.get("outcome", ""))
    record = check.get("answer") if isinstance(check.get("answer"), dict) else {}
    kind = record.get("kind")
    module, qid = base["module"], base["question"]
    if kind == "none":
        return QuestionResult(**base, outcome=model.NOT_ATTEMPTED, message="The placeholder ___ was still there.",
                              verification=model.AGREES if shown == model.NOT_ATTEMPTED else model.DIFFERS, shown=shown)
    if kind not in rejudge.expected_kinds(module, qid):
        what = f"an answer of kind {kind!r}" if kind else "no answer"
        return QuestionResult(**base, outcome=model.UNVERIFIED, shown=shown,
                              message=f"The notebook showed '{shown}', but recorded {what} this question could have: not counted.",
                              verification=f"{model.NOT_REJUDGED}: {what} recorded")
    if kind == "function":
        functions.append((len(functions), base, record, shown))
        return QuestionResult(**base, outcome="pending", message="", shown=shown)
    if kind == "object" and OBJECT_ANSWERS.get((module, qid)) != record.get("type"):
        return QuestionResult(**base, outcome=model.UNVERIFIED, shown=shown,
                              message=f"The notebook showed '{shown}' for an answer grading cannot record or check: not counted.",
                              verification=f"{model.NOT_REJUDGED}: an object of type {str(record.get('type'))[:80]!r} recorded")
    if kind == "object":
        return QuestionResult(**base, outcome=shown if shown in model.OUTCOMES else model.UNVERIFIED,
                              message=" ".join(str(check.get("message", "")).split())[:500], shown=shown,
                              verification=f"{model.NOT_REJUDGED}: the answer ({record.get('type', 'an object')}) cannot be recorded; the outcome is the notebook's")
    try:
        outcome, message, details = rejudge.rejudge_value(module, qid, int(base["seed"]), base["scenario"], record)
    except rejudge.NotRejudged as exc:
        return QuestionResult(**base, outcome=model.UNVERIFIED, shown=shown, message=f"Not counted: {exc}",
                              verification=f"{model.NOT_REJUDGED}: {exc}")
    return _compared(base, outcome, message, tuple(details), shown)


def _compared(base: dict, outcome: str, message: str, details: tuple, shown: str) -> QuestionResult:
    verification = model.AGREES if outcome == shown else f"{model.DIFFERS}: the notebook showed '{shown}'"
    return QuestionResult(**base, outcome=outcome, message=message, details=details, shown="" if outcome == shown else shown,
                          verification=verification)


def _finish_functions(results: list[QuestionResult], functions: list) -> list[QuestionResult]:
    """Re-run one learner's recorded function answers in one sandboxed process, then judge here what
    each returned (so nothing the learner's code did in that process can change the verdict)."""
    from . import rejudge

    if not functions:
        return results
    items = [dict(module=b["module"], question=b["question"], seed=int(b["seed"]), scenario=b["scenario"], record=r)
             for _, b, r, _ in functions]
    answers = [rejudge.confirm_function(item, answer) for item, answer in zip(items, _rejudge_functions(items))]
    finished = {}
    for (index, base, _, shown), answer in zip(functions, answers):
        if answer.get("status") == "re-judged":
            finished[base["question"]] = _compared(base, answer["outcome"], answer.get("message", ""), tuple(answer.get("details", ())), shown)
        else:
            reason = answer.get("reason", "it could not be run again")
            finished[base["question"]] = QuestionResult(
                **base, outcome=model.UNVERIFIED, shown=shown,
                message=f"The function could not be run again on its own ({reason}), so the notebook's '{shown}' was not counted. "
                "It is run with the functions, plain values and modules it uses from the notebook; anything else it "
                "needs must be defined inside it.",
                verification=f"{model.NOT_REJUDGED}: {reason}")
    return [finished.get(r.question, r) if r.outcome == "pending" else r for r in results]


_BWRAP: str | None = None


def _rejudge_functions(items: list[dict]) -> list[dict]:
    """Run ``python -m aipm_course.grading.rejudge`` on the items, in the sandbox when one is used."""
    from . import sandbox

    failed = [{"status": "not re-judged", "reason": "the re-run did not finish"}] * len(items)
    with tempfile.TemporaryDirectory(prefix="aipm-rejudge-") as scratch:
        scratch_path = Path(scratch)
        env = sandbox.child_env(scratch_path)
        command = [sys.executable, "-m", "aipm_course.grading.rejudge"]
        if _BWRAP:
            command = sandbox.wrap(command, scratch=scratch_path, env=env)
        try:
            done = subprocess.run(command, input=json.dumps(items), capture_output=True, text=True, env=env,
                                  cwd=scratch, timeout=60 + 10 * len(items), start_new_session=True)
            answers = json.loads(done.stdout.strip().splitlines()[-1]) if done.stdout.strip() else None
        except (subprocess.TimeoutExpired, ValueError, IndexError):
            answers = None
    if not isinstance(answers, list) or len(answers) != len(items) or not all(isinstance(a, dict) for a in answers):
        return failed
    return answers


def _with_hint(result: QuestionResult) -> QuestionResult:
    from . import rejudge

    if result.outcome == model.CORRECT or not result.seed.lstrip("-").isdigit():
        return result
    try:
        hint = rejudge.first_hint(result.module, result.question, int(result.seed), result.scenario)
    except Exception:  # noqa: BLE001 - a hint is a courtesy; its absence never stops a report
        hint = ""
    return dataclasses.replace(result, hint=hint)


def _missing_results(entry: RosterEntry, module: str) -> list[QuestionResult]:
    from ..exercises import question_ids
    from . import rejudge

    seed = "" if entry.seed is None else str(entry.seed)
    return [QuestionResult(entry.learner, module, qid, rejudge.title(module, qid), model.MISSING,
                           f"No notebook for module {module} was handed in.", seed=seed, scenario=entry.scenario or "", team=entry.team)
            for qid in question_ids(module)]


# --------------------------------------------------------------------------------------------
# The whole folder
# --------------------------------------------------------------------------------------------


def _check_arguments(submissions, out, timeout, jobs, sandbox_mode) -> tuple[Path, Path, float, int]:
    from . import sandbox

    if not isinstance(submissions, (str, os.PathLike)) or isinstance(submissions, bytes):
        raise validation.fail("submissions", submissions, "a folder of submitted notebooks, one sub-folder per learner", GradingError)
    if not Path(submissions).is_dir():
        raise GradingError(f"submissions must be a folder of submitted notebooks, one sub-folder per learner, got {str(submissions)!r}: "
                           f"{'it is a file' if Path(submissions).exists() else 'there is no such folder'}")
    if not isinstance(out, (str, os.PathLike)) or isinstance(out, bytes):
        raise validation.fail("out", out, "a folder for the reports (a path as text or a Path)", GradingError)
    root, target = Path(submissions).resolve(), Path(out).resolve()
    if target == root or root in target.parents:
        raise GradingError(f"out must be outside the submissions folder (grading never writes there), got {validation.show(str(out))}")
    if target.exists() and not target.is_dir():
        raise GradingError(f"out must be a folder, got {validation.show(str(out))}: it is a file")
    if target.is_dir() and any(target.iterdir()):
        raise GradingError(f"out must be a new or empty folder (so no report of an earlier run is mixed with this one), "
                           f"got {validation.show(str(out))}, which holds files. Choose another folder, e.g. {target.name}-2")
    timeout = validation.real("timeout", timeout, low=1, high=3600, allowed="a number of seconds from 1 to 3600", error=GradingError)
    jobs = max(1, os.cpu_count() or 1) if jobs is None else validation.count("jobs", jobs, minimum=1, maximum=64, error=GradingError)
    validation.one_of("sandbox", sandbox_mode, ("auto", "on", "off"), error=GradingError)
    if sandbox_mode == "on" and not sandbox.available():
        raise GradingError("sandbox is 'on', but bubblewrap (bwrap) is not installed or cannot run here. "
                           "On Debian/Ubuntu: sudo apt install bubblewrap; or grade with --no-sandbox on a machine where the code can do no harm")
    return root, target, timeout, jobs


def grade(
    submissions: str | Path,
    out: str | Path,
    jobs: int | None = None,
    timeout: float = 300,
    progress: Callable[[str], Any] | None = None,
    roster: str | Path | None = None,
    sandbox: str = "auto",
) -> GradeReport:
    """Grade every notebook under ``submissions``; write the reports to ``out`` (see the module's description).

    ``sandbox``: "auto" (bubblewrap when available), "on" (refuse to run without it) or "off"."""
    global _BWRAP
    from . import report, sandbox as sandboxing

    root, target, timeout, jobs = _check_arguments(submissions, out, timeout, jobs, sandbox)
    entries = {e.learner: e for e in read_roster(roster)} if roster is not None else None
    bwrap = sandboxing.available() if sandbox != "off" else None
    _BWRAP = bwrap
    say = progress or (lambda text: print(text, file=sys.stderr, flush=True))
    start = time.perf_counter()
    notebooks, findings = find_submissions(root)
    notebooks, duplicates = _newest_per_module(notebooks)
    findings += duplicates
    say(f"Grading {len(notebooks)} notebook(s) with {jobs} at a time, at most {timeout:g} s a cell. {sandboxing.describe(bwrap)}")
    results = _run_all(notebooks, timeout, jobs, bwrap, say)
    run = _collect(notebooks, results, findings, entries, sandboxing.describe(bwrap))
    run.seconds = time.perf_counter() - start
    target.mkdir(parents=True, exist_ok=True)
    paths = report.write_reports(run, target)
    return GradeReport(run, paths, time.perf_counter() - start)


def _run_all(notebooks: list[Submission], timeout: float, jobs: int, bwrap: str | None, say) -> dict[str, dict]:
    """Copy every notebook into private scratch folders first, then run them, ``jobs`` at a time."""
    results: dict[str, dict] = {}
    base = Path(tempfile.mkdtemp(prefix="aipm-grade-"))
    try:
        os.chmod(base, 0o700)
        copies = {}
        for number, item in enumerate(notebooks):
            scratch = base / f"{number:05d}"
            scratch.mkdir()
            copies[item.relative] = scratch / "submission.ipynb"
            with open(item.path, "rb") as source:  # opened without following a link: find_submissions skipped links
                copies[item.relative].write_bytes(source.read())
        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
            started = {pool.submit(_run_one, item, copies[item.relative], timeout, bwrap): item for item in notebooks}
            for done, future in enumerate(concurrent.futures.as_completed(started), start=1):
                item = started[future]
                results[item.relative] = future.result()
                say(f"[{done:>3}/{len(notebooks)}] {item.relative}: {results[item.relative]['status']} "
                    f"({results[item.relative]['seconds']:.1f} s)")
    finally:
        shutil.rmtree(base, ignore_errors=True)
    return results


def _collect(notebooks, results, findings, entries, isolation) -> GradeRun:
    """Judge every notebook's recorded answers, add the roster's findings, and order everything."""
    all_results: list[QuestionResult] = []
    files: list[FileResult] = []
    learners = sorted({n.learner for n in notebooks} | {f.learner for f in findings} | set(entries or {}))
    modules = {n.module for n in notebooks}
    with _no_progress():
        for item in notebooks:
            entry = entries.get(item.learner) if entries is not None else None
            team = entry.team if entry else ""
            judged, file = _judge_file(item, results[item.relative], entry, team)
            all_results += judged
            files.append(file)
            for flag in file.flags:
                if flag.startswith("assignment differs"):
                    findings.append(Finding("assignment differs", item.learner, flag, item.relative))
        if entries is not None:
            findings += _roster_findings(notebooks, entries, list(findings))
            all_results += _missing_modules(notebooks, entries)
            for entry in entries.values():
                modules |= set(entry.modules)
    from ..exercises import MODULES

    module_list = [m for m in MODULES if m in modules] + sorted(m for m in modules if m not in MODULES)
    return GradeRun(all_results, files, findings, isolation, roster=[dataclasses.asdict(e) for e in entries.values()] if entries else None,
                    learners=learners, modules=module_list)


def _missing_modules(notebooks, entries: dict[str, RosterEntry]) -> list[QuestionResult]:
    """A "missing" result for every question of every module the roster assigns and nobody handed in."""
    handed = {(item.learner, item.module) for item in notebooks}
    return [result for entry in entries.values() for module in entry.modules if (entry.learner, module) not in handed
            for result in _missing_results(entry, module)]


def _roster_findings(notebooks, entries: dict[str, RosterEntry], others: list[Finding]) -> list[Finding]:
    """What the roster shows: who is not on it, who handed in nothing (or only exports), which modules are missing."""
    handed = {}
    for item in notebooks:
        handed.setdefault(item.learner, set()).add(item.module)
    other_files = {}
    for finding in others:
        if finding.file:
            other_files.setdefault(finding.learner, []).append(Path(finding.file).name)
    by_case = {}
    for name in [*entries, *handed, *other_files]:
        by_case.setdefault(name.casefold(), set()).add(name)
    findings = []
    for learner in sorted(set(handed) | set(other_files)):
        if learner not in entries:
            findings.append(Finding("not on the roster", learner, "this folder's name is not on the roster" + _did_you_mean(learner, by_case)))
    for entry in entries.values():
        if entry.learner not in handed and entry.learner in other_files:
            names = ", ".join(sorted(other_files[entry.learner])[:5])
            findings.append(Finding("missing learner", entry.learner, f"on the roster, but handed in no exercise notebook, only: {names}. Ask for the .ipynb files"))
        elif entry.learner not in handed:
            findings.append(Finding("missing learner", entry.learner, "on the roster, but handed in nothing" + _did_you_mean(entry.learner, by_case)))
        for module in entry.modules:
            if module not in handed.get(entry.learner, set()):
                if entry.learner in handed:
                    findings.append(Finding("missing module", entry.learner, f"module {module} is assigned but was not handed in"))
    return findings


def _did_you_mean(name: str, by_case: dict[str, set[str]]) -> str:
    others = sorted(by_case.get(name.casefold(), set()) - {name})
    return f" (a folder or roster name differs only in capitals: {', '.join(others)}; names must match exactly)" if others else ""


class _no_progress:
    """Judging again never records progress anywhere (the grader's own environment included)."""

    def __enter__(self):
        self.saved = os.environ.get("AIPM_PROGRESS")
        os.environ["AIPM_PROGRESS"] = "0"

    def __exit__(self, *exc):
        if self.saved is None:
            os.environ.pop("AIPM_PROGRESS", None)
        else:
            os.environ["AIPM_PROGRESS"] = self.saved
