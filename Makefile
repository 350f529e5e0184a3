PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.installed-fast

.PHONY: serve lint test bench install clean

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

test: lint
	$(PY) -m pytest -q

bench: $(BENCH_STAMP)
	$(PY) bench/xmlrpc_throughput.py
	$(PY) bench/throttle_cost.py
	$(PY) bench/engine_goals.py
	$(PY) bench/engine_drain.py
	$(PY) bench/rest_v2_read.py

clean:
	rm -rf $(VENV) .sandbox .pytest_cache
