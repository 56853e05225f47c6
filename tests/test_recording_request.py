"""A real PTB Application driven in process through RecordingRequest and `process_update`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import Forbidden
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from sandbox.recording import RecordingRequest, feed_pending_updates
from sandbox.telegram import FakeUser, TelegramWorld

AMINA = FakeUser(1001, "Amina", username="amina")
BILAL = FakeUser(1002, "Bilal")
GROUP_ID = -4001

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("I read today", callback_data="read")]])
    await update.effective_message.reply_html("<b>Salam</b>, welcome!", reply_markup=markup)


async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("Recorded")
    await query.edit_message_text("Reading recorded for today.")


async def where(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None and update.effective_message.location is not None
    latitude = update.effective_message.location.latitude
    await update.effective_message.reply_text(f"Latitude {latitude:.2f}")


async def remind_blocked(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await context.bot.send_message(BILAL.id, "Reminder")


@pytest.fixture
def world() -> TelegramWorld:
    world = TelegramWorld()
    world.add_private_chat(AMINA)
    world.add_group(GROUP_ID, "Halaqa", admins=[AMINA], members=[BILAL])
    return world


@pytest.fixture
async def app(world: TelegramWorld) -> AsyncIterator[AnyApplication]:
    application = (
        Application.builder()
        .token(world.bot_token)
        .request(RecordingRequest(world))
        .get_updates_request(RecordingRequest(world))
        .updater(None)
        .build()
    )
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CommandHandler("remind_bilal", remind_blocked))
    application.add_handler(CallbackQueryHandler(pressed, pattern="^read$"))
    application.add_handler(MessageHandler(filters.LOCATION, where))
    async with application:
        yield application


async def test_command_is_answered_in_process(app: AnyApplication, world: TelegramWorld) -> None:
    await world.user_sends(AMINA.id, AMINA, "/start")

    assert await feed_pending_updates(app, world) == 1

    reply = world.last_sent(AMINA.id)
    assert reply["text"] == "Salam, welcome!"
    assert reply["entities"] == [{"type": "bold", "offset": 0, "length": 5}]
    assert world.buttons(reply) == [("I read today", "read")]
    assert [call.method for call in world.calls] == ["getMe", "sendMessage"]


async def test_button_press_is_answered_and_the_message_edited(
    app: AnyApplication, world: TelegramWorld
) -> None:
    await world.user_sends(AMINA.id, AMINA, "/start")
    await feed_pending_updates(app, world)
    panel = world.last_sent(AMINA.id)

    await world.user_presses(AMINA.id, AMINA, panel["message_id"], "read")
    await feed_pending_updates(app, world)

    [answer] = world.answered_callbacks
    assert answer.text == "Recorded"
    [edited] = world.sent(AMINA.id)
    assert edited["message_id"] == panel["message_id"]
    assert edited["text"] == "Reading recorded for today."
    assert "reply_markup" not in edited and "entities" not in edited


async def test_group_command_for_another_bot_is_ignored_by_ptb(
    app: AnyApplication, world: TelegramWorld
) -> None:
    world.privacy_mode = False

    await world.user_sends(GROUP_ID, BILAL, "/start@OtherBot")
    await world.user_sends(GROUP_ID, BILAL, "/START@quranCOMPANIONbot")
    processed = await feed_pending_updates(app, world)

    assert processed == 2
    assert world.texts(GROUP_ID) == ["Salam, welcome!"]


async def test_location_message_reaches_its_handler(
    app: AnyApplication, world: TelegramWorld
) -> None:
    await world.user_shares_location(AMINA.id, AMINA, 21.4225, 39.8262)

    await feed_pending_updates(app, world)

    assert world.texts(AMINA.id) == ["Latitude 21.42"]


async def test_telegram_errors_reach_the_handler_as_ptb_exceptions(
    app: AnyApplication, world: TelegramWorld
) -> None:
    errors: list[object] = []

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        errors.append(context.error)

    app.add_error_handler(on_error)
    await world.user_sends(AMINA.id, AMINA, "/remind_bilal")

    await feed_pending_updates(app, world)

    assert len(errors) == 1 and isinstance(errors[0], Forbidden)
    assert str(errors[0]) == "Forbidden: bot can't initiate conversation with a user"


async def test_updates_taken_in_process_stay_available_to_get_updates(
    app: AnyApplication, world: TelegramWorld
) -> None:
    await world.user_sends(AMINA.id, AMINA, "/start")
    await feed_pending_updates(app, world)

    polled = await app.bot.get_updates(timeout=0)

    assert [update.effective_message.text for update in polled if update.effective_message] == [
        "/start"
    ]
    assert world.pending_update_count == 0
