"""Every grant the bot stops holding is revoked at Quran.com: /forget, /logout, a relink, a
confirmation nobody finished. When Quran.com cannot be reached the grant stays queued in the
database and the background job revokes it later, after a restart too."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from telegram.ext import CallbackContext

from bot.app.application import REVOCATION_JOB
from bot.services.revocations import LAST_RETRY, retry_delay, revoke_due
from sandbox.harness import DEMO_USER, BotHarness
from sandbox.telegram import TelegramWorld

pytestmark = pytest.mark.timeout(90)


class ManualClock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def bot(tmp_path: Path, clock: ManualClock) -> AsyncIterator[BotHarness]:
    async with BotHarness(tmp_path, clock=clock) as harness:
        yield harness


async def run_revocation_job(bot: BotHarness) -> None:
    """What the JobQueue does every minute (the harness does not start the JobQueue)."""
    assert bot.app.job_queue is not None
    [job] = bot.app.job_queue.get_jobs_by_name(REVOCATION_JOB)
    await job.callback(CallbackContext.from_job(job, bot.app))


def quran_com_unreachable_for_revocations(bot: BotHarness) -> None:
    bot.fake_qf.fail_next(503, path="/oauth2/revoke", times=1000)


def quran_com_back(bot: BotHarness) -> None:
    bot.fake_qf._faults.clear()


async def test_forget_revokes_the_grant_first(bot: BotHarness) -> None:
    await bot.link_account()
    account = await bot.deps.accounts.get(DEMO_USER.id)
    assert account is not None and account.refresh_token is not None
    calls_at_revocation: list[int] = []
    revoke = bot.deps.qf.revoke

    async def watched_revoke(token: str) -> None:
        calls_at_revocation.append(len(bot.world.calls))
        await revoke(token)

    bot.deps.qf.revoke = watched_revoke  # type: ignore[method-assign,assignment]
    await bot.send("/forget")
    before_erase = len(bot.world.calls)
    [done] = await bot.press("Erase everything")

    assert "everything I stored about you is erased" in done["text"]
    assert bot.fake_qf.refresh_token_state(account.refresh_token) == "revoked"
    assert bot.fake_qf.access_token_state(account.access_token) == "revoked"
    # Revoked while the user waited, before the bot said it was done; nothing left queued.
    assert len(calls_at_revocation) == 1
    confirmation = next(
        index for index, call in enumerate(bot.world.calls)
        if index >= before_erase and call.method.lower() == "editmessagetext"
    )
    assert calls_at_revocation[0] <= confirmation
    assert await bot.deps.revocations.count() == 0


async def test_forget_revokes_a_grant_still_waiting_for_confirmation(bot: BotHarness) -> None:
    [offer] = await bot.send("/login")
    [url] = [url for _, url in TelegramWorld.buttons(offer) if url and "oauth2" in url]
    await bot.follow_login_link(url, confirm=False)
    tokens = [t for t, record in bot.fake_qf._refresh_tokens.items() if not record.grant.revoked]
    assert len(tokens) == 1

    await bot.send("/forget")
    await bot.press("Erase everything")

    assert bot.fake_qf.refresh_token_state(tokens[0]) == "revoked"
    assert await bot.deps.revocations.count() == 0


async def test_revocation_retried_after_restart(bot: BotHarness, clock: ManualClock) -> None:
    await bot.link_account()
    account = await bot.deps.accounts.get(DEMO_USER.id)
    assert account is not None and account.refresh_token is not None
    quran_com_unreachable_for_revocations(bot)

    await bot.send("/forget")
    [done] = await bot.press("Erase everything")

    assert "erased" in done["text"]  # the user is not kept waiting for Quran.com
    assert await bot.deps.accounts.get(DEMO_USER.id) is None
    assert bot.fake_qf.refresh_token_state(account.refresh_token) == "active"
    assert await bot.deps.revocations.count() == 1

    await bot.restart()  # a redeploy while Quran.com was down
    quran_com_back(bot)
    await run_revocation_job(bot)
    assert bot.fake_qf.refresh_token_state(account.refresh_token) == "active"  # not due yet

    clock.advance(retry_delay(0))
    await run_revocation_job(bot)
    assert bot.fake_qf.refresh_token_state(account.refresh_token) == "revoked"
    assert await bot.deps.revocations.count() == 0


async def test_a_failing_revocation_backs_off_and_stays_queued(
    bot: BotHarness, clock: ManualClock
) -> None:
    await bot.link_account()
    quran_com_unreachable_for_revocations(bot)
    await bot.send("/logout")
    for attempt in range(1, 4):
        clock.advance(retry_delay(attempt - 1))
        report = await revoke_due(bot.deps)
        assert (report.revoked, report.postponed) == (0, 1)
    assert await bot.deps.revocations.count() == 1
    assert retry_delay(30) == LAST_RETRY


async def test_logout_while_quran_com_is_down_revokes_later(
    bot: BotHarness, clock: ManualClock
) -> None:
    await bot.link_account()
    account = await bot.deps.accounts.get(DEMO_USER.id)
    assert account is not None and account.refresh_token is not None
    quran_com_unreachable_for_revocations(bot)

    [reply] = await bot.send("/logout")

    assert "could not be reached" in reply["text"]
    quran_com_back(bot)
    clock.advance(retry_delay(0))
    await run_revocation_job(bot)
    assert bot.fake_qf.refresh_token_state(account.refresh_token) == "revoked"


async def test_relink_revokes_the_replaced_grant_even_if_quran_com_was_down(
    bot: BotHarness, clock: ManualClock
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
    quran_com_unreachable_for_revocations(bot)
    from bot.services.linking import CONFIRM_LINK

    found = CONFIRM_LINK.search(page)
    assert found is not None
    [reply] = await bot.send(f"/start {found['payload']}")

    assert "replacing Demo Reader" in reply["text"]
    assert bot.fake_qf.refresh_token_state(old.refresh_token) == "active"
    quran_com_back(bot)
    clock.advance(retry_delay(0))
    await run_revocation_job(bot)
    assert bot.fake_qf.refresh_token_state(old.refresh_token) == "revoked"
    new = await bot.deps.accounts.get(DEMO_USER.id)
    assert new is not None and bot.fake_qf.refresh_token_state(new.refresh_token or "") == (
        "active"
    )


async def test_an_unconfirmed_grant_is_revoked_by_the_purge(
    bot: BotHarness, clock: ManualClock
) -> None:
    [offer] = await bot.send("/login")
    [url] = [url for _, url in TelegramWorld.buttons(offer) if url and "oauth2" in url]
    await bot.follow_login_link(url, confirm=False)
    [held] = [t for t, record in bot.fake_qf._refresh_tokens.items() if not record.grant.revoked]

    clock.advance(timedelta(minutes=30))  # nobody confirmed; a later /login purges
    await bot.send("/login")
    assert await bot.deps.revocations.count() == 1
    await run_revocation_job(bot)
    assert bot.fake_qf.refresh_token_state(held) == "revoked"
    assert await bot.deps.revocations.count() == 0
