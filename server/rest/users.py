"""/users: the app's users (User rows, read-only through XML-RPC), inviting one (``POST /users``: Invited until
the invitation is accepted, which the control API plays: ``POST /sandbox/apps/<app>/users/<id>/accept``), and
a user's email signature."""
from __future__ import annotations

from pydantic import Field, StrictBool

from server.domain.account import users as domain
from server.domain.mail import email_status
from server.domain.session import AppSession

from .api import Body, Paging, Request, Shape, envelope, list_shape, page, route
from .errors import bad_request, not_found
from .wire import EmailText, out_datetime


class CreateUser(Body):
    """CreateUser [doc S1]."""

    email: EmailText
    given_name: str = Field(min_length=1)
    admin: StrictBool | None = None
    partner: StrictBool | None = None


class ListUsers(Paging):
    include_inactive: bool | None = None
    include_partners: bool | None = None


class UserShape(Shape):
    id: int
    given_name: str | None = None
    family_name: str | None = None
    email_address: str | None = None
    status: str | None = None


UserList = list_shape("UserList", "users", UserShape)


def user_json(s: AppSession, row: domain.UserRecord) -> dict:
    phones = [{"number": getattr(row, f"phone{i}"), "extension": getattr(row, f"phone{i}_ext") or "",
               "type": getattr(row, f"phone{i}_type"), "field": f"PHONE{i}"}
              for i in (1, 2) if getattr(row, f"phone{i}")]
    address = None
    if row.street_address1 or row.city:
        address = {"line1": row.street_address1, "line2": row.street_address2, "locality": row.city,
                   "region": row.state, "zip_code": row.postal_code, "zip_four": row.zip_four1,
                   "country_code": "USA", "field": "BILLING"}
    return {"id": row.id, "given_name": row.first_name, "middle_name": row.middle_name,
            "family_name": row.last_name, "preferred_name": row.nickname, "email_address": row.email,
            "company_name": None, "job_title": None, "status": row.status or domain.ACTIVE,
            "partner": bool(row.partner),
            "global_user_id": row.global_user_id, "infusionsoft_id": f"{s.app.name}.infusionsoft.com",
            "time_zone": s.app.time_zone, "website": None, "address": address, "phone_numbers": phones,
            "fax_numbers": [], "created_by": None, "date_created": out_datetime(None, s.clock),
            "last_updated": None, "last_updated_by": None}


@route("GET", "/users", summary="List users", tag="Users", query=ListUsers, response=UserList)
def list_users(r: Request):
    q: ListUsers = r.query
    limit, offset = page(q)
    found, total = domain.find(r.s, include_partners=q.include_partners is not False,
                               include_inactive=q.include_inactive is not False, limit=limit, offset=offset)
    return envelope(r, "users", [user_json(r.s, u) for u in found], total, limit, offset, path="/users",
                    carry={"include_inactive": q.include_inactive, "include_partners": q.include_partners})


@route("POST", "/users", summary="Invite a user", tag="Users", body=CreateUser, response=UserShape, status=201)
def create_user(r: Request):
    body: CreateUser = r.body
    if not email_status.is_valid(body.email):
        raise bad_request(f"Invalid email: {body.email}")
    user_id = domain.invite(r.s, body.email, body.given_name, admin=bool(body.admin), partner=bool(body.partner))
    return user_json(r.s, domain.get(r.s, user_id))


@route("GET", "/users/{userId}/signature", summary="A user's email signature (HTML)", tag="Users",
       response={"type": "string"})
def user_signature(r: Request, userId: int):
    user = domain.get(r.s, userId)
    if user is None:
        raise not_found("User")
    return user.html_signature or ""
