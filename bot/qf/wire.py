"""Reading Quran Foundation replies: JSON, the `{success, data}` envelope, pydantic models.

Every shape QF may send that the bot cannot use becomes an `InvalidResponse`, so callers handle
one error type whether the body was not JSON or a model did not validate.
"""

from __future__ import annotations

from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from bot.qf.errors import InvalidResponse

ModelT = TypeVar("ModelT", bound=BaseModel)


def parse_json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidResponse(
            response.status_code, "invalid_response", "reply is not JSON"
        ) from exc


def envelope_data(payload: Any) -> Any:
    if isinstance(payload, dict) and "data" in payload and (
        "success" in payload or len(payload) <= 2
    ):
        return payload["data"]
    return payload



def list_data(payload: Any) -> list[Any]:
    data = envelope_data(payload)
    return list(data) if isinstance(data, list) else []



def parse_model(model: type[ModelT], data: Any) -> ModelT:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidResponse(None, "invalid_response", f"unexpected {model.__name__} shape: "
                              f"{exc.error_count()} errors") from exc



def path_segment(value: str, *, safe: str = "") -> str:
    """An id or key as one URL path segment (a `/` in it must not open another)."""
    return quote(value, safe=safe)
