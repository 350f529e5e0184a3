"""The control API (/sandbox/…, docs/sandbox-control.md) as Python, for tests: a ``Sandbox`` is one running
server, a ``KeapApp`` one app (account) in it with its credentials and helpers.

Every helper of ``KeapApp`` is one call of the control API through ``KeapApp.control`` (the journal, fault
injection and snapshots too), so a helper for a new control endpoint is one method of a line or two. A control
call that fails raises ``SandboxError`` with the API's own message.
"""
from __future__ import annotations

import functools
import itertools
import os
import time
import uuid
import xmlrpc.client
from dataclasses import dataclass
from datetime import datetime

import requests

_names = itertools.count(1)
REDIRECT_URI = "http://127.0.0.1/keap-sandbox/callback"  # never visited: the code is read off the control answer


class SandboxError(RuntimeError):
    """A control call that failed: its status and the control API's error message."""

    def __init__(self, status: int, message: str):
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


class Sandbox:
    """A running sandbox, by its base URL; ``admin_token`` when it was started with SANDBOX_ADMIN_TOKEN."""

    def __init__(self, url: str, admin_token: str | None = None, *, timeout: float = 60):
        self.url = url.rstrip("/")
        self.admin_token = admin_token
        self.timeout = timeout
        self.http = requests.Session()
        if admin_token:
            self.http.headers["Authorization"] = f"Bearer {admin_token}"

    def control(self, method: str, path: str, **kwargs) -> dict:
        """``method`` on /sandbox``path``; the answer's JSON."""
        response = self.http.request(method, f"{self.url}/sandbox{path}", timeout=self.timeout, **kwargs)
        if response.status_code >= 400:
            try:
                message = response.json().get("error", response.text)
            except ValueError:
                message = response.text
            raise SandboxError(response.status_code, message)
        return response.json() if response.content else {}

    def health(self) -> dict:
        return self.control("GET", "/health")

    def wait_ready(self, timeout: float = 60) -> dict:
        """Wait until /sandbox/readyz answers 200 (a server another process is starting); its checks."""
        deadline = time.monotonic() + timeout
        last = "no answer"
        while True:
            try:
                response = self.http.get(f"{self.url}/sandbox/readyz", timeout=5)
                if response.status_code == 200:
                    return response.json()
                last = response.text
            except requests.RequestException as exc:
                last = str(exc)
            if time.monotonic() > deadline:
                raise SandboxError(503, f"the sandbox at {self.url} is not ready: {last}")
            time.sleep(0.2)

    def new_app(self, name: str | None = None, *, seed: bool = True, time_zone: str | None = None,
                frozen_at: datetime | str | None = None, freeze: bool = True) -> KeapApp:
        """A fresh app: a copy of the seeded template (``seed=False``: empty), its clock frozen at ``frozen_at``
        (ISO 8601; no zone means the app's local time) or, by default, at the moment it is made, so nothing
        falls due behind a test's back; ``freeze=False`` leaves it on real time."""
        name = name or f"test{next(_names)}-{uuid.uuid4().hex[:8]}"
        body = {"name": name, "seed": seed, **({"time_zone": time_zone} if time_zone else {})}
        created = self.control("POST", "/apps", json=body)
        app = KeapApp(self, created["name"], created["legacy_api_key"])
        if frozen_at is not None:
            app.freeze(frozen_at)
        elif freeze:
            app.freeze()
        return app


@dataclass(frozen=True)
class OAuthGrant:
    """An OAuth client (developer app) and the tokens of its grant for one app."""

    client_id: str
    client_secret: str
    redirect_uri: str
    access_token: str
    refresh_token: str
    expires_in: int


class KeapApp:
    """One app of a sandbox: its endpoints, credentials and test helpers."""

    def __init__(self, sandbox: Sandbox, name: str, api_key: str):
        self.sandbox = sandbox
        self.name = name
        self.api_key = api_key  # the legacy API key (the first parameter of every XML-RPC call)

    def __repr__(self) -> str:
        return f"KeapApp({self.name!r} at {self.sandbox.url})"

    # --- endpoints ---------------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return self.sandbox.url

    @property
    def xmlrpc_url(self) -> str:
        """The legacy XML-RPC endpoint (the key names the app)."""
        return self.url + "/api/xmlrpc"

    @property
    def gateway_xmlrpc_url(self) -> str:
        """XML-RPC through the API gateway (an OAuth token, a PAT or the legacy key in X-Keap-API-Key)."""
        return self.url + "/crm/xmlrpc/v1"

    @property
    def rest_url(self) -> str:
        return self.url + "/crm/rest/v1"

    @property
    def rest_v2_url(self) -> str:
        return self.url + "/crm/rest/v2"

    @property
    def token_url(self) -> str:
        return self.url + "/token"

    def proxy(self, **kwargs) -> xmlrpc.client.ServerProxy:
        return xmlrpc.client.ServerProxy(self.xmlrpc_url, **kwargs)

    def call(self, method: str, *args):
        """An XML-RPC call with the legacy key as its first parameter: ``call("ContactService.add", {...})``."""
        return getattr(self.proxy(), method)(self.api_key, *args)

    # --- credentials (made on first use) ------------------------------------------------------------------

    @functools.cached_property
    def pat(self) -> str:
        """A Personal Access Token of the app (send it as X-Keap-API-Key)."""
        return self.control("POST", "/api-keys", json={"kind": "pat", "name": "test"})["key"]

    @functools.cached_property
    def oauth(self) -> OAuthGrant:
        """An OAuth client of its own, consent given for this app, and the tokens of the code exchanged."""
        client = self.sandbox.control("POST", "/oauth/clients", json={"name": f"tests of {self.name}",
                                                                       "redirect_uris": [REDIRECT_URI]})
        approved = self.sandbox.control("POST", "/oauth/authorize", json={
            "client_id": client["client_id"], "redirect_uri": REDIRECT_URI, "app": self.name})
        response = self.sandbox.http.post(self.token_url, timeout=self.sandbox.timeout, data={
            "grant_type": "authorization_code", "code": approved["code"], "redirect_uri": REDIRECT_URI,
            "client_id": client["client_id"], "client_secret": client["client_secret"]})
        if response.status_code != 200:
            raise SandboxError(response.status_code, response.text)
        token = response.json()
        return OAuthGrant(client["client_id"], client["client_secret"], REDIRECT_URI, token["access_token"],
                          token["refresh_token"], token["expires_in"])

    @property
    def access_token(self) -> str:
        """An OAuth access token for the app (send it as ``Authorization: Bearer …``)."""
        return self.oauth.access_token

    # --- the control API ----------------------------------------------------------------------------------

    def control(self, method: str, path: str = "", **kwargs) -> dict:
        """``method`` on /sandbox/apps/<app>``path``: what every helper below is made of."""
        return self.sandbox.control(method, f"/apps/{self.name}{path}", **kwargs)

    def clock(self) -> dict:
        """The app's clock: ``now`` (UTC), ``local``, ``frozen``, ``rate``."""
        return self.control("GET", "/clock")

    def now(self) -> datetime:
        return datetime.fromisoformat(self.clock()["now"])

    def freeze(self, at: datetime | str | None = None) -> dict:
        """Stop the app's clock, at ``at`` if given (ISO 8601; no zone means the app's local time)."""
        body: dict = {"action": "freeze"}
        if at is not None:
            body["time"] = at.isoformat() if isinstance(at, datetime) else at
        return self.control("POST", "/clock", json=body)

    def advance(self, by: str | float) -> dict:
        """Move the app's clock forward by ``by`` ("90m", "7d", or seconds), running every timer, email and post
        that falls due on the way, in order."""
        return self.control("POST", "/clock", json={"action": "advance", "by": by})

    def outbox(self, subject: str | None = None, to: str | None = None, **filters) -> list[dict]:
        """The messages the app sent or skipped, oldest first, each a dict (``subject``, ``to_address``,
        ``status``, ``html_body`` …). ``subject`` and ``to`` keep those whose subject contains it or that went to
        that address; other filters go to the API (``kind``, ``status``, ``contact_id``, ``origin``)."""
        messages, params = [], {**filters, "count": 1000}
        while True:
            page = self.control("GET", "/outbox", params=params)
            messages.extend(page["messages"])
            if "next" not in page:
                break
            params["next"] = page["next"]
        return [m for m in messages if (subject is None or subject in (m.get("subject") or ""))
                and (to is None or (m.get("to_address") or "").lower() == to.lower())]

    def options(self, **changes) -> dict:
        """The app's options; with keyword arguments, change those first (``options(email_rate_limit=…)``)."""
        if changes:
            return self.control("PATCH", "/options", json=changes)
        return self.control("GET", "/options")

    def reset(self) -> dict:
        """Back to the seed: the app's data is deleted and seeded again; its key, clock and options stay."""
        return self.control("POST", "/reset")

    def journal(self, **filters) -> list[dict]:
        """The app's request journal, newest first (at most 1000 entries); ``filters`` as the API takes them:
        ``protocol``, ``method`` (a glob), ``outcome``, ``since``, ``credential`` (docs/control.md)."""
        return self.control("GET", "/journal", params={**filters, "count": 1000})["entries"]

    def inject_fault(self, **rule) -> dict:
        """Add a fault-injection rule (docs/control.md): ``inject_fault(match={"method": "ContactService.add"},
        action={"type": "xmlrpc_fault", "tag": "DatabaseError"}, first=1)``; the rule as stored, with its id."""
        return self.control("POST", "/faults", json=rule)

    def clear_faults(self) -> None:
        self.control("DELETE", "/faults")

    def snapshot(self, name: str) -> dict:
        """Save the app's data, clock and options under ``name``."""
        return self.control("POST", "/snapshots", json={"name": name})

    def restore(self, name: str) -> dict:
        """Put the app back as it was at the snapshot ``name``."""
        return self.control("POST", f"/snapshots/{name}/restore")

    def delete(self) -> None:
        """Delete the app and everything in it (its keys stop working)."""
        self.control("DELETE")

    def events(self) -> list[dict]:
        """The app's change log (every write, oldest first)."""
        events, params = [], {"count": 1000}
        while True:
            page = self.control("GET", "/events", params=params)
            events.extend(page["events"])
            if "next" not in page:
                return events
            params["next"] = page["next"]


def from_environment(url_variable: str = "KEAP_SANDBOX_URL") -> Sandbox | None:
    """The sandbox named by the environment (``KEAP_SANDBOX_URL``, and ``KEAP_SANDBOX_ADMIN_TOKEN`` or
    ``SANDBOX_ADMIN_TOKEN``), or None."""
    url = os.environ.get(url_variable)
    if not url:
        return None
    return Sandbox(url, os.environ.get("KEAP_SANDBOX_ADMIN_TOKEN") or os.environ.get("SANDBOX_ADMIN_TOKEN"))
