"""Fault codes that need a state of the app or of a credential to appear: 1 InvalidConfig (the app's API turned
off), 14 NoAccess (a credential acting as a user who is not an admin), 15 FailedLoginAttemptPasswordExpired
(authenticateUser with an expired password), and 3 Unexpected (a failure inside the sandbox), each reaching
the client as its code."""
from __future__ import annotations

import xmlrpc.client

import pytest
import requests

from server.xmlrpc.methods import Method
from tests.auth.test_oauth import REDIRECT, exchange, result, xmlrpc_call
from tests.conftest import fault_of

pytestmark = pytest.mark.store_agnostic  # the wire's transport and fault codes

INVALID_CONFIG = (1, "[InvalidConfig]Invalid Configuration: for help setting up your API, please contact Support "
                     "(1-866-800-0004 ext. 2)")
ADMIN, COACH = ("morgan.reyes@example.com", "sandbox-admin-1"), ("devin.okafor@example.com", "sandbox-coach-2")


def _fault(response) -> tuple[int, str]:
    assert response.status_code == 200, response.text
    with pytest.raises(xmlrpc.client.Fault) as exc:
        xmlrpc.client.loads(response.content)
    return fault_of(exc)


def _options(app, **changes):
    r = app.live.control("PATCH", f"/apps/{app.name}/options", json=changes)
    assert r.status_code == 200, r.text
    return r.json()


def _user_id(app, email: str) -> int:
    users = app.live.control("GET", f"/apps/{app.name}/users").json()["users"]
    return next(u["id"] for u in users if u["email"] == email)


# --- 1 InvalidConfig -------------------------------------------------------------------------------------

def test_an_app_with_its_api_turned_off_answers_invalid_config(live, app):
    pat = live.control("POST", f"/apps/{app.name}/api-keys", json={"kind": "pat"}).json()["key"]
    assert _options(app, api_enabled=False)["api_enabled"] is False
    app.clock(action="freeze")
    before = live.control("GET", f"/apps/{app.name}/throttle").json()["legacy"]["tokens"]
    for method, args in (("DataService.echo", ("x",)), ("ContactService.load", (1, ["Id"])),
                         ("DataService.getAppSetting", ("Application", "enabled"))):
        with pytest.raises(xmlrpc.client.Fault) as exc:
            app.call(method, *args)
        assert fault_of(exc) == INVALID_CONFIG
    # the legacy bucket does not pay for refused calls
    assert live.control("GET", f"/apps/{app.name}/throttle").json()["legacy"]["tokens"] == before
    for headers in ({"X-Keap-API-Key": app.key}, {"X-Keap-API-Key": pat}):
        assert _fault(xmlrpc_call(live, "DataService.echo", "backwards-compatability", "x", headers=headers)) == \
            INVALID_CONFIG
    with pytest.raises(xmlrpc.client.Fault) as exc:  # a wrong key is still a wrong key
        xmlrpc.client.ServerProxy(live.url + "/api/xmlrpc").DataService.echo("not-a-key", "x")
    assert exc.value.faultCode == 2
    assert live.control("PATCH", f"/apps/{app.name}/options", json={"api_enabled": "no"}).status_code == 400
    _options(app, api_enabled=True)
    assert app.call("DataService.getAppSetting", "Application", "enabled") == "yes"


def test_infusionsoft_client_sees_invalid_config_as_code_1(live, app):
    from infusionsoft.client import InfusionsoftServerProxy

    _options(app, api_enabled=False)
    ifs = InfusionsoftServerProxy(live.url + "/api/xmlrpc", default_args=[app.key], use_builtin_types=True)
    with pytest.raises(xmlrpc.client.Fault) as exc:  # after its own two retries of an [InvalidConfig]
        ifs.DataService.echo("x")
    assert fault_of(exc) == INVALID_CONFIG


# --- 14 NoAccess -----------------------------------------------------------------------------------------

def test_a_credential_of_a_user_who_is_not_an_admin_cannot_manage_custom_fields(live, app):
    coach, admin = _user_id(app, COACH[0]), _user_id(app, ADMIN[0])
    made = live.control("POST", f"/apps/{app.name}/api-keys", json={"kind": "pat", "user_id": coach})
    assert made.status_code == 201
    coach_pat = {"X-Keap-API-Key": made.json()["key"]}
    field_id = app.call("DataService.addCustomField", "Contact", "Shirt Size", "Text", 1)
    attempts = [("DataService.addCustomField", ("Contact", "Hat Size", "Text", 1), "DataService.addCustomField"),
                ("DataService.updateCustomField", (field_id, {"Label": "T-Shirt"}), "DataService.updateCustomField"),
                ("DataService.add", ("DataFormGroup", {"Name": "Mine", "TabId": 1}),
                 "DataService.add on DataFormGroup"),
                ("DataService.update", ("DataFormField", field_id, {"Label": "X"}),
                 "DataService.update on DataFormField")]
    for method, args, what in attempts:
        assert _fault(xmlrpc_call(live, method, "x", *args, headers=coach_pat)) == (
            14, f"[NoAccess]Access denied: {what} requires an administrator"), method
    # reading and the user's ordinary work are allowed
    cid = result(xmlrpc_call(live, "ContactService.add", "x", {"FirstName": "Coached"}, headers=coach_pat))
    assert result(xmlrpc_call(live, "DataService.load", "x", "DataFormField", field_id, ["Label"],
                              headers=coach_pat)) == {"Label": "Shirt Size"}
    info = result(xmlrpc_call(live, "DataService.getUserInfo", headers=coach_pat))
    assert info["localUserId"] == coach and cid > 0
    # an admin's PAT, a SAK and the legacy key may
    admin_pat = live.control("POST", f"/apps/{app.name}/api-keys", json={"kind": "pat", "user_id": admin}).json()
    sak = live.control("POST", f"/apps/{app.name}/api-keys", json={"kind": "sak"}).json()
    for key in (admin_pat["key"], sak["key"]):
        assert result(xmlrpc_call(live, "DataService.updateCustomField", "x", field_id, {"Label": "Size"},
                                  headers={"X-Keap-API-Key": key})) is True
    assert app.call("DataService.updateCustomField", field_id, {"Label": "Shirt Size"}) is True
    refused = live.control("POST", f"/apps/{app.name}/api-keys", json={"kind": "sak", "user_id": coach})
    assert refused.status_code == 400 and "administrator" in refused.json()["error"]
    assert live.control("POST", f"/apps/{app.name}/api-keys", json={"user_id": 999}).status_code == 404


def test_an_oauth_grant_acts_as_the_user_who_approved_it(live, app):
    client = live.control("POST", "/oauth/clients", json={"name": "Perms", "redirect_uris": [REDIRECT]}).json()
    coach = _user_id(app, COACH[0])
    approved = live.control("POST", "/oauth/authorize", json={
        "client_id": client["client_id"], "redirect_uri": REDIRECT, "app": app.name, "user_id": coach}).json()
    token = exchange(live, client, approved["code"]).json()["access_token"]
    assert _fault(xmlrpc_call(live, "DataService.addCustomField", "", "Contact", "Nope", "Text", 1, token=token))[0] \
        == 14
    assert result(xmlrpc_call(live, "DataService.getUserInfo", token=token))["localUserId"] == coach


# --- 15 FailedLoginAttemptPasswordExpired ----------------------------------------------------------------

def test_authenticate_user_with_an_expired_password(live, app):
    import hashlib

    email, password = ADMIN
    md5 = hashlib.md5(password.encode()).hexdigest()
    uid = _user_id(app, email)
    assert app.call("DataService.authenticateUser", email, md5) == uid
    app.clock(time="2024-03-01T09:00:00", frozen=True)
    r = live.control("POST", f"/apps/{app.name}/users/{uid}/password", json={"expires_in": "90d"})
    assert r.status_code == 200 and r.json()["password_expired"] is False
    assert app.call("DataService.authenticateUser", email, md5) == uid
    app.clock(by="90d")  # the app's clock reaches the expiry
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("DataService.authenticateUser", email, md5)
    assert fault_of(exc) == (15, f"[FailedLoginAttemptPasswordExpired]Password expired for user: {email}")
    with pytest.raises(xmlrpc.client.Fault) as exc:  # a wrong password is a failed login, expired or not
        app.call("DataService.authenticateUser", email, "0" * 32)
    assert exc.value.faultCode == 13
    listed = live.control("GET", f"/apps/{app.name}/users").json()["users"]
    assert next(u for u in listed if u["id"] == uid)["password_expired"] is True
    changed = live.control("POST", f"/apps/{app.name}/users/{uid}/password", json={"password": "new-secret-1"})
    assert changed.json()["password_expires_at"] is None  # a new password clears the expiry
    assert app.call("DataService.authenticateUser", email, hashlib.md5(b"new-secret-1").hexdigest()) == uid
    live.control("POST", f"/apps/{app.name}/users/{uid}/password", json={"expired": True})
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("DataService.authenticateUser", email, hashlib.md5(b"new-secret-1").hexdigest())
    assert exc.value.faultCode == 15
    for bad in ({"expired": "yes"}, {"expires_in": "soon"}, {"password": ""}):
        assert live.control("POST", f"/apps/{app.name}/users/{uid}/password", json=bad).status_code == 400
    assert live.control("POST", f"/apps/{app.name}/users/999/password", json={"expired": True}).status_code == 404


# --- 3 Unexpected ----------------------------------------------------------------------------------------

@pytest.fixture
def broken_method(live):
    """A method that fails the way a sandbox bug would, served for the test only."""
    def explode(s):
        raise KeyError("internal detail /srv/secret.py")

    live.sandbox.methods.add(Method(name="SandboxTest.explode", params=(), func=explode, writes=False))
    yield "SandboxTest.explode"
    live.sandbox.methods.remove("SandboxTest.explode")


def test_an_unexpected_failure_reaches_the_client_as_code_3(live, app, broken_method):
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call(broken_method)
    code, message = fault_of(exc)
    assert code == 3 and message == "[Unexpected]An unexpected error occurred; the sandbox logged the details"
    assert "secret" not in message and "KeyError" not in message
    raw = requests.post(live.url + "/api/xmlrpc", data=xmlrpc.client.dumps((app.key,), broken_method), timeout=10)
    assert raw.status_code == 200 and b"<i4>3</i4>" in raw.content and b"Traceback" not in raw.content
    from infusionsoft.client import InfusionsoftServerProxy

    ifs = InfusionsoftServerProxy(live.url + "/api/xmlrpc", default_args=[app.key])
    with pytest.raises(xmlrpc.client.Fault) as exc:
        ifs.SandboxTest.explode()
    assert exc.value.faultCode == 3
