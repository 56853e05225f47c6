"""Telegram's objects as the fake keeps and answers them: users, chats, recorded calls, errors.

The JSON shapes follow the Bot API exactly because PTB rejects objects that lack required fields
(`is_bot`, `chat_instance`, dates in seconds).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

JSONDict = dict[str, Any]

ANONYMOUS_ADMIN_ID = 1087968824
"""Telegram's GroupAnonymousBot: the sender of messages written by anonymous group admins."""

MAX_MESSAGE_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_LENGTH = 200

# Update kinds a bot receives when it never asked for specific ones (Bot API getUpdates docs).
DEFAULT_ALLOWED_UPDATES = frozenset(
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

MEMBER_STATUSES = ("creator", "administrator", "member", "restricted", "left", "kicked")
PRESENT_STATUSES = frozenset({"creator", "administrator", "member", "restricted"})


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


def bad_request(reason: str, parameters: JSONDict | None = None) -> TelegramApiError:
    return TelegramApiError(400, f"Bad Request: {reason}", parameters)


def forbidden(reason: str) -> TelegramApiError:
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
class ChatRecord:
    """A chat as the world keeps it: members by status, the bot's own status, every message."""

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
class PendingCallback:
    """A pressed button's callback query; Telegram accepts one answer per query."""

    payload: JSONDict
    chat_id: int | None
    message_id: int | None
    answered: bool = False


def member_dict(user: JSONDict, status: str) -> JSONDict:
    """A ChatMember object with the rights Telegram reports for `status`."""
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


def message_text(message: Mapping[str, Any]) -> str:
    """What a person reads in the message: its text, or its caption."""
    return str(message.get("text") or message.get("caption") or "")
