"""server.domain.crm.contact_import consumes its records a batch at a time (memory bounded by the batch, not the
input), and server.store.portable loads an export as it reads it: both checked by what the input has given
when the first batch is written."""
from __future__ import annotations

import io

from server.domain.crm import contact_import
from server.sandbox import exports
from server.store import apps
from server.store.db import transaction
from tests.conftest import TestApp


def test_records_are_consumed_a_batch_at_a_time(live, empty_app):
    pulled = []

    def records():
        for i in range(1, 1001):
            pulled.append(i)
            yield i, {"FirstName": f"G{i}", "Email": f"g{i}@example.com"}

    seen_at_progress = []
    with transaction(live.sandbox.engine, write=True) as conn:
        s = live.sandbox.env.session(conn, apps.by_name(conn, empty_app.name))
        result = contact_import.import_contacts(s, records(), batch=100,
                                                progress=lambda n: seen_at_progress.append((n, len(pulled))))
    assert result.imported == 1000
    # each batch is written before the next record is pulled: never more than one batch read ahead
    assert seen_at_progress == [(n, n) for n in range(100, 1001, 100)]
    assert empty_app.call("DataService.count", "Contact", {"Email": "g%"}) == 1000


class CountingStream(io.BytesIO):
    def __init__(self, data: bytes):
        super().__init__(data)
        self.read_so_far = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.read_so_far += len(chunk)
        return chunk

    def read1(self, size=-1):
        chunk = super().read1(size)
        self.read_so_far += len(chunk)
        return chunk

    def readinto(self, b):
        n = super().readinto(b)
        self.read_so_far += n
        return n


def test_an_export_is_loaded_as_it_is_read(live, empty_app):
    lines = "\n".join(f'{{"FirstName": "E{i}", "LastName": "L{i * 7919}", "Email": "e{i}@example.com"}}'
                      for i in range(12_000))
    r = live.control("POST", f"/apps/{empty_app.name}/contacts:import", data=lines,
                     headers={"Content-Type": "application/x-ndjson"})
    assert r.status_code == 200, r.text
    data = live.control("GET", f"/apps/{empty_app.name}/export").content
    stream = CountingStream(data)
    read_at_progress = []
    made = exports.import_app(live.sandbox.env, stream, empty_app.name + "-streamed",
                              progress=lambda rows: read_at_progress.append((rows, stream.read_so_far)))
    rows, read = read_at_progress[0]
    assert rows >= 5000 and read < len(data) // 2  # the first batch was written with most of the file unread
    assert read_at_progress[-1][1] == len(data)
    assert made.name == empty_app.name + "-streamed"
    copy = TestApp(made.name, made.legacy_key, live)
    assert copy.call("ContactService.findByEmail", "e11999@example.com", ["FirstName"]) == [{"FirstName": "E11999"}]
    assert copy.call("DataService.count", "Contact", {"Email": "e%"}) == 12_000
