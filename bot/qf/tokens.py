"""Access-token lifecycle per linked account: refresh early, refresh once, never twice at once.

QF rotates refresh tokens: every refresh returns a new one and the old one dies. Two concurrent
refreshes with the same token would make one of them fail with `invalid_grant` and sign the user
out, so refreshes are single-flight per account (a per-account lock, and a re-read of the stored
tokens after acquiring it: whoever waited finds the fresh token and uses it). The rotated token
is stored before the new access token is used, so a crash in between cannot strand the account
with a dead refresh token.

The lock is per process; the bot runs one process per database.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Protocol

from bot.qf.errors import LinkExpired, NotLinked, QFError
from bot.qf.models import TokenSet
from bot.qf.observer import IgnoringObserver, QFObserver

log = logging.getLogger(__name__)

#: Refresh this long before the access token's stated expiry, so a request sent just before
#: expiry does not reach QF with a dead token.
DEFAULT_REFRESH_MARGIN = timedelta(seconds=60)


class StoredAccount(Protocol):
    """The slice of `storage.Account` the vault reads (tokens decrypted)."""

    @property
    def telegram_user_id(self) -> int: ...
    @property
    def qf_sub(self) -> str: ...
    @property
    def access_token(self) -> str: ...
    @property
    def refresh_token(self) -> str | None: ...
    @property
    def expires_at(self) -> datetime: ...
    @property
    def scopes(self) -> tuple[str, ...]: ...
    @property
    def last_mutation_at(self) -> int | None: ...


class AccountStore(Protocol):
    """What `storage.AccountRepository` provides; kept here so bot.qf never imports storage.

    `update_tokens` and `delete` may report whether a row was there (False: the user logged
    out meanwhile). `get` may answer from what this update already read; `fresh=True` asks for
    the row as stored now.
    """

    async def get(
        self, telegram_user_id: int, /, *, fresh: bool = False
    ) -> StoredAccount | None: ...

    async def update_tokens(
        self,
        telegram_user_id: int,
        /,
        *,
        access_token: str,
        refresh_token: str,
        expires_at: datetime,
        scopes: tuple[str, ...],
    ) -> bool | None: ...

    async def set_last_mutation_at(self, telegram_user_id: int, value: int, /) -> None: ...

    async def delete(self, telegram_user_id: int, /) -> bool | None: ...


Refresher = Callable[[str], Awaitable[TokenSet]]


class TokenVault:
    """Hands out valid access tokens for linked Telegram users."""

    def __init__(
        self,
        accounts: AccountStore,
        refresher: Refresher,
        *,
        clock: Callable[[], datetime],
        refresh_margin: timedelta = DEFAULT_REFRESH_MARGIN,
    ) -> None:
        self._accounts = accounts
        self._refresher = refresher
        self._clock = clock
        self._margin = refresh_margin
        self.observer: QFObserver = IgnoringObserver()
        # Weak values: a lock lives while some coroutine holds or waits on it, then goes away,
        # so the map does not grow with every user ever seen.
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

    async def account(self, telegram_user_id: int, *, fresh: bool = False) -> StoredAccount:
        account = await self._accounts.get(telegram_user_id, fresh=fresh)
        if account is None:
            raise NotLinked()
        return account

    async def access_token(self, telegram_user_id: int) -> str:
        """A token that stays valid for at least the refresh margin."""
        account = await self.account(telegram_user_id)
        if not self._expiring(account):
            return account.access_token
        async with self._lock(telegram_user_id):
            # Afresh: a token remembered earlier in this update may have been rotated since,
            # and refreshing with a rotated refresh token would sign the user out.
            account = await self.account(telegram_user_id, fresh=True)
            if not self._expiring(account):
                return account.access_token  # another caller refreshed while we waited
            return await self._refresh(account)

    async def refresh_after_rejection(self, telegram_user_id: int, rejected: str) -> str:
        """QF answered 401 to `rejected`: refresh once, unless someone already has."""
        async with self._lock(telegram_user_id):
            account = await self.account(telegram_user_id, fresh=True)
            if account.access_token != rejected:
                return account.access_token
            return await self._refresh(account)

    async def last_mutation_at(self, telegram_user_id: int) -> int | None:
        return (await self.account(telegram_user_id)).last_mutation_at

    async def record_mutation_at(self, telegram_user_id: int, value: int) -> None:
        await self._accounts.set_last_mutation_at(telegram_user_id, value)

    def _lock(self, telegram_user_id: int) -> asyncio.Lock:
        lock = self._locks.get(telegram_user_id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[telegram_user_id] = lock
        return lock

    def _expiring(self, account: StoredAccount) -> bool:
        return account.expires_at - self._margin <= self._clock()

    async def _refresh(self, account: StoredAccount) -> str:
        user_id = account.telegram_user_id
        if not account.refresh_token:
            # Linked without offline_access: once the access token dies, so does the link.
            log.info("access token of user %s expired and there is no refresh token", user_id)
            self.observer.token_refreshed("no_refresh_token")
            await self._accounts.delete(user_id)
            raise LinkExpired("no refresh token")
        try:
            tokens = await self._refresher(account.refresh_token)
        except QFError as error:
            if error.code == "invalid_grant":
                # The refresh token is dead (expired, revoked or already rotated): nothing we
                # hold can get a new access token, so drop the link and ask for a new login.
                self.observer.token_refreshed("invalid_grant")
                log.info("refresh token rejected for user %s; unlinking", user_id)
                await self._accounts.delete(user_id)
                raise LinkExpired() from error
            self.observer.token_refreshed("failed")
            raise
        self.observer.token_refreshed("ok")
        stored = await self._accounts.update_tokens(
            user_id,
            access_token=tokens.access_token,
            refresh_token=tokens.refresh_token or account.refresh_token,
            expires_at=tokens.expires_at,
            scopes=tokens.scopes or account.scopes,
        )
        if stored is False:
            raise NotLinked("account removed while refreshing")
        log.debug("refreshed access token for user %s", user_id)
        return tokens.access_token
