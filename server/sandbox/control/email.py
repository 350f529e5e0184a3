"""The control API of email (issue 20): the app's deliverability settings (its own address rules and the soft
bounce threshold), a late outcome for a sent message (a bounce or a complaint arriving after the fact), and an
address's status as a user sets it in the app (Opt-Out: Admin; an opt-out stays unless forced).

Every bad input is a 400 naming the field; an unknown app, message or address a 404."""
from __future__ import annotations

import contextlib

from flask import Blueprint, jsonify, request
from pydantic import ValidationError

from server.domain.errors import InvalidParameter, RecordNotFound
from server.domain.mail import confirmations, deliverability, email_status
from server.store import apps
from server.store.db import transaction

from .common import ControlError, app_named, control_error, current_sandbox, json_body, require_admin

bp = Blueprint("sandbox_email", __name__, url_prefix="/sandbox")
bp.before_request(require_admin)
bp.register_error_handler(ControlError, control_error)


def app_session(name: str, *, write: bool):
    """A transaction on the app ``name`` yielding its AppSession (links made in it start with the caller's
    address, or SANDBOX_PUBLIC_URL)."""
    record = app_named(name)
    sandbox = current_sandbox()
    base_url = (sandbox.config.public_url or request.host_url).rstrip("/")

    @contextlib.contextmanager
    def scope():
        with transaction(sandbox.engine, write=write) as conn:
            yield sandbox.env.session(conn, record, base_url=base_url)

    return scope()


def validation_error(exc: ValidationError) -> ControlError:
    """The first problem of a pydantic model's validation, naming the field."""
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "body"
    return ControlError(400, f"{where}: {first['msg']}")


# --- deliverability settings --------------------------------------------------------------------------

@bp.get("/apps/<name>/email/deliverability")
def get_deliverability(name: str):
    with app_session(name, write=False) as s:
        settings = deliverability.Settings.of(s)
    return jsonify({**settings.model_dump(), "patterns": deliverability.PATTERNS})


@bp.patch("/apps/<name>/email/deliverability")
def set_deliverability(name: str):
    """Body: any of ``rules`` (``[{"pattern": "*@bounces.example.com", "outcome": "hard_bounce"}]``, replacing
    the list), ``soft_bounce_limit``, ``soft_bounce_window`` (seconds)."""
    record = app_named(name)
    email = dict(record.options.get("email") or {})
    try:
        merged = deliverability.Settings.model_validate({**(email.get("deliverability") or {}), **json_body()})
    except ValidationError as exc:
        raise validation_error(exc) from None
    email["deliverability"] = merged.model_dump()
    with transaction(current_sandbox().engine, write=True) as conn:
        apps.update(conn, record.id, options={**record.options, "email": email})
    return jsonify({**merged.model_dump(), "patterns": deliverability.PATTERNS})


# --- a late outcome -------------------------------------------------------------------------------------

@bp.post("/apps/<name>/outbox/<int:message_id>/outcome")
def set_outcome(name: str, message_id: int):
    """Body: ``{"outcome": "hard_bounce"}`` (one of delivered, soft_bounce, hard_bounce, complaint, spam_report,
    invalid) for an email captured earlier."""
    outcome = json_body().get("outcome")
    if outcome not in deliverability.OUTCOMES:
        raise ControlError(400, f"outcome must be one of {', '.join(deliverability.OUTCOMES)}")
    try:
        with app_session(name, write=True) as s:
            return jsonify(deliverability.set_outcome(s, message_id, outcome))
    except RecordNotFound as exc:
        raise ControlError(404, exc.message) from None
    except InvalidParameter as exc:
        raise ControlError(400, exc.message) from None


# --- an address's status, as a user sets it -------------------------------------------------------------

def _stamp(moment):
    return moment.isoformat() if moment else None


def _status_json(s, email: str) -> dict:
    found = email_status.get_status(s, email)
    if found is None:
        raise ControlError(404, f"no email address {email!r} in the app")
    return {"email": email_status.key(email), "status": found.token, "marketable": found.marketable,
            "opt_status": email_status.STATUSES[found.token].opt_status,
            "reason": email_status.row(s, email).reason, "last_sent": _stamp(found.last_sent),
            "last_open": _stamp(found.last_open), "last_click": _stamp(found.last_click)}


@bp.get("/apps/<name>/email/addresses/<path:email>")
def get_address(name: str, email: str):
    with app_session(name, write=False) as s:
        return jsonify(_status_json(s, email))


@bp.put("/apps/<name>/email/addresses/<path:email>")
def set_address(name: str, email: str):
    """Body: ``{"status": "Admin", "reason": "...", "force": false}``: any status token; an opted-out address
    (Manual, Admin, Feedback, Spam …) keeps its opt-out unless ``force`` is true (409 otherwise)."""
    body = json_body()
    token, reason, force = body.get("status"), body.get("reason"), body.get("force", False)
    if token not in email_status.STATUSES:
        raise ControlError(400, f"status must be one of {', '.join(email_status.STATUSES)}")
    if reason is not None and (not isinstance(reason, str) or len(reason) > 1000):
        raise ControlError(400, "reason must be a string of at most 1000 characters")
    if not isinstance(force, bool):
        raise ControlError(400, "force must be true or false")
    if not email_status.is_valid(email):
        raise ControlError(400, f"email: {email!r} is not a valid email address")
    with app_session(name, write=True) as s:
        if not email_status.known(s, email):
            raise ControlError(404, f"no email address {email!r} in the app")
        try:
            email_status.set_by_admin(s, email, token, reason or ("Opt-Out: Admin" if token == "Admin" else None),
                                      force=force)
        except email_status.OptOutLocked as exc:
            raise ControlError(409, str(exc)) from None
        return jsonify(_status_json(s, email))


# --- double opt-in --------------------------------------------------------------------------------------

@bp.get("/apps/<name>/email/confirmation-links")
def list_confirmation_links(name: str):
    with app_session(name, write=False) as s:
        return jsonify({"links": [x.model_dump() for x in confirmations.links(s)]})


@bp.post("/apps/<name>/email/confirmation-links")
def add_confirmation_link(name: str):
    """Body: ``name``, ``subject``, ``text`` (``~Confirmation.Link~`` is the link), ``redirect_url``,
    ``webform_ids`` (the forms whose submission sends it); all optional. Answers the link with its id."""
    record = app_named(name)
    body = json_body()
    if "id" in body:
        raise ControlError(400, "id: the sandbox gives the id")
    try:
        new = confirmations.ConfirmationLink.model_validate(body)
    except ValidationError as exc:
        raise validation_error(exc) from None
    email = dict(record.options.get("email") or {})
    email["confirmation_links"], new = confirmations.with_link(email.get("confirmation_links") or [], new)
    with transaction(current_sandbox().engine, write=True) as conn:
        apps.update(conn, record.id, options={**record.options, "email": email})
    return jsonify(new.model_dump()), 201


@bp.post("/apps/<name>/email/confirmations")
def send_confirmation(name: str):
    """Body: ``{"email": "...", "link_id": 0}``: the confirmation email of that link goes to the address."""
    body = json_body()
    email, link_id = body.get("email"), body.get("link_id", 0)
    if not isinstance(email, str) or not email_status.is_valid(email):
        raise ControlError(400, "email must be a valid email address")
    if isinstance(link_id, bool) or not isinstance(link_id, int):
        raise ControlError(400, "link_id must be a whole number")
    try:
        with app_session(name, write=True) as s:
            message_id = confirmations.request(s, email, link_id)
    except RecordNotFound as exc:
        raise ControlError(404, exc.message) from None
    return jsonify({"message_id": message_id, "email": email, "link_id": link_id}), 201
