"""Inline buttons pressed and answered: callback queries.

Part of `TelegramWorld`. A user presses a button on a message (only data actually on the message,
unless the press is forged as a modified client could), and the bot answers the query once,
within Telegram's limits; `answered_callbacks` records what the user saw.
"""

from __future__ import annotations

import copy
from typing import Any

from sandbox.telegram.markup import inline_buttons
from sandbox.telegram.model import (
    MAX_CALLBACK_ANSWER_LENGTH,
    AnsweredCallback,
    FakeUser,
    JSONDict,
    PendingCallback,
    bad_request,
)
from sandbox.telegram.params import bool_param, int_param, str_param
from sandbox.telegram.state import WorldState


class CallbackQueries(WorldState):
    async def user_presses(
        self,
        chat_id: int,
        user: FakeUser,
        message_id: int,
        callback_data: str,
        *,
        forged: bool = False,
    ) -> JSONDict:
        """A user presses an inline button; returns the callback_query dict.

        Only data of a button actually on the message can be pressed unless `forged` (a modified
        client may send any data, which handlers must survive).
        """
        chat = self._require_chat(chat_id)
        self.add_user(user)
        message = chat.messages.get(message_id)
        if message is None:
            raise ValueError(f"no message {message_id} in chat {chat_id}")
        if not forged and callback_data not in {
            data for _, data in inline_buttons(message) if data is not None
        }:
            raise ValueError(
                f"message {message_id} has no button with callback_data {callback_data!r}; "
                f"buttons: {inline_buttons(message)}"
            )
        self._next_callback_id += 1
        query: JSONDict = {
            "id": str(self._next_callback_id),
            "from": user.to_dict(),
            "message": copy.deepcopy(message),
            "chat_instance": self._chat_instance(chat.id),
            "data": callback_data,
        }
        self._callback_queries[query["id"]] = PendingCallback(query, chat.id, message_id)
        self._queue_update("callback_query", query)
        return copy.deepcopy(query)

    async def user_presses_label(
        self, chat_id: int, user: FakeUser, message_id: int, label: str
    ) -> JSONDict:
        """Press the callback button whose text contains `label`."""
        message = self._require_chat(chat_id).messages.get(message_id)
        if message is None:
            raise ValueError(f"no message {message_id} in chat {chat_id}")
        for text, data in inline_buttons(message):
            if label in text and data is not None and not data.startswith(("http", "tg:")):
                return await self.user_presses(chat_id, user, message_id, data)
        raise ValueError(f"no callback button labelled {label!r}: {inline_buttons(message)}")

    # ----------------------------------------------------------------------------------------
    # Bot API methods

    def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        query_id = str_param(params, "callback_query_id") or ""
        query = self._callback_queries.get(query_id)
        if query is None or query.answered:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        text = str_param(params, "text")
        if text is not None and len(text) > MAX_CALLBACK_ANSWER_LENGTH:
            raise bad_request("MESSAGE_TOO_LONG")
        query.answered = True
        self.answered_callbacks.append(
            AnsweredCallback(
                callback_query_id=query_id,
                text=text,
                show_alert=bool_param(params, "show_alert"),
                url=str_param(params, "url"),
                cache_time=int_param(params, "cache_time") or 0,
                user_id=int(query.payload["from"]["id"]),
                chat_id=query.chat_id,
                message_id=query.message_id,
                data=query.payload.get("data"),
            )
        )
        return True
