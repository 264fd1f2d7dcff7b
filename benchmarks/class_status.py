"""Benchmark: `aipm class status` over 500 learners' progress files (the live view of a lecture hall).

Builds 500 work folders in a temporary folder, each with a realistic progress file: modules 00 to 03
under way, most questions passed after one to four attempts, some stuck, some not started, a few
learners with no file or a damaged one. Then times the whole command (reading every file, the text
report and the HTML page), as the median of several runs, in this process.

Run: .venv/bin/python benchmarks/class_status.py [LEARNERS]
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from aipm_course import cli
from aipm_course.classroom import QUESTION_COUNTS

TARGET_SECONDS = 1.0


def _record(rng: random.Random, start: dt.datetime) -> dict:
    """One learner's progress: modules 00 to 03 worked through in order, stopping somewhere."""
    questions, clock = {}, start
    team_seed = rng.randint(1, 40)  # a learner works at the team's seed throughout
    reached = rng.randint(1, sum(QUESTION_COUNTS[m] for m in ("00", "01", "02", "03")))
    keys = [(m, f"q{n}") for m in ("00", "01", "02", "03") for n in range(1, QUESTION_COUNTS[m] + 1)][:reached]
    for index, (module, qid) in enumerate(keys):
        clock += dt.timedelta(minutes=rng.randint(1, 6))
        last = index == len(keys) - 1
        attempts = rng.randint(1, 4)
        passed = not last or rng.random() < 0.5
        first = clock
        clock += dt.timedelta(minutes=attempts - 1)
        questions[f"{module}.{qid}"] = {
            "module": module, "question": qid, "attempts": attempts, "passed": passed,
            "last_outcome": "correct" if passed else "incorrect",
            "first_checked": first.isoformat(timespec="seconds"), "last_checked": clock.isoformat(timespec="seconds"),
            "parameters": {"seed": team_seed, "scenario": "fintech_fraud"},
        }
    return {"version": 1, "questions": questions}


def build_room(base: Path, learners: int = 500, seed: int = 0) -> list[Path]:
    """Write ``learners`` work folders under base/home/<learner>/aipm-work and return them; about
    one in 50 has no progress file and one in 100 a damaged one."""
    rng = random.Random(seed)
    start = dt.datetime(2026, 12, 4, 9, 0, 0)
    folders = []
    for number in range(learners):
        work = base / "home" / f"learner{number:04d}" / "aipm-work"
        (work / ".aipm").mkdir(parents=True)
        folders.append(work)
        if number % 50 == 7:
            continue
        path = work / ".aipm" / "progress.json"
        if number % 100 == 13:
            path.write_text('{"questions": {', encoding="utf-8")
            continue
        path.write_text(json.dumps(_record(rng, start), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return folders


def time_status(folders: list[Path], html: Path, repeat: int = 5) -> float:
    """The median seconds of `aipm class status FOLDERS --html FILE` (output discarded)."""
    times = []
    for _ in range(repeat):
        begin = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            code = cli.main(["class", "status", *map(str, folders), "--html", str(html)])
        times.append(time.perf_counter() - begin)
        assert code == 0
    return statistics.median(times)


def main() -> None:
    learners = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    with tempfile.TemporaryDirectory(prefix="aipm-class-status-") as tmp:
        folders = build_room(Path(tmp), learners)
        size = sum(p.stat().st_size for p in Path(tmp).rglob("progress.json"))
        seconds = time_status(folders, Path(tmp) / "room.html")
    print(f"learners: {learners}, progress files: {size / 1e6:.1f} MB in all")
    print(f"aipm class status (text and HTML), median of 5: {seconds:.3f} s  (target < {TARGET_SECONDS:.0f} s)")


if __name__ == "__main__":
    main()
