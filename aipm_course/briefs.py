"""The AI feature brief, the feasibility scorecard and the pattern ladder (lesson 01).

A brief (an "AI PRD") is the document a team can build and test against. It holds the ten
fields every AI feature needs, plus success metrics in three layers: quality (offline, on a
labelled evaluation set), product (online, with real users) and business (the company's results).

- ``load_brief`` / ``brief_from_dict`` / ``save_brief`` / ``brief_to_markdown``: read and write one.
- ``validate_brief``: the findings that stand between a draft and a testable brief.
- ``bound_for_target`` and ``target_evidence``: a quality target is judged by its 95% confidence
  bound, so its evaluation set must be large enough to show it (the validator checks that too).
- ``feasibility_score``: six 1–5 ratings turned into a 0–100 score and a verdict, with knock-outs.
- ``PATTERNS`` and ``suggest_pattern``: the smallest reliable pattern, from rules to agents.
- ``latency_tier``: a response-time budget's tier, by whether a person waits for it.
"""

from __future__ import annotations

import dataclasses
import functools
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
    "LatencyTier",
    "latency_tier",
    "latency_table",
    "bound_for_target",
    "assumed_true_rate",
    "TargetEvidence",
    "target_evidence",
    "KNOCKOUT_DIMENSIONS",
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
            "choice": "one of: rules, predictive_ml, prompt_only, rag, fine_tuning, agent",
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
    expected: float | None = None  # the rate the team expects the model to reach, if it has evidence

    def __str__(self) -> str:
        if self.comparison is None or self.target is None:
            return f"{self.name}: {self.text or 'no target'}"
        unit = f" {self.unit}" if self.unit else ""
        return f"{self.name} {self.comparison} {_number(self.target)}{unit}"

    def _testable(self) -> None:
        if self.comparison not in COMPARISONS or self.target is None or not math.isfinite(self.target):
            raise ValueError(f"metric {validation.show(self.name)} has no testable target ({validation.show(self.text)}); use one of {', '.join(COMPARISONS)} and a number")

    def is_met_by(self, value: float) -> bool:
        """Return True if a value meets the target, taken as exact (lesson 01, "testable metrics").

        For a rate measured on an evaluation set, use ``is_shown_by``: one sample can beat the
        target by luck, so the evidence is its confidence bound, not the point estimate."""
        self._testable()
        return {
            ">=": value >= self.target,
            ">": value > self.target,
            "<=": value <= self.target,
            "<": value < self.target,
        }[self.comparison]

    def bound(self, count: int, n: int) -> float:
        """Return the one-sided 95% bound of a rate seen ``count`` times in ``n`` cases (lesson 01).

        The lower bound for an "at least" target, the upper bound for an "at most" one: the value
        the evidence must clear, as in ``bound_for_target``."""
        self._testable()
        return bound_for_target(self.comparison, count, n)

    def is_shown_by(self, count: int, n: int) -> bool:
        """Return True if ``count`` cases out of ``n`` show the target is met: its bound meets it (lesson 01)."""
        return self.is_met_by(self.bound(count, n))


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
        expected = spec.get("expected")
        if expected is not None:  # a number out of (0, 1), or on the wrong side, is reported by validate_brief
            if not validation.is_number(expected):
                raise validation.fail(f"{where}.expected", expected, "a share between 0 and 1, e.g. 0.92", BriefError)
            expected = _target_number(expected, f"{where}.expected")
        return Metric(
            name=str(spec.get("name", name)),
            layer=layer,
            comparison=comparison,
            target=None if target is None else float(target),
            unit=str(unit or ""),
            eval_set=str(spec.get("eval_set") or ""),
            eval_size=None if size is None else int(size),
            text=text,
            expected=expected,
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
    if metric.expected is not None:
        out["expected"] = metric.expected
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


def _judged_by(metric: Metric) -> str:
    """ "95% lower bound" or "95% upper bound" for a quality target on a rate; "" for any other metric."""
    if metric.layer != "quality" or not _is_rate_target(metric):
        return ""
    return f"{EVIDENCE_LEVEL:.0%} {'lower' if metric.comparison in _AT_LEAST else 'upper'} bound"


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
        if _judged_by(metric):
            target += f" ({_judged_by(metric)})"
        measured = metric.eval_set + (f" ({metric.eval_size:,} cases)" if metric.eval_size else "")
        rows.append(f"| {metric.layer} | {metric.name.replace('_', ' ')} | {target} | {measured or '—'} |")
    return rows + [""]


# --------------------------------------------------------------------------------------------
# Targets as bounds: what an evaluation of a given size can show
# --------------------------------------------------------------------------------------------

EVIDENCE_LEVEL = 0.95  # a quality target is judged by its one-sided 95% confidence bound
EVIDENCE_POWER = 0.8  # the chance an evaluation should have of showing a target the model truly beats
ASSUMED_MARGIN = 0.02  # without `expected`, the model is assumed this much better than its target
EXACT_UP_TO = 100_000  # larger sizes are found with the normal approximation (the exact search is slow)
MAX_CASES = 2**53  # the largest count a float holds exactly
_AT_LEAST = (">=", ">")


def _comparison(comparison: Any) -> str:
    return validation.one_of("comparison", comparison, COMPARISONS)


def bound_for_target(comparison: str, count: int, n: int) -> float:
    """Return the one-sided 95% bound a target is judged by, for a rate seen ``count`` times in ``n`` (lesson 01).

    For an "at least" target (>=, >) the lower bound of the rate: 440 right out of 500 (88%) has a
    lower bound near 85.3%, so it does not show "at least 88%". For an "at most" target (<=, <)
    the upper bound. Both are exact Clopper–Pearson bounds (``uncertainty.upper_bound``)."""
    from .uncertainty import upper_bound

    comparison = _comparison(comparison)
    n = validation.count("n", n, minimum=1, maximum=MAX_CASES, allowed=f"a whole number of cases from 1 to {MAX_CASES:,}")
    count = validation.count("count", count, maximum=n, allowed=f"a whole number of cases from 0 to n ({n})")
    if comparison in _AT_LEAST:
        return 1 - upper_bound(n - count, n, EVIDENCE_LEVEL)
    return upper_bound(count, n, EVIDENCE_LEVEL)


def assumed_true_rate(comparison: str, target: float) -> float:
    """Return the true rate a size check assumes when the brief gives no ``expected`` (lesson 01).

    A model 2 points better than its target (88% -> 90%, an error rate of 1% -> below it), or halfway
    to 100% or 0% when that is closer (99% -> 99.5%, 1% -> 0.5%). An assumption, stated in every message."""
    comparison = _comparison(comparison)
    target = validation.share("target", target, open_low=True, open_high=True)
    if comparison in _AT_LEAST:
        return target + min(ASSUMED_MARGIN, (1 - target) / 2)
    return target - min(ASSUMED_MARGIN, target / 2)


@dataclasses.dataclass(frozen=True)
class TargetEvidence:
    """How well an evaluation of ``eval_size`` cases can show a rate target is met (lesson 01)."""

    comparison: str
    target: float
    eval_size: int
    true_rate: float
    power: float  # the chance its 95% bound meets the target, if the rate truly is true_rate
    needed: int  # the fewest cases that give EVIDENCE_POWER (about: counts are whole numbers)
    exact: bool  # False when ``needed`` comes from the normal approximation

    @property
    def enough(self) -> bool:
        """True when the set is large enough: at least ``needed`` cases, or the power is there anyway."""
        return self.eval_size >= self.needed or self.power >= EVIDENCE_POWER

    def __str__(self) -> str:
        side = "lower" if self.comparison in _AT_LEAST else "upper"
        return (
            f"{self.eval_size:,} cases show {self.comparison} {self.target:.3g} by the 95% {side} bound with a chance of "
            f"{self.power:.0%} if the true rate is {self.true_rate:.3g}; about {self.needed:,} cases give {EVIDENCE_POWER:.0%}"
        )


def _as_error_rates(comparison: str, target: float, true_rate: float) -> tuple[float, float]:
    """The target and the true rate as an error budget and a true error rate ("at least 88%" -> "at most 12%")."""
    # Rounded so that 1 - 0.88 is 0.12 exactly: the exact search is sensitive to the last bit.
    pair = (1 - target, 1 - true_rate) if comparison in _AT_LEAST else (target, true_rate)
    return round(pair[0], 12), round(pair[1], 12)


def _power(budget: float, true_error: float, n: int) -> float:
    """The chance that n cases give a 95% upper bound at or below the budget, at a true error rate."""
    from scipy import stats

    # The bound is within budget exactly when P(Binomial(n, budget) <= k) <= 5%: the most errors allowed is the largest such k.
    k = stats.binom.ppf(1 - EVIDENCE_LEVEL, n, budget)
    if stats.binom.cdf(k, n, budget) > 1 - EVIDENCE_LEVEL:
        k -= 1
    return float(stats.binom.cdf(k, n, true_error)) if k >= 0 else 0.0


@functools.lru_cache(maxsize=256)
def _needed(budget: float, true_error: float) -> tuple[int, bool]:
    """The fewest cases that show the budget with EVIDENCE_POWER: exact when not too many, else approximate."""
    from scipy import stats

    z_level, z_power = stats.norm.ppf(EVIDENCE_LEVEL), stats.norm.ppf(EVIDENCE_POWER)
    spread = z_level * math.sqrt(budget * (1 - budget)) + z_power * math.sqrt(true_error * (1 - true_error))
    approximate = math.ceil((spread / (budget - true_error)) ** 2)
    if approximate <= EXACT_UP_TO:
        from .uncertainty import cases_to_show_budget

        try:
            return cases_to_show_budget(budget, true_error, EVIDENCE_LEVEL, EVIDENCE_POWER, limit=4 * EXACT_UP_TO), True
        except AipmError:
            pass
    return approximate, False


def target_evidence(comparison: str, target: float, eval_size: int, true_rate: float | None = None) -> TargetEvidence:
    """Return how well ``eval_size`` cases can show a rate target, judged by its 95% bound (lesson 01).

    ``true_rate`` is the rate the model truly has; by default ``assumed_true_rate`` (2 points better
    than the target). 500 cases show "at least 88%" only about a third of the time when the truth is
    90%; about three times as many give an 80% chance. ``needed`` comes from
    ``uncertainty.cases_to_show_budget`` on the error rate ("at least 88% right" is "at most 12% wrong")."""
    comparison = _comparison(comparison)
    target = validation.share("target", target, open_low=True, open_high=True)
    eval_size = validation.count("eval_size", eval_size, minimum=1, maximum=MAX_CASES, allowed=f"a whole number of cases from 1 to {MAX_CASES:,}")
    if true_rate is None:
        true_rate = assumed_true_rate(comparison, target)
    better = f"above the target {target:g}" if comparison in _AT_LEAST else f"below the target {target:g}"
    low, high = (target, 1) if comparison in _AT_LEAST else (0, target)
    true_rate = validation.real("true_rate", true_rate, low=low, high=high, low_open=True, high_open=True,
                                allowed=f"a rate {better} and inside (0, 1): a model no better than its target cannot show it")
    budget, true_error = _as_error_rates(comparison, target, true_rate)
    needed, exact = _needed(budget, true_error)
    return TargetEvidence(comparison, target, eval_size, true_rate, _power(budget, true_error, eval_size), needed, exact)


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


# One problem in a brief is a Finding(field, problem, fix): ``where`` is the field (also
# ``.field``), ``message`` what is wrong (also ``.problem``); it reads "field: problem Fix: fix".


COST_PER_TASK = re.compile(r"cost.*(per|/).*success", re.I)
TRAP_REASON = re.compile(r"competitor|everyone|everybody|the future|trend|hype|others (have|do)", re.I)
METRIC_PARTS = {"eval_set", "eval_size", "target", "comparison", "unit", "name", "expected"}
NESTED_METRIC_EXAMPLE = (
    "Write each quality metric with its parts indented under it:\n"
    "    accuracy:\n"
    "      target: \">= 0.92\"\n"
    "      eval_set: recent requests labelled by senior agents\n"
    "      eval_size: 500"
)


def _is_rate_target(metric: Metric) -> bool:
    """A quality target on a rate (a share from 0 to 1) with a comparison: one an evaluation can show."""
    return (
        metric.comparison in COMPARISONS and metric.target is not None and math.isfinite(metric.target)
        and 0 <= metric.target <= 1 and metric.unit in ("", "%")
    )


def _evidence_findings(metric: Metric, where: str) -> list[Finding]:
    """A rate target its evaluation set is too small to show, judged by its 95% bound (lesson 01)."""
    if not _is_rate_target(metric):
        return []
    at_least = metric.comparison in _AT_LEAST
    edge = 1 if at_least else 0
    if metric.target == edge:
        return [Finding(where, f"A target of {metric.target:.0%} can never be shown: a confidence bound always leaves some doubt.",
                        f"Write a target {'below 100%' if at_least else 'above 0%'}, e.g. `\"{'>= 0.99' if at_least else '<= 0.01'}\"`.")]
    if metric.target == 1 - edge or metric.eval_size > MAX_CASES:  # at least 0% or at most 100%: met by anything
        return []
    target = _rate(metric.target)
    if metric.expected is not None:
        inside = math.isfinite(metric.expected) and 0 < metric.expected < 1
        if not inside or (metric.expected <= metric.target if at_least else metric.expected >= metric.target):
            side = "above" if at_least else "below"
            return [Finding(where, f"`expected` is {validation.show(metric.expected)}: it must be a rate {side} the target {target} "
                                   "and inside (0, 1), or no evaluation is likely to show the target.",
                            "Give the rate your evidence (a pilot, a baseline) says the model reaches, or leave `expected` out.")]
    evidence = target_evidence(metric.comparison, metric.target, metric.eval_size, metric.expected)
    if evidence.enough:
        return []
    side = "lower" if at_least else "upper"
    assumed = "the brief's `expected`" if metric.expected is not None else "assumed: a little better than the target"
    about = "about" if evidence.exact else "roughly (a normal approximation)"
    return [Finding(
        where,
        f"{metric.name} {metric.comparison} {target} is shown only when its 95% {side} bound meets the target. With "
        f"{metric.eval_size:,} cases that happens about {evidence.power:.0%} of the time if the true rate is "
        f"{_rate(evidence.true_rate)} ({assumed}): the set is too small for the target.",
        f"Label {about} {evidence.needed:,} cases for an {EVIDENCE_POWER:.0%} chance, relax the target, or set `expected:` "
        "to the rate your evidence (a pilot, a baseline) supports." + _COUNTED_ON.get(_rate_kind(metric.name), ""),
    )]


_COUNTED_ON = {
    "recall": " For recall, `eval_size` counts the positive cases only, not the whole set.",
    "precision": " For precision, `eval_size` counts the cases the model flags only, not the whole set.",
}


def _rate_kind(name: str) -> str:
    return next((kind for kind in _COUNTED_ON if kind in name.lower()), "")


def _rate(value: float) -> str:
    return f"{value * 100:.4g}%"


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
        elif metric.layer == "quality":
            findings += _evidence_findings(metric, where)

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
    knockout: str = ""  # why its worst rating stops the idea whatever the total, and what to do; "" for none

    @property
    def worst(self) -> int:
        """The rating that counts least for the idea: 5 on an inverted dimension, else 1."""
        return 5 if self.inverted else 1


FEASIBILITY_DIMENSIONS: tuple[Dimension, ...] = (
    Dimension("data_availability", 20, False, "Is there data to build and evaluate it? (5 = plenty)",
              "with no data there is nothing to build the model from or to test it on; find or label data first"),
    Dimension("accuracy_requirement", 10, True, "How accurate must it be? (5 = critical)"),
    Dimension("latency_tolerance", 10, False, "How long can users wait for it? (5 = very tolerant)"),
    Dimension("failure_impact", 15, True, "How bad is a wrong answer? (5 = catastrophic)",
              "one wrong answer could do harm that no value elsewhere makes up for; put a person before every "
              "action, or narrow the scope to cases where a mistake is cheap"),
    Dimension("alternatives_exist", 10, True, "Do simpler, rule-based ways exist? (5 = many)"),
    Dimension("user_ai_trust", 10, False, "How much do users trust AI here? (5 = high)"),
)
KNOCKOUT_DIMENSIONS = tuple(d.name for d in FEASIBILITY_DIMENSIONS if d.knockout)
_WEIGHT_SUM = sum(d.weight for d in FEASIBILITY_DIMENSIONS)  # 75 points per rating step
RAW_MIN, RAW_MAX = _WEIGHT_SUM * 1, _WEIGHT_SUM * 5  # 75 and 375

GUIDANCE = {
    "GREEN": "Proceed to a prototype: the idea is feasible enough to test with real users.",
    "YELLOW": "Check the data and whether users will accept it before you commit a team.",
    "RED": "Rethink the framing: narrow the scope, or try rules or a simpler tool first.",
}


def _words(name: str) -> str:
    return name.replace("_", " ")


@dataclasses.dataclass(frozen=True)
class FeasibilityResult:
    """A scored idea: score 0–100, verdict, each dimension's points, and what to do next.

    ``knockouts`` names the critical dimensions rated at their worst: any one makes the verdict
    RED whatever the total; ``score_verdict`` is what the total alone would say."""

    score: float
    verdict: str
    contributions: dict[str, float]
    guidance: str
    ratings: dict[str, int]
    knockouts: tuple[str, ...] = ()
    score_verdict: str = ""

    def __str__(self) -> str:
        knocked = ", ".join(f"{_words(name)} {self.ratings[name]}" for name in self.knockouts)
        return f"{self.score:.1f}/100 {self.verdict}{f' (knock-out: {knocked})' if knocked else ''}: {self.guidance}"

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

    The knock-out rule: a critical dimension at its worst (data availability 1, failure impact 5)
    makes the verdict RED whatever the total, because a high rating elsewhere cannot buy back
    having no data, or a catastrophic wrong answer. The score stays the total, so the cost of the
    knock-out shows. Rate the idea as it will run: a person checking every answer lowers the impact.
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
    by_score = "GREEN" if points * 100 >= 70 * span else "YELLOW" if points * 100 >= 50 * span else "RED"
    knockouts = tuple(d.name for d in FEASIBILITY_DIMENSIONS if d.knockout and ratings[d.name] == d.worst)
    if not knockouts:
        return FeasibilityResult(score, by_score, contributions, GUIDANCE[by_score], ratings, (), by_score)
    reasons = " ".join(f"{_words(d.name).capitalize()} is rated {d.worst}: {d.knockout}." for d in FEASIBILITY_DIMENSIONS if d.name in knockouts)
    guidance = f"Stop and reframe, whatever the total. {reasons} Then rate the new framing."
    return FeasibilityResult(score, "RED", contributions, guidance, ratings, knockouts, by_score)


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
    rung: int  # the ladder's step; patterns on one rung close different gaps, not a bigger one
    closes: str  # the gap the pattern closes


PATTERNS: tuple[Pattern, ...] = (
    Pattern(
        "rules",
        "Rules and automation",
        "Can fixed rules do the job?",
        "Stable inputs, well-known business logic, domains that need a full audit trail.",
        "Rules turn brittle as exceptions pile up; revisit when they sprawl past a few dozen.",
        20,
        1,
        "none: the logic is known and exact",
    ),
    Pattern(
        "predictive_ml",
        "Predictive ML",
        "Can a model that scores, ranks or forecasts from past data do it?",
        "Scoring, ranking, forecasting: churn risk, fraud queues, arrival times.",
        "Needs a labelled gold set, calibration, drift monitoring and a retraining schedule.",
        45,
        2,
        "a pattern in past data that rules cannot capture",
    ),
    Pattern(
        "prompt_only",
        "Prompted general model",
        "Can a general language model do it from instructions and a few examples in the prompt?",
        "Summaries, drafts, extraction and classification of free text, where general knowledge is enough.",
        "Answers vary from run to run and can be confidently wrong; needs an evaluation set and checks on every prompt change.",
        50,
        3,
        "free text to read or write, with general knowledge only",
    ),
    Pattern(
        "rag",
        "Retrieval-augmented generation (RAG)",
        "Is the gap knowledge: facts the model never saw, private or changing, that it must look up?",
        "Support copilots, internal search, policy assistants, help-centre answers.",
        "Quality depends on how documents are split, how fresh they are and whether answers stay grounded in them.",
        55,
        4,
        "knowledge: facts the model must look up at question time",
    ),
    Pattern(
        "fine_tuning",
        "Fine-tuned model",
        "Is the gap behaviour: a format, tone or decision style the prompt cannot hold, at high volume?",
        "High-volume tasks whose output must follow one style or format every time, often on a smaller, cheaper model.",
        "The training run itself is cheap at today's prices (lesson 04); the cost is the labelled examples, the "
        "evaluation and retraining when things change. It teaches behaviour, not facts that change.",
        78,
        4,
        "behaviour: how the model answers, not what it knows",
    ),
    Pattern(
        "agent",
        "Agentic workflow",
        "Must the system take several steps and act with tools on its own?",
        "Multi-step operations work: triage with actions, internal automations.",
        "Needs tightly scoped tools, approval gates, traces and explicit failure boundaries.",
        90,
        5,
        "action: several steps across systems",
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

    ``answers`` maps each pattern key (rules, predictive_ml, prompt_only, rag, fine_tuning, agent)
    to whether that pattern would meet the workflow's target; missing keys count as "no". RAG and
    fine-tuning share a rung: they close different gaps (knowledge, behaviour). When both would
    do, RAG is suggested (less to govern, and it stays current) and the advice names the other.
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
            also = [p for p in PATTERNS if p.rung == pattern.rung and p is not pattern and answers.get(p.key, False)]
            same_rung = (
                f" {also[0].name} would also do: it closes a different gap ({also[0].closes}); the two can be combined."
                if also else ""
            )
            return PatternSuggestion(pattern, tuple(passed_over), f"Use {pattern.name}: the smallest rung that meets the target{skipped}.{same_rung}")
        passed_over.append(pattern.key)
    return PatternSuggestion(
        None,
        tuple(passed_over),
        "No pattern meets the target: narrow the scope, or reconsider whether this needs AI.",
    )


# --------------------------------------------------------------------------------------------
# Non-functional requirements
# --------------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class LatencyTier:
    """One latency tier: who waits, what the budget measures, and an example (lesson 01)."""

    name: str
    who_waits: str
    budget: str
    example: str


REAL_TIME_MS = 200  # within this a response feels instant
WAIT_LIMIT_MS = 2_000  # a person waiting should see something within this

LATENCY_TIERS: tuple[LatencyTier, ...] = (
    LatencyTier("real time", "the user, inside a step that cannot pause",
                "the whole response within 200 ms at p95", "a fraud check at checkout, suggestions as you type"),
    LatencyTier("near real time", "the user, for one complete answer",
                "the whole response within 2 s at p95", "a category suggested when a ticket opens"),
    LatencyTier("streaming", "the user, reading the answer as it is written",
                "the first words within 2 s at p95 (time to first token), then a steady flow", "a drafted reply, a chat answer"),
    LatencyTier("long wait", "the user, with nothing to read for more than 2 s",
                "no tier to aim for: stream the answer, show progress, or move the work to the background", "a 10-second spinner"),
    LatencyTier("batch", "no one: results are picked up later",
                "a deadline and a volume (e.g. all accounts scored by 6 am), not seconds", "a nightly report, overnight scoring"),
)


def _flag(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise validation.fail(name, value, "True or False")
    return value


def latency_tier(milliseconds: float, user_waits: bool = True, streaming: bool = False) -> str:
    """Return the latency tier of a response-time budget, by whether a person waits for it (lesson 01).

    ``milliseconds`` is the 95th percentile (p95: 95 requests in 100 are faster) of the whole
    response, or of the time to the first token when ``streaming`` (the answer shows as it is
    written). No one waiting: "batch", whatever the time. A person waiting: "real time" within
    200 ms, "near real time" or "streaming" within 2 s, and "long wait" beyond that: a warning,
    not a tier to aim for. The limits are common rules of thumb, not laws.
    """
    milliseconds = validation.real("milliseconds", milliseconds, low=0, low_open=True, finite=False, allowed="a positive number")
    user_waits, streaming = _flag("user_waits", user_waits), _flag("streaming", streaming)
    if not user_waits:
        if streaming:
            raise validation.fail("streaming", streaming, "False when user_waits is False: a stream is for a person reading as it arrives")
        return "batch"
    if milliseconds > WAIT_LIMIT_MS:
        return "long wait"
    if streaming:
        return "streaming"
    return "real time" if milliseconds <= REAL_TIME_MS else "near real time"


def latency_table():
    """Return the latency tiers: who waits, what the budget measures, an example (lesson 01)."""
    import pandas as pd

    return pd.DataFrame([dataclasses.asdict(t) for t in LATENCY_TIERS]).rename(
        columns={"name": "latency tier", "who_waits": "who waits", "budget": "the budget (p95)"}
    ).set_index("latency tier")


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
            "judged by": _judged_by(m) or "the value measured",
            "measured on": f"{m.eval_set} ({m.eval_size:,})" if m.eval_size else "",
        }
        for m in brief.metrics
    ]
    return pd.DataFrame(rows)


def patterns_table():
    """Return the pattern ladder, smallest first: its rung, the gap it closes, best for, watch out for, governance load."""
    import pandas as pd

    rows = [
        {"pattern": p.name, "rung": p.rung, "closes the gap of": p.closes, "ask": p.question, "best for": p.best_for,
         "watch out for": p.watch_out, "governance load": p.governance_load}
        for p in PATTERNS
    ]
    return pd.DataFrame(rows).set_index("pattern")
