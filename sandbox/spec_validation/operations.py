"""OpenAPI paths as operations: templates in either placeholder style, parameters, servers.

A document's `paths` become `Operation`s once, ordered so that concrete paths win over templates
(`/v1/notes/by-range` is not the note "by-range").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit

_HTTP_METHODS: Final = frozenset({"get", "put", "post", "delete", "patch", "head", "options"})
_PLACEHOLDER = re.compile(r"^(?:\{(?P<braced>[^}/]+)\}|:(?P<colon>\w+))$")


def normalize_template(template: str) -> str:
    """`/v1/notes/:noteId` (the 2026-03-29 file's style) → `/v1/notes/{noteId}`."""
    segments = []
    for segment in template.split("/"):
        found = _PLACEHOLDER.match(segment)
        if found:
            segments.append("{" + (found["braced"] or found["colon"]) + "}")
        else:
            segments.append(segment)
    return "/".join(segments)


def pointer_escape(token: str) -> str:
    """A path or key as one JSON Pointer token (`/` and `~` escaped)."""
    return token.replace("~", "~0").replace("/", "~1")


@dataclass(frozen=True)
class Parameter:
    """A declared parameter; `pointer` locates its schema in the document."""

    name: str
    location: str
    required: bool
    schema: dict[str, Any]
    pointer: str


@dataclass(frozen=True)
class Operation:
    """One method on one path, with what a request must satisfy to reach it."""

    method: str
    template: str
    raw_template: str
    pattern: re.Pattern[str]
    literal_segments: int
    pointer: str
    definition: dict[str, Any]
    parameters: tuple[Parameter, ...]
    bases: frozenset[str]
    security: tuple[dict[str, list[str]], ...]


def _compile_template(template: str) -> tuple[re.Pattern[str], int]:
    parts = []
    literal = 0
    for segment in template.strip("/").split("/"):
        found = _PLACEHOLDER.match(segment)
        if found:
            parts.append(f"(?P<{found['braced'] or found['colon']}>[^/]+)")
        else:
            parts.append(re.escape(segment))
            literal += 1
    return re.compile("^/" + "/".join(parts) + "/?$"), literal


def _server_bases(servers: Iterable[Mapping[str, Any]]) -> frozenset[str]:
    return frozenset(urlsplit(str(server["url"])).path.rstrip("/") for server in servers)


def operations_of(document: Mapping[str, Any]) -> tuple[Operation, ...]:
    """Every operation of the document, concrete paths first."""
    default_security = tuple(document.get("security", []))
    default_bases = _server_bases(document.get("servers", []))
    operations = []
    for raw_template, path_item in document["paths"].items():
        template = normalize_template(raw_template)
        pattern, literal = _compile_template(raw_template)
        item_pointer = "/paths/" + pointer_escape(raw_template)
        shared = [
            (p, f"{item_pointer}/parameters/{i}")
            for i, p in enumerate(path_item.get("parameters", []))
        ]
        for method, definition in path_item.items():
            if method not in _HTTP_METHODS:
                continue
            pointer = f"{item_pointer}/{method}"
            own = [
                (p, f"{pointer}/parameters/{i}")
                for i, p in enumerate(definition.get("parameters", []))
            ]
            by_key: dict[tuple[str, str], Parameter] = {}
            for parameter, parameter_pointer in [*shared, *own]:
                by_key[(parameter["in"], parameter["name"])] = Parameter(
                    name=parameter["name"],
                    location=parameter["in"],
                    required=bool(parameter.get("required", parameter["in"] == "path")),
                    schema=parameter.get("schema", {}),
                    pointer=f"{parameter_pointer}/schema",
                )
            servers = definition.get("servers", path_item.get("servers"))
            operations.append(
                Operation(
                    method=method.upper(),
                    template=template,
                    raw_template=raw_template,
                    pattern=pattern,
                    literal_segments=literal,
                    pointer=pointer,
                    definition=definition,
                    parameters=tuple(by_key.values()),
                    bases=_server_bases(servers) if servers is not None else default_bases,
                    security=tuple(definition.get("security", default_security)),
                )
            )
    # Concrete paths win over templates: /v1/notes/by-range is not the note "by-range".
    operations.sort(key=lambda op: -op.literal_segments)
    return tuple(operations)
