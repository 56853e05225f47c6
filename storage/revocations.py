"""Grants waiting to be revoked at Quran.com, kept until Quran.com has confirmed it.

Whenever the bot stops holding a grant (/forget, /logout, a relink replacing the old tokens, a
confirmation that expired), the repository that drops it puts its token here *in the same
transaction* (`queue_in`): a grant can leave the bot's tables only by entering this one, so a
crash, a restart or Quran.com being down cannot strand an active grant at Quran.com. A background
job (`bot.services.revocations`) revokes what is due and removes it; a failure stays queued with
a later `next_attempt_at`.

Rows copy the ciphertext they were stored under (no decryption on the way in, so a row whose key
is missing is still queued) and carry no Telegram user id: they outlive /forget on purpose.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage import schema
from storage.crypto import TokenCipher, TokenDecryptionError
from storage.database import Database
from storage.grants import open_grant
from storage.models import Clock, utc_now

logger = logging.getLogger(__name__)

_t = schema.revocations

#: How a row's `sealed` text is to be read: a Fernet token of the token itself, or a whole
#: pending grant as `storage.logins` seals it (its refresh token is revoked, else its access one).
SealedForm = Literal["token", "grant"]
#: Longest error code kept per row (the column's size).
_ERROR_LENGTH = 64


@dataclass(frozen=True, slots=True)
class QueuedRevocation:
    """A grant to revoke, its token decrypted."""

    id: int
    token: str
    reason: str
    attempts: int
    created_at: datetime

    def __repr__(self) -> str:
        return (
            f"QueuedRevocation(id={self.id!r}, reason={self.reason!r}, "
            f"attempts={self.attempts!r}, token=<hidden>)"
        )


async def queue_in(
    connection: AsyncConnection,
    *,
    sealed: str,
    form: SealedForm,
    reason: str,
    now: datetime,
) -> None:
    """Queue a revocation inside the caller's transaction (the one that drops the grant)."""
    await connection.execute(
        insert(_t).values(
            sealed=sealed,
            form=form,
            reason=reason,
            attempts=0,
            next_attempt_at=now,
            last_error=None,
            created_at=now,
        )
    )


class RevocationQueue:
    def __init__(self, db: Database, cipher: TokenCipher, *, clock: Clock = utc_now) -> None:
        self._db = db
        self._cipher = cipher
        self._clock = clock

    async def add(self, token: str, *, reason: str) -> None:
        """Queue a token the caller holds in clear (a grant that was never stored)."""
        async with self._db.write() as connection:
            await queue_in(
                connection,
                sealed=self._cipher.encrypt(token),
                form="token",
                reason=reason,
                now=self._clock(),
            )

    async def claim_due(
        self, *, limit: int, lease: timedelta, newest_first: bool = False
    ) -> list[QueuedRevocation]:
        """Take up to `limit` due rows for `lease`: another drain (or instance) skips them until
        then, and a crash mid-revocation only delays them by the lease.

        A row no configured key opens is postponed (and logged), never handed out or dropped.
        """
        now = self._clock()
        order = _t.c.id.desc() if newest_first else _t.c.next_attempt_at
        claimed: list[QueuedRevocation] = []
        async with self._db.write() as connection:
            rows = (
                await connection.execute(
                    select(_t)
                    .where(_t.c.next_attempt_at <= now)
                    .order_by(order)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            for row in rows:
                try:
                    token = self._open(row.sealed, row.form)
                except TokenDecryptionError:
                    logger.error(
                        "queued revocation %s cannot be decrypted with TOKEN_ENCRYPTION_KEY; "
                        "kept for when the key that wrote it is configured again",
                        row.id,
                    )
                    await connection.execute(
                        update(_t)
                        .where(_t.c.id == row.id)
                        .values(next_attempt_at=now + lease * 12, last_error="undecryptable")
                    )
                    continue
                await connection.execute(
                    update(_t).where(_t.c.id == row.id).values(next_attempt_at=now + lease)
                )
                claimed.append(
                    QueuedRevocation(row.id, token, row.reason, row.attempts, row.created_at)
                )
        return claimed

    def _open(self, sealed: str, form: str) -> str:
        if form == "grant":
            grant = open_grant(self._cipher, sealed)
            return grant.refresh_token or grant.access_token
        return self._cipher.decrypt(sealed)

    async def done(self, revocation_id: int) -> None:
        """Quran.com confirmed the revocation: forget the token for good."""
        async with self._db.write() as connection:
            await connection.execute(delete(_t).where(_t.c.id == revocation_id))

    async def retry_later(self, revocation_id: int, *, at: datetime, error: str) -> None:
        async with self._db.write() as connection:
            await connection.execute(
                update(_t)
                .where(_t.c.id == revocation_id)
                .values(
                    attempts=_t.c.attempts + 1,
                    next_attempt_at=at,
                    last_error=error[:_ERROR_LENGTH],
                )
            )

    async def count(self) -> int:
        async with self._db.read() as connection:
            return int(
                (await connection.execute(select(func.count()).select_from(_t))).scalar_one()
            )

    async def reencrypt_all(self, *, batch_size: int = 200) -> int:
        """Re-encrypt every queued token with the newest key; rows no key opens stay as they are.

        The queue is short (it drains within minutes while Quran.com answers), so every row is
        rewritten rather than tracked by key id.
        """
        changed = 0
        last_id = 0
        while True:
            async with self._db.write() as connection:
                rows = (
                    await connection.execute(
                        select(_t.c.id, _t.c.sealed)
                        .where(_t.c.id > last_id)
                        .order_by(_t.c.id)
                        .limit(batch_size)
                        .with_for_update()
                    )
                ).all()
                if not rows:
                    return changed
                for row in rows:
                    last_id = row.id
                    try:
                        sealed = self._cipher.rotate(row.sealed)
                    except TokenDecryptionError:
                        logger.error(
                            "queued revocation %s cannot be decrypted with any configured "
                            "key; left unchanged",
                            row.id,
                        )
                        continue
                    await connection.execute(
                        update(_t).where(_t.c.id == row.id).values(sealed=sealed)
                    )
                    changed += 1

