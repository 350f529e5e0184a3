"""XML-RPC calls of the CRM services (app settings, the user, DataService extras, email, files, saved searches,
note templates) translated to REST v2, for the side-by-side compare (issue 19 §3); see translate.py.

Some take steps (v2call): a note template applied is the template read (listNoteTemplates), then the note
created; a template sent (sendTemplateWithStatus, the two-parameter sendEmail) names the sending user, whom
the XML-RPC call does not (it sends as the credential's user): getUserInfo first; an email sent to addresses
(sendEmailWithStatus) finds each address's contact (listContacts), since v2 sends to contacts only: an
address with no contact leaves the send unmade, naming the address (creating a contact would change the data
the XML-RPC call leaves alone). ContactService.addToCampaign and removeFromCampaign have no translation: a
legacy follow-up sequence is not a campaign sequence (their mapping entry says why)."""
from __future__ import annotations

import base64
import json
from collections.abc import Callable

from server.domain.data.custom_fields import DATA_TYPE_IDS, form_id_of
from server.domain.data.custom_forms import REST_TYPES
from server.rest_v2.custom_fields import RECORD_TYPES, wire_type

from . import translate_tables as tables
from .v2call import After, CannotTranslate, From, V2Call, arg, utc_time

# --- settings -----------------------------------------------------------------------------------------

# (module, setting) of getAppSetting, lower-cased -> where the v2 configuration holds it (its ``fields`` module
# first); server.domain.account.settings.configuration builds both from the same values
SETTINGS: dict[tuple[str, str], tuple[str, str]] = {
    ("contact", "optiontypes"): ("contact", "contact_types"),
    ("contact", "optiontitles"): ("contact", "title_types"),
    ("contact", "optionsuffixes"): ("contact", "suffix_types"),
    ("contact", "optionphonetypes"): ("contact", "phone_types"),
    ("contact", "optionfaxtypes"): ("contact", "fax_types"),
    ("order", "optioncctypes"): ("ecommerce", "credit_card_types"),
    ("order", "defaultmaxretry"): ("ecommerce", "default_charge_max_retry_attempts"),
    ("order", "defaultnumdaysbetween"): ("ecommerce", "default_number_of_days_between_charge_attempts"),
    ("product", "optionpromocode"): ("ecommerce", "promo_codes"),
}


def setting_path(params: list) -> tuple[str, str]:
    """Where the v2 configuration holds the setting ``params`` (module, setting) names."""
    module, name = arg(params, 0, str, "module"), arg(params, 1, str, "setting")
    path = SETTINGS.get((module.strip().lower(), name.strip().lower()))
    if path is None:
        known = ", ".join(f"{m}.{n}" for m, n in SETTINGS)
        raise CannotTranslate(f"params (module, setting): the compare tool translates the settings {known}, "
                              f"not {module}.{name}")
    return path


def _setting(p: list) -> V2Call:
    module, _ = setting_path(p)
    return V2Call("getApplicationConfigurations", query={"fields": module.upper()}, fields={}, items="")


USER_INFO_FIELDS = {"localUserId": ("id",), "globalUserId": ("keap_id",), "casUsername": ("email",)}


def _user_info(p: list) -> V2Call:
    if p:
        raise CannotTranslate(f"params: getUserInfo takes no parameters (the credential says who), not {len(p)}")
    return V2Call("getUserInfo", fields=USER_INFO_FIELDS, items="")


# --- DataService extras -------------------------------------------------------------------------------

# the fields queryWithOrderBy orders each table by, as its v2 list operation's order_by names them
ORDERS = {
    "Contact": {"Id": "id", "Email": "email", "DateCreated": "create_time", "LastUpdated": "update_time"},
    "Company": {"Id": "id", "Company": "name", "Email": "email"},
    "ContactGroup": {"GroupName": "name"},
    "Product": {"ProductName": "name", "Sku": "sku"},
}


def _criterion(data: dict, where: str) -> tuple:
    """The one field and value of a query struct, or (None, None) for an empty one."""
    if len(data) > 1:
        raise CannotTranslate(f"{where}: the compare tool translates a query on one field or none")
    return next(iter(data.items()), (None, None))


def _query_ordered(p: list) -> V2Call:
    t, rest, limit = tables.listing(p)
    field_name, value = _criterion(arg(rest, 2, dict, "queryData"), "params[3] (queryData)")
    arg(rest, 3, list, "selectedFields")
    order, ascending = arg(rest, 4, str, "orderBy"), rest[5] if len(rest) > 5 else None
    if not isinstance(ascending, bool):
        raise CannotTranslate("params[6] (ascending) must be a boolean")
    name = "Contact" if t is None else t.name
    orders = ORDERS.get(name, {})
    if order not in orders:
        raise CannotTranslate(f"params[5] (orderBy): the compare tool orders {name} by {sorted(orders)}, not {order}")
    return tables.filtered(t, field_name, value, limit, "params[3] (queryData)",
                           order_by=f"{orders[order]} {'asc' if ascending else 'desc'}")


def _count(p: list) -> V2Call:
    t, rest = (None, After(p, 1)) if p and p[0] == "Contact" else tables.table(p)
    field_name, value = _criterion(arg(rest, 0, dict, "queryData"), "params[1] (queryData)")
    return tables.filtered(t, field_name, value, 1000, "params[1] (queryData)")  # v2 has no total: count a page


def _add_custom_field(p: list) -> V2Call:
    """The create operation of the context's record type (its custom-field form): notes and tasks share one form,
    so a Task context goes to tasks, the others of that form to notes."""
    context = arg(p, 0, str, "context")
    candidates = [r for r in RECORD_TYPES if r.form_id == form_id_of(context)]
    if not candidates:
        raise CannotTranslate(f"params[0] (context): {context} is not a record type with custom fields")
    record = next((r for r in candidates if r.noun.lower() == context.strip().lower()), candidates[0])
    type_id = DATA_TYPE_IDS.get(arg(p, 2, str, "dataType").replace(" ", "").lower())
    if type_id is None:
        raise CannotTranslate(f"params[2] (dataType): {p[2]} is not a custom field type")
    body = {"label": arg(p, 1, str, "displayName"), "field_type": wire_type(REST_TYPES[type_id]),
            "group_id": str(arg(p, 3, int, "groupId"))}
    return V2Call(record.create_field, body=body, fields={}, items="")


# --- email --------------------------------------------------------------------------------------------

def _contact_ids(p: list) -> list[str]:
    given = arg(p, 0, list, "contactList")
    if not given or not all(isinstance(c, int) and not isinstance(c, bool) or isinstance(c, str) and c.isdigit()
                            for c in given):
        raise CannotTranslate("params[0] (contactList) must hold contact ids (v2 sends to at least one contact)")
    return [str(c) for c in given]


def _text64(value: str) -> str | None:
    return base64.b64encode(value.encode()).decode() if value else None


def _email_body(contacts: list, from_address: str, subject: str, content_type: str, html: str, text: str) -> dict:
    """The sendEmail body of an ad-hoc email (its content as base64, the parts its content type sends)."""
    body = {"contacts": contacts, "subject": subject, "from_address": from_address}
    for name, value in (("html_content", html if content_type.lower() != "text" else ""),
                        ("plain_content", text if content_type.lower() != "html" else "")):
        if value:
            body[name] = _text64(value)
    return body


def _no_copies(cc: str, bcc: str, where: str) -> None:
    if cc.strip() or bcc.strip():
        raise CannotTranslate(f"{where} (cc, bcc): v2 sendEmail has no copies")


def _send_email(p: list) -> V2Call | tuple[V2Call, ...]:
    if len(p) == 2:  # (contactList, templateId): the template form
        return _send_template(p)
    contacts = _contact_ids(p)
    from_address, to_address, cc, bcc, content_type, subject, html, text = (
        arg(p, i, str, name) for i, name in enumerate(
            ("fromAddress", "toAddress", "ccAddresses", "bccAddresses", "contentType", "subject", "htmlBody",
             "textBody"), start=1))
    _no_copies(cc, bcc, "params[3], params[4]")
    body = _email_body(contacts, from_address, subject, content_type, html, text)
    if to_address.strip() and to_address.strip() != "~Contact.Email~":
        field = to_address.strip().removeprefix("~Contact.").removesuffix("~")
        if field == to_address.strip():
            raise CannotTranslate("params[2] (toAddress): v2 sends to a contact's address field (~Contact.Email~, "
                                  "~Contact.EmailAddress2~ ...), not an address")
        body["address_field"] = field
    return V2Call("sendEmail", body=body, fields={}, items="")


def _send_template(p: list) -> tuple[V2Call, ...]:
    """The caller's user read first: v2 names the sender, XML-RPC sends as the credential's user."""
    contacts, template_id = _contact_ids(p), arg(p, 1, int, "templateId")
    body = {"template_id": str(template_id), "contact_ids": contacts,
            "user_id": From(0, ("id",), what="id (the caller's user)")}
    return (V2Call("getUserInfo", fields={}, items=""),
            V2Call("sendEmailTemplate", body=body, fields={}, items=""))


def _send_to_addresses(p: list) -> tuple[V2Call, ...]:
    """Each address's contact found (its primary email, as v2 sends to), then the email sent to them."""
    from_address, to_addresses, cc, bcc, subject, text, html = (
        arg(p, i, str, name) for i, name in enumerate(
            ("fromAddress", "toAddresses", "ccAddresses", "bccAddresses", "subject", "textBody", "htmlBody")))
    _no_copies(cc, bcc, "params[2], params[3]")
    addresses = _addresses(to_addresses)
    if not addresses or any(c in a for a in addresses for c in ";=*"):
        raise CannotTranslate("params[1] (toAddresses) must hold addresses, separated by commas")
    finds = tuple(V2Call("listContacts", query={"filter": f"email=={a}", "page_size": "1"}) for a in addresses)
    contacts = [From(n, ("contacts", 0, "id"), what=f"contact with the address {a} (v2 sends to contacts only)")
                for n, a in enumerate(addresses)]
    content_type = "Multipart" if html and text else ("HTML" if html else "Text")  # as XML-RPC sends it
    return (*finds, V2Call("sendEmail", body=_email_body(contacts, from_address, subject, content_type, html, text),
                           fields={}, items=""))


def _time(p: list, index: int, name: str) -> str | None:
    value = p[index] if len(p) > index else None
    return None if value in (None, "") else utc_time(value, f"params[{index}] ({name})")


def _addresses(value: str) -> list[str]:
    return [a.strip() for a in value.split(",") if a.strip()]


def _attach_email(p: list) -> V2Call:
    arg(p, 1, str, "fromName")  # v2 keeps the sender's address only
    names = ("fromAddress", "toAddress", "ccAddresses", "bccAddresses", "contentType", "subject", "htmlBody",
             "textBody", "header")
    (from_address, to_address, cc, bcc, content_type, subject, html, text, header) = (
        arg(p, i, str, name) for i, name in enumerate(names, start=2))
    received, sent = _time(p, 11, "receivedDate"), _time(p, 12, "sentDate")
    if len(p) > 13 and arg(p, 13, int, "emailSentType") == 0:
        raise CannotTranslate("params[13] (emailSentType): v2 records sent emails only (createEmail), not received")
    body = {"contact_id": str(arg(p, 0, int, "contactId")), "sent_to_address": to_address, "subject": subject,
            "headers": header or None, "sent_from_address": from_address,
            "sent_to_cc_address_list": _addresses(cc), "sent_to_bcc_address_list": _addresses(bcc),
            "html_content": _text64(html) if content_type.lower() != "text" else None,
            "plain_content": _text64(text) if content_type.lower() != "html" else None,
            "sent_time": sent, "received_time": received}
    return V2Call("createEmail", body={k: v for k, v in body.items() if v not in (None, [])}, fields={}, items="")


# --- files --------------------------------------------------------------------------------------------

def _content(value, where: str) -> bytes:
    """The bytes of an XML-RPC file parameter: base64 text (the JSON of the compare tool) or bytes."""
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    if isinstance(value, str):
        try:
            return base64.b64decode(value, validate=True)
        except ValueError:
            pass
    raise CannotTranslate(f"{where} must be the file's bytes in base64")


def _upload(p: list) -> V2Call:
    if p and isinstance(p[0], int) and not isinstance(p[0], bool):  # (contactId, fileName, base64Data)
        contact_id, name, data = p[0], arg(p, 1, str, "fileName"), _content(p[2] if len(p) > 2 else None,
                                                                            "params[2] (base64Data)")
    else:  # (fileName, base64Data[, contactId])
        name, data = arg(p, 0, str, "fileName"), _content(p[1] if len(p) > 1 else None, "params[1] (base64Data)")
        contact_id = arg(p, 2, int, "contactId") if len(p) > 2 else 0
    # XML-RPC files go in the contact's file box, or the app's (v2: a USER file) without a contact
    form = {"file_name": name, "file_association": "CONTACT" if contact_id else "USER", "is_public": "false"}
    if contact_id:
        form["contact_id"] = str(contact_id)
    return V2Call("createFile", body=form, files={"file": (name, data)}, fields={}, items="")


def _rename(p: list) -> V2Call:
    return V2Call("updateFile", path={"file_id": str(arg(p, 0, int, "fileId"))}, query={"update_mask": "file_name"},
                  body={"file_name": arg(p, 1, str, "fileName")}, files={}, fields={}, items="")


def _replace(p: list) -> V2Call:
    data = _content(p[1] if len(p) > 1 else None, "params[1] (base64EncodedData)")
    return V2Call("updateFile", path={"file_id": str(arg(p, 0, int, "fileId"))}, query={"update_mask": "file"},
                  files={"file": ("file", data)}, fields={}, items="")


# --- note templates -----------------------------------------------------------------------------------

def _note_template(template_id: int, value: Callable[[dict], str]) -> Callable[[list], str | None]:
    """The value of the listed note template ``template_id`` (None when the list holds no such template)."""
    def pick(templates: list) -> str | None:
        found = next((t for t in templates if isinstance(t, dict) and t.get("id") == str(template_id)), None)
        return None if found is None else value(found)
    return pick


def _apply_template(p: list) -> tuple[V2Call, ...]:
    """The note templates listed, then the note created as XML-RPC makes it: its title the template's
    description (or title), its type the template's action type (or Note). v2's template holds no note text."""
    contact_id, template_id = arg(p, 0, int, "contactId"), arg(p, 1, int, "historyId")
    user_id = arg(p, 2, int, "userId")
    if not user_id:
        raise CannotTranslate("params[2] (userId): v2 requires the note's user (user_id); give a user's id")
    what = f"note template {template_id} (v2 lists note templates only)"
    body = {"title": From(0, ("note_templates",), _note_template(template_id, lambda t: t.get("description")
                                                                   or t.get("title")), what),
            "type": From(0, ("note_templates",), _note_template(template_id, lambda t: t.get("action_type")
                                                                  or "Note"), what),
            "user_id": str(user_id)}
    return (V2Call("listNoteTemplates", query={"page_size": "1000"}, fields={}, items=""),
            V2Call("createNote", path={"contact_id": str(contact_id)}, body=body, fields={}, items=""))


# --- saved searches -----------------------------------------------------------------------------------

def _report(with_fields: bool) -> Callable[[list], V2Call]:
    def translate(p: list) -> V2Call:
        report_id, _ = arg(p, 0, int, "savedSearchId"), arg(p, 1, int, "userId")
        if arg(p, 2, int, "pageNumber") != 0:
            raise CannotTranslate("params[2] (pageNumber): v2 pages by token; the compare tool translates page 0 "
                                  "only")
        options: dict = {}
        if with_fields:
            options["fields"] = ",".join(str(f) for f in arg(p, 3, list, "fields"))
        return V2Call("runReport", path={"report_id": str(report_id)},
                      query={"runReportRequest": json.dumps(options)}, fields={}, items="")
    return translate


def _report_columns(p: list) -> V2Call:
    report_id, _ = arg(p, 0, int, "savedSearchId"), arg(p, 1, int, "userId")
    return V2Call("retrieveReportModel", path={"report_id": str(report_id)}, fields={}, items="")


def _quick_search(p: list) -> V2Call:
    kind = arg(p, 0, str, "quickSearchType")
    if kind.strip().lower() not in ("findperson", "person"):
        raise CannotTranslate(f"params[0] (quickSearchType): v2 lists contacts (FindPerson); {kind} has no v2 "
                              "counterpart")
    arg(p, 1, int, "userId")
    text = arg(p, 2, str, "searchData").strip()
    page, limit = arg(p, 3, int, "page"), arg(p, 4, int, "limit")
    if page != 0:
        raise CannotTranslate("params[3] (page): v2 pages by token; the compare tool translates page 0 only")
    if not text or "*" in text:
        raise CannotTranslate("params[2] (searchData): give the text to search for (no *)")
    # v2 matches one field from its start: the email when the text is an address, the given name otherwise
    query = {"filter": f"email=={text}" if "@" in text else f"given_name=={text}*",
             "page_size": str(min(max(limit, 1), 1000))}
    return V2Call("listContacts", query=query)


CRM_TRANSLATORS: dict[str, Callable[[list], V2Call | tuple[V2Call, ...]]] = {
    "ContactService.getAppSetting": _setting,
    "ContactService.getAppSettingInt": _setting,
    "DataService.getAppSetting": _setting,
    "DataService.getUserInfo": _user_info,
    "DataService.queryWithOrderBy": _query_ordered,
    "DataService.count": _count,
    "DataService.addCustomField": _add_custom_field,
    "ContactService.applyActivityHistoryTemplate": _apply_template,
    "APIEmailService.sendEmail": _send_email,
    "APIEmailService.sendTemplateWithStatus": _send_template,
    "APIEmailService.sendEmailWithStatus": _send_to_addresses,
    "APIEmailService.attachEmail": _attach_email,
    "FileService.uploadFile": _upload,
    "FileService.renameFile": _rename,
    "FileService.replaceFile": _replace,
    "SearchService.getSavedSearchResults": _report(True),
    "SearchService.getSavedSearchResultsAllFields": _report(False),
    "SearchService.getAllReportColumns": _report_columns,
    "SearchService.quickSearch": _quick_search,
}
