"""`aipm grade` against submissions that try to cheat or do harm, graded in the sandbox in ONE run.

Each hostile notebook does one thing a real submission was seen to do; each test shows the attempt
failed and that the report says so (or, where nothing can be said, that no harm was done):

  escape      writes a file outside its scratch folder (the test's folder, the kit's folder)
  snoop       looks through /proc for the grader's command line (which names the submissions and
              report folders)
  rewrite     reads and rewrites another learner's submitted notebook (victim's)
  linger      leaves a process behind that rewrites grades.csv after grading has finished
  formula     answers a choice question with =HYPERLINK(...), which the feedback echoes
  network     opens a connection to a server the test runs on 127.0.0.1
  forged      only publishes check results that say "correct" (several times each)
  progress    grading runs with AIPM_PROGRESS_FILE set in the grader's environment
  linked      02_....ipynb is a link to a file holding a secret
  hog         asks for 6 GiB of memory at once
  victim      solution 02, all correct; her grade must not change

Without bubblewrap these tests skip (saying how to install it); with AIPM_REQUIRE_SANDBOX=1 (CI)
they fail instead.
"""

import csv
import json
import os
import socket
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from aipm_course.grading import grade, sandbox
from aipm_course.exercises import question_ids

REPO = Path(__file__).resolve().parents[1]
EX02 = "02_precision_recall_costs.ipynb"
Q02 = question_ids("02")
SECRET = "secret-first-line-7f3a"

if sandbox.available() is None:
    if os.environ.get("AIPM_REQUIRE_SANDBOX") == "1":
        raise RuntimeError("AIPM_REQUIRE_SANDBOX=1 but bubblewrap cannot run here (install it: apt-get install bubblewrap)")
    pytest.skip("bubblewrap is not installed: sudo apt install bubblewrap (CI installs it)", allow_module_level=True)


def notebook(path: Path, *cells: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    nb = new_notebook(cells=[new_code_cell(c) for c in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


def forged_bundle(question: str) -> str:
    bundle = {"module": "02", "question": question, "title": "forged", "outcome": "correct", "message": "ok",
              "details": [], "parameters": {"seed": 0, "scenario": "default"}}
    return ("from IPython.display import display\n"
            f"display({{'application/vnd.aipm.check+json': {json.dumps(bundle)}, 'text/plain': 'forged'}}, raw=True)")


@pytest.fixture(scope="module")
def listener():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.5)
    accepted = []

    def serve():
        while not stopped.is_set():
            try:
                conn, _ = server.accept()
                accepted.append(conn)
            except (TimeoutError, OSError):
                continue

    stopped = threading.Event()
    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], accepted
    stopped.set()
    thread.join()
    server.close()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, listener):
    port, accepted = listener
    base = tmp_path_factory.mktemp("hostile")
    subs, out, outside = base / "submissions", base / "out", base / "outside"
    outside.mkdir()
    victim = subs / "victim" / EX02
    victim.parent.mkdir(parents=True)
    victim.write_bytes((REPO / "solutions" / EX02).read_bytes())
    notebook(subs / "escape" / EX02,
             f"open({str(outside / 'escaped.txt')!r}, 'w').write('out')",
             f"open({str(REPO / 'escaped.txt')!r}, 'w').write('out')")
    notebook(subs / "snoop" / EX02,
             "import glob\nmine = open('/proc/self/cmdline', 'rb').read()\nassert mine, 'could not read my own command line'\n"
             "seen = b' '.join(open(p, 'rb').read() for p in glob.glob('/proc/[0-9]*/cmdline'))\n"
             f"if b'pytest' in seen or {str(subs).encode()!r} in seen:  # the grader here is pytest\n"
             "    raise RuntimeError('LEAKED: ' + seen.decode(errors='replace')[:300])")
    notebook(subs / "rewrite" / EX02,
             f"text = open({str(victim)!r}).read()",
             f"open({str(victim)!r}, 'w').write(text.replace('precision =', 'precision = 0 *'))")
    notebook(subs / "linger" / EX02,
             "import subprocess\n"
             f"subprocess.Popen(['setsid', 'sh', '-c', 'sleep 4; echo HACKED > {out}/grades.csv; echo HACKED > {outside}/late.txt'],"
             " start_new_session=True)")
    choice = nbformat.read(REPO / "solutions" / EX02, as_version=4)
    for cell in choice.cells:
        if "ex.q7.check(" in cell.source:
            cell.source = 'ex.q7.check(\'=HYPERLINK("http://evil.example","click")\')'
    (subs / "formula").mkdir()
    nbformat.write(choice, subs / "formula" / EX02)
    notebook(subs / "network" / EX02,
             f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=3)")
    notebook(subs / "forged" / EX02, *[forged_bundle(q) for q in Q02[:4] * 3])
    notebook(subs / "hog" / EX02, "hog = bytearray(6 * 2**30)", "after = 'the run went on'")
    secret = base / "secret.txt"
    secret.write_text(f"{SECRET}\nmore\n", encoding="utf-8")
    (subs / "linked").mkdir()
    (subs / "linked" / EX02).symlink_to(secret)
    progress_file = base / "grader-progress.json"
    saved = os.environ.get("AIPM_PROGRESS_FILE")
    os.environ["AIPM_PROGRESS_FILE"] = str(progress_file)
    try:
        report = grade(subs, out, jobs=2, timeout=20, progress=lambda _: None, sandbox="on")
    finally:
        if saved is None:
            os.environ.pop("AIPM_PROGRESS_FILE", None)
        else:
            os.environ["AIPM_PROGRESS_FILE"] = saved
    time.sleep(6)  # longer than the lingering process waits before it writes
    texts = {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8") for p in out.rglob("*") if p.is_file()}
    return dict(report=report, out=out, outside=outside, victim=victim, accepted=accepted, progress_file=progress_file,
                texts=texts, victim_bytes=(REPO / "solutions" / EX02).read_bytes())


def file_of(hostile, learner):
    return next(f for f in hostile["report"].files if f.learner == learner)


def results_of(hostile, learner):
    return {r.question: r for r in hostile["report"].results if r.learner == learner}


def test_the_report_says_the_sandbox_was_used(hostile):
    assert hostile["report"].run.isolation.startswith("Sandbox")
    assert "Sandbox" in hostile["texts"]["summary.html"]


def test_writing_outside_scratch_fails_and_is_reported(hostile):
    assert not (hostile["outside"] / "escaped.txt").exists()
    assert not (REPO / "escaped.txt").exists()
    errors = file_of(hostile, "escape").errors
    assert any("escaped.txt" in e and "Error" in e for e in errors), errors
    # The kit's folder is read-only in the sandbox; when the kit itself lives under /tmp (a fresh
    # clone there), the write lands in the sandbox's own private /tmp, which vanishes with it: either
    # way nothing reaches the real folder (checked above).


def test_the_graders_command_line_cannot_be_seen(hostile):
    errors = file_of(hostile, "snoop").errors
    assert not any("LEAKED" in e for e in errors), errors
    assert not any("could not read my own" in e for e in errors), errors


def test_another_learners_notebook_can_be_neither_read_nor_rewritten(hostile):
    errors = file_of(hostile, "rewrite").errors
    assert errors and all("FileNotFoundError" in e or "PermissionError" in e for e in errors), errors
    assert hostile["victim"].read_bytes() == hostile["victim_bytes"]
    assert {r.outcome for r in results_of(hostile, "victim").values()} == {"correct"}


def test_nothing_a_notebook_leaves_running_touches_the_reports(hostile):
    assert "HACKED" not in hostile["texts"]["grades.csv"]
    assert not (hostile["outside"] / "late.txt").exists()


def test_a_formula_never_lands_raw_in_a_csv(hostile):
    for name in ("grades.csv", "gradebook.csv"):
        for row in csv.reader(hostile["texts"][name].splitlines()):
            for cell in row:
                assert not cell.startswith(("=", "+", "@")) and not (cell.startswith("-") and not _number(cell)), (name, cell)
    assert results_of(hostile, "formula")["q7"].outcome == "incorrect"


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_no_network_connection_gets_out(hostile):
    assert hostile["accepted"] == []
    errors = file_of(hostile, "network").errors
    assert errors and ("OSError" in errors[0] or "Connection" in errors[0] or "unreachable" in errors[0]), errors


def test_forged_check_results_count_for_nothing_and_are_flagged(hostile):
    rows = results_of(hostile, "forged")
    assert list(rows) == Q02
    assert not any(r.outcome == "correct" for r in rows.values())
    assert {rows[q].outcome for q in Q02[:4]} == {"unverified"}
    assert all(rows[q].flagged for q in Q02[:4])
    book = list(csv.DictReader(hostile["texts"]["gradebook.csv"].splitlines()))
    forged = next(r for r in book if r["learner"] == "forged")
    assert forged["total"] == "0"


def test_the_graders_progress_file_is_never_written(hostile):
    assert not hostile["progress_file"].exists()


def test_a_linked_notebook_is_listed_and_never_read(hostile):
    assert any(f.kind == "link" and f.learner == "linked" for f in hostile["report"].run.findings)
    assert all(SECRET not in text for text in hostile["texts"].values())
    assert not any(f.learner == "linked" for f in hostile["report"].files)


def test_a_notebook_that_asks_for_too_much_memory_gets_a_memory_error_and_the_run_goes_on(hostile):
    hog = file_of(hostile, "hog")
    assert hog.status == "ran"
    assert [e.split(": ")[-1] for e in hog.errors] == ["MemoryError"], hog.errors
