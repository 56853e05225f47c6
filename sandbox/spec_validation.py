"""Checks requests (and the fake server's answers) against the official Quran Foundation specs.

The fake Quran Foundation server runs every request it receives through `SpecValidator`, so a bot
bug that the real server would reject (a missing header, a closed body with an extra key, a
parameter the environment does not know) fails the tests instead of passing against a lenient
fake. The specs are the source of truth; where a spec cannot describe a correct request, the fix
lives in `CORRECTIONS` below, the one place that records how and why we deviate from the files.

Conventions the validator applies on top of OpenAPI 3.0:

* An operation absent from the document is an error (the real server answers 404).
* Query parameters the operation does not declare are errors. OpenAPI does not forbid them, but
  the bot must not rely on servers ignoring them: sending `lastMutationAt` to the production
  contract (which lacks it) is exactly the mistake this catches.
* Query, path, header and form values arrive as strings and are coerced to the schema's type
  before validation; untyped `oneOf` schemas (goal `amount`) accept the string if any
  interpretation (integer, number, boolean, text) validates.
* Per-operation `servers` matter: Quran Reflect operations such as `GET /v1/users/profile` are
  served under `/quran-reflect`, not `/auth`. Pass `base` to check it.
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Final, Literal
from urllib.parse import unquote, urlsplit

from jsonschema import Draft7Validator
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry
from referencing.jsonschema import DRAFT7

SPEC_DIR: Final = Path(__file__).resolve().parent / "specs"

ContractName = Literal["production", "2026-03-29", "prelive"]
DocumentName = Literal["production", "2026-03-29", "prelive", "oauth2"]

_SPEC_FILES: Final[dict[str, str]] = {
    "production": "user-api.production.json",
    "2026-03-29": "user-api.prelive-2026-03-29.json",
    "prelive": "user-api.prelive.json",
    "oauth2": "oauth2.json",
}
_USER_API_DOCUMENTS: Final = frozenset({"production", "2026-03-29", "prelive"})
_HTTP_METHODS: Final = frozenset({"get", "put", "post", "delete", "patch", "head", "options"})

IssueKind = Literal[
    "unknown_operation",
    "wrong_base",
    "security",
    "missing_parameter",
    "unknown_parameter",
    "invalid_parameter",
    "missing_body",
    "unexpected_body",
    "invalid_body",
]


@dataclass(frozen=True)
class ValidationIssue:
    """One reason a request breaks the contract; `message` names the offending field."""

    kind: IssueKind
    location: Literal["operation", "path", "query", "header", "body", "security"]
    name: str | None
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class OperationMatch:
    """An operation found for a request path; `template` always uses `{name}` placeholders."""

    method: str
    template: str
    path_params: dict[str, str]
    operation_id: str | None


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
    wanted = _normalize_template(template)
    for raw_template, path_item in document["paths"].items():
        if _normalize_template(raw_template) == wanted and method.lower() in path_item:
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
    for parameter in operation["parameters"]:
        if parameter["name"] == "verseKey":
            parameter["in"] = "path"


def _fix_note_by_id_path_parameter(document: dict[str, Any]) -> None:
    operation = _find_operation(document, "get", "/v1/notes/{noteId}")
    operation.setdefault("parameters", []).append(
        {"in": "path", "name": "noteId", "required": True, "schema": {"type": "string"}}
    )


def _tolerate_todays_plan_mushaf(document: dict[str, Any]) -> None:
    operation = _find_operation(document, "get", "/v1/goals/get-todays-plan")
    if not any(p["name"] == "mushafId" for p in operation["parameters"]):
        production = _load_raw_document("production")
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
        documents=_USER_API_DOCUMENTS,
        reason=(
            "POST /v1/activity-days declares a closed {date, type} object combined with a closed "
            "oneOf variant {seconds, ranges, mushafId}: no body satisfies both. Validate against "
            "the union, which is exactly the operation's own example."
        ),
        apply=_fix_activity_day_body,
    ),
    Correction(
        name="by-verse path parameter",
        documents=_USER_API_DOCUMENTS,
        reason=(
            "GET /v1/notes/by-verse/{verseKey} declares verseKey as a required query parameter "
            "although it is the path segment; clients (Quran.com's included) send it in the path."
        ),
        apply=_fix_by_verse_path_parameter,
    ),
    Correction(
        name="note-by-id path parameter",
        documents=_USER_API_DOCUMENTS,
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


def _load_raw_document(name: str) -> dict[str, Any]:
    """The file as published (cached); never mutate the result."""
    if name not in _RAW_CACHE:
        with (SPEC_DIR / _SPEC_FILES[name]).open(encoding="utf-8") as handle:
            _RAW_CACHE[name] = json.load(handle)
    return _RAW_CACHE[name]


def _load_corrected_document(name: str) -> dict[str, Any]:
    document = copy.deepcopy(_load_raw_document(name))
    for correction in CORRECTIONS:
        if name in correction.documents:
            correction.apply(document)
    return document


_PLACEHOLDER = re.compile(r"^(?:\{(?P<braced>[^}/]+)\}|:(?P<colon>\w+))$")


def _normalize_template(template: str) -> str:
    """`/v1/notes/:noteId` (the 2026-03-29 file's style) → `/v1/notes/{noteId}`."""
    segments = []
    for segment in template.split("/"):
        found = _PLACEHOLDER.match(segment)
        if found:
            segments.append("{" + (found["braced"] or found["colon"]) + "}")
        else:
            segments.append(segment)
    return "/".join(segments)


def _pointer_escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


@dataclass(frozen=True)
class _Parameter:
    name: str
    location: str
    required: bool
    schema: dict[str, Any]
    pointer: str


@dataclass(frozen=True)
class _Operation:
    method: str
    template: str
    raw_template: str
    pattern: re.Pattern[str]
    literal_segments: int
    pointer: str
    definition: dict[str, Any]
    parameters: tuple[_Parameter, ...]
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


# --------------------------------------------------------------------------------------------
# Value coercion and error wording
# --------------------------------------------------------------------------------------------

_INTEGER = re.compile(r"^-?\d+$")


def _string_interpretations(raw: str) -> list[Any]:
    """Every JSON value a string in a URL, header or form could stand for, most typed first."""
    values: list[Any] = []
    if _INTEGER.match(raw):
        values.append(int(raw))
    else:
        try:
            number = float(raw)
        except ValueError:
            pass
        else:
            if math.isfinite(number):
                values.append(number)
    if raw in ("true", "false"):
        values.append(raw == "true")
    values.append(raw)
    return values


def _describe_location(prefix: str, path: Iterable[Any]) -> str:
    text = prefix
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def _shorten(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:60] + "…" + text[-10:]


def _describe_error(prefix: str, error: ValidationError) -> str:
    where = _describe_location(prefix, error.absolute_path)
    if error.validator in ("oneOf", "anyOf") and error.context:
        # The branch whose type fits the value explains the failure best (0 for "integer ≥ 1").
        fitting = [e for e in error.context if e.validator != "type"]
        deepest = fitting[0] if fitting else best_match(error.context)
        detail = deepest.message if len(deepest.message) <= 200 else str(deepest.validator)
        return f"{where}: {_shorten(error.instance)} matches none of the allowed forms ({detail})"
    if error.validator == "maxLength":
        limit = error.validator_value
        return f"{where}: {len(error.instance)} characters, more than the maximum {limit}"
    if error.validator == "minLength":
        limit = error.validator_value
        return f"{where}: {len(error.instance)} characters, fewer than the minimum {limit}"
    if error.validator == "additionalProperties":
        return f"{where}: {error.message}"
    if error.validator in ("pattern", "enum", "type", "minimum", "maximum", "required"):
        message = error.message.replace(repr(error.instance), _shorten(error.instance), 1)
        return f"{where}: {message}"
    message = error.message if len(error.message) <= 200 else error.message[:200] + "…"
    return f"{where}: {message}"


# --------------------------------------------------------------------------------------------
# The validator
# --------------------------------------------------------------------------------------------


class SpecValidator:
    """Validates requests and answers against one OpenAPI document (loaded on first use)."""

    _instances: dict[str, SpecValidator] = {}  # noqa: RUF012 - a per-process cache, not state

    def __init__(self, document: DocumentName) -> None:
        self.document_name = document
        self._validators: dict[str, Draft7Validator] = {}

    @classmethod
    def for_contract(cls, name: ContractName) -> SpecValidator:
        """The cached validator for a User API contract: production, 2026-03-29 or prelive."""
        if name not in _USER_API_DOCUMENTS:
            raise ValueError(
                f"unknown contract {name!r}; expected one of {sorted(_USER_API_DOCUMENTS)}"
            )
        return cls._cached(name)

    @classmethod
    def for_oauth(cls) -> SpecValidator:
        """The cached validator for the OAuth2/OIDC server (`oauth2.json`)."""
        return cls._cached("oauth2")

    @classmethod
    def _cached(cls, name: DocumentName) -> SpecValidator:
        if name not in cls._instances:
            cls._instances[name] = cls(name)
        return cls._instances[name]

    # -- loading ----------------------------------------------------------------------------

    @cached_property
    def _document(self) -> dict[str, Any]:
        return _load_corrected_document(self.document_name)

    @cached_property
    def _uri(self) -> str:
        return f"urn:quran-foundation:{self.document_name}"

    @cached_property
    def _registry(self) -> Registry[Any]:
        resource = DRAFT7.create_resource(self._document)
        return Registry().with_resource(self._uri, resource)  # type: ignore[no-any-return]

    @cached_property
    def _operations(self) -> tuple[_Operation, ...]:
        document = self._document
        default_security = tuple(document.get("security", []))
        default_bases = _server_bases(document.get("servers", []))
        operations = []
        for raw_template, path_item in document["paths"].items():
            template = _normalize_template(raw_template)
            pattern, literal = _compile_template(raw_template)
            item_pointer = "/paths/" + _pointer_escape(raw_template)
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
                by_key: dict[tuple[str, str], _Parameter] = {}
                for parameter, parameter_pointer in [*shared, *own]:
                    by_key[(parameter["in"], parameter["name"])] = _Parameter(
                        name=parameter["name"],
                        location=parameter["in"],
                        required=bool(parameter.get("required", parameter["in"] == "path")),
                        schema=parameter.get("schema", {}),
                        pointer=f"{parameter_pointer}/schema",
                    )
                servers = definition.get("servers", path_item.get("servers"))
                operations.append(
                    _Operation(
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

    def _validator(self, pointer: str) -> Draft7Validator:
        if pointer not in self._validators:
            self._validators[pointer] = Draft7Validator(
                {"$ref": f"{self._uri}#{pointer}"}, registry=self._registry
            )
        return self._validators[pointer]

    def _resolve(self, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        resolver = self._registry.resolver()
        while "$ref" in schema:
            reference = str(schema["$ref"])
            target = reference if not reference.startswith("#") else self._uri + reference
            schema = resolver.lookup(target).contents
        return schema

    # -- matching ---------------------------------------------------------------------------

    def _match(self, method: str, path: str) -> tuple[_Operation | None, list[_Operation]]:
        path = path.split("?", 1)[0] or "/"
        same_path: list[_Operation] = []
        for operation in self._operations:
            found = operation.pattern.match(path)
            if found is None:
                continue
            if operation.method == method.upper():
                return operation, same_path
            same_path.append(operation)
        return None, same_path

    def find_operation(self, method: str, path: str) -> OperationMatch | None:
        """The documented operation a request addresses, or None (the server would say 404)."""
        operation, _ = self._match(method, path)
        if operation is None:
            return None
        found = operation.pattern.match(path.split("?", 1)[0])
        assert found is not None
        return OperationMatch(
            method=operation.method,
            template=operation.template,
            path_params={key: unquote(value) for key, value in found.groupdict().items()},
            operation_id=operation.definition.get("operationId"),
        )

    # -- requests ---------------------------------------------------------------------------

    def validate_request(
        self,
        method: str,
        path: str,
        query: Mapping[str, str | list[str]],
        headers: Mapping[str, str],
        body: Any | None,
        *,
        base: str | None = None,
    ) -> list[str]:
        """Reasons the request breaks the contract; an empty list means it is valid.

        `path` is relative to the API base (e.g. "/v1/notes/abc"). `body` is the parsed JSON, or
        for form-encoded operations (OAuth) a mapping of field to string. `base` ("/auth",
        "/quran-reflect") additionally checks that the operation is served there.
        """
        return [
            issue.message
            for issue in self.check_request(method, path, query, headers, body, base=base)
        ]

    def check_request(
        self,
        method: str,
        path: str,
        query: Mapping[str, str | list[str]],
        headers: Mapping[str, str],
        body: Any | None,
        *,
        base: str | None = None,
    ) -> list[ValidationIssue]:
        """Like `validate_request`, with each problem's kind and location for callers that react."""
        operation, same_path = self._match(method, path)
        if operation is None:
            allowed = sorted({op.method for op in same_path})
            hint = f"; the path allows {', '.join(allowed)}" if allowed else ""
            return [
                ValidationIssue(
                    "unknown_operation",
                    "operation",
                    None,
                    f"{method.upper()} {path} is not an operation of the {self.document_name} "
                    f"contract{hint}",
                )
            ]
        found = operation.pattern.match(path.split("?", 1)[0])
        assert found is not None
        path_values = {key: unquote(value) for key, value in found.groupdict().items()}
        lowered_headers = {key.lower(): value for key, value in headers.items()}
        issues: list[ValidationIssue] = []
        if base is not None and operation.bases and base.rstrip("/") not in operation.bases:
            issues.append(
                ValidationIssue(
                    "wrong_base",
                    "operation",
                    None,
                    f"{operation.method} {operation.template} is served under "
                    f"{' or '.join(sorted(operation.bases))}, not {base}",
                )
            )
        issues.extend(self._check_security(operation, lowered_headers))
        issues.extend(self._check_parameters(operation, path_values, query, lowered_headers))
        issues.extend(self._check_body(operation, body))
        return issues

    def _check_security(
        self, operation: _Operation, headers: Mapping[str, str]
    ) -> list[ValidationIssue]:
        if not operation.security:
            return []
        schemes = self._document.get("components", {}).get("securitySchemes", {})
        missing_per_requirement: list[list[str]] = []
        for requirement in operation.security:
            missing = [
                describe
                for scheme_name in requirement
                if (
                    describe := self._missing_credential(
                        schemes.get(scheme_name, {}), scheme_name, headers
                    )
                )
            ]
            if not missing:
                return []
            missing_per_requirement.append(missing)
        fewest = min(missing_per_requirement, key=len)
        return [ValidationIssue("security", "security", None, text) for text in fewest]

    @staticmethod
    def _missing_credential(
        scheme: Mapping[str, Any], scheme_name: str, headers: Mapping[str, str]
    ) -> str | None:
        kind = scheme.get("type")
        if kind == "apiKey" and scheme.get("in") == "header":
            header = str(scheme["name"]).lower()
            return None if headers.get(header) else f"header {header!r} is required ({scheme_name})"
        if kind == "http":
            wanted = str(scheme.get("scheme", "")).lower()
            given = headers.get("authorization", "")
            if given.lower().startswith(wanted + " ") and given[len(wanted) + 1 :].strip():
                return None
            return f"an 'Authorization: {wanted.capitalize()} …' header is required ({scheme_name})"
        return None

    def _check_parameters(
        self,
        operation: _Operation,
        path_values: Mapping[str, str],
        query: Mapping[str, str | list[str]],
        headers: Mapping[str, str],
    ) -> list[ValidationIssue]:
        issues: list[ValidationIssue] = []
        for parameter in operation.parameters:
            if parameter.location == "cookie":
                continue
            values: list[str]
            if parameter.location == "path":
                values = [path_values[parameter.name]] if parameter.name in path_values else []
            elif parameter.location == "query":
                given = query.get(parameter.name)
                values = [] if given is None else [given] if isinstance(given, str) else list(given)
            else:
                header = headers.get(parameter.name.lower())
                values = [] if header is None else [header]
            label = f"{parameter.location} parameter {parameter.name!r}"
            if not values:
                if parameter.required and not (
                    parameter.location == "path" and parameter.name not in path_values
                ):
                    issues.append(
                        ValidationIssue(
                            "missing_parameter",
                            parameter.location,  # type: ignore[arg-type]
                            parameter.name,
                            f"{label} is required",
                        )
                    )
                continue
            problem = self._check_strings(parameter.schema, parameter.pointer, values, label)
            if problem:
                issues.append(
                    ValidationIssue(
                        "invalid_parameter",
                        parameter.location,  # type: ignore[arg-type]
                        parameter.name,
                        problem,
                    )
                )
        declared_query = {p.name for p in operation.parameters if p.location == "query"}
        for name in query:
            if name not in declared_query:
                issues.append(
                    ValidationIssue(
                        "unknown_parameter",
                        "query",
                        name,
                        f"query parameter {name!r} is not declared by {operation.method} "
                        f"{operation.template} in the {self.document_name} contract",
                    )
                )
        return issues

    def _check_strings(
        self, schema: Mapping[str, Any], pointer: str, values: list[str], label: str
    ) -> str | None:
        """Validate string values from a URL, header or form against a parameter schema."""
        resolved = self._resolve(schema)
        validator = self._validator(pointer)
        if resolved.get("type") == "array":
            items_schema = self._resolve(resolved.get("items", {}))
            raw_items = values if len(values) > 1 else values[0].split(",")
            typed = [self._coerce(items_schema, item) for item in raw_items]
            return self._first_error(validator, typed, label)
        if len(values) > 1:
            return f"{label} is given {len(values)} times but takes one value"
        (raw,) = values
        declared_type = resolved.get("type")
        if declared_type in ("integer", "number", "boolean"):
            return self._first_error(validator, self._coerce(resolved, raw), label)
        if declared_type == "string":
            return self._first_error(validator, raw, label)
        candidates = _string_interpretations(raw)
        errors = [self._first_error(validator, candidate, label) for candidate in candidates]
        if any(error is None for error in errors):
            return None
        return errors[0]  # the most typed reading of the string explains the failure best

    @staticmethod
    def _coerce(schema: Mapping[str, Any], raw: str) -> Any:
        declared_type = schema.get("type")
        if declared_type == "integer" and _INTEGER.match(raw):
            return int(raw)
        if declared_type == "number":
            try:
                number = float(raw)
            except ValueError:
                return raw
            return int(number) if number.is_integer() and _INTEGER.match(raw) else number
        if declared_type == "boolean" and raw in ("true", "false"):
            return raw == "true"
        return raw

    @staticmethod
    def _first_error(validator: Draft7Validator, value: Any, label: str) -> str | None:
        errors = sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))
        return _describe_error(label, errors[0]) if errors else None

    def _check_body(self, operation: _Operation, body: Any | None) -> list[ValidationIssue]:
        request_body = operation.definition.get("requestBody")
        if request_body is None:
            if body is None:
                return []
            return [
                ValidationIssue(
                    "unexpected_body",
                    "body",
                    None,
                    f"{operation.method} {operation.template} takes no request body",
                )
            ]
        content: Mapping[str, Any] = request_body.get("content", {})
        body_pointer = f"{operation.pointer}/requestBody/content"
        if body is None:
            first_media: Mapping[str, Any] = next(iter(content.values()), {})
            schema = first_media.get("schema", {})
            if request_body.get("required") or self._resolve(schema).get("required"):
                return [ValidationIssue("missing_body", "body", None, "a request body is required")]
            return []
        if "application/json" in content:
            validator = self._validator(f"{body_pointer}/application~1json/schema")
            return [
                ValidationIssue(
                    "invalid_body", "body", _first_key(error), _describe_error("body", error)
                )
                for error in sorted(
                    validator.iter_errors(body), key=lambda e: list(e.absolute_path)
                )
            ]
        if "application/x-www-form-urlencoded" in content:
            return self._check_form(
                content["application/x-www-form-urlencoded"],
                f"{body_pointer}/application~1x-www-form-urlencoded/schema",
                body,
            )
        return []

    def _check_form(
        self, media: Mapping[str, Any], pointer: str, body: Any
    ) -> list[ValidationIssue]:
        if not isinstance(body, Mapping):
            return [ValidationIssue("invalid_body", "body", None, "the body must be form fields")]
        schema = self._resolve(media.get("schema", {}))
        properties: Mapping[str, Any] = schema.get("properties", {})
        typed: dict[str, Any] = {}
        for name, given in body.items():
            raw = given if isinstance(given, str) else str(given[0]) if given else ""
            typed[name] = self._coerce(self._resolve(properties.get(name, {})), raw)
        validator = self._validator(pointer)
        return [
            ValidationIssue(
                "invalid_body", "body", _first_key(error), _describe_error("form", error)
            )
            for error in sorted(validator.iter_errors(typed), key=lambda e: list(e.absolute_path))
        ]

    # -- responses --------------------------------------------------------------------------

    def validate_response(self, method: str, path: str, status: int, body: Any | None) -> list[str]:
        """Reasons an answer departs from the documented shape for that status (empty: fine)."""
        operation, _ = self._match(method, path)
        if operation is None:
            return [
                f"{method.upper()} {path} is not an operation of the {self.document_name} contract"
            ]
        responses: Mapping[str, Any] = operation.definition.get("responses", {})
        key = next(
            (k for k in (str(status), f"{str(status)[0]}XX", "default") if k in responses), None
        )
        if key is None:
            return [
                f"status {status} is not documented for {operation.method} {operation.template}"
            ]
        content: Mapping[str, Any] = responses[key].get("content", {})
        if "application/json" not in content or "schema" not in content["application/json"]:
            if body in (None, "", b""):
                return []
            if content:
                return []
            return [
                f"status {status} of {operation.method} {operation.template} has no documented body"
            ]
        pointer = (
            f"{operation.pointer}/responses/{_pointer_escape(key)}/content/application~1json/schema"
        )
        validator = self._validator(pointer)
        return [
            _describe_error("response", error)
            for error in sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
        ]


def _first_key(error: ValidationError) -> str | None:
    path = list(error.absolute_path)
    if path:
        return str(path[0])
    if error.validator == "required" and isinstance(error.validator_value, list):
        missing = re.search(r"'([^']+)' is a required property", error.message)
        return missing.group(1) if missing else None
    return None
