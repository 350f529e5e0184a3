"""Which fault, if any, a call gets: the app's rules read, matched and counted in the store.

An app without rules (``AppRecord.fault_rules == 0``, the row the gate has already read) costs nothing more.
Otherwise its rules are read on each call (rules set through another worker apply at once), the ones the
call matches are counted, each in one atomic ``UPDATE … RETURNING`` (server.store.faults), and the first whose
frequency picks that call's number breaks it.
"""
from __future__ import annotations

from sqlalchemy.engine import Engine

from server.store import faults as stored
from server.store.db import transaction
from server.store.session import AppRecord

from .actions import Injection
from .rules import Rule

_PARSED: dict[str, Rule] = {}  # a rule's stored JSON (as text) -> the rule, parsed once


class Injector:
    def __init__(self, engine: Engine):
        self.engine = engine

    def decide(self, app: AppRecord | None, protocol: str, name: str, credential=None,
               gateway_headers: dict | None = None) -> Injection | None:
        """The fault the call ``name`` (a method, or ``VERB /path``) gets, if any. ``credential``: a
        server.auth.gateway.Credential, or None."""
        if app is None or not app.fault_rules:
            return None
        kind = credential.kind if credential is not None else None
        identity = credential.identity if credential is not None else None
        now = app.clock_state.now()
        with transaction(self.engine, write=False) as conn:
            rows = stored.all_rules(conn, app.id)
        matching = [(row.id, rule) for row in rows
                    if (rule := _parse(row.rule)).matches(protocol, name, kind, identity, now)]
        if not matching:
            return None
        with transaction(self.engine, write=True) as conn:
            for rule_id, rule in matching:
                number = stored.count_match(conn, app.id, rule_id)
                if number is not None and rule.fires(number):
                    stored.count_injection(conn, app.id, rule_id)
                    return Injection(rule_id, rule, number, dict(gateway_headers or {}))
        return None


def _parse(stored_rule: dict) -> Rule:
    key = repr(sorted(stored_rule.items()))
    rule = _PARSED.get(key)
    if rule is None:
        if len(_PARSED) > 1024:
            _PARSED.clear()
        rule = _PARSED[key] = Rule.model_validate(stored_rule)
    return rule
