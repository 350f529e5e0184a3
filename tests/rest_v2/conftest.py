"""REST v2 fixtures. Every response a v2 test receives is checked against Keap's contract (the OpenAPI
document plus the SDK overlay, server/rest_v2/spec/), and a violation fails the test:

- ``v2``: a requests session with a Service Account Key of a fresh seeded app; a response hook checks each
  answer (``ContractChecker``).
- ``sdk``: ``keap-core-v2-sdk`` unmodified but for its host and key header, whose answers are checked the
  same way before the SDK deserialises them into its strict pydantic models.

The checks: the path and method are the contract's (else the answer must be the v2 404, or 405 with
``Allow``); the status is one the operation declares (or the gateway's 429); a declared body is JSON valid
against the declared schema (JSON Schema 2020-12 over the document, RFC 3339 date-times checked), a
declared empty answer is empty; an error from the sandbox (not the gateway's own 401/429, which keep the
gateway's body as on v1) is ``{"code", "message", "status", "details"}`` with ``code`` the HTTP status.
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
import requests
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from server.rest_v2.contract import PREFIX, Contract, SpecOperation
from server.rest_v2.routing import Router
from server.rest_v2.validation import _formats
from tests.conftest import TestApp

ROOT = "/crm/rest/v2"
_DOC = "urn:keap-rest-v2"
GATEWAY_STATUSES = {429}  # the gateway's quota answer, which no operation declares (rest-v2.md)
ERROR_KEYS = {"code", "message", "status", "details"}


class ContractViolation(AssertionError):
    pass


class ContractChecker:
    """Checks answers against the contract; built once per test session."""

    def __init__(self, contract: Contract):
        self.contract = contract
        self.registry = Registry().with_resource(_DOC, Resource(contents=contract.document, specification=DRAFT202012))
        self.router = Router()
        for op in contract.operations.values():
            self.router.add(op.method, op.path, op)
        self._validators: dict[tuple[str, str], Draft202012Validator] = {}
        self._lock = threading.Lock()
        self.checked = 0
        error = {"$ref": _DOC + "#/components/schemas/Error"}
        self.error_validator = Draft202012Validator(error, registry=self.registry, format_checker=_formats)

    def _validator(self, op: SpecOperation, code: str) -> Draft202012Validator:
        key = (op.operation_id, code)
        with self._lock:
            found = self._validators.get(key)
            if found is None:
                path = (PREFIX + op.path).replace("~", "~0").replace("/", "~1")
                pointer = f"#/paths/{path}/{op.method.lower()}/responses/{code}/content/application~1json/schema"
                found = self._validators[key] = Draft202012Validator({"$ref": _DOC + pointer},
                                                                     registry=self.registry,
                                                                     format_checker=_formats)
            return found

    def check(self, method: str, url: str, status: int, headers, content: bytes) -> None:
        """Raise ContractViolation if this answer breaks the contract."""
        path = urlsplit(url).path
        if not path.startswith(ROOT):
            return
        where = f"{method} {path} -> {status}"
        media = (headers.get("Content-Type") or "").split(";")[0].strip()
        if status == 400 and media == "text/html":  # the Google front end's answer to a GET with a body
            return
        body = None
        if content and media != "application/json" and self._declares_media(method, path, status, media):
            return
        if content:
            if media != "application/json":
                raise ContractViolation(f"{where}: a body of type {media!r}, not JSON")
            try:
                body = json.loads(content)
            except ValueError:
                raise ContractViolation(f"{where}: the body is not JSON: {content[:200]!r}") from None
        if status >= 400:
            self._check_error(where, status, body)
        match = self.router.match(method, path[len(ROOT):])
        self.checked += 1
        if match is None:
            if status != 404 and status not in (401, *GATEWAY_STATUSES):
                raise ContractViolation(f"{where}: a path of no operation must be a 404")
            return
        if match.target is None:
            if status not in (405, 401, *GATEWAY_STATUSES):
                raise ContractViolation(f"{where}: a method the path does not serve must be a 405")
            if status == 405 and set((headers.get("Allow") or "").replace(" ", "").split(",")) != set(match.allowed):
                raise ContractViolation(f"{where}: Allow is {headers.get('Allow')!r}, not {', '.join(match.allowed)}")
            return
        op: SpecOperation = match.target
        code = str(status)
        if code not in op.responses:
            if status in GATEWAY_STATUSES:
                return
            raise ContractViolation(f"{where}: {op.operation_id} declares no {status} "
                                    f"(it declares {', '.join(sorted(op.responses))})")
        schema = op.responses[code]
        if schema is None:
            if content:
                raise ContractViolation(f"{where}: {op.operation_id} declares no body for {status}, got "
                                        f"{content[:200]!r}")
            return
        if body is None:
            raise ContractViolation(f"{where}: {op.operation_id} declares a JSON body for {status}, got none")
        errors = sorted(self._validator(op, code).iter_errors(body), key=lambda e: list(e.absolute_path))
        if errors:
            first = errors[0]
            raise ContractViolation(f"{where}: {op.operation_id}'s answer breaks its schema at "
                                    f"{'.'.join(map(str, first.absolute_path)) or '(root)'}: {first.message}")

    def _declares_media(self, method: str, path: str, status: int, media: str) -> bool:
        """Whether the operation declares this non-JSON answer (getHtml's text/html)."""
        match = self.router.match(method, path[len(ROOT):])
        op = match.target if match is not None else None
        return op is not None and op.other_media.get(str(status)) == media

    def _check_error(self, where: str, status: int, body) -> None:
        if isinstance(body, dict) and "fault" in body and status in (401, 403, 429):
            return  # the gateway's own refusal, as on v1
        if status in GATEWAY_STATUSES and isinstance(body, dict) and body.get("status") == "Request Throttled":
            return
        if not isinstance(body, dict) or set(body) != ERROR_KEYS:
            raise ContractViolation(f"{where}: not the v2 error form: {body!r}")
        if body["code"] != status or not isinstance(body["status"], str) or not body["status"]:
            raise ContractViolation(f"{where}: the error's code/status do not match: {body!r}")
        problems = list(self.error_validator.iter_errors(body))
        if problems:
            raise ContractViolation(f"{where}: the error breaks the Error schema: {problems[0].message}")


@pytest.fixture(scope="session")
def contract_checker() -> ContractChecker:
    return ContractChecker(Contract.load())


@dataclass
class V2:
    """A client of one app's REST v2, every answer checked against the contract."""

    app: TestApp
    key: str
    http: requests.Session
    checker: ContractChecker
    responses: list = field(default_factory=list)

    @property
    def base(self) -> str:
        return self.app.live.url + ROOT

    def __call__(self, method: str, path: str, **kwargs) -> requests.Response:
        return self.http.request(method, self.base + path, timeout=30, **kwargs)

    def get(self, path, **kw):
        return self("GET", path, **kw)

    def post(self, path, **kw):
        return self("POST", path, **kw)

    def patch(self, path, **kw):
        return self("PATCH", path, **kw)

    def put(self, path, **kw):
        return self("PUT", path, **kw)

    def delete(self, path, **kw):
        return self("DELETE", path, **kw)

    def ok(self, method: str, path: str, status: int = 200, **kwargs):
        r = self(method, path, **kwargs)
        assert r.status_code == status, (r.status_code, r.text)
        return r.json() if r.content else None

    def error(self, method: str, path: str, status: int, **kwargs) -> dict:
        r = self(method, path, **kwargs)
        assert r.status_code == status, (r.status_code, r.text)
        return r.json()

    def walk(self, path: str, key: str, **params) -> list:
        """Every item of a list, page after page, following next_page_token as the client gets it."""
        items, token, pages = [], None, 0
        while True:
            query = dict(params, **({"page_token": token} if token else {}))
            page = self.ok("GET", path, params=query)
            items += page[key]
            pages += 1
            token = page.get("next_page_token")
            if not token:
                return items
            assert pages < 10_000


def checked_session(checker: ContractChecker, key: str) -> requests.Session:
    http = requests.Session()
    http.headers["X-Keap-API-Key"] = key

    def check(response, *args, **kwargs):
        checker.check(response.request.method, response.url, response.status_code, response.headers,
                      response.content)

    http.hooks["response"].append(check)
    return http


def service_key(app: TestApp, *, throttle: bool = False) -> str:
    made = app.live.control("POST", f"/apps/{app.name}/api-keys", json={"kind": "sak", "name": "rest v2 tests"})
    assert made.status_code == 201, made.text
    if not throttle:  # the key's 10/s spike arrest would refuse a fast test
        assert app.live.control("PATCH", f"/apps/{app.name}/throttle", json={"enabled": False}).status_code == 200
    return made.json()["key"]


def v2_for(app: TestApp, checker: ContractChecker, *, throttle: bool = False) -> V2:
    key = service_key(app, throttle=throttle)
    return V2(app, key, checked_session(checker, key), checker)


@pytest.fixture
def v2(app, contract_checker) -> V2:
    return v2_for(app, contract_checker)


@pytest.fixture
def sdk(v2):
    """``keap_core_v2_client.ApiClient`` for the ``v2`` fixture's app: the SDK as published, pointed at the
    sandbox (``Configuration(host=<server>/crm)``) with the key in ``X-Keap-API-Key``; every raw answer is
    checked against the contract before the SDK reads it."""
    import keap_core_v2_client

    config = keap_core_v2_client.Configuration(host=v2.app.live.url + "/crm")
    client = keap_core_v2_client.ApiClient(config, header_name="X-Keap-API-Key", header_value=v2.key)
    request = client.rest_client.request

    def checked(method, url, *args, **kwargs):
        answer = request(method, url, *args, **kwargs)
        answer.read()
        v2.checker.check(method, url, answer.status, answer.getheaders(), answer.data or b"")
        return answer

    client.rest_client.request = checked
    yield client
    client.close() if hasattr(client, "close") else None
