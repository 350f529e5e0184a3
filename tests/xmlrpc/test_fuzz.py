"""The XML-RPC fuzz harness (issue 15): seeded random calls of every served method with values of every shape
(right and wrong types, huge and negative numbers, odd text, non-finite doubles, odd dates, nested arrays and
structs) and byte-level mutations of valid bodies, against a live server. Whatever comes in, the answer is an
XML-RPC response or fault with HTTP 200, never fault 3 (``[Unexpected]``) and never a 5xx.

Bounded in the suite (``SANDBOX_FUZZ_CASES``, 1500 by default, seed ``SANDBOX_FUZZ_SEED``); ``make fuzz`` runs a
longer one. A failure prints the seed and the body that failed, so it can be replayed.
"""
from __future__ import annotations

import os
import random
import xmlrpc.client
from collections import Counter

import requests

from server.xmlrpc.methods import P
from tests.conftest import make_app

CASES = int(os.environ.get("SANDBOX_FUZZ_CASES", "1500"))
SEED = int(os.environ.get("SANDBOX_FUZZ_SEED", "20261203"))

TEXT = ["", " ", "x", "Ada", "ada@example.com", "%", "~null~", "~<>~5", "~>~2024-01-01", "1", "-1", "0x10",
        "9" * 30, "Contact", "Id", "FirstName", "_Custom", "Contact.Email", "<b>", "&amp;", "\u00e9\u4e2d",
        "a" * 300, "2024-02-30", "20240101T00:00:00", "true", "null", "'; DROP TABLE contact; --"]
TABLES = ["Contact", "ContactGroup", "ContactGroupAssign", "Invoice", "Product", "Job", "Lead", "Company",
          "DataFormField", "Affiliate", "Nope"]


def value(rng: random.Random, kind: P | None, depth: int = 0):
    """A value of ``kind`` most of the time, of any shape otherwise."""
    if kind is None or rng.random() < 0.25:
        kind = rng.choice(list(P))
    if kind is P.STRING:
        return rng.choice(TEXT + TABLES)
    if kind is P.INT:
        return rng.choice([0, 1, -1, 2, 3, 7, 2**31 - 1, -2**31, rng.randint(-1000, 1000)])
    if kind is P.BOOL:
        return rng.random() < 0.5
    if kind is P.DOUBLE:
        return rng.choice([0.0, -1.5, 1e300, 3.14, 1e-300])
    if kind is P.DATE:
        return xmlrpc.client.DateTime(rng.choice(["20240101T00:00:00", "19000101T00:00:00", "99991231T23:59:59",
                                                  "20240229T12:00:00"]))
    if kind is P.DATA:
        return xmlrpc.client.Binary(rng.randbytes(rng.randint(0, 40)))
    if kind is P.ARRAY:
        if depth > 2:
            return []
        return [value(rng, rng.choice([P.STRING, P.INT, None]), depth + 1) for _ in range(rng.randint(0, 4))]
    if kind is P.STRUCT:
        if depth > 2:
            return {}
        keys = rng.sample(["FirstName", "Email", "Id", "_X", "GroupName", "ProductName", "Nope", "LastName",
                           "DateCreated", "ContactId", "since", "before"], rng.randint(0, 4))
        return {k: value(rng, None, depth + 1) for k in keys}
    return rng.choice([1, "x", 2.5, True])  # ANY


RAW_VALUES = ["<int>99999999999999999999999</int>", "<int></int>", "<i4>1e5</i4>", "<double>1e400</double>",
              "<double>nan</double>", "<double>x</double>", "<boolean>2</boolean>", "<dateTime.iso8601>2024-13-45"
              "</dateTime.iso8601>", "<base64>!!!</base64>", "<nil/>", "<struct><member><name>a</name></member>"
              "</struct>", "<array></array>", "<string>\u0000</string>", "<unknown>1</unknown>", "", "plain"]


def mutate(rng: random.Random, body: bytes) -> bytes:
    """A valid body, damaged: a raw odd value spliced in, bytes cut, flipped or repeated."""
    choice = rng.random()
    if choice < 0.4:
        text = body.decode()
        at = text.find("<value>", rng.randint(0, max(0, len(text) - 1)))
        if at < 0:
            at = text.find("<value>")
        if at >= 0:
            end = text.find("</value>", at)
            return (text[:at + 7] + rng.choice(RAW_VALUES) + text[end:]).encode("utf-8", "surrogatepass")
    data = bytearray(body)
    if choice < 0.6 and data:
        del data[rng.randint(0, len(data) - 1):]
    elif choice < 0.8 and data:
        for _ in range(rng.randint(1, 5)):
            data[rng.randint(0, len(data) - 1)] = rng.randint(0, 255)
    elif data:
        at = rng.randint(0, len(data) - 1)
        data[at:at] = data[at:at + rng.randint(1, 30)] * rng.randint(2, 5)
    return bytes(data)


def test_no_input_makes_an_unexpected_fault(live):
    app = make_app(live)
    assert live.control("PATCH", f"/apps/{app.name}/throttle", json={"enabled": False}).status_code == 200
    table = live.sandbox.methods
    methods = [m for name in table.names() for m in table.overloads(name) if m.key]
    rng = random.Random(SEED)
    http = requests.Session()
    failures = []
    outcomes = Counter()
    for case in range(CASES):
        method = rng.choice(methods)
        params = [value(rng, kind) for kind in method.params]
        if rng.random() < 0.1:  # a wrong number of parameters
            params = params[:-1] if params and rng.random() < 0.5 else params + [value(rng, None)]
        body = xmlrpc.client.dumps((app.key, *params), method.name, allow_none=False).encode("utf-8")
        if rng.random() < 0.3:
            body = mutate(rng, body)
        r = http.post(live.url + "/api/xmlrpc", data=body, headers={"Content-Type": "text/xml"}, timeout=60)
        problem = None
        if r.status_code != 200:
            problem = f"HTTP {r.status_code}"
        else:
            try:
                xmlrpc.client.loads(r.content)
                outcomes["answered"] += 1
            except xmlrpc.client.Fault as fault:
                outcomes[fault.faultCode] += 1
                if fault.faultCode == 3 or "Unexpected" in fault.faultString:
                    problem = f"fault {fault.faultCode} {fault.faultString}"
            except Exception as exc:  # not an XML-RPC answer at all
                problem = f"unreadable answer {exc!r}: {r.content[:200]!r}"
        if problem:
            failures.append((case, method.name, problem, body[:500]))
    assert failures == [], f"seed {SEED}: {len(failures)} of {CASES} cases failed; first: {failures[:3]}"
    # the harness reaches the methods themselves, not only the parser: answers, parse faults (0), field and
    # parameter faults
    assert outcomes["answered"] > CASES // 20 and outcomes[0] > CASES // 20 and len(outcomes) >= 5, outcomes
