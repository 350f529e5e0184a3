"""What one journal entry holds, made cheaply on the call's path: parameters and bodies bounded in size, secrets
redacted to a short prefix, results summarised (never copied whole).

Secrets are the legacy API key (an XML-RPC call's first parameter), Keap API keys and OAuth tokens, and any
value whose name says it is one (``client_secret``, ``refresh_token``, ``code``, passwords): the journal can
be read by anyone who reaches the control API, and a client's secret must never be copied into it.
"""
from __future__ import annotations

import json
from datetime import datetime

MAX_STRING = 500  # characters of one string value kept
MAX_ITEMS = 50  # items of one list or fields of one struct kept
MAX_DEPTH = 6
MAX_BODY = 16 * 1024  # bytes of a request body read for the journal

# names (lower case, anywhere in the name) whose values are secrets, in a struct, a JSON body or a form
SECRET_NAMES = ("password", "secret", "token", "apikey", "api_key", "passwordhash", "code_verifier")
SECRET_EXACT = {"key", "vendorkey"}

# XML-RPC parameters that are secrets besides the key: method -> positions (in the full parameter list)
_SECRET_PARAMS = {
    "DataService.authenticateUser": lambda n: {n - 1},  # (key, username, passwordHash)
    "DataService.getTemporaryKey": lambda n: set(range(n)) - {n - 2},  # (vendorKey, username, passwordHash)
}


def redact(secret) -> str:
    """A secret as a short prefix: enough to tell two keys apart, never enough to use one."""
    text = str(secret)
    return text[:min(4, len(text) // 4)] + "…"


def is_secret_name(name) -> bool:
    lowered = str(name).lower()
    return lowered in SECRET_EXACT or any(s in lowered for s in SECRET_NAMES)


def bounded(value, depth: int = 0):
    """``value`` as JSON-ready data of bounded size: long strings and lists cut (the cut said), secrets by
    name redacted, dates as ISO text, bytes as their length."""
    t = type(value)
    if t is str:
        return value if len(value) <= MAX_STRING else value[:MAX_STRING] + f"…(+{len(value) - MAX_STRING} chars)"
    if t is int or t is float or t is bool or value is None:
        return value
    if depth >= MAX_DEPTH:
        return "…"
    if t is dict:
        out = {}
        for i, (k, v) in enumerate(value.items()):
            if i == MAX_ITEMS:
                out["…"] = f"+{len(value) - MAX_ITEMS} fields"
                break
            out[str(k)] = redact(v) if type(v) is str and v and is_secret_name(k) else bounded(v, depth + 1)
        return out
    if t is list or t is tuple:
        out = [bounded(v, depth + 1) for v in value[:MAX_ITEMS]]
        if len(value) > MAX_ITEMS:
            out.append(f"…(+{len(value) - MAX_ITEMS} items)")
        return out
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes | bytearray):
        return f"<{len(value)} bytes>"
    return bounded(str(value), depth)


def xmlrpc_params(method_name: str | None, params: list, keyed: bool) -> list:
    """An XML-RPC call's parameters, bounded, with the key (the first parameter of a keyed or unknown method)
    and any other secret parameter redacted."""
    secret = _SECRET_PARAMS.get(method_name)
    positions = secret(len(params)) if secret else set()
    if keyed:
        positions.add(0)
    return [redact(p) if i in positions and isinstance(p, str) else bounded(p) for i, p in enumerate(params)]


def http_body(data: bytes, content_type: str | None):
    """A request body as recorded: JSON or a form parsed (secrets redacted), other text cut, binary its size."""
    if not data:
        return None
    if len(data) > MAX_BODY:
        return f"<{len(data)} bytes, not recorded>"
    ctype = (content_type or "").lower()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return f"<{len(data)} bytes>"
    if "form-urlencoded" in ctype:
        from urllib.parse import parse_qsl  # noqa: PLC0415  (only forms pay for it)
        return bounded(dict(parse_qsl(text, keep_blank_values=True)))
    try:
        return bounded(json.loads(text))
    except ValueError:
        return bounded(text)


def summary(value) -> str:
    """A result in a few words: ``struct of 3 fields``, ``array of 10``, or a short scalar."""
    t = type(value)
    if t is dict:
        return f"struct of {len(value)} fields"
    if t is list:
        return f"array of {len(value)}"
    if t is str:
        return repr(value if len(value) <= 80 else value[:80] + "…")
    if isinstance(value, datetime):
        return value.isoformat()
    return repr(value)


def ok(result) -> dict:
    return {"kind": "ok", "summary": summary(result)}


def fault(code: int, message: str) -> dict:
    return {"kind": "fault", "fault_code": code, "fault_string": message}


def http(status: int, body=None) -> dict:
    """An HTTP answer: ``ok`` below 400 (the body summarised), else ``error`` with the body (bounded)."""
    if status < 400:
        return {"kind": "ok", "status": status, "summary": summary(body) if body is not None else None}
    return {"kind": "error", "status": status, "body": bounded(body)}


def presented_secret(headers, query) -> str | None:
    """The secret a gateway request presented (to be redacted): its Keap API key, bearer token or
    ``access_token``."""
    key = headers.get("X-Keap-API-Key")
    if key:
        return key.strip()
    scheme, _, token = (headers.get("Authorization") or "").partition(" ")
    if token.strip():
        return token.strip()
    return query.get("access_token") or None
