"""Email: sending, merge fields, templates, the outbox of communications and the status of each address."""
