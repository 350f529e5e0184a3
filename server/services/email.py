"""APIEmailService.*: opt-in status, templates, sending (captured in the app's outbox), attached emails.

The wire name is APIEmailService although SDKs call the class EmailService (spec §2.3)."""
from __future__ import annotations

from server.domain.data.values import to_local
from server.domain.errors import InvalidParameter, RecordNotFound
from server.domain.mail import confirmations, email_status, emails, merge_fields, messages, templates
from server.domain.session import AppSession
from server.xmlrpc.methods import P, xmlrpc


@xmlrpc("APIEmailService.optIn", P.STRING, P.STRING)
def opt_in(s: AppSession, email: str, reason: str) -> bool:
    return confirmations.api_opt_in(s, email, reason)


@xmlrpc("APIEmailService.optOut", P.STRING, P.STRING)
def opt_out(s: AppSession, email: str, reason: str) -> bool:
    return email_status.opt_out(s, email, reason)


@xmlrpc("APIEmailService.getOptStatus", P.STRING, writes=False)
def get_opt_status(s: AppSession, email: str) -> int:
    return email_status.opt_status(s, email)


# --- templates ------------------------------------------------------------------------------------------

@xmlrpc("APIEmailService.addEmailTemplate", *([P.STRING] * 11))
def add_email_template(s: AppSession, *values: str) -> int:
    return templates.add(s, dict(zip(templates.FIELDS, values)))


@xmlrpc("APIEmailService.getEmailTemplate", P.INT, writes=False)
def get_email_template(s: AppSession, template_id: int) -> dict:
    return templates.get(s, template_id)


@xmlrpc("APIEmailService.updateEmailTemplate", P.INT, *([P.STRING] * 11))
def update_email_template(s: AppSession, template_id: int, *values: str) -> bool:
    return templates.update(s, template_id, dict(zip(templates.FIELDS, values)))


# iSDK only (older than addEmailTemplate): title, userId, from, to, cc, bcc, contentType, subject, html, text.
@xmlrpc("APIEmailService.createEmailTemplate", P.STRING, P.INT, *([P.STRING] * 8))
def create_email_template(s: AppSession, title: str, user_id: int, from_address: str, to_address: str, cc: str,
                          bcc: str, content_type: str, subject: str, html_body: str, text_body: str) -> int:
    return templates.add(s, {"pieceTitle": title, "categories": "", "fromAddress": from_address,
                             "toAddress": to_address, "ccAddress": cc, "bccAddress": bcc, "subject": subject,
                             "textBody": text_body, "htmlBody": html_body, "contentType": content_type,
                             "mergeContext": "Contact"})


@xmlrpc("APIEmailService.getAvailableMergeFields", P.STRING, writes=False)
def get_available_merge_fields(s: AppSession, merge_context: str) -> list:
    return merge_fields.available(s, merge_context)


# --- sending --------------------------------------------------------------------------------------------

def _contact_ids(values: list) -> list[int]:
    ids = []
    for value in values:
        digits = isinstance(value, str) and value.strip().isdigit()
        if isinstance(value, bool) or not (isinstance(value, int) or digits):
            raise InvalidParameter("contactList must hold contact ids")
        ids.append(int(value))
    return ids


# "Send an Email from a Template": the template id comes as an <int> or, from the Ruby gem, as a string.
@xmlrpc("APIEmailService.sendEmail", P.ARRAY, P.INT)
def send_template(s: AppSession, contact_list: list, template_id: int) -> bool:
    contact_ids = _contact_ids(contact_list)
    emails.require_contacts(s, contact_ids)
    emails.send(s, contact_ids, emails.Draft.of_template(s, template_id), origin="api", marketing=False)
    return True


@xmlrpc("APIEmailService.sendEmail", P.ARRAY, *([P.STRING] * 8))
def send_email(s: AppSession, contact_list: list, from_address: str, to_address: str, cc: str, bcc: str,
               content_type: str, subject: str, html_body: str, text_body: str) -> bool:
    contact_ids = _contact_ids(contact_list)
    templates.check_content_type(content_type)
    emails.require_contacts(s, contact_ids)
    draft = emails.Draft(subject=subject, html_body=html_body, text_body=text_body, content_type=content_type,
                         from_address=from_address, to_address=to_address or emails.CONTACT_EMAIL, cc=cc, bcc=bcc)
    emails.send(s, contact_ids, draft, origin="api", marketing=False)
    return True


# The 2014 docs showed a trailing templateId: a 10-argument call is the ad-hoc form, the extra ignored.
@xmlrpc("APIEmailService.sendEmail", P.ARRAY, *([P.STRING] * 8), P.ANY)
def send_email_with_template_id(s: AppSession, contact_list: list, *args) -> bool:
    return send_email(s, contact_list, *args[:8])


@xmlrpc("APIEmailService.sendTemplateWithStatus", P.ARRAY, P.INT)
def send_template_with_status(s: AppSession, contact_list: list, template_id: int) -> list:
    contact_ids = _contact_ids(contact_list)
    emails.require_contacts(s, contact_ids)
    results = emails.send(s, contact_ids, emails.Draft.of_template(s, template_id), origin="api", marketing=False)
    return [{"Successful": reason is None, "ContactId": contact_id, "Message": reason or "Sent"}
            for contact_id, (_, reason) in zip(contact_ids, results)]


@xmlrpc("APIEmailService.sendEmailWithStatus", *([P.STRING] * 7))
def send_email_with_status(s: AppSession, from_address: str, to_addresses: str, cc: str, bcc: str, subject: str,
                           text_body: str, html_body: str) -> list:
    addresses = [a.strip() for a in to_addresses.split(",") if a.strip()]
    draft = emails.Draft(subject=subject, html_body=html_body, text_body=text_body,
                         content_type="Multipart" if html_body and text_body else ("HTML" if html_body else "Text"),
                         from_address=from_address, cc=cc, bcc=bcc)
    return [{"Successful": reason is None, "Email": address, "Message": reason or "Sent"}
            for address, reason in emails.send_to_addresses(s, addresses, draft)]


# Logs an email sent or received elsewhere. The Ruby gem sends 13 parameters (no emailSentType), dates as
# ISO-8601 strings; the documented form has 14 (emailSentType 1 = sent, 0 = received).
@xmlrpc("APIEmailService.attachEmail", P.INT, *([P.STRING] * 10), P.DATE, P.DATE, P.INT)
def attach_email(s: AppSession, contact_id: int, from_name: str, from_address: str, to_address: str, cc: str,
                 bcc: str, content_type: str, subject: str, html_body: str, text_body: str, header: str,
                 received_date, sent_date, email_sent_type: int = 1) -> bool:
    if not emails.contact_exists(s, contact_id):
        raise RecordNotFound(f"Record not found for Id:{contact_id}")
    messages.log(s, contact_id=contact_id, from_name=from_name, from_address=from_address, to_address=to_address,
                 cc=cc, bcc=bcc, content_type=content_type, subject=subject, html_body=html_body,
                 text_body=text_body, headers=header, received_date=_local(s, received_date),
                 sent_date=_local(s, sent_date), direction="received" if email_sent_type == 0 else "sent")
    return True


@xmlrpc("APIEmailService.attachEmail", P.INT, *([P.STRING] * 10), P.DATE, P.DATE)
def attach_email_13(s: AppSession, contact_id: int, *args) -> bool:
    return attach_email(s, contact_id, *args, 1)


def _local(s: AppSession, value):
    if value in (None, ""):
        return None
    moment = to_local(value, s.clock)
    if moment is None:
        raise InvalidParameter(f"Invalid date: {value!r}")
    return moment
