"""AffiliateService.updatePhoneStats (both services) and DataService.getMetaData, which the real server does not
expose (undocumented; the Novak SDK)."""
from __future__ import annotations

import xmlrpc.client

import pytest

from server.xmlrpc.catalog import NOT_EXPOSED
from tests.conftest import fault_of


@pytest.mark.parametrize("service", ["AffiliateService", "APIAffiliateService"])
def test_phone_stats_reach_the_affiliate_of_that_name(app, service):
    assert app.call(f"{service}.updatePhoneStats", "samuel", "ALLEN", 12, 3600, 300.0) is True
    assert app.call(f"{service}.updatePhoneStats", "Samuel", "Allen", 14, "4200", "300") is True  # Novak's PHP values
    [aff] = app.call("DataService.query", "Affiliate", 10, 0, {"AffCode": "SAMALLEN"}, ["Id", "ContactId"])
    events = app.live.control("GET", f"/apps/{app.name}/events", params={"limit": 1000}).json()["events"]
    stats = [e for e in events if e["type"] == "affiliate.phone_stats_updated"]
    assert [e["entity_id"] for e in stats] == [aff["Id"], aff["Id"]]
    assert stats[-1]["payload"] == {"contact_id": aff["ContactId"], "calls": 14, "total_time": 4200.0,
                                    "average_time": 300.0}
    assert app.call(f"{service}.updatePhoneStats", "Nobody", "Here", 1, 1, 1) is False


@pytest.mark.parametrize("args, message", [
    (("Samuel", "Allen", 1, "long", 1), "totalTime must be a number"),
    (("Samuel", "Allen", 1, 1, -2), "averageTime must be a number, 0 or more"),
    (("Samuel", "Allen", -1, 1, 1), "calls must be 0 or more"),
    (("", " ", 1, 1, 1), "firstName and lastName name the affiliate"),
])
def test_phone_stats_faults(app, args, message):
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("AffiliateService.updatePhoneStats", *args)
    assert fault_of(exc) == (12, f"[InvalidParameter]{message}")


def test_get_meta_data_is_not_exposed_as_on_the_real_server(app):
    assert not set(NOT_EXPOSED) & set(app.live.sandbox.methods.names())
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("DataService.getMetaData", "Contact")
    assert fault_of(exc) == (0, "No such handler: DataService.getMetaData")


def test_contact_service_app_settings_answer_as_data_service_does(app):
    """ContactService.getAppSetting, getAppSettingInt and refreshApp (Novak, "internal"; spec §2.1)."""
    for module, setting in (("Contact", "optiontypes"), ("Order", "defaultCurrency"), ("Nope", "nope")):
        assert app.call("ContactService.getAppSetting", module, setting) == app.call(
            "DataService.getAppSetting", module, setting)
    assert app.call("ContactService.getAppSettingInt", "Nope", "nope") == 0
    assert app.call("ContactService.refreshApp") is True
