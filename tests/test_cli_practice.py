"""`aipm practice` driven as a learner drives it: the installed command in a subprocess, with typed
input piped in (a slip, a right answer, a hint, a skip, q; the end of the input mid-session; the mock
interview; the history), and the terminal loop in-process with a fake timer for the time limit.

The answers typed are worked out here from the items the planner will show: on an empty log the plan
depends only on the seed and the minutes, so ``plan_session`` with the same arguments rebuilds it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from aipm_course import drills
from aipm_course.practice import MockInterview, PracticeLog, Scheduler, TerminalPractice, all_kinds, kind_title, plan_session

AIPM = Path(sys.executable).parent / "aipm"
UTC = dt.timezone.utc


def aipm(*args: str, work: Path, stdin: str = "", timeout: float = 120) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIPM_")}
    env["AIPM_WORK_DIR"] = str(work)
    work.parent.mkdir(parents=True, exist_ok=True)
    return subprocess.run([str(AIPM), *args], env=env, cwd=work.parent, input=stdin, capture_output=True, text=True,
                          timeout=timeout, check=False)


def plain(text: str) -> str:
    return re.sub(r"\*\*([^*]+)\*\*", r"\1", text).replace("`", "")


def no_traceback(run: subprocess.CompletedProcess) -> bool:
    return "Traceback" not in run.stdout + run.stderr


def log_of(work: Path) -> PracticeLog:
    return PracticeLog(work / ".aipm" / "practice.sqlite")


def plan(tmp_path: Path, minutes: float, seed: int) -> list:
    """The items `aipm practice --minutes M --seed S` shows on an empty log."""
    return plan_session(PracticeLog(tmp_path / "scratch" / "empty.sqlite"), minutes=minutes, seed=seed)


def right_so_what(item) -> list[str]:
    return [item.so_what.spec.correct] if getattr(item, "so_what", None) is not None else []


def skip_so_what(item) -> list[str]:
    return ["s"] if getattr(item, "so_what", None) is not None else []


def typed(value: float) -> str:
    return repr(float(value))


# --------------------------------------------------------------------------------------------
# A session end to end
# --------------------------------------------------------------------------------------------


def test_a_scripted_session_checks_records_and_shows_in_the_history(tmp_path):
    seed = 5
    minutes = next(m for m in range(3, 30) if len(plan(tmp_path, m, seed)) >= 4)  # the fewest minutes with four items
    items = plan(tmp_path, minutes, seed)
    first, second, third = items[:3]
    assert not hasattr(first, "assumptions") and not hasattr(second, "assumptions")  # drills come before estimates
    slip = first.slips[0]
    lines = ["8,3", typed(slip.value), *skip_so_what(first),         # a typo (decimal comma), then a named slip
             typed(second.expected), *right_so_what(second),         # a right answer
             "h", "s",                                               # a hint, then a skip
             "q"]                                                    # stop at the fourth
    work = tmp_path / "work"
    run = aipm("practice", "--minutes", str(minutes), "--seed", str(seed), "--work-dir", str(work), work=tmp_path / "other",
               stdin="\n".join(lines) + "\n")
    out = run.stdout
    assert run.returncode == 0, run.stderr
    assert no_traceback(run)
    assert f"[1/{len(items)}] {first.title} ({first.level}, suggested {first.seconds} s)" in out
    assert plain(first.prompt) in out
    assert "Could not read '8,3' as a number" in out
    assert plain(slip.feedback)[:60] in out                           # the slip's own feedback
    assert re.search(rf"took \d+ s \(suggested {first.seconds} s\)", out)
    assert "Hint 1 of" in out and f"[4/{len(items)}]" in out
    assert f"Score: 1 of 3 right (1 skipped)" in out
    assert plain(first.working)[:50] in out and plain(third.working)[:50] in out  # misses, with the worked solution
    assert "Next due:" in out and f"{kind_title(second.kind)}: due again in 24 hours" in out
    if first.so_what is not None:
        assert "So what?" in out and "Skipped." in out
    # why these kinds: one line each
    assert f"- {kind_title(first.kind)} (warm-up): never tried: new to you" in out

    rows = log_of(work).drill_attempts()
    assert [(r.kind, r.outcome) for r in rows] == [(first.kind, "incorrect"), (second.kind, "correct"), (third.kind, "skipped")]
    assert [r.seed for r in rows] == [first.seed, second.seed, third.seed]
    assert rows[0].answer == typed(slip.value)
    assert rows[0].so_what == ("skipped" if first.so_what is not None else None)
    assert rows[1].so_what == ("correct" if second.so_what is not None else None)
    assert len({r.session for r in rows}) == 1 and rows[0].session
    assert not (tmp_path / "other").exists() or not list((tmp_path / "other").rglob("*.sqlite"))  # --work-dir wins

    history = aipm("practice", "--history", "--work-dir", str(work), work=tmp_path / "other")
    assert history.returncode == 0 and no_traceback(history)
    for item, accuracy in ((first, "0%"), (second, "100%"), (third, "0%")):
        block = history.stdout.split(kind_title(item.kind), 1)[1].split("\n\n")[0]
        assert re.search(rf"\s1\s+{1 if accuracy == '100%' else 0}\s+{accuracy}", block), block
    assert f"{kind_title(second.kind)} (box 1, warm-up; due again in 24 hours" in history.stdout
    assert f"{kind_title(first.kind)} (box 0, warm-up; due again now" in history.stdout


def test_the_end_of_input_mid_session_keeps_what_was_done(tmp_path):
    items = plan(tmp_path, 10, 11)
    first = items[0]
    work = tmp_path / "work"
    run = aipm("practice", "--seed", "11", "--work-dir", str(work), work=work, stdin=typed(first.expected) + "\n")  # then EOF
    assert run.returncode == 0, run.stderr
    assert no_traceback(run)
    assert "Score: 1 of 1 right" in run.stdout
    # the input ended at the "so what" (or at the next item): the number is kept, no choice recorded
    rows = log_of(work).drill_attempts()
    assert [(r.kind, r.outcome, r.so_what, r.answer) for r in rows] == [(first.kind, "correct", None, typed(first.expected))]


def test_no_input_at_all_records_nothing(tmp_path):
    work = tmp_path / "work"
    run = aipm("practice", "--minutes", "5", "--work-dir", str(work), work=work, stdin="")
    assert run.returncode == 0 and no_traceback(run)
    assert "Nothing answered, nothing recorded." in run.stdout
    assert log_of(work).drill_attempts() == []


def test_the_mock_interview_end_to_end(tmp_path):
    seed = 8
    mock = MockInterview(PracticeLog(tmp_path / "scratch" / "empty.sqlite"), seed=seed)  # what the command will plan
    lines = []
    for step in mock.steps:
        item = step.item
        if step.kind == "drill":
            if hasattr(item, "assumptions"):
                lines += [typed(item.typical[a.name]) for a in item.assumptions] + [typed(item.compute(item.typical))]
            else:
                lines.append(typed(item.expected))
            lines += right_so_what(item)
        else:
            lines += ["", "1,2"]  # answered aloud; two rubric points
    work = tmp_path / "work"
    run = aipm("practice", "--mock", "--seed", str(seed), "--work-dir", str(work), work=work, stdin="\n".join(lines) + "\n")
    out = run.stdout
    assert run.returncode == 0, run.stderr
    assert no_traceback(run)
    opens = [s.item for s in mock.steps if s.kind == "open"]
    for q in opens:
        assert plain(q.question) in out
        for follow in q.follow_ups:
            assert plain(follow) in out
        assert plain(q.rubric[0].point) in out
    assert "Mock interview report" in out and "Drills: 3 of 3 right" in out
    for q in opens:
        assert f"Open question: {q.id}: {2 / len(q.rubric):.0%} of the rubric" in out
    assert "Time:" in out and "minutes of 30" in out
    drills_logged = log_of(work).drill_attempts()
    assert [(a.kind, a.outcome) for a in drills_logged] == [(s.item.kind, "correct") for s in mock.steps if s.kind == "drill"]
    opens_logged = log_of(work).open_attempts()
    assert [(o.question_id, len(o.ticked)) for o in opens_logged] == [(q.id, 2) for q in opens]
    assert len({a.session for a in drills_logged} | {o.session for o in opens_logged}) == 1


# --------------------------------------------------------------------------------------------
# History, errors, a damaged log
# --------------------------------------------------------------------------------------------


def test_history_of_an_empty_log_says_how_to_start(tmp_path):
    run = aipm("practice", "--history", work=tmp_path / "work")
    assert run.returncode == 0
    assert run.stdout.strip() == "no practice recorded yet: run `aipm practice`"


def main(args: list[str], work: Path, monkeypatch, capsys, stdin: str = "") -> tuple[int, str, str]:
    """`aipm ARGS` in this process (faster than a subprocess): exit code, stdout, stderr."""
    import io

    from aipm_course import cli

    for key in [k for k in os.environ if k.startswith("AIPM_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("AIPM_WORK_DIR", str(work))
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    try:
        code = cli.main(args)
    except SystemExit as exit:
        code = exit.code
    out, err = capsys.readouterr()
    return code, out, err


BAD_OPTIONS = [
    (["--minutes", "0"], ["--minutes", "got 0", "above 0 and at most 120"]),
    (["--minutes", "500"], ["--minutes", "got 500", "at most 120"]),
    (["--minutes", "nan"], ["--minutes", "got nan"]),
    (["--kinds", "blast_radius,nope"], ["--kinds", "'nope'", "base_rate_precision", "blast_radius"]),
    (["--kinds", ","], ["--kinds", "','"]),
    (["--seed", "-1"], ["--seed", "got -1", "from 0"]),
    (["--scenario", "nope"], ["--scenario", "'nope'", "'default'"]),
    (["--mock", "--scenario", "nope"], ["--scenario", "'nope'"]),
]


@pytest.mark.parametrize("args, words", BAD_OPTIONS)
def test_bad_options_are_refused_by_name_with_exit_1(tmp_path, monkeypatch, capsys, args, words):
    code, out, err = main(["practice", *args], tmp_path / "work", monkeypatch, capsys)
    assert code == 1, out
    assert err.startswith("aipm: error: ")
    for w in words:
        assert w in err
    assert not (tmp_path / "work" / ".aipm" / "practice.sqlite").exists()


@pytest.mark.parametrize("args, words", BAD_OPTIONS[:1] + BAD_OPTIONS[3:4])
def test_bad_options_in_the_installed_command(tmp_path, args, words):
    run = aipm("practice", *args, work=tmp_path / "work")
    assert run.returncode == 1 and run.stderr.startswith("aipm: error: ") and no_traceback(run)
    assert all(w in run.stderr for w in words)


@pytest.mark.parametrize("args", [["--minutes", "ten"], ["--seed", "1.5"], ["--history", "--mock"], ["--frobnicate"]])
def test_usage_errors_exit_2(tmp_path, monkeypatch, capsys, args):
    code, out, err = main(["practice", *args], tmp_path / "work", monkeypatch, capsys)
    assert code == 2
    assert "usage: aipm" in err and "error:" in err


def test_help_explains_the_schedule(tmp_path):
    run = aipm("practice", "--help", work=tmp_path / "work")
    assert run.returncode == 0
    text = " ".join(run.stdout.split())
    assert " ".join(Scheduler.explain().split()) in text
    for option in ("--minutes", "--kinds", "--seed", "--scenario", "--history", "--mock", "--work-dir"):
        assert option in text


def test_a_damaged_log_is_set_aside_with_a_warning(tmp_path):
    work = tmp_path / "work"
    (work / ".aipm").mkdir(parents=True)
    (work / ".aipm" / "practice.sqlite").write_bytes(b"not a database at all" * 100)
    run = aipm("practice", "--history", work=work)
    assert run.returncode == 0 and no_traceback(run)
    assert "aipm: warning: The practice log" in run.stderr and "practice.sqlite.corrupt-" in run.stderr
    assert "no practice recorded yet" in run.stdout
    assert len(list((work / ".aipm").glob("practice.sqlite.corrupt-*"))) == 1


@pytest.mark.parametrize("args", [["--minutes", "3"], ["--history"], ["--mock"]])
def test_a_folder_in_the_logs_place_is_an_error_and_left_alone(tmp_path, monkeypatch, capsys, args):
    work = tmp_path / "work"
    folder = work / ".aipm" / "practice.sqlite"
    folder.mkdir(parents=True)
    (folder / "keep.txt").write_text("mine", encoding="utf-8")
    code, out, err = main(["practice", *args], work, monkeypatch, capsys, stdin="0.5\n")
    assert code == 1, out
    assert err.startswith("aipm: error: the practice log ") and "is a folder" in err
    assert sorted(p.name for p in folder.iterdir()) == ["keep.txt"]


# --------------------------------------------------------------------------------------------
# The terminal loop in-process: the time limit, and a drill answered with a hint
# --------------------------------------------------------------------------------------------


class Script:
    """Typed lines, then EOF; and a timer that moves on by ``step`` seconds at each prompt."""

    def __init__(self, lines, step=0.0):
        self.lines, self.step, self.t, self.out = list(lines), step, 0.0, []

    def ask(self, prompt):
        self.out.append(prompt)
        self.t += self.step
        if not self.lines:
            raise EOFError
        return self.lines.pop(0)

    def say(self, text=""):
        self.out.append(text + "\n")

    def timer(self):
        return self.t

    @property
    def text(self):
        return "".join(self.out)


def test_when_the_time_runs_out_the_session_finishes_the_item_and_stops(tmp_path):
    items = plan(tmp_path, 10, 2)
    assert len(items) >= 2
    first = items[0]
    # each prompt takes 700 s: the first item's answer comes after the 10-minute session is over
    script = Script([typed(first.expected), *right_so_what(first), typed(items[1].expected)], step=700)
    log = PracticeLog(tmp_path / "p.sqlite")
    terminal = TerminalPractice(log, ask=script.ask, say=script.say, timer=script.timer)
    assert terminal.session(minutes=10, seed=2) == 0
    assert "Time is up (10 minutes): the session stops here." in script.text
    assert [(a.kind, a.outcome) for a in log.drill_attempts()] == [(first.kind, "correct")]  # the item was finished
    assert "[2/" not in script.text


def test_the_terminal_refuses_bad_options_by_their_names(tmp_path):
    terminal = TerminalPractice(PracticeLog(tmp_path / "p.sqlite"))
    with pytest.raises(ValueError, match=r"^--minutes must be a number of minutes above 0 and at most 120, got 0$"):
        terminal.session(minutes=0)
    with pytest.raises(ValueError, match=r"^--kinds must be kinds separated by commas, from: base_rate_precision.*; got 'x'$"):
        terminal.session(kinds="x")
    with pytest.raises(ValueError, match="^--seed"):
        terminal.session(seed=-4)


def test_every_kind_can_be_answered_in_the_terminal(tmp_path):
    """One right answer per kind, typed as text: drills and estimates alike."""
    for kind in all_kinds():
        item = plan_session(PracticeLog(tmp_path / "scratch.sqlite"), minutes=10, kinds=[kind], seed=1)[0]
        if hasattr(item, "assumptions"):
            lines = [typed(item.typical[a.name]) for a in item.assumptions] + [typed(item.compute(item.typical))]
        else:
            lines = [typed(item.expected)]
        script = Script(lines + right_so_what(item) + ["q"])
        log = PracticeLog(tmp_path / f"{kind}.sqlite")
        TerminalPractice(log, ask=script.ask, say=script.say, timer=script.timer).session(minutes=10, kinds=kind, seed=1)
        assert [(a.kind, a.outcome) for a in log.drill_attempts()][:1] == [(kind, "correct")], script.text
        if isinstance(item, drills.Drill) and item.so_what is not None:
            assert log.drill_attempts()[0].so_what == "correct"


def test_a_damaged_log_that_cannot_be_set_aside_is_an_error(tmp_path, monkeypatch, capsys):
    from aipm_course import practice

    work = tmp_path / "work"
    (work / ".aipm").mkdir(parents=True)
    (work / ".aipm" / "practice.sqlite").write_bytes(b"\x00garbage" * 200)

    def refuse(*args):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(practice.os, "rename", refuse)
    code, out, err = main(["practice", "--minutes", "5"], work, monkeypatch, capsys, stdin="0.5\n")
    assert code == 1
    assert err.startswith("aipm: error: the practice log ") and "could not be moved aside (Permission denied)" in err
    assert (work / ".aipm" / "practice.sqlite").read_bytes() == b"\x00garbage" * 200
