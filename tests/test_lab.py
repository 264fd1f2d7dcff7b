"""`aipm lab` (what `make lab` runs) serves JupyterLab on loopback, opened on the start notebook."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from aipm_course import lab

ROOT = Path(__file__).resolve().parents[1]
AIPM = str(Path(sys.executable).parent / "aipm")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str):
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=5) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.fixture
def served_lab(tmp_path):
    port = _free_port()
    env = dict(os.environ, AIPM_WORK_DIR=str(tmp_path / "work"))
    process = subprocess.Popen(
        [AIPM, "lab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1", "--IdentityProvider.token="],
        cwd=tmp_path,  # started from elsewhere: the kit's folder must still be served
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if _get(base + "/lab")[0] == 200:
                break
        except OSError:
            pass
        if process.poll() is not None:
            pytest.fail("aipm lab exited early:\n" + process.stdout.read().decode(errors="replace"))
        time.sleep(0.2)
    else:
        os.killpg(process.pid, signal.SIGTERM)
        pytest.fail("JupyterLab did not answer on /lab within 60 s")
    yield base, tmp_path / "work"
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def test_lab_serves_the_kit_and_opens_the_start_notebook(served_lab):
    base, work = served_lab
    status, headers, _ = _get(base + "/")
    assert status in (301, 302)
    assert headers["Location"].rstrip("?").endswith("/lab/tree/notebooks/00_start_here.ipynb")
    assert _get(base + "/lab/tree/notebooks/00_start_here.ipynb")[0] == 200
    status, _, body = _get(base + "/api/contents/notebooks/00_start_here.ipynb")
    notebook = json.loads(body)
    assert status == 200 and notebook["type"] == "notebook"
    assert "Start here" in notebook["content"]["cells"][0]["source"]
    status, _, body = _get(base + "/api/contents")
    assert {"notebooks", "exercises", "solutions"} <= {item["name"] for item in json.loads(body)["content"]}
    # The work folder was filled before JupyterLab started.
    assert (work / "00_start_here.ipynb").is_file()


def test_lab_command_runs_from_the_kit_on_the_start_notebook(monkeypatch):
    monkeypatch.setattr(lab, "_running_as_root", lambda: False)
    command = lab.lab_command(["--no-browser"])
    assert command[:3] == [sys.executable, "-m", "jupyterlab"]
    assert f"--ServerApp.root_dir={ROOT}" in command
    assert "--LabApp.default_url=/lab/tree/notebooks/00_start_here.ipynb" in command
    assert "--allow-root" not in command and command[-1] == "--no-browser"
    monkeypatch.setattr(lab, "_running_as_root", lambda: True)
    assert "--allow-root" in lab.lab_command()


def test_quiet_settings_are_written_once_and_never_replace_existing(tmp_path):
    target = lab.write_quiet_settings(tmp_path)
    assert json.loads(target.read_text())["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    target.write_text('{"mine": true}')
    assert lab.write_quiet_settings(tmp_path) is None
    assert target.read_text() == '{"mine": true}'


def test_lab_help_and_options_are_passed_through():
    result = subprocess.run([AIPM, "lab", "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "JupyterLab" in result.stdout
