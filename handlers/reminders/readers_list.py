"""Keeping "✅ Read (3): Amina, Omar, Yusuf" under a group reminder up to date without making
anyone wait for it.

Every edit is a message to Telegram: it passes the send budget and counts towards the group's
20 messages a minute. Updates of one chat are handled one after another, so editing inside the
press handler would make the 21st member of a busy minute wait a minute for their button to
answer, and every press after them too. Instead a press only asks for the list to be refreshed:
one editor per reminder message runs in the background, and presses that arrive while its edit
waits in the budget just mark the list stale, so the editor edits once more with the latest
names from storage. A burst of a hundred presses becomes a handful of edits, the last one
always showing everyone, and every press is answered at once.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram.ext import Application

logger = logging.getLogger(__name__)

#: `bot_data` key of the application's `ReadersListEditor` (bot_data is never persisted).
EDITOR_KEY = "readers_list_editor"

MessageKey = tuple[int, int]


class ReadersListEditor:
    def __init__(self) -> None:
        #: Messages with a running editor, and whether a press came in since its last read.
        self._stale: dict[MessageKey, bool] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def refresh(self, key: MessageKey, edit: Callable[[], Awaitable[None]]) -> None:
        """Have the list under message `key` (chat id, message id) brought up to date."""
        if key in self._stale:
            self._stale[key] = True
            return
        self._stale[key] = False
        # A fresh context: the edit belongs to no single press, so it must not be numbered in
        # the inbox journal of the press that happened to start it (a replay of that press
        # would then skip a later, different edit as "already sent").
        task = asyncio.get_running_loop().create_task(
            self._run(key, edit), context=contextvars.Context()
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, key: MessageKey, edit: Callable[[], Awaitable[None]]) -> None:
        try:
            while True:
                self._stale[key] = False
                try:
                    await edit()
                except Exception:  # one failed edit must not stop the later ones
                    logger.warning("could not update the readers under %s", key, exc_info=True)
                if not self._stale[key]:
                    return
        finally:
            self._stale.pop(key, None)

    async def settled(self) -> None:
        """Wait until every requested list is on screen (tests, and a clean stop)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


AnyApplication = Application[Any, Any, Any, Any, Any, Any]


def readers_list_editor(application: AnyApplication) -> ReadersListEditor:
    found = application.bot_data.get(EDITOR_KEY)
    if not isinstance(found, ReadersListEditor):
        found = ReadersListEditor()
        application.bot_data[EDITOR_KEY] = found
    return found
