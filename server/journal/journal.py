"""The request journal: every call to an app, on every protocol, in a bounded ring per app (issue 16 §1).

The transports build an entry when a call ends (``record``): what was called, by whom (the credential's kind and
id, its secret as a short prefix), what was sent (bounded, secrets redacted), what came back, the throttle's
decision, any injected fault, whether the app's retirement schedule refused it (``retired``), the duration, and
for a call that failed on a name what was probably meant (server.journal.hints). A call that names no known app
goes to a ring of its own (``UNMATCHED``). Reading (``read``) filters and pages a ring for the control API,
newest first. ``record`` also writes the call's one log line (server.logs), so that every transport logs from this
one place, whether the journal is on or not.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from fnmatch import fnmatchcase
from urllib.parse import parse_qsl

from server import logs
from server.clock import ClockState, monotonic, wall
from server.domain.errors import ProtocolError
from server.xmlrpc import codec

from . import entry as entries
from .rings import Rings, make_rings

UNMATCHED = "unmatched"
PROTOCOLS = ("xmlrpc", "rest_v1", "rest_v2", "oauth")
OUTCOMES = ("ok", "fault", "error")
RETIRED = ("any", "brownout", "sunset", "legacy_key")  # ?retired=: refused by the app's retirement schedule


def ring_of(app) -> str:
    return f"app:{app.id}" if app is not None else UNMATCHED


class Journal:
    def __init__(self, rings: Rings, hinter=None, enabled: bool = True, counter=None):
        self.rings = rings
        self.hinter = hinter  # server.journal.hints.Hints
        self.enabled = enabled  # off: nothing is recorded (SANDBOX_JOURNAL_SIZE=0)
        self.counter = counter  # server.migration.counter.CallCounter: old-API calls, counted even when off

    @property
    def active(self) -> bool:
        """Whether a transport should report a call's end (``record``): the journal keeps it, or the log writes its
        line (server.logs)."""
        return self.enabled or logs.wanted()

    @classmethod
    def from_config(cls, config, hinter=None, counter=None) -> Journal:
        size = config.journal_size
        if size < 0:
            raise ValueError(f"SANDBOX_JOURNAL_SIZE must be 0 (no journal) or more, not {size}")
        return cls(make_rings(config.redis_url, config.redis_prefix, max(size, 1)), hinter, enabled=size > 0,
                   counter=counter)

    # --- writing (the transports) -----------------------------------------------------------------
    def record(self, call, protocol: str, endpoint: str, method: str, request, outcome: dict,
               hint=None, presented: str | None = None, keyed: bool = False) -> dict | None:
        """Write the entry of ``call`` (a server.gate.Call) that has just been answered; return it.

        ``request``: what was sent, as JSON-ready data, or an XML-RPC call's raw body (bytes, parsed only when the
        entry is read; ``keyed``: its first parameter is a key, redacted then). ``presented``: the secret the
        caller presented (recorded as a prefix). On the hot path an entry holds only strings, numbers, bytes and
        dicts of them, which the garbage collector does not track (see server.journal.rings)."""
        app = call.app
        credential = call.credential
        if self.counter is not None and app is not None:
            self.counter.count(app.id, protocol, method, credential, outcome.get("status"), wall(), call.args)
        now = monotonic()
        logs.call(app.name if app is not None else None, protocol, method, credential.kind if credential else None,
                  outcome, now - call.started)  # the call's one log line, for every transport
        if not self.enabled:
            return None
        state = app.clock_state if app is not None else None
        if type(request) is not bytes and type(request) is not QueryOnly:
            request = _NOTHING_SENT_JSON if request == _NOTHING_SENT else json.dumps(request, separators=(",", ":"),
                                                                                     default=str)
        if "body" in outcome:
            outcome = {**outcome, "body": json.dumps(outcome["body"], separators=(",", ":"), default=str)}
        entry = {
            "wall_time": wall() - (now - call.started),
            "clock": (state.anchor_real, state.anchor_virtual, state.rate, state.frozen) if state else None,
            "protocol": protocol,
            "endpoint": endpoint,
            "method": method,
            "app": app.name if app is not None else None,
            "credential": {"kind": credential.kind if credential else None,
                           "id": credential.identity if credential else None,
                           "secret": entries.redact(presented) if presented else None},
            "request": request,
            "keyed": keyed,
            "outcome": outcome,
            "throttle": call.throttle,
            "injected": json.dumps(call.injected, default=str) if call.injected is not None else None,
            "hint": tuple(hint) if hint else None,
            "retired": call.retired,  # refused by the app's retirement schedule (server.migration.retirement)
            "duration": now - call.started,
        }
        if self.rings.serialised:  # Redis: every worker must read it, so the raw body is parsed now
            entry["request"] = json.dumps(_request(entry), separators=(",", ":"), default=str)
        self.rings.push(ring_of(app), entry)
        call.journal = entry
        return entry

    def hint_header(self, call) -> str | None:
        """The X-Sandbox-Hint header's value for ``call``: its entry's hint, when its app turned ``hints`` on."""
        entry = call.journal
        if entry is None or not entry["hint"] or call.app is None or not call.app.option("hints"):
            return None
        return "; ".join(entry["hint"]).encode("ascii", "replace").decode("ascii")

    # --- reading (the control API) ----------------------------------------------------------------
    def read(self, ring: str, match: Callable[[dict], bool] = lambda e: True, before: int | None = None,
             count: int | None = None) -> list[dict]:
        """The ring's entries that ``match``, newest first, older than id ``before`` if given, at most
        ``count``, presented for reading (times as ISO 8601)."""
        out = []
        for e in self.rings.entries(ring):
            if before is not None and e["id"] >= before:
                continue
            if match(e):
                out.append(present(e))
                if count is not None and len(out) >= count:
                    break
        return out

    def get(self, ring: str, entry_id: int) -> dict | None:
        found = self.read(ring, lambda e: e["id"] == entry_id, count=1)
        return found[0] if found else None

    def clear(self, ring: str) -> None:
        self.rings.clear(ring)


def present(e: dict) -> dict:
    """An entry as the control API shows it: times in ISO 8601, the request parsed (secrets redacted)."""
    clock = e["clock"]
    outcome = e["outcome"]
    if isinstance(outcome.get("body"), str):
        outcome = {**outcome, "body": json.loads(outcome["body"])}
    return {
        "id": e["id"],
        "time": _iso(ClockState(*clock).timestamp(e["wall_time"])) if clock else None,
        "wall_time": _iso(e["wall_time"]),
        "protocol": e["protocol"],
        "endpoint": e["endpoint"],
        "method": e["method"],
        "app": e["app"],
        "credential": e["credential"],
        "request": _request(e),
        "outcome": outcome,
        "throttle": e["throttle"],
        "injected": json.loads(e["injected"]) if e["injected"] is not None else None,
        "hint": list(e["hint"]) if e["hint"] else None,
        "retired": e.get("retired"),
        "duration_ms": round(e["duration"] * 1000, 3),
    }


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat()


_NOTHING_SENT = {"query": None, "body": None}  # a REST request without either (most reads), encoded once
_NOTHING_SENT_JSON = json.dumps(_NOTHING_SENT, separators=(",", ":"))


class QueryOnly(str):
    """What a REST request without a body sent (a read): its raw query string, kept as it came and made into
    ``{"query": ..., "body": None}`` (bounded, secrets redacted) only when the entry is read."""

    __slots__ = ()


def _query_only(raw: str) -> dict:
    query: dict[str, str] = {}
    # (WSGI gives the query's bytes as latin-1 text: read as UTF-8, like the transports' own parse)
    for name, value in parse_qsl(raw.encode("latin-1", "replace").decode("utf-8", "replace"), keep_blank_values=True):
        query.setdefault(name, value)  # (a repeated parameter: its first value, as the REST transports read it)
    return {"query": entries.bounded(query) or None, "body": None}


def _request(e: dict):
    """What was sent: an XML-RPC body parsed into its parameters (bounded, the key and secrets redacted), a
    query string into its parameters, or the JSON recorded."""
    raw = e["request"]
    if type(raw) is QueryOnly:
        return _query_only(raw)
    if type(raw) is not bytes:
        return json.loads(raw)
    try:
        method, params = codec.loads_call(raw)
    except ProtocolError:  # a body the call's own parse refused: the fault says why; show its start
        return entries.bounded(raw.decode("utf-8", "replace"))
    return entries.xmlrpc_params(method, params, e["keyed"])


@dataclass(frozen=True)
class Filters:
    """What the control API's ``?protocol=&method=&outcome=&since=&credential=`` select; None: any."""

    protocol: str | None = None
    method: str | None = None  # a glob: ContactService.*, GET /crm/rest/v1/contacts*
    outcome: str | None = None  # ok, fault, error, or an HTTP status
    since: float | None = None  # wall time, seconds since the epoch
    credential: str | None = None  # a kind, an id, or the secret itself (matched on its recorded prefix)
    retired: str | None = None  # one of RETIRED

    def __call__(self, e: dict) -> bool:
        if self.retired is not None and not (e.get("retired") and self.retired in ("any", e["retired"])):
            return False
        if self.protocol is not None and e["protocol"] != self.protocol:
            return False
        if self.method is not None and not fnmatchcase(e["method"] or "", self.method):
            return False
        if self.outcome is not None:
            outcome = e["outcome"]
            if self.outcome.isdigit():
                if str(outcome.get("status")) != self.outcome:
                    return False
            elif outcome["kind"] != self.outcome:
                return False
        if self.since is not None and e["wall_time"] < self.since:
            return False
        return self.credential is None or _credential_matches(e["credential"], self.credential)


def _credential_matches(credential: dict, wanted: str) -> bool:
    if wanted in (credential["kind"], credential["id"]):
        return True
    secret = credential["secret"]
    return bool(secret) and len(secret) > 1 and wanted.startswith(secret[:-1])


class BadFilter(ValueError):
    """A query parameter of a journal listing that is not valid: ``field`` names it."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def filters_from(args: Mapping[str, str], parse_time: Callable[[str], float]) -> Filters:
    """The filters of a query string; a bad value raises BadFilter naming the parameter."""
    protocol = args.get("protocol") or None
    if protocol is not None and protocol not in PROTOCOLS:
        raise BadFilter("protocol", f"protocol must be one of {', '.join(PROTOCOLS)}, not {protocol!r}")
    outcome = args.get("outcome") or None
    if outcome is not None and outcome not in OUTCOMES and not (outcome.isdigit() and len(outcome) == 3):
        raise BadFilter("outcome", f"outcome must be one of {', '.join(OUTCOMES)} or an HTTP status, not {outcome!r}")
    since = args.get("since") or None
    retired = args.get("retired") or None
    if retired is not None and retired not in RETIRED:
        raise BadFilter("retired", f"retired must be one of {', '.join(RETIRED)}, not {retired!r}")
    try:
        moment = parse_time(since) if since is not None else None
    except ValueError as exc:
        raise BadFilter("since", str(exc)) from None
    return Filters(retired=retired, protocol=protocol, method=args.get("method") or None, outcome=outcome,
                   since=moment, credential=args.get("credential") or None)
