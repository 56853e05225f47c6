"""The bot's own profile: getMe, command lists per scope and language, name, descriptions and
the chat menu button.

Part of `TelegramWorld`. Command lists are kept per (scope, language) as Telegram keeps them, so
tests can check what each kind of chat would show in its command menu.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from sandbox.telegram.model import JSONDict, bad_request
from sandbox.telegram.params import int_param, str_param
from sandbox.telegram.state import WorldState

_COMMAND_SCOPES = {
    "default": (),
    "all_private_chats": (),
    "all_group_chats": (),
    "all_chat_administrators": (),
    "chat": ("chat_id",),
    "chat_administrators": ("chat_id",),
    "chat_member": ("chat_id", "user_id"),
}

_BOT_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")


class BotProfile(WorldState):
    def commands(
        self, scope: Mapping[str, Any] | None = None, language_code: str = ""
    ) -> list[JSONDict]:
        key = (self._scope_key(dict(scope) if scope else {"type": "default"}), language_code)
        return copy.deepcopy(self._commands.get(key, []))

    # ----------------------------------------------------------------------------------------
    # Bot API methods

    def _get_me(self, params: dict[str, Any]) -> JSONDict:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": not self.privacy_mode,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _scope_key(self, scope: Any) -> str:
        if not isinstance(scope, dict) or scope.get("type") not in _COMMAND_SCOPES:
            raise bad_request("can't parse BotCommandScope: unsupported type")
        key: JSONDict = {"type": scope["type"]}
        for name in _COMMAND_SCOPES[scope["type"]]:
            value = int_param(scope, name)
            if value is None:
                raise bad_request(f"{name} is empty")
            if name == "chat_id" and value not in self._chats:
                raise bad_request("chat not found")
            key[name] = value
        return json.dumps(key, sort_keys=True)

    def _commands_key(self, params: Mapping[str, Any]) -> tuple[str, str]:
        language = str_param(params, "language_code") or ""
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise bad_request("invalid language code specified")
        return self._scope_key(params.get("scope") or {"type": "default"}), language

    def _set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("too many commands specified")
        stored: list[JSONDict] = []
        for command in commands:
            if not isinstance(command, dict):
                raise bad_request("can't parse BotCommand: BotCommand must be an Object")
            name = command.get("command")
            description = command.get("description")
            if not isinstance(name, str) or not _BOT_COMMAND_NAME.fullmatch(name):
                raise bad_request("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            stored.append({"command": name, "description": description})
        key = self._commands_key(params)
        if stored:
            self._commands[key] = stored
        else:
            self._commands.pop(key, None)
        return True

    def _get_my_commands(self, params: dict[str, Any]) -> list[JSONDict]:
        return copy.deepcopy(self._commands.get(self._commands_key(params), []))

    def _delete_my_commands(self, params: dict[str, Any]) -> bool:
        self._commands.pop(self._commands_key(params), None)
        return True

    def _profile_setter(self, field: str, limit: int) -> Callable[[dict[str, Any]], bool]:
        def set_field(params: dict[str, Any]) -> bool:
            value = str_param(params, field) or ""
            language = str_param(params, "language_code") or ""
            if language and not re.fullmatch(r"[a-z]{2}", language):
                raise bad_request("invalid language code specified")
            if len(value) > limit:
                raise bad_request(f"bot {field.replace('_', ' ')} is too long")
            if value:
                self.profile[(field, language)] = value
            else:
                self.profile.pop((field, language), None)
            return True

        return set_field

    def _profile_getter(self, field: str) -> Callable[[dict[str, Any]], JSONDict]:
        def get_field(params: dict[str, Any]) -> JSONDict:
            language = str_param(params, "language_code") or ""
            default = self.bot_first_name if field == "name" else ""
            value = self.profile.get((field, language)) or self.profile.get((field, ""), default)
            return {field: value}

        return get_field

    def _set_chat_menu_button(self, params: dict[str, Any]) -> bool:
        chat_id = None
        if params.get("chat_id") not in (None, ""):
            chat_id = self._resolve_chat(params, for_sending=False).id
        button = params.get("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in ("commands", "web_app",
                                                                      "default"):  # fmt: skip
            raise bad_request("can't parse menu button JSON object")
        self.menu_buttons[chat_id] = button
        return True

    def _get_chat_menu_button(self, params: dict[str, Any]) -> JSONDict:
        chat_id = None
        if params.get("chat_id") not in (None, ""):
            chat_id = self._resolve_chat(params, for_sending=False).id
        button = self.menu_buttons.get(chat_id) or self.menu_buttons.get(None)
        if button is None or button.get("type") == "default":
            return {"type": "commands"}
        return copy.deepcopy(button)
