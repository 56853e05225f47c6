"""OAuth login attempts: single use, expiry, concurrent redemption."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from storage_helpers import ManualClock

from storage import Database, LoginAttemptRepository

pytest_plugins = ["storage_fixtures"]

TTL = timedelta(minutes=10)


async def _create(repo: LoginAttemptRepository, state: str = "s" * 43) -> None:
    await repo.create(
        state=state, telegram_user_id=42, chat_id=42, code_verifier="verifier", nonce="nonce"
    )


async def test_state_is_redeemed_once(db: Database, clock: ManualClock) -> None:
    repo = LoginAttemptRepository(db, clock=clock)
    await _create(repo)
    first = await repo.consume("s" * 43, now=clock.advance(timedelta(minutes=1)), ttl=TTL)
    assert first.status == "ok" and first.ok
    assert first.attempt is not None
    assert (first.attempt.telegram_user_id, first.attempt.code_verifier) == (42, "verifier")
    assert first.attempt.nonce == "nonce" and first.attempt.used_at == clock.now
    second = await repo.consume("s" * 43, now=clock.now, ttl=TTL)
    assert second.status == "used" and not second.ok


async def test_unknown_state(db: Database, clock: ManualClock) -> None:
    result = await LoginAttemptRepository(db, clock=clock).consume("nope", now=clock(), ttl=TTL)
    assert result.status == "unknown" and result.attempt is None


async def test_expired_state_is_refused_and_burnt(db: Database, clock: ManualClock) -> None:
    repo = LoginAttemptRepository(db, clock=clock)
    await _create(repo)
    late = clock.advance(TTL + timedelta(seconds=1))
    assert (await repo.consume("s" * 43, now=late, ttl=TTL)).status == "expired"
    assert (await repo.consume("s" * 43, now=late, ttl=TTL)).status == "used"


async def test_racing_callbacks_let_exactly_one_through(db: Database, clock: ManualClock) -> None:
    repo = LoginAttemptRepository(db, clock=clock)
    await _create(repo)
    results = await asyncio.gather(
        *(repo.consume("s" * 43, now=clock(), ttl=TTL) for _ in range(8))
    )
    assert sorted(r.status for r in results) == ["ok"] + ["used"] * 7


async def test_purge_removes_old_attempts(db: Database, clock: ManualClock) -> None:
    repo = LoginAttemptRepository(db, clock=clock)
    await _create(repo, "old")
    clock.advance(timedelta(days=2))
    await _create(repo, "new")
    assert await repo.purge(older_than=clock() - timedelta(days=1)) == 1
    assert await repo.get("old") is None
    assert await repo.get("new") is not None
    assert "verifier" not in repr(await repo.get("new"))
