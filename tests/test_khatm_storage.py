"""The khatm board's storage under races, on SQLite and PostgreSQL: no juz is taken twice, no
press is lost, one round opens however many admins press at once, exactly one press completes
a khatm, and /forget and a group's erasure reach the board."""

from __future__ import annotations

import asyncio
import random
from datetime import date

from sqlalchemy import select

from bot.domain.chapters import JUZ_COUNT
from storage import ChatRepository, Database, forget_user, schema
from storage.khatm import PART_COUNT, KhatmRepository

GROUP = -100777
OTHER_GROUP = -100888


def test_a_board_has_one_part_per_juz_of_the_mushaf() -> None:
    assert PART_COUNT == JUZ_COUNT == 30


async def test_concurrent_presses_never_give_a_juz_twice_and_lose_none(db: Database) -> None:
    khatm = KhatmRepository(db)
    board, created = await khatm.start(GROUP, started_by=1, deadline=date(2027, 1, 5))
    assert created
    rng = random.Random(15)
    # 90 members, each pressing one juz at random, all at once: many collide.
    presses = [(1000 + member, rng.randint(1, 30)) for member in range(90)]
    results = await asyncio.gather(
        *(khatm.take(board.id, juz, user, f"member {user}") for user, juz in presses)
    )
    parts = {part.juz: part for part in await khatm.parts(board.id)}
    winners = {user for (user, _), won in zip(presses, results, strict=True) if won}
    # Exactly one winner per pressed juz, and the winner is the recorded taker.
    pressed_juz = {juz for _, juz in presses}
    assert sum(results) == len(pressed_juz)
    for juz in pressed_juz:
        taker = parts[juz].taker_id
        assert taker in winners
        assert taker in [user for user, pressed in presses if pressed == juz]
    assert all(parts[juz].taker_id is None for juz in set(range(1, 31)) - pressed_juz)


async def test_thirty_members_pressing_thirty_free_juz_at_once_all_get_theirs(
    db: Database,
) -> None:
    khatm = KhatmRepository(db)
    board, _ = await khatm.start(GROUP, started_by=1, deadline=None)
    results = await asyncio.gather(
        *(khatm.take(board.id, juz, 5000 + juz, f"m{juz}") for juz in range(1, 31))
    )
    assert all(results)  # no press lost
    assert [part.taker_id for part in await khatm.parts(board.id)] == [
        5000 + juz for juz in range(1, 31)
    ]
    # Everyone finishes at once: exactly one caller sees the khatm complete.
    finished = await asyncio.gather(
        *(khatm.finish(board.id, juz, 5000 + juz) for juz in range(1, 31))
    )
    assert all(finished)
    completions = await asyncio.gather(*(khatm.complete_if_done(board.id) for _ in range(30)))
    assert sum(completions) == 1
    done = await khatm.get(board.id)
    assert done is not None and done.status == "done"
    # A done board takes no more presses.
    assert not await khatm.release(board.id, 1, 5001)
    assert not await khatm.reopen(board.id, 1)


async def test_two_admins_starting_at_once_open_one_round(db: Database) -> None:
    khatm = KhatmRepository(db)
    results = await asyncio.gather(
        *(khatm.start(GROUP, started_by=admin, deadline=None) for admin in (1, 2, 3, 4))
    )
    assert len({board.id for board, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    # The same person on two groups' boards at once.
    other, _ = await khatm.start(OTHER_GROUP, started_by=1, deadline=None)
    board = results[0][0]
    assert await khatm.take(board.id, 5, 42, "Amina")
    assert await khatm.take(other.id, 5, 42, "Amina")
    held = await khatm.held_by(42)
    assert [(b.chat_id, part.juz) for b, part in held] == [(GROUP, 5), (OTHER_GROUP, 5)]


async def test_only_the_taker_finishes_or_releases_and_a_closed_board_takes_nothing(
    db: Database,
) -> None:
    khatm = KhatmRepository(db)
    board, _ = await khatm.start(GROUP, started_by=1, deadline=None)
    assert await khatm.take(board.id, 30, 7, "Yusuf")
    assert not await khatm.take(board.id, 30, 8, "Maryam")
    assert not await khatm.finish(board.id, 30, 8)
    assert not await khatm.release(board.id, 30, 8)
    assert await khatm.finish(board.id, 30, 7)
    assert not await khatm.finish(board.id, 30, 7)  # once
    assert not await khatm.release(board.id, 30, 7)  # a finished juz stays finished
    assert await khatm.reopen(board.id, 30)
    assert await khatm.take(board.id, 30, 8, "Maryam")
    assert await khatm.close(board.id)
    assert not await khatm.take(board.id, 1, 8, "Maryam")
    assert not await khatm.close(board.id)
    following, created = await khatm.start(GROUP, started_by=1, deadline=None)
    assert created and following.round == board.round + 1


async def test_forget_keeps_finished_juz_without_the_name_and_frees_taken_ones(
    db: Database,
) -> None:
    khatm = KhatmRepository(db)
    board, _ = await khatm.start(GROUP, started_by=9, deadline=None)
    await khatm.take(board.id, 1, 9, "Leaving")
    await khatm.finish(board.id, 1, 9)
    await khatm.take(board.id, 2, 9, "Leaving")
    await khatm.take(board.id, 3, 10, "Staying")
    removed = await forget_user(db, 9)
    assert removed["khatm_parts"] == 2
    parts = {part.juz: part for part in await khatm.parts(board.id)}
    assert parts[1].finished and parts[1].taker_id is None and parts[1].taker_name is None
    assert parts[2].taker_id is None and not parts[2].finished
    assert parts[3].taker_id == 10
    assert (await khatm.get(board.id)).started_by is None  # type: ignore[union-attr]
    assert not await khatm.take(board.id, 1, 10, "Staying")  # finished stays finished


async def test_erasing_a_group_removes_its_boards_only(db: Database) -> None:
    khatm = KhatmRepository(db)
    board, _ = await khatm.start(GROUP, started_by=1, deadline=None)
    other, _ = await khatm.start(OTHER_GROUP, started_by=1, deadline=None)
    await khatm.take(board.id, 1, 7, "Yusuf")
    assert await khatm.close_chat(GROUP) == 1
    assert await khatm.erase_chat(GROUP) == 1
    assert await khatm.get(board.id) is None
    async with db.read() as connection:
        left = (
            await connection.execute(select(schema.khatm_parts.c.board_id).distinct())
        ).scalars().all()
    assert list(left) == [other.id]


async def test_the_board_follows_its_group_to_the_new_supergroup_id(db: Database) -> None:
    khatm = KhatmRepository(db)
    board, _ = await khatm.start(-4001, started_by=1, deadline=None)
    await khatm.take(board.id, 1, 7, "Yusuf")
    await ChatRepository(db).migrate(-4001, -1004001)
    moved = await khatm.latest(-1004001)
    assert moved is not None and moved.id == board.id
    assert await khatm.latest(-4001) is None
    assert (await khatm.parts(board.id))[0].taker_id == 7
