"""Generate exercise notebooks from solution notebooks (one source for both).

In a code cell of ``solutions/NN_slug.ipynb`` an answer is marked in one of two ways:

* a block::

      ### BEGIN SOLUTION
      answer = 1 - fraud / total
      ### END SOLUTION

  A block that returns (a function body) becomes ``return ___``; otherwise each assignment at
  the block's own indentation becomes ``name = ___``.

  A block may end with starting code for the exercise, after a ``### EXERCISE`` line and
  commented out with ``# `` (so the solution does not run it)::

      ### BEGIN SOLUTION
      brief_yaml = FINISHED_BRIEF
      ### EXERCISE
      # brief_yaml = DRAFT_TO_REPAIR
      ### END SOLUTION

  The exercise then holds the uncommented starting code instead of a placeholder.

* a single line ending in ``# ANSWER``: the value after ``=`` (or after a dict key's ``:``)
  becomes ``___``, e.g. ``"target": 0.6,  # ANSWER`` turns into ``"target": ___,``.

Cells tagged ``solution-only`` are dropped. Outputs and execution counts are cleared; everything
else is kept. An unclosed or nested block is an error naming the notebook and the cell.
"""

from __future__ import annotations

import ast
import copy
import dataclasses
import re
from pathlib import Path

import nbformat

from . import validation
from .validation import AipmError

__all__ = ["ExerciseBuildError", "OverwriteRefused", "strip_solutions", "exercise_from_solution", "build_exercises"]

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
EXERCISE = "### EXERCISE"
LINE_MARK = re.compile(r"\s*#\s*ANSWER\s*$")
PLACEHOLDER_COMMENT = "  # your answer here"
SOLUTION_ONLY_TAG = "solution-only"


class ExerciseBuildError(AipmError):
    """A solution notebook's markers are wrong; the message names the notebook and the cell."""


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _returns(tree: ast.AST) -> bool:
    """Return True if the code returns anywhere outside a function defined inside it."""
    stack = list(ast.iter_child_nodes(tree))
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Return):
            return True
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            stack.extend(ast.iter_child_nodes(node))
    return False


def _target_names(target: ast.expr) -> list[str]:
    """Return the names an assignment target binds (``a, b = ...`` binds a and b)."""
    if isinstance(target, (ast.Tuple, ast.List)):
        return [name for element in target.elts for name in _target_names(element)]
    if isinstance(target, ast.Starred):
        return _target_names(target.value)
    return [ast.unparse(target)]


def _replace_block(block: list[str], indent: str) -> list[str]:
    """Return the placeholder lines for a removed answer block."""
    base = min((len(_indent(l)) for l in block if l.strip()), default=len(indent))
    pad = " " * base
    source = "\n".join(l[base:] for l in block)
    targets: list[str] = []
    try:
        tree = ast.parse(source)
    except SyntaxError:
        tree = None
    if tree is not None and _returns(tree):
        return [f"{pad}return ___  # your code here"]
    if tree is not None:
        for node in tree.body:
            if isinstance(node, ast.Assign):
                names = [n for t in node.targets for n in _target_names(t)]
            elif isinstance(node, ast.AnnAssign):
                names = _target_names(node.target)
            else:
                continue
            for name in names:
                if name not in targets:
                    targets.append(name)
    if targets:
        return [f"{pad}{name} = ___{PLACEHOLDER_COMMENT}" for name in targets]
    if base > 0:
        return [f"{pad}return ___  # your code here"]
    return [f"{pad}___  # your code here"]


_ASSIGN = re.compile(r"^(\s*[A-Za-z_][\w.\[\]'\"]*\s*(?::[^=]+)?=(?!=)\s*)(.*?)(,?)$")
_DICT_ITEM = re.compile(r"^(\s*(['\"])[^'\"]*\2\s*:\s*)(.*?)(,?)$")


def _replace_line(line: str) -> str | None:
    """Return line with its value replaced by the placeholder, or None if it has no value."""
    code = LINE_MARK.sub("", line)
    for pattern, prefix_group, trail_group in ((_DICT_ITEM, 1, 4), (_ASSIGN, 1, 3)):
        match = pattern.match(code)
        if match:
            return f"{match.group(prefix_group)}___{match.group(trail_group)}{PLACEHOLDER_COMMENT}"
    return None


def _starter(lines: list[str], where: str, number: int) -> list[str]:
    """Return the exercise's starting code: the lines after EXERCISE with one "# " removed."""
    out = []
    for offset, line in enumerate(lines, start=1):
        indent = _indent(line)
        body = line[len(indent):]
        if not line.strip():
            out.append(line)
        elif body.startswith("# "):
            out.append(indent + body[2:])
        elif body == "#":
            out.append("")
        else:
            raise ExerciseBuildError(
                f"{where}: line {number + offset} after '{EXERCISE}' must be commented out with '# ' "
                "(it is the exercise's starting code, which the solution must not run)."
            )
    return out


def strip_solutions(source: str, where: str = "cell") -> str:
    """Return a cell's source with every answer region replaced by the placeholder or starter code."""
    if not isinstance(source, str):
        raise validation.fail("source", source, "a cell's source code (text)")
    out: list[str] = []
    block: list[str] | None = None
    starter: list[str] | None = None
    block_start = starter_start = 0
    block_indent = ""
    for number, line in enumerate(source.split("\n"), start=1):
        stripped = line.strip()
        if stripped.startswith(BEGIN):
            if block is not None:
                raise ExerciseBuildError(
                    f"{where}: '{BEGIN}' on line {number} is inside the block opened on line "
                    f"{block_start}; blocks cannot be nested."
                )
            block, starter, block_start, block_indent = [], None, number, _indent(line)
            continue
        if stripped.startswith(EXERCISE):
            if block is None or starter is not None:
                raise ExerciseBuildError(f"{where}: '{EXERCISE}' on line {number} must come once, inside a solution block.")
            starter, starter_start = [], number
            continue
        if stripped.startswith(END):
            if block is None:
                raise ExerciseBuildError(f"{where}: '{END}' on line {number} has no '{BEGIN}' before it.")
            if starter is not None:
                out.extend(_starter(starter, where, starter_start))
            else:
                out.extend(_replace_block(block, block_indent))
            block = starter = None
            continue
        if starter is not None:
            starter.append(line)
            continue
        if block is not None:
            block.append(line)
            continue
        if LINE_MARK.search(line):
            replaced = _replace_line(line)
            if replaced is None:
                raise ExerciseBuildError(
                    f"{where}: line {number} is marked '# ANSWER' but has no '=' or dict key to blank out."
                )
            out.append(replaced)
            continue
        out.append(line)
    if block is not None:
        raise ExerciseBuildError(f"{where}: '{BEGIN}' on line {block_start} is never closed with '{END}'.")
    return "\n".join(out)


def exercise_from_solution(notebook: nbformat.NotebookNode, name: str = "notebook") -> nbformat.NotebookNode:
    """Return the exercise version of a solution notebook (a new object; the input is unchanged)."""
    if not isinstance(notebook, nbformat.NotebookNode) or not isinstance(notebook.get("cells"), list):
        raise validation.fail("notebook", notebook, "a notebook: an nbformat NotebookNode with a list of cells (nbformat.read gives one)")
    exercise = copy.deepcopy(notebook)
    cells = []
    for index, cell in enumerate(exercise.cells):
        tags = cell.get("metadata", {}).get("tags", [])
        if SOLUTION_ONLY_TAG in tags:
            continue
        if cell.cell_type == "code":
            cell.source = strip_solutions(cell.source, where=f"{name}, cell {index}")
            cell.outputs = []
            cell.execution_count = None
            for key in ("execution", "papermill", "collapsed", "scrolled"):
                cell.metadata.pop(key, None)
        elif BEGIN in cell.source or END in cell.source or EXERCISE in cell.source:
            raise ExerciseBuildError(f"{name}, cell {index}: solution markers are only allowed in code cells.")
        cells.append(cell)
    exercise.cells = cells
    exercise.metadata.pop("papermill", None)
    exercise.metadata.pop("widgets", None)
    return exercise


@dataclasses.dataclass
class BuildReport:
    written: list[Path]
    unchanged: list[Path]
    stale: list[Path]
    backups: list[Path] = dataclasses.field(default_factory=list)  # copies of notebooks replaced with force


class OverwriteRefused(ExerciseBuildError):
    """The output folder holds notebooks that are not (or may not be) generated: someone's work."""


def _serialise(notebook: nbformat.NotebookNode) -> str:
    return nbformat.writes(notebook, version=4) + "\n"


def _same(path: Path, data: bytes) -> bool:
    """True if the file holds exactly ``data`` (line endings aside)."""
    try:
        current = path.read_bytes()
    except OSError:
        return False
    return current == data or current.replace(b"\r\n", b"\n") == data


def _learners_folders() -> list[Path]:
    """The learner's work folders: ``$AIPM_WORK_DIR`` and the kit's ``my_work/`` (those that can be found)."""
    from . import workspace

    folders = []
    for find in (workspace.work_dir, lambda: workspace.kit_root() / "my_work"):
        try:
            folders.append(find().resolve())
        except (AipmError, OSError):
            continue
    return folders


def _is_kits_exercises(folder: Path) -> bool:
    """True for a kit's own exercises/ folder, whose notebooks are all generated: the one the kit
    uses, or any folder named exercises beside solutions/ and pyproject.toml."""
    from . import workspace

    resolved = folder.resolve()
    try:
        if resolved == (workspace.kit_root() / "exercises").resolve():
            return True
    except (AipmError, OSError):
        pass
    parent = resolved.parent
    return resolved.name == "exercises" and (parent / "solutions").is_dir() and (parent / "pyproject.toml").is_file()


def _refuse(exercises: Path, why: str, paths: list[Path]) -> OverwriteRefused:
    listed = "".join(f"\n  {p.name}" for p in paths)
    return OverwriteRefused(
        f"Not writing to {exercises}: {why}{listed}\n"
        "Nothing was written. Build into another folder (e.g. a new, empty one), or, to replace them, "
        "add --force (force=True): each notebook replaced is first copied into "
        f"{exercises / 'backups'} with a timestamp."
    )


def build_exercises(solutions: Path, exercises: Path, check: bool = False, force: bool = False) -> BuildReport:
    """Generate exercises/ from solutions/; with ``check``, only report which are out of date.

    Writing never replaces someone's notebooks by surprise: unless ``force`` is true it refuses (and
    writes nothing) when ``exercises`` is the learner's work folder (``$AIPM_WORK_DIR`` or the kit's
    ``my_work/``), or when it holds a notebook of the same name that differs from the one it would
    write, except in a kit's own exercises/ folder (generated files, regenerated freely). With
    ``force`` each notebook it replaces is first copied into ``exercises/backups/`` with a timestamp.
    """
    from .workspace import _atomic_write_bytes, _keep_backup

    solutions, exercises = Path(solutions), Path(exercises)
    sources = sorted(solutions.glob("[0-9][0-9]_*.ipynb"))
    if not sources:
        raise ExerciseBuildError(f"No solution notebooks (NN_name.ipynb) found in {solutions}.")
    planned: list[tuple[Path, bytes]] = []
    for source in sources:
        try:
            notebook = nbformat.read(source, as_version=4)
        except Exception as exc:  # noqa: BLE001 - report any unreadable notebook clearly
            raise ExerciseBuildError(f"{source}: not a readable notebook ({type(exc).__name__}: {exc}).") from exc
        text = _serialise(exercise_from_solution(notebook, name=str(source)))
        planned.append((exercises / source.name, text.encode("utf-8")))
    written, unchanged, stale, backups = [], [], [], []
    changed = []
    for target, data in planned:
        if target.exists() and _same(target, data):
            unchanged.append(target)
        elif check:
            stale.append(target)
        else:
            changed.append((target, data))
    if check:
        orphans = sorted(set(exercises.glob("[0-9][0-9]_*.ipynb")) - {target for target, _ in planned})
        stale.extend(orphans)
        return BuildReport(written, unchanged, stale)
    # Everything is checked before anything is written.
    in_the_way = [t for t, _ in changed if t.exists() and not t.is_file()]
    if in_the_way:
        listed = "".join(f"\n  {p.name}" for p in in_the_way)
        raise OverwriteRefused(
            f"Not writing to {exercises}: these are not notebook files (a folder, say), where a notebook goes:{listed}\n"
            "Nothing was written. Move or rename them, then build again."
        )
    existing = [t for t, _ in changed if t.exists()]
    if not force:
        if exercises.resolve() in _learners_folders():
            why = "it is the learner's work folder" + (": these notebooks of theirs would be replaced:" if existing else ".")
            raise _refuse(exercises, why, existing)
        if existing and not _is_kits_exercises(exercises):
            raise _refuse(
                exercises, f"it holds {len(existing)} notebook(s) that differ from what would be written "
                "(someone's work, perhaps):", existing,
            )
    for target, data in changed:
        if force and target.exists():
            backups.append(_keep_backup(target, exercises))
        _atomic_write_bytes(target, data)
        written.append(target)
    return BuildReport(written, unchanged, stale, backups)
