"""Orders: orders, their items, payments and payment plan, tax, commissions on items (the contract's ``Orders``
operations but the order model's, with the SDK's ``updatePayment``).

An order is a Job with its invoice, read through server.domain.commerce.order_reads (the read model REST v1
shares) and written through the domain of InvoiceService and OrderService: an order made here is the one
``InvoiceService`` and v1 read, a payment made here settles the invoice ``InvoiceService`` reads, with the
same ``invoice.paid`` event (the purchase goal, commissions, subscription cycles paid), and a card charged
here goes through the sandbox merchant with its test cards (docs/commerce.md): a declined card is answered
400 and leaves no payment, and the decline stays recorded (``invoice.payment_failed``) as on XML-RPC.

Wire decisions: the store's item type codes are the contract's names (``SPECIAL`` is ``DISCOUNT``; inbound
``OTHER`` and ``FEE`` are stored as ``SERVICE``, "Service & misc"); an order is ``PAID`` or ``DRAFT`` (the
sandbox sends no invoices, so never ``SENT``/``VIEWED``); an order's payment method is a card on file
(``payment_method_id`` is its card id).
"""
from __future__ import annotations

from server.domain.commerce import invoices, order_files, order_reads, payments
from server.domain.commerce import orders as domain
from server.domain.commerce import products as catalog
from server.domain.commerce.order_reads import ItemRecord, OrderRecord
from server.domain.crm import countries
from server.domain.data import records
from server.domain.data.listing import Condition
from server.domain.session import AppSession
from server.tables import FORM_ORDER

from . import custom_values
from .api import Reply, Request, operation
from .catalog_wire import Flag, money
from .custom_filters import with_custom_fields
from .errors import ApiError, existing, invalid_field, not_found
from .filters import Choice, Id, Ids, Kind, Number, Since, Text, Until
from .paging import Listing
from .products import plan_json
from .sales_wire import in_date, out_date
from .wire import in_id, in_time, out_id, out_time

ITEM_TYPES = {
    invoices.UNKNOWN: "UNKNOWN", invoices.SHIPPING: "SHIPPING", invoices.TAX: "TAX", invoices.SERVICE: "SERVICE",
    invoices.PRODUCT: "PRODUCT", invoices.UPSELL: "UPSELL", invoices.FINANCE_CHARGE: "FINANCE_CHARGE",
    invoices.SPECIAL: "DISCOUNT", invoices.PROGRAM: "PROGRAM", invoices.SUBSCRIPTION: "SUBSCRIPTION",
    invoices.FREE_TRIAL: "DISCOUNT_FREE_TRIAL", invoices.ORDER_TOTAL_SPECIAL: "DISCOUNT_ORDER_TOTAL",
    invoices.PRODUCT_SPECIAL: "DISCOUNT_PRODUCT", invoices.CATEGORY_SPECIAL: "DISCOUNT_PRODUCT_CATEGORY",
    invoices.SHIPPING_SPECIAL: "DISCOUNT_SHIPPING",
}
ITEM_TYPE_CODES = {name: code for code, name in ITEM_TYPES.items()} | {"OTHER": invoices.SERVICE,
                                                                       "FEE": invoices.SERVICE}
_DISCOUNTS = {invoices.SPECIAL, invoices.FREE_TRIAL, invoices.ORDER_TOTAL_SPECIAL, invoices.PRODUCT_SPECIAL,
              invoices.CATEGORY_SPECIAL, invoices.SHIPPING_SPECIAL}
ORDER_TYPES = {"ONLINE": "Online", "OFFLINE": "Offline"}
# A manual payment's payment_method_type -> Payment.PayType (InvoiceService.getAllPaymentOptions' names)
MANUAL_TYPES = {"CASH": "Cash", "CHECK": "Check", "CREDIT_CARD": "Credit Card (Manual)", "MONEY_ORDER": "Money Order",
                "ADJUSTMENT": "Adjustment", "CREDIT": "Credit"}
PAYOUT_TYPES = {"UPFRONT": 4, "PAYMENT_RECEIVED": 5}  # addOrderCommissionOverride's payoutType


class Country(Kind):
    """``shipping_country_code==USA``: the store keeps the country's name."""

    def parse(self, name, target, clause, clock):
        return [Condition(target, "eq", countries.country_name(clause.value) or clause.value)]


ORDERS = Listing(
    filters={"id": Number(), "ids": Ids("id"), "product_id": Id(order_reads.PRODUCT), "contact_id": Id(),
             "invoice_id": Id(), "paid": Flag(), "created_since_time": Since("create_time"),
             "created_until_time": Until("create_time"), "modified_since_time": Since("modification_time"),
             "modified_until_time": Until("modification_time"), "title": Text(),
             "order_type": Choice(ORDER_TYPES), "shipping_locality": Text(),
             "shipping_region_code": Text("shipping_region"), "shipping_postal_code": Text(),
             "shipping_country_code": Country("shipping_country")},
    order_by={"id": "id", "order_time": "order_time", "modification_time": "modification_time"},
)
ORDER_PAYMENTS = Listing(
    filters={"invoice_id": Id(), "payment_id": Id(), "amount": Number(), "pay_status": Text(),
             "skip_commission": Flag("commission_skipped")},
    order_by={"invoice_id": "invoice_id", "payment_id": "payment_id", "amount": "amount", "pay_time": "pay_time",
              "pay_status": "pay_status", "skip_commission": "skip_commission",
              "last_updated_time": "last_updated_time"},
)


# --- answers ------------------------------------------------------------------------------------------

def item_json(s: AppSession, i: ItemRecord, plan_records: dict) -> dict:
    product = i.product
    plan = plan_records.get(i.subscription_plan_id)
    return {
        "id": out_id(i.id), "name": i.name, "description": i.description, "notes": i.notes or None,
        "quantity": i.quantity, "item_type": ITEM_TYPES.get(i.item_type, "UNKNOWN"),
        "price_per_unit": money(s, i.price), "cost_per_unit": money(s, i.cost),
        "discount": money(s, -i.amount) if i.item_type in _DISCOUNTS else None,
        "product": {"id": out_id(product.id), "name": product.name, "sku": product.sku,
                    "description": product.description, "shippable": product.shippable,
                    "taxable": product.taxable} if product is not None else None,
        "subscription_id": out_id(i.subscription_id),
        "subscription_plan": plan_json(s, plan) if plan is not None else None,
    }


def _plans_of(s: AppSession, items) -> dict:
    return catalog.plans_by_id(s, [i.subscription_plan_id for i in items])


def _payment_plan_json(s: AppSession, plan: order_reads.PaymentPlanRecord | None) -> dict | None:
    if plan is None:
        return None
    waiting = "UNPAID_AUTOCHARGE" if plan.auto_charge else "UNPAID_MANUAL"
    return {"auto_charge": plan.auto_charge, "max_charge_attempts": plan.max_retry,
            "days_between_retries": plan.days_between_retry, "payment_method_id": out_id(plan.credit_card_id or None),
            "initial_payment_amount": money(s, plan.initial_amount),
            "initial_payment_date": out_date(plan.initial_date), "plan_start_date": out_date(plan.start_date),
            "number_of_payments": plan.number_of_payments, "days_between_payments": plan.days_between,
            "payment_plan_items": [{"status": "PAID" if i.paid else waiting, "due_date": out_date(i.due),
                                    "amount_due": money(s, i.amount_due),
                                    "amount_paid": money(s, i.amount_paid)} for i in plan.instalments]}


def _shipping_json(o: OrderRecord) -> dict | None:
    a = o.shipping
    if not any(a):
        return None
    return {"address": {"line1": a.line1, "line2": a.line2, "locality": a.locality, "region": a.region,
                        "zip_code": a.zip_code, "postal_code": a.zip_code, "country": a.country,
                        "country_code": countries.country_code(a.country),
                        "field": "SHIPPING"},
            "company": a.company, "given_name": a.first_name, "family_name": a.last_name, "phone_number": a.phone,
            "invoice_to_company": False}


def order_json(s: AppSession, o: OrderRecord, plan_records: dict | None = None, customs: dict | None = None,
               attached: dict | None = None) -> dict:
    """``plan_records``, ``customs``, ``attached``: the plans of the order's lines, its custom field values and
    its attached files (read for a whole page at once)."""
    clock = s.clock
    plan_records = _plans_of(s, o.items) if plan_records is None else plan_records
    customs = custom_values.read(s, FORM_ORDER, [o.id]) if customs is None else customs
    attached = order_files.of_orders(s, [o.id]) if attached is None else attached
    c = o.contact
    return {
        "id": out_id(o.id), "title": o.title, "status": "PAID" if o.paid else "DRAFT",
        "total": money(s, o.total), "total_paid": money(s, o.total_paid),
        "total_due": money(s, o.total_due), "refund_total": money(s, 0.0),  # no refunds (API)
        "contact": {"id": out_id(c.id), "email": c.email, "given_name": c.first_name,
                    "family_name": c.last_name} if c is not None else None,
        "notes": o.notes or None, "order_type": (o.order_type or "Offline").upper(), "source_type": "API",
        "creation_time": out_time(o.created, clock), "modification_time": out_time(o.modified, clock),
        "order_time": out_time(o.order_time, clock), "due_time": out_time(o.due_time, clock),
        "lead_affiliate_id": out_id(o.lead_affiliate_id or None),
        "sales_affiliate_id": out_id(o.sale_affiliate_id or None),
        "shipping_information": _shipping_json(o), "allow_payment": not o.paid, "allow_paypal": False,
        "order_items": [item_json(s, i, plan_records) for i in o.items],
        "payment_plan": _payment_plan_json(s, o.payment_plan),
        "invoice_id": out_id(o.invoice_id), "promo_code": o.promo_code or None, "synced": o.synced,
        "custom_fields": customs.get(o.id),
        "files": [{"file_id": out_id(f)} for f in attached.get(o.id, [])],
    }


def _order(s: AppSession, order_id: int) -> OrderRecord:
    found = order_reads.get_order(s, order_id)
    if found is None or found.invoice_id is None:
        raise not_found("Order", order_id)
    return found


def _item(s: AppSession, order_id: int, item_id: int) -> ItemRecord:
    return existing(order_reads.item_of(s, order_id, item_id), "Order Item", item_id)


def _payment_json(s: AppSession, p: order_reads.InvoicePaymentRecord) -> dict:
    return {"id": out_id(p.id), "amount": p.amount, "note": p.note or None, "invoice_id": out_id(p.invoice_id),
            "payment_id": out_id(p.payment_id), "pay_time": out_time(p.pay_time, s.clock),
            "pay_status": "APPROVED" if p.charged else "MANUAL_PAID",
            "last_updated_time": out_time(p.last_updated, s.clock), "skip_commission": p.skip_commission}


# --- the request's values -----------------------------------------------------------------------------

def _contact_id(s: AppSession, text: str, name: str = "contact_id") -> int:
    contact_id = in_id(text, name)
    if not order_reads.contacts_by_id(s, [contact_id]):
        raise invalid_field(name, f"no contact has the id {text}")
    return contact_id


def _line_values(s: AppSession, item: dict, name: str, *, creating: bool) -> dict:
    """The domain's line values (server.domain.commerce.orders) from a CreateOrderItemRequest or
    UpdateOrderItemRequest."""
    out = {}
    if creating:
        kind = item.get("item_type", "PRODUCT")
        out["item_type"] = ITEM_TYPE_CODES[kind]
    for wire, domain_name in (("name", "name"), ("description", "description"), ("notes", "notes"),
                              ("quantity", "quantity"), ("price_per_unit", "price"), ("cost_per_unit", "cost")):
        if wire in item:
            value = item[wire]
            if isinstance(value, str) and not value.strip():
                raise invalid_field(f"{name}.{wire}", "must not be whitespace")
            if wire == "quantity" and (value is None or value < 1):
                raise invalid_field(f"{name}.quantity", "must be 1 or more")
            if wire in ("price_per_unit", "cost_per_unit") and value is not None and value < 0:
                raise invalid_field(f"{name}.{wire}", "must not be negative")
            out[domain_name] = value
    if "subscription_plan_description" in item and "description" not in item:
        out["description"] = item["subscription_plan_description"]
    if item.get("product_id"):
        out["product_id"] = in_id(item["product_id"], f"{name}.product_id")
        if not order_reads.products_by_id(s, [out["product_id"]]):
            raise invalid_field(f"{name}.product_id", f"no product has the id {item['product_id']}")
    if item.get("subscription_plan_id"):
        out["subscription_plan_id"] = in_id(item["subscription_plan_id"], f"{name}.subscription_plan_id")
        if not catalog.plans_by_id(s, [out["subscription_plan_id"]]):
            raise invalid_field(f"{name}.subscription_plan_id",
                                f"no subscription plan has the id {item['subscription_plan_id']}")
    if creating and out["item_type"] in (invoices.PRODUCT, invoices.UPSELL) and "product_id" not in out:
        raise invalid_field(f"{name}.product_id", "a PRODUCT item needs a product_id")
    if creating and out["item_type"] == invoices.SUBSCRIPTION and "subscription_plan_id" not in out:
        raise invalid_field(f"{name}.subscription_plan_id", "a SUBSCRIPTION item needs a subscription_plan_id")
    return out


def _shipping(address: dict | None) -> dict:
    """order_reads.Shipping's names from an AddressInformation (all cleared when it is null)."""
    a = address or {}
    out = {name: a.get(name) for name in ("first_name", "middle_name", "last_name", "company", "phone", "line1",
                                          "line2", "locality", "region", "zip_code")}
    code = a.get("country_code")
    out["country"] = (countries.country_name(code) or code) if code else None  # stored as a name, as v1 does
    return out


def _job_values(r: Request, changed: set[str]) -> dict:
    """Job field values (DataService names) for the order properties ``changed``."""
    body, values = r.body, {}
    if "order_title" in changed:
        title = (body.get("order_title") or "").strip()
        if not title:
            raise invalid_field("order_title", "an order title is required")
        values["JobTitle"] = title
    if "contact_id" in changed:
        values["ContactId"] = _contact_id(r.s, body.get("contact_id") or "")
    if "order_time" in changed and body.get("order_time"):
        values["StartDate"] = in_time(body["order_time"], r.s.clock, "order_time")
    if "due_time" in changed:
        values["DueDate"] = in_time(body["due_time"], r.s.clock, "due_time") if body.get("due_time") else None
    if "order_type" in changed and body.get("order_type"):
        values["OrderType"] = ORDER_TYPES[body["order_type"]]
    if "notes" in changed:
        values["JobNotes"] = body.get("notes") or None
    if "shipping_address" in changed:
        columns = {"first_name": "ShipFirstName", "middle_name": "ShipMiddleName", "last_name": "ShipLastName",
                   "company": "ShipCompany", "phone": "ShipPhone", "line1": "ShipStreet1", "line2": "ShipStreet2",
                   "locality": "ShipCity", "region": "ShipState", "zip_code": "ShipZip", "country": "ShipCountry"}
        values.update({columns[k]: v for k, v in _shipping(body.get("shipping_address")).items()})
    if "custom_fields" in changed:
        values.update(custom_values.to_fields(r.s, FORM_ORDER, body.get("custom_fields") or []))
    return values


# --- orders -------------------------------------------------------------------------------------------

@operation("listOrders")
def list_orders(r: Request) -> dict:
    page = order_reads.page_orders(r.s, r.list_query(with_custom_fields(r, ORDERS, FORM_ORDER)))
    plan_records = _plans_of(r.s, [i for o in page.items for i in o.items])
    ids = [o.id for o in page.items]
    customs = custom_values.read(r.s, FORM_ORDER, ids)
    attached = order_files.of_orders(r.s, ids)
    return r.page("orders", [order_json(r.s, o, plan_records, customs, attached) for o in page.items], page)


@operation("createOrder")
def create_order(r: Request) -> dict:
    s, body = r.s, r.body
    contact_id = _contact_id(s, body["contact_id"])
    title = body["order_title"].strip()
    if not title:
        raise invalid_field("order_title", "an order title is required")
    items = [_line_values(s, item, f"order_items.{n}", creating=True)
             for n, item in enumerate(body.get("order_items") or [])]
    affiliates = {k: in_id(body[k], k) for k in ("lead_affiliate_id", "sales_affiliate_id") if body.get(k)}
    job_id, _ = domain.create_order(
        s, contact_id, title, in_time(body["order_time"], s.clock, "order_time"), ORDER_TYPES[body["order_type"]],
        items, promo_codes=body.get("promo_codes") or (), lead_affiliate_id=affiliates.get("lead_affiliate_id", 0),
        sale_affiliate_id=affiliates.get("sales_affiliate_id", 0), shipping=_shipping(body.get("shipping_address")),
        notes=body.get("notes") or None,
        due_date=in_time(body["due_time"], s.clock, "due_time") if body.get("due_time") else None)
    if body.get("custom_fields"):
        records.update(s, "Job", job_id, custom_values.to_fields(s, FORM_ORDER, body["custom_fields"]))
    return order_json(s, _order(s, job_id))


@operation("getOrder")
def get_order(r: Request, order_id: int) -> dict:
    return order_json(r.s, _order(r.s, order_id))


@operation("attachFileToOrder")
def attach_file(r: Request, order_id: int) -> dict:
    _order(r.s, order_id)
    order_files.attach(r.s, order_id, in_id(r.body["file_id"], "file_id"))
    return order_json(r.s, _order(r.s, order_id))


@operation("detachFileFromOrder")
def detach_file(r: Request, order_id: int) -> dict:
    _order(r.s, order_id)
    order_files.detach(r.s, order_id, in_id(r.body["file_id"], "file_id"))
    return order_json(r.s, _order(r.s, order_id))


_UPDATABLE = ("order_title", "contact_id", "order_time", "due_time", "order_type", "notes", "shipping_address",
              "payment_plan", "custom_fields")


@operation("updateOrder")
def update_order(r: Request, order_id: int) -> dict:
    """The order's own properties (Job fields and custom fields, its payment plan). Promo codes, affiliates,
    terms and the external-system properties cannot be changed here: masking one of them is a 400."""
    s = r.s
    order = _order(s, order_id)
    changed = r.changed(_UPDATABLE)
    fixed = sorted(changed - set(_UPDATABLE))
    if fixed:
        raise invalid_field(f"update_mask.{fixed[0]}", "the sandbox cannot change this property of an order")
    values = _job_values(r, changed)
    if values:
        records.update(s, "Job", order_id, values)
    if "payment_plan" in changed:
        _set_payment_plan(s, order, r.body.get("payment_plan") or {})
    return order_json(s, _order(s, order_id))


def _set_payment_plan(s: AppSession, order: OrderRecord, plan: dict) -> None:
    for name in ("plan_start_date", "number_of_payments", "days_between_payments"):
        if plan.get(name) is None:
            raise invalid_field(f"payment_plan.{name}", "is required")
    start = in_date(plan["plan_start_date"], "payment_plan.plan_start_date")
    initial = in_date(plan["initial_payment_date"], "payment_plan.initial_payment_date") \
        if plan.get("initial_payment_date") else start
    card_id = in_id(plan["payment_method_id"], "payment_plan.payment_method_id") \
        if plan.get("payment_method_id") else 0
    if plan.get("auto_charge") and not card_id:
        raise invalid_field("payment_plan.payment_method_id", "is required when auto_charge is true")
    for name in ("number_of_payments", "days_between_payments", "max_charge_attempts", "days_between_retries"):
        if (plan.get(name) or 0) < 0:
            raise invalid_field(f"payment_plan.{name}", "must not be negative")
    if (plan.get("initial_payment_amount") or 0) < 0:
        raise invalid_field("payment_plan.initial_payment_amount", "must not be negative")
    domain.set_payment_plan(
        s, order.invoice_id, auto_charge=bool(plan.get("auto_charge")), card_id=card_id, merchant_account_id=0,
        days_between_retry=plan.get("days_between_retries") or 0, max_retry=plan.get("max_charge_attempts") or 0,
        initial_amount=plan.get("initial_payment_amount") or 0.0, initial_date=initial, start_date=start,
        payments_count=plan["number_of_payments"], days_between=plan["days_between_payments"])


@operation("deleteOrder")
def delete_order(r: Request, order_id: int) -> None:
    _order(r.s, order_id)
    domain.delete_order(r.s, order_id)


@operation("applyTax")
def apply_tax(r: Request, order_id: int) -> dict:
    """InvoiceService.recalculateTax: the tax lines replaced by each rate of the contact's state."""
    order = _order(r.s, order_id)
    invoices.recalculate_tax(r.s, order.invoice_id)
    return order_json(r.s, _order(r.s, order_id))


# --- items --------------------------------------------------------------------------------------------

@operation("createOrderItem")
def create_order_item(r: Request, order_id: int) -> dict:
    s = r.s
    order = _order(s, order_id)
    line = _line_values(s, r.body, "body", creating=True)
    product_id = line.get("product_id", 0)
    listed = order_reads.products_by_id(s, [product_id]).get(product_id)
    plan = catalog.plans_by_id(s, [line.get("subscription_plan_id")]).get(line.get("subscription_plan_id"))
    price = line.get("price")
    if price is None:
        price = plan.price if plan is not None else listed.price if listed is not None else 0.0
    item_id = domain.add_line(s, order.invoice_id, product_id, line["item_type"], price, line["quantity"],
                              line.get("description") or "", line.get("notes") or "", name=line.get("name"),
                              cost=line.get("cost"), subscription_plan_id=line.get("subscription_plan_id"))
    return _item_answer(s, order_id, item_id)


def _item_answer(s: AppSession, order_id: int, item_id: int) -> dict:
    item = _item(s, order_id, item_id)
    return item_json(s, item, _plans_of(s, [item]))


@operation("getOrderItem")
def get_order_item(r: Request, order_id: int, order_item_id: int) -> dict:
    _order(r.s, order_id)
    return _item_answer(r.s, order_id, order_item_id)


@operation("updateOrderItem")
def update_order_item(r: Request, order_id: int, order_item_id: int) -> dict:
    s = r.s
    _order(s, order_id)
    _item(s, order_id, order_item_id)
    fields = ("name", "description", "notes", "quantity", "price_per_unit", "cost_per_unit", "product_id",
              "subscription_plan_id", "subscription_plan_description")
    changed = r.changed(fields)
    if "quantity" in changed and r.body.get("quantity") is None:
        raise invalid_field("quantity", "an item's quantity cannot be cleared")
    given = {k: r.body.get(k) for k in changed}
    line = _line_values(s, given, "body", creating=False)
    for cleared in ("product_id", "subscription_plan_id"):
        if cleared in changed and not given.get(cleared):
            line[cleared] = None
    if line:
        domain.update_line(s, order_id, order_item_id, line)
    return _item_answer(s, order_id, order_item_id)


@operation("deleteOrderItem")
def delete_order_item(r: Request, order_id: int, order_item_id: int) -> None:
    _order(r.s, order_id)
    _item(r.s, order_id, order_item_id)
    domain.remove_order_item(r.s, order_id, order_item_id)


@operation("applyCommissionOnOrderItems")
def apply_commission(r: Request, order_id: int, order_item_id: int) -> dict:
    """OrderService's commission override on the item's product (addOrderCommissionOverride)."""
    s, body = r.s, r.body
    order = _order(s, order_id)
    item = _item(s, order_id, order_item_id)
    percent = body.get("pay_percent")
    if percent is not None and not 0 <= percent <= 100:
        raise invalid_field("pay_percent", "must be from 0 to 100")
    if (body.get("commission_amount") or 0) < 0:
        raise invalid_field("commission_amount", "must not be negative")
    when = in_date(body["commission_date"], "commission_date") if body.get("commission_date") else s.now_local()
    domain.add_order_commission_override(
        s, order.invoice_id, in_id(body["affiliate_id"], "affiliate_id"), item.product.id if item.product else 0,
        int(round(percent or 0)), body.get("commission_amount") or 0.0, PAYOUT_TYPES[body["payout_type"]],
        body.get("description") or "", when)
    return _item_answer(s, order_id, order_item_id)


# --- payments -----------------------------------------------------------------------------------------

@operation("listOrderPayments")
def list_order_payments(r: Request, order_id: int) -> dict:
    order = _order(r.s, order_id)
    page = order_reads.page_invoice_payments(r.s, order.invoice_id, r.list_query(ORDER_PAYMENTS))
    return r.page("invoice_order_payments", [_payment_json(r.s, p) for p in page.items], page)


@operation("createPaymentForAnOrder")
def create_payment(r: Request, order_id: int) -> dict | Reply:
    """A card on file charged now through the app's default merchant account (``payment_method_id``), or a
    payment recorded by hand (``payment_method_type``: CASH, CHECK, CREDIT_CARD, MONEY_ORDER, ADJUSTMENT,
    CREDIT)."""
    s, body = r.s, r.body
    order = _order(s, order_id)
    amount = body["payment_amount"]
    if amount <= 0:
        raise invalid_field("payment_amount", "must be greater than 0")
    if amount > order.total_due + 0.005:
        raise invalid_field("payment_amount", f"is more than the order's balance ({order.total_due:.2f})")
    bypass = not body["apply_to_commissions"]
    notes = body.get("notes") or ""
    if body.get("payment_method_id"):
        card_id = in_id(body["payment_method_id"], "payment_method_id")
        result = payments.charge_invoice(s, order.invoice_id, notes, card_id, 0, bypass, amount=amount)
        if not result["Successful"]:
            # the decline stays recorded (invoice.payment_failed: the failed-purchase goal): answered, not raised
            error = ApiError(400, f"The payment was declined: {result['Message']}", domain="payment_method_id",
                             resource=body["payment_method_id"])
            return Reply(error.body(), status=400)
        transaction = result["RefNum"]
    else:
        method = (body.get("payment_method_type") or "").strip().upper().replace(" ", "_")
        if method not in MANUAL_TYPES:
            raise invalid_field("payment_method_type", f"give payment_method_id, or one of {', '.join(MANUAL_TYPES)}")
        when = in_time(body["payment_time"], s.clock, "payment_time") if body.get("payment_time") else s.now_local()
        payments.add_manual_payment(s, order.invoice_id, amount, when, MANUAL_TYPES[method], notes, bypass)
        transaction = None
    payment_id = order_reads.last_payment_id(s, order.invoice_id)
    made = order_reads.invoice_payment_of(s, order.invoice_id, payment_id)
    return {"id": out_id(payment_id), "invoice_id": out_id(order.invoice_id), "payment_amount": made.amount,
            "payment_status_message": "APPROVED" if transaction else "MANUAL_PAID",
            "transaction_id": transaction or out_id(payment_id)}


@operation("updatePayment")
def update_payment(r: Request, order_id: int, payment_id: int) -> dict:
    """A payment's notes; for one recorded by hand also its time and amount. The external-system properties
    are not kept by the sandbox: masking one is a 400."""
    s = r.s
    order = _order(s, order_id)
    if order_reads.invoice_payment_of(s, order.invoice_id, payment_id) is None:
        raise not_found("Payment", payment_id)
    fields = ("notes", "payment_time", "payment_amount")
    changed = r.changed(fields)
    fixed = sorted(changed - set(fields))
    if fixed:
        raise invalid_field(f"update_mask.{fixed[0]}", "the sandbox does not keep this property of a payment")
    body = r.body
    if "payment_amount" in changed and body.get("payment_amount") is None:
        raise invalid_field("payment_amount", "a payment's amount cannot be cleared")
    if "payment_time" in changed and not body.get("payment_time"):
        raise invalid_field("payment_time", "a payment's time cannot be cleared")
    payments.update_payment(
        s, payment_id, note=(body.get("notes") or "") if "notes" in changed else None,
        when=in_time(body["payment_time"], s.clock, "payment_time") if "payment_time" in changed else None,
        amount=body["payment_amount"] if "payment_amount" in changed else None)
    return _payment_json(s, order_reads.invoice_payment_of(s, order.invoice_id, payment_id))
