"""Keys handled to the end: rotation covers every encrypted column, a wrong key is detected, and
every grant the storage drops is queued for revocation in the same transaction.

Runs on SQLite and on PostgreSQL (the `db` fixture)."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from storage_helpers import ManualClock, open_sqlite, sqlite_url

from storage import (
    AccountRepository,
    Database,
    LoginAttemptRepository,
    RevocationQueue,
    TokenCipher,
    WrongEncryptionKey,
    forget_user,
    verify_encryption_key,
)
from storage.keycheck import reencrypt_key_check
from storage.models import PendingGrant
from storage.schema import revocations

REPO_ROOT = Path(__file__).resolve().parent.parent
LEASE = timedelta(minutes=5)


def grant(n: int = 1) -> PendingGrant:
    return PendingGrant(
        qf_sub=f"sub-{n}",
        display_name="Amina",
        access_token=f"held-access-{n}",
        refresh_token=f"held-refresh-{n}",
        expires_at=datetime(2030, 1, 1, tzinfo=UTC),
        scopes=("openid", "note"),
    )


async def hold(repo: LoginAttemptRepository, clock: ManualClock, user: int, n: int = 1) -> str:
    state = f"state-{user}-{n}"
    await repo.create(
        state=state, telegram_user_id=user, chat_id=user, code_verifier="v", nonce="n"
    )
    await repo.consume(state, now=clock(), ttl=timedelta(minutes=10))
    code = f"confirm-{user}-{n}"
    assert await repo.hold_grant(
        state, grant(n), confirm_code=code, expires_at=clock() + timedelta(minutes=10)
    )
    return code


async def link(repo: AccountRepository, user: int, n: int = 1) -> None:
    await repo.save(
        user,
        qf_sub=f"sub-{user}",
        display_name="Amina",
        access_token=f"access-{user}-{n}",
        refresh_token=f"refresh-{user}-{n}",
        expires_at=datetime(2030, 1, 1, tzinfo=UTC),
        scopes=["openid"],
    )


async def queued_tokens(db: Database, cipher: TokenCipher) -> list[tuple[str, str]]:
    claimed = await RevocationQueue(db, cipher).claim_due(limit=100, lease=LEASE)
    return sorted((item.reason, item.token) for item in claimed)


# --- rotation ---------------------------------------------------------------------------------


async def test_rotate_keys_reencrypts_pending_grants(
    db: Database, cipher: TokenCipher, cipher_key: str, clock: ManualClock
) -> None:
    code = await hold(LoginAttemptRepository(db, cipher=cipher, clock=clock), clock, 42)
    new_key = TokenCipher.generate_key()
    both = TokenCipher([new_key, cipher_key])
    assert await LoginAttemptRepository(db, cipher=both).reencrypt_grants() == 1

    # The old key is gone: the held grant still opens, so the confirmation links.
    only_new = LoginAttemptRepository(db, cipher=TokenCipher([new_key]), clock=clock)
    taken = await only_new.take_grant(code, now=clock())
    assert taken.status == "ok" and taken.grant == grant()


async def test_rotate_keys_reencrypts_queued_revocations_and_the_key_check(
    db: Database, cipher: TokenCipher, cipher_key: str
) -> None:
    await verify_encryption_key(db, cipher)
    await RevocationQueue(db, cipher).add("refused-token", reason="refused")
    new_key = TokenCipher.generate_key()
    both = TokenCipher([new_key, cipher_key])
    assert await RevocationQueue(db, both).reencrypt_all() == 1
    assert await reencrypt_key_check(db, both)

    only_new = TokenCipher([new_key])
    await verify_encryption_key(db, only_new)  # no longer needs the old key
    assert await queued_tokens(db, only_new) == [("refused", "refused-token")]


async def test_rotate_keys_command_covers_every_encrypted_column(
    tmp_path: Path, cipher: TokenCipher, cipher_key: str, clock: ManualClock
) -> None:
    path = tmp_path / "cli.sqlite3"
    database = await open_sqlite(path)
    try:
        await verify_encryption_key(database, cipher)
        await link(AccountRepository(database, cipher), 9)
        code = await hold(LoginAttemptRepository(database, cipher=cipher, clock=clock), clock, 9)
        await RevocationQueue(database, cipher).add("dropped-token", reason="refused")
    finally:
        await database.close()
    new_key = TokenCipher.generate_key()
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "DATABASE_URL": sqlite_url(path),
        "TOKEN_ENCRYPTION_KEY": f"{new_key},{cipher_key}",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "storage", "rotate-keys", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, stderr.decode()
    assert "1 grant(s) awaiting confirmation and 1 queued revocation(s)" in stdout.decode()

    only_new = TokenCipher([new_key])
    database = await open_sqlite(path)
    try:
        await verify_encryption_key(database, only_new)
        assert await AccountRepository(database, only_new).get(9) is not None
        logins = LoginAttemptRepository(database, cipher=only_new, clock=clock)
        assert (await logins.take_grant(code, now=clock())).status == "ok"
        assert await queued_tokens(database, only_new) == [("refused", "dropped-token")]
    finally:
        await database.close()


async def test_rotate_keys_with_only_a_wrong_key_refuses(
    tmp_path: Path, cipher: TokenCipher
) -> None:
    path = tmp_path / "cli.sqlite3"
    database = await open_sqlite(path)
    try:
        await verify_encryption_key(database, cipher)
    finally:
        await database.close()
    wrong = TokenCipher.generate_key()
    env = {
        **os.environ, "PYTHONPATH": str(REPO_ROOT), "DATABASE_URL": sqlite_url(path),
        "TOKEN_ENCRYPTION_KEY": wrong,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "storage", "rotate-keys", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 2
    output = (stdout + stderr).decode()
    assert "TOKEN_ENCRYPTION_KEY=new,old" in output
    assert wrong not in output and "Traceback" not in output


# --- the key check ----------------------------------------------------------------------------


async def test_wrong_encryption_key_is_detected_by_the_check_value(
    db: Database, cipher: TokenCipher, cipher_key: str
) -> None:
    await verify_encryption_key(db, cipher)  # first start: writes the check value
    await verify_encryption_key(db, cipher)  # later starts: it opens
    with pytest.raises(WrongEncryptionKey):
        await verify_encryption_key(db, TokenCipher([TokenCipher.generate_key()]))
    # During a rotation (new key first, old one after) the bot starts.
    await verify_encryption_key(db, TokenCipher([TokenCipher.generate_key(), cipher_key]))


async def test_key_check_on_an_older_database_probes_the_stored_tokens(
    db: Database, cipher: TokenCipher
) -> None:
    await link(AccountRepository(db, cipher), 7)  # written before the check existed
    with pytest.raises(WrongEncryptionKey):
        await verify_encryption_key(db, TokenCipher([TokenCipher.generate_key()]))
    async with db.read() as connection:
        rows = (await connection.execute(text("SELECT count(*) FROM key_check"))).scalar_one()
    assert rows == 0  # nothing was written under the wrong key
    await verify_encryption_key(db, cipher)


async def test_an_empty_database_accepts_any_key_and_remembers_it(db: Database) -> None:
    first = TokenCipher([TokenCipher.generate_key()])
    await verify_encryption_key(db, first)
    with pytest.raises(WrongEncryptionKey):
        await verify_encryption_key(db, TokenCipher([TokenCipher.generate_key()]))


# --- grants dropped are queued ----------------------------------------------------------------


async def test_forget_queues_the_account_grant_and_held_grants(
    db: Database, cipher: TokenCipher, clock: ManualClock
) -> None:
    await link(AccountRepository(db, cipher), 42)
    await hold(LoginAttemptRepository(db, cipher=cipher, clock=clock), clock, 42)
    await link(AccountRepository(db, cipher), 43)

    removed = await forget_user(db, 42, now=clock())

    assert removed["revocations"] == 2
    assert await queued_tokens(db, cipher) == [
        ("forget", "held-refresh-1"), ("forget", "refresh-42-1"),
    ]


async def test_relink_queues_the_replaced_grant_but_not_a_resave(
    db: Database, cipher: TokenCipher
) -> None:
    accounts = AccountRepository(db, cipher)
    await link(accounts, 42, n=1)
    await link(accounts, 42, n=1)  # the same grant saved again replaces nothing
    await link(accounts, 42, n=2)
    assert await queued_tokens(db, cipher) == [("relink", "refresh-42-1")]


async def test_unlink_queues_and_delete_does_not(db: Database, cipher: TokenCipher) -> None:
    accounts = AccountRepository(db, cipher)
    await link(accounts, 1)
    await link(accounts, 2)
    assert await accounts.unlink(1)
    assert not await accounts.unlink(1)
    assert await accounts.delete(2)  # a grant Quran.com already refused: nothing to revoke
    assert await queued_tokens(db, cipher) == [("logout", "refresh-1-1")]


async def test_purge_queues_grants_nobody_confirmed(
    db: Database, cipher: TokenCipher, clock: ManualClock
) -> None:
    logins = LoginAttemptRepository(db, cipher=cipher, clock=clock)
    await hold(logins, clock, 42)
    clock.advance(timedelta(minutes=11))
    await logins.purge(older_than=clock() - timedelta(days=1))
    await logins.purge(older_than=clock() - timedelta(days=1))  # nothing queued twice
    assert await queued_tokens(db, cipher) == [("expired", "held-refresh-1")]


async def test_a_claimed_revocation_waits_for_its_lease_and_a_retry_for_its_time(
    db: Database, cipher: TokenCipher, clock: ManualClock
) -> None:
    queue = RevocationQueue(db, cipher, clock=clock)
    await queue.add("token-a", reason="refused")
    [item] = await queue.claim_due(limit=10, lease=LEASE)
    assert await queue.claim_due(limit=10, lease=LEASE) == []  # leased
    await queue.retry_later(item.id, at=clock() + timedelta(minutes=1), error="503")
    assert await queue.claim_due(limit=10, lease=LEASE) == []
    clock.advance(timedelta(minutes=1))
    [again] = await queue.claim_due(limit=10, lease=LEASE)
    assert (again.token, again.attempts) == ("token-a", 1)
    await queue.done(again.id)
    assert await queue.count() == 0
    assert "token-a" not in repr(again)


async def test_queued_tokens_are_stored_encrypted(db: Database, cipher: TokenCipher) -> None:
    await RevocationQueue(db, cipher).add("plain-token-value", reason="refused")
    async with db.read() as connection:
        sealed = (await connection.execute(select(revocations.c.sealed))).scalar_one()
        count = (await connection.execute(select(func.count()).select_from(revocations)))
        assert count.scalar_one() == 1
    assert "plain-token-value" not in sealed
    assert cipher.decrypt(sealed) == "plain-token-value"
