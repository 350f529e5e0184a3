"""Reports through REST v2 (every answer checked against Keap's contract): the saved searches SearchService
runs, listed, read and run over the store's rows; the rows are the ones XML-RPC's getSavedSearchResults gives."""
from __future__ import annotations

import json

ADMIN = 1


def _run(v2, report_id: str, status: int = 200, **options):
    return v2("POST", f"/reporting/reports/{report_id}:run", params={"runReportRequest": json.dumps(options)})


def test_reports_listed_read_and_run_as_xmlrpc_runs_them(v2):
    reports = v2.ok("GET", "/reporting/reports")["reports"]
    assert [x["name"] for x in reports] == ["Colorado customers", "Trail Run Meetup members", "Prospects to call",
                                             "All companies", "Denver companies"]
    colorado = reports[0]
    assert colorado["user_ids"] == ["1"] and v2.ok("GET", f"/reporting/reports/{colorado['id']}") == colorado
    assert [x["id"] for x in v2.ok("GET", "/reporting/reports", params={"filter": "name==denver*"})["reports"]] == [
        reports[4]["id"]]
    assert [x["id"] for x in v2.walk("/reporting/reports", "reports", page_size=2, order_by="name desc")] == [
        reports[i]["id"] for i in (1, 2, 4, 0, 3)]

    expected = v2.app.call("SearchService.getSavedSearchResultsAllFields", int(colorado["id"]), ADMIN, 0)
    ran = _run(v2, colorado["id"])
    assert ran.status_code == 200, ran.text
    rows = [{c["field_name"]: c["value"] for c in row["columns"]} for row in ran.json()["results"]]
    assert rows == [{k: str(v) for k, v in x.items()} for x in expected] and "page_token" not in ran.json()

    # chosen columns, ordered, a page at a time
    pages, token = [], None
    while True:
        answer = _run(v2, colorado["id"], fields="Id,Email", order_by="Email desc", page_size=1,
                      **({"page_token": token} if token else {})).json()
        pages += answer["results"]
        token = answer.get("page_token")
        if not token:
            break
    emails = [x["Email"] for x in expected]
    assert [[c["field_name"] for c in p["columns"]] for p in pages] == [["Id", "Email"]] * len(expected)
    assert [p["columns"][1]["value"] for p in pages] == sorted(emails, reverse=True)

    companies = v2.ok("GET", "/reporting/reports", params={"filter": "name==All companies"})["reports"][0]
    ran = _run(v2, companies["id"], fields="Company").json()["results"]
    assert len(ran) == v2.app.call("DataService.count", "Company", {})

    bad = _run(v2, colorado["id"], fields="Id,FirstName")
    assert bad.status_code == 400 and bad.json()["details"][0]["resource"] == "runReportRequest.fields"
    bad = _run(v2, colorado["id"], order_by="ContactName")  # made of two fields: no order
    assert bad.status_code == 400 and bad.json()["details"][0]["resource"] == "runReportRequest.order_by"
    bad = v2("POST", f"/reporting/reports/{colorado['id']}:run", params={"runReportRequest": "page_size=3"})
    assert bad.status_code == 400 and bad.json()["details"][0]["resource"] == "runReportRequest"
    assert v2.error("GET", "/reporting/reports/99999", 404)["details"] == [{"domain": "Report", "resource": "99999"}]
    assert _run(v2, "99999").status_code == 404


def test_the_sdk_lists_and_runs_reports(sdk, v2):
    from keap_core_v2_client import ReportingApi
    from keap_core_v2_client.models import RunReportRequest

    api = ReportingApi(sdk)
    listed = api.list_reports(filter="name==Colorado customers").reports
    assert [x.name for x in listed] == ["Colorado customers"]
    assert api.retrieve_report(listed[0].id).user_ids == ["1"]
    ran = api.run_report(listed[0].id, RunReportRequest(fields="Id,State", page_size=2))
    assert ran.results and all([c.field_name for c in row.columns] == ["Id", "State"] for row in ran.results)
    assert all(row.columns[1].value == "CO" for row in ran.results)


def test_an_email_report_runs_through_v2_as_through_xmlrpc(v2):
    cid = v2.app.call("ContactService.add", {"FirstName": "Eve", "Email": "eve@report.test"})
    for subject in ("B second", "A first"):
        assert v2.app.call("APIEmailService.sendEmail", [cid], "me@example.com", "~Contact.Email~", "", "", "Text",
                           subject, "", "Hi") is True
    made = v2.app.live.control("POST", f"/apps/{v2.app.name}/saved-searches", json={
        "name": "Eve's emails", "report": "email", "users": [ADMIN], "criteria": {"ContactId": cid}})
    assert made.status_code == 201, made.text
    ran = _run(v2, str(made.json()["id"]), fields="Subject,Email", order_by="Subject asc")
    assert ran.status_code == 200, ran.text
    assert [[c["value"] for c in row["columns"]] for row in ran.json()["results"]] == [
        ["A first", "eve@report.test"], ["B second", "eve@report.test"]]
