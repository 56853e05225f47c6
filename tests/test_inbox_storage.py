"""The inbox table on both backends: accepted once, served per chat in order, bounded, pruned."""

from __future__ import annotations

from datetime import timedelta

from storage_helpers import ManualClock

from storage import Database, forget_user
from storage.inbox import InboxRepository, IncomingUpdate
from storage.inbox_claims import claims_for


def incoming(update_id: int, chat: int, text: str = "hi") -> IncomingUpdate:
    return IncomingUpdate(update_id, f"chat:{chat}", {"update_id": update_id, "text": text})


async def test_an_update_delivered_twice_is_stored_once(db: Database) -> None:
    inbox = InboxRepository(db)
    first = await inbox.accept([incoming(1, 10), incoming(2, 10)])
    again = await inbox.accept([incoming(2, 10), incoming(3, 10)])
    assert [u.update_id for u in first.queued] == [1, 2]
    assert [u.update_id for u in again.queued] == [3]
    assert again.duplicates == 1
    assert first.heads == {1} and again.heads == set()  # 1 was its chat's next to run
    assert await inbox.pending_count() == 3


async def test_a_chat_is_served_oldest_first_and_a_finished_update_is_never_served_again(
    db: Database,
) -> None:
    inbox = InboxRepository(db)
    await inbox.accept([incoming(7, 10), incoming(5, 10), incoming(6, 20)])
    assert await inbox.pending_chats() == ["chat:10", "chat:20"]
    first = await inbox.next_for("chat:10")
    assert first is not None and first.update_id == 5 and first.attempts == 0
    # Not finished (a crash): served again, and the replay is counted.
    assert await inbox.mark_started(5) == 1
    again = await inbox.next_for("chat:10")
    assert again is not None and again.update_id == 5 and again.attempts == 1
    following = await inbox.finish(5, then_next_of="chat:10")
    assert following is not None and following.update_id == 7
    assert await inbox.finish(7, then_next_of="chat:10") is None
    assert not await inbox.has_pending("chat:10")
    # Redelivered by Telegram after it was done: recognised, not queued again.
    assert (await inbox.accept([incoming(5, 10)])).queued == ()


async def test_one_chat_cannot_queue_beyond_its_bound_while_others_still_can(
    db: Database,
) -> None:
    inbox = InboxRepository(db, max_pending_per_chat=3)
    flood = await inbox.accept([incoming(i, 10) for i in range(1, 6)])
    other = await inbox.accept([incoming(100, 20)])
    assert [u.update_id for u in flood.queued] == [1, 2, 3]
    assert flood.shed == 2
    assert [u.update_id for u in other.queued] == [100]
    outcomes = await inbox.outcomes()
    assert outcomes[4] == outcomes[5] == "shed"


async def test_what_an_update_sent_is_remembered_until_it_is_pruned(
    db: Database, clock: ManualClock
) -> None:
    inbox = InboxRepository(db, clock=clock)
    await inbox.accept([incoming(1, 10), incoming(2, 10)])
    await inbox.record_sent(1, 1, "sendMessage", {"message_id": 42})
    await inbox.record_sent(1, 1, "sendMessage", {"message_id": 43})  # a replay's late echo
    assert await inbox.sent(1, 1) == ("sendMessage", {"message_id": 42})
    assert await inbox.sent(1, 2) is None
    await inbox.finish(1)
    clock.advance(timedelta(days=2))
    assert await inbox.prune() == 1
    assert await inbox.sent(1, 1) is None
    # The unfinished one stays, however old.
    assert await inbox.pending_count() == 1


async def test_a_chat_is_claimed_by_one_worker_at_a_time(db: Database) -> None:
    first, second = claims_for(db), claims_for(db)
    try:
        assert await first.try_claim("chat:10")
        assert not await first.try_claim("chat:10")
        if db.dialect == "postgresql":
            # Another instance (its own connection) cannot take it either, until released.
            assert not await second.try_claim("chat:10")
            assert await second.try_claim("chat:20")
            await first.release("chat:10")
            assert await second.try_claim("chat:10")
        else:
            await first.release("chat:10")
            assert await first.try_claim("chat:10")
    finally:
        await first.close()
        await second.close()


async def test_a_dead_instance_releases_its_chats(db: Database) -> None:
    """PostgreSQL drops a session's advisory locks when its connection closes (kill -9)."""
    first, second = claims_for(db), claims_for(db)
    try:
        assert await first.try_claim("chat:10")
        await first.close()
        assert await second.try_claim("chat:10")
    finally:
        await second.close()


async def test_forget_removes_what_the_user_sent_but_not_what_still_has_to_run(
    db: Database,
) -> None:
    inbox = InboxRepository(db)
    await inbox.accept([incoming(1, 10), incoming(2, 10), incoming(3, 20)])
    await inbox.record_sent(1, 1, "sendMessage", {"message_id": 1})
    await inbox.finish(1)
    await inbox.finish(3)
    removed = await forget_user(db, 10)
    assert removed["inbox"] == 1
    assert await inbox.sent(1, 1) is None
    assert set(await inbox.outcomes()) == {2, 3}
