"""Reading a contact file, a record at a time, for a bulk import (server.domain.crm.contact_import): CSV with a
header row of field names, or JSON lines (one object a line). Both read a byte stream as it arrives, so the
whole file is never in memory.

Each record comes out as ``(line, data)``: ``line`` is the line it starts on (1 is the CSV header), ``data`` its
fields by Infusionsoft name (custom fields as ``_Name``). An empty CSV cell is a field not given. A line that
cannot be read as a record comes out with a ``BadLine`` in place of its data, so that the import can list it
with the others; a file that cannot be read at all (no header, not UTF-8, not CSV) raises ``BadFile``.
"""
from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from typing import BinaryIO

from server import json_input

CSV = "text/csv"
JSON_LINES = ("application/x-ndjson", "application/jsonl", "application/x-jsonlines")
MEDIA_TYPES = (CSV, *JSON_LINES)


class BadFile(ValueError):
    """The file cannot be read: ``problem`` says why, at ``line`` (None: the file as a whole); the message names
    the line."""

    def __init__(self, problem: str, line: int | None = None):
        super().__init__(problem if line is None else f"line {line}: {problem}")
        self.problem = problem
        self.line = line


class BadLine(ValueError):
    """One line is not a record (the message says why)."""


def records(stream: BinaryIO, media_type: str) -> Iterator[tuple[int, object]]:
    return csv_records(stream) if media_type == CSV else json_lines(stream)


def header(stream: BinaryIO) -> tuple[list[str], Iterator[tuple[int, object]]]:
    """A CSV file's field names, and its records."""
    reader = csv.reader(_text_lines(stream), strict=True)
    try:
        names = [n.strip() for n in next(reader)]
    except StopIteration:
        raise BadFile("the file is empty: a CSV import starts with a header row of field names") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise BadFile(_why(exc), 1) from None
    for i, name in enumerate(names, start=1):
        if not name:
            raise BadFile(f"column {i} of the header has no field name", 1)
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise BadFile(f"the header names {', '.join(repeated)} more than once", 1)
    return names, _rows(reader, names)


def csv_records(stream: BinaryIO) -> Iterator[tuple[int, object]]:
    _, rows = header(stream)
    yield from rows


def _rows(reader, names: list[str]) -> Iterator[tuple[int, object]]:
    end = reader.line_num
    while True:
        start = end + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except (UnicodeDecodeError, csv.Error) as exc:
            raise BadFile(_why(exc), reader.line_num) from None
        end = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(names):
            yield start, BadLine(f"{len(cells)} cells, but the header names {len(names)} fields")
            continue
        yield start, {n: c for n, c in zip(names, cells) if c != ""}


def _text_lines(stream: BinaryIO) -> Iterator[str]:
    """The stream's lines as text (a byte-order mark dropped); BadFile naming the first line not UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    for number, raw in enumerate(stream, start=1):
        try:
            yield decoder.decode(raw)
        except UnicodeDecodeError:
            raise BadFile("not UTF-8 text", number) from None


def json_lines(stream: BinaryIO) -> Iterator[tuple[int, object]]:
    for number, text in enumerate(_text_lines(stream), start=1):
        if not text.strip():
            continue
        try:
            data = json_input.loads(text)
        except json_input.BadJson as exc:
            yield number, BadLine(exc.message.replace("The request body", "the line"))
            continue
        yield number, data if isinstance(data, dict) else BadLine("a line must be one JSON object")


def _why(exc: Exception) -> str:
    return "not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else f"not CSV ({exc})"
