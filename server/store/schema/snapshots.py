"""Snapshots of apps (server.store.snapshots): one row per saved state. The rows of the app's tables are kept in
a hidden app (``holder_app_id``, named ``__snap-…``, never listed, never callable, its due work never run); what
lives outside those tables (the app's own row: clock, settings, options; its credentials; its throttle state)
is kept in ``state``."""
from __future__ import annotations

import sqlalchemy as sa

from .base import metadata

app_snapshot = sa.Table(
    "app_snapshot", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("app_id", sa.Integer, nullable=False),  # the app it is a snapshot of
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("holder_app_id", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),  # UTC, wall clock
    sa.Column("app_time", sa.Float, nullable=False),  # the app's clock when it was taken
    sa.Column("state", sa.JSON, nullable=False),
    sa.UniqueConstraint("app_id", "name"),
)
