"""listContacts' phone, lead source and custom-field filters (the contract's ``filter`` description), over a
live server: values written through XML-RPC are found through v2."""
from __future__ import annotations


def _field(v2, label: str, field_type: str, **extra) -> str:
    return v2.ok("POST", "/contacts/model/customFields", 201,
                 json={"label": label, "field_type": field_type, **extra})["field_name"]


def _ids(v2, text: str) -> list[int]:
    return [int(c["id"]) for c in v2.ok("GET", "/contacts", params={"filter": text})["contacts"]]


def test_phone_number_in_the_phone_fields_named(v2):
    a = int(v2.ok("POST", "/contacts", 201, json={"given_name": "Ph", "phone_numbers": [
        {"number": "555-0101", "field": "PHONE1"}, {"number": "555-0202", "field": "PHONE2"}]})["id"])
    b = int(v2.ok("POST", "/contacts", 201, json={"given_name": "Ph", "phone_numbers": [
        {"number": "555-0202", "field": "PHONE3"}]})["id"])
    assert _ids(v2, "phone_number==555-0202;phone_fields==PHONE2,PHONE3") == [a, b]
    assert _ids(v2, "phone_number==555-0202;phone_fields==PHONE2") == [a]
    assert _ids(v2, "phone_number==555-02*;phone_fields==PHONE1,PHONE2,PHONE3,PHONE4,PHONE5") == [a, b]
    assert _ids(v2, "phone_number==555-0202;phone_fields==PHONE1;given_name==Ph") == []
    for text, resource in (("phone_number==555-0202", "filter.phone_fields"),
                           ("phone_fields==PHONE1", "filter.phone_number"),
                           ("phone_number==1;phone_fields==PHONE9", "filter.phone_fields")):
        assert v2.error("GET", "/contacts", 400, params={"filter": text})["details"][0]["resource"] == resource


def test_lead_source_name(v2):
    source = v2.ok("POST", "/leadSources", 201, json={"name": "Google Ads", "status": "ACTIVE"})
    made = int(v2.ok("POST", "/contacts", 201, json={"given_name": "Lead", "leadsource_id": source["id"],
                                                     "email_addresses": [{"email": "lead@src.test"}]})["id"])
    assert _ids(v2, "lead_source_name==google ads") == [made]
    assert _ids(v2, "lead_source_name==Google*") == [made]
    assert _ids(v2, "lead_source_name==Bing*") == []


def test_custom_fields_by_name_with_their_types_operators(v2):
    text = _field(v2, "Shoe Brand", "TEXT")
    size = _field(v2, "Shoe Size", "WHOLE_NUMBER")
    member = _field(v2, "Member", "YES_NO")
    since = _field(v2, "Member Since", "DATE_TIME")
    sports = _field(v2, "Sports", "LIST_BOX", options=[{"label": "Run"}, {"label": "Swim"}, {"label": "Bike"}])
    ids = []
    for n, (brand, shoe, yes, when, likes) in enumerate((
            ("Asics", 42, 1, "2026-01-05T10:00:00", "Run,Swim"), ("Adidas", 44, 0, "2026-03-01T10:00:00", "Bike"),
            ("Brooks", 40, 1, "2025-12-01T10:00:00", "Swim,Bike"))):
        ids.append(v2.app.call("ContactService.add", {
            "FirstName": f"Custom{n}", "Email": f"c{n}@custom.test", f"_{text}": brand, f"_{size}": shoe,
            f"_{member}": yes, f"_{since}": when, f"_{sports}": likes}))
    assert _ids(v2, f"{text}==asics") == [ids[0]]
    assert _ids(v2, f"{text.lower()}==A*") == ids[:2]  # the name's case is ignored, a trailing * is a prefix
    assert _ids(v2, f"{size}>41") == ids[:2] and _ids(v2, f"{size}<=40") == [ids[2]]
    assert _ids(v2, f"{member}==true") == [ids[0], ids[2]] and _ids(v2, f"{member}==false") == [ids[1]]
    assert _ids(v2, f"{since}>=2026-01-01T00:00:00.000Z") == ids[:2]
    assert _ids(v2, f"{sports}==swim") == [ids[0], ids[2]] and _ids(v2, f"{sports}==Bik") == []
    assert _ids(v2, f"{size}>41;{member}==true") == [ids[0]]
    for clause, resource in ((f"{text}!=x", f"filter.{text}"), (f"{since}>=2026-01-01", f"filter.{since}"),
                             (f"{member}==maybe", f"filter.{member}"), (f"{size}==big", f"filter.{size}"),
                             ("NoSuchField==1", "filter")):
        assert v2.error("GET", "/contacts", 400, params={"filter": clause})["details"][0]["resource"] == resource


def test_a_multi_select_value_beyond_ascii_ignores_case(v2):
    seasons = _field(v2, "Seasons", "LIST_BOX", options=[{"label": "Été"}, {"label": "Hiver"}])
    made = v2.app.call("ContactService.add", {"FirstName": "Saison", f"_{seasons}": "Été,Hiver"})
    for value in ("Été", "été", "ÉTÉ", "hiver"):
        assert _ids(v2, f"{seasons}=={value}") == [made], value
