# Instructor-only make targets (not shipped in the learner release).

.PHONY: verify test bench bench-taskforge bench-taskforge-load grade release gradescope-bundle lint format

verify: $(STAMP) ## prove the graders: make verify [ch30] [DIFF=1] [FULL=1] [REPEAT=3]
	@$(PY) -m graders verify $(or $(ARG),all) $(if $(DIFF),--diff) $(if $(FULL),--full) \
	  $(if $(REPEAT),--repeat $(REPEAT))

test: $(STAMP) ## the project's own tests, then verify
	@$(PY) -m pytest
	@$(PY) -m graders verify all

bench: $(STAMP) ## benchmarks (speed targets live here, never in tests)
	@$(PY) -m benchmarks

bench-taskforge: $(STAMP) ## TaskForge listing: starter vs reference on 50,000 tasks
	@$(PY) -m benchmarks taskforge

bench-taskforge-load: $(STAMP) ## TaskForge under gunicorn on loopback: SQLite beside PostgreSQL
	@$(PY) -m benchmarks.taskforge_load

grade: $(STAMP) ## batch-grade: make grade SUBMISSIONS=dir OUT=dir [SELECT=ch28,ch30] [JOBS=2]
	@test -n "$(SUBMISSIONS)" -a -n "$(OUT)" || { echo "usage: make grade SUBMISSIONS=dir OUT=dir"; exit 2; }
	@$(PY) -m graders grade "$(SUBMISSIONS)" --out "$(OUT)" --select "$(or $(SELECT),all)" \
	  $(if $(JOBS),--jobs $(JOBS))

release: $(STAMP) ## the learner-facing repository: make release OUT=dir
	@test -n "$(OUT)" || { echo "usage: make release OUT=dir"; exit 2; }
	@$(PY) -m graders.instructor.release "$(OUT)"

gradescope-bundle: $(STAMP) ## build/gradescope-autograder.zip: make gradescope-bundle [SELECT=ch30]
	@$(PY) -m graders.instructor.gradescope build/gradescope-autograder.zip --select "$(or $(SELECT),all)"

lint: $(STAMP) ## ruff check and format check
	@$(PY) -m ruff check .
	@$(PY) -m ruff format --check .

format: $(STAMP)
	@$(PY) -m ruff format .
	@$(PY) -m ruff check --fix .
