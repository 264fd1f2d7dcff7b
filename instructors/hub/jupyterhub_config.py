"""JupyterHub settings for a class working through the AI PM Workbook on one server.

The Littlest JupyterHub (TLJH): copy this file to /opt/tljh/config/jupyterhub_config.d/aipm.py,
then run `sudo tljh-config reload`. TLJH loads it after its own settings, so the values here win
over `tljh-config set limits.*`.
Plain JupyterHub on one machine: add your authenticator and spawner below (or in a file of your
own) and start it with `jupyterhub -f jupyterhub_config.py`.

The steps around it (installing the kit once for everyone, handing out notebooks, collecting and
grading) are in README.md beside this file. The memory and CPU figures come from
tests/test_hub.py, which runs ten learners on a real hub (see README.md, "Measured here").
"""

import importlib.util
import os
import sys
from urllib.parse import urlencode

c = get_config()  # noqa: F821 - JupyterHub (and TLJH, for jupyterhub_config.d files) provides it

# --- Change these for your class -------------------------------------------------------------

# The repository learners pull their notebooks from with nbgitpuller: this kit's repository, or a
# hand-out made with `aipm workshop prepare --handout` (no solutions). Leave it empty to open
# JupyterLab without pulling anything.
NOTEBOOKS_REPO = ""  # e.g. "https://github.com/example-university/aipm-handout"
NOTEBOOKS_BRANCH = "main"
NOTEBOOKS_FOLDER = "aipm-workbook"  # where the pull lands in each learner's home
START_NOTEBOOK = "notebooks/00_start_here.ipynb"  # inside the repository; a hand-out: "team-01/notebooks/00_start_here.ipynb"

# Per learner. Measured here: a learner's server with one kernel after exercise 00 holds about
# 330 MiB; the server alone about 135 MiB; a kernel running any of the kit's notebooks peaks at
# 265 MiB at most. 1 GiB leaves room for two kernels at their peak (a lesson and an exercise open
# side by side) and some slack. CPU is idle most of the time: one core per learner is a ceiling,
# not a need (ten learners ran exercise 00 at once on two cores in about 15 s).
MEM_LIMIT = "1G"
CPU_LIMIT = 1.0

# Stop a server after this many seconds without activity (work is saved in the home folder; the
# learner just logs in again). An hour outlasts a lunch break spent reading.
IDLE_TIMEOUT = 3600

# --- The settings ----------------------------------------------------------------------------

# Each learner's work folder (their exercises, backups, portfolio and progress record) in their own
# home, never in the shared kit. The kit expands "~" for each learner. It would pick ~/aipm-work on
# its own when the kit's folder is shared or read-only; setting it says so for everyone, and is
# what `aipm class status /home/*/aipm-work` and `aipm collect` expect.
c.Spawner.environment.update({"AIPM_WORK_DIR": "~/aipm-work"})

# Learners land in JupyterLab on the start notebook (the widgets need nothing more: ipywidgets and
# jupyterlab_widgets are dependencies of the kit, installed with it).
if NOTEBOOKS_REPO:
    pull = {
        "repo": NOTEBOOKS_REPO, "branch": NOTEBOOKS_BRANCH, "targetpath": NOTEBOOKS_FOLDER,
        "urlpath": f"lab/tree/{NOTEBOOKS_FOLDER}/{START_NOTEBOOK}",
    }
    c.Spawner.default_url = "/git-pull?" + urlencode(pull)  # every login pulls; changes are kept
else:
    c.Spawner.default_url = "/lab"

# Limits, enforced by TLJH's SystemdSpawner (and Docker and Kubernetes spawners); the plain
# LocalProcessSpawner ignores them.
c.Spawner.mem_limit = MEM_LIMIT
c.Spawner.cpu_limit = CPU_LIMIT

# A server takes about 2.5 s of CPU to start: ten starting at once were all up in 22 s on two busy
# cores here. Allow a whole class arriving together (about 2.5 s x learners / cores) to start.
c.Spawner.start_timeout = 300
c.Spawner.http_timeout = 180

# Idle servers stop. TLJH runs its own idle culler: set it with
# `sudo tljh-config set services.cull.timeout 3600` (see README.md). Elsewhere, this starts
# jupyterhub-idle-culler (`pip install jupyterhub-idle-culler` into the hub's environment).
if "TLJH_INSTALL_PREFIX" not in os.environ:
    if importlib.util.find_spec("jupyterhub_idle_culler") is not None:
        c.JupyterHub.services.append({
            "name": "idle-culler",
            "command": [sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={IDLE_TIMEOUT}"],
        })
        c.JupyterHub.load_roles.append({
            "name": "idle-culler",
            "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
            "services": ["idle-culler"],
        })
    else:
        print("aipm hub settings: jupyterhub-idle-culler is not installed; idle servers will not be stopped", file=sys.stderr)
