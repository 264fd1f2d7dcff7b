"""The reports of a grading run: what an instructor reads, imports into a gradebook and sends.

``write_reports(run, out)`` writes into the folder ``out``:

- ``grades.csv``: one row per learner and question (``GRADES_COLUMNS``).
- ``gradebook.csv``: one row per learner (every learner, also those who handed in nothing), one
  column per module holding the questions counted correct, "out of" all the module's questions,
  then the total, what it is out of, and flags. This is the shape learning-management systems
  import: one row per student, one column per assignment, a single plain header row, UTF-8.
- ``summary.html``: one self-contained page (no scripts, no network): what was not graded or needs
  a look (grouped by kind, each kind with what to do), the flagged outcomes, a learner x question
  matrix, per question the passed share and the most common mistakes, per file how its run went, and
  which feedback file belongs to which learner.
- ``feedback/<name>.md`` and ``feedback/<name>.html``: one pair per learner, ready to send. They hold
  only what the learner can act on: a seed or scenario that is not theirs (first), per module the
  score and per question one line of feedback, the details and a hint; a module not handed in (once);
  files that could not be graded. Nothing meant for the instructor only (the roster, other learners).

Everything a submission can touch (learner names come from folder names, messages from what a
notebook did) is treated as hostile: every CSV text cell goes through ``csv_safe``, so a spreadsheet
never reads it as a formula; every HTML text is escaped; file names come from ``feedback_names``.
"""

from __future__ import annotations

import collections
import csv
import dataclasses
import datetime
import functools
import hashlib
import html
import io
import os
import re
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

from .. import validation
from . import model
from .model import (
    CORRECT, DIFFERS, ERROR, INCORRECT, MISSING, NOT_ATTEMPTED, NOT_REACHED, OUTCOMES, UNVERIFIED,
    Finding, FileResult, GradeRun, QuestionResult,
)

__all__ = ["GRADES_COLUMNS", "OUTCOME_LOOK", "csv_safe", "feedback_names", "slip_of", "write_reports"]

GRADES_COLUMNS = (
    "learner", "team", "file", "module", "question", "title", "outcome", "message",
    "seed", "scenario", "verification", "shown", "status",
)
CELL_LIMIT = 32_000  # a spreadsheet cell holds at most 32,767 characters
SHOWN_LIMIT = 600  # characters of a message shown in a tooltip or a table
TOP_MISTAKES = 5
# The verification of an answer judged against the learner's assignment while the notebook ran with
# another seed or scenario: expected to differ from what the notebook showed, so not flagged.
REASSIGNED = getattr(model, "REASSIGNED", "re-judged against the assignment")


@dataclasses.dataclass(frozen=True)
class Look:
    """How an outcome looks in the matrix: a symbol (so it reads without colour) and colours."""

    symbol: str
    background: str
    colour: str
    meaning: str


# Okabe-Ito hues (safe for colour-blind readers), lightened for backgrounds; the symbol alone tells
# the outcomes apart in print.
OUTCOME_LOOK: dict[str, Look] = {
    CORRECT: Look("✓", "#c6ecd9", "#00603f", "the answer was re-judged and is right"),
    INCORRECT: Look("✗", "#f7cdb0", "#8a3a00", "answered, not right"),
    NOT_ATTEMPTED: Look("○", "#ffffff", "#555555", "the placeholder ___ was still there"),
    NOT_REACHED: Look("»", "#d3eaf8", "#1f5f85", "the check cell never ran (the notebook stopped before it)"),
    ERROR: Look("!", "#f1cfe3", "#7a2a5a", "the check cell, or a cell of the question, raised an exception"),
    UNVERIFIED: Look("?", "#f7f0a0", "#5c5500", "the notebook showed an outcome grading could not confirm; not counted"),
    MISSING: Look("∅", "#4d4d4d", "#ffffff", "no notebook handed in for this module (one cell across the module)"),
}
_NO_RESULT = Look("·", "#f4f4f4", "#9a9a9a", "no result: the module is not this learner's (one cell across the module)")

# What each outcome means, said to the learner when the result carries no message of its own.
_TO_LEARNER = {
    CORRECT: "",
    INCORRECT: "",
    NOT_ATTEMPTED: "You have not answered this one yet: the placeholder ___ is still there.",
    NOT_REACHED: "The check never ran: the notebook stopped before it, or the cell is missing.",
    ERROR: "A cell of this question raised an error, so it could not be checked.",
    UNVERIFIED: "The notebook showed an outcome that grading could not confirm, so it does not count. Run the check cell itself.",
    MISSING: "No notebook for this module was handed in.",
}


# --------------------------------------------------------------------------------------------
# Text from a submission: cleaned, made safe for a spreadsheet, with the learner's numbers out
# --------------------------------------------------------------------------------------------

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")  # lone surrogates too
_PLAIN_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")
_FORMULA_START = frozenset("=+-@\t\r\n＝＋－＠")


def _text(value: Any) -> str:
    """Any value as text that can be written as UTF-8: lone surrogates (from undecodable file
    names) and control characters become U+FFFD; tabs and line breaks stay."""
    if value is None:
        return ""
    try:
        text = value if isinstance(value, str) else str(value)
    except Exception:  # noqa: BLE001 - describing a value must never stop a report
        text = f"<{type(value).__name__}>"
    return _CONTROL.sub("\ufffd", text)


def _line(value: Any, limit: int | None = None) -> str:
    """The text on one line (runs of white space become one space), cut to ``limit`` characters."""
    text = " ".join(_text(value).split())
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"


def csv_safe(value: Any) -> str:
    """Return ``value`` as a CSV text cell a spreadsheet cannot read as a formula.

    A cell whose first character (after any spaces) is = + - @, a tab or a line break gets a single
    quote in front, which spreadsheets show as text. A plain number (-3.5, +2, 1e-3) is kept as it
    is, so it stays a number. Undecodable characters become U+FFFD."""
    text = _text(value)
    if _PLAIN_NUMBER.fullmatch(text):
        return text
    if text.lstrip(" ")[:1] in _FORMULA_START or text[:1] in _FORMULA_START:
        return "'" + text
    return text


_QUOTED = re.compile(
    r"(?<!\w)'[^'\n]{0,300}'(?!\w)"  # 'x', but not the apostrophe of "learner's"
    r'|"[^"\n]{0,300}"|‘[^’\n]{0,300}’|“[^”\n]{0,300}”|«[^»\n]{0,300}»'
)
_NUMBER_IN_TEXT = re.compile(
    r"(?<![\w.])[-+−]?(?P<money>[$€£¥]\s?)?[-+−]?"
    r"(?:\d+(?:,\d{3})*(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?(?P<percent>\s?%)?"
)


def slip_of(message: str) -> str:
    """Return the feedback with the learner's own values taken out, to group the same mistake.

    Numbers become #, money keeps its sign ($# for $1,234.50), percentages keep theirs (#% for
    27.1%), quoted values become '…'. So "0.12 is about 10 times too big" and "3.4 is about 10
    times too big" are one slip, across learners and seeds."""
    text = _QUOTED.sub("'…'", _line(message))
    return _NUMBER_IN_TEXT.sub(_number_placeholder, text)


def _number_placeholder(match: re.Match) -> str:
    money = (match.group("money") or "").strip()
    return f"{money}#{'%' if match.group('percent') else ''}"


# --------------------------------------------------------------------------------------------
# File names for learners
# --------------------------------------------------------------------------------------------

_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


def _slug(name: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_text).lstrip("._-").rstrip(". ")[:60]
    return slug or "learner"


def feedback_names(learners: list[str]) -> dict[str, str]:
    """Return a file name (without extension) for each learner: distinct, also on file systems
    that ignore case, made of A-Z a-z 0-9 . _ - ~ only.

    A name that is already safe and unique is kept ("ana_lopez"); any other gets a short digest
    of the full name after a ~ ("Zoe_O_Brien~3f2a9c01d4"), which a kept name can never contain."""
    if not isinstance(learners, (list, tuple)) or not all(isinstance(name, str) for name in learners):
        raise validation.fail("learners", learners, "a list of learners' names (text)")
    unique = list(dict.fromkeys(learners))
    by_lower = collections.Counter(_slug(_text(name)).lower() for name in unique)
    names: dict[str, str] = {}
    taken: set[str] = set()
    for name in unique:
        slug = _slug(_text(name))
        reserved = slug.split(".")[0].lower() in _RESERVED  # names a device on Windows, with any extension
        keep = slug == name and by_lower[slug.lower()] == 1 and not reserved
        slug = "_" + slug if reserved else slug
        digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()
        chosen = slug if keep else f"{slug}~{digest[:10]}"
        if chosen.lower() in taken:  # only a digest prefix shared by two names: take it whole
            chosen = f"{slug}~{digest}"
        taken.add(chosen.lower())
        names[name] = chosen
    return names


# --------------------------------------------------------------------------------------------
# The run, indexed once for every report
# --------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def _kit_questions(module: str) -> tuple[tuple[str, str], ...]:
    """(id, title) of a module's questions, in order; () for a module the kit does not know."""
    from ..exercises import MODULES, load

    if module not in MODULES:
        return ()
    return tuple((q.id, q.title) for q in load(module).questions)


def _question_order(qid: str) -> tuple[int, str]:
    digits = re.fullmatch(r"q(\d+)", qid)
    return (int(digits.group(1)) if digits else 10**9, qid)


def _module_order(module: str) -> tuple[bool, str]:
    return (not _kit_questions(module), module)


@dataclasses.dataclass
class _Class:
    """A grading run arranged by learner, module and question."""

    run: GradeRun
    learners: list[str]
    modules: list[str]
    questions: dict[str, list[tuple[str, str]]]  # module -> (question id, title) in order
    cell: dict[tuple[str, str, str], QuestionResult]  # (learner, module, question) -> the result counted
    results: dict[str, list[QuestionResult]]
    files: dict[str, list[FileResult]]
    findings: dict[str, list[Finding]]
    differs: set[tuple[str, str]]  # (learner, module) whose notebook ran with another assignment; module "*" for all
    roster: dict[str, dict[str, Any]]

    def team(self, learner: str) -> str:
        row_team = _text(self.roster.get(learner, {}).get("team") or "")
        return row_team or next((r.team for r in self.results[learner] if r.team), "")

    def assignment_differs(self, learner: str, module: str) -> bool:
        return (learner, module) in self.differs or (learner, "*") in self.differs

    def reassigned(self, result: QuestionResult) -> bool:
        """Judged against the assignment while the notebook ran with another seed or scenario: an
        outcome that differs from the notebook's is expected there, not a sign of tampering."""
        return result.verification.startswith(REASSIGNED) or (
            result.verification.startswith(DIFFERS) and self.assignment_differs(result.learner, result.module))

    def flagged(self, result: QuestionResult) -> bool:
        return result.flagged and not self.reassigned(result)

    def off_roster(self, learner: str) -> bool:
        return (bool(self.roster) and learner not in self.roster) or any(
            f.kind == "not on the roster" for f in self.findings[learner])

    def handed_in(self, learner: str, module: str) -> bool:
        return any(r.module == module and r.outcome != MISSING for r in self.results[learner])

    def left_out(self, learner: str, module: str) -> str:
        """Why a learner's results for a module stay out of the pass rates ("" when they count)."""
        if self.assignment_differs(learner, module):
            return _worked_at(self, learner, module) or "assignment differs"
        return "not on the roster" if self.off_roster(learner) else ""

    def modules_of(self, learner: str) -> list[str]:
        """The modules a learner is graded on: those with results, those the roster assigns, or
        every module of the run for a learner with neither (nothing handed in counts as nothing)."""
        own = {r.module for r in self.results[learner]} | set(_roster_modules(self.roster.get(learner, {})))
        return [m for m in self.modules if m in own] or list(self.modules)

    def score(self, learner: str, module: str) -> tuple[int, int]:
        """(questions counted correct, all the module's questions)."""
        ids = [qid for qid, _ in self.questions.get(module, [])]
        right = sum(1 for qid in ids if getattr(self.cell.get((learner, module, qid)), "outcome", "") == CORRECT)
        return right, len(ids)


def _row(row: Any) -> dict[str, Any]:
    """A roster row as a dict (a dict, or a record such as ``roster.RosterEntry``); {} otherwise."""
    if dataclasses.is_dataclass(row) and not isinstance(row, type):
        return dataclasses.asdict(row)
    return row if isinstance(row, dict) else {}


def _roster_modules(row: dict[str, Any]) -> list[str]:
    modules = row.get("modules") or ()
    if isinstance(modules, str):
        modules = re.split(r"[\s,;]+", modules.strip())
    return [str(m).zfill(2) for m in modules if str(m).strip()]


def _index(run: GradeRun) -> _Class:
    learners = list(dict.fromkeys(
        [*run.learners, *(r.learner for r in run.results), *(f.learner for f in run.files),
         *(f.learner for f in run.findings if f.kind == "missing learner" and f.learner)]
    ))
    rows = [_row(row) for row in run.roster or []]
    roster = {_text(row.get("learner", "")): row for row in rows if row}
    assigned = {m for row in rows for m in _roster_modules(row) if _kit_questions(m)}
    modules = sorted(set(run.modules) | {r.module for r in run.results} | assigned, key=_module_order)
    results, files, findings = (collections.defaultdict(list) for _ in range(3))
    cell: dict[tuple[str, str, str], QuestionResult] = {}
    for result in run.results:
        results[result.learner].append(result)
        cell[(result.learner, result.module, result.question)] = result  # the last one counts
    questions = {m: _questions_of(m, run.results) for m in modules}
    for result in run.results:  # a module missing as a whole: every one of its questions is missing
        if result.outcome == MISSING and result.question not in dict(questions[result.module]):
            for qid, title in questions[result.module]:
                cell.setdefault((result.learner, result.module, qid), dataclasses.replace(result, question=qid, title=title))
    for file in run.files:
        files[file.learner].append(file)
    for finding in run.findings:
        findings[finding.learner].append(finding)
    view = _Class(run, learners, modules, questions, cell, results, files, findings, _differing(run), roster)
    _fill_missing(view)
    return view


def _fill_missing(view: _Class) -> None:
    """A module a learner is graded on with no result at all (nothing handed in): each of its
    questions is missing, in the matrix and the feedback as in the score."""
    for learner in view.learners:
        handed_in = {r.module for r in view.results[learner]}
        for module in view.modules_of(learner):
            if module in handed_in:
                continue
            for qid, title in view.questions[module]:
                view.cell[(learner, module, qid)] = QuestionResult(
                    learner, module, qid, title, MISSING, "No notebook for this module was found.", team=view.team(learner))


def _questions_of(module: str, results: list[QuestionResult]) -> list[tuple[str, str]]:
    """The kit's questions of a known module; for an unknown one, the questions results name."""
    known = _kit_questions(module)
    if known:
        return list(known)
    seen = {r.question: r.title for r in results if r.module == module and r.question}
    return sorted(seen.items(), key=lambda item: _question_order(item[0]))


def _differing(run: GradeRun) -> set[tuple[str, str]]:
    module_of_file = {f.file: f.module for f in run.files}
    found = {(f.learner, f.module) for f in run.files if any("assignment differs" in flag for flag in f.flags)}
    for finding in run.findings:
        if finding.kind == "assignment differs":
            module = module_of_file.get(finding.file) or (Path(finding.file).name[:2] if finding.file else "")
            found.add((finding.learner, module if module.isdigit() else "*"))
    return found


# --------------------------------------------------------------------------------------------
# A notebook that ran with another seed or scenario than the learner's assignment
# --------------------------------------------------------------------------------------------

_USES = re.compile(r"uses seed (?P<seed>[^\s,;()]+), scenario (?P<scenario>[^\s,;()]+)")
_ASSIGNS = re.compile(r"assigns seed (?P<seed>[^\s,;()]+), scenario (?P<scenario>[^\s,;()]+)")


@dataclasses.dataclass(frozen=True)
class _Elsewhere:
    """One module a learner worked at another seed or scenario: what the notebook used (when the
    flag says) and what was assigned (the file's parameters, which are the ones judged against)."""

    module: str
    used: tuple[str, str] | None
    assigned: tuple[str, str] | None


def _parsed(pattern: re.Pattern, texts: list[str]) -> tuple[str, str] | None:
    found = next((pattern.search(_line(t)) for t in texts if pattern.search(_line(t))), None)
    return (found.group("seed"), found.group("scenario")) if found else None


def _elsewhere(view: _Class, learner: str) -> list[_Elsewhere]:
    notes = [f for f in view.findings[learner] if f.kind == "assignment differs"]
    row = view.roster.get(learner, {})
    on_roster = (_text(row.get("seed", "")), _text(row.get("scenario", ""))) if row.get("seed") is not None else None
    found: dict[str, _Elsewhere] = {}
    for file in view.files[learner]:
        if view.assignment_differs(learner, file.module):
            texts = [*file.flags, *(f.detail for f in notes if f.file == file.file)]
            given = (file.seed, file.scenario) if file.seed or file.scenario else None
            found[file.module] = _Elsewhere(file.module, _parsed(_USES, texts), given or _parsed(_ASSIGNS, texts) or on_roster)
    for note in notes:  # a finding for a file the run does not list
        module = Path(note.file).name[:2] if note.file else ""
        if module not in found:
            found[module] = _Elsewhere(module, _parsed(_USES, [note.detail]), _parsed(_ASSIGNS, [note.detail]) or on_roster)
    return sorted(found.values(), key=lambda e: _module_order(e.module))


def _instead(entry: _Elsewhere) -> str:
    """ "worked at seed 0 instead of 2", naming only what differs; "" when the values are unknown."""
    if not entry.used or not entry.assigned:
        return ""
    differ = [(kind, used, given) for kind, used, given in zip(("seed", "scenario"), entry.used, entry.assigned) if used != given]
    if len(differ) == 1:
        return "worked at {} {} instead of {}".format(*differ[0])
    if not differ:
        return ""
    return (f"worked at seed {entry.used[0]}, scenario {entry.used[1]} instead of seed {entry.assigned[0]}, "
            f"scenario {entry.assigned[1]}")


def _worked_at(view: _Class, learner: str, only: str | None = None) -> str:
    """In a few words, for the instructor: "worked at seed 0 instead of 2 in 02, 03"; for ``only``
    one module, without naming it. "" when no notebook of the learner ran elsewhere."""
    phrases: dict[str, list[str]] = {}
    for entry in _elsewhere(view, learner):
        if only is None or entry.module in (only, ""):
            phrases.setdefault(_instead(entry) or "assignment differs", []).append(entry.module)
    if only is not None:
        return "; ".join(phrases)
    return "; ".join(f"{phrase} in {', '.join(m or '?' for m in found)}" for phrase, found in phrases.items())


def _elsewhere_to_learner(view: _Class, learner: str) -> list[str]:
    """The cause, in plain words, once per seed and scenario used: what the notebook used, what the
    assignment is, and what to do."""
    groups: dict[tuple[Any, Any], list[str]] = {}
    for entry in _elsewhere(view, learner):
        groups.setdefault((entry.used, entry.assigned), []).append(entry.module)
    sentences = []
    for (used, assigned), modules in groups.items():
        named = [m for m in modules if m]
        which = ("Your notebook" + (f" for module {named[0]}" if named else "") if len(named) <= 1
                 else f"Your notebooks for modules {', '.join(named[:-1])} and {named[-1]}")
        again = "hand it in again" if len(named) <= 1 else "hand them in again"
        did = f"used seed {used[0]}, scenario {used[1]}" if used else "used another seed or scenario"
        if assigned and all(assigned):
            sentences.append(
                f"{which} {did}, but your assignment is seed {assigned[0]}, scenario {assigned[1]}, so your answers were "
                f"judged against your assigned numbers. Set seed = {assigned[0]} and scenario = \"{assigned[1]}\" in the cell "
                f"that sets them, restart and run all, and {again}.")
        else:
            sentences.append(
                f"{which} {did}, which is not your assignment, so your answers were judged against your assigned numbers. "
                f"Set the seed and scenario you were given in the cell that sets them, restart and run all, and {again}.")
    return sentences


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


def write_reports(run: GradeRun, out: Path) -> dict[str, Path]:
    """Write grades.csv, gradebook.csv, summary.html and feedback/<name>.md and .html for every
    learner into the existing folder ``out``; return each file's name (as "feedback/x.md") -> path.

    Each file is written whole to a temporary name and then moved into place, so a reader never
    sees half a report and a link standing where a report goes is replaced, not followed."""
    if not isinstance(run, GradeRun):
        raise validation.fail("run", run, "a GradeRun (what grading found)")
    if not isinstance(out, (str, os.PathLike)) or not Path(out).is_dir():
        raise validation.fail("out", out, "an existing folder to write the reports into")
    out = Path(out)
    view = _index(run)
    names = feedback_names(view.learners)
    when = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z").strip()
    texts = {
        "grades.csv": _csv_text(GRADES_COLUMNS, _grades_rows(view)),
        "gradebook.csv": _csv_text(*_gradebook(view)),
        "summary.html": _summary_html(view, names, when),
    }
    for learner in view.learners:
        data = _feedback_data(view, learner)
        texts[f"feedback/{names[learner]}.md"] = _feedback_md(data, when)
        texts[f"feedback/{names[learner]}.html"] = _feedback_html(data, when)
    (out / "feedback").mkdir(exist_ok=True)
    written = {}
    for name, text in texts.items():
        written[name] = out / name
        _write(written[name], text)
    return written


def _write(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(prefix=".writing-", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _csv_text(header: tuple[str, ...] | list[str], rows: list[list[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_safe(h) for h in header])
    for row in rows:
        writer.writerow([csv_safe(_text(value)[:CELL_LIMIT]) for value in row])
    return buffer.getvalue()


def _grades_rows(view: _Class) -> list[list[Any]]:
    status = {(f.learner, f.file): f.status for f in view.run.files}
    rows = []
    for r in view.run.results:
        state = status.get((r.learner, r.file), "not handed in" if not r.file else "")
        rows.append([
            r.learner, r.team or view.team(r.learner), r.file, r.module, r.question, r.title, r.outcome,
            _line(r.message), r.seed, r.scenario, r.verification, r.shown, state,
        ])
    return rows


def _gradebook(view: _Class) -> tuple[list[str], list[list[Any]]]:
    """The header and one row per learner. A module the learner is not graded on is an empty cell."""
    header = ["learner", "team"]
    header += [f"{module or '(no module)'} (out of {len(view.questions[module])})" for module in view.modules]
    header += ["total", "out of", "flags"]
    rows = []
    for learner in view.learners:
        mine = view.modules_of(learner)
        scores = {m: view.score(learner, m) for m in mine}
        cells = [scores[m][0] if m in scores else "" for m in view.modules]
        total = sum(right for right, _ in scores.values())
        out_of = sum(all_ for _, all_ in scores.values())
        rows.append([learner, view.team(learner), *cells, total, out_of, "; ".join(_flags(view, learner))])
    return header, rows


def _flags(view: _Class, learner: str) -> list[str]:
    """What an instructor should look at for one learner, in a few words each."""
    results, findings = view.results[learner], view.findings[learner]
    flags = []
    if any(name == learner for name, _ in view.differs):
        flags.append(_worked_at(view, learner) or "assignment differs")
    counted = collections.Counter(r.outcome for r in results)
    rejudged = sum(1 for r in results if r.verification.startswith(DIFFERS) and not view.reassigned(r))
    if rejudged:
        flags.append(f"{rejudged} outcome{'s differ' if rejudged > 1 else ' differs'} from what the notebook showed "
                     "(see summary.html, Flagged outcomes)")
    if counted[UNVERIFIED]:
        flags.append(f"{counted[UNVERIFIED]} unverified (see summary.html, Flagged outcomes)")
    missing = sorted(({r.module for r in results if r.outcome == MISSING}
                      | {_module_named(f) for f in findings if f.kind == "missing module"}) - {""})
    if any(f.kind == "missing learner" for f in findings) or not results:
        flags.append("nothing handed in")
    elif missing:
        flags.append("missing " + ", ".join(missing))
    if counted[ERROR]:
        flags.append(f"{counted[ERROR]} error{'s' if counted[ERROR] > 1 else ''}")
    stopped = sorted({f.module for f in view.files[learner] if f.status != "ran"})
    if stopped:
        flags.append("run stopped: " + ", ".join(m or "?" for m in stopped))
    for kind in dict.fromkeys(f.kind for f in findings):
        if kind not in ("assignment differs", "missing module", "missing learner"):
            flags.append(_line(kind, 40))
    return flags + list(dict.fromkeys(_line(flag, 60) for f in view.files[learner] for flag in f.flags if "assignment differs" not in flag))


def _module_named(finding: Finding) -> str:
    found = re.search(r"\b(\d{2})\b", finding.detail) or re.match(r"(\d{2})", Path(finding.file).name)
    return found.group(1) if found else ""


# --------------------------------------------------------------------------------------------
# summary.html
# --------------------------------------------------------------------------------------------


def _e(value: Any, limit: int | None = None) -> str:
    """Escaped text for HTML (attribute values too); one line, cut to ``limit`` characters."""
    return html.escape(_line(value, limit), quote=True)


def _rich(value: Any, limit: int | None = SHOWN_LIMIT) -> str:
    """Escaped text, with `code` spans shown as code (safe: the text is escaped first)."""
    return re.sub(r"`([^`]{1,200})`", r"<code>\1</code>", _e(value, limit))


def _name(learner: str) -> str:
    """A learner's name, escaped and isolated, so right-to-left characters cannot reorder the page."""
    return f"<bdi>{_e(learner, 120) or '(no name)'}</bdi>"


def _css_class(outcome: str) -> str:
    return "o-" + re.sub(r"[^a-z]+", "-", outcome.lower()).strip("-") if outcome in OUTCOME_LOOK else "o-none"


_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:1.5em;color:#222;line-height:1.4}
h1{margin-bottom:.2em} h2{margin-top:1.6em;border-bottom:2px solid #ddd}
table{border-collapse:collapse;margin:.5em 0} th,td{padding:3px 7px;border:1px solid #ddd;text-align:left;vertical-align:top}
th{background:#f3f3f3} .num{text-align:right;white-space:nowrap} .mono{font-family:ui-monospace,monospace}
.banner{padding:.6em 1em;border-radius:6px;font-weight:600;margin:.6em 0}
.safe{background:#d7f0e3;border:2px solid #00603f} .unsafe{background:#fde2cf;border:2px solid #b34700}
.matrix td.m{text-align:center;font-weight:700;min-width:1.4em;padding:2px 4px}
.matrix td.flag{outline:3px solid #000;outline-offset:-3px}
.bad{background:#fde2cf} .note{color:#555} ul.tight{margin:0;padding-left:1.2em}
code{background:#f3f3f3;padding:0 2px}
"""


def _outcome_css() -> str:
    looks = [*OUTCOME_LOOK.items(), ("", _NO_RESULT)]
    return "".join(f".{_css_class(o)}{{background:{k.background};color:{k.colour}}}\n" for o, k in looks)


def _summary_html(view: _Class, names: dict[str, str], when: str) -> str:
    sections = [
        _header(view, when), _not_graded(view), _flagged(view), _matrix(view),
        _per_question(view), _per_file(view), _feedback_table(view, names),
    ]
    return (
        "<!doctype html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"<title>Grading report, {_e(when)}</title><style>{_CSS}{_outcome_css()}</style></head><body>\n"
        + "\n".join(sections) + "\n</body></html>\n"
    )


def _header(view: _Class, when: str) -> str:
    run = view.run
    notebooks = sum(1 for f in run.files if not f.status.startswith("not a notebook"))
    sandboxed = _line(run.isolation).lower().startswith("sandbox")
    banner = "safe" if sandboxed else "unsafe"
    lead = "" if sandboxed else "Not sandboxed: the learners' code ran with the grader's rights. "
    return (
        "<h1>Grading report</h1>"
        f"<p>Graded {_e(when)}: <b>{len(view.learners)}</b> learner(s), <b>{notebooks}</b> notebook(s)"
        f", modules {_e(', '.join(view.modules) or 'none')}; grading took {run.seconds:.0f} s.</p>"
        f"<p class='banner {banner}'>{lead}{_e(run.isolation)}</p>"
        "<p>Sections: <a href='#not-graded'>What was not graded, or needs a look</a> · <a href='#flagged'>Flagged outcomes</a> · "
        "<a href='#matrix'>Learners × questions</a> · <a href='#questions'>Per question</a> · "
        "<a href='#files'>Per file</a> · <a href='#feedback'>Feedback files</a></p>"
    )


# What each kind of finding means, and what to do about it: one line each, in this order.
_KINDS = {
    "missing learner": "On the roster, but nothing was handed in: every module counts 0. Check the learner handed in "
                       "to the right folder, or grade again once they have.",
    "missing module": "An assigned module was not handed in: it counts 0. Remind the learner, or grade again once it is in.",
    "not a notebook": "Not graded: a file that is not a notebook (often an .html or .pdf export). The learner's feedback "
                      "asks for the .ipynb file itself.",
    "not an exercise": "Not graded: a notebook whose name does not start with a module number. Rename it (02_...) and "
                       "grade again, or ask the learner to.",
    "link": "Not graded: a link, which grading never follows. Ask for the file itself.",
    "duplicate": "The module was handed in more than once: the newest copy was graded, the file listed here was not. "
                 "Check that the right copy was graded.",
    "assignment differs": "Graded: the notebook ran with another seed or scenario than the roster assigns, so its answers "
                          "were judged against the assignment and most are wrong. These outcomes are not flagged as "
                          "tampering; the learner's feedback explains it and asks them to hand in again.",
    "not on the roster": "Graded, but the folder's name is not on the roster: left out of the pass rates. Add the learner "
                         "to the roster, or rename the folder, and grade again.",
}


def _not_graded(view: _Class) -> str:
    findings = view.run.findings
    head = f"<h2 id='not-graded'>What was not graded, or needs a look ({len(findings)})</h2>"
    if not findings:
        return head + "<p>Nothing: every file found was graded, and nothing expected was missing.</p>"
    groups = collections.defaultdict(list)
    for finding in findings:
        groups[finding.kind].append(finding)
    order = [*(k for k in _KINDS if k in groups), *(k for k in groups if k not in _KINDS)]
    parts = [head]
    for kind in order:
        items = groups[kind]
        rows = "".join(
            f"<tr><td>{_name(f.learner)}</td><td class='mono'>{_e(f.file, 200)}</td><td>{_rich(_without_kind(f))}</td></tr>"
            for f in items
        )
        what = f"<p class='note'>{_e(_KINDS[kind])}</p>" if kind in _KINDS else ""
        parts.append(f"<h3>{_e(kind, 80)} ({len(items)})</h3>{what}"
                     f"<table><tr><th>learner</th><th>file</th><th>detail</th></tr>{rows}</table>")
    return "".join(parts)


def _without_kind(finding: Finding) -> str:
    """The finding's detail, without its kind in front again ("assignment differs: assignment differs: ...")."""
    detail = _line(finding.detail)
    while finding.kind and detail.lower().startswith(finding.kind.lower() + ":"):
        detail = detail[len(finding.kind) + 1:].lstrip()
    return detail


def _flagged(view: _Class) -> str:
    flagged = [r for r in view.run.results if view.flagged(r)]
    head = f"<h2 id='flagged'>Flagged outcomes ({len(flagged)})</h2>"
    if not flagged:
        return head + "<p>None: every outcome the notebooks showed was confirmed by judging the recorded answers again.</p>"
    rows = "".join(
        f"<tr><td>{_name(r.learner)}</td><td>{_e(r.module)} {_e(r.question)}</td><td>{_e(r.shown or '—')}</td>"
        f"<td>{_e(_found(r))}</td><td>{_rich(r.message)}</td></tr>"
        for r in flagged
    )
    return (head + "<p>Outcomes where what the notebook showed is not what judging the learner's recorded answer "
            "again found, or where it could not be checked. The re-judged outcome is the one counted; unverified is never "
            "counted as correct.</p><table><tr><th>learner</th><th>question</th><th>the notebook showed</th>"
            f"<th>counted</th><th>message</th></tr>{rows}</table>")


def _found(result: QuestionResult) -> str:
    """What re-judging found, without repeating what the notebook showed."""
    if result.verification.startswith(DIFFERS) or not result.verification:
        return result.outcome
    return f"{result.outcome} ({_line(result.verification, 300)})"  # why it was not re-judged


def _legend() -> str:
    items = [*OUTCOME_LOOK.items(), ("no result", _NO_RESULT)]
    rows = "".join(
        f"<tr><td class='m {_css_class(o)}' style='text-align:center;font-weight:700'>{k.symbol}</td><td>{_e(o)}</td><td>{_e(k.meaning)}</td></tr>"
        for o, k in items
    )
    return (f"<table class='legend'><tr><th>symbol</th><th>outcome</th><th>meaning</th></tr>{rows}"
            "<tr><td style='outline:3px solid #000;outline-offset:-3px'></td><td>outlined</td>"
            "<td>flagged: see <a href='#flagged'>Flagged outcomes</a></td></tr></table>")


def _matrix(view: _Class) -> str:
    columns = [(m, qid, title) for m in view.modules for qid, title in view.questions[m]]
    top = "".join(f"<th colspan='{len(view.questions[m])}'>{_e(m or '(no module)')}</th>" for m in view.modules if view.questions[m])
    ids = "".join(f"<th title='{_e(title, 200)}'>{_e(qid)}</th>" for _, qid, title in columns)
    rows = "".join(_matrix_row(view, learner) for learner in view.learners)
    return (
        "<h2 id='matrix'>Learners × questions</h2>"
        "<p>Hover over a cell for the feedback the learner got. Scores count the questions re-judged correct, "
        "out of all the module's questions.</p>" + _legend()
        + f"<table class='matrix'><tr><th rowspan='2'>learner</th><th rowspan='2'>team</th>{top}"
        f"<th rowspan='2'>score</th></tr><tr>{ids}</tr>{rows}</table>"
    )


def _matrix_row(view: _Class, learner: str) -> str:
    cells = [_module_cells(view, learner, module) for module in view.modules if view.questions[module]]
    scores = [view.score(learner, m) for m in view.modules_of(learner)]
    score = f"{sum(s[0] for s in scores)} / {sum(s[1] for s in scores)}"
    differs = any(name == learner for name, _ in view.differs)
    note = f" <span class='note'>({_e(_worked_at(view, learner) or 'assignment differs', 120)})</span>" if differs else ""
    return f"<tr><td>{_name(learner)}{note}</td><td>{_e(view.team(learner), 60)}</td>{''.join(cells)}<td class='num'>{score}</td></tr>"


def _module_cells(view: _Class, learner: str, module: str) -> str:
    """The learner's cells for one module: one cell across the module when it is missing or not theirs."""
    questions = view.questions[module]
    results = [view.cell.get((learner, module, qid)) for qid, _ in questions]
    outcomes = {r.outcome if r else "" for r in results}
    if outcomes in ({MISSING}, {""}):
        outcome = outcomes.pop()
        look = OUTCOME_LOOK.get(outcome, _NO_RESULT)
        tip = f"{module}: " + (f"missing. {results[0].message}" if outcome else "no result: the module is not this learner's")
        words = "not handed in" if outcome else "not assigned"
        return (f"<td class='m {_css_class(outcome)}' colspan='{len(questions)}' title='{_e(tip, SHOWN_LIMIT)}'>"
                f"{look.symbol} <span style='font-weight:400'>{words}</span></td>")
    cells = []
    for (qid, title), result in zip(questions, results):
        outcome = result.outcome if result else ""
        look = OUTCOME_LOOK.get(outcome, _NO_RESULT)
        tip = f"{module} {qid} {title}: {outcome or 'no result'}"
        if result:
            tip += f". {result.message}"
            tip += f" ({result.verification})" if view.flagged(result) else ""
            tip += " (judged against the assignment: the notebook ran with another seed or scenario)" if view.reassigned(result) else ""
        flag = " flag" if result is not None and view.flagged(result) else ""
        cells.append(f"<td class='m {_css_class(outcome)}{flag}' title='{_e(tip, SHOWN_LIMIT)}'>{look.symbol}</td>")
    return "".join(cells)


def _per_question(view: _Class) -> str:
    parts = [
        "<h2 id='questions'>Per question</h2><p>Passed counts, per question, the learners who handed the module in and "
        "worked at their assigned seed and scenario; a learner who did not hand it in is counted only under ∅, and the "
        "learners left out (another seed or scenario, or not on the roster) are named above each module's table. "
        "The most common mistakes are grouped by the slip they show: a number that differs between the learners of a "
        "group is shown as #.</p>"
    ]
    heads = "".join(f"<th class='{_css_class(o)}' title='{_e(o)}'>{OUTCOME_LOOK[o].symbol}</th>" for o in OUTCOMES)
    for module in view.modules:
        if not view.questions[module]:
            continue
        rows = "".join(_question_row(view, module, qid, title) for qid, title in view.questions[module])
        left_out = [(name, view.left_out(name, module)) for name in view.learners if view.handed_in(name, module)]
        named = ", ".join(f"{_name(name)} ({_e(why, 120)})" for name, why in left_out if why)
        parts.append(
            f"<h3>Module {_e(module)} {_e(_module_title(module))}</h3>"
            + (f"<p>Left out of the counts below: {named}.</p>" if named else "")
            + f"<table><tr><th>question</th><th>title</th><th>passed</th>{heads}<th>most common mistakes</th></tr>{rows}</table>"
        )
    return "".join(parts)


def _module_title(module: str) -> str:
    from ..exercises import MODULES

    return MODULES[module].title if module in MODULES else ""


def _question_row(view: _Class, module: str, qid: str, title: str) -> str:
    answered = [(name, view.cell[(name, module, qid)]) for name in view.learners if (name, module, qid) in view.cell]
    counted = [(name, r) for name, r in answered
               if r.outcome != MISSING and view.handed_in(name, module) and not view.left_out(name, module)]
    missing = sum(1 for name, r in answered if r.outcome == MISSING and not view.handed_in(name, module))
    tally = collections.Counter(r.outcome for _, r in counted)
    tally[MISSING] = missing
    passed = tally[CORRECT]
    share = f"{passed} of {len(counted)} ({passed / len(counted):.0%})" if counted else "no learner counted"
    numbers = "".join(f"<td class='num'>{tally[o]}</td>" for o in OUTCOMES)
    return (f"<tr><td>{_e(qid)}</td><td>{_e(title, 200)}</td><td class='num'>{share}</td>{numbers}"
            f"<td>{_mistakes(counted)}</td></tr>")


def _mistakes(counted: list[tuple[str, QuestionResult]]) -> str:
    groups: dict[tuple[str, str], list[tuple[str, QuestionResult]]] = collections.defaultdict(list)
    for name, result in counted:
        if result.outcome in (INCORRECT, ERROR):
            groups[(result.outcome, result.slip or slip_of(result.message))].append((name, result))
    ranked = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    items = "".join(
        f"<li><b>{len(members)}×</b> {_e(outcome)}: {_rich(_merged([r.message for _, r in members]) or slip or '(no message)')}"
        f" — {', '.join(_name(n) for n, _ in members)}</li>"
        for (outcome, slip), members in ranked[:TOP_MISTAKES]
    )
    more = f"<li class='note'>and {len(ranked) - TOP_MISTAKES} other mistake(s)</li>" if len(ranked) > TOP_MISTAKES else ""
    return f"<ul class='tight mistakes'>{items}{more}</ul>" if items else ""


def _merged(messages: list[str]) -> str:
    """The messages of one group, word by word: a word the same in every message is kept, one that
    differs is shown with its numbers as # (or as … when even that differs). "" when the messages do
    not have the same number of words (the group's slip is shown then)."""
    words = [_line(m).split(" ") for m in messages]
    if not words or len({len(w) for w in words}) != 1:
        return ""
    merged = []
    for same_place in zip(*words):
        if len(set(same_place)) == 1:
            merged.append(same_place[0])
        else:
            slips = {slip_of(word) for word in same_place}
            merged.append(slips.pop() if len(slips) == 1 else "…")
    return " ".join(merged)


def _per_file(view: _Class) -> str:
    rows = "".join(
        f"<tr{'' if f.status == 'ran' else ' class=bad'}><td>{_name(f.learner)}</td><td class='mono'>{_e(f.file, 200)}</td>"
        f"<td>{_e(f.module)}</td><td>{_e(f.status, SHOWN_LIMIT)}</td><td>{_e(f.seed)} / {_e(f.scenario)}</td>"
        f"<td class='num'>{f.seconds:.1f}</td><td>{_list(f.errors)}</td><td>{_list(f.flags)}</td></tr>"
        for f in view.run.files
    )
    return (f"<h2 id='files'>Per file ({len(view.run.files)})</h2><table><tr><th>learner</th><th>file</th><th>module</th>"
            f"<th>status</th><th>judged for seed / scenario</th><th>seconds</th><th>errors</th><th>flags</th></tr>{rows}</table>")


def _list(items: tuple[str, ...] | list[str]) -> str:
    return f"<ul class='tight'>{''.join(f'<li>{_e(i, SHOWN_LIMIT)}</li>' for i in items)}</ul>" if items else ""


def _feedback_table(view: _Class, names: dict[str, str]) -> str:
    rows = "".join(
        f"<tr><td>{_name(learner)}</td><td class='mono'><a href='feedback/{names[learner]}.html'>feedback/{names[learner]}.html</a></td>"
        f"<td class='mono'><a href='feedback/{names[learner]}.md'>feedback/{names[learner]}.md</a></td></tr>"
        for learner in view.learners
    )
    return ("<h2 id='feedback'>Feedback files</h2><p>One pair per learner, ready to send. A name that is not safe "
            "as a file name is written with a short digest after a ~.</p>"
            f"<table><tr><th>learner</th><th>HTML</th><th>Markdown</th></tr>{rows}</table>")


# --------------------------------------------------------------------------------------------
# Feedback for one learner
# --------------------------------------------------------------------------------------------


def _feedback_data(view: _Class, learner: str) -> dict[str, Any]:
    """What one learner is told, and nothing about anyone else or meant for the instructor only."""
    modules = []
    for module in view.modules_of(learner):
        right, out_of = view.score(learner, module)
        results = [view.cell[(learner, module, qid)] for qid, _ in view.questions[module] if (learner, module, qid) in view.cell]
        files = [f for f in view.files[learner] if f.module == module]
        said = " ".join(_line(r.message) for r in results)
        modules.append({
            "module": module, "title": _module_title(module), "right": right, "out_of": out_of,
            "missing": bool(results) and all(r.outcome == MISSING for r in results),
            "params": _params(results, files),
            "questions": [_question_parts(view, r, dict(view.questions[module])) for r in results],
            "errors": list(dict.fromkeys(_line(e, SHOWN_LIMIT) for f in files for e in f.errors if _line(e) not in said)),
            "not_correct": any(r.outcome != CORRECT for r in results),
        })
    elsewhere = _elsewhere_to_learner(view, learner)
    return {"learner": learner, "modules": modules, "elsewhere": elsewhere, "files": _files_to_learner(view, learner),
            "closing": bool(elsewhere) or any(m["not_correct"] for m in modules)}


def _own_file(learner: str, file: str) -> str:
    """A file as the learner knows it: without their own folder in front."""
    name = _line(file, 200)
    return name[len(learner) + 1:] if learner and name.startswith(learner + "/") else name


def _files_to_learner(view: _Class, learner: str) -> list[str]:
    """What the learner should know about the files they handed in: those that could not be graded,
    and which copy was graded. Roster matters and anything else are for the instructor only."""
    lines = []
    for finding in view.findings[learner]:
        name = _own_file(learner, finding.file) or "a file"
        if finding.kind == "not a notebook":
            lines.append(f"We received {name}, which cannot be graded: hand in the .ipynb file itself, not an export.")
        elif finding.kind == "not an exercise":
            lines.append(f"We received {name}, which was not graded: keep the name of the notebook you were given, "
                         "which starts with its module number.")
        elif finding.kind == "link":
            lines.append(f"We received {name}, a link, which is never followed: hand in the file itself.")
        elif finding.kind == "duplicate":
            lines.append(f"We received more than one notebook for the same module; {name} was not graded "
                         f"({_line(finding.detail, SHOWN_LIMIT)}).")
    return list(dict.fromkeys(lines))


def _params(results: list[QuestionResult], files: list[FileResult]) -> str:
    pairs = sorted({(r.seed, r.scenario) for r in results if (r.seed or r.scenario) and r.outcome != MISSING})
    judged = "; ".join(f"seed {s or '?'}, scenario {c or '?'}" for s, c in pairs)
    handed = ", ".join(f"{f.file} ({f.status})" for f in files)
    return ". ".join(p for p in (f"Judged for {judged}" if judged else "", f"Notebook: {handed}" if handed else "") if p)


_MORE_HINTS = re.compile(r"\s*Ask `[^`\n]{0,80}hint\(\d+\)[^`\n]{0,40}` for more\.?\s*$")


def _hint(text: str) -> str:
    """The hint as the learner reads it in the feedback, without the notebook's "Ask `hint(2)` for more."."""
    return _MORE_HINTS.sub("", _line(text, SHOWN_LIMIT * 2))


def _question_parts(view: _Class, result: QuestionResult, titles: dict[str, str]) -> dict[str, Any]:
    """One question: its one line of feedback, the details, and the hint when it is not correct."""
    look = OUTCOME_LOOK.get(result.outcome, _NO_RESULT)
    message = _line(result.message, SHOWN_LIMIT * 3) or _TO_LEARNER.get(result.outcome, "")
    if result.verification.startswith(DIFFERS) and result.shown and not view.reassigned(result):
        message += (f" Your notebook showed \"{_line(result.shown, 40)}\", but judging your recorded answer again gave "
                    f"\"{result.outcome}\": this is the outcome that counts.")
    return {
        "head": f"{result.question} · {result.title or titles.get(result.question, '')}".strip(" ·"),
        "outcome": result.outcome,
        "shown": f"{look.symbol} {result.outcome}",
        "lines": [line for line in (message.strip(), *(_line(d, SHOWN_LIMIT) for d in result.details)) if line],
        "hint": _hint(result.hint) if result.outcome != CORRECT else "",
    }


_CLOSING = "Before handing in again: restart the kernel and run all cells, so every check runs on your latest answers."
_INTRO = ("For each question: the outcome, the feedback your answer earned and, where it is not yet correct, "
          "a hint to try next.")
_FILES_HEAD = "About the files you handed in"

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>&|~])")


def _md(value: Any, limit: int | None = None) -> str:
    """Text for Markdown with every special character escaped, so nothing in it becomes a link,
    an image or HTML."""
    return _MD_SPECIAL.sub(r"\\\1", _line(value, limit))


def _module_head(module: dict[str, Any]) -> str:
    return f"Module {module['module']} {module['title']}".strip() + f": {module['right']} of {module['out_of']} questions correct"


def _feedback_md(data: dict[str, Any], when: str) -> str:
    lines = [f"# Feedback for {_md(data['learner'], 120)}", "", f"Graded {_md(when)}. {_INTRO}", ""]
    for sentence in data["elsewhere"]:
        lines += [f"**Your seed or scenario is not your assignment.** {_md(sentence)}", ""]
    for module in data["modules"]:
        lines += [f"## {_md(_module_head(module))}", ""]
        if module["missing"]:
            lines += [_md(f"No notebook for module {module['module']} was handed in."), ""]
            continue
        lines += [_md(module["params"]), ""] if module["params"] else []
        for part in module["questions"]:
            lines.append(f"- **{_md(part['head'])}**: {_md(part['shown'])}")
            lines += [f"  - {_md(line)}" for line in part["lines"]]
            lines += [f"  - Next hint: {_md(part['hint'])}"] if part["hint"] else []
        lines += ["", *(f"Another cell raised an error: {_md(error)}" for error in module["errors"])]
        lines += [""] if module["errors"] else []
    if data["files"]:
        lines += [f"## {_FILES_HEAD}", "", *(f"- {_md(item)}" for item in data["files"]), ""]
    lines += [_md(_CLOSING), ""] if data["closing"] else []
    return "\n".join(lines)


def _feedback_html(data: dict[str, Any], when: str) -> str:
    body = [f"<h1>Feedback for {_name(data['learner'])}</h1><p>Graded {_e(when)}. {_e(_INTRO)}</p>"]
    body += [f"<p class='banner unsafe'>Your seed or scenario is not your assignment. <span style='font-weight:400'>"
             f"{_rich(s, None)}</span></p>" for s in data["elsewhere"]]
    for module in data["modules"]:
        body.append(f"<h2>{_e(_module_head(module))}</h2>")
        if module["missing"]:
            body.append(f"<p>No notebook for module {_e(module['module'])} was handed in.</p>")
            continue
        body.append(f"<p class='note'>{_e(module['params'])}</p>" if module["params"] else "")
        body.append("<ul>" + "".join(_question_html(part) for part in module["questions"]) + "</ul>")
        body += [f"<p>Another cell raised an error: {_rich(error, None)}</p>" for error in module["errors"]]
    if data["files"]:
        body.append(f"<h2>{_FILES_HEAD}</h2><ul>" + "".join(f"<li>{_rich(i)}</li>" for i in data["files"]) + "</ul>")
    body.append(f"<p>{_e(_CLOSING)}</p>" if data["closing"] else "")
    return (f"<!doctype html>\n<html lang='en'><head><meta charset='utf-8'><title>Feedback for {_e(data['learner'], 120)}</title>"
            f"<style>{_CSS}{_outcome_css()} li{{margin:.3em 0}} .o{{padding:0 .4em;border-radius:3px}}</style></head><body>\n"
            + "\n".join(b for b in body if b) + "\n</body></html>\n")


def _question_html(part: dict[str, Any]) -> str:
    lines = "".join(f"<li>{_rich(line, None)}</li>" for line in part["lines"])
    hint = f"<li><b>Next hint:</b> {_rich(part['hint'], None)}</li>" if part["hint"] else ""
    return (f"<li><b>{_e(part['head'])}</b>: <span class='o {_css_class(part['outcome'])}'>{_e(part['shown'])}</span>"
            f"<ul class='tight'>{lines}{hint}</ul></li>")
