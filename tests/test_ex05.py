"""Exercise 05's questions: reference answers pass, known slips get their feedback, checks never raise."""

import copy
import math

import pytest
from scipy import stats

from aipm_course import rollout as r
from aipm_course.checking import ___, Outcome
from aipm_course.exercises import load
from aipm_course.exercises.ex05 import PLAN_SKELETON


@pytest.fixture(scope="module", params=[0, 2])
def ex(request, tmp_path_factory):
    import os

    os.environ["AIPM_WORK_DIR"] = str(tmp_path_factory.mktemp("work"))
    return load("05", seed=request.param)


def test_placeholders_and_the_skeleton_are_not_attempted(ex):
    assert all(q.check(___).outcome is Outcome.NOT_ATTEMPTED for q in ex.questions)
    assert ex.q11.check(copy.deepcopy(PLAN_SKELETON)).outcome is Outcome.NOT_ATTEMPTED


def test_q2_users_per_arm_by_hand(ex):
    d = ex.q2.data
    p1, p2 = d.p_baseline, d.p_treatment
    z_a, z_b = stats.norm.ppf(0.975), stats.norm.ppf(0.8)
    pbar = (p1 + p2) / 2
    n = math.ceil((z_a * math.sqrt(2 * pbar * (1 - pbar)) + z_b * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) ** 2 / (p2 - p1) ** 2)
    assert ex.q2.check(n).correct
    assert "total for both arms" in ex.q2.check(2 * n).message
    assert "thousands comma" in ex.q2.check(f"{n:,}").message


def test_q3_days_from_the_unequal_split(ex):
    d = ex.q3.data
    f = d.treatment_share
    total = r.sample_size(d.p_baseline, d.p_baseline + d.effect, f).total
    days = math.ceil(total / d.daily_users)
    assert ex.q3.check(days).correct
    if total != days:
        assert "users needed" in ex.q3.check(total).message


def test_q4_exact_detectable_effect_inverts_the_sample_size(ex):
    d = ex.q4.data
    mde = r.minimum_detectable_effect(d.p_baseline, d.n_per_arm)
    assert abs(r.sample_size_per_arm(d.p_baseline, d.p_baseline + mde) - d.n_per_arm) <= 1
    assert ex.q4.check(mde).correct
    assert "new rate" in ex.q4.check(d.p_baseline + mde).message


def test_q5_blast_radius_and_its_slips(ex):
    d = ex.q5.data
    radius = d.daily_users * d.traffic_share * (d.hours_to_detect + d.hours_to_rollback) / 24
    assert ex.q5.check(radius).correct
    assert "roll back" in ex.q5.check(d.daily_users * d.traffic_share * d.hours_to_detect / 24).message
    assert "24" in ex.q5.check(d.daily_users * d.traffic_share * (d.hours_to_detect + d.hours_to_rollback)).message


def test_q8_users_who_met_the_regression_recounted_from_the_days(ex):
    d = ex.q8.data
    sim = r.simulate_rollout(d.plan, d.daily_users, changes=[r.Regression("task_success", d.change, start_day=d.start_day)], seed=d.seed)
    recount = sum(round(rec["share"] * d.daily_users) for rec in sim.days if rec["day"] >= d.start_day and rec["stage"] != "Shadow")
    assert sim.stopped and not sim.reached_full
    assert ex.q8.check(recount).correct
    assert "day it stopped" in ex.q8.check(sim.stop_day).message


def test_q9_psi_and_rounding(ex):
    report = r.drift_check(ex.data.reference, ex.data.current)
    assert ex.q9.check(report.psi).correct
    assert ex.q9.check(round(report.psi, 3)).correct  # what drift_check prints is accepted
    assert "Kolmogorov" in ex.q9.check(report.ks_statistic).message


def test_choice_questions(ex):
    assert ex.q1.check(ex.q1.expected).correct and ex.q1.check(ex.q1.expected).message.startswith("Right.")
    wrong = next(k for k in ex.q1.spec.options if k != ex.q1.expected)
    assert not ex.q1.check(wrong).correct
    for q, right in ((ex.q6, "a"), (ex.q7, "a"), (ex.q10, "concept")):
        assert q.check(right).correct
    assert "inputs" in ex.q10.check("data").message


def _good_plan(daily_users):
    plan = r.plan_to_dict(r.example_plan())
    canary = plan["stages"][2]
    canary["min_days"] = max(canary["min_days"], r.days_to_detect(daily_users, 0.6, -0.02, canary["traffic_share"]))
    return plan


def test_save_plan_saves_only_a_plan_question_11_accepts(ex, tmp_path, monkeypatch):
    monkeypatch.setenv("AIPM_WORK_DIR", str(tmp_path))
    d = ex.q11.data
    folder = tmp_path / "portfolio"
    assert ex.save_plan(PLAN_SKELETON).startswith("Not saved yet: write the plan in question 11")
    no_ramp = _good_plan(d.daily_users)
    no_ramp["stages"] = [s for s in no_ramp["stages"] if s["kind"] != "ramp"]
    assert r.validate_plan(no_ramp, d.daily_users, d.p_baseline) == []  # the validator alone would save it
    for failing in (no_ramp, "feature: ["):
        assert ex.save_plan(failing).startswith("Not saved yet: question 11 still lists problems")
    assert not folder.exists() or not any(folder.iterdir())
    assert "passes the validator" in ex.save_plan(_good_plan(d.daily_users))
    assert r.load_plan((folder / "05_rollout_plan.yaml").read_text()) == r.plan_from_dict(_good_plan(d.daily_users))


def test_q11_accepts_the_lesson_plan_and_saves_it(ex, tmp_path, monkeypatch):
    monkeypatch.setenv("AIPM_WORK_DIR", str(tmp_path))
    d = ex.q11.data
    plan = _good_plan(d.daily_users)
    assert ex.q11.check(plan).correct
    message = r.save_plan_to_portfolio(plan, d.daily_users, d.p_baseline)
    assert "passes the validator" in message
    saved = (tmp_path / "portfolio" / "05_rollout_plan.yaml").read_text()
    assert r.load_plan(saved) == r.plan_from_dict(plan)


@pytest.mark.parametrize(
    "change, expected",
    [
        (lambda p: p["kill_switch"].update(comparison=">="), "healthy condition"),
        (lambda p: p["stages"][2]["gates"][0].update(threshold=58), "share between 0 and 1"),
        (lambda p: p["stages"][2]["gates"][0].update(metric="task sucess"), "not measured here"),
        (lambda p: p["stages"][2]["gates"][0].update(threshold=0.65), "above today's rate"),
        (lambda p: p["stages"][2]["gates"][0].pop("effect"), "does not say what change"),
        (lambda p: p.update(rollback=""), "rollback"),
        (lambda p: p["stages"].pop(3), "no ramp"),
    ],
)
def test_q11_broken_plans_are_explained(ex, change, expected):
    plan = _good_plan(ex.q11.data.daily_users)
    change(plan)
    result = ex.q11.check(plan)
    assert result.outcome is Outcome.INCORRECT
    assert expected in " ".join(result.details) + result.message


def test_q11_a_plan_whose_gates_never_stop_a_regression_fails(ex):
    plan = _good_plan(ex.q11.data.daily_users)
    for stage in plan["stages"]:
        for gate in stage["gates"]:
            if gate["metric"] == "task_success":
                gate.update(threshold=0.3, severity="warning")
    result = ex.q11.check(plan)
    assert result.outcome is Outcome.INCORRECT
    assert "task_success" in " ".join(result.details)


def test_q11_a_kill_switch_that_trips_on_a_healthy_day_is_named_as_the_cause(ex):
    plan = _good_plan(ex.q11.data.daily_users)
    plan["kill_switch"]["threshold"] = 0.16  # today's escalation rate is 15%: a noisy day goes over
    assert r.validate_plan(plan, ex.q11.data.daily_users, ex.q11.data.p_baseline) == []
    result = ex.q11.check(plan)
    assert result.outcome is Outcome.INCORRECT
    text = " ".join(result.details)
    assert "kill switch turned off a model as good as today's" in text and "15%" in text
    assert "loosen the gate" not in text


@pytest.mark.parametrize("answer", [None, "abc", [1, 2], float("nan"), len, {"stages": "x"}, "feature: [", r.example_plan])
def test_checks_never_raise(ex, answer):
    for q in ex.questions:
        q.check(answer)  # must not raise
