"""Lists that grow are paged 50 rows at a time (docs/inspector.md; audit-ui §12): the campaigns, the broadcasts,
and the Deliveries page's fulfillment lists say when there are more than they show."""
from __future__ import annotations

import re

from tests.inspector.test_pages import ui

TEMPLATE = ("Paged", "Newsletter", "sender@example.com", "~Contact.Email~", "", "", "Hello", "Hi", "<p>Hi</p>", "HTML",
            "Contact")


def _ids(page: str, table: str, pattern: str) -> list[int]:
    body = page[page.index(f'id="{table}"'):]
    body = body[:body.index("</table>")]
    return [int(i) for i in re.findall(pattern, body)]


def test_the_campaigns_are_paged(live, app):
    before = len(app.live.control("GET", f"/apps/{app.name}/campaigns").json()["campaigns"])
    for n in range(51):
        doc = {"name": f"Paged {n}", "goals": [{"key": "go", "type": "api_call", "call_name": f"go{n}"}],
               "sequences": [{"key": "s", "items": []}], "links": [["go", "s"]]}
        assert app.live.control("POST", f"/apps/{app.name}/campaigns", json=doc).status_code == 201
    pattern = r"/campaigns/(\d+)\""
    first = ui(live, f"/apps/{app.name}/campaigns").text
    second = ui(live, f"/apps/{app.name}/campaigns", params={"page": "1"}).text
    shown = _ids(first, "campaigns", pattern) + _ids(second, "campaigns", pattern)
    assert len(_ids(first, "campaigns", pattern)) == 50 and 'rel="next"' in first
    assert len(shown) == len(set(shown)) == before + 51 and "Previous page" in second
    assert ui(live, f"/apps/{app.name}/campaigns", params={"page": "x"}).status_code == 400


def test_the_broadcasts_are_paged_newest_first(live, app):
    template = app.call("APIEmailService.addEmailTemplate", *TEMPLATE)
    made = [app.live.control("POST", f"/apps/{app.name}/broadcasts", json={
        "name": f"Paged {n}", "template_id": template, "contact_ids": [1], "send_at": "2099-01-01T09:00:00"}).json()
        for n in range(52)]
    pattern = r'/broadcasts/(\d+)"'
    first = ui(live, f"/apps/{app.name}/email").text
    second = ui(live, f"/apps/{app.name}/email", params={"page": "1"}).text
    ids = [b["id"] for b in made]
    assert _ids(first, "broadcasts", pattern)[:1] == [ids[-1]] and 'rel="next"' in first
    assert set(_ids(first, "broadcasts", pattern) + _ids(second, "broadcasts", pattern)) >= set(ids)
