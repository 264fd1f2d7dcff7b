"""Check the learner's environment and say how to fix each problem (``aipm doctor``, lesson 00)."""

from __future__ import annotations

import importlib.metadata as metadata
import os
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import InvalidVersion, Version

from . import validation
from .validation import Finding

__all__ = ["Finding", "run_checks", "report"]

DISTRIBUTION = "aipm-course"
FIX_INSTALL = "Run `make lab` (or `pip install -e .` in the kit's folder) to install what is missing."


# One environment check is a Finding: ``where`` names what was checked (also ``.name``),
# ``message`` says what was found (also ``.detail``), ``ok`` is False for a problem, with its fix.


def _passed(name: str, detail: str) -> Finding:
    return Finding(name, detail, severity="info")


def _where(path: str | Path) -> str:
    """Show a path relative to the kit's folder when it is inside it (shorter, and the same for everyone)."""
    try:
        from .workspace import kit_root

        return str(Path(path).relative_to(kit_root()))
    except Exception:  # noqa: BLE001 - outside the kit, or no kit: show it whole
        return str(path)


def _check_python() -> Finding:
    version = ".".join(map(str, sys.version_info[:3]))
    if sys.version_info >= (3, 10):
        return _passed("Python", f"{version} at {_where(sys.executable)}")
    return Finding("Python", f"{version} is too old", "Install Python 3.10 or newer and run `make lab` again.")


def _requirements() -> list[Requirement]:
    try:
        lines = metadata.requires(DISTRIBUTION) or []
    except metadata.PackageNotFoundError:
        return []
    return [r for r in map(Requirement, lines) if r.marker is None or r.marker.evaluate({"extra": ""})]


def _check_packages() -> list[Finding]:
    requirements = _requirements()
    if not requirements:
        return [Finding("aipm-course", "the kit itself is not installed", FIX_INSTALL)]
    findings = [_passed("aipm-course", metadata.version(DISTRIBUTION))]
    for requirement in requirements:
        try:
            installed = metadata.version(requirement.name)
        except metadata.PackageNotFoundError:
            findings.append(Finding(requirement.name, "not installed", FIX_INSTALL))
            continue
        try:
            fine = requirement.specifier.contains(Version(installed), prereleases=True)
        except InvalidVersion:
            fine = True
        if fine:
            findings.append(_passed(requirement.name, installed))
        else:
            findings.append(
                Finding(
                    requirement.name,
                    f"{installed} installed, {requirement.specifier} needed",
                    f"Run `pip install \"{requirement}\"` (or `make lab`).",
                )
            )
    return findings


def _check_kernel() -> Finding:
    try:
        from jupyter_client.kernelspec import KernelSpecManager

        spec = KernelSpecManager().get_kernel_spec("python3")
    except Exception as exc:  # noqa: BLE001 - report any kernel problem
        return Finding(
            "Jupyter kernel",
            f"no python3 kernel ({type(exc).__name__})",
            "Run `python -m ipykernel install --sys-prefix` inside the kit's environment.",
        )
    python = spec.argv[0] if spec.argv else ""
    if python in {"python", "python3", "{python}"}:
        python = sys.executable
    try:
        probe = subprocess.run(
            [python, "-c", "import aipm_course, ipywidgets"],
            capture_output=True,
            timeout=60,
            check=False,
        )
        importable = probe.returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        importable = False
    if importable:
        return _passed("Jupyter kernel", f"python3 runs {_where(python)}")
    return Finding(
        "Jupyter kernel",
        f"the python3 kernel runs {python}, which cannot import the kit",
        "Start JupyterLab with `make lab` so the kernel uses the kit's environment, or run "
        "`python -m ipykernel install --sys-prefix` from that environment.",
    )


def _check_widgets() -> Finding:
    try:
        import ipywidgets

        widgets_version = ipywidgets.__version__
    except Exception as exc:  # noqa: BLE001
        return Finding("Widgets in JupyterLab", f"cannot import ({type(exc).__name__})", FIX_INSTALL)
    try:
        lab_version = metadata.version("jupyterlab_widgets")
    except metadata.PackageNotFoundError:
        return Finding(
            "Widgets in JupyterLab",
            f"ipywidgets {widgets_version}, but JupyterLab's widget extension is missing",
            "Run `pip install jupyterlab_widgets` and restart JupyterLab.",
        )
    try:
        from jupyter_core.paths import jupyter_path

        folders = [Path(p) / "@jupyter-widgets" / "jupyterlab-manager" for p in jupyter_path("labextensions")]
        registered = any(folder.is_dir() for folder in folders)
    except Exception:  # noqa: BLE001 - cannot tell; do not report a false problem
        registered = True
    if not registered:
        return Finding(
            "Widgets in JupyterLab",
            "the widget extension is installed but JupyterLab cannot see it",
            "Run `pip install --force-reinstall jupyterlab_widgets`, then restart JupyterLab.",
        )
    if Version(widgets_version).major < 8:
        return Finding(
            "Widgets in JupyterLab", f"ipywidgets {widgets_version} is too old", "Run `pip install \"ipywidgets>=8.1\"`."
        )
    return _passed("Widgets in JupyterLab", f"ipywidgets {widgets_version}, JupyterLab extension {lab_version}")


def _check_work_folder() -> list[Finding]:
    from . import workspace

    try:
        work = workspace.work_dir()
    except workspace.KitError as exc:
        return [Finding("Work folder", str(exc), "Run the command from inside the kit's folder.")]
    findings = []
    if not work.exists():
        findings.append(Finding("Work folder", f"{work} does not exist yet", "Run `aipm start` (or `make lab`)."))
    elif not os.access(work, os.W_OK):
        findings.append(Finding("Work folder", f"{work} is not writable", "Check the folder's permissions."))
    else:
        findings.append(_passed("Work folder", _where(work)))
    progress = workspace.progress_path()
    if progress.exists():
        import json

        try:
            json.loads(progress.read_text(encoding="utf-8"))
            findings.append(_passed("Progress record", _where(progress)))
        except (OSError, ValueError):
            findings.append(
                Finding(
                    "Progress record",
                    f"{progress} is damaged",
                    "Nothing to do: the next check moves it aside and starts a new record.",
                )
            )
    return findings


def run_checks(kernel: bool = True) -> list[Finding]:
    """Return every finding about this environment (the kernel check starts a Python process)."""
    if not isinstance(kernel, bool):
        raise validation.fail("kernel", kernel, "True (also check the Jupyter kernel) or False")
    findings = [_check_python(), *_check_packages(), _check_widgets()]
    if kernel:
        findings.append(_check_kernel())
    findings.extend(_check_work_folder())
    return findings


def format_findings(findings: list[Finding], verbose: bool = True) -> str:
    """Return the findings as a plain-text table, problems first with their fixes."""
    if isinstance(findings, (str, bytes)) or not isinstance(findings, Iterable):
        raise validation.fail("findings", findings, "a list of findings (as run_checks returns)")
    findings = list(findings)
    for index, finding in enumerate(findings):
        if not isinstance(finding, Finding):
            raise validation.fail(f"findings[{index}]", finding, "a Finding (as run_checks returns)")
    problems = [f for f in findings if not f.ok]
    lines = []
    width = max((len(f.where) for f in findings), default=0)
    for finding in findings:
        if finding.ok and not verbose:
            continue
        mark = "ok     " if finding.ok else "PROBLEM"
        lines.append(f"{mark}  {finding.where:<{width}}  {finding.message}")
        if finding.fix:
            lines.append(f"{'':7}  {'':<{width}}  fix: {finding.fix}")
    lines.append("")
    lines.append(
        "All good: the workbook is ready." if not problems else f"{len(problems)} problem(s) found; see the fixes above."
    )
    return "\n".join(lines)


def report(kernel: bool = False) -> None:
    """Print the environment check (used in the start notebook)."""
    if not isinstance(kernel, bool):
        raise validation.fail("kernel", kernel, "True (also check the Jupyter kernel) or False")
    print(format_findings(run_checks(kernel=kernel)))
