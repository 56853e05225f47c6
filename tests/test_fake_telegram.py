"""PTB against the fake Telegram: over real HTTP and through the in-process RecordingRequest.

Tests taking the `bot` fixture run on both transports, which must behave identically because
they share one `TelegramWorld`.
"""

from __future__ import annotations

import asyncio
import struct
import time
import zlib
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MenuButtonCommands,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, InvalidToken, RetryAfter
from telegram.ext import Application, CommandHandler, ContextTypes

from sandbox.fake_telegram import FakeTelegramServer
from sandbox.recording import RecordingRequest
from sandbox.telegram import FakeUser, TelegramWorld

AMINA = FakeUser(1001, "Amina", username="amina")
BILAL = FakeUser(1002, "Bilal")
GROUP_ID = -4001


def png(width: int, height: int) -> bytes:
    """A real (tiny, grey) PNG, so the fake's image check sees what matplotlib would produce."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\x80" * width for _ in range(height)))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@pytest.fixture
def world() -> TelegramWorld:
    world = TelegramWorld()
    world.add_private_chat(AMINA)
    world.add_group(GROUP_ID, "Halaqa", admins=[AMINA], members=[BILAL])
    return world


@pytest.fixture
async def server(world: TelegramWorld) -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(world) as server:
        yield server


@pytest.fixture(params=["http", "in_process"])
async def bot(request: pytest.FixtureRequest, world: TelegramWorld) -> AsyncIterator[Bot]:
    if request.param == "http":
        async with (
            FakeTelegramServer(world) as server,
            Bot(
                world.bot_token, base_url=server.base_url, base_file_url=server.base_file_url
            ) as bot,
        ):
            yield bot
    else:
        async with Bot(
            world.bot_token,
            request=RecordingRequest(world),
            get_updates_request=RecordingRequest(world),
        ) as bot:
            yield bot


async def test_get_me_identifies_the_bot(bot: Bot) -> None:
    me = await bot.get_me()

    assert (me.id, me.username, me.is_bot) == (123456, "QuranCompanionBot", True)
    assert me.can_read_all_group_messages is False


async def test_sent_message_comes_back_as_telegram_builds_it(
    bot: Bot, world: TelegramWorld
) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Done ✅", callback_data="r:done")]])

    first = await bot.send_message(
        AMINA.id, "<b>Today</b>: 2:255", parse_mode=ParseMode.HTML, reply_markup=markup
    )
    second = await bot.send_message(AMINA.id, "again")

    assert (first.message_id, second.message_id) == (1, 2)
    assert first.text == "Today: 2:255"
    assert first.text_html == "<b>Today</b>: 2:255"
    assert first.reply_markup == markup
    assert first.from_user is not None and first.from_user.username == "QuranCompanionBot"
    assert abs(first.date.timestamp() - time.time()) < 5
    assert world.buttons(world.sent(AMINA.id)[0]) == [("Done ✅", "r:done")]


async def test_too_long_message_raises_bad_request(bot: Bot) -> None:
    await bot.send_message(AMINA.id, "ا" * 4096)

    with pytest.raises(BadRequest, match=r"^Message is too long$"):
        await bot.send_message(AMINA.id, "ا" * 4097)


@pytest.mark.parametrize("text", ["2 < 3", "<br>", "<b>open", "Tom & Jerry"])
async def test_unparseable_html_raises_bad_request(bot: Bot, text: str) -> None:
    with pytest.raises(BadRequest, match=r"^Can't parse entities: "):
        await bot.send_message(AMINA.id, text, parse_mode=ParseMode.HTML)


async def test_long_callback_data_raises_bad_request(bot: Bot) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="n" * 65)]])

    with pytest.raises(BadRequest, match=r"^Button_data_invalid$"):
        await bot.send_message(AMINA.id, "t", reply_markup=markup)


async def test_identical_edit_raises_not_modified(bot: Bot) -> None:
    message = await bot.send_message(AMINA.id, "Goal: 1 page")

    with pytest.raises(BadRequest, match=r"^Message is not modified"):
        await bot.edit_message_text("Goal: 1 page", chat_id=AMINA.id, message_id=message.message_id)
    with pytest.raises(BadRequest, match=r"^Message to edit not found$"):
        await bot.edit_message_text("x", chat_id=AMINA.id, message_id=404)


async def test_blocked_and_kicked_raise_forbidden(bot: Bot, world: TelegramWorld) -> None:
    world.block(AMINA.id)
    await world.bot_removed_from_group(GROUP_ID, AMINA)

    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(AMINA.id, "Reminder")
    with pytest.raises(Forbidden, match="bot was kicked from the group chat"):
        await bot.send_message(GROUP_ID, "Reminder")


async def test_migrated_group_raises_chat_migrated(bot: Bot, world: TelegramWorld) -> None:
    world.migrate_group(GROUP_ID, -1001234567890)

    with pytest.raises(ChatMigrated) as raised:
        await bot.send_message(GROUP_ID, "Reminder")

    assert raised.value.new_chat_id == -1001234567890


async def test_flood_control_raises_retry_after(
    bot: Bot, world: TelegramWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    world.flood_control = True
    for _ in range(20):
        await bot.send_message(GROUP_ID, "Reminder")

    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(GROUP_ID, "Reminder")

    retry_after = raised.value.retry_after
    assert isinstance(retry_after, timedelta)
    assert timedelta(seconds=1) <= retry_after <= timedelta(seconds=60)
    assert world.flood_429s == 1


async def test_photo_upload_records_size_and_downloads_back(bot: Bot, world: TelegramWorld) -> None:
    image = png(64, 48)

    message = await bot.send_photo(AMINA.id, image, caption="<b>Streak</b>", parse_mode="HTML")

    photo = message.photo[-1]
    assert (photo.width, photo.height, photo.file_size) == (64, 48, len(image))
    assert message.caption == "Streak"
    assert world.uploads[0].size == len(image)
    downloaded = await (await bot.get_file(photo.file_id)).download_as_bytearray()
    assert bytes(downloaded) == image


async def test_non_image_upload_is_rejected(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"^Image_process_failed$"):
        await bot.send_photo(AMINA.id, b"definitely not a picture")


async def test_long_poll_returns_as_soon_as_a_user_writes(bot: Bot, world: TelegramWorld) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await asyncio.sleep(0.1)
    started = time.monotonic()

    await world.user_sends(AMINA.id, AMINA, "/start")
    updates = await asyncio.wait_for(poll, 5)

    assert time.monotonic() - started < 1
    assert updates[0].message is not None and updates[0].message.text == "/start"
    assert await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0) == ()


async def test_commands_are_kept_per_scope_and_language(bot: Bot) -> None:
    await bot.set_my_commands([BotCommand("start", "Start"), BotCommand("goal", "Goal")])
    await bot.set_my_commands(
        [BotCommand("remind", "تذكير")], scope=BotCommandScopeAllGroupChats(), language_code="ar"
    )

    assert [c.command for c in await bot.get_my_commands()] == ["start", "goal"]
    group_ar = await bot.get_my_commands(scope=BotCommandScopeAllGroupChats(), language_code="ar")
    assert [c.description for c in group_ar] == ["تذكير"]
    assert await bot.get_my_commands(scope=BotCommandScopeAllGroupChats()) == ()
    await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()


async def test_wrong_token_raises_invalid_token(
    server: FakeTelegramServer, world: TelegramWorld
) -> None:
    async with httpx.AsyncClient() as client:
        malformed = await client.get(f"{server.base_url}nonsense/getMe")
    with pytest.raises(InvalidToken):
        async with Bot("999:WRONG", base_url=server.base_url):
            pass

    assert malformed.status_code == 404


async def test_json_get_and_form_bodies_are_all_understood(
    server: FakeTelegramServer, world: TelegramWorld
) -> None:
    api = f"{server.base_url}{world.bot_token}"
    markup = {"inline_keyboard": [[{"text": "Open", "url": "https://quran.com"}]]}

    async with httpx.AsyncClient() as client:
        me = await client.get(f"{api}/getMe")
        as_json = await client.post(
            f"{api}/sendMessage", json={"chat_id": AMINA.id, "text": "j", "reply_markup": markup}
        )
        as_query = await client.get(f"{api}/sendMessage", params={"chat_id": AMINA.id, "text": "q"})

    assert me.json()["result"]["username"] == "QuranCompanionBot"
    assert as_json.json()["result"]["reply_markup"] == markup
    assert as_query.json()["result"]["text"] == "q"


async def test_stopping_the_server_releases_a_pending_long_poll(world: TelegramWorld) -> None:
    server = await FakeTelegramServer(world).start()
    url = f"{server.base_url}{world.bot_token}/getUpdates"
    async with httpx.AsyncClient(timeout=10) as client:
        poll = asyncio.create_task(client.post(url, data={"timeout": "30"}))
        await asyncio.sleep(0.2)
        started = time.monotonic()

        await server.stop()
        response = await asyncio.wait_for(poll, 5)

    assert time.monotonic() - started < 2
    assert response.json() == {"ok": True, "result": []}


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(" ".join(context.args or []) or "(nothing)")


async def test_polling_application_answers_commands_end_to_end(
    server: FakeTelegramServer, world: TelegramWorld
) -> None:
    world.privacy_mode = False  # so the group command for another bot reaches PTB's own filter
    app = Application.builder().token(world.bot_token).base_url(server.base_url).build()
    app.add_handler(CommandHandler("echo", echo))

    async with app:
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=timedelta(seconds=5))
        await app.start()
        try:
            private = await world.user_sends(AMINA.id, AMINA, "/echo salam")
            reply = await world.wait_for_message(AMINA.id, after=private["message_id"])
            await world.user_sends(GROUP_ID, BILAL, "/echo@OtherBot not for us")
            mine = await world.user_sends(GROUP_ID, BILAL, "/echo@QuranCompanionBot for us")
            group_reply = await world.wait_for_message(GROUP_ID, after=mine["message_id"])
        finally:
            await app.updater.stop()
            await app.stop()

    assert reply["text"] == "salam"
    assert world.texts(GROUP_ID) == ["for us"]
    assert group_reply["text"] == "for us"
    assert group_reply["reply_to_message"]["message_id"] == mine["message_id"]


async def test_document_upload_keeps_name_type_and_bytes(bot: Bot, world: TelegramWorld) -> None:
    export = "2:255 — Ayat al-Kursi\n".encode() * 50

    message = await bot.send_document(AMINA.id, export, filename="notes.txt", caption="Notes")

    assert message.document is not None
    assert (message.document.file_name, message.document.mime_type) == ("notes.txt", "text/plain")
    assert message.document.file_size == len(export)
    assert (world.uploads[0].kind, world.uploads[0].size) == ("document", len(export))
    downloaded = await (await bot.get_file(message.document.file_id)).download_as_bytearray()
    assert bytes(downloaded) == export


async def test_profile_texts_and_menu_button_are_stored(bot: Bot) -> None:
    await bot.set_my_description("Track your Quran reading.")
    await bot.set_my_short_description("تابع وردك", language_code="ar")
    await bot.set_chat_menu_button(menu_button=MenuButtonCommands())

    assert (await bot.get_my_description()).description == "Track your Quran reading."
    arabic = await bot.get_my_short_description(language_code="ar")
    assert arabic.short_description == "تابع وردك"
    assert (await bot.get_my_short_description()).short_description == ""
    assert isinstance(await bot.get_chat_menu_button(), MenuButtonCommands)


async def test_delete_messages_skips_what_it_cannot_find(bot: Bot, world: TelegramWorld) -> None:
    first = await bot.send_message(AMINA.id, "one")
    second = await bot.send_message(AMINA.id, "two")

    assert await bot.delete_messages(AMINA.id, [first.message_id, 999]) is True

    assert world.texts(AMINA.id) == ["two"]
    assert world.was_deleted(AMINA.id, first.message_id)
    assert not world.was_deleted(AMINA.id, second.message_id)
