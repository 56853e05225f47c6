"""The world's memory and the primitives every concern builds on.

`WorldState` holds everything Telegram knows about one bot (users, chats and their messages,
queued updates, recorded calls) and the steps every Bot API method and every simulated user
action shares: find a chat as Telegram would, create a message, decide whether the bot sees it
(group privacy mode), queue the update. The concerns in the sibling modules are mixins over it.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
from collections import deque
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from sandbox.telegram.formatting import entity_text
from sandbox.telegram.model import (
    DEFAULT_ALLOWED_UPDATES,
    PRESENT_STATUSES,
    AnsweredCallback,
    ChatRecord,
    FakeUser,
    FloodLimits,
    JSONDict,
    PendingCallback,
    RecordedCall,
    TelegramApiError,
    Upload,
    WebhookSettings,
    bad_request,
    forbidden,
    member_dict,
)
from sandbox.telegram.params import int_param


class WorldState:
    """Telegram's state for one bot; see `TelegramWorld` for the constructor's arguments."""

    def __init__(
        self,
        bot_token: str,
        bot_username: str,
        clock: Callable[[], datetime] | None,
        *,
        bot_first_name: str,
        monotonic: Callable[[], float],
    ) -> None:
        self.bot_token = bot_token
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.bot_id = int(bot_token.split(":", 1)[0])
        self._clock = clock or (lambda: datetime.now(UTC))
        self._monotonic = monotonic

        self.privacy_mode = True
        """Group privacy mode (Telegram's default): the bot sees commands, replies and mentions."""
        self.strict_ampersand = True
        self.allow_local_urls = True
        """Real Telegram refuses button URLs on localhost; the sandbox links to 127.0.0.1."""
        self.flood_control = False
        self.flood_limits = FloodLimits()
        self.flood_429s = 0

        self.calls: list[RecordedCall] = []
        self.updates: list[JSONDict] = []
        self.answered_callbacks: list[AnsweredCallback] = []
        self.uploads: list[Upload] = []
        self.reply_keyboards: dict[int, JSONDict] = {}
        self.webhook: WebhookSettings | None = None

        self._users: dict[int, FakeUser] = {}
        self._chats: dict[int, ChatRecord] = {}
        self._sent: list[tuple[int, int]] = []
        self._sent_by_chat: dict[int, list[tuple[int, int]]] = {}
        self._bot_messages: dict[tuple[int, int], JSONDict] = {}
        self._deleted: set[tuple[int, int]] = set()
        self._callback_queries: dict[str, PendingCallback] = {}
        self._next_callback_id = 4_000_000_000_000_000_000
        self._commands: dict[tuple[str, str], list[JSONDict]] = {}
        self.profile: dict[tuple[str, str], str] = {}
        """Bot name and descriptions by (field, language_code), as setMyName & co. left them."""
        self.menu_buttons: dict[int | None, JSONDict] = {}
        self.pinned: dict[int, int] = {}
        self._files: dict[str, tuple[bytes, str, str]] = {}  # file_id -> (content, path, name)

        self._poll_queue: deque[JSONDict] = deque()
        self._allowed_updates: frozenset[str] = DEFAULT_ALLOWED_UPDATES
        self._next_update_id = 100_000
        self._delivered_in_process = 0
        self._poll_generation = 0
        self._closed = False
        self._changed = asyncio.Event()

        self._overall_window: deque[float] = deque()
        self._group_windows: dict[int, deque[float]] = {}
        self._private_buckets: dict[int, tuple[float, float]] = {}

    # ----------------------------------------------------------------------------------------
    # Waking whoever waits for a change

    def _notify(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def _wait_for_change(self, at_most: float) -> None:
        changed = self._changed
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(changed.wait(), at_most)

    # ----------------------------------------------------------------------------------------
    # Users, chats and messages

    def _now(self) -> int:
        return int(self._clock().timestamp())

    def _bot_user(self) -> JSONDict:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def add_user(self, user: FakeUser) -> None:
        self._users[user.id] = user

    def _require_chat(self, chat_id: int) -> ChatRecord:
        chat = self._chats.get(chat_id)
        if chat is None:
            raise ValueError(f"unknown chat {chat_id}: add it with add_private_chat/add_group")
        return chat

    def _chat_instance(self, chat_id: int) -> str:
        return str((chat_id * 2654435761 + self.bot_id) % (1 << 63))

    def _new_message(self, chat: ChatRecord, sender: JSONDict, **fields: Any) -> JSONDict:
        message: JSONDict = {
            "message_id": chat.next_message_id,
            "from": sender,
            "chat": chat.to_dict(),
            "date": self._now(),
            **fields,
        }
        chat.next_message_id += 1
        chat.messages[message["message_id"]] = message
        return message

    def _attach_reply(
        self, chat: ChatRecord, fields: JSONDict, reply_to_message_id: int | None
    ) -> None:
        if reply_to_message_id is None:
            return
        replied = chat.messages.get(reply_to_message_id)
        if replied is None:
            raise ValueError(f"no message {reply_to_message_id} in chat {chat.id} to reply to")
        fields["reply_to_message"] = {
            key: value for key, value in replied.items() if key != "reply_to_message"
        }

    # ----------------------------------------------------------------------------------------
    # Delivering what users do as updates (group privacy mode decides what the bot sees)

    def _bot_sees(
        self, chat: ChatRecord, message: Mapping[str, Any], *, service: bool = False
    ) -> bool:
        if chat.type == "private":
            return not chat.blocked
        if chat.bot_status not in PRESENT_STATUSES:
            return False
        if service or not self.privacy_mode or chat.bot_status == "administrator":
            return True
        replied = message.get("reply_to_message") or {}
        if replied.get("from", {}).get("id") == self.bot_id:
            return True
        text = message.get("text") or message.get("caption") or ""
        me = self.bot_username.lower()
        for entity in message.get("entities") or []:
            value = entity_text(text, entity).lower()
            if entity["type"] == "bot_command" and ("@" not in value or value.endswith("@" + me)):
                return True
            if entity["type"] == "mention" and value == "@" + me:
                return True
        return False

    def _deliver_message(
        self, chat: ChatRecord, message: JSONDict, *, service: bool = False
    ) -> None:
        if self._bot_sees(chat, message, service=service):
            self._queue_update("message", message)

    def _queue_update(self, kind: str, payload: JSONDict) -> JSONDict:
        self._next_update_id += 1
        update = {"update_id": self._next_update_id, kind: copy.deepcopy(payload)}
        self.updates.append(update)
        self._poll_queue.append(update)
        self._notify()
        return copy.deepcopy(update)

    def _queue_my_chat_member(
        self, chat: ChatRecord, actor: FakeUser, old_status: str, new_status: str
    ) -> JSONDict:
        payload: JSONDict = {
            "chat": chat.to_dict(),
            "from": actor.to_dict(),
            "date": self._now(),
            "old_chat_member": member_dict(self._bot_user(), old_status),
            "new_chat_member": member_dict(self._bot_user(), new_status),
        }
        return self._queue_update("my_chat_member", payload)

    # ----------------------------------------------------------------------------------------
    # What every Bot API method checks first, and what every sent message leaves behind

    def _resolve_chat(self, params: Mapping[str, Any], *, for_sending: bool) -> ChatRecord:
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise bad_request("chat_id is empty")
        try:
            chat_id = int_param(params, "chat_id")
        except TelegramApiError:
            raise bad_request("chat not found") from None
        assert chat_id is not None
        chat = self._chats.get(chat_id)
        if chat is None:
            if chat_id in self._users and for_sending:
                raise forbidden("bot can't initiate conversation with a user")
            raise bad_request("chat not found")
        if chat.migrated_to is not None:
            raise bad_request(
                "group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        kind = "supergroup" if chat.type == "supergroup" else "group"
        if chat.type == "private":
            if chat.blocked and for_sending:
                raise forbidden("bot was blocked by the user")
        elif chat.bot_status == "kicked":
            raise forbidden(f"bot was kicked from the {kind} chat")
        elif chat.bot_status == "left":
            raise forbidden(f"bot is not a member of the {kind} chat")
        return chat

    def _record_bot_message(self, chat: ChatRecord, message: JSONDict) -> None:
        key = (chat.id, message["message_id"])
        self._sent.append(key)
        self._sent_by_chat.setdefault(chat.id, []).append(key)
        self._bot_messages[key] = message
