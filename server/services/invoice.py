"""InvoiceService.*: orders and invoices, payments and charges, subscriptions, payment plans, cards."""
from __future__ import annotations

from server.domain.account import settings
from server.domain.commerce import cards, invoices, orders, payments, quickbooks, shipping, subscriptions
from server.domain.session import AppSession
from server.xmlrpc.methods import P, xmlrpc


@xmlrpc("InvoiceService.createBlankOrder", P.INT, P.STRING, P.DATE, P.INT, P.INT)
def create_blank_order(s: AppSession, contact_id: int, description: str, order_date, lead_affiliate_id: int,
                       sale_affiliate_id: int) -> int:
    return orders.create_blank_order(s, contact_id, description, order_date, lead_affiliate_id, sale_affiliate_id)


@xmlrpc("InvoiceService.addOrderItem", P.INT, P.INT, P.INT, P.DOUBLE, P.INT, P.STRING, P.STRING)
def add_order_item(s: AppSession, invoice_id: int, product_id: int, item_type: int, price: float, qty: int,
                   description: str, notes: str) -> bool:
    return orders.add_order_item(s, invoice_id, product_id, item_type, price, qty, description, notes)


@xmlrpc("InvoiceService.chargeInvoice", P.INT, P.STRING, P.INT, P.INT, P.BOOL)
def charge_invoice(s: AppSession, invoice_id: int, notes: str, card_id: int, merchant_account_id: int,
                   bypass_commissions: bool) -> dict:
    return payments.charge_invoice(s, invoice_id, notes, card_id, merchant_account_id, bypass_commissions)


@xmlrpc("InvoiceService.addManualPayment", P.INT, P.DOUBLE, P.DATE, P.STRING, P.STRING, P.BOOL)
def add_manual_payment(s: AppSession, invoice_id: int, amount: float, date, payment_type: str, description: str,
                       bypass_commissions: bool) -> bool:
    return payments.add_manual_payment(s, invoice_id, amount, date, payment_type, description, bypass_commissions)


@xmlrpc("InvoiceService.calculateAmountOwed", P.INT, writes=False)
def calculate_amount_owed(s: AppSession, invoice_id: int) -> float:
    return invoices.amount_owed(s, invoice_id)


@xmlrpc("InvoiceService.getPayments", P.INT, writes=False)
def get_payments(s: AppSession, invoice_id: int) -> list:
    return payments.payments_of(s, invoice_id)


@xmlrpc("InvoiceService.addRecurringOrder", P.INT, P.BOOL, P.INT, P.INT, P.DOUBLE, P.BOOL, P.INT, P.INT, P.INT,
        P.INT)
def add_recurring_order(s: AppSession, contact_id: int, allow_duplicate: bool, plan_id: int, qty: int, price: float,
                        taxable: bool, merchant_account_id: int, card_id: int, affiliate_id: int,
                        days_till_charge: int) -> int:
    # ``taxable`` is accepted and not kept: renewals are taxed when their plan is (CProgram.Taxable)
    return subscriptions.add(s, contact_id, plan_id, allow_duplicate=allow_duplicate, qty=qty, price=price,
                             merchant_account_id=merchant_account_id, credit_card_id=card_id,
                             affiliate_id=affiliate_id, days_till_charge=days_till_charge)


# The older 7-argument form, still answered in 2017 (Ruby recording): quantity 1 at the plan's price.
@xmlrpc("InvoiceService.addRecurringOrder", P.INT, P.BOOL, P.INT, P.INT, P.INT, P.INT, P.INT)
def add_recurring_order_7(s: AppSession, contact_id: int, allow_duplicate: bool, plan_id: int,
                          merchant_account_id: int, card_id: int, affiliate_id: int, days_till_charge: int) -> int:
    return subscriptions.add(s, contact_id, plan_id, allow_duplicate=allow_duplicate,
                             merchant_account_id=merchant_account_id, credit_card_id=card_id,
                             affiliate_id=affiliate_id, days_till_charge=days_till_charge)


@xmlrpc("InvoiceService.createInvoiceForRecurring", P.INT)
def create_invoice_for_recurring(s: AppSession, subscription_id: int) -> int:
    return subscriptions.create_invoice(s, subscription_id)


@xmlrpc("InvoiceService.addPaymentPlan", P.INT, P.BOOL, P.INT, P.INT, P.INT, P.INT, P.DOUBLE, P.DATE, P.DATE,
        P.INT, P.INT)
def add_payment_plan(s: AppSession, invoice_id: int, auto_charge: bool, card_id: int, merchant_account_id: int,
                     days_between_retry: int, max_retry: int, initial_amount: float, initial_date, start_date,
                     payments_count: int, days_between: int) -> bool:
    orders.set_payment_plan(s, invoice_id, auto_charge=auto_charge, card_id=card_id,
                            merchant_account_id=merchant_account_id, days_between_retry=days_between_retry,
                            max_retry=max_retry, initial_amount=initial_amount, initial_date=initial_date,
                            start_date=start_date, payments_count=payments_count, days_between=days_between)
    return True


@xmlrpc("InvoiceService.getAllPaymentOptions", writes=False)
def get_all_payment_options(s: AppSession) -> dict:
    return {name: name for name in orders.PAYMENT_OPTIONS}


@xmlrpc("InvoiceService.getAllShippingOptions", writes=False)
def get_all_shipping_options(s: AppSession) -> list:
    return shipping.all_options(s)


@xmlrpc("InvoiceService.locateExistingCard", P.INT, P.STRING, writes=False)
def locate_existing_card(s: AppSession, contact_id: int, last4: str) -> int:
    return cards.locate(s, contact_id, last4)


@xmlrpc("InvoiceService.recalculateTax", P.INT)
def recalculate_tax(s: AppSession, invoice_id: int) -> bool:
    return invoices.recalculate_tax(s, invoice_id)


@xmlrpc("InvoiceService.validateCreditCard", P.INT, writes=False)
def validate_existing_card(s: AppSession, card_id: int) -> dict:
    return cards.validate_existing(s, card_id)


# A card not on file: one struct (PHP SDK, yail, 2012 docs) or six positional values (Node SDK); spec §7 #16.
@xmlrpc("InvoiceService.validateCreditCard", P.STRUCT, writes=False)
def validate_new_card(s: AppSession, card: dict) -> dict:
    return cards.validate_new(s, card)


@xmlrpc("InvoiceService.validateCreditCard", P.STRING, P.INT, P.STRING, P.ANY, P.ANY, P.STRING, writes=False)
def validate_new_card_positional(s: AppSession, card_type: str, contact_id: int, number: str, month, year,
                                 cvv: str) -> dict:
    return cards.validate_new(s, {"CardType": card_type, "ContactId": contact_id, "CardNumber": number,
                                  "ExpirationMonth": month, "ExpirationYear": year, "CVV2": cvv})


@xmlrpc("InvoiceService.updateJobRecurringNextBillDate", P.INT, P.DATE)
def update_next_bill_date(s: AppSession, subscription_id: int, next_bill_date) -> bool:
    return subscriptions.set_next_bill_date(s, subscription_id, next_bill_date)


@xmlrpc("InvoiceService.addOrderCommissionOverride", P.INT, P.INT, P.INT, P.INT, P.DOUBLE, P.INT, P.STRING, P.DATE)
def add_order_commission_override(s: AppSession, invoice_id: int, affiliate_id: int, product_id: int,
                                  percentage: int, amount: float, payout_type: int, description: str, date) -> bool:
    return orders.add_order_commission_override(s, invoice_id, affiliate_id, product_id, percentage, amount,
                                                payout_type, description, date)


@xmlrpc("InvoiceService.addRecurringCommissionOverride", P.INT, P.INT, P.DOUBLE, P.INT, P.STRING)
def add_recurring_commission_override(s: AppSession, subscription_id: int, affiliate_id: int, amount: float,
                                      payout_type: int, description: str) -> bool:
    return orders.add_recurring_commission_override(s, subscription_id, affiliate_id, amount, payout_type,
                                                    description)


@xmlrpc("InvoiceService.deleteInvoice", P.INT)
def delete_invoice(s: AppSession, invoice_id: int) -> bool:
    return invoices.delete_invoice(s, invoice_id)


@xmlrpc("InvoiceService.deleteSubscription", P.INT)  # the Node SDK sends the id as a string: INT takes both
def delete_subscription(s: AppSession, subscription_id: int) -> bool:
    return subscriptions.delete(s, subscription_id)


# --- undocumented (iSDK, Novak, Ruby), from the QuickBooks-sync era ------------------------------------------

@xmlrpc("InvoiceService.getInvoiceId", P.INT, writes=False)
def get_invoice_id(s: AppSession, order_id: int) -> int:
    return orders.invoice_of_order(s, order_id)


@xmlrpc("InvoiceService.getOrderId", P.INT, writes=False)
def get_order_id(s: AppSession, invoice_id: int) -> int:
    return orders.order_of_invoice(s, invoice_id)


@xmlrpc("InvoiceService.setInvoiceSyncStatus", P.INT, P.BOOL)
def set_invoice_sync_status(s: AppSession, invoice_id: int, synced: bool) -> bool:
    return orders.set_invoice_synced(s, invoice_id, synced)


@xmlrpc("InvoiceService.setPaymentSyncStatus", P.INT, P.BOOL)
def set_payment_sync_status(s: AppSession, payment_id: int, synced: bool) -> bool:
    return payments.set_synced(s, payment_id, synced)


@xmlrpc("InvoiceService.getInvoiceQuickbooksIIF", P.INT, writes=False)
def get_invoice_quickbooks_iif(s: AppSession, invoice_id: int) -> str:
    return quickbooks.invoice_iif(s, invoice_id)



# "Tells if the Ecommerce plugin is enabled" (the iSDK's docblock, which types the answer bool; Novak names the
# parameter fullyQualifiedClassName).
@xmlrpc("InvoiceService.getPluginStatus", P.STRING, writes=False)
def get_plugin_status(s: AppSession, class_name: str) -> bool:
    return settings.plugin_enabled(s, class_name)


# Novak only, with the key and nothing else; the answer is unrecorded: a greeting a client can check a
# connection with, as it checks one with DataService.echo ("Hello World" is what Novak's ping echoes).
@xmlrpc("InvoiceService.hello", writes=False)
def hello(s: AppSession) -> str:
    return "Hello World"
