"""Payment methods, payment method configs, merchants, sales and shipping through REST v2 on a live server
(every answer checked against the contract): cards on file are the CreditCard rows XML-RPC writes, payments
and transactions the Payment rows every protocol makes, merchants the sandbox merchant accounts."""
from __future__ import annotations

import requests

from tests.commerce.util import (
    BROKEN_GATEWAY,
    COACHING,
    EMMA,
    LIAM,
    LIAM_MC,
    OLIVIA,
    OLIVIA_VISA,
    TEST_GATEWAY,
)


def test_payment_methods_are_the_cards_on_file(v2):
    everyone = v2.ok("GET", "/paymentMethods")["payment_methods"]
    assert [m["payment_method_id"] for m in everyone] == ["1", "2", "3", "4"]
    olivia = everyone[0]
    assert olivia == {"contact_id": str(OLIVIA), "payment_method_id": "1", "credit_card_id": "1",
                      "merchant_account_type": "AUTHORIZE", "merchant_account_id": str(TEST_GATEWAY),
                      "payment_method_type": "CARD",
                      "card_info": {"brand": "Visa", "card_type": "CREDIT", "last_four": "1111",
                                    "expiration_year": "2028", "expiration_month": "08"}}
    assert [m["contact_id"] for m in v2.ok("GET", "/paymentMethods", params={
        "filter": f"contact_id=={LIAM}"})["payment_methods"]] == [str(LIAM)]
    assert v2.ok("GET", "/paymentMethods", params={"filter": f"merchant_account_id=={BROKEN_GATEWAY}"})[
        "payment_methods"] == []
    assert [m["payment_method_id"] for m in v2.walk("/paymentMethods", "payment_methods", page_size=3,
                                                     order_by="created_time desc")] == ["4", "3", "2", "1"]

    # a new card through the card-entry page of a payment method config's session
    key = v2.ok("POST", "/paymentMethodConfigs", json={"contact_id": str(LIAM)})["session_key"]
    page = requests.post(f"{v2.app.live.url}/app/creditCardSubmission/addCreditCard", data={
        "token": key, "CardNumber": "4242 4242 4242 4242", "ExpirationMonth": "12", "ExpirationYear": "2031",
        "NameOnCard": "Liam Nguyen"}, allow_redirects=False, timeout=30)
    assert page.status_code in (200, 302)
    mine = v2.ok("GET", f"/contacts/{LIAM}/paymentMethods")["records"]
    assert [(m["payment_method_id"], m["card_info"]["last_four"]) for m in mine] == [(str(LIAM_MC), "4444"),
                                                                                      ("5", "4242")]
    # deactivated: still on file, no longer charged; deleted: gone from the lists
    assert v2.post(f"/contacts/{LIAM}/paymentMethods/{LIAM_MC}:deactivate").status_code == 204
    assert v2.app.call("DataService.load", "CreditCard", LIAM_MC, ["Status"]) == {"Status": 4}
    assert v2.delete(f"/contacts/{LIAM}/paymentMethods/5").status_code == 204
    assert [m["payment_method_id"] for m in v2.ok("GET", f"/contacts/{LIAM}/paymentMethods")["records"]] == [
        str(LIAM_MC)]
    assert v2.error("DELETE", f"/contacts/{OLIVIA}/paymentMethods/{LIAM_MC}", 404)["status"] == "NOT_FOUND"
    assert v2.error("POST", "/paymentMethodConfigs", 400, json={})["details"][0]["resource"] == "contact_id"


def test_merchants_and_the_default_one(v2):
    listed = v2.ok("GET", "/merchants")
    assert listed["default_merchant_account_id"] == str(TEST_GATEWAY)
    assert [(m["id"], m["is_test"]) for m in listed["merchant_accounts"]] == [(str(TEST_GATEWAY), True),
                                                                            (str(BROKEN_GATEWAY), False)]
    assert [m["id"] for m in v2.ok("GET", "/merchants", params={"filter": "name==old*"})["merchant_accounts"]] == [
        str(BROKEN_GATEWAY)]
    assert v2.post(f"/sales/merchants/{BROKEN_GATEWAY}:setDefault").status_code == 200
    assert v2.ok("GET", "/merchants")["default_merchant_account_id"] == str(BROKEN_GATEWAY)
    # placeOrder charges through the default account: the broken one refuses every card
    result = v2.app.call("OrderService.placeOrder", OLIVIA, OLIVIA_VISA, 0, [COACHING], [], False, [])
    assert result["Successful"] == "false" and "inactive" in result["Message"]
    assert v2.error("POST", "/sales/merchants/99:setDefault", 404)["code"] == 404


def test_payments_and_transactions_of_every_protocol(v2):
    result = v2.app.call("OrderService.placeOrder", OLIVIA, OLIVIA_VISA, 0, [COACHING], [], False, [])
    assert result["Successful"] == "true"
    order_id = result["OrderId"]
    payments = v2.ok("GET", "/sales/payments", params={"filter": f"order_id=={order_id}"})["payments"]
    [charge] = payments
    assert charge["amount"] == 120.0 and charge["status"] == "APPROVED" and charge["type"] == "Credit Card"
    assert charge["external_transaction_id"] == result["RefNum"] and charge["payment_method"]["credit_card_id"] == "1"
    seeded = v2.ok("GET", "/sales/payments", params={"filter": f"contact_id=={EMMA}"})["payments"]
    assert seeded == []  # her seeded card declined: no payment

    transactions = v2.ok("GET", "/sales/transactions", params={"filter": "transaction_method==MANUAL",
                                                              "order_by": "amount desc"})["transactions"]
    assert transactions and all(t["transaction_method"] == "MANUAL" for t in transactions)
    assert [t["amount"] for t in transactions] == sorted((t["amount"] for t in transactions), reverse=True)
    captured = v2.ok("GET", "/sales/transactions", params={"filter": f"order_id=={order_id}"})["transactions"]
    assert captured[0]["transaction_method"] == "CAPTURE" and captured[0]["external_reference_id"] == result["RefNum"]
    assert captured[0]["contact"]["email"] == "olivia.martinez@example.org"
    assert v2.ok("GET", "/sales/transactions", params={"filter": "status==FAILED"})["transactions"] == []
    walked = v2.walk("/sales/payments", "payments", page_size=2, order_by="payment_time desc")
    assert len(walked) == len({p["id"] for p in walked}) >= 4

    shipping = v2.ok("GET", "/shipping")["shipping_methods"]
    assert len(shipping) == 6 and {m["status"] for m in shipping} <= {"ACTIVE", "INACTIVE"}


def test_payments_sdk_contract(sdk, v2):
    from keap_core_v2_client.api.merchants_api import MerchantsApi
    from keap_core_v2_client.api.payment_methods_api import PaymentMethodsApi
    from keap_core_v2_client.api.sales_api import SalesApi
    from keap_core_v2_client.api.shipping_api import ShippingApi

    assert MerchantsApi(sdk).list_merchants().default_merchant_account_id == str(TEST_GATEWAY)
    methods = PaymentMethodsApi(sdk).list_payment_methods(filter=f"contact_id=={OLIVIA}")
    assert [m.last_four if hasattr(m, "last_four") else m.card_info.last_four for m in methods.payment_methods] == [
        "1111"]
    assert SalesApi(sdk).list_payments(page_size=100).payments
    assert SalesApi(sdk).list_transactions(page_size=100).transactions
    assert len(ShippingApi(sdk).list_shipping_methods().shipping_methods) == 6
