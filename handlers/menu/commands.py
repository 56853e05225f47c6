"""The table of commands, and the menus made of it for each chat type and language."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from telegram import BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeAllPrivateChats
from telegram.error import TelegramError
from telegram.ext import Application

from bot.i18n import DEFAULT_LANGUAGE, N_, SUPPORTED_LANGUAGES, Translator, get_translator

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class MenuCommand:
    name: str
    description: str
    in_private: bool = True
    in_groups: bool = False


COMMANDS: tuple[MenuCommand, ...] = (
    # In groups /today and /progress answer in the private chat and /read credits the
    # sender's own account, so they are listed there too.
    MenuCommand("today", N_("Today's reading plan and progress"), in_groups=True),
    MenuCommand("read", N_("Log what you read, e.g. /read 2:1-2:40 15min"), in_groups=True),
    MenuCommand("goal", N_("Set or change your reading goal")),
    MenuCommand("progress", N_("Streak, goal progress and a 30-day chart"), in_groups=True),
    MenuCommand("note", N_("Write a note on verses, e.g. /note 2:255 …")),
    MenuCommand("notes", N_("Browse, edit and share your notes")),
    # Public posts: a group may look at them together; notes about them are written in private.
    MenuCommand("reflections", N_("What others reflected on a verse, e.g. /reflections 2:255"),
                in_groups=True),
    MenuCommand("remind", N_("Daily private reminder, e.g. /remind 21:00")),
    MenuCommand("reminders", N_("Group reading reminders (admins)"), in_private=False,
                in_groups=True),
    MenuCommand("stopreminders", N_("Turn the group's reminders off (admins)"),
                in_private=False, in_groups=True),
    MenuCommand("khatm", N_("Group khatm: take a juz (admins start it); your juz in private"),
                in_groups=True),
    MenuCommand("quiet", N_("Don't mention me in this group's reading nudge"), in_private=False,
                in_groups=True),
    MenuCommand("login", N_("Link your Quran.com account"), in_groups=True),
    MenuCommand("logout", N_("Unlink your Quran.com account")),
    MenuCommand("timezone", N_("Set the timezone for days and reminders"), in_groups=True),
    MenuCommand("language", N_("Choose the bot's language"), in_groups=True),
    MenuCommand("settings", N_("Language, mushaf and timezone")),
    MenuCommand("privacy", N_("What the bot stores and why"), in_groups=True),
    MenuCommand("forget", N_("Erase everything the bot stores about you")),
    MenuCommand("help", N_("What this bot can do"), in_groups=True),
    MenuCommand("cancel", N_("Stop what you are doing")),
)


def commands_for(*, private: bool) -> list[MenuCommand]:
    return [c for c in COMMANDS if (c.in_private if private else c.in_groups)]


def bot_commands(t: Translator, *, private: bool) -> list[BotCommand]:
    return [BotCommand(c.name, t.gettext(c.description)) for c in commands_for(private=private)]


async def set_menus(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Register menus per scope and language; a failure here must not stop the bot."""
    for language in SUPPORTED_LANGUAGES:
        t = get_translator(language)
        code = None if language == DEFAULT_LANGUAGE else language
        try:
            await application.bot.set_my_commands(
                bot_commands(t, private=True),
                scope=BotCommandScopeAllPrivateChats(),
                language_code=code,
            )
            await application.bot.set_my_commands(
                bot_commands(t, private=False),
                scope=BotCommandScopeAllGroupChats(),
                language_code=code,
            )
        except TelegramError:
            logger.warning("could not register the %s command menu", language, exc_info=True)

