"""``sandbox broadcasts``: schedule, list, show (with the batch status report), cancel and send due broadcasts
(server.domain.mail.broadcasts; the real API has none)."""
from __future__ import annotations

import json

import click

from server import jobs
from server.clock import UTC, parse_datetime
from server.domain.mail import broadcasts
from server.sandbox import inputs

from .common import ID, app_options, environment, guarded, named_app, session_scope, settings


def _describe(row) -> dict:
    return {"id": row.id, "name": row.name, "template_id": row.template_id, "audience": row.audience,
            "status": row.status, "report": row.report}


@click.group("broadcasts")
def broadcasts_group():
    """Broadcast emails: one template to a tag, a saved search or contacts at one time on the app's clock."""


@broadcasts_group.command("create")
@click.option("--name", required=True, help="The broadcast's name")
@click.option("--template", "template_id", type=ID, required=True, help="The email template's id")
@click.option("--tag", "tag_id", type=ID, default=None, help="Send to the contacts with this tag")
@click.option("--saved-search", "saved_search_id", type=ID, default=None, help="Send to a saved contact search")
@click.option("--user", "user_id", type=ID, default=1, show_default=True, help="Whose saved search")
@click.option("--contact", "contact_ids", type=ID, multiple=True, help="Send to this contact (repeatable)")
@click.option("--at", "send_at", default=None, help="When, ISO 8601 (no zone: the app's local time) [now]")
@app_options
@guarded
def create(name, template_id, tag_id, saved_search_id, user_id, contact_ids, send_at, app_name, data_dir,
           database_url):
    """Schedule a broadcast; prints it as JSON."""
    audience = broadcasts.audience_of({"tag_id": tag_id, "saved_search_id": saved_search_id, "user_id": user_id,
                                       "contact_ids": list(contact_ids) or None})
    moment = None
    with session_scope(app_name, data_dir, database_url, write=True) as s:
        if send_at is not None:
            moment = parse_datetime(send_at)
            if moment is None:
                raise click.BadParameter("must be an ISO 8601 date-time", param_hint="--at")
            try:
                inputs.moment(moment)
            except inputs.InvalidInput as exc:
                raise click.BadParameter(str(exc), param_hint="--at") from None
            moment = (moment if moment.tzinfo else s.app.clock.to_utc(moment)).astimezone(UTC)
        broadcast_id = broadcasts.create(s, name, template_id, audience, moment)
        click.echo(json.dumps(_describe(broadcasts.get(s, broadcast_id)), indent=2))


@broadcasts_group.command("list")
@app_options
@guarded
def list_(app_name, data_dir, database_url):
    """The app's broadcasts: id, status, name."""
    with session_scope(app_name, data_dir, database_url, write=False) as s:
        for row in broadcasts.all_broadcasts(s):
            click.echo(f"{row.id}\t{row.status}\t{row.name}")


@broadcasts_group.command("show")
@click.argument("broadcast_id", type=ID)
@app_options
@guarded
def show(broadcast_id, app_name, data_dir, database_url):
    """One broadcast with its batch status report (once sent), as JSON."""
    with session_scope(app_name, data_dir, database_url, write=False) as s:
        click.echo(json.dumps(_describe(broadcasts.get(s, broadcast_id)), indent=2))


@broadcasts_group.command("cancel")
@click.argument("broadcast_id", type=ID)
@app_options
@guarded
def cancel(broadcast_id, app_name, data_dir, database_url):
    """Cancel a scheduled broadcast."""
    with session_scope(app_name, data_dir, database_url, write=True) as s:
        broadcasts.cancel(s, broadcast_id)
    click.echo(f"cancelled {broadcast_id}")


@broadcasts_group.command("run")
@app_options
@guarded
def run(app_name, data_dir, database_url):
    """Send what is due now on the app's clock (as the server's heartbeat would)."""
    env = environment(settings(data_dir=data_dir, database_url=database_url))
    record = named_app(env, app_name)
    with jobs.lock_for(env.engine, record.id):
        click.echo(f"ran {jobs.run_due(env, record)}")
