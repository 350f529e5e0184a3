"""The XML-RPC → REST v2 mapping as data: ``mapping.yaml`` beside this module holds one entry per served
XML-RPC method, reviewed against ../shared/spec/ (xmlrpc-api.md §2, rest-v2.md, keap-rest-v2.swagger.yml).

An entry names the v2 operation ids; their methods and paths are read from the contract
(server/rest_v2/spec/), never written twice. Where v2 has none it names the REST v1 route, or says why there is
none. ``tests/migration/test_mapping.py`` checks the data against the method table and the contract.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from server.rest_v2.contract import Contract

DATA = Path(__file__).resolve().parent / "mapping.yaml"
V1_ROOT = "/crm/rest/v1"
V2_ROOT = "/crm/rest/v2"


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


@dataclass(frozen=True)
class Entry:
    method: str  # the XML-RPC method, Service.name
    operations: tuple[Operation, ...]
    params: str | None
    bites: tuple[str, ...]  # keys of Mapping.differences
    note: str | None
    none: str | None  # why there is no REST counterpart

    @property
    def target(self) -> str:
        """"v2", "v1" or "none": where the method goes."""
        return self.operations[0].version if self.operations else "none"

    def as_json(self, differences: dict[str, str]) -> dict:
        return {"method": self.method, "target": self.target,
                "operations": [o.as_json() for o in self.operations], "params": self.params,
                "differences": [{"key": b, "text": differences[b]} for b in self.bites],
                "note": self.note, "no_equivalent": self.none}


@dataclass(frozen=True)
class Mapping:
    entries: dict[str, Entry]
    differences: dict[str, str]

    def get(self, method: str) -> Entry | None:
        return self.entries.get(method)

    def describe(self, method: str) -> dict | None:
        found = self.entries.get(method)
        return found.as_json(self.differences) if found else None


def _v1(route: str) -> Operation:
    method, _, path = route.partition(" ")
    return Operation("v1", method.upper(), path)


def parse(data: dict, contract: Contract) -> Mapping:
    """The mapping of ``data`` (mapping.yaml's content); a ValueError names an entry that is not well formed
    (an unknown operation id or difference, both or neither of a target and a reason)."""
    differences = dict(data["differences"])
    entries: dict[str, Entry] = {}
    for name, raw in data["methods"].items():
        unknown = set(raw) - {"v2", "v1", "params", "bites", "note", "none"}
        if unknown:
            raise ValueError(f"{name}: unknown keys {sorted(unknown)}")
        ops = []
        for op_id in raw.get("v2", ()):
            spec = contract.operations.get(op_id)
            if spec is None:
                raise ValueError(f"{name}: no REST v2 operation {op_id!r} in the contract")
            ops.append(Operation("v2", spec.method, spec.path, op_id))
        ops += [_v1(r) for r in raw.get("v1", ())]
        if bool(ops) == bool(raw.get("none")):
            raise ValueError(f"{name}: give either operations (v2/v1) or the reason there is none")
        bites = tuple(raw.get("bites", ()))
        if set(bites) - set(differences):
            raise ValueError(f"{name}: unknown differences {sorted(set(bites) - set(differences))}")
        entries[name] = Entry(name, tuple(ops), raw.get("params"), bites, raw.get("note"), raw.get("none"))
    return Mapping(entries, differences)


@cache
def load() -> Mapping:
    """The mapping of mapping.yaml, read once."""
    return parse(yaml.safe_load(DATA.read_text(encoding="utf-8")), Contract.load())
