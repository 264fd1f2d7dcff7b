"""Benchmark: the corrected pass rate's bootstrap interval (lesson 08).

Measures, as the median over repeated calls at n_boot 2000:
- ``corrected_pass_rate_interval`` on arrays: 280 judged traces and 120 labelled pairs (the size of
  the lesson's trace set); target < 50 ms;
- ``corrected_interval_from_counts`` on the same counts, as the lesson's widget calls it on every
  slider move; target < 20 ms;
- the array version on a larger set (2,800 judged, 1,200 labelled), for scale.

Run: .venv/bin/python benchmarks/evals_interval.py
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from aipm_course.evals import corrected_interval_from_counts, corrected_pass_rate_interval

N_BOOT = 2000


def median_ms(action, repeat: int) -> float:
    action()  # warm up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def study(n_judged: int, n_labelled: int, seed: int = 0):
    rng = np.random.default_rng(seed)

    def traces(n):
        human = rng.random(n) < 0.7
        return human, np.where(human, rng.random(n) < 0.93, rng.random(n) < 0.25)

    return traces(n_judged)[1], *traces(n_labelled)


def main() -> None:
    verdicts, human, judge = study(280, 120)
    counts = (int(verdicts.sum()), len(verdicts), int((human & judge).sum()), int((human & ~judge).sum()),
              int((~human & judge).sum()), int((~human & ~judge).sum()))
    big = study(2800, 1200)
    rows = [
        ("arrays, 280 judged + 120 labelled", lambda: corrected_pass_rate_interval(verdicts, human, judge, n_boot=N_BOOT), 50),
        ("counts, same data (widget)", lambda: corrected_interval_from_counts(*counts, n_boot=N_BOOT), 20),
        ("arrays, 2,800 judged + 1,200 labelled", lambda: corrected_pass_rate_interval(*big, n_boot=N_BOOT), None),
    ]
    print(f"Corrected pass-rate interval, n_boot {N_BOOT}, median of 30 calls")
    for label, action, target in rows:
        ms = median_ms(action, 30)
        verdict = "" if target is None else f"  (target < {target} ms: {'met' if ms < target else 'MISSED'})"
        print(f"  {label:<40} {ms:7.2f} ms{verdict}")
    print(corrected_pass_rate_interval(verdicts, human, judge, n_boot=N_BOOT).summary())


if __name__ == "__main__":
    main()
