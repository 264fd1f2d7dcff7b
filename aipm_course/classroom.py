"""The class as a whole: where the room is (``aipm class status``) and gathering notebooks (``aipm collect``).

Both only read the learners' folders. Nothing in them is created, changed, moved or removed: the
progress files are read directly (never through ``ProgressStore``, which moves a damaged file
aside), and collected notebooks are copied byte for byte, keeping their modification time.

**Learners' names.** A learner is named by their home folder's own name, so ``/home/alice`` is
``alice`` wherever the homes are. For ``aipm collect HOME...`` it is the last component of each
HOME. For ``aipm class status WORK_FOLDER...`` the folder's own name, or, for a work folder, the
first name above it that is not a work-folder part (``aipm-work``, ``my_work``, ``aipm-handout``,
``team-NN`` and the parts of ``--work-subdir``): ``/home/alice/aipm-work`` and
``/home/alice/aipm-handout/team-02/my_work`` are both ``alice``. Only when two folders would get
the same name are they told apart, by their parent folder's name (``home1-ana`` and
``home2-ana``), then more of their ancestors, then the work folder's path, then a number; the
report says so. The same folder given twice counts once.

**Progress files** are ``<work folder>/.aipm/progress.json`` (see ``workspace.ProgressStore``). A
missing, unreadable, damaged, linked or oversized file is a row that says so, never a failure.
Only the kit's own questions are counted (``QUESTION_COUNTS``), so a forged file can neither add
rows to the room nor make one learner's row hide another's.

**Seed and scenario.** Each check records the parameters it was judged against. A learner's row
shows those of their latest check in the modules shown, and "To check" lists a learner whose
checks used more than one seed or scenario ("seeds 0 and 2"): someone working on the wrong
numbers. With a roster (the CSV of ``aipm grade --roster``) it also lists learners whose numbers
differ from their assignment, learners not on it, and learners on it with no work folder given.

**Collection** looks in each home, in this order, at ``<home>/<work_subdir>`` (default
``aipm-work``, the work folder on a shared kit), ``<home>/aipm-work``, ``<home>/my_work`` and the
home itself (not their sub-folders), and copies from EVERY one of them the exercise notebooks
(``NN_*.ipynb``) and the files named like an exercise that are not notebooks (``NN_*.html``, ``.py``,
``.pdf``: the grader lists those as not graded). A name met in a second folder goes into
``SUBMISSIONS/<learner>/<that folder>/`` (``home`` for the home itself); the grader grades the
newest of each module and lists the others. A home with no exercise notebook in those folders is
searched deeper (at most ``MAX_DEPTH`` levels, hidden folders and links left out) and the report
names what it found there and the ``--work-subdir`` that collects it. A symbolic link (a file, or a
folder leading out of the home) is never followed: it is skipped and reported.
"""

from __future__ import annotations

import collections
import contextlib
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
    "name_folders",
    "read_progress",
    "class_status",
    "write_html",
    "collect",
]

# The questions of each module (q1 .. qN). Kept here so that reading 500 progress files does not
# first build every exercise; a test checks it against the exercises themselves.
QUESTION_COUNTS = {"00": 4, "01": 7, "02": 9, "03": 10, "04": 14, "05": 14, "06": 11, "07": 13, "08": 12}
WORK_FOLDER_NAMES = ("aipm-work", "my_work")
WORK_FOLDER_PARTS = (*WORK_FOLDER_NAMES, "aipm-handout")  # walked past when naming a learner
TEAM_FOLDER = re.compile(r"team-[0-9]+")  # a hand-out's team folder, walked past too
SCENARIO_NAME = re.compile(r"[A-Za-z0-9_.-]{1,60}")  # a scenario name as a progress record may hold it
MAX_PREFIXES = 3  # ancestors a repeated name may take before it is numbered
MAX_NAMES_SHOWN = 10
PROGRESS_FILE = (".aipm", "progress.json")
MAX_PROGRESS_BYTES = 2_000_000  # a real record is a few kilobytes
MAX_NOTEBOOK_BYTES = 100_000_000
NOTEBOOK_NAME = re.compile(r"[0-9][0-9]_[^/\\]*\.ipynb")
EXERCISE_NAME = re.compile(r"[0-9][0-9]_[^/\\]*")  # named like an exercise: a notebook or an export of one
MAX_DEPTH = 4  # how far below a home collect looks for notebooks when the usual folders have none
MAX_FOLDERS_SEARCHED = 2_000
MAX_DEEPER_SHOWN = 5
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


class ClassroomError(AipmError):
    """A class command's argument that cannot be used; the message says which and what is allowed."""


# --- arguments and names ------------------------------------------------------------------------------


def _folder_paths(name: str, folders: Any) -> list[Path]:
    """The folders given, as absolute paths (not resolved: a link a learner made is not followed
    here), in the order given, a folder given twice kept twice."""
    if isinstance(folders, (str, bytes, os.PathLike)) or not isinstance(folders, Iterable):
        raise validation.fail(name, folders, "a list of folders (paths as text or Paths)", ClassroomError)
    paths: list[Path] = []
    for folder in folders:
        if not isinstance(folder, (str, os.PathLike)) or isinstance(folder, bytes) or not str(folder).strip():
            raise validation.fail(name, folder, "a list of folders (paths as text or Paths)", ClassroomError)
        paths.append(Path(os.path.abspath(folder)))
    return paths


def _folder_list(name: str, folders: Any) -> list[Path]:
    """The folders given, as absolute paths (see ``_folder_paths``), each once, in the order given."""
    found = list(dict.fromkeys(_folder_paths(name, folders)))
    if not found:
        raise validation.fail(name, folders, "at least one folder", ClassroomError)
    return found


def _home_of(folder: Path, work_parts: frozenset[str]) -> Path:
    """The home a work folder belongs to: walk up past the work-folder parts (``aipm-work``,
    ``my_work``, ``aipm-handout``, ``team-NN`` and the parts of ``--work-subdir``)."""
    home = folder
    while home.name and (home.name in work_parts or TEAM_FOLDER.fullmatch(home.name)):
        home = home.parent
    return home if home.name else folder


def _candidates(folder: Path, home: Path) -> list[str]:
    """A learner's possible names, in the order tried: the home's name, then prefixed by its parent
    folder's name (``home1-ana``), then by more of its ancestors, then with the work folder's path."""
    base = home.name or "learner"
    ancestors = [part for part in home.parent.parts if part != home.anchor][-MAX_PREFIXES:]
    names = [base, *("-".join([*ancestors[-k:], base]) for k in range(1, len(ancestors) + 1))]
    if folder != home:
        names.append("-".join([base, *folder.relative_to(home).parts]))
    return names


def _settle(candidates: list[list[str]]) -> list[int]:
    """Which candidate each learner uses: where names repeat, the learners further from their own
    name move on first; when all are at the same step, all move on."""
    level = [0] * len(candidates)
    while True:
        names = [c[i] for c, i in zip(candidates, level)]
        groups = collections.defaultdict(list)
        for index, name in enumerate(names):
            groups[name].append(index)
        moved = False
        for members in groups.values():
            movable = [i for i in members if level[i] + 1 < len(candidates[i])]
            if len(members) < 2 or not movable:
                continue
            lowest = min(level[i] for i in members)
            ahead = [i for i in movable if level[i] > lowest]
            for i in ahead or movable:
                level[i] += 1
                moved = True
        if not moved:
            return level


def name_folders(folders: Any, work_subdir: Any = None, homes: bool = False) -> tuple[list[str], list[str]]:
    """Return one unique name per folder, and a note for each name that had to be told apart.

    ``homes=True`` (``aipm collect``): each folder is a home, named by its last component.
    Otherwise (``aipm class status``) a folder is named by its home: the first folder above it whose
    name is not a work-folder part. See the module's docstring for names that would repeat."""
    paths = _folder_paths("folders", folders)
    if not isinstance(homes, bool):
        raise validation.fail("homes", homes, "True (each folder is a home) or False (each is a work folder)", ClassroomError)
    walked = work_subdir is not None and not (isinstance(work_subdir, str) and not work_subdir)  # "" walks past nothing more
    parts = frozenset() if homes else frozenset(WORK_FOLDER_PARTS) | frozenset(_work_subdir(work_subdir).parts if walked else ())
    owners = [path if homes else _home_of(path, parts) for path in paths]
    candidates = [_candidates(path, home) for path, home in zip(paths, owners)]
    names = [c[i] for c, i in zip(candidates, _settle(candidates))]
    unique: list[str] = []
    for name in names:  # the first keeps a name still shared; the others are numbered
        candidate, number = name, 2
        while candidate in unique or (candidate != name and candidate in names):
            candidate, number = f"{name}-{number}", number + 1
        unique.append(candidate)
    return unique, _naming_notes(candidates, unique, paths)


def _naming_notes(candidates: list[list[str]], names: list[str], paths: list[Path]) -> list[str]:
    """One line per own name shared by several folders: which name each got instead."""
    shared = collections.defaultdict(list)
    for candidate, name, path in zip(candidates, names, paths):
        shared[candidate[0]].append((name, path))
    notes = []
    for own, members in shared.items():
        told = ", ".join(f"{name} ({path})" for name, path in members[:MAX_NAMES_SHOWN])
        told += f" and {len(members) - MAX_NAMES_SHOWN} more" if len(members) > MAX_NAMES_SHOWN else ""
        if len(members) > 1:
            notes.append(f"{len(members)} folders would all be named {own}; they are told apart as {told}. Use these names in a roster.")
        elif members[0][0] != own:
            notes.append(f"{members[0][1]} would be named {own}, a name another folder now has; it is named {members[0][0]}. "
                         "Use this name in a roster.")
    return notes


def learner_names(folders: Any, work_subdir: Any = None, homes: bool = False) -> list[str]:
    """Return one unique name per folder (see ``name_folders``)."""
    return name_folders(folders, work_subdir, homes)[0]


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
                raise validation.fail("modules", text, f"one of {', '.join(QUESTION_COUNTS)}", ClassroomError)
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
    seed: int | None = None
    scenario: str | None = None

    @property
    def numbers(self) -> tuple[int, str] | None:
        """The seed and scenario of the last check, when the record has them."""
        return None if self.seed is None or self.scenario is None else (self.seed, self.scenario)

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
        _time(entry.get("first_checked")), _time(entry.get("last_checked")), *_parameters(entry.get("parameters")),
    )


def _parameters(value: Any) -> tuple[int | None, str | None]:
    """The seed and scenario a check recorded, or (None, None) when they are not there or not of the
    kit's shape (records from before they were kept have none; an odd one is not a damaged file)."""
    if not isinstance(value, dict):
        return None, None
    seed, scenario = value.get("seed"), value.get("scenario")
    if not validation.is_whole(seed) or not 0 <= seed < 2**64 or not isinstance(scenario, str) or not SCENARIO_NAME.fullmatch(scenario):
        return None, None
    return int(seed), scenario


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
    if not isinstance(folder, (str, os.PathLike)) or isinstance(folder, bytes):
        raise validation.fail("folder", folder, "a work folder's path (text or a Path)", ClassroomError)
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
    assigned: Any = None  # the roster's entry (a grading.roster.RosterEntry), when there is a roster
    on_roster: bool | None = None  # None: no roster given

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

    def numbers(self, keys: list[str]) -> list[tuple[int, str]]:
        """The seeds and scenarios these questions' checks used, each once, the most recent last."""
        answers = sorted((a for a in self._among(keys) if a.numbers), key=lambda a: (a.last_checked is not None, a.last_checked or _dt.datetime.min))
        used: dict[tuple[int, str], None] = {}
        for answer in answers:
            used.pop(answer.numbers, None)
            used[answer.numbers] = None
        return list(used)

    def to_check(self, keys: list[str]) -> list[str]:
        """Why this learner's numbers need a look: more than one seed or scenario, numbers other
        than the roster's, or not on the roster."""
        used, found = self.numbers(keys), []
        seeds, scenarios = sorted({s for s, _ in used}), sorted({c for _, c in used})
        if len(seeds) > 1:
            found.append(f"seeds {_listed(seeds)}")
        if len(scenarios) > 1:
            found.append(f"scenarios {_listed(scenarios)}")
        wanted = (self.assigned.seed, self.assigned.scenario) if self.assigned is not None and self.assigned.assigned else None
        other = [pair for pair in used if wanted is not None and pair != wanted]
        if other:
            found.append(f"checks with {_listed([_pair(p) for p in other])}; the roster assigns {_pair(wanted)}")
        if self.on_roster is False:
            found.append("not on the roster")
        return found


def _listed(items: list[Any]) -> str:
    """0 and 2; 0, 1 and 2."""
    items = [str(i) for i in items]
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _pair(numbers: tuple[int, str]) -> str:
    return f"seed {numbers[0]}, scenario {numbers[1]}"


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
    naming: tuple[str, ...] = ()  # how learners whose folders share a name were told apart
    without_folder: tuple[Any, ...] = ()  # roster entries with no work folder given

    @property
    def keys(self) -> list[str]:
        return [q.key for q in self.questions]

    @property
    def readable(self) -> list[Learner]:
        return [learner for learner in self.learners if learner.problem is None]

    def headline(self) -> str:
        without = len(self.learners) - len(self.readable)
        modules = ", ".join(self.modules) if self.modules else "none yet"
        flagged = self.to_check()
        return (
            f"Class status at {self.taken_at:%Y-%m-%d %H:%M:%S}: {len(self.learners)} learner(s), "
            f"{without} without a readable progress record. Modules: {modules}."
            + (f" To check: {len(flagged)} (seed, scenario or roster)." if flagged else "")
        )

    def to_check(self) -> list[tuple[str, str]]:
        """(learner, why) for every learner whose numbers need a look, then the roster's learners
        with no work folder."""
        keys = self.keys
        found = [(lr.name, "; ".join(why)) for lr in self.learners if (why := lr.to_check(keys))]
        for entry in self.without_folder:
            team = f" ({entry.team})" if entry.team else ""
            found.append((entry.learner, f"on the roster{team}, but no work folder of that name was given"))
        return found

    def __str__(self) -> str:
        lines = [_printable(self.headline()), *(f"Names: {_printable(n)}" for n in self.naming), ""]
        if self.questions:
            lines += self._question_lines()
        else:
            lines.append("No check recorded yet in these modules.")
        lines += ["", *self._learner_lines()]
        flagged = self.to_check()
        if flagged:
            width = max(len(name) for name, _ in flagged) + 2
            lines += ["", "To check (seed, scenario, roster):"]
            lines += [f"{_printable(name):<{width}}{_printable(why)}" for name, why in flagged]
        return "\n".join(lines)

    def _question_lines(self) -> list[str]:
        lines = ["Per question (stuck: tried, not passed yet; not started counts learners with a record):",
                 f"{'question':<9}{'passed':>7}{'stuck':>7}{'not started':>13}  stuck longest"]
        for q in self.questions:
            longest = _printable(_stuck_text(q.stuck_longest, self.taken_at)) if q.stuck else "-"
            lines.append(f"{q.key:<9}{len(q.passed):>7}{len(q.stuck):>7}{len(q.not_started):>13}  {longest}")
        return lines

    def _latest(self, learner: Learner) -> tuple[str, str]:
        """The seed and scenario of the learner's latest check, as shown ("-" when not recorded)."""
        used = learner.numbers(self.keys)
        return (str(used[-1][0]), used[-1][1]) if used else ("-", "-")

    def _learner_lines(self) -> list[str]:
        keys, width = self.keys, max([7, *(min(30, len(lr.name)) for lr in self.learners)]) + 2
        numbers = {lr.name: self._latest(lr) for lr in self.learners}
        seed_width = max([4, *(len(s) for s, _ in numbers.values())])
        scenario_width = max([8, *(len(c) for _, c in numbers.values())])
        lines = [f"Per learner ({len(keys)} question(s); seed and scenario of the latest check):",
                 f"{'learner':<{width}}{'passed':>7}{'attempted':>10}{'stuck':>7}  {'last activity':<17} "
                 f"{'seed':>{seed_width}} {'scenario':<{scenario_width}} stuck on"]
        for lr in self.learners:
            name = _printable(lr.name)
            if lr.problem is not None:
                lines.append(f"{name:<{width}}{_printable(lr.problem)}: {_printable(str(lr.folder))}")
                continue
            stuck, (seed, scenario) = lr.stuck(keys), numbers[lr.name]
            when = _when(lr.last_activity, self.taken_at)
            lines.append(f"{name:<{width}}{lr.passed(keys):>7}{lr.attempted(keys):>10}{len(stuck):>7}  {when:<17} "
                         f"{seed:>{seed_width}} {scenario:<{scenario_width}} {' '.join(stuck) or '-'}")
        return lines

    def html(self) -> str:
        """The same report as one self-contained HTML page (everything escaped)."""
        naming = "".join(f"<p>Names: {_e(n)}</p>" for n in self.naming)
        return _HTML.format(
            headline=_e(self.headline()), naming=naming, questions=self._question_table(), learners=self._learner_table(),
            to_check=self._check_table(),
        )

    def _check_table(self) -> str:
        flagged = self.to_check()
        if not flagged:
            return "<p>Nothing to check: every learner's checks use one seed and one scenario" + (
                ", the roster's." if any(lr.on_roster is not None for lr in self.learners) or self.without_folder else ".") + "</p>"
        rows = "".join(f"<tr><td>{_e(name)}</td><td class=hot>{_e(why)}</td></tr>" for name, why in flagged)
        return f"<table><tr><th>learner</th><th>why</th></tr>{rows}</table>"

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
                rows.append(f"<tr><td>{_e(lr.name)}</td><td colspan=7 class=problem>{_e(lr.problem)}: {_e(str(lr.folder))}</td></tr>")
                continue
            stuck, (seed, scenario), hot = lr.stuck(keys), self._latest(lr), " class=hot" if lr.to_check(keys) else ""
            rows.append(f"<tr><td>{_e(lr.name)}</td><td class=n>{lr.passed(keys)}</td><td class=n>{lr.attempted(keys)}</td>"
                        f"<td class=n>{len(stuck)}</td><td>{_e(_when(lr.last_activity, self.taken_at))}</td>"
                        f"<td{hot}>{_e(seed)}</td><td{hot}>{_e(scenario)}</td><td>{_e(' '.join(stuck) or '-')}</td></tr>")
        head = ("<tr><th>learner</th><th>passed</th><th>attempted</th><th>stuck</th><th>last activity</th>"
                "<th>seed</th><th>scenario</th><th>stuck on</th></tr>")
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
{naming}<p>This page reloads every 30 seconds; run <code>aipm class status ... --html</code> again to update it.</p>
<h2>Per question</h2>
{questions}
<h2>Per learner</h2>
<p>Seed and scenario: those of the learner's latest check.</p>
{learners}
<h2>To check: seed, scenario and roster</h2>
{to_check}
</body></html>
"""


def class_status(folders: Any, modules: Any = None, now: _dt.datetime | None = None, roster: Any = None,
                 work_subdir: Any = None) -> ClassStatus:
    """Read every learner's progress file (read only) and return where the room is.

    ``folders`` are the learners' work folders; ``modules`` limits the questions to those modules
    (default: every module in which anyone has a check recorded); ``now`` is the moment of the
    report; ``roster`` a roster CSV (as for ``aipm grade --roster``) or its entries, to flag learners
    whose seed or scenario differ from their assignment and those with no work folder;
    ``work_subdir`` a work folder's path inside a home, walked past when naming learners."""
    paths = _folder_list("folders", folders)
    chosen = _modules(modules)
    entries = _roster(roster)
    if now is not None and not isinstance(now, _dt.datetime):
        raise validation.fail("now", now, "a datetime (the moment of the report), or None for the present", ClassroomError)
    now = now if now is not None else _dt.datetime.now().replace(microsecond=0)
    names, naming = name_folders(paths, work_subdir)
    learners = []
    for name, path in zip(names, paths):
        answers, problem = read_progress(path)
        known = {k: a for k, a in answers.items() if k in _KNOWN_KEYS}
        assigned = None if entries is None else entries.get(name)
        learners.append(Learner(name, path, known, problem, assigned, None if entries is None else assigned is not None))
    learners.sort(key=lambda lr: (lr.name.casefold(), lr.name))
    if chosen is None:
        chosen = sorted({k[:2] for lr in learners for k in lr.answers})
    keys = [k for m in chosen for k in _keys(m)]
    readable = [lr for lr in learners if lr.problem is None]
    questions = tuple(_question(k, readable) for k in keys)
    given = set(names)
    without = tuple(e for n, e in (entries or {}).items() if n not in given)
    return ClassStatus(tuple(learners), tuple(chosen), questions, now, tuple(naming), without)


def _roster(roster: Any) -> dict[str, Any] | None:
    """The roster's entries by learner: read from a CSV file, or given as entries; None for no roster."""
    if roster is None:
        return None
    from .grading.roster import RosterEntry, read_roster

    if isinstance(roster, (str, os.PathLike)) and not isinstance(roster, bytes):
        entries = read_roster(Path(roster))
    elif isinstance(roster, Iterable) and not isinstance(roster, (str, bytes)):
        entries = list(roster)
        if not entries or not all(isinstance(e, RosterEntry) for e in entries):
            raise validation.fail("roster", roster, "a roster CSV file, or the entries read_roster returns", ClassroomError)
    else:
        raise validation.fail("roster", roster, "a roster CSV file, or the entries read_roster returns", ClassroomError)
    return {e.learner: e for e in entries}


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
    """What was collected from one home: the folders used, the files copied (as placed under
    ``SUBMISSIONS/<learner>/``), what was skipped and why, and notebooks found deeper."""

    name: str
    home: Path
    sources: list[Path] = dataclasses.field(default_factory=list)
    copied: list[str] = dataclasses.field(default_factory=list)  # notebooks
    others: list[str] = dataclasses.field(default_factory=list)  # named like an exercise, not notebooks
    set_aside: list[str] = dataclasses.field(default_factory=list)  # put in a sub-folder: the name was taken
    deeper: list[tuple[str, int]] = dataclasses.field(default_factory=list)  # (folder in the home, notebooks)
    skipped: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    problem: str | None = None

    @property
    def source(self) -> Path | None:
        """The first folder anything was copied from."""
        return self.sources[0] if self.sources else None

    def __str__(self) -> str:
        name = _printable(self.name)
        if not self.sources:
            why = self.problem or ("nothing copied" if self.skipped else "no exercise notebooks found")
            line = f"{name}: {why} ({_printable(str(self.home))})"
        else:
            line = f"{name}: copied {len(self.copied)} notebook(s) from {', '.join(_printable(str(f)) for f in self.sources)}"
        return "\n".join([line, *(f"    {_printable(text)}" for text in self._details())])

    def _details(self) -> list[str]:
        lines = []
        if self.others:
            n = len(self.others)
            lines.append(f"copied {n} file{'s that are not notebooks' if n != 1 else ' that is not a notebook'}: "
                         f"{', '.join(self.others)} (grading lists them and grades nothing in them: ask for the .ipynb)")
        if self.set_aside:
            lines.append(f"the same name in more than one folder, so these are in sub-folders of {self.name}/: "
                         f"{', '.join(self.set_aside)} (grading grades the newest of each module and lists the others)")
        if self.deeper:
            found = ", ".join(f"{folder} ({count})" for folder, count in self.deeper[:MAX_DEEPER_SHOWN])
            lines.append(f"exercise notebooks found deeper in the home: {found}; "
                         f"collect them with --work-subdir {self.deeper[0][0]}")
        return lines + [f"skipped {p}: {why}" for p, why in self.skipped]


@dataclasses.dataclass
class CollectReport:
    """The whole collection: one entry per home, in the order given, and how names were told apart."""

    out: Path
    learners: list[CollectedLearner]
    naming: list[str] = dataclasses.field(default_factory=list)

    @property
    def copied(self) -> int:
        """Notebooks copied, from every home."""
        return sum(len(lr.copied) for lr in self.learners)

    @property
    def empty(self) -> list[CollectedLearner]:
        """The homes no notebook came from."""
        return [lr for lr in self.learners if not lr.copied]

    def __str__(self) -> str:
        lines = [*(f"Names: {_printable(n)}" for n in self.naming)]
        lines += [str(lr) for lr in self.learners]
        others = sum(len(lr.others) for lr in self.learners)
        lines.append(f"Collected {self.copied} notebook(s) from {len(self.learners) - len(self.empty)} of "
                     f"{len(self.learners)} home(s) into {_printable(str(self.out))}"
                     + (f", and {others} file(s) that are not notebooks." if others else "."))
        if self.empty:
            lines.append("Homes with no notebook: " + ", ".join(_printable(lr.name) for lr in self.empty))
        deeper = [lr.name for lr in self.learners if lr.deeper]
        if deeper:
            lines.append(f"Notebooks only deeper in: {', '.join(_printable(n) for n in deeper)}. Collect them "
                         "with the --work-subdir suggested above (into a new --out, or a folder without theirs).")
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


def _candidate_folders(home: Path, subdir: Path) -> list[tuple[str, Path]]:
    """The folders searched in a home, in order, each with its label: where its files go in
    ``SUBMISSIONS/<learner>/`` when an earlier folder had the same name."""
    found: list[tuple[str, Path]] = []
    for relative in (subdir, Path("aipm-work"), Path("my_work"), Path(".")):
        folder = Path(os.path.normpath(home / relative))
        if all(folder != known for _, known in found):
            found.append(("home" if folder == home else relative.as_posix(), folder))
    return found


def _exercise_files(folder: Path) -> list[os.DirEntry]:
    """The files named like an exercise (``NN_*``) in folder, not in its sub-folders, sorted."""
    with os.scandir(folder) as entries:
        return sorted((e for e in entries if EXERCISE_NAME.fullmatch(e.name) and not e.is_dir(follow_symlinks=False)),
                      key=lambda e: e.name)


def _scan(learner: CollectedLearner, subdir: Path) -> list[tuple[str, Path, list[os.DirEntry]]]:
    """Every candidate folder that holds files named like an exercise, with them; notes what was passed by."""
    home, seen, found = Path(os.path.realpath(learner.home)), {}, []
    for label, folder in _candidate_folders(learner.home, subdir):
        if not os.path.isdir(folder):
            continue
        if not _inside(folder, home):
            learner.skipped.append((str(folder), "a link to a folder outside the home, not followed"))
            continue
        real = os.path.realpath(folder)
        if real in seen:
            learner.skipped.append((str(folder), f"the same folder as {seen[real]} (a link), collected once"))
            continue
        seen[real] = label
        try:
            entries = _exercise_files(folder)
        except OSError as exc:
            learner.skipped.append((str(folder), f"cannot be listed ({_reason(exc)})"))
            continue
        if entries:
            found.append((label, folder, entries))
    return found


def _deeper(home: Path, searched: list[Path]) -> list[tuple[str, int]]:
    """Folders below the home (at most ``MAX_DEPTH`` levels, links not followed, hidden folders and
    the folders already searched left out) holding exercise notebooks: (path in the home, how many),
    the fullest first."""
    found: collections.Counter[str] = collections.Counter()
    stack, visited = [(home, 0)], 0
    while stack and visited < MAX_FOLDERS_SEARCHED:
        folder, depth = stack.pop()
        visited += 1
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name, reverse=True)
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                if depth < MAX_DEPTH:
                    stack.append((Path(entry.path), depth + 1))
            elif folder not in searched and NOTEBOOK_NAME.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
                found[folder.relative_to(home).as_posix()] += 1
    return sorted(found.items(), key=lambda item: (-item[1], item[0]))


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
    found = _scan(learner, subdir)
    if not any(NOTEBOOK_NAME.fullmatch(e.name) for _, _, entries in found for e in entries):
        searched = [folder for _, folder in _candidate_folders(learner.home, subdir)]
        learner.deeper = _deeper(learner.home, searched)
    target, made, taken = out / learner.name, [], set()
    for label, folder, entries in found:
        before = len(learner.copied) + len(learner.others)
        for entry in entries:
            place = entry.name if entry.name not in taken else f"{label}/{entry.name}"
            taken.add(entry.name)
            if entry.is_symlink():
                learner.skipped.append((entry.path, "a symbolic link, not followed"))
                continue
            _copy_into(learner, Path(entry.path), target, place, made)
        if len(learner.copied) + len(learner.others) > before:
            learner.sources.append(folder)
    for folder in reversed(made):  # folders left empty (nothing copied into them)
        with contextlib.suppress(OSError):
            folder.rmdir()


def _copy_into(learner: CollectedLearner, source: Path, target: Path, place: str, made: list[Path]) -> None:
    """Copy one file to target/place, noting it as a notebook or another file, or why it was skipped."""
    destination = target / place
    for folder in (target, *(target / p for p in reversed([*Path(place).parents][:-1]))):
        if not folder.is_dir():
            folder.mkdir()
            made.append(folder)
    try:
        _copy(source, destination)
    except OSError as exc:
        learner.skipped.append((str(source), f"not copied ({_reason(exc)})"))
        return
    (learner.copied if NOTEBOOK_NAME.fullmatch(source.name) else learner.others).append(place)
    if "/" in place:
        learner.set_aside.append(place)


def collect(homes: Any, out: Any, work_subdir: Any = "aipm-work") -> CollectReport:
    """Copy each learner's exercise files from their home into ``out/<learner>/``.

    The homes are only read: bytes are copied, modification times kept, links never followed. Every
    folder of ``<work_subdir>``, ``aipm-work``, ``my_work`` and the home itself is collected (see the
    module's docstring). ``out`` must be outside every home and hold no folder yet for these learners."""
    paths = _folder_list("homes", homes)
    subdir = _work_subdir(work_subdir)
    names, naming = name_folders(paths, homes=True)
    work_folder = next((path for path in paths if path.name in WORK_FOLDER_PARTS), None)
    if work_folder is not None:
        naming.insert(0, f"{work_folder} is a work folder, not a home: give the homes (e.g. {work_folder.parent}), "
                         "where collect looks in the work folders itself, so that each learner is named by their home.")
    target = _check_out(out, paths, names)
    target.mkdir(parents=True, exist_ok=True)
    report = CollectReport(target, [CollectedLearner(name, home) for name, home in zip(names, paths)], naming)
    for learner in report.learners:
        _collect_one(learner, subdir, target)
    return report
