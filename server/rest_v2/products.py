"""Products: products (list, get, create, update, delete), inventory, the product image, options with their
list values, and subscription plans of products (the contract's ``Products`` and ``Subscription Plans``).

Products are the API's Product rows, written through DataService's writer (server.domain.data.records) like
``DataService.add('Product', …)``: a product made here reads the same through XML-RPC and REST v1 and fires
the same ``product.*`` events (REST hooks ``product.add``/``product.edit``, the change log, sync tokens). What
DataService cannot write (subscription-only, out-of-stock selling, the delivery description, the inventory
count) goes through ``products.set_extras`` with the same ``product.updated`` event.

v2 wire rules of this family: prices travel in the currency's smallest unit (``price: 1250`` is $12.50,
catalog_wire); a name is required and not blank; ``active`` is ``Status == 1``; ``storefront_hidden`` is
``HideInStore``; the inventory count shows only on a product's own answer (the contract: "omitted in List
responses").
"""
from __future__ import annotations

import base64

from server.domain.commerce import product_categories, product_options, products
from server.domain.session import AppSession

from .api import Reply, Request, operation
from .catalog_wire import Flag, Mapped, from_cents, money
from .errors import existing, invalid_field, not_found
from .filters import Ids, Number, Text
from .paging import Listing
from .wire import out_id, out_time

PRODUCTS = Listing(
    filters={"name": Text(), "sku": Text(), "description": Text(), "short_description": Text(),
             "product_id": Number("id"), "product_ids": Ids("id")},
    order_by={"name": "name", "sku": "sku", "last_updated_time": "update_time"},
)
CYCLE_NAMES = {"1": "YEARLY", "2": "MONTHLY", "3": "WEEKLY", "6": "DAILY"}
CYCLE_CODES = {name: code for code, name in CYCLE_NAMES.items()}
PLANS = Listing(filters={"active": Flag(), "cycle_type": Mapped(CYCLE_CODES, "cycle")},
                order_by={"id": "id", "product_id": "product_id"})

# request property -> Product field (DataService's names)
_TEXT = {"name": "ProductName", "sku": "Sku", "description": "Description", "short_description": "ShortDescription",
         "top_html": "TopHTML", "bottom_html": "BottomHTML", "email_for_inventory_notifications": "InventoryNotifiee"}
_FLAGS = {"shippable": "Shippable", "taxable": "Taxable", "country_taxable": "CountryTaxable",
          "state_taxable": "StateTaxable", "city_taxable": "CityTaxable", "storefront_hidden": "HideInStore",
          "is_package": "IsPackage", "needs_digital_delivery": "NeedsDigitalDelivery"}
_EXTRAS = ("subscription_only", "out_of_stock_enabled", "delivery_description")
PRODUCT_PROPERTIES = (*_TEXT, *_FLAGS, *_EXTRAS, "price", "active", "weight", "inventory_limit")


# --- answers ------------------------------------------------------------------------------------------

def _variable_rule(rule: str | None) -> str | None:
    return {"Characters": "LETTER", "Numbers": "NUMBER", "Both": "BOTH"}.get(rule or "")


def _product_option(o: product_options.Option) -> dict:
    """A product's option as the product's answer shows it (ProductOptions_Detail)."""
    if o.type == product_options.FIXED:
        return {"name": o.label, "type": "FIXED", "required": o.required,
                "fixed_options": [{"value": v.label, "code": v.sku, "price_adjustment": v.price_adjustment}
                                  for v in o.values]}
    return {"name": o.label, "type": "VARIABLE", "required": o.required,
            "variable_setting": {"contains": _variable_rule(o.contains), "min_chars": o.min_chars,
                                 "max_chars": o.max_chars, "contain_spaces": o.allow_spaces,
                                 "start_with": _variable_rule(o.starts_with), "end_with": _variable_rule(o.ends_with),
                                 "validation_msg": o.error_message}}


def _plan_of_product(s: AppSession, p: products.PlanRecord, index: int) -> dict:
    return {"id": out_id(p.id), "active": p.active, "prorate": p.prorate, "billing_cycle": CYCLE_NAMES[p.cycle],
            "billing_frequency": p.frequency, "number_of_cycles": p.number_of_cycles,
            "plan_price": money(s, p.price), "order_index": p.display_order if p.display_order is not None else index}


def plan_json(s: AppSession, p: products.PlanRecord) -> dict:
    """A subscription plan on its own (the contract's SubscriptionPlan)."""
    return {"id": out_id(p.id), "frequency": p.frequency, "active": p.active, "subscription_plan_name": p.name,
            "cycle_type": CYCLE_NAMES[p.cycle], "total_cycles": p.number_of_cycles, "plan_price": money(s, p.price),
            "display_order_index": p.display_order or 0}


def products_json(s: AppSession, found: list[products.ProductRecord], *, detail: bool) -> list[dict]:
    ids = [p.id for p in found]
    plans, options = products.plans_of(s, ids), product_options.options_of(s, ids)
    categories = product_categories.of_products(s, ids)
    out = []
    for p in found:
        inventory = {"inventory_limit": p.inventory_limit, "out_of_stock_enabled": bool(p.out_of_stock_enabled),
                     "email_for_inventory_notifications": p.inventory_notifiee}
        if detail:
            inventory["inventory_count"] = p.inventory or 0
        out.append({
            "id": out_id(p.id), "name": p.name, "price": money(s, p.price or 0.0),
            "active": (p.status if p.status is not None else products.ACTIVE) == products.ACTIVE,
            "description": p.description, "sku": p.sku, "shippable": bool(p.shippable), "weight": p.weight,
            "taxable": bool(p.taxable), "categories": [out_id(c) for c in categories.get(p.id, [])],
            "options": [_product_option(o) for o in options.get(p.id, [])], "inventory": inventory,
            "short_description": p.short_description, "subscription_only": bool(p.subscription_only),
            "storefront_hidden": bool(p.hide_in_store), "country_taxable": bool(p.country_taxable),
            "state_taxable": bool(p.state_taxable), "city_taxable": bool(p.city_taxable),
            "subscription_plans": [_plan_of_product(s, plan, i) for i, plan in enumerate(plans.get(p.id, []))],
            "top_html": p.top_html, "bottom_html": p.bottom_html, "is_package": bool(p.is_package),
            "needs_digital_delivery": bool(p.needs_digital_delivery), "has_legacy_image": p.has_image,
            "delivery_description": p.delivery_description, "create_time": out_time(p.created, s.clock),
            "update_time": out_time(p.updated, s.clock)})
    return out


def product_json(s: AppSession, product_id: int) -> dict:
    return products_json(s, [_product(s, product_id)], detail=True)[0]


def _product(s: AppSession, product_id: int) -> products.ProductRecord:
    return existing(products.get(s, product_id), "Product", product_id)


# --- the request's values -----------------------------------------------------------------------------

def _product_values(body: dict, props) -> tuple[dict, dict]:
    """(Product fields, REST-only settings) for the request properties ``props`` (a property absent from the
    body is cleared)."""
    values, extras = {}, {}
    for prop in props:
        value = body.get(prop)
        if prop == "name":
            if not (value or "").strip():
                raise invalid_field("name", "a name is required")
            values["ProductName"] = value.strip()
        elif prop in _TEXT:
            values[_TEXT[prop]] = value
        elif prop in _FLAGS:
            values[_FLAGS[prop]] = 1 if value else 0
        elif prop in _EXTRAS:
            extras[prop] = bool(value) if prop != "delivery_description" else value
        elif prop == "price":
            if value is None:
                raise invalid_field("price", "a price is required")
            values["ProductPrice"] = from_cents(value, "price")
        elif prop == "active":
            values["Status"] = products.ACTIVE if value or value is None else 0
        elif prop == "weight":
            if value is not None and value < 0:
                raise invalid_field("weight", "must be greater than or equal to 0")
            values["Weight"] = value
        elif prop == "inventory_limit":
            if value is not None and value < 0:
                raise invalid_field("inventory_limit", "must be greater than or equal to 0")
            values["InventoryLimit"] = value
    return values, extras


# --- products -----------------------------------------------------------------------------------------

@operation("listProducts")
def list_products(r: Request) -> dict:
    page = products.page_products(r.s, r.list_query(PRODUCTS))
    return r.page("products", products_json(r.s, page.items, detail=False), page)


@operation("createProduct")
def create_product(r: Request) -> dict:
    body = dict(r.body)
    inventory = body.pop("inventory", None) or {}
    body.update({k: v for k, v in inventory.items() if k != "inventory_count"})
    values, extras = _product_values(body, [p for p in PRODUCT_PROPERTIES if p in body or p in ("name", "price")])
    values.setdefault("Status", products.ACTIVE)
    count = inventory.get("inventory_count")
    if count is not None:
        if count < 0:
            raise invalid_field("inventory.inventory_count", "must be greater than or equal to 0")
        extras["inventory"] = count
    product_id = products.add(r.s, values, extras)
    return product_json(r.s, product_id)


@operation("getProduct")
def get_product(r: Request, product_id: int) -> dict:
    return product_json(r.s, product_id)


@operation("updateProduct")
def update_product(r: Request, product_id: int) -> dict:
    _product(r.s, product_id)
    values, extras = _product_values(r.body, [p for p in PRODUCT_PROPERTIES if p in r.changed(PRODUCT_PROPERTIES)])
    products.update(r.s, product_id, values, extras)
    return product_json(r.s, product_id)


@operation("deleteProduct")
def delete_product(r: Request, product_id: int) -> None:
    _product(r.s, product_id)
    products.delete(r.s, product_id)


@operation("adjustInventory")
def adjust_inventory(r: Request, product_id: int) -> dict:
    _product(r.s, product_id)
    kind, quantity = r.body.get("type"), r.body.get("quantity")
    if kind is None:
        raise invalid_field("type", "INCREASE or DECREASE is required")
    if quantity is None or quantity < 1:
        raise invalid_field("quantity", "at least 1 is required")
    products.change_inventory(r.s, product_id, quantity if kind == "INCREASE" else -quantity)
    return product_json(r.s, product_id)


# --- the image ----------------------------------------------------------------------------------------

def uploaded_file(r: Request) -> tuple[str, bytes]:
    """The ``file`` part of a multipart/form-data request: its name and bytes."""
    upload = r.http.files.get("file")
    if upload is None:
        raise invalid_field("file", "a file part is required (multipart/form-data)")
    return upload.filename or "", upload.read()


@operation("createProductImage")
def create_product_image(r: Request, product_id: int) -> None:
    _product(r.s, product_id)
    name, data = uploaded_file(r)
    products.set_image(r.s, product_id, name, data)  # one image: the product's (legacy cart's) LargeImage


@operation("deleteProductImage")
def delete_product_image(r: Request, product_id: int) -> None:
    _product(r.s, product_id)
    products.clear_image(r.s, product_id)


@operation("getFileData")
def get_file_data(r: Request, product_id: int) -> Reply:
    _product(r.s, product_id)
    data = products.image(r.s, product_id)
    if not data:
        raise not_found("Product image", product_id)
    return Reply(base64.b64encode(data).decode("ascii"))


# --- options ------------------------------------------------------------------------------------------

_RULES = {"NONE": None, "LETTER": "Characters", "DIGIT": "Numbers", "BOTH": "Both"}
_RULE_NAMES = {v: k for k, v in _RULES.items()}


def option_json(o: product_options.Option) -> dict:
    out = {"id": out_id(o.id), "required": o.required, "option_label": o.label, "product_id": out_id(o.product_id),
           "option_type": "LIST" if o.type == product_options.FIXED else "TEXT", "display_order": o.order}
    if o.type == product_options.FIXED:
        out["list_items"] = [{"item_id": out_id(v.id), "item_label": v.label, "item_code": v.sku,
                              "item_display_order": v.index, "price_adjustment": v.price_adjustment}
                             for v in o.values]
    else:
        out["text_rules"] = {"minimum_characters": o.min_chars, "maximum_characters": o.max_chars,
                             "allow_spaces": o.allow_spaces, "only_starts_with": _RULE_NAMES[o.starts_with],
                             "only_ends_with": _RULE_NAMES[o.ends_with], "only_contains": _RULE_NAMES[o.contains],
                             "error_message": o.error_message}
    return out


def _option(s: AppSession, product_id: int, option_id: int) -> product_options.Option:
    _product(s, product_id)
    return existing(product_options.get(s, product_id, option_id), "Product Option", option_id)


def _not_blank(value, name: str):
    if value is not None and not str(value).strip():
        raise invalid_field(name, "cannot be whitespace only")
    return value


def _at_least_zero(value, name: str):
    if value is not None and value < 0:
        raise invalid_field(name, "must be at least 0")
    return value


_TEXT_RULES = ("minimum_characters", "maximum_characters", "allow_spaces", "only_starts_with", "only_ends_with",
               "only_contains", "error_message")
OPTION_PROPERTIES = ("option_label", "display_order", "required", *_TEXT_RULES)


def _option_values(body: dict, props, where: str = "") -> dict:
    """ProductOption fields for the option properties ``props`` (text rules at ``where``: "" or
    "text_rules.")."""
    values = {}
    for prop in props:
        value, name = body.get(prop), where + prop if prop in _TEXT_RULES else prop
        if prop == "option_label":
            label = _not_blank(value, name)
            if not label:
                raise invalid_field(name, "a label is required")
            values.update(Label=label, Name=label)
        elif prop == "display_order":
            values["Order"] = _at_least_zero(value, name) or 0
        elif prop == "required":
            values["IsRequired"] = 1 if value else 0
        elif prop == "minimum_characters":
            values["MinChars"] = _at_least_zero(value, name)
        elif prop == "maximum_characters":
            values["MaxChars"] = _at_least_zero(value, name)
        elif prop == "allow_spaces":
            values["AllowSpaces"] = 1 if value else 0
        elif prop == "only_starts_with":
            values["CanStartWith"] = _RULES[value or "NONE"] or ""
        elif prop == "only_contains":
            values["CanContain"] = _RULES[value or "NONE"] or ""
        elif prop == "only_ends_with":
            values["CanEndWith"] = product_options.end_code(_RULES[value or "NONE"])
    low, high = values.get("MinChars"), values.get("MaxChars")
    if low is not None and high is not None and high < low:
        raise invalid_field(where + "maximum_characters", "must not be less than minimum_characters")
    return values


def _item_values(item: dict, props, where: str) -> dict:
    values = {}
    for prop in props:
        value = item.get(prop)
        if prop == "item_label":
            label = _not_blank(value, where + prop)
            if not label:
                raise invalid_field(where + prop, "a label is required")
            values.update(Label=label, Name=label)
        elif prop == "item_code":
            values["Sku"] = value
        elif prop == "item_display_order":
            values["OptionIndex"] = _at_least_zero(value, where + prop) or 0
        elif prop == "price_adjustment":
            values["PriceAdjustment"] = value or 0.0
    return values


ITEM_PROPERTIES = ("item_label", "item_code", "item_display_order", "price_adjustment")


@operation("listProductOptions")
def list_product_options(r: Request, product_id: int) -> dict:
    _product(r.s, product_id)
    return {"product_options": [option_json(o) for o in product_options.options_of(r.s, [product_id])
                                .get(product_id, [])]}


@operation("createProductOption")
def create_product_option(r: Request, product_id: int) -> dict:
    _product(r.s, product_id)
    body = r.body
    kind = body["option_type"]
    rules = body.get("text_rules") or {}
    if kind == "LIST" and rules:
        raise invalid_field("text_rules", "only an option of type TEXT has text rules")
    if kind == "TEXT" and body.get("list_items"):
        raise invalid_field("list_items", "only an option of type LIST has list items")
    values = _option_values({**body, **rules}, ["option_label", "display_order", "required",
                                                *(p for p in _TEXT_RULES if p in rules and p != "error_message")],
                            "text_rules.")
    values["OptionType"] = product_options.FIXED if kind == "LIST" else product_options.VARIABLE
    option_id = product_options.add(r.s, product_id, values,
                                    _not_blank(rules.get("error_message"), "text_rules.error_message"))
    for i, item in enumerate(body.get("list_items") or []):
        product_options.add_value(r.s, option_id, _item_values(item, ITEM_PROPERTIES, f"list_items.{i}."))
    return option_json(_option(r.s, product_id, option_id))


@operation("getProductOption")
def get_product_option(r: Request, product_id: int, product_option_id: int) -> dict:
    return option_json(_option(r.s, product_id, product_option_id))


@operation("updateProductOption")
def update_product_option(r: Request, product_id: int, product_option_id: int) -> dict:
    option = _option(r.s, product_id, product_option_id)
    props = [p for p in OPTION_PROPERTIES if p in r.changed(OPTION_PROPERTIES)]
    if option.type == product_options.FIXED and any(p in _TEXT_RULES for p in props):
        raise invalid_field(next(p for p in props if p in _TEXT_RULES), "only an option of type TEXT has text rules")
    message = "error_message" in props
    product_options.update(r.s, product_option_id, _option_values(r.body, [p for p in props if p != "error_message"]),
                           _not_blank(r.body.get("error_message"), "error_message") if message else None,
                           clear_message=message and r.body.get("error_message") is None)
    return option_json(_option(r.s, product_id, product_option_id))


@operation("deleteProductOption")
def delete_product_option(r: Request, product_id: int, product_option_id: int) -> None:
    _option(r.s, product_id, product_option_id)
    product_options.delete(r.s, product_option_id)


def _list_option(s: AppSession, product_id: int, option_id: int) -> product_options.Option:
    option = _option(s, product_id, option_id)
    if option.type != product_options.FIXED:
        raise invalid_field("product_option_id", "the option is of type TEXT: it has no list items")
    return option


@operation("addProductOptionListOptionValue")
def add_product_option_list_option_value(r: Request, product_id: int, product_option_id: int) -> dict:
    _list_option(r.s, product_id, product_option_id)
    for i, item in enumerate(r.body):
        product_options.add_value(r.s, product_option_id, _item_values(item, ITEM_PROPERTIES, f"{i}."))
    return option_json(_option(r.s, product_id, product_option_id))


def _item(option: product_options.Option, item_id: int) -> product_options.OptionValue:
    return existing(next((v for v in option.values if v.id == item_id), None), "Product Option Item", item_id)


@operation("updateProductOptionListOptionValue")
def update_product_option_list_option_value(r: Request, product_id: int, product_option_id: int,
                                            item_id: int) -> dict:
    _item(_list_option(r.s, product_id, product_option_id), item_id)
    props = [p for p in ITEM_PROPERTIES if p in r.changed(ITEM_PROPERTIES)]
    product_options.update_value(r.s, item_id, _item_values(r.body, props, ""))
    return option_json(_option(r.s, product_id, product_option_id))


@operation("deleteProductOptionListOptionValue")
def delete_product_option_list_option_value(r: Request, product_id: int, product_option_id: int,
                                            item_id: int) -> None:
    _item(_list_option(r.s, product_id, product_option_id), item_id)
    product_options.delete_value(r.s, item_id)


# --- subscription plans -------------------------------------------------------------------------------

PLAN_PROPERTIES = ("active", "frequency", "allow_prorating", "cycle_type", "display_order_index", "plan_price",
                   "total_cycles")


def _plan(s: AppSession, product_id: int, plan_id: int) -> products.PlanRecord:
    _product(s, product_id)
    return existing(products.get_plan(s, product_id, plan_id), "Subscription Plan", plan_id)


def _plan_values(body: dict, props) -> tuple[dict, dict]:
    """(SubscriptionPlan fields, plan settings DataService cannot write) for ``props``."""
    values, extras = {}, {}
    for prop in props:
        value = body.get(prop)
        if prop == "active":
            values["Active"] = True if value is None else bool(value)
        elif prop == "allow_prorating":
            values["Prorate"] = bool(value)
        elif prop == "frequency":
            if value is not None and value < 1:
                raise invalid_field("frequency", "must be greater than 0")
            values["Frequency"] = value or 1
        elif prop == "cycle_type":
            if value is None:
                raise invalid_field("cycle_type", "a cycle type is required")
            values["Cycle"] = CYCLE_CODES[value]
        elif prop == "plan_price":
            if value is None:
                raise invalid_field("plan_price", "a price is required")
            values["PlanPrice"] = from_cents(value, "plan_price")
        elif prop == "total_cycles":
            extras["number_of_cycles"] = _at_least_zero(value, "total_cycles") or 0
        elif prop == "display_order_index":
            extras["display_order"] = _at_least_zero(value, "display_order_index") or 0
    return values, extras


@operation("listSubscriptionPlans")
def list_subscription_plans(r: Request, product_id: int) -> dict:
    _product(r.s, product_id)
    page = products.page_plans(r.s, product_id, r.list_query(PLANS))
    return r.page("subscriptions", [plan_json(r.s, p) for p in page.items], page)


@operation("createSubscriptionPlans")
def create_subscription_plans(r: Request, product_id: int) -> dict:
    _product(r.s, product_id)
    values, extras = _plan_values(r.body, [p for p in PLAN_PROPERTIES if p in r.body])
    values.setdefault("Active", True)
    plan_id = products.add_plan(r.s, product_id, values, extras)
    return plan_json(r.s, _plan(r.s, product_id, plan_id))


@operation("fetchSubscriptionPlan")
def fetch_subscription_plan(r: Request, product_id: int, subscription_plan_id: int) -> dict:
    return plan_json(r.s, _plan(r.s, product_id, subscription_plan_id))


@operation("updateSubscriptionPlan")
def update_subscription_plan(r: Request, product_id: int, subscription_plan_id: int) -> dict:
    _plan(r.s, product_id, subscription_plan_id)
    values, extras = _plan_values(r.body, [p for p in PLAN_PROPERTIES if p in r.changed(PLAN_PROPERTIES)])
    products.update_plan(r.s, product_id, subscription_plan_id, values, extras)
    return plan_json(r.s, _plan(r.s, product_id, subscription_plan_id))


@operation("deleteSubscriptionPlan")
def delete_subscription_plan(r: Request, product_id: int, subscription_plan_id: int) -> None:
    _plan(r.s, product_id, subscription_plan_id)
    products.delete_plan(r.s, subscription_plan_id)
