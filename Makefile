# The two commands a newcomer needs: `make start` (install, build the store, run the main job) and
# `make test` (install the test dependencies, lint and type-check, run every test). `make test-spark` adds the spark extra and
# runs the DuckDB/Spark parity suite (tests marked `spark`). Exact versions come from constraints.txt.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt

.PHONY: start test test-spark fuzz install install-test install-spark build bench lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

install: $(BIN)/python
	scripts/system-deps.sh
	$(PIP) -e .

install-test: $(BIN)/python
	scripts/system-deps.sh --test
	$(PIP) -e '.[test]'

install-spark: install-test
	scripts/system-deps.sh --spark
	$(PIP) -e '.[test,spark]'

start: install
	$(BIN)/grondstof serve

test: install-test
	$(BIN)/ruff check src tests tools benchmarks
	$(BIN)/mypy src
	$(BIN)/pytest -n 2 -q -m "not spark"

# One process (one local Spark session shared by the suite, two cores): a few minutes.
test-spark: install-spark
	$(BIN)/pytest -q -m spark

# Long randomized fuzzing apart from `make test` (which is derandomized and bounded): the Hypothesis
# properties, the URL tests and schemathesis with random inputs for FUZZ_MINUTES; appends the inputs tried
# and server errors found to benchmarks/results/fuzz.csv.
FUZZ_MINUTES ?= 10
fuzz: install-test
	$(BIN)/python benchmarks/fuzz.py --minutes $(FUZZ_MINUTES)

bench: install
	$(BIN)/python benchmarks/run_all.py

# Regenerate constraints.txt from a fresh environment with every extra installed.
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet -e '.[test,spark]'
	.venv-lock/bin/pip freeze --exclude-editable | grep -v '^grondstof' > constraints.txt
	rm -rf .venv-lock

clean:
	rm -rf $(VENV) .pytest_cache
