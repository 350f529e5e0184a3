"""What every benchmark shares in what it prints (issue 17 §3): a line for each step as it starts, a PASS or FAIL
line for each target, and the one switch that lets it write docs/performance.md.

A benchmark run by hand or by ``make bench`` prints its report and leaves docs/performance.md alone; ``make
bench-docs`` sets ``BENCH_WRITE_DOCS=1`` and the report's section is written there too (``write_docs``). The
servers a benchmark starts log only warnings (``QUIET_SERVER``): a line per call is work the baselines do not do.
"""
from __future__ import annotations

import os

WRITE_DOCS = "BENCH_WRITE_DOCS"
QUIET_SERVER = {"SANDBOX_LOG_LEVEL": "warning"}


def step(text: str) -> None:
    print(f"[bench] {text}", flush=True)


def check(name: str, value: float, *, at_most: float | None = None, at_least: float | None = None,
          unit: str = "") -> bool:
    """Print whether ``value`` meets its target (``at_most`` or ``at_least``); answer it."""
    ok = value <= at_most if at_most is not None else value >= at_least
    bound = f"at most {at_most:g}" if at_most is not None else f"at least {at_least:g}"
    print(f"[{'PASS' if ok else 'FAIL'}] {name}: {value:,.2f}{unit} (target: {bound}{unit})", flush=True)
    return ok


def write_docs() -> bool:
    """Whether this run writes its section of docs/performance.md (``make bench-docs``)."""
    return os.environ.get(WRITE_DOCS) == "1"
