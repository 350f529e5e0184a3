"""Shapes the sales families of REST v2 share (orders, subscriptions, payments): payment methods (cards on
file) and calendar dates. Money is the catalog's ``CurrencyValue`` (catalog_wire.money).

- A billing cycle code of the store ("1" year, "2" month, "3" week, "6" day) is ``YEAR`` … in a
  subscription's ``billing_cycle``.
- Every merchant account of the sandbox answers like Authorize.Net's test mode (its messages are that
  gateway's: "(TESTMODE) This transaction has been approved. (1)"), so ``merchant_account_type`` is
  ``AUTHORIZE``.
"""
from __future__ import annotations

from datetime import datetime

from server.domain.commerce import merchant
from server.domain.commerce.payment_method_reads import CardRecord
from server.domain.session import AppSession

from .errors import invalid_field
from .wire import out_id

BILLING_CYCLES = {"1": "YEAR", "2": "MONTH", "3": "WEEK", "6": "DAY"}
BILLING_CYCLE_CODES = {name: code for code, name in BILLING_CYCLES.items()}
MERCHANT_TYPE = "AUTHORIZE"


def out_date(value: datetime | None) -> str | None:
    """A calendar date in the app's time zone (the store keeps local wall times)."""
    return None if value is None else value.strftime("%Y-%m-%d")


def in_date(text: str, name: str) -> datetime:
    """A calendar date of a request, as the app's local midnight (a date names a day where the app is)."""
    try:
        return datetime.strptime(text.strip()[:10], "%Y-%m-%d")
    except ValueError:
        raise invalid_field(name, f"'{text}' is not an ISO 8601 date (2024-05-21)") from None


def payment_method_json(s: AppSession, c: CardRecord, default_merchant: int | None) -> dict:
    """A card on file as the contract's ``PaymentMethod`` (its id is the card's: v1's credit card id)."""
    expired = merchant.expired(c.expiration_month, c.expiration_year, s.now_local())
    return {"contact_id": out_id(c.contact_id), "payment_method_id": out_id(c.id), "credit_card_id": out_id(c.id),
            "merchant_account_type": MERCHANT_TYPE, "merchant_account_id": out_id(default_merchant),
            "payment_method_type": "CARD",
            "card_info": {"brand": c.card_type, "card_type": "CREDIT", "last_four": c.last4,
                          "expiration_year": c.expiration_year or None,
                          "expiration_month": c.expiration_month.zfill(2) if c.expiration_month else None},
            "status": "EXPIRED" if expired else None}
