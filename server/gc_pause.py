"""Pausing Python's cyclic garbage collector around bulk work: a broadcast renders and records 100,000 messages,
whose dicts and strings trigger full collections that walk every live object again and again (a third of the
work, measured by bench/broadcast.py). The work makes no reference cycles worth collecting early; collection
resumes when the last pause ends (pauses may overlap across threads: the collector is process-wide)."""
from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def paused() -> Iterator[None]:
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
