"""Reply markup as Telegram checks it: inline keyboards, their buttons, and button URLs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from sandbox.telegram.model import MAX_CALLBACK_DATA_BYTES, JSONDict, bad_request

_BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "login_url",
    "web_app",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_BUTTON_KEYS = ("text", *_BUTTON_ACTIONS)


def validated_markup(
    raw: Any, *, allow_local_urls: bool
) -> tuple[JSONDict | None, JSONDict | None]:
    """(inline keyboard to echo on the message, other keyboard kept per chat)."""
    if raw is None:
        return None, None
    if not isinstance(raw, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in raw:
        if not {"keyboard", "remove_keyboard", "force_reply"} & raw.keys():
            raise bad_request("can't parse reply keyboard markup JSON object")
        return None, dict(raw)
    rows = raw["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request("can't parse inline keyboard button: field \"inline_keyboard\" "
                          "must be an Array of Arrays")  # fmt: skip
    if sum(len(row) for row in rows) > 100:
        raise bad_request("reply markup is too long")
    normalized: list[list[JSONDict]] = []
    for row in rows:
        normalized_row: list[JSONDict] = []
        for button in row:
            normalized_row.append(_validated_button(button, allow_local_urls=allow_local_urls))
        if normalized_row:
            normalized.append(normalized_row)
    return {"inline_keyboard": normalized}, None


def _validated_button(button: Any, *, allow_local_urls: bool) -> JSONDict:
    if not isinstance(button, dict):
        raise bad_request("can't parse inline keyboard button: InlineKeyboardButton must "
                          "be an Object")  # fmt: skip
    text = button.get("text")
    if not isinstance(text, str):
        raise bad_request("can't parse inline keyboard button: Text must be a String")
    if not text.strip():
        raise bad_request("text must be non-empty")
    if not any(button.get(action) is not None for action in _BUTTON_ACTIONS):
        raise bad_request("text buttons are unallowed in the inline keyboard")
    data = button.get("callback_data")
    if data is not None:
        if not isinstance(data, str):
            raise bad_request("can't parse inline keyboard button: Field \"callback_data\" "
                              "must be of type String")  # fmt: skip
        if not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    urls = [button.get("url"), (button.get("login_url") or {}).get("url")]
    for url in urls:
        if url is None:
            continue
        if not isinstance(url, str) or not _url_is_valid(url, allow_local=allow_local_urls):
            raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")
    return {key: button[key] for key in _BUTTON_KEYS if button.get(key) is not None}


def inline_buttons(message: Mapping[str, Any]) -> list[tuple[str, str | None]]:
    """(text, callback_data or url) for every inline button, row by row."""
    markup = message.get("reply_markup") or {}
    found: list[tuple[str, str | None]] = []
    for row in markup.get("inline_keyboard", []):
        for button in row:
            target = button.get("callback_data")
            if target is None:
                target = button.get("url") or (button.get("login_url") or {}).get("url")
            found.append((button["text"], target))
    return found


def _url_is_valid(url: str, *, allow_local: bool) -> bool:
    candidate = url.strip()
    if not candidate or any(char.isspace() for char in candidate):
        return False
    if "://" not in candidate:
        candidate = "http://" + candidate
    try:
        parts = urlsplit(candidate)
        _ = parts.port  # raises on a malformed port, which Telegram rejects too
    except ValueError:
        return False
    if parts.scheme in ("tg", "ton"):
        return bool(parts.netloc or parts.path)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    host = parts.hostname
    if allow_local:
        return True
    local = host == "localhost" or host.endswith(".localhost") or host.startswith("127.")
    return "." in host and not local
