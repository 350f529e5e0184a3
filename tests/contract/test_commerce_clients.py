"""Contract: infusionsoft-client 1.5.1 and keap-python 1.3.0, unmodified, calling the e-commerce services
(InvoiceService, OrderService, ProductService, DiscountService, ShippingService,
CreditCardSubmissionService) and the commerce tables."""
from __future__ import annotations

import datetime

import pytest
import requests

from tests.commerce.util import (
    BANDS,
    COACHING,
    EMMA,
    EMMA_DECLINING,
    LIAM,
    LIAM_MC,
    MEMBERSHIP_PLAN,
    OLIVIA,
    OLIVIA_VISA,
    TEST_GATEWAY,
)
from tests.contract.test_keap_python import _code, keap_client  # noqa: F401  (the fixture, and its OAuth code)

pytestmark = pytest.mark.store_agnostic  # the clients' wire shapes; tests/services runs on both stores


@pytest.fixture
def ifs(app):
    from infusionsoft.client import InfusionsoftServerProxy

    return InfusionsoftServerProxy(app.live.url + "/api/xmlrpc", default_args=[app.key], use_builtin_types=True)


def test_infusionsoft_client_sells_and_charges(ifs, app):
    # the Novak SDK's "charge an arbitrary amount" recipe: a blank order, one service line, a charge
    invoice_id = ifs.InvoiceService.createBlankOrder(OLIVIA, "API arbitrary payment", datetime.datetime(2026, 12, 1),
                                                     0, 0)
    assert ifs.InvoiceService.addOrderItem(invoice_id, 0, 3, 42.5, 1, "API order", "") is True
    assert ifs.InvoiceService.calculateAmountOwed(invoice_id) == 42.5
    result = ifs.InvoiceService.chargeInvoice(invoice_id, "API payment", OLIVIA_VISA, TEST_GATEWAY, False)
    assert result["Successful"] is True and result["Code"] == "APPROVED"
    [payment] = ifs.InvoiceService.getPayments(invoice_id)
    assert payment["PayAmt"] == 42.5 and isinstance(payment["PayDate"], datetime.datetime)
    assert ifs.DataService.load("Invoice", invoice_id, ["PayStatus", "TotalDue"]) == {"PayStatus": 1, "TotalDue": 0.0}

    declined = ifs.InvoiceService.chargeInvoice(ifs.InvoiceService.createBlankOrder(
        EMMA, "x", datetime.datetime(2026, 12, 1), 0, 0), "", EMMA_DECLINING, TEST_GATEWAY, False)
    assert declined["Code"] == "SKIPPED"  # nothing on it yet
    order = ifs.OrderService.placeOrder(EMMA, EMMA_DECLINING, 0, [COACHING], [], False, [], 0, 0)
    assert (order["Successful"], order["Code"]) == ("false", "DECLINED")
    assert ifs.InvoiceService.addManualPayment(int(order["InvoiceId"]), 120.0, datetime.datetime(2026, 12, 2),
                                               "Cash", "Paid at the desk", False) is True
    assert ifs.InvoiceService.deleteInvoice(invoice_id) is True

    assert ifs.ProductService.increaseInventory(BANDS, 5) is True
    assert ifs.ProductService.getInventory(BANDS) == 44
    assert ifs.InvoiceService.locateExistingCard(OLIVIA, "1111") == OLIVIA_VISA
    assert ifs.InvoiceService.validateCreditCard(OLIVIA_VISA) == {"Valid": "true", "Message": "Card is valid"}
    assert ifs.InvoiceService.getAllPaymentOptions()["Check"] == "Check"
    assert ifs.ShippingService.getFlatRateShippingOption(1)["price"] == "6.95"
    discount = ifs.DiscountService.addOrderTotalDiscount("Holiday", "5 off", 0, 0, 5.0, "Gross")
    assert ifs.DiscountService.getOrderTotalDiscount(discount)["amount"] == "5.0"

    sub_id = ifs.InvoiceService.addRecurringOrder(LIAM, True, MEMBERSHIP_PLAN, 1, 89.0, False, TEST_GATEWAY, LIAM_MC,
                                                  0, 0)
    renewal = ifs.InvoiceService.createInvoiceForRecurring(sub_id)
    assert ifs.InvoiceService.chargeInvoice(renewal, "", LIAM_MC, TEST_GATEWAY, False)["Successful"] is True
    assert ifs.InvoiceService.updateJobRecurringNextBillDate(sub_id, datetime.datetime(2027, 6, 1)) is True
    assert ifs.DataService.load("RecurringOrder", sub_id, ["NextBillDate"]) == {
        "NextBillDate": datetime.datetime(2027, 6, 1)}
    assert ifs.InvoiceService.deleteSubscription(sub_id) is True

    token = ifs.CreditCardSubmissionService.requestSubmissionToken(LIAM, "https://example.com/ok",
                                                                   "https://example.com/no")
    posted = requests.post(app.live.url + "/app/creditCardSubmission/addCreditCard", timeout=30,
                           allow_redirects=False, data={"token": token, "CardNumber": "4111111111111111",
                                                        "ExpirationMonth": "01", "ExpirationYear": "2030"})
    assert posted.headers["Location"] == "https://example.com/ok"
    assert ifs.CreditCardSubmissionService.requestCreditCardId(token)["last4"] == "1111"


def test_keap_python_xml_commerce(app, keap_client):  # noqa: F811
    keap_client.request_access_token(_code(app, keap_client))
    x = keap_client.XML
    order = x.OrderService.placeOrder(OLIVIA, OLIVIA_VISA, 0, [COACHING, BANDS], [], False, [], 0, 0)
    assert order["Successful"] == "true" and order["Code"] == "APPROVED"
    invoice_id = int(order["InvoiceId"])
    assert x.InvoiceService.calculateAmountOwed(invoice_id) == 0.0
    assert [p["PayType"] for p in x.InvoiceService.getPayments(invoice_id)] == ["Credit Card"]
    rows = x.DataService.query("InvoiceItem", 10, 0, {"InvoiceId": invoice_id}, ["InvoiceAmt"], "Id", True)
    assert [r["InvoiceAmt"] for r in rows] == [120.0, 39.95, 1.16]  # with Colorado tax on the bands
    assert x.ProductService.decrementInventory(BANDS) is True
    assert x.ProductService.getInventory(BANDS) == 37
    assert x.DiscountService.getFreeTrial(x.DiscountService.addFreeTrial("Trial", "", 14, 0, MEMBERSHIP_PLAN))[
        "freeTrialDays"] == "14"
    assert len(x.ShippingService.getAllShippingOptions()) == 6
    assert x.InvoiceService.getAllShippingOptions() == x.ShippingService.getAllShippingOptions()
    opp = x.DataService.add("Lead", {"OpportunityTitle": "Keap contract", "ContactID": OLIVIA, "StageID": 1})
    assert x.DataService.update("Lead", opp, {"StageID": 2}) == opp
    assert x.DataService.query("StageMove", 10, 0, {"OpportunityId": opp}, ["MoveToStage"], "Id",
                              True) == [{"MoveToStage": 2}]
