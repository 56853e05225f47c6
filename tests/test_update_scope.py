"""Chat settings and accounts are read once per update, and a change made in the update is seen
at once."""

from __future__ import annotations

import asyncio
import contextvars
from datetime import timedelta
from pathlib import Path

from sqlalchemy import event

from bot.qf import TokenVault
from bot.qf.models import TokenSet
from bot.services.deps import utc_now
from sandbox.harness import BotHarness
from storage.update_scope import update_scope


class ChatReads:
    """Counts SELECTs on the chats table sent to the database."""

    def __init__(self, harness: BotHarness) -> None:
        self.count = 0
        event.listen(
            harness.deps.database.engine.sync_engine, "before_cursor_execute", self._seen
        )

    def _seen(self, _conn: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.lstrip().startswith("SELECT chats."):
            self.count += 1


async def test_today_reads_its_chat_settings_once(tmp_path: Path) -> None:
    async with BotHarness(tmp_path) as bot:
        await bot.link_account()
        await bot.set_timezone("Asia/Riyadh")
        await bot.send("/goal 15min")
        reads = ChatReads(bot)
        replies = await bot.send("/today")
    assert replies, "the plan was answered"
    # Three layers ask (translator, chat registration, timezone check); one read serves all.
    assert reads.count == 1


async def test_a_setting_changed_in_the_update_is_seen_by_the_rest_of_it(tmp_path: Path) -> None:
    async with BotHarness(tmp_path) as bot:
        chats = bot.deps.chats
        await chats.ensure(42, "private", "Amina")
        with update_scope():
            assert (await chats.get(42)) is not None
            await chats.update(42, language="ar")
            seen = await chats.get(42)
            assert seen is not None and seen.language == "ar"
            await chats.set_active(42, False)
            seen = await chats.get(42)
            assert seen is not None and not seen.active


async def test_outside_an_update_every_read_goes_to_the_database(tmp_path: Path) -> None:
    async with BotHarness(tmp_path) as bot:
        await bot.deps.chats.ensure(43, "private", "Bilal")
        reads = ChatReads(bot)
        await bot.deps.chats.get(43)
        await bot.deps.chats.get(43)
    assert reads.count == 2


class AccountReads(ChatReads):
    """Counts SELECTs on the accounts table."""

    def _seen(self, _conn: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.lstrip().startswith("SELECT accounts."):
            self.count += 1


async def test_a_goal_one_liner_reads_the_account_once(tmp_path: Path) -> None:
    async with BotHarness(tmp_path) as bot:
        await bot.link_account()
        await bot.set_timezone("Asia/Riyadh")
        reads = AccountReads(bot)
        replies = await bot.send("/goal 15min")
    assert replies, "the goal was answered"
    # The link check and four Quran.com calls (three plan probes and the POST) each want it.
    assert reads.count == 1


async def link_expiring(bot: BotHarness, access_token: str, *, seconds: int) -> None:
    await bot.deps.accounts.save(
        bot.user.id, qf_sub="qf-1", display_name=None, access_token=access_token,
        refresh_token="refresh-1", expires_at=utc_now() + timedelta(seconds=seconds),
        scopes=["openid"],
    )


async def test_a_token_refreshed_in_the_update_is_read_again(tmp_path: Path) -> None:
    async with BotHarness(tmp_path) as bot:
        accounts = bot.deps.accounts
        await link_expiring(bot, "access-1", seconds=3600)
        with update_scope():
            assert (await accounts.get(bot.user.id)) is not None
            await accounts.update_tokens(
                bot.user.id, access_token="access-2", refresh_token="refresh-2",
                expires_at=utc_now() + timedelta(hours=1), scopes=["openid"],
            )
            seen = await accounts.get(bot.user.id)
    assert seen is not None and seen.access_token == "access-2"


async def test_a_rotation_by_another_update_is_not_refreshed_again(tmp_path: Path) -> None:
    """The same user's update in another chat rotated the tokens after this update read them:
    the vault, about to refresh, reads the account afresh and uses the new token instead of
    refreshing with a dead refresh token (which would sign the user out)."""
    async with BotHarness(tmp_path) as bot:
        accounts = bot.deps.accounts

        async def refresher(refresh_token: str) -> TokenSet:
            raise AssertionError(f"refreshed again with {refresh_token}")

        vault = TokenVault(accounts, refresher, clock=utc_now)
        await link_expiring(bot, "access-1", seconds=10)  # inside the refresh margin
        with update_scope():
            remembered = await accounts.get(bot.user.id)
            assert remembered is not None and remembered.access_token == "access-1"
            # The other update runs in its own scope, as the processor would run it.
            await asyncio.create_task(
                accounts.update_tokens(
                    bot.user.id, access_token="access-2", refresh_token="refresh-2",
                    expires_at=utc_now() + timedelta(hours=1), scopes=["openid"],
                ),
                context=contextvars.Context(),
            )
            stale = await accounts.get(bot.user.id)
            token = await vault.access_token(bot.user.id)
    assert stale is not None and stale.access_token == "access-1"
    assert token == "access-2"
