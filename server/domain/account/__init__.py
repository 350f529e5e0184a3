"""The account itself: its users, settings, public addresses, vendor and temporary API keys, and REST hook
subscriptions."""
