"""What a stretch of due work did, counted as it happens: the summary a clock advance answers with.

``server.jobs.advance`` makes one ``Tally`` and hands it to every due-work source (``run_due(env, app, now,
tally)``); a source puts it on the sessions it opens (``env.session(conn, app, tally=tally)``), and the code
that does each thing counts it there, once: the runner each campaign item it records (``server.engine.runner``),
the outbox each email it records (``server.domain.mail.messages``), the goal matcher each goal achieved, the
senders each HTTP post and REST hook attempt, billing each invoice. Nothing is counted by comparing tables
before and after. A session with no tally (every API call's) counts nothing.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, fields


@dataclass
class Tally:
    items: Counter = field(default_factory=Counter)  # (item type, outcome: done | skipped | failed) -> count
    emails_sent: int = 0
    emails_skipped: int = 0
    http_posts_made: int = 0  # attempts, whatever their answer
    http_posts_failed: int = 0  # attempts without a 2xx answer
    hook_deliveries_made: int = 0
    hook_deliveries_failed: int = 0
    goals_fired: int = 0
    invoices_billed: int = 0  # subscription renewals invoiced and payment-plan instalments charged
    charges_declined: int = 0  # automatic charges the card declined

    def item(self, kind: str, outcome: str, count: int = 1) -> None:
        self.items[(kind, outcome)] += count

    def merge(self, other: Tally) -> None:
        """Add what ``other`` counted (a transaction's own tally, once it committed)."""
        for f in fields(self):
            if f.name == "items":
                self.items.update(other.items)
            else:
                setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def as_json(self) -> dict:
        items: dict[str, dict[str, int]] = {}
        for (kind, outcome), count in sorted(self.items.items()):
            items.setdefault(kind, {})[outcome] = count
        return {
            "items": items,
            "emails": {"sent": self.emails_sent, "skipped": self.emails_skipped},
            "http_posts": {"made": self.http_posts_made, "failed": self.http_posts_failed},
            "rest_hooks": {"made": self.hook_deliveries_made, "failed": self.hook_deliveries_failed},
            "goals_fired": self.goals_fired,
            "invoices_billed": self.invoices_billed,
            "charges_declined": self.charges_declined,
        }
