"""Credentials: OAuth clients (developer apps, across every app), codes and tokens, Keap API keys, vendor
keys and the temporary keys they buy."""
from __future__ import annotations

import sqlalchemy as sa

from .base import metadata

# DataService.getTemporaryKey: vendor keys (a vendor's key, given to one app in the sandbox) and the
# temporary API keys they buy, valid for an hour of the app's clock. Only hashes are kept.
vendor_key = sa.Table(
    "vendor_key", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("app_id", sa.Integer, nullable=False),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("hint", sa.String(32), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("revoked", sa.Boolean, nullable=False, default=False),
    sa.Index(None, "app_id"),
)

temporary_key = sa.Table(
    "temporary_key", metadata,
    sa.Column("key_hash", sa.String(64), primary_key=True),
    sa.Column("app_id", sa.Integer, nullable=False),
    sa.Column("user_id", sa.Integer, nullable=False),
    sa.Column("vendor_key_id", sa.Integer, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False),  # seconds since the epoch, on the app's clock
    sa.Index(None, "app_id"),
)

# --- credentials: OAuth clients (developer apps, across every app), codes, tokens, Keap API keys ----------

oauth_client = sa.Table(
    "oauth_client", metadata,
    sa.Column("client_id", sa.String(128), primary_key=True),
    sa.Column("client_secret", sa.String(255), nullable=False),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("redirect_uris", sa.JSON, nullable=False, default=list),
    sa.Column("created_at", sa.DateTime, nullable=False),
    # the gateway's windows of this client, set per developer app (seed 003: "we are able to modify this
    # throttle on a per app or per developer basis"): {"per_second", "per_minute", "per_day"}, each replacing
    # the app profile's OAuth limit (null, or absent: the profile's)
    sa.Column("throttle", sa.JSON, nullable=True),
)

# Times on codes and tokens are seconds since the epoch on the clock of the app they were issued for.
oauth_code = sa.Table(
    "oauth_code", metadata,
    sa.Column("code", sa.String(128), primary_key=True),
    sa.Column("client_id", sa.String(128), nullable=False),
    sa.Column("app_id", sa.Integer, nullable=False),
    sa.Column("user_id", sa.Integer, nullable=True),
    sa.Column("redirect_uri", sa.Text, nullable=True),
    sa.Column("scope", sa.String(255), nullable=False),
    sa.Column("issued_at", sa.Float, nullable=False),
    sa.Column("used", sa.Boolean, nullable=False, default=False),
)

oauth_token = sa.Table(
    "oauth_token", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("access_token", sa.String(128), nullable=False, unique=True),
    sa.Column("refresh_token", sa.String(128), nullable=True, unique=True),
    sa.Column("client_id", sa.String(128), nullable=False),
    sa.Column("app_id", sa.Integer, nullable=False),
    sa.Column("user_id", sa.Integer, nullable=True),
    sa.Column("scope", sa.String(255), nullable=False),
    sa.Column("issued_at", sa.Float, nullable=False),
    sa.Column("expires_in", sa.Integer, nullable=False),
    sa.Column("refresh_expires_at", sa.Float, nullable=True),
    sa.Column("revoked", sa.Boolean, nullable=False, default=False),  # no longer valid at all
    sa.Column("rotated", sa.Boolean, nullable=False, default=False),  # its refresh token was used
    # the grant it belongs to: one per code exchange, shared by every pair refreshed from it (what reuse
    # detection and a revocation end); null on tokens issued before it was recorded
    sa.Column("grant_id", sa.String(32), nullable=True),
    sa.Index(None, "app_id", "client_id"),
    sa.Index(None, "grant_id"),
)

# Personal Access Tokens and Service Account Keys: only a hash of the key is kept (it is shown once).
keap_key = sa.Table(
    "keap_key", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("app_id", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(8), nullable=False),  # pat | sak
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("hint", sa.String(32), nullable=False),  # the prefix and last characters, for listings
    sa.Column("user_id", sa.Integer, nullable=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("revoked", sa.Boolean, nullable=False, default=False),
    sa.Index(None, "app_id"),
)

CREDENTIAL_TABLES = (oauth_client, oauth_code, oauth_token, keap_key, vendor_key, temporary_key)
