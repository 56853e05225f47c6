"""Leaving: /logout (revoke and delete tokens), /forget (erase everything, after asking),
/privacy; and the friendly answers for people who never linked."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from telegram.ext import ConversationHandler

from handlers.account.buttons import KeepMyData, LogOut
from handlers.replies import LinkAccount
from sandbox.harness import DEMO_USER, BotHarness
from sandbox.telegram_world import TelegramWorld

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[BotHarness]:
    async with BotHarness(tmp_path) as harness:
        yield harness


def conversation_keys(bot: BotHarness) -> list[tuple[object, ...]]:
    return [
        key
        for handlers in bot.app.handlers.values()
        for handler in handlers
        if isinstance(handler, ConversationHandler)
        for key in handler._conversations
    ]


async def test_logout_revokes_the_grant_and_deletes_the_tokens(bot: BotHarness) -> None:
    await bot.link_account()
    account = await bot.deps.accounts.get(DEMO_USER.id)
    assert account is not None and account.refresh_token is not None

    messages = await bot.send("/logout")

    assert "Logged out" in messages[0]["text"]
    assert "ended this bot's access" in messages[0]["text"]
    assert await bot.deps.accounts.get(DEMO_USER.id) is None
    assert bot.fake_qf.refresh_token_state(account.refresh_token) == "revoked"
    assert bot.fake_qf.access_token_state(account.access_token) == "revoked"
    revoke = bot.fake_qf.revoke_requests[-1]
    assert revoke.had_basic_auth and revoke.status == 200
    assert bot.fake_qf.validation_errors == []


async def test_logout_still_unlinks_when_quran_com_cannot_be_reached(bot: BotHarness) -> None:
    await bot.link_account()
    bot.fake_qf.fail_next(503, path="/oauth2/revoke", times=10)
    messages = await bot.send("/logout")
    assert "Logged out" in messages[0]["text"]
    assert "could not be reached" in messages[0]["text"]
    assert await bot.deps.accounts.get(DEMO_USER.id) is None


async def test_logout_without_a_link_is_a_friendly_no_op_with_the_link_button(
    bot: BotHarness,
) -> None:
    messages = await bot.send("/logout")
    assert "nothing to log out of" in messages[0]["text"]
    assert TelegramWorld.buttons(messages[0]) == [
        ("🔗 Link Quran.com account", LinkAccount().pack())
    ]
    assert bot.fake_qf.revoke_requests == []


async def test_logout_button_under_the_login_answer_logs_out(bot: BotHarness) -> None:
    await bot.link_account()
    await bot.send("/login")
    edited = await bot.press("Log out")
    assert "Logged out" in edited[0]["text"]
    assert await bot.deps.accounts.get(DEMO_USER.id) is None


async def test_forget_asks_first_and_keeping_changes_nothing(bot: BotHarness) -> None:
    await bot.link_account()
    await bot.set_timezone("Africa/Cairo")
    question = await bot.send("/forget")
    assert "Erase it all?" in question[0]["text"]
    edited = await bot.press("Keep my data")
    assert "Nothing was erased" in edited[0]["text"]
    assert await bot.deps.accounts.get(DEMO_USER.id) is not None
    settings = await bot.deps.chats.get(DEMO_USER.id)
    assert settings is not None and settings.timezone == "Africa/Cairo"


async def test_forget_erases_the_account_settings_user_data_and_conversations(
    bot: BotHarness,
) -> None:
    await bot.link_account()
    account = await bot.deps.accounts.get(DEMO_USER.id)
    assert account is not None and account.refresh_token is not None
    await bot.send("/timezone")  # a conversation waiting for the city, and user_data
    assert conversation_keys(bot)
    assert bot.app.user_data.get(DEMO_USER.id)

    await bot.send("/forget")
    edited = await bot.press("Erase everything")

    assert "everything I stored about you is erased" in edited[0]["text"]
    assert await bot.deps.accounts.get(DEMO_USER.id) is None
    assert await bot.deps.chats.get(DEMO_USER.id) is None
    assert not bot.app.user_data.get(DEMO_USER.id)
    assert conversation_keys(bot) == []
    assert bot.fake_qf.refresh_token_state(account.refresh_token) == "revoked"

    # The ended conversation no longer takes "Cairo" as an answer.
    await bot.send("Cairo")
    settings = await bot.deps.chats.get(DEMO_USER.id)
    assert settings is None or settings.timezone is None


async def test_forget_survives_a_restart(bot: BotHarness) -> None:
    await bot.link_account()
    await bot.send("/timezone")
    await bot.send("/forget")
    await bot.press("Erase everything")
    await bot.restart()
    await bot.send("Cairo")
    settings = await bot.deps.chats.get(DEMO_USER.id)
    assert settings is None or settings.timezone is None
    assert await bot.deps.accounts.get(DEMO_USER.id) is None


async def test_forget_in_a_group_points_to_the_private_chat(bot: BotHarness) -> None:
    bot.world.add_group(-100700, "Circle", members=[DEMO_USER])
    await bot.link_account()
    messages = await bot.send("/forget", chat_id=-100700)
    assert "private chat" in messages[0]["text"]
    assert [target for _, target in TelegramWorld.buttons(messages[0])] == [
        "https://t.me/QuranCompanionBot"
    ]
    assert await bot.deps.accounts.get(DEMO_USER.id) is not None


async def test_privacy_says_what_is_stored_and_how_to_remove_it(bot: BotHarness) -> None:
    messages = await bot.send("/privacy")
    text = messages[0]["text"]
    assert "encrypted" in text
    assert "/logout" in text and "/forget" in text
    assert "never see your password" in text


async def test_a_forged_keep_my_data_press_in_a_group_edits_nothing(bot: BotHarness) -> None:
    bot.world.add_group(-100701, "Circle", members=[DEMO_USER])
    [group_message] = await bot.send("/login", chat_id=-100701)
    before = bot.world.message(-100701, group_message["message_id"])

    changed = await bot.press_data(
        KeepMyData().pack(), chat_id=-100701, message=group_message
    )

    assert changed == []
    assert bot.world.message(-100701, group_message["message_id"]) == before
    assert bot.world.answered_callbacks[-1].user_id == DEMO_USER.id


async def test_a_forged_logout_press_in_a_group_posts_nothing_and_keeps_the_link(
    bot: BotHarness,
) -> None:
    bot.world.add_group(-100702, "Circle", members=[DEMO_USER])
    await bot.link_account()
    [group_message] = await bot.send("/login", chat_id=-100702)

    changed = await bot.press_data(LogOut().pack(), chat_id=-100702, message=group_message)

    assert changed == []
    assert "private chat" in (bot.world.answered_callbacks[-1].text or "")
    assert await bot.deps.accounts.get(DEMO_USER.id) is not None


@pytest.mark.parametrize(
    "data",
    ["acct.logout:1", "acct.forget.yes:1", "acct.forget.no:x", "acct.relink:", "acct:logout"],
)
async def test_forged_account_presses_are_no_longer_valid_and_change_nothing(
    bot: BotHarness, data: str
) -> None:
    await bot.link_account()
    [answer] = await bot.send("/forget")
    before = bot.world.message(DEMO_USER.id, answer["message_id"])
    assert await bot.press_data(data) == []
    assert bot.world.answered_callbacks[-1].text == "This button is no longer valid."
    assert bot.world.message(DEMO_USER.id, answer["message_id"]) == before
    assert await bot.deps.accounts.get(DEMO_USER.id) is not None
    assert bot.fake_qf.revoke_requests == []


async def test_privacy_mentions_the_short_wait_of_keys_before_confirmation(
    bot: BotHarness,
) -> None:
    [reply] = await bot.send("/privacy")
    assert "wait encrypted for at most 10 minutes" in reply["text"]
