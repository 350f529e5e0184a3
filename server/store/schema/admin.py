"""Administrative tables: saved searches, files, web forms, expenses, user groups, lead sources, social
accounts, opportunity statuses, tickets and activity templates (like server.tables.admin)."""
from __future__ import annotations

import sqlalchemy as sa

from .base import entity, metadata

saved_filter = entity(
    "saved_filter",
    sa.Column("report", sa.String(32), nullable=False, default="contact"),  # the report it runs: contact | company
    sa.Column("criteria", sa.JSON, nullable=False, default=dict),  # DataService criteria over the report's table
    sa.Column("columns", sa.JSON, nullable=False, default=list),  # the report columns it shows
)

file_box = entity(
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

expense = entity(
    "expense",
    sa.Column("lead_source_expense_id", sa.Integer, nullable=True),  # the LeadSourceExpense it mirrors
)
sa.Index("ix_expense_type", expense.c.app_id, expense.c.expense_type, expense.c.type_id)
group_assign = entity("group_assign")
sa.Index("ix_group_assign_user", group_assign.c.app_id, group_assign.c.user_id)
user_group = entity("user_group")


def _stamped(name: str) -> sa.Table:
    """When the row was created and last changed (REST v2's create_time and update_time; no DataService field
    shows them): stamped by every write through server.domain.data.records."""
    return entity(name, sa.Column("date_created", sa.DateTime, nullable=True),
                  sa.Column("last_updated", sa.DateTime, nullable=True))


lead_source = _stamped("lead_source")
lead_source_category = _stamped("lead_source_category")
lead_source_expense = _stamped("lead_source_expense")
sa.Index("ix_lead_source_expense_source", lead_source_expense.c.app_id, lead_source_expense.c.lead_source_id)
lead_source_recurring_expense = _stamped("lead_source_recurring_expense")
mtg_lead = entity("mtg_lead")
social_account = entity("social_account")
sa.Index("ix_social_account_contact", social_account.c.app_id, social_account.c.contact_id)
opportunity_status = entity("opportunity_status")

ticket = entity("ticket")
sa.Index("ix_ticket_contact", ticket.c.app_id, ticket.c.contact_id)
ticket_stage = entity("ticket_stage")
ticket_type = entity("ticket_type")
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
