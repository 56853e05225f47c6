"""/logout: unlink the Quran.com account and end the bot's access there."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.services.deps import deps_of
from bot.services.revocations import unlink_account
from handlers.account.buttons import LogOut
from handlers.context import translator_for
from handlers.replies import is_private, link_account_markup, private_chat_markup, send

logger = logging.getLogger(__name__)


async def logout(update: Update, context: ContextTypes.DEFAULT_TYPE, *, edit: bool = False) -> None:
    deps = deps_of(context)
    user = update.effective_user
    if user is None:
        return
    t = await translator_for(update, context)
    if not is_private(update):
        await send(
            update,
            context,
            t.gettext("Send /logout to me in our private chat."),
            private_chat_markup(t, context),
        )
        return
    account = await deps.accounts.get(user.id)
    if account is None:
        await send(
            update,
            context,
            t.gettext(
                "You're not linked to a Quran.com account, so there is nothing to log out of."
            ),
            link_account_markup(t, context, private=True),
            edit=edit,
        )
        return
    revoked = await unlink_account(deps, user.id)
    logger.info("Telegram user %s logged out", user.id)
    lines = [t.gettext("🚪 Logged out: your Quran.com account is no longer linked here.")]
    if revoked:
        lines.append(t.gettext("I also ended this bot's access at Quran.com."))
    else:
        lines.append(
            t.gettext(
                "I deleted your keys here, but Quran.com could not be reached to end the "
                "bot's access there; it will lapse on its own."
            )
        )
    lines.append(
        t.gettext(
            "Your goals, notes and streaks stay on Quran.com. Link again any time with /login."
        )
    )
    await send(update, context, "\n".join(lines), edit=edit)


async def logout_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await logout(update, context)


async def logout_button(update: Update, context: ContextTypes.DEFAULT_TYPE, _: LogOut) -> None:
    query = update.callback_query
    if query is None:
        return
    if not is_private(update):
        # The button is only ever sent in private chats: a press in a group is forged data,
        # and answering it must not post or edit anything there.
        t = await translator_for(update, context)
        await query.answer(t.gettext("Send /logout to me in our private chat."), show_alert=True)
        return
    await query.answer()
    await logout(update, context, edit=True)
