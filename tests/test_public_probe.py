"""Probe every public function with hostile arguments: each must answer, or refuse clearly.

The probe DISCOVERS the package's public functions (each module's ``__all__``, or the public names
a module defines when it has none), builds a valid call for each from a small table of known-good
arguments (``BASELINES``; a function whose parameters all have defaults needs none), then replaces
ONE argument at a time with each value of ``HOSTILE`` and classifies what happened:

- OK      the call returned; a number, an array of numbers (or a tuple, list, dict or dataclass
          holding them) must be finite, else the call is SILENT (a NaN or inf nobody asked for).
- CLEAR   it raised an ``AipmError`` (or a ValueError/TypeError) whose message names the argument
          (as a word: ``n`` must appear as ``n``, not inside "cases").
- UNCLEAR any other exception, or one whose message does not name the argument.
- HANG    it ran longer than ``LIMIT`` seconds (SIGALRM).
- RAISED  a function listed in ``TOTAL`` (its job is to take anything and never raise: a record of
          a learner's answer, a CSV cell, a line the grader's child printed) raised at all.

A value a function rightly accepts (``0`` as a count, ``None`` as "use the default") is an OK
result, not a failure. A function that uses up what its baseline made (a new folder it fills) is
listed in ``REBUILT``: its baseline is built again for every call. One test per module asserts no UNCLEAR, SILENT or HANG (so one engineer can
run ``-k rollout``); the summary table (functions probed, calls, counts per class) is printed with
``-s``, written to ``<pytest basetemp>/public_probe/<module>.json`` and shown on failure.
``python tests/test_public_probe.py [module ...]`` prints the whole table (and every problem).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import importlib
import inspect
import io
import json
import math
import os
import pkgutil
import re
import signal
import sys
import tempfile
import time
import warnings
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("AIPM_PROGRESS", "0")  # record_check and the exercise helpers must not touch a learner's progress
if "AIPM_WORK_DIR" not in os.environ:  # run as a script: never write into the learner's my_work/
    os.environ["AIPM_WORK_DIR"] = tempfile.mkdtemp(prefix="aipm-probe-work-")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import aipm_course  # noqa: E402
from aipm_course.validation import AipmError  # noqa: E402

LIMIT = 2.0  # seconds a single call may take before it counts as a hang

# ------------------------------------------------------------------------------------------------
# What is not probed, and why
# ------------------------------------------------------------------------------------------------

# Whole modules: the validators raise on behalf of their caller's argument (their ``name``), so
# "the message names the parameter" does not apply; tests/test_validation.py covers them.
DENY_MODULES = {"aipm_course.validation": "the argument checks themselves (tested in test_validation.py)"}

DENY = {
    "aipm_course.cli.main": "the command-line entry point: its subcommands start JupyterLab, grade notebooks, write folders",
    "aipm_course.lab.run_lab": "starts JupyterLab in a subprocess (and a browser)",
    "aipm_course.lab.write_quiet_settings": "writes JupyterLab settings into the Python environment's prefix",
    "aipm_course.doctor.run_checks": "kernel=True (and any truthy hostile value) starts a Python subprocess",
    "aipm_course.doctor.report": "kernel=True (and any truthy hostile value) starts a Python subprocess",
    "aipm_course.grading.grade": "runs every submitted notebook in a Jupyter kernel subprocess (minutes)",
    "aipm_course.grading.rejudge.main": "the separate process's entry point: reads its items from standard input",
    "aipm_course.grading.run.child_main": "the child process's entry point: runs a notebook in a Jupyter kernel",
    "aipm_course.grading.run.run_notebook": "runs a notebook in a Jupyter kernel subprocess",
    "aipm_course.exercise_builder.build_exercises": "converts every solution notebook (seconds a call); tested in test_exercise_builder.py",
    "aipm_course.workshop.prepare": "writes a folder of notebooks per team (seconds a call); tested in test_workshop.py",
    "aipm_course.workshop.prepare_handout": "writes the lessons and exercises per team (seconds a call); tested in test_workshop.py",
    "aipm_course.site.build_site": "renders the whole course site (seconds a call); tested in test_site.py",
    "aipm_course.widgets.widget_check": "no parameters; an ipywidgets smoke test for a live notebook",
}


def _is_question_builder(module: str, fn) -> bool:
    """Question and shared-value builders in the exercise modules take only the ``Context`` that
    ``Exercise.load`` builds; learners never call them (they are probed through ``load``)."""
    return module.startswith("aipm_course.exercises.") and list(inspect.signature(fn).parameters) == ["ctx"]


def discover() -> dict[str, list[tuple[str, object]]]:
    """{module: [(qualified name, function), ...]} for every public function of the package."""
    found: dict[str, list[tuple[str, object]]] = {}
    for info in pkgutil.walk_packages(aipm_course.__path__, "aipm_course."):
        if info.name in DENY_MODULES or info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        names = getattr(module, "__all__", None)
        if names is None:
            names = [k for k, v in vars(module).items() if not k.startswith("_") and getattr(v, "__module__", None) == module.__name__]
        for name in names:
            fn = getattr(module, name, None)
            if inspect.isfunction(fn):
                found.setdefault(info.name, []).append((f"{info.name}.{name}", fn))
    return found


# ------------------------------------------------------------------------------------------------
# Hostile values
# ------------------------------------------------------------------------------------------------


def _mismatched(baseline):
    """An array one longer than the baseline's (or a short array where the baseline is a scalar)."""
    if isinstance(baseline, (list, tuple, np.ndarray)) and len(baseline) > 0:
        arr = np.asarray(baseline, dtype=object if isinstance(baseline, (list, tuple)) else None)
        return np.concatenate([arr, arr[:1]])
    return np.array([0.25, 0.5, 0.75])


HOSTILE = {
    "None": lambda b: None,
    "NaN": lambda b: float("nan"),
    "+inf": lambda b: float("inf"),
    "-inf": lambda b: float("-inf"),
    "-1": lambda b: -1,
    "0": lambda b: 0,
    "10**400": lambda b: 10**400,
    "'text'": lambda b: "text",
    "[]": lambda b: [],
    "np.array([])": lambda b: np.array([]),
    "mismatched array": _mismatched,
    "True": lambda b: True,
    "object()": lambda b: object(),
}

# ------------------------------------------------------------------------------------------------
# Known-good calls (built once, lazily)
# ------------------------------------------------------------------------------------------------


@functools.cache
def _probe_agreement():
    from aipm_course import evals
    return evals.judge_agreement(*judge_pairs())


def _probe_corrected():
    from aipm_course import evals
    return evals.corrected_interval_from_counts(200, 280, 70, 4, 10, 36, n_boot=200)


def _plan():
    from aipm_course.pricing import Plan
    return Plan("per_seat", 3.0)


def _usage():
    from aipm_course.pricing import Usage
    return Usage(median=40, sigma=1.2)


def judge_pairs():
    """People's labels and a judge's verdicts on 120 labelled traces (pass = True)."""
    rng = np.random.default_rng(1)
    human = rng.random(120) < 0.65
    judge = np.where(human, rng.random(120) < 0.93, rng.random(120) < 0.25)
    return human, judge


def labels_scores():
    rng = np.random.default_rng(0)
    y = (rng.random(300) < 0.15).astype(int)
    s = np.clip(rng.normal(0.3 + 0.4 * y, 0.15), 0.001, 0.999)
    return y, s


@functools.cache
def correct_confidence():
    rng = np.random.default_rng(1)
    conf = rng.random(400)
    correct = rng.random(400) < 0.7 + 0.29 * conf
    return correct, conf


@functools.cache
def objects():
    """Results of one module that another module's functions take (plots, portfolio, widgets)."""
    from aipm_course import briefs, costs, interview, retrieval, rollout, thresholds, uncertainty

    y, s = labels_scores()
    correct, conf = correct_confidence()
    plan = rollout.example_plan()
    corpus = retrieval.load_corpus()
    retriever = retrieval.Retriever(corpus)
    patterns = costs.patterns_for()
    curve = thresholds.cost_curve(y, s, 5, 100)
    rng = np.random.default_rng(2)
    reference, current = rng.normal(0, 1, 300), rng.normal(0.3, 1, 300)
    return dict(
        brief=briefs.load_example("support_triage"),
        feasibility=briefs.feasibility_score(5, 2, 5, 1, 4, 5),
        counts=thresholds.metrics_at(y, s, 0.5),
        table=thresholds.confusion_table(y, s),
        curve=curve,
        best=thresholds.best_threshold(y, s, 5, 100, resamples=20),
        risk=uncertainty.risk_coverage(correct, conf),
        budget=uncertainty.threshold_for_budget(correct, conf, 0.1),
        zones=uncertainty.zone_policy(correct, conf, 0.5, 0.3, cases_per_day=1000, cost_error_served=50, cost_error_caveat=10, cost_per_review=3),
        inputs=costs.CostInputs(),
        patterns=patterns,
        comparison=costs.compare(),
        rows=costs.sensitivity(),
        corpus=corpus,
        retriever=retriever,
        tradeoff=retrieval.abstention_tradeoff(retriever, corpus),
        plan=plan,
        items=rollout.schedule(plan, 20_000, 0.6),
        simulation=rollout.simulate_rollout(plan, 20_000, seed=0),
        reference=reference,
        current=current,
        drift=rollout.drift_check(reference, current),
        question=interview.load_bank()[0],
        budget_dict={"name": "Assistant", "budget": {"routing": {"max_error_rate": 0.05, "severity": "high", "owner": "Head of Support",
                                                                  "review_date": "2027-03-31", "fallback": "a person routes it"}}},
    )


def _o(key):
    return objects()[key]


def _tmp(name: str) -> str:
    folder = Path(os.environ["AIPM_WORK_DIR"]) / "probe"
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder / name)


# Each entry returns the keyword arguments of one valid call (parameters left out keep their default).
BASELINES = {
    # thresholds
    "aipm_course.thresholds.precision_at_prevalence": lambda: dict(tpr=0.8, fpr=0.05, prevalence=0.1),
    "aipm_course.thresholds.bayes_threshold": lambda: dict(cost_fp=5, cost_fn=100),
    "aipm_course.thresholds.confusion_table": lambda: dict(y_true=labels_scores()[0], scores=labels_scores()[1]),
    "aipm_course.thresholds.metrics_at": lambda: dict(y_true=labels_scores()[0], scores=labels_scores()[1], threshold=0.5),
    "aipm_course.thresholds.cost_curve": lambda: dict(y_true=labels_scores()[0], scores=labels_scores()[1], cost_fp=5, cost_fn=100),
    "aipm_course.thresholds.best_threshold": lambda: dict(y_true=labels_scores()[0], scores=labels_scores()[1], cost_fp=5, cost_fn=100, resamples=20),
    "aipm_course.thresholds.threshold_for_capacity": lambda: dict(y_true=labels_scores()[0], scores=labels_scores()[1], max_alerts_per_day=50, cases_per_day=1000),
    "aipm_course.thresholds.segment_metrics": lambda: dict(y_true=labels_scores()[0], scores=labels_scores()[1],
                                                           segments=np.array(["a", "b", "c"] * 100), threshold=0.5),
    "aipm_course.thresholds.expected_cost_per_case": lambda: dict(tp=8, fp=20, fn=2, tn=170, cost_fp=5, cost_fn=500),
    "aipm_course.thresholds.correct_for_resampling": lambda: dict(p=np.array([0.1, 0.5, 0.9]), train_prevalence=0.5, deployed_prevalence=0.01),
    # issue 20: headcount, zones, segments, label noise, Simpson, caching, training, pricing
    "aipm_course.uncertainty.cheapest_zones": lambda: dict(correct=correct_confidence()[0], confidence=correct_confidence()[1], max_error_rate=0.1,
                                                           cases_per_day=1000, cost_error_served=50, cost_error_caveat=10, cost_per_review=3, step=0.05),
    "aipm_course.uncertainty.reviewer_fte": lambda: dict(cases_per_day=351, minutes_per_case=2),
    "aipm_course.uncertainty.segment_coverage": lambda: dict(correct=correct_confidence()[0], confidence=correct_confidence()[1],
                                                             segments=np.resize(np.array(["a", "b", "c"]), len(correct_confidence()[0])), threshold=0.5),
    "aipm_course.uncertainty.measured_accuracy": lambda: dict(true_accuracy=0.9, label_error_rate=0.05, classes=12),
    "aipm_course.uncertainty.accuracy_corrected_for_label_noise": lambda: dict(measured=0.855, label_error_rate=0.05, classes=12),
    "aipm_course.thresholds.pooled_comparison": lambda: dict(counts={"old": {"new": (20, 40), "known": (70, 80)},
                                                                     "new": {"new": (60, 100), "known": (18, 20)}}),
    "aipm_course.costs.cost_with_prompt_cache": lambda: dict(input_tokens=3000, output_tokens=300, cached_tokens=2000, price_in_per_million=3,
                                                             price_out_per_million=15, price_cached_in_per_million=0.3, hit_rate=0.8),
    "aipm_course.costs.training_run_cost": lambda: dict(examples=5000, tokens_per_example=1000),
    "aipm_course.costs.cost_per_extra_success": lambda: dict(comparison=_o("comparison"), a="prompt_only", b="rag"),
    "aipm_course.costs.assumption_text": lambda: dict(name="rag_setup", value=8000),
    "aipm_course.pricing.gross_margin": lambda: dict(revenue=3.0, cost_to_serve=0.6),
    "aipm_course.pricing.plan_economics": lambda: dict(plan=_plan(), usage=_usage(), cost_per_use=0.02),
    "aipm_course.pricing.economics_from_uses": lambda: dict(plan=_plan(), uses=np.array([5.0, 40.0, 400.0]), cost_per_use=0.02),
    "aipm_course.pricing.compare_plans": lambda: dict(plans={"seat": _plan()}, usage=_usage(), cost_per_use=0.02),
    # evals (module 08)
    "aipm_course.evals.as_pass": lambda: dict(labels=[True, False, "pass", "fail"]),
    "aipm_course.evals.judge_agreement": lambda: dict(human=judge_pairs()[0], judge=judge_pairs()[1]),
    "aipm_course.evals.corrected_pass_rate": lambda: dict(observed_pass_rate=0.72, tpr=0.95, tnr=0.8),
    "aipm_course.evals.corrected_pass_rate_interval": lambda: dict(judge_verdicts=judge_pairs()[1], labelled_human=judge_pairs()[0],
                                                                   labelled_judge=judge_pairs()[1], n_boot=200),
    "aipm_course.evals.corrected_interval_from_counts": lambda: dict(judged_pass=200, judged_total=280, true_pass=70, false_fail=4,
                                                                     false_pass=10, true_fail=36, n_boot=200),
    "aipm_course.evals.labels_needed": lambda: dict(tpr=0.95, tnr=0.8, observed_pass_rate=0.72, n_judged=2000, half_width=0.05),
    "aipm_course.evals.gate_decision": lambda: dict(rate=__import__("aipm_course.evals").evals.corrected_interval_from_counts(
        200, 280, 70, 4, 10, 36, n_boot=200), minimum=0.6),
    "aipm_course.evals.pass_at_k": lambda: dict(n=8, c=5, k=2),
    "aipm_course.evals.pass_hat_k": lambda: dict(n=8, c=5, k=2),
    "aipm_course.evals.chain_success": lambda: dict(step_rates=[0.95] * 10),
    "aipm_course.evals.cost_per_finished_task": lambda: dict(cost_per_attempt=0.4, success_rate=0.6, max_attempts=3),
    "aipm_course.evals.guardrail_cost": lambda: dict(requests=10_000, attack_rate=0.002, catch_rate=0.9, false_block_rate=0.02,
                                                     cost_false_block=3, cost_missed_attack=500),
    # eval plans (module 08, capstone step 6)
    "aipm_course.eval_plan.read_eval_plan": lambda: dict(plan=__import__("aipm_course.eval_plan").eval_plan.EVAL_PLAN_SKELETON),
    "aipm_course.eval_plan.known_failure_type": lambda: dict(name="unsupported claim"),
    "aipm_course.eval_plan.check_eval_plan": lambda: dict(plan=__import__("aipm_course.eval_plan").eval_plan.EVAL_PLAN_SKELETON),
    "aipm_course.eval_plan.eval_plan_markdown": lambda: dict(plan=__import__("aipm_course.eval_plan").eval_plan.EVAL_PLAN_SKELETON),
    "aipm_course.portfolio.save_eval_plan": lambda: dict(plan=__import__("aipm_course.eval_plan").eval_plan.EVAL_PLAN_SKELETON),
    "aipm_course.exercises.ex08.check_copilot_eval_plan": lambda: dict(plan=__import__("aipm_course.eval_plan").eval_plan.EVAL_PLAN_SKELETON),
    # traces (module 08)
    "aipm_course.traces.support_score": lambda: dict(claim="Refunds go back to the original payment method within 5 to 10 business days.",
                                                     passages=["Refunds go back to the original payment method within 5 to 10 business days."]),
    "aipm_course.traces.save_traces": lambda: dict(traces=__import__("aipm_course.traces").traces.generate_traces(0, 40), path=_tmp("traces.json")),
    # uncertainty
    "aipm_course.uncertainty.budget_from_dict": lambda: dict(data=_o("budget_dict")),
    "aipm_course.uncertainty.load_budget": lambda: dict(source="budget:\n  routing:\n    max_error_rate: 0.05\n    severity: high\n    owner: Head of Support\n"
                                                              "    review_date: '2027-03-31'\n    fallback: a person routes it\n"),
    "aipm_course.uncertainty.budget_to_yaml": lambda: dict(budget=_o("budget_dict")),
    "aipm_course.uncertainty.save_budget": lambda: dict(budget=_o("budget_dict"), path=_tmp("budget.yaml")),
    "aipm_course.uncertainty.budget_table": lambda: dict(budget=_o("budget_dict")),
    "aipm_course.uncertainty.upper_bound": lambda: dict(errors=3, n=200),
    "aipm_course.uncertainty.risk_coverage": lambda: dict(correct=correct_confidence()[0], confidence=correct_confidence()[1]),
    "aipm_course.uncertainty.threshold_for_budget": lambda: dict(correct=correct_confidence()[0], confidence=correct_confidence()[1], max_error_rate=0.1),
    "aipm_course.uncertainty.zone_policy": lambda: dict(correct=correct_confidence()[0], confidence=correct_confidence()[1], caveat_threshold=0.5,
                                                        human_threshold=0.3, cases_per_day=1000, cost_error_served=50, cost_error_caveat=10, cost_per_review=3),
    "aipm_course.uncertainty.reviewer_headcount": lambda: dict(cases_per_day=1000, human_share=0.2, minutes_per_case=4, productive_hours_per_reviewer=6),
    "aipm_course.uncertainty.cases_to_show_budget": lambda: dict(max_error_rate=0.05, true_error_rate=0.02, limit=100_000),
    # costs
    "aipm_course.costs.get_price": lambda: dict(model=next(iter(__import__("aipm_course.costs").costs.load_prices()))),
    "aipm_course.costs.cost_per_query": lambda: dict(input_tokens=1500, output_tokens=300, price_in_per_million=3, price_out_per_million=15),
    "aipm_course.costs.break_even_volume": lambda: dict(fixed_a=1000, per_query_a=0.01, fixed_b=20000, per_query_b=0.002),
    "aipm_course.costs.break_even_between": lambda: dict(a=_o("patterns")["rag"], b=_o("patterns")["fine_tuned"]),
    "aipm_course.costs.cost_per_successful_task": lambda: dict(total_cost=1000, tasks=5000, success_rate=0.8),
    "aipm_course.costs.cost_of_delay": lambda: dict(weeks_to_ship=6, value_per_week=2000),
    "aipm_course.costs.cost_with_cache": lambda: dict(per_query=0.01, hit_rate=0.3),
    "aipm_course.costs.cost_with_fallback": lambda: dict(first_tier=0.001, second_tier=0.02, escalation_rate=0.2),
    "aipm_course.costs.ops_dashboard": lambda: dict(queries_per_day=5000, cost_per_query=0.01),
    "aipm_course.costs.sensitivity": lambda: dict(names=["queries_per_day", "months"]),  # every assumption takes ~1 s a call
    # retrieval
    "aipm_course.retrieval.recall_at_k": lambda: dict(retriever=_o("retriever"), questions=_o("corpus"), k=3),
    "aipm_course.retrieval.recall_by_k": lambda: dict(retriever=_o("retriever"), questions=_o("corpus")),
    "aipm_course.retrieval.abstention_tradeoff": lambda: dict(retriever=_o("retriever"), questions=_o("corpus")),
    # safe_yaml
    "aipm_course.safe_yaml.load_yaml": lambda: dict(text_or_path="name: probe\nitems: [1, 2]\n"),
    "aipm_course.safe_yaml.is_path": lambda: dict(source="brief.yaml"),
    # scenarios (small n keeps the probe fast)
    "aipm_course.scenarios.card_fraud": lambda: dict(n=2000),
    "aipm_course.scenarios.content_moderation": lambda: dict(n=2000),
    "aipm_course.scenarios.urgent_tickets": lambda: dict(n=2000),
    "aipm_course.scenarios.load_scenario": lambda: dict(name="urgent_tickets"),
    # parameters
    "aipm_course.parameters.get_scenario": lambda: dict(name="default"),
    "aipm_course.parameters.load_scenario_file": lambda: dict(path=_scenario_file()),
    "aipm_course.parameters.validate_parameters": lambda: dict(seed=0, scenario="default"),
    "aipm_course.parameters.rng_for": lambda: dict(seed=0, module="02"),
    "aipm_course.parameters.scaled": lambda: dict(value=10, factor=1.5),
    # plots
    # lesson 08's figures and the labeller's helpers
    "aipm_course.plots.failure_priority_plot": lambda: dict(counts={"unsupported_claim": 35, "wrong_tone": 30, "injection_followed": 12},
                                                            harm={"unsupported_claim": 4, "wrong_tone": 1, "injection_followed": 5}),
    "aipm_course.plots.judge_rates_plot": lambda: dict(agreements={"A": _probe_agreement()}),
    "aipm_course.plots.corrected_rate_plot": lambda: dict(rates={"A": _probe_corrected()}, truth=0.64, minimum=0.6),
    "aipm_course.plots.support_score_plot": lambda: dict(scores=np.linspace(0, 1, 40), supported=np.arange(40) % 3 > 0, threshold=0.6),
    "aipm_course.plots.chain_success_plot": lambda: dict(step_rates=(0.99, 0.95), max_steps=12, mark_steps=10),
    "aipm_course.plots.guardrail_plot": lambda: dict(planted=np.arange(60) % 10 == 0, scores=np.linspace(0, 1, 60), cost_false_block=3, cost_missed=500),
    "aipm_course.eval_widgets.label_counts": lambda: dict(labels={"t001": {"label": "fail", "failure_type": "wrong_tone", "note": "curt"}}),
    "aipm_course.eval_widgets.load_labels": lambda: dict(path=_tmp("labels.json")),
    "aipm_course.eval_widgets.save_labels": lambda: dict(labels={"t001": {"label": "pass"}}, path=_tmp("labels.json")),
    "aipm_course.eval_widgets.explorer_counts": lambda: dict(pass_rate=0.7, tpr=0.95, tnr=0.8, n_labelled=120, n_judged=280),
    "aipm_course.plots.feasibility_chart": lambda: dict(result=_o("feasibility")),
    "aipm_course.plots.dimension_label": lambda: dict(name="user_ai_trust"),
    "aipm_course.plots.confusion_matrix_plot": lambda: dict(counts=_o("counts")),
    "aipm_course.plots.pr_roc_plot": lambda: dict(table=_o("table"), chosen=_o("counts")),
    "aipm_course.plots.cost_curve_plot": lambda: dict(thresholds=_o("curve")[0], cost_per_case=_o("curve")[1], best=_o("best"), closed_form=0.05, mark=0.1),
    "aipm_course.plots.reliability_plot": lambda: dict(y_true=labels_scores()[0], before=labels_scores()[1], after=labels_scores()[1]),
    "aipm_course.plots.risk_coverage_plot": lambda: dict(curve=_o("risk"), budget=0.1, chosen=_o("budget")),
    "aipm_course.plots.zone_plot": lambda: dict(result=_o("zones")),
    "aipm_course.plots.pattern_cost_plot": lambda: dict(inputs=_o("inputs")),
    "aipm_course.plots.tornado_plot": lambda: dict(rows=_o("rows")),
    "aipm_course.plots.recall_at_k_plot": lambda: dict(ks=[1, 2, 3, 5], recalls=[0.5, 0.7, 0.8, 0.9]),
    "aipm_course.plots.abstention_plot": lambda: dict(tradeoff=_o("tradeoff"), chosen=0.2),
    "aipm_course.plots.rollout_timeline_plot": lambda: dict(items=_o("items"), daily_users=20_000),
    "aipm_course.plots.simulation_plot": lambda: dict(result=_o("simulation"), plan=_o("plan"), metric="task_success"),
    "aipm_course.plots.drift_plot": lambda: dict(reference=_o("reference"), current=_o("current"), report=_o("drift")),
    # experiments that lie (lesson 05)
    "aipm_course.experiments.crossing_probability": lambda: dict(bounds=[2.5, 2.2, 2.0]),
    "aipm_course.experiments.peeking_false_positive_rate": lambda: dict(looks=14),
    "aipm_course.experiments.sequential_bounds": lambda: dict(looks=5),
    "aipm_course.experiments.sample_ratio_mismatch": lambda: dict(counts=[50_600, 49_400]),
    "aipm_course.experiments.full_week_days": lambda: dict(days_needed=9),
    "aipm_course.experiments.daily_effects": lambda: dict(days=28, lasting_effect=0.01, first_day_extra=0.04),
    "aipm_course.experiments.team_draft_interleave": lambda: dict(ranking_a=["a", "b", "c"], ranking_b=["b", "c", "d"]),
    "aipm_course.experiments.interleaving_credit": lambda: dict(
        interleaved=__import__("aipm_course.experiments").experiments.team_draft_interleave(["a", "b"], ["b", "a"]), clicked=["a"]),
    "aipm_course.plots.peeking_plot": lambda: dict(results={"daily": __import__("aipm_course.experiments").experiments.simulate_peeking(tests=500)}),
    "aipm_course.plots.novelty_plot": lambda: dict(effects=np.linspace(0.05, 0.01, 14), lasting_effect=0.01),
    # rollout
    "aipm_course.rollout.sample_size_per_arm": lambda: dict(p_baseline=0.6, p_treatment=0.62),
    "aipm_course.rollout.sample_size": lambda: dict(p_baseline=0.6, p_treatment=0.62),
    "aipm_course.rollout.minimum_detectable_effect": lambda: dict(p_baseline=0.1, n_per_arm=14_751),
    "aipm_course.rollout.days_to_detect": lambda: dict(daily_users=20_000, p_baseline=0.6, effect=0.02, treatment_share=0.05),
    "aipm_course.rollout.blast_radius": lambda: dict(daily_users=20_000, traffic_share=0.05, hours_to_detect=4, hours_to_rollback=1),
    # blast radius in distinct users under sticky assignment (the interview drills)
    "aipm_course.rollout.distinct_users_exposed": lambda: dict(user_base=1_000_000, daily_visit_share=0.3, traffic_share=0.25, days=2),
    "aipm_course.rollout.plan_from_dict": lambda: dict(data=__import__("aipm_course.rollout").rollout.plan_to_dict(_o("plan"))),
    "aipm_course.rollout.plan_to_dict": lambda: dict(plan=_o("plan")),
    "aipm_course.rollout.load_plan": lambda: dict(source=__import__("aipm_course.rollout").rollout.plan_to_yaml(_o("plan"))),
    "aipm_course.rollout.plan_to_yaml": lambda: dict(plan=_o("plan")),
    "aipm_course.rollout.plan_to_markdown": lambda: dict(plan=_o("plan"), daily_users=20_000, p_baseline=0.6),
    "aipm_course.rollout.schedule": lambda: dict(plan=_o("plan"), daily_users=20_000, p_baseline=0.6),
    "aipm_course.rollout.validate_plan": lambda: dict(plan=_o("plan"), daily_users=20_000, p_baseline=0.6),
    "aipm_course.rollout.simulate_rollout": lambda: dict(plan=_o("plan"), daily_users=20_000),
    "aipm_course.rollout.population_stability_index": lambda: dict(reference=_o("reference"), current=_o("current")),
    "aipm_course.rollout.drift_check": lambda: dict(reference=_o("reference"), current=_o("current")),
    "aipm_course.rollout.read_plan": lambda: dict(answer=_o("plan")),
    "aipm_course.rollout.save_plan_to_portfolio": lambda: dict(plan=_o("plan"), daily_users=20_000, p_baseline=0.6),
    # briefs
    "aipm_course.briefs.parse_target": lambda: dict(text=">= 92%"),
    "aipm_course.briefs.brief_from_dict": lambda: dict(data=__import__("aipm_course.briefs").briefs.brief_to_dict(_o("brief"))),
    "aipm_course.briefs.load_brief": lambda: dict(source=__import__("aipm_course.briefs").briefs.brief_to_yaml(_o("brief"))),
    "aipm_course.briefs.load_example": lambda: dict(name="support_triage"),
    "aipm_course.briefs.brief_to_dict": lambda: dict(brief=_o("brief")),
    "aipm_course.briefs.brief_to_yaml": lambda: dict(brief=_o("brief")),
    "aipm_course.briefs.save_brief": lambda: dict(brief=_o("brief"), path=_tmp("brief.yaml")),
    "aipm_course.briefs.brief_to_markdown": lambda: dict(brief=_o("brief")),
    "aipm_course.briefs.validate_brief": lambda: dict(brief=_o("brief")),
    "aipm_course.briefs.feasibility_score": lambda: dict(data_availability=5, accuracy_requirement=2, latency_tolerance=5, failure_impact=1,
                                                         alternatives_exist=4, user_ai_trust=5),
    "aipm_course.briefs.suggest_pattern": lambda: dict(answers={"rag": True, "agent": True}),
    "aipm_course.briefs.latency_tier": lambda: dict(milliseconds=800, user_waits=True, streaming=True),
    "aipm_course.briefs.bound_for_target": lambda: dict(comparison=">=", count=440, n=500),
    "aipm_course.briefs.assumed_true_rate": lambda: dict(comparison=">=", target=0.88),
    "aipm_course.briefs.target_evidence": lambda: dict(comparison=">=", target=0.88, eval_size=500, true_rate=0.9),
    "aipm_course.briefs.read_brief": lambda: dict(answer=_o("brief")),
    "aipm_course.briefs.save_to_portfolio": lambda: dict(brief=_o("brief")),
    "aipm_course.briefs.findings_table": lambda: dict(findings=__import__("aipm_course.briefs").briefs.validate_brief(__import__("aipm_course.briefs").briefs.load_example("weak"))),
    "aipm_course.briefs.metrics_table": lambda: dict(brief=_o("brief")),
    # checking
    "aipm_course.checking.decimals": lambda: dict(digits=3),
    "aipm_course.checking.choice": lambda: dict(rng=np.random.default_rng(0), right=("yes", "because"), wrong=[("no", "not so"), ("maybe", "vague")]),
    "aipm_course.checking.is_unanswered": lambda: dict(value=3),
    "aipm_course.checking.safe_repr": lambda: dict(value=[1, 2, 3]),
    # drills
    "aipm_course.drills.make_drill": lambda: dict(kind="blast_radius", seed=1),
    "aipm_course.drills.parse_answer": lambda: dict(value="8.3%"),
    # estimation drills
    "aipm_course.estimation.make_estimate": lambda: dict(kind="estimate_review_team", seed=1, difficulty=3, scenario="fintech_fraud"),
    # exercise builder
    "aipm_course.exercise_builder.strip_solutions": lambda: dict(source="x = 1  # SOLUTION\n"),
    "aipm_course.exercise_builder.exercise_from_solution": lambda: dict(notebook=__import__("nbformat").v4.new_notebook(cells=[__import__("nbformat").v4.new_code_cell("x = 1")])),
    # exercises
    "aipm_course.exercises.load": lambda: dict(module="02"),
    "aipm_course.exercises.question_ids": lambda: dict(module="02"),
    "aipm_course.exercises.ex00.precision_from_counts": lambda: dict(true_positives=8, false_positives=2),
    "aipm_course.exercises.ex00.target_spec": lambda: dict(target=0.92),
    "aipm_course.exercises.ex01.broken_feasibility_score": lambda: dict(ratings=(5, 2, 5, 1, 4, 5)),
    "aipm_course.exercises.ex01.normalised_score": lambda: dict(weighted_sum=200),
    "aipm_course.exercises.ex01.score_spec": lambda: dict(ratings=(5, 2, 5, 1, 4, 5)),
    "aipm_course.exercises.ex01.verdict_spec": lambda: dict(ratings=(5, 2, 5, 1, 4, 5), rng=np.random.default_rng(0)),
    "aipm_course.exercises.ex01.requirement_numbers": lambda: dict(categories=8, threshold=0.9, eval_size=500),
    "aipm_course.exercises.ex01.broken_extreme_spec": lambda: dict(ratings=(5, 5, 5, 5, 5, 5), corrected=100.0),
    "aipm_course.exercises.ex02.reference_expected_cost": lambda: dict(tp=8, fp=20, fn=2, tn=170, cost_fp=5, cost_fn=500),
    "aipm_course.exercises.ex03.check_two_scenario_budget": lambda: dict(answer=_o("budget_dict")),
    "aipm_course.exercises.plan_checks.plan_checker": lambda: dict(daily_users=20_000, p_baseline=0.6),
    "aipm_course.exercises.registry.stream": lambda: dict(seed=0, module="02", name="q1"),
    # interview
    "aipm_course.interview.get_question": lambda: dict(question_id=_o("question").id),
    "aipm_course.interview.questions_for": lambda: dict(concept=_o("question").concepts[0]),
    "aipm_course.interview.self_score": lambda: dict(question=_o("question"), covered=[1]),
    # portfolio
    "aipm_course.portfolio.save_memo": lambda: dict(stem="02_threshold_decision", markdown="# Memo\n\nText.\n"),
    # site
    "aipm_course.site.internal_links": lambda: dict(page=Path(aipm_course.__file__).parents[1] / "README.md"),
    # widgets
    "aipm_course.widgets.self_scorer": lambda: dict(question=_o("question")),
    "aipm_course.exercises.ex01.pattern_spec": lambda: dict(scenario=__import__("aipm_course.exercises.ex01").exercises.ex01.SCENARIOS[0], rng=np.random.default_rng(0)),
    "aipm_course.exercises.ex03.zone_result": lambda: dict(tickets=__import__("aipm_course.scenarios").scenarios.support_tickets(seed=1), pair=(0.6, 0.3)),
    "aipm_course.exercises.plan_checks.plan_saver": lambda: dict(question=_validation_question("05"), daily_users=20_000, p_baseline=0.6),
    # grading (every file in a scratch folder; nothing here starts a kernel or a notebook's process)
    "aipm_course.grading.find_submissions": lambda: dict(submissions=_submissions()),
    "aipm_course.grading.read_submission": lambda: dict(path=Path(_submissions()) / "alice" / "02_exercise.ipynb"),
    "aipm_course.grading.rejudge.expected_kinds": lambda: dict(module="00", question="q3"),
    "aipm_course.grading.rejudge.title": lambda: dict(module="00", question="q1"),
    "aipm_course.grading.rejudge.first_hint": lambda: dict(module="00", question="q1"),
    "aipm_course.grading.rejudge.rejudge_value": lambda: dict(module="00", question="q1", seed=0, scenario="default",
                                                              record={"kind": "value", "value": 0.8}),
    "aipm_course.grading.rejudge.rejudge_functions": lambda: dict(items=[_function_item()]),  # runs the function here, not in a process
    "aipm_course.grading.rejudge.confirm_function": lambda: dict(item=_function_item(), result=_function_result()),
    "aipm_course.grading.report.csv_safe": lambda: dict(value="=HYPERLINK(\"x\")"),
    "aipm_course.grading.report.slip_of": lambda: dict(message="0.12 is about 10 times too big; 'x' costs $1,234.50"),
    "aipm_course.grading.report.feedback_names": lambda: dict(learners=["alice", "Zoe O'Brien"]),
    "aipm_course.grading.report.write_reports": lambda: dict(run=_grade_run(), out=_folder("reports")),
    "aipm_course.grading.roster.read_roster": lambda: dict(path=_roster_file()),
    "aipm_course.grading.run.question_of_cells": lambda: dict(nb=_notebook()),
    "aipm_course.grading.run.stated_parameters": lambda: dict(nb=_notebook()),
    "aipm_course.grading.run.error_text": lambda: dict(output={"output_type": "error", "ename": "NameError", "evalue": "name 'x' is not defined",
                                                               "traceback": ["Cell In[3], line 2"]}),
    "aipm_course.grading.run.parse_child_output": lambda: dict(text='{"cell": 3, "checks": [], "error": null}\n{"status": "ran"}\n'),
    "aipm_course.grading.sandbox.wrap": lambda: dict(argv=[sys.executable, "-c", "pass"], scratch=Path(_folder("scratch")),
                                                     env=__import__("aipm_course.grading.sandbox").grading.sandbox.child_env(Path(_folder("scratch")))),
    "aipm_course.grading.sandbox.child_env": lambda: dict(scratch=Path(_folder("scratch"))),
    "aipm_course.grading.sandbox.describe": lambda: dict(bwrap="/usr/bin/bwrap"),
    # checking: answer records
    "aipm_course.checking.answer_record": lambda: dict(answer=[1, 2.5, "x", (3, None)]),
    "aipm_course.checking.decode_value": lambda: dict(value={"$tuple": [1, {"$text": "x"}, [2.5, None]]}),
    # classroom (two learners' homes in a scratch folder; read only, except collect's new folder)
    "aipm_course.classroom.learner_names": lambda: dict(folders=_room()["works"]),
    "aipm_course.classroom.name_folders": lambda: dict(folders=_room()["works"]),
    "aipm_course.classroom.read_progress": lambda: dict(folder=_room()["works"][0]),
    "aipm_course.classroom.class_status": lambda: dict(folders=_room()["works"], now=ROOM_NOW),
    "aipm_course.classroom.write_html": lambda: dict(status=__import__("aipm_course.classroom").classroom.class_status(_room()["works"], now=ROOM_NOW),
                                                     path=str(Path(_folder("room")) / "room.html")),
    "aipm_course.classroom.collect": lambda: dict(homes=_room()["homes"], out=tempfile.mkdtemp(prefix="collected-", dir=_folder("collected"))),
    # plots: the parts shared with the widgets' charts
    "aipm_course.plots.axis_label": lambda: dict(name="cost_per_case", unit="USD"),
    "aipm_course.plots.nice_ticks": lambda: dict(low=0, high=1),
    "aipm_course.plots.log_ticks": lambda: dict(low=0.001, high=1),
    "aipm_course.plots.tick_labels": lambda: dict(ticks=[0, 0.25, 0.5, 0.75, 1]),
    "aipm_course.plots.stage_label": lambda: dict(item=_o("items")[0]),
    "aipm_course.plots.svg_document": lambda: dict(body="<g/>", width=300, height=200, label="a chart"),
    # widgets: the still picture a page without a kernel shows
    "aipm_course.widgets.still": lambda: dict(widget=__import__("aipm_course.widgets").widgets.cost_explorer()),
    "aipm_course.widgets.still_for": lambda: dict(call="cost_explorer()"),
    # safe_yaml, workshop
    "aipm_course.safe_yaml.clip": lambda: dict(text="a metric's name"),
    "aipm_course.workshop.check_handout_folder": lambda: dict(handout=str(Path(_folder("handouts")) / "new")),
    "aipm_course.workshop.set_parameters": lambda: dict(notebook=_notebook(), seed=3, scenario="fintech_fraud"),
    # portfolio (the capstone's data)
    "aipm_course.portfolio.threshold_decision_markdown": lambda: dict(scenario=_capstone().urgent, threshold=0.2, rationale=RATIONALE),
    "aipm_course.portfolio.budget_markdown": lambda: dict(budget=_o("budget_dict"), zones=_o("zones"), max_error_rate=0.05, rationale=RATIONALE),
    "aipm_course.portfolio.cost_model_markdown": lambda: dict(comparison=_o("comparison"), choice="rag", rationale=RATIONALE),
    "aipm_course.portfolio.save_threshold_decision": lambda: dict(scenario=_capstone().urgent, decision={"threshold": 0.2, "rationale": RATIONALE}),
    "aipm_course.portfolio.save_budget_memo": lambda: dict(routing=_capstone().routing, decision={"budget": _o("budget_dict"), "caveat_threshold": 0.6,
                                                                                                 "human_threshold": 0.3},
                                                           cases_per_day=_capstone().tickets_per_day, costs=_capstone().zone_costs,
                                                           max_error_rate=_capstone().budget, rationale=RATIONALE),
    "aipm_course.portfolio.save_cost_model": lambda: dict(comparison=_o("comparison"), decision={"choice": "rag", "rationale": RATIONALE}),
    # workspace
    "aipm_course.workspace.save_figure": lambda: dict(figure=__import__("matplotlib.pyplot").pyplot.figure(), filename="probe.png"),
    "aipm_course.workspace.reset": lambda: dict(module="02"),
    "aipm_course.workspace.save_artifact": lambda: dict(filename="probe.md", text="# Probe\n"),
    "aipm_course.workspace.save_files": lambda: dict(files={"probe.md": "# Probe\n"}),
    "aipm_course.workspace.portfolio_name": lambda: dict(name="02_threshold_decision"),
    "aipm_course.workspace.not_saved": lambda: dict(exc=ValueError("x must be a number")),
    "aipm_course.workspace.record_check": lambda: dict(result=None, module="02"),
    "aipm_course.workshop.team_seed": lambda: dict(first_seed=1, index=2),
    # practice (issue 19): the log is a new file in the scratch folder; the planner only reads it
    "aipm_course.practice.kind_title": lambda: dict(kind="blast_radius"),
    "aipm_course.practice.make_item": lambda: dict(kind="blast_radius", seed=1, difficulty=2),
    "aipm_course.practice.plan_session": lambda: dict(log=__import__("aipm_course.practice").practice.PracticeLog(_tmp("practice.sqlite")),
                                                      minutes=5, seed=1),
}


RATIONALE = "We chose this because the review team can handle the alerts and a missed case costs far more than a false alarm."


@functools.cache
def _capstone():
    from aipm_course.exercises import ex07

    return ex07.case()


def _validation_question(module: str):
    from aipm_course.exercises import load

    return next(q for q in load(module).questions if type(q).__name__ == "ValidationQuestion")


@functools.cache
def _scenario_file() -> str:
    from aipm_course import parameters

    default = parameters.get_scenario("default")
    fields = {f.name: getattr(default, f.name) for f in dataclasses.fields(default)}
    import yaml

    path = _tmp("scenario.yaml")
    Path(path).write_text(yaml.safe_dump({**fields, "name": "probe_scenario"}), encoding="utf-8")
    return path


def _folder(name: str) -> str:
    """A folder of that name in the probe's scratch folder (created)."""
    path = Path(_tmp(name))
    path.mkdir(exist_ok=True)
    return str(path)


def _notebook():
    """A small exercise notebook: a parameters cell, two question headings, a check."""
    import nbformat

    v4 = nbformat.v4
    parameters = v4.new_code_cell("seed = 0\nscenario = \"default\"")
    parameters.metadata["tags"] = ["parameters"]
    return v4.new_notebook(cells=[
        v4.new_code_cell("from aipm_course.exercises import load"), parameters, v4.new_code_cell("ex = load('00', seed=seed, scenario=scenario)"),
        v4.new_markdown_cell("## Question 1: precision"), v4.new_code_cell("answer = 0.8\nex.q1.check(answer)"),
        v4.new_markdown_cell("## Question 2: which is worse"), v4.new_code_cell("ex.q2.check('b')"),
    ])


@functools.cache
def _submissions() -> str:
    """submissions/alice/02_exercise.ipynb, and a file that is not a notebook."""
    import nbformat

    root = Path(_folder("submissions"))
    (root / "alice").mkdir(exist_ok=True)
    nbformat.write(_notebook(), str(root / "alice" / "02_exercise.ipynb"))
    (root / "alice" / "02_exercise.html").write_text("<p>an export</p>", encoding="utf-8")
    return str(root)


@functools.cache
def _roster_file() -> str:
    path = Path(_tmp("roster.csv"))
    path.write_text("learner,team,seed,scenario,modules\nalice,team-01,1,fintech_fraud,02\nbob,team-01,2,fintech_fraud,02 03\n", encoding="utf-8")
    return str(path)


def _function_item() -> dict:
    """A function answer to 00 q3 as grading hands it to rejudge_functions."""
    from aipm_course.exercises import load

    question = load("00", seed=0).q3
    return {"module": "00", "question": "q3", "seed": 0, "scenario": "default",
            "record": {"kind": "function", "name": question.function_name, "source": question.solution().code}}


@functools.cache
def _function_result() -> dict:
    from aipm_course.grading.rejudge import rejudge_functions

    return rejudge_functions([_function_item()])[0]


def _grade_run():
    """What grading found for two learners: one answer, one file, one finding, a roster."""
    from aipm_course.grading.model import FileResult, Finding, GradeRun, QuestionResult

    results = [QuestionResult("alice", "02", "q1", "Precision", "incorrect", "0.12 is about 10 times too big", hint="Divide.",
                              seed="1", scenario="fintech_fraud", file="alice/02_exercise.ipynb"),
               QuestionResult("bob", "02", "q1", "Precision", "correct", "Right.", seed="2", scenario="fintech_fraud", file="bob/02_exercise.ipynb")]
    files = [FileResult("alice", "alice/02_exercise.ipynb", "02", "ran", 1.5, "1", "fintech_fraud"),
             FileResult("bob", "bob/02_exercise.ipynb", "02", "ran", 1.0, "2", "fintech_fraud")]
    findings = [Finding("not a notebook", "alice", "a .html file, not a notebook: not graded", "alice/02_exercise.html")]
    roster = [{"learner": "alice", "team": "team-01", "seed": "1", "scenario": "fintech_fraud", "modules": "02"},
              {"learner": "bob", "team": "team-01", "seed": "2", "scenario": "fintech_fraud", "modules": "02"}]
    return GradeRun(results, files, findings, "no sandbox: the probe", 2.5, roster, ["alice", "bob"], ["02"])


ROOM_NOW = __import__("datetime").datetime(2026, 12, 4, 14, 0, 0)


@functools.cache
def _room() -> dict:
    """Two learners' homes: alice with checks recorded and an exercise notebook in aipm-work, bob with
    an empty work folder. {"homes": [...], "works": [...]} (paths as text)."""
    root = Path(_folder("room"))
    homes = [root / "home" / "alice", root / "home" / "bob"]
    works = [home / "aipm-work" for home in homes]
    for work in works:
        work.mkdir(parents=True, exist_ok=True)
    record = {"attempts": 2, "passed": False, "last_outcome": "incorrect", "first_checked": "2026-12-04T13:20:00",
              "last_checked": "2026-12-04T13:50:00", "parameters": {"seed": 1, "scenario": "fintech_fraud"}}
    (works[0] / ".aipm").mkdir(exist_ok=True)
    (works[0] / ".aipm" / "progress.json").write_text(json.dumps({"version": 1, "questions": {"02.q1": record}}), encoding="utf-8")
    (works[0] / "02_exercise.ipynb").write_text(json.dumps(__import__("nbformat").v4.new_notebook()), encoding="utf-8")
    return {"homes": [str(h) for h in homes], "works": [str(w) for w in works]}


# ------------------------------------------------------------------------------------------------
# Running one call
# ------------------------------------------------------------------------------------------------


class _Hang(BaseException):
    """Raised by the alarm; a BaseException so that a function's ``except Exception`` cannot hide it."""


def _alarm(signum, frame):
    raise _Hang()


def _finite(value, depth: int = 0, inf_ok: bool = False) -> bool:
    """False for a NaN or infinite number anywhere in a number, array, or one level of container
    (``inf_ok``: only NaN is refused, for results where +inf or -inf is an answer)."""
    if isinstance(value, bool) or value is None:
        return True
    if isinstance(value, (int, np.integer)):
        return inf_ok or abs(int(value)) < 2**1023
    if isinstance(value, (float, np.floating)):
        return not math.isnan(value) if inf_ok else math.isfinite(value)
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "fc":
            return not bool(np.any(np.isnan(value))) if inf_ok else bool(np.all(np.isfinite(value)))
        if value.dtype.kind == "O" and depth < 2:
            return all(_finite(v, depth + 1, inf_ok) for v in value.ravel()[:1000])
        return True
    if depth >= 2:
        return True
    if isinstance(value, (list, tuple)):
        return all(_finite(v, depth + 1, inf_ok) for v in value[:1000])
    if isinstance(value, dict):
        return all(_finite(v, depth + 1, inf_ok) for v in list(value.values())[:1000])
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return all(_finite(getattr(value, f.name, None), depth + 1, inf_ok or f.name in INFINITE_MEANS_SOMETHING) for f in dataclasses.fields(value))
    return True


# Dataclass fields where an infinity is an answer, not an accident (NaN is still refused).
INFINITE_MEANS_SOMETHING = {
    "threshold",  # a threshold of +inf flags nothing (the first row of every threshold table)
    "thresholds",  # the same, as a column
    "interval",  # a bootstrap interval of thresholds may end at +inf (flagging nothing was cheapest)
}
# Functions whose results may hold an infinity (never a NaN), and why.
INFINITE_RESULTS = {
    "aipm_course.thresholds.cost_curve": "its first threshold is +inf: flag nothing",
    "aipm_course.checking.decode_value": "gives back a learner's recorded answer, which may be 10**400, or inf (recorded as {'$float': 'inf'})",
}


def classify(fn, kwargs: dict, param: str, inf_ok: bool = False, limit: float = LIMIT, total: bool = False) -> tuple[str, str]:
    """Return (outcome, detail) for one call: OK, SILENT, CLEAR, UNCLEAR or HANG (``total``: any
    exception is RAISED, however clear)."""
    import matplotlib.pyplot as plt

    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            result = fn(**kwargs)
        signal.setitimer(signal.ITIMER_REAL, 0)
        if not _finite(result, inf_ok=inf_ok):
            return "SILENT", f"returned {_short(result)}"
        return "OK", ""
    except _Hang:
        return "HANG", f"still running after {limit:g} s"
    except Exception as exc:  # noqa: BLE001 - classifying is the point
        signal.setitimer(signal.ITIMER_REAL, 0)
        message = str(exc)
        if total:
            return "RAISED", f"{type(exc).__name__}: {_short(message, 160)}"
        named = re.search(rf"(?<![A-Za-z0-9_]){re.escape(param)}(?![A-Za-z0-9_])", message) is not None  # "n" is a word, not a letter
        if named and isinstance(exc, (AipmError, ValueError, TypeError)):
            return "CLEAR", ""
        return "UNCLEAR", f"{type(exc).__name__}: {_short(message, 160)}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        plt.close("all")


def _short(value, limit: int = 80) -> str:
    try:
        text = value if isinstance(value, str) else repr(value)
    except Exception:  # noqa: BLE001
        text = f"<{type(value).__name__}>"
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _probe_params(fn) -> list[str]:
    return [p.name for p in inspect.signature(fn).parameters.values() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]


def probe_function(qualname: str, fn) -> dict:
    """Probe one function; return its record (skipped with a reason, or every call's outcome)."""
    if qualname in DENY:
        return {"function": qualname, "skipped": DENY[qualname]}
    module = qualname.rsplit(".", 1)[0]
    if _is_question_builder(module, fn):
        return {"function": qualname, "skipped": "question builder: takes only the Context that Exercise.load builds"}
    params = _probe_params(fn)
    signature = inspect.signature(fn)
    required = [p for p in params if signature.parameters[p].default is inspect.Parameter.empty]
    try:
        base = BASELINES[qualname]() if qualname in BASELINES else {}
    except Exception as exc:  # noqa: BLE001
        return {"function": qualname, "problem": f"baseline could not be built: {type(exc).__name__}: {_short(str(exc), 160)}"}
    unknown = [k for k in base if k not in signature.parameters]
    if unknown and not any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values()):
        return {"function": qualname, "problem": f"the baseline names {', '.join(unknown)}, which the function does not take"}
    missing = [p for p in required if p not in base]
    if missing:
        return {"function": qualname, "skipped": f"no baseline for {', '.join(missing)}"}
    inf_ok = qualname in INFINITE_RESULTS or qualname in TOTAL
    total = qualname in TOTAL
    outcome, detail = classify(fn, dict(base), "", inf_ok, limit=30, total=total)  # also a warm-up: first imports (pandas) take seconds
    if outcome != "OK":
        return {"function": qualname, "problem": f"the baseline call itself gave {outcome} {detail}"}
    calls = []
    for param in params:
        value = base.get(param, signature.parameters[param].default)
        for label, make in HOSTILE.items():
            kwargs = dict(BASELINES[qualname]() if qualname in REBUILT else base)
            kwargs[param] = make(value)
            outcome, detail = classify(fn, kwargs, ARGUMENT_WORDS.get((qualname, param), param), inf_ok, total=total)
            calls.append({"param": param, "value": label, "outcome": outcome, "detail": detail})
    return {"function": qualname, "calls": calls}


# Where a message rightly names the thing rather than the parameter (keep this short; say why).
ARGUMENT_WORDS = {
    # every scenario check in the kit says "scenario must be one of ..."; the parameter is its name
    ("aipm_course.parameters.get_scenario", "name"): "scenario",
    # the class and grading commands pass these on from their options --html and --roster, which
    # their messages name (``aipm class status --html``, ``aipm grade --roster``)
    ("aipm_course.classroom.write_html", "path"): "html",
    ("aipm_course.grading.roster.read_roster", "path"): "roster",
}

# Functions whose job is to take ANY value and never raise: every hostile call must be OK (a raise,
# however clear, is RAISED). Their results hold what they were given (a huge whole number in a
# recorded answer is the learner's), so only a NaN there is SILENT.
TOTAL = {
    "aipm_course.checking.answer_record": "records a learner's answer, whatever it is, for grading to judge again",
    "aipm_course.grading.report.csv_safe": "turns any value into a CSV cell of the reports",
    "aipm_course.grading.report.slip_of": "groups feedback messages, whatever their text",
    "aipm_course.grading.run.parse_child_output": "reads what a process that ran a learner's code printed (it may be forged)",
    "aipm_course.grading.run.error_text": "describes an error output a learner's notebook produced, whatever its shape",
    "aipm_course.exercises.ex08.check_copilot_eval_plan": "exercise 08's check of a learner's eval plan: problems in words, never an error",
    "aipm_course.eval_plan.check_eval_plan": "judges a learner's eval plan, whatever it is: problems in words, never an error",
    "aipm_course.eval_plan.eval_plan_markdown": "writes whatever plan it is given as a memo",
    "aipm_course.portfolio.save_eval_plan": "saves a sound plan and otherwise says what is missing, never an error",
}

# Functions whose baseline is built again for every call: the call uses it up.
REBUILT = {
    "aipm_course.classroom.collect",  # fills a new folder: the next call into it is refused (it already has alice)
}


# The practice loop of lesson 06: the widget on a log in the scratch folder (it only reads it until a
# button is clicked), the history figure, and the simulated learner, who needs a new log every call.
def _practice_history():
    import pandas as pd

    started = pd.Timestamp("2026-01-05 18:30", tz="UTC")
    return pd.DataFrame({"session": ["s1", "s1", "s2"], "started": [started, started, started + pd.Timedelta(days=2)],
                         "kind": ["base_rate_precision", "cost_per_query", "base_rate_precision"], "attempts": [2, 1, 1],
                         "correct": [1, 1, 1], "accuracy": [0.5, 1.0, 1.0], "median_seconds": [130.0, 90.0, float("nan")]})


def _new_practice_log() -> str:
    return str(Path(tempfile.mkdtemp(prefix="sample-", dir=_folder("samples"))) / "practice.sqlite")


BASELINES.update({
    "aipm_course.widgets.adaptive_practice": lambda: dict(minutes=3, seed=1, log=_tmp("widget_practice.sqlite")),
    "aipm_course.practice_plots.history_figure": lambda: dict(history=_practice_history()),
    "aipm_course.practice_plots.sample_log": lambda: dict(path=_new_practice_log(), sessions=2),
})
REBUILT.add("aipm_course.practice_plots.sample_log")  # fills its log: the next call into it is refused

OUTCOMES = ("OK", "CLEAR", "UNCLEAR", "SILENT", "HANG", "RAISED")
FAILURES = ("UNCLEAR", "SILENT", "HANG", "RAISED")


def summarise(records: list[dict]) -> dict:
    counts = dict.fromkeys(OUTCOMES, 0)
    bad_functions: dict[str, dict[str, int]] = {}
    probed = calls = 0
    for record in records:
        if "calls" not in record:
            continue
        probed += 1
        for call in record["calls"]:
            calls += 1
            counts[call["outcome"]] += 1
            if call["outcome"] in FAILURES:
                per = bad_functions.setdefault(record["function"], dict.fromkeys(FAILURES, 0))
                per[call["outcome"]] += 1
    return {
        "functions_found": len(records),
        "functions_probed": probed,
        "calls": calls,
        "counts": counts,
        "functions_failing": len(bad_functions),
        "failing_by_class": {k: sum(1 for v in bad_functions.values() if v[k]) for k in FAILURES},
        "skipped": {r["function"]: r["skipped"] for r in records if "skipped" in r},
        "problems": {r["function"]: r["problem"] for r in records if "problem" in r},
    }


def table(name: str, summary: dict) -> str:
    c = summary["counts"]
    lines = [
        f"public-function probe: {name}",
        f"  functions found {summary['functions_found']}, probed {summary['functions_probed']}, skipped {len(summary['skipped'])}, "
        f"baseline problems {len(summary['problems'])}",
        f"  calls {summary['calls']}:  " + "  ".join(f"{k} {c[k]}" for k in OUTCOMES),
        f"  functions with failures {summary['functions_failing']} (" + ", ".join(f"{k} in {v}" for k, v in summary["failing_by_class"].items()) + ")",
    ]
    return "\n".join(lines)


def failures(records: list[dict], limit: int = 80) -> list[str]:
    out = [f"{r['function']}: {r['problem']}" for r in records if "problem" in r]
    for record in records:
        for call in record.get("calls", []):
            if call["outcome"] in FAILURES:
                out.append(f"{record['function']}({call['param']}={call['value']}): {call['outcome']} {call['detail']}")
    return out if len(out) <= limit else out[:limit] + [f"... and {len(out) - limit} more"]


def probe_module(module: str, functions) -> list[dict]:
    from matplotlib.figure import Figure

    # tight_layout only moves axes (~0.1 s a figure): skipping it keeps the plots' 700 calls fast.
    layout, Figure.tight_layout = Figure.tight_layout, lambda self, *a, **k: None
    # A hostile "text" given as a path is a relative file name: write it in a scratch folder.
    here = os.getcwd()
    os.chdir(tempfile.mkdtemp(prefix="aipm-probe-cwd-"))
    try:
        return [probe_function(q, fn) for q, fn in functions]
    finally:
        os.chdir(here)
        Figure.tight_layout = layout


# ------------------------------------------------------------------------------------------------
# Tests
# ------------------------------------------------------------------------------------------------

MODULES = discover()


@pytest.mark.parametrize("module", sorted(MODULES))
def test_public_functions_answer_or_refuse_clearly(module, tmp_path_factory):
    records = probe_module(module, MODULES[module])
    summary = summarise(records)
    text = table(module, summary)
    folder = tmp_path_factory.getbasetemp() / "public_probe"
    folder.mkdir(exist_ok=True)
    (folder / f"{module}.json").write_text(json.dumps({"summary": summary, "records": records}, indent=1), encoding="utf-8")
    print("\n" + text)
    problems = failures(records)
    assert not problems, text + "\n" + "\n".join(problems)


def test_every_denied_name_still_exists():
    """The deny-list names real functions, so it cannot silently hide a new one with an old name."""
    known = {q for functions in MODULES.values() for q, _ in functions}
    assert set(DENY) <= known, set(DENY) - known
    assert set(BASELINES) <= known, set(BASELINES) - known
    assert set(TOTAL) | REBUILT <= set(BASELINES), (set(TOTAL) | REBUILT) - set(BASELINES)


def _issue_examples():
    """The invalid calls the hardening issue quotes: each must be refused, naming the argument (a
    validator may instead return findings that name it)."""
    from aipm_course import rollout, thresholds, uncertainty

    return {
        "expected_cost_per_case(0, 0, 0, 0, 5, 500)": ("tp", lambda: thresholds.expected_cost_per_case(0, 0, 0, 0, 5, 500)),
        "expected_cost_per_case(-1, 20, 2, 170, 5, 500)": ("tp", lambda: thresholds.expected_cost_per_case(-1, 20, 2, 170, 5, 500)),
        "upper_bound(None, 100)": ("errors", lambda: uncertainty.upper_bound(None, 100)),
        "upper_bound(5, 3)": ("errors", lambda: uncertainty.upper_bound(5, 3)),
        "best_threshold(resamples=10**400)": ("resamples", lambda: thresholds.best_threshold([0, 1], [0.2, 0.8], 5, 100, resamples=10**400)),
        "validate_plan(example_plan(), daily_users=-1)": ("daily_users", lambda: rollout.validate_plan(rollout.example_plan(), daily_users=-1)),
    }


@pytest.mark.parametrize("example", list(_issue_examples()))
def test_the_issues_examples_are_refused(example):
    param, call = _issue_examples()[example]
    outcome, detail = classify(lambda: call(), {}, param)
    if outcome == "OK":  # a validator answers with findings: one must name the argument
        findings = call()
        assert isinstance(findings, list) and any(param in str(f) for f in findings), f"{example} accepted: {_short(findings)}"
    else:
        assert outcome == "CLEAR", f"{example}: {outcome} {detail}"


def main(argv: list[str]) -> int:
    chosen = [m for m in sorted(MODULES) if not argv or any(a in m for a in argv)]
    everything: list[dict] = []
    started = time.perf_counter()
    for module in chosen:
        t0 = time.perf_counter()
        records = probe_module(module, MODULES[module])
        everything += records
        s = summarise(records)
        c = s["counts"]
        print(f"{module:45s} probed {s['functions_probed']:3d}  calls {s['calls']:5d}  " + "  ".join(f"{k} {c[k]:4d}" for k in OUTCOMES)
              + f"  failing fns {s['functions_failing']:3d}  {time.perf_counter() - t0:5.1f}s")
    overall = summarise(everything)
    print(table("overall", overall))
    print(f"  time {time.perf_counter() - started:.1f} s")
    if "-v" in sys.argv:
        print("\n".join(failures(everything, limit=100_000)))
        print("skipped:", json.dumps(overall["skipped"], indent=1))
    print(json.dumps(overall["failing_by_class"]))
    return 0


if __name__ == "__main__":
    sys.exit(main([a for a in sys.argv[1:] if not a.startswith("-")]))
