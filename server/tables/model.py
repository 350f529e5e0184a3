"""The shape of a DataService table description.

Each table of the real API is described once, as data: its name, its fields with their types and access
rights, the store entity behind it and how each field maps to a column. The store's schema, DataService's
field checks, the query compiler and docs/api-coverage.md are all derived from these descriptions.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum

# java.lang.Integer: every int of the real API (XML-RPC <i4>, DataService int fields, REST int32 ids), and
# INTEGER columns here, on both stores.
INT_MIN, INT_MAX = -2**31, 2**31 - 1
_STORED_ID = re.compile(r"[0-9]{1,10}")


def stored_id(text: str | None) -> int | None:
    """The id ``text`` writes, when it can be one in the store: ASCII digits only (``str.isdigit`` also takes
    ``²``, which ``int`` refuses) and at most INT_MAX (a larger one is no row's, and the store could not even be
    asked). None otherwise: an address or a cookie from outside naming no row is simply not found."""
    if not isinstance(text, str) or not _STORED_ID.fullmatch(text):
        return None
    value = int(text)
    return value if value <= INT_MAX else None

# The longest text a string field holds: the lengths of Keap's REST v2 document (CreateUpdateContactRequest's
# maxLength; the same columns under every API), else MySQL's TEXT, the real backend's (docs/divergences.md).
TEXT_MAX = 65535
MAX_LENGTHS = {
    ("Contact", "FirstName"): 40, ("Contact", "LastName"): 40, ("Contact", "MiddleName"): 100,
    ("Contact", "Nickname"): 100, ("Contact", "SpouseName"): 100, ("Contact", "JobTitle"): 255,
    ("Contact", "AssistantName"): 20, ("Contact", "Website"): 100,
}

# Date fields without a time of day: a moment sent for one is stored as the date it names, unshifted.
DATE_ONLY = {("Contact", "Birthday"), ("Contact", "Anniversary")}

# Custom-field forms: DataFormField.FormId per record type (the 2012 docs wrote them unsigned).
FORM_CONTACT = -1
FORM_AFFILIATE = -3
FORM_OPPORTUNITY = -4
FORM_CONTACT_ACTION = -5  # notes, tasks and appointments
FORM_COMPANY = -6
FORM_ORDER = -9
FORM_SUBSCRIPTION = -10


class FieldType(str, Enum):  # noqa: UP042  (a StrEnum would change what str() of a member gives)
    INT = "int"
    DOUBLE = "double"
    STRING = "string"
    DATETIME = "datetime"
    BOOLEAN = "boolean"
    BLOB = "blob"


@dataclass(frozen=True)
class Join:
    """A field read from another entity: ``entity.column`` where ``entity.id == this.local``."""

    entity: str
    local: str
    column: str


@dataclass(frozen=True)
class Field:
    name: str
    type: FieldType
    access: str  # letters of "EDAR": Edit, Delete, Add, Read
    column: str | None  # the store column; None when the field is joined
    join: Join | None = None

    @property
    def readable(self) -> bool:
        return "R" in self.access

    @property
    def addable(self) -> bool:
        return "A" in self.access

    @property
    def editable(self) -> bool:
        return "E" in self.access


@dataclass(frozen=True)
class JoinPrefix:
    """Dotted fields such as ``Contact.Email`` on ContactGroupAssign: every readable field of ``table``,
    joined where ``table.id == this.local``."""

    prefix: str
    table: str
    local: str


@dataclass
class Table:
    name: str
    entity: str
    access: str
    fields: dict[str, Field]
    description: str = ""
    internal_name: str | None = None
    custom_form: int | None = None  # DataFormField.FormId of the custom fields this table carries
    kind: str | None = None  # the entity's ``kind`` value when several tables share one entity
    key: str | None = "Id"  # the primary-key field; None for tables without one (ContactGroupAssign)
    join_prefixes: tuple[JoinPrefix, ...] = ()
    status: str = "done"  # served by this sandbox: "done" or "not yet"
    notes: str = ""

    def can(self, letter: str) -> bool:
        return letter in self.access


_TYPES = {t.value: t for t in FieldType}


def snake(name: str) -> str:
    """``FirstName`` -> ``first_name``, ``CompanyID`` -> ``company_id``, ``Phone1Ext`` -> ``phone1_ext``."""
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s)
    return s.replace(".", "_").lower()


def table(name: str, *, entity: str, access: str, fields: str, column_map: dict[str, str] | None = None,
          joins: dict[str, Join] | None = None, **options) -> Table:
    """Build a table from a block of ``Name type access`` lines (``#`` starts a comment).

    ``column_map`` renames a field's column (default: the field's name in snake case); ``joins`` names the
    fields read from another entity.
    """
    column_map = column_map or {}
    joins = joins or {}
    parsed: dict[str, Field] = {}
    for raw in fields.strip().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        fname, ftype, faccess = line.split()
        if fname in parsed:
            raise ValueError(f"{name}.{fname} declared twice")
        join = joins.get(fname)
        parsed[fname] = Field(
            name=fname,
            type=_TYPES[ftype],
            access=faccess,
            column=None if join else column_map.get(fname, snake(fname)),
            join=join,
        )
    return Table(name=name, entity=entity, access=access, fields=parsed, **options)


@dataclass
class Registry:
    tables: dict[str, Table] = field(default_factory=dict)

    def add(self, *tables: Table) -> None:
        for t in tables:
            if t.name in self.tables:
                raise ValueError(f"table {t.name} declared twice")
            self.tables[t.name] = t

    def get(self, name: str) -> Table | None:
        return self.tables.get(name)

    def by_entity(self, entity: str) -> list[Table]:
        return [t for t in self.tables.values() if t.entity == entity]
