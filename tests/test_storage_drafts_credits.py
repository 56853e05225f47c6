"""Note drafts and reading-credit idempotency keys."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from storage_helpers import ManualClock

from storage import Database, DraftRepository, ReadingCreditRepository


async def test_draft_is_saved_then_overwritten_in_place(db: Database, clock: ManualClock) -> None:
    drafts = DraftRepository(db, clock=clock)
    first = await drafts.save(telegram_user_id=5, chat_id=5, ranges=["2:255"], body="Ayat al-Kursi")
    clock.advance(timedelta(minutes=1))
    long_body = "بسم الله " * 2000  # beyond any VARCHAR limit
    second = await drafts.save(
        draft_id=first.id,
        telegram_user_id=5,
        chat_id=5,
        ranges=["2:255", "2:256-2:257"],
        body=long_body,
        save_to_qr=True,
        status="saving",
    )
    assert second.id == first.id
    assert second.body == long_body and second.ranges == ("2:255", "2:256-2:257")
    assert second.save_to_qr and second.status == "saving"
    assert second.updated_at == clock.now
    assert await drafts.get(first.id) == second


async def test_draft_keeps_the_reflection_it_is_about(db: Database) -> None:
    drafts = DraftRepository(db)
    entity = {"entityId": "48151", "entityType": "reflection",
              "entityMetadata": {"author": "عائشة", "verseKeys": ["2:255"]}}
    saved = await drafts.save(telegram_user_id=5, chat_id=5, ranges=["2:255-2:255"],
                              body="about it", attached_entity=entity)
    assert (await drafts.get(saved.id)) == saved
    assert saved.attached_entity == entity
    plain = await drafts.save(telegram_user_id=5, chat_id=5, ranges=["1:1"], body="plain")
    assert plain.attached_entity is None


async def test_draft_of_another_user_is_never_overwritten(db: Database) -> None:
    drafts = DraftRepository(db)
    mine = await drafts.save(telegram_user_id=5, chat_id=5, ranges=["1:1"], body="mine")
    theirs = await drafts.save(
        draft_id=mine.id, telegram_user_id=6, chat_id=6, ranges=["1:2"], body="theirs"
    )
    assert theirs.id != mine.id
    kept = await drafts.get(mine.id)
    assert kept is not None and kept.body == "mine"


async def test_latest_for_user_picks_most_recent(db: Database, clock: ManualClock) -> None:
    drafts = DraftRepository(db, clock=clock)
    older = await drafts.save(telegram_user_id=5, chat_id=5, ranges=["1:1"], body="a")
    clock.advance(timedelta(seconds=5))
    newer = await drafts.save(telegram_user_id=5, chat_id=-9, ranges=["1:2"], body="b")
    await drafts.save(telegram_user_id=6, chat_id=6, ranges=["1:3"], body="c")
    assert await drafts.latest_for_user(5) == newer
    clock.advance(timedelta(seconds=5))
    await drafts.set_status(older.id, "failed")
    latest = await drafts.latest_for_user(5)
    assert latest is not None and latest.id == older.id and latest.status == "failed"
    assert await drafts.latest_for_user(5, status="draft") == newer
    assert await drafts.delete(newer.id)
    assert await drafts.latest_for_user(5, status="draft") is None
    assert await drafts.latest_for_user(7) is None


async def test_credit_key_is_claimed_once_until_released(db: Database) -> None:
    credits = ReadingCreditRepository(db)
    results = await asyncio.gather(*(credits.claim(5, "read:2025-03-01:2:1-2:5") for _ in range(6)))
    assert results.count(True) == 1
    assert await credits.claim(6, "read:2025-03-01:2:1-2:5")  # keys are per user
    await credits.release(5, "read:2025-03-01:2:1-2:5")
    assert await credits.claim(5, "read:2025-03-01:2:1-2:5")


async def test_credit_purge_forgets_old_keys(db: Database, clock: ManualClock) -> None:
    credits = ReadingCreditRepository(db, clock=clock)
    await credits.claim(5, "old")
    clock.advance(timedelta(days=40))
    await credits.claim(5, "new")
    assert await credits.purge(older_than=clock() - timedelta(days=30)) == 1
    assert await credits.claim(5, "old")
    assert not await credits.claim(5, "new")
