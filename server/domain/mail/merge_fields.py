"""Merge fields: ``~Contact.FirstName~`` and its siblings, rendered into emails, HTTP posts and templates.

Namespaces (seed 000 glossary; the merge-field picker and knmapihandler docs in spec campaign-engine.md §1.6):
``Contact`` (every Contact field, custom fields as ``~Contact._Name~``), ``Owner`` (the contact's owner, a
User), ``Company`` (the contact's company), ``LoggedInUser`` (the user the call acts as), ``Date``
(``Current``, ``DayOfWeek``, ``Month``, ``MonthOfYear``, ``Year``, ``DayOfMonth``), ``Campaign`` (a campaign's
merge fields, ``~Campaign.<Name>~``; the real token syntax is unconfirmed), ``App`` (``Name``),
``Confirmation`` (``~Confirmation.Link~``, a double opt-in link: server.domain.mail.confirmations). Unknown or
empty fields render as empty strings. Contexts are loaded for many contacts at once, with one query per
namespace, so a batch of 500 emails costs a handful of statements.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from server.domain.data import custom_fields
from server.domain.data.query import select_rows
from server.store import schema
from server.store.prepared import PreparedAll
from server.store.session import AppSession
from server.tables import REGISTRY, FieldType

TOKEN = re.compile(r"~([A-Za-z]+)\.([A-Za-z0-9_]+)~")

CONTACT = REGISTRY.get("Contact")
USER = REGISTRY.get("User")
COMPANY = REGISTRY.get("Company")

DATE_FIELDS = ("Current", "DayOfWeek", "DayOfMonth", "Month", "MonthOfYear", "Year")
APP_FIELDS = ("Name",)


def tokens(*texts: str | None) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for text in texts:
        if text:
            found.update(TOKEN.findall(text))
    return found


@dataclass
class Context:
    contact: dict = field(default_factory=dict)
    owner: dict = field(default_factory=dict)
    company: dict = field(default_factory=dict)
    user: dict = field(default_factory=dict)
    campaign: dict = field(default_factory=dict)
    app_name: str = ""
    now: datetime | None = None

    def value(self, namespace: str, name: str) -> str:
        source = {"Contact": self.contact, "Owner": self.owner, "Company": self.company,
                  "LoggedInUser": self.user, "User": self.user, "Campaign": self.campaign}.get(namespace)
        if source is not None:
            return _text(source.get(name))
        if namespace == "Date" and self.now is not None:
            return _date_value(self.now, name)
        if namespace == "App" and name == "Name":
            return self.app_name
        if namespace == "Confirmation":  # kept for the outbox, which makes it the message's own confirmation link
            return f"~Confirmation.{name}~"
        return ""


def render(text: str | None, ctx: Context) -> str:
    if not text:
        return text or ""
    return TOKEN.sub(lambda m: ctx.value(m.group(1), m.group(2)), text)


class Compiled:
    """A text split once into its literal pieces and its tokens, rendered for many contexts without a regex
    (a broadcast renders one template for 100,000 contacts)."""

    def __init__(self, text: str):
        parts = TOKEN.split(text)  # literal, namespace, name, literal, ...
        self.literals = parts[0::3]
        self.tokens = list(zip(parts[1::3], parts[2::3]))
        self._pieces = [(namespace, name, literal)
                        for (namespace, name), literal in zip(self.tokens, self.literals[1:])]

    def render(self, ctx: Context) -> str:
        out = [self.literals[0]]
        contact = ctx.contact
        for namespace, name, literal in self._pieces:
            if namespace == "Contact":
                value = contact.get(name)
                out.append(value if value.__class__ is str else _text(value))  # most values: text already
            else:
                out.append(ctx.value(namespace, name))
            out.append(literal)
        return "".join(out)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        # US style, the app's local time, as Infusionsoft's US accounts show dates (format unconfirmed)
        if value.hour == value.minute == value.second == 0:
            return value.strftime("%m/%d/%Y")
        return value.strftime("%m/%d/%Y %I:%M %p")
    return str(value)


def _date_value(now: datetime, name: str) -> str:
    return {"Current": now.strftime("%m/%d/%Y"), "DayOfWeek": now.strftime("%A"), "DayOfMonth": str(now.day),
            "Month": now.strftime("%B"), "MonthOfYear": str(now.month), "Year": str(now.year)}.get(name, "")


def _wanted(used: set[tuple[str, str]], namespace: str, table) -> list[str]:
    if table is None:
        return []
    names = {name for ns, name in used if ns == namespace}
    return [n for n in names if n.startswith("_") or (n in table.fields and table.fields[n].readable)]


def contexts(s: AppSession, contact_ids: list[int], used: set[tuple[str, str]], *,
             campaign_fields: dict | None = None, user_id: int | None = None) -> dict[int, Context]:
    """A rendering context per contact id for the tokens ``used``, loaded in one query per namespace."""
    ids = sorted({i for i in contact_ids if i is not None})
    c = schema.contact
    contact_fields = set(_wanted(used, "Contact", CONTACT))
    need_owner = any(ns == "Owner" for ns, _ in used)
    need_company = any(ns == "Company" for ns, _ in used)
    if need_owner:
        contact_fields.add("OwnerID")
    if need_company:
        contact_fields.add("CompanyID")
    rows: dict[int, dict] = {}
    if ids and contact_fields:
        names = sorted(contact_fields | {"Id"})
        fast = _standard_select(names)
        if fast is not None and len(ids) == 1:  # one contact: a statement run on the driver
            row = s.first(fast[1], id=ids[0])
            if row is not None:
                rows[row[0]] = {n: v for n, v in zip(names, row[1:]) if v is not None}
            ids = []
        for chunk in _chunks(ids):
            if fast is not None:  # standard fields only: one statement built once, no resolver
                for row in s.execute(fast[0], {"app_id": s.app.id, "ids": chunk}).all():
                    rows[row[0]] = {n: v for n, v in zip(names, row[1:]) if v is not None}
                continue
            for row in select_rows(s, CONTACT, names, {}, extra_where=[c.c.id.in_(chunk)]):
                rows[row["Id"]] = row
    owners = _by_id(s, USER, _wanted(used, "Owner", USER), {r.get("OwnerID") for r in rows.values()})
    companies = _by_id(s, COMPANY, _wanted(used, "Company", COMPANY), {r.get("CompanyID") for r in rows.values()})
    user = {}
    if any(ns in ("LoggedInUser", "User") for ns, _ in used):
        wanted = _wanted(used, "LoggedInUser", USER) + _wanted(used, "User", USER)
        user = _logged_in_user(s, user_id, wanted)
    now = s.now_local()
    out: dict[int, Context] = {}
    for contact_id in contact_ids:
        row = rows.get(contact_id, {})
        out[contact_id] = Context(contact=row, owner=owners.get(row.get("OwnerID"), {}),
                                  company=companies.get(row.get("CompanyID"), {}), user=user,
                                  campaign=campaign_fields or {}, app_name=s.app.name, now=now)
    return out


_STANDARD: dict[tuple[str, ...], object] = {}


def _standard_select(names: list[str]):
    """``SELECT id, <the fields' columns> FROM contact WHERE id IN (…)`` for standard fields, built once per
    field list; None when a field is custom or joined (those go through the query compiler)."""
    key = tuple(names)
    if key not in _STANDARD:
        fields = [CONTACT.fields.get(n) for n in names]
        if any(f is None or f.column is None or f.type is FieldType.DATETIME for f in fields):
            _STANDARD[key] = None
        else:
            c = schema.contact
            columns = (c.c.id, *(c.c[f.column] for f in fields))
            _STANDARD[key] = (
                sa.select(*columns).where(c.c.app_id == sa.bindparam("app_id"),
                                          c.c.id.in_(sa.bindparam("ids", expanding=True))),
                PreparedAll(sa.select(*columns).where(c.c.app_id == sa.bindparam("app_id"),
                                                      c.c.id == sa.bindparam("id"))))
    return _STANDARD[key]


def context(s: AppSession, contact_id: int | None, used: set[tuple[str, str]], *,
            campaign_fields: dict | None = None, user_id: int | None = None) -> Context:
    if contact_id is not None:
        return contexts(s, [contact_id], used, campaign_fields=campaign_fields, user_id=user_id)[contact_id]
    wanted = _wanted(used, "LoggedInUser", USER) + _wanted(used, "User", USER)
    return Context(user=_logged_in_user(s, user_id, wanted), campaign=campaign_fields or {}, app_name=s.app.name,
                   now=s.now_local())


def _by_id(s: AppSession, table, fields: list[str], ids: set) -> dict[int, dict]:
    ids = sorted(i for i in ids if i)
    if not ids or not fields:
        return {}
    entity = schema.ENTITIES[table.entity]
    out = {}
    for chunk in _chunks(ids):
        for row in select_rows(s, table, sorted(set(fields) | {"Id"}), {}, extra_where=[entity.c.id.in_(chunk)]):
            out[row["Id"]] = row
    return out


def _logged_in_user(s: AppSession, user_id: int | None, fields: list[str]) -> dict:
    if not fields:
        return {}
    u = schema.user
    if user_id is None:
        user_id = s.execute(s.select(u, u.c.id).order_by(u.c.id).limit(1)).scalar()
    if user_id is None:
        return {}
    return _by_id(s, USER, fields, {user_id}).get(user_id, {})


def _chunks(ids: list[int], size: int = 500):
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


def available(s: AppSession, merge_context: str) -> list[str]:
    """APIEmailService.getAvailableMergeFields: the tokens a template of ``merge_context`` may use."""

    out: list[str] = []

    def add(namespace: str, table, custom_form: int | None = None):
        if table is None:
            return
        out.extend(f"~{namespace}.{name}~" for name, f in table.fields.items() if f.readable and f.column)
        if custom_form is not None:
            out.extend(f"~{namespace}._{name}~" for name in sorted(custom_fields.definitions(s, custom_form)))

    context_tables = {"Opportunity": "Lead", "Invoice": "Invoice", "CreditCard": "CreditCard", "ServiceCall": "Ticket"}
    if merge_context in context_tables:
        table = REGISTRY.get(context_tables[merge_context])
        add(merge_context, table, table.custom_form if table else None)
    add("Contact", CONTACT, CONTACT.custom_form)
    add("Owner", USER)
    add("Company", COMPANY)
    add("LoggedInUser", USER)
    out.extend(f"~Date.{name}~" for name in DATE_FIELDS)
    out.append("~App.Name~")
    return out
