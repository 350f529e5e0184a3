"""Commerce: orders, invoices, payments, pay plans, cards, subscriptions, products, merchant accounts,
discounts, shipping, tax, commission overrides, card submissions and billing tasks."""
from __future__ import annotations

import sqlalchemy as sa

from .base import entity, metadata

job = entity("job")
sa.Index("ix_job_contact", job.c.app_id, job.c.contact_id)
sa.Index("ix_job_recurring", job.c.app_id, job.c.job_recurring_id)
order_item = entity("order_item")

# Files of the file box attached to an order (REST v2's orders/{id}:attachFile; no DataService table shows them)
order_file = sa.Table(
    "order_file", metadata,
    sa.Column("app_id", sa.Integer, primary_key=True),
    sa.Column("order_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("file_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("attached_at", sa.DateTime, nullable=False),
)
sa.Index("ix_order_item_order", order_item.c.app_id, order_item.c.order_id)
sa.Index("ix_order_item_product", order_item.c.app_id, order_item.c.product_id)  # REST: orders of a product

invoice = entity("invoice")
sa.Index("ix_invoice_contact", invoice.c.app_id, invoice.c.contact_id)
sa.Index("ix_invoice_job", invoice.c.app_id, invoice.c.job_id)
invoice_item = entity("invoice_item")
sa.Index("ix_invoice_item_invoice", invoice_item.c.app_id, invoice_item.c.invoice_id)
sa.Index("ix_invoice_item_order_item", invoice_item.c.app_id, invoice_item.c.order_item_id)
invoice_payment = entity("invoice_payment")
sa.Index("ix_invoice_payment_invoice", invoice_payment.c.app_id, invoice_payment.c.invoice_id)
sa.Index("ix_invoice_payment_payment", invoice_payment.c.app_id, invoice_payment.c.payment_id)
payment = entity("payment")
sa.Index("ix_payment_invoice", payment.c.app_id, payment.c.invoice_id)
sa.Index("ix_payment_contact", payment.c.app_id, payment.c.contact_id)
ccharge = entity("ccharge")
sa.Index("ix_ccharge_card", ccharge.c.app_id, ccharge.c.cc_id)

# How a custom payment plan is collected (InvoiceService.addPaymentPlan); the API shows none of it.
pay_plan = entity(
    "pay_plan",
    sa.Column("auto_charge", sa.Boolean, nullable=False, default=False),
    sa.Column("credit_card_id", sa.Integer, nullable=True),
    sa.Column("merchant_account_id", sa.Integer, nullable=True),
    sa.Column("days_between_retry", sa.Integer, nullable=True),
    sa.Column("max_retry", sa.Integer, nullable=True),
)
sa.Index("ix_pay_plan_invoice", pay_plan.c.app_id, pay_plan.c.invoice_id)
pay_plan_item = entity("pay_plan_item")
sa.Index("ix_pay_plan_item_plan", pay_plan_item.c.app_id, pay_plan_item.c.pay_plan_id)

# The full card number is never kept: what the sandbox merchant will answer for it is (server.domain.commerce.merchant).
credit_card = entity("credit_card", sa.Column("check_code", sa.String(32), nullable=True))
sa.Index("ix_credit_card_contact", credit_card.c.app_id, credit_card.c.contact_id)

subscription_plan = entity("subscription_plan", sa.Column("display_order", sa.Integer, nullable=True))  # REST v2
sa.Index("ix_subscription_plan_product", subscription_plan.c.app_id, subscription_plan.c.product_id)
recurring_order = entity("recurring_order")
sa.Index("ix_recurring_order_contact", recurring_order.c.app_id, recurring_order.c.contact_id)
job_recurring_instance = entity("job_recurring_instance")
sa.Index("ix_job_recurring_instance_recurring", job_recurring_instance.c.app_id,
         job_recurring_instance.c.recurring_id)

product = entity("product", sa.Column("inventory", sa.Integer, nullable=True),  # null: not tracked
                  sa.Column("subscription_only", sa.Boolean, nullable=True),  # REST's subscription_only
                  sa.Column("out_of_stock_enabled", sa.Boolean, nullable=True),  # REST v2's inventory settings
                  sa.Column("delivery_description", sa.Text, nullable=True))
product_category = entity("product_category")
product_category_assign = entity("product_category_assign")
sa.Index("ix_product_category_assign_product", product_category_assign.c.app_id,
         product_category_assign.c.product_id)
sa.Index("ix_product_category_assign_category", product_category_assign.c.app_id,
         product_category_assign.c.product_category_id)
product_interest = entity("product_interest", sa.Column("price", sa.Float, nullable=True))  # REST v2's unit price
sa.Index("ix_product_interest_object", product_interest.c.app_id, product_interest.c.object_id)
product_interest_bundle = entity("product_interest_bundle")
product_option = entity("product_option", sa.Column("error_message", sa.Text, nullable=True))  # REST v2's text rule
sa.Index("ix_product_option_product", product_option.c.app_id, product_option.c.product_id)
product_opt_value = entity("product_opt_value")
sa.Index("ix_product_opt_value_option", product_opt_value.c.app_id, product_opt_value.c.product_option_id)

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
# When a special applies (REST v2's discount criteria): a promo code, a date range, a product bought in some
# quantity, a subscription plan, an order total above or below an amount.
discount_criterion = sa.Table(
    "discount_criterion", metadata,
    sa.Column("app_id", sa.Integer, primary_key=True),
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("discount_id", sa.Integer, nullable=False),
    # DATE_RANGE | PROMO_CODE | PRODUCT | SUBSCRIPTION_PLAN | ORDER_TOTAL
    sa.Column("type", sa.String(24), nullable=False),
    sa.Column("code", sa.Text, nullable=True),
    sa.Column("range_start", sa.DateTime, nullable=True),
    sa.Column("range_end", sa.DateTime, nullable=True),
    sa.Column("product_id", sa.Integer, nullable=True),
    sa.Column("quantity_min", sa.Integer, nullable=True),
    sa.Column("quantity_max", sa.Integer, nullable=True),
    sa.Column("plan_id", sa.Integer, nullable=True),
    sa.Column("quantity", sa.Integer, nullable=True),
    sa.Column("total_amount", sa.Float, nullable=True),
    sa.Column("operator", sa.String(16), nullable=True),  # LESS_THAN | GREATER_THAN
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
