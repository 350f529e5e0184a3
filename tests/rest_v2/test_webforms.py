"""Web forms through REST v2 (every answer checked against Keap's contract): the forms WebFormService serves,
and a form's HTML, which posts to the sandbox's public form page like WebFormService.getHTML's."""
from __future__ import annotations

import requests


def test_webforms_listed_and_their_html_posts_to_the_sandbox(v2):
    forms = v2.ok("GET", "/webforms")["webforms"]
    mapped = v2.app.call("WebFormService.getMap")  # the web and landing-page forms, not the internal ones
    assert {f["id"]: f["name"] for f in forms if f["webform_type"] != "INTERNAL"} == mapped
    guide = next(f for f in forms if f["name"] == "Free Guide Download")
    assert guide["webform_type"] == "LEGACY" and guide["exit_option"] == "REDIRECT"
    assert guide["thank_you_page_url"] == "https://www.example.com/thank-you/free-guide"
    assert guide["webform_url"].endswith(f"/app/form/{guide['xid']}")
    landing = v2.ok("GET", "/webforms", params={"filter": "webform_type==LANDING_PAGE"})["webforms"]
    assert landing and all(f["webform_type"] == "LANDING_PAGE" for f in landing)
    assert [f["id"] for f in v2.ok("GET", "/webforms", params={"filter": "name==free guide*"})["webforms"]] == [
        guide["id"]]
    assert [f["id"] for f in v2.walk("/webforms", "webforms", page_size=1, order_by="name")] == [
        f["id"] for f in sorted(forms, key=lambda f: (f["name"].lower(), int(f["id"])))]
    for kind, expected in (("twitter", "TWITTER"), ("grosocial", "UNKNOWN")):  # kinds of the sandbox's own forms
        made = v2.app.live.control("POST", f"/apps/{v2.app.name}/webforms",
                                   json={"name": f"A {kind} form", "kind": kind, "fields": [{"name": "Email"}]})
        assert made.status_code == 201, made.text
        found = v2.ok("GET", "/webforms", params={"filter": f"webform_type=={expected}"})["webforms"]
        assert [f["name"] for f in found] == [f"A {kind} form"]
    assert v2.error("GET", "/webforms", 400, params={"filter": "since_create_time==2024-01-01T00:00:00Z"})[
        "details"][0]["resource"] == "filter"
    # no form changes once added: its last update is its creation, in id order (the store keeps neither time)
    every = [f["id"] for f in v2.ok("GET", "/webforms")["webforms"]]
    for order in ("create_time", "update_time"):
        assert [f["id"] for f in v2.walk("/webforms", "webforms", page_size=2, order_by=order)] == every
        assert [f["id"] for f in v2.walk("/webforms", "webforms", page_size=2, order_by=f"{order} desc")] == every[::-1]

    page = v2.get(f"/webforms/{guide['id']}:data")
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert page.text == v2.app.call("WebFormService.getHTML", int(guide["id"]))
    hosted = requests.get(guide["webform_url"], timeout=30)
    assert hosted.status_code == 200 and hosted.text == page.text
    action = page.text.split('action="', 1)[1].split('"', 1)[0]
    posted = requests.post(action, data={"inf_field_FirstName": "Vera", "inf_field_Email": "vera@example.com"},
                           allow_redirects=False, timeout=30)
    assert posted.status_code == 302 and posted.headers["Location"] == guide["thank_you_page_url"]
    assert v2.app.call("ContactService.findByEmail", "vera@example.com", ["FirstName"]) == [{"FirstName": "Vera"}]
    assert v2.error("GET", "/webforms/99999:data", 404)["details"] == [{"domain": "Webform", "resource": "99999"}]


def test_the_sdk_reads_webforms(sdk, v2):
    from keap_core_v2_client import WebformsApi

    api = WebformsApi(sdk)
    forms = api.list_webforms(filter="name==Free Guide Download").webforms
    assert [f.name for f in forms] == ["Free Guide Download"] and forms[0].webform_type == "LEGACY"
    assert 'name="inf_form_xid"' in api.get_html(forms[0].id)
