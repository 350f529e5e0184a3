"""Keap's own REST v1 operations (its OpenAPI document, ``keap-rest-v1.openapi.json`` in ``../shared/spec``, 141
operations), kept as the small list ``spec/v1-operations.json`` that docs/api-coverage.md is generated from: each
operation of the document, served by the sandbox or not, so the count cannot drift from Keap's.

    python -m server.rest.spec_operations /path/to/keap-rest-v1.openapi.json   # rewrite the list

(``tests/test_docs.py`` checks the list against the document when ``../shared/spec`` is there.)
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

LIST = Path(__file__).resolve().parent / "spec" / "v1-operations.json"
_METHODS = ("get", "put", "post", "patch", "delete")


def derive(document: dict) -> list[dict]:
    """The document's operations in its order: method, path (without ``/v1``), operationId, summary, tag."""
    out = []
    for path, item in document["paths"].items():
        for method, op in item.items():
            if method in _METHODS:
                entry = {"method": method.upper(), "path": path.removeprefix("/v1"),
                         "operation_id": op.get("operationId", ""), "summary": op.get("summary", ""),
                         "tag": (op.get("tags") or [""])[0]}
                required = _body_required(document, op)
                if required:
                    entry["required"] = required  # the body's required properties (our document states them too)
                out.append(entry)
    return out


def _body_required(document: dict, op: dict) -> list[str]:
    schema = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
    if "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return sorted(schema.get("required", []))


def required_properties() -> dict[tuple[str, str], list[str]]:
    """``(METHOD, shape of the path)``: the body properties Keap's document marks required."""
    return {(o["method"], shape(o["path"])): o["required"] for o in load() if o.get("required")}


def load() -> list[dict]:
    return json.loads(LIST.read_text())


def shape(path: str) -> str:
    """A path with its parameters' names erased: ``/contacts/{contactId}/tags`` -> ``/contacts/{}/tags``."""
    return re.sub(r"\{[^}]*\}", "{}", path)


if __name__ == "__main__":
    operations = derive(json.loads(Path(sys.argv[1]).read_text()))
    LIST.write_text(json.dumps(operations, indent=1) + "\n")
    print(f"{len(operations)} operations -> {LIST}")
