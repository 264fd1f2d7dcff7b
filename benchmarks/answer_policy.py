"""Measure the exercise checks against the answer policy, over modules 00–07 and many seeds.

Prints, over every scenario and seeds 0–99 (change with --seeds):
- the share of numeric answers, rounded to the precision the prompt states, that are accepted;
- the share of answers ten times too big or too small, and of percentages given for shares,
  that get a specific message (an order-of-magnitude, percentage or named-slip message, not the
  generic "not right yet");
- the share of numeric questions with at least three named slips;
- the share of choice questions whose right option is the longest (chance is 1/options);
- the longest function in aipm_course/exercises/.

Run: .venv/bin/python benchmarks/answer_policy.py [--seeds 100]
"""

from __future__ import annotations

import argparse
import ast
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
os.environ.setdefault("AIPM_WORK_DIR", tempfile.mkdtemp(prefix="aipm-bench-"))
os.environ["AIPM_PROGRESS"] = "0"

from policy_helpers import GENERIC, choice_questions, loaded, numeric_specs, right_is_longest, rounded_answer  # noqa: E402

from aipm_course.exercises import MODULES, load  # noqa: E402


def _specific(spec, value: float) -> bool | None:
    """True if a wrong value gets a specific message; None if the value is not wrong."""
    ok, message = spec.judge(value)
    return None if ok else GENERIC not in message


def numeric_measures(seeds: range) -> dict[str, tuple[int, int]]:
    counts = {name: [0, 0] for name in ("accepted", "factor of ten", "percent for share", "three slips")}
    for _, _, _, ex in loaded(seeds):
        for question in ex.questions:
            for _, spec in numeric_specs(question):
                counts["accepted"][0] += spec.judge(rounded_answer(spec))[0]
                counts["accepted"][1] += 1
                counts["three slips"][0] += len(spec.mistakes) >= 3
                counts["three slips"][1] += 1
                for value in (spec.expected * 10, spec.expected / 10):
                    verdict = _specific(spec, float(round(value)) if spec.whole else value)
                    if verdict is not None and spec.expected != 0:
                        counts["factor of ten"][0] += verdict
                        counts["factor of ten"][1] += 1
                if spec.fraction and spec.expected != 0:
                    verdict = _specific(spec, spec.expected * 100)
                    if verdict is not None:
                        counts["percent for share"][0] += verdict
                        counts["percent for share"][1] += 1
    return {name: tuple(pair) for name, pair in counts.items()}


def longest_function() -> tuple[str, int]:
    best = ("", 0)
    for path in sorted((ROOT / "aipm_course" / "exercises").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > best[1]:
                    best = (f"{path.name}:{node.name}", length)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=100)
    seeds = range(parser.parse_args().seeds)
    for name, (hits, total) in numeric_measures(seeds).items():
        print(f"{name:>20}: {hits:,} of {total:,} ({hits / max(total, 1):.1%})")
    questions = [q for module in MODULES for q in choice_questions(load(module, seed=0))]
    longest = sum(right_is_longest(q) for q in questions)
    chance = sum(1 / len(q.spec.options) for q in questions)
    print(f"{'right option longest':>20}: {longest} of {len(questions)} choice questions (chance {chance:.1f})")
    name, length = longest_function()
    print(f"{'longest function':>20}: {name}, {length} lines")


if __name__ == "__main__":
    main()
