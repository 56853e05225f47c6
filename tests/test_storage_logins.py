"""OAuth login attempts: single use, expiry, concurrent redemption; grants held for the
Telegram confirm step (encrypted, taken once, expiring)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select
from storage_helpers import ManualClock

from storage import Database, LoginAttemptRepository, TokenCipher
from storage.models import PendingGrant
from storage.schema import login_attempts

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


GRANT_TTL = timedelta(minutes=10)


def _grant(clock: ManualClock) -> PendingGrant:
    return PendingGrant(
        qf_sub="sub-1",
        display_name="Amina Q",
        access_token="ory_at_secret-access",
        refresh_token="ory_rt_secret-refresh",
        expires_at=clock() + timedelta(hours=1),
        scopes=("openid", "note"),
    )


async def _held(
    db: Database, clock: ManualClock, cipher: TokenCipher, code: str = "code-1"
) -> LoginAttemptRepository:
    repo = LoginAttemptRepository(db, cipher=cipher, clock=clock)
    await _create(repo)
    assert (await repo.consume("s" * 43, now=clock(), ttl=TTL)).ok
    held = await repo.hold_grant(
        "s" * 43, _grant(clock), confirm_code=code, expires_at=clock() + GRANT_TTL
    )
    assert held
    return repo


async def test_held_grant_is_taken_once_with_its_attempt(
    db: Database, clock: ManualClock, cipher: TokenCipher
) -> None:
    expected = _grant(clock)
    repo = await _held(db, clock, cipher)
    first = await repo.take_grant("code-1", now=clock.advance(timedelta(minutes=2)))
    assert first.status == "ok"
    assert first.grant == expected  # every field survives the encrypted round trip
    assert first.attempt is not None and first.attempt.telegram_user_id == 42
    second = await repo.take_grant("code-1", now=clock())
    assert second.status == "used" and second.grant is None
    assert (await repo.take_grant("other", now=clock())).status == "unknown"


async def test_held_grant_is_encrypted_and_hidden_from_repr(
    db: Database, clock: ManualClock, cipher: TokenCipher
) -> None:
    await _held(db, clock, cipher)
    async with db.read() as connection:
        row = (await connection.execute(select(login_attempts))).one()
    assert "ory_at_" not in row.pending_grant and "ory_rt_" not in row.pending_grant
    assert "Amina" not in row.pending_grant
    assert "secret" not in repr(_grant(clock))


async def test_expired_grant_is_refused_but_handed_back_for_revocation(
    db: Database, clock: ManualClock, cipher: TokenCipher
) -> None:
    repo = await _held(db, clock, cipher)
    late = await repo.take_grant("code-1", now=clock.advance(GRANT_TTL))
    assert late.status == "expired"
    assert late.grant is not None and late.grant.refresh_token == "ory_rt_secret-refresh"
    assert (await repo.take_grant("code-1", now=clock())).status == "used"


async def test_purge_erases_grants_nobody_confirmed_in_time(
    db: Database, clock: ManualClock, cipher: TokenCipher
) -> None:
    repo = await _held(db, clock, cipher)
    clock.advance(GRANT_TTL + timedelta(seconds=1))
    await repo.purge(older_than=clock() - timedelta(days=1))
    async with db.read() as connection:
        row = (await connection.execute(select(login_attempts))).one()
    assert row.pending_grant is None
    late = await repo.take_grant("code-1", now=clock())
    assert late.status == "expired" and late.grant is None


async def test_racing_confirmations_hand_the_grant_out_exactly_once(
    db: Database, clock: ManualClock, cipher: TokenCipher
) -> None:
    repo = await _held(db, clock, cipher)
    results = await asyncio.gather(*(repo.take_grant("code-1", now=clock()) for _ in range(8)))
    assert sorted(r.status for r in results) == ["ok"] + ["used"] * 7
    assert sum(r.grant is not None for r in results) == 1


async def test_a_state_holds_one_grant_only(
    db: Database, clock: ManualClock, cipher: TokenCipher
) -> None:
    repo = await _held(db, clock, cipher)
    again = await repo.hold_grant(
        "s" * 43, _grant(clock), confirm_code="code-2", expires_at=clock() + GRANT_TTL
    )
    assert not again
    assert (await repo.take_grant("code-2", now=clock())).status == "unknown"


async def test_grant_under_a_lost_key_counts_as_expired(
    db: Database, clock: ManualClock, cipher: TokenCipher
) -> None:
    await _held(db, clock, cipher)
    stranger = TokenCipher([TokenCipher.generate_key()])
    result = await LoginAttemptRepository(db, cipher=stranger, clock=clock).take_grant(
        "code-1", now=clock()
    )
    assert result.status == "expired" and result.grant is None


async def test_holding_a_grant_without_a_cipher_is_refused(
    db: Database, clock: ManualClock
) -> None:
    repo = LoginAttemptRepository(db, clock=clock)
    await _create(repo)
    with pytest.raises(RuntimeError, match="TokenCipher"):
        await repo.hold_grant(
            "s" * 43, _grant(clock), confirm_code="c", expires_at=clock() + GRANT_TTL
        )
