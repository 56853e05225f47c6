"""`/start c_<code>`: the callback page sends the reader back here to confirm the login.

`confirm_login` links the held grant only if the person opening that link, in their private
chat, is the Telegram user who asked for the login. Anyone else (a forwarded link, a group member
tapping it) is refused and the grant is revoked at Quran.com.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.services.deps import deps_of
from bot.services.linking import CONFIRM_PREFIX, CONFIRM_TTL, finish_login
from handlers.account.login import linked_message
from handlers.context import chat_settings_for, translator_for
from handlers.replies import interrupted_command, send
from handlers.timezone import carry_on

#: Handler group of the `/start c_<code>` confirm link: before every other /start handler
#: (handlers.goals' deep link is in -2, handlers.timezone in -1, handlers.start in 0).
CONFIRM_GROUP = -3
#: A well-formed code and nothing else; any other `/start` payload is not a confirmation.
CONFIRM_COMMAND = rf"^/start(?:@\w+)?\s+{CONFIRM_PREFIX}[A-Za-z0-9_-]{{1,62}}\s*$"


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
        # A command that stopped for the missing (or expired) link carries on by itself, and
        # its answer comes in the same message as "linked".
        waiting = interrupted_command(context, deps.clock()) is not None
        text, markup = await linked_message(context, outcome.linked, t, carrying_on=waiting)
        if waiting:
            await carry_on(update, context, text)
        else:
            await send(update, context, text, markup)
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
