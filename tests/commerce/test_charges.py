"""chargeInvoice through the sandbox merchant (approvals, declines, errors, skips), and the cards on file:
CreditCard rows, validateCreditCard, locateExistingCard, ProductService.deactivateCreditCard."""
from __future__ import annotations

import xmlrpc.client

import pytest

from tests.conftest import fault_of

from .util import (
    BROKEN_GATEWAY,
    COACHING,
    EMMA,
    EMMA_DECLINING,
    OLIVIA,
    OLIVIA_VISA,
    TEST_GATEWAY,
    blank_invoice,
    events,
    last_seq,
    row,
    rows,
)


def test_an_approved_charge_shows_in_every_table_and_fires_the_purchase(app):
    invoice_id = blank_invoice(app, OLIVIA, items=((COACHING, 120.0, 1),))
    seq = last_seq(app)
    result = app.call("InvoiceService.chargeInvoice", invoice_id, "Paid at checkout", OLIVIA_VISA, TEST_GATEWAY, False)
    assert result["Successful"] is True and result["Code"] == "APPROVED"
    assert result["Message"] == "(TESTMODE) This transaction has been approved. (1)"
    assert isinstance(result["RefNum"], str) and result["RefNum"].isdigit()

    assert row(app, "Invoice", invoice_id, ["TotalPaid", "TotalDue", "PayStatus"]) == {
        "TotalPaid": 120.0, "TotalDue": 0.0, "PayStatus": 1}
    [payment] = rows(app, "Payment", {"InvoiceId": invoice_id}, ["Id", "PayAmt", "PayType", "PayNote", "ChargeId",
                                                                "ContactId"])
    assert (payment["PayAmt"], payment["PayType"], payment["PayNote"], payment["ContactId"]) == (
        120.0, "Credit Card", "Paid at checkout", OLIVIA)
    assert rows(app, "InvoicePayment", {"InvoiceId": invoice_id}, ["PaymentId", "Amt"]) == [
        {"PaymentId": payment["Id"], "Amt": 120.0}]
    charge = row(app, "CCharge", payment["ChargeId"], ["CCId", "PaymentId", "MerchantId", "RefNum", "Amt", "ApprCode"])
    assert charge["CCId"] == OLIVIA_VISA and charge["PaymentId"] == str(payment["Id"])
    assert charge["MerchantId"] == str(TEST_GATEWAY) and charge["RefNum"] == result["RefNum"]
    assert charge["Amt"] == 120.0 and len(charge["ApprCode"]) == 6

    paid = events(app, seq, ("invoice.paid",))
    assert [e["payload"]["payment_type"] for e in paid] == ["charge"]
    assert paid[0]["payload"]["product_ids"] == [COACHING] and paid[0]["payload"]["amount"] == 120.0

    # nothing left to charge
    again = app.call("InvoiceService.chargeInvoice", invoice_id, "", OLIVIA_VISA, TEST_GATEWAY, False)
    assert again == {"Successful": False, "Code": "SKIPPED", "RefNum": "0", "Message": "No balance due on the invoice"}


@pytest.mark.parametrize("number, code, message", [
    ("4000000000000002", "DECLINED", "(TESTMODE) This transaction has been declined. (2)"),
    ("4000000000009995", "DECLINED", "(TESTMODE) This transaction has been declined: insufficient funds. (2)"),
    ("4000000000000069", "DECLINED", "(TESTMODE) The credit card has expired. (8)"),
    ("4000000000000127", "DECLINED",
     "(TESTMODE) This transaction has been declined: the card code does not match. (44)"),
    ("4000000000000119", "ERROR",
     "(TESTMODE) An error occurred during processing. Please try again in 5 minutes. (19)"),
    ("4111111111111112", "DECLINED", "(TESTMODE) The credit card number is invalid. (6)"),
])
def test_test_numbers_decline_deterministically(app, number, code, message):
    card_id = app.call("DataService.add", "CreditCard", {"ContactId": EMMA, "CardNumber": number,
                                                         "ExpirationMonth": "12", "ExpirationYear": "2030"})
    invoice_id = blank_invoice(app, EMMA)
    seq = last_seq(app)
    result = app.call("InvoiceService.chargeInvoice", invoice_id, "", card_id, TEST_GATEWAY, False)
    assert result == {"Successful": False, "Code": code, "RefNum": "0", "Message": message}
    assert app.call("InvoiceService.calculateAmountOwed", invoice_id) == 120.0
    assert app.call("DataService.count", "Payment", {"InvoiceId": invoice_id}) == 0
    [failed] = events(app, seq, ("invoice.payment_failed", "invoice.paid"))
    assert failed["type"] == "invoice.payment_failed"
    assert failed["payload"] == {"contact_id": EMMA, "invoice_id": invoice_id,
                                 "order_id": failed["payload"]["order_id"],
                                 "product_ids": [COACHING], "amount": 120.0, "message": message}


def test_merchant_and_card_problems(app):
    invoice_id = blank_invoice(app, EMMA)

    def charge(card, merchant):
        return app.call("InvoiceService.chargeInvoice", invoice_id, "", card, merchant, False)

    # the vendor's sample answer of a misconfigured merchant account
    assert charge(EMMA_DECLINING, BROKEN_GATEWAY) == {
        "Successful": False, "Code": "ERROR", "RefNum": "0",
        "Message": "(TESTMODE) The merchant login ID or password is invalid or the account is inactive. (13)"}
    assert charge(EMMA_DECLINING, 99)["Code"] == "ERROR"
    assert charge(999, TEST_GATEWAY)["Message"] == "Credit card not found for Id:999"
    assert charge(OLIVIA_VISA, TEST_GATEWAY)["Message"] == "The credit card does not belong to the invoice's contact"
    expired = app.call("DataService.add", "CreditCard", {"ContactId": EMMA, "CardNumber": "4242 4242 4242 4242",
                                                         "ExpirationMonth": "01", "ExpirationYear": "2024"})
    assert charge(expired, 0)["Message"] == "(TESTMODE) The credit card has expired. (8)"  # 0: the default account
    good = app.call("DataService.add", "CreditCard", {"ContactId": EMMA, "CardNumber": "5105105105105100",
                                                      "ExpirationMonth": "1", "ExpirationYear": "35"})
    assert app.call("ProductService.deactivateCreditCard", good) is True
    assert charge(good, TEST_GATEWAY) == {"Successful": False, "Code": "ERROR", "RefNum": "0",
                                          "Message": "Credit card is inactive"}
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("InvoiceService.chargeInvoice", 9999, "", good, TEST_GATEWAY, False)
    assert fault_of(exc)[0] == 5
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("ProductService.deactivateCreditCard", 9999)
    assert fault_of(exc)[0] == 5


def test_cards_never_show_their_number(app):
    card_id = app.call("DataService.add", "CreditCard", {
        "ContactId": OLIVIA, "CardNumber": "4111-1111-1111-1111", "CVV2": "123", "ExpirationMonth": "09",
        "ExpirationYear": "2029", "NameOnCard": "Olivia Martinez", "BillCity": "Denver"})
    card = row(app, "CreditCard", card_id, ["Last4", "CardType", "Status", "ExpirationMonth", "NameOnCard"])
    assert card == {"Last4": "1111", "CardType": "Visa", "Status": 3, "ExpirationMonth": "09",
                    "NameOnCard": "Olivia Martinez"}
    for field in ("CardNumber", "CVV2"):
        with pytest.raises(xmlrpc.client.Fault) as exc:
            row(app, "CreditCard", card_id, [field])
        assert fault_of(exc) == (8, f"[NoFieldAccess]No read access to field: CreditCard.{field}")
        with pytest.raises(xmlrpc.client.Fault) as exc:
            rows(app, "CreditCard", {field: "4111111111111111"}, ["Id"])
        assert fault_of(exc)[0] == 8
    with pytest.raises(xmlrpc.client.Fault) as exc:  # write-once: the number cannot be edited
        app.call("DataService.update", "CreditCard", card_id, {"CardNumber": "4242424242424242"})
    assert fault_of(exc)[0] == 8
    assert app.call("DataService.update", "CreditCard", card_id, {"ExpirationYear": "2031"}) == card_id
    assert row(app, "CreditCard", card_id, ["ExpirationYear", "Status"]) == {"ExpirationYear": "2031", "Status": 3}
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("DataService.delete", "CreditCard", card_id)
    assert fault_of(exc)[0] == 7

    assert app.call("InvoiceService.locateExistingCard", OLIVIA, "1111") == card_id  # the newest valid one
    assert app.call("InvoiceService.locateExistingCard", OLIVIA, "9999") == 0
    assert app.call("InvoiceService.locateExistingCard", EMMA, "1111") == 0
    app.call("ProductService.deactivateCreditCard", card_id)
    assert row(app, "CreditCard", card_id, ["Status"]) == {"Status": 4}
    assert app.call("InvoiceService.locateExistingCard", OLIVIA, "1111") == OLIVIA_VISA


def test_validate_credit_card(app):
    def validate(*args):
        return app.call("InvoiceService.validateCreditCard", *args)

    assert validate(OLIVIA_VISA) == {"Valid": "true", "Message": "Card is valid"}
    old = app.call("DataService.add", "CreditCard", {"ContactId": 7, "CardNumber": "5555555555554444",
                                                     "ExpirationMonth": "02", "ExpirationYear": "2025"})
    assert validate(old) == {"Valid": "false", "Message": "Card has expired"}  # the vendor sample
    bad = app.call("DataService.add", "CreditCard", {"ContactId": 7, "CardNumber": "1234567890123456"})
    assert row(app, "CreditCard", bad, ["Status"]) == {"Status": 1}
    assert validate(bad) == {"Valid": "false", "Message": "Card number is invalid"}
    with pytest.raises(xmlrpc.client.Fault) as exc:
        validate(9999)
    assert fault_of(exc)[0] == 5

    new = {"CardType": "Visa", "ContactId": OLIVIA, "CardNumber": "4111111111111111", "ExpirationMonth": "12",
           "ExpirationYear": "2030", "CVV2": "123"}
    assert validate(new) == {"Valid": "true", "Message": "Card is valid"}
    assert validate(dict(new, CardType="American Express"))["Message"] == "Card type does not match the card number"
    assert validate(dict(new, ExpirationYear="2020"))["Message"] == "Card has expired"
    assert validate(dict(new, CVV2="12"))["Message"] == "Security code is invalid"
    assert validate(dict(new, CardNumber="4111111111111113"))["Valid"] == "false"
    # the Node SDK's six positional values
    assert validate("American Express", OLIVIA, "378282246310005", 6, 2031, "1234") == {
        "Valid": "true", "Message": "Card is valid"}
    with pytest.raises(xmlrpc.client.Fault) as exc:
        validate(dict(new, Colour="blue"))
    assert fault_of(exc)[0] == 12
