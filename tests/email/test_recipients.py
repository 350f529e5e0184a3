"""The recipient's side (issue 20 §2): the open-tracking image, the unsubscribe page's spam-report form, and
the admin opt-out of the control API (an opt-out cannot be undone unless forced)."""
from __future__ import annotations

import pytest

from tests.email.conftest import link
from tests.engine.test_sequences import go, one_sequence


def _marketing(app, mail, address: str) -> dict:
    mail.load(one_sequence({"type": "email", "name": "news", "subject": "news",
                            "html": '<p>Hi <a href="https://example.com/a">a</a></p>', "text": "Hi"}))
    cid = go(app, mail, address)
    [m] = mail.outbox(contact_id=cid)
    return m


def test_an_open_is_recorded_when_the_image_is_served(app, mail):
    app.clock(time="2026-06-01T10:00:00", frozen=True)
    m = _marketing(app, mail, "opener@example.com")
    image = link(m["html_body"], "/app/open/")
    assert image.endswith(".gif") and "/app/open/" not in (m["text_body"] or "")  # no image in plain text
    assert m["opened_date"] is None and mail.status("opener@example.com")["last_open"] is None
    r = mail.get(image)
    assert r.status_code == 200 and r.headers["Content-Type"] == "image/gif" and r.content.startswith(b"GIF89a")
    [opened] = mail.outbox(contact_id=m["contact_id"])
    assert opened["opened_date"] == "2026-06-01T10:00:00"
    assert mail.status("opener@example.com")["last_open"] == "2026-06-01T10:00:00"
    rows = app.call("DataService.query", "EmailAddStatus", 10, 0, {"Email": "opener@example.com"},
                    ["LastOpenDate"])
    assert rows[0]["LastOpenDate"]
    assert mail.get("/app/open/1-999999-000000000000.gif").status_code == 404
    assert mail.get(image.replace("/app/open/", "/app/open/x")).status_code == 404


def test_the_unsubscribe_page_offers_the_spam_report_form(app, mail):
    m = _marketing(app, mail, "annoyed@example.com")
    page = mail.get(link(m["html_body"], "/app/optOut/"))
    assert page.status_code == 200 and 'id="feedback"' in page.text
    assert mail.status("annoyed@example.com")["status"] == "Manual"
    action = link(page.text, "/app/optOut/")
    assert action.endswith("/feedback")
    r = mail.post(action, data={"spam": "1"})
    assert r.status_code == 200 and "spam" in r.text
    status = mail.status("annoyed@example.com")
    assert status["status"] == "Spam" and status["marketable"] is False
    assert mail.outbox(contact_id=m["contact_id"])[0]["delivery"] == "spam_report"
    assert app.call("APIEmailService.getOptStatus", "annoyed@example.com") == 0
    assert mail.post("/app/optOut/1-999999-000000000000/feedback").status_code == 404


def test_admin_opt_out_and_opt_outs_stay_unless_forced(app, mail):
    mail.contact("admin@example.com")
    r = mail.control("PUT", "/email/addresses/admin@example.com", json={"status": "Admin"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "Admin" and r.json()["reason"] == "Opt-Out: Admin"
    assert app.call("APIEmailService.getOptStatus", "admin@example.com") == 0
    assert app.call("APIEmailService.optIn", "admin@example.com", "again") is False  # the API cannot undo it
    r = mail.control("PUT", "/email/addresses/admin@example.com", json={"status": "SingleOptIn"})
    assert r.status_code == 409 and "forced" in r.json()["error"]
    assert mail.status("admin@example.com")["status"] == "Admin"
    r = mail.control("PUT", "/email/addresses/admin@example.com", json={"status": "SingleOptIn", "force": True})
    assert r.status_code == 200 and r.json()["status"] == "SingleOptIn"
    assert app.call("APIEmailService.getOptStatus", "admin@example.com") == 1


@pytest.mark.parametrize("address, body, status", [
    ("someone@example.com", {"status": "Nope"}, 400),
    ("someone@example.com", {"status": "Admin", "force": "yes"}, 400),
    ("someone@example.com", {"status": "Admin", "reason": 5}, 400),
    ("not-an-address", {"status": "Admin"}, 400),
    ("stranger@example.com", {"status": "Admin"}, 404),
])
def test_bad_address_changes(mail, address, body, status):
    mail.contact("someone@example.com")
    r = mail.control("PUT", f"/email/addresses/{address}", json=body)
    assert r.status_code == status and r.json()["error"]
    assert mail.status("someone@example.com")["status"] == "SingleOptIn"


def test_a_malformed_or_out_of_range_token_is_not_found(app, mail):
    """Every id in an email link's token is ASCII digits within the store's integers; anything else (``²``, which
    str.isdigit takes and int refuses, or an id past INT_MAX) is the page's own 404, never a 500."""
    m = _marketing(app, mail, "tokens@example.com")
    app_id, message_id, secret = link(m["html_body"], "/app/optOut/").rsplit("/", 1)[1].split("-")
    huge = "9" * 23
    tokens = [f"{app_id}-\u00b2-{secret}", f"\u00b2-{message_id}-{secret}", f"{huge}-{message_id}-{secret}",
              f"{app_id}-{huge}-{secret}", f"{app_id}-2147483648-{secret}", f"{app_id}-\uff11-{secret}"]
    for token in tokens:
        for method, path in (("GET", f"/app/linkClick/{token}/0"), ("GET", f"/app/optOut/{token}"),
                             ("POST", f"/app/optOut/{token}"), ("POST", f"/app/optOut/{token}/feedback"),
                             ("POST", f"/app/optOut/{token}/campaign"), ("GET", f"/app/open/{token}.gif"),
                             ("GET", f"/app/confirm/{token}")):
            r = (mail.get if method == "GET" else mail.post)(path, allow_redirects=False)
            assert r.status_code == 404 and 'id="error"' in r.text, (method, path, r.status_code)
    for bad in ("\u00b2", huge, "-1", "1.0"):
        r = mail.get(f"/app/confirm/{app_id}-{message_id}-{secret}", params={"link": bad})
        assert r.status_code == 404 and 'id="error"' in r.text, (bad, r.status_code)
    assert mail.status("tokens@example.com")["status"] == "SingleOptIn"  # nothing was unsubscribed
    assert mail.outbox(contact_id=m["contact_id"])[0]["clicked_date"] is None


def test_a_tracked_link_with_a_newline_or_a_bad_host_redirects_safely_or_not_at_all(app, mail):
    """A link's URL may hold a newline (a merged name, from a public form, or ``&#10;`` in the HTML): it is
    percent-encoded, so the click redirects instead of failing on the Location header. A URL no Location header can
    carry (an empty host label, a bad port) is not found, and that click records nothing."""
    mail.load(one_sequence({"type": "email", "name": "personal", "subject": "Hi", "html": (
        '<p><a href="https://example.com/welcome?name=~Contact.FirstName~">welcome</a>'
        ' <a href="https://example.com/a&#10;b">raw</a> <a href="https://a..b/x">host</a>'
        ' <a href="https://example.com:99999/x">port</a></p>')}))
    cid = go(app, mail, "ivy@example.com", FirstName="Ann\r\nSet-Cookie: pwned=1")
    [m] = mail.outbox(contact_id=cid)
    assert m["links"][:2] == ["https://example.com/welcome?name=Ann%0ASet-Cookie:%20pwned=1",
                              "https://example.com/a%0Ab"]
    token = link(m["html_body"], "/app/optOut/").rsplit("/", 1)[1]
    clicks = [f"/app/linkClick/{token}/{n}" for n in range(4)]
    seq = app.live.control("GET", f"/apps/{app.name}/events?limit=1000").json()["events"][-1]["seq"]

    for bad in clicks[2:]:
        r = mail.get(bad, allow_redirects=False)
        assert r.status_code == 404 and 'id="error"' in r.text, (bad, r.status_code)
    events = app.live.control("GET", f"/apps/{app.name}/events?limit=1000").json()["events"]
    assert not [e for e in events if e["seq"] > seq and e["type"] == "link.clicked"]
    assert mail.outbox(contact_id=cid)[0]["clicked_date"] is None
    assert mail.status("ivy@example.com")["last_click"] is None

    r = mail.get(clicks[0], allow_redirects=False)
    assert r.status_code == 302 and "pwned" not in r.cookies
    assert r.headers["Location"] == "https://example.com/welcome?name=Ann%0ASet-Cookie:%20pwned=1"
    r = mail.get(clicks[1], allow_redirects=False)
    assert r.status_code == 302 and r.headers["Location"] == "https://example.com/a%0Ab"
    events = app.live.control("GET", f"/apps/{app.name}/events?limit=1000").json()["events"]
    assert [e["type"] for e in events if e["seq"] > seq].count("link.clicked") == 2
