"""Wire forms the catalog families share (products, product categories, interest bundles, discounts).

- Money: the contract's ``CurrencyValue`` (``{"amount": 1250, "currency_code": "USD", "formatted_amount":
  "$12.50"}``), the amount in the currency's smallest unit; requests give prices in that unit too ("$12.50 is
  1250", ``CreateProductRequest.price``). The store keeps Infusionsoft's decimal amounts (``ProductPrice``
  12.5), so XML-RPC and v1 read the same price. The currency is the account's (business profile,
  ``currency_code``; USD by default).
- ``Flag``: a boolean filter field (``active==true``), and ``Mapped``, a field whose wire names stand for
  stored values (``cycle_type==YEARLY``), which the shared filter kinds lack.
- ``changed``: the properties a PATCH changes (its ``update_mask``, else those in the body).
"""
from __future__ import annotations

from server.domain.account import settings
from server.domain.data.listing import Condition
from server.domain.session import AppSession

from .errors import invalid_field
from .filters import Kind

_SYMBOLS = {"USD": "$", "CAD": "$", "AUD": "$", "NZD": "$", "EUR": "€", "GBP": "£"}


def currency(s: AppSession) -> str:
    return settings.profile(s).get("currency_code") or "USD"


def money(s: AppSession, amount: float | None) -> dict | None:
    """A decimal amount as the contract's CurrencyValue."""
    if amount is None:
        return None
    code = currency(s)
    cents = cents_of(amount)
    sign, whole = ("-" if cents < 0 else ""), abs(cents)
    symbol = _SYMBOLS.get(code)
    text = f"{whole // 100:,}.{whole % 100:02d}"
    return {"amount": cents, "currency_code": code,
            "formatted_amount": f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {code}"}


def cents_of(amount: float) -> int:
    return int(round(amount * 100))


def from_cents(value, name: str) -> float:
    """A price given in the smallest unit (at least 0) as the store's decimal amount."""
    if value < 0:
        raise invalid_field(name, "must be greater than or equal to 0")
    return round(value / 100.0, 2)


class Flag(Kind):
    """``field==true`` / ``field==false`` (any case)."""

    def parse(self, name, target, clause, clock):
        value = clause.value.strip().lower()
        if value not in ("true", "false"):
            raise invalid_field(f"filter.{name}", f"'{clause.value}' is not true or false")
        return [Condition(target, "eq", value == "true")]


class Mapped(Kind):
    """``field==NAME`` where the wire's names stand for stored values (``cycle_type==YEARLY`` is cycle "1")."""

    def __init__(self, values: dict, field: str | None = None):
        super().__init__(field)
        self.values = values

    def parse(self, name, target, clause, clock):
        key = clause.value.strip().upper()
        if key not in self.values:
            raise invalid_field(f"filter.{name}", f"'{clause.value}' is not one of {', '.join(self.values)}")
        return [Condition(target, "eq", self.values[key])]


