"""Failures end to end: each error status reaches the user as a friendly reply; reads retry,
writes never double; a note whose answer was lost is found, not sent twice."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from qf_support import QFWorld, qf_world

from bot.i18n import get_translator
from bot.qf import (
    BadGateway,
    Conflict,
    Forbidden,
    GatewayTimeout,
    NoteInput,
    NotFound,
    QFConnectionError,
    QFError,
    QFTimeout,
    RateLimited,
    ServerError,
    Unauthorized,
    Unavailable,
    Unprocessable,
    UserSession,
    friendly_error,
)
from bot.qf.errors import BadRequest

EN = get_translator("en")
MUSHAF = 4
NOTES = r"/auth/v1/notes$"


@pytest.fixture
async def world() -> AsyncIterator[QFWorld]:
    async with qf_world("production", request_deadline=0.3) as w:
        yield w


@pytest.fixture
def user(world: QFWorld) -> UserSession:
    return world.link()


async def _reply_for(call: Callable[[], Any]) -> tuple[QFError, str]:
    with pytest.raises(QFError) as caught:
        await call()
    return caught.value, friendly_error(caught.value, EN)


@pytest.mark.parametrize(
    ("status", "cls", "words"),
    [
        (400, BadRequest, ["didn't accept", "check"]),
        (403, Forbidden, ["/login"]),
        (404, NotFound, ["deleted on Quran.com"]),
        (409, Conflict, ["changed", "try again"]),
        (422, Unprocessable, ["didn't accept"]),
        (500, ServerError, ["trouble", "try again"]),
    ],
)
async def test_non_retried_statuses_become_friendly_replies(
    world: QFWorld, user: UserSession, status: int, cls: type[QFError], words: list[str]
) -> None:
    world.fake.fail_next(status, path="/v1/notes")
    error, reply = await _reply_for(user.list_notes)
    assert isinstance(error, cls) and error.status == status
    assert all(word in reply for word in words), reply
    assert len(world.fake.api_requests("GET", "/v1/notes")) == 1  # not retried


@pytest.mark.parametrize(
    ("status", "cls", "words"),
    [
        (429, RateLimited, ["busy", "minute"]),
        (502, BadGateway, ["aren't answering", "try again"]),
        (503, Unavailable, ["unavailable", "try again"]),
        (504, GatewayTimeout, ["aren't answering", "try again"]),
    ],
)
async def test_transient_statuses_are_retried_three_times_then_explained(
    world: QFWorld, user: UserSession, status: int, cls: type[QFError], words: list[str]
) -> None:
    world.fake.fail_next(status, path="/v1/notes", times=3)
    error, reply = await _reply_for(user.list_notes)
    assert type(error) is cls
    assert all(word in reply for word in words), reply
    assert len(world.fake.api_requests("GET", "/v1/notes")) == 3
    assert len(world.sleeps.delays) == 2
    assert world.sleeps.delays[0] < world.sleeps.delays[1]  # exponential backoff


async def test_html_502_from_a_proxy_is_explained_without_markup(
    world: QFWorld, user: UserSession
) -> None:
    world.fake.fail_next(502, path="/v1/notes", times=3, non_json=True)
    error, reply = await _reply_for(user.list_notes)
    assert isinstance(error, BadGateway)
    assert "<" not in reply and "aren't answering" in reply


async def test_timeouts_and_dropped_connections_on_reads_are_retried_then_explained(
    world: QFWorld, user: UserSession
) -> None:
    world.fake.timeout_next(path="/v1/notes", times=3)
    error, reply = await _reply_for(user.list_notes)
    assert isinstance(error, QFTimeout) and "too long" in reply
    world.fake.drop_next(path="/v1/notes", times=3)
    error, reply = await _reply_for(user.list_notes)
    assert isinstance(error, QFConnectionError) and "reach Quran.com" in reply
    assert len(world.fake.api_requests("GET", "/v1/notes")) == 6


async def test_a_slow_answer_hits_our_own_deadline(world: QFWorld, user: UserSession) -> None:
    world.fake.delay_next(2.0, path="/v1/streaks/current", times=3, apply=False)
    with pytest.raises(QFTimeout):
        await user.current_streak_days()


async def test_read_recovers_after_a_transient_failure(world: QFWorld, user: UserSession) -> None:
    world.fake.fail_next(503, path="/v1/streaks/current", times=2)
    assert await user.current_streak_days() == 0
    assert len(world.sleeps.delays) == 2


async def test_retry_after_is_honoured(world: QFWorld, user: UserSession) -> None:
    world.fake.fail_next(429, path="/v1/streaks/current", retry_after=2)
    assert await user.current_streak_days() == 0
    assert world.sleeps.delays == [2.0]


async def test_retry_after_beyond_the_budget_is_told_to_the_user(
    world: QFWorld, user: UserSession
) -> None:
    world.fake.fail_next(429, path="/v1/streaks/current", retry_after=30)
    error, reply = await _reply_for(user.current_streak_days)
    assert isinstance(error, RateLimited) and error.retry_after == 30
    assert "30 seconds" in reply
    assert world.sleeps.delays == []


async def test_expired_session_that_cannot_refresh_asks_to_link_again(
    world: QFWorld, user: UserSession
) -> None:
    world.fake.fail_next(401, path="/v1/notes", times=2)
    error, reply = await _reply_for(user.list_notes)
    assert isinstance(error, Unauthorized)
    assert "/login" in reply
    assert world.refresh_grants() == 1  # refreshed once, retried once, then gave up


async def test_missing_scope_names_the_feature(world: QFWorld) -> None:
    user = world.link(scopes=("openid", "offline_access", "note"))
    error, reply = await _reply_for(user.current_streak_days)
    assert isinstance(error, Forbidden)
    assert "streaks" in reply and "/login" in reply


async def test_writes_are_not_retried_on_transient_statuses(
    world: QFWorld, user: UserSession
) -> None:
    world.fake.fail_next(503, method="POST", path="/v1/activity-days")
    with pytest.raises(Unavailable):
        await user.add_activity_day(["1:1-1:7"], 60, MUSHAF)
    assert len(world.fake.api_requests("POST", "/v1/activity-days")) == 1
    assert world.sleeps.delays == []


async def test_activity_day_is_never_resent_after_an_ambiguous_timeout(
    world: QFWorld, user: UserSession
) -> None:
    world.fake.delay_next(2.0, method="POST", path="/v1/activity-days", apply=True)
    with pytest.raises(QFTimeout) as caught:
        await user.add_activity_day(["1:1-1:7"], 60, MUSHAF)
    assert caught.value.ambiguous
    assert len(world.fake.api_requests("POST", "/v1/activity-days")) == 1
    (day,) = world.fake.users["sub-7"].activity_days.values()
    assert day.seconds == 60  # credited exactly once; the handler decides what to tell


async def test_note_whose_answer_timed_out_is_found_not_duplicated(
    world: QFWorld, user: UserSession
) -> None:
    world.fake.delay_next(2.0, method="POST", path=NOTES, apply=True)
    saved = await user.create_note(NoteInput(body="Lost answer", ranges=["2:255-2:255"]))
    assert saved.note.body == "Lost answer"
    assert len(world.fake.users["sub-7"].notes) == 1
    assert len(world.fake.api_requests("POST", "/v1/notes$")) == 1


async def test_note_lost_before_reaching_qf_is_sent_again_once(
    world: QFWorld, user: UserSession
) -> None:
    world.fake.drop_next(method="POST", path=NOTES, apply=False)
    saved = await user.create_note(NoteInput(body="Dropped on the way", ranges=["1:1-1:1"]))
    notes = world.fake.users["sub-7"].notes
    assert list(notes) == [saved.note.id]
    assert len(world.fake.api_requests("POST", "/v1/notes$")) == 2


async def test_note_dropped_after_saving_is_found_not_duplicated(
    world: QFWorld, user: UserSession
) -> None:
    world.fake.drop_next(method="POST", path=NOTES, apply=True)
    saved = await user.create_note(NoteInput(body="Saved then dropped", ranges=["1:1-1:1"]))
    assert list(world.fake.users["sub-7"].notes) == [saved.note.id]


async def test_unverifiable_note_is_not_resent(world: QFWorld, user: UserSession) -> None:
    world.fake.drop_next(method="POST", path=NOTES, apply=True)
    world.fake.fail_next(503, path="/v1/notes/by-range", times=3)
    with pytest.raises(QFConnectionError) as caught:
        await user.create_note(NoteInput(body="Cannot check", ranges=["1:1-1:1"]))
    assert caught.value.ambiguous
    assert len(world.fake.users["sub-7"].notes) == 1
    assert len(world.fake.api_requests("POST", "/v1/notes$")) == 1


async def test_an_older_identical_note_is_not_mistaken_for_the_lost_one(
    world: QFWorld, user: UserSession
) -> None:
    await user.create_note(NoteInput(body="Same words", ranges=["1:1-1:1"]))
    world.clock.advance(hours=1)
    world.fake.drop_next(method="POST", path=NOTES, apply=False)
    await user.create_note(NoteInput(body="Same words", ranges=["1:1-1:1"]))
    assert len(world.fake.users["sub-7"].notes) == 2


class RefusingTransport(httpx.AsyncBaseTransport):
    """Refuses the first `refusals` connections (the request never leaves), then delegates."""

    def __init__(self, inner: httpx.AsyncBaseTransport, refusals: int) -> None:
        self.inner = inner
        self.refusals = refusals

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.refusals > 0:
            self.refusals -= 1
            raise httpx.ConnectError("connection refused", request=request)
        return await self.inner.handle_async_request(request)


async def test_write_whose_connection_was_refused_is_retried() -> None:
    async with qf_world("production") as world:
        world.http._transport = RefusingTransport(world.http._transport, refusals=1)
        user = world.link()
        await user.add_activity_day(["1:1-1:7"], 60, MUSHAF)
        assert len(world.fake.api_requests("POST", "/v1/activity-days")) == 1
        assert len(world.sleeps.delays) == 1
