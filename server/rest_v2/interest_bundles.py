"""Product interest bundles: list, get, create, update, delete, and the products and subscription plans in a
bundle (the contract's ``Product Interest Bundles``).

Bundles are the API's ProductInterestBundle rows and their interests ProductInterest rows (``ObjType``
``Bundle``), written through the domain's writer (server.domain.commerce.interest_bundles), so XML-RPC's
DataService reads the same rows. An interest's ``price`` is per unit in the currency's smallest unit, like every
v2 price (catalog_wire); ``interest_id`` is the product's or the plan's id; quantity defaults to 1 and the
discount to 0 (the contract).
"""
from __future__ import annotations

from server.domain.commerce import interest_bundles as domain
from server.domain.session import AppSession

from .api import Request, operation
from .catalog_wire import from_cents, money
from .errors import existing, invalid_field
from .filters import Text
from .paging import Listing
from .wire import in_id, out_id

BUNDLES = Listing(filters={"name": Text()}, order_by={"name": "name"})
KINDS = {"PRODUCT": domain.PRODUCT, "SUBSCRIPTION_PLAN": domain.PLAN}
KIND_NAMES = {v: k for k, v in KINDS.items()}
INTEREST_PROPERTIES = ("quantity", "price", "discount_percent")


def interest_json(s: AppSession, i: domain.Interest) -> dict:
    return {"id": out_id(i.id), "type": KIND_NAMES[i.type], "quantity": i.quantity, "price": money(s, i.price),
            "interest_id": out_id(i.entity_id), "discount_percent": int(round(i.discount_percent))}


def bundle_json(s: AppSession, b: domain.Bundle) -> dict:
    return {"id": out_id(b.id), "name": b.name, "description": b.description or "",
            "product_interests": [interest_json(s, i) for i in b.interests if i.type == domain.PRODUCT],
            "subscription_plan_interests": [interest_json(s, i) for i in b.interests if i.type == domain.PLAN]}


def _bundle(s: AppSession, bundle_id: int) -> domain.Bundle:
    return existing(domain.get(s, bundle_id), "Product Interest Bundle", bundle_id)


def _name(body: dict) -> str:
    name = (body.get("name") or "").strip()
    if not name:
        raise invalid_field("name", "a name is required")
    return name


@operation("listProductInterestBundles")
def list_product_interest_bundles(r: Request) -> dict:
    page = domain.page(r.s, r.list_query(BUNDLES))
    return r.page("product_interest_bundles", [bundle_json(r.s, b) for b in page.items], page)


@operation("createProductInterestBundle")
def create_product_interest_bundle(r: Request) -> dict:
    bundle_id = domain.add(r.s, _name(r.body), r.body.get("description"))
    return bundle_json(r.s, _bundle(r.s, bundle_id))


@operation("getProductInterestBundle")
def get_product_interest_bundle(r: Request, id: int) -> dict:  # noqa: A002 - the contract's path parameter
    return bundle_json(r.s, _bundle(r.s, id))


@operation("updateProductInterestBundle")
def update_product_interest_bundle(r: Request, id: int) -> dict:  # noqa: A002
    _bundle(r.s, id)
    props = r.changed(("name", "description"))
    values = {}
    if "name" in props:
        values["BundleName"] = _name(r.body)
    if "description" in props:
        values["Description"] = r.body.get("description")
    domain.update(r.s, id, values)
    return bundle_json(r.s, _bundle(r.s, id))


@operation("deleteProductInterestBundle")
def delete_product_interest_bundle(r: Request, id: int) -> None:  # noqa: A002
    _bundle(r.s, id)
    domain.delete(r.s, id)


def _quantity(value) -> int:
    if value is not None and value < 1:
        raise invalid_field("quantity", "must be at least 1")
    return 1 if value is None else value


def _discount(value) -> int:
    if value is not None and not 0 <= value <= 100:
        raise invalid_field("discount_percent", "must be from 0 to 100")
    return value or 0


@operation("addProductInterest")
def add_product_interest(r: Request, id: int) -> dict:  # noqa: A002
    _bundle(r.s, id)
    body = r.body
    kind = KINDS[body["type"]]
    entity_id = in_id(body["entity_id"], "entity_id")
    interest_id = domain.add_interest(r.s, id, kind, entity_id, _quantity(body.get("quantity")),
                                      from_cents(body["price"], "price"), _discount(body.get("discount_percent")))
    return interest_json(r.s, domain.get_interest(r.s, id, interest_id))


def _interest(s: AppSession, bundle_id: int, interest_id: int) -> domain.Interest:
    _bundle(s, bundle_id)
    return existing(domain.get_interest(s, bundle_id, interest_id), "Product Interest", interest_id)


@operation("updateProductInterest")
def update_product_interest(r: Request, id: int, interest_id: int) -> dict:  # noqa: A002
    before = _interest(r.s, id, interest_id)
    props, body = r.changed(INTEREST_PROPERTIES), r.body
    price = body.get("price") if "price" in props else None
    domain.update_interest(
        r.s, interest_id,
        quantity=_quantity(body.get("quantity")) if "quantity" in props else before.quantity,
        price=(from_cents(price, "price") if price is not None else None) if "price" in props else before.price,
        discount_percent=_discount(body.get("discount_percent")) if "discount_percent" in props
        else before.discount_percent)
    return interest_json(r.s, domain.get_interest(r.s, id, interest_id))


@operation("removeProductInterest")
def remove_product_interest(r: Request, id: int, interest_id: int) -> None:  # noqa: A002
    _interest(r.s, id, interest_id)
    domain.delete_interest(r.s, interest_id)
