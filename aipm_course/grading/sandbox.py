"""Run a submission's code where it can do little harm: bubblewrap when it works, else a clean process.

With Debian's ``bwrap`` (bubblewrap), ``wrap`` builds a command line that runs a program with:

- no network, and its own pid, ipc, uts and cgroup namespaces: a fresh ``/proc`` shows only the
  sandbox's own processes (not the grader's command line), and every process left behind dies when
  the command ends;
- no capabilities, even when the grader runs as root;
- a whitelist of the host's files, all read-only: the system folders, the Python that runs the
  grader (and its virtual environment and site-packages), and the parts of the kit a notebook needs
  (not ``solutions/``, ``my_work/`` or anything else kept in the kit's folder); a small ``/tmp``
  of its own; and one scratch folder, the only place it can write;
- exactly the environment it is given (``child_env``), never the grader's.

Without bubblewrap, ``child_env`` still keeps the grader's environment out, and
``become_subreaper`` with ``reap_descendants`` ends every process a notebook leaves running.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import site
import tempfile
import time
from pathlib import Path

from ..validation import AipmError, fail

__all__ = ["SandboxError", "available", "wrap", "child_env", "describe", "become_subreaper", "reap_descendants"]

SYSTEM_FOLDERS = ("/usr", "/bin", "/lib", "/lib64", "/sbin", "/etc")
# Secrets in /etc that a process running as root (even with no capabilities) could read as owner.
HIDDEN_FILES = ("/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-", "/etc/sudoers")
HIDDEN_FOLDERS = ("/etc/ssh", "/etc/sudoers.d", "/etc/ssl/private")
# What a graded notebook needs from the kit: the package, the blank exercises and pyproject.toml
# (how kit_root() knows the kit) and the instructors' scenarios (parameters.py reads them).
KIT_PARTS = ("aipm_course", "exercises", "pyproject.toml", "instructors/scenarios")
TMP_BYTES = 256 * 1024 * 1024
PROBE_SECONDS = 30
OFF_VALUES = ("off", "0", "no", "false")
ON_VALUES = ("", "auto", "on", "1", "yes", "true")
INSTALL_HINT = "On Debian/Ubuntu: sudo apt install bubblewrap."
PR_SET_CHILD_SUBREAPER = 36

_probe: dict[str, str | None] = {}  # {"path": the working bwrap or None, "reason": why not}


class SandboxError(AipmError):
    """The sandbox cannot be built as asked (a bad argument, or bubblewrap missing)."""


# ---------------------------------------------------------------- is bubblewrap here, and working?


def _find_bwrap() -> str | None:
    found = shutil.which("bwrap")
    if found is None and os.access("/usr/bin/bwrap", os.X_OK):
        found = "/usr/bin/bwrap"
    return found


def _turned_off() -> bool:
    value = os.environ.get("AIPM_SANDBOX", "")
    if value.strip().lower() in OFF_VALUES:
        return True
    if value.strip().lower() in ON_VALUES:
        return False
    raise fail("AIPM_SANDBOX", value, f"one of {', '.join(map(repr, OFF_VALUES))} (no sandbox) or unset", SandboxError)


def available() -> str | None:
    """Return the path of ``bwrap`` when bubblewrap is installed and runs a sandbox here, else None.

    The first call starts Python in a sandbox once (about a tenth of a second) and keeps the answer.
    ``AIPM_SANDBOX=off`` in the environment makes it None.
    """
    if _turned_off():
        return None
    if "path" not in _probe:
        _probe["path"], _probe["reason"] = _try_sandbox(_find_bwrap())
    return _probe["path"]


def _try_sandbox(bwrap: str | None) -> tuple[str | None, str]:
    if bwrap is None:
        return None, "bubblewrap (bwrap) is not installed"
    with tempfile.TemporaryDirectory(prefix="aipm-sandbox-probe-") as folder:
        scratch = Path(folder)
        command = _command(bwrap, [sys.executable, "-I", "-c", "print('sandbox ok')"], scratch, child_env(scratch))
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=PROBE_SECONDS, check=False)
        except (OSError, subprocess.SubprocessError) as error:
            return None, f"bubblewrap ({bwrap}) is installed but could not start: {error}"
    if done.returncode != 0 or done.stdout.strip() != "sandbox ok":
        said = (done.stderr.strip().splitlines() or ["no message"])[-1]
        return None, f"bubblewrap ({bwrap}) is installed but could not start a sandbox here ({said})"
    return bwrap, ""


def describe(bwrap: str | None) -> str:
    """One sentence for the report: which sandbox the submissions ran in, or why none."""
    if bwrap is not None and not isinstance(bwrap, str):
        raise fail("bwrap", bwrap, "the path of bwrap (what available() returns), or None for no sandbox", SandboxError)
    if bwrap:
        return (
            "Sandbox: bubblewrap (no network, only its scratch folder writable, the kit read-only, "
            "other submissions and the report folder not visible)."
        )
    consequence = "submissions ran with the grader's permissions"
    if os.environ.get("AIPM_SANDBOX", "").strip().lower() in OFF_VALUES or _probe.get("path"):
        return f"No sandbox: it was turned off (--no-sandbox or AIPM_SANDBOX=off); {consequence}."
    if _find_bwrap() is None:
        return f"No sandbox: bubblewrap (bwrap) is not installed; {consequence}. {INSTALL_HINT}"
    reason = _probe.get("reason") or "bubblewrap (bwrap) was not used"
    return f"No sandbox: {reason}; {consequence}."


# ---------------------------------------------------------------- the command line


def wrap(argv: list[str], *, scratch: Path, env: dict[str, str]) -> list[str]:
    """Return the bwrap command line that runs ``argv`` in the sandbox, in ``scratch``, with exactly ``env``.

    ``scratch`` (an existing folder) is the only place the program can write. Run the result with
    ``subprocess``; bwrap itself starts with an empty environment, so the grader's is never visible.
    """
    argv, scratch, env = _checked_argv(argv), _checked_scratch(scratch), _checked_env(env)
    bwrap = _find_bwrap()
    if bwrap is None:
        raise SandboxError(f"wrap needs bubblewrap (bwrap), which is not installed. {INSTALL_HINT}")
    return _command(bwrap, argv, scratch, env)


def _command(bwrap: str, argv: list[str], scratch: Path, env: dict[str, str]) -> list[str]:
    options = ["--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
               "--hostname", "sandbox", "--die-with-parent", "--new-session", "--cap-drop", "ALL"]
    return ["/usr/bin/env", "-i", bwrap, *options, *_filesystem(scratch), *_environment(env),
            "--chdir", str(scratch), "--", *argv]


def _filesystem(scratch: Path) -> list[str]:
    args = ["--dev", "/dev", "--size", str(TMP_BYTES), "--tmpfs", "/dev/shm", "--proc", "/proc"]
    args += ["--size", str(TMP_BYTES), "--tmpfs", "/tmp"]  # first: binds below /tmp go on top of it
    for source, target in _system_entries():
        args += ["--symlink", target, source] if target else ["--ro-bind", source, source]
    args += _hidden_secrets()
    for folder in _read_only_folders():
        args += ["--ro-bind", str(folder.resolve()), str(folder)]
    args += ["--bind", str(scratch), str(scratch), "--remount-ro", "/"]
    return args


def _system_entries() -> list[tuple[str, str]]:
    """(path, "") to bind read-only, or (path, target) for a symlink such as /bin -> usr/bin."""
    entries = []
    for folder in SYSTEM_FOLDERS:
        if os.path.islink(folder):
            entries.append((folder, os.readlink(folder)))
        elif os.path.isdir(folder):
            entries.append((folder, ""))
    return entries


def _hidden_secrets() -> list[str]:
    args: list[str] = []
    for path in HIDDEN_FILES:
        if os.path.isfile(path) and not os.path.islink(path):
            args += ["--ro-bind", "/dev/null", path]
    for path in HIDDEN_FOLDERS:
        if os.path.isdir(path) and not os.path.islink(path):
            args += ["--tmpfs", path, "--remount-ro", path]
    return args


def _read_only_folders() -> list[Path]:
    """Python (the interpreter's own prefix, the base and the virtual environment), site-packages
    outside them, and the kit's parts: each once, none inside another or the system folders. A path
    reached through a symlink is there both as given and as resolved."""
    wanted = [_python_home(), Path(sys.base_prefix), Path(sys.prefix), *_site_folders(), *_kit_parts()]
    places = {Path(os.path.abspath(p)) for p in wanted if p.exists()} | {p.resolve() for p in wanted if p.exists()}
    kept: list[Path] = []
    for path in sorted(places, key=lambda p: (len(p.parts), str(p))):
        if not any(path == k or k in path.parents for k in kept) and not _under_system(path):
            kept.append(path)
    return kept


def _python_home() -> Path:
    real = Path(sys.executable).resolve()
    return real.parent.parent if real.parent.name == "bin" else real.parent


def _site_folders() -> list[Path]:
    found = list(site.getsitepackages()) + [sysconfig.get_path("stdlib"), sysconfig.get_path("platstdlib")]
    if site.ENABLE_USER_SITE:
        found.append(site.getusersitepackages())
    found += [entry for entry in sys.path if Path(entry).name in ("site-packages", "dist-packages")]
    return [Path(p) for p in found if p]


def _kit_parts() -> list[Path]:
    from .. import workspace  # here, not at the top: the kit may be installed without its folder

    try:
        root = workspace.kit_root()
    except workspace.KitError:
        return []
    return [root / part for part in KIT_PARTS]


def _shared_folders() -> list[Path]:
    """Folders other processes use too: a scratch folder must be one of its own below them."""
    names = ("/tmp", "/var/tmp", "/dev", "/proc", "/sys", "/run", "/home", "/root", tempfile.gettempdir(), Path.home())
    return [Path(name).resolve() for name in names]


def _under_system(path: Path) -> bool:
    return any(path == Path(s) or Path(s) in path.parents for s, _ in _system_entries())


def _environment(env: dict[str, str]) -> list[str]:
    args = ["--clearenv"]
    for key, value in env.items():
        args += ["--setenv", key, value]
    return args


# ---------------------------------------------------------------- arguments


def _checked_argv(argv: list[str]) -> list[str]:
    if not isinstance(argv, (list, tuple)) or not argv:
        raise fail("argv", argv, "a non-empty list of strings (the program and its arguments)", SandboxError)
    for item in argv:
        if not isinstance(item, str) or "\0" in item:
            raise fail("each item of argv", item, "a string with no NUL character", SandboxError)
    return list(argv)


def _checked_scratch(scratch: Path) -> Path:
    path = _existing_folder(scratch)
    covered = [Path(s) for s, _ in _system_entries()] + _read_only_folders() + _shared_folders()
    clash = [ro for ro in covered if path == ro or path in ro.parents]
    if clash or _under_system(path):
        what = clash[0] if clash else path
        raise fail("scratch", scratch, f"a folder of its own, neither {str(what)!r} nor a folder holding it", SandboxError)
    return path


def _existing_folder(scratch: Path) -> Path:
    """``scratch`` resolved (wrap and child_env must name it alike), once it is an absolute folder's path."""
    if not isinstance(scratch, (str, os.PathLike)) or not str(scratch):
        raise fail("scratch", scratch, "a folder's path (a pathlib.Path)", SandboxError)
    path = Path(scratch)
    if not path.is_absolute() or not path.is_dir():
        raise fail("scratch", scratch, "an absolute path to an existing folder", SandboxError)
    return path.resolve()


def _checked_env(env: dict[str, str]) -> dict[str, str]:
    if not isinstance(env, dict):
        raise fail("env", env, "a dict of environment variables (str to str), such as child_env(scratch)", SandboxError)
    for key, value in env.items():
        if not isinstance(key, str) or not key or "=" in key or "\0" in key:
            raise fail("each name in env", key, "a non-empty string with no '=' or NUL", SandboxError)
        if not isinstance(value, str) or "\0" in value:
            raise fail(f"env[{key!r}]", value, "a string with no NUL character", SandboxError)
    return dict(env)


# ---------------------------------------------------------------- the environment


def child_env(scratch: Path) -> dict[str, str]:
    """Return the whole environment for a graded notebook whose scratch folder is ``scratch``
    (created: its home, work, tmp folders). Nothing comes from the grader's environment."""
    base = _existing_folder(scratch)
    home, work, tmp = base / "home", base / "work", base / "tmp"
    env = {
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"]),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": str(home / ".config" / "matplotlib"),
        "JUPYTER_CONFIG_DIR": str(home / ".jupyter"),
        "JUPYTER_DATA_DIR": str(home / ".local" / "share" / "jupyter"),
        "JUPYTER_RUNTIME_DIR": str(home / ".local" / "share" / "jupyter" / "runtime"),
        "JUPYTER_PLATFORM_DIRS": "1",
        "IPYTHONDIR": str(home / ".ipython"),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONNOUSERSITE": "1",
        "TMPDIR": str(tmp),
        "AIPM_WORK_DIR": str(work),
        # one thread each: grading runs several notebooks at once, and fewer threads reserve less memory
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    for folder in (home, work, tmp):
        folder.mkdir(exist_ok=True)
    return env


# ---------------------------------------------------------------- without a sandbox: end what is left


def become_subreaper() -> bool:
    """Make this process adopt every orphaned descendant (Linux), so ``reap_descendants`` finds a
    double-forked daemon too. Return True when it worked; False (doing nothing) elsewhere."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def reap_descendants(timeout: float = 2.0) -> int:
    """Kill (SIGKILL) every process descending from this one, again until none is left or
    ``timeout`` seconds pass, and wait for those that are this process's children. Return how many
    were killed; 0 off Linux."""
    if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or not 0 <= timeout < 3600:
        raise fail("timeout", timeout, "a number of seconds in [0, 3600)", SandboxError)
    if not sys.platform.startswith("linux") or not os.path.isdir("/proc/self"):
        return 0
    me, killed, deadline = os.getpid(), set(), time.monotonic() + timeout
    while True:
        tree = _descendants(me)
        for pid, (_, state) in tree.items():
            if state != "Z" and _kill(pid):
                killed.add(pid)
        _wait_for([pid for pid, (parent, _) in tree.items() if parent == me])
        if not tree or time.monotonic() > deadline:
            return len(killed)
        time.sleep(0.01)


def _descendants(root: int) -> dict[int, tuple[int, str]]:
    """{pid: (parent pid, state letter)} of every process below ``root``, read from /proc/*/stat."""
    table = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            found = _stat(int(entry))
            if found:
                table[int(entry)] = found
    below, grew = {}, True
    while grew:
        grew = False
        for pid, (parent, state) in table.items():
            if pid not in below and (parent == root or parent in below):
                below[pid], grew = (parent, state), True
    return below


def _stat(pid: int) -> tuple[int, str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text(errors="replace")
    except OSError:
        return None
    fields = text[text.rfind(")") + 2:].split()  # the name, in (), may hold spaces and brackets
    return (int(fields[1]), fields[0]) if len(fields) > 1 else None


def _kill(pid: int) -> bool:
    try:
        os.kill(pid, signal.SIGKILL)
        return True
    except (ProcessLookupError, PermissionError):
        return False


def _wait_for(children: list[int]) -> None:
    for pid in children:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
