"""OAuth login attempts: the `state` a login link carries, bound to the Telegram user.

A state is redeemed at most once: lookup and marking it used happen in one write transaction,
so two requests racing with the same callback URL cannot both succeed. Used rows are kept (until
`purge`) so a replayed link gets "already used" rather than "unknown".

The callback does not link: whoever's browser finished sign-in is unknown to the bot, so the
grant is held on the attempt (`hold_grant`, encrypted like account tokens) under a one-time
confirm code, and only `take_grant`, called when a Telegram user opens the confirm link, hands it
out, once, in the same single-transaction way as `consume`.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, delete, insert, or_, select, update

from storage import schema
from storage.crypto import TokenCipher, TokenDecryptionError
from storage.database import Database
from storage.grants import open_grant, seal_grant
from storage.models import (
    Clock,
    ConsumeResult,
    LoginAttempt,
    PendingGrant,
    TakeGrantResult,
    utc_now,
)
from storage.revocations import queue_in

logger = logging.getLogger(__name__)

_t = schema.login_attempts


def _attempt(row: Row[Any]) -> LoginAttempt:
    return LoginAttempt(
        state=row.state,
        telegram_user_id=row.telegram_user_id,
        chat_id=row.chat_id,
        code_verifier=row.code_verifier,
        nonce=row.nonce,
        created_at=row.created_at,
        used_at=row.used_at,
        language=row.language,
    )


class LoginAttemptRepository:
    def __init__(
        self, db: Database, *, cipher: TokenCipher | None = None, clock: Clock = utc_now
    ) -> None:
        """`cipher` is needed only to hold and take grants; without it those methods refuse."""
        self._db = db
        self._cipher = cipher
        self._clock = clock

    def _require_cipher(self) -> TokenCipher:
        if self._cipher is None:
            raise RuntimeError("LoginAttemptRepository needs a TokenCipher to hold grants")
        return self._cipher

    async def create(
        self,
        *,
        state: str,
        telegram_user_id: int,
        chat_id: int,
        code_verifier: str,
        nonce: str,
        language: str | None = None,
        now: datetime | None = None,
    ) -> LoginAttempt:
        attempt = LoginAttempt(
            state=state,
            telegram_user_id=telegram_user_id,
            chat_id=chat_id,
            code_verifier=code_verifier,
            nonce=nonce,
            created_at=now or self._clock(),
            used_at=None,
            language=language,
        )
        async with self._db.write() as connection:
            await connection.execute(
                insert(_t).values(
                    state=attempt.state,
                    telegram_user_id=attempt.telegram_user_id,
                    chat_id=attempt.chat_id,
                    code_verifier=attempt.code_verifier,
                    nonce=attempt.nonce,
                    language=attempt.language,
                    created_at=attempt.created_at,
                    used_at=None,
                )
            )
        return attempt

    async def get(self, state: str) -> LoginAttempt | None:
        async with self._db.read() as connection:
            row = (await connection.execute(select(_t).where(_t.c.state == state))).first()
        return None if row is None else _attempt(row)

    async def consume(self, state: str, *, now: datetime, ttl: timedelta) -> ConsumeResult:
        """Redeem `state` once. An expired state is also marked used: it can never succeed."""
        async with self._db.write() as connection:
            row = (
                await connection.execute(select(_t).where(_t.c.state == state).with_for_update())
            ).first()
            if row is None:
                return ConsumeResult(status="unknown", attempt=None)
            attempt = _attempt(row)
            if attempt.used_at is not None:
                return ConsumeResult(status="used", attempt=attempt)
            await connection.execute(update(_t).where(_t.c.state == state).values(used_at=now))
        attempt = replace(attempt, used_at=now)
        if now - attempt.created_at > ttl:
            return ConsumeResult(status="expired", attempt=attempt)
        return ConsumeResult(status="ok", attempt=attempt)

    async def hold_grant(
        self, state: str, grant: PendingGrant, *, confirm_code: str, expires_at: datetime
    ) -> bool:
        """Keep `grant`, encrypted, on the redeemed attempt `state` until `expires_at`.

        False if the attempt is gone (the user erased their data meanwhile) or already holds a
        grant: a state is redeemed once, so a second grant means a bug, never a second link.
        """
        sealed = seal_grant(self._require_cipher(), grant)
        async with self._db.write() as connection:
            result = await connection.execute(
                update(_t)
                .where(_t.c.state == state, _t.c.confirm_code.is_(None))
                .values(
                    confirm_code=confirm_code,
                    pending_grant=sealed,
                    confirm_expires_at=expires_at,
                )
            )
        return bool(result.rowcount)

    async def take_grant(self, confirm_code: str, *, now: datetime) -> TakeGrantResult:
        """Redeem a confirm code once: the held grant is read and erased in one transaction.

        Whoever redeems it, the grant leaves the database, so a code opened by the wrong Telegram
        user cannot be retried by the right one (the caller revokes the grant instead).
        """
        cipher = self._require_cipher()
        async with self._db.write() as connection:
            row = (
                await connection.execute(
                    select(_t).where(_t.c.confirm_code == confirm_code).with_for_update()
                )
            ).first()
            if row is None:
                return TakeGrantResult(status="unknown", attempt=None, grant=None)
            attempt = _attempt(row)
            if row.confirmed_at is not None:
                return TakeGrantResult(status="used", attempt=attempt, grant=None)
            sealed: str | None = row.pending_grant
            await connection.execute(
                update(_t)
                .where(_t.c.state == row.state)
                .values(pending_grant=None, confirmed_at=now)
            )
        grant = None
        if sealed is not None:
            try:
                grant = open_grant(cipher, sealed)
            except TokenDecryptionError:
                logger.error(
                    "a held Quran.com grant of Telegram user %s cannot be decrypted with "
                    "TOKEN_ENCRYPTION_KEY; the user has to sign in again",
                    attempt.telegram_user_id,
                )
                # Still active at Quran.com: queued, in case the key that opens it comes back.
                async with self._db.write() as connection:
                    await queue_in(
                        connection, sealed=sealed, form="grant", reason="expired", now=now
                    )
        expired = row.confirm_expires_at is None or now >= row.confirm_expires_at
        if grant is None or expired:
            return TakeGrantResult(status="expired", attempt=attempt, grant=grant)
        return TakeGrantResult(status="ok", attempt=attempt, grant=grant)

    async def purge(self, *, older_than: datetime, now: datetime | None = None) -> int:
        """Delete attempts created before `older_than` (used or not); returns the count.

        Grants nobody confirmed in time are erased too (rows are kept a while longer so their
        links still get "expired" rather than "unknown"), each one queued for revocation at
        Quran.com in the same transaction: the grant is still active there.
        """
        now = now or self._clock()
        async with self._db.write() as connection:
            dropped = (
                await connection.execute(
                    select(_t.c.state, _t.c.pending_grant)
                    .where(
                        _t.c.pending_grant.is_not(None),
                        or_(_t.c.confirm_expires_at < now, _t.c.created_at < older_than),
                    )
                    .with_for_update()
                )
            ).all()
            for row in dropped:
                await queue_in(
                    connection, sealed=row.pending_grant, form="grant", reason="expired", now=now
                )
                await connection.execute(
                    update(_t).where(_t.c.state == row.state).values(pending_grant=None)
                )
            result = await connection.execute(delete(_t).where(_t.c.created_at < older_than))
        return result.rowcount

    async def reencrypt_grants(self) -> int:
        """Re-encrypt every grant held for confirmation with the newest key (`rotate-keys`).

        Without this a rotation leaves them under the old key: once it is removed, a
        confirmation answers "expired" although the grant is still active at Quran.com.
        Grants no configured key opens are left as they are (and logged).
        """
        cipher = self._require_cipher()
        changed = 0
        async with self._db.write() as connection:
            rows = (
                await connection.execute(
                    select(_t.c.state, _t.c.telegram_user_id, _t.c.pending_grant)
                    .where(_t.c.pending_grant.is_not(None))
                    .with_for_update()
                )
            ).all()
            for row in rows:
                try:
                    sealed = cipher.rotate(row.pending_grant)
                except TokenDecryptionError:
                    logger.error(
                        "a held grant of Telegram user %s cannot be decrypted with any "
                        "configured key; left unchanged",
                        row.telegram_user_id,
                    )
                    continue
                await connection.execute(
                    update(_t).where(_t.c.state == row.state).values(pending_grant=sealed)
                )
                changed += 1
        return changed
