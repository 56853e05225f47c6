"""How raw strings are read as JSON values, and how schema errors are worded for people.

Query, path, header and form values arrive as strings; untyped `oneOf` schemas accept a string if
any interpretation (integer, number, boolean, text) validates. Error messages name the offending
field and shorten long values so a failing test says what was wrong at a glance.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from jsonschema.exceptions import ValidationError, best_match

_INTEGER = re.compile(r"^-?\d+$")


def string_interpretations(raw: str) -> list[Any]:
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


def coerce(schema: Mapping[str, Any], raw: str) -> Any:
    """`raw` read as the schema's declared scalar type; left a string when it is not one."""
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


def _describe_location(prefix: str, path: Iterable[Any]) -> str:
    text = prefix
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def _shorten(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:60] + "…" + text[-10:]


def describe_error(prefix: str, error: ValidationError) -> str:
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


def first_key(error: ValidationError) -> str | None:
    """The top-level key an error is about (a missing required one included), if any."""
    path = list(error.absolute_path)
    if path:
        return str(path[0])
    if error.validator == "required" and isinstance(error.validator_value, list):
        missing = re.search(r"'([^']+)' is a required property", error.message)
        return missing.group(1) if missing else None
    return None
