"""Commerce: orders, invoices, payments, payment plans, cards and the merchant, subscriptions and their
billing, products, discounts, shipping and the QuickBooks export."""
