"""Thin ipywidgets front ends over the package's pure functions (lesson 00 onwards).

Widgets hold no logic: a callback reads the controls, calls a pure function and writes the
result into a Label or HTML value. Tests drive them by setting ``slider.value``.

Their charts are SVG drawn with ``plots.SvgPanel``: the axis names, tick values and colours of
the lesson figure each one mirrors (see ``plots``), text and axes in the page's text colour so
they read in JupyterLab's dark theme too. ``still(widget)`` and ``still_for(cell source)`` give a
page without a kernel (the course site) a picture of a widget and a sentence on what moving it does.
"""

from __future__ import annotations

import ast

import ipywidgets as widgets

from . import validation
from .palette import BORDER, FAINT, INK, PATTERN_COLOURS, ROLES, STAGE_COLOURS, TEXT, VERDICT_COLOURS, ZONE_COLOURS

__all__ = [
    "widget_check",
    "ScorecardExplorer",
    "scorecard_explorer",
    "ThresholdExplorer",
    "threshold_explorer",
    "ZoneExplorer",
    "zone_explorer",
    "CostExplorer",
    "cost_explorer",
    "RolloutPlanner",
    "rollout_planner",
    "DrillPractice",
    "drill_practice",
    "SelfScorer",
    "self_scorer",
    "still",
    "still_for",
]


def widget_check() -> widgets.VBox:
    """Return a slider and a label that doubles its value: if it moves, widgets work here."""
    slider = widgets.IntSlider(value=3, min=0, max=10, description="Move me:", continuous_update=True)
    result = widgets.Label()

    def update(_change=None) -> None:
        result.value = f"Twice {slider.value} is {2 * slider.value}."

    slider.observe(update, names="value")
    update()
    box = widgets.VBox([slider, result])
    box.slider, box.result = slider, result  # handles for tests and curious learners
    return box


class ScorecardExplorer(widgets.VBox):
    """The feasibility scorecard as six sliders; the score, verdict and bars update as they move."""

    def __init__(self, ratings: dict[str, int] | None = None) -> None:
        from .briefs import FEASIBILITY_DIMENSIONS
        from .plots import dimension_label

        from .briefs import _check_rating

        start = {d.name: 3 for d in FEASIBILITY_DIMENSIONS}
        for name, value in (ratings or {}).items():
            if name not in start:
                raise ValueError(f"unknown dimension {name!r}; the dimensions are {', '.join(start)}")
            start[name] = _check_rating(name, value)
        self.sliders = {
            d.name: widgets.IntSlider(
                value=start[d.name],
                min=1,
                max=5,
                description=dimension_label(d.name) + (" (inverted)" if d.inverted else ""),
                tooltip=d.question,
                style={"description_width": "230px"},
                layout=widgets.Layout(width="480px"),
                continuous_update=True,
            )
            for d in FEASIBILITY_DIMENSIONS
        }
        self.questions = widgets.HTML(
            "<details><summary>What each rating means</summary>"
            + "<br>".join(f"<b>{dimension_label(d.name)}</b>: {d.question}" for d in FEASIBILITY_DIMENSIONS)
            + "<br>An inverted dimension counts against the idea when rated high (it scores 6 − rating)."
            + "<br><b>Knock-outs:</b> " + " or ".join(f"{dimension_label(d.name).lower()} rated {d.worst}" for d in FEASIBILITY_DIMENSIONS if d.knockout)
            + " makes the verdict RED whatever the total.</details>"
        )
        self.score_label = widgets.HTML()
        self.chart = widgets.HTML()
        self.result = None
        for slider in self.sliders.values():
            slider.observe(self._update, names="value")
        super().__init__(
            [widgets.HBox([widgets.VBox(list(self.sliders.values())), self.chart]), self.score_label, self.questions]
        )
        self._update()

    def _update(self, _change=None) -> None:
        from .briefs import feasibility_score

        self.result = feasibility_score(**{name: s.value for name, s in self.sliders.items()})
        self.score_label.value = _verdict_html(self.result)
        self.chart.value = _contribution_bars_svg(self.result)

    def __repr__(self) -> str:  # the plain-text form stored in notebooks: short and readable
        return f"ScorecardExplorer({self.result})"


def _badge(word: str, colour: str) -> str:
    return f"<span style='background:{colour};color:{TEXT['on_badge']};padding:1px 8px;border-radius:3px'>{word}</span>"


def _verdict_html(result) -> str:
    from .plots import dimension_label

    knocked = ", ".join(f"{dimension_label(name).lower()} rated {result.ratings[name]}" for name in result.knockouts)
    knockout = (f"<div><b>Knock-out:</b> {knocked}. The total alone would say {result.score_verdict}.</div>" if knocked else "")
    return (
        f"<div style='font-size:1.15em'><b>Score: {result.score:.1f} / 100</b> {_badge(result.verdict, VERDICT_COLOURS[result.verdict])}"
        f"</div>{knockout}<div>{result.guidance}</div>"
    )


def _contribution_bars_svg(result) -> str:
    """Each dimension's points as a bar over the most it can add, as in ``plots.feasibility_chart``."""
    from .briefs import FEASIBILITY_DIMENSIONS, RAW_MAX, RAW_MIN
    from .plots import SvgPanel, axis_label, dimension_label, nice_ticks, svg_document

    dims = FEASIBILITY_DIMENSIONS
    most = [d.weight * 4 * 100 / (RAW_MAX - RAW_MIN) for d in dims]
    names = [dimension_label(d.name) + (" (inverted)" if d.inverted else "") for d in dims]
    rows = len(dims)
    left = 20 + 6.2 * max(map(len, names))
    panel = SvgPanel(left, 34, 250, 26 * rows, xlim=(0, max(most) * 1.45), ylim=(-0.5, rows - 0.5))
    colour = VERDICT_COLOURS[result.verdict]
    title = f"{result.score:.1f}/100, {result.verdict}{' by knock-out' if result.knockouts else ''}"
    parts = [panel.axes(nice_ticks(0, max(most)), axis_label("feasibility_points"), title=title,
                        categories=[(rows - 1 - i, n) for i, n in enumerate(names)])]
    for i, (dim, top) in enumerate(zip(dims, most)):
        y, points = rows - 1 - i, result.contributions[dim.name]
        parts.append(panel.bar(0, top, y - 0.3, y + 0.3, INK, "track", opacity=FAINT))
        parts.append(panel.bar(0, points, y - 0.3, y + 0.3, colour, "points", tip=f"{names[i]}: {points:.1f} of {top:.1f}"))
        knocked = " knock-out" if dim.name in result.knockouts else ""
        parts.append(panel.label(top, y, f"{points:.1f} of {top:.1f}{knocked}", "bar-value", dx=5, dy=4))
    parts.append(panel.legend([("most it can add", INK, "faint"), ("points this idea gets", colour, "box")]))
    return svg_document(_chart("scorecard", *parts), left + 250 + 90, panel.bottom + 50 + 2 * 16, "Points per dimension of the feasibility score")


def scorecard_explorer(**ratings: int) -> ScorecardExplorer:
    """Return the interactive feasibility scorecard, starting from the given ratings (lesson 01)."""
    return ScorecardExplorer(ratings)


# --------------------------------------------------------------------------------------------
# Lesson 02: the threshold explorer
# --------------------------------------------------------------------------------------------


def _chart(name: str, *parts: str) -> str:
    """One chart of a widget's SVG, as a group a test or a style sheet can find."""
    return f"<g class='chart chart-{name}'>" + "".join(parts) + "</g>"


def _amount(value: float) -> str:
    """A cost as people write it: 3 significant figures below 100, whole numbers with commas above."""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def _downsample(n: int, most: int = 400):
    import numpy as np

    return np.unique(np.linspace(0, n - 1, min(n, most)).astype(int))


class ThresholdExplorer(widgets.VBox):
    """A threshold slider over a scenario: the confusion matrix, precision, recall, alerts and
    cost a day, and the markers on the precision–recall and cost curves move together (lesson 02).
    """

    # the two charts' plot areas, in pixels: (left, top, width, height)
    PR_AREA, COST_AREA = (70, 34, 280, 200), (450, 34, 280, 200)
    WIDTH = 800

    def __init__(self, scenario: str = "card_fraud", seed: int = 0, scenarios: dict | None = None) -> None:
        from . import scenarios as scenario_module

        if scenarios is None:
            scenarios = {name: make(seed=seed) for name, make in scenario_module.SCENARIO_NAMES.items()}
        if not isinstance(scenario, str) or scenario not in scenarios:
            raise validation.fail("scenario", scenario, f"one of {', '.join(map(repr, scenarios))}")
        self.scenarios = scenarios
        self.scenario_menu = widgets.Dropdown(
            options=[(s.title, key) for key, s in scenarios.items()], value=scenario, description="Scenario:"
        )
        self.threshold = widgets.FloatLogSlider(
            # four significant figures: 0.009248 and 3.000e-12 both readable (".4f" showed 0.0000)
            value=0.01, base=10, min=-4, max=0, step=0.01, description="Threshold:", readout_format=".4g",
            continuous_update=True, layout=widgets.Layout(width="520px"),
        )
        self.cost_fp = widgets.BoundedFloatText(value=1.0, min=0, max=1e9, description="False alarm costs:", style={"description_width": "140px"})
        self.cost_fn = widgets.BoundedFloatText(value=1.0, min=0, max=1e9, description="A miss costs:", style={"description_width": "140px"})
        self.cases_per_day = widgets.BoundedIntText(value=1, min=1, max=10**9, description="Cases a day:", style={"description_width": "140px"})
        self.matrix = widgets.HTML()
        self.metrics = widgets.HTML()
        self.curves = widgets.HTML()
        self.counts = None
        self._loading = False
        self.scenario_menu.observe(self._load, names="value")
        for control in (self.threshold, self.cost_fp, self.cost_fn, self.cases_per_day):
            control.observe(self._update, names="value")
        super().__init__(
            [
                widgets.HBox([self.scenario_menu, self.threshold]),
                widgets.HBox([self.cost_fp, self.cost_fn, self.cases_per_day]),
                widgets.HBox([self.matrix, self.metrics]),
                self.curves,
            ]
        )
        self._load()

    # -- data -----------------------------------------------------------------------------
    def _load(self, _change=None) -> None:
        import numpy as np

        from .thresholds import SortedScores, best_threshold, confusion_table

        data = self.scenarios[self.scenario_menu.value]
        self.data = data
        self.sorted = SortedScores(data.y_true, data.scores)
        self.table = confusion_table(data.y_true, data.scores)
        self._loading = True  # set every control, then draw once
        self.cost_fp.value, self.cost_fn.value = data.cost_fp, data.cost_fn
        self.cases_per_day.value = data.cases_per_day
        best = best_threshold(data.y_true, data.scores, data.cost_fp, data.cost_fn, resamples=0).threshold
        # Reach the cheapest threshold even when it is tiny (extreme scores), at most down to 1e-12.
        low = -4 if best >= 1e-4 else max(-12, int(np.floor(np.log10(max(best, 1e-12)))))
        self.threshold.min = low
        self.threshold.value = min(max(best, 10.0**low), 1.0)
        self.cost_fp.description = f"False alarm ({data.cost_unit}):"
        self.cost_fn.description = f"A miss ({data.cost_unit}):"
        self._loading = False
        self._update()

    def _update(self, _change=None) -> None:
        if self._loading:
            return
        counts = self.sorted.counts_at(self.threshold.value)
        self.counts = counts
        self.matrix.value = self._matrix_html(counts)
        self.metrics.value = self._metrics_html(counts)
        self.curves.value = self._curves_svg(counts)

    # -- what the learner reads -----------------------------------------------------------
    @property
    def alerts_per_day(self) -> float:
        return self.counts.flagged / self.counts.n * self.cases_per_day.value

    @property
    def cost_per_day(self) -> float:
        return self.counts.cost_per_case(self.cost_fp.value, self.cost_fn.value) * self.cases_per_day.value

    def _matrix_html(self, c) -> str:
        cell = f"padding:4px 10px;border:1px solid {BORDER};text-align:right"
        return (
            "<table style='border-collapse:collapse;margin-right:24px'>"
            f"<tr><th></th><th style='{cell}'>flagged</th><th style='{cell}'>not flagged</th></tr>"
            f"<tr><th style='{cell}'>truly positive</th><td style='{cell}'>{c.tp:,}</td><td style='{cell}'>{c.fn:,}</td></tr>"
            f"<tr><th style='{cell}'>truly negative</th><td style='{cell}'>{c.fp:,}</td><td style='{cell}'>{c.tn:,}</td></tr>"
            "</table>"
        )

    def _metrics_html(self, c) -> str:
        unit = self.data.cost_unit
        capacity = self.data.review_capacity_per_day
        over = self.alerts_per_day > capacity
        note = (
            f"<span style='color:{TEXT['warning']}'>over the reviewers' capacity of {capacity:,} a day</span>"
            if over
            else f"within the reviewers' capacity of {capacity:,} a day"
        )
        return (
            f"<div>Precision: <b>{c.precision:.1%}</b> of alerts are real</div>"
            f"<div>Recall: <b>{c.recall:.1%}</b> of positives caught</div>"
            f"<div>Alerts a day: <b>{self.alerts_per_day:,.0f}</b> ({note})</div>"
            f"<div>Expected cost a day: <b>{self.cost_per_day:,.0f} {unit}</b></div>"
        )

    def _curves_svg(self, c) -> str:
        """The precision–recall and cost curves with the threshold marked (as ``plots.pr_roc_plot`` and
        ``plots.cost_curve_plot`` draw them). A curve is drawn once for its scenario (and costs); a
        slider move redraws only the markers and their values."""
        from .plots import svg_document

        low = self.threshold.min  # log10 of the slider's lowest threshold
        if getattr(self, "_pr_key", None) != id(self.table):
            self._pr, self._pr_key = self._pr_curve(), id(self.table)
        cost_key = (id(self.table), self.cost_fp.value, self.cost_fn.value, low)
        if getattr(self, "_cost_key", None) != cost_key:
            self._cost, self._cost_key = self._cost_curve(low), cost_key
        (pr_static, pr), (cost_static, cost) = self._pr, self._cost
        unit, t = self.data.cost_unit, c.threshold
        per_case = c.cost_per_case(self.cost_fp.value, self.cost_fn.value)
        marker, legend_top = ROLES["choice"], pr.bottom + 50
        pr_text = f"threshold {t:.3g}: precision {c.precision:.1%}, recall {c.recall:.1%}"
        cost_text = f"threshold {t:.3g}: {_amount(per_case)} {unit} a case, {self.cost_per_day:,.0f} a day"
        body = (
            _chart("pr", pr_static, pr.marker(c.recall, c.precision, marker, "marker-pr"),
                   pr.legend([(pr_text, marker, "dot", "marker-value")], legend_top + 16))
            + _chart("cost", cost_static, cost.vline(t, marker, "marker-line", dash="2 2"), cost.marker(t, per_case, marker, "marker-cost"),
                     cost.legend([(cost_text, marker, "dot", "marker-value")], legend_top + 32))
        )
        return svg_document(body, self.WIDTH, legend_top + 40, f"{self.data.title}: precision–recall and cost curves")

    def _pr_curve(self):
        """The precision–recall chart without its marker: axes, the curve at a few hundred thresholds
        (even in cases and in recall; the first row, +inf, flags nothing and has no precision)."""
        import numpy as np

        from .plots import SvgPanel, axis_label, nice_ticks

        table, pr, measured = self.table, SvgPanel(*self.PR_AREA), ROLES["measured"]
        last = len(table.thresholds) - 2
        by_recall = np.minimum(np.searchsorted(table.recall[1:], np.linspace(0, 1, 200)), last)
        keep = np.unique(np.r_[_downsample(last + 1), by_recall]) + 1
        static = (
            pr.axes(nice_ticks(0, 1), axis_label("recall"), nice_ticks(0, 1), axis_label("precision"), "Precision–recall curve")
            + pr.line(table.recall[keep], table.precision[keep], measured, "curve-pr", width=2)
            + pr.legend([("all thresholds", measured, "line")], pr.bottom + 50)
        )
        return static, pr

    def _cost_curve(self, low: float):
        """The cost chart without its marker: axes in the scenario's money, the expected cost per case
        at log-spaced thresholds from 10**low to 1, and the cheapest threshold on the data."""
        import numpy as np

        from .plots import SvgPanel, axis_label, log_ticks, nice_ticks
        from .thresholds import ThresholdTable

        table, unit = self.table, self.data.cost_unit
        grid = np.geomspace(10.0**low, 1.0, 300)
        rows = np.searchsorted(-table.thresholds, -grid, side="right") - 1  # the lowest distinct score at or above each
        sample = ThresholdTable(table.thresholds[rows], table.tp[rows], table.fp[rows], table.fn[rows], table.tn[rows])
        costs = sample.cost_per_case(self.cost_fp.value, self.cost_fn.value)
        best = float(table.thresholds[int(np.argmin(table.cost_per_case(self.cost_fp.value, self.cost_fn.value)))])
        yticks = nice_ticks(0, float(costs.max()))
        cost = SvgPanel(*self.COST_AREA, xlim=(10.0**low, 1.0), ylim=(0, yticks[-1]), xlog=True)
        shown = bool(np.isfinite(best) and 10.0**low <= best <= 1)
        where = "" if shown else (" (off the chart)" if np.isfinite(best) else "")
        best_text = f"cheapest on the data: {best:.3g}{where}" if np.isfinite(best) else "cheapest on the data: flag nothing"
        measured, cheapest = ROLES["measured"], ROLES["best"]
        static = (
            cost.axes(log_ticks(10.0**low, 1.0), axis_label("threshold"), yticks, axis_label("cost_per_case", unit=unit), "What each threshold costs")
            + cost.line(grid, costs, measured, "curve-cost", width=2)
            + (cost.vline(best, cheapest, "cheapest") if shown else "")
            + cost.legend([("expected cost per case", measured, "line"), (best_text, cheapest, "line")], cost.bottom + 50)
        )
        return static, cost

    def __repr__(self) -> str:
        c = self.counts
        return (
            f"ThresholdExplorer({self.data.title}, threshold {c.threshold:.4g}: precision {c.precision:.1%}, "
            f"recall {c.recall:.1%}, {self.alerts_per_day:,.0f} alerts a day, cost {self.cost_per_day:,.0f} {self.data.cost_unit} a day)"
        )


def threshold_explorer(scenario: str = "card_fraud", seed: int = 0) -> ThresholdExplorer:
    """Return the interactive threshold explorer over the lesson's scenarios (lesson 02)."""
    return ThresholdExplorer(scenario, seed)


# --------------------------------------------------------------------------------------------
# Lesson 03: the zone explorer
# --------------------------------------------------------------------------------------------


def _seat_floor(staffing) -> str:
    """The opening hours' minimum when the workload is below it: one seat filled every open day."""
    seat = staffing.days_open / staffing.days_worked / (1 - staffing.shrinkage)
    return f", but at least <b>{seat:.1f}</b> to keep one seat filled every day" if staffing.fte < seat else ""


class ZoneExplorer(widgets.VBox):
    """Two thresholds split cases into served / served with a caveat / sent to a person; shares,
    the served error rate with its upper bound, review work, the people it takes, and cost a day
    update together, next to the cheapest pair that keeps the budget (lesson 03).

    Confirming a caveat takes a person's seconds and is sometimes waved through: two more sliders
    price both (for scenarios where nobody confirms, such as recommendations, they start at 0).
    """

    # where people confirm caveats: 15 seconds each, and 30% of wrong suggestions confirmed anyway (an assumption to measure)
    CONFIRMATION = {"support_tickets": (15.0, 0.30)}

    def __init__(self, scenario: str = "support_tickets", seed: int = 0, max_error_rate: float | None = None) -> None:
        from . import scenarios

        if not isinstance(scenario, str) or scenario not in scenarios.CONFIDENCE_SCENARIOS:
            raise validation.fail("scenario", scenario, f"one of {', '.join(map(repr, scenarios.CONFIDENCE_SCENARIOS))}")
        self.data = scenarios.CONFIDENCE_SCENARIOS[scenario](seed=seed)
        self.max_error_rate = self.data.suggested_budget if max_error_rate is None else max_error_rate
        style = {"description_width": "170px"}
        layout = widgets.Layout(width="520px")
        seconds, slip = self.CONFIRMATION.get(scenario, (0.0, 0.0))
        self.caveat = widgets.FloatSlider(value=0.9, min=0, max=1, step=0.005, description="Caveat below:", style=style, layout=layout, readout_format=".3f")
        self.human = widgets.FloatSlider(value=0.6, min=0, max=1, step=0.005, description="Send to a person below:", style=style, layout=layout, readout_format=".3f")
        self.seconds = widgets.FloatSlider(value=seconds, min=0, max=60, step=1, description="Seconds to confirm a caveat:", style=style, layout=layout, readout_format=".0f")
        self.slip = widgets.FloatSlider(value=slip, min=0, max=1, step=0.05, description="Wrong caveats confirmed:", style=style, layout=layout, readout_format=".0%")
        self.report = widgets.HTML()
        self.verdict = widgets.HTML()
        self.advice = widgets.HTML()
        self.chart = widgets.HTML()
        self.result = None
        self.cheapest = None
        self._cheapest_key = None
        self.caveat.observe(self._caveat_moved, names="value")
        self.human.observe(self._human_moved, names="value")
        for control in (self.seconds, self.slip):
            control.observe(lambda _change: self._update(), names="value")
        super().__init__([self.caveat, self.human, self.seconds, self.slip, self.verdict, self.report, self.advice, self.chart])
        self._update()

    # keep the order: the person threshold never above the caveat threshold
    def _caveat_moved(self, change) -> None:
        if self.human.value > change["new"]:
            self.human.value = change["new"]  # triggers its own update
        else:
            self._update()

    def _human_moved(self, change) -> None:
        if change["new"] > self.caveat.value:
            self.caveat.value = change["new"]
        else:
            self._update()

    def policy_terms(self) -> dict:
        """The scenario's volumes and prices and the confirmation sliders, as ``zone_policy`` takes them."""
        d = self.data
        return dict(
            cases_per_day=d.cases_per_day, cost_error_served=d.cost_error_served, cost_error_caveat=d.cost_error_caveat,
            cost_per_review=d.cost_per_review, minutes_per_review=d.minutes_per_review,
            seconds_per_confirmation=self.seconds.value, slip_through_rate=self.slip.value,
            cost_per_hour=d.cost_per_review * 60 / d.minutes_per_review if d.minutes_per_review else 0.0,
        )

    def _update(self) -> None:
        from .uncertainty import cheapest_zones, reviewer_fte, zone_policy

        d, terms = self.data, self.policy_terms()
        r = zone_policy(d.correct, d.confidence, self.caveat.value, self.human.value, **terms)
        key = (self.seconds.value, self.slip.value)
        if key != self._cheapest_key:  # the grid search reruns only when the prices change
            self.cheapest, self._cheapest_key = cheapest_zones(d.correct, d.confidence, self.max_error_rate, **terms), key
        self.result = r
        self.staffing = reviewer_fte(r.human_cases_per_day, d.minutes_per_review)
        self.verdict.value = _zone_verdict(r, self.max_error_rate)
        confirming = (
            f"<div>Confirming caveats: <b>{r.confirmation_hours_per_day:.1f} h</b> of people's time a day "
            f"({r.shares['caveat'] * d.cases_per_day:,.0f} answers × {self.seconds.value:.0f} s)</div>" if self.seconds.value > 0 else ""
        )
        self.report.value = (
            f"<div>Served: <b>{r.shares['served']:.1%}</b> · with a caveat: <b>{r.shares['caveat']:.1%}</b> · "
            f"to a person: <b>{r.shares['human']:.1%}</b></div>"
            f"<div>Error rate with a caveat: <b>{r.error_rates['caveat']:.1%}</b> (outside the budget, which covers "
            "answers served without one)</div>"
            f"<div>Wrong answers reaching users, of all cases: <b>{r.overall_error_rate:.1%}</b></div>"
            + confirming
            + f"<div>Review work: <b>{r.review_hours_per_day:.1f} h</b> a day ({r.human_cases_per_day:,.0f} cases); "
            f"a 7-day desk needs <b>{self.staffing.fte:.1f}</b> full-time people for the work{_seat_floor(self.staffing)}</div>"
            f"<div>Cost a day: <b>${r.cost_per_day:,.0f}</b></div>"
        )
        self.advice.value = _cheapest_text(self.cheapest, self.max_error_rate)
        self.chart.value = _zone_svg(r)

    def __repr__(self) -> str:
        r = self.result
        bound = "nothing served" if r.nothing_served else f"upper bound {r.served_upper_bound:.2%} vs budget {self.max_error_rate:.0%}"
        return (
            f"ZoneExplorer({self.data.title}: served {r.shares['served']:.1%}, caveat {r.shares['caveat']:.1%}, "
            f"person {r.shares['human']:.1%}; {bound}; {r.review_hours_per_day:.1f} h of reviews a day; ${r.cost_per_day:,.0f} a day)"
        )


def _zone_verdict(r, budget: float) -> str:
    if r.nothing_served:
        return (
            f"<div style='font-size:1.1em'><b>Budget {budget:.0%}:</b> {_badge('NOTHING SERVED', ROLES['reference'])} "
            "every answer gets a caveat or goes to a person, so the budget has nothing to judge</div>"
        )
    badge = _badge("MET", ROLES["best"]) if r.meets(budget) else _badge("NOT MET", ROLES["warning"])
    return (
        f"<div style='font-size:1.1em'><b>Budget {budget:.0%}:</b> {badge} "
        f"served error rate {r.error_rates['served']:.2%}, upper bound {r.served_upper_bound:.2%} (95% confidence)</div>"
    )


def _cheapest_text(best, budget: float) -> str:
    where = "serves nothing" if best.nothing_served else f"serves {best.shares['served']:.0%} within the {budget:.0%} budget"
    return (
        f"<div>Cheapest pair on a 0.01 grid: <b>caveat below {best.caveat_threshold:.2f}, person below {best.human_threshold:.2f}</b>, "
        f"${best.cost_per_day:,.0f} a day; it {where}</div>"
    )


ZONE_OF_PART = {"errors served": "served", "errors with a caveat": "caveat", "confirming caveats": "caveat", "reviews by people": "human"}


def _zone_svg(r) -> str:
    """Where the cases go and what each part costs a day, as ``plots.zone_plot`` draws them."""
    from .plots import SvgPanel, axis_label, nice_ticks, svg_document

    shares = SvgPanel(20, 40, 300, 36)
    share_parts = [shares.axes(nice_ticks(0, 1), axis_label("share_of_cases"), title="Where the cases go")]
    edge, legend = 0.0, []
    for zone, colour in ZONE_COLOURS.items():
        share = r.shares[zone]
        text = f"{zone}: {share:.0%} (error {r.error_rates[zone]:.0%})"
        share_parts.append(shares.bar(edge, edge + share, 0.15, 0.85, colour, f"zone-{zone}", tip=text))
        legend.append((text, colour, "box"))
        edge += share
    share_parts.append(shares.legend(legend))
    names, values = list(r.cost_parts), list(r.cost_parts.values())
    ticks = nice_ticks(0, max(values + [1]))
    costs = SvgPanel(480, 40, 230, 24 * len(names), xlim=(0, max(values + [1]) * 1.4), ylim=(-0.5, len(names) - 0.5))
    parts = [costs.axes(ticks, axis_label("cost_a_day", unit="USD"), title=f"${r.cost_per_day:,.0f} a day; {r.review_hours_per_day:.1f} h of reviews",
                        categories=[(len(names) - 1 - i, n) for i, n in enumerate(names)])]
    for i, (name, value) in enumerate(zip(names, values)):
        y, colour = len(names) - 1 - i, ZONE_COLOURS[ZONE_OF_PART.get(name, "caveat")]
        parts.append(costs.bar(0, value, y - 0.35, y + 0.35, colour, "cost-part", tip=f"{name}: ${value:,.0f} a day"))
        parts.append(costs.label(value, y, f"${value:,.0f}", "bar-value", dx=4, dy=4))
    heading = f"<text class='marker-value' x='20' y='14'>caveat below {r.caveat_threshold:.3f}, person below {r.human_threshold:.3f}</text>"
    height = max(shares.bottom + 50 + 3 * 16, costs.bottom + 46)
    body = heading + _chart("shares", *share_parts) + _chart("zone-costs", *parts)
    return svg_document(body, 780, height, "Where the cases go and what it costs a day")


def zone_explorer(scenario: str = "support_tickets", seed: int = 0) -> ZoneExplorer:
    """Return the interactive three-zone explorer (lesson 03)."""
    return ZoneExplorer(scenario, seed)


# --------------------------------------------------------------------------------------------
# Lesson 04: the cost explorer
# --------------------------------------------------------------------------------------------


class CostExplorer(widgets.VBox):
    """Sliders for volume, tokens, prices and months; the four patterns' cost lines (prompt only,
    RAG, fine-tuned, and RAG on the fine-tuned model), the RAG/fine-tuned break-even and the
    cheapest option update together (lesson 04).
    """

    AREA = (80, 34, 470, 220)  # the plot area in pixels: left, top, width, height
    WIDTH = 620

    def __init__(self, inputs=None) -> None:
        from .costs import CostInputs

        self.base = CostInputs() if inputs is None else inputs
        if not isinstance(self.base, CostInputs):
            raise ValueError(f"inputs must be CostInputs(...), got {self.base!r}")
        style = {"description_width": "190px"}
        layout = widgets.Layout(width="470px")
        b = self.base
        self.controls = {
            # a slider over chosen volumes: a log slider would round 5,000 to 5,012 in the browser
            "queries_per_day": widgets.SelectionSlider(options=self._volumes(b.queries_per_day), value=float(b.queries_per_day), description="Queries a day:", style=style, layout=layout),
            "months": widgets.IntSlider(value=int(b.months), min=1, max=36, description="Months (horizon):", style=style, layout=layout),
            "prompt_tokens": widgets.IntSlider(value=int(b.prompt_tokens), min=0, max=5_000, step=50, description="Prompt tokens:", style=style, layout=layout),
            "retrieved_tokens": widgets.IntSlider(value=int(b.retrieved_tokens), min=0, max=10_000, step=100, description="Retrieved tokens (RAG):", style=style, layout=layout),
            "output_tokens": widgets.IntSlider(value=int(b.output_tokens), min=0, max=2_000, step=25, description="Output tokens:", style=style, layout=layout),
            "large_in": widgets.FloatSlider(value=b.large_in, min=0, max=20, step=0.05, description="Large model in ($/1M):", style=style, layout=layout),
            "large_out": widgets.FloatSlider(value=b.large_out, min=0, max=80, step=0.1, description="Large model out ($/1M):", style=style, layout=layout),
            "small_in": widgets.FloatSlider(value=b.small_in, min=0, max=20, step=0.05, description="Fine-tuned in ($/1M):", style=style, layout=layout),
            "small_out": widgets.FloatSlider(value=b.small_out, min=0, max=80, step=0.1, description="Fine-tuned out ($/1M):", style=style, layout=layout),
            "rag_monthly": widgets.IntSlider(value=int(b.rag_monthly), min=0, max=10_000, step=50, description="RAG monthly cost ($):", style=style, layout=layout),
            "ft_retrain_cost": widgets.IntSlider(value=int(b.ft_retrain_cost), min=0, max=50_000, step=500, description="Cost of a retrain ($):", style=style, layout=layout),
            "ft_retrain_every": widgets.IntSlider(value=int(b.ft_retrain_every), min=1, max=24, description="Months between retrains:", style=style, layout=layout),
        }
        self._fit_ranges(b)
        self.prices_note = widgets.HTML(_starting_prices_note(b))
        self.summary = widgets.HTML()
        self.chart = widgets.HTML()
        self.result = None
        self.break_even = None
        for control in self.controls.values():
            control.observe(self._update, names="value")
        controls = list(self.controls.values())
        super().__init__([widgets.HBox([widgets.VBox(controls[:6]), widgets.VBox(controls[6:])]), self.prices_note, self.summary, self.chart])
        self._update()

    def _fit_ranges(self, b) -> None:
        """Widen a slider when a starting assumption lies beyond it, so the explorer shows exactly
        the assumptions given (a slider would otherwise quietly clip them)."""
        import math

        if b.months != int(b.months):
            raise ValueError(f"months must be a whole number for the explorer, got {b.months!r}")
        for name, control in self.controls.items():
            if name == "queries_per_day":
                continue  # its stops include the starting volume
            wanted = getattr(b, name)
            if wanted > control.max:
                control.max = int(math.ceil(wanted)) if isinstance(control, widgets.IntSlider) else wanted
            if isinstance(control, widgets.IntSlider) and wanted != int(wanted):
                raise ValueError(f"{name} must be a whole number for the explorer, got {wanted!r}")
            control.value = wanted

    VOLUMES = (100, 200, 500, 1_000, 2_000, 3_000, 5_000, 8_000, 10_000, 15_000, 20_000, 30_000, 50_000, 80_000,
               100_000, 200_000, 500_000, 1_000_000)

    @classmethod
    def _volumes(cls, *extra: float) -> list[tuple[str, float]]:
        values = sorted({float(v) for v in (*cls.VOLUMES, *extra)})
        return [(f"{v:,.0f}" if v == int(v) else f"{v:,.1f}", v) for v in values]

    def set_volume(self, queries_per_day: float) -> None:
        """Show any daily volume, adding it to the slider's stops if it is not one of them."""
        volume = self.controls["queries_per_day"]
        if float(queries_per_day) not in [v for _, v in volume.options]:
            validation.real("queries_per_day", queries_per_day, low=1, allowed="a number of queries, at least 1")
            volume.options = self._volumes(*[v for _, v in volume.options], queries_per_day)
        volume.value = float(queries_per_day)

    def inputs(self):
        """The assumptions as the sliders set them."""
        values = {name: c.value for name, c in self.controls.items()}
        return self.base.with_(**values)

    def _update(self, _change=None) -> None:
        from .costs import break_even_between, compare

        self.result = compare(self.inputs(), combined=True)
        p = self.result.patterns
        self.break_even = break_even_between(p["rag"], p["fine_tuned"], self.result.inputs.months)
        self.summary.value = self._summary_html()
        self.chart.value = self._chart_svg()

    def _summary_html(self) -> str:
        r = self.result
        cell = f"padding:3px 10px;border-bottom:1px solid {BORDER};text-align:right"
        rows = "".join(
            f"<tr><td style='{cell};text-align:left'>{p.name}</td><td style='{cell}'>${p.per_query:.5f}</td>"
            f"<td style='{cell}'>${r.totals[k]:,.0f}</td><td style='{cell}'>{p.success_rate:.0%}</td><td style='{cell}'>${r.per_success[k]:.4f}</td></tr>"
            for k, p in r.patterns.items()
        )
        volume = r.inputs.queries_per_day
        if self.break_even.never:
            crossing = "RAG and fine-tuned never cost the same here: " + self.break_even.reason.split(": ", 1)[1]
        else:
            per_day = self.break_even.per_day
            side = self.break_even.cheaper_below if volume < per_day else self.break_even.cheaper_above
            crossing = (
                f"RAG and fine-tuned cost the same at <b>{per_day:,.0f} queries a day</b>; at your "
                f"{volume:,.0f} a day, <b>{side}</b> is the cheaper of the two."
            )
        return (
            "<table style='border-collapse:collapse'>"
            f"<tr><th style='{cell};text-align:left'>pattern</th><th style='{cell}'>per query</th>"
            f"<th style='{cell}'>total over {r.inputs.months:g} month{'s' if r.inputs.months != 1 else ''}</th>"
            f"<th style='{cell}'>success rate</th><th style='{cell}'>per successful task</th></tr>"
            f"{rows}</table>"
            f"<div>Cheapest in total: <b>{r.patterns[r.cheapest].name}</b> (check its success rate); cheapest per successful task: "
            f"<b>{r.patterns[r.cheapest_per_success].name}</b>.</div><div>{crossing}</div>"
        )

    def _chart_svg(self) -> str:
        """Each pattern's total cost against queries a day, with the break-even and your volume, as
        ``plots.pattern_cost_plot`` draws it."""
        import numpy as np

        from .plots import SvgPanel, axis_label, nice_ticks, svg_document

        r, crossing = self.result, self.break_even
        months, volume = r.inputs.months, r.inputs.queries_per_day
        top_x = max(2 * volume, 1.3 * (crossing.per_day or 0), 1_000)
        xs = np.linspace(0, top_x, 60)
        lines = {k: p.total_cost_per_day(xs, months) / 1000 for k, p in r.patterns.items()}
        yticks = nice_ticks(0, max(float(max(v.max() for v in lines.values())), 0.001))
        panel = SvgPanel(*self.AREA, xlim=(0, top_x), ylim=(0, yticks[-1]))
        parts = [panel.axes(nice_ticks(0, top_x, most=6), axis_label("queries_a_day"), yticks, axis_label("total_cost", months=months),
                            f"What each pattern costs over {months:g} months")]
        legend = []
        for key, p in r.patterns.items():
            parts.append(panel.line(xs, lines[key], PATTERN_COLOURS[key], f"line-{key}", width=2))
            legend.append((f"{p.name}: ${p.per_query:.4f} a query, ${p.fixed_cost(months):,.0f} fixed", PATTERN_COLOURS[key], "line"))
        parts.append(panel.vline(volume, ROLES["reference"], "volume", dash="3 3"))
        legend.append((f"your volume: {volume:,.0f} a day", ROLES["reference"], "dotted", "marker-value"))
        if not crossing.never:
            cost = r.patterns["rag"].total_cost(crossing.volume, months) / 1000
            parts.append(panel.marker(crossing.per_day, cost, INK, "break-even"))
            legend.append((f"RAG = fine-tuned at {crossing.per_day:,.0f} a day", INK, "dot", "marker-value"))
        else:
            legend.append(("RAG and fine-tuned never cost the same", INK, "dot", "marker-value"))
        parts.append(panel.legend(legend))
        height = panel.bottom + 50 + len(legend) * 16
        return svg_document(_chart("costs", *parts), self.WIDTH, height, f"Total cost of each pattern over {months:g} months by queries a day")

    def __repr__(self) -> str:
        r = self.result
        totals = ", ".join(f"{p.name} ${r.totals[k]:,.0f}" for k, p in r.patterns.items())
        crossing = "never" if self.break_even.never else f"{self.break_even.per_day:,.0f} a day"
        return f"CostExplorer({r.inputs.queries_per_day:,.0f} queries a day over {r.inputs.months:g} months: {totals}; RAG/fine-tuned break-even {crossing})"


def _starting_prices_note(inputs) -> str:
    """Say where the starting prices come from and how old they are."""
    from .costs import load_prices

    table = load_prices()
    parts = []
    for role, model, p_in, p_out in (("large model", "GPT-4.1", inputs.large_in, inputs.large_out),
                                     ("fine-tuned model", "GPT-4o mini fine-tuned", inputs.small_in, inputs.small_out)):
        row = table.get(model)
        if row is not None and (row.input_per_million, row.output_per_million) == (p_in, p_out):
            source = f" (<a href='{row.url}' target='_blank' rel='noopener'>source</a>)" if row.url else ""
            parts.append(f"{role}: {model}, ${p_in:.2f} / ${p_out:.2f} per 1M tokens as of {row.as_of}{source}")
        else:
            parts.append(f"{role}: ${p_in:.2f} / ${p_out:.2f} per 1M tokens (your figures)")
    return "<div style='opacity:0.75;font-size:0.9em'>Starting prices, " + "; ".join(parts) + ". Move a slider to use your own.</div>"


def cost_explorer(**assumptions) -> CostExplorer:
    """Return the interactive cost explorer, starting from the lesson's assumptions with your changes (lesson 04)."""
    from .costs import CostInputs

    return CostExplorer(CostInputs().with_(**assumptions))


# --------------------------------------------------------------------------------------------
# Lesson 05: the rollout planner
# --------------------------------------------------------------------------------------------


class RolloutPlanner(widgets.VBox):
    """Daily traffic, the baseline rate, the drop to detect and the stage shares as inputs; the days
    each stage needs, the time to full launch and the blast radius update together (lesson 05).

    The stages are those of ``plan`` (the lesson's example by default); the effect its online gates
    must detect comes from the controls, and so does the share of each canary and ramp stage, one
    slider each (a plan that ramps to 25% then 50% gets two ramp sliders). Shadow mode and dogfood
    expose no customer: their blast radius is 0.
    """

    def __init__(self, plan=None, daily_users: float = 20_000, p_baseline: float = 0.60, effect: float = 0.02,
                 hours_to_detect: float = 24, hours_to_rollback: float = 1) -> None:
        from . import rollout

        # each number must lie on its control's scale: a slider would silently clamp it
        daily_users = validation.real("daily_users", daily_users, low=1, high=10**9, allowed="a number of users from 1 to 1,000,000,000")
        p_baseline = validation.real("p_baseline", p_baseline, low=0.01, high=0.99, allowed="a rate from 0.01 to 0.99")
        effect = validation.real("effect", effect, low=0.005, high=0.2, allowed="a drop to detect from 0.005 to 0.2")
        hours_to_detect = validation.real("hours_to_detect", hours_to_detect, low=0, high=168, allowed="a number of hours from 0 to 168")
        hours_to_rollback = validation.real("hours_to_rollback", hours_to_rollback, low=0, high=48, allowed="a number of hours from 0 to 48")
        self.plan = rollout.example_plan() if plan is None else rollout._as_plan(plan, "plan")
        style = {"description_width": "190px"}
        layout = widgets.Layout(width="470px")
        self.daily_users = widgets.BoundedIntText(value=int(daily_users), min=1, max=10**9, step=1000, description="Users a day:", style=style, layout=layout)
        self.p_baseline = widgets.FloatSlider(value=p_baseline, min=0.01, max=0.99, step=0.01, description="Baseline success rate:", style=style, layout=layout)
        self.effect = widgets.FloatSlider(value=effect, min=0.005, max=0.2, step=0.005, description="Drop to detect:", readout_format=".3f", style=style, layout=layout)
        # one slider per canary and ramp stage, by its place in the plan, starting at its own share
        self.shares = self._share_sliders(style, layout)
        first = {kind: next((w for i, w in self.shares.items() if self.plan.stages[i].kind == kind), None) for kind in ("canary", "ramp")}
        self.canary = first["canary"] or widgets.FloatSlider(value=0.05, min=0.01, max=0.5, step=0.01, description="Canary share:", style=style, layout=layout)
        self.ramp = first["ramp"] or widgets.FloatSlider(value=0.5, min=0.05, max=0.95, step=0.05, description="Ramp share:", style=style, layout=layout)
        self.hours_to_detect = widgets.FloatSlider(value=hours_to_detect, min=0, max=168, step=1, description="Hours to detect a problem:", readout_format=".0f", style=style, layout=layout)
        self.hours_to_rollback = widgets.FloatSlider(value=hours_to_rollback, min=0, max=48, step=0.5, description="Hours to roll back:", readout_format=".1f", style=style, layout=layout)
        self.report = widgets.HTML()
        self.timeline = widgets.HTML()
        self.items = None
        self.blast = {}
        sliders = list(self.shares.values()) or [self.canary, self.ramp]
        controls = [self.daily_users, self.p_baseline, self.effect, *sliders, self.hours_to_detect, self.hours_to_rollback]
        for control in controls:
            control.observe(self._update, names="value")
        half = (len(controls) + 1) // 2
        super().__init__([widgets.HBox([widgets.VBox(controls[:half]), widgets.VBox(controls[half:])]), self.report, self.timeline])
        self._update()

    def _share_sliders(self, style, layout) -> dict:
        """{stage index: slider} for each canary and ramp stage; numbered when a kind appears more than once."""
        scales = {"canary": dict(min=0.01, max=0.5, step=0.01), "ramp": dict(min=0.05, max=0.95, step=0.05)}
        out = {}
        for kind, scale in scales.items():
            places = [i for i, s in enumerate(self.plan.stages) if s.kind == kind]
            for n, i in enumerate(places, start=1):
                label = f"{kind.capitalize()}{f' {n}' if len(places) > 1 else ''} share:"
                value = min(max(self.plan.stages[i].traffic_share, scale["min"]), scale["max"])
                out[i] = widgets.FloatSlider(value=value, description=label, style=style, layout=layout, **scale)
        return dict(sorted(out.items()))

    def current_plan(self):
        """The plan with the controls' shares and effect."""
        import dataclasses as dc

        stages = []
        for index, s in enumerate(self.plan.stages):
            share = self.shares[index].value if index in self.shares else s.traffic_share
            gates = tuple(dc.replace(g, effect=_harmful_effect(g.metric, self.effect.value)) if g.effect is not None and g.layer != "offline" else g for g in s.gates)
            stages.append(dc.replace(s, traffic_share=share, gates=gates, name=s.name or self._numbered(index)))
        return dc.replace(self.plan, stages=tuple(stages))

    def _numbered(self, index: int) -> str:
        """"Ramp 1", "Ramp 2" for a kind the plan has more than once (so each row and bar has its own title), else ""."""
        kind = self.plan.stages[index].kind
        places = [i for i, s in enumerate(self.plan.stages) if s.kind == kind]
        return f"{kind.capitalize()} {places.index(index) + 1}" if len(places) > 1 else ""

    def _update(self, _change=None) -> None:
        from .rollout import blast_radius, schedule

        from .rollout import PlanError, plan_from_dict, plan_to_dict

        users = self.daily_users.value
        p = self.p_baseline.value
        problem = None
        if not 0 < p - self.effect.value < 1:
            problem = "The drop is bigger than the baseline rate: lower it."
        else:
            try:
                plan = plan_from_dict(plan_to_dict(self.current_plan()))  # checks the stages' order again
            except PlanError as exc:
                problem = f"{exc}. Move the shares so each stage exposes at least as many users as the one before."
        if problem:
            self.items, self.blast, self.total_days = None, {}, 0
            self.report.value = f"<div style='color:{TEXT['warning']}'>{problem}</div>"
            self.timeline.value = ""
            return
        self.items = schedule(plan, users, p)
        # only customers count: shadow mode shows nobody the new model, dogfood only the staff
        self.blast = {
            i.stage.title: blast_radius(users, i.stage.traffic_share, self.hours_to_detect.value, self.hours_to_rollback.value)
            for i in self.items if i.stage.customers_exposed
        }
        self.total_days = self.items[-1].end_day
        self.report.value = self._report_html()
        self.timeline.value = self._timeline_html()

    def _report_html(self) -> str:
        cell = f"padding:3px 10px;border-bottom:1px solid {BORDER};text-align:right"
        rows = []
        for i in self.items:
            needed = "" if i.days_needed is None else f"{i.days_needed:,}"
            short = i.days_needed is not None and i.days_needed > i.stage.min_days
            warn = f";color:{TEXT['warning']};font-weight:bold" if short else ""
            share = "shadow" if not i.stage.exposed else "staff only" if not i.stage.customers_exposed else f"{i.stage.traffic_share:.0%}"
            blast = f"{self.blast[i.stage.title]:,.0f}" if i.stage.title in self.blast else "0"
            rows.append(
                f"<tr><td style='{cell};text-align:left'>{i.stage.title}</td><td style='{cell}'>{share}</td>"
                f"<td style='{cell}'>{i.stage.min_days}</td><td style='{cell}{warn}'>{needed}</td><td style='{cell}'>{i.days}</td>"
                f"<td style='{cell}'>{i.exposure:,.0f}</td><td style='{cell}'>{blast}</td></tr>"
            )
        head = "".join(f"<th style='{cell}'>{h}</th>" for h in ("stage", "share", "planned days", "days its gates need", "days it runs", "users exposed", "blast radius"))
        return (
            f"<table style='border-collapse:collapse'><tr>{head}</tr>{''.join(rows)}</table>"
            f"<div>Time to full launch: <b>{self.total_days} days</b>. Blast radius: users who meet a bad release before it is "
            f"rolled back ({self.hours_to_detect.value:g} h to detect + {self.hours_to_rollback.value:g} h to roll back).</div>"
        )

    def _timeline_html(self) -> str:
        """The share of users on the new model day by day, a colour per stage, as
        ``plots.rollout_timeline_plot`` draws it."""
        from .plots import SvgPanel, axis_label, nice_ticks, stage_label, svg_document

        end = max(self.total_days, 1)
        panel = SvgPanel(70, 34, 600, 150, xlim=(0, end), ylim=(0, 1.15))
        title = f"Rollout timeline: {self.total_days} days to full launch at {self.daily_users.value:,.0f} users a day"
        parts = [panel.axes(nice_ticks(0, end, most=8), axis_label("rollout_day"), nice_ticks(0, 1), axis_label("share_of_users"), title)]
        legend = []
        for i in self.items:
            colour, exposed = STAGE_COLOURS[i.stage.kind], i.stage.customers_exposed
            share = i.stage.traffic_share if exposed else 0.03  # shadow and dogfood: a thin band, no customer
            parts.append(panel.bar(i.start_day, i.end_day, 0, share, colour, f"stage stage-{i.stage.kind}", opacity=0.85 if exposed else 0.45,
                                   tip=stage_label(i)))
            parts.append(panel.label((i.start_day + i.end_day) / 2, share + 0.03, i.stage.title, "stage-name", anchor="middle"))
            legend.append((stage_label(i), colour, "box"))
        parts.append(panel.legend(legend))
        return svg_document(_chart("timeline", *parts), 760, panel.bottom + 50 + 16 * len(legend), title)

    def __repr__(self) -> str:
        days = ", ".join(f"{i.stage.title} {i.days} d" for i in self.items or [])
        return f"RolloutPlanner({self.daily_users.value:,} users a day: {days}; {getattr(self, 'total_days', 0)} days to full launch)"


def _harmful_effect(metric: str, size: float) -> float:
    """The effect a gate must detect, signed the harmful way: a drop in task success, a rise in escalations."""
    from .rollout import METRICS

    known = METRICS.get(metric)
    return size * (known.harmful_sign if known is not None else -1)


def rollout_planner(daily_users: float = 20_000, p_baseline: float = 0.60, effect: float = 0.02) -> RolloutPlanner:
    """Return the interactive rollout planner over the lesson's plan (lesson 05)."""
    return RolloutPlanner(None, daily_users, p_baseline, effect)


def _clock_text(seconds: float, limit: float) -> str:
    def mmss(x: float) -> str:
        x = int(x)
        return f"{x // 60}:{x % 60:02d}"

    colour = TEXT["late"] if seconds > limit else TEXT["on_time"]
    note = " (over the suggested time: answer anyway)" if seconds > limit else ""
    return f"<span style='color:{colour};font-variant-numeric:tabular-nums'>⏱ {mmss(seconds)} of {mmss(limit)}{note}</span>"


def _typed_number(text, what: str = "your answer") -> tuple[float | None, str]:
    """Read a number typed in a box ("8.3%", "14,751", "$2,220"): (the number, "") or (None, a line in
    HTML saying what to type instead). Shared by the practice widgets; never raises."""
    import html as _html
    import re

    from .drills import parse_answer

    typed = text if isinstance(text, str) else ""
    raw = typed.strip().replace("$", "").replace(" ", "")
    if not raw:
        return None, f"<i>Type {_html.escape(what)} first.</i>"
    value = parse_answer(raw)
    if value is None and re.fullmatch(r"\d+,\d{1,2}%?", raw):  # 8,3 : a decimal comma, not a thousands one
        return None, f"<i>Is {_html.escape(raw)} a decimal? Use a dot for decimals (8.3) and a comma only for thousands (14,751).</i>"
    if value is None:
        return None, f"<i>{_html.escape(typed)} is not a number. Type digits, e.g. 0.083, 8.3% or 14751.</i>"
    return value, ""


class DrillPractice(widgets.VBox):
    """Timed practice: one drill at a time with a clock, an answer box, Check and Skip, then a
    score and a review of the misses (lesson 06). The session logic is ``drills.PracticeSession``.

    The clock ticks in the browser (a ``Play`` widget sends a tick a second); the time recorded for
    each answer comes from the session's own clock, so it is right even if ticks are late.
    """

    def __init__(self, session) -> None:
        self.session = session
        self.header = widgets.HTML()
        self.prompt = widgets.HTML()
        self.clock = widgets.HTML()
        self.answer = widgets.Text(placeholder="your answer, e.g. 0.083 or 14751", description="Answer:", continuous_update=False)
        self.check_button = widgets.Button(description="Check", button_style="primary")
        self.skip_button = widgets.Button(description="Skip")
        self.feedback = widgets.HTML()
        self.review = widgets.HTML()
        self.ticker = widgets.Play(value=0, min=0, max=24 * 3600, step=1, interval=1000, show_repeat=False, layout=widgets.Layout(display="none"))
        self.check_button.on_click(self._check)
        self.skip_button.on_click(self._skip)
        self.ticker.observe(self._tick, names="value")
        super().__init__([self.header, self.prompt, self.clock, widgets.HBox([self.answer, self.check_button, self.skip_button]), self.feedback, self.review, self.ticker])
        session.start()
        self._show()
        self.ticker.playing = True

    def _tick(self, _change=None) -> None:
        drill = self.session.current
        if drill is not None:
            self.clock.value = _clock_text(self.session.elapsed(), drill.seconds)

    def _show(self) -> None:
        import html as _html

        from .checking import _inline_html

        s = self.session
        if s.finished:
            self.ticker.playing = False
            self.header.value = "<b>Session over.</b>"
            self.prompt.value = ""
            self.clock.value = ""
            self.answer.disabled = self.check_button.disabled = self.skip_button.disabled = True
            self.review.value = s.review()._repr_html_()
            return
        d = s.current
        self.header.value = f"<b>Drill {s.position + 1} of {len(s.items)}: {_html.escape(d.title)}</b> · {d.level} · about {d.seconds // 60}:{d.seconds % 60:02d}"
        self.prompt.value = f"<div style='max-width:48rem'>{_inline_html(d.prompt)}</div>"
        self._tick()

    def _check(self, _button=None) -> None:
        from .checking import Outcome

        value, problem = _typed_number(self.answer.value)
        if problem:  # nothing typed, or a typo: a typo should not cost the drill, so ask again
            self.feedback.value = problem
            return
        result = self.session.answer(value)
        if result is None:
            return
        self.feedback.value = result._repr_html_()
        if result.outcome is not Outcome.NOT_ATTEMPTED:
            self.answer.value = ""
            self._show()

    def _skip(self, _button=None) -> None:
        self.session.skip()
        self.feedback.value = "<i>Skipped: it is in the review at the end.</i>"
        self.answer.value = ""
        self._show()

    def __repr__(self) -> str:
        s = self.session
        where = "finished" if s.finished else f"drill {s.position + 1} of {len(s.items)}"
        return f"DrillPractice({len(s.items)} drills, {where}; run it in JupyterLab to practise)"


def drill_practice(seed: int = 0, kinds=None, difficulty: int | None = None, scenario: str = "default") -> DrillPractice:
    """Return a timed practice session over one drill of each kind (lesson 06). Change the seed for fresh numbers."""
    from .drills import PracticeSession

    return DrillPractice(PracticeSession.new(seed, kinds, difficulty, scenario))


class SelfScorer(widgets.VBox):
    """An open question with a tick box per rubric point; Score shows the share covered, the points
    missed and the model answer (lesson 06). The scoring is ``interview.self_score``.

    The first score is also written to the practice log (``log``: a path or a ``PracticeLog``; None
    is the one in your work folder), best effort: a log that cannot be written leaves a one-line note."""

    def __init__(self, question, log=None) -> None:
        from .checking import _inline_html
        from .interview import _question_arg

        self.question = _question_arg("question", question)
        self._log, self.logged = _log_arg(log), False
        q = self.question
        self.boxes = [widgets.Checkbox(value=False, description=p.point, indent=False, layout=widgets.Layout(width="100%")) for p in q.rubric]
        self.score_button = widgets.Button(description="Score my answer", button_style="primary")
        self.result, self.saved = widgets.HTML(), widgets.HTML()
        self.score_button.on_click(self._score)
        head = widgets.HTML(f"<b>{_inline_html(q.question)}</b><br><i>Answer aloud or on paper first (about {q.minutes:g} minutes), then tick what you covered.</i>")
        super().__init__([head, *self.boxes, self.score_button, self.saved, self.result])

    def _score(self, _button=None):
        from .interview import self_score

        covered = [i + 1 for i, box in enumerate(self.boxes) if box.value]
        scored = self_score(self.question, covered)
        self.result.value = scored._repr_html_() + self.question.answer()._repr_html_()
        if not self.logged:
            self.logged = True
            self.saved.value = self._save(covered)
        return scored

    def _save(self, covered: list[int]) -> str:
        """Write the score to the practice log and return the line to show: saved, or why not. Never raises."""
        import html as _html
        import warnings

        from .practice import PracticeLog

        ticked = [self.question.rubric[i - 1].id for i in covered]
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                log = self._log if isinstance(self._log, PracticeLog) else PracticeLog(self._log)
                log.record_open(question_id=self.question.id, ticked=ticked, total=len(self.question.rubric))
        except Exception as exc:  # noqa: BLE001 - the practice log must never break the scoring
            return f"<i style='color:{TEXT['late']}'>⚠ Not saved to your practice log: {_html.escape(str(exc))}</i>"
        notes = "".join(f"<div style='color:{TEXT['late']}'>⚠ {_html.escape(note)}</div>" for note in _said(caught))
        return notes + "<i>Saved to your practice log (the first score counts).</i>"

    def __repr__(self) -> str:
        return f"SelfScorer({self.question.id}: {len(self.boxes)} rubric points)"


def self_scorer(question, log=None) -> SelfScorer:
    """Return tick boxes for an open question's rubric, with a score and the model answer (lesson 06).
    The first score goes into your practice log (``log``: a path, a ``PracticeLog``, None for yours)."""
    return SelfScorer(question, log)


def _said(caught) -> list[str]:
    """What the practice log said while it was used (a damaged file set aside): its warnings, as lines to show."""
    return [str(w.message) for w in caught if issubclass(w.category, UserWarning)]


def _log_arg(log):
    """The ``log`` argument of the practice widgets: a path, a ``PracticeLog`` or None; anything else is refused."""
    import os

    from .practice import PracticeLog

    if log is None or isinstance(log, (str, os.PathLike, PracticeLog)):
        return log
    raise validation.fail("log", log, "a path to a practice log (text or a Path), a PracticeLog, or None for the one in your work folder")


# --------------------------------------------------------------------------------------------
# Adaptive practice: the session of `aipm practice` in JupyterLab, kept in the practice log (lesson 06)
# --------------------------------------------------------------------------------------------

__all__ += ["AdaptivePractice", "adaptive_practice"]


def _utc_now():
    import datetime as _dt

    return _dt.datetime.now(_dt.timezone.utc)


def _level(item) -> str:
    from .drills import DIFFICULTIES

    return DIFFICULTIES.get(getattr(item, "difficulty", None), "")


def _mmss(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}"


def _open_log(log):
    """(the practice log, the notes to show): the learner's log, or a throwaway one when it cannot be used.

    A corrupt log is set aside by ``PracticeLog`` with a warning: the warning becomes a note here. A log
    that cannot be written (a folder in its place, a read-only disk) gives a log in a temporary folder,
    so the session still works, and a note that practice is not being saved."""
    import sqlite3
    import tempfile
    import warnings
    from pathlib import Path

    from .practice import LogUnavailable, PracticeLog

    notes = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            opened = log if isinstance(log, PracticeLog) else PracticeLog(log)
            opened.history()  # reads it now: a corrupt file is set aside here, not in the middle of a drill
        notes += _said(caught)
        return opened, notes, True
    except (LogUnavailable, OSError, sqlite3.Error) as exc:  # the practice must work without its log
        scratch = tempfile.TemporaryDirectory(prefix="aipm-practice-")
        notes.append(f"Practice is not being saved: {exc}")
        throwaway = PracticeLog(Path(scratch.name) / "practice.sqlite")
        throwaway._scratch = scratch  # the folder lives as long as the log
        return throwaway, notes, False


def _note_html(notes) -> str:
    import html as _html

    return "".join(f"<div style='color:{TEXT['late']}'>⚠ {_html.escape(n)}</div>" for n in notes)


class AdaptivePractice(widgets.VBox):
    """The practice session of ``aipm practice`` as a widget (lesson 06): the items the scheduler
    chose from your practice log, one at a time with a clock, an answer box, Check, Hint and Skip;
    after the number, the "so what" choice when the drill has one; every attempt written to the log;
    at the end the score, the misses with their worked solutions and when each kind is due next.

    ``clock`` returns an aware UTC datetime (tests pass a fake one); the seconds recorded for an
    answer are the clock's, so they are right even when the browser's ticks are late. Nothing a
    learner types can make it raise: a typo asks again and does not use up the item.
    """

    def __init__(self, items, log, *, clock=None, notes=(), saved: bool = True) -> None:
        self.items, self.practice_log, self._clock = list(items), log, clock or _utc_now
        self.saved, self.notes = saved, list(notes)
        self.session_id = log.new_session_id()
        self.position, self.stage, self.hints_shown = 0, "number", 0
        self.done: list[dict] = []  # one entry per item finished: the item, answer, outcome, seconds, so what
        self._build()
        self.header.value = self._header_html()
        self._show()
        self.ticker.playing = True

    # -- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        self.header, self.note, self.title, self.prompt, self.clock = (widgets.HTML() for _ in range(5))
        self.assumptions = widgets.VBox()
        self.answer = widgets.Text(placeholder="your answer, e.g. 0.083 or 14751", description="Answer:", continuous_update=False)
        self.check_button = widgets.Button(description="Check", button_style="primary")
        self.hint_button, self.skip_button = widgets.Button(description="Hint"), widgets.Button(description="Skip")
        self.hint, self.feedback, self.review = widgets.HTML(), widgets.HTML(), widgets.HTML()
        self.number_box = widgets.VBox([self.assumptions, widgets.HBox([self.answer, self.check_button, self.hint_button, self.skip_button]), self.hint])
        self.so_what_prompt = widgets.HTML()
        self.choice = widgets.RadioButtons(options=[], value=None, layout=widgets.Layout(width="100%"))
        self.choice_button, self.choice_skip = widgets.Button(description="Check", button_style="primary"), widgets.Button(description="Skip")
        self.so_what_box = widgets.VBox([self.so_what_prompt, self.choice, widgets.HBox([self.choice_button, self.choice_skip])])
        self.ticker = widgets.Play(value=0, min=0, max=24 * 3600, step=1, interval=1000, show_repeat=False, layout=widgets.Layout(display="none"))
        for button, handler in ((self.check_button, self._check), (self.hint_button, self._hint), (self.skip_button, self._skip),
                                (self.choice_button, self._decide), (self.choice_skip, self._skip_decision)):
            button.on_click(handler)
        self.ticker.observe(self._tick, names="value")
        self.note.value = _note_html(self.notes)
        super().__init__([self.header, self.note, self.title, self.prompt, self.clock, self.number_box, self.so_what_box,
                          self.feedback, self.review, self.ticker])

    @property
    def current(self):
        """The item being answered, or None when the session is over."""
        return self.items[self.position] if self.position < len(self.items) else None

    @property
    def finished(self) -> bool:
        return self.current is None

    def _header_html(self) -> str:
        import html as _html

        from .practice import Scheduler, kind_title

        scheduler = Scheduler(self.practice_log, clock=self._clock)
        total = sum(item.seconds for item in self.items)
        states = scheduler.states(list(dict.fromkeys(item.kind for item in self.items)))
        lines = [f"<li><b>{_html.escape(kind_title(kind))}</b> ({_level(state)}): {_html.escape(scheduler.reason(kind, state))}</li>"
                 for kind, state in states.items()]
        count = f"{len(self.items)} item{'s' if len(self.items) != 1 else ''}"
        return f"<b>Today's practice: {count}, about {total / 60:.0f} minutes.</b> Why these:<ul style='margin:2px 0'>{''.join(lines)}</ul>"

    # -- one item ----------------------------------------------------------------------------
    def _show(self) -> None:
        from .checking import _inline_html

        item = self.current
        if item is None:
            return self._finish()
        self.stage, self.hints_shown, self.hint.value = "number", 0, ""
        self._shown_at = self._clock()
        self.title.value = (f"<b>Item {self.position + 1} of {len(self.items)}: {_inline_html(item.title)}</b> · "
                            f"{_level(item)} · about {_mmss(item.seconds)}")
        self.prompt.value = f"<div style='max-width:48rem'>{_inline_html(item.prompt)}</div>"
        self.assumptions.children = [self._assumption_row(a) for a in getattr(item, "assumptions", ())]
        self.number_box.layout.display, self.so_what_box.layout.display = None, "none"
        self._tick()

    def _assumption_row(self, assumption) -> widgets.HBox:
        from .checking import _inline_html

        box = widgets.Text(placeholder=f"your assumption ({assumption.unit})", continuous_update=False)
        box.assumption = assumption
        label = widgets.HTML(f"{_inline_html(assumption.label)} <span style='color:{FAINT}'>({_inline_html(assumption.unit)})</span>",
                             layout=widgets.Layout(width="22rem"))
        return widgets.HBox([label, box])

    @property
    def assumption_boxes(self) -> list:
        """The text box of each assumption of an estimation item (empty for a drill)."""
        return [row.children[1] for row in self.assumptions.children]

    def _elapsed(self) -> float:
        try:
            return max(0.0, (self._clock() - self._shown_at).total_seconds())
        except Exception:  # noqa: BLE001 - a clock that misbehaves must not stop the practice
            return 0.0

    def _tick(self, _change=None) -> None:
        item = self.current
        if item is not None and self.stage == "number":
            self.clock.value = _clock_text(self._elapsed(), item.seconds)

    def _hint(self, _button=None) -> None:
        item = self.current
        if item is None or self.stage != "number":
            return
        self.hints_shown += 1
        try:
            self.hint.value = item.hint(self.hints_shown)._repr_html_()
        except Exception:  # noqa: BLE001 - an item without hints
            self.hint.value = "<i>No more hints for this one: try your best answer, or skip it.</i>"

    # -- the number --------------------------------------------------------------------------
    def _values(self) -> tuple[dict | None, str]:
        """The assumptions typed for an estimation item, or a line saying which box to fix."""
        from .practice import _asks_share

        values = {}
        for box in self.assumption_boxes:
            value, problem = _typed_number(box.value, f"your assumption for {box.assumption.label}")
            problem = problem or (_asks_share(box.assumption) and self._share_typo(box.value, value, box.assumption.label))
            if problem:
                return None, problem
            values[box.assumption.name] = value
        return values, ""

    @staticmethod
    def _share_typo(typed, value, label: str = "") -> str:
        """A share typed as a percentage without "%": the line asking again (in HTML), or ""."""
        import html as _html

        from .practice import _share_typo

        line = _share_typo(typed, value)
        return f"<i>{_html.escape(f'{label}: ' if label else '')}{_html.escape(line)}</i>" if line else ""

    def _judge(self):
        """(the answer as typed and read, its CheckResult), or (None, a line saying what to type)."""
        item = self.current
        values, problem = self._values()
        from .practice import _asks_share

        value, typo = _typed_number(self.answer.value)
        typo = typo or (_asks_share(item) and self._share_typo(self.answer.value, value))
        if problem or typo:
            return None, problem or typo
        if hasattr(item, "assumptions"):
            return {**values, "answer": value}, item.check(values, value)
        return value, item.check(value)

    def _check(self, _button=None) -> None:
        from .checking import Outcome

        if self.finished or self.stage != "number":
            return
        answer, result = self._judge()
        if isinstance(result, str):
            self.feedback.value = result
            return
        import html as _html

        from .practice import _kept_note

        self.feedback.value = result._repr_html_()
        if result.outcome is Outcome.NOT_ATTEMPTED:
            return
        outcome = "correct" if result.correct else "incorrect"
        entry = dict(item=self.current, answer=answer, result=result, outcome=outcome, seconds=self._elapsed(), at=self._clock(),
                     hints=self._hints_used())
        note = _kept_note(entry["item"], result.correct, entry["seconds"], entry["hints"])
        if note:  # right but slow, or after the last hint: it stays in its box
            self.feedback.value += f"<p><i>{_html.escape(note[0].upper() + note[1:])}.</i></p>"
        entry["shown"] = self.feedback.value  # kept above the "so what" verdict
        self._answered(entry)

    def _hints_used(self) -> int:
        """The hints shown for the current item (clicks past the last one are not counted)."""
        return min(self.hints_shown, len(getattr(self.current, "hints", ()) or ()))

    def _skip(self, _button=None) -> None:
        if self.finished or self.stage != "number":
            return
        self.feedback.value = "<i>Skipped: it is in the review at the end, with its worked solution.</i>"
        self._answered(dict(item=self.current, answer="", result=None, outcome="skipped", seconds=self._elapsed(), at=self._clock(),
                            hints=self._hints_used()))

    def _answered(self, entry: dict) -> None:
        self.entry = entry
        so_what = getattr(entry["item"], "so_what", None)
        if so_what is None or entry["outcome"] == "skipped":
            return self._next(None)
        self._ask_so_what(so_what)

    # -- the "so what" step ------------------------------------------------------------------
    def _ask_so_what(self, so_what) -> None:
        from .checking import _inline_html

        self.stage = "so_what"
        self.so_what_prompt.value = f"<b>So what?</b> {_inline_html(so_what.prompt)}"
        self.choice.options = [(f"{key}) {text}", key) for key, text in so_what.spec.options.items()]
        self.choice.value = None
        self.number_box.layout.display, self.so_what_box.layout.display = "none", None

    def _decide(self, _button=None) -> None:
        if self.stage != "so_what":
            return
        from .checking import _inline_html
        from .practice import _best_choice

        if self.choice.value is None:
            self.feedback.value = self.entry["shown"] + "<i>Choose an option first.</i>"
            return
        decided = self.entry["item"].decide(self.choice.value)
        best = "" if decided.correct else f"<p>{_inline_html(_best_choice(self.entry['item']))}</p>"  # it counts once: leave knowing the best move
        self.feedback.value = self.entry["shown"] + decided._repr_html_() + best
        self.entry["decision"] = decided
        self._next("correct" if decided.correct else "incorrect")

    def _skip_decision(self, _button=None) -> None:
        if self.stage == "so_what":
            self.feedback.value = self.entry["shown"] + "<i>'So what' skipped.</i>"
            self._next("skipped")

    # -- moving on ---------------------------------------------------------------------------
    def _next(self, so_what: str | None) -> None:
        entry = self.entry
        entry["so_what"] = so_what
        self.done.append(entry)
        self._record(entry)
        self.answer.value = ""
        self.position += 1
        self._show()

    def _record(self, entry: dict) -> None:
        """Write the attempt to the practice log; a log that fails stops saving, never the practice."""
        import warnings

        item = entry["item"]
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                self.practice_log.record_drill(kind=item.kind, difficulty=item.difficulty, seed=item.seed, answer=entry["answer"],
                                      outcome=entry["outcome"], seconds=entry["seconds"], so_what=entry["so_what"],
                                      session=self.session_id, at=entry["at"], hints=entry.get("hints", 0))
            self.notes += _said(caught)
        except Exception as exc:  # noqa: BLE001 - saving is best effort
            if self.saved:
                self.saved = False
                self.notes.append(f"Practice is not being saved: {exc}")
        self.note.value = _note_html(self.notes)

    def _finish(self) -> None:
        self.stage = "done"
        self.ticker.playing = False
        self.title.value, self.prompt.value, self.clock.value = "<b>Session over.</b>", "", ""
        self.number_box.layout.display = self.so_what_box.layout.display = "none"
        self.review.value = self.summary()._repr_html_()

    # -- the review --------------------------------------------------------------------------
    def summary(self):
        """The score, each miss with its worked solution, and when each kind is due next (RichText)."""
        from .checking import RichText

        lines = [self._score_line(), ""] + [line for entry in self.done for line in _review_lines(entry)]
        lines += ["", "**When each kind comes back:**"] + self._due_lines()
        if not self.saved:
            lines += ["", "This session was not saved, so the dates above forget it."]
        return RichText("Practice review", "\n".join(lines))

    def _score_line(self) -> str:
        right = sum(e["outcome"] == "correct" for e in self.done)
        in_time = sum(e["outcome"] == "correct" and e["seconds"] <= e["item"].seconds for e in self.done)
        asked = [e for e in self.done if e["so_what"] is not None]
        so_what = f"; 'so what': {sum(e['so_what'] == 'correct' for e in asked)} of {len(asked)} right" if asked else ""
        used = sum(e["seconds"] for e in self.done) / 60
        target = sum(e["item"].seconds for e in self.done) / 60
        return (f"**{right} of {len(self.done)} right** ({in_time} within the suggested time){so_what}, "
                f"in {used:.1f} minutes (suggested {target:.1f}).")

    def _due_lines(self) -> list[str]:
        """When each kind practised comes back, in the terminal's words (``aipm practice``)."""
        from .practice import Scheduler, _next_due_text, kind_title

        try:
            scheduler = Scheduler(self.practice_log, clock=self._clock)
            states = scheduler.states(list(dict.fromkeys(e["item"].kind for e in self.done)))
            now = scheduler.now()
        except Exception as exc:  # noqa: BLE001 - a log that fails mid-session must not hide the review
            return [f"- not known: the practice log could not be read ({exc})"]
        return [f"- {kind_title(k)}: {_next_due_text(state, now)}" for k, state in states.items()] or ["- nothing practised this time"]

    def __repr__(self) -> str:
        where = "finished" if self.finished else f"item {self.position + 1} of {len(self.items)}"
        return f"AdaptivePractice({len(self.items)} items, {where}; run it in JupyterLab to practise)"


def _worked(item, answer=None) -> str:
    """An item's worked solution as text: a drill's working; an estimate's from the learner's own assumptions
    when they gave them, else its worked example."""
    from .practice import _own_working

    working = _own_working(item, answer) or getattr(item, "working", None)
    return working if isinstance(working, str) else item.worked().body


def _review_lines(entry: dict) -> list[str]:
    """An item in the review: right (and its time), or the miss with the feedback and the worked solution."""
    from .checking import safe_repr

    item = entry["item"]
    took = f"{entry['seconds']:.0f} s of {item.seconds:.0f} s suggested"
    head = f"- **{item.title}** ({_level(item)})"
    if entry["outcome"] == "correct":
        lines = [f"{head}: right, {took}."]
    elif entry["outcome"] == "skipped":
        lines = [f"{head}: skipped.", f"  - Worked solution: {_worked(item)}"]
    else:
        lines = [f"{head}: your answer {safe_repr(entry['answer'], 60)}, {took}. {entry['result'].message}",
                 f"  - Worked solution: {_worked(item, entry['answer'])}"]
    decision = entry.get("decision")
    if entry["so_what"] in ("incorrect", "skipped"):
        spec = item.so_what.spec
        why = f" {spec.why}" if spec.why else ""
        lines.append(f"  - So what: the better choice is {spec.correct}) {spec.options[spec.correct]}.{why}")
    elif decision is not None:
        lines.append("  - So what: right.")
    return lines


def adaptive_practice(minutes: float = 10, kinds=None, seed: int | None = None, scenario: str = "default", log=None, clock=None) -> AdaptivePractice:
    """Return today's practice session as a widget (lesson 06): the same session as ``aipm practice``.

    The kinds you missed, and those whose time has come, come first, at the difficulty your record
    earned, until their suggested times fill ``minutes``. ``kinds`` limits the session to some kinds
    (``practice.all_kinds()`` lists them). Every answer is written to your practice log (``log``: a
    path or a ``PracticeLog``; None is the one in your work folder). When the log cannot be written
    the session still works and says that it is not being saved. ``clock`` is for tests."""
    from .practice import plan_session

    if clock is not None and not callable(clock):
        raise validation.fail("clock", clock, "a function returning the time as an aware UTC datetime, or None for the real clock")
    opened, notes, saved = _open_log(_log_arg(log))
    items = plan_session(opened, minutes=minutes, kinds=kinds, seed=seed, clock=clock, scenario=scenario)
    return AdaptivePractice(items, opened, clock=clock, notes=notes, saved=saved)


# --------------------------------------------------------------------------------------------
# Stills: a widget's picture and what moving it would show, for pages without a kernel
# --------------------------------------------------------------------------------------------

STILL_SENTENCES = {
    "ScorecardExplorer": "Moving a rating's slider changes that dimension's bar and the total score, and can turn the verdict "
                         "from GREEN to YELLOW or RED; a knock-out rating (data availability 1, failure impact 5) turns it RED "
                         "whatever the total.",
    "ThresholdExplorer": "Moving the threshold slider slides the dots along both curves: a lower threshold catches more positives "
                         "(recall up) at the price of more false alarms (precision down), and the cost curve shows which threshold "
                         "is cheapest for the costs you type in.",
    "ZoneExplorer": "Moving the two thresholds moves cases between served, served with a caveat and sent to a person: serving "
                    "fewer answers alone lowers their error rate until the budget is met, caveats cost seconds of people's "
                    "time and let some errors through, and sending more to people adds review hours and cost a day.",
    "CostExplorer": "Moving the sliders (queries a day, tokens, prices, months) redraws the four cost lines: the break-even "
                    "point moves and the cheapest pattern at your volume can change.",
    "RolloutPlanner": "Moving the controls (users a day, the baseline rate, the drop to detect, the canary and ramp shares) "
                      "changes how many days each stage needs and how many users it exposes, so the timeline stretches or "
                      "shrinks.",
    "widget_check": "Moving the slider changes the number, and the line under it doubles it: if it moves, widgets work here.",
}


def _readout_svg(lines: list[str], label: str) -> str:
    """A widget's text readout as an SVG image, for a widget without a chart."""
    import html

    from .plots import svg_document

    rows = "".join(f"<text class='readout' x='10' y='{22 + 18 * i}' font-size='13'>{html.escape(line)}</text>" for i, line in enumerate(lines))
    return svg_document(rows, 20 + 7.4 * max(len(line) for line in lines), 18 * len(lines) + 16, label)


def _plain(markup: str) -> str:
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def _is_widget_check(widget) -> bool:
    return (isinstance(widget, widgets.VBox) and isinstance(getattr(widget, "slider", None), widgets.IntSlider)
            and isinstance(getattr(widget, "result", None), widgets.Label))


# the attribute holding each widget's chart
STILL_CHARTS = {ScorecardExplorer: "chart", ThresholdExplorer: "curves", ZoneExplorer: "chart", CostExplorer: "chart", RolloutPlanner: "timeline"}


def still(widget) -> tuple[str, str]:
    """Return (an SVG image of the widget's chart in its current state, one sentence saying what moving
    its controls would show): what a page without a kernel shows in the widget's place (lesson 00 on).

    The SVG's text and axes take the page's text colour: place it inline for it to follow a dark theme."""
    if _is_widget_check(widget):
        lines = [f"{widget.slider.description} {widget.slider.value}", widget.result.value]
        return _readout_svg(lines, "A slider and a label"), STILL_SENTENCES["widget_check"]
    kind = next((k for k in STILL_CHARTS if isinstance(widget, k)), None)
    if kind is None:
        raise validation.fail("widget", widget, "a ScorecardExplorer, ThresholdExplorer, ZoneExplorer, CostExplorer, RolloutPlanner "
                                                "or the widget_check() box")
    if kind is RolloutPlanner and not widget.items:  # the controls contradict each other: show the message
        return _readout_svg([_plain(widget.report.value)], "The rollout planner's message"), STILL_SENTENCES[kind.__name__]
    return getattr(widget, STILL_CHARTS[kind]).value, STILL_SENTENCES[kind.__name__]


STILL_CALLS = {
    "scorecard_explorer": scorecard_explorer,
    "threshold_explorer": threshold_explorer,
    "zone_explorer": zone_explorer,
    "cost_explorer": cost_explorer,
    "rollout_planner": rollout_planner,
    "widget_check": widget_check,
}

# Lesson 08's widgets live in eval_widgets (which does not import this module): their stills too.
from . import eval_widgets as _eval_widgets  # noqa: E402

STILL_SENTENCES.update(_eval_widgets.STILL_SENTENCES)
STILL_CHARTS.update(_eval_widgets.STILL_CHARTS)
STILL_CALLS.update(_eval_widgets.STILL_CALLS)


def _literal_call(source: str):
    """(function name, args, kwargs) of the cell's last line when it calls a function with literal
    arguments only; None otherwise. Parsed, never run."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    last = tree.body[-1] if tree.body else None
    if not isinstance(last, ast.Expr) or not isinstance(last.value, ast.Call):
        return None
    call = last.value
    name = call.func.id if isinstance(call.func, ast.Name) else call.func.attr if isinstance(call.func, ast.Attribute) else None
    if any(k.arg is None for k in call.keywords):
        return None  # **options: not literals
    try:
        args = [ast.literal_eval(a) for a in call.args]
        kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
    except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
        return None
    return name, args, kwargs


def still_for(call: str) -> tuple[str, str] | None:
    """Return ``still(widget)`` for the widget a lesson cell creates, from the cell's source text, e.g.
    ``threshold_explorer("card_fraud", seed=0)``; None when its last line is not a call of one of
    ``STILL_CALLS`` with literal arguments. The source is parsed, never run (lesson 00 onwards)."""
    if not isinstance(call, str):
        raise validation.fail("call", call, "a code cell's source text (a str), e.g. 'cost_explorer()'")
    found = _literal_call(call)
    if found is None or found[0] not in STILL_CALLS:
        return None
    name, args, kwargs = found
    try:
        widget = STILL_CALLS[name](*args, **kwargs)
    except (TypeError, ValueError) as exc:
        raise validation.ArgumentError(f"call {validation.show(call)} could not build its widget: {exc}") from None
    return still(widget)
