"""The side-by-side compare (issue 19 §3): an XML-RPC call and its REST v2 translation (server.migration.translate)
run on one app in ONE transaction that is rolled back, so nothing persists, read-only and write calls alike.
The answer holds both results in their own forms (an XML-RPC result or fault; a v2 status and body) and the
differences found: one failing where the other succeeds, and each field of the record both answers hold, compared
(ids as text: v2 sends them as strings).

The XML-RPC call runs first, then the v2 call sees what it wrote. Each runs as its transport runs it (the
method table's overload, the v2 operation's declared checks) but without the gate: no key, throttle, fault
injection or journal, since the control API is the caller. A multipart/form-data operation (file uploads) gets
its text and file parts as a form request, as its route reads them from a client's."""
from __future__ import annotations

import io
import json
from dataclasses import dataclass
from urllib.parse import quote

from werkzeug.datastructures import MultiDict
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request as WerkzeugRequest

from server.gate import Call
from server.journal.entry import bounded
from server.rest_v2.api import Api, Reply, Request, path_values
from server.rest_v2.errors import from_exception
from server.xmlrpc.faults import fault_for

from .mapping import load
from .translate import TRANSLATORS, CannotTranslate, V2Call
from .v2call import record_pairs

PLACEHOLDER_KEY = "compare"  # stands for the app's key in the overload match; the gate is not run


@dataclass(frozen=True)
class NotComparable(Exception):
    field: str
    message: str


def translate(method: str, params: list) -> V2Call:
    translator = TRANSLATORS.get(method)
    if translator is None:
        entry = load().get(method)
        how = f"; its mapping: {[o.operation_id or o.path for o in entry.operations]}" if entry else ""
        raise NotComparable("method", f"the compare tool does not translate {method}: it translates "
                                      f"{', '.join(sorted(TRANSLATORS))}{how}")
    try:
        return translator(params)
    except CannotTranslate as exc:
        raise NotComparable("params", str(exc)) from None


def _xmlrpc(sandbox, session, method: str, params: list) -> dict:
    try:
        target, args = sandbox.methods.resolve(method, [PLACEHOLDER_KEY, *params])
        return {"ok": True, "result": bounded(target.func(session, *args))}
    except Exception as exc:  # the fault the client would get (never Python's message: fault_for logs those)
        code, message = fault_for(exc, method)
        return {"ok": False, "fault_code": code, "fault_string": message}


def _v2(sandbox, api: Api, session, app, v2: V2Call) -> dict:
    bound = api.bound[v2.operation_id]
    spec = bound.spec
    path = spec.path
    for name, value in v2.path.items():
        path = path.replace("{" + name + "}", quote(str(value), safe=""))
    shown = {"operation_id": spec.operation_id, "method": spec.method, "path": "/crm/rest/v2" + path,
             "query": v2.query, "body": v2.body}
    if v2.files is not None:
        shown["files"] = {part: {"file_name": name, "size": len(data)} for part, (name, data) in v2.files.items()}
    try:
        r = Request(call=Call(endpoint="compare", headers={}, query={}, app=app), op=spec, http=_multipart(spec, v2),
                    base_url=(sandbox.config.public_url or "http://sandbox").rstrip("/"),
                    query=bound.validator.query_values(MultiDict(v2.query)),
                    body=bound.validator.body_value(json.dumps(v2.body).encode()) if bound.validator.body is not None
                    and v2.files is None else None, s=session, sandbox=sandbox)
        result = bound.declared.func(r, **path_values(bound, {k: str(v) for k, v in v2.path.items()}))
    except Exception as exc:  # the v2 error body the client would get
        error = from_exception(exc)
        return {**shown, "ok": False, "status": error.code, "answer": error.body()}
    if not isinstance(result, Reply):
        result = Reply(result)
    status = result.status or spec.success
    return {**shown, "ok": True, "status": status, "answer": bounded(result.body) if status != 204 else None}


def _multipart(spec, v2: V2Call) -> WerkzeugRequest | None:
    """The multipart/form-data request a form operation reads its parts from (None for a JSON operation)."""
    if v2.files is None:
        return None
    data = {**(v2.body or {}), **{part: (io.BytesIO(content), name) for part, (name, content) in v2.files.items()}}
    return WerkzeugRequest(EnvironBuilder(method=spec.method, path="/crm/rest/v2" + spec.path, data=data,
                                          content_type="multipart/form-data").get_environ())


def differences(x: dict, v: dict, v2call: V2Call) -> list[dict]:
    out = []
    if x["ok"] != v["ok"]:
        out.append({"what": "outcome", "xmlrpc": "ok" if x["ok"] else f"fault {x['fault_code']}",
                    "v2": f"HTTP {v['status']}", "note": "one failed where the other did not"})
    if x["ok"] and v["ok"]:
        for name, a, b in record_pairs(v2call.fields, x["result"], v["answer"], v2call.items):
            if str(a) != str(b):
                out.append({"what": name, "xmlrpc": a, "v2": b, "note": "the values differ"})
            elif type(a) is not type(b):
                out.append({"what": name, "xmlrpc": a, "v2": b,
                            "note": "same value, different type (v2 ids are strings)"})
        if not isinstance(x["result"], dict | list) and isinstance(v["answer"], dict):
            out.append({"what": "answer", "xmlrpc": x["result"], "v2": "an object",
                        "note": "XML-RPC answers a bare value; v2 the record"})
    return out


def compare(sandbox, api: Api, app, method: str, params: list) -> dict:
    """Run ``method(params)`` and its v2 translation on ``app``, roll both back, answer both and the
    differences. NotComparable for a method or parameters the tool cannot translate."""
    v2call = translate(method, params)
    tx = sandbox.env.transaction(write=True)
    try:
        session = sandbox.env.session(tx, app)
        x = _xmlrpc(sandbox, session, method, params)
        v = _v2(sandbox, api, session, app, v2call)
    finally:
        tx.end(commit=False)  # nothing persists
    return {"method": method, "params": bounded(params), "xmlrpc": x, "v2": v, "differences": differences(x, v, v2call),
            "rolled_back": True, "mapping": load().describe(method)}
