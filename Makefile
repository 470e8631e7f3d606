# Two entry points, each doing all set-up from a fresh clone (see README).
PYTHON ?= python3.11
VENV := .venv
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

$(STAMP): pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e '.[dev,durable]'
	rm -f $(VENV)/.installed-*
	touch $@

.PHONY: demo test lint bench bench-patterns bench-batch bench-load
demo: $(STAMP)
	$(VENV)/bin/chokepoint lists import tests/fixtures/lists/consolidated.csv --format csl-csv --name csl-sample
	$(VENV)/bin/chokepoint screen examples/etch-tool-to-china.json --format table

test: $(STAMP)
	$(VENV)/bin/python -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .

bench: $(STAMP)
	$(VENV)/bin/python bench/bench_rules.py --backend python
	$(VENV)/bin/python bench/bench_rules.py --backend durable
	$(VENV)/bin/python bench/bench_drafts.py

bench-patterns: $(STAMP)
	$(VENV)/bin/python bench/bench_patterns.py

bench-batch: $(STAMP)
	$(VENV)/bin/python bench/bench_batch.py --lines 100000 1000000

# the service at 200 req/s for 60 s on SQLite and PostgreSQL (CHOKEPOINT_TEST_DATABASE_URL)
bench-load: $(STAMP)
	$(VENV)/bin/python bench/load.py --rate 200 --seconds 60 --db both
