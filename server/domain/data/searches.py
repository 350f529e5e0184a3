"""Saved searches and quick searches (SearchService).

A saved search is a SavedFilter row that also keeps, as data, which report it runs (contacts or companies),
its criteria (DataService criteria over the report's table, plus ``tag_ids``: has any of these tags) and the
report columns it shows. Results use the report's column names, not table field names, and carry every
column of the row, empty ones as empty strings (the vendor sample, spec §2.8). Quick searches run over the
app's contacts, companies, tasks/notes/appointments and affiliates, and over orders, subscriptions and
opportunities through the generic table registry once this sandbox serves those tables (an empty result
while it does not).
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa

from server.domain.errors import InvalidParameter, NoAccess, NoFieldFound, RecordNotFound
from server.store import folding, schema
from server.store.session import AppSession
from server.tables import FORM_COMPANY, FORM_CONTACT, INT_MAX, REGISTRY

from . import custom_fields, listing, records
from .query import page_bounds, select_rows


@dataclass(frozen=True)
class Column:
    name: str  # the report column name
    label: str
    fields: tuple[str, ...]  # the table fields it is made of
    make: Callable[[dict, Context], object] | None = None  # None: the single field's value


@dataclass
class Context:
    search_id: int
    users: dict[int, str]


def _field(name):
    return lambda row, ctx: row.get(name)


def _join(*names, sep=" "):
    return lambda row, ctx: sep.join(str(row[n]) for n in names if row.get(n) not in (None, ""))


def _phone(n):
    def make(row, ctx):
        number, ext = row.get(f"Phone{n}"), row.get(f"Phone{n}Ext")
        return f"{number} x{ext}" if number and ext else number
    return make


def _fax(n):
    return lambda row, ctx: " ".join(str(row[k]) for k in (f"Fax{n}", f"Fax{n}Type") if row.get(k))


def _postal(n):
    suffix = "" if n == 1 else str(n)
    return lambda row, ctx: "-".join(str(row[k]) for k in (f"PostalCode{suffix}", f"ZipFour{n}") if row.get(k))


def _part(name, attr):
    return lambda row, ctx: getattr(row[name], attr) if isinstance(row.get(name), datetime) else None


def _c(name, label, *fields, make=None):
    return Column(name, label, fields or (name,), make)


# The contact report's columns (the vendor's getAllReportColumns sample, spec §2.8, in its order).
CONTACT_COLUMNS = (
    _c("Id", "Id"), Column("FilterId", "Filter Id", (), lambda row, ctx: ctx.search_id),
    _c("ContactId", "Contact Id", "Id", make=_field("Id")),
    _c("ContactName", "Name", "FirstName", "LastName", make=_join("FirstName", "LastName")),
    _c("ContactName.firstName", "First Name", "FirstName", make=_field("FirstName")),
    _c("ContactName.lastName", "Last Name", "LastName", make=_field("LastName")),
    _c("SpouseName", "Spouse Name"), _c("Birthday", "Birthday"),
    _c("BirthdayMonth", "Birthday Month", "Birthday", make=_part("Birthday", "month")),
    _c("BirthdayYear", "Birthday Year", "Birthday", make=_part("Birthday", "year")),
    _c("CompanyInfo", "Company", "Company", make=_field("Company")), _c("Company", "Company Name"),
    _c("CompanyID", "Company Id"),
    *(col for n in (1, 2, 3) for col in (
        _c(f"PhoneWithExtension{n}", f"Phone {n}", f"Phone{n}", f"Phone{n}Ext", make=_phone(n)),
        _c("PhoneNumber" if n == 1 else f"PhoneNumber{n}", f"Phone {n}", f"Phone{n}", make=_field(f"Phone{n}")),
        _c(f"Phone{n}Ext", f"Phone {n} Ext"), _c(f"Phone{n}Type", f"Phone {n} Type"))),
    _c("Email", "Email"), _c("EmailAddress2", "Email Address 2"), _c("EmailAddress3", "Email Address 3"),
    *(col for n in (1, 2) for col in (
        _c(f"FaxWithType{n}", f"Fax {n}", f"Fax{n}", f"Fax{n}Type", make=_fax(n)),
        _c("FaxNumber" if n == 1 else f"FaxNumber{n}", f"Fax {n}", f"Fax{n}", make=_field(f"Fax{n}")),
        _c(f"Fax{n}Type", f"Fax {n} Type"))),
    _c("StreetAddress1", "Street Address 1"), _c("StreetAddress2", "Street Address 2"), _c("City", "City"),
    _c("State", "State"),
    _c("PostalCodePlusZipFour1", "Postal Code", "PostalCode", "ZipFour1", make=_postal(1)),
    _c("PostalCodePlusZipFour1.postalCode", "Postal Code", "PostalCode", make=_field("PostalCode")),
    _c("PostalCodePlusZipFour1.zipFour", "Zip Four", "ZipFour1", make=_field("ZipFour1")),
    _c("Country", "Country"),
    _c("Address2Street1", "Street Address 1 (Shipping)"), _c("Address2Street2", "Street Address 2 (Shipping)"),
    _c("City2", "City (Shipping)"), _c("State2", "State (Shipping)"),
    _c("PostalCodePlusZipFour2", "Postal Code (Shipping)", "PostalCode2", "ZipFour2", make=_postal(2)),
    _c("PostalCodePlusZipFour2.postalCode", "Postal Code (Shipping)", "PostalCode2", make=_field("PostalCode2")),
    _c("PostalCodePlusZipFour2.zipFour", "Zip Four (Shipping)", "ZipFour2", make=_field("ZipFour2")),
    _c("Country2", "Country (Shipping)"),
    _c("Address3Street1", "Street Address 1 (Optional)"), _c("Address3Street2", "Street Address 2 (Optional)"),
    _c("City3", "City (Optional)"), _c("State3", "State (Optional)"),
    _c("PostalCodePlusZipFour3", "Postal Code (Optional)", "PostalCode3", "ZipFour3", make=_postal(3)),
    _c("PostalCodePlusZipFour3.postalCode", "Postal Code (Optional)", "PostalCode3", make=_field("PostalCode3")),
    _c("PostalCodePlusZipFour3.zipFour", "Zip Four (Optional)", "ZipFour3", make=_field("ZipFour3")),
    _c("Country3", "Country (Optional)"),
    *(col for n in (4, 5) for col in (
        _c(f"PhoneWithExtension{n}", f"Phone {n}", f"Phone{n}", f"Phone{n}Ext", make=_phone(n)),
        _c(f"PhoneNumber{n}", f"Phone {n}", f"Phone{n}", make=_field(f"Phone{n}")),
        _c(f"Phone{n}Ext", f"Phone {n} Ext"), _c(f"Phone{n}Type", f"Phone {n} Type"))),
    Column("Products", "Products", (), lambda row, ctx: ""),
    _c("Tags", "Tag Ids", "Groups", make=_field("Groups")), _c("ContactType", "Person Type"),
    _c("JobTitle", "Job Title"), _c("Website", "Website"),
    Column("SSN", "SSN", (), lambda row, ctx: ""), Column("LastSSN", "Last SSN", (), lambda row, ctx: ""),
    _c("MiddleName", "Middle Name"), _c("Nickname", "Nickname"), _c("Username", "Username"),
    Column("Password", "Password", (), lambda row, ctx: ""),  # never shown
    _c("AssistantName", "Assistant Name"), _c("AssistantPhone", "Assistant Phone"), _c("Title", "Title"),
    _c("Suffix", "Suffix"), _c("Anniversary", "Anniversary"),
    _c("AnniversaryMonth", "Anniversary Month", "Anniversary", make=_part("Anniversary", "month")),
    _c("AnniversaryYear", "Anniversary Year", "Anniversary", make=_part("Anniversary", "year")),
    _c("CreatedBy", "Created By"), _c("DateCreated", "Date Created"), _c("LastUpdated", "Last Updated"),
    _c("OwnerID", "OwnerID"),
    Column("Owner", "Owner", ("OwnerID",), lambda row, ctx: ctx.users.get(row.get("OwnerID"), "")),
    _c("ContactNotes", "Notes"),
    _c("LeadSourceIdOverride", "Leadsource", "Leadsource", make=_field("Leadsource")),
    _c("ReferralCode", "Referral Code"),
    _c("CompanyIdFilter", "Company Id Filter", "CompanyID", make=_field("CompanyID")),
)

# The company report (its column names are unrecorded: the contact report's names for the same data).
COMPANY_COLUMNS = (
    _c("Id", "Id"), Column("FilterId", "Filter Id", (), lambda row, ctx: ctx.search_id),
    _c("CompanyId", "Company Id", "Id", make=_field("Id")), _c("Company", "Company Name"),
    _c("PhoneWithExtension1", "Phone 1", "Phone1", "Phone1Ext", make=_phone(1)),
    _c("Email", "Email"), _c("Website", "Website"), _c("StreetAddress1", "Street Address 1"),
    _c("StreetAddress2", "Street Address 2"), _c("City", "City"), _c("State", "State"),
    _c("PostalCodePlusZipFour1", "Postal Code", "PostalCode", "ZipFour1", make=_postal(1)),
    _c("Country", "Country"), _c("Tags", "Tag Ids", "Groups", make=_field("Groups")),
    _c("OwnerID", "OwnerID"),
    Column("Owner", "Owner", ("OwnerID",), lambda row, ctx: ctx.users.get(row.get("OwnerID"), "")),
    _c("DateCreated", "Date Created"), _c("LastUpdated", "Last Updated"),
)


# The email report (seed 003: "The tables that store the email history are not available to the API however
# there are some saved searches that allow you to access parts of the email history"): one row per email sent
# to a contact, newest last; its column names are unrecorded. Criteria: ContactId, Email (the address it went
# to), Subject (``%`` wildcards as DataService's), and tags (the contact's).
EMAIL_COLUMNS = (
    _c("Id", "Id"), Column("FilterId", "Filter Id", (), lambda row, ctx: ctx.search_id),
    _c("ContactId", "Contact Id"),
    _c("ContactName", "Name", "FirstName", "LastName", make=_join("FirstName", "LastName")),
    _c("Email", "Sent To"), _c("Subject", "Subject"), _c("SentDate", "Date Sent"), _c("OpenedDate", "Date Opened"),
    _c("ClickedDate", "Date Clicked"), _c("Status", "Status"),
)


EMAIL_CRITERIA = ("ContactId", "Email", "Subject")


def _email_rows(s: AppSession, fields: list[str], criteria: dict, tag_ids, limit: int, offset: int,
                order_by: str | None, ascending: bool) -> list[dict]:
    m, c = schema.message, schema.contact
    columns = {"Id": m.c.id, "ContactId": m.c.contact_id, "FirstName": c.c.first_name, "LastName": c.c.last_name,
               "Email": m.c.to_address, "Subject": m.c.subject, "SentDate": m.c.sent_date,
               "OpenedDate": m.c.opened_date, "ClickedDate": m.c.clicked_date, "Status": m.c.status}
    select = (sa.select(*(columns[f].label(f) for f in fields))
              .select_from(m.outerjoin(c, sa.and_(c.c.app_id == m.c.app_id, c.c.id == m.c.contact_id)))
              .where(m.c.app_id == s.app.id, m.c.kind == "email", m.c.direction == "sent",
                     m.c.contact_id.is_not(None)))
    for name, value in criteria.items():
        if name not in EMAIL_CRITERIA:
            raise NoFieldFound(f"No field found: EmailSentSearch.{name}")
        column = columns[name]
        if isinstance(value, str) and "%" in value:
            select = select.where(folding.lowered(column, value).like(value.lower()))
        elif isinstance(value, str):
            select = select.where(folding.ignoring_case(column, value))
        else:
            select = select.where(column == value)
    if tag_ids:
        ta = schema.tag_assignment
        select = select.where(sa.exists().where(ta.c.app_id == s.app.id, ta.c.contact_id == m.c.contact_id,
                                                ta.c.tag_id.in_(list(tag_ids))))
    key = columns[order_by] if order_by else m.c.id
    select = select.order_by(key if ascending else key.desc(), m.c.id).limit(limit).offset(offset)
    return [dict(row._mapping) for row in s.execute(select)]


@dataclass(frozen=True)
class Report:
    kind: str
    table: str | None  # the DataService table it reports on (None: rows of its own, ``rows``)
    stored_name: str  # SavedFilter.ReportStoredName (the real values are unrecorded)
    columns: tuple[Column, ...]
    custom_form: int | None
    default_columns: tuple[str, ...]
    rows: Callable | None = None

    def catalog(self, s: AppSession) -> dict[str, Column]:
        out = {c.name: c for c in self.columns}
        if self.custom_form is not None:
            for f in custom_fields.definitions(s, self.custom_form).values():
                out.setdefault(f.api_name, Column(f.api_name, f.label or f.name, (f.api_name,)))
        return out


REPORTS = {
    "contact": Report("contact", "Contact", "ContactSearch", CONTACT_COLUMNS, FORM_CONTACT,
                      ("Id", "ContactName", "Email")),
    "company": Report("company", "Company", "CompanySearch", COMPANY_COLUMNS, FORM_COMPANY,
                      ("Id", "Company", "Email")),
    "email": Report("email", None, "EmailSentSearch", EMAIL_COLUMNS, None,
                    ("Id", "ContactName", "Email", "Subject", "SentDate"), rows=_email_rows),
}


# --- saved searches ----------------------------------------------------------------------------------

class BadSearch(ValueError):
    """A saved search that could not run: ``field`` (``columns``, ``criteria.<name>``) says what is wrong."""

    def __init__(self, field: str, problem: str):
        super().__init__(problem)
        self.field = field


def _is_id(value) -> bool:
    return type(value) is int and 0 < value <= INT_MAX


def _check_criteria(s: AppSession, spec: Report, criteria: dict) -> None:
    """Criteria a search of ``spec`` can run: its table's fields (or the email report's), each compared with text
    or a number, and ``tag_ids`` a list of ids; a BadSearch naming the first that is not."""
    if spec.table is not None:
        table = REGISTRY.get(spec.table)
        known = {n for n, f in table.fields.items() if f.readable} | set(spec.catalog(s))  # (custom fields too)
    else:
        known = set(EMAIL_CRITERIA)
    for name, value in criteria.items():
        where = f"criteria.{name}"
        if name == "tag_ids":
            if not isinstance(value, list) or not value or not all(_is_id(v) for v in value):
                raise BadSearch(where, "tag_ids is a list of tag ids")
        elif name not in known:
            raise BadSearch(where, f"{name} is not a field this search can compare ({', '.join(sorted(known))[:200]})")
        elif name == "ContactId" and spec.table is None:
            if not _is_id(value):
                raise BadSearch(where, "ContactId is a contact id")
        elif type(value) is not str and (type(value) not in (int, float) or not -INT_MAX <= value <= INT_MAX):
            raise BadSearch(where, f"{name} is compared with text or a number")


def add_saved_search(s: AppSession, name: str, user_ids: list[int], *, report: str = "contact",
                     criteria: dict | None = None, columns: list[str] | None = None) -> int:
    spec = REPORTS[report]
    columns = columns or list(spec.default_columns)
    unknown = [c for c in columns if c not in {col.name for col in spec.columns} and not c.startswith("_")]
    if unknown:
        raise BadSearch("columns", f"unknown report columns {unknown}")
    _check_criteria(s, spec, criteria or {})
    search_id = s.next_id("saved_filter")
    s.insert(schema.saved_filter, dict(id=search_id, filter_name=name, report_stored_name=spec.stored_name,
                                       user_id=",".join(map(str, user_ids)), report=report,
                                       criteria=dict(criteria or {}), columns=list(columns)))
    s.emit("saved_filter.added", "saved_filter", search_id, name=name)
    return search_id


def saved_searches(s: AppSession) -> list:
    """Every saved search of the app (its SavedFilter rows), oldest first."""
    return s.execute(s.select(_sf).order_by(_sf.c.id)).all()


def get_saved_search_row(s: AppSession, search_id: int):
    """The saved search's SavedFilter row (its report, criteria and columns), or None."""
    return s.get(_sf, search_id)


def _user_names(s: AppSession) -> dict[int, str]:
    u = schema.user
    rows = s.execute(s.select(u, u.c.id, u.c.first_name, u.c.last_name, u.c.is_admin)).all()
    return {r.id: " ".join(p for p in (r.first_name, r.last_name) if p) for r in rows}


def _check_user(s: AppSession, user_id: int):
    row = s.get(schema.user, user_id)
    if row is None:
        raise InvalidParameter(f"Invalid userId: {user_id} is not a user of this application")
    return row


def _saved(s: AppSession, search_id: int, user_id: int):
    user = _check_user(s, user_id)
    row = s.get(schema.saved_filter, search_id)
    if row is None:
        raise RecordNotFound(f"Record not found for Id:{search_id}")
    owners = {p.strip() for p in (row.user_id or "").split(",") if p.strip()}
    if str(user_id) not in owners and "0" not in owners and not user.is_admin:  # 0: shared with everyone
        raise NoAccess(f"User {user_id} does not have access to saved search {search_id}")
    return row


def report_columns(s: AppSession, search_id: int, user_id: int) -> dict[str, str]:
    row = _saved(s, search_id, user_id)
    return {name: col.label for name, col in REPORTS[row.report].catalog(s).items()}


def _blank(value):
    return "" if value is None else value


def _run(s: AppSession, row, columns: list[Column], page: int) -> list[dict]:
    size = int(s.app.option("saved_search_page_size"))
    if page < 0:
        return []
    return _report_rows(s, row, columns, size, page * size)


def _report_rows(s: AppSession, row, columns: list[Column], limit: int, offset: int, *,
                 order_by: str | None = None, ascending: bool = True) -> list[dict]:
    """The saved search's rows ``offset`` to ``offset + limit``, as report columns; ``order_by``: a table
    field (else the table's key order)."""
    spec = REPORTS[row.report]
    fields = sorted({f for c in columns for f in c.fields} | {"Id"})
    criteria = dict(row.criteria or {})
    extra = []
    tag_ids = criteria.pop("tag_ids", None)
    ctx = Context(row.id, _user_names(s) if any(c.name == "Owner" for c in columns) else {})
    if spec.rows is not None:
        rows = spec.rows(s, fields, criteria, tag_ids, limit, offset, order_by, ascending)
        return [{c.name: _blank(c.make(r, ctx) if c.make else r.get(c.fields[0])) for c in columns} for r in rows]
    base = schema.ENTITIES[REGISTRY.get(spec.table).entity]
    if tag_ids:
        ta = schema.tag_assignment
        extra.append(sa.exists().where(ta.c.app_id == s.app.id, ta.c.contact_id == base.c.id,
                                       ta.c.tag_id.in_(list(tag_ids))))
    rows = select_rows(s, REGISTRY.get(spec.table), fields, criteria, limit=limit, offset=offset,
                       order_by=order_by, ascending=ascending, extra_where=extra)
    return [{c.name: _blank(c.make(r, ctx) if c.make else r.get(c.fields[0])) for c in columns} for r in rows]


def results_all_fields(s: AppSession, search_id: int, user_id: int, page: int) -> list[dict]:
    """getSavedSearchResultsAllFields: the saved search's own columns, every one in every row."""
    row = _saved(s, search_id, user_id)
    catalog = REPORTS[row.report].catalog(s)
    return _run(s, row, [catalog[c] for c in row.columns if c in catalog], page)


# names the docs give for a column whose name in the vendor's column list differs (spec xmlrpc-api.md §2.8's
# returnFields example: "ContactId, FullName"), answered under the name asked for
COLUMN_ALIASES = {"FullName": "ContactName"}


def results(s: AppSession, search_id: int, user_id: int, page: int, return_fields: list) -> list[dict]:
    row = _saved(s, search_id, user_id)
    catalog = REPORTS[row.report].catalog(s)
    if not return_fields:
        raise InvalidParameter("returnFields must name at least one report column")
    columns = []
    for name in return_fields:
        if isinstance(name, str) and name not in catalog and COLUMN_ALIASES.get(name) in catalog:
            columns.append(dataclasses.replace(catalog[COLUMN_ALIASES[name]], name=name))
        elif not isinstance(name, str) or name not in catalog:
            raise NoFieldFound(f"No field found: {row.report_stored_name}.{name}")
        else:
            columns.append(catalog[name])
    return _run(s, row, columns, page)


# --- saved searches as reports (REST v2) ---------------------------------------------------------------

class SavedSearchRecord(NamedTuple):
    id: int
    name: str | None
    user_ids: list[int]  # the users it is shared with; 0: every user


_sf = schema.saved_filter
SAVED_SEARCH_FIELDS = listing.Fields({"id": _sf.c.id, "name": _sf.c.filter_name}, text=frozenset({"name"}))


def _search_record(row) -> SavedSearchRecord:
    return SavedSearchRecord(row.id, row.filter_name,
                             [int(p) for p in (row.user_id or "").split(",") if p.strip().isdigit()])


def get_saved_search(s: AppSession, search_id: int) -> SavedSearchRecord | None:
    row = s.get(_sf, search_id)
    return None if row is None else _search_record(row)


def page_saved_searches(s: AppSession, q: listing.ListQuery) -> listing.Page[SavedSearchRecord]:
    return listing.page(s, s.select(_sf), SAVED_SEARCH_FIELDS, q, _search_record)


def report_catalog(s: AppSession, search_id: int) -> tuple[list[str], dict[str, Column]]:
    """``(the saved search's own columns, every column its report can show)`` by column name."""
    row = s.get(_sf, search_id)
    catalog = REPORTS[row.report].catalog(s)
    return [c for c in row.columns if c in catalog], catalog


def run_report(s: AppSession, search_id: int, names: list[str], offset: int, limit: int, *,
               order_by: str | None = None, ascending: bool = True) -> tuple[list[dict], bool]:
    """The saved search's rows from ``offset`` (at most ``limit``) with the columns ``names`` (checked against
    ``report_catalog``), ordered by the column ``order_by`` (one made of a single field) or by id; and whether
    more rows follow. Values are as getSavedSearchResults gives them (empty ones as "")."""
    row = s.get(_sf, search_id)
    catalog = REPORTS[row.report].catalog(s)
    field = catalog[order_by].fields[0] if order_by else None
    rows = _report_rows(s, row, [catalog[n] for n in names], limit + 1, offset, order_by=field, ascending=ascending)
    return rows[:limit], len(rows) > limit


def orderable(column: Column) -> bool:
    """Whether rows can be ordered by this report column (one stored field, shown as it is)."""
    return column.make is None and len(column.fields) == 1


# --- quick searches ----------------------------------------------------------------------------------

QUICK_SEARCHES = {  # getAvailableQuickSearches (vendor sample, in its order)
    "FindPerson": "Person", "FindCompany": "Company", "FindTask": "Task/Appt/Note", "FindOrder": "Order",
    "FindSubscription": "Subscription", "FindOpportunity": "Opportunity", "FindAffiliate": "Affiliate",
}
# The docs name the types by their labels (Person, Order …); a real client sends the keys (FindPerson).
_ALIASES = {**{k.lower(): k for k in QUICK_SEARCHES}, **{v.lower(): k for k, v in QUICK_SEARCHES.items()},
            "task": "FindTask", "appointment": "FindTask", "note": "FindTask"}


def available_quick_searches(s: AppSession, user_id: int) -> dict[str, str]:
    _check_user(s, user_id)
    return dict(QUICK_SEARCHES)


def default_quick_search(s: AppSession, user_id: int) -> str:
    """No user of the sandbox has picked a default; the vendor sample for such a user is the string null."""
    _check_user(s, user_id)
    return "null"


def _like(text: str) -> str:
    return "%" + text.replace("%", "").strip() + "%"


def _matching_contacts(s: AppSession, text: str, limit: int = 1000) -> list[int]:
    c = schema.contact
    pattern = _like(text).lower()
    full = sa.func.lower(sa.func.coalesce(c.c.first_name, "") + " " + sa.func.coalesce(c.c.last_name, ""))
    q = (s.select(c, c.c.id).where(c.c.kind == "contact", sa.or_(
        full.like(pattern), sa.func.lower(c.c.email).like(pattern), sa.func.lower(c.c.company).like(pattern)))
        .order_by(c.c.id).limit(limit))
    return [r.id for r in s.execute(q)]


def people_containing(s: AppSession, text: str, fields: list[str], *, limit: int, offset: int = 0) -> list[dict]:
    """Contacts whose first, last or full name, email or company contains ``text`` (ignoring case, ``%`` and ``_``
    as themselves), in id order, a page of them: the inspector's contact search, over every contact."""
    c = schema.contact
    value = text.strip().lower()
    pattern = "%" + listing.escape_like(value) + "%"
    full = sa.func.coalesce(c.c.first_name, "") + " " + sa.func.coalesce(c.c.last_name, "")
    match = sa.or_(*(folding.lowered(col, value).like(pattern, escape="\\")
                     for col in (full, c.c.email, c.c.company)))
    return select_rows(s, REGISTRY.get("Contact"), fields, {}, limit=limit, offset=offset, order_by="Id",
                       extra_where=[match])


def _rows(s: AppSession, table_name: str, wanted: list[str], criteria_list: list[dict], lim: int,
          offset: int) -> list[dict]:
    """Rows of an optional table matching any of ``criteria_list`` (no OR in the query language: one query
    each, merged by Id), with only the ``wanted`` fields the table has."""
    table = REGISTRY.get(table_name)
    if table is None:
        return []  # not served by this sandbox (yet)
    fields = [f for f in wanted if f in table.fields]
    found: dict[int, dict] = {}
    for criteria in criteria_list:
        criteria = {k: v for k, v in criteria.items() if k in table.fields and v not in ([], None)}
        if not criteria:
            continue
        for r in records.query(s, table_name, 1000, 0, criteria, fields + ["Id"]):
            found.setdefault(r["Id"], r)
    ordered = [found[k] for k in sorted(found)]
    return [{f: _blank(r.get(f)) for f in fields} for r in ordered[offset:offset + lim]]


def quick_search(s: AppSession, search_type: str, user_id: int, text: str, page: int, limit: int) -> list[dict]:
    _check_user(s, user_id)
    kind = _ALIASES.get(str(search_type).strip().lower())
    if kind is None:
        raise InvalidParameter(f"Invalid quick search type: {search_type}. "
                               f"Use one of {', '.join(QUICK_SEARCHES)}")
    bounds = page_bounds(limit, page)
    if bounds is None or not text.strip():
        return []
    lim, offset = bounds
    pattern = _like(text)
    if kind in ("FindPerson", "FindCompany"):
        table = REGISTRY.get("Contact" if kind == "FindPerson" else "Company")
        c = schema.contact
        p = pattern.lower()
        full = sa.func.lower(sa.func.coalesce(c.c.first_name, "") + " " + sa.func.coalesce(c.c.last_name, ""))
        match = sa.or_(full.like(p), sa.func.lower(c.c.email).like(p), sa.func.lower(c.c.company).like(p),
                       sa.func.lower(c.c.phone1).like(p))
        fields = ["Id", "FirstName", "LastName", "Company", "Email", "Phone1", "Phone1Ext", "City", "State"]
        rows = select_rows(s, table, fields, {}, limit=lim, offset=offset, extra_where=[match])
        if kind == "FindCompany":
            return [{"Id": r["Id"], "Company": r.get("Company", ""), "Email": r.get("Email", ""),
                     "PhoneWithExtension1": _blank(_phone(1)(r, None)), "City": r.get("City", ""),
                     "State": r.get("State", "")} for r in rows]
        return [{"Id": r["Id"], "ContactName": _join("FirstName", "LastName")(r, None), "Company": r.get("Company", ""),
                 "Email": r.get("Email", ""), "PhoneWithExtension1": _blank(_phone(1)(r, None)),
                 "City": r.get("City", ""), "State": r.get("State", "")} for r in rows]
    contact_ids = _matching_contacts(s, text)
    if kind == "FindTask":
        rows = _rows(s, "ContactAction", ["Id", "ContactId", "ActionType", "ActionDescription", "ObjectType",
                                           "ActionDate", "CreationDate"],
                     [{"ActionDescription": pattern}, {"CreationNotes": pattern}, {"ContactId": contact_ids}],
                     lim, offset)
        names = _contact_names(s, [r["ContactId"] for r in rows if r.get("ContactId")])
        for r in rows:
            r["ContactName"] = names.get(r.get("ContactId"), "")
        return rows
    if kind == "FindOrder":
        return _rows(s, "Job", ["Id", "JobTitle", "ContactId", "DateCreated", "OrderStatus", "OrderType"],
                     [{"JobTitle": pattern}, {"ContactId": contact_ids}, {"Id": text.strip()}
                      if text.strip().isdigit() else {}], lim, offset)
    if kind == "FindSubscription":
        return _rows(s, "RecurringOrder", ["Id", "ContactId", "ProductId", "SubscriptionPlanId", "Status",
                                            "StartDate", "NextBillDate", "BillingAmt"],
                     [{"ContactId": contact_ids}, {"Id": text.strip()} if text.strip().isdigit() else {}],
                     lim, offset)
    if kind == "FindOpportunity":
        return _rows(s, "Lead", ["Id", "OpportunityTitle", "ContactID", "StageID", "UserID", "DateCreated"],
                     [{"OpportunityTitle": pattern}, {"ContactID": contact_ids}], lim, offset)
    return _rows(s, "Affiliate", ["Id", "ContactId", "AffCode", "AffName", "Status"],
                 [{"AffName": pattern}, {"AffCode": pattern}, {"ContactId": contact_ids}], lim, offset)


def _contact_names(s: AppSession, ids) -> dict[int, str]:
    ids = sorted(set(ids))
    if not ids:
        return {}
    c = schema.contact
    q = s.select(c, c.c.id, c.c.first_name, c.c.last_name).where(c.c.id.in_(ids))
    return {r.id: " ".join(p for p in (r.first_name, r.last_name) if p) for r in s.execute(q)}


def contact_ids(s: AppSession, search_id: int, user_id: int) -> list[int]:
    """The ids of the contacts a saved contact search finds, in key order (a broadcast's list)."""
    row = _saved(s, search_id, user_id)
    if REPORTS[row.report].table != "Contact":
        raise InvalidParameter(f"saved search {search_id} does not find contacts")
    return [r["Id"] for r in _report_rows(s, row, [_c("Id", "Id")], None, 0)]
