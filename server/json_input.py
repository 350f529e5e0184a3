"""Reading a JSON request body, for every JSON endpoint (REST v1, REST v2, the control API).

Python's ``json`` accepts more than any store or client can take back: ``NaN``, ``Infinity`` and numbers that
overflow to infinity (which would be written back as a bare ``Infinity``, not JSON), lone surrogates (which no
UTF-8 store can encode), NUL characters (which PostgreSQL refuses in text) and nesting deep enough to exhaust
the interpreter's stack. ``loads`` refuses each with ``BadJson`` naming where it is (``given_name``,
``email_addresses.0.email``), which each protocol answers as its own 400.
"""
from __future__ import annotations

import json
import math
import re

MAX_DEPTH = 64  # objects and arrays inside each other; real bodies nest three or four deep

_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")


class BadJson(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def _refuse_constant(name: str):
    raise BadJson(f"{name} is not a number JSON can carry")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BadJson(f"{text} is out of range for a number")
    return value


def loads(data: bytes | str):
    """The JSON value of ``data``; ``BadJson`` when it is not JSON or holds what cannot be stored."""
    try:
        value = json.loads(data, parse_constant=_refuse_constant, parse_float=_finite)
    except BadJson:
        raise
    except RecursionError:
        raise BadJson(f"The request body nests deeper than {MAX_DEPTH} levels") from None
    except ValueError:  # JSONDecodeError and UnicodeDecodeError
        raise BadJson("The request body is not valid JSON") from None
    _check(value, [], 0)
    return value


def check(value) -> None:
    """``BadJson`` if ``value`` (read from another language: a YAML document) holds what ``loads`` refuses: a NUL
    character, a lone surrogate, a number that is not finite, nesting deeper than MAX_DEPTH."""
    _check(value, [], 0)


def _check(value, path: list, depth: int) -> None:
    if isinstance(value, float):
        if not math.isfinite(value):  # (loads refuses them as it parses; YAML's .nan and .inf are floats)
            raise BadJson(f"The value of {_name(path)} is not a finite number", _name(path))
        return
    if isinstance(value, str):
        found = _BAD_TEXT.search(value)
        if found:
            what = "a NUL character" if found.group() == "\x00" else "an unpaired surrogate (not Unicode text)"
            raise BadJson(f"The value of {_name(path)} contains {what}", _name(path))
        return
    if isinstance(value, dict | list):
        if depth >= MAX_DEPTH:
            raise BadJson(f"The request body nests deeper than {MAX_DEPTH} levels", _name(path))
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            if isinstance(key, str) and _BAD_TEXT.search(key):
                raise BadJson(f"A property name in {_name(path)} is not valid text", _name(path))
            path.append(key)
            _check(item, path, depth + 1)
            path.pop()


def _name(path: list) -> str:
    return ".".join(str(p) for p in path) or "the body"
