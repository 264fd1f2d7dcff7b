# The AI PM Workbook: everyday commands.
#   make lab    set up (first time only) and open the workbook in JupyterLab
#   make test   set up (or update) and run the whole test suite on all cores
# Needs only Python 3.10+ and make. Everything is installed into .venv/ inside this folder.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Extra arguments for JupyterLab, e.g. make lab LAB_ARGS="--no-browser --port 8890"
LAB_ARGS ?=
# Extra arguments for pytest, e.g. make test TEST_ARGS="-k checking"
TEST_ARGS ?=
# uv installs in seconds; INSTALLER=pip uses plain pip instead.
INSTALLER ?= uv

.DEFAULT_GOAL := help
.PHONY: help lab test test-lowest start doctor progress exercises check-exercises outputs site clean

help:
	@echo "make lab        open the workbook (JupyterLab on notebooks/00_start_here.ipynb)"
	@echo "make test       run the whole test suite (unit tests and every notebook)"
	@echo "make test-lowest  run it against the oldest supported versions of every dependency"
	@echo "make start      copy the exercises into your work folder my_work/ (never overwrites)"
	@echo "make doctor     check the environment and say how to fix what is wrong"
	@echo "make progress   show which questions you have attempted and passed"
	@echo "make exercises  regenerate exercises/ from solutions/ (for authors)"
	@echo "make outputs    re-run lessons and solutions, store their outputs (for authors)"
	@echo "make site       build the course site (lessons, solved exercises, guides) in site/"
	@echo "make clean      remove the virtual environment and build outputs (keeps my_work/)"

# The environment is rebuilt when pyproject.toml changes. uv makes a first install take
# seconds instead of about a minute; when it cannot be installed, plain pip does the job.
$(VENV)/.kit-installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "The workbook needs Python 3.10 or newer; found " + sys.version.split()[0] + ". Install a newer Python, or run: make PYTHON=python3.12 lab")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { echo "Could not create a virtual environment. On Debian/Ubuntu: sudo apt install python3-venv"; exit 1; }
	@if test "$(INSTALLER)" = uv; then $(BIN)/python -m pip install --quiet --upgrade uv || echo "(uv not available; installing with pip, which is slower)"; fi
	@if test "$(INSTALLER)" = uv && test -x $(BIN)/uv; then \
	  $(BIN)/uv pip install --quiet --python $(BIN)/python -e ".[test]"; \
	else \
	  $(BIN)/python -m pip install --quiet -e ".[test]"; \
	fi
	@touch $@

# `aipm lab` fills my_work/ (never overwriting) and starts JupyterLab on the start notebook.
lab: $(VENV)/.kit-installed
	$(BIN)/aipm lab $(LAB_ARGS)

test: $(VENV)/.kit-installed
	$(BIN)/python -m pytest -n auto $(TEST_ARGS)

# The suite against the lowest versions pyproject.toml allows, in a separate environment:
# this is what makes the lower bounds "tested" rather than guessed.
test-lowest:
	rm -rf .venv-lowest
	$(PYTHON) -m venv .venv-lowest
	.venv-lowest/bin/python -m pip install --quiet uv
	.venv-lowest/bin/uv pip install --quiet --python .venv-lowest/bin/python --resolution lowest-direct -e ".[test]"
	.venv-lowest/bin/python -m pytest -n auto $(TEST_ARGS)

start doctor progress: $(VENV)/.kit-installed
	@$(BIN)/aipm $@

exercises: $(VENV)/.kit-installed
	$(BIN)/aipm build-exercises

check-exercises: $(VENV)/.kit-installed
	$(BIN)/aipm build-exercises --check

clean:
	rm -rf $(VENV) .venv-lowest build dist site .pytest_cache *.egg-info

# The course site (Sphinx, myst-nb, sphinx-book-theme; settings in docs/conf.py), from the notebooks'
# stored outputs, offline: open site/index.html. Its sources and caches go to build/site/.
# The site extra is installed the first time (the test extra has it too).
$(VENV)/.site-installed: pyproject.toml $(VENV)/.kit-installed
	@if test "$(INSTALLER)" = uv && test -x $(BIN)/uv; then \
	  $(BIN)/uv pip install --quiet --python $(BIN)/python -e ".[site]"; \
	else \
	  $(BIN)/python -m pip install --quiet -e ".[site]"; \
	fi
	@touch $@

site: $(VENV)/.site-installed
	rm -rf site
	$(BIN)/python -m aipm_course.site site

# For authors: re-run the lessons and solutions and store their outputs (nbval compares them).
# Each notebook runs with a fresh, empty work folder of its own under build/ (as in the tests), so
# nothing lands in my_work/ and no notebook's saved files change another's output. Regenerates exercises/.
# `make outputs ONLY=04` re-runs one module's lesson and solution.
ONLY ?= [0-9][0-9]
outputs: $(VENV)/.kit-installed
	rm -rf build/authoring-work/notebooks-$(ONLY)_* build/authoring-work/solutions-$(ONLY)_*
	set -e; for nb in notebooks/$(ONLY)_*.ipynb solutions/$(ONLY)_*.ipynb; do \
	  [ -e "$$nb" ] || continue; \
	  work="$(CURDIR)/build/authoring-work/$$(dirname $$nb)-$$(basename $$nb .ipynb)"; mkdir -p "$$work"; \
	  AIPM_WORK_DIR="$$work" $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	    --ExecutePreprocessor.record_timing=False --ExecutePreprocessor.timeout=600 "$$nb"; \
	done
	$(BIN)/aipm build-exercises
