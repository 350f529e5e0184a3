"""Senders of effects outside the process: a small interface, chosen from the configuration (STYLE §7).

Campaign HTTP posts and REST hook deliveries and handshakes (the outbox, server.domain.outbox)
leave the process through ``Senders.http``. Emails never do: a sent email is captured in the app's outbox
(server.domain.mail.messages), which the control API shows.

``SANDBOX_SENDERS`` picks the implementation: ``live`` (the default) sends for real, with ``requests``;
``record`` sends nothing, keeps every request in memory and answers each with 200, for tests and for demos
that must not reach out (a test may also give an environment a ``RecordingHttp`` of its own answers).
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

Body = bytes | Sequence[tuple[str, str]]  # raw bytes, or form fields sent as application/x-www-form-urlencoded


@dataclass(frozen=True)
class Answer:
    status: int | None  # None: no answer (refused, timed out)
    headers: Mapping[str, str] = field(default_factory=dict)
    error: str | None = None  # why there is no answer


class HttpSender(Protocol):
    def post(self, url: str, body: Body, headers: Mapping[str, str], timeout: float) -> Answer:
        """POST ``body`` to ``url`` without following redirects; no answer within ``timeout`` seconds (or
        none at all) is an ``Answer`` with status None and the reason, never an exception."""


class LiveHttp:
    """Posts for real, over a pool of kept-alive connections."""

    def __init__(self) -> None:
        self._session = None
        self._lock = threading.Lock()

    def post(self, url: str, body: Body, headers: Mapping[str, str], timeout: float) -> Answer:
        import requests  # noqa: PLC0415  (with urllib3 and charset_normalizer, 5 MiB resident: loaded by the
        # first post, not by every idle server; most sandboxes never post anywhere, issue 18 §8)

        with self._lock:
            if self._session is None:
                self._session = requests.Session()
        data = body if isinstance(body, bytes) else list(body)
        try:
            r = self._session.post(url, data=data, headers=dict(headers), timeout=timeout, allow_redirects=False)
        except requests.Timeout:
            return Answer(None, {}, f"no answer within {timeout:g} s")
        except requests.RequestException as exc:
            return Answer(None, {}, _reason(exc))
        except ValueError as exc:
            # a URL requests lets through but urllib3 or the IDNA codec cannot parse (a host label over 63
            # characters, an empty one: LocationParseError, UnicodeError): no request can be made, so no answer
            return Answer(None, {}, _reason(exc))
        return Answer(r.status_code, dict(r.headers))


def _reason(exc: Exception, most: int = 300) -> str:
    """Why there was no answer, for a delivery's log (the exception's text quotes the URL, which may be long)."""
    text = f"{type(exc).__name__}: {exc}"
    return text if len(text) <= most else text[:most - 1] + "…"


@dataclass(frozen=True)
class Sent:
    url: str
    body: Body
    headers: Mapping[str, str]
    timeout: float


class RecordingHttp:
    """Sends nothing: keeps each request (``sent``) and answers it with ``answer(request)`` (200 by default)."""

    def __init__(self, answer: Callable[[Sent], Answer] | None = None) -> None:
        self.sent: list[Sent] = []
        self.answer = answer or (lambda sent: Answer(200, {}))
        self._lock = threading.Lock()

    def post(self, url: str, body: Body, headers: Mapping[str, str], timeout: float) -> Answer:
        sent = Sent(url, body if isinstance(body, bytes) else tuple(body), dict(headers), timeout)
        with self._lock:
            self.sent.append(sent)
        return self.answer(sent)


@dataclass(frozen=True)
class Senders:
    http: HttpSender

    KINDS = ("live", "record")

    @classmethod
    def from_config(cls, config) -> Senders:
        """``config.senders``: "live" or "record" (server.config)."""
        if config.senders == "record":
            return cls(http=RecordingHttp())
        if config.senders == "live":
            return cls(http=LiveHttp())
        raise ValueError(f"senders must be one of {', '.join(cls.KINDS)}, not {config.senders!r}")
