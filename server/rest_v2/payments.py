"""Payment methods and their configs, merchants, sales (payments and transactions) and shipping methods (the
contract's ``Payment Methods``, ``Payment Method Configs``, ``Merchants``, ``Sales`` and ``Shipping``).

- A payment method is a card on file (CreditCard; ``payment_method_id`` is v1's ``credit_card_id``): every
  card but the deleted ones, charged through the app's default merchant account. Deactivating one is
  ``ProductService.deactivateCreditCard``; deleting one marks it deleted (``Status`` 2). The store keeps no
  creation time of a card: ``created_time`` orders by id (the order cards were added in), and the
  ``since_time``/``until_time`` filters are not offered.
- A payment method config's ``session_key`` is a card-submission token of the sandbox's card-entry page
  (``CreditCardSubmissionService.requestSubmissionToken``, docs/commerce.md): posting a card with it to
  ``/app/creditCardSubmission/addCreditCard`` saves the contact's new payment method.
- Merchants are the sandbox merchant accounts (docs/commerce.md), ``AUTHORIZE`` (sales_wire); ``is_test``
  when the account answers by the test card numbers. ``:setDefault`` changes what placeOrder charges through.
- Payments and transactions are the Payment rows (a declined charge leaves none, so every transaction is an
  ``APPROVED`` one): a card charge is a ``CAPTURE`` through its merchant account, a payment recorded by hand a
  ``MANUAL`` one.
- Shipping methods are ShippingService's options.
"""
from __future__ import annotations

from dataclasses import replace

from server.domain.commerce import cards, merchant, order_reads, payment_method_reads, shipping
from server.domain.commerce.payment_method_reads import CardRecord
from server.domain.commerce.payment_reads import PaymentRecord, page_payments
from server.domain.data.listing import Condition
from server.domain.session import AppSession

from .api import Request, operation
from .errors import invalid_field, not_found
from .filters import Id, Ids, Kind, Number, Since, Text, Until
from .paging import Listing
from .sales_wire import MERCHANT_TYPE, payment_method_json
from .wire import in_id, out_id, out_time


class Fixed(Kind):
    """A property every record has the same value of (``merchant_account_type==AUTHORIZE``): that value keeps
    every record, any other keeps none."""

    def __init__(self, *values: str, field: str | None = None):
        super().__init__(field)
        self.values = {v.lower() for v in values}

    def parse(self, name, target, clause, clock):
        return [] if clause.value.strip().lower() in self.values else [Condition("id", "eq", -1)]


class Method(Kind):
    """``transaction_method``: CAPTURE (a card charge) or MANUAL (recorded by hand); REFUND and VOID match
    nothing (the API cannot refund)."""

    def parse(self, name, target, clause, clock):
        value = clause.value.strip().upper()
        if value not in ("CAPTURE", "MANUAL", "REFUND", "VOID"):
            raise invalid_field(f"filter.{name}", f"'{clause.value}' is not CAPTURE, MANUAL, REFUND or VOID")
        if value in ("REFUND", "VOID"):
            return [Condition("id", "eq", -1)]
        return [Condition("charged", "eq", 1 if value == "CAPTURE" else 0)]


_SALES = {"amount": Number(), "order_id": Id(), "contact_id": Id(), "since_time": Since("pay_time"),
          "until_time": Until("pay_time"), "merchant_account_id": Id(),
          "merchant_account_type": Fixed(MERCHANT_TYPE)}
TRANSACTIONS = Listing(
    filters={**_SALES, "status": Fixed("APPROVED"), "transaction_method": Method(), "is_successful": Fixed("true")},
    order_by={"amount": "amount", "transaction_time": "pay_time", "contact_id": "contact_id"},
)
PAYMENTS = Listing(
    filters={**_SALES, "id": Number(), "ids": Ids("id"), "order_ids": Ids("order_id")},
    order_by={"id": "id", "amount": "amount", "payment_time": "pay_time", "contact_id": "contact_id"},
)
PAYMENT_METHODS = Listing(
    filters={"payment_method_id": Id("id"), "credit_card_id": Id("id"), "contact_id": Id(),
             "merchant_account_id": Id()},
    order_by={"payment_method_id": "id", "created_time": "id", "contact_id": "contact_id",
              "merchant_account_id": "merchant_account_id"},
)
CONTACT_PAYMENT_METHODS = Listing(filters={"merchant_account_id": Id()}, order_by={"created_time": "id"})
MERCHANTS = Listing(filters={"id": Id(), "name": Text(), "type": Fixed(MERCHANT_TYPE)},
                    order_by={"id": "id", "name": "name"})


def _default_merchant(s: AppSession) -> int | None:
    account = merchant.account(s, 0)
    return account.id if account is not None else None


# --- payment methods ----------------------------------------------------------------------------------

@operation("listPaymentMethods")
def list_payment_methods(r: Request) -> dict:
    page = payment_method_reads.page_cards(r.s, r.list_query(PAYMENT_METHODS))
    default = _default_merchant(r.s)
    return r.page("payment_methods", [payment_method_json(r.s, c, default) for c in page.items], page)


def _contact(s: AppSession, contact_id: int) -> None:
    if not order_reads.contacts_by_id(s, [contact_id]):
        raise not_found("Contact", contact_id)


@operation("listPaymentMethods_1")
def list_contact_payment_methods(r: Request, contact_id: int) -> dict:
    _contact(r.s, contact_id)
    q = r.list_query(CONTACT_PAYMENT_METHODS)
    page = payment_method_reads.page_cards(r.s, replace(q, where=q.where + (Condition("contact_id", "eq",
                                                                                          contact_id),)))
    default = _default_merchant(r.s)
    return r.page("records", [payment_method_json(r.s, c, default) for c in page.items], page)


def _card(s: AppSession, contact_id: int, card_id: int) -> CardRecord:
    _contact(s, contact_id)
    card = payment_method_reads.get_card(s, card_id)
    if card is None or card.contact_id != contact_id:
        raise not_found("Payment Method", card_id)
    return card


@operation("deactivatePaymentMethod")
def deactivate_payment_method(r: Request, contact_id: int, payment_method_id: int) -> None:
    _card(r.s, contact_id, payment_method_id)
    cards.deactivate(r.s, payment_method_id)


@operation("deletePaymentMethod")
def delete_payment_method(r: Request, contact_id: int, payment_method_id: int) -> None:
    _card(r.s, contact_id, payment_method_id)
    cards.delete(r.s, payment_method_id)


@operation("createPaymentMethodConfig")
def create_payment_method_config(r: Request) -> dict:
    """A card-entry session for the contact: the page sends the browser nowhere afterwards (no success or
    failure URL), the card is saved all the same."""
    text = (r.body or {}).get("contact_id")
    if not text:
        raise invalid_field("contact_id", "the contact whose payment method is entered is required")
    contact_id = in_id(text, "contact_id")
    if not order_reads.contacts_by_id(r.s, [contact_id]):
        raise invalid_field("contact_id", f"no contact has the id {text}")
    return {"session_key": cards.request_token(r.s, contact_id, "", "")}


# --- merchants ----------------------------------------------------------------------------------------

@operation("listMerchants")
def list_merchants(r: Request) -> dict:
    page = payment_method_reads.page_merchants(r.s, r.list_query(MERCHANTS))
    items = [{"id": out_id(m.id), "name": m.name, "type": MERCHANT_TYPE, "is_test": m.mode == "test_cards"}
             for m in page.items]
    return r.page("merchant_accounts", items, page, default_merchant_account_id=out_id(_default_merchant(r.s)))


@operation("setMerchantGatewayAsDefault")
def set_default_merchant(r: Request, id: int) -> None:  # noqa: A002 (the contract's path parameter)
    if merchant.account(r.s, id) is None:
        raise not_found("Merchant Account", id)
    merchant.set_default(r.s, id)


# --- sales --------------------------------------------------------------------------------------------

def _method_of(s: AppSession, p: PaymentRecord, default: int | None) -> dict | None:
    if p.card_id is None:
        return None
    card = CardRecord(p.card_id, p.contact_id, p.card_type, p.card_last4, p.card_expiration_month,
                      p.card_expiration_year, cards.VALID)
    return payment_method_json(s, card, p.merchant_account_id or default)


def _contacts(s: AppSession, found: list[PaymentRecord]) -> dict:
    return order_reads.contacts_by_id(s, [p.contact_id for p in found])


@operation("listTransactions")
def list_transactions(r: Request) -> dict:
    s = r.s
    page = page_payments(s, r.list_query(TRANSACTIONS))
    contacts, default = _contacts(s, page.items), _default_merchant(s)
    items = []
    for p in page.items:
        c = contacts.get(p.contact_id)
        charged = p.charge_id is not None
        items.append({
            "amount": p.amount, "status": "APPROVED", "description": p.note or None,
            "contact": {"id": out_id(c.id), "email": c.email, "given_name": c.first_name,
                        "family_name": c.last_name} if c is not None else None,
            "order_ids": [out_id(p.order_id)] if p.order_id else [], "contact_id": out_id(p.contact_id),
            "transaction_method": "CAPTURE" if charged else "MANUAL", "transaction_time": out_time(p.pay_time, s.clock),
            "external_reference_id": p.ref_num if charged else None,
            "external_response_code": p.approval_code if charged else None, "payment_id": out_id(p.id),
            "is_successful": True, "merchant_account_id": out_id(p.merchant_account_id),
            "merchant_account_type": MERCHANT_TYPE if charged else None,
            "payment_method": _method_of(s, p, default),
        })
    return r.page("transactions", items, page)


@operation("listPayments")
def list_payments(r: Request) -> dict:
    s = r.s
    page = page_payments(s, r.list_query(PAYMENTS))
    default = _default_merchant(s)
    items = [{
        "id": out_id(p.id), "type": p.pay_type, "amount": p.amount, "note": p.note or None,
        "status": "APPROVED" if p.charge_id is not None else "COMPLETED", "commissioned": p.commissioned,
        "synced": p.synced, "payment_time": out_time(p.pay_time, s.clock),
        "refund_payment_id": out_id(p.refund_id or None), "contact_id": out_id(p.contact_id),
        "order_ids": [out_id(p.order_id)] if p.order_id else [], "update_time": out_time(p.updated, s.clock),
        "external_transaction_id": p.ref_num, "merchant_account_id": out_id(p.merchant_account_id),
        "merchant_account_type": MERCHANT_TYPE if p.charge_id is not None else None,
        "payment_method": _method_of(s, p, default),
    } for p in page.items]
    return r.page("payments", items, page)


# --- shipping -----------------------------------------------------------------------------------------

@operation("listShippingMethods")
def list_shipping_methods(r: Request) -> dict:
    return {"shipping_methods": [
        {"id": o["id"], "name": o["name"], "description": o["description"] or None, "type": o["type"],
         "status": "ACTIVE" if o["active"] == "true" else "INACTIVE", "international": o["international"] == "true"}
        for o in shipping.all_options(r.s)]}
