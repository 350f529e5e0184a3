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
)

id_sequence = sa.Table(
    "id_sequence", metadata,
    sa.Column("app_id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(32), primary_key=True),
    sa.Column("next_id", sa.Integer, nullable=False),
)

# Every write appends here in the same transaction: the ordered change log that domain listeners,
# sync tokens and REST hooks read.
domain_event = sa.Table(
    "domain_event", metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("app_id", sa.Integer, nullable=False),
    sa.Column("type", sa.String(64), nullable=False),
    sa.Column("entity", sa.String(32), nullable=False),
    sa.Column("entity_id", sa.Integer, nullable=True),
    sa.Column("occurred_at", sa.DateTime, nullable=False),  # UTC, on the app's clock
    sa.Column("payload", sa.JSON, nullable=False, default=dict),
    sa.Index(None, "app_id", "seq"),
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

contact_action = _entity("contact_action")
sa.Index("ix_contact_action_contact", contact_action.c.app_id, contact_action.c.contact_id)

tag = _entity("tag")
tag_category = _entity("tag_category")

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

CREDENTIAL_TABLES = (oauth_client, oauth_code, oauth_token, keap_key)


def app_data_tables() -> list[sa.Table]:
    """Tables that hold an app's data: what a reset deletes. The app row and credentials (its OAuth grants
    and Keap API keys) outlive a reset, so that a client keeps working across resets, as the app's key does."""
    return [t for t in metadata.sorted_tables
            if t.name != "app" and t not in CREDENTIAL_TABLES and "app_id" in t.c]
