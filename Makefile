# The two commands of the README: `make run` (set-up + main job) and `make test` (set-up, lint
# and format check, tests).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test install install-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The main job needs the package alone; the tests add the test extra (torch CPU wheel included).
$(BIN)/.kotechnews-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(BIN)/.kotechnews-test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/.kotechnews-installed

install-test: $(BIN)/.kotechnews-test-installed

run: install
	$(BIN)/kotechnews run

test: install-test
	bash scripts/install-test-deps.sh
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/pytest
