"""Benchmark: `make site`, the Sphinx build against the hand-written generator it replaced.

Both build the whole site from this kit's notebooks in the same run, each into its own temporary
folder: first the earlier generator (one nbconvert page per notebook and a list of links; taken
from git history, the newest version of aipm_course/site.py that used nbconvert), then the Sphinx
build from scratch (what `make site` does), then the Sphinx build once more (warm disk cache).
Reports seconds and pages for each.

Run: .venv/bin/python benchmarks/site_build.py
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from aipm_course.site import build_site
from aipm_course.workspace import kit_root

ROOT = kit_root()


def earlier_generator(folder: Path):
    """The newest version of aipm_course/site.py in git history that built pages with nbconvert."""
    commits = subprocess.run(["git", "log", "--format=%H", "--", "aipm_course/site.py"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout.split()
    for commit in commits:
        text = subprocess.run(["git", "show", f"{commit}:aipm_course/site.py"], cwd=ROOT,
                              capture_output=True, text=True).stdout
        if "HTMLExporter" in text:
            path = folder / "site_before.py"
            path.write_text(text, encoding="utf-8")
            spec = importlib.util.spec_from_file_location("aipm_course._site_before", path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)  # its relative imports resolve in aipm_course
            return commit[:10], module
    sys.exit("No earlier generator in git history (a version of aipm_course/site.py using nbconvert).")


def timed(action) -> tuple[float, int]:
    start = time.perf_counter()
    pages = action()
    return time.perf_counter() - start, len(pages)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="aipm-site-bench-") as tmp:
        tmp = Path(tmp)
        commit, before = earlier_generator(tmp)
        old_s, old_pages = timed(lambda: before.build_site(tmp / "old", ROOT))
        new_s, new_pages = timed(lambda: build_site(tmp / "new", ROOT, work=tmp / "work"))
        again_s, _ = timed(lambda: build_site(tmp / "new", ROOT, work=tmp / "work"))
    print(f"earlier generator (nbconvert, {commit}): {old_s:5.1f} s, {old_pages} pages")
    print(f"Sphinx + myst-nb + book theme:        {new_s:5.1f} s, {new_pages} pages (from scratch)")
    print(f"Sphinx, built again:                  {again_s:5.1f} s")
    print(f"ratio new/old: {new_s / old_s:.2f}")


if __name__ == "__main__":
    main()
