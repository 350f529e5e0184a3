"""App export and import end to end: GET /sandbox/apps/<app>/export, POST /sandbox/apps/import, and the
`sandbox apps export` / `sandbox apps import` commands; from one store to another (SQLite and PostgreSQL when
SANDBOX_TEST_DATABASE_URL is set), ids preserved; a damaged or foreign file refused with nothing created."""
from __future__ import annotations

import base64
import gzip
import json

import pytest
from click.testing import CliRunner

from server.cli import main
from tests.conftest import PG_URL, _fresh_pg_database, make_app, start_server
from tests.conftest import TestApp as Client
from tests.engine.conftest import Campaigns
from tests.rest.conftest import rest_for

GO = {"key": "go", "type": "api_call", "call_name": "go"}
PDF = b"%PDF-1.4 exported bytes"


def busy_app(live) -> tuple[Client, dict]:
    """A seeded app with a little of everything: contacts, a tag, a campaign with an enrollment waiting at a
    timer, a file, tasks, a frozen clock."""
    app = make_app(live)
    app.clock(time="2026-03-02T08:00:00", frozen=True)
    campaigns = Campaigns(app)
    campaigns.load({"name": "Drip", "goals": [GO], "links": [["go", "s"]], "sequences": [
        {"key": "s", "items": [{"type": "email", "name": "a", "subject": "first", "text": "x"},
                               {"type": "delay_timer", "wait": 1, "unit": "days"},
                               {"type": "email", "name": "b", "subject": "later", "text": "x"}]}]})
    enrolled = campaigns.contact("drip@example.com", FirstName="Drip")
    app.call("FunnelService.achieveGoal", app.name, "go", enrolled)
    tag = app.call("DataService.add", "ContactGroup", {"GroupName": "Exported"})
    app.call("ContactService.addToGroup", enrolled, tag)
    file_id = app.call("FileService.uploadFile", enrolled, "intake.pdf", base64.b64encode(PDF).decode())
    rest = rest_for(app)
    rest.ok("POST", "/tasks", json={"title": "exported task", "due_date": "2030-01-01T10:00:00Z"})
    return app, {"enrolled": enrolled, "tag": tag, "file_id": file_id}


def seen(app: Client) -> dict:
    campaigns = Campaigns(app)
    rest = rest_for(app)
    token = rest.ok("GET", "/tasks")["sync_token"]
    clock = app.live.control("GET", f"/apps/{app.name}/clock").json()
    return {
        "contacts": app.call("DataService.query", "Contact", 1000, 0, {"Id": "%"},
                             ["Id", "FirstName", "Email", "DateCreated"], "Id", True),
        "tags": app.call("DataService.query", "ContactGroupAssign", 1000, 0, {"GroupId": "%"},
                         ["ContactId", "GroupId", "DateCreated"], "ContactId", True),
        "enrollments": [{k: v for k, v in e.items() if k != "app_id"} for e in campaigns.enrollments()],
        "outbox": [(m["contact_id"], m["subject"]) for m in campaigns.outbox()],
        "clock": {k: clock[k] for k in ("now", "frozen", "rate", "time_zone")},
        "change_log_position": base64.b64decode(token + "==").split(b".", 1)[1],  # the token: "<app id>.<seq>"
    }


def export(app: Client) -> bytes:
    r = app.live.control("GET", f"/apps/{app.name}/export")
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "application/gzip"
    return r.content


def import_(live, data: bytes, name: str | None = None):
    return live.control("POST", "/apps/import", params={"name": name} if name else None, data=data,
                        headers={"Content-Type": "application/gzip"})


def test_export_then_import_gives_the_same_app_under_a_new_name(live):
    app, made = busy_app(live)
    data = export(app)
    lines = [json.loads(line) for line in gzip.decompress(data).splitlines()]
    assert lines[0]["format"] == "sandbox-app" and lines[0]["app"]["name"] == app.name
    assert "end" in lines[-1] and any(line.get("table") == "contact" for line in lines)

    r = import_(live, data, app.name + "-copy")
    assert r.status_code == 201, r.text
    copy = Client(r.json()["name"], r.json()["legacy_api_key"], live)
    assert copy.key != app.key
    assert seen(copy) == seen(app)
    assert base64.b64decode(copy.call("FileService.getFile", made["file_id"])) == PDF
    # both go on alike: the next ids are the same, and the waiting timer fires in the copy too
    assert copy.call("ContactService.add", {"FirstName": "N"}) == app.call("ContactService.add", {"FirstName": "N"})
    copy.clock(action="advance", by="2d")
    assert (made["enrolled"], "later") in [(m["contact_id"], m["subject"]) for m in Campaigns(copy).outbox()]

    again = import_(live, data, app.name + "-copy")
    assert again.status_code == 409 and "exists" in again.json()["error"]


@pytest.fixture
def other_live(live, tmp_path):
    """A second server on the other backend (PostgreSQL when the suite has it), or another SQLite store."""
    url, drop = (None, None)
    if live.backend == "sqlite" and PG_URL:
        url, drop = _fresh_pg_database(PG_URL)
    server, stop = start_server(tmp_path, url)
    yield server
    stop()
    if drop:
        drop()


def test_an_export_loads_into_another_store(live, other_live):
    app, made = busy_app(live)
    r = import_(other_live, export(app))  # under the exported app's own name
    assert r.status_code == 201, r.text
    assert r.json()["name"] == app.name
    copy = Client(app.name, r.json()["legacy_api_key"], other_live)
    if PG_URL:
        assert {live.backend, other_live.backend} == {"sqlite", "postgresql"}
    assert seen(copy) == seen(app)
    assert base64.b64decode(copy.call("FileService.getFile", made["file_id"])) == PDF


def _gz(*lines) -> bytes:
    return gzip.compress(b"".join(json.dumps(line).encode() + b"\n" for line in lines))


def _edited(data: bytes, edit) -> bytes:
    lines = [json.loads(line) for line in gzip.decompress(data).splitlines()]
    edit(lines)
    return _gz(*lines)


def test_a_damaged_or_foreign_file_is_refused_and_nothing_is_created(live):
    app = make_app(live)
    app.call("FileService.uploadFile", "notes.txt", base64.b64encode(b"hello").decode())
    data = export(app)
    names = lambda: [a["name"] for a in live.control("GET", "/apps").json()["apps"]]  # noqa: E731
    before = names()

    def first_contact(lines):
        return next(line for line in lines if line.get("table") == "contact")

    def wrong_type(lines):
        first_contact(lines)["row"]["first_name"] = 12

    def repeated_row(lines):
        row = first_contact(lines)
        lines.insert(lines.index(row), row)
        lines[-1]["end"]["rows"] += 1

    def other_schema(lines):
        lines[0]["schema"] = "0001"

    def unknown_table(lines):
        lines.insert(1, {"table": "secrets", "row": {}})

    def bad_blob(lines):
        blob = next(line for line in lines if "blob" in line)
        blob["data"] = base64.b64encode(b"other bytes").decode()

    cases = {
        "not gzip": (b"PK\x03\x04 a zip file", "not a gzip file"),
        "cut short": (data[: len(data) // 2], "cut short"),
        "foreign": (_gz({"hello": "world"}), "not an app export"),
        "no end": (_edited(data, lambda lines: lines.pop()), "cut short"),
        "wrong type": (_edited(data, wrong_type), "contact.first_name"),
        "repeated row": (_edited(data, repeated_row), "the rows of contact do not fit"),
        "other schema": (_edited(data, other_schema), "schema revision '0001'"),
        "unknown table": (_edited(data, unknown_table), "unknown table 'secrets'"),
        "bad blob": (_edited(data, bad_blob), "do not match"),
        "not json": (gzip.compress(b"{\n"), "line 1 is not JSON"),
    }
    for case, (body, message) in cases.items():
        r = import_(live, body, f"refused-{app.name}")
        assert r.status_code == 400, (case, r.text)
        assert message in r.json()["error"], (case, r.json())
    assert import_(live, b"").status_code == 400
    assert import_(live, data, "bad name!").status_code == 400
    assert import_(live, data, "x" * 64).status_code == 400
    assert live.control("POST", "/apps/import", params={"nme": "x"}, data=data).status_code == 400
    assert names() == before
    assert live.control("GET", f"/apps/refused-{app.name}").status_code == 404


def _header(change):
    def edit(lines):
        change(lines[0]["app"])
    return edit


@pytest.mark.parametrize("change, field", [
    (lambda a: a.update(time_zone="Mars/Base"), "app.time_zone"),
    (lambda a: a.update(time_zone=7), "app.time_zone"),
    (lambda a: a["clock"].update(real=False, time=1e20, rate=1.0, frozen=True), "app.clock.time"),
    (lambda a: a["clock"].update(real=False, time=1.8e9, rate=-5, frozen=False), "app.clock.rate"),
    (lambda a: a["clock"].update(real=False, time=1.8e9, rate=1.0, frozen="yes"), "app.clock.frozen"),
    (lambda a: a["options"].update(engine_mode="warp"), "app.options.engine_mode"),
    (lambda a: a["options"].update(access_token_lifetime="soon"), "app.options.access_token_lifetime"),
    (lambda a: a["options"].update(retirement={"xmlrpc": {"sunset": "9999-12-31T00:00:00Z"}}),
     "app.options.retirement"),
    (lambda a: a["options"].update(throttle={"legacy": {"bucket_size": 0}}), "app.options.throttle"),
    (lambda a: a["options"].update(email={"deliverability": {"soft_bounce_limit": -1}}), "app.options.email"),
])
def test_the_headers_settings_are_held_to_the_routes_rules(live, change, field):
    """A crafted header (an unknown time zone, a clock out of range or running backwards, options no route would
    take) was stored, and an unknown zone then broke GET /sandbox/apps (audit-control finding 2): now a 400
    naming the value, and nothing is created, through the control API and the command line alike."""
    app = make_app(live, seed=False)
    body = _edited(export(app), _header(change))
    r = import_(live, body, f"crafted-{app.name}")
    assert r.status_code == 400, r.text
    assert r.json()["error"].startswith(f"line 1: {field}"), r.json()
    assert live.control("GET", f"/apps/crafted-{app.name}").status_code == 404
    assert live.control("GET", "/apps").status_code == 200


def test_the_new_apps_name_follows_the_app_name_rule(live, tmp_path):
    """`sandbox apps import --name -x` made an app the control API would refuse (audit-control finding 11); so
    did a header naming one. Both imports now hold the name to the rule of POST /sandbox/apps."""
    app = make_app(live, seed=False)
    data = export(app)
    path = tmp_path / "app.gz"
    path.write_bytes(data)
    url = live.sandbox.engine.url.render_as_string(hide_password=False)
    store = ["--data-dir", str(live.data_dir), "--database-url", url]
    for name in ("-x", "x-", "a_b", "x" * 64):
        done = CliRunner().invoke(main, ["apps", "import", str(path), "--name", name, *store])
        assert done.exit_code == 2 and "an app name is" in done.output, (name, done.output)
        assert import_(live, data, name).status_code == 400
    crafted = _edited(data, _header(lambda a: a.update(name="-x")))
    r = import_(live, crafted)
    assert r.status_code == 400 and "not an app name" in r.json()["error"], r.text
    path.write_bytes(crafted)
    done = CliRunner().invoke(main, ["apps", "import", str(path), *store])
    assert done.exit_code == 1 and "not an app name" in done.output, done.output
    assert "-x" not in [a["name"] for a in live.control("GET", "/apps").json()["apps"]]
    taken = import_(live, data, app.name.upper())  # unique ignoring case, as POST /sandbox/apps holds it
    assert taken.status_code == 409 and app.name in taken.json()["error"], taken.text


def test_the_command_line_refuses_a_crafted_header(live, tmp_path):
    app = make_app(live, seed=False)
    path = tmp_path / "crafted.gz"
    path.write_bytes(_edited(export(app), _header(lambda a: a.update(time_zone="Mars/Base"))))
    url = live.sandbox.engine.url.render_as_string(hide_password=False)
    done = CliRunner().invoke(main, ["apps", "import", str(path), "--name", f"cli-{app.name}", "--data-dir",
                                     str(live.data_dir), "--database-url", url])
    assert done.exit_code == 1 and "app.time_zone" in done.output, done.output
    assert live.control("GET", f"/apps/cli-{app.name}").status_code == 404


def test_the_command_line_exports_and_imports(tmp_path, store_url):
    runner = CliRunner()
    source = ["--data-dir", str(tmp_path / "a")]
    target = ["--data-dir", str(tmp_path / "b")] + (["--database-url", store_url] if store_url else [])
    assert runner.invoke(main, ["seed", *source]).exit_code == 0
    out = tmp_path / "sandbox.jsonl.gz"
    done = runner.invoke(main, ["apps", "export", "sandbox", str(out), *source])
    assert done.exit_code == 0, done.output
    assert "exported app sandbox" in done.output and out.stat().st_size > 0

    loaded = runner.invoke(main, ["apps", "import", str(out), "--name", "copy", "--progress", *target])
    assert loaded.exit_code == 0, loaded.output
    assert loaded.stdout.startswith("imported app copy; legacy API key ")
    assert "sandbox.jsonl.gz: " in loaded.stderr and " rows loaded" in loaded.stderr  # its progress
    listing = runner.invoke(main, ["apps", "list", *target]).output
    assert "copy\t" in listing

    broken = tmp_path / "broken.gz"
    broken.write_bytes(out.read_bytes()[:100])
    refused = runner.invoke(main, ["apps", "import", str(broken), "--name", "other", *target])
    assert refused.exit_code == 1 and refused.output.count("\n") == 1 and "cut short" in refused.output
    again = runner.invoke(main, ["apps", "import", str(out), "--name", "copy", *target])
    assert again.exit_code == 1 and "exists" in again.output
    assert "other\t" not in runner.invoke(main, ["apps", "list", *target]).output
