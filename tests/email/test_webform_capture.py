"""Web forms capture the contact's time zone and language (issue 20 §5, seed 000 "Contact Time Zone"): the served
form has two hidden fields and a line of script that fills them; the post stores them on the contact."""
from __future__ import annotations

import re

import requests

from tests.email.test_double_opt_in import _forms, _post_form


def test_the_served_form_has_the_hidden_fields_and_the_script(app):
    form_id = _forms(app)["Spring Challenge Registration"]
    html = app.call("WebFormService.getHTML", form_id)
    xid = re.search(r'name="inf_form_xid" type="hidden" value="([0-9a-f]{32})"', html).group(1)
    page = requests.get(f"{app.live.url}/app/form/{xid}", timeout=10).text
    for text in (html, page):
        assert '<input name="inf_field_TimeZone" type="hidden" value="" />' in text
        assert '<input name="inf_field_Language" type="hidden" value="" />' in text
        assert "Intl.DateTimeFormat().resolvedOptions().timeZone" in text and "navigator.language" in text
        assert f'document.getElementById("inf_form_{xid}")' in text and f'id="inf_form_{xid}"' in text


def test_a_post_stores_the_time_zone_and_language(app, rest):
    form_id = _forms(app)["Spring Challenge Registration"]
    r = _post_form(app, form_id, inf_field_FirstName="Tia", inf_field_LastName="Zone",
                   inf_field_Email="tia@example.com", inf_field_TimeZone="Europe/Lisbon", inf_field_Language="pt-BR")
    assert r.status_code == 302
    [found] = app.call("ContactService.findByEmail", "tia@example.com", ["Id", "TimeZone", "Language"])
    assert (found["TimeZone"], found["Language"]) == ("Europe/Lisbon", "pt_BR")
    contact = rest.ok("GET", f"/contacts/{found['Id']}", params={"optional_properties": "time_zone,preferred_locale"})
    assert (contact["time_zone"], contact["preferred_locale"]) == ("Europe/Lisbon", "pt_BR")


def test_without_script_nothing_is_captured_and_bad_values_are_refused(app):
    form_id = _forms(app)["Spring Challenge Registration"]
    fields = dict(inf_field_FirstName="No", inf_field_LastName="Script", inf_field_Email="noscript@example.com")
    assert _post_form(app, form_id, **fields, inf_field_TimeZone="", inf_field_Language="").status_code == 302
    [found] = app.call("ContactService.findByEmail", "noscript@example.com", ["TimeZone", "Language"])
    assert "TimeZone" not in found and "Language" not in found
    bad = _post_form(app, form_id, **{**fields, "inf_field_Email": "bad@example.com"},
                     inf_field_TimeZone="Mars/Olympus", inf_field_Language="<script>")
    assert bad.status_code == 400 and "Mars/Olympus is not a time zone" in bad.text
    assert "&lt;script&gt; is not a language" in bad.text
    assert app.call("ContactService.findByEmail", "bad@example.com", ["Id"]) == []
