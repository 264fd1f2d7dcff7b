"""Practice that remembers: a log of every drill, a spaced schedule, planned sessions and a mock
interview (lesson 06, and ``aipm practice`` in a terminal).

Every drill attempt (kind, difficulty, seed, answer, outcome, seconds taken, the "so what" choice)
and every self-scored open question (the rubric points ticked) goes into a small SQLite file in the
learner's work folder, ``.aipm/practice.sqlite``. Two programs may write at once (a notebook and a
terminal). A file that is not a practice log is renamed ``<name>.corrupt-<timestamp>`` with a
warning saying where it went, and a new log begins; a log that cannot be written (a folder in its
place, a read-only disk) raises ``LogUnavailable`` and nothing is overwritten.

The schedule is a Leitner schedule, one box per kind of drill (box 0 to box 4). After each attempt a
kind in box 1 to 4 is due again ``INTERVALS[box - 1]`` days later (1, 3, 7 or 14 days); a kind in
box 0 is due at once (the next session). The box moves so:

- Right: the number is right and so is the "so what" choice (when the drill had one and it was
  answered; a skipped "so what" neither helps nor hurts). The kind moves up one box (at most box 4).
- Right but slow: the number took more than ``SLOW_AFTER`` (2) times the item's suggested seconds.
  It stays where it is.
- Right after the last hint (the one that gives the whole formula): it counts as right in the score,
  but the box stays where it is and the run of right numbers toward a harder level starts again.
- Right more than ``EARLY_GRACE`` (6 hours) before the kind is due (reviewing early, e.g. the same
  kind twice in one session): it earns nothing, so a session a little earlier in the day still counts. The box and the date it is due stay as they were (it still counts for the difficulty).
- A right number with a wrong "so what" drops one box; a right number never sends it to box 0
  (box 1 stays box 1, and box 0 stays box 0).
- A miss (a wrong number) or a skip drops two boxes (``MISS_DROP``), box 0 at the lowest.
- Difficulty starts at 1 (warm-up) and follows the number alone, slow or not. Three right numbers in
  a row at the current difficulty raise it by one (at most 3, stretch); the kind then goes to box 1,
  due the next day at the harder level. Two misses in a row lower it by one (at least 1). A skip is
  a miss.
- Only drill attempts count; open questions are scored by the learner and move no box.

``Scheduler(log).due_kinds()`` puts the kinds in the order to practise them: overdue first (longest
overdue first), then kinds never tried, then the rest by the date they are due. A planned session
gives each kind once; a kind comes a second time only when every kind asked for is already in it.

Each attempt also keeps how many hints were shown. A log written before hints were recorded (schema
1) is brought up to date when it is opened: its attempts count as taken without hints.

    >>> log = PracticeLog(tmp_path / "practice.sqlite")               # doctest: +SKIP
    >>> items = plan_session(log, minutes=10, seed=1)                 # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import builtins
import dataclasses
import datetime as _dt
import functools
import json
import math
import os
import re
import sqlite3
import stat
import time
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

from . import validation
from .checking import CheckResult, Outcome, _displayable, safe_repr
from .validation import AipmError

__all__ = [
    "INTERVALS",
    "OUTCOMES",
    "SO_WHAT_OUTCOMES",
    "LogUnavailable",
    "Attempt",
    "OpenAttempt",
    "PracticeLog",
    "KindState",
    "Scheduler",
    "practice_path",
    "all_kinds",
    "kind_title",
    "make_item",
    "plan_session",
    "MockStep",
    "MockItem",
    "MockReport",
    "MockInterview",
    "TerminalPractice",
]

INTERVALS = (1, 3, 7, 14)  # days before a kind in box 1, 2, 3, 4 is due again; box 0 is due at once
MAX_BOX = len(INTERVALS)
RAISE_AFTER, LOWER_AFTER = 3, 2  # right answers in a row that raise the difficulty; misses that lower it
MISS_DROP = 2  # boxes a miss or a skip drops (box 0 at the lowest)
SLOW_AFTER = 2  # a right answer that took more than this many times the suggested seconds keeps its box
MAX_HINTS = 100  # the most hints an attempt can record
OUTCOMES = ("correct", "incorrect", "skipped")
SO_WHAT_OUTCOMES = ("correct", "incorrect", "skipped")
SCHEMA_VERSION = 2  # 2 added drill_attempts.hints; a schema 1 log is upgraded when opened
MAX_MINUTES = 120
MOCK_MINUTES = 30
UTC = _dt.timezone.utc
# A review up to this long before the due time still counts: practising at 20:30 a day after 21:00 is on time.
EARLY_GRACE = _dt.timedelta(hours=6)

RULE = "\n".join((
    "How the practice schedule works (a Leitner schedule: one box per kind of drill, box 0 to box 4):",
    "- After each answer a kind comes back 1, 3, 7 or 14 days later in box 1, 2, 3 or 4; in box 0 it comes back at once (next session).",
    "- Right (the number right, and the 'so what' choice right when you answered one): up one box, at most box 4.",
    "- Right but slow (more than twice the suggested time): it stays where it is.",
    "- Right after the last hint (the one that gives the whole formula): it counts as right in your score, but it stays where it is "
    "and the run of right numbers toward a harder level starts again.",
    "- Right more than 6 hours before it is due (reviewing early, e.g. a second time in one session): it earns nothing; the box "
    "and its date stay as they were (it still counts for the difficulty).",
    "- A right number with a wrong 'so what': down one box, but a right number never sends it to box 0.",
    "- A miss or a skip: down two boxes, box 0 at the lowest.",
    "- Difficulty starts at warm-up and follows the number alone: three right numbers in a row at a level (slow ones too) "
    "raise it one level, at most stretch, and the kind goes to box 1, back the next day at the harder level.",
    "- Two misses in a row lower the difficulty one level, at least warm-up.",
    "- Each session starts with what is overdue, then kinds you have never tried, then the rest by due date; "
    "a kind comes twice in a session only when every kind you asked for is already in it.",
    "- Open questions are scored by you and move no box.",
))


HELP_KINDS = "{kinds}"  # in `aipm practice --help`, replaced by the list of kinds only when the help is shown
HELP_EPILOG = RULE + "\nYour answers are kept in .aipm/practice.sqlite in your work folder.\n" + HELP_KINDS


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """The help of `aipm practice`: one line per rule, each wrapped to 79 columns, and the kinds' ids
    (what --kinds takes) with their titles, looked up only when the help is shown (it needs the drills)."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        import textwrap

        if HELP_KINDS not in text:  # the description: as argparse shows it
            return super()._fill_text(text, width, indent)
        kinds = "\n".join(f"- {k}: {kind_title(k)}" for k in all_kinds())
        text = text.replace(HELP_KINDS, "\nKinds (the id, which --kinds takes, then the title):\n" + kinds)
        return "\n".join(textwrap.fill(line, 79, initial_indent=indent, subsequent_indent=indent + "  ", break_on_hyphens=False,
                                        break_long_words=False) for line in text.split("\n"))


class LogUnavailable(AipmError):
    """The practice log can be neither used nor set aside; the message names the path and why. Nothing was overwritten."""


# --------------------------------------------------------------------------------------------
# Where the log lives, and the kinds of item
# --------------------------------------------------------------------------------------------


def practice_path() -> Path:
    """Return the practice log's path: ``$AIPM_PRACTICE_FILE`` if set, else ``.aipm/practice.sqlite``
    in the learner's work folder (lesson 06)."""
    env = os.environ.get("AIPM_PRACTICE_FILE")
    if env:
        return Path(env).expanduser().resolve()
    from .workspace import work_dir

    return work_dir() / ".aipm" / "practice.sqlite"


def _estimation():
    """The estimation module, or None while it does not exist."""
    import importlib

    try:
        return importlib.import_module(f"{__package__}.estimation")
    except ModuleNotFoundError as exc:
        if exc.name != f"{__package__}.estimation":
            raise
        return None


def all_kinds() -> list[str]:
    """Return every kind of practice item: the drills' kinds, then the estimation kinds (lesson 06)."""
    from .drills import DRILL_KINDS

    estimation = _estimation()
    extra = list(getattr(estimation, "ESTIMATE_KINDS", {})) if estimation is not None else []
    return list(DRILL_KINDS) + [k for k in extra if k not in DRILL_KINDS]


def _kinds_text() -> str:
    return ", ".join(all_kinds())


def _kind(name: str, value: Any) -> str:
    if not isinstance(value, str) or value not in all_kinds():
        raise validation.fail(name, value, f"one of the practice kinds: {_kinds_text()}")
    return value


def kind_title(kind: str) -> str:
    """Return a kind's title in words, e.g. "Base-rate precision" for ``base_rate_precision``."""
    from .drills import DRILL_KINDS

    kind = _kind("kind", kind)
    if kind in DRILL_KINDS:
        return DRILL_KINDS[kind][0]
    title = _estimation().ESTIMATE_KINDS[kind]
    return title if isinstance(title, str) else str(title[0])


def _module_of(kind: str) -> str:
    """The lesson a kind of drill comes from ("02", "05", ...); estimates are their own group."""
    from .drills import _WHAT

    return _WHAT[kind][1] if kind in _WHAT else "estimation"


def make_item(kind: str, seed: int, difficulty: int, scenario: str = "default"):
    """Return one practice item: a ``Drill`` for a drill kind, an ``Estimate`` for an estimation kind."""
    from .drills import DRILL_KINDS, make_drill

    kind = _kind("kind", kind)
    difficulty = validation.count("difficulty", difficulty, minimum=1, maximum=3,
                                  allowed="1 (warm-up), 2 (standard) or 3 (stretch)")
    scenario = _scenario_name(scenario)
    if kind in DRILL_KINDS:
        return make_drill(kind, seed, difficulty, scenario)
    return _estimation().make_estimate(kind, seed, difficulty, scenario)


def _scenario_name(value: Any) -> str:
    from .parameters import get_scenario

    if isinstance(value, str) and value == "default":
        return value
    get_scenario(value)  # "scenario must be one of ..."
    return value


# --------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Attempt:
    """One drill attempt as the log holds it (``answer`` is a short text of what was typed; ``hints``
    how many hints were shown before the answer)."""

    at: _dt.datetime
    kind: str
    difficulty: int
    seed: int
    answer: str
    outcome: str
    seconds: float | None
    so_what: str | None
    session: str
    hints: int = 0

    @property
    def correct(self) -> bool:
        return self.outcome == "correct"


@dataclasses.dataclass(frozen=True)
class OpenAttempt:
    """One self-scored open question: the rubric points ticked, of ``total``."""

    at: _dt.datetime
    question_id: str
    ticked: tuple[str, ...]
    total: int
    seconds: float | None
    session: str

    @property
    def share(self) -> float:
        return len(self.ticked) / self.total if self.total else 0.0


def _utc(name: str, value: Any) -> _dt.datetime:
    """A datetime as an aware UTC datetime (a naive one is read as UTC)."""
    if not isinstance(value, _dt.datetime):
        raise validation.fail(name, value, "a datetime (timezone-aware; a naive one is read as UTC), or None for now")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _stamp(at: _dt.datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def _seconds(value: Any) -> float | None:
    if value is None:
        return None
    return validation.real("seconds", value, low=0, allowed="a number of seconds, 0 or more, or None when not timed")


def _text(name: str, value: Any, limit: int, allowed: str, empty: bool = True) -> str:
    """Text the log can store: a str of at most ``limit`` characters that UTF-8 can carry."""
    ok = isinstance(value, str) and len(value) <= limit and (empty or value.strip())
    try:
        ok = ok and bool(str.encode(value, "utf-8") or True)
    except UnicodeEncodeError:
        ok = False
    if not ok:
        raise validation.fail(name, value, allowed)
    return value


def _session(value: Any) -> str:
    return _text("session", value, 100, "text of at most 100 characters (a session id, or '' for none)")


def _outcome(name: str, value: Any, allowed: tuple[str, ...]) -> str:
    if isinstance(value, Outcome):
        value = value.value
    return validation.one_of(name, value, allowed)


# --------------------------------------------------------------------------------------------
# The log
# --------------------------------------------------------------------------------------------

_TABLES = {
    "meta": ("key", "value"),
    "drill_attempts": ("id", "at", "kind", "difficulty", "seed", "answer", "outcome", "seconds", "so_what", "session", "hints"),
    "open_attempts": ("id", "at", "question_id", "ticked", "total", "seconds", "session"),
}
_OLD_DRILL_COLUMNS = _TABLES["drill_attempts"][:-1]  # schema 1: no hints column
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS drill_attempts (id INTEGER PRIMARY KEY, at TEXT NOT NULL, kind TEXT NOT NULL,
    difficulty INTEGER NOT NULL, seed INTEGER NOT NULL, answer TEXT NOT NULL, outcome TEXT NOT NULL,
    seconds REAL, so_what TEXT, session TEXT NOT NULL, hints INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS open_attempts (id INTEGER PRIMARY KEY, at TEXT NOT NULL, question_id TEXT NOT NULL,
    ticked TEXT NOT NULL, total INTEGER NOT NULL, seconds REAL, session TEXT NOT NULL);
INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', '{SCHEMA_VERSION}');
"""
_HISTORY_COLUMNS = ["session", "started", "kind", "attempts", "correct", "accuracy", "median_seconds"]


class _Damaged(Exception):
    """The file is not a practice log of ours (the reason in words)."""


def _damaged(exc: sqlite3.Error) -> bool:
    """True when SQLite says the file is damaged or not a database (not: locked, read-only, cannot open)."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name:
        return name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))
    return isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError)


class PracticeLog:
    """The learner's practice record, in SQLite: drill attempts and self-scored open questions (lesson 06).

    ``path`` None is ``practice_path()``. ``timeout`` is how many seconds a write waits for another
    program that is writing at the same moment. Each record is its own short transaction.
    """

    def __init__(self, path: str | os.PathLike | None = None, *, timeout: float = 10.0) -> None:
        if path is not None and (not isinstance(path, (str, os.PathLike)) or isinstance(path, bytes) or not str(path)):
            raise validation.fail("path", path, "the path of the practice log (text or a Path), or None for the work folder's")
        self.path = Path(path) if path is not None else practice_path()
        self.timeout = validation.real("timeout", timeout, low=0, high=3600, allowed="a number of seconds from 0 to 3600")
        self._verified = False
        self._tables = "none"  # what the file held when last checked: "none" (no tables yet), "old" (schema 1), "current"
        self._warned: set[str] = set()  # the kinds of record whose unreadable rows were already reported

    def __repr__(self) -> str:
        return f"PracticeLog({str(self.path)!r})"

    # --- opening ---------------------------------------------------------------------------

    def _unavailable(self, why: str) -> LogUnavailable:
        return LogUnavailable(f"the practice log {self.path} {why}; nothing was overwritten. "
                              "Move it away, or set AIPM_PRACTICE_FILE to another file, to record practice again")

    def _place(self) -> bool:
        """True when the log's file exists; LogUnavailable when something else is in its place."""
        try:
            mode = self.path.stat().st_mode
        except (FileNotFoundError, NotADirectoryError):  # not there yet (a file in a folder's place is found when writing)
            return False
        except OSError as exc:
            raise self._unavailable(f"cannot be reached ({_reason(exc)})") from exc
        if stat.S_ISDIR(mode):
            raise self._unavailable("is a folder, not a file")
        if not stat.S_ISREG(mode):
            raise self._unavailable("is not a regular file")
        return True

    def _connect(self, write: bool) -> sqlite3.Connection | None:
        """A connection to a checked log; None for a read of a log that does not exist yet."""
        for _ in range(2):  # a damaged file is set aside once, then the new log is used
            exists = self._place()
            if not exists and not write:
                return None
            if write:
                try:
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    blocker = next((p for p in self.path.parents if p.is_file()), None)
                    why = f"{blocker} is a file, not a folder" if blocker else _reason(exc)
                    raise self._unavailable(f"cannot be made: its folder {self.path.parent} could not be created ({why})") from exc
            try:
                con = self._open(write)
            except sqlite3.Error as exc:
                if not _damaged(exc):
                    raise self._unavailable(f"cannot be opened ({exc})") from exc
                self._set_aside(f"is not a practice log SQLite can read ({exc})")
                continue
            try:
                self._verify(con, write)
            except _Damaged as damaged:
                con.close()
                self._set_aside(str(damaged))
                continue
            except BaseException:
                con.close()
                raise
            return con
        raise self._unavailable("was set aside as damaged and the new one is damaged too")

    def _open(self, write: bool) -> sqlite3.Connection:
        # Reading opens the file read-write when it may (SQLite then finishes a write a crashed program
        # left half done); a read-only file is opened read-only. Only writing creates the file.
        if write or os.access(self.path, os.W_OK):
            return sqlite3.connect(str(self.path), timeout=self.timeout, isolation_level=None)
        uri = self.path.resolve().as_uri() + "?mode=ro"
        return sqlite3.connect(uri, uri=True, timeout=self.timeout, isolation_level=None)

    def _verify(self, con: sqlite3.Connection, write: bool) -> None:
        """Until it is current: the file is a practice log (create the tables when writing to an empty one;
        bring a schema 1 log up to date, or read it as it is when it cannot be written)."""
        if self._verified:
            return
        try:
            if write:
                con.execute("BEGIN IMMEDIATE")
            try:
                tables = self._check_tables(con)
                if tables == "none" and write:
                    for statement in filter(str.strip, _SCHEMA.split(";")):
                        con.execute(statement)
                    tables = "current"
                if tables == "old":
                    tables = self._upgrade(con, write)
                if con.in_transaction:
                    con.execute("COMMIT")
            except BaseException:
                _rollback(con)
                raise
        except sqlite3.Error as exc:
            if _damaged(exc):
                raise _Damaged(f"is damaged ({exc})") from exc
            raise self._unavailable(f"cannot be read ({exc})") from exc
        self._tables = tables
        self._verified = tables == "current"

    def _upgrade(self, con: sqlite3.Connection, write: bool) -> str:
        """Add the hints column to a schema 1 log (its attempts: 0 hints); "current", or "old" when a read cannot write."""
        try:
            if not con.in_transaction:
                con.execute("BEGIN IMMEDIATE")
            if "hints" not in {row[1] for row in con.execute("PRAGMA table_info(drill_attempts)")}:  # another program may have done it
                con.execute("ALTER TABLE drill_attempts ADD COLUMN hints INTEGER NOT NULL DEFAULT 0")
                con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),))
            return "current"
        except sqlite3.OperationalError:
            if write:
                raise
            _rollback(con)  # a read-only file or folder: read the old log as it is
            return "old"

    def _check_tables(self, con: sqlite3.Connection) -> str:
        """"none" for an empty database, "old" for a schema 1 log, "current"; _Damaged when its tables are not a practice log's."""
        check = con.execute("PRAGMA quick_check").fetchone()
        if not check or check[0] != "ok":
            raise _Damaged(f"is damaged (SQLite's check says {check[0] if check else 'nothing'!r})")
        names = {row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}
        if not names:
            return "none"
        if names != set(_TABLES):
            raise _Damaged(f"holds other tables ({', '.join(sorted(names))}), not a practice log's")
        found = {table: tuple(row[1] for row in con.execute(f"PRAGMA table_info({table})")) for table in _TABLES}
        if found["meta"] != _TABLES["meta"]:
            raise _Damaged(f"has a table meta with other columns ({', '.join(found['meta'])})")
        row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        version = row[0] if row else None
        if isinstance(version, str) and version.isdigit() and int(version) > SCHEMA_VERSION:
            raise self._unavailable(f"was written by a newer version of the kit (schema {version}; this one reads {SCHEMA_VERSION}). Update the kit")
        old = found["drill_attempts"] == _OLD_DRILL_COLUMNS
        for table, columns in _TABLES.items():
            if found[table] != columns and not (table == "drill_attempts" and old):
                raise _Damaged(f"has a table {table} with other columns ({', '.join(found[table])})")
        if version != ("1" if old else str(SCHEMA_VERSION)):
            raise _Damaged(f"has an unknown schema version ({version!r})")
        return "old" if old else "current"

    def _set_aside(self, why: str) -> None:
        """Rename the log to <name>.corrupt-<timestamp> (with its journal), warn where it went."""
        from .workspace import _aside_name

        aside = _aside_name(self.path, "corrupt")
        try:
            os.rename(self.path, aside)
        except FileNotFoundError:  # another program set it aside first
            return
        except OSError as exc:
            raise self._unavailable(f"{why} and could not be moved aside ({_reason(exc)})") from exc
        for suffix in ("-journal", "-wal", "-shm"):  # a leftover journal belongs to the old file, never the new one
            try:
                os.rename(self.path.with_name(self.path.name + suffix), aside.with_name(aside.name + suffix))
            except OSError:
                pass
        self._verified = False
        try:
            warnings.warn(f"The practice log {self.path} {why}; it was moved to {aside.name} in {aside.parent} "
                          "and a new log was started.", stacklevel=5)
        except Exception:  # noqa: BLE001 - warnings turned into errors must not stop the practice
            pass

    def _write(self, sql: str, values: tuple) -> None:
        with closing(self._connect(write=True)) as con:
            try:
                con.execute("BEGIN IMMEDIATE")
                con.execute(sql, values)
                con.execute("COMMIT")
            except sqlite3.Error as exc:
                _rollback(con)
                raise self._unavailable(f"could not be written ({exc})") from exc

    def _read(self, sql: str | Callable[[], str], values: tuple = ()) -> list[tuple]:
        con = self._connect(write=False)
        if con is None or self._tables == "none":
            if con is not None:
                con.close()
            return []
        with closing(con):
            try:
                return con.execute(sql() if callable(sql) else sql, values).fetchall()
            except sqlite3.Error as exc:
                raise self._unavailable(f"could not be read ({exc})") from exc

    # --- writing ---------------------------------------------------------------------------

    def record_drill(self, *, kind: str, difficulty: int, seed: int, answer: Any, outcome: str, seconds: float | None,
                     so_what: str | None = None, session: str = "", at: _dt.datetime | None = None, hints: int = 0) -> None:
        """Add one drill attempt. ``outcome`` is "correct", "incorrect" or "skipped"; ``so_what`` the outcome
        of the "so what" choice (None when there was none); ``answer`` is kept as a short text; ``hints``
        is how many hints were shown before the answer."""
        values = (
            _stamp(_utc("at", at) if at is not None else _now()),
            _kind("kind", kind),
            validation.count("difficulty", difficulty, minimum=1, maximum=3, allowed="1 (warm-up), 2 (standard) or 3 (stretch)"),
            validation.count("seed", seed, minimum=0, maximum=2**63 - 1, allowed="a whole number from 0 to 2**63 - 1"),
            _displayable(answer) if isinstance(answer, str) and len(answer) <= 200 else safe_repr(answer, 200),
            _outcome("outcome", outcome, OUTCOMES),
            _seconds(seconds),
            None if so_what is None else _outcome("so_what", so_what, SO_WHAT_OUTCOMES),
            _session(session),
            validation.count("hints", hints, minimum=0, maximum=MAX_HINTS, allowed=f"the number of hints shown, a whole number from 0 to {MAX_HINTS}"),
        )
        self._write("INSERT INTO drill_attempts (at, kind, difficulty, seed, answer, outcome, seconds, so_what, session, hints) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", values)

    def record_open(self, *, question_id: str, ticked: Sequence[str], total: int, seconds: float | None = None,
                    session: str = "", at: _dt.datetime | None = None) -> None:
        """Add one self-scored open question: the ids of the rubric points ticked, of ``total`` points."""
        _text("question_id", question_id, 200, "a question id (text), e.g. 'worth-building'", empty=False)
        total = validation.count("total", total, minimum=1, maximum=100, allowed="the number of rubric points, from 1 to 100")
        if isinstance(ticked, (str, bytes)) or not isinstance(ticked, Iterable):
            raise validation.fail("ticked", ticked, "a list of the rubric point ids covered (text)")
        ticked = list(ticked)
        allowed = f"a list of at most {total} different rubric point ids (text)"
        for point in ticked:
            _text("ticked", point, 200, allowed, empty=False)
        if len(set(ticked)) != len(ticked) or len(ticked) > total:
            raise validation.fail("ticked", ticked, allowed)
        values = (_stamp(_utc("at", at) if at is not None else _now()), question_id, json.dumps(ticked), total,
                  _seconds(seconds), _session(session))
        self._write("INSERT INTO open_attempts (at, question_id, ticked, total, seconds, session) VALUES (?, ?, ?, ?, ?, ?)", values)

    def new_session_id(self) -> str:
        """Return a fresh session id: the time now (UTC) and four random hex digits."""
        import secrets

        return f"{_now():%Y-%m-%dT%H:%M:%S}-{secrets.token_hex(2)}"

    # --- reading ---------------------------------------------------------------------------

    def _drill_rows(self, where: str = "", values: tuple = ()) -> list[tuple]:
        def sql() -> str:  # built once the file is checked: a schema 1 log on a read-only disk has no hints column
            hints = "0" if self._tables == "old" else "hints"
            return (f"SELECT at, kind, difficulty, seed, answer, outcome, seconds, so_what, session, {hints} "
                    f"FROM drill_attempts {where} ORDER BY at, id")

        return self._read(sql, values)

    def drill_attempts(self, kind: str | None = None) -> list[Attempt]:
        """Return the drill attempts, oldest first (only those of ``kind`` when given). A row that cannot be
        read (a bad date or number) is left out, with one warning naming the log and how many such rows it holds."""
        if kind is None:
            rows = self._drill_rows()
        else:
            rows = self._drill_rows("WHERE kind = ?", (_kind("kind", kind),))
        attempts = [a for a in map(_attempt, rows) if a is not None]
        if len(attempts) < len(rows) and "drill attempts" not in self._warned:
            bad = len(rows) - len(attempts) if kind is None else sum(_attempt(r) is None for r in self._drill_rows())
            self._warn_unreadable("drill attempts", bad)
        return attempts

    def open_attempts(self) -> list[OpenAttempt]:
        """Return the self-scored open questions, oldest first (a row that cannot be read is left out, with a warning)."""
        rows = self._read("SELECT at, question_id, ticked, total, seconds, session FROM open_attempts ORDER BY at, id")
        attempts = [a for a in map(_open_attempt, rows) if a is not None]
        if len(attempts) < len(rows):
            self._warn_unreadable("self-scored open questions", len(rows) - len(attempts))
        return attempts

    def _warn_unreadable(self, what: str, bad: int) -> None:
        """Warn once per kind of record that ``bad`` rows of the log cannot be read."""
        if what in self._warned:
            return
        self._warned.add(what)
        try:
            warnings.warn(f"The practice log {self.path} has {bad} row{'s' if bad != 1 else ''} of {what} that cannot be read "
                          "(a bad date or number): they are left out of your record. The file itself is left as it is.", stacklevel=3)
        except Exception:  # noqa: BLE001 - warnings turned into errors must not stop the practice
            pass

    def history(self):
        """Return a table (pandas DataFrame) with one row per session and kind, sessions in time order.

        Columns: session, started (the session's first attempt), kind, attempts, correct, accuracy
        (0 to 1) and median_seconds (of the answers given, skips left out; NaN when none was timed).
        Attempts recorded without a session id are grouped by their day (UTC)."""
        import statistics

        import pandas as pd

        groups: dict[tuple[str, str], list[Attempt]] = {}
        started: dict[str, _dt.datetime] = {}
        for a in self.drill_attempts():
            session = _session_key(a)
            groups.setdefault((session, a.kind), []).append(a)
            started.setdefault(session, a.at)
        order = {k: i for i, k in enumerate(all_kinds())}
        rows = []
        for (session, kind), attempts in sorted(groups.items(), key=lambda g: (started[g[0][0]], g[0][0], order.get(g[0][1], len(order)), g[0][1])):
            right = sum(a.correct for a in attempts)
            timed = [a.seconds for a in attempts if a.seconds is not None and a.outcome != "skipped"]
            rows.append({"session": session, "started": started[session], "kind": kind, "attempts": len(attempts), "correct": right,
                         "accuracy": right / len(attempts), "median_seconds": float(statistics.median(timed)) if timed else math.nan})
        frame = pd.DataFrame(rows, columns=_HISTORY_COLUMNS)
        return frame.astype({"session": object, "kind": object, "attempts": "int64", "correct": "int64", "accuracy": "float64",
                             "median_seconds": "float64"})


def _session_key(a: Attempt) -> str:
    """The session an attempt belongs to in the history: its id, or its day (UTC) when it has none."""
    return a.session or f"{a.at:%Y-%m-%d}"


def _so_what_and_hints(attempts: Iterable[Attempt]) -> dict[tuple[str, str], tuple[int, int, int]]:
    """Per (session, kind): the "so what" choices right, those answered (not skipped), and the hints shown."""
    found: dict[tuple[str, str], tuple[int, int, int]] = {}
    for a in attempts:
        right, answered, hints = found.get((_session_key(a), a.kind), (0, 0, 0))
        found[(_session_key(a), a.kind)] = (right + (a.so_what == "correct"), answered + (a.so_what in ("correct", "incorrect")),
                                            hints + a.hints)
    return found


def _rollback(con: sqlite3.Connection) -> None:
    """End a failed transaction; a damaged file may refuse even that, which changes nothing."""
    try:
        if con.in_transaction:
            con.execute("ROLLBACK")
    except sqlite3.Error:
        pass


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__


def _now() -> _dt.datetime:
    return _dt.datetime.now(UTC)


def _read_time(text: Any) -> _dt.datetime:
    at = _dt.datetime.fromisoformat(text)
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def _attempt(row: tuple) -> Attempt | None:
    """A row as an Attempt; None for a row that cannot be read (it is left out, never an error)."""
    try:
        at, kind, difficulty, seed, answer, outcome, seconds, so_what, session, hints = row
        return Attempt(_read_time(at), str(kind), int(difficulty), int(seed), str(answer), str(outcome),
                       None if seconds is None else float(seconds), None if so_what is None else str(so_what), str(session),
                       int(hints))
    except (TypeError, ValueError, OverflowError):
        return None


def _open_attempt(row: tuple) -> OpenAttempt | None:
    try:
        at, question_id, ticked, total, seconds, session = row
        points = json.loads(ticked)
        if not isinstance(points, list):
            return None
        return OpenAttempt(_read_time(at), str(question_id), tuple(str(p) for p in points), int(total),
                           None if seconds is None else float(seconds), str(session))
    except (TypeError, ValueError):
        return None


# --------------------------------------------------------------------------------------------
# The schedule
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class KindState:
    """Where one kind stands: its box (0 to 4), when it is due (None: never tried), its difficulty,
    right answers in a row at that difficulty, misses in a row, and attempts so far.

    ``last_move`` says what the last attempt did to the box: "up" (right), "slow" (right but slow: it
    stayed), "hinted" (right after the last hint: it stayed), "early" (right before it was due: box and
    date stayed), "so_what" (a right number, a wrong "so what": down one), "missed" (a miss or a skip:
    down two) or "harder" (the difficulty rose: box 1); None before any attempt."""

    kind: str
    box: int
    due: _dt.datetime | None
    difficulty: int
    streak: int
    misses_in_row: int
    attempts: int
    last_at: _dt.datetime | None = None
    last_outcome: str | None = None
    correct: int = 0
    last_move: str | None = None


@functools.lru_cache(maxsize=256)
def _suggested(kind: str, difficulty: int) -> float | None:
    """The suggested seconds of a kind at a difficulty (they do not depend on the seed); None when unknown."""
    try:
        return float(make_item(kind, 0, difficulty).seconds)
    except Exception:  # noqa: BLE001 - an old or odd row never stops the schedule; it is just not timed
        return None


def _slow(a: Attempt) -> bool:
    """True when the attempt took more than SLOW_AFTER times its item's suggested seconds."""
    if a.seconds is None:
        return False
    suggested = _suggested(a.kind, a.difficulty)
    return suggested is not None and a.seconds > SLOW_AFTER * suggested


@functools.lru_cache(maxsize=256)
def _hint_count(kind: str, difficulty: int) -> int:
    """How many hints an item of a kind at a difficulty has (they do not depend on the seed); 0 when unknown."""
    try:
        return len(make_item(kind, 0, difficulty).hints or ())
    except Exception:  # noqa: BLE001 - an old or odd row never stops the schedule
        return 0


def _last_hint_used(kind: str, difficulty: int, hints: int) -> bool:
    """True when ``hints`` hints of an item reach its last one (the one that gives the whole formula)."""
    count = _hint_count(kind, difficulty)
    return count > 0 and hints >= count


def _box_after_right(box: int, a: Attempt, due: _dt.datetime | None) -> tuple[int, str]:
    """The box after a right number, and what kept or moved it: a wrong "so what", the last hint, an early
    review, a slow answer, or none of them (up one box)."""
    if a.so_what == "incorrect":
        return (box - 1 if box > 1 else box), "so_what"
    if _last_hint_used(a.kind, a.difficulty, a.hints):
        return box, "hinted"
    if due is not None and a.at < due - EARLY_GRACE:
        return box, "early"
    if _slow(a):
        return box, "slow"
    return min(MAX_BOX, box + 1), "up"


def _replay(kind: str, attempts: Iterable[Attempt]) -> KindState:
    """The state after these attempts (oldest first), by the rule in the module's docstring."""
    box, due, difficulty, streak, misses, count, right = 0, None, 1, 0, 0, 0, 0
    last_at = last_outcome = move = None
    for a in attempts:
        count += 1
        last_at, last_outcome = a.at, a.outcome
        if a.correct:  # the number alone decides the difficulty, unless the last hint gave the formula away
            right += 1
            misses = 0
            box, move = _box_after_right(box, a, due)
            if move == "hinted":
                streak = 0
            elif a.difficulty >= difficulty:
                streak += 1
            if streak >= RAISE_AFTER and difficulty < 3:
                difficulty, streak, box, move = difficulty + 1, 0, 1, "harder"
        else:
            box, streak, move = max(0, box - MISS_DROP), 0, "missed"
            misses += 1
            if misses >= LOWER_AFTER and difficulty > 1:
                difficulty, misses = difficulty - 1, 0
        if move != "early":  # an early review leaves the date as it was
            due = a.at + _dt.timedelta(days=INTERVALS[box - 1]) if box else a.at
    return KindState(kind, box, due, difficulty, streak, misses, count, last_at, last_outcome, right, move)


class Scheduler:
    """Which kinds to practise, in what order and at what difficulty, from the log (lesson 06).

    ``clock`` returns the time now as a timezone-aware datetime (tests pass a fake one)."""

    def __init__(self, log: PracticeLog, clock: Callable[[], _dt.datetime] | None = None) -> None:
        if not isinstance(log, PracticeLog):
            raise validation.fail("log", log, "a PracticeLog, e.g. PracticeLog() for your work folder's")
        if clock is not None and not callable(clock):
            raise validation.fail("clock", clock, "a function of no arguments returning a datetime, or None for the real time")
        self.log = log
        self.clock = clock or _now

    def now(self) -> _dt.datetime:
        return _utc("clock()", self.clock())

    def state(self, kind: str) -> KindState:
        """Return where ``kind`` stands now."""
        kind = _kind("kind", kind)
        return _replay(kind, self.log.drill_attempts(kind))

    def states(self, kinds: Sequence[str] | None = None) -> dict[str, KindState]:
        """Return every kind's state (or those named), reading the log once."""
        chosen = _kinds_arg(kinds)
        by_kind: dict[str, list[Attempt]] = {k: [] for k in chosen}
        for a in self.log.drill_attempts():
            if a.kind in by_kind:
                by_kind[a.kind].append(a)
        return {k: _replay(k, by_kind[k]) for k in chosen}

    def due_kinds(self, kinds: Sequence[str] | None = None) -> list[str]:
        """Return every kind (or those named), most urgent first: overdue (longest overdue first),
        then never tried, then the rest by due date; ties in the order of ``all_kinds()``."""
        now = self.now()
        states = self.states(kinds)
        order = {k: i for i, k in enumerate(all_kinds())}
        return sorted(states, key=lambda k: (*_urgency(states[k], now), order[k]))

    def difficulty(self, kind: str) -> int:
        """Return the difficulty to practise ``kind`` at: 1 warm-up, 2 standard, 3 stretch."""
        return self.state(kind).difficulty

    def reason(self, kind: str, state: KindState | None = None) -> str:
        """Return, in a line, why ``kind`` is due now or when it will be."""
        state = state if state is not None else self.state(kind)
        return _reason_text(state, self.now())

    def weakest(self, n: int = 3) -> list[KindState]:
        """Return the ``n`` kinds with the lowest accuracy over the whole log, worst first (only kinds tried)."""
        n = validation.count("n", n, minimum=1, maximum=100)
        order = {k: i for i, k in enumerate(all_kinds())}
        tried = [s for s in self.states().values() if s.attempts]
        tried.sort(key=lambda s: (s.correct / s.attempts, -s.attempts, order[s.kind]))
        return tried[:n]

    @staticmethod
    def explain() -> str:
        """Return the schedule's rule in plain words."""
        return RULE


def _urgency(state: KindState, now: _dt.datetime) -> tuple[int, float]:
    if state.attempts == 0 or state.due is None:
        return (1, 0.0)
    if state.due <= now:
        return (0, -(now - state.due).total_seconds())
    return (2, state.due.timestamp())


def _kinds_arg(kinds: Any) -> list[str]:
    known = all_kinds()
    if kinds is None:
        return known
    if isinstance(kinds, (str, bytes)) or not isinstance(kinds, Iterable):
        raise validation.fail("kinds", kinds, f"a list of practice kinds from: {', '.join(known)}; or None for all")
    chosen = list(kinds)
    if not chosen:
        raise validation.fail("kinds", kinds, f"a non-empty list of practice kinds from: {', '.join(known)}; or None for all")
    for k in chosen:
        if not isinstance(k, str) or k not in known:
            raise validation.fail("kinds", kinds, f"a list of practice kinds from: {', '.join(known)} ({safe_repr(k, 40)} is not one)")
    return list(dict.fromkeys(chosen))


def _local(at: _dt.datetime) -> str:
    """A time in the learner's own time zone, to the minute."""
    at = at.to_pydatetime() if hasattr(at, "to_pydatetime") else at
    return at.astimezone().strftime("%Y-%m-%d %H:%M")


def _in(delta: _dt.timedelta) -> str:
    hours = delta.total_seconds() / 3600
    if hours < 1:
        return "within the hour"
    if hours < 36:
        return f"in {round(hours)} hour{'s' if round(hours) != 1 else ''}"
    days = round(hours / 24)
    return f"in {days} days"


def _last_time(state: KindState) -> str:
    """What the last attempt was and where it left the box, in words."""
    box = state.box
    if state.last_move == "missed":
        what = "skipped" if state.last_outcome == "skipped" else "missed"
        return f"{what} last time, down to box {box}" if box else f"{what} last time"
    return {"slow": f"right but slow last time, so it stays in box {box}",
            "hinted": f"right after the last hint last time, so it stays in box {box}",
            "early": f"right last time but before it was due, so it stays in box {box}",
            "so_what": f"right number but wrong 'so what' last time, box {box}",
            "harder": f"moved up to {_level_name(state.difficulty)} last time, box {box}"}.get(state.last_move, f"right last time, box {box}")


def _reason_text(state: KindState, now: _dt.datetime) -> str:
    if state.attempts == 0 or state.due is None:
        return "never tried: new to you"
    if state.box == 0:
        return f"{_last_time(state)} ({_local(state.last_at)}): due again at once"
    every = INTERVALS[state.box - 1]
    if state.due <= now:
        return f"{_last_time(state)} (every {every} day{'s' if every > 1 else ''}): due since {_local(state.due)}"
    return f"{_last_time(state)}: not due until {_local(state.due)} ({_in(state.due - now)})"


def _next_due_text(state: KindState, now: _dt.datetime) -> str:
    if state.due is None:
        return "not tried yet"
    if state.due <= now:
        if state.box:
            return "due now"
        return "due again now (missed or skipped)" if state.last_move == "missed" else "due again now"
    return f"due again {_in(state.due - now)} ({_local(state.due)})"


# --------------------------------------------------------------------------------------------
# Planning a session
# --------------------------------------------------------------------------------------------


def _minutes(value: Any, name: str = "minutes") -> float:
    return validation.real(name, value, low=0, high=MAX_MINUTES, low_open=True, allowed=f"a number of minutes above 0 and at most {MAX_MINUTES}")


def _clock_arg(clock: Any) -> Callable[[], _dt.datetime]:
    if clock is not None and not callable(clock):
        raise validation.fail("clock", clock, "a function of no arguments returning a datetime, or None for the real time")
    return clock or _now


def _seed_from(seed: Any, clock: Callable[[], _dt.datetime]) -> int:
    if seed is None:
        return int(_utc("clock()", clock()).timestamp() * 1000) % 2**32
    return validation.count("seed", seed, minimum=0, maximum=2**63 - 1, allowed="a whole number from 0 to 2**63 - 1, or None for one from the clock")


def plan_session(log: PracticeLog, *, minutes: float = 10, kinds: Sequence[str] | None = None, seed: int | None = None,
                 clock: Callable[[], _dt.datetime] | None = None, scenario: str = "default") -> list:
    """Return the items of one practice session (Drill or Estimate objects), most urgent kinds first (lesson 06).

    Each kind comes at the difficulty the scheduler gives it; kinds are taken in turn while their
    suggested times fit in ``minutes`` (there is always at least one item). A kind comes a second time
    only when every kind asked for is already in the session (a second answer the same day would earn
    nothing: it is not due). Each item gets a fresh seed drawn from ``seed`` (None: one from the clock)."""
    import numpy as np

    if not isinstance(log, PracticeLog):
        raise validation.fail("log", log, "a PracticeLog, e.g. PracticeLog() for your work folder's")
    budget = _minutes(minutes) * 60
    chosen = _kinds_arg(kinds)
    clock = _clock_arg(clock)
    seed = _seed_from(seed, clock)
    scenario = _scenario_name(scenario)
    scheduler = Scheduler(log, clock)
    states = scheduler.states(chosen)
    order = scheduler.due_kinds(chosen)
    rng = np.random.default_rng([seed % 2**63, 6060])
    items: list = []
    used = 0.0
    while True:
        added = False
        for kind in order:
            item = make_item(kind, int(rng.integers(0, 2**31)), states[kind].difficulty, scenario)
            if items and used + item.seconds > budget:
                continue
            items.append(item)
            used += item.seconds
            added = True
        if not added or len({i.kind for i in items}) < len(order):  # another round only when every kind is in
            return items


# --------------------------------------------------------------------------------------------
# The mock interview
# --------------------------------------------------------------------------------------------


def _is_estimate(item: Any) -> bool:
    return hasattr(item, "assumptions")


def _plain(text: Any) -> str:
    """Markdown as plain text for a terminal: no ** or backticks."""
    return re.sub(r"\*\*([^*]+)\*\*", r"\1", str(text)).replace("`", "")


def _own_working(item: Any, answer: Any) -> str | None:
    """An estimate's arithmetic redone with the learner's own assumptions (None when there are none to use)."""
    if not hasattr(item, "assumptions") or not isinstance(answer, Mapping):
        return None
    from .drills import parse_answer

    given = answer.get("values") if isinstance(answer.get("values"), Mapping) else answer
    try:
        return item.worked({a.name: parse_answer(given[a.name]) for a in item.assumptions}).body
    except Exception:  # noqa: BLE001 - an assumption missing or unusable: the typical case is shown instead
        return None


def _worked(item: Any, answer: Any = None) -> str:
    """The worked solution as plain text; for an estimate, from the learner's own assumptions when they gave them."""
    text = _own_working(item, answer) or getattr(item, "working", None) or item.solution().body
    return _plain(text).strip().replace("\n\n", "\n")


def _indent(text: str) -> str:
    """A list entry of several lines: the later lines indented under the first."""
    return text.replace("\n", "\n    ")


def _answer_text(answer: Any) -> str:
    """A learner's answer, short: a number as they would write it; an estimate's answer without its assumptions."""
    if isinstance(answer, Mapping) and "answer" in answer:
        answer = answer["answer"]
    if isinstance(answer, str):
        return answer
    if isinstance(answer, float) and math.isfinite(answer):
        return format(answer, ",.6g")
    return safe_repr(answer, 60)


@dataclasses.dataclass
class MockStep:
    """One step of a mock interview: a drill (``item`` a Drill or Estimate) or an open question."""

    kind: str  # "drill" or "open"
    item: Any
    suggested: float  # seconds
    stage: str = "waiting"  # waiting, number, so_what, done
    started: _dt.datetime | None = None
    seconds: float | None = None  # to the number (drills) or to the score (open questions)
    elapsed: float | None = None  # the whole step, "so what" included
    answer: Any = None
    result: CheckResult | None = None
    decision: CheckResult | None = None
    so_what: str | None = None
    skipped: bool = False
    score: Any = None  # interview.SelfScore for an open question
    hints: int = 0  # hints shown before the number (drills)

    @property
    def title(self) -> str:
        return self.item.title if self.kind == "drill" else f"Open question: {self.item.id}"


@dataclasses.dataclass(frozen=True)
class MockItem:
    """One line of a mock interview's report."""

    title: str
    kind: str  # "drill" or "open"
    outcome: str  # correct, incorrect, skipped, left before answering, not reached; an open question: scored, left before scoring
    seconds: float | None
    suggested: float
    so_what: str | None = None
    share: float | None = None  # rubric share of an open question
    answer: str = ""
    feedback: str = ""
    worked: str = ""
    missed_points: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class MockReport:
    """A mock interview's report: drills right of three, "so what" right, the rubric share per open
    question, minutes used against the plan, seconds per item, each miss, the kinds to practise next."""

    items: tuple[MockItem, ...]
    minutes_used: float
    minutes_planned: float
    weakest: tuple[tuple[str, int, int], ...]  # (kind, right, attempts) over the whole log, worst first
    session: str = ""

    @property
    def drills(self) -> list[MockItem]:
        return [i for i in self.items if i.kind == "drill"]

    @property
    def drills_right(self) -> int:
        return sum(i.outcome == "correct" for i in self.drills)

    @property
    def so_what_right(self) -> tuple[int, int]:
        asked = [i for i in self.drills if i.so_what is not None]
        return sum(i.so_what == "correct" for i in asked), len(asked)

    def _lines(self, md: bool) -> list[str]:
        b = (lambda t: f"**{t}**") if md else (lambda t: t)
        right, asked = self.so_what_right
        lines = [f"{b('Drills')}: {self.drills_right} of {len(self.drills)} right"
                 + (f"; 'so what' {right} of {asked} right." if asked else ".")]
        for item in self.items:
            if item.kind == "open":
                share = item.outcome if item.share is None else f"{item.share:.0%} of the rubric"
                lines.append(f"{b(item.title)}: {share}")
        lines.append(f"{b('Time')}: {self.minutes_used:.1f} minutes of {self.minutes_planned:g}.")
        lines.append("")
        lines.append(b("Item by item") + ":")
        for item in self.items:
            took = "" if item.seconds is None else f", took {item.seconds:.0f} s (suggested {item.suggested:.0f} s)"
            what = f"{item.share:.0%} of the rubric" if item.kind == "open" and item.share is not None else item.outcome
            lines.append(f"- {item.title}: {what}{took}" + (f"; 'so what' {item.so_what}" if item.so_what else ""))
        misses = [i for i in self.items if i.kind == "drill" and i.outcome in ("incorrect", "skipped")]
        if misses:
            lines += ["", b("Misses") + ":"]
            for item in misses:
                yours = f" Your answer {item.answer}." if item.answer else ""
                lines.append(_indent(f"- {item.title} ({item.outcome}).{yours} {item.feedback}".rstrip()))
                lines.append(_indent(f"  Worked solution: {item.worked}"))
        for item in self.items:
            if item.kind == "open" and item.missed_points:
                lines += ["", f"{b(item.title)}, points to add:"] + [f"- {p}" for p in item.missed_points]
        lines.append("")
        if self.weakest:
            weak = ", ".join(f"{kind_title(k)} ({r} of {n} right)" for k, r, n in self.weakest)
            lines.append(f"{b('Practise next')} (weakest first, over all your practice): {weak}. "
                         f"Run `aipm practice --kinds {','.join(k for k, _, _ in self.weakest)}`.")
        else:
            lines.append(f"{b('Practise next')}: no drill recorded yet.")
        return lines

    def __str__(self) -> str:
        return "Mock interview report\n" + "\n".join(_plain(line) for line in self._lines(md=False))

    def markdown(self) -> str:
        """The report as Markdown."""
        return "### Mock interview report\n\n" + "\n".join(self._lines(md=True))

    def _repr_markdown_(self) -> str:
        return self.markdown()


class MockInterview:
    """A 30-minute mock interview: three drills (the most urgent, weakest kinds, from at least two
    modules) and two open questions with their follow-ups (a product-sense case or a technical
    question, then a behavioural one), taken step by step (lesson 06).

    ``start()`` shows the current step and starts its clock; a drill takes ``answer(number)`` (an
    estimate ``answer(number, values)``) and then, when it has one, ``decide(letter)``; an open
    question takes ``score_open(points)`` (numbers or ids of the rubric points covered); ``skip()``
    gives up the current part; ``leave()`` stops the interview (a number already given is kept). Each
    finished step is recorded in the log under one session id (a log that cannot be written raises
    ``LogUnavailable``; the step still counts). ``report()`` at any time.
    A blank or unreadable answer, or a letter that is not an option, is "not attempted" and the step
    waits; only ``score_open`` refuses, with a ValueError, a point number outside the rubric."""

    def __init__(self, log: PracticeLog, *, seed: int | None = None, clock: Callable[[], _dt.datetime] | None = None,
                 minutes: float = MOCK_MINUTES, scenario: str = "default") -> None:
        import numpy as np

        from .interview import pick_questions

        if not isinstance(log, PracticeLog):
            raise validation.fail("log", log, "a PracticeLog, e.g. PracticeLog() for your work folder's")
        self.log = log
        self.clock = _clock_arg(clock)
        self.minutes = validation.real("minutes", minutes, low=5, high=MAX_MINUTES, allowed=f"a number of minutes from 5 to {MAX_MINUTES}")
        self.seed = _seed_from(seed, self.clock)
        scenario = _scenario_name(scenario)
        self.scheduler = Scheduler(log, self.clock)
        rng = np.random.default_rng([self.seed % 2**63, 3030])
        states = self.scheduler.states()
        drills = [make_item(k, int(rng.integers(0, 2**31)), max(2, states[k].difficulty), scenario) for k in self._drill_kinds(states, rng)]
        # As in a real loop: a case (product sense or a technical question, by the seed), then a story.
        first = ("product_sense", "technical")[int(rng.integers(0, 2))]
        questions = [pick_questions(seed=self.seed % 2**32, n=1, kind=kind)[0] for kind in (first, "behavioural")]
        spare = self.minutes * 60 - sum(d.seconds for d in drills)
        self.steps = [MockStep("drill", d, float(d.seconds)) for d in drills]
        weight = sum(q.minutes for q in questions)  # the time the drills leave, shared by each question's own length
        self.steps += [MockStep("open", q, max(120.0, spare * q.minutes / weight)) for q in questions]  # two minutes at least
        self.position = 0
        self.session = log.new_session_id()

    def _drill_kinds(self, states: Mapping[str, KindState], rng) -> list[str]:
        """Three kinds: the most urgent (never-tried kinds in an order drawn from the seed), from at least two modules."""
        now = self.scheduler.now()
        fresh = [k for k in states if states[k].attempts == 0]
        shuffled = {k: i for i, k in enumerate(fresh[j] for j in rng.permutation(len(fresh)))}
        ranked = sorted(states, key=lambda k: (*_urgency(states[k], now), shuffled.get(k, 0)))
        chosen = ranked[:3]
        if len({_module_of(k) for k in chosen}) < 2:
            other = next((k for k in ranked[3:] if _module_of(k) != _module_of(chosen[0])), None)
            if other is not None:
                chosen[-1] = other
        return chosen

    # --- where we are ------------------------------------------------------------------------

    @property
    def finished(self) -> bool:
        return self.position >= len(self.steps)

    @property
    def current(self) -> MockStep | None:
        return None if self.finished else self.steps[self.position]

    def _time(self) -> _dt.datetime:
        return _utc("clock()", self.clock())

    def start(self) -> MockStep | None:
        """Start the clock on the current step (if not started) and return it; None when finished."""
        step = self.current
        if step is not None and step.started is None:
            step.started = self._time()
            step.stage = "number" if step.kind == "drill" else "open"
        return step

    def _since(self, step: MockStep) -> float:
        return max(0.0, (self._time() - step.started).total_seconds())

    def _not_now(self, what: str) -> CheckResult:
        title = self.current.title if self.current else "Mock interview"
        return CheckResult("mock", title, Outcome.NOT_ATTEMPTED, what)

    # --- answering ---------------------------------------------------------------------------

    def answer(self, value: Any, values: Mapping[str, Any] | None = None) -> CheckResult:
        """Check the number for the current drill (an estimate also takes its assumptions' ``values``)."""
        from .drills import parse_answer

        step = self.start()
        if step is None or step.kind != "drill" or step.stage != "number":
            return self._not_now("There is no drill waiting for a number now.")
        typed, given = value, values
        try:
            value = parse_answer(value)
            if _is_estimate(step.item):
                values = {k: parse_answer(v) for k, v in values.items()} if isinstance(values, Mapping) else values
                result = step.item.check(values, value)
            else:
                result = step.item.check(value)
        except Exception as exc:  # noqa: BLE001 - an answer never breaks the interview
            return self._not_now(f"That answer could not be read ({safe_repr(exc, 80)}).")
        if result.outcome is Outcome.NOT_ATTEMPTED:
            return result
        step.seconds, step.result = self._since(step), result
        step.answer = typed if given is None else {"values": dict(given), "answer": typed}
        if getattr(step.item, "so_what", None) is not None:
            step.stage = "so_what"
        else:
            self._finish(step)
        return result

    def decide(self, letter: Any) -> CheckResult:
        """Check the "so what" choice of the current drill (a letter); anything else is not taken."""
        step = self.current
        if step is None or step.stage != "so_what":
            return self._not_now("There is no 'so what' choice waiting now.")
        options = [k.lower() for k in step.item.so_what.spec.options]
        if not isinstance(letter, str) or letter.strip().strip("().").lower() not in options:
            return self._not_now(f"Answer with one of the letters {', '.join(options)}.")
        step.decision = step.item.decide(letter.strip().strip("()."))
        step.so_what = "correct" if step.decision.correct else "incorrect"
        self._finish(step)
        return step.decision

    def score_open(self, covered: Iterable[Any]):
        """Score the current open question from the rubric points covered (numbers from 1, or ids)."""
        from .interview import self_score

        step = self.start()
        if step is None or step.kind != "open":
            raise validation.fail("covered", covered, "given only when the current step is an open question")
        score = self_score(step.item, covered)
        step.score, step.seconds = score, self._since(step)
        self._finish(step)
        return score

    def skip(self) -> None:
        """Give up the current part: a drill's number (a miss), its "so what", or an open question (no points)."""
        step = self.start()
        if step is None:
            return
        if step.kind == "open":
            from .interview import self_score

            step.score, step.seconds, step.skipped = self_score(step.item, []), self._since(step), True
        elif step.stage == "number":
            step.seconds, step.skipped = self._since(step), True  # the "so what" is not asked: None
        else:
            step.so_what = "skipped"
        self._finish(step)

    def leave(self) -> None:
        """Stop the interview here. A drill whose number was given is recorded without its "so what" (as a
        session keeps what was answered); a step shown but not answered is reported as left, the rest as not reached."""
        step = self.current
        if step is not None and step.kind == "drill" and step.stage == "so_what":
            self._finish(step)

    def _finish(self, step: MockStep) -> None:
        step.elapsed = self._since(step)
        step.stage = "done"
        self.position += 1
        self._record(step)

    def _record(self, step: MockStep) -> None:
        at = self._time()
        if step.kind == "open":
            self.log.record_open(question_id=step.item.id, ticked=[p.id for p in step.score.covered], total=len(step.item.rubric),
                                 seconds=step.seconds, session=self.session, at=at)
            return
        outcome = "skipped" if step.skipped else ("correct" if step.result.correct else "incorrect")
        self.log.record_drill(kind=step.item.kind, difficulty=step.item.difficulty, seed=step.item.seed, answer=step.answer,
                              outcome=outcome, seconds=step.seconds, so_what=step.so_what, session=self.session, at=at,
                              hints=min(step.hints, MAX_HINTS))

    # --- the report --------------------------------------------------------------------------

    def report(self) -> MockReport:
        """Return the report of the steps so far (those not reached say so)."""
        items = tuple(_report_item(step) for step in self.steps)
        used = sum(s.elapsed or 0.0 for s in self.steps)
        weakest = tuple((s.kind, s.correct, s.attempts) for s in self.scheduler.weakest(3))
        return MockReport(items, used / 60, self.minutes, weakest, self.session)


def _report_item(step: MockStep) -> MockItem:
    if step.kind == "open":
        score = step.score
        unscored = "left before scoring" if step.started is not None else "not reached"  # shown, then the learner stopped
        return MockItem(step.title, "open", "skipped" if step.skipped else ("scored" if score else unscored), step.seconds, step.suggested,
                        share=None if score is None else score.score, missed_points=tuple(p.point for p in score.missed) if score else ())
    if step.stage != "done":
        outcome = "left before answering" if step.started is not None else "not reached"
    else:
        outcome = "skipped" if step.skipped else ("correct" if step.result.correct else "incorrect")
    feedback = step.result.message if step.result is not None and not step.result.correct else ""
    return MockItem(step.title, "drill", outcome, step.seconds, step.suggested, so_what=step.so_what,
                    answer="" if step.result is None else _answer_text(step.answer), feedback=_plain(feedback),
                    worked="" if outcome == "correct" else _worked(step.item, step.answer))


# --------------------------------------------------------------------------------------------
# The terminal: `aipm practice`
# --------------------------------------------------------------------------------------------

_QUIT = object()
_HELP = "Type a number (0.083, 8.3%, 14,751 or $2,220); h for a hint, s to skip, q to stop."


class TerminalPractice:
    """``aipm practice`` in a terminal: a planned session, the history, or the mock interview.

    ``ask`` reads a line (like ``input``; EOFError or KeyboardInterrupt stops cleanly, keeping what
    was done); ``say`` prints; ``timer`` counts seconds (``time.monotonic``)."""

    def __init__(self, log: PracticeLog, *, ask: Callable[[str], str] = builtins.input, say: Callable[[str], None] = print,
                 timer: Callable[[], float] = time.monotonic, clock: Callable[[], _dt.datetime] | None = None) -> None:
        self.log, self._ask, self.say, self.timer = log, ask, say, timer
        self.clock = clock or _now
        self._typed = ""

    @classmethod
    def for_work_dir(cls, work: Any = None, **kwargs: Any) -> TerminalPractice:
        """The terminal on the log of a work folder (None: ``practice_path()``)."""
        path = None if work is None else Path(work) / ".aipm" / "practice.sqlite"
        return cls(PracticeLog(path), **kwargs)

    def ask(self, prompt: str) -> str | object:
        try:
            return self._ask(prompt)
        except (EOFError, KeyboardInterrupt):
            self.say("")
            return _QUIT

    # --- options -----------------------------------------------------------------------------

    @staticmethod
    def options(minutes: Any, kinds: Any, seed: Any, scenario: Any) -> tuple[float, list[str] | None, int | None, str]:
        """The command's options checked, each error naming the option, the value and what is allowed."""
        from .parameters import scenarios

        if not validation.is_real(minutes) or not 0 < float(minutes) <= MAX_MINUTES:
            raise validation.ArgumentError(f"--minutes must be a number of minutes above 0 and at most {MAX_MINUTES}, got {minutes:g}"
                                           if validation.is_number(minutes) else f"--minutes must be a number, got {safe_repr(minutes)}")
        chosen = None
        if kinds is not None:
            chosen = [k.strip() for k in str(kinds).split(",") if k.strip()]
            bad = [k for k in chosen if k not in all_kinds()] or ([] if chosen else [str(kinds)])
            if bad:
                raise validation.ArgumentError(f"--kinds must be kinds separated by commas, from: {_kinds_text()}; got {bad[0]!r}")
        if seed is not None and (not validation.is_whole(seed) or not 0 <= seed <= 2**63 - 1):
            raise validation.ArgumentError(f"--seed must be a whole number from 0 to 2**63 - 1, got {safe_repr(seed)}")
        if not isinstance(scenario, str) or (scenario != "default" and scenario not in scenarios()):
            raise validation.ArgumentError(f"--scenario must be one of {', '.join(repr(n) for n in scenarios())}, got {safe_repr(scenario)}")
        return float(minutes), chosen, seed, scenario

    # --- one drill ---------------------------------------------------------------------------

    def _hint(self, item: Any, shown: int) -> int:
        count = len(getattr(item, "hints", ()) or ())
        if shown >= count:
            self.say("No more hints. s skips; the worked solution comes at the end.")
            return shown
        text = re.sub(r"Ask `?hint\(\d+\)`? for more\.", "Type h for more.", str(item.hint(shown + 1)))
        self.say(_plain(text))
        return shown + 1

    def _read_number(self, prompt: str, item: Any, hints: list[int], share: bool = False) -> Any:
        """A number typed at ``prompt``; "skip", _QUIT, or the number. A typo asks again, and so does a
        share typed as a percentage without "%" when ``share`` (the question asks for a share)."""
        from .drills import parse_answer

        while True:
            text = self.ask(prompt)
            if text is _QUIT or text.strip().lower() in {"q", "quit"}:
                return _QUIT
            word = text.strip().lower()
            if word in {"s", "skip"}:
                return "skip"
            if word in {"h", "hint"}:
                hints[0] = self._hint(item, hints[0])
                continue
            number = parse_answer(text)
            if number is None:
                self.say(f"Could not read {text.strip()!r} as a number. {_HELP}")
                continue
            if share and _share_typo(text, number):
                self.say(_share_typo(text, number))
                continue
            self._typed = text.strip()
            return number

    def _estimate_values(self, item: Any, hints: list[int]) -> dict | str | object:
        values = {}
        for a in item.assumptions:
            value = self._read_number(f"{a.label} ({a.unit})> ", item, hints, share=_asks_share(a))
            if value is _QUIT or value == "skip":
                return value
            values[a.name] = value
        return values

    def _drill(self, item: Any, number: int, total: int, session: str) -> dict | None:
        """Ask one item; record it; return what happened (None when the learner stopped before answering)."""
        self.say("")
        self.say(f"[{number}/{total}] {item.title} ({_level(item)}, suggested {item.seconds:.0f} s)")
        self.say(_plain(item.prompt))
        if _is_estimate(item):
            self.say("First your assumptions, one by one, then your answer. " + _HELP)
        started, hints = self.timer(), [0]
        while True:
            values = self._estimate_values(item, hints) if _is_estimate(item) else None
            if values is _QUIT or values == "skip":
                value = values
                break
            value = self._read_number("answer> ", item, hints, share=_asks_share(item))
            if value is _QUIT or value == "skip":
                break
            result = item.check(values, value) if values is not None else item.check(value)
            if result.outcome is not Outcome.NOT_ATTEMPTED:
                break
            self.say(_plain(result.message))
        if value is _QUIT:
            return None
        seconds = self.timer() - started
        if value == "skip":
            self.say(f"Skipped after {seconds:.0f} s.")
            self._save(item, "", "skipped", seconds, None, session, hints[0])
            return {"item": item, "outcome": "skipped", "result": None, "answer": "", "quit": False}
        self.say(_verdict(result))
        self.say(_time_note(item, result.correct, seconds, hints[0]))
        so_what, stop = self._so_what(item)
        answer = self._typed if values is None else {**values, "answer": value}
        self._save(item, answer, result.outcome.value, seconds, so_what, session, hints[0])
        return {"item": item, "outcome": result.outcome.value, "result": result, "answer": answer, "quit": stop}

    def _ask_so_what(self, item: Any) -> str | object:
        """Show the "so what" choice and read a letter: the letter, "skip", or _QUIT. A typo asks again."""
        step = item.so_what
        self.say("")
        self.say("So what? " + _plain(step.prompt))
        for key, text in step.spec.options.items():
            self.say(f"  {key}) {_plain(text)}")
        keys = [k.lower() for k in step.spec.options]
        while True:
            text = self.ask("so what> ")
            if text is _QUIT or text.strip().lower() in {"q", "quit"}:
                return _QUIT
            word = text.strip().strip("().").lower()
            if word in {"s", "skip"} and "s" not in keys:
                self.say("Skipped.")
                return "skip"
            if word in keys:
                return word
            self.say(f"Answer with one of the letters {', '.join(keys)} (s skips, q stops).")

    def _say_decision(self, decision: CheckResult, item: Any) -> str:
        """Say the "so what" verdict; after a wrong choice, the best one and why (the item counts once)."""
        self.say(_verdict(decision, wrong="Not the best choice"))
        if not decision.correct:
            self.say(_plain(_best_choice(item)))
        return "correct" if decision.correct else "incorrect"

    def _so_what(self, item: Any) -> tuple[str | None, bool]:
        """Ask the "so what" choice when the drill has one: (its outcome, whether the learner stopped)."""
        if getattr(item, "so_what", None) is None:
            return None, False
        letter = self._ask_so_what(item)
        if letter is _QUIT:
            return None, True
        if letter == "skip":
            return "skipped", False
        return self._say_decision(item.decide(letter), item), False

    def _save(self, item: Any, answer: Any, outcome: str, seconds: float, so_what: str | None, session: str, hints: int) -> None:
        self.log.record_drill(kind=item.kind, difficulty=item.difficulty, seed=item.seed, answer=answer, outcome=outcome,
                              seconds=seconds, so_what=so_what, session=session, at=_utc("clock()", self.clock()),
                              hints=min(hints, MAX_HINTS))

    # --- a session ---------------------------------------------------------------------------

    def session(self, *, minutes: Any = 10, kinds: Any = None, seed: Any = None, scenario: Any = "default") -> int:
        """Run a planned session; return the exit code (0, also when the learner stops early). ``minutes`` None is 10."""
        minutes, kinds, seed, scenario = self.options(10 if minutes is None else minutes, kinds, seed, scenario)
        items = plan_session(self.log, minutes=minutes, kinds=kinds, seed=seed, clock=self.clock, scenario=scenario)
        scheduler = Scheduler(self.log, self.clock)
        self._header(scheduler, items, minutes)
        session, deadline, began = self.log.new_session_id(), self.timer() + minutes * 60, self.timer()
        done: list[dict] = []
        for number, item in enumerate(items, 1):
            if number > 1 and self.timer() >= deadline:
                self.say(f"\nTime is up ({minutes:g} minutes): the session stops here.")
                break
            outcome = self._drill(item, number, len(items), session)
            if outcome is None:
                break
            done.append(outcome)
            if outcome["quit"]:
                break
        self._summary(done, scheduler, self.timer() - began)
        return 0

    def _header(self, scheduler: Scheduler, items: list, minutes: float) -> None:
        self.say(f"Practice log: {self.log.path}")
        total = sum(i.seconds for i in items)
        self.say(f"{len(items)} item{'s' if len(items) != 1 else ''}, about {total / 60:.1f} minutes (you asked for {minutes:g}). "
                 "Type h for a hint, s to skip, q to stop; what you answered is kept.")
        states = scheduler.states(list(dict.fromkeys(i.kind for i in items)))
        self.say("Why these kinds:")
        for kind, state in states.items():
            self.say(f"- {kind_title(kind)} ({_level_name(state.difficulty)}): {scheduler.reason(kind, state)}")

    def _summary(self, done: list[dict], scheduler: Scheduler, seconds: float) -> None:
        self.say("")
        if not done:
            self.say("Nothing answered, nothing recorded.")
            return
        right = sum(d["outcome"] == "correct" for d in done)
        skipped = sum(d["outcome"] == "skipped" for d in done)
        self.say(f"Score: {right} of {len(done)} right" + (f" ({skipped} skipped)" if skipped else "") + f", in {seconds / 60:.1f} minutes.")
        misses = [d for d in done if d["outcome"] != "correct"]
        if misses:
            self.say("Misses, with the worked solution:")
            for d in misses:
                item = d["item"]
                yours = "skipped" if d["outcome"] == "skipped" else f"your answer {_answer_text(d['answer'])}: {_plain(d['result'].message)}"
                self.say(_indent(f"- {item.title} ({_level(item)}): {yours}"))
                self.say(_indent(f"  Worked solution: {_worked(item, d['answer'])}"))
        self.say("Next due:")
        now = scheduler.now()
        for kind, state in scheduler.states(list(dict.fromkeys(d["item"].kind for d in done))).items():
            self.say(f"- {kind_title(kind)}: {_next_due_text(state, now)}, box {state.box}")
        self.say(f"Saved in {self.log.path}. `aipm practice --history` shows your record.")

    # --- history -----------------------------------------------------------------------------

    def history(self) -> int:
        """Print the record per kind over sessions (with each kind's id for ``--kinds``), the kinds never
        tried and the open questions; return 0."""
        frame = self.log.history()
        opens = self.log.open_attempts()
        if frame.empty and not opens:
            self.say("no practice recorded yet: run `aipm practice`")
            self._never_tried(all_kinds())
            return 0
        scheduler = Scheduler(self.log, self.clock)
        states, now = scheduler.states(), scheduler.now()
        extra = _so_what_and_hints(self.log.drill_attempts())
        self.say(f"Practice log: {self.log.path}")
        self.say("Each kind: its title, [its id, for --kinds], its box and level, and when it is due again.")
        for kind, rows in frame.groupby("kind", sort=False):
            state = states.get(kind)
            where = f"box {state.box}, {_level_name(state.difficulty)}; {_next_due_text(state, now)}" if state else "no longer a practice kind"
            self.say("")
            self.say(f"{kind_title(kind) if state else kind} [{kind}]: {where}")
            self.say(f"  {'session started':<18}{'attempts':>9}{'right':>7}{'accuracy':>10}{'median s':>10}{'so what':>10}{'hints':>7}")
            for row in rows.itertuples():
                median = "-" if math.isnan(row.median_seconds) else f"{row.median_seconds:.0f}"
                right, answered, hints = extra.get((row.session, kind), (0, 0, 0))
                so_what = f"{right} of {answered}" if answered else "-"
                self.say(f"  {_local(row.started):<18}{row.attempts:>9}{row.correct:>7}{row.accuracy:>10.0%}{median:>10}{so_what:>10}{hints:>7}")
        self._never_tried([k for k in all_kinds() if k not in set(frame["kind"])])
        if opens:
            self.say("")
            self.say("Open questions (self-scored):")
            for a in opens:
                self.say(f"  {_local(a.at):<18}{a.question_id}: {len(a.ticked)} of {a.total} points ({a.share:.0%})")
        return 0

    def _never_tried(self, kinds: list[str]) -> None:
        if kinds:
            self.say("")
            self.say("Never tried [id, for --kinds]:")
            for kind in kinds:
                self.say(f"- {kind_title(kind)} [{kind}]")

    # --- the mock interview ------------------------------------------------------------------

    def mock(self, *, seed: Any = None, scenario: Any = "default", minutes: Any = None, kinds: Any = None) -> int:
        """Run the mock interview (30 minutes, or ``minutes`` from 5 to 120); print its report; return 0.
        ``kinds`` is refused: the interview picks its own drills."""
        if kinds is not None:
            raise validation.ArgumentError(
                f"--kinds cannot be used with --mock (got {safe_repr(kinds, 60)}): the mock interview picks its own three drills, "
                "the kinds you need most. Leave out --kinds, or drop --mock to practise those kinds")
        if minutes is not None and (not validation.is_real(minutes) or not 5 <= float(minutes) <= MAX_MINUTES):
            raise validation.ArgumentError(f"--minutes with --mock must be a number of minutes from 5 to {MAX_MINUTES} "
                                           f"(the interview's length, 30 if left out), got {safe_repr(minutes)}")
        minutes = MOCK_MINUTES if minutes is None else float(minutes)
        _, _, seed, scenario = self.options(minutes, None, seed, scenario)
        interview = MockInterview(self.log, seed=seed, clock=self.clock, scenario=scenario, minutes=minutes)
        self.say(f"Mock interview: {len(interview.steps)} steps in {interview.minutes:g} minutes, three drills then two open questions. "
                 "Type h for a hint, s to skip, q to stop; what you answered is kept.")
        total = len(interview.steps)
        while not interview.finished:
            step = interview.start()
            number = interview.position + 1
            going = self._mock_drill(interview, step, number, total) if step.kind == "drill" else self._mock_open(interview, step, number, total)
            if not going:
                break
        self.say("")
        self.say(str(interview.report()))
        return 0

    def _mock_drill(self, interview: MockInterview, step: MockStep, number: int, total: int) -> bool:
        item = step.item
        self.say("")
        self.say(f"[{number}/{total}] {item.title} ({_level(item)}, suggested {step.suggested:.0f} s)")
        self.say(_plain(item.prompt))
        hints = [0]
        while step.stage == "number":
            values = self._estimate_values(item, hints) if _is_estimate(item) else None
            value = values if values is _QUIT or values == "skip" else self._read_number("answer> ", item, hints, share=_asks_share(item))
            step.hints = min(hints[0], MAX_HINTS)
            if value is _QUIT:
                return False
            if value == "skip":
                interview.skip()
                self.say("Skipped.")
                return True
            result = interview.answer(self._typed, values)  # as typed: the log keeps the text
            self.say(_verdict(result))
        self.say(_time_note(item, step.result.correct, step.seconds, step.hints, step.suggested))
        if step.stage == "so_what":
            letter = self._ask_so_what(item)
            if letter is _QUIT:
                interview.leave()  # the number is kept, as in a session
                return False
            if letter == "skip":
                interview.skip()
            else:
                self._say_decision(interview.decide(letter), item)
        return True

    def _mock_open(self, interview: MockInterview, step: MockStep, number: int, total: int) -> bool:
        q = step.item
        self.say("")
        self.say(f"[{number}/{total}] Open question ({step.suggested / 60:.0f} minutes with the follow-ups)")
        self.say(_plain(q.question))
        if q.follow_ups:
            self.say("Follow-ups the interviewer may ask:")
            for f in q.follow_ups:
                self.say(f"- {_plain(f)}")
        if self.ask("Answer aloud or on paper, then press Enter> ") is _QUIT:
            return False
        self.say("Rubric: which points did you cover?")
        for i, p in enumerate(q.rubric, 1):
            self.say(f"  {i}. {_plain(p.point)}")
        while True:
            text = self.ask("points covered (e.g. 1,3,4; blank for none)> ")
            if text is _QUIT or text.strip().lower() in {"q", "quit"}:
                return False
            try:
                numbers = [int(t) for t in re.split(r"[,\s]+", text.strip()) if t]
                score = interview.score_open(numbers)
            except ValueError:
                self.say(f"Type the numbers of the points you covered, from 1 to {len(q.rubric)}, separated by commas (blank for none).")
                continue
            self.say(_plain(str(score)))
            return True


def _asks_share(thing: Any) -> bool:
    """True when a drill's answer, or an estimate's assumption, is a share between 0 and 1."""
    return getattr(thing, "fraction", False) is True or getattr(thing, "unit", None) == "share"


def _share_typo(typed: Any, number: Any) -> str | None:
    """The line that asks again when a share is typed as a percentage without "%" ("45.2" for 0.452),
    saying nothing about whether it would be right; None for anything else."""
    if not isinstance(typed, str) or "%" in typed or not validation.is_real(number) or not 1 < number <= 100:
        return None
    return f"A share is between 0 and 1: type {number / 100:.10g} or {number:.10g}%"


def _kept_note(item: Any, correct: bool, seconds: float | None, hints: int, suggested: float | None = None) -> str | None:
    """For a right number that keeps its box (after the last hint, or slow), the line that says so at once; else None."""
    suggested = float(item.seconds if suggested is None else suggested)
    count = len(getattr(item, "hints", ()) or ())
    if correct and count and hints >= count:
        return f"right after the last hint ({seconds or 0:.0f} s): it counts in your score, but it stays in its box"
    if correct and seconds is not None and seconds > SLOW_AFTER * suggested:
        return f"right but slow ({seconds:.0f} s of {suggested:.0f} s suggested): it stays in its box"
    return None


def _time_note(item: Any, correct: bool, seconds: float | None, hints: int, suggested: float | None = None) -> str:
    """The line after a number: how long it took, or why a right answer keeps its box."""
    suggested = float(item.seconds if suggested is None else suggested)
    return _kept_note(item, correct, seconds, hints, suggested) or f"took {seconds or 0:.0f} s (suggested {suggested:.0f} s)"


def _best_choice(item: Any) -> str:
    """The best "so what" option of a drill, its letter and text, and why (Markdown as the drills write it)."""
    spec = item.so_what.spec
    why = f" Why: {spec.why}" if spec.why else ""  # the why is written to follow "Right: ", often in lower case
    return f"The best choice: {spec.correct}) {str(spec.options[spec.correct]).rstrip('.')}.{why}"


def _verdict(result: CheckResult, wrong: str = "Not yet") -> str:
    """A check's outcome and feedback on one line: "Correct: ...", "Not yet: ...", or the feedback alone."""
    message = _plain(result.message)
    if result.outcome is Outcome.NOT_ATTEMPTED or message.lower().startswith(("right", "correct")):
        return message
    return f"{'Correct' if result.correct else wrong}: {message}"


def _level(item: Any) -> str:
    level = getattr(item, "level", None)
    return level if isinstance(level, str) else _level_name(getattr(item, "difficulty", 1))


def _level_name(difficulty: int) -> str:
    return {1: "warm-up", 2: "standard", 3: "stretch"}.get(difficulty, str(difficulty))
