"""An app's users on its Overview page (server.inspector.apps): each with its password's expiry; set a password,
expire it now or never, and accept a user's invitation (issue 17: users where the control API has them)."""
from __future__ import annotations

from flask import request

from server.sandbox.control import credentials as control_credentials
from server.sandbox.control import hooks as control_hooks

from .web import Refused, act, bp, call, check_ids_given, model


def users_of(name: str) -> list[dict]:
    return call(control_credentials.list_users, name=name)["users"]


@bp.post("/apps/<name>/users/<int:user_id>/password")
def set_password(name: str, user_id: int):
    form = request.form
    action = form.get("action", "set")
    values = {"set": {"password": form.get("password", "")}, "expire": {"expired": True},
              "never": {"expired": False}}.get(action)
    def work():
        if values is None:
            raise Refused(400, f"action must be set, expire or never, not {action!r}")
        if action == "set" and not values["password"]:
            raise Refused(400, "password: give the new password")
        user = call(control_credentials.set_password, name=name, user_id=user_id,
                    body=model(control_credentials.PasswordChange, values))
        done = {"set": "has a new password", "expire": "has an expired password", "never": "has a password that "
                "never expires"}[action]
        return f"user {user['id']} ({user['email']}) {done}"
    return act("inspector.app", work, name=name)


@bp.post("/apps/<name>/users/accept")
def accept_invitation(name: str):
    text = request.form.get("user_id", "").strip()

    def work():
        if not text.isascii() or not text.isdigit():
            raise Refused(400, f"user_id must be an invited user's id, not {text!r}")
        check_ids_given({"user_id": int(text)})
        call(control_hooks.accept_invitation, name=name, user_id=int(text))
        return f"user {text} accepted the invitation: active"
    return act("inspector.app", work, name=name)
