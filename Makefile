# Two commands do everything on a fresh clone: `make demo` and `make test`.
# Each bootstraps .venv (from requirements/dev.lock, hashes checked) and, for
# the tests, node_modules (from package-lock.json) before it runs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NPM_STAMP := node_modules/.installed
PYTEST_ARGS ?=
MUTANTS_ARGS ?=

.PHONY: demo test lint typecheck unit bench mutants lock clean

$(STAMP): requirements/dev.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/dev.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

$(NPM_STAMP): package-lock.json package.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

demo: $(STAMP)
	$(BIN)/warroom demo

# worksteal: an idle worker takes tests queued on the busy one, so the few long end-to-end
# plays (chaos, drills) do not leave one core waiting at the end.
test: $(STAMP) $(NPM_STAMP) lint typecheck
	$(BIN)/python -m pytest -n 2 --dist worksteal $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests tools
	$(BIN)/ruff format --check src tests tools

typecheck: $(STAMP)
	$(BIN)/mypy --strict src

# Timings live here, never in tests. Each script prints its numbers and exits 1 on a missed goal.
bench: $(STAMP)
	$(BIN)/python bench/form_parser.py
	$(BIN)/python bench/record_parser.py
	$(BIN)/python bench/run.py
	$(BIN)/python bench/sweep.py
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/request_floor.py
	$(BIN)/python bench/report.py
	$(BIN)/python bench/web_markdown.py

# Mutation testing of the modules that decide (minutes on 2 cores, never part of `make test`):
# a score per module, exit 1 below the goal or on a survivor not in tests/mutants-reviewed.txt.
mutants: $(STAMP)
	$(BIN)/python tools/mutants.py $(MUTANTS_ARGS)

# Re-resolve the locks after editing pyproject.toml's dependencies.
lock:
	$(PYTHON) -m venv .cache/lock-tools
	.cache/lock-tools/bin/pip install --quiet pip-tools
	PIP_CONFIG_FILE=/dev/null .cache/lock-tools/bin/pip-compile -q --strip-extras --generate-hashes --allow-unsafe --no-emit-index-url --no-emit-find-links --no-emit-trusted-host --no-header -o requirements/runtime.lock pyproject.toml
	PIP_CONFIG_FILE=/dev/null .cache/lock-tools/bin/pip-compile -q --strip-extras --generate-hashes --allow-unsafe --no-emit-index-url --no-emit-find-links --no-emit-trusted-host --no-header --extra dev --extra drill -o requirements/dev.lock pyproject.toml

clean:
	rm -rf $(VENV) node_modules mutants .cache .pytest_cache .mypy_cache .ruff_cache .hypothesis
