"""Writers for tables whose rows belong to a contact (Affiliate, Referral, Ticket): DataService's plain
writes, with the row's contact in every event's payload (``contact_id``), as the common event contract asks
of every event that concerns a contact."""
from __future__ import annotations

from server.store import schema
from server.store.session import AppSession
from server.tables import Table

from . import custom_fields
from .records import Values, Writer, stamp


def _contact_of(s: AppSession, table: Table, record_id: int, column: str):
    entity = schema.ENTITIES[table.entity]
    row = s.execute(s.select(entity, entity.c[column]).where(entity.c.id == record_id)).first()
    return row[0] if row is not None else None


def contact_writer(tables: tuple[str, ...], column: str = "contact_id") -> Writer:
    def add(s: AppSession, table: Table, values: Values) -> int:
        entity = schema.ENTITIES[table.entity]
        new_id = s.next_id(table.entity)
        row = dict(values.columns, id=new_id)
        stamp(s, entity, row, created=True)
        s.insert(entity, row)
        if values.customs:
            custom_fields.write_values(s, new_id, values.customs, new=True)
        s.emit(f"{table.entity}.added", table.entity, new_id, table=table.name, fields=values.names,
               contact_id=row.get(column))
        return new_id

    def update(s: AppSession, table: Table, record_id: int, values: Values) -> None:
        entity = schema.ENTITIES[table.entity]
        row = dict(values.columns)
        stamp(s, entity, row, created=False)
        if row:
            s.update(entity, entity.c.id == record_id, **row)
        if values.customs:
            custom_fields.write_values(s, record_id, values.customs)
        s.emit(f"{table.entity}.updated", table.entity, record_id, table=table.name, fields=values.names,
               contact_id=_contact_of(s, table, record_id, column))

    def delete(s: AppSession, table: Table, record_id: int) -> None:
        entity = schema.ENTITIES[table.entity]
        contact_id = _contact_of(s, table, record_id, column)
        s.delete(entity, entity.c.id == record_id)
        if table.custom_form is not None:
            custom_fields.delete_values(s, record_id, table.custom_form)
        s.emit(f"{table.entity}.deleted", table.entity, record_id, table=table.name, contact_id=contact_id)

    return Writer(tables, add, update, delete)


WRITER = contact_writer(("Affiliate", "Referral", "Ticket"))
