"""Mapped pairs performed on one app with real clients: each XML-RPC call (xmlrpc.client) and its REST v2
equivalent (requests with a Service Account Key, every answer checked against Keap's contract), translated
from the same parameters by server.migration.translate (which follows mapping.yaml), agree on the data: what
one writes the other reads back identically, modulo the documented shape differences (ids as strings, v2
property names). tests/rest_v2/test_migration_recipe.py covers ten pairs through REST v1 as well."""
from __future__ import annotations

from urllib.parse import quote

import pytest

from server.migration import mapping
from server.migration.translate import TRANSLATORS, contact_pairs
from tests.rest_v2.conftest import contract_checker, v2_for  # noqa: F401  (contract_checker: a fixture)


class Pair:
    def __init__(self, v2):
        self.v2 = v2
        self.call = v2.app.call

    def v2_call(self, method: str, params: list, status: int = 200):
        """The v2 equivalent of ``method(params)``, over HTTP: the translation's operation at its contract path."""
        translated = TRANSLATORS[method](params)
        op = next(o for o in mapping.load().get(method).operations if o.operation_id == translated.operation_id)
        path = op.path
        for name, value in translated.path.items():
            path = path.replace("{" + name + "}", quote(str(value), safe=""))
        kwargs = {"params": translated.query} if translated.query else {}
        if translated.body is not None:
            kwargs["json"] = translated.body
        return self.v2.ok(op.method, path.removeprefix("/crm/rest/v2"), status, **kwargs)

    def contact(self, contact_id) -> tuple[dict, dict]:
        fields = ["Id", "FirstName", "LastName", "Email", "JobTitle"]
        return self.call("ContactService.load", int(contact_id), fields), self.v2.ok("GET", f"/contacts/{contact_id}")

    def same_contact(self, contact_id) -> None:
        x, v = self.contact(contact_id)
        pairs = contact_pairs(x, v)
        assert {name for name, _, _ in pairs} >= {"Id", "FirstName"}
        assert all(str(a) == str(b) for _, a, b in pairs), pairs


@pytest.fixture
def pair(app, contract_checker):  # noqa: F811
    return Pair(v2_for(app, contract_checker))


def test_every_translated_method_is_a_v2_pair_of_the_mapping():
    for method in TRANSLATORS:
        assert mapping.load().get(method).target == "v2", method


def test_add_then_read_on_the_other_side(pair):
    data = {"FirstName": "Pair", "LastName": "Add", "Email": "pair-x@add.test", "JobTitle": "Porter"}
    pair.same_contact(pair.call("ContactService.add", data))
    made = pair.v2_call("ContactService.add", [{**data, "Email": "pair-v@add.test"}], 201)
    pair.same_contact(made["id"])
    assert pair.call("ContactService.load", int(made["id"]), ["Email"])["Email"] == "pair-v@add.test"


def test_load_and_find_by_email_agree(pair):
    x = pair.call("ContactService.load", 6, ["Id", "FirstName", "LastName", "Email"])
    v = pair.v2_call("ContactService.load", [6, ["Id", "FirstName", "LastName", "Email"]])
    assert all(str(a) == str(b) for _, a, b in contact_pairs(x, v))
    found_x = pair.call("ContactService.findByEmail", x["Email"], ["Id", "FirstName", "Email"])
    found_v = pair.v2_call("ContactService.findByEmail", [x["Email"], ["Id"]])
    assert [str(c["Id"]) for c in found_x] == [c["id"] for c in found_v["contacts"]]


def test_update_on_one_side_reads_on_the_other(pair):
    pair.call("ContactService.update", 6, {"LastName": "ByXml", "JobTitle": "Old"})
    pair.same_contact(6)
    pair.v2_call("ContactService.update", [6, {"LastName": "ByV2"}])
    pair.same_contact(6)
    x, _ = pair.contact(6)
    assert (x["LastName"], x["JobTitle"]) == ("ByV2", "Old")  # the mask kept the other field


def test_tags_applied_and_removed_on_either_side(pair):
    tag_id = pair.call("DataService.add", "ContactGroup", {"GroupName": "Paired"})

    def tags():
        x = {int(t) for t in (pair.call("ContactService.load", 6, ["Groups"]).get("Groups") or "").split(",") if t}
        v = {int(t["tag"]["id"]) for t in pair.v2.ok("GET", "/contacts/6/tags")["tags"]}
        assert x == v
        return tag_id in x

    assert pair.call("ContactService.addToGroup", 6, tag_id) is True and tags()
    pair.v2_call("ContactService.removeFromGroup", [6, tag_id], 204)
    assert not tags()
    pair.v2_call("ContactService.addToGroup", [6, tag_id])
    assert tags()
    assert pair.call("ContactService.removeFromGroup", 6, tag_id) is True and not tags()


def test_opt_in_and_out_on_either_side(pair):
    email = pair.call("ContactService.load", 6, ["Email"])["Email"]
    assert pair.call("APIEmailService.optOut", email, "pair test") is True
    assert pair.call("APIEmailService.getOptStatus", email) == 0
    assert pair.v2_call("APIEmailService.getOptStatus", [email])["opted_in"] is False
    pair.v2_call("APIEmailService.optIn", [email, "pair test"])
    assert pair.call("APIEmailService.getOptStatus", email) == 1
    assert pair.v2_call("APIEmailService.getOptStatus", [email])["opted_in"] is True


def test_achieve_goal_answers_alike(pair):
    x = pair.call("FunnelService.achieveGoal", "pairs", "nothing", 6)
    v = pair.v2_call("FunnelService.achieveGoal", ["pairs", "nothing", 6])
    assert [(r["success"], r["msg"]) for r in x] == [(r["success"], r["message"]) for r in v["results"]]


def test_data_service_on_the_contact_table_pairs(pair):
    cid = pair.call("DataService.add", "Contact", {"FirstName": "Data", "Email": "data-x@pairs.test"})
    pair.same_contact(cid)
    made = pair.v2_call("DataService.add", ["Contact", {"FirstName": "DataV", "Email": "data-v@pairs.test"}], 201)
    pair.same_contact(made["id"])
    assert pair.call("DataService.update", "Contact", cid, {"LastName": "ByXml"}) == cid
    pair.v2_call("DataService.update", ["Contact", cid, {"JobTitle": "ByV2"}])
    pair.same_contact(cid)
    fields = ["Id", "FirstName", "LastName", "JobTitle"]
    x, v = pair.call("DataService.load", "Contact", cid, fields), pair.v2_call("DataService.load",
                                                                                 ["Contact", cid, fields])
    assert (x["LastName"], x["JobTitle"]) == ("ByXml", "ByV2")
    assert {n for n, _, _ in contact_pairs(x, v)} == set(fields) and all(str(a) == str(b)
                                                                         for _, a, b in contact_pairs(x, v))
    search = ["Contact", 10, 0, "Email", "data-x@pairs.test", ["Id"]]
    assert [str(c["Id"]) for c in pair.call("DataService.findByField", *search)] == \
        [c["id"] for c in pair.v2_call("DataService.findByField", search)["contacts"]] == [str(cid)]

    pair.v2_call("DataService.delete", ["Contact", int(made["id"])], 204)
    assert pair.call("DataService.findByField", "Contact", 10, 0, "Email", "data-v@pairs.test", ["Id"]) == []
    assert pair.call("DataService.delete", "Contact", cid) is True
    assert pair.v2.get(f"/contacts/{cid}").status_code == 404


def test_dup_check_and_merge_on_either_side(pair):
    data = {"FirstName": "Dup", "LastName": "Check", "Email": "dup@pairs.test"}
    first = pair.call("ContactService.add", data)
    assert pair.call("ContactService.addWithDupCheck", {**data, "JobTitle": "ByXml"}, "Email") == first
    assert pair.v2_call("ContactService.addWithDupCheck", [{**data, "JobTitle": "ByV2"}, "Email"])["id"] == str(first)
    pair.same_contact(first)
    assert pair.call("ContactService.load", first, ["JobTitle"])["JobTitle"] == "ByV2"

    other = pair.call("ContactService.add", {"FirstName": "Other", "Email": "other@pairs.test"})
    assert pair.v2_call("ContactService.merge", [first, other])["id"] == str(first)
    assert pair.call("ContactService.findByEmail", "other@pairs.test", ["Id"]) == []
    third = pair.v2_call("ContactService.add", [{"FirstName": "Third", "Email": "third@pairs.test"}], 201)["id"]
    assert pair.call("ContactService.merge", first, int(third)) is True
    assert pair.v2.get(f"/contacts/{third}").status_code == 404
    pair.same_contact(first)
