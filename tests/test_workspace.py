"""The learner's work folder and progress record: nothing of theirs is ever lost.

Every test uses its own folder under tmp_path (through AIPM_WORK_DIR / AIPM_PROGRESS_FILE /
AIPM_KIT_ROOT); the real my_work/ is never touched.
"""

import json
import os
import re
import subprocess
import sys
import time
import types
import warnings
from pathlib import Path

import pytest

from aipm_course import workspace
from aipm_course.checking import Outcome
from aipm_course.workspace import KitError, ProgressStore, progress_rows, record_check, reset, start

REPO = Path(__file__).resolve().parents[1]
EXERCISE_00 = REPO / "exercises" / "00_start_here.ipynb"
TIMESTAMPED_BACKUP = re.compile(r"^00_start_here\.\d{8}-\d{6}(-\d+)?\.ipynb$")


@pytest.fixture
def work(fresh_work):
    """A work folder not yet created (conftest's ``fresh_work``)."""
    return fresh_work


@pytest.fixture
def progress_file(tmp_path, monkeypatch):
    path = tmp_path / "state" / "progress.json"
    monkeypatch.setenv("AIPM_PROGRESS_FILE", str(path))
    monkeypatch.delenv("AIPM_PROGRESS", raising=False)
    monkeypatch.setattr(workspace, "_warned", False)
    return path


def learner_copy(work: Path, text: str) -> bytes:
    """Write a learner's edited copy of exercise 00 and return its bytes."""
    data = EXERCISE_00.read_bytes().replace(b"___  # your answer here", text.encode(), 1)
    assert data != EXERCISE_00.read_bytes()
    work.mkdir(parents=True, exist_ok=True)
    (work / EXERCISE_00.name).write_bytes(data)
    return data


def fake_result(question="q1", outcome=Outcome.CORRECT):
    return types.SimpleNamespace(question_id=question, outcome=outcome, parameters={"seed": 0})


# --- start ---------------------------------------------------------------------------------------


def test_start_on_a_fresh_folder_copies_every_exercise(work):
    report = start()
    shipped = sorted((REPO / "exercises").glob("*.ipynb"))
    assert shipped, "the kit ships no exercises"
    assert [p.name for p in report.copied] == [p.name for p in shipped]
    assert report.kept == []
    for exercise in shipped:
        assert (work / exercise.name).read_bytes() == exercise.read_bytes()


def test_start_copies_from_the_kit_named_by_aipm_kit_root(work, tmp_path, monkeypatch):
    kit = tmp_path / "kit"
    (kit / "exercises").mkdir(parents=True)
    for name in ("00_a.ipynb", "01_b.ipynb", "02_c.ipynb"):
        (kit / "exercises" / name).write_text(name, encoding="utf-8")
    monkeypatch.setenv("AIPM_KIT_ROOT", str(kit))
    report = start()
    assert sorted(p.name for p in report.copied) == ["00_a.ipynb", "01_b.ipynb", "02_c.ipynb"]
    assert (work / "01_b.ipynb").read_text(encoding="utf-8") == "01_b.ipynb"


def test_start_twice_copies_nothing_and_keeps_the_learners_notebook_byte_for_byte(work):
    start()
    mine = learner_copy(work, "0.998  # my answer")
    second = start()
    assert second.copied == []
    assert [p.name for p in second.kept] == sorted(p.name for p in (REPO / "exercises").glob("[0-9][0-9]_*.ipynb"))
    assert (work / EXERCISE_00.name).read_bytes() == mine
    assert "kept" in str(second) and "not touched" in str(second)


# --- reset ---------------------------------------------------------------------------------------


def test_reset_backs_up_the_learners_copy_with_a_timestamp_and_restores_the_exercise(work):
    mine = learner_copy(work, "0.5  # my first try")
    report = reset("00")
    assert report.restored == work / EXERCISE_00.name
    assert report.restored.read_bytes() == EXERCISE_00.read_bytes()
    assert report.backup is not None
    assert report.backup.parent == work / "backups"
    assert TIMESTAMPED_BACKUP.match(report.backup.name), report.backup.name
    assert report.backup.read_bytes() == mine
    assert str(report.backup) in str(report)


def test_two_resets_in_the_same_second_keep_two_distinct_backups(work, monkeypatch):
    monkeypatch.setattr(workspace, "_timestamp", lambda: "20250101-120000")
    first_try = learner_copy(work, "0.5  # first try")
    first = reset("00")
    second_try = learner_copy(work, "0.9  # second try")
    second = reset("00")
    assert first.backup != second.backup
    assert sorted(p.name for p in (work / "backups").iterdir()) == sorted([first.backup.name, second.backup.name])
    assert first.backup.read_bytes() == first_try
    assert second.backup.read_bytes() == second_try


def test_reset_without_a_learner_copy_restores_and_makes_no_backup(work):
    report = reset("00")
    assert report.backup is None
    assert (work / EXERCISE_00.name).read_bytes() == EXERCISE_00.read_bytes()
    assert not (work / "backups").exists() or not any((work / "backups").iterdir())
    assert "no earlier copy" in str(report)


def test_reset_accepts_a_one_digit_module_number(work):
    assert reset("0").restored.name == EXERCISE_00.name


def test_reset_of_a_missing_module_lists_the_available_ones(work):
    with pytest.raises(KitError, match=r"There is no exercise 99 yet\. Available: 00\b"):
        reset("99")
    assert not work.exists(), "a failed reset must not create the work folder"


@pytest.mark.parametrize("module", ["abc", "", "100", "0a"])
def test_reset_of_a_malformed_module_is_a_kit_error_quoting_the_input(work, module):
    with pytest.raises(KitError, match=re.escape(repr(module))):
        reset(module)
    assert not work.exists()


@pytest.mark.parametrize("module", ["abc", ""])
def test_reset_of_a_malformed_module_also_lists_the_available_ones(work, module):
    with pytest.raises(KitError, match=r"Available: 00\b"):
        reset(module)


def test_reset_gives_the_restored_notebook_the_same_permissions_as_start(work):
    """Regression: the restored file was written through mkstemp and so became private (0600)."""
    start()
    started_mode = (work / EXERCISE_00.name).stat().st_mode & 0o777
    reset("00")
    assert (work / EXERCISE_00.name).stat().st_mode & 0o777 == started_mode


# --- ProgressStore -------------------------------------------------------------------------------


QUESTIONS = {"00": ["q1", "q2", "q3", "q4"]}


def test_summary_counts_attempted_and_passed(tmp_path):
    store = ProgressStore(tmp_path / "progress.json")
    for outcome in ("incorrect", "correct", "incorrect"):  # passed, then a later failure
        store.record("00", "q1", outcome)
    store.record("00", "q2", "not attempted")
    store.record("00", "q2", "not attempted")
    store.record("00", "q3", "incorrect")

    assert store.summary(QUESTIONS) == [{"module": "00", "questions": 4, "attempted": 2, "passed": 1}]
    q1 = store.load()["questions"]["00.q1"]
    assert (q1["attempts"], q1["passed"], q1["last_outcome"]) == (3, True, "incorrect")
    assert store.load()["questions"]["00.q2"]["attempts"] == 0


def test_empty_store_summary_is_all_zero(tmp_path):
    store = ProgressStore(tmp_path / "missing" / "progress.json")
    assert store.summary(QUESTIONS) == [{"module": "00", "questions": 4, "attempted": 0, "passed": 0}]
    assert not store.path.exists()


def test_written_progress_file_is_valid_json_with_the_record(tmp_path):
    path = tmp_path / "progress.json"
    ProgressStore(path).record("00", "q4", "correct", {"seed": 3, "scenario": "default"})
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["version"] == workspace.PROGRESS_VERSION
    entry = data["questions"]["00.q4"]
    assert entry["module"] == "00" and entry["question"] == "q4"
    assert entry["parameters"] == {"seed": 3, "scenario": "default"}
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".tmp"], "temporary file left behind"


@pytest.mark.parametrize(
    "garbage",
    [b"{ this is not json", b"[1, 2, 3]", b'{"questions": []}', b'{"questions": {"00.q1": 5}}', bytes(range(256))],
    ids=["invalid-json", "list", "questions-not-a-dict", "entry-not-a-dict", "binary"],
)
def test_corrupt_progress_file_is_moved_aside_with_a_warning_and_recording_resumes(tmp_path, garbage):
    path = tmp_path / "progress.json"
    path.write_bytes(garbage)
    store = ProgressStore(path)

    with pytest.warns(UserWarning, match="damaged"):
        data = store.load()

    assert data == {"version": workspace.PROGRESS_VERSION, "questions": {}}
    aside = list(tmp_path.glob("progress.json.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == garbage
    assert not path.exists()

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the fresh record raises no further warning
        store.record("00", "q1", "correct")
    assert json.loads(path.read_text(encoding="utf-8"))["questions"]["00.q1"]["passed"] is True


def test_recording_onto_a_corrupt_file_warns_and_starts_a_new_record(tmp_path):
    path = tmp_path / "progress.json"
    path.write_text("{ truncated", encoding="utf-8")
    with pytest.warns(UserWarning, match="moved to progress.json.corrupt-"):
        ProgressStore(path).record("00", "q2", "incorrect")
    assert json.loads(path.read_text(encoding="utf-8"))["questions"]["00.q2"]["attempts"] == 1


def test_two_corrupt_files_in_the_same_second_are_both_kept(tmp_path, monkeypatch):
    """Regression: the second file moved aside used to overwrite the first (same name)."""
    monkeypatch.setattr(workspace, "_timestamp", lambda: "20250101-120000")
    path = tmp_path / "progress.json"
    store = ProgressStore(path)
    for garbage in (b"first damage", b"second damage"):
        path.write_bytes(garbage)
        with pytest.warns(UserWarning, match="damaged"):
            store.load()
    kept = sorted(p.read_bytes() for p in tmp_path.glob("progress.json.corrupt-*"))
    assert kept == [b"first damage", b"second damage"]


@pytest.mark.parametrize(
    "entry",
    [{"attempts": None}, {"attempts": "3"}, {"attempts": 1, "passed": "yes"}],
    ids=["attempts-null", "attempts-text", "passed-text"],
)
def test_entry_with_wrong_value_types_is_moved_aside_instead_of_crashing_the_summary(tmp_path, entry):
    """Regression: only the outer shape was checked, so `attempts: null` made summary() raise."""
    path = tmp_path / "progress.json"
    path.write_text(json.dumps({"version": 1, "questions": {"00.q1": entry}}), encoding="utf-8")
    with pytest.warns(UserWarning, match="damaged"):
        rows = ProgressStore(path).summary(QUESTIONS)
    assert rows == [{"module": "00", "questions": 4, "attempted": 0, "passed": 0}]
    assert len(list(tmp_path.glob("progress.json.corrupt-*"))) == 1


WORKER = """
import sys, time
from aipm_course.workspace import ProgressStore
path, start_at = sys.argv[1], float(sys.argv[2])
time.sleep(max(0.0, start_at - time.time()))  # all workers begin together
store = ProgressStore(path)
for _ in range(25):
    store.record("00", "q1", "incorrect")
"""


def test_four_processes_recording_at_once_lose_no_attempt(tmp_path):
    path = tmp_path / "progress.json"
    start_at = str(time.time() + 1.0)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIPM_")}
    workers = [
        subprocess.Popen([sys.executable, "-c", WORKER, str(path), start_at], env=env, stderr=subprocess.PIPE)
        for _ in range(4)
    ]
    for worker in workers:
        _, stderr = worker.communicate(timeout=60)
        assert worker.returncode == 0, stderr.decode()
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["questions"]["00.q1"]["attempts"] == 100
    assert not list(tmp_path.glob("progress.json.corrupt-*"))


# --- record_check --------------------------------------------------------------------------------


def test_record_check_writes_to_the_progress_file(progress_file):
    record_check(fake_result("q3", Outcome.INCORRECT), "00")
    entry = json.loads(progress_file.read_text(encoding="utf-8"))["questions"]["00.q3"]
    assert (entry["attempts"], entry["passed"], entry["parameters"]) == (1, False, {"seed": 0})


def test_a_real_check_is_recorded(progress_file):
    from aipm_course.exercises import load

    question = load("00").q2
    question.check(question.expected)
    assert progress_rows()[0]["passed"] == 1


def test_record_check_never_raises_when_the_progress_path_is_unwritable(tmp_path, monkeypatch):
    blocker = tmp_path / "a-regular-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("AIPM_PROGRESS_FILE", str(blocker / "progress.json"))
    monkeypatch.delenv("AIPM_PROGRESS", raising=False)
    monkeypatch.setattr(workspace, "_warned", False)

    with pytest.warns(UserWarning, match="could not be saved"):
        record_check(fake_result(), "00")
    with warnings.catch_warnings(record=True) as later:
        warnings.simplefilter("always")
        record_check(fake_result(), "00")  # still no exception, and the learner is told only once
    assert later == []
    assert blocker.read_text(encoding="utf-8") == "not a folder"


def test_record_check_never_raises_on_a_malformed_result(progress_file):
    with pytest.warns(UserWarning, match="could not be saved"):
        record_check(object(), "00")


@pytest.mark.parametrize("value", ["0", "off", "False"])
def test_aipm_progress_off_disables_recording(progress_file, monkeypatch, value):
    monkeypatch.setenv("AIPM_PROGRESS", value)
    record_check(fake_result(), "00")
    assert not progress_file.exists()


def test_progress_rows_lists_module_00_with_four_questions(progress_file):
    rows = progress_rows()
    row = next(r for r in rows if r["module"] == "00")
    assert row == {"module": "00", "title": "Start here", "questions": 4, "attempted": 0, "passed": 0}


def test_progress_path_defaults_to_the_work_folder(work):
    assert workspace.progress_path() == work.resolve() / ".aipm" / "progress.json"


# --- a progress file that cannot be read is set aside, or left untouched: never written over ------

SAVED_PROGRESS = json.dumps(
    {"version": 1, "questions": {"00.q1": {"module": "00", "question": "q1", "attempts": 7, "passed": True}}}
).encode()


def unreadable(monkeypatch, path: Path, error: BaseException) -> None:
    """Make reading ``path`` raise ``error`` (as root, chmod 0o222 does not stop reads)."""
    real_read = Path.read_bytes

    def read_bytes(self):
        if self == path:
            raise error
        return real_read(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)


def cannot_rename(monkeypatch) -> None:
    def rename(src, dst, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(src))

    monkeypatch.setattr(workspace.os, "rename", rename)


def only_file_there(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(".lock"))


@pytest.mark.parametrize(
    "error",
    [
        PermissionError(13, "Permission denied"),
        OSError(5, "Input/output error"),
        UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"),
        MemoryError(),
    ],
    ids=["permission", "io-error", "unicode", "memory"],
)
def test_an_unreadable_progress_file_is_moved_aside_with_its_bytes_and_a_new_record_begins(tmp_path, monkeypatch, error):
    """Regression: a read error other than bad JSON started a new record over the old file."""
    path = tmp_path / "progress.json"
    path.write_bytes(SAVED_PROGRESS)
    unreadable(monkeypatch, path, error)

    with pytest.warns(UserWarning, match="could not be read") as caught:
        ProgressStore(path).record("00", "q2", "correct")

    aside = list(tmp_path.glob("progress.json.unreadable-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == SAVED_PROGRESS
    assert re.fullmatch(r"progress\.json\.unreadable-\d{8}-\d{6}(-\d+)?", aside[0].name)
    message = str(caught[0].message)
    assert aside[0].name in message and str(tmp_path) in message  # the learner is told where it went
    monkeypatch.undo()
    assert list(json.loads(path.read_text(encoding="utf-8"))["questions"]) == ["00.q2"]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads a 0o222 file anyway")
def test_a_write_only_progress_file_is_moved_aside_not_replaced(tmp_path):
    path = tmp_path / "progress.json"
    path.write_bytes(SAVED_PROGRESS)
    path.chmod(0o222)
    with pytest.warns(UserWarning, match="could not be read"):
        ProgressStore(path).record("00", "q2", "correct")
    aside = next(tmp_path.glob("progress.json.unreadable-*"))
    aside.chmod(0o644)
    assert aside.read_bytes() == SAVED_PROGRESS


@pytest.mark.parametrize("damage", ["unreadable", "corrupt"])
def test_a_progress_file_that_cannot_be_moved_aside_is_left_untouched_and_nothing_is_recorded(tmp_path, monkeypatch, damage):
    """Regression: a corrupt file that could not be moved was then replaced by a new record."""
    path = tmp_path / "progress.json"
    original = SAVED_PROGRESS if damage == "unreadable" else b"{ half a record"
    path.write_bytes(original)
    if damage == "unreadable":
        unreadable(monkeypatch, path, PermissionError(13, "Permission denied"))
    cannot_rename(monkeypatch)
    store = ProgressStore(path)

    with pytest.raises(workspace.ProgressUnavailable, match="could not be moved aside") as caught:
        store.record("00", "q2", "correct")
    assert str(path) in str(caught.value) and "left untouched" in str(caught.value)
    with pytest.raises(workspace.ProgressUnavailable):
        store.summary(QUESTIONS)
    monkeypatch.undo()
    assert path.read_bytes() == original
    assert only_file_there(tmp_path) == ["progress.json"]


def test_record_check_skips_recording_with_one_warning_saying_why_and_where(progress_file, monkeypatch):
    progress_file.parent.mkdir(parents=True)
    progress_file.write_bytes(SAVED_PROGRESS)
    unreadable(monkeypatch, progress_file, OSError(5, "Input/output error"))
    cannot_rename(monkeypatch)

    with pytest.warns(UserWarning, match="could not be saved") as caught:
        record_check(fake_result(), "00")
    message = str(caught[0].message)
    assert str(progress_file) in message and "Input/output error" in message and "not recorded" in message
    with warnings.catch_warnings(record=True) as later:
        warnings.simplefilter("always")
        record_check(fake_result("q2"), "00")
    assert later == []
    monkeypatch.undo()
    assert progress_file.read_bytes() == SAVED_PROGRESS


def test_a_folder_where_the_progress_file_goes_is_left_untouched(progress_file):
    progress_file.mkdir(parents=True)
    (progress_file / "mine.txt").write_text("keep me", encoding="utf-8")

    with pytest.raises(workspace.ProgressUnavailable, match="is a folder"):
        ProgressStore().load()
    with pytest.warns(UserWarning, match="is a folder"):
        record_check(fake_result(), "00")

    assert sorted(p.name for p in progress_file.iterdir()) == ["mine.txt"]
    assert (progress_file / "mine.txt").read_text(encoding="utf-8") == "keep me"
    assert only_file_there(progress_file.parent) == ["progress.json"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_pipe_where_the_progress_file_goes_is_left_alone_without_blocking(tmp_path):
    path = tmp_path / "progress.json"
    os.mkfifo(path)
    with pytest.raises(workspace.ProgressUnavailable, match="not a regular file"):
        ProgressStore(path).record("00", "q1", "correct")
    assert only_file_there(tmp_path) == ["progress.json"]


def test_record_check_never_raises_even_when_warnings_are_errors(progress_file):
    progress_file.parent.mkdir(parents=True)
    progress_file.write_bytes(b"\x00 damaged")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        record_check(fake_result(), "00")  # the "moved aside" warning is an error here: still no exception
        record_check(fake_result(), "00")
    aside = list(progress_file.parent.glob("progress.json.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == b"\x00 damaged"


def test_a_corrupt_file_is_still_set_aside_and_the_message_says_where(tmp_path):
    path = tmp_path / "progress.json"
    path.write_bytes(b"{ not json")
    with pytest.warns(UserWarning, match="damaged") as caught:
        ProgressStore(path).record("00", "q1", "correct")
    aside = next(tmp_path.glob("progress.json.corrupt-*"))
    assert aside.read_bytes() == b"{ not json"
    assert aside.name in str(caught[0].message) and str(tmp_path) in str(caught[0].message)


# --- the first attempt's time (for `aipm class status`: who is stuck longest) ------------------------


def test_the_first_attempt_keeps_its_time_and_later_checks_only_move_the_last(tmp_path, monkeypatch):
    path = tmp_path / "progress.json"
    store = ProgressStore(path)
    clock = iter(["2026-12-04T10:00:00", "2026-12-04T10:05:00", "2026-12-04T10:20:00", "2026-12-04T10:30:00"])

    class Clock(workspace._dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return workspace._dt.datetime.fromisoformat(next(clock))

    monkeypatch.setattr(workspace._dt, "datetime", Clock)
    store.record("02", "q3", "not attempted")  # 10:00: ran the check with no answer, not an attempt
    store.record("02", "q3", "incorrect")  # 10:05: the first attempt
    store.record("02", "q3", "incorrect")  # 10:20
    store.record("02", "q3", "correct")  # 10:30
    entry = json.loads(path.read_text(encoding="utf-8"))["questions"]["02.q3"]
    assert (entry["first_checked"], entry["last_checked"], entry["attempts"]) == ("2026-12-04T10:05:00", "2026-12-04T10:30:00", 3)


def test_a_record_from_before_first_checked_was_kept_does_not_gain_a_wrong_one(tmp_path):
    path = tmp_path / "progress.json"
    path.write_bytes(SAVED_PROGRESS)  # 00.q1: 7 attempts, no times
    store = ProgressStore(path)
    store.record("00", "q1", "incorrect")
    entry = store.load()["questions"]["00.q1"]
    assert entry["attempts"] == 8 and "first_checked" not in entry and "last_checked" in entry


# --- the work folder when the kit is shared (a JupyterHub) -------------------------------------------


@pytest.fixture
def shared_kit(tmp_path, monkeypatch):
    """A kit in tmp_path/kit, a home in tmp_path/home, no AIPM_WORK_DIR; nothing said yet."""
    kit = tmp_path / "kit"
    (kit / "exercises").mkdir(parents=True)
    home = tmp_path / "home" / "alice"
    home.mkdir(parents=True)
    monkeypatch.setenv("AIPM_KIT_ROOT", str(kit))
    monkeypatch.setenv("HOME", str(home))
    for name in ("AIPM_WORK_DIR", "AIPM_PROGRESS_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(workspace, "_said_where", set())
    return kit.resolve(), home


def test_a_kit_of_ones_own_keeps_the_work_folder_inside_it(shared_kit):
    kit, _home = shared_kit
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert workspace.work_dir() == kit / "my_work"


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="folders have no owner id here")
def test_a_kit_that_belongs_to_another_user_puts_the_work_folder_in_the_home(shared_kit, monkeypatch):
    kit, home = shared_kit
    me = kit.stat().st_uid + 1  # someone other than the kit's owner (as root, modes would not tell)
    monkeypatch.setattr(workspace.os, "getuid", lambda: me)
    with pytest.warns(UserWarning) as caught:
        assert workspace.work_dir() == home / "aipm-work"
    message = str(caught[0].message)
    assert str(kit) in message and str(home / "aipm-work") in message and "another user" in message
    assert "AIPM_WORK_DIR" in message
    assert workspace.progress_path() == home / "aipm-work" / ".aipm" / "progress.json"


def test_a_kit_this_user_cannot_write_in_puts_the_work_folder_in_the_home(shared_kit, monkeypatch):
    kit, home = shared_kit
    real_access = os.access
    monkeypatch.setattr(workspace.os, "access", lambda p, mode, **kw: False if Path(p) == kit else real_access(p, mode, **kw))
    with pytest.warns(UserWarning, match="cannot write"):
        assert workspace.work_dir() == home / "aipm-work"


def test_the_shared_kit_message_is_said_once(shared_kit, monkeypatch):
    monkeypatch.setattr(workspace.os, "access", lambda p, mode, **kw: False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(3):
            workspace.work_dir()
    assert len([w for w in caught if "is shared" in str(w.message)]) == 1


def test_aipm_work_dir_wins_over_a_shared_kit(shared_kit, monkeypatch, tmp_path):
    monkeypatch.setattr(workspace.os, "access", lambda p, mode, **kw: False)
    monkeypatch.setenv("AIPM_WORK_DIR", str(tmp_path / "chosen"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert workspace.work_dir() == (tmp_path / "chosen").resolve()


def test_start_on_a_shared_kit_copies_into_the_home_and_says_where(shared_kit, monkeypatch, capsys):
    from aipm_course import cli

    kit, home = shared_kit
    (kit / "exercises" / "00_a.ipynb").write_text("{}", encoding="utf-8")
    monkeypatch.setattr(workspace.os, "access", lambda p, mode, **kw: Path(p) != kit)
    assert cli.main(["start"]) == 0
    captured = capsys.readouterr()
    assert (home / "aipm-work" / "00_a.ipynb").read_text(encoding="utf-8") == "{}"
    assert not (kit / "my_work").exists()
    assert str(home / "aipm-work") in captured.out
    assert "is shared" in captured.err


def test_a_shared_kit_and_warnings_as_errors_still_give_the_work_folder(shared_kit, monkeypatch):
    _kit, home = shared_kit
    monkeypatch.setattr(workspace.os, "access", lambda p, mode, **kw: False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert workspace.work_dir() == home / "aipm-work"
