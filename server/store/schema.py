"""The store's tables. The columns of every entity behind a DataService table are derived from the table
descriptions in server.tables; this module adds only what the API does not show (app ids, keys, indexes,
internal columns) and the sandbox's own tables."""
from __future__ import annotations

import sqlalchemy as sa

from server.tables import REGISTRY, FieldType

metadata = sa.MetaData(naming_convention={
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "pk": "pk_%(table_name)s",
})

_SQL_TYPES = {
    FieldType.INT: sa.Integer,
    FieldType.DOUBLE: sa.Float,
    FieldType.STRING: sa.Text,
    FieldType.DATETIME: sa.DateTime,
    FieldType.BOOLEAN: sa.Boolean,
    FieldType.BLOB: sa.LargeBinary,
}


def _api_columns(entity: str) -> list[sa.Column]:
    """One column per field stored on ``entity`` by any API table, in declaration order."""
    columns: dict[str, sa.Column] = {}
    types: dict[str, FieldType] = {}
    for table in REGISTRY.by_entity(entity):
        for field in table.fields.values():
            if field.column is None or field.column == "id":
                continue
            if field.column in types:
                if types[field.column] is not field.type:
                    raise TypeError(f"{entity}.{field.column}: {table.name}.{field.name} disagrees on its type")
                continue
            types[field.column] = field.type
            columns[field.column] = sa.Column(field.column, _SQL_TYPES[field.type](), nullable=True)
    return list(columns.values())


# Every entity behind a DataService table, by name (what server.tables' descriptions call ``entity``).
ENTITIES: dict[str, sa.Table] = {}


def _entity(name: str, *extra, primary_key: tuple[str, ...] = ("app_id", "id")) -> sa.Table:
    key = [sa.Column("app_id", sa.Integer, nullable=False)]
    if "id" in primary_key:
        key.append(sa.Column("id", sa.Integer, nullable=False, autoincrement=False))
    table = sa.Table(name, metadata, *key, *_api_columns(name), *extra, sa.PrimaryKeyConstraint(*primary_key))
    ENTITIES[name] = table
    return table


# --- the sandbox's own tables -------------------------------------------------------------------------

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
    # the key of the app's public URL tokens (server.domain.public_urls): random, never sent to anyone
    sa.Column("url_secret", sa.String(64), nullable=False),
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

# --- entities behind DataService tables --------------------------------------------------------------

contact = _entity(
    "contact",
    sa.Column("kind", sa.String(16), nullable=False, default="contact"),  # contact | company
)
sa.Index("ix_contact_app_kind_id", contact.c.app_id, contact.c.kind, contact.c.id)
sa.Index("ix_contact_email", contact.c.app_id, sa.func.lower(contact.c.email))
sa.Index("ix_contact_email2", contact.c.app_id, sa.func.lower(contact.c.email_address2))
sa.Index("ix_contact_email3", contact.c.app_id, sa.func.lower(contact.c.email_address3))
sa.Index("ix_contact_last_name", contact.c.app_id, sa.func.lower(contact.c.last_name))
sa.Index("ix_contact_last_updated", contact.c.app_id, contact.c.last_updated)

contact_action = _entity(
    "contact_action",
    sa.Column("location", sa.Text, nullable=True),  # a REST appointment's location (no DataService field)
)
sa.Index("ix_contact_action_contact", contact_action.c.app_id, contact_action.c.contact_id)

# When a tag or category was created and last changed (REST v2's create_time and update_time; no DataService
# field shows them): stamped by every write through server.domain.records.
tag = _entity("tag", sa.Column("date_created", sa.DateTime, nullable=True),
              sa.Column("last_updated", sa.DateTime, nullable=True))
tag_category = _entity("tag_category", sa.Column("date_created", sa.DateTime, nullable=True),
                       sa.Column("last_updated", sa.DateTime, nullable=True))

tag_assignment = _entity("tag_assignment", primary_key=("app_id", "contact_id", "tag_id"))
sa.Index("ix_tag_assignment_tag", tag_assignment.c.app_id, tag_assignment.c.tag_id)

custom_field = _entity("custom_field")
sa.Index("ix_custom_field_form", custom_field.c.app_id, custom_field.c.form_id)
custom_field_group = _entity("custom_field_group")
custom_field_tab = _entity("custom_field_tab")

# Custom field values, one row per (field, record), typed so that each kind can be indexed and compared.
custom_value = sa.Table(
    "custom_value", metadata,
    sa.Column("app_id", sa.Integer, primary_key=True),
    sa.Column("field_id", sa.Integer, primary_key=True),
    sa.Column("record_id", sa.Integer, primary_key=True),
    sa.Column("text_value", sa.Text, nullable=True),
    sa.Column("num_value", sa.Float, nullable=True),
    sa.Column("date_value", sa.DateTime, nullable=True),
)
sa.Index("ix_custom_value_text", custom_value.c.app_id, custom_value.c.field_id, sa.func.lower(custom_value.c.text_value))
sa.Index("ix_custom_value_num", custom_value.c.app_id, custom_value.c.field_id, custom_value.c.num_value)
sa.Index("ix_custom_value_date", custom_value.c.app_id, custom_value.c.field_id, custom_value.c.date_value)
sa.Index("ix_custom_value_record", custom_value.c.app_id, custom_value.c.record_id)

user = _entity(
    "user",
    sa.Column("password_hash", sa.String(255), nullable=True),
    sa.Column("is_admin", sa.Boolean, nullable=False, default=False),
    # when the password expires, in seconds on the app's clock (None: never); authenticateUser then
    # answers fault 15 [FailedLoginAttemptPasswordExpired]
    sa.Column("password_expires_at", sa.Float, nullable=True),
    sa.Column("status", sa.String(16), nullable=True),  # REST's user status: Invited | Inactive (null: Active)
)
sa.Index("ix_user_email", user.c.app_id, sa.func.lower(user.c.email))

email_status = _entity(
    "email_status",
    sa.Column("email_key", sa.String(320), nullable=False),  # the address, lower-cased
    sa.Column("reason", sa.Text, nullable=True),
)
sa.Index("uq_email_status_key", email_status.c.app_id, email_status.c.email_key, unique=True)

link_type = _entity("link_type")

contact_link = sa.Table(
    "contact_link", metadata,
    sa.Column("app_id", sa.Integer, primary_key=True),
    sa.Column("contact_id1", sa.Integer, primary_key=True),
    sa.Column("contact_id2", sa.Integer, primary_key=True),
    sa.Column("link_type_id", sa.Integer, primary_key=True),
    sa.Column("date_created", sa.DateTime, nullable=False),
)
sa.Index("ix_contact_link_2", contact_link.c.app_id, contact_link.c.contact_id2)

# --- the campaign engine, follow-up sequences, action sets, templates, the outbox ---------------------------

# Legacy follow-up sequences (DataService Campaign, CampaignStep, Campaignee) and action sets (ActionSequence).
followup_sequence = _entity("followup_sequence")
followup_step = _entity(
    "followup_step",
    sa.Column("position", sa.Integer, nullable=False, default=0),
    sa.Column("delay_seconds", sa.Float, nullable=False, default=0.0),  # after the previous step (or entry)
    sa.Column("action", sa.JSON, nullable=True),  # what the step does: an email template, an action set …
)
sa.Index("ix_followup_step_sequence", followup_step.c.app_id, followup_step.c.sequence_id, followup_step.c.position)
followup_member = _entity(
    "followup_member",
    sa.Column("next_step_id", sa.Integer, nullable=True),
    sa.Column("due_at", sa.Float, nullable=True),  # app time the next step runs; None while paused or done
    sa.Column("paused_remaining", sa.Float, nullable=True),  # seconds of the delay left when paused
    sa.Column("entered_at", sa.Float, nullable=False),
)
sa.Index("ix_followup_member_due", followup_member.c.app_id, followup_member.c.due_at)
sa.Index("ix_followup_member_contact", followup_member.c.app_id, followup_member.c.contact_id,
         followup_member.c.sequence_id)
action_set = _entity("action_set", sa.Column("actions", sa.JSON, nullable=False, default=list))
template = _entity(
    "template",
    sa.Column("from_address", sa.Text, nullable=True),
    sa.Column("to_address", sa.Text, nullable=True),
    sa.Column("cc_address", sa.Text, nullable=True),
    sa.Column("bcc_address", sa.Text, nullable=True),
    sa.Column("subject", sa.Text, nullable=True),
    sa.Column("text_body", sa.Text, nullable=True),
    sa.Column("html_body", sa.Text, nullable=True),
    sa.Column("content_type", sa.String(16), nullable=True),
    sa.Column("merge_context", sa.String(32), nullable=True),
)

# Campaign Builder campaigns: the imported document (authoring, draft) and, once published, the compiled
# graph the runtime reads (server.engine.graph). Times on the app's clock, seconds since the epoch.
campaign = sa.Table(
    "campaign", metadata,
    sa.Column("app_id", sa.Integer, nullable=False),
    sa.Column("id", sa.Integer, nullable=False, autoincrement=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # draft | published | unpublished
    sa.Column("version", sa.Integer, nullable=False, default=0),  # published versions so far
    sa.Column("document", sa.JSON, nullable=False),
    sa.Column("ids", sa.JSON, nullable=False),  # "goal:<key>", "sequence:<key>", "item:<identity>" … -> id
    sa.Column("graph", sa.JSON, nullable=True),
    sa.Column("time_zone", sa.String(64), nullable=True),
    sa.Column("date_created", sa.Float, nullable=False),
    sa.Column("last_updated", sa.Float, nullable=False),
    sa.Column("published_date", sa.Float, nullable=True),
    sa.Column("error_message", sa.Text, nullable=True),
    sa.PrimaryKeyConstraint("app_id", "id"),
)

# What each published goal listens for: ``trigger`` is "<goal type>:<key>", e.g. "tag_applied:91".
goal_trigger = sa.Table(
    "goal_trigger", metadata,
    sa.Column("app_id", sa.Integer, nullable=False),
    sa.Column("trigger", sa.String(255), nullable=False),
    sa.Column("campaign_id", sa.Integer, nullable=False),
    sa.Column("goal_id", sa.Integer, nullable=False),
    sa.PrimaryKeyConstraint("app_id", "trigger", "goal_id"),
)

LIVE_STATES = ("active", "waiting", "paused", "queued")  # a contact is "in" the sequence
DUE_STATES = ("active", "waiting")  # rows the drain looks at

# A contact's place on one path of a sequence: one row per (run of a sequence, path).
enrollment = sa.Table(
    "enrollment", metadata,
    sa.Column("app_id", sa.Integer, nullable=False),
    sa.Column("id", sa.Integer, nullable=False, autoincrement=False),
    sa.Column("campaign_id", sa.Integer, nullable=False),
    sa.Column("sequence_id", sa.Integer, nullable=False),
    sa.Column("path", sa.Integer, nullable=False),
    sa.Column("contact_id", sa.Integer, nullable=False),
    sa.Column("run_no", sa.Integer, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),  # LIVE_STATES, or done | stopped | removed | fell_out
    sa.Column("cursor", sa.Integer, nullable=False, default=0),  # index of the next item on the path
    sa.Column("due_at", sa.Float, nullable=True),  # when the drain next looks at it; None: blocked or ended
    sa.Column("waiting_item_id", sa.Integer, nullable=True),  # the timer it waits on
    sa.Column("waiting_since", sa.Float, nullable=True),
    sa.Column("replay_from", sa.Float, nullable=True),  # republish catch-up: timers count from here
    sa.Column("entered_at", sa.Float, nullable=False),
    sa.Column("last_step_at", sa.Float, nullable=True),
    sa.Column("ended_at", sa.Float, nullable=True),
    sa.Column("source", sa.String(16), nullable=False),  # goal | manual | sequence
    sa.Column("source_id", sa.Integer, nullable=True),
    sa.Column("paused_remaining", sa.Float, nullable=True),
    sa.PrimaryKeyConstraint("app_id", "id"),
)
# The due rows, for the partial index below and for the queries that must use it: the states are written into
# the SQL, not bound, or SQLite's planner cannot match the index (a bound IN list might hold anything) and scans
# every enrollment of the app for each batch.
DUE = enrollment.c.state.in_([sa.literal(state, literal_execute=True) for state in DUE_STATES])
sa.Index("ix_enrollment_due", enrollment.c.app_id, enrollment.c.due_at, enrollment.c.id,  # the drain's order
         sqlite_where=DUE, postgresql_where=DUE)
_live = enrollment.c.state.in_(LIVE_STATES)
sa.Index("uq_enrollment_live", enrollment.c.app_id, enrollment.c.sequence_id, enrollment.c.path,
         enrollment.c.contact_id, unique=True, sqlite_where=_live, postgresql_where=_live)
sa.Index("ix_enrollment_contact", enrollment.c.app_id, enrollment.c.contact_id, enrollment.c.campaign_id)
sa.Index("ix_enrollment_sequence", enrollment.c.app_id, enrollment.c.sequence_id, enrollment.c.state)

# Each item an enrollment ran (or skipped), once: the unique key makes a replay after a crash a no-op.
step_run = sa.Table(
    "step_run", metadata,
    sa.Column("app_id", sa.Integer, nullable=False),
    sa.Column("enrollment_id", sa.Integer, nullable=False),
    sa.Column("item_id", sa.Integer, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # done | skipped | failed
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("executed_at", sa.Float, nullable=False),
    sa.Column("result", sa.JSON, nullable=True),
    sa.PrimaryKeyConstraint("app_id", "enrollment_id", "item_id"),
)
sa.Index("ix_step_run_item", step_run.c.app_id, step_run.c.item_id, step_run.c.executed_at)

goal_achievement = sa.Table(
    "goal_achievement", metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("app_id", sa.Integer, nullable=False),
    sa.Column("campaign_id", sa.Integer, nullable=False),
    sa.Column("goal_id", sa.Integer, nullable=False),
    sa.Column("contact_id", sa.Integer, nullable=False),
    sa.Column("achieved_at", sa.Float, nullable=False),
    sa.Index(None, "app_id", "goal_id", "achieved_at"),
    sa.Index(None, "app_id", "contact_id"),
)

# Round robins (assign owner, create opportunity): a persistent counter per item, never randomness.
round_robin = sa.Table(
    "round_robin", metadata,
    sa.Column("app_id", sa.Integer, nullable=False),
    sa.Column("item_id", sa.Integer, nullable=False),
    sa.Column("next_index", sa.Integer, nullable=False, default=0),
    sa.PrimaryKeyConstraint("app_id", "item_id"),
)

# The lead score of a contact (the "contact reaches a lead score" goal); set through the control API.
lead_score = sa.Table(
    "lead_score", metadata,
    sa.Column("app_id", sa.Integer, nullable=False),
    sa.Column("contact_id", sa.Integer, nullable=False),
    sa.Column("score", sa.Integer, nullable=False),
    sa.PrimaryKeyConstraint("app_id", "contact_id"),
)

# Tasks a campaign created, so that completing one can achieve a task-completed goal.
campaign_task = sa.Table(
    "campaign_task", metadata,
    sa.Column("app_id", sa.Integer, nullable=False),
    sa.Column("action_id", sa.Integer, nullable=False),
    sa.Column("campaign_id", sa.Integer, nullable=False),
    sa.Column("item_id", sa.Integer, nullable=False),
    sa.PrimaryKeyConstraint("app_id", "action_id"),
)

# Fulfillment lists: rows collect per item until delivered as a CSV job (to a user's dashboard or an address).
fulfillment_row = sa.Table(
    "fulfillment_row", metadata,
    sa.Column("app_id", sa.Integer, nullable=False),
    sa.Column("id", sa.Integer, nullable=False, autoincrement=False),
    sa.Column("item_id", sa.Integer, nullable=False),
    sa.Column("contact_id", sa.Integer, nullable=False),
    sa.Column("values", sa.JSON, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("job_id", sa.Integer, nullable=True),  # None: queued, not delivered yet
    sa.PrimaryKeyConstraint("app_id", "id"),
)
sa.Index("ix_fulfillment_row_pending", fulfillment_row.c.app_id, fulfillment_row.c.item_id, fulfillment_row.c.job_id)
fulfillment_job = sa.Table(
    "fulfillment_job", metadata,
    sa.Column("app_id", sa.Integer, nullable=False),
    sa.Column("id", sa.Integer, nullable=False, autoincrement=False),
    sa.Column("item_id", sa.Integer, nullable=False),
    sa.Column("campaign_id", sa.Integer, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # delivered | completed
    sa.Column("csv", sa.Text, nullable=False),
    sa.Column("row_count", sa.Integer, nullable=False),
    sa.Column("user_id", sa.Integer, nullable=True),
    sa.Column("email", sa.Text, nullable=True),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.PrimaryKeyConstraint("app_id", "id"),
)

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
# --- services: saved searches, affiliates, files, web forms, lead sources, tickets, templates ---------------

saved_filter = _entity(
    "saved_filter",
    sa.Column("report", sa.String(32), nullable=False, default="contact"),  # the report it runs: contact | company
    sa.Column("criteria", sa.JSON, nullable=False, default=dict),  # DataService criteria over the report's table
    sa.Column("columns", sa.JSON, nullable=False, default=list),  # the report columns it shows
)

affiliate = _entity("affiliate")
sa.Index("ix_affiliate_code", affiliate.c.app_id, sa.func.lower(affiliate.c.aff_code))
sa.Index("ix_affiliate_contact", affiliate.c.app_id, affiliate.c.contact_id)
referral = _entity("referral")
sa.Index("ix_referral_contact", referral.c.app_id, referral.c.contact_id, referral.c.date_set)
sa.Index("ix_referral_affiliate", referral.c.app_id, referral.c.affiliate_id)
aff_resource = _entity("aff_resource")

# Referral partner programs and their members (the real API shows them only through AffiliateProgramService).
affiliate_program = sa.Table(
    "affiliate_program", metadata,
    sa.Column("app_id", sa.Integer, primary_key=True),
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("notes", sa.Text, nullable=True),
    sa.Column("priority", sa.Integer, nullable=False, default=0),
)
affiliate_program_member = sa.Table(
    "affiliate_program_member", metadata,
    sa.Column("app_id", sa.Integer, primary_key=True),
    sa.Column("program_id", sa.Integer, primary_key=True),
    sa.Column("affiliate_id", sa.Integer, primary_key=True),
)
sa.Index("ix_affiliate_program_member_affiliate", affiliate_program_member.c.app_id,
         affiliate_program_member.c.affiliate_id)

# Redirect links: /go/<app>/<local_url_code>/<AffCode> sets the referral and redirects to redirect_url.
affiliate_redirect = sa.Table(
    "affiliate_redirect", metadata,
    sa.Column("app_id", sa.Integer, primary_key=True),
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("affiliate_id", sa.Integer, nullable=False, default=0),  # 0: offered to every affiliate
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("local_url_code", sa.String(64), nullable=False),
    sa.Column("redirect_url", sa.Text, nullable=False),
    sa.Column("program_ids", sa.Text, nullable=True),  # comma-joined, like AffResource.ProgramIds
)
sa.Index("ix_affiliate_redirect_code", affiliate_redirect.c.app_id, affiliate_redirect.c.local_url_code)

# Commissions earned, clawed back and paid out: what the APIAffiliateService reports read.
affiliate_ledger = sa.Table(
    "affiliate_ledger", metadata,
    sa.Column("app_id", sa.Integer, primary_key=True),
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("affiliate_id", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),  # commission | clawback | payout
    sa.Column("amount", sa.Float, nullable=False),
    sa.Column("date_earned", sa.DateTime, nullable=False),  # app-local, like every API date
    sa.Column("contact_id", sa.Integer, nullable=True),
    sa.Column("invoice_id", sa.Integer, nullable=True),
    sa.Column("product_id", sa.Integer, nullable=True),
    sa.Column("product_name", sa.Text, nullable=True),
    sa.Column("description", sa.Text, nullable=True),
    sa.Column("sale_affiliate_id", sa.Integer, nullable=True),
    sa.Column("commission_type", sa.String(8), nullable=True),  # lead | sale
    sa.Column("payout_type", sa.Text, nullable=True),  # payouts: how it was paid
)
sa.Index("ix_affiliate_ledger_affiliate", affiliate_ledger.c.app_id, affiliate_ledger.c.affiliate_id,
         affiliate_ledger.c.kind, affiliate_ledger.c.date_earned)
sa.Index("ix_affiliate_ledger_invoice", affiliate_ledger.c.app_id, affiliate_ledger.c.invoice_id)

file_box = _entity(
    "file_box",
    sa.Column("storage_key", sa.String(255), nullable=False),  # where the bytes are, under <data_dir>/files
    sa.Column("content_type", sa.String(255), nullable=True),
    sa.Column("created_by", sa.Integer, nullable=True),
    sa.Column("date_created", sa.DateTime, nullable=False),
    sa.Column("last_updated", sa.DateTime, nullable=False),
    # REST's file_association: CONTACT, USER or COMPANY (null: CONTACT with a contact, else COMPANY)
    sa.Column("association", sa.String(8), nullable=True),
)
sa.Index("ix_file_box_contact", file_box.c.app_id, file_box.c.contact_id)

# Legacy web forms: fields, tags and thank-you page as data.
webform = sa.Table(
    "webform", metadata,
    sa.Column("app_id", sa.Integer, primary_key=True),
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False, default="web"),  # web | landing | internal
    sa.Column("title", sa.Text, nullable=True),
    sa.Column("fields", sa.JSON, nullable=False, default=list),
    sa.Column("tag_ids", sa.JSON, nullable=False, default=list),
    sa.Column("opt_in", sa.Boolean, nullable=False, default=True),
    sa.Column("submit_label", sa.Text, nullable=True),
    sa.Column("thank_you_url", sa.Text, nullable=True),
)

expense = _entity(
    "expense",
    sa.Column("lead_source_expense_id", sa.Integer, nullable=True),  # the LeadSourceExpense it mirrors
)
sa.Index("ix_expense_type", expense.c.app_id, expense.c.expense_type, expense.c.type_id)
group_assign = _entity("group_assign")
sa.Index("ix_group_assign_user", group_assign.c.app_id, group_assign.c.user_id)
user_group = _entity("user_group")
lead_source = _entity("lead_source")
lead_source_category = _entity("lead_source_category")
lead_source_expense = _entity("lead_source_expense")
sa.Index("ix_lead_source_expense_source", lead_source_expense.c.app_id, lead_source_expense.c.lead_source_id)
lead_source_recurring_expense = _entity("lead_source_recurring_expense")
mtg_lead = _entity("mtg_lead")
social_account = _entity("social_account")
sa.Index("ix_social_account_contact", social_account.c.app_id, social_account.c.contact_id)
opportunity_status = _entity("opportunity_status")

ticket = _entity("ticket")
sa.Index("ix_ticket_contact", ticket.c.app_id, ticket.c.contact_id)
ticket_stage = _entity("ticket_stage")
ticket_type = _entity("ticket_type")
# The notes left when tickets move between stages (ServiceCallService).
ticket_move = sa.Table(
    "ticket_move", metadata,
    sa.Column("app_id", sa.Integer, primary_key=True),
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("ticket_id", sa.Integer, nullable=False),
    sa.Column("from_stage", sa.Integer, nullable=True),
    sa.Column("to_stage", sa.Integer, nullable=False),
    sa.Column("notes", sa.Text, nullable=True),
    sa.Column("notify_ids", sa.Text, nullable=True),
    sa.Column("moved_at", sa.DateTime, nullable=False),
)
sa.Index("ix_ticket_move_ticket", ticket_move.c.app_id, ticket_move.c.ticket_id)

# Note, task and appointment templates (ContactService.applyActivityHistoryTemplate).
activity_template = sa.Table(
    "activity_template", metadata,
    sa.Column("app_id", sa.Integer, primary_key=True),
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),  # Note | Task | Appointment
    sa.Column("action_type", sa.Text, nullable=True),  # ContactAction.ActionType
    sa.Column("description", sa.Text, nullable=True),  # ContactAction.ActionDescription
    sa.Column("notes", sa.Text, nullable=True),  # ContactAction.CreationNotes
    sa.Column("due_in_days", sa.Integer, nullable=True),  # tasks: ActionDate is this many days later
    sa.Column("duration_minutes", sa.Integer, nullable=True),  # appointments: EndDate - ActionDate
    sa.Column("priority", sa.Integer, nullable=True),
)

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

# --- commerce: orders, invoices, payments, cards, subscriptions, products; opportunities -------------

job = _entity("job")
sa.Index("ix_job_contact", job.c.app_id, job.c.contact_id)
sa.Index("ix_job_recurring", job.c.app_id, job.c.job_recurring_id)
order_item = _entity("order_item")
sa.Index("ix_order_item_order", order_item.c.app_id, order_item.c.order_id)
sa.Index("ix_order_item_product", order_item.c.app_id, order_item.c.product_id)  # REST: orders of a product

invoice = _entity("invoice")
sa.Index("ix_invoice_contact", invoice.c.app_id, invoice.c.contact_id)
sa.Index("ix_invoice_job", invoice.c.app_id, invoice.c.job_id)
invoice_item = _entity("invoice_item")
sa.Index("ix_invoice_item_invoice", invoice_item.c.app_id, invoice_item.c.invoice_id)
sa.Index("ix_invoice_item_order_item", invoice_item.c.app_id, invoice_item.c.order_item_id)
invoice_payment = _entity("invoice_payment")
sa.Index("ix_invoice_payment_invoice", invoice_payment.c.app_id, invoice_payment.c.invoice_id)
sa.Index("ix_invoice_payment_payment", invoice_payment.c.app_id, invoice_payment.c.payment_id)
payment = _entity("payment")
sa.Index("ix_payment_invoice", payment.c.app_id, payment.c.invoice_id)
sa.Index("ix_payment_contact", payment.c.app_id, payment.c.contact_id)
ccharge = _entity("ccharge")
sa.Index("ix_ccharge_card", ccharge.c.app_id, ccharge.c.cc_id)

# How a custom payment plan is collected (InvoiceService.addPaymentPlan); the API shows none of it.
pay_plan = _entity(
    "pay_plan",
    sa.Column("auto_charge", sa.Boolean, nullable=False, default=False),
    sa.Column("credit_card_id", sa.Integer, nullable=True),
    sa.Column("merchant_account_id", sa.Integer, nullable=True),
    sa.Column("days_between_retry", sa.Integer, nullable=True),
    sa.Column("max_retry", sa.Integer, nullable=True),
)
sa.Index("ix_pay_plan_invoice", pay_plan.c.app_id, pay_plan.c.invoice_id)
pay_plan_item = _entity("pay_plan_item")
sa.Index("ix_pay_plan_item_plan", pay_plan_item.c.app_id, pay_plan_item.c.pay_plan_id)

# The full card number is never kept: what the sandbox merchant will answer for it is (server.domain.merchant).
credit_card = _entity("credit_card", sa.Column("check_code", sa.String(32), nullable=True))
sa.Index("ix_credit_card_contact", credit_card.c.app_id, credit_card.c.contact_id)

subscription_plan = _entity("subscription_plan")
sa.Index("ix_subscription_plan_product", subscription_plan.c.app_id, subscription_plan.c.product_id)
recurring_order = _entity("recurring_order")
sa.Index("ix_recurring_order_contact", recurring_order.c.app_id, recurring_order.c.contact_id)
job_recurring_instance = _entity("job_recurring_instance")
sa.Index("ix_job_recurring_instance_recurring", job_recurring_instance.c.app_id,
         job_recurring_instance.c.recurring_id)

product = _entity("product", sa.Column("inventory", sa.Integer, nullable=True),  # null: not tracked
                  sa.Column("subscription_only", sa.Boolean, nullable=True))  # REST's subscription_only
product_category = _entity("product_category")
product_category_assign = _entity("product_category_assign")
sa.Index("ix_product_category_assign_product", product_category_assign.c.app_id,
         product_category_assign.c.product_id)
sa.Index("ix_product_category_assign_category", product_category_assign.c.app_id,
         product_category_assign.c.product_category_id)
product_interest = _entity("product_interest")
sa.Index("ix_product_interest_object", product_interest.c.app_id, product_interest.c.object_id)
product_interest_bundle = _entity("product_interest_bundle")
product_option = _entity("product_option")
sa.Index("ix_product_option_product", product_option.c.app_id, product_option.c.product_id)
product_opt_value = _entity("product_opt_value")
sa.Index("ix_product_opt_value_option", product_opt_value.c.app_id, product_opt_value.c.product_option_id)

opportunity = _entity("opportunity")
sa.Index("ix_opportunity_contact", opportunity.c.app_id, opportunity.c.contact_id)
sa.Index("ix_opportunity_stage", opportunity.c.app_id, opportunity.c.stage_id)
stage = _entity("stage")
stage_move = _entity("stage_move")
sa.Index("ix_stage_move_opportunity", stage_move.c.app_id, stage_move.c.opportunity_id)

# Merchant accounts (chargeInvoice's merchantAccountId): the sandbox's test gateways.
merchant_account = sa.Table(
    "merchant_account", metadata,
    sa.Column("app_id", sa.Integer, primary_key=True),
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("mode", sa.String(16), nullable=False),  # test_cards | misconfigured
    sa.Column("is_default", sa.Boolean, nullable=False, default=False),
)

# DiscountService's specials (free trials, order/product/category/shipping total discounts).
discount = sa.Table(
    "discount", metadata,
    sa.Column("app_id", sa.Integer, primary_key=True),
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("kind", sa.String(16), nullable=False),  # free_trial | order_total | category | product | shipping
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False, default=""),
    sa.Column("apply_to_commission", sa.Integer, nullable=False, default=0),
    sa.Column("percent", sa.Integer, nullable=False, default=0),  # 1: amount is a percentage
    sa.Column("amount", sa.Float, nullable=False, default=0.0),
    sa.Column("pay_type", sa.String(8), nullable=True),  # Gross | Net
    sa.Column("free_trial_days", sa.Integer, nullable=True),
    sa.Column("hide_price", sa.Integer, nullable=True),
    sa.Column("subscription_plan_id", sa.Integer, nullable=True),
    sa.Column("product_id", sa.Integer, nullable=True),
)
discount_category = sa.Table(
    "discount_category", metadata,
    sa.Column("app_id", sa.Integer, primary_key=True),
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("discount_id", sa.Integer, nullable=False),
    sa.Column("product_category_id", sa.Integer, nullable=False),
    sa.Index(None, "app_id", "discount_id"),
)

# ShippingService's options; type-specific settings and ranges are kept as the service shows them.
shipping_option = sa.Table(
    "shipping_option", metadata,
    sa.Column("app_id", sa.Integer, primary_key=True),
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False, default=""),
    sa.Column("type", sa.String(32), nullable=False),  # Flat | Quantity | Weight | OrderTotal | Product | UPS
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    sa.Column("international", sa.Boolean, nullable=False, default=False),
    sa.Column("order_based", sa.Boolean, nullable=False, default=False),
    sa.Column("settings", sa.JSON, nullable=False, default=dict),
    sa.Column("ranges", sa.JSON, nullable=False, default=list),
)

# Sales tax (InvoiceService.recalculateTax, OrderService.placeOrder): a percentage of taxable lines, for
# contacts in ``state`` (every contact when null).
tax_rate = sa.Table(
    "tax_rate", metadata,
    sa.Column("app_id", sa.Integer, primary_key=True),
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("rate", sa.Float, nullable=False),
    sa.Column("state", sa.String(64), nullable=True),
)

# Commission overrides on invoices and subscriptions: recorded for the affiliate commissions to read.
commission_override = sa.Table(
    "commission_override", metadata,
    sa.Column("app_id", sa.Integer, primary_key=True),
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("invoice_id", sa.Integer, nullable=True),
    sa.Column("recurring_order_id", sa.Integer, nullable=True),
    sa.Column("affiliate_id", sa.Integer, nullable=False),
    sa.Column("product_id", sa.Integer, nullable=True),
    sa.Column("percentage", sa.Integer, nullable=True),
    sa.Column("amount", sa.Float, nullable=False),
    sa.Column("payout_type", sa.Integer, nullable=False),  # 4: paid up front, 5: after the customer pays
    sa.Column("description", sa.Text, nullable=False, default=""),
    sa.Column("date", sa.DateTime, nullable=True),
    sa.Index(None, "app_id", "invoice_id"),
    sa.Index(None, "app_id", "recurring_order_id"),
)

# CreditCardSubmissionService tokens: the card-entry page they open creates the CreditCard row.
card_submission = sa.Table(
    "card_submission", metadata,
    sa.Column("app_id", sa.Integer, primary_key=True),
    sa.Column("token", sa.String(80), primary_key=True),
    sa.Column("contact_id", sa.Integer, nullable=False),
    sa.Column("success_url", sa.Text, nullable=False),
    sa.Column("failure_url", sa.Text, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False),  # seconds since the epoch on the app's clock
    sa.Column("credit_card_id", sa.Integer, nullable=True),  # once a card was submitted
)

# Billing that falls due on the app's clock: subscription renewals, payment-plan instalments, retries of
# declined charges. One pending row per thing to do; a worker claims a row by moving it out of "pending".
billing_task = sa.Table(
    "billing_task", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("app_id", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),  # subscription | instalment | retry
    sa.Column("ref_id", sa.Integer, nullable=False),  # the RecurringOrder, PayPlanItem or Invoice id
    sa.Column("due_at", sa.Float, nullable=False),  # seconds since the epoch on the app's clock
    sa.Column("attempt", sa.Integer, nullable=False, default=0),
    sa.Column("status", sa.String(8), nullable=False, default="pending"),  # pending | running | done | failed
    sa.Index("ix_billing_task_due", "status", "app_id", "due_at"),
    sa.Index("ix_billing_task_ref", "app_id", "kind", "ref_id"),
)

# --- REST API: hook subscriptions and their deliveries (server.domain.hooks) -----------------------------

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
    sa.Column("status", sa.String(16), nullable=False),  # pending | delivered | failed | dropped
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("due_at", sa.Float, nullable=True),
    sa.Column("created_at", sa.DateTime, nullable=False),  # UTC, on the app's clock
    sa.Column("finished_at", sa.DateTime, nullable=True),
    sa.Column("log", sa.JSON, nullable=False),  # one entry per attempt: time, status code or error
    sa.PrimaryKeyConstraint("app_id", "id"),
    sa.Index("ix_hook_delivery_due", "status", "app_id", "due_at"),
    sa.Index("ix_hook_delivery_hook", "app_id", "hook_id", "status"),
)

# --- the last undocumented methods: follow-up step runs, cross-app contact links, survey results, affiliate
# phone stats (the ☆ methods of ContactService, AffiliateService; docs/divergences.md "Undocumented methods")

# When a contact last ran each step of a follow-up sequence (ContactService.getCampaigneeStepDetails); a
# contact's rows for a sequence go when it (re)enters the sequence or is removed from it.
followup_step_run = sa.Table(
    "followup_step_run", metadata,
    sa.Column("app_id", sa.Integer, nullable=False),
    sa.Column("contact_id", sa.Integer, nullable=False),
    sa.Column("step_id", sa.Integer, nullable=False),
    sa.Column("sequence_id", sa.Integer, nullable=False),
    sa.Column("run_at", sa.Float, nullable=False),  # seconds since the epoch on the app's clock
    sa.PrimaryKeyConstraint("app_id", "contact_id", "step_id"),
    sa.Index("ix_followup_step_run_sequence", "app_id", "contact_id", "sequence_id"),
)

# ContactService.linkContact's map: a contact of another app (its name and contact id) linked to a local one.
contact_locate_map = sa.Table(
    "contact_locate_map", metadata,
    sa.Column("app_id", sa.Integer, nullable=False),
    sa.Column("id", sa.Integer, nullable=False, autoincrement=False),  # the locateMapId
    sa.Column("remote_app", sa.String(255), nullable=False),
    sa.Column("remote_id", sa.Integer, nullable=False),
    sa.Column("local_id", sa.Integer, nullable=False),
    sa.Column("date_created", sa.DateTime, nullable=False),  # app-local
    sa.Column("last_updated", sa.DateTime, nullable=False),  # app-local: the last link or markLinkUpdated
    sa.PrimaryKeyConstraint("app_id", "id"),
    sa.Index("uq_contact_locate_map_remote", "app_id", "remote_app", "remote_id", unique=True),
    sa.Index("ix_contact_locate_map_local", "app_id", "local_id"),
)

# A contact's answers to a survey (ContactService.submitSurveyAndApplyActionSets submits one).
survey_result = sa.Table(
    "survey_result", metadata,
    sa.Column("app_id", sa.Integer, nullable=False),
    sa.Column("id", sa.Integer, nullable=False, autoincrement=False),
    sa.Column("contact_id", sa.Integer, nullable=False),
    sa.Column("survey", sa.String(255), nullable=False),
    sa.Column("answers", sa.JSON, nullable=False),
    sa.Column("date_created", sa.DateTime, nullable=False),  # app-local
    sa.Column("date_submitted", sa.DateTime, nullable=True),  # app-local; the last submission
    sa.PrimaryKeyConstraint("app_id", "id"),
    sa.Index("ix_survey_result_contact", "app_id", "contact_id"),
)

# AffiliateService.updatePhoneStats: the last call statistics reported for an affiliate.
affiliate_phone_stats = sa.Table(
    "affiliate_phone_stats", metadata,
    sa.Column("app_id", sa.Integer, nullable=False),
    sa.Column("affiliate_id", sa.Integer, nullable=False),
    sa.Column("calls", sa.Integer, nullable=False),
    sa.Column("total_time", sa.Float, nullable=False),
    sa.Column("average_time", sa.Float, nullable=False),
    sa.Column("last_updated", sa.DateTime, nullable=False),  # app-local
    sa.PrimaryKeyConstraint("app_id", "affiliate_id"),
)

# --- credentials: OAuth clients (developer apps, across every app), codes, tokens, Keap API keys ----------

oauth_client = sa.Table(
    "oauth_client", metadata,
    sa.Column("client_id", sa.String(128), primary_key=True),
    sa.Column("client_secret", sa.String(255), nullable=False),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("redirect_uris", sa.JSON, nullable=False, default=list),
    sa.Column("created_at", sa.DateTime, nullable=False),
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
    sa.Index(None, "app_id", "client_id"),
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


def app_data_tables() -> list[sa.Table]:
    """Tables that hold an app's data: what a reset deletes. The app row and credentials (its OAuth grants
    and Keap API keys) outlive a reset, so that a client keeps working across resets, as the app's key does."""
    return [t for t in metadata.sorted_tables
            if t.name != "app" and t not in CREDENTIAL_TABLES and "app_id" in t.c]
