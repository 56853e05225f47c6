"""/help: what the bot can do in this kind of chat, from the same table as the "/" menu."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from handlers.context import translator_for
from handlers.menu import commands_for
from handlers.replies import send


async def show_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    t = await translator_for(update, context)
    private = chat.type == ChatType.PRIVATE
    lines = [t.gettext("<b>What I can do</b>")]
    lines += [
        f"{t.isolate(f'/{c.name}')} — {t.gettext(c.description)}"
        for c in commands_for(private=private)
    ]
    # Each line opens with a command, so without the marks Arabic would read left-to-right.
    await send(update, context, t.align("\n".join(lines)))
