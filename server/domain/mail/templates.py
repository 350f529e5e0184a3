"""Email templates: rows of the Template table (internal name MarketingPiece, PieceType "Email"), with the
fields APIEmailService.getEmailTemplate returns (spec xmlrpc-api.md §2.3)."""
from __future__ import annotations

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


def _check(values: dict) -> None:
    if values.get("contentType") not in CONTENT_TYPES:
        raise InvalidParameter(f"contentType must be one of {', '.join(CONTENT_TYPES)}")
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
