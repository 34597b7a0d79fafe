# The two commands of README.md: `make demo` (an offline crawl of the bundled replicas) and
# `make test` (the test suite). Both create the virtualenv first if it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_PORT ?= 8801

.PHONY: demo test lint bench clean

$(BIN)/newscrawl: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $@

demo: $(BIN)/newscrawl
	$(BIN)/python -m replica.demo --port-base $(DEMO_PORT)

test: $(BIN)/newscrawl
	$(BIN)/python -m pytest

lint: $(BIN)/newscrawl
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

bench: $(BIN)/newscrawl
	$(BIN)/python bench/extract.py

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache
