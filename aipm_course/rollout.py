"""Rollout planning: stages, gates, how long each stage must run, blast radius, a simulated
rollout and drift checks (lesson 05).

A launch is a sequence of stages, each exposing more users. A stage's gates say which metrics must
hold before the next stage starts; a stage lasts long enough only if its traffic can show the effect
its gates care about. Sample sizes are for a two-sided test of two proportions.

Shadow mode shows the new model to nobody; dogfood shows it to the company's own staff only. Neither
exposes a customer: their exposure and blast radius count no users, and neither has a random control
group (staff are not a random share of customers), so their gates are read on thresholds alone. In a
plan, a dogfood stage's ``traffic_share`` is the staff's use, as a share of the daily volume.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from scipy import stats
from scipy.optimize import brentq

from . import validation
from .experiments import full_week_days
from .validation import AipmError, Finding

__all__ = [
    "STAGE_KINDS",
    "LAYERS",
    "PlanError",
    "sample_size_per_arm",
    "SampleSize",
    "sample_size",
    "minimum_detectable_effect",
    "days_to_detect",
    "blast_radius",
    "distinct_users_exposed",
    "Gate",
    "Stage",
    "RolloutPlan",
    "plan_from_dict",
    "plan_to_dict",
    "load_plan",
    "plan_to_yaml",
    "plan_to_markdown",
    "example_plan",
    "StageSchedule",
    "schedule",
    "PlanFinding",
    "Metric",
    "METRICS",
    "validate_plan",
    "Regression",
    "SimulationResult",
    "simulate_rollout",
    "DriftReport",
    "population_stability_index",
    "drift_check",
    "MATURITY_STAGES",
    "read_plan",
    "save_plan_to_portfolio",
]

STAGE_KINDS = ("shadow", "dogfood", "pilot", "canary", "ramp", "full")
STAGE_PURPOSE = {
    "shadow": "The new model runs on real traffic, but users never see its output: compare it with what happened, at no risk.",
    "dogfood": "Employees use it for real work: rough edges and obvious failures surface before any customer sees it. No customer is exposed.",
    "pilot": "A few chosen customers use it, with close contact: does it help their work, and what do they complain about?",
    "canary": "A small random share of users gets it, against the rest as control: catches regressions at low exposure.",
    "ramp": "A larger share (e.g. 25% then 50%): enough traffic to measure online and business effects with confidence.",
    "full": "Everyone gets it; monitoring, the kill switch and the rollback plan stay on.",
}
LAYERS = ("offline", "online", "business")
COMPARISONS = (">=", "<=")
SEVERITIES = ("blocker", "warning")
READS = ("end", "daily")  # when a gate's test against the control is read: once at the stage's end, or every day
CORRECTIONS = ("obrien-fleming", "pocock", "bonferroni", "none")  # the lines of a gate read daily (experiments.sequential_bounds)
FULL_WEEK = 7  # days: a stage whose gates read users' behaviour runs at least a week, to see a whole weekly cycle
MATURITY_STAGES = (
    ("experimental", "One-off models and notebooks; results hard to reproduce; launches by hand."),
    ("repeatable", "Versioned data and models, an evaluation set, a documented release checklist."),
    ("operational", "Staged rollouts with gates, monitoring of quality, drift, cost and latency, on-call and rollback."),
    ("systemic", "Shared platform and governance: every AI feature uses the same gates, monitors and review, and learns from the others."),
)


class PlanError(AipmError):
    """A rollout plan that cannot be read: the message names the stage and field."""


# --------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------


def _proportion(name: str, value: Any) -> float:
    """A rate in (0, 1), open: at 0 or 1 the rate has no variance, so no sample can test a change."""
    return validation.share(name, value, open_low=True, open_high=True, allowed="a proportion in (0, 1)")


def _level(name: str, value: Any) -> float:
    """A significance level or power, in (0, 1): at 0 or 1 the normal quantile is infinite."""
    return validation.share(name, value, open_low=True, open_high=True, allowed="in (0, 1)")


def _share(name: str, value: Any) -> float:
    """A stage's traffic share, in (0, 1] as in a plan: a stage with no traffic is no stage."""
    return validation.share(name, value, open_low=True)


def _nonnegative(name: str, value: Any, what: str = "a number") -> float:
    return validation.nonnegative(name, value, allowed=f"{what}, 0 or more")


def _positive(name: str, value: Any, what: str = "a number") -> float:
    return validation.positive(name, value, allowed=f"{what} above 0")


# --------------------------------------------------------------------------------------------
# Sample size, detectable effect, days, blast radius
# --------------------------------------------------------------------------------------------


def _raw_total(p1: float, p2: float, alpha: float, power: float, f: float) -> float:
    """Total users (both arms) for a two-sided test of two proportions, treatment share f, unrounded.

    Control gets (1 − f)·N, treatment f·N. Pooled p̄ = (1 − f)·p1 + f·p2.
    N = [z_{1−α/2}·√(p̄(1−p̄)(1/(1−f) + 1/f)) + z_{1−β}·√(p1(1−p1)/(1−f) + p2(1−p2)/f)]² / (p2 − p1)²
    """
    z_a = stats.norm.ppf(1 - alpha / 2)
    z_b = stats.norm.ppf(power)
    pooled = (1 - f) * p1 + f * p2
    null = z_a * math.sqrt(pooled * (1 - pooled) * (1 / (1 - f) + 1 / f))
    alternative = z_b * math.sqrt(p1 * (1 - p1) / (1 - f) + p2 * (1 - p2) / f)
    return (null + alternative) ** 2 / (p2 - p1) ** 2


def sample_size_per_arm(p_baseline: float, p_treatment: float, alpha: float = 0.05, power: float = 0.8) -> int:
    """Return users per arm (50/50 split) to detect p_baseline → p_treatment, two-sided, rounded up.

    n = [z_{1−α/2}·√(2p̄(1−p̄)) + z_{1−β}·√(p1(1−p1) + p2(1−p2))]² / (p2 − p1)². 10% → 11%: 14,751 (lesson 05).
    """
    p1 = _proportion("p_baseline", p_baseline)
    p2 = _proportion("p_treatment", p_treatment)
    if p1 == p2:
        raise ValueError(f"p_treatment must differ from p_baseline (both {p1!r}): no sample can detect a change of zero")
    a, b = _level("alpha", alpha), _level("power", power)
    return math.ceil(_raw_total(p1, p2, a, b, 0.5) / 2 - 1e-9)


@dataclasses.dataclass(frozen=True)
class SampleSize:
    control: int
    treatment: int
    treatment_share: float

    @property
    def total(self) -> int:
        return self.control + self.treatment

    def __str__(self) -> str:
        return f"{self.total:,} users in all: {self.treatment:,} on the new model ({self.treatment_share:.0%}) and {self.control:,} on the old"


def sample_size(p_baseline: float, p_treatment: float, treatment_share: float = 0.5, alpha: float = 0.05, power: float = 0.8) -> SampleSize:
    """Return the users needed when a share ``treatment_share`` gets the new model (lesson 05).

    With a 50/50 split each arm needs ``sample_size_per_arm``; a small treatment share needs more
    users in all, about 1/(4f(1−f)) times as many: a 5% canary needs about 5.26 times the traffic.
    """
    p1 = _proportion("p_baseline", p_baseline)
    p2 = _proportion("p_treatment", p_treatment)
    if p1 == p2:
        raise ValueError(f"p_treatment must differ from p_baseline (both {p1!r}): no sample can detect a change of zero")
    f = validation.share("treatment_share", treatment_share, open_low=True, open_high=True, allowed="in (0, 1) (a test needs users on both models)")
    total = _raw_total(p1, p2, _level("alpha", alpha), _level("power", power), f)
    return SampleSize(math.ceil((1 - f) * total - 1e-9), math.ceil(f * total - 1e-9), f)


def minimum_detectable_effect(p_baseline: float, n_per_arm: float, alpha: float = 0.05, power: float = 0.8, treatment_share: float = 0.5) -> float:
    """Return the smallest rise in the rate that ``n_per_arm`` users per arm detect (lesson 05).

    Solved exactly: the δ for which the sample-size formula gives n. (The quick approximation is
    (z_{1−α/2} + z_{1−β})·√(2p(1−p)/n).) With an unequal split, n_per_arm is the treatment arm's size.
    """
    p1 = _proportion("p_baseline", p_baseline)
    n = _positive("n_per_arm", n_per_arm, "a number of users")
    a, b = _level("alpha", alpha), _level("power", power)
    f = validation.share("treatment_share", treatment_share, open_low=True, open_high=True, allowed="in (0, 1)")
    needed_total = n / f

    def gap(delta: float) -> float:
        return _raw_total(p1, p1 + delta, a, b, f) - needed_total

    top = 1 - p1 - 1e-9
    if gap(top) > 0:
        raise ValueError(f"n_per_arm={n!r} is too small to detect any rise from {p1!r}; more users are needed")
    return float(brentq(gap, 1e-9, top, xtol=1e-12))


def days_to_detect(daily_users: float, p_baseline: float, effect: float, treatment_share: float, alpha: float = 0.05, power: float = 0.8) -> int:
    """Return the days a stage giving ``treatment_share`` of ``daily_users`` the new model must run
    to detect a change of ``effect`` in a rate (everyone else is the control), rounded up."""
    users = _positive("daily_users", daily_users, "a number of users")
    p1 = _proportion("p_baseline", p_baseline)
    keeps = "a non-zero change that keeps the rate in (0, 1)"
    change = validation.real("effect", effect, allowed=keeps)
    if change == 0 or not 0 < p1 + change < 1:
        raise validation.fail("effect", effect, keeps)
    needed = sample_size(p1, p1 + change, treatment_share, alpha, power)
    return max(1, math.ceil(needed.total / users - 1e-9))


def blast_radius(daily_users: float, traffic_share: float, hours_to_detect: float, hours_to_rollback: float) -> float:
    """Return the users exposed to a bad release before it is rolled back:
    daily users × share × (hours to detect + hours to roll back) / 24 (lesson 05)."""
    users = _nonnegative("daily_users", daily_users, "a number of users")
    share = _share("traffic_share", traffic_share)
    detect = _nonnegative("hours_to_detect", hours_to_detect, "a number of hours")
    back = _nonnegative("hours_to_rollback", hours_to_rollback, "a number of hours")
    return users * share * (detect + back) / 24


def distinct_users_exposed(user_base: float, daily_visit_share: float, traffic_share: float, days: int) -> float:
    """Return the distinct users who meet a stage under sticky assignment (lesson 05):
    traffic share × user base × (1 − (1 − daily visit share)^days).

    Sticky assignment keeps the same users in the new arm, so a returning user counts once, not once
    a day (multiplying daily users by days counts user-days). This is a model: it assumes each user
    visits on a given day with the same probability, independently of other days and of other users,
    and that the arm is a random share of the whole user base. Real visits cluster (a few heavy users
    come every day), so read it as an estimate. ``days`` is whole days of the stage.
    """
    base = _nonnegative("user_base", user_base, "a number of users")
    visit = validation.share("daily_visit_share", daily_visit_share)
    share = _share("traffic_share", traffic_share)
    stage_days = validation.count("days", days, minimum=0, maximum=10_000, allowed="a whole number of days from 0 to 10,000")
    return share * base * (1 - (1 - visit) ** stage_days)


# --------------------------------------------------------------------------------------------
# The plan as data
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Gate:
    """A condition to pass before the next stage: e.g. task_success >= 0.60 (online, blocker).

    ``effect`` is the change the gate must be able to detect (e.g. -0.02 for a two-point drop);
    stages that gate on it must run long enough for their traffic to show it. Its test against the
    control is read once, at the end of the stage, unless ``read`` is "daily": then it is read every
    day, against the lines of ``correction`` ("obrien-fleming", "pocock", "bonferroni"; "none" or
    no correction is the plain line every day, which raises the false alarms: see ``experiments``).
    """

    metric: str
    layer: str
    comparison: str
    threshold: float | None
    severity: str = "blocker"
    effect: float | None = None
    read: str | None = None  # None or "end": once, at the end of the stage; "daily": every day
    correction: str | None = None

    @property
    def daily(self) -> bool:
        return self.read == "daily"

    @property
    def corrected(self) -> bool:
        """True when a gate read daily uses lines that keep its false alarms at alpha."""
        return self.correction not in (None, "none")

    def passes(self, value: float) -> bool:
        if self.threshold is None:
            return True
        return value >= self.threshold if self.comparison == ">=" else value <= self.threshold

    def __str__(self) -> str:
        daily = "" if not self.daily else f", read daily{' with ' + self.correction + ' lines' if self.corrected else ', no correction'}"
        return f"{self.metric} {self.comparison} {self.threshold} ({self.layer}, {self.severity}{daily})"


@dataclasses.dataclass(frozen=True)
class Stage:
    kind: str
    traffic_share: float
    min_days: int
    gates: tuple[Gate, ...] = ()
    name: str = ""

    @property
    def exposed(self) -> bool:
        """Someone uses the new model's output: not in shadow mode (in dogfood, the staff do)."""
        return self.kind != "shadow"

    @property
    def customers_exposed(self) -> bool:
        """Customers meet the new model: not in shadow mode (nobody does) nor in dogfood (staff only)."""
        return self.kind not in ("shadow", "dogfood")

    @property
    def has_control(self) -> bool:
        """A random share of customers gets the new model and the rest are a control group to compare with."""
        return self.customers_exposed and self.traffic_share < 1

    @property
    def title(self) -> str:
        return self.name or self.kind.capitalize()


@dataclasses.dataclass(frozen=True)
class RolloutPlan:
    feature: str
    stages: tuple[Stage, ...]
    kill_switch: str = ""
    rollback: str = ""
    owner: str = ""
    kill_metric: str | None = None
    kill_threshold: float | None = None
    kill_comparison: str = "<="

    def stage(self, kind: str) -> Stage:
        for s in self.stages:
            if s.kind == kind:
                return s
        raise ValueError(f"the plan has no {kind!r} stage; its stages are {', '.join(s.kind for s in self.stages)}")


def _field(entry: Mapping, key: str, where: str, kinds: tuple[type, ...], required: bool = True, default: Any = None):
    value = entry.get(key, default)
    if value is None:
        if required:
            raise PlanError(f"{where}: `{key}` is missing")
        return default
    if not isinstance(value, kinds) or isinstance(value, bool) and bool not in kinds:
        names = " or ".join({str: "text", int: "a whole number", float: "a number"}.get(k, k.__name__) for k in kinds)
        raise PlanError(f"{where}: `{key}` must be {names}, got {validation.show(value)}")
    return value


def _gate_from(raw: Any, where: str) -> Gate:
    if not isinstance(raw, Mapping):
        raise PlanError(f"{where}: a gate needs metric, layer, comparison, threshold and severity, got {validation.show(raw)}")
    metric = str(_field(raw, "metric", where, (str,))).strip()
    layer = _field(raw, "layer", where, (str,))
    if layer not in LAYERS:
        raise PlanError(f"{where}: `layer` must be one of {', '.join(LAYERS)}, got {validation.show(layer)}")
    comparison = _field(raw, "comparison", where, (str,), default=">=")
    if comparison not in COMPARISONS:
        raise PlanError(f"{where}: `comparison` must be \">=\" or \"<=\", got {validation.show(comparison)}")
    threshold = _field(raw, "threshold", where, (int, float), required=False)
    severity = _field(raw, "severity", where, (str,), default="blocker")
    if severity not in SEVERITIES:
        raise PlanError(f"{where}: `severity` must be blocker or warning, got {validation.show(severity)}")
    effect = _field(raw, "effect", where, (int, float), required=False)
    read = _field(raw, "read", where, (str,), required=False)
    if read is not None and read not in READS:
        raise PlanError(f"{where}: `read` must be end or daily, got {validation.show(read)}")
    correction = _field(raw, "correction", where, (str,), required=False)
    if correction is not None and correction not in CORRECTIONS:
        raise PlanError(f"{where}: `correction` must be one of {', '.join(CORRECTIONS)}, got {validation.show(correction)}")
    return Gate(metric, layer, comparison, None if threshold is None else float(threshold), severity, None if effect is None else float(effect),
                read, correction)


PLAN_ALLOWED = "a rollout plan: a mapping with feature and stages (or a RolloutPlan)"


def _as_plan(value: Any, name: str, source: Any = None) -> RolloutPlan:
    """``plan_from_dict`` for the argument ``name``: a value that is no plan is refused by that name.
    ``source`` is the YAML text or path the value was read from, if it was."""
    return validation.read_as(name, value, (RolloutPlan, Mapping), plan_from_dict, PLAN_ALLOWED, PlanError, source)


def plan_from_dict(data: Any) -> RolloutPlan:
    """Return a RolloutPlan from a dict (as read from YAML); errors name the stage and field."""
    if isinstance(data, RolloutPlan):
        return data
    if not isinstance(data, Mapping):
        raise validation.fail("data", data, PLAN_ALLOWED, PlanError)
    stages_raw = data.get("stages")
    if not isinstance(stages_raw, list) or not stages_raw:
        raise PlanError("the plan needs a list of stages under `stages:`")
    stages = []
    for index, raw in enumerate(stages_raw, start=1):
        where = f"stage {index}"
        if not isinstance(raw, Mapping):
            raise PlanError(f"{where}: expected kind, traffic_share, min_days and gates, got {validation.show(raw)}")
        kind = _field(raw, "kind", where, (str,))
        if kind not in STAGE_KINDS:
            raise PlanError(f"{where}: `kind` must be one of {', '.join(STAGE_KINDS)}, got {validation.show(kind)}")
        where = f"stage {index} ({kind})"
        share = _field(raw, "traffic_share", where, (int, float))
        share = validation.share(f"{where}: `traffic_share`", share, open_low=True, error=PlanError)
        days = _field(raw, "min_days", where, (int,))
        days = validation.count(f"{where}: `min_days`", days, minimum=1, allowed="1 or more", error=PlanError)
        gates_raw = raw.get("gates") or []
        if not isinstance(gates_raw, list):
            raise PlanError(f"{where}: `gates` must be a list of gates, got {validation.show(gates_raw)}")
        gates = tuple(_gate_from(g, f"{where}, gate {j}") for j, g in enumerate(gates_raw, start=1))
        stages.append(Stage(kind, float(share), int(days), gates, str(raw.get("name") or "")))
    for before, after in zip(stages, stages[1:]):
        if STAGE_KINDS.index(after.kind) < STAGE_KINDS.index(before.kind):
            raise PlanError(f"stages are out of order: {after.kind} comes after {before.kind}; the order is {' → '.join(STAGE_KINDS)}")
        if after.customers_exposed and before.customers_exposed and after.traffic_share < before.traffic_share:
            raise PlanError(f"stages are out of order: {after.title} ({after.traffic_share:.0%}) exposes fewer users than {before.title} before it ({before.traffic_share:.0%})")
    kill = data.get("kill_switch") or {}
    if isinstance(kill, str):
        kill = {"trigger": kill}
    if not isinstance(kill, Mapping):
        raise PlanError(f"`kill_switch` must be a trigger in words, or trigger/metric/threshold, got {validation.show(kill)}")
    kill_metric = kill.get("metric")
    kill_threshold = kill.get("threshold")
    if kill_threshold is not None:
        kill_threshold = validation.real("kill_switch: `threshold`", kill_threshold, allowed="a number", error=PlanError)
    kill_comparison = kill.get("comparison", "<=")
    if kill_comparison not in COMPARISONS:
        raise PlanError(f"kill_switch: `comparison` must be \">=\" or \"<=\", got {validation.show(kill_comparison)}")
    return RolloutPlan(
        feature=str(data.get("feature") or "").strip(),
        stages=tuple(stages),
        kill_switch=str(kill.get("trigger") or "").strip(),
        rollback=str(data.get("rollback") or "").strip(),
        owner=str(data.get("owner") or "").strip(),
        kill_metric=str(kill_metric) if kill_metric else None,
        kill_threshold=None if kill_threshold is None else float(kill_threshold),
        kill_comparison=kill_comparison,
    )


def plan_to_dict(plan: RolloutPlan | Mapping) -> dict[str, Any]:
    plan = _as_plan(plan, "plan")
    kill: dict[str, Any] = {"trigger": plan.kill_switch}
    if plan.kill_metric:
        kill.update(metric=plan.kill_metric, comparison=plan.kill_comparison, threshold=plan.kill_threshold)
    stages = []
    for s in plan.stages:
        entry: dict[str, Any] = {"kind": s.kind}
        if s.name:
            entry["name"] = s.name
        entry.update(traffic_share=s.traffic_share, min_days=s.min_days)
        entry["gates"] = [
            {k: v for k, v in dataclasses.asdict(g).items() if v is not None} for g in s.gates
        ]
        stages.append(entry)
    return {"feature": plan.feature, "owner": plan.owner, "stages": stages, "kill_switch": kill, "rollback": plan.rollback}


def plan_to_yaml(plan: RolloutPlan | Mapping) -> str:
    return yaml.safe_dump(plan_to_dict(plan), sort_keys=False, allow_unicode=True, width=100)


def load_plan(source: str | Path) -> RolloutPlan:
    """Return a plan from a YAML file path or YAML text."""
    from .briefs import read_yaml_source

    return _as_plan(read_yaml_source(source, "the plan", PlanError), "source", source)


def read_plan(answer: Any) -> RolloutPlan:
    """Return a plan from YAML text, a YAML file path, a dict or a RolloutPlan (what exercises accept)."""
    if isinstance(answer, str):
        from .briefs import read_yaml_source

        return _as_plan(read_yaml_source(answer, "the plan", PlanError), "answer", answer)
    return _as_plan(answer, "answer")


def save_plan_to_portfolio(plan: Any, daily_users: float, p_baseline: float, name: str = "05_rollout_plan") -> str:
    """Save a plan that passes ``validate_plan`` to the portfolio as YAML, Markdown and its timeline figure (lesson 05).

    A plan with findings is not saved, so a draft never replaces a finished plan; the returned text
    says what to do instead. Never raises for a plan it cannot read, nor for a ``name`` that is
    not a plain file name (letters, digits, - and _) or a file that cannot be written: the text
    then starts "Not saved:" and says why. Nothing is written outside the work folder.
    """
    from .workspace import not_saved, portfolio_name, save_files

    try:
        name = portfolio_name(name)
    except ValueError as exc:
        return not_saved(exc)
    try:
        plan = read_plan(plan)
    except (PlanError, ValueError) as exc:
        return f"Not saved: the plan cannot be read. {exc}"
    findings = validate_plan(plan, daily_users, p_baseline)
    if findings:
        listed = "\n".join(f"- {f}" for f in findings)
        return f"Not saved yet: the validator still has {len(findings)} finding(s). Fix them, then run this cell again:\n{listed}"
    # the timeline figure, which the portfolio shows under the plan
    import matplotlib.pyplot as plt

    from .plots import rollout_timeline_plot

    fig = rollout_timeline_plot(schedule(plan, daily_users, p_baseline), daily_users)
    try:
        # all three places are checked (and the figure drawn) before anything is written
        saved = save_files({f"{name}.yaml": plan_to_yaml(plan), f"{name}.md": plan_to_markdown(plan, daily_users, p_baseline), f"{name}.png": fig})
    except (ValueError, OSError) as exc:
        return not_saved(exc)
    finally:
        plt.close(fig)
    return "\n".join([*(str(x) for x in saved), "It passes the validator."])


def example_plan() -> RolloutPlan:
    """The lesson's plan for Brightwater's help-centre assistant."""
    success = {"metric": "task_success", "layer": "online", "comparison": ">=", "threshold": 0.58, "severity": "blocker", "effect": -0.02}
    return plan_from_dict({
        "feature": "Help-centre answer assistant",
        "owner": "Head of Support",
        "stages": [
            {"kind": "shadow", "traffic_share": 1.0, "min_days": 7, "gates": [
                {"metric": "groundedness", "layer": "offline", "comparison": ">=", "threshold": 0.9, "severity": "blocker"}]},
            {"kind": "dogfood", "traffic_share": 0.02, "min_days": 7, "gates": [
                {"metric": "escalation_rate", "layer": "online", "comparison": "<=", "threshold": 0.2, "severity": "warning"}]},
            {"kind": "canary", "traffic_share": 0.05, "min_days": 14, "gates": [success]},
            {"kind": "ramp", "traffic_share": 0.5, "min_days": 7, "gates": [
                success, {"metric": "resolution_rate", "layer": "business", "comparison": ">=", "threshold": 0.4, "severity": "blocker"},
                # higher is worse for escalations: the gate is "<=" and the rise to detect is positive
                {"metric": "escalation_rate", "layer": "online", "comparison": "<=", "threshold": 0.2, "severity": "blocker", "effect": 0.05}]},
            {"kind": "full", "traffic_share": 1.0, "min_days": 1, "gates": []},
        ],
        "kill_switch": {"trigger": "escalation rate above 30% on any day", "metric": "escalation_rate", "comparison": "<=", "threshold": 0.3},
        "rollback": "Switch the feature flag off: every question goes to the current help-centre search; the on-call engineer is paged.",
    })


def _days(n: int) -> str:
    return f"{n:,} day" if n == 1 else f"{n:,} days"


def _who_gets_it(stage: Stage) -> str:
    if not stage.exposed:
        return "none see it (shadow)"
    if not stage.customers_exposed:
        return f"staff only, no customers (their use: {stage.traffic_share:.0%} of the daily volume)"
    return f"{stage.traffic_share:.0%}"


def _exposure_words(item: StageSchedule) -> str:
    if not item.stage.exposed:
        return "no user sees it"
    if not item.stage.customers_exposed:
        return "staff only, no customers exposed"
    return f"{item.exposure:,.0f} users exposed"


def plan_to_markdown(plan: RolloutPlan | Mapping, daily_users: float | None = None, p_baseline: float | None = None) -> str:
    """Return the plan as a Markdown document for a portfolio or a launch review; with the daily
    users and the baseline rate it adds the schedule those imply."""
    plan = _as_plan(plan, "plan")
    if daily_users is not None:
        daily_users = _positive("daily_users", daily_users, "a number of users")
    if p_baseline is not None:
        p_baseline = _proportion("p_baseline", p_baseline)
    lines = [f"# Rollout plan: {plan.feature or 'untitled feature'}", ""]
    if plan.owner:
        lines += [f"**Owner:** {plan.owner}", ""]
    lines += ["| Stage | Users who get it | At least | Gates to pass |", "|---|---|---|---|"]
    for s in plan.stages:
        who = _who_gets_it(s)
        gates = "; ".join(str(g) for g in s.gates) or "none"
        lines.append(f"| {s.title} | {who} | {_days(s.min_days)} | {gates} |")
    lines += ["", f"**Kill switch:** {plan.kill_switch or 'none (add one)'}", "", f"**Rollback:** {plan.rollback or 'none (add one)'}", ""]
    if daily_users is not None and p_baseline is not None:
        items = schedule(plan, daily_users, p_baseline)
        lines += [f"At {daily_users:,.0f} users a day and a baseline rate of {p_baseline:.0%}, each stage runs as long as its gates need:", ""]
        lines += [f"- {i.stage.title}: days {i.first_day} to {i.last_day} ({_days(i.days)}, {_exposure_words(i)})" for i in items]
        lines += ["", f"The last stage starts on day {items[-1].first_day}; the plan takes {_days(items[-1].last_day)} in all.", ""]
    else:
        lines += [f"The planned minimum days add up to {_days(sum(s.min_days for s in plan.stages))}.", ""]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Schedule and validation
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class StageSchedule:
    stage: Stage
    start_day: int
    days: int
    days_needed: int | None  # to detect the gates' effects; None when the stage has no such gate
    exposure: float  # users (customers) who met the new model during the stage: none in shadow mode or dogfood

    @property
    def end_day(self) -> int:
        """The day after the stage, counted from 0 (the next stage's ``start_day``)."""
        return self.start_day + self.days

    @property
    def first_day(self) -> int:
        """The stage's first day, counted from 1 as people do."""
        return self.start_day + 1

    @property
    def last_day(self) -> int:
        """The stage's last day, counted from 1."""
        return self.start_day + self.days


def _stage_days_needed(stage: Stage, daily_users: float, p_baseline: float | Mapping[str, float], alpha: float, power: float) -> int | None:
    """Days the stage's online gates need to detect their effects (the longest), or None.

    ``p_baseline`` is one rate for every gate, or a {metric: rate} mapping. Only a stage with a random
    control group can test an effect: not shadow mode, not dogfood (staff), not a full launch."""
    gates = [g for g in stage.gates if g.effect and g.layer != "offline"]
    if not gates or not stage.has_control:
        return None
    days = []
    for g in gates:
        base = p_baseline[g.metric] if isinstance(p_baseline, Mapping) else p_baseline
        if 0 < base + g.effect < 1:
            days.append(days_to_detect(daily_users, base, g.effect, stage.traffic_share, alpha, power))
    return max(days) if days else None


def _stage_length(stage: Stage, needed: int | None) -> int:
    """The days a stage runs: its minimum days, or, when its gates need more, whole weeks that cover
    what they need (a stage longer than planned still reads every day of the week equally)."""
    if needed is None or needed <= stage.min_days:
        return stage.min_days
    return full_week_days(needed)


def schedule(plan: RolloutPlan | Mapping, daily_users: float, p_baseline: float, alpha: float = 0.05, power: float = 0.8) -> list[StageSchedule]:
    """Return each stage's start, length (its minimum days, or, if its gates need more, the whole weeks
    that cover what they need),
    the days its gates need, and its exposure: the users (customers) who met the new model, none in
    shadow mode or dogfood (lesson 05)."""
    plan = _as_plan(plan, "plan")
    users = _positive("daily_users", daily_users, "a number of users")
    p = _proportion("p_baseline", p_baseline)
    out, day = [], 0
    for s in plan.stages:
        needed = _stage_days_needed(s, users, p, alpha, power)
        days = _stage_length(s, needed)
        exposure = users * s.traffic_share * days if s.customers_exposed else 0.0
        out.append(StageSchedule(s, day, days, needed, exposure))
        day += days
    return out


PlanFinding = Finding  # the old name: PlanFinding(stage, problem, fix) reads "stage: problem Fix: fix"

ROLLBACK_MIN_WORDS = 5  # "x" or "roll back" is not a procedure: say what users get instead and who acts
_RATE_IN_WORDS = re.compile(r"(\d+(?:\.\d+)?)\s*(?:%|percent\b|per cent\b)|(?<![\d.])(0?\.\d+)(?![\d.%])")
# The fewest users of the new model a kill switch judges at once (``simulate_rollout``): a quieter
# day is judged with the days before it. ``validate_plan`` asks a plan to say so in its trigger when
# reading the switch on one day's users would turn off a model as good as today's in
# KILL_SWITCH_NOISE of launches or more.
KILL_SWITCH_MIN_USERS = 100
KILL_SWITCH_NOISE = 0.10
# A count of users in a trigger's words: "over the last 100 tickets", "at least 200 users".
_COUNT_IN_WORDS = re.compile(
    r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+)(?![\d.,%])\s+(?:[^\W\d_]+[\s-]+){0,2}?"
    r"(?:users|tickets|cases|questions|queries|requests|conversations|sessions|customers|people|answers|chats|messages|calls"
    r"|documents|contracts|referrals|payments|events|observations)\b",
    re.IGNORECASE,
)


def _percent(x: float) -> str:
    return f"{x * 100:.4g}%"


def _rates_in(text: str) -> list[float]:
    """The rates a trigger names in words: "25%" and "25 percent" are 0.25, and so is "0.25"."""
    return [float(m.group(1)) / 100 if m.group(1) else float(m.group(2)) for m in _RATE_IN_WORDS.finditer(text)]


def _effect_advice(metric: str) -> str:
    """How to write the effect for a gate on ``metric``, with the sign of its harmful direction."""
    known = METRICS.get(metric)
    if known is not None:
        return known.effect_example()
    return "effect: -0.02 for a two-point drop in a rate where higher is better, or 0.02 for a rise in one where higher is worse"


def _direction_findings(stage: Stage, gate: Gate) -> list[PlanFinding]:
    """A gate whose comparison or effect points the wrong way for its metric (for escalations a rise is the harm)."""
    known = METRICS.get(gate.metric)
    if known is None:
        return []
    better = "higher is better" if known.higher_is_better else "higher is worse"
    found = []
    if gate.threshold is not None and gate.comparison != known.healthy_comparison:
        found.append(PlanFinding(stage.title, f"The gate {gate.metric} {gate.comparison} {gate.threshold:g} passes the models it should stop: for {gate.metric} {better}, so a healthy stage reads {gate.metric} {known.healthy_comparison} the threshold.", f"Use \"{known.healthy_comparison}\"."))
    if gate.effect and (gate.effect > 0) != (known.harmful_sign > 0):
        harm = "rise" if known.harmful_sign > 0 else "fall"
        found.append(PlanFinding(stage.title, f"The gate on {gate.metric} watches for a {'rise' if gate.effect > 0 else 'fall'} ({gate.effect:+g}), but for {gate.metric} {better}: the harm to catch is a {harm}.", f"Give the effect the sign of the harm: {known.effect_example(abs(gate.effect))}."))
    return found


def _kill_switch_and_rollback_findings(plan: RolloutPlan) -> list[PlanFinding]:
    """A trigger that says nothing, a threshold that contradicts the trigger's words or the metric's direction, a rollback that is no procedure."""
    found = []
    if plan.kill_switch and len(plan.kill_switch.split()) < 3:
        found.append(PlanFinding("kill switch", f"The trigger {validation.show(plan.kill_switch, 80)} does not say when the feature is switched off.", "Say which number crosses which line, e.g. \"escalation rate above 30% on any day\"."))
    named = _rates_in(plan.kill_switch)
    is_share = plan.kill_threshold is not None and 0 <= plan.kill_threshold <= 1  # else "not a share" says it
    if is_share and named and not any(math.isclose(x, plan.kill_threshold, abs_tol=1e-9) for x in named):
        said = " and ".join(_percent(x) for x in named)
        found.append(PlanFinding("kill switch", f"The trigger says {said}, but the threshold is {plan.kill_threshold:g} ({_percent(plan.kill_threshold)}): the switch would fire at another level than the plan promises.", f"Make them agree: a threshold of {named[0]:g}, or other words."))
    known = METRICS.get(plan.kill_metric or "")
    if known is not None and plan.kill_threshold is not None and plan.kill_comparison != known.healthy_comparison:
        edge = "above" if known.healthy_comparison == "<=" else "below"
        found.append(PlanFinding("kill switch", f"The comparison is the healthy condition, the one that keeps the feature on: {plan.kill_metric} {known.healthy_comparison} {plan.kill_threshold:g} means it is switched off {edge} {_percent(plan.kill_threshold)}.", f"Use \"{known.healthy_comparison}\"."))
    if plan.rollback and len(re.findall(r"[^\W\d_]{2,}", plan.rollback)) < ROLLBACK_MIN_WORDS:
        found.append(PlanFinding("plan", f"The rollback {validation.show(plan.rollback, 80)} is not a procedure.", "Say what happens when the feature is switched off: which path users fall back to, who is paged, and how fast."))
    return found


def _kill_switch_noise_findings(plan: RolloutPlan, daily_users: float, p_baseline: float) -> list[PlanFinding]:
    """A kill switch read on one day's users where a stage has too few for a day's rate to mean anything.

    For each exposed stage under ``KILL_SWITCH_MIN_USERS`` users a day, the chance that one day's rate
    crosses the threshold on a model as good as today's is a binomial tail; over the stages' scheduled
    days, it gives the share of launches a daily switch would end for nothing. At ``KILL_SWITCH_NOISE``
    or more, the trigger must name a window of at least ``KILL_SWITCH_MIN_USERS`` users."""
    known = METRICS.get(plan.kill_metric or "")
    t = plan.kill_threshold
    if known is None or t is None or not 0 < t < 1 or plan.kill_comparison != known.healthy_comparison:
        return []  # no switch the kit can simulate, or a finding above already says what is wrong
    base = p_baseline if known.name == "task_success" else known.baseline
    if not (base < t if known.healthy_comparison == "<=" else base > t):
        return []  # a line on the wrong side of today's rate trips at any traffic: the simulation shows it
    if any(n >= KILL_SWITCH_MIN_USERS for n in (int(x.replace(",", "")) for x in _COUNT_IN_WORDS.findall(plan.kill_switch))):
        return []

    def trips(n: int) -> float:
        """The chance that n users of a model as good as today's cross the line."""
        if known.healthy_comparison == "<=":  # switched off above t: more than t·n of n
            return float(stats.binom.sf(math.floor(t * n + 1e-9), n, base))
        return float(stats.binom.cdf(math.ceil(t * n - 1e-9) - 1, n, base))  # below t: fewer than t·n

    exposed = [(item.stage, round(daily_users * item.stage.traffic_share), item.days) for item in schedule(plan, daily_users, p_baseline)]
    exposed = [(stage, n, days) for stage, n, days in exposed if stage.exposed and n > 0]
    quiet = [(stage, n, trips(n), days) for stage, n, days in exposed if n < KILL_SWITCH_MIN_USERS]
    launches = 1 - math.prod((1 - per_day) ** days for _, _, per_day, days in quiet)
    if launches < KILL_SWITCH_NOISE:
        return []
    # judged on at least KILL_SWITCH_MIN_USERS, would it hold? If not, the line is too near today's
    # rate at any traffic, and a window is not the fix (the simulated rollouts say so)
    windowed = 1 - math.prod((1 - trips(max(n, KILL_SWITCH_MIN_USERS))) ** days for _, n, days in exposed)
    if windowed >= KILL_SWITCH_NOISE:
        return []
    stage, n, per_day, _ = max(quiet, key=lambda q: 1 - (1 - q[2]) ** q[3])
    edge = "above" if known.healthy_comparison == "<=" else "below"
    example = f"{known.name.replace('_', ' ')} {edge} {_percent(t)} over the last {KILL_SWITCH_MIN_USERS} users"
    return [PlanFinding(
        "kill switch",
        f"It watches {known.name} on each day's users, and {stage.title} shows the new model to only {n:,} users a day: "
        f"at today's {base:.0%}, one ordinary day in {1 / per_day:,.0f} goes {edge} {_percent(t)} by chance, so one bad day "
        f"would switch off a model as good as today's in {launches:.0%} of launches.",
        f"Judge it on a window of at least {KILL_SWITCH_MIN_USERS} users, the last few days together when a day has fewer, "
        f"and say so in the trigger, e.g. \"{example}\"; or give every exposed stage at least {KILL_SWITCH_MIN_USERS} users a day.",
    )]


def _experiment_findings(stage: Stage) -> list[PlanFinding]:
    """A stage too short for a weekly cycle; a test asked of dogfood, which has no control group."""
    found = []
    behaviour = [g for g in stage.gates if g.layer != "offline"]
    if behaviour and stage.exposed and stage.kind != "full" and stage.min_days < FULL_WEEK:
        found.append(PlanFinding(
            stage.title,
            f"{_days(stage.min_days)} miss part of the weekly cycle: weekday and weekend users behave differently, and the first "
            f"days carry novelty (users try anything new) or primacy (users miss the old way), so its gates would read a week that never happens.",
            f"Run it for at least {FULL_WEEK} days, in whole weeks.",
            severity="warning",
        ))
    for g in stage.gates:
        if stage.kind == "dogfood" and g.effect and g.layer != "offline":
            found.append(PlanFinding(
                stage.title,
                f"The gate on {g.metric} asks for a test of an effect ({g.effect:+g}), but dogfood has no control group: the staff are not a random share of customers.",
                "Gate dogfood on thresholds alone (drop the effect here); test effects in the canary and the ramp.",
            ))
    return found


def _peeking_findings(stage: Stage, days: int) -> list[PlanFinding]:
    """A gate whose test is read every day at the plain line: false alarms pile up over the looks."""
    from .experiments import MAX_LOOKS, peeking_false_positive_rate

    found = []
    for g in stage.gates:
        if g.daily and g.effect and stage.has_control and not g.corrected and days > 1:
            rate = peeking_false_positive_rate(min(days, MAX_LOOKS))
            found.append(PlanFinding(
                stage.title,
                f"The test on {g.metric} is read every day for {_days(days)} at α = 0.05 with no correction: a model no different from "
                f"today's would look significantly different on some day in about {rate:.0%} of stages, not 5% (about half of those "
                "on the harmful side, stopping a good model).",
                "Read it once, at the end of the stage (drop `read: daily`), or keep the daily look with `correction: obrien-fleming` "
                "(strict lines early, near the usual 1.96 at the end).",
                severity="warning",
            ))
    return found


def validate_plan(plan: RolloutPlan | Mapping, daily_users: float | None = None, p_baseline: float | None = None) -> list[PlanFinding]:
    """Return what keeps a plan from being safe and meaningful; an empty list means it passes.

    With ``daily_users`` and ``p_baseline`` (today's rate of the metric the online gates watch) it
    also checks that each stage lasts long enough for its gates to detect their effect at that
    traffic, that no online gate asks for more than today's rate, and that the kill switch is not
    read on too few users: where a stage shows the new model to fewer than ``KILL_SWITCH_MIN_USERS``
    users a day and one day's noise would switch off a model as good as today's in
    ``KILL_SWITCH_NOISE`` of launches or more, the trigger must name a window of at least that many
    users (as ``simulate_rollout`` judges it). Gates, their effects and the
    kill switch must point the way of their metric's harm (``METRICS``: a rise in escalations, a fall
    in task success); a kill switch's threshold must be the number its trigger names; the rollback
    must be a procedure in words. Two warnings come from "Experiments that lie": a stage whose gates
    read users' behaviour must run at least a week (``FULL_WEEK``), and a test read every day needs a
    correction (``Gate.correction``). Dogfood, which has no control group, may not test an effect.
    """
    plan = _as_plan(plan, "plan")
    if daily_users is not None:
        daily_users = _positive("daily_users", daily_users, "a number of users")
    if p_baseline is not None:
        p_baseline = _proportion("p_baseline", p_baseline)
    found: list[PlanFinding] = []
    if not plan.feature:
        found.append(PlanFinding("plan", "The feature has no name.", "Name the feature the plan launches."))
    if not plan.kill_switch:
        found.append(PlanFinding("plan", "There is no kill switch.", "Say what turns the feature off at once, e.g. \"escalation rate above 30% on any day\"."))
    if not plan.rollback:
        found.append(PlanFinding("plan", "There is no rollback action.", "Say what happens when it is switched off: which path users fall back to, and who is paged."))
    found += _kill_switch_and_rollback_findings(plan)
    first_broad = next((s for s in plan.stages if s.customers_exposed and s.traffic_share > 0.1), None)
    if first_broad is not None:
        earlier = plan.stages[: plan.stages.index(first_broad)]
        if not any(s.kind in ("shadow", "pilot", "dogfood", "canary") for s in earlier):
            found.append(PlanFinding(first_broad.title, f"{first_broad.traffic_share:.0%} of users are exposed with no shadow, dogfood, pilot or canary stage before.", "Start with shadow mode or a small pilot so problems surface at low exposure."))
    layers = {g.layer for s in plan.stages for g in s.gates if g.threshold is not None}
    if len(layers) < 2:
        found.append(PlanFinding("plan", f"Only {len(layers)} metric layer is gated ({', '.join(sorted(layers)) or 'none'}).", "Gate on at least two of offline, online and business metrics: a model gain can hide a product loss."))
    for s in plan.stages:
        for g in s.gates:
            if g.threshold is None:
                found.append(PlanFinding(s.title, f"The gate on {g.metric} has no threshold.", "Give it a number, e.g. task_success >= 0.58."))
            elif not 0 <= g.threshold <= 1:
                found.append(PlanFinding(s.title, f"The gate on {g.metric} has the threshold {g.threshold:g}, but the metrics here are rates.", f"Write it as a share between 0 and 1: {g.threshold / 100:g}, not {g.threshold:g}."))
            elif g.effect and p_baseline is not None and g.layer == "online" and g.comparison == ">=" and g.threshold > p_baseline:
                found.append(PlanFinding(s.title, f"The gate {g.metric} >= {g.threshold:g} is above today's rate ({p_baseline:g}): a model no worse than today would fail it.", f"Set it at or below {p_baseline:g}, e.g. today's rate less the effect ({p_baseline - abs(g.effect):g})."))
            if g.layer == "online" and g.severity == "blocker" and g.effect is None and s.has_control:
                found.append(PlanFinding(s.title, f"The online blocker on {g.metric} does not say what change it must detect.", f"Add its `effect`, e.g. {_effect_advice(g.metric)}; the stage's length depends on it."))
            found += _direction_findings(s, g)
        if s.kind != "full" and not s.gates:
            found.append(PlanFinding(s.title, "The stage has no gate.", "Say which metric must hold before the next stage starts."))
        found += _experiment_findings(s)
    if plan.kill_threshold is not None and not 0 <= plan.kill_threshold <= 1:
        found.append(PlanFinding("kill switch", f"The threshold {plan.kill_threshold:g} is not a share.", f"Write it as a share between 0 and 1: {plan.kill_threshold / 100:g}."))
    if plan.stages[-1].kind != "full":
        found.append(PlanFinding("plan", "The plan never reaches full launch.", "End with a full stage, or say why the feature stays partial."))
    days = {s.title: s.min_days for s in plan.stages}
    if daily_users is not None and p_baseline is not None:
        for item in schedule(plan, daily_users, p_baseline):
            days[item.stage.title] = item.days
            if item.days_needed is not None and item.stage.min_days < item.days_needed:
                found.append(PlanFinding(
                    item.stage.title,
                    f"{item.stage.min_days} days at {item.stage.traffic_share:.0%} of {daily_users:,.0f} users a day cannot show its gate's effect; it needs {item.days_needed} days.",
                    f"Run it for at least {item.days} days ({item.days // FULL_WEEK} whole {'week' if item.days == FULL_WEEK else 'weeks'}), give it a larger share, or gate on a larger effect.",
                ))
        found += _kill_switch_noise_findings(plan, daily_users, p_baseline)
    found += [f for s in plan.stages for f in _peeking_findings(s, days[s.title])]
    return found


# --------------------------------------------------------------------------------------------
# A simulated rollout
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Regression:
    """A change in a metric from day ``start_day`` (days count from 1): on the new model only (a
    regression) or, with ``drift=True``, for everyone (the world changed, not the model)."""

    metric: str
    change: float
    start_day: int = 1
    drift: bool = False


@dataclasses.dataclass(frozen=True)
class SimulationResult:
    days: list[dict]
    stopped: bool
    stop_stage: str | None
    stop_day: int | None
    reason: str
    exposed_to_regression: float  # customers who met the regression: staff in dogfood are not counted
    reached_full: bool

    def __str__(self) -> str:
        return self.reason


@dataclasses.dataclass(frozen=True)
class Metric:
    """A rate the kit measures: today's value and which way is better (lesson 05).

    For task_success higher is better, so the harm a gate guards against is a fall (a negative
    ``effect``, a ``>=`` gate); for escalation_rate higher is worse, so the harm is a rise (a
    positive ``effect``, a ``<=`` gate).
    """

    name: str
    baseline: float
    higher_is_better: bool = True

    @property
    def harmful_sign(self) -> int:
        """-1 when a fall is the harm (higher is better), +1 when a rise is."""
        return -1 if self.higher_is_better else 1

    @property
    def healthy_comparison(self) -> str:
        """The comparison that holds on a healthy day: ">=" when higher is better, "<=" when worse."""
        return ">=" if self.higher_is_better else "<="

    def effect_example(self, size: float = 0.02) -> str:
        """How to write an effect to detect for this metric, e.g. "effect: 0.02 for a two-point rise in escalation_rate"."""
        hundredths = round(size * 100, 6)
        points = {1: "one", 2: "two", 3: "three", 5: "five"}.get(hundredths, f"{hundredths:g}")
        return f"effect: {self.harmful_sign * size:g} for a {points}-point {'drop' if self.higher_is_better else 'rise'} in {self.name}"


METRICS = {m.name: m for m in (
    Metric("groundedness", 0.93),
    Metric("task_success", 0.60),
    Metric("escalation_rate", 0.15, higher_is_better=False),
    Metric("resolution_rate", 0.45),
)}
DEFAULT_BASELINES = {name: m.baseline for name, m in METRICS.items()}


def _gate_fails(gate: Gate, new: tuple[float, float], old: tuple[float, float], alpha: float, test: bool = True) -> str | None:
    """Return why a gate fails on a stage's numbers (successes, trials) for the new and old model, or None.

    A gate fails when the new model's rate misses the threshold, or, for a gate with an ``effect``
    and a control group, when the new model is significantly worse than the old (a two-sided test at
    ``alpha``, in the harmful direction): the comparison the stage's length was sized for. The harmful
    direction is the metric's (a fall in task_success, a rise in escalation_rate: see ``METRICS``);
    only for a metric the kit does not know does the effect's sign say which way is worse.
    ``test=False`` reads the threshold only (a gate read daily had its test every day).
    """
    hits, trials = new
    value = hits / trials
    if gate.threshold is not None and not gate.passes(value):
        return f"{gate.metric} was {value:.1%} on the new model; the gate needs {gate.comparison} {gate.threshold:.1%}"
    if test:
        return _significantly_worse(gate, new, old, float(stats.norm.ppf(1 - alpha / 2)))
    return None


def _significantly_worse(gate: Gate, new: tuple[float, float], old: tuple[float, float], line: float) -> str | None:
    """Why the new model is significantly worse than the control (|z| beyond ``line`` on the harmful side), or None."""
    (hits, trials), (c_hits, c_trials) = new, old
    if not gate.effect or c_trials == 0 or trials == 0:
        return None
    value = hits / trials
    pooled = (hits + c_hits) / (trials + c_trials)
    se = math.sqrt(max(pooled * (1 - pooled), 1e-12) * (1 / trials + 1 / c_trials))
    z = (value - c_hits / c_trials) / se
    # the harmful direction is the metric's (a rise in escalations); the effect's sign only for a metric the kit does not know
    known = METRICS.get(gate.metric)
    harmful = known.harmful_sign if known is not None else (-1 if gate.effect < 0 else 1)
    if z < -line if harmful < 0 else z > line:
        return f"{gate.metric} was {value:.1%} on the new model against {c_hits / c_trials:.1%} on the old: significantly worse (z = {z:.2f})"
    return None


def _daily_stop(stage: Stage, look: int, looks: int, new: Mapping, old: Mapping, alpha: float) -> str | None:
    """Why a blocker read daily stops the stage at this look (its test against the day's line), or None."""
    from .experiments import MAX_LOOKS, sequential_bounds

    for g in stage.gates:
        if g.daily and g.effect and g.severity == "blocker" and stage.has_control:
            lines = sequential_bounds(min(looks, MAX_LOOKS), alpha, g.correction or "none")
            line = lines[min(look, len(lines)) - 1]
            why = _significantly_worse(g, tuple(new[g.metric]), tuple(old[g.metric]), line)
            if why:
                return f"{why}, beyond the day's line of {line:.2f} (look {look} of {looks})"
    return None


def _kill_reason(plan: RolloutPlan, day: int, stage: Stage, value: float, span: int, seen: int) -> str:
    """The kill switch's message: the number and the threshold it crossed, never the trigger's words alone."""
    over = "" if span == 1 else f" over the last {span} days ({seen:,} users)"
    edge = "above" if plan.kill_comparison == "<=" else "below"
    return (f"Kill switch on day {day} in {stage.title}: {plan.kill_metric} was {value:.1%}{over}, {edge} the switch's "
            f"threshold of {_percent(plan.kill_threshold)}. Rolled back.")


def simulate_rollout(
    plan: RolloutPlan | Mapping,
    daily_users: float,
    baselines: Mapping[str, float] | None = None,
    changes: Sequence[Regression] | None = (),
    seed: int = 0,
    offline_cases: int = 500,
    alpha: float = 0.05,
    power: float = 0.8,
    kill_min_users: int = KILL_SWITCH_MIN_USERS,
) -> SimulationResult:
    """Simulate a rollout day by day, days counted from 1 (lesson 05).

    Each day, the stage's share of users gets the new model and the rest the old one (the control).
    Every metric is a rate: each user's outcome is drawn at the metric's baseline, plus any change
    in effect that day (a regression touches the new model only; drift touches everyone). In
    shadow mode only offline metrics are measured, on ``offline_cases`` labelled cases a day. In
    dogfood the staff use the new model (as many uses a day as its share of the volume) and there is
    no control group; staff are not counted in ``exposed_to_regression``, which counts customers.
    The kill switch is checked on each exposed day, on the new model's numbers, and judges at least
    ``kill_min_users`` users (``KILL_SWITCH_MIN_USERS``, 100) at once, as a real kill switch's rolling
    window or minimum count does: a day with that many users is judged alone; a quieter day is
    judged with the days just before it (across stages), the fewest that together hold that many;
    until the new model has had that many users, the switch waits. (A rate on a dozen users is noise:
    at 15% escalations, one day in eleven tops 30% by chance.) ``kill_min_users=1`` judges every
    day alone. A stage's gates are read on its numbers at its end: a threshold missed, or (for a
    gate with an effect) the new model significantly worse than the control, stops the rollout if
    the gate is a blocker. A gate with ``read: daily`` has its test read every day instead, on the
    stage's numbers so far, against the day's line (``experiments.sequential_bounds`` for its
    ``correction``; the plain 1.96 without one). Each stage runs as long as ``schedule`` says: its
    minimum days, or longer, in whole weeks, if its gates need it. The same seed gives the same result.
    """
    plan = _as_plan(plan, "plan")
    users = _positive("daily_users", daily_users, "a number of users")
    if baselines is not None and not isinstance(baselines, Mapping):
        raise validation.fail("baselines", baselines, "a mapping of metric to today's rate, e.g. {'task_success': 0.6}, or None")
    if changes is None:
        changes = ()
    if isinstance(changes, (str, bytes, Mapping)) or not isinstance(changes, Iterable):
        raise validation.fail("changes", changes, "a list of Regression(...) items (or None)")
    offline_cases = validation.count("offline_cases", offline_cases, minimum=0, maximum=10**9, allowed="a whole number of cases from 0 to 1,000,000,000")
    rates = dict(DEFAULT_BASELINES if baselines is None else baselines)
    for name, value in rates.items():
        _proportion(f"baselines[{name!r}]", value)
    changes = tuple(changes)
    for index, change in enumerate(changes):
        if not isinstance(change, Regression):
            raise validation.fail("changes", change, "Regression(...) items")
        validation.real(f"changes[{index}].change", change.change, low=-1, high=1, allowed="a change in a rate, from -1 to 1")
        validation.count(f"changes[{index}].start_day", change.start_day, minimum=1, allowed="a day, counted from 1")
        if change.metric not in rates:
            raise ValueError(f"Regression metric {change.metric!r} has no baseline; the metrics are {', '.join(rates)}")
    offline = set()
    for s in plan.stages:
        for g in s.gates:
            if g.metric not in rates:
                raise ValueError(f"the gate on {g.metric!r} ({s.title}) has no baseline; give one in baselines=")
            if g.layer == "offline":
                offline.add(g.metric)
    if plan.kill_metric and plan.kill_metric not in rates:
        raise ValueError(f"the kill switch's metric {plan.kill_metric!r} has no baseline; give one in baselines=")
    seed = validation.seed("seed", seed)
    a, b = _level("alpha", alpha), _level("power", power)
    kill_min = validation.count("kill_min_users", kill_min_users, minimum=1, allowed="a whole number of users, 1 or more")
    rng = np.random.default_rng(seed)

    def true_rate(metric: str, day: int, on_new: bool) -> float:
        value = rates[metric]
        for c in changes:
            if c.metric == metric and day >= c.start_day and (on_new or c.drift):
                value += c.change
        return min(max(value, 0.0), 1.0)

    regressions = [c for c in changes if not c.drift]
    records: list[dict] = []
    watched: list[tuple[int, int]] = []  # the kill metric on the new model, (hits, users) per exposed day
    exposed_bad = 0.0
    day = 1
    for s in plan.stages:
        needed = _stage_days_needed(s, users, rates, a, b)
        new_totals = {m: [0, 0] for m in rates}
        old_totals = {m: [0, 0] for m in rates}
        stage_days = _stage_length(s, needed)
        for look in range(1, stage_days + 1):
            n_new = int(round(users * s.traffic_share)) if s.exposed else 0  # in dogfood, the staff's use
            n_old = int(round(users * (1 - s.traffic_share))) if s.has_control else 0
            record: dict[str, Any] = {"day": day, "stage": s.title, "share": s.traffic_share, "control": {}}
            if s.customers_exposed and any(day >= c.start_day for c in regressions):
                exposed_bad += n_new
            for metric in rates:
                trials = n_new if s.exposed else (offline_cases if metric in offline else 0)
                if trials:
                    hits = int(rng.binomial(trials, true_rate(metric, day, on_new=True)))
                    new_totals[metric][0] += hits
                    new_totals[metric][1] += trials
                    record[metric] = hits / trials
                    if metric == plan.kill_metric and s.exposed:
                        watched.append((hits, trials))
                if n_old:
                    hits = int(rng.binomial(n_old, true_rate(metric, day, on_new=False)))
                    old_totals[metric][0] += hits
                    old_totals[metric][1] += n_old
                    record["control"][metric] = hits / n_old
            records.append(record)
            if plan.kill_metric and plan.kill_threshold is not None and s.exposed and plan.kill_metric in record:
                # the fewest recent exposed days that hold kill_min users: today alone on a busy day
                bad = seen = span = 0
                for day_hits, day_users in reversed(watched):
                    bad, seen, span = bad + day_hits, seen + day_users, span + 1
                    if seen >= kill_min:
                        break
                value = bad / seen
                ok = value <= plan.kill_threshold if plan.kill_comparison == "<=" else value >= plan.kill_threshold
                if seen >= kill_min and not ok:
                    return SimulationResult(records, True, s.title, day, _kill_reason(plan, day, s, value, span, seen), exposed_bad, False)
            why = _daily_stop(s, look, stage_days, new_totals, old_totals, a)
            if why:
                return SimulationResult(records, True, s.title, day, f"Stopped on day {day} in {s.title}: {why}. Rolled back.", exposed_bad, False)
            day += 1
        for g in s.gates:
            if new_totals[g.metric][1] == 0:
                continue
            why = _gate_fails(g, tuple(new_totals[g.metric]), tuple(old_totals[g.metric]), a, test=not (g.daily and s.has_control))
            if why and g.severity == "blocker":
                return SimulationResult(records, True, s.title, day - 1, f"Stopped at the end of {s.title} (day {day - 1}): {why}. Rolled back.", exposed_bad, False)
    reached = plan.stages[-1].kind == "full"
    reason = "Reached full launch: every blocker passed." if reached else "Every stage passed; the plan has no full stage."
    return SimulationResult(records, False, None, None, reason, exposed_bad, reached)


# --------------------------------------------------------------------------------------------
# Drift
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class DriftReport:
    psi: float
    ks_statistic: float
    ks_pvalue: float

    @property
    def level(self) -> str:
        """The conventional reading of the PSI: below 0.1 stable, 0.1 to 0.25 moderate, above 0.25 significant."""
        if self.psi < 0.1:
            return "stable"
        if self.psi < 0.25:
            return "moderate"
        return "significant"

    def __str__(self) -> str:
        advice = {"stable": "no action", "moderate": "investigate: which segment moved, and does quality hold?", "significant": "act: check quality on recent labelled cases; retraining may be due"}[self.level]
        return f"PSI {self.psi:.3f} ({self.level}: {advice}); KS statistic {self.ks_statistic:.3f}, p-value {self.ks_pvalue:.3g}"


def _sample(name: str, values: Any) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError, OverflowError):
        raise validation.fail(name, values, "a list or array of numbers") from None
    if array.size < 10:
        raise ValueError(f"{name} needs at least 10 values to compare distributions, got {array.size}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must hold finite numbers; found NaN or infinite values")
    return array


def population_stability_index(reference: Any, current: Any, bins: int = 10) -> float:
    """Return PSI = Σ (c − r)·ln(c / r) over bins cut at the reference's quantiles (lesson 05).

    r and c are the shares of the reference and current samples in each bin; an empty bin counts as
    a share of 0.0001 so the logarithm stays finite.
    """
    ref, cur = _sample("reference", reference), _sample("current", current)
    bins = validation.count("bins", bins, minimum=2, maximum=100)
    edges = np.unique(np.quantile(ref, np.linspace(0, 1, bins + 1)))
    inner = edges[1:-1]
    r = np.bincount(np.searchsorted(inner, ref, side="right"), minlength=len(inner) + 1) / ref.size
    c = np.bincount(np.searchsorted(inner, cur, side="right"), minlength=len(inner) + 1) / cur.size
    r, c = np.maximum(r, 1e-4), np.maximum(c, 1e-4)
    return float(np.sum((c - r) * np.log(c / r)))


def drift_check(reference: Any, current: Any, bins: int = 10) -> DriftReport:
    """Return the PSI and a two-sample Kolmogorov–Smirnov test between two samples of a feature."""
    ref, cur = _sample("reference", reference), _sample("current", current)
    ks = stats.ks_2samp(ref, cur)
    return DriftReport(population_stability_index(ref, cur, bins), float(ks.statistic), float(ks.pvalue))
