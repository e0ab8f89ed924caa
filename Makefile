# The two commands a newcomer needs: `make start` (install, build the store, run the main job) and
# `make test` (install the test dependencies, run every test). Exact versions come from constraints.txt.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt

.PHONY: start test fuzz install install-test build bench lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

install: $(BIN)/python
	scripts/system-deps.sh
	$(PIP) -e .

install-test: $(BIN)/python
	scripts/system-deps.sh --test
	$(PIP) -e '.[test]'

start: install
	$(BIN)/grondstof serve

test: install-test
	$(BIN)/pytest -n 2 -q

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
	.venv-lock/bin/pip install --quiet -e '.[test]'
	.venv-lock/bin/pip freeze --exclude-editable | grep -v '^grondstof' > constraints.txt
	rm -rf .venv-lock

clean:
	rm -rf $(VENV) .pytest_cache
