"""/products: list (with ``sync_token``), ``/products/sync``, create, get, patch, delete, the product image and
the product's subscription plans. Products are Product rows written through DataService's writer (so a product
made here reads the same through ``DataService.load('Product', …)`` and fires the same ``product.*`` events);
plans are SubscriptionPlan rows, through the plan writer."""
from __future__ import annotations

from typing import Literal

import sqlalchemy as sa
from pydantic import Field

from server.domain.commerce import products as domain
from server.domain.commerce.subscriptions import CYCLES, cycle_code
from server.domain.data import records
from server.domain.session import AppSession
from server.store import schema

from . import sync
from .api import Body, Int, Paging, Request, Shape, envelope, page, route
from .errors import bad_request, not_found
from .wire import from_base64

P, SP = schema.product, schema.subscription_plan
ACTIVE = 1  # Product.Status of a product on sale

CycleType = Literal["YEAR", "MONTH", "WEEK", "DAY"]


# --- shapes -------------------------------------------------------------------------------------------

class ProductBody(Body):
    """CreateProduct [doc S1]; PATCH takes the same body, every property optional."""

    product_name: str | None = Field(default=None, min_length=1)
    product_desc: str | None = None
    product_short_desc: str | None = None
    product_price: float | None = Field(default=None, ge=0)
    sku: str | None = None
    active: bool | None = None
    subscription_only: bool | None = None


class ImageBody(Body):
    file_name: str = Field(min_length=1)
    file_data: str
    checksum: str | None = None  # SHA256 of the image in hex [doc S1]


class PlanBody(Body):
    """CreateProductSubscription [doc S1]."""

    cycle_type: CycleType
    plan_price: float = Field(ge=0)
    frequency: Int | None = Field(default=None, ge=1)
    number_of_cycles: Int | None = Field(default=None, ge=0)
    subscription_plan_index: Int | None = None
    active: bool | None = None


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


class ProductList(Shape):
    products: list[ProductShape]
    count: int
    next: str | None = None
    previous: str | None = None
    sync_token: str | None = None


class ProductStatus(Shape):
    status: Literal["CREATED", "UPDATED", "DELETED"]
    product: dict


class ProductStatusList(Shape):
    product_statuses: list[ProductStatus]
    count: int
    next: str | None = None
    previous: str | None = None
    sync_token: str


class ListProducts(Paging):
    active: bool | None = None


class SyncQuery(Paging):
    sync_token: str | None = None


# --- reading ------------------------------------------------------------------------------------------

def plan_json(s: AppSession, row, index: int, *, single: bool) -> dict:
    out = {"id": row.id, "active": bool(row.active) if row.active is not None else True}
    code = str(row.cycle or "2")
    if single:  # ProductSubscription: cycle_type YEAR|MONTH|WEEK|DAY
        out["cycle_type"] = CYCLES.get(code, "month").upper()
    else:  # a list item's SubscriptionPlan: the cycle's code as an integer
        out["cycle"] = int(code) if code.isdigit() else None
    out.update({"frequency": row.frequency or 1, "number_of_cycles": row.number_of_cycles or 0,
                "plan_price": float(row.plan_price or 0.0), "subscription_plan_index": index,
                "subscription_plan_name": domain.plan_name(s, row), "url": None})
    return out


def _plans(s: AppSession, product_ids: list[int]) -> dict[int, list]:
    out: dict[int, list] = {}
    if product_ids:
        for row in s.execute(s.select(SP).where(SP.c.product_id.in_(product_ids)).order_by(SP.c.id)):
            out.setdefault(row.product_id, []).append(row)
    return out


def _options(s: AppSession, product_ids: list[int]) -> dict[int, list[dict]]:
    po, pov = schema.product_option, schema.product_opt_value
    out: dict[int, list[dict]] = {}
    if not product_ids:
        return out
    options = s.execute(s.select(po).where(po.c.product_id.in_(product_ids))
                        .order_by(po.c.option_order, po.c.id)).all()
    values: dict[int, list[dict]] = {}
    if options:
        for v in s.execute(s.select(pov).where(pov.c.product_option_id.in_([o.id for o in options]))
                           .order_by(pov.c.option_index, pov.c.id)):
            values.setdefault(v.product_option_id, []).append({
                "id": v.id, "index": v.option_index or 0, "is_default": bool(v.is_default), "label": v.label,
                "price_adjustment": float(v.price_adjustment or 0.0), "sku": v.sku})
    for o in options:
        contain = (o.can_contain or "").lower()
        start = (o.can_start_with or "").lower()
        out.setdefault(o.product_id, []).append({
            "id": o.id, "name": o.name, "label": o.label, "required": bool(o.is_required),
            "type": o.option_type, "display_index": o.option_order or 0, "min_chars": o.min_chars,
            "max_chars": o.max_chars, "allow_spaces": bool(o.allow_spaces), "text_message": o.text_message,
            "can_contain_character": "char" in contain or contain == "both",
            "can_contain_number": "num" in contain or contain == "both",
            "can_start_with_character": "char" in start or start == "both",
            "can_start_with_number": "num" in start or start == "both",
            "can_end_with_character": bool(o.can_end_with), "can_end_with_number": bool(o.can_end_with),
            "values": values.get(o.id, [])})
    return out


def render(s: AppSession, rows, *, single: bool = False) -> list[dict]:
    ids = [r.id for r in rows]
    plans, options = _plans(s, ids), _options(s, ids)
    out = []
    for r in rows:
        item = {"id": r.id, "product_name": r.product_name, "product_desc": r.description,
                "product_short_desc": r.short_description,
                "product_price": float(r.product_price) if r.product_price is not None else None, "sku": r.sku,
                "url": None, "status": r.status if r.status is not None else ACTIVE}
        if single:
            item["active"] = item["status"] == ACTIVE
        item.update({"subscription_only": bool(r.subscription_only),
                     "product_options": options.get(r.id, []),
                     "subscription_plans": [plan_json(s, p, i, single=single)
                                            for i, p in enumerate(plans.get(r.id, []))]})
        out.append(item)
    return out


def require(s: AppSession, product_id: int):
    row = s.get(P, product_id)
    if row is None:
        raise not_found("Product")
    return row


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
        data["Status"] = ACTIVE if body.active else 0
    return data


def _subscription_only(s: AppSession, product_id: int, body: ProductBody) -> None:
    if "subscription_only" in body.model_fields_set:
        s.update(P, P.c.id == product_id, subscription_only=bool(body.subscription_only))


# --- routes -------------------------------------------------------------------------------------------

@route("GET", "/products", summary="List products", tag="Product", query=ListProducts, response=ProductList)
def list_products(r: Request):
    q: ListProducts = r.query
    s = r.s
    token = sync.encode(s, sync.head(s))  # read first: the page below is at least as new as the token
    limit, offset = page(q)
    where = []
    if q.active is not None:
        status = sa.func.coalesce(P.c.status, ACTIVE)
        where.append(status == ACTIVE if q.active else status != ACTIVE)
    total = s.execute(s.select(P, sa.func.count()).where(*where)).scalar_one()
    rows = s.execute(s.select(P).where(*where).order_by(P.c.id).limit(limit).offset(offset)).all()
    return envelope(r, "products", render(s, rows), total, limit, offset, path="/products",
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
        if not ids:
            return {}
        rows = r.s.execute(r.s.select(P).where(P.c.id.in_(ids))).all()
        return {row.id: item for row, item in zip(rows, render(r.s, rows))}

    return sync.answer(r, entity="product", kind="product", key="product_statuses", item_key="product",
                       path="/products/sync", load=load_rows)


@route("POST", "/products", summary="Create a product", tag="Product", body=ProductBody, response=ProductShape,
       status=201)
def create_product(r: Request):
    body: ProductBody = r.body
    if not body.product_name:
        raise bad_request("product_name is required")  # [doc S1]
    data = to_fields(body)
    data.setdefault("Status", ACTIVE)
    product_id = records.add(r.s, "Product", data)
    _subscription_only(r.s, product_id, body)
    return load(r.s, product_id)


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
    data = to_fields(body)
    if data:
        records.update(r.s, "Product", productId, data)
    _subscription_only(r.s, productId, body)
    return load(r.s, productId)


@route("DELETE", "/products/{productId}", summary="Delete a product", tag="Product", status=204)
def delete_product(r: Request, productId: int):
    require(r.s, productId)
    domain.delete(r.s, productId)


@route("POST", "/products/{productId}/image", summary="Upload the product's image", tag="Product",
       body=ImageBody, status=201)
def create_product_image(r: Request, productId: int):
    require(r.s, productId)
    body: ImageBody = r.body
    try:
        data = from_base64(body.file_data, "file_data")
    except ValueError as exc:
        raise bad_request(str(exc)) from None
    if body.checksum:
        import hashlib

        if hashlib.sha256(data).hexdigest().lower() != body.checksum.strip().lower():
            raise bad_request("The checksum does not match the file data")
    domain.set_image(r.s, productId, body.file_name, data)


@route("DELETE", "/products/{productId}/image", summary="Delete the product's image", tag="Product", status=204)
def delete_product_image(r: Request, productId: int):
    require(r.s, productId)
    domain.clear_image(r.s, productId)


def _plan(s: AppSession, product_id: int, plan_id: int):
    row = s.get(SP, plan_id)
    if row is None or row.product_id != product_id:
        raise not_found("ProductSubscription")
    return row


def _plan_index(s: AppSession, product_id: int, plan_id: int) -> int:
    ids = [p.id for p in _plans(s, [product_id]).get(product_id, [])]
    return ids.index(plan_id) if plan_id in ids else 0


@route("POST", "/products/{productId}/subscriptions", summary="Create a product subscription plan",
       tag="Product", body=PlanBody, response=PlanShape, status=201)
def create_product_subscription(r: Request, productId: int):
    require(r.s, productId)
    body: PlanBody = r.body
    data = {"ProductId": productId, "Cycle": cycle_code(body.cycle_type), "Frequency": body.frequency or 1,
            "PlanPrice": body.plan_price, "Active": True if body.active is None else body.active}
    plan_id = records.add(r.s, "SubscriptionPlan", data)
    if body.number_of_cycles is not None:  # read-only through DataService (added after 2014)
        r.s.update(SP, SP.c.id == plan_id, number_of_cycles=body.number_of_cycles)
    r.s.emit("product.updated", "product", productId, fields=["subscription_plans"])
    return plan_json(r.s, r.s.get(SP, plan_id), _plan_index(r.s, productId, plan_id), single=True)


@route("GET", "/products/{productId}/subscriptions/{subscriptionId}", summary="Get a product subscription plan",
       tag="Product", response=PlanShape)
def get_product_subscription(r: Request, productId: int, subscriptionId: int):
    require(r.s, productId)
    row = _plan(r.s, productId, subscriptionId)
    return plan_json(r.s, row, _plan_index(r.s, productId, subscriptionId), single=True)


@route("DELETE", "/products/{productId}/subscriptions/{subscriptionId}",
       summary="Delete a product subscription plan", tag="Product", status=204)
def delete_product_subscription(r: Request, productId: int, subscriptionId: int):
    require(r.s, productId)
    _plan(r.s, productId, subscriptionId)
    domain.delete_plan(r.s, subscriptionId)
