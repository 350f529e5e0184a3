"""The control API of saved searches (SearchService's, and REST v2's reports): list an app's and add one, as a
user saves a search in the Keap app (a contact, company or email search: seed 003's saved searches that "allow
you to access parts of the email history"). Seeded ones come from sandbox_data/services.json."""
from __future__ import annotations

from typing import Any, Literal

from flask import jsonify
from pydantic import Field

from server.domain.data import searches
from server.engine import resources

from .common import ControlError, app_session
from .contract import Body, ControlBlueprint

bp = ControlBlueprint("sandbox_saved_searches", __name__)


class NewSavedSearch(Body):
    name: str = Field(min_length=1, max_length=200)
    report: Literal["contact", "company", "email"] = "contact"
    users: list[int | str] = Field(min_length=1, max_length=100,
                                   description="who may run it: user ids or email addresses (0: every user)")
    criteria: dict[str, Any] = Field(default_factory=dict, description="DataService criteria of the report's rows")
    tags: list[int | str] = Field(default_factory=list, max_length=100, description="contacts with any of the tags")
    columns: list[str] = Field(None, min_length=1, max_length=200, description="report columns (its default if none)")


def _json(row) -> dict:
    return {"id": row.id, "name": row.filter_name, "report": row.report, "stored_name": row.report_stored_name,
            "users": [int(u) for u in (row.user_id or "").split(",") if u.strip()], "criteria": row.criteria,
            "columns": row.columns}


@bp.get("/apps/<name>/saved-searches", summary="The app's saved searches")
def list_saved_searches(name: str):
    with app_session(name, write=False) as s:
        return jsonify({"saved_searches": [_json(r) for r in searches.saved_searches(s)]})


@bp.post("/apps/<name>/saved-searches", summary="Save a search (contact, company or email report)",
         body=NewSavedSearch, status=201)
def add_saved_search(name: str, body: NewSavedSearch):
    with app_session(name, write=True) as s:
        users, criteria = [], dict(body.criteria)
        for n, ref in enumerate(body.users):
            try:
                users.append(0 if ref == 0 else resources.user_id(s, ref))
            except resources.Unresolved as exc:
                raise ControlError(400, str(exc), [{"field": f"users.{n}", "problem": str(exc)}]) from None
        if body.tags:
            criteria["tag_ids"] = []
            for n, ref in enumerate(body.tags):
                try:
                    criteria["tag_ids"].append(resources.tag_id(s, ref))
                except resources.Unresolved as exc:
                    raise ControlError(400, str(exc), [{"field": f"tags.{n}", "problem": str(exc)}]) from None
        try:
            search_id = searches.add_saved_search(s, body.name, users, report=body.report, criteria=criteria,
                                                  columns=body.columns)
        except searches.BadSearch as exc:
            raise ControlError(400, str(exc), [{"field": exc.field, "problem": str(exc)}]) from None
        return jsonify(_json(searches.get_saved_search_row(s, search_id))), 201
