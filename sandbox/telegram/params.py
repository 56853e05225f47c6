"""Bot API parameters as Telegram reads them.

PTB (and any form-encoding client) sends every non-string value as JSON text, and Telegram
accepts numbers and booleans written as strings; these readers answer Telegram's error texts for
values it would refuse.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sandbox.telegram.model import bad_request

#: Parameters sent as JSON text, with the name Telegram uses for each in its parse errors.
_JSON_PARAMETERS = {
    "reply_markup": "reply keyboard markup",
    "entities": "entities",
    "caption_entities": "caption entities",
    "allowed_updates": "allowed updates",
    "commands": "commands",
    "scope": "bot command scope",
    "link_preview_options": "link preview options",
    "reply_parameters": "reply parameters",
    "media": "media",
    "permissions": "chat permissions",
    "menu_button": "menu button",
    "message_ids": "message identifiers",
}


def decode_params(params: Mapping[str, Any]) -> dict[str, Any]:
    decoded: dict[str, Any] = {}
    for key, value in params.items():
        if key in _JSON_PARAMETERS and isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {_JSON_PARAMETERS[key]} JSON object") from None
        decoded[key] = value
    return decoded


def int_param(params: Mapping[str, Any], name: str) -> int | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise bad_request(f"invalid {name} specified")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise bad_request(f"invalid {name} specified")


def seconds_param(params: Mapping[str, Any], name: str) -> float:
    value = params.get(name)
    if value is None or value == "":
        return 0.0
    try:
        return float(value)
    except (TypeError, ValueError):
        raise bad_request(f"invalid {name} specified") from None


def str_param(params: Mapping[str, Any], name: str) -> str | None:
    value = params.get(name)
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    raise bad_request(f"invalid {name} specified")


def bool_param(params: Mapping[str, Any], name: str) -> bool:
    value = params.get(name)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return False
