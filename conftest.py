"""Test-suite set-up shared by unit tests and notebook tests.

- Every test, and every kernel a notebook test starts, uses a throwaway work folder, so running
  the suite never touches a learner's my_work/ or their progress record. Each notebook gets a
  folder of its own: the capstone and exercise 01 both save a brief, and a shared folder would make
  one notebook's stored output ("the previous version is kept ...") depend on which ran first.
- exercises/ notebooks have no stored outputs: nbval runs them in lax mode (run, do not compare).
"""

import os
import tempfile

import pytest

_SESSION_WORK = tempfile.mkdtemp(prefix="aipm-test-work-")
os.environ["AIPM_WORK_DIR"] = _SESSION_WORK
os.environ.pop("AIPM_PROGRESS_FILE", None)
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.hookimpl(hookwrapper=True)
def pytest_collect_file(file_path, parent):
    outcome = yield
    if file_path.suffix != ".ipynb" or file_path.parent.name != "exercises":
        return
    for collector in outcome.get_result() or []:
        if hasattr(collector, "compare_outputs"):
            collector.compare_outputs = False


def _sanitize_structured_outputs() -> None:
    """nbval applies tests/nbval_sanitize.cfg to text outputs only; a check's JSON record (a dict) is
    compared as it is. Compare it as sorted JSON text instead, so the same patterns apply (a review
    date a quarter from today must not fail a notebook the next day)."""
    import json

    try:
        from nbval.plugin import IPyNbCell
    except ImportError:  # pragma: no cover - nbval is part of the test extra
        return
    plain = IPyNbCell.sanitize

    def sanitize(self, s):
        if isinstance(s, (dict, list)):
            return plain(self, json.dumps(s, sort_keys=True))
        return plain(self, s)

    IPyNbCell.sanitize = sanitize


_sanitize_structured_outputs()

_notebook_seen = {"file": None}


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Before a notebook's first cell starts its kernel, give that notebook a fresh work folder."""
    notebook = getattr(item, "parent", None)
    if item.nodeid.split("::")[0].endswith(".ipynb") and notebook is not _notebook_seen["file"]:
        _notebook_seen["file"] = notebook
        os.environ["AIPM_WORK_DIR"] = tempfile.mkdtemp(prefix="aipm-test-notebook-", dir=_SESSION_WORK)


@pytest.fixture(scope="module")
def quiet_work_folder(tmp_path_factory):
    """A throwaway work folder for a whole test module, with progress recording off (exercise tests
    make thousands of checks; one test can turn recording back on)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AIPM_WORK_DIR", str(tmp_path_factory.mktemp("work")))
        mp.setenv("AIPM_PROGRESS", "0")
        mp.delenv("AIPM_PROGRESS_FILE", raising=False)
        yield


@pytest.fixture
def work(tmp_path, monkeypatch):
    """A fresh work folder for a test that writes (portfolio files, progress, backups)."""
    monkeypatch.setenv("AIPM_WORK_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def fresh_work(tmp_path, monkeypatch):
    """A work folder that does not exist yet, with progress kept inside it (no progress-file, kit-root
    or recording overrides from the environment); AIPM_WORK_DIR points at it."""
    folder = tmp_path / "work"
    monkeypatch.setenv("AIPM_WORK_DIR", str(folder))
    for name in ("AIPM_PROGRESS_FILE", "AIPM_KIT_ROOT", "AIPM_PROGRESS"):
        monkeypatch.delenv(name, raising=False)
    return folder
