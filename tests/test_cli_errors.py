"""What a user gets wrong at the command line is a one-line message and exit status 1, never a traceback: a bad
setting, a store URL that is unsupported or unreachable, a bad app name or time zone (the control API's rules),
a command run outside a data directory, which must not leave an empty database behind (issue 17 §2)."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from server.cli import main


def _fails_cleanly(result, *needles: str) -> None:
    assert result.exit_code in (1, 2), (result.exit_code, result.output)
    assert isinstance(result.exception, SystemExit), repr(result.exception)  # not an uncaught exception
    assert "Traceback" not in result.output
    for needle in needles:
        assert needle in result.output, result.output


@pytest.mark.parametrize("variable, value, needle", [
    ("SANDBOX_PORT", "eighty", "SANDBOX_PORT='eighty' is not a port"),
    ("SANDBOX_PORT", "70000", "SANDBOX_PORT='70000' is not a port"),
    ("SANDBOX_TICK_SECONDS", "often", "SANDBOX_TICK_SECONDS='often' is not a number"),
    ("SANDBOX_SERIAL_CALLS", "sometimes", "SANDBOX_SERIAL_CALLS='sometimes' is not one of auto, on, off"),
])
def test_a_bad_setting_is_named(tmp_path, variable, value, needle):
    result = CliRunner().invoke(main, ["serve", "--data-dir", str(tmp_path)], env={variable: value})
    _fails_cleanly(result, needle)


@pytest.mark.parametrize("url, needle", [
    ("mysql://root@127.0.0.1/db", "unsupported DATABASE_URL"),
    ("not a url", "unsupported DATABASE_URL"),
    ("postgresql://nobody:secret@127.0.0.1:9/nothing", "cannot reach the store at postgresql://nobody:***@127.0.0.1:9"),
])
def test_a_store_that_cannot_be_opened_is_a_message(tmp_path, url, needle):
    for command in (["serve"], ["seed"], ["apps", "list"]):
        result = CliRunner().invoke(main, [*command, "--data-dir", str(tmp_path)], env={"DATABASE_URL": url})
        _fails_cleanly(result, needle)
        assert "secret" not in result.output


def test_a_command_outside_a_data_directory_says_so_and_creates_nothing(tmp_path):
    empty = tmp_path / "not-a-data-dir"
    for command in (["apps", "list"], ["reset"], ["keys", "list"], ["campaigns", "list"]):
        result = CliRunner().invoke(main, [*command, "--data-dir", str(empty)])
        _fails_cleanly(result, "no sandbox store in", "sandbox seed")
    assert not (empty / "sandbox.db").exists()


def test_app_names_and_time_zones_follow_the_control_apis_rules(tmp_path):
    data = ["--data-dir", str(tmp_path)]
    runner = CliRunner()
    _fails_cleanly(runner.invoke(main, ["apps", "create", "bad name!", "--no-seed", *data]), "an app name is")
    _fails_cleanly(runner.invoke(main, ["apps", "create", "acme", "--time-zone", "Mars/Olympus", "--no-seed", *data]),
                   "unknown time zone 'Mars/Olympus'")
    made = runner.invoke(main, ["apps", "create", "acme", "--time-zone", "Europe/Paris", "--no-seed", *data])
    assert made.exit_code == 0, made.output
    assert "Europe/Paris" in runner.invoke(main, ["apps", "list", *data]).output
