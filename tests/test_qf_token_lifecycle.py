"""Token lifecycle against the fake OAuth server: early refresh, single flight, rotation stored
before use, 401 recovery, invalid_grant unlinking, and no secret ever in the logs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from qf_support import ALL_SCOPES, QFWorld, qf_world

from bot.i18n import get_translator
from bot.qf import LinkExpired, NoteInput, NotLinked, friendly_error
from bot.qf.errors import BadRequest

EN = get_translator("en")


@pytest.fixture
async def world() -> AsyncIterator[QFWorld]:
    async with qf_world("production") as w:
        yield w


async def test_ten_concurrent_calls_with_an_expiring_token_refresh_once(world: QFWorld) -> None:
    user = world.link(expires_in=30)  # inside the 60 s margin
    results = await asyncio.gather(*(user.current_streak_days() for _ in range(10)))
    assert results == [0] * 10
    assert world.refresh_grants() == 1
    tokens = {r.headers["x-auth-token"] for r in world.fake.api_requests()}
    assert len(tokens) == 1  # everyone used the refreshed token
    assert world.fake.access_token_state(tokens.pop()) == "active"


async def test_rotated_refresh_token_is_stored_before_the_new_access_token_is_sent(
    world: QFWorld,
) -> None:
    user = world.link(expires_in=10)
    old_refresh = world.accounts.rows[7].refresh_token

    async def record(request: httpx.Request) -> None:
        if "x-auth-token" in request.headers:
            world.accounts.events.append(("sent", request.headers["x-auth-token"]))

    world.http.event_hooks["request"].append(record)
    await user.current_streak_days()
    row = world.accounts.rows[7]
    assert row.refresh_token != old_refresh
    assert world.fake.refresh_token_state(old_refresh or "") == "used"
    assert world.accounts.events == [("stored", row.refresh_token), ("sent", row.access_token)]


async def test_token_is_not_refreshed_while_fresh(world: QFWorld) -> None:
    user = world.link()
    await user.current_streak_days()
    await user.list_notes()
    assert world.refresh_grants() == 0


async def test_a_401_refreshes_once_and_retries_the_request(world: QFWorld) -> None:
    user = world.link()
    world.fake.advance(3600)  # QF thinks the token expired; our stored expiry disagrees
    saved = await user.create_note(NoteInput(body="After a 401", ranges=["1:1-1:1"]))
    assert saved.note.id in world.fake.users["sub-7"].notes
    assert world.refresh_grants() == 1
    statuses = [r.status for r in world.fake.api_requests("POST", "/v1/notes$")]
    assert statuses == [401, 200]


async def test_an_expired_token_reported_as_403_is_also_refreshed(world: QFWorld) -> None:
    user = world.link()
    world.fake.expired_token_status = 403  # the spec's 403 also covers expired tokens
    world.fake.advance(3600)
    assert await user.current_streak_days() == 0
    assert world.refresh_grants() == 1


async def test_invalid_grant_unlinks_and_asks_to_link_again(world: QFWorld) -> None:
    user = world.link(expires_in=10)
    refresh_token = world.accounts.rows[7].refresh_token
    assert refresh_token is not None
    await world.client.revoke(refresh_token)  # e.g. the user logged out on Quran.com
    with pytest.raises(LinkExpired) as caught:
        await user.list_notes()
    assert 7 not in world.accounts.rows
    assert "/login" in friendly_error(caught.value, EN)
    assert world.fake.token_requests[-1].error == "invalid_grant"
    assert world.fake.api_requests() == []


async def test_unlinked_user_gets_not_linked_without_any_request(world: QFWorld) -> None:
    with pytest.raises(NotLinked) as caught:
        await world.client.for_user(404).profile()
    assert "/login" in friendly_error(caught.value, EN)
    assert world.fake.requests == []


async def test_bad_authorization_code_is_a_typed_error(world: QFWorld) -> None:
    with pytest.raises(BadRequest) as caught:
        await world.client.exchange_code(
            code="ory_ac_bogus", code_verifier="v" * 43, redirect_uri="https://bot.example/cb"
        )
    assert caught.value.code == "invalid_grant"


async def test_no_token_or_secret_reaches_the_logs(
    world: QFWorld, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    user = world.link(expires_in=10)
    secrets: set[str] = {"demo-secret"}
    row = world.accounts.rows[7]
    secrets |= {row.access_token, row.refresh_token or ""}

    await user.current_streak_days()  # refresh
    world.fake.fail_next(401, path="/v1/notes", times=2)
    with pytest.raises(Exception):  # noqa: B017 - any failure; we check the log
        await user.list_notes()
    world.fake.fail_next(503, path="/oauth2/token")
    row = world.accounts.rows[7]
    secrets |= {row.access_token, row.refresh_token or ""}
    issued = world.fake.issue_tokens("sub-7", ALL_SCOPES)
    secrets |= {issued["access_token"], issued["refresh_token"], issued["id_token"]}
    with pytest.raises(Exception):  # noqa: B017
        await world.client.refresh(issued["refresh_token"])
    with pytest.raises(BadRequest):
        await world.client.exchange_code(
            code="ory_ac_secret-code", code_verifier="verifier-secret" * 3,
            redirect_uri="https://bot.example/cb",
        )
    secrets |= {"ory_ac_secret-code", "verifier-secret"}
    await world.client.revoke(issued["refresh_token"])
    row = world.accounts.rows[7]
    secrets |= {row.access_token, row.refresh_token or ""}

    assert caplog.records, "the flows above should have logged something"
    text = caplog.text + " ".join(str(r.args) for r in caplog.records)
    leaked = [secret for secret in secrets if secret and secret in text]
    assert leaked == []
