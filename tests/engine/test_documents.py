"""Campaign documents: the schema's errors, YAML, export, the CLI, and republishing a campaign with contacts in it."""
from __future__ import annotations

import json

import yaml
from click.testing import CliRunner

from server.cli import main
from tests.engine.test_goals import email
from tests.engine.test_sequences import GO, go, one_sequence


def test_a_document_that_breaks_the_schema_gets_every_problem(app, campaigns):
    r = campaigns.control("POST", "/campaigns", json={
        "goals": [{"key": "g", "type": "tag_applyed"}],
        "sequences": [{"key": "s", "items": [{"type": "delay_timer", "wait": -1}]}],
        "links": [["g", "nowhere"]]})
    assert r.status_code == 400
    problems = r.json()["problems"]
    assert any(p.startswith("(document): 'name' is a required property") for p in problems)
    assert any("goals[0].type" in p for p in problems) and any("sequences[0].items[0].wait" in p for p in problems)
    r = campaigns.control("POST", "/campaigns", json={"name": "Links", "goals": [GO], "links": [["go", "nowhere"]]})
    assert r.status_code == 400 and "'nowhere' is not a goal, sequence or decision" in r.json()["problems"][0]
    r = campaigns.control("POST", "/campaigns", data="name: [unclosed", headers={"Content-Type": "application/yaml"})
    assert r.status_code == 400 and "not JSON or YAML" in r.json()["problems"][0]
    schema = app.live.control("GET", "/campaigns/schema").json()
    assert schema["title"] == "Campaign Builder campaign"


def test_a_yaml_document_the_store_cannot_keep_is_a_400(app, campaigns):
    """Non-UTF-8 bytes, deep nesting and a lone surrogate were 500s, a NUL character was stored (audit-control
    finding 6): a YAML document is held to what every JSON body is, and refused listing why."""
    name = 'name: "{}"\ngoals: []\n'
    bodies = {
        b"\xff\xfe\x00name: x": "not UTF-8",
        ("a: " + "[" * 100_000).encode(): "nests deeper",
        ("a: " + "[" * 100 + "]" * 100).encode(): "nests deeper",
        name.format("Bday\\ud800x").encode(): "surrogate",
        name.format("Bday\\0nul").encode(): "NUL",
        b"name: x\nweight: .nan\n": "not a finite number",
        b'{"name": "x", "weight": NaN}': "not a finite number",  # JSON sent as YAML skipped json_input's checks
        ("[" * 100_000).encode(): "nests deeper",
    }
    before = campaigns.control("GET", "/campaigns").json()
    for body, says in bodies.items():
        r = campaigns.control("POST", "/campaigns", data=body, headers={"Content-Type": "application/yaml"})
        assert r.status_code == 400, (body[:40], r.text[:300])
        assert r.json()["error"] == "the campaign document is not valid" and says in r.json()["problems"][0], r.text
    assert campaigns.control("GET", "/campaigns").json() == before


def test_the_cli_refuses_a_binary_campaign_file(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_bytes(b"\xff\xfe\x00name: x")
    done = CliRunner().invoke(main, ["campaigns", "import", str(path), "--data-dir", str(tmp_path)])
    assert done.exit_code == 1 and "not UTF-8" in done.output and done.exception is not None \
        and isinstance(done.exception, SystemExit), done.output


def test_yaml_import_creates_missing_tags_and_fields_and_exports_back(app, campaigns):
    doc = one_sequence({"type": "apply_tag", "tag": "T brand new tag"},
                       {"type": "set_field", "field": "_Shoe", "value": "9"},
                       name="From YAML", resources={"tags": ["T brand new tag"],
                                                  "custom_fields": [{"name": "Shoe", "type": "Text"}]})
    r = campaigns.control("POST", "/campaigns", data=yaml.safe_dump(doc), params={"publish": "1"},
                          headers={"Content-Type": "application/yaml"})
    assert r.status_code == 201, r.text
    assert app.call("DataService.query", "ContactGroup", 10, 0, {"GroupName": "T brand new tag"}, ["Id"])
    cid = go(app, campaigns)
    assert app.call("ContactService.load", cid, ["_Shoe"]) == {"_Shoe": "9"}
    exported = campaigns.control("GET", f"/campaigns/{r.json()['id']}/export").json()
    assert exported == doc
    as_yaml = campaigns.control("GET", f"/campaigns/{r.json()['id']}/export", params={"format": "yaml"}).text
    assert yaml.safe_load(as_yaml) == doc


def test_republishing_keeps_contacts_in_place_and_applies_the_window(app, campaigns):
    app.clock(time="2026-03-02T08:00:00", frozen=True)
    doc = one_sequence(email("a"), {"key": "wait", "type": "delay_timer", "wait": 10, "unit": "days"}, email("b"))
    created = campaigns.load(doc)
    early = go(app, campaigns, "early@example.com")
    app.clock(by="8d")
    recent = go(app, campaigns, "recent@example.com")
    app.clock(by="1d")  # early passed "a" 9 days ago, recent 1 day ago; both wait on the timer
    edited = json.loads(json.dumps(doc))
    items = edited["sequences"][0]["items"]
    items.insert(1, email("inserted after a"))
    items[2]["wait"] = 12  # the timer they wait on: due time computed again from when they reached it
    items.append(email("appended"))
    r = campaigns.control("PUT", f"/campaigns/{created['id']}", json=edited, params={"publish": "1"})
    assert r.status_code == 200, r.text
    assert [m["subject"] for m in campaigns.outbox(contact_id=recent)] == ["a", "inserted after a"]
    assert [m["subject"] for m in campaigns.outbox(contact_id=early)] == ["a"]  # more than 7 days ago: skipped
    app.clock(time="2026-03-14T00:00:00")  # early's 12 calendar days from March 2
    assert [m["subject"] for m in campaigns.outbox(contact_id=early)] == ["a", "b", "appended"]
    assert [m["subject"] for m in campaigns.outbox(contact_id=recent)] == ["a", "inserted after a"]


def test_queued_contacts_get_items_appended_to_the_end(app, campaigns):
    app.clock(time="2026-03-02T08:00:00", frozen=True)
    doc = {"name": "Queue", "goals": [GO, {"key": "later", "type": "api_call", "call_name": "later"}],
           "sequences": [{"key": "s", "items": [email("first")]}], "links": [["go", "s"], ["s", "later"]]}
    created = campaigns.load(doc)
    cid = go(app, campaigns, "queued@example.com")
    [enrollment] = campaigns.enrollments(contact_id=cid)
    assert enrollment["state"] == "queued"  # done, a goal to its right not reached yet
    doc["sequences"][0]["items"] += [{"type": "delay_timer", "wait": 1, "unit": "days"}, email("second")]
    campaigns.control("PUT", f"/campaigns/{created['id']}", json=doc, params={"publish": "1"})
    app.clock(by="2d")
    assert [m["subject"] for m in campaigns.outbox(contact_id=cid)] == ["first", "second"]


def test_the_cli_imports_publishes_lists_and_exports(tmp_path):
    runner = CliRunner()
    data = ["--data-dir", str(tmp_path)]
    assert runner.invoke(main, ["seed", *data]).exit_code == 0
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(one_sequence(email("cli"), name="From the CLI")))
    result = runner.invoke(main, ["campaigns", "import", str(path), *data])
    assert result.exit_code == 0, result.output
    campaign_id = int(result.output.split()[1])
    assert runner.invoke(main, ["campaigns", "publish", str(campaign_id), *data]).exit_code == 0
    listing = runner.invoke(main, ["campaigns", "list", *data]).output
    assert f"{campaign_id}\tpublished\tv1\tFrom the CLI" in listing
    exported = runner.invoke(main, ["campaigns", "export", str(campaign_id), "--yaml", *data]).output
    assert yaml.safe_load(exported)["name"] == "From the CLI"
    path.write_text(json.dumps({"name": "Broken", "goals": [{"key": "g", "type": "nope"}]}))
    broken = runner.invoke(main, ["campaigns", "import", str(path), *data])
    assert broken.exit_code == 1 and "goals[0].type" in broken.output and "Traceback" not in broken.output


def test_the_readme_campaign_example_runs(app):
    """README's "Campaigns, in one minute", against a live server (its URL, app and key substituted)."""
    import re

    from tests.conftest import ROOT

    text = (ROOT / "README.md").read_text()
    block = re.search(r"## Campaigns, in one minute.*?```python\n(.*?)```", text, re.S).group(1)
    block = block.replace("http://127.0.0.1:8000", app.live.url).replace("/sandbox/apps/sandbox",
                                                                          f"/sandbox/apps/{app.name}")
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(block, "README.md", "exec"), {"KEY": app.key})
    assert eval(out.getvalue()) == ["Your 14 days trial starts now", "Three days in", "Your trial ends tomorrow"]
