"""`sandbox clock`: show, advance (progress and the summary of what ran), set (forward; back only with --force),
freeze, unfreeze, on the store of a live server, which sees the result; wrong input is a one-line error."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from server.cli import main
from tests.engine.conftest import Campaigns
from tests.engine.test_sequences import GO


@pytest.fixture
def sandbox(live):
    """Run ``sandbox`` on the live server's store: (exit code, output)."""
    url = live.sandbox.engine.url.render_as_string(hide_password=False)

    def run(*args):
        done = CliRunner().invoke(main, [*args, "--data-dir", str(live.data_dir), "--database-url", url])
        return done.exit_code, done.output

    return run


def test_advance_shows_what_ran_and_the_server_sees_it(app, sandbox):
    campaigns = Campaigns(app)
    app.clock(time="2026-03-02T08:00:00", frozen=True)
    campaigns.load({"name": "CLI", "goals": [GO], "links": [["go", "s"]], "sequences": [{"key": "s", "items": [
        {"type": "delay_timer", "wait": 1, "unit": "days"},
        {"type": "email", "name": "later", "subject": "later", "text": "x"}]}]})
    cid = campaigns.contact("cli@example.com")
    app.call("FunnelService.achieveGoal", app.name, "go", cid)
    code, out = sandbox("clock", "advance", app.name, "2d")
    assert code == 0, out
    assert out.startswith(f"advancing {app.name}\n")  # its progress bar (drawn on a terminal, labelled in a file)
    assert f"app {app.name}: 2026-03-04T08:00:00 America/New_York" in out and "frozen" in out
    assert "items: email 1 done" in out and "emails: 1 sent, 0 skipped" in out
    assert [m["subject"] for m in campaigns.outbox(contact_id=cid)] == ["later"]
    code, out = sandbox("clock", "show", app.name)
    assert code == 0 and "2026-03-04T08:00:00" in out and "frozen" in out


def test_set_freeze_unfreeze_and_the_rules(app, sandbox):
    assert sandbox("clock", "set", app.name, "2026-03-02T08:00:00")[0] == 0
    assert sandbox("clock", "freeze", app.name)[0] == 0
    code, out = sandbox("clock", "set", app.name, "2026-03-01T08:00:00")
    assert code == 1 and "move it back" in out and "force" in out and "Traceback" not in out
    code, out = sandbox("clock", "set", app.name, "2026-03-01T08:00:00", "--force")
    assert code == 0 and "2026-03-01T08:00:00" in out
    assert app.live.control("GET", f"/apps/{app.name}/clock").json()["local"] == "2026-03-01T08:00:00"
    code, out = sandbox("clock", "unfreeze", app.name)
    assert code == 0 and "running at x1" in out
    assert app.live.control("GET", f"/apps/{app.name}/clock").json()["frozen"] is False


@pytest.mark.parametrize("args, says", [
    (("advance", "{app}", "7 days"), "use seconds (90), or numbers with a unit s, m, h, d or w"),
    (("advance", "nope", "7d"), "no app named 'nope'"),
    (("set", "{app}", "tomorrow"), "not an ISO 8601 date-time"),
    (("set", "{app}", "2026-03-02T08:00:00+99:00"), "not an ISO 8601 date-time"),  # a traceback (audit finding 3)
])
def test_wrong_input_is_a_one_line_error(app, sandbox, args, says):
    code, out = sandbox("clock", *(a.format(app=app.name) for a in args))
    assert code == 1 and says in out and len(out.strip().splitlines()) == 1, out
