"""/users: the app's users (User rows; the API cannot change them, as XML-RPC cannot)."""
from __future__ import annotations

import sqlalchemy as sa

from server.store import schema
from server.store.session import AppSession

from .api import Paging, Request, Shape, envelope, page, route
from .wire import out_datetime


class ListUsers(Paging):
    include_inactive: bool | None = None
    include_partners: bool | None = None


class UserShape(Shape):
    id: int
    given_name: str | None = None
    family_name: str | None = None
    email_address: str | None = None
    status: str | None = None


class UserList(Shape):
    users: list[UserShape]
    count: int
    next: str | None = None
    previous: str | None = None


def user_json(s: AppSession, row) -> dict:
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
            "company_name": None, "job_title": None, "status": "Active", "partner": bool(row.partner),
            "global_user_id": row.global_user_id, "infusionsoft_id": f"{s.app.name}.infusionsoft.com",
            "time_zone": s.app.time_zone, "website": None, "address": address, "phone_numbers": phones,
            "fax_numbers": [], "created_by": None, "date_created": out_datetime(None, s.clock),
            "last_updated": None, "last_updated_by": None}


@route("GET", "/users", summary="List users", tag="Users", query=ListUsers, response=UserList)
def list_users(r: Request):
    q: ListUsers = r.query
    limit, offset = page(q)
    u = schema.user
    where = []
    if q.include_partners is False:
        where.append(u.c.partner == 0)
    total = r.s.execute(r.s.select(u, sa.func.count()).where(*where)).scalar_one()
    rows = r.s.execute(r.s.select(u).where(*where).order_by(u.c.id).limit(limit).offset(offset)).all()
    return envelope(r, "users", [user_json(r.s, row) for row in rows], total, limit, offset, path="/users",
                    carry={"include_inactive": q.include_inactive, "include_partners": q.include_partners})
