"""The XML-RPC method table: every ``Service.method`` with its overloads, built once at start-up.

A service module declares its methods with ``@xmlrpc(name, *params)`` (one per overload); the declaration only
marks the function (``declared``), and server.services ``install`` adds the marked methods of the modules it
lists to the registry (server.registry), from which the transport builds its ``MethodTable``.

A method is matched the way the real (Java) server matches it: by name, then by the number and the types
of its parameters. No handler for the name gives ``No such handler: <name>``; no overload whose types fit
gives ``No method matching arguments: <the Java types received>`` (both fault 0, spec §1.5.2).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from types import ModuleType
from typing import Any

from server.domain.errors import ProtocolError
from server.tables import INT_MAX, INT_MIN


class P(Enum):
    """Parameter kinds."""

    STRING = "string"
    INT = "int"  # an <int>/<i4>; clients send ids as numeric strings too, which the real server accepts
    # (a string outside the 32-bit range fits no Integer parameter: "No method matching arguments")
    BOOL = "boolean"
    DOUBLE = "double"  # a <double>, or an integer
    DATE = "dateTime"  # a <dateTime.iso8601>, or a date string
    STRUCT = "struct"
    ARRAY = "array"
    ANY = "any"  # any scalar (findByField's value: .NET declares it object)
    DATA = "data"  # file contents: a base64 string (what FileService takes), or a <base64> value


_JAVA = {str: "java.lang.String", int: "java.lang.Integer", bool: "java.lang.Boolean",
         float: "java.lang.Double", datetime: "java.util.Date", dict: "java.util.HashMap",
         list: "[Ljava.lang.Object;", bytes: "[B"}


def java_types(params: list) -> str:
    return ", ".join(_JAVA.get(type(p), "java.lang.Object") for p in params)


_NO_MATCH = object()
_NUMERIC = re.compile(r"\s*[+-]?[0-9]+\s*")  # ASCII digits only (Python's int() takes "1_0" and "١٢")


def _coerce(kind: P, value):
    t = type(value)
    if kind is P.STRING:
        return value if t is str else _NO_MATCH
    if kind is P.INT:
        if t is int:
            return value
        if t is str and _NUMERIC.fullmatch(value):
            number = int(value)
            if INT_MIN <= number <= INT_MAX:
                return number
        return _NO_MATCH
    if kind is P.BOOL:
        return value if t is bool else _NO_MATCH
    if kind is P.DOUBLE:
        if t is float:
            return value
        if t is int:
            return float(value)
        return _NO_MATCH
    if kind is P.DATE:
        return value if t in (datetime, str) else _NO_MATCH
    if kind is P.STRUCT:
        return value if t is dict else _NO_MATCH
    if kind is P.ARRAY:
        return value if t is list else _NO_MATCH
    if kind is P.DATA:
        return value if t in (str, bytes) else _NO_MATCH
    if kind is P.ANY:
        return value if t in (str, int, float, bool, datetime) else _NO_MATCH
    raise AssertionError(kind)


@dataclass(frozen=True)
class Method:
    name: str
    params: tuple[P, ...]
    func: Callable[..., Any]
    key: bool = True  # takes the API key as its first parameter
    writes: bool = True  # needs a write transaction
    # a keyless method whose own arguments select the app (getTemporaryKey's vendor key): (conn, args) -> app
    app_from: Callable[..., Any] | None = None
    table: bool = False  # its first argument names a DataService table (the migration report counts it per table)

    @property
    def service(self) -> str:
        return self.name.split(".", 1)[0]

    def match(self, params: list) -> list | None:
        """The arguments after the key, coerced, if ``params`` fit this overload."""
        expected = len(self.params) + (1 if self.key else 0)
        if len(params) != expected:
            return None
        if self.key and type(params[0]) is not str:
            return None
        args = []
        for kind, value in zip(self.params, params[1:] if self.key else params):
            coerced = _coerce(kind, value)
            if coerced is _NO_MATCH:
                return None
            args.append(coerced)
        return args


class MethodTable:
    def __init__(self, methods: Iterable[Method] = ()):
        self._methods: dict[str, list[Method]] = {}
        for method in methods:
            self.add(method)

    def add(self, method: Method) -> None:
        overloads = self._methods.setdefault(method.name, [])
        if any(len(m.params) + m.key == len(method.params) + method.key and m.params == method.params
               for m in overloads):
            raise ValueError(f"{method.name} overload declared twice")
        overloads.append(method)

    def resolve(self, name: str, params: list) -> tuple[Method, list]:
        overloads = self._methods.get(name)
        if not overloads:
            raise ProtocolError(f"No such handler: {name}")
        for method in overloads:
            args = method.match(params)
            if args is not None:
                return method, args
        raise ProtocolError(f"No method matching arguments: {java_types(params)}")

    def remove(self, name: str) -> None:
        """Forget every overload of ``name``."""
        self._methods.pop(name, None)

    def names(self) -> list[str]:
        return sorted(self._methods)

    def overloads(self, name: str) -> list[Method]:
        return list(self._methods.get(name, ()))

    def __contains__(self, name: str) -> bool:
        return name in self._methods


_MARK = "__xmlrpc__"


def xmlrpc(name: str, *params: P, key: bool = True, writes: bool = True, app_from=None, table: bool = False):
    """Declare a service function as the XML-RPC method ``name`` (one call per overload); ``table``: its first
    argument is a DataService table's name."""

    def declare(func):
        method = Method(name=name, params=tuple(params), func=func, key=key, writes=writes, app_from=app_from,
                        table=table)
        setattr(func, _MARK, (*getattr(func, _MARK, ()), method))
        return func

    return declare


def declared(module: ModuleType) -> list[Method]:
    """The methods declared by the functions of ``module`` (not those it imports), in declaration order."""
    out = []
    for value in vars(module).values():
        if callable(value) and getattr(value, "__module__", None) == module.__name__:
            out.extend(getattr(value, _MARK, ()))
    return out
