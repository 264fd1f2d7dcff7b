"""How much faster is `aipm grade` in parallel than one notebook at a time?

Generates 30 submissions (solved, half-solved and unanswered copies of exercise 00 and 03 with
different seeds), grades them with --jobs equal to the number of cores and with --jobs 1, and
prints both wall times and the speed-up. Run: python benchmarks/grade_benchmark.py [--count 30]
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
        if i % 5 == 4:  # some half answered: blank the last answer cell
            nb = nbformat.read(target, as_version=4)
            answers = [c for c in nb.cells if c.cell_type == "code" and ".check(" in c.source]
            answers[-1].source = answers[-1].source.split("\n")[-1].replace("check(", "check(___) #")
            nbformat.write(nb, target)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        submissions = Path(scratch) / "submissions"
        make_submissions(submissions, args.count)
        quiet = lambda text: None  # noqa: E731
        began = time.perf_counter()
        parallel = grade(submissions, Path(scratch) / "parallel", jobs=args.jobs, timeout=120, progress=quiet)
        parallel_s = time.perf_counter() - began
        began = time.perf_counter()
        serial = grade(submissions, Path(scratch) / "serial", jobs=1, timeout=120, progress=quiet)
        serial_s = time.perf_counter() - began
        shutil.rmtree(submissions)
    same = [(r.learner, r.question, r.outcome) for r in parallel.rows] == [(r.learner, r.question, r.outcome) for r in serial.rows]
    print(f"{args.count} submissions on {os.cpu_count()} cores")
    print(f"parallel (--jobs {args.jobs}): {parallel_s:.1f} s")
    print(f"one at a time (--jobs 1): {serial_s:.1f} s")
    print(f"speed-up: {serial_s / parallel_s:.2f}x; same grades both ways: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
