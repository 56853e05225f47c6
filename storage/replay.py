"""Whether the update being handled is a replay from the inbox (its first run was cut off by a
crash or a deploy, possibly after some of its effects happened).

Writes that are not idempotent by construction look before they act on a replay: a note
creation searches Quran.com for the copy the first run may have saved
(`bot.services.notes`). It is a context variable set by the inbox worker around one update, so
it is seen by every layer below without being passed through them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_replaying: ContextVar[bool] = ContextVar("update_is_replay", default=False)


@contextmanager
def replaying(flag: bool) -> Iterator[None]:
    token = _replaying.set(flag)
    try:
        yield
    finally:
        _replaying.reset(token)


def is_replay() -> bool:
    return _replaying.get()
