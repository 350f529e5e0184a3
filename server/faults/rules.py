"""A fault-injection rule: what calls it matches, what it does to them, how often and when.

Rules are set through the control API (``POST /sandbox/apps/<app>/faults``, server.sandbox.control.faults) as
JSON; this module is that JSON's one description (pydantic, unknown fields refused) and the pure decisions made
from it: does a call match (``Rule.matches``), does its n-th matching call get the fault (``Rule.fires``). The
counting that gives a call its number is the store's (server.store.faults), the effect server.faults.actions'.

Frequencies are functions of the call's number, not of a generator's state, so they hold across workers: a
probability ``p`` with ``seed`` breaks call n when ``Random(f"{seed}:{n}").random() < p``, the same sequence
every time the rule is set again.
"""
from __future__ import annotations

import random
import re
from datetime import UTC, datetime
from fnmatch import fnmatchcase
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from server.domain.errors import SandboxError
from server.tables import INT_MAX, INT_MIN

from .names import XMLRPC

Protocol = Literal["xmlrpc-legacy", "xmlrpc-gateway", "rest-v1", "rest-v2", "oauth-token"]
CredentialKind = Literal["legacy_key", "oauth", "pat", "sak"]


def _real_faults() -> dict[str, int]:
    """The real fault tags and their codes, from the domain's errors (server.domain.errors)."""
    found, todo = {}, [SandboxError]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.tag:
            found.setdefault(cls.tag, cls.code)
    return found


REAL_FAULTS = _real_faults()

# What an HTTP answer can carry, so that the answer a rule makes is the one it describes (gunicorn refuses a header
# that breaks these, and the client gets its 400 or a dropped connection instead): a name is an RFC 7230 token
# and not one the server writes itself (the connection's own, the body's length); a value is Latin-1 text without
# control characters but the tab.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_SERVERS_OWN = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "content-length",
                "proxy-authenticate", "proxy-authorization"}


def _sendable(headers: dict[str, str]) -> dict[str, str]:
    for name, value in headers.items():
        if not _TOKEN.fullmatch(name):
            raise ValueError(f"{name[:80]!r} is not a header name (letters, digits and !#$%&'*+-.^_`|~)")
        if name.lower() in _SERVERS_OWN:
            raise ValueError(f"{name} is written by the server, not by a rule")
        if _CONTROL.search(value) or not value.isascii() and not _latin1(value):
            raise ValueError(f"the value of {name} cannot be sent: Latin-1 text without line breaks or control "
                             "characters")
    return headers


def _latin1(text: str) -> bool:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


class _Model(BaseModel):
    # values as typed, as the control API's bodies take them ("500" is not a status, 1 is not true); the window's
    # moments are ISO 8601 text, read by the lax datetime rule (``Field(strict=False)``)
    model_config = ConfigDict(extra="forbid", populate_by_name=True, strict=True)


class Match(_Model):
    protocol: list[Protocol] | None = None  # any protocol if absent (the XML-RPC ones for an XML-RPC fault)
    # a glob: an XML-RPC method ("ContactService.*") or "VERB /path" ("POST /crm/rest/v1/contacts*")
    method: Annotated[str, Field(min_length=1, max_length=500)] | None = None
    credential_kind: CredentialKind | None = None
    credential_id: Annotated[str, Field(min_length=1, max_length=500)] | None = None  # a glob on its identity

    @model_validator(mode="before")
    @classmethod
    def _one_protocol(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("protocol"), str):
            return {**data, "protocol": [data["protocol"]]}  # "protocol": "rest-v1" for ["rest-v1"]
        return data


class XmlRpcFault(_Model):
    """An XML-RPC fault: ``code`` and ``string`` as given, or a real fault by its ``tag`` (its code from the
    domain's errors) with ``message``."""

    type: Literal["xmlrpc_fault"]
    code: Annotated[int, Field(ge=INT_MIN, le=INT_MAX)] | None = None  # XML-RPC's <int> is 32 bits
    string: Annotated[str, Field(max_length=10_000)] | None = None
    tag: str | None = None
    message: Annotated[str, Field(max_length=10_000)] = "An unexpected error occurred"

    @model_validator(mode="after")
    def _code_or_tag(self) -> XmlRpcFault:
        if self.tag is not None:
            if self.tag not in REAL_FAULTS:
                raise ValueError(f"tag must be one of the real fault tags: {', '.join(sorted(REAL_FAULTS))}")
            if self.code is not None or self.string is not None:
                raise ValueError("give either tag (and message) or code and string")
        elif self.code is None or self.string is None:
            raise ValueError("give code and string, or the tag of a real fault")
        return self

    def fault(self) -> tuple[int, str]:
        if self.tag is not None:
            return REAL_FAULTS[self.tag], f"[{self.tag}]{self.message}"
        return self.code, self.string


Preset = Literal["quota_exceeded", "service_unavailable"]


class Http(_Model):
    """An HTTP answer instead of the call's: ``status`` with ``body`` (JSON, or text) and ``headers``, or a
    ``preset``: the gateway's own 429 (quota) or 503 answer."""

    type: Literal["http"]
    status: Annotated[int, Field(ge=400, le=599)] | None = None
    body: Any = None
    headers: Annotated[dict[str, Annotated[str, Field(max_length=1000)]], AfterValidator(_sendable)] = Field(
        default_factory=dict, max_length=50)
    preset: Preset | None = None
    retry_after: Annotated[int, Field(ge=0, le=86_400)] | None = None  # seconds, as a Retry-After header

    @model_validator(mode="after")
    def _status_or_preset(self) -> Http:
        if (self.status is None) == (self.preset is None):
            raise ValueError("give either status (with body and headers) or preset")
        if self.preset is not None and self.body is not None:
            raise ValueError("a preset has its own body")
        return self


class Latency(_Model):
    """Added latency: ``ms``, or a range ``min_ms``..``max_ms`` (drawn from the rule's seed and call number)."""

    type: Literal["latency"]
    ms: Annotated[int, Field(ge=0, le=600_000)] | None = None
    min_ms: Annotated[int, Field(ge=0, le=600_000)] | None = None
    max_ms: Annotated[int, Field(ge=0, le=600_000)] | None = None

    @model_validator(mode="after")
    def _fixed_or_range(self) -> Latency:
        if self.ms is not None:
            if self.min_ms is not None or self.max_ms is not None:
                raise ValueError("give either ms or min_ms and max_ms")
        elif self.min_ms is None or self.max_ms is None:
            raise ValueError("give ms, or min_ms and max_ms")
        elif self.min_ms > self.max_ms:
            raise ValueError("min_ms must not exceed max_ms")
        return self

    def seconds(self, draw: random.Random) -> float:
        if self.ms is not None:
            return self.ms / 1000
        return draw.randint(self.min_ms, self.max_ms) / 1000


class Drop(_Model):
    """The connection closed without an answer."""

    type: Literal["drop"]


class Truncate(_Model):
    """The answer cut after ``bytes`` bytes (half of it by default), its Content-Length saying so."""

    type: Literal["truncate"]
    bytes: Annotated[int, Field(ge=0)] | None = None


class Malformed(_Model):
    """The answer with bytes no XML or JSON parser accepts in its middle."""

    type: Literal["malformed"]


Action = Annotated[XmlRpcFault | Http | Latency | Drop | Truncate | Malformed, Field(discriminator="type")]


class Rule(_Model):
    # pydantic names the member of the action union a value failed by its type: not a field of the body
    union_tags: ClassVar[tuple[str, ...]] = ("xmlrpc_fault", "http", "latency", "drop", "truncate", "malformed")

    name: Annotated[str, Field(max_length=200)] | None = None
    match: Match = Field(default_factory=Match)
    action: Action
    # run the call and commit it, then answer with the fault: the write a client retries is there already
    apply_first: bool = False
    # how often (at most one; every matching call if none)
    probability: Annotated[float, Field(gt=0, le=1)] | None = None
    seed: int = 0
    first: Annotated[int, Field(ge=1)] | None = None  # the first N matching calls
    nth: Annotated[int, Field(ge=1)] | None = None  # only the Nth matching call
    # a window on the app's clock
    from_: datetime | None = Field(default=None, alias="from", strict=False)
    until: datetime | None = Field(default=None, strict=False)

    @model_validator(mode="after")
    def _consistent(self) -> Rule:
        given = [n for n in ("probability", "first", "nth") if getattr(self, n) is not None]
        if len(given) > 1:
            raise ValueError(f"give at most one of probability, first and nth (not {' and '.join(given)})")
        for name in ("from_", "until"):
            moment = getattr(self, name)
            if moment is not None and moment.tzinfo is None:
                setattr(self, name, moment.replace(tzinfo=UTC))  # a time without a zone is UTC
        if self.from_ is not None and self.until is not None and self.from_ >= self.until:
            raise ValueError("from must be before until")
        if self.action.type == "xmlrpc_fault":
            others = [p for p in self.match.protocol or () if p not in XMLRPC]
            if others:
                raise ValueError(f"an xmlrpc_fault applies to XML-RPC calls only, not {', '.join(others)}")
        return self

    def to_json(self) -> dict:
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)

    @property
    def protocols(self) -> tuple[str, ...] | None:
        if self.match.protocol:
            return tuple(self.match.protocol)
        return XMLRPC if self.action.type == "xmlrpc_fault" else None

    def matches(self, protocol: str, name: str, credential_kind: str | None, credential_id: str | None,
                now: datetime) -> bool:
        """Whether a call (``name``: its method, or ``VERB /path``) at ``now`` on the app's clock matches."""
        protocols = self.protocols
        m = self.match
        return ((protocols is None or protocol in protocols)
                and (m.method is None or fnmatchcase(name, m.method))
                and (m.credential_kind is None or credential_kind == m.credential_kind)
                and (m.credential_id is None or (credential_id is not None
                                                 and fnmatchcase(credential_id, m.credential_id)))
                and (self.from_ is None or now >= self.from_)
                and (self.until is None or now < self.until))

    def draw(self, number: int) -> random.Random:
        """The rule's random source for its ``number``-th matching call: the same for the same seed."""
        return random.Random(f"{self.seed}:{number}")

    def fires(self, number: int) -> bool:
        """Whether the rule's ``number``-th matching call (from 1) gets the fault."""
        if self.first is not None:
            return number <= self.first
        if self.nth is not None:
            return number == self.nth
        if self.probability is not None:
            return self.draw(number).random() < self.probability
        return True
