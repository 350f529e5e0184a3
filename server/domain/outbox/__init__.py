"""The outbox of outside requests: one queue (``queue``: claim with a lease, record an attempt, ``RetryPolicy``)
and its kinds, campaign HTTP posts (``http_posts``) and REST hook deliveries (``hook_deliveries``)."""
