"""Which fault, if any, a call gets: the app's rules matched and counted in the store.

An app without rules (``AppRecord.faults_version == 0``, the row the gate has already read) costs nothing more.
Otherwise the app's rules are read once per worker for each stamp of them (``faults_version`` changes with
every change, so a rule set through another worker applies at once), the ones the call matches are counted,
each in one atomic ``UPDATE … RETURNING`` (server.store.faults), or with SANDBOX_REDIS_URL one ``HINCRBY`` in
Redis (server.faults.counts), and the first whose frequency picks that call's number breaks it. A call no rule
matches costs no statement.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine

from server.store import faults as stored
from server.store.db import transaction
from server.store.session import AppRecord

from .actions import Injection
from .counts import RedisCounts, StoreCounts

if TYPE_CHECKING:
    from .rules import Rule


class Injector:
    def __init__(self, engine: Engine, counts: StoreCounts | RedisCounts | None = None):
        self.engine = engine
        self.counts = counts if counts is not None else StoreCounts()
        # app id -> (stamp, its rules: (id, rule, calls matched as stored))
        self._rules: dict[int, tuple[int, list[tuple[int, Rule, int]]]] = {}
        self._lock = threading.Lock()

    def decide(self, app: AppRecord | None, protocol: str, name: str, credential=None,
               gateway_headers: dict | None = None, release: Callable[[], None] | None = None) -> Injection | None:
        """The fault the call ``name`` (a method, or ``VERB /path``) gets, if any. ``credential``: a
        server.auth.gateway.Credential, or None; ``release``: ends the call's own transaction before a rule's
        counter is written (on SQLite a write transaction would wait for it)."""
        if app is None or not app.faults_version:
            return None
        kind = credential.kind if credential is not None else None
        identity = credential.identity if credential is not None else None
        now = app.clock_state.now()
        matching = [(rule_id, rule, base) for rule_id, rule, base in self._rules_of(app)
                    if rule.matches(protocol, name, kind, identity, now)]
        if not matching:
            return None
        if self.counts.shared:  # counted outside the store: no transaction
            stamp = app.faults_version
            for rule_id, rule, base in matching:
                number = base + self.counts.matched(app.id, stamp, rule_id)
                if rule.fires(number):
                    self.counts.injected(app.id, stamp, rule_id)
                    return Injection(rule_id, rule, number, dict(gateway_headers or {}))
            return None
        if release is not None:
            release()
        with transaction(self.engine, write=True) as conn:
            for rule_id, rule, _ in matching:
                number = stored.count_match(conn, app.id, rule_id)
                if number is not None and rule.fires(number):
                    stored.count_injection(conn, app.id, rule_id)
                    return Injection(rule_id, rule, number, dict(gateway_headers or {}))
        return None

    def _rules_of(self, app: AppRecord) -> list[tuple[int, Rule, int]]:
        cached = self._rules.get(app.id)
        if cached is not None and cached[0] == app.faults_version:
            return cached[1]
        from .rules import Rule  # noqa: PLC0415  (pydantic's description of rules: loaded when an app has some)

        with transaction(self.engine, write=False) as conn:
            rules = [(row.id, Rule.model_validate(row.rule), row.matched) for row in stored.all_rules(conn, app.id)]
        with self._lock:
            if len(self._rules) > 1024:
                self._rules.clear()
            self._rules[app.id] = (app.faults_version, rules)
        return rules

    # --- the control API's ----------------------------------------------------------------------------
    def fold(self, conn, app_id: int) -> None:
        """Before a change of the app's rules (in its transaction): the counts kept outside the store into it."""
        self.counts.fold(conn, app_id)

    def counted(self, app: AppRecord, row) -> tuple[int, int]:
        """A stored rule's counts (``row`` of server.store.faults) with those kept outside the store since."""
        matched, injected = self.counts.pending(app.id, app.faults_version).get(row.id, (0, 0))
        return row.matched + matched, row.injected + injected
