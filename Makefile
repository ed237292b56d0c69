# The two commands of the README: `make serve` and `make test`. `make help` lists every target.
PORT ?= 8000
PYTEST = .venv/bin/python -m pytest
# pytest caches its rewritten test modules as bytecode: 7 s of each run's collection where the
# environment turns bytecode off
unexport PYTHONDONTWRITEBYTECODE
.PHONY: help setup setup-test build serve test test-fast lint bench

help:
	@echo "make setup       install PlanKG into .venv (scripts/setup.sh)"
	@echo "make setup-test  setup plus what the tests need (dev requirements, Chromium, Virtuoso)"
	@echo "make build       setup, then build the graph and search index of data/plans into var/"
	@echo "make serve       build, then serve on http://127.0.0.1:\$$PORT (PORT=$(PORT))"
	@echo "make test        setup-test, then the whole test suite on both cores (all tiers, about 14 min)"
	@echo "make test-fast   setup-test, then the fast tier only: pytest -m fast -n 2 (under a minute)"
	@echo "                 tiers (tests/conftest.py): fast, server, browser, slow; e.g. pytest -m 'fast or slow'"
	@echo "make lint        setup-test, then ruff check, ruff format --check and mypy (what .ci/run runs first)"
	@echo "make bench       setup-test, then bench/run_all.py: the 1x-corpus benchmarks of docs/benchmarks.md"
	@echo "                 (about 4 min; results in var/bench/results; not the 10x/100x ones)."
	@echo "                 BENCH_ARGS=--quick runs the under-a-minute subset; see bench/run_all.py --help"

setup:
	bash scripts/setup.sh
setup-test:
	bash scripts/setup.sh --test
build: setup
	.venv/bin/plankg build
serve: build
	.venv/bin/plankg serve --port $(PORT)
# both cores: a module's tests stay on one worker (--dist loadscope), so its fixtures are set up once
test: setup-test
	$(PYTEST) -q -n 2 --dist loadscope --durations=30
test-fast: setup-test
	$(PYTEST) -q -m fast -n 2
lint: setup-test
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/python -m mypy
bench: setup-test
	.venv/bin/python bench/run_all.py $(BENCH_ARGS)
