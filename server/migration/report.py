"""The migration report (issue 19 §2): what an app still calls on the old APIs and where each call goes on
REST v2. Built from the counter's rows (server.store.legacy_calls: every XML-RPC method and legacy-key REST
call, per credential and DataService table, first and last seen) joined with the mapping
(server.migration.mapping), and, where the journal's ring still holds one, the id of the newest journal entry of
each method, to open it.

A DataService method that names a table (query, load, add …) goes somewhere else for each table, so its row breaks
its calls down by table (``tables``: each with the operations that replace the method on that table), and the
report's ``tables`` turns that around: each table used, the methods called on it and how often, so that a team
sees which tables it still depends on."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from .counter import rest_shape
from .mapping import Mapping

LEGACY_KEY_NOTE = ("a legacy API key: Keap has revoked them; use a Service Account Key or a Personal Access Token "
                   "(X-Keap-API-Key) or OAuth")


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat()


def newest_entries(entries: Iterable[dict]) -> dict[tuple[str, str], int]:
    """(protocol, method) -> the id of its newest journal entry, from entries newest first."""
    out: dict[tuple[str, str], int] = {}
    for e in entries:
        method = e["method"] or ""
        if e["protocol"] != "xmlrpc":
            method = rest_shape(method)
        out.setdefault((e["protocol"], method), e["id"])
    return out


def _widen(found: dict, r) -> None:
    """Add row ``r``'s calls to ``found``, widening its first and last seen."""
    found["calls"] += r.calls
    found["first"] = min(found["first"], r.first_seen)
    found["last"] = max(found["last"], r.last_seen)


def _seen(found: dict) -> dict:
    return {"calls": found["calls"], "first_seen": _iso(found["first"]), "last_seen": _iso(found["last"])}


def _most_called(found: dict) -> list:
    return sorted(found.items(), key=lambda kv: (-kv[1]["calls"], kv[0]))


def build(app_name: str, rows: Iterable, mapping: Mapping, journal: dict[tuple[str, str], int] | None = None
          ) -> dict:
    """The report of ``rows`` (legacy_call rows of one app): one item per (protocol, method), most called
    first, with its credentials, its mapping entry and, for a DataService method naming a table, its calls per
    table; then the tables used, most called first, with the methods called on each."""
    grouped: dict[tuple[str, str], dict] = {}
    for r in rows:
        item = grouped.get((r.protocol, r.method))
        if item is None:
            item = grouped[(r.protocol, r.method)] = {
                "protocol": r.protocol, "method": r.method, "calls": 0, "first": r.first_seen,
                "last": r.last_seen, "credentials": {}, "tables": {}}
        _widen(item, r)
        credential = (r.credential_kind, r.credential_id)
        _widen(item["credentials"].setdefault(credential, {"calls": 0, "first": r.first_seen, "last": r.last_seen}),
               r)
        _widen(item["tables"].setdefault(r.table_name, {"calls": 0, "first": r.first_seen, "last": r.last_seen}), r)
    items = sorted(grouped.values(), key=lambda i: (-i["calls"], i["protocol"], i["method"]))
    out = []
    targets = {"v2": 0, "v1": 0, "none": 0}
    for i in items:
        entry = mapping.describe(i["method"]) if i["protocol"] == "xmlrpc" else None
        if entry is not None:
            targets[entry["target"]] += 1
        credentials = [{"kind": kind or None, "id": identity or None, **_seen(c)}
                       for (kind, identity), c in _most_called(i["credentials"])]
        by_table = entry is not None and mapping.get(i["method"]).by_table is not None
        out.append({
            "protocol": i["protocol"], "method": i["method"], "calls": i["calls"],
            "first_seen": _iso(i["first"]), "last_seen": _iso(i["last"]),
            "credentials": credentials,
            "legacy_key": any(c["kind"] == "legacy_key" for c in credentials),
            "mapping": entry,
            "note": LEGACY_KEY_NOTE if i["protocol"] != "xmlrpc" else None,
            "journal_entry": (journal or {}).get((i["protocol"], i["method"])),
            "tables": _row_tables(i, mapping) if by_table else [],
        })
    xmlrpc = [i for i in out if i["protocol"] == "xmlrpc"]
    tables = _tables(items, mapping)
    return {
        "app": app_name,
        "summary": {
            "xmlrpc_methods": len(xmlrpc),
            "xmlrpc_calls": sum(i["calls"] for i in xmlrpc),
            "legacy_key_calls": sum(c["calls"] for i in out for c in i["credentials"] if c["kind"] == "legacy_key"),
            "methods_with_v2": targets["v2"], "methods_with_v1_only": targets["v1"],
            "methods_without_equivalent": targets["none"],
            "data_tables": len(tables),
            "data_table_calls": sum(t["calls"] for t in tables),
            "data_tables_without_equivalent": sum(
                all(m["mapping"]["target"] == "none" for m in t["methods"]) for t in tables),
        },
        "calls": out,
        "tables": tables,
    }


def _row_tables(item: dict, mapping: Mapping) -> list[dict]:
    """A DataService method's calls per table, most called first, each with what replaces the method there; last,
    as table null, its calls with no table recorded (counted before tables were, or naming one DataService does not
    serve)."""
    ordered = sorted(_most_called(item["tables"]), key=lambda kv: not kv[0])
    return [{"table": name or None, **_seen(t),
             "mapping": mapping.describe_table(item["method"], name) if name else None} for name, t in ordered]


def _tables(items: list[dict], mapping: Mapping) -> list[dict]:
    """The DataService tables the calls of ``items`` named, most called first, each with the methods called on it
    (most called first) and what replaces each there."""
    found: dict[str, dict] = {}
    for item in items:
        if item["protocol"] != "xmlrpc":
            continue
        for name, t in item["tables"].items():
            described = mapping.describe_table(item["method"], name) if name else None
            if described is None:
                continue
            table = found.setdefault(name, {"calls": 0, "first": t["first"], "last": t["last"], "methods": []})
            table["calls"] += t["calls"]
            table["first"] = min(table["first"], t["first"])
            table["last"] = max(table["last"], t["last"])
            table["methods"].append({"method": item["method"], **_seen(t), "mapping": described})
    return [{"table": name, **_seen(t), "methods": sorted(t["methods"], key=lambda m: (-m["calls"], m["method"]))}
            for name, t in _most_called(found)]
