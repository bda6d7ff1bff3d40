# brokerlake: `make demo` runs the main job, `make test` runs the tests, `make bench` measures.
# Each target creates .venv from the pinned dependencies (requirements.lock) when missing.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.brokerlake-installed
HOME_DIR ?= data
export DAGSTER_HOME ?= $(abspath $(HOME_DIR))/dagster
# `make demo` and `make ui` read the built-in sandbox, unless SOURCES names a sources file
# (or BROKERLAKE_SOURCES does): `make demo SOURCES=sources.yaml`.
SOURCES ?=
ifneq ($(strip $(SOURCES)),)
RUN_ENV := BROKERLAKE_SOURCES=$(abspath $(SOURCES))
else ifeq ($(strip $(BROKERLAKE_SOURCES)),)
RUN_ENV := BROKERLAKE_SANDBOX=1
endif

.PHONY: demo test bench ui lint lock clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	@mkdir -p $(DAGSTER_HOME)
	@test -f $(DAGSTER_HOME)/dagster.yaml || cp dagster.yaml $(DAGSTER_HOME)/dagster.yaml
	@$(RUN_ENV) $(BIN)/brokerlake demo --home $(HOME_DIR) $(ARGS)

# The test files run on every core (pytest-xdist), a file's tests in one worker so its
# fixtures are built once.
TEST_WORKERS ?= auto
test: $(STAMP)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# Throughput, memory and requests against the sandbox: SCALE=S (the demo world), M or L.
SCALE ?= S
bench: $(STAMP)
	$(BIN)/python -m benchmarks.run --scale $(SCALE)

ui: $(STAMP)
	@mkdir -p $(DAGSTER_HOME)
	@test -f $(DAGSTER_HOME)/dagster.yaml || cp dagster.yaml $(DAGSTER_HOME)/dagster.yaml
	$(RUN_ENV) BROKERLAKE_HOME=$(abspath $(HOME_DIR)) $(BIN)/dagster dev -w workspace.yaml

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Re-pin every dependency to the newest release that satisfies pyproject.toml.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet -e '.[dev]'
	.lock-venv/bin/python -m pip freeze --exclude-editable | grep -v '^brokerlake' > requirements.lock
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) $(HOME_DIR)
