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

.PHONY: demo test lint typecheck bench bench-patterns bench-batch
demo: $(STAMP)
	$(VENV)/bin/chokepoint lists import tests/fixtures/lists/consolidated.csv --format csl-csv --name csl-sample
	$(VENV)/bin/chokepoint screen examples/etch-tool-to-china.json --format table

test: $(STAMP)
	$(VENV)/bin/python -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .

# mypy --strict over schemas, screener, api, cli (pyproject.toml [tool.mypy]); not yet part
# of `test`: 14 errors remain in screener/decide.py, settle.py, facts.py, parties/importers.py
typecheck: $(STAMP)
	$(VENV)/bin/python -m mypy

bench: $(STAMP)
	$(VENV)/bin/python bench/bench_rules.py --backend python
	$(VENV)/bin/python bench/bench_rules.py --backend durable
	$(VENV)/bin/python bench/bench_drafts.py

bench-patterns: $(STAMP)
	$(VENV)/bin/python bench/bench_patterns.py

bench-batch: $(STAMP)
	$(VENV)/bin/python bench/bench_batch.py --lines 100000 1000000
