"""Rollout planning (lesson 05): every number cross-checked against statsmodels, scipy, the
formulas in FACTS.md or a value worked by hand; plans checked as data."""

import copy
import math
import re

import numpy as np
import pytest
import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.proportion import proportions_ztest, samplesize_proportions_2indep_onetail

from aipm_course import rollout as r
from aipm_course.experiments import sequential_bounds


def statsmodels_per_arm(p1, p2, alpha=0.05, power=0.8, ratio=1.0):
    """nobs1 for the arm at prop1 = p2 (the new model); the other arm (prop2 = p1) has ratio·nobs1."""
    return samplesize_proportions_2indep_onetail(diff=p2 - p1, prop2=p1, power=power, ratio=ratio, alpha=alpha, alternative="two-sided")


def z(q):
    return stats.norm.ppf(q)


# --- sample size ------------------------------------------------------------------------------


@pytest.mark.parametrize("p1, p2, expected", [(0.10, 0.11, 14_751), (0.05, 0.06, 8_158), (0.30, 0.33, 3_763)])
def test_sample_size_per_arm_reference_values(p1, p2, expected):
    assert r.sample_size_per_arm(p1, p2) == expected
    # a 50/50 split needs exactly that in each arm
    split = r.sample_size(p1, p2, treatment_share=0.5)
    assert split.control == split.treatment == expected
    assert split.total == 2 * expected


def test_sample_size_per_arm_matches_the_formula_by_hand():
    p1, p2 = 0.10, 0.11
    pbar = (p1 + p2) / 2
    n = (z(0.975) * math.sqrt(2 * pbar * (1 - pbar)) + z(0.8) * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) ** 2 / (p2 - p1) ** 2
    assert r.sample_size_per_arm(p1, p2) == math.ceil(n)


SS_GRID = [
    (p1, p1 + d, alpha, power)
    for p1 in (0.07, 0.1, 0.3, 0.5, 0.6, 0.9)
    for d in (0.002, 0.01, -0.01, 0.05, -0.05)
    for alpha in (0.01, 0.05, 0.1)
    for power in (0.8, 0.9)
]


@pytest.mark.parametrize("p1, p2, alpha, power", SS_GRID)
def test_sample_size_per_arm_agrees_with_statsmodels(p1, p2, alpha, power):
    expected = math.ceil(statsmodels_per_arm(p1, p2, alpha, power))
    assert r.sample_size_per_arm(p1, p2, alpha=alpha, power=power) == expected


def test_sample_size_is_symmetric_in_direction_of_the_question():
    # detecting 10% -> 11% and 11% -> 10% needs the same per-arm sample (50/50)
    assert r.sample_size_per_arm(0.10, 0.11) == r.sample_size_per_arm(0.11, 0.10)


@pytest.mark.parametrize("f", [0.05, 0.2, 0.5])
@pytest.mark.parametrize("p1, p2", [(0.10, 0.11), (0.60, 0.58), (0.30, 0.33), (0.05, 0.06)])
def test_sample_size_with_a_treatment_share_agrees_with_statsmodels(f, p1, p2):
    ratio = (1 - f) / f
    nobs1 = statsmodels_per_arm(p1, p2, ratio=ratio)
    got = r.sample_size(p1, p2, treatment_share=f)
    assert got.treatment == math.ceil(nobs1)
    assert got.control == math.ceil(ratio * nobs1)
    assert got.treatment_share == f
    assert got.total == got.control + got.treatment
    assert f"{got.total:,} users in all" in str(got)


@pytest.mark.parametrize("p1, p2", [(0.10, 0.11), (0.60, 0.58), (0.30, 0.33)])
def test_a_five_percent_canary_needs_about_5_26_times_the_traffic(p1, p2):
    f = 0.05
    factor = 1 / (4 * f * (1 - f))
    assert factor == pytest.approx(5.263, abs=1e-3)
    canary = r.sample_size(p1, p2, treatment_share=f).total
    even = r.sample_size(p1, p2, treatment_share=0.5).total
    assert canary / even == pytest.approx(factor, rel=0.03)
    # and a 20% share about 1.56 times
    assert r.sample_size(p1, p2, treatment_share=0.2).total / even == pytest.approx(1 / (4 * 0.2 * 0.8), rel=0.03)


@pytest.mark.parametrize("p1, p2", [(0.10, 0.11), (0.05, 0.06), (0.30, 0.33), (0.60, 0.58), (0.5, 0.45)])
def test_rough_rule_sixteen_sigma_squared_over_delta_squared_is_in_the_ballpark(p1, p2):
    pbar = (p1 + p2) / 2
    rough = 16 * pbar * (1 - pbar) / (p2 - p1) ** 2
    assert r.sample_size_per_arm(p1, p2) == pytest.approx(rough, rel=0.1)


# --- minimum detectable effect ------------------------------------------------------------------


@pytest.mark.parametrize("p", [0.05, 0.1, 0.3, 0.6, 0.9])
@pytest.mark.parametrize("n", [500, 2_000, 14_751, 100_000, 1_000_000])
def test_minimum_detectable_effect_inverts_the_sample_size(p, n):
    mde = r.minimum_detectable_effect(p, n)
    assert mde > 0
    assert abs(r.sample_size_per_arm(p, p + mde) - n) <= 1


def test_minimum_detectable_effect_at_the_reference_sample_is_one_point():
    assert r.minimum_detectable_effect(0.10, 14_751) == pytest.approx(0.01, abs=1e-5)


def test_minimum_detectable_effect_with_an_unequal_split_uses_the_treatment_arm():
    needed = r.sample_size(0.10, 0.11, treatment_share=0.05)
    assert r.minimum_detectable_effect(0.10, needed.treatment, treatment_share=0.05) == pytest.approx(0.01, abs=1e-5)


@pytest.mark.parametrize("p", [0.05, 0.1, 0.3, 0.6, 0.9])
@pytest.mark.parametrize("alpha, power", [(0.05, 0.8), (0.01, 0.9)])
def test_minimum_detectable_effect_approaches_the_quick_approximation(p, alpha, power):
    n = 1_000_000
    approx = (z(1 - alpha / 2) + z(power)) * math.sqrt(2 * p * (1 - p) / n)
    assert r.minimum_detectable_effect(p, n, alpha=alpha, power=power) == pytest.approx(approx, rel=0.01)


@pytest.mark.parametrize("p", [0.5, 0.9, 0.99])
@pytest.mark.parametrize("n", [1, 2, 5, 10])
def test_minimum_detectable_effect_errors_when_n_is_too_small(p, n):
    with pytest.raises(ValueError, match=rf"n_per_arm={float(n)!r} is too small to detect any rise from {p!r}"):
        r.minimum_detectable_effect(p, n)


@pytest.mark.parametrize("n", [0, -5, math.nan, True, "100"])
def test_minimum_detectable_effect_rejects_a_bad_n(n):
    with pytest.raises(ValueError, match=rf"n_per_arm must be a number of users above 0, got {re.escape(repr(n))}"):
        r.minimum_detectable_effect(0.1, n)


# --- days to detect and blast radius ------------------------------------------------------------------


def test_days_to_detect_hand_checked():
    # 5% canary at 20,000 users a day, 60% -> 58%: 99,626 users in all -> 5 days
    assert r.sample_size(0.60, 0.58, 0.05).total == 99_626
    assert r.days_to_detect(20_000, 0.60, -0.02, 0.05) == 5 == math.ceil(99_626 / 20_000)
    # 50/50 at 1,000 a day, 10% -> 11%: 2 × 14,751 = 29,502 -> 30 days
    assert r.days_to_detect(1_000, 0.10, 0.01, 0.5) == 30 == math.ceil(29_502 / 1_000)
    # exactly divisible: 29,502 a day -> one day, not two
    assert r.days_to_detect(29_502, 0.10, 0.01, 0.5) == 1
    assert r.days_to_detect(29_501, 0.10, 0.01, 0.5) == 2
    # never less than one day
    assert r.days_to_detect(10**9, 0.10, 0.01, 0.5) == 1


@pytest.mark.parametrize("users, p, effect", [(1_000, 0.10, 0.01), (20_000, 0.60, -0.02), (300, 0.30, -0.05), (5_000, 0.05, 0.01)])
def test_days_to_detect_is_total_sample_over_daily_users(users, p, effect):
    for f in (0.01, 0.05, 0.2, 0.5, 0.8):
        total = r.sample_size(p, p + effect, treatment_share=f).total
        assert r.days_to_detect(users, p, effect, f) == max(1, math.ceil(total / users))


@pytest.mark.parametrize("users, p, effect", [(1_000, 0.10, 0.01), (20_000, 0.60, -0.02), (300, 0.30, -0.05), (50, 0.30, -0.05)])
def test_a_larger_share_needs_fewer_days_up_to_half(users, p, effect):
    days = [r.days_to_detect(users, p, effect, f) for f in np.linspace(0.01, 0.5, 50)]
    assert all(a >= b for a, b in zip(days, days[1:]))
    assert days[0] > days[-1]


@pytest.mark.parametrize("users, share, detect, back, expected", [
    (20_000, 0.05, 6, 1, 291.6666666666667),
    (20_000, 0.05, 24, 1, 1_041.6666666666667),
    (20_000, 1.0, 24, 0, 20_000),
    (1_000, 0.5, 0, 0, 0),
    (0, 0.5, 12, 12, 0),
    (48_000, 0.25, 1.5, 0.5, 1_000),
])
def test_blast_radius_hand_values(users, share, detect, back, expected):
    assert r.blast_radius(users, share, detect, back) == pytest.approx(expected)


# --- argument errors ---------------------------------------------------------------------------


BAD_PROPORTIONS = [0, 1, 1.2, -0.1, math.nan, math.inf, True, "0.1", None]


@pytest.mark.parametrize("bad", BAD_PROPORTIONS)
def test_proportions_outside_zero_one_are_rejected_by_name(bad):
    message = rf"must be a proportion in \(0, 1\), got {re.escape(repr(bad))}"
    with pytest.raises(ValueError, match="p_baseline " + message):
        r.sample_size_per_arm(bad, 0.5)
    with pytest.raises(ValueError, match="p_treatment " + message):
        r.sample_size_per_arm(0.5, bad)
    with pytest.raises(ValueError, match="p_baseline " + message):
        r.sample_size(bad, 0.5, treatment_share=0.2)
    with pytest.raises(ValueError, match="p_treatment " + message):
        r.sample_size(0.5, bad, treatment_share=0.2)
    with pytest.raises(ValueError, match="p_baseline " + message):
        r.minimum_detectable_effect(bad, 1000)
    with pytest.raises(ValueError, match="p_baseline " + message):
        r.days_to_detect(1000, bad, 0.01, 0.5)
    with pytest.raises(ValueError, match="p_baseline " + message):
        r.schedule(r.example_plan(), 1000, bad)


def test_equal_proportions_are_rejected():
    with pytest.raises(ValueError, match=r"p_treatment must differ from p_baseline \(both 0.3\)"):
        r.sample_size_per_arm(0.3, 0.3)
    with pytest.raises(ValueError, match=r"p_treatment must differ from p_baseline \(both 0.3\)"):
        r.sample_size(0.3, 0.3, 0.1)


@pytest.mark.parametrize("bad", [0, 1, 1.5, -0.1, math.nan, math.inf, True, "0.05", None])
@pytest.mark.parametrize("name", ["alpha", "power"])
def test_alpha_and_power_outside_zero_one_are_rejected(name, bad):
    message = rf"{name} must be in \(0, 1\), got {re.escape(repr(bad))}"
    with pytest.raises(ValueError, match=message):
        r.sample_size_per_arm(0.1, 0.11, **{name: bad})
    with pytest.raises(ValueError, match=message):
        r.sample_size(0.1, 0.11, 0.2, **{name: bad})
    with pytest.raises(ValueError, match=message):
        r.minimum_detectable_effect(0.1, 1000, **{name: bad})
    with pytest.raises(ValueError, match=message):
        r.days_to_detect(1000, 0.1, 0.01, 0.5, **{name: bad})


@pytest.mark.parametrize("bad", [0, -0.1, 1.5, math.nan, math.inf, True, "0.05", None])
def test_blast_radius_rejects_a_share_outside_zero_one(bad):
    with pytest.raises(ValueError, match=rf"traffic_share must be a share in \(0, 1\], got {re.escape(repr(bad))}"):
        r.blast_radius(1000, bad, 1, 1)


@pytest.mark.parametrize("bad", [0, 1, 1.5, -0.2, math.nan, True])
def test_treatment_share_outside_zero_one_is_rejected(bad):
    with pytest.raises(ValueError, match=rf"treatment_share must be in \(0, 1\).*got {re.escape(repr(bad))}"):
        r.sample_size(0.1, 0.11, treatment_share=bad)
    with pytest.raises(ValueError, match=rf"treatment_share must be in \(0, 1\).*got {re.escape(repr(bad))}"):
        r.minimum_detectable_effect(0.1, 1000, treatment_share=bad)
    with pytest.raises(ValueError, match=rf"treatment_share must be in \(0, 1\).*got {re.escape(repr(bad))}"):
        r.days_to_detect(1000, 0.1, 0.01, bad)


@pytest.mark.parametrize("name, index", [("hours_to_detect", 2), ("hours_to_rollback", 3)])
@pytest.mark.parametrize("bad", [-1, -0.5, math.nan, math.inf, True])
def test_blast_radius_rejects_negative_hours(name, index, bad):
    args = [1000, 0.1, 4, 1]
    args[index] = bad
    with pytest.raises(ValueError, match=rf"{name} must be a number of hours, 0 or more, got {re.escape(repr(bad))}"):
        r.blast_radius(*args)


def test_blast_radius_rejects_negative_users():
    with pytest.raises(ValueError, match="daily_users must be a number of users, 0 or more, got -5"):
        r.blast_radius(-5, 0.1, 1, 1)


@pytest.mark.parametrize("effect", [0, -0.6, 0.4, -0.7, math.nan, True])
def test_days_to_detect_rejects_an_effect_that_leaves_the_rate_range(effect):
    with pytest.raises(ValueError, match=rf"effect must be a non-zero change that keeps the rate in \(0, 1\), got {re.escape(repr(effect))}"):
        r.days_to_detect(1000, 0.6, effect, 0.5)


@pytest.mark.parametrize("users", [0, -100, math.nan, True])
def test_days_to_detect_rejects_bad_daily_users(users):
    with pytest.raises(ValueError, match=rf"daily_users must be a number of users above 0, got {re.escape(repr(users))}"):
        r.days_to_detect(users, 0.6, -0.02, 0.5)


# --- plans as data --------------------------------------------------------------------------------


def example_dict():
    return r.plan_to_dict(r.example_plan())


def test_example_plan_round_trips_through_yaml(tmp_path):
    plan = r.example_plan()
    text = r.plan_to_yaml(plan)
    assert yaml.safe_load(text) == r.plan_to_dict(plan)
    again = r.load_plan(text)
    assert again == plan
    assert r.plan_to_dict(again) == r.plan_to_dict(plan)
    # and through a file
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    assert r.load_plan(path) == plan
    assert r.load_plan(str(path)) == plan


def test_plan_round_trip_keeps_names_missing_thresholds_and_a_plain_kill_switch():
    data = example_dict()
    data["stages"][2]["name"] = "Canary (EU only)"
    del data["stages"][3]["gates"][1]["threshold"]
    data["kill_switch"] = "page the on-call engineer"
    plan = r.plan_from_dict(data)
    assert plan.stages[2].title == "Canary (EU only)"
    assert plan.stages[3].gates[1].threshold is None
    assert plan.kill_metric is None and plan.kill_switch == "page the on-call engineer"
    assert r.load_plan(r.plan_to_yaml(plan)) == plan


def test_example_plan_shape():
    plan = r.example_plan()
    assert [s.kind for s in plan.stages] == ["shadow", "dogfood", "canary", "ramp", "full"]
    assert [s.traffic_share for s in plan.stages] == [1.0, 0.02, 0.05, 0.5, 1.0]
    assert plan.stage("canary").gates[0].effect == -0.02
    assert plan.kill_metric == "escalation_rate" and plan.kill_threshold == 0.3
    assert not plan.stages[0].exposed and all(s.exposed for s in plan.stages[1:])
    with pytest.raises(ValueError, match="the plan has no 'pilot' stage"):
        plan.stage("pilot")


def test_plan_to_markdown_lists_every_stage_gate_the_kill_switch_and_rollback():
    plan = r.example_plan()
    text = r.plan_to_markdown(plan)
    assert text.startswith("# Rollout plan: Help-centre answer assistant")
    assert "**Owner:** Head of Support" in text
    for s in plan.stages:
        row = next(line for line in text.splitlines() if line.startswith(f"| {s.title} |"))
        assert f"| {s.min_days} day" in row
        for g in s.gates:
            assert str(g) in row
        if not s.gates:
            assert row.endswith("| none |")
    assert "none see it (shadow)" in text
    assert "task_success >= 0.58 (online, blocker)" in text
    assert "resolution_rate >= 0.4 (business, blocker)" in text
    assert f"**Kill switch:** {plan.kill_switch}" in text
    assert f"**Rollback:** {plan.rollback}" in text
    assert sum(s.min_days for s in plan.stages) == 7 + 7 + 14 + 7 + 1 == 36
    assert "The planned minimum days add up to 36 days." in text
    assert "days in all" not in text
    # with the traffic and the baseline, the schedule those imply, in days counted from 1:
    # at 2,000 users a day the canary needs 50 days and the ramp 10: each runs the whole weeks that
    # cover them, 8 weeks and 2
    slow = r.plan_to_markdown(plan, daily_users=2_000, p_baseline=0.60)
    assert (r.days_to_detect(2_000, 0.60, -0.02, 0.05), r.days_to_detect(2_000, 0.60, -0.02, 0.5)) == (50, 10)
    canary_days, ramp_days = 8 * 7, 2 * 7
    canary_first, canary_last = 7 + 7 + 1, 7 + 7 + canary_days  # days 15 to 70
    total = 7 + 7 + canary_days + ramp_days + 1
    assert "2,000 users a day" in slow
    assert "- Shadow: days 1 to 7 (7 days, no user sees it)" in slow
    # dogfood is the staff: no customer meets it, so it counts nobody as exposed
    assert "- Dogfood: days 8 to 14 (7 days, staff only, no customers exposed)" in slow
    assert "| Dogfood | staff only, no customers (their use: 2% of the daily volume) | 7 days |" in slow
    assert f"- Canary: days {canary_first} to {canary_last} ({canary_days} days, {2_000 * 0.05 * canary_days:,.0f} users exposed)" in slow
    assert f"- Ramp: days {canary_last + 1} to {canary_last + ramp_days} ({ramp_days} days," in slow
    assert f"- Full: days {total} to {total} (1 day, 2,000 users exposed)" in slow
    assert f"The last stage starts on day {total}; the plan takes {total} days in all." in slow
    assert total == 85
    # the same numbers from the schedule's 1-based days
    for item in r.schedule(plan, 2_000, 0.60):
        assert f"- {item.stage.title}: days {item.first_day} to {item.last_day} (" in slow
    assert "The planned minimum days" not in slow


def test_plan_to_markdown_at_the_lesson_traffic_and_for_a_single_day():
    plan = r.example_plan()
    text = r.plan_to_markdown(plan, daily_users=20_000, p_baseline=0.60)
    # at 20,000 users a day every stage's minimum is long enough: days 1-7, 8-14, 15-28, 29-35, 36
    for title, first, last in [("Shadow", 1, 7), ("Dogfood", 8, 14), ("Canary", 15, 28), ("Ramp", 29, 35), ("Full", 36, 36)]:
        assert f"- {title}: days {first} to {last} (" in text
    assert "The last stage starts on day 36; the plan takes 36 days in all." in text
    # one day is "1 day", not "1 days", in the table and in the total
    data = {"feature": "x", "stages": [{"kind": "full", "traffic_share": 1.0, "min_days": 1, "gates": []}]}
    single = r.plan_to_markdown(data)
    assert "| Full | 100% | 1 day | none |" in single
    assert "The planned minimum days add up to 1 day." in single
    assert "1 days" not in single


def test_plan_to_markdown_says_when_kill_switch_and_rollback_are_missing():
    data = example_dict()
    data["kill_switch"] = None
    data["rollback"] = ""
    text = r.plan_to_markdown(data)
    assert "**Kill switch:** none (add one)" in text and "**Rollback:** none (add one)" in text


def load_modified(tmp_path, change):
    data = example_dict()
    change(data)
    return r.load_plan(yaml.safe_dump(data, sort_keys=False))


def set_stage(index, key, value):
    def change(data):
        data["stages"][index][key] = value
    return change


def set_gate(stage, gate, key, value):
    def change(data):
        data["stages"][stage]["gates"][gate][key] = value
    return change


@pytest.mark.parametrize("change, message", [
    (set_stage(1, "kind", "beta"), "stage 2: `kind` must be one of shadow, dogfood, pilot, canary, ramp, full, got 'beta'"),
    (set_stage(2, "traffic_share", 0), "stage 3 (canary): `traffic_share` must be a share in (0, 1], got 0"),
    (set_stage(2, "traffic_share", 1.5), "stage 3 (canary): `traffic_share` must be a share in (0, 1], got 1.5"),
    (set_stage(2, "traffic_share", "5%"), "stage 3 (canary): `traffic_share` must be a whole number or a number, got '5%'"),
    (set_stage(2, "min_days", 0), "stage 3 (canary): `min_days` must be 1 or more, got 0"),
    (set_stage(2, "min_days", 2.5), "stage 3 (canary): `min_days` must be a whole number, got 2.5"),
    (set_stage(2, "min_days", True), "stage 3 (canary): `min_days` must be a whole number, got True"),
    (set_stage(2, "min_days", None), "stage 3 (canary): `min_days` is missing"),
    (set_gate(3, 1, "layer", "vibes"), "stage 4 (ramp), gate 2: `layer` must be one of offline, online, business, got 'vibes'"),
    (set_gate(2, 0, "comparison", ">"), "stage 3 (canary), gate 1: `comparison` must be \">=\" or \"<=\", got '>'"),
    (set_gate(0, 0, "severity", "fatal"), "stage 1 (shadow), gate 1: `severity` must be blocker or warning, got 'fatal'"),
    (set_gate(0, 0, "threshold", "high"), "stage 1 (shadow), gate 1: `threshold` must be a whole number or a number, got 'high'"),
    (set_gate(0, 0, "metric", None), "stage 1 (shadow), gate 1: `metric` is missing"),
])
def test_load_plan_errors_name_the_stage_and_field(tmp_path, change, message):
    with pytest.raises(r.PlanError, match=re.escape(message)):
        load_modified(tmp_path, change)


def test_load_plan_rejects_a_canary_after_a_ramp():
    data = example_dict()
    data["stages"][2], data["stages"][3] = data["stages"][3], data["stages"][2]
    with pytest.raises(r.PlanError, match="stages are out of order: canary comes after ramp"):
        r.load_plan(yaml.safe_dump(data))


def test_load_plan_rejects_a_ramp_smaller_than_the_canary_before_it():
    data = example_dict()
    data["stages"][3]["traffic_share"] = 0.04
    with pytest.raises(r.PlanError, match=re.escape("stages are out of order: Ramp (4%) exposes fewer users than Canary before it (5%)")):
        r.load_plan(yaml.safe_dump(data))


def test_shadow_at_full_traffic_may_come_before_a_small_stage():
    # shadow mode exposes nobody, so a 2% dogfood after a 100% shadow is in order
    assert r.example_plan().stages[0].traffic_share == 1.0


def test_load_plan_reports_invalid_yaml_with_the_line():
    with pytest.raises(r.PlanError, match=r"the plan is not valid YAML around line 2"):
        r.load_plan("feature: [1, 2\n")


def test_load_plan_errors_for_an_empty_file_and_a_missing_file(tmp_path):
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(r.PlanError, match=r"empty\.yaml is empty"):
        r.load_plan(empty)
    with pytest.raises(r.PlanError, match=r"the plan is empty"):
        r.load_plan("")
    missing = tmp_path / "missing.yaml"
    with pytest.raises(r.PlanError, match=r"cannot read the plan .*missing\.yaml: No such file or directory"):
        r.load_plan(missing)
    with pytest.raises(r.PlanError, match=r"cannot read the plan .*missing\.yaml"):
        r.load_plan(str(missing))


@pytest.mark.parametrize("text, message", [
    ("- a\n- b\n", "source must be YAML text (or a .yaml file) holding a rollout plan: a mapping with feature and stages (or a RolloutPlan), got '- a\\n- b\\n', which reads as a list"),
    ("feature: x\n", "the plan needs a list of stages under `stages:`"),
    ("feature: x\nstages: []\n", "the plan needs a list of stages under `stages:`"),
    ("feature: x\nstages:\n- canary\n", "stage 1: expected kind, traffic_share, min_days and gates, got 'canary'"),
])
def test_load_plan_errors_for_a_plan_of_the_wrong_shape(text, message):
    with pytest.raises(r.PlanError, match=re.escape(message)):
        r.load_plan(text)


def test_plan_error_is_a_value_error():
    assert issubclass(r.PlanError, ValueError)


# --- validate_plan ---------------------------------------------------------------------------------


def findings(data, **kwargs):
    return r.validate_plan(data, **kwargs)


def problems(found):
    return [f.problem for f in found]


def test_example_plan_passes_validation():
    assert r.validate_plan(r.example_plan()) == []
    assert r.validate_plan(r.example_plan(), daily_users=20_000, p_baseline=0.6) == []


def test_no_kill_switch_and_no_rollback_are_findings():
    data = example_dict()
    data["kill_switch"] = None
    found = findings(data)
    assert problems(found) == ["There is no kill switch."] and found[0].stage == "plan"
    data = example_dict()
    data["rollback"] = ""
    found = findings(data)
    assert problems(found) == ["There is no rollback action."] and found[0].stage == "plan"
    assert "Fix:" in str(found[0])


def test_a_broad_stage_with_nothing_smaller_before_is_a_finding():
    data = example_dict()
    data["stages"] = data["stages"][3:]  # ramp at 50%, then full
    found = findings(data)
    assert [(f.stage, f.problem) for f in found] == [
        ("Ramp", "50% of users are exposed with no shadow, dogfood, pilot or canary stage before.")
    ]
    for kept in (0, 1, 2):  # a shadow, dogfood or canary stage before it is enough
        data = example_dict()
        data["stages"] = [data["stages"][kept]] + data["stages"][3:]
        assert not any("exposed with no shadow" in p for p in problems(findings(data)))


def test_a_small_first_stage_is_not_broad():
    data = example_dict()
    data["stages"] = data["stages"][2:]  # canary at 5% first: fine
    assert not any("exposed with no shadow" in p for p in problems(findings(data)))
    data["stages"][0]["traffic_share"] = 0.11  # 11% is broad
    assert any(p.startswith("11% of users are exposed") for p in problems(findings(data)))


def test_a_gate_with_no_threshold_is_a_finding():
    data = example_dict()
    del data["stages"][1]["gates"][0]["threshold"]
    found = findings(data)
    assert [(f.stage, f.problem) for f in found] == [("Dogfood", "The gate on escalation_rate has no threshold.")]


def test_only_one_layer_gated_is_a_finding():
    data = example_dict()
    data["stages"][0]["gates"][0]["layer"] = "online"
    data["stages"][3]["gates"][1]["layer"] = "online"
    # an online blocker in the 50% ramp now needs an effect, or it is a finding of its own
    found = findings(data)
    assert problems(found) == [
        "Only 1 metric layer is gated (online).",
        "The online blocker on resolution_rate does not say what change it must detect.",
    ]
    data["stages"][3]["gates"][1]["effect"] = -0.03
    found = findings(data)
    assert problems(found) == ["Only 1 metric layer is gated (online)."]
    assert found[0].stage == "plan"


def test_a_stage_without_a_gate_is_a_finding():
    data = example_dict()
    data["stages"][1]["gates"] = []
    assert [(f.stage, f.problem) for f in findings(data)] == [("Dogfood", "The stage has no gate.")]


def test_a_plan_not_ending_in_full_is_a_finding():
    data = example_dict()
    data["stages"] = data["stages"][:-1]
    assert problems(findings(data)) == ["The plan never reaches full launch."]


def test_a_stage_too_short_for_its_gate_at_low_traffic():
    found = r.validate_plan(r.example_plan(), daily_users=2_000, p_baseline=0.6)
    canary_days = r.days_to_detect(2_000, 0.6, -0.02, 0.05)
    ramp_days = r.days_to_detect(2_000, 0.6, -0.02, 0.5)
    # computed from the sample size by hand as well
    assert canary_days == math.ceil(r.sample_size(0.6, 0.58, 0.05).total / 2_000) == 50
    assert ramp_days == math.ceil(r.sample_size(0.6, 0.58, 0.5).total / 2_000) == 10
    assert [f.stage for f in found] == ["Canary", "Ramp"]
    assert found[0].problem == f"14 days at 5% of 2,000 users a day cannot show its gate's effect; it needs {canary_days} days."
    assert found[1].problem == f"7 days at 50% of 2,000 users a day cannot show its gate's effect; it needs {ramp_days} days."
    # the fixes ask for whole weeks that cover those days: 8 weeks (56 days) and 2 (14 days)
    assert found[0].fix.startswith("Run it for at least 56 days (8 whole weeks), ")
    assert found[1].fix.startswith("Run it for at least 14 days (2 whole weeks), ")
    # without the traffic the check is not made
    assert r.validate_plan(r.example_plan()) == []


def test_validation_of_an_empty_plan_lists_everything():
    data = {"stages": [{"kind": "ramp", "traffic_share": 0.5, "min_days": 3}]}
    got = problems(findings(data))
    assert "The feature has no name." in got
    assert "There is no kill switch." in got and "There is no rollback action." in got
    assert "Only 0 metric layer is gated (none)." in got
    assert "The stage has no gate." in got and "The plan never reaches full launch." in got


# --- schedule ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("users, p", [(20_000, 0.6), (2_000, 0.6), (500, 0.3), (100_000, 0.9)])
def test_schedule_is_cumulative_and_lasts_as_long_as_the_gates_need(users, p):
    plan = r.example_plan()
    items = r.schedule(plan, users, p)
    assert [i.stage for i in items] == list(plan.stages)
    start = 0
    for item in items:
        s = item.stage
        assert item.start_day == start
        effects = [g.effect for g in s.gates if g.effect and g.layer != "offline"]
        if effects and s.kind not in ("shadow", "dogfood") and s.traffic_share < 1:
            # the longest any of its online gates needs
            assert item.days_needed == max(r.days_to_detect(users, p, e, s.traffic_share) for e in effects)
        else:
            assert item.days_needed is None
        # its planned days, or, when its gates need more, the fewest whole weeks that hold them
        if item.days_needed is None or item.days_needed <= s.min_days:
            assert item.days == s.min_days
        else:
            assert item.days % 7 == 0 and item.days - 7 < item.days_needed <= item.days
        # customers only: shadow shows nobody the new model, dogfood only the staff
        assert item.exposure == (0 if s.kind in ("shadow", "dogfood") else users * s.traffic_share * item.days)
        assert item.end_day == item.start_day + item.days
        start = item.end_day


def test_schedule_hand_values_at_2000_users():
    items = r.schedule(r.example_plan(), 2_000, 0.6)
    assert [(i.start_day, i.days, i.days_needed) for i in items] == [(0, 7, None), (7, 7, None), (14, 56, 50), (70, 14, 10), (84, 1, None)]
    assert [i.exposure for i in items] == [0, 0, 2_000 * 0.05 * 56, 2_000 * 0.5 * 14, 2_000]


def test_schedule_uses_the_gate_that_needs_longest_and_ignores_offline_gates():
    data = example_dict()
    data["stages"][3]["gates"][1]["effect"] = 0.05  # a bigger effect on the business gate
    data["stages"][0]["gates"][0]["effect"] = -0.001  # shadow: nobody exposed, never counts
    data["stages"][2]["gates"].append({"metric": "groundedness", "layer": "offline", "threshold": 0.9, "effect": -0.001})
    items = r.schedule(data, 2_000, 0.6)
    assert items[0].days_needed is None
    assert items[2].days_needed == r.days_to_detect(2_000, 0.6, -0.02, 0.05)
    assert items[3].days_needed == r.days_to_detect(2_000, 0.6, -0.02, 0.5)
    # a rise and a fall of the same size need different samples: at 500 users a day the fall needs longer
    data = example_dict()
    data["stages"][2]["gates"] = [
        {"metric": "task_success", "layer": "online", "threshold": 0.5, "effect": 0.02},
        {"metric": "task_success", "layer": "online", "threshold": 0.5, "effect": -0.02},
    ]
    up, down = r.days_to_detect(500, 0.6, 0.02, 0.05), r.days_to_detect(500, 0.6, -0.02, 0.05)
    assert up < down
    assert r.schedule(data, 500, 0.6)[2].days_needed == down
    data["stages"][2]["gates"].reverse()
    assert r.schedule(data, 500, 0.6)[2].days_needed == down


def test_schedule_rejects_bad_traffic():
    with pytest.raises(ValueError, match="daily_users must be a number of users above 0, got 0"):
        r.schedule(r.example_plan(), 0, 0.6)


# --- simulate_rollout -------------------------------------------------------------------------------


def test_simulation_is_reproducible_for_a_seed():
    plan = r.example_plan()
    a = r.simulate_rollout(plan, 20_000, seed=3)
    b = r.simulate_rollout(plan, 20_000, seed=3)
    c = r.simulate_rollout(plan, 20_000, seed=4)
    assert a == b
    assert a.days == b.days
    assert a.days != c.days


def test_simulation_without_changes_reaches_full_launch_for_most_seeds():
    plan = r.example_plan()
    results = [r.simulate_rollout(plan, 20_000, seed=seed) for seed in range(10)]
    assert sum(x.reached_full for x in results) >= 8
    full = next(x for x in results if x.reached_full)
    assert not full.stopped and full.stop_stage is None and full.stop_day is None
    assert full.exposed_to_regression == 0
    assert str(full) == "Reached full launch: every blocker passed."
    # at 20,000 users a day every stage runs its minimum days (the schedule says so too); days count from 1
    assert [i.days for i in r.schedule(plan, 20_000, 0.6)] == [s.min_days for s in plan.stages]
    assert len(full.days) == sum(s.min_days for s in plan.stages) == 36
    assert [d["day"] for d in full.days] == list(range(1, 37))


def test_simulated_days_follow_the_stages():
    plan = r.example_plan()
    result = r.simulate_rollout(plan, 20_000, seed=0)
    assert result.reached_full
    items = r.schedule(plan, 20_000, 0.6)
    expected = [i.stage.title for i in items for _ in range(i.days)]
    assert [d["stage"] for d in result.days] == expected
    for item in items:
        days = [d["day"] for d in result.days if d["stage"] == item.stage.title]
        assert days == list(range(item.first_day, item.last_day + 1))
    metrics = set(r.DEFAULT_BASELINES)
    shadow = [d for d in result.days if d["stage"] == "Shadow"]
    exposed = [d for d in result.days if d["stage"] != "Shadow"]
    assert len(shadow) == 7
    # shadow mode measures only the metric with an offline gate (groundedness), on 500 cases a day
    for d in shadow:
        assert metrics & set(d) == {"groundedness"}
        assert round(d["groundedness"] * 500, 6).is_integer()
        assert d["control"] == {}
    # exposed stages measure every metric; below 100% of customers the rest are a control group,
    # but dogfood has none: the staff are not a random share of customers
    for d in exposed:
        assert metrics <= set(d)
        assert all(0 <= d[m] <= 1 for m in metrics)
        if d["share"] < 1 and d["stage"] != "Dogfood":
            assert set(d["control"]) == metrics
            assert all(0 <= v <= 1 for v in d["control"].values())
        else:
            assert d["control"] == {}
    # a dogfood day has the staff's 2% of 20,000 = 400 uses of the new model
    for d in exposed:
        if d["stage"] == "Dogfood":
            assert all(round(d[m] * 400, 6).is_integer() for m in metrics)


def users_on_new_model(plan, result, daily_users, start_day):
    """Customers on the new model from ``start_day``: not in shadow mode, nor the staff in dogfood."""
    exposed = {s.title: s.kind not in ("shadow", "dogfood") for s in plan.stages}
    return sum(round(daily_users * d["share"]) for d in result.days if d["day"] >= start_day and exposed[d["stage"]])


@pytest.mark.parametrize("seed", range(5))
def test_a_blocker_on_the_regressed_metric_stops_the_rollout(seed):
    plan = r.example_plan()
    change = r.Regression("task_success", -0.05, start_day=10)
    result = r.simulate_rollout(plan, 20_000, changes=[change], seed=seed)
    assert result.stopped and not result.reached_full
    assert result.stop_stage in ("Canary", "Ramp")
    assert result.stop_day == result.days[-1]["day"]
    assert result.reason.startswith(f"Stopped at the end of {result.stop_stage} (day {result.stop_day}): task_success was")
    assert result.exposed_to_regression == users_on_new_model(plan, result, 20_000, change.start_day)
    # the gate saw the canary's task success rate well below 58%
    canary = [d["task_success"] for d in result.days if d["stage"] == "Canary"]
    assert np.mean(canary) < 0.58


def test_exposure_to_a_regression_counts_only_customers_on_the_new_model():
    plan = r.example_plan()
    result = r.simulate_rollout(plan, 20_000, changes=[r.Regression("task_success", -0.05, start_day=10)], seed=1)
    # days count from 1: shadow is days 1-7, dogfood 8-14, canary 15-28.
    # From day 10: days 10-14 in dogfood are the staff's (no customer), days 15-28 in canary at 1,000 a day
    assert result.stop_stage == "Canary" and result.stop_day == 28
    assert result.exposed_to_regression == 14 * 1_000
    assert result.exposed_to_regression == users_on_new_model(plan, result, 20_000, 10)
    # the staff did meet it: dogfood's task success fell too, on its 400 uses a day
    assert np.mean([d["task_success"] for d in result.days if d["stage"] == "Dogfood" and d["day"] >= 10]) < 0.58
    # a regression from day 1 (the default), in shadow mode and dogfood, exposes no customer until the canary
    assert r.Regression("task_success", -0.05).start_day == 1
    early = r.simulate_rollout(plan, 20_000, changes=[r.Regression("task_success", -0.05)], seed=1)
    assert early.exposed_to_regression == users_on_new_model(plan, early, 20_000, 1)
    assert early.exposed_to_regression == 14 * 1_000
    # a regression from day 15 reaches the canary's users only
    late = r.simulate_rollout(plan, 20_000, changes=[r.Regression("task_success", -0.05, start_day=15)], seed=1)
    assert late.stop_day == 28 and late.exposed_to_regression == 14 * 1_000


@pytest.mark.parametrize("seed", range(3))
def test_drift_above_the_kill_threshold_triggers_the_kill_switch(seed):
    plan = r.example_plan()
    drift = r.Regression("escalation_rate", 0.2, start_day=7, drift=True)  # 15% -> 35% for everyone
    result = r.simulate_rollout(plan, 20_000, changes=[drift], seed=seed)
    assert result.stopped and not result.reached_full
    assert result.reason.startswith(f"Kill switch on day {result.stop_day} in {result.stop_stage}: escalation_rate was")
    last = result.days[-1]
    assert last["day"] == result.stop_day and last["escalation_rate"] > plan.kill_threshold
    assert all(d["escalation_rate"] <= plan.kill_threshold for d in result.days[7:-1])
    # drift is not a regression of the model: nobody counts as exposed to one
    assert result.exposed_to_regression == 0


def test_kill_switch_with_a_greater_or_equal_comparison():
    data = example_dict()
    data["kill_switch"] = {"trigger": "task success below 50%", "metric": "task_success", "comparison": ">=", "threshold": 0.5}
    result = r.simulate_rollout(data, 20_000, changes=[r.Regression("task_success", -0.3, start_day=1)], seed=0)
    # task_success has no offline gate, so shadow mode (days 1-7) does not measure it:
    # the kill switch first sees it on day 8, dogfood's first day
    assert all("task_success" not in d for d in result.days if d["stage"] == "Shadow")
    first_dogfood = r.schedule(data, 20_000, 0.6)[1].first_day
    assert first_dogfood == 8
    assert result.reason.startswith(f"Kill switch on day {first_dogfood} in Dogfood: task_success was")
    assert result.stop_day == first_dogfood == result.days[-1]["day"] and result.stop_stage == "Dogfood"
    assert result.days[-1]["task_success"] < 0.5
    assert result.exposed_to_regression == 0  # the staff met it, no customer did
    assert result.reason.endswith("below the switch's threshold of 50%. Rolled back.")


def test_a_warning_gate_does_not_stop_the_rollout_but_a_blocker_does():
    data = example_dict()
    assert data["stages"][3]["gates"][2]["metric"] == "escalation_rate"
    data["stages"][3]["gates"][2]["severity"] = "warning"  # the ramp's escalation blocker, made a warning
    # escalation 15% -> 22% on the new model: the dogfood and ramp warning gates (<= 20%) fail, the kill switch (30%) holds
    result = r.simulate_rollout(data, 20_000, changes=[r.Regression("escalation_rate", 0.07)], seed=0)
    dogfood = [d["escalation_rate"] for d in result.days if d["stage"] == "Dogfood"]
    assert np.mean(dogfood) > 0.2
    assert result.reached_full
    # the lesson's plan keeps it a blocker: the ramp stops the rise before full launch
    blocked = r.simulate_rollout(r.example_plan(), 20_000, changes=[r.Regression("escalation_rate", 0.07)], seed=0)
    assert blocked.stop_stage == "Ramp" and not blocked.reached_full
    assert "escalation_rate was 22" in blocked.reason and "the gate needs <= 20.0%" in blocked.reason


@pytest.mark.parametrize("kwargs, message", [
    ({"changes": [r.Regression("latency", 0.1)]}, "Regression metric 'latency' has no baseline"),
    ({"changes": [("task_success", -0.1)]}, "changes must be Regression(...) items"),
    ({"baselines": {"task_success": 0.6, "escalation_rate": 0.15, "resolution_rate": 0.45}}, "the gate on 'groundedness' (Shadow) has no baseline"),
    ({"baselines": {**r.DEFAULT_BASELINES, "groundedness": 1.2}}, "baselines['groundedness'] must be a proportion in (0, 1), got 1.2"),
    ({"seed": -1}, "seed must be a whole number 0 or above, got -1"),
    ({"seed": 1.5}, "seed must be a whole number 0 or above, got 1.5"),
    ({"seed": True}, "seed must be a whole number 0 or above, got True"),
    ({"seed": "0"}, "seed must be a whole number 0 or above, got '0'"),
])
def test_simulation_errors(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        r.simulate_rollout(r.example_plan(), 20_000, **kwargs)


def test_simulation_rejects_bad_traffic():
    with pytest.raises(ValueError, match="daily_users must be a number of users above 0, got 0"):
        r.simulate_rollout(r.example_plan(), 0)


def test_simulation_rejects_a_kill_switch_metric_without_a_baseline():
    data = example_dict()
    data["kill_switch"]["metric"] = "complaint_rate"
    with pytest.raises(ValueError, match="complaint_rate"):
        r.simulate_rollout(data, 20_000, seed=0)


# --- simulate_rollout: stage lengths, control groups, the test at the gate ----------------------------


def stage_lengths(result):
    """Days each stage ran in a simulation, in order."""
    lengths = {}
    for d in result.days:
        lengths[d["stage"]] = lengths.get(d["stage"], 0) + 1
    return lengths


def test_a_regression_of_the_canary_effect_is_stopped_at_the_canary_for_most_seeds():
    plan = r.example_plan()
    effect = plan.stage("canary").gates[0].effect
    assert effect == -0.02 and plan.stage("canary").gates[0].metric == "task_success"
    canary = r.schedule(plan, 20_000, 0.6)[2]
    assert (canary.first_day, canary.last_day) == (15, 28)
    # the canary is sized for power 0.8 (5 days at 20,000 a day) but runs its 14 minimum days: more power
    assert canary.days_needed == 5 < canary.days == 14
    results = [r.simulate_rollout(plan, 20_000, changes=[r.Regression("task_success", effect, start_day=1)], seed=seed) for seed in range(100)]
    caught = [x for x in results if x.stop_stage == "Canary"]
    assert len(caught) >= 80
    for x in caught:
        assert x.stopped and not x.reached_full and x.stop_day == canary.last_day == x.days[-1]["day"]
        assert x.reason.startswith("Stopped at the end of Canary (day 28): task_success was")
        assert x.exposed_to_regression == 14 * 1_000  # the canary's customers; dogfood's staff are not counted
    assert sum(x.reached_full for x in results) <= 5


def test_without_a_change_the_example_plan_reaches_full_launch_for_most_seeds():
    plan = r.example_plan()
    results = [r.simulate_rollout(plan, 20_000, seed=seed) for seed in range(100)]
    assert sum(x.reached_full for x in results) >= 90
    for x in results:
        if x.reached_full:
            assert len(x.days) == 36 and x.stop_day is None and x.exposed_to_regression == 0


def canary_gate_out_of_reach(min_days):
    """The example plan with the canary's threshold so low only the test against the control can stop it."""
    data = example_dict()
    data["stages"][2]["gates"][0]["threshold"] = 0.3
    data["stages"][2]["min_days"] = min_days
    return data


def test_the_test_against_the_control_alone_has_about_the_planned_power():
    # a canary planned for exactly the 5 days its gate needs catches a -0.02 change in about 80% of runs
    # (planned for fewer, it would run a whole week)
    assert r.schedule(canary_gate_out_of_reach(min_days=1), 20_000, 0.6)[2].days == 7
    exact = canary_gate_out_of_reach(min_days=5)
    assert r.schedule(exact, 20_000, 0.6)[2].days == 5
    results = [r.simulate_rollout(exact, 20_000, changes=[r.Regression("task_success", -0.02)], seed=seed) for seed in range(100)]
    caught = [x for x in results if x.stop_stage == "Canary"]
    assert all("significantly worse" in x.reason for x in caught)
    assert 70 <= len(caught) <= 95
    assert all(stage_lengths(x)["Canary"] == 5 for x in results)
    # the 14-day canary has far more than 80% power
    long = canary_gate_out_of_reach(min_days=14)
    results = [r.simulate_rollout(long, 20_000, changes=[r.Regression("task_success", -0.02)], seed=seed) for seed in range(100)]
    assert sum(x.stop_stage == "Canary" and "significantly worse" in x.reason for x in results) >= 95
    # and without the change it rarely stops there (a false alarm in the harmful direction: about 2.5%)
    clean = [r.simulate_rollout(exact, 20_000, seed=seed) for seed in range(100)]
    assert sum(x.stop_stage == "Canary" for x in clean) <= 8


def test_drift_shows_in_both_the_new_model_and_the_control():
    plan = r.example_plan()
    start = r.schedule(plan, 20_000, 0.6)[2].first_day  # day 15, the canary's first
    drift = r.simulate_rollout(plan, 20_000, changes=[r.Regression("escalation_rate", 0.1, start_day=start, drift=True)], seed=2)
    regression = r.simulate_rollout(plan, 20_000, changes=[r.Regression("escalation_rate", 0.1, start_day=start)], seed=2)
    for result in (drift, regression):
        assert [d["day"] for d in result.days[:30]] == list(range(1, 31))
    by_day = {d["day"]: d for d in drift.days}
    # dogfood (days 8-14) has no control group; the canary's control has 19,000 users a day: its daily rate
    # is within 0.02 of the truth
    assert by_day[start - 1]["control"] == {}
    assert by_day[start]["control"]["escalation_rate"] == pytest.approx(0.25, abs=0.02)
    for d in drift.days:
        if d["control"] and 8 <= d["day"]:
            truth = 0.25 if d["day"] >= start else 0.15
            assert d["control"]["escalation_rate"] == pytest.approx(truth, abs=0.02)

    def mean(result, stage, control=False):
        values = [(d["control"] if control else d)["escalation_rate"] for d in result.days if d["stage"] == stage]
        return np.mean(values)

    # drift: both groups move from 15% to 25%
    assert mean(drift, "Dogfood") == pytest.approx(0.15, abs=0.02)
    assert mean(drift, "Canary") == pytest.approx(0.25, abs=0.02)
    assert mean(drift, "Canary", control=True) == pytest.approx(0.25, abs=0.005)
    assert mean(drift, "Ramp", control=True) == pytest.approx(0.25, abs=0.005)
    assert drift.exposed_to_regression == 0
    # a regression of the same size moves only the new model
    assert mean(regression, "Canary") == pytest.approx(0.25, abs=0.02)
    assert mean(regression, "Canary", control=True) == pytest.approx(0.15, abs=0.005)
    assert all(d["control"]["escalation_rate"] == pytest.approx(0.15, abs=0.02) for d in regression.days if d["control"])
    assert regression.exposed_to_regression > 0


def test_a_regression_leaves_the_control_group_alone():
    plan = r.example_plan()
    result = r.simulate_rollout(plan, 20_000, changes=[r.Regression("task_success", -0.05)], seed=0)
    assert result.stop_stage == "Canary"
    canary = [d for d in result.days if d["stage"] == "Canary"]
    assert np.mean([d["task_success"] for d in canary]) == pytest.approx(0.55, abs=0.01)
    assert np.mean([d["control"]["task_success"] for d in canary]) == pytest.approx(0.60, abs=0.003)


def test_shadow_mode_measures_only_metrics_with_an_offline_gate():
    data = example_dict()
    data["stages"][0]["gates"].append({"metric": "resolution_rate", "layer": "offline", "comparison": ">=", "threshold": 0.3})
    result = r.simulate_rollout(data, 20_000, seed=0, offline_cases=200)
    shadow = [d for d in result.days if d["stage"] == "Shadow"]
    assert len(shadow) == 7
    for d in shadow:
        assert set(r.DEFAULT_BASELINES) & set(d) == {"groundedness", "resolution_rate"}
        assert round(d["resolution_rate"] * 200, 6).is_integer() and round(d["groundedness"] * 200, 6).is_integer()


def all_gates_on_task_success(p, kill_metric=True):
    """The example plan with every gate on task_success (">=", threshold 5 points below p, effects
    negative: a fall is the harm), or the kill switch in words only."""
    data = example_dict()
    for stage in data["stages"]:
        for gate in stage["gates"]:
            gate.update(metric="task_success", threshold=round(p - 0.05, 4), comparison=">=")
            if "effect" in gate:
                gate["effect"] = -abs(gate["effect"])
    if not kill_metric:
        data["kill_switch"] = {"trigger": "escalation rate above 30% on any day"}
    return data


@pytest.mark.parametrize("users, p", [(20_000, 0.6), (2_000, 0.6), (1_000, 0.6), (2_000, 0.3)])
def test_stage_lengths_in_the_simulation_follow_the_schedule(users, p):
    data = all_gates_on_task_success(p, kill_metric=False)
    baselines = {**r.DEFAULT_BASELINES, "task_success": p}
    items = r.schedule(data, users, p)
    planned = {i.stage.title: i.days for i in items}
    if users <= 2_000:
        # low traffic: the canary runs longer than its 14 minimum days
        assert planned["Canary"] > 14
        needed = r.days_to_detect(users, p, -0.02, 0.05)
        assert planned["Canary"] == 7 * math.ceil(needed / 7)
    result = next(
        (x for x in (r.simulate_rollout(data, users, baselines=baselines, seed=seed) for seed in range(10)) if x.reached_full),
        None,
    )
    assert result is not None
    assert stage_lengths(result) == planned
    assert [d["day"] for d in result.days] == list(range(1, items[-1].last_day + 1))
    for item in items:
        assert [d["day"] for d in result.days if d["stage"] == item.stage.title] == list(range(item.first_day, item.last_day + 1))


def test_stage_lengths_follow_the_schedule_for_another_alpha_and_power():
    data = all_gates_on_task_success(0.6, kill_metric=False)
    items = r.schedule(data, 2_000, 0.6, alpha=0.01, power=0.9)
    planned = {i.stage.title: i.days for i in items}
    strict = r.days_to_detect(2_000, 0.6, -0.02, 0.05, alpha=0.01, power=0.9)
    assert planned["Canary"] == 7 * math.ceil(strict / 7) > r.schedule(data, 2_000, 0.6)[2].days
    result = next(x for x in (r.simulate_rollout(data, 2_000, seed=seed, alpha=0.01, power=0.9) for seed in range(10)) if x.reached_full)
    assert stage_lengths(result) == planned


def test_a_stage_with_gates_on_two_metrics_runs_as_long_as_the_slower_needs_at_each_metrics_baseline():
    data = example_dict()
    # the canary also watches escalation (15% today) for a 1-point rise: that needs more days than task success's 2 points
    data["stages"][2]["gates"].append({"metric": "escalation_rate", "layer": "online", "comparison": "<=", "threshold": 0.25, "severity": "blocker", "effect": 0.01})
    data["kill_switch"] = {"trigger": "by hand"}
    users = 10_000
    escalation_days = r.days_to_detect(users, 0.15, 0.01, 0.05)
    success_days = r.days_to_detect(users, 0.60, -0.02, 0.05)
    assert escalation_days > 14 > success_days
    canary = r.plan_from_dict(data).stage("canary")
    assert r._stage_days_needed(canary, users, r.DEFAULT_BASELINES, 0.05, 0.8) == escalation_days
    # schedule with one rate for every gate, at 15%, agrees
    # and the stage runs the whole weeks that cover it
    weeks = 7 * math.ceil(escalation_days / 7)
    assert r.schedule(data, users, 0.15)[2].days == weeks
    result = next(x for x in (r.simulate_rollout(data, users, seed=seed) for seed in range(10)) if x.reached_full)
    assert stage_lengths(result)["Canary"] == weeks


# --- the test at a gate ----------------------------------------------------------------------------------


COUNTS = [
    ((560, 1_000), (12_000, 20_000)),  # 56% against 60%: z about -2.5
    ((580, 1_000), (12_000, 20_000)),  # 58% against 60%: not significant
    ((640, 1_000), (12_000, 20_000)),  # 64% against 60%: z about +2.5
    ((190, 1_000), (3_000, 20_000)),  # 19% against 15%: z about +3.4
    ((4_850, 10_000), (5_000, 10_000)),  # 48.5% against 50%: z about -2.1
    ((1_430, 2_400), (30_250, 50_000)),  # 59.6% against 60.5%
]


@pytest.mark.parametrize("new, old", COUNTS)
@pytest.mark.parametrize("effect", [-0.02, 0.02])
@pytest.mark.parametrize("alpha", [0.05, 0.01, 0.2])
@pytest.mark.parametrize("metric", ["task_success", "escalation_rate", "complaint_rate"])
def test_gate_fails_agrees_with_the_statsmodels_z_test(new, old, effect, alpha, metric):
    z_value, p_value = proportions_ztest([new[0], old[0]], [new[1], old[1]], alternative="two-sided")
    # the harm is the metric's direction, whatever the effect's sign: a fall in task success, a rise in
    # escalations; only for a metric the kit does not know does the effect's sign decide
    harmful = {"task_success": z_value < 0, "escalation_rate": z_value > 0}.get(metric, z_value < 0 if effect < 0 else z_value > 0)
    expected_fail = bool(p_value < alpha and harmful)
    # a threshold every rate meets, so only the test against the control can fail the gate
    for gate in (r.Gate(metric, "online", ">=", 0.0, "blocker", effect), r.Gate(metric, "online", "<=", 1.0, "blocker", effect)):
        why = r._gate_fails(gate, new, old, alpha)
        if expected_fail:
            assert why == (
                f"{metric} was {new[0] / new[1]:.1%} on the new model against {old[0] / old[1]:.1%} on the old: "
                f"significantly worse (z = {z_value:.2f})"
            )
        else:
            assert why is None


def test_the_hand_made_counts_cover_both_outcomes():
    outcomes = {proportions_ztest([n[0], o[0]], [n[1], o[1]])[1] < 0.05 for n, o in COUNTS}
    assert outcomes == {True, False}
    z_value, p_value = proportions_ztest([560, 12_000], [1_000, 20_000])
    assert z_value == pytest.approx(-2.517, abs=0.01) and 0.01 < p_value < 0.05
    gate = r.Gate("task_success", "online", ">=", 0.5, "blocker", -0.02)
    assert r._gate_fails(gate, (560, 1_000), (12_000, 20_000), 0.05) == (
        "task_success was 56.0% on the new model against 60.0% on the old: significantly worse (z = -2.52)"
    )
    assert r._gate_fails(gate, (560, 1_000), (12_000, 20_000), 0.01) is None


def test_gate_fails_on_the_threshold_first_and_tests_only_gates_with_an_effect_and_a_control():
    with_effect = r.Gate("task_success", "online", ">=", 0.58, "blocker", -0.02)
    # the threshold missed: that is the reason, whatever the control says
    assert r._gate_fails(with_effect, (570, 1_000), (500, 1_000), 0.05) == "task_success was 57.0% on the new model; the gate needs >= 58.0%"
    below = r.Gate("escalation_rate", "online", "<=", 0.2, "warning")
    assert r._gate_fails(below, (210, 1_000), (0, 0), 0.05) == "escalation_rate was 21.0% on the new model; the gate needs <= 20.0%"
    # significantly worse than the control, but the gate has no effect: only the threshold counts
    no_effect = r.Gate("task_success", "online", ">=", 0.5, "blocker")
    assert r._gate_fails(no_effect, (560, 1_000), (12_000, 20_000), 0.05) is None
    # no control group (0 users on the old model): only the threshold counts
    assert r._gate_fails(r.Gate("task_success", "online", ">=", 0.5, "blocker", -0.02), (560, 1_000), (0, 0), 0.05) is None
    # a gate with an effect but no threshold still tests against the control
    untested = r.Gate("task_success", "online", ">=", None, "blocker", -0.02)
    assert "significantly worse" in r._gate_fails(untested, (560, 1_000), (12_000, 20_000), 0.05)


# --- validate_plan: the new findings ---------------------------------------------------------------------


def test_example_plan_has_no_findings_at_the_lesson_traffic():
    assert r.validate_plan(r.example_plan(), daily_users=20_000, p_baseline=0.6) == []
    assert r.validate_plan(r.example_plan(), p_baseline=0.6) == []


@pytest.mark.parametrize("threshold, share", [(58, "0.58"), (-0.1, "-0.001"), (1.01, "0.0101")])
def test_a_threshold_outside_zero_one_is_a_finding(threshold, share):
    data = example_dict()
    data["stages"][2]["gates"][0]["threshold"] = threshold
    found = findings(data, daily_users=20_000, p_baseline=0.6)
    assert [(f.stage, f.problem) for f in found] == [
        ("Canary", f"The gate on task_success has the threshold {threshold:g}, but the metrics here are rates.")
    ]
    assert found[0].fix == f"Write it as a share between 0 and 1: {share}, not {threshold:g}."
    # the same without the traffic
    assert problems(findings(data)) == problems(found)


@pytest.mark.parametrize("threshold", [0, 0.0, 1, 1.0])
def test_thresholds_of_zero_and_one_are_rates(threshold):
    data = example_dict()
    data["stages"][1]["gates"][0]["threshold"] = threshold  # the dogfood escalation warning
    assert findings(data, daily_users=20_000, p_baseline=0.6) == []


def test_a_greater_or_equal_gate_with_an_effect_above_todays_rate_is_a_finding():
    data = example_dict()
    data["stages"][2]["gates"][0]["threshold"] = 0.62
    found = findings(data, daily_users=20_000, p_baseline=0.6)
    assert [(f.stage, f.problem) for f in found] == [
        ("Canary", "The gate task_success >= 0.62 is above today's rate (0.6): a model no worse than today would fail it.")
    ]
    assert found[0].fix == "Set it at or below 0.6, e.g. today's rate less the effect (0.58)."
    # without today's rate it cannot be checked
    assert findings(data) == []
    # at today's rate, or below, it is fine
    data["stages"][2]["gates"][0]["threshold"] = 0.6
    assert findings(data, daily_users=20_000, p_baseline=0.6) == []
    # a gate above today's rate without an effect is not this finding
    data = example_dict()
    data["stages"][3]["gates"][1]["threshold"] = 0.65  # resolution_rate, business, no effect
    assert findings(data, daily_users=20_000, p_baseline=0.6) == []
    # nor a <= gate with an effect (in the canary: dogfood has no control group to test against)
    data = example_dict()
    data["stages"][2]["gates"].append({"metric": "escalation_rate", "layer": "online", "comparison": "<=", "threshold": 0.7, "effect": 0.02})
    assert findings(data, p_baseline=0.6) == []


def test_an_online_blocker_without_an_effect_in_a_partial_exposed_stage_is_a_finding():
    data = example_dict()
    del data["stages"][2]["gates"][0]["effect"]
    found = findings(data)
    assert [(f.stage, f.problem) for f in found] == [
        ("Canary", "The online blocker on task_success does not say what change it must detect.")
    ]
    assert "effect: -0.02" in found[0].fix
    assert problems(findings(data, daily_users=20_000, p_baseline=0.6)) == problems(found)
    # a warning without an effect is fine
    data["stages"][2]["gates"][0]["severity"] = "warning"
    assert findings(data) == []
    assert "effect" not in data["stages"][1]["gates"][0] and data["stages"][1]["gates"][0]["severity"] == "warning"


def test_online_blockers_without_an_effect_are_fine_where_there_is_no_control_group():
    online_blocker = {"metric": "task_success", "layer": "online", "comparison": ">=", "threshold": 0.5, "severity": "blocker"}
    data = example_dict()
    data["stages"][0]["gates"].append(dict(online_blocker))  # shadow: nobody sees it
    data["stages"][4]["gates"].append(dict(online_blocker))  # full: everyone sees it
    assert findings(data, daily_users=20_000, p_baseline=0.6) == []
    # a 100% stage that is not the last (a ramp to everyone) has no control either
    data = example_dict()
    data["stages"][3]["traffic_share"] = 1.0
    del data["stages"][3]["gates"][0]["effect"]
    assert findings(data) == []


@pytest.mark.parametrize("threshold, share", [(30, "0.3"), (-0.5, "-0.005"), (1.5, "0.015")])
def test_a_kill_switch_threshold_outside_zero_one_is_a_finding(threshold, share):
    data = example_dict()
    data["kill_switch"]["threshold"] = threshold
    found = findings(data, daily_users=20_000, p_baseline=0.6)
    assert [(f.stage, f.problem) for f in found] == [("kill switch", f"The threshold {threshold:g} is not a share.")]
    assert found[0].fix == f"Write it as a share between 0 and 1: {share}."
    # 1 is a share (the trigger's words must say the same number: 100%)
    data["kill_switch"].update(threshold=1, trigger="escalation rate at 100% on any day")
    assert findings(data) == []


# --- save_plan_to_portfolio ---------------------------------------------------------------------------------


def test_save_plan_to_portfolio_refuses_a_plan_with_findings_and_lists_them(tmp_path, monkeypatch):
    monkeypatch.setenv("AIPM_WORK_DIR", str(tmp_path))
    data = example_dict()
    data["stages"][2]["gates"][0]["threshold"] = 58
    data["kill_switch"]["threshold"] = 30
    found = r.validate_plan(data, 20_000, 0.6)
    assert len(found) == 2
    text = r.save_plan_to_portfolio(data, 20_000, 0.6)
    assert text.startswith("Not saved yet: the validator still has 2 finding(s). Fix them, then run this cell again:")
    for f in found:
        assert f"\n- {f}" in text
    assert text.splitlines()[1:] == [f"- {f}" for f in found]
    assert list(tmp_path.iterdir()) == []
    # a plan that cannot be read is not saved either
    assert r.save_plan_to_portfolio("feature: [1, 2\n", 20_000, 0.6).startswith("Not saved: the plan cannot be read.")
    assert list(tmp_path.iterdir()) == []


def test_save_plan_to_portfolio_saves_a_plan_without_findings(tmp_path, monkeypatch):
    import matplotlib.pyplot as plt

    monkeypatch.setenv("AIPM_WORK_DIR", str(tmp_path))
    open_before = set(plt.get_fignums())
    text = r.save_plan_to_portfolio(r.example_plan(), 20_000, 0.6)
    assert text.endswith("It passes the validator.")
    yaml_path, md_path = tmp_path / "portfolio" / "05_rollout_plan.yaml", tmp_path / "portfolio" / "05_rollout_plan.md"
    assert r.load_plan(yaml_path) == r.example_plan()
    assert "the plan takes 36 days in all" in md_path.read_text(encoding="utf-8")
    # the timeline figure is saved beside them, and no figure is left open (a notebook would show it twice)
    from PIL import Image

    with Image.open(tmp_path / "portfolio" / "05_rollout_plan.png") as image:
        assert image.format == "PNG" and image.width > 400
    assert "05_rollout_plan.png" in text
    assert set(plt.get_fignums()) == open_before


# --- drift ------------------------------------------------------------------------------------------


def test_psi_hand_worked_with_reference_quantile_bins():
    reference = np.arange(1, 21)  # quartile edges 5.75, 10.5, 15.25: five values in each bin
    current = [1, 2, 6, 7, 8, 9, 10, 11, 12, 16]  # shares 0.2, 0.5, 0.2, 0.1
    expected = (
        (0.2 - 0.25) * math.log(0.2 / 0.25)
        + (0.5 - 0.25) * math.log(0.5 / 0.25)
        + (0.2 - 0.25) * math.log(0.2 / 0.25)
        + (0.1 - 0.25) * math.log(0.1 / 0.25)
    )
    assert expected == pytest.approx(0.3330, abs=1e-4)
    assert r.population_stability_index(reference, current, bins=4) == pytest.approx(expected)
    # two bins cut at the median 10.5: current has 7 below and 3 above
    expected2 = (0.7 - 0.5) * math.log(0.7 / 0.5) + (0.3 - 0.5) * math.log(0.3 / 0.5)
    assert r.population_stability_index(reference, current, bins=2) == pytest.approx(expected2)


def test_psi_counts_an_empty_bin_as_a_tiny_share():
    reference = np.arange(1, 21)
    current = [1] * 10  # all in the first quartile; the other three bins are empty
    expected = (1 - 0.25) * math.log(1 / 0.25) + 3 * (0.0001 - 0.25) * math.log(0.0001 / 0.25)
    assert r.population_stability_index(reference, current, bins=4) == pytest.approx(expected)


def test_identical_samples_are_stable():
    x = np.random.default_rng(0).normal(size=1_000)
    assert r.population_stability_index(x, x) == pytest.approx(0, abs=1e-12)
    report = r.drift_check(x, x)
    assert report.level == "stable" and report.ks_statistic == 0 and report.ks_pvalue == pytest.approx(1)
    assert "PSI 0.000 (stable: no action)" in str(report)


def test_shifted_normal_is_significant_and_a_small_shift_moderate():
    rng = np.random.default_rng(1)
    reference = rng.normal(size=20_000)
    assert r.drift_check(reference, rng.normal(1.0, 1.0, size=20_000)).level == "significant"
    # for a shift of μ standard deviations the PSI is about μ² (the symmetric KL divergence)
    moderate = r.drift_check(reference, rng.normal(0.4, 1.0, size=20_000))
    assert moderate.psi == pytest.approx(0.16, abs=0.04) and moderate.level == "moderate"
    assert r.drift_check(reference, rng.normal(size=20_000)).level == "stable"


@pytest.mark.parametrize("psi, level", [(0.0, "stable"), (0.0999, "stable"), (0.1, "moderate"), (0.2499, "moderate"), (0.25, "significant"), (3.0, "significant")])
def test_drift_levels_at_their_boundaries(psi, level):
    assert r.DriftReport(psi, 0.1, 0.5).level == level


@pytest.mark.parametrize("seed", range(3))
def test_ks_matches_scipy(seed):
    rng = np.random.default_rng(seed)
    reference, current = rng.normal(size=300), rng.normal(0.2, 1.2, size=200)
    expected = stats.ks_2samp(reference, current)
    report = r.drift_check(reference, current)
    assert report.ks_statistic == pytest.approx(expected.statistic)
    assert report.ks_pvalue == pytest.approx(expected.pvalue)
    assert report.psi == pytest.approx(r.population_stability_index(reference, current))


@pytest.mark.parametrize("reference, current, message", [
    (list(range(9)), list(range(20)), "reference needs at least 10 values to compare distributions, got 9"),
    (list(range(20)), [1.0] * 5, "current needs at least 10 values to compare distributions, got 5"),
    (list(range(19)) + [math.nan], list(range(20)), "reference must hold finite numbers; found NaN or infinite values"),
    (list(range(20)), list(range(19)) + [math.inf], "current must hold finite numbers; found NaN or infinite values"),
    (["a"] * 20, list(range(20)), "reference must be a list or array of numbers"),
])
def test_drift_rejects_bad_samples(reference, current, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        r.population_stability_index(reference, current)
    with pytest.raises(ValueError, match=re.escape(message)):
        r.drift_check(reference, current)


@pytest.mark.parametrize("bins", [1, 0, 101, 2.5, True, "10"])
def test_psi_rejects_bins_out_of_range(bins):
    with pytest.raises(ValueError, match=rf"bins must be a whole number from 2 to 100, got {re.escape(repr(bins))}"):
        r.population_stability_index(list(range(20)), list(range(20)), bins=bins)


# --- properties ---------------------------------------------------------------------------------------


proportion = st.floats(0.01, 0.95, allow_nan=False)


@settings(max_examples=50, deadline=None)
@given(proportion, st.floats(0.001, 0.5), st.floats(0.001, 0.5))
def test_sample_size_does_not_grow_as_the_gap_grows(p1, gap_a, gap_b):
    small, large = sorted((gap_a, gap_b))
    assume(p1 + large < 0.99 and small < large)
    assert r.sample_size_per_arm(p1, p1 + large) <= r.sample_size_per_arm(p1, p1 + small)


@settings(max_examples=50, deadline=None)
@given(proportion, st.floats(0.001, 0.3), st.floats(0.5, 0.99), st.floats(0.5, 0.99))
def test_sample_size_grows_with_power(p1, gap, power_a, power_b):
    assume(p1 + gap < 0.99)
    low, high = sorted((power_a, power_b))
    assert r.sample_size_per_arm(p1, p1 + gap, power=low) <= r.sample_size_per_arm(p1, p1 + gap, power=high)


# --- metric directions: a rise in escalations is the harm (the issue's hostile plan) ---------------------


def test_each_metric_knows_which_way_is_better():
    assert {name: m.higher_is_better for name, m in r.METRICS.items()} == {
        "groundedness": True, "task_success": True, "escalation_rate": False, "resolution_rate": True,
    }
    assert r.DEFAULT_BASELINES == {name: m.baseline for name, m in r.METRICS.items()}
    assert r.DEFAULT_BASELINES["escalation_rate"] == 0.15 and r.DEFAULT_BASELINES["task_success"] == 0.60
    success, escalation = r.METRICS["task_success"], r.METRICS["escalation_rate"]
    assert (success.harmful_sign, success.healthy_comparison) == (-1, ">=")
    assert (escalation.harmful_sign, escalation.healthy_comparison) == (1, "<=")
    assert success.effect_example() == "effect: -0.02 for a two-point drop in task_success"
    assert escalation.effect_example() == "effect: 0.02 for a two-point rise in escalation_rate"


def test_the_example_plan_gates_escalations_the_way_their_harm_goes():
    gate = r.example_plan().stage("ramp").gates[2]
    assert (gate.metric, gate.comparison, gate.threshold, gate.severity, gate.effect) == ("escalation_rate", "<=", 0.2, "blocker", 0.05)
    assert gate.threshold == pytest.approx(r.DEFAULT_BASELINES["escalation_rate"] + gate.effect)


def test_the_advice_for_a_missing_effect_has_the_sign_of_the_metrics_harm():
    data = example_dict()
    del data["stages"][2]["gates"][0]["effect"]  # task_success: higher is better
    del data["stages"][3]["gates"][2]["effect"]  # escalation_rate: higher is worse
    fixes = {f.stage: f.fix for f in findings(data) if "does not say what change" in f.problem}
    assert fixes == {
        "Canary": "Add its `effect`, e.g. effect: -0.02 for a two-point drop in task_success; the stage's length depends on it.",
        "Ramp": "Add its `effect`, e.g. effect: 0.02 for a two-point rise in escalation_rate; the stage's length depends on it.",
    }
    data["stages"][2]["gates"][0]["metric"] = "complaint_rate"  # a metric the kit does not know: both signs explained
    fix = next(f.fix for f in findings(data) if f.stage == "Canary" and "does not say" in f.problem)
    assert "-0.02 for a two-point drop in a rate where higher is better" in fix and "0.02 for a rise in one where higher is worse" in fix


@pytest.mark.parametrize("stage, gate, effect, message, fix", [
    (3, 2, -0.02, "The gate on escalation_rate watches for a fall (-0.02), but for escalation_rate higher is worse: the harm to catch is a rise.",
     "Give the effect the sign of the harm: effect: 0.02 for a two-point rise in escalation_rate."),
    (2, 0, 0.03, "The gate on task_success watches for a rise (+0.03), but for task_success higher is better: the harm to catch is a fall.",
     "Give the effect the sign of the harm: effect: -0.03 for a three-point drop in task_success."),
])
def test_an_effect_with_the_wrong_sign_for_its_metric_is_a_finding(stage, gate, effect, message, fix):
    data = example_dict()
    data["stages"][stage]["gates"][gate]["effect"] = effect
    found = findings(data)
    assert [(f.stage, f.problem, f.fix) for f in found] == [(data["stages"][stage]["kind"].capitalize(), message, fix)]


def test_a_gate_comparison_against_its_metrics_direction_is_a_finding():
    data = example_dict()
    data["stages"][3]["gates"][2]["comparison"] = ">="
    found = findings(data)
    assert [(f.stage, f.problem, f.fix) for f in found] == [(
        "Ramp",
        "The gate escalation_rate >= 0.2 passes the models it should stop: for escalation_rate higher is worse, so a healthy stage reads escalation_rate <= the threshold.",
        'Use "<=".',
    )]
    # a metric the kit does not know is not judged
    data["stages"][3]["gates"][2]["metric"] = "complaint_rate"
    assert findings(data) == []


@pytest.mark.parametrize("trigger, threshold, ok", [
    ("escalation above 25%", 0.4, False),  # the issue's kill switch
    ("escalation above 25%", 0.25, True),
    ("escalation rate above 30% on any day", 0.3, True),
    ("escalations over 30 percent, two days running", 0.3, True),
    ("escalations over 30 per cent on a day", 0.25, False),
    ("escalation rate above 0.3 for 2 days", 0.3, True),
    ("escalation rate above 0.3 for 2 days", 0.2, False),
    ("escalation rate above 12.5% on any day", 0.125, True),
    ("escalations above the weekly average", 0.3, True),  # no number in the words: nothing to contradict
])
def test_a_kill_switch_threshold_must_be_the_number_its_trigger_names(trigger, threshold, ok):
    data = example_dict()
    data["kill_switch"].update(trigger=trigger, threshold=threshold)
    found = [f for f in findings(data) if f.stage == "kill switch"]
    assert (found == []) is ok, found
    if not ok:
        assert found[0].problem.startswith("The trigger says ") and f"but the threshold is {threshold:g}" in found[0].problem


def test_the_issue_kill_switch_message_in_full():
    data = example_dict()
    data["kill_switch"] = {"trigger": "escalation above 25%", "metric": "escalation_rate", "comparison": "<=", "threshold": 0.4}
    assert [str(f) for f in findings(data)] == [
        "kill switch: The trigger says 25%, but the threshold is 0.4 (40%): the switch would fire at another level than the plan promises. "
        "Fix: Make them agree: a threshold of 0.25, or other words."
    ]


def test_a_kill_switch_comparison_against_its_metrics_direction_is_a_finding():
    data = example_dict()
    data["kill_switch"]["comparison"] = ">="
    assert [(f.stage, f.problem, f.fix) for f in findings(data)] == [(
        "kill switch",
        "The comparison is the healthy condition, the one that keeps the feature on: escalation_rate <= 0.3 means it is switched off above 30%.",
        'Use "<=".',
    )]
    data["kill_switch"] = {"trigger": "task success below 50%", "metric": "task_success", "comparison": ">=", "threshold": 0.5}
    assert findings(data) == []


@pytest.mark.parametrize("rollback, ok", [
    ("x", False),
    ("roll back", False),
    ("roll it back asap", False),
    ("Switch the flag off; page on-call.", True),
    ("Feature flag off: questions go to the current help-centre search; the on-call engineer is paged.", True),
])
def test_the_rollback_must_be_a_procedure(rollback, ok):
    data = example_dict()
    data["rollback"] = rollback
    found = findings(data)
    assert (found == []) is ok
    if not ok:
        assert [(f.stage, f.problem) for f in found] == [("plan", f"The rollback {rollback!r} is not a procedure.")]


def test_a_kill_switch_trigger_of_a_word_or_two_says_nothing():
    data = example_dict()
    data["kill_switch"]["trigger"] = "x"
    assert [f.problem for f in findings(data)] == ["The trigger 'x' does not say when the feature is switched off."]


def test_the_issue_hostile_plan_passes_no_longer():
    data = example_dict()
    escalation = {"metric": "escalation_rate", "layer": "online", "comparison": "<=", "threshold": 0.4, "severity": "blocker", "effect": -0.02}
    data["stages"][2]["gates"].append(dict(escalation))
    data["stages"][3]["gates"][2] = dict(escalation)
    data["kill_switch"] = {"trigger": "escalation above 25%", "metric": "escalation_rate", "comparison": "<=", "threshold": 0.4}
    data["rollback"] = "x"
    found = findings(data, daily_users=25_000, p_baseline=0.6)
    assert [f.stage for f in found] == ["kill switch", "plan", "Canary", "Ramp"]


@pytest.mark.parametrize("metric, change", [("task_success", -0.10), ("escalation_rate", 0.10)])
def test_the_example_plan_stops_a_ten_point_regression_in_every_seed(metric, change):
    shipped = [seed for seed in range(20) if r.simulate_rollout(r.example_plan(), 20_000, changes=[r.Regression(metric, change)], seed=seed).reached_full]
    assert shipped == []


@pytest.mark.parametrize("effect", [0.02, -0.02])
def test_the_test_against_the_control_looks_for_a_rise_in_escalations_whatever_the_effects_sign(effect):
    data = example_dict()
    data["stages"][3]["gates"][2].update(threshold=None, effect=effect)  # only the test against the control can stop it

    def runs(change):
        return [r.simulate_rollout(data, 20_000, changes=[r.Regression("escalation_rate", change)], seed=s) for s in range(10)]

    assert all(x.stop_stage == "Ramp" for x in runs(0.03))
    # a fall is never stopped by the escalation test (another gate's false alarm now and then is not this test)
    assert not any("escalation_rate" in x.reason for x in runs(-0.03))


# --- the kill switch judges enough users: a day's rate on a dozen is noise ----------------------


def new_model_counts(plan, result, daily_users, metric="escalation_rate"):
    """(day, hits, users) of ``metric`` on the new model for each exposed day of a simulation, from its records."""
    exposed = {s.title: s.exposed for s in plan.stages}
    out = []
    for d in result.days:
        if exposed[d["stage"]] and metric in d:
            n = round(daily_users * d["share"])
            out.append((d["day"], round(d[metric] * n), n))
    return out


def test_at_a_dozen_users_a_day_a_daily_kill_switch_stops_a_healthy_model_and_the_window_does_not():
    # 600 users a day: the lesson's dogfood (2%) sees 12 a day, and at 15% escalations one day in 11
    # tops 30% by chance. Read daily, the switch ends most healthy launches (1 − (10/11)^7 ≈ 49% in
    # dogfood alone, then the canary's 30 a day for 84 days); judged on at least 100 users (the
    # default), none.
    plan = r.example_plan()
    daily = [r.simulate_rollout(plan, 600, seed=s, kill_min_users=1) for s in range(20)]
    windowed = [r.simulate_rollout(plan, 600, seed=s) for s in range(20)]
    assert r.KILL_SWITCH_MIN_USERS == 100
    assert sum(x.reason.startswith("Kill switch") for x in daily) >= 15
    assert [x for x in windowed if x.reason.startswith("Kill switch")] == []
    assert sum(x.reached_full for x in windowed) >= 16  # the rest: the gates' tests against the control (alpha)
    # the window changes only the switch: the same seed draws the same days
    assert daily[0].days == windowed[0].days[: len(daily[0].days)]


def test_a_quiet_day_is_judged_with_the_days_before_it_until_they_hold_100_users():
    plan = r.example_plan()
    storm = r.Regression("escalation_rate", 0.25, start_day=8, drift=True)  # 15% -> 40% for everyone, from dogfood's first day
    result = r.simulate_rollout(plan, 600, changes=[storm], seed=0)
    counts = new_model_counts(plan, result, 600)
    # dogfood days 8-14 hold 12 users each (84 in all): too few, the switch waits; the canary's first
    # day (30 users) with the six dogfood days before it holds 102: 44 escalations, 43.1%
    assert [n for _, _, n in counts] == [12] * 7 + [30]
    window = counts[-7:]
    hits, users = sum(h for _, h, _ in window), sum(n for _, _, n in window)
    assert users == 102 and sum(n for _, _, n in counts[-6:]) < 100
    assert result.stop_day == 15 and result.stop_stage == "Canary"
    # the message names the threshold the switch used, not the trigger's words (which say "on any day")
    assert result.reason == (
        f"Kill switch on day 15 in Canary: escalation_rate was {hits / users:.1%} over the last 7 days (102 users), "
        "above the switch's threshold of 30%. Rolled back."
    )
    # read daily it fires on the first dogfood day, on 12 users
    daily = r.simulate_rollout(plan, 600, changes=[storm], seed=0, kill_min_users=1)
    assert daily.stop_day == 8 and daily.reason.startswith("Kill switch on day 8 in Dogfood: escalation_rate was")


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("changes", [(), (r.Regression("escalation_rate", 0.2, start_day=7, drift=True),), (r.Regression("task_success", -0.04, start_day=10),)])
def test_at_the_lessons_traffic_every_day_holds_100_users_so_the_window_changes_nothing(seed, changes):
    # 20,000 a day: the smallest stage (dogfood, 2%) shows the new model to 400 a day, so each day is judged alone
    # and lesson 05's simulated rollouts read as before
    assert min(round(20_000 * s.traffic_share) for s in r.example_plan().stages if s.exposed) >= r.KILL_SWITCH_MIN_USERS
    assert r.simulate_rollout(r.example_plan(), 20_000, changes=changes, seed=seed) == r.simulate_rollout(
        r.example_plan(), 20_000, changes=changes, seed=seed, kill_min_users=1)


@pytest.mark.parametrize("value", [0, -5, 1.5, True, "100", None])
def test_kill_min_users_must_be_a_whole_number_of_users(value):
    with pytest.raises(ValueError, match=re.escape(f"kill_min_users must be a whole number of users, 1 or more, got {value!r}")):
        r.simulate_rollout(r.example_plan(), 20_000, kill_min_users=value)


def kill_noise_findings(data, daily_users, p_baseline=0.6):
    return [f for f in r.validate_plan(data, daily_users, p_baseline) if f.stage == "kill switch"]


def test_a_kill_switch_read_on_each_days_two_dozen_users_is_a_finding_in_full():
    # 1,200 a day: dogfood shows 24 users a day for 7 days, the canary 60 a day for 84; more than 30%
    # escalations is 8 or more of 24, 19 or more of 60
    data = example_dict()
    days = {i.stage.title: i.days for i in r.schedule(data, 1_200, 0.6)}
    assert (days["Dogfood"], days["Canary"]) == (7, 84)
    dogfood, canary = stats.binom.sf(7, 24, 0.15), stats.binom.sf(18, 60, 0.15)
    launches = 1 - (1 - dogfood) ** 7 * (1 - canary) ** 84
    assert 1 - (1 - dogfood) ** 7 > 1 - (1 - canary) ** 84  # dogfood is the stage that does it
    assert round(1 / dogfood) == 50 and f"{launches:.0%}" == "19%"
    assert [str(f) for f in kill_noise_findings(data, 1_200)] == [
        "kill switch: It watches escalation_rate on each day's users, and Dogfood shows the new model to only 24 users a day: "
        "at today's 15%, one ordinary day in 50 goes above 30% by chance, so one bad day would switch off a model as good as "
        "today's in 19% of launches. Fix: Judge it on a window of at least 100 users, the last few days together when a day "
        "has fewer, and say so in the trigger, e.g. \"escalation rate above 30% over the last 100 users\"; or give every "
        "exposed stage at least 100 users a day."
    ]


@pytest.mark.parametrize("daily_users, flagged", [(600, True), (1_200, True), (2_000, False), (20_000, False)])
def test_the_kill_switch_noise_finding_needs_few_users_and_real_noise(daily_users, flagged):
    # at 2,000 a day (lesson 05's "ten times less traffic") dogfood's 40 a day cross 30% on one day in
    # 232: 3% of launches, below KILL_SWITCH_NOISE; the stage lengths are what the validator flags there
    assert bool(kill_noise_findings(example_dict(), daily_users)) is flagged
    assert 1 - (1 - stats.binom.sf(12, 40, 0.15)) ** 7 < r.KILL_SWITCH_NOISE


@pytest.mark.parametrize("trigger, flagged", [
    ("escalation rate above 30% on any day", True),
    ("escalation rate above 30% over the last 100 tickets", False),
    ("escalation rate above 30% over the last 1,000 new-model tickets", False),
    ("escalation rate above 30% over 200 or more users", False),
    ("escalation rate above 30% over the last 50 tickets", True),  # a window still too small
    ("escalation rate above 30 percent, two days running", True),  # no count of users in the words
    ("escalation rate above 30% over 100 days", True),
])
def test_a_trigger_that_names_a_window_of_100_users_clears_the_noise_finding(trigger, flagged):
    data = example_dict()
    data["kill_switch"]["trigger"] = trigger
    assert bool(kill_noise_findings(data, 600)) is flagged


def test_the_noise_finding_follows_the_metrics_direction_and_stays_quiet_when_a_window_is_no_fix():
    data = example_dict()
    # task success below 40%: at 60% today, 11 or fewer of the canary's 30 a day (for its long run at
    # 600 a day, the stage that does most harm), 4 or fewer of dogfood's 12
    data["kill_switch"] = {"trigger": "task success below 40% on any day", "metric": "task_success", "comparison": ">=", "threshold": 0.4}
    (found,) = kill_noise_findings(data, 600)
    assert found.problem.startswith("It watches task_success on each day's users, and Canary shows the new model to only 30 users a day")
    assert f"at today's 60%, one ordinary day in {1 / stats.binom.cdf(11, 30, 0.6):,.0f} goes below 40% by chance" in found.problem
    assert 'e.g. "task success below 40% over the last 100 users"' in found.fix
    # escalations above 16%: even 100 users a day cross it on two days in five, so a window is no
    # fix; the simulated rollouts show the switch firing, and a threshold further off is the advice
    data = example_dict()
    data["kill_switch"].update(trigger="escalation rate above 16% on any day", threshold=0.16)
    assert stats.binom.sf(16, 100, 0.15) > 0.3
    assert kill_noise_findings(data, 600) == []
    # no validation of traffic without both numbers, as for the stage lengths
    assert [f for f in r.validate_plan(example_dict(), daily_users=600) if f.stage == "kill switch"] == []


# --- dogfood is the staff: no customer is exposed, and there is no control group --------------------


@pytest.mark.parametrize("kind, exposed, customers, control", [
    ("shadow", False, False, False), ("dogfood", True, False, False), ("pilot", True, True, True),
    ("canary", True, True, True), ("ramp", True, True, True), ("full", True, True, False),
])
def test_who_meets_each_stage(kind, exposed, customers, control):
    stage = r.Stage(kind, 1.0 if kind == "full" else 0.1, 7)
    assert (stage.exposed, stage.customers_exposed, stage.has_control) == (exposed, customers, control)


def test_dogfood_counts_no_customer_in_the_schedule_the_markdown_or_the_blast_radius():
    plan = r.example_plan()
    dogfood = r.schedule(plan, 20_000, 0.6)[1]
    assert dogfood.stage.kind == "dogfood" and dogfood.exposure == 0 and dogfood.days_needed is None
    text = r.plan_to_markdown(plan, 20_000, 0.6)
    assert "| Dogfood | staff only, no customers (their use: 2% of the daily volume) | 7 days |" in text
    assert "- Dogfood: days 8 to 14 (7 days, staff only, no customers exposed)" in text
    assert "No customer is exposed." in r.STAGE_PURPOSE["dogfood"]


def test_a_large_dogfood_before_a_small_canary_is_in_order():
    # the staff's use is no share of customers: a 10% dogfood may come before a 5% canary
    data = example_dict()
    data["stages"][1]["traffic_share"] = 0.1
    assert [s.traffic_share for s in r.plan_from_dict(data).stages][1:3] == [0.1, 0.05]
    # but a ramp below the canary is still out of order
    data["stages"][3]["traffic_share"] = 0.04
    with pytest.raises(r.PlanError, match="Ramp .4%. exposes fewer users than Canary before it .5%."):
        r.plan_from_dict(data)


def test_a_test_of_an_effect_in_dogfood_is_a_finding_and_is_never_run():
    data = example_dict()
    data["stages"][1]["gates"][0]["effect"] = 0.05
    found = findings(data, daily_users=20_000, p_baseline=0.6)
    assert [(f.stage, f.problem) for f in found] == [(
        "Dogfood",
        "The gate on escalation_rate asks for a test of an effect (+0.05), but dogfood has no control group: the staff are not a random share of customers.",
    )]
    assert r.schedule(data, 20_000, 0.6)[1].days_needed is None
    # a rise in escalations is not stopped in dogfood by a test: only the ramp's blocker stops it
    result = r.simulate_rollout(data, 20_000, changes=[r.Regression("escalation_rate", 0.04)], seed=0)
    assert result.stop_stage == "Ramp"


# --- the kill switch says the threshold it used --------------------------------------------------------


def test_the_kill_switch_message_names_its_threshold_not_the_triggers_words():
    data = example_dict()
    data["kill_switch"]["trigger"] = "escalation rate above 25% on any day"  # words that disagree with the 0.3
    assert any(f.stage == "kill switch" and "The trigger says 25%, but the threshold is 0.3" in f.problem for f in findings(data))
    result = r.simulate_rollout(data, 20_000, changes=[r.Regression("escalation_rate", 0.3, start_day=15)], seed=0)
    assert result.reason.startswith("Kill switch on day 15 in Canary: escalation_rate was ")
    assert result.reason.endswith(", above the switch's threshold of 30%. Rolled back.")
    assert "25%" not in result.reason and data["kill_switch"]["trigger"] not in result.reason


# --- experiments that lie: the full week, and a test read every day --------------------------------------


def test_a_stage_shorter_than_a_week_that_reads_users_is_a_warning():
    data = example_dict()
    data["stages"][2]["min_days"] = 5  # the canary
    found = findings(data)
    assert [(f.stage, f.severity, f.fix) for f in found] == [("Canary", "warning", "Run it for at least 7 days, in whole weeks.")]
    assert found[0].problem.startswith("5 days miss part of the weekly cycle: weekday and weekend users behave differently")
    # shadow mode reads offline cases only, and a full launch is the end: neither is held to a week
    data = example_dict()
    data["stages"][0]["min_days"] = 3
    data["stages"][4]["min_days"] = 1
    assert findings(data) == []
    # dogfood reads the staff's behaviour: a week too
    data["stages"][1]["min_days"] = 4
    assert [f.stage for f in findings(data)] == ["Dogfood"]


def daily_read(correction=None, days=14):
    data = example_dict()
    gate = data["stages"][2]["gates"][0]
    gate["read"] = "daily"
    if correction is not None:
        gate["correction"] = correction
    data["stages"][2]["min_days"] = days
    return data


def test_read_and_correction_are_read_from_the_plan_and_round_trip():
    plan = r.plan_from_dict(daily_read("obrien-fleming"))
    gate = plan.stage("canary").gates[0]
    assert (gate.read, gate.correction, gate.daily, gate.corrected) == ("daily", "obrien-fleming", True, True)
    assert str(gate) == "task_success >= 0.58 (online, blocker, read daily with obrien-fleming lines)"
    assert r.load_plan(r.plan_to_yaml(plan)) == plan
    plain = r.plan_from_dict(daily_read()).stage("canary").gates[0]
    assert str(plain) == "task_success >= 0.58 (online, blocker, read daily, no correction)" and not plain.corrected
    # a gate that says nothing is read once, at the end, and its dict stays as it was
    assert r.example_plan().stage("canary").gates[0].read is None
    assert "read" not in example_dict()["stages"][2]["gates"][0]


@pytest.mark.parametrize("field, value, message", [
    ("read", "hourly", "stage 3 (canary), gate 1: `read` must be end or daily, got 'hourly'"),
    ("correction", "wald", "stage 3 (canary), gate 1: `correction` must be one of obrien-fleming, pocock, bonferroni, none, got 'wald'"),
    ("read", 1, "stage 3 (canary), gate 1: `read` must be text, got 1"),
])
def test_bad_read_or_correction_is_refused_with_its_place(field, value, message):
    data = example_dict()
    data["stages"][2]["gates"][0][field] = value
    with pytest.raises(r.PlanError, match=re.escape(message)):
        r.plan_from_dict(data)


def test_a_test_read_daily_without_correction_is_a_warning_with_the_peeking_rate():
    found = findings(daily_read())
    assert [(f.stage, f.severity) for f in found] == [("Canary", "warning")]
    # 14 daily looks at α = 0.05: about 22% of A/A tests cross the line on some day (the lesson's simulation)
    assert found[0].problem == (
        "The test on task_success is read every day for 14 days at α = 0.05 with no correction: a model no different from today's "
        "would look significantly different on some day in about 22% of stages, not 5% (about half of those on the harmful side, "
        "stopping a good model)."
    )
    assert "`correction: obrien-fleming`" in found[0].fix
    # the looks are the days the stage runs: at 2,000 users a day a canary planned for the 50 days its gate
    # needs runs 50 days (Armitage et al.: 0.320 at 50 looks)
    slow = [f for f in findings(daily_read(days=50), daily_users=2_000, p_baseline=0.6) if "read every day" in f.problem]
    assert "for 50 days" in slow[0].problem and "about 32% of stages" in slow[0].problem
    for correction in ("obrien-fleming", "pocock", "bonferroni"):
        assert findings(daily_read(correction)) == []
    assert [f.stage for f in findings(daily_read("none"))] == ["Canary"]  # "none" is no correction


def canary_false_stops(data, seeds=200):
    """Healthy rollouts stopped in the canary (its threshold out of reach: only the test can stop it)."""
    data["stages"][2]["gates"][0]["threshold"] = 0.3
    return sum(r.simulate_rollout(data, 20_000, seed=s).stop_stage == "Canary" for s in range(seeds))


def test_a_gate_read_daily_stops_more_good_models_unless_its_lines_are_corrected():
    # read once: about 2.5% (the harmful side of α = 0.05); read daily at 1.96: about half of 22%; with
    # O'Brien–Fleming lines: about 2.5% again
    end, daily, corrected = canary_false_stops(example_dict()), canary_false_stops(daily_read()), canary_false_stops(daily_read("obrien-fleming"))
    assert end <= 12 and corrected <= 12
    assert daily >= 12 and daily > 2 * max(end, corrected)


def test_a_corrected_daily_read_still_catches_a_real_drop_and_sooner():
    data = daily_read("obrien-fleming")
    results = [r.simulate_rollout(data, 20_000, changes=[r.Regression("task_success", -0.03)], seed=s) for s in range(40)]
    caught = [x for x in results if x.stop_stage == "Canary"]
    assert len(caught) >= 38
    assert np.mean([x.stop_day for x in caught]) < 28  # the end of the canary, where a read-once gate stops it
    assert caught[0].reason.startswith(f"Stopped on day {caught[0].stop_day} in Canary: task_success was")
    look = caught[0].stop_day - 14  # the canary's first day is day 15
    assert f"beyond the day's line of {sequential_bounds(14)[look - 1]:.2f} (look {look} of 14)" in caught[0].reason
