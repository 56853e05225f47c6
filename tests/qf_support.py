"""Shared pieces for the bot.qf tests (no tests here): an in-memory AccountStore that records
what happened in which order, and `QFWorld`, a client wired to the fake QF server."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from bot.qf import QFContract, QuranFoundationClient, RetryPolicy, UserSession
from sandbox.quran_foundation import FakeContract, FakeQuranFoundation

API_BASE = "https://qf.test/auth"
OAUTH_BASE = "https://qf.test"
CLIENT_ID = "demo-client"
CLIENT_SECRET = "demo-secret"
START = datetime(2026, 3, 30, 9, 0, tzinfo=UTC)


class FrozenClock:
    """A clock tests move by hand."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclasses.dataclass(frozen=True)
class MemoryAccount:
    telegram_user_id: int
    qf_sub: str
    access_token: str
    refresh_token: str | None
    expires_at: datetime
    scopes: tuple[str, ...]
    last_mutation_at: int | None = None


class MemoryAccounts:
    """AccountStore in memory. `events` keeps the order of writes, so tests can check that
    a rotated refresh token was stored before the new access token went out."""

    def __init__(self, events: list[tuple[str, Any]] | None = None) -> None:
        self.rows: dict[int, MemoryAccount] = {}
        self.events: list[tuple[str, Any]] = events if events is not None else []

    def link(self, telegram_user_id: int, *, sub: str, access_token: str,
             refresh_token: str | None, expires_at: datetime,
             scopes: tuple[str, ...] = ("openid", "offline_access", "note"),
             last_mutation_at: int | None = None) -> None:
        self.rows[telegram_user_id] = MemoryAccount(
            telegram_user_id, sub, access_token, refresh_token, expires_at, scopes,
            last_mutation_at,
        )

    async def get(self, telegram_user_id: int, /, *, fresh: bool = False) -> MemoryAccount | None:
        return self.rows.get(telegram_user_id)

    async def update_tokens(self, telegram_user_id: int, /, *, access_token: str,
                            refresh_token: str, expires_at: datetime,
                            scopes: tuple[str, ...]) -> bool:
        row = self.rows.get(telegram_user_id)
        if row is None:
            return False
        self.rows[telegram_user_id] = dataclasses.replace(
            row, access_token=access_token, refresh_token=refresh_token,
            expires_at=expires_at, scopes=scopes,
        )
        self.events.append(("stored", refresh_token))
        return True

    async def set_last_mutation_at(self, telegram_user_id: int, value: int, /) -> None:
        row = self.rows.get(telegram_user_id)
        if row is not None:
            self.rows[telegram_user_id] = dataclasses.replace(row, last_mutation_at=value)
        self.events.append(("mutation_at", value))

    async def delete(self, telegram_user_id: int, /) -> bool:
        self.events.append(("deleted", telegram_user_id))
        return self.rows.pop(telegram_user_id, None) is not None


class RecordedSleeps:
    """Injectable sleep: records the delays instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def make_client(
    http: httpx.AsyncClient,
    accounts: MemoryAccounts,
    *,
    clock: Callable[[], datetime],
    sleep: RecordedSleeps | None = None,
    contract: QFContract = QFContract.PRODUCTION,
    send_last_mutation_at: bool | None = None,
    request_deadline: float = 5.0,
    retry: RetryPolicy | None = None,
) -> QuranFoundationClient:
    return QuranFoundationClient(
        api_base_url=API_BASE,
        oauth_base_url=OAUTH_BASE,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        accounts=accounts,
        contract=contract,
        send_last_mutation_at=send_last_mutation_at,
        http=http,
        clock=clock,
        sleep=sleep or RecordedSleeps(),
        request_deadline=request_deadline,
        retry=retry,
    )


#: The contract a client deployed against each fake contract is configured with.
CLIENT_CONTRACT: dict[str, QFContract] = {
    "production": QFContract.PRODUCTION,
    "prelive": QFContract.PRELIVE,
    "2026-03-29": QFContract.PRELIVE_2026_03_29,
}

#: Every contract the note and goal suites run against.
CONTRACTS: tuple[FakeContract, ...] = ("production", "prelive", "2026-03-29")

ALL_SCOPES = ("openid", "offline_access", "user", "goal", "note", "streak", "activity_day",
              "reading_session")


@dataclasses.dataclass
class QFWorld:
    """The fake QF server, our client on top of it (in-process, ASGI), and the account store."""

    clock: FrozenClock
    fake: FakeQuranFoundation
    http: httpx.AsyncClient
    accounts: MemoryAccounts
    sleeps: RecordedSleeps
    client: QuranFoundationClient

    def link(self, telegram_user_id: int = 7, *, sub: str = "sub-7", name: str = "Aisha Khan",
             scopes: tuple[str, ...] = ALL_SCOPES, expires_in: float | None = None,
             timezone: str | None = "Asia/Riyadh") -> UserSession:
        """A linked user, with tokens issued by the fake; `expires_in` overrides the expiry
        we store (to make a token look about to expire)."""
        self.fake.seed_user(sub, name=name)
        tokens = self.fake.issue_tokens(sub, scopes)
        lifetime = tokens["expires_in"] if expires_in is None else expires_in
        self.accounts.link(
            telegram_user_id, sub=sub, access_token=tokens["access_token"],
            refresh_token=tokens.get("refresh_token"),
            expires_at=self.clock() + timedelta(seconds=lifetime),
            scopes=tuple(tokens["scope"].split()),
        )
        return self.client.for_user(telegram_user_id, timezone=timezone)

    def refresh_grants(self) -> int:
        return sum(1 for call in self.fake.token_requests if call.grant_type == "refresh_token")


@asynccontextmanager
async def qf_world(
    contract: FakeContract = "production",
    *,
    send_last_mutation_at: bool | None = None,
    request_deadline: float = 5.0,
    retry: RetryPolicy | None = None,
    check_spec: bool = True,
) -> AsyncIterator[QFWorld]:
    """Everything a QF test needs; on exit, checks that every request met the official spec."""
    clock = FrozenClock()
    fake = FakeQuranFoundation(contract=contract, clock=clock, strict=True)
    accounts = MemoryAccounts()
    sleeps = RecordedSleeps()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=fake.app)) as http:
        client = make_client(
            http, accounts, clock=clock, sleep=sleeps, contract=CLIENT_CONTRACT[contract],
            send_last_mutation_at=send_last_mutation_at, request_deadline=request_deadline,
            retry=retry,
        )
        try:
            yield QFWorld(clock, fake, http, accounts, sleeps, client)
        finally:
            await client.aclose()
    if check_spec:
        assert fake.validation_errors == []
        assert fake.response_errors == []
