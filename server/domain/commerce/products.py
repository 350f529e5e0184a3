"""Products, their categories, and inventory (ProductService).

Inventory is a count the API shows only through ProductService (``getInventory``); a product whose count was
never set does not track inventory (``getInventory`` answers 0). Orders take a tracked product's count down by
the quantity sold, and may take it below zero (an oversold product); ``Product.InventoryLimit`` is the level
at or below which each decrease warns ``InventoryNotifiee`` (the event ``product.inventory_low``).
"""
from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa

from server.domain.data import listing, records
from server.domain.errors import InvalidParameter, not_found
from server.store import schema
from server.store.session import AppSession
from server.tables import INT_MAX, INT_MIN

ACTIVE = 1  # Product.Status of a product on sale


def require(s: AppSession, product_id: int):
    row = s.get(schema.product, product_id)
    if row is None:
        raise not_found("Product", product_id)
    return row


def inventory(s: AppSession, product_id: int) -> int:
    return int(require(s, product_id).inventory or 0)


def change_inventory(s: AppSession, product_id: int, delta: int, *, reason: str = "api") -> bool:
    """Move a product's inventory by ``delta`` (one atomic UPDATE, so concurrent orders never lose a count)."""
    p = schema.product
    before = require(s, product_id)
    moved = sa.cast(sa.func.coalesce(p.c.inventory, 0), sa.BigInteger) + delta  # no overflow while comparing
    done = s.update(p, p.c.id == product_id, moved.between(INT_MIN, INT_MAX), inventory=moved,
                    last_updated=s.now_local())
    if done.rowcount == 0:  # the count would leave the 32-bit range the store and the wire carry
        raise InvalidParameter(f"Invalid inventory change: {delta} would put product {product_id}'s inventory "
                               f"out of range ({INT_MIN} to {INT_MAX})")
    after = int(s.get(p, product_id, p.c.inventory).inventory)
    s.emit("product.updated", "product", product_id, fields=["inventory"], inventory=after, change=delta,
           reason=reason)
    limit = before.inventory_limit
    if limit is not None and delta < 0 and after <= limit:
        s.emit("product.inventory_low", "product", product_id, inventory=after, limit=limit,
               notify=before.inventory_notifiee)
    return True


def quantity(value: int, what: str = "quantity") -> int:
    if value < 1:
        raise InvalidParameter(f"Invalid {what}: {value} (at least 1)")
    return value


def sold(s: AppSession, product_id: int, qty: int) -> None:
    """An order took ``qty`` of a product: its inventory goes down when it is tracked."""
    row = s.get(schema.product, product_id, schema.product.c.inventory)
    if row is not None and row.inventory is not None:
        change_inventory(s, product_id, -qty, reason="order")


def category_ids(s: AppSession, product_ids: list[int]) -> list[int]:
    if not product_ids:
        return []
    a = schema.product_category_assign
    q = s.select(a, a.c.product_category_id).where(a.c.product_id.in_(product_ids)).distinct()
    return sorted({r.product_category_id for r in s.execute(q) if r.product_category_id})


def plan(s: AppSession, plan_id: int):
    row = s.get(schema.subscription_plan, plan_id)
    if row is None:
        raise not_found("SubscriptionPlan", plan_id)
    return row


def plan_name(s: AppSession, plan) -> str:
    if plan.program_name:
        return plan.program_name
    product = s.get(schema.product, plan.product_id, schema.product.c.product_name) if plan.product_id else None
    return product.product_name if product and product.product_name else f"Subscription plan {plan.id}"


# --- what the REST API adds: deleting products and plans, the product image -------------------------------

def delete(s: AppSession, product_id: int) -> None:
    """Delete a product with its subscription plans, options, category assignments and interests (REST
    ``DELETE /products/{id}``; DataService cannot delete products). Past orders keep their lines."""
    require(s, product_id)
    po, pov = schema.product_option, schema.product_opt_value
    option_ids = [r.id for r in s.execute(s.select(po, po.c.id).where(po.c.product_id == product_id))]
    if option_ids:
        s.delete(pov, pov.c.product_option_id.in_(option_ids))
        s.delete(po, po.c.id.in_(option_ids))
    pca, pi, sp = schema.product_category_assign, schema.product_interest, schema.subscription_plan
    s.delete(pca, pca.c.product_id == product_id)
    s.delete(pi, pi.c.product_id == product_id)
    for plan_id in [r.id for r in s.execute(s.select(sp, sp.c.id).where(sp.c.product_id == product_id))]:
        delete_plan(s, plan_id)
    s.delete(schema.product, schema.product.c.id == product_id)
    s.emit("product.deleted", "product", product_id)


def delete_plan(s: AppSession, plan_id: int) -> None:
    """Delete a subscription plan; subscriptions already made from it keep their own terms."""
    row = plan(s, plan_id)
    s.delete(schema.subscription_plan, schema.subscription_plan.c.id == plan_id)
    s.emit("subscription_plan.deleted", "subscription_plan", plan_id, product_id=row.product_id)
    if row.product_id:
        s.emit("product.updated", "product", row.product_id, fields=["subscription_plans"])


IMAGE_TYPES = {"png", "gif", "jpg", "jpeg"}
MAX_IMAGE_BYTES = 3 * 1024 * 1024  # "file_data (base64, at most 3 MB)" [doc S1]


def check_image(file_name: str, data: bytes) -> None:
    """An image the API takes: png, gif or jpeg by its name, not empty, at most MAX_IMAGE_BYTES."""
    extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if extension not in IMAGE_TYPES:
        raise InvalidParameter(f"Invalid file type: {file_name} (png, gif, jpg or jpeg)")
    if not data:
        raise InvalidParameter("The image is empty")
    if len(data) > MAX_IMAGE_BYTES:
        raise InvalidParameter(f"The image is too large: {len(data)} bytes; the limit is {MAX_IMAGE_BYTES} bytes")


def set_image(s: AppSession, product_id: int, file_name: str, data: bytes) -> None:
    """The product's image (Product.LargeImage)."""
    require(s, product_id)
    check_image(file_name, data)
    p = schema.product
    s.update(p, p.c.id == product_id, large_image=data, last_updated=s.now_local())
    s.emit("product.updated", "product", product_id, fields=["LargeImage"])


def clear_image(s: AppSession, product_id: int) -> None:
    require(s, product_id)
    p = schema.product
    s.update(p, p.c.id == product_id, large_image=None, last_updated=s.now_local())
    s.emit("product.updated", "product", product_id, fields=["LargeImage"])


# --- settings only REST shows (not DataService fields) ------------------------------------------------------

EXTRAS = frozenset({"subscription_only", "out_of_stock_enabled", "delivery_description", "inventory"})


def set_extras(s: AppSession, product_id: int, values: dict) -> None:
    """Write a product's REST-only settings (``EXTRAS``: subscription-only, out-of-stock selling, the delivery
    description, the inventory count) with the same ``product.updated`` event a DataService write fires, so
    REST hooks (``product.edit``), the change log and sync tokens see them."""
    unknown = set(values) - EXTRAS
    if unknown:
        raise InvalidParameter(f"Not a product setting: {', '.join(sorted(unknown))}")
    require(s, product_id)
    if not values:
        return
    p = schema.product
    s.update(p, p.c.id == product_id, **values, last_updated=s.now_local())
    s.emit("product.updated", "product", product_id, fields=sorted(values))


# --- typed reads (REST v1 and v2) -----------------------------------------------------------------------

class ProductRecord(NamedTuple):
    id: int
    name: str | None
    price: float | None
    sku: str | None
    short_description: str | None
    description: str | None
    status: int | None  # 1: on sale
    taxable: int | None
    country_taxable: int | None
    state_taxable: int | None
    city_taxable: int | None
    weight: float | None
    is_package: int | None
    needs_digital_delivery: int | None
    hide_in_store: int | None
    top_html: str | None
    bottom_html: str | None
    shippable: int | None
    inventory: int | None  # None: not tracked
    inventory_limit: int | None
    inventory_notifiee: str | None
    subscription_only: bool | None
    out_of_stock_enabled: bool | None
    delivery_description: str | None
    has_image: bool
    created: datetime | None
    updated: datetime | None


class PlanRecord(NamedTuple):
    id: int
    product_id: int | None
    name: str  # the plan's own name, else its product's
    price: float
    cycle: str  # Infusionsoft's code: 1 year, 2 month, 3 week, 6 day
    frequency: int
    number_of_cycles: int
    active: bool
    prorate: bool
    display_order: int | None


_p, _sp = schema.product, schema.subscription_plan
_PRODUCT_COLUMNS = [c for c in _p.c if c.name not in ("app_id", "large_image")]
PRODUCT_FIELDS = listing.Fields({"id": _p.c.id, "name": _p.c.product_name, "sku": _p.c.sku,
                                 "description": _p.c.description, "short_description": _p.c.short_description,
                                 "status": sa.func.coalesce(_p.c.status, ACTIVE), "update_time": _p.c.last_updated},
                                text=frozenset({"name", "sku", "description", "short_description"}))
PLAN_FIELDS = listing.Fields({"id": _sp.c.id, "product_id": _sp.c.product_id, "cycle": _sp.c.cycle,
                              "active": sa.func.coalesce(_sp.c.active, sa.true())})


def _product_select(s: AppSession) -> sa.Select:
    return s.select(_p, *_PRODUCT_COLUMNS, _p.c.large_image.is_not(None).label("has_image"))


def _product_record(r) -> ProductRecord:
    return ProductRecord(r.id, r.product_name, r.product_price, r.sku, r.short_description, r.description,
                         r.status, r.taxable, r.country_taxable, r.state_taxable, r.city_taxable, r.weight,
                         r.is_package, r.needs_digital_delivery, r.hide_in_store, r.top_html, r.bottom_html,
                         r.shippable, r.inventory, r.inventory_limit, r.inventory_notifiee, r.subscription_only,
                         r.out_of_stock_enabled, r.delivery_description, bool(r.has_image), r.date_created,
                         r.last_updated)


def get(s: AppSession, product_id: int) -> ProductRecord | None:
    row = s.execute(_product_select(s).where(_p.c.id == product_id)).first()
    return None if row is None else _product_record(row)


def page_products(s: AppSession, q: listing.ListQuery) -> listing.Page[ProductRecord]:
    return listing.page(s, _product_select(s), PRODUCT_FIELDS, q, _product_record)


def _active_where(active: bool | None) -> list:
    status = sa.func.coalesce(_p.c.status, ACTIVE)
    return [] if active is None else [status == ACTIVE if active else status != ACTIVE]


def product_slice(s: AppSession, active: bool | None, limit: int, offset: int) -> tuple[int, list[ProductRecord]]:
    """REST v1's offset page: the count of products (on sale, or not, when ``active`` is given) and a slice."""
    where = _active_where(active)
    total = s.execute(s.select(_p, sa.func.count()).where(*where)).scalar_one()
    rows = s.execute(_product_select(s).where(*where).order_by(_p.c.id).limit(limit).offset(offset)).all()
    return total, [_product_record(r) for r in rows]


def products_by_id(s: AppSession, product_ids) -> dict[int, ProductRecord]:
    ids = list(product_ids)
    if not ids:
        return {}
    return {r.id: _product_record(r) for r in s.execute(_product_select(s).where(_p.c.id.in_(ids)))}


def image(s: AppSession, product_id: int) -> bytes | None:
    row = s.get(_p, product_id, _p.c.large_image)
    return None if row is None else row.large_image


def _plan_record(s: AppSession, r) -> PlanRecord:
    return PlanRecord(r.id, r.product_id, plan_name(s, r), float(r.plan_price or 0.0), str(r.cycle or "2"),
                      int(r.frequency or 1), int(r.number_of_cycles or 0),
                      True if r.active is None else bool(r.active), bool(r.prorate), r.display_order)


def plans_of(s: AppSession, product_ids) -> dict[int, list[PlanRecord]]:
    """Each product's subscription plans, in display order (then id)."""
    ids = list(product_ids)
    out: dict[int, list[PlanRecord]] = {}
    if ids:
        q = s.select(_sp).where(_sp.c.product_id.in_(ids)).order_by(sa.func.coalesce(_sp.c.display_order, 0),
                                                                      _sp.c.id)
        for row in s.execute(q):
            out.setdefault(row.product_id, []).append(_plan_record(s, row))
    return out


def plans_by_id(s: AppSession, plan_ids) -> dict[int, PlanRecord]:
    """The subscription plans ``plan_ids`` names (the ones that exist)."""
    ids = sorted({i for i in plan_ids if i})
    if not ids:
        return {}
    return {row.id: _plan_record(s, row) for row in s.execute(s.select(_sp).where(_sp.c.id.in_(ids)))}


def get_plan(s: AppSession, product_id: int, plan_id: int) -> PlanRecord | None:
    row = s.get(_sp, plan_id)
    return None if row is None or row.product_id != product_id else _plan_record(s, row)


def page_plans(s: AppSession, product_id: int, q: listing.ListQuery) -> listing.Page[PlanRecord]:
    return listing.page(s, s.select(_sp).where(_sp.c.product_id == product_id), PLAN_FIELDS, q,
                        lambda r: _plan_record(s, r))


PLAN_EXTRAS = frozenset({"number_of_cycles", "display_order"})


def add_plan(s: AppSession, product_id: int, values: dict, extras: dict) -> int:
    """A subscription plan of a product: the SubscriptionPlan row DataService writes (``values`` in its field
    names), then the plan settings it cannot write (``PLAN_EXTRAS``), with the product's ``product.updated``."""
    require(s, product_id)
    plan_id = records.add(s, "SubscriptionPlan", {**values, "ProductId": product_id})
    _plan_extras(s, plan_id, extras)
    s.emit("product.updated", "product", product_id, fields=["subscription_plans"])
    return plan_id


def update_plan(s: AppSession, product_id: int, plan_id: int, values: dict, extras: dict) -> None:
    if values:
        records.update(s, "SubscriptionPlan", plan_id, values)
    _plan_extras(s, plan_id, extras)
    s.emit("product.updated", "product", product_id, fields=["subscription_plans"])


def _plan_extras(s: AppSession, plan_id: int, extras: dict) -> None:
    unknown = set(extras) - PLAN_EXTRAS
    if unknown:
        raise InvalidParameter(f"Not a plan setting: {', '.join(sorted(unknown))}")
    if extras:
        s.update(_sp, _sp.c.id == plan_id, **extras)


def add(s: AppSession, values: dict, extras: dict) -> int:
    """A product: the Product row DataService writes (``values`` in its field names), then its REST-only
    settings (``set_extras``)."""
    product_id = records.add(s, "Product", values)
    if extras:
        set_extras(s, product_id, extras)
    return product_id


def update(s: AppSession, product_id: int, values: dict, extras: dict) -> None:
    if values:
        records.update(s, "Product", product_id, values)
    if extras:
        set_extras(s, product_id, extras)
