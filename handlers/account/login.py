"""Linking a Quran.com account: /login, its buttons, and the "account linked" message.

Login links are personal, so they are only ever sent in the private chat of the user they belong
to; in a group the bot answers with a button that opens that private chat. The OAuth round trip
itself lives in `bot.services.linking`; its callback page links nothing and sends the reader to
`handlers.account.confirm`.
"""

from __future__ import annotations

import html
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import Forbidden
from telegram.ext import ContextTypes

from bot.i18n import Translator, get_translator
from bot.presentation.text import isolated_name
from bot.services.deps import deps_of
from bot.services.linking import LOGIN_TTL, AccountLinked, missing_features, start_login
from handlers.account.buttons import LogOut, Relink
from handlers.callbacks import button
from handlers.context import chat_settings_for, translator_for
from handlers.replies import (
    LOGIN_DEEP_LINK,
    LinkAccount,
    is_private,
    link_account_markup,
    private_chat_url,
    send,
    set_timezone_button,
)
from storage import Account

logger = logging.getLogger(__name__)


def linked_as(t: Translator, account: Account) -> str:
    """ "Linked to Quran.com as <b>Name</b>." (escaped), for /login and /start."""
    if account.display_name:
        return t.gettext(
            "✅ Linked to Quran.com as <b>{name}</b>.",
            name=html.escape(isolated_name(account.display_name)),
        )
    return t.gettext("✅ Linked to Quran.com.")


async def offer_login(
    update: Update, context: ContextTypes.DEFAULT_TYPE, *, edit: bool = False
) -> None:
    """In the user's private chat: who they are linked as, or a fresh login link."""
    deps = deps_of(context)
    user = update.effective_user
    if user is None:
        return
    t = await translator_for(update, context)
    account = await deps.accounts.get(user.id)
    if account is None:
        await send_login_link(update, context, t, edit=edit)
        return
    markup = InlineKeyboardMarkup(
        [[button(t.gettext("🔁 Link another account"), Relink()),
          button(t.gettext("🚪 Log out"), LogOut())]]
    )
    await send(update, context, linked_as(t, account), markup, edit=edit)


async def send_login_link(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, *, edit: bool = False
) -> None:
    """Create a single-use login and send its link; only ever in the user's own private chat."""
    chat = update.effective_chat
    user = update.effective_user
    if chat is None or user is None or not is_private(update) or chat.id != user.id:
        return
    deps = deps_of(context)
    await chat_settings_for(update, deps)
    link = await start_login(deps, telegram_user_id=user.id, chat_id=chat.id, language=t.language)
    text = t.gettext(
        "Tap the button to sign in to Quran.com and allow Quran Companion to read and update "
        "your goals, reading progress, streaks and notes.\n\n"
        "🔒 This link is just for you: it works once, for {minutes} minutes. "
        "Don't forward it.",
        minutes=t.number(int(LOGIN_TTL.total_seconds() // 60)),
    )
    markup = InlineKeyboardMarkup(
        [[InlineKeyboardButton(t.gettext("🔐 Sign in to Quran.com"), url=link.url)]]
    )
    await send(update, context, text, markup, edit=edit)


async def login_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    t = await translator_for(update, context)
    if not is_private(update):
        await send(
            update,
            context,
            t.gettext(
                "Linking happens in our private chat, so your login link stays yours. "
                "Tap the button below."
            ),
            link_account_markup(t, context, private=False),
        )
        return
    await offer_login(update, context)


async def _answered_in_private(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Answer a login-related press; True when the flow may go on here.

    A group message must never carry a login link: a press there sends the presser to their
    private chat instead.
    """
    query = update.callback_query
    if query is None:
        return False
    if not is_private(update):
        await query.answer(url=private_chat_url(context, LOGIN_DEEP_LINK))
        return False
    await query.answer()
    return True


async def login_button(
    update: Update, context: ContextTypes.DEFAULT_TYPE, _: LinkAccount
) -> None:
    if await _answered_in_private(update, context):
        await offer_login(update, context)


async def relink_button(update: Update, context: ContextTypes.DEFAULT_TYPE, _: Relink) -> None:
    if not await _answered_in_private(update, context):
        return
    t = await translator_for(update, context)
    await send_login_link(update, context, t, edit=True)


async def account_linked(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An `AccountLinked` put on the update queue (the callback page no longer does)."""
    if isinstance(update, AccountLinked):
        await announce_linked(context, update, get_translator(update.language))


async def announce_linked(
    context: ContextTypes.DEFAULT_TYPE, linked: AccountLinked, t: Translator
) -> None:
    """Tell the user in Telegram which Quran.com account is now linked, and what next."""
    text, markup = await linked_message(context, linked, t, carrying_on=False)
    try:
        await context.bot.send_message(linked.chat_id, text, reply_markup=markup)
    except Forbidden:
        logger.info("Telegram user %s blocked the bot before linking finished", linked.chat_id)


async def linked_message(
    context: ContextTypes.DEFAULT_TYPE, linked: AccountLinked, t: Translator, *,
    carrying_on: bool,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """Which Quran.com account is now linked, and what next (nothing when `carrying_on`: the
    command the link was missing for answers right below, in the same message)."""
    deps = deps_of(context)
    if linked.display_name and linked.replaced:
        head = t.gettext(
            "✅ Your Quran.com account is linked as <b>{name}</b>, replacing {old}.",
            name=html.escape(isolated_name(linked.display_name)),
            old=html.escape(isolated_name(linked.replaced)),
        )
    elif linked.display_name:
        head = t.gettext(
            "✅ Your Quran.com account is linked as <b>{name}</b>.",
            name=html.escape(isolated_name(linked.display_name)),
        )
    else:
        head = t.gettext("✅ Your Quran.com account is linked.")
    lines = [head]
    features = missing_features(linked.missing_scopes, t)
    if features:
        lines.append(
            t.gettext(
                "You didn't allow {features}, so those features won't work. Send /login to "
                "link again and allow them.",
                features=html.escape(t.join(features)),
            )
        )
    markup = None
    if carrying_on:  # the command itself asks for the timezone if it needs one
        return "\n\n".join(lines), markup
    settings = await deps.chats.get(linked.chat_id)
    if settings is None or not settings.timezone:
        lines.append(
            t.gettext(
                "One more thing: tell me your timezone (for example <code>/timezone Cairo</code>) "
                "so your reading days match your clock."
            )
        )
        markup = InlineKeyboardMarkup([[set_timezone_button(t)]])
    else:
        lines.append(
            t.gettext("Next: set a daily goal with /goal, or log what you read with /read.")
        )
    return "\n\n".join(lines), markup
