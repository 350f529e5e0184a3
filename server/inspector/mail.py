"""An app's email page (issue 20): broadcasts (schedule, cancel, read each one's batch report and the addresses it
skipped, with the reason), the app's deliverability rules (address patterns -> outcomes, the soft-bounce
threshold), and an address's status as a user sets it in the app (Opt-Out: Admin). A late outcome on one sent
message is on the message's page (server.inspector.outbox).

A broadcast's ``send_at`` from the form is app-local, as the control API reads a time without a zone."""
from __future__ import annotations

from flask import request

from server.domain.mail import broadcasts, deliverability, email_status
from server.sandbox.control import broadcasts as control_broadcasts
from server.sandbox.control import campaigns as control_campaigns
from server.sandbox.control import email as control_email

from .apps import context
from .web import PAGE, Refused, act, back, bp, call, model, page_number, paged, render, whole_number

SKIP_SCAN = 1000  # a broadcast's page reads this many of the app's skipped broadcast messages (oldest first)


@bp.route("/apps/<name>/email")
def mail(name: str):
    ctx = context(name)
    listing = call(control_broadcasts.list_broadcasts, name=name,
                   query=model(control_broadcasts.BroadcastFilter, {"status": request.args.get("status")}))
    settings = call(control_email.get_deliverability, name=name)
    page = paged(listing["broadcasts"][::-1], page_number())  # newest first
    return render("mail.html", tab="mail", broadcasts=page["rows"], number=page["number"], more=page["more"],
                  settings=settings, outcomes=deliverability.OUTCOMES,
                  statuses=sorted(email_status.STATUSES), wanted=request.args.get("status"),
                  broadcast_statuses=broadcasts.STATUSES, **ctx)


# --- broadcasts ---------------------------------------------------------------------------------------

def _ids(text: str) -> list[int] | None:
    parts = [p for p in text.replace(",", " ").split() if p]
    if not parts:
        return None
    if not all(p.isdigit() for p in parts):
        raise Refused(400, f"contact_ids must be contact ids separated by commas, not {text!r}")
    return [int(p) for p in parts]


@bp.post("/apps/<name>/broadcasts")
def create_broadcast(name: str):
    form = request.form

    def work():
        values = {k: whole_number(form, k, optional=True) for k in ("template_id", "tag_id", "saved_search_id",
                                                                    "user_id")}
        values.update(name=form.get("name", "").strip(), send_at=form.get("send_at", "").strip(),
                      contact_ids=_ids(form.get("contact_ids", "")))
        made = call(control_broadcasts.create, name=name, body=model(control_broadcasts.NewBroadcast, values))
        return back("inspector.broadcast", name=name, broadcast_id=made["id"],
                    notice=f"broadcast {made['name']} {made['status']}")
    return act("inspector.mail", work, name=name)


def _skipped(name: str, broadcast_id: int) -> tuple[list[dict], bool]:
    """The messages the broadcast skipped (each with its address and reason), up to a page; whether the scan
    stopped before the end of the app's skipped broadcast messages."""
    query = model(control_campaigns.OutboxFilter, {"origin": "broadcast", "status": "skipped", "count": SKIP_SCAN})
    answer = call(control_campaigns.outbox, name=name, query=query)
    found = [m for m in answer["messages"] if m.get("broadcast_id") == broadcast_id]
    return found[:PAGE], len(found) > PAGE or bool(answer.get("next"))


@bp.route("/apps/<name>/broadcasts/<int:broadcast_id>")
def broadcast(name: str, broadcast_id: int):
    ctx = context(name)
    found = call(control_broadcasts.get, name=name, broadcast_id=broadcast_id)
    skipped, more = _skipped(name, broadcast_id) if found["status"] == "sent" else ([], False)
    return render("broadcast.html", tab="mail", broadcast=found, skipped=skipped, more=more, **ctx)


@bp.post("/apps/<name>/broadcasts/<int:broadcast_id>/cancel")
def cancel_broadcast(name: str, broadcast_id: int):
    return act("inspector.broadcast", lambda: call(control_broadcasts.cancel, name=name, broadcast_id=broadcast_id),
               notice="broadcast cancelled", name=name, broadcast_id=broadcast_id)


# --- deliverability and an address's status --------------------------------------------------------------

def _rules(text: str) -> list[dict]:
    """One rule a line: a glob on the address and its outcome (``*@bounces.example.com hard_bounce``)."""
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        pattern, _, outcome = line.strip().rpartition(" ")
        if not pattern.strip():
            raise Refused(400, f"rules, line {number}: give a pattern and an outcome (*@bounces.example.com "
                               f"hard_bounce)")
        out.append({"pattern": pattern.strip(), "outcome": outcome})
    return out


@bp.post("/apps/<name>/email/deliverability")
def set_deliverability(name: str):
    def work():
        form = request.form
        values = {"rules": _rules(form.get("rules", "")),
                  **{k: whole_number(form, k, optional=True) for k in ("soft_bounce_limit", "soft_bounce_window")}}
        call(control_email.set_deliverability, name=name, body=model(control_email.DeliverabilityChanges, values))
        return f"deliverability set: {len(values['rules'])} rules"
    return act("inspector.mail", work, name=name)


@bp.post("/apps/<name>/email/address")
def set_address(name: str):
    form = request.form
    email = form.get("email", "").strip()

    def work():
        if not email:
            raise Refused(400, "email: give the address")
        body = model(control_email.AddressStatus, {"status": form.get("status") or "Admin",
                                                   "reason": form.get("reason", "").strip(),
                                                   "force": form.get("force") == "on"})
        changed = call(control_email.set_address, name=name, email=email, body=body)
        return f"{changed['email']} is now {changed['status']}" + (f" ({changed['reason']})"
                                                                   if changed["reason"] else "")
    return act("inspector.mail", work, name=name)
