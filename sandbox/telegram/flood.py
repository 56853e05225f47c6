"""Flood control: Telegram's sending limits, answered with 429 and `retry_after`.

Part of `TelegramWorld`, off unless a test sets `flood_control`: at most 30 messages a second
overall, 20 a minute per group, and about one a second per private chat (with a short burst
tolerated, as Telegram does). `flood_429s` counts the refusals.
"""

from __future__ import annotations

import math
from collections import deque

from sandbox.telegram.model import ChatRecord, TelegramApiError
from sandbox.telegram.state import WorldState


class FloodControl(WorldState):
    def _check_flood(self, chat: ChatRecord) -> None:
        if not self.flood_control:
            return
        now = self._monotonic()
        limits = self.flood_limits
        waits: list[float] = []
        overall = self._overall_window
        while overall and overall[0] <= now - 1.0:
            overall.popleft()
        if len(overall) >= limits.overall_per_second:
            waits.append(overall[0] + 1.0 - now)
        if chat.is_group:
            window = self._group_windows.setdefault(chat.id, deque())
            while window and window[0] <= now - 60.0:
                window.popleft()
            if len(window) >= limits.group_per_minute:
                waits.append(window[0] + 60.0 - now)
        else:
            tokens, last = self._private_buckets.get(chat.id, (float(limits.private_burst), now))
            tokens = min(
                float(limits.private_burst), tokens + (now - last) * limits.private_per_second
            )
            if tokens < 1.0:
                waits.append((1.0 - tokens) / limits.private_per_second)
            self._private_buckets[chat.id] = (tokens, now)
        if waits:
            retry_after = max(1, math.ceil(max(waits)))
            raise TelegramApiError(
                429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
            )
        overall.append(now)
        if chat.is_group:
            self._group_windows[chat.id].append(now)
        else:
            tokens, last = self._private_buckets[chat.id]
            self._private_buckets[chat.id] = (tokens - 1.0, last)
