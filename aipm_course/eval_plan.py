"""An eval plan for an LLM feature: what it names, the checks that read it, and its memo (module 08).

A plan is a dict (or YAML text holding one). Start from :data:`EVAL_PLAN_SKELETON` and replace each
``___``. A sound plan names:

- ``product``: the feature the plan evaluates;
- ``failure_types``: at least three, each with a ``name``, a ``check`` (``"code"`` where a rule
  decides, ``"judge"`` where a reader must, or ``"code, then a judge"``: a rule catches what it has
  words for and a judge reads the rest, as lesson 08's table has it for missed escalations and
  followed injections), a ``verdict`` (``"pass/fail"``: never a 1-10 score), the
  ``rule_or_question`` in words, and its ``harm`` from 1 (mild) to 5 (severe);
- ``judge`` (when any check is a judge): how many human-labelled cases validate it
  (``labelled_cases``, at least 100) and how many of them people failed (``labelled_fails``: both
  passes and fails are needed, or one of TPR and TNR has no interval), the ``min_tpr`` and
  ``min_tnr`` it must show, and ``revalidate_when`` (at least a model change and a prompt change);
- ``release_gate``: the ``min_pass_rate`` to ship, the ``rate`` it reads (``"corrected"``, not the
  judge's raw rate) and where it is read (``read_from: "lower bound"``, not the point estimate);
- ``regression_set``: its ``size`` and what refreshes it (``refreshed_from``: production failures);
- ``owner``: who keeps the plan and signs off the gate.

:func:`check_eval_plan` returns the problems in plain words (``[]`` for a sound plan) and never
raises, whatever it is given; each problem names the key and what to do. The checks judge the
structure and the concepts (pass/fail not scores, code where a rule decides and a judge where a
reader must, the lower bound, the judge re-validated), not the wording. They read negations: "the
point estimate, never the lower bound", "never, not on a model change" and "not from production
failures" are problems. :func:`eval_plan_markdown` writes the plan as a memo.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from .checking import ___, is_unanswered
from .validation import AipmError, Finding, is_real, is_whole, show

__all__ = [
    "EvalPlanError",
    "EVAL_PLAN_SKELETON",
    "CHECK_KINDS",
    "MIN_FAILURE_TYPES",
    "MIN_LABELLED_CASES",
    "MIN_EACH_LABEL",
    "MIN_REGRESSION_CASES",
    "RULE_DECIDES",
    "JUDGE_DECIDES",
    "check_kinds",
    "read_eval_plan",
    "known_failure_type",
    "check_eval_plan",
    "eval_plan_markdown",
]


class EvalPlanError(AipmError):
    """An eval plan that cannot be read at all (not a dict, not YAML text holding one)."""


CHECK_KINDS = ("code", "judge")
MIN_FAILURE_TYPES = 3
MIN_LABELLED_CASES = 100   # about: fewer leave TPR and TNR intervals too wide to act on
MIN_EACH_LABEL = 30        # about: with 30 fails at TNR 0.8 the exact 95% interval is about ±0.15
MIN_REGRESSION_CASES = 50  # about: fewer cannot hold several cases of each failure type

# Failure types of the support copilot (module 08's trace set) where a rule decides first, from the
# trace alone (the outcome, the tool calls, the ticket's words): lesson 08's table says "code, then
# a judge", since a rule catches only what it has words for. "code", "judge" or both pass here.
RULE_DECIDES = {
    "missed_escalation": "the ticket names a legal threat, an outage or account security and the outcome is not 'escalated'",
    "injection_followed": "a tool call or an amount the ticket did not ask for (a refund with no policy reason, an action no customer requested)",
}
# Failure types only a reader (a person or a judge) can decide: code alone is a problem. (A support
# score can sort claims for review; lesson 08 shows it misses what word overlap cannot read.)
JUDGE_DECIDES = {
    "unsupported_claim": "is every claim supported by one of the retrieved passages?",
    "wrong_passage": "does the answer come from the policy that fits this customer's plan and case?",
    "needless_refusal": "did it refuse or escalate a question that a retrieved policy answers?",
    "wrong_tone": "is the reply curt, blaming or over-familiar?",
}

EVAL_PLAN_SKELETON: dict = {
    "product": ___,
    "failure_types": [
        {"name": ___, "check": ___, "verdict": ___, "rule_or_question": ___, "harm": ___},
        {"name": ___, "check": ___, "verdict": ___, "rule_or_question": ___, "harm": ___},
        {"name": ___, "check": ___, "verdict": ___, "rule_or_question": ___, "harm": ___},
    ],
    "judge": {
        "labelled_cases": ___,
        "labelled_fails": ___,
        "min_tpr": ___,
        "min_tnr": ___,
        "revalidate_when": ___,
    },
    "release_gate": {"min_pass_rate": ___, "rate": ___, "read_from": ___},
    "regression_set": {"size": ___, "refreshed_from": ___},
    "owner": ___,
}

# A rating scale in words: "rate it 1-10", "on a scale", "out of 5", "4/5", "Likert", "stars".
# (Not the bare word "score": a code rule may well compare a support score with a cut.)
_SCALE = re.compile(
    r"\bon a scale\b|\blikert\b|\bout of (?:5|7|10|100)\b|\b[01]\s*(?:-|–|—|to)\s*(?:5|7|10|100)\b"
    r"|\b\d+\s*/\s*(?:5|7|10|100)\b|\brate (?:it|them|the \w+|how)\b|\bratings?\b|\bstars?\b",
    re.IGNORECASE,
)
# In the check and verdict fields any mention of a score is one.
_SCORE_WORD = re.compile(r"\bscor(?:e|es|ed|ing)\b|\bgrade\b", re.IGNORECASE)
_CODE_WORD = r"\bcode\b"
_JUDGE_WORD = r"\bjudges?\b"
# A word that negates what follows it in the same clause ("never the lower bound", "not from production").
_NEGATION = re.compile(r"\b(?:not|never|no|without|nor|neither|except|instead of|rather than)\b|\b\w+n't\b", re.IGNORECASE)
_CLAUSE = re.compile(r"[;,.:!?()\[\]\n]|\bbut\b|\bhowever\b", re.IGNORECASE)
_PASS_FAIL = re.compile(r"^\s*(?:pass\s*(?:/|or|-)\s*fail|fail\s*(?:/|or|-)\s*pass|binary|yes\s*(?:/|or)\s*no)\s*$", re.IGNORECASE)


def _affirms(text: str, pattern: str) -> bool:
    """True when the text names the pattern outside a negation: in some clause with no negating word
    before it ("lower bound, not the point estimate" affirms "lower"; "never the lower bound" does not)."""
    for clause in _CLAUSE.split(text):
        for match in re.finditer(pattern, clause, re.IGNORECASE):
            if not _NEGATION.search(clause[: match.start()]):
                return True
    return False


def _negates(text: str, pattern: str) -> bool:
    """True when the text names the pattern only under a negation."""
    return bool(re.search(pattern, text, re.IGNORECASE)) and not _affirms(text, pattern)


def check_kinds(kind: Any) -> frozenset[str]:
    """The kinds of check a ``check`` field names: {"code"}, {"judge"}, both ("code, then a judge"),
    or none (not text, or neither named)."""
    if not isinstance(kind, str):
        return frozenset()
    text = str.__str__(kind)
    return frozenset(k for k, pattern in (("code", _CODE_WORD), ("judge", _JUDGE_WORD)) if _affirms(text, pattern))


def _problem(where: str, message: str, fix: str) -> str:
    return str(Finding(where, message, fix))


def _blank(value: Any) -> bool:
    """True for the placeholder, None, ``...`` and text with nothing in it."""
    try:
        if is_unanswered(value):
            return True
        return isinstance(value, str) and not value.strip()
    except Exception:  # noqa: BLE001 - a learner's object may fail in any way
        return False


def _text(value: Any) -> str | None:
    """Text as a plain str (a list of texts joined), or None when it is not text."""
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, str) for v in value):
        return "; ".join(str.__str__(v) for v in value)
    return None


def _mapping(value: Any) -> dict | None:
    """A plain dict copy of a mapping (keys as given), or None when it is not one or cannot be read."""
    if not isinstance(value, Mapping):
        return None
    try:
        return {k: value[k] for k in list(value.keys())[:200]}
    except Exception:  # noqa: BLE001
        return None


def read_eval_plan(plan: Any) -> dict:
    """Return the plan as a plain dict (YAML text is read safely); raise ``EvalPlanError`` naming
    ``plan`` when it is not a dict or YAML text holding one. The parts are not checked here."""
    source = plan
    if isinstance(plan, str):
        from .safe_yaml import load_yaml

        try:
            plan = load_yaml(plan, what="the eval plan")
        except AipmError as exc:
            raise EvalPlanError(f"plan could not be read as YAML text: {exc}") from None
    out = _mapping(plan)
    if out is None:
        got = f"text that holds no dict, {show(source)}" if isinstance(source, str) else show(source)
        raise EvalPlanError(f"plan must be a dict like EVAL_PLAN_SKELETON (or YAML text holding one), got {got}")
    return out


def _read(plan: Any) -> tuple[dict | None, list[str]]:
    """The plan as a dict; or None and the problem saying why."""
    try:
        return read_eval_plan(plan), []
    except AipmError as exc:
        text = str(exc).removeprefix("plan ").rstrip(". ")
        return None, [_problem("plan", text + ".", "start from EVAL_PLAN_SKELETON and fill in each ___.")]


def check_eval_plan(plan: Any) -> list[str]:
    """Return what is missing or unsound in an eval plan, in plain words; ``[]`` when it is sound.

    Never raises: input that is not a plan (None, a number, nested junk) gets a problem that says so."""
    try:
        data, problems = _read(plan)
        if data is None:
            return problems
        problems += _product_problems(data)
        failures, failure_problems = _failure_problems(data.get("failure_types"))
        problems += failure_problems
        all_code = bool(failures) and all(check_kinds(f.get("check")) == {"code"} for f in failures)
        problems += _judge_problems(data.get("judge"), needed=not all_code)
        problems += _gate_problems(data.get("release_gate"))
        problems += _regression_problems(data.get("regression_set"))
        problems += _owner_problems(data.get("owner"))
        return problems
    except Exception as exc:  # noqa: BLE001 - a check never raises, whatever it is given
        return [_problem("plan", f"could not be read ({type(exc).__name__}).", "start from EVAL_PLAN_SKELETON: a dict of texts, numbers and lists.")]


def _product_problems(data: dict) -> list[str]:
    value = data.get("product")
    if _blank(value):
        return [_problem("product", "is blank.", "name the feature this plan evaluates, e.g. 'support-triage copilot'.")]
    if _text(value) is None:
        return [_problem("product", f"must be text, got {show(value)}.", "name the feature in words.")]
    return []


def _failure_problems(value: Any) -> tuple[list[dict], list[str]]:
    """The readable failure types (as dicts) and the problems found in them."""
    if _blank(value):
        return [], [_problem("failure_types", "is blank.", f"list at least {MIN_FAILURE_TYPES} failure types from your error analysis, each a dict like the skeleton's.")]
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        return [], [_problem("failure_types", f"must be a list of dicts, got {show(value)}.", "use a list like the skeleton's, one dict per failure type.")]
    items = list(value)[:100]
    problems, failures, names = [], [], []
    for i, item in enumerate(items):
        entry = _mapping(item)
        where = f"failure_types[{i}]"
        if entry is None:
            problems.append(_problem(where, f"must be a dict with name, check, verdict, rule_or_question and harm, got {show(item)}.", "copy one entry of the skeleton and fill it in."))
            continue
        failures.append(entry)
        found = _one_failure_problems(where, entry)
        problems += found
        name = entry.get("name")
        if isinstance(name, str) and name.strip():
            names.append(name.strip().lower())
    problems += _count_problems(items, names, failures)
    return failures, problems


def _count_problems(items: list, names: list[str], failures: list[dict]) -> list[str]:
    problems = []
    if len(items) < MIN_FAILURE_TYPES:
        problems.append(_problem("failure_types", f"lists {len(items)}; a plan needs at least {MIN_FAILURE_TYPES}.", "add the failure types your error analysis found, most frequent and most harmful first."))
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        problems.append(_problem("failure_types", f"names {', '.join(map(repr, repeated))} more than once.", "give each failure type one entry and one check."))
    known = any(_known_type(f.get("name")) in RULE_DECIDES for f in failures)  # named where it stands
    if len(failures) >= MIN_FAILURE_TYPES and all(check_kinds(f.get("check")) == {"judge"} for f in failures) and not known:
        problems.append(_problem("failure_types", "every check is a judge.", "use a code check wherever a rule can decide from the trace alone (the outcome, a tool call, the ticket's words): it is cheap, exact and needs no validation."))
    return problems


def _one_failure_problems(where: str, entry: dict) -> list[str]:
    problems = []
    name = entry.get("name")
    if _blank(name) or _text(name) is None:
        problems.append(_problem(f"{where}.name", "is blank." if _blank(name) else f"must be text, got {show(name)}.", "name the failure in words, e.g. 'claim not supported by any passage'."))
    problems += _kind_problems(where, entry)
    problems += _verdict_problems(where, entry)
    harm = entry.get("harm")
    if _blank(harm):
        problems.append(_problem(f"{where}.harm", "is blank.", "give the harm of one such failure, a whole number from 1 (mild) to 5 (severe)."))
    elif not is_whole(harm) or not 1 <= harm <= 5:
        problems.append(_problem(f"{where}.harm", f"must be a whole number from 1 to 5, got {show(harm)}.", "rate the harm of one failure from 1 (mild) to 5 (severe)."))
    return problems


def _kind_problems(where: str, entry: dict) -> list[str]:
    kind = entry.get("check")
    write = "write 'code' where a rule decides, 'judge' where a reader must, or 'code, then a judge'."
    if _blank(kind):
        return [_problem(f"{where}.check", "is blank.", write)]
    kinds = check_kinds(kind)
    scale = is_real(kind) or isinstance(kind, str) and bool(_SCALE.search(kind) or not kinds and _SCORE_WORD.search(kind))
    if scale:
        return [_problem(f"{where}.check", f"is a score ({show(kind)}).", "use a pass/fail check: 'code' where a rule decides, 'judge' where it cannot; a 1-10 score hides what failed and drifts between raters.")]
    if not kinds:
        return [_problem(f"{where}.check", f"must be 'code' or 'judge' (or 'code, then a judge'), got {show(kind)}.", write)]
    key = _known_type(entry.get("name"))
    if kinds == {"code"} and key in JUDGE_DECIDES:
        return [_problem(f"{where}.check", f"is code alone, but no rule decides {key}: a reader must ask '{JUDGE_DECIDES[key]}'.", "make it 'judge' (or 'code, then a judge' if a rule sorts the cases first), and validate the judge against human labels.")]
    return []


def _verdict_problems(where: str, entry: dict) -> list[str]:
    problems = []
    verdict = entry.get("verdict")
    if _blank(verdict):
        problems.append(_problem(f"{where}.verdict", "is blank.", "write 'pass/fail': each check says pass or fail."))
    elif not isinstance(verdict, str) or not _PASS_FAIL.match(verdict):
        scale = is_real(verdict) or isinstance(verdict, str) and bool(_SCALE.search(verdict) or _SCORE_WORD.search(verdict))
        message = f"is a score ({show(verdict)}), not pass/fail." if scale else f"must be 'pass/fail', got {show(verdict)}."
        problems.append(_problem(f"{where}.verdict", message, "write 'pass/fail': a 1-10 score hides what failed, drifts between raters and cannot gate a release."))
    rule = entry.get("rule_or_question")
    text = _text(rule)
    if _blank(rule) or text is None or len(text.split()) < 3:
        what = "is blank." if _blank(rule) else f"must say the rule or the judge's question in words, got {show(rule)}."
        problems.append(_problem(f"{where}.rule_or_question", what, "write the rule a program applies, or the yes/no question the judge answers."))
    elif _SCALE.search(text):
        problems.append(_problem(f"{where}.rule_or_question", f"asks for a score ({show(text, 80)}).", "ask a yes/no question the judge or the rule answers with pass or fail, not a rating."))
    return problems


def known_failure_type(name: Any) -> str | None:
    """The module-08 failure type (a key of ``traces.FAILURE_TYPES``) a failure type's name refers to,
    by its key in any spelling ("missed escalation", "Missed-Escalation") or its plain-words name; else None."""
    return _known_type(name)


def _known_type(name: Any) -> str | None:
    if not isinstance(name, str):
        return None
    key = re.sub(r"[\s\-]+", "_", name.strip().lower())
    try:
        from .traces import FAILURE_NAMES, FAILURE_TYPES
    except Exception:  # noqa: BLE001 - the trace module is optional here
        FAILURE_NAMES, FAILURE_TYPES = {}, ()
    if key in RULE_DECIDES or key in JUDGE_DECIDES or key in FAILURE_TYPES:
        return key
    for type_key, words in FAILURE_NAMES.items():
        if isinstance(words, str) and name.strip().lower() == words.strip().lower():
            return type_key
    return None


def _judge_problems(value: Any, needed: bool) -> list[str]:
    judge = _mapping(value)
    if not needed and (judge is None or all(_blank(v) for v in judge.values())):
        return []  # every check is code: no judge to validate (what is filled in is still checked)
    if judge is None:
        if _blank(value):
            return [_problem("judge", "is blank, but not every check is code.", "say how the judge is validated: labelled_cases, labelled_fails, min_tpr, min_tnr, revalidate_when.")]
        return [_problem("judge", f"must be a dict like the skeleton's, got {show(value)}.", "fill in labelled_cases, labelled_fails, min_tpr, min_tnr and revalidate_when.")]
    return _label_problems(judge) + _rate_problems(judge) + _revalidation_problems(judge.get("revalidate_when"))


def _label_problems(judge: dict) -> list[str]:
    cases, fails = judge.get("labelled_cases"), judge.get("labelled_fails")
    problems = []
    if _blank(cases) or not is_whole(cases):
        problems.append(_problem("judge.labelled_cases", "is blank." if _blank(cases) else f"must be a whole number, got {show(cases)}.", f"say how many human-labelled cases validate the judge: at least {MIN_LABELLED_CASES}."))
    elif cases < MIN_LABELLED_CASES:
        problems.append(_problem("judge.labelled_cases", f"is {cases}: too few for TPR and TNR intervals narrow enough to act on.", f"label at least about {MIN_LABELLED_CASES} cases by hand."))
    if _blank(fails) or not is_whole(fails):
        problems.append(_problem("judge.labelled_fails", "is blank." if _blank(fails) else f"must be a whole number, got {show(fails)}.", "say how many of the labelled cases people failed: TNR is measured on them."))
        return problems
    if not is_whole(cases):
        return problems
    if not 0 <= fails <= cases:
        problems.append(_problem("judge.labelled_fails", f"is {fails}, outside 0 to labelled_cases ({cases}).", "count the labelled cases people failed."))
    elif fails < MIN_EACH_LABEL:
        problems.append(_problem("judge.labelled_fails", f"is {fails}: too few fails to measure TNR (the interval is wider than about ±0.15).", f"include at least about {MIN_EACH_LABEL} human fails: sample more failing traces."))
    elif cases - fails < MIN_EACH_LABEL:
        problems.append(_problem("judge.labelled_fails", f"leaves {cases - fails} passes: too few to measure TPR.", f"include at least about {MIN_EACH_LABEL} human passes as well as fails."))
    return problems


def _rate_problems(judge: dict) -> list[str]:
    problems = []
    for key, what in (("min_tpr", "human passes the judge must also pass"), ("min_tnr", "human fails the judge must also fail")):
        value = judge.get(key)
        if _blank(value) or not is_real(value) or not 0 <= float(value) <= 1:
            got = "is blank." if _blank(value) else f"must be a share in [0, 1], got {show(value)}."
            problems.append(_problem(f"judge.{key}", got, f"give the smallest share of {what}, e.g. 0.85."))
        elif float(value) <= 0.5:
            problems.append(_problem(f"judge.{key}", f"is {float(value):g}: a coin does as well.", "ask for a rate a useful judge reaches, e.g. 0.8 to 0.95."))
        elif float(value) > 0.99:
            problems.append(_problem(f"judge.{key}", f"is {float(value):g}: no judge shows that on a labelled sample.", "ask for a rate a good judge can show, e.g. 0.8 to 0.95; the correction handles the rest."))
    return problems


def _revalidation_problems(value: Any) -> list[str]:
    text = _text(value)
    if _blank(value) or text is None:
        got = "is blank." if _blank(value) else f"must be text or a list of texts, got {show(value)}."
        return [_problem("judge.revalidate_when", got, "list the events that re-validate the judge: at least a model change and a prompt change.")]
    missing = [w for w in ("model", "prompt") if not _affirms(text, rf"\b{w}s?\b")]
    if missing:
        ruled_out = [w for w in missing if _negates(text, rf"\b{w}s?\b")]
        said = f" ({show(text, 80)} rules it out)" if ruled_out else ""
        return [_problem("judge.revalidate_when", f"does not name a {' or a '.join(missing)} change{said}.", f"re-validate the judge whenever its or the product's {' or '.join(missing)} changes: its TPR and TNR no longer hold.")]
    return []


def _gate_problems(value: Any) -> list[str]:
    gate = _mapping(value)
    if gate is None:
        got = "is blank." if _blank(value) else f"must be a dict like the skeleton's, got {show(value)}."
        return [_problem("release_gate", got, "give min_pass_rate, rate ('corrected') and read_from ('lower bound').")]
    problems = []
    minimum = gate.get("min_pass_rate")
    if _blank(minimum) or not is_real(minimum) or not 0 < float(minimum) < 1:
        got = "is blank." if _blank(minimum) else f"must be a share in (0, 1), got {show(minimum)}."
        problems.append(_problem("release_gate.min_pass_rate", got, "give the pass rate below which the release is blocked, e.g. 0.85."))
    problems += _gate_rate_problems(gate.get("rate"))
    problems += _gate_bound_problems(gate.get("read_from"))
    return problems


def _gate_rate_problems(rate: Any) -> list[str]:
    text = _text(rate)
    if _blank(rate) or text is None:
        return [_problem("release_gate.rate", "is blank." if _blank(rate) else f"must be text, got {show(rate)}.", "write 'corrected': the judge's pass rate corrected for its TPR and TNR.")]
    if not _affirms(text, r"\bcorrected\b") or _affirms(text, r"\b(?:raw|uncorrected|observed)\b"):
        return [_problem("release_gate.rate", f"is {show(text)}, not the corrected pass rate.", "gate on the corrected pass rate: the judge's raw rate is off by its errors (a lenient judge inflates it).")]
    return []


def _gate_bound_problems(read_from: Any) -> list[str]:
    text = _text(read_from)
    if _blank(read_from) or text is None:
        return [_problem("release_gate.read_from", "is blank." if _blank(read_from) else f"must be text, got {show(read_from)}.", "write 'lower bound': ship only when the interval's lower bound clears the minimum.")]
    if not _affirms(text, r"\blower\b|\blow\b"):
        return [_problem("release_gate.read_from", f"is {show(text)}, not the lower bound.", "read the gate from the interval's lower bound: a point estimate above the minimum can still hide a rate below it.")]
    return []


def _regression_problems(value: Any) -> list[str]:
    reg = _mapping(value)
    if reg is None:
        got = "is blank." if _blank(value) else f"must be a dict like the skeleton's, got {show(value)}."
        return [_problem("regression_set", got, "give its size and refreshed_from (production failures).")]
    problems = []
    size = reg.get("size")
    if _blank(size) or not is_whole(size):
        problems.append(_problem("regression_set.size", "is blank." if _blank(size) else f"must be a whole number, got {show(size)}.", f"say how many cases it holds: at least about {MIN_REGRESSION_CASES}."))
    elif size < MIN_REGRESSION_CASES:
        problems.append(_problem("regression_set.size", f"is {size}: too few to hold several cases of each failure type.", f"keep at least about {MIN_REGRESSION_CASES} cases."))
    source = reg.get("refreshed_from")
    text = _text(source)
    if _blank(source) or text is None:
        problems.append(_problem("regression_set.refreshed_from", "is blank." if _blank(source) else f"must be text, got {show(source)}.", "say what refreshes it: failures found in production."))
    elif not (_affirms(text, r"\b(?:production|live|prod|real (?:users|traffic|tickets))\b") and _affirms(text, r"\b(?:fail\w*|incident\w*|error\w*|complaint\w*|escalat\w*)")):
        problems.append(_problem("regression_set.refreshed_from", f"is {show(text)}: it does not say production failures.", "add each failure found in production to the set, so a fixed failure cannot come back unseen."))
    return problems


def _owner_problems(value: Any) -> list[str]:
    if _blank(value):
        return [_problem("owner", "is blank.", "name who keeps the plan and signs off the gate (a person or a role).")]
    if _text(value) is None:
        return [_problem("owner", f"must be text, got {show(value)}.", "name a person or a role.")]
    return []


# --- the memo --------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    """A value as one table cell: blanks as a dash, pipes and line breaks escaped."""
    if _blank(value):
        return "—"
    text = _text(value)
    if text is None:
        text = show(value, 120)
    return text.replace("|", "\\|").replace("\r", " ").replace("\n", " ").strip() or "—"


def eval_plan_markdown(plan: Any, title: str = "Eval plan") -> str:
    """Return the plan as a Markdown memo: the product and owner, the checks per failure type, how the
    judge is validated, the release gate and the regression set; open problems listed at the end.
    Never raises: parts it cannot read show as a dash."""
    try:
        data, _ = _read(plan)
        data = data or {}
        heading = "Eval plan" if _blank(title) or _text(title) is None else _cell(title)
        lines = [f"# {heading}", "", f"**Product:** {_cell(data.get('product'))}  ", f"**Owner:** {_cell(data.get('owner'))}", ""]
        lines += _failure_table(data.get("failure_types"))
        lines += _judge_lines(_mapping(data.get("judge")) or {})
        lines += _gate_lines(_mapping(data.get("release_gate")) or {})
        lines += _regression_lines(_mapping(data.get("regression_set")) or {})
        problems = check_eval_plan(plan)
        if problems:
            lines += ["## Open problems", ""] + [f"- {_cell(p)}" for p in problems] + [""]
        return "\n".join(lines).rstrip() + "\n"
    except Exception as exc:  # noqa: BLE001 - a memo never stops a notebook
        return f"# Eval plan\n\nThe plan could not be written out ({type(exc).__name__}).\n"


def _failure_table(value: Any) -> list[str]:
    lines = ["## Failure types and their checks", "", "Each check says pass or fail; code where a rule decides, a judge where it cannot.", ""]
    items = list(value)[:100] if isinstance(value, Sequence) and not isinstance(value, (str, bytes)) else []
    rows = [_mapping(i) for i in items]
    rows = [r for r in rows if r is not None]
    if not rows:
        return lines + ["—", ""]
    lines += ["| Failure type | Check | Verdict | Rule or judge question | Harm (1-5) |", "|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {_cell(r.get('name'))} | {_cell(r.get('check'))} | {_cell(r.get('verdict'))} | {_cell(r.get('rule_or_question'))} | {_cell(r.get('harm'))} |")
    return lines + [""]


def _judge_lines(judge: dict) -> list[str]:
    return [
        "## The judge, validated against people",
        "",
        f"- Human-labelled cases: {_cell(judge.get('labelled_cases'))}, of which people failed {_cell(judge.get('labelled_fails'))}",
        f"- Minimum true-positive rate (passes it passes): {_cell(judge.get('min_tpr'))}",
        f"- Minimum true-negative rate (fails it fails): {_cell(judge.get('min_tnr'))}",
        f"- Re-validated when: {_cell(judge.get('revalidate_when'))}",
        "",
    ]


def _gate_lines(gate: dict) -> list[str]:
    return [
        "## Release gate",
        "",
        f"- Minimum pass rate: {_cell(gate.get('min_pass_rate'))}",
        f"- Rate: {_cell(gate.get('rate'))}",
        f"- Read from: {_cell(gate.get('read_from'))}",
        "",
    ]


def _regression_lines(reg: dict) -> list[str]:
    return [
        "## Regression set",
        "",
        f"- Size: {_cell(reg.get('size'))} cases",
        f"- Refreshed from: {_cell(reg.get('refreshed_from'))}",
        "",
    ]
