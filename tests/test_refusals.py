"""Hostile arguments get a clear refusal that names the argument (the fixes the public probe found).

One test or a few per module: rollout, briefs, interview, drills, widgets, workspace, portfolio,
grading, workshop, site, lab, the exercise builder and the exercises' helpers. Each checks that a
bad value raises an ``AipmError`` (a ValueError) whose message names the argument and what is
allowed, where before it raised an AttributeError or TypeError, returned NaN, or passed silently.
"""

from __future__ import annotations

import datetime as dt
import math
import re

import nbformat
import numpy as np
import pytest

from aipm_course import briefs, drills, interview, portfolio, rollout, workshop, workspace
from aipm_course.validation import AipmError


def test_the_kit_errors_are_value_errors():
    assert issubclass(AipmError, ValueError)


def refused(call, *names: str) -> str:
    """Run ``call``; it must raise a ValueError (an ``AipmError`` is one) naming each of ``names`` as a
    word; return the message."""
    with pytest.raises(ValueError) as info:
        call()
    message = str(info.value)
    for name in names:
        assert re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", message), (name, message)
    return message


# --- rollout --------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [-1, 0, float("nan"), float("inf"), "text", [], True])
def test_validate_plan_refuses_a_bad_daily_users_even_without_a_baseline(bad):
    """Regression: validate_plan(example_plan(), daily_users=-1) returned no findings."""
    message = refused(lambda: rollout.validate_plan(rollout.example_plan(), daily_users=bad), "daily_users")
    assert "above 0" in message


@pytest.mark.parametrize("bad", [0, 1, 1.5, -0.2, float("nan"), "0.6", np.array([0.6, 0.7])])
def test_validate_plan_refuses_a_bad_baseline_rate(bad):
    refused(lambda: rollout.validate_plan(rollout.example_plan(), p_baseline=bad), "p_baseline")


def test_validate_plan_still_passes_the_example_with_good_numbers():
    assert rollout.validate_plan(rollout.example_plan(), daily_users=20_000, p_baseline=0.6) == []
    assert rollout.validate_plan(rollout.example_plan()) == []


@pytest.mark.parametrize("param", ["daily_users", "p_baseline"])
@pytest.mark.parametrize("bad", [np.array([]), np.array([0.25, 0.5, 0.75]), -1, 0])
def test_plan_to_markdown_refuses_arrays_and_non_positive_numbers(param, bad):
    kwargs = {"daily_users": 20_000, "p_baseline": 0.6, param: bad}
    refused(lambda: rollout.plan_to_markdown(rollout.example_plan(), **kwargs), param)


def test_plan_to_markdown_without_traffic_still_sums_the_minimum_days():
    assert "The planned minimum days add up to" in rollout.plan_to_markdown(rollout.example_plan())


@pytest.mark.parametrize("call, name", [
    (lambda: rollout.plan_from_dict("text"), "data"),
    (lambda: rollout.read_plan(7), "answer"),
    (lambda: rollout.read_plan("text"), "answer"),
    (lambda: rollout.load_plan("text"), "source"),
    (lambda: rollout.plan_to_dict(None), "plan"),
    (lambda: rollout.schedule([], 20_000, 0.6), "plan"),
])
def test_a_value_that_is_no_plan_is_refused_by_the_argument_name(call, name):
    message = refused(call, name)
    assert "a mapping with feature and stages" in message
    with pytest.raises(rollout.PlanError):
        call()


@pytest.mark.parametrize("kwargs, name", [
    ({"baselines": 0.6}, "baselines"),
    ({"baselines": "text"}, "baselines"),
    ({"changes": 3}, "changes"),
    ({"changes": "text"}, "changes"),
    ({"changes": [rollout.Regression("task_success", float("nan"))]}, "changes[0].change"),
    ({"changes": [rollout.Regression("task_success", -0.1, start_day=0)]}, "changes[0].start_day"),
    ({"offline_cases": -1}, "offline_cases"),
    ({"offline_cases": float("inf")}, "offline_cases"),
    ({"offline_cases": 10**400}, "offline_cases"),
])
def test_simulate_rollout_refuses_bad_baselines_changes_and_offline_cases(kwargs, name):
    refused(lambda: rollout.simulate_rollout(rollout.example_plan(), 20_000, **kwargs), name)


def test_simulate_rollout_still_takes_no_changes_as_none_or_an_empty_array():
    first = rollout.simulate_rollout(rollout.example_plan(), 20_000, changes=None, seed=3)
    again = rollout.simulate_rollout(rollout.example_plan(), 20_000, changes=np.array([]), seed=3)
    assert first.reason == again.reason and first.days == again.days


@pytest.mark.parametrize("param", ["reference", "current"])
def test_drift_check_refuses_a_number_too_large_for_a_float(param):
    rng = np.random.default_rng(0)
    kwargs = {"reference": rng.normal(size=50), "current": rng.normal(size=50), param: 10**400}
    refused(lambda: rollout.drift_check(**kwargs), param)
    refused(lambda: rollout.population_stability_index(**kwargs), param)


# --- briefs ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("call, name", [
    (lambda: briefs.brief_from_dict(3), "data"),
    (lambda: briefs.read_brief(3), "answer"),
    (lambda: briefs.read_brief("text"), "answer"),
    (lambda: briefs.load_brief("- a\n- b\n"), "source"),
    (lambda: briefs.brief_to_dict("text"), "brief"),
    (lambda: briefs.brief_to_yaml(None), "brief"),
    (lambda: briefs.validate_brief([]), "brief"),
    (lambda: briefs.metrics_table(0), "brief"),
])
def test_a_value_that_is_no_brief_is_refused_by_the_argument_name(call, name):
    message = refused(call, name)
    assert "a brief" in message
    with pytest.raises(briefs.BriefError):
        call()


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf"), 10**400])
def test_parse_target_refuses_a_bare_number_that_is_no_target(bad):
    refused(lambda: briefs.parse_target(bad), "text")


def test_parse_target_reads_hundreds_of_digits_as_no_number():
    assert briefs.parse_target(">= " + "9" * 400) == (None, None, "")


def test_a_bare_nan_target_in_a_brief_is_still_read_and_reported():
    brief = briefs.brief_from_dict({"feature": "x", "metrics": {"product": {"escalation_rate": float("nan")}}})
    assert math.isnan(brief.metrics[0].target)
    huge = {"feature": "x", "metrics": {"product": {"escalation_rate": 10**400}}}
    refused(lambda: briefs.brief_from_dict(huge), "metrics.product.escalation_rate")


@pytest.mark.parametrize("bad, name", [(None, "findings"), (3, "findings"), ("text", "findings"), ([1, 2], "findings[0]"), (object(), "findings")])
def test_findings_table_refuses_what_is_not_a_list_of_findings(bad, name):
    refused(lambda: briefs.findings_table(bad), name)


def test_findings_table_still_shows_findings_and_an_empty_list():
    weak = briefs.validate_brief(briefs.load_example("weak"))
    assert len(briefs.findings_table(weak)) == len(weak)
    assert list(briefs.findings_table([]).columns) == ["field", "problem", "fix"]


@pytest.mark.parametrize("bad", [None, 3, [], object()])
def test_save_brief_refuses_a_path_that_is_not_one_and_writes_nothing(bad, tmp_path):
    refused(lambda: briefs.save_brief(briefs.load_example("support_triage"), bad), "path")


@pytest.mark.parametrize("bad", [[], np.array([]), 3])
def test_load_example_refuses_an_unhashable_or_unknown_name(bad):
    refused(lambda: briefs.load_example(bad), "name")


# --- interview ------------------------------------------------------------------------------------


@pytest.mark.parametrize("call, name", [
    (lambda: interview.get_question(np.array([])), "question_id"),
    (lambda: interview.get_question(float("-inf")), "question_id"),
    (lambda: interview.get_question("worth-building", bank=3), "bank"),
    (lambda: interview.get_question("worth-building", bank="text"), "bank"),
    (lambda: interview.get_question("worth-building", bank=[1, 2]), "bank[0]"),
    (lambda: interview.questions_for([]), "concept"),
    (lambda: interview.questions_for("drift", bank=object()), "bank"),
    (lambda: interview.pick_questions(bank=[]), "bank"),
    (lambda: interview.concept_coverage(bank=0), "bank"),
    (lambda: interview.self_score(np.array([]), [1]), "question"),
    (lambda: interview.self_score("no-such-question", [1]), "question"),
    (lambda: interview.load_bank(3), "path"),
])
def test_interview_arguments_are_refused_by_name(call, name):
    refused(call, name)


def test_an_unknown_question_id_still_suggests_the_closest():
    message = refused(lambda: interview.get_question("worth-bilding"), "question_id")
    assert "did you mean 'worth-building'" in message


def test_the_kits_bank_is_read_once_and_each_caller_gets_its_own_list():
    first, second = interview.pick_questions(seed=1), interview.pick_questions(seed=1)
    assert first == second
    bank = interview._bank(None)
    bank.clear()
    assert interview._bank(None)


# --- drills ---------------------------------------------------------------------------------------


def test_a_seed_too_large_to_echo_is_refused():
    refused(lambda: drills.make_drill("blast_radius", seed=10**400), "seed")
    refused(lambda: drills.drill_set(seed=2**63), "seed")
    assert drills.make_drill("blast_radius", seed=2**63 - 1).seed == 2**63 - 1


@pytest.mark.parametrize("bad", [np.array([]), np.array(["default", "x"])])
def test_a_scenario_array_is_refused_by_name(bad):
    refused(lambda: drills.make_drill("blast_radius", 1, scenario=bad), "scenario")


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf"), 10**400])
def test_parse_answer_turns_a_number_that_is_no_answer_into_none(value):
    assert drills.parse_answer(value) is None


def test_parse_answer_still_passes_numbers_through():
    assert drills.parse_answer(0.25) == 0.25 and drills.parse_answer(14_751) == 14_751


# --- widgets --------------------------------------------------------------------------------------


@pytest.mark.parametrize("param, bad", [
    ("daily_users", None), ("daily_users", float("nan")), ("daily_users", 0), ("daily_users", 10**10),
    ("p_baseline", 1.5), ("p_baseline", "text"), ("p_baseline", -1),
    ("effect", 0), ("effect", 0.5), ("effect", np.array([0.02])),
])
def test_rollout_planner_refuses_a_number_off_its_controls_scale(param, bad):
    """A slider silently clamped an out-of-range value (p_baseline=-1 became 0.01)."""
    from aipm_course.widgets import rollout_planner

    message = refused(lambda: rollout_planner(**{param: bad}), param)
    assert " from " in message


@pytest.mark.parametrize("bad", [[], np.array([]), 3])
def test_the_explorers_refuse_an_unhashable_scenario_by_name(bad):
    from aipm_course.widgets import threshold_explorer, zone_explorer

    refused(lambda: zone_explorer(scenario=bad), "scenario")
    refused(lambda: threshold_explorer(scenario=bad), "scenario")


@pytest.mark.parametrize("bad", [0, np.array([]), None, "no-such-question"])
def test_self_scorer_refuses_what_is_not_a_question(bad):
    from aipm_course.widgets import self_scorer

    refused(lambda: self_scorer(bad), "question")


# --- workspace ------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [float("nan"), -1, 10**400, [], np.array([]), True, object()])
def test_a_work_folder_that_is_no_path_is_refused_by_name(bad, tmp_path):
    refused(lambda: workspace.save_artifact("probe.md", "# Probe\n", work=bad), "work")
    refused(lambda: workspace.save_files({"probe.md": "# Probe\n"}, work=bad), "work")
    refused(lambda: workspace.start(work=bad, source=tmp_path), "work")
    refused(lambda: workspace.exercise_notebooks(source=bad), "source")


def test_a_work_folder_that_is_a_file_is_refused_and_left_alone(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("mine", encoding="utf-8")
    for call in (lambda: workspace.start(work=blocker), lambda: workspace.reset("00", work=blocker),
                 lambda: workspace.save_artifact("probe.md", "# Probe\n", work=blocker)):
        message = refused(call, "work")
        assert "is a file where a folder should be" in message
    assert blocker.read_text(encoding="utf-8") == "mine"


def test_a_source_folder_without_exercises_is_named(tmp_path):
    refused(lambda: workspace.start(work=tmp_path / "work", source=tmp_path), "source")
    refused(lambda: workspace.reset("02", work=tmp_path / "work", source=tmp_path), "source")
    assert not (tmp_path / "work").exists()


@pytest.mark.parametrize("bad", [None, 3, "text", [("a.md", "x")]])
def test_save_files_refuses_what_is_not_a_mapping_of_files(bad, tmp_path):
    refused(lambda: workspace.save_files(bad, work=tmp_path), "files")


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), 0, "text", np.array([]), 10**400])
def test_save_figure_refuses_a_bad_dpi(bad, tmp_path):
    import matplotlib.pyplot as plt

    fig = plt.figure()
    try:
        refused(lambda: workspace.save_figure(fig, "probe.png", work=tmp_path, dpi=bad), "dpi")
    finally:
        plt.close(fig)
    assert not (tmp_path / "portfolio").exists()


@pytest.mark.parametrize("bad", [0, "text", []])
def test_progress_rows_refuses_what_is_not_a_progress_store(bad):
    refused(lambda: workspace.progress_rows(bad), "store")


# --- portfolio ------------------------------------------------------------------------------------


RATIONALE = "We chose this because the review team can handle the alerts and a missed case costs far more than a false alarm."


@pytest.mark.parametrize("call, name", [
    (lambda: portfolio.threshold_decision_markdown(None, 0.2, RATIONALE), "scenario"),
    (lambda: portfolio.budget_markdown({"budget": {}}, "text", 0.05, RATIONALE), "zones"),
    (lambda: portfolio.cost_model_markdown([], "rag", RATIONALE), "comparison"),
    (lambda: portfolio.save_memo([], "# Memo\n"), "stem"),
    (lambda: portfolio.build_portfolio(work=3), "work"),
    (lambda: portfolio.build_portfolio(today="2027-01-01"), "today"),
])
def test_portfolio_arguments_are_refused_by_name(call, name):
    refused(call, name)


def test_cost_model_markdown_refuses_an_unhashable_choice():
    from aipm_course import costs

    refused(lambda: portfolio.cost_model_markdown(costs.compare(), ["rag"], RATIONALE), "choice")


def test_the_capstone_savers_still_never_raise_for_a_bad_argument(tmp_path):
    message = portfolio.save_cost_model(None, {"choice": "rag", "rationale": RATIONALE}, work=tmp_path)
    assert message.startswith("Not saved") and "comparison" in message
    message = portfolio.save_threshold_decision(7, {"threshold": 0.2, "rationale": RATIONALE}, work=tmp_path)
    assert message.startswith("Not saved") and "scenario" in message


def test_build_portfolio_still_takes_a_date(tmp_path):
    report = portfolio.build_portfolio(work=tmp_path, today=dt.date(2027, 1, 1))
    assert "2027-01-01" in report.markdown.read_text(encoding="utf-8")


# --- grading, site, lab, workshop, exercise builder -----------------------------------------------


@pytest.mark.parametrize("bad", [None, 3, "no-such-folder", [], object()])
def test_find_submissions_refuses_what_is_not_a_folder(bad):
    from aipm_course.grading import find_submissions

    refused(lambda: find_submissions(bad), "submissions")


def test_find_submissions_takes_a_folder_as_text(tmp_path):
    from aipm_course.grading import find_submissions

    (tmp_path / "ana").mkdir()
    (tmp_path / "ana" / "02_a.ipynb").write_text("{}", encoding="utf-8")
    (tmp_path / "ana" / "notes.txt").write_text("", encoding="utf-8")
    notebooks, findings = find_submissions(str(tmp_path))
    assert [n.path for n in notebooks] == [tmp_path / "ana" / "02_a.ipynb"]
    assert [(f.kind, f.file) for f in findings] == [("not a notebook", "ana/notes.txt")]


@pytest.mark.parametrize("bad", [None, 3, "no-such-page.html", []])
def test_internal_links_refuses_what_is_not_a_page(bad):
    from aipm_course.site import internal_links

    refused(lambda: internal_links(bad), "page")


@pytest.mark.parametrize("bad", [3, "--no-browser", np.array([]), [1], True])
def test_lab_command_refuses_extra_args_that_are_not_a_list_of_texts(bad):
    from aipm_course.lab import lab_command

    refused(lambda: lab_command(bad), "extra_args")


def test_lab_command_still_appends_extra_args():
    from aipm_course.lab import lab_command

    assert lab_command(["--no-browser"])[-1] == "--no-browser"
    assert lab_command(("--port", "9999"))[-2:] == ["--port", "9999"]


@pytest.mark.parametrize("param, bad", [
    ("first_seed", None), ("first_seed", float("nan")), ("first_seed", -1), ("first_seed", 10**400),
    ("index", 0), ("index", 501), ("index", float("inf")), ("index", "text"),
])
def test_team_seed_refuses_a_bad_seed_or_team_number(param, bad):
    kwargs = {"first_seed": 1, "index": 2, param: bad}
    refused(lambda: workshop.team_seed(**kwargs), param)


def test_team_seed_is_unchanged_for_good_numbers():
    assert workshop.team_seed(1, 2) == 2 and workshop.team_seed(100, 1) == 100


@pytest.mark.parametrize("bad", [None, 3, [], nbformat.v4.new_notebook().cells])
def test_the_exercise_builder_refuses_what_is_not_source_or_a_notebook(bad):
    from aipm_course.exercise_builder import exercise_from_solution, strip_solutions

    refused(lambda: strip_solutions(bad), "source")
    refused(lambda: exercise_from_solution(bad), "notebook")


# --- the exercises' helpers -----------------------------------------------------------------------


def test_the_exercises_helpers_refuse_hostile_values_by_name():
    from aipm_course.exercises import ex00, ex01, ex03, load, question_ids, registry

    refused(lambda: load([]), "module")
    refused(lambda: question_ids(np.array([])), "module")
    refused(lambda: ex00.precision_from_counts(float("nan"), 2), "true_positives")
    refused(lambda: ex00.precision_from_counts(8, "text"), "false_positives")
    refused(lambda: ex00.target_spec(float("inf")), "target")
    refused(lambda: ex01.score_spec("text"), "ratings")
    refused(lambda: ex01.score_spec((5, 2, 5, 1, 4, 6)), "ratings[5]")
    refused(lambda: ex01.verdict_spec((5, 2, 5, 1, 4, 5), rng=0), "rng")
    refused(lambda: ex01.normalised_score(float("nan")), "weighted_sum")
    refused(lambda: ex01.requirement_numbers(8, 10**400, 500), "threshold")
    refused(lambda: ex01.pattern_spec("text", np.random.default_rng(0)), "scenario")
    refused(lambda: ex03.check_two_scenario_budget("text"), "answer")
    refused(lambda: ex03.zone_result(None, (0.6, 0.3)), "tickets")
    refused(lambda: registry.stream(-1, "02", "q1"), "seed")
    refused(lambda: registry.stream(0, "two", "q1"), "module")
    refused(lambda: registry.stream(0, "02", None), "name")
    assert ex00.precision_from_counts(8, 2) == pytest.approx(0.8) and ex00.precision_from_counts(0, 0) == 0.0
    assert ex01.normalised_score(375) == 100


# --- doctor ---------------------------------------------------------------------------------------


def test_the_doctor_refuses_a_kernel_flag_that_is_not_a_bool_before_checking_anything():
    from aipm_course import doctor

    refused(lambda: doctor.run_checks(kernel="no"), "kernel")
    refused(lambda: doctor.report(kernel=1), "kernel")


def test_format_findings_refuses_what_is_not_findings_and_takes_an_empty_list():
    from aipm_course import doctor

    refused(lambda: doctor.format_findings(3), "findings")
    refused(lambda: doctor.format_findings(["ok"]), "findings[0]")
    assert doctor.format_findings([]).endswith("All good: the workbook is ready.")
