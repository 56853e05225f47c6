"""TokenVault: early refresh, single flight per account, rotation stored first, unlinking."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from qf_support import START, FrozenClock, MemoryAccounts

from bot.qf.errors import BadRequest, LinkExpired, NotLinked, QFTimeout
from bot.qf.models import TokenSet
from bot.qf.tokens import TokenVault


class ScriptedRefresher:
    """Stands in for the token endpoint: rotates tokens, or fails as told."""

    def __init__(self, clock: FrozenClock, events: list[tuple[str, object]]) -> None:
        self.clock = clock
        self.events = events
        self.calls: list[str] = []
        self.failure: Exception | None = None

    async def __call__(self, refresh_token: str) -> TokenSet:
        self.calls.append(refresh_token)
        await asyncio.sleep(0.01)  # let every concurrent caller pile up on the lock
        if self.failure is not None:
            raise self.failure
        n = len(self.calls)
        self.events.append(("issued", f"access-{n}"))
        return TokenSet(
            access_token=f"access-{n}",
            refresh_token=f"refresh-{n}",
            expires_at=self.clock() + timedelta(hours=1),
            scopes=("openid", "note"),
        )


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def accounts() -> MemoryAccounts:
    store = MemoryAccounts()
    store.link(7, sub="sub-7", access_token="access-0", refresh_token="refresh-0",
               expires_at=START + timedelta(seconds=30))
    return store


@pytest.fixture
def refresher(clock: FrozenClock, accounts: MemoryAccounts) -> ScriptedRefresher:
    return ScriptedRefresher(clock, accounts.events)


@pytest.fixture
def vault(accounts: MemoryAccounts, refresher: ScriptedRefresher,
          clock: FrozenClock) -> TokenVault:
    return TokenVault(accounts, refresher, clock=clock)


async def test_token_far_from_expiry_is_used_as_is(
    accounts: MemoryAccounts, refresher: ScriptedRefresher, vault: TokenVault
) -> None:
    accounts.link(8, sub="s", access_token="fresh", refresh_token="r",
                  expires_at=START + timedelta(minutes=30))
    assert await vault.access_token(8) == "fresh"
    assert refresher.calls == []


async def test_ten_concurrent_callers_share_one_refresh(
    refresher: ScriptedRefresher, vault: TokenVault, accounts: MemoryAccounts
) -> None:
    tokens = await asyncio.gather(*(vault.access_token(7) for _ in range(10)))
    assert refresher.calls == ["refresh-0"]
    assert set(tokens) == {"access-1"}
    row = accounts.rows[7]
    assert (row.access_token, row.refresh_token) == ("access-1", "refresh-1")


async def test_rotated_refresh_token_is_stored_before_the_access_token_is_returned(
    accounts: MemoryAccounts, vault: TokenVault
) -> None:
    token = await vault.access_token(7)
    accounts.events.append(("used", token))
    assert accounts.events == [("issued", "access-1"), ("stored", "refresh-1"),
                               ("used", "access-1")]


async def test_rejected_token_refreshes_once_even_when_many_report_it(
    refresher: ScriptedRefresher, vault: TokenVault, accounts: MemoryAccounts
) -> None:
    accounts.link(7, sub="s", access_token="revoked", refresh_token="refresh-0",
                  expires_at=START + timedelta(hours=1))
    results = await asyncio.gather(
        *(vault.refresh_after_rejection(7, "revoked") for _ in range(5))
    )
    assert refresher.calls == ["refresh-0"]
    assert set(results) == {"access-1"}


async def test_invalid_grant_unlinks_and_asks_to_log_in_again(
    refresher: ScriptedRefresher, vault: TokenVault, accounts: MemoryAccounts
) -> None:
    refresher.failure = BadRequest(400, "invalid_grant", "token reused")
    with pytest.raises(LinkExpired):
        await vault.access_token(7)
    assert 7 not in accounts.rows


async def test_transient_refresh_failure_keeps_the_link(
    refresher: ScriptedRefresher, vault: TokenVault, accounts: MemoryAccounts
) -> None:
    refresher.failure = QFTimeout("token endpoint slow")
    with pytest.raises(QFTimeout):
        await vault.access_token(7)
    assert accounts.rows[7].refresh_token == "refresh-0"


async def test_unknown_user_is_not_linked(vault: TokenVault) -> None:
    with pytest.raises(NotLinked):
        await vault.access_token(999)


async def test_expired_link_without_refresh_token_is_dropped(
    vault: TokenVault, accounts: MemoryAccounts, refresher: ScriptedRefresher
) -> None:
    accounts.link(9, sub="s", access_token="a", refresh_token=None,
                  expires_at=START - timedelta(seconds=1))
    with pytest.raises(LinkExpired):
        await vault.access_token(9)
    assert 9 not in accounts.rows and refresher.calls == []


async def test_logout_during_refresh_is_not_undone(
    vault: TokenVault, accounts: MemoryAccounts, refresher: ScriptedRefresher
) -> None:
    async def log_out_meanwhile(refresh_token: str) -> TokenSet:
        await accounts.delete(7)
        return TokenSet(access_token="late", refresh_token="late-r",
                        expires_at=START + timedelta(hours=1))

    vault_with_race = TokenVault(accounts, log_out_meanwhile, clock=lambda: START)
    with pytest.raises(NotLinked):
        await vault_with_race.access_token(7)
    assert 7 not in accounts.rows
