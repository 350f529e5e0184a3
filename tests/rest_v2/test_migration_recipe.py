"""The migration recipe of docs/rest-v2.md, row by row, against a live server: for each of the ten most used
XML-RPC methods, the XML-RPC call, its REST v1 equivalent and its REST v2 equivalent act on the same data
(what one writes, the other two read). Every v2 answer is checked against Keap's contract by the ``v2``
fixture."""
from __future__ import annotations

import pytest

from tests.rest.conftest import rest_for


class Protocols:
    """The same app through XML-RPC (``call``), REST v1 (``v1``) and REST v2 (``v2``)."""

    def __init__(self, v2):
        self.v2 = v2
        self.v1 = rest_for(v2.app)
        self.call = v2.app.call

    def names(self, contact_id: int) -> tuple[tuple, tuple, tuple]:
        """The contact's (given name, family name, email) as each protocol reads it."""
        x = self.call("ContactService.load", contact_id, ["FirstName", "LastName", "Email"])
        one = self.v1.ok("GET", f"/contacts/{contact_id}")
        two = self.v2.ok("GET", f"/contacts/{contact_id}")
        return ((x.get("FirstName"), x.get("LastName"), x.get("Email")),
                (one.get("given_name"), one.get("family_name"), one["email_addresses"][0]["email"]),
                (two.get("given_name"), two.get("family_name"), two["email_addresses"][0]["email"]))

    def tags(self, contact_id: int) -> tuple[set, set, set]:
        x = {int(t) for t in (self.call("ContactService.load", contact_id, ["Groups"]).get("Groups") or "").split(",")
             if t}
        one = {t["tag"]["id"] for t in self.v1.ok("GET", f"/contacts/{contact_id}/tags")["tags"]}
        two = {int(t["tag"]["id"]) for t in self.v2.ok("GET", f"/contacts/{contact_id}/tags")["tags"]}
        return x, one, two

    def same(self, triple) -> None:
        first, second, third = triple
        assert first == second == third, triple


def add(p: Protocols) -> None:
    """ContactService.add / POST /v1/contacts / POST /v2/contacts."""
    made = [p.call("ContactService.add", {"FirstName": "Xml", "LastName": "Add", "Email": "xml@add.test"}),
            p.v1.ok("POST", "/contacts", 201, json={"given_name": "One", "family_name": "Add",
                                                    "email_addresses": [{"email": "one@add.test", "field": "EMAIL1"}]})
            ["id"],
            int(p.v2.ok("POST", "/contacts", 201, json={"given_name": "Two", "family_name": "Add",
                                                       "email_addresses": [{"email": "two@add.test",
                                                                            "field": "EMAIL1"}]})["id"])]
    for contact_id, first in zip(made, ("Xml", "One", "Two")):
        p.same(p.names(contact_id))
        assert p.names(contact_id)[0][0] == first


def load(p: Protocols) -> None:
    """ContactService.load / GET /v1/contacts/{id} / GET /v2/contacts/{id}."""
    p.same(p.names(6))


def update(p: Protocols) -> None:
    """ContactService.update / PATCH /v1/contacts/{id} / PATCH /v2/contacts/{id}?update_mask=..."""
    p.call("ContactService.update", 6, {"LastName": "ByXml"})
    p.same(p.names(6))
    p.v1.ok("PATCH", "/contacts/6", json={"family_name": "ByV1"})
    p.same(p.names(6))
    assert p.names(6)[0][1] == "ByV1"
    p.v2.ok("PATCH", "/contacts/6", params={"update_mask": "family_name"}, json={"family_name": "ByV2"})
    p.same(p.names(6))
    assert p.names(6)[2][1] == "ByV2"


def add_with_dup_check(p: Protocols) -> None:
    """ContactService.addWithDupCheck / PUT /v1/contacts / POST /v2/contacts?duplicate_option=Email."""
    first = p.call("ContactService.addWithDupCheck", {"FirstName": "Dup", "Email": "dup@check.test"}, "Email")
    again = p.v1.ok("PUT", "/contacts", json={"given_name": "Dup", "job_title": "V1",
                                              "email_addresses": [{"email": "DUP@check.test", "field": "EMAIL1"}],
                                              "duplicate_option": "Email"})["id"]
    third = p.v2.ok("POST", "/contacts", 200, params={"duplicate_option": "Email"},
                    json={"given_name": "Dup", "job_title": "V2",
                          "email_addresses": [{"email": "dup@CHECK.test", "field": "EMAIL1"}]})["id"]
    assert first == again == int(third)
    assert p.call("ContactService.load", first, ["JobTitle"]) == {"JobTitle": "V2"}


def find_by_email(p: Protocols) -> None:
    """ContactService.findByEmail / GET /v1/contacts?email= / GET /v2/contacts?filter=email==..."""
    email = p.call("ContactService.load", 7, ["Email"])["Email"]
    x = [r["Id"] for r in p.call("ContactService.findByEmail", email, ["Id"])]
    one = [c["id"] for c in p.v1.ok("GET", "/contacts", params={"email": email})["contacts"]]
    two = [int(c["id"]) for c in p.v2.ok("GET", "/contacts", params={"filter": f"email=={email}"})["contacts"]]
    assert x == one == two == [7]


def add_to_group(p: Protocols) -> None:
    """ContactService.addToGroup / POST /v1/contacts/{id}/tags / POST /v2/tags/{id}/contacts:applyTags."""
    tag_ids = [p.call("DataService.add", "ContactGroup", {"GroupName": f"Recipe {n}"}) for n in range(3)]
    p.call("ContactService.addToGroup", 8, tag_ids[0])
    p.v1.ok("POST", "/contacts/8/tags", json={"tagIds": [tag_ids[1]]})
    p.v2.ok("POST", f"/tags/{tag_ids[2]}/contacts:applyTags", json={"contact_ids": ["8"]})
    p.same(p.tags(8))
    assert set(tag_ids) <= p.tags(8)[0]


def remove_from_group(p: Protocols) -> None:
    """ContactService.removeFromGroup / DELETE /v1/contacts/{id}/tags/{tagId} /
    POST /v2/tags/{id}/contacts:removeTags."""
    tag_ids = [p.call("DataService.add", "ContactGroup", {"GroupName": f"Off {n}"}) for n in range(3)]
    for tag_id in tag_ids:
        p.call("ContactService.addToGroup", 8, tag_id)
    p.call("ContactService.removeFromGroup", 8, tag_ids[0])
    p.v1.ok("DELETE", f"/contacts/8/tags/{tag_ids[1]}", 204)
    assert p.v2.post(f"/tags/{tag_ids[2]}/contacts:removeTags", json={"contact_ids": ["8"]}).status_code == 204
    p.same(p.tags(8))
    assert not set(tag_ids) & p.tags(8)[0]


def query(p: Protocols) -> None:
    """DataService.query('Contact', {LastName}) / GET /v1/contacts?family_name= /
    GET /v2/contacts?filter=family_name==..."""
    for n in range(3):
        p.call("ContactService.add", {"FirstName": f"Q{n}", "LastName": "Recipequery"})
    x = [r["Id"] for r in p.call("DataService.query", "Contact", 100, 0, {"LastName": "Recipequery"}, ["Id"])]
    one = [c["id"] for c in p.v1.ok("GET", "/contacts", params={"family_name": "Recipequery"})["contacts"]]
    two = [int(c["id"]) for c in p.v2.walk("/contacts", "contacts", filter="family_name==Recipequery")]
    assert x == one == two and len(x) == 3


def find_by_field(p: Protocols) -> None:
    """DataService.findByField('Contact', 'FirstName', ...) / GET /v1/contacts?given_name= /
    GET /v2/contacts?filter=given_name==..."""
    p.call("ContactService.add", {"FirstName": "Fieldfinder", "Email": "ff@recipe.test"})
    x = [r["Id"] for r in p.call("DataService.findByField", "Contact", 10, 0, "FirstName", "Fieldfinder", ["Id"])]
    one = [c["id"] for c in p.v1.ok("GET", "/contacts", params={"given_name": "Fieldfinder"})["contacts"]]
    two = [int(c["id"]) for c in p.v2.ok("GET", "/contacts", params={"filter": "given_name==Fieldfinder"})["contacts"]]
    assert x == one == two and len(x) == 1


def opt_in(p: Protocols) -> None:
    """APIEmailService.optIn / PUT /v1/emailAddresses/{email} / PATCH /v2/contacts/{id} (``opt_in_reason``)."""
    ids = [p.call("ContactService.add", {"FirstName": "Opt", "Email": f"opt{n}@recipe.test"}) for n in range(3)]
    p.call("APIEmailService.optIn", "opt0@recipe.test", "by XML-RPC")
    p.v1.ok("PUT", "/emailAddresses/opt1@recipe.test", json={"opted_in": True, "reason": "by v1"})
    p.v2.ok("PATCH", f"/contacts/{ids[2]}", json={"email_addresses": [
        {"email": "opt2@recipe.test", "field": "EMAIL1", "opt_in_reason": "by v2"}]})
    for n, contact_id in enumerate(ids):
        x = p.call("APIEmailService.getOptStatus", f"opt{n}@recipe.test")
        one = p.v1.ok("GET", f"/contacts/{contact_id}")["email_opted_in"]
        two = p.v2.ok("GET", f"/contacts/{contact_id}")["email_addresses"][0]["is_opt_in"]
        assert (x, one, two) == (1, True, True), n


RECIPE = [add, load, update, add_with_dup_check, find_by_email, add_to_group, remove_from_group, query,
          find_by_field, opt_in]


@pytest.mark.parametrize("row", RECIPE, ids=[r.__name__ for r in RECIPE])
def test_recipe_row(v2, row):
    row(Protocols(v2))
