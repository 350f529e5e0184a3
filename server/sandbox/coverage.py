"""docs/api-coverage.md, rendered from the registry's methods and operations, the real API's catalogue and the table
descriptions, so it cannot drift from what is served: ``python -m server.sandbox.coverage > docs/api-coverage.md``
(a test compares the committed file with this output)."""
from __future__ import annotations

from server.config import from_env
from server.rest_v2 import coverage as rest_v2_coverage
from server.tables import NOT_YET, REGISTRY
from server.wiring import build_registry
from server.xmlrpc.catalog import DOCUMENTED, NOT_EXPOSED, UNDOCUMENTED


def render() -> str:
    registry = build_registry(from_env())
    served = {m.name for m in registry.methods}
    operations = registry.operations

    def _status(service: str, method: str) -> str:
        name = f"{service}.{method}"
        if name in NOT_EXPOSED:  # the real server answers "No such handler", and so does the sandbox
            return f"not exposed by the real service ({NOT_EXPOSED[name]})"
        return "done" if name in served else "not yet"

    lines = [
        "# API coverage",
        "",
        "Every service, method and DataService table of the real Infusionsoft XML-RPC API, and whether this",
        "sandbox serves it. Generated from the code by `python -m server.sandbox.coverage > docs/api-coverage.md`;",
        "a test fails when this file and the code disagree.",
        "",
    ]
    documented = [(s, m) for s, ms in DOCUMENTED.items() for m in ms]
    done = sum(_status(s, m) == "done" for s, m in documented)
    lines += [f"Documented methods served: **{done} of {len(documented)}**.", "", "## Services and methods", ""]
    for service, methods in DOCUMENTED.items():
        lines += [f"### {service}", "", "| method | status |", "|---|---|"]
        lines += [f"| `{service}.{m}` | {_status(service, m)} |" for m in methods]
        lines.append("")
    lines += ["## Undocumented methods (seen only in client libraries)", "", "| method | status |", "|---|---|"]
    for service, methods in UNDOCUMENTED.items():
        lines += [f"| `{service}.{m}` | {_status(service, m)} |" for m in methods]
    lines += ["", "## DataService tables", "",
              "Access letters: **E**dit, **D**elete, **A**dd, **R**ead (the table's; each field has its own).", "",
              "| table | status | access | fields | custom fields | notes |", "|---|---|---|---:|---|---|"]
    rows = {t.name: t for t in REGISTRY.tables.values()}
    for name in sorted(list(rows) + list(NOT_YET)):
        table = rows.get(name)
        if table is None:
            lines.append(f"| `{name}` | not yet | | | | |")
            continue
        custom = f"FormId {table.custom_form}" if table.custom_form is not None else ""
        lines.append(f"| `{name}` | {table.status} | {table.access} | {len(table.fields)} | {custom} | "
                     f"{table.description} |")
    lines += ["", "## REST v1 (`/crm/rest/v1`)", "",
              "Every operation served, from the route table that also validates requests and writes "
              "`/crm/rest/v1/openapi.json` (details: [rest.md](rest.md)).", "",
              f"Operations served: **{len(operations)}**.", "",
              "| method | path | answer | what |", "|---|---|---|---|"]
    for op in sorted(operations, key=lambda o: (o.path, o.method)):
        lines.append(f"| {op.method} | `{op.path}` | {op.status} | {op.summary} |")
    lines += ["", rest_v2_coverage.render(registry.families)]
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(), end="")
