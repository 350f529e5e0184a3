"""REST v2: Emails (the email history, recording emails sent elsewhere, sending, templates) and email
addresses' opt-in status (the contract's ``Email`` and ``Email Address`` operations).

- The history is the outbox's message table (server.domain.mail): what campaigns and ``APIEmailService``
  sent, what ``attachEmail`` logged, what v1 ``POST /emails`` or v2 recorded; the control API's outbox shows
  the same rows. ``created_time`` in the filter and order is the email's sent time.
- ``emails:send`` and ``emails/templates:send`` go to the sandbox outbox through the same path as XML-RPC
  ``APIEmailService.sendEmail`` (server.domain.mail.emails.send: merge fields per contact, a one-off send
  that may reach non-marketable addresses); they answer 202 with no body. The sender is ``user_id``, or the
  user whose address ``from_address`` is (the "authenticated sender address"); a contact, user or template
  that does not exist is a 400 naming the field. Attachments are checked (at most 10, 1 MB each, the
  contract's extensions) but not kept, as on v1.
- An address's opt-in status follows XML-RPC's and v1's rules (server.domain.mail.email_status): opting in
  works only from the statuses REST may opt in from, opting out sets Manual. Statuses go out in the
  contract's enum (``SINGLE_OPT_IN`` for the API's ``SingleOptIn``).
- Email template ids are integers on the wire (the contract types ``EmailTemplate.id`` int64, unlike every
  other id), and ``content_type`` is TEXT, HTML or MULTIPART.
"""
from __future__ import annotations

import base64
import binascii
import dataclasses

from server.domain.account import users
from server.domain.data.listing import Condition
from server.domain.mail import confirmations, email_status, messages, templates
from server.domain.mail import emails as domain
from server.domain.session import AppSession

from .api import Request, operation
from .errors import ApiError, existing, invalid_field, not_found
from .filters import Choice, Id, Kind, Since, Text, Until
from .paging import Listing
from .wire import in_id, in_ids, in_time, out_id, out_time

MAX_BATCH = 1000  # "maximum 1000" (CreateEmailsSentRequest.emails)
MAX_ATTACHMENTS, MAX_ATTACHMENT_BYTES = 10, 1024 * 1024
# EmailSendRequestAttachment.file_name: "only the following extensions are supported"
_EXTENSIONS = """
bmp cdr fpx gif jif jiff jp2 jpeg jpg jpx j2k pcd pdf png psd pspimage thm tif tiff yuv doc docx err log msg notes
pages pwd rtf text txt vcf wp wp4 wp5 wp7 wpd wps wsd xdl mid mp3 mp4 wav wma avi divx f4p flv gvi hdmov hdv m2ts
m4v mnv mov movie mp4v mpeg mpeg1 mpeg4 mpg qt rm vob wm wmv csv ics key pps ppt pptx xlr xls xlsx xml zip
"""
ATTACHMENT_EXTENSIONS = frozenset(_EXTENSIONS.split())
# the API's status tokens -> RestEmailAddressStatus.status (the same statuses, in the contract's spelling)
STATUS_NAMES = {
    "UnengagedMarketable": "UNENGAGED_MARKETABLE", "SingleOptIn": "SINGLE_OPT_IN", "DoubleOptin": "DOUBLE_OPT_IN",
    "Confirmed": "CONFIRMED", "UnengagedNonMarketable": "UNENGAGED_NON_MARKETABLE", "NonMarketable": "NON_MARKETABLE",
    "Lockdown": "LOCKDOWN", "Bounce": "BOUNCE", "HardBounce": "HARD_BOUNCE", "Manual": "MANUAL", "Admin": "ADMIN",
    "System": "SYSTEM", "ListUnsubscribe": "LIST_UNSUBSCRIBE", "Feedback": "FEEDBACK", "Spam": "SPAM",
    "Invalid": "INVALID", "Deactivated": "DEACTIVATED",
}
TOKENS = {name: token for token, name in STATUS_NAMES.items()}
CONTENT_TYPES = {"HTML": "HTML", "Text": "TEXT", "Multipart": "MULTIPART"}


class Values(Kind):
    """A comma-joined set of values (``emails==a@x.com,b@y.com``); ``choices`` maps the wire's to the
    domain's (the values allowed), else values compare without regard to case."""

    def __init__(self, field: str | None = None, *, choices: dict[str, str] | None = None):
        super().__init__(field)
        self.choices = choices

    def parse(self, name, target, clause, clock):
        values = [v.strip() for v in clause.value.split(",") if v.strip()]
        if not values:
            raise invalid_field(f"filter.{name}", "no value was given")
        if self.choices is None:
            return [Condition(target, "in", [v.lower() for v in values])]
        unknown = [v for v in values if v not in self.choices]
        if unknown:
            raise invalid_field(f"filter.{name}", f"'{unknown[0]}' is not one of {', '.join(self.choices)}")
        return [Condition(target, "in", [self.choices[v] for v in values])]


EMAILS = Listing(
    filters={"contact_id": Id(), "email": Text(), "start_created_time": Since("sent_time"),
             "end_created_time": Until("sent_time")},
    order_by={"created_time": "sent_time"},
)
TEMPLATES = Listing(
    filters={"piece_title": Text(), "subject": Text(), "categories": Text(),
             "content_type": Choice(CONTENT_TYPES.values())},
    order_by={"id": "id"},
)
ADDRESSES = Listing(
    filters={"emails": Values("email"), "statuses": Values("status", choices=TOKENS),
             "opted_in": Choice(("true", "false"))},
    order_by={"email": "email", "status": "status", "create_time": "create_time",
              "last_click_time": "last_click_time", "last_open_time": "last_open_time",
              "last_sent_time": "last_sent_time"},
)


# --- answers ------------------------------------------------------------------------------------------

def _addresses(text: str | None) -> list[str] | None:
    found = [a.strip() for a in (text or "").split(",") if a.strip()]
    return found or None


def _encoded(text: str | None) -> str | None:
    return None if text is None else base64.b64encode(text.encode("utf-8")).decode("ascii")


def email_json(s: AppSession, e: domain.HistoryEmail, *, content: bool = False) -> dict:
    clock = s.clock
    out = {"id": out_id(e.id), "subject": e.subject, "headers": e.headers, "contact_id": out_id(e.contact_id),
           "sent_to_address": e.to_address, "sent_to_cc_address_list": _addresses(e.cc),
           "sent_to_bcc_address_list": _addresses(e.bcc), "sent_from_address": e.from_address,
           "sent_from_reply_address": e.reply_to, "sent_time": out_time(e.sent_date, clock),
           "received_time": out_time(e.received_date, clock), "opened_time": out_time(e.opened_date, clock),
           "clicked_time": out_time(e.clicked_date, clock), "original_provider": e.provider,
           "original_provider_id": e.original_provider_id, "provider_source_id": e.provider_source_id}
    if content:
        out.update(plain_content=_encoded(e.text_body), html_content=_encoded(e.html_body))
    return out


def template_json(t: templates.TemplateRecord, *, bodies: bool = False) -> dict:
    out = {"id": t.id, "piece_title": t.piece_title, "categories": _addresses(t.categories) or [],
           "from_address": t.from_address, "to_address": t.to_address, "cc_address": t.cc_address,
           "bcc_address": t.bcc_address, "subject": t.subject,
           "content_type": CONTENT_TYPES.get(t.content_type or "HTML"), "merge_context": t.merge_context}
    if bodies:
        out.update(text_body=t.text_body or "", html_body=t.html_body or "")
    return out


def status_json(s: AppSession, st: email_status.AddressStatus) -> dict:
    clock = s.clock
    return {"email": st.email, "opted_in": st.marketable, "status": STATUS_NAMES[st.token],
            "create_time": out_time(st.created, clock) or out_time(s.now_local(), clock),
            "last_sent_time": out_time(st.last_sent, clock), "last_open_time": out_time(st.last_open, clock),
            "last_click_time": out_time(st.last_click, clock)}


def _email(s: AppSession, email_id: int) -> domain.HistoryEmail:
    return existing(domain.history_entry(s, email_id), "Email", email_id)


# --- the request's values -----------------------------------------------------------------------------

def _decoded(body: dict, name: str, where: str) -> str | None:
    """The UTF-8 text of a base64 property (``where`` names it in an error)."""
    value = body.get(name)
    if not value:
        return None
    try:
        return base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        raise invalid_field(where, "not base64-encoded UTF-8 text") from None


def _entry(s: AppSession, body: dict, where: str = "") -> dict:
    """The message columns of a CreateEmailSentRequest (``where`` prefixes field names in errors)."""
    contact_id = in_id(body["contact_id"], f"{where}contact_id") if "contact_id" in body else None
    if contact_id is not None and not domain.contact_exists(s, contact_id):
        raise invalid_field(f"{where}contact_id", f"no contact has the id {body['contact_id']}")
    html, text = _decoded(body, "html_content", f"{where}html_content"), \
        _decoded(body, "plain_content", f"{where}plain_content")

    def moment(name: str):
        return in_time(body[name], s.clock, f"{where}{name}") if body.get(name) else None

    return {"contact_id": contact_id, "to_address": body["sent_to_address"], "subject": body.get("subject"),
            "headers": body.get("headers"), "html_body": html, "text_body": text,
            "content_type": "Multipart" if html and text else ("HTML" if html else ("Text" if text else None)),
            "from_address": body.get("sent_from_address"), "reply_to": body.get("sent_from_reply_address"),
            "cc": ",".join(body.get("sent_to_cc_address_list") or []) or None,
            "bcc": ",".join(body.get("sent_to_bcc_address_list") or []) or None,
            "sent_date": moment("sent_time"), "received_date": moment("received_time"),
            "opened_date": moment("opened_time"), "clicked_date": moment("clicked_time"),
            "original_provider": body.get("original_provider"),
            "original_provider_id": body.get("original_provider_id"),
            "provider_source_id": body.get("provider_source_id")}


def _contacts(s: AppSession, given: list, name: str) -> list[int]:
    if not given:
        raise invalid_field(name, "at least one contact id is required")
    ids = in_ids(given, name)
    missing = set(domain.missing_contacts(s, ids))
    for i, contact_id in enumerate(ids):
        if contact_id in missing:
            raise invalid_field(f"{name}.{i}", f"no contact has the id {given[i]}")
    return list(dict.fromkeys(ids))


def _user(s: AppSession, body: dict) -> users.UserRecord:
    if "user_id" in body:
        found = users.get(s, in_id(body["user_id"], "user_id"))
        if found is None:
            raise invalid_field("user_id", f"no user has the id {body['user_id']}")
        return found
    found = users.by_email(s, body["from_address"])
    if found is None:
        raise invalid_field("from_address", f"{body['from_address']} is not the address of a user of the app")
    return found


def _check_attachments(attachments: list[dict]) -> None:
    if len(attachments) > MAX_ATTACHMENTS:
        raise invalid_field("attachments", f"at most {MAX_ATTACHMENTS} attachments")
    for i, attachment in enumerate(attachments):
        name = attachment["file_name"]
        if "." not in name or name.rsplit(".", 1)[1].lower() not in ATTACHMENT_EXTENSIONS:
            raise invalid_field(f"attachments.{i}.file_name", "attachment type is invalid")
        try:
            size = len(base64.b64decode(attachment["file_data"], validate=True))
        except (binascii.Error, ValueError):
            raise invalid_field(f"attachments.{i}.file_data", "not base64") from None
        if size > MAX_ATTACHMENT_BYTES:
            raise invalid_field(f"attachments.{i}.file_data", "an attachment is larger than 1 MB")


def _send(s: AppSession, contact_ids: list[int], draft: domain.Draft, sender: users.UserRecord,
          address_field: str | None) -> None:
    if address_field and address_field.strip():
        draft = dataclasses.replace(draft, to_address=f"~Contact.{address_field.strip()}~")
    s.user_id = sender.id  # sent on behalf of this user (merge fields ~User.*~, the message's user)
    domain.send(s, contact_ids, draft, origin="rest", marketing=False)


# --- the email history --------------------------------------------------------------------------------

@operation("listEmails")
def list_emails(r: Request) -> dict:
    page = domain.page_history(r.s, r.list_query(EMAILS))
    return r.page("emails", [email_json(r.s, e) for e in page.items], page)


@operation("getEmail")
def get_email(r: Request, id: int) -> dict:
    return email_json(r.s, _email(r.s, id), content=True)


@operation("createEmail")
def create_email(r: Request) -> dict:
    [verdict] = messages.record_each(r.s, [_entry(r.s, r.body)])
    if isinstance(verdict, str):
        raise invalid_field("original_provider_id", verdict)
    return email_json(r.s, _email(r.s, verdict), content=True)


@operation("createEmails")
def create_emails(r: Request) -> dict:
    """Each record's own problem goes in ``errors`` with the record; the others are kept."""
    given = r.body["emails"]
    if len(given) > MAX_BATCH:
        raise invalid_field("emails", f"at most {MAX_BATCH} email records per request")
    errors: dict[int, str] = {}
    entries, positions = [], []
    for index, body in enumerate(given):
        try:
            entries.append(_entry(r.s, body, f"emails.{index}."))
            positions.append(index)
        except ApiError as exc:
            errors[index] = exc.message
    created = []
    for index, verdict in zip(positions, messages.record_each(r.s, entries)):
        if isinstance(verdict, str):
            errors[index] = verdict
        else:
            created.append(verdict)
    return {"emails": [email_json(r.s, _email(r.s, i), content=True) for i in created],
            "errors": [{"email": given[i], "error_message": errors[i]} for i in sorted(errors)]}


@operation("deleteEmail")
def delete_email(r: Request, id: int) -> None:
    _email(r.s, id)
    messages.delete(r.s, [id])


@operation("deleteEmails")
def delete_emails(r: Request) -> dict:
    given = r.body["email_ids"]
    ids = in_ids(given, "email_ids")
    found = {i for i in ids if domain.history_entry(r.s, i) is not None}
    messages.delete(r.s, sorted(found))
    return {"results": {text: "SUCCESS" if i in found else "EMAIL_ID_NOT_FOUND" for text, i in zip(given, ids)}}


# --- sending ------------------------------------------------------------------------------------------

@operation("sendEmail")
def send_email(r: Request) -> None:
    body = r.body
    if ("user_id" in body) == ("from_address" in body):
        raise invalid_field("user_id", "exactly one of user_id or from_address is required")
    sender = _user(r.s, body)
    contact_ids = _contacts(r.s, body["contacts"], "contacts")
    _check_attachments(body.get("attachments") or [])
    html = _decoded(body, "html_content", "html_content") or ""
    text = _decoded(body, "plain_content", "plain_content") or ""
    if not html and not text:
        raise invalid_field("html_content", "html_content or plain_content is required")
    draft = domain.Draft(subject=body["subject"], html_body=html, text_body=text,
                         content_type="Multipart" if html and text else ("HTML" if html else "Text"),
                         from_address=sender.email or "")
    _send(r.s, contact_ids, draft, sender, body.get("address_field"))


@operation("sendEmailTemplate")
def send_email_template(r: Request) -> None:
    body = r.body
    template_id = in_id(body["template_id"], "template_id")
    if templates.email_template(r.s, template_id) is None:
        raise invalid_field("template_id", f"no email template has the id {body['template_id']}")
    sender = _user(r.s, {"user_id": body["user_id"]})
    contact_ids = _contacts(r.s, body["contact_ids"], "contact_ids")
    _send(r.s, contact_ids, domain.Draft.of_template(r.s, template_id), sender, body.get("address_field"))


# --- templates ----------------------------------------------------------------------------------------

@operation("listEmailTemplates")
def list_email_templates(r: Request) -> dict:
    page = templates.page_email_templates(r.s, r.list_query(TEMPLATES))
    return r.page("email_templates", [template_json(t) for t in page.items], page)


@operation("getEmailTemplate")
def get_email_template(r: Request, email_template_id: int) -> dict:
    found = templates.email_template(r.s, email_template_id)
    if found is None:
        raise not_found("Email Template", email_template_id)
    return template_json(found, bodies=True)


# --- email addresses ----------------------------------------------------------------------------------

def _address(s: AppSession, email: str) -> str:
    address = email.strip()
    if not email_status.is_valid(address):
        raise invalid_field("email", f"'{email}' is not an email address")
    return address


@operation("getEmailAddressStatus")
def get_email_address_status(r: Request, email: str) -> dict:
    found = email_status.get_status(r.s, _address(r.s, email))
    if found is None:
        raise not_found("Email Address", email)
    return status_json(r.s, found)


@operation("updateEmailAddressOptStatus")
def update_email_address_opt_status(r: Request, email: str) -> dict:
    address = _address(r.s, email)
    if not email_status.known(r.s, address):
        raise not_found("Email Address", email)
    if r.body["opted_in"]:
        confirmations.api_opt_in(r.s, address, r.body["reason"], rest=True)
    else:
        email_status.opt_out(r.s, address, r.body["reason"])
    return status_json(r.s, email_status.get_status(r.s, address))


@operation("listEmailAddressStatuses")
def list_email_address_statuses(r: Request) -> dict:
    page = email_status.page_statuses(r.s, r.list_query(ADDRESSES))
    return r.page("email_addresses", [status_json(r.s, st) for st in page.items], page)
