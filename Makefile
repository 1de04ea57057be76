# ia-territoriales: the one task menu. Every target does its own set-up.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
HOST   ?= 127.0.0.1
PORT   ?= 8000
STAMP  := $(VENV)/.installed

.PHONY: serve test lint build bench bench-readme clean browser

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

## Build the graph from ontology/, shapes/, data/ and sources/ (only when an input changed).
build: $(STAMP)
	$(VENV)/bin/ia-territoriales build --if-needed

## Build if needed, then serve http://$(HOST):$(PORT)
serve: build
	$(VENV)/bin/ia-territoriales serve --host $(HOST) --port $(PORT)

## Debian's chromium for the page checks (not downloaded by a test tool).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installation de chromium (Debian)…"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "chromium indisponible : les tests navigateur échoueront"; }

test: $(STAMP) browser
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check . || true

$(VENV)/.bench-installed: $(STAMP) pyproject.toml
	$(PY) -m pip install --quiet -e '.[bench]'
	@touch $@

## Benchmarks side by side (bench/__main__.py): 1k and 10k cases; BENCH_ARGS="--sizes 100000" for 100k
bench: $(VENV)/.bench-installed
	$(PY) -m bench $(BENCH_ARGS)

## The README's figures (between <!-- bench:begin/end -->) from bench/results/*.json, the latest run of each size
bench-readme: $(STAMP)
	$(PY) -m bench.report --write-readme README.md $(or $(BENCH_RESULTS),$(wildcard bench/results/*.json))

clean:
	rm -rf var .pytest_cache
