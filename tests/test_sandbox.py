"""The grading sandbox: each hostile attempt fails inside bubblewrap, and the same code succeeds
outside it (so every test can fail). Without a working ``bwrap`` the sandbox tests are skipped,
unless AIPM_REQUIRE_SANDBOX=1, which makes them fail instead.

Also: the clean environment, the no-sandbox clean-up (subreaper and reaping), argument errors.
"""

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from aipm_course import workspace
from aipm_course.grading import sandbox
from aipm_course.validation import AipmError

SECONDS = 60  # a ceiling for one run; each takes well under a second (the kit imports take a few)


@pytest.fixture
def bwrap():
    """The working bwrap, or skip (fail with AIPM_REQUIRE_SANDBOX=1) with the reason."""
    found = sandbox.available()
    if found is None:
        why = sandbox.describe(None)
        if os.environ.get("AIPM_REQUIRE_SANDBOX") == "1":
            pytest.fail(f"AIPM_REQUIRE_SANDBOX=1 but no sandbox works here. {why}")
        pytest.skip(f"{why} (set AIPM_REQUIRE_SANDBOX=1 to make this a failure)")
    return found


@pytest.fixture
def scratch(tmp_path):
    folder = tmp_path / "scratch"
    folder.mkdir()
    return folder


def run(code, scratch, *, sandboxed, env=None):
    """Run ``code`` with this Python in ``scratch`` and the child environment, in the sandbox or not.
    The sandbox is started from the test's own environment, as a grader would: wrap keeps it out."""
    argv = [sys.executable, "-c", textwrap.dedent(code)]
    env = sandbox.child_env(scratch) if env is None else env
    if sandboxed:
        argv, env = sandbox.wrap(argv, scratch=scratch, env=env), None
    return subprocess.run(argv, cwd=scratch, env=env, capture_output=True, text=True, timeout=SECONDS, check=False)


def both(code, scratch):
    """(inside, outside): the same code run in the sandbox and without it."""
    return run(code, scratch, sandboxed=True), run(code, scratch, sandboxed=False)


def succeeded(done):
    return done.returncode == 0 and done.stdout.strip().endswith("DONE")


# ---------------------------------------------------------------- writing, reading


def test_writing_outside_scratch_fails_inside_and_works_outside(bwrap, tmp_path, scratch):
    outside = tmp_path / "grader"
    outside.mkdir()
    target = outside / "grades.csv"
    code = f"open({str(target)!r}, 'w').write('=HYPERLINK(1)'); print('DONE')"
    inside = run(code, scratch, sandboxed=True)
    assert not succeeded(inside) and not target.exists(), inside.stdout
    assert succeeded(run(code, scratch, sandboxed=False)) and target.read_text() == "=HYPERLINK(1)"


def test_writing_inside_scratch_works(bwrap, scratch):
    code = "open('answer.txt', 'w').write('42'); print('DONE')"
    assert succeeded(run(code, scratch, sandboxed=True))
    assert (scratch / "answer.txt").read_text() == "42"


def test_writing_into_the_kit_fails_inside_and_works_outside(bwrap, tmp_path, scratch, monkeypatch):
    """A stand-in kit (AIPM_KIT_ROOT) can be written to outside, so the control run shows the attempt works."""
    kit = tmp_path / "kit"
    for folder in ("exercises", "aipm_course"):
        (kit / folder).mkdir(parents=True)
    (kit / "pyproject.toml").write_text("[project]\nname = 'stand-in'\n")
    monkeypatch.setenv("AIPM_KIT_ROOT", str(kit))
    target = kit / "aipm_course" / "checking.py"
    code = f"open({str(target)!r}, 'w').write('def judge(): return True'); print('DONE')"
    inside = run(code, scratch, sandboxed=True)
    assert not succeeded(inside) and "Read-only file system" in inside.stderr, inside.stderr
    assert not target.exists()
    assert succeeded(run(code, scratch, sandboxed=False)) and target.exists()


def test_the_real_kit_is_visible_and_read_only(bwrap, scratch):
    package = workspace.kit_root() / "aipm_course"
    target = package / "sandbox-probe-never-written.py"
    code = f"""
        import errno, os
        assert os.path.isfile({str(package / 'checking.py')!r})
        try:
            open({str(target)!r}, 'w')
        except OSError as error:
            assert error.errno == errno.EROFS, error
            print('DONE')
        """
    done = run(code, scratch, sandboxed=True)
    assert succeeded(done), done.stderr
    assert not target.exists()


def test_a_scratch_folder_named_through_a_symlink_works(bwrap, tmp_path, scratch):
    link = tmp_path / "link-to-scratch"
    link.symlink_to(scratch)
    code = "import os; open(os.path.join(os.environ['AIPM_WORK_DIR'], 'saved.txt'), 'w').write('1'); print('DONE')"
    done = run(code, link, sandboxed=True)
    assert succeeded(done), done.stderr
    assert (scratch / "work" / "saved.txt").exists()


def test_reading_another_submission_fails_inside_and_works_outside(bwrap, tmp_path, scratch):
    other = tmp_path / "submissions" / "bea"
    other.mkdir(parents=True)
    (other / "02_precision_recall_costs.ipynb").write_text("bea's answers")
    code = f"""
        import os
        print(os.listdir({str(other)!r}))
        print(open({str(other / '02_precision_recall_costs.ipynb')!r}).read())
        print('DONE')
        """
    inside, outside = both(code, scratch)
    assert not succeeded(inside) and "bea's answers" not in inside.stdout
    assert "No such file or directory" in inside.stderr, inside.stderr
    assert succeeded(outside) and "bea's answers" in outside.stdout


def test_only_whitelisted_folders_are_visible(bwrap, scratch):
    code = """
        import errno, os
        print(sorted(os.listdir('/')))
        try:
            os.mkdir('/aipm-new-top-folder')
        except OSError as error:
            assert error.errno == errno.EROFS, error  # the sandbox's own root is read-only too
            print('DONE')
        """
    done = run(code, scratch, sandboxed=True)
    assert succeeded(done), done.stderr
    top = set(eval(done.stdout.splitlines()[0]))  # noqa: S307 - our own printed list
    # The system's own folders, plus the top folders of where this kit, this Python and the scratch
    # folder live (a clean clone may sit anywhere, for instance in /check or /srv).
    homes = [workspace.kit_root(), Path(sys.prefix), Path(sys.base_prefix), Path(sys.executable).resolve(), scratch]
    allowed = {"usr", "bin", "lib", "lib64", "sbin", "etc", "dev", "proc", "tmp"}
    allowed |= {Path(place).resolve().parts[1] for place in homes}
    assert top <= allowed, top - allowed
    assert not {"var", "sys", "run", "mnt", "boot"} & top


# ---------------------------------------------------------------- network, processes, environment


def test_connecting_to_a_local_listener_fails_inside_and_works_outside(bwrap, scratch):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        port = listener.getsockname()[1]
        code = f"""
            import socket
            socket.create_connection(('127.0.0.1', {port}), timeout=2).close()
            print('DONE')
            """
        inside, outside = both(code, scratch)
    assert not succeeded(inside) and "ConnectionRefusedError" in inside.stderr, inside.stderr
    assert succeeded(outside), outside.stderr


PARENT = """
import subprocess, sys
# argv[1] is the marker: it is in this process's command line only.
sys.exit(subprocess.run(sys.argv[2:]).returncode)
"""


def test_the_graders_command_line_is_not_visible_inside(bwrap, scratch):
    marker = f"--report-folder=/secret/report-{os.getpid()}-{time.time_ns()}"
    code = f"""
        import os
        marker = {marker[::-1]!r}[::-1]  # reversed, so this command line does not hold it
        seen = []
        for pid in filter(str.isdigit, os.listdir('/proc')):
            try:
                if marker.encode() in open(f'/proc/{{pid}}/cmdline', 'rb').read():
                    seen.append(pid)
            except OSError:
                pass
        print('seen by', seen)
        if not seen:
            print('DONE')
        """
    argv = [sys.executable, "-c", textwrap.dedent(code)]
    env = sandbox.child_env(scratch)
    for sandboxed, hidden in ((True, True), (False, False)):
        command = sandbox.wrap(argv, scratch=scratch, env=env) if sandboxed else argv
        done = subprocess.run([sys.executable, "-c", PARENT, marker, *command], cwd=scratch, env=env,
                              capture_output=True, text=True, timeout=SECONDS, check=False)
        assert succeeded(done) is hidden, (sandboxed, done.stdout, done.stderr)


HEARTBEAT = """
import os, time
with open('heartbeat', 'a') as f:
    f.write(str(os.getpid()) + '\\n'); f.flush()
    for _ in range(200):
        time.sleep(0.05); f.write('.'); f.flush()
"""

LEAVE_A_PROCESS = f"""
import os, subprocess, sys, time
subprocess.Popen([sys.executable, '-c', {HEARTBEAT!r}], start_new_session=True,
                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
while not os.path.exists('heartbeat'):
    time.sleep(0.01)
print('DONE')
"""


def _still_beating(heartbeat: Path) -> bool:
    before = heartbeat.stat().st_size
    time.sleep(0.5)
    return heartbeat.stat().st_size > before


def test_a_process_left_behind_dies_with_the_sandbox(bwrap, scratch):
    heartbeat = scratch / "heartbeat"
    assert succeeded(run(LEAVE_A_PROCESS, scratch, sandboxed=True))
    time.sleep(0.2)
    assert not _still_beating(heartbeat)
    heartbeat.unlink()
    assert succeeded(run(LEAVE_A_PROCESS, scratch, sandboxed=False))
    time.sleep(0.2)
    try:
        assert _still_beating(heartbeat)  # outside, nothing ends it
    finally:
        os.kill(int(heartbeat.read_text().splitlines()[0]), signal.SIGKILL)


def test_the_graders_environment_is_not_passed_on(bwrap, scratch, monkeypatch, tmp_path):
    progress = str(tmp_path / "grader-progress.json")
    monkeypatch.setenv("AIPM_PROGRESS_FILE", progress)
    monkeypatch.setenv("GRADER_TOKEN", "token-" + progress)
    env = sandbox.child_env(scratch)
    assert "AIPM_PROGRESS_FILE" not in env and "GRADER_TOKEN" not in env
    assert {k for k in env if k.startswith("AIPM_")} == {"AIPM_WORK_DIR"}
    code = f"""
        import os
        assert 'AIPM_PROGRESS_FILE' not in os.environ and 'GRADER_TOKEN' not in os.environ, os.environ
        for pid in filter(str.isdigit, os.listdir('/proc')):
            try:
                held = open(f'/proc/{{pid}}/environ', 'rb').read()
            except OSError:
                continue
            assert {progress.encode()!r} not in held, pid
        print('DONE')
        """
    assert succeeded(run(code, scratch, sandboxed=True))
    assert succeeded(run(code, scratch, sandboxed=False))
    inherited = run(code, scratch, sandboxed=False, env=dict(os.environ))
    assert not succeeded(inherited) and "AIPM_PROGRESS_FILE" in inherited.stderr


def test_child_env_is_complete_and_made_of_scratch(scratch):
    env = sandbox.child_env(scratch)
    for key in ("HOME", "MPLCONFIGDIR", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR", "AIPM_WORK_DIR", "TMPDIR"):
        assert Path(env[key]).is_relative_to(scratch), key
    assert Path(env["HOME"]).is_dir() and Path(env["AIPM_WORK_DIR"]).is_dir()
    assert env["LANG"] == "C.UTF-8" and env["MPLBACKEND"] == "Agg" and env["PYTHONDONTWRITEBYTECODE"] == "1"
    folders = env["PATH"].split(os.pathsep)
    assert folders[0] == str(Path(sys.executable).parent)
    assert set(folders[1:]) <= {"/usr/local/bin", "/usr/bin", "/bin"}


# ---------------------------------------------------------------- the kit works in there


def test_the_kit_and_a_kernel_start_inside(bwrap, scratch):
    code = """
        import aipm_course, nbclient, ipykernel, numpy, pandas, matplotlib
        from aipm_course import workspace
        print(workspace.kit_root(), workspace.work_dir())
        print('DONE')
        """
    done = run(code, scratch, sandboxed=True)
    assert succeeded(done), done.stderr
    assert str(scratch / "work") in done.stdout
    launcher = [sys.executable, "-m", "ipykernel_launcher", "--help"]
    env = sandbox.child_env(scratch)
    done = subprocess.run(sandbox.wrap(launcher, scratch=scratch, env=env), capture_output=True, text=True, timeout=SECONDS, check=False)
    assert done.returncode == 0 and "IPython" in done.stdout, done.stderr


def test_solutions_are_not_visible_inside(bwrap, scratch):
    solutions = workspace.kit_root() / "solutions"
    if not solutions.is_dir():
        pytest.skip("this kit has no solutions/ folder")
    code = f"import os; print(os.path.exists({str(solutions)!r})); print('DONE')"
    inside, outside = both(code, scratch)
    assert inside.stdout.split()[0] == "False" and outside.stdout.split()[0] == "True"


# ---------------------------------------------------------------- availability and the report line


def test_turned_off_by_the_environment(monkeypatch):
    monkeypatch.setenv("AIPM_SANDBOX", "off")
    assert sandbox.available() is None
    assert sandbox.describe(None).startswith("No sandbox:")
    monkeypatch.setenv("AIPM_SANDBOX", "maybe")
    with pytest.raises(AipmError, match="AIPM_SANDBOX.*'maybe'"):
        sandbox.available()


def test_describe_says_which(monkeypatch):
    assert "no network" in sandbox.describe("/usr/bin/bwrap")
    monkeypatch.delenv("AIPM_SANDBOX", raising=False)
    monkeypatch.setattr(sandbox, "_find_bwrap", lambda: None)
    monkeypatch.setattr(sandbox, "_probe", {})
    text = sandbox.describe(None)
    assert "not installed" in text and "apt install bubblewrap" in text


# ---------------------------------------------------------------- without a sandbox: the subreaper

REAPER = """
import os, subprocess, sys, time
from aipm_course.grading import sandbox
assert sandbox.become_subreaper()
subprocess.run(['setsid', 'sh', '-c', 'sleep 300 </dev/null >/dev/null 2>&1 & echo $! > daemon.pid'], check=True)
pid = int(open('daemon.pid').read())
assert os.getppid() != pid and open(f'/proc/{pid}/stat').read().split(') ')[1].split()[1] == str(os.getpid())
if sys.argv[1] == 'reap':
    print('killed', sandbox.reap_descendants())
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a subreaper is a Linux feature")
def test_reaping_ends_a_double_forked_daemon(scratch):
    for mode in ("reap", "leave"):
        done = subprocess.run([sys.executable, "-c", REAPER, mode], cwd=scratch, capture_output=True, text=True, timeout=SECONDS, check=False)
        assert done.returncode == 0, done.stderr
        pid = int((scratch / "daemon.pid").read_text())
        if mode == "reap":
            assert "killed 1" in done.stdout and not _alive(pid)
        else:
            try:
                assert _alive(pid)  # without reaping, the daemon outlives the script
            finally:
                os.kill(pid, signal.SIGKILL)


def test_off_linux_the_reaper_does_nothing(monkeypatch):
    monkeypatch.setattr(sandbox.sys, "platform", "darwin")
    assert sandbox.become_subreaper() is False
    assert sandbox.reap_descendants() == 0


# ---------------------------------------------------------------- bad arguments


@pytest.mark.parametrize(
    ("call", "named"),
    [
        (lambda s: sandbox.wrap([], scratch=s, env={}), "argv"),
        (lambda s: sandbox.wrap("python -c 1", scratch=s, env={}), "argv"),
        (lambda s: sandbox.wrap([sys.executable, 3], scratch=s, env={}), "argv"),
        (lambda s: sandbox.wrap([sys.executable], scratch=Path("relative"), env={}), "scratch"),
        (lambda s: sandbox.wrap([sys.executable], scratch=s / "missing", env={}), "scratch"),
        (lambda s: sandbox.wrap([sys.executable], scratch=Path("/"), env={}), "scratch"),
        (lambda s: sandbox.wrap([sys.executable], scratch=Path("/tmp"), env={}), "scratch"),
        (lambda s: sandbox.wrap([sys.executable], scratch=Path(sys.prefix), env={}), "scratch"),
        (lambda s: sandbox.wrap([sys.executable], scratch=s, env=["PATH=/bin"]), "env"),
        (lambda s: sandbox.wrap([sys.executable], scratch=s, env={"A=B": "1"}), "env"),
        (lambda s: sandbox.wrap([sys.executable], scratch=s, env={"HOME": 1}), "HOME"),
        (lambda s: sandbox.child_env(Path("relative")), "scratch"),
        (lambda s: sandbox.child_env(None), "scratch"),
        (lambda s: sandbox.reap_descendants(timeout=-1), "timeout"),
    ],
)
def test_bad_arguments_are_refused_by_name(call, named, scratch):
    with pytest.raises(AipmError, match=named) as caught:
        call(scratch)
    assert " must be " in str(caught.value) and ", got " in str(caught.value)
