"""Contract: infusionsoft-client 1.5.1 and keap-python 1.3.0, unmodified (spec clients.md §1.1, §1.2),
calling the search, affiliate, file, web-form, web-tracking, ticket and DataService-extra services."""
from __future__ import annotations

import base64
import hashlib
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.contract.test_keap_python import no_spike_arrest

pytestmark = pytest.mark.store_agnostic  # the clients' wire shapes; tests/services runs on both stores


@pytest.fixture
def ifs(app):
    from infusionsoft.client import InfusionsoftServerProxy

    return InfusionsoftServerProxy(app.live.url + "/api/xmlrpc", default_args=[app.key], use_builtin_types=True)


@pytest.fixture
def keap_xml(app, monkeypatch, tmp_path):
    import keap.XML
    from keap import Keap

    monkeypatch.chdir(tmp_path)
    no_spike_arrest(app)
    monkeypatch.setattr(keap.XML.BaseService, "xmlrpc_url", app.live.url + "/crm/xmlrpc/v1")
    monkeypatch.setattr(Keap, "access_token_url", app.live.url + "/token")
    monkeypatch.setattr(Keap, "authorize_url", app.live.url + "/app/oauth/authorize", raising=False)
    client = Keap(config={"CLIENT_ID": "sandbox-client", "CLIENT_SECRET": "sandbox-client-secret",
                          "REDIRECT_URL": "http://127.0.0.1:9000/callback",
                          "STORAGE_CLASS": "keap.storages.InMemoryStorage"})
    url = client.get_authorization_url(state="contract")
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    approved = app.live.control("POST", "/oauth/authorize", json={
        "client_id": query["client_id"], "redirect_uri": query["redirect_uri"], "state": query["state"],
        "app": app.name}).json()
    client.request_access_token(approved["code"])
    return client.XML


def test_infusionsoft_client_searches_files_forms(ifs, app):
    search = ifs.DataService.query("SavedFilter", 10, 0, {"UserId": "1%"}, ["Id", "FilterName"], "Id", True)[0]
    rows = ifs.SearchService.getSavedSearchResultsAllFields(search["Id"], 1, 0)
    assert rows and "ContactName" in rows[0]
    assert "Email" in ifs.SearchService.getAllReportColumns(search["Id"], 1)
    assert ifs.SearchService.quickSearch("FindPerson", 1, "Noah", 0, 5)[0]["ContactName"] == "Noah Patel"
    assert ifs.SearchService.getDefaultQuickSearch(1) == "null"

    cid = ifs.ContactService.add({"FirstName": "Ada", "Email": "ada@example.com"})
    file_id = ifs.FileService.uploadFile(cid, "ada.txt", base64.b64encode(b"engine notes").decode())
    assert base64.b64decode(ifs.FileService.getFile(file_id)) == b"engine notes"
    url = ifs.FileService.getDownloadUrl(str(file_id))  # the stub types the id as a string
    assert requests.get(url, timeout=30).content == b"engine notes"
    assert ifs.FileService.renameFile(file_id, "ada-notes.txt") is True
    assert ifs.FileService.replaceFile(file_id, base64.b64encode(b"v2").decode()) is True

    forms = ifs.WebFormService.getMap()
    html = ifs.WebFormService.getHTML(int(next(iter(forms))))
    assert "/app/form/process/" in html
    assert ifs.WebTrackingService.getWebTrackingScriptUrl().startswith(app.live.url)

    aff = ifs.DataService.findByField("Affiliate", 10, 0, "AffCode", "SAMALLEN", ["Id"])[0]["Id"]
    assert ifs.APIAffiliateService.affRunningTotals([aff])[0]["AmountEarned"] == 66.5  # seeded ledger + renewals
    assert ifs.APIAffiliateService.affCommissions(aff, datetime(2026, 1, 1), datetime(2026, 12, 31))
    assert ifs.AffiliateService.getRedirectLinksForAffiliate(aff)
    assert ifs.AffiliateProgramService.getAffiliatePrograms()
    md5 = hashlib.md5(b"sandbox-admin-1").hexdigest()
    assert ifs.DataService.authenticateUser("morgan.reyes@example.com", md5) == 1
    assert ifs.DataService.getAppSetting("Affiliate", "chooseaffiliate") == "first"


def test_keap_python_over_oauth(keap_xml, app):
    x = keap_xml
    search = x.DataService.query("SavedFilter", 10, 0, {"UserId": "1%"}, ["Id"], "Id", True)[0]["Id"]
    assert x.SearchService.get_search_report(search, 1, 0)  # its helper: getSavedSearchResultsAllFields
    assert x.SearchService.getAvailableQuickSearches(1)["FindPerson"] == "Person"
    aff = x.DataService.findByField("Affiliate", 10, 0, "AffCode", "EZRACHEN", ["Id"])[0]["Id"]
    assert x.AffiliateService.retrieve_running_totals([aff])[0]["RunningBalance"] == 0.0  # APIAffiliateService
    assert x.AffiliateService.affSummary([aff], datetime(2026, 1, 1), datetime(2026, 12, 31))[0]["Clawbacks"] == 25.0
    assert x.AffiliateProgramService.getProgramsForAffiliate(aff)[0]["Name"] == "Member Referral Program"
    file_id = x.FileService.uploadFile(0, "keap.txt", base64.b64encode(b"from keap-python").decode())
    assert base64.b64decode(x.FileService.getFile(file_id)) == b"from keap-python"
    forms = x.WebFormService.getMap()
    assert "Free Guide Download" in forms.values()
    appt = x.DataService.add("ContactAction", {"ContactId": 3, "ActionDescription": "Call", "IsAppointment": 1,
                                               "ActionDate": datetime(2026, 8, 1, 10, 0)})
    assert "BEGIN:VCALENDAR" in x.DataService.getAppointmentCal(appt)
    templates = x.ContactService.getActivityHistoryTemplateMap()
    assert x.ContactService.applyActivityHistoryTemplate(3, int(next(iter(templates))), 1) > 0
