"""Mapped pairs of the CRM services performed on one app with real clients (see test_pairs.py): app settings, the
user a credential acts as, DataService's ordered queries, counts and custom fields, email sent and recorded, and
saved searches. Each XML-RPC call and its v2 translation (server.migration.translate_crm) run on the same data and
agree, or differ as mapping.yaml documents."""
from __future__ import annotations

import base64
import json
from datetime import datetime

from server.migration.translate import TRANSLATORS
from server.migration.translate_crm import setting_path
from server.migration.v2call import dig, record_pairs
from tests.migration.conftest import covers


@covers("ContactService.getAppSetting", "ContactService.getAppSettingInt", "DataService.getAppSetting")
def test_app_settings_read_alike(pair):
    for method, params in (("DataService.getAppSetting", ["Contact", "optiontypes"]),
                           ("ContactService.getAppSetting", ["contact", "optionTitles"]),
                           ("DataService.getAppSetting", ["Order", "optioncctypes"]),
                           ("ContactService.getAppSettingInt", ["Order", "defaultmaxretry"])):
        x = pair.call(method, *params)
        v = dig(pair.v2_call(method, params), setting_path(params))
        assert x and x == v, (method, params, x, v)  # one value: the text (or number) XML-RPC answers
    # the documented difference: v2 answers the whole module, not one setting
    assert "phone_types" in pair.v2_call("DataService.getAppSetting", ["Contact", "optiontypes"])["contact"]


@covers("DataService.getUserInfo")
def test_the_user_a_key_acts_as_reads_alike(pair):
    second = pair.v2.app.call("DataService.query", "User", 10, 0, {}, ["Id"])[1]["Id"]
    made = pair.v2.app.live.control("POST", f"/apps/{pair.v2.app.name}/api-keys",
                                    json={"kind": "pat", "name": "pair", "user_id": second})
    assert made.status_code == 201, made.text
    pair.use_key(made.json()["key"])  # a PAT acts as its user on both sides
    x = pair.call_with_key("DataService.getUserInfo")
    v = pair.v2_call("DataService.getUserInfo", [])
    pairs = record_pairs(TRANSLATORS["DataService.getUserInfo"]([]).fields, x, v)
    assert {n for n, _, _ in pairs} == {"localUserId", "globalUserId", "casUsername"}, (x, v)
    assert all(str(a) == str(b) for _, a, b in pairs) and x["localUserId"] == second, pairs


@covers("DataService.queryWithOrderBy", "DataService.count")
def test_ordered_queries_and_counts_agree(pair):
    made = [pair.call("ContactService.add", {"FirstName": "Ordered", "Email": f"{n}-order@pairs.test"})
            for n in ("b", "a", "c")]
    for order, ascending in (("Email", True), ("Email", False), ("Id", False)):
        params = ["Contact", 1000, 0, {}, ["Id", "Email"], order, ascending]
        x = [str(r["Id"]) for r in pair.call("DataService.queryWithOrderBy", *params)]
        v = [c["id"] for c in pair.v2_call("DataService.queryWithOrderBy", params)["contacts"]]
        assert x == v and {str(i) for i in made} <= set(x), (order, ascending)
    params = ["ContactGroup", 1000, 0, {"GroupCategoryId": 1}, ["Id", "GroupName"], "GroupName", True]
    x = [str(r["Id"]) for r in pair.call("DataService.queryWithOrderBy", *params)]
    assert x and x == [t["id"] for t in pair.v2_call("DataService.queryWithOrderBy", params)["tags"]]

    for params in (["Contact", {}], ["Contact", {"FirstName": "Ordered"}], ["ContactGroup", {"GroupCategoryId": 1}]):
        v = pair.v2_call("DataService.count", params)
        items = TRANSLATORS["DataService.count"](params).items
        assert v.get("next_page_token") in (None, "")  # one page holds them all: its length is the count
        assert pair.call("DataService.count", *params) == len(v[items]) > 0, params


@covers("DataService.addCustomField")
def test_custom_fields_added_on_either_side_read_alike(pair):
    for context, group_name, model_path, kind, type_id in (
            ("Contact", "Program Details", "/contacts/model", "Text", 15),
            ("Company", "Company Profile", "/companies/model", "NumberDecimal", 11)):
        group = pair.v2.app.call("DataService.query", "DataFormGroup", 1, 0, {"Name": group_name}, ["Id"])[0]["Id"]
        by_xmlrpc = pair.call("DataService.addCustomField", context, f"Pair {context} X", kind, group)
        by_v2 = pair.v2_call("DataService.addCustomField", [context, f"Pair {context} V", kind, group], 201)
        model = {f["id"]: f for f in pair.v2.ok("GET", model_path)["custom_fields"]}
        rows = {r["Id"]: r for r in pair.v2.app.call("DataService.query", "DataFormField", 1000, 0,
                                                     {"GroupId": group}, ["Id", "Label", "DataType"])}
        for field_id, label in ((by_xmlrpc, f"Pair {context} X"), (int(by_v2["id"]), f"Pair {context} V")):
            assert (model[str(field_id)]["label"], model[str(field_id)]["field_type"]) == \
                (label, by_v2["field_type"]), context
            assert (rows[field_id]["Label"], rows[field_id]["DataType"]) == (label, type_id), context


def _history(pair, contact_id) -> list[dict]:
    return pair.v2.ok("GET", "/emails", params={"filter": f"contact_id=={contact_id}"})["emails"]


@covers("APIEmailService.sendEmail", "APIEmailService.attachEmail")
def test_email_sent_and_recorded_alike(pair):
    sender = pair.v2.app.call("DataService.query", "User", 1, 0, {}, ["Email"])[0]["Email"]
    a, b = (pair.v2.app.call("ContactService.add", {"FirstName": n, "Email": f"{n.lower()}@pairs.test"})
            for n in ("SendX", "SendV"))
    for contact_id, by in ((a, "XML-RPC"), (b, "v2")):
        params = [[contact_id], sender, "~Contact.Email~", "", "", "Multipart", f"Hello by {by}",
                  f"<p>sent by {by}</p>", f"sent by {by}"]
        if by == "XML-RPC":
            assert pair.call("APIEmailService.sendEmail", *params) is True
        else:
            assert pair.v2_call("APIEmailService.sendEmail", params, 202, raw=True).status_code == 202
        [sent] = _history(pair, contact_id)
        assert (sent["subject"], sent["sent_to_address"]) == (f"Hello by {by}", f"{('sendx', 'sendv')[by == 'v2']}"
                                                                                 "@pairs.test")

    when = datetime(2026, 3, 2, 9, 30)
    for contact_id, by in ((a, "XML-RPC"), (b, "v2")):
        params = [contact_id, "Outside", "crm@elsewhere.test", "them@pairs.test", "cc@pairs.test", "", "HTML",
                  f"Logged by {by}", f"<p>logged by {by}</p>", "", "X-Pair: 1", when, when, 1]
        if by == "XML-RPC":
            assert pair.call("APIEmailService.attachEmail", *params) is True
        else:
            pair.v2_call("APIEmailService.attachEmail", params, 201)
        logged = next(e for e in _history(pair, contact_id) if e["subject"] == f"Logged by {by}")
        full = pair.v2.ok("GET", f"/emails/{logged['id']}")
        assert (full["sent_to_address"], full["sent_from_address"], full["sent_to_cc_address_list"]) == \
            ("them@pairs.test", "crm@elsewhere.test", ["cc@pairs.test"])
        assert base64.b64decode(full["html_content"]).decode() == f"<p>logged by {by}</p>"
        # the zone differs: v2 reads RFC 3339 in UTC, XML-RPC the app's local time
        assert full["sent_time"].startswith("2026-03-02T")


@covers("SearchService.getSavedSearchResults", "SearchService.getSavedSearchResultsAllFields",
        "SearchService.getAllReportColumns")
def test_saved_searches_run_alike(pair):
    user = pair.v2.app.call("DataService.query", "User", 1, 0, {}, ["Id"])[0]["Id"]
    reports = pair.v2.walk("/reporting/reports", "reports")
    assert reports
    ran = 0
    for report in reports:
        report_id = int(report["id"])
        columns = pair.call("SearchService.getAllReportColumns", report_id, user)
        model = pair.v2_call("SearchService.getAllReportColumns", [report_id, user])
        assert columns == {f["name"]: f["label"] for f in model["fields"]}
        fields = list(columns)[:3]
        for method, params in (("SearchService.getSavedSearchResults", [report_id, user, 0, fields]),
                               ("SearchService.getSavedSearchResultsAllFields", [report_id, user, 0])):
            x = pair.call(method, *params)
            v = pair.v2_call(method, params)
            rows = [{c["field_name"]: c["value"] for c in row["columns"]} for row in v["results"]]
            assert len(x) == len(rows), (method, x, v)
            for a, b in zip(x, rows):
                assert set(a) & set(b) and {k: str(val) for k, val in a.items() if k in b} == \
                    {k: str(val) for k, val in b.items() if k in a}, (method, a, b)
                if method.endswith("AllFields"):  # the report's own columns, every one in every row, on both sides
                    assert set(a) == set(b), (a, b)
            ran += len(x)
    assert ran, "the seed's saved searches find rows"


@covers("SearchService.quickSearch")
def test_quick_search_for_a_person_alike(pair):
    user = pair.v2.app.call("DataService.query", "User", 1, 0, {}, ["Id"])[0]["Id"]
    made = pair.v2.app.call("ContactService.add", {"FirstName": "Quincy", "LastName": "Quick",
                                                    "Email": "quincy@pairs.test"})
    for text in ("quincy@pairs.test", "Quincy"):
        x = pair.call("SearchService.quickSearch", "FindPerson", user, text, 0, 10)
        v = pair.v2_call("SearchService.quickSearch", ["FindPerson", user, text, 0, 10])["contacts"]
        assert [str(r["Id"]) for r in x] == [c["id"] for c in v] == [str(made)], text
    # the documented difference: XML-RPC finds the text anywhere in the name, email, company or phone; v2 matches
    # the start of one field
    assert [r["Id"] for r in pair.call("SearchService.quickSearch", "FindPerson", user, "uick", 0, 10)] == [made]
    assert json.dumps(pair.v2.ok("GET", "/contacts", params={"filter": "given_name==uick*"})["contacts"]) == "[]"


@covers("FileService.uploadFile", "FileService.renameFile", "FileService.replaceFile")
def test_files_uploaded_renamed_and_replaced_on_either_side(pair):
    def same(file_id, name: str, content: bytes, contact_id: int) -> None:
        made = pair.v2.ok("GET", f"/files/{file_id}")
        assert (made["file_name"], made["file_size"], made.get("contact_id")) == (name, len(content),
                                                                               str(contact_id) if contact_id else None)
        assert base64.b64decode(pair.v2.app.call("FileService.getFile", int(file_id))) == content
        row = pair.v2.app.call("DataService.load", "FileBox", int(file_id), ["FileName", "ContactId"])
        assert (row["FileName"], row.get("ContactId", 0)) == (name, contact_id)

    encoded = base64.b64encode(b"by XML-RPC").decode()
    for params in ([6, "pair-x.txt", encoded], ["pair-app.txt", encoded]):
        contact_id = params[0] if isinstance(params[0], int) else 0
        by_xmlrpc = pair.call("FileService.uploadFile", *params)
        same(by_xmlrpc, params[-2], b"by XML-RPC", contact_id)
        by_v2 = pair.v2_call("FileService.uploadFile", params, 201)
        same(by_v2["id"], params[-2], b"by XML-RPC", contact_id)

        assert pair.call("FileService.renameFile", int(by_v2["id"]), "renamed-x.txt") is True
        assert pair.v2_call("FileService.renameFile", [by_xmlrpc, "renamed-v.txt"])["file_name"] == "renamed-v.txt"
        new = base64.b64encode(b"replaced, longer than before").decode()
        assert pair.call("FileService.replaceFile", int(by_v2["id"]), new) is True
        pair.v2_call("FileService.replaceFile", [by_xmlrpc, new])
        for file_id, name in ((by_xmlrpc, "renamed-v.txt"), (by_v2["id"], "renamed-x.txt")):
            same(file_id, name, b"replaced, longer than before", contact_id)
    # the compare tool sends the same multipart parts (and rolls them back)
    for method, params, status in (("FileService.uploadFile", [6, "compared.txt", encoded], 201),
                                   ("FileService.renameFile", [by_xmlrpc, "compared.txt"], 200),
                                   ("FileService.replaceFile", [by_xmlrpc, encoded], 200)):
        r = pair.v2.app.live.control("POST", f"/apps/{pair.v2.app.name}/migration/compare",
                                     json={"method": method, "params": params})
        assert r.status_code == 200 and r.json()["xmlrpc"]["ok"] and r.json()["v2"]["ok"], r.text
        assert r.json()["v2"]["status"] == status and {d["what"] for d in r.json()["differences"]} <= {"answer"}, r.text
    same(by_xmlrpc, "renamed-v.txt", b"replaced, longer than before", 0)  # nothing persisted


def _compared(pair, method: str, params: list) -> dict:
    r = pair.v2.app.live.control("POST", f"/apps/{pair.v2.app.name}/migration/compare",
                                 json={"method": method, "params": params})
    assert r.status_code == 200, r.text
    return r.json()


@covers("ContactService.applyActivityHistoryTemplate")
def test_note_template_applied_alike(pair):
    templates = {name: int(i) for i, name in pair.call("ContactService.getActivityHistoryTemplateMap").items()}
    listed = pair.v2.ok("GET", "/notes/templates")["note_templates"]
    assert [t["title"] for t in listed] == ["Discovery call notes"]  # v2 lists the note templates only
    note_template, user = templates["Discovery call notes"], 2
    a, b = (pair.v2.app.call("ContactService.add", {"FirstName": n}) for n in ("NoteX", "NoteV"))
    by_xmlrpc = pair.call("ContactService.applyActivityHistoryTemplate", a, note_template, user)
    by_v2 = pair.v2_call("ContactService.applyActivityHistoryTemplate", [b, note_template, user], 201)
    x = pair.v2.ok("GET", f"/contacts/{a}/notes/{by_xmlrpc}")
    assert pair.v2.ok("GET", f"/contacts/{b}/notes/{by_v2['id']}") == by_v2
    same = ("title", "type", "assigned_to_user", "created_by_user_id")
    assert {k: x[k] for k in same} == {k: by_v2[k] for k in same} and x["title"] == "Discovery call", (x, by_v2)
    # the documented difference: v2's template holds no note text, XML-RPC copies the template's
    assert x["text"].startswith("Goals:") and not by_v2.get("text"), (x, by_v2)
    # both made a note XML-RPC reads alike (the ContactAction of the contact)
    fields = ["ContactId", "ObjectType", "ActionDescription", "ActionType", "UserID"]
    rows = [pair.v2.app.call("DataService.load", "ContactAction", int(i), fields) for i in (by_xmlrpc, by_v2["id"])]
    assert [{**r, "ContactId": 0} for r in rows] == [{**rows[0], "ContactId": 0}] * 2 and rows[1]["ContactId"] == b

    # a task template has no v2 template to read: the note is left unmade, naming the template
    task = templates["Follow up in 3 days"]
    answer = _compared(pair, "ContactService.applyActivityHistoryTemplate", [a, task, user])
    assert answer["xmlrpc"]["ok"] and [s["operation_id"] for s in answer["v2_steps"]] == \
        ["listNoteTemplates", "createNote"]
    assert answer["v2"]["status"] is None and f"note template {task}" in answer["v2"]["not_run"], answer["v2"]
    assert answer["differences"][0]["what"] == "outcome"


def _sent(pair, **query) -> list[dict]:
    r = pair.v2.app.live.control("GET", f"/apps/{pair.v2.app.name}/outbox", params={"kind": "email", **query})
    assert r.status_code == 200, r.text
    return r.json()["messages"]


@covers("APIEmailService.sendTemplateWithStatus", "APIEmailService.sendEmail")
def test_templates_sent_alike(pair):
    template_id = int(pair.v2.ok("GET", "/emails/templates")["email_templates"][0]["id"])
    second = pair.v2.app.call("DataService.query", "User", 10, 0, {}, ["Id"])[1]["Id"]
    made = pair.v2.app.live.control("POST", f"/apps/{pair.v2.app.name}/api-keys",
                                    json={"kind": "pat", "name": "pair", "user_id": second})
    assert made.status_code == 201, made.text
    pair.use_key(made.json()["key"])  # a PAT sends as its user on both sides (v2: the first step reads it)
    for n, method in enumerate(("APIEmailService.sendTemplateWithStatus", "APIEmailService.sendEmail")):
        a, b = (pair.v2.app.call("ContactService.add", {"FirstName": "Templated", "Email": f"tpl{n}{by}@pairs.test"})
                for by in "xv")
        x = pair.call_with_key(method, pair.v2.key, [a], template_id)  # the key parameter: the PAT too
        assert x is True if method.endswith("sendEmail") else x == [
            {"Successful": True, "ContactId": a, "Message": "Sent"}], x
        v = pair.v2_call(method, [[b], template_id], 202, raw=True)
        assert v.status_code == 202 and not v.content  # v2 answers no per-contact status
        assert pair.answers[0]["id"] == str(second)  # the first step: the caller's user, whom v2 sends as
        [sent_x], [sent_v] = _sent(pair, contact_id=a), _sent(pair, contact_id=b)
        same = ("subject", "from_address", "html_body", "status", "user_id")
        assert {k: sent_x[k] for k in same} == {k: sent_v[k] for k in same}, (sent_x, sent_v)
        assert (sent_x["to_address"], sent_v["to_address"], sent_v["user_id"]) == \
            (f"tpl{n}x@pairs.test", f"tpl{n}v@pairs.test", second)


@covers("APIEmailService.sendEmailWithStatus")
def test_email_to_addresses_sent_alike(pair):
    sender = pair.v2.app.call("DataService.query", "User", 1, 0, {}, ["Email"])[0]["Email"]
    a, b, c = (pair.v2.app.call("ContactService.add", {"FirstName": n, "Email": f"{n.lower()}@pairs.test"})
               for n in ("AddrX", "AddrV", "AddrW"))
    x = pair.call("APIEmailService.sendEmailWithStatus", sender, "addrx@pairs.test", "", "", "Hello addresses",
                  "plain words", "<p>html words</p>")
    assert x == [{"Successful": True, "Email": "addrx@pairs.test", "Message": "Sent"}]
    params = [sender, "addrv@pairs.test, addrw@pairs.test", "", "", "Hello addresses", "plain words",
              "<p>html words</p>"]
    assert pair.v2_call("APIEmailService.sendEmailWithStatus", params, 202, raw=True).status_code == 202
    assert [s["contacts"][0]["id"] for s in pair.answers] == [str(b), str(c)]  # each address's contact found
    by_address = {m["to_address"]: m for m in _sent(pair) if m["subject"] == "Hello addresses"}
    assert set(by_address) == {"addrx@pairs.test", "addrv@pairs.test", "addrw@pairs.test"}, by_address
    same = ("subject", "from_address", "html_body", "text_body", "content_type", "status")
    assert all({k: m[k] for k in same} == {k: by_address["addrx@pairs.test"][k] for k in same}
               for m in by_address.values()), by_address
    # the documented difference: XML-RPC sends to the address (no contact's history holds it), v2 to the contact
    assert [by_address[f"addr{n}@pairs.test"]["contact_id"] for n in "xvw"] == [None, b, c]
    assert not _history(pair, a) and len(_history(pair, b)) == 1

    # an address with no contact: XML-RPC sends; v2 cannot, and the compare tool names the address
    answer = _compared(pair, "APIEmailService.sendEmailWithStatus",
                       [sender, "addrv@pairs.test, nobody@pairs.test", "", "", "Hi", "words", ""])
    assert answer["xmlrpc"]["ok"] and [s["ok"] for s in answer["v2_steps"]] == [True, True, False]
    assert "nobody@pairs.test" in answer["v2"]["not_run"] and answer["v2"]["status"] is None, answer["v2"]
