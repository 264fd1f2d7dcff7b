"""Workshops: scenarios change the exercises' numbers, and `aipm workshop prepare` gives each team
its own parameterised notebooks, checked against that team's parameters only.

No kernels run here: prepared notebooks are read with nbformat, and the few code cells that set a
team's parameters and build its question set are run in this process.
"""

import csv
import functools
import math
from pathlib import Path

import nbformat
import pytest

from aipm_course import cli
from aipm_course.exercises import MODULES, load
from aipm_course.parameters import DEFAULT, Scenario, ScenarioError, get_scenario, load_scenario_file, scenarios
from aipm_course.workshop import prepare, prepare_handout

REPO = Path(__file__).resolve().parents[1]
EX02 = "02_precision_recall_costs.ipynb"
SHIPPED = {"ecommerce_search", "fintech_fraud", "healthcare_triage", "legal_review"}
FAST_MODULES = [m for m in MODULES if m != "04"]  # 04 builds large data sets: seconds per scenario


def listing(folder: Path):
    """Every path below folder (files and folders), or None if folder does not exist."""
    if not folder.exists():
        return None
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@functools.lru_cache(maxsize=None)
def expected_answers(module: str, seed: int, scenario: str) -> dict:
    """Each question's expected answer (numbers and choices) for these parameters."""
    return {q.id: getattr(q, "expected", None) for q in load(module, seed, scenario).questions}


def numbers_differ(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return not math.isclose(a, b, rel_tol=1e-9, abs_tol=0.0)
    return repr(a) != repr(b)


# --- scenarios ----------------------------------------------------------------------------------------


def test_the_shipped_scenarios_load_after_default():
    known = scenarios()
    assert list(known)[0] == "default"
    assert SHIPPED <= set(known)
    for name in SHIPPED:
        item = known[name]
        assert isinstance(item, Scenario) and item.name == name
        assert item.title and item.story
        assert (item.volume, item.cost, item.prevalence) != (1.0, 1.0, 1.0)
        assert all(0.01 <= m <= 100 for m in (item.volume, item.cost, item.prevalence))
        assert get_scenario(name) == item


@pytest.mark.parametrize("name", sorted(set(scenarios()) - {"default"}))
def test_every_scenario_changes_some_exercise_numbers_against_default_for_the_same_seed(name):
    seed = 4
    changed = [
        f"{module} {qid}"
        for module in FAST_MODULES
        for qid, value in expected_answers(module, seed, name).items()
        if numbers_differ(value, expected_answers(module, seed, "default")[qid])
    ]
    assert changed, f"scenario {name!r} leaves every expected answer as in 'default'"
    # exercise 02's alerts a day scale with the scenario's volume and base rate
    assert "02 q2" in changed


def test_default_keeps_the_lessons_numbers():
    assert get_scenario("default") is DEFAULT
    assert (DEFAULT.volume, DEFAULT.cost, DEFAULT.prevalence) == (1.0, 1.0, 1.0)
    for seed in (0, 1, 2, 3):
        ex = load("02", seed, "default")
        # the values the lesson draws from, unscaled
        assert ex.q1.data.prevalence in (0.001, 0.002, 0.005)
        assert ex.q1.data.cases_per_day in (50_000, 100_000, 250_000)
        assert ex.q3.data.cost_fp in (2, 5, 10, 25) and ex.q3.data.cost_fn in (200, 500, 1000)
        assert ex.q6.data.capacity in (200, 300, 500, 600)
        assert expected_answers("02", seed, "default") == {q.id: getattr(q, "expected", None) for q in load("02", seed).questions}


def test_a_scenario_scales_volumes_money_and_base_rates_by_its_multipliers():
    seed = 2
    base, fraud = load("02", seed, "default"), load("02", seed, "fintech_fraud")
    sc = get_scenario("fintech_fraud")
    assert fraud.q1.data.cases_per_day == max(1, round(base.q1.data.cases_per_day * sc.volume))
    assert math.isclose(fraud.q1.data.prevalence, min(0.2, base.q1.data.prevalence * sc.prevalence))
    assert math.isclose(fraud.q3.data.cost_fp, base.q3.data.cost_fp * sc.cost)
    assert math.isclose(fraud.q3.data.cost_fn, base.q3.data.cost_fn * sc.cost)
    assert fraud.q1.data.tpr == base.q1.data.tpr and fraud.q1.data.fpr == base.q1.data.fpr  # model rates unchanged
    assert fraud.parameters == {"seed": seed, "scenario": "fintech_fraud"}


GOOD = "name: my_case\ntitle: A test case\nstory: Something happens.\nvolume: 2\ncost: 0.5\nprevalence: 3\n"


def test_a_good_scenario_file_loads(tmp_path):
    path = tmp_path / "my_case.yaml"
    path.write_text(GOOD, encoding="utf-8")
    item = load_scenario_file(path)
    assert item == Scenario("my_case", "A test case", "Something happens.", 2.0, 0.5, 3.0)


@pytest.mark.parametrize(
    ("text", "field"),
    [
        (GOOD.replace("name: my_case", "name: My Case"), "`name`"),
        (GOOD.replace("name: my_case", "name: my-case"), "`name`"),
        (GOOD.replace("name: my_case\n", ""), "`name`"),
        (GOOD.replace("volume: 2", "volume: 0"), "`volume`"),
        (GOOD.replace("cost: 0.5", "cost: 1000"), "`cost`"),
        (GOOD.replace("prevalence: 3", "prevalence: .nan"), "`prevalence`"),
        (GOOD.replace("prevalence: 3", "prevalence: true"), "`prevalence`"),
        (GOOD.replace("volume: 2", "volume: lots"), "`volume`"),
        (GOOD.replace("title: A test case\n", ""), "`title`"),
        (GOOD.replace("title: A test case", "title: '   '"), "`title`"),
        ("name: [unclosed\ntitle: x\n", "not valid YAML"),
        ("- name: my_case\n- title: x\n", "must hold name, title"),
        ("", "must hold name, title"),
    ],
    ids=["bad-name", "name-with-dash", "no-name", "volume-0", "cost-1000", "prevalence-nan", "prevalence-bool",
         "volume-text", "missing-title", "blank-title", "not-yaml", "a-list", "empty"],
)
def test_a_bad_scenario_file_raises_an_error_naming_the_file_and_the_field(tmp_path, text, field):
    path = tmp_path / "bad_scenario.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario_file(path)
    assert isinstance(info.value, ValueError)
    assert str(path) in str(info.value)
    assert field in str(info.value)


def test_a_scenario_file_that_cannot_be_read_names_the_file(tmp_path):
    path = tmp_path / "binary.yaml"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ScenarioError, match="binary.yaml"):
        load_scenario_file(path)


def _kit_with_instructor_scenarios(tmp_path, files: dict[str, str], monkeypatch) -> Path:
    kit = tmp_path / "kit"
    (kit / "exercises").mkdir(parents=True)
    folder = kit / "instructors" / "scenarios"
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    monkeypatch.setenv("AIPM_KIT_ROOT", str(kit))
    return folder


def test_an_instructors_scenario_in_the_kit_is_known_and_changes_the_numbers(tmp_path, monkeypatch):
    _kit_with_instructor_scenarios(tmp_path, {"my_case.yaml": GOOD}, monkeypatch)
    known = scenarios()
    assert SHIPPED | {"default", "my_case"} <= set(known)
    assert load("02", 1, "my_case").q1.data.cases_per_day == 2 * load("02", 1).q1.data.cases_per_day


def test_a_broken_or_duplicate_instructors_scenario_is_named(tmp_path, monkeypatch):
    folder = _kit_with_instructor_scenarios(tmp_path, {"broken.yaml": GOOD.replace("cost: 0.5", "cost: 0")}, monkeypatch)
    with pytest.raises(ScenarioError) as info:
        scenarios()
    assert str(folder / "broken.yaml") in str(info.value) and "`cost`" in str(info.value)
    (folder / "broken.yaml").unlink()
    (folder / "twin.yaml").write_text(GOOD.replace("my_case", "fintech_fraud"), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        scenarios()
    assert "twin.yaml" in str(info.value) and "already used" in str(info.value)


def test_an_unknown_scenario_name_lists_the_known_ones():
    with pytest.raises(ValueError) as info:
        load("02", scenario="nope")
    message = str(info.value)
    assert "'nope'" in message
    for name in scenarios():
        assert repr(name) in message


@pytest.mark.parametrize("seed", [-1, 1.5, True, "1"])
def test_a_bad_seed_is_refused(seed):
    with pytest.raises(ValueError, match="seed"):
        load("02", seed=seed)


# --- workshop prepare: two teams, two scenarios ----------------------------------------------------------


def notebook_parameters(path: Path) -> dict:
    """The seed and scenario the team's notebook will run with: its one parameters cell (no
    papermill injected-parameters cell beside it)."""
    nb = nbformat.read(path, as_version=4)
    namespace: dict = {}
    tagged = [c for c in nb.cells if {"parameters", "injected-parameters"} & set(c.metadata.get("tags", []))]
    assert len(tagged) == 1 and tagged[0].metadata["tags"] == ["parameters"] and tagged[0].cell_type == "code"
    exec(tagged[0].source, namespace)
    return {"seed": namespace["seed"], "scenario": namespace["scenario"]}


def team_question_set(path: Path):
    """Run the team notebook's code up to the cell that builds `ex` (no kernel) and return `ex`."""
    nb = nbformat.read(path, as_version=4)
    namespace: dict = {}
    for cell in nb.cells:
        if cell.cell_type == "code":
            exec(cell.source, namespace)
            if "ex" in namespace:
                return namespace["ex"]
    raise AssertionError(f"{path} never builds `ex`")


def precision_by_hand(d) -> float:
    return d.prevalence * d.tpr / (d.prevalence * d.tpr + (1 - d.prevalence) * d.fpr)


def alerts_by_hand(d) -> float:
    return d.cases_per_day * (d.prevalence * d.tpr + (1 - d.prevalence) * d.fpr)


@pytest.fixture(scope="module")
def two_teams(tmp_path_factory):
    """Team A (fintech_fraud, seed 1) prepared with the CLI, team B (healthcare_triage, seed 5) with prepare()."""
    base = tmp_path_factory.mktemp("workshop")
    a_out, b_out = base / "a", base / "b"
    code = cli.main(["workshop", "prepare", "--scenario", "fintech_fraud", "--teams", "1", "--out", str(a_out), "--modules", "02"])
    assert code == 0
    prepared_b = prepare("healthcare_triage", 1, b_out, modules=["02"], first_seed=5)
    return {
        "a": {"path": a_out / "team-01" / EX02, "seed": 1, "scenario": "fintech_fraud", "out": a_out},
        "b": {"path": b_out / "team-01" / EX02, "seed": 5, "scenario": "healthcare_triage", "out": b_out, "prepared": prepared_b},
    }


def test_prepare_writes_only_module_02_for_each_team(two_teams):
    for team in ("a", "b"):
        out = two_teams[team]["out"]
        assert listing(out) == ["team-01", f"team-01/{EX02}", "teams.csv"]
    prepared = two_teams["b"]["prepared"]
    assert [(p.team, p.seed, p.scenario) for p in prepared] == [("team-01", 5, "healthcare_triage")]
    assert prepared[0].notebooks == (two_teams["b"]["path"],)


def test_two_teams_get_their_own_parameters_injected(two_teams):
    a, b = two_teams["a"], two_teams["b"]
    assert notebook_parameters(a["path"]) == {"seed": 1, "scenario": "fintech_fraud"}
    assert notebook_parameters(b["path"]) == {"seed": 5, "scenario": "healthcare_triage"}


def test_a_prepared_notebook_is_the_exercise_with_its_parameters_cell_set_to_the_teams_numbers(two_teams):
    source = nbformat.read(REPO / "exercises" / EX02, as_version=4)
    team = nbformat.read(two_teams["a"]["path"], as_version=4)
    assert len(team.cells) == len(source.cells)
    changed = [i for i, (a, b) in enumerate(zip(source.cells, team.cells)) if a.source != b.source]
    assert len(changed) == 1 and "parameters" in source.cells[changed[0]].metadata.get("tags", [])
    assert team.cells[changed[0]].source == 'seed = 1\nscenario = "fintech_fraud"'
    assert team.cells[changed[0]].metadata["tags"] == ["parameters"]
    assert all(not c.get("outputs") for c in team.cells if c.cell_type == "code")  # nothing ran
    assert str(REPO) not in two_teams["a"]["path"].read_text(encoding="utf-8")  # no instructor's path in it


def test_grading_reads_the_teams_numbers_from_a_prepared_notebook(two_teams, handout):
    from aipm_course.grading.run import stated_parameters

    for path, expected in ((two_teams["a"]["path"], {"seed": 1, "scenario": "fintech_fraud"}),
                           (two_teams["b"]["path"], {"seed": 5, "scenario": "healthcare_triage"}),
                           (handout / "team-02" / "my_work" / EX03, {"seed": 8, "scenario": "healthcare_triage"})):
        assert stated_parameters(nbformat.read(path, as_version=4)) == expected


def test_set_parameters_rewrites_the_one_cell_and_drops_an_injected_one():
    from aipm_course.validation import ArgumentError
    from aipm_course.workshop import set_parameters

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("# the numbers\nseed = 0  # any\nscenario = 'default'\nextra = 1", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("# Parameters\nseed = 9\n", metadata={"tags": ["injected-parameters"]}),
                nbformat.v4.new_code_cell("print(seed)")]
    set_parameters(nb, 4, "legal_review")
    assert [c.source for c in nb.cells] == ['# the numbers\nseed = 4\nscenario = "legal_review"\nextra = 1', "print(seed)"]
    nb.cells[0].source = "x = 1"
    set_parameters(nb, 2, "default")
    assert nb.cells[0].source == 'x = 1\nseed = 2\nscenario = "default"'
    nb.cells[0].metadata["tags"] = []
    with pytest.raises(ArgumentError, match="exactly one code cell tagged parameters, got 0"):
        set_parameters(nb, 2, "default")


def test_two_teams_get_different_numbers(two_teams):
    ex_a, ex_b = team_question_set(two_teams["a"]["path"]), team_question_set(two_teams["b"]["path"])
    assert ex_a.parameters == {"seed": 1, "scenario": "fintech_fraud"}
    assert ex_b.parameters == {"seed": 5, "scenario": "healthcare_triage"}
    for qid in ("q1", "q2"):
        expected_a, expected_b = getattr(ex_a, qid).expected, getattr(ex_b, qid).expected
        assert not math.isclose(expected_a, expected_b, rel_tol=0.05), qid
    assert ex_a.q1.data.cases_per_day != ex_b.q1.data.cases_per_day


@pytest.mark.parametrize(("qid", "by_hand"), [("q1", precision_by_hand), ("q2", alerts_by_hand)])
def test_each_teams_correct_answer_passes_only_with_its_own_parameters(two_teams, qid, by_hand):
    teams = {}
    for key in ("a", "b"):
        params = notebook_parameters(two_teams[key]["path"])
        data = getattr(team_question_set(two_teams[key]["path"]), qid).data  # the numbers the team sees
        teams[key] = (params, by_hand(data))
    for mine, other in (("a", "b"), ("b", "a")):
        params, answer = teams[mine]
        own = getattr(load("02", params["seed"], params["scenario"]), qid).check(answer)
        assert own.correct, (mine, own.message)
        assert own.parameters == params
        other_params = teams[other][0]
        theirs = getattr(load("02", other_params["seed"], other_params["scenario"]), qid).check(answer)
        assert not theirs.correct, (mine, theirs.message)


def test_teams_csv_lists_team_seed_and_scenario(tmp_path):
    out = tmp_path / "ws"
    prepared = prepare("legal_review", 3, out, modules=["02"], first_seed=10)
    with (out / "teams.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["team"], r["seed"], r["scenario"]) for r in rows] == [
        ("team-01", "10", "legal_review"), ("team-02", "11", "legal_review"), ("team-03", "12", "legal_review"),
    ]
    assert all(r["notebooks"] == EX02 and r["folder"] == r["team"] for r in rows)
    assert [p.seed for p in prepared] == [10, 11, 12]
    assert [notebook_parameters(out / r["team"] / EX02)["seed"] for r in rows] == [10, 11, 12]


def test_prepare_refuses_an_existing_team_folder_and_writes_nothing(tmp_path):
    out = tmp_path / "ws"
    (out / "team-02").mkdir(parents=True)
    before = listing(out)
    with pytest.raises(ValueError, match="team-02 already exists"):
        prepare("default", 3, out, modules=["02"])
    assert listing(out) == before


def test_prepare_refuses_an_existing_teams_csv_and_writes_nothing(tmp_path):
    out = tmp_path / "ws"
    out.mkdir()
    (out / "teams.csv").write_text("team,seed\nold,1\n", encoding="utf-8")
    before = listing(out)
    with pytest.raises(ValueError, match="teams.csv already exists"):
        prepare("default", 2, out, modules=["02"])
    assert listing(out) == before
    assert (out / "teams.csv").read_text(encoding="utf-8") == "team,seed\nold,1\n"


def test_preparing_twice_into_the_same_folder_fails_the_second_time(tmp_path, capsys):
    out = tmp_path / "ws"
    assert cli.main(["workshop", "prepare", "--teams", "2", "--out", str(out), "--modules", "02"]) == 0
    first = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    capsys.readouterr()
    assert cli.main(["workshop", "prepare", "--teams", "3", "--out", str(out), "--modules", "02"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("aipm: error: ") and "already exists" in err and "Traceback" not in err
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == first
    assert not (out / "team-03").exists()


@pytest.mark.parametrize("teams", [0, 501, True, -3, 2.0, "2"])
def test_a_bad_number_of_teams_is_refused_before_anything_is_written(tmp_path, teams):
    out = tmp_path / "ws"
    with pytest.raises(ValueError, match="teams must be a whole number from 1 to 500"):
        prepare("default", teams, out, modules=["02"])
    assert not out.exists()


@pytest.mark.parametrize("modules", [["99"], ["02", "2"], ["02", "09"], ["ab"]])
def test_unknown_modules_are_refused_naming_the_available_ones(tmp_path, modules):
    out = tmp_path / "ws"
    with pytest.raises(ValueError, match="modules must be among 00, 01, 02, 03, 04, 05") as info:
        prepare("default", 1, out, modules=modules)
    assert not out.exists()
    assert [m for m in modules if m != "02"][0] in str(info.value)


def test_an_unknown_scenario_is_refused_before_anything_is_written(tmp_path):
    out = tmp_path / "ws"
    with pytest.raises(ValueError) as info:
        prepare("nope", 1, out, modules=["02"])
    assert "'nope'" in str(info.value) and "'fintech_fraud'" in str(info.value)
    assert not out.exists()


def test_a_bad_first_seed_is_refused(tmp_path):
    with pytest.raises(ValueError, match="first_seed"):
        prepare("default", 1, tmp_path / "ws", modules=["02"], first_seed=-1)
    assert not (tmp_path / "ws").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--teams", "0"], "teams must be a whole number from 1 to 500, got 0"),
        (["--teams", "501"], "got 501"),
        (["--teams", "1", "--modules", "02,99"], "modules must be among"),
        (["--teams", "1", "--scenario", "nope"], "'nope'"),
    ],
)
def test_the_cli_reports_bad_prepare_arguments_as_plain_errors(tmp_path, capsys, args, message):
    out = tmp_path / "ws"
    assert cli.main(["workshop", "prepare", "--out", str(out), *args]) == 1
    captured = capsys.readouterr()
    assert captured.err.startswith("aipm: error: ") and message in captured.err
    assert "Traceback" not in captured.err
    assert not out.exists()


def test_the_cli_rejects_a_non_integer_teams_as_usage_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["workshop", "prepare", "--teams", "True", "--out", str(tmp_path / "ws")])
    assert info.value.code == 2
    assert "invalid int value" in capsys.readouterr().err
    assert not (tmp_path / "ws").exists()


def test_workshop_scenarios_lists_every_scenario(capsys):
    assert cli.main(["workshop", "scenarios"]) == 0
    out = capsys.readouterr().out
    for item in scenarios().values():
        assert str(item) in out
        if item.story:
            assert " ".join(item.story.split()) in " ".join(out.split())
    assert out.index("default:") < out.index("fintech_fraud:")


def test_workshop_without_an_action_shows_help(capsys):
    assert cli.main(["workshop"]) == 2


# --- workshop prepare --handout: lessons and each team's exercises, no solutions ----------------------


@pytest.fixture(scope="module")
def handout(tmp_path_factory):
    """Two teams, modules 02 and 03, healthcare_triage from seed 7, written with the CLI."""
    folder = tmp_path_factory.mktemp("handout") / "aipm-handout"
    code = cli.main(["workshop", "prepare", "--scenario", "healthcare_triage", "--teams", "2", "--first-seed", "7",
                     "--modules", "02,03", "--handout", str(folder)])
    assert code == 0
    return folder


EX03 = "03_uncertainty_budgets.ipynb"


def test_the_handout_holds_per_team_the_lessons_the_exercises_and_a_readme(handout):
    team = ["README.md", "my_work", f"my_work/{EX02}", f"my_work/{EX03}", "notebooks", f"notebooks/{EX02}", f"notebooks/{EX03}"]
    assert listing(handout) == sorted(["teams.csv", "team-01", "team-02", *(f"team-0{n}/{p}" for n in (1, 2) for p in team)])
    for name in (EX02, EX03):
        assert (handout / "team-02" / "notebooks" / name).read_bytes() == (REPO / "notebooks" / name).read_bytes()


def test_the_handout_has_no_solution_notebook_anywhere(handout):
    solutions = {p.read_bytes() for p in (REPO / "solutions").glob("*.ipynb")}
    files = [p for p in handout.rglob("*") if p.is_file()]
    assert files and not any(p.read_bytes() in solutions for p in files)
    assert not any("solution" in part for p in handout.rglob("*") for part in p.relative_to(handout).parts)
    for exercise in handout.rglob("my_work/*.ipynb"):
        shipped = nbformat.read(REPO / "exercises" / exercise.name, as_version=4)
        team = nbformat.read(exercise, as_version=4)
        assert [c.source for c in team.cells if "parameters" not in c.metadata.get("tags", [])] == [
            c.source for c in shipped.cells if "parameters" not in c.metadata.get("tags", [])]


def test_each_team_in_the_handout_gets_its_own_parameters(handout):
    for team, seed in (("team-01", 7), ("team-02", 8)):
        for name in (EX02, EX03):
            assert notebook_parameters(handout / team / "my_work" / name) == {"seed": seed, "scenario": "healthcare_triage"}
    with (handout / "teams.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["team"], r["seed"], r["scenario"], r["notebooks"]) for r in rows] == [
        ("team-01", "7", "healthcare_triage", f"{EX02} {EX03}"), ("team-02", "8", "healthcare_triage", f"{EX02} {EX03}"),
    ]


def test_the_links_between_lessons_and_exercises_work_inside_a_team_folder(handout):
    import re

    team = handout / "team-01"
    lesson_links = re.findall(r"\]\((\.\./my_work/[^)]+\.ipynb)\)", (team / "notebooks" / EX02).read_text(encoding="utf-8"))
    assert lesson_links and all((team / "notebooks" / link).resolve().is_file() for link in lesson_links)


def test_the_learners_readme_gives_the_numbers_the_files_and_restart_before_handing_in(handout):
    text = (handout / "team-02" / "README.md").read_text(encoding="utf-8")
    assert "seed 8" in text and "healthcare_triage" in text
    for name in (EX02, EX03):
        assert f"notebooks/{name}" in text and f"my_work/{name}" in text
    assert "Restart Kernel and" in text and "solution" in text
    sentence = " ".join(text.split())
    assert "the cell that sets `seed` and `scenario`: it holds your team's numbers; do not change it" in sentence
    assert "leave that cell as it is" not in sentence


def test_the_handout_refuses_a_folder_that_is_not_empty_and_writes_nothing(tmp_path, capsys):
    folder = tmp_path / "handout"
    folder.mkdir()
    (folder / ".git").mkdir()
    assert cli.main(["workshop", "prepare", "--teams", "1", "--modules", "02", "--handout", str(folder), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert f"handout must be a new or empty folder, got {str(folder)!r}: it is not empty" in err
    assert listing(folder) == [".git"] and not (tmp_path / "out").exists()
    (tmp_path / "a_file").write_text("x")
    with pytest.raises(ValueError, match="handout must be a new or empty folder.*it is a file"):
        prepare_handout("default", 1, tmp_path / "a_file", modules=["02"])


def test_out_and_handout_together_write_both_and_neither_is_an_error(tmp_path, capsys):
    out, folder = tmp_path / "out", tmp_path / "handout"
    assert cli.main(["workshop", "prepare", "--teams", "1", "--modules", "02", "--out", str(out), "--handout", str(folder)]) == 0
    assert listing(out) == ["team-01", f"team-01/{EX02}", "teams.csv"]
    handed, kept = folder / "team-01" / "my_work" / EX02, out / "team-01" / EX02
    assert notebook_parameters(handed) == notebook_parameters(kept) == {"seed": 1, "scenario": "default"}
    assert [c.source for c in nbformat.read(handed, as_version=4).cells] == [c.source for c in nbformat.read(kept, as_version=4).cells]
    capsys.readouterr()
    assert cli.main(["workshop", "prepare", "--teams", "1"]) == 1
    err = capsys.readouterr().err
    assert "--out" in err and "--handout" in err and "got neither" in err


def test_out_and_handout_in_the_same_place_are_refused_before_anything_is_written(tmp_path, capsys):
    for out, handout in ((tmp_path / "x", tmp_path / "x"), (tmp_path / "x", tmp_path / "x" / "h"), (tmp_path / "h" / "x", tmp_path / "h")):
        assert cli.main(["workshop", "prepare", "--teams", "1", "--modules", "02", "--out", str(out), "--handout", str(handout)]) == 1
        assert "--handout must be a folder apart from --out" in capsys.readouterr().err
        assert listing(tmp_path) == []
