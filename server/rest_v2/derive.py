"""Regenerate the contract's derived files from their sources (a developer's tool, not run by the server):

    python -m server.rest_v2.derive            # both files below
    python -m server.rest_v2.derive --check    # exit 1 if either is stale (tests/rest_v2/test_contract_files.py)

- ``spec/keap-rest-v2.json``: Keap's OpenAPI document ``spec/keap-rest-v2.swagger.yml`` (keap-sdk
  ``sdks/v2/swagger.yml``, 399 operations) as JSON, which loads in milliseconds where the YAML takes over a
  second with libyaml.
- ``spec/sdk-overlay.json``: the operations of the PyPI SDK ``keap-core-v2-sdk==2.0.26`` (module
  ``keap_core_v2_client``, 403 operations, newer than the document and the contract where they differ) that
  the document lacks, as OpenAPI paths and component schemas read from the SDK's generated code: the HTTP
  method and path from each API method's serializer, the parameters from its signature, the answers from its
  ``_response_types_map``, and each new model's properties, types, aliases and enums from the pydantic model.
  Needs the SDK installed (a test dependency).
"""
from __future__ import annotations

import argparse
import datetime as dt
import importlib
import inspect
import json
import pkgutil
import re
import sys
import types
import typing
from pathlib import Path

import yaml
from pydantic import BaseModel

SPEC_DIR = Path(__file__).resolve().parent / "spec"
YAML_FILE = SPEC_DIR / "keap-rest-v2.swagger.yml"
JSON_FILE = SPEC_DIR / "keap-rest-v2.json"
OVERLAY_FILE = SPEC_DIR / "sdk-overlay.json"
SDK_VERSION = "2.0.26"
_METHODS = ("get", "put", "post", "patch", "delete")


def spec_json() -> str:
    document = yaml.load(YAML_FILE.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


# --- the SDK's operations -------------------------------------------------------------------------------

def _sdk_operations():
    """``(method, path, api class, python method name)`` for every operation of the SDK."""
    import keap_core_v2_client.api as api_package  # noqa: PLC0415  (the SDK is a test dependency; only this tool reads it)

    found = []
    for info in pkgutil.iter_modules(api_package.__path__):
        module = importlib.import_module(f"{api_package.__name__}.{info.name}")
        source = inspect.getsource(module)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__:
                continue
            for name in dir(cls):
                if name.startswith("_") or name.endswith(("_with_http_info", "_without_preload_content")):
                    continue
                serializer = re.search(rf"def _{name}_serialize\(.*?method='(\w+)',\s*resource_path='([^']+)'",
                                       source, re.S)
                if serializer:
                    found.append((serializer.group(1).lower(), serializer.group(2), cls, name, source))
    return found


def _camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _tag(cls, spec_tags: set[str]) -> str:
    base = cls.__name__.removesuffix("Api")
    for tag in spec_tags:
        if tag.replace(" ", "") == base:
            return tag
    return re.sub(r"(?<!^)(?=[A-Z])", " ", base)


class _Models:
    """Component schemas of SDK models the document lacks, built on first reference."""

    def __init__(self, known: set[str]):
        self.known = known
        self.schemas: dict[str, dict] = {}

    def ref(self, model) -> dict:
        name = model.__name__
        if name not in self.known and name not in self.schemas:
            self.schemas[name] = {}  # placeholder against cycles
            self.schemas[name] = self._schema_of_model(model)
        return {"$ref": f"#/components/schemas/{name}"}

    def _schema_of_model(self, model) -> dict:
        source = inspect.getsource(model)
        enums = {m.group(1): re.findall(r"'([^']*)'", m.group(2))
                 for m in re.finditer(r"def (\w+)_validate_enum.*?set\(\[(.*?)\]\)", source, re.S)}
        properties, required = {}, []
        for field_name, info in model.model_fields.items():
            wire = info.alias or field_name
            schema = self.schema(info.annotation, info.metadata)
            if info.description:
                schema = {**schema, "description": info.description}
            if field_name in enums:
                schema = {**schema, "enum": enums[field_name]}
            properties[wire] = schema
            if info.is_required():
                required.append(wire)
        out = {"type": "object", "properties": properties}
        if required:
            out["required"] = required
        doc = inspect.getdoc(model)
        if doc and not doc.startswith(model.__name__):
            out["description"] = doc
        return out

    def schema(self, annotation, metadata=()) -> dict:

        origin = typing.get_origin(annotation)
        args = typing.get_args(annotation)
        if origin is typing.Annotated:
            return self.schema(args[0], [*metadata, *args[1:]])
        if origin in (typing.Union, types.UnionType):
            options = [a for a in args if a is not type(None)]
            if len(options) == 1:
                return self.schema(options[0], metadata)
            if {typing.get_args(o)[0] if typing.get_origin(o) is typing.Annotated else o for o in options} \
                    <= {int, float}:
                return self._constrained({"type": "number"}, metadata)
            return {"anyOf": [self.schema(o) for o in options]}
        if origin in (list, list, set, set):
            out = {"type": "array", "items": self.schema(args[0]) if args else {}}
            return self._constrained(out, metadata)
        if origin in (dict, dict):
            return {"type": "object", "additionalProperties": self.schema(args[1]) if len(args) > 1 else {}}
        if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
            return self.ref(annotation)
        simple = {str: {"type": "string"}, int: {"type": "integer", "format": "int32"},
                  float: {"type": "number"}, bool: {"type": "boolean"},
                  dt.datetime: {"type": "string", "format": "date-time"}, dt.date: {"type": "string", "format": "date"},
                  bytes: {"type": "string", "format": "binary"}}
        if annotation in simple:
            return self._constrained(dict(simple[annotation]), metadata)
        return {}

    @staticmethod
    def _constrained(schema: dict, metadata) -> dict:
        for item in metadata:
            for attr, key in (("ge", "minimum"), ("le", "maximum"), ("gt", "exclusiveMinimum"),
                              ("lt", "exclusiveMaximum"), ("min_length", "minItems" if schema.get("type") == "array"
                                                           else "minLength"),
                              ("max_length", "maxItems" if schema.get("type") == "array" else "maxLength")):
                value = getattr(item, attr, None)
                if value is not None:
                    schema[key] = value
            for nested in getattr(item, "metadata", ()) or ():
                _Models._constrained(schema, [nested])
        return schema


def _description(info) -> str | None:
    for item in typing.get_args(info)[1:] if typing.get_origin(info) is typing.Annotated else ():
        if getattr(item, "description", None):
            return item.description
    return None


def overlay() -> dict:
    """The SDK's operations that Keap's document lacks, as an OpenAPI fragment."""
    import keap_core_v2_client  # noqa: PLC0415  (the SDK is a test dependency; only this tool reads it)

    document = json.loads(JSON_FILE.read_text())
    in_spec = {(m, p) for p, item in document["paths"].items() for m in item if m in _METHODS}
    spec_tags = {op["tags"][0] for item in document["paths"].values() for m, op in item.items() if m in _METHODS}
    models = _Models(set(document["components"]["schemas"]))
    paths: dict[str, dict] = {}
    for method, path, cls, name, source in sorted(_sdk_operations(), key=lambda o: (o[1], o[0])):
        if (method, path) in in_spec:
            continue
        func = getattr(cls, name)
        body_source = source[source.index(f"def {name}(") if f"def {name}(" in source else 0:]
        serializer = source[source.index(f"def _{name}_serialize("):]
        serializer = serializer[:serializer.index("resource_path=")]
        responses_text = re.search(r"_response_types_map: Dict\[str, Optional\[str\]\] = \{(.*?)\}", body_source,
                                   re.S).group(1)
        multi = set(re.findall(r"'(\w+)': 'multi'", serializer))
        query_names = re.findall(r"_query_params\.append\(\('(\w+)'", serializer)
        path_names = re.findall(r"_path_params\['(\w+)'\]", serializer)
        doc = (inspect.getdoc(func) or "").split(":param")[0].strip().split("\n\n", 1)
        operation: dict = {"tags": [_tag(cls, spec_tags)], "summary": doc[0].strip()}
        if len(doc) > 1 and doc[1].strip():
            operation["description"] = doc[1].strip()
        operation["operationId"] = _camel(name)
        parameters, body = [], None
        for pname, param in inspect.signature(func).parameters.items():
            if pname == "self" or pname.startswith("_"):
                continue
            annotation = param.annotation
            inner = typing.get_args(annotation)[0] if typing.get_origin(annotation) is typing.Annotated else annotation
            if inspect.isclass(inner) and issubclass(inner, BaseModel):
                body = {"content": {"application/json": {"schema": models.ref(inner)}}, "required": True}
                continue
            where = "path" if pname in path_names else "query" if pname in query_names else None
            if where is None:
                continue
            schema = models.schema(annotation)
            if pname in multi and schema.get("type") != "array":
                schema = {"type": "array", "items": schema}
            entry = {"name": pname, "in": where}
            if _description(annotation):
                entry["description"] = _description(annotation)
            entry["required"] = where == "path" or param.default is inspect.Parameter.empty
            entry["schema"] = schema
            parameters.append(entry)
        if parameters:
            operation["parameters"] = parameters
        if body is not None:
            operation["requestBody"] = body
        responses = {}
        for code, model_name in re.findall(r"'(\d+)': (\"\w+\"|None)", responses_text):
            model_name = model_name.strip('"')
            answer = {"description": _REASONS.get(code, "")}
            if model_name != "None":
                model = getattr(keap_core_v2_client.models, model_name)
                answer["content"] = {"application/json": {"schema": models.ref(model)}}
            responses[code] = answer
        operation["responses"] = responses
        paths.setdefault(path, {})[method] = operation
    return {
        "x-derived-from": f"keap-core-v2-sdk=={SDK_VERSION} (python -m server.rest_v2.derive)",
        "paths": paths,
        "components": {"schemas": dict(sorted(models.schemas.items()))},
    }


_REASONS = {"200": "OK", "201": "Created", "202": "Accepted", "204": "No Content", "400": "Bad Request",
            "401": "Unauthorized", "403": "Forbidden", "404": "Not Found", "405": "Method Not Allowed",
            "409": "Conflict", "500": "Internal Server Error", "501": "Method Not Implemented"}


def overlay_json() -> str:
    return json.dumps(overlay(), indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a derived file is stale")
    args = parser.parse_args(argv)
    stale = []
    for path, render in ((JSON_FILE, spec_json), (OVERLAY_FILE, overlay_json)):
        text = render()
        if args.check:
            if not path.exists() or path.read_text() != text:
                stale.append(path.name)
        else:
            path.write_text(text)
    if stale:
        print("stale: " + ", ".join(stale) + " (run: python -m server.rest_v2.derive)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
