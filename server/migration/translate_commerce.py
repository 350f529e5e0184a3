"""XML-RPC calls of the commerce services (invoices, orders, discounts, affiliates) translated to REST v2,
for the side-by-side compare (issue 19 §3); see translate.py.

Translated: subscriptions (add, invoice, deactivate, next bill date), the cards on file of a contact (and one
deactivated: its contact looked up first), the e-commerce switch, category discounts (made, a category added:
the list read, then written whole), the methods keyed by an invoice id (translate_invoices: the invoice's order
looked up first), and the affiliate ledger and program reads."""
from __future__ import annotations

from collections.abc import Callable

from .translate_invoices import INVOICE_TRANSLATORS
from .translate_services import _number
from .v2call import CannotTranslate, From, V2Call, arg, flag, utc_time

# a RecurringOrder (DataService.load) and where a v2 subscription holds each field
SUBSCRIPTION_FIELDS = {"Id": ("id",), "ContactId": ("contact_id",), "SubscriptionPlanId": ("subscription_plan_id",),
                       "Qty": ("quantity",), "BillingAmt": ("billing_amount",), "CC1": ("payment_method_id",),
                       "AffiliateId": ("sale_affiliate_id",)}


def _subscription(p: list, extra: dict, card_index: int, affiliate_index: int, days_index: int) -> V2Call:
    body: dict = {"contact_id": str(arg(p, 0, int, "contactId")), "allow_duplicate": flag(p, 1, "allowDup"),
                  "subscription_plan_id": str(arg(p, 2, int, "cProgramId")), **extra}
    for index, name, prop in ((card_index, "creditCardId", "payment_method_id"),
                              (affiliate_index, "affiliateId", "sale_affiliate_id")):
        if arg(p, index, int, name):
            body[prop] = str(p[index])
    if arg(p, days_index, int, "daysTillCharge"):
        raise CannotTranslate(f"params[{days_index}] (daysTillCharge): v2 takes a start_date on the app's calendar; "
                              "the compare tool translates 0 (bill today) only")
    return V2Call("createSubscription", body=body, fields=SUBSCRIPTION_FIELDS, items="subscriptions")


def _recurring_7(p: list) -> V2Call:
    arg(p, 3, int, "merchantAccountId")  # v2 bills through the app's default merchant account
    return _subscription(p, {}, 4, 5, 6)


def _recurring(p: list) -> V2Call:
    if len(p) == 7:
        return _recurring_7(p)
    price = p[4] if len(p) > 4 else None
    if isinstance(price, bool) or not isinstance(price, int | float):
        raise CannotTranslate("params[4] (price) must be a number")
    arg(p, 6, int, "merchantAccountId")  # as the 7-parameter form's
    return _subscription(p, {"quantity": arg(p, 3, int, "qty"), "billing_amount": price,
                             "allow_tax": flag(p, 5, "allowTax")}, 7, 8, 9)


def _subscription_id(operation_id: str, with_body: bool = False) -> Callable[[list], V2Call]:
    def translate(p: list) -> V2Call:
        return V2Call(operation_id, path={"subscription_id": str(arg(p, 0, int, "subscriptionId"))},
                      body={} if with_body else None, fields={}, items="")
    return translate


def _next_bill_date(p: list) -> V2Call:
    value = p[1] if len(p) > 1 else None
    day = utc_time(value, "params[1] (nextBillDate)")[:10]  # v2 bill dates are the app's calendar dates
    return V2Call("updateSubscription", path={"subscription_id": str(arg(p, 0, int, "recurringOrderId"))},
                  query={"update_mask": "next_bill_date"}, body={"next_bill_date": day},
                  fields=SUBSCRIPTION_FIELDS, items="subscriptions")


def _cards(p: list) -> V2Call:
    arg(p, 1, str, "last4")  # v2 lists the contact's cards: match card_info.last_four on the answer
    return V2Call("listPaymentMethods_1", path={"contact_id": str(arg(p, 0, int, "contactId"))}, fields={},
                  items="records")


def _plugin(p: list) -> V2Call:
    arg(p, 0, str, "className")  # v2 asks about the application, not a plugin class
    return V2Call("isApplicationEnabled", fields={}, items="")


def _category_discount(p: list) -> V2Call:
    return V2Call("getCategoryDiscount", path={"discount_id": str(arg(p, 0, int, "id"))}, fields={}, items="")


def _deactivate_card(p: list) -> tuple[V2Call, ...]:
    card = str(arg(p, 0, int, "creditCardId"))
    return (V2Call("listPaymentMethods", query={"filter": f"payment_method_id=={card}"}, fields={},
                   items="payment_methods"),
            V2Call("deactivatePaymentMethod", path={"contact_id": From(0, ("payment_methods", 0, "contact_id"),
                                                                    what="payment_methods.0.contact_id (the "
                                                                         "card's contact)"),
                                                    "payment_method_id": card}, fields={}, items=""))


def _add_category_discount(p: list) -> V2Call:
    # v2 requires product_category_ids at creation: XML-RPC's discount covers none until assigned, so an empty list
    body = {"name": arg(p, 0, str, "name"), "description": arg(p, 1, str, "description"),
            "apply_to_commissions": bool(arg(p, 2, int, "applyDiscountToCommission")),
            "discount_percent": _number(p, 3, "amt"), "product_category_ids": []}
    return V2Call("createCategoryDiscount", body=body, fields={}, items="")


def _assign_category(p: list) -> tuple[V2Call, ...]:
    discount, category = _category_discount(p), str(arg(p, 1, int, "productCategoryId"))

    def with_category(categories: list) -> list:
        return categories if category in categories else [*categories, category]

    return discount, V2Call("updateCategoryDiscount", path=discount.path,
                            query={"update_mask": "product_category_ids"},
                            body={"product_category_ids": From(0, ("product_categories",), with_category,
                                                               "product_categories (the discount's)")},
                            fields={}, items="")


def _date_filter(p: list, start: int, rest: str = "") -> dict:
    since = utc_time(p[start] if len(p) > start else None, f"params[{start}] (filterStartDate)")
    until = utc_time(p[start + 1] if len(p) > start + 1 else None, f"params[{start + 1}] (filterEndDate)")
    return {"filter": f"{rest}since_time=={since};until_time=={until}"}


COMMISSION_FIELDS = {"AmtEarned": ("amount_earned",), "InvoiceId": ("invoice_id",), "ContactId": ("contact_id",),
                     "ProductName": ("product_name",), "SaleAffId": ("sales_affiliate_id",)}
PAYOUT_FIELDS = {"PayAmt": ("pay_amount",), "PayNote": ("pay_notes",)}
SUMMARY_FIELDS = {"AffiliateId": ("affiliateId",), "AmountEarned": ("amountEarned",), "Clawbacks": ("clawbacks",),
                  "Balance": ("balance",)}
LINK_FIELDS = {"Id": ("id",), "Name": ("name",), "LocalUrlCode": ("code",), "RedirectUrl": ("website_address",)}
RESOURCE_FIELDS = {"Id": ("id",), "Title": ("title",), "Notes": ("notes",), "ResourceHREF": ("url",)}


def _affiliate_path(p: list) -> dict:
    return {"affiliate_id": str(arg(p, 0, int, "affiliateId"))}


def _commissions(p: list) -> V2Call:
    return V2Call("getAffiliateCommissions", path=_affiliate_path(p),
                  query={**_date_filter(p, 1), "order_by": "time_earned asc"}, fields=COMMISSION_FIELDS,
                  items="affiliate_commissions")


def _payouts(p: list) -> V2Call:
    return V2Call("listAffiliatePayments", path=_affiliate_path(p),
                  query={**_date_filter(p, 1), "order_by": "pay_date asc"}, fields=PAYOUT_FIELDS,
                  items="affiliate_payments")


def _affiliate_ids(p: list) -> list[int]:
    value = p[0] if p else None
    ids = value if isinstance(value, list) else [value]
    if not ids or any(isinstance(i, bool) or not isinstance(i, int) for i in ids):
        raise CannotTranslate("params[0] (affiliateIds) must be an integer or a list of integers")
    return ids


def _running_totals(p: list) -> V2Call:
    ids = _affiliate_ids(p)
    if len(ids) != 1:
        raise CannotTranslate("params[0] (affiliateIds): v2 answers one affiliate's total per call; the compare "
                              "tool translates a list of one")
    return V2Call("getAffiliateCommissionTotal", path={"affiliate_id": str(ids[0])}, fields={}, items="")


def _summary(p: list) -> V2Call:
    ids = ",".join(str(i) for i in _affiliate_ids(p))
    return V2Call("listSummaries", query=_date_filter(p, 1, f"affiliate_ids=={ids};"), fields=SUMMARY_FIELDS,
                  items="affiliate_summaries")


def _redirects(p: list) -> V2Call:
    return V2Call("listAffiliateLinks", query={"filter": f"affiliate_id=={arg(p, 0, int, 'affiliateId')}"},
                  fields=LINK_FIELDS, items="affiliate_links")


def _program_path(p: list) -> dict:
    return {"commission_program_id": str(arg(p, 0, int, "programId"))}


def _resources(p: list) -> V2Call:
    return V2Call("listCommissionProgramResources", path=_program_path(p), fields=RESOURCE_FIELDS, items="resources")


def _affiliates_of(p: list) -> V2Call:
    return V2Call("getCommissionProgram", path=_program_path(p), fields={}, items="")


COMMERCE_TRANSLATORS: dict[str, Callable[[list], V2Call | tuple[V2Call, ...]]] = {
    "ContactService.addRecurringOrder": _recurring_7,
    "InvoiceService.addRecurringOrder": _recurring,
    "InvoiceService.createInvoiceForRecurring": _subscription_id("invoiceSubscription"),
    "InvoiceService.deleteSubscription": _subscription_id("cancelSubscription", with_body=True),
    "InvoiceService.updateJobRecurringNextBillDate": _next_bill_date,
    "InvoiceService.locateExistingCard": _cards,
    "InvoiceService.getPluginStatus": _plugin,
    "DiscountService.getCategoryAssignmentsForCategoryDiscount": _category_discount,
    "DiscountService.addCategoryDiscount": _add_category_discount,
    "DiscountService.addCategoryAssignmentToCategoryDiscount": _assign_category,
    "ProductService.deactivateCreditCard": _deactivate_card,
    "APIAffiliateService.affCommissions": _commissions,
    "APIAffiliateService.affPayouts": _payouts,
    "APIAffiliateService.affRunningTotals": _running_totals,
    "APIAffiliateService.affSummary": _summary,
    "AffiliateService.getRedirectLinksForAffiliate": _redirects,
    "AffiliateProgramService.getResourcesForAffiliateProgram": _resources,
    "AffiliateProgramService.getAffiliatesByProgram": _affiliates_of,
    **INVOICE_TRANSLATORS,
}
