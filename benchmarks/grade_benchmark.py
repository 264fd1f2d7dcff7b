"""How much faster is `aipm grade` in parallel than one notebook at a time, in the sandbox?

Generates 60 submissions, a realistic mix: solved, half-solved and unanswered copies of exercises
00 and 03 at different seeds, one with a typo (a NameError in one question) and one with an endless
loop. Grades them with --jobs equal to the number of cores and with --jobs 1, both in the
bubblewrap sandbox when it is available, and prints both wall times, the ratio and the seconds per
submission. Run: python benchmarks/grade_benchmark.py [--count 60] [--timeout 20]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import papermill

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aipm_course.grading import grade  # noqa: E402


def make_submissions(folder: Path, count: int) -> None:
    sources = [ROOT / "solutions" / "00_start_here.ipynb", ROOT / "solutions" / "03_uncertainty_budgets.ipynb", ROOT / "exercises" / "03_uncertainty_budgets.ipynb"]
    for i in range(count):
        source = sources[i % len(sources)]
        learner = folder / f"learner-{i + 1:02d}"
        learner.mkdir(parents=True)
        target = learner / source.name
        papermill.execute_notebook(str(source), str(target), parameters={"seed": i, "scenario": "default"}, prepare_only=True,
                                   progress_bar=False, log_output=False, kernel_name="python3")
        nb = nbformat.read(target, as_version=4)
        answers = [c for c in nb.cells if c.cell_type == "code" and ".check(" in c.source]
        if i % 5 == 4:  # some half answered: blank the last answer cell
            answers[-1].source = answers[-1].source.split("\n")[-1].replace("check(", "check(___) #")
        if i == 7:  # a typo: the first question's cell raises NameError
            answers[0].source = "undefined_name\n" + answers[0].source
        if i == 11:  # an endless loop in one question: stopped at the time limit, the rest still graded
            answers[1].source = "while True:\n    pass\n" + answers[1].source
        nbformat.write(nb, target)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=60)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--timeout", type=float, default=20, help="seconds a cell may run (the loop is stopped after this)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        submissions = Path(scratch) / "submissions"
        make_submissions(submissions, args.count)
        quiet = lambda text: None  # noqa: E731
        began = time.perf_counter()
        parallel = grade(submissions, Path(scratch) / "parallel", jobs=args.jobs, timeout=args.timeout, progress=quiet)
        parallel_s = time.perf_counter() - began
        began = time.perf_counter()
        serial = grade(submissions, Path(scratch) / "serial", jobs=1, timeout=args.timeout, progress=quiet)
        serial_s = time.perf_counter() - began
        shutil.rmtree(submissions)
    def outcomes(report):
        return sorted((r.learner, r.module, r.question, r.outcome) for r in report.results)

    same = outcomes(parallel) == outcomes(serial)
    print(f"{args.count} submissions on {os.cpu_count()} cores; {parallel.run.isolation}")
    print(f"parallel (--jobs {args.jobs}): {parallel_s:.1f} s, {parallel_s / args.count:.2f} s per submission")
    print(f"one at a time (--jobs 1): {serial_s:.1f} s, {serial_s / args.count:.2f} s per submission")
    print(f"ratio one-at-a-time / parallel: {serial_s / parallel_s:.2f}; same grades both ways: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
