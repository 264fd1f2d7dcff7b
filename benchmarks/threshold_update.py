"""Benchmark: threshold-explorer updates on 1,000,000 scores (lesson 02).

Measures, as the median over repeated updates:
- a slider move: the explorer's full update (new counts by binary search, the confusion matrix,
  the metrics, and the charts with their markers and marker values redrawn); target < 50 ms;
- a cost edit: the same, plus the curves redrawn (the cost at every threshold, the cheapest one,
  the axes and their ticks), which happens when a cost or the scenario changes;
- the metric part alone, and the same metrics done the naive way: scikit-learn's
  confusion_matrix recomputed from the arrays (target: the metric part >= 20x faster).

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

    def cost_edit(value):
        explorer.cost_fp.value = float(value)

    def metric_part(value):
        counts = explorer.sorted.counts_at(value)
        return counts.precision, counts.recall

    def naive(value):
        tn, fp, fn, tp = confusion_matrix(data.y_true, data.scores >= value, labels=[0, 1]).ravel()
        return tp / max(tp + fp, 1), tp / max(tp + fn, 1)

    full = median_ms(full_update, values, 60)
    redraw = median_ms(cost_edit, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 24)
    fast = median_ms(metric_part, values, 200)
    slow = median_ms(naive, values, 15)
    print(f"scores: {data.size:,}")
    print(f"slider move: explorer update (metrics + charts with markers), median: {full:.2f} ms  (target < 50 ms)")
    print(f"cost edit: explorer update with the curves redrawn, median: {redraw:.2f} ms")
    print(f"metric part, median: {fast:.4f} ms")
    print(f"naive scikit-learn confusion_matrix, median: {slow:.1f} ms")
    print(f"metric part is {slow / fast:,.0f}x faster than the naive way (target >= 20x)")


if __name__ == "__main__":
    main()
