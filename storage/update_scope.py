"""Chat settings read once per update, however many layers ask for them.

One update used to read its chat's row three times (the translator, the chat's settings, the
timezone check), each a round trip to the database. The update processor opens a scope around
each update; inside it `ChatRepository.get` answers repeated reads from memory and every write
through the repository updates or drops the remembered row, so a handler that changes the
language and then replies sees the new language.

Only chat settings are kept: they change only through this repository and a chat's updates run
one at a time. Account rows are never kept, because a token refresh in another chat's update
(the same user, in a group) must be seen at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from storage.models import ChatSettings

_chats: ContextVar[dict[int, ChatSettings | None] | None] = ContextVar(
    "chat_settings_this_update", default=None
)


@contextmanager
def update_scope() -> Iterator[None]:
    """Remember chat settings read while this update is handled (a context variable per task)."""
    token = _chats.set({})
    try:
        yield
    finally:
        _chats.reset(token)


def remembered(chat_id: int) -> tuple[bool, ChatSettings | None]:
    cache = _chats.get()
    if cache is None or chat_id not in cache:
        return False, None
    return True, cache[chat_id]


def remember(chat_id: int, settings: ChatSettings | None) -> None:
    cache = _chats.get()
    if cache is not None:
        cache[chat_id] = settings


def forget(chat_id: int | None = None) -> None:
    """Drop one chat's remembered row, or all of them (bulk writes such as /forget)."""
    cache = _chats.get()
    if cache is None:
        return
    if chat_id is None:
        cache.clear()
    else:
        cache.pop(chat_id, None)
