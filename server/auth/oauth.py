"""OAuth 2.0 as Keap runs it (spec rest-oauth-throttle.md §9): the authorization-code and refresh-token
grants of Authlib's authorization server, over the sandbox's stored clients, codes and tokens.

Keap's particulars: the only scope is ``full``, and a token's scope names the account it is for
(``full|sandbox.infusionsoft.com``); ``token_type`` is lower-case ``bearer``; refresh tokens rotate (the
old one stops working); lifetimes (24 hours and 45 days unless the app says otherwise) run on the clock of
the app the grant is for; and the token endpoint's errors have Keap's own bodies (``error_response``).
A code is exchanged once and a refresh token rotates once, however many requests present it together: the
request that marks it used (a compare-and-set in the store) issues the tokens, in the same transaction; the
others get ``invalid_grant``. With the app option ``refresh_token_reuse_detection`` on (the sandbox's; off by
default, as Keap is not known to do it), a rotated refresh token presented again revokes the whole grant, as
OAuth's security best current practice recommends: the refresh failure a client meets when two of its
processes race to refresh.
"""
from __future__ import annotations

import base64
import binascii
import hmac
import json
from dataclasses import dataclass
from urllib.parse import unquote

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6749.errors import InvalidGrantError
from flask import Response
from sqlalchemy.engine import Engine

from server.auth.gateway import Credential, oauth_client_credential
from server.store import apps, credentials
from server.store.db import transaction
from server.store.session import AppRecord

CODE_LIFETIME = 600  # seconds of app time an authorization code stays valid


def scope_for(app: AppRecord) -> str:
    return f"full|{app.name}.infusionsoft.com"


@dataclass(frozen=True)
class Grantee:
    """Who granted access: a user of one app (the account picked on the consent page)."""

    app: AppRecord
    user_id: int | None

    def get_user_id(self):
        return self.user_id


@dataclass(frozen=True)
class Client:
    row: object

    def get_client_id(self):
        return self.row.client_id

    def get_default_redirect_uri(self):
        uris = self.row.redirect_uris or []
        return uris[0] if uris else None

    def get_allowed_scope(self, scope):
        return "full" if not scope or scope.strip() == "full" else None  # "full" is the only scope

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri in (self.row.redirect_uris or [])

    def check_client_secret(self, client_secret):

        return hmac.compare_digest(str(client_secret).encode(), self.row.client_secret.encode())

    def check_endpoint_auth_method(self, method, endpoint):
        return method in ("client_secret_basic", "client_secret_post")  # Keap takes either

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type in ("authorization_code", "refresh_token")


@dataclass(frozen=True)
class Code:
    row: object

    def get_redirect_uri(self):
        return self.row.redirect_uri

    def get_scope(self):
        return self.row.scope

    def get_auth_time(self):
        return int(self.row.issued_at)

    def get_nonce(self):
        return None


@dataclass(frozen=True)
class Token:
    row: object

    def check_client(self, client):
        return self.row.client_id == client.get_client_id()

    def get_scope(self):
        return self.row.scope

    def get_expires_in(self):
        return self.row.expires_in

    def is_revoked(self):
        return self.row.revoked or self.row.rotated


class OAuthServer:
    def __init__(self, engine: Engine):
        self.engine = engine
        server = AuthorizationServer(query_client=self.query_client)  # each grant saves its tokens (save_token)
        server.register_token_generator("default", self.generate_token)
        server.register_grant(self._code_grant())
        server.register_grant(self._refresh_grant())
        self.server = server

    def init_app(self, app) -> None:
        self.server.init_app(app)
        self.server.register_token_generator("default", self.generate_token)  # init_app replaces it

    # --- storage hooks --------------------------------------------------------------------------------
    def query_client(self, client_id):
        with transaction(self.engine, write=False) as conn:
            row = credentials.client(conn, client_id)
        return Client(row) if row else None

    def app(self, app_id: int) -> AppRecord:
        with transaction(self.engine, write=False) as conn:
            return apps.by_id(conn, app_id)

    def grant_of(self, form: dict) -> tuple[AppRecord | None, Credential | None]:
        """The app and client a token request is for (by its code or refresh token), if they are known."""
        with transaction(self.engine, write=False) as conn:
            found = credentials.grant_of(conn, code=form.get("code"), refresh_token=form.get("refresh_token"))
            if found is None:
                return None, None
            # (the credential names the client for a fault rule; no window counts a token request)
            return apps.by_id(conn, found.app_id), oauth_client_credential(found.client_id)

    def generate_token(self, grant_type, client, user=None, scope=None, expires_in=None, include_refresh_token=True):
        return {
            "access_token": credentials.new_secret(24),
            "token_type": "bearer",
            "expires_in": int(user.app.option("access_token_lifetime")),
            "refresh_token": credentials.new_secret(24),
            "scope": scope_for(user.app),
        }

    @staticmethod
    def add_token(conn, token, request, grant_id: str) -> None:
        """Store the tokens issued to ``request`` (in the transaction that used its code or refresh token), as
        part of the grant ``grant_id``."""
        grantee: Grantee = request.user
        app = grantee.app
        now = app.clock_state.timestamp()
        credentials.add_token(
            conn, access_token=token["access_token"], refresh_token=token.get("refresh_token"),
            client_id=request.client.get_client_id(), app_id=app.id, user_id=grantee.user_id,
            scope="full", issued_at=now, expires_in=token["expires_in"],
            refresh_expires_at=now + int(app.option("refresh_token_lifetime")), grant_id=grant_id)

    # --- grants ---------------------------------------------------------------------------------------
    def _code_grant(self):
        outer = self

        class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

            def save_authorization_code(self, code, request):
                grantee: Grantee = request.user
                # the URI the code is sent to: the one named, else the client's first (authlib's default), so
                # that the exchange must name it too (spec §9.3: redirect_uri "must match")
                redirect_uri = request.payload.redirect_uri or request.client.get_default_redirect_uri()
                with transaction(outer.engine, write=True) as conn:
                    credentials.add_code(conn, code=code, client_id=request.client.get_client_id(),
                                         app_id=grantee.app.id, user_id=grantee.user_id,
                                         redirect_uri=redirect_uri, scope="full",
                                         issued_at=grantee.app.clock_state.timestamp())

            def query_authorization_code(self, code, client):
                with transaction(outer.engine, write=False) as conn:
                    row = credentials.code(conn, code, client.get_client_id())
                if row is None or row.used:
                    return None
                app = outer.app(row.app_id)
                if app is None or app.clock_state.timestamp() > row.issued_at + CODE_LIFETIME:
                    return None
                return Code(row)

            def save_token(self, token):
                code = self.request.authorization_code
                with transaction(outer.engine, write=True) as conn:
                    if not credentials.use_code(conn, code.row.code):  # another request exchanged it first
                        raise InvalidGrantError()
                    outer.add_token(conn, token, self.request, credentials.new_secret(18))  # a new grant

            def delete_authorization_code(self, authorization_code):
                pass  # used by save_token, in the transaction that issues the tokens

            def authenticate_user(self, authorization_code):
                return Grantee(outer.app(authorization_code.row.app_id), authorization_code.row.user_id)

        return AuthorizationCodeGrant

    def _refresh_grant(self):
        outer = self

        class RefreshTokenGrant(grants.RefreshTokenGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]
            INCLUDE_NEW_REFRESH_TOKEN = True  # refresh tokens rotate

            def authenticate_refresh_token(self, refresh_token):
                with transaction(outer.engine, write=False) as conn:
                    row = credentials.by_refresh_token(conn, refresh_token)
                if row is None or row.revoked:
                    return None
                app = outer.app(row.app_id)
                if row.rotated:
                    outer.reused(app, row)
                    return None
                if app is None or app.clock_state.timestamp() >= (row.refresh_expires_at or 0):
                    return None
                return Token(row)

            def authenticate_user(self, refresh_token):
                return Grantee(outer.app(refresh_token.row.app_id), refresh_token.row.user_id)

            def save_token(self, token):
                old = self.request.refresh_token
                grant_id = old.row.grant_id or credentials.new_secret(18)  # the grant goes on in the new pair
                with transaction(outer.engine, write=True) as conn:
                    rotated = credentials.rotate(conn, old.row.id, grant_id)
                    if rotated:
                        outer.add_token(conn, token, self.request, grant_id)
                if not rotated:  # another request refreshed with it first (or the grant went meanwhile)
                    outer.reused(self.request.user.app, old.row)
                    raise InvalidGrantError()

            def revoke_old_credential(self, refresh_token):
                pass  # rotated by save_token, in the transaction that issues the new pair

        return RefreshTokenGrant

    def reused(self, app: AppRecord | None, row) -> None:
        """A refresh token presented after it was used: with reuse detection on, someone else may hold the
        grant (RFC 9700 §4.14.2), and every token of it stops working."""
        if app is not None and app.option("refresh_token_reuse_detection"):
            with transaction(self.engine, write=True) as conn:
                credentials.revoke_grant(conn, row)

    # --- the token endpoint ---------------------------------------------------------------------------
    def token_response(self, form: dict, content_type: str, authorization: str = ""):
        """The answer to POST /token (``authorization``: its Authorization header), with Keap's error bodies."""
        grant_type = form.get("grant_type")
        if not grant_type or "json" in (content_type or ""):
            return error_response("invalid_request", "response_type or grant_type is required")
        if grant_type == "authorization_code" and not form.get("redirect_uri"):
            return error_response("invalid_request", "Missing redirect_uri")
        if not _readable_basic(authorization):
            return error_response("invalid_grant", "Unable to authenticate username and password", 401)
        response = self.server.create_token_response()
        if response.status_code == 200:
            response.headers["Content-Type"] = JSON  # spec §9.3 [wire S11, S14, S9]; authlib's has no charset
            return response
        body = json.loads(response.get_data() or b"{}")
        error = body.get("error")
        if error == "invalid_client":
            return error_response("invalid_grant", "Unable to authenticate username and password", 401)
        if error == "invalid_grant":
            message = "Authorization code is invalid" if grant_type == "authorization_code" else "Invalid refresh token"
            return error_response("invalid_grant", message)
        if error == "unsupported_grant_type":
            return error_response("unsupported_grant_type", f"Unsupported grant type: {grant_type}")
        return error_response(error or "invalid_request", body.get("error_description") or "Invalid request")


JSON = "application/json;charset=UTF-8"  # the token endpoint's answers, success and error alike


def _readable_basic(authorization: str) -> bool:
    """Whether HTTP Basic client credentials, if that is what ``authorization`` holds, can be read: authlib
    reads them as base64 of UTF-8 text and fails (a 500) on base64 of other bytes or on a header byte beyond
    ASCII. Base64 it cannot decode at all it takes as no credentials, as it does any other scheme."""
    try:
        basic_username(authorization)
    except ValueError:
        return False
    return True


def basic_username(authorization: str) -> str | None:
    """The client id in HTTP Basic credentials (``authorization``: the header), None without any; ValueError
    if they are not base64 of UTF-8 text (werkzeug's ``request.authorization`` fails on a byte beyond ASCII)."""
    scheme, _, value = authorization.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        text = base64.b64decode(value.strip()).decode("utf-8")
    except binascii.Error:  # (a ValueError) not base64: no credentials, as authlib reads it
        return None
    return unquote(text.partition(":")[0])


def error_response(error: str, description: str, status: int = 400):

    return Response(json.dumps({"error": error, "error_description": description}), status=status,
                    headers={"Content-Type": JSON, "Cache-Control": "no-store",
                             "Pragma": "no-cache"})
