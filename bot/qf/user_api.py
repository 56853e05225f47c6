"""The plumbing every part of a `UserSession` stands on: authenticated reads and writes as one
linked Telegram user, in their timezone where the operation's spec declares `x-timezone`.

The resource parts (`goals_api`, `notes_api`, `activity_api`) subclass `UserApi`; `UserSession`
(`bot.qf.session`) combines them into the one object callers use.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from bot.qf.models import Pagination
from bot.qf.wire import list_data, parse_json, parse_model

if TYPE_CHECKING:
    from bot.qf.client import QuranFoundationClient

#: Upper bound on pages followed for relay-paginated lists (20 items each).
MAX_PAGES = 10


class UserApi:
    """Calls as one linked Telegram user; see `QuranFoundationClient.user_request`."""

    def __init__(
        self, client: QuranFoundationClient, telegram_user_id: int, timezone: str | None
    ) -> None:
        self._client = client
        self.telegram_user_id = telegram_user_id
        self.timezone = timezone

    async def _get(
        self, path: str, params: Mapping[str, Any] | None = None, *, zoned: bool = False
    ) -> Any:
        response = await self._client.user_request(
            self.telegram_user_id, "GET", path, params=params,
            timezone=self.timezone if zoned else None,
        )
        return parse_json(response)

    async def _write(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        zoned: bool = False,
    ) -> Any:
        response = await self._client.user_request(
            self.telegram_user_id, method, path, params=params, json=json,
            timezone=self.timezone if zoned else None,
        )
        return parse_json(response) if response.content else {}

    async def _relay_pages(
        self, path: str, params: dict[str, Any], *, zoned: bool = False
    ) -> list[Any]:
        """Every item of a relay-paginated list, following `after` cursors (at most MAX_PAGES)."""
        items: list[Any] = []
        cursor: str | None = None
        for _ in range(MAX_PAGES):
            page_params = dict(params, after=cursor) if cursor else params
            payload = await self._get(path, page_params, zoned=zoned)
            items.extend(list_data(payload))
            pagination = parse_model(
                Pagination, (payload.get("pagination") if isinstance(payload, dict) else None)
                or {}
            )
            if not pagination.has_next_page or not pagination.end_cursor:
                break
            cursor = pagination.end_cursor
        return items
