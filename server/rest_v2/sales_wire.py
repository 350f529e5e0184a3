"""Shapes the commerce families of REST v2 share (orders, subscriptions, payments): money as the contract's
``CurrencyValue``, subscription plans, payment methods (cards on file), calendar dates.

- ``CurrencyValue``: ``amount`` in the currency's smallest unit (cents: "The price amount in the smallest
  currency unit"), the app's ``currency_code`` (business profile, USD by default) and ``formatted_amount``
  as the app's locale writes it (the sandbox writes ``$1,234.50`` for USD, ``1,234.50 EUR`` for a currency
  it has no symbol for).
- A billing cycle code of the store ("1" year, "2" month, "3" week, "6" day) is ``YEARLY`` … in a plan's
  ``cycle_type`` and ``YEAR`` … in a subscription's ``billing_cycle`` (the contract's two enums).
- Every merchant account of the sandbox answers like Authorize.Net's test mode (its messages are that
  gateway's: "(TESTMODE) This transaction has been approved. (1)"), so ``merchant_account_type`` is
  ``AUTHORIZE``.
"""
from __future__ import annotations

from datetime import datetime

from server.domain.account import settings
from server.domain.commerce import merchant
from server.domain.commerce.payment_method_reads import CardRecord
from server.domain.commerce.subscription_reads import PlanRecord
from server.domain.session import AppSession

from .errors import invalid_field
from .wire import out_id

_SYMBOLS = {"USD": "$", "CAD": "CA$", "AUD": "A$", "EUR": "€", "GBP": "£", "NZD": "NZ$", "JPY": "¥"}
_NO_CENTS = {"JPY"}
PLAN_CYCLES = {"1": "YEARLY", "2": "MONTHLY", "3": "WEEKLY", "6": "DAILY"}
PLAN_CYCLE_CODES = {name: code for code, name in PLAN_CYCLES.items()}
BILLING_CYCLES = {"1": "YEAR", "2": "MONTH", "3": "WEEK", "6": "DAY"}
BILLING_CYCLE_CODES = {name: code for code, name in BILLING_CYCLES.items()}
MERCHANT_TYPE = "AUTHORIZE"


def currency(s: AppSession) -> str:
    return settings.profile(s).get("currency_code") or "USD"


def money_json(amount: float | None, code: str) -> dict | None:
    if amount is None:
        return None
    units = 1 if code in _NO_CENTS else 100
    symbol = _SYMBOLS.get(code)
    text = f"{abs(amount):,.0f}" if units == 1 else f"{abs(amount):,.2f}"
    sign = "-" if amount < 0 else ""
    return {"amount": int(round(amount * units)), "currency_code": code,
            "formatted_amount": f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {code}"}


def out_date(value: datetime | None) -> str | None:
    """A calendar date in the app's time zone (the store keeps local wall times)."""
    return None if value is None else value.strftime("%Y-%m-%d")


def in_date(text: str, name: str) -> datetime:
    """A calendar date of a request, as the app's local midnight (a date names a day where the app is)."""
    try:
        return datetime.strptime(text.strip()[:10], "%Y-%m-%d")
    except ValueError:
        raise invalid_field(name, f"'{text}' is not an ISO 8601 date (2024-05-21)") from None


def plan_json(p: PlanRecord, code: str) -> dict:
    return {"id": out_id(p.id), "frequency": p.frequency, "active": p.active, "subscription_plan_name": p.name,
            "cycle_type": PLAN_CYCLES.get(p.cycle, "MONTHLY"), "total_cycles": p.number_of_cycles,
            "plan_price": money_json(p.price, code), "display_order_index": p.index}


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
