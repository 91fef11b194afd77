# Course toolkit: `make check ch30` for learners, `make test` for the project's own tests.
# The first run builds .venv from pyproject.toml; nothing else needs installing by hand.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

# `make check ch30`: the word after the command is its argument, not a target.
COMMANDS_WITH_ARG := check hint watch quiz checklist verify gate notebooks
ifneq ($(filter $(firstword $(MAKECMDGOALS)),$(COMMANDS_WITH_ARG)),)
  ARG := $(wordlist 2,$(words $(MAKECMDGOALS)),$(MAKECMDGOALS))
  $(eval $(ARG):;@:)
endif

.PHONY: help venv check hint progress watch quiz checklist list gate notebooks serve serve-prod \
        taskforge-starter clean site site-serve

help: ## show the commands
	@echo "Learners:     make check ch30 [V=1] | make hint | make watch ch30 | make progress"
	@echo "              make quiz ch31 [ANSWERS=abcd] | make checklist ch31 | make notebooks [ch31] | make list"
	@echo "Reading:      make site (the course website in build/site) | make site-serve"
	@test ! -f instructor.mk || echo "Instructors:  make verify | make test | make bench | make lint | make grade | make release | make gradescope-bundle"
	@echo "TaskForge:    make gate phase7 [TARGET=dir] | make taskforge-starter$$(test -d taskforge && echo ' | make serve')"

$(STAMP): pyproject.toml
	@test -x $(PY) || { echo "[1/3] Creating $(VENV) (first run only)..."; $(PYTHON) -m venv $(VENV); }
	@echo "[2/3] Updating pip..."
	@$(PY) -m pip install --quiet --upgrade pip \
	  || { echo "error: updating pip failed (output above)"; exit 1; }
	@echo "[3/3] Installing the course's dependencies (a few minutes the first time; pip lists each one)..."
	@{ $(PY) -m pip install --progress-bar off -e '.[dev]' 2>&1; echo $$? > $(VENV)/install.rc; } \
	  | tee $(VENV)/install.log | grep --line-buffered -E '^(Collecting|Successfully)' || true
	@test "$$(cat $(VENV)/install.rc)" = 0 \
	  || { tail -n 30 $(VENV)/install.log; echo "error: installing dependencies failed (log: $(VENV)/install.log)"; exit 1; }
	@echo "Ready."
	@touch $(STAMP)

venv: $(STAMP) ## create or update the virtual environment

check: $(STAMP) ## grade exercises: make check ch30 (or all, or ch30/transfer_rollback) [V=1]
	@$(PY) -m graders check $(or $(ARG),all) $(if $(TARGET),--target $(TARGET)) $(if $(V),-v) $(ARGS)

hint: $(STAMP) ## next hint for the exercise you are working on (or: make hint ch30)
	@$(PY) -m graders hint $(or $(ARG),all)

watch: $(STAMP) ## re-run the check on every save: make watch ch30
	@$(PY) -m graders watch $(or $(ARG),all)

progress: $(STAMP) ## done / started / not started per chapter
	@$(PY) -m graders progress

quiz: $(STAMP) ## knowledge check: make quiz ch31 [ANSWERS=abcd]
	@$(PY) -m graders quiz $(ARG) $(if $(ANSWERS),--answers '$(ANSWERS)')

checklist: $(STAMP) ## tick the "I can ..." list: make checklist ch31
	@$(PY) -m graders checklist $(ARG)

list: $(STAMP) ## chapters and exercises in order
	@$(PY) -m graders list

gate: $(STAMP) ## grade your TaskForge: make gate phase7 [TARGET=dir]
	@$(PY) -m graders gate $(or $(ARG),phase7) $(if $(TARGET),--target $(TARGET)) $(if $(V),-v)

notebooks: $(STAMP) ## build the notebooks and open JupyterLab: make notebooks [ch30]
	@$(PY) notebooks/build.py
	@$(PY) -c "import jupyterlab" 2>/dev/null || { echo "Installing Jupyter (first run only)..."; \
	  $(PY) -m pip install --quiet -e '.[lab]'; }
	@$(PY) notebooks/lab.py $(ARG)

site: $(STAMP) ## the course website, built into build/site (works offline)
	@$(PY) -c "import mkdocs, material, nbconvert" 2>/dev/null || { echo "Installing MkDocs (first run only)..."; \
	  $(PY) -m pip install --quiet -e '.[site]'; }
	@$(PY) -m coursesite build

site-serve: site ## serve the website on http://127.0.0.1:8000 [PORT=8000]
	@$(PY) -m coursesite serve $(if $(PORT),--port $(PORT))

serve: $(STAMP) ## TaskForge reference on http://127.0.0.1:5000 with demo data
	@test -d taskforge || { echo "make serve runs the instructors' reference TaskForge, which this repository does not include; try make taskforge-starter"; exit 2; }
	@mkdir -p instance
	@TASKFORGE_ENV=development $(VENV)/bin/flask --app taskforge migrate
	@TASKFORGE_ENV=development $(VENV)/bin/flask --app taskforge seed
	@TASKFORGE_ENV=development $(VENV)/bin/flask --app taskforge run --host 127.0.0.1 --port 5000

serve-prod: $(STAMP) ## TaskForge reference under gunicorn: make serve-prod [WORKERS=2] (production settings)
	@test -d taskforge || { echo "make serve-prod runs the instructors' reference TaskForge, which this repository does not include"; exit 2; }
	@test -n "$$TASKFORGE_SECRET_KEY" || { echo "make serve-prod runs in production mode: export TASKFORGE_SECRET_KEY first (python -c 'import secrets; print(secrets.token_urlsafe(48))')"; exit 2; }
	@mkdir -p instance
	@$(VENV)/bin/flask --app taskforge migrate
	@WEB_CONCURRENCY=$(or $(WORKERS),2) $(VENV)/bin/gunicorn -c python:taskforge.gunicorn_conf

taskforge-starter: $(STAMP) ## the learner's starter TaskForge on http://127.0.0.1:5001
	@$(VENV)/bin/flask --app exercises.taskforge run --host 127.0.0.1 --port 5001

clean:
	rm -rf $(VENV) .course .pytest_cache .ruff_cache build *.egg-info

# Instructor targets live apart so the learner release can leave them out.
-include instructor.mk
