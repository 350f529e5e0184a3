"""What a contact (or a company, which is a contact-like row in the same id space) can do."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, NamedTuple

import sqlalchemy as sa

from server.domain.data import custom_fields, listing
from server.domain.data.query import count_rows, select_by_key, select_rows, select_rows_among
from server.domain.data.records import Values, Writer, check_selected, check_values, exists, stamp
from server.domain.data.records import load as load_record
from server.domain.data.values import normalize_phone
from server.domain.errors import InvalidParameter, RecordNotFound
from server.domain.mail import email_status
from server.store import schema
from server.store.prepared import PreparedAll
from server.store.session import AppSession
from server.tables import REGISTRY, Table
from server.tables.model import FieldType

from . import activities, origins, social_accounts, tags, utms
from .links import link as make_link

CONTACT = REGISTRY.get("Contact")
_PHONES = ("phone1", "phone2", "phone3", "phone4", "phone5", "fax1", "fax2", "assistant_phone")
EMAIL_COLUMNS = ("email", "email_address2", "email_address3")
DUP_CHECK_TYPES = ("Email", "EmailAndName", "EmailAndNameAndCompany")


def prepared_row(values: Values) -> dict:
    """The stored row of a contact's checked values, phone numbers normalised (an add, an edit, a bulk import)."""
    row = dict(values.columns)
    for col in _PHONES:
        if row.get(col):
            row[col] = normalize_phone(row[col])
    return row


def _add(s: AppSession, table: Table, values: Values, source_type: str = origins.API) -> int:
    """Insert the row; a contact (not a company) is stamped with ``source_type`` (an API's add: ``API``)."""
    c = schema.contact
    new_id = s.next_id("contact")  # companies share the contact id space
    row = prepared_row(values)
    row.update(id=new_id, kind=table.kind)
    if table.kind == "contact":
        row["source_type"] = source_type
    stamp(s, c, row, created=True)
    if table.kind == "company" and row.get("company_id") is None:
        row["company_id"] = new_id  # a company row points at itself
    s.insert(c, row)
    if values.customs:
        custom_fields.write_values(s, new_id, values.customs, new=True)
    s.emit(f"{table.kind}.added", "contact", new_id, fields=values.names)
    for col in EMAIL_COLUMNS:
        email_status.ensure(s, row.get(col))
    return new_id


def _update(s: AppSession, table: Table, contact_id: int, values: Values) -> None:
    c = schema.contact
    row = prepared_row(values)
    stamp(s, c, row, created=False)
    s.update(c, c.c.id == contact_id, **row)
    if values.customs:
        custom_fields.write_values(s, contact_id, values.customs)
    s.emit(f"{table.kind}.updated", "contact", contact_id, fields=values.names)
    for col in EMAIL_COLUMNS:
        if col in row:
            email_status.ensure(s, row[col])


def _delete(s: AppSession, table: Table, contact_id: int) -> None:
    c, link = schema.contact, schema.contact_link
    tags.delete_assignments_of_contact(s, contact_id)
    activities.delete_of_contact(s, contact_id)
    utms.delete_of_contact(s, contact_id)
    social_accounts.delete_of_contact(s, contact_id)
    s.delete(link, sa.or_(link.c.contact_id1 == contact_id, link.c.contact_id2 == contact_id))
    custom_fields.delete_values(s, contact_id, table.custom_form)
    s.delete(c, c.c.id == contact_id)
    s.emit(f"{table.kind}.deleted", "contact", contact_id)


WRITER = Writer(("Contact", "Company"), _add, _update, _delete)


# --- ContactService ---------------------------------------------------------------------------------

def add(s: AppSession, data: dict, source_type: str = origins.API) -> int:
    return _add(s, CONTACT, check_values(s, CONTACT, data, "A"), source_type)


def update(s: AppSession, contact_id: int, data: dict) -> int:
    values = check_values(s, CONTACT, data, "E", contact_id)
    if not exists(s, CONTACT, contact_id):
        raise RecordNotFound(f"Unable to perform update. Record not found for Id:{contact_id}")
    _update(s, CONTACT, contact_id, values)
    return contact_id


def load(s: AppSession, contact_id: int, fields: list[str]) -> dict:

    return load_record(s, "Contact", contact_id, fields)


def find_by_email(s: AppSession, email: str, fields: list[str]) -> list[dict]:
    """Contacts whose Email, EmailAddress2 or EmailAddress3 is ``email`` (any case), by Id."""
    check_selected(CONTACT, fields)  # no field, or one that is not a name: the fault DataService.query gives
    found = select_rows_among(s, CONTACT, fields, "email", ids_by_email, {"email": email.strip().lower()})
    if found is not None:
        return found
    return select_rows(s, CONTACT, fields, {}, extra_where=[email_match(s, email)], seek=True)


def email_match(s: AppSession, email: str) -> sa.ColumnElement:
    """Email, EmailAddress2 or EmailAddress3 is ``email`` (any case)."""
    return schema.contact.c.id.in_(ids_by_email(s.app.id, email.strip().lower()))


_EMAIL = sa.bindparam("email")


def ids_by_email(app_id, wanted=_EMAIL) -> sa.CompoundSelect:
    """The ids each address's own index finds for ``wanted`` (lower-cased; a value, or the bind parameter
    ``email``), in the app ``app_id`` (as one ``OR``, SQLite's planner without statistics reads every contact
    of the app)."""
    c = schema.contact
    return sa.union(*(sa.select(c.c.id).where(c.c.app_id == app_id, sa.func.lower(column) == wanted)
                      for column in (c.c.email, c.c.email_address2, c.c.email_address3)))


def find_duplicate(s: AppSession, data: dict, dup_check_type: str) -> int | None:
    if dup_check_type not in DUP_CHECK_TYPES:
        raise InvalidParameter(f"Invalid dupCheckType: {dup_check_type}. "
                               f"Use one of {', '.join(DUP_CHECK_TYPES)}")
    email = data.get("Email")
    if not isinstance(email, str) or not email.strip():
        return None
    c = schema.contact
    conditions = [c.c.kind == "contact", sa.func.lower(c.c.email) == email.strip().lower()]
    if dup_check_type in ("EmailAndName", "EmailAndNameAndCompany"):
        for field, col in (("FirstName", c.c.first_name), ("LastName", c.c.last_name)):
            conditions.append(sa.func.lower(sa.func.coalesce(col, "")) == str(data.get(field) or "").strip().lower())
    if dup_check_type == "EmailAndNameAndCompany":
        company = str(data.get("Company") or "").strip().lower()
        conditions.append(sa.func.lower(sa.func.coalesce(c.c.company, "")) == company)
    row = s.execute(s.select(c, c.c.id).where(*conditions).order_by(c.c.id).limit(1)).first()
    return row.id if row else None


def add_with_dup_check(s: AppSession, data: dict, dup_check_type: str) -> int:
    existing = find_duplicate(s, data, dup_check_type)
    if existing is None:
        return add(s, data)
    values = check_values(s, CONTACT, data, "E")
    _update(s, CONTACT, existing, values)
    return existing


def merge(s: AppSession, contact_id: int, duplicate_id: int) -> bool:
    """Merge ``duplicate_id`` into ``contact_id``: the contact keeps its values, takes the duplicate's where
    it has none, and takes its tags, notes, links and custom values; the duplicate is deleted."""
    if contact_id == duplicate_id:
        raise InvalidParameter("A contact cannot be merged with itself")
    c = schema.contact
    keep, dup = s.get(c, contact_id), s.get(c, duplicate_id)
    if keep is None or keep.kind != "contact":
        raise RecordNotFound(f"Record not found for Id:{contact_id}")
    if dup is None or dup.kind != "contact":
        raise RecordNotFound(f"Record not found for Id:{duplicate_id}")
    fill = {}
    for col in c.c:
        if col.name in ("app_id", "id", "kind", "groups", "date_created", "last_updated"):
            continue
        if getattr(keep, col.name) in (None, "") and getattr(dup, col.name) not in (None, ""):
            fill[col.name] = getattr(dup, col.name)
    stamp(s, c, fill, created=False)
    s.update(c, c.c.id == contact_id, **fill)

    cv = schema.custom_value
    have = {r.field_id for r in s.execute(s.select(cv, cv.c.field_id).where(cv.c.record_id == contact_id))}
    for r in s.execute(s.select(cv).where(cv.c.record_id == duplicate_id)).all():
        if r.field_id not in have:
            s.update(cv, cv.c.field_id == r.field_id, cv.c.record_id == duplicate_id, record_id=contact_id)
    tags.move_assignments(s, duplicate_id, contact_id)
    activities.move_to_contact(s, duplicate_id, contact_id)
    link = schema.contact_link
    for r in s.execute(s.select(link).where(sa.or_(link.c.contact_id1 == duplicate_id,
                                                   link.c.contact_id2 == duplicate_id))).all():
        other = r.contact_id2 if r.contact_id1 == duplicate_id else r.contact_id1
        s.delete(link, link.c.contact_id1 == r.contact_id1, link.c.contact_id2 == r.contact_id2,
                 link.c.link_type_id == r.link_type_id)
        if other != contact_id:

            make_link(s, contact_id, other, r.link_type_id, check=False)
    _delete(s, CONTACT, duplicate_id)
    s.emit("contact.merged", "contact", contact_id, duplicate_id=duplicate_id)
    return True


def company_id_for(s: AppSession, name: str) -> int | None:
    c = schema.contact
    row = s.execute(s.select(c, c.c.id).where(c.c.kind == "company",
                                               sa.func.lower(c.c.company) == name.strip().lower())
                    .order_by(c.c.id).limit(1)).first()
    return row.id if row else None



# --- reads for the protocols that page (REST v2) ------------------------------------------------------

_c = schema.contact

# A contact's fields by their DataService names (``FirstName``, ``Email``, ``Phone1Ext`` …): the one vocabulary
# every protocol maps its own names from, as columns for lists and filters.
FIELD_COLUMNS: dict[str, sa.ColumnElement] = {name: _c.c[f.column] for name, f in CONTACT.fields.items()
                                              if f.column is not None}
CONTACT_FIELDS = listing.Fields(FIELD_COLUMNS, key="Id",
                                text=frozenset(name for name, f in CONTACT.fields.items()
                                               if f.column is not None and f.type is FieldType.STRING))


class ContactRecord(NamedTuple):
    id: int
    values: dict[str, Any]  # the Contact fields by DataService name; dates are the app's local wall time

    @property
    def tag_ids(self) -> list[int]:
        return [int(t) for t in (self.values.get("Groups") or "").split(",") if t.strip()]


_COLUMN_NAMES = tuple((name, col.name) for name, col in FIELD_COLUMNS.items())
# the hottest read of a contact (a REST v2 GET), built once and run on the driver (server.store.prepared)
_GET_CONTACT = PreparedAll(sa.select(_c).where(_c.c.app_id == sa.bindparam("app_id"), _c.c.id == sa.bindparam("id"),
                                               _c.c.kind == "contact"))


def _contact_record(row) -> ContactRecord:
    return ContactRecord(row.id, {name: getattr(row, column) for name, column in _COLUMN_NAMES})


def get_contact(s: AppSession, contact_id: int, fields: tuple[str, ...] | None = None) -> ContactRecord | None:
    """The contact with every field, or only ``fields`` (DataService names; the others read as absent):
    a protocol reads what its answer needs, by the statement ``ContactService.load`` uses for those fields."""
    if fields is not None:
        values = select_by_key(s, CONTACT, list(fields), contact_id)
        return None if values is None else ContactRecord(contact_id, values)
    row = s.first(_GET_CONTACT, id=contact_id)
    return None if row is None else _contact_record(row)


def _address_status(field: str, column: str) -> Callable[[], sa.ColumnElement]:
    """The stored status's ``column`` (type, reason) of the address in the contact's ``field``, as a subquery
    correlated with the contact's row: its key is the address lower-cased and trimmed, as
    ``email_status.key`` makes it for an ASCII address without surrounding blanks (SQL's lower folds only
    ASCII letters, and trim only spaces: ``get_contact_with_statuses`` asks the others apart)."""
    es = schema.email_status

    def build() -> sa.ColumnElement:
        address = FIELD_COLUMNS[field]
        return (sa.select(es.c[column]).where(es.c.app_id == _c.c.app_id,
                                             es.c.email_key == sa.func.lower(sa.func.trim(address)))
                .scalar_subquery())
    return build


_EMAIL_FIELDS = ("Email", "EmailAddress2", "EmailAddress3")
# each address's status and its reason, read with the contact (a REST v2 read of email_addresses)
_WITH_STATUSES = tuple((f"{field}:{column}", _address_status(field, column))
                       for field in _EMAIL_FIELDS for column in ("type", "reason"))


def get_contact_with_statuses(s: AppSession, contact_id: int, fields: tuple[str, ...]
                              ) -> tuple[ContactRecord | None, dict[str, email_status.Reasoned]]:
    """``get_contact(s, contact_id, fields)`` with its addresses' statuses as ``email_status.reasoned_statuses_of``
    answers them, read in the same statement (one statement for the hottest v2 read)."""
    values = select_by_key(s, CONTACT, list(fields), contact_id, also=_WITH_STATUSES)
    if values is None:
        return None, {}
    statuses, others = {}, []
    for field in _EMAIL_FIELDS:
        address = values.get(field)
        token = values.pop(f"{field}:type", None)
        reason = values.pop(f"{field}:reason", None)
        if not address or not address.strip():
            continue
        if not address.isascii() or address.strip() != address.strip(" "):
            others.append(address)  # (a key SQL cannot make as Python does: asked apart)
        elif token is not None:
            statuses[email_status.key(address)] = email_status.Reasoned(token, reason)
    if others:
        statuses.update(email_status.reasoned_statuses_of(s, others))
    return ContactRecord(contact_id, values), statuses


# SQLite's planner, without statistics, walks a list in id order along the primary key (or the kind index)
# rather than use the index that answers an equality at once (the lookup by email integrations make before a
# write: a scan of every contact). Such a lookup orders by ``id + 0`` and tests ``kind || ''``, which no index
# serves, so the equality's own index is used and its few rows sorted (PostgreSQL plans either form well).
_INDEXED_EQUALITIES = frozenset({"Email", "EmailAddress2", "EmailAddress3", "LastName"})
_LOOKUP_FIELDS = listing.Fields({**FIELD_COLUMNS, "Id": _c.c.id + 0}, key="Id", text=CONTACT_FIELDS.text)


# a contact's lead source by name (REST v2's ``lead_source_name`` filter)
LEAD_SOURCE_NAME = "LeadSourceName"
_ls = schema.lead_source
_LEAD_SOURCE_NAME = (sa.select(_ls.c.name).where(_ls.c.app_id == _c.c.app_id, _ls.c.id == _c.c.lead_source_id)
                     .scalar_subquery())


def _with_extras(s: AppSession, fields: listing.Fields, where) -> listing.Fields:
    """``fields`` and what the conditions name beyond the Contact columns: the lead source's name and the
    contact's custom fields (``_Name``)."""
    if LEAD_SOURCE_NAME in custom_fields.named_in(where):
        fields = listing.Fields({**fields.columns, LEAD_SOURCE_NAME: _LEAD_SOURCE_NAME}, key=fields.key,
                                text=fields.text | {LEAD_SOURCE_NAME})
    return custom_fields.filterable(s, fields, CONTACT.custom_form, _c, where)


def page_contacts(s: AppSession, q: listing.ListQuery) -> listing.Page[ContactRecord]:
    """Contacts (not companies) under ``q``, whose fields are the DataService names of CONTACT_FIELDS, the
    contact's custom fields (``_Name``) and ``LEAD_SOURCE_NAME``."""
    if any(c.op == "eq" and c.field in _INDEXED_EQUALITIES for c in q.where):  # (the lookup by email before a write)
        name, base, plain = "contacts:lookup", _lookup_base, _LOOKUP_FIELDS
    else:
        name, base, plain = "contacts", _base, CONTACT_FIELDS
    fields = _with_extras(s, plain, q.where)
    if fields is plain:  # no custom field or lead source named: the statement is kept for the query's shape
        return listing.kept_page(s, name, base, fields, q, _contact_record)
    return listing.page(s, base(s.app.id), fields, q, _contact_record)


def _base(app_id) -> sa.Select:
    return sa.select(_c).where(_c.c.app_id == app_id, _c.c.kind == "contact")


def _lookup_base(app_id) -> sa.Select:
    return sa.select(_c).where(_c.c.app_id == app_id, _c.c.kind + "" == "contact")




def is_contact(s: AppSession, contact_id: int) -> bool:
    return exists(s, CONTACT, contact_id)


def is_company(s: AppSession, company_id: int) -> bool:
    return exists(s, REGISTRY.get("Company"), company_id)


def company_name(s: AppSession, company_id: int) -> str | None:
    row = s.execute(s.select(_c, _c.c.company).where(_c.c.id == company_id, _c.c.kind == "company")).first()
    return row.company if row else None


def custom_values(s: AppSession, contact_ids: list[int]) -> dict[int, list[tuple[custom_fields.CustomField, Any]]]:
    """Every contact custom field with each contact's value (None where unset), in field id order."""
    fields = sorted(custom_fields.definitions(s, CONTACT.custom_form).values(), key=lambda f: f.id)
    values = custom_fields.read_values(s, contact_ids, fields)
    return {cid: [(f, values.get(cid, {}).get(f.api_name)) for f in fields] for cid in contact_ids}


def custom_field_names(s: AppSession) -> dict[int, str]:
    """``{field id: DataService name (``_Name``)}`` of the contact custom fields, for writes by id."""
    return {f.id: f.api_name for f in custom_fields.definitions(s, CONTACT.custom_form).values()}


def lead_scores(s: AppSession, contact_ids: list[int]) -> dict[int, int]:
    """The lead scores set for these contacts (the "reaches a lead score" goal's number); unset ones absent."""
    ls = schema.lead_score
    if not contact_ids:
        return {}
    return {r.contact_id: r.score for r in s.execute(s.select(ls).where(ls.c.contact_id.in_(contact_ids)))}


class ContactName(NamedTuple):
    id: int
    email: str | None
    first_name: str | None
    last_name: str | None


def names_of(s: AppSession, contact_ids) -> dict[int, ContactName]:
    """The names and primary addresses of these contacts or companies (those that exist), by id."""
    ids = sorted({i for i in contact_ids if i})
    if not ids:
        return {}
    q = s.select(_c, _c.c.id, _c.c.email, _c.c.first_name, _c.c.last_name).where(_c.c.id.in_(ids))
    return {r.id: ContactName(r.id, r.email, r.first_name, r.last_name) for r in s.execute(q)}


def rows_updated_between(s: AppSession, fields: list[str], criteria: dict, *, since: datetime | None,
                         until: datetime | None, limit: int, offset: int, order_by: str,
                         ascending: bool) -> tuple[list[dict], int]:
    """Contacts as DataService rows (``fields`` by name, ``criteria`` as DataService.query's) whose last change
    is within ``since`` and ``until`` (app-local; ``until`` takes in its whole second), a page at an offset,
    and how many there are (REST v1's list)."""
    where = []
    if since is not None:
        where.append(_c.c.last_updated >= since)
    if until is not None:
        where.append(_c.c.last_updated < until + timedelta(seconds=1))
    rows = select_rows(s, CONTACT, fields, criteria, limit=limit, offset=offset, order_by=order_by,
                       ascending=ascending, extra_where=where)
    return rows, count_rows(s, CONTACT, criteria, where)
