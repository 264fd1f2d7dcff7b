"""The class as a whole: `aipm class status` (where the room is) and `aipm collect` (gathering notebooks).

Every test builds learners' folders under tmp_path. Both commands only read those folders: the
tests compare every file's bytes and times before and after.
"""

import datetime as dt
import hashlib
import json
import os
import re
import time
from pathlib import Path

import pytest

from aipm_course import classroom, cli
from aipm_course.classroom import ClassroomError, class_status, collect, learner_names, write_html
from aipm_course.workspace import ProgressStore

REPO = Path(__file__).resolve().parents[1]
NOW = dt.datetime(2026, 12, 4, 14, 0, 0)


def entry(attempts, passed, last, first=None, outcome=None, seed=None, scenario="fintech_fraud"):
    data = {"attempts": attempts, "passed": passed, "last_checked": last,
            "last_outcome": outcome or ("correct" if passed else "incorrect" if attempts else "not attempted")}
    if first is not None:
        data["first_checked"] = first
    if seed is not None:
        data["parameters"] = {"seed": seed, "scenario": scenario}
    return data


def write_progress(work: Path, questions: dict) -> Path:
    path = work / ".aipm" / "progress.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"version": 1, "questions": questions}), encoding="utf-8")
    return path


def snapshot(folder: Path) -> dict:
    """Every path below folder with its bytes (files) and modification time."""
    state = {}
    for path in sorted(folder.rglob("*")):
        info = path.lstat()
        content = path.read_bytes() if path.is_file() and not path.is_symlink() else None
        state[str(path)] = (content, info.st_mtime_ns, info.st_mode)
    return state


@pytest.fixture
def room(tmp_path):
    """Five learners in /…/home/<name>/aipm-work; module 02 under way at 14:00."""
    home = tmp_path / "home"
    works = {name: home / name / "aipm-work" for name in ("alice", "bob", "carol", "dave", "erin")}
    for work in works.values():
        work.mkdir(parents=True)
    write_progress(works["alice"], {
        "02.q1": entry(1, True, "2026-12-04T13:10:00", first="2026-12-04T13:10:00", seed=3),
        "02.q2": entry(3, False, "2026-12-04T13:50:00", first="2026-12-04T13:20:00", seed=3),
    })
    write_progress(works["bob"], {
        "02.q1": entry(2, True, "2026-12-04T13:30:00", first="2026-12-04T13:15:00", seed=4),
        "02.q2": entry(1, False, "2026-12-04T13:40:00", first="2026-12-04T13:40:00", seed=4),
        "02.q3": entry(4, False, "2026-12-04T13:55:00", first="2026-12-04T13:05:00", seed=4),
    })
    # carol's record is from before first_checked was kept: only the last check's time.
    write_progress(works["carol"], {
        "02.q2": entry(2, False, "2026-12-04T13:00:00"),
        "02.q1": entry(0, False, "2026-12-04T12:55:00"),  # ran the check with no answer
    })
    # dave has no progress file; erin's is damaged.
    (works["erin"] / ".aipm").mkdir()
    (works["erin"] / ".aipm" / "progress.json").write_bytes(b'{"questions": {"02.q1": {"attempts": "many"')
    return works


def question(status, key):
    return next(q for q in status.questions if q.key == key)


# --- names ---------------------------------------------------------------------------------------------


def test_a_work_folder_is_named_by_the_home_above_it():
    assert learner_names(["/home/alice/aipm-work", "/home/bob/aipm-work"]) == ["alice", "bob"]
    assert learner_names(["/srv/class/ann", "/srv/class/ben"]) == ["ann", "ben"]
    assert learner_names(["/home/alice/aipm-work"]) == ["alice"]
    assert learner_names(["/home/alice/my_work"]) == ["alice"]
    assert learner_names(["/home/alice"]) == ["alice"]
    # a hand-out pulled with nbgitpuller: walk up past my_work, team-NN and aipm-handout
    assert learner_names(["/home/dia/aipm-handout/team-02/my_work", "/home/eli/aipm-work"]) == ["dia", "eli"]


def test_homes_under_different_parents_keep_their_own_names():
    # the review's layouts: homes under two parents, and a home one level deeper than another
    assert learner_names(["/r/home1/ana", "/r/home1/chen", "/r/home2/ben"], homes=True) == ["ana", "chen", "ben"]
    assert learner_names(["/r/home1/ana/aipm-work", "/r/home1/chen/aipm-work", "/r/home2/ben/aipm-work"]) == ["ana", "chen", "ben"]
    assert learner_names(["/r/mixed/home/ana/aipm-work", "/r/mixed/home/users/ben/aipm-work"]) == ["ana", "ben"]
    assert learner_names(["/r/mixed/home/ana", "/r/mixed/home/users/ben"], homes=True) == ["ana", "ben"]


def test_a_home_is_named_by_its_last_component_for_collect():
    assert learner_names(["/home/alice/aipm-work"], homes=True) == ["aipm-work"]
    assert learner_names(["/srv/class/ann"], homes=True) == ["ann"]


def test_work_subdir_parts_are_walked_past_too():
    assert learner_names(["/home/ann/course/week1", "/home/ben/course/week1"], work_subdir="course/week1") == ["ann", "ben"]
    assert learner_names(["/home/ann/course/week1"]) == ["week1"]  # without it, week1 is the folder's own name


def test_only_names_that_would_repeat_are_told_apart_by_the_parent_and_the_report_says_so():
    names, notes = classroom.name_folders(["/r/home1/ana/aipm-work", "/r/home2/ana/aipm-work", "/r/home1/chen/aipm-work"])
    assert names == ["home1-ana", "home2-ana", "chen"]
    assert len(notes) == 1 and "2 folders would all be named ana" in notes[0]
    assert "home1-ana (/r/home1/ana/aipm-work)" in notes[0] and "home2-ana (/r/home2/ana/aipm-work)" in notes[0]
    assert classroom.name_folders(["/r/a/ana", "/r/b/ben"], homes=True) == (["ana", "ben"], [])


def test_a_home_really_named_like_a_told_apart_name_keeps_its_own():
    names, notes = classroom.name_folders(["/x/home1/ana", "/x/home2/ana", "/x/home1-ana"], homes=True)
    assert names[2] == "home1-ana" and names[1] == "home2-ana"
    assert names[0] not in ("ana", "home1-ana", "home2-ana") and names[0].endswith("home1-ana")
    assert len(set(names)) == 3 and notes


def test_names_still_alike_after_the_ancestors_are_told_apart_by_work_folder_then_numbered():
    assert learner_names(["/home/a/aipm-work", "/home/a/my_work"]) == ["a-aipm-work", "a-my_work"]
    assert learner_names(["/p/home/ana", "/q/home/ana"], homes=True) == ["p-home-ana", "q-home-ana"]
    names = learner_names(["/ana", "/ana/"], homes=True)  # nothing left to tell them apart: numbered
    assert len(names) == 2 and names[0] == "ana" and names[1] == "ana-2"


# --- class status: the numbers --------------------------------------------------------------------------


def test_each_question_counts_passed_stuck_and_not_started_among_readable_records(room):
    status = class_status(sorted(room.values()), now=NOW)
    assert status.modules == ("02",)
    assert [q.key for q in status.questions] == [f"02.q{n}" for n in range(1, 10)]
    q1, q2, q3, q9 = (question(status, k) for k in ("02.q1", "02.q2", "02.q3", "02.q9"))
    # alice, bob and carol have a readable record; dave has none and erin's is damaged.
    assert (sorted(q1.passed), [s.name for s in q1.stuck], sorted(q1.not_started)) == (["alice", "bob"], [], ["carol"])
    assert (q2.passed, sorted(s.name for s in q2.stuck), q2.not_started) == ((), ["alice", "bob", "carol"], ())
    assert (q3.passed, [s.name for s in q3.stuck], sorted(q3.not_started)) == ((), ["bob"], ["alice", "carol"])
    assert (q9.passed, q9.stuck, sorted(q9.not_started)) == ((), (), ["alice", "bob", "carol"])


def test_stuck_longest_is_the_earliest_first_attempt_or_else_the_last_check(room):
    status = class_status(list(room.values()), now=NOW)
    q2 = question(status, "02.q2")
    # carol (old record): last check 13:00; alice: first try 13:20 (her last, 13:50, does not count); bob: 13:40.
    assert [(s.name, s.since.strftime("%H:%M"), s.attempts) for s in q2.stuck] == [
        ("carol", "13:00", 2), ("alice", "13:20", 3), ("bob", "13:40", 1),
    ]
    assert q2.stuck_longest.name == "carol"
    text = str(status)
    q2_line = next(line for line in text.splitlines() if line.startswith("02.q2"))
    assert q2_line.split()[1:4] == ["0", "3", "0"]
    assert "carol, since 13:00 (1 h 00 min, 2 attempts)" in q2_line
    q3_line = next(line for line in text.splitlines() if line.startswith("02.q3"))
    assert "bob, since 13:05 (55 min, 4 attempts)" in q3_line


def test_each_learner_has_a_row_with_passed_attempted_stuck_and_last_activity(room):
    text = str(class_status(list(room.values()), now=NOW))
    rows = {line.split()[0]: line for line in text.splitlines() if line.split() and line.split()[0] in room}
    assert rows["alice"].split() == ["alice", "1", "2", "1", "13:50", "3", "fintech_fraud", "02.q2"]
    assert rows["bob"].split() == ["bob", "1", "3", "2", "13:55", "4", "fintech_fraud", "02.q2", "02.q3"]
    assert rows["carol"].split() == ["carol", "0", "1", "1", "13:00", "-", "-", "02.q2"]  # an old record: no parameters
    assert "no progress file" in rows["dave"] and str(room["dave"]) in rows["dave"]
    assert "damaged" in rows["erin"]
    assert "5 learner(s), 2 without a readable progress record" in text


def test_records_written_by_the_kit_itself_are_read(tmp_path):
    work = tmp_path / "home" / "zoe" / "aipm-work"
    store = ProgressStore(work / ".aipm" / "progress.json")
    store.record("03", "q4", "incorrect")
    store.record("03", "q4", "incorrect")
    store.record("03", "q5", "correct")
    status = class_status([work])
    assert [lr.name for lr in status.learners] == ["zoe"]
    assert status.modules == ("03",)
    q4 = question(status, "03.q4")
    assert [(s.name, s.attempts) for s in q4.stuck] == [("zoe", 2)]
    assert q4.stuck[0].since is not None
    assert question(status, "03.q5").passed == ("zoe",)


def test_module_filter_limits_the_questions_and_the_learners_counts(room):
    write_progress(room["dave"], {"03.q1": entry(1, True, "2026-12-04T13:59:00"), "02.q1": entry(1, True, "2026-12-04T13:58:00")})
    status = class_status(list(room.values()), modules=["3"], now=NOW)
    assert status.modules == ("03",)
    assert [q.key for q in status.questions] == [f"03.q{n}" for n in range(1, 11)]
    dave = next(line for line in str(status).splitlines() if line.startswith("dave"))
    assert dave.split()[:5] == ["dave", "1", "1", "0", "13:59"]
    both = class_status(list(room.values()), modules=["02,03"], now=NOW)
    assert both.modules == ("02", "03") and len(both.questions) == 19


@pytest.mark.parametrize("modules", [["9"], ["02", "x"], ["123"], [""], [2]])
def test_an_unknown_module_is_refused_naming_it_and_the_known_ones(room, modules):
    with pytest.raises(ClassroomError) as info:
        class_status(list(room.values()), modules=modules)
    assert "must be one of 00, 01, 02, 03, 04, 05, 06, 07" in str(info.value)


def test_questions_the_kit_does_not_have_are_not_counted(tmp_path):
    work = tmp_path / "home" / "mallory" / "aipm-work"
    write_progress(work, {"02.q99": entry(5, True, "2026-12-04T13:00:00"), "<script>": entry(1, True, "2026-12-04T13:00:00"),
                          "02.q1": entry(1, True, "2026-12-04T13:00:00")})
    status = class_status([work], now=NOW)
    assert [q.key for q in status.questions] == [f"02.q{n}" for n in range(1, 10)]
    assert "<script>" not in str(status) and "q99" not in str(status)


def test_the_same_folder_given_twice_is_one_learner(room):
    status = class_status([room["alice"], room["alice"], str(room["alice"]) + "/", room["bob"]], now=NOW)
    assert [lr.name for lr in status.learners] == ["alice", "bob"]


# --- class status: only reads, and never fails on one learner -------------------------------------------


def test_it_changes_nothing_not_even_a_damaged_file(room):
    before = snapshot(room["alice"].parents[1])
    class_status(list(room.values()), now=NOW)
    assert cli.main(["class", "status", *map(str, room.values())]) == 0
    assert snapshot(room["alice"].parents[1]) == before
    assert not (room["dave"] / ".aipm").exists()


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda p: None, "no progress file"),
        (lambda p: p.mkdir(parents=True), "not a regular file"),
        (lambda p: (p.parent.mkdir(parents=True), os.mkfifo(p)), "not a regular file"),
        (lambda p: (p.parent.mkdir(parents=True), p.write_bytes(b"\xff\xfe garbage")), "damaged"),
        (lambda p: (p.parent.mkdir(parents=True), p.write_text("[1, 2]")), "damaged"),
        (lambda p: (p.parent.mkdir(parents=True), p.write_text('{"questions": {"02.q1": {"passed": "yes"}}}')), "damaged"),
        (lambda p: (p.parent.mkdir(parents=True), p.write_bytes(b" " * (classroom.MAX_PROGRESS_BYTES + 1))), "too large"),
        (lambda p: (p.parent.mkdir(parents=True), p.symlink_to("/etc/hostname")), "symbolic link"),
        (lambda p: (p.parent.parent.mkdir(parents=True), p.parent.symlink_to("/etc")), "symbolic link"),
    ],
    ids=["missing", "a-folder", "a-pipe", "binary", "a-list", "bad-entry", "huge", "file-link", "folder-link"],
)
def test_a_progress_file_that_cannot_be_used_is_a_row_saying_why(tmp_path, room, make, words):
    odd = tmp_path / "home" / "odd" / "aipm-work"
    make(odd / ".aipm" / "progress.json")
    odd.mkdir(parents=True, exist_ok=True)
    status = class_status([room["alice"], odd], now=NOW)
    row = next(lr for lr in status.learners if lr.name == "odd")
    assert row.problem is not None and words in row.problem, row.problem
    assert row.answers == {}
    line = next(line for line in str(status).splitlines() if line.startswith("odd"))
    assert words in line
    assert question(status, "02.q1").passed == ("alice",)


def test_an_unreadable_progress_file_is_a_row(room, monkeypatch):
    target = str(room["bob"] / ".aipm" / "progress.json")
    real_open = os.open

    def refusing(path, flags, *args, **kwargs):
        if str(path) == target:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing)
    status = class_status(list(room.values()), now=NOW)
    bob = next(lr for lr in status.learners if lr.name == "bob")
    assert bob.problem == "progress file unreadable (Permission denied)"
    assert sorted(question(status, "02.q1").passed) == ["alice"]


def test_missing_folders_and_files_are_rows_and_the_command_still_succeeds(tmp_path, capsys):
    gone, a_file = tmp_path / "home" / "gone" / "aipm-work", tmp_path / "home" / "file" / "aipm-work"
    a_file.parent.mkdir(parents=True)
    a_file.write_text("not a folder")
    assert cli.main(["class", "status", str(gone), str(a_file)]) == 0
    out = capsys.readouterr().out
    assert "gone" in out and "work folder not found" in out
    assert "not a folder" in out
    assert "No check recorded yet" in out


# --- class status: the HTML page --------------------------------------------------------------------------


def test_the_html_page_has_the_same_rows_and_escapes_every_name(tmp_path, room, monkeypatch):
    import functools

    from aipm_course import classroom

    # the command reads the clock: pin it to the room's afternoon, so "since 13:00" is said on any day the suite runs
    monkeypatch.setattr(classroom, "class_status", functools.partial(classroom.class_status, now=NOW))
    odd = tmp_path / "home" / "<b>x&y'\"" / "aipm-work"
    write_progress(odd, {"02.q2": entry(1, False, "2026-12-04T13:30:00", first="2026-12-04T13:30:00")})
    page = tmp_path / "room.html"
    code = cli.main(["class", "status", *map(str, room.values()), str(odd), "--html", str(page)])
    assert code == 0
    text = page.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
    assert "&lt;b&gt;x&amp;y&#x27;&quot;" in text and "<b>x" not in text
    for name in ("alice", "bob", "carol", "dave", "erin"):
        assert f"<td>{name}</td>" in text
    assert "carol, since 13:00" in text and "damaged" in text
    assert "http://" not in text and "https://" not in text and "<script" not in text and "src=" not in text


def test_the_html_page_is_never_written_into_a_learners_folder_or_over_a_folder(tmp_path, room, capsys):
    before = snapshot(room["alice"].parents[1])
    inside = room["alice"] / "room.html"
    assert cli.main(["class", "status", *map(str, room.values()), "--html", str(inside)]) == 1
    err = capsys.readouterr().err
    assert "html must be a file outside the learners' work folders" in err and str(inside) in err
    assert snapshot(room["alice"].parents[1]) == before
    status = class_status(list(room.values()), now=NOW)
    with pytest.raises(ClassroomError, match="not a folder"):
        write_html(status, tmp_path)


def test_control_characters_in_a_name_are_not_printed(tmp_path, capsys):
    work = tmp_path / "home" / "ev\x1b[31mil" / "aipm-work"
    write_progress(work, {"02.q1": entry(1, True, "2026-12-04T13:30:00")})
    assert cli.main(["class", "status", str(work)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "ev?[31mil" in out


# --- class status: fast enough for a lecture hall ---------------------------------------------------------


def test_five_hundred_progress_files_take_well_under_a_second(tmp_path, capsys):
    import importlib.util

    spec = importlib.util.spec_from_file_location("class_status_benchmark", REPO / "benchmarks" / "class_status.py")
    benchmark = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(benchmark)
    folders = benchmark.build_room(tmp_path, 500)
    start = time.perf_counter()
    assert cli.main(["class", "status", *map(str, folders), "--html", str(tmp_path / "room.html")]) == 0
    seconds = time.perf_counter() - start
    out = capsys.readouterr().out
    assert "500 learner(s)" in out
    assert seconds < 3, f"{seconds:.2f} s for 500 progress files (target well under 1 s)"


def test_the_question_table_matches_the_exercises():
    from aipm_course.exercises import MODULES, question_ids

    assert {m: [f"q{n}" for n in range(1, count + 1)] for m, count in classroom.QUESTION_COUNTS.items()} == {
        m: question_ids(m) for m in MODULES
    }


# --- collect ------------------------------------------------------------------------------------------------


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def homes(tmp_path):
    """alice works in aipm-work (and has an old my_work), bob in my_work, carol in her home,
    dave has nothing; an old modification time on every notebook."""
    base = tmp_path / "home"
    layout = {
        "alice/aipm-work/02_precision_recall_costs.ipynb": b'{"alice": 2}',
        "alice/aipm-work/03_uncertainty_budgets.ipynb": b'{"alice": 3}',
        "alice/aipm-work/notes.txt": b"not a notebook",
        "alice/aipm-work/backups/02_precision_recall_costs.20261204-120000.ipynb": b"old",
        "alice/my_work/02_precision_recall_costs.ipynb": b'{"alice": "old"}',
        "bob/my_work/02_precision_recall_costs.ipynb": b'{"bob": 2}',
        "carol/00_start_here.ipynb": b'{"carol": 0}',
        "carol/Untitled.ipynb": b"{}",
        "dave/readme.md": b"hello",
    }
    for relative, data in layout.items():
        path = base / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        os.utime(path, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    return base


def test_collect_copies_each_learners_notebooks_from_every_folder(tmp_path, homes):
    before = snapshot(homes)
    report = collect(sorted(homes.iterdir()), tmp_path / "subs")
    subs = tmp_path / "subs"
    assert sorted(str(p.relative_to(subs)) for p in subs.rglob("*")) == [
        "alice", "alice/02_precision_recall_costs.ipynb", "alice/03_uncertainty_budgets.ipynb",
        "alice/my_work", "alice/my_work/02_precision_recall_costs.ipynb",
        "bob", "bob/02_precision_recall_costs.ipynb",
        "carol", "carol/00_start_here.ipynb",
    ]
    # aipm-work's copy keeps the plain name; my_work's copy of the same name goes into a sub-folder
    assert (subs / "alice/02_precision_recall_costs.ipynb").read_bytes() == b'{"alice": 2}'
    assert (subs / "alice/my_work/02_precision_recall_costs.ipynb").read_bytes() == b'{"alice": "old"}'
    assert (subs / "bob/02_precision_recall_costs.ipynb").read_bytes() == b'{"bob": 2}'
    for copy in subs.rglob("*.ipynb"):
        assert copy.stat().st_mtime_ns == 1_600_000_000_000_000_000
    assert snapshot(homes) == before
    assert report.copied == 5 and [lr.name for lr in report.empty] == ["dave"]
    text = str(report)
    assert "alice: copied 3 notebook(s)" in text and "bob: copied 1" in text and "carol: copied 1" in text
    assert f"{homes / 'alice/aipm-work'}, {homes / 'alice/my_work'}" in text
    assert "sub-folders of alice/: my_work/02_precision_recall_costs.ipynb" in text
    assert "Homes with no notebook: dave" in text


def test_collect_never_follows_a_link_and_reports_it(tmp_path, homes):
    secret = tmp_path / "secret.ipynb"
    secret.write_bytes(b"someone else's")
    (homes / "bob/my_work/05_rollout_planning.ipynb").symlink_to(secret)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "02_precision_recall_costs.ipynb").write_bytes(b"not dave's")
    (homes / "dave/aipm-work").symlink_to(elsewhere)
    report = collect([homes / "bob", homes / "dave"], tmp_path / "subs")
    assert sorted(p.name for p in (tmp_path / "subs").rglob("*")) == ["02_precision_recall_costs.ipynb", "bob"]
    bob, dave = report.learners
    assert bob.skipped == [(str(homes / "bob/my_work/05_rollout_planning.ipynb"), "a symbolic link, not followed")]
    assert dave.copied == [] and "outside the home" in dave.skipped[0][1]
    assert "skipped" in str(report) and "05_rollout_planning.ipynb" in str(report)


def test_a_notebook_that_cannot_be_read_is_reported_and_the_rest_are_copied(tmp_path, homes, monkeypatch):
    target = str(homes / "alice/aipm-work/03_uncertainty_budgets.ipynb")
    real_open = open

    def refusing(path, *args, **kwargs):
        if str(path) == target:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(classroom, "open", refusing, raising=False)
    before = snapshot(homes)
    report = collect([homes / "alice", homes / "bob"], tmp_path / "subs")
    alice = report.learners[0]
    assert alice.copied == ["02_precision_recall_costs.ipynb", "my_work/02_precision_recall_costs.ipynb"]
    assert alice.skipped == [(target, "not copied (Permission denied)")]
    assert not (tmp_path / "subs/alice/03_uncertainty_budgets.ipynb").exists()
    assert snapshot(homes) == before


def test_originals_keep_their_hashes(tmp_path, homes):
    hashes = {p: digest(p) for p in homes.rglob("*") if p.is_file()}
    assert cli.main(["collect", *map(str, sorted(homes.iterdir())), "--out", str(tmp_path / "subs")]) == 0
    assert {p: digest(p) for p in homes.rglob("*") if p.is_file()} == hashes


def test_work_subdir_is_collected_first_and_the_usual_folders_too(tmp_path, homes):
    (homes / "bob/handout/team-02/my_work").mkdir(parents=True)
    (homes / "bob/handout/team-02/my_work/04_rag_finetune_costs.ipynb").write_bytes(b"{}")
    (homes / "bob/handout/team-02/my_work/02_precision_recall_costs.ipynb").write_bytes(b'{"bob": "handout"}')
    report = collect([homes / "alice", homes / "bob"], tmp_path / "subs", work_subdir="handout/team-02/my_work")
    alice, bob = report.learners
    assert bob.copied == ["02_precision_recall_costs.ipynb", "04_rag_finetune_costs.ipynb", "my_work/02_precision_recall_costs.ipynb"]
    assert (tmp_path / "subs/bob/02_precision_recall_costs.ipynb").read_bytes() == b'{"bob": "handout"}'
    assert alice.copied == ["02_precision_recall_costs.ipynb", "03_uncertainty_budgets.ipynb", "my_work/02_precision_recall_costs.ipynb"]


@pytest.mark.parametrize("subdir", ["../bob", "/etc", "", "a/../../x"])
def test_a_work_subdir_outside_the_home_is_refused(tmp_path, homes, subdir):
    with pytest.raises(ClassroomError, match="work_subdir must be a folder path inside each home"):
        collect([homes / "alice"], tmp_path / "subs", work_subdir=subdir)
    assert not (tmp_path / "subs").exists()


@pytest.mark.parametrize(
    ("where", "words"),
    [("home/alice/subs", "is inside the home"), ("home/alice", "is inside the home"), ("home", "holds the home"),
     ("taken", "it already has bob"), ("a_file", "it is a file")],
)
def test_an_out_folder_in_a_home_or_holding_one_or_a_learners_folder_is_refused(tmp_path, homes, capsys, where, words):
    (tmp_path / "taken" / "bob").mkdir(parents=True)
    (tmp_path / "a_file").write_text("x")
    before = snapshot(tmp_path)
    assert cli.main(["collect", str(homes / "alice"), str(homes / "bob"), "--out", str(tmp_path / where)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"aipm: error: out must be {classroom.OUT_ALLOWED}, got {str(tmp_path / where)!r}: ")
    assert words in err and "Traceback" not in err
    assert snapshot(tmp_path) == before


def test_one_collection_per_team_can_share_the_submissions_folder(tmp_path, homes):
    subs = tmp_path / "subs"
    (tmp_path / "subs").mkdir()
    (subs / "roster.csv").write_text("learner\nalice\nbob\n")
    collect([homes / "alice"], subs)
    collect([homes / "bob"], subs)
    assert sorted(p.name for p in subs.iterdir()) == ["alice", "bob", "roster.csv"]
    with pytest.raises(ClassroomError, match="it already has alice"):
        collect([homes / "alice"], subs)


def test_collect_with_nothing_to_collect_fails_and_names_the_homes(tmp_path, homes, capsys):
    assert cli.main(["collect", str(homes / "dave"), str(homes / "nobody"), "--out", str(tmp_path / "subs")]) == 1
    out = capsys.readouterr().out
    assert "dave: no exercise notebooks found" in out
    assert "nobody: home folder not found" in out
    assert "Homes with no notebook: dave, nobody" in out


def test_the_entry_point_runs_class_status_and_collect(tmp_path, room, homes):
    import subprocess
    import sys

    aipm = Path(sys.executable).parent / "aipm"
    result = subprocess.run([str(aipm), "class", "status", *map(str, room.values()), "--module", "02"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "5 learner(s)" in result.stdout
    result = subprocess.run([str(aipm), "collect", str(homes / "alice"), "--out", str(tmp_path / "subs")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "alice: copied 3 notebook(s)" in result.stdout


# --- names in the review's layouts, end to end ----------------------------------------------------------


def notebook_in(folder: Path, name: str, data: bytes = b"{}") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    return folder / name


def test_collect_names_homes_under_two_parents_by_their_own_names(tmp_path):
    split = tmp_path / "splithomes"
    notebook_in(split / "home1/ana/aipm-work", "02_precision_recall_costs.ipynb")
    notebook_in(split / "home1/chen", "02_precision_recall_costs.ipynb")
    notebook_in(split / "home2/ben/my_work", "02_precision_recall_costs.ipynb")
    report = collect([split / "home1/ana", split / "home1/chen", split / "home2/ben"], tmp_path / "subs")
    assert sorted(p.name for p in (tmp_path / "subs").iterdir()) == ["ana", "ben", "chen"]
    assert report.naming == [] and "Names:" not in str(report)


def test_class_status_names_a_home_one_level_deeper_by_its_own_name(tmp_path, capsys):
    mixed = tmp_path / "mixed/home"
    write_progress(mixed / "ana/aipm-work", {"02.q1": entry(1, True, "2026-12-04T13:10:00", seed=1)})
    write_progress(mixed / "users/ben/aipm-work", {"02.q1": entry(1, True, "2026-12-04T13:10:00", seed=1)})
    assert cli.main(["class", "status", str(mixed / "ana/aipm-work"), str(mixed / "users/ben/aipm-work")]) == 0
    out = capsys.readouterr().out
    rows = [line.split()[0] for line in out.splitlines() if line.split() and line.split()[0] in ("ana", "ben", "users")]
    assert rows == ["ana", "ben"] and "Names:" not in out


def test_two_learners_with_one_name_are_told_apart_by_parent_and_the_output_says_so(tmp_path, capsys):
    split = tmp_path / "split"
    for parent in ("home1", "home2"):
        notebook_in(split / parent / "ana/aipm-work", "02_precision_recall_costs.ipynb")
        write_progress(split / parent / "ana/aipm-work", {"02.q1": entry(1, True, "2026-12-04T13:10:00", seed=1)})
    assert cli.main(["collect", str(split / "home1/ana"), str(split / "home2/ana"), "--out", str(tmp_path / "subs")]) == 0
    out = capsys.readouterr().out
    assert sorted(p.name for p in (tmp_path / "subs").iterdir()) == ["home1-ana", "home2-ana"]
    assert "Names: 2 folders would all be named ana" in out and "Use these names in a roster" in out
    assert cli.main(["class", "status", str(split / "home1/ana/aipm-work"), str(split / "home2/ana/aipm-work")]) == 0
    out = capsys.readouterr().out
    assert "Names: 2 folders would all be named ana" in out
    assert [line.split()[0] for line in out.splitlines() if line.startswith("home")] == ["home1-ana", "home2-ana"]


def test_class_status_work_subdir_names_learners_by_their_homes(tmp_path, capsys):
    works = [tmp_path / "home" / name / "course" / "week1" for name in ("ann", "ben")]
    for work in works:
        write_progress(work, {"02.q1": entry(1, True, "2026-12-04T13:10:00", seed=1)})
    assert cli.main(["class", "status", *map(str, works), "--work-subdir", "course/week1"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^ann\s+1\s+1", out, re.MULTILINE) and re.search(r"^ben\s+1\s+1", out, re.MULTILINE)
    assert cli.main(["class", "status", str(works[0]), "--work-subdir", "../x"]) == 1
    assert "work_subdir must be a folder path inside each home" in capsys.readouterr().err


# --- class status: seed, scenario and the roster ---------------------------------------------------------


@pytest.fixture
def numbers_room(tmp_path):
    """ana on seed 1 throughout; eli on seed 0 then seed 2 (the latest); gus on seed 3 but one check with
    another scenario; hana's old record has no parameters; a roster assigns seeds 1, 2, 3 and lists ivan."""
    home = tmp_path / "home"
    works = {name: home / name / "aipm-work" for name in ("ana", "eli", "gus", "hana")}
    write_progress(works["ana"], {"02.q1": entry(1, True, "2026-12-04T13:10:00", seed=1),
                                  "02.q2": entry(2, False, "2026-12-04T13:20:00", seed=1)})
    write_progress(works["eli"], {"02.q1": entry(1, True, "2026-12-04T13:10:00", seed=0),
                                  "02.q2": entry(1, True, "2026-12-04T13:40:00", seed=2),
                                  "02.q3": entry(1, True, "2026-12-04T13:30:00", seed=0)})
    write_progress(works["gus"], {"02.q1": entry(1, True, "2026-12-04T13:10:00", seed=3),
                                  "02.q2": entry(1, True, "2026-12-04T13:05:00", seed=3, scenario="default")})
    write_progress(works["hana"], {"02.q1": entry(1, True, "2026-12-04T13:10:00")})
    roster = tmp_path / "roster.csv"
    roster.write_text("learner,team,seed,scenario,modules\nana,team-01,1,fintech_fraud,02\neli,team-02,2,fintech_fraud,02\n"
                      "gus,team-03,3,fintech_fraud,02\nivan,team-03,3,fintech_fraud,02\n", encoding="utf-8")
    return works, roster


def rows_of(text: str, names) -> dict:
    """The per-learner table's rows (the first line starting with each name; "To check" comes later)."""
    rows: dict = {}
    for line in text.splitlines():
        if line.split() and line.split()[0] in names:
            rows.setdefault(line.split()[0], line.split())
    return rows


def test_each_row_shows_the_latest_checks_seed_and_scenario(numbers_room):
    works, _ = numbers_room
    status = class_status(list(works.values()), now=NOW)
    rows = rows_of(str(status), works)
    assert rows["ana"][5:7] == ["1", "fintech_fraud"]
    assert rows["eli"][5:7] == ["2", "fintech_fraud"]  # 02.q2 at 13:40 is eli's latest check
    assert rows["gus"][5:7] == ["3", "fintech_fraud"]  # the default-scenario check (13:05) is older
    assert rows["hana"][5:7] == ["-", "-"]


def test_a_learner_whose_checks_used_several_seeds_or_scenarios_is_marked(numbers_room):
    works, _ = numbers_room
    status = class_status(list(works.values()), now=NOW)
    assert dict(status.to_check()) == {"eli": "seeds 0 and 2", "gus": "scenarios default and fintech_fraud"}
    text = str(status)
    assert "To check: 2" in text.splitlines()[0]
    section = text[text.index("To check (seed, scenario, roster):"):]
    assert re.search(r"^eli\s+seeds 0 and 2$", section, re.MULTILINE)
    assert re.search(r"^gus\s+scenarios default and fintech_fraud$", section, re.MULTILINE)
    assert "ana" not in section and "hana" not in section


def test_only_the_modules_shown_count_for_the_numbers(numbers_room):
    works, _ = numbers_room
    write_progress(works["ana"], {"00.q1": entry(1, True, "2026-12-04T12:00:00", seed=0, scenario="default"),
                                  "02.q1": entry(1, True, "2026-12-04T13:10:00", seed=1)})
    assert "ana" not in dict(class_status([works["ana"]], modules=["02"], now=NOW).to_check())
    assert "seeds 0 and 1" in dict(class_status([works["ana"]], now=NOW).to_check())["ana"]


def test_with_a_roster_other_numbers_and_missing_learners_are_flagged(numbers_room, capsys, tmp_path):
    works, roster = numbers_room
    status = class_status(list(works.values()), roster=roster, now=NOW)
    flagged = dict(status.to_check())
    assert flagged["eli"] == "seeds 0 and 2; checks with seed 0, scenario fintech_fraud; the roster assigns seed 2, scenario fintech_fraud"
    assert flagged["gus"].endswith("checks with seed 3, scenario default; the roster assigns seed 3, scenario fintech_fraud")
    assert flagged["hana"] == "not on the roster"
    assert flagged["ivan"] == "on the roster (team-03), but no work folder of that name was given"
    assert "ana" not in flagged
    page = tmp_path / "room.html"
    assert cli.main(["class", "status", *map(str, works.values()), "--roster", str(roster), "--html", str(page)]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^ivan\s+on the roster \(team-03\), but no work folder", out, re.MULTILINE)
    text = page.read_text(encoding="utf-8")
    assert "<th>seed</th><th>scenario</th>" in text
    assert "<td>ivan</td><td class=hot>on the roster (team-03), but no work folder of that name was given</td>" in text


def test_a_bad_roster_is_an_error_naming_it(numbers_room, tmp_path, capsys):
    works, _ = numbers_room
    bad = tmp_path / "bad.csv"
    bad.write_text("name,seed\nana,1\n", encoding="utf-8")
    assert cli.main(["class", "status", str(works["ana"]), "--roster", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "must have a header row with a learner column" in err and str(bad) in err and "Traceback" not in err
    assert cli.main(["class", "status", str(works["ana"]), "--roster", str(tmp_path / "none.csv")]) == 1
    assert "roster must be a CSV file" in capsys.readouterr().err


@pytest.mark.parametrize("parameters", [{"seed": "1", "scenario": "x"}, {"seed": True, "scenario": "x"}, {"seed": 1, "scenario": "<b>" * 40},
                                        {"seed": -1, "scenario": "x"}, {"seed": 1}, [1, "x"], "seed 1"])
def test_parameters_not_of_the_kits_shape_are_left_out_not_a_damaged_file(tmp_path, parameters):
    work = tmp_path / "home" / "odd" / "aipm-work"
    record = entry(1, True, "2026-12-04T13:10:00")
    record["parameters"] = parameters
    write_progress(work, {"02.q1": record})
    status = class_status([work], now=NOW)
    assert status.learners[0].problem is None and status.learners[0].numbers(status.keys) == []
    assert rows_of(str(status), ["odd"])["odd"][5:7] == ["-", "-"]


def test_records_written_by_the_kit_hold_the_checks_parameters(tmp_path, monkeypatch):
    from aipm_course.exercises import load

    work = tmp_path / "home" / "kim" / "aipm-work"
    monkeypatch.setenv("AIPM_WORK_DIR", str(work))
    monkeypatch.delenv("AIPM_PROGRESS", raising=False)  # another test file in this process may have turned recording off
    monkeypatch.delenv("AIPM_PROGRESS_FILE", raising=False)
    ex = load("00", seed=5, scenario="legal_review")
    ex.q1.check(0.5)
    status = class_status([work], now=NOW)
    assert status.learners[0].numbers(status.keys) == [(5, "legal_review")]


# --- collect: nothing dropped without a word -------------------------------------------------------------


def test_exports_named_like_exercises_are_copied_and_said(tmp_path, capsys):
    home = tmp_path / "home"
    notebook_in(home / "fay/aipm-work", "02_precision_recall_costs.html", b"<html>")
    notebook_in(home / "fay/aipm-work", "03_uncertainty_budgets.pdf", b"%PDF")
    notebook_in(home / "fay/aipm-work", "notes.html", b"<html>")  # not named like an exercise: left
    notebook_in(home / "gus/aipm-work", "02_precision_recall_costs.ipynb")
    notebook_in(home / "gus/aipm-work", "02_precision_recall_costs.py", b"print()")
    assert cli.main(["collect", str(home / "fay"), str(home / "gus"), "--out", str(tmp_path / "subs")]) == 0
    out = capsys.readouterr().out
    assert listing_of(tmp_path / "subs") == ["fay", "fay/02_precision_recall_costs.html", "fay/03_uncertainty_budgets.pdf",
                                             "gus", "gus/02_precision_recall_costs.ipynb", "gus/02_precision_recall_costs.py"]
    assert "copied 2 files that are not notebooks: 02_precision_recall_costs.html, 03_uncertainty_budgets.pdf" in out
    assert "copied 1 file that is not a notebook: 02_precision_recall_costs.py" in out
    assert "Homes with no notebook: fay" in out
    from aipm_course.grading import find_submissions

    notebooks, findings = find_submissions(tmp_path / "subs")  # the grader lists them
    assert [n.relative for n in notebooks] == ["gus/02_precision_recall_costs.ipynb"]
    assert sorted((f.kind, f.file) for f in findings) == [
        ("not a notebook", "fay/02_precision_recall_costs.html"), ("not a notebook", "fay/03_uncertainty_budgets.pdf"),
        ("not a notebook", "gus/02_precision_recall_costs.py")]


def listing_of(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


def test_notebooks_in_several_folders_are_all_collected_and_the_grader_takes_the_newest(tmp_path, capsys):
    home = tmp_path / "home" / "jo"
    old, new = 1_600_000_000_000_000_000, 1_700_000_000_000_000_000
    for folder, data, when in (("aipm-work", b'{"in": "aipm-work"}', old), ("my_work", b'{"in": "my_work"}', new), (".", b'{"in": "home"}', old)):
        path = notebook_in(home / folder, "02_precision_recall_costs.ipynb", data)
        os.utime(path, ns=(when, when))
    notebook_in(home / "my_work", "03_uncertainty_budgets.ipynb")
    assert cli.main(["collect", str(home), "--out", str(tmp_path / "subs")]) == 0
    out = capsys.readouterr().out
    subs = tmp_path / "subs"
    assert listing_of(subs) == ["jo", "jo/02_precision_recall_costs.ipynb", "jo/03_uncertainty_budgets.ipynb",
                                "jo/home", "jo/home/02_precision_recall_costs.ipynb",
                                "jo/my_work", "jo/my_work/02_precision_recall_costs.ipynb"]
    assert (subs / "jo/my_work/02_precision_recall_costs.ipynb").read_bytes() == b'{"in": "my_work"}'
    assert (subs / "jo/my_work/02_precision_recall_costs.ipynb").stat().st_mtime_ns == new
    assert (subs / "jo/home/02_precision_recall_costs.ipynb").read_bytes() == b'{"in": "home"}'
    assert "jo: copied 4 notebook(s)" in out
    assert "sub-folders of jo/: my_work/02_precision_recall_costs.ipynb, home/02_precision_recall_costs.ipynb" in out
    assert "grading grades the newest of each module and lists the others" in out
    from aipm_course.grading import _newest_per_module, find_submissions

    kept, duplicates = _newest_per_module(find_submissions(subs)[0])
    assert [k.relative for k in kept] == ["jo/03_uncertainty_budgets.ipynb", "jo/my_work/02_precision_recall_costs.ipynb"]
    assert sorted(d.file for d in duplicates) == ["jo/02_precision_recall_costs.ipynb", "jo/home/02_precision_recall_costs.ipynb"]


def test_a_work_folder_linked_to_another_in_the_home_is_collected_once(tmp_path):
    home = tmp_path / "home" / "lin"
    notebook_in(home / "my_work", "02_precision_recall_costs.ipynb")
    (home / "aipm-work").symlink_to(home / "my_work")
    report = collect([home], tmp_path / "subs")
    assert report.learners[0].copied == ["02_precision_recall_costs.ipynb"]
    assert listing_of(tmp_path / "subs") == ["lin", "lin/02_precision_recall_costs.ipynb"]
    assert "the same folder as aipm-work (a link), collected once" in str(report)


def test_notebooks_only_deeper_are_found_and_the_work_subdir_to_use_is_given(tmp_path, capsys):
    home = tmp_path / "home"
    deep = home / "dia" / "aipm-handout" / "team-02" / "my_work"
    notebook_in(deep, "02_precision_recall_costs.ipynb")
    notebook_in(deep, "03_uncertainty_budgets.ipynb")
    notebook_in(home / "dia" / "aipm-handout" / "team-02" / "my_work" / ".ipynb_checkpoints", "02_precision_recall_costs-checkpoint.ipynb")
    notebook_in(home / "dia" / "a" / "b" / "c" / "d" / "e", "05_rollout_planning.ipynb")  # five levels down: too deep
    notebook_in(home / "ben" / "my_work", "02_precision_recall_costs.ipynb")
    before = snapshot(home)
    assert cli.main(["collect", str(home / "ben"), str(home / "dia"), "--out", str(tmp_path / "subs")]) == 0
    out = capsys.readouterr().out
    assert "dia: no exercise notebooks found" in out
    assert ("exercise notebooks found deeper in the home: aipm-handout/team-02/my_work (2); "
            "collect them with --work-subdir aipm-handout/team-02/my_work") in out
    assert "a/b/c/d/e" not in out and "checkpoint" not in out
    assert "Notebooks only deeper in: dia" in out
    assert not (tmp_path / "subs" / "dia").exists()
    # the suggested option collects them
    report = collect([home / "dia"], tmp_path / "subs", work_subdir="aipm-handout/team-02/my_work")
    assert report.learners[0].copied == ["02_precision_recall_costs.ipynb", "03_uncertainty_budgets.ipynb"]
    assert report.learners[0].deeper == []
    assert snapshot(home) == before


def test_the_deeper_search_does_not_follow_links(tmp_path):
    elsewhere = tmp_path / "elsewhere" / "deep"
    notebook_in(elsewhere, "02_precision_recall_costs.ipynb")
    home = tmp_path / "home" / "eve"
    home.mkdir(parents=True)
    (home / "stuff").symlink_to(tmp_path / "elsewhere")
    report = collect([home], tmp_path / "subs")
    assert report.learners[0].deeper == [] and report.copied == 0


def test_work_folders_given_to_collect_as_homes_are_named_apart_and_the_output_says_to_give_homes(tmp_path, capsys):
    home = tmp_path / "home"
    for name in ("ana", "ben"):
        notebook_in(home / name / "aipm-work", "02_precision_recall_costs.ipynb")
    assert cli.main(["collect", str(home / "ana/aipm-work"), str(home / "ben/aipm-work"), "--out", str(tmp_path / "subs")]) == 0
    out = capsys.readouterr().out
    assert sorted(p.name for p in (tmp_path / "subs").iterdir()) == ["ana-aipm-work", "ben-aipm-work"]
    assert f"{home / 'ana/aipm-work'} is a work folder, not a home: give the homes (e.g. {home / 'ana'})" in out
