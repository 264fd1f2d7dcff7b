"""The drill kinds of ``aipm_course.drill_cases`` (lesson 06): pricing and gross margin, the sample-ratio
mismatch check, and test length in whole weeks (with a 7-day metric's window at difficulty 3).

Every drill's answer is worked out here again from the prompt a learner reads (the numbers are read out
of its text), with the formulas written by hand: the χ² statistic and its p-value in closed form (and,
in a test of their own, every default-scenario drill against ``scipy.stats.chisquare``), the sample
size from the normal-approximation formula. Over seeds 0-499,
every difficulty and every scenario: the answer passes its own check, each named slip gets its own
feedback, the solution code gives the answer, and the "so what" choice has the right option the
numbers call for, balanced options and feedback for each wrong one. The "so what" gives nothing away:
the right option is not reliably the shortest or the longest, does not alone repeat the prompt's
numbers, no wording is right every time it appears, no idea is right in most draws, and no option
states a comparison the numbers settle. One case of each kind is also worked
by hand, its arithmetic written out below.
"""

import dataclasses
import functools
import math
import re
import subprocess
import sys
from collections import Counter

import numpy as np
import pytest
from scipy import stats

from aipm_course import drills as dr
from aipm_course.checking import Outcome
from aipm_course.parameters import scenarios

NEW_KINDS = ["pricing_margin", "srm_check", "test_length"]
SCENARIOS = list(scenarios().values())  # Scenario objects: make_drill takes them as they are, without reading the files again
LEVELS = (1, 2, 3)
SEEDS = range(500)
TARGET = 0.7  # finance's margin target, as the "so what" prompts state it
NUMBER = r"([\d,]+(?:\.\d+)?)"


def grid(kind, difficulty, scenario_index=0):
    """The drills of one kind and difficulty for seeds 0-499 in one scenario (0 is the default), made once."""
    return _grid(kind, difficulty, scenario_index)


@functools.cache
def _grid(kind, difficulty, scenario_index):
    return tuple(dr.make_drill(kind, seed, difficulty, SCENARIOS[scenario_index]) for seed in SEEDS)


def every_drill(kind):
    """Every level, seed and scenario; a drill a scenario leaves unchanged is visited once."""
    seen = set()
    for index in range(len(SCENARIOS)):
        for level in LEVELS:
            for d in grid(kind, level, index):
                key = (d.difficulty, d.seed, d.prompt)
                if key not in seen:
                    seen.add(key)
                    yield d


def num(text):
    return float(text.replace(",", ""))


def read(text, pattern):
    found = re.search(pattern, text)
    assert found, f"the text does not state {pattern!r}:\n{text}"
    return tuple(None if g is None else num(g) for g in found.groups())


# --- the answers, worked out from the prompt ---------------------------------------------------------
# Each solver returns (the answer, the value of the main slip: the answer of a learner who ignores
# what the drill tests) and the right "so what" option's opening words.


def solve_pricing(d):
    prompt = d.prompt
    if d.difficulty == 1:
        price, uses, per_use = read(prompt, rf"sold at \${NUMBER} a seat a month\. An average seat asks for {NUMBER} .*each costs \${NUMBER} in model calls")
        cost = uses * per_use
        margin = (price - cost) / price
        right = "Keep the seat price" if margin >= TARGET else "Cut the cost per use"
        return margin, (price - cost) / cost, right  # main slip: the markup, profit over cost
    if d.difficulty == 2:
        seat, per_use, hosting, seats, uses = read(
            prompt, rf"sells at \${NUMBER} a seat a month\. Each use costs \${NUMBER} in model calls, and hosting .* costs \${NUMBER} a month, "
                    rf"shared evenly by {NUMBER} seats\. A large customer's seats average {NUMBER} ")
        serve = per_use * uses + hosting / seats
        if "What gross margin" in prompt:
            (use_price,) = read(prompt, rf"per use instead, at \${NUMBER} a use")
            margin = (use_price * uses - serve) / (use_price * uses)
            seat_margin = (seat - serve) / seat
            right = "Agree to per use" if margin > seat_margin else "Keep them on the seat price"
            return margin, (use_price - per_use) / use_price, right  # main slip: the hosting left out
        (target,) = read(prompt, rf"gives a {NUMBER}% gross margin")
        price = serve / uses / (1 - target / 100)
        right = "Keep them on the seat price" if seat / uses >= price else "Move them to per use"
        return price, serve / uses * (1 + target / 100), right  # main slip: a markup on the cost
    per_use, median, heavy, heavy_uses, light, light_uses = read(
        prompt, rf"each use costs \${NUMBER} in model calls\. Usage is skewed: the median seat asks for {NUMBER} .* the heaviest {NUMBER}% of "
                rf"seats average {NUMBER} and the other {NUMBER}% average {NUMBER}\.")
    assert heavy + light == pytest.approx(100)
    mean = heavy / 100 * heavy_uses + light / 100 * light_uses
    if "What is the gross margin" in prompt:
        (price,) = read(prompt, rf"sells at \${NUMBER} a seat a month")
        margin, median_margin = (price - per_use * mean) / price, (price - per_use * median) / price
        right = ("Keep the seat price" if margin >= TARGET else ("Add a fair-use cap", "Send the heavy seats")
                 if median_margin >= TARGET else "Cut the cost per use for all")
        return margin, median_margin, right  # main slip: every seat priced as the median seat
    (target,) = read(prompt, rf"gives a {NUMBER}% gross margin")
    price, median_price = per_use * mean / (1 - target / 100), per_use * median / (1 - target / 100)
    (market,) = read(d.so_what.prompt, rf"sell at about \${NUMBER} a seat")
    right = "Set the seat price" if market >= price else "Price near the market" if market >= median_price else "Cut the cost per use"
    return price, median_price, right


def read_arms(prompt):
    arms = re.findall(r"(control|treatment|variant B): ([\d,]+) users, ([\d,]+) converted", prompt)
    planned = [num(x) / 100 for x in re.search(r"split users ([\d.]+)% control(?:, ([\d.]+)% treatment and ([\d.]+)% variant B| and ([\d.]+)% treatment)",
                                                 prompt).groups() if x is not None]
    assert [a[0] for a in arms] == ["control", "treatment", "variant B"][: len(planned)] and sum(planned) == pytest.approx(1)
    return [int(num(a[1])) for a in arms], [int(num(a[2])) for a in arms], planned


def chi_square(counts, shares):
    """(χ², p): Σ (observed − expected)² / expected, and its upper tail on arms − 1 degrees of freedom in closed
    form: erfc(√(χ²/2)) for one, e^(−χ²/2) for two. (``test_srm_against_scipy_chisquare_for_every_drill`` checks
    the drills against ``scipy.stats.chisquare`` as well.)"""
    total = sum(counts)
    statistic = sum((o - total * s) ** 2 / (total * s) for o, s in zip(counts, shares))
    p = math.erfc(math.sqrt(statistic / 2)) if len(counts) == 2 else math.exp(-statistic / 2)
    return statistic, p if p > 1e-300 else 0.0  # the drills give 0 below 1e-300, too small to round


def solve_srm(d):
    counts, converted, planned = read_arms(d.prompt)
    total = sum(counts)
    statistic, p = chi_square(counts, planned)
    even = chi_square(counts, [1 / len(counts)] * len(counts))  # an equal split, whatever was planned
    if "how many users should the control arm hold" in d.prompt:
        answer = total * planned[0]
        main = total / 2 if d.difficulty > 1 else counts[0]  # 50/50 for an unequal split; at 50/50, the count observed
    elif "χ² statistic" in d.prompt:
        answer = statistic
        main = even[0] if d.difficulty > 1 else sum(abs(o - total * s) / (total * s) for o, s in zip(counts, planned))  # at 50/50: no square
    else:
        answer = p
        n1, n2, x1, x2 = counts[0], counts[1], converted[0], converted[1]  # at 50/50: a z-test of the metric instead
        pooled = (x1 + x2) / (n1 + n2)
        z = (x2 / n2 - x1 / n1) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        main = even[1] if d.difficulty > 1 else math.erfc(abs(z) / math.sqrt(2))
    right = "Do not read the metric" if p < 0.001 else "Read the metric"
    return answer, main, right


def per_arm(p1, p2):
    """Users per arm for a two-sided test at α = 0.05 and power 0.8 (the normal approximation), rounded up."""
    za, zb = stats.norm.ppf(0.975), stats.norm.ppf(0.8)
    pbar = (p1 + p2) / 2
    n = (za * math.sqrt(2 * pbar * (1 - pbar)) + zb * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) ** 2 / (p2 - p1) ** 2
    return math.ceil(n - 1e-9)


def whole_weeks(days):
    return 7 * max(1, math.ceil(days / 7 - 1e-9))


def traffic_in(d):
    """The rates, the users a day in the test, and the days the sample needs (both arms), read from the prompt."""
    p1, p2 = read(d.prompt, rf"Today {NUMBER}% of (?:new )?users .* rise to {NUMBER}%")
    if d.difficulty == 2:
        users, share = read(d.prompt, rf"The product has {NUMBER} users a day, and the test gets {NUMBER}% of them")
        users *= share / 100
    else:
        (users,) = read(d.prompt, rf"{NUMBER} (?:new )?users a day enter the test")
    return p1 / 100, p2 / 100, users, 2 * per_arm(p1 / 100, p2 / 100) / users


def window_of(d):
    """The days a user's result takes: 7 when the prompt's metric is "within 7 days" and the prompt says the
    result is known 7 days after the day of entry; 0 for a metric known on the visit."""
    found = re.search(r"within (\d+) days of their first visit\. .*A user's result is known (\d+) days after the day they enter\.", d.prompt)
    if found is None:
        assert "within" not in d.prompt and "result is known" not in d.prompt, d.prompt  # no window the answer leaves out
        return 0
    assert found.group(1) == found.group(2)
    return int(found.group(1))


def solve_length(d):
    p1, p2, users, days = traffic_in(d)
    window = window_of(d)
    assert (window == 7) == (d.difficulty == 3)
    answer = whole_weeks(days) + window  # users enter for whole weeks; the last of them are measured `window` days later
    main = whole_weeks(days) if window else math.ceil(days - 1e-9)  # the window left out; or no whole weeks
    (horizon,) = read(d.so_what.prompt, rf"the roadmap gives it at most {NUMBER}\.")
    fits = ("Wait until the last users", "Wait for the last users' results") if window else "Keep it running"
    return answer, main, fits if answer <= horizon else "Rethink it"


SOLVERS = {"pricing_margin": solve_pricing, "srm_check": solve_srm, "test_length": solve_length}


def main_slip(d):
    """The name of the slip each drill names first."""
    if d.kind == "pricing_margin":
        if d.difficulty == 3:
            return "median_for_everyone"
        return "forgot_hosting" if d.difficulty == 2 and "What gross margin" in d.prompt else "markup"
    if d.kind == "srm_check":
        if d.difficulty > 1:
            return "planned_split_ignored"
        return {"expected": "observed_count", "statistic": "forgot_square", "p_value": "tested_the_metric"}[d.params["ask"]]
    return "forgot_the_window" if d.difficulty == 3 else "sample_days_only"


NAMESPACE = {}


def namespace():
    if not NAMESPACE:
        from aipm_course.experiments import full_week_days, sample_ratio_mismatch
        from aipm_course.pricing import gross_margin
        from aipm_course.rollout import sample_size_per_arm

        NAMESPACE.update(math=math, gross_margin=gross_margin, sample_ratio_mismatch=sample_ratio_mismatch,
                         full_week_days=full_week_days, sample_size_per_arm=sample_size_per_arm)
    return dict(NAMESPACE)


def problems(d):
    """What is wrong with one drill: an empty list when nothing is."""
    found = []
    p = d.precision
    answer, main, right = SOLVERS[d.kind](d)
    if p.kind == "whole" and p.round(answer) != d.expected or p.kind != "whole" and d.expected != pytest.approx(answer, rel=1e-9):
        found.append(f"answer {d.expected!r}, worked here {answer!r}")
    if not (math.isfinite(d.expected) and d.expected > 0) or p.phrase not in d.prompt:
        found.append("the answer is not a positive number, or the prompt does not state the precision")
    judge = d.question.spec.judge  # the checker's verdict; test_check_and_decide_answer_through_the_question runs the whole path
    for value in (d.expected, p.round(d.expected)):
        if not judge(value)[0]:
            found.append(f"its own answer {value!r} is rejected")
    if len(d.slips) < dr.MIN_SLIPS or len({s.name for s in d.slips}) != len(d.slips) or d.slips[0].name != main_slip(d):
        found.append(f"slips {[s.name for s in d.slips]}")
    elif not p.indistinct(d.slips[0].value, main):
        found.append(f"main slip {d.slips[0].value!r}, worked here {main!r}")
    for slip in d.slips:
        ok, message = judge(p.round(slip.value))
        if ok or slip.feedback not in message:
            found.append(f"slip {slip.name}: {message}")
    code = eval(d.code, namespace())  # noqa: S307 - the kit's own solution code
    if not (p.agrees(code, d.expected) or p.kind == "whole" and p.round(code) == d.expected):
        found.append(f"code {d.code} gives {code!r}")
    return found + so_what_problems(d, right)


def so_what_problems(d, right):
    found = []
    spec = d.so_what.spec
    lengths = [len(text) for text in spec.options.values()]
    if not 3 <= len(lengths) <= 4 or max(lengths) > 1.6 * min(lengths):
        found.append(f"options {list(spec.options.values())}")
    starts = (right,) if isinstance(right, str) else right
    if not spec.options[spec.correct].startswith(starts):
        found.append(f"the right option is {spec.options[spec.correct]!r}; the numbers call for {right!r}")
    ok, message = spec.judge(spec.correct)
    if not ok or spec.why not in message:
        found.append(f"the right option gets {message}")
    messages = []
    for key in spec.options:
        if key != spec.correct:
            ok, message = spec.judge(key)
            messages.append(message)
            if ok or message != spec.feedback[key]:
                found.append(f"wrong option {key}: {message}")
    if len(set(messages)) != len(messages):
        found.append("two wrong options share their feedback")
    return found


# --- 1. registration ------------------------------------------------------------------------------


def test_the_three_kinds_come_after_the_ten_in_order():
    kinds = list(dr.DRILL_KINDS)
    assert kinds[10:13] == NEW_KINDS  # after the ten kinds of drills.py: their numbers for a seed do not move
    assert [dr.DRILL_KINDS[k][0] for k in NEW_KINDS] == ["Price and margin of an AI feature", "Is the traffic split healthy", "Test length in whole weeks"]
    assert [dr._WHAT[k][1] for k in NEW_KINDS] == ["04", "05", "05"]
    table = dr.catalogue()
    assert list(table.index[10:13]) == NEW_KINDS and set(table.loc[NEW_KINDS, "lesson"]) == {"04", "05"}


def test_importing_the_cases_module_first_registers_the_same_kinds():
    script = ("import aipm_course.drill_cases; from aipm_course import drills; "
              "print(list(drills.DRILL_KINDS)); print(drills.make_drill('srm_check', 3, 2).prompt)")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.splitlines()
    assert out == [str(list(dr.DRILL_KINDS)), dr.make_drill("srm_check", 3, 2).prompt]


# --- 2. every seed, level and scenario ----------------------------------------------------------------


@pytest.mark.parametrize("kind", NEW_KINDS)
def test_every_drill_is_right_its_slips_named_and_its_so_what_fits_the_numbers(kind):
    failures, rights, letters, checked = [], Counter(), Counter(), 0
    for d in every_drill(kind):
        checked += 1
        failures += [(d.difficulty, d.seed, problem) for problem in problems(d)]
        rights[(d.difficulty, SOLVERS[kind](d)[2])] += 1
        letters[d.so_what.spec.correct] += 1
    assert failures == [], failures[:5]
    assert checked >= len(SEEDS) * len(LEVELS)
    assert len(letters) >= 3 and max(letters.values()) < 0.5 * checked  # the right letter moves
    for level in LEVELS:  # the right idea changes with the numbers at every level, and no idea is right in most draws
        shares = [n / sum(m for (lvl, _), m in rights.items() if lvl == level) for (lvl, _), n in rights.items() if lvl == level]
        assert len(shares) >= 2 and max(shares) <= 0.7, rights


@pytest.mark.parametrize("kind", NEW_KINDS)
def test_the_same_arguments_give_the_same_drill_and_seeds_give_fresh_numbers(kind):
    for level in LEVELS:
        drills = grid(kind, level)
        assert len({d.prompt for d in drills}) >= 400
        for d in drills[:5]:
            again = dr.make_drill(kind, d.seed, level)
            fields = [f.name for f in dataclasses.fields(d) if f.name != "so_what"]
            assert all(getattr(d, f) == getattr(again, f) for f in fields)
            assert d.so_what == again.so_what


def test_the_scenarios_move_the_money_and_the_traffic():
    legal = SCENARIOS.index(scenarios()["legal_review"])
    for kind in NEW_KINDS:
        moved = sum(a.prompt != b.prompt for a, b in zip(grid(kind, 2), grid(kind, 2, legal)))
        assert moved >= 0.9 * len(SEEDS), kind


# --- 3. hand-worked cases -------------------------------------------------------------------------------


def test_pricing_worked_by_hand():
    d = dr.make_drill("pricing_margin", 1, 1)
    # $15 a seat; 370 uses × $0.02 = $7.40 to serve; margin (15 − 7.40) / 15 = 7.60 / 15 = 0.50667
    assert "$15 a seat a month" in d.prompt and "370 " in d.prompt and "$0.02 in model calls" in d.prompt
    assert d.expected == pytest.approx(7.6 / 15) and d.precision.format(d.expected) == "0.507"
    assert "**0.507** (50.7%)" in d.working
    assert d.check(0.507).correct and d.check(0.5067).correct and not d.check(0.506).correct
    markup = d.check(1.03)  # 7.60 / 7.40 = 1.027: over the cost, not the price
    assert "markup" in markup.message and not markup.correct
    assert "percentage" in d.check(50.7).message
    # 50.7% is under finance's 70%, and every seat costs the same: cut the cost per use
    assert d.so_what.spec.options[d.so_what.spec.correct].startswith("Cut the cost per use")


def test_heavy_users_worked_by_hand():
    d = dr.make_drill("pricing_margin", 2, 3)
    # $5.70 a seat, $0.03 a use; the median seat asks for 20 a month, the heaviest 10% average 450, the other 90% average 30.
    # Mean uses 0.9 × 30 + 0.1 × 450 = 27 + 45 = 72; cost to serve 72 × $0.03 = $2.16; margin (5.70 − 2.16) / 5.70 = 0.621.
    # Priced for the median seat: 20 × $0.03 = $0.60, margin (5.70 − 0.60) / 5.70 = 0.895, the slip the drill names first.
    for text in ("$5.70 a seat a month", "$0.03 in model calls", "median seat asks for 20", "heaviest 10% of seats average 450",
                 "other 90% average 30"):
        assert text in d.prompt
    assert d.expected == pytest.approx(3.54 / 5.70) and d.precision.format(d.expected) == "0.621"
    assert "median seat" in d.check(0.895).message and d.check(0.621).correct
    # under finance's 70% over all seats, above it for the median seat: the tail is the gap
    assert d.so_what.spec.options[d.so_what.spec.correct].startswith(("Add a fair-use cap", "Send the heavy seats"))


def test_the_heavy_user_figures_come_from_their_lognormal():
    for d in grid("pricing_margin", 3):
        c = d.params
        mean = (1 - c["heavy_share"]) * c["light_uses"] + c["heavy_share"] * c["heavy_uses"]
        # the two groups' figures, rounded as a dashboard shows them, average close to the lognormal's mean
        assert mean == pytest.approx(stats.lognorm(s=c["sigma"], scale=c["median"]).mean(), rel=0.08)


def test_srm_worked_by_hand():
    d = dr.make_drill("srm_check", 1, 1)
    # 8,352 + 8,148 = 16,500 users, 8,250 expected in each arm; the gaps are ±102
    # χ² = 102² / 8,250 × 2 = 20,808 / 8,250 = 2.5222; 1 degree of freedom: p = erfc(√(χ²/2)) = 0.112
    assert "control: 8,352 users" in d.prompt and "treatment: 8,148 users" in d.prompt and "χ² statistic" in d.prompt
    assert d.expected == pytest.approx(20_808 / 8_250) and d.precision.format(d.expected) == "2.52"
    assert d.params["p_value"] == pytest.approx(math.erfc(math.sqrt(20_808 / 8_250 / 2))) and not d.params["mismatch"]
    assert "square" in d.check(round(2 * 102 / 8_250, 5)).message  # Σ|O − E| / E = 0.0247
    assert d.so_what.spec.options[d.so_what.spec.correct].startswith("Read the metric")

    alarm = dr.make_drill("srm_check", 1, 2)
    # planned 80/20; 149,313 + 38,167 = 187,480 users: expected 149,984 and 37,496; gaps ∓671
    # χ² = 671² / 149,984 + 671² / 37,496 = 450,241 / 149,984 + 450,241 / 37,496 = 3.0019 + 12.0077 = 15.010;
    # p = erfc(√(15.010 / 2)) ≈ 1.07e-4, below the 0.001 alarm: the question asks for the expected count, not the p-value
    assert "control: 149,313 users" in alarm.prompt and "treatment: 38,167 users" in alarm.prompt
    assert "how many users should the control arm hold" in alarm.prompt and "p-value" not in alarm.prompt
    assert alarm.expected == 149_984 and alarm.check(149_984).correct
    assert "50/50" in alarm.check(93_740).message  # half of 187,480: the split that was not planned
    statistic = 671**2 / 149_984 + 671**2 / 37_496
    assert alarm.params["statistic"] == pytest.approx(statistic) and alarm.params["p_value"] == pytest.approx(math.erfc(math.sqrt(statistic / 2)))
    assert 1e-4 < alarm.params["p_value"] < 1.1e-4 and alarm.params["mismatch"]
    assert alarm.so_what.spec.options[alarm.so_what.spec.correct].startswith("Do not read the metric")

    healthy = dr.make_drill("srm_check", 19, 2)
    # planned 95/5; 54,967 + 2,853 = 57,820: expected 54,929 and 2,891; gaps ±38
    # χ² = 38² / 54,929 + 38² / 2,891 = 0.026289 + 0.499481 = 0.52577; p = erfc(√(0.52577 / 2)) = 0.468
    assert "control: 54,967 users" in healthy.prompt and "p-value" in healthy.prompt
    assert healthy.expected == pytest.approx(math.erfc(math.sqrt((38**2 / 54_929 + 38**2 / 2_891) / 2)), rel=1e-9)
    assert healthy.precision.format(healthy.expected) == "0.468" and healthy.check(0.468).correct
    # against 50/50 the χ² is (54,967 − 28,910)² × 2 / 28,910 ≈ 47,000: p is 0, and the answer 0 hears why, with the step
    zero = healthy.check(0)
    assert not zero.correct and "never exactly 0" in zero.message and "50/50" in zero.message
    assert healthy.so_what.spec.options[healthy.so_what.spec.correct].startswith("Read the metric")


def test_srm_against_scipy_chisquare_for_every_drill():
    for level in LEVELS:
        for d in grid("srm_check", level):
            counts, shares = d.params["counts"], d.params["shares"]
            check = stats.chisquare(counts, [sum(counts) * s for s in shares])
            assert d.params["statistic"] == pytest.approx(check.statistic, rel=1e-9)
            assert d.params["p_value"] == pytest.approx(check.pvalue, rel=1e-9)
            assert d.params["mismatch"] == (check.pvalue < 0.001)
    alarms = [d.params["mismatch"] for level in LEVELS for d in grid("srm_check", level)]
    assert 0.35 < sum(alarms) / len(alarms) < 0.65  # healthy splits and broken ones both come up


def test_test_length_worked_by_hand():
    d = dr.make_drill("test_length", 143, 1)
    # 10% → 11%: 14,751 users per arm (the lesson's reference value), 29,502 in both arms;
    # / 3,960 a day = 7.45 days of sample; whole weeks: 14 days (8 days would end mid-week)
    assert "Today 10% of users accept a suggested reply" in d.prompt and "rise to 11%" in d.prompt and "3,960 users a day" in d.prompt
    assert per_arm(0.10, 0.11) == 14_751 and d.expected == 14
    assert "Weekday and weekend" in d.check(8).message  # the sample's days, not whole weeks
    assert "one arm" in d.check(7).message and "nearest week" in d.check(7).message  # 7: half the users, or rounded down
    assert d.check(14).correct and d.so_what.spec.options[d.so_what.spec.correct].startswith("Keep it running")


def test_test_length_with_a_window_by_hand():
    d = dr.make_drill("test_length", 74, 3)
    # 10% → 11% of new users come back within 7 days: 29,502 users in both arms / 2,830 a day = 10.42 days of entry;
    # users enter for whole weeks, 14 days; the last of them are measured 7 days later: 14 + 7 = 21 days
    assert "Today 10% of new users come back within 7 days" in d.prompt and "2,830 new users a day" in d.prompt
    assert "How many days from the first user's entry until the last user's result is in?" in d.prompt
    assert d.expected == 21 and d.check(21).correct
    assert "7 days are over" in d.check(14).message  # the day the last users enter, their week left out
    assert "day of entry" in d.check(20).message  # the entry day counted as the first of the 7
    assert "whole weeks" in d.check(11 + 7).message  # the sample's 11 days, then the window: not whole weeks of entry
    assert "nothing more" in d.check(11).message
    # the "so what": the last users enter on day 14, and their results come in on day 21, after the roadmap's 14 days: rethink it;
    # waiting for them overruns; novelty is per user, not per calendar week
    spec = d.so_what.spec
    assert "enter on day 14" in d.so_what.prompt and "at most 14." in d.so_what.prompt
    assert spec.options[spec.correct].startswith("Rethink it")
    wait = next(k for k, text in spec.options.items() if text.startswith("Wait"))
    assert "day 21" in spec.feedback[wait]
    drop = next(k for k, text in spec.options.items() if text.startswith("Drop the first week's users"))
    assert "days since each user first saw the feature" in spec.feedback[drop] and "settles" in spec.feedback[drop]


def test_the_rule_of_thumb_is_accepted_when_it_lands_on_the_answer_and_named_when_not():
    named = accepted = 0
    for level in LEVELS:
        for d in grid("test_length", level):
            p1, p2, users, _ = traffic_in(d)
            rough = 16 * p1 * (1 - p1) / (p2 - p1) ** 2  # per arm: 16·p(1 − p)/δ²
            days = whole_weeks(2 * math.ceil(rough - 1e-9) / users) + (7 if level == 3 else 0)  # and the window at 3
            result = d.check(days)
            if days == d.expected:
                accepted += result.correct
            else:
                named += "rule of thumb" in result.message
                assert not result.correct and "rounding" not in result.message, (d, result.message)
    assert accepted > 500 and named > 20


def test_the_lengths_spread_over_the_weeks_at_every_level():
    for level in LEVELS:
        answers = Counter(d.expected for d in grid("test_length", level))
        # the sample takes 1 to 5 whole weeks, each about as likely (and 7 more days at difficulty 3)
        assert len(answers) >= 5 and max(answers.values()) <= 0.3 * len(SEEDS), (level, answers)


def test_a_window_appears_only_where_the_answer_waits_for_it():
    # a metric known on the visit at difficulties 1 and 2 (the last user's result is in the day they enter); a metric
    # "within 7 days" at difficulty 3, whose answer adds the 7 days (``solve_length`` reads the window from the prompt)
    for d in every_drill("test_length"):
        window = window_of(d)
        assert window == (7 if d.difficulty == 3 else 0)
        text = " ".join([d.prompt, d.working, *d.hints, d.so_what.prompt, *d.so_what.spec.options.values()])
        assert "burn-in" not in text  # novelty is per user: no calendar week removes it
        if window:
            assert f"+ {window} = **{d.expected} days**" in d.working


def test_novelty_is_taught_per_user_in_the_window_so_what():
    for d in grid("test_length", 3):
        spec = d.so_what.spec
        (enrol,) = read(d.so_what.prompt, rf"The last users enter on day {NUMBER}")
        # the tempting calendar fix: drop the first week's users, or (with one week of entry, where that drops everyone) restart later
        opening = "Drop the first week's users" if enrol > 7 else "Restart the entry a week later"
        calendar = [k for k, text in spec.options.items() if text.startswith(opening)]
        assert calendar and calendar[0] != spec.correct, spec.options
        assert "per user" in spec.feedback[calendar[0]] and "days since each user first saw the feature" in spec.feedback[calendar[0]]
        if spec.options[spec.correct].startswith("Wait"):  # the why says how to see novelty: by days since first exposure, until it settles
            assert "days since first exposure" in spec.why and "settles" in spec.why


def test_a_p_value_is_asked_only_when_it_is_at_least_the_alarm_level():
    asked = Counter()
    for d in every_drill("srm_check"):
        counts, _, planned = read_arms(d.prompt)
        statistic, p = chi_square(counts, planned)
        if "p-value" in d.prompt:
            assert p >= 0.001 and d.expected >= 0.001, (d.seed, p)
        else:
            assert "χ² statistic" in d.prompt or "how many users should the control arm hold" in d.prompt
        asked[(d.difficulty, "p-value" in d.prompt, p < 0.001)] += 1
    for level in LEVELS:  # p-values are still asked (healthy splits), and broken splits still come up (as χ² or counts)
        assert asked[(level, True, False)] >= 50 and asked[(level, False, True)] >= 100, asked


def test_the_answer_zero_to_a_p_value_hears_about_zero_not_an_unrelated_step():
    checked = 0
    for d in every_drill("srm_check"):
        if "p-value" not in d.prompt:
            continue
        result = d.check(0)
        assert result.outcome is Outcome.INCORRECT and "never exactly 0" in result.message, (d.seed, result.message)
        for slip in d.slips:  # a named step is heard only when that step's p-value is itself 0 at three significant figures
            if slip.name != "zero" and slip.feedback.split(": ")[-1] in result.message:
                assert slip.value < 1e-12, (d.seed, slip)
        checked += 1
    assert checked > 300


# --- 4. the "so what" step and the checks never raise ------------------------------------------------

# Words that compare the prompt's numbers (with a target, a market price, each other or the horizon): an option that
# says "its margin clears the target" tests reading, and a wrong one the numbers contradict is no temptation.
COMPARISON = re.compile(r"\b(clears?|meets?|reach(?:es)?|miss(?:es)?|below|above|under|short of|exceeds?|more than|less than|"
                        r"earns? (?:more|less)|cannot reach|fits in)\b", re.IGNORECASE)


@pytest.mark.parametrize("kind", NEW_KINDS)
def test_the_right_option_is_not_reliably_the_shortest_or_the_longest(kind):
    for level in LEVELS:
        shortest = longest = 0
        for d in grid(kind, level):
            spec = d.so_what.spec
            lengths = [len(text) for text in spec.options.values()]
            right = len(spec.options[spec.correct])
            shortest += right == min(lengths)  # a tie counts against the drill
            longest += right == max(lengths)
        assert shortest <= 0.4 * len(SEEDS) and longest <= 0.4 * len(SEEDS), (level, shortest, longest)


def numbers_in(text):
    return set(re.findall(r"\d+(?:[.,]\d+)*", text))


@pytest.mark.parametrize("kind", NEW_KINDS)
def test_the_right_option_does_not_alone_repeat_the_prompts_numbers(kind):
    for d in every_drill(kind):
        spec = d.so_what.spec
        stated = numbers_in(d.prompt) | numbers_in(d.so_what.prompt)
        in_wrong = set().union(*(numbers_in(text) for key, text in spec.options.items() if key != spec.correct))
        # each number of the prompts the right option quotes ("Keep it running to day 21") is quoted by a wrong one too
        assert numbers_in(spec.options[spec.correct]) & stated <= in_wrong, (d.difficulty, d.seed, spec.options)


@pytest.mark.parametrize("kind", NEW_KINDS)
def test_no_wording_is_right_every_time_it_appears(kind):
    # a learner who practises often must not learn that one wording is always the answer: the phrasings of an idea
    # that is right in some draws are wrong options, in the same words, in others
    right, wrong = Counter(), Counter()
    for level in LEVELS:
        for d in grid(kind, level):
            spec = d.so_what.spec
            for key, text in spec.options.items():
                (right if key == spec.correct else wrong)[text] += 1
    assert [text for text in right if not wrong[text]] == []


@pytest.mark.parametrize("kind", NEW_KINDS)
def test_no_option_states_a_comparison_the_numbers_settle(kind):
    # every option is an action with a reason; which one is right is the candidate's judgement from the numbers
    for d in every_drill(kind):
        for text in d.so_what.spec.options.values():
            assert not COMPARISON.search(text), (d.difficulty, d.seed, text)



@pytest.mark.parametrize("kind", NEW_KINDS)
@pytest.mark.parametrize("answer", [None, "", "z", 3, float("nan"), ["a"], "A", " b ", 10**400])
def test_the_checks_never_raise(kind, answer):
    for d in grid(kind, 2)[:20]:
        for result in (d.check(answer), d.decide(answer)):
            assert result.outcome in (Outcome.CORRECT, Outcome.INCORRECT, Outcome.NOT_ATTEMPTED)
    assert grid(kind, 1)[0].decide(None).outcome is Outcome.NOT_ATTEMPTED


@pytest.mark.parametrize("kind", NEW_KINDS)
def test_check_and_decide_answer_through_the_question(kind):
    for level in LEVELS:
        for d in grid(kind, level)[:40]:
            assert d.check(d.expected).correct and d.check(d.precision.round(d.expected)).correct
            for slip in d.slips:
                result = d.check(d.precision.round(slip.value))
                assert result.outcome is Outcome.INCORRECT and slip.feedback in result.message
            spec = d.so_what.spec
            assert d.decide(spec.correct).correct and spec.why in d.decide(spec.correct).message
            assert d.decision.prompt == d.so_what.prompt
            for key in set(spec.options) - {spec.correct}:
                assert d.decide(key).outcome is Outcome.INCORRECT and d.decide(key).message == spec.feedback[key]
                assert d.decide(spec.options[key]).message == spec.feedback[key]  # the option's text works as well as its letter


def test_the_so_what_stream_leaves_the_numbers_alone():
    # the choice is drawn from a stream of its own: a drill whose first draw is usable has the numbers of
    # that draw, which the builder makes from the drill's stream alone
    checked = 0
    for kind in NEW_KINDS:
        for seed in range(10):
            d = dr.make_drill(kind, seed, 2)
            fields = dr.DRILL_KINDS[kind][1](np.random.default_rng([seed, list(dr.DRILL_KINDS).index(kind), 2]), 2, SCENARIOS[0])
            if dr._usable(fields) is not None:  # the first draw was kept
                assert fields["expected"] == d.expected and fields["prompt"] in d.prompt
                checked += 1
    assert checked >= 15


@pytest.mark.parametrize("kind", NEW_KINDS)
def test_hints_solution_and_timing(kind):
    for level in LEVELS:
        for d in grid(kind, level)[:20]:
            assert len(d.hints) == 2 and d.hint(1).body != d.hint(2).body
            assert d.solution().body == d.working and d.solution().code == d.code
            assert d.seconds in (90, 120, 150, 180)
            bold = re.search(r"\*\*\$?([\d,]+(?:\.\d+)?)", d.working)
            assert bold and num(bold.group(1)) == pytest.approx(d.precision.round(d.expected), rel=1e-12), d.working
            if d.fraction:
                assert f"({d.precision.format(d.expected, percent=True)})" in d.working
