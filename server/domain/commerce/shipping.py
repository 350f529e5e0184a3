"""Shipping options (ShippingService, InvoiceService.getAllShippingOptions).

Options are data: a type (``Flat``, ``Quantity``, ``Weight``, ``Total`` (order total), ``Product``, ``UPS``),
the common flags, the type's own settings and, for order-total and weight options, price ranges. The
service answers every value as a string, as the vendor samples show (``"1"``, ``"0.0"``, ``"false"``).
"""
from __future__ import annotations

from server.domain.errors import InvalidParameter, not_found
from server.store import schema
from server.store.session import AppSession

TYPES = ("Flat", "Quantity", "Weight", "Total", "Product", "UPS")

# The type-specific keys each get* method answers (vendor samples; Weight's are the sandbox's own).
TYPE_KEYS = {
    "Flat": ("price",),
    "Quantity": ("baseShippingPrice", "pricePerItem", "minimumShippingPrice"),
    "Weight": ("baseShippingPrice", "pricePerPound", "minimumShippingPrice"),
    "Total": (),
    "Product": (),
    "UPS": ("deliveryType", "pickupType", "packagingType", "destinationType", "accountNumber",
            "accessLicenseNumber", "accessUserId", "accessPassword"),
}


def text(value) -> str:
    """A value as the service writes it (Java's toString: ``true``, ``6.95``, ``1``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return "" if value is None else str(value)


def add(s: AppSession, name: str, type_: str, *, description: str = "", active: bool = True,
        international: bool = False, order_based: bool = False, settings: dict | None = None,
        ranges: list | None = None) -> int:
    if type_ not in TYPES:
        raise InvalidParameter(f"Invalid shipping option type: {type_} ({', '.join(TYPES)})")
    option_id = s.next_id("shipping_option")
    s.insert(schema.shipping_option, dict(id=option_id, name=name, description=description, type=type_,
                                          active=active, international=international, order_based=order_based,
                                          settings=settings or {}, ranges=ranges or []))
    return option_id


def _common(row) -> dict:
    return {"id": text(row.id), "name": row.name, "description": row.description or "", "type": row.type,
            "active": text(bool(row.active)), "international": text(bool(row.international)),
            "orderBased": text(bool(row.order_based))}


def all_options(s: AppSession) -> list[dict]:
    so = schema.shipping_option
    return [_common(r) for r in s.execute(s.select(so).order_by(so.c.id))]


def option(s: AppSession, option_id: int, type_: str) -> dict:
    row = s.get(schema.shipping_option, option_id)
    if row is None or row.type != type_:
        raise not_found(f"{type_} shipping option", option_id)
    if type_ == "Product":  # product-based options answer only id, name and description (vendor sample)
        return {"id": text(row.id), "name": row.name, "description": row.description or ""}
    out = _common(row)
    settings = row.settings or {}
    for key in TYPE_KEYS[type_]:
        out[key] = text(settings.get(key))
    return out


def ranges(s: AppSession, option_id: int, type_: str) -> list[dict]:
    """Price ranges of an order-total or weight-based option: ``{id, min, max, price}`` as strings."""
    row = s.get(schema.shipping_option, option_id)
    if row is None or row.type != type_:
        raise not_found(f"{type_} shipping option", option_id)
    return [{"id": text(n + 1), "min": text(r.get("min")), "max": text(r.get("max")), "price": text(r.get("price"))}
            for n, r in enumerate(row.ranges or [])]


def product_prices(s: AppSession, option_id: int) -> list[dict]:
    """What shipping each product costs under a product-based option: ``{productId, price}``."""
    row = s.get(schema.shipping_option, option_id)
    if row is None or row.type != "Product":
        raise not_found("Product shipping option", option_id)
    return [{"productId": text(p.get("productId")), "price": text(p.get("price"))}
            for p in (row.settings or {}).get("products", [])]
