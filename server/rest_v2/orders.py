"""REST v2: Orders: items, payments, payment plans."""
