"""Cards on file as REST v2's payment methods: each CreditCard row but the deleted ones, paged under
conditions; and the merchant accounts they are charged through."""
from __future__ import annotations

from typing import NamedTuple

import sqlalchemy as sa

from server.domain.data import listing
from server.store import schema
from server.store.session import AppSession

from .cards import DELETED

_cc, _ma = schema.credit_card, schema.merchant_account


class CardRecord(NamedTuple):
    id: int
    contact_id: int | None
    card_type: str | None
    last4: str | None
    expiration_month: str | None
    expiration_year: str | None
    status: int


class MerchantRecord(NamedTuple):
    id: int
    name: str | None
    mode: str | None  # "test_cards": answers by card number; "misconfigured": refuses every charge
    default: bool


# every card is charged through the app's default merchant account (merchant.account(s, 0))
_DEFAULT_MERCHANT = (sa.select(_ma.c.id).where(_ma.c.app_id == _cc.c.app_id)
                     .order_by(_ma.c.is_default.desc(), _ma.c.id).limit(1).scalar_subquery())
CARD_FIELDS = listing.Fields({"id": _cc.c.id, "contact_id": _cc.c.contact_id,
                              "merchant_account_id": _DEFAULT_MERCHANT})
MERCHANT_FIELDS = listing.Fields({"id": _ma.c.id, "name": _ma.c.name, "mode": _ma.c.mode},
                                 text=frozenset({"name", "mode"}))


def _card(r) -> CardRecord:
    return CardRecord(r.id, r.contact_id, r.card_type, r.last4,
                      str(r.expiration_month) if r.expiration_month else None,
                      str(r.expiration_year) if r.expiration_year else None, r.status or 0)


def page_cards(s: AppSession, q: listing.ListQuery) -> listing.Page[CardRecord]:
    return listing.page(s, s.select(_cc).where(_cc.c.status != DELETED), CARD_FIELDS, q, _card)


def get_card(s: AppSession, card_id: int) -> CardRecord | None:
    """The card, unless it was deleted."""
    row = s.get(_cc, card_id)
    return None if row is None or row.status == DELETED else _card(row)


def page_merchants(s: AppSession, q: listing.ListQuery) -> listing.Page[MerchantRecord]:
    return listing.page(s, s.select(_ma), MERCHANT_FIELDS, q,
                        lambda r: MerchantRecord(r.id, r.name, r.mode, bool(r.is_default)))
