"""DataService extras through a live server: getAppointmentICal / getAppointmentCal, getTemporaryKey (the
vendor flow), getAppSetting for every documented pair, authenticateUser."""
from __future__ import annotations

import hashlib
import xmlrpc.client
from datetime import datetime

import pytest
from icalendar import Calendar

from tests.conftest import fault_of

ADMIN_EMAIL, ADMIN_PASSWORD = "morgan.reyes@example.com", "sandbox-admin-1"


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def test_appointment_ical_under_both_names(app):
    app.clock(action="freeze")  # DTSTAMP is the app's now
    cid = app.call("ContactService.add", {"FirstName": "Cal"})
    appt = app.call("DataService.add", "ContactAction", {
        "ContactId": cid, "ActionDescription": "Fitness assessment", "CreationNotes": "Bring running shoes",
        "ActionDate": datetime(2026, 7, 1, 9, 30), "EndDate": datetime(2026, 7, 1, 10, 30), "IsAppointment": 1,
        "UserID": 1})
    text = app.call("DataService.getAppointmentICal", appt)
    assert text == app.call("DataService.getAppointmentCal", appt)
    # iCalendar lines end in CRLF; XML parsing turns them into LF, as it does for the real server's answer
    assert text.startswith("BEGIN:VCALENDAR") and "PRODID:-//Infusionsoft//iCal4j 1.0//EN" in text
    event = Calendar.from_ical(text).walk("VEVENT")[0]
    assert "DTSTART:20260701T133000Z" in text and "DTEND:20260701T143000Z" in text  # US Eastern, summer
    assert str(event["SUMMARY"]) == "Fitness assessment" and str(event["DESCRIPTION"]) == "Bring running shoes"
    assert str(event["ORGANIZER"]) == f"mailto:{ADMIN_EMAIL}" and str(event["UID"]).startswith(f"{appt}@")
    note = app.call("DataService.add", "ContactAction", {"ContactId": cid, "ActionDescription": "just a note"})
    for bad in (note, 999999):
        with pytest.raises(xmlrpc.client.Fault) as exc:
            app.call("DataService.getAppointmentICal", bad)
        assert fault_of(exc) == (5, f"[RecordNotFound]Record not found for Id:{bad}")


def test_temporary_key_flow(app):
    r = app.live.control("POST", f"/apps/{app.name}/vendor-keys", json={"name": "Acme integrations"})
    assert r.status_code == 201
    vendor_key = r.json()["vendor_key"]
    proxy = app.proxy()
    temp = proxy.DataService.getTemporaryKey(vendor_key, ADMIN_EMAIL, _md5(ADMIN_PASSWORD))
    assert len(temp) == 32 and temp != app.key
    # the temporary key works as an API key, for an hour of the app's clock
    assert proxy.DataService.getAppSetting(temp, "Application", "enabled") == "yes"
    assert proxy.DataService.getTemporaryKey("backwards-compatability", vendor_key, ADMIN_EMAIL,
                                             _md5(ADMIN_PASSWORD))  # the PHP SDK's form
    app.clock(action="advance", by="61m")
    with pytest.raises(xmlrpc.client.Fault) as exc:
        proxy.DataService.getAppSetting(temp, "Application", "enabled")
    assert fault_of(exc) == (2, "[InvalidKey]Invalid Key")
    with pytest.raises(xmlrpc.client.Fault) as exc:
        proxy.DataService.getTemporaryKey("no-such-vendor", ADMIN_EMAIL, _md5(ADMIN_PASSWORD))
    assert fault_of(exc) == (2, "[InvalidKey]Invalid Key")
    with pytest.raises(xmlrpc.client.Fault) as exc:
        proxy.DataService.getTemporaryKey(vendor_key, ADMIN_EMAIL, _md5("wrong"))
    assert fault_of(exc) == (13, "[FailedLoginAttempt]Invalid username and/or password.")
    with pytest.raises(xmlrpc.client.Fault) as exc:
        proxy.DataService.getTemporaryKey(vendor_key, "nobody@example.com", _md5("x"))
    assert fault_of(exc) == (13, "[FailedLoginAttempt]username not found: nobody@example.com")
    listed = app.live.control("GET", f"/apps/{app.name}/vendor-keys").json()["vendor_keys"]
    assert [k["name"] for k in listed] == ["Acme integrations"]
    assert app.live.control("DELETE", f"/apps/{app.name}/vendor-keys/{listed[0]['id']}").status_code == 200
    with pytest.raises(xmlrpc.client.Fault):
        proxy.DataService.getTemporaryKey(vendor_key, ADMIN_EMAIL, _md5(ADMIN_PASSWORD))


@pytest.mark.parametrize("module, setting, expected", [
    ("Contact", "optiontypes", "Prospect,Customer,Partner,Personal Contact,Vendor"),
    ("Contact", "optiontitles", "Dr.,Mr.,Mrs.,Ms.,Miss"),
    ("Contact", "optionsuffixes", "Jr,Sr,II,III,MD,PhD"),
    ("Contact", "optionphonetypes", "Work,Home,Mobile,Other"),
    ("Contact", "optionfaxtypes", "Work,Home,Other"),
    ("Application", "enabled", "yes"),
    ("Order", "optioncctypes", "Visa,MasterCard,American Express,Discover"),
    ("Order", "defaultmaxretry", "3"),
    ("Order", "defaultnumdaysbetween", "3"),
    ("Product", "optionpromocode", ""),
    ("Affiliate", "chooseaffiliate", "first"),
    ("contact", "optionTypes", "Prospect,Customer,Partner,Personal Contact,Vendor"),  # any case
    ("Nowhere", "nothing", ""),
])
def test_get_app_setting_answers_every_documented_pair(app, module, setting, expected):
    assert app.call("DataService.getAppSetting", module, setting) == expected


def test_get_app_setting_defaults_for_an_app_without_settings(empty_app):
    assert empty_app.call("DataService.getAppSetting", "Affiliate", "chooseaffiliate") == "first"
    assert empty_app.call("DataService.getAppSetting", "Contact", "optiontitles") == "Dr.,Mr.,Mrs.,Ms."


def test_authenticate_user(app):
    assert app.call("DataService.authenticateUser", ADMIN_EMAIL, _md5(ADMIN_PASSWORD)) == 1
    assert app.call("DataService.authenticateUser", ADMIN_EMAIL.upper(), _md5(ADMIN_PASSWORD).upper()) == 1
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("DataService.authenticateUser", ADMIN_EMAIL, ADMIN_PASSWORD)  # the password itself, not its md5
    assert fault_of(exc) == (13, "[FailedLoginAttempt]Invalid username and/or password.")
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("DataService.authenticateUser", "test@test.com", "bad_pass")
    assert fault_of(exc) == (13, "[FailedLoginAttempt]username not found: test@test.com")
