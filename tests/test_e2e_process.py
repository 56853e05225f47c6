"""The real `python -m bot` process, over HTTP, against the fake Telegram and fake Quran.com."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from e2e_support import STOP_DEADLINE, running_bot

from sandbox.telegram_world import FakeUser, TelegramWorld

pytestmark = pytest.mark.e2e

USER = FakeUser(5001, "Yusuf", username="yusuf")


async def test_bot_process_answers_start_over_long_polling(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        bot.world.add_private_chat(USER)
        sent = await bot.world.user_sends(USER.id, USER, "/start")
        reply = await bot.world.wait_for_message(
            USER.id, "Quran Companion", after=sent["message_id"], timeout=15
        )
        assert "/help" in reply["text"]


async def test_command_menus_are_registered_per_scope_and_language(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        # Menus are set beside update processing at start: wait for all four scopes.
        await bot.world.wait_for(lambda: len(bot.world.calls_to("setMyCommands")) >= 4, 15)
        private = bot.world.commands({"type": "all_private_chats"})
        groups = bot.world.commands({"type": "all_group_chats"})
        arabic = bot.world.commands({"type": "all_private_chats"}, language_code="ar")
    assert {"goal", "read", "note", "login"} <= {c["command"] for c in private}
    assert "reminders" in {c["command"] for c in groups}
    # These work in groups (answering privately where the answer is personal); /goal does not.
    assert {"today", "read", "progress", "privacy"} <= {c["command"] for c in groups}
    assert "goal" not in {c["command"] for c in groups}
    assert len(arabic) == len(private)


async def test_sigterm_stops_cleanly_within_five_seconds_and_logs_no_secret(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path) as bot:
        bot.world.add_private_chat(USER)
        sent = await bot.world.user_sends(USER.id, USER, "/help")
        await bot.world.wait_for_message(USER.id, "/goal", after=sent["message_id"], timeout=15)
        code, took = await bot.stop()
        log = bot.log
        secrets = (
            bot.env["TELEGRAM_BOT_TOKEN"],
            bot.env["QF_CLIENT_SECRET"],
            bot.env["TOKEN_ENCRYPTION_KEY"],
        )
    assert code == 0, log
    assert took < STOP_DEADLINE, took
    assert "stopped cleanly" in log
    # LOG_LEVEL=DEBUG: even then neither the bot token (inside every Bot API URL) nor our
    # secrets may reach the log.
    for secret in secrets:
        assert secret not in log


async def test_webhook_mode_accepts_only_updates_carrying_the_secret(tmp_path: Path) -> None:
    env = {"PUBLIC_URL": "https://bot.example.org", "WEBHOOK_SECRET": "s3cret-webhook-token"}
    async with running_bot(tmp_path, extra_env=env) as bot:
        assert bot.world.webhook is not None
        assert bot.world.webhook.url == "https://bot.example.org/telegram"
        bot.world.add_private_chat(USER)
        await bot.world.user_sends(USER.id, USER, "/start")
        update = bot.world.next_update_dict()

        forged = await bot.post("/telegram", json=update)
        assert forged.status_code == 403
        accepted = await bot.post(
            "/telegram",
            json=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-webhook-token"},
        )
        assert accepted.status_code == 200
        await bot.world.wait_for_message(USER.id, "Quran Companion", timeout=15)
        assert len(bot.world.texts(USER.id)) == 1


async def test_health_check_answers(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        response = await bot.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_a_burst_of_45_users_is_answered_without_a_single_429(tmp_path: Path) -> None:
    """Telegram's rolling 30/s is enforced by the fake; the one send budget keeps under it."""
    world = TelegramWorld()
    world.flood_control = True
    users = [FakeUser(7000 + i, f"User {i}") for i in range(45)]
    async with running_bot(tmp_path, world=world):
        for user in users:
            world.add_private_chat(user)
        sent = await asyncio.gather(*(world.user_sends(u.id, u, "/help") for u in users))
        await asyncio.gather(*(
            world.wait_for_message(u.id, "/goal", after=s["message_id"], timeout=20)
            for u, s in zip(users, sent, strict=True)
        ))
    assert world.flood_429s == 0
