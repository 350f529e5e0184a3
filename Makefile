PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SERVE_STAMP := $(VENV)/.installed-serve
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.installed-fast

.PHONY: serve lint test bench bench-docs bench-scale fuzz install clean browser

# what serving needs and nothing more: `make serve` installs only this
$(SERVE_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $(SERVE_STAMP)

# the test extras on top, for `make test`, `make lint` and the rest
$(STAMP): $(SERVE_STAMP)
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

$(BENCH_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[test,fast]'
	touch $(BENCH_STAMP)

install: $(STAMP)

serve: $(SERVE_STAMP)
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

# a longer fuzz run than the suite's (not part of make test): 50,000 XML-RPC cases, 50 schemathesis examples an
# operation on REST v1's document and on Keap's v2 document
fuzz: $(STAMP)
	SANDBOX_FUZZ_CASES=50000 SANDBOX_FUZZ_EXAMPLES=50 SANDBOX_FUZZ_PHASES=examples,coverage,fuzzing $(PY) -m pytest -q -n 0 -p no:cacheprovider \
		tests/xmlrpc/test_fuzz.py tests/rest/test_openapi.py tests/rest_v2/test_schemathesis.py

# each benchmark prints its steps and a [PASS]/[FAIL] line per target; only `make bench-docs` writes
# docs/performance.md (BENCH_WRITE_DOCS=1, bench/targets.py)
BENCHES = xmlrpc_throughput throttle_cost engine_goals engine_drain rest_v2_read snapshot_restore query_answer \
	query_scale bulk_import memory

bench: $(BENCH_STAMP)
	@n=0; for b in $(BENCHES); do n=$$((n + 1)); \
		echo "== bench $$n of $(words $(BENCHES)): bench/$$b.py"; \
		$(PY) bench/$$b.py || exit 1; \
	done

bench-docs:
	BENCH_WRITE_DOCS=1 $(MAKE) bench

# needs PostgreSQL and Redis (SANDBOX_TEST_DATABASE_URL, SANDBOX_TEST_REDIS_URL, or their loopback defaults)
bench-scale: $(BENCH_STAMP)
	$(PY) bench/scale_out.py

clean:
	rm -rf $(VENV) .sandbox .pytest_cache
