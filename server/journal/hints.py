"""Near-miss hints: when a call fails on a name, what was probably meant (issue 16 §1, after WireMock's near
misses). The client's answer never changes: the hint goes into the call's journal entry, and into an
``X-Sandbox-Hint`` header only for an app whose ``hints`` option is on.

Each hint is a short sentence. They are worked out only for failed calls, from what the sandbox serves: the
XML-RPC method table (unknown methods: wrong case, wrong service, a typo; wrong arity: the signatures that
exist), the DataService tables (unknown tables and fields, custom fields of the app), the REST v1 and v2
routes (a path close to a real one, a v1 path on v2 or the reverse) and their body properties.
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable

from server.domain.data import custom_fields
from server.domain.errors import NoFieldFound, NoTableFound, ProtocolError
from server.tables import REGISTRY

_NO_HANDLER = "No such handler: "
_NO_MATCH = "No method matching arguments"
_ID = re.compile(r"^(\d+|\{[^}]+\})$")


def closest(word: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """The candidates equal to ``word`` but for case if there are any, else the close ones by difflib."""
    candidates = list(candidates)
    same = [c for c in candidates if c.lower() == word.lower() and c != word]
    if same:
        return same[:n]
    close = difflib.get_close_matches(word, candidates, n=n, cutoff=0.7)
    lowered = {c.lower(): c for c in candidates}
    close += [lowered[c] for c in difflib.get_close_matches(word.lower(), list(lowered), n=n, cutoff=0.7)]
    return list(dict.fromkeys(c for c in same + close if c != word))[:n]


def _quoted(names: list[str]) -> str:
    return " or ".join(names)


class Hints:
    def __init__(self, methods, env, v1_routes: Callable[[], list[tuple[str, str]]],
                 v2_routes: Callable[[], list[tuple[str, str]]]):
        """``methods``: the XML-RPC MethodTable; ``env``: the Environment (custom fields are read through it);
        ``v1_routes()``/``v2_routes()``: ``(METHOD, template)`` of each REST operation, the template relative to
        its API root (``/contacts/{contactId}``), asked for by the hints that need them (REST v1 and v2 are
        loaded by their first use, server.rest.front and server.rest_v2.front)."""
        self.methods = methods
        self.env = env
        self._v1_routes = v1_routes
        self._v2_routes = v2_routes

    def routes(self, version: str) -> list[tuple[str, str]]:
        return self._v1_routes() if version == "v1" else self._v2_routes()

    # --- XML-RPC ------------------------------------------------------------------------------------
    def xmlrpc(self, failure: BaseException, method_name: str | None, params: list, app) -> list[str] | None:
        if isinstance(failure, ProtocolError):
            text = failure.message
            if text.startswith(_NO_HANDLER) and method_name:
                return self.unknown_method(method_name)
            if text.startswith(_NO_MATCH) and method_name:
                return self.signatures(method_name)
            return None
        if isinstance(failure, NoTableFound):
            name = failure.message.removeprefix("No table found: ")
            found = closest(name, REGISTRY.tables)
            return [f"no table {name}: did you mean {_quoted(found)}?"] if found else None
        if isinstance(failure, NoFieldFound):
            table_name, _, name = failure.message.removeprefix("No field found: ").partition(".")
            return self.unknown_field(table_name, name, app)
        return None

    def unknown_method(self, name: str) -> list[str] | None:
        names = self.methods.names()
        found = closest(name, names)
        _, _, bare = name.rpartition(".")
        found += [n for n in names if n.rpartition(".")[2].lower() == bare.lower() and n not in found]
        if not found:
            return None
        return [f"no method {name}: did you mean {_quoted(found[:5])}?"]

    def signatures(self, name: str) -> list[str]:
        out = []
        for m in self.methods.overloads(name):
            kinds = (["key"] if m.key else []) + [p.value for p in m.params]
            out.append(f"{name}({', '.join(kinds)})")
        return [f"{name} takes: {' | '.join(out)}"]

    def unknown_field(self, table_name: str, name: str, app) -> list[str] | None:
        table = REGISTRY.get(table_name)
        if table is None:
            return None
        custom = name.startswith("_")
        names = ["_" + n for n in self._custom_names(table, app)] if custom else list(table.fields)
        found = closest(name, names)
        return [f"no field {table_name}.{name}: did you mean {_quoted(found)}?"] if found else None

    def _custom_names(self, table, app) -> list[str]:
        if table.custom_form is None or app is None:
            return []
        tx = self.env.transaction(write=False)
        try:
            return list(custom_fields.definitions(self.env.session(tx, app), table.custom_form))
        finally:
            tx.end(commit=False)

    # --- REST ---------------------------------------------------------------------------------------
    def rest_path(self, version: str, method: str, path: str) -> list[str] | None:
        """An unknown ``path`` (relative to the version's root): the other version's route if it is one,
        else the close routes of this version."""
        shape = _shape(path)
        other = "v2" if version == "v1" else "v1"
        same_elsewhere = [t for m, t in self.routes(other) if _shape(t) == shape]
        if same_elsewhere:
            return [f"{path} is a REST {other} path: /crm/rest/{other}{same_elsewhere[0]}"]
        templates = list(dict.fromkeys(t for _, t in self.routes(version)))
        shapes: dict[str, str] = {}
        for t in templates:
            shapes.setdefault(_shape(t), t)
        found = closest(shape, shapes)
        if not found:
            return None
        return [f"no REST {version} path {path}: did you mean {_quoted([shapes[f] for f in found])}?"]

    @staticmethod
    def rest_property(name: str, known: Iterable[str]) -> list[str] | None:
        found = closest(name, known)
        return [f"unknown property {name}: did you mean {_quoted(found)}?"] if found else None

    def rest_v1_property(self, failure, model) -> list[str] | None:
        """A v1 body refused for a property its pydantic ``model`` does not know (``extra_forbidden``)."""
        for error in failure.errors(include_url=False):
            loc = error.get("loc", ())
            if error.get("type") != "extra_forbidden" or not loc:
                continue
            for part in loc[:-1]:  # the model of the nested object the property was sent in
                info = model.model_fields.get(part) if isinstance(part, str) else None
                inner = _model_in(info.annotation) if info is not None else None
                if inner is None:
                    break
                model = inner
            known = [info.alias or n for n, info in model.model_fields.items()]
            return self.rest_property(str(loc[-1]), known)
        return None


def _model_in(annotation):
    """The pydantic model an annotation holds (``Model``, ``list[Model]``, ``Model | None``), if any."""
    if hasattr(annotation, "model_fields"):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        if (found := _model_in(arg)) is not None:
            return found
    return None


def _shape(path: str) -> str:
    """A path with its ids and parameters as ``{}``: ``/contacts/12/tags`` and ``/contacts/{id}/tags`` alike."""
    return "/" + "/".join("{}" if _ID.match(s) else s for s in path.strip("/").split("/"))
