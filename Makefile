PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.installed-fast

.PHONY: serve lint test bench fuzz install clean browser

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

$(BENCH_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[test,fast]'
	touch $(BENCH_STAMP)

install: $(STAMP)

serve: $(STAMP)
	$(VENV)/bin/sandbox serve

lint: $(STAMP)
	$(VENV)/bin/ruff check .

# the inspector's browser tests drive Debian's chromium; installed here when missing and we may (root, apt-get),
# otherwise those tests skip and say why
browser:
	@if ! command -v chromium >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		apt-get install -y -qq chromium chromium-driver >/dev/null 2>&1 || echo "chromium could not be installed: browser tests will skip"; \
	fi

test: lint browser
	$(PY) -m pytest -q

# a longer fuzz run than the suite's (not part of make test): 50,000 XML-RPC cases, 50 schemathesis examples an operation
fuzz: $(STAMP)
	SANDBOX_FUZZ_CASES=50000 SANDBOX_FUZZ_EXAMPLES=50 $(PY) -m pytest -q -n 0 -p no:cacheprovider \
		tests/xmlrpc/test_fuzz.py tests/rest/test_openapi.py

bench: $(BENCH_STAMP)
	$(PY) bench/xmlrpc_throughput.py
	$(PY) bench/throttle_cost.py
	$(PY) bench/engine_goals.py
	$(PY) bench/engine_drain.py
	$(PY) bench/rest_v2_read.py
	$(PY) bench/snapshot_restore.py
	$(PY) bench/query_scale.py
	$(PY) bench/bulk_import.py
	$(PY) bench/memory.py

clean:
	rm -rf $(VENV) .sandbox .pytest_cache
