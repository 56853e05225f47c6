"""A group's collective khatm: /khatm posts one board with the 30 juz as buttons; members take a
juz, finish it (credited to their own Quran.com account) or release it; admins start a round
(with an optional deadline), re-open a juz, close the board, and start the next round.

    admin.py      /khatm in a group, the admins' panel and "start the next khatm" (re-checked)
    presses.py    a member's presses on the board: a juz, "✅ I finished", "↩️ Release"
    finishing.py  finishing a juz: credit, the private link offer, the celebration
    private.py    "My juz" in private (/khatm there, or the board's /start khatm deep link)
    board.py      the board message: its keyboard, posting it, coalesced edits in place
    buttons.py    every press, typed

The rules are `bot.domain.khatm` (pure), `bot.services.khatm` and `storage.khatm`.
"""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CommandHandler, filters

from handlers.callbacks import on_press
from handlers.khatm.admin import (
    close_admin_pressed,
    close_pressed,
    khatm_command,
    next_pressed,
    reopen_pressed,
    repost_pressed,
    show_admin_pressed,
)
from handlers.khatm.buttons import (
    CloseAdmin,
    CloseBoard,
    FinishJuz,
    FinishMine,
    NextKhatm,
    PressJuz,
    ReleaseJuz,
    ReleaseMine,
    Reopen,
    RepostBoard,
    ShowAdmin,
)
from handlers.khatm.presses import MY_JUZ_DEEP_LINK, finish_pressed, juz_pressed, release_pressed
from handlers.khatm.private import finish_juz_pressed, my_juz_command, release_juz_pressed


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    writing = filters.UpdateType.MESSAGE
    application.add_handler(CommandHandler("khatm", khatm_command, writing))
    application.add_handler(
        CommandHandler(
            "start", my_juz_command,
            filters.ChatType.PRIVATE
            & filters.Regex(rf"^/start(@\w+)?\s+{MY_JUZ_DEEP_LINK}\s*$"),
        )
    )
    application.add_handler(on_press(PressJuz, juz_pressed))
    application.add_handler(on_press(FinishMine, finish_pressed))
    application.add_handler(on_press(ReleaseMine, release_pressed))
    application.add_handler(on_press(FinishJuz, finish_juz_pressed))
    application.add_handler(on_press(ReleaseJuz, release_juz_pressed))
    application.add_handler(on_press(ShowAdmin, show_admin_pressed))
    application.add_handler(on_press(Reopen, reopen_pressed))
    application.add_handler(on_press(CloseBoard, close_pressed))
    application.add_handler(on_press(RepostBoard, repost_pressed))
    application.add_handler(on_press(CloseAdmin, close_admin_pressed))
    application.add_handler(on_press(NextKhatm, next_pressed))
