# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test install install-test lint bench bench-scale clean-db

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

run: install
	$(BIN)/huanjie migrate --noinput
	$(BIN)/huanjie demo --if-empty
	$(BIN)/huanjie serve --port $(PORT)

test: install-test
	$(BIN)/python scripts/run_tests.py

lint: install-test
	$(BIN)/ruff check huanjie bench scripts conftest.py
	$(BIN)/lint-imports

bench-scale: install-test
	$(BIN)/python bench/bench_scale.py

bench: install-test
	$(BIN)/python bench/run_all.py

clean-db:
	rm -f var/huanjie.sqlite3 var/huanjie.sqlite3-wal var/huanjie.sqlite3-shm
