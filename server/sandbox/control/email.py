"""The control API of email (issue 20): the app's deliverability settings (its own address rules and the soft
bounce threshold), a late outcome for a sent message (a bounce or a complaint arriving after the fact), and an
address's status as a user sets it in the app (Opt-Out: Admin; an opt-out stays unless forced).

Every bad input is a 400 naming the field; an unknown app, message or address a 404."""
from __future__ import annotations

from typing import Literal

from flask import jsonify
from pydantic import Field, ValidationError

from server.domain.errors import InvalidParameter, RecordNotFound
from server.domain.mail import confirmation_links, confirmations, deliverability, deliverability_settings, email_status
from server.sandbox.inputs import shown
from server.store import apps
from server.store.db import transaction
from server.tables import INT_MAX

from .common import ControlError, app_named, app_session, current_sandbox
from .contract import Body, ControlBlueprint, refusal

bp = ControlBlueprint("sandbox_email", __name__)


class DeliverabilityChanges(deliverability_settings.Settings):
    """Any of the settings; those not given keep their value."""


class Outcome(Body):
    outcome: Literal[deliverability.OUTCOMES]


class AddressStatus(Body):
    status: Literal[tuple(email_status.STATUSES)]
    reason: str | None = Field(None, max_length=1000)
    force: bool = Field(False, description="change an opted-out address's status anyway")


class ConfirmationRequest(Body):
    email: str = Field(max_length=500)
    link_id: int = Field(0, ge=0, le=INT_MAX)


# --- deliverability settings --------------------------------------------------------------------------

@bp.get("/apps/<name>/email/deliverability", summary="The app's deliverability settings", errors=(404,))
def get_deliverability(name: str):
    with app_session(name, write=False) as s:
        settings = deliverability_settings.Settings.of(s)
    return jsonify({**settings.model_dump(), "patterns": deliverability.PATTERNS})


@bp.patch("/apps/<name>/email/deliverability", summary="Change the app's deliverability settings",
          body=DeliverabilityChanges, errors=(404,))
def set_deliverability(name: str, body: DeliverabilityChanges):
    """Body: any of ``rules`` (``[{"pattern": "*@bounces.example.com", "outcome": "hard_bounce"}]``, replacing
    the list), ``soft_bounce_limit``, ``soft_bounce_window`` (seconds)."""
    record = app_named(name)
    email = dict(record.options.get("email") or {})
    try:
        merged = deliverability_settings.Settings.model_validate({**(email.get("deliverability") or {}),
                                                                  **body.model_dump(exclude_unset=True)})
    except ValidationError as exc:
        raise refusal("the body", exc) from None
    email["deliverability"] = merged.model_dump()
    with transaction(current_sandbox().engine, write=True) as conn:
        apps.update(conn, record.id, options={**record.options, "email": email})
    return jsonify({**merged.model_dump(), "patterns": deliverability.PATTERNS})


# --- a late outcome -------------------------------------------------------------------------------------

@bp.post("/apps/<name>/outbox/<int:message_id>/outcome", summary="A late outcome (bounce, complaint) for a sent email",
         body=Outcome, errors=(404,))
def set_outcome(name: str, message_id: int, body: Outcome):
    """Body: ``{"outcome": "hard_bounce"}`` (one of delivered, soft_bounce, hard_bounce, complaint, spam_report,
    invalid) for an email captured earlier."""
    outcome = body.outcome
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


@bp.get("/apps/<name>/email/addresses/<path:email>", summary="An email address's status", errors=(404,))
def get_address(name: str, email: str):
    with app_session(name, write=False) as s:
        return jsonify(_status_json(s, email))


@bp.put("/apps/<name>/email/addresses/<path:email>", summary="Set an address's status as a user does in the app",
        body=AddressStatus, errors=(404, 409))
def set_address(name: str, email: str, body: AddressStatus):
    """Body: ``{"status": "Admin", "reason": "...", "force": false}``: any status token; an opted-out address
    (Manual, Admin, Feedback, Spam …) keeps its opt-out unless ``force`` is true (409 otherwise)."""
    token, reason, force = body.status, body.reason, body.force
    if not email_status.is_valid(email):
        raise ControlError(400, f"email: {shown(email)} is not a valid email address")
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

@bp.get("/apps/<name>/email/confirmation-links", summary="The app's double opt-in links", errors=(404,))
def list_confirmation_links(name: str):
    with app_session(name, write=False) as s:
        return jsonify({"links": [x.model_dump() for x in confirmation_links.links(s)]})


@bp.post("/apps/<name>/email/confirmation-links", summary="Add a double opt-in link",
         body=confirmation_links.ConfirmationLink, status=201, errors=(404,))
def add_confirmation_link(name: str, body: confirmation_links.ConfirmationLink):
    """Body: ``name``, ``subject``, ``text`` (``~Confirmation.Link~`` is the link), ``redirect_url``,
    ``webform_ids`` (the forms whose submission sends it); all optional. Answers the link with its id."""
    record = app_named(name)
    if "id" in body.model_fields_set:
        raise ControlError(400, "id: the sandbox gives the id", [{"field": "id", "problem": "the sandbox gives it"}])
    new = body
    email = dict(record.options.get("email") or {})
    email["confirmation_links"], new = confirmation_links.with_link(email.get("confirmation_links") or [], new)
    with transaction(current_sandbox().engine, write=True) as conn:
        apps.update(conn, record.id, options={**record.options, "email": email})
    return jsonify(new.model_dump()), 201


@bp.post("/apps/<name>/email/confirmations", summary="Send a double opt-in confirmation email",
         body=ConfirmationRequest, status=201, errors=(404,))
def send_confirmation(name: str, body: ConfirmationRequest):
    """Body: ``{"email": "...", "link_id": 0}``: the confirmation email of that link goes to the address."""
    email, link_id = body.email, body.link_id
    if not email_status.is_valid(email):
        raise ControlError(400, "email must be a valid email address", [{"field": "email", "problem": "not valid"}])
    try:
        with app_session(name, write=True) as s:
            message_id = confirmations.request(s, email, link_id)
    except RecordNotFound as exc:
        raise ControlError(404, exc.message) from None
    return jsonify({"message_id": message_id, "email": email, "link_id": link_id}), 201
