"""The migration page through plain HTTP (issue 19): the report of what the app still calls on XML-RPC, forgetting
its counts, the retirement schedule set from the form (app-local times) with what it means now, and the compare
tool."""
from __future__ import annotations

import xmlrpc.client

import pytest

from tests.inspector.test_pages import notice, post, ui


def test_the_report_shows_each_xmlrpc_method_with_its_v2_equivalent_and_forgets(live, app):
    app.call("ContactService.add", {"FirstName": "Old", "Email": "old@example.com"})
    app.call("ContactService.add", {"FirstName": "Older"})
    page = ui(live, f"/apps/{app.name}/migration")
    assert page.status_code == 200 and "Traceback" not in page.text
    assert "ContactService.add" in page.text and "/crm/rest/v2/contacts" in page.text
    assert "legacy_key" in page.text  # the credential it came with
    r = post(live, f"/apps/{app.name}/migration/reset")
    assert "forgotten" in notice(r) and "ContactService.add" not in r.text
    assert "nothing to migrate" in r.text


@pytest.mark.parametrize("path", ["/migration", "/migration/reset", "/retirement", "/retirement/clear",
                                  "/migration/compare"])
def test_an_unknown_app_is_a_404_on_the_migration_page_and_its_actions(live, path):
    r = (ui if path == "/migration" else post)(live, f"/apps/no-such-app{path}")
    assert r.status_code == 404 and "no app named" in r.text


def test_a_brownout_set_in_app_time_switches_xmlrpc_off_and_the_page_says_until_when(live, app):
    app.clock(time="2026-03-02T08:00:00", frozen=True)  # app-local
    r = post(live, f"/apps/{app.name}/retirement", {"brownouts": "2026-03-02T07:30:00 4h", "answer": "gone"})
    assert "XML-RPC is brownout" in notice(r), notice(r)
    assert "XML-RPC is in a brownout until 2026-03-02 11:30:00" in r.text
    assert "2026-03-02T07:30:00 14400s" in r.text
    with pytest.raises(xmlrpc.client.ProtocolError) as raised:
        app.call("DataService.echo", "hi")
    assert raised.value.errcode == 410
    app.clock(by="4h")
    assert app.call("DataService.echo", "hi") == "hi"
    assert "XML-RPC is on" in ui(live, f"/apps/{app.name}/migration").text
    r = post(live, f"/apps/{app.name}/retirement/clear")
    assert "cleared" in notice(r) and "No brownouts." in r.text


def test_the_preset_and_the_legacy_keys_retirement_from_the_form(live, app):
    app.clock(time="2026-03-10T16:30:00Z", frozen=True)  # inside keap-2026's first window (16:00 to 20:00 UTC)
    r = post(live, f"/apps/{app.name}/retirement", {"preset": "keap-2026", "legacy_retired": "2026-01-01T00:00:00"})
    assert "XML-RPC is brownout, legacy keys retired" in notice(r)
    assert "Legacy API keys are refused" in r.text and "Sunset" in r.text
    state = live.control("GET", f"/apps/{app.name}/retirement").json()
    assert state["settings"]["xmlrpc"]["preset"] == "keap-2026" and len(state["brownouts"]) == 7


def test_bad_schedules_are_refused_naming_the_field(live, app):
    r = post(live, f"/apps/{app.name}/retirement", {"sunset": "soon"})
    assert "sunset must be a date and time" in notice(r)
    r = post(live, f"/apps/{app.name}/retirement", {"brownouts": "2026-03-02T07:30:00 forever"})
    assert "brownouts, line 1" in notice(r) and "not a duration" in notice(r)
    r = post(live, f"/apps/{app.name}/retirement", {"json": '{"xmlrpc": {"preset": "keap-2099"}}'})
    assert "preset" in notice(r) and 'class="flash error"' in r.text
    r = post(live, f"/apps/{app.name}/retirement", {"json": "{nope"})
    assert "not valid" in notice(r)
    assert live.control("GET", f"/apps/{app.name}/retirement").json()["xmlrpc"] == "on"  # nothing was set


def test_the_compare_tool_runs_both_calls_and_keeps_nothing(live, app):
    cid = app.call("ContactService.add", {"FirstName": "Side", "Email": "side@example.com"})
    r = post(live, f"/apps/{app.name}/migration/compare",
             {"method": "ContactService.load", "params": f'[{cid}, ["FirstName", "Email"]]'})
    assert r.status_code == 200 and 'id="compared"' in r.text and "side@example.com" in r.text
    r = post(live, f"/apps/{app.name}/migration/compare", {"method": "ContactService.load", "params": "[1,"})
    assert "params must be a JSON list" in notice(r)
    r = post(live, f"/apps/{app.name}/migration/compare", {"method": "NoService.nothing", "params": "[]"})
    assert 'class="flash error"' in r.text and 'id="compared"' not in r.text


def test_the_report_breaks_dataservice_calls_down_by_table(live, app):
    for table in ("Invoice", "Job", "ContactAction", "EmailAddStatus"):
        app.call("DataService.query", table, 10, 0, {"Id": "%"}, ["Id"])
    app.call("DataService.add", "ContactAction", {"ContactId": 6, "ActionDescription": "Called back"})
    page = ui(live, f"/apps/{app.name}/migration")
    assert page.status_code == 200 and "Traceback" not in page.text
    assert "by table (" in page.text and "<code>Invoice</code> ×1" in page.text
    section = page.text[page.text.index('id="tables"'):]
    assert "5 DataService calls on 4 tables" in section
    for expected in ("<code>ContactAction</code>", "<code>createNote</code>", "<code>listTasks</code>",
                     "<code>POST /crm/rest/v1/appointments</code>", "<code>EmailAddStatus</code>",
                     "<code>listEmailAddressStatuses</code>", "<code>listOrders</code>",
                     "a ContactAction row is a note, a task or an appointment"):
        assert expected in section, expected


def test_no_tables_section_without_dataservice_calls(live, app):
    app.call("ContactService.load", 6, ["Id"])
    page = ui(live, f"/apps/{app.name}/migration")
    assert 'id="tables"' not in page.text and "by table (" not in page.text
