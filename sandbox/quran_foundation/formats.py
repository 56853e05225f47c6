"""Small wire formats the fake writes and reads: timestamps, ids, JWTs, cursors and pages,
dates, query strings."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any, TypeVar
from urllib.parse import urlencode, urlsplit, urlunsplit

from sandbox.quran_foundation.errors import ApiError


def iso_z(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def jwt(payload: Mapping[str, Any], key: str) -> str:
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    body = b64url(json.dumps(payload, separators=(",", ":")).encode())
    signature = hmac.new(key.encode(), f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{b64url(signature)}"


def new_id() -> str:
    """A cuid-shaped id like QF's ("cmt1ovfu3000g0mkwgvia368p")."""
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    return "c" + "".join(secrets.choice(alphabet) for _ in range(24))


def encode_cursor(value: str) -> str:
    return b64url(value.encode())


def decode_cursor(cursor: str) -> str:
    try:
        return b64url_decode(cursor).decode()
    except (ValueError, UnicodeDecodeError) as error:
        raise ApiError(400, f"cursor {cursor!r} is not valid") from error


_Item = TypeVar("_Item")


def relay_page(
    items: Sequence[_Item],
    key: Callable[[_Item], str],
    query: Mapping[str, str],
    default_size: int = 20,
) -> tuple[list[_Item], dict[str, Any]]:
    """Relay-style pagination (`first`+`after` or `last`+`before`), as the spec's intro says."""
    first, after = query.get("first"), query.get("after")
    last, before = query.get("last"), query.get("before")
    if (first or after) and (last or before):
        raise ApiError(400, "use first+after or last+before, not both")
    keys = [key(item) for item in items]

    def position(cursor: str) -> int:
        wanted = decode_cursor(cursor)
        if wanted not in keys:
            raise ApiError(400, f"cursor {cursor!r} is not valid")
        return keys.index(wanted)

    start, stop = 0, len(items)
    if after:
        start = position(after) + 1
    if before:
        stop = position(before)
    window = list(items[start:stop])
    if last:
        size = int(last)
        page = window[-size:]
        has_previous = len(window) > size or start > 0
        has_next = stop < len(items)
    else:
        size = int(first) if first else default_size
        page = window[:size]
        has_next = len(window) > size or stop < len(items)
        has_previous = start > 0
    pagination: dict[str, Any] = {"hasNextPage": has_next, "hasPreviousPage": has_previous}
    if page:
        pagination["startCursor"] = encode_cursor(key(page[0]))
        pagination["endCursor"] = encode_cursor(key(page[-1]))
    return page, pagination


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise ApiError(422, f"{text!r} is not a date") from error


def multi_dict(items: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """Query or form items by name; a name may repeat (`ranges=...&ranges=...`)."""
    grouped: dict[str, list[str]] = {}
    for name, value in items:
        grouped.setdefault(name, []).append(value)
    return grouped


def with_query(url: str, fields: Mapping[str, str]) -> str:
    parts = urlsplit(url)
    query = parts.query + ("&" if parts.query else "") + urlencode(fields)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))
