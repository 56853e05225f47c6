"""`TelegramWorld`: the concerns put together, the Bot API dispatch, and what tests read back.

Each Bot API method name maps to the concern that answers it (chats, messages, callbacks,
files, updates, the bot's profile); `handle` records the call, decodes its parameters and turns
a `TelegramApiError` into Telegram's `{"ok": false, ...}` answer.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import re
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from sandbox.telegram.bot_profile import BotProfile
from sandbox.telegram.callbacks import CallbackQueries
from sandbox.telegram.files import FileTransfers
from sandbox.telegram.markup import inline_buttons
from sandbox.telegram.model import JSONDict, RecordedCall, TelegramApiError, message_text
from sandbox.telegram.params import decode_params
from sandbox.telegram.updates import UpdateDelivery
from sandbox.telegram.users import UserActions

_T = TypeVar("_T")
_LOGGER = logging.getLogger(__name__)
_TOKEN_SHAPE = re.compile(r"\d+:[A-Za-z0-9_-]+")


class TelegramWorld(UserActions, CallbackQueries, FileTransfers, UpdateDelivery, BotProfile):
    """Telegram's state and semantics for one bot, plus the helpers tests drive it with."""

    def __init__(
        self,
        bot_token: str = "123456:TEST",  # noqa: S107 - the sandbox's own fake token
        bot_username: str = "QuranCompanionBot",
        clock: Callable[[], datetime] | None = None,
        *,
        bot_first_name: str = "Quran Companion",
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(
            bot_token,
            bot_username,
            clock,
            bot_first_name=bot_first_name,
            monotonic=monotonic,
        )
        self._methods: dict[str, tuple[str, Callable[[dict[str, Any]], Any]]] = {}
        for name, handler in (
            ("getMe", self._get_me),
            ("getUpdates", self._get_updates),
            ("setWebhook", self._set_webhook),
            ("deleteWebhook", self._delete_webhook),
            ("getWebhookInfo", self._get_webhook_info),
            ("setMyCommands", self._set_my_commands),
            ("getMyCommands", self._get_my_commands),
            ("deleteMyCommands", self._delete_my_commands),
            ("sendMessage", self._send_message),
            ("editMessageText", self._edit_message_text),
            ("editMessageCaption", self._edit_message_caption),
            ("editMessageReplyMarkup", self._edit_message_reply_markup),
            ("deleteMessage", self._delete_message),
            ("answerCallbackQuery", self._answer_callback_query),
            ("sendPhoto", self._send_photo),
            ("sendDocument", self._send_document),
            ("getFile", self._get_file),
            ("sendChatAction", self._send_chat_action),
            ("getChat", self._get_chat),
            ("getChatMember", self._get_chat_member),
            ("getChatAdministrators", self._get_chat_administrators),
            ("getChatMemberCount", self._get_chat_member_count),
            ("leaveChat", self._leave_chat),
            ("deleteMessages", self._delete_messages),
            ("pinChatMessage", self._pin_chat_message),
            ("unpinChatMessage", self._unpin_chat_message),
            ("setMyDescription", self._profile_setter("description", 512)),
            ("getMyDescription", self._profile_getter("description")),
            ("setMyShortDescription", self._profile_setter("short_description", 120)),
            ("getMyShortDescription", self._profile_getter("short_description")),
            ("setMyName", self._profile_setter("name", 64)),
            ("getMyName", self._profile_getter("name")),
            ("setChatMenuButton", self._set_chat_menu_button),
            ("getChatMenuButton", self._get_chat_menu_button),
            ("close", self._always_true),
            ("logOut", self._always_true),
        ):
            self._methods[name.lower()] = (name, handler)

    # ----------------------------------------------------------------------------------------
    # Transport entry points

    def check_token(self, token: str) -> tuple[int, JSONDict] | None:
        """Telegram answers 401 to a well-formed wrong token and 404 to a malformed one."""
        if token == self.bot_token:
            return None
        if _TOKEN_SHAPE.fullmatch(token):
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        return 404, {"ok": False, "error_code": 404, "description": "Not Found"}

    async def handle(self, method: str, params: Mapping[str, Any]) -> tuple[int, JSONDict]:
        """Answer one Bot API call exactly as Telegram would: (HTTP status, JSON body)."""
        entry = self._methods.get(method.lower())
        call = RecordedCall(entry[0] if entry else method, dict(params), self._monotonic())
        self.calls.append(call)
        try:
            if entry is None:
                # Telegram's answer, which PTB turns into InvalidToken: say what really happened.
                _LOGGER.warning("The fake Telegram does not implement %r; answering 404", method)
                raise TelegramApiError(404, "Not Found")
            call.params = decode_params(params)
            result = entry[1](call.params)
            if asyncio.iscoroutine(result):
                result = await result
            call.status, call.response = 200, {"ok": True, "result": result}
        except TelegramApiError as error:
            if error.status == 429:
                self.flood_429s += 1
            call.status, call.response = error.status, error.as_response()
        self._notify()
        return call.status, copy.deepcopy(call.response)

    def close(self) -> None:
        """Release every pending long poll (and answer new ones at once) so servers can stop."""
        self._closed = True
        self._notify()

    def reopen(self) -> None:
        self._closed = False

    def _always_true(self, params: dict[str, Any]) -> bool:
        """close and logOut: nothing to release in memory."""
        return True

    # ----------------------------------------------------------------------------------------
    # Reading what the bot did

    def sent(self, chat_id: int | None = None, *, include_deleted: bool = False) -> list[JSONDict]:
        """Messages the bot sent, oldest first, as they look now (after edits)."""
        return [
            copy.deepcopy(message)
            for message in self._live_sent(chat_id, include_deleted=include_deleted)
        ]

    def sent_count(self, chat_id: int | None = None) -> int:
        """How many messages the bot sent (deleted ones included); cheap enough to poll."""
        return len(self._sent if chat_id is None else self._sent_by_chat.get(chat_id, []))

    def _live_sent(self, chat_id: int | None, *, include_deleted: bool) -> Iterable[JSONDict]:
        # Without copies: wait_for predicates scan this after every call, even in benchmarks.
        keys = self._sent if chat_id is None else self._sent_by_chat.get(chat_id, [])
        for key in keys:
            if include_deleted or key not in self._deleted:
                yield self._bot_messages[key]

    def last_sent(self, chat_id: int) -> JSONDict:
        messages = self.sent(chat_id)
        if not messages:
            raise LookupError(f"the bot sent nothing to chat {chat_id}")
        return messages[-1]

    def texts(self, chat_id: int | None = None) -> list[str]:
        return [message_text(message) for message in self.sent(chat_id)]

    def message(self, chat_id: int, message_id: int) -> JSONDict | None:
        chat = self._chats.get(chat_id)
        if chat is None or message_id not in chat.messages:
            return None
        return copy.deepcopy(chat.messages[message_id])

    def was_deleted(self, chat_id: int, message_id: int) -> bool:
        return (chat_id, message_id) in self._deleted

    def calls_to(self, method: str) -> list[RecordedCall]:
        return [call for call in self.calls if call.method.lower() == method.lower()]

    @staticmethod
    def buttons(message: Mapping[str, Any]) -> list[tuple[str, str | None]]:
        """(text, callback_data or url) for every inline button, row by row."""
        return inline_buttons(message)

    async def wait_for(
        self,
        predicate: Callable[[], _T | None],
        timeout: float = 5.0,
    ) -> _T:
        """Wait until `predicate()` is truthy (checked after every API call) and return it."""
        deadline = time.monotonic() + timeout
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"condition not met within {timeout} s")
            await self._wait_for_change(remaining)

    async def wait_for_message(
        self,
        chat_id: int,
        contains: str | None = None,
        *,
        after: int | None = None,
        timeout: float = 5.0,
    ) -> JSONDict:
        """The first bot message in the chat containing `contains` (text or caption).

        `after` skips messages up to that message id: pass the id of the user's message to
        wait for the reply to it.
        """

        def find() -> JSONDict | None:
            for message in self._live_sent(chat_id, include_deleted=False):
                if after is not None and message["message_id"] <= after:
                    continue
                if contains is None or contains in message_text(message):
                    return copy.deepcopy(message)
            return None

        try:
            return await self.wait_for(find, timeout)
        except TimeoutError:
            transcript = "\n".join(f"  - {text!r}" for text in self.texts(chat_id)[-10:])
            raise TimeoutError(
                f"no bot message containing {contains!r} in chat {chat_id} within {timeout} s;"
                f" the bot sent:\n{transcript or '  (nothing)'}"
            ) from None
