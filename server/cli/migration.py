"""``sandbox migration``: the migration report of an app (what it still calls on XML-RPC or with a legacy key,
and where each call goes on REST v2) as a table or JSON, read from the store's persistent counter
(server.migration), as ``GET /sandbox/apps/<app>/migration`` answers it but for the journal's entry ids (the
journal lives in the server's process)."""
from __future__ import annotations

import json

import click

from server.migration import mapping, report, retirement, retirement_settings
from server.store import apps, legacy_calls
from server.store.db import transaction

from .common import environment, named_app, options, settings


@click.group("migration")
def migration_group():
    """The migration kit: what an app still calls on the old APIs, and where each call goes on REST v2."""


def _target(entry: dict | None) -> str:
    """Where a mapping entry (a method's, or a method's on one table) goes, on one line."""
    if entry is None:
        return "(a legacy-key REST call: same route, new key)"
    if entry["target"] == "none":
        return "none: " + entry["no_equivalent"]
    return ", ".join(f"{o['operation_id'] or o['version']} {o['method']} {o['path']}" for o in entry["operations"])


def _by_table(tables: list[dict]) -> str:
    """A DataService method's tables, whose REST equivalents ``table_lines`` gives."""
    return "by table (below): " + ", ".join(f"{t['table'] or '(no table recorded)'}×{t['calls']}" for t in tables)


def _columns(header: tuple, rows: list[tuple]) -> list[str]:
    """``rows`` under ``header``, every column but the last padded to its widest value."""
    widths = [max(len(r[n]) for r in [header, *rows]) for n in range(len(header) - 1)]
    return ["  ".join(v.ljust(w) for v, w in zip(r[:-1], widths)) + "  " + r[-1] for r in [header, *rows]]


def table_lines(body: dict) -> list[str]:
    """The DataService tables the calls named, each method called on each and what replaces it there."""
    tables = body.get("tables") or []
    if not tables:
        return []
    rows, notes = [], []
    for t in tables:
        for n, m in enumerate(t["methods"]):
            rows.append((t["table"] if n == 0 else "", m["method"], str(m["calls"]), _target(m["mapping"])))
        note = t["methods"][0]["mapping"]["note"]
        if note:
            notes.append(f"{t['table']}: {note}")
    out = ["", f"DataService by table: {len(tables)} tables, {sum(t['calls'] for t in tables)} calls"]
    return out + _columns(("table", "method", "count", "REST equivalent on that table"), rows) + notes


def lines(body: dict) -> list[str]:
    """The report as a table for a person."""
    s = body["summary"]
    out = [f"app {body['app']}: {s['xmlrpc_calls']} XML-RPC calls to {s['xmlrpc_methods']} methods "
           f"({s['methods_with_v2']} with a REST v2 equivalent, {s['methods_with_v1_only']} on v1 only, "
           f"{s['methods_without_equivalent']} with none); {s['legacy_key_calls']} calls with a legacy key"]
    if not body["calls"]:
        return [*out, "no XML-RPC or legacy-key calls counted"]
    rows = [(i["method"] if i["protocol"] == "xmlrpc" else f"{i['protocol']} {i['method']}", str(i["calls"]),
             ", ".join(f"{c['kind']}×{c['calls']}" for c in i["credentials"]), i["last_seen"][:19],
             _by_table(i["tables"]) if i.get("tables") else _target(i["mapping"]))
            for i in body["calls"]]
    out += _columns(("call", "count", "credentials", "last seen (UTC)", "REST equivalent"), rows)
    return out + table_lines(body)


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


def schedule_lines(name: str, body: dict) -> list[str]:
    """An app's retirement schedule for a person."""
    s = body["settings"]
    out = [f"app {name}, now {body['now']}: XML-RPC {body['xmlrpc']}, legacy keys {body['legacy_keys']}"
           + (f"; next change {body['next_change']}" if body["next_change"] else ""),
           f"preset {s['xmlrpc']['preset'] or '-'}, sunset {body['sunset'] or '-'}, switched-off answer "
           f"{s['xmlrpc']['answer']}, legacy keys retired {s['legacy_keys']['retired'] or '-'}"]
    out += [f"brownout {w['start']} to {w['end']}" for w in body["brownouts"]]
    if body.get("invalid"):
        out.append(f"the stored schedule is not valid and switches nothing off ({body['invalid']}): set it again")
    return out


def _brownout(text: str) -> dict:
    start, sep, duration = text.partition("/")
    if not sep or not start or not duration:
        raise click.BadParameter(f"a brownout is START/DURATION (2026-03-10T16:00Z/PT4H), not {text!r}")
    return {"start": start, "duration": int(duration) if duration.isdigit() else duration}


@migration_group.command("schedule")
@click.argument("app_name")
@click.option("--preset", type=click.Choice(retirement.PRESETS), help="A named calendar (keap-2026: Keap's "
              "published brownouts and the sunset at the end of 2026)")
@click.option("--sunset", help="XML-RPC switched off from this moment on the app's clock (ISO 8601, UTC unless "
              "zoned); 'none' to clear")
@click.option("--brownout", "brownouts", multiple=True, help="START/DURATION, e.g. 2026-03-10T16:00Z/PT4H "
              "(duration ISO 8601 or seconds); repeatable, replaces the app's own windows")
@click.option("--answer", type=click.Choice(retirement.ANSWERS), help="What a switched-off endpoint answers")
@click.option("--legacy-keys-retired", "legacy_retired", help="Legacy keys refused from this moment (ISO 8601); "
              "'none' to clear")
@click.option("--off", is_flag=True, help="Clear the whole schedule (nothing retired)")
@click.option("--json", "as_json", is_flag=True, help="Print the schedule as JSON (the control API's shape)")
@options
def schedule_command(app_name, preset, sunset, brownouts, answer, legacy_retired, off, as_json, data_dir,
                     database_url):
    """Show or change APP_NAME's retirement schedule on its clock: XML-RPC's sunset and brownouts, and the day
    its legacy key stops working. Options change only what they name; without any, the schedule is shown."""
    env = environment(settings(data_dir=data_dir, database_url=database_url))
    record = named_app(env, app_name)
    given = any(v is not None for v in (preset, sunset, answer, legacy_retired)) or brownouts or off
    if given:
        try:
            current = {} if off else retirement_settings.stored(
                retirement_settings.parse(record.options.get("retirement")))
        except ValueError:  # a schedule stored before every moment was checked: it switches nothing off, replace it
            current = {}
        xmlrpc = dict(current.get("xmlrpc") or {})
        legacy = dict(current.get("legacy_keys") or {})
        for key, value in (("preset", preset), ("sunset", sunset), ("answer", answer)):
            if value is not None:
                xmlrpc[key] = None if value.lower() == "none" else value
        if brownouts:
            xmlrpc["brownouts"] = [_brownout(b) for b in brownouts]
        if legacy_retired is not None:
            legacy["retired"] = None if legacy_retired.lower() == "none" else legacy_retired
        try:
            wanted = retirement_settings.parse({"xmlrpc": xmlrpc, "legacy_keys": legacy})
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
        with transaction(env.engine, write=True) as conn:
            apps.update(conn, record.id, options=retirement_settings.with_settings(record.options, wanted))
            record = apps.by_id(conn, record.id)
    body = retirement.state(record)
    click.echo(json.dumps(body, indent=2) if as_json else "\n".join(schedule_lines(record.name, body)))
