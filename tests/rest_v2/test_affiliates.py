"""Affiliates through REST v2, end to end on a live server (every answer checked against Keap's contract by the
``v2`` fixture): affiliates, programs, resources and redirect links written through v2 and read back through
XML-RPC (DataService, AffiliateProgramService, AffiliateService) and REST v1 ``/affiliates``; the ledger's
commissions, payments, referrals and summaries as APIAffiliateService reports them."""
from __future__ import annotations

from datetime import datetime

from server.domain.data import custom_fields
from server.store import apps
from server.store.db import transaction
from server.tables import FORM_AFFILIATE
from tests.rest.conftest import rest_for

SAM, EZRA, DIEGO, OLIVIA = "1", "2", "3", "4"  # the seeded affiliates, in seeding order
MEMBER, CORPORATE = "1", "2"  # the seeded programs


def _paid(app, **payload) -> None:
    """An invoice paid (the event the commerce domain emits), as tests/services/test_affiliate_services does."""
    sandbox = app.live.sandbox
    with transaction(sandbox.engine, write=True) as conn:
        sandbox.env.session(conn, apps.by_name(conn, app.name)).emit("invoice.paid", "invoice",
                                                                     payload["invoice_id"], **payload)


def _affiliate_field(app, label: str) -> int:
    """An Affiliate custom field (FormId -3), made as DataService.addCustomField would."""
    sandbox = app.live.sandbox
    with transaction(sandbox.engine, write=True) as conn:
        s = sandbox.env.session(conn, apps.by_name(conn, app.name))
        group = custom_fields.add_group(s, custom_fields.add_tab(s, FORM_AFFILIATE, "Partner"), "Partner details")
        return custom_fields.add_custom_field(s, "Affiliate", label, "Text", group)


def test_affiliates_written_by_v2_are_the_rows_of_xmlrpc_and_v1(v2):
    seeded = v2.ok("GET", "/affiliates")["affiliates"]
    assert [a["code"] for a in seeded] == ["SAMALLEN", "EZRACHEN", "DIEGOFIT", "OLIVIAM"]
    assert seeded[0] == {"id": SAM, "code": "SAMALLEN", "name": "Samuel Allen", "status": "ACTIVE",
                         "contact_id": seeded[0]["contact_id"], "notify_on_sale": True, "notify_on_lead": True,
                         "track_leads_days": 30, "custom_fields": []}
    assert [a["id"] for a in v2.ok("GET", "/affiliates", params={"filter": "status==INACTIVE"})["affiliates"]] == [
        OLIVIA]
    assert [a["id"] for a in v2.ok("GET", "/affiliates", params={"filter": "name==diego*"})["affiliates"]] == [DIEGO]
    referred_by = v2.ok("GET", "/affiliates", params={"filter": f"referral_contact_id=={seeded[0]['contact_id']}"})
    assert referred_by["affiliates"] == []  # the seeded referrals are of other contacts
    assert [a["id"] for a in v2.walk("/affiliates", "affiliates", page_size=1, order_by="code desc")] == [
        SAM, OLIVIA, EZRA, DIEGO]

    field_id = _affiliate_field(v2.app, "Tier")
    made = v2.ok("POST", "/affiliates", 201, json={
        "code": "NEWPAL", "contact_id": "7", "password": "s3cret", "status": "ACTIVE", "notify_on_sale": True,
        "track_leads_days": 45, "custom_fields": [{"id": str(field_id), "content": "Gold"}]})
    assert made["code"] == "NEWPAL" and made["status"] == "ACTIVE" and made["name"]  # named after the contact
    assert made["custom_fields"] == [{"id": str(field_id), "content": "Gold"}]
    assert v2.ok("GET", f"/affiliates/{made['id']}") == made
    row = v2.app.call("DataService.load", "Affiliate", int(made["id"]),
                      ["AffCode", "ContactId", "Status", "NotifySale", "NotifyLead", "LeadCookieFor", "Password",
                       "_Tier"])
    assert row == {"AffCode": "NEWPAL", "ContactId": 7, "Status": 1, "NotifySale": 1, "NotifyLead": 0,
                   "LeadCookieFor": 45, "Password": "s3cret", "_Tier": "Gold"}
    v1 = rest_for(v2.app).ok("GET", f"/affiliates/{made['id']}")
    assert v1["code"] == "NEWPAL" and v1["contact_id"] == 7 and v1["track_leads_for"] == 45

    changed = v2.ok("PATCH", f"/affiliates/{made['id']}", params={"update_mask": "status,name"},
                    json={"status": "INACTIVE", "name": "New Pal", "code": "IGNORED"})
    assert changed["status"] == "INACTIVE" and changed["name"] == "New Pal" and changed["code"] == "NEWPAL"
    changed = v2.ok("PATCH", f"/affiliates/{made['id']}", json={"parent_affiliate_id": SAM, "code": "PAL2"})
    assert changed["parent_affiliate_id"] == SAM and changed["code"] == "PAL2"
    assert v2.app.call("DataService.load", "Affiliate", int(made["id"]), ["AffName", "Status", "ParentId"]) == {
        "AffName": "New Pal", "Status": 0, "ParentId": 1}
    created_inactive = v2.ok("POST", "/affiliates", 201, json={"code": "QUIET1", "contact_id": "8", "name": "Q"})
    assert created_inactive["status"] == "INACTIVE"  # the contract's default

    assert v2.error("POST", "/affiliates", 409, json={"code": "samallen", "contact_id": "8"})["status"] == \
        "ALREADY_EXISTS"
    for bad in ("AB", "1abc", "has space"):
        assert v2.error("POST", "/affiliates", 400, json={"code": bad, "contact_id": "8"})["details"] == [
            {"domain": "request", "resource": "code"}]
    assert v2.error("POST", "/affiliates", 400, json={"code": "NOBODY", "contact_id": "999999"})["details"][0][
        "resource"] == "contact_id"
    assert v2.error("PATCH", f"/affiliates/{made['id']}", 400, json={"custom_fields": [{"id": "99999"}]})[
        "details"][0]["resource"] == "custom_fields.0.id"

    assert v2.delete(f"/affiliates/{made['id']}").status_code == 204
    assert v2.error("GET", f"/affiliates/{made['id']}", 404)["details"] == [
        {"domain": "Affiliate", "resource": made["id"]}]
    assert v2.app.call("DataService.query", "Affiliate", 10, 0, {"Id": int(made["id"])}, ["Id"]) == []


def test_programs_membership_and_resources(v2):
    listed = v2.ok("GET", "/affiliates/commissionPrograms")["commission_programs"]
    assert [(p["id"], p["name"], p["priority"]) for p in listed] == [
        (MEMBER, "Member Referral Program", "1"), (CORPORATE, "Corporate Partner Program", "2")]
    assert listed[1]["affiliate_ids"] == [DIEGO]
    mine = v2.ok("GET", "/affiliates/commissionPrograms", params={"filter": f"affiliate_id=={DIEGO}"})
    assert [p["id"] for p in mine["commission_programs"]] == [MEMBER, CORPORATE]

    made = v2.ok("POST", "/affiliates/commissionPrograms", 201,
                 json={"name": "VIP Partners", "notes": "by invitation", "priority": 3})
    assert made == {"id": made["id"], "name": "VIP Partners", "notes": "by invitation", "priority": 3}
    pid = made["id"]
    assert v2.ok("POST", f"/affiliates/{SAM}:assignToProgram", json={"affiliate_program_id": pid}) is None
    assert v2.ok("GET", f"/affiliates/commissionPrograms/{pid}")["affiliate_ids"] == [SAM]
    assert int(pid) in [p["Id"] for p in v2.app.call("AffiliateProgramService.getProgramsForAffiliate", 1)]
    assert [a["AffCode"] for a in v2.app.call("AffiliateProgramService.getAffiliatesByProgram", int(pid))] == [
        "SAMALLEN"]
    v1 = rest_for(v2.app).ok("GET", "/affiliates/programs", params={"affiliate_id": 1})["programs"]
    assert [p["name"] for p in v1] == ["Member Referral Program", "VIP Partners"]
    assert v2.error("POST", f"/affiliates/{SAM}:assignToProgram", 400,
                    json={"affiliate_program_id": "99999"})["details"][0]["resource"] == "affiliate_program_id"

    renamed = v2.ok("PATCH", f"/affiliates/commissionPrograms/{pid}", params={"update_mask": "name"},
                    json={"name": "VIP", "priority": 9})
    assert renamed["name"] == "VIP" and renamed["priority"] == 3
    assert [p["Name"] for p in v2.app.call("AffiliateProgramService.getAffiliatePrograms")][-1] == "VIP"

    resource = v2.ok("POST", "/affiliates/commissionPrograms/resources", 201, json={
        "title": "VIP banner", "type": "BANNER", "url": "https://example.com/vip", "order": 2,
        "content_html": "<img src='vip.png'>", "page_width": 728, "page_height": 90,
        "commission_program_ids": [pid, MEMBER]})
    assert resource["type"] == "BANNER" and resource["order"] == 2 and resource["commission_programs"] == [
        {"commission_program_id": pid}, {"commission_program_id": MEMBER}]
    assert (resource["page_width"], resource["page_height"]) == (728, 90)
    listed = v2.ok("GET", f"/affiliates/commissionPrograms/{pid}/resources")["resources"]
    assert listed == [resource]
    member = v2.ok("GET", f"/affiliates/commissionPrograms/{MEMBER}/resources")["resources"]
    assert [(x["title"], x["type"]) for x in member] == [
        ("Spring Challenge banner (728x90)", "BANNER"), ("Referral email copy", "EMAIL"), ("VIP banner", "BANNER")]
    [row] = v2.app.call("AffiliateProgramService.getResourcesForAffiliateProgram", int(pid))
    assert row["Title"] == "VIP banner" and row["ResourceType"] == "Banner" and row["ResourceHREF"] == \
        "https://example.com/vip"
    updated = v2.ok("PATCH", f"/affiliates/commissionPrograms/resources/{resource['id']}",
                    json={"notes": "728x90", "commission_program_ids": [pid]})
    assert updated["notes"] == "728x90" and updated["commission_programs"] == [{"commission_program_id": pid}]
    assert v2.ok("PATCH", f"/affiliates/commissionPrograms/resources/{resource['id']}", params={
        "update_mask": "page_height"}, json={"page_width": 1})["page_height"] == 0  # masked, absent: cleared
    assert v2.error("PATCH", f"/affiliates/commissionPrograms/resources/{resource['id']}", 400,
                    json={"page_width": -1})["details"][0]["resource"] == "page_width"
    assert v2.error("POST", "/affiliates/commissionPrograms/resources", 400, json={
        "title": "x", "type": "PAGE", "commission_program_ids": ["99999"]})["details"][0]["resource"] == \
        "commission_program_ids.0"

    assert v2.ok("POST", f"/affiliates/{SAM}:removeFromProgram", json={"affiliate_program_id": pid}) is None
    assert v2.ok("GET", f"/affiliates/commissionPrograms/{pid}")["affiliate_ids"] == []
    assert v2.delete(f"/affiliates/commissionPrograms/{pid}").status_code == 204
    assert v2.error("GET", f"/affiliates/commissionPrograms/{pid}", 404)["status"] == "NOT_FOUND"
    assert v2.app.call("DataService.load", "AffResource", int(resource["id"]), ["ProgramIds"]) in (
        {}, {"ProgramIds": ""})  # the deleted program is named by no resource
    assert v2.delete(f"/affiliates/commissionPrograms/resources/{resource['id']}").status_code == 204
    assert v2.error("DELETE", f"/affiliates/commissionPrograms/resources/{resource['id']}", 404)["code"] == 404


def test_redirect_links(v2):
    seeded = v2.ok("GET", "/affiliates/redirects")["affiliate_links"]
    assert [x["code"] for x in seeded] == ["spring", "plans", "corporate"]
    assert seeded[2]["program_ids"] == [CORPORATE] and "affiliate_id" not in seeded[0]
    made = v2.ok("POST", "/affiliates/redirects", 201, json={
        "name": "Summer", "code": "summer", "website_address": "https://example.com/summer", "affiliate_id": EZRA})
    assert made["website_address"] == made["redirect_url"] == "https://example.com/summer"
    assert made["code"] == made["local_url_code"] == "summer" and made["affiliate_id"] == EZRA
    assert v2.ok("GET", f"/affiliates/redirects/{made['id']}") == made
    offered = v2.app.call("AffiliateService.getRedirectLinksForAffiliate", 2)
    assert "summer" in [x["LocalUrlCode"] for x in offered]
    assert "summer" not in [x["LocalUrlCode"] for x in v2.app.call("AffiliateService.getRedirectLinksForAffiliate", 1)]
    mine = v2.ok("GET", "/affiliates/redirects", params={"filter": f"affiliate_id=={EZRA}"})["affiliate_links"]
    assert [x["id"] for x in mine] == [made["id"]]
    assert v2.error("POST", "/affiliates/redirects", 409, json={
        "name": "x", "code": "SPRING", "website_address": "https://example.com"})["status"] == "ALREADY_EXISTS"
    changed = v2.ok("PATCH", f"/affiliates/redirects/{made['id']}", json={
        "name": "Summer 2", "code": "summer2", "website_address": "https://example.com/s2",
        "program_ids": [MEMBER]})
    assert changed["program_ids"] == [MEMBER] and "affiliate_id" not in changed
    v1 = rest_for(v2.app).ok("GET", "/affiliates/redirectlinks")["redirects"]
    assert any(x["local_url_code"] == "summer2" and x["program_ids"] == [1] for x in v1)
    assert v2.delete(f"/affiliates/redirects/{made['id']}").status_code == 204
    assert v2.error("GET", f"/affiliates/redirects/{made['id']}", 404)["details"][0]["domain"] == "Affiliate Link"


def _reported(v2, method: str, affiliate_id: int) -> list[dict]:
    return v2.app.call(f"APIAffiliateService.{method}", affiliate_id, datetime(2000, 1, 1), datetime(2099, 1, 1))


def test_the_ledger_commissions_payments_referrals_and_summaries(v2):
    """The ledger holds the seeded entries and the commissions of the seeded paid orders: v2 must show what
    APIAffiliateService reports."""
    reported = _reported(v2, "affCommissions", 1)
    sam = v2.ok("GET", f"/affiliates/{SAM}:commissions", params={"order_by": "time_earned"})
    assert [c["amount_earned"] for c in sam["affiliate_commissions"]] == [c["AmtEarned"] for c in reported]
    earned = round(sum(c["AmtEarned"] for c in reported), 2)
    assert sam["amount_earned"] == earned and sam["clawbacks"] == 0 and sam["commission_total"] == earned
    first = sam["affiliate_commissions"][0]
    assert first["time_earned"].endswith("Z") and first["product_name"] == reported[0]["ProductName"]
    assert first["sales_affiliate_id"] == SAM and first["sales_affiliate_name"] == "Samuel Allen"
    assert first["contact_first_name"] == reported[0]["ContactFirstName"]
    clawed = sum(c["AmtEarned"] for c in _reported(v2, "affClawbacks", 2))
    ezra = v2.ok("GET", f"/affiliates/{EZRA}:commissions", params={"order_by": "time_earned desc"})
    assert -clawed in [c["amount_earned"] for c in ezra["affiliate_commissions"]]
    assert ezra["clawbacks"] == clawed and ezra["commission_total"] == round(ezra["amount_earned"] - clawed, 2)
    times = [c["time_earned"] for c in ezra["affiliate_commissions"]]
    assert times == sorted(times, reverse=True)
    since = v2.ok("GET", f"/affiliates/{SAM}:commissions", params={"filter": "since_time==2026-03-01T00:00:00Z"})
    assert len(since["affiliate_commissions"]) == len([c for c in reported if c["DateEarned"] >= datetime(2026, 3, 1)])

    [totals] = v2.app.call("APIAffiliateService.affRunningTotals", [1])
    total = round(totals["AmountEarned"] - totals["Clawbacks"], 2)
    assert v2.ok("GET", f"/affiliates/{SAM}/commissionTotal") == {"affiliate_commission_total": total}

    payments = v2.ok("GET", f"/affiliates/{SAM}/payments")["affiliate_payments"]
    assert [(p["pay_amount"], p["pay_type"], p["pay_notes"]) for p in payments] == [
        (p["PayAmt"], p["PayType"].upper(), p["PayNote"]) for p in _reported(v2, "affPayouts", 1)]
    assert payments[0]["pay_type"] == "CHECK"

    referrals = v2.ok("GET", f"/affiliates/{SAM}/referrals")["referrals"]
    assert [(x["source"], x["referral_partner_id"], x["ip_address"]) for x in referrals] == [
        ("Spring Challenge landing page", SAM, "203.0.113.24")]
    assert v2.ok("GET", f"/affiliates/{SAM}/referrals", params={"filter": "source==coaching*"})["referrals"] == []

    summaries = v2.ok("GET", "/affiliates/summaries", params={"filter": f"affiliate_ids=={SAM},{EZRA},{DIEGO}"})
    expected = v2.app.call("APIAffiliateService.affSummary", [1, 2, 3], datetime(2000, 1, 1), datetime(2099, 1, 1))
    assert [(x["affiliateId"], x["amountEarned"], x["clawbacks"], x["balance"])
            for x in summaries["affiliate_summaries"]] == [
        (x["AffiliateId"], x["AmountEarned"], x["Clawbacks"], x["Balance"]) for x in expected]
    richest = v2.ok("GET", "/affiliates/summaries", params={"order_by": "balance desc", "page_size": 1})
    assert richest["affiliate_summaries"][0]["affiliateId"] == max(expected, key=lambda x: x["Balance"])[
        "AffiliateId"] and richest["next_page_token"]
    march = v2.ok("GET", "/affiliates/summaries", params={
        "filter": f"affiliate_ids=={SAM};since_time==2026-03-01T00:00:00Z;until_time==2026-03-31T23:59:59Z"})
    [expected] = v2.app.call("APIAffiliateService.affSummary", [1], datetime(2026, 3, 1),
                             datetime(2026, 3, 31, 23, 59, 59))
    assert march["affiliate_summaries"] == [{"affiliateId": 1, "amountEarned": expected["AmountEarned"],
                                             "clawbacks": expected["Clawbacks"], "balance": expected["Balance"]}]
    assert v2.error("GET", "/affiliates/99999/payments", 404)["status"] == "NOT_FOUND"
    assert v2.error("GET", "/affiliates/summaries", 400, params={"order_by": "name"})["details"][0]["resource"] == \
        "order_by"


def test_the_sdk_reads_and_writes_affiliates(sdk, v2):
    """keap-core-v2-sdk's AffiliateApi, unmodified but for its host: its strict models accept every answer."""
    from keap_core_v2_client import AffiliateApi
    from keap_core_v2_client.models import (
        AffiliateAddToProgramRequest,
        CreateAffiliateRequest,
        CreateCommissionProgramRequest,
        CreateDefaultCommissionProgramRequest,
        CreateOrUpdateAffiliateLinkRequest,
        UpdateAffiliateRequest,
    )

    api = AffiliateApi(sdk)
    made = api.add_affiliate(CreateAffiliateRequest(code="SDKPAL", contact_id="9", status="ACTIVE"))
    assert made.code == "SDKPAL" and api.get_affiliate(made.id) == made
    assert api.update_affiliate(made.id, UpdateAffiliateRequest(name="SDK Pal"), update_mask=["name"]).name == \
        "SDK Pal"
    assert [a.code for a in api.list_affiliate(filter="code==SDKPAL").affiliates] == ["SDKPAL"]
    program = api.add_commission_program(CreateCommissionProgramRequest(name="SDK program", priority=5))
    api.add_affiliate_to_program(made.id, AffiliateAddToProgramRequest(affiliate_program_id=program.id))
    assert api.get_commission_program(program.id).affiliate_ids == [made.id]
    rated = api.create_default_commission_program(program.id, CreateDefaultCommissionProgramRequest(percentage="12"))
    assert rated.default_commission.percentage == 12 and rated.default_commission.payout_type == "UPFRONT"
    assert [p.id for p in api.list_affiliate_commission_programs(filter=f"affiliate_id=={made.id}")
            .commission_programs] == [program.id]
    link = api.create_redirect_link(CreateOrUpdateAffiliateLinkRequest(
        name="SDK link", code="sdklink", website_address="https://example.com/sdk", affiliate_id=made.id))
    assert api.get_redirect_link(link.id).website_address == "https://example.com/sdk"
    assert api.list_affiliate_links(filter="name==SDK*").affiliate_links[0].id == link.id
    total = api.get_affiliate_commission_total(SAM).affiliate_commission_total
    assert total > 0 and api.get_affiliate_commissions(SAM).commission_total == total
    assert len(api.list_affiliate_payments(SAM).affiliate_payments) == 1
    assert api.get_referrals_by_affiliate_id(SAM).referrals[0].referral_type == "COOKIE"
    assert api.list_summaries(filter=f"affiliate_ids=={SAM}").affiliate_summaries[0].balance == total
    assert len(api.list_commission_program_resources(MEMBER).resources) == 2
    api.delete_redirect_link(link.id)
    api.delete_affiliate_commission_program(program.id)
    api.delete_affiliate(made.id)


def test_a_programs_commission_rates(v2):
    product = v2.app.call("DataService.query", "Product", 1, 0, {"Id": "%"}, ["Id", "ProductName", "ProductPrice"])[0]
    plan = v2.app.call("DataService.query", "SubscriptionPlan", 1, 0, {"Id": "%"}, ["Id", "PlanPrice"])[0]
    base = f"/affiliates/commissionPrograms/{MEMBER}"
    assert "default_commission" not in v2.ok("GET", base)

    made = v2.ok("POST", f"/affiliates/commissionPrograms/defaultCommissionPrograms/{MEMBER}", 201, json={
        "percentage": "10", "level_2": {"sale_percent": "2.5"}, "payout_type": "PAYMENT_RECEIVED"})
    assert made["default_commission"] == {"payout_type": "PAYMENT_RECEIVED", "percentage": 10.0,
                                          "level_1": {"sale_percent": 10.0}, "level_2": {"sale_percent": 2.5}}
    assert v2.error("POST", f"/affiliates/commissionPrograms/defaultCommissionPrograms/{MEMBER}", 409,
                    json={"percentage": "5"})["status"] == "ALREADY_EXISTS"
    changed = v2.ok("PATCH", f"/affiliates/commissionPrograms/defaultCommissionPrograms/{MEMBER}",
                    params={"update_mask": "level_1,level_2"}, json={"level_1": {"sale_amount": "20"}})
    assert changed["default_commission"] == {"payout_type": "PAYMENT_RECEIVED", "dollar_amount": 20.0,
                                             "level_1": {"sale_amount": 20.0}}
    assert v2.error("PATCH", f"/affiliates/commissionPrograms/defaultCommissionPrograms/{CORPORATE}", 404,
                    json={"percentage": "1"})["code"] == 404
    assert v2.error("PATCH", f"/affiliates/commissionPrograms/defaultCommissionPrograms/{MEMBER}", 400,
                    json={"level_1": {"sale_percent": "150"}})["details"][0]["resource"] == "level_1.sale_percent"

    with_product = v2.ok("POST", f"/affiliates/commissionPrograms/productCommissionPrograms/{MEMBER}", 201, json={
        "product_id": str(product["Id"]), "level_1": {"sale_percent": "15", "lead_amount": "3"}})
    assert with_product["product_commissions"] == [{
        "payout_type": "UPFRONT", "percentage": 15.0, "level_1": {"sale_percent": 15.0, "lead_amount": 3.0},
        "product_id": str(product["Id"]), "product_name": product["ProductName"],
        "product_price": product["ProductPrice"]}]
    updated = v2.ok("PATCH", f"/affiliates/commissionPrograms/productCommissionPrograms/{MEMBER}",
                    json={"product_id": str(product["Id"]), "dollar_amount": "7"})
    assert updated["product_commissions"][0]["level_1"] == {"sale_percent": 15.0, "lead_amount": 3.0,
                                                            "sale_amount": 7.0}
    assert v2.error("POST", f"/affiliates/commissionPrograms/productCommissionPrograms/{MEMBER}", 400,
                    json={"product_id": "99999"})["details"][0]["resource"] == "product_id"

    with_plan = v2.ok("POST", f"/affiliates/commissionPrograms/subscriptionCommissionPrograms/{MEMBER}", 201,
                      json={"subscription_id": str(plan["Id"]), "level_1": {"sale_percent": "5"}})
    [sub] = with_plan["subscription_commissions"]
    assert sub["subscription_id"] == str(plan["Id"]) and sub["plan_price"] == plan["PlanPrice"] and sub["name"]
    sub = v2.ok("PATCH", f"/affiliates/commissionPrograms/subscriptionCommissionPrograms/{MEMBER}",
                json={"subscription_id": str(plan["Id"]), "payout_type": "PAYMENT_RECEIVED"})
    assert sub["subscription_commissions"][0]["payout_type"] == "PAYMENT_RECEIVED"

    assert v2.ok("POST", f"{base}:removeProductCommission", json={"product_id": str(product["Id"])}) is None
    assert v2.error("POST", f"{base}:removeProductCommission", 404, json={"product_id": str(product["Id"])})[
        "status"] == "NOT_FOUND"
    assert v2.ok("POST", f"{base}:removeSubscriptionCommission",
                 json={"subscription_plan_id": str(plan["Id"])}) is None
    read = v2.ok("GET", base)
    assert "product_commissions" not in read or read["product_commissions"] == []
    assert read["default_commission"]["dollar_amount"] == 20.0


def test_program_rates_decide_what_a_sale_earns(v2):
    """An affiliate in a program with rates earns the program's product rate, and its parent the level 2 rate;
    the commissions are what v2 and APIAffiliateService then show."""
    product = v2.app.call("DataService.query", "Product", 1, 0, {"Id": "%"}, ["Id"])[0]["Id"]
    v2.ok("POST", f"/affiliates/commissionPrograms/productCommissionPrograms/{MEMBER}", 201, json={
        "product_id": str(product), "level_1": {"sale_percent": "15"}, "level_2": {"sale_amount": "4"}})
    v2.ok("PATCH", f"/affiliates/{EZRA}", json={"parent_affiliate_id": SAM})
    _paid(v2.app, invoice_id=880001, contact_id=5, amount=200.0, product_ids=[product], sale_affiliate_id=2)
    ezra = [c for c in v2.ok("GET", f"/affiliates/{EZRA}:commissions")["affiliate_commissions"]
            if c.get("invoice_id") == "880001"]
    assert [c["amount_earned"] for c in ezra] == [30.0]  # 15 % of 200, not Ezra's own flat 25
    sam = [c for c in _reported(v2, "affCommissions", 1) if c["InvoiceId"] == 880001]
    assert [(c["AmtEarned"], c["SaleAffId"]) for c in sam] == [(4.0, 2)]  # level 2: Sam is Ezra's parent
    _paid(v2.app, invoice_id=880002, contact_id=5, amount=200.0, product_ids=[], sale_affiliate_id=2)
    own = [c for c in _reported(v2, "affCommissions", 2) if c["InvoiceId"] == 880002]
    assert [c["AmtEarned"] for c in own] == [25.0]  # no program rate for this sale: Ezra's own SaleAmt


def test_a_subscription_plans_rate_decides_what_its_invoices_earn(v2):
    """A plan's commission (subscriptionCommissionPrograms) applies to the invoices of subscriptions to that
    plan, before the product's rate and the program's default; a one-off sale of the product earns the product
    rate."""
    from tests.commerce.util import MEMBERSHIP, MEMBERSHIP_PLAN, OLIVIA, OLIVIA_VISA, TEST_GATEWAY

    base = "/affiliates/commissionPrograms"
    v2.ok("POST", f"{base}/defaultCommissionPrograms/{MEMBER}", 201, json={"percentage": "1"})
    v2.ok("POST", f"{base}/productCommissionPrograms/{MEMBER}", 201, json={
        "product_id": str(MEMBERSHIP), "level_1": {"sale_percent": "10"}})
    v2.ok("POST", f"{base}/subscriptionCommissionPrograms/{MEMBER}", 201, json={
        "subscription_id": str(MEMBERSHIP_PLAN), "level_1": {"sale_percent": "20"}})
    sub_id = v2.app.call("InvoiceService.addRecurringOrder", OLIVIA, False, MEMBERSHIP_PLAN, 1, 50.0, False,
                         TEST_GATEWAY, OLIVIA_VISA, int(EZRA), 0)
    invoice_id = v2.app.call("InvoiceService.createInvoiceForRecurring", sub_id)
    assert v2.app.call("InvoiceService.chargeInvoice", invoice_id, "", OLIVIA_VISA, TEST_GATEWAY,
                       False)["Successful"] is True
    earned = [c["AmtEarned"] for c in _reported(v2, "affCommissions", int(EZRA)) if c["InvoiceId"] == invoice_id]
    assert earned == [10.0]  # 20 % of 50: the plan's rate, not the product's 10 % or the default 1 %

    _paid(v2.app, invoice_id=880003, contact_id=5, amount=50.0, product_ids=[MEMBERSHIP], sale_affiliate_id=2)
    one_off = [c["AmtEarned"] for c in _reported(v2, "affCommissions", int(EZRA)) if c["InvoiceId"] == 880003]
    assert one_off == [5.0]  # no subscription: the product's 10 %


def test_list_affiliates_filtered_on_custom_fields(v2):
    """listAffiliate's filter takes the Affiliate custom fields by name (case ignored), with their type's
    operators, beside the standard fields."""
    _affiliate_field(v2.app, "Tier")
    for affiliate_id, tier in ((SAM, "Gold"), (EZRA, "Platinum"), (DIEGO, "Gold Plus")):
        assert v2.app.call("DataService.update", "Affiliate", int(affiliate_id), {"_Tier": tier}) == int(affiliate_id)

    def codes(text: str) -> list[str]:
        return [a["code"] for a in v2.ok("GET", "/affiliates", params={"filter": text})["affiliates"]]

    assert codes("Tier==gold") == ["SAMALLEN"]
    assert codes("tier==Gold*") == ["SAMALLEN", "DIEGOFIT"]
    assert codes("tier==Gold*;code==DIEGO*") == ["DIEGOFIT"]
    assert v2.error("GET", "/affiliates", 400, params={"filter": "tier!=Gold"})["details"][0]["resource"] == \
        "filter.tier"
    assert v2.error("GET", "/affiliates", 400, params={"filter": "shoe==9"})["details"][0]["resource"] == "filter"
