"""Matching a request path to the contract's path templates, built once at start-up.

v2 paths mix literal segments, parameters and Google-style custom verbs after a colon
(``/tags/{tag_id}/contacts:applyTags``, ``/files/{file_id}:data``, ``/contacts:merge``). Each segment of a
template is compiled to a regular expression; a path is matched segment by segment, most specific first
(a literal segment, then a parameter with a verb, then a bare parameter), with backtracking. So
``/files/7:data`` is the file's data, not a file whose id is ``7:data``; ``/tags/categories`` is the category
list, not the tag ``categories``; ``/tags/-/contacts`` is the SDK's cross-tag read, not the tag ``-``. A
parameter never matches an empty segment or one containing ``/``; it may contain a colon only where no verb
template claims the segment.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote

_PARAM = re.compile(r"{(\w+)}")


@dataclass
class _Segment:
    pattern: re.Pattern
    names: tuple[str, ...]
    rank: int  # 0: literal, 1: parameter with literal text (a verb), 2: bare parameter


def _compile(segment: str) -> _Segment:
    names = tuple(_PARAM.findall(segment))
    if not names:
        return _Segment(re.compile(re.escape(segment) + r"\Z"), (), 0)
    parts, last = [], 0
    for m in _PARAM.finditer(segment):
        parts.append(re.escape(segment[last:m.start()]))
        parts.append(f"(?P<{m.group(1)}>[^/]+?)" if segment != m.group(0) else f"(?P<{m.group(1)}>[^/]+)")
        last = m.end()
    parts.append(re.escape(segment[last:]))
    return _Segment(re.compile("".join(parts) + r"\Z"), names, 1 if segment != "{" + names[0] + "}" else 2)


@dataclass
class _Node:
    children: list[tuple[_Segment, _Node]] = field(default_factory=list)
    by_literal: dict[str, _Node] = field(default_factory=dict)
    endpoints: dict[str, object] = field(default_factory=dict)  # HTTP method -> target
    allowed: tuple[str, ...] = ()  # the methods of ``endpoints``, sorted (405's Allow)


@dataclass(frozen=True)
class Match:
    target: object | None  # the target for the request's method; None: the path exists, the method does not
    params: dict[str, str]
    allowed: tuple[str, ...]  # the methods the matched path serves (for 405's Allow)


class Router:
    def __init__(self):
        self.root = _Node()

    def add(self, method: str, template: str, target: object) -> None:
        node = self.root
        for raw in template.strip("/").split("/"):
            segment = _compile(raw)
            if segment.rank == 0:
                node = node.by_literal.setdefault(raw, _Node())
                continue
            for existing, child in node.children:
                if existing.pattern.pattern == segment.pattern.pattern:
                    node = child
                    break
            else:
                child = _Node()
                node.children.append((segment, child))
                node.children.sort(key=lambda pair: pair[0].rank)
                node = child
        node.endpoints[method.upper()] = target
        node.allowed = tuple(sorted(node.endpoints))

    def match(self, method: str, path: str) -> Match | None:
        """The endpoint for ``method`` at ``path`` (relative to the API root), or None if no template matches."""
        path = path.strip("/")
        segments = [unquote(s) if "%" in s else s for s in path.split("/")] if path else []
        method = method.upper()
        found = self._walk(self.root, segments, 0, {}, method)
        if found is None:
            return None
        node, params = found
        return Match(node.endpoints.get(method), params, node.allowed)

    def _walk(self, node: _Node, segments: list[str], i: int, params: dict, method: str):
        if i == len(segments):
            return (node, params) if node.endpoints else None
        segment = segments[i]
        if not segment:
            return None
        fallback = None
        literal = node.by_literal.get(segment)
        if literal is not None:
            found = self._walk(literal, segments, i + 1, params, method)
            if found is not None:
                if method in found[0].endpoints:
                    return found
                fallback = fallback or found
        for compiled, child in node.children:
            m = compiled.pattern.match(segment)
            if m is None:
                continue
            found = self._walk(child, segments, i + 1, {**params, **m.groupdict()}, method)
            if found is not None:
                if method in found[0].endpoints:
                    return found
                fallback = fallback or found
        return fallback
