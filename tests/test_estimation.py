"""Estimation drills (lesson 06): each answer recomputed here by hand and with the kit's own cost and
staffing functions; the plausibility ranges (every assumption pushed below and above its range gets
its own feedback); the named slips computed from random in-range assumptions; the answer policy (three
significant figures; 1.3x off is never "rounding"); bad inputs, which never raise; every kind, level,
seed 0-499 and scenario.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aipm_course import estimation as es
from aipm_course.checking import ___, Outcome, RichText
from aipm_course.costs import cost_per_query, cost_with_cache
from aipm_course.parameters import scenarios
from aipm_course.uncertainty import reviewer_fte, reviewer_headcount
from aipm_course.validation import AipmError

KINDS = list(es.ESTIMATE_KINDS)
LEVELS = (1, 2, 3)
SEEDS = range(500)
CASES = [(k, d) for k in KINDS for d in LEVELS]


def sig3(x: float) -> float:
    """x written at three significant figures, as a learner would (independent of the kit's formatter)."""
    return float(f"{x:.3g}")


def reference(e, v) -> float:
    """The answer from the assumptions, written out by hand (and with the kit's cost and staffing functions)."""
    f, d = e.facts, e.difficulty
    if e.kind == "estimate_llm_monthly_cost":
        uses = f["users"] * v["uses_per_user_per_day"] * 30
        if d == 1:
            return uses * v["tokens_per_use"] * v["price_per_million"] / 1_000_000
        sent = v["tokens_in"] + (v["retrieved_tokens"] if d == 3 else 0)
        per_use = cost_per_query(sent, v["tokens_out"], v["price_in"], v["price_out"])
        return uses * (cost_with_cache(per_use, v["cache_hit_share"]) if d == 3 else per_use)
    if e.kind == "estimate_review_team":
        if d == 3:
            return reviewer_fte(f["cases_per_day"] * v["human_share"], v["minutes_per_case"], shift_hours=8,
                                occupancy=v["occupancy"], shrinkage=v["shrinkage"], days_open=7, days_worked=5).fte
        desk = reviewer_headcount(f["cases_per_day"], v["human_share"], v["minutes_per_case"], v["productive_hours"])
        return desk if d == 1 else desk / (1 - v["shrinkage"])
    if e.kind == "estimate_labelling_budget":
        hours = f["items"] * v["seconds_per_label"] / 3600
        if d == 2:
            return hours / (v["labellers"] * v["hours_per_day"])
        return hours * v["hourly_rate"] * ((2 + v["disagreement_share"]) if d == 3 else 1)
    users = f["users"]
    if d == 1:
        return users * v["test_share"] * v["days"]
    if d == 2:
        return users * v["eligible_share"] * v["test_share"] * 7 * v["weeks"]
    return users * v["test_share"] * (1 - (1 - v["daily_visit_share"]) ** (7 * v["weeks"]))


def in_range(e, rng) -> dict:
    """Random assumptions, each inside its plausible range (whole where a whole number is asked for)."""
    return {a.name: float(rng.integers(math.ceil(a.low), math.floor(a.high) + 1)) if a.whole else float(rng.uniform(a.low, a.high))
            for a in e.assumptions}


def outside(a) -> tuple[float, float]:
    """A value below and one above the assumption's range."""
    below = a.low / 2 if a.low > 0 else a.low - 0.1 * (a.high - a.low)
    return below, a.high * 2


@pytest.fixture(scope="module")
def estimates():
    return {(k, d, s): es.make_estimate(k, s, d) for k, d in CASES for s in SEEDS}


# ------------------------------------------------------------------------------------------------
# Hand-worked examples, one per kind
# ------------------------------------------------------------------------------------------------


def test_hand_worked_llm_monthly_cost():
    e = next(e for s in range(50) if (e := es.make_estimate("estimate_llm_monthly_cost", s, 2)).facts["who"] == "agents")
    users = e.facts["users"]
    v = {"uses_per_user_per_day": 40, "tokens_in": 1_500, "tokens_out": 300, "price_in": 2, "price_out": 8}
    # per use: (1,500 × 2 + 300 × 8) / 1M = $0.0054; a month per user: 40 × 30 × 0.0054 = $6.48
    assert e.compute(v) == pytest.approx(users * 6.48)
    assert e.check(v, sig3(users * 6.48)).correct
    assert "one day's bill" in e.check(v, users * 6.48 / 30).message
    assert "per million tokens, not per thousand" in e.check(v, users * 6480).message
    # swapped prices: (1,500 × 8 + 300 × 2) / 1M = $0.0126 a use, × 1,200 uses a month = $15.12 a user
    assert "swapped" in e.check(v, users * 15.12).message


def test_hand_worked_review_team():
    e = next(e for s in range(50) if "tickets" in (e := es.make_estimate("estimate_review_team", s, 3)).prompt)
    cases = e.facts["cases_per_day"]
    v = {"human_share": 0.2, "minutes_per_case": 6, "occupancy": 0.8, "shrinkage": 0.3}
    # workload 0.02·C hours; / (8 × 0.8) = C / 320 on the desk; × 7/5 = 7C / 1,600; / 0.7 = C / 160
    assert e.compute(v) == pytest.approx(cases / 160)
    assert e.check(v, sig3(cases / 160)).correct
    assert "7/5" in e.check(v, cases / 320 / 0.7).message  # forgot the 7-day cover
    assert "shrinkage" in e.check(v, 7 * cases / 1600).message  # forgot shrinkage


def test_hand_worked_labelling_budget():
    e = next(e for s in range(50) if (e := es.make_estimate("estimate_labelling_budget", s, 3)).facts["who"] == "paralegals")
    n = e.facts["items"]
    v = {"seconds_per_label": 120, "hourly_rate": 60, "disagreement_share": 0.2}
    # one label: n × 120 / 3,600 = n / 30 hours; × 2.2 labels = 0.0733·n hours; × $60 = $4.40 an item
    assert e.compute(v) == pytest.approx(4.4 * n)
    assert e.check(v, sig3(4.4 * n)).correct
    assert "one label per item" in e.check(v, 2 * n).message  # $2 an item: labelled once
    assert "third label" in e.check(v, 4 * n).message  # two labels, no third on the disagreements


def test_hand_worked_experiment_reach():
    e = es.make_estimate("estimate_experiment_reach", seed=0, difficulty=3)
    base = e.facts["users"]
    v = {"daily_visit_share": 0.5, "test_share": 0.5, "weeks": 1}
    # at least one visit in 7 days: 1 − 0.5^7 = 127/128; reach = base × 0.5 × 127/128
    assert e.compute(v) == pytest.approx(base * 127 / 256)
    assert e.check(v, sig3(base * 127 / 256)).correct
    assert "user-days" in e.check(v, base * 0.5 * 0.5 * 7).message
    assert "every user visits" in e.check(v, base * 0.5).message


def test_hand_worked_reach_agrees_with_the_rollout_model():
    rollout = pytest.importorskip("aipm_course.rollout")
    distinct = getattr(rollout, "distinct_users_exposed", None)
    if distinct is None:
        pytest.skip("rollout.distinct_users_exposed is not there yet")
    e = es.make_estimate("estimate_experiment_reach", seed=5, difficulty=3)
    v = {"daily_visit_share": 0.3, "test_share": 0.2, "weeks": 2}
    assert e.compute(v) == pytest.approx(distinct(e.facts["users"], 0.3, 0.2, 14))


# ------------------------------------------------------------------------------------------------
# The sweep: every kind, level and seed 0-499
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind,difficulty", CASES)
def test_worked_values_pass_and_match_the_hand_formula(estimates, kind, difficulty):
    for seed in SEEDS:
        e = estimates[kind, difficulty, seed]
        v = e.typical
        assert all(a.low <= v[a.name] <= a.high for a in e.assumptions), (e, v)
        answer = e.compute(v)
        assert answer == pytest.approx(reference(e, v), rel=1e-12), e
        result = e.check(v, sig3(answer))
        assert result.correct, (e, result)
        assert "three significant figures" in e.prompt


def _assert_own_feedback(e, a, value):
    """The assumption pushed to ``value``, the answer right from there: incorrect, this assumption's
    feedback first (its name, its range, why), no other assumption named, and the arithmetic called right."""
    v = dict(e.typical, **{a.name: value})
    result = e.check(v, e.compute(v))
    msg = result.message
    assert result.outcome is Outcome.INCORRECT, (e, a.name, value)
    assert msg.startswith(f"**{a.label}** (`{a.name}`)"), msg
    assert a.range_text in msg and a.why in msg, msg
    assert not any(f"(`{b.name}`)" in msg for b in e.assumptions if b is not a), msg
    assert "arithmetic is right" in msg, msg


@pytest.mark.parametrize("kind,difficulty", CASES)
def test_every_assumption_outside_its_range_gets_its_own_feedback(estimates, kind, difficulty):
    """Seeds 0-39 push every assumption out both ways; each later seed pushes one, in turn, below then
    above (the ranges depend on the story a seed draws, not on the seed itself, and every story comes
    back many times in 500 seeds)."""
    for seed in SEEDS:
        e = estimates[kind, difficulty, seed]
        n = len(e.assumptions)
        for i, a in enumerate(e.assumptions):
            below, above = outside(a)
            if seed < 40:
                _assert_own_feedback(e, a, below)
                _assert_own_feedback(e, a, above)
            elif i == seed % n:
                _assert_own_feedback(e, a, below if (seed // n) % 2 == 0 else above)


@pytest.mark.parametrize("kind,difficulty", CASES)
def test_every_named_slip_from_random_assumptions_gets_its_feedback(estimates, kind, difficulty):
    for seed in SEEDS:
        e = estimates[kind, difficulty, seed]
        rng = np.random.default_rng([seed, difficulty, KINDS.index(kind)])
        v = in_range(e, rng)
        answer = reference(e, v)
        slips = e.slips(v)
        assert len(slips) >= 3, e
        for slip in slips:
            if e.precision.indistinct(slip.value, answer):
                continue  # the same number as the answer at three significant figures: the check drops it
            result = e.check(v, slip.value)
            assert result.outcome is Outcome.INCORRECT, (e, slip.name)
            assert slip.feedback in result.message, (e, slip.name, result.message)
            assert result.message.startswith("Your assumptions are plausible"), result.message


@pytest.mark.parametrize("kind,difficulty", CASES)
def test_three_significant_figures_pass_and_a_miss_is_not_called_rounding(estimates, kind, difficulty):
    for seed in SEEDS:
        e = estimates[kind, difficulty, seed]
        rng = np.random.default_rng([seed, difficulty, KINDS.index(kind), 1])
        v = in_range(e, rng)
        answer = reference(e, v)
        assert e.check(v, sig3(answer)).correct, (e, v)
        for factor in (1.3,) if seed % 2 else (1 / 1.3,):
            result = e.check(v, answer * factor)
            assert result.outcome is Outcome.INCORRECT, (e, v, factor)
            assert "rounding" not in result.message.lower(), result.message


@pytest.mark.parametrize("kind,difficulty", CASES)
def test_bad_inputs_get_an_outcome_and_never_raise(estimates, kind, difficulty):
    for seed in SEEDS:
        e = estimates[kind, difficulty, seed]
        v, name = e.typical, e.names[-1]
        answer = sig3(e.compute(v))
        missing = {k: x for k, x in v.items() if k != name}
        cases = {
            "missing": (missing, answer, Outcome.INCORRECT, [f"missing `{name}`"]),
            "extra": (dict(v, tokens_per_week=3), answer, Outcome.INCORRECT, ["unknown assumption 'tokens_per_week'", *(f"`{n}`" for n in e.names)]),
            "text": (dict(v, **{name: "lots"}), answer, Outcome.INCORRECT, [f"`{name}` is the text 'lots'"]),
            "nan": (dict(v, **{name: math.nan}), answer, Outcome.INCORRECT, [f"`{name}` is nan"]),
            "blank": (dict(v, **{name: ___}), answer, Outcome.NOT_ATTEMPTED, [f"`{name}`"]),
            "no values": (None, answer, Outcome.NOT_ATTEMPTED, [f"`{name}`"]),
            "no answer": (v, None, Outcome.NOT_ATTEMPTED, []),
            "text answer": (v, "about 3k", Outcome.INCORRECT, ["text"]),
            "nan answer": (v, math.nan, Outcome.INCORRECT, ["NaN"]),
        }
        labels = list(cases) if seed < 20 else list(cases)[seed % 3::3]  # every case on seeds 0-19, a third of them on each later seed
        for label in labels:
            values, given, outcome, words = cases[label]
            result = e.check(values, given)
            assert result.outcome is outcome, (e, label, result)
            assert all(w in result.message for w in words), (label, result.message)


# ------------------------------------------------------------------------------------------------
# Scenarios, the prompt, the worked solution, hints
# ------------------------------------------------------------------------------------------------


def _fact_numbers(e) -> list[int]:
    return [x for k, x in e.facts.items() if isinstance(x, int) and k != "shift_hours"]


@pytest.mark.parametrize("scenario", list(scenarios()))
def test_every_scenario_states_its_facts_and_its_worked_values_pass(scenario):
    for kind, difficulty in CASES:
        for seed in range(40):
            e = es.make_estimate(kind, seed, difficulty, scenario)
            assert all(f"{n:,}" in e.prompt for n in _fact_numbers(e)), e.prompt
            assert e.check(e.typical, sig3(e.compute(e.typical))).correct, e


def test_scenario_scales_the_facts_not_the_ranges():
    base = es.make_estimate("estimate_review_team", 7, 2)
    big = es.make_estimate("estimate_review_team", 7, 2, "ecommerce_search")  # volume x5
    assert big.facts["cases_per_day"] > base.facts["cases_per_day"]
    assert [(a.low, a.high) for a in big.assumptions] == [(a.low, a.high) for a in base.assumptions]


@pytest.mark.parametrize("kind,difficulty", CASES)
def test_worked_code_computes_the_answer_with_the_kit(kind, difficulty):
    for seed in range(0, 500, 25):
        e = es.make_estimate(kind, seed, difficulty)
        worked = e.worked()
        assert isinstance(worked, RichText)
        lines = worked.code.splitlines()
        namespace: dict = {}
        exec("\n".join(lines[:-1]), namespace)  # the imports
        assert eval(lines[-1], namespace) == pytest.approx(e.compute(e.typical), rel=1e-9), worked.code
        assert f"**{'$' if e.units.startswith('USD') else ''}{e.precision.format(e.compute(e.typical))}" in worked.body
        assert all(a.range_text in worked.body for a in e.assumptions)


def test_worked_with_your_own_values():
    e = es.make_estimate("estimate_labelling_budget", 3, 1)
    v = {"seconds_per_label": 72, "hourly_rate": 50}  # plausible for every labelling story
    # n × 72 / 3,600 = n / 50 hours, × $50 = $1 an item
    assert e.check(v, e.facts["items"]).correct
    assert "Your assumptions" in e.worked(v).body
    assert e.working == e.worked().body


def test_difficulty_adds_assumptions_and_time():
    for kind in KINDS:
        easy, hard = es.make_estimate(kind, 3, 1), es.make_estimate(kind, 3, 3)
        assert len(hard.assumptions) > len(easy.assumptions), kind
        assert easy.seconds < hard.seconds


def test_same_arguments_same_estimate_and_seeds_vary_the_facts():
    for kind in KINDS:
        assert es.make_estimate(kind, 11, 2).prompt == es.make_estimate(kind, 11, 2).prompt
        assert len({es.make_estimate(kind, s, 2).prompt for s in range(30)}) >= 5


def test_show_names_every_assumption_and_hints_never_raise():
    e = es.make_estimate("estimate_llm_monthly_cost", 9, 3)
    shown = str(e.show())
    assert all(f"`{a.name}`" in shown and a.label in shown for a in e.assumptions)
    assert "retrieved" in e.prompt.lower() and "cache" in e.prompt.lower()
    for n in (1, 2, 3, 0, 99, "two", None, True, 2.5):
        assert isinstance(e.hint(n), RichText)
    assert e.hint(1).body != e.hint(2).body
    assert repr(e) == "<Estimate estimate_llm_monthly_cost seed=9 difficulty=3>"
    assert "<div" in e._repr_html_()


def test_labels_and_lists_as_values():
    e = es.make_estimate("estimate_experiment_reach", 3, 1)
    by_label = {a.label.upper(): a.typical for a in e.assumptions}
    assert e.check(by_label, sig3(e.compute(e.typical))).correct
    assert e.check([a.typical for a in e.assumptions], sig3(e.compute(e.typical))).correct
    twice = e.check({**e.typical, e.assumptions[0].label: 0.5}, 1)
    assert "given twice" in twice.message


def test_a_percentage_for_a_share_is_named():
    e = es.make_estimate("estimate_review_team", 3, 1)
    typical = e.typical
    v = dict(typical, human_share=typical["human_share"] * 100)
    msg = e.check(v, e.compute(v)).message
    assert "looks like a percentage" in msg and "`human_share`" in msg


def test_whole_weeks_are_asked_for():
    e = es.make_estimate("estimate_experiment_reach", 3, 2)
    v = dict(e.typical, weeks=2.5)
    result = e.check(v, e.compute(v))
    assert not result.correct and "whole" in result.message and "arithmetic is right" in result.message


def test_absurd_values_never_raise():
    e = es.make_estimate("estimate_review_team", 3, 3)
    for value in (1.0, -5.0, 1e308, 0.0, 10**400, -1e-300):
        v = dict(e.typical, shrinkage=value, occupancy=0.0 if value == 0.0 else 0.85)
        result = e.check(v, 12)
        assert result.outcome is Outcome.INCORRECT
    r = es.make_estimate("estimate_experiment_reach", 3, 3)
    v = dict(r.typical, daily_visit_share=1.7, weeks=0.5)  # (1 − 1.7)^3.5 is not a real number
    assert "`daily_visit_share`" in r.check(v, 100).message
    assert not r.check({"daily_visit_share": 1e308, "test_share": 1e308, "weeks": 1e308}, 1).correct
    zero = r.check({"daily_visit_share": 0, "test_share": 0, "weeks": 0}, 5e-324)  # the answer 0, a subnormal float given
    assert not zero.correct and "could not be checked" not in zero.message


def test_compute_refuses_what_check_names():
    e = es.make_estimate("estimate_labelling_budget", 3, 2)
    with pytest.raises(AipmError, match="missing `hours_per_day`"):
        e.compute({"seconds_per_label": 60, "labellers": 3})


@pytest.mark.parametrize("args,name", [
    (("estimate_everything", 1), "kind"),
    (("estimate_review_team", -1), "seed"),
    (("estimate_review_team", 2**64), "seed"),
    (("estimate_review_team", 1, 4), "difficulty"),
    (("estimate_review_team", 1, True), "difficulty"),
    (("estimate_review_team", 1, 2, "mars"), "scenario"),
])
def test_make_estimate_names_a_bad_argument(args, name):
    with pytest.raises(AipmError, match=name):
        es.make_estimate(*args)


def test_difficulty_none_varies_with_the_seed():
    assert {es.make_estimate("estimate_review_team", s).difficulty for s in range(6)} == {1, 2, 3}


def test_prices_come_from_the_price_table():
    from aipm_course.costs import load_prices

    rows = [p for p in load_prices().values() if p.kind in ("chat", "fine_tuned")]
    e = es.make_estimate("estimate_llm_monthly_cost", 3, 2)
    price_in = next(a for a in e.assumptions if a.name == "price_in")
    assert price_in.low <= min(p.input_per_million for p in rows) and price_in.high >= max(p.input_per_million for p in rows)
    assert "as of" in price_in.why


def test_practice_loop_knows_the_estimation_kinds():
    practice = pytest.importorskip("aipm_course.practice")
    assert set(KINDS) <= set(practice.all_kinds())
    item = practice.make_item("estimate_labelling_budget", 3, 2)
    assert isinstance(item, es.Estimate) and item.difficulty == 2


_ANY = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=8),
                 st.lists(st.integers(), max_size=3), st.just(___), st.just(...), st.decimals(allow_nan=True))


@settings(max_examples=150, deadline=None)
@given(kind=st.sampled_from(KINDS), difficulty=st.sampled_from(LEVELS), data=st.data())
def test_check_never_raises_on_anything(kind, difficulty, data):
    e = es.make_estimate(kind, 5, difficulty)
    keys = st.one_of(st.sampled_from(e.names), st.text(max_size=6), st.integers())
    values = data.draw(st.one_of(_ANY, st.dictionaries(keys, _ANY, max_size=8), st.fixed_dictionaries({n: _ANY for n in e.names})))
    result = e.check(values, data.draw(_ANY))
    assert result.outcome in tuple(Outcome) and result.message
    assert "could not be checked" not in result.message, result.message  # no error escaped the judging
