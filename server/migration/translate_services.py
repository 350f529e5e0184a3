"""Service methods beyond contacts translated to v2 (issue 19 §3): contact links, product inventory,
discounts (four adds, five gets), affiliate programs, blank orders and their invoices, the WordPress goal, and the lists
of shipping methods, web forms and note templates. Each answers a V2Call (translate.py gathers them)."""
from __future__ import annotations

from collections.abc import Callable

from .translate_tables import TABLES
from .v2call import CannotTranslate, V2Call, arg, utc_time

LINK_FIELDS = {"ContactId1": ("contact1_id",), "ContactId2": ("contact2_id",), "LinkTypeId": ("link_type_id",)}
OPTION_FIELDS = {"id": ("id",), "name": ("name",)}


def _link(operation_id: str) -> Callable[[list], V2Call]:
    def translate(p: list) -> V2Call:
        body = {"contact1_id": str(arg(p, 0, int, "contactId1")), "contact2_id": str(arg(p, 1, int, "contactId2")),
                "link_type_id": str(arg(p, 2, int, "linkTypeId"))}
        return V2Call(operation_id, body=body, fields=LINK_FIELDS, items="links")
    return translate


def _linked(p: list) -> V2Call:
    return V2Call("listContactLinks", path={"contact_id": str(arg(p, 0, int, "contactId"))}, fields=LINK_FIELDS,
                  items="links")


def _inventory(kind: str, by_one: bool) -> Callable[[list], V2Call]:
    def translate(p: list) -> V2Call:
        product_id = arg(p, 0, int, "productId")
        quantity = 1 if by_one else arg(p, 1, int, "quantity")
        if quantity < 1:
            raise CannotTranslate("params[1] (quantity): v2 adjusts by at least 1")
        return V2Call("adjustInventory", path={"product_id": str(product_id)},
                      body={"type": kind, "quantity": quantity}, fields=TABLES["Product"].fields, items="products")
    return translate


def _none(operation_id: str, items: str, fields: dict | None = None) -> Callable[[list], V2Call]:
    def translate(p: list) -> V2Call:
        if p:
            raise CannotTranslate(f"params: the method takes no parameters, not {len(p)}")
        return V2Call(operation_id, fields=fields or {}, items=items)
    return translate


# DiscountService's get* structs (every value a string) and where a v2 discount holds each
_DISCOUNT = {"name": ("name",), "description": ("description",)}
DISCOUNT_FIELDS = {
    "getFreeTrialDiscount": {**_DISCOUNT, "freeTrialDays": ("free_trial_days",),
                             "subscriptionPlanId": ("subscription_plan_id",)},
    "getOrderTotalDiscount": _DISCOUNT,
    "getCategoryDiscount": _DISCOUNT,
    "getProductDiscount": {**_DISCOUNT, "productId": ("product_id",)},
    "getShippingDiscount": _DISCOUNT,
}


def _discount(operation_id: str) -> Callable[[list], V2Call]:
    def translate(p: list) -> V2Call:
        return V2Call(operation_id, path={"discount_id": str(arg(p, 0, int, "id"))},
                      fields=DISCOUNT_FIELDS[operation_id], items="discounts")
    return translate


TEMPLATE_FIELDS = {"pieceTitle": ("piece_title",), "subject": ("subject",), "fromAddress": ("from_address",),
                   "toAddress": ("to_address",), "textBody": ("text_body",), "htmlBody": ("html_body",),
                   "mergeContext": ("merge_context",)}


def _template(p: list) -> V2Call:
    return V2Call("getEmailTemplate", path={"email_template_id": str(arg(p, 0, int, "templateId"))},
                  fields=TEMPLATE_FIELDS, items="email_templates")


def _file_data(p: list) -> V2Call:
    return V2Call("getFileData_1", path={"file_id": str(arg(p, 0, int, "fileId"))}, fields={}, items="")


PROGRAM_FIELDS = {"Id": ("id",), "Name": ("name",), "Notes": ("notes",), "Priority": ("priority",)}


def _programs_for(p: list) -> V2Call:
    return V2Call("listAffiliateCommissionPrograms", query={"filter": f"affiliate_id=={arg(p, 0, int, 'affiliateId')}"},
                  fields=PROGRAM_FIELDS, items="commission_programs")


def _invoice_of_order(p: list) -> V2Call:
    return V2Call("getOrder", path={"order_id": str(arg(p, 0, int, "orderId"))}, fields={}, items="orders")


def _number(p: list, index: int, name: str) -> float:
    value = p[index] if len(p) > index else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CannotTranslate(f"params[{index}] ({name}) must be a number")
    return value


def _kind(p: list, index: int) -> str:
    return "PERCENT" if arg(p, index, int, "percentOrAmount") == 1 else "AMOUNT"


def _common(p: list, commission: bool = True) -> dict:
    body = {"name": arg(p, 0, str, "name"), "description": arg(p, 1, str, "description")}
    if commission:
        body["apply_to_commissions"] = bool(arg(p, 2, int, "applyDiscountToCommission"))
    return body


def _add_free_trial(p: list) -> V2Call:
    body = {**_common(p, False), "free_trial_days": arg(p, 2, int, "freeTrialDays"),
            "hide_price": bool(arg(p, 3, int, "hidePrice")),
            "subscription_plan_id": str(arg(p, 4, int, "subscriptionPlanId"))}
    return V2Call("createFreeTrialDiscount", body=body, fields=DISCOUNT_FIELDS["getFreeTrialDiscount"])


def _add_order_total(p: list) -> V2Call:
    if len(p) != 6:
        raise CannotTranslate("params: the compare tool translates the six-parameter addOrderTotalDiscount")
    strategy = arg(p, 5, str, "payType")
    if strategy.upper() not in ("GROSS", "NET"):
        raise CannotTranslate("params[5] (payType) must be Gross or Net")
    body = {**_common(p), "discount_type": _kind(p, 3), "discount_value": _number(p, 4, "amt"),
            "discount_strategy": strategy.upper()}
    return V2Call("createOrderTotalDiscount", body=body, fields=DISCOUNT_FIELDS["getOrderTotalDiscount"])


def _add_product_total(p: list) -> V2Call:
    body = {**_common(p), "product_id": str(arg(p, 3, int, "productId")), "discount_type": _kind(p, 4),
            "discount_value": _number(p, 5, "amt")}
    return V2Call("createProductDiscount", body=body, fields=DISCOUNT_FIELDS["getProductDiscount"])


def _add_shipping_total(p: list) -> V2Call:
    arg(p, 2, int, "applyDiscountToCommission")  # v2 shipping discounts have no commission setting
    body = {**_common(p, False), "discount_type": _kind(p, 3), "discount_value": _number(p, 4, "amt")}
    return V2Call("createShippingDiscount", body=body, fields=DISCOUNT_FIELDS["getShippingDiscount"])


def _wordpress(p: list) -> V2Call:
    contact_id = arg(p, 0, int, "contactId")
    key = arg(p, 1, str, "optinId").strip() if len(p) > 1 else ""
    if not key:
        raise CannotTranslate("params[1] (optinId): v2 achieves the goal of one opt-in option, by its key")
    return V2Call("achieveIntegrationsWordPressOptInGoal", path={"option_key": key},
                  body={"contact_id": str(contact_id)}, fields={}, items="")


def _order_of_invoice(p: list) -> V2Call:
    return V2Call("listOrders", query={"filter": f"invoice_id=={arg(p, 0, int, 'invoiceId')}"}, fields={},
                  items="orders")


def _blank_order(p: list) -> V2Call:
    body = {"contact_id": str(arg(p, 0, int, "contactId")), "order_title": arg(p, 1, str, "description"),
            "order_time": utc_time(p[2] if len(p) > 2 else None, "params[2] (orderDate)"), "order_type": "OFFLINE"}
    for index, name, prop in ((3, "leadAffiliateId", "lead_affiliate_id"),
                              (4, "saleAffiliateId", "sales_affiliate_id")):
        if arg(p, index, int, name):
            body[prop] = str(p[index])
    return V2Call("createOrder", body=body, fields={}, items="orders")


def _html(p: list) -> V2Call:
    return V2Call("getHtml", path={"webform_id": str(arg(p, 0, int, "formId"))}, fields={}, items="")


SERVICE_TRANSLATORS: dict[str, Callable[[list], V2Call]] = {
    "ContactService.linkContacts": _link("linkContacts"),
    "ContactService.unlinkContacts": _link("unlinkContacts"),
    "ContactService.listLinkedContacts": _linked,
    "ProductService.increaseInventory": _inventory("INCREASE", False),
    "ProductService.incrementInventory": _inventory("INCREASE", True),
    "ProductService.decreaseInventory": _inventory("DECREASE", False),
    "ProductService.decrementInventory": _inventory("DECREASE", True),
    "ShippingService.getAllShippingOptions": _none("listShippingMethods", "shipping_methods", OPTION_FIELDS),
    "InvoiceService.getAllShippingOptions": _none("listShippingMethods", "shipping_methods", OPTION_FIELDS),
    "WebFormService.getMap": _none("listWebforms", "webforms"),
    "WebFormService.getHTML": _html,
    "ContactService.getActivityHistoryTemplateMap": _none("listNoteTemplates", "note_templates"),
    "APIEmailService.getEmailTemplate": _template,
    "FileService.getFile": _file_data,
    "FileService.getDownloadUrl": _file_data,
    "AffiliateProgramService.getAffiliatePrograms": _none("listAffiliateCommissionPrograms", "commission_programs",
                                                          PROGRAM_FIELDS),
    "AffiliateProgramService.getProgramsForAffiliate": _programs_for,
    "InvoiceService.getInvoiceId": _invoice_of_order,
    "InvoiceService.getOrderId": _order_of_invoice,
    "InvoiceService.createBlankOrder": _blank_order,
    "FunnelService.achieveWordPressGoal": _wordpress,
    "DiscountService.addFreeTrial": _add_free_trial,
    "DiscountService.addOrderTotalDiscount": _add_order_total,
    "DiscountService.addProductTotalDiscount": _add_product_total,
    "DiscountService.addShippingTotalDiscount": _add_shipping_total,
    "DiscountService.getFreeTrial": _discount("getFreeTrialDiscount"),
    "DiscountService.getOrderTotalDiscount": _discount("getOrderTotalDiscount"),
    "DiscountService.getCategoryDiscount": _discount("getCategoryDiscount"),
    "DiscountService.getProductTotalDiscount": _discount("getProductDiscount"),
    "DiscountService.getShippingTotalDiscount": _discount("getShippingDiscount"),
}
