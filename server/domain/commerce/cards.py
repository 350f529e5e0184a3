"""Credit cards on file (the CreditCard table), their validation, and CreditCardSubmissionService.

A card's number is written once and never read back: the row keeps ``Last4``, the number masked to its last
four digits, and what the sandbox merchant will answer for it (``check_code``); the security code is not kept
at all. ``CreditCard.Status``: 0 unknown, 1 invalid, 2 deleted, 3 valid, 4 inactive.
"""
from __future__ import annotations

import re
import secrets
from datetime import timedelta
from typing import NamedTuple

from server.domain import redirects
from server.domain.data.records import Values, Writer, check_values
from server.domain.errors import InvalidParameter, RecordNotFound, not_found
from server.store import schema
from server.store.session import AppSession
from server.tables import REGISTRY, stored_id

from . import merchant
from .invoices import require_contact

CREDIT_CARD = REGISTRY.get("CreditCard")
UNKNOWN, INVALID, DELETED, VALID, INACTIVE = 0, 1, 2, 3, 4
TOKEN_LIFETIME = timedelta(hours=24)


def _prepare(row: dict, *, adding: bool) -> dict:
    """Turn a written card number into Last4, the masked number and the gateway's answer for it."""
    row.pop("cvv2", None)  # never stored
    if "card_number" in row:
        number = merchant.digits(row["card_number"])
        row["card_number"] = merchant.masked(number) if number else None
        row["last4"] = number[-4:] if number else None
        row["check_code"] = merchant.check_code(number)
        row["status"] = VALID if merchant.luhn_ok(number) else INVALID
        if not row.get("card_type"):
            row["card_type"] = merchant.card_type_of(number)
    elif adding:
        row["status"] = UNKNOWN
    return row


def _add(s: AppSession, table, values: Values) -> int:
    row = _prepare(dict(values.columns), adding=True)
    if row.get("contact_id"):
        require_contact(s, row["contact_id"])
    card_id = s.next_id("credit_card")
    row["id"] = card_id
    s.insert(schema.credit_card, row)
    s.emit("credit_card.added", "credit_card", card_id, contact_id=row.get("contact_id"), last4=row.get("last4"),
           card_type=row.get("card_type"))
    return card_id


def _update(s: AppSession, table, card_id: int, values: Values) -> None:
    row = _prepare(dict(values.columns), adding=False)
    if row:
        s.update(schema.credit_card, schema.credit_card.c.id == card_id, **row)
    card = s.get(schema.credit_card, card_id, schema.credit_card.c.contact_id)
    s.emit("credit_card.updated", "credit_card", card_id, contact_id=card.contact_id, fields=values.names)


def _no_delete(s: AppSession, table, card_id: int) -> None:  # the table has no delete access
    raise AssertionError("CreditCard rows are not deleted")


WRITER = Writer(("CreditCard",), _add, _update, _no_delete)


def add(s: AppSession, data: dict) -> int:
    """A card from API field names (``CardNumber``, ``ExpirationMonth`` …), checked like DataService.add."""
    return _add(s, CREDIT_CARD, check_values(s, CREDIT_CARD, data, "A"))


def require(s: AppSession, card_id: int):
    row = s.get(schema.credit_card, card_id)
    if row is None:
        raise not_found("CreditCard", card_id)
    return row


def locate(s: AppSession, contact_id: int, last4: str) -> int:
    """The contact's newest valid card ending in ``last4``; 0 when there is none."""
    cc = schema.credit_card
    q = (s.select(cc, cc.c.id).where(cc.c.contact_id == contact_id, cc.c.last4 == str(last4).strip()[-4:],
                                     cc.c.status == VALID).order_by(cc.c.id.desc()).limit(1))
    row = s.execute(q).first()
    return row.id if row else 0


def latest(s: AppSession, contact_id: int) -> int:
    """The contact's newest valid card; 0 when there is none."""
    cc = schema.credit_card
    row = s.execute(s.select(cc, cc.c.id).where(cc.c.contact_id == contact_id, cc.c.status == VALID)
                    .order_by(cc.c.id.desc()).limit(1)).first()
    return row.id if row else 0


class CardOnFile(NamedTuple):
    id: int
    card_number: str | None  # masked to its last four digits
    card_type: str | None
    status: int


def on_file(s: AppSession, contact_id: int) -> list[CardOnFile]:
    """The contact's cards but the deleted ones, oldest first."""
    cc = schema.credit_card
    rows = s.execute(s.select(cc, cc.c.id, cc.c.card_number, cc.c.card_type, cc.c.status)
                     .where(cc.c.contact_id == contact_id, cc.c.status != DELETED).order_by(cc.c.id)).all()
    return [CardOnFile(r.id, r.card_number, r.card_type, r.status or UNKNOWN) for r in rows]


def deactivate(s: AppSession, card_id: int) -> bool:
    card = require(s, card_id)
    s.update(schema.credit_card, schema.credit_card.c.id == card_id, status=INACTIVE)
    s.emit("credit_card.updated", "credit_card", card_id, contact_id=card.contact_id, fields=["Status"],
           status=INACTIVE)
    return True


def delete(s: AppSession, card_id: int) -> None:
    """Take a card off file (REST v2's payment method delete): it stays as a row, ``Status`` 2 (deleted), so
    the payments charged to it still name it; it can no longer be charged or listed."""
    card = require(s, card_id)
    s.update(schema.credit_card, schema.credit_card.c.id == card_id, status=DELETED)
    s.emit("credit_card.updated", "credit_card", card_id, contact_id=card.contact_id, fields=["Status"],
           status=DELETED)


def _answer(valid: bool, message: str) -> dict:
    # Valid is the string "true"/"false", not a boolean (vendor sample {Message: "Card has expired", Valid: "false"})
    return {"Valid": "true" if valid else "false", "Message": message}


def validate_existing(s: AppSession, card_id: int) -> dict:
    card = require(s, card_id)
    if card.status in (DELETED, INACTIVE):
        return _answer(False, "Card is inactive")
    if card.check_code == "invalid" or card.status == INVALID:
        return _answer(False, "Card number is invalid")
    if merchant.expired(card.expiration_month, card.expiration_year, s.now_local()):
        return _answer(False, "Card has expired")
    return _answer(True, "Card is valid")


_NEW_CARD_KEYS = {"cardtype": "CardType", "contactid": "ContactId", "cardnumber": "CardNumber",
                  "expirationmonth": "ExpirationMonth", "expirationyear": "ExpirationYear", "cvv2": "CVV2",
                  "securitycode": "CVV2"}


_BRANDS = {"visa": "Visa", "mastercard": "MasterCard", "americanexpress": "American Express",
           "amex": "American Express", "discover": "Discover"}


def validate_new(s: AppSession, data: dict) -> dict:
    """Check a card that is not on file: number (Luhn), brand, expiry and security code."""
    card = {}
    for key, value in data.items():
        name = _NEW_CARD_KEYS.get(str(key).lower())
        if name is None:
            raise InvalidParameter(f"Unknown credit card field: {key}")
        card[name] = value
    number = merchant.digits(card.get("CardNumber"))
    if not merchant.luhn_ok(number):
        return _answer(False, "Card number is invalid")
    brand = merchant.card_type_of(number)
    given = str(card.get("CardType") or "").strip().lower().replace(" ", "")
    if given and _BRANDS.get(given) != brand:
        return _answer(False, "Card type does not match the card number")
    if merchant.expired(card.get("ExpirationMonth"), card.get("ExpirationYear"), s.now_local()):
        return _answer(False, "Card has expired")
    cvv = str(card.get("CVV2") or "").strip()
    if cvv and (not cvv.isdigit() or len(cvv) != (4 if brand == "American Express" else 3)):
        return _answer(False, "Security code is invalid")
    return _answer(True, "Card is valid")


# --- CreditCardSubmissionService ----------------------------------------------------------------------

def request_token(s: AppSession, contact_id: int, success_url: str, failure_url: str) -> str:
    """A token for posting one card for ``contact_id`` to the card-entry page (valid 24 hours of app time).
    It starts with the app's id, so the page (which has no API key) knows whose card it is."""
    for name, url in (("successUrl", success_url), ("failureUrl", failure_url)):
        if (problem := redirects.problem(url)) is not None:
            raise InvalidParameter(f"{name}: {problem}")
    require_contact(s, contact_id)
    token = f"{s.app.id}-{secrets.token_hex(16)}"
    s.insert(schema.card_submission, dict(token=token, contact_id=contact_id, success_url=success_url,
                                          failure_url=failure_url, credit_card_id=None,
                                          expires_at=s.clock.now().timestamp() + TOKEN_LIFETIME.total_seconds()))
    return token


_SECRET = re.compile(r"[0-9a-f]{32}")  # request_token's token_hex(16)


def app_id_of(token: str) -> int | None:
    """The app a card-entry token names, or None for a string that is no token (only a token's shape reaches the
    store: PostgreSQL refuses a NUL in a query's text)."""
    head, _, rest = str(token or "").partition("-")
    return stored_id(head) if _SECRET.fullmatch(rest) else None


def submission(s: AppSession, token: str):
    cs = schema.card_submission
    row = s.execute(s.select(cs).where(cs.c.token == token)).first()
    if row is None or row.expires_at < s.clock.now().timestamp():
        return None
    return row


# The card-entry form's fields: the CreditCard table's own names, which the page posts.
FORM_FIELDS = ("NameOnCard", "CardNumber", "ExpirationMonth", "ExpirationYear", "CVV2", "CardType",
               "FirstName", "LastName", "BillAddress1", "BillAddress2", "BillCity", "BillState", "BillZip",
               "BillCountry", "PhoneNumber", "Email")


def submit(s: AppSession, token: str, form: dict) -> tuple[bool, str, str]:
    """A card posted to the card-entry page: ``(accepted, the URL to redirect to, message)``."""
    sub = submission(s, token)
    if sub is None:
        raise InvalidParameter("Invalid or expired submission token")
    by_name = {k.lower(): v for k, v in form.items()}
    data = {name: str(by_name[name.lower()]).strip() for name in FORM_FIELDS
            if str(by_name.get(name.lower(), "")).strip()}
    number = merchant.digits(data.get("CardNumber"))
    problem = None
    if not merchant.luhn_ok(number):
        problem = "Card number is invalid"
    elif not data.get("ExpirationMonth") or not data.get("ExpirationYear"):
        problem = "The expiration month and year are required"
    elif merchant.expired(data["ExpirationMonth"], data["ExpirationYear"], s.now_local()):
        problem = "Card has expired"
    if problem:
        s.emit("credit_card.submission_failed", "contact", sub.contact_id, contact_id=sub.contact_id,
               message=problem)
        return False, sub.failure_url, problem
    data["CardNumber"] = number
    data["ContactId"] = sub.contact_id
    card_id = add(s, data)
    cs = schema.card_submission
    s.update(cs, cs.c.token == token, credit_card_id=card_id)
    return True, sub.success_url, "Card saved"


def card_for_token(s: AppSession, token: str) -> dict:
    """CreditCardSubmissionService.requestCreditCardId: the card posted with ``token``, its number left out.
    Keys are the CreditCard field names with a lower-case first letter (the Novak SDK upper-cases each key's
    first letter to load them into its CreditCard model; the iSDK documents an array return)."""
    cs = schema.card_submission
    sub = s.execute(s.select(cs).where(cs.c.token == token)).first()
    if sub is None:
        raise InvalidParameter("Invalid submission token")
    if sub.credit_card_id is None:
        raise RecordNotFound("No credit card has been submitted with this token")
    card = s.get(schema.credit_card, sub.credit_card_id)
    out = {}
    for field in CREDIT_CARD.fields.values():
        if "R" not in field.access or field.column is None:
            continue
        value = getattr(card, field.column)
        if value is not None:
            out[field.name[0].lower() + field.name[1:]] = value
    return out

