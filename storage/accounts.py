"""Linked Quran.com accounts, keyed by Telegram user id (never by chat: tokens are personal).

Tokens are encrypted before they reach SQL and decrypted on the way out; the database never
sees them in clear.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage import schema, update_scope
from storage.conflicts import upsert
from storage.crypto import TokenCipher, TokenDecryptionError
from storage.database import Database
from storage.models import Account, Clock, utc_now
from storage.revocations import queue_in

logger = logging.getLogger(__name__)

_t = schema.accounts


def _join_scopes(scopes: Iterable[str]) -> str:
    return " ".join(dict.fromkeys(scope for scope in scopes if scope))


class AccountRepository:
    def __init__(self, db: Database, cipher: TokenCipher, *, clock: Clock = utc_now) -> None:
        self._db = db
        self._cipher = cipher
        self._clock = clock

    def _account(self, row: Row[Any]) -> Account | None:
        try:
            access_token = self._cipher.decrypt(row.access_token)
            refresh_token = (
                None if row.refresh_token is None else self._cipher.decrypt(row.refresh_token)
            )
        except TokenDecryptionError:
            # A lost or mistyped key must not take the bot down: the user is treated as not
            # linked and can log in again. The operator sees why.
            logger.error(
                "tokens of Telegram user %s cannot be decrypted with TOKEN_ENCRYPTION_KEY "
                "(key id %s); treating the account as not linked",
                row.telegram_user_id,
                row.key_id,
            )
            return None
        return Account(
            telegram_user_id=row.telegram_user_id,
            qf_sub=row.qf_sub,
            display_name=row.display_name,
            access_token=access_token,
            refresh_token=refresh_token,
            expires_at=row.expires_at,
            scopes=tuple(row.scopes.split()),
            last_mutation_at=row.last_mutation_at,
        )

    async def get(self, user_id: int, *, fresh: bool = False) -> Account | None:
        """The user's account; within an update, read once (`storage.update_scope`) unless
        `fresh` (the token vault before a refresh: the row as committed now)."""
        if not fresh:
            known, account = update_scope.remembered_account(user_id)
            if known:
                return account
        async with self._db.read() as connection:
            row = (
                await connection.execute(select(_t).where(_t.c.telegram_user_id == user_id))
            ).first()
        account = None if row is None else self._account(row)
        update_scope.remember_account(user_id, account)
        return account

    @contextlib.asynccontextmanager
    async def _changing(self, user_id: int) -> AsyncIterator[AsyncConnection]:
        """A write to one account: the account remembered for this update is dropped before it,
        and again after it (another task of the update may have read the old row meanwhile)."""
        update_scope.forget_account(user_id)
        try:
            async with self._db.write() as connection:
                yield connection
        finally:
            update_scope.forget_account(user_id)

    async def save(
        self,
        user_id: int,
        *,
        qf_sub: str,
        display_name: str | None,
        access_token: str,
        refresh_token: str | None,
        expires_at: datetime,
        scopes: Iterable[str],
    ) -> Account:
        """Link (or re-link) the user. Linking a different Quran.com account resets its
        `last_mutation_at`, which belongs to the old account's data.

        The grant a re-link replaces is queued for revocation in the same transaction (see
        `storage.revocations`): the bot stops holding it, Quran.com must stop honouring it.
        """
        now = self._clock()
        async with self._changing(user_id) as connection:
            previous = (
                await connection.execute(
                    select(
                        _t.c.qf_sub,
                        _t.c.last_mutation_at,
                        _t.c.created_at,
                        _t.c.access_token,
                        _t.c.refresh_token,
                    )
                    .where(_t.c.telegram_user_id == user_id)
                    .with_for_update()
                )
            ).first()
            if previous is not None and not self._same_grant(
                previous.access_token, previous.refresh_token, access_token, refresh_token
            ):
                await queue_in(
                    connection,
                    sealed=previous.refresh_token or previous.access_token,
                    form="token",
                    reason="relink",
                    now=now,
                )
            keep_mutation = previous is not None and previous.qf_sub == qf_sub
            last_mutation_at: int | None = (
                previous.last_mutation_at if previous is not None and keep_mutation else None
            )
            scope_text = _join_scopes(scopes)
            values: dict[str, Any] = {
                "telegram_user_id": user_id,
                "qf_sub": qf_sub,
                "display_name": display_name,
                "access_token": self._cipher.encrypt(access_token),
                "refresh_token": (
                    None if refresh_token is None else self._cipher.encrypt(refresh_token)
                ),
                "key_id": self._cipher.key_id,
                "expires_at": expires_at,
                "scopes": scope_text,
                "last_mutation_at": last_mutation_at,
                "created_at": previous.created_at if previous is not None else now,
                "updated_at": now,
            }
            await upsert(
                connection,
                _t,
                values,
                conflict_columns=["telegram_user_id"],
                update_columns=[name for name in values if name != "telegram_user_id"],
            )
        return Account(
            telegram_user_id=user_id,
            qf_sub=qf_sub,
            display_name=display_name,
            access_token=access_token,
            refresh_token=refresh_token,
            expires_at=expires_at,
            scopes=tuple(scope_text.split()),
            last_mutation_at=last_mutation_at,
        )

    def _same_grant(
        self, stored_access: str, stored_refresh: str | None, access_token: str,
        refresh_token: str | None,
    ) -> bool:
        """Whether the stored tokens are the ones being saved (then nothing is replaced)."""
        try:
            if stored_refresh is not None and refresh_token is not None:
                return self._cipher.decrypt(stored_refresh) == refresh_token
            return self._cipher.decrypt(stored_access) == access_token
        except TokenDecryptionError:
            return False

    async def update_tokens(
        self,
        user_id: int,
        *,
        access_token: str,
        refresh_token: str | None,
        expires_at: datetime,
        scopes: Iterable[str],
    ) -> bool:
        """Store refreshed tokens; False if the account was deleted meanwhile (logged out)."""
        async with self._changing(user_id) as connection:
            result = await connection.execute(
                update(_t)
                .where(_t.c.telegram_user_id == user_id)
                .values(
                    access_token=self._cipher.encrypt(access_token),
                    refresh_token=(
                        None if refresh_token is None else self._cipher.encrypt(refresh_token)
                    ),
                    key_id=self._cipher.key_id,
                    expires_at=expires_at,
                    scopes=_join_scopes(scopes),
                    updated_at=self._clock(),
                )
            )
        return result.rowcount > 0

    async def set_last_mutation_at(self, user_id: int, value: int | None) -> None:
        async with self._changing(user_id) as connection:
            await connection.execute(
                update(_t)
                .where(_t.c.telegram_user_id == user_id)
                .values(last_mutation_at=value, updated_at=self._clock())
            )

    async def delete(self, user_id: int) -> bool:
        """Drop the link without revoking it: for grants Quran.com already refused."""
        async with self._changing(user_id) as connection:
            result = await connection.execute(delete(_t).where(_t.c.telegram_user_id == user_id))
        return result.rowcount > 0

    async def unlink(self, user_id: int, *, reason: str = "logout") -> bool:
        """Drop the link and queue its grant for revocation, in one transaction (/logout)."""
        async with self._changing(user_id) as connection:
            row = (
                await connection.execute(
                    select(_t.c.access_token, _t.c.refresh_token)
                    .where(_t.c.telegram_user_id == user_id)
                    .with_for_update()
                )
            ).first()
            if row is None:
                return False
            await queue_in(
                connection,
                sealed=row.refresh_token or row.access_token,
                form="token",
                reason=reason,
                now=self._clock(),
            )
            await connection.execute(delete(_t).where(_t.c.telegram_user_id == user_id))
        return True

    async def reencrypt_all(self, *, batch_size: int = 200) -> int:
        """Re-encrypt every token not yet under the newest key; returns how many rows changed.

        Works in batches so a large table never holds the write lock for long. Rows that no
        configured key can open are left alone (and logged), not destroyed.
        """
        changed = 0
        skipped: set[int] = set()
        update_scope.forget_account()
        while True:
            async with self._db.write() as connection:
                rows = (
                    await connection.execute(
                        select(_t.c.telegram_user_id, _t.c.access_token, _t.c.refresh_token)
                        .where(_t.c.key_id != self._cipher.key_id)
                        .where(_t.c.telegram_user_id.not_in(skipped))
                        .order_by(_t.c.telegram_user_id)
                        .limit(batch_size)
                        .with_for_update()
                    )
                ).all()
                if not rows:
                    return changed
                for row in rows:
                    try:
                        access_token = self._cipher.rotate(row.access_token)
                        refresh_token = (
                            None
                            if row.refresh_token is None
                            else self._cipher.rotate(row.refresh_token)
                        )
                    except TokenDecryptionError:
                        logger.error(
                            "tokens of Telegram user %s cannot be decrypted with any "
                            "configured key; left unchanged",
                            row.telegram_user_id,
                        )
                        skipped.add(row.telegram_user_id)
                        continue
                    await connection.execute(
                        update(_t)
                        .where(_t.c.telegram_user_id == row.telegram_user_id)
                        .values(
                            access_token=access_token,
                            refresh_token=refresh_token,
                            key_id=self._cipher.key_id,
                        )
                    )
                    changed += 1
