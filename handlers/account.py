"""Account linking: /login, /logout, /forget, /privacy and the "account linked" message.

Login links are personal, so they are only ever sent in the private chat of the user they belong
to; in a group the bot answers with a button that opens that private chat. The OAuth round trip
itself lives in `bot.services.linking`.
Its callback page links nothing: it sends the reader back here
with `/start c_<code>`, and `confirm_login` links the held grant only if the person opening that
link, in their private chat, is the Telegram user who asked for the login. Anyone else (a
forwarded link, a group member tapping it) is refused and the grant is revoked at Quran.com.
"""

from __future__ import annotations

import html
import logging
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import Forbidden
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    TypeHandler,
    filters,
)

from bot.i18n import Translator, get_translator
from bot.presentation.text import isolated_name
from bot.services.deps import deps_of
from bot.services.linking import (
    CONFIRM_PREFIX,
    CONFIRM_TTL,
    LOGIN_TTL,
    AccountLinked,
    finish_login,
    missing_features,
    start_login,
)
from bot.services.revocations import forget_everything, unlink_account
from handlers.context import chat_settings_for, translator_for
from handlers.replies import (
    LOGIN_CALLBACK,
    LOGIN_DEEP_LINK,
    is_private,
    link_account_markup,
    private_chat_markup,
    private_chat_url,
    send,
)
from handlers.timezone import ASK_CALLBACK
from handlers.wizards import end_conversations
from storage import Account

logger = logging.getLogger(__name__)

RELINK_CALLBACK = "acct:relink"
LOGOUT_CALLBACK = "acct:logout"
FORGET_CONFIRM_CALLBACK = "acct:forget:yes"
FORGET_CANCEL_CALLBACK = "acct:forget:no"
#: Handler group of the `/start c_<code>` confirm link: before every other /start handler
#: (handlers.goals' deep link is in -2, handlers.timezone in -1, handlers.start in 0).
CONFIRM_GROUP = -3


# --- login ------------------------------------------------------------------------------------


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
        [
            [
                InlineKeyboardButton(
                    t.gettext("🔁 Link another account"), callback_data=RELINK_CALLBACK
                ),
                InlineKeyboardButton(t.gettext("🚪 Log out"), callback_data=LOGOUT_CALLBACK),
            ]
        ]
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


async def login_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if await _answered_in_private(update, context):
        await offer_login(update, context)


async def relink_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
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
    settings = await deps.chats.get(linked.chat_id)
    markup = None
    if settings is None or not settings.timezone:
        lines.append(
            t.gettext(
                "One more thing: tell me your timezone (for example <code>/timezone Cairo</code>) "
                "so your reading days match your clock."
            )
        )
        markup = InlineKeyboardMarkup(
            [[InlineKeyboardButton(t.gettext("🕒 Set my timezone"), callback_data=ASK_CALLBACK)]]
        )
    else:
        lines.append(
            t.gettext("Next: set a daily goal with /goal, or log what you read with /read.")
        )
    try:
        await context.bot.send_message(linked.chat_id, "\n\n".join(lines), reply_markup=markup)
    except Forbidden:
        logger.info("Telegram user %s blocked the bot before linking finished", linked.chat_id)


async def confirm_login(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/start c_<code>` from the callback page: link the held grant, if it is this user's.

    Registered for private chats only, so the confirmation lands where the link is shown.
    """
    user = update.effective_user
    if user is None or not context.args:
        raise ApplicationHandlerStop
    deps = deps_of(context)
    await chat_settings_for(update, deps)
    t = await translator_for(update, context)
    outcome = await finish_login(
        deps,
        confirm_code=context.args[0].removeprefix(CONFIRM_PREFIX),
        telegram_user_id=user.id,
        t=t,
    )
    if outcome.linked is not None:
        await announce_linked(context, outcome.linked, t)
        raise ApplicationHandlerStop
    if outcome.status == "someone_else":
        text = t.gettext(
            "This sign-in was started by someone else's Telegram account; nothing was linked. "
            "If you want to link your own account, send /login."
        )
    elif outcome.status == "expired":
        text = t.gettext(
            "This sign-in link has expired (it works for {minutes} minutes after you sign in), "
            "so nothing was linked. Send /login for a new one.",
            minutes=t.number(int(CONFIRM_TTL.total_seconds() // 60)),
        )
    elif outcome.status == "used":
        text = t.gettext(
            "This sign-in link was already used. Send /login to see which Quran.com account "
            "is linked."
        )
    else:
        text = t.gettext(
            "I don't recognise this sign-in link, so nothing was linked. Send /login for a "
            "new one."
        )
    await send(update, context, text)
    raise ApplicationHandlerStop


# --- logout -----------------------------------------------------------------------------------


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


async def logout_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
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


# --- forget -----------------------------------------------------------------------------------


async def forget_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    t = await translator_for(update, context)
    if not is_private(update):
        await send(
            update,
            context,
            t.gettext("Send /forget to me in our private chat."),
            private_chat_markup(t, context),
        )
        return
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t.gettext("🗑 Erase everything"), callback_data=FORGET_CONFIRM_CALLBACK
                ),
                InlineKeyboardButton(
                    t.gettext("Keep my data"), callback_data=FORGET_CANCEL_CALLBACK
                ),
            ]
        ]
    )
    await send(
        update,
        context,
        t.gettext(
            "This erases everything I store about you: your Quran.com link and its keys, your "
            "settings, reminders, unsaved note drafts and reading records. Your data on "
            "Quran.com itself is not touched.\n\nErase it all?"
        ),
        markup,
    )


async def forget_confirmed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    user = update.effective_user
    if query is None or user is None:
        return
    # The translator reads the settings that are about to go: take it first.
    t = await translator_for(update, context)
    if not is_private(update):
        await query.answer(t.gettext("Send /forget to me in our private chat."), show_alert=True)
        return
    await query.answer()
    await forget_everything(deps_of(context), user.id)
    context.application.drop_user_data(user.id)
    context.application.drop_chat_data(user.id)
    end_conversations(context.application, lambda key: user.id in key)
    logger.info("Telegram user %s erased their data", user.id)
    await send(
        update,
        context,
        t.gettext(
            "🗑 Done: everything I stored about you is erased. If you come back, just send /start."
        ),
        edit=True,
    )


async def forget_cancelled(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None:
        return
    await query.answer()
    if not is_private(update):
        # Only /forget in a private chat shows this button; in a group the data is forged and
        # editing "its" message would wipe whatever bot message it was attached to.
        return
    t = await translator_for(update, context)
    await send(update, context, t.gettext("Nothing was erased."), edit=True)


# --- privacy ----------------------------------------------------------------------------------


async def privacy(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    t = await translator_for(update, context)
    text = "\n\n".join(
        [
            t.gettext("<b>What I store, and why</b>"),
            t.gettext(
                "• Your Telegram id and your settings (language, timezone, mushaf), to answer "
                "you in your language and count your days in your timezone."
            ),
            t.gettext(
                "• If you link Quran.com: your account id, display name and the keys Quran.com "
                "gave me, encrypted, to read and update your goals, reading progress, streaks "
                "and notes for you. I never see your password."
            ),
            t.gettext(
                "• Reminders you set, note drafts you haven't saved yet and which readings I "
                "already logged, so nothing is lost or counted twice."
            ),
            t.gettext(
                "• Login attempts, for a day, so a login link works only once. Between signing "
                "in and confirming here, the keys Quran.com gave wait encrypted for at most "
                "{minutes} minutes.",
                minutes=t.number(int(CONFIRM_TTL.total_seconds() // 60)),
            ),
            t.gettext(
                "Your goals, notes and streaks themselves live on Quran.com. Messages are not "
                "kept, and nothing is shared with anyone else."
            ),
            t.gettext(
                "/logout unlinks your Quran.com account; /forget erases everything I store "
                "about you."
            ),
        ]
    )
    await send(update, context, text)


# --- registration -----------------------------------------------------------------------------


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    message = filters.UpdateType.MESSAGE
    application.add_handler(
        CommandHandler(
            "start",
            confirm_login,
            filters.ChatType.PRIVATE
            & message
            & filters.Regex(rf"^/start(?:@\w+)?\s+{CONFIRM_PREFIX}[A-Za-z0-9_-]{{1,62}}\s*$"),
        ),
        group=CONFIRM_GROUP,
    )
    application.add_handler(TypeHandler(AccountLinked, account_linked))
    application.add_handler(CommandHandler("login", login_command, message))
    application.add_handler(CommandHandler("logout", logout_command, message))
    application.add_handler(CommandHandler("forget", forget_command, message))
    application.add_handler(CommandHandler("privacy", privacy, message))
    application.add_handler(CallbackQueryHandler(login_button, pattern=f"^{LOGIN_CALLBACK}$"))
    application.add_handler(CallbackQueryHandler(relink_button, pattern=f"^{RELINK_CALLBACK}$"))
    application.add_handler(CallbackQueryHandler(logout_button, pattern=f"^{LOGOUT_CALLBACK}$"))
    application.add_handler(
        CallbackQueryHandler(forget_confirmed, pattern=f"^{FORGET_CONFIRM_CALLBACK}$")
    )
    application.add_handler(
        CallbackQueryHandler(forget_cancelled, pattern=f"^{FORGET_CANCEL_CALLBACK}$")
    )
