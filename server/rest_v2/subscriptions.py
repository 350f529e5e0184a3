"""REST v2: Subscriptions and subscription plans."""
