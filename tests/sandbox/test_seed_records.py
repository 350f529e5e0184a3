"""server.sandbox.seeding.records: a seed's contacts read one record at a time, from a JSON array parsed a chunk
at a time or from JSON lines."""
from __future__ import annotations

import itertools
import json

import pytest

from server.config import default_seed_dir
from server.sandbox.seeding import records


def test_the_array_parsed_in_small_chunks_gives_what_json_load_gives(monkeypatch):
    monkeypatch.setattr(records, "CHUNK", 7)  # every record spans several chunks
    seed = default_seed_dir()
    expected = json.loads((seed / "contacts.json").read_text(encoding="utf-8"))
    got = list(records.records(seed, "contacts"))
    assert [n for n, _ in got] == list(range(1, len(expected) + 1))
    assert [r for _, r in got] == expected


def test_records_come_before_the_rest_of_the_file_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(records, "CHUNK", 16)
    (tmp_path / "contacts.json").write_text('[{"FirstName": "A"}, {"FirstName": "B"}, ' + "x" * 10_000)
    first_two = list(itertools.islice(records.records(tmp_path, "contacts"), 2))
    assert first_two == [(1, {"FirstName": "A"}), (2, {"FirstName": "B"})]
    with pytest.raises(records.BadSeed, match="item 3 is not JSON"):
        list(records.records(tmp_path, "contacts"))
    (tmp_path / "cut.json").write_text('[1, 2')
    with pytest.raises(records.BadSeed, match="cut short"):
        list(records.records(tmp_path, "cut"))


def test_json_lines_are_preferred_and_numbers_split_across_chunks_survive(tmp_path, monkeypatch):
    monkeypatch.setattr(records, "CHUNK", 3)
    (tmp_path / "contacts.json").write_text("[12345678, 3.25e10]")
    assert list(records.records(tmp_path, "contacts")) == [(1, 12345678), (2, 3.25e10)]
    (tmp_path / "contacts.jsonl").write_text('{"FirstName": "L1"}\n\n{"FirstName": "L2"}\n')
    assert list(records.records(tmp_path, "contacts")) == [(1, {"FirstName": "L1"}), (2, {"FirstName": "L2"})]
    assert list(records.records(tmp_path, "nothing")) == []
