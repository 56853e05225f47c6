"""Send each answer once, even when an update is run again after a crash or a deploy.

While an update from the inbox is handled, every Bot API call that changes something (send,
edit, delete, answer a button...) is numbered in call order and its result stored in
`inbox_sends` right after Telegram answered. When the same update is replayed, the handlers run
again and make the same calls in the same order; a call whose number and method were already
recorded returns the recorded result instead of reaching Telegram, so the user sees the
confirmation once and the handler still gets the message it would have got. Writes to
Quran.com and the database are idempotent on their own (credit keys, note reconciliation,
goals replaced by id); this covers what goes to Telegram.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from telegram._utils.defaultvalue import DefaultValue
from telegram.error import TelegramError
from telegram.ext import ApplicationBuilder, ExtBot

from storage.inbox import InboxRepository


@dataclass
class UpdateJournal:
    """The update being handled in this task and how many calls it has made so far."""

    update_id: int
    #: True when the update was started before (what it sent is in the journal).
    replay: bool
    inbox: InboxRepository
    calls: int = 0


current_journal: ContextVar[UpdateJournal | None] = ContextVar("inbox_journal", default=None)

#: Calls that only read: running them again changes nothing, so they are never recorded.
_READ_ONLY_PREFIXES = ("get",)


class JournalingBot(ExtBot[Any]):
    async def _do_post(
        self,
        endpoint: str,
        data: dict[str, Any],
        *,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> Any:
        journal = current_journal.get()
        timeouts = {
            "read_timeout": read_timeout,
            "write_timeout": write_timeout,
            "connect_timeout": connect_timeout,
            "pool_timeout": pool_timeout,
        }
        passed = {k: v for k, v in timeouts.items() if v is not None}
        if journal is None or endpoint.startswith(_READ_ONLY_PREFIXES):
            return await super()._do_post(endpoint, data, **passed)
        journal.calls += 1
        number = journal.calls
        if journal.replay:
            recorded = await journal.inbox.sent(journal.update_id, number)
            if recorded is not None and recorded[0] == endpoint:
                return recorded[1]
        try:
            result = await super()._do_post(endpoint, data, **passed)
        except TelegramError:
            if journal.replay and endpoint == "answerCallbackQuery":
                # The button's spinner expired with the crashed process; nothing to answer.
                return True
            raise
        await journal.inbox.record_sent(journal.update_id, number, endpoint, result)
        return result


class CompanionBuilder(ApplicationBuilder[Any, Any, Any, Any, Any, Any]):
    """PTB's builder, building a `JournalingBot` instead of a plain ExtBot."""

    def _build_ext_bot(self) -> ExtBot[Any]:
        # The same arguments PTB's own builder passes (telegram/ext/_applicationbuilder.py).
        value: Any = DefaultValue.get_value
        arguments: dict[str, Any] = {
            "token": self._token,
            "base_url": value(self._base_url),
            "base_file_url": value(self._base_file_url),
            "defaults": value(self._defaults),
            "request": self._build_request(get_updates=False),
            "get_updates_request": self._build_request(get_updates=True),
            "rate_limiter": value(self._rate_limiter),
        }
        return JournalingBot(**arguments)
