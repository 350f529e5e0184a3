"""Credentials on the gateway endpoints (api.infusionsoft.com: /crm/xmlrpc/v1, later /crm/rest/v1).

The real gateway (Apigee) authenticates before anything reaches the API, and answers a refused credential
with HTTP 401 and a JSON fault of its own (spec rest-oauth-throttle.md §6.2, xmlrpc-api.md §5.4).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from server.store import apps, credentials
from server.store.db import Transaction
from server.store.session import AppRecord


class GatewayRejection(Exception):
    """An answer from the gateway itself: an HTTP status, a JSON body and headers."""

    def __init__(self, status: int, body: dict | str, headers: dict | None = None):
        super().__init__(body)
        self.status = status
        self.body = body
        self.headers = headers or {}
        self.window: str | None = None  # the throttle window that refused the call, if one did (the journal's)


def apigee_fault(status: int, faultstring: str, errorcode: str) -> GatewayRejection:
    return GatewayRejection(status, {"fault": {"faultstring": faultstring, "detail": {"errorcode": errorcode}}})


def no_credential() -> GatewayRejection:
    return apigee_fault(401, "Invalid access token", "oauth.v2.InvalidAccessToken")


def invalid_access_token() -> GatewayRejection:
    return apigee_fault(401, "Invalid Access Token", "keymanagement.service.invalid_access_token")


def expired_access_token() -> GatewayRejection:
    return apigee_fault(401, "Access Token expired", "keymanagement.service.access_token_expired")


def invalid_api_key() -> GatewayRejection:
    # Apigee's VerifyAPIKey answer for a key it does not know.
    return apigee_fault(401, "Invalid ApiKey", "oauth.v2.InvalidApiKey")


def switched_off(answer: str, path: str) -> GatewayRejection:
    """A retired route's answer (server.migration.retirement): what the real gateway gives once XML-RPC is switched
    off is undocumented; "not_found" is Apigee's answer for a path no deployed proxy serves, "unavailable" its
    answer when the target is down, "gone" a 410 in the same shape (docs/divergences.md)."""
    if answer == "gone":
        return apigee_fault(410, f"The API at {path} has been retired", "messaging.adaptors.http.flow.Gone")
    if answer == "unavailable":
        return apigee_fault(503, "The Service is temporarily unavailable",
                            "messaging.adaptors.http.flow.ServiceUnavailable")
    return apigee_fault(404, f"Unable to identify proxy for host: default and url: {path}",
                        "messaging.adaptors.http.flow.ApplicationNotFound")


@dataclass(frozen=True)
class Credential:
    kind: str  # "legacy_key", "oauth", "pat" or "sak"
    identity: str  # what the gateway's quotas count by: the OAuth client, or the key
    user_id: int | None = None  # the user it acts as (the OAuth grant's, the PAT's creator)
    limits: tuple[tuple[str, int], ...] = ()  # its own limits in place of the profile's (an OAuth client's)

    @property
    def regime(self) -> str:
        """The gateway's quota regime: "oauth" for OAuth clients, "key" for every kind of API key."""
        return "oauth" if self.kind == "oauth" else "key"


def legacy_key_credential(app: AppRecord) -> Credential:
    return Credential("legacy_key", f"app:{app.id}:key:legacy")


def oauth_client_credential(client_id: str, user_id: int | None = None, throttle: dict | None = None) -> Credential:
    """An OAuth client's identity: its windows count its calls to every app it is connected to, against its own
    ``throttle`` where the client has one (server.store.schema's ``oauth_client.throttle``)."""
    limits = tuple(sorted((k, int(v)) for k, v in (throttle or {}).items() if v is not None))
    return Credential("oauth", f"client:{client_id}", user_id, limits)


def api_key_credential(app_id: int, row, user_id: int | None = None) -> Credential:
    return Credential(row.kind, f"app:{app_id}:key:{row.id}", user_id)


def _bearer(headers: Mapping[str, str]) -> str | None:
    value = headers.get("Authorization", "")
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def authenticate(engine: Engine, headers: Mapping[str, str], query: Mapping[str, str],
                 within: Transaction | None = None) -> tuple[AppRecord, Credential]:
    """The app and credential of a gateway request, or a GatewayRejection: ``X-Keap-API-Key`` (a Personal
    Access Token, a Service Account Key, or the app's legacy key), else an OAuth access token in
    ``Authorization: Bearer`` or the ``access_token`` query parameter. Read in the call's transaction
    ``within`` (a reader, left open) if given, else in one of its own."""
    api_key = (headers.get("X-Keap-API-Key") or "").strip()  # header names are matched in any case
    # read on the driver (server.store.db.Transaction): a key's checks need no SQLAlchemy Connection
    tx = within if within is not None else Transaction(engine, write=False)
    try:
        if api_key:
            found = _api_key(tx, api_key)
            if found is None:
                raise invalid_api_key()
            return found
        token = _bearer(headers) or (query.get("access_token") or "").strip()
        if not token:
            raise no_credential()
        if token.startswith(tuple(credentials.KEY_PREFIXES.values())):
            found = _api_key(tx, token)  # third-party clients send Keap keys as bearer tokens too
            if found is not None:
                return found
        row = credentials.by_access_token(tx.conn(), token)
        if row is None or row.revoked:
            raise invalid_access_token()
        app = apps.by_id(tx, row.app_id)
    finally:
        if within is None:
            tx.end()
    if app is None:
        raise invalid_access_token()
    if app.clock_state.timestamp() >= row.issued_at + row.expires_in:
        raise expired_access_token()
    return app, oauth_client_credential(row.client_id, row.user_id, row.client_throttle)


def _api_key(conn, key: str) -> tuple[AppRecord, Credential] | None:
    """``conn``: a Connection or a Transaction."""
    found = credentials.key_with_app(conn, key)
    if found is not None and not found[0].revoked:
        row, app, first_user_id = found
        return app, api_key_credential(app.id, row, row.user_id or first_user_id)
    app = apps.by_legacy_key(conn, key)
    if app is not None:
        # A legacy key in X-Keap-API-Key: Keap's migration path for legacy-key integrations.
        return app, legacy_key_credential(app)
    return None
