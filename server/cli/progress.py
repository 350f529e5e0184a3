"""Progress of long CLI work on stderr (seeding an app, resetting it, importing an export): click's progress bar,
one for each stage the work reports (``progress(stage, done, total)``). On a terminal it draws; in a file or a pipe
click writes each stage's label once, so a log shows where the work went without a line per step."""
from __future__ import annotations

import sys

import click


class Stages:
    """``progress(stage, done, total)`` drawn as a bar per stage; a context manager that finishes the last."""

    def __init__(self, label: str):
        self.label = label
        self.stage: str | None = None
        self.bar = None
        self.done = 0

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage:
            self.close()
            self.stage, self.done = stage, 0
            self.bar = click.progressbar(length=max(total, 1), label=f"{self.label}: {stage}", file=sys.stderr,
                                         show_eta=False, show_pos=total > 1)
            self.bar.__enter__()
        if done > self.done:
            self.bar.update(done - self.done)
            self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None

    def __enter__(self) -> Stages:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
