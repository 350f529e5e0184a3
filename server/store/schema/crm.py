"""Contacts and what hangs on them: notes/tasks/appointments, tags, custom fields and their values, users,
email status, contact links, cross-app contact links and survey results."""
from __future__ import annotations

import sqlalchemy as sa

from .base import entity, metadata

contact = entity(
    "contact",
    sa.Column("kind", sa.String(16), nullable=False, default="contact"),  # contact | company
    # Where the contact came from (REST's origin and source_type; no DataService field shows them):
    # server.domain.crm.origins
    sa.Column("origin_ip", sa.String(100), nullable=True),
    sa.Column("origin_date", sa.DateTime, nullable=True),  # app-local
    sa.Column("source_type", sa.String(32), nullable=True),
)
sa.Index("ix_contact_app_kind_id", contact.c.app_id, contact.c.kind, contact.c.id)
sa.Index("ix_contact_email", contact.c.app_id, sa.func.lower(contact.c.email))
sa.Index("ix_contact_email2", contact.c.app_id, sa.func.lower(contact.c.email_address2))
sa.Index("ix_contact_email3", contact.c.app_id, sa.func.lower(contact.c.email_address3))
sa.Index("ix_contact_last_name", contact.c.app_id, sa.func.lower(contact.c.last_name))
sa.Index("ix_contact_last_updated", contact.c.app_id, contact.c.last_updated)

contact_action = entity(
    "contact_action",
    sa.Column("location", sa.Text, nullable=True),  # a REST appointment's location (no DataService field)
    sa.Column("pinned_at", sa.DateTime, nullable=True),  # when a REST v2 note was pinned (no DataService field)
)
sa.Index("ix_contact_action_contact", contact_action.c.app_id, contact_action.c.contact_id)

# When a tag or category was created and last changed (REST v2's create_time and update_time; no DataService
# field shows them): stamped by every write through server.domain.data.records.
tag = entity("tag", sa.Column("date_created", sa.DateTime, nullable=True),
             sa.Column("last_updated", sa.DateTime, nullable=True))
tag_category = entity("tag_category", sa.Column("date_created", sa.DateTime, nullable=True),
                      sa.Column("last_updated", sa.DateTime, nullable=True))

tag_assignment = entity("tag_assignment", primary_key=("app_id", "contact_id", "tag_id"))
# a tag's contacts in contact order (ContactGroupAssign by GroupId, ordered by its key)
sa.Index("ix_tag_assignment_tag_contact", tag_assignment.c.app_id, tag_assignment.c.tag_id,
         tag_assignment.c.contact_id)

custom_field = entity("custom_field")
sa.Index("ix_custom_field_form", custom_field.c.app_id, custom_field.c.form_id)
# Where a header sits among its tab's and a tab among its form's (REST v2's ``order``; no DataService field)
custom_field_group = entity("custom_field_group", sa.Column("sort_order", sa.Integer, nullable=True))
custom_field_tab = entity("custom_field_tab", sa.Column("sort_order", sa.Integer, nullable=True))

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
sa.Index("ix_custom_value_text", custom_value.c.app_id, custom_value.c.field_id,
         sa.func.lower(custom_value.c.text_value))
sa.Index("ix_custom_value_num", custom_value.c.app_id, custom_value.c.field_id, custom_value.c.num_value)
sa.Index("ix_custom_value_date", custom_value.c.app_id, custom_value.c.field_id, custom_value.c.date_value)
sa.Index("ix_custom_value_record", custom_value.c.app_id, custom_value.c.record_id)

# The columns of a user's Company, Country, Fax1, Fax1Type, Fax2, Fax2Type, Phone3, Phone3Ext, Phone3Type, Website
USER_MERGE_COLUMNS = ("company", "country", "fax1", "fax1_type", "fax2", "fax2_type", "phone3", "phone3_ext",
                      "phone3_type", "website")

user = entity(
    "user",
    sa.Column("password_hash", sa.String(255), nullable=True),
    sa.Column("is_admin", sa.Boolean, nullable=False, default=False),
    # when the password expires, in seconds on the app's clock (None: never); authenticateUser then
    # answers fault 15 [FailedLoginAttemptPasswordExpired]
    sa.Column("password_expires_at", sa.Float, nullable=True),
    sa.Column("status", sa.String(16), nullable=True),  # REST's user status: Invited | Inactive (null: Active)
    # a user's details that the DataService User table does not show but ~Owner.*~ and ~LoggedInUser.*~ merge
    # (the recorded getAvailableMergeFields answer: server.domain.mail.merge_fields)
    *(sa.Column(name, sa.Text, nullable=True) for name in USER_MERGE_COLUMNS),
)
sa.Index("ix_user_email", user.c.app_id, sa.func.lower(user.c.email))

email_status = entity(
    "email_status",
    sa.Column("email_key", sa.String(320), nullable=False),  # the address, lower-cased
    sa.Column("reason", sa.Text, nullable=True),
)
sa.Index("uq_email_status_key", email_status.c.app_id, email_status.c.email_key, unique=True)

link_type = entity("link_type")

contact_link = sa.Table(
    "contact_link", metadata,
    sa.Column("app_id", sa.Integer, primary_key=True),
    sa.Column("contact_id1", sa.Integer, primary_key=True),
    sa.Column("contact_id2", sa.Integer, primary_key=True),
    sa.Column("link_type_id", sa.Integer, primary_key=True),
    sa.Column("date_created", sa.DateTime, nullable=False),
)
sa.Index("ix_contact_link_2", contact_link.c.app_id, contact_link.c.contact_id2)

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

# A contact's UTM parameters, one row per visit a form or the API recorded (REST v1 POST /contacts/{id}/utm,
# REST v2's utm_parameters); the first and the last are the contact's first and last touch.
contact_utm = sa.Table(
    "contact_utm", metadata,
    sa.Column("app_id", sa.Integer, nullable=False),
    sa.Column("id", sa.Integer, nullable=False, autoincrement=False),
    sa.Column("contact_id", sa.Integer, nullable=False),
    sa.Column("keap_source_id", sa.String(255), nullable=False),
    sa.Column("utm_source", sa.String(255), nullable=True),
    sa.Column("utm_medium", sa.String(255), nullable=True),
    sa.Column("utm_term", sa.String(255), nullable=True),
    sa.Column("utm_campaign", sa.String(255), nullable=True),
    sa.Column("utm_content", sa.String(255), nullable=True),
    sa.Column("date_created", sa.DateTime, nullable=False),  # app-local
    sa.PrimaryKeyConstraint("app_id", "id"),
    sa.Index("ix_contact_utm_contact", "app_id", "contact_id"),
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
