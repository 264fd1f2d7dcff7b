"""Formulas written out again, independently of the package, for the tests to cross-check it."""

import math

from scipy import stats


def total_users(p1, p2, f):
    """Users in all (both arms) for a two-sided test of two proportions at α = 0.05 and power 0.8,
    with a share f on the new model; unrounded."""
    z_a, z_b = stats.norm.ppf(0.975), stats.norm.ppf(0.8)
    pooled = (1 - f) * p1 + f * p2
    null = z_a * math.sqrt(pooled * (1 - pooled) * (1 / (1 - f) + 1 / f))
    alt = z_b * math.sqrt(p1 * (1 - p1) / (1 - f) + p2 * (1 - p2) / f)
    return (null + alt) ** 2 / (p2 - p1) ** 2
