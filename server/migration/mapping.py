"""The XML-RPC → REST v2 mapping as data: ``mapping.yaml`` beside this module holds one entry per served
XML-RPC method, reviewed against ../shared/spec/ (xmlrpc-api.md §2, rest-v2.md, keap-rest-v2.swagger.yml).

An entry names the v2 operation ids; their methods and paths are read from the contract
(server/rest_v2/spec/), never written twice. Where v2 has none it names the REST v1 route, or says why there is
none. ``tests/migration/test_mapping.py`` checks the data against the method table and the contract.

A DataService method that names a table (``by_table``: the kind of call it is, one of ``KINDS``) goes where its
table goes: the ``tables`` part holds one entry per DataService table (server.tables) naming, for each kind, the
operations that replace it on that table, or why there are none (``TableEntry``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from server.rest_v2.contract import Contract
from server.tables import REGISTRY

DATA = Path(__file__).resolve().parent / "mapping.yaml"
V1_ROOT = "/crm/rest/v1"
V2_ROOT = "/crm/rest/v2"

# The kinds of DataService call on a table (a method's ``by_table``), each with the access letter of the table
# (server.tables) that lets XML-RPC make it, and the verb a person reads.
KINDS = {"list": ("R", "read"), "get": ("R", "read"), "create": ("A", "add"), "update": ("E", "update"),
         "delete": ("D", "delete")}


@dataclass(frozen=True)
class Operation:
    """One REST operation a method maps to: ``version`` "v2" (with its ``operation_id``) or "v1"."""

    version: str
    method: str
    path: str  # under the version's root
    operation_id: str | None = None

    def as_json(self) -> dict:
        root = V2_ROOT if self.version == "v2" else V1_ROOT
        return {"version": self.version, "operation_id": self.operation_id, "method": self.method,
                "path": root + self.path}


def _target(operations: tuple[Operation, ...]) -> str:
    """"v2", "v1" or "none": where a call goes (its first operation's version)."""
    return operations[0].version if operations else "none"


@dataclass(frozen=True)
class Entry:
    method: str  # the XML-RPC method, Service.name
    operations: tuple[Operation, ...]
    params: str | None
    bites: tuple[str, ...]  # keys of Mapping.differences
    note: str | None
    none: str | None  # why there is no REST counterpart
    by_table: str | None = None  # a DataService method naming a table: its kind (KINDS) on the table

    @property
    def target(self) -> str:
        """"v2", "v1" or "none": where the method goes."""
        return _target(self.operations)

    def as_json(self, differences: dict[str, str]) -> dict:
        return {"method": self.method, "target": self.target,
                "operations": [o.as_json() for o in self.operations], "params": self.params,
                "differences": [{"key": b, "text": differences[b]} for b in self.bites],
                "note": self.note, "no_equivalent": self.none}


@dataclass(frozen=True)
class TableEntry:
    """Where the DataService calls on one table go: per kind (KINDS) its operations, or why there are none."""

    table: str
    operations: dict[str, tuple[Operation, ...]]
    reasons: dict[str, str]  # kind -> why no operation replaces it
    none: str | None  # why no REST operation reaches the table at all
    note: str | None

    def refused(self, kind: str) -> bool:
        """Whether XML-RPC's DataService refuses a call of ``kind`` on the table too (its access lacks the letter)."""
        described = REGISTRY.get(self.table)
        return described is not None and not described.can(KINDS[kind][0])

    def as_json(self, kind: str) -> dict:
        """What replaces a call of ``kind`` on the table: its operations (v2 first), or why there is none."""
        ops = self.operations.get(kind, ())
        reason = None
        if not ops:
            verb = KINDS[kind][1]
            if self.none or kind in self.reasons:
                reason = self.none or self.reasons[kind]
            elif self.refused(kind):
                reason = f"DataService cannot {verb} {self.table} rows either ([NoTableAccess])"
            else:
                reason = f"no REST operation {verb}s {self.table} rows"
        return {"table": self.table, "kind": kind, "target": _target(ops), "operations": [o.as_json() for o in ops],
                "no_equivalent": reason, "note": self.note}


@dataclass(frozen=True)
class Mapping:
    entries: dict[str, Entry]
    differences: dict[str, str]
    tables: dict[str, TableEntry] = field(default_factory=dict)

    def get(self, method: str) -> Entry | None:
        return self.entries.get(method)

    def describe(self, method: str) -> dict | None:
        found = self.entries.get(method)
        return found.as_json(self.differences) if found else None

    def describe_table(self, method: str, table: str) -> dict | None:
        """Where ``method`` goes when it names ``table``; None for a method that names no table, or a table that
        is not DataService's."""
        found = self.entries.get(method)
        entry = self.tables.get(table)
        if found is None or found.by_table is None or entry is None:
            return None
        return entry.as_json(found.by_table)


def _v1(route: str) -> Operation:
    method, _, path = route.partition(" ")
    return Operation("v1", method.upper(), path)


def _v2(name: str, op_id: str, contract: Contract) -> Operation:
    spec = contract.operations.get(op_id)
    if spec is None:
        raise ValueError(f"{name}: no REST v2 operation {op_id!r} in the contract")
    return Operation("v2", spec.method, spec.path, op_id)


def parse(data: dict, contract: Contract) -> Mapping:
    """The mapping of ``data`` (mapping.yaml's content); a ValueError names an entry that is not well formed
    (an unknown operation id or difference, both or neither of a target and a reason, an unknown kind or table,
    a kind a table's access allows with neither operations nor a reason)."""
    differences = dict(data["differences"])
    entries: dict[str, Entry] = {}
    for name, raw in data["methods"].items():
        unknown = set(raw) - {"v2", "v1", "params", "bites", "note", "none", "by_table"}
        if unknown:
            raise ValueError(f"{name}: unknown keys {sorted(unknown)}")
        if raw.get("by_table") is not None and raw["by_table"] not in KINDS:
            raise ValueError(f"{name}: by_table must be one of {', '.join(KINDS)}, not {raw['by_table']!r}")
        ops = [_v2(name, op_id, contract) for op_id in raw.get("v2", ())]
        ops += [_v1(r) for r in raw.get("v1", ())]
        if bool(ops) == bool(raw.get("none")):
            raise ValueError(f"{name}: give either operations (v2/v1) or the reason there is none")
        bites = tuple(raw.get("bites", ()))
        if set(bites) - set(differences):
            raise ValueError(f"{name}: unknown differences {sorted(set(bites) - set(differences))}")
        entries[name] = Entry(name, tuple(ops), raw.get("params"), bites, raw.get("note"), raw.get("none"),
                              raw.get("by_table"))
    tables = {name: _table(name, raw, contract) for name, raw in (data.get("tables") or {}).items()}
    return Mapping(entries, differences, tables)


def _table(name: str, raw: dict, contract: Contract) -> TableEntry:
    """A table's entry: each kind a list of v2 operation ids and v1 routes ("GET /appointments"), or a reason."""
    described = REGISTRY.get(name)
    if described is None:
        raise ValueError(f"{name}: not a DataService table")
    unknown = set(raw) - {*KINDS, "none", "note"}
    if unknown:
        raise ValueError(f"{name}: unknown keys {sorted(unknown)}")
    operations: dict[str, tuple[Operation, ...]] = {}
    reasons: dict[str, str] = {}
    for kind in KINDS:
        value = raw.get(kind)
        if isinstance(value, str):
            reasons[kind] = value
        elif value:
            ops = [_v1(v) if " " in v else _v2(name, v, contract) for v in value]
            operations[kind] = tuple(sorted(ops, key=lambda o: o.version != "v2"))  # v2 first
    if raw.get("none") and (operations or reasons):
        raise ValueError(f"{name}: give either operations (or reasons) per kind or the reason there is none")
    missing = [k for k, (letter, _) in KINDS.items()
               if described.can(letter) and k not in operations and k not in reasons]
    if missing and not raw.get("none"):
        raise ValueError(f"{name}: give operations or a reason for {', '.join(missing)}")
    return TableEntry(name, operations, reasons, raw.get("none"), raw.get("note"))


@cache
def load() -> Mapping:
    """The mapping of mapping.yaml, read once."""
    return parse(yaml.safe_load(DATA.read_text(encoding="utf-8")), Contract.load())
