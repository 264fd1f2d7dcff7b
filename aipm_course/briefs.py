"""The AI feature brief, the feasibility scorecard and the pattern ladder (lesson 01).

A brief (an "AI PRD") is the document a team can build and test against. It holds the ten
fields every AI feature needs, plus success metrics in three layers: quality (offline, on a
labelled evaluation set), product (online, with real users) and business (the company's results).

- ``load_brief`` / ``brief_from_dict`` / ``save_brief`` / ``brief_to_markdown``: read and write one.
- ``validate_brief``: the findings that stand between a draft and a testable brief.
- ``feasibility_score``: six 1–5 ratings turned into a 0–100 score and a verdict.
- ``PATTERNS`` and ``suggest_pattern``: the smallest reliable pattern, from rules to agents.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import os
import re
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from . import validation
from .safe_yaml import clip, is_path, load_yaml
from .validation import AipmError, Finding

__all__ = [
    "BriefError",
    "Metric",
    "FeatureBrief",
    "Finding",
    "SECTIONS",
    "LAYERS",
    "COMPARISONS",
    "parse_target",
    "brief_from_dict",
    "load_brief",
    "load_example",
    "brief_to_dict",
    "brief_to_yaml",
    "save_brief",
    "brief_to_markdown",
    "validate_brief",
    "FEASIBILITY_DIMENSIONS",
    "FeasibilityResult",
    "feasibility_score",
    "Pattern",
    "PATTERNS",
    "PatternSuggestion",
    "suggest_pattern",
    "LATENCY_TIERS",
    "latency_tier",
    "read_brief",
    "save_to_portfolio",
    "findings_table",
    "sections_table",
    "metrics_table",
    "patterns_table",
]

LAYERS = ("quality", "product", "business")
LAYER_MEANING = {
    "quality": "offline, measured on a labelled evaluation set before launch",
    "product": "online, measured while real users use the feature",
    "business": "the company's results, usually in money or time",
}
COMPARISONS = (">=", ">", "<=", "<")

# The ten fields of an AI PRD, each with the parts a team must agree on. Metrics (field 5's
# target metrics and field 6's online and business metrics) live in `metrics`, by layer.
SECTIONS: dict[str, tuple[str, dict[str, str]]] = {
    "workflow": (
        "1. User workflow and the painful step",
        {
            "users": "who does the work today, and how many of them",
            "painful_step": "the step that is slow, error-prone or expensive",
            "ai_role": "what the system does in that step, and what the person still does",
        },
    ),
    "why_ai": (
        "2. Why AI beats rules, and the non-AI baseline",
        {
            "reason": "why rules or a simpler tool cannot do the job",
            "baseline": "how well the non-AI way works today, in numbers",
        },
    ),
    "data": (
        "3. Data: sources, ownership, freshness, labelling",
        {
            "sources": "where the data comes from and how much there is",
            "owner": "the team that owns it",
            "freshness": "how current it must be",
            "labelling": "who labels examples, and how many",
        },
    ),
    "pattern": (
        "4. Pattern choice",
        {
            "choice": "one of: rules, predictive_ml, rag, fine_tuning, agent",
            "reason": "why the smaller patterns are not enough",
        },
    ),
    "evaluation": (
        "5. Offline evaluation set and failure examples",
        {
            "dataset": "the labelled evaluation set: what it contains and how many cases",
            "failure_examples": "concrete examples of the errors that matter most",
        },
    ),
    "online_metrics": (
        "6. Online and business metrics",
        {"summary": "which product and business metrics show the feature helps (listed under metrics)"},
    ),
    "human_in_the_loop": (
        "7. Human review, override and escalation",
        {
            "review": "when a person reviews the output",
            "override": "how a person corrects or rejects it",
            "escalation": "when and to whom a case is handed over (the human fallback)",
        },
    ),
    "release": (
        "8. Release gates, rollout segments, kill switch and rollback",
        {
            "gates": "the numbers that must hold before each step of the rollout",
            "segments": "who gets the feature first, then next",
            "kill_switch": "how the feature is switched off at once",
            "rollback": "what you go back to, and how fast",
        },
    ),
    "monitoring": (
        "9. Monitoring: drift, cost, latency, quality",
        {
            "drift": "how you notice that inputs or behaviour change",
            "cost": "how you watch spend per query and per successful task",
            "latency": "the response-time target you watch",
            "quality": "how quality is sampled and reviewed after launch",
        },
    ),
    "governance": (
        "10. Governance pack",
        {
            "model_card": "what the model does, on what data, with which limits",
            "privacy_review": "the privacy review and its outcome",
            "risk_memo": "the risks, who signed off, and when it is reviewed again",
        },
    ),
}


class BriefError(AipmError):
    """A brief that cannot be read: malformed YAML or a field of the wrong type."""


# --------------------------------------------------------------------------------------------
# Metrics
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Metric:
    """One success metric: a name, its layer, and a testable target such as ``>= 0.92``."""

    name: str
    layer: str
    comparison: str | None
    target: float | None
    unit: str = ""
    eval_set: str = ""
    eval_size: int | None = None
    text: str = ""  # the target as written, e.g. ">= 92%" or "improve accuracy"

    def __str__(self) -> str:
        if self.comparison is None or self.target is None:
            return f"{self.name}: {self.text or 'no target'}"
        unit = f" {self.unit}" if self.unit else ""
        return f"{self.name} {self.comparison} {_number(self.target)}{unit}"

    def is_met_by(self, value: float) -> bool:
        """Return True if a measured value meets the target (lesson 01, "testable metrics")."""
        if self.comparison not in COMPARISONS or self.target is None or not math.isfinite(self.target):
            raise ValueError(f"metric {validation.show(self.name)} has no testable target ({validation.show(self.text)}); use one of {', '.join(COMPARISONS)} and a number")
        return {
            ">=": value >= self.target,
            ">": value > self.target,
            "<=": value <= self.target,
            "<": value < self.target,
        }[self.comparison]


def _number(value: float) -> str:
    return f"{value:g}"


_TARGET = re.compile(
    r"^\s*(>=|<=|>|<|≥|≤|at least|at most|below|under|above|over)\s*([$€£]?)\s*([-+]?\d[\d,]*\.?\d*)\s*(%?)\s*(.*)$", re.I
)
_CURRENCY = {"$": "USD", "€": "EUR", "£": "GBP"}
_WORDS = {"≥": ">=", "≤": "<=", "at least": ">=", "at most": "<=", "below": "<", "under": "<", "above": ">", "over": ">"}


def parse_target(text: Any) -> tuple[str | None, float | None, str]:
    """Return (comparison, target, unit) from text such as ``">= 92%"`` or ``"< 0.01"``.

    A percentage becomes a share (92% -> 0.92). Text with no comparison or no number, such as
    "improve accuracy", gives (None, None, "").
    """
    if isinstance(text, bool) or text is None:
        return None, None, ""
    if isinstance(text, numbers.Real):  # a bare number: the direction is missing
        return None, validation.real("text", text, allowed="a target such as \">= 92%\", or a finite number"), ""
    match = _TARGET.match(str(text))
    if not match:
        return None, None, ""
    word, currency, number, percent, unit = match.groups()
    comparison = _WORDS.get(word.lower(), word)
    value = float(number.replace(",", ""))
    if not math.isfinite(value):  # hundreds of digits: no number anyone means
        return None, None, ""
    if percent:
        value /= 100
    return comparison, value, _CURRENCY.get(currency, "") or unit.strip()


def _metric_from(name: str, layer: str, spec: Any, where: str) -> Metric:
    if isinstance(spec, Mapping):
        target_text = spec.get("target")
        comparison = spec.get("comparison")
        if comparison is not None or isinstance(target_text, numbers.Real):
            parsed = (comparison, None if target_text is None else target_text, spec.get("unit", ""))
            comparison, target, unit = parsed
            if comparison is not None:
                comparison = _WORDS.get(str(comparison).lower(), str(comparison))
            if target is not None and not validation.is_number(target):  # NaN is read, and reported by validate_brief
                raise validation.fail(f"{where}.target", target, "a number", BriefError)
            target = None if target is None else _target_number(target, f"{where}.target")
            text = f"{comparison} {target}" if comparison else str(target)
        else:
            comparison, target, unit = parse_target(target_text)
            unit = spec.get("unit", unit)
            text = "" if target_text is None else str(target_text)
        size = spec.get("eval_size")
        if size is not None:  # 0 or less is read, and reported by validate_brief
            size = validation.count(f"{where}.eval_size", size, minimum=None, allowed="a whole number of cases", error=BriefError)
        return Metric(
            name=str(spec.get("name", name)),
            layer=layer,
            comparison=comparison,
            target=None if target is None else float(target),
            unit=str(unit or ""),
            eval_set=str(spec.get("eval_set") or ""),
            eval_size=None if size is None else int(size),
            text=text,
        )
    if validation.is_number(spec) and not isinstance(spec, bool):  # a bare number: NaN is read, and reported by validate_brief
        return Metric(name, layer, None, _target_number(spec, where), "", text=str(spec))
    comparison, target, unit = parse_target(spec)
    return Metric(name, layer, comparison, target, unit, text="" if spec is None else str(spec))


def _target_number(value: Any, where: str) -> float:
    """A target as a float: NaN and infinity are read (``validate_brief`` reports them); an int too
    large for a float is refused."""
    try:
        return float(value)
    except OverflowError:
        raise validation.fail(where, value, "a number a float can hold", BriefError) from None


def _metrics_from(raw: Any) -> list[Metric]:
    if raw is None:
        return []
    if not isinstance(raw, Mapping):
        raise BriefError(f"metrics must be a mapping with the layers {', '.join(LAYERS)}, got {type(raw).__name__}")
    metrics = []
    for layer, entries in raw.items():
        where = f"metrics.{clip(layer)}"
        if layer not in LAYERS:
            raise BriefError(f"{where}: unknown layer {validation.show(layer)}; the layers are {', '.join(LAYERS)}")
        if entries is None:
            continue
        if isinstance(entries, Mapping):  # name: ">= 0.92" or name: {target: ...}
            for name, spec in entries.items():
                metrics.append(_metric_from(str(name), layer, spec, f"{where}.{clip(name)}"))
        elif isinstance(entries, list):  # [{name: ..., target: ...}, ...]
            for index, spec in enumerate(entries):
                if not isinstance(spec, Mapping) or "name" not in spec:
                    raise BriefError(f"{where}[{index}] must be a mapping with a `name`, got {validation.show(spec)}")
                metrics.append(_metric_from(str(spec["name"]), layer, spec, f"{where}[{index}]"))
        else:
            raise BriefError(f"{where} must be a list or mapping of metrics, got {type(entries).__name__}")
    return metrics


# --------------------------------------------------------------------------------------------
# The brief
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass
class FeatureBrief:
    """An AI feature brief: name, user problem, the ten sections and the metrics by layer."""

    feature: str = ""
    user_problem: str = ""
    sections: dict[str, dict[str, str]] = dataclasses.field(default_factory=dict)
    metrics: list[Metric] = dataclasses.field(default_factory=list)

    def metrics_in(self, layer: str) -> list[Metric]:
        return [m for m in self.metrics if m.layer == layer]


def _text(value: Any, where: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        raise BriefError(
            f"{where} reads as the yes/no value {value}: YAML turns a bare yes, no, true or false into one. "
            f"Write a sentence, or put the word in quotes: \"{'yes' if value else 'no'}\"."
        )
    if isinstance(value, (str, int, float)):  # a bool was turned away above
        return str(value).strip()
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return "; ".join(str(v).strip() for v in value)
    raise BriefError(f"{where} must be text (or a list of short texts), got {type(value).__name__}: {validation.show(value)}")


def _some(keys: list) -> str:
    """The first few keys as short reprs ("'a', 'b' and 7 more"): never a file's worth of keys."""
    shown = ", ".join(validation.show(k, 40) for k in keys[:5])
    return shown + (f" and {len(keys) - 5} more" if len(keys) > 5 else "")


BRIEF_ALLOWED = "a brief: a mapping of its fields (feature, user_problem, the ten sections, metrics) or a FeatureBrief"


def _as_brief(value: Any, name: str, source: Any = None) -> FeatureBrief:
    """``brief_from_dict`` for the argument ``name``: a value that is no brief is refused by that name.
    ``source`` is the YAML text or path the value was read from, if it was."""
    return validation.read_as(name, value, (FeatureBrief, Mapping), brief_from_dict, BRIEF_ALLOWED, BriefError, source)


def brief_from_dict(data: Any) -> FeatureBrief:
    """Return a FeatureBrief from a dict (as loaded from YAML). Wrong types raise BriefError."""
    if isinstance(data, FeatureBrief):
        return data
    if not isinstance(data, Mapping):
        raise validation.fail("data", data, BRIEF_ALLOWED, BriefError)
    known = {"feature", "user_problem", "metrics", *SECTIONS}
    unknown = [key for key in data if key not in known]
    if unknown:
        raise BriefError(
            f"unknown field(s) {_some(unknown)}; the fields are {', '.join(sorted(known))}"
        )
    sections: dict[str, dict[str, str]] = {}
    for name, (_, parts) in SECTIONS.items():
        raw = data.get(name)
        if raw is None:
            continue
        if isinstance(raw, Mapping):
            extra = [key for key in raw if key not in parts]
            if extra:
                raise BriefError(f"{name}: unknown part(s) {_some(extra)}; expected {', '.join(parts)}")
            sections[name] = {part: _text(raw.get(part), f"{name}.{part}") for part in parts if part in raw}
        elif name == "pattern" and isinstance(raw, str):
            sections[name] = {"choice": raw.strip()}
        else:
            raise BriefError(f"{name} must be a mapping with the parts {', '.join(parts)}, got {type(raw).__name__}")
    return FeatureBrief(
        feature=_text(data.get("feature"), "feature"),
        user_problem=_text(data.get("user_problem"), "user_problem"),
        sections=sections,
        metrics=_metrics_from(data.get("metrics")),
    )


def read_yaml_source(source: str | Path, what: str, error: type[ValueError]) -> Any:
    """Return the data in a YAML file path or YAML text; every problem becomes ``error`` with a
    message that names ``what`` ("the brief", "the plan") and, for bad YAML, the line and a fix.
    The reading (size, alias, nesting limits; safe loading only) is ``safe_yaml.load_yaml``'s."""
    data = load_yaml(source, what=what, error=error, argument="source")
    if data is None:
        raise error(f"{source if is_path(source) else what} is empty")
    return data


def load_brief(source: str | Path) -> FeatureBrief:
    """Return a brief from a YAML file path or YAML text (safe loading only)."""
    return _as_brief(read_yaml_source(source, "the brief", BriefError), "source", source)


def load_example(name: str) -> FeatureBrief:
    """Return a bundled example brief: "support_triage" (complete) or "weak" (a vague draft)."""
    files = {"support_triage": "brief_support_triage.yaml", "weak": "brief_weak.yaml"}
    if not isinstance(name, str) or name not in files:
        raise validation.fail("name", name, f"one of {', '.join(map(repr, files))}")
    text = resources.files("aipm_course").joinpath("data", files[name]).read_text(encoding="utf-8")
    return load_brief(text)


def _metric_to_dict(metric: Metric) -> dict[str, Any]:
    out: dict[str, Any] = {"name": metric.name}
    canonical = f"{metric.comparison} {metric.target}" if metric.comparison is not None else None
    if metric.comparison is not None and metric.target is not None and metric.text in ("", canonical):
        out["comparison"] = metric.comparison
        out["target"] = metric.target
    elif metric.comparison is None and metric.target is not None and not metric.text.strip(" 0123456789.+-eE"):
        out["target"] = metric.target  # a bare number: keep it a number
    else:
        out["target"] = metric.text  # as the author wrote it, e.g. ">= 92%" or "improve accuracy"
    if metric.unit:
        out["unit"] = metric.unit
    if metric.eval_set:
        out["eval_set"] = metric.eval_set
    if metric.eval_size is not None:
        out["eval_size"] = metric.eval_size
    return out


def brief_to_dict(brief: FeatureBrief) -> dict[str, Any]:
    """Return the brief as plain data, in the fields' order (what ``save_brief`` writes)."""
    brief = _as_brief(brief, "brief")
    out: dict[str, Any] = {"feature": brief.feature, "user_problem": brief.user_problem}
    for name in SECTIONS:
        if name in brief.sections:
            out[name] = dict(brief.sections[name])
    out["metrics"] = {
        layer: [_metric_to_dict(m) for m in brief.metrics_in(layer)] for layer in LAYERS if brief.metrics_in(layer)
    }
    return out


def brief_to_yaml(brief: FeatureBrief | Mapping) -> str:
    """Return the brief as YAML text that ``load_brief`` reads back to an equal brief."""
    return yaml.dump(
        brief_to_dict(_as_brief(brief, "brief")), Dumper=_IndentedDumper, sort_keys=False, allow_unicode=True, width=10_000
    )


class _IndentedDumper(yaml.SafeDumper):
    """Indent list items under their key, two spaces per level, as people write YAML by hand."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def save_brief(brief: FeatureBrief | Mapping, path: str | Path) -> Path:
    """Write the brief as YAML to path; return the path."""
    if not isinstance(path, (str, os.PathLike)):
        raise validation.fail("path", path, "a file path: text or a Path")
    text = brief_to_yaml(brief)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def brief_to_markdown(brief: FeatureBrief | Mapping) -> str:
    """Return the brief as a Markdown page for a portfolio."""
    brief = _as_brief(brief, "brief")
    lines = [f"# AI feature brief: {brief.feature or '(unnamed feature)'}", "", f"**User problem.** {brief.user_problem or '—'}", ""]
    for name, (title, parts) in SECTIONS.items():
        lines.append(f"## {title}")
        lines.append("")
        if name == "evaluation":
            lines += _metrics_table(brief, ("quality",))
        if name == "online_metrics":
            lines += _metrics_table(brief, ("product", "business"))
        section = brief.sections.get(name, {})
        for part in parts:
            value = section.get(part, "")
            if value:
                lines.append(f"- **{_LABELS.get(part, part.replace('_', ' ').capitalize())}:** {value}")
        if not section and name != "online_metrics":
            lines.append("_Not written yet._")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _readable(metric: Metric) -> str:
    """Show a target as people write it: shares as percentages, money with its currency."""
    if metric.unit in {"USD", "EUR", "GBP"}:
        return f"{metric.target:g} {metric.unit}"
    if not metric.unit and 0 <= metric.target <= 1:
        return f"{metric.target * 100:g}%"
    return f"{_number(metric.target)}{(' ' + metric.unit) if metric.unit else ''}"


_LABELS = {"ai_role": "AI role", "kill_switch": "Kill switch", "model_card": "Model card"}


_SYMBOLS = {">=": "≥", "<=": "≤", ">": ">", "<": "<"}


def _metrics_table(brief: FeatureBrief, layers: tuple[str, ...]) -> list[str]:
    chosen = [m for m in brief.metrics if m.layer in layers]
    if not chosen:
        return ["_No metrics yet._", ""]
    rows = ["| Layer | Metric | Target | Measured on |", "|---|---|---|---|"]
    for metric in sorted(chosen, key=lambda m: LAYERS.index(m.layer)):
        target = (
            f"{_SYMBOLS.get(metric.comparison, metric.comparison)} {_readable(metric)}"
            if metric.comparison and metric.target is not None
            else (metric.text or "—")
        )
        measured = metric.eval_set + (f" ({metric.eval_size:,} cases)" if metric.eval_size else "")
        rows.append(f"| {metric.layer} | {metric.name.replace('_', ' ')} | {target} | {measured or '—'} |")
    return rows + [""]


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


# One problem in a brief is a Finding(field, problem, fix): ``where`` is the field (also
# ``.field``), ``message`` what is wrong (also ``.problem``); it reads "field: problem Fix: fix".


COST_PER_TASK = re.compile(r"cost.*(per|/).*success", re.I)
TRAP_REASON = re.compile(r"competitor|everyone|everybody|the future|trend|hype|others (have|do)", re.I)
METRIC_PARTS = {"eval_set", "eval_size", "target", "comparison", "unit", "name"}
NESTED_METRIC_EXAMPLE = (
    "Write each quality metric with its parts indented under it:\n"
    "    accuracy:\n"
    "      target: \">= 0.92\"\n"
    "      eval_set: recent requests labelled by senior agents\n"
    "      eval_size: 500"
)


def validate_brief(brief: FeatureBrief | Mapping) -> list[Finding]:
    """Return the findings that keep a brief from being buildable and testable (lesson 01).

    An empty list means the brief passes. A brief that cannot even be read raises BriefError.
    """
    brief = _as_brief(brief, "brief")
    findings: list[Finding] = []
    if not brief.feature:
        findings.append(Finding("feature", "The feature has no name.", "Give it a short name the team will use."))
    if not brief.user_problem:
        findings.append(Finding("user_problem", "The user problem is missing.", "Say whose work is painful today, and how, in one or two sentences."))
    # These parts have findings of their own below, worded for the risk they leave open.
    special = {("human_in_the_loop", "escalation"), ("release", "kill_switch"), ("release", "rollback")}
    for name, (title, parts) in SECTIONS.items():
        section = brief.sections.get(name, {})
        if not any(section.get(part) for part in parts):
            findings.append(
                Finding(name, f"The section \"{title}\" is missing.", f"Add `{name}:` with {', '.join(f'`{p}`' for p in parts)}.")
            )
            continue
        for part, meaning in parts.items():
            if not section.get(part) and (name, part) not in special:
                findings.append(Finding(f"{name}.{part}", f"Empty: it should say {meaning}.", f"Write `{part}:` under `{name}:`."))

    reason = brief.sections.get("why_ai", {}).get("reason", "")
    if TRAP_REASON.search(reason):
        findings.append(
            Finding(
                "why_ai.reason",
                "This is the trap \"AI because others have it\": it names no user problem that AI solves better.",
                "Say what AI does that rules cannot, for this workflow (e.g. free text in many wordings).",
            )
        )

    choice = brief.sections.get("pattern", {}).get("choice", "")
    if choice and choice not in PATTERN_KEYS:
        findings.append(
            Finding("pattern.choice", f"{validation.show(choice)} is not a pattern on the ladder.", f"Use one of: {', '.join(PATTERN_KEYS)}.")
        )

    for layer in LAYERS:
        if not brief.metrics_in(layer):
            findings.append(
                Finding(
                    f"metrics.{layer}",
                    f"No {layer} metric ({LAYER_MEANING[layer]}).",
                    f"Add at least one {layer} metric with a comparison and a number, e.g. `name: \">= 0.9\"`.",
                )
            )
    for metric in brief.metrics:
        where = f"metrics.{metric.layer}.{clip(metric.name)}"
        if metric.name in METRIC_PARTS:
            findings.append(
                Finding(
                    where,
                    f"`{metric.name}` is listed as a metric of its own, so it belongs to no metric.",
                    "Indent it under the metric it describes. " + NESTED_METRIC_EXAMPLE,
                )
            )
            continue
        if metric.comparison is None or metric.target is None or not math.isfinite(metric.target):
            if metric.target is not None and not math.isfinite(metric.target):
                missing = "a number that is not a real value (NaN or infinite)"
            elif metric.target is None and metric.comparison is None:
                missing = "no comparison and no number"
            else:
                missing = "no number" if metric.target is None else "no comparison"
            findings.append(
                Finding(
                    where,
                    f"The target {validation.show(metric.text or '(empty)')} has {missing}, so nobody can tell whether it is met.",
                    "Write a comparison and a number in quotes, e.g. `\">= 0.92\"` or `\"< 0.01\"` (YAML needs the quotes).",
                )
            )
        elif metric.comparison not in COMPARISONS:
            findings.append(Finding(where, f"Unknown comparison {validation.show(metric.comparison)}.", f"Use one of {', '.join(COMPARISONS)}."))
        if metric.layer == "quality" and (not metric.eval_set or not metric.eval_size or metric.eval_size <= 0):
            findings.append(
                Finding(
                    where,
                    "A quality target without its evaluation set and size cannot be checked.",
                    "Add `eval_set` (what the labelled cases are) and `eval_size` (how many). " + NESTED_METRIC_EXAMPLE,
                )
            )

    escalation = brief.sections.get("human_in_the_loop", {}).get("escalation", "")
    if not escalation:
        findings.append(
            Finding(
                "human_in_the_loop",
                "No human fallback or escalation: when the model is wrong or unsure, nobody takes over.",
                "Say which cases go to a person, and to whom.",
            )
        )
    release = brief.sections.get("release", {})
    if not release.get("kill_switch") or not release.get("rollback"):
        findings.append(
            Finding(
                "release",
                "No kill switch or rollback: if the feature misbehaves there is no fast way back.",
                "Say how the feature is switched off at once and what it falls back to.",
            )
        )
    if not any(COST_PER_TASK.search(m.name.replace("_", " ")) for m in brief.metrics):
        findings.append(
            Finding(
                "metrics.business",
                "No cost per successful task: the feature could succeed and still lose money.",
                "Add a business metric such as `cost_per_successful_task: \"<= $0.05\"`.",
            )
        )
    return findings


# --------------------------------------------------------------------------------------------
# Feasibility scorecard
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Dimension:
    name: str
    weight: int
    inverted: bool  # True when a high rating makes the idea harder
    question: str


FEASIBILITY_DIMENSIONS: tuple[Dimension, ...] = (
    Dimension("data_availability", 20, False, "Is there data to build and evaluate it? (5 = plenty)"),
    Dimension("accuracy_requirement", 10, True, "How accurate must it be? (5 = critical)"),
    Dimension("latency_tolerance", 10, False, "How long can users wait for it? (5 = very tolerant)"),
    Dimension("failure_impact", 15, True, "How bad is a wrong answer? (5 = catastrophic)"),
    Dimension("alternatives_exist", 10, True, "Do simpler, rule-based ways exist? (5 = many)"),
    Dimension("user_ai_trust", 10, False, "How much do users trust AI here? (5 = high)"),
)
_WEIGHT_SUM = sum(d.weight for d in FEASIBILITY_DIMENSIONS)  # 75 points per rating step
RAW_MIN, RAW_MAX = _WEIGHT_SUM * 1, _WEIGHT_SUM * 5  # 75 and 375

GUIDANCE = {
    "GREEN": "Proceed to a prototype: the idea is feasible enough to test with real users.",
    "YELLOW": "Check the data and whether users will accept it before you commit a team.",
    "RED": "Rethink the framing: narrow the scope, or try rules or a simpler tool first.",
}


@dataclasses.dataclass(frozen=True)
class FeasibilityResult:
    """A scored idea: score 0–100, verdict, each dimension's points, and what to do next."""

    score: float
    verdict: str
    contributions: dict[str, float]
    guidance: str
    ratings: dict[str, int]

    def __str__(self) -> str:
        return f"{self.score:.1f}/100 {self.verdict}: {self.guidance}"

    def __repr__(self) -> str:
        return f"FeasibilityResult({self})"


def _check_rating(name: str, value: Any) -> int:
    """A rating 1 to 5; a whole float such as 4.0 counts (a slider gives one)."""
    allowed = "a whole number from 1 to 5"
    rating = validation.real(name, value, low=1, high=5, allowed=allowed)
    if not rating.is_integer():
        raise validation.fail(name, value, allowed)
    return int(rating)


def feasibility_score(
    data_availability: int,
    accuracy_requirement: int,
    latency_tolerance: int,
    failure_impact: int,
    alternatives_exist: int,
    user_ai_trust: int,
) -> FeasibilityResult:
    """Return the feasibility score of an AI idea from six 1–5 ratings (lesson 01, the scorecard).

    Each rating is weighted (20/10/10/15/10/10); for the "hard" dimensions (accuracy
    requirement, failure impact, alternatives) a high rating counts against the idea, so it is
    inverted (6 - rating). The weighted sum runs from 75 to 375 and is mapped onto 0–100:
    the worst possible idea scores 0 and the best 100. GREEN from 70, YELLOW from 50, else RED.
    """
    given = {
        "data_availability": data_availability,
        "accuracy_requirement": accuracy_requirement,
        "latency_tolerance": latency_tolerance,
        "failure_impact": failure_impact,
        "alternatives_exist": alternatives_exist,
        "user_ai_trust": user_ai_trust,
    }
    ratings = {name: _check_rating(name, value) for name, value in given.items()}
    contributions = {}
    points = 0  # weighted points above the worst case, a whole number from 0 to 300
    for dim in FEASIBILITY_DIMENSIONS:
        effective = 6 - ratings[dim.name] if dim.inverted else ratings[dim.name]
        points += dim.weight * (effective - 1)
        # This dimension's share of the 0-100 score.
        contributions[dim.name] = dim.weight * (effective - 1) * 100 / (RAW_MAX - RAW_MIN)
    # Computed from the whole-number total so that a score of exactly 70 or 50 is not lost to rounding.
    score = points * 100 / (RAW_MAX - RAW_MIN)
    span = RAW_MAX - RAW_MIN
    verdict = "GREEN" if points * 100 >= 70 * span else "YELLOW" if points * 100 >= 50 * span else "RED"
    return FeasibilityResult(score, verdict, contributions, GUIDANCE[verdict], ratings)


# --------------------------------------------------------------------------------------------
# The pattern ladder
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Pattern:
    key: str
    name: str
    question: str
    best_for: str
    watch_out: str
    governance_load: int  # relative, 0-100: more debugging, evaluation and approval work


PATTERNS: tuple[Pattern, ...] = (
    Pattern(
        "rules",
        "Rules and automation",
        "Can fixed rules do the job?",
        "Stable inputs, well-known business logic, domains that need a full audit trail.",
        "Rules turn brittle as exceptions pile up; revisit when they sprawl past a few dozen.",
        20,
    ),
    Pattern(
        "predictive_ml",
        "Predictive ML",
        "Can a model that scores, ranks or forecasts from past data do it?",
        "Scoring, ranking, forecasting: churn risk, fraud queues, arrival times.",
        "Needs a labelled gold set, calibration, drift monitoring and a retraining schedule.",
        45,
    ),
    Pattern(
        "rag",
        "Retrieval-augmented generation (RAG)",
        "Does finding the right documents and answering from them cover most of it?",
        "Support copilots, internal search, policy assistants, help-centre answers.",
        "Quality depends on how documents are split, how fresh they are and whether answers stay grounded in them.",
        55,
    ),
    Pattern(
        "fine_tuning",
        "Fine-tuned model",
        "Must the model's behaviour itself be specialised and consistent, at high volume?",
        "High-volume domain tasks where behaviour must be specialised and consistent.",
        "A training run can cost thousands of dollars and weeks of work, plus retraining; it pays off mainly at high volume.",
        78,
    ),
    Pattern(
        "agent",
        "Agentic workflow",
        "Must the system take several steps and act with tools on its own?",
        "Multi-step operations work: triage with actions, internal automations.",
        "Needs tightly scoped tools, approval gates, traces and explicit failure boundaries.",
        90,
    ),
)
PATTERN_KEYS = tuple(p.key for p in PATTERNS)


@dataclasses.dataclass(frozen=True)
class PatternSuggestion:
    """The smallest pattern that meets the need, and why each smaller one was passed over."""

    pattern: Pattern | None
    passed_over: tuple[str, ...]
    advice: str

    def __str__(self) -> str:
        return self.advice

    def __repr__(self) -> str:
        return f"PatternSuggestion({self.pattern.key if self.pattern else None!r}: {self.advice})"


def suggest_pattern(answers: Mapping[str, bool]) -> PatternSuggestion:
    """Return the smallest reliable pattern, walking the ladder from rules to agents (lesson 01).

    ``answers`` maps each pattern key (rules, predictive_ml, rag, fine_tuning, agent) to whether
    that pattern would meet the workflow's target; missing keys count as "no".
    """
    if not isinstance(answers, Mapping):
        raise ValueError(f"answers must be a mapping of pattern to yes/no, got {type(answers).__name__}")
    unknown = [key for key in answers if key not in PATTERN_KEYS]
    if unknown:
        raise ValueError(f"unknown pattern(s) {', '.join(map(repr, unknown))}; use {', '.join(PATTERN_KEYS)}")
    for key, value in answers.items():
        if not isinstance(value, bool):
            raise ValueError(f"answers[{key!r}] must be True or False, got {value!r}")
    passed_over = []
    for pattern in PATTERNS:
        if answers.get(pattern.key, False):
            skipped = f" ({', '.join(passed_over)} would not meet the target)" if passed_over else ""
            return PatternSuggestion(pattern, tuple(passed_over), f"Use {pattern.name}: the smallest rung that meets the target{skipped}.")
        passed_over.append(pattern.key)
    return PatternSuggestion(
        None,
        tuple(passed_over),
        "No pattern meets the target: narrow the scope, or reconsider whether this needs AI.",
    )


# --------------------------------------------------------------------------------------------
# Non-functional requirements
# --------------------------------------------------------------------------------------------

LATENCY_TIERS = (
    ("real time", 200, "the user waits on it: under 200 ms"),
    ("near real time", 2000, "a short wait is fine: under 2 seconds"),
    ("batch", math.inf, "no one waits on it: results can take from seconds to hours"),
)


def latency_tier(milliseconds: float) -> str:
    """Return the latency tier for a response-time budget in milliseconds (lesson 01)."""
    milliseconds = validation.real("milliseconds", milliseconds, low=0, low_open=True, finite=False, allowed="a positive number")
    for name, limit, _ in LATENCY_TIERS:
        if milliseconds < limit:
            return name
    return "batch"


def read_brief(answer: Any) -> FeatureBrief:
    """Return a brief from YAML text, a dict or a FeatureBrief (what the exercises accept)."""
    if isinstance(answer, str):
        source = answer if "\n" in answer or not answer.endswith((".yaml", ".yml")) else Path(answer)
        return _as_brief(read_yaml_source(source, "the brief", BriefError), "answer", answer)
    return _as_brief(answer, "answer")


def save_to_portfolio(brief: Any, name: str = "01_feature_brief") -> str:
    """Save a brief that passes the validator to the portfolio, as YAML and Markdown (lesson 01).

    A brief with findings is not saved, so a draft never replaces a finished brief; the
    returned text says what to do instead. Never raises for a brief it cannot read, nor for a
    ``name`` that is not a plain file name (letters, digits, - and _) or a file that cannot be
    written: the text then starts "Not saved:" and says why. Nothing is written outside
    the work folder's portfolio/ (and backups/) folders.
    """
    from .workspace import not_saved, portfolio_name, save_files

    try:
        name = portfolio_name(name)
    except ValueError as exc:
        return not_saved(exc)
    try:
        brief = read_brief(brief)
    except BriefError as exc:
        return f"Not saved: the brief cannot be read. {exc}"
    findings = validate_brief(brief)
    if findings:
        return (
            f"Not saved yet: the validator still has {len(findings)} finding(s). "
            "Fix them in question 1, then run this cell again."
        )
    try:
        saved = save_files({f"{name}.yaml": brief_to_yaml(brief), f"{name}.md": brief_to_markdown(brief)})
    except (ValueError, OSError) as exc:
        return not_saved(exc)
    return "\n".join([*(str(s) for s in saved), "It passes the validator."])


# --------------------------------------------------------------------------------------------
# Tables for the lesson (pandas, imported only when asked for)
# --------------------------------------------------------------------------------------------


def findings_table(findings: list[Finding]):
    """Return findings as a table with the field, the problem and the fix."""
    import pandas as pd

    if isinstance(findings, (str, bytes, Mapping)) or not isinstance(findings, Iterable):
        raise validation.fail("findings", findings, "a list of findings (as validate_brief returns)")
    findings = list(findings)
    for index, finding in enumerate(findings):
        if not isinstance(finding, Finding):
            raise validation.fail(f"findings[{index}]", finding, "a Finding (as validate_brief returns)")
    return pd.DataFrame([{"field": f.where, "problem": f.message, "fix": f.fix} for f in findings], columns=["field", "problem", "fix"])


def sections_table():
    """Return the ten fields of an AI brief and the parts each must answer."""
    import pandas as pd

    rows = [{"field": title, "key": name, "parts": ", ".join(parts)} for name, (title, parts) in SECTIONS.items()]
    return pd.DataFrame(rows).set_index("field")


def metrics_table(brief: FeatureBrief | Mapping):
    """Return a brief's metrics, one row each, with layer, target and evaluation set."""
    import pandas as pd

    brief = _as_brief(brief, "brief")
    rows = [
        {
            "layer": m.layer,
            "metric": m.name,
            "target": f"{m.comparison} {_number(m.target)}" if m.comparison and m.target is not None else m.text,
            "unit": m.unit,
            "measured on": f"{m.eval_set} ({m.eval_size})" if m.eval_size else "",
        }
        for m in brief.metrics
    ]
    return pd.DataFrame(rows)


def patterns_table():
    """Return the pattern ladder, smallest first: best for, watch out for, governance load."""
    import pandas as pd

    rows = [
        {"pattern": p.name, "ask": p.question, "best for": p.best_for, "watch out for": p.watch_out, "governance load": p.governance_load}
        for p in PATTERNS
    ]
    return pd.DataFrame(rows).set_index("pattern")
