"""``sandbox migration``: the migration report of an app (what it still calls on XML-RPC or with a legacy key,
and where each call goes on REST v2) as a table or JSON, read from the store's persistent counter
(server.migration), as ``GET /sandbox/apps/<app>/migration`` answers it but for the journal's entry ids (the
journal lives in the server's process)."""
from __future__ import annotations

import json

import click

from server.migration import mapping, report
from server.store import legacy_calls
from server.store.db import transaction

from .common import environment, named_app, options, settings


@click.group("migration")
def migration_group():
    """The migration kit: what an app still calls on the old APIs, and where each call goes on REST v2."""


def _target(item: dict) -> str:
    entry = item["mapping"]
    if entry is None:
        return "(a legacy-key REST call: same route, new key)"
    if entry["target"] == "none":
        return "none: " + entry["no_equivalent"]
    return ", ".join(f"{o['operation_id'] or o['version']} {o['method']} {o['path']}" for o in entry["operations"])


def lines(body: dict) -> list[str]:
    """The report as a table for a person."""
    s = body["summary"]
    out = [f"app {body['app']}: {s['xmlrpc_calls']} XML-RPC calls to {s['xmlrpc_methods']} methods "
           f"({s['methods_with_v2']} with a REST v2 equivalent, {s['methods_with_v1_only']} on v1 only, "
           f"{s['methods_without_equivalent']} with none); {s['legacy_key_calls']} calls with a legacy key"]
    if not body["calls"]:
        return [*out, "no XML-RPC or legacy-key calls counted"]
    rows = [(i["method"] if i["protocol"] == "xmlrpc" else f"{i['protocol']} {i['method']}", str(i["calls"]),
             ", ".join(f"{c['kind']}×{c['calls']}" for c in i["credentials"]), i["last_seen"][:19], _target(i))
            for i in body["calls"]]
    header = ("call", "count", "credentials", "last seen (UTC)", "REST equivalent")
    widths = [max(len(r[n]) for r in [header, *rows]) for n in range(4)]
    for r in [header, *rows]:
        out.append("  ".join(v.ljust(w) for v, w in zip(r[:4], widths)) + "  " + r[4])
    return out


@migration_group.command("report")
@click.argument("app_name")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON (the control API's shape)")
@options
def report_command(app_name, as_json, data_dir, database_url):
    """Every XML-RPC method and legacy-key call APP_NAME received, how often, from which credentials, first and
    last seen, with its REST v2 equivalent."""
    env = environment(settings(data_dir=data_dir, database_url=database_url))
    record = named_app(env, app_name)
    with transaction(env.engine, write=False) as conn:
        rows = legacy_calls.of_app(conn, record.id)
    body = report.build(record.name, rows, mapping.load())
    click.echo(json.dumps(body, indent=2) if as_json else "\n".join(lines(body)))
