"""OAuth login attempts: the `state` a login link carries, bound to the Telegram user.

A state is redeemed at most once: lookup and marking it used happen in one write transaction,
so two requests racing with the same callback URL cannot both succeed. Used rows are kept (until
`purge`) so a replayed link gets "already used" rather than "unknown".
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, delete, insert, select, update

from storage import schema
from storage.database import Database
from storage.models import Clock, ConsumeResult, LoginAttempt, utc_now

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
    def __init__(self, db: Database, *, clock: Clock = utc_now) -> None:
        self._db = db
        self._clock = clock

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

    async def purge(self, *, older_than: datetime) -> int:
        """Delete attempts created before `older_than` (used or not); returns the count."""
        async with self._db.write() as connection:
            result = await connection.execute(delete(_t).where(_t.c.created_at < older_than))
        return result.rowcount
