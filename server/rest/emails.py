"""/emails and /emailAddresses: the email history (the outbox's message table: what the engine and
APIEmailService sent, what attachEmail logged, what is recorded here), email records created and removed
(``POST /emails``, ``/emails/sync``, ``/emails/unsync``, ``DELETE``), a one-off send (``POST /emails/queue``,
through server.domain.mail.emails.send like APIEmailService.sendEmail), and an address's opt-in status
(``PUT /emailAddresses/{email}``, server.domain.mail.email_status). The control API's outbox shows the same rows."""
from __future__ import annotations

from pydantic import Field, StrictBool

from server.domain.account import users
from server.domain.mail import confirmations, email_status, messages
from server.domain.mail import emails as domain
from server.domain.session import AppSession

from .api import Body, Int, Paging, Reply, Request, Shape, envelope, list_shape, page, route
from .errors import RestError, bad_request, not_found
from .wire import Base64Text, DateTimeText, from_base64, in_datetime, out_datetime, to_base64

MAX_SYNC = 1000  # records per /emails/sync call [doc S1]
MAX_ATTACHMENTS, MAX_ATTACHMENT_BYTES = 10, 1024 * 1024

# email_status tokens -> the status words of RestEmailAddress (the two enums list them in the same order [doc S1])
STATUS_WORDS = {
    "UnengagedMarketable": "Unengaged Marketable", "SingleOptIn": "Unconfirmed", "DoubleOptin": "Confirmed (Legacy)",
    "Confirmed": "Confirmed", "UnengagedNonMarketable": "Unengaged NonMarketable", "NonMarketable": "Non-marketable",
    "Lockdown": "Lockdown", "Bounce": "Soft Bounce", "HardBounce": "Hard Bounce", "Manual": "Opt-Out",
    "Admin": "Opt-Out: Admin", "System": "Opt-Out: System", "ListUnsubscribe": "List Unsubscribe",
    "Feedback": "Provided Feedback", "Spam": "Reported Spam", "Invalid": "Invalid Email",
    "Deactivated": "Deactivated/Delinquent Mailbox",
}



class EmailRecord(Body):
    """EmailSentCreate [doc S1]: ``html_content`` and ``plain_content`` are base64."""

    sent_to_address: str = Field(min_length=1)
    contact_id: Int | None = None
    subject: str | None = None
    headers: str | None = None
    html_content: Base64Text | None = None
    plain_content: Base64Text | None = None
    sent_from_address: str | None = None
    sent_from_reply_address: str | None = None
    sent_to_cc_addresses: str | None = None
    sent_to_bcc_addresses: str | None = None
    sent_date: DateTimeText | None = None
    received_date: DateTimeText | None = None
    opened_date: DateTimeText | None = None
    clicked_date: DateTimeText | None = None
    original_provider: str | None = None
    original_provider_id: str | None = None
    provider_source_id: str | None = None
    id: Int | None = None  # read-only: accepted in an echoed record, not used


class EmailRecords(Body):
    emails: list[EmailRecord] = Field(min_length=1)


class EmailIds(Body):
    ids: list[Int] = Field(min_length=1)


class Attachment(Body):
    file_name: str | None = None
    file_data: str | None = None


class SendRequest(Body):
    """EmailSendRequest [doc S1]."""

    contacts: list[Int] = Field(min_length=1)
    subject: str = Field(min_length=1)
    user_id: Int
    html_content: Base64Text | None = None
    plain_content: Base64Text | None = None
    address_field: str | None = None
    attachments: list[Attachment] | None = None


class EmailAddressBody(Body):
    opted_in: StrictBool
    reason: str


class EmailShape(Shape):
    id: int
    contact_id: int | None = None
    subject: str | None = None
    headers: str | None = None
    sent_from_address: str | None = None
    sent_from_reply_address: str | None = None
    sent_to_address: str | None = None
    sent_to_cc_addresses: str | None = None
    sent_to_bcc_addresses: str | None = None
    sent_date: str | None = None
    received_date: str | None = None
    opened_date: str | None = None
    clicked_date: str | None = None
    original_provider: str | None = None
    original_provider_id: str | None = None
    html_content: Base64Text | None = None
    plain_content: Base64Text | None = None


EmailList = list_shape("EmailList", "emails", EmailShape)


class SyncResult(Shape):
    emails: list[dict]
    errors: list[dict]


class RestEmailAddress(Shape):
    email: str
    opted_in: bool
    status: str


class ListEmails(Paging):
    contact_id: Int | None = None
    email: str | None = None
    since_sent_date: DateTimeText | None = None
    until_sent_date: DateTimeText | None = None
    ordered: bool | None = None


# --- shapes of the history ----------------------------------------------------------------------------

def email_json(s: AppSession, row: domain.HistoryEmail, *, content: bool = False) -> dict:
    clock = s.clock
    out = {"id": row.id, "contact_id": row.contact_id, "subject": row.subject, "headers": row.headers,
           "sent_from_address": row.from_address, "sent_from_reply_address": row.reply_to,
           "sent_to_address": row.to_address, "sent_to_cc_addresses": row.cc or None,
           "sent_to_bcc_addresses": row.bcc or None, "sent_date": out_datetime(row.sent_date, clock),
           "received_date": out_datetime(row.received_date, clock), "opened_date": out_datetime(row.opened_date, clock),
           "clicked_date": out_datetime(row.clicked_date, clock),
           "original_provider": row.provider,
           "original_provider_id": row.original_provider_id}
    if content:
        out["html_content"] = to_base64(row.html_body)
        out["plain_content"] = to_base64(row.text_body)
    return out


def history_page(r: Request, *, contact_id: int | None, email: str | None, path: str, top_level: bool,
                 since=None, until=None, ordered: bool = True, carry: dict | None = None) -> dict:
    limit, offset = page(r.query)
    rows, total = domain.history(r.s, contact_id=contact_id, email=email, since=since, until=until,
                                 ordered=ordered, limit=limit, offset=offset)
    return envelope(r, "emails", [email_json(r.s, row) for row in rows], total, limit, offset, path=path,
                    top_level=top_level, carry=carry)


def entry_of(s: AppSession, record: EmailRecord) -> dict:
    """A message row's values for an email record (its content decoded, its dates made app-local)."""
    if record.contact_id is not None and not domain.contact_exists(s, record.contact_id):
        raise bad_request(f"Invalid contact id: {record.contact_id}")
    try:
        html = from_base64(record.html_content, "html_content").decode("utf-8") if record.html_content else None
        text = from_base64(record.plain_content, "plain_content").decode("utf-8") if record.plain_content else None
    except (ValueError, UnicodeDecodeError) as exc:
        raise bad_request(str(exc) if isinstance(exc, ValueError) else "The content is not UTF-8 text") from None

    def local(value):
        return s.clock.to_local(in_datetime(value)) if value else None

    return {"contact_id": record.contact_id, "to_address": record.sent_to_address, "subject": record.subject,
            "headers": record.headers, "html_body": html, "text_body": text,
            "content_type": "Multipart" if html and text else ("HTML" if html else ("Text" if text else None)),
            "from_address": record.sent_from_address, "reply_to": record.sent_from_reply_address,
            "cc": record.sent_to_cc_addresses, "bcc": record.sent_to_bcc_addresses,
            "sent_date": local(record.sent_date), "received_date": local(record.received_date),
            "opened_date": local(record.opened_date), "clicked_date": local(record.clicked_date),
            "original_provider": record.original_provider, "original_provider_id": record.original_provider_id,
            "provider_source_id": record.provider_source_id}


def created_json(s: AppSession, message_id: int, record: EmailRecord) -> dict:
    """EmailSentCreate as answered: the record sent, with its id and provider fields."""
    row = domain.history_entry(s, message_id)
    out = record.model_dump(exclude_none=True)
    out.update(id=row.id, original_provider=row.original_provider, original_provider_id=row.original_provider_id)
    return out


# --- routes -------------------------------------------------------------------------------------------

@route("GET", "/emails", summary="List the email history", tag="Email", query=ListEmails, response=EmailList)
def list_emails(r: Request):
    q: ListEmails = r.query
    if q.until_sent_date and not q.since_sent_date:
        # "must be present if until_sent_date is provided" [doc S1]
        raise bad_request("since_sent_date is required when until_sent_date is given")
    clock = r.s.clock
    since = clock.to_local(in_datetime(q.since_sent_date)) if q.since_sent_date else None
    until = clock.to_local(in_datetime(q.until_sent_date)) if q.until_sent_date else None
    carry = {"contact_id": q.contact_id, "email": q.email, "since_sent_date": q.since_sent_date,
             "until_sent_date": q.until_sent_date, "ordered": q.ordered}
    return history_page(r, contact_id=q.contact_id, email=q.email, path="/emails", top_level=True, since=since,
                        until=until, ordered=q.ordered is not False, carry=carry)


@route("POST", "/emails", summary="Record an email sent elsewhere", tag="Email", body=EmailRecord,
       response=EmailShape, status=201)
def create_email(r: Request):
    record: EmailRecord = r.body
    message_id = messages.record_history(r.s, [entry_of(r.s, record)])[0]
    return created_json(r.s, message_id, record)


@route("POST", "/emails/sync", summary="Record a batch of emails (at most 1000)", tag="Email", body=EmailRecords,
       response=SyncResult, status=201)
def sync_emails(r: Request):
    records = r.body.emails
    if len(records) > MAX_SYNC:
        raise bad_request(f"At most {MAX_SYNC} email records per request")
    s = r.s
    errors, entries, positions = [], [], []
    for index, record in enumerate(records):  # a record's own problem goes in ``errors``; the others are kept
        try:
            entries.append(entry_of(s, record))
            positions.append(index)
        except RestError as exc:
            errors.append((index, record, exc.message))
    created = []
    for index, verdict in zip(positions, messages.record_each(s, entries)):
        if isinstance(verdict, str):
            errors.append((index, records[index], verdict))
        else:
            created.append((records[index], verdict))
    return {"emails": [created_json(s, message_id, record) for record, message_id in created],
            "errors": [{"email": record.model_dump(exclude_none=True), "error_message": message}
                       for _, record, message in sorted(errors, key=lambda e: e[0])]}


@route("POST", "/emails/unsync", summary="Remove a batch of email records", tag="Email", body=EmailIds,
       response={"type": "object"})
def unsync_emails(r: Request):
    messages.delete(r.s, list(r.body.ids))
    return {}


@route("POST", "/emails/queue", summary="Send an email to contacts", tag="Email", body=SendRequest, status=202)
def queue_email(r: Request):
    body: SendRequest = r.body
    s = r.s
    sender = users.get(s, body.user_id)
    if sender is None:
        raise bad_request(f"Invalid user_id: {body.user_id}")
    missing = domain.missing_contacts(s, body.contacts)
    if missing:
        raise bad_request(f"Invalid contact id: {missing[0]}")
    if len(body.attachments or []) > MAX_ATTACHMENTS:
        raise bad_request(f"At most {MAX_ATTACHMENTS} attachments")
    try:
        html = from_base64(body.html_content, "html_content").decode("utf-8") if body.html_content else ""
        text = from_base64(body.plain_content, "plain_content").decode("utf-8") if body.plain_content else ""
        for attachment in body.attachments or []:
            if len(from_base64(attachment.file_data, "file_data")) > MAX_ATTACHMENT_BYTES:
                raise bad_request("An attachment is larger than 1 MB")
    except (ValueError, UnicodeDecodeError) as exc:
        raise bad_request(str(exc) if isinstance(exc, ValueError) else "The content is not UTF-8 text") from None
    if not html and not text:
        raise bad_request("html_content or plain_content is required")
    field = (body.address_field or "Email").strip()
    draft = domain.Draft(subject=body.subject, html_body=html, text_body=text,
                         content_type="Multipart" if html and text else ("HTML" if html else "Text"),
                         from_address=sender.email or "", to_address=f"~Contact.{field}~")
    s.user_id = body.user_id  # sent on behalf of this user (merge fields ~User.*~, the message's user)
    domain.send(s, list(dict.fromkeys(body.contacts)), draft, origin="rest", marketing=False)
    return Reply(None, 202)  # 202 with no body [doc S1]


@route("GET", "/emails/{id}", summary="Get an email, with its content", tag="Email", response=EmailShape)
def get_email(r: Request, id: int):
    row = domain.history_entry(r.s, id)
    if row is None:
        raise not_found("Email")
    return email_json(r.s, row, content=True)


@route("DELETE", "/emails/{id}", summary="Delete an email record", tag="Email", status=204)
def delete_email(r: Request, id: int):
    if domain.history_entry(r.s, id) is None:
        raise not_found("Email")
    messages.delete(r.s, [id])


@route("PUT", "/emailAddresses/{email}", summary="Opt an email address in or out", tag="Email Address",
       body=EmailAddressBody, response=RestEmailAddress, email=str)
def put_email_address(r: Request, email: str):
    s = r.s
    body: EmailAddressBody = r.body
    address = email.strip()
    if not email_status.is_valid(address):
        raise bad_request(f"Invalid email address: {email}")
    if not email_status.known(s, address):
        raise not_found("EmailAddress")
    if body.opted_in:
        confirmations.api_opt_in(s, address, body.reason, rest=True)  # only from the statuses REST may opt in [doc S1]
    else:
        email_status.opt_out(s, address, body.reason)
    status = email_status.row(s, address)
    token = status.type if status else "NonMarketable"
    marketable = email_status.STATUSES[token].marketable
    return {"email": address, "opted_in": marketable, "status": STATUS_WORDS.get(token, token)}

