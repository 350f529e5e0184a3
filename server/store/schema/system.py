"""The sandbox's own tables: apps, id sequences and the ordered change log (domain events)."""
from __future__ import annotations

import sqlalchemy as sa

from .base import metadata

app = sa.Table(
    "app", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(63), nullable=False, unique=True),
    sa.Column("legacy_key", sa.String(128), nullable=True, unique=True),
    sa.Column("time_zone", sa.String(64), nullable=False),
    sa.Column("settings", sa.JSON, nullable=False, default=dict),
    sa.Column("profile", sa.JSON, nullable=False, default=dict),
    sa.Column("options", sa.JSON, nullable=False, default=dict),  # the sandbox's own per-app settings
    sa.Column("clock_anchor_real", sa.Float, nullable=True),
    sa.Column("clock_anchor_virtual", sa.Float, nullable=False, default=0.0),
    sa.Column("clock_rate", sa.Float, nullable=False, default=1.0),
    sa.Column("clock_frozen", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    # the key of the app's public URL tokens (server.domain.account.public_urls): random, never sent to anyone
    sa.Column("url_secret", sa.String(64), nullable=False),
    # a stamp of the app's fault-injection rules (server.faults), new at each change; 0, the usual case, when it
    # has none: the gate has the row already, so an app without rules costs no read, and a worker's parsed rules
    # stay good while the stamp does
    sa.Column("faults_version", sa.Integer, nullable=False, default=0, server_default="0"),
    # Random, and drawn again whenever the app's rows are replaced wholesale (a reset, a snapshot restored):
    # what is derived from its rows and remembered by id (compiled campaign graphs) is keyed by it too, since
    # ids and version numbers start again where they were (server.engine.graph).
    sa.Column("epoch", sa.String(32), nullable=False, server_default=""),
)

id_sequence = sa.Table(
    "id_sequence", metadata,
    sa.Column("app_id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(32), primary_key=True),
    sa.Column("next_id", sa.Integer, nullable=False),
)

# Every write appends here in the same transaction: the ordered change log that domain listeners,
# sync tokens and REST hooks read. ``seq`` counts each app's changes from 1 in commit order (allocated at
# commit from the app's "domain_event" id_sequence row, see server.store.session).
domain_event = sa.Table(
    "domain_event", metadata,
    sa.Column("app_id", sa.Integer, nullable=False),
    sa.Column("seq", sa.Integer, nullable=False, autoincrement=False),
    sa.Column("type", sa.String(64), nullable=False),
    sa.Column("entity", sa.String(32), nullable=False),
    sa.Column("entity_id", sa.Integer, nullable=True),
    sa.Column("occurred_at", sa.DateTime, nullable=False),  # UTC, on the app's clock
    sa.Column("payload", sa.JSON, nullable=False, default=dict),
    sa.PrimaryKeyConstraint("app_id", "seq"),
    sa.Index("ix_domain_event_entity", "app_id", "entity", "seq"),
)


# Fault-injection rules (server.faults): the rule as its control-API JSON, and how many calls it matched and
# how many it broke, counted in the store so that every worker counts the same sequence.
fault_rule = sa.Table(
    "fault_rule", metadata,
    sa.Column("app_id", sa.Integer, nullable=False),
    sa.Column("id", sa.Integer, nullable=False, autoincrement=False),
    sa.Column("rule", sa.JSON, nullable=False),
    sa.Column("matched", sa.Integer, nullable=False, default=0),
    sa.Column("injected", sa.Integer, nullable=False, default=0),
    sa.PrimaryKeyConstraint("app_id", "id"),
)

# Clock advances (server.sandbox.clocks): one row per advance asked for through the control API or the CLI, its
# progress and its summary, so every worker process can answer for one running in another. ``running_app_id``
# is the app's id while the advance runs and NULL after: unique, so one app has at most one advance running
# (two workers that start one at once: the second insert fails). ``lease_until`` (wall time) is moved on as the
# advance steps; a running advance whose lease ran out had its process die, and may be taken over.
clock_advance = sa.Table(
    "clock_advance", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("app_id", sa.Integer, nullable=False),
    sa.Column("running_app_id", sa.Integer, nullable=True, unique=True),
    sa.Column("status", sa.String(16), nullable=False),  # advancing | ready | failed
    sa.Column("start_at", sa.Float, nullable=False),  # app time when it started
    sa.Column("target_at", sa.Float, nullable=False),  # app time it goes to
    sa.Column("reached_at", sa.Float, nullable=False),  # app time it has reached
    sa.Column("summary", sa.JSON, nullable=True),  # server.tally.Tally.as_json(), so far
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("lease_until", sa.Float, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("finished_at", sa.DateTime, nullable=True),
    sa.Index(None, "app_id"),
)
