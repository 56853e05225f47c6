"""Is TOKEN_ENCRYPTION_KEY the key this database was written with?

A valid but wrong key used to start silently: every stored token failed to decrypt, every user
looked unlinked, and relinking overwrote tokens that were never revoked. The `key_check` row
holds a Fernet token of a known text, written at the first start under the key in use; at every
start (and before `rotate-keys`) the configured keys must open it.

A database from before the check has no row: then any stored ciphertext serves as the probe,
and the row is written once the keys are known to open it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage import schema
from storage.conflicts import insert_or_ignore
from storage.crypto import TokenCipher, TokenDecryptionError
from storage.database import Database
from storage.models import utc_now

#: What the check row decrypts to under the right key.
KEY_CHECK_TEXT = "quran-companion key check v1"
_ROW_ID = 1


class WrongEncryptionKey(Exception):
    """None of the configured keys opens what this database holds."""


async def verify_encryption_key(
    db: Database, cipher: TokenCipher, *, now: datetime | None = None
) -> None:
    """Raise `WrongEncryptionKey` unless `cipher` opens this database's data; on a database
    without a check row yet, write one."""
    async with db.read() as connection:
        stored = (
            await connection.execute(
                select(schema.key_check.c.token).where(schema.key_check.c.id == _ROW_ID)
            )
        ).scalar_one_or_none()
        probe = stored if stored is not None else await _any_ciphertext(connection)
    if probe is not None and not _opens(cipher, probe, expect_check_text=stored is not None):
        raise WrongEncryptionKey(
            "TOKEN_ENCRYPTION_KEY does not open the tokens stored in this database"
        )
    if stored is None:
        async with db.write() as connection:
            await insert_or_ignore(
                connection,
                schema.key_check,
                {
                    "id": _ROW_ID,
                    "token": cipher.encrypt(KEY_CHECK_TEXT),
                    "created_at": now or utc_now(),
                },
                conflict_columns=["id"],
            )


async def reencrypt_key_check(db: Database, cipher: TokenCipher) -> bool:
    """Put the check row under the newest key (`rotate-keys`); False if there is none."""
    async with db.write() as connection:
        stored = (
            await connection.execute(
                select(schema.key_check.c.token)
                .where(schema.key_check.c.id == _ROW_ID)
                .with_for_update()
            )
        ).scalar_one_or_none()
        if stored is None:
            return False
        await connection.execute(
            update(schema.key_check)
            .where(schema.key_check.c.id == _ROW_ID)
            .values(token=cipher.rotate(stored))
        )
    return True


def _opens(cipher: TokenCipher, ciphertext: str, *, expect_check_text: bool) -> bool:
    try:
        plaintext = cipher.decrypt(ciphertext)
    except TokenDecryptionError:
        return False
    return plaintext == KEY_CHECK_TEXT if expect_check_text else True


async def _any_ciphertext(connection: AsyncConnection) -> str | None:
    """One stored ciphertext of any kind, or None on a database that holds none."""
    for column in (
        schema.accounts.c.access_token,
        schema.login_attempts.c.pending_grant,
        schema.revocations.c.sealed,
    ):
        found = (
            await connection.execute(select(column).where(column.is_not(None)).limit(1))
        ).scalar_one_or_none()
        if found is not None:
            return str(found)
    return None
