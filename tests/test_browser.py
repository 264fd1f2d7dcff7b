"""The real front end: JupyterLab in headless Chromium, running notebooks and moving sliders.

JupyterLab is served on loopback with a temporary configuration and no token, on a copy of the
lessons (so nothing the browser does can change the kit's notebooks). Playwright drives Debian's
chromium through ``executable_path``; no browser is ever downloaded. Screenshots of each step are
saved under the test's temporary folder (and the threshold explorer's also as
``build/screenshots/threshold_explorer.png`` for the README).

Without Chromium or Playwright these tests skip, saying how to install them; with
AIPM_REQUIRE_BROWSER=1 (as in CI) they fail instead.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]
HOW_TO_INSTALL = "install Debian's chromium (`apt-get install chromium`) and the test extra (`pip install -e '.[test]'`, which has playwright)"


def _missing() -> str | None:
    if not Path(CHROMIUM).is_file():
        return f"Chromium not found at {CHROMIUM}"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    return None


def _verdict(problem: str | None, environ) -> tuple[str, str] | None:
    """None when the browser tests can run; else ("skip" or "fail", the reason)."""
    if not problem:
        return None
    if environ.get("AIPM_REQUIRE_BROWSER") == "1":
        return "fail", f"AIPM_REQUIRE_BROWSER=1 but {problem}: {HOW_TO_INSTALL}"
    return "skip", f"{problem}: {HOW_TO_INSTALL} to run the browser tests"


@pytest.fixture(scope="module")
def browser_ready():
    verdict = _verdict(_missing(), os.environ)
    if verdict:
        (pytest.fail if verdict[0] == "fail" else pytest.skip)(verdict[1])


def test_without_chromium_the_tests_skip_and_say_how_to_install_unless_required(monkeypatch, tmp_path):
    monkeypatch.setattr(sys.modules[__name__], "CHROMIUM", str(tmp_path / "no-chromium"))
    problem = _missing()
    assert problem and "Chromium not found" in problem
    kind, reason = _verdict(problem, {})
    assert kind == "skip" and "apt-get install chromium" in reason
    kind, reason = _verdict(problem, {"AIPM_REQUIRE_BROWSER": "1"})
    assert kind == "fail" and "AIPM_REQUIRE_BROWSER=1" in reason


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(browser_ready, tmp_path_factory):
    """JupyterLab on loopback, no token, temporary config, serving a copy of the lessons."""
    base = tmp_path_factory.mktemp("lab")
    served = base / "served"
    served.mkdir()
    for name in ("00_start_here.ipynb", "02_precision_recall_costs.ipynb", "04_rag_finetune_costs.ipynb"):
        shutil.copy(ROOT / "notebooks" / name, served / name)
    config, data, runtime = base / "config", base / "data", base / "runtime"
    settings = config / "lab" / "user-settings" / "@jupyterlab"
    for folder in (settings / "apputils-extension", settings / "notebook-extension", settings / "docmanager-extension"):
        folder.mkdir(parents=True)
    # no news or update checks (network), no autosave (nothing written back), no "kernel busy" dialogs
    (settings / "apputils-extension" / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    (settings / "docmanager-extension" / "plugin.jupyterlab-settings").write_text(json.dumps({"autosave": False}))
    port = _free_port()
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(config), JUPYTERLAB_SETTINGS_DIR=str(config / "lab" / "user-settings"),
               JUPYTER_RUNTIME_DIR=str(runtime), AIPM_WORK_DIR=str(base / "work"))
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
        f"--ServerApp.root_dir={served}", "--IdentityProvider.token=", "--ServerApp.password=",
        "--ServerApp.disable_check_xsrf=True", "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    log = (base / "lab.log").open("w")
    server = subprocess.Popen(command, cwd=served, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{url}/api/status", timeout=2)
            break
        except OSError:
            if server.poll() is not None:
                break
            time.sleep(0.5)
    else:
        server.terminate()
        pytest.fail(f"JupyterLab did not start; see {base / 'lab.log'}")
    if server.poll() is not None:
        pytest.fail(f"JupyterLab exited: {(base / 'lab.log').read_text()[-2000:]}")
    yield {"url": url, "served": served, "shots": base / "screenshots"}
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()


@pytest.fixture(scope="module")
def browser(lab):
    from playwright.sync_api import sync_playwright

    lab["shots"].mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh page per notebook, so no other notebook's cells or widgets are on it."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(120_000)
    yield page
    context.close()


def _menu(page, menu: str, item: str) -> None:
    page.get_by_role("menuitem", name=menu, exact=True).click()
    page.get_by_role("menuitem", name=re.compile(item)).click()


def _accept_kernel_dialog(page) -> bool:
    """Answer JupyterLab's "Select Kernel" dialog with its default (Python 3), if it is showing.

    On a cold, busy start JupyterLab can open the notebook before it knows the kernel specs; it then
    asks which kernel to use, and nothing runs until someone answers (as a learner would, by
    pressing Select)."""
    dialog = page.locator(".jp-Dialog", has_text="Select Kernel")
    if dialog.count() and dialog.first.is_visible():
        dialog.first.locator("button.jp-mod-accept").click()
        return True
    return False


def _session_states(lab, notebook: str) -> list[str]:
    """The server's view: the execution state of each kernel attached to this notebook."""
    with urllib.request.urlopen(f"{lab['url']}/api/sessions", timeout=10) as answer:
        sessions = json.load(answer)
    return [s["kernel"]["execution_state"] for s in sessions if s["path"].endswith(notebook) and s.get("kernel")]


def _kernel_ready(page, lab, notebook: str) -> bool:
    """The kernel is running on the server and the page is connected to it, with no dialog open.

    The page's own indicator alone is not enough: it says "idle" before any kernel exists."""
    _accept_kernel_dialog(page)
    idle = page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').count() > 0
    return idle and page.locator(".jp-Dialog").count() == 0 and _session_states(lab, notebook) == ["idle"]


def _cells_ran(page) -> bool:
    """True once a code cell's prompt shows "[n]": the kernel has run it (queued cells show "[*]")."""
    return page.evaluate(
        "() => [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]"
        ".some(e => /\\[\\d+\\]/.test(e.textContent))"
    )


def _state(page) -> str:
    """What the page shows, for a failure message: the kernel indicator and any dialog."""
    status = page.locator(".jp-Notebook-ExecutionIndicator").first.get_attribute("data-status") if page.locator(".jp-Notebook-ExecutionIndicator").count() else "absent"
    dialogs = [d.inner_text()[:200] for d in page.locator(".jp-Dialog").all()]
    return f"kernel indicator {status!r}, dialogs {dialogs!r}"


def _open_and_run(page, lab, notebook: str) -> None:
    """Open a notebook, wait for its kernel, clear the stored outputs and run every cell.

    On a cold start on a busy machine JupyterLab can open the notebook before it knows the kernel
    specs. It then starts no kernel, and Run All asks "Select Kernel" and runs the cells while the
    widget manager is still connecting, so widgets show as text. So this waits until the server has
    an idle kernel for the notebook and the page is connected to it; if no kernel has started after
    45 s it picks one (Kernel > Change Kernel, Select), as a learner would. The stored outputs are
    cleared first, so that a numbered prompt proves the cells really ran."""
    # a workspace of its own, reset: only this notebook is open (no tabs restored from other tests)
    page.goto(f"{lab['url']}/lab/workspaces/{notebook[:2]}/tree/{notebook}?reset")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
    opened, asked = time.time(), False
    while not _kernel_ready(page, lab, notebook):
        if not asked and time.time() - opened > 45 and not _session_states(lab, notebook):
            _menu(page, "Kernel", r"^Change Kernel")
            asked = True
        if time.time() - opened > 240:
            _shot(page, lab, f"{notebook[:2]}_no_kernel")
            raise AssertionError(f"{notebook} had no idle kernel after 240 s: {_state(page)}, server {_session_states(lab, notebook)}")
        page.wait_for_timeout(250)
    _menu(page, "Edit", r"^Clear Outputs of All Cells")
    _wait_until(lambda: not _cells_ran(page), page, 30, lambda: "the stored outputs were not cleared")
    _menu(page, "Run", r"^Run All Cells")
    _wait_until(lambda: _cells_ran(page), page, 120, lambda: f"Run All did not run a cell of {notebook} in 120 s: {_state(page)}")


def _wait_until(condition, page, seconds: float = 120, why=lambda: "the page did not change as expected in time") -> None:
    """Poll a condition read from the page (the kernel answers a slider move asynchronously)."""
    deadline = time.time() + seconds
    while not condition():
        if time.time() > deadline:
            raise AssertionError(why())
        page.wait_for_timeout(250)


def _shot(page, lab, name: str) -> Path:
    path = lab["shots"] / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


def _press_on_slider(page, slider, key: str, times: int = 1) -> None:
    handle = slider.locator(".noUi-handle")
    handle.scroll_into_view_if_needed()
    handle.focus()
    for _ in range(times):
        handle.press(key)


def test_start_page_runs_and_its_widget_check_responds(page, lab):
    _open_and_run(page, lab, "00_start_here.ipynb")
    label = page.locator(".widget-label", has_text=re.compile(r"^Twice \d+ is \d+\.$")).first
    # the cells are running (see _open_and_run); a screenshot shows where the page stood if this times out
    try:
        label.wait_for(timeout=180_000)
    except Exception:
        _shot(page, lab, "00_timed_out")
        raise
    _shot(page, lab, "00_rendered")
    assert label.inner_text() == "Twice 3 is 6."
    slider = page.locator(".widget-slider", has=page.locator(".widget-label", has_text="Move me:")).first
    _press_on_slider(page, slider, "ArrowRight", 2)
    page.wait_for_function("() => [...document.querySelectorAll('.widget-label')].some(e => e.textContent === 'Twice 5 is 10.')")
    _shot(page, lab, "00_after_move")
    readout = slider.locator(".widget-readout").inner_text()
    assert readout.strip() == "5"


def test_cost_explorer_shows_what_the_package_computes_as_its_slider_moves(page, lab):
    from aipm_course.costs import CostInputs, compare

    _open_and_run(page, lab, "04_rag_finetune_costs.ipynb")
    months = page.locator(".widget-slider", has=page.locator(".widget-label", has_text="Months (horizon):")).first
    months.wait_for(timeout=180_000)
    months.scroll_into_view_if_needed()
    # the summary table of the explorer just run (the lesson's other outputs mention costs too)
    summary = page.locator(".widget-html", has_text="Cheapest in total").last
    summary.scroll_into_view_if_needed()
    before = compare(CostInputs())
    for key in ("prompt_only", "rag", "fine_tuned"):
        assert f"${before.totals[key]:,.0f}" in summary.inner_text()
    _shot(page, lab, "04_rendered")
    _press_on_slider(page, months, "ArrowRight", 6)  # 12 months → 18
    page.wait_for_function("() => [...document.querySelectorAll('.widget-html')].some(e => e.textContent.includes('total over 18 months'))")
    assert months.locator(".widget-readout").inner_text().strip() == "18"
    after = compare(CostInputs(months=18))
    text = summary.inner_text()
    for key in ("prompt_only", "rag", "fine_tuned"):
        assert f"${after.totals[key]:,.0f}" in text
    assert f"cheapest per successful task: {after.patterns[after.cheapest_per_success].name}" in text.replace("\n", " ")
    summary.scroll_into_view_if_needed()
    _shot(page, lab, "04_after_move")


def test_threshold_explorer_renders_and_its_numbers_follow_the_slider(page, lab):
    import numpy as np

    from aipm_course import scenarios, thresholds

    _open_and_run(page, lab, "02_precision_recall_costs.ipynb")
    slider = page.locator(".widget-slider", has=page.locator(".widget-label", has_text="Threshold:")).first
    slider.wait_for(timeout=180_000)
    metrics = page.locator(".widget-html", has_text="Precision:").first
    metrics.wait_for(timeout=120_000)
    slider.scroll_into_view_if_needed()
    before = metrics.inner_text()
    readout_before = slider.locator(".widget-readout").inner_text()
    _shot(page, lab, "02_rendered")
    track = slider.locator(".noUi-target, .noUi-base").first.bounding_box()
    page.mouse.click(track["x"] + track["width"] * 0.3, track["y"] + track["height"] / 2)  # a lower threshold
    _wait_until(lambda: slider.locator(".widget-readout").inner_text() != readout_before and metrics.inner_text() != before, page)
    shown = float(slider.locator(".widget-readout").inner_text())
    text = metrics.inner_text()
    assert text != before
    # the readout is rounded to 4 decimals: the numbers shown are the package's at some threshold
    # within that rounding
    data = scenarios.card_fraud(seed=0)
    candidates = np.unique(np.clip(np.concatenate([[shown - 5e-5, shown, shown + 5e-5], data.scores[np.abs(data.scores - shown) <= 5e-5]]), 0, 1))
    expected = {f"Precision: {thresholds.metrics_at(data.y_true, data.scores, t).precision:.1%}" for t in candidates}
    assert any(e in text for e in expected), (text, expected)
    path = _shot(page, lab, "threshold_explorer")
    readme_copy = ROOT / "build" / "screenshots"
    readme_copy.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, readme_copy / "threshold_explorer.png")
