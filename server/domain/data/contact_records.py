"""Writers for tables whose rows belong to a contact (Affiliate, Referral, Ticket): DataService's plain
writes, with the row's contact in every event's payload (``contact_id``), as the common event contract asks
of every event that concerns a contact."""
from __future__ import annotations

from server.store import schema
from server.store.session import AppSession
from server.tables import Table

from .records import Values, Writer, plain_add, plain_delete, plain_update


def _contact_of(s: AppSession, table: Table, record_id: int, column: str):
    entity = schema.ENTITIES[table.entity]
    row = s.execute(s.select(entity, entity.c[column]).where(entity.c.id == record_id)).first()
    return row[0] if row is not None else None


def contact_writer(tables: tuple[str, ...], column: str = "contact_id") -> Writer:
    def add(s: AppSession, table: Table, values: Values) -> int:
        return plain_add(s, table, values, contact_id=values.columns.get(column))

    def update(s: AppSession, table: Table, record_id: int, values: Values) -> None:
        # the contact the row has after the update: the one written, else the one it had
        contact_id = values.columns[column] if column in values.columns else _contact_of(s, table, record_id, column)
        plain_update(s, table, record_id, values, contact_id=contact_id)

    def delete(s: AppSession, table: Table, record_id: int) -> None:
        plain_delete(s, table, record_id, contact_id=_contact_of(s, table, record_id, column))

    return Writer(tables, add, update, delete)


WRITER = contact_writer(("Affiliate", "Referral", "Ticket"))
