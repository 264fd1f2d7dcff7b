"""A static, readable site of the lessons and solutions, from their stored outputs (``make site``).

Each notebook becomes one HTML page (nbconvert), figures embedded. Links between notebooks are
rewritten to the pages: a lesson's link to another lesson goes to that lesson's page, and its link
to the learner's own exercise (``../my_work/NN_slug.ipynb``) goes to the solved exercise's page. An
index page lists the modules in order.
"""

from __future__ import annotations

import html
import os
import re
import sys
from pathlib import Path

from . import validation

__all__ = ["build_site", "internal_links"]

SECTIONS = (("notebooks", "lessons", "Lesson"), ("solutions", "solutions", "Solved exercise"))


def _rewrite_links(text: str, section: str) -> str:
    """Point .ipynb links at the site's .html pages."""

    def replace(match: re.Match) -> str:
        target = match.group(2)
        name = target.rsplit("/", 1)[-1]
        if not re.fullmatch(r"\d\d_[\w-]+\.ipynb", name):
            return match.group(0)
        page = name[:-6] + ".html"
        if target.startswith("../my_work/") or target.startswith("../solutions/"):
            new = page if section == "solutions" else f"../solutions/{page}"
        elif target.startswith("../notebooks/"):
            new = page if section == "lessons" else f"../lessons/{page}"
        elif "/" not in target:
            new = page
        else:
            return match.group(0)
        return f"{match.group(1)}{new}{match.group(3)}"

    return re.sub(r'(href=")([^"#]+\.ipynb)(["#])', replace, text)


def _title(notebook) -> str:
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return ""


def build_site(out: str | Path, root: str | Path | None = None) -> list[Path]:
    """Write the site to ``out`` and return the pages written (index first)."""
    import nbformat
    from nbconvert import HTMLExporter

    from .workspace import kit_root

    root = Path(root) if root is not None else kit_root()
    out = Path(out)
    exporter = HTMLExporter(template_name="lab")
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    pages: list[Path] = []
    entries: dict[str, dict[str, tuple[str, str]]] = {}
    for folder, section, _ in SECTIONS:
        (out / section).mkdir(parents=True, exist_ok=True)
        for source in sorted((root / folder).glob("[0-9][0-9]_*.ipynb")):
            notebook = nbformat.read(source, as_version=4)
            for cell in notebook.cells:  # a solved page starts with the exercise, not a pointer to it
                if "solution-only" in cell.metadata.get("tags", []):
                    cell.source = ""
            body, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": _title(notebook) or source.stem}})
            target = out / section / (source.stem + ".html")
            target.write_text(_rewrite_links(body, section), encoding="utf-8")
            pages.append(target)
            entries.setdefault(source.name[:2], {})[section] = (_title(notebook) or source.stem, f"{section}/{target.name}")
    rows = []
    for number in sorted(entries):
        lesson = entries[number].get("lessons")
        solution = entries[number].get("solutions")
        title = html.escape((lesson or solution)[0])
        links = " · ".join(
            f"<a href='{path}'>{label}</a>" for label, item in (("lesson", lesson), ("solved exercise", solution)) if item for _, path in [item]
        )
        rows.append(f"<li><b>{number}</b> {title}: {links}</li>")
    index = out / "index.html"
    index.write_text(
        "<!doctype html><html><head><meta charset='utf-8'><title>The AI PM Workbook</title></head>"
        "<body style='font-family:sans-serif;max-width:50em;margin:2em auto'>"
        "<h1>The AI PM Workbook</h1>"
        "<p>The lessons and solved exercises, as they look after running. To do the exercises yourself, "
        "with instant checks, install the kit (see its README) and open it in JupyterLab. "
        "The interactive widgets need a running kernel; here you see them as they were saved.</p>"
        f"<ol style='list-style:none;padding:0'>{''.join(rows)}</ol></body></html>",
        encoding="utf-8",
    )
    return [index, *pages]


def internal_links(page: Path) -> list[str]:
    """Return the page's links to other files (not web addresses, not same-page anchors)."""
    if not isinstance(page, (str, os.PathLike)) or not Path(page).is_file():
        raise validation.fail("page", page, "a page: the path (text or a Path) of an HTML or Markdown file that exists")
    text = Path(page).read_text(encoding="utf-8")
    links = re.findall(r"""href=["']([^"']+)["']""", text)
    return [link for link in links if not re.match(r"^(https?:|mailto:|#|data:|javascript:)", link)]


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "site")
    written = build_site(target)
    print(f"Wrote {len(written)} pages; open {target / 'index.html'}")
