"""The side-by-side compare (issue 19 §3): an XML-RPC call and its REST v2 translation (server.migration.translate)
run on one app in ONE transaction that is rolled back, so nothing persists, read-only and write calls alike.
The answer holds both results in their own forms (an XML-RPC result or fault; a v2 status and body) and the
differences found: one failing where the other succeeds, and each field of the record both answers hold, compared
(ids as text: v2 sends them as strings).

The XML-RPC call runs first, then the v2 call sees what it wrote. Each runs as its transport runs it (the
method table's overload, the v2 operation's declared checks) but without the gate: no key, throttle, fault
injection or journal, since the control API is the caller. A multipart/form-data operation (file uploads) gets
its text and file parts as a form request, as its route reads them from a client's.

Where v2 needs more than one call (an invoice's order looked up, then addressed), the translation is steps:
they run in order, each later one taking values of the earlier answers; ``v2_steps`` answers each step's
request and result, ``v2`` the last one's (the one the differences compare)."""
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
from .v2call import From, Unresolved, record_pairs, resolve, rfc3339, steps

PLACEHOLDER_KEY = "compare"  # stands for the app's key in the overload match; the gate is not run


@dataclass(frozen=True)
class NotComparable(Exception):
    field: str
    message: str


def translate(method: str, params: list) -> V2Call | tuple[V2Call, ...]:
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


def _shown(api: Api, v2: V2Call) -> dict:
    """The request as answered; a value an unmade step lacks is shown by name (``{step 1: orders.0.id}``)."""
    spec = api.bound[v2.operation_id].spec
    path = spec.path
    for name, value in v2.path.items():
        path = path.replace("{" + name + "}", str(value) if isinstance(value, From) else quote(str(value), safe=""))
    named = resolve(v2, None)
    shown = {"operation_id": spec.operation_id, "method": spec.method, "path": "/crm/rest/v2" + path,
             "query": named.query, "body": named.body}
    if v2.files is not None:
        shown["files"] = {part: {"file_name": name, "size": len(data)} for part, (name, data) in v2.files.items()}
    return shown


def _v2(sandbox, api: Api, session, app, v2: V2Call) -> tuple[dict, object]:
    """The step's request and result as answered, and its JSON answer (unbounded: later steps read it)."""
    bound = api.bound[v2.operation_id]
    spec = bound.spec
    shown = _shown(api, v2)
    try:
        r = Request(call=Call(endpoint="compare", headers={}, query={}, app=app), op=spec, http=_multipart(spec, v2),
                    base_url=(sandbox.config.public_url or "http://sandbox").rstrip("/"),
                    query=bound.validator.query_values(MultiDict(v2.query)),
                    body=bound.validator.body_value(json.dumps(v2.body).encode()) if bound.validator.body is not None
                    and v2.files is None else None, s=session, sandbox=sandbox)
        result = bound.declared.func(r, **path_values(bound, {k: str(v) for k, v in v2.path.items()}))
    except Exception as exc:  # the v2 error body the client would get
        error = from_exception(exc)
        return {**shown, "ok": False, "status": error.code, "answer": error.body()}, None
    if not isinstance(result, Reply):
        result = Reply(result)
    status = result.status or spec.success
    body = result.body if status != 204 else None
    ok = status < 400  # a Reply may answer an error (a declined payment)
    return {**shown, "ok": ok, "status": status, "answer": bounded(body)}, json.loads(json.dumps(body, default=str))


def _v2_steps(sandbox, api: Api, session, app, calls: tuple[V2Call, ...]) -> list[dict]:
    """Each step run in order, its values of the earlier answers filled in; after a step fails, or where an
    answer lacks a value a later step needs, the steps left are answered unmade (``not_run`` says why)."""
    out: list[dict] = []
    answers: list = []
    stopped = None
    now = rfc3339(session.clock.now())
    for call in calls:
        if stopped is None:
            try:
                call = resolve(call, answers, now=now)
            except Unresolved as exc:
                stopped = str(exc)
        if stopped is not None:
            out.append({**_shown(api, resolve(call, answers, strict=False, now=now)), "ok": False, "status": None,
                        "answer": None, "not_run": stopped})
            continue
        step, answer = _v2(sandbox, api, session, app, call)
        out.append(step)
        answers.append(answer)
        if not step["ok"]:
            stopped = f"step {len(out)} failed (HTTP {step['status']})"
    return out


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
                    "v2": f"not run: {v['not_run']}" if "not_run" in v else f"HTTP {v['status']}",
                    "note": "one failed where the other did not"})
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
    calls = steps(translate(method, params))
    tx = sandbox.env.transaction(write=True)
    try:
        session = sandbox.env.session(tx, app)
        x = _xmlrpc(sandbox, session, method, params)
        v = _v2_steps(sandbox, api, session, app, calls)
    finally:
        tx.end(commit=False)  # nothing persists
    return {"method": method, "params": bounded(params), "xmlrpc": x, "v2": v[-1], "v2_steps": v,
            "differences": differences(x, v[-1], calls[-1]), "rolled_back": True, "mapping": load().describe(method)}
