"""The campaign document: a Campaign Builder campaign as data (there is no drag-and-drop canvas here).

A document names its goals, sequences (each one or more paths of items) and decision diamonds by ``key`` and
connects them with ``links``; tags, custom fields, templates, products, users and stages are named, and
importing creates the tags and custom fields that are missing (the "content publishing" idea of seed 002).
JSON or YAML; the JSON Schema below is served at ``GET /sandbox/campaigns/schema`` and written to
``docs/campaign.schema.json``. See ``docs/campaigns.md`` for the format with examples.
"""
from __future__ import annotations

import functools
import json

from server import json_input

GOAL_TYPES = (
    "tag_applied", "note_applied", "internal_form_submitted", "task_completed", "opportunity_moved",
    "web_form_submitted", "landing_page_submitted", "link_clicked", "lead_score_reached", "product_purchased",
    "purchase_failed", "api_call", "wordpress_optin", "grosocial_form_submitted", "twitter_lead_card_submitted",
)
# goals that a form of the sandbox's public form page fires, by the form's kind (server.domain.crm.webforms)
FORM_GOAL_TYPES = ("web_form_submitted", "landing_page_submitted", "internal_form_submitted",
                   "grosocial_form_submitted", "twitter_lead_card_submitted")
TIMER_TYPES = ("delay_timer", "date_timer", "field_timer")
COMMUNICATION_TYPES = ("email", "fax", "letter", "voice", "phone_call")
PROCESS_TYPES = (
    "apply_tag", "remove_tag", "note", "task", "appointment", "set_field", "assign_owner", "create_opportunity",
    "fulfillment_list", "http_post", "action_set", "customerhub",
)
ITEM_TYPES = TIMER_TYPES + COMMUNICATION_TYPES + PROCESS_TYPES

_KEY = {"type": "string", "pattern": "^[A-Za-z0-9_.-]{1,64}$"}
_NAME_OR_ID = {"type": ["string", "integer"]}
_TIME = {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$"}
_USER = {"type": ["string", "integer"], "description": "a user's email address or id, or \"owner\""}

_CONDITION = {
    "type": "object",
    "properties": {
        "tag": _NAME_OR_ID,
        "has": {"type": "boolean", "default": True},
        "field": {"type": "string"},
        "op": {"enum": ["equals", "not_equals", "contains", "not_contains", "starts_with", "empty", "not_empty",
                        "greater_than", "less_than"]},
        "value": {"type": ["string", "number", "boolean", "null"]},
    },
    "additionalProperties": False,
    "oneOf": [{"required": ["tag"]}, {"required": ["field"]}],
}

_ITEM = {
    "type": "object",
    "required": ["type"],
    "properties": {
        "key": _KEY,
        "type": {"enum": list(ITEM_TYPES)},
        "name": {"type": "string"},
        "ready": {"type": "boolean", "default": True},
        # timers
        "wait": {"type": "integer", "minimum": 0},
        "unit": {"enum": ["minutes", "hours", "days", "weeks", "months"]},
        "at": _TIME,
        "between": {"type": "array", "items": _TIME, "minItems": 2, "maxItems": 2},
        "weekdays": {"oneOf": [{"type": "boolean"}, {"type": "array", "items": {
            "enum": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]}, "minItems": 1}]},
        "contact_time_zone": {"type": "boolean"},
        "date": {"type": "string", "format": "date"},
        "until": {"type": "string", "format": "date"},
        "field": {"type": "string"},
        "offset": {"type": "integer", "minimum": 0},
        "direction": {"enum": ["before", "after"]},
        "occurrence": {"enum": ["next", "field_year"]},
        # communications
        "template": _NAME_OR_ID,
        "subject": {"type": "string"},
        "html": {"type": "string"},
        "text": {"type": "string"},
        "body": {"type": "string"},
        "from": {"type": "string"},
        "to": {"type": "string"},
        # processes
        "tag": _NAME_OR_ID,
        "tags": {"type": "array", "items": _NAME_OR_ID, "minItems": 1},
        "title": {"type": "string"},
        "description": {"type": "string"},
        "action_type": {"type": "string"},
        "assign_to": _USER,
        "due_in_days": {"type": "integer", "minimum": 0},
        "priority": {"type": "integer"},
        "start": {"type": "string", "description": "\"entry\" or a contact date field"},
        "offset_days": {"type": "integer"},
        "duration_minutes": {"type": "integer", "minimum": 1},
        "value": {"type": ["string", "number", "boolean", "null"]},
        "mode": {"enum": ["overwrite", "if_blank"]},
        "user": _USER,
        "round_robin": {"oneOf": [
            {"type": "array", "items": _USER, "minItems": 1, "description": "this item's own users, in turn"},
            {"type": "string", "minLength": 1, "maxLength": 100,
             "description": "the name of a round robin of the account (its turns shared by every item naming it)"}]},
        "stage": _NAME_OR_ID,
        "notes": {"type": "string"},
        "preview": {"type": "string", "maxLength": 255,
                    "description": "an email's subject preview line (merge fields allowed); else its first words"},
        "fields": {"oneOf": [
            {"type": "array", "items": {"oneOf": [
                {"type": "string"},
                {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 2}]}},
            {"type": "object", "additionalProperties": {"type": "string"}}]},
        "deliver_to": {"type": "object", "properties": {"user": _USER, "email": {"type": "string"}},
                       "additionalProperties": False},
        "queue": {"type": "object", "properties": {"min_rows": {"type": "integer", "minimum": 1},
                                                   "max_days": {"type": "integer", "minimum": 0}},
                  "additionalProperties": False},
        "url": {"type": "string"},
        "action_set": _NAME_OR_ID,
    },
    "additionalProperties": False,
}

_GOAL = {
    "type": "object",
    "required": ["key", "type"],
    "properties": {
        "key": _KEY,
        "name": {"type": "string"},
        "type": {"enum": list(GOAL_TYPES)},
        "entry_point": {"type": "boolean"},
        "ready": {"type": "boolean", "default": True},
        "tag": _NAME_OR_ID,
        "tags": {"type": "array", "items": _NAME_OR_ID, "minItems": 1},
        "template": _NAME_OR_ID,
        "form": _NAME_OR_ID,
        "task": {"type": "string", "description": "the key of a task item in this campaign"},
        "email": {"type": "string", "description": "the key of an email item in this campaign"},
        "url": {"type": "string"},
        "from_stage": _NAME_OR_ID,
        "to_stage": _NAME_OR_ID,
        "score": {"type": "integer"},
        "direction": {"enum": ["up", "down"]},
        "product": _NAME_OR_ID,
        "category": _NAME_OR_ID,
        "integration": {"type": "string"},
        "call_name": {"type": "string"},
        "optin": {"type": "string", "pattern": "^[A-Za-z0-9]{1,64}$",
                  "description": "a WordPress opt-in's key (alphanumeric); none: any opt-in"},
    },
    "additionalProperties": False,
}

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://infusionsoft-sandbox.example/campaign.schema.json",
    "title": "Campaign Builder campaign",
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "description": {"type": "string"},
        "time_zone": {"type": "string"},
        "merge_fields": {"type": "object", "additionalProperties": {"type": "string"}},
        "resources": {
            "type": "object",
            "properties": {
                "tags": {"type": "array", "items": {"oneOf": [
                    {"type": "string"},
                    {"type": "object", "required": ["name"], "properties": {
                        "name": {"type": "string"}, "category": {"type": "string"},
                        "description": {"type": "string"}}, "additionalProperties": False}]}},
                "custom_fields": {"type": "array", "items": {
                    "type": "object", "required": ["name", "type"],
                    "properties": {"name": {"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9]*$"},
                                   "label": {"type": "string"}, "type": {"type": "string"},
                                   "values": {"type": "string"}},
                    "additionalProperties": False}},
            },
            "additionalProperties": False,
        },
        "goals": {"type": "array", "items": _GOAL},
        "sequences": {"type": "array", "items": {
            "type": "object",
            "required": ["key"],
            "properties": {
                "key": _KEY,
                "name": {"type": "string"},
                "runs_until_completed": {"type": "boolean"},
                "items": {"type": "array", "items": _ITEM},
                "paths": {"type": "array", "items": {"type": "array", "items": _ITEM}},
            },
            "additionalProperties": False,
            "not": {"required": ["items", "paths"]},
        }},
        "decisions": {"type": "array", "items": {
            "type": "object",
            "required": ["key", "branches"],
            "properties": {
                "key": _KEY,
                "name": {"type": "string"},
                "branches": {"type": "array", "minItems": 1, "items": {
                    "type": "object", "required": ["to"],
                    "properties": {"to": _KEY, "match": {"enum": ["all", "any"]},
                                   "rules": {"type": "array", "items": _CONDITION}},
                    "additionalProperties": False}},
            },
            "additionalProperties": False,
        }},
        "links": {"type": "array", "items": {"type": "array", "items": _KEY, "minItems": 2, "maxItems": 2}},
    },
    "additionalProperties": False,
}



@functools.cache
def _validator():
    """The schema's validator, made by the first validation: jsonschema takes 3 MiB of a server that may never
    be given a campaign document (issue 18 §8)."""
    import jsonschema  # noqa: PLC0415

    return jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())


class DocumentError(Exception):
    """A document that breaks the schema or refers to what does not exist: every problem, with where."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def parse(text: str | bytes) -> dict:
    """A document from JSON or YAML text, held to what every JSON endpoint takes (server.json_input: no NUL
    character, lone surrogate or non-finite number, nesting at most MAX_DEPTH deep), so that the store can
    keep it: DocumentError otherwise."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise DocumentError([f"not UTF-8 text (byte {exc.start})"]) from None
    try:
        data = json.loads(text)
    except RecursionError:
        raise DocumentError([f"nests deeper than {json_input.MAX_DEPTH} levels"]) from None
    except ValueError:
        import yaml  # noqa: PLC0415 (a document in YAML: the parser loaded by the first one, issue 18 §8)

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise DocumentError([f"not JSON or YAML: {exc}"]) from None
        except RecursionError:
            raise DocumentError([f"nests deeper than {json_input.MAX_DEPTH} levels"]) from None
    if not isinstance(data, dict):
        raise DocumentError(["a campaign document is an object (a mapping)"])
    try:
        json_input.check(data)
    except json_input.BadJson as exc:
        raise DocumentError([exc.message]) from None
    return data


def _where(error) -> str:  # a jsonschema.ValidationError
    path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
    return path.lstrip(".") or "(document)"


def validate(doc: dict) -> None:
    """Check ``doc`` against the schema and its cross references; raise DocumentError with every problem."""
    problems = [f"{_where(e)}: {e.message}" for e in sorted(_validator().iter_errors(doc), key=lambda e: list(
        map(str, e.absolute_path)))]
    if problems:
        raise DocumentError(problems)
    keys: dict[str, str] = {}

    def claim(key: str, kind: str, where: str) -> None:
        if key in keys:
            problems.append(f"{where}: key {key!r} is used twice")
        keys[key] = kind

    for i, goal in enumerate(doc.get("goals", [])):
        claim(goal["key"], "goal", f"goals[{i}]")
    for i, seq in enumerate(doc.get("sequences", [])):
        claim(seq["key"], "sequence", f"sequences[{i}]")
        for p, path in enumerate(paths_of(seq)):
            for j, item in enumerate(path):
                if "key" in item:
                    claim(item["key"], item["type"], f"sequences[{i}].paths[{p}][{j}]")
    for i, decision in enumerate(doc.get("decisions", [])):
        claim(decision["key"], "decision", f"decisions[{i}]")
        for j, branch in enumerate(decision["branches"]):
            if branch["to"] not in _sequence_keys(doc):
                problems.append(f"decisions[{i}].branches[{j}].to: {branch['to']!r} is not a sequence")
    for i, (a, b) in enumerate(doc.get("links", [])):
        for end in (a, b):
            if end not in keys:
                problems.append(f"links[{i}]: {end!r} is not a goal, sequence or decision of this campaign")
        ka, kb = keys.get(a), keys.get(b)
        if ka and kb:
            if ka not in ("goal", "sequence", "decision") or kb not in ("goal", "sequence", "decision"):
                problems.append(f"links[{i}]: only goals, sequences and decisions are linked")
            elif ka == "goal" and kb == "goal":
                problems.append(f"links[{i}]: a goal links to a sequence or a decision, not to a goal")
            elif kb == "decision" and ka == "decision":
                problems.append(f"links[{i}]: a decision links to sequences (through its branches)")
            elif ka == "decision":
                problems.append(f"links[{i}]: a decision's targets are its branches, not links")
    for i, goal in enumerate(doc.get("goals", [])):
        for ref in ("task", "email"):
            if ref in goal and keys.get(goal[ref]) != ("task" if ref == "task" else "email"):
                problems.append(f"goals[{i}].{ref}: {goal[ref]!r} is not the key of a {ref} item of this campaign")
    if problems:
        raise DocumentError(problems)


def _sequence_keys(doc: dict) -> set[str]:
    return {s["key"] for s in doc.get("sequences", [])}


def paths_of(sequence: dict) -> list[list[dict]]:
    if "paths" in sequence:
        return sequence["paths"]
    return [sequence.get("items", [])]


if __name__ == "__main__":  # python -m server.engine.document > docs/campaign.schema.json
    print(json.dumps(SCHEMA, indent=2))
