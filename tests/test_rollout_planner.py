"""The rollout planner (lesson 05), driven as a learner would: by setting its controls' values.
Every number it shows is recomputed here with rollout.schedule and rollout.blast_radius; the blast
radius and the users exposed count customers only (shadow mode and dogfood expose none)."""

from html.parser import HTMLParser

import pytest

from aipm_course import rollout
from aipm_course.widgets import RolloutPlanner, rollout_planner

WARN = "#D55E00"
HEADERS = ["stage", "share", "planned days", "days its gates need", "days it runs", "users exposed", "blast radius"]


class Table(HTMLParser):
    """Collect each table row's cells as (text, attributes as parsed, in order)."""

    def __init__(self):
        super().__init__()
        self.rows, self._row, self._cell = [], None, None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = ["", attrs]

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append((self._cell[0], self._cell[1]))
            self._cell = None
        elif tag == "tr":
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[0] += data


def table(html):
    parser = Table()
    parser.feed(html)
    return parser.rows


def browser_style(attrs):
    """The style a browser applies: for a repeated attribute the first one wins (HTML parsing rules)."""
    return next((value for name, value in attrs if name == "style"), "")


def all_styles(attrs):
    return " ".join(value for name, value in attrs if name == "style")


def expected_plan(canary, ramp, effect):
    data = rollout.plan_to_dict(rollout.example_plan())
    for stage in data["stages"]:
        if stage["kind"] == "canary":
            stage["traffic_share"] = canary
        if stage["kind"] == "ramp":
            stage["traffic_share"] = ramp
        for gate in stage["gates"]:
            if "effect" in gate and gate["layer"] != "offline":
                # harm is a drop in task success but a rise in escalations
                gate["effect"] = effect if gate["metric"] == "escalation_rate" else -effect
    return rollout.plan_from_dict(data)


def set_controls(planner, **values):
    for name, value in values.items():
        getattr(planner, name).value = value


def check_against_the_functions(planner, daily_users, p_baseline, effect, canary, ramp, hours_to_detect, hours_to_rollback):
    plan = expected_plan(canary, ramp, effect)
    items = rollout.schedule(plan, daily_users, p_baseline)
    customers = ("pilot", "canary", "ramp", "full")  # shadow: nobody sees it; dogfood: the staff only
    blast = {
        i.stage.title: rollout.blast_radius(daily_users, i.stage.traffic_share, hours_to_detect, hours_to_rollback)
        for i in items if i.stage.kind in customers
    }
    assert planner.current_plan() == plan
    assert planner.items == items
    assert planner.blast == pytest.approx(blast)
    assert planner.total_days == items[-1].end_day == sum(i.days for i in items)

    rows = table(planner.report.value)
    assert [text for text, _ in rows[0]] == HEADERS
    assert len(rows) == len(items) + 1
    for item, row in zip(items, rows[1:]):
        cells = [text for text, _ in row]
        s = item.stage
        assert cells == [
            s.title,
            {"shadow": "shadow", "dogfood": "staff only"}.get(s.kind, f"{s.traffic_share:.0%}"),
            str(s.min_days),
            "" if item.days_needed is None else f"{item.days_needed:,}",
            str(item.days),
            f"{item.exposure:,.0f}",
            f"{blast[s.title]:,.0f}" if s.kind in customers else "0",
        ]
        assert (item.exposure == 0) == (s.kind not in customers)
    report = planner.report.value
    assert f"Time to full launch: <b>{items[-1].end_day} days</b>" in report
    assert f"({hours_to_detect:g} h to detect + {hours_to_rollback:g} h to roll back)" in report
    for item in items:
        assert f"{item.stage.title} {item.days} d" in planner.timeline.value
    return items, rows


DEFAULTS = dict(daily_users=20_000, p_baseline=0.60, effect=0.02, canary=0.05, ramp=0.5, hours_to_detect=24, hours_to_rollback=1)


def test_default_planner_shows_the_lessons_plan():
    planner = rollout_planner()
    assert isinstance(planner, RolloutPlanner)
    assert {name: getattr(planner, name).value for name in DEFAULTS} == DEFAULTS
    items, _ = check_against_the_functions(planner, **DEFAULTS)
    assert planner.total_days == 36
    assert [i.days for i in items] == [7, 7, 14, 7, 1]
    assert "36 days to full launch" in repr(planner)


SETTINGS = [
    dict(daily_users=3_000, p_baseline=0.33, effect=0.035, canary=0.07, ramp=0.35, hours_to_detect=6, hours_to_rollback=1),
    dict(daily_users=2_000, p_baseline=0.60, effect=0.02, canary=0.05, ramp=0.5, hours_to_detect=24, hours_to_rollback=1),
    dict(daily_users=500, p_baseline=0.10, effect=0.01, canary=0.1, ramp=0.6, hours_to_detect=48, hours_to_rollback=4.5),
    dict(daily_users=250_000, p_baseline=0.85, effect=0.05, canary=0.03, ramp=0.25, hours_to_detect=0, hours_to_rollback=0),
    dict(daily_users=20_000, p_baseline=0.45, effect=0.2, canary=0.5, ramp=0.95, hours_to_detect=168, hours_to_rollback=48),
]


@pytest.mark.parametrize("values", SETTINGS)
def test_planner_follows_its_controls(values):
    planner = rollout_planner()
    set_controls(planner, **values)
    check_against_the_functions(planner, **values)
    # and again from those values, one control at a time, back to the defaults
    for name, value in DEFAULTS.items():
        set_controls(planner, **{name: value})
        current = {**values, **{n: DEFAULTS[n] for n in list(DEFAULTS)[: list(DEFAULTS).index(name) + 1]}}
        check_against_the_functions(planner, **current)


def test_planner_built_with_arguments():
    planner = rollout_planner(daily_users=2_000, p_baseline=0.5, effect=0.03)
    check_against_the_functions(planner, **{**DEFAULTS, "daily_users": 2_000, "p_baseline": 0.5, "effect": 0.03})


def test_blast_radius_by_hand():
    planner = rollout_planner()
    set_controls(planner, hours_to_detect=6, hours_to_rollback=1)
    # 20,000 users × 5% × (6 + 1) / 24
    assert planner.blast["Canary"] == pytest.approx(291.6666666666667)
    assert planner.blast["Full"] == pytest.approx(20_000 * 7 / 24)
    # dogfood is the company's staff: a bad release there reaches no customer; shadow mode reaches nobody
    assert "Shadow" not in planner.blast and "Dogfood" not in planner.blast
    dogfood_row = next(row for row in table(planner.report.value) if row[0][0] == "Dogfood")
    assert [text for text, _ in dogfood_row] == ["Dogfood", "staff only", "7", "", "7", "0", "0"]
    canary_row = next(row for row in table(planner.report.value) if row[0][0] == "Canary")
    assert canary_row[-1][0] == "292"


def days_to_detect_cells(planner):
    return {row[0][0]: row[3] for row in table(planner.report.value)[1:]}


def test_days_to_detect_turns_orange_when_the_stage_is_too_short():
    planner = rollout_planner()
    # at 20,000 a day the canary needs 5 of its 14 days and the ramp 1 of 7: nothing flagged
    assert all(WARN not in all_styles(attrs) for _, attrs in days_to_detect_cells(planner).values())
    set_controls(planner, daily_users=2_000)
    needed = {i.stage.title: i for i in planner.items}
    cells = days_to_detect_cells(planner)
    for title, (text, attrs) in cells.items():
        item = needed[title]
        short = item.days_needed is not None and item.days_needed > item.stage.min_days
        assert (WARN in all_styles(attrs)) == short, title
    # the canary needs 50 days, the ramp 10: both flagged, as validate_plan says
    assert cells["Canary"][0] == str(rollout.days_to_detect(2_000, 0.6, -0.02, 0.05)) == "50"
    assert cells["Ramp"][0] == str(rollout.days_to_detect(2_000, 0.6, -0.02, 0.5)) == "10"
    flagged = {t for t, (_, attrs) in cells.items() if WARN in all_styles(attrs)}
    assert flagged == {f.stage for f in rollout.validate_plan(planner.current_plan(), 2_000, 0.6)} == {"Canary", "Ramp"}
    # only the days-to-detect cell is flagged, not the rest of the row
    canary_row = next(row for row in table(planner.report.value) if row[0][0] == "Canary")
    assert [WARN in all_styles(attrs) for _, attrs in canary_row] == [False, False, False, True, False, False, False]
    # back to enough traffic: the flag goes away
    set_controls(planner, daily_users=20_000)
    assert all(WARN not in all_styles(attrs) for _, attrs in days_to_detect_cells(planner).values())


def test_the_orange_is_in_the_style_a_browser_applies():
    planner = rollout_planner(daily_users=2_000)
    text, attrs = days_to_detect_cells(planner)["Canary"]
    assert text == "50"
    assert [name for name, _ in attrs].count("style") == 1
    assert WARN in browser_style(attrs)


def test_an_effect_larger_than_the_baseline_shows_an_error_instead_of_raising():
    planner = rollout_planner()
    set_controls(planner, p_baseline=0.1, effect=0.15)
    assert planner.report.value == "<div style='color:#D55E00'>The drop is bigger than the baseline rate: lower it.</div>"
    set_controls(planner, effect=0.1)  # a drop to exactly 0 is not allowed either
    assert "The drop is bigger than the baseline rate" in planner.report.value
    # a smaller drop brings the table back, computed afresh
    set_controls(planner, effect=0.05)
    check_against_the_functions(planner, **{**DEFAULTS, "p_baseline": 0.1, "effect": 0.05})


def test_a_planner_that_starts_with_too_large_a_drop_does_not_raise():
    planner = rollout_planner(p_baseline=0.1, effect=0.15)
    assert "The drop is bigger than the baseline rate" in planner.report.value
    assert planner.items is None and planner.blast == {}
    assert "0 days to full launch" in repr(planner)
    set_controls(planner, p_baseline=0.6)
    check_against_the_functions(planner, **{**DEFAULTS, "effect": 0.15})


def test_the_planner_signs_each_gate_the_harmful_way():
    planner = rollout_planner()
    gates = [g for s in planner.current_plan().stages for g in s.gates if g.effect is not None and g.layer != "offline"]
    assert {g.metric for g in gates} >= {"task_success", "escalation_rate"}
    for gate in gates:
        assert (gate.effect > 0) == (gate.metric == "escalation_rate"), gate


def two_ramp_plan():
    """The lesson's plan with a 25% ramp before its 50% one."""
    data = rollout.plan_to_dict(rollout.example_plan())
    first = {**data["stages"][3], "traffic_share": 0.25}
    data["stages"].insert(3, first)
    return data


def test_a_plan_that_ramps_to_25_then_50_shows_each_ramp_at_its_own_share():
    planner = RolloutPlanner(two_ramp_plan())
    ramps = [w for i, w in planner.shares.items() if planner.plan.stages[i].kind == "ramp"]
    assert [w.description for w in ramps] == ["Ramp 1 share:", "Ramp 2 share:"]
    assert [w.value for w in ramps] == [0.25, 0.5]
    rows = {row[0][0]: [text for text, _ in row] for row in table(planner.report.value)[1:]}
    assert rows["Ramp 1"][1] == "25%" and rows["Ramp 2"][1] == "50%"
    # each ramp's exposure and blast radius at its own share: 20,000 × 25% × 7 days, 20,000 × 50% × 7 days
    assert rows["Ramp 1"][5] == f"{20_000 * 0.25 * 7:,.0f}" and rows["Ramp 2"][5] == f"{20_000 * 0.5 * 7:,.0f}"
    assert planner.blast["Ramp 1"] == pytest.approx(20_000 * 0.25 * 25 / 24)
    assert planner.blast["Ramp 2"] == pytest.approx(20_000 * 0.5 * 25 / 24)
    assert planner.total_days == 7 + 7 + 14 + 7 + 7 + 1
    # moving one ramp moves that ramp only
    ramps[0].value = 0.3
    assert [s.traffic_share for s in planner.current_plan().stages if s.kind == "ramp"] == [0.3, 0.5]
    assert planner.blast["Ramp 1"] == pytest.approx(20_000 * 0.3 * 25 / 24)
    assert planner.blast["Ramp 2"] == pytest.approx(20_000 * 0.5 * 25 / 24)
    # the first ramp above the second is out of order, and says so instead of raising
    ramps[0].value = 0.7
    assert "Ramp 2 (50%) exposes fewer users than Ramp 1 before it (70%)" in planner.report.value


def test_a_plan_with_one_ramp_keeps_the_plain_labels():
    planner = rollout_planner()
    assert [w.description for w in planner.shares.values()] == ["Canary share:", "Ramp share:"]
    assert planner.canary is planner.shares[2] and planner.ramp is planner.shares[3]
    assert [s.title for s in planner.current_plan().stages] == ["Shadow", "Dogfood", "Canary", "Ramp", "Full"]
