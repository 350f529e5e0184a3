"""The outbox of communications, which is also the email history.

Nothing is ever sent: every email, fax, letter and voice message the sandbox would send is captured here with
its rendered subject and body, its recipient and what sent it, or recorded as skipped with the reason (seed 000
"Skipped Emails": duplicates, invalid, opted-out, bounced; seed 004: the status belongs to the address). Emails
logged by APIEmailService.attachEmail live here too, so REST's email history reads one place.

Two sending rules (spec xmlrpc-api.md §6.5): *marketing* sends (campaign sequences, follow-up sequences, action
sets) go only to marketable addresses and only when the app's business profile has an address (CAN-SPAM, seed
000 "Business Details"), and carry the address block and an unsubscribe link; *one-off* sends (sendEmail by a
user or an integration) may go to opted-out and non-marketable addresses, and skip only what cannot be
delivered at all.
"""
from __future__ import annotations

import base64
import html as html_lib
import re
import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from server.domain import redirects
from server.domain.account import settings
from server.domain.errors import InvalidParameter
from server.store import schema
from server.store.prepared import PreparedAll
from server.store.session import AppSession
from server.tables import stored_id

from . import deliverability, email_status, merge_fields

# what the outbox records: a message's kind (an email, or a campaign's other communication items), its status,
# and what sent it (the ``origin`` of each sender: server/engine/, server/services/, server/rest*/, broadcasts,
# confirmations, and APIEmailService.attachEmail's logged history)
KINDS = ("email", "fax", "letter", "voice", "phone_call")
STATUSES = ("captured", "skipped", "logged")
ORIGINS = ("sequence", "followup", "action_set", "api", "rest", "attached", "broadcast", "confirmation")

SKIP_NO_ADDRESS = "no email address"
SKIP_INVALID = "invalid"
SKIP_OPTED_OUT = "opted out"
SKIP_NON_MARKETABLE = "non-marketable"
SKIP_BOUNCED = "bounced"
SKIP_DUPLICATE = "duplicate"
SKIP_NO_BUSINESS_ADDRESS = "no business address (CAN-SPAM)"

_REASON_BY_STATUS = {
    "NonMarketable": SKIP_NON_MARKETABLE, "UnengagedNonMarketable": SKIP_NON_MARKETABLE,
    "Manual": SKIP_OPTED_OUT, "Admin": SKIP_OPTED_OUT, "System": SKIP_OPTED_OUT, "ListUnsubscribe": SKIP_OPTED_OUT,
    "Feedback": SKIP_OPTED_OUT, "Spam": SKIP_OPTED_OUT, "Lockdown": SKIP_OPTED_OUT, "Deactivated": SKIP_OPTED_OUT,
    "Bounce": SKIP_BOUNCED, "HardBounce": SKIP_BOUNCED, "Invalid": SKIP_INVALID,
}


def business_address(s: AppSession) -> str | None:
    """The app's business address as one line, or None when the profile has none (no marketing email then)."""
    return ", ".join(settings.business_address_lines(s)) or None


# a soft-bounced address keeps getting mail: the problem was "most likely temporary" (seed 004), and only
# soft bounces that go on make it a hard bounce (server.domain.mail.deliverability)
RETRIED = {"Bounce"}

_STATUSES = sa.select(schema.email_status.c.email_key, schema.email_status.c.type).where(
    schema.email_status.c.app_id == sa.bindparam("app_id"),
    schema.email_status.c.email_key.in_(sa.bindparam("keys", expanding=True)))


_STATUS = PreparedAll(sa.select(schema.email_status.c.type).where(
    schema.email_status.c.app_id == sa.bindparam("app_id"),
    schema.email_status.c.email_key == sa.bindparam("email_key")))


_MANY = 5000


def verdicts(s: AppSession, addresses: list[str | None], *, marketing: bool) -> list[str | None]:
    """For each address, None if a message may go to it, or the reason it is skipped. Status lookups for the
    whole list take one query."""
    keys = [email_status.key(a) if a and a.strip() else None for a in addresses]
    statuses: dict[str, str] = {}
    wanted = sorted({k for k in keys if k})
    if len(wanted) == 1:
        found = s.first(_STATUS, email_key=wanted[0])
        if found is not None:
            statuses[wanted[0]] = found.type
    if len(wanted) > _MANY:  # a broadcast's list: every status of the app in one read beats hundreds of chunks
        es = schema.email_status
        statuses.update(s.execute(s.select(es, es.c.email_key, es.c.type)).all())
    for i in range(0, len(wanted), 500) if 1 < len(wanted) <= _MANY else ():
        statuses.update(s.execute(_STATUSES, {"app_id": s.app.id, "keys": wanted[i:i + 500]}).all())
    no_business_address = marketing and business_address(s) is None
    seen: set[str] = set()
    out: list[str | None] = []
    for address, k in zip(addresses, keys):
        if k is None:
            out.append(SKIP_NO_ADDRESS)
        elif not email_status.is_valid(address):
            out.append(SKIP_INVALID)
        elif k in seen:
            out.append(SKIP_DUPLICATE)
        elif marketing and statuses.get(k) not in RETRIED and \
                not email_status.STATUSES.get(statuses.get(k, "NonMarketable")).marketable:
            out.append(_REASON_BY_STATUS.get(statuses.get(k, "NonMarketable"), SKIP_NON_MARKETABLE))
        elif not marketing and statuses.get(k) in ("Invalid",):
            out.append(SKIP_INVALID)
        elif no_business_address:
            out.append(SKIP_NO_BUSINESS_ADDRESS)
        else:
            out.append(None)
        if k is not None:
            seen.add(k)
    return out


@dataclass
class Outgoing:
    """One message to record: what the caller rendered, and the reason it is skipped if it is."""

    kind: str
    origin: str
    contact_id: int | None
    to_address: str | None
    subject: str = ""
    html_body: str | None = None
    text_body: str | None = None
    content_type: str | None = None
    from_address: str | None = None
    from_name: str | None = None
    cc: str | None = None
    bcc: str | None = None
    reason: str | None = None
    campaign_id: int | None = None
    sequence_id: int | None = None
    item_id: int | None = None
    template_id: int | None = None
    user_id: int | None = None
    idempotency_key: str | None = None
    marketing: bool = False
    broadcast_id: int | None = None
    attachments: list[dict] | None = None  # [{"file_name", "content_type", "content": base64}]


_LINK = re.compile(r'href="(https?://[^"]+)"', re.I)


def link_url(href: str) -> str:
    """The URL a tracked link leads to, from its ``href`` (HTML-unescaped): control characters and spaces
    percent-encoded, as a browser does, so a newline that a merged field (a contact's name, from a public form)
    or ``&#10;`` put in it stays in the URL and cannot end a redirect's Location header."""
    return redirects.escape_controls(html_lib.unescape(href))
_SEEN_BODIES = 1000


def record(s: AppSession, outgoing: list[Outgoing]) -> list[int]:
    """Write the messages (captured, or skipped with their reason) in one statement; returns their ids.
    A marketing email gets the address block and an unsubscribe link, and its links become tracked links."""
    if not outgoing:
        return []
    first = s.next_id("message", len(outgoing))
    now_local, now = s.now_local(), s.clock.now().timestamp()
    footer_address = business_address(s)
    footer_html = html_lib.escape(footer_address or "")
    rows = []
    sent_to: list[str] = []
    randomness = secrets.token_hex(6 * len(outgoing))  # one draw for the batch: 12 hex digits a message
    decide = deliverability.decider(s) if any(m.reason is None and m.kind == "email" for m in outgoing) else None
    undelivered: list[tuple[int, str, str]] = []
    split: dict = {}
    for offset, m in enumerate(outgoing):
        message_id = first + offset
        token = f"{s.app.id}-{message_id}-{randomness[12 * offset:12 * offset + 12]}"
        subject, html_body, text_body = (merge_fields.render_email_sent(t, message_id, token)
                                         for t in (m.subject, m.html_body, m.text_body))
        links = []
        if m.reason is None and m.kind == "email" and m.marketing:
            html_body, links = _track_links(html_body, token, s.base_url, split)
            html_body, text_body = _with_footer(html_body, text_body, footer_address, footer_html, token,
                                                s.base_url)
        if m.reason is None and m.kind == "email":
            html_body, text_body = (_confirmation_links(b, token, s.base_url) for b in (html_body, text_body))
        delivery = None
        if m.reason is None and m.kind == "email" and m.to_address:
            sent_to.append(email_status.key(m.to_address))
            delivery = decide.outcome(m.to_address)
            if delivery != deliverability.DELIVERED:
                undelivered.append((message_id, m.to_address, delivery))
        rows.append(dict(
            id=message_id, kind=m.kind, status="skipped" if m.reason else "captured", reason=m.reason,
            origin=m.origin, direction="sent", contact_id=m.contact_id, user_id=m.user_id, campaign_id=m.campaign_id,
            sequence_id=m.sequence_id, item_id=m.item_id, template_id=m.template_id, from_name=m.from_name,
            from_address=m.from_address, reply_to=None, to_address=m.to_address, cc=m.cc, bcc=m.bcc,
            subject=subject, content_type=m.content_type, html_body=html_body, text_body=text_body,
            headers=None, sent_date=None if m.reason else now_local, received_date=None, opened_date=None,
            clicked_date=None, created_at=now, idempotency_key=m.idempotency_key, token=token, links=links or None,
            broadcast_id=m.broadcast_id, attachments=m.attachments,
            delivery=delivery if delivery == deliverability.DELIVERED else None,
            delivery_date=now_local if delivery == deliverability.DELIVERED else None,
        ))
    # leave out the columns all empty
    used = [k for k in rows[0] if any(row[k] is not None for row in rows)]
    s.insert(schema.message, rows, used)
    if sent_to:  # EmailAddStatus.LastSentDate of every address that got one
        s.update_many(schema.email_status, ("email_key",),
                      [{"email_key": k, "last_sent_date": now_local} for k in dict.fromkeys(sent_to)])
    deliverability.apply_many(s, undelivered)
    kinds = {}
    for row in rows:
        kinds.setdefault((row["kind"], row["status"]), []).append(row["id"])
    if s.tally is not None:  # due work a clock advance runs counts what it sent (server.tally)
        s.tally.emails_sent += len(kinds.get(("email", "captured"), ()))
        s.tally.emails_skipped += len(kinds.get(("email", "skipped"), ()))
    for (kind, status), ids in kinds.items():
        s.emit(f"message.{status}", "message", ids[0], kind=kind, message_ids=ids)
    return [r["id"] for r in rows]


def log(s: AppSession, *, contact_id: int, from_name: str, from_address: str, to_address: str, cc: str, bcc: str,
        content_type: str, subject: str, html_body: str, text_body: str, headers: str, received_date, sent_date,
        direction: str) -> int:
    """APIEmailService.attachEmail: an email sent or received elsewhere, kept in the contact's history."""
    message_id = s.next_id("message")
    s.insert(schema.message, dict(
        id=message_id, kind="email", status="logged", origin="attached", direction=direction,
        contact_id=contact_id, from_name=from_name, from_address=from_address, to_address=to_address, cc=cc,
        bcc=bcc, content_type=content_type, subject=subject, html_body=html_body, text_body=text_body,
        headers=headers, sent_date=sent_date, received_date=received_date, created_at=s.clock.now().timestamp(),
        token=None, links=[]))
    s.emit("message.logged", "message", message_id, contact_id=contact_id)
    return message_id


PROVIDERS = ("INFUSIONSOFT", "GOOGLE", "MICROSOFT", "UNKNOWN")


def record_history(s: AppSession, entries: list[dict]) -> list[int]:
    """Email records kept in contacts' history without being sent (REST ``POST /emails``, ``/emails/sync``):
    each entry has the message columns (to_address, subject, html_body, dates …) and ``original_provider`` /
    ``original_provider_id``, unique together per app (an id is made when none is given)."""
    if not entries:
        return []
    first = s.next_id("message", len(entries))
    now = s.clock.now().timestamp()
    rows = []
    for offset, entry in enumerate(entries):
        provider = (entry.get("original_provider") or "UNKNOWN").upper()
        if provider not in PROVIDERS:
            raise InvalidParameter(f"Invalid original_provider: {entry.get('original_provider')}")
        rows.append(dict(
            id=first + offset, kind="email", status="logged", reason=None, origin="rest", direction="sent",
            contact_id=entry.get("contact_id"), from_name=None, from_address=entry.get("from_address"),
            reply_to=entry.get("reply_to"), to_address=entry["to_address"], cc=entry.get("cc"),
            bcc=entry.get("bcc"), subject=entry.get("subject"), content_type=entry.get("content_type"),
            html_body=entry.get("html_body"), text_body=entry.get("text_body"), headers=entry.get("headers"),
            sent_date=entry.get("sent_date"), received_date=entry.get("received_date"),
            opened_date=entry.get("opened_date"), clicked_date=entry.get("clicked_date"), created_at=now,
            token=None, links=[], original_provider=provider,
            original_provider_id=entry.get("original_provider_id") or secrets.token_hex(16),
            provider_source_id=entry.get("provider_source_id")))
    wanted = [(r["original_provider"], r["original_provider_id"]) for r in rows]
    if len(set(wanted)) != len(wanted):
        raise InvalidParameter("original_provider_id must be unique for its original_provider")
    taken = taken_provider_ids(s, wanted)
    if taken:
        provider, provider_id = sorted(taken)[0]
        raise InvalidParameter(f"An email record with original_provider_id {provider_id} already exists "
                               f"for {provider}")
    s.insert(schema.message, rows)
    for row in rows:
        s.emit("message.logged", "message", row["id"], contact_id=row["contact_id"])
    return [r["id"] for r in rows]


def record_each(s: AppSession, entries: list[dict]) -> list[int | str]:
    """Record what can be recorded of a batch of email records (REST v1 ``/emails/sync``, v2
    ``emails:batchAdd``): for each entry its new id, or why it was refused (an unknown provider, an
    ``original_provider_id`` repeated in the batch or recorded already); the others are kept."""
    verdicts: list[int | str | None] = [None] * len(entries)
    seen: set[tuple[str, str]] = set()
    keyed = []
    for index, entry in enumerate(entries):
        provider = (entry.get("original_provider") or "UNKNOWN").upper()
        pair = (provider, entry.get("original_provider_id") or "")
        if provider not in PROVIDERS:
            verdicts[index] = f"Invalid original_provider: {entry.get('original_provider')}"
        elif pair[1] and pair in seen:
            verdicts[index] = "original_provider_id must be unique for its original_provider"
        else:
            seen.add(pair)
            keyed.append((index, pair))
    taken = taken_provider_ids(s, [pair for _, pair in keyed if pair[1]])
    kept = []
    for index, pair in keyed:
        if pair in taken:
            verdicts[index] = f"An email record with original_provider_id {pair[1]} already exists"
        else:
            kept.append(index)
    for index, message_id in zip(kept, record_history(s, [entries[i] for i in kept])):
        verdicts[index] = message_id
    return verdicts


def taken_provider_ids(s: AppSession, pairs: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which ``(original_provider, original_provider_id)`` pairs are recorded already."""
    m = schema.message
    taken: set[tuple[str, str]] = set()
    for provider in {p for p, _ in pairs}:
        ids = sorted({i for p, i in pairs if p == provider})
        for i in range(0, len(ids), 500):
            taken.update((provider, r.original_provider_id) for r in s.execute(s.select(m, m.c.original_provider_id)
                         .where(m.c.original_provider == provider, m.c.original_provider_id.in_(ids[i:i + 500]))))
    return taken


def delete(s: AppSession, message_ids: list[int]) -> int:
    """Take emails out of the history (REST ``DELETE /emails/{id}``, ``/emails/unsync``); returns how many."""
    m = schema.message
    ids = sorted(set(message_ids))
    found = []
    for i in range(0, len(ids), 500):
        found += s.execute(s.select(m, m.c.id, m.c.contact_id).where(m.c.id.in_(ids[i:i + 500]),
                                                                        m.c.kind == "email")).all()
    if found:
        for i in range(0, len(found), 500):
            s.delete(m, m.c.id.in_([r.id for r in found[i:i + 500]]))
        for r in found:
            s.emit("message.deleted", "message", r.id, contact_id=r.contact_id)
    return len(found)


def _track_links(html_body: str | None, token: str, base: str, seen: dict) -> tuple[str | None, list[str]]:
    """The body with each link made a tracked link of this message, and the URLs they lead to. ``seen`` keeps
    each body split at its links and each list of URLs, so a body sent to many (a broadcast's) is searched once
    and its messages share one list of links."""
    if not html_body:
        return html_body, []
    parts = seen.get(html_body)
    if parts is None:
        parts = _LINK.split(html_body)  # text, url, text, url, ..., text
        if len(seen) < _SEEN_BODIES:  # bodies merged per contact all differ: keep only the first few
            seen[html_body] = parts
    urls = tuple(parts[1::2])
    links = seen.get(urls)
    if links is None:
        links = seen[urls] = [link_url(u) for u in urls]
    out = [parts[0]]
    for n, index in enumerate(range(1, len(parts), 2)):
        out.append(f'href="{base}/app/linkClick/{token}/{n}"')
        out.append(parts[index + 1])
    return "".join(out), links


# A double opt-in link in an email (server.domain.mail.confirmations): ``~Confirmation.Link~`` (the default
# confirmation link) or ``~Confirmation.Link<N>~`` (the app's link N), made this message's own address.
CONFIRMATION_LINK = re.compile(r"~Confirmation\.Link(\d*)~")


def _confirmation_links(body: str | None, token: str, base: str) -> str | None:
    if not body or "~Confirmation." not in body:
        return body
    return CONFIRMATION_LINK.sub(lambda m: f"{base}/app/confirm/{token}?link={int(m.group(1) or 0)}", body)


def _with_footer(html_body: str | None, text_body: str | None, address: str | None, address_html: str,
                 token: str, base: str) -> tuple[str | None, str | None]:
    url = f"{base}/app/optOut/{token}"
    if html_body:  # the open-tracking image: an open is recorded when the sandbox serves it (seed 000 "Open Rates")
        html_body += (f'<p style="font-size:11px">{address_html}<br>'
                      f'<a href="{url}">Unsubscribe</a></p>'
                      f'<img src="{base}/app/open/{token}.gif" width="1" height="1" alt="">')
    if text_body:
        text_body += f"\n\n{address or ''}\nUnsubscribe: {url}\n"
    return html_body, text_body


def untracked(html_body: str | None, token: str | None, links: list[str] | None) -> str | None:
    """A recorded email's HTML as someone other than its recipient reads it (the inspector: a developer looking
    at the outbox, as in a mail catcher): without its open-tracking image, and each tracked link leading straight
    to its URL. Loading that image or following a tracked link is the recipient's open or click
    (server.public), which reading the outbox must not be."""
    if not html_body or not token:
        return html_body
    mark = re.escape(token)
    body = re.sub(rf'<img src="[^"]*/app/open/{mark}\.gif"[^>]*>', "", html_body)

    def destination(found: re.Match) -> str:
        n = int(found.group(1))
        return f'href="{html_lib.escape(links[n])}"' if links and n < len(links) else 'href="#"'

    return re.sub(rf'href="[^"]*/app/linkClick/{mark}/(\d+)"', destination, body)


def attachment(s: AppSession, message_id: int, index: int) -> tuple[str, str, bytes] | None:
    """``(file name, content type, bytes)`` of a message's attachment ``index`` (from 0), or None."""
    m = schema.message
    row = s.execute(s.select(m, m.c.attachments).where(m.c.id == message_id)).first()
    files = (row.attachments or []) if row is not None else []
    if not 0 <= index < len(files):
        return None
    found = files[index]
    return found["file_name"], found["content_type"], base64.b64decode(found["content"])


def by_token(s: AppSession, token: str):
    m = schema.message
    parts = token.split("-")
    message_id = stored_id(parts[1]) if len(parts) == 3 else None
    if message_id is None:
        return None
    row = s.execute(s.select(m).where(m.c.id == message_id)).first()
    return row if row is not None and row.token == token else None


def list_messages(s: AppSession, *, contact_id: int | None = None, kind: str | None = None,
                  status: str | None = None, origin: str | None = None, after: int = 0, limit: int = 100,
                  newest: bool = False) -> list:
    """Messages oldest first after the id ``after``; or, ``newest``, the newest ``limit`` newest first."""
    m = schema.message
    q = s.select(m).where(m.c.id > after)
    if contact_id is not None:
        q = q.where(m.c.contact_id == contact_id)
    for column, value in ((m.c.kind, kind), (m.c.status, status), (m.c.origin, origin)):
        if value is not None:
            q = q.where(column == value)
    return s.execute(q.order_by(m.c.id.desc() if newest else m.c.id).limit(limit)).all()

