"""CreditCardSubmissionService: a token, the card-entry page it opens, the card it makes, read back."""
from __future__ import annotations

import xmlrpc.client

import pytest
import requests

from tests.conftest import fault_of

from .util import OLIVIA, TEST_GATEWAY, blank_invoice, events, last_seq, row

PAGE = "/app/creditCardSubmission/addCreditCard"


def test_the_token_flow_makes_a_card(app):
    token = app.call("CreditCardSubmissionService.requestSubmissionToken", OLIVIA, "https://shop.example.com/ok",
                     "https://shop.example.com/failed")
    assert isinstance(token, str) and len(token) > 20
    page = requests.get(app.live.url + PAGE, params={"token": token}, timeout=30)
    assert page.status_code == 200 and 'name="CardNumber"' in page.text and token in page.text
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("CreditCardSubmissionService.requestCreditCardId", token)
    assert fault_of(exc) == (5, "[RecordNotFound]No credit card has been submitted with this token")

    # a refused card sends the browser to the failure URL, and the token can be used again
    refused = requests.post(app.live.url + PAGE, data={"token": token, "CardNumber": "4111111111111112",
                                                       "ExpirationMonth": "12", "ExpirationYear": "2031"},
                            allow_redirects=False, timeout=30)
    assert refused.status_code == 302 and refused.headers["Location"] == "https://shop.example.com/failed"
    seq = last_seq(app)
    saved = requests.post(app.live.url + PAGE, data={
        "token": token, "NameOnCard": "Olivia Martinez", "CardNumber": "4242 4242 4242 4242", "ExpirationMonth": "10",
        "ExpirationYear": "2031", "CVV2": "321", "BillZip": "80203"}, allow_redirects=False, timeout=30)
    assert saved.status_code == 302 and saved.headers["Location"] == "https://shop.example.com/ok"
    card = app.call("CreditCardSubmissionService.requestCreditCardId", token)
    assert card["contactId"] == OLIVIA and card["last4"] == "4242" and card["cardType"] == "Visa"
    assert card["nameOnCard"] == "Olivia Martinez" and card["billZip"] == "80203" and card["status"] == 3
    assert not {"cardNumber", "cVV2", "CVV2"} & set(card)
    assert row(app, "CreditCard", card["id"], ["ContactId", "Last4"]) == {"ContactId": OLIVIA, "Last4": "4242"}
    assert [e["type"] for e in events(app, seq)] == ["credit_card.added"]
    # the card charges like any other
    invoice_id = blank_invoice(app, OLIVIA)
    assert app.call("InvoiceService.chargeInvoice", invoice_id, "", card["id"], TEST_GATEWAY, False)["Successful"]


def test_tokens_are_checked(app):
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("CreditCardSubmissionService.requestSubmissionToken", 999, "https://a", "https://b")
    assert fault_of(exc)[0] == 5
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("CreditCardSubmissionService.requestCreditCardId", "no-such-token")
    assert fault_of(exc)[0] == 12
    assert requests.get(app.live.url + PAGE, params={"token": "1-abc"}, timeout=30).status_code == 404
    assert requests.post(app.live.url + PAGE, data={"token": "nonsense"}, timeout=30).status_code == 400

    token = app.call("CreditCardSubmissionService.requestSubmissionToken", OLIVIA, "https://a", "https://b")
    app.clock(action="advance", by="25h")  # tokens last a day of app time
    assert requests.get(app.live.url + PAGE, params={"token": token}, timeout=30).status_code == 404
    late = requests.post(app.live.url + PAGE, data={"token": token, "CardNumber": "4111111111111111"}, timeout=30)
    assert late.status_code == 400 and "expired" in late.text


@pytest.mark.parametrize("token", ["\u00b2-x", "9" * 23 + "-x", "2147483648-x", "\uff12-x"])
def test_a_token_naming_no_possible_app_is_unknown(app, token):
    """The app id at the head of a token is ASCII digits within the store's integers; any other is the page's own
    answer for an unknown token, not a 500."""
    page = requests.get(app.live.url + PAGE, params={"token": token}, timeout=30)
    assert page.status_code == 404 and page.text == "Unknown or expired card submission token\n"
    post = requests.post(app.live.url + PAGE, data={"token": token, "CardNumber": "4242424242424242"}, timeout=30)
    assert post.status_code == 400 and post.text == "Unknown or expired card submission token\n"


def test_a_token_of_another_shape_is_unknown(app):
    """Only a token's shape (the app id, a dash, 32 hex) reaches the store: one with a NUL (which PostgreSQL refuses
    in a query's text) or any other secret is unknown."""
    head = app.call("CreditCardSubmissionService.requestSubmissionToken", OLIVIA, "https://a", "https://b").split("-")[0]
    for token in (f"{head}-\x00", f"{head}-{'a' * 31}\x00", f"{head}-{'A' * 32}", f"{head}-x"):
        page = requests.get(app.live.url + PAGE, params={"token": token}, timeout=30)
        assert page.status_code == 404 and page.text == "Unknown or expired card submission token\n", repr(token)
        post = requests.post(app.live.url + PAGE, data={"token": token}, timeout=30)
        assert post.status_code == 400 and post.text == "Unknown or expired card submission token\n", repr(token)
