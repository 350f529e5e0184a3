"""Products, their categories, and inventory (ProductService).

Inventory is a count the API shows only through ProductService (``getInventory``); a product whose count was
never set does not track inventory (``getInventory`` answers 0). Orders take a tracked product's count down by
the quantity sold, and may take it below zero (an oversold product); ``Product.InventoryLimit`` is the level
at or below which each decrease warns ``InventoryNotifiee`` (the event ``product.inventory_low``).
"""
from __future__ import annotations

import sqlalchemy as sa

from server.domain.errors import InvalidParameter, not_found
from server.store import schema
from server.store.session import AppSession
from server.tables import INT_MAX, INT_MIN


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


def set_image(s: AppSession, product_id: int, file_name: str, data: bytes) -> None:
    """The product's image (Product.LargeImage)."""
    require(s, product_id)
    extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if extension not in IMAGE_TYPES:
        raise InvalidParameter(f"Invalid file type: {file_name} (png, gif, jpg or jpeg)")
    if not data:
        raise InvalidParameter("The image is empty")
    if len(data) > MAX_IMAGE_BYTES:
        raise InvalidParameter(f"The image is too large: {len(data)} bytes; the limit is {MAX_IMAGE_BYTES} bytes")
    p = schema.product
    s.update(p, p.c.id == product_id, large_image=data, last_updated=s.now_local())
    s.emit("product.updated", "product", product_id, fields=["LargeImage"])


def clear_image(s: AppSession, product_id: int) -> None:
    require(s, product_id)
    p = schema.product
    s.update(p, p.c.id == product_id, large_image=None, last_updated=s.now_local())
    s.emit("product.updated", "product", product_id, fields=["LargeImage"])
