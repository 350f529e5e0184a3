"""The ``filter`` and ``order_by`` query parameters of v2 lists: their grammar, and the kinds of field an
operation declares, each turning a clause into the domain's conditions (server.domain.data.listing).

Grammar (the contract's parameter descriptions; rest-oauth-throttle.md §12; rest-v2.md "Filter syntax"):

    filter   = clause *( ";" clause ) [ ";" ]        also "," between clauses, where what follows the comma
    clause   = field op value                          starts a declared field and an operator
    op       = "==" / "!=" / ">=" / "<=" / ">" / "<"
    order_by = field [ " " ( "asc" / "desc" ) ]       (a "," may stand for the space; default asc)

Values: ``NONE`` means "has no value" where the operation's description says so (``category_id==NONE``); a
trailing ``*`` on text is a prefix match (``email==john*``); id lists are comma-joined (``tag_ids==1,2,3``);
times are ISO 8601. ``since_<x>_time==T`` / ``until_<x>_time==T`` bound ``<x>_time`` (inclusive). Text
equality ignores case. Each operation declares the fields it accepts: any other field, operator or value is
a 400 naming the field.
"""
from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from datetime import datetime

from server.clock import UTC, AppClock
from server.domain.crm import countries
from server.domain.data.listing import Condition

from .errors import invalid_field
from .validation import parse_time

OPERATORS = {"==": "eq", "!=": "ne", ">=": "ge", "<=": "le", ">": "gt", "<": "lt"}
_CLAUSE = re.compile(r"\s*([A-Za-z_][\w.]*)\s*(==|!=|>=|<=|>|<)\s*(.*?)\s*\Z", re.S)
NONE = "NONE"
ID_RANGE = (1, 2**31 - 1)


@dataclass(frozen=True)
class Clause:
    field: str
    op: str  # "==", "!=", ">=", "<=", ">", "<"
    value: str


class Kind:
    """A declared filter field. ``field``: the domain's name for it (the wire name if not given)."""

    ops: tuple[str, ...] = ("==",)

    def __init__(self, field: str | None = None, *, none: bool = False):
        self.field = field
        self.none = none

    def conditions(self, name: str, clause: Clause, clock: AppClock) -> list[Condition]:
        if clause.op not in self.ops:
            raise invalid_field(f"filter.{name}", f"the operator {clause.op} is not allowed (use "
                                                  f"{' or '.join(self.ops)})")
        target = self.field or name
        if clause.value == NONE and self.none:
            return [Condition(target, "none")]
        return self.parse(name, target, clause, clock)

    def parse(self, name: str, target: str, clause: Clause, clock: AppClock) -> list[Condition]:
        raise NotImplementedError


class Text(Kind):
    """Text: ``==`` (a trailing ``*`` matches a prefix), ``!=``; case is ignored."""

    ops = ("==", "!=")

    def parse(self, name, target, clause, clock):
        if clause.op == "==" and clause.value.endswith("*"):
            return [Condition(target, "prefix", clause.value[:-1])]
        return [Condition(target, OPERATORS[clause.op], clause.value)]


class Region(Text):
    """A region (a state): ``==`` matches the stored value whichever way it spells the region (``Colorado``,
    ``CO``, ``US-CO``: contacts written through XML-RPC hold the code, through v2 the name; a province's bare code
    on an address in its ``country``, the field given); ``!=`` none of them (an address without a region too)."""

    def __init__(self, field: str | None = None, *, country: str):
        super().__init__(field)
        self.country = country

    def parse(self, name, target, clause, clock):
        if clause.op == "==" and clause.value.endswith("*"):
            return super().parse(name, target, clause, clock)
        spellings, bare = countries.region_spellings(clause.value)
        matches = [Condition(target, "eq", spelling) for spelling in spellings]
        for b in bare:
            placed = [Condition(self.country, "eq", c) for c in b.countries]
            if b.unplaced:
                placed.append(Condition(self.country, "none", None))
            matches.append(Condition(target, "all", [Condition(target, "eq", b.code),
                                                     Condition(self.country, "any", placed)]))
        return [Condition(target, "any" if clause.op == "==" else "none_of", matches)]


class Id(Kind):
    """One record id (a string of digits on the wire, an integer in the store)."""

    def parse(self, name, target, clause, clock):
        return [Condition(target, "eq", parse_id(clause.value, f"filter.{name}"))]


class Ids(Kind):
    """Comma-joined record ids: ``ids==1,2,3`` (at most ``most``)."""

    def __init__(self, field: str | None = None, *, most: int | None = None):
        super().__init__(field)
        self.most = most

    def parse(self, name, target, clause, clock):
        values = [v.strip() for v in clause.value.split(",") if v.strip()]
        if not values:
            raise invalid_field(f"filter.{name}", "no ids were given")
        if self.most is not None and len(values) > self.most:
            raise invalid_field(f"filter.{name}", f"at most {self.most} ids may be given")
        return [Condition(target, "in", [parse_id(v, f"filter.{name}") for v in values])]


class Number(Kind):
    ops = tuple(OPERATORS)

    def parse(self, name, target, clause, clock):
        try:
            value = float(clause.value)
        except ValueError:
            raise invalid_field(f"filter.{name}", f"'{clause.value}' is not a number") from None
        if not math.isfinite(value):  # (``inf``, ``nan`` and ``1e999`` are floats to Python)
            raise invalid_field(f"filter.{name}", f"'{clause.value}' is not a number")
        return [Condition(target, OPERATORS[clause.op], int(value) if value.is_integer() else value)]


class Time(Kind):
    """A moment compared with ``==``, ``<``, ``<=``, ``>``, ``>=`` (ISO 8601; UTC when no zone)."""

    ops = ("==", ">=", "<=", ">", "<")

    def parse(self, name, target, clause, clock):
        return [Condition(target, OPERATORS[clause.op], self.moment(name, clause.value, clock))]

    @staticmethod
    def moment(name: str, text: str, clock: AppClock) -> datetime:
        """The app's local wall time of ``text`` (the store keeps local times, as XML-RPC reads them)."""
        try:
            value = parse_time(text)
        except ValueError:
            raise invalid_field(f"filter.{name}", f"'{text}' is not an ISO 8601 date-time") from None
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return clock.to_local(aware)


class Since(Time):
    """``since_<x>==T``: ``<x>`` at or after T."""

    ops = ("==", ">=")

    def parse(self, name, target, clause, clock):
        return [Condition(target, "ge", self.moment(name, clause.value, clock))]


class Until(Time):
    """``until_<x>==T``: ``<x>`` at or before T."""

    ops = ("==", "<=")

    def parse(self, name, target, clause, clock):
        return [Condition(target, "le", self.moment(name, clause.value, clock))]


class Choice(Kind):
    def __init__(self, values, field: str | None = None):
        super().__init__(field)
        self.values = tuple(values)

    def parse(self, name, target, clause, clock):
        if clause.value not in self.values:
            raise invalid_field(f"filter.{name}", f"'{clause.value}' is not one of {', '.join(self.values)}")
        return [Condition(target, "eq", clause.value)]


def parse_id(text: str, name: str) -> int:
    value = text.strip()
    if not re.fullmatch(r"\d{1,19}", value):
        raise invalid_field(name, f"'{text}' is not an id")
    number = int(value)
    return number if ID_RANGE[0] <= number <= ID_RANGE[1] else -1  # no record has it: matches nothing


def split(text: str, fields) -> list[Clause]:
    """The clauses of a filter. A ``,`` separates clauses only where the text after it starts with a declared
    field and an operator; otherwise it belongs to the value (``tag_ids==1,2,3``)."""
    starts = _clause_starts(tuple(fields))
    clauses = []
    for piece in text.split(";"):
        for part in (starts.split(piece) if starts else [piece]):
            if not part.strip():
                continue
            m = _CLAUSE.match(part)
            if m is None:
                raise invalid_field("filter", f"'{part.strip()}' is not of the form field==value")
            clauses.append(Clause(m.group(1), m.group(2), m.group(3)))
    return clauses


@functools.lru_cache(maxsize=256)  # (a list's filterable fields: the same few tuples, call after call)
def _clause_starts(names: tuple[str, ...]) -> re.Pattern | None:
    """A ``,`` that starts a clause: one followed by a field of ``names`` and an operator."""
    if not names:
        return None
    alternatives = "|".join(map(re.escape, sorted(names, key=len, reverse=True)))
    return re.compile(r",(?=\s*(?:" + alternatives + r")\s*(?:==|!=|>=|<=|>|<))")


def conditions(text: str | None, kinds: dict[str, Kind], clock: AppClock) -> tuple[Condition, ...]:
    if not text:
        return ()
    out: list[Condition] = []
    for clause in split(text, kinds):
        kind = kinds.get(clause.field)
        if kind is None:
            allowed = ", ".join(kinds) or "none"
            raise invalid_field("filter", f"'{clause.field}' cannot be filtered on (allowed: {allowed})")
        out.extend(kind.conditions(clause.field, clause, clock))
    return tuple(out)


def order(text: str | None, fields: dict[str, str], default: tuple[str, bool]) -> tuple[str, bool]:
    """``(domain field, descending)`` from ``order_by``; ``fields`` maps the wire names allowed to the
    domain's."""
    if not text or not text.strip():
        return default
    parts = text.replace(",", " ").split()
    name = parts[0]
    direction = parts[1].lower() if len(parts) > 1 else "asc"
    if name not in fields:
        raise invalid_field("order_by", f"'{name}' is not one of {', '.join(fields)}")
    if len(parts) > 2 or direction not in ("asc", "desc"):
        raise invalid_field("order_by", f"'{text}' is not of the form '<field> asc|desc'")
    return fields[name], direction == "desc"
