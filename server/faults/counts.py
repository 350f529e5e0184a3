"""Where fault rules' counts are kept between a rule's changes: calls it matched (which gives a call its number,
the one ``Rule.fires`` decides on) and calls it broke.

In the store by default (server.store.faults: one ``UPDATE … RETURNING`` a matching rule, a write transaction
for each call some rule matches; every worker shares it through the store). In Redis when SANDBOX_REDIS_URL is
set: one ``HINCRBY`` a matching rule, no transaction, every worker sharing the hash. The store then keeps each
rule's counts as of the last change of the app's rules and Redis what came since, in a hash named for the
app's rules stamp (``faults_version``, new at every change): a rule's number is its stored count plus the
hash's. A change of the rules (added, deleted, cleared, or the app's snapshot taken) first folds the hash into
the stored counts, in the change's transaction (``fold``); a reset or a restored snapshot drops them (the rules
they counted are gone). A call whose worker read the stamp just before such a change may still count in the
old hash, which is then lost: a count can be one short at a change made while calls run.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from server.store import faults as stored
from server.store import schema

KEEP_S = 30 * 86_400  # an abandoned hash (its app reset, restored or deleted) expires after this


class StoreCounts:
    """Nothing kept outside the store: server.faults.injector counts in it."""

    shared = False

    def pending(self, app_id: int, stamp: int) -> dict[int, tuple[int, int]]:
        return {}

    def fold(self, conn: Connection, app_id: int) -> None:
        pass


class RedisCounts:
    shared = True

    def __init__(self, url: str, prefix: str):
        import redis  # noqa: PLC0415  (only with SANDBOX_REDIS_URL, as server.throttle.store)

        self.client = redis.Redis.from_url(url)
        self.prefix = prefix + "faults:"

    def _key(self, app_id: int, stamp: int) -> str:
        return f"{self.prefix}{int(app_id)}:{int(stamp)}"

    def matched(self, app_id: int, stamp: int, rule_id: int) -> int:
        """Count one more call the rule matched: how many it has matched since the stamp."""
        key = self._key(app_id, stamp)
        with self.client.pipeline(transaction=False) as pipe:
            pipe.hincrby(key, f"{rule_id}:m", 1)
            pipe.expire(key, KEEP_S)
            return int(pipe.execute()[0])

    def injected(self, app_id: int, stamp: int, rule_id: int) -> None:
        self.client.hincrby(self._key(app_id, stamp), f"{rule_id}:i", 1)

    def pending(self, app_id: int, stamp: int) -> dict[int, tuple[int, int]]:
        """The counts since the stamp, by rule id: (matched, injected)."""
        return self.pending_from(self.client.hgetall(self._key(app_id, stamp))) if stamp else {}

    def fold(self, conn: Connection, app_id: int) -> None:
        """Add the counts since the stamp to the stored ones (in ``conn``'s transaction, which then changes the
        stamp) and drop the hash."""
        stamp = conn.execute(sa.select(schema.app.c.faults_version).where(schema.app.c.id == app_id)).scalar()
        if not stamp:
            return
        key = self._key(app_id, stamp)
        with self.client.pipeline(transaction=True) as pipe:
            pipe.hgetall(key)
            pipe.delete(key)
            fields = pipe.execute()[0]
        counts = self.pending_from(fields)
        for rule_id, (matched, injected) in counts.items():
            stored.add_counts(conn, app_id, rule_id, matched, injected)

    @staticmethod
    def pending_from(fields: dict) -> dict[int, tuple[int, int]]:
        out: dict[int, list[int]] = {}
        for field, value in fields.items():
            rule_id, _, which = (field.decode() if isinstance(field, bytes) else field).partition(":")
            out.setdefault(int(rule_id), [0, 0])[0 if which == "m" else 1] = int(value)
        return {rule_id: (m, i) for rule_id, (m, i) in out.items()}


def make_counts(redis_url: str | None, prefix: str) -> StoreCounts | RedisCounts:
    return RedisCounts(redis_url, prefix) if redis_url else StoreCounts()
