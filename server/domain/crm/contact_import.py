"""Adding many contacts at once: what ``ContactService.add`` does for one contact (checked values, phone numbers
normalised, DateCreated and LastUpdated from the app's clock, custom values, the first email status of each new
address, a ``contact.added`` event), done for a batch of records at a time.

The records arrive as an iterator of ``(line, data)`` pairs (``data`` in Infusionsoft field names, custom fields
as ``_Name``, or the exception saying why the reader could not read that line) and are consumed a batch at a
time, so memory stays bounded by the batch whatever the input's size. Per batch: one id allocation, one
executemany per column set for the contacts and one for their custom values, one query for the batch's
existing email statuses and one insert for the new ones. Custom-field definitions are read once per
transaction (``custom_fields.definitions``' memo); nothing is read per row.

A record that does not pass the checks becomes a ``LineError`` naming its line and, where one is to blame,
its field; the caller decides whether that refuses the whole input (``ImportRefused``) or only skips the line.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from server.domain.data import custom_fields
from server.domain.data.records import Values, check_values
from server.domain.errors import SandboxError
from server.domain.mail import email_status
from server.store import schema
from server.store.session import AppSession

from . import origins
from .contacts import CONTACT, EMAIL_COLUMNS, prepared_row

BATCH = 2000
MAX_ERRORS = 100  # the errors an answer lists; the count says how many there were


@dataclass(frozen=True)
class LineError:
    line: int
    field: str | None  # the field to blame, if one is
    problem: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f": {self.field}" if self.field else "")
        return f"{where}: {self.problem}"


@dataclass
class ImportResult:
    imported: int = 0
    rejected: int = 0
    first_id: int | None = None
    last_id: int | None = None
    errors: list[LineError] = field(default_factory=list)  # at most MAX_ERRORS

    def refuse(self, error: LineError) -> None:
        self.rejected += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(error)


class ImportRefused(Exception):
    """Some record is bad and the import was asked to take all or nothing; ``result.errors`` says which."""

    def __init__(self, result: ImportResult):
        super().__init__("; ".join(str(e) for e in result.errors[:5]))
        self.result = result


def import_contacts(s: AppSession, records: Iterable[tuple[int, dict]], *, skip_invalid: bool = False,
                    batch: int = BATCH, progress: Callable[[int], None] | None = None,
                    added: Callable[[list[tuple[int, int]]], None] | None = None,
                    source_type: str = origins.IMPORT) -> ImportResult:
    """Add every valid record of ``records`` as a contact. With ``skip_invalid`` a bad record is left out and
    listed; without it, ImportRefused is raised once the input has been read through (the caller's
    transaction then rolls back everything). ``progress`` is told the count of records read after each batch,
    ``added`` the ``(line, contact id)`` of each contact a batch added. Each contact's source type is
    ``source_type`` (an import's, ``IMPORT``)."""
    result = ImportResult()
    seen = 0
    source: Iterator = iter(records)
    while chunk := list(islice(source, batch)):
        seen += len(chunk)
        checked, lines = [], []
        for line, data in chunk:
            try:
                checked.append(_checked(s, line, data))
                lines.append(line)
            except _Bad as bad:
                result.refuse(bad.error)
        if checked and (skip_invalid or not result.rejected):
            first = _write(s, checked, result, source_type)
            if added is not None:
                added([(line, first + i) for i, line in enumerate(lines)])
        if progress is not None:
            progress(seen)
    if result.rejected and not skip_invalid:
        raise ImportRefused(result)
    return result


class _Bad(Exception):
    def __init__(self, error: LineError):
        self.error = error


def _checked(s: AppSession, line: int, data) -> Values:
    if isinstance(data, Exception):  # a line the reader could not read, saying why
        raise _Bad(LineError(line, None, str(data)))
    if not isinstance(data, dict):
        raise _Bad(LineError(line, None, "a record must be an object of field names and values"))
    try:
        return check_values(s, CONTACT, data, "A")
    except SandboxError as exc:
        raise _Bad(LineError(line, _blamed(s, data), str(exc))) from None


def unknown_fields(s: AppSession, names: list[str]) -> list[LineError]:
    """The names of a file's header that no contact can be given (refused before any record is read)."""
    out = []
    for name in names:
        if name.startswith("_"):
            known = bool(custom_fields.definitions(s, CONTACT.custom_form, [name[1:]]))
        else:
            described = CONTACT.fields.get(name)
            known = described is not None and "A" in described.access and described.column is not None
        if not known:
            out.append(LineError(1, name, f"Contact has no field {name} that an add can set"))
    return out


def _blamed(s: AppSession, data: dict) -> str | None:
    """The first field that fails on its own (only run for a record already refused)."""
    for name, value in data.items():
        try:
            check_values(s, CONTACT, {name: value}, "A")
        except SandboxError:
            return str(name)
    return None


def _write(s: AppSession, batch: list[Values], result: ImportResult, source_type: str) -> int:
    first = s.next_id("contact", len(batch))  # companies share the contact id space
    now = s.now_local()
    by_columns: dict[tuple, list[dict]] = {}
    customs: list[tuple[int, dict]] = []
    emails: list[str] = []
    for offset, values in enumerate(batch):
        row = prepared_row(values)
        row["id"], row["kind"], row["last_updated"] = first + offset, CONTACT.kind, now
        row["source_type"] = source_type
        if row.get("date_created") is None:
            row["date_created"] = now
        by_columns.setdefault(tuple(row), []).append(row)
        if values.customs:
            customs.append((row["id"], values.customs))
        emails.extend(row[c] for c in EMAIL_COLUMNS if row.get(c))
    for rows in by_columns.values():
        s.insert(schema.contact, rows)
    custom_fields.insert_new_values(s, customs)
    for offset, values in enumerate(batch):
        s.emit("contact.added", "contact", first + offset, fields=values.names)
    email_status.ensure_many(s, emails)
    result.imported += len(batch)
    result.first_id = first if result.first_id is None else result.first_id
    result.last_id = first + len(batch) - 1
    return first
