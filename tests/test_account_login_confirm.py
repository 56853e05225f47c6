"""The Telegram confirm step of linking: only the Telegram user who asked for a login link can
finish it, once, in time, in their private chat. Whoever else opens the link (a forwarded login
message, a group member tapping it) links nothing, and the grant they made is revoked."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.services.linking import CONFIRM_LINK
from sandbox.harness import DEMO_USER, BotHarness
from sandbox.telegram import FakeUser, TelegramWorld
from storage.schema import login_attempts

pytestmark = pytest.mark.timeout(60)

#: Asks for a login link and forwards it; the victim is DEMO_USER ("Demo Reader" on Quran.com).
MALLORY = FakeUser(6006, "Mallory", username="mallory", language_code="en")
GROUP = -100777


class ManualClock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[BotHarness]:
    async with BotHarness(tmp_path) as harness:
        harness.world.add_private_chat(MALLORY)
        yield harness


async def login_url_for(bot: BotHarness, user: FakeUser) -> str:
    [offer] = await bot.send("/login", user=user)
    urls = [url for _, url in TelegramWorld.buttons(offer) if url and "oauth2" in url]
    assert len(urls) == 1
    return urls[0]


def payload_of(page: str) -> str:
    found = CONFIRM_LINK.search(page)
    assert found is not None, page
    return found["payload"]


async def held_grant(bot: BotHarness) -> dict[str, Any]:
    """The grant waiting for confirmation, decrypted with the bot's key (as the bot would)."""
    async with bot.deps.database.read() as connection:
        row = (
            await connection.execute(
                select(login_attempts).where(login_attempts.c.pending_grant.is_not(None))
            )
        ).one()
    grant: dict[str, Any] = json.loads(bot.deps.cipher.decrypt(row.pending_grant))
    return grant


def database_bytes(data_dir: Path) -> bytes:
    return b"".join(path.read_bytes() for path in sorted(data_dir.glob("bot.sqlite3*")))


async def test_forwarded_login_link_approved_by_someone_else_links_nothing_and_revokes_their_grant(
    bot: BotHarness,
) -> None:
    # Mallory asks for a link and forwards it; Amina opens it and signs in as herself.
    url = await login_url_for(bot, MALLORY)
    status, page = await bot.follow_login_link(url, confirm=False)
    assert status == 200 and "signed in to Quran.com as Demo Reader" in page
    grant = await held_grant(bot)
    assert await bot.deps.accounts.get(MALLORY.id) is None

    # The page's only way on is the confirm link; Amina taps it in her own Telegram.
    [reply] = await bot.send(f"/start {payload_of(page)}", user=DEMO_USER)

    assert "started by someone else's Telegram account; nothing was linked" in reply["text"]
    assert "/login" in reply["text"]
    assert await bot.deps.accounts.get(MALLORY.id) is None
    assert await bot.deps.accounts.get(DEMO_USER.id) is None
    # The grant belongs to Amina: it is ended at Quran.com, not left alive in the database.
    assert bot.fake_qf.refresh_token_state(grant["refresh_token"]) == "revoked"
    assert bot.fake_qf.access_token_state(grant["access_token"]) == "revoked"
    assert bot.fake_qf.validation_errors == []
    # Mallory learns nothing and cannot pick the grant up afterwards either.
    assert bot.world.texts(MALLORY.id)[-1].startswith("Tap the button to sign in")
    [late] = await bot.send(f"/start {payload_of(page)}", user=MALLORY)
    assert "already used" in late["text"]
    assert await bot.deps.accounts.get(MALLORY.id) is None


async def test_harness_can_confirm_as_someone_else(bot: BotHarness) -> None:
    url = await login_url_for(bot, MALLORY)
    await bot.follow_login_link(url, confirm_as=DEMO_USER)
    assert "someone else's" in bot.texts(DEMO_USER.id)[-1]
    assert await bot.deps.accounts.get(MALLORY.id) is None


async def test_the_user_who_asked_for_the_link_completes_it_in_telegram(bot: BotHarness) -> None:
    bot.fake_qf.seed_user("mallory-sub", name="Mallory Q")
    bot.fake_qf.next_login_sub = "mallory-sub"
    url = await login_url_for(bot, MALLORY)
    _, page = await bot.follow_login_link(url, confirm=False)
    grant = await held_grant(bot)

    [reply] = await bot.send(f"/start {payload_of(page)}", user=MALLORY)

    assert "Your Quran.com account is linked as Mallory Q." in reply["text"]
    account = await bot.deps.accounts.get(MALLORY.id)
    assert account is not None and account.qf_sub == "mallory-sub"
    assert account.refresh_token == grant["refresh_token"]
    assert bot.fake_qf.refresh_token_state(grant["refresh_token"]) == "active"
    # The held copy is gone once linked.
    async with bot.deps.database.read() as connection:
        held = (
            await connection.execute(
                select(login_attempts.c.pending_grant).where(
                    login_attempts.c.pending_grant.is_not(None)
                )
            )
        ).all()
    assert held == []


async def test_a_confirm_code_works_once(bot: BotHarness) -> None:
    url = await login_url_for(bot, DEMO_USER)
    _, page = await bot.follow_login_link(url)
    account = await bot.deps.accounts.get(DEMO_USER.id)
    assert account is not None
    exchanges = len(bot.fake_qf.token_requests)

    [again] = await bot.send(f"/start {payload_of(page)}")

    assert "already used" in again["text"]
    assert "Send /login" in again["text"]
    assert await bot.deps.accounts.get(DEMO_USER.id) == account
    assert bot.fake_qf.refresh_token_state(account.refresh_token or "") == "active"
    assert len(bot.fake_qf.token_requests) == exchanges


async def test_an_expired_confirm_code_is_refused_and_its_grant_revoked(tmp_path: Path) -> None:
    clock = ManualClock()
    async with BotHarness(tmp_path, clock=clock) as bot:
        url = await login_url_for(bot, DEMO_USER)
        _, page = await bot.follow_login_link(url, confirm=False)
        grant = await held_grant(bot)
        clock.advance(timedelta(minutes=10, seconds=1))

        [reply] = await bot.send(f"/start {payload_of(page)}")

        assert "expired" in reply["text"] and "nothing was linked" in reply["text"]
        assert "10 minutes" in reply["text"]
        assert await bot.deps.accounts.get(DEMO_USER.id) is None
        assert bot.fake_qf.refresh_token_state(grant["refresh_token"]) == "revoked"


async def test_confirm_just_inside_ten_minutes_still_links(tmp_path: Path) -> None:
    clock = ManualClock()
    async with BotHarness(tmp_path, clock=clock) as bot:
        url = await login_url_for(bot, DEMO_USER)
        _, page = await bot.follow_login_link(url, confirm=False)
        clock.advance(timedelta(minutes=9, seconds=50))
        await bot.send(f"/start {payload_of(page)}")
        assert await bot.deps.accounts.get(DEMO_USER.id) is not None


async def test_an_unknown_confirm_code_gets_a_clear_answer(bot: BotHarness) -> None:
    [reply] = await bot.send("/start c_NotARealCode-123")
    assert "don't recognise this sign-in link" in reply["text"]
    assert "/login" in reply["text"]
    assert await bot.deps.accounts.get(DEMO_USER.id) is None


async def test_pending_tokens_are_stored_encrypted(bot: BotHarness, tmp_path: Path) -> None:
    url = await login_url_for(bot, DEMO_USER)
    _, page = await bot.follow_login_link(url, confirm=False)
    grant = await held_grant(bot)
    assert grant["access_token"] and grant["refresh_token"]

    stored = database_bytes(tmp_path)
    assert grant["access_token"].encode() not in stored
    assert grant["refresh_token"].encode() not in stored
    assert b"Demo Reader" not in stored  # the identity waits encrypted too
    # The code itself is a lookup key, not a secret that grants anything without Telegram.
    assert payload_of(page).removeprefix("c_").encode() in stored


async def test_a_confirm_code_sent_in_a_group_links_nothing_and_still_works_in_private(
    bot: BotHarness,
) -> None:
    bot.world.add_group(GROUP, "Circle", members=[DEMO_USER])
    url = await login_url_for(bot, DEMO_USER)
    _, page = await bot.follow_login_link(url, confirm=False)

    await bot.send(f"/start {payload_of(page)}", chat_id=GROUP)
    assert await bot.deps.accounts.get(DEMO_USER.id) is None
    assert not any("linked as" in text for text in bot.world.texts(GROUP))

    await bot.send(f"/start {payload_of(page)}")
    assert await bot.deps.accounts.get(DEMO_USER.id) is not None


async def test_relinking_through_the_confirm_step_revokes_the_replaced_grant(
    bot: BotHarness,
) -> None:
    await bot.link_account()
    old = await bot.deps.accounts.get(DEMO_USER.id)
    assert old is not None and old.refresh_token is not None
    bot.fake_qf.seed_user("second-sub", name="Second Reader")
    bot.fake_qf.next_login_sub = "second-sub"
    await bot.send("/login")
    [offer] = await bot.press("Link another account")
    [url] = [url for _, url in TelegramWorld.buttons(offer) if url and "oauth2" in url]
    _, page = await bot.follow_login_link(url, confirm=False)
    # Until confirmed, the old link stands.
    assert bot.fake_qf.refresh_token_state(old.refresh_token) == "active"

    [reply] = await bot.send(f"/start {payload_of(page)}")
    assert "replacing Demo Reader" in reply["text"]
    assert bot.fake_qf.refresh_token_state(old.refresh_token) == "revoked"
