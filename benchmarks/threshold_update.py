"""Benchmark: one threshold-explorer update on 1,000,000 scores (lesson 02).

Measures, as the median over repeated updates:
- the explorer's full update (new counts by binary search, the metrics, and the redrawn curves),
- the metric part alone,
- the same metrics done the naive way: scikit-learn's confusion_matrix recomputed from the arrays.

Run: .venv/bin/python benchmarks/threshold_update.py
"""

from __future__ import annotations

import statistics
import time

import numpy as np
from sklearn.metrics import confusion_matrix

from aipm_course.scenarios import card_fraud
from aipm_course.widgets import ThresholdExplorer


def median_ms(action, values, repeat: int) -> float:
    times = []
    for i in range(repeat):
        value = values[i % len(values)]
        start = time.perf_counter()
        action(value)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    data = card_fraud(seed=0, n=1_000_000)
    explorer = ThresholdExplorer("card_fraud", scenarios={"card_fraud": data})
    values = list(np.geomspace(1e-3, 0.5, 25))

    def full_update(value):
        explorer.threshold.value = value

    def metric_part(value):
        counts = explorer.sorted.counts_at(value)
        return counts.precision, counts.recall

    def naive(value):
        tn, fp, fn, tp = confusion_matrix(data.y_true, data.scores >= value, labels=[0, 1]).ravel()
        return tp / max(tp + fp, 1), tp / max(tp + fn, 1)

    full = median_ms(full_update, values, 60)
    fast = median_ms(metric_part, values, 200)
    slow = median_ms(naive, values, 15)
    print(f"scores: {data.size:,}")
    print(f"explorer update (metrics + redrawn curves), median: {full:.2f} ms  (target < 50 ms)")
    print(f"metric part, median: {fast:.4f} ms")
    print(f"naive scikit-learn confusion_matrix, median: {slow:.1f} ms")
    print(f"metric part is {slow / fast:,.0f}x faster than the naive way (target >= 20x)")


if __name__ == "__main__":
    main()
