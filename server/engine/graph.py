"""A campaign compiled for the runtime: goals, sequences with their paths of items, decision diamonds, and
the links between them, with every name resolved to an id and every goal's upstream sequences precomputed.

Publishing compiles the campaign document (server.engine.document) into this graph, checks it, and stores it
as JSON with the campaign; the runtime only ever reads compiled graphs, cached per (app, campaign, version).
Ids of goals, sequences, decisions and items are assigned once per key, so they survive republishing: an
enrollment points at item ids, and a republish re-finds its place by them.
"""
from __future__ import annotations

import re
import threading
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from server.domain.mail import merge_fields
from server.store.session import AppSession

from . import document, resources, round_robins

# Set Field Value cannot change these (seed 001: "Name, Phone, Address, Main Email, and SSN").
FORBIDDEN_SET_FIELDS = {
    "FirstName", "LastName", "MiddleName", "Nickname", "Suffix", "Title",
    "Phone1", "Phone1Ext", "Phone1Type", "Phone2", "Phone2Ext", "Phone2Type", "Phone3", "Phone3Ext", "Phone3Type",
    "Phone4", "Phone4Ext", "Phone4Type", "Phone5", "Phone5Ext", "Phone5Type",
    "StreetAddress1", "StreetAddress2", "City", "State", "PostalCode", "ZipFour1", "Country",
    "Address2Street1", "Address2Street2", "City2", "State2", "PostalCode2", "ZipFour2", "Country2",
    "Address3Street1", "Address3Street2", "City3", "State3", "PostalCode3", "ZipFour3", "Country3",
    "Email",
}
STANDARD_PORTS = {80, 443}


@dataclass
class Item:
    id: int
    key: str
    name: str
    type: str
    ready: bool
    config: dict
    sequence_id: int
    path: int
    position: int

    @property
    def is_timer(self) -> bool:
        return self.type in document.TIMER_TYPES


@dataclass
class Sequence:
    id: int
    key: str
    name: str
    runs_until_completed: bool
    paths: list[list[int]]
    next: list[tuple[str, int]]  # sequences and decisions that start when it completes
    goal_right: bool  # a goal follows it: a contact that finishes it waits there (queued)


@dataclass
class Goal:
    id: int
    key: str
    name: str
    type: str
    entry_point: bool
    config: dict
    triggers: list[str]
    targets: list[tuple[str, int]]
    upstream: list[int]  # sequences a contact leaves when it achieves the goal (before exceptions)


@dataclass
class Decision:
    id: int
    key: str
    name: str
    branches: list[dict]  # {"sequence": id, "match": "all"|"any", "rules": [...]} in order


@dataclass
class Graph:
    campaign_id: int
    version: int
    name: str
    time_zone: str
    merge_fields: dict
    goals: dict[int, Goal]
    sequences: dict[int, Sequence]
    items: dict[int, Item]
    decisions: dict[int, Decision]

    def path_items(self, sequence_id: int, path: int) -> list[int]:
        paths = self.sequences[sequence_id].paths
        return paths[path] if path < len(paths) else []

    def to_json(self) -> dict:
        return {
            "campaign_id": self.campaign_id, "version": self.version, "name": self.name,
            "time_zone": self.time_zone, "merge_fields": self.merge_fields,
            "goals": [vars(g) for g in self.goals.values()],
            "sequences": [vars(q) for q in self.sequences.values()],
            "items": [vars(i) for i in self.items.values()],
            "decisions": [vars(d) for d in self.decisions.values()],
        }

    @classmethod
    def from_json(cls, data: dict) -> Graph:
        return cls(
            campaign_id=data["campaign_id"], version=data["version"], name=data["name"],
            time_zone=data["time_zone"], merge_fields=data.get("merge_fields") or {},
            goals={g["id"]: Goal(**dict(g, targets=[tuple(t) for t in g["targets"]])) for g in data["goals"]},
            sequences={q["id"]: Sequence(**dict(q, next=[tuple(t) for t in q["next"]])) for q in data["sequences"]},
            items={i["id"]: Item(**i) for i in data["items"]},
            decisions={d["id"]: Decision(**d) for d in data["decisions"]},
        )


# --- the cache of compiled graphs --------------------------------------------------------------------

_cache: dict[tuple, Graph] = {}
_cache_lock = threading.Lock()


def cached(store: object, app_id: int, epoch: str, campaign_id: int, version: int, load) -> Graph:
    """The compiled graph of a published version; ``store`` (the database engine) keeps apart processes that
    serve several stores, as the test suite does; ``epoch`` (the app's, server.store.schema.system) tells a
    campaign apart from one of the same id and version before a reset or a snapshot restored."""
    key = (id(store), app_id, epoch, campaign_id, version)
    graph = _cache.get(key)
    if graph is None:
        graph = Graph.from_json(load())
        with _cache_lock:
            if len(_cache) > 4096:
                _cache.clear()
            _cache[key] = graph
    return graph


# --- ids -------------------------------------------------------------------------------------------------

def item_identities(doc: dict) -> list[tuple[dict, str, int, int]]:
    """``(item, identity, path, position)`` for every item: its key, or its sequence, path, type and name (or
    its rank among unnamed items of its type), so that editing a document keeps the ids of unchanged items."""
    out = []
    for seq in doc.get("sequences", []):
        for p, path in enumerate(document.paths_of(seq)):
            counts: dict[str, int] = {}
            for position, item in enumerate(path):
                if "key" in item:
                    identity = item["key"]
                elif item.get("name"):
                    identity = f"{seq['key']}/{p}/{item['type']}:{item['name']}"
                else:
                    counts[item["type"]] = counts.get(item["type"], 0) + 1
                    identity = f"{seq['key']}/{p}/{item['type']}#{counts[item['type']]}"
                out.append((item, identity, p, position))
    return out


def assign_ids(s: AppSession, doc: dict, ids: dict | None) -> dict:
    """The id of every node and item of ``doc``: kept from ``ids`` where its identity is unchanged."""
    ids = dict(ids or {})
    wanted = [f"goal:{g['key']}" for g in doc.get("goals", [])]
    wanted += [f"sequence:{q['key']}" for q in doc.get("sequences", [])]
    wanted += [f"decision:{d['key']}" for d in doc.get("decisions", [])]
    wanted += [f"item:{identity}" for _, identity, _, _ in item_identities(doc)]
    kinds = {"goal": "campaign_goal", "sequence": "campaign_sequence", "decision": "campaign_decision",
             "item": "sequence_item"}
    for name in wanted:
        if name not in ids:
            ids[name] = s.next_id(kinds[name.split(":", 1)[0]])
    return ids


# --- compiling ------------------------------------------------------------------------------------------

def post_pairs(fields) -> tuple[list[list[str]], str | None]:
    """An HTTP post's name/value pairs, from a document's ``fields`` (``[[name, value], …]`` or ``{name: value}``),
    in order; and what is wrong with them, if anything (an entry that is not a pair)."""
    if isinstance(fields, dict):
        return [[str(k), str(v)] for k, v in fields.items()], None
    pairs = [list(p) for p in fields or [] if isinstance(p, (list, tuple)) and len(p) == 2]
    if len(pairs) != len(fields or []):
        return pairs, "an HTTP post's fields are [name, value] pairs"
    return pairs, None


def url_problem(s: AppSession, url: str | None) -> str | None:
    """Why an HTTP post cannot go to ``url`` (None if it can): an http(s) URL on port 80 or 443, unless the app
    option ``http_post_any_port`` allows any."""
    if not url:
        return "an HTTP post needs a url"
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:  # a port that is not a number, or out of range
        return f"{url!r} is not an http(s) URL"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{url!r} is not an http(s) URL"
    if port not in STANDARD_PORTS and not s.app.option("http_post_any_port"):
        return "only ports 80 and 443 are supported (seed 001); the app option http_post_any_port allows others"
    return None


@dataclass
class Compiler:
    s: AppSession
    doc: dict
    ids: dict
    campaign_id: int
    version: int
    problems: list[str] = field(default_factory=list)

    def node(self, key: str) -> tuple[str, int] | None:
        for kind in ("goal", "sequence", "decision"):
            if f"{kind}:{key}" in self.ids and self._declared(kind, key):
                return kind, self.ids[f"{kind}:{key}"]
        return None

    def _declared(self, kind: str, key: str) -> bool:
        return any(n["key"] == key for n in self.doc.get(kind + "s", []))

    def resolve(self, where: str, fn, *args, **kwargs):
        try:
            return fn(self.s, *args, **kwargs)
        except resources.Unresolved as exc:
            self.problems.append(f"{where}: {exc}")
            return None

    def compile(self) -> Graph:
        doc = self.doc
        items: dict[int, Item] = {}
        identities = {id(item): identity for item, identity, _, _ in item_identities(doc)}
        item_ids_by_key: dict[str, int] = {}
        sequences: dict[int, Sequence] = {}
        for i, seq in enumerate(doc.get("sequences", [])):
            seq_id = self.ids[f"sequence:{seq['key']}"]
            paths = []
            for p, path in enumerate(document.paths_of(seq)):
                ids = []
                timer_types = set()
                for position, raw in enumerate(path):
                    item_id = self.ids[f"item:{identities[id(raw)]}"]
                    where = f"sequences[{i}].paths[{p}][{position}]"
                    ready = raw.get("ready", True)
                    config = self.item_config(raw, where) if ready else dict(raw)
                    if raw["type"] in document.TIMER_TYPES and ready:
                        timer_types.add(raw["type"])
                    items[item_id] = Item(item_id, raw.get("key") or identities[id(raw)], raw.get("name") or "",
                                          raw["type"], ready, config, seq_id, p, position)
                    if "key" in raw:
                        item_ids_by_key[raw["key"]] = item_id
                    ids.append(item_id)
                if len(timer_types) > 1:
                    self.problems.append(f"sequences[{i}].paths[{p}]: only one type of timer per path "
                                         f"(found {', '.join(sorted(timer_types))})")
                paths.append(ids)
            sequences[seq_id] = Sequence(seq_id, seq["key"], seq.get("name") or seq["key"],
                                         bool(seq.get("runs_until_completed")), paths, [], False)

        decisions: dict[int, Decision] = {}
        for i, dec in enumerate(doc.get("decisions", [])):
            branches = []
            for j, branch in enumerate(dec["branches"]):
                rules = [self.rule(r, f"decisions[{i}].branches[{j}].rules[{k}]")
                         for k, r in enumerate(branch.get("rules", []))]
                branches.append({"sequence": self.ids[f"sequence:{branch['to']}"],
                                 "match": branch.get("match", "all"), "rules": rules})
            decisions[self.ids[f"decision:{dec['key']}"]] = Decision(
                self.ids[f"decision:{dec['key']}"], dec["key"], dec.get("name") or dec["key"], branches)

        out: dict[tuple[str, int], list[tuple[str, int]]] = {}
        for a, b in doc.get("links", []):
            na, nb = self.node(a), self.node(b)
            if na and nb:
                out.setdefault(na, []).append(nb)
        led_to = {target for targets in out.values() for target in targets}
        for i, dec in enumerate(doc.get("decisions", [])):
            if ("decision", self.ids[f"decision:{dec['key']}"]) not in led_to:
                self.problems.append(f"decisions[{i}]: nothing links to decision {dec['key']!r}, so its branches "
                                     f"never run (link a goal or sequence to it)")
        for seq in sequences.values():
            targets = out.get(("sequence", seq.id), [])
            seq.next = [t for t in targets if t[0] in ("sequence", "decision")]
            seq.goal_right = any(t[0] == "goal" for t in targets)

        goals: dict[int, Goal] = {}
        for i, raw in enumerate(doc.get("goals", [])):
            goal_id = self.ids[f"goal:{raw['key']}"]
            config, triggers = self.goal_config(raw, f"goals[{i}]", item_ids_by_key)
            entry = True if i == 0 else bool(raw.get("entry_point", False))  # the first goal always is one
            goals[goal_id] = Goal(goal_id, raw["key"], raw.get("name") or raw["key"], raw["type"], entry, config,
                                  triggers if raw.get("ready", True) else [], out.get(("goal", goal_id), []),
                                  self.upstream(("goal", goal_id), out, decisions))
        return Graph(self.campaign_id, self.version, doc["name"], doc.get("time_zone") or self.s.app.time_zone,
                     doc.get("merge_fields") or {}, goals, sequences, items, decisions)

    @staticmethod
    def upstream(goal: tuple[str, int], out: dict, decisions: dict[int, Decision]) -> list[int]:
        """Every sequence from which ``goal`` can be reached, directly or not (spec campaign-engine.md §1.3)."""
        into: dict[tuple[str, int], list[tuple[str, int]]] = {}
        for src, targets in out.items():
            for t in targets:
                into.setdefault(t, []).append(src)
        for dec in decisions.values():
            for branch in dec.branches:
                into.setdefault(("sequence", branch["sequence"]), []).append(("decision", dec.id))
        seen, queue, found = {goal}, deque([goal]), []
        while queue:
            for src in into.get(queue.popleft(), []):
                if src not in seen:
                    seen.add(src)
                    queue.append(src)
                    if src[0] == "sequence":
                        found.append(src[1])
        return sorted(found)

    # --- goals ---------------------------------------------------------------------------------------
    def goal_config(self, raw: dict, where: str, item_ids: dict[str, int]) -> tuple[dict, list[str]]:
        kind = raw["type"]
        config = {k: v for k, v in raw.items() if k not in ("key", "name", "type", "entry_point", "ready")}
        if kind == "tag_applied":
            refs = raw.get("tags") or ([raw["tag"]] if "tag" in raw else [])
            if not refs:
                self.problems.append(f"{where}: a tag goal names a tag")
            ids = [self.resolve(where, resources.tag_id, r) for r in refs]
            return config, [f"tag_applied:{i}" for i in ids if i is not None]
        if kind == "note_applied":
            ref = raw.get("template")
            return config, [f"note_applied:{_ref_key(ref)}"]
        if kind in document.FORM_GOAL_TYPES:
            return config, [f"{kind}:{_ref_key(raw.get('form'))}"]
        if kind == "task_completed":
            item_id = item_ids.get(raw.get("task", ""))
            return config, [f"task_completed:{item_id if item_id is not None else 'any'}"]
        if kind == "link_clicked":
            item_id = item_ids.get(raw.get("email", ""))
            return config, [f"link_clicked:{item_id if item_id is not None else 'any'}"]
        if kind == "opportunity_moved":
            if "from_stage" in raw:
                config["from_stage"] = self.resolve(where, resources.stage_id, raw["from_stage"])
            to = self.resolve(where, resources.stage_id, raw["to_stage"]) if "to_stage" in raw else "any"
            return config, [f"opportunity_moved:{to}"]
        if kind == "lead_score_reached":
            if "score" not in raw:
                self.problems.append(f"{where}: a lead score goal needs a score")
            return config, ["lead_score_reached"]
        if kind in ("product_purchased", "purchase_failed"):
            if "product" in raw:
                ref = self.resolve(where, resources.product_id, raw["product"])
                return config, [f"{kind}:product:{ref}"]
            if "category" in raw:
                ref = self.resolve(where, resources.product_category_id, raw["category"])
                return config, [f"{kind}:category:{ref}"]
            return config, [f"{kind}:any"]
        if kind == "api_call":
            integration = raw.get("integration") or self.s.app.name  # defaults to the app's name
            call = raw.get("call_name")
            if not call:
                self.problems.append(f"{where}: an API goal needs a call_name")
            config["integration"] = integration
            return config, [api_trigger(self.s, integration, call or "")]
        if kind == "wordpress_optin":
            return config, [wordpress_trigger(raw.get("optin"))]
        raise AssertionError(kind)

    # --- items ---------------------------------------------------------------------------------------
    def item_config(self, raw: dict, where: str) -> dict:
        kind = raw["type"]
        config = {k: v for k, v in raw.items() if k not in ("key", "name", "type", "ready")}
        if kind in ("apply_tag", "remove_tag"):
            refs = raw.get("tags") or ([raw["tag"]] if "tag" in raw else [])
            if not refs:
                self.problems.append(f"{where}: names no tag")
            config["tag_ids"] = [t for t in (self.resolve(where, resources.tag_id, r) for r in refs) if t is not None]
        elif kind in ("email", "fax", "letter", "voice", "phone_call"):
            if kind == "phone_call" and "user" in raw:
                config["user_id"] = self.resolve(where, resources.user_id, raw["user"])
            if "template" in raw:
                config["template_id"] = self.resolve(where, resources.template_id, raw["template"])
            elif kind == "email" and not raw.get("subject"):
                self.problems.append(f"{where}: an email needs a subject or a template")
            self.check_merge_fields(where, raw.get("subject"), raw.get("html"), raw.get("text"), raw.get("body"))
        elif kind == "set_field":
            name = raw.get("field")
            if not name:
                self.problems.append(f"{where}: names no field")
            elif name in FORBIDDEN_SET_FIELDS:
                self.problems.append(f"{where}: Set Field Value cannot change {name} (name, phone, address and "
                                     "main email fields cannot be set)")
            else:
                self.resolve(where, resources.contact_field, name)
        elif kind in ("task", "appointment"):
            self.user_ref(raw.get("assign_to"), where, config, "user_id")
        elif kind in ("assign_owner", "create_opportunity"):
            if "user" in raw:
                self.user_ref(raw["user"], where, config, "user_id")
            if isinstance(raw.get("round_robin"), str):  # a round robin of the account, by name
                rule = round_robins.rule_named(self.s, raw["round_robin"])
                if rule is None:
                    self.problems.append(f"{where}: no round robin {raw['round_robin']!r} (define it first: "
                                         "PUT /sandbox/apps/<app>/round-robins/<name>)")
                else:
                    config["round_robin_rule"] = rule.name
            elif "round_robin" in raw:
                config["round_robin_ids"] = [self.resolve(where, resources.user_id, r) for r in raw["round_robin"]]
            if kind == "assign_owner" and "user" not in raw and "round_robin" not in raw:
                self.problems.append(f"{where}: assign owner needs a user or a round robin")
            if kind == "create_opportunity":
                if "stage" not in raw:
                    self.problems.append(f"{where}: an opportunity needs a stage")
                else:
                    config["stage_id"] = self.resolve(where, resources.stage_id, raw["stage"])
        elif kind == "http_post":
            self.check_url(raw.get("url"), where)
            config["fields"], problem = post_pairs(raw.get("fields"))
            if problem:
                self.problems.append(f"{where}: {problem}")
            self.check_merge_fields(where, *(v for _, v in config["fields"]))
        elif kind == "action_set":
            config["action_set_id"] = self.resolve(where, resources.action_set_id, raw.get("action_set"))
        elif kind == "fulfillment_list":
            fields = raw.get("fields") or ["Id", "FirstName", "LastName", "Email"]
            config["fields"] = [f for f in fields if isinstance(f, str)]
            for name in config["fields"]:
                self.resolve(where, resources.contact_field, name)
            deliver = raw.get("deliver_to") or {}
            if "user" in deliver:
                self.user_ref(deliver["user"], where, config, "user_id")
        elif kind == "field_timer" and raw.get("field"):
            self.resolve(where, resources.contact_field, raw["field"])
        return config

    def user_ref(self, ref, where: str, config: dict, key: str) -> None:
        if ref is None or ref == "owner":
            return
        config[key] = self.resolve(where, resources.user_id, ref)

    def check_url(self, url: str | None, where: str) -> None:
        problem = url_problem(self.s, url)
        if problem:
            self.problems.append(f"{where}: {problem}")

    def check_merge_fields(self, where: str, *texts) -> None:
        for namespace, name in merge_fields.tokens(*texts):
            if namespace == "Contact" and name not in merge_fields.CONTACT_EXTRAS:
                self.resolve(where, resources.contact_field, name)
            elif namespace == "Campaign" and name not in (self.doc.get("merge_fields") or {}):
                self.problems.append(f"{where}: ~Campaign.{name}~ is not a merge field of this campaign")
            elif namespace == "Confirmation" and not re.fullmatch(r"Link\d*", name):
                self.problems.append(f"{where}: ~Confirmation.{name}~: a confirmation link is ~Confirmation.Link~ "
                                     "or ~Confirmation.Link<N>~")
            elif namespace not in merge_fields.NAMESPACES:
                self.problems.append(f"{where}: unknown merge field ~{namespace}.{name}~")

    def rule(self, raw: dict, where: str) -> dict:
        rule = dict(raw)
        if "tag" in raw:
            rule["tag_id"] = self.resolve(where, resources.tag_id, raw["tag"])
        else:
            self.resolve(where, resources.contact_field, raw["field"])
        return rule


def _ref_key(ref) -> str:
    """A trigger key for a goal that names a record another area owns (forms, note templates): its id, or its
    name, or "any"."""
    if ref is None:
        return "any"
    if isinstance(ref, int) or (isinstance(ref, str) and ref.strip().isdigit()):
        return str(int(ref))
    return "name:" + str(ref).strip().lower()


def api_trigger(s: AppSession, integration: str, call_name: str) -> str:
    if not s.app.option("api_goal_case_sensitive"):
        integration, call_name = integration.lower(), call_name.lower()
    return f"api_call:{integration}\x1f{call_name}"


def wordpress_trigger(optin: str | None) -> str:
    """A WordPress opt-in goal's trigger: the opt-in's key as the plugin sends it (matched exactly), or "any"."""
    return f"wordpress_optin:key:{optin}" if optin else "wordpress_optin:any"


def compile_campaign(s: AppSession, doc: dict, ids: dict, campaign_id: int, version: int) -> tuple[Graph, list[str]]:
    compiler = Compiler(s, doc, ids, campaign_id, version)
    graph = compiler.compile()
    return graph, compiler.problems
