"""The published documents, and the corrections applied when loading them.

The specs in `sandbox/specs/` are the source of truth. Where a spec cannot describe a correct
request, the fix lives in `CORRECTIONS`: the one place that records how and why we deviate from
the files (each correction fails loudly once the document it repairs changes).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from sandbox.spec_validation.operations import normalize_template

SPEC_DIR: Final = Path(__file__).resolve().parent.parent / "specs"

ContractName = Literal["production", "2026-03-29", "prelive"]
DocumentName = Literal["production", "2026-03-29", "prelive", "oauth2"]

_SPEC_FILES: Final[dict[str, str]] = {
    "production": "user-api.production.json",
    "2026-03-29": "user-api.prelive-2026-03-29.json",
    "prelive": "user-api.prelive.json",
    "oauth2": "oauth2.json",
}
USER_API_DOCUMENTS: Final = frozenset({"production", "2026-03-29", "prelive"})


# --------------------------------------------------------------------------------------------
# Corrections: the one place where we knowingly deviate from the published documents.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Correction:
    """A repair applied to a freshly loaded document before anything is validated against it."""

    name: str
    documents: frozenset[str]
    reason: str
    apply: Callable[[dict[str, Any]], None]


def _find_operation(document: dict[str, Any], method: str, template: str) -> dict[str, Any]:
    wanted = normalize_template(template)
    for raw_template, path_item in document["paths"].items():
        if normalize_template(raw_template) == wanted and method.lower() in path_item:
            operation: dict[str, Any] = path_item[method.lower()]
            return operation
    raise LookupError(f"{method} {template} is not in the document; a correction is stale")


def _merge_closed_branch(outer: dict[str, Any]) -> dict[str, Any]:
    """Turn `{closed A, oneOf: [closed B]}` into the single closed object `A ∪ B` it meant.

    The generator that wrote these specs emits the shared keys and the per-variant keys as two
    objects that both forbid additional properties, so no instance can satisfy both.
    """
    (branch,) = outer["oneOf"]
    merged_properties = {**outer.get("properties", {}), **branch.get("properties", {})}
    merged_required = list(dict.fromkeys([*outer.get("required", []), *branch.get("required", [])]))
    return {
        "type": "object",
        "properties": merged_properties,
        "required": merged_required,
        "additionalProperties": False,
    }


def _fix_activity_day_body(document: dict[str, Any]) -> None:
    content = _find_operation(document, "post", "/v1/activity-days")["requestBody"]["content"]
    schema = content["application/json"]["schema"]
    merged = _merge_closed_branch(schema)
    # The only variant is titled "QURAN": it is the shape for reading, so the type must match it.
    merged["properties"]["type"] = {"type": "string", "enum": [schema["oneOf"][0]["title"]]}
    content["application/json"]["schema"] = merged


def _fix_by_verse_path_parameter(document: dict[str, Any]) -> None:
    operation = _find_operation(document, "get", "/v1/notes/by-verse/{verseKey}")
    parameters = operation["parameters"]
    declared = next(p for p in parameters if p["name"] == "verseKey")
    if not any(p["name"] == "verseKey" and p["in"] == "path" for p in parameters):
        parameters.append({**declared, "in": "path", "required": True})


def _fix_post_verse_key_pattern(document: dict[str, Any]) -> None:
    operation = _find_operation(document, "get", "/v1/posts/by-verse/{verseKey}")
    for parameter in operation["parameters"]:
        if parameter["name"] == "verseKey":
            parameter["schema"]["pattern"] = r"^[1-9][0-9]{0,2}:[1-9][0-9]{0,2}$"


def _tolerate_indexed_feed_references(document: dict[str, Any]) -> None:
    operation = _find_operation(document, "get", "/v1/posts/feed")
    declared = {p["name"] for p in operation["parameters"]}
    production = load_raw_document("production")
    reference = _find_operation(production, "get", "/v1/posts/feed")
    operation["parameters"].extend(
        copy.deepcopy(p)
        for p in reference["parameters"]
        if p["name"].startswith("filter[references][0]") and p["name"] not in declared
    )


def _fix_note_by_id_path_parameter(document: dict[str, Any]) -> None:
    operation = _find_operation(document, "get", "/v1/notes/{noteId}")
    operation.setdefault("parameters", []).append(
        {"in": "path", "name": "noteId", "required": True, "schema": {"type": "string"}}
    )


def _tolerate_todays_plan_mushaf(document: dict[str, Any]) -> None:
    operation = _find_operation(document, "get", "/v1/goals/get-todays-plan")
    if not any(p["name"] == "mushafId" for p in operation["parameters"]):
        production = load_raw_document("production")
        reference = _find_operation(production, "get", "/v1/goals/get-todays-plan")
        mushaf = next(p for p in reference["parameters"] if p["name"] == "mushafId")
        operation["parameters"].append({**copy.deepcopy(mushaf), "required": False})


def _fix_todays_plan_response(document: dict[str, Any]) -> None:
    response = _find_operation(document, "get", "/v1/goals/get-todays-plan")["responses"]["200"]
    envelope = response["content"]["application/json"]["schema"]
    data = envelope["properties"]["data"]
    if "oneOf" not in data:
        return
    with_goal = _merge_closed_branch(data)
    with_goal["properties"]["hasGoal"] = {"type": "boolean", "enum": [True]}
    without_goal = {
        "type": "object",
        "properties": {"hasGoal": {"type": "boolean", "enum": [False]}},
        "required": ["hasGoal"],
        "additionalProperties": False,
    }
    envelope["properties"]["data"] = {"oneOf": [without_goal, with_goal]}


def _fix_profile_created_at(document: dict[str, Any]) -> None:
    schema = document["components"]["schemas"]["UserSerializedDto"]
    schema["properties"]["createdAt"] = {"type": "string"}


def _declare_pkce_parameters(document: dict[str, Any]) -> None:
    operation = _find_operation(document, "get", "/oauth2/auth")
    operation["parameters"].extend(
        [
            {"in": "query", "name": "nonce", "schema": {"type": "string"}},
            {"in": "query", "name": "code_challenge", "schema": {"type": "string"}},
            {"in": "query", "name": "code_challenge_method", "schema": {"enum": ["S256"]}},
        ]
    )


CORRECTIONS: Final[tuple[Correction, ...]] = (
    Correction(
        name="activity-day body",
        documents=USER_API_DOCUMENTS,
        reason=(
            "POST /v1/activity-days declares a closed {date, type} object combined with a closed "
            "oneOf variant {seconds, ranges, mushafId}: no body satisfies both. Validate against "
            "the union, which is exactly the operation's own example."
        ),
        apply=_fix_activity_day_body,
    ),
    Correction(
        name="by-verse path parameter",
        documents=USER_API_DOCUMENTS,
        reason=(
            "GET /v1/notes/by-verse/{verseKey} declares verseKey only as a required query "
            "parameter although the path has a {verseKey} segment too; add the path parameter "
            "and keep the query one required, so a client must send both."
        ),
        apply=_fix_by_verse_path_parameter,
    ),
    Correction(
        name="post by-verse key pattern",
        documents=USER_API_DOCUMENTS,
        reason=(
            "GET /v1/posts/by-verse/{verseKey} gives the literal placeholder 'VERSE_KEY_REGEX' as "
            "the key's pattern; use the chapter:verse shape its description and example state."
        ),
        apply=_fix_post_verse_key_pattern,
    ),
    Correction(
        name="feed reference filter",
        documents=frozenset({"2026-03-29"}),
        reason=(
            "The 2026-03-29 feed declares `references` as an array of objects in the query, which "
            "has no defined serialization; later contracts declare the indexed names "
            "filter[references][0][chapterId|from|to] the server parses. One client talks to "
            "every environment, so the indexed names are tolerated here."
        ),
        apply=_tolerate_indexed_feed_references,
    ),
    Correction(
        name="note-by-id path parameter",
        documents=USER_API_DOCUMENTS,
        reason="GET /v1/notes/{noteId} omits its path parameter; declare it as a string.",
        apply=_fix_note_by_id_path_parameter,
    ),
    Correction(
        name="today's plan mushafId",
        documents=frozenset({"2026-03-29"}),
        reason=(
            "The 2026-03-29 contract drops mushafId from GET /v1/goals/get-todays-plan while "
            "production and pre-live require it and its answer still carries mushafId. One client "
            "talks to every environment, so the parameter is tolerated (optional) here."
        ),
        apply=_tolerate_todays_plan_mushaf,
    ),
    Correction(
        name="today's plan answer",
        documents=frozenset({"2026-03-29"}),
        reason=(
            "The 2026-03-29 answer is a closed {hasGoal} object combined with a closed oneOf "
            "variant that lacks hasGoal, so no answer validates. Read it as {hasGoal: false} or "
            "{hasGoal: true} plus the variant's fields (still without goalId)."
        ),
        apply=_fix_todays_plan_response,
    ),
    Correction(
        name="profile createdAt",
        documents=frozenset({"2026-03-29"}),
        reason="UserSerializedDto.createdAt is typed object but its example is a string.",
        apply=_fix_profile_created_at,
    ),
    Correction(
        name="PKCE parameters",
        documents=frozenset({"oauth2"}),
        reason=(
            "The developer docs require PKCE (code_challenge, code_challenge_method=S256) and a "
            "nonce with openid on GET /oauth2/auth; the OAuth2 spec lists none of them."
        ),
        apply=_declare_pkce_parameters,
    ),
)


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------

_RAW_CACHE: dict[str, dict[str, Any]] = {}


def load_raw_document(name: str) -> dict[str, Any]:
    """The file as published (cached); never mutate the result."""
    if name not in _RAW_CACHE:
        with (SPEC_DIR / _SPEC_FILES[name]).open(encoding="utf-8") as handle:
            _RAW_CACHE[name] = json.load(handle)
    return _RAW_CACHE[name]


def load_corrected_document(name: str) -> dict[str, Any]:
    document = copy.deepcopy(load_raw_document(name))
    for correction in CORRECTIONS:
        if name in correction.documents:
            correction.apply(document)
    return document
