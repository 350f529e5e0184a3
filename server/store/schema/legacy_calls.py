"""The migration report's counter (server.migration.counter): how many times each app received each XML-RPC
method and each legacy-key REST call, from which credential, on which DataService table (for the methods that name
one), first and last seen (wall time, epoch seconds).
Rows are added to in batches (additive upserts, so several workers add up); a reset keeps them (the integration
that made the calls is the same one), deleting the app removes them."""
from __future__ import annotations

import sqlalchemy as sa

from .base import metadata

legacy_call = sa.Table(
    "legacy_call", metadata,
    sa.Column("app_id", sa.Integer, nullable=False),
    sa.Column("protocol", sa.String(16), nullable=False),  # "xmlrpc", "rest_v1", "rest_v2"
    sa.Column("method", sa.String(200), nullable=False),  # Service.method, or "GET /crm/rest/v1/contacts/{id}"
    sa.Column("credential_kind", sa.String(16), nullable=False),  # "legacy_key", "oauth", … ("" for none)
    sa.Column("credential_id", sa.String(100), nullable=False),
    # the DataService table a DataService.query, load, add … named ("" for another method or a table not served)
    sa.Column("table_name", sa.String(64), nullable=False, server_default=""),
    sa.Column("calls", sa.BigInteger, nullable=False),
    sa.Column("first_seen", sa.Float, nullable=False),
    sa.Column("last_seen", sa.Float, nullable=False),
    sa.PrimaryKeyConstraint("app_id", "protocol", "method", "credential_kind", "credential_id", "table_name"),
)
