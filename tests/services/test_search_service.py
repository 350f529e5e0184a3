"""SearchService through a live server: saved searches (SavedFilter), report columns, quick searches."""
from __future__ import annotations

import xmlrpc.client

import pytest

from tests.conftest import fault_of

ADMIN, COACH = 1, 2


def _search(app, name):
    rows = app.call("DataService.query", "SavedFilter", 100, 0, {"FilterName": name},
                    ["Id", "FilterName", "ReportStoredName", "UserId"])
    assert len(rows) == 1, rows
    return rows[0]


def test_saved_filters_are_queryable_like_the_vendor_docs_say(app):
    mine = app.call("DataService.query", "SavedFilter", 100, 0, {"UserId": f"{COACH}%"}, ["Id", "FilterName"])
    assert {r["FilterName"] for r in mine} == {"Prospects to call", "Denver companies"}
    assert _search(app, "Colorado customers")["ReportStoredName"] == "ContactSearch"
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("DataService.add", "SavedFilter", {"FilterName": "x"})
    assert fault_of(exc)[0] == 7


def test_results_all_fields_carry_the_searchs_columns_including_empty_ones(app):
    search = _search(app, "Colorado customers")
    rows = app.call("SearchService.getSavedSearchResultsAllFields", search["Id"], ADMIN, 0)
    expected = app.call("DataService.query", "Contact", 1000, 0, {"State": "CO", "ContactType": "Customer"},
                        ["Id", "FirstName", "LastName"])
    assert [r["Id"] for r in rows] == [r["Id"] for r in expected]
    assert all(set(r) == {"Id", "ContactName", "Company", "PhoneWithExtension1", "Email", "State"} for r in rows)
    first = expected[0]
    assert rows[0]["ContactName"] == f"{first['FirstName']} {first['LastName']}"
    assert any(r["Company"] == "" for r in rows)  # empty columns are present, as empty strings
    assert app.call("SearchService.getSavedSearchResultsAllFields", search["Id"], ADMIN, 1) == []


def test_results_with_chosen_columns_and_tag_criteria(app):
    search = _search(app, "Trail Run Meetup members")
    rows = app.call("SearchService.getSavedSearchResults", search["Id"], COACH, 0, ["ContactId", "FilterId", "Tags"])
    tag = app.call("DataService.query", "ContactGroup", 1, 0, {"GroupName": "Trail Run Meetup"}, ["Id"])[0]["Id"]
    members = app.call("DataService.query", "ContactGroupAssign", 1000, 0, {"GroupId": tag}, ["ContactId"])
    assert sorted(r["ContactId"] for r in rows) == sorted(m["ContactId"] for m in members)
    assert all(r["FilterId"] == search["Id"] and str(tag) in r["Tags"].split(",") for r in rows)
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("SearchService.getSavedSearchResults", search["Id"], COACH, 0, ["FirstName"])
    assert fault_of(exc) == (10, "[NoFieldFound]No field found: ContactSearch.FirstName")


def test_company_report_and_owner_column(app):
    companies = app.call("SearchService.getSavedSearchResultsAllFields", _search(app, "All companies")["Id"], ADMIN, 0)
    assert len(companies) == app.call("DataService.count", "Company", {})
    prospects = app.call("SearchService.getSavedSearchResultsAllFields", _search(app, "Prospects to call")["Id"],
                         COACH, 0)
    assert prospects and all(set(r) >= {"ContactId", "Owner", "LeadSourceIdOverride"} for r in prospects)


def test_report_columns(app):
    columns = app.call("SearchService.getAllReportColumns", _search(app, "Colorado customers")["Id"], ADMIN)
    assert columns["ContactName"] == "Name" and columns["PostalCodePlusZipFour1.postalCode"] == "Postal Code"
    assert columns["Tags"] == "Tag Ids" and columns["LeadSourceIdOverride"] == "Leadsource"
    assert columns["_MembershipLevel"]  # custom fields are columns too
    assert len(columns) > 90


def test_saved_search_faults(app):
    search = _search(app, "Colorado customers")
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("SearchService.getSavedSearchResultsAllFields", 9999, ADMIN, 0)
    assert fault_of(exc) == (5, "[RecordNotFound]Record not found for Id:9999")
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("SearchService.getSavedSearchResultsAllFields", search["Id"], 777, 0)
    assert fault_of(exc)[0] == 12
    with pytest.raises(xmlrpc.client.Fault) as exc:  # the coach does not own the admin's search
        app.call("SearchService.getAllReportColumns", search["Id"], COACH)
    assert fault_of(exc)[0] == 14


def test_quick_searches(app):
    assert app.call("SearchService.getAvailableQuickSearches", ADMIN) == {
        "FindPerson": "Person", "FindCompany": "Company", "FindTask": "Task/Appt/Note", "FindOrder": "Order",
        "FindSubscription": "Subscription", "FindOpportunity": "Opportunity", "FindAffiliate": "Affiliate"}
    assert app.call("SearchService.getDefaultQuickSearch", ADMIN) == "null"
    people = app.call("SearchService.quickSearch", "FindPerson", ADMIN, "Noah Patel", 0, 10)
    assert [p["ContactName"] for p in people] == ["Noah Patel"] and people[0]["Email"]
    assert app.call("SearchService.quickSearch", "Person", ADMIN, "noah", 0, 10) == people  # the label works too
    assert [c["Company"] for c in app.call("SearchService.quickSearch", "FindCompany", ADMIN, "Alpine", 0, 10)] == [
        "Alpine Health Partners"]
    affiliates = app.call("SearchService.quickSearch", "FindAffiliate", ADMIN, "samuel", 0, 10)
    assert [a["AffCode"] for a in affiliates] == ["SAMALLEN"]
    cid = people[0]["Id"]
    app.call("DataService.add", "ContactAction", {"ContactId": cid, "ActionDescription": "Hamstring check-in"})
    tasks = app.call("SearchService.quickSearch", "FindTask", ADMIN, "hamstring", 0, 10)
    assert [t["ContactName"] for t in tasks] == ["Noah Patel"]
    assert app.call("SearchService.quickSearch", "FindPerson", ADMIN, "nobody-by-this-name", 0, 10) == []
    for kind in ("FindOrder", "FindSubscription", "FindOpportunity"):  # tables of another area: empty until served
        assert isinstance(app.call("SearchService.quickSearch", kind, ADMIN, "Noah", 0, 10), list)
    assert len(app.call("SearchService.quickSearch", "FindPerson", ADMIN, "e", 0, 3)) == 3
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("SearchService.quickSearch", "FindUnicorn", ADMIN, "x", 0, 10)
    assert fault_of(exc)[0] == 12


def test_an_email_search_reads_parts_of_the_email_history(app):
    """Seed 003: "The tables that store the email history are not available to the API however there are some
    saved searches that allow you to access parts of the email history": a saved email search, added through
    the control API, lists the emails sent to contacts."""
    ann = app.call("ContactService.add", {"FirstName": "Ann", "LastName": "History", "Email": "ann@history.test"})
    bob = app.call("ContactService.add", {"FirstName": "Bob", "LastName": "History", "Email": "bob@history.test"})
    for cid, subject in ((ann, "Welcome Ann"), (bob, "Welcome Bob"), (ann, "Your receipt")):
        assert app.call("APIEmailService.sendEmail", [cid], "me@example.com", "~Contact.Email~", "", "", "Text",
                        subject, "", "Hello") is True
    made = app.live.control("POST", f"/apps/{app.name}/saved-searches", json={
        "name": "Emails to Ann", "report": "email", "users": [COACH], "criteria": {"ContactId": ann}})
    assert made.status_code == 201, made.text
    search = made.json()
    assert (search["stored_name"], search["columns"]) == ("EmailSentSearch",
                                                          ["Id", "ContactName", "Email", "Subject", "SentDate"])
    rows = app.call("SearchService.getSavedSearchResultsAllFields", search["id"], COACH, 0)
    assert [(r["ContactName"], r["Email"], r["Subject"]) for r in rows] == [
        ("Ann History", "ann@history.test", "Welcome Ann"), ("Ann History", "ann@history.test", "Your receipt")]
    assert all(r["SentDate"] for r in rows)
    columns = app.call("SearchService.getAllReportColumns", search["id"], COACH)
    assert {"Subject", "SentDate", "OpenedDate", "ClickedDate"} <= set(columns)
    picked = app.call("SearchService.getSavedSearchResults", search["id"], COACH, 0, ["Subject", "OpenedDate"])
    assert picked == [{"Subject": "Welcome Ann", "OpenedDate": ""}, {"Subject": "Your receipt", "OpenedDate": ""}]

    welcomes = app.live.control("POST", f"/apps/{app.name}/saved-searches", json={
        "name": "Welcomes", "report": "email", "users": [0], "criteria": {"Subject": "Welcome%"},
        "columns": ["ContactId", "Subject"]}).json()
    assert app.call("SearchService.getSavedSearchResultsAllFields", welcomes["id"], ADMIN, 0) == [
        {"ContactId": ann, "Subject": "Welcome Ann"}, {"ContactId": bob, "Subject": "Welcome Bob"}]
    listed = app.live.control("GET", f"/apps/{app.name}/saved-searches").json()["saved_searches"]
    assert [s["name"] for s in listed][-2:] == ["Emails to Ann", "Welcomes"]

    for bad, field in (({"criteria": {"Body": "x"}}, "criteria.Body"), ({"columns": ["Nope"]}, "columns"),
                       ({"users": ["nobody@example.com"]}, "users.0")):
        r = app.live.control("POST", f"/apps/{app.name}/saved-searches",
                             json={"name": "Bad", "report": "email", "users": [COACH], **bad})
        assert r.status_code == 400 and r.json()["fields"][0]["field"] == field, r.text
    assert app.live.control("POST", f"/apps/{app.name}/saved-searches",
                            json={"name": "Bad", "report": "orders", "users": [COACH]}).status_code == 400


def test_the_documented_fullname_column_is_the_contacts_name(app):
    """Spec §2.8's returnFields example names ``FullName``; the vendor's column list calls it ContactName."""
    search = _search(app, "Colorado customers")
    rows = app.call("SearchService.getSavedSearchResults", search["Id"], ADMIN, 0, ["ContactId", "FullName"])
    named = app.call("SearchService.getSavedSearchResults", search["Id"], ADMIN, 0, ["ContactId", "ContactName"])
    assert rows and [(r["ContactId"], r["FullName"]) for r in rows] == [
        (r["ContactId"], r["ContactName"]) for r in named]
    assert "FullName" not in app.call("SearchService.getAllReportColumns", search["Id"], ADMIN)


@pytest.mark.parametrize("bad, field", [
    ({"tags": [10**30]}, "tags.0"), ({"users": [10**30]}, "users.0"),
    ({"criteria": {"ContactId": "abc"}}, "criteria.ContactId"),
    ({"criteria": {"ContactId": [1, 2]}}, "criteria.ContactId"),
    ({"criteria": {"ContactId": 10**20}}, "criteria.ContactId"),
    ({"criteria": {"Subject": {"a": 1}}}, "criteria.Subject"),
    ({"criteria": {"tag_ids": "x"}}, "criteria.tag_ids"), ({"criteria": {"Body": "x"}}, "criteria.Body"),
    ({"report": "contact", "criteria": {"Nope": 1}}, "criteria.Nope"),
    ({"report": "contact", "criteria": {"tag_ids": [1, "x"]}}, "criteria.tag_ids"),
    ({"report": "contact", "criteria": {"FirstName": 10**30}}, "criteria.FirstName"),
])
def test_a_saved_search_that_could_not_run_is_refused_naming_the_field(app, bad, field):
    r = app.live.control("POST", f"/apps/{app.name}/saved-searches",
                         json={"name": "Probe", "report": "email", "users": [COACH], **bad})
    assert r.status_code == 400 and r.json()["fields"][0]["field"] == field, r.text


def test_email_search_text_criteria_ignore_case_beyond_ascii(app):
    cid = app.call("ContactService.add", {"FirstName": "Zoé", "Email": "zoe@history.test"})
    assert app.call("APIEmailService.sendEmail", [cid], "me@example.com", "~Contact.Email~", "", "", "Text",
                    "Été news", "", "x") is True
    for criteria in ({"Subject": "été%"}, {"Subject": "ÉTÉ NEWS"}, {"Email": "ZOE@history.test"}):
        made = app.live.control("POST", f"/apps/{app.name}/saved-searches", json={
            "name": "Folded", "report": "email", "users": [COACH], "criteria": criteria}).json()
        rows = app.call("SearchService.getSavedSearchResultsAllFields", made["id"], COACH, 0)
        assert [r["Subject"] for r in rows] == ["Été news"], criteria
    contact = app.live.control("POST", f"/apps/{app.name}/saved-searches", json={
        "name": "By name", "report": "contact", "users": [COACH], "criteria": {"FirstName": "ZOÉ"}}).json()
    assert [r["Id"] for r in app.call("SearchService.getSavedSearchResultsAllFields", contact["id"], COACH, 0)] == [cid]
