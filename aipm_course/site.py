"""The course site (``make site``): the lessons and solved exercises as a documentation site.

Sphinx builds it with myst-nb (notebooks shown with their stored outputs, never run) and
sphinx-book-theme (left navigation, previous and next links, search, light and dark themes,
launch buttons); ``docs/conf.py`` holds the settings. This module keeps only what the engine
cannot do by itself:

- lay out the site's sources in a build folder: copies of the notebooks and guides (the
  repository keeps one of each, where it always was), and pages written from them at build time: the
  start page with each module's times, a page per module, the command reference. A new notebook
  gets its pages and its place in the navigation without anyone editing a table of contents;
- as a Sphinx extension (``extensions`` in conf.py), prepare each notebook as Sphinx reads it:
  a link to the learner's own exercise goes to the solved exercise; figures get alt text, since
  a stored PNG carries no description for a screen reader; and widgets, which need a running
  kernel that a static page does not have, become a still image with a sentence saying what
  moving them would show.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from . import validation

__all__ = ["build_site", "internal_links"]

NOTEBOOK = re.compile(r"\d\d_[\w-]+\.ipynb")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
CHECK_RECORD = "application/vnd.aipm.check+json"
GUIDES = (("instructors/README.md", "Facilitator guide"), ("instructors/hub/README.md", "JupyterHub recipe"))
NO_STILL = "There is no picture of this widget here."


# ------------------------------------------------------------------------------------------------
# Building
# ------------------------------------------------------------------------------------------------


def build_site(out: str | Path, root: str | Path | None = None, work: str | Path | None = None) -> list[Path]:
    """Build the site into ``out`` and return its HTML pages, the start page first.

    ``root`` is the kit (default: this one); ``work`` the build folder for the sources Sphinx
    reads and its caches (default: ``build/site`` in the kit). Nothing else is written.
    """
    import importlib.util

    from .workspace import kit_root

    for name, value in (("out", out), ("root", root), ("work", work)):
        if not isinstance(value, (str, os.PathLike)) and (value is not None or name == "out"):
            raise validation.fail(name, value, "a folder's path (text or a Path)")
    root = Path(root).resolve() if root is not None else kit_root()
    if not (root / "docs" / "conf.py").is_file() or not (root / "notebooks").is_dir():
        raise validation.fail("root", root, "the kit's folder: it has docs/conf.py and notebooks/")
    missing = [m for m in ("sphinx", "myst_nb", "sphinx_book_theme") if importlib.util.find_spec(m) is None]
    if missing:
        raise validation.AipmError(f"The course site needs Sphinx, myst-nb and sphinx-book-theme ({', '.join(missing)} "
                                   "missing): run `make site`, which installs them, or `pip install -e '.[site]'`.")
    out = Path(out).resolve()
    work = Path(work).resolve() if work is not None else root / "build" / "site"
    write_sources(root, work / "src")
    command = [
        sys.executable, "-m", "sphinx", "-b", "html", "-q", "-E", "-j", "auto",
        "-c", str(root / "docs"), "-d", str(work / "doctrees"), "-D", f"aipm_site_work={work}",
        str(work / "src"), str(out),
    ]
    done = subprocess.run(command, cwd=work, capture_output=True, text=True, check=False)
    (work / "sphinx.log").write_text(done.stdout + done.stderr, encoding="utf-8")
    if done.returncode != 0:
        raise validation.AipmError(f"Sphinx could not build the site (exit {done.returncode}); "
                                   f"its messages are in {work / 'sphinx.log'}:\n{done.stderr[-3000:]}")
    pages = sorted(p for p in out.rglob("*.html") if "_static" not in p.relative_to(out).parts)  # _static: theme files
    return [out / "index.html", *(p for p in pages if p != out / "index.html")]


def _copy(source: Path, target: Path) -> None:
    """A copy into the build folder, with its time kept. Not a symbolic link: MyST resolves links
    between pages through symbolic links, and the target then lies outside the sources."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)


def write_sources(root: Path, src: Path) -> None:
    """Lay out the Sphinx sources in ``src``: copies of the notebooks and guides, generated pages."""
    shutil.rmtree(src, ignore_errors=True)
    src.mkdir(parents=True)
    lessons = {p.name[:2]: p for p in sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb"))}
    solved = {p.name[:2]: p for p in sorted((root / "solutions").glob("[0-9][0-9]_*.ipynb"))}
    for path in [*lessons.values(), *solved.values()]:
        _copy(path, src / path.parent.name / path.name)
    guides = [(name, title) for name, title in GUIDES if (root / name).is_file()]
    for name, _ in guides:
        _copy(root / name, src / name)
    modules = read_modules(lessons, solved)
    for module in modules:
        (src / "modules").mkdir(exist_ok=True)
        (src / "modules" / f"{module.stem}.md").write_text(module_page(module), encoding="utf-8")
    (src / "commands.md").write_text(command_reference(), encoding="utf-8")
    (src / "index.md").write_text(start_page(root, modules, guides), encoding="utf-8")


# ------------------------------------------------------------------------------------------------
# What the pages say, read from the notebooks
# ------------------------------------------------------------------------------------------------


@dataclass
class Module:
    number: str
    stem: str
    title: str
    lesson: str = ""  # "notebooks/NN_slug.ipynb", or "" when there is no lesson
    solved: str = ""
    solved_title: str = ""
    decide: str = ""
    lesson_time: str = ""
    exercise_time: str = ""
    time_sentence: str = ""
    before: str = ""
    decision: str = ""
    outcomes_heading: str = ""
    outcomes: list[str] = field(default_factory=list)


def _cells(path: Path) -> list[dict]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        cell["source"] = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    return cells


def _heading(cells: list[dict]) -> str:
    for cell in cells:
        for line in cell["source"].splitlines() if cell["cell_type"] == "markdown" else ():
            if line.startswith("# "):
                return line[2:].strip()
    return ""


def _after(label: str, text: str) -> str:
    """The text after a bold label such as ``**Time:**``, to the end of its paragraph."""
    match = re.search(rf"\*\*{label}\*\*\s*(.+?)(?=\n\s*\n|\n\*\*|\Z)", text, re.S)
    return " ".join(match.group(1).split()) if match else ""


def _outcomes(text: str) -> tuple[str, list[str]]:
    """The "After this … you will be able to" heading and its list, continuation lines joined."""
    match = re.search(r"\*\*(After this [^*]+)\*\*\n((?:- .*\n?(?:  +.*\n?)*)+)", text)
    if not match:
        return "", []
    items = re.split(r"\n- ", "\n" + match.group(2).strip())[1:]
    return match.group(1), [" ".join(item.split()) for item in items]


def module_times(start: Path) -> dict[str, dict[str, str]]:
    """Lesson 00's module table, by module number: {"02": {"title", "decide", "lesson", "exercise"}}."""
    for cell in _cells(start):
        lines = [line for line in cell["source"].splitlines() if line.startswith("|")]
        if not lines or not lines[0].replace(" ", "").lower().startswith("|module|"):
            continue
        header = [h.strip().lower() for h in lines[0].strip("|").split("|")]
        table = {}
        for line in lines[2:]:
            row = dict(zip(header, (c.strip() for c in line.strip("|").split("|"))))
            number, _, title = row.get("module", "").partition(" ")
            table[number] = {"title": title, "decide": row.get("what you learn to decide", ""),
                             "lesson": row.get("lesson", ""), "exercise": row.get("exercise", "")}
        return table
    return {}


def read_modules(lessons: dict[str, Path], solved: dict[str, Path]) -> list[Module]:
    """One Module per number with a lesson or a solved exercise, in order."""
    start = lessons.get("00")
    times = module_times(start) if start else {}
    modules = []
    for number in sorted(set(lessons) | set(solved)):
        path = lessons.get(number) or solved[number]
        module = Module(number=number, stem=path.stem, title=times.get(number, {}).get("title", ""))
        if number in lessons:
            cells = _cells(lessons[number])
            first = cells[0]["source"] if cells else ""
            module.lesson = f"notebooks/{lessons[number].name}"
            module.title = module.title or _heading(cells) or path.stem
            module.outcomes_heading, module.outcomes = _outcomes(first)
            module.time_sentence, module.before = _after("Time:", first), _after("Before this:", first)
            module.decision = _after(r"The decision this \w+ trains:", first)
        if number in solved:
            module.solved = f"solutions/{solved[number].name}"
            module.solved_title = _heading(_cells(solved[number])) or solved[number].stem
        row = times.get(number, {})
        module.decide, module.lesson_time, module.exercise_time = row.get("decide", ""), row.get("lesson", ""), row.get("exercise", "")
        modules.append(module)
    return modules


def _time(module: Module) -> str:
    if module.lesson_time or module.exercise_time:
        return f"lesson {module.lesson_time or '?'}, exercise {module.exercise_time or '?'}"
    return module.time_sentence


def module_page(module: Module) -> str:
    lines = [f"# Module {module.number}: {module.title}", ""]
    if module.decide:
        lines += [f"**What you learn to decide:** {module.decide.rstrip('.')}.", ""]
    if _time(module):
        lines += [f"**Time:** {_time(module)}", ""]
    if module.before:
        lines += [f"**Before this:** {module.before}", ""]
    if module.outcomes:
        lines += [f"**{module.outcomes_heading}**", "", *(f"- {item}" for item in module.outcomes), ""]
    if module.decision:
        lines += [f"**The decision it trains:** {module.decision}", ""]
    if module.lesson:
        lines += [f"- Lesson: [{module.title}](../{module.lesson})"]
    if module.solved:
        lines += [f"- Solved exercise: [{module.solved_title}](../{module.solved})"]
    return "\n".join(lines) + "\n"


def _cell_text(text: str) -> str:
    return text.replace("|", "\\|")


def _readme_opening(root: Path) -> str:
    """The README's first paragraph: what the kit is, said once."""
    readme = root / "README.md"
    if not readme.is_file():
        return ""
    paragraphs = [p for p in readme.read_text(encoding="utf-8").split("\n\n") if p.strip() and not p.startswith("#")]
    return " ".join(paragraphs[0].split()) if paragraphs else ""


def _toctree(caption: str, entries: list[str]) -> list[str]:
    return ["```{toctree}", f":caption: {caption}", ":hidden:", "", *entries, "```", ""] if entries else []


def start_page(root: Path, modules: list[Module], guides: list[tuple[str, str]]) -> str:
    lines = ["# The AI PM Workbook", "", _readme_opening(root), "",
             "Here are the lessons and the solved exercises as they look after running. The widgets need "
             "a running notebook: here each shows a still image and says what moving it would show. To run "
             "a lesson, use the launch button at the top of its page (Binder, or your class's JupyterHub), "
             "or install the kit on your computer (see its README) and type `make lab`.", "",
             "## The modules", "",
             "| Module | What you learn to decide | Lesson | Exercise | Read |", "|---|---|---|---|---|"]
    for m in modules:
        reads = [f"[lesson]({m.lesson})" if m.lesson else "", f"[solved exercise]({m.solved})" if m.solved else ""]
        lesson_time = m.lesson_time or (m.time_sentence if not m.exercise_time else "")
        lines.append(f"| [{m.number} {_cell_text(m.title)}](modules/{m.stem}.md) | {_cell_text(m.decide)} | "
                     f"{_cell_text(lesson_time)} | {_cell_text(m.exercise_time)} | {' · '.join(r for r in reads if r)} |")
    lines.append("")
    lines += _toctree("Modules", [f"{m.number} {m.title} <modules/{m.stem}>" for m in modules])
    lines += _toctree("Lessons", [f"{m.number} {m.title} <{m.lesson[:-6]}>" for m in modules if m.lesson])
    lines += _toctree("Solved exercises", [f"{m.solved_title} <{m.solved[:-6]}>" for m in modules if m.solved])
    lines += _toctree("For instructors", [f"{title} <{name[:-3]}>" for name, title in guides])
    lines += _toctree("Reference", ["Command reference <commands>"])
    return "\n".join(lines)


def _parsers(parser: argparse.ArgumentParser):
    """The parser, then each subcommand's, depth first, in the order `--help` lists them."""
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):
                yield from _parsers(sub)


def command_reference() -> str:
    """The command reference page: `aipm --help`, then every subcommand's `--help`."""
    from .cli import build_parser

    lines = ["# Command reference", "",
             "Every `aipm` command, with what its `--help` prints. This page is written from the "
             "commands themselves each time the site is built.", ""]
    for parser in _parsers(build_parser()):
        own = parser.formatter_class  # a command's own layout (e.g. `aipm practice`'s rule, a line each), at the page's width
        parser.formatter_class = lambda prog, own=own: own(prog, width=78)
        text = re.sub(r"\x1b\[[0-9;]*m", "", parser.format_help())  # no terminal colours
        lines += [f"## {parser.prog}", "", "```text", text.rstrip(), "```", ""]
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------------
# The Sphinx extension: each notebook prepared as Sphinx reads it
# ------------------------------------------------------------------------------------------------


def _plain(markdown: str) -> str:
    """Markdown to plain words: links to their text; no emphasis, code marks or headings."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    text = re.sub(r"\*{1,3}|`+", "", text)
    text = re.sub(r"(?<!\w)_{1,2}(\S(?:.*?\S)?)_{1,2}(?!\w)", r"\1", text)  # _emphasis_, not snake_case
    return " ".join(line for line in text.splitlines() if not line.lstrip().startswith("#")).strip()


ABBREVIATIONS = ("e.g.", "i.e.", "vs.", "etc.", "approx.", "cf.")


def _sentence(text: str) -> str:
    """The first sentence of plain text: up to a full stop (or ! or ?) before a space, not after an
    abbreviation such as "e.g."; the whole text, ending in a full stop, when there is none."""
    for match in re.finditer(r"[.!?](?=\s)", text):
        if not text[: match.end()].lower().endswith(ABBREVIATIONS):
            return text[: match.end()]
    return text.rstrip(" :;,") + ("" if text.rstrip().endswith((".", "!", "?")) else ".")


def first_sentence(markdown: str) -> str:
    """The first sentence of a markdown cell's first paragraph (headings skipped)."""
    paragraphs = [p for p in re.split(r"\n\s*\n", markdown) if p.strip() and not p.lstrip().startswith("#")]
    return _sentence(" ".join(_plain(paragraphs[0]).split())) if paragraphs else ""


PLOT_MODULES = ("plots.py", "practice_plots.py")  # the modules whose public functions draw the lessons' figures


def _plot_functions() -> dict[str, ast.FunctionDef]:
    """The plotting modules' public functions, read from their source (no import of matplotlib needed)."""
    found: dict[str, ast.FunctionDef] = {}
    for name in PLOT_MODULES:
        tree = ast.parse((Path(__file__).parent / name).read_text(encoding="utf-8"))
        found.update({node.name: node for node in tree.body if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")})
    return found


def figure_title(source: str, plots: dict[str, ast.FunctionDef]) -> str:
    """A figure's title from the cell that drew it: the title given to the plotting call, else
    what the plotting function's docstring says it draws, else a title set in the cell."""
    try:
        tree = ast.parse("\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))))
    except SyntaxError:
        return "Figure"
    calls = sorted((node for node in ast.walk(tree) if isinstance(node, ast.Call)), key=lambda c: (c.lineno, c.col_offset))  # source order
    named = [(c, getattr(c.func, "attr", getattr(c.func, "id", ""))) for c in calls]
    for call, name in reversed([(c, n) for c, n in named if n in plots]):
        params = [a.arg for a in plots[name].args.args]
        given = {k.arg: k.value for k in call.keywords}
        given.update({params[i]: arg for i, arg in enumerate(call.args) if i < len(params)})
        title = given.get("title")
        if isinstance(title, ast.Constant) and isinstance(title.value, str) and title.value:
            return title.value
        doc = _sentence(" ".join((ast.get_docstring(plots[name]) or "").split()))
        doc = re.sub(r"\s*\((lesson|lessons) [^)]*\)", "", doc).rstrip(".")
        if doc:
            doc = re.sub(r"^Return(s)?\s+", "", doc)
            return doc[0].upper() + doc[1:]
    for call, name in named:
        if name in {"set_title", "suptitle", "title"} and call.args and isinstance(call.args[0], ast.Constant):
            return str(call.args[0].value)
    return "Figure"


def _alt_text(cells: list[dict], index: int, plots: dict) -> str:
    title = figure_title(cells[index]["source"], plots).rstrip(".")
    following = cells[index + 1] if index + 1 < len(cells) else None
    reading = first_sentence(following["source"]) if following and following["cell_type"] == "markdown" else ""
    return f"{title}. {reading}".strip()


def widget_still(source: str, saved: str = "") -> str:
    """The HTML shown instead of a widget: a still image and a sentence saying what moving it shows.

    The still comes from ``aipm_course.widgets.still_for(cell_source)``: an SVG and a sentence,
    or None for a widget without one; then the sentence says what the notebook would show.
    """
    from . import widgets

    found = None
    still_for = getattr(widgets, "still_for", None)
    if still_for is not None:
        try:
            found = still_for(source)
        except Exception as error:  # a broken still must not stop the whole site; Sphinx reports it
            from sphinx.util import logging

            logging.getLogger(__name__).warning(f"no still image for the widget of {source.strip()!r}: {type(error).__name__}: {error}")
    if found:
        svg, sentence = found
        image = f'<div class="aipm-widget-still-image" role="img" aria-label="{_attr(sentence)}">{svg}</div>'
    else:
        said = re.fullmatch(r"\w+\((.*)\)", saved, re.S)  # the widget's own summary, e.g. DrillPractice(8 drills, ...)
        said = " ".join((said.group(1) if said else saved).split()).rstrip(".")
        sentence = f"{NO_STILL} When the notebook was saved, it said: {said}." if said else NO_STILL
        image = ""
    return (f'<figure class="aipm-widget-still">{image}<figcaption><strong>Interactive in a notebook.</strong> '
            f"{_escape(sentence)} To move it, open this page with a launch button at the top, or in "
            f"JupyterLab.</figcaption></figure>")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(text: str) -> str:
    return _escape(text).replace('"', "&quot;")


def prepare_notebook(notebook: dict) -> dict:
    """The notebook as the site shows it (``notebook`` is changed in place and returned)."""
    cells = [c for c in notebook.get("cells", []) if "solution-only" not in c.get("metadata", {}).get("tags", [])]
    for cell in cells:
        cell["source"] = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    notebook["cells"] = cells
    # ipywidgets' state would make myst-nb load the widget manager from the internet; stills replace it.
    notebook.get("metadata", {}).pop("widgets", None)
    plots = None
    for index, cell in enumerate(cells):
        if cell["cell_type"] == "markdown":
            # The learner's own exercise (my_work/) is not on the site: its solved version is.
            cell["source"] = re.sub(r"\]\((?:\.\./)?my_work/(\d\d_[\w-]+\.ipynb)", r"](../solutions/\1", cell["source"])
            continue
        outputs = cell.get("outputs", [])
        if any("image/png" in o.get("data", {}) for o in outputs):
            plots = plots if plots is not None else _plot_functions()
            options = cell.setdefault("metadata", {}).setdefault("mystnb", {}).setdefault("image", {})
            options.setdefault("alt", _alt_text(cells, index, plots))
        for number, output in enumerate(outputs):
            data = output.get("data", {})
            data.pop(CHECK_RECORD, None)  # the record grading reads; the page shows its HTML
            if WIDGET_VIEW in data:
                saved = "".join(data.get("text/plain", "")).strip()
                outputs[number] = {"output_type": "display_data", "metadata": {},
                                   "data": {"text/html": widget_still(cell["source"], saved)}}
    return notebook


def _on_source_read(app, docname: str, source: list[str]) -> None:
    if docname.startswith(("notebooks/", "solutions/")):
        source[0] = json.dumps(prepare_notebook(json.loads(source[0])))


def _keep_outputs_in_the_build_folder(app) -> None:
    # myst-nb writes notebooks' images next to the output folder (OUT/../jupyter_execute): for
    # `make site` that is the kit's own folder. Send them to the build folder instead.
    work = app.config.aipm_site_work
    if work and hasattr(app.env, "mystnb_config"):
        app.env.mystnb_config = app.env.mystnb_config.copy(
            output_folder=str(Path(work) / "jupyter_execute"), execution_cache_path=str(Path(work) / "jupyter_cache"))


def setup(app):
    """The Sphinx extension (conf.py's ``extensions``)."""
    app.add_config_value("aipm_site_work", "", "env")
    app.connect("source-read", _on_source_read)
    app.connect("builder-inited", _keep_outputs_in_the_build_folder, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


# ------------------------------------------------------------------------------------------------


def internal_links(page: Path) -> list[str]:
    """Return the page's links to other files (not web addresses, not same-page anchors)."""
    if not isinstance(page, (str, os.PathLike)) or not Path(page).is_file():
        raise validation.fail("page", page, "a page: the path (text or a Path) of an HTML or Markdown file that exists")
    text = Path(page).read_text(encoding="utf-8")
    links = re.findall(r"""href=["']([^"']+)["']""", text)
    return [link for link in links if not re.match(r"^(https?:|mailto:|#|data:|javascript:)", link)]


def main(argv: list[str] | None = None) -> int:
    import time

    parser = argparse.ArgumentParser(prog="python -m aipm_course.site", description="Build the course site.")
    parser.add_argument("out", nargs="?", default="site", help="the folder to write the site to (default: site)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    pages = build_site(args.out)
    print(f"Wrote {len(pages)} pages in {time.perf_counter() - started:.1f} s; open {Path(args.out) / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
