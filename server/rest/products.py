"""/products: list (with ``sync_token``), ``/products/sync``, create, get, patch, delete, the product image and
the product's subscription plans. Products are Product rows written through DataService's writer (so a product
made here reads the same through ``DataService.load('Product', …)`` and fires the same ``product.*`` events);
``subscription_only``, which DataService cannot write, through the domain's ``products.set_extras`` with the
same ``product.updated`` event; plans are SubscriptionPlan rows, through the domain's ``products.add_plan``.
Reads are the domain's typed records (server.domain.commerce.products, product_options)."""
from __future__ import annotations

import hashlib
from typing import Annotated, Literal

from pydantic import Field, StrictBool, WithJsonSchema

from server.domain.commerce import product_options, products
from server.domain.commerce.subscriptions import CYCLES, cycle_code
from server.domain.session import AppSession

from . import sync
from .api import Body, Int, NonNegative, Paging, Request, Shape, envelope, list_shape, page, route
from .errors import bad_request, not_found
from .wire import Base64Text, from_base64

CycleType = Literal["YEAR", "MONTH", "WEEK", "DAY"]


# --- shapes -------------------------------------------------------------------------------------------

class ProductBody(Body):
    """CreateProduct [doc S1]; PATCH takes the same body, every property optional."""

    product_name: str | None = Field(default=None, min_length=1, json_schema_extra={"type": "string"})
    product_desc: str | None = None
    product_short_desc: str | None = None
    product_price: NonNegative | None = None
    sku: str | None = None
    active: StrictBool | None = None
    subscription_only: StrictBool | None = None


class ImageBody(Body):
    file_name: Annotated[str, WithJsonSchema({"type": "string", "pattern": "(?i)[.](png|gif|jpe?g)$"})]
    file_data: Base64Text
    checksum: str | None = None  # SHA256 of the image in hex [doc S1]


class PlanBody(Body):
    """CreateProductSubscription [doc S1]."""

    cycle_type: CycleType
    plan_price: NonNegative
    frequency: Int | None = Field(default=None, ge=1)
    number_of_cycles: Int | None = Field(default=None, ge=0)
    subscription_plan_index: Int | None = None
    active: StrictBool | None = None


class PlanShape(Shape):
    id: int
    active: bool | None = None
    cycle: int | None = None
    cycle_type: str | None = None
    frequency: int | None = None
    number_of_cycles: int | None = None
    plan_price: float | None = None
    subscription_plan_index: int | None = None
    subscription_plan_name: str | None = None
    url: str | None = None


class ProductShape(Shape):
    id: int
    product_name: str | None = None
    product_desc: str | None = None
    product_short_desc: str | None = None
    product_price: float | None = None
    sku: str | None = None
    url: str | None = None
    status: int | None = None
    active: bool | None = None
    subscription_only: bool | None = None
    product_options: list[dict] = []
    subscription_plans: list[PlanShape] = []


ProductList = list_shape("ProductList", "products", ProductShape, sync_token=(str | None, None))


class ProductStatus(Shape):
    status: Literal["CREATED", "UPDATED", "DELETED"]
    product: dict


ProductStatusList = list_shape("ProductStatusList", "product_statuses", ProductStatus, sync_token=(str, ...))


class ListProducts(Paging):
    active: bool | None = None


class SyncQuery(Paging):
    sync_token: str | None = None


# --- reading ------------------------------------------------------------------------------------------

def plan_json(p: products.PlanRecord, index: int, *, single: bool) -> dict:
    out = {"id": p.id, "active": p.active}
    if single:  # ProductSubscription: cycle_type YEAR|MONTH|WEEK|DAY
        out["cycle_type"] = CYCLES.get(p.cycle, "month").upper()
    else:  # a list item's SubscriptionPlan: the cycle's code as an integer
        out["cycle"] = int(p.cycle) if p.cycle.isdigit() else None
    out.update({"frequency": p.frequency, "number_of_cycles": p.number_of_cycles, "plan_price": p.price,
                "subscription_plan_index": index, "subscription_plan_name": p.name, "url": None})
    return out


def _option_json(o: product_options.Option) -> dict:
    contain, start, end = o.contains or "", o.starts_with or "", o.ends_with or ""
    return {
        "id": o.id, "name": o.label, "label": o.label, "required": o.required,
        "type": o.type, "display_index": o.order, "min_chars": o.min_chars,
        "max_chars": o.max_chars, "allow_spaces": o.allow_spaces, "text_message": o.error_message,
        "can_contain_character": contain in ("Characters", "Both"),
        "can_contain_number": contain in ("Numbers", "Both"),
        "can_start_with_character": start in ("Characters", "Both"),
        "can_start_with_number": start in ("Numbers", "Both"),
        "can_end_with_character": end in ("Characters", "Both"), "can_end_with_number": end in ("Numbers", "Both"),
        "values": [{"id": v.id, "index": v.index, "is_default": v.is_default, "label": v.label,
                    "price_adjustment": v.price_adjustment, "sku": v.sku} for v in o.values]}


def render(s: AppSession, found: list[products.ProductRecord], *, single: bool = False) -> list[dict]:
    ids = [p.id for p in found]
    plans, options = products.plans_of(s, ids), product_options.options_of(s, ids)
    out = []
    for p in found:
        item = {"id": p.id, "product_name": p.name, "product_desc": p.description,
                "product_short_desc": p.short_description, "product_price": p.price, "sku": p.sku,
                "url": None, "status": p.status if p.status is not None else products.ACTIVE}
        if single:
            item["active"] = item["status"] == products.ACTIVE
        item.update({"subscription_only": bool(p.subscription_only),
                     "product_options": [_option_json(o) for o in options.get(p.id, [])],
                     "subscription_plans": [plan_json(plan, i, single=single)
                                            for i, plan in enumerate(plans.get(p.id, []))]})
        out.append(item)
    return out


def require(s: AppSession, product_id: int) -> products.ProductRecord:
    found = products.get(s, product_id)
    if found is None:
        raise not_found("Product")
    return found


def load(s: AppSession, product_id: int) -> dict:
    return render(s, [require(s, product_id)], single=True)[0]


# --- writing ------------------------------------------------------------------------------------------

def to_fields(body: ProductBody) -> dict:
    names = body.model_fields_set
    data = {}
    for prop, field in (("product_name", "ProductName"), ("product_desc", "Description"),
                        ("product_short_desc", "ShortDescription"), ("product_price", "ProductPrice"),
                        ("sku", "Sku")):
        if prop in names:
            data[field] = getattr(body, prop)
    if "active" in names:
        data["Status"] = products.ACTIVE if body.active else 0
    return data


def _extras(body: ProductBody) -> dict:
    """The REST-only settings the body carries (subscription-only), written by the domain with its event."""
    return {"subscription_only": bool(body.subscription_only)} if "subscription_only" in body.model_fields_set \
        else {}


# --- routes -------------------------------------------------------------------------------------------

@route("GET", "/products", summary="List products", tag="Product", query=ListProducts, response=ProductList)
def list_products(r: Request):
    q: ListProducts = r.query
    s = r.s
    token = sync.encode(s, sync.head(s))  # read first: the page below is at least as new as the token
    limit, offset = page(q)
    total, found = products.product_slice(s, q.active, limit, offset)
    return envelope(r, "products", render(s, found), total, limit, offset, path="/products",
                    carry={"active": q.active}, sync_token=token)


@route("GET", "/products/search", summary="List products (the 2015-2017 path)", tag="Product", query=ListProducts,
       response=ProductList, deprecated=True)
def search_products(r: Request):
    # older v1 clients list products here (infusionsoft-php 2015, GearPlug's infusionsoft-python) [client S6]
    return list_products(r)


@route("GET", "/products/sync", summary="Products changed since a sync token", tag="Product", query=SyncQuery,
       response=ProductStatusList, deprecated=True)
def sync_products(r: Request):
    def load_rows(ids):
        found = list(products.products_by_id(r.s, ids).values())
        return {p.id: item for p, item in zip(found, render(r.s, found))}

    return sync.answer(r, entity="product", kind="product", key="product_statuses", item_key="product",
                       path="/products/sync", load=load_rows)


@route("POST", "/products", summary="Create a product", tag="Product", body=ProductBody, response=ProductShape,
       status=201)
def create_product(r: Request):
    body: ProductBody = r.body
    if not body.product_name:
        raise bad_request("product_name is required")  # [doc S1]
    data = to_fields(body)
    data.setdefault("Status", products.ACTIVE)
    return load(r.s, products.add(r.s, data, _extras(body)))


@route("GET", "/products/{productId}", summary="Get a product", tag="Product", response=ProductShape)
def get_product(r: Request, productId: int):
    return load(r.s, productId)


@route("PATCH", "/products/{productId}", summary="Update a product", tag="Product", body=ProductBody,
       response=ProductShape)
def patch_product(r: Request, productId: int):
    require(r.s, productId)
    body: ProductBody = r.body
    if "product_name" in body.model_fields_set and not body.product_name:
        raise bad_request("product_name is required")
    products.update(r.s, productId, to_fields(body), _extras(body))
    return load(r.s, productId)


@route("DELETE", "/products/{productId}", summary="Delete a product", tag="Product", status=204)
def delete_product(r: Request, productId: int):
    require(r.s, productId)
    products.delete(r.s, productId)


@route("POST", "/products/{productId}/image", summary="Upload the product's image", tag="Product",
       body=ImageBody, status=201)
def create_product_image(r: Request, productId: int):
    require(r.s, productId)
    body: ImageBody = r.body
    try:
        data = from_base64(body.file_data, "file_data")
    except ValueError as exc:
        raise bad_request(str(exc)) from None
    if body.checksum and hashlib.sha256(data).hexdigest().lower() != body.checksum.strip().lower():
        raise bad_request("The checksum does not match the file data")
    products.set_image(r.s, productId, body.file_name, data)


@route("DELETE", "/products/{productId}/image", summary="Delete the product's image", tag="Product", status=204)
def delete_product_image(r: Request, productId: int):
    require(r.s, productId)
    products.clear_image(r.s, productId)


def _plan(s: AppSession, product_id: int, plan_id: int) -> tuple[products.PlanRecord, int]:
    """The product's plan and its index among the product's plans."""
    plans = products.plans_of(s, [product_id]).get(product_id, [])
    for index, plan in enumerate(plans):
        if plan.id == plan_id:
            return plan, index
    raise not_found("ProductSubscription")


@route("POST", "/products/{productId}/subscriptions", summary="Create a product subscription plan",
       tag="Product", body=PlanBody, response=PlanShape, status=201)
def create_product_subscription(r: Request, productId: int):
    require(r.s, productId)
    body: PlanBody = r.body
    data = {"Cycle": cycle_code(body.cycle_type), "Frequency": body.frequency or 1, "PlanPrice": body.plan_price,
            "Active": True if body.active is None else body.active}
    # NumberOfCycles is read-only through DataService (added after 2014): a plan setting of the domain
    extras = {"number_of_cycles": body.number_of_cycles} if body.number_of_cycles is not None else {}
    plan_id = products.add_plan(r.s, productId, data, extras)
    return plan_json(*_plan(r.s, productId, plan_id), single=True)


@route("GET", "/products/{productId}/subscriptions/{subscriptionId}", summary="Get a product subscription plan",
       tag="Product", response=PlanShape)
def get_product_subscription(r: Request, productId: int, subscriptionId: int):
    require(r.s, productId)
    return plan_json(*_plan(r.s, productId, subscriptionId), single=True)


@route("DELETE", "/products/{productId}/subscriptions/{subscriptionId}",
       summary="Delete a product subscription plan", tag="Product", status=204)
def delete_product_subscription(r: Request, productId: int, subscriptionId: int):
    require(r.s, productId)
    _plan(r.s, productId, subscriptionId)
    products.delete_plan(r.s, subscriptionId)
