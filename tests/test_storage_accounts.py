"""Accounts: tokens encrypted at rest, key rotation, re-linking."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text
from storage_helpers import open_sqlite, sqlite_url

from storage import AccountRepository, Database, TokenCipher, TokenDecryptionError
from storage.schema import accounts

REPO_ROOT = Path(__file__).resolve().parents[1]
EXPIRES = datetime(2025, 5, 1, 8, 30, tzinfo=UTC)


async def _link(repo: AccountRepository, user_id: int = 42, **overrides: object) -> None:
    values: dict[str, object] = {
        "qf_sub": "sub-1",
        "display_name": "Aisha",
        "access_token": f"access-{user_id}-SECRETVALUE",
        "refresh_token": f"refresh-{user_id}-SECRETVALUE",
        "expires_at": EXPIRES,
        "scopes": ["openid", "note", "goal"],
    }
    values.update(overrides)
    await repo.save(user_id, **values)  # type: ignore[arg-type]


async def test_saved_account_reads_back_with_decrypted_tokens(
    db: Database, cipher: TokenCipher
) -> None:
    repo = AccountRepository(db, cipher)
    await _link(repo)
    account = await repo.get(42)
    assert account is not None
    assert account.access_token == "access-42-SECRETVALUE"
    assert account.refresh_token == "refresh-42-SECRETVALUE"
    assert account.expires_at == EXPIRES and account.expires_at.tzinfo is not None
    assert account.scopes == ("openid", "note", "goal")
    assert account.qf_sub == "sub-1" and account.display_name == "Aisha"
    assert account.last_mutation_at is None
    assert "SECRETVALUE" not in repr(account)


async def test_tokens_are_not_stored_in_clear(db: Database, cipher: TokenCipher) -> None:
    await _link(AccountRepository(db, cipher))
    async with db.read() as connection:
        row = (await connection.execute(select(accounts))).one()
    assert "SECRETVALUE" not in row.access_token
    assert cipher.decrypt(row.access_token) == "access-42-SECRETVALUE"


async def test_no_token_bytes_anywhere_in_the_sqlite_files(
    tmp_path: Path, cipher: TokenCipher
) -> None:
    path = tmp_path / "bytes.sqlite3"
    database = await open_sqlite(path)
    repo = AccountRepository(database, cipher)
    try:
        for user_id in range(1, 6):
            await _link(repo, user_id)
        await repo.update_tokens(
            3,
            access_token="access-3-ROTATED-SECRETVALUE",
            refresh_token="refresh-3-ROTATED-SECRETVALUE",
            expires_at=EXPIRES,
            scopes=["openid"],
        )
        files = [path, Path(f"{path}-wal")]
        # The fresh writes sit in the WAL; read it and the main file.
        blobs = [file.read_bytes() for file in files if file.exists()]
    finally:
        await database.close()
    # Closing the last connection checkpoints the WAL into the main file: read that too.
    blobs += [file.read_bytes() for file in files if file.exists()]
    assert any(b"sub-1" in blob for blob in blobs)  # the data really is in these files
    assert all(b"SECRETVALUE" not in blob for blob in blobs)
    assert all(b"access-" not in blob and b"refresh-" not in blob for blob in blobs)


async def test_update_tokens_replaces_tokens_and_keeps_identity(
    db: Database, cipher: TokenCipher
) -> None:
    repo = AccountRepository(db, cipher)
    await _link(repo)
    await repo.set_last_mutation_at(42, 1_700_000_000_123)
    new_expiry = EXPIRES + timedelta(hours=1)
    assert await repo.update_tokens(
        42, access_token="a2", refresh_token="r2", expires_at=new_expiry, scopes=["openid"]
    )
    account = await repo.get(42)
    assert account is not None
    assert (account.access_token, account.refresh_token) == ("a2", "r2")
    assert account.expires_at == new_expiry and account.scopes == ("openid",)
    assert account.qf_sub == "sub-1" and account.last_mutation_at == 1_700_000_000_123


async def test_update_tokens_after_logout_reports_missing_account(
    db: Database, cipher: TokenCipher
) -> None:
    repo = AccountRepository(db, cipher)
    await _link(repo)
    assert await repo.delete(42)
    assert not await repo.delete(42)
    assert not await repo.update_tokens(
        42, access_token="a", refresh_token=None, expires_at=EXPIRES, scopes=[]
    )
    assert await repo.get(42) is None


async def test_relinking_another_quran_account_resets_mutation_clock(
    db: Database, cipher: TokenCipher
) -> None:
    repo = AccountRepository(db, cipher)
    await _link(repo)
    await repo.set_last_mutation_at(42, 111)
    await _link(repo, access_token="same-sub-new-token")
    same = await repo.get(42)
    assert same is not None and same.last_mutation_at == 111
    assert same.access_token == "same-sub-new-token"
    await _link(repo, qf_sub="sub-2", refresh_token=None)
    other = await repo.get(42)
    assert other is not None
    assert other.qf_sub == "sub-2" and other.last_mutation_at is None
    assert other.refresh_token is None


async def test_tokens_belong_to_each_user_separately(db: Database, cipher: TokenCipher) -> None:
    repo = AccountRepository(db, cipher)
    await _link(repo, 1)
    await _link(repo, 2, qf_sub="sub-2")
    first, second = await repo.get(1), await repo.get(2)
    assert first is not None and second is not None
    assert first.access_token == "access-1-SECRETVALUE"
    assert second.access_token == "access-2-SECRETVALUE" and second.qf_sub == "sub-2"


async def test_reencrypt_all_moves_every_row_to_the_newest_key(
    db: Database, cipher: TokenCipher, cipher_key: str
) -> None:
    old_repo = AccountRepository(db, cipher)
    for user_id in range(1, 8):
        await _link(old_repo, user_id)
    new_key = TokenCipher.generate_key()
    rotated = TokenCipher([new_key, cipher_key])
    repo = AccountRepository(db, rotated)
    assert await repo.reencrypt_all(batch_size=3) == 7
    assert await repo.reencrypt_all() == 0  # already done
    only_new = AccountRepository(db, TokenCipher([new_key]))
    for user_id in range(1, 8):
        account = await only_new.get(user_id)
        assert account is not None and account.access_token == f"access-{user_id}-SECRETVALUE"


async def test_account_unreadable_with_current_keys_counts_as_not_linked(
    db: Database, cipher: TokenCipher, caplog: pytest.LogCaptureFixture
) -> None:
    await _link(AccountRepository(db, cipher))
    stranger = AccountRepository(db, TokenCipher([TokenCipher.generate_key()]))
    assert await stranger.get(42) is None
    assert "cannot be decrypted" in caplog.text and "SECRETVALUE" not in caplog.text
    assert await stranger.reencrypt_all() == 0  # left for the operator, never destroyed
    assert await AccountRepository(db, cipher).get(42) is not None


def test_cipher_rejects_missing_or_malformed_keys() -> None:
    with pytest.raises(ValueError, match="TOKEN_ENCRYPTION_KEY is empty"):
        TokenCipher([])
    with pytest.raises(ValueError, match="entry 2 is not a valid Fernet key") as info:
        TokenCipher([TokenCipher.generate_key(), "not-a-key"])
    assert "not-a-key" not in str(info.value)


def test_cipher_decrypts_with_older_keys_and_encrypts_with_the_first() -> None:
    old, new = TokenCipher.generate_key(), TokenCipher.generate_key()
    token = TokenCipher([old]).encrypt("hello")
    both = TokenCipher([new, old])
    assert both.decrypt(token) == "hello"
    assert TokenCipher([new]).decrypt(both.encrypt("hi")) == "hi"
    with pytest.raises(TokenDecryptionError):
        TokenCipher([new]).decrypt(token)
    assert both.key_id == TokenCipher([new]).key_id != TokenCipher([old]).key_id


async def test_rotate_keys_command_reencrypts_the_database(
    tmp_path: Path, cipher: TokenCipher, cipher_key: str
) -> None:
    path = tmp_path / "cli.sqlite3"
    database = await open_sqlite(path)
    try:
        await _link(AccountRepository(database, cipher), 9)
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
        sys.executable,
        "-m",
        "storage",
        "rotate-keys",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, stderr.decode()
    assert "re-encrypted the tokens of 1 account(s)" in stdout.decode()
    database = await open_sqlite(path)
    try:
        account = await AccountRepository(database, TokenCipher([new_key])).get(9)
        async with database.read() as connection:
            key_ids = (await connection.execute(text("SELECT key_id FROM accounts"))).scalars()
            assert list(key_ids) == [TokenCipher([new_key]).key_id]
    finally:
        await database.close()
    assert account is not None and account.access_token == "access-9-SECRETVALUE"
