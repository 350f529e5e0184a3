"""What an injected fault does to a call, in every transport's terms.

A call that a rule breaks carries an ``Injection``. The transport asks it, in order: ``before()`` (latency
sleeps; an error is raised, unless the rule applies the call first), then runs the call, then ``after()`` (the
error of an ``apply_first`` rule, raised once the call has committed), and ``reshape(body)`` on the bytes of its
answer (a truncated or malformed body). The errors are exceptions each transport already answers in its own
form: ``InjectedFault`` (a SandboxError: an XML-RPC fault), ``GatewayRejection`` (an HTTP status, body and
headers, as the gateway's own refusals are sent) and ``DropConnection`` (``drop`` closes the socket under the
request: the client gets no answer at all).
"""
from __future__ import annotations

import contextlib
import socket
import time
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING

from server.auth.gateway import GatewayRejection, apigee_fault
from server.call_slot import released
from server.domain.errors import SandboxError

from .names import RESHAPES

if TYPE_CHECKING:
    from .rules import Rule

# the gateway's 429 of the 2024-25 captures (spec rest-oauth-throttle.md §6.2, server.throttle.answers)
QUOTA_EXCEEDED = {"code": "429", "message": "Quota Exceeded", "status": "Request Throttled", "details": None}
# Apigee's own 503 when the service behind it does not answer (Apigee's documented fault; no Keap capture)
SERVICE_UNAVAILABLE = ("The Service is temporarily unavailable", "messaging.adaptors.http.flow.ServiceUnavailable")

# In the middle of an answer: a control character no XML 1.0 or JSON parser accepts, and an unclosed tag.
_GARBAGE = b"\x01<"


class InjectedFault(SandboxError):
    """An XML-RPC fault a rule asked for: its code and string exactly as given."""

    def __init__(self, code: int, fault_string: str):
        super().__init__(fault_string)
        self.code = code
        self._string = fault_string

    @property
    def fault_string(self) -> str:
        return self._string


class DropConnection(Exception):
    """Close the connection without answering."""


@dataclass
class Injection:
    rule_id: int
    rule: Rule
    number: int  # the call's number among the rule's matching calls
    gateway_headers: dict  # the gateway's headers of the call (x-keap-*), for the 429 preset

    @property
    def description(self) -> dict:
        """What the request journal records (server.gate.Call.injected)."""
        return {"rule": self.rule_id, "action": self.rule.action.type, "apply_first": self.rule.apply_first,
                "number": self.number}

    def before(self, release=None) -> None:
        """Before the call: the latency, or the error (``release``: ends the call's transaction before a sleep)."""
        if not self.rule.apply_first:
            self._act(release)

    def after(self, release=None) -> None:
        """After the call has run and committed: an ``apply_first`` rule's latency or error."""
        if self.rule.apply_first:
            self._act(release)

    def _act(self, release) -> None:
        action = self.rule.action
        if action.type == "latency":
            if release is not None:
                release()  # no lock held while the call waits
            with released():  # (server.call_slot: other calls run while this one waits)
                time.sleep(action.seconds(self.rule.draw(self.number)))
        elif action.type == "xmlrpc_fault":
            raise InjectedFault(*action.fault())
        elif action.type == "http":
            raise self._http()
        elif action.type == "drop":
            raise DropConnection()

    def _http(self) -> GatewayRejection:
        action = self.rule.action
        if action.preset == "quota_exceeded":
            rejection = GatewayRejection(429, dict(QUOTA_EXCEEDED), dict(self.gateway_headers))
        elif action.preset == "service_unavailable":
            rejection = apigee_fault(503, *SERVICE_UNAVAILABLE)
        else:
            body = action.body if action.body is not None else {"message": _phrase(action.status)}
            rejection = GatewayRejection(action.status, body, dict(action.headers))
        if action.retry_after is not None:
            rejection.headers["Retry-After"] = str(action.retry_after)
        return rejection

    @property
    def reshapes(self) -> bool:
        return self.rule.action.type in RESHAPES

    def reshape(self, body: bytes) -> bytes:
        action = self.rule.action
        if action.type == "truncate":
            return body[:len(body) // 2 if action.bytes is None else action.bytes]
        if action.type == "malformed":
            middle = len(body) // 2
            return body[:middle] + _GARBAGE + body[middle:]
        return body


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return f"HTTP {status}"


def drop(environ) -> None:
    """Shut the request's socket down (werkzeug's development server and gunicorn expose it): whatever the
    server writes next goes nowhere, and the client sees the connection closed without an answer."""
    sock = environ.get("werkzeug.socket") or environ.get("gunicorn.socket")
    if sock is None:
        raise RuntimeError("this server does not expose the request's socket: a dropped connection needs "
                           "werkzeug's server or gunicorn")
    with contextlib.suppress(OSError):  # the client went first
        sock.shutdown(socket.SHUT_RDWR)
