"""The contact pages against a full account (audit-ui §6, §7): a search finds every match, paged; a contact's page
shows its newest messages and links to the rest."""
from __future__ import annotations

import json
import re

from tests.inspector.test_pages import ui


def _import(app, lines: list[str]) -> None:
    r = app.live.control("POST", f"/apps/{app.name}/contacts:import", data="\n".join(lines),
                         headers={"Content-Type": "application/x-ndjson"})
    assert r.status_code == 200, r.text


def _ids_on(page: str) -> list[int]:
    table = page[page.index("<tbody"):page.index("</tbody>")]
    return list(dict.fromkeys(int(i) for i in re.findall(r'/contacts/(\d+)"', table)))  # a row links twice


def test_a_search_finds_every_match_past_a_thousand_page_by_page(live, app):
    _import(app, [json.dumps({"FirstName": f"Bulk{i}", "LastName": "Person", "Email": f"bulk{i}@example.com"})
                  for i in range(1100)])
    found, number = [], 0
    while True:
        r = ui(live, f"/apps/{app.name}/contacts", params={"q": "bulk", "page": str(number)})
        assert r.status_code == 200
        found += _ids_on(r.text)
        if 'rel="next"' not in r.text:
            break
        number += 1
    assert len(found) == len(set(found)) == 1100 and found == sorted(found)
    assert number == 21  # 22 pages of 50


def test_a_search_reads_percent_and_underscore_as_themselves_and_matches_a_full_name(live, app):
    cid = app.call("ContactService.add", {"FirstName": "Ada", "LastName": "Love_lace", "Email": "ada@example.com"})
    app.call("ContactService.add", {"FirstName": "Bob", "Email": "bob@example.com"})
    for text in ("_", "e_l", "ada love_"):
        assert _ids_on(ui(live, f"/apps/{app.name}/contacts", params={"q": text}).text) == [cid], text
    assert _ids_on(ui(live, f"/apps/{app.name}/contacts", params={"q": "%"}).text) == []


def test_a_contacts_page_shows_its_newest_messages_and_links_to_every_one(live, app):
    cid = app.call("ContactService.add", {"FirstName": "Many", "Email": f"many-{app.name}@example.com"})
    for n in range(60):
        app.call("APIEmailService.sendEmail", [cid], "me@example.com", "~Contact.Email~", "", "", "Text",
                 f"Message {n}.", "", "hi")
    page = ui(live, f"/apps/{app.name}/contacts/{cid}").text
    listed = page[page.index("<h2>Messages"):]
    shown = [int(n) for n in re.findall(r"<td>Message (\d+)\.</td>", listed)]
    assert shown == list(range(59, 9, -1))  # the newest 50, newest first
    assert "The newest 50 are shown." in listed
    assert f'href="/sandbox/ui/apps/{app.name}/outbox?contact_id={cid}"' in listed
    everything = ui(live, f"/apps/{app.name}/outbox", params={"contact_id": str(cid)}).text
    assert "Message 0." in everything and 'rel="next"' in everything


def test_a_campaign_page_counts_every_contact_waiting_past_what_it_lists(live, app):
    """audit-ui §11: the page reads 1,000 live enrollments at most; "… and N more" is the item's own count
    (1,200 waiting, 50 listed: 1,150 more, where it said 950)."""
    before = {int(c["Id"]) for c in app.call("DataService.query", "Contact", 1000, 0, {"Id": "%"}, ["Id"])}
    _import(app, [json.dumps({"FirstName": f"Waiter{i}", "Email": f"waiter{i}@example.com"}) for i in range(1200)])
    waiters = sorted({int(c["Id"]) for page in range(3) for c in app.call(
        "DataService.query", "Contact", 1000, page, {"FirstName": "Waiter%"}, ["Id"])} - before)
    doc = {"name": "Waiter", "goals": [{"key": "go", "type": "api_call", "call_name": "wait"}],
           "sequences": [{"key": "w", "items": [{"type": "delay_timer", "key": "t", "name": "Wait", "wait": 5,
                                                 "unit": "days"}]}], "links": [["go", "w"]]}
    made = app.live.control("POST", f"/apps/{app.name}/campaigns?publish=1", json=doc).json()
    started = app.live.control("POST", f"/apps/{app.name}/campaigns/{made['id']}/sequences/"
                                       f"{made['ids']['sequence:w']}/contacts", json={"contact_ids": waiters})
    assert started.status_code == 200 and len(waiters) == 1200
    page = ui(live, f"/apps/{app.name}/campaigns/{made['id']}").text
    assert "… and 1150 more" in page
