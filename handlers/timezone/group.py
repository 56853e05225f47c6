"""/timezone in a group: the group's own timezone, which only its admins may change."""

from __future__ import annotations

import html

from telegram import Update
from telegram.ext import ContextTypes

from bot.services.deps import deps_of
from handlers.context import chat_settings_for, translator_for
from handlers.replies import is_group_admin, send
from handlers.timezone.choice import apply_query, describe_zone


async def group_timezone_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    deps = deps_of(context)
    t = await translator_for(update, context)
    settings = await chat_settings_for(update, deps)
    query = " ".join(context.args or []).strip()
    if not query:
        current = settings.timezone if settings else None
        head = (
            t.gettext(
                "This group's timezone is <b>{zone}</b>.",
                zone=html.escape(describe_zone(t, current, deps.clock())),
            )
            if current
            else t.gettext("This group has no timezone yet.")
        )
        await send(
            update,
            context,
            head
            + "\n"
            + t.gettext(
                "Admins can set it with /timezone followed by a city, for example "
                "<code>/timezone Cairo</code>."
            ),
        )
        return
    if not await is_group_admin(update, context):
        await send(
            update, context, t.gettext("Sorry, only group admins can change the group's timezone.")
        )
        return
    await apply_query(update, context, t, query)
