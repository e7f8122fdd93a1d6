# The two commands of the README: `make run` (set-up + main job) and `make test` (set-up + tests).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test install

$(BIN)/.kotechnews-installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/.kotechnews-installed

run: install
	$(BIN)/kotechnews run

test: install
	bash scripts/install-test-deps.sh
	$(BIN)/pytest
