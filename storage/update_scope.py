"""Chat settings and linked accounts read once per update, however many layers ask for them.

One update used to read its chat's row three times (the translator, the chat's settings, the
timezone check) and the sender's account once per Quran.com call plus once to check the link
(five times for a `/goal` one-liner), each a round trip to the database and a decryption. The
update processor opens a scope around each update; inside it `ChatRepository.get` and
`AccountRepository.get` answer repeated reads from memory, and every write through those
repositories updates or drops the remembered row, so a handler that changes the language and
then replies sees the new language, and a refreshed token is read again.

Chat settings change only through their repository and a chat's updates run one at a time. An
account can change under an update: the same user's update in another chat may refresh the
token meanwhile. That was already possible between any read and its use, and is settled where
it matters: the token vault reads the account afresh (`fresh=True`) under its per-account lock
before refreshing, and after a 401, so a remembered token is at worst sent once more and
answered with a 401 that finds the new one; a rotated refresh token is never reused.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from storage.models import Account, ChatSettings

_chats: ContextVar[dict[int, ChatSettings | None] | None] = ContextVar(
    "chat_settings_this_update", default=None
)
_accounts: ContextVar[dict[int, Account | None] | None] = ContextVar(
    "accounts_this_update", default=None
)


@contextmanager
def update_scope() -> Iterator[None]:
    """Remember chat settings and accounts read while this update is handled (context
    variables: tasks the update starts share its dictionaries)."""
    chats = _chats.set({})
    accounts = _accounts.set({})
    try:
        yield
    finally:
        _accounts.reset(accounts)
        _chats.reset(chats)


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
    """Drop one chat's remembered row, or every chat and account (bulk writes such as
    /forget)."""
    cache = _chats.get()
    if cache is None:
        return
    if chat_id is None:
        cache.clear()
        forget_account()
    else:
        cache.pop(chat_id, None)


def remembered_account(user_id: int) -> tuple[bool, Account | None]:
    cache = _accounts.get()
    if cache is None or user_id not in cache:
        return False, None
    return True, cache[user_id]


def remember_account(user_id: int, account: Account | None) -> None:
    cache = _accounts.get()
    if cache is not None:
        cache[user_id] = account


def forget_account(user_id: int | None = None) -> None:
    """Drop one user's remembered account, or all of them."""
    cache = _accounts.get()
    if cache is None:
        return
    if user_id is None:
        cache.clear()
    else:
        cache.pop(user_id, None)
