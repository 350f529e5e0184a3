"""REST v2: Emails (sent and sendable) and email addresses' opt-in status."""
