# The two commands of the README: `make serve` and `make test`.
PORT ?= 8000
.PHONY: setup setup-test build serve test bench
setup:
	bash scripts/setup.sh
setup-test:
	bash scripts/setup.sh --test
build: setup
	.venv/bin/plankg build
serve: build
	.venv/bin/plankg serve --port $(PORT)
test: setup-test
	.venv/bin/python -m pytest -q
bench: setup-test
	.venv/bin/python bench/run_all.py
