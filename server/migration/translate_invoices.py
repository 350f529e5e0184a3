"""InvoiceService's methods keyed by an invoice id, translated to REST v2 as steps (issue 19 §3; see
translate.py): v2 addresses the order, and an order and its invoice have different ids, so the first step finds
the invoice's order (``listOrders?filter=invoice_id==``, InvoiceService.getOrderId's translation) and the next
addresses it, taking its id (and, for a commission override, its item of the product) from that answer.
OrderService.placeOrder is steps too: the first product read (the order is named after it), the order made at
the caller's now, then the card charged the order's balance."""
from __future__ import annotations

from collections.abc import Callable

from .translate_services import _number, _order_of_invoice
from .v2call import CannotTranslate, From, Now, V2Call, arg, dig, flag, utc_time

ORDER_ID = From(0, ("orders", 0, "id"), what="orders.0.id (the invoice's order)")
ORDER_PATH = {"order_id": ORDER_ID}

# addOrderItem's type codes (xmlrpc-api.md §2.5) as CreateOrderItemRequest's item_type; v2 creates no item of
# the others (0 Unknown, 5 Upsell product, 8 Program) and a SUBSCRIPTION item needs a plan, not a product
ITEM_TYPES = {1: "SHIPPING", 2: "TAX", 3: "OTHER", 4: "PRODUCT", 6: "FINANCE_CHARGE", 7: "DISCOUNT",
              10: "DISCOUNT_FREE_TRIAL", 11: "DISCOUNT_ORDER_TOTAL", 12: "DISCOUNT_PRODUCT",
              13: "DISCOUNT_PRODUCT_CATEGORY", 14: "DISCOUNT_SHIPPING"}
# addManualPayment's paymentType (InvoiceService.getAllPaymentOptions' names) as a v2 payment_method_type
PAYMENT_TYPES = {"cash": "CASH", "check": "CHECK", "credit card (manual)": "CREDIT_CARD", "credit card": "CREDIT_CARD",
                 "money order": "MONEY_ORDER", "adjustment": "ADJUSTMENT", "credit": "CREDIT"}
PAYOUT_TYPES = {4: "UPFRONT", 5: "PAYMENT_RECEIVED"}  # addOrderCommissionOverride's payoutType
# a Payment row (getPayments) and where a v2 order payment holds each field
PAYMENT_FIELDS = {"Id": ("payment_id",), "PayAmt": ("amount",), "InvoiceId": ("invoice_id",), "PayNote": ("note",)}


def _on_order(then: Callable[[list], V2Call]) -> Callable[[list], tuple[V2Call, ...]]:
    """The invoice's order looked up (params[0], the invoice id), then ``then(params)``, addressing it."""
    def translate(p: list) -> tuple[V2Call, ...]:
        return _order_of_invoice(p), then(p)
    return translate


def _item(p: list) -> V2Call:
    code = arg(p, 2, int, "type")
    if code not in ITEM_TYPES:
        raise CannotTranslate(f"params[2] (type): v2 creates no item of type {code}; the compare tool translates "
                              f"{', '.join(f'{c} ({n})' for c, n in ITEM_TYPES.items())}")
    body: dict = {"item_type": ITEM_TYPES[code], "price_per_unit": _number(p, 3, "price"),
                  "quantity": arg(p, 4, int, "quantity"), "description": arg(p, 5, str, "description"),
                  "notes": arg(p, 6, str, "notes")}
    if arg(p, 1, int, "productId"):
        body["product_id"] = str(p[1])
    for name in ("description", "notes"):  # v2 refuses whitespace where XML-RPC takes an empty text
        if not body[name].strip():
            del body[name]
    return V2Call("createOrderItem", path=ORDER_PATH, body=body, fields={}, items="")


def _manual_payment(p: list) -> V2Call:
    kind = arg(p, 3, str, "paymentType")
    if kind.strip().lower() not in PAYMENT_TYPES:
        raise CannotTranslate(f"params[3] (paymentType): v2 records a payment of the types "
                              f"{', '.join(sorted(set(PAYMENT_TYPES.values())))}; the compare tool translates "
                              f"{', '.join(sorted(PAYMENT_TYPES))}, not {kind!r}")
    body = {"payment_amount": _number(p, 1, "amount"),
            "payment_time": utc_time(p[2] if len(p) > 2 else None, "params[2] (paymentDate)"),
            "payment_method_type": PAYMENT_TYPES[kind.strip().lower()],
            "apply_to_commissions": not flag(p, 5, "bypassCommissions")}
    if arg(p, 4, str, "description").strip():
        body["notes"] = p[4]
    return V2Call("createPaymentForAnOrder", path=ORDER_PATH, body=body, fields={}, items="")


def _charge(p: list) -> V2Call:
    arg(p, 3, int, "merchantAccountId")  # v2 charges through the app's default merchant account
    body = {"payment_method_id": str(arg(p, 2, int, "creditCardId")), "apply_to_commissions":
            not flag(p, 4, "bypassCommissions"),
            "payment_amount": From(0, ("orders", 0, "total_due", "amount"), lambda cents: round(cents / 100, 2),
                                   "orders.0.total_due (the balance to charge)")}
    if arg(p, 1, str, "notes").strip():
        body["notes"] = p[1]
    return V2Call("createPaymentForAnOrder", path=ORDER_PATH, body=body, fields={}, items="")


def _payments(p: list) -> V2Call:
    return V2Call("listOrderPayments", path=ORDER_PATH, fields=PAYMENT_FIELDS, items="invoice_order_payments")


def _order(operation_id: str) -> Callable[[list], V2Call]:
    def translate(p: list) -> V2Call:
        return V2Call(operation_id, path=ORDER_PATH, fields={}, items="")
    return translate


def _commission(p: list) -> V2Call:
    product = str(arg(p, 2, int, "productId"))
    payout = arg(p, 5, int, "payoutType")
    if payout not in PAYOUT_TYPES:
        raise CannotTranslate("params[5] (payoutType) must be 4 (up front) or 5 (when the payment is received)")

    def item_of_product(items: list):
        return next((i["id"] for i in items if dig(i, ("product", "id")) == product), None)

    item = From(0, ("orders", 0, "order_items"), item_of_product, f"order item of the product {product}")
    body = {"affiliate_id": str(arg(p, 1, int, "affiliateId")), "pay_percent": arg(p, 3, int, "percentage"),
            "commission_amount": _number(p, 4, "amount"), "payout_type": PAYOUT_TYPES[payout],
            "commission_date": utc_time(p[7] if len(p) > 7 else None, "params[7] (date)")[:10]}
    if arg(p, 6, str, "description").strip():
        body["description"] = p[6]
    return V2Call("applyCommissionOnOrderItems", path={**ORDER_PATH, "order_item_id": item}, body=body, fields={},
                  items="")


def _ids(p: list, index: int, name: str) -> list[int]:
    value = p[index] if len(p) > index else None
    if not isinstance(value, list) or any(isinstance(i, bool) or not isinstance(i, int) for i in value):
        raise CannotTranslate(f"params[{index}] ({name}) must be a list of integers")
    return value


def _place_order(p: list) -> tuple[V2Call, ...]:
    contact, card = arg(p, 0, int, "contactId"), arg(p, 1, int, "creditCardId")
    arg(p, 2, int, "payPlanId")
    products = _ids(p, 3, "productIds")
    if _ids(p, 4, "subscriptionPlanIds"):
        raise CannotTranslate("params[4] (subscriptionPlanIds): the compare tool translates an order of products "
                              "only (XML-RPC starts each plan's subscription with the order)")
    if not products:
        raise CannotTranslate("params[3] (productIds): an order needs at least one product")
    codes = p[6] if len(p) > 6 else None
    if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
        raise CannotTranslate("params[6] (promoCodes) must be a list of texts")
    codes = [c for c in codes if c.strip()]
    if flag(p, 5, "processSpecials") != bool(codes):
        raise CannotTranslate("params[5] (processSpecials): v2 applies the specials when promo codes are given; "
                              "the compare tool translates processSpecials true with promo codes, false without")
    counts: dict[int, int] = {}
    for product in products:
        counts[product] = counts.get(product, 0) + 1

    def title(name: str) -> str:  # placeOrder names the order after its first product
        return name if len(counts) == 1 else f"{name} and more"

    body: dict = {"contact_id": str(contact), "order_type": "ONLINE", "order_time": Now(),
                  "order_title": From(0, ("name",), title, "name (the first product's)"),
                  "order_items": [{"product_id": str(i), "quantity": n, "item_type": "PRODUCT"}
                                  for i, n in counts.items()]}
    if codes:
        body["promo_codes"] = codes
    for index, name, prop in ((7, "leadAffiliateId", "lead_affiliate_id"), (8, "saleAffiliateId",
                                                                             "sales_affiliate_id")):
        if len(p) > index and arg(p, index, int, name):
            body[prop] = str(p[index])
    made = (V2Call("getProduct", path={"product_id": str(products[0])}, fields={}, items=""),
            V2Call("createOrder", body=body, fields={}, items=""))
    if not card:  # XML-RPC charges nothing without a card
        return made
    return (*made, V2Call("createPaymentForAnOrder", path={"order_id": From(1, ("id",), what="id (the order's)")},
                          body={"payment_method_id": str(card), "notes": "Order placed through the API",
                                "apply_to_commissions": True,
                                "payment_amount": From(1, ("total_due", "amount"), lambda c: round(c / 100, 2),
                                                       "total_due (the balance to charge)")},
                          fields={}, items=""))


INVOICE_TRANSLATORS: dict[str, Callable[[list], tuple[V2Call, ...]]] = {
    "InvoiceService.addOrderItem": _on_order(_item),
    "InvoiceService.addManualPayment": _on_order(_manual_payment),
    "InvoiceService.chargeInvoice": _on_order(_charge),
    "InvoiceService.getPayments": _on_order(_payments),
    "InvoiceService.calculateAmountOwed": _on_order(_order("getOrder")),
    "InvoiceService.deleteInvoice": _on_order(_order("deleteOrder")),
    "InvoiceService.recalculateTax": _on_order(_order("applyTax")),
    "InvoiceService.addOrderCommissionOverride": _on_order(_commission),
    "OrderService.placeOrder": _place_order,
}
