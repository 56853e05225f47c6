"""Telegram's side of the Bot API, kept in memory and free of any transport.

Both the HTTP fake (`fake_telegram.FakeTelegramServer`) and the in-process PTB request
(`recording.RecordingRequest`) answer through `TelegramWorld.handle`, so handler tests, end-to-end
tests, the demo and the benchmarks all meet the same Telegram: the same message ids, the same
error texts and the same limits. The answers are shaped exactly like Telegram's because PTB
rejects objects that lack required fields (`is_bot`, `chat_instance`, dates in seconds).

Known simplifications (documented so tests do not rely on them): Markdown parse modes are passed
through unparsed, Telegram's automatic url/hashtag detection in bot messages is not done,
callback queries never expire, webhooks are stored but never delivered, and the 4096-character
limit counts code points as TDLib's `utf8_length` does.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import logging
import math
import mimetypes
import re
import struct
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any, ClassVar, TypeVar
from urllib.parse import urlsplit

JSONDict = dict[str, Any]
_T = TypeVar("_T")
_LOGGER = logging.getLogger(__name__)

ANONYMOUS_ADMIN_ID = 1087968824
"""Telegram's GroupAnonymousBot: the sender of messages written by anonymous group admins."""

MAX_MESSAGE_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_LENGTH = 200

# Update kinds a bot receives when it never asked for specific ones (Bot API getUpdates docs).
_DEFAULT_ALLOWED_UPDATES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)

# Parameters PTB (and any form-encoding client) sends as JSON text.
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

_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)

_COMMAND_SCOPES = {
    "default": (),
    "all_private_chats": (),
    "all_group_chats": (),
    "all_chat_administrators": (),
    "chat": ("chat_id",),
    "chat_administrators": ("chat_id",),
    "chat_member": ("chat_id", "user_id"),
}

_COMMAND_PATTERN = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?")
_MENTION_PATTERN = re.compile(r"(?<![\w@/])@[A-Za-z0-9_]{4,32}")
_BOT_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
_TOKEN_SHAPE = re.compile(r"\d+:[A-Za-z0-9_-]+")
_WEBHOOK_PORTS = frozenset({80, 88, 443, 8443})

_MEMBER_STATUSES = ("creator", "administrator", "member", "restricted", "left", "kicked")
_PRESENT_STATUSES = frozenset({"creator", "administrator", "member", "restricted"})


class TelegramApiError(Exception):
    """An answer Telegram gives as `{"ok": false, ...}`; raised inside the world only."""

    def __init__(self, status: int, description: str, parameters: JSONDict | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def as_response(self) -> JSONDict:
        body: JSONDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _bad_request(reason: str, parameters: JSONDict | None = None) -> TelegramApiError:
    return TelegramApiError(400, f"Bad Request: {reason}", parameters)


def _forbidden(reason: str) -> TelegramApiError:
    return TelegramApiError(403, f"Forbidden: {reason}")


@dataclass(frozen=True)
class FakeUser:
    """A Telegram user that tests make act on the bot."""

    id: int
    first_name: str
    username: str | None = None
    language_code: str | None = "en"
    last_name: str | None = None
    is_bot: bool = False

    def to_dict(self) -> JSONDict:
        user: JSONDict = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            user["last_name"] = self.last_name
        if self.username:
            user["username"] = self.username
        if self.language_code:
            user["language_code"] = self.language_code
        return user


GROUP_ANONYMOUS_BOT = FakeUser(
    ANONYMOUS_ADMIN_ID, "Group", username="GroupAnonymousBot", language_code=None, is_bot=True
)


@dataclass(frozen=True)
class UploadedFile:
    """A multipart file part, as both transports hand it to `TelegramWorld.handle`."""

    filename: str | None
    content: bytes
    mimetype: str | None = None


@dataclass
class RecordedCall:
    """One Bot API request, recorded when it arrives; status/response are filled when answered."""

    method: str
    params: dict[str, Any]
    time: float
    status: int = 0
    response: JSONDict = field(default_factory=dict)


@dataclass(frozen=True)
class AnsweredCallback:
    callback_query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int
    user_id: int
    chat_id: int | None
    message_id: int | None
    data: str | None


@dataclass(frozen=True)
class Upload:
    """A photo or document the bot uploaded; `size` is the byte count Telegram received."""

    kind: str
    chat_id: int
    message_id: int
    file_id: str
    size: int
    filename: str
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True)
class WebhookSettings:
    url: str
    secret_token: str | None
    allowed_updates: tuple[str, ...] | None
    max_connections: int
    drop_pending_updates: bool


@dataclass
class FloodLimits:
    """Telegram's published sending limits; `private_burst` models its tolerance of short bursts."""

    overall_per_second: int = 30
    group_per_minute: int = 20
    private_per_second: float = 1.0
    private_burst: int = 3


@dataclass
class _Chat:
    id: int
    type: str
    title: str | None = None
    user: FakeUser | None = None
    members: dict[int, str] = field(default_factory=dict)
    bot_status: str = "member"
    blocked: bool = False
    migrated_to: int | None = None
    next_message_id: int = 1
    messages: dict[int, JSONDict] = field(default_factory=dict)

    @property
    def is_group(self) -> bool:
        return self.type in ("group", "supergroup")

    def to_dict(self) -> JSONDict:
        if self.type == "private" and self.user is not None:
            chat: JSONDict = {"id": self.id, "first_name": self.user.first_name}
            if self.user.last_name:
                chat["last_name"] = self.user.last_name
            if self.user.username:
                chat["username"] = self.user.username
            chat["type"] = "private"
            return chat
        return {"id": self.id, "title": self.title or "", "type": self.type}


@dataclass
class _CallbackQuery:
    payload: JSONDict
    chat_id: int | None
    message_id: int | None
    answered: bool = False


# --------------------------------------------------------------------------------------------
# Text formatting


def utf16_length(text: str) -> int:
    """Entity offsets and lengths are counted in UTF-16 code units by Telegram."""
    return len(text.encode("utf-16-le")) // 2


_SIMPLE_ENTITY_TYPES = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "span": "spoiler", "tg-spoiler": "spoiler", "code": "code",
}  # fmt: skip


class _EntityParseError(Exception):
    pass


@dataclass
class _OpenTag:
    name: str
    offset: int
    attrs: dict[str, str | None]
    language: str | None = None


class _TelegramHTMLParser(HTMLParser):
    """Telegram's HTML subset, with TDLib's error texts and byte offsets.

    `html.parser` is lenient where Telegram is not (a stray `<` becomes text), so every `<` or
    `&` that reaches `handle_data` is an error here. `strict_ampersand` also rejects a lone `&`
    that Telegram itself would keep literally: in this project it always means a missing
    `html.escape`, which garbles text such as "a &lt; b".
    """

    _SUPPORTED = frozenset(
        {
            "a", "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span",
            "tg-spoiler", "code", "pre", "blockquote", "tg-emoji",
        }
    )  # fmt: skip
    _NAMED_ENTITIES: ClassVar[dict[str, str]] = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}

    def __init__(
        self, source: str, *, strict_ampersand: bool, users: Mapping[int, FakeUser]
    ) -> None:
        super().__init__(convert_charrefs=False)
        self._source = source
        self._strict_ampersand = strict_ampersand
        self._users = users
        self._line_starts = [0]
        for index, char in enumerate(source):
            if char == "\n":
                self._line_starts.append(index + 1)
        self._parts: list[str] = []
        self._length = 0
        self._open: list[_OpenTag] = []
        self.entities: list[JSONDict] = []

    def parse(self) -> tuple[str, list[JSONDict]]:
        self.feed(self._source)
        self.close()
        if self._open:
            raise _EntityParseError(
                f'Can\'t find end tag corresponding to start tag "{self._open[-1].name}"'
            )
        self.entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
        return "".join(self._parts), self.entities

    def _position(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def _byte_offset(self, index: int | None = None) -> int:
        position = self._position() if index is None else index
        return len(self._source[:position].encode("utf-8"))

    def _append(self, text: str) -> None:
        self._parts.append(text)
        self._length += utf16_length(text)

    def _stray_lt_error(self, index: int) -> _EntityParseError:
        end = index + 1
        while end < len(self._source) and not self._source[end].isspace():
            if self._source[end] == ">":
                break
            end += 1
        if end >= len(self._source):
            return _EntityParseError(
                f"Unclosed start tag at byte offset {self._byte_offset(index)}"
            )
        name = self._source[index + 1 : end].lower()
        return _EntityParseError(
            f'Unsupported start tag "{name}" at byte offset {self._byte_offset(index)}'
        )

    def _stray_ampersand_error(self, index: int) -> _EntityParseError:
        return _EntityParseError(
            f'Unescaped "&" at byte offset {self._byte_offset(index)}; Telegram would show it '
            "literally, so the text was not html.escape'd"
        )

    def handle_data(self, data: str) -> None:
        start = self._position()
        for offset, char in enumerate(data):
            if char == "<":
                raise self._stray_lt_error(start + offset)
            if char == "&" and self._strict_ampersand:
                raise self._stray_ampersand_error(start + offset)
        self._append(data)

    def handle_entityref(self, name: str) -> None:
        char = self._NAMED_ENTITIES.get(name)
        if char is not None:
            self._append(char)
            return
        self._append_literal_reference(len(name))

    def _append_literal_reference(self, name_length: int) -> None:
        """TDLib keeps an undecodable `&...` as typed, including its `;` if there was one."""
        start = self._position()
        if self._strict_ampersand:
            raise self._stray_ampersand_error(start)
        end = start + 1 + name_length
        self._append(self._source[start : end + 1 if self._source[end : end + 1] == ";" else end])

    def handle_charref(self, name: str) -> None:
        try:
            code = int(name[1:], 16) if name[:1] in ("x", "X") else int(name)
            char = chr(code)
        except (ValueError, OverflowError):
            self._append_literal_reference(1 + len(name))
            return
        self._append(char)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self._SUPPORTED:
            raise _EntityParseError(
                f'Unsupported start tag "{tag}" at byte offset {self._byte_offset()}'
            )
        attributes = dict(attrs)
        if tag == "span" and attributes.get("class") != "tg-spoiler":
            raise _EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {self._byte_offset()}'
            )
        if tag == "code" and self._open and self._open[-1].name == "pre":
            css_class = attributes.get("class") or ""
            if css_class.startswith("language-"):
                self._open[-1].language = css_class.removeprefix("language-")
        self._open.append(_OpenTag(tag, self._length, attributes))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raise _EntityParseError(
            f'Unsupported start tag "{tag}/" at byte offset {self._byte_offset()}'
        )

    def handle_endtag(self, tag: str) -> None:
        if not self._open:
            raise _EntityParseError(f"Unexpected end tag at byte offset {self._byte_offset()}")
        opened = self._open[-1]
        if tag != opened.name:
            raise _EntityParseError(
                f"Unmatched end tag at byte offset {self._byte_offset()}, "
                f'expected "</{opened.name}>", found "</{tag}>"'
            )
        self._open.pop()
        entity = self._entity_for(opened)
        if entity is not None:
            self.entities.append(entity)

    def _unsupported_markup(self, text: str) -> None:
        raise _EntityParseError(
            f'Unsupported start tag "{text.split()[0] if text.split() else ""}" at byte offset '
            f"{self._byte_offset()}"
        )

    def handle_comment(self, data: str) -> None:
        self._unsupported_markup("!--")

    def handle_decl(self, decl: str) -> None:
        self._unsupported_markup("!" + decl)

    def unknown_decl(self, data: str) -> None:
        self._unsupported_markup("![" + data)

    def handle_pi(self, data: str) -> None:
        self._unsupported_markup("?" + data)

    def _entity_for(self, opened: _OpenTag) -> JSONDict | None:
        length = self._length - opened.offset
        if length <= 0:
            return None
        entity: JSONDict = {"offset": opened.offset, "length": length}
        if opened.name in _SIMPLE_ENTITY_TYPES:
            enclosing = self._open[-1] if self._open else None
            in_pre_with_language = (
                enclosing is not None and enclosing.name == "pre" and enclosing.language is not None
            )
            if opened.name == "code" and in_pre_with_language:
                return None  # the language went onto the enclosing pre entity instead
            entity = {"type": _SIMPLE_ENTITY_TYPES[opened.name], **entity}
        elif opened.name == "pre":
            entity = {"type": "pre", **entity}
            if opened.language:
                entity["language"] = opened.language
        elif opened.name == "blockquote":
            expandable = "expandable" in opened.attrs
            entity = {"type": "expandable_blockquote" if expandable else "blockquote", **entity}
        elif opened.name == "tg-emoji":
            emoji_id = opened.attrs.get("emoji-id")
            if not emoji_id:
                return None
            entity = {"type": "custom_emoji", **entity, "custom_emoji_id": emoji_id}
        else:  # "a"
            href = (opened.attrs.get("href") or "").strip()
            if not href:
                return None
            match = re.fullmatch(r"tg://user\?id=(\d+)", href)
            if match:
                user_id = int(match.group(1))
                known = self._users.get(user_id)
                user = known.to_dict() if known else FakeUser(user_id, "").to_dict()
                entity = {"type": "text_mention", **entity, "user": user}
            else:
                entity = {"type": "text_link", **entity, "url": href}
        return entity


def _strip_text(text: str, entities: list[JSONDict]) -> tuple[str, list[JSONDict]]:
    """Telegram trims surrounding whitespace and shifts the entities with it."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    lead = utf16_length(text[: len(text) - len(text.lstrip())])
    new_length = utf16_length(stripped)
    kept: list[JSONDict] = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, new_length)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return stripped, kept


def _detect_user_entities(text: str) -> list[JSONDict]:
    """The entities Telegram's clients attach to what a user types (commands and mentions)."""
    entities: list[JSONDict] = []
    for pattern, kind in ((_COMMAND_PATTERN, "bot_command"), (_MENTION_PATTERN, "mention")):
        for match in pattern.finditer(text):
            entities.append(
                {
                    "offset": utf16_length(text[: match.start()]),
                    "length": utf16_length(match.group()),
                    "type": kind,
                }
            )
    entities.sort(key=lambda entity: entity["offset"])
    return entities


def _entity_text(text: str, entity: Mapping[str, Any]) -> str:
    encoded = text.encode("utf-16-le")
    start = int(entity["offset"]) * 2
    end = start + int(entity["length"]) * 2
    return encoded[start:end].decode("utf-16-le")


# --------------------------------------------------------------------------------------------
# Parameter decoding (PTB sends every non-string value JSON-encoded)


def _decode_params(params: Mapping[str, Any]) -> dict[str, Any]:
    decoded: dict[str, Any] = {}
    for key, value in params.items():
        if key in _JSON_PARAMETERS and isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                raise _bad_request(f"can't parse {_JSON_PARAMETERS[key]} JSON object") from None
        decoded[key] = value
    return decoded


def _int_param(params: Mapping[str, Any], name: str) -> int | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise _bad_request(f"invalid {name} specified")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise _bad_request(f"invalid {name} specified")


def _seconds_param(params: Mapping[str, Any], name: str) -> float:
    value = params.get(name)
    if value is None or value == "":
        return 0.0
    try:
        return float(value)
    except (TypeError, ValueError):
        raise _bad_request(f"invalid {name} specified") from None


def _str_param(params: Mapping[str, Any], name: str) -> str | None:
    value = params.get(name)
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    raise _bad_request(f"invalid {name} specified")


def _bool_param(params: Mapping[str, Any], name: str) -> bool:
    value = params.get(name)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return False


def _image_size(content: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG, GIF or JPEG; Telegram refuses what it cannot decode."""
    if content.startswith(b"\x89PNG\r\n\x1a\n") and len(content) >= 24:
        width, height = struct.unpack(">II", content[16:24])
        return int(width), int(height)
    if content[:6] in (b"GIF87a", b"GIF89a") and len(content) >= 10:
        width, height = struct.unpack("<HH", content[6:10])
        return int(width), int(height)
    if content.startswith(b"\xff\xd8"):
        index = 2
        while index + 9 < len(content):
            if content[index] != 0xFF:
                return None
            marker = content[index + 1]
            segment_length = struct.unpack(">H", content[index + 2 : index + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE):
                height, width = struct.unpack(">HH", content[index + 5 : index + 9])
                return int(width), int(height)
            index += 2 + segment_length
    return None


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


# --------------------------------------------------------------------------------------------


class TelegramWorld:
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
        self._chats: dict[int, _Chat] = {}
        self._sent: list[tuple[int, int]] = []
        self._sent_by_chat: dict[int, list[tuple[int, int]]] = {}
        self._bot_messages: dict[tuple[int, int], JSONDict] = {}
        self._deleted: set[tuple[int, int]] = set()
        self._callback_queries: dict[str, _CallbackQuery] = {}
        self._next_callback_id = 4_000_000_000_000_000_000
        self._commands: dict[tuple[str, str], list[JSONDict]] = {}
        self.profile: dict[tuple[str, str], str] = {}
        """Bot name and descriptions by (field, language_code), as setMyName & co. left them."""
        self.menu_buttons: dict[int | None, JSONDict] = {}
        self.pinned: dict[int, int] = {}
        self._files: dict[str, tuple[bytes, str, str]] = {}  # file_id -> (content, path, name)

        self._poll_queue: deque[JSONDict] = deque()
        self._allowed_updates: frozenset[str] = _DEFAULT_ALLOWED_UPDATES
        self._next_update_id = 100_000
        self._delivered_in_process = 0
        self._poll_generation = 0
        self._closed = False
        self._changed = asyncio.Event()

        self._overall_window: deque[float] = deque()
        self._group_windows: dict[int, deque[float]] = {}
        self._private_buckets: dict[int, tuple[float, float]] = {}

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
            call.params = _decode_params(params)
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

    def file_content(self, file_path: str) -> bytes | None:
        for content, path, _ in self._files.values():
            if path == file_path:
                return content
        return None

    def close(self) -> None:
        """Release every pending long poll (and answer new ones at once) so servers can stop."""
        self._closed = True
        self._notify()

    def reopen(self) -> None:
        self._closed = False

    # ----------------------------------------------------------------------------------------
    # Setting the scene

    def add_user(self, user: FakeUser) -> None:
        self._users[user.id] = user

    def add_private_chat(self, user: FakeUser) -> JSONDict:
        """The user has started the bot: it may now write to them."""
        self.add_user(user)
        chat = self._chats.get(user.id)
        if chat is None:
            chat = _Chat(id=user.id, type="private", user=user)
            chat.members[user.id] = "member"
            self._chats[user.id] = chat
        return chat.to_dict()

    def add_group(
        self,
        chat_id: int,
        title: str,
        admins: Iterable[FakeUser] = (),
        members: Iterable[FakeUser] = (),
        type: str = "group",
        *,
        owner: FakeUser | None = None,
        bot_is_admin: bool = False,
    ) -> JSONDict:
        """A group the bot is in. Without `owner`, the first admin is the group's creator."""
        if type not in ("group", "supergroup"):
            raise ValueError(f"group type must be 'group' or 'supergroup', not {type!r}")
        if chat_id >= 0:
            raise ValueError("Telegram group ids are negative")
        admin_list = list(admins)
        if owner is None and admin_list:
            owner, admin_list = admin_list[0], admin_list[1:]
        chat = _Chat(id=chat_id, type=type, title=title)
        chat.bot_status = "administrator" if bot_is_admin else "member"
        if owner is not None:
            self.add_user(owner)
            chat.members[owner.id] = "creator"
        for admin in admin_list:
            self.add_user(admin)
            chat.members[admin.id] = "administrator"
        for member in members:
            self.add_user(member)
            chat.members.setdefault(member.id, "member")
        self._chats[chat_id] = chat
        return chat.to_dict()

    def set_member_status(self, chat_id: int, user: FakeUser, status: str) -> None:
        """Promote, demote, ban or remove a user (status as in ChatMember: creator … kicked)."""
        if status not in _MEMBER_STATUSES:
            raise ValueError(f"unknown chat member status {status!r}")
        self.add_user(user)
        self._require_chat(chat_id).members[user.id] = status

    def set_bot_status(self, chat_id: int, status: str) -> None:
        if status not in _MEMBER_STATUSES:
            raise ValueError(f"unknown chat member status {status!r}")
        self._require_chat(chat_id).bot_status = status

    def block(self, chat_id: int) -> None:
        """The user blocks the bot: sends fail with 403 and a my_chat_member update arrives."""
        chat = self._require_chat(chat_id)
        if chat.type != "private" or chat.user is None:
            raise ValueError("only a private chat can block the bot")
        if chat.blocked:
            return
        chat.blocked = True
        self._queue_my_chat_member(chat, chat.user, "member", "kicked")

    def unblock(self, chat_id: int) -> None:
        chat = self._require_chat(chat_id)
        if not chat.blocked or chat.user is None:
            return
        chat.blocked = False
        self._queue_my_chat_member(chat, chat.user, "kicked", "member")

    def migrate_group(self, old_id: int, new_id: int, by_user: FakeUser | None = None) -> JSONDict:
        """Upgrade a basic group to a supergroup; returns the supergroup's chat dict."""
        old = self._require_chat(old_id)
        if old.type != "group":
            raise ValueError("only a basic group migrates to a supergroup")
        if new_id in self._chats:
            raise ValueError(f"chat {new_id} already exists")
        actor = by_user or self._default_actor(old)
        new = _Chat(id=new_id, type="supergroup", title=old.title)
        new.members = dict(old.members)
        new.bot_status = old.bot_status
        self._chats[new_id] = new
        old.migrated_to = new_id
        old_notice = self._new_message(old, actor.to_dict(), migrate_to_chat_id=new_id)
        self._deliver_message(old, old_notice, service=True)
        new_notice = self._new_message(new, actor.to_dict(), migrate_from_chat_id=old_id)
        self._deliver_message(new, new_notice, service=True)
        return new.to_dict()

    # ----------------------------------------------------------------------------------------
    # Users acting

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
        detected = _detect_user_entities(text) if entities is None else entities
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
        detected = _detect_user_entities(text)
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
        detected = _detect_user_entities(text)
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
            data for _, data in self.buttons(message) if data is not None
        }:
            raise ValueError(
                f"message {message_id} has no button with callback_data {callback_data!r}; "
                f"buttons: {self.buttons(message)}"
            )
        self._next_callback_id += 1
        query: JSONDict = {
            "id": str(self._next_callback_id),
            "from": user.to_dict(),
            "message": copy.deepcopy(message),
            "chat_instance": self._chat_instance(chat.id),
            "data": callback_data,
        }
        self._callback_queries[query["id"]] = _CallbackQuery(query, chat.id, message_id)
        self._queue_update("callback_query", query)
        return copy.deepcopy(query)

    async def user_presses_label(
        self, chat_id: int, user: FakeUser, message_id: int, label: str
    ) -> JSONDict:
        """Press the callback button whose text contains `label`."""
        message = self._require_chat(chat_id).messages.get(message_id)
        if message is None:
            raise ValueError(f"no message {message_id} in chat {chat_id}")
        for text, data in self.buttons(message):
            if label in text and data is not None and not data.startswith(("http", "tg:")):
                return await self.user_presses(chat_id, user, message_id, data)
        raise ValueError(f"no callback button labelled {label!r}: {self.buttons(message)}")

    async def bot_added_to_group(
        self,
        chat_id: int,
        by_user: FakeUser,
        title: str = "Group",
        type: str = "group",
        *,
        as_admin: bool = False,
    ) -> JSONDict:
        """`by_user` adds the bot: a my_chat_member update, then the new_chat_members message."""
        chat = self._chats.get(chat_id)
        if chat is None:
            self.add_group(chat_id, title, type=type, owner=by_user)
            chat = self._chats[chat_id]
            old_status = "left"
        else:
            old_status = chat.bot_status
        self.add_user(by_user)
        chat.members.setdefault(by_user.id, "member")
        chat.bot_status = "administrator" if as_admin else "member"
        update = self._queue_my_chat_member(chat, by_user, old_status, chat.bot_status)
        notice = self._new_message(chat, by_user.to_dict(), new_chat_members=[self._bot_user()])
        notice["new_chat_member"] = self._bot_user()
        notice["new_chat_participant"] = self._bot_user()
        self._deliver_message(chat, notice, service=True)
        return update

    async def bot_removed_from_group(self, chat_id: int, by_user: FakeUser) -> JSONDict:
        chat = self._require_chat(chat_id)
        old_status = chat.bot_status
        chat.bot_status = "kicked"
        return self._queue_my_chat_member(chat, by_user, old_status, "kicked")

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
        return [_message_text(message) for message in self.sent(chat_id)]

    def message(self, chat_id: int, message_id: int) -> JSONDict | None:
        chat = self._chats.get(chat_id)
        if chat is None or message_id not in chat.messages:
            return None
        return copy.deepcopy(chat.messages[message_id])

    def was_deleted(self, chat_id: int, message_id: int) -> bool:
        return (chat_id, message_id) in self._deleted

    def calls_to(self, method: str) -> list[RecordedCall]:
        return [call for call in self.calls if call.method.lower() == method.lower()]

    def commands(
        self, scope: Mapping[str, Any] | None = None, language_code: str = ""
    ) -> list[JSONDict]:
        key = (self._scope_key(dict(scope) if scope else {"type": "default"}), language_code)
        return copy.deepcopy(self._commands.get(key, []))

    def chat(self, chat_id: int) -> JSONDict:
        return self._require_chat(chat_id).to_dict()

    def member_status(self, chat_id: int, user_id: int) -> str:
        chat = self._require_chat(chat_id)
        if user_id == self.bot_id:
            return chat.bot_status
        return chat.members.get(user_id, "left")

    @staticmethod
    def buttons(message: Mapping[str, Any]) -> list[tuple[str, str | None]]:
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
                if contains is None or contains in _message_text(message):
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
    # Internals: state

    def _notify(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def _wait_for_change(self, at_most: float) -> None:
        changed = self._changed
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(changed.wait(), at_most)

    def _now(self) -> int:
        return int(self._clock().timestamp())

    def _bot_user(self) -> JSONDict:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def _require_chat(self, chat_id: int) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            raise ValueError(f"unknown chat {chat_id}: add it with add_private_chat/add_group")
        return chat

    def _chat_for_user(self, chat_id: int, user: FakeUser) -> _Chat:
        self.add_user(user)
        if chat_id == user.id and chat_id not in self._chats:
            self.add_private_chat(user)
        chat = self._require_chat(chat_id)
        if chat.migrated_to is not None:
            raise ValueError(f"chat {chat_id} migrated to {chat.migrated_to}")
        if chat.type == "private":
            self.unblock(chat_id)
        elif chat.members.get(user.id) not in _PRESENT_STATUSES:
            chat.members[user.id] = "member"
        return chat

    def _default_actor(self, chat: _Chat) -> FakeUser:
        for wanted in ("creator", "administrator", "member"):
            for user_id, status in chat.members.items():
                if status == wanted and user_id in self._users:
                    return self._users[user_id]
        raise ValueError(f"chat {chat.id} has no member to act; pass by_user")

    def _chat_instance(self, chat_id: int) -> str:
        return str((chat_id * 2654435761 + self.bot_id) % (1 << 63))

    def _new_message(self, chat: _Chat, sender: JSONDict, **fields: Any) -> JSONDict:
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

    def _attach_reply(self, chat: _Chat, fields: JSONDict, reply_to_message_id: int | None) -> None:
        if reply_to_message_id is None:
            return
        replied = chat.messages.get(reply_to_message_id)
        if replied is None:
            raise ValueError(f"no message {reply_to_message_id} in chat {chat.id} to reply to")
        fields["reply_to_message"] = {
            key: value for key, value in replied.items() if key != "reply_to_message"
        }

    def _bot_sees(self, chat: _Chat, message: Mapping[str, Any], *, service: bool = False) -> bool:
        if chat.type == "private":
            return not chat.blocked
        if chat.bot_status not in _PRESENT_STATUSES:
            return False
        if service or not self.privacy_mode or chat.bot_status == "administrator":
            return True
        replied = message.get("reply_to_message") or {}
        if replied.get("from", {}).get("id") == self.bot_id:
            return True
        text = message.get("text") or message.get("caption") or ""
        me = self.bot_username.lower()
        for entity in message.get("entities") or []:
            value = _entity_text(text, entity).lower()
            if entity["type"] == "bot_command" and ("@" not in value or value.endswith("@" + me)):
                return True
            if entity["type"] == "mention" and value == "@" + me:
                return True
        return False

    def _deliver_message(self, chat: _Chat, message: JSONDict, *, service: bool = False) -> None:
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
        self, chat: _Chat, actor: FakeUser, old_status: str, new_status: str
    ) -> JSONDict:
        payload: JSONDict = {
            "chat": chat.to_dict(),
            "from": actor.to_dict(),
            "date": self._now(),
            "old_chat_member": self._member_dict(self._bot_user(), old_status),
            "new_chat_member": self._member_dict(self._bot_user(), new_status),
        }
        return self._queue_update("my_chat_member", payload)

    @staticmethod
    def _member_dict(user: JSONDict, status: str) -> JSONDict:
        if status == "creator":
            return {"status": "creator", "user": user, "is_anonymous": False}
        if status == "administrator":
            return {
                "status": "administrator",
                "user": user,
                "can_be_edited": False,
                "is_anonymous": False,
                "can_manage_chat": True,
                "can_delete_messages": True,
                "can_manage_video_chats": True,
                "can_restrict_members": True,
                "can_promote_members": False,
                "can_change_info": True,
                "can_invite_users": True,
                "can_post_stories": False,
                "can_edit_stories": False,
                "can_delete_stories": False,
                "can_pin_messages": True,
            }
        if status == "kicked":
            return {"status": "kicked", "user": user, "until_date": 0}
        if status == "restricted":
            return {
                "status": "restricted",
                "user": user,
                "is_member": True,
                "can_send_messages": False,
                "can_send_audios": False,
                "can_send_documents": False,
                "can_send_photos": False,
                "can_send_videos": False,
                "can_send_video_notes": False,
                "can_send_voice_notes": False,
                "can_send_polls": False,
                "can_send_other_messages": False,
                "can_add_web_page_previews": False,
                "can_change_info": False,
                "can_invite_users": False,
                "can_pin_messages": False,
                "can_manage_topics": False,
                "until_date": 0,
            }
        return {"status": status, "user": user}

    # ----------------------------------------------------------------------------------------
    # Internals: shared validation

    def _resolve_chat(self, params: Mapping[str, Any], *, for_sending: bool) -> _Chat:
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise _bad_request("chat_id is empty")
        try:
            chat_id = _int_param(params, "chat_id")
        except TelegramApiError:
            raise _bad_request("chat not found") from None
        assert chat_id is not None
        chat = self._chats.get(chat_id)
        if chat is None:
            if chat_id in self._users and for_sending:
                raise _forbidden("bot can't initiate conversation with a user")
            raise _bad_request("chat not found")
        if chat.migrated_to is not None:
            raise _bad_request(
                "group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        kind = "supergroup" if chat.type == "supergroup" else "group"
        if chat.type == "private":
            if chat.blocked and for_sending:
                raise _forbidden("bot was blocked by the user")
        elif chat.bot_status == "kicked":
            raise _forbidden(f"bot was kicked from the {kind} chat")
        elif chat.bot_status == "left":
            raise _forbidden(f"bot is not a member of the {kind} chat")
        return chat

    def _format(
        self, text: str, parse_mode: str | None, entities: Any, *, what: str = "message text"
    ) -> tuple[str, list[JSONDict]]:
        if entities:
            if not isinstance(entities, list) or not all(
                isinstance(entity, dict) and {"type", "offset", "length"} <= entity.keys()
                for entity in entities
            ):
                raise _bad_request("can't parse entities JSON object")
            parsed = sorted(
                (dict(entity) for entity in entities),
                key=lambda entity: (entity["offset"], -entity["length"]),
            )
        elif parse_mode and parse_mode.lower() == "html":
            try:
                text, parsed = _TelegramHTMLParser(
                    text, strict_ampersand=self.strict_ampersand, users=self._users
                ).parse()
            except _EntityParseError as error:
                raise _bad_request(f"can't parse entities: {error}") from None
        elif parse_mode and parse_mode.lower() not in ("markdown", "markdownv2"):
            raise _bad_request("unsupported parse_mode")
        else:
            parsed = []
        text, parsed = _strip_text(text, parsed)
        if not text and what == "message text":
            raise _bad_request("message text is empty")
        return text, parsed

    def _validated_markup(self, raw: Any) -> tuple[JSONDict | None, JSONDict | None]:
        """(inline keyboard to echo on the message, other keyboard kept per chat)."""
        if raw is None:
            return None, None
        if not isinstance(raw, dict):
            raise _bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in raw:
            if not {"keyboard", "remove_keyboard", "force_reply"} & raw.keys():
                raise _bad_request("can't parse reply keyboard markup JSON object")
            return None, dict(raw)
        rows = raw["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad_request("can't parse inline keyboard button: field \"inline_keyboard\" "
                               "must be an Array of Arrays")  # fmt: skip
        if sum(len(row) for row in rows) > 100:
            raise _bad_request("reply markup is too long")
        normalized: list[list[JSONDict]] = []
        for row in rows:
            normalized_row: list[JSONDict] = []
            for button in row:
                normalized_row.append(self._validated_button(button))
            if normalized_row:
                normalized.append(normalized_row)
        return {"inline_keyboard": normalized}, None

    def _validated_button(self, button: Any) -> JSONDict:
        if not isinstance(button, dict):
            raise _bad_request("can't parse inline keyboard button: InlineKeyboardButton must "
                               "be an Object")  # fmt: skip
        text = button.get("text")
        if not isinstance(text, str):
            raise _bad_request("can't parse inline keyboard button: Text must be a String")
        if not text.strip():
            raise _bad_request("text must be non-empty")
        if not any(button.get(action) is not None for action in _BUTTON_ACTIONS):
            raise _bad_request("text buttons are unallowed in the inline keyboard")
        data = button.get("callback_data")
        if data is not None:
            if not isinstance(data, str):
                raise _bad_request("can't parse inline keyboard button: Field \"callback_data\" "
                                   "must be of type String")  # fmt: skip
            if not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
                raise _bad_request("BUTTON_DATA_INVALID")
        urls = [button.get("url"), (button.get("login_url") or {}).get("url")]
        for url in urls:
            if url is None:
                continue
            if not isinstance(url, str) or not _url_is_valid(
                url, allow_local=self.allow_local_urls
            ):
                raise _bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")
        return {key: button[key] for key in _BUTTON_KEYS if button.get(key) is not None}

    def _reply_target(self, chat: _Chat, params: Mapping[str, Any]) -> JSONDict | None:
        reply_parameters = params.get("reply_parameters")
        allow_missing = _bool_param(params, "allow_sending_without_reply")
        message_id = _int_param(params, "reply_to_message_id")
        if isinstance(reply_parameters, dict):
            message_id = _int_param(reply_parameters, "message_id")
            allow_missing = allow_missing or _bool_param(
                reply_parameters, "allow_sending_without_reply"
            )
        if message_id is None:
            return None
        replied = chat.messages.get(message_id)
        if replied is None:
            if allow_missing:
                return None
            raise _bad_request("message to be replied not found")
        return {key: value for key, value in replied.items() if key != "reply_to_message"}

    def _check_flood(self, chat: _Chat) -> None:
        if not self.flood_control:
            return
        now = self._monotonic()
        limits = self.flood_limits
        waits: list[float] = []
        overall = self._overall_window
        while overall and overall[0] <= now - 1.0:
            overall.popleft()
        if len(overall) >= limits.overall_per_second:
            waits.append(overall[0] + 1.0 - now)
        if chat.is_group:
            window = self._group_windows.setdefault(chat.id, deque())
            while window and window[0] <= now - 60.0:
                window.popleft()
            if len(window) >= limits.group_per_minute:
                waits.append(window[0] + 60.0 - now)
        else:
            tokens, last = self._private_buckets.get(chat.id, (float(limits.private_burst), now))
            tokens = min(
                float(limits.private_burst), tokens + (now - last) * limits.private_per_second
            )
            if tokens < 1.0:
                waits.append((1.0 - tokens) / limits.private_per_second)
            self._private_buckets[chat.id] = (tokens, now)
        if waits:
            retry_after = max(1, math.ceil(max(waits)))
            raise TelegramApiError(
                429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
            )
        overall.append(now)
        if chat.is_group:
            self._group_windows[chat.id].append(now)
        else:
            tokens, last = self._private_buckets[chat.id]
            self._private_buckets[chat.id] = (tokens - 1.0, last)

    def _record_bot_message(self, chat: _Chat, message: JSONDict) -> None:
        key = (chat.id, message["message_id"])
        self._sent.append(key)
        self._sent_by_chat.setdefault(chat.id, []).append(key)
        self._bot_messages[key] = message

    def _bot_message(self, chat: _Chat, params: Mapping[str, Any], *, action: str) -> JSONDict:
        if params.get("inline_message_id"):
            raise _bad_request("MESSAGE_ID_INVALID")
        message_id = _int_param(params, "message_id")
        if message_id is None:
            raise _bad_request("message identifier is not specified")
        message = chat.messages.get(message_id)
        if message is None:
            raise _bad_request(f"message to {action} not found")
        if message.get("from", {}).get("id") != self.bot_id:
            raise _bad_request(f"message can't be {action}ed")
        return message

    # ----------------------------------------------------------------------------------------
    # Bot API methods

    def _always_true(self, params: dict[str, Any]) -> bool:
        return True

    def _get_me(self, params: dict[str, Any]) -> JSONDict:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": not self.privacy_mode,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: dict[str, Any]) -> list[JSONDict]:
        if self.webhook is not None:
            raise TelegramApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = _int_param(params, "offset")
        limit = min(max(_int_param(params, "limit") or 100, 1), 100)
        timeout = max(_seconds_param(params, "timeout"), 0.0)
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(allowed) or _DEFAULT_ALLOWED_UPDATES
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
        url = (_str_param(params, "url") or "").strip()
        if not url:
            self.webhook = None
            return True
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.hostname:
            raise _bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if (parts.port or 443) not in _WEBHOOK_PORTS:
            raise _bad_request(
                "bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443"
            )
        secret = _str_param(params, "secret_token")
        if secret is not None and not _SECRET_TOKEN.fullmatch(secret):
            raise _bad_request("secret token contains unallowed characters")
        allowed = params.get("allowed_updates")
        drop = _bool_param(params, "drop_pending_updates")
        if drop:
            self._poll_queue.clear()
        self.webhook = WebhookSettings(
            url=url,
            secret_token=secret,
            allowed_updates=tuple(allowed) if isinstance(allowed, list) else None,
            max_connections=_int_param(params, "max_connections") or 40,
            drop_pending_updates=drop,
        )
        return True

    def _delete_webhook(self, params: dict[str, Any]) -> bool:
        self.webhook = None
        if _bool_param(params, "drop_pending_updates"):
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

    def _scope_key(self, scope: Any) -> str:
        if not isinstance(scope, dict) or scope.get("type") not in _COMMAND_SCOPES:
            raise _bad_request("can't parse BotCommandScope: unsupported type")
        key: JSONDict = {"type": scope["type"]}
        for name in _COMMAND_SCOPES[scope["type"]]:
            value = _int_param(scope, name)
            if value is None:
                raise _bad_request(f"{name} is empty")
            if name == "chat_id" and value not in self._chats:
                raise _bad_request("chat not found")
            key[name] = value
        return json.dumps(key, sort_keys=True)

    def _commands_key(self, params: Mapping[str, Any]) -> tuple[str, str]:
        language = _str_param(params, "language_code") or ""
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise _bad_request("invalid language code specified")
        return self._scope_key(params.get("scope") or {"type": "default"}), language

    def _set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad_request("too many commands specified")
        stored: list[JSONDict] = []
        for command in commands:
            if not isinstance(command, dict):
                raise _bad_request("can't parse BotCommand: BotCommand must be an Object")
            name = command.get("command")
            description = command.get("description")
            if not isinstance(name, str) or not _BOT_COMMAND_NAME.fullmatch(name):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
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

    def _send_message(self, params: dict[str, Any]) -> JSONDict:
        chat = self._resolve_chat(params, for_sending=True)
        raw_text = _str_param(params, "text")
        if not raw_text:
            raise _bad_request("message text is empty")
        text, entities = self._format(
            raw_text, _str_param(params, "parse_mode"), params.get("entities")
        )
        if len(text) > MAX_MESSAGE_LENGTH:
            raise _bad_request("message is too long")
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

    def _remember_other_keyboard(self, chat: _Chat, markup: JSONDict | None) -> None:
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
            raise _bad_request("there is no text in the message to edit")
        raw_text = _str_param(params, "text")
        if not raw_text:
            raise _bad_request("message text is empty")
        text, entities = self._format(
            raw_text, _str_param(params, "parse_mode"), params.get("entities")
        )
        if len(text) > MAX_MESSAGE_LENGTH:
            raise _bad_request("message is too long")
        inline, _ = self._validated_markup(params.get("reply_markup"))
        if (
            text == message["text"]
            and entities == message.get("entities", [])
            and inline == message.get("reply_markup")
        ):
            raise _bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        message["text"] = text
        self._set_optional(message, "entities", entities or None)
        self._set_optional(message, "reply_markup", inline)
        message["edit_date"] = self._now()
        return copy.deepcopy(message)

    def _edit_message_caption(self, params: dict[str, Any]) -> JSONDict:
        chat = self._resolve_chat(params, for_sending=True)
        message = self._bot_message(chat, params, action="edit")
        if "photo" not in message:
            raise _bad_request("there is no caption in the message to edit")
        caption, entities = self._format(
            _str_param(params, "caption") or "",
            _str_param(params, "parse_mode"),
            params.get("caption_entities"),
            what="caption",
        )
        if len(caption) > MAX_CAPTION_LENGTH:
            raise _bad_request("message caption is too long")
        inline, _ = self._validated_markup(params.get("reply_markup"))
        if (
            caption == message.get("caption", "")
            and entities == message.get("caption_entities", [])
            and inline == message.get("reply_markup")
        ):
            raise _bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
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
            raise _bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
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
        message_id = _int_param(params, "message_id")
        if message_id is None:
            raise _bad_request("message identifier is not specified")
        message = chat.messages.get(message_id)
        if message is None:
            raise _bad_request("message to delete not found")
        own = message.get("from", {}).get("id") == self.bot_id
        if chat.is_group and not own and chat.bot_status != "administrator":
            raise _bad_request("message can't be deleted")
        del chat.messages[message_id]
        self._deleted.add((chat.id, message_id))
        return True

    def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        query_id = _str_param(params, "callback_query_id") or ""
        query = self._callback_queries.get(query_id)
        if query is None or query.answered:
            raise _bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        text = _str_param(params, "text")
        if text is not None and len(text) > MAX_CALLBACK_ANSWER_LENGTH:
            raise _bad_request("MESSAGE_TOO_LONG")
        query.answered = True
        self.answered_callbacks.append(
            AnsweredCallback(
                callback_query_id=query_id,
                text=text,
                show_alert=_bool_param(params, "show_alert"),
                url=_str_param(params, "url"),
                cache_time=_int_param(params, "cache_time") or 0,
                user_id=int(query.payload["from"]["id"]),
                chat_id=query.chat_id,
                message_id=query.message_id,
                data=query.payload.get("data"),
            )
        )
        return True

    def _stored_upload(self, params: Mapping[str, Any], field: str) -> tuple[str, bytes, str]:
        """(file_id, content, file name) for an uploaded part or a file_id sent before."""
        value = params.get(field)
        if isinstance(value, str) and value.startswith("attach://"):
            value = params.get(value.removeprefix("attach://"))
        if isinstance(value, UploadedFile):
            if not value.content:
                raise _bad_request("file must be non-empty")
            if field == "photo" and _image_size(value.content) is None:
                raise _bad_request("IMAGE_PROCESS_FAILED")
            number = len(self._files) + 1
            prefix = "AgACAgQAAxkDAAI" if field == "photo" else "BQACAgQAAxkDAAI"
            file_id = f"{prefix}{number:08d}"
            name = value.filename or f"file_{number}"
            folder = "photos" if field == "photo" else "documents"
            self._files[file_id] = (value.content, f"{folder}/file_{number}_{name}", name)
            return file_id, value.content, name
        if isinstance(value, str) and value in self._files:
            content, _, name = self._files[value]
            return value, content, name
        if value is None or value == "":
            raise _bad_request(f"there is no {field} in the request")
        raise _bad_request("wrong file identifier/HTTP URL specified")

    def _send_media(self, params: dict[str, Any], field: str) -> JSONDict:
        chat = self._resolve_chat(params, for_sending=True)
        file_id, content, name = self._stored_upload(params, field)
        caption, entities = self._format(
            _str_param(params, "caption") or "",
            _str_param(params, "parse_mode"),
            params.get("caption_entities"),
            what="caption",
        )
        if len(caption) > MAX_CAPTION_LENGTH:
            raise _bad_request("message caption is too long")
        inline, other = self._validated_markup(params.get("reply_markup"))
        reply_to = self._reply_target(chat, params)
        self._check_flood(chat)
        fields: JSONDict = {}
        if reply_to is not None:
            fields["reply_to_message"] = reply_to
        common = {"file_id": file_id, "file_unique_id": "AQAD" + file_id[-8:]}
        width, height = _image_size(content) or (None, None)
        if field == "photo":
            fields["photo"] = [{**common, "file_size": len(content), "width": width,
                                "height": height}]  # fmt: skip
        else:
            mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
            fields["document"] = {**common, "file_name": name, "mime_type": mimetype,
                                  "file_size": len(content)}  # fmt: skip
        if caption:
            fields["caption"] = caption
        if entities:
            fields["caption_entities"] = entities
        if inline is not None:
            fields["reply_markup"] = inline
        message = self._new_message(chat, self._bot_user(), **fields)
        self._remember_other_keyboard(chat, other)
        self._record_bot_message(chat, message)
        self.uploads.append(
            Upload(
                field, chat.id, message["message_id"], file_id, len(content), name, width, height
            )
        )
        return copy.deepcopy(message)

    def _send_photo(self, params: dict[str, Any]) -> JSONDict:
        return self._send_media(params, "photo")

    def _send_document(self, params: dict[str, Any]) -> JSONDict:
        return self._send_media(params, "document")

    def _get_file(self, params: dict[str, Any]) -> JSONDict:
        file_id = _str_param(params, "file_id") or ""
        stored = self._files.get(file_id)
        if stored is None:
            raise _bad_request("invalid file_id")
        content, path, _ = stored
        return {
            "file_id": file_id,
            "file_unique_id": "AQAD" + file_id[-8:],
            "file_size": len(content),
            "file_path": path,
        }

    def _send_chat_action(self, params: dict[str, Any]) -> bool:
        self._resolve_chat(params, for_sending=True)
        if _str_param(params, "action") not in _CHAT_ACTIONS:
            raise _bad_request("wrong parameter action in request")
        return True

    def _get_chat(self, params: dict[str, Any]) -> JSONDict:
        chat = self._resolve_chat(params, for_sending=False)
        info = chat.to_dict()
        info.update(
            {
                "accent_color_id": 0,
                "max_reaction_count": 11,
                "accepted_gift_types": {
                    "unlimited_gifts": False,
                    "limited_gifts": False,
                    "unique_gifts": False,
                    "premium_subscription": False,
                    "gifts_from_channels": False,
                },
            }
        )
        return info

    def _get_chat_member(self, params: dict[str, Any]) -> JSONDict:
        chat = self._resolve_chat(params, for_sending=False)
        user_id = _int_param(params, "user_id")
        if user_id is None:
            raise _bad_request("user_id is empty")
        if user_id == self.bot_id:
            status = "member" if chat.type == "private" else chat.bot_status
            return self._member_dict(self._bot_user(), status)
        if user_id == ANONYMOUS_ADMIN_ID and chat.is_group:
            return self._member_dict(GROUP_ANONYMOUS_BOT.to_dict(), "member")
        user = self._users.get(user_id)
        if user is None:
            raise _bad_request("user not found")
        if chat.type == "private" and user_id != chat.id:
            raise _bad_request("user not found")
        return self._member_dict(user.to_dict(), chat.members.get(user_id, "left"))

    def _get_chat_administrators(self, params: dict[str, Any]) -> list[JSONDict]:
        chat = self._resolve_chat(params, for_sending=False)
        if not chat.is_group:
            raise _bad_request("there are no administrators in the private chat")
        admins: list[JSONDict] = []
        for wanted in ("creator", "administrator"):
            for user_id, status in chat.members.items():
                if status == wanted and user_id in self._users:
                    admins.append(self._member_dict(self._users[user_id].to_dict(), status))
        if chat.bot_status == "administrator":
            admins.append(self._member_dict(self._bot_user(), "administrator"))
        return admins

    def _get_chat_member_count(self, params: dict[str, Any]) -> int:
        chat = self._resolve_chat(params, for_sending=False)
        present = sum(1 for status in chat.members.values() if status in _PRESENT_STATUSES)
        return present + (1 if chat.bot_status in _PRESENT_STATUSES else 0)

    def _leave_chat(self, params: dict[str, Any]) -> bool:
        chat = self._resolve_chat(params, for_sending=False)
        if chat.type == "private":
            raise _bad_request("chat member status can't be changed in private chats")
        old_status = chat.bot_status
        chat.bot_status = "left"
        bot = FakeUser(self.bot_id, self.bot_first_name, self.bot_username, None, is_bot=True)
        self._queue_my_chat_member(chat, bot, old_status, "left")
        return True

    def _delete_messages(self, params: dict[str, Any]) -> bool:
        chat = self._resolve_chat(params, for_sending=True)
        message_ids = params.get("message_ids")
        if not isinstance(message_ids, list) or not 1 <= len(message_ids) <= 100:
            raise _bad_request("message identifiers are not specified")
        for message_id in message_ids:
            # Telegram skips what it cannot find or delete and still answers True.
            if isinstance(message_id, int) and message_id in chat.messages:
                with contextlib.suppress(TelegramApiError):
                    self._delete_message({"chat_id": chat.id, "message_id": message_id})
        return True

    def _pin_chat_message(self, params: dict[str, Any]) -> bool:
        chat = self._resolve_chat(params, for_sending=True)
        if chat.is_group and chat.bot_status != "administrator":
            raise _bad_request("not enough rights to manage pinned messages in the chat")
        message_id = _int_param(params, "message_id")
        if message_id is None or message_id not in chat.messages:
            raise _bad_request("message to pin not found")
        self.pinned[chat.id] = message_id
        return True

    def _unpin_chat_message(self, params: dict[str, Any]) -> bool:
        chat = self._resolve_chat(params, for_sending=True)
        if chat.is_group and chat.bot_status != "administrator":
            raise _bad_request("not enough rights to manage pinned messages in the chat")
        self.pinned.pop(chat.id, None)
        return True

    def _profile_setter(self, field: str, limit: int) -> Callable[[dict[str, Any]], bool]:
        def set_field(params: dict[str, Any]) -> bool:
            value = _str_param(params, field) or ""
            language = _str_param(params, "language_code") or ""
            if language and not re.fullmatch(r"[a-z]{2}", language):
                raise _bad_request("invalid language code specified")
            if len(value) > limit:
                raise _bad_request(f"bot {field.replace('_', ' ')} is too long")
            if value:
                self.profile[(field, language)] = value
            else:
                self.profile.pop((field, language), None)
            return True

        return set_field

    def _profile_getter(self, field: str) -> Callable[[dict[str, Any]], JSONDict]:
        def get_field(params: dict[str, Any]) -> JSONDict:
            language = _str_param(params, "language_code") or ""
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
            raise _bad_request("can't parse menu button JSON object")
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


def _message_text(message: Mapping[str, Any]) -> str:
    return str(message.get("text") or message.get("caption") or "")
