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

.PHONY: demo test lint typecheck bench bench-patterns bench-batch bench-load browser
demo: $(STAMP)
	$(VENV)/bin/chokepoint lists import tests/fixtures/lists/consolidated.csv --format csl-csv --name csl-sample
	$(VENV)/bin/chokepoint screen examples/etch-tool-to-china.json --format table

# The review pages' browser tests drive Debian's Chromium (Playwright cannot download its
# own here). Installed with apt when missing and apt is usable (as root); never fatal: without
# a browser tests/test_review_browser.py skips and says why.
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		echo "installing chromium for the browser tests (apt-get)"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
			>/dev/null 2>&1 || echo "chromium could not be installed: the browser tests will skip"; \
	else echo "no /usr/bin/chromium and no apt as root: the browser tests will skip"; fi

# the whole suite: lint and types first (cheap, and a type error is a bug), then pytest
test: $(STAMP) browser lint typecheck
	$(VENV)/bin/python -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .

# mypy --strict over schemas, screener, api, cli (pyproject.toml [tool.mypy])
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

# the service at 200 req/s for 60 s on SQLite and PostgreSQL (CHOKEPOINT_TEST_DATABASE_URL)
bench-load: $(STAMP)
	$(VENV)/bin/python bench/load.py --rate 200 --seconds 60 --db both
