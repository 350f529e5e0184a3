"""Paging v2 lists: keyset tokens, a walk with any page size returns every record exactly once (in every
order, and while records are added), the next-page URL form and the bare token (the app option), and the
last page's marker."""
from __future__ import annotations

import threading
from urllib.parse import parse_qs, urlsplit


def _names(count: int, prefix: str) -> list[str]:
    return [f"{prefix} {i:03d}" for i in range(count)]


def _make_tags(v2, names) -> list[str]:
    return [v2.ok("POST", "/tags", 201, json={"name": n})["id"] for n in names]


def test_every_page_size_walks_every_tag_once_in_every_order(v2):
    _make_tags(v2, _names(17, "Walk"))
    everything = v2.ok("GET", "/tags", params={"page_size": 1000})
    assert "next_page_token" not in everything  # one page holds them all: it is the last
    all_ids = [t["id"] for t in everything["tags"]]
    assert all_ids == sorted(all_ids, key=int) and len(all_ids) == len(set(all_ids))
    for order in (None, "name", "name desc", "create_time desc", "update_time"):
        params = {"order_by": order} if order else {}
        for size in (1, 2, 7, 1000):
            walked = v2.walk("/tags", "tags", page_size=size, **params)
            ids = [t["id"] for t in walked]
            assert sorted(ids, key=int) == sorted(all_ids, key=int) and len(ids) == len(all_ids), (order, size)
    for order in ("name", "name desc"):
        walked = v2.walk("/tags", "tags", page_size=4, order_by=order, filter="name==Walk*")
        names = [t["name"] for t in walked]
        assert names == sorted(_names(17, "Walk"), reverse=order.endswith("desc"))


def test_a_walk_with_inserts_running_beside_it_sees_each_old_tag_once(v2):
    before = {t["id"] for t in v2.walk("/tags", "tags")}
    names = iter(_names(40, "Concurrent"))
    stop = threading.Event()

    def insert():
        while not stop.is_set():
            try:
                v2.ok("POST", "/tags", 201, json={"name": next(names)})
            except StopIteration:
                return

    writer = threading.Thread(target=insert)
    writer.start()
    try:
        seen = [t["id"] for t in v2.walk("/tags", "tags", page_size=3, order_by="name")]
    finally:
        stop.set()
        writer.join()
    assert len(seen) == len(set(seen))  # nothing twice
    assert before <= set(seen)  # nothing that was there all along is missed
    assert len(v2.walk("/tags", "tags", page_size=5)) == len(before) + 40 - sum(1 for _ in names)


def test_the_next_page_token_is_the_next_pages_url_with_the_last_id(v2):
    _make_tags(v2, _names(3, "Url"))
    page = v2.ok("GET", "/tags", params={"page_size": 2, "filter": "name==Url*"})
    token = page["next_page_token"]
    parts = urlsplit(token)
    assert parts.path == "/crm/rest/v2/tags/" and token.startswith(v2.app.live.url)
    query = parse_qs(parts.query)
    # the captured form: page_size and page_token, the token being the last id of the page; the filter rides along
    assert query["page_size"] == ["2"] and query["page_token"] == [page["tags"][-1]["id"]]
    assert query["filter"] == ["name==Url*"]
    # the URL followed as it is, or its bare token, or the URL given as page_token: the same next page
    followed = v2.http.get(token, timeout=10).json()
    bare = v2.ok("GET", "/tags", params={"page_size": 2, "filter": "name==Url*", "page_token": query["page_token"][0]})
    as_token = v2.ok("GET", "/tags", params={"page_size": 2, "filter": "name==Url*", "page_token": token})
    assert followed == bare == as_token and [t["name"] for t in followed["tags"]] == ["Url 002"]
    assert "next_page_token" not in followed


def test_the_bare_token_and_empty_last_page_options(v2):
    _make_tags(v2, _names(3, "Opt"))
    control = v2.app.live.control
    r = control("PATCH", f"/apps/{v2.app.name}/options", json={"rest_v2_page_token": "token",
                                                                 "rest_v2_last_page": "empty"})
    assert r.status_code == 200, r.text
    first = v2.ok("GET", "/tags", params={"page_size": 2, "filter": "name==Opt*"})
    assert first["next_page_token"] == first["tags"][-1]["id"]
    last = v2.ok("GET", "/tags", params={"page_size": 2, "filter": "name==Opt*",
                                         "page_token": first["next_page_token"]})
    assert last["next_page_token"] == "" and len(last["tags"]) == 1
    ordered = v2.ok("GET", "/tags", params={"page_size": 2, "filter": "name==Opt*", "order_by": "name desc"})
    assert not ordered["next_page_token"].isdigit()  # another order: an opaque keyset token
    assert control("PATCH", f"/apps/{v2.app.name}/options", json={"rest_v2_page_token": "sideways"}).status_code \
        == 400


def test_a_token_of_another_order_is_refused(v2):
    _make_tags(v2, _names(3, "Mixed"))
    by_id = v2.ok("GET", "/tags", params={"page_size": 1})["next_page_token"]
    by_name = v2.ok("GET", "/tags", params={"page_size": 1, "order_by": "name"})["next_page_token"]
    assert "order_by" in v2.error("GET", "/tags", 400, params={"page_token": by_id, "order_by": "name"})["message"]
    assert "order_by" in v2.error("GET", "/tags", 400, params={"page_token": by_name})["message"]
    assert v2.error("GET", "/tags", 400, params={"page_token": "http://x/y?z=1"})["details"] == [
        {"domain": "request", "resource": "page_token"}]


def test_page_size_zero_means_the_default(v2):
    assert v2.ok("GET", "/tags", params={"page_size": 0}) == v2.ok("GET", "/tags")
