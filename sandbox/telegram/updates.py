"""How updates reach the bot: long polling (getUpdates), webhooks, or in-process hand-over.

Part of `TelegramWorld`. getUpdates honours offset, limit, timeout and allowed_updates, and a
newer poll ends an older one with 409 as on Telegram; a webhook, once set, forbids polling (the
fake stores it but never delivers to it). In-process tests take updates with
`next_update_dict`, independently of getUpdates' offset.
"""

from __future__ import annotations

import copy
import re
import time
from typing import Any
from urllib.parse import urlsplit

from sandbox.telegram.model import (
    DEFAULT_ALLOWED_UPDATES,
    JSONDict,
    TelegramApiError,
    WebhookSettings,
    bad_request,
)
from sandbox.telegram.params import bool_param, int_param, seconds_param, str_param
from sandbox.telegram.state import WorldState

_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
_WEBHOOK_PORTS = frozenset({80, 88, 443, 8443})


class UpdateDelivery(WorldState):
    # ----------------------------------------------------------------------------------------
    # Updates for in-process tests (PTB's Update.de_json)

    def next_update_dict(self) -> JSONDict:
        """The oldest update not yet taken in-process (independent of getUpdates' offset)."""
        if self._delivered_in_process >= len(self.updates):
            raise LookupError(
                "no pending update: a group message hidden by privacy mode queues none"
            )
        update = self.updates[self._delivered_in_process]
        self._delivered_in_process += 1
        return copy.deepcopy(update)

    def pending_update_dicts(self) -> list[JSONDict]:
        pending = self.updates[self._delivered_in_process :]
        self._delivered_in_process = len(self.updates)
        return copy.deepcopy(pending)

    @property
    def pending_update_count(self) -> int:
        return len(self.updates) - self._delivered_in_process

    # ----------------------------------------------------------------------------------------
    # ----------------------------------------------------------------------------------------
    # Bot API methods

    async def _get_updates(self, params: dict[str, Any]) -> list[JSONDict]:
        if self.webhook is not None:
            raise TelegramApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = int_param(params, "offset")
        limit = min(max(int_param(params, "limit") or 100, 1), 100)
        timeout = max(seconds_param(params, "timeout"), 0.0)
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(allowed) or DEFAULT_ALLOWED_UPDATES
        if offset is not None:
            if offset < 0:
                while len(self._poll_queue) > -offset:
                    self._poll_queue.popleft()
            else:
                while self._poll_queue and self._poll_queue[0]["update_id"] < offset:
                    self._poll_queue.popleft()
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()  # an older long poll must now end with 409, as on Telegram
        deadline = time.monotonic() + timeout
        while True:
            batch: list[JSONDict] = []
            for update in self._poll_queue:
                if len(batch) == limit:
                    break
                if next(iter(update.keys() - {"update_id"})) in self._allowed_updates:
                    batch.append(copy.deepcopy(update))
            remaining = deadline - time.monotonic()
            if batch or self._closed or remaining <= 0:
                return batch
            if generation != self._poll_generation:
                raise TelegramApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            await self._wait_for_change(remaining)

    def _set_webhook(self, params: dict[str, Any]) -> bool:
        url = (str_param(params, "url") or "").strip()
        if not url:
            self.webhook = None
            return True
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.hostname:
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if (parts.port or 443) not in _WEBHOOK_PORTS:
            raise bad_request(
                "bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443"
            )
        secret = str_param(params, "secret_token")
        if secret is not None and not _SECRET_TOKEN.fullmatch(secret):
            raise bad_request("secret token contains unallowed characters")
        allowed = params.get("allowed_updates")
        drop = bool_param(params, "drop_pending_updates")
        if drop:
            self._poll_queue.clear()
        self.webhook = WebhookSettings(
            url=url,
            secret_token=secret,
            allowed_updates=tuple(allowed) if isinstance(allowed, list) else None,
            max_connections=int_param(params, "max_connections") or 40,
            drop_pending_updates=drop,
        )
        return True

    def _delete_webhook(self, params: dict[str, Any]) -> bool:
        self.webhook = None
        if bool_param(params, "drop_pending_updates"):
            self._poll_queue.clear()
        return True

    def _get_webhook_info(self, params: dict[str, Any]) -> JSONDict:
        info: JSONDict = {
            "url": self.webhook.url if self.webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._poll_queue),
        }
        if self.webhook is not None:
            info["max_connections"] = self.webhook.max_connections
            if self.webhook.allowed_updates is not None:
                info["allowed_updates"] = list(self.webhook.allowed_updates)
        return info
