"""A seed file of many records read one record at a time: ``contacts.json`` (a JSON array) is parsed
incrementally, a chunk of the file at a time, and ``contacts.jsonl`` (one object a line) is read line by line,
so a seed of a million contacts is never whole in memory (issue 18 §2: the whole 1,000,000-contact file took
3.3 GB as one ``json.loads``)."""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

CHUNK = 1 << 16
_DECODER = json.JSONDecoder()
_SPACE = " \t\r\n"


class BadSeed(ValueError):
    pass


def records(seed_dir: Path, name: str) -> Iterator[tuple[int, object]]:
    """``(number, record)`` of ``<name>.jsonl`` if the seed has one, else of the array in ``<name>.json``
    (nothing if neither exists); numbers count from 1."""
    lines = Path(seed_dir) / f"{name}.jsonl"
    if lines.exists():
        return _lines(lines)
    array = Path(seed_dir) / f"{name}.json"
    return _array(array) if array.exists() else iter(())


def _lines(path: Path) -> Iterator[tuple[int, object]]:
    with path.open(encoding="utf-8") as f:
        number = 0
        for line_number, line in enumerate(f, start=1):
            if line.strip():
                number += 1
                try:
                    yield number, json.loads(line)
                except ValueError:
                    raise BadSeed(f"{path.name}: line {line_number} is not JSON") from None


def _array(path: Path) -> Iterator[tuple[int, object]]:
    """The items of the JSON array in ``path``, each decoded as soon as the chunks read hold all of it."""
    with path.open(encoding="utf-8") as f:
        buffer, at, number, started = "", 0, 0, False

        def more() -> bool:
            nonlocal buffer, at
            chunk = f.read(CHUNK)
            if chunk:
                buffer, at = buffer[at:] + chunk, 0
            return bool(chunk)

        while True:
            while at < len(buffer) and buffer[at] in _SPACE:
                at += 1
            if at == len(buffer):
                if not more():
                    raise BadSeed(f"{path.name}: the array is cut short")
                continue
            char = buffer[at]
            if not started:
                if char != "[":
                    raise BadSeed(f"{path.name}: not a JSON array")
                started, at = True, at + 1
                continue
            if char == "]":
                return
            if char == "," and number:
                at += 1
                continue
            try:
                item, end = _DECODER.raw_decode(buffer, at)
            except ValueError:
                if more():
                    continue  # the item runs past the chunks read so far
                raise BadSeed(f"{path.name}: item {number + 1} is not JSON") from None
            if end == len(buffer) and more():
                continue  # a number may go on in the next chunk: decode it again with more text
            number += 1
            at = end
            yield number, item
