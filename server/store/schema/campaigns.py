"""The campaign engine's state (Campaign Builder campaigns, goals, enrollments, step runs, round robins,
fulfillment lists) and the legacy follow-up sequences, action sets and templates."""
from __future__ import annotations

import sqlalchemy as sa

from .base import entity, metadata, partial_index

# Legacy follow-up sequences (DataService Campaign, CampaignStep, Campaignee) and action sets (ActionSequence).
followup_sequence = entity("followup_sequence")
followup_step = entity(
    "followup_step",
    sa.Column("position", sa.Integer, nullable=False, default=0),
    sa.Column("delay_seconds", sa.Float, nullable=False, default=0.0),  # after the previous step (or entry)
    sa.Column("action", sa.JSON, nullable=True),  # what the step does: an email template, an action set …
)
sa.Index("ix_followup_step_sequence", followup_step.c.app_id, followup_step.c.sequence_id, followup_step.c.position)
followup_member = entity(
    "followup_member",
    sa.Column("next_step_id", sa.Integer, nullable=True),
    sa.Column("due_at", sa.Float, nullable=True),  # app time the next step runs; None while paused or done
    sa.Column("paused_remaining", sa.Float, nullable=True),  # seconds of the delay left when paused
    sa.Column("entered_at", sa.Float, nullable=False),
)
sa.Index("ix_followup_member_due", followup_member.c.app_id, followup_member.c.due_at)
sa.Index("ix_followup_member_contact", followup_member.c.app_id, followup_member.c.contact_id,
         followup_member.c.sequence_id)
action_set = entity("action_set", sa.Column("actions", sa.JSON, nullable=False, default=list))
template = entity(
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

# Automation categories (REST v2's ``automationCategory``) and the campaigns filed under them.
automation_category = sa.Table(
    "automation_category", metadata,
    sa.Column("app_id", sa.Integer, nullable=False),
    sa.Column("id", sa.Integer, nullable=False, autoincrement=False),
    sa.Column("name", sa.String(100), nullable=False),
    sa.PrimaryKeyConstraint("app_id", "id"),
)
campaign_category = sa.Table(
    "campaign_category", metadata,
    sa.Column("app_id", sa.Integer, nullable=False),
    sa.Column("campaign_id", sa.Integer, nullable=False),
    sa.Column("category_id", sa.Integer, nullable=False),
    sa.PrimaryKeyConstraint("app_id", "campaign_id", "category_id"),
)
sa.Index("ix_campaign_category_category", campaign_category.c.app_id, campaign_category.c.category_id)

# WordPress opt-in options (REST v2's ``integrations/wordpress/options``): what a WordPress opt-in goal's
# ``optin`` names.
wordpress_optin = sa.Table(
    "wordpress_optin", metadata,
    sa.Column("app_id", sa.Integer, nullable=False),
    sa.Column("key", sa.String(64), nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.PrimaryKeyConstraint("app_id", "key"),
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
partial_index("ix_enrollment_due", enrollment.c.app_id, enrollment.c.due_at, enrollment.c.id,  # the drain's order
              where=DUE)
partial_index("uq_enrollment_live", enrollment.c.app_id, enrollment.c.sequence_id, enrollment.c.path,
              enrollment.c.contact_id, unique=True, where=enrollment.c.state.in_(LIVE_STATES))
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

# Round robins of the account (CRM > Settings > Round Robins: "created outside of the campaign builder", seed
# 001): the users and how many in turn each takes, and one counter shared by every item that names the round robin.
round_robin_rule = sa.Table(
    "round_robin_rule", metadata,
    sa.Column("app_id", sa.Integer, nullable=False),
    sa.Column("id", sa.Integer, nullable=False, autoincrement=False),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("users", sa.JSON, nullable=False),  # [{"user_id": 1, "weight": 2}, ...], in turn order
    sa.Column("next_index", sa.Integer, nullable=False, default=0),
    sa.PrimaryKeyConstraint("app_id", "id"),
    sa.Index("uq_round_robin_rule_name", "app_id", "name", unique=True),
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
