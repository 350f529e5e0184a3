"""What notes, tasks and task appointments share on REST v2: they are ContactAction rows
(server.domain.crm.activities), told apart by ObjectType, written through the same domain operations as
DataService.add('ContactAction') and REST v1, so ``note.added``, ``task.added`` … fire whichever protocol
wrote them. Here: the filter kinds their lists need, the checks of the contacts and users a body names, and
their custom field values (the ContactAction custom form).
"""
from __future__ import annotations

from server.domain.crm import activities as domain
from server.domain.data.listing import Condition
from server.domain.mail.emails import contact_exists
from server.domain.session import AppSession
from server.tables import FORM_CONTACT_ACTION

from . import custom_values
from .errors import invalid_field, not_found
from .filters import Kind, Text
from .wire import in_id, out_id


class Contains(Text):
    """Text found anywhere in the value (``title==call``); a trailing ``*`` matches a prefix."""

    def parse(self, name, target, clause, clock):
        if clause.op == "==" and not clause.value.endswith("*"):
            return [Condition(target, "contains", clause.value)]
        return super().parse(name, target, clause, clock)


class Flag(Kind):
    """``true`` or ``false``, over a field that is 1 or 0."""

    def parse(self, name, target, clause, clock):
        value = clause.value.strip().lower()
        if value not in ("true", "false"):
            raise invalid_field(f"filter.{name}", f"'{clause.value}' is not true or false")
        return [Condition(target, "eq", 1 if value == "true" else 0)]


def require_contact(s: AppSession, contact_id: int) -> None:
    """A contact in the path must exist (404)."""
    if not contact_exists(s, contact_id):
        raise not_found("Contact", contact_id)


def contact_in_body(s: AppSession, value, name: str = "contact_id") -> int:
    contact_id = in_id(value, name)
    if not contact_exists(s, contact_id):
        raise invalid_field(name, f"no contact has the id {value}")
    return contact_id


def user_in_body(s: AppSession, value, name: str) -> int:
    user_id = in_id(value, name)
    if user_id not in domain.users_of(s, [user_id]):
        raise invalid_field(name, f"no user has the id {value}")
    return user_id


def basic_user(user: domain.ActionUser | None) -> dict | None:
    """The contract's ``BasicUser``."""
    if user is None:
        return None
    return {"id": out_id(user.id), "given_name": user.given_name, "family_name": user.family_name,
            "email_address": user.email}


def customs(s: AppSession, wanted: bool, ids: list[int]) -> dict[int, list[dict]]:
    """The custom field values of these records when the request asks for them (``fields=custom_fields``)."""
    return custom_values.read(s, FORM_CONTACT_ACTION, ids) if wanted else {}


def custom_fields_in(s: AppSession, items: list[dict]) -> dict:
    return custom_values.to_fields(s, FORM_CONTACT_ACTION, items)
