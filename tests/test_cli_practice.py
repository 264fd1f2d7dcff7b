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
    # per kind: attempts, right, accuracy, median s, then the "so what" record (right of answered) and the hints shown
    so_whats = {first: "-", second: "1 of 1" if second.so_what is not None else "-", third: "-"}  # first: skipped; third: skipped whole
    for item, accuracy, hints in ((first, "0%", 0), (second, "100%", 0), (third, "0%", 1)):
        block = history.stdout.split(f"{kind_title(item.kind)} [{item.kind}]", 1)[1].split("\n\n")[0]
        assert re.search(rf"\s1\s+{1 if accuracy == '100%' else 0}\s+{accuracy}\s+(\d+|-)\s+{re.escape(so_whats[item])}\s+{hints}\n", block + "\n"), block
    assert f"{kind_title(second.kind)} [{second.kind}]: box 1, warm-up; due again in 24 hours" in history.stdout
    assert f"{kind_title(first.kind)} [{first.kind}]: box 0, warm-up; due again now" in history.stdout
    # the kinds never tried are listed too, each with the id --kinds takes
    never = history.stdout.split("Never tried [id, for --kinds]:\n", 1)[1].split("\n\n")[0]
    tried = {first.kind, second.kind, third.kind}
    assert never.splitlines() == [f"- {kind_title(k)} [{k}]" for k in all_kinds() if k not in tried]


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


def test_history_of_an_empty_log_says_how_to_start_and_lists_every_kind(tmp_path):
    run = aipm("practice", "--history", work=tmp_path / "work")
    assert run.returncode == 0
    first, *rest = run.stdout.strip().split("\n")
    assert first == "no practice recorded yet: run `aipm practice`"
    assert rest == ["", "Never tried [id, for --kinds]:"] + [f"- {kind_title(k)} [{k}]" for k in all_kinds()]


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
    # every kind's id, the word --kinds takes, with its title
    listed = run.stdout.split("Kinds (the id, which --kinds takes, then the title):\n", 1)[1]
    assert listed.strip().split("\n") == [f"- {k}: {kind_title(k)}" for k in all_kinds()]


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


# --------------------------------------------------------------------------------------------
# After a learner's review: shares typed as percentages, the best "so what", slow answers, hints,
# the mock's options and a mock left early, unreadable rows
# --------------------------------------------------------------------------------------------


def first_item(tmp_path, kind, seed=1):
    return plan_session(PracticeLog(tmp_path / "scratch" / f"{kind}.sqlite"), minutes=10, kinds=[kind], seed=seed)[0]


def run_session(tmp_path, kind, lines, step=0.0, seed=1):
    script = Script(lines, step=step)
    log = PracticeLog(tmp_path / f"{kind}-run.sqlite")
    TerminalPractice(log, ask=script.ask, say=script.say, timer=script.timer).session(minutes=10, kinds=kind, seed=seed)
    return script.text, log


def test_a_share_typed_as_a_percentage_without_the_sign_is_asked_again(tmp_path):
    item = first_item(tmp_path, "base_rate_precision")
    assert item.fraction and "between 0 and 1" in item.prompt
    text, log = run_session(tmp_path, "base_rate_precision", ["45.2", "5", typed(item.expected), *right_so_what(item), "q"])
    # worked by hand: 45.2 is 45.2% = 0.452; 5 is 5% = 0.05
    assert "A share is between 0 and 1: type 0.452 or 45.2%\n" in text
    assert "A share is between 0 and 1: type 0.05 or 5%\n" in text
    before_answer = text.split("type 0.05 or 5%", 1)[0].split(item.prompt[:30], 1)[1]
    assert "Correct" not in before_answer and "Not yet" not in before_answer  # it does not say whether it would be right
    rows = log.drill_attempts()
    assert [(r.outcome, r.answer) for r in rows] == [("correct", typed(item.expected))]  # the typo used nothing up


def test_a_share_with_its_percent_sign_or_above_100_is_judged_as_typed(tmp_path):
    item = first_item(tmp_path, "base_rate_precision")
    text, log = run_session(tmp_path, "base_rate_precision", ["45.2%", *skip_so_what(item), "q"])
    assert "A share is between 0 and 1" not in text
    assert [r.answer for r in log.drill_attempts()] == ["45.2%"]
    text, log = run_session(tmp_path / "b", "base_rate_precision", ["452", *skip_so_what(item), "q"])
    assert "A share is between 0 and 1" not in text and [r.outcome for r in log.drill_attempts()] == ["incorrect"]


def test_a_share_assumption_typed_as_a_percentage_is_asked_again(tmp_path):
    item = first_item(tmp_path, "estimate_review_team")
    shares = [a for a in item.assumptions if a.unit == "share"]
    assert shares and item.assumptions[0].unit == "share"
    values = [typed(item.typical[a.name]) for a in item.assumptions]
    text, log = run_session(tmp_path, "estimate_review_team", ["12.5", *values, typed(item.compute(item.typical)), "q"])
    assert "A share is between 0 and 1: type 0.125 or 12.5%\n" in text
    assert [r.outcome for r in log.drill_attempts()] == ["correct"]


def test_a_wrong_so_what_shows_the_best_choice_its_letter_text_and_why(tmp_path):
    item = first_item(tmp_path, "pricing_margin")
    spec = item.so_what.spec
    wrong = next(k for k in spec.options if k != spec.correct)
    text, log = run_session(tmp_path, "pricing_margin", [typed(item.expected), wrong, "q"])
    after = text.split("so what> ", 1)[1]
    assert "Not the best choice" in after
    assert f"The best choice: {spec.correct}) {plain(spec.options[spec.correct]).rstrip('.')}." in after
    assert spec.why and f"Why: {plain(spec.why)}" in after
    right_text, _ = run_session(tmp_path / "r", "pricing_margin", [typed(item.expected), spec.correct, "q"])
    assert "The best choice" not in right_text  # a right choice needs no correction
    assert [r.so_what for r in log.drill_attempts()] == ["incorrect"]


def test_a_right_but_slow_answer_says_so_at_once(tmp_path):
    item = first_item(tmp_path, "blast_radius")
    slow = 2 * item.seconds + 1  # one prompt, one step: the answer takes this many seconds
    text, log = run_session(tmp_path, "blast_radius", [typed(item.expected), *skip_so_what(item), "q"], step=slow)
    assert f"right but slow ({slow} s of {item.seconds} s suggested): it stays in its box\n" in text
    assert Scheduler(log).state("blast_radius").last_move == "slow"
    text, _ = run_session(tmp_path / "fast", "blast_radius", [typed(item.expected), *skip_so_what(item), "q"], step=2 * item.seconds)
    assert "right but slow" not in text and f"took {2 * item.seconds} s (suggested {item.seconds} s)" in text  # exactly twice is not slow


def test_hints_are_recorded_and_a_right_answer_after_the_last_one_keeps_its_box(tmp_path):
    item = first_item(tmp_path, "cost_per_query")
    assert len(item.hints) == 2
    text, log = run_session(tmp_path, "cost_per_query", ["h", "h", "h", typed(item.expected), *skip_so_what(item), "q"])
    assert "No more hints" in text  # the third h: nothing more, and not counted
    assert "right after the last hint" in text and "it counts in your score, but it stays in its box" in text
    [row] = log.drill_attempts()
    assert (row.outcome, row.hints) == ("correct", 2)
    state = Scheduler(log).state("cost_per_query")
    assert (state.box, state.correct, state.last_move) == (0, 1, "hinted")
    text, log = run_session(tmp_path / "one", "cost_per_query", ["h", typed(item.expected), *skip_so_what(item), "q"])
    assert [r.hints for r in log.drill_attempts()] == [1] and Scheduler(log).state("cost_per_query").box == 1
    assert "right after the last hint" not in text


@pytest.mark.parametrize("args, words", [
    (["--mock", "--kinds", "blast_radius"], ["--kinds cannot be used with --mock", "'blast_radius'", "picks its own three drills"]),
    (["--mock", "--minutes", "2"], ["--minutes with --mock", "from 5 to 120", "got 2"]),
    (["--mock", "--minutes", "500"], ["--minutes with --mock", "got 500"]),
])
def test_the_mock_refuses_options_it_cannot_honour(tmp_path, monkeypatch, capsys, args, words):
    code, out, err = main(["practice", *args], tmp_path / "work", monkeypatch, capsys)
    assert code == 1 and err.startswith("aipm: error: ")
    for w in words:
        assert w in err
    assert not (tmp_path / "work" / ".aipm" / "practice.sqlite").exists()


def test_the_mock_takes_its_length_from_minutes(tmp_path, monkeypatch, capsys):
    code, out, err = main(["practice", "--mock", "--minutes", "12", "--seed", "3"], tmp_path / "work", monkeypatch, capsys)
    assert code == 0, err
    assert "in 12 minutes" in out and "minutes of 12." in out
    code, out, err = main(["practice", "--mock", "--seed", "3"], tmp_path / "work2", monkeypatch, capsys)
    assert "in 30 minutes" in out and "minutes of 30." in out


def mock_lines(mock):
    lines = []
    for step in mock.steps:
        if step.kind != "drill":
            break
        item = step.item
        if hasattr(item, "assumptions"):
            lines += [typed(item.typical[a.name]) for a in item.assumptions] + [typed(item.compute(item.typical))]
        else:
            lines.append(typed(item.expected))
        lines += right_so_what(item)
    return lines


def test_a_mock_left_at_an_open_question_says_left_before_scoring(tmp_path):
    seed = 4
    mock = MockInterview(PracticeLog(tmp_path / "scratch.sqlite"), seed=seed)
    script = Script(mock_lines(mock))  # the three drills, then the input ends at the first open question
    log = PracticeLog(tmp_path / "p.sqlite")
    TerminalPractice(log, ask=script.ask, say=script.say, timer=script.timer).mock(seed=seed)
    first_q, second_q = (s.item for s in mock.steps[3:])
    assert plain(first_q.question) in script.text  # it was shown
    assert f"Open question: {first_q.id}: left before scoring\n" in script.text
    assert f"Open question: {second_q.id}: not reached\n" in script.text
    assert f"- Open question: {first_q.id}: left before scoring\n" in script.text
    assert len(log.drill_attempts()) == 3 and log.open_attempts() == []


def test_a_mock_left_at_the_so_what_keeps_the_number(tmp_path):
    seed = 4
    mock = MockInterview(PracticeLog(tmp_path / "scratch.sqlite"), seed=seed)
    first = mock.steps[0].item
    assert isinstance(first, drills.Drill) and first.so_what is not None
    script = Script([typed(first.expected), "q"])  # the number, then stop at the "so what"
    log = PracticeLog(tmp_path / "p.sqlite")
    TerminalPractice(log, ask=script.ask, say=script.say, timer=script.timer).mock(seed=seed)
    [row] = log.drill_attempts()
    assert (row.kind, row.outcome, row.so_what) == (first.kind, "correct", None)
    assert "Drills: 1 of 3 right" in script.text
    assert f"- {mock.steps[1].title}: not reached" in script.text


def test_unreadable_rows_are_named_once_in_a_warning(tmp_path, monkeypatch, capsys):
    import sqlite3
    from contextlib import closing

    work = tmp_path / "work"
    log = log_of(work)
    for minutes in range(3):
        log.record_drill(kind="blast_radius", difficulty=1, seed=minutes, answer="1", outcome="correct", seconds=30,
                         at=dt.datetime(2026, 12, 1, 9, minutes, tzinfo=UTC))
    with closing(sqlite3.connect(log.path)) as con, con:
        con.execute("UPDATE drill_attempts SET at = 'last Tuesday' WHERE id = 2")
    code, out, err = main(["practice", "--history"], work, monkeypatch, capsys)
    assert code == 0
    assert err.count("aipm: warning:") == 1
    assert f"The practice log {log.path} has 1 row of drill attempts that cannot be read" in err
    assert re.search(r"\s2\s+2\s+100%", out)  # the two readable attempts


def test_a_missed_estimate_is_worked_from_the_learners_own_assumptions():
    """The review redoes the arithmetic with the numbers the learner gave, not only the typical case."""
    from aipm_course.estimation import make_estimate
    from aipm_course.practice import _worked

    est = make_estimate("estimate_llm_monthly_cost", seed=4, difficulty=1)
    mine = dict(est.typical)
    name = est.assumptions[0].name
    mine[name] = est.assumptions[0].high  # still plausible, but not the typical value
    own = _worked(est, {**{k: str(v) for k, v in mine.items()}, "answer": "1"})
    typical = _worked(est)
    assert own != typical
    assert est.precision.format(est.compute(mine)).split(".")[0] in own.replace("$", "")
    assert _worked(est, {"answer": "1"}) == typical  # assumptions missing: the typical case
