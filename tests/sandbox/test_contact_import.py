"""POST /sandbox/apps/<app>/contacts:import: CSV and JSON lines, through a live server, read back through
XML-RPC and REST; bad lines named by number and field."""
from __future__ import annotations

import json

from click.testing import CliRunner

from server.cli import main
from tests.conftest import TestApp
from tests.rest.conftest import rest_for


def _csv(n: int, start: int = 0) -> str:
    lines = ["FirstName,LastName,Email,Phone1"]
    lines += [f"First{i},Last{i},bulk{i}@example.com,555-010-{i % 10000:04d}" for i in range(start, start + n)]
    return "\n".join(lines) + "\n"


def _post(app, body, media_type, **params):
    return app.live.control("POST", f"/apps/{app.name}/contacts:import", data=body,
                            headers={"Content-Type": media_type}, params=params)


def test_csv_import_of_thousands_is_readable_through_xmlrpc_and_rest(empty_app):
    r = _post(empty_app, _csv(3000), "text/csv")
    assert r.status_code == 200, r.text
    answer = r.json()
    assert (answer["imported"], answer["rejected"], answer["errors"]) == (3000, 0, [])
    assert answer["last_id"] - answer["first_id"] == 2999

    found = empty_app.call("ContactService.findByEmail", "bulk2999@example.com", ["Id", "FirstName", "LastName"])
    assert found == [{"Id": answer["last_id"], "FirstName": "First2999", "LastName": "Last2999"}]
    count = empty_app.call("DataService.count", "Contact", {"Email": "bulk%"})
    assert count == 3000
    # what an add gives: an email status row (NonMarketable: added without permission) and a creation date
    assert empty_app.call("APIEmailService.getOptStatus", "bulk17@example.com") == 0
    loaded = empty_app.call("ContactService.load", answer["first_id"], ["DateCreated", "Email"])
    assert loaded["Email"] == "bulk0@example.com" and loaded["DateCreated"]

    rest = rest_for(empty_app)
    page = rest.ok("GET", "/contacts", params={"email": "bulk1500@example.com"})
    assert [c["given_name"] for c in page["contacts"]] == ["First1500"]
    assert page["contacts"][0]["email_addresses"][0]["email"] == "bulk1500@example.com"


def test_json_lines_import_with_custom_fields_and_repeated_address(app):
    header = app.call("DataService.query", "DataFormGroup", 100, 0, {}, ["Id"])[0]["Id"]
    assert app.call("DataService.addCustomField", "Contact", "Shoe Size", "Text", header)
    lines = [json.dumps({"FirstName": f"J{i}", "Email": "shared@example.com" if i % 2 else f"j{i}@example.com",
                         "_ShoeSize": str(40 + i % 5)}) for i in range(2000)]
    r = _post(app, "\n".join(lines) + "\n\n", "application/x-ndjson")
    assert r.status_code == 200, r.text
    assert r.json()["imported"] == 2000
    rows = app.call("DataService.query", "Contact", 1000, 0, {"_ShoeSize": "42"}, ["Id", "FirstName"])
    assert len(rows) == 400
    assert app.call("APIEmailService.getOptStatus", "shared@example.com") == 0
    shared = app.call("DataService.query", "EmailAddStatus", 10, 0, {"Email": "shared@example.com"},
                            ["Id", "Type"])
    assert len(shared) == 1  # one status row for the address, however many contacts use it


def test_bad_lines_refuse_the_whole_body_with_their_numbers_and_fields(empty_app):
    body = "FirstName,Email,Birthday\nAnn,ann@example.com,\nBob,bob@example.com,not a date\n" \
           "Cy,cy@example.com,2026-01-02\nDee,dee@example.com,1,extra\n"
    r = _post(empty_app, body, "text/csv")
    assert r.status_code == 400, r.text
    fields = r.json()["fields"]
    assert [f["field"] for f in fields] == ["line 3: Birthday", "line 5"]
    assert "2 line(s)" in r.json()["error"]
    assert empty_app.call("DataService.count", "Contact", {"Id": "%"}) == 0  # nothing was imported

    skipped = _post(empty_app, body, "text/csv", skip_invalid="true")
    assert skipped.status_code == 200, skipped.text
    answer = skipped.json()
    assert (answer["imported"], answer["rejected"]) == (2, 2)
    assert [(e["line"], e["field"]) for e in answer["errors"]] == [(3, "Birthday"), (5, None)]
    assert empty_app.call("DataService.count", "Contact", {"Id": "%"}) == 2


def test_json_lines_bad_line_and_unknown_header(empty_app):
    body = '{"FirstName": "A"}\nnot json\n[1]\n{"Nope": 1}\n'
    r = _post(empty_app, body, "application/x-ndjson")
    assert r.status_code == 400
    assert [f["field"] for f in r.json()["fields"]] == ["line 2", "line 3", "line 4: Nope"]

    header = _post(empty_app, "FirstName,Shoe\nA,1\n", "text/csv")
    assert header.status_code == 400
    assert header.json()["fields"] == [{"field": "line 1: Shoe", "problem": "Contact has no field Shoe that an add "
                                                                             "can set"}]


def test_refusals_of_the_body_itself(empty_app):
    assert _post(empty_app, b"", "text/csv").status_code == 400
    assert _post(empty_app, "a,b", "application/json").status_code == 415
    latin = _post(empty_app, "FirstName\nJos\xe9\n".encode("latin-1"), "text/csv")
    assert latin.status_code == 400 and "line 2" in latin.json()["error"]
    assert _post(empty_app, "FirstName,,x\n", "text/csv").status_code == 400
    missing = empty_app.live.control("POST", "/apps/nosuchapp/contacts:import", data="FirstName\nA\n",
                                     headers={"Content-Type": "text/csv"})
    assert missing.status_code == 404


def test_the_command_line_imports_an_export_of_thousands_with_progress(live, empty_app, tmp_path):
    assert _post(empty_app, _csv(4000), "text/csv").status_code == 200
    export = tmp_path / "bulk.jsonl.gz"
    export.write_bytes(live.control("GET", f"/apps/{empty_app.name}/export").content)
    target = ["--data-dir", str(live.data_dir)] if live.backend == "sqlite" else \
        ["--database-url", str(live.sandbox.engine.url.render_as_string(hide_password=False))]
    name = empty_app.name + "-cli"
    done = CliRunner().invoke(main, ["apps", "import", str(export), "--name", name, "--progress", *target])
    assert done.exit_code == 0, done.output
    assert "rows loaded" in done.output and f"imported app {name}; legacy API key " in done.output
    key = done.output.rsplit("legacy API key ", 1)[1].strip()
    copy = TestApp(name, key, live)
    found = copy.call("ContactService.findByEmail", "bulk3999@example.com", ["FirstName"])
    assert found == [{"FirstName": "First3999"}]
    assert copy.call("DataService.count", "Contact", {"Email": "bulk%"}) == 4000


def test_refusals_of_the_body_name_the_body_or_the_line_in_fields(empty_app):
    def fields(r):
        assert r.status_code == 400, r.text
        return r.json()["fields"]

    assert fields(_post(empty_app, b"", "text/csv")) == [{"field": "body", "problem": "no contacts"}]
    latin = fields(_post(empty_app, "FirstName\nJos\xe9\n".encode("latin-1"), "text/csv"))
    assert latin == [{"field": "line 2", "problem": "not UTF-8 text"}]
    assert fields(_post(empty_app, b"\xff\n", "application/x-ndjson")) == [{"field": "line 1",
                                                                             "problem": "not UTF-8 text"}]
    assert fields(_post(empty_app, "FirstName,,x\n", "text/csv")) == [
        {"field": "line 1", "problem": "column 2 of the header has no field name"}]
    assert fields(_post(empty_app, "Email,Email\n", "text/csv"))[0]["field"] == "line 1"
    assert fields(_post(empty_app, "FirstName\n", "text/csv", skip_invalid="maybe"))[0]["field"] == "skip_invalid"
