"""The bot's messages: send, edit, delete, with Telegram's limits and error texts.

Part of `TelegramWorld`. Text goes through the HTML parser (`formatting`), keyboards through
`markup`, and every send through flood control; edits that change nothing are refused with
"message is not modified", as on Telegram.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Mapping
from typing import Any

from sandbox.telegram.flood import FloodControl
from sandbox.telegram.formatting import format_text
from sandbox.telegram.markup import validated_markup
from sandbox.telegram.model import (
    MAX_CAPTION_LENGTH,
    MAX_MESSAGE_LENGTH,
    ChatRecord,
    JSONDict,
    TelegramApiError,
    bad_request,
)
from sandbox.telegram.params import bool_param, int_param, str_param

_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)


class Messages(FloodControl):
    # ----------------------------------------------------------------------------------------
    # Bot API methods

    def _send_message(self, params: dict[str, Any]) -> JSONDict:
        chat = self._resolve_chat(params, for_sending=True)
        raw_text = str_param(params, "text")
        if not raw_text:
            raise bad_request("message text is empty")
        text, entities = self._format(
            raw_text, str_param(params, "parse_mode"), params.get("entities")
        )
        if len(text) > MAX_MESSAGE_LENGTH:
            raise bad_request("message is too long")
        inline, other = self._validated_markup(params.get("reply_markup"))
        reply_to = self._reply_target(chat, params)
        self._check_flood(chat)
        fields: JSONDict = {}
        if reply_to is not None:
            fields["reply_to_message"] = reply_to
        fields["text"] = text
        if entities:
            fields["entities"] = entities
        if inline is not None:
            fields["reply_markup"] = inline
        message = self._new_message(chat, self._bot_user(), **fields)
        self._remember_other_keyboard(chat, other)
        self._record_bot_message(chat, message)
        return copy.deepcopy(message)

    def _remember_other_keyboard(self, chat: ChatRecord, markup: JSONDict | None) -> None:
        if markup is None:
            return
        if markup.get("remove_keyboard"):
            self.reply_keyboards.pop(chat.id, None)
        else:
            self.reply_keyboards[chat.id] = markup

    def _edit_message_text(self, params: dict[str, Any]) -> JSONDict:
        chat = self._resolve_chat(params, for_sending=True)
        message = self._bot_message(chat, params, action="edit")
        if "text" not in message:
            raise bad_request("there is no text in the message to edit")
        raw_text = str_param(params, "text")
        if not raw_text:
            raise bad_request("message text is empty")
        text, entities = self._format(
            raw_text, str_param(params, "parse_mode"), params.get("entities")
        )
        if len(text) > MAX_MESSAGE_LENGTH:
            raise bad_request("message is too long")
        inline, _ = self._validated_markup(params.get("reply_markup"))
        if (
            text == message["text"]
            and entities == message.get("entities", [])
            and inline == message.get("reply_markup")
        ):
            raise bad_request(_NOT_MODIFIED)
        message["text"] = text
        self._set_optional(message, "entities", entities or None)
        self._set_optional(message, "reply_markup", inline)
        message["edit_date"] = self._now()
        return copy.deepcopy(message)

    def _edit_message_caption(self, params: dict[str, Any]) -> JSONDict:
        chat = self._resolve_chat(params, for_sending=True)
        message = self._bot_message(chat, params, action="edit")
        if "photo" not in message:
            raise bad_request("there is no caption in the message to edit")
        caption, entities = self._format(
            str_param(params, "caption") or "",
            str_param(params, "parse_mode"),
            params.get("caption_entities"),
            what="caption",
        )
        if len(caption) > MAX_CAPTION_LENGTH:
            raise bad_request("message caption is too long")
        inline, _ = self._validated_markup(params.get("reply_markup"))
        if (
            caption == message.get("caption", "")
            and entities == message.get("caption_entities", [])
            and inline == message.get("reply_markup")
        ):
            raise bad_request(_NOT_MODIFIED)
        self._set_optional(message, "caption", caption or None)
        self._set_optional(message, "caption_entities", entities or None)
        self._set_optional(message, "reply_markup", inline)
        message["edit_date"] = self._now()
        return copy.deepcopy(message)

    def _edit_message_reply_markup(self, params: dict[str, Any]) -> JSONDict:
        chat = self._resolve_chat(params, for_sending=True)
        message = self._bot_message(chat, params, action="edit")
        inline, _ = self._validated_markup(params.get("reply_markup"))
        if inline == message.get("reply_markup"):
            raise bad_request(_NOT_MODIFIED)
        self._set_optional(message, "reply_markup", inline)
        message["edit_date"] = self._now()
        return copy.deepcopy(message)

    @staticmethod
    def _set_optional(message: JSONDict, key: str, value: Any) -> None:
        if value is None:
            message.pop(key, None)
        else:
            message[key] = value

    def _delete_message(self, params: dict[str, Any]) -> bool:
        chat = self._resolve_chat(params, for_sending=True)
        message_id = int_param(params, "message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        message = chat.messages.get(message_id)
        if message is None:
            raise bad_request("message to delete not found")
        own = message.get("from", {}).get("id") == self.bot_id
        if chat.is_group and not own and chat.bot_status != "administrator":
            raise bad_request("message can't be deleted")
        del chat.messages[message_id]
        self._deleted.add((chat.id, message_id))
        return True

    def _delete_messages(self, params: dict[str, Any]) -> bool:
        chat = self._resolve_chat(params, for_sending=True)
        message_ids = params.get("message_ids")
        if not isinstance(message_ids, list) or not 1 <= len(message_ids) <= 100:
            raise bad_request("message identifiers are not specified")
        for message_id in message_ids:
            # Telegram skips what it cannot find or delete and still answers True.
            if isinstance(message_id, int) and message_id in chat.messages:
                with contextlib.suppress(TelegramApiError):
                    self._delete_message({"chat_id": chat.id, "message_id": message_id})
        return True

    # ----------------------------------------------------------------------------------------
    # What sending and editing share

    def _format(
        self, text: str, parse_mode: str | None, entities: Any, *, what: str = "message text"
    ) -> tuple[str, list[JSONDict]]:
        return format_text(
            text,
            parse_mode,
            entities,
            strict_ampersand=self.strict_ampersand,
            users=self._users,
            what=what,
        )

    def _validated_markup(self, raw: Any) -> tuple[JSONDict | None, JSONDict | None]:
        """(inline keyboard to echo on the message, other keyboard kept per chat)."""
        return validated_markup(raw, allow_local_urls=self.allow_local_urls)

    def _reply_target(self, chat: ChatRecord, params: Mapping[str, Any]) -> JSONDict | None:
        reply_parameters = params.get("reply_parameters")
        allow_missing = bool_param(params, "allow_sending_without_reply")
        message_id = int_param(params, "reply_to_message_id")
        if isinstance(reply_parameters, dict):
            message_id = int_param(reply_parameters, "message_id")
            allow_missing = allow_missing or bool_param(
                reply_parameters, "allow_sending_without_reply"
            )
        if message_id is None:
            return None
        replied = chat.messages.get(message_id)
        if replied is None:
            if allow_missing:
                return None
            raise bad_request("message to be replied not found")
        return {key: value for key, value in replied.items() if key != "reply_to_message"}

    def _bot_message(self, chat: ChatRecord, params: Mapping[str, Any], *, action: str) -> JSONDict:
        if params.get("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")
        message_id = int_param(params, "message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        message = chat.messages.get(message_id)
        if message is None:
            raise bad_request(f"message to {action} not found")
        if message.get("from", {}).get("id") != self.bot_id:
            raise bad_request(f"message can't be {action}ed")
        return message
