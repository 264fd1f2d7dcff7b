"""Test-suite set-up shared by unit tests and notebook tests.

- Every test, and every kernel a notebook test starts, uses a throwaway work folder, so running
  the suite never touches a learner's my_work/ or their progress record.
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
