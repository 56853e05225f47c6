"""`SpecValidator`: requests and answers checked against one OpenAPI document.

See the package docstring for the conventions applied on top of OpenAPI 3.0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal
from urllib.parse import unquote

from jsonschema import Draft7Validator
from referencing import Registry
from referencing.jsonschema import DRAFT7

from sandbox.spec_validation.documents import (
    USER_API_DOCUMENTS,
    ContractName,
    DocumentName,
    load_corrected_document,
)
from sandbox.spec_validation.operations import Operation, operations_of, pointer_escape
from sandbox.spec_validation.wording import (
    coerce,
    describe_error,
    first_key,
    string_interpretations,
)

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


class SpecValidator:
    """Validates requests and answers against one OpenAPI document (loaded on first use)."""

    _instances: dict[str, SpecValidator] = {}  # noqa: RUF012 - a per-process cache, not state

    def __init__(self, document: DocumentName) -> None:
        self.document_name = document
        self._validators: dict[str, Draft7Validator] = {}

    @classmethod
    def for_contract(cls, name: ContractName) -> SpecValidator:
        """The cached validator for a User API contract: production, 2026-03-29 or prelive."""
        if name not in USER_API_DOCUMENTS:
            raise ValueError(
                f"unknown contract {name!r}; expected one of {sorted(USER_API_DOCUMENTS)}"
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
        return load_corrected_document(self.document_name)

    @cached_property
    def _uri(self) -> str:
        return f"urn:quran-foundation:{self.document_name}"

    @cached_property
    def _registry(self) -> Registry[Any]:
        resource = DRAFT7.create_resource(self._document)
        return Registry().with_resource(self._uri, resource)  # type: ignore[no-any-return]

    @cached_property
    def _operations(self) -> tuple[Operation, ...]:
        return operations_of(self._document)

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

    def _match(self, method: str, path: str) -> tuple[Operation | None, list[Operation]]:
        path = path.split("?", 1)[0] or "/"
        same_path: list[Operation] = []
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
        self, operation: Operation, headers: Mapping[str, str]
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
        operation: Operation,
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
            typed = [coerce(items_schema, item) for item in raw_items]
            return self._first_error(validator, typed, label)
        if len(values) > 1:
            return f"{label} is given {len(values)} times but takes one value"
        (raw,) = values
        declared_type = resolved.get("type")
        if declared_type in ("integer", "number", "boolean"):
            return self._first_error(validator, coerce(resolved, raw), label)
        if declared_type == "string":
            return self._first_error(validator, raw, label)
        candidates = string_interpretations(raw)
        errors = [self._first_error(validator, candidate, label) for candidate in candidates]
        if any(error is None for error in errors):
            return None
        return errors[0]  # the most typed reading of the string explains the failure best

    @staticmethod
    def _first_error(validator: Draft7Validator, value: Any, label: str) -> str | None:
        errors = sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))
        return describe_error(label, errors[0]) if errors else None

    def _check_body(self, operation: Operation, body: Any | None) -> list[ValidationIssue]:
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
                    "invalid_body", "body", first_key(error), describe_error("body", error)
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
            typed[name] = coerce(self._resolve(properties.get(name, {})), raw)
        validator = self._validator(pointer)
        return [
            ValidationIssue("invalid_body", "body", first_key(error), describe_error("form", error))
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
            f"{operation.pointer}/responses/{pointer_escape(key)}/content/application~1json/schema"
        )
        validator = self._validator(pointer)
        return [
            describe_error("response", error)
            for error in sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
        ]
