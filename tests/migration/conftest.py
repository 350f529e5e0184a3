"""What the pair tests share (test_pairs*.py): the ``pair`` fixture, which performs an XML-RPC call and its REST v2
translation on one app and checks what the test declared with ``covers``."""
from __future__ import annotations

import json
import xmlrpc.client
from datetime import datetime
from urllib.parse import quote

import pytest

from server.migration import mapping
from server.migration.translate import TRANSLATORS, contact_pairs
from server.migration.v2call import Now, resolve, rfc3339, steps
from tests.rest_v2.conftest import V2, checked_session, contract_checker, v2_for  # noqa: F401  (contract_checker: a fixture)


def covers(*methods: str):
    """The mapped methods a pair test performs on both sides (checked when it ends, and counted below)."""
    def mark(test):
        test.covers = frozenset(methods)
        return test
    return mark


class Pair:
    def __init__(self, v2):
        self.v2 = v2
        self.xmlrpc_called: set[str] = set()
        self.v2_called: set[str] = set()
        self.translated: list[tuple[str, list, str]] = []
        self.answers: list = []

    def call(self, method: str, *params):
        self.xmlrpc_called.add(method)
        return self.v2.app.call(method, *params)

    def use_key(self, key: str) -> None:
        """From now on the v2 side, and ``call_with_key``, send ``key`` (a PAT acts as its user)."""
        self.v2 = V2(self.v2.app, key, checked_session(self.v2.checker, key), self.v2.checker)

    def call_with_key(self, method: str, *params):
        """``method`` over XML-RPC as OAuth and key-header clients call it (at /crm/xmlrpc/v1): the v2 side's key in
        X-Keap-API-Key, no key parameter."""
        self.xmlrpc_called.add(method)
        target = xmlrpc.client.ServerProxy(self.v2.app.live.url + "/crm/xmlrpc/v1",
                                           headers=[("X-Keap-API-Key", self.v2.key)])
        for part in method.split("."):
            target = getattr(target, part)
        return target(*params)

    def v2_call(self, method: str, params: list, status: int = 200, raw: bool = False):
        """The v2 equivalent of ``method(params)``, over HTTP: the translation's operation at its contract path.
        A translation of several steps makes each in turn (each earlier one must succeed), filling a later step's
        values from the earlier answers; ``status`` and the answer are the last step's (``self.answers`` holds
        every step's)."""
        calls = steps(TRANSLATORS[method](params))
        entry = mapping.load().get(method)
        self.v2_called.add(method)
        self.translated.append((method, params, calls[-1].operation_id))
        self.answers = []
        now = None
        if any(isinstance(v, Now) for c in calls for v in [*c.path.values(), *(c.body or {}).values()]):
            clock = self.v2.app.live.control("GET", f"/apps/{self.v2.app.name}/clock").json()
            now = rfc3339(datetime.fromisoformat(clock["now"]))  # the caller's now: here the app's
        for n, call in enumerate(calls):
            r = self._send(entry, resolve(call, self.answers, now=now))
            last = n == len(calls) - 1
            assert r.status_code == status if last else r.ok, (f"step {n + 1}", r.status_code, r.text)
            if last and raw:
                return r
            self.answers.append(r.json() if r.content else None)
        return self.answers[-1]

    def _send(self, entry, translated):
        op = next(o for o in entry.operations if o.operation_id == translated.operation_id)
        path = op.path
        for name, value in translated.path.items():
            path = path.replace("{" + name + "}", quote(str(value), safe=""))
        kwargs = {"params": translated.query} if translated.query else {}
        if translated.files is not None:  # a multipart/form-data operation: the text parts, then the files
            kwargs["files"] = {**{k: (None, v) for k, v in (translated.body or {}).items()}, **translated.files}
        elif translated.body is not None:
            kwargs["json"] = translated.body
        return self.v2(op.method, path.removeprefix("/crm/rest/v2"), **kwargs)

    def contact(self, contact_id) -> tuple[dict, dict]:
        fields = ["Id", "FirstName", "LastName", "Email", "JobTitle"]
        return self.v2.app.call("ContactService.load", int(contact_id), fields), \
            self.v2.ok("GET", f"/contacts/{contact_id}")

    def same_contact(self, contact_id) -> None:
        x, v = self.contact(contact_id)
        pairs = contact_pairs(x, v)
        assert {name for name, _, _ in pairs} >= {"Id", "FirstName"}
        assert all(str(a) == str(b) for _, a, b in pairs), pairs


@pytest.fixture
def pair(request, app, contract_checker):  # noqa: F811
    made = Pair(v2_for(app, contract_checker))
    yield made
    declared = getattr(request.function, "covers", frozenset())
    assert declared <= made.xmlrpc_called & made.v2_called, "declared but not performed on both sides: " \
        f"{sorted(declared - (made.xmlrpc_called & made.v2_called))}"
    assert made.v2_called <= declared, f"performed but not declared: {sorted(made.v2_called - declared)}"
    for method, params, operation_id in made.translated[:12]:  # the compare tool takes the same calls
        body = {"method": method, "params": json.loads(json.dumps(params, default=datetime.isoformat))}
        r = app.live.control("POST", f"/apps/{app.name}/migration/compare", json=body)
        assert r.status_code == 200 and r.json()["v2"]["operation_id"] == operation_id, (body, r.text)
        assert r.json()["rolled_back"] is True
