"""An app's users on its Overview page (server.inspector.apps): each with its password's expiry; set a password,
expire it now or never, and accept a user's invitation (issue 17: users where the control API has them)."""
from __future__ import annotations

from flask import request

from server.sandbox.control import credentials as control_credentials
from server.sandbox.control import hooks as control_hooks

from .web import Refused, back, bp, call, model, record_or_404


def users_of(name: str) -> list[dict]:
    return call(control_credentials.list_users, name=name)["users"]


@bp.post("/apps/<name>/users/<int:user_id>/password")
def set_password(name: str, user_id: int):
    record_or_404(name)
    form = request.form
    action = form.get("action", "set")
    values = {"set": {"password": form.get("password", "")}, "expire": {"expired": True},
              "never": {"expired": False}}.get(action)
    try:
        if values is None:
            raise Refused(400, f"action must be set, expire or never, not {action!r}")
        if action == "set" and not values["password"]:
            raise Refused(400, "password: give the new password")
        user = call(control_credentials.set_password, name=name, user_id=user_id,
                    body=model(control_credentials.PasswordChange, values))
    except Refused as exc:
        return back("inspector.app", name=name, error=exc.message)
    done = {"set": "has a new password", "expire": "has an expired password", "never": "has a password that "
            "never expires"}[action]
    return back("inspector.app", name=name, notice=f"user {user['id']} ({user['email']}) {done}")


@bp.post("/apps/<name>/users/accept")
def accept_invitation(name: str):
    record_or_404(name)
    text = request.form.get("user_id", "").strip()
    try:
        if not text.isdigit():
            raise Refused(400, f"user_id must be an invited user's id, not {text!r}")
        call(control_hooks.accept_invitation, name=name, user_id=int(text))
    except Refused as exc:
        return back("inspector.app", name=name, error=exc.message)
    return back("inspector.app", name=name, notice=f"user {text} accepted the invitation: active")
