"""The pytest plugin (infusionsoft_sandbox), as a user runs it: pytester runs small user test files with
``-p infusionsoft_sandbox`` and reads their outcomes."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.store_agnostic  # the plugin as a user runs it

pytest_plugins = ["pytester"]

# A user's integration and its tests, as docs/testing.md shows them: sign someone up, then a week later.
SIGNUP = '''
import xmlrpc.client

import pytest
import requests


class MyIntegration:
    def __init__(self, url, api_key):
        self.proxy, self.key = xmlrpc.client.ServerProxy(url), api_key

    def signup(self, email, first_name):
        contact_id = self.proxy.ContactService.add(self.key, {"Email": email, "FirstName": first_name})
        self.proxy.APIEmailService.optIn(self.key, email, "signed up in the app")
        self.proxy.FunnelService.achieveGoal(self.key, "sandbox", "trial_started", contact_id)
        return contact_id


@pytest.mark.keap_app(frozen_at="2026-02-02T08:00:00")
def test_signup(keap_app):
    client = MyIntegration(keap_app.xmlrpc_url, keap_app.api_key)
    client.signup("ada@example.com", "Ada")
    assert keap_app.outbox(subject="trial starts now", to="ada@example.com")
    assert not keap_app.outbox(subject="Three days in")
    keap_app.advance("7d")
    [check_in] = keap_app.outbox(subject="Three days in")
    assert "Ada" in check_in["html_body"]
    assert keap_app.clock()["local"].startswith("2026-02-09T08:00:00")


def test_every_credential_calls_the_app(keap_app):
    mine = keap_app.call("ContactService.add", {"FirstName": "Only", "LastName": "Mine"})
    for headers in ({"Authorization": "Bearer " + keap_app.access_token}, {"X-Keap-API-Key": keap_app.pat}):
        r = requests.get(f"{keap_app.rest_url}/contacts/{mine}", headers=headers, timeout=30)
        assert r.status_code == 200 and r.json()["family_name"] == "Mine"


def test_each_test_has_a_fresh_app(keap_app):
    assert keap_app.call("DataService.count", "Contact", {"LastName": "Mine"}) == 0


def test_options_and_reset(keap_app):
    assert keap_app.options()["load_missing"] == "fault"
    assert keap_app.options(load_missing="empty")["load_missing"] == "empty"
    assert keap_app.call("ContactService.load", 987654, ["Id"]) == {}
    before = keap_app.call("DataService.count", "Contact", {})
    keap_app.call("ContactService.add", {"FirstName": "Gone"})
    keap_app.reset()
    assert keap_app.call("DataService.count", "Contact", {}) == before


def test_faults_journal_and_snapshots(keap_app):
    keap_app.inject_fault(match={"method": "ContactService.add"},
                          action={"type": "xmlrpc_fault", "tag": "DatabaseError"}, first=1)
    with pytest.raises(xmlrpc.client.Fault) as fault:
        keap_app.call("ContactService.add", {"FirstName": "Retry"})
    assert "DatabaseError" in fault.value.faultString
    keap_app.call("ContactService.add", {"FirstName": "Retry"})  # the retry goes through
    assert [e["method"] for e in keap_app.journal(method="ContactService.add")] == ["ContactService.add"] * 2
    keap_app.snapshot("before")
    before = keap_app.call("DataService.count", "Contact", {})
    keap_app.call("ContactService.add", {"FirstName": "Later"})
    keap_app.restore("before")
    assert keap_app.call("DataService.count", "Contact", {}) == before


@pytest.mark.parametrize("keap_app", [{"seed": False, "freeze": False}], indirect=True)
def test_an_empty_app_on_real_time(keap_app):
    assert keap_app.call("DataService.count", "Contact", {}) == 0
    assert keap_app.clock()["frozen"] is False
'''

WRONG = '''
def test_a_welcome_that_never_came(keap_app):
    keap_app.advance("7d")
    assert keap_app.outbox(subject="No such email")
'''


def test_a_user_suite_runs_on_a_sandbox_of_its_own(pytester):
    pytester.makepyfile(test_signup=SIGNUP)
    result = pytester.runpytest("-p", "infusionsoft_sandbox", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=6)


def test_a_failing_user_test_fails(pytester):
    pytester.makepyfile(test_wrong=WRONG)
    result = pytester.runpytest("-p", "infusionsoft_sandbox", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*assert []*"])


@pytest.mark.parametrize("how", ["option", "environment"])
def test_a_user_suite_on_a_running_sandbox(pytester, live, monkeypatch, how):
    pytester.makepyfile(test_named='''
def test_named(keap_app):
    keap_app.call("ContactService.add", {"FirstName": "Visitor"})
    with open("app-name.txt", "w") as f:
        f.write(keap_app.name)
''')
    args = ["-p", "infusionsoft_sandbox", "-p", "no:cacheprovider"]
    if how == "option":
        args += [f"--keap-sandbox-url={live.url}", "--keap-sandbox-keep-apps"]
    else:
        monkeypatch.setenv("KEAP_SANDBOX_URL", live.url)
    result = pytester.runpytest(*args)
    result.assert_outcomes(passed=1)
    name = (pytester.path / "app-name.txt").read_text()
    made = live.control("GET", f"/apps/{name}")  # the app was made in the running sandbox, and deleted after
    if how == "option":  # (unless kept)
        assert made.status_code == 200 and made.json()["clock"]["frozen"] is True
    else:
        assert made.status_code == 404
