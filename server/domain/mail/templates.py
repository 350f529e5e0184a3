"""Email templates: rows of the Template table (internal name MarketingPiece, PieceType "Email"), with the
fields APIEmailService.getEmailTemplate returns (spec xmlrpc-api.md §2.3)."""
from __future__ import annotations

from typing import NamedTuple

from server.domain.data import listing
from server.domain.errors import InvalidParameter, RecordNotFound
from server.store import schema
from server.store.session import AppSession

# getEmailTemplate's keys, in the order the vendor sample lists them; all always present, as strings.
FIELDS = ("pieceTitle", "categories", "fromAddress", "toAddress", "ccAddress", "bccAddress", "subject",
          "textBody", "htmlBody", "contentType", "mergeContext")
_COLUMNS = {"pieceTitle": "piece_title", "categories": "categories", "fromAddress": "from_address",
            "toAddress": "to_address", "ccAddress": "cc_address", "bccAddress": "bcc_address",
            "subject": "subject", "textBody": "text_body", "htmlBody": "html_body", "contentType": "content_type",
            "mergeContext": "merge_context"}
CONTENT_TYPES = ("HTML", "Text", "Multipart")  # case sensitive (the docs say so)
MERGE_CONTEXTS = ("Contact", "Opportunity", "Invoice", "CreditCard", "ServiceCall")


def check_content_type(value) -> None:
    """``HTML``, ``Text`` or ``Multipart``, case sensitive (a template's, and an ad-hoc ``sendEmail``'s)."""
    if value not in CONTENT_TYPES:
        raise InvalidParameter(f"contentType must be one of {', '.join(CONTENT_TYPES)}")


def _check(values: dict) -> None:
    check_content_type(values.get("contentType"))
    if values.get("mergeContext") not in MERGE_CONTEXTS:
        raise InvalidParameter(f"mergeContext must be one of {', '.join(MERGE_CONTEXTS)}")


def add(s: AppSession, values: dict, *, piece_type: str = "Email") -> int:
    _check(values)
    template_id = s.next_id("template")
    s.insert(schema.template, dict({_COLUMNS[k]: values.get(k, "") for k in FIELDS}, id=template_id,
                                   piece_type=piece_type))
    s.emit("template.added", "template", template_id, title=values.get("pieceTitle"))
    return template_id


def update(s: AppSession, template_id: int, values: dict) -> bool:
    _check(values)
    load_row(s, template_id)
    t = schema.template
    s.update(t, t.c.id == template_id, **{_COLUMNS[k]: values.get(k, "") for k in FIELDS})
    s.emit("template.updated", "template", template_id)
    return True


def load_row(s: AppSession, template_id: int):
    row = s.get(schema.template, template_id)
    if row is None:
        raise RecordNotFound(f"Record not found for Id:{template_id}")
    return row


def get(s: AppSession, template_id: int) -> dict:
    row = load_row(s, template_id)
    return {k: getattr(row, _COLUMNS[k]) or "" for k in FIELDS}


def find(s: AppSession, title: str):
    t = schema.template
    return s.execute(s.select(t).where(t.c.piece_title == title).order_by(t.c.id).limit(1)).first()


# --- typed reads (REST) -------------------------------------------------------------------------------

class TemplateRecord(NamedTuple):
    id: int
    piece_title: str | None
    categories: str | None
    from_address: str | None
    to_address: str | None
    cc_address: str | None
    bcc_address: str | None
    subject: str | None
    text_body: str | None
    html_body: str | None
    content_type: str | None
    merge_context: str | None


_T = schema.template
_EMAIL = _T.c.piece_type == "Email"
_TEMPLATE_COLUMNS = [getattr(_T.c, name) for name in TemplateRecord._fields]
TEMPLATE_FIELDS = listing.Fields({"id": _T.c.id, "piece_title": _T.c.piece_title, "subject": _T.c.subject,
                                  "content_type": _T.c.content_type, "categories": _T.c.categories},
                                 text=frozenset({"piece_title", "subject", "categories"}))


def _template(row) -> TemplateRecord:
    return TemplateRecord(*(getattr(row, name) for name in TemplateRecord._fields))


def email_template(s: AppSession, template_id: int) -> TemplateRecord | None:
    """An email template (PieceType Email), or None."""
    row = s.execute(s.select(_T, *_TEMPLATE_COLUMNS).where(_T.c.id == template_id, _EMAIL)).first()
    return None if row is None else _template(row)


def page_email_templates(s: AppSession, q: listing.ListQuery) -> listing.Page[TemplateRecord]:
    return listing.page(s, s.select(_T, *_TEMPLATE_COLUMNS).where(_EMAIL), TEMPLATE_FIELDS, q, _template)
