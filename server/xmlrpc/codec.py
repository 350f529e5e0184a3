"""XML-RPC on the wire: parse a methodCall leniently, write a methodResponse exactly as Infusionsoft does.

What real clients send (spec clients.md §2, §6): ``<int>`` and ``<i4>``, bare ``<value>text</value>``,
CDATA, self-closing ``<string/>``/``<data/>``/``<value/>``, pretty-printed whitespace, single-quoted XML
declarations, ``encoding="iso-8859-1"`` with character references, base64 with newlines inside, several
dateTime spellings. Integers are Java's 32-bit ``Integer`` on the real server: one above 2^31-1 (node sends
them in ``<int>``) fails to parse there, and does here, with Apache XML-RPC's words. What the real server writes
(spec xmlrpc-api.md §1.4, §1.5, recorded responses): one line, ``<?xml version="1.0" encoding="utf-8"?>``,
strings untyped, integers ``<i4>``, booleans ``<boolean>1</boolean>``, dates ``YYYYMMDDTHH:MM:SS`` without zone,
null struct members omitted, empty strings as ``<value></value>``.
"""
from __future__ import annotations

import base64
import math
import re
from datetime import date, datetime
from decimal import Decimal

from lxml import etree

from server.clock import parse_datetime
from server.domain.errors import ProtocolError
from server.tables import INT_MAX, INT_MIN

# A parser that never resolves entities, never loads a DTD and never touches the network.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                          huge_tree=False, remove_comments=True, remove_pis=True)


def _parse_error(message: str) -> ProtocolError:
    # Apache XML-RPC's wording, as real clients see it (faultCode 0).
    return ProtocolError(f"Failed to parse XML-RPC request: {message}")


# The real server's Xerces runs with disallow-doctype-decl: no DTD, so no entity expansion at all.
def _doctype_refused() -> ProtocolError:
    return _parse_error('DOCTYPE is disallowed when the feature "http://apache.org/xml/features/'
                        'disallow-doctype-decl" set to true.')


def loads_call(body: bytes) -> tuple[str, list]:
    """Parse a methodCall into ``(method_name, params)``; raise ProtocolError for anything malformed."""
    if not body or body.isspace():
        raise _parse_error("Premature end of file.")
    if b"<!DOCTYPE" in body:
        raise _doctype_refused()  # refused before parsing, whatever entities it declares
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise _parse_error(_syntax_message(exc)) from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:  # e.g. a DOCTYPE in another encoding
        raise _doctype_refused()
    if root.tag != "methodCall":
        raise _parse_error(f"Expected methodCall element, got {_name(root)}")
    name_el = _child(root, "methodName")
    if name_el is None or not (name_el.text or "").strip():
        raise _parse_error("Missing methodName element")
    params: list = []
    params_el = _child(root, "params")
    if params_el is not None:
        for param in params_el:
            if param.tag != "param":
                raise _parse_error(f"Expected param element, got {_name(param)}")
            value_el = _child(param, "value")
            if value_el is None:
                raise _parse_error("Missing value element in param")
            params.append(_value(value_el))
    return name_el.text.strip(), params


def _child(el, tag: str):
    """The first child named ``tag`` (a loop over the few children: cheaper than ElementPath's find)."""
    for child in el:
        if child.tag == tag:
            return child
    return None


def _syntax_message(exc: etree.XMLSyntaxError) -> str:
    msg = str(exc.msg or exc).strip()
    if "Document is empty" in msg or "Start tag expected" in msg or "Premature end of data" in msg:
        return "Premature end of file."
    if "Detected an entity reference loop" in msg or "entity" in msg.lower():
        return "Undeclared or recursive entity reference."
    return msg.split(", line", 1)[0]


def _name(el) -> str:
    return el.tag if isinstance(el.tag, str) else "#node"


def _value(el):
    """The Python value of a ``<value>`` element."""
    if len(el) == 0:
        return el.text or ""  # a bare value is a string; <value/> is the empty string
    typed = el[0]
    if len(el) > 1:
        raise _parse_error("A value element may contain only one typed child")
    reader = _READERS.get(typed.tag)
    if reader is None:
        raise _parse_error(f"Unknown type: {_name(typed)}")
    return reader(typed)


def _text(el) -> str:
    return (el.text or "").strip()


_JAVA_INT = re.compile(r"[+-]?[0-9]+")


def _read_int(el) -> int:
    # Apache XML-RPC's I4Parser: Integer.valueOf(text.trim()); anything else, including a number outside the
    # 32-bit range, fails the whole request ("Failed to parse integer value: <text>", faultCode 0).
    text = _text(el)
    if len(text) <= 12 and _JAVA_INT.fullmatch(text):  # a longer one is out of range, and int() of 4,300+ digits fails
        value = int(text)
        if INT_MIN <= value <= INT_MAX:
            return value
    raise _parse_error(f"Failed to parse integer value: {el.text or ''}")


def _read_boolean(el) -> bool:
    text = _text(el).lower()
    if text in ("1", "true"):
        return True
    if text in ("0", "false"):
        return False
    raise _parse_error(f"Failed to parse boolean value: {text}")


def _read_double(el) -> float:
    # Non-finite numbers (1e400, inf, nan) are refused: nothing can store them or write them back as XML-RPC
    text = _text(el)
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise _parse_error(f"Failed to parse double value: {text}")
    return value


def _read_datetime(el) -> datetime:
    text = _text(el)
    value = parse_datetime(text)
    if value is None:
        raise _parse_error(f"Failed to parse date value: {text}")
    return value


def _read_base64(el) -> bytes:
    try:
        return base64.b64decode("".join((el.text or "").split()), validate=True)
    except (ValueError, TypeError):
        raise _parse_error("Failed to parse base64 value") from None


def _read_struct(el) -> dict:
    out = {}
    for member in el:
        if member.tag != "member":
            raise _parse_error(f"Expected member element, got {_name(member)}")
        name_el = _child(member, "name")
        value_el = _child(member, "value")
        if name_el is None or value_el is None:
            raise _parse_error("A struct member needs a name and a value")
        out[name_el.text or ""] = _value(value_el)
    return out


def _read_array(el) -> list:
    data = _child(el, "data")
    if data is None:
        if len(el):
            raise _parse_error("Expected data element in array")
        return []
    out = []
    for value_el in data:
        if value_el.tag != "value":
            raise _parse_error(f"Expected value element, got {_name(value_el)}")
        out.append(_value(value_el))
    return out


def _read_nil(el):
    # The real server rejects nil in requests (spec xmlrpc-api.md §1.4, infusionsoft-php #206).
    raise _parse_error("Unknown type: nil")


_READERS = {
    "string": lambda el: el.text or "",
    # no "i8": Apache XML-RPC knows it only as the extension <ex:i8>, which Infusionsoft does not enable (it
    # refuses <nil/> as "Unknown type: nil" likewise), so a bare <i8> is "Unknown type: i8"
    "int": _read_int, "i4": _read_int,
    "boolean": _read_boolean,
    "double": _read_double,
    "dateTime.iso8601": _read_datetime,
    "base64": _read_base64,
    "struct": _read_struct,
    "array": _read_array,
    "nil": _read_nil,
}

# --- writing ---------------------------------------------------------------------------------------

_HEAD = '<?xml version="1.0" encoding="utf-8"?><methodResponse>'
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# everything _escape changes: most text has none of it, and one search says so
_SPECIAL = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _escape(text: str) -> str:
    if _SPECIAL.search(text) is None:
        return text
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if _ILLEGAL.search(text):
        text = _ILLEGAL.sub("", text)  # characters XML 1.0 cannot carry at all
    return text


def _write(value, out: list) -> None:
    writer = _WRITERS.get(type(value))
    if writer is None:
        writer = _writer_for(value)
    writer(value, out)


def _write_str(value: str, out: list) -> None:
    out.append(f"<value>{_escape(value)}</value>")  # the real server sends strings untyped


def _write_int(value: int, out: list) -> None:
    if not INT_MIN <= value <= INT_MAX:
        # the real server has no wider integer to send (no <i8> without extensions); nothing stored can
        # be outside the range, since every integer is checked on the way in
        raise OverflowError("int exceeds XML-RPC limits")
    out.append(f"<value><i4>{value}</i4></value>")


def _write_bool(value: bool, out: list) -> None:
    out.append("<value><boolean>1</boolean></value>" if value else "<value><boolean>0</boolean></value>")


def _write_float(value: float, out: list) -> None:
    out.append(f"<value><double>{value!r}</double></value>")


def _datetime_text(value: datetime) -> str:
    # YYYYMMDDTHH:MM:SS cut from isoformat (C, a fifth of the cost of formatting each part): its first 19
    # characters are YYYY-MM-DDTHH:MM:SS whatever the microseconds or the zone after them
    iso = value.isoformat()
    return f"{iso[:4]}{iso[5:7]}{iso[8:19]}"


def _write_datetime(value: datetime, out: list) -> None:
    out.append(f"<value><dateTime.iso8601>{_datetime_text(value)}</dateTime.iso8601></value>")


def _write_date(value: date, out: list) -> None:
    out.append(f"<value><dateTime.iso8601>{value.year:04d}{value.month:02d}{value.day:02d}T00:00:00"
               "</dateTime.iso8601></value>")


_MEMBERS: dict[str, str] = {}  # a name -> "<member><name>name</name>", written once (query answers repeat them)


def _member(key) -> str:
    prefix = f"<member><name>{_escape(str(key))}</name>"
    if type(key) is str:  # (1 and True are one key, two names; a str subclass may write another name)
        if len(_MEMBERS) > 4096:  # bounded: a struct's names may be a client's
            _MEMBERS.clear()
        _MEMBERS[key] = prefix
    return prefix


def _write_dict(value: dict, out: list) -> None:
    # the common member types written here, without a call per value: a 1000-row query answer is 9,000
    # members; any other type (and an int out of range, to raise) goes through _write
    append = out.append
    append("<value><struct>")
    members = _MEMBERS
    for key, item in value.items():
        if item is None:
            continue  # null fields are omitted, as the real server does
        prefix = (members.get(key) if type(key) is str else None) or _member(key)
        kind = type(item)
        if kind is str:
            append(f"{prefix}<value>{item if _SPECIAL.search(item) is None else _escape(item)}</value></member>")
        elif kind is int and INT_MIN <= item <= INT_MAX:
            append(f"{prefix}<value><i4>{item}</i4></value></member>")
        elif kind is datetime:
            iso = item.isoformat()  # as _datetime_text, without the call
            append(f"{prefix}<value><dateTime.iso8601>{iso[:4]}{iso[5:7]}{iso[8:19]}</dateTime.iso8601></value>"
                   "</member>")
        else:
            append(prefix)
            _write(item, out)
            append("</member>")
    append("</struct></value>")


def _write_list(value, out: list) -> None:
    out.append("<value><array><data>")
    for item in value:
        if type(item) is dict:  # a query's rows
            _write_dict(item, out)
        else:
            _write(item, out)
    out.append("</data></array></value>")


def _write_bytes(value: bytes, out: list) -> None:
    out.append("<value><base64>")
    out.append(base64.b64encode(value).decode("ascii"))
    out.append("</base64></value>")


def _write_none(value, out: list) -> None:
    out.append("<value></value>")


_WRITERS = {
    str: _write_str, int: _write_int, bool: _write_bool, float: _write_float, datetime: _write_datetime,
    date: _write_date, dict: _write_dict, list: _write_list, tuple: _write_list, bytes: _write_bytes,
    type(None): _write_none,
}


def _writer_for(value):
    if isinstance(value, Decimal):
        return lambda v, out: _write_float(float(v), out)
    for kind, writer in _WRITERS.items():
        if isinstance(value, kind):
            return writer
    raise TypeError(f"cannot write {type(value).__name__} as XML-RPC")


def dumps_response(value) -> bytes:
    out = [_HEAD, "<params><param>"]
    _write(value, out)
    out.append("</param></params></methodResponse>")
    return "".join(out).encode("utf-8")


def dumps_fault(code: int, message: str) -> bytes:
    return (f"{_HEAD}<fault><value><struct><member><name>faultCode</name><value><i4>{code}</i4></value>"
            f"</member><member><name>faultString</name><value>{_escape(message)}</value></member>"
            "</struct></value></fault></methodResponse>").encode()
