"""A class on a real JupyterHub: ten learners, each on their own server, then the instructor's tools.

JupyterHub (from PyPI, in the kit's environment) runs on 127.0.0.1 with configurable-http-proxy (npm,
run by Debian's nodejs), ``DummyAuthenticator`` and ``SimpleLocalProcessSpawner`` (one home folder per
learner under the test's temporary folder). Ten learners log in through the REST API, start their
servers and run exercise 00 in a kernel of their own server, through the proxy, as JupyterLab does:
learners 1-5 run the solved notebook, 6-10 the exercise with one right and one wrong answer. Then:
each learner's checks are in their own work folder and nowhere else, and ``aipm class status``,
``aipm collect`` and ``aipm grade --roster`` see ten learners.

Run with ``-s`` to see the figures: seconds for ten servers to start, memory per learner (server and
kernel, measured from /proc). instructors/hub/README.md quotes them and sizes the recipe from them.

Without jupyterhub or configurable-http-proxy the test skips, saying how to install them; with
AIPM_REQUIRE_HUB=1 (as in CI) it fails instead. Everything started is stopped, even on failure.
"""

from __future__ import annotations

import asyncio
import csv
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

import hub_helpers as hh

ROOT = Path(__file__).resolve().parents[1]
AIPM = Path(sys.executable).parent / "aipm"
LEARNERS = [f"learner{n:02d}" for n in range(1, 11)]
SOLVED = set(LEARNERS[:5])  # run the solved notebook; the others answer q1 wrongly and q3 rightly
SCENARIO = "fintech_fraud"
SEEDS = {name: 9100 + n for n, name in enumerate(LEARNERS, start=1)}  # seeds no other test uses
NOTEBOOK = "00_start_here.ipynb"
CHECK_MIME = "application/vnd.aipm.check+json"
# Alone the test takes about a minute; in the full suite it shares two cores with the other worker's
# seed sweeps and has taken over six. The deadline stops a hang, not a slow machine.
DEADLINE_SECONDS = 900


@pytest.fixture(scope="module")
def hub_ready():
    verdict = hh.verdict(hh.missing(), os.environ)
    if verdict:
        (pytest.fail if verdict[0] == "fail" else pytest.skip)(verdict[1])


def test_without_the_hub_tools_the_test_skips_and_says_how_to_install_unless_required(monkeypatch, tmp_path):
    monkeypatch.setattr(hh, "LOCAL_PROXY", tmp_path / "no-proxy")
    monkeypatch.setenv("PATH", str(tmp_path))
    problem = hh.missing()
    assert problem and ("configurable-http-proxy" in problem or "jupyterhub" in problem)
    kind, reason = hh.verdict(problem, {})
    assert kind == "skip" and "npm install --prefix build/hub-node configurable-http-proxy" in reason
    kind, reason = hh.verdict(problem, {"AIPM_REQUIRE_HUB": "1"})
    assert kind == "fail" and "AIPM_REQUIRE_HUB=1" in reason


# --- the learners' notebooks -------------------------------------------------------------------


def _with_parameters(nb, name: str):
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    cell.source = f"seed = {SEEDS[name]}\nscenario = {SCENARIO!r}"
    return nb


def _learner_notebook(name: str):
    """The notebook a learner hands in: the solved one (learners 1-5) or the exercise with q1 answered
    wrongly, q3 rightly (the solution's function) and q2, q4 left blank (6-10)."""
    if name in SOLVED:
        nb = _with_parameters(nbformat.read(ROOT / "solutions" / NOTEBOOK, as_version=4), name)
        # the solved notebook's letter is for seed 0 (options are shuffled per seed): pick the same
        # option by its text, as a learner reading the options would
        q2 = next(c for c in nb.cells if c.source.startswith("choice = "))
        letter = re.match(r'choice = "([a-z])"', q2.source).group(1)
        from aipm_course.exercises import load

        text = load("00", seed=0, scenario="default").q2.spec.options[letter]
        q2.source = q2.source.replace(f'"{letter}"', f"next(k for k, v in ex.q2.spec.options.items() if v == {text!r})", 1)
        return nb
    nb = _with_parameters(nbformat.read(ROOT / "exercises" / NOTEBOOK, as_version=4), name)
    solved = nbformat.read(ROOT / "solutions" / NOTEBOOK, as_version=4)
    q1 = next(c for c in nb.cells if c.source.startswith("accuracy = ___"))
    q1.source = q1.source.replace("accuracy = ___", "accuracy = 0.5", 1)
    q3 = next(c for c in nb.cells if c.source.startswith("def precision("))
    q3.source = next(c.source for c in solved.cells if c.source.startswith("def precision("))
    return nb


EXPECTED = {  # question -> (passed, attempts) in the learner's progress record
    True: {"q1": (True, 1), "q2": (True, 1), "q3": (True, 1), "q4": (True, 1)},
    False: {"q1": (False, 1), "q2": (False, 0), "q3": (True, 1), "q4": (False, 0)},
}


def _checks_shown(nb) -> dict[str, str]:
    """question -> outcome, from the check results the kernel displayed."""
    shown = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            bundle = output.get("data", {}).get(CHECK_MIME)
            if bundle:
                shown[bundle["question"]] = bundle["outcome"]
    return shown


# --- the hub -----------------------------------------------------------------------------------


@pytest.fixture
def hub(hub_ready, tmp_path):
    started = hh.start_hub(tmp_path / "hub", hh.Deadline(DEADLINE_SECONDS))
    yield started
    leftovers = hh.stop_hub(started, LEARNERS)
    assert not leftovers, f"processes still running after the hub stopped (now killed): {leftovers}"


def _log_in(hub, name: str) -> str:
    """A learner logs in with name and password (any password: DummyAuthenticator) and gets a token."""
    answer = hub.ok("POST", f"/hub/api/users/{name}/tokens", body={"auth": {"username": name, "password": "a-password"}, "note": "class test"})
    return answer["token"]


def _start_servers(hub, tokens: dict[str, str]) -> float:
    """Each learner starts their own server, all at once (the hub answers a start request only when
    the server is up or after 10 s, so one request at a time would line them up); return the seconds
    until all ten answer."""
    from concurrent.futures import ThreadPoolExecutor

    began = time.monotonic()
    with ThreadPoolExecutor(len(tokens)) as pool:
        list(pool.map(lambda item: hub.ok("POST", f"/hub/api/users/{item[0]}/server", item[1]), tokens.items()))
    waiting = set(tokens)
    while waiting:
        hub.deadline.check(f"waiting for the servers of {sorted(waiting)}")
        for name in sorted(waiting):
            server = hub.ok("GET", f"/hub/api/users/{name}", tokens[name]).get("servers", {}).get("")
            if not server:
                raise AssertionError(f"{name}'s server stopped while starting:\n{hub.log_tail()}")
            if server.get("ready"):
                waiting.discard(name)
        hub.remember_processes()
        time.sleep(0.5)
    return time.monotonic() - began


def _open_exercise(hub, name: str, token: str):
    """In the learner's own server: make the work folder and start a kernel in it (as JupyterLab
    does when the notebook opens); return the notebook, its code cells, the kernel and the server's URL."""
    server = f"/user/{name}"
    hub.ok("GET", f"{server}/api/status", token)
    hub.ok("PUT", f"{server}/api/contents/aipm-work", token, {"type": "directory"})
    kernel = hub.ok("POST", f"{server}/api/kernels", token, {"name": "python3", "path": "aipm-work"})
    nb = _learner_notebook(name)
    code = [c for c in nb.cells if c.cell_type == "code"]
    return nb, code, kernel["id"], hub.url + server


async def _run_all(hub, tokens: dict[str, str], jobs: dict) -> dict:
    """Every learner runs their notebook's code cells at the same time; return the notebooks with outputs."""
    async def one(name, job):
        nb, code, kernel_id, url = job
        outputs = await hh.run_cells(url, tokens[name], kernel_id, [c.source for c in code], timeout=max(30, hub.deadline.left()))
        for number, (cell, out) in enumerate(zip(code, outputs), start=1):
            cell.outputs, cell.execution_count = out, number
        return name, nb

    return dict(await asyncio.gather(*(one(name, job) for name, job in jobs.items())))


def _progress_entries(path: Path) -> dict:
    try:
        return json.loads(path.read_text())["questions"]
    except (OSError, ValueError, KeyError):
        return {}


def _aipm(*args, timeout: float) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"AIPM_WORK_DIR", "AIPM_PROGRESS_FILE"}}
    result = subprocess.run([str(AIPM), *map(str, args)], capture_output=True, text=True, timeout=max(timeout, 30), env=env)
    assert result.returncode == 0, f"aipm {' '.join(map(str, args))} exited {result.returncode}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def test_ten_learners_on_a_real_hub_each_keep_their_own_work_and_the_class_is_graded(hub, tmp_path):
    kit_progress = ROOT / "my_work" / ".aipm" / "progress.json"

    # log in and start ten servers
    hub.ok("POST", "/hub/api/users", hub.admin_token, {"usernames": LEARNERS})
    tokens = {name: _log_in(hub, name) for name in LEARNERS}
    start_seconds = _start_servers(hub, tokens)
    start_cpu = sorted(hh.cpu_seconds(hh.server_pid(hub, name)) for name in LEARNERS)

    # each learner works in a kernel of their own server, all at once
    began = time.monotonic()
    jobs = {name: _open_exercise(hub, name, tokens[name]) for name in LEARNERS}
    notebooks = asyncio.run(_run_all(hub, tokens, jobs))
    work_seconds = time.monotonic() - began
    hub.remember_processes()
    memory = {name: hh.memory_mib(hh.server_pid(hub, name)) for name in LEARNERS}
    for name, nb in notebooks.items():
        hub.ok("PUT", f"/user/{name}/api/contents/aipm-work/{NOTEBOOK}", tokens[name], {"type": "notebook", "format": "json", "content": nb})

    # what the learners saw: each check the kernel displayed
    for name, nb in notebooks.items():
        errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
        assert not errors, f"{name}: {errors[0]['ename']}: {errors[0]['evalue']}"
        expected = {q: ("correct" if passed else ("incorrect" if attempts else "not attempted")) for q, (passed, attempts) in EXPECTED[name in SOLVED].items()}
        assert _checks_shown(nb) == expected, name

    # the figures, for instructors/hub/README.md
    hub_rss = hh.memory_mib(hub.process.pid, below=False)["rss"]
    proxy_rss = hh.memory_mib(int((hub.base / "proxy.pid").read_text()), below=False)["rss"]
    rss, peak, server = (sorted(m[key] for m in memory.values()) for key in ("rss", "peak", "top"))
    print(
        f"\n[hub] ten servers ready {start_seconds:.1f} s after the first start request"
        f" ({os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}); each server's start took"
        f" {start_cpu[len(start_cpu) // 2]:.1f} s of CPU (median); exercise 00 ran in ten kernels at once in {work_seconds:.1f} s"
        f"\n[hub] per learner, server + kernel after exercise 00: RSS median {rss[len(rss) // 2]:.0f} MiB,"
        f" min {rss[0]:.0f}, max {rss[-1]:.0f} (the server alone: median {server[len(server) // 2]:.0f});"
        f" peak RSS max {peak[-1]:.0f} MiB"
        f"\n[hub] the hub itself {hub_rss:.0f} MiB, the proxy {proxy_rss:.0f} MiB"
    )

    home_kib = sorted(sum(f.stat().st_size for f in (hub.homes / name).rglob("*") if f.is_file()) / 1024 for name in LEARNERS)
    print(f"[hub] a learner's home after exercise 00: {home_kib[-1]:.0f} KiB at most")

    # stop the hub before the instructor's tools run: it is their job to work from the folders alone
    leftovers = hh.stop_hub(hub, LEARNERS)
    assert not leftovers, leftovers

    # each learner's checks are in their own work folder, and nowhere else
    homes = hub.homes
    for name in LEARNERS:
        path = homes / name / "aipm-work" / ".aipm" / "progress.json"
        entries = _progress_entries(path)
        assert entries, f"{name} has no progress record at {path}"
        got = {e["question"]: (e["passed"], e["attempts"]) for e in entries.values() if e["module"] == "00"}
        assert got == EXPECTED[name in SOLVED], name
        assert {e["parameters"]["seed"] for e in entries.values()} == {SEEDS[name]}, f"{name}'s record holds another learner's checks"
        assert (homes / name / "aipm-work" / NOTEBOOK).is_file()
    records = sorted(p.relative_to(homes) for p in hub.base.rglob("progress.json"))
    assert records == sorted(Path(n, "aipm-work", ".aipm", "progress.json") for n in LEARNERS)
    ours = set(SEEDS.values())
    for elsewhere in {kit_progress, Path(os.environ["AIPM_WORK_DIR"]) / ".aipm" / "progress.json", Path.home() / "aipm-work" / ".aipm" / "progress.json"}:
        leaked = [k for k, e in _progress_entries(elsewhere).items() if e.get("parameters", {}).get("seed") in ours]
        assert not leaked, f"learners' checks landed in {elsewhere}: {leaked}"

    # the instructor: the room, the collection, the gradebook
    deadline, began_grading = hub.deadline, time.monotonic()
    status = _aipm("class", "status", *sorted(homes.glob("*/aipm-work")), timeout=deadline.left())
    assert re.search(r"\b10 learner", status.stdout), status.stdout[-2000:]
    for name in LEARNERS:
        assert re.search(rf"^\s*{name}\b", status.stdout, re.MULTILINE), f"`aipm class status` has no row for {name}:\n{status.stdout[-2000:]}"
    submissions, report = tmp_path / "submissions", tmp_path / "report"
    originals = {name: (homes / name / "aipm-work" / NOTEBOOK).read_bytes() for name in LEARNERS}
    _aipm("collect", *sorted(homes.iterdir()), "--out", submissions, timeout=deadline.left())
    for name in LEARNERS:
        assert (submissions / name / NOTEBOOK).read_bytes() == originals[name], name
        assert (homes / name / "aipm-work" / NOTEBOOK).read_bytes() == originals[name], f"collect changed {name}'s notebook"
    roster = tmp_path / "roster.csv"
    with roster.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["learner", "team", "seed", "scenario", "modules"])
        for n, name in enumerate(LEARNERS, start=1):
            writer.writerow([name, f"team-{(n + 1) // 2:02d}", SEEDS[name], SCENARIO, "00"])
    _aipm("grade", submissions, "--out", report, "--roster", roster, "--timeout", 120, timeout=deadline.left())
    with (report / "gradebook.csv").open(newline="") as handle:
        rows = {r["learner"]: r for r in csv.DictReader(handle)}
    assert sorted(rows) == LEARNERS
    for name, row in rows.items():  # the grader ran each collected notebook again, on its own
        passed = sum(ok for ok, _ in EXPECTED[name in SOLVED].values())
        assert (row["total"], row["out of"], row["flags"]) == (str(passed), "4", ""), (name, row)
    grading_seconds = time.monotonic() - began_grading
    print(f"[hub] class status, collect and grade (ten notebooks, roster) took {grading_seconds:.1f} s")


# --- the deployment recipe in instructors/hub/ ---------------------------------------------------

HUB_RECIPE = ROOT / "instructors" / "hub"


def _load_hub_config(environ: dict, monkeypatch):
    """Run jupyterhub_config.py as JupyterHub would (with ``c`` and ``get_config``); return the config."""
    from traitlets.config import Config

    for name in ("TLJH_INSTALL_PREFIX",):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    config = Config()
    path = HUB_RECIPE / "jupyterhub_config.py"
    exec(compile(path.read_text(), str(path), "exec"), {"c": config, "get_config": lambda: config, "__file__": str(path)})
    return config


def _bytes(size: str) -> int:
    number, unit = re.fullmatch(r"([\d.]+)\s*([KMG]?)i?B?", str(size)).groups()
    return int(float(number) * 1024 ** " KMG".index(unit or " "))


def test_the_single_server_recipe_puts_work_in_each_home_and_limits_each_learner(monkeypatch):
    import types
    from importlib.machinery import ModuleSpec

    culler = types.ModuleType("jupyterhub_idle_culler")
    culler.__spec__ = ModuleSpec("jupyterhub_idle_culler", None)
    monkeypatch.setitem(sys.modules, "jupyterhub_idle_culler", culler)
    plain = _load_hub_config({}, monkeypatch)
    assert plain.Spawner.environment.get_value({"KEPT": "1"}) == {"KEPT": "1", "AIPM_WORK_DIR": "~/aipm-work"}
    assert plain.Spawner.default_url == "/lab"
    # a kernel peaks at 265 MiB and a server holds 135 MiB (README, measured): two kernels and a server fit
    assert 135 + 2 * 265 <= _bytes(plain.Spawner.mem_limit) / 2**20 <= 2048
    assert 0.25 <= plain.Spawner.cpu_limit <= 2
    services = plain.JupyterHub.services.get_value([])
    assert [s["name"] for s in services] == ["idle-culler"] and "--timeout=3600" in services[0]["command"]
    roles = plain.JupyterHub.load_roles.get_value([])
    assert roles[0]["services"] == ["idle-culler"] and "delete:servers" in roles[0]["scopes"]

    tljh = _load_hub_config({"TLJH_INSTALL_PREFIX": "/opt/tljh"}, monkeypatch)
    assert "services" not in tljh.JupyterHub  # TLJH runs its own culler (tljh-config)


def test_the_recipe_expands_the_home_work_folder_for_each_learner(monkeypatch, tmp_path):
    from aipm_course.workspace import work_dir

    monkeypatch.setenv("HOME", str(tmp_path / "ana"))
    monkeypatch.setenv("AIPM_WORK_DIR", "~/aipm-work")
    assert work_dir() == (tmp_path / "ana" / "aipm-work").resolve()


def test_the_pull_link_opens_the_start_notebook_of_the_pulled_folder(monkeypatch):
    from urllib.parse import parse_qs, urlsplit

    path = HUB_RECIPE / "jupyterhub_config.py"
    source = path.read_text().replace('NOTEBOOKS_REPO = ""', 'NOTEBOOKS_REPO = "https://example.org/handout"', 1)
    monkeypatch.setattr(Path, "read_text", lambda self, *a, **k: source if self == path else Path.read_bytes(self).decode())
    config = _load_hub_config({}, monkeypatch)
    link = urlsplit(config.Spawner.default_url)
    query = {k: v[0] for k, v in parse_qs(link.query).items()}
    assert link.path == "/git-pull" and query["repo"] == "https://example.org/handout"
    assert query["urlpath"] == f"lab/tree/{query['targetpath']}/notebooks/00_start_here.ipynb"
    assert (ROOT / "notebooks" / "00_start_here.ipynb").is_file()


def test_the_kubernetes_values_parse_and_agree_with_the_single_server_recipe(monkeypatch):
    import yaml

    values = yaml.safe_load((HUB_RECIPE / "z2jh-values.yaml").read_text())
    user = values["singleuser"]
    plain = _load_hub_config({}, monkeypatch)
    assert _bytes(user["memory"]["limit"]) == _bytes(plain.Spawner.mem_limit)
    assert _bytes(user["memory"]["guarantee"]) >= (135 + 265) * 2**20  # one server and one kernel at their peak
    assert float(user["cpu"]["limit"]) == plain.Spawner.cpu_limit and 0 < float(user["cpu"]["guarantee"]) <= 0.5
    assert user["extraEnv"]["AIPM_WORK_DIR"].startswith("/home/jovyan/")  # in the persistent home
    assert user["defaultUrl"].endswith("/notebooks/00_start_here.ipynb")
    assert user["defaultUrl"].split("/")[3] == user["lifecycleHooks"]["postStart"]["exec"]["command"][3]  # the pulled folder
    assert values["cull"]["enabled"] and values["cull"]["timeout"] == 3600
    hook = values["hub"]["extraConfig"]["aipm-instructor-view"]
    compile(hook, "aipm-instructor-view", "exec")
    mount = "/srv/class-homes"
    readme = (HUB_RECIPE / "README.md").read_text()
    assert mount in hook and f"aipm class status {mount}/*/aipm-work" in readme


def test_the_hub_readme_quotes_the_measured_figures_the_recipe_uses():
    readme = (HUB_RECIPE / "README.md").read_text()
    for figure in ("330 MiB", "135 MiB", "265 MiB", "1G"):
        assert figure in readme, figure
    assert "tests/test_hub.py" in readme
