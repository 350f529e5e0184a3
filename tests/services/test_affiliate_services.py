"""Affiliates: the Affiliate/Referral/AffResource tables, the programs, redirect links (followed through the
sandbox), commissions credited from invoice.paid (emitted here in an AppSession, as the e-commerce branch
will), clawbacks, and the APIAffiliateService reports end to end."""
from __future__ import annotations

import xmlrpc.client
from datetime import datetime

import pytest
import requests

from server.store import apps
from server.store.db import transaction
from tests.conftest import fault_of

START, END = datetime(2026, 1, 1), datetime(2026, 12, 31, 23, 59, 59)


def _aff(app, code):
    return app.call("DataService.query", "Affiliate", 10, 0, {"AffCode": code},
                    ["Id", "ContactId", "AffName", "SalePercent", "SaleAmt", "LeadAmt", "LeadCookieFor"])[0]


def _emit(app, type_, **payload):
    sandbox = app.live.sandbox
    with transaction(sandbox.engine, write=True) as conn:
        record = apps.by_name(conn, app.name)
        sandbox.env.session(conn, record).emit(type_, "invoice", payload.get("invoice_id"), **payload)


def test_affiliate_tables(app):
    sam = _aff(app, "SAMALLEN")
    assert sam["AffName"] == "Samuel Allen" and sam["SalePercent"] == 10.0
    new = app.call("DataService.add", "Affiliate", {"ContactId": sam["ContactId"], "AffCode": "NEWAFF",
                                                    "AffName": "New", "SalePercent": 7.5, "Status": 1})
    assert app.call("DataService.update", "Affiliate", new, {"AffName": "Renamed"}) == new
    assert app.call("DataService.load", "Affiliate", new, ["AffName", "SalePercent"]) == {
        "AffName": "Renamed", "SalePercent": 7.5}
    ref = app.call("DataService.add", "Referral", {"ContactId": 3, "AffiliateId": new, "DateSet": "2026-05-01"})
    assert app.call("DataService.load", "Referral", ref, ["AffiliateId", "DateSet"]) == {
        "AffiliateId": new, "DateSet": datetime(2026, 5, 1)}
    with pytest.raises(xmlrpc.client.Fault) as exc:  # Referral is add and read only
        app.call("DataService.update", "Referral", ref, {"Source": "x"})
    assert fault_of(exc)[0] == 7
    assert app.call("DataService.delete", "Affiliate", new) is True
    res = app.call("DataService.query", "AffResource", 10, 0, {"ResourceType": "Banner"}, ["Title", "ProgramIds"])
    assert res[0]["Title"].startswith("Spring Challenge")


def test_programs_and_resources(app):
    programs = app.call("AffiliateProgramService.getAffiliatePrograms")
    assert [p["Name"] for p in programs] == ["Member Referral Program", "Corporate Partner Program"]
    member, corporate = programs[0]["Id"], programs[1]["Id"]
    diego = _aff(app, "DIEGOFIT")
    assert [p["Id"] for p in app.call("AffiliateProgramService.getProgramsForAffiliate", diego["Id"])] == [
        member, corporate]
    people = app.call("AffiliateProgramService.getAffiliatesByProgram", corporate)
    assert len(people) == 1 and people[0]["AffCode"] == "DIEGOFIT" and people[0]["Email"] == "diego.silva@example.org"
    assert "Password" not in people[0] and people[0]["FirstName"] == "Diego"
    titles = [r["Title"] for r in app.call("AffiliateProgramService.getResourcesForAffiliateProgram", member)]
    assert titles == ["Spring Challenge banner (728x90)", "Referral email copy"]
    assert app.call("AffiliateProgramService.getAffiliatesByProgram", 999) == []


def test_reports_on_seeded_commissions(app):
    sam, ezra = _aff(app, "SAMALLEN")["Id"], _aff(app, "EZRACHEN")["Id"]
    rows = app.call("APIAffiliateService.affCommissions", sam, START, END)
    assert [r["AmtEarned"] for r in rows] == [19.9, 19.9]
    assert rows[0]["ContactFirstName"] == "Noah" and rows[0]["SoldByLastName"] == "Allen"
    assert set(rows[0]) == {"AffiliateId", "ContactId", "ContactFirstName", "ContactLastName", "SoldByFirstName",
                            "SoldByLastName", "Description", "AmtEarned", "InvoiceId", "ProductName", "DateEarned",
                            "SaleAffId"}
    assert app.call("APIAffiliateService.affCommissions", sam, datetime(2026, 3, 1), END)[0]["DateEarned"] == \
        datetime(2026, 3, 10, 10, 0)
    assert app.call("APIAffiliateService.affClawbacks", ezra, "20260101T00:00:00", "20261231T00:00:00")[0][
        "AmtEarned"] == 25.0
    assert app.call("APIAffiliateService.affPayouts", sam, START, END) == [
        {"AffiliateId": sam, "PayDate": datetime(2026, 3, 1, 9, 0), "PayAmt": 19.9, "PayType": "Check",
         "PayNote": "February referral commissions"}]
    # all time: the seeded 2026 ledger (39.80) and the commissions of a referred contact's seeded 2025
    # subscription renewals (3 × 8.90), credited when the seeded invoices were paid
    assert app.call("APIAffiliateService.affRunningTotals", [sam, ezra, 4242]) == [
        {"AffiliateId": sam, "AmountEarned": 66.5, "Clawbacks": 0.0, "Payments": 19.9, "RunningBalance": 46.6},
        {"AffiliateId": ezra, "AmountEarned": 25.0, "Clawbacks": 25.0, "Payments": 0.0, "RunningBalance": 0.0},
        {"AffiliateId": 4242, "AmountEarned": 0.0, "Clawbacks": 0.0, "Payments": 0.0, "RunningBalance": 0.0}]
    assert app.call("APIAffiliateService.affSummary", [sam], datetime(2026, 3, 1), END) == [
        {"AffiliateId": sam, "AmountEarned": 19.9, "Clawbacks": 0.0, "Balance": 19.9}]
    assert app.call("APIAffiliateService.affSummary", sam, START, END)[0]["AmountEarned"] == 39.8
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("AffiliateService.affPayouts", sam, START, END)  # the real wrong-prefix fault
    assert fault_of(exc) == (0, "No such handler: AffiliateService.affPayouts")
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("APIAffiliateService.affCommissions", sam, "someday", END)
    assert fault_of(exc)[0] == 12


def test_invoice_paid_credits_the_affiliates(app):
    diego, sam = _aff(app, "DIEGOFIT"), _aff(app, "SAMALLEN")
    _emit(app, "invoice.paid", contact_id=5, invoice_id=501, order_id=501, product_ids=[], category_ids=[],
          amount=200.0, payment_type="charge", lead_affiliate_id=sam["Id"], sale_affiliate_id=diego["Id"])
    mine = [r for r in app.call("APIAffiliateService.affCommissions", diego["Id"], START, datetime(2099, 1, 1))
            if r["InvoiceId"] == 501]
    assert [r["AmtEarned"] for r in mine] == [30.0]  # 15 % of 200
    assert mine[0]["SaleAffId"] == diego["Id"] and mine[0]["SoldByFirstName"] == "Diego"
    # Sam's LeadPercent is 0: no lead commission. The same invoice paid again credits nothing more.
    _emit(app, "invoice.paid", contact_id=5, invoice_id=501, amount=200.0, sale_affiliate_id=diego["Id"])
    again = app.call("APIAffiliateService.affCommissions", diego["Id"], START, datetime(2099, 1, 1))
    assert len([r for r in again if r["InvoiceId"] == 501]) == 1
    # deleting the invoice claws the commission back
    _emit(app, "invoice.deleted", invoice_id=501, contact_id=5)
    claws = app.call("APIAffiliateService.affClawbacks", diego["Id"], START, datetime(2099, 1, 1))
    assert [(c["InvoiceId"], c["AmtEarned"]) for c in claws] == [(501, 30.0)]


def test_a_sale_without_affiliates_credits_the_referring_one(app):
    ezra = _aff(app, "EZRACHEN")  # flat 25.00 per sale; Harper was referred by Ezra
    harper = app.call("ContactService.findByEmail", "harper.williams@example.com", ["Id"])[0]["Id"]
    _emit(app, "invoice.paid", contact_id=harper, invoice_id=777, amount=99.0, lead_affiliate_id=0,
          sale_affiliate_id=0, product_ids=[])
    rows = [r for r in app.call("APIAffiliateService.affCommissions", ezra["Id"], START, datetime(2099, 1, 1))
            if r["InvoiceId"] == 777]
    assert [r["AmtEarned"] for r in rows] == [25.0]
    _emit(app, "invoice.paid", contact_id=harper, invoice_id=778, amount=99.0, bypass_commissions=True)
    assert not [r for r in app.call("APIAffiliateService.affCommissions", ezra["Id"], START, datetime(2099, 1, 1))
                if r["InvoiceId"] == 778]


def test_redirect_links_set_the_referral_of_a_form_submission(app):
    diego = _aff(app, "DIEGOFIT")
    links = app.call("AffiliateService.getRedirectLinksForAffiliate", diego["Id"])
    assert [link["LocalUrlCode"] for link in links] == ["spring", "plans", "corporate"]
    sam_links = app.call("AffiliateService.getRedirectLinksForAffiliate", _aff(app, "SAMALLEN")["Id"])
    assert [link["LocalUrlCode"] for link in sam_links] == ["spring", "plans"]  # not in the corporate program
    spring = links[0]
    assert spring["RedirectUrl"] == "https://www.example.com/spring-challenge"
    assert spring["AffiliateUrl"] == f"{app.live.url}/go/{app.name}/spring/DIEGOFIT"

    browser = requests.Session()
    r = browser.get(spring["AffiliateUrl"], allow_redirects=False, timeout=30)
    assert r.status_code == 302 and r.headers["Location"] == spring["RedirectUrl"]
    assert requests.get(f"{app.live.url}/go/{app.name}/spring/NOBODY", allow_redirects=False, timeout=30
                        ).status_code == 404

    form_id = int(next(k for k, v in app.call("WebFormService.getMap").items() if v == "Free Guide Download"))
    html = app.call("WebFormService.getHTML", form_id)
    action = html.split('action="', 1)[1].split('"', 1)[0]
    r = browser.post(action, data={"inf_field_FirstName": "Rita", "inf_field_Email": "rita@example.com"},
                     allow_redirects=False, timeout=30)
    assert r.status_code == 302
    cid = app.call("ContactService.findByEmail", "rita@example.com", ["Id"])[0]["Id"]
    refs = app.call("DataService.query", "Referral", 10, 0, {"ContactId": cid}, ["AffiliateId", "DateExpires", "Type"])
    assert [(x["AffiliateId"], x["Type"]) for x in refs] == [(diego["Id"], 0)] and "DateExpires" in refs[0]
    lead = [c for c in app.call("APIAffiliateService.affCommissions", diego["Id"], START, datetime(2099, 1, 1))
            if c["ContactId"] == cid]
    assert [c["AmtEarned"] for c in lead] == [5.0]  # Diego's LeadAmt, paid for the referral


def test_a_link_limited_to_some_programs_follows_only_for_their_affiliates(app):
    """A redirect link follows for exactly the affiliates getRedirectLinksForAffiliate offers it to: "corporate" is
    limited to the Corporate Partner Program, which SAMALLEN is not in, so his code gets the unknown link's 404 and
    no referral cookie."""
    for code in ("DIEGOFIT", "SAMALLEN"):
        offered = {link["LocalUrlCode"] for link in
                   app.call("AffiliateService.getRedirectLinksForAffiliate", _aff(app, code)["Id"])}
        for local in ("spring", "plans", "corporate"):
            r = requests.get(f"{app.live.url}/go/{app.name}/{local}/{code}", allow_redirects=False, timeout=30)
            assert (r.status_code == 302) == (local in offered), (code, local, r.status_code)
            assert ("Set-Cookie" in r.headers) == (local in offered)
    assert "corporate" not in {link["LocalUrlCode"] for link in app.call(
        "AffiliateService.getRedirectLinksForAffiliate", _aff(app, "SAMALLEN")["Id"])}
    for path in (f"{app.name}%00/spring/DIEGOFIT", f"{app.name}/spr%00ing/DIEGOFIT", f"{app.name}/spring/DIEGO%00"):
        r = requests.get(f"{app.live.url}/go/{path}", allow_redirects=False, timeout=30)  # PostgreSQL refuses a NUL
        assert r.status_code == 404, (path, r.status_code)


@pytest.mark.parametrize("cookie", ["9" * 23, "2147483648", "\u00b2", "-1", "abc"])
def test_a_referral_cookie_that_names_no_affiliate_is_ignored(app, cookie):
    """A form post keeps the visitor's submission whatever their affiliate cookie holds: one that cannot be an
    affiliate id (not ASCII digits, or past the store's integers) is no referral."""
    browser = requests.Session()
    r = browser.get(f"{app.live.url}/go/{app.name}/spring/DIEGOFIT", allow_redirects=False, timeout=30)
    [name] = [c.name for c in browser.cookies]  # inf_aff_<app id>
    form_id = int(next(k for k, v in app.call("WebFormService.getMap").items() if v == "Free Guide Download"))
    action = app.call("WebFormService.getHTML", form_id).split('action="', 1)[1].split('"', 1)[0]
    r = requests.post(action, data={"inf_field_FirstName": "Gus", "inf_field_Email": "gus@example.com"},
                      headers={"Cookie": f"{name}={cookie}".encode()}, allow_redirects=False, timeout=30)
    assert r.status_code == 302, r.text
    [contact] = app.call("ContactService.findByEmail", "gus@example.com", ["Id", "FirstName"])
    assert contact["FirstName"] == "Gus"
    assert app.call("DataService.query", "Referral", 10, 0, {"ContactId": contact["Id"]}, ["Id"]) == []


def test_events_of_contact_rows_carry_the_contact(app):
    sam = _aff(app, "SAMALLEN")
    ref = app.call("DataService.add", "Referral", {"ContactId": 7, "AffiliateId": sam["Id"]})
    app.call("DataService.update", "Affiliate", sam["Id"], {"AffName": "Sam A."})
    events = app.live.control("GET", f"/apps/{app.name}/events?limit=1000").json()["events"]
    by_type = {(e["type"], e["entity_id"]): e["payload"] for e in events}
    assert by_type[("referral.added", ref)]["contact_id"] == 7
    assert by_type[("affiliate.updated", sam["Id"])]["contact_id"] == sam["ContactId"]


def test_a_contact_row_moved_to_another_contact_names_the_new_one(app):
    """contact_records: an update that writes the contact column carries the contact written; a delete the row's."""
    ticket = app.call("DataService.add", "Ticket", {"ContactId": 7, "TicketTitle": "Moved"})
    app.call("DataService.update", "Ticket", ticket, {"ContactId": 8})
    app.call("DataService.update", "Ticket", ticket, {"TicketTitle": "Still moved"})
    app.call("DataService.delete", "Ticket", ticket)
    events = app.live.control("GET", f"/apps/{app.name}/events?limit=1000").json()["events"]
    mine = [(e["type"], e["payload"]["contact_id"]) for e in events if e["entity_id"] == ticket
            and e["type"].startswith("ticket.") and e["type"] != "ticket.stage_moved"]
    assert sorted(mine) == sorted([("ticket.added", 7), ("ticket.updated", 8), ("ticket.updated", 8),
                                   ("ticket.deleted", 8)])
