"""What the sandbox sends: the message outbox (emails, faxes, letters), campaign HTTP posts, and REST hook
subscriptions with their deliveries (server.domain.account.hooks)."""
from __future__ import annotations

import sqlalchemy as sa

from .base import metadata

# The outbox of communications and the email history: every email, fax, letter and voice message the
# sandbox "sends" (captured, never sent), every one it skipped and why, and emails logged by attachEmail.
message = sa.Table(
    "message", metadata,
    sa.Column("app_id", sa.Integer, nullable=False),
    sa.Column("id", sa.Integer, nullable=False, autoincrement=False),
    sa.Column("kind", sa.String(16), nullable=False),  # email | fax | letter | voice | customerhub
    sa.Column("status", sa.String(16), nullable=False),  # captured | skipped | logged
    sa.Column("reason", sa.Text, nullable=True),  # why it was skipped
    sa.Column("origin", sa.String(16), nullable=False),  # sequence | followup | action_set | api | attached | rest
    sa.Column("direction", sa.String(8), nullable=False, default="sent"),  # sent | received
    sa.Column("contact_id", sa.Integer, nullable=True),
    sa.Column("user_id", sa.Integer, nullable=True),
    sa.Column("campaign_id", sa.Integer, nullable=True),
    sa.Column("sequence_id", sa.Integer, nullable=True),
    sa.Column("item_id", sa.Integer, nullable=True),
    sa.Column("template_id", sa.Integer, nullable=True),
    sa.Column("from_name", sa.Text, nullable=True),
    sa.Column("from_address", sa.Text, nullable=True),
    sa.Column("reply_to", sa.Text, nullable=True),
    sa.Column("to_address", sa.Text, nullable=True),
    sa.Column("cc", sa.Text, nullable=True),
    sa.Column("bcc", sa.Text, nullable=True),
    sa.Column("subject", sa.Text, nullable=True),
    sa.Column("content_type", sa.String(16), nullable=True),
    sa.Column("html_body", sa.Text, nullable=True),
    sa.Column("text_body", sa.Text, nullable=True),
    sa.Column("headers", sa.Text, nullable=True),
    sa.Column("sent_date", sa.DateTime, nullable=True),  # app-local, as the APIs show it
    sa.Column("received_date", sa.DateTime, nullable=True),
    sa.Column("opened_date", sa.DateTime, nullable=True),
    sa.Column("clicked_date", sa.DateTime, nullable=True),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("idempotency_key", sa.String(200), nullable=True),
    sa.Column("token", sa.String(64), nullable=True),  # "<app id>-<id>-<random>": its unsubscribe and click links
    sa.Column("links", sa.JSON, nullable=True),  # the URLs its tracked links lead to
    # REST email records (POST /emails, /emails/sync): where a synced email came from
    sa.Column("original_provider", sa.String(16), nullable=True),  # INFUSIONSOFT | GOOGLE | MICROSOFT | UNKNOWN
    sa.Column("original_provider_id", sa.String(255), nullable=True),
    sa.Column("provider_source_id", sa.Text, nullable=True),
    # what the sandbox's "delivery" of a captured email came to (server.domain.mail.deliverability): delivered |
    # soft_bounce | hard_bounce | complaint | spam_report | invalid; and when (app-local)
    sa.Column("delivery", sa.String(16), nullable=True),
    sa.Column("delivery_date", sa.DateTime, nullable=True),
    sa.Column("broadcast_id", sa.Integer, nullable=True),  # the broadcast that sent it
    # files attached: [{"file_name", "content_type", "content": base64}] (a fulfillment list's CSV)
    sa.Column("attachments", sa.JSON, nullable=True),
    sa.PrimaryKeyConstraint("app_id", "id"),
)
sa.Index("uq_message_key", message.c.app_id, message.c.idempotency_key, unique=True)
sa.Index("uq_message_provider", message.c.app_id, message.c.original_provider, message.c.original_provider_id,
         unique=True)
sa.Index("ix_message_contact", message.c.app_id, message.c.contact_id, message.c.id)

# HTTP posts of campaign sequences, delivered for real off the request path with bounded retries.
http_post = sa.Table(
    "http_post", metadata,
    sa.Column("app_id", sa.Integer, nullable=False),
    sa.Column("id", sa.Integer, nullable=False, autoincrement=False),
    sa.Column("idempotency_key", sa.String(200), nullable=False),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("fields", sa.JSON, nullable=False),  # [[name, value], …] in the configured order, merged
    sa.Column("contact_id", sa.Integer, nullable=True),
    sa.Column("campaign_id", sa.Integer, nullable=True),
    sa.Column("item_id", sa.Integer, nullable=True),
    sa.Column("status", sa.String(16), nullable=False),  # pending | sending | delivered | failed
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("next_attempt_at", sa.Float, nullable=True),
    sa.Column("lease_until", sa.Float, nullable=True),  # wall time, while one worker sends it
    sa.Column("last_status", sa.Integer, nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("delivered_at", sa.Float, nullable=True),
    sa.Column("log", sa.JSON, nullable=False, default=list),  # every attempt: time, status, error
    sa.PrimaryKeyConstraint("app_id", "id"),
)
sa.Index("uq_http_post_key", http_post.c.app_id, http_post.c.idempotency_key, unique=True)
sa.Index("ix_http_post_due", http_post.c.app_id, http_post.c.status, http_post.c.next_attempt_at)

rest_hook = sa.Table(
    "rest_hook", metadata,
    sa.Column("app_id", sa.Integer, nullable=False),
    sa.Column("id", sa.Integer, nullable=False, autoincrement=False),  # the hook's ``key`` on the wire
    sa.Column("event_key", sa.String(64), nullable=False),
    sa.Column("hook_url", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # Unverified | Verified | Inactive
    sa.Column("secret", sa.String(64), nullable=False),  # the X-Hook-Secret of the last handshake
    sa.Column("created_at", sa.DateTime, nullable=False),  # UTC, on the app's clock
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.PrimaryKeyConstraint("app_id", "id"),
    sa.Index("ix_rest_hook_event", "app_id", "event_key", "status"),
)

# One POST to a subscriber: up to 1000 object keys of one event key. A batch takes more keys while it has
# not been attempted; ``due_at`` (seconds since the epoch on the app's clock) is its next attempt.
hook_delivery = sa.Table(
    "hook_delivery", metadata,
    sa.Column("app_id", sa.Integer, nullable=False),
    sa.Column("id", sa.Integer, nullable=False, autoincrement=False),
    sa.Column("hook_id", sa.Integer, nullable=False),
    sa.Column("event_key", sa.String(64), nullable=False),
    sa.Column("object_type", sa.String(32), nullable=False),
    sa.Column("object_keys", sa.JSON, nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # pending | sending | delivered | failed | dropped
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("due_at", sa.Float, nullable=True),
    sa.Column("lease_until", sa.Float, nullable=True),  # wall time, while one worker sends it (server.domain.outbox)
    sa.Column("created_at", sa.DateTime, nullable=False),  # UTC, on the app's clock
    sa.Column("finished_at", sa.DateTime, nullable=True),
    sa.Column("log", sa.JSON, nullable=False),  # one entry per attempt: time, status code or error
    sa.PrimaryKeyConstraint("app_id", "id"),
    sa.Index("ix_hook_delivery_due", "status", "app_id", "due_at"),
    sa.Index("ix_hook_delivery_hook", "app_id", "hook_id", "status"),
)

# Broadcasts (server.domain.mail.broadcasts): one template to a list, at one time on the app's clock. The real
# API has no broadcast endpoint; the control API and the CLI make them.
broadcast = sa.Table(
    "broadcast", metadata,
    sa.Column("app_id", sa.Integer, nullable=False),
    sa.Column("id", sa.Integer, nullable=False, autoincrement=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("template_id", sa.Integer, nullable=False),
    # {"tag_id": n} | {"saved_search_id": n, "user_id": n} | {"contact_ids": [...]}
    sa.Column("audience", sa.JSON, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # scheduled | sent | cancelled | failed
    sa.Column("send_at", sa.Float, nullable=False),  # seconds since the epoch on the app's clock
    sa.Column("created_at", sa.DateTime, nullable=False),  # UTC, on the app's clock
    sa.Column("sent_at", sa.DateTime, nullable=True),
    sa.Column("report", sa.JSON, nullable=True),  # the batch status report, once sent
    sa.PrimaryKeyConstraint("app_id", "id"),
    sa.Index("ix_broadcast_due", "status", "app_id", "send_at"),
)
