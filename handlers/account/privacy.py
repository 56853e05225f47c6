"""/privacy: what the bot stores about a person, and why."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.services.group_follow_ups import DEPARTED_GRACE
from bot.services.linking import CONFIRM_TTL
from handlers.context import translator_for
from handlers.replies import send


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
                "• In groups: your first name with each check-in under a reminder (for \"who "
                "has read\" and the weekly summary) and whether you asked /quiet. A group's "
                "data is erased {days} days after the bot is removed from it.",
                days=t.number(DEPARTED_GRACE.days),
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
