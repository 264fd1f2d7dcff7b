"""Exercise 07's questions (the capstone): the solved notebook's answers pass, the numbers are
recomputed here from the case's data with numpy and scipy (a threshold scan, a Clopper–Pearson
scan, headcounts and cost lines written out by hand), each named slip is recomputed here and gets
its own feedback, the answer that ignores each question's concept is refused for every seed 0–499
in every scenario, placeholders and starting points are "not attempted", and the portfolio save
helpers save only finished answers and never raise. The eval plan (q13, step 6) is checked with a
plan written out here: it passes, and each defect of this product's plan is named.

AIPM_WORK_DIR points at a temporary folder (a fresh one for each test that writes), so progress
records and portfolio files never touch the kit's my_work/. Progress recording is off
(AIPM_PROGRESS=0: each record is a locked file write) except in the test that shows the record
lands in that folder.

Question 4's defensible range is recomputed here for seeds 0-299 in every scenario: from the lower of
the closed form C_FP/(C_FP+C_FN) and the cheapest threshold on the data, up to the threshold that fills
80% of the seniors' capacity; a threshold that fills more than 85% passes only with hiring named.
Questions 6 and 7 count people to employ, written out here: hours of reviewing / (8 h x 85%) x 7/5 / 0.7.
"""

import copy
import functools
import math
import types
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

from aipm_course import briefs
from aipm_course.checking import ___, Outcome, decimals, significant, whole
from aipm_course.costs import CostInputs
from aipm_course.exercises import load
from aipm_course.exercises.ex07 import BUDGET_SKELETON, COST_SKELETON, EVAL_PLAN_SKELETON, THRESHOLD_SKELETON, CapstoneSet, case
from aipm_course.parameters import scenarios
from aipm_course.portfolio import SECTIONS, build_portfolio, save_budget_memo, save_cost_model, save_threshold_decision
from aipm_course.rollout import days_to_detect, example_plan, plan_to_dict, save_plan_to_portfolio
from aipm_course.scenarios import support_tickets, urgent_tickets
from reference_formulas import total_users  # noqa: E402

PARAMS = [(0, "default"), (3, "default"), (0, "legal_review"), (3, "legal_review"), (7, "ecommerce_search"), (11, "healthcare_triage")]
IDS = [f"seed{s}-{sc}" for s, sc in PARAMS]
ALL_SCENARIOS = list(scenarios())
HUMAN_T = 0.8  # the human threshold question 6 fixes
BUDGET = 0.05
RATIONALE = (
    "The seniors read 700 flags a day, so I accept a few more missed urgent tickets until we hire two more seniors next quarter."
)
NO_HIRING = "The seniors read 700 flags a day and a missed urgent ticket costs 30 times a false flag, so I flag at this level."
PLANNED, LEAST = 0.85, 0.80  # plan the seniors' flags at no more than 85% of capacity; below 80% they sit idle
# The precisions the prompts state, written out here (the checks must accept exactly these).
SIG3, DEC3, WHOLE_UP = significant(3), decimals(3), whole("up")


pytestmark = pytest.mark.usefixtures("quiet_work_folder")


@functools.cache
def _load(seed, scenario):
    return load("07", seed=seed, scenario=scenario)


@pytest.fixture(scope="module", params=PARAMS, ids=IDS)
def ex(request):
    return _load(*request.param)


def _wrong(question, answer):
    result = question.check(answer)
    assert result.outcome is Outcome.INCORRECT, (question.id, result)
    return result


def _details(question, answer):
    return " ".join(_wrong(question, answer).details)


def _slip(question, value, phrase, precision):
    """A slip distinct from the answer at the stated precision is refused with its own feedback."""
    if precision.indistinct(value, question.spec.expected):
        return False  # at this seed the slip gives the right answer: it is dropped, not named
    message = _wrong(question, value).message
    assert phrase in message, (question.id, value, phrase, message)
    return True


# --- independent computations ---------------------------------------------------------------


def _scan(y_true, scores, cost_fp, cost_fn):
    """Every distinct score as a threshold (flag when score >= t): flags, urgent flagged and cost."""
    y = np.asarray(y_true).astype(bool)
    s = np.asarray(scores, dtype=float)
    t = np.unique(s)
    flagged = len(s) - np.searchsorted(np.sort(s), t, side="left")
    tp = y.sum() - np.searchsorted(np.sort(s[y]), t, side="left")
    fp, fn = flagged - tp, y.sum() - tp
    return t, flagged, tp, fp * cost_fp + fn * cost_fn


def _cheapest_and_capacity(u):
    t, flagged, tp, cost = _scan(u.y_true, u.scores, u.cost_fp, u.cost_fn)
    i = int(np.nonzero(cost == cost.min())[0][-1])  # among equal costs, the highest threshold (fewest flags)
    n = len(u.scores)

    def fits(load):  # the lowest threshold whose flags a day fit this share of the seniors' capacity
        return float(t[int(np.nonzero(flagged / n * u.cases_per_day <= load * u.review_capacity_per_day + 1e-9)[0][0])])

    return {"cheapest": float(t[i]), "flagged": int(flagged[i]), "tp": int(tp[i]), "n": n, "capacity": fits(1.0),
            "headroom": fits(PLANNED), "least_load": fits(LEAST), "bayes": u.cost_fp / (u.cost_fp + u.cost_fn),
            "positives": int(np.asarray(u.y_true).astype(bool).sum())}


def _flags_a_day(u, threshold):
    return (np.asarray(u.scores) >= threshold).mean() * u.cases_per_day


@functools.cache
def _threshold_numbers(seed, scenario):
    u = _load(seed, scenario).case.urgent
    found = _cheapest_and_capacity(u)
    assert float(found["cheapest"]) > 0 and found["positives"] > 0
    # cross-check the scan at the cheapest threshold by brute force
    mask = np.asarray(u.scores) >= found["cheapest"]
    y = np.asarray(u.y_true).astype(bool)
    assert mask.sum() == found["flagged"] and (mask & y).sum() == found["tp"]
    return found


@functools.cache
def _briefing():
    """What the briefing (notebooks/07, seed 42, the lessons' numbers) shows."""
    u = urgent_tickets(42)
    found = _cheapest_and_capacity(u)
    return {"cheapest": found["cheapest"], "flags_a_day": found["flagged"] / found["n"] * 6_000}


def _served_bound(correct, confidence, t, level=0.95):
    served = np.asarray(confidence) >= t
    k = int(served.sum())
    e = int((~np.asarray(correct).astype(bool)[served]).sum())
    if k == 0 or e >= k:
        return 1.0
    return float(stats.beta.ppf(level, e + 1, k - e))  # one-sided Clopper–Pearson


def _served_counts(correct, confidence):
    """For each distinct confidence t (lowest first): tickets served (confidence >= t) and errors among them."""
    conf = np.asarray(confidence, dtype=float)
    wrong = ~np.asarray(correct).astype(bool)
    candidates = np.unique(conf)
    served = len(conf) - np.searchsorted(np.sort(conf), candidates, side="left")
    errors = wrong.sum() - np.searchsorted(np.sort(conf[wrong]), candidates, side="left")
    return candidates, served, errors


def _lowest_within(correct, confidence, budget=BUDGET, level=0.95, observed=False):
    candidates, served, errors = _served_counts(correct, confidence)
    if observed:
        rate = errors / served
    else:
        rate = np.where(errors >= served, 1.0, stats.beta.ppf(level, errors + 1, np.maximum(served - errors, 1)))
    return float(candidates[np.nonzero(rate <= budget)[0][0]])


@functools.cache
def _budget_numbers(seed, scenario):
    r = _load(seed, scenario).case.routing
    met = _lowest_within(r.correct, r.confidence)
    candidates = np.unique(np.asarray(r.confidence))
    return {"met": met, "observed_only": _lowest_within(r.correct, r.confidence, observed=True),
            "two_sided": _lowest_within(r.correct, r.confidence, level=0.975), "candidates": candidates}


def _people(c, share, rounded=True, shift=8.0, occupancy=0.85, shrinkage=0.30, days_open=7, days_worked=5):
    """Full-time triagers to employ for a share of the tickets, written out: hours of reviewing a day /
    (shift x occupancy) = people on the desk; x days open / days worked / (1 - shrinkage)."""
    hours = share * c.tickets_per_day * c.minutes_per_review / 60
    raw = hours / (shift * occupancy) * days_open / days_worked / (1 - shrinkage)
    return math.ceil(raw - 1e-9) if rounded else raw


def _below(c, human_threshold):
    return float((np.asarray(c.routing.confidence) < human_threshold).mean())


def _triagers(c, human_threshold, rounded=True, **assumptions):
    """People to employ when tickets below the human threshold go to a person."""
    return _people(c, _below(c, human_threshold), rounded, **assumptions)


def _solution_human(c):
    """The solved notebook's human threshold: the highest of 0.8, 0.75, ... whose people fit the team."""
    return next(h for h in (0.8, 0.75, 0.7, 0.65, 0.6) if _triagers(c, h) <= c.reviewers_available)


def _cost_lines(i):
    """Each pattern's fixed cost over the horizon, cost per query and success rate, from lesson 04's assumptions."""
    months = i.months
    retrains = sum(1 for k in range(1, 1000) if k * i.ft_retrain_every < months)  # none at the very end
    return {
        "prompt_only": (i.prompt_setup + months * i.prompt_monthly,
                        ((i.prompt_tokens + i.examples_tokens) * i.large_in + i.output_tokens * i.large_out) / 1e6, i.prompt_success),
        "rag": (i.rag_setup + months * i.rag_monthly,
                ((i.prompt_tokens + i.retrieved_tokens) * i.large_in + i.output_tokens * i.large_out) / 1e6 + i.rag_per_query_extra, i.rag_success),
        "fine_tuned": (i.ft_setup + months * i.ft_monthly + retrains * i.ft_retrain_cost,
                       (i.prompt_tokens * i.small_in + i.output_tokens * i.small_out) / 1e6, i.ft_success),
    }


def _per_success(i, days=None):
    queries = i.queries_per_day * (days if days is not None else i.months * 30)
    return {k: (fixed + queries * per_query) / (queries * success) for k, (fixed, per_query, success) in _cost_lines(i).items()}


def _break_even_volume(i, ft_fixed=None):
    (rag_fixed, rag_q, _), (ft_fixed_line, ft_q, _) = _cost_lines(i)["rag"], _cost_lines(i)["fine_tuned"]
    return ((ft_fixed_line if ft_fixed is None else ft_fixed) - rag_fixed) / (rag_q - ft_q)


# --- the solved notebook's answers, rebuilt -------------------------------------------------


def solution_brief():
    brief = briefs.brief_to_dict(briefs.load_example("support_triage"))
    brief["feature"] = "Urgent-ticket flag in the support triage copilot"
    brief["user_problem"] = (
        "About one ticket in twelve is urgent (an outage, a security problem, a customer about to leave), but it waits "
        "in the same queue as the rest: a senior agent sees it after five hours on average, and the promise is one hour."
    )
    brief["workflow"]["painful_step"] = "spotting the few urgent tickets among thousands, fast enough to act within the hour"
    brief["workflow"]["ai_role"] = "scores every ticket for urgency; tickets above the threshold go to the seniors' urgent queue with the reason"
    brief["human_in_the_loop"]["review"] = "a senior agent reads every flagged ticket within the hour; the flag never answers a customer"
    brief["human_in_the_loop"]["override"] = "agents can flag or unflag any ticket; each change is logged and used as a label"
    brief["why_ai"]["reason"] = "urgency shows in free text (an angry tone, 'nothing works', a security word) described many ways in three languages; keyword rules miss most of it"
    brief["why_ai"]["baseline"] = "today agents mark tickets urgent by hand; 38% of urgent tickets are marked, the rest wait in the normal queue"
    brief["data"]["labelling"] = "two senior agents label 1,000 tickets a month as urgent or not; disagreements go to the team lead"
    brief["evaluation"]["dataset"] = "4,000 recent tickets kept apart from threshold tuning, labelled urgent or not by two seniors, every channel and language (about 330 urgent)"
    brief["evaluation"]["failure_examples"] = "an outage report written calmly and missed; a routine complaint in capitals flagged; a security question in Spanish missed"
    brief["release"]["gates"] = "urgent recall at least 0.7 offline by its 95% lower bound, then urgent tickets seen within the hour at least 90% in the pilot, before each wider step"
    brief["monitoring"]["quality"] = "every week a senior reviews 100 unflagged tickets for missed urgent ones, and all flags marked 'not urgent'"
    brief["metrics"]["quality"] = [
        {"name": "urgent_recall", "comparison": ">=", "target": 0.7, "expected": 0.8, "eval_size": 320,
         "eval_set": "the urgent tickets among the 4,000 held-out tickets labelled by two seniors"},
        {"name": "urgent_precision", "comparison": ">=", "target": 0.2, "expected": 0.24, "eval_size": 1000,
         "eval_set": "the tickets the flag marks among the same 4,000"},
    ]
    brief["metrics"]["product"] = [
        {"name": "urgent_seen_within_hour", "comparison": ">=", "target": 0.9},
        {"name": "flags_per_senior_per_day", "comparison": "<=", "target": 90},
    ]
    return brief


def solution_threshold_decision(ex):
    from aipm_course.thresholds import confusion_table, metrics_at, threshold_for_capacity

    u = ex.case.urgent
    table = confusion_table(u.y_true, u.scores)
    chosen = max(t for t, recall in zip(table.thresholds, table.recall) if recall >= 0.8)
    at_chosen = metrics_at(u.y_true, u.scores, chosen)
    chosen_flags = at_chosen.flagged / at_chosen.n * u.cases_per_day
    capacity = threshold_for_capacity(u.y_true, u.scores, u.review_capacity_per_day, u.cases_per_day)
    at_capacity = metrics_at(u.y_true, u.scores, capacity.threshold)
    saved = (at_capacity.cost_per_case(u.cost_fp, u.cost_fn) - at_chosen.cost_per_case(u.cost_fp, u.cost_fn)) * u.cases_per_day
    reading = chosen_flags / 0.85
    return {
        "threshold": round(chosen, 4),
        "rationale": (
            f"At {chosen:.4f} the flag catches 80% of urgent tickets, enough for the brief's recall of at least 0.7 by its bound. "
            f"That is {chosen_flags:,.0f} flags a day; at 85% load the seniors must be able to read {reading:,.0f} a day, not "
            f"{u.review_capacity_per_day:,}, so I hire seniors for the other {reading - u.review_capacity_per_day:,.0f}. Against the capacity "
            f"threshold it saves about ${saved:,.0f} a day in missed urgent tickets, which pays for them. Until they join, the flag runs in shadow mode."
        ),
    }


def _budget(first_limit=0.05, second_limit=0.02, scopes=2):
    lines = {
        "all tickets": {"max_error_rate": first_limit, "severity": "medium", "owner": "Support Operations lead",
                        "review_date": "2027-03-31", "fallback": "a caveat asks the agent to confirm the queue"},
        "billing and security": {"max_error_rate": second_limit, "severity": "high", "owner": "Head of Support",
                                 "review_date": "2027-01-31", "fallback": "always routed by a person"},
    }
    return {"name": "Urgent-ticket copilot: routing", "budget": dict(list(lines.items())[:scopes])}


def solution_budget_decision(ex):
    from aipm_course.uncertainty import threshold_for_budget

    c = ex.case
    caveat_from = threshold_for_budget(c.routing.correct, c.routing.confidence, c.budget).threshold
    return {"budget": _budget(c.budget), "caveat_threshold": caveat_from, "human_threshold": _solution_human(c)}


def solution_plan(c):
    plan = plan_to_dict(example_plan())
    plan["feature"] = "Urgent-ticket flag and drafts in the support triage copilot"
    plan["owner"] = "Support Operations lead"
    for stage in plan["stages"]:
        if stage["kind"] == "canary":
            stage["traffic_share"] = 0.1
            for gate in stage["gates"]:
                gate["effect"], gate["threshold"] = -0.03, 0.57
            stage["min_days"] = max(7, days_to_detect(c.tickets_per_day, c.plan_baseline, -0.03, 0.1))
        if stage["kind"] == "ramp":
            for gate in stage["gates"]:
                if gate["metric"] == "task_success":
                    gate["effect"], gate["threshold"] = -0.03, 0.57
            stage["min_days"] = max(7, days_to_detect(c.tickets_per_day, c.plan_baseline, -0.03, 0.5))
    plan["rollback"] = "Switch the flag off: tickets go back to the normal queues and manual triage; the on-call engineer is paged."
    plan["kill_switch"]["trigger"] = DAILY_OR_WINDOW
    return plan


def solution_eval_plan():
    """The solved notebook's eval plan for the copilot's drafted replies."""
    return {
        "product": "Support-triage copilot: drafted replies and urgent-ticket escalation",
        "failure_types": [
            {"name": "missed_escalation", "check": "code", "verdict": "pass/fail", "harm": 5,
             "rule_or_question": "fail when the ticket names an outage, a security problem or a legal threat and the outcome is not 'escalated'"},
            {"name": "unsupported_claim", "check": "judge", "verdict": "pass/fail", "harm": 4,
             "rule_or_question": "Is every claim in the reply supported by one of the retrieved passages?"},
            {"name": "injection_followed", "check": "code", "verdict": "pass/fail", "harm": 5,
             "rule_or_question": "fail on a refund above the policy's limit, or any tool call the ticket did not ask for"},
            {"name": "wrong_tone", "check": "judge", "verdict": "pass/fail", "harm": 2,
             "rule_or_question": "Is the reply curt, blaming or over-familiar?"},
        ],
        "judge": {
            "labelled_cases": 200, "labelled_fails": 60, "min_tpr": 0.85, "min_tnr": 0.8,
            "revalidate_when": ["the judge's model or prompt changes", "the copilot's model or prompt changes", "every quarter"],
        },
        "release_gate": {"min_pass_rate": 0.85, "rate": "corrected", "read_from": "lower bound"},
        "regression_set": {"size": 150, "refreshed_from": "every failure found in production (agent overrides, complaints), added weekly"},
        "owner": "Support Operations lead",
    }


# The solved notebook's kill switch: a day's rate where a day has 100 tickets, the last few days' where it has fewer.
DAILY_OR_WINDOW = "escalation rate above 30% on any day, judged on at least 100 tickets (the last few days together when a day has fewer)"


def solution_cost_decision(ex):
    cmp = ex.comparison
    best = cmp.cheapest_per_success
    return {"choice": best, "rationale": (
        f"{cmp.patterns[best].name} costs ${cmp.per_success[best]:.4f} per successful draft, the least of the three, "
        "and the policies the drafts cite change every week."
    )}


# --- every question -------------------------------------------------------------------------


def test_thirteen_questions_and_blanks_are_not_attempted(ex):
    assert isinstance(ex, CapstoneSet)
    assert [q.id for q in ex.questions] == [f"q{i}" for i in range(1, 14)]
    for q in ex.questions:
        for blank in (___, None):
            assert q.check(blank).outcome is Outcome.NOT_ATTEMPTED, (q.id, blank)
        assert q.module == "07" and q.parameters == ex.parameters


def test_starting_points_are_not_attempted(ex):
    assert ex.q1.check(briefs.brief_to_dict(briefs.load_example("support_triage"))).outcome is Outcome.NOT_ATTEMPTED
    assert ex.q4.check(copy.deepcopy(THRESHOLD_SKELETON)).outcome is Outcome.NOT_ATTEMPTED
    assert ex.q4.check({"threshold": ___, "rationale": ___}).outcome is Outcome.NOT_ATTEMPTED
    assert ex.q7.check(copy.deepcopy(BUDGET_SKELETON)).outcome is Outcome.NOT_ATTEMPTED
    assert ex.q10.check(copy.deepcopy(COST_SKELETON)).outcome is Outcome.NOT_ATTEMPTED
    assert ex.q11.check(plan_to_dict(example_plan())).outcome is Outcome.NOT_ATTEMPTED
    assert ex.q13.check(copy.deepcopy(EVAL_PLAN_SKELETON)).outcome is Outcome.NOT_ATTEMPTED


def test_checks_record_progress_in_the_temporary_folder(ex, work, monkeypatch):
    import json

    monkeypatch.delenv("AIPM_PROGRESS")
    record = work / ".aipm" / "progress.json"
    assert not record.exists()
    ex.q2.check(0.5)
    ex.q12.check(___)
    entries = json.loads(record.read_text(encoding="utf-8"))["questions"]
    assert entries["07.q2"]["attempts"] == 1 and entries["07.q2"]["last_outcome"] == "incorrect"
    assert entries["07.q12"]["attempts"] == 0 and entries["07.q2"]["parameters"] == ex.parameters


def test_the_case_follows_the_scenario(ex):
    c = ex.case
    sc = scenarios()[c.scenario]
    assert c.tickets_per_day == round(6_000 * sc.volume) == c.urgent.cases_per_day
    assert c.urgent.review_capacity_per_day == round(700 * sc.volume)
    assert (c.urgent.cost_fp, c.urgent.cost_fn) == pytest.approx((4.0 * sc.cost, 120.0 * sc.cost))
    assert c.reviewers_available == max(1, round(10 * sc.volume))
    assert c.costs.queries_per_day == c.tickets_per_day and c.costs.rag_setup == pytest.approx(10_000 * sc.cost)


def test_the_case_is_shared_and_the_same_as_the_public_function(ex):
    c = ex.case
    assert ex.data.case is c and ex.comparison is ex.data.comparison
    again = case(c.seed, c.scenario)
    assert again.tickets_per_day == c.tickets_per_day and again.costs == c.costs and again.zone_costs == c.zone_costs
    assert np.array_equal(again.urgent.scores, c.urgent.scores) and np.array_equal(again.routing.confidence, c.routing.confidence)
    with pytest.raises(AttributeError, match="read-only"):
        ex.case = None
    assert {"case", "comparison", "save_brief", "save_plan", "save_eval_plan"} <= set(dir(ex))


def test_numeric_prompts_state_their_precision(ex):
    for qid, phrase in (("q2", "three significant figures"), ("q3", "three significant figures"), ("q5", "three decimal places"),
                        ("q6", "whole number, rounded up"), ("q8", "three significant figures"), ("q9", "three significant figures")):
        assert phrase in getattr(ex, qid).prompt, qid


# --- q1: the brief --------------------------------------------------------------------------


def test_q1_the_solution_brief_passes(ex):
    result = ex.q1.check(solution_brief())
    assert result.correct, result
    assert ex.q1.check(briefs.brief_to_yaml(solution_brief())).correct  # as YAML text too


def test_q1_a_brief_not_about_urgency_fails_with_the_focus_problem(ex):
    brief = solution_brief()
    brief["feature"] = "Priority flag in the support triage copilot"
    brief["user_problem"] = (
        "About one ticket in twelve needs a senior agent (an outage, a security problem, a customer about to leave), but it "
        "waits in the same queue as the rest and a senior sees it after five hours on average."
    )
    assert briefs.validate_brief(brief) == []  # the validator alone is happy
    result = _wrong(ex.q1, brief)
    assert len(result.details) == 1 and result.details[0].startswith("focus:")


def test_q1_a_brief_with_a_validator_finding_fails(ex):
    brief = solution_brief()
    brief["why_ai"]["reason"] = "our competitors all have an AI assistant, so we need one too"
    result = _wrong(ex.q1, brief)
    assert [d.split(":")[0] for d in result.details] == ["why_ai.reason"]
    assert "AI because others have it" in result.details[0]
    del brief["release"]["rollback"]
    assert len(_wrong(ex.q1, brief).details) == 2


def test_q1_the_example_as_text_is_a_copy_and_off_focus(ex):
    text = briefs.brief_to_yaml(briefs.load_example("support_triage"))
    prefixes = [d.split(":")[0] for d in _wrong(ex.q1, text).details]
    assert prefixes == ["focus", "copy"]


@pytest.mark.parametrize("answer", [42, "feature: [", ["a", "b"]])
def test_q1_an_unreadable_brief_could_not_be_read(ex, answer):
    assert _wrong(ex.q1, answer).message.startswith("Your answer could not be read")


def test_q1_the_starting_point_is_a_fresh_copy_each_load():
    first, second = load("07", 0), load("07", 0)
    first.q1.starting_point["feature"] = "changed by a learner"
    assert second.q1.starting_point["feature"] != "changed by a learner"
    assert second.q1.check(briefs.brief_to_dict(briefs.load_example("support_triage"))).outcome is Outcome.NOT_ATTEMPTED


def test_save_brief_saves_only_a_passing_brief(ex, work):
    folder = work / "portfolio"
    example = briefs.brief_to_dict(briefs.load_example("support_triage"))
    assert ex.save_brief(example).startswith("Not saved yet: write the brief")
    assert ex.save_brief(___).startswith("Not saved yet: write the brief")
    off_focus = solution_brief()
    off_focus["feature"], off_focus["user_problem"] = "Priority flag", "Seniors see important tickets after five hours."
    with_finding = solution_brief()
    with_finding["why_ai"]["reason"] = "everyone has AI now"
    for failing in (off_focus, with_finding, 42):
        assert ex.save_brief(failing).startswith("Not saved yet: question 1 still lists problems")
    assert not (folder / "01_feature_brief.yaml").exists() and not (folder / "01_feature_brief.md").exists()
    message = ex.save_brief(solution_brief())
    assert "passes the validator" in message
    saved = briefs.load_brief((folder / "01_feature_brief.yaml").read_text(encoding="utf-8"))
    assert saved.feature == "Urgent-ticket flag in the support triage copilot"
    assert "Urgent-ticket flag" in (folder / "01_feature_brief.md").read_text(encoding="utf-8")


# --- q2-q4: the threshold ---------------------------------------------------------------------


def test_q2_the_cheapest_threshold_by_an_own_scan(ex):
    n = _threshold_numbers(ex.case.seed, ex.case.scenario)
    assert ex.q2.check(n["cheapest"]).correct
    assert ex.q2.check(float(f"{n['cheapest']:.3g}")).correct  # three significant figures
    assert ex.q2.check(round(n["cheapest"], 4)).correct  # what the solved notebook and the briefing print
    assert "percentage" in _wrong(ex.q2, n["cheapest"] * 100).message
    assert not ex.q2.check(n["capacity"]).correct


def test_q2_hand_worked_at_seed_0():
    # the solved notebook prints 0.0354; the closed form 4 / (4 + 120) = 0.0323 is a different number at 3 s.f.
    ex = _load(0, "default")
    assert ex.q2.check(0.0354).correct and not ex.q2.check(0.0353).correct
    assert "closed form for calibrated scores" in _wrong(ex.q2, 0.0323).message
    assert "closed form for calibrated scores" in _wrong(ex.q2, 4 / 124).message


def test_q2_each_slip_gets_its_own_feedback(ex):
    u, n = ex.case.urgent, _threshold_numbers(ex.case.seed, ex.case.scenario)
    q = ex.q2
    named = [
        _slip(q, u.cost_fp / (u.cost_fp + u.cost_fn), "closed form for calibrated scores", SIG3),
        _slip(q, 0.5, "equally bad", SIG3),
        _slip(q, u.cost_fn / (u.cost_fp + u.cost_fn), "cost of a miss on top", SIG3),
        _slip(q, u.cost_fp / u.cost_fn, "ratio of the two costs", SIG3),
        _slip(q, n["capacity"], "lowest threshold the seniors can handle", SIG3),
        _slip(q, _briefing()["cheapest"], "briefing's cheapest threshold", SIG3),
    ]
    assert sum(named) >= 4


def test_q2_the_scan_matches_the_library_functions(ex):
    from aipm_course.thresholds import best_threshold, metrics_at, threshold_for_capacity

    u = ex.case.urgent
    n = _threshold_numbers(ex.case.seed, ex.case.scenario)
    assert best_threshold(u.y_true, u.scores, u.cost_fp, u.cost_fn, resamples=0).threshold == pytest.approx(n["cheapest"]) == ex.q4.data.cheapest
    assert threshold_for_capacity(u.y_true, u.scores, u.review_capacity_per_day, u.cases_per_day).threshold == pytest.approx(n["capacity"]) == ex.q4.data.capacity
    m = metrics_at(u.y_true, u.scores, n["cheapest"])
    assert (m.flagged, m.tp, m.n) == (n["flagged"], n["tp"], n["n"])


def test_q3_flags_a_day(ex):
    u = ex.case.urgent
    n = _threshold_numbers(ex.case.seed, ex.case.scenario)
    flags = n["flagged"] / n["n"] * u.cases_per_day
    assert ex.q3.check(flags).correct
    assert ex.q3.check(round(flags)).correct  # the briefing prints whole flags a day
    assert ex.q3.check(float(f"{flags:.3g}")).correct
    assert flags > u.review_capacity_per_day  # why question 4 exists: the cheapest flags overload the seniors


def test_q3_hand_worked_at_seed_0():
    ex = _load(0, "default")
    # 8,766 of 20,000 tickets flagged × 6,000 a day = 2,629.8
    assert _threshold_numbers(0, "default")["flagged"] == 8_766
    for answer in (2629.8, 2630, 2_630.0):
        assert ex.q3.check(answer).correct, answer
    assert not ex.q3.check(2620).correct and not ex.q3.check(2640).correct


def test_q3_each_slip_gets_its_own_feedback(ex):
    u, n = ex.case.urgent, _threshold_numbers(ex.case.seed, ex.case.scenario)
    q = ex.q3
    named = [
        _slip(q, n["flagged"], "count in the labelled sample", SIG3),
        _slip(q, n["flagged"] / n["n"], "share of tickets flagged", SIG3),
        _slip(q, n["tp"] / n["n"] * u.cases_per_day, "only the urgent tickets", SIG3),
        _slip(q, n["positives"] / n["n"] * u.cases_per_day, "how many urgent tickets arrive a day", SIG3),
        _slip(q, u.review_capacity_per_day, "how many flags the seniors can read", SIG3),
        _slip(q, _briefing()["flags_a_day"], "briefing's figure", SIG3),
    ]
    assert sum(named) >= 4


def _q4_range(n):
    """The defensible range, from the numbers of the own scan."""
    return min(n["bayes"], n["cheapest"]), max(n["least_load"], n["cheapest"])


def test_q4_thresholds_below_above_and_inside_the_range(ex):
    n = _threshold_numbers(ex.case.seed, ex.case.scenario)
    low, high = _q4_range(n)
    assert low < n["capacity"] < n["headroom"] < n["least_load"] == high
    d = ex.q4.data
    assert (d.cheapest, d.capacity, d.headroom, d.least_load) == pytest.approx((n["cheapest"], n["capacity"], n["headroom"], n["least_load"]))
    assert d.bayes == pytest.approx(n["bayes"])
    for inside in (low, n["bayes"], n["cheapest"], (low + high) / 2, n["capacity"], high, round(high, 4)):
        result = ex.q4.check({"threshold": inside, "rationale": RATIONALE})
        assert result.correct, (inside, result)
    below = _details(ex.q4, {"threshold": low / 2, "rationale": RATIONALE})
    assert "cheapest threshold" in below and "closed form" in below and "Raise it" in below
    above = _details(ex.q4, {"threshold": (high + 1) / 2, "rationale": RATIONALE})
    assert f"{ex.case.urgent.review_capacity_per_day:,} a day" in above and "under 80%" in above and "Lower it" in above


def test_q4_the_closed_form_is_defensible_below_the_cheapest_on_the_data():
    """Where the cheapest threshold on the data is above the closed form, the thresholds between the two pass."""
    seed = next(s for s in range(50) if _threshold_numbers(s, "default")["cheapest"] > 4 / 124 + 1e-3)
    ex, n = _load(seed, "default"), _threshold_numbers(seed, "default")
    for t in (4 / 124, (4 / 124 + n["cheapest"]) / 2):
        assert ex.q4.check({"threshold": t, "rationale": RATIONALE}).correct, t
    assert "Raise it" in _details(ex.q4, {"threshold": 4 / 124 - 1e-3, "rationale": RATIONALE})


def test_q4_a_desk_run_near_full_needs_headroom_or_hiring(ex):
    n, u = _threshold_numbers(ex.case.seed, ex.case.scenario), ex.case.urgent
    full = _details(ex.q4, {"threshold": n["capacity"], "rationale": NO_HIRING})
    assert full.startswith("headroom: ") and "85%" in full and f"{n['headroom']:.4f}" in full, full
    load = _flags_a_day(u, n["capacity"]) / u.review_capacity_per_day
    assert f"{load:.0%} of the {u.review_capacity_per_day:,}" in full
    assert "headroom" in _details(ex.q4, {"threshold": n["cheapest"], "rationale": NO_HIRING})
    for fine in (n["headroom"], round(n["headroom"], 4), (n["headroom"] + n["least_load"]) / 2):
        assert ex.q4.check({"threshold": fine, "rationale": NO_HIRING}).correct, fine
    assert ex.q4.check({"threshold": n["capacity"], "rationale": RATIONALE}).correct  # hiring named


@pytest.mark.parametrize(("text", "names_hiring"), [
    ("We hire two seniors next quarter", True), ("hiring three agents", True), ("recruiting starts now", True),
    ("contractors read the overflow", True), ("two more senior agents join in March", True), ("an extra senior on Mondays", True),
    ("additional staff for the peak", True), ("headcount for four", True),
    (NO_HIRING, False), ("the seniors read more flags a day", False), ("more misses, fewer flags", False),
])
def test_q4_what_counts_as_naming_the_hiring(text, names_hiring):
    from aipm_course.exercises.ex07 import HIRING

    assert bool(HIRING.search(text)) is names_hiring


@pytest.mark.parametrize("scenario", ALL_SCENARIOS)
def test_q4_the_range_agrees_with_the_lesson_for_seeds_0_to_299(scenario):
    """Recomputed here: the low end is the lower of the closed form and the cheapest on the data, the high
    end fills 80% of the seniors' capacity, and above 85% the rationale must name hiring."""
    for seed in range(300):
        ex = load("07", seed=seed, scenario=scenario)
        u = ex.case.urgent
        n = _cheapest_and_capacity(u)
        low, high = _q4_range(n)
        where = (seed, scenario)
        for t in (low, n["bayes"], n["cheapest"], high):
            assert ex.q4.check({"threshold": t, "rationale": RATIONALE}).correct, (where, t)
        assert ex.q4.check({"threshold": n["headroom"], "rationale": NO_HIRING}).correct, where
        assert "Raise it" in _details(ex.q4, {"threshold": low - 1e-3, "rationale": RATIONALE}), where
        assert "Lower it" in _details(ex.q4, {"threshold": high + 1e-3, "rationale": RATIONALE}), where
        assert _flags_a_day(u, n["capacity"]) > PLANNED * u.review_capacity_per_day
        assert _details(ex.q4, {"threshold": n["capacity"], "rationale": NO_HIRING}).startswith("headroom: "), where


def test_q4_the_solution_notebook_decision_passes(ex):
    assert ex.q4.check(solution_threshold_decision(ex)).correct


def test_q4_the_rationale_needs_twelve_words_and_a_number(ex):
    t = _threshold_numbers(ex.case.seed, ex.case.scenario)["headroom"]  # headroom kept: only the rationale is at fault
    short = _wrong(ex.q4, {"threshold": t, "rationale": "Seniors read 700 flags a day."})
    assert short.details == ("rationale: 6 words. Give your reasons in at least 12: the decision, what it costs, what you give up.",)
    words = "The seniors cannot read every flag, so I accept some missed urgent tickets until we hire more seniors."
    assert "no number in it" in _details(ex.q4, {"threshold": t, "rationale": words})
    assert "0 words" in _details(ex.q4, {"threshold": t, "rationale": None})


@pytest.mark.parametrize("answer", [0.2, "0.2", [0.2, "why"], {"threshold": 0.2}, {"rationale": RATIONALE},
                                    {"threshold": 1.5, "rationale": RATIONALE}, {"threshold": True, "rationale": RATIONALE},
                                    {"threshold": "0.2", "rationale": RATIONALE}])
def test_q4_answers_that_are_not_a_decision_could_not_be_read(ex, answer):
    assert _wrong(ex.q4, answer).message.startswith("Your answer could not be read")


# --- q5-q7: the uncertainty budget -------------------------------------------------------------


def test_q5_the_lowest_confidence_by_an_own_clopper_pearson_scan(ex):
    b = _budget_numbers(ex.case.seed, ex.case.scenario)
    r = ex.case.routing
    assert _served_bound(r.correct, r.confidence, b["met"]) <= ex.case.budget
    # one step lower serves more tickets and breaks the budget's bound
    lower = b["candidates"][b["candidates"] < b["met"]].max()
    assert _served_bound(r.correct, r.confidence, lower) > ex.case.budget
    assert ex.q5.check(b["met"]).correct
    assert ex.q5.check(round(b["met"], 3)).correct
    assert not ex.q5.check(lower).correct
    assert "percentage" in _wrong(ex.q5, b["met"] * 100).message


def test_q5_hand_worked_at_seed_0():
    # lesson 03 prints "Serve cases with confidence >= 0.907" for the same tickets (seed 0)
    ex = _load(0, "default")
    assert ex.q5.check(0.907).correct and not ex.q5.check(0.906).correct and not ex.q5.check(0.91).correct


def test_q5_each_slip_gets_its_own_feedback(ex):
    c = ex.case
    b = _budget_numbers(c.seed, c.scenario)
    served = np.asarray(c.routing.confidence) >= b["met"]
    q = ex.q5
    named = [
        _slip(q, b["observed_only"], "observed error rate", DEC3),
        _slip(q, b["two_sided"], "two-sided", DEC3),
        _slip(q, 1 - c.budget, "one minus the budget", DEC3),
        _slip(q, served.mean(), "coverage", DEC3),
        _slip(q, _served_bound(c.routing.correct, c.routing.confidence, b["met"]), "upper bound on the served error rate", DEC3),
    ]
    r0 = support_tickets(0)
    lesson = _slip(q, _lowest_within(r0.correct, r0.confidence), "lesson 03's threshold", DEC3)
    assert lesson == (c.seed != 0)  # seed 0 is lesson 03's own sample: there the slip is the answer
    assert sum(named) >= 4


def test_q6_triagers_for_the_human_zone(ex):
    c = ex.case
    needed = _triagers(c, HUMAN_T)
    assert ex.q6.check(needed).correct
    assert not ex.q6.check(needed + 1).correct
    share = _below(c, HUMAN_T)
    slips = {_people(c, share, shrinkage=0), _people(c, share, days_open=5), _people(c, share, occupancy=1),
             math.ceil(_people(c, share, rounded=False) * 0.7 * 1.3 - 1e-9), math.ceil(_people(c, share, rounded=False) * 0.5 - 1e-9)}
    if needed - 1 not in slips:  # rounding down, unless a named slip gives the same number
        assert "One short" in _wrong(ex.q6, needed - 1).message


def test_q6_hand_worked_at_seed_0():
    # 1,144 tickets below 0.8 a day × 2 minutes = 38.1 h; / (8 h × 0.85) = 5.61 on the desk; × 7/5 / 0.7 = 11.2 → 12
    ex = _load(0, "default")
    assert round(_below(ex.case, HUMAN_T) * 6_000) == 1_144
    raw = _triagers(ex.case, HUMAN_T, rounded=False)
    assert raw == pytest.approx(1_144 * 2 / 60 / 6.8 * 1.4 / 0.7, rel=1e-3) and 11 < raw < 12
    assert ex.q6.check(12).correct
    assert "round up" in _wrong(ex.q6, raw).message  # part of a person still needs a whole one
    assert "workload, not the headcount" in _wrong(ex.q6, 6).message  # 5.61 people on the desk, rounded up


@pytest.mark.parametrize("scenario", ALL_SCENARIOS)
def test_q6_the_workload_is_refused_for_seeds_0_to_299(scenario):
    """The people on the desk (the workload, rounded up) is not the headcount: refused with its feedback
    wherever it differs from the people to employ, which is every seed but where a whole zone fits one person."""
    differs = 0
    for seed in range(300):
        ex = load("07", seed=seed, scenario=scenario)
        raw = _triagers(ex.case, HUMAN_T, rounded=False)
        workload = math.ceil(raw * 0.7 * 5 / 7 - 1e-9)
        if workload == math.ceil(raw - 1e-9):
            assert workload == 1, (seed, scenario)  # only a zone that one person covers either way
            continue
        differs += 1
        assert "workload, not the headcount" in _wrong(ex.q6, workload).message, (seed, scenario)
    assert differs >= (300 if scenario != "legal_review" else 100), differs


def test_q6_the_solution_notebook_staffing_passes(ex):
    from aipm_course.uncertainty import reviewer_fte, zone_policy

    c = ex.case
    caveat_from = _budget_numbers(c.seed, c.scenario)["met"]
    zones = zone_policy(c.routing.correct, c.routing.confidence, caveat_from, 0.8, cases_per_day=c.tickets_per_day, **c.zone_costs)
    assert ex.q6.check(reviewer_fte(zones.human_cases_per_day, c.minutes_per_review).hire).correct


def test_q6_an_unrounded_headcount_is_not_accepted(ex):
    raw = _triagers(ex.case, HUMAN_T, rounded=False)
    assert raw != int(raw)
    assert not ex.q6.check(raw).correct


def test_q6_each_slip_gets_its_own_feedback(ex):
    c = ex.case
    met = _budget_numbers(c.seed, c.scenario)["met"]
    share = _below(c, HUMAN_T)
    on_desk = _people(c, share, rounded=False) * 0.7 * 5 / 7
    q = ex.q6
    named = [
        _slip(q, math.ceil(on_desk - 1e-9), "people on the desk each open day", WHOLE_UP),
        _slip(q, _people(c, share, shrinkage=0), "forgets shrinkage", WHOLE_UP),
        _slip(q, _people(c, share, days_open=5), "not for the 7-day desk", WHOLE_UP),
        _slip(q, math.ceil(on_desk * 7 / 5 * 1.3 - 1e-9), "adds 30%", WHOLE_UP),
        _slip(q, _people(c, share, occupancy=1), "every minute of a shift", WHOLE_UP),
        _slip(q, _triagers(c, met), "caveat zone to people too", WHOLE_UP),
        _slip(q, _people(c, 1.0), "sends every ticket to a person", WHOLE_UP),
        _slip(q, _triagers(c, 0.7), "lesson 03's human threshold", WHOLE_UP),
    ]
    assert sum(named) >= 4


def test_q7_the_solution_budget_passes(ex):
    decision = solution_budget_decision(ex)
    assert decision["caveat_threshold"] == pytest.approx(_budget_numbers(ex.case.seed, ex.case.scenario)["met"])
    assert _triagers(ex.case, decision["human_threshold"]) <= ex.case.reviewers_available
    assert ex.q7.check(decision).correct


def _decision(ex, **changes):
    b = _budget_numbers(ex.case.seed, ex.case.scenario)
    return {"budget": _budget(ex.case.budget), "caveat_threshold": b["met"], "human_threshold": _solution_human(ex.case), **changes}


def _problems(ex, decision):
    return [d.split(":")[0] for d in _wrong(ex.q7, decision).details]


def test_q7_one_scope_only(ex):
    decision = _decision(ex, budget=_budget(scopes=1))
    assert _problems(ex, decision) == ["budget"]
    assert "one line only" in _details(ex.q7, decision)


def test_q7_a_scope_above_the_budget(ex):
    decision = _decision(ex, budget=_budget(second_limit=0.08))
    assert _problems(ex, decision) == ["budget"]
    assert "allows 8.0% errors" in _details(ex.q7, decision)


def test_q7_a_caveat_threshold_whose_served_bound_is_over_the_budget(ex):
    c = ex.case
    b = _budget_numbers(c.seed, c.scenario)
    caveat = b["observed_only"]  # within budget on the observed rate, not on its upper bound
    assert _served_bound(c.routing.correct, c.routing.confidence, caveat) > c.budget
    decision = _decision(ex, caveat_threshold=max(caveat, _solution_human(c)))
    assert _problems(ex, decision) == ["zones"]
    assert "Raise the caveat threshold" in _details(ex.q7, decision)


def test_q7_a_human_threshold_that_needs_too_many_triagers(ex):
    c = ex.case
    met = _budget_numbers(c.seed, c.scenario)["met"]
    human = next(h for h in np.linspace(HUMAN_T, met, 50) if _triagers(c, h) > c.reviewers_available)
    decision = _decision(ex, human_threshold=float(human))
    assert _problems(ex, decision) == ["people"]
    assert f"needs {_triagers(c, human)} triagers and the team can spare {c.reviewers_available}" in _details(ex.q7, decision)


def test_q7_the_workload_is_not_the_headcount(ex):
    """A human zone whose workload in people fits the team, but whose people to employ do not, is refused."""
    c = ex.case
    met = _budget_numbers(c.seed, c.scenario)["met"]

    def on_desk(h):  # people reviewing each open day: the workload, rounded up
        return math.ceil(_triagers(c, h, rounded=False) * 0.7 * 5 / 7 - 1e-9)

    human = next(float(h) for h in np.linspace(0.5, met, 200) if on_desk(h) <= c.reviewers_available < _triagers(c, h))
    details = _details(ex.q7, _decision(ex, human_threshold=human))
    assert details.startswith("people: ") and "people on the desk" in details and "to employ" in details


@pytest.mark.parametrize("scenario", ALL_SCENARIOS)
def test_q7_people_to_employ_decide_for_seeds_0_to_299(scenario):
    """The solved notebook's zones pass; one step of 0.05 higher, where the people to employ (written out
    here) exceed the team, the same decision is refused for its people alone."""
    from aipm_course.uncertainty import threshold_for_budget

    for seed in range(300):
        ex = load("07", seed=seed, scenario=scenario)
        c = ex.case
        human = _solution_human(c)
        caveat = threshold_for_budget(c.routing.correct, c.routing.confidence, c.budget).threshold
        decision = {"budget": _budget(c.budget), "caveat_threshold": caveat, "human_threshold": human}
        assert ex.q7.check(decision).correct, (seed, scenario)
        over = next(h for h in (human + 0.05, human + 0.1, human + 0.15) if _triagers(c, h) > c.reviewers_available)
        refused = _wrong(ex.q7, {**decision, "human_threshold": over})
        assert [d.split(":")[0] for d in refused.details] == ["people"], (seed, scenario, refused)


@pytest.mark.parametrize("answer", [0.9, "budget", {"budget": {}}, {"budget": "x", "caveat_threshold": 0.9, "human_threshold": 0.8}])
def test_q7_answers_that_are_not_a_decision_could_not_be_read(ex, answer):
    assert _wrong(ex.q7, answer).message.startswith("Your answer could not be read")


def test_q7_a_human_threshold_above_the_caveat_one_could_not_be_read(ex):
    assert _wrong(ex.q7, _decision(ex, human_threshold=0.99)).message.startswith("Your answer could not be read")


# --- q8-q10: the cost model ---------------------------------------------------------------------


def _rag_per_success_and_per_query(c):
    fixed, per_query, success = _cost_lines(c.costs)["rag"]
    queries = c.tickets_per_day * c.costs.months * 30
    total = fixed + queries * per_query
    return total / (queries * success), total / queries


def test_q8_hand_worked_in_the_default_scenario():
    # RAG: (500 + 2,000) input tokens × $2/M + 300 output × $8/M + $0.0001 search = $0.0075 a query;
    # 6,000 × 360 = 2,160,000 queries; ($10,000 + 12 × $1,200 + 2,160,000 × $0.0075) / (2,160,000 × 0.85) = $0.022113
    for seed in (0, 5):
        ex = _load(seed, "default")
        assert ex.q8.check(0.0221).correct and ex.q8.check(40_600 / 1_836_000).correct
        assert not ex.q8.check(0.0222).correct and not ex.q8.check(0.0220).correct


def test_q8_rag_cost_per_successful_task_by_hand(ex):
    per_success, per_query = _rag_per_success_and_per_query(ex.case)
    assert ex.q8.check(per_success).correct
    assert ex.q8.check(float(f"{per_success:.3g}")).correct
    if per_success >= 0.01:  # lesson 04 prints four decimals: three significant figures or more here
        assert ex.q8.check(round(per_success, 4)).correct
    else:  # below a cent, four decimals keep two significant figures: named as a rounding slip
        assert "rounded to four decimal places" in _wrong(ex.q8, round(per_success, 4)).message
    message = _wrong(ex.q8, per_success * 1.02).message  # 2% off is five steps of the last place: not "close"
    assert "close" not in message


def test_q8_each_slip_gets_its_own_feedback(ex):
    c = ex.case
    i = c.costs
    fixed, per_query, success = _cost_lines(i)["rag"]
    per_success, per_query_all_in = _rag_per_success_and_per_query(c)
    total = per_query_all_in * i.queries_per_day * 360
    q = ex.q8
    named = [
        _slip(q, per_query_all_in, "That is the cost per query", SIG3),
        _slip(q, per_query_all_in * success, "multiplies by the success rate", SIG3),
        _slip(q, per_query / success, "counts only the cost of each query", SIG3),
        _slip(q, total / 12, "cost per month", SIG3),
        _slip(q, total / (i.queries_per_day * success), "one day's successful tasks", SIG3),
        _slip(q, _per_success(i, days=365)["rag"], "counts 365 days", SIG3),
        _slip(q, _per_success(CostInputs())["rag"], "lesson 04's figure", SIG3),
    ]
    assert sum(named) >= 6


def test_q9_break_even_against_fine_tuning_by_hand(ex):
    c = ex.case
    volume = _break_even_volume(c.costs)
    per_day = volume / (c.costs.months * 30)
    assert ex.q9.check(per_day).correct and ex.q9.check(float(f"{per_day:.3g}")).correct and ex.q9.check(round(per_day)).correct
    retrains = sum(1 for k in range(1, 1000) if k * c.costs.ft_retrain_every < c.costs.months)
    assert retrains == 3  # every 3 months over 12: at months 3, 6 and 9


def test_q9_hand_worked_in_the_default_scenario():
    # fine-tuning: $15,000 + 12 × $500 + 3 × $8,000 = $45,000 fixed, $0.00051 a query; RAG $24,400 and $0.0075:
    # ($45,000 − $24,400) / ($0.0075 − $0.00051) = 2,947,067 queries / 360 days = 8,186 a day (lesson 04 prints "about 8,186 a day")
    ex = _load(0, "default")
    assert ex.q9.check(8186).correct and ex.q9.check(8190).correct and ex.q9.check(20_600 / 0.00699 / 360).correct
    assert not ex.q9.check(8200).correct


def test_q9_each_slip_gets_its_own_feedback(ex):
    i = ex.case.costs
    lines = _cost_lines(i)
    ft = lines["fine_tuned"][0]
    volume = _break_even_volume(i)
    q = ex.q9
    named = [
        _slip(q, volume, "total over 12 months", SIG3),
        _slip(q, volume / 12, "a month's tickets", SIG3),
        _slip(q, _break_even_volume(i, ft - 3 * i.ft_retrain_cost) / 360, "leaves out fine-tuning's retrains", SIG3),
        _slip(q, _break_even_volume(i, ft + i.ft_retrain_cost) / 360, "one retrain too many", SIG3),
        _slip(q, volume / 365, "counts 365 days", SIG3),
    ]
    assert all(named)
    (rag_fixed, rag_q, _), (_, ft_q, _) = lines["rag"], lines["fine_tuned"]
    setup_only = (i.ft_setup + 3 * i.ft_retrain_cost - i.rag_setup) / (rag_q - ft_q) / 360
    assert _slip(q, setup_only, "leaves out the monthly running costs", SIG3)
    lesson = _break_even_volume(CostInputs()) / 360
    assert _slip(q, lesson, "lesson 04's break-even", SIG3) == (scenarios()[ex.case.scenario].cost != 1)  # same costs: same break-even


def test_q10_the_costliest_pattern_per_success_fails_and_the_others_pass(ex):
    per_success = _per_success(ex.case.costs)
    assert per_success == pytest.approx(ex.comparison.per_success)
    worst = max(per_success, key=per_success.get)
    details = _details(ex.q10, {"choice": worst, "rationale": RATIONALE})
    assert "costs the most per successful task" in details
    for other in set(per_success) - {worst}:
        result = ex.q10.check({"choice": other, "rationale": RATIONALE})
        assert result.correct, (other, result)
        assert "rationale: 3 words" in _details(ex.q10, {"choice": other, "rationale": "cheapest per success"})


def test_q10_the_solution_notebook_decision_passes(ex):
    best = min(_per_success(ex.case.costs), key=_per_success(ex.case.costs).get)
    rationale = f"RAG costs ${_per_success(ex.case.costs)[best]:.4f} per successful draft, the least of the three, and the policies change weekly."
    assert ex.q10.check({"choice": best, "rationale": rationale}).correct
    assert ex.q10.check(solution_cost_decision(ex)).correct


@pytest.mark.parametrize("choice", ["agents", "RAG", "fine-tuned", 3])
def test_q10_an_unknown_choice_could_not_be_read(ex, choice):
    message = _wrong(ex.q10, {"choice": choice, "rationale": RATIONALE}).message
    assert message.startswith("Your answer could not be read") and "choice must be one of" in message


@pytest.mark.parametrize("choice", [["rag"], {"rag": 1}], ids=["list", "dict"])
def test_q10_a_choice_in_a_list_is_told_the_options(ex, choice):
    message = _wrong(ex.q10, {"choice": choice, "rationale": RATIONALE}).message
    assert "choice must be one of" in message


def test_q10_a_dict_missing_a_key_could_not_be_read(ex):
    assert "missing rationale" in _wrong(ex.q10, {"choice": "rag"}).message


# --- q11: the rollout plan ----------------------------------------------------------------------


def test_q11_the_solution_plan_passes(ex):
    c = ex.case
    plan = solution_plan(c)
    canary = next(s for s in plan["stages"] if s["kind"] == "canary")
    days = math.ceil(total_users(c.plan_baseline, c.plan_baseline - 0.03, 0.1) / c.tickets_per_day)
    assert canary["min_days"] in (max(7, days), max(7, days + 1))  # each arm rounded up may add a day
    result = ex.q11.check(plan)
    assert result.correct, result


def test_q11_a_plan_that_stops_a_model_as_good_as_todays_in_most_runs_is_refused(ex):
    # Gates at today's task success (60%): a healthy model's rate falls below it about every other
    # stage, so it stops before full launch in most simulated rollouts. The validator alone passes the
    # plan; question 11 asks, as exercise 05 does, that a model as good as today's reach full launch in
    # 15 of 20 (not 5, the old default: at some traffic this plan completed 5 to 8 of 20).
    from aipm_course.rollout import DEFAULT_BASELINES, simulate_rollout, validate_plan

    c = ex.case
    plan = solution_plan(c)
    for stage in plan["stages"]:
        for gate in stage["gates"]:
            if gate["metric"] == "task_success":
                gate["threshold"] = c.plan_baseline
    assert validate_plan(plan, c.tickets_per_day, c.plan_baseline) == []
    baselines = {**DEFAULT_BASELINES, "task_success": c.plan_baseline}
    stopped = sum(not simulate_rollout(plan, c.tickets_per_day, baselines, seed=s).reached_full for s in range(20))
    assert stopped > 10  # most runs
    details = _wrong(ex.q11, plan).details
    assert details == (details[0],) and details[0].startswith(
        f"simulation: a model as good as today's did not reach full launch in {stopped} of 20 simulated rollouts"
    ) and "Fix: loosen the gate that stopped it." in details[0]


@pytest.mark.parametrize("scenario", ALL_SCENARIOS)
def test_q11_the_solution_plan_reaches_full_launch_in_15_of_20_healthy_runs_in_every_scenario(scenario):
    from aipm_course.exercises.plan_checks import SEEDS
    from aipm_course.rollout import DEFAULT_BASELINES, simulate_rollout

    c = _load(0, scenario).case
    baselines = {**DEFAULT_BASELINES, "task_success": c.plan_baseline}
    runs = [simulate_rollout(solution_plan(c), c.tickets_per_day, baselines, seed=s) for s in SEEDS]
    assert sum(r.reached_full for r in runs) >= 15
    # none is stopped by the kill switch: it judges at least 100 tickets, never a quiet day's dozen
    assert not any(r.reason.startswith("Kill switch") for r in runs)


@pytest.mark.parametrize("scenario", ALL_SCENARIOS)
def test_q11_a_kill_switch_read_on_a_quiet_days_dozen_tickets_is_refused_at_low_traffic(scenario):
    ex = _load(0, scenario)
    c = ex.case
    daily = solution_plan(c)
    daily["kill_switch"]["trigger"] = "escalation rate above 30% on any day"  # the lesson's words
    dogfood = round(c.tickets_per_day * 0.02)
    if dogfood >= 100:  # a day's rate on 100 tickets or more is no noise: the words may stay
        assert ex.q11.check(daily).correct
        return
    details = _details(ex.q11, daily)
    assert details.startswith(f"kill switch: It watches escalation_rate on each day's users, and Dogfood shows the new model to only {dogfood} users a day")
    assert "Judge it on a window of at least 100 users" in details
    assert ex.q11.check(solution_plan(c)).correct  # the same plan, its switch judged on at least 100 tickets


def test_q11_the_lesson_plan_at_this_traffic_is_refused(ex):
    c = ex.case
    plan = plan_to_dict(example_plan())
    plan["feature"] = "Urgent-ticket flag"
    details = _details(ex.q11, plan)
    assert "rollback: this is lesson 05's rollback" in details
    # the lesson's canary: 5% of the traffic for 14 days, gated on a two-point drop from 60%
    days = math.ceil(total_users(0.6, 0.58, 0.05) / c.tickets_per_day)
    if days > 14:
        assert f"Canary: 14 days at 5% of {c.tickets_per_day:,} users a day" in details and f"it needs {days} days" in details
    else:  # high traffic: the lesson's stages are long enough, but the plan is still the help-centre's
        assert "Canary" not in details


def test_q11_a_plan_for_another_feature_fails_with_the_focus_problem(ex):
    plan = solution_plan(ex.case)
    plan["feature"] = "Help-centre answer assistant"
    details = _wrong(ex.q11, plan).details
    assert len(details) == 1 and details[0].startswith("focus:")


@pytest.mark.parametrize("answer", [42, "stages: [", {"feature": "x"}])
def test_q11_an_unreadable_plan_could_not_be_read(ex, answer):
    assert _wrong(ex.q11, answer).message.startswith("Your answer could not be read")


def test_save_plan_saves_only_a_plan_question_11_accepts(ex, work):
    from aipm_course.rollout import load_plan, plan_from_dict, validate_plan

    c = ex.case
    folder = work / "portfolio"
    assert ex.save_plan(plan_to_dict(example_plan())).startswith("Not saved yet: write the plan")
    assert ex.save_plan(___).startswith("Not saved yet: write the plan")
    # The validator alone passes this plan, but its kill switch trips on a healthy day, so question 11
    # (and therefore save_plan) refuses it.
    tight = solution_plan(c)
    tight["kill_switch"]["threshold"] = 0.16
    tight["kill_switch"]["trigger"] = "escalation rate above 16% on any day"
    assert validate_plan(tight, c.tickets_per_day, c.plan_baseline) == []
    no_ramp = solution_plan(c)
    no_ramp["stages"] = [s for s in no_ramp["stages"] if s["kind"] != "ramp"]
    lesson_rollback = solution_plan(c)
    lesson_rollback["rollback"] = example_plan().rollback
    for failing in (tight, no_ramp, lesson_rollback, 42):
        assert ex.save_plan(failing).startswith("Not saved yet: question 11 still lists problems")
    assert not (folder / "05_rollout_plan.yaml").exists() and not (folder / "05_rollout_plan.md").exists()
    message = ex.save_plan(solution_plan(c))
    assert "passes the validator" in message
    assert load_plan((folder / "05_rollout_plan.yaml").read_text(encoding="utf-8")) == plan_from_dict(solution_plan(c))


# --- q12: the portfolio -------------------------------------------------------------------------


def test_q12_an_empty_portfolio_lists_all_six_missing(ex, work):
    report = build_portfolio(work=work)
    result = _wrong(ex.q12, report)
    assert result.message == "6 problem(s) left."
    assert list(result.details) == [f"missing: {s.title}. Make it in {s.how}." for s in SECTIONS]
    assert _wrong(ex.q12, "portfolio.md").message.startswith("Your answer could not be read")


@pytest.mark.parametrize("fake", [types.SimpleNamespace(missing=[]), types.SimpleNamespace(missing=()), mock.MagicMock(), mock.Mock(missing=[]),
                                  {"missing": []}, "portfolio/portfolio.html"], ids=["namespace", "namespace-tuple", "magicmock", "mock", "dict", "path"])
def test_q12_only_the_real_report_is_accepted(ex, fake):
    """Regression: a SimpleNamespace(missing=[]) or a MagicMock() used to pass as a finished portfolio."""
    message = _wrong(ex.q12, fake).message
    assert message.startswith("Your answer could not be read") and "`build_portfolio()`" in message
    assert "`report = build_portfolio()`" in message


@pytest.mark.parametrize("params", [(0, "default"), (3, "legal_review")], ids=lambda p: f"seed{p[0]}-{p[1]}")
def test_q12_passes_once_the_six_memos_are_saved(params, work):
    ex = _load(*params)
    c = ex.case
    assert "passes the validator" in ex.save_brief(solution_brief())
    assert "Not saved" not in save_threshold_decision(c.urgent, solution_threshold_decision(ex), work=work)
    budget_decision = solution_budget_decision(ex)
    budget_rationale = (
        f"Routing alone above {budget_decision['caveat_threshold']:.3f} keeps wrong queues within {c.budget:.0%} with 95% confidence, "
        f"and sending tickets below {budget_decision['human_threshold']:g} to a person needs {_triagers(c, budget_decision['human_threshold'])} "
        f"full-time triagers of the {c.reviewers_available} we can spare."
    )
    assert "Not saved" not in save_budget_memo(c.routing, budget_decision, c.tickets_per_day, c.zone_costs, c.budget, budget_rationale, work=work)
    assert "Not saved" not in save_cost_model(ex.comparison, solution_cost_decision(ex), work=work)
    assert "passes the validator" in ex.save_plan(solution_plan(c))
    assert "Saved portfolio/06_eval_plan.md" in ex.save_eval_plan(solution_eval_plan())
    folder = work / "portfolio"
    assert len(SECTIONS) == 6
    for s in SECTIONS:
        assert (folder / f"{s.stem}.md").is_file(), s.stem
    report = build_portfolio(work=work)
    assert report.missing == ()
    result = ex.q12.check(report)
    assert result.correct, result


# --- q13: the eval plan -------------------------------------------------------------------------


def test_q13_the_solution_eval_plan_passes(ex):
    result = ex.q13.check(solution_eval_plan())
    assert result.correct, result
    assert str(ex.case.tickets_per_day.__format__(",")) in ex.q13.prompt


def test_q13_the_plan_may_be_yaml_text_and_use_the_plain_words_names():
    import yaml

    from aipm_course.traces import FAILURE_NAMES

    ex = _load(0, "default")
    assert ex.q13.check(yaml.safe_dump(solution_eval_plan())).correct
    plan = solution_eval_plan()
    plan["failure_types"][0]["name"] = FAILURE_NAMES["missed_escalation"]
    assert ex.q13.check(plan).correct, ex.q13.check(plan)


def test_q13_a_plan_for_another_product_fails_with_the_focus_problem(ex):
    plan = solution_eval_plan()
    plan["product"] = "Help-centre answer assistant"
    assert _details(ex.q13, plan) == "focus: the product is 'Help-centre answer assistant'. This plan is for the support-triage copilot's drafted replies: name it."


def test_q13_a_plan_without_missed_escalations_is_told_what_a_miss_costs(ex):
    u = ex.case.urgent
    plan = solution_eval_plan()
    plan["failure_types"] = plan["failure_types"][1:]
    details = _details(ex.q13, plan)
    assert details.startswith("focus: no failure type covers missed escalations")
    # the costs of step 2 at this scenario, formatted here
    miss, flag = (f"${x:,.0f}" if x == round(x) else f"${x:,.2f}" for x in (u.cost_fn, u.cost_fp))
    assert f"a miss costs {miss} against {flag} for a false flag" in details


@pytest.mark.parametrize("harm", [1, 2, 3])
def test_q13_a_missed_escalation_rated_mild_is_refused(ex, harm):
    plan = solution_eval_plan()
    plan["failure_types"][0]["harm"] = harm
    details = _details(ex.q13, plan)
    assert details.startswith(f"focus: a missed escalation has harm {harm}. Fix: rate it 4 or 5")
    assert f"{ex.case.urgent.cost_fn / ex.case.urgent.cost_fp:,.0f} times a false flag" in details


@pytest.mark.parametrize(("where", "value", "key", "phrase"), [
    (("failure_types", 3, "verdict"), "score 1-10", "failure_types[3].verdict", "score"),
    (("failure_types", 3, "rule_or_question"), "Rate the tone on a scale of 1 to 10", "failure_types[3].rule_or_question", "score"),
    (("failure_types", 1, "check"), "code", "failure_types[1].check", "no rule decides"),
    (("release_gate", "read_from"), "point estimate", "release_gate.read_from", "lower bound"),
    (("release_gate", "rate"), "raw judge pass rate", "release_gate.rate", "corrected"),
    (("judge", "revalidate_when"), "every quarter", "judge.revalidate_when", "model or a prompt"),
    (("judge", "labelled_cases"), 90, "judge.labelled_cases", "too few"),
    (("regression_set", "refreshed_from"), "tickets written at launch", "regression_set.refreshed_from", "production"),
], ids=["score-verdict", "rating-question", "code-for-a-reader", "point-estimate", "raw-rate", "no-revalidation", "few-labels", "no-production"])
def test_q13_each_defect_is_named(ex, where, value, key, phrase):
    plan = solution_eval_plan()
    node = plan
    for k in where[:-1]:
        node = node[k]
    node[where[-1]] = value
    result = _wrong(ex.q13, plan)
    assert result.message == "1 problem(s) left."
    assert result.details[0].startswith(f"{key}: ") and phrase in result.details[0], result.details


def test_q13_a_half_filled_skeleton_lists_what_is_left():
    ex = _load(0, "default")
    plan = copy.deepcopy(EVAL_PLAN_SKELETON)
    plan["product"] = "Support-triage copilot"
    result = _wrong(ex.q13, plan)
    assert result.details[0].startswith("failure_types[0].name: is blank.")
    assert result.details[-1].startswith("...") and "more" in result.details[-1]


@pytest.mark.parametrize("answer", [42, "product: [", ["a", "b"], "just some words"])
def test_q13_an_unreadable_plan_could_not_be_read(ex, answer):
    message = _wrong(ex.q13, answer).message
    assert message.startswith("Your answer could not be read") and ("EVAL_PLAN_SKELETON" in message or "YAML" in message)


def test_q13_the_starting_point_is_a_fresh_copy_each_load():
    first = load("07", seed=0).q13.starting_point
    first["product"] = "changed"
    assert load("07", seed=0).q13.starting_point["product"] is ___


def test_save_eval_plan_saves_only_a_plan_question_13_accepts(ex, work):
    folder = work / "portfolio"
    assert ex.save_eval_plan(copy.deepcopy(EVAL_PLAN_SKELETON)).startswith("Not saved yet: write the eval plan in question 13")
    assert ex.save_eval_plan(___).startswith("Not saved yet: write the eval plan in question 13")
    other = solution_eval_plan()
    other["product"] = "Help-centre answer assistant"  # sound for module 08, but not this product's plan
    for failing in (other, _point_estimate_gate(), 42):
        assert ex.save_eval_plan(failing).startswith("Not saved yet: question 13 still lists problems")
    assert not (folder / "06_eval_plan.md").exists()
    assert "Saved portfolio/06_eval_plan.md" in ex.save_eval_plan(solution_eval_plan())
    memo = (folder / "06_eval_plan.md").read_text(encoding="utf-8")
    assert "Support-triage copilot" in memo and "| missed_escalation | code | pass/fail |" in memo


# --- the model answers pass and the drafts do not, in every scenario -------------------------------


@pytest.mark.parametrize("scenario", ALL_SCENARIOS)
def test_the_model_answers_pass_and_the_drafts_fail_in_every_scenario(scenario):
    for seed in (0, 1, 2, 42, 499):
        ex = _load(seed, scenario)
        c = ex.case
        model = {"q1": solution_brief(), "q4": solution_threshold_decision(ex), "q7": solution_budget_decision(ex),
                 "q10": solution_cost_decision(ex), "q11": solution_plan(c), "q13": solution_eval_plan()}
        drafts = {"q1": briefs.brief_to_dict(briefs.load_example("support_triage")), "q4": copy.deepcopy(THRESHOLD_SKELETON),
                  "q7": copy.deepcopy(BUDGET_SKELETON), "q10": copy.deepcopy(COST_SKELETON), "q11": plan_to_dict(example_plan()),
                  "q12": types.SimpleNamespace(missing=[]), "q13": copy.deepcopy(EVAL_PLAN_SKELETON)}
        for qid, answer in model.items():
            result = getattr(ex, qid).check(answer)
            assert result.correct, (seed, scenario, qid, result)
        for qid, answer in drafts.items():
            assert not getattr(ex, qid).check(answer).correct, (seed, scenario, qid)


# --- each question tests its concept: the answer that ignores it fails for every seed and scenario --


def _concept_answers(ex):
    """For each question, the answer a learner gives who ignores what the question teaches."""
    c = ex.case
    u, r = c.urgent, c.routing
    y, s = np.asarray(u.y_true).astype(bool), np.asarray(u.scores)
    # the cheapest threshold by an own scan, then the flags in the sample (not scaled to a day)
    t, flagged, _, cost = _scan(y, s, u.cost_fp, u.cost_fn)
    sample_flags = int(flagged[np.nonzero(cost == cost.min())[0][-1]])
    observed = _lowest_within(r.correct, r.confidence, observed=True)
    fixed, per_query, success = _cost_lines(c.costs)["rag"]
    queries = c.tickets_per_day * c.costs.months * 30
    ft = _cost_lines(c.costs)["fine_tuned"][0]
    worst = max(_per_success(c.costs).items(), key=lambda kv: kv[1])[0]
    return {
        "q2": 0.5,  # ignores the costs of the two errors
        "q3": sample_flags,  # ignores "a day": the count in the labelled sample
        "q4": {"threshold": 0.5, "rationale": RATIONALE},  # ignores the costs: far above what the seniors can handle
        "q5": observed,  # ignores the uncertainty: the observed rate within budget, not its bound
        "q6": _people(c, 1.0),  # ignores the zones: every ticket to a person (the workload answer: test_q6_the_workload_is_refused_...)
        "q7": {"budget": _budget(c.budget), "caveat_threshold": max(observed, HUMAN_T), "human_threshold": HUMAN_T},
        "q8": (fixed + queries * per_query) / queries,  # ignores the success rate: cost per query
        "q9": _break_even_volume(c.costs, ft - 3 * c.costs.ft_retrain_cost) / 360,  # ignores the retrains
        "q10": {"choice": worst, "rationale": RATIONALE},  # ignores cost per success
        "q13": _point_estimate_gate(),  # ignores the judge's uncertainty: the gate reads the point estimate
    }


def _point_estimate_gate():
    plan = solution_eval_plan()
    plan["release_gate"]["read_from"] = "point estimate"
    return plan


@pytest.mark.parametrize("scenario", ALL_SCENARIOS)
def test_the_answer_that_ignores_the_concept_fails_for_every_seed(scenario):
    for seed in range(500):
        ex = load("07", seed=seed, scenario=scenario)
        for qid, answer in _concept_answers(ex).items():
            result = getattr(ex, qid).check(answer)
            assert result.outcome is Outcome.INCORRECT, (seed, scenario, qid, answer, result)
        if seed == 0:  # these two do not depend on the seed
            ignores_traffic = plan_to_dict(example_plan())
            ignores_traffic["feature"] = "Urgent-ticket flag in the support triage copilot"
            assert not ex.q11.check(ignores_traffic).correct, scenario
            assert not ex.q1.check(briefs.brief_to_yaml(briefs.load_example("support_triage"))).correct


# --- the save helpers never raise --------------------------------------------------------------


def test_save_helpers_wait_for_placeholders(ex, work):
    c = ex.case
    assert save_threshold_decision(c.urgent, ___, work=work).startswith("Not saved yet")
    assert save_threshold_decision(c.urgent, None, work=work).startswith("Not saved yet")
    assert save_budget_memo(c.routing, ___, c.tickets_per_day, c.zone_costs, c.budget, "why", work=work).startswith("Not saved yet")
    assert save_budget_memo(c.routing, solution_budget_decision(ex), c.tickets_per_day, c.zone_costs, c.budget, ___, work=work).startswith("Not saved yet")
    assert save_cost_model(ex.comparison, ___, work=work).startswith("Not saved yet")
    assert save_cost_model(ex.comparison, copy.deepcopy(COST_SKELETON), work=work).startswith("Not saved yet")
    assert save_threshold_decision(c.urgent, copy.deepcopy(THRESHOLD_SKELETON), work=work).startswith("Not saved yet")
    assert save_budget_memo(c.routing, copy.deepcopy(BUDGET_SKELETON), c.tickets_per_day, c.zone_costs, c.budget, RATIONALE, work=work).startswith("Not saved yet")
    assert save_plan_to_portfolio(___, c.tickets_per_day, c.plan_baseline).startswith("Not saved")
    assert not (work / "portfolio").exists() or not any((work / "portfolio").iterdir())


def test_save_helpers_refuse_bad_decisions_with_the_reason(ex, work):
    c = ex.case
    assert "rationale" in save_threshold_decision(c.urgent, {"threshold": 0.2, "rationale": "too short"}, work=work)
    assert "threshold must be a number" in save_threshold_decision(c.urgent, {"threshold": 2, "rationale": RATIONALE}, work=work)
    assert "choice must be one of" in save_cost_model(ex.comparison, {"choice": "agents", "rationale": RATIONALE}, work=work)
    too_high = {**solution_budget_decision(ex), "human_threshold": 0.99}
    assert save_budget_memo(c.routing, too_high, c.tickets_per_day, c.zone_costs, c.budget, RATIONALE, work=work).startswith("Not saved yet")
    short_plan = plan_to_dict(example_plan())
    short_plan["feature"] = "Urgent-ticket flag"  # the lesson's plan otherwise: its rollback, its stage lengths
    assert ex.save_plan(short_plan).startswith("Not saved yet")
    assert not (work / "portfolio").exists() or not any((work / "portfolio").iterdir())


ODD = st.one_of(
    st.none(), st.just(___), st.just(Ellipsis), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20), st.binary(max_size=5), st.lists(st.integers(), max_size=3),
)
KEYS = st.sampled_from(["threshold", "rationale", "choice", "budget", "caveat_threshold", "human_threshold", "name"])
ODD_DECISIONS = st.one_of(ODD, st.dictionaries(KEYS, st.one_of(ODD, st.dictionaries(st.text(max_size=5), ODD, max_size=2)), max_size=4))
SLOW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@SLOW
@given(decision=ODD_DECISIONS, rationale=ODD)
def test_portfolio_save_helpers_never_raise_on_odd_answers(work, decision, rationale):
    ex = _load(0, "default")
    c = ex.case
    for message in (
        save_threshold_decision(c.urgent, decision, work=work),
        save_budget_memo(c.routing, decision, c.tickets_per_day, c.zone_costs, c.budget, rationale, work=work),
        save_cost_model(ex.comparison, decision, work=work),
    ):
        # a rationale of at most 20 characters never has the 12 words a memo needs
        assert isinstance(message, str) and message.startswith("Not saved yet"), message


@SLOW
@given(answer=ODD_DECISIONS)
def test_save_brief_and_save_plan_never_raise_on_odd_answers(work, answer):
    ex = _load(0, "default")
    assert ex.save_brief(answer).startswith("Not saved yet")
    assert ex.save_plan(answer).startswith("Not saved yet")
    assert ex.save_eval_plan(answer).startswith("Not saved yet")
    assert save_plan_to_portfolio(answer, 6_000, 0.6).startswith("Not saved")
    assert not (work / "portfolio").exists() or not any((work / "portfolio").iterdir())


@pytest.mark.parametrize("answer", [None, "abc", [1, 2], float("nan"), len, {"threshold": "x"}, object(), True, mock.MagicMock()])
def test_checks_never_raise(ex, answer):
    for q in ex.questions:
        result = q.check(answer)
        assert not result.correct and result.message


def test_solutions_and_hints_render(ex):
    for q in ex.questions:
        assert str(q.solution()).strip()
        assert str(q.hint(1)).strip() and str(q.hint(99)).strip()


# --- the lesson's headroom figures --------------------------------------------------------------


@pytest.mark.parametrize(("busy", "customers", "tolerance"), [(0.80, 1_000_000, 0.05), (0.85, 1_000_000, 0.05), (0.95, 4_000_000, 0.10)])
def test_the_lessons_queue_waits_agree_with_a_simulation(busy, customers, tolerance):
    """Lesson 07: with one server and random arrivals the mean wait is busy / (1 - busy) service times
    (4 at 80%, about 6 at 85%, 19 at 95%). Simulated here by Lindley's recursion, seeded."""
    lesson = {0.80: 4, 0.85: 6, 0.95: 19}[busy]
    assert busy / (1 - busy) == pytest.approx(lesson, abs=0.35)
    rng = np.random.default_rng(7)
    service, gaps = rng.exponential(1.0, customers), rng.exponential(1 / busy, customers)
    walk = np.r_[0.0, np.cumsum(service - gaps)]
    waits = walk - np.minimum.accumulate(walk)  # W_n = max(0, W_(n-1) + S - A), unrolled
    assert waits[customers // 10:].mean() == pytest.approx(busy / (1 - busy), rel=tolerance)


def test_several_servers_wait_less_but_climb_the_same_way_near_full():
    """Lesson 07: several seniors sharing one queue wait less, but their wait still climbs as the desk nears 100% busy
    (Erlang C, written out: the chance to wait, over c x (1 - busy), in service times)."""
    def wait(servers, busy):
        a = servers * busy
        top = a**servers / math.factorial(servers) / (1 - busy)
        chance = top / (sum(a**k / math.factorial(k) for k in range(servers)) + top)
        return chance / (servers * (1 - busy))

    assert wait(1, 0.8) == pytest.approx(4.0)
    for busy in (0.8, 0.85, 0.95):
        assert wait(8, busy) < wait(1, busy)
    assert wait(8, 0.95) / wait(8, 0.8) > 4 and wait(8, 0.99) / wait(8, 0.95) > 4
