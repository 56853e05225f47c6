"""The scenario of the durability issue, over real HTTP against the real process: twelve linked
users send /today while Quran.com is slow (3 s a call), the process is stopped with updates in
flight (kill -9, or SIGTERM with a short grace), and after the restart every user is answered
exactly once."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from e2e_support import BotProcess, link_before_start, running_bot

from sandbox.quran_foundation import FakeQuranFoundation
from sandbox.telegram import FakeUser, TelegramWorld

pytestmark = pytest.mark.e2e

USERS = [FakeUser(6100 + n, f"Reader{n}") for n in range(12)]
#: The issue measured with 3 s; more here so that a loaded test machine still has every user in
#: flight at the moment of the stop (the bot gives up on Quran.com after 10 s).
SLOW_QF_SECONDS = 6.0


async def linked_world(tmp_path: Path) -> tuple[TelegramWorld, FakeQuranFoundation, str]:
    fake = FakeQuranFoundation()
    key = Fernet.generate_key().decode()
    for user in USERS:
        await link_before_start(
            tmp_path, fake, user, sub=f"sub-{user.id}", encryption_key=key, timezone="UTC"
        )
    world = TelegramWorld()
    for user in USERS:
        world.add_private_chat(user)
    return world, fake, key


async def everyone_asks_while_quran_com_is_slow(bot: BotProcess) -> dict[int, int]:
    """Each user sends /today; returns when every one is being handled (its first Quran.com
    call is waiting), i.e. the updates were fetched and are in flight."""
    bot.fake_qf.delay_next(SLOW_QF_SECONDS, times=10_000)
    asked: dict[int, int] = {}
    for user in USERS:
        sent = await bot.world.user_sends(user.id, user, "/today")
        asked[user.id] = sent["message_id"]
    def users_waiting() -> int:
        return len({r.headers.get("x-auth-token") for r in bot.fake_qf.requests})

    # Polled, not `world.wait_for`: that re-checks only after a Bot API call, and nothing is
    # sent to Telegram while everyone waits on Quran.com (each /today's calls go side by side,
    # so one slow round trip is the whole wait).
    deadline = asyncio.get_running_loop().time() + 20
    while users_waiting() < len(USERS):
        assert asyncio.get_running_loop().time() < deadline, "not every user reached Quran.com"
        await asyncio.sleep(0.05)
    return asked


def answers(world: TelegramWorld, asked: dict[int, int]) -> dict[int, int]:
    return {
        chat: sum(1 for m in world.sent(chat) if m["message_id"] > first)
        for chat, first in asked.items()
    }


async def restart_and_collect(
    tmp_path: Path, world: TelegramWorld, fake: FakeQuranFoundation, key: str,
    asked: dict[int, int],
) -> tuple[dict[int, int], str]:
    fake._faults.clear()  # Quran.com is fast again
    async with running_bot(
        tmp_path, world=world, fake_qf=fake, extra_env={"TOKEN_ENCRYPTION_KEY": key}
    ) as bot:
        await world.wait_for(lambda: all(answers(world, asked).values()), 30)
        await asyncio.sleep(1.0)  # a duplicate would arrive now
        return answers(world, asked), bot.log


async def test_kill_9_with_updates_in_flight_loses_none(tmp_path: Path) -> None:
    world, fake, key = await linked_world(tmp_path)
    env = {"TOKEN_ENCRYPTION_KEY": key}
    async with running_bot(tmp_path, world=world, fake_qf=fake, extra_env=env) as bot:
        asked = await everyone_asks_while_quran_com_is_slow(bot)
        bot.process.kill()
        await bot.process.wait()
    assert not any(answers(world, asked).values()), "all were in flight when the process died"
    counts, log = await restart_and_collect(tmp_path, world, fake, key, asked)
    assert counts == {user.id: 1 for user in USERS}
    assert "replaying unfinished updates of 12 chat(s)" in log


async def test_sigterm_past_the_grace_leaves_the_rest_for_the_next_start(
    tmp_path: Path,
) -> None:
    world, fake, key = await linked_world(tmp_path)
    env = {"TOKEN_ENCRYPTION_KEY": key, "SHUTDOWN_GRACE_SECONDS": "1"}
    async with running_bot(tmp_path, world=world, fake_qf=fake, extra_env=env) as bot:
        asked = await everyone_asks_while_quran_com_is_slow(bot)
        code, took = await bot.stop()
        log = bot.log
    assert code == 0, log
    assert took < 8, took
    assert "Traceback" not in log
    assert "still busy after 1 s" in log
    counts, _ = await restart_and_collect(tmp_path, world, fake, key, asked)
    assert counts == {user.id: 1 for user in USERS}


async def test_sigterm_lets_updates_in_flight_finish_and_answers_nobody_twice(
    tmp_path: Path,
) -> None:
    world, fake, key = await linked_world(tmp_path)
    env = {"TOKEN_ENCRYPTION_KEY": key, "SHUTDOWN_GRACE_SECONDS": "25"}
    async with running_bot(tmp_path, world=world, fake_qf=fake, extra_env=env) as bot:
        asked = await everyone_asks_while_quran_com_is_slow(bot)
        fake._faults.clear()  # what is already waiting stays slow; the next calls are quick
        code, _ = await bot.stop()
        log = bot.log
    assert code == 0, log
    assert "Traceback" not in log
    assert answers(world, asked) == {user.id: 1 for user in USERS}
    counts, _ = await restart_and_collect(tmp_path, world, fake, key, asked)
    assert counts == {user.id: 1 for user in USERS}
