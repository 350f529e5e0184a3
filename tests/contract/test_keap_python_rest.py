"""Contract: keap-python 1.3.0's REST v1 services, unmodified but for their documented base URL, against the
live sandbox (the token travels as ``?access_token=``; falsy values are dropped from every request)."""
from __future__ import annotations

import pytest
import requests

from tests.contract.test_keap_python import _code, keap_client  # noqa: F401  (fixture)

pytestmark = pytest.mark.store_agnostic  # the clients' wire shapes; tests/services runs on both stores


@pytest.fixture
def rest_v1(app, keap_client, monkeypatch):  # noqa: F811
    import keap.REST

    monkeypatch.setattr(keap.REST.BaseService, "base_api_url", app.live.url + "/crm/rest/v1")
    app.live.control("PATCH", f"/apps/{app.name}/throttle", json={"enabled": False})
    keap_client.request_access_token(_code(app, keap_client))
    return keap_client.REST_V1


def test_contacts_tags_and_hooks_through_keap_python(app, rest_v1):
    made = rest_v1.ContactService.create(given_name="Ada", company=1,
                                         email_addresses=[{"email": "ada@example.com", "field": "EMAIL1"}])
    assert made["id"] and made["company"]["id"] == 1
    listed = rest_v1.ContactService.list(limit=5, email="ada@example.com")
    assert [c["id"] for c in listed["contacts"]] == [made["id"]]
    assert rest_v1.ContactService.add_tags(made["id"], [1, 2]) == {"1": "SUCCESS", "2": "SUCCESS"}
    assert rest_v1.ContactService.remove_tags(made["id"], [1, 2]) is True  # 204
    tag = rest_v1.TagService.create(1, "From keap-python")
    assert tag["category"]["id"] == 1
    assert rest_v1.TagService.add_contacts(tag["id"], [made["id"]]) == {str(made["id"]): "SUCCESS"}
    assert rest_v1.TagService.get_tagged_contacts(tag["id"])["count"] == 1
    assert app.call("ContactService.load", made["id"], ["FirstName", "Groups"]) == {
        "FirstName": "Ada", "Groups": str(tag["id"])}
    assert "contactGroup.applied" in rest_v1.HookService.list_event_keys()
    assert rest_v1.HookService.list() == []


def test_commerce_campaigns_and_settings_through_keap_python(app, rest_v1):
    """keap-python's REST services of phase 2 (orders, products, transactions, subscriptions, opportunities,
    campaigns, emails, merchants, locales, settings, affiliates), as the package sends them."""
    product = rest_v1.ProductService.create(product_name="Yoga mat", product_price=35.0)
    assert rest_v1.ProductService.get(product["id"])["product_name"] == "Yoga mat"
    assert rest_v1.ProductService.list(limit=2)["count"] == 9
    plan = rest_v1.ProductService.create_product_subscription(product["id"], cycle_type="MONTH", plan_price=9.0)
    assert rest_v1.ProductService.get_product_subscription(product["id"], plan["id"])["plan_price"] == 9.0
    order = rest_v1.OrderService.create(contact_id=7, order_date="2026-12-01T10:00:00.000Z", order_title="Mat",
                                        order_type="Online", order_items=[{"product_id": product["id"],
                                                                           "quantity": 1}])
    assert rest_v1.OrderService.get(order["id"])["total"] == 35.0
    paid = rest_v1.OrderService.create_order_payments(order["id"], payment_method_type="CASH", payment_amount="35")
    assert paid["payment_amount"] == 35.0 and rest_v1.OrderService.get_order_payments(order["id"])[0]["amount"] == 35
    assert rest_v1.OrderService.get_order_transactions(order["id"])["count"] == 1
    assert rest_v1.TransactionService.get(paid["transaction_id"])["order_ids"] == str(order["id"])
    assert rest_v1.OrderService.list(contact_id=7)["count"] == 2
    assert rest_v1.SubscriptionService.list()["count"] == 1
    assert rest_v1.OpportunityService.list()["count"] == 2
    assert rest_v1.CampaignService.list()["count"] == 4
    assert rest_v1.CampaignService.get(1, optional_properties="goals")["goals"]
    assert rest_v1.CampaignService.achieve_goal("sandbox", "no_such_goal", 7) == []
    assert rest_v1.MerchantService.list()["default_merchant_account"] == 1
    assert rest_v1.LocaleService.list_countries()["countries"]["USA"] == "United States"
    assert rest_v1.LocaleService.list_dropdown_defaults()["title_types"]
    assert rest_v1.SettingService.get_application_configuration()["invoice"]["tax_label"] == "Tax"
    assert rest_v1.AffiliateService.get(1)["code"] == "SAMALLEN"
    assert rest_v1.AffiliateService.get_summaries(affiliate_ids=[1])["count"] == 1
    assert rest_v1.EmailService.list_emails(contact_id=7)["count"] == 0
    # (opted_in=False never reaches the wire: keap-python drops falsy values, and the sandbox answers 400)
    app.call("APIEmailService.optOut", "liam.nguyen@example.com", "by phone")
    rest_v1.EmailService.update_email_address("liam.nguyen@example.com", opted_in=True, reason="keap-python")
    assert app.call("APIEmailService.getOptStatus", "liam.nguyen@example.com") == 1  # from Opt-Out: Manual


def test_updates_that_repeat_the_id_in_the_body(app, rest_v1):
    """keap-python's update and create_credit_card send the path's id in the body too (their ``locals()``): an
    ``id`` naming the path's record says nothing more and is taken; another stays an unknown property."""
    made = rest_v1.ContactService.create(given_name="Ada", email_addresses=[{"email": "ada.id@example.com",
                                                                             "field": "EMAIL1"}])
    updated = rest_v1.ContactService.update(made["id"], given_name="Augusta")
    assert updated["given_name"] == "Augusta" == rest_v1.ContactService.get(made["id"])["given_name"]
    card = rest_v1.ContactService.create_credit_card(
        made["id"], address={"field": "BILLING", "line1": "1 Main St", "locality": "Boise", "region": "ID",
                             "zip_code": "83702", "country_code": "USA"}, card_number="4111111111111111",
        card_type="Visa", email_address="ada.id@example.com", expiration_month="12", expiration_year="2030",
        maestro_issue_number="", maestro_start_date_month="", maestro_start_date_year="", name_on_card="Ada",
        verification_code="123")
    assert card["id"] and rest_v1.ContactService.get_credit_cards(made["id"])[0]["id"] == card["id"]
    key = app.live.control("POST", f"/apps/{app.name}/api-keys", json={"kind": "sak"}).json()["key"]
    other = requests.patch(f"{app.live.url}/crm/rest/v1/contacts/{made['id']}", headers={"X-Keap-API-Key": key},
                           json={"id": made["id"] + 1, "given_name": "X"}, timeout=30)
    assert other.status_code == 400 and other.json() == {"message": "Unrecognized property: id"}
