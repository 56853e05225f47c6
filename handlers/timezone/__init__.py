"""Timezone setup: /timezone with a city, country or zone name, or a shared location.

Quran Foundation counts reading days and streaks in the timezone we send (`x-timezone`) and
reminders fire in it, but Telegram never tells a bot where its users are. So the bot asks, and
accepts what people actually know: "Cairo", "Indonesia", "UTC+3", "الرياض", a zone name or their
location (see `bot.domain.timezones`). Several candidates are offered as
buttons; one is set at once.

In a private chat the setting is the user's own; in a group it is the group's and only admins
may change it, checked again on every button press (a member cannot press an admin's buttons).

- `ask`: the private question, a persistent conversation in handler group -1 (and a location
  shared after it timed out);
- `group`: /timezone in a group;
- `choice`: look a place up, store the zone, confirm it;
- `suggest`: the suggestion buttons, and places typed outside the conversation
  (`answer_place`, reached through handlers.fallback);
- `continuation`: carrying on with the command the question interrupted, in the same reply
  (remembered by `handlers.replies.ask_for_timezone`; also used after linking an account), and
  the "Continue" button of older messages.
"""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CommandHandler, MessageHandler, filters

from bot.i18n import N_
from handlers.callbacks import on_press
from handlers.timezone.ask import (
    CONVERSATION_GROUP,
    CONVERSATION_NAME,
    conversation,
    location_shared,
)
from handlers.timezone.buttons import ContinueCommand, SetZone
from handlers.timezone.choice import describe_zone
from handlers.timezone.continuation import carry_on, continue_pressed
from handlers.timezone.group import group_timezone_command
from handlers.timezone.suggest import answer_place, suggestion_pressed
from handlers.wizards import WizardRules, declare

#: What other flows use: the settings panel shows the zone, handlers.fallback passes on a place,
#: handlers.account carries on the command a missing link interrupted.
__all__ = ["answer_place", "carry_on", "describe_zone", "register"]


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    application.add_handler(conversation(), group=CONVERSATION_GROUP)
    # No closing note: the question keeps itself open across /login and friends, and ends
    # quietly at other commands (its own fallbacks decide).
    declare(application, WizardRules(
        CONVERSATION_NAME,
        closed=None,
        hint=N_("Type the name of your city, or share your location with 📎; /cancel keeps "
                "your timezone as it is."),
    ))
    groups = filters.ChatType.GROUPS & filters.UpdateType.MESSAGE
    application.add_handler(CommandHandler("timezone", group_timezone_command, groups))
    application.add_handler(on_press(SetZone, suggestion_pressed))
    application.add_handler(on_press(ContinueCommand, continue_pressed))
    # A location shared after the question timed out still sets the timezone.
    application.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE & filters.LOCATION,
            location_shared,
        )
    )
