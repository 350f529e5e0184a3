"""The outbox, read like a mail catcher: every email, letter, fax and voice item with its rendered HTML and
text or the reason it was skipped, searched by recipient and subject and filtered by contact, kind, status and
origin; the campaign HTTP posts and the REST hook deliveries, with every attempt."""
from __future__ import annotations

from flask import request

from server.domain.mail import deliverability
from server.domain.mail import messages as outbox_messages
from server.sandbox.control import campaigns as control_campaigns
from server.sandbox.control import email as control_email
from server.sandbox.control import hooks as control_hooks

from .apps import context
from .web import PAGE, Refused, act, bp, call, model, render

SEARCH_SCAN = 1000  # a search reads this many messages after the cursor (the control API filters no text)


def _matches(message: dict, text: str) -> bool:
    text = text.lower()
    return any(text in (message.get(k) or "").lower() for k in ("to_address", "subject", "cc", "bcc"))


@bp.route("/apps/<name>/outbox")
def outbox(name: str):
    ctx = context(name)
    args = request.args
    search = args.get("q", "").strip()
    campaign = args.get("campaign_id", "").strip()
    if campaign and not campaign.isdigit():
        raise Refused(400, f"campaign_id must be a campaign's id, not {campaign!r}")
    scan = bool(search or campaign)  # the control API filters neither: read more and match here
    wanted = {k: args.get(k) for k in ("contact_id", "kind", "status", "origin", "next")}
    query = model(control_campaigns.OutboxFilter, {**wanted, "count": SEARCH_SCAN if scan else PAGE})
    answer = call(control_campaigns.outbox, name=name, query=query)
    messages = answer["messages"]
    following = answer.get("next")
    if scan:
        found = [m for m in messages if (not search or _matches(m, search))
                 and (not campaign or m.get("campaign_id") == int(campaign))]
        messages = found[:PAGE]
        if len(found) > PAGE:
            following = str(messages[-1]["id"])
    return render("outbox.html", tab="outbox", messages=messages, following=following, search=search,
                  filters={**wanted, "campaign_id": campaign}, kinds=outbox_messages.KINDS,
                  statuses=outbox_messages.STATUSES, origins=outbox_messages.ORIGINS, **ctx)


@bp.route("/apps/<name>/outbox/<int:message_id>")
def message(name: str, message_id: int):
    ctx = context(name)
    return render("message.html", tab="outbox", message=_message(name, message_id),
                  outcomes=deliverability.OUTCOMES, **ctx)


def _message(name: str, message_id: int) -> dict:
    """One message as the control API's outbox answers it, or the 404 page."""
    query = model(control_campaigns.OutboxFilter, {"next": message_id - 1, "count": 1})
    found = call(control_campaigns.outbox, name=name, query=query)["messages"]
    if not found or found[0]["id"] != message_id:
        raise Refused(404, f"app {name!r} has no message {message_id}")
    return found[0]


@bp.post("/apps/<name>/outbox/<int:message_id>/outcome")
def set_outcome(name: str, message_id: int):
    """A late outcome for a sent email (a bounce or a complaint arriving after the fact)."""
    def work():
        body = model(control_email.Outcome, {"outcome": request.form.get("outcome")})
        call(control_email.set_outcome, name=name, message_id=message_id, body=body)
        return f"outcome {body.outcome} recorded"
    return act("inspector.message", work, name=name, message_id=message_id)


@bp.route("/apps/<name>/outbox/<int:message_id>/html")
def message_html(name: str, message_id: int):
    """The email's HTML alone, shown in a sandboxed frame of the message page (its scripts never run), without
    its open-tracking image and with its tracked links leading straight to their URLs: reading the outbox is not
    the recipient's open or click."""
    context(name)
    shown = _message(name, message_id)
    return outbox_messages.untracked(shown.get("html_body"), shown.get("token"), shown.get("links")) or "", 200, {
        "Content-Type": "text/html; charset=utf-8", "Referrer-Policy": "no-referrer",
        "Content-Security-Policy": "sandbox; default-src 'none'; img-src * data:; style-src 'unsafe-inline'; "
                                   "frame-ancestors 'self'"}


@bp.route("/apps/<name>/outbox/<int:message_id>/attachments/<int:index>")
def message_attachment(name: str, message_id: int, index: int):
    """A file attached to a message (a fulfillment list's CSV), downloaded."""
    context(name)
    return call(control_campaigns.outbox_attachment, name=name, message_id=message_id, index=index)


@bp.route("/apps/<name>/http-posts")
def http_posts(name: str):
    ctx = context(name)
    query = model(control_campaigns.PostFilter, {"status": request.args.get("status"),
                                                 "next": request.args.get("next"), "count": PAGE})
    answer = call(control_campaigns.http_posts, name=name, query=query)
    hooks = call(control_hooks.list_deliveries, name=name, query=model(control_hooks.DeliveryFilter, {
        "next": request.args.get("hooks_next"), "count": PAGE}))
    newest = model(control_campaigns.JobFilter, {"newest": PAGE + 1})  # (one more: whether there are more)
    jobs = call(control_campaigns.fulfillment_jobs, name=name, query=newest)["jobs"]
    return render("http_posts.html", tab="posts", posts=answer["http_posts"], following=answer.get("next"),
                  deliveries=hooks["deliveries"], hooks_following=hooks.get("next"), jobs=jobs[-PAGE:],
                  more_jobs=len(jobs) > PAGE, **ctx)


# --- fulfillment lists: the jobs a user sees and marks complete (seed 001) -----------------------------------

@bp.route("/apps/<name>/fulfillment/<int:job_id>.csv")
def fulfillment_csv(name: str, job_id: int):
    context(name)
    return call(control_campaigns.fulfillment_csv, name=name, job_id=job_id)


@bp.post("/apps/<name>/fulfillment/<int:job_id>/complete")
def fulfillment_complete(name: str, job_id: int):
    return act("inspector.http_posts", lambda: call(control_campaigns.fulfillment_complete, name=name, job_id=job_id),
               notice=f"fulfillment job {job_id} marked complete", name=name)
