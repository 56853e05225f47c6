"""Users writing to the bot: messages, edits, anonymous admins, shared locations.

Part of `TelegramWorld`. Each action creates the message as Telegram would (with the entities
clients add to commands and mentions) and queues the update only if the bot would see it.
"""

from __future__ import annotations

import copy

from sandbox.telegram.chats import Chats
from sandbox.telegram.formatting import detect_user_entities
from sandbox.telegram.model import GROUP_ANONYMOUS_BOT, FakeUser, JSONDict


class UserActions(Chats):
    async def user_sends(
        self,
        chat_id: int,
        user: FakeUser,
        text: str,
        reply_to_message_id: int | None = None,
        *,
        entities: list[JSONDict] | None = None,
    ) -> JSONDict:
        """A user writes `text`; commands and mentions get the entities Telegram adds.

        The update is queued only if the bot would see the message (group privacy mode).
        """
        chat = self._chat_for_user(chat_id, user)
        if not text:
            raise ValueError("Telegram does not deliver empty messages")
        fields: JSONDict = {"text": text}
        detected = detect_user_entities(text) if entities is None else entities
        if detected:
            fields["entities"] = detected
        self._attach_reply(chat, fields, reply_to_message_id)
        message = self._new_message(chat, user.to_dict(), **fields)
        self._deliver_message(chat, message)
        return copy.deepcopy(message)

    async def anonymous_admin_sends(self, chat_id: int, text: str) -> JSONDict:
        """An anonymous admin writes: sender GroupAnonymousBot, sender_chat the group itself."""
        chat = self._require_chat(chat_id)
        if not chat.is_group:
            raise ValueError("anonymous admins exist only in groups")
        fields: JSONDict = {"sender_chat": chat.to_dict(), "text": text}
        detected = detect_user_entities(text)
        if detected:
            fields["entities"] = detected
        message = self._new_message(chat, GROUP_ANONYMOUS_BOT.to_dict(), **fields)
        self._deliver_message(chat, message)
        return copy.deepcopy(message)

    async def user_edits(
        self, chat_id: int, user: FakeUser, message_id: int, text: str
    ) -> JSONDict:
        chat = self._require_chat(chat_id)
        message = chat.messages.get(message_id)
        if message is None or message.get("from", {}).get("id") != user.id:
            raise ValueError(f"user {user.id} has no message {message_id} in chat {chat_id}")
        message["text"] = text
        detected = detect_user_entities(text)
        if detected:
            message["entities"] = detected
        else:
            message.pop("entities", None)
        message["edit_date"] = self._now()
        if self._bot_sees(chat, message):
            self._queue_update("edited_message", message)
        return copy.deepcopy(message)

    async def user_shares_location(
        self,
        chat_id: int,
        user: FakeUser,
        latitude: float,
        longitude: float,
        reply_to_message_id: int | None = None,
    ) -> JSONDict:
        chat = self._chat_for_user(chat_id, user)
        fields: JSONDict = {"location": {"latitude": latitude, "longitude": longitude}}
        self._attach_reply(chat, fields, reply_to_message_id)
        message = self._new_message(chat, user.to_dict(), **fields)
        self._deliver_message(chat, message)
        return copy.deepcopy(message)

    async def user_sends_sticker(self, chat_id: int, user: FakeUser) -> JSONDict:
        """A user sends a sticker (no text): what a wizard step must still answer."""
        chat = self._chat_for_user(chat_id, user)
        sticker: JSONDict = {
            "file_id": "CAACAgIAAxkBAAE", "file_unique_id": "AgAD", "type": "regular",
            "width": 512, "height": 512, "is_animated": False, "is_video": False,
        }
        message = self._new_message(chat, user.to_dict(), sticker=sticker)
        self._deliver_message(chat, message)
        return copy.deepcopy(message)

    async def user_sends_voice(self, chat_id: int, user: FakeUser) -> JSONDict:
        """A user sends a voice message (no text)."""
        chat = self._chat_for_user(chat_id, user)
        voice: JSONDict = {"file_id": "AwACAgIAAxkBAAE", "file_unique_id": "AgAE", "duration": 3}
        message = self._new_message(chat, user.to_dict(), voice=voice)
        self._deliver_message(chat, message)
        return copy.deepcopy(message)
