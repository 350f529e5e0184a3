"""Contract: keap-python 1.3.0's REST v1 services, unmodified but for their documented base URL, against the
live sandbox (the token travels as ``?access_token=``; falsy values are dropped from every request)."""
from __future__ import annotations

import pytest

from tests.contract.test_keap_python import _code, keap_client  # noqa: F401  (fixture)


@pytest.fixture
def rest_v1(app, keap_client, monkeypatch):  # noqa: F811
    import keap.REST

    monkeypatch.setattr(keap.REST.BaseService, "base_api_url", app.live.url + "/crm/rest/v1")
    app.live.control("PATCH", f"/apps/{app.name}/throttle", json={"enabled": False})
    keap_client.request_access_token(_code(app, keap_client))
    return keap_client.REST_V1


def test_contacts_tags_and_hooks_through_keap_python(app, rest_v1):
    made = rest_v1.ContactService.create(given_name="Ada", company=1,
                                         email_addresses=[{"email": "ada@example.com", "field": "EMAIL1"}])
    assert made["id"] and made["company"]["id"] == 1
    listed = rest_v1.ContactService.list(limit=5, email="ada@example.com")
    assert [c["id"] for c in listed["contacts"]] == [made["id"]]
    assert rest_v1.ContactService.add_tags(made["id"], [1, 2]) == {"1": "SUCCESS", "2": "SUCCESS"}
    assert rest_v1.ContactService.remove_tags(made["id"], [1, 2]) is True  # 204
    tag = rest_v1.TagService.create(1, "From keap-python")
    assert tag["category"]["id"] == 1
    assert rest_v1.TagService.add_contacts(tag["id"], [made["id"]]) == {str(made["id"]): "SUCCESS"}
    assert rest_v1.TagService.get_tagged_contacts(tag["id"])["count"] == 1
    assert app.call("ContactService.load", made["id"], ["FirstName", "Groups"]) == {
        "FirstName": "Ada", "Groups": str(tag["id"])}
    assert "contactGroup.applied" in rest_v1.HookService.list_event_keys()
    assert rest_v1.HookService.list() == []
