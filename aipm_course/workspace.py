"""The learner's work folder and progress record (taught in lesson 00).

The learner works in a private folder (``my_work/`` beside the kit, or ``$AIPM_WORK_DIR``; when
the kit is shared, as on a JupyterHub where one installed kit serves everyone, ``~/aipm-work``).
Nothing here ever overwrites a notebook in that folder without first keeping a copy:
``start`` only copies notebooks that are missing, ``reset`` moves the old copy into
``my_work/backups/`` with a timestamp before restoring the exercise.

Progress (which questions were checked and passed) lives in ``my_work/.aipm/progress.json``.
It is written atomically. A file that cannot be read or parsed is moved aside (renamed with a
timestamp) with a warning saying where, and a new one begun; one that cannot be moved (or is a
folder) is left untouched and progress is not recorded until it is fixed: nothing is written over it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as _dt
import json
import os
import re
import shutil
import stat
import tempfile
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from . import validation
from .validation import AipmError

__all__ = [
    "KitError",
    "ProgressUnavailable",
    "kit_root",
    "work_dir",
    "progress_path",
    "exercise_notebooks",
    "start",
    "reset",
    "ProgressStore",
    "progress_rows",
    "progress_table",
    "save_artifact",
    "save_figure",
    "save_files",
    "portfolio_name",
    "not_saved",
    "record_check",
]

PROGRESS_VERSION = 1


def _read_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _read_umask()


class KitError(AipmError):
    """A problem the learner can fix; the message says how."""


class ProgressUnavailable(KitError):
    """The progress file can be neither read nor moved aside; it is left untouched and nothing is recorded."""


def _reason(exc: OSError) -> str:
    """An OS error in a few words: "Permission denied", not the whole "[Errno 13] ..." line."""
    return exc.strerror or str(exc) or type(exc).__name__


def _timestamp() -> str:
    return _dt.datetime.now().strftime("%Y%m%d-%H%M%S")


def kit_root() -> Path:
    """Return the folder holding the kit (the one with ``exercises/`` and ``pyproject.toml``)."""
    env = os.environ.get("AIPM_KIT_ROOT")
    if env:
        root = Path(env).expanduser()
        if not (root / "exercises").is_dir():
            raise KitError(f"AIPM_KIT_ROOT is {env!r}, but it has no exercises/ folder. Unset it or point it at the kit.")
        return root.resolve()
    here = Path(__file__).resolve().parent
    for folder in (here.parent, Path.cwd(), *Path.cwd().parents):
        if (folder / "exercises").is_dir() and (folder / "pyproject.toml").is_file():
            return folder
    raise KitError(
        "Could not find the workbook's folder (the one with exercises/ and pyproject.toml). "
        "Run this from inside the kit, install it with `pip install -e .`, or set AIPM_KIT_ROOT."
    )


HOME_WORK_NAME = "aipm-work"  # the work folder in the learner's home when the kit is shared


def _shared_kit(kit: Path) -> str | None:
    """Why the kit's folder is shared with other users (it belongs to another user, or this user
    cannot write in it), or None when it is the learner's own."""
    try:
        owner = kit.stat().st_uid
    except OSError:
        return None
    getuid = getattr(os, "getuid", None)  # absent on Windows, where folders have no owner id
    if getuid is not None and owner != getuid():
        return "it belongs to another user"
    if not os.access(kit, os.W_OK):
        return "you cannot write in it"
    return None


_said_where: set[Path] = set()


def _say_where(kit: Path, why: str, work: Path) -> None:
    """Tell the learner once per process where their work goes when the kit is shared."""
    if work in _said_where:
        return
    _said_where.add(work)
    with contextlib.suppress(Exception):  # warnings turned into errors must not stop the work
        warnings.warn(
            f"The kit in {kit} is shared ({why}), so your work folder is {work}. "
            "Set AIPM_WORK_DIR to use another folder.",
            stacklevel=3,
        )


def work_dir() -> Path:
    """Return the learner's work folder: ``$AIPM_WORK_DIR`` if set; else ``my_work/`` in the kit,
    unless the kit is shared (another user's, or not writable by this user, as on a JupyterHub),
    then ``~/aipm-work``, said once in a warning."""
    env = os.environ.get("AIPM_WORK_DIR")
    if env:
        return Path(env).expanduser().resolve()
    kit = kit_root()
    why = _shared_kit(kit)
    if why is None:
        return kit / "my_work"
    try:
        work = Path.home() / HOME_WORK_NAME
    except (RuntimeError, KeyError) as exc:  # no HOME and no password entry
        raise KitError(f"The kit in {kit} is shared ({why}) and your home folder cannot be found. Set AIPM_WORK_DIR to a folder of your own.") from exc
    _say_where(kit, why, work)
    return work


def progress_path() -> Path:
    """Return the progress file: ``$AIPM_PROGRESS_FILE`` if set, else inside the work folder."""
    env = os.environ.get("AIPM_PROGRESS_FILE")
    if env:
        return Path(env).expanduser().resolve()
    return work_dir() / ".aipm" / "progress.json"


def _path_arg(name: str, value: Any) -> Path | None:
    """A folder argument as a Path, or None (the default): anything but text or a Path is refused by name."""
    if value is None:
        return None
    if not isinstance(value, (str, os.PathLike)) or isinstance(value, bytes):
        raise validation.fail(name, value, "a folder: a path as text or a Path, or None for the default", KitError)
    return Path(value)


def _work_arg(work: Any) -> Path:
    """The ``work`` argument: None is the learner's work folder; a file where the folder should be is refused."""
    path = _path_arg("work", work)
    if path is None:
        return work_dir()
    if path.exists() and not path.is_dir():
        raise KitError(f"work must be a folder, got {validation.show(str(path))}: it is a file where a folder should be. Move or rename it, or choose another folder.")
    return path


def exercise_notebooks(source: Path | None = None) -> list[Path]:
    """Return the exercise notebooks shipped with the kit, in module order."""
    source = _path_arg("source", source)
    folder = source if source is not None else kit_root() / "exercises"
    return sorted(Path(folder).glob("[0-9][0-9]_*.ipynb"))


@dataclasses.dataclass
class StartReport:
    """What ``start`` did: notebooks copied, and notebooks kept because the learner had them."""

    work: Path
    copied: list[Path]
    kept: list[Path]

    def __str__(self) -> str:
        lines = [f"Your work folder: {self.work}"]
        lines += [f"  copied  {p.name}" for p in self.copied]
        lines += [f"  kept    {p.name} (yours, not touched)" for p in self.kept]
        if not self.copied and not self.kept:
            lines.append("  (no exercises found)")
        return "\n".join(lines)


def start(work: Path | None = None, source: Path | None = None) -> StartReport:
    """Copy every exercise that is missing from the work folder; never overwrite one that exists."""
    work = _work_arg(work)
    notebooks = exercise_notebooks(source)
    if not notebooks and source is not None:
        raise KitError(f"source must be a folder of exercise notebooks (00_*.ipynb, 01_*.ipynb, ...), got {validation.show(str(source))}: there are none in it.")
    if not notebooks:
        raise KitError(f"No exercise notebooks found in {kit_root() / 'exercises'}.")
    work.mkdir(parents=True, exist_ok=True)
    copied, kept = [], []
    for notebook in notebooks:
        target = work / notebook.name
        try:
            # "x" mode fails if the file exists, so a learner's copy can never be replaced,
            # even by two `start` runs at once.
            with open(target, "xb") as out, open(notebook, "rb") as src:
                shutil.copyfileobj(src, out)
            copied.append(target)
        except FileExistsError:
            kept.append(target)
    return StartReport(work, copied, kept)


@dataclasses.dataclass
class ResetReport:
    restored: Path
    backup: Path | None

    def __str__(self) -> str:
        kept = "Your progress record is kept as it was."
        if self.backup is None:
            return f"Restored {self.restored.name} (there was no earlier copy to back up). {kept}"
        return f"Restored {self.restored.name}. Your previous copy is kept at {self.backup}\n{kept}"


def _find_exercise(module: str, source: Path | None) -> Path:
    notebooks = exercise_notebooks(source)
    if not notebooks and source is not None:
        raise KitError(f"source must be a folder of exercise notebooks (00_*.ipynb, 01_*.ipynb, ...), got {validation.show(str(source))}: there are none in it.")
    available = ", ".join(p.name[:2] for p in notebooks) or "none"
    text = str(module).strip()
    if not re.fullmatch(r"\d{1,2}", text):
        raise KitError(f"module must be a module number such as 00 or 3, got {text!r}. Available: {available}.")
    text = text.zfill(2)
    matches = [p for p in notebooks if p.name.startswith(text + "_")]
    if not matches:
        raise KitError(f"There is no exercise {text} yet. Available: {available}.")
    return matches[0]


def reset(module: str, work: Path | None = None, source: Path | None = None) -> ResetReport:
    """Restore one exercise to its original state, keeping a timestamped backup of the old copy."""
    work = _work_arg(work)
    exercise = _find_exercise(module, source)
    work.mkdir(parents=True, exist_ok=True)
    target = work / exercise.name
    backup = _keep_backup(target, work) if target.exists() else None
    _atomic_write_bytes(target, exercise.read_bytes())
    return ResetReport(target, backup)


def _stamped(folder: Path, stem: str, suffix: str) -> Path:
    """Return folder/stem.<timestamp><suffix>, with a counter when that name is taken."""
    candidate = folder / f"{stem}.{_timestamp()}{suffix}"
    counter = 1
    while candidate.exists():
        candidate = folder / f"{stem}.{_timestamp()}-{counter}{suffix}"
        counter += 1
    return candidate


def _keep_backup(target: Path, work: Path) -> Path:
    """Copy a learner's file into work/backups/ under a timestamped name; return the copy's path."""
    backups = work / "backups"
    backups.mkdir(parents=True, exist_ok=True)
    backup = _stamped(backups, target.stem, target.suffix)
    shutil.copy2(target, backup)
    return backup


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write a file so that a reader sees either the old or the new content, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        # mkstemp makes a private (0600) file; give it the mode a normal new file would get.
        os.chmod(tmp, 0o666 & ~_UMASK)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock beside path while reading and writing (best effort off Unix)."""
    try:
        import fcntl
    except ImportError:  # Windows: no fcntl; writes are still atomic
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _aside_name(path: Path, kind: str) -> Path:
    """A free name beside ``path`` for a damaged file set aside: <name>.<kind>-<timestamp>[-N]."""
    aside = path.with_name(f"{path.name}.{kind}-{_timestamp()}")
    counter = 1
    while aside.exists():
        aside = path.with_name(f"{path.name}.{kind}-{_timestamp()}-{counter}")
        counter += 1
    return aside


class ProgressStore:
    """The learner's record of checks: per question, attempts, whether passed, the last outcome."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else progress_path()

    def _empty(self) -> dict[str, Any]:
        return {"version": PROGRESS_VERSION, "questions": {}}

    def _valid(self, data: Any) -> bool:
        if not isinstance(data, dict) or not isinstance(data.get("questions"), dict):
            return False
        for entry in data["questions"].values():
            if not isinstance(entry, dict):
                return False
            attempts = entry.get("attempts", 0)
            if not validation.is_whole(attempts) or attempts < 0:
                return False
            if not isinstance(entry.get("passed", False), bool):
                return False
        return True

    def load(self) -> dict[str, Any]:
        """Return the stored progress. A file that cannot be read or parsed is moved aside (renamed
        with a timestamp) with a warning saying where, and a new record begins; when it cannot be
        moved, or is not a regular file (a folder, say), it is left untouched and ``ProgressUnavailable``
        says why and where, so nothing is ever written over it."""
        try:
            mode = self.path.stat().st_mode
        except FileNotFoundError:
            return self._empty()
        except OSError as exc:
            raise ProgressUnavailable(
                f"the progress file {self.path} cannot be reached ({_reason(exc)}); it is left as it is"
            ) from exc
        if not stat.S_ISREG(mode):
            what = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
            raise ProgressUnavailable(
                f"the progress file {self.path} is {what}; it is left untouched. "
                "Move it away (or set AIPM_PROGRESS_FILE to a file) to record progress again"
            )
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:  # removed since the stat: nothing to keep
            return self._empty()
        except Exception as exc:  # noqa: BLE001 - any read error: keep the file, never write over it
            reason = _reason(exc) if isinstance(exc, OSError) else f"{type(exc).__name__}: {exc}"
            return self._set_aside("unreadable", f"could not be read ({reason})")
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            data = None
        if not self._valid(data):
            return self._set_aside("corrupt", "was damaged")
        return data

    def _set_aside(self, kind: str, why: str) -> dict[str, Any]:
        """Rename the progress file to <name>.<kind>-<timestamp>, warn where it went, return a new record;
        if it cannot be renamed, leave it untouched and raise ``ProgressUnavailable``."""
        aside = _aside_name(self.path, kind)
        try:
            os.rename(self.path, aside)
        except FileNotFoundError:  # someone else moved it aside first
            return self._empty()
        except OSError as exc:
            raise ProgressUnavailable(
                f"the progress file {self.path} {why} and could not be moved aside ({_reason(exc)}); "
                "it is left untouched. Fix or move it to record progress again"
            ) from exc
        warnings.warn(
            f"The progress file {self.path} {why}; it was moved to {aside.name} in {aside.parent} and a new "
            "record was started. Your notebooks are not affected.",
            stacklevel=3,
        )
        return self._empty()

    def record(self, module: str, question: str, outcome: str, parameters: dict | None = None) -> None:
        """Add one check to the record (atomic; safe with several notebooks open)."""
        with _locked(self.path):
            data = self.load()
            key = f"{module}.{question}" if module else question
            entry = data["questions"].setdefault(
                key, {"module": module, "question": question, "attempts": 0, "passed": False}
            )
            now = _dt.datetime.now().isoformat(timespec="seconds")
            if outcome != "not attempted":
                entry["attempts"] = int(entry.get("attempts", 0)) + 1
                if entry["attempts"] == 1:  # the first attempt (files from before it was kept have none)
                    entry["first_checked"] = now
            entry["passed"] = bool(entry.get("passed")) or outcome == "correct"
            entry["last_outcome"] = outcome
            entry["last_checked"] = now
            if parameters:
                entry["parameters"] = parameters
            text = json.dumps(data, indent=1, sort_keys=True) + "\n"
            _atomic_write_bytes(self.path, text.encode("utf-8"))

    def summary(self, modules: dict[str, list[str]]) -> list[dict[str, Any]]:
        """Return one row per module: questions, attempted and passed."""
        questions = self.load()["questions"]
        rows = []
        for module, ids in modules.items():
            entries = [questions.get(f"{module}.{qid}", {}) for qid in ids]
            rows.append(
                {
                    "module": module,
                    "questions": len(ids),
                    "attempted": sum(1 for e in entries if e.get("attempts", 0) > 0),
                    "passed": sum(1 for e in entries if e.get("passed")),
                }
            )
        return rows


def progress_rows(store: ProgressStore | None = None) -> list[dict[str, Any]]:
    """Return the learner's progress, one row per module with its title (``aipm progress``)."""
    from .exercises import MODULES, question_ids

    if store is not None and not isinstance(store, ProgressStore):
        raise validation.fail("store", store, "a ProgressStore, or None for your progress file", KitError)
    store = store if store is not None else ProgressStore()
    rows = store.summary({number: question_ids(number) for number in MODULES})
    for row in rows:
        row["title"] = MODULES[row["module"]].title
    return rows


_warned = False


def record_check(result: Any, module: str) -> None:
    """Record a check result in the learner's progress; never raises (used by every question).

    When the progress cannot be saved (a file that can be neither read nor moved aside, a folder
    that cannot be written) the check is not recorded and the learner is told once why and where."""
    global _warned
    try:
        if os.environ.get("AIPM_PROGRESS", "1").lower() in {"0", "off", "no", "false"}:
            return
        ProgressStore().record(module, result.question_id, result.outcome.value, dict(result.parameters))
    except Exception as exc:  # noqa: BLE001 - progress must never break a check
        if not _warned:
            _warned = True
            with contextlib.suppress(Exception):  # warnings turned into errors must not break it either
                warnings.warn(
                    f"Your progress could not be saved ({exc}). Your answers are still checked; "
                    "this check and later ones are not recorded until that is fixed.",
                    stacklevel=2,
                )


def progress_table():
    """Return the learner's progress as a table (a pandas DataFrame), one row per module."""
    import pandas as pd

    rows = progress_rows()
    frame = pd.DataFrame(rows, columns=["module", "title", "questions", "attempted", "passed"])
    return frame.set_index("module")


@dataclasses.dataclass
class SavedArtifact:
    """A file saved into the learner's portfolio folder, and the backup of any earlier version."""

    path: Path
    backup: Path | None

    def __str__(self) -> str:
        where = f"portfolio/{self.path.name} in your work folder"
        if self.backup is None:
            return f"Saved {where}."
        return f"Saved {where}; the previous version is kept as backups/{self.backup.name}."


# A name the learner gives a portfolio file (``name=`` of the savers): no folder, no dot, no path.
NAME_ALLOWED = (
    "a plain name of letters, digits, - and _ only (1 to 100 characters, starting with a letter or digit; "
    "no folder, no dot), such as 01_feature_brief"
)
_PLAIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}")
_RESERVED_NAME = re.compile(r"(con|prn|aux|nul|com\d|lpt\d)", re.IGNORECASE)  # not allowed as file names on Windows
_MAX_FILENAME = 120


def portfolio_name(name: Any, what: str = "name") -> str:
    """Return ``name`` if it can name a portfolio file (the part before .md, .yaml, .png); otherwise
    raise ``KitError`` saying what is allowed. Such a name can never reach outside the portfolio folder."""
    if not isinstance(name, str) or not _PLAIN_NAME.fullmatch(name):
        raise validation.fail(what, name, NAME_ALLOWED, KitError)
    if _RESERVED_NAME.fullmatch(name):
        raise validation.fail(what, name, NAME_ALLOWED + ", and not one Windows reserves (CON, PRN, AUX, NUL, COM1-9, LPT1-9)", KitError)
    return name


def not_saved(exc: BaseException) -> str:
    """Return the message a saver that never raises gives instead: "Not saved: <what was wrong>."."""
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        reason = f"your work folder could not be written: {_reason(exc)}{where}"
    else:
        reason = str(exc).strip() or type(exc).__name__
    return f"Not saved: {reason}" + ("" if reason.endswith((".", ")")) else ".")


def _portfolio_target(filename: str, work: Path) -> Path:
    """Return work/portfolio/filename, or raise ``KitError`` if something other than a folder stands
    where a folder must be, or something other than a file where the file goes (nothing is written)."""
    target = work / "portfolio" / filename
    for path, want in ((work, "folder"), (target.parent, "folder"), (target, "file")):
        try:
            mode = path.stat().st_mode
        except FileNotFoundError:
            break  # nothing below a missing folder exists either
        except OSError as exc:
            raise KitError(f"portfolio/{filename} cannot be saved: {path} cannot be reached ({_reason(exc)})") from exc
        if want == "folder" and not stat.S_ISDIR(mode):
            raise KitError(
                f"portfolio/{filename} cannot be saved: {path} is a file where a folder should be. "
                "Move or rename it, then save again."
            )
        if want == "file" and not stat.S_ISREG(mode):
            what = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
            raise KitError(
                f"portfolio/{filename} cannot be saved: {path} is {what}, where the file goes. "
                "Move or rename it, then save again."
            )
    return target


def _artifact_bytes(filename: Any, text: Any) -> bytes:
    if (
        not isinstance(filename, str)
        or not re.fullmatch(r"[\w.-]+", filename)
        or filename.startswith(".")
        or len(filename) > _MAX_FILENAME
    ):
        raise KitError(f"filename must be a plain file name such as 01_brief.md (at most {_MAX_FILENAME} characters), got {validation.show(filename)}")
    if not isinstance(text, str):
        raise KitError(f"text must be a string, got {type(text).__name__}")
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate such as "\ud800"
        raise KitError(f"text cannot be saved as UTF-8: {exc.reason} at character {exc.start}") from exc


def _figure_bytes(figure: Any, filename: Any, dpi: int) -> bytes:
    import io

    if (
        not isinstance(filename, str)
        or not re.fullmatch(r"[\w.-]+\.png", filename)
        or filename.startswith(".")
        or len(filename) > _MAX_FILENAME
    ):
        raise KitError(f"filename must be a plain file name ending in .png, such as 02_threshold.png (at most {_MAX_FILENAME} characters), got {validation.show(filename)}")
    dpi = validation.real("dpi", dpi, low=10, high=1000, allowed="a resolution in dots per inch, from 10 to 1000", error=KitError)
    if not callable(getattr(figure, "savefig", None)):
        raise KitError(f"figure must be a matplotlib Figure (e.g. the one a plot function returns), got {type(figure).__name__}")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    return buffer.getvalue()


def _store(target: Path, data: bytes, work: Path) -> SavedArtifact:
    """Write a portfolio file atomically, first keeping a backup of an earlier version that differs."""
    backup = None
    if target.exists() and target.read_bytes() != data:  # bytes: the old file may not be UTF-8
        backup = _keep_backup(target, work)
    _atomic_write_bytes(target, data)
    return SavedArtifact(target, backup)


def save_artifact(filename: str, text: str, work: Path | None = None) -> SavedArtifact:
    """Save a portfolio file (a brief, a plan) in ``my_work/portfolio/``; keep the old one if it differs."""
    data = _artifact_bytes(filename, text)
    work = _work_arg(work)
    return _store(_portfolio_target(filename, work), data, work)


def save_figure(figure: Any, filename: str, work: Path | None = None, dpi: int = 110) -> SavedArtifact:
    """Save a matplotlib figure as a PNG in ``my_work/portfolio/``; keep the old one if it differs."""
    data = _figure_bytes(figure, filename, dpi)
    work = _work_arg(work)
    return _store(_portfolio_target(filename, work), data, work)


def save_files(files: dict[str, Any], work: Path | None = None, dpi: int = 110) -> list[SavedArtifact]:
    """Save several portfolio files together: text (a str) or a matplotlib figure (a .png name).

    Every name and every place is checked, and every figure drawn, before anything is written, so a
    name or a folder in the way leaves nothing half-saved. Raises ``KitError`` saying what is wrong
    (and, if writing fails part way, which files were saved before the problem)."""
    if not isinstance(files, Mapping):
        raise validation.fail("files", files, "a mapping of file name to text or a matplotlib figure, e.g. {'01_brief.md': text}", KitError)
    work = _work_arg(work)
    prepared = []
    for filename, content in files.items():
        data = _artifact_bytes(filename, content) if isinstance(content, str) else _figure_bytes(content, filename, dpi)
        prepared.append((_portfolio_target(filename, work), data))
    saved: list[SavedArtifact] = []
    for target, data in prepared:
        try:
            saved.append(_store(target, data, work))
        except OSError as exc:
            done = "; saved before the problem: " + ", ".join(f"portfolio/{s.path.name}" for s in saved) if saved else ""
            raise KitError(f"portfolio/{target.name} could not be written ({_reason(exc)}){done}") from exc
    return saved
