"""REST v2: Users, User Groups and the OAuth userinfo (the contract's ``Users`` and ``User Groups`` operations).

Users are the app's User rows (XML-RPC ``DataService`` table User, v1 ``/users``), read and written through
server.domain.account.users. v2 wire rules of this family:
- ``status`` is ACTIVE, INVITED (v1's ``POST /users`` until the invitation is accepted) or INACTIVE;
  ``keap_id`` and ``global_user_id`` are the user's global id; users keep no creation time, so
  ``create_time`` is left out and ordering by it is id order.
- ``filter``: ``email``, ``given_name`` (``*`` prefix, any case), ``user_ids==1,2``, and
  ``include_inactive`` / ``include_partners`` (``false`` leaves those users out; every user is listed
  otherwise). ``order_by``: ``create_time``, ``email``, ``name`` (family name, id breaking ties).
- ``PATCH``: given and family name, ``job_title`` (the User row's Title), the email address (another user's
  is a 400), phone numbers (PHONE1, PHONE2) and the address (one, the user's). The User table has no place
  for ``company_name``, ``website``, ``time_zone`` (the app's) or fax numbers: changing one is a 400 naming it.
- The signature is the user's HTML signature, as a JSON string.
"""
from __future__ import annotations

from server.domain.account import locales
from server.domain.account import users as domain
from server.domain.crm import countries
from server.domain.data.listing import Condition
from server.domain.mail import email_status
from server.domain.session import AppSession

from .api import Request, operation
from .errors import existing, invalid_field, not_found
from .filters import Ids, Kind, Text
from .paging import Listing
from .wire import out_id

STATUSES = {None: "ACTIVE", domain.ACTIVE: "ACTIVE", domain.INVITED: "INVITED", "Inactive": "INACTIVE"}
UNKEPT = ("company_name", "website", "time_zone", "fax_numbers")  # no User column holds them


class Include(Kind):
    """``include_<x>==true|false``: false leaves out the rows whose ``<x>`` is true; true keeps every row."""

    def parse(self, name, target, clause, clock):
        value = clause.value.strip().lower()
        if value not in ("true", "false"):
            raise invalid_field(f"filter.{name}", f"'{clause.value}' is not true or false")
        return [] if value == "true" else [Condition(target, "eq", "false")]


USERS = Listing(
    filters={"email": Text(), "given_name": Text(), "user_ids": Ids("id"), "include_inactive": Include("inactive"),
             "include_partners": Include("partner")},
    order_by={"create_time": "create_time", "email": "email", "name": "family_name"},
)


# --- answers ------------------------------------------------------------------------------------------

def user_json(s: AppSession, u: domain.UserRecord) -> dict:
    phones = [{"number": number, "extension": ext or None, "type": kind, "field": f"PHONE{i}"}
              for i, (number, ext, kind) in enumerate(((u.phone1, u.phone1_ext, u.phone1_type),
                                                       (u.phone2, u.phone2_ext, u.phone2_type)), start=1) if number]
    emails = [{"email": address, "field": f"EMAIL{i}"}
              for i, address in enumerate((u.email, u.email_address2, u.email_address3), start=1) if address]
    address = None
    if u.street_address1 or u.city or u.postal_code:
        address = {"line1": u.street_address1, "line2": u.street_address2, "locality": u.city,
                   **countries.region_fields(u.state, "USA"),  # (a user's address is in the US)
                   "postal_code": u.postal_code, "zip_code": u.postal_code,
                   "zip_four": u.zip_four1, "country_code": "USA", "field": "BILLING"}
    return {"id": out_id(u.id), "global_user_id": out_id(u.global_user_id), "keap_id": out_id(u.global_user_id),
            "given_name": u.first_name, "middle_name": u.middle_name, "family_name": u.last_name,
            "nickname": u.nickname, "spouse_name": u.spouse_name, "suffix": u.suffix, "title": u.title,
            "admin": bool(u.is_admin), "partner": bool(u.partner), "status": STATUSES.get(u.status, "ACTIVE"),
            "email_addresses": emails, "phone_numbers": phones, "fax_numbers": [], "social_accounts": [],
            "address": address}


def _user(s: AppSession, user_id: int) -> domain.UserRecord:
    return existing(domain.get(s, user_id), "User", user_id)


# --- the request's values -----------------------------------------------------------------------------

_PHONE_COLUMNS = {"PHONE1": ("phone1", "phone1_ext", "phone1_type"), "PHONE2": ("phone2", "phone2_ext", "phone2_type")}
_EMAIL_COLUMNS = {"EMAIL1": "email", "EMAIL2": "email_address2", "EMAIL3": "email_address3"}


def _phones(given: list[dict] | None) -> dict:
    values = {c: None for columns in _PHONE_COLUMNS.values() for c in columns}
    for i, phone in enumerate(given or []):
        field = phone.get("field") or f"PHONE{i + 1}"
        if field not in _PHONE_COLUMNS:
            raise invalid_field(f"phone_numbers.{i}.field", "a user has PHONE1 and PHONE2")
        number, ext, kind = _PHONE_COLUMNS[field]
        values.update({number: phone.get("number"), ext: phone.get("extension"), kind: phone.get("type")})
    return values


def _address(given: dict | None) -> dict:
    given = given or {}
    country = given.get("country_code")
    if country and locales.code_of(country) != "USA":
        raise invalid_field("address.country_code", "a user's address is in the USA (the User table has no country)")
    return {"street_address1": given.get("line1"), "street_address2": given.get("line2"),
            "city": given.get("locality"), "state": given.get("region_code") or given.get("region"),
            "postal_code": given.get("postal_code") or given.get("zip_code"), "zip_four1": given.get("zip_four")}


def _email(s: AppSession, user_id: int, given: dict | None) -> dict:
    if not given or not given.get("email"):
        raise invalid_field("email_address.email", "a user's email address cannot be cleared")
    address = given["email"].strip()
    if not email_status.is_valid(address):
        raise invalid_field("email_address.email", f"'{address}' is not an email address")
    other = domain.by_email(s, address)
    if other is not None and other.id != user_id:
        raise invalid_field("email_address.email", f"another user has the address {address}")
    field = given.get("field") or "EMAIL1"
    if field not in _EMAIL_COLUMNS:
        raise invalid_field("email_address.field", f"'{field}' is not EMAIL1, EMAIL2 or EMAIL3")
    return {_EMAIL_COLUMNS[field]: address}


def _values(s: AppSession, user_id: int, body: dict, changed: set[str]) -> dict:
    """User columns for the properties ``changed`` (wire names; ``title`` in the body is the mask's
    ``job_title``)."""
    unkept = sorted(changed & set(UNKEPT))
    if unkept:
        raise invalid_field(unkept[0], "the sandbox's User table does not keep it")
    values: dict = {}
    if "given_name" in changed:
        values["first_name"] = body.get("given_name")
    if "family_name" in changed:
        values["last_name"] = body.get("family_name")
    if "job_title" in changed:
        values["title"] = body.get("title")
    if "email_address" in changed:
        values.update(_email(s, user_id, body.get("email_address")))
    if "phone_numbers" in changed:
        values.update(_phones(body.get("phone_numbers")))
    if "address" in changed:
        values.update(_address(body.get("address")))
    return values


# --- operations ---------------------------------------------------------------------------------------

@operation("listPaginatedUsers")
def list_users(r: Request) -> dict:
    page = domain.page_users(r.s, r.list_query(USERS))
    return r.page("users", [user_json(r.s, u) for u in page.items], page)


@operation("getUserById")
def get_user(r: Request, user_id: int) -> dict:
    return user_json(r.s, _user(r.s, user_id))


@operation("updateUser")
def update_user(r: Request, user_id: int) -> dict:
    _user(r.s, user_id)
    mask = r.update_mask()
    changed = set(mask) if mask is not None else {"job_title" if k == "title" else k for k in r.body}
    return user_json(r.s, domain.update(r.s, user_id, _values(r.s, user_id, r.body, changed)))


@operation("getUserSignature")
def get_user_signature(r: Request, user_id: int) -> str:
    return _user(r.s, user_id).html_signature or ""


@operation("getUserInfo")
def get_user_info(r: Request) -> dict:
    """Who the credential acts as: its user, or for an app-wide key (a Service Account Key, the legacy key)
    the app's first user, as v1 answers."""
    info = domain.userinfo(r.s, r.s.user_id)
    return {"sub": info.get("sub"), "id": out_id(info.get("id")), "keap_id": out_id(info.get("keap_id")),
            "email": info.get("email"), "given_name": info.get("given_name"), "family_name": info.get("family_name"),
            "middle_name": info.get("middle_name"), "preferred_name": info.get("preferred_name"),
            "is_admin": info.get("is_admin"), "tenant_id": info.get("tenant_id")}


# --- user groups --------------------------------------------------------------------------------------

def group_json(g: domain.UserGroupRecord) -> dict:
    return {"id": out_id(g.id), "name": g.name}


@operation("listUserGroups")
def list_user_groups(r: Request) -> dict:
    return {"user_groups": [group_json(g) for g in domain.all_groups(r.s)]}


@operation("getUserGroup")
def get_user_group(r: Request, user_group_id: int) -> dict:
    found = domain.get_group(r.s, user_group_id)
    if found is None:
        raise not_found("User Group", user_group_id)
    return group_json(found)
