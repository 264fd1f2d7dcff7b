"""The class as a whole: where the room is (``aipm class status``) and gathering notebooks (``aipm collect``).

Both only read the learners' folders. Nothing in them is created, changed, moved or removed: the
progress files are read directly (never through ``ProgressStore``, which moves a damaged file
aside), and collected notebooks are copied byte for byte, keeping their modification time.

**Learners' names.** Each folder given is one learner. The name is the first path component,
counted from the root, where the given folders differ: for ``/home/alice/aipm-work`` and
``/home/bob/aipm-work`` it is ``alice`` and ``bob``. A single folder is named by itself, or by its
parent when it is a work folder (``aipm-work``, ``my_work``): ``/home/alice/aipm-work`` is ``alice``,
and so is the home ``/home/alice``. Names that would repeat are spelled out from that component
on, joined with ``-`` (``alice-w1``, ``alice-w2``), then numbered. The same folder given twice
counts once.

**Progress files** are ``<work folder>/.aipm/progress.json`` (see ``workspace.ProgressStore``). A
missing, unreadable, damaged, linked or oversized file is a row that says so, never a failure.
Only the kit's own questions are counted (``QUESTION_COUNTS``), so a forged file can neither add
rows to the room nor make one learner's row hide another's.

**Collection** looks in each home for the exercise notebooks (``NN_*.ipynb``, not in sub-folders)
in this order and takes the first folder that holds any: ``<home>/<work_subdir>`` (default
``aipm-work``, the work folder on a shared kit), ``<home>/my_work``, then the home itself. A
symbolic link (a notebook, or a folder leading out of the home) is never followed: it is skipped
and reported.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as _dt
import html
import json
import os
import re
import shutil
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from . import validation
from .validation import AipmError

__all__ = [
    "ClassroomError",
    "QUESTION_COUNTS",
    "Answer",
    "Learner",
    "QuestionStatus",
    "ClassStatus",
    "CollectedLearner",
    "CollectReport",
    "learner_names",
    "read_progress",
    "class_status",
    "write_html",
    "collect",
]

# The questions of each module (q1 .. qN). Kept here so that reading 500 progress files does not
# first build every exercise; a test checks it against the exercises themselves.
QUESTION_COUNTS = {"00": 4, "01": 7, "02": 9, "03": 9, "04": 12, "05": 11, "06": 11, "07": 12}
WORK_FOLDER_NAMES = ("aipm-work", "my_work")
PROGRESS_FILE = (".aipm", "progress.json")
MAX_PROGRESS_BYTES = 2_000_000  # a real record is a few kilobytes
MAX_NOTEBOOK_BYTES = 100_000_000
NOTEBOOK_NAME = re.compile(r"[0-9][0-9]_[^/\\]*\.ipynb")
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


class ClassroomError(AipmError):
    """A class command's argument that cannot be used; the message says which and what is allowed."""


# --- arguments and names ------------------------------------------------------------------------------


def _folder_list(name: str, folders: Any) -> list[Path]:
    """The folders given, as absolute paths (not resolved: a link a learner made is not followed
    here), each once, in the order given."""
    if isinstance(folders, (str, bytes, os.PathLike)) or not isinstance(folders, Iterable):
        raise validation.fail(name, folders, "a list of folders (paths as text or Paths)", ClassroomError)
    found: list[Path] = []
    for folder in folders:
        if not isinstance(folder, (str, os.PathLike)) or isinstance(folder, bytes) or not str(folder).strip():
            raise validation.fail(name, folder, "a list of folders (paths as text or Paths)", ClassroomError)
        path = Path(os.path.abspath(folder))
        if path not in found:
            found.append(path)
    if not found:
        raise validation.fail(name, folders, "at least one folder", ClassroomError)
    return found


def _own_name(parts: tuple[str, ...]) -> str:
    """A lone folder's name: its own, or its parent's when it is a work folder."""
    if len(parts) > 2 and parts[-1] in WORK_FOLDER_NAMES:
        return parts[-2]
    return parts[-1] if len(parts) > 1 else "learner"


def learner_names(folders: Any) -> list[str]:
    """Return one unique name per folder (the rule is in the module's docstring)."""
    paths = [Path(os.path.abspath(f)) for f in folders]
    parts = [p.parts for p in paths]
    longest = max((len(p) for p in parts), default=0)
    index = next((i for i in range(longest) if len({p[i] if i < len(p) else "" for p in parts}) > 1), None)
    names = [p[index] if index is not None and index < len(p) else _own_name(p) for p in parts]
    repeated = collections.Counter(names)
    if index is not None:
        names = ["-".join(p[index:]) if repeated[n] > 1 and index < len(p) else n for n, p in zip(names, parts)]
    unique: list[str] = []
    for name in names:
        candidate, number = name, 2
        while candidate in unique:
            candidate, number = f"{name}-{number}", number + 1
        unique.append(candidate)
    return unique


def _modules(modules: Any) -> list[str] | None:
    """Module numbers such as "02" or "2" (or "02,03"), checked; None means "every module in use"."""
    if modules is None:
        return None
    if isinstance(modules, str):
        modules = [modules]
    allowed = f"module numbers among {', '.join(QUESTION_COUNTS)} (e.g. 02, or 02,03)"
    if not isinstance(modules, Iterable):
        raise validation.fail("modules", modules, allowed, ClassroomError)
    chosen: list[str] = []
    for item in modules:
        for text in (item.split(",") if isinstance(item, str) else [item]):
            number = text.strip().zfill(2) if isinstance(text, str) and re.fullmatch(r"\s*\d{1,2}\s*", text) else None
            if number not in QUESTION_COUNTS:
                raise validation.fail("module", text, f"one of {', '.join(QUESTION_COUNTS)}", ClassroomError)
            if number not in chosen:
                chosen.append(number)
    if not chosen:
        raise validation.fail("modules", modules, allowed, ClassroomError)
    return sorted(chosen)


def _keys(module: str) -> list[str]:
    return [f"{module}.q{n}" for n in range(1, QUESTION_COUNTS[module] + 1)]


_KNOWN_KEYS = frozenset(k for m in QUESTION_COUNTS for k in _keys(m))


def _path_text(value: Any) -> str:
    """A path as the error shows it: whole (up to 300 characters), quoted."""
    return validation.show(str(value), 300)


def _printable(text: str) -> str:
    """Text safe to print on a terminal: control characters (an escape sequence in a folder name) become "?"."""
    return "".join(c if c.isprintable() else "?" for c in text)


# --- reading one progress file ------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Answer:
    """One question in a learner's record."""

    key: str
    attempts: int
    passed: bool
    last_outcome: str
    first_checked: _dt.datetime | None
    last_checked: _dt.datetime | None

    @property
    def attempted(self) -> bool:
        return self.attempts > 0 or self.passed

    @property
    def stuck(self) -> bool:
        """Tried and not passed yet."""
        return self.attempted and not self.passed

    @property
    def since(self) -> _dt.datetime | None:
        """When the learner first tried it (records from before that was kept: the last check)."""
        return self.first_checked or self.last_checked


def _time(value: Any) -> _dt.datetime | None:
    """A recorded ISO time as a local time without zone, or None if there is none or it is not one."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        moment = _dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.astimezone().replace(tzinfo=None) if moment.tzinfo is not None else moment


def _entry(key: str, entry: Any) -> Answer | None:
    """One entry of a record, or None when it does not have the shape the kit writes."""
    if not isinstance(entry, dict):
        return None
    attempts, passed = entry.get("attempts", 0), entry.get("passed", False)
    if not validation.is_whole(attempts) or attempts < 0 or not isinstance(passed, bool):
        return None
    outcome = entry.get("last_outcome")
    return Answer(
        key, int(attempts), passed, outcome if isinstance(outcome, str) else "",
        _time(entry.get("first_checked")), _time(entry.get("last_checked")),
    )


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def _read_bytes(path: Path) -> tuple[bytes | None, str | None]:
    """The progress file's bytes, or None and why not. Never follows a link, never blocks on a pipe."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except FileNotFoundError:
        return None, "no progress file yet (no check recorded)"
    except OSError as exc:
        if os.path.islink(path):
            return None, "the progress file is a symbolic link: not read"
        return None, f"progress file unreadable ({_reason(exc)})"
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_PROGRESS_BYTES:
        os.close(fd)
        if not stat.S_ISREG(info.st_mode):
            return None, "the progress file is not a regular file: not read"
        return None, f"the progress file is too large ({info.st_size / 1e6:.1f} MB): not read"
    with os.fdopen(fd, "rb") as handle:
        try:
            return handle.read(MAX_PROGRESS_BYTES + 1), None
        except OSError as exc:
            return None, f"progress file unreadable ({_reason(exc)})"


def read_progress(folder: Path) -> tuple[dict[str, Answer], str | None]:
    """Read one work folder's progress file without changing anything.

    Returns the kit's questions found in it (keyed "NN.qK") and None, or ``{}`` and a few words
    on why there is nothing to read (no folder, no file, unreadable, damaged, a link, too large)."""
    folder = Path(folder)
    try:
        if not stat.S_ISDIR(os.stat(folder).st_mode):
            return {}, "not a folder"
    except FileNotFoundError:
        return {}, "work folder not found"
    except OSError as exc:
        return {}, f"work folder unreadable ({_reason(exc)})"
    if os.path.islink(folder / PROGRESS_FILE[0]):
        return {}, f"{PROGRESS_FILE[0]} is a symbolic link: not read"
    raw, problem = _read_bytes(folder.joinpath(*PROGRESS_FILE))
    if raw is None:
        return {}, problem
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return {}, "progress file damaged (not valid JSON)"
    questions = data.get("questions") if isinstance(data, dict) else None
    if not isinstance(questions, dict):
        return {}, "progress file damaged (no questions in it)"
    answers = {}
    for key, entry in questions.items():
        answer = _entry(key, entry)
        if answer is None:
            return {}, f"progress file damaged (entry {validation.show(key, 30)})"
        answers[key] = answer
    return answers, None


# --- the room -----------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Learner:
    """One learner's row: their answers to the kit's questions, or why there is no record."""

    name: str
    folder: Path
    answers: dict[str, Answer]
    problem: str | None = None

    def _among(self, keys: list[str]) -> list[Answer]:
        return [self.answers[k] for k in keys if k in self.answers]

    def passed(self, keys: list[str]) -> int:
        return sum(a.passed for a in self._among(keys))

    def attempted(self, keys: list[str]) -> int:
        return sum(a.attempted for a in self._among(keys))

    def stuck(self, keys: list[str]) -> list[str]:
        return [a.key for a in self._among(keys) if a.stuck]

    @property
    def last_activity(self) -> _dt.datetime | None:
        """The last check recorded, in any module."""
        times = [a.last_checked for a in self.answers.values() if a.last_checked is not None]
        return max(times, default=None)


@dataclasses.dataclass(frozen=True)
class Stuck:
    """A learner stuck on a question: since when, after how many attempts."""

    name: str
    since: _dt.datetime | None
    attempts: int


@dataclasses.dataclass(frozen=True)
class QuestionStatus:
    """Where the room is on one question: who passed, who is stuck (longest first), who has not started."""

    key: str
    passed: tuple[str, ...]
    stuck: tuple[Stuck, ...]
    not_started: tuple[str, ...]

    @property
    def stuck_longest(self) -> Stuck | None:
        return self.stuck[0] if self.stuck else None


def _question(key: str, learners: list[Learner]) -> QuestionStatus:
    passed, stuck, waiting = [], [], []
    for learner in learners:
        answer = learner.answers.get(key)
        if answer is not None and answer.passed:
            passed.append(learner.name)
        elif answer is not None and answer.stuck:
            stuck.append(Stuck(learner.name, answer.since, answer.attempts))
        else:
            waiting.append(learner.name)
    stuck.sort(key=lambda s: (s.since is None, s.since or _dt.datetime.min, s.name))
    return QuestionStatus(key, tuple(passed), tuple(stuck), tuple(waiting))


def _ago(since: _dt.datetime | None, now: _dt.datetime) -> str:
    if since is None:
        return "time unknown"
    minutes = max(0, int((now - since).total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h {minutes % 60:02d} min"
    return f"{minutes // (24 * 60)} days"


def _when(moment: _dt.datetime | None, now: _dt.datetime) -> str:
    if moment is None:
        return "-"
    return moment.strftime("%H:%M" if moment.date() == now.date() else "%Y-%m-%d %H:%M")


def _stuck_text(stuck: Stuck, now: _dt.datetime) -> str:
    tries = f"{stuck.attempts} attempt{'s' if stuck.attempts != 1 else ''}"
    return f"{stuck.name}, since {_when(stuck.since, now)} ({_ago(stuck.since, now)}, {tries})"


@dataclasses.dataclass(frozen=True)
class ClassStatus:
    """The room at one moment: a row per learner and per question (``str`` is the text report)."""

    learners: tuple[Learner, ...]
    modules: tuple[str, ...]
    questions: tuple[QuestionStatus, ...]
    taken_at: _dt.datetime

    @property
    def keys(self) -> list[str]:
        return [q.key for q in self.questions]

    @property
    def readable(self) -> list[Learner]:
        return [learner for learner in self.learners if learner.problem is None]

    def headline(self) -> str:
        without = len(self.learners) - len(self.readable)
        modules = ", ".join(self.modules) if self.modules else "none yet"
        return (
            f"Class status at {self.taken_at:%Y-%m-%d %H:%M:%S}: {len(self.learners)} learner(s), "
            f"{without} without a readable progress record. Modules: {modules}."
        )

    def __str__(self) -> str:
        lines = [_printable(self.headline()), ""]
        if self.questions:
            lines += self._question_lines()
        else:
            lines.append("No check recorded yet in these modules.")
        lines += ["", *self._learner_lines()]
        return "\n".join(lines)

    def _question_lines(self) -> list[str]:
        lines = ["Per question (stuck: tried, not passed yet; not started counts learners with a record):",
                 f"{'question':<9}{'passed':>7}{'stuck':>7}{'not started':>13}  stuck longest"]
        for q in self.questions:
            longest = _printable(_stuck_text(q.stuck_longest, self.taken_at)) if q.stuck else "-"
            lines.append(f"{q.key:<9}{len(q.passed):>7}{len(q.stuck):>7}{len(q.not_started):>13}  {longest}")
        return lines

    def _learner_lines(self) -> list[str]:
        keys, width = self.keys, max([7, *(min(30, len(lr.name)) for lr in self.learners)]) + 2
        lines = [f"Per learner ({len(keys)} question(s)):",
                 f"{'learner':<{width}}{'passed':>7}{'attempted':>10}{'stuck':>7}  {'last activity':<17} stuck on"]
        for lr in self.learners:
            name = _printable(lr.name)
            if lr.problem is not None:
                lines.append(f"{name:<{width}}{_printable(lr.problem)}: {_printable(str(lr.folder))}")
                continue
            stuck = lr.stuck(keys)
            when = _when(lr.last_activity, self.taken_at)
            lines.append(f"{name:<{width}}{lr.passed(keys):>7}{lr.attempted(keys):>10}{len(stuck):>7}  {when:<17} {' '.join(stuck) or '-'}")
        return lines

    def html(self) -> str:
        """The same report as one self-contained HTML page (everything escaped)."""
        return _HTML.format(
            headline=_e(self.headline()), questions=self._question_table(), learners=self._learner_table()
        )

    def _question_table(self) -> str:
        if not self.questions:
            return "<p>No check recorded yet in these modules.</p>"
        rows = []
        for q in self.questions:
            stuck = "<br>".join(_e(_stuck_text(s, self.taken_at)) for s in q.stuck) or "-"
            rows.append(f"<tr><td>{_e(q.key)}</td><td class=n>{len(q.passed)}</td><td class='n{' hot' if q.stuck else ''}'>"
                        f"{len(q.stuck)}</td><td class=n>{len(q.not_started)}</td><td>{stuck}</td></tr>")
        head = "<tr><th>question</th><th>passed</th><th>stuck</th><th>not started</th><th>stuck (longest first)</th></tr>"
        return f"<table>{head}{''.join(rows)}</table>"

    def _learner_table(self) -> str:
        keys, rows = self.keys, []
        for lr in self.learners:
            if lr.problem is not None:
                rows.append(f"<tr><td>{_e(lr.name)}</td><td colspan=5 class=problem>{_e(lr.problem)}: {_e(str(lr.folder))}</td></tr>")
                continue
            stuck = lr.stuck(keys)
            rows.append(f"<tr><td>{_e(lr.name)}</td><td class=n>{lr.passed(keys)}</td><td class=n>{lr.attempted(keys)}</td>"
                        f"<td class=n>{len(stuck)}</td><td>{_e(_when(lr.last_activity, self.taken_at))}</td>"
                        f"<td>{_e(' '.join(stuck) or '-')}</td></tr>")
        head = "<tr><th>learner</th><th>passed</th><th>attempted</th><th>stuck</th><th>last activity</th><th>stuck on</th></tr>"
        return f"<table>{head}{''.join(rows)}</table>"


def _e(text: str) -> str:
    return html.escape(str(text), quote=True)


_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="30">
<title>Class status</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 1.5em; color: #222; }}
table {{ border-collapse: collapse; margin-bottom: 1.5em; }}
th, td {{ border: 1px solid #ccc; padding: .3em .6em; text-align: left; vertical-align: top; }}
th {{ background: #f0f0f0; }}
td.n {{ text-align: right; }}
td.hot {{ background: #fde2e1; font-weight: bold; }}
td.problem {{ color: #8a4b00; }}
</style></head><body>
<h1>Class status</h1>
<p>{headline}</p>
<p>This page reloads every 30 seconds; run <code>aipm class status ... --html</code> again to update it.</p>
<h2>Per question</h2>
{questions}
<h2>Per learner</h2>
{learners}
</body></html>
"""


def class_status(folders: Any, modules: Any = None, now: _dt.datetime | None = None) -> ClassStatus:
    """Read every learner's progress file (read only) and return where the room is.

    ``folders`` are the learners' work folders; ``modules`` limits the questions to those modules
    (default: every module in which anyone has a check recorded); ``now`` is the moment of the report."""
    paths = _folder_list("folders", folders)
    chosen = _modules(modules)
    now = now if now is not None else _dt.datetime.now().replace(microsecond=0)
    learners = []
    for name, path in zip(learner_names(paths), paths):
        answers, problem = read_progress(path)
        known = {k: a for k, a in answers.items() if k in _KNOWN_KEYS}
        learners.append(Learner(name, path, known, problem))
    learners.sort(key=lambda lr: (lr.name.casefold(), lr.name))
    if chosen is None:
        chosen = sorted({k[:2] for lr in learners for k in lr.answers})
    keys = [k for m in chosen for k in _keys(m)]
    readable = [lr for lr in learners if lr.problem is None]
    questions = tuple(_question(k, readable) for k in keys)
    return ClassStatus(tuple(learners), tuple(chosen), questions, now)


def write_html(status: ClassStatus, path: Any) -> Path:
    """Write the status as an HTML page at ``path`` (replaced whole, so a browser never sees half of it).
    Refuses a folder, and a place inside one of the learners' work folders (they are only read)."""
    from .workspace import _atomic_write_bytes

    if not isinstance(status, ClassStatus):
        raise validation.fail("status", status, "a ClassStatus (what class_status returns)", ClassroomError)
    if not isinstance(path, (str, os.PathLike)) or isinstance(path, bytes) or not str(path).strip():
        raise validation.fail("html", path, "a file path such as room.html", ClassroomError)
    target = Path(os.path.abspath(path))
    if target.is_dir():
        raise ClassroomError(f"html must be a file path such as room.html, not a folder, got {_path_text(path)}")
    for learner in status.learners:
        if _inside(target, learner.folder):
            raise ClassroomError(f"html must be a file outside the learners' work folders (they are only read), got {_path_text(path)}")
    _atomic_write_bytes(target, status.html().encode("utf-8"))
    return target


# --- collection ---------------------------------------------------------------------------------------


def _inside(path: Path, folder: Path) -> bool:
    """True when ``path`` is ``folder`` or inside it (links resolved on both sides)."""
    path, folder = Path(os.path.realpath(path)), Path(os.path.realpath(folder))
    return path == folder or folder in path.parents


@dataclasses.dataclass
class CollectedLearner:
    """What was collected from one home: the folder used, notebooks copied, and what was skipped and why."""

    name: str
    home: Path
    source: Path | None = None
    copied: list[str] = dataclasses.field(default_factory=list)
    skipped: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    problem: str | None = None

    def __str__(self) -> str:
        name = _printable(self.name)
        if self.source is None:
            line = f"{name}: {self.problem or 'no exercise notebooks found'} ({_printable(str(self.home))})"
        else:
            line = f"{name}: copied {len(self.copied)} notebook(s) from {_printable(str(self.source))}"
        return "\n".join([line, *(f"    skipped {_printable(p)}: {why}" for p, why in self.skipped)])


@dataclasses.dataclass
class CollectReport:
    """The whole collection: one entry per home, in the order given."""

    out: Path
    learners: list[CollectedLearner]

    @property
    def copied(self) -> int:
        return sum(len(lr.copied) for lr in self.learners)

    @property
    def empty(self) -> list[CollectedLearner]:
        return [lr for lr in self.learners if not lr.copied]

    def __str__(self) -> str:
        lines = [str(lr) for lr in self.learners]
        lines.append(f"Collected {self.copied} notebook(s) from {len(self.learners) - len(self.empty)} of "
                     f"{len(self.learners)} home(s) into {_printable(str(self.out))}.")
        if self.empty:
            lines.append("Homes with none: " + ", ".join(_printable(lr.name) for lr in self.empty))
        return "\n".join(lines)


def _work_subdir(value: Any) -> Path:
    allowed = "a folder path inside each home, relative, without .. (e.g. aipm-work)"
    if not isinstance(value, (str, os.PathLike)) or isinstance(value, bytes) or not str(value).strip():
        raise validation.fail("work_subdir", value, allowed, ClassroomError)
    path = Path(value)
    if path.is_absolute() or path.drive or ".." in path.parts:
        raise ClassroomError(f"work_subdir must be {allowed}, got {_path_text(value)}")
    return path


OUT_ALLOWED = "a folder outside every home, with no sub-folder yet for these learners"


def _check_out(out: Any, homes: list[Path], names: list[str]) -> Path:
    """``out`` as an absolute Path, if it can take these learners' folders without writing over
    anything (several collections, one per team, can go into one folder)."""
    if not isinstance(out, (str, os.PathLike)) or isinstance(out, bytes) or not str(out).strip():
        raise validation.fail("out", out, OUT_ALLOWED, ClassroomError)
    target = Path(os.path.abspath(out))
    for home in homes:
        if _inside(target, home) or _inside(home, target):
            where = "is inside the home" if _inside(target, home) else "holds the home"
            raise ClassroomError(f"out must be {OUT_ALLOWED}, got {_path_text(out)}: it {where} {home}")
    if target.exists() and not target.is_dir():
        raise ClassroomError(f"out must be {OUT_ALLOWED}, got {_path_text(out)}: it is a file")
    taken = [name for name in names if os.path.lexists(target / name)]
    if taken:
        raise ClassroomError(f"out must be {OUT_ALLOWED}, got {_path_text(out)}: it already has {', '.join(taken)}")
    return target


def _notebooks_in(folder: Path) -> list[os.DirEntry]:
    with os.scandir(folder) as entries:
        return sorted((e for e in entries if NOTEBOOK_NAME.fullmatch(e.name)), key=lambda e: e.name)


def _find_notebooks(learner: CollectedLearner, subdir: Path) -> list[os.DirEntry]:
    """The notebooks of the first folder that holds any, in the search order; notes what was passed by."""
    home = Path(os.path.realpath(learner.home))
    for folder in (learner.home / subdir, learner.home / "my_work", learner.home):
        if not os.path.isdir(folder):
            continue
        if not _inside(folder, home):
            learner.skipped.append((str(folder), "a link to a folder outside the home, not followed"))
            continue
        try:
            found = _notebooks_in(folder)
        except OSError as exc:
            learner.skipped.append((str(folder), f"cannot be listed ({_reason(exc)})"))
            continue
        if found:
            learner.source = folder
            return found
    return []


def _copy(source: Path, target: Path) -> None:
    """Copy a regular file's bytes and times; a link or anything else raises ``OSError`` (nothing left behind)."""
    with open(source, "rb", opener=lambda p, flags: os.open(p, _OPEN_FLAGS)) as src:
        info = os.fstat(src.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise OSError(0, "not a regular file")
        if info.st_size > MAX_NOTEBOOK_BYTES:
            raise OSError(0, f"larger than {MAX_NOTEBOOK_BYTES // 1_000_000} MB")
        try:
            with open(target, "xb") as out:
                shutil.copyfileobj(src, out)
        except BaseException:
            target.unlink(missing_ok=True)
            raise
    os.utime(target, ns=(info.st_atime_ns, info.st_mtime_ns))


def _collect_one(learner: CollectedLearner, subdir: Path, out: Path) -> None:
    if not os.path.isdir(learner.home):
        learner.problem = "home folder not found" if not os.path.lexists(learner.home) else "not a folder"
        return
    notebooks = _find_notebooks(learner, subdir)
    if not notebooks:
        return
    target = out / learner.name
    target.mkdir()
    for entry in notebooks:
        if entry.is_symlink():
            learner.skipped.append((entry.path, "a symbolic link, not followed"))
            continue
        try:
            _copy(Path(entry.path), target / entry.name)
            learner.copied.append(entry.name)
        except OSError as exc:
            learner.skipped.append((entry.path, f"not copied ({_reason(exc)})"))
    if not learner.copied:
        target.rmdir()


def collect(homes: Any, out: Any, work_subdir: Any = "aipm-work") -> CollectReport:
    """Copy each learner's exercise notebooks from their home into ``out/<learner>/``.

    The homes are only read: bytes are copied, modification times kept, links never followed. The
    search order in a home is ``<work_subdir>``, ``my_work``, then the home itself. ``out`` must be
    outside every home and hold no folder yet for these learners."""
    paths = _folder_list("homes", homes)
    subdir = _work_subdir(work_subdir)
    names = learner_names(paths)
    target = _check_out(out, paths, names)
    target.mkdir(parents=True, exist_ok=True)
    report = CollectReport(target, [CollectedLearner(name, home) for name, home in zip(names, paths)])
    for learner in report.learners:
        _collect_one(learner, subdir, target)
    return report
