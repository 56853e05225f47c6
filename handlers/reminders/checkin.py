""" "✅ I read it" under a group reminder: the member's name joins the list on the message
(edited in the background: `handlers.reminders.readers_list`), and the member's
reading is credited to their own Quran.com account, or they are asked about it in private.

Nothing is ever posted into the group for one member: a member who never linked Quran.com gets
the link button in our private chat (or, if they never started the bot, a t.me link in the
press's answer that opens it); a member whose group portion is free text is asked privately what
they read. The rules are `bot.services.check_ins`.
"""

from __future__ import annotations

import html
import re

from telegram import InlineKeyboardMarkup, Message, Update, User
from telegram.error import BadRequest, Forbidden
from telegram.ext import ContextTypes

from bot.i18n import Translator, get_translator, resolve_language
from bot.presentation.reminders import with_check_in_names
from bot.presentation.text import isolated_name
from bot.qf import QFError, friendly_error
from bot.services.check_ins import (
    check_in,
    checked_in_reminder,
    credit_portion,
    shown_portion,
)
from bot.services.deps import Deps, deps_of
from handlers.context import translator_for
from handlers.reminders.buttons import CheckIn
from handlers.reminders.readers_list import readers_list_editor
from handlers.replies import link_account_markup, private_chat_url, timezone_for
from storage import Reminder


async def check_in_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, press: CheckIn
) -> None:
    query = update.callback_query
    if query is None:
        return
    t = await translator_for(update, context)
    deps = deps_of(context)
    message = query.message
    slot = press.slot
    # Only under the message really sent for this reminder and slot, in its own group.
    if not isinstance(message, Message) or (
        reminder := await checked_in_reminder(
            deps, press.reminder_id, slot, message.chat.id, message.message_id
        )
    ) is None:
        await query.answer(t.gettext("This reminder is no longer active."), show_alert=True)
        return
    user = query.from_user
    readers = await check_in(deps, reminder, slot, user.id, user.first_name)
    if readers is not None:
        base_html, markup = message.text_html or "", message.reply_markup
        chat_id, message_id = message.chat.id, message.message_id

        async def show_readers() -> None:
            # Read when the edit is made, so it shows everyone who pressed until then.
            names = [r.name for r in await deps.reminders.check_ins(reminder.id, slot)]
            try:
                await context.bot.edit_message_text(
                    with_check_in_names(base_html, names, t),
                    chat_id=chat_id,
                    message_id=message_id,
                    reply_markup=markup,
                )
            except BadRequest as error:
                if "not modified" not in str(error).lower():
                    raise

        readers_list_editor(context.application).refresh((chat_id, message_id), show_readers)
    await _credit(update, context, t, reminder, slot, first=readers is not None)


async def _credit(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    t: Translator,
    reminder: Reminder,
    slot: str,
    *,
    first: bool,
) -> None:
    query = update.callback_query
    assert query is not None
    deps = deps_of(context)
    try:
        credit = await credit_portion(
            deps, query.from_user.id, reminder, slot, timezone=await timezone_for(update, deps)
        )
    except QFError as error:
        await query.answer(_plain(friendly_error(error, t)), show_alert=True)
        return
    match credit:
        case "not_linked" | "link_expired":
            await _offer_link(update, context, t, first=first or credit == "link_expired")
        case "free_text" if first:
            await _ask_what_was_read(update, context, t, reminder, slot)
        case "free_text":
            await query.answer(t.gettext("You already checked in ✅"))
        case "already_credited":
            await query.answer(t.gettext("Already credited to your Quran.com account ✅"))
        case "credited":
            text = t.gettext(
                "✅ Credited to your Quran.com account: {portion}",
                portion=t.isolate(html.escape(await shown_portion(deps, reminder, slot) or "")),
            )
            await query.answer(_plain(text))


def _plain(text: str, limit: int = 200) -> str:
    """A message for a callback alert: no HTML, at most Telegram's 200 characters."""
    plain = html.unescape(re.sub(r"<[^>]+>", "", text))
    return plain if len(plain) <= limit else plain[: limit - 1] + "…"


async def _private_translator(deps: Deps, user: User) -> Translator:
    settings = await deps.chats.get(user.id)
    return get_translator(
        resolve_language(settings.language if settings else None, user.language_code)
    )


async def _tell_privately(
    context: ContextTypes.DEFAULT_TYPE,
    user: User,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> bool:
    """Write to the member in private; False when they never started the bot."""
    try:
        await context.bot.send_message(user.id, text, reply_markup=markup)
    except (Forbidden, BadRequest):
        return False
    return True


async def _offer_link(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, *, first: bool
) -> None:
    """An unlinked member: the link button goes to the private chat (never into the group)."""
    query = update.callback_query
    assert query is not None
    user = query.from_user
    private_t = await _private_translator(deps_of(context), user)
    text = private_t.gettext(
        "Thanks for checking in! Link your Quran.com account and your group check-ins "
        "count towards your own goal and streak."
    )
    if first and await _tell_privately(
        context, user, text, link_account_markup(private_t, context, private=True)
    ):
        await query.answer(
            t.gettext("Noted ✅ I sent you a private message to link Quran.com."),
        )
        return
    # They never started the bot: a t.me link in the answer opens the private chat ready to
    # log in (Telegram allows t.me/<bot>?start=… links here).
    markup = link_account_markup(t, context, private=False)
    url = markup.inline_keyboard[0][0].url
    await query.answer(
        t.gettext("Noted ✅ Link Quran.com to get it credited to your account."), url=url
    )


async def _ask_what_was_read(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    t: Translator,
    reminder: Reminder,
    slot: str,
) -> None:
    query = update.callback_query
    assert query is not None
    user = query.from_user
    deps = deps_of(context)
    private_t = await _private_translator(deps, user)
    chat = await deps.chats.get(reminder.chat_id)
    title = (
        html.escape(isolated_name(chat.title)) if chat and chat.title
        else private_t.gettext("your group")
    )
    lines = [private_t.gettext("Thanks for checking in with {group}! What did you read?",
                               group=f"<b>{title}</b>")]
    portion = await shown_portion(deps, reminder, slot)
    if portion:
        lines.append(
            private_t.gettext("The group's portion: {portion}",
                              portion=private_t.isolate(html.escape(portion)))
        )
    lines.append(
        private_t.gettext(
            "Send it with /read so it counts for your goal, e.g. <code>/read 2:1-2:20</code> "
            "or <code>/read juz 2</code>."
        )
    )
    if await _tell_privately(context, user, "\n".join(lines)):
        await query.answer(t.gettext("Noted ✅ I asked you privately what you read."))
        return
    await query.answer(
        t.gettext("Noted ✅ Open our private chat to log what you read."),
        url=private_chat_url(context, "read"),
    )
