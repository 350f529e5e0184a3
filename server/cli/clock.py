"""``sandbox clock``: show an app's clock, advance it (with a progress bar and the summary of what ran), set it,
freeze and unfreeze it. The rules and their messages are the control API's (server.sandbox.clocks)."""
from __future__ import annotations

from datetime import datetime

import click
from pydantic import ValidationError

from server.clock import UTC
from server.environment import Environment
from server.sandbox import clocks
from server.store.session import AppRecord

from .common import environment, named_app, options, settings


@click.group("clock")
def clock_group():
    """An app's clock: show, advance, set, freeze, unfreeze (as the control API's /sandbox/apps/<app>/clock)."""


def _app(app_name: str, data_dir, database_url) -> tuple[Environment, AppRecord]:
    env = environment(settings(data_dir=data_dir, database_url=database_url))
    return env, named_app(env, app_name)


def _show(record: AppRecord) -> str:
    clock = clocks.describe(record)
    how = "real time" if clock["real"] else "frozen" if clock["frozen"] else f"running at x{clock['rate']:g}"
    return f"app {record.name}: {clock['local']} {clock['time_zone']} ({clock['now']}), {how}"


def summary_lines(ran: dict) -> list[str]:
    """The summary of an advance (server.tally.Tally.as_json) as lines for a person."""
    items = "; ".join(f"{kind} " + ", ".join(f"{n} {outcome}" for outcome, n in outcomes.items())
                      for kind, outcomes in ran["items"].items()) or "none"
    return [f"items: {items}",
            f"emails: {ran['emails']['sent']} sent, {ran['emails']['skipped']} skipped",
            f"HTTP posts: {ran['http_posts']['made']} made, {ran['http_posts']['failed']} failed; "
            f"REST hooks: {ran['rest_hooks']['made']} made, {ran['rest_hooks']['failed']} failed",
            f"goals fired: {ran['goals_fired']}; invoices billed: {ran['invoices_billed']}; "
            f"charges declined: {ran['charges_declined']}"]


def _change(env: Environment, record: AppRecord, *, progress: bool = False, **fields) -> clocks.Moved:
    """Apply a clock change as the control API does; the rules' refusals are one-line errors (exit 1)."""
    try:
        change = clocks.ClockChange(**fields)
    except ValidationError as exc:  # a duration or rate the rules refuse (server.sandbox.inputs)
        raise click.ClickException("; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors())) from None
    try:
        state = clocks.target(record, change)
        advance_id = clocks.begin(env, record, state)
    except clocks.ClockRefused as exc:
        raise click.ClickException(exc.message) from None
    start, end = record.clock_state.timestamp(), state.timestamp()
    if not progress or end <= start:
        return clocks.run(env, record, state, advance_id)
    steps = 1000
    with click.progressbar(length=steps, label=f"advancing {record.name}", show_eta=False,
                           item_show_func=lambda at: at) as bar:
        done = [0]

        def on_step(at: float, tally) -> None:
            reached = int(steps * (at - start) / (end - start))
            if reached > done[0]:
                bar.update(reached - done[0], _local(record, at))
                done[0] = reached

        moved = clocks.run(env, record, state, advance_id, on_step)
        bar.update(steps - done[0])
    return moved


def _local(record: AppRecord, timestamp: float) -> str:
    return record.clock.to_local(datetime.fromtimestamp(timestamp, UTC)).isoformat()


@clock_group.command("show")
@click.argument("app_name", metavar="APP")
@options
def show(app_name, data_dir, database_url):
    """Print the app's time (local and UTC) and whether it is real, frozen or running faster."""
    _, record = _app(app_name, data_dir, database_url)
    click.echo(_show(record))


@clock_group.command("advance")
@click.argument("app_name", metavar="APP")
@click.argument("duration")
@options
def advance(app_name, duration, data_dir, database_url):
    """Move the clock forward by DURATION (90, 90s, 15m, 36h, 7d, 2w, 1d12h), running what falls due on the way
    in order, and print what ran."""
    env, record = _app(app_name, data_dir, database_url)
    moved = _change(env, record, progress=True, by=duration)
    click.echo(_show(moved.record))
    for line in summary_lines(moved.ran):
        click.echo("  " + line)


@clock_group.command("set")
@click.argument("app_name", metavar="APP")
@click.argument("time")
@click.option("--force", is_flag=True, default=False, help="Move the clock back if TIME is earlier than now")
@options
def set_time(app_name, time, force, data_dir, database_url):
    """Set the clock to TIME (ISO 8601; without a zone, the app's local time). Forward, what falls due on the
    way runs; back, only with --force."""
    env, record = _app(app_name, data_dir, database_url)
    moved = _change(env, record, progress=True, time=time, force=force)
    click.echo(_show(moved.record))
    for line in summary_lines(moved.ran):
        click.echo("  " + line)


@clock_group.command("freeze")
@click.argument("app_name", metavar="APP")
@options
def freeze(app_name, data_dir, database_url):
    """Stop the app's clock where it is."""
    env, record = _app(app_name, data_dir, database_url)
    click.echo(_show(_change(env, record, action="freeze").record))


@clock_group.command("unfreeze")
@click.argument("app_name", metavar="APP")
@options
def unfreeze(app_name, data_dir, database_url):
    """Let the app's clock run again from where it stands."""
    env, record = _app(app_name, data_dir, database_url)
    click.echo(_show(_change(env, record, action="unfreeze").record))
