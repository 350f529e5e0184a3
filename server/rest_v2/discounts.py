"""Discounts: the five families of specials (the contract's ``Category Discounts``, ``Product Discounts``,
``Order Total Discounts``, ``Shipping Discounts``, ``Free Trial Discounts``), seven operations each, made by
one factory (``operations``) from each family's description (``Family``): they share one shape (list, get,
create, update, delete, add and remove a criterion) over one domain (server.domain.commerce.discounts).

They are the specials XML-RPC's DiscountService makes and reads, and that ``OrderService.placeOrder`` (with
``processSpecials``) and REST v1's order create apply at checkout: a discount made here is applied there, when
every one of its criteria is met (discount_criteria: promo code, date range, product, plan, order total).

v2 wire rules of these families: ``discount_value`` is a percentage (``PERCENT``) or an amount in the
currency's units (``AMOUNT``; the contract's "$50 off" is ``50``, unlike product prices, which are in the
smallest unit); a percentage is at most 100; ``discount_strategy`` ``GROSS``/``NET`` is DiscountService's
``payType``; a PATCH's ``criteria`` replace the discount's criteria whole (a listed ``criteria_id`` is that
criterion changed, the others removed); a category discount's ``product_category_ids`` are replaced whole.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from server.domain.commerce import discount_criteria as criteria
from server.domain.commerce import discounts as domain
from server.domain.commerce import product_categories, products
from server.domain.errors import InvalidParameter, RecordNotFound
from server.domain.session import AppSession

from .api import Request, operation
from .catalog_wire import Mapped
from .errors import existing, invalid_field, not_found
from .filters import Id, Ids, Number, Text
from .paging import Listing
from .wire import in_id, in_ids, in_time, out_id, out_time

TYPES = {"AMOUNT": 0, "PERCENT": 1}
STRATEGIES = {"GROSS": "Gross", "NET": "Net"}
YES_NO = {"TRUE": 1, "FALSE": 0}
# properties whose value cannot be cleared (a PATCH that masks them must carry them)
_REQUIRED = frozenset({"name", "discount_type", "discount_value", "discount_percent", "product_id",
                       "subscription_plan_id"})


@dataclass(frozen=True)
class Family:
    """One family of discounts: its domain kind, its name in 404s, the stem of its operation ids
    (``list<stem>s``, ``create<stem>`` … ``delete<stem>Criteria``), its list's filters and orders, its own
    properties, and its own part of an answer."""

    kind: str
    noun: str
    stem: str
    listing: Listing
    properties: tuple[str, ...]
    answer: Callable[[domain.Discount], dict]
    defaults: dict  # domain values every new discount of the family has


# --- answers ------------------------------------------------------------------------------------------

def criterion_json(s: AppSession, c: criteria.Criterion) -> dict:
    return {"criteria_id": out_id(c.id), "type": c.type, "code": c.code,
            "range_start_time": out_time(c.range_start, s.clock), "range_end_time": out_time(c.range_end, s.clock),
            "product_id": out_id(c.product_id), "product_quantity_min": c.quantity_min,
            "product_quantity_max": c.quantity_max, "plan_id": out_id(c.plan_id),
            "subscription_quantity": c.quantity, "total_amount": c.total_amount, "operator": c.operator}


def _discount_type(d: domain.Discount) -> dict:
    return {"discount_type": "PERCENT" if d.percent else "AMOUNT", "discount_value": d.amount}


def discount_json(s: AppSession, family: Family, d: domain.Discount) -> dict:
    return {"id": out_id(d.id), "name": d.name, "description": d.description,
            "criteria": [criterion_json(s, c) for c in d.criteria], **family.answer(d)}


# --- the request's values -----------------------------------------------------------------------------

def _values(s: AppSession, body: dict, props) -> dict:
    """Domain values for the discount properties ``props`` (a property absent from the body is cleared); a
    product or plan that does not exist is a 400 naming the property."""
    values = {}
    for prop in props:
        value = body.get(prop)
        if value is None and prop in _REQUIRED:
            raise invalid_field(prop, "a value is required")
        if prop == "name":
            if not value.strip():
                raise invalid_field("name", "a name is required")
            values["name"] = value.strip()
        elif prop == "description":
            values["description"] = value or ""
        elif prop == "apply_to_commissions":
            values["apply_to_commission"] = 1 if value else 0
        elif prop == "discount_type":
            values["percent"] = TYPES[value]
        elif prop in ("discount_value", "discount_percent"):
            if value < 0:
                raise invalid_field(prop, "must be greater than or equal to 0")
            if (prop == "discount_percent" or body.get("discount_type") == "PERCENT") and value > 100:
                raise invalid_field(prop, "a percentage is at most 100")
            values["amount"] = float(value)
        elif prop == "discount_strategy":
            values["pay_type"] = STRATEGIES[value or "GROSS"]
        elif prop == "product_id":
            values["product_id"] = _named("product_id", products.require, s, in_id(value, "product_id")).id
        elif prop == "subscription_plan_id":
            values["subscription_plan_id"] = _named("subscription_plan_id", products.plan, s,
                                                    in_id(value, "subscription_plan_id")).id
        elif prop == "free_trial_days":
            if value is not None and value < 0:
                raise invalid_field("free_trial_days", "must be 0 or more")
            values["free_trial_days"] = value or 0
        elif prop == "hide_price":
            values["hide_price"] = 1 if value else 0
    return values


def _criterion_values(s: AppSession, item: dict, where: str) -> dict:
    """A criterion's domain values from its wire form."""
    out = {"code": item.get("code"), "quantity_min": item.get("product_quantity_min"),
           "quantity_max": item.get("product_quantity_max"), "quantity": item.get("subscription_quantity"),
           "total_amount": item.get("total_amount"), "operator": item.get("operator")}
    for wire, name in (("range_start_time", "range_start"), ("range_end_time", "range_end")):
        out[name] = in_time(item[wire], s.clock, where + wire) if item.get(wire) else None
    for wire in ("product_id", "plan_id"):
        out[wire] = in_id(item[wire], where + wire) if item.get(wire) is not None else None
    return out


def _criteria_given(s: AppSession, items: list, *, new: bool, where: str = "criteria.") \
        -> list[tuple[int | None, str | None, dict]]:
    """``(criterion id, type, values)`` of a body's ``criteria``, each checked for its type (a 400 naming the
    criterion); ``new``: each must name its type."""
    out = []
    for i, item in enumerate(items or []):
        at = f"{where}{i}." if where else ""
        kind = item.get("type")
        criterion_id = in_id(item["criteria_id"], at + "criteria_id") if item.get("criteria_id") else None
        if kind is None and (new or criterion_id is None):
            raise invalid_field(at + "type", "a criteria type is required")
        values = _criterion_values(s, item, at)
        if kind is not None:
            _named(at.rstrip(".") or "type", criteria.check, s, kind, values)
        out.append((criterion_id, kind, values))
    return out


def _named(where: str, call: Callable, *args):
    """``call(*args)`` (the domain's); its refusal (a bad value, a record that does not exist) is a 400 naming
    ``where``."""
    try:
        return call(*args)
    except (InvalidParameter, RecordNotFound) as refused:
        raise invalid_field(where, refused.message) from None


def _categories(s: AppSession, body: dict) -> list[int]:
    ids = in_ids(body.get("product_category_ids") or [], "product_category_ids")
    for i, category_id in enumerate(ids):
        if product_categories.get(s, category_id) is None:
            raise invalid_field(f"product_category_ids.{i}", f"no product category has the id {category_id}")
    return ids


# --- the factory --------------------------------------------------------------------------------------

def operations(family: Family) -> tuple[Callable, ...]:
    """The family's seven operations, each declared with its operation id."""
    stem, kind = family.stem, family.kind
    props = (*family.properties, "name", "description")

    def found(s: AppSession, discount_id: int) -> domain.Discount:
        return existing(domain.find(s, discount_id, kind), family.noun, discount_id)

    def answer(s: AppSession, discount_id: int) -> dict:
        return discount_json(s, family, found(s, discount_id))

    @operation(f"list{stem}s")
    def list_discounts(r: Request) -> dict:
        q = r.list_query(family.listing)
        # ``product_category_id==N``: the category discounts covering N, answered by the domain's own condition
        category = next((c.value for c in q.where if c.field == "product_category_id"), None)
        q = replace(q, where=tuple(c for c in q.where if c.field != "product_category_id"))
        page = domain.page(r.s, kind, q, category)
        return r.page("discounts", [discount_json(r.s, family, d) for d in page.items], page)

    @operation(f"create{stem}")
    def create_discount(r: Request) -> dict:
        body = r.body
        values = {**family.defaults, **_values(r.s, body, [p for p in props if p in body or p in _REQUIRED])}
        given = [(kind_, v) for _, kind_, v in _criteria_given(r.s, body.get("criteria"), new=True)]
        return answer(r.s, domain.create(r.s, kind, values, given, _categories(r.s, body)))

    @operation(f"get{stem}")
    def get_discount(r: Request, discount_id: int) -> dict:
        return answer(r.s, discount_id)

    @operation(f"update{stem}")
    def update_discount(r: Request, discount_id: int) -> dict:
        found(r.s, discount_id)
        wanted = r.changed((*props, "criteria", "product_category_ids"))
        values = _values(r.s, r.body, [p for p in props if p in wanted])
        if values:
            domain.change(r.s, discount_id, kind, values)
        if "criteria" in wanted:
            given = _criteria_given(r.s, r.body.get("criteria"), new=False)
            _named("criteria", domain.replace_criteria, r.s, discount_id, kind, given)
        if "product_category_ids" in wanted and "product_category_ids" in family.properties:
            domain.set_categories(r.s, discount_id, _categories(r.s, r.body))
        return answer(r.s, discount_id)

    @operation(f"delete{stem}")
    def delete_discount(r: Request, discount_id: int) -> None:
        found(r.s, discount_id)
        domain.delete(r.s, discount_id, kind)

    @operation(f"create{stem}Criteria")
    def create_criteria(r: Request, discount_id: int) -> dict:
        found(r.s, discount_id)
        [(_, criterion_kind, values)] = _criteria_given(r.s, [r.body], new=True, where="")
        criterion_id = domain.add_criterion(r.s, discount_id, kind, criterion_kind, values)
        return criterion_json(r.s, next(c for c in found(r.s, discount_id).criteria if c.id == criterion_id))

    @operation(f"delete{stem}Criteria")
    def delete_criteria(r: Request, discount_id: int, criteria_id: int) -> None:
        found(r.s, discount_id)
        if not domain.delete_criterion(r.s, discount_id, kind, criteria_id):
            raise not_found("Discount Criteria", criteria_id)

    return (list_discounts, create_discount, get_discount, update_discount, delete_discount, create_criteria,
            delete_criteria)


# --- the five families --------------------------------------------------------------------------------

_NAMED = {"id": "id", "name": "name"}
_TYPED = {"discount_type": Mapped(TYPES, "percent"), "discount_value": Number("amount")}
_TYPED_ORDER = {"discount_type": "percent", "discount_value": "amount"}
_COMMISSION = {"apply_to_commissions": Mapped(YES_NO, "apply_to_commission")}

CATEGORY = Family(
    domain.CATEGORY, "Category Discount", "CategoryDiscount",
    Listing(filters={"id": Number(), "ids": Ids("id"), "name": Text(), "description": Text(),
                     "product_category_id": Id()}, order_by=_NAMED),
    ("discount_percent", "apply_to_commissions", "product_category_ids"),
    lambda d: {"discount_percent": d.amount, "apply_to_commissions": d.apply_to_commission,
               "product_categories": [out_id(c) for c in d.category_ids]},
    {"percent": 1})
PRODUCT = Family(
    domain.PRODUCT, "Product Discount", "ProductDiscount",
    Listing(filters={**_COMMISSION, **_TYPED, "product_id": Id()},
            order_by={**_NAMED, **_TYPED_ORDER, "apply_to_commissions": "apply_to_commission",
                      "product_id": "product_id"}),
    ("apply_to_commissions", "product_id", "discount_type", "discount_value"),
    lambda d: {"apply_to_commissions": d.apply_to_commission, "product_id": out_id(d.product_id), **_discount_type(d)},
    {"apply_to_commission": 0})
ORDER_TOTAL = Family(
    domain.ORDER_TOTAL, "Order Total Discount", "OrderTotalDiscount",
    Listing(filters={**_COMMISSION, **_TYPED, "discount_strategy": Mapped(STRATEGIES, "pay_type")},
            order_by={**_NAMED, **_TYPED_ORDER, "apply_to_commissions": "apply_to_commission",
                      "discount_strategy": "pay_type"}),
    ("apply_to_commissions", "discount_type", "discount_value", "discount_strategy"),
    lambda d: {"apply_to_commissions": d.apply_to_commission, **_discount_type(d),
               "discount_strategy": (d.pay_type or "Gross").upper()},
    {"apply_to_commission": 0, "pay_type": "Gross"})
SHIPPING = Family(
    domain.SHIPPING, "Shipping Discount", "ShippingDiscount",
    Listing(filters=dict(_TYPED), order_by={**_NAMED, **_TYPED_ORDER}),
    ("discount_type", "discount_value"),
    _discount_type,
    {"apply_to_commission": 0})
FREE_TRIAL = Family(
    domain.FREE_TRIAL, "Free Trial Discount", "FreeTrialDiscount",
    Listing(filters={"free_trial_days": Number(), "hide_price": Mapped(YES_NO), "subscription_plan_id": Id("plan_id")},
            order_by={**_NAMED, "free_trial_days": "free_trial_days", "hide_price": "hide_price",
                      "subscription_plan_id": "plan_id"}),
    ("free_trial_days", "hide_price", "subscription_plan_id"),
    lambda d: {"hide_price": d.hide_price, "subscription_plan_id": out_id(d.plan_id),
               "free_trial_days": d.free_trial_days or 0},
    {"apply_to_commission": 0, "free_trial_days": 0, "hide_price": 0})

(list_category_discounts, create_category_discount, get_category_discount, update_category_discount,
 delete_category_discount, create_category_discount_criteria, delete_category_discount_criteria) = operations(CATEGORY)
(list_product_discounts, create_product_discount, get_product_discount, update_product_discount,
 delete_product_discount, create_product_discount_criteria, delete_product_discount_criteria) = operations(PRODUCT)
(list_order_total_discounts, create_order_total_discount, get_order_total_discount, update_order_total_discount,
 delete_order_total_discount, create_order_total_discount_criteria,
 delete_order_total_discount_criteria) = operations(ORDER_TOTAL)
(list_shipping_discounts, create_shipping_discount, get_shipping_discount, update_shipping_discount,
 delete_shipping_discount, create_shipping_discount_criteria, delete_shipping_discount_criteria) = operations(SHIPPING)
(list_free_trial_discounts, create_free_trial_discount, get_free_trial_discount, update_free_trial_discount,
 delete_free_trial_discount, create_free_trial_discount_criteria,
 delete_free_trial_discount_criteria) = operations(FREE_TRIAL)
