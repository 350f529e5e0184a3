"""The REST v2 section of docs/api-coverage.md, rendered from the contract's own files (Keap's OpenAPI
document and the SDK overlay, server.rest_v2.contract): every operation, by family (the document's tag),
served or not. What is served comes from the family modules' declarations; the list of operations never
does, so the count cannot drift from Keap's."""
from __future__ import annotations

from . import build
from .contract import PREFIX


def render(families=None) -> str:
    api = build(families)
    contract = api.contract
    served = api.served
    total = len(contract.operations)
    lines = [
        "## REST v2 (`/crm/rest/v2`)",
        "",
        "Every operation of Keap's REST v2 contract, read from its files: Keap's OpenAPI document",
        "(`server/rest_v2/spec/keap-rest-v2.swagger.yml`) and the operations of `keap-core-v2-sdk` 2.0.26 that",
        "the document lacks (`sdk-overlay.json`, marked *SDK*). *served*: a family module implements it; "
        "*not yet*: it",
        "answers 501 in the v2 error form. Details: [rest-v2.md](rest-v2.md).",
        "",
        f"Operations served: **{len(served)} of {total}**.",
        "",
        "| family | served | operations |",
        "|---|---:|---:|",
    ]
    for tag, ops in contract.by_tag.items():
        lines.append(f"| {tag} | {sum(op.operation_id in served for op in ops)} | {len(ops)} |")
    for tag, ops in contract.by_tag.items():
        lines += ["", f"### {tag}", "", "| method | path | operation | status |", "|---|---|---|---|"]
        for op in sorted(ops, key=lambda o: (o.path, o.method)):
            status = "served" if op.operation_id in served else "not yet"
            sdk = " *SDK*" if op.sdk_only else ""
            lines.append(f"| {op.method} | `{PREFIX}{op.path}` | `{op.operation_id}`{sdk} | {status} |")
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(), end="")
