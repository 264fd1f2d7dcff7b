"""The `aipm` command, run as a learner runs it: the installed console script, in a subprocess.

Every run gets AIPM_WORK_DIR pointing at a throwaway folder, so nothing here touches the
kit's my_work/ (the last test checks that).

`aipm build-exercises` takes a few seconds to start (nbformat and jsonschema), so the commands
that do real work are grouped into scenarios that all start together, in threads, when the
first test needs one; each test then asserts on its scenario's results. The scenarios are
independent: each has its own folder.
"""

import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from aipm_course.workspace import ProgressStore

AIPM = Path(sys.executable).parent / "aipm"
REPO = Path(__file__).resolve().parents[1]
EXERCISE_00 = REPO / "exercises" / "00_start_here.ipynb"
COMMANDS = ["doctor", "start", "reset", "build-exercises", "progress"]


def aipm(*args: str, work: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run the installed `aipm` with the given work folder, from inside that folder's parent."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIPM_")}
    env["AIPM_WORK_DIR"] = str(work)
    work.parent.mkdir(parents=True, exist_ok=True)
    return subprocess.run(
        [str(AIPM), *args], env=env, cwd=work.parent, capture_output=True, text=True, timeout=timeout, check=False
    )


def no_traceback(run: subprocess.CompletedProcess) -> bool:
    return "Traceback" not in run.stdout + run.stderr


def listing(folder: Path):
    """Every file below folder with its size and modification time (None if it does not exist)."""
    if not folder.exists():
        return None
    return sorted((str(p.relative_to(folder)), p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*"))


MY_WORK_BEFORE = listing(REPO / "my_work")


# --- scenarios (each runs in its own folder; all start together) ------------------------------------

SCENARIOS = {}


def scenario(function):
    SCENARIOS[function.__name__] = function
    return function


@scenario
def start_twice_then_doctor(base: Path) -> dict:
    work = base / "work"
    first = aipm("start", work=work)
    mine = b'{"cells": [], "note": "the learner edited this"}'
    (work / EXERCISE_00.name).write_bytes(mine)
    second = aipm("start", work=work)
    mine_after = (work / EXERCISE_00.name).read_bytes()
    # doctor checks that the work folder exists, so it runs after start
    quick, full = aipm("doctor", "--quick", work=work), aipm("doctor", work=work)
    return {
        "work": work,
        "first": first,
        "second": second,
        "mine": mine,
        "mine_after": mine_after,
        "quick": quick,
        "full": full,
    }


@scenario
def reset_with_learner_copy(base: Path) -> dict:
    work = base / "work"
    work.mkdir(parents=True)
    mine = EXERCISE_00.read_bytes().replace(b"___  # your answer here", b"0.5  # my try", 1)
    (work / EXERCISE_00.name).write_bytes(mine)
    return {"work": work, "mine": mine, "run": aipm("reset", "00", work=work)}


@scenario
def reset_unknown_module(base: Path) -> dict:
    work = base / "work"
    return {"work": work, "run": aipm("reset", "99", work=work)}


@scenario
def progress_after_checks(base: Path) -> dict:
    work = base / "work"
    store = ProgressStore(work / ".aipm" / "progress.json")
    store.record("00", "q1", "incorrect")
    store.record("00", "q1", "correct")
    store.record("00", "q2", "incorrect")
    return {"run": aipm("progress", work=work)}


@scenario
def progress_json_with_corrupt_file(base: Path) -> dict:
    work = base / "work"
    (work / ".aipm").mkdir(parents=True)
    (work / ".aipm" / "progress.json").write_bytes(b"\x00\xff{ not json")
    return {"work": work, "run": aipm("progress", "--json", work=work)}


@scenario
def build_check_on_the_repo(base: Path) -> dict:
    return {"run": aipm("build-exercises", "--check", work=base / "work")}


@scenario
def build_into_a_tmp_folder(base: Path) -> dict:
    solutions, out = base / "solutions", base / "out"
    shutil.copytree(REPO / "solutions", solutions)
    wrote = aipm("build-exercises", "--solutions", str(solutions), "--out", str(out), work=base / "work")
    built = {p.name: p.read_bytes() for p in out.glob("*.ipynb")}
    stale = out / EXERCISE_00.name
    stale.write_text(stale.read_text(encoding="utf-8").replace("your answer here", "old text"), encoding="utf-8")
    stale_bytes = stale.read_bytes()
    stale_check = aipm(
        "build-exercises", "--solutions", str(solutions), "--out", str(out), "--check", work=base / "work"
    )
    return {
        "wrote": wrote,
        "built": built,
        "stale_check": stale_check,
        "stale_bytes": stale_bytes,
        "stale_after": stale.read_bytes(),
    }


@scenario
def build_with_a_broken_solution(base: Path) -> dict:
    solutions, out = base / "solutions", base / "out"
    solutions.mkdir()
    unclosed = new_notebook(cells=[new_code_cell("### BEGIN SOLUTION\nx = 1")])
    nbformat.write(unclosed, solutions / "04_broken.ipynb")
    run = aipm("build-exercises", "--solutions", str(solutions), "--out", str(out), work=base / "work")
    return {"out": out, "run": run}


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    """ran(name) -> the results of that scenario (all scenarios start together on first use)."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(SCENARIOS)) as pool:
        futures = {name: pool.submit(run, tmp_path_factory.mktemp(name)) for name, run in SCENARIOS.items()}
        yield lambda name: futures[name].result()


# --- help and usage (fast: argparse answers before anything is imported) ----------------------------


def test_help_describes_the_command_and_lists_every_subcommand(tmp_path):
    run = aipm("--help", work=tmp_path / "work")
    assert run.returncode == 0
    assert "set up your work folder" in run.stdout
    for command in COMMANDS:
        assert command in run.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_each_subcommand_help_exits_0_and_shows_its_usage(tmp_path, command):
    run = aipm(command, "--help", work=tmp_path / "work")
    assert run.returncode == 0, run.stderr
    assert f"usage: aipm {command}" in run.stdout


SUBCOMMAND_PURPOSE = {
    "doctor": "check Python, packages",
    "start": "copy the exercises into your work folder",
    "reset": "restore one exercise",
    "build-exercises": "generate exercises/ from solutions/",
    "progress": "questions attempted and passed",
}


@pytest.mark.parametrize("command", COMMANDS)
def test_each_subcommand_help_says_what_it_does(tmp_path, command):
    """Regression: the purpose used to be given only as help=, shown in `aipm --help` alone."""
    run = aipm(command, "--help", work=tmp_path / "work")
    assert SUBCOMMAND_PURPOSE[command].lower() in " ".join(run.stdout.split()).lower()


def test_option_help_explains_the_less_obvious_options(tmp_path):
    assert "skip the kernel check" in aipm("doctor", "--help", work=tmp_path / "work").stdout
    assert "fail if exercises/ is out of date" in aipm("build-exercises", "--help", work=tmp_path / "work").stdout


def test_no_command_exits_2_with_the_help_on_stderr(tmp_path):
    run = aipm(work=tmp_path / "work")
    assert run.returncode == 2
    assert "usage: aipm" in run.stderr and "COMMAND" in run.stderr
    assert run.stdout == ""


def test_unknown_command_exits_2_and_points_to_help(tmp_path):
    run = aipm("frobnicate", work=tmp_path / "work")
    assert run.returncode == 2
    assert "invalid choice: 'frobnicate'" in run.stderr
    assert "aipm --help" in run.stderr
    assert no_traceback(run)


def test_version_is_printed(tmp_path):
    run = aipm("--version", work=tmp_path / "work")
    assert run.returncode == 0 and re.fullmatch(r"aipm \d+\.\d+\.\d+\S*\n", run.stdout)


# --- start and reset ------------------------------------------------------------------------------


def test_start_twice_copies_then_keeps_the_learners_notebook(ran):
    result = ran("start_twice_then_doctor")
    first, second = result["first"], result["second"]
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert f"copied  {EXERCISE_00.name}" in first.stdout
    assert f"kept    {EXERCISE_00.name}" in second.stdout
    assert "copied" not in second.stdout
    assert str(result["work"]) in second.stdout
    assert result["mine_after"] == result["mine"]


def test_reset_prints_where_the_backup_is_and_the_backup_holds_the_old_copy(ran):
    result = ran("reset_with_learner_copy")
    run = result["run"]
    assert run.returncode == 0, run.stderr
    match = re.search(r"Your previous copy is kept at (\S+\.ipynb)", run.stdout)
    assert match, run.stdout
    backup = Path(match.group(1))
    assert backup.parent == result["work"] / "backups"
    assert backup.read_bytes() == result["mine"]
    assert (result["work"] / EXERCISE_00.name).read_bytes() == EXERCISE_00.read_bytes()


def test_reset_of_an_unknown_module_exits_1_with_a_plain_error(ran):
    result = ran("reset_unknown_module")
    run = result["run"]
    assert run.returncode == 1
    assert run.stderr.startswith("aipm: error: ")
    assert "no exercise 99" in run.stderr and "Available: 00" in run.stderr
    assert no_traceback(run)
    assert run.stdout == ""
    assert not result["work"].exists()


# --- progress ---------------------------------------------------------------------------------------


def test_progress_prints_a_table_row_for_module_00(ran):
    run = ran("progress_after_checks")["run"]
    assert run.returncode == 0, run.stderr
    assert re.search(r"^00 Start here\s+4\s+2\s+1$", run.stdout, re.MULTILINE), run.stdout
    from aipm_course.exercises import MODULES, question_ids

    total = sum(len(question_ids(m)) for m in MODULES)
    assert re.search(rf"^total\s+{total}\s+2\s+1$", run.stdout, re.MULTILINE), run.stdout
    assert run.stderr == ""


def test_progress_json_is_valid_json_even_with_a_corrupt_file(ran):
    run = ran("progress_json_with_corrupt_file")["run"]
    assert run.returncode == 0, run.stderr
    rows = json.loads(run.stdout)  # the warning goes to stderr, never into the JSON
    assert {"module": "00", "title": "Start here", "questions": 4, "attempted": 0, "passed": 0} in rows


def test_corrupt_progress_file_gives_a_warning_on_stderr_and_exit_0(ran):
    result = ran("progress_json_with_corrupt_file")
    run = result["run"]
    assert run.returncode == 0
    assert run.stderr.startswith("aipm: warning: ") and "damaged" in run.stderr
    assert no_traceback(run)
    assert len(list((result["work"] / ".aipm").glob("progress.json.corrupt-*"))) == 1


# --- build-exercises ---------------------------------------------------------------------------------


def test_build_exercises_check_passes_on_the_repo(ran):
    run = ran("build_check_on_the_repo")["run"]
    assert run.returncode == 0, run.stdout + run.stderr
    assert "match their solutions" in run.stdout


def test_build_exercises_writes_into_the_given_out_folder(ran):
    result = ran("build_into_a_tmp_folder")
    assert result["wrote"].returncode == 0, result["wrote"].stderr
    assert "wrote" in result["wrote"].stdout
    assert result["built"] == {p.name: p.read_bytes() for p in (REPO / "exercises").glob("*.ipynb")}


def test_build_exercises_check_on_a_stale_folder_exits_1_and_writes_nothing(ran):
    result = ran("build_into_a_tmp_folder")
    run = result["stale_check"]
    assert run.returncode == 1
    assert "out of date: " in run.stdout and EXERCISE_00.name in run.stdout
    assert "aipm build-exercises" in run.stdout
    assert result["stale_after"] == result["stale_bytes"]


def test_build_exercises_with_a_broken_solution_exits_1_naming_the_cell(ran):
    result = ran("build_with_a_broken_solution")
    run = result["run"]
    assert run.returncode == 1
    assert run.stderr.startswith("aipm: error: ")
    assert "04_broken.ipynb, cell 0" in run.stderr and "never closed" in run.stderr
    assert no_traceback(run)
    assert not result["out"].exists()


# --- doctor -------------------------------------------------------------------------------------------


def test_doctor_quick_exits_0_in_this_environment(ran):
    run = ran("start_twice_then_doctor")["quick"]
    assert run.returncode == 0, run.stdout + run.stderr
    assert "All good" in run.stdout
    assert "Jupyter kernel" not in run.stdout  # --quick skips the kernel check


def test_doctor_prints_ok_lines_including_the_kernel_check(ran):
    run = ran("start_twice_then_doctor")["full"]
    ok_lines = [line for line in run.stdout.splitlines() if line.startswith("ok ")]
    assert any("Python" in line for line in ok_lines), run.stdout
    assert any("Work folder" in line for line in ok_lines), run.stdout
    assert any("Jupyter kernel" in line for line in ok_lines), run.stdout
    assert run.returncode == 0, run.stdout


# --- speed: only build-exercises needs nbformat ---------------------------------------------------


NBFORMAT_BLOCKED = (
    "import sys; sys.modules['nbformat'] = None; "  # any `import nbformat` now fails at once
    "from aipm_course.cli import main; sys.exit(main(sys.argv[1:]))"
)


@pytest.mark.parametrize("command", [["start"], ["progress"], ["reset", "00"]])
def test_commands_other_than_build_exercises_do_not_load_nbformat(tmp_path, command):
    """Regression: main() imported exercise_builder (nbformat, jsonschema: about 3 s here) for
    every command, only to name ExerciseBuildError in an except clause."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIPM_")}
    env["AIPM_WORK_DIR"] = str(tmp_path / "work")
    run = subprocess.run(
        [sys.executable, "-c", NBFORMAT_BLOCKED, *command], env=env, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr


# --- nothing is written into the kit's own my_work/ ------------------------------------------------------


def test_no_command_wrote_into_the_repos_my_work(ran):
    for name in SCENARIOS:  # wait for every scenario to finish
        ran(name)
    assert listing(REPO / "my_work") == MY_WORK_BEFORE


def test_library_deprecation_notices_are_not_shown_to_learners(capsys):
    from aipm_course import cli

    cli._show_warning("old API", DeprecationWarning)
    cli._show_warning("soon gone", FutureWarning)
    assert capsys.readouterr().err == ""
    cli._show_warning("progress file damaged", UserWarning)
    assert capsys.readouterr().err == "aipm: warning: progress file damaged\n"


# --- build-exercises never replaces a learner's notebooks by surprise (in process: fast) ------------


@pytest.fixture
def small_kit(tmp_path, monkeypatch):
    """A kit with one solution and its generated exercise; AIPM_KIT_ROOT points at it, the cwd is it,
    and AIPM_WORK_DIR is unset, so the learner's work folder is the kit's my_work/."""
    kit = tmp_path / "kit"
    solution = new_notebook(cells=[new_code_cell('answer = 0.5  # ANSWER')])
    (kit / "solutions").mkdir(parents=True)
    nbformat.write(solution, kit / "solutions" / "00_start_here.ipynb")
    (kit / "exercises").mkdir()
    (kit / "pyproject.toml").write_text("[project]\nname = 'kit'\n", encoding="utf-8")
    for name in ("AIPM_WORK_DIR", "AIPM_PROGRESS_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AIPM_KIT_ROOT", str(kit))
    monkeypatch.chdir(kit)
    return kit


def learners_copy(kit: Path) -> bytes:
    mine = json.dumps({"cells": [], "metadata": {"note": "my answers"}, "nbformat": 4, "nbformat_minor": 5}).encode()
    (kit / "my_work").mkdir(exist_ok=True)
    (kit / "my_work" / "00_start_here.ipynb").write_bytes(mine)
    return mine


def test_build_exercises_out_my_work_is_refused_with_a_plain_message(small_kit, capsys):
    from aipm_course import cli

    mine = learners_copy(small_kit)
    assert cli.main(["build-exercises", "--out", "my_work"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("aipm: error: Not writing to my_work: it is the learner's work folder")
    assert "00_start_here.ipynb" in err and "--force" in err and "Traceback" not in err
    assert (small_kit / "my_work" / "00_start_here.ipynb").read_bytes() == mine
    assert sorted(p.name for p in (small_kit / "my_work").iterdir()) == ["00_start_here.ipynb"]


def test_build_exercises_force_keeps_a_timestamped_backup_and_says_where(small_kit, capsys):
    from aipm_course import cli

    mine = learners_copy(small_kit)
    assert cli.main(["build-exercises", "--out", "my_work", "--force"]) == 0
    out = capsys.readouterr().out
    backups = list((small_kit / "my_work" / "backups").iterdir())
    assert len(backups) == 1 and re.fullmatch(r"00_start_here\.\d{8}-\d{6}(-\d+)?\.ipynb", backups[0].name)
    assert backups[0].read_bytes() == mine
    assert f"backed up {Path('my_work') / 'backups' / backups[0].name}" in out
    assert "wrote" in out


def test_the_author_flow_regenerates_the_kits_exercises_without_a_flag(small_kit, capsys):
    """`make exercises` then `make check-exercises`: the kit's exercises/ are generated files."""
    from aipm_course import cli

    stale = small_kit / "exercises" / "00_start_here.ipynb"
    stale.write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}', encoding="utf-8")
    assert cli.main(["build-exercises", "--check"]) == 1
    assert cli.main(["build-exercises"]) == 0
    assert cli.main(["build-exercises", "--check"]) == 0
    out = capsys.readouterr().out
    assert f"wrote     {small_kit / 'exercises' / '00_start_here.ipynb'}" in out
    assert "answer = ___" in stale.read_text(encoding="utf-8")
    assert not (small_kit / "exercises" / "backups").exists()


def test_build_exercises_help_explains_force(tmp_path):
    text = " ".join(aipm("build-exercises", "--help", work=tmp_path / "work").stdout.split())
    assert "--force" in text and "backups/" in text and "work folder" in text


def test_progress_with_a_folder_for_its_file_exits_1_saying_where_and_leaves_it(tmp_path, monkeypatch, capsys):
    from aipm_course import cli

    folder = tmp_path / "progress.json"
    folder.mkdir()
    monkeypatch.setenv("AIPM_PROGRESS_FILE", str(folder))
    assert cli.main(["progress"]) == 1
    err = capsys.readouterr().err
    assert "is a folder" in err and str(folder) in err and "Traceback" not in err
    assert list(folder.iterdir()) == []
