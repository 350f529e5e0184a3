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
    # read by the worker after the banner, a traceback each (audit-control finding 10)
    ("SANDBOX_SENDERS", "bogus", "SANDBOX_SENDERS='bogus' is not one of live, record"),
    ("SANDBOX_REDIS_URL", "garbage", "SANDBOX_REDIS_URL='garbage' is not a Redis URL"),
    ("SANDBOX_REDIS_URL", "http://127.0.0.1:6379", "SANDBOX_REDIS_URL='http://127.0.0.1:6379' is not a Redis URL"),
    ("SANDBOX_JOURNAL_SIZE", "-5", "SANDBOX_JOURNAL_SIZE='-5' is not a whole number, 0 or more"),
])
def test_a_bad_setting_is_named(tmp_path, variable, value, needle):
    result = CliRunner().invoke(main, ["serve", "--data-dir", str(tmp_path)], env={variable: value})
    _fails_cleanly(result, needle)


def test_a_bad_port_flag_is_named(tmp_path):
    for flag in ("--port", "--tls-port"):
        result = CliRunner().invoke(main, ["serve", flag, "99999", "--data-dir", str(tmp_path)])
        _fails_cleanly(result, flag, "0<=x<=65535")


def test_ids_past_32_bits_and_unwritable_files_are_messages(tmp_path):
    """Each was a traceback: an id past the stores' integers (OverflowError), an export to a folder that does not
    exist (FileNotFoundError) (audit-control finding 10)."""
    data = ["--data-dir", str(tmp_path)]
    runner = CliRunner()
    assert runner.invoke(main, ["seed", *data]).exit_code == 0
    huge = "99999999999999999999"
    for command in (["keys", "revoke", huge], ["campaigns", "publish", huge], ["campaigns", "unpublish", huge],
                    ["campaigns", "export", huge], ["broadcasts", "show", huge], ["broadcasts", "cancel", huge],
                    ["keys", "revoke", "0"]):
        _fails_cleanly(runner.invoke(main, [*command, *data]), "is not in the range")
    _fails_cleanly(runner.invoke(main, ["apps", "export", "sandbox", str(tmp_path / "no" / "such" / "x.gz"), *data]),
                   "cannot write", "No such file or directory")


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
    _fails_cleanly(runner.invoke(main, ["apps", "create", "ACME", "--no-seed", *data]), "an app named 'acme' exists")
    assert "Europe/Paris" in runner.invoke(main, ["apps", "list", *data]).output
