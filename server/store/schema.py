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

# --- commerce: orders, invoices, payments, cards, subscriptions, products; opportunities -------------

job = _entity("job")
sa.Index("ix_job_contact", job.c.app_id, job.c.contact_id)
sa.Index("ix_job_recurring", job.c.app_id, job.c.job_recurring_id)
order_item = _entity("order_item")
sa.Index("ix_order_item_order", order_item.c.app_id, order_item.c.order_id)

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

product = _entity("product", sa.Column("inventory", sa.Integer, nullable=True))  # null: not tracked
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
