"""Open the workbook in JupyterLab (``aipm lab``, used by ``make lab``; lesson 00).

JupyterLab is started from the kit's folder, so the lessons, exercises and the learner's
``my_work/`` are all in its file browser, and it opens on the start notebook. Its news and
update checks are switched off: the workbook runs offline and should not show pop-ups.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from . import validation
from .workspace import kit_root, start

START_NOTEBOOK = "notebooks/00_start_here.ipynb"
QUIET_SETTINGS = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False}
}


def write_quiet_settings(prefix: Path | None = None) -> Path | None:
    """Write JupyterLab's overrides.json in this environment unless one exists; return its path."""
    folder = Path(prefix or sys.prefix) / "share" / "jupyter" / "lab" / "settings"
    target = folder / "overrides.json"
    if target.exists():
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(QUIET_SETTINGS, indent=2) + "\n", encoding="utf-8")
    except OSError:
        return None  # a read-only shared environment: the pop-up is harmless
    return target


def _running_as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _extra_args(extra_args: Any) -> list[str]:
    """The extra command-line arguments for JupyterLab: None, or a list of texts."""
    if extra_args is None:
        return []
    if not isinstance(extra_args, (list, tuple)) or not all(isinstance(a, str) for a in extra_args):
        raise validation.fail("extra_args", extra_args, "a list of command-line arguments (texts), or None")
    return list(extra_args)


def lab_command(extra_args: list[str] | None = None) -> list[str]:
    """Return the command line that starts JupyterLab on the start notebook."""
    extra_args = _extra_args(extra_args)
    root = kit_root()
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--ServerApp.root_dir={root}",
        f"--LabApp.default_url=/lab/tree/{START_NOTEBOOK}",
    ]
    if _running_as_root():
        command.append("--allow-root")  # JupyterLab refuses root otherwise (containers often are)
    return command + list(extra_args or [])


def run_lab(extra_args: list[str] | None = None) -> int:
    """Fill the work folder, then run JupyterLab until it is stopped; return its exit code."""
    extra_args = _extra_args(extra_args)
    print(start())
    write_quiet_settings()
    env = dict(os.environ)
    # The environment's scripts go first on PATH so that `aipm` works in JupyterLab's terminals.
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    try:
        return subprocess.call(lab_command(extra_args), env=env, cwd=kit_root())
    except KeyboardInterrupt:
        return 0
