"""Product interest bundles (Sales Settings): named sets of products and subscription plans, each with a
quantity, a unit price and a discount, that an opportunity can be given at once. ProductInterestBundle rows,
and their ProductInterest rows (``ObjType`` ``Bundle``, ``ObjectId`` the bundle), written through
DataService's writer so the same events fire; the interest's plan and unit price, which DataService only reads
or does not show, are written by the same writer here."""
from __future__ import annotations

from typing import NamedTuple

from server.domain.data import listing, records
from server.domain.errors import InvalidParameter
from server.store import schema
from server.store.session import AppSession

from . import products

BUNDLE = "Bundle"  # ProductInterest.ObjType of a bundle's interests
PRODUCT, PLAN = "Product", "Subscription"  # ProductInterest.ProductType


class Interest(NamedTuple):
    id: int
    bundle_id: int
    type: str  # PRODUCT or PLAN
    entity_id: int  # the product's or the plan's id
    quantity: int
    price: float | None
    discount_percent: float


class Bundle(NamedTuple):
    id: int
    name: str | None
    description: str | None
    interests: tuple[Interest, ...]


_b, _pi = schema.product_interest_bundle, schema.product_interest
FIELDS = listing.Fields({"id": _b.c.id, "name": _b.c.bundle_name}, text=frozenset({"name"}))


def _interest(r) -> Interest:
    plan = (r.product_type or "").lower().startswith("sub")
    return Interest(r.id, r.object_id, PLAN if plan else PRODUCT,
                    (r.subscription_plan_id if plan else r.product_id) or 0, int(r.qty or 1), r.price,
                    float(r.discount_percent or 0.0))


def _interests(s: AppSession, bundle_ids: list[int]) -> dict[int, list[Interest]]:
    out: dict[int, list[Interest]] = {}
    if bundle_ids:
        q = s.select(_pi).where(_pi.c.obj_type == BUNDLE, _pi.c.object_id.in_(bundle_ids)).order_by(_pi.c.id)
        for r in s.execute(q):
            out.setdefault(r.object_id, []).append(_interest(r))
    return out


def get(s: AppSession, bundle_id: int) -> Bundle | None:
    row = s.get(_b, bundle_id)
    if row is None:
        return None
    return Bundle(row.id, row.bundle_name, row.description, tuple(_interests(s, [bundle_id]).get(bundle_id, ())))


def page(s: AppSession, q: listing.ListQuery) -> listing.Page[Bundle]:
    found = listing.page(s, s.select(_b), FIELDS, q, lambda r: r)
    interests = _interests(s, [r.id for r in found.items])
    found.items = [Bundle(r.id, r.bundle_name, r.description, tuple(interests.get(r.id, ()))) for r in found.items]
    return found


def add(s: AppSession, name: str, description: str | None) -> int:
    return records.add(s, "ProductInterestBundle", {"BundleName": name, "Description": description})


def update(s: AppSession, bundle_id: int, values: dict) -> None:
    """``values`` in ProductInterestBundle's field names."""
    if values:
        records.update(s, "ProductInterestBundle", bundle_id, values)


def delete(s: AppSession, bundle_id: int) -> None:
    for interest in _interests(s, [bundle_id]).get(bundle_id, []):
        records.delete(s, "ProductInterest", interest.id)
    # DataService may not delete bundles (ProductInterestBundle's access is EAR); the domain may
    records.PLAIN.delete(s, records.table_named("ProductInterestBundle"), bundle_id)


def get_interest(s: AppSession, bundle_id: int, interest_id: int) -> Interest | None:
    row = s.get(_pi, interest_id)
    return None if row is None or row.obj_type != BUNDLE or row.object_id != bundle_id else _interest(row)


def add_interest(s: AppSession, bundle_id: int, kind: str, entity_id: int, quantity: int, price: float,
                 discount_percent: float) -> int:
    """A product (``kind`` PRODUCT) or subscription plan (PLAN) in a bundle."""
    _check(quantity, discount_percent, price)
    if kind == PLAN:
        plan = products.plan(s, entity_id)
        columns = {"product_id": plan.product_id, "subscription_plan_id": entity_id}
    else:
        products.require(s, entity_id)
        columns = {"product_id": entity_id}
    table = records.table_named("ProductInterest")
    # SubscriptionPlanId is read-only to DataService and the unit price is no DataService field
    return records.PLAIN.add(s, table, records.Values(
        {**columns, "object_id": bundle_id, "obj_type": BUNDLE, "product_type": kind, "qty": quantity,
         "discount_percent": discount_percent, "price": price}, {}, ["ObjectId", "ProductId", "Qty"]))


def update_interest(s: AppSession, interest_id: int, *, quantity: int, price: float | None,
                    discount_percent: float) -> None:
    _check(quantity, discount_percent, price)
    table = records.table_named("ProductInterest")
    records.PLAIN.update(s, table, interest_id, records.Values(
        {"qty": quantity, "discount_percent": discount_percent, "price": price}, {}, ["Qty", "DiscountPercent"]))


def delete_interest(s: AppSession, interest_id: int) -> None:
    records.delete(s, "ProductInterest", interest_id)


def _check(quantity: int, discount_percent: float, price: float | None) -> None:
    if quantity < 1:
        raise InvalidParameter(f"Invalid quantity: {quantity} (at least 1)")
    if not 0 <= discount_percent <= 100:
        raise InvalidParameter(f"Invalid discount percent: {discount_percent} (0 to 100)")
    if price is not None and price < 0:
        raise InvalidParameter(f"Invalid price: {price}")
