"""Merge fields: ``~Contact.FirstName~`` and its siblings, rendered into emails, HTTP posts and templates.

Namespaces (seed 000 glossary; the merge-field picker and knmapihandler docs in spec campaign-engine.md §1.6; the
real service's getAvailableMergeFields answer, below): ``Contact`` (every Contact field, custom fields as
``~Contact._Name~``, and ``EmailHash``, ``EditPage``, ``SSN``), ``Owner`` (the contact's owner, a User),
``Company`` (the app's own business, the sender: its profile, tax id and CAN-SPAM address block),
``LoggedInUser`` (the user the call acts as), ``EmailSent`` (the email being sent: its id and hashes, filled in
by the outbox once the message has its id), ``Date`` (``Current``, ``DayOfWeek``, ``Month``, ``MonthOfYear``,
``Year``, ``DayOfMonth``), ``Campaign`` (a campaign's merge fields, ``~Campaign.<Name>~``; the real token syntax
is unconfirmed), ``App`` (``Name``), ``Confirmation`` (``~Confirmation.Link~``, a double opt-in link:
server.domain.mail.confirmations). Unknown or empty fields render as empty strings. Contexts are loaded for many
contacts at once, with one query per namespace, so a batch of 500 emails costs a handful of statements.
"""
from __future__ import annotations

import hashlib
import html as html_lib
import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import quote

import sqlalchemy as sa

from server.domain.account import settings
from server.domain.data import custom_fields
from server.domain.data.query import select_rows
from server.store import schema
from server.store.prepared import PreparedAll
from server.store.session import AppSession
from server.tables import REGISTRY, FieldType
from server.tables.model import snake

TOKEN = re.compile(r"~([A-Za-z]+)\.([A-Za-z0-9_]+)~")

CONTACT = REGISTRY.get("Contact")
USER = REGISTRY.get("User")


# APIEmailService.getAvailableMergeFields(key, "Contact") as the real service answered it: the Ruby gem's VCR
# cassette test/vcr_cassettes/email_get_available_merge_fields.yml (recorded 2015-07-26 against
# test.infusionsoft.com; spec clients.md §3, [S-RUBY-VCR]), 157 tokens: these 144 and that app's 13 contact
# custom fields. Its order is a hash map's; ours is this one. No ~Date.*~ there (they still render) and no
# Contact field the merge-field picker does not offer (CompanyID, OwnerID, DateCreated … still render).
CONTACT_FIELDS = (
    "Id", "FirstName", "MiddleName", "LastName", "Nickname", "Title", "Suffix", "SpouseName", "Birthday",
    "Anniversary", "Company", "JobTitle", "AccountId", "Email", "EmailAddress2", "EmailAddress3", "EmailHash",
    "Phone1", "Phone1Ext", "Phone1Type", "Phone2", "Phone2Ext", "Phone2Type", "Phone3", "Phone3Ext", "Phone3Type",
    "Phone4", "Phone4Ext", "Phone4Type", "Phone5", "Phone5Ext", "Phone5Type", "Fax1", "Fax1Type", "Fax2",
    "Fax2Type", "StreetAddress1", "StreetAddress2", "City", "State", "PostalCode", "ZipFour1", "Country",
    "Address2Street1", "Address2Street2", "City2", "State2", "PostalCode2", "ZipFour2", "Country2",
    "Address3Street1", "Address3Street2", "City3", "State3", "PostalCode3", "ZipFour3", "Country3",
    "AssistantName", "AssistantPhone", "ContactNotes", "Leadsource", "ReferralCode", "Website", "Username",
    "Password", "SSN", "EditPage")
# Owner and LoggedInUser alike: a user's fields
USER_FIELDS = (
    "Id", "FirstName", "LastName", "Title", "Company", "Email", "EmailAddress2", "Phone1", "Phone1Ext",
    "Phone1Type", "Phone2", "Phone2Ext", "Phone2Type", "Phone3", "Phone3Ext", "Phone3Type", "Fax1", "Fax1Type",
    "Fax2", "Fax2Type", "StreetAddress1", "StreetAddress2", "City", "State", "PostalCode", "Country", "Website",
    "Signature", "HTMLSignature")
# The app's own business (none of them is a field of the Company table, which shares the contact's fields)
COMPANY_FIELDS = (
    "Company", "Email", "Phone1", "Website", "StreetAddress1", "StreetAddress2", "City", "State", "PostalCode",
    "Country", "TaxId", "MailingAddressBlock", "HTMLMailingAddressBlock", "CanSpamAddressBlock",
    "HTMLCanSpamAddressBlock")
EMAIL_SENT_FIELDS = ("Id", "PartialHash", "PublicPartialHash")
APP_FIELDS = ("Name",)

# Contact merge fields that are no field of the Contact table: made when merged (_contact_extras)
CONTACT_EXTRAS = ("EmailHash", "EditPage", "SSN")
# every namespace a text may use (the campaign checker refuses others)
NAMESPACES = ("Contact", "Owner", "Company", "LoggedInUser", "User", "EmailSent", "Date", "App", "Campaign",
              "Confirmation")
# A user's merge field → its column: the User table's, then the columns only merge fields show
USER_COLUMNS = {**{n: f.column for n, f in USER.fields.items() if f.readable and f.column},
                **{n: snake(n) for n in USER_FIELDS if snake(n) in schema.USER_MERGE_COLUMNS}}


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
        if namespace in ("Confirmation", "EmailSent"):  # kept for the outbox, which knows the message
            return f"~{namespace}.{name}~"
        return ""


def _as_html(name: str, value: str) -> str:
    """A merged value in an HTML body: escaped, so a contact's ``<b>`` or ``R&D`` is text, not markup (as the
    address block is); the fields that are HTML already (``HTMLCanSpamAddressBlock``, ``HTMLSignature``) as
    they are."""
    return value if name.startswith("HTML") else html_lib.escape(value)


def render(text: str | None, ctx: Context, *, html: bool = False) -> str:
    """``text`` with its merge fields replaced; ``html``: it is an email's HTML body (each value escaped)."""
    if not text:
        return text or ""
    if html:
        return TOKEN.sub(lambda m: _as_html(m.group(2), ctx.value(m.group(1), m.group(2))), text)
    return TOKEN.sub(lambda m: ctx.value(m.group(1), m.group(2)), text)


class Compiled:
    """A text split once into its literal pieces and its tokens, rendered for many contexts without a regex
    (a broadcast renders one template for 100,000 contacts); ``html``: an email's HTML body, each value escaped."""

    def __init__(self, text: str, *, html: bool = False):
        parts = TOKEN.split(text)  # literal, namespace, name, literal, ...
        self.literals = parts[0::3]
        self.tokens = list(zip(parts[1::3], parts[2::3]))
        # each token's escaping decided once (``_as_html``): a value merged into HTML, unless it is HTML already
        self._pieces = [(namespace, name, literal, html and not name.startswith("HTML"))
                        for (namespace, name), literal in zip(self.tokens, self.literals[1:])]

    def render(self, ctx: Context) -> str:
        out = [self.literals[0]]
        contact = ctx.contact
        for namespace, name, literal, escaped in self._pieces:
            if namespace == "Contact":
                value = contact.get(name)
                value = value if value.__class__ is str else _text(value)  # most values: text already
            else:
                value = ctx.value(namespace, name)
            out.append(html_lib.escape(value) if escaped else value)
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
    extras = {name for ns, name in used if ns == "Contact" and name in CONTACT_EXTRAS}
    if "EmailHash" in extras:
        contact_fields.add("Email")
    need_owner = any(ns == "Owner" for ns, _ in used)
    if need_owner:
        contact_fields.add("OwnerID")
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
    owners = _users(s, {r.get("OwnerID") for r in rows.values()}) if need_owner else {}
    company = business(s) if any(ns == "Company" for ns, _ in used) else {}
    user = _logged_in_user(s, user_id) if any(ns in ("LoggedInUser", "User") for ns, _ in used) else {}
    now = s.now_local()
    out: dict[int, Context] = {}
    for contact_id in contact_ids:
        row = rows.get(contact_id, {})
        if extras:
            row = {**row, **_contact_extras(s, contact_id, row, extras)}
        out[contact_id] = Context(contact=row, owner=owners.get(row.get("OwnerID"), {}), company=company,
                                  user=user, campaign=campaign_fields or {}, app_name=s.app.name, now=now)
    return out


def _contact_extras(s: AppSession, contact_id: int, row: dict, names: set[str]) -> dict:
    """The Contact merge fields that are no Contact field (reconstructed: docs/divergences.md)."""
    out = {}
    if "EmailHash" in names:  # a hash of the address for links: the md5 hex digest of it in lower case
        email = (row.get("Email") or "").strip().lower()
        out["EmailHash"] = hashlib.md5(email.encode("utf-8")).hexdigest() if email else ""
    if "EditPage" in names:  # the contact's page in the app: the sandbox's inspector
        out["EditPage"] = f"{s.base_url}/sandbox/ui/apps/{quote(s.app.name)}/contacts/{contact_id}"
    # SSN: the real app keeps one the API never writes ("cannot update … SSN", seed 001): always empty here
    return out


def business(s: AppSession) -> dict:
    """``~Company.*~``: the app's own business (its profile, and the tax id an app.json profile may give)."""
    profile = s.app.profile or {}
    address = profile.get("address") or {}
    lines = settings.business_address_lines(s)
    can_spam = [profile["name"], *lines] if profile.get("name") and lines else lines
    return {"Company": profile.get("name"), "Email": profile.get("email"), "Phone1": profile.get("phone"),
            "Website": profile.get("website"), "StreetAddress1": address.get("line1"),
            "StreetAddress2": address.get("line2"), "City": address.get("locality"), "State": address.get("region"),
            "PostalCode": address.get("zip_code") or address.get("postal_code"),
            "Country": address.get("country_code"), "TaxId": profile.get("tax_id"),
            "MailingAddressBlock": "\n".join(lines), "HTMLMailingAddressBlock": _html_lines(lines),
            "CanSpamAddressBlock": "\n".join(can_spam), "HTMLCanSpamAddressBlock": _html_lines(can_spam)}


def _html_lines(lines: list[str]) -> str:
    return "<br>".join(html_lib.escape(line) for line in lines)


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
    user = _logged_in_user(s, user_id) if any(ns in ("LoggedInUser", "User") for ns, _ in used) else {}
    company = business(s) if any(ns == "Company" for ns, _ in used) else {}
    return Context(user=user, company=company, campaign=campaign_fields or {}, app_name=s.app.name,
                   now=s.now_local())


_USER_SELECT = [schema.user.c.id, *(schema.user.c[column] for column in USER_COLUMNS.values())]


def _users(s: AppSession, ids: set) -> dict[int, dict]:
    """Users by id, each as its merge fields (USER_COLUMNS)."""
    ids = sorted(i for i in ids if i)
    out = {}
    for chunk in _chunks(ids):
        for row in s.execute(s.select(schema.user, *_USER_SELECT).where(schema.user.c.id.in_(chunk))):
            out[row[0]] = {name: value for name, value in zip(USER_COLUMNS, row[1:]) if value is not None}
    return out


def _logged_in_user(s: AppSession, user_id: int | None) -> dict:
    u = schema.user
    if user_id is None:
        user_id = s.execute(s.select(u, u.c.id).order_by(u.c.id).limit(1)).scalar()
    if user_id is None:
        return {}
    return _users(s, {user_id}).get(user_id, {})


def _chunks(ids: list[int], size: int = 500):
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


def available(s: AppSession, merge_context: str) -> list[str]:
    """APIEmailService.getAvailableMergeFields: the tokens a template of ``merge_context`` may use. For
    ``Contact`` the recorded answer (CONTACT_FIELDS …); the other contexts add their own table's fields first
    (Opportunity, Invoice, CreditCard, ServiceCall: unrecorded, docs/divergences.md)."""
    out: list[str] = []
    context_tables = {"Opportunity": "Lead", "Invoice": "Invoice", "CreditCard": "CreditCard", "ServiceCall": "Ticket"}
    table = REGISTRY.get(context_tables[merge_context]) if merge_context in context_tables else None
    if table is not None:
        out.extend(f"~{merge_context}.{name}~" for name, f in table.fields.items() if f.readable and f.column)
        if table.custom_form is not None:
            out.extend(f"~{merge_context}._{name}~" for name in sorted(custom_fields.definitions(s, table.custom_form)))
    for namespace, names in (("Contact", CONTACT_FIELDS), ("Owner", USER_FIELDS), ("Company", COMPANY_FIELDS),
                             ("LoggedInUser", USER_FIELDS), ("EmailSent", EMAIL_SENT_FIELDS), ("App", APP_FIELDS)):
        out.extend(f"~{namespace}.{name}~" for name in names)
        if namespace == "Contact":
            out.extend(f"~Contact._{name}~" for name in sorted(custom_fields.definitions(s, CONTACT.custom_form)))
    return out


_EMAIL_SENT = re.compile(r"~EmailSent\.([A-Za-z]+)~")


def render_email_sent(text: str | None, message_id: int, token: str) -> str | None:
    """``~EmailSent.*~`` in a recorded message: ``Id`` its id, ``PartialHash`` and ``PublicPartialHash`` the token
    of its public links (reconstructed: docs/divergences.md); other names render empty."""
    if not text or "~EmailSent." not in text:
        return text
    values = {"Id": str(message_id), "PartialHash": token, "PublicPartialHash": token}
    return _EMAIL_SENT.sub(lambda m: values.get(m.group(1), ""), text)
