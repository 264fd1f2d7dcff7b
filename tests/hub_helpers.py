"""A real JupyterHub for the tests: started on loopback, driven through its REST API, cleaned up.

The hub is JupyterHub from PyPI (the kit's own environment), its proxy is configurable-http-proxy
from npm (run by Debian's nodejs), learners log in with ``DummyAuthenticator`` and their servers are
``SimpleLocalProcessSpawner`` processes (no Unix accounts needed: each learner gets a home folder
under the test's temporary folder). A learner's code runs in a kernel of their own server, reached
the way JupyterLab reaches it: the server's REST API and the kernel's websocket, through the proxy.

Nothing here uses the network beyond 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
SINGLEUSER = VENV_BIN / "jupyterhub-singleuser"
# where .ci/run installs the proxy (build/ is not committed)
LOCAL_PROXY = ROOT / "build" / "hub-node" / "node_modules" / ".bin" / "configurable-http-proxy"
HOW_TO_INSTALL = (
    "install the test extra (`pip install -e '.[test]'`, which has jupyterhub), Debian's nodejs and npm "
    "(`apt-get install nodejs npm`) and the proxy (`npm install --prefix build/hub-node configurable-http-proxy`)"
)


def find_proxy() -> Path | None:
    """configurable-http-proxy: the copy .ci/run installs under build/hub-node/, else one on PATH."""
    if LOCAL_PROXY.is_file():
        return LOCAL_PROXY
    found = shutil.which("configurable-http-proxy")
    return Path(found) if found else None


def missing() -> str | None:
    """What stops a real hub from starting here, or None."""
    try:
        import jupyterhub  # noqa: F401
    except ImportError:
        return "the jupyterhub package is not installed"
    if not SINGLEUSER.is_file():
        return f"jupyterhub-singleuser is not in {VENV_BIN}"
    proxy = find_proxy()
    if proxy is None:
        return "configurable-http-proxy was not found (neither in build/hub-node/ nor on PATH)"
    try:
        subprocess.run([str(proxy), "--version"], check=True, capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"configurable-http-proxy at {proxy} does not run ({type(exc).__name__}: {exc}); is nodejs installed?"
    return None


def verdict(problem: str | None, environ) -> tuple[str, str] | None:
    """None when the hub test can run; else ("skip" or "fail", the reason)."""
    if not problem:
        return None
    if environ.get("AIPM_REQUIRE_HUB") == "1":
        return "fail", f"AIPM_REQUIRE_HUB=1 but {problem}: {HOW_TO_INSTALL}"
    return "skip", f"{problem}: {HOW_TO_INSTALL} to run the JupyterHub test"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Deadline:
    """A time limit for the whole test: every wait checks it, so nothing can hang past it."""

    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds
        self.seconds = seconds

    def left(self) -> float:
        return self.end - time.monotonic()

    def check(self, doing: str) -> None:
        if self.left() <= 0:
            raise TimeoutError(f"the hub test ran past its {self.seconds:.0f} s deadline while {doing}")


CONFIG = """\
# Written by tests/hub_helpers.py for one test run: loopback only, throwaway paths.
c = get_config()  # noqa: F821
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.JupyterHub.db_url = {db_url!r}
c.JupyterHub.cookie_secret_file = {cookie_file!r}
c.JupyterHub.pid_file = {pid_file!r}
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True
c.ConfigurableHTTPProxy.command = [{proxy!r}]
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_api_port}"
c.ConfigurableHTTPProxy.auth_token = {proxy_token!r}
c.ConfigurableHTTPProxy.pid_file = {proxy_pid_file!r}

# any user name and password logs in (a test authenticator: never for a real class)
c.JupyterHub.authenticator_class = "jupyterhub.auth.DummyAuthenticator"
c.Authenticator.allow_all = True

# servers as local processes, one home folder per learner, no Unix accounts
c.JupyterHub.spawner_class = "jupyterhub.spawner.SimpleLocalProcessSpawner"
c.SimpleLocalProcessSpawner.home_dir_template = {home_template!r}
c.Spawner.cmd = [{singleuser!r}]
c.Spawner.args = {args!r}
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 240
c.Spawner.http_timeout = 240
# each learner's work folder in their own home (the recipe writes "~/aipm-work", which the kit expands)
c.Spawner.environment = {{
    "AIPM_WORK_DIR": lambda spawner: spawner.home_dir + "/aipm-work",
    "MPLBACKEND": "Agg",
}}

# the test's own admin token: create users, read server state (pids), stop servers
c.JupyterHub.services = [{{"name": "aipm-test", "api_token": {admin_token!r}}}]
c.JupyterHub.load_roles = [
    {{"name": "aipm-test", "scopes": ["admin:users", "admin:servers"], "services": ["aipm-test"]}}
]
"""


@dataclass
class Hub:
    """A running hub: its public URL (through the proxy), the admin token and where things are."""

    base: Path
    url: str
    admin_token: str
    process: subprocess.Popen
    log: Path
    deadline: Deadline
    seen: dict[int, Any] = field(default_factory=dict)  # pid -> psutil.Process, every descendant ever seen

    @property
    def homes(self) -> Path:
        return self.base / "homes"

    def request(self, method: str, path: str, token: str | None = None, body: Any = None, timeout: float = 90) -> tuple[int, Any]:
        """One REST call (path from the hub's root, e.g. /hub/api/users); returns (status, parsed JSON or text)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"token {token}")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:
                status, raw = answer.status, answer.read()
        except urllib.error.HTTPError as exc:
            status, raw = exc.code, exc.read()
        text = raw.decode("utf-8", "replace")
        try:
            return status, json.loads(text) if text else None
        except ValueError:
            return status, text

    def ok(self, method: str, path: str, token: str | None = None, body: Any = None, want=(200, 201, 202, 204)) -> Any:
        status, answer = self.request(method, path, token, body)
        if status not in want:
            raise AssertionError(f"{method} {path} answered {status}: {str(answer)[:500]}\n--- hub log ---\n{self.log_tail()}")
        return answer

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return "(no log)"

    def remember_processes(self) -> None:
        """Note every process the hub started (proxy, servers, kernels) so cleanup finds them all, even
        after the hub itself is gone: those below it, and those working in its folder (the proxy starts
        in it; servers and kernels in the learners' homes under it)."""
        import psutil

        try:
            for child in psutil.Process(self.process.pid).children(recursive=True):
                self.seen.setdefault(child.pid, child)
        except psutil.NoSuchProcess:
            pass
        for process in psutil.process_iter():
            try:
                if process.pid != self.process.pid and Path(process.cwd()).is_relative_to(self.base):
                    self.seen.setdefault(process.pid, process)
            except (psutil.Error, OSError):
                pass


def start_hub(base: Path, deadline: Deadline) -> Hub:
    """Write a config, start JupyterHub and wait until its API answers through the proxy."""
    base.mkdir(parents=True, exist_ok=True)
    (base / "homes").mkdir(exist_ok=True)
    port, hub_port, proxy_api_port = free_port(), free_port(), free_port()
    admin_token = secrets.token_hex(32)
    args = ["--ServerApp.allow_root=True"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
    # a kernel on a loaded machine can take more than the default 60 s to answer the server's first
    # kernel-info request, which then closes the websocket
    args.append("--MappingKernelManager.kernel_info_timeout=240")
    config = base / "jupyterhub_config.py"
    config.write_text(
        CONFIG.format(
            port=port, hub_port=hub_port, proxy_api_port=proxy_api_port,
            db_url=f"sqlite:///{base / 'jupyterhub.sqlite'}", cookie_file=str(base / "cookie_secret"),
            pid_file=str(base / "hub.pid"), proxy=str(find_proxy()), proxy_token=secrets.token_hex(32),
            proxy_pid_file=str(base / "proxy.pid"), home_template=str(base / "homes" / "{username}"),
            singleuser=str(SINGLEUSER), args=args, admin_token=admin_token,
        )
    )
    # the hub passes only a few variables on to servers (env_keep); drop the test's own AIPM_ ones anyway
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIPM_")}
    log = base / "hub.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(config)],
            cwd=base, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    hub = Hub(base=base, url=f"http://127.0.0.1:{port}", admin_token=admin_token, process=process, log=log, deadline=deadline)
    while True:
        deadline.check("waiting for the hub to start")
        if process.poll() is not None:
            raise AssertionError(f"JupyterHub exited with {process.returncode}:\n{hub.log_tail()}")
        try:
            status, _ = hub.request("GET", "/hub/api/", timeout=5)
            if status == 200:
                hub.remember_processes()
                return hub
        except OSError:
            pass
        time.sleep(0.5)


def stop_hub(hub: Hub, users: list[str] = ()) -> list[str]:
    """Stop every server, then the hub (which stops the proxy), then anything left. Returns what had to be killed."""
    import psutil

    hub.remember_processes()
    for name in users:
        try:
            hub.request("DELETE", f"/hub/api/users/{name}/server", hub.admin_token, timeout=10)
        except OSError:
            pass
    if hub.process.poll() is None:
        hub.process.send_signal(signal.SIGTERM)  # the hub stops its servers and its proxy on the way out
        try:
            hub.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(hub.process.pid, signal.SIGKILL)
            hub.process.wait(timeout=10)
    leftovers = []
    stopping = time.monotonic() + 20
    for pid, process in hub.seen.items():
        try:
            while process.is_running() and process.status() != psutil.STATUS_ZOMBIE and time.monotonic() < stopping:
                time.sleep(0.2)
            if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                leftovers.append(f"{pid} {' '.join(process.cmdline())[:120]}")
                process.kill()
        except psutil.NoSuchProcess:
            pass
    return leftovers


def server_pid(hub: Hub, name: str) -> int:
    """The process id of a learner's single-user server, from the spawner's state (admin:server_state)."""
    model = hub.ok("GET", f"/hub/api/users/{name}", hub.admin_token)
    return int(model["servers"][""]["state"]["pid"])


def memory_mib(pid: int, below: bool = True) -> dict[str, float]:
    """Memory of a process and (``below``) everything it started, e.g. a server and its kernels:
    RSS now and peak RSS (VmHWM), in MiB, from /proc/<pid>/status."""
    import psutil

    processes = [psutil.Process(pid)] + (psutil.Process(pid).children(recursive=True) if below else [])
    kib = []
    for process in processes:
        status = Path(f"/proc/{process.pid}/status").read_text()
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        kib.append((int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])))
    return {
        "rss": sum(r for r, _ in kib) / 1024, "peak": sum(p for _, p in kib) / 1024,
        "top": kib[0][0] / 1024, "processes": len(processes),
    }


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far."""
    import psutil

    times = psutil.Process(pid).cpu_times()
    return times.user + times.system


def _message(msg_type: str, content: dict, session: str) -> dict:
    return {
        "header": {
            "msg_id": uuid.uuid4().hex, "msg_type": msg_type, "session": session, "username": "",
            "version": "5.3", "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        },
        "parent_header": {}, "metadata": {}, "content": content, "channel": "shell",
    }


async def _run_one(socket_, source: str, session: str, timeout: float) -> list[dict] | None:
    """Run one cell on an open kernel websocket: its outputs, or None if the socket closed first."""
    import nbformat

    request = _message("execute_request", {
        "code": source, "silent": False, "store_history": True, "user_expressions": {},
        "allow_stdin": False, "stop_on_error": False,
    }, session)
    await socket_.write_message(json.dumps(request))
    outputs, idle, replied = [], False, False
    while not (idle and replied):
        raw = await asyncio.wait_for(socket_.read_message(), timeout)
        if raw is None:
            return None
        msg = json.loads(raw)
        if msg.get("parent_header", {}).get("msg_id") != request["header"]["msg_id"]:
            continue
        kind = msg["msg_type"]
        if kind == "status" and msg["content"]["execution_state"] == "idle":
            idle = True
        elif kind == "execute_reply":
            replied = True
        elif kind in {"stream", "display_data", "execute_result", "error"}:
            outputs.append(nbformat.v4.output_from_msg(msg))
    return outputs


async def run_cells(server: str, token: str, kernel_id: str, sources: list[str], timeout: float) -> list[list[dict]]:
    """Run code cells one by one in a kernel through its websocket; return each cell's outputs (nbformat).

    ``server`` is the learner's server URL through the proxy (http://127.0.0.1:PORT/user/NAME). A cell
    that fails does not stop the rest (its error is in its outputs), as when a learner runs all."""
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    session = uuid.uuid4().hex
    url = server.replace("http://", "ws://") + f"/api/kernels/{kernel_id}/channels?session_id={session}"
    # on a busy machine ten servers checking ten tokens with the hub at once can take a while
    connect = HTTPRequest(url, headers={"Authorization": f"token {token}"}, connect_timeout=timeout, request_timeout=timeout)
    socket_ = await websocket_connect(connect)
    results = []
    try:
        for source in sources:
            for attempt in range(1, 4):
                outputs = await _run_one(socket_, source, session, timeout)
                if outputs is not None:
                    break
                # The server closed the socket before the cell's reply: on a loaded machine a kernel
                # can miss the server's kernel-info deadline, which closes the connection. Connect
                # again and run the cell again (re-running these cells is harmless), three tries in all.
                reason = f"code {socket_.close_code}, {socket_.close_reason!r}"
                socket_.close()
                if attempt == 3:
                    raise AssertionError(f"the kernel's websocket closed three times ({reason}) while running:\n{source[:300]}")
                await asyncio.sleep(2 * attempt)
                socket_ = await websocket_connect(connect)
            results.append(outputs)
    finally:
        socket_.close()
    return results
