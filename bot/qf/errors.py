"""Typed Quran Foundation failures, and the one parser that turns any error reply into them.

QF answers errors in several envelopes (see docs "Errors"): the User API's
`{success, message, type}`, the sync family's `{success, error: {code, message}}`, the OAuth
server's `{error, error_description}`, and bodies that are not JSON at all (a proxy's HTML 502,
an empty 503). Handlers only ever see the classes below, so none of that leaks upward.
"""

from __future__ import annotations

import email.utils
import json
from datetime import UTC, datetime
from typing import Any

import httpx


class QFError(Exception):
    """Anything that went wrong talking to Quran Foundation.

    `status` is the HTTP status (None when no response arrived), `code` the machine-readable
    code QF gave (`rate_limit_exceeded`, `OutOfSyncError`, `invalid_grant`, …) and `message`
    its human text (English, from QF: for logs and for `friendly_error`, never shown raw).
    """

    default_status: int | None = None

    def __init__(
        self,
        status: int | None = None,
        code: str | None = None,
        message: str = "",
        retry_after: float | None = None,
    ) -> None:
        self.status = status if status is not None else self.default_status
        self.code = code
        self.message = message
        self.retry_after = retry_after
        super().__init__(self._summary())

    def _summary(self) -> str:
        head = " ".join(str(part) for part in (self.status, self.code) if part)
        return ": ".join(part for part in (head, self.message) if part) or type(self).__name__

    def names(self, word: str) -> bool:
        """Whether QF's code or message mentions `word` (e.g. a field or a scope)."""
        haystack = f"{self.code or ''} {self.message}".lower()
        return word.lower() in haystack


class BadRequest(QFError):
    default_status = 400


class Unauthorized(QFError):
    default_status = 401


class Forbidden(QFError):
    default_status = 403


class NotFound(QFError):
    default_status = 404


class Conflict(QFError):
    default_status = 409


class OutOfSync(Conflict):
    """409 `OutOfSyncError`: our `lastMutationAt` no longer matches the server's."""

    @property
    def first_sync(self) -> bool:
        """The server wants `lastMutationAt=-1` (an account that never synced)."""
        return "first sync" in self.message.lower()


class Unprocessable(QFError):
    default_status = 422


class RateLimited(QFError):
    default_status = 429


class ServerError(QFError):
    default_status = 500


class BadGateway(ServerError):
    default_status = 502


class Unavailable(ServerError):
    default_status = 503


class GatewayTimeout(ServerError):
    default_status = 504


class QFTimeout(QFError):
    """No answer in time.

    `ambiguous` is True when the request may have reached QF and been applied (a read timeout
    after sending), so a write must not simply be sent again.
    """

    def __init__(self, message: str = "", *, ambiguous: bool = True) -> None:
        self.ambiguous = ambiguous
        super().__init__(None, "timeout", message)


class QFConnectionError(QFError):
    """The connection failed or dropped; `ambiguous` as for `QFTimeout`."""

    def __init__(self, message: str = "", *, ambiguous: bool = False) -> None:
        self.ambiguous = ambiguous
        super().__init__(None, "connection_error", message)


class InvalidResponse(QFError):
    """QF answered, but with something we cannot read (not JSON, or not a documented shape)."""


class NotLinked(QFError):
    """This Telegram user has no linked Quran.com account."""

    def __init__(self, message: str = "no linked account") -> None:
        super().__init__(None, "not_linked", message)


class LinkExpired(QFError):
    """The stored refresh token was refused (`invalid_grant`); the link was removed."""

    def __init__(self, message: str = "refresh token rejected") -> None:
        super().__init__(401, "link_expired", message)


_BY_STATUS: dict[int, type[QFError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    422: Unprocessable,
    429: RateLimited,
    500: ServerError,
    502: BadGateway,
    503: Unavailable,
    504: GatewayTimeout,
}


def error_class_for(status: int) -> type[QFError]:
    """The class for a status; unknown 5xx are server errors, other unknowns plain QFError."""
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    return ServerError if status >= 500 else QFError


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _code_and_message(payload: Any) -> tuple[str | None, str]:
    """Code from `type` → `error.code` → `error`; text from `message` → `error.message` →
    `error_description` (the order the API doc gives)."""
    if not isinstance(payload, dict):
        return None, ""
    nested = payload.get("error")
    nested_dict = nested if isinstance(nested, dict) else {}
    code = (
        _text(payload.get("type"))
        or _text(nested_dict.get("code"))
        or _text(nested)
        or _text(payload.get("code"))
    )
    message = (
        _text(payload.get("message"))
        or _text(nested_dict.get("message"))
        or _text(payload.get("error_description"))
        or ""
    )
    # Validation replies sometimes carry field details next to the message; keep them for
    # `friendly_error`, which names the field in plain words.
    details = payload.get("details") or nested_dict.get("details")
    if details and isinstance(details, list | dict):
        message = f"{message} {json.dumps(details, ensure_ascii=False)}".strip()
    return code, message


def error_from_response(response: httpx.Response) -> QFError:
    """One parser for every error envelope QF uses, JSON or not."""
    status = response.status_code
    try:
        payload: Any = response.json()
    except (ValueError, UnicodeDecodeError):
        payload = None
    code, message = _code_and_message(payload)
    if payload is None and response.content:
        # A proxy's HTML page: its markup says nothing useful and must never reach a user.
        content_type = response.headers.get("content-type", "unknown type")
        message = f"non-JSON reply ({content_type}, {len(response.content)} bytes)"
    retry_after = parse_retry_after(response.headers.get("retry-after"))
    cls = error_class_for(status)
    if status == 409 and (code == "OutOfSyncError" or "lastmutationat" in message.lower()):
        cls = OutOfSync
    return cls(status, code, message, retry_after)
