"""A hook for watching the Quran Foundation adapter from outside (metrics), with no dependency.

The adapter reports what it did; what is done with it (Prometheus counters in
`bot.app.metrics`) is the wiring's business. The default observer ignores everything.
"""

from __future__ import annotations

import re
from typing import Literal, Protocol

RefreshOutcome = Literal["ok", "invalid_grant", "no_refresh_token", "failed"]

_VERSION = re.compile(r"v\d+")


class QFObserver(Protocol):
    def request_finished(self, operation: str, status: str, seconds: float) -> None:
        """One HTTP attempt ended: `status` is the HTTP status, or "timeout"/"network_error"."""

    def token_refreshed(self, outcome: RefreshOutcome) -> None:
        """An access-token refresh ended (or could not start: `no_refresh_token`)."""


class IgnoringObserver:
    def request_finished(self, operation: str, status: str, seconds: float) -> None:
        return None

    def token_refreshed(self, outcome: RefreshOutcome) -> None:
        return None


def operation_of(method: str, path: str) -> str:
    """`GET /auth/v1/notes/{id}`: the request with its ids (anything with a digit, or long)
    replaced, so that a label set stays small however many notes and verses there are."""
    segments = [
        "{id}" if not _VERSION.fullmatch(part) and (any(c.isdigit() for c in part)
                                                    or len(part) > 32) else part
        for part in path.split("/")
    ]
    return f"{method} {'/'.join(segments)}"
