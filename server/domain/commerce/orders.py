"""What an order can do: InvoiceService's blank orders and line items, OrderService.placeOrder, the Job
table's writes through DataService, and commission overrides."""
from __future__ import annotations

from datetime import timedelta

from server.domain.data import custom_fields
from server.domain.data.records import Values, Writer
from server.domain.errors import InvalidParameter, not_found
from server.store import schema
from server.store.session import AppSession
from server.tables import REGISTRY

from . import billing, cards, discounts, invoices, merchant, pay_plans, payments, products, subscriptions
from .amounts import money

JOB = REGISTRY.get("Job")

# InvoiceService.getAllPaymentOptions: the vendor sample's payment types, each its own name.
PAYMENT_OPTIONS = ("Credit Card (Manual)", "Check", "Cash", "Money Order", "Adjustment", "Credit Card", "Credit",
                   "Refund")


def create_blank_order(s: AppSession, contact_id: int, description: str, order_date, lead_affiliate_id: int,
                       sale_affiliate_id: int) -> int:
    """An order with an empty, unpaid invoice; returns the invoice's id."""
    date = invoices.local_date(s, order_date, "orderDate")
    _, invoice_id = invoices.create_order(s, contact_id, description, date, lead_affiliate_id=lead_affiliate_id,
                                          sale_affiliate_id=sale_affiliate_id)
    return invoice_id


def add_order_item(s: AppSession, invoice_id: int, product_id: int, item_type: int, price: float, qty: int,
                   description: str, notes: str) -> bool:
    add_line(s, invoice_id, product_id, item_type, price, qty, description, notes)
    return True


def add_line(s: AppSession, invoice_id: int, product_id: int, item_type: int, price: float, qty: int,
             description: str, notes: str, *, name: str | None = None, cost: float | None = None,
             subscription_plan_id: int | None = None) -> int:
    """InvoiceService.addOrderItem (and REST's new order items): a line on the invoice, its product's inventory
    taken down; returns the line's OrderItem id."""
    inv = invoices.require_invoice(s, invoice_id)
    if item_type not in invoices.ITEM_TYPES:
        raise InvalidParameter(f"Invalid order item type: {item_type} (0 to 14)")
    products.quantity(qty)
    if product_id:
        product = products.require(s, product_id)
        name = name or product.product_name
        description = description or product.product_name or ""
    if subscription_plan_id:
        products.plan(s, subscription_plan_id)
    invoice_item_id = invoices.add_item(s, inv, product_id=product_id, item_type=item_type, price=price, qty=qty,
                                        description=description or "", notes=notes or "", name=name,
                                        subscription_plan_id=subscription_plan_id, cost=cost)
    if product_id and item_type in (invoices.PRODUCT, invoices.UPSELL):
        products.sold(s, product_id, qty)
    invoices.refresh(s, invoice_id)
    s.emit("invoice.updated", "invoice", invoice_id, contact_id=inv.contact_id, order_id=inv.job_id,
           change="item_added", product_id=product_id or None, item_type=item_type)
    return s.get(schema.invoice_item, invoice_item_id, schema.invoice_item.c.order_item_id).order_item_id


def _as_strings(result: dict) -> dict:
    """placeOrder's struct: every value a string (yail parses OrderId with Long.parseLong and Successful with
    Boolean.parseBoolean; the vendor sample shows the literal "None" placeholders)."""
    return {k: ("true" if v else "false") if isinstance(v, bool) else str(v) for k, v in result.items()}


def place_order(s: AppSession, contact_id: int, card_id: int, pay_plan_id: int, product_ids: list,
                plan_ids: list, process_specials: bool, promo_codes: list, lead_affiliate_id: int = 0,
                sale_affiliate_id: int = 0) -> dict:
    """Products (one line per product, its quantity how often its id is listed) and subscriptions (each
    started, its first cycle on this invoice unless a free trial delays it), specials, tax, then the charge
    on ``card_id`` through the app's default merchant account (0: no charge)."""
    contact = invoices.require_contact(s, contact_id)
    product_ids = [_id(p, "productIds") for p in product_ids]
    plan_ids = [_id(p, "subscriptionPlanIds") for p in plan_ids]
    if not product_ids and not plan_ids:
        raise InvalidParameter("An order needs at least one product or subscription plan")
    counts: dict[int, int] = {}
    for pid in product_ids:
        counts[pid] = counts.get(pid, 0) + 1
    catalogue = {pid: products.require(s, pid) for pid in counts}
    plans = [products.plan(s, pid) for pid in plan_ids]
    if card_id:
        cards.require(s, card_id)
    codes = [str(c) for c in promo_codes if str(c).strip()]
    first = catalogue[product_ids[0]].product_name if product_ids else products.plan_name(s, plans[0])
    title = first if len(counts) + len(plans) == 1 else f"{first} and more"
    job_id, invoice_id = invoices.create_order(
        s, contact.id, title or "Order", lead_affiliate_id=lead_affiliate_id, sale_affiliate_id=sale_affiliate_id,
        order_type="Online", promo_codes=codes)
    invoice = s.get(schema.invoice, invoice_id)
    for pid, qty in counts.items():
        product = catalogue[pid]
        invoices.add_item(s, invoice, product_id=pid, item_type=invoices.PRODUCT, price=product.product_price or 0.0,
                          qty=qty, description=product.product_name or "", name=product.product_name)
        products.sold(s, pid, qty)
    now = s.now_local()
    for plan in plans:
        trial = discounts.free_trial_days(s, plan.id, invoice) if process_specials else 0
        sub_id = subscriptions.add(s, contact.id, plan.id, credit_card_id=card_id, affiliate_id=sale_affiliate_id,
                                   lead_affiliate_id=lead_affiliate_id, originating_order_id=job_id,
                                   promo_code=codes[0] if codes else None, start=now,
                                   next_bill=now + timedelta(days=trial))
        sub = s.get(schema.recurring_order, sub_id)
        if trial:
            invoices.add_item(s, invoice, product_id=plan.product_id or 0, item_type=invoices.FREE_TRIAL, price=0.0,
                              qty=1, description=f"{products.plan_name(s, plan)}: {trial}-day free trial",
                              subscription_plan_id=plan.id)
        else:  # the first cycle is paid with the order; the subscription bills again a cycle later
            end = subscriptions.bill_cycles(s, sub, invoice, [now])
            subscriptions.set_next_bill_date(s, sub_id, end)
            s.update(schema.recurring_order, schema.recurring_order.c.id == sub_id, last_bill_date=now)
    if process_specials:
        discounts.apply_specials(s, invoice)
    if any(p.taxable for p in catalogue.values()) or any(p.taxable for p in plans):
        invoices.recalculate_tax(s, invoice_id)
    invoices.refresh(s, invoice_id)
    invoice = s.get(schema.invoice, invoice_id)

    result = {"Successful": False, "Message": "None", "RefNum": "None", "OrderId": job_id, "InvoiceId": invoice_id,
              "Code": ""}  # the vendor sample of an order placed without a card
    if (invoice.invoice_total or 0) <= 0:
        if invoices.mark_free_order_paid(s, invoice_id):
            payments.settled(s, invoice_id, payments.MANUAL)
        result.update(Successful=True, Code=merchant.SKIPPED if card_id else "")
    elif card_id:
        charge = payments.charge_invoice(s, invoice_id, "Order placed through the API", card_id, 0, False)
        result.update(Successful=charge["Successful"], Message=charge["Message"], RefNum=charge["RefNum"],
                      Code=charge["Code"])
    return _as_strings(result)


def create_order(s: AppSession, contact_id: int, title: str, order_date, order_type: str, items: list[dict], *,
                 promo_codes=(), lead_affiliate_id: int = 0, sale_affiliate_id: int = 0,
                 shipping: dict | None = None, notes: str | None = None, due_date=None) -> tuple[int, int]:
    """An order with its lines and no charge (REST ``POST /orders``). Each item: ``{quantity, product_id?,
    item_type? (PRODUCT), subscription_plan_id?, price?, cost?, name?, description?, notes?}``, a product's or
    plan's line at its price unless one is given; specials apply when promo codes are given (as placeOrder's
    processSpecials), tax as placeOrder computes it. ``shipping``: the address, by the names of
    order_reads.Shipping. An order of lines that come to 0 is paid as placed. Returns ``(order id, invoice id)``."""
    lines = [_line(s, item) for item in items]
    taxed = [line.pop("taxable") for line in lines]
    codes = [str(c) for c in promo_codes if str(c).strip()]
    job_values = shipping_columns(shipping or {})
    if due_date is not None:
        job_values["due_date"] = due_date
    job_id, invoice_id = invoices.create_order(
        s, contact_id, title, order_date, lead_affiliate_id=lead_affiliate_id, sale_affiliate_id=sale_affiliate_id,
        order_type=order_type, promo_codes=codes, notes=notes, job_values=job_values)
    invoice = s.get(schema.invoice, invoice_id)
    for line in lines:
        invoices.add_item(s, invoice, **line)
        if line["product_id"] and line["item_type"] in (invoices.PRODUCT, invoices.UPSELL):
            products.sold(s, line["product_id"], line["qty"])
    if codes:
        discounts.apply_specials(s, invoice)
    if any(taxed):
        invoices.recalculate_tax(s, invoice_id)
    invoices.refresh(s, invoice_id)
    if lines and invoices.mark_free_order_paid(s, invoice_id):
        payments.settled(s, invoice_id, payments.MANUAL)
    return job_id, invoice_id


def _line(s: AppSession, item: dict) -> dict:
    """invoices.add_item's arguments for a line of a new order (and whether it is taxed); a product or plan
    must exist, and gives the line its price and name when the item does not."""
    item_type = item.get("item_type", invoices.PRODUCT)
    qty = products.quantity(item["quantity"])
    if item.get("price") is not None and item["price"] < 0:
        raise InvalidParameter("An item's price cannot be negative")
    product = products.require(s, item["product_id"]) if item.get("product_id") else None
    plan = products.plan(s, item["subscription_plan_id"]) if item.get("subscription_plan_id") else None
    if item_type in (invoices.PRODUCT, invoices.UPSELL) and product is None:
        raise InvalidParameter("A product line needs a product_id")
    if item_type == invoices.SUBSCRIPTION and plan is None:
        raise InvalidParameter("A subscription line needs a subscription_plan_id")
    if plan is not None and product is None and plan.product_id:
        product = products.require(s, plan.product_id)
    listed = plan.plan_price if plan is not None else product.product_price if product is not None else 0.0
    name = item.get("name") or (products.plan_name(s, plan) if plan is not None else
                                product.product_name if product is not None else None)
    return dict(product_id=product.id if product is not None else 0, item_type=item_type, qty=qty,
                price=listed or 0.0 if item.get("price") is None else item["price"], cost=item.get("cost"),
                description=item.get("description") or name or "", notes=item.get("notes") or "", name=name,
                subscription_plan_id=plan.id if plan is not None else None,
                taxable=bool(product is not None and product.taxable or plan is not None and plan.taxable))


# an order's shipping address (order_reads.Shipping's names) <-> the Job's columns
SHIPPING_COLUMNS = {"first_name": "ship_first_name", "middle_name": "ship_middle_name", "last_name": "ship_last_name",
                    "company": "ship_company", "phone": "ship_phone", "line1": "ship_street1",
                    "line2": "ship_street2", "locality": "ship_city", "region": "ship_state", "zip_code": "ship_zip",
                    "country": "ship_country"}


def shipping_columns(address: dict) -> dict:
    return {SHIPPING_COLUMNS[k]: v for k, v in address.items()}


def remove_order_item(s: AppSession, order_id: int, order_item_id: int) -> None:
    """Take a line off an order's invoice (a product's inventory gets the quantity back)."""
    invoice_id = invoice_of_order(s, order_id)
    inv = invoices.require_invoice(s, invoice_id)
    line = next((r for r in invoices.lines(s, invoice_id) if r.order_item_id == order_item_id), None)
    if line is None:
        raise not_found("OrderItem", order_item_id)
    invoices.delete_lines(s, [line])
    if line.product_id and line.item_type in (invoices.PRODUCT, invoices.UPSELL):
        row = s.get(schema.product, line.product_id, schema.product.c.inventory)
        if row is not None and row.inventory is not None:
            products.change_inventory(s, line.product_id, line.qty or 0, reason="order_item_removed")
    invoices.refresh(s, invoice_id)
    s.emit("invoice.updated", "invoice", invoice_id, contact_id=inv.contact_id, order_id=inv.job_id,
           change="item_removed", product_id=line.product_id or None, item_type=line.item_type)


_LINE_COLUMNS = {"name": "item_name", "description": "item_description", "notes": "notes", "quantity": "qty",
                 "price": "ppu", "cost": "cpu", "product_id": "product_id",
                 "subscription_plan_id": "subscription_plan_id"}


def update_line(s: AppSession, order_id: int, order_item_id: int, changes: dict) -> None:
    """Change a line of an order (REST's order item update): ``changes`` by the names of ``_LINE_COLUMNS``.
    The line's amount and the invoice's totals follow; a product line's quantity moves its inventory."""
    invoice_id = invoice_of_order(s, order_id)
    inv = invoices.require_invoice(s, invoice_id)
    oi, ii = schema.order_item, schema.invoice_item
    row = s.get(oi, order_item_id)
    if row is None or row.order_id != order_id:
        raise not_found("OrderItem", order_item_id)
    if changes.get("quantity") is not None:
        products.quantity(changes["quantity"])
    if changes.get("price") is not None and changes["price"] < 0:
        raise InvalidParameter("An item's price cannot be negative")
    if changes.get("product_id"):
        products.require(s, changes["product_id"])
    if changes.get("subscription_plan_id"):
        products.plan(s, changes["subscription_plan_id"])
    values = {_LINE_COLUMNS[k]: v for k, v in changes.items()}
    if "ppu" in values:
        values["ppu"] = money(values["ppu"] or 0.0)
    if values:
        s.update(oi, oi.c.id == order_item_id, **values)
    qty, price = values.get("qty") or row.qty or 0, values.get("ppu", row.ppu) or 0.0
    s.update(ii, ii.c.order_item_id == order_item_id, invoice_amt=money(price * qty),
             description=values.get("item_description", row.item_description), last_updated=s.now_local())
    product_id = values.get("product_id", row.product_id)
    if product_id and product_id == row.product_id and row.item_type in (invoices.PRODUCT, invoices.UPSELL):
        moved = qty - (row.qty or 0)
        if moved > 0:
            products.sold(s, product_id, moved)
        elif moved < 0 and s.get(schema.product, product_id, schema.product.c.inventory).inventory is not None:
            products.change_inventory(s, product_id, -moved, reason="order_item_updated")
    invoices.refresh(s, invoice_id)
    s.emit("invoice.updated", "invoice", invoice_id, contact_id=inv.contact_id, order_id=inv.job_id,
           change="item_updated", product_id=product_id or None, item_type=row.item_type)


def delete_order(s: AppSession, order_id: int) -> None:
    """Delete an order that has no payments, with its invoice (REST ``DELETE /orders/{id}``)."""
    inv = schema.invoice
    invoice_ids = [r.id for r in s.execute(s.select(inv, inv.c.id).where(inv.c.job_id == order_id))]
    p = schema.payment
    if invoice_ids and s.execute(s.select(p, p.c.id).where(p.c.invoice_id.in_(invoice_ids)).limit(1)).first():
        raise InvalidParameter("An order with payments cannot be deleted")
    for invoice_id in invoice_ids:
        invoices.delete_invoice(s, invoice_id)


def set_payment_plan(s: AppSession, invoice_id: int, *, auto_charge: bool, card_id: int, merchant_account_id: int,
                     days_between_retry: int, max_retry: int, initial_amount: float, initial_date, start_date,
                     payments_count: int, days_between: int) -> None:
    """InvoiceService.addPaymentPlan (and REST ``PUT /orders/{id}/paymentPlan``): the invoice's new plan, its
    auto-charged instalments booked on the app's clock."""
    invoice = invoices.require_invoice(s, invoice_id)
    if auto_charge:
        cards.require(s, card_id)
    removed, added = pay_plans.add_payment_plan(
        s, invoice, auto_charge=auto_charge, credit_card_id=card_id, merchant_account_id=merchant_account_id,
        days_between_retry=days_between_retry, max_retry=max_retry, initial_amount=initial_amount,
        initial_date=invoices.local_date(s, initial_date, "initialPaymentDate"),
        start_date=invoices.local_date(s, start_date, "planStartDate"), payments=payments_count,
        days_between=days_between)
    billing.cancel(s, "instalment", removed)
    if auto_charge:
        for item in pay_plans.items_of(s, pay_plans.plan_of(s, invoice_id).id):
            if item.id in added and item.status != pay_plans.ITEM_PAID:
                billing.schedule(s, "instalment", item.id, item.date_due)
    s.emit("invoice.updated", "invoice", invoice_id, contact_id=invoice.contact_id, order_id=invoice.job_id,
           change="payment_plan")


def _id(value, where: str) -> int:
    if isinstance(value, bool):
        raise InvalidParameter(f"Invalid id in {where}: {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    raise InvalidParameter(f"Invalid id in {where}: {value!r}")


def invoice_of_order(s: AppSession, order_id: int) -> int:
    inv = schema.invoice
    row = s.execute(s.select(inv, inv.c.id).where(inv.c.job_id == order_id).order_by(inv.c.id).limit(1)).first()
    return row.id if row else 0


def order_of_invoice(s: AppSession, invoice_id: int) -> int:
    row = s.get(schema.invoice, invoice_id, schema.invoice.c.job_id)
    return int(row.job_id) if row else 0


def set_invoice_synced(s: AppSession, invoice_id: int, synced: bool) -> bool:
    inv = invoices.require_invoice(s, invoice_id)
    s.update(schema.invoice, schema.invoice.c.id == invoice_id, synced=1 if synced else 0)
    s.emit("invoice.updated", "invoice", invoice_id, contact_id=inv.contact_id, order_id=inv.job_id,
           change="synced", synced=bool(synced))
    return True


# --- commission overrides --------------------------------------------------------------------------------

def _payout_type(value: int) -> int:
    if value not in (4, 5):
        raise InvalidParameter("payoutType must be 4 (paid up front) or 5 (paid after the customer pays)")
    return value


def add_order_commission_override(s: AppSession, invoice_id: int, affiliate_id: int, product_id: int,
                                  percentage: int, amount: float, payout_type: int, description: str, date) -> bool:
    inv = invoices.require_invoice(s, invoice_id)
    if product_id:
        products.require(s, product_id)
    override_id = s.next_id("commission_override")
    s.insert(schema.commission_override, dict(
        id=override_id, invoice_id=invoice_id, affiliate_id=affiliate_id, product_id=product_id or None,
        percentage=percentage, amount=money(amount), payout_type=_payout_type(payout_type),
        description=description or "", date=invoices.local_date(s, date, "date")))
    s.emit("commission_override.added", "invoice", invoice_id, contact_id=inv.contact_id, invoice_id=invoice_id,
           affiliate_id=affiliate_id, override_id=override_id)
    return True


def add_recurring_commission_override(s: AppSession, subscription_id: int, affiliate_id: int, amount: float,
                                      payout_type: int, description: str) -> bool:
    sub = subscriptions.require(s, subscription_id)
    override_id = s.next_id("commission_override")
    s.insert(schema.commission_override, dict(
        id=override_id, recurring_order_id=subscription_id, affiliate_id=affiliate_id,
        amount=money(amount), payout_type=_payout_type(payout_type), description=description or "",
        date=s.now_local()))
    s.emit("commission_override.added", "recurring_order", subscription_id, contact_id=sub.contact_id,
           affiliate_id=affiliate_id, override_id=override_id)
    return True


# --- DataService writes of Job -----------------------------------------------------------------------------

def _add(s: AppSession, table, values: Values) -> int:
    """A Job added through DataService gets its (empty) invoice, as every order has one."""
    row = dict(values.columns)
    contact_id = row.pop("contact_id", None)
    if not contact_id:
        raise InvalidParameter("Job.ContactId is required")
    job_id, _ = invoices.create_order(s, contact_id, row.get("job_title") or "", row.get("start_date"),
                                      order_type=row.get("order_type") or "Offline", job_values=row)
    if values.customs:
        custom_fields.write_values(s, job_id, values.customs)
    return job_id


def _update(s: AppSession, table, job_id: int, values: Values) -> None:
    row = dict(values.columns)
    if row.get("contact_id") is not None:
        invoices.require_contact(s, row["contact_id"])
    if row:
        s.update(schema.job, schema.job.c.id == job_id, **row, last_updated=s.now_local())
    if row.get("contact_id") is not None:
        s.update(schema.invoice, schema.invoice.c.job_id == job_id, contact_id=row["contact_id"])
    if values.customs:
        custom_fields.write_values(s, job_id, values.customs)
    job = s.get(schema.job, job_id, schema.job.c.contact_id)
    s.emit("order.updated", "job", job_id, contact_id=job.contact_id, fields=values.names)


def _no_delete(s: AppSession, table, job_id: int) -> None:  # EAR: orders go with InvoiceService.deleteInvoice
    raise AssertionError("Job rows are deleted through InvoiceService.deleteInvoice")


WRITER = Writer(("Job",), _add, _update, _no_delete)
