"""The store's tables, one module per area (like server.tables), on one ``MetaData``. The columns of every
entity behind a DataService table are derived from the table descriptions in server.tables; the modules add
only what the API does not show (app ids, keys, indexes, internal columns) and the sandbox's own tables.

This package is the facade callers use: ``from server.store import schema; schema.contact``."""
from __future__ import annotations

import sqlalchemy as sa

from .admin import (
    activity_template,
    expense,
    file_box,
    group_assign,
    lead_source,
    lead_source_category,
    lead_source_expense,
    lead_source_recurring_expense,
    mtg_lead,
    opportunity_status,
    saved_filter,
    social_account,
    ticket,
    ticket_move,
    ticket_stage,
    ticket_type,
    user_group,
    webform,
)
from .affiliates import (
    aff_resource,
    affiliate,
    affiliate_ledger,
    affiliate_phone_stats,
    affiliate_program,
    affiliate_program_commission,
    affiliate_program_member,
    affiliate_redirect,
    referral,
)
from .auth import (
    CREDENTIAL_TABLES,
    keap_key,
    oauth_client,
    oauth_code,
    oauth_token,
    temporary_key,
    vendor_key,
)
from .base import (
    ENTITIES,
    declare_postgresql,
    metadata,
)
from .campaigns import (
    DUE,
    DUE_STATES,
    LIVE_STATES,
    action_set,
    automation_category,
    campaign,
    campaign_category,
    campaign_task,
    enrollment,
    followup_member,
    followup_sequence,
    followup_step,
    followup_step_run,
    fulfillment_job,
    fulfillment_row,
    goal_achievement,
    goal_trigger,
    lead_score,
    round_robin,
    round_robin_rule,
    step_run,
    template,
    wordpress_optin,
)
from .commerce import (
    billing_task,
    card_submission,
    ccharge,
    commission_override,
    credit_card,
    discount,
    discount_category,
    discount_criterion,
    invoice,
    invoice_item,
    invoice_payment,
    job,
    job_recurring_instance,
    merchant_account,
    order_file,
    order_item,
    pay_plan,
    pay_plan_item,
    payment,
    product,
    product_category,
    product_category_assign,
    product_interest,
    product_interest_bundle,
    product_opt_value,
    product_option,
    recurring_order,
    shipping_option,
    subscription_plan,
    tax_rate,
)
from .crm import (
    USER_MERGE_COLUMNS,
    contact,
    contact_action,
    contact_link,
    contact_locate_map,
    contact_utm,
    custom_field,
    custom_field_group,
    custom_field_tab,
    custom_value,
    email_status,
    link_type,
    survey_result,
    tag,
    tag_assignment,
    tag_category,
    user,
)
from .legacy_calls import legacy_call
from .opportunities import (
    opportunity,
    stage,
    stage_move,
)
from .outbox import (
    broadcast,
    hook_delivery,
    http_post,
    message,
    rest_hook,
)
from .snapshots import app_snapshot
from .system import (
    app,
    clock_advance,
    domain_event,
    fault_rule,
    id_sequence,
)


def app_data_tables() -> list[sa.Table]:
    """Tables that hold an app's data: what a reset deletes. The app row and credentials (its OAuth grants
    and Keap API keys) outlive a reset, so that a client keeps working across resets, as the app's key does;
    so do its snapshots (``app_snapshot``, whose rows are kept in hidden apps) and the records of its clock advances
    (the control plane's, not the app's)."""
    return [t for t in metadata.sorted_tables
            if t.name != "app" and t not in CREDENTIAL_TABLES and t is not app_snapshot and t is not clock_advance
            and t is not legacy_call
            and "app_id" in t.c]


__all__ = [
    "metadata", "ENTITIES", "declare_postgresql", "app", "id_sequence", "domain_event", "contact", "contact_action",
    "tag", "tag_category",
    "tag_assignment", "custom_field", "custom_field_group", "custom_field_tab", "custom_value", "user",
    "USER_MERGE_COLUMNS", "email_status", "link_type", "contact_link", "contact_locate_map", "contact_utm",
    "survey_result", "followup_sequence",
    "followup_step", "followup_member", "action_set", "template", "campaign", "goal_trigger", "LIVE_STATES",
    "DUE_STATES", "enrollment", "DUE", "step_run", "goal_achievement", "round_robin", "lead_score", "campaign_task",
    "fulfillment_row", "fulfillment_job", "followup_step_run", "message", "http_post", "rest_hook", "hook_delivery",
    "broadcast",
    "saved_filter", "file_box", "webform", "expense", "group_assign", "user_group", "lead_source",
    "lead_source_category", "lead_source_expense", "lead_source_recurring_expense", "mtg_lead", "social_account",
    "opportunity_status", "ticket", "ticket_stage", "ticket_type", "ticket_move", "activity_template", "affiliate",
    "referral", "aff_resource", "affiliate_program", "affiliate_program_commission", "affiliate_program_member",
    "affiliate_redirect", "affiliate_ledger", "affiliate_phone_stats", "job", "order_item", "order_file", "invoice",
    "invoice_item",
    "invoice_payment",
    "payment", "ccharge", "pay_plan", "pay_plan_item", "credit_card", "subscription_plan", "recurring_order",
    "job_recurring_instance", "product", "product_category", "product_category_assign", "product_interest",
    "product_interest_bundle", "product_option", "product_opt_value", "merchant_account", "discount",
    "discount_category", "discount_criterion", "shipping_option", "tax_rate", "commission_override", "card_submission",
    "billing_task",
    "opportunity", "stage", "stage_move", "vendor_key", "temporary_key", "oauth_client", "oauth_code", "oauth_token",
    "keap_key", "CREDENTIAL_TABLES", "app_data_tables", "automation_category", "campaign_category", "wordpress_optin",
    "fault_rule",
    "app_snapshot",
    "clock_advance",
    "legacy_call", "round_robin_rule",
]
