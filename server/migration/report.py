"""The migration report (issue 19 §2): what an app still calls on the old APIs and where each call goes on
REST v2. Built from the counter's rows (server.store.legacy_calls: every XML-RPC method and legacy-key REST
call, per credential, first and last seen) joined with the mapping (server.migration.mapping), and, where the
journal's ring still holds one, the id of the newest journal entry of each method, to open it."""
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


def build(app_name: str, rows: Iterable, mapping: Mapping, journal: dict[tuple[str, str], int] | None = None
          ) -> dict:
    """The report of ``rows`` (legacy_call rows of one app): one item per (protocol, method), most called
    first, with its credentials and its mapping entry."""
    grouped: dict[tuple[str, str], dict] = {}
    for r in rows:
        item = grouped.get((r.protocol, r.method))
        if item is None:
            item = grouped[(r.protocol, r.method)] = {
                "protocol": r.protocol, "method": r.method, "calls": 0, "first": r.first_seen,
                "last": r.last_seen, "credentials": []}
        item["calls"] += r.calls
        item["first"] = min(item["first"], r.first_seen)
        item["last"] = max(item["last"], r.last_seen)
        item["credentials"].append({"kind": r.credential_kind or None, "id": r.credential_id or None,
                                    "calls": r.calls, "first_seen": _iso(r.first_seen),
                                    "last_seen": _iso(r.last_seen)})
    items = sorted(grouped.values(), key=lambda i: (-i["calls"], i["protocol"], i["method"]))
    out = []
    targets = {"v2": 0, "v1": 0, "none": 0}
    for i in items:
        entry = mapping.describe(i["method"]) if i["protocol"] == "xmlrpc" else None
        if entry is not None:
            targets[entry["target"]] += 1
        out.append({
            "protocol": i["protocol"], "method": i["method"], "calls": i["calls"],
            "first_seen": _iso(i["first"]), "last_seen": _iso(i["last"]),
            "credentials": sorted(i["credentials"], key=lambda c: -c["calls"]),
            "legacy_key": any(c["kind"] == "legacy_key" for c in i["credentials"]),
            "mapping": entry,
            "note": LEGACY_KEY_NOTE if i["protocol"] != "xmlrpc" else None,
            "journal_entry": (journal or {}).get((i["protocol"], i["method"])),
        })
    xmlrpc = [i for i in out if i["protocol"] == "xmlrpc"]
    return {
        "app": app_name,
        "summary": {
            "xmlrpc_methods": len(xmlrpc),
            "xmlrpc_calls": sum(i["calls"] for i in xmlrpc),
            "legacy_key_calls": sum(c["calls"] for i in out for c in i["credentials"] if c["kind"] == "legacy_key"),
            "methods_with_v2": targets["v2"], "methods_with_v1_only": targets["v1"],
            "methods_without_equivalent": targets["none"],
        },
        "calls": out,
    }
