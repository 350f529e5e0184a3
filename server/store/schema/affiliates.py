"""Referral partners: affiliates, referrals, resources, programs, redirect links, the commission ledger and
phone statistics."""
from __future__ import annotations

import sqlalchemy as sa

from .base import entity, metadata

affiliate = entity("affiliate")
sa.Index("ix_affiliate_code", affiliate.c.app_id, sa.func.lower(affiliate.c.aff_code))
sa.Index("ix_affiliate_contact", affiliate.c.app_id, affiliate.c.contact_id)
referral = entity("referral")
sa.Index("ix_referral_contact", referral.c.app_id, referral.c.contact_id, referral.c.date_set)
sa.Index("ix_referral_affiliate", referral.c.app_id, referral.c.affiliate_id)
aff_resource = entity(
    "aff_resource",
    # the size of a PAGE resource, in pixels (REST v2's page_width, page_height; no API table shows them)
    sa.Column("page_width", sa.Integer, nullable=True),
    sa.Column("page_height", sa.Integer, nullable=True),
)

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

# A commission program's rates (REST v2): its default, and per product or subscription plan, each with the
# rates of level 1 (the selling affiliate), level 2 (its parent) and "unused" (the contract's third item).
affiliate_program_commission = sa.Table(
    "affiliate_program_commission", metadata,
    sa.Column("app_id", sa.Integer, primary_key=True),
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("program_id", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),  # default | product | subscription
    sa.Column("product_id", sa.Integer, nullable=True),
    sa.Column("plan_id", sa.Integer, nullable=True),  # kind subscription: the subscription plan
    sa.Column("payout_type", sa.String(16), nullable=False),  # UPFRONT | PAYMENT_RECEIVED
    sa.Column("rates", sa.JSON, nullable=False, default=dict),  # {level: {sale_percent, sale_amount, ...}}
)
sa.Index("ix_affiliate_program_commission_program", affiliate_program_commission.c.app_id,
         affiliate_program_commission.c.program_id)
