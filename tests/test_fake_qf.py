"""The fake Quran Foundation behaves like the documented server: OAuth, state, contracts, faults."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import secrets
import sys
import time
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from sandbox.quran_foundation import DEMO_NAME, DEMO_SUB, FakeQuranFoundation
from sandbox.serving import serve_asgi

CLIENT = ("demo-client", "demo-secret")
REDIRECT = "https://bot.example/oauth/callback"
NOON = datetime(2026, 4, 5, 12, tzinfo=UTC)
ALL_SCOPES = "openid offline_access user goal note streak activity_day reading_session"


@pytest.fixture
def fake() -> FakeQuranFoundation:
    qf = FakeQuranFoundation()
    qf.set_now(NOON)
    return qf


@pytest.fixture
def dated_fake() -> FakeQuranFoundation:
    qf = FakeQuranFoundation(contract="2026-03-29")
    qf.set_now(NOON)
    return qf


@pytest.fixture
async def http(fake: FakeQuranFoundation) -> AsyncIterator[httpx.AsyncClient]:
    async with _client(fake) as client:
        yield client


def _client(fake: FakeQuranFoundation, base_url: str = "http://qf.test") -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=fake.app), base_url=base_url)


def _headers(
    fake: FakeQuranFoundation, sub: str = DEMO_SUB, scopes: str = ALL_SCOPES, zone: str = "UTC"
) -> dict[str, str]:
    tokens = fake.issue_tokens(sub, scopes)
    return {
        "x-auth-token": tokens["access_token"],
        "x-client-id": "demo-client",
        "x-timezone": zone,
    }


def _assert_clean(fake: FakeQuranFoundation) -> None:
    assert fake.validation_errors == []
    assert fake.response_errors == []


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _jwt_claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    claims: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return claims


async def _authorize(
    http: httpx.AsyncClient, challenge: str, scope: str = ALL_SCOPES, **overrides: str
) -> dict[str, str]:
    params = {
        "response_type": "code",
        "client_id": "demo-client",
        "redirect_uri": REDIRECT,
        "scope": scope,
        "state": "state-0123456789",
        "nonce": "nonce-42",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **overrides,
    }
    response = await http.get("/oauth2/auth", params=params)
    assert response.status_code == 302
    location = response.headers["location"]
    assert location.startswith(params["redirect_uri"] + "?")
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


async def _exchange(
    http: httpx.AsyncClient, code: str, verifier: str, redirect_uri: str = REDIRECT
) -> httpx.Response:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": verifier,
    }
    return await http.post("/oauth2/token", data=form, auth=CLIENT)


async def _refresh(http: httpx.AsyncClient, refresh_token: str) -> httpx.Response:
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    return await http.post("/oauth2/token", data=form, auth=CLIENT)


async def _note(http: httpx.AsyncClient, headers: dict[str, str], body: str, *ranges: str) -> str:
    payload = {"body": body, "saveToQR": False, "ranges": list(ranges)}
    response = await http.post("/auth/v1/notes", json=payload, headers=headers)
    assert response.status_code == 200, response.text
    note_id: str = response.json()["data"]["id"]
    return note_id


async def _read(
    http: httpx.AsyncClient,
    headers: dict[str, str],
    seconds: int,
    *ranges: str,
    on: date | None = None,
) -> None:
    body: dict[str, Any] = {
        "type": "QURAN",
        "seconds": seconds,
        "ranges": list(ranges),
        "mushafId": 4,
    }
    if on is not None:
        body["date"] = on.isoformat()
    response = await http.post("/auth/v1/activity-days", json=body, headers=headers)
    assert response.status_code == 200, response.text


# -- OAuth ----------------------------------------------------------------------------------


async def test_code_flow_with_pkce_links_the_approving_user(
    fake: FakeQuranFoundation, http: httpx.AsyncClient
) -> None:
    fake.seed_user("reader-7", name="Amina Yusuf", email="amina@example.com")
    fake.next_login_sub = "reader-7"
    verifier, challenge = _pkce()

    redirect = await _authorize(http, challenge)
    assert redirect["state"] == "state-0123456789"
    response = await _exchange(http, redirect["code"], verifier)

    assert response.status_code == 200
    tokens = response.json()
    assert tokens["token_type"] == "bearer"
    assert tokens["expires_in"] == 3600
    assert tokens["expires_at"] == "2026-04-05T13:00:00.000Z"
    assert tokens["scope"] == ALL_SCOPES
    assert tokens["refresh_token"]
    claims = _jwt_claims(tokens["id_token"])
    assert (claims["sub"], claims["name"], claims["email"], claims["nonce"]) == (
        "reader-7",
        "Amina Yusuf",
        "amina@example.com",
        "nonce-42",
    )
    user_api = {"x-auth-token": tokens["access_token"], "x-client-id": "demo-client"}
    streak = await http.get(
        "/auth/v1/streaks/current-streak-days", params={"type": "QURAN"}, headers=user_api
    )
    assert streak.json() == {"success": True, "data": {"days": 0}}
    userinfo = await http.get(
        "/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert userinfo.json()["first_name"] == "Amina"
    assert [(c.grant_type, c.had_basic_auth, c.status) for c in fake.token_requests] == [
        ("authorization_code", True, 200)
    ]
    _assert_clean(fake)


async def test_default_login_is_the_seeded_demo_reader(http: httpx.AsyncClient) -> None:
    verifier, challenge = _pkce()
    redirect = await _authorize(http, challenge, scope="openid offline_access")
    tokens = (await _exchange(http, redirect["code"], verifier)).json()
    assert _jwt_claims(tokens["id_token"])["sub"] == DEMO_SUB
    assert _jwt_claims(tokens["id_token"])["name"] == DEMO_NAME


async def test_wrong_code_verifier_is_invalid_grant(
    fake: FakeQuranFoundation, http: httpx.AsyncClient
) -> None:
    _, challenge = _pkce()
    other_verifier, _ = _pkce()
    redirect = await _authorize(http, challenge)
    response = await _exchange(http, redirect["code"], other_verifier)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    assert response.json()["status_code"] == 400


async def test_redirect_uri_must_match_the_authorization_request(http: httpx.AsyncClient) -> None:
    verifier, challenge = _pkce()
    redirect = await _authorize(http, challenge)
    response = await _exchange(http, redirect["code"], verifier, redirect_uri=REDIRECT + "/")
    assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")


async def test_reused_code_is_refused_and_revokes_what_it_issued(
    fake: FakeQuranFoundation, http: httpx.AsyncClient
) -> None:
    verifier, challenge = _pkce()
    redirect = await _authorize(http, challenge)
    first = (await _exchange(http, redirect["code"], verifier)).json()

    second = await _exchange(http, redirect["code"], verifier)

    assert (second.status_code, second.json()["error"]) == (400, "invalid_grant")
    assert fake.access_token_state(first["access_token"]) == "revoked"
    assert fake.refresh_token_state(first["refresh_token"]) == "revoked"


async def test_refresh_rotates_and_a_reused_refresh_token_is_invalid_grant(
    fake: FakeQuranFoundation, http: httpx.AsyncClient
) -> None:
    original = fake.issue_tokens(DEMO_SUB, ALL_SCOPES)
    rotated = await _refresh(http, original["refresh_token"])
    assert rotated.status_code == 200
    renewed = rotated.json()
    assert renewed["refresh_token"] != original["refresh_token"]
    assert renewed["access_token"] != original["access_token"]
    assert "id_token" not in renewed
    assert fake.refresh_token_state(original["refresh_token"]) == "used"

    reused = await _refresh(http, original["refresh_token"])

    assert (reused.status_code, reused.json()["error"]) == (400, "invalid_grant")
    # Hydra's reuse detection: the family, the newest tokens included, is gone.
    assert fake.refresh_token_state(renewed["refresh_token"]) == "revoked"
    assert (await _refresh(http, renewed["refresh_token"])).status_code == 400


async def test_refresh_token_is_only_issued_with_offline_access(fake: FakeQuranFoundation) -> None:
    tokens = fake.issue_tokens(DEMO_SUB, "openid goal")
    assert "refresh_token" not in tokens
    assert tokens["id_token"]


async def test_token_endpoint_requires_http_basic_client_auth(
    fake: FakeQuranFoundation, http: httpx.AsyncClient
) -> None:
    tokens = fake.issue_tokens(DEMO_SUB, ALL_SCOPES)
    in_form = {
        "grant_type": "refresh_token",
        "refresh_token": tokens["refresh_token"],
        "client_id": "demo-client",
        "client_secret": "demo-secret",
    }
    posted = await http.post("/oauth2/token", data=in_form)
    wrong_secret = await http.post(
        "/oauth2/token",
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        auth=("demo-client", "guess"),
    )

    assert posted.status_code == 401
    assert posted.json() == {
        "error": "invalid_client",
        "error_description": "Client authentication failed: use HTTP Basic.",
        "status_code": 401,
    }
    assert (wrong_secret.status_code, wrong_secret.json()["error"]) == (401, "invalid_client")
    assert [(c.had_basic_auth, c.error) for c in fake.token_requests] == [
        (False, "invalid_client"),
        (True, "invalid_client"),
    ]
    assert fake.refresh_token_state(tokens["refresh_token"]) == "active"


async def test_revoking_a_refresh_token_kills_its_access_tokens(
    fake: FakeQuranFoundation, http: httpx.AsyncClient
) -> None:
    tokens = fake.issue_tokens(DEMO_SUB, ALL_SCOPES)
    headers = {"x-auth-token": tokens["access_token"], "x-client-id": "demo-client"}

    revoked = await http.post(
        "/oauth2/revoke", data={"token": tokens["refresh_token"]}, auth=CLIENT
    )

    assert (revoked.status_code, revoked.content) == (200, b"")
    after = await http.get("/auth/v1/notes", headers=headers)
    assert after.status_code == 401
    assert after.json()["type"] == "unauthorized"
    assert (await _refresh(http, tokens["refresh_token"])).json()["error"] == "invalid_grant"
    unauthenticated = await http.post("/oauth2/revoke", data={"token": "x"})
    assert unauthenticated.status_code == 401


async def test_denied_consent_redirects_with_access_denied_and_state(
    fake: FakeQuranFoundation, http: httpx.AsyncClient
) -> None:
    fake.deny_next_authorization()
    _, challenge = _pkce()
    denied = await _authorize(http, challenge)
    again = await _authorize(http, challenge)
    assert denied["error"] == "access_denied"
    assert denied["state"] == "state-0123456789"
    assert "code" not in denied
    assert "code" in again


async def test_authorization_requires_pkce_and_known_scopes(http: httpx.AsyncClient) -> None:
    _, challenge = _pkce()
    no_pkce = await _authorize(http, "", code_challenge_method="S256")
    sync_on_production = await _authorize(http, challenge, scope="openid sync")
    assert no_pkce["error"] == "invalid_request"
    assert sync_on_production["error"] == "invalid_scope"


async def test_withheld_scope_is_missing_from_the_grant_and_forbidden(
    fake: FakeQuranFoundation, http: httpx.AsyncClient
) -> None:
    fake.withheld_scopes.add("note")
    verifier, challenge = _pkce()
    redirect = await _authorize(http, challenge)
    tokens = (await _exchange(http, redirect["code"], verifier)).json()
    assert "note" not in tokens["scope"].split()
    headers = {"x-auth-token": tokens["access_token"], "x-client-id": "demo-client"}
    response = await http.get("/auth/v1/notes", headers=headers)
    assert (response.status_code, response.json()["type"]) == (403, "forbidden")


async def test_access_token_expires_after_its_lifetime(http: httpx.AsyncClient) -> None:
    fake = FakeQuranFoundation(access_token_ttl=60)
    fake.set_now(NOON)
    headers = _headers(fake)
    async with _client(fake) as client:
        assert (await client.get("/auth/v1/notes", headers=headers)).status_code == 200
        fake.advance(61)
        expired = await client.get("/auth/v1/notes", headers=headers)
    assert expired.status_code == 401
    assert expired.json() == {
        "success": False,
        "message": "The access token has expired",
        "type": "unauthorized",
    }


async def test_client_id_header_must_match_the_token(
    fake: FakeQuranFoundation, http: httpx.AsyncClient
) -> None:
    headers = {**_headers(fake), "x-client-id": "someone-else"}
    response = await http.get("/auth/v1/notes", headers=headers)
    assert (response.status_code, response.json()["type"]) == (403, "forbidden")


# -- Goals, activity days, streaks ----------------------------------------------------------


async def test_time_goal_progress_comes_from_activity_days_in_the_user_zone(
    fake: FakeQuranFoundation, http: httpx.AsyncClient
) -> None:
    fake.set_now(datetime(2026, 4, 5, 22, 30, tzinfo=UTC))  # already 6 April in Riyadh
    riyadh = _headers(fake, zone="Asia/Riyadh")
    utc = {**riyadh, "x-timezone": "UTC"}
    plan_query: dict[str, str | int] = {"type": "QURAN_TIME", "mushafId": 4}
    created = await http.post(
        "/auth/v1/goals",
        params={"mushafId": 4},
        json={"type": "QURAN_TIME", "amount": 600, "category": "QURAN"},
        headers=riyadh,
    )
    goal_id = created.json()["data"]["id"]

    before = (
        await http.get("/auth/v1/goals/get-todays-plan", params=plan_query, headers=riyadh)
    ).json()
    await _read(http, riyadh, 300, "1:1-1:7")
    after = (
        await http.get("/auth/v1/goals/get-todays-plan", params=plan_query, headers=riyadh)
    ).json()
    utc_view = (
        await http.get("/auth/v1/goals/get-todays-plan", params=plan_query, headers=utc)
    ).json()

    assert before["data"]["hasGoal"] is True
    assert before["data"]["goalId"] == goal_id
    assert before["data"]["id"] != goal_id  # the activity day, never the goal
    assert (before["data"]["progress"], before["data"]["dailyTargetSeconds"]) == (0, 600)
    assert after["data"]["date"] == "2026-04-06"
    assert after["data"]["progress"] == 0.5
    assert (after["data"]["secondsRead"], after["data"]["versesRead"]) == (300, 7)
    assert after["data"]["ranges"] == ["1:1-1:7"]
    assert (utc_view["data"]["date"], utc_view["data"]["progress"]) == ("2026-04-05", 0)
    assert list(fake.users[DEMO_SUB].activity_days) == [date(2026, 4, 6)]
    _assert_clean(fake)


async def test_range_goal_reports_todays_slice_and_what_remains(
    fake: FakeQuranFoundation, http: httpx.AsyncClient
) -> None:
    headers = _headers(fake)
    goal = {"type": "QURAN_RANGE", "amount": "1:1-2:10", "duration": 2, "category": "QURAN"}
    await http.post("/auth/v1/goals", params={"mushafId": 1}, json=goal, headers=headers)
    await _read(http, headers, 90, "1:1-1:7")

    plan = (
        await http.get(
            "/auth/v1/goals/get-todays-plan",
            params={"type": "QURAN_RANGE", "mushafId": 1},
            headers=headers,
        )
    ).json()["data"]
    other_type = (
        await http.get(
            "/auth/v1/goals/get-todays-plan",
            params={"type": "QURAN_PAGES", "mushafId": 1},
            headers=headers,
        )
    ).json()["data"]

    assert plan["dailyTargetRanges"] == ["1:1-2:2"]  # 17 verses over 2 days: 9 today
    assert plan["remainingDailyTargetRanges"] == ["2:1-2:2"]
    assert plan["progress"] == round(7 / 9, 4)
    assert other_type == {"hasGoal": False}
    _assert_clean(fake)


async def test_goal_can_be_updated_and_deleted_but_not_doubled(
    fake: FakeQuranFoundation, http: httpx.AsyncClient
) -> None:
    headers = _headers(fake)
    pages = {"type": "QURAN_PAGES", "amount": 2, "category": "QURAN"}
    goal_id = (
        await http.post("/auth/v1/goals", params={"mushafId": 4}, json=pages, headers=headers)
    ).json()["data"]["id"]

    second = await http.post("/auth/v1/goals", params={"mushafId": 4}, json=pages, headers=headers)
    updated = await http.put(
        f"/auth/v1/goals/{goal_id}", params={"mushafId": 4}, json={"amount": 5}, headers=headers
    )
    plan = await http.get(
        "/auth/v1/goals/get-todays-plan",
        params={"type": "QURAN_PAGES", "mushafId": 4},
        headers=headers,
    )
    deleted = await http.delete(
        f"/auth/v1/goals/{goal_id}", params={"category": "QURAN"}, headers=headers
    )
    gone = await http.delete(
        f"/auth/v1/goals/{goal_id}", params={"category": "QURAN"}, headers=headers
    )

    assert (second.status_code, second.json()["type"]) == (422, "unprocessable_entity")
    assert updated.json() == {"success": True, "data": {}}
    assert plan.json()["data"]["dailyTargetPages"] == 5
    assert deleted.json() == {"success": True, "data": {"message": "goal deleted"}}
    assert gone.status_code == 404
    assert fake.users[DEMO_SUB].goals == {}
    _assert_clean(fake)


async def test_goal_with_amount_of_the_wrong_kind_is_unprocessable(
    fake: FakeQuranFoundation, http: httpx.AsyncClient
) -> None:
    headers = _headers(fake)
    wrong = {"type": "QURAN_TIME", "amount": "1:1-1:7", "category": "QURAN"}
    response = await http.post(
        "/auth/v1/goals", params={"mushafId": 4}, json=wrong, headers=headers
    )
    assert response.status_code == 422
    past_the_end = {"type": "QURAN_RANGE", "amount": "114:1-114:7", "category": "QURAN"}
    response = await http.post(
        "/auth/v1/goals", params={"mushafId": 4}, json=past_the_end, headers=headers
    )
    assert (response.status_code, response.json()["message"]) == (
        422,
        "114:7 is not a verse of the Quran",
    )


async def test_goal_estimate_spreads_a_range_over_its_days(
    fake: FakeQuranFoundation, http: httpx.AsyncClient
) -> None:
    headers = _headers(fake)
    spread = await http.get(
        "/auth/v1/goals/estimate",
        params={"type": "QURAN_RANGE", "amount": "1:1-1:7", "duration": 3, "mushafId": 4},
        headers=headers,
    )
    daily = await http.get(
        "/auth/v1/goals/estimate",
        params={"type": "QURAN_TIME", "amount": 600, "mushafId": 4},
        headers=headers,
    )
    assert spread.json()["data"]["week"] == [
        {"date": "2026-04-05T00:00:00.000Z", "amount": "1:1-1:3"},
        {"date": "2026-04-06T00:00:00.000Z", "amount": "1:4-1:6"},
        {"date": "2026-04-07T00:00:00.000Z", "amount": "1:7-1:7"},
    ]
    week = daily.json()["data"]["week"]
    assert len(week) == 7
    assert {day["amount"] for day in week} == {600}
    _assert_clean(fake)


async def test_streak_counts_consecutive_days_and_breaks_after_a_missed_day(
    fake: FakeQuranFoundation, http: httpx.AsyncClient
) -> None:
    headers = _headers(fake)
    today = NOON.date()
    for days_ago in (5, 2, 1, 0):
        await _read(http, headers, 60, "2:1-2:5", on=today - timedelta(days=days_ago))

    current = await http.get(
        "/auth/v1/streaks/current-streak-days", params={"type": "QURAN"}, headers=headers
    )
    streaks = await http.get("/auth/v1/streaks", params={"type": "QURAN"}, headers=headers)
    assert current.json()["data"] == {"days": 3}
    assert [(s["startDate"][:10], s["status"], s["days"]) for s in streaks.json()["data"]] == [
        ("2026-04-03", "ACTIVE", 3),
        ("2026-03-31", "BROKEN", 1),
    ]

    fake.advance(timedelta(days=1))  # a day without reading: yesterday's streak still stands
    headers = _headers(fake)  # the hour-long token from before has expired
    still = await http.get(
        "/auth/v1/streaks/current-streak-days", params={"type": "QURAN"}, headers=headers
    )
    fake.advance(timedelta(days=1))
    headers = _headers(fake)
    broken = await http.get(
        "/auth/v1/streaks/current-streak-days", params={"type": "QURAN"}, headers=headers
    )
    assert still.json()["data"] == {"days": 3}
    assert broken.json()["data"] == {"days": 0}
    _assert_clean(fake)


async def test_activity_days_add_up_and_list_with_cursors(
    fake: FakeQuranFoundation, http: httpx.AsyncClient
) -> None:
    headers = _headers(fake)
    today = NOON.date()
    await _read(http, headers, 60, "1:1-1:4", on=today - timedelta(days=1))
    await _read(http, headers, 60, "1:1-1:4")
    await _read(http, headers, 30, "1:3-1:7")

    first = (await http.get("/auth/v1/activity-days", params={"first": 1}, headers=headers)).json()
    rest = (
        await http.get(
            "/auth/v1/activity-days",
            params={"first": 5, "after": first["pagination"]["endCursor"]},
            headers=headers,
        )
    ).json()

    assert [(d["date"], d["secondsRead"], d["versesRead"]) for d in first["data"]] == [
        ("2026-04-05", 90, 7)
    ]
    assert first["pagination"]["hasNextPage"] is True
    assert [d["date"] for d in rest["data"]] == ["2026-04-04"]
    assert (rest["pagination"]["hasNextPage"], rest["pagination"]["hasPreviousPage"]) == (
        False,
        True,
    )
    _assert_clean(fake)


async def test_reading_in_the_future_or_outside_the_quran_is_refused(
    fake: FakeQuranFoundation, http: httpx.AsyncClient
) -> None:
    headers = _headers(fake)
    tomorrow = {
        "type": "QURAN",
        "seconds": 60,
        "ranges": ["1:1-1:7"],
        "mushafId": 4,
        "date": "2026-04-06",
    }
    beyond = {"type": "QURAN", "seconds": 60, "ranges": ["1:1-1:8"], "mushafId": 4}
    assert (
        await http.post("/auth/v1/activity-days", json=tomorrow, headers=headers)
    ).status_code == 422
    assert (
        await http.post("/auth/v1/activity-days", json=beyond, headers=headers)
    ).status_code == 422
    assert fake.users[DEMO_SUB].activity_days == {}


async def test_reading_time_estimate_counts_verses(
    fake: FakeQuranFoundation, http: httpx.AsyncClient
) -> None:
    response = await http.get(
        "/auth/v1/activity-days/estimate-reading-time",
        params={"ranges": "1:1-1:7,2:1-2:5"},
        headers=_headers(fake),
    )
    assert response.json() == {"success": True, "data": {"seconds": 12 * 6}}


# -- Notes ----------------------------------------------------------------------------------


async def test_note_lifecycle_and_verse_lookups(
    fake: FakeQuranFoundation, http: httpx.AsyncClient
) -> None:
    headers = _headers(fake)
    throne = await _note(http, headers, "On the Throne Verse", "2:255-2:255")
    passage = await _note(http, headers, "The end of Al-Baqarah", "2:284-2:286")

    by_verse = (
        await http.get(
            "/auth/v1/notes/by-verse/2:255", params={"verseKey": "2:255"}, headers=headers
        )
    ).json()["data"]
    by_range = (
        await http.get(
            "/auth/v1/notes/by-range", params={"from": "2:250", "to": "2:285"}, headers=headers
        )
    ).json()["data"]
    counts = (
        await http.get(
            "/auth/v1/notes/count-within-range",
            params={"from": "2:255", "to": "2:285"},
            headers=headers,
        )
    ).json()["data"]
    fake.advance(60)
    patched = await http.patch(
        f"/auth/v1/notes/{throne}", json={"body": "On the Throne Verse, revised"}, headers=headers
    )
    fetched = (await http.get(f"/auth/v1/notes/{throne}", headers=headers)).json()["data"]
    deleted = await http.delete(f"/auth/v1/notes/{passage}", headers=headers)
    missing = await http.get(f"/auth/v1/notes/{passage}", headers=headers)

    assert [n["id"] for n in by_verse] == [throne]
    assert [n["id"] for n in by_range] == [passage, throne]
    assert counts == {"2:255": 1, "2:284": 1, "2:285": 1}
    assert patched.json()["data"]["body"] == "On the Throne Verse, revised"
    assert fetched["ranges"] == ["2:255-2:255"]
    assert fetched["updatedAt"] > fetched["createdAt"]
    assert deleted.json() == {"success": True, "data": {"success": True}}
    assert (missing.status_code, missing.json()["type"]) == (404, "not_found")
    _assert_clean(fake)


async def test_note_list_pages_with_cursor_in_both_orders(
    fake: FakeQuranFoundation, http: httpx.AsyncClient
) -> None:
    headers = _headers(fake)
    ids = [await _note(http, headers, f"Reflection number {n}", "1:1-1:7") for n in range(5)]

    first = (await http.get("/auth/v1/notes", params={"limit": 2}, headers=headers)).json()
    second = (
        await http.get(
            "/auth/v1/notes",
            params={"limit": 2, "cursor": first["pagination"]["endCursor"]},
            headers=headers,
        )
    ).json()
    third = (
        await http.get(
            "/auth/v1/notes",
            params={"limit": 2, "cursor": second["pagination"]["endCursor"]},
            headers=headers,
        )
    ).json()
    oldest = (
        await http.get("/auth/v1/notes", params={"limit": 3, "sortBy": "oldest"}, headers=headers)
    ).json()

    assert [n["id"] for n in first["data"] + second["data"] + third["data"]] == ids[::-1]
    assert (first["pagination"]["hasNextPage"], first["pagination"]["hasPreviousPage"]) == (
        True,
        False,
    )
    assert (third["pagination"]["hasNextPage"], third["pagination"]["hasPreviousPage"]) == (
        False,
        True,
    )
    assert [n["id"] for n in oldest["data"]] == ids[:3]
    _assert_clean(fake)


async def test_failed_quranreflect_share_still_saves_the_note(
    fake: FakeQuranFoundation, http: httpx.AsyncClient
) -> None:
    headers = _headers(fake)
    fake.fail_quranreflect_share_next()
    payload = {"body": "Share this reflection", "saveToQR": True, "ranges": ["1:1-1:7"]}

    failed = await http.post("/auth/v1/notes", json=payload, headers=headers)
    shared = await http.post("/auth/v1/notes", json=payload, headers=headers)

    assert failed.status_code == 200
    assert failed.json()["error"] is True
    assert failed.json()["note"]["body"] == "Share this reflection"
    assert failed.json()["note"]["id"] in fake.users[DEMO_SUB].notes
    assert shared.json()["success"] is True
    assert [post["noteId"] for post in fake.users[DEMO_SUB].posts] == [shared.json()["data"]["id"]]
    _assert_clean(fake)


async def test_publishing_a_note_returns_the_post_id(
    fake: FakeQuranFoundation, http: httpx.AsyncClient
) -> None:
    headers = _headers(fake)
    note_id = await _note(http, headers, "Worth sharing widely", "3:190-3:191")
    published = await http.post(
        f"/auth/v1/notes/{note_id}/publish", json={"body": "Worth sharing widely"}, headers=headers
    )
    assert published.json() == {"success": True, "data": {"success": True, "postId": 1001}}
    assert fake.users[DEMO_SUB].posts[0]["ranges"] == ["3:190-3:191"]
    _assert_clean(fake)


async def test_another_users_note_is_not_found(
    fake: FakeQuranFoundation, http: httpx.AsyncClient
) -> None:
    note_id = await _note(http, _headers(fake), "Private reflection", "1:1-1:1")
    fake.seed_user("someone-else")
    response = await http.get(f"/auth/v1/notes/{note_id}", headers=_headers(fake, "someone-else"))
    assert response.status_code == 404


async def test_profile_is_bare_and_lives_under_quran_reflect(
    fake: FakeQuranFoundation, http: httpx.AsyncClient
) -> None:
    headers = _headers(fake)
    profile = await http.get("/quran-reflect/v1/users/profile", headers=headers)
    misplaced = await http.get("/auth/v1/users/profile", headers=headers)
    assert profile.status_code == 200
    assert (profile.json()["id"], profile.json()["firstName"], profile.json()["lastName"]) == (
        DEMO_SUB,
        "Demo",
        "Reader",
    )
    assert "success" not in profile.json()
    assert misplaced.status_code == 404
    assert fake.validation_errors == [
        "GET /auth/v1/users/profile: "
        "GET /v1/users/profile is served under /quran-reflect, not /auth"
    ]


# -- Validation in the fake -----------------------------------------------------------------


async def test_strict_fake_refuses_and_records_spec_violations(
    fake: FakeQuranFoundation, http: httpx.AsyncClient
) -> None:
    response = await http.post(
        "/auth/v1/goals",
        json={"type": "QURAN_TIME", "amount": 600, "category": "QURAN", "reminder": True},
        headers=_headers(fake),
    )
    assert response.status_code == 400
    assert response.json() == {
        "success": False,
        "message": "query parameter 'mushafId' is required; "
        "body: Additional properties are not allowed ('reminder' was unexpected)",
        "type": "invalid_request",
    }
    assert len(fake.validation_errors) == 2
    assert fake.users[DEMO_SUB].goals == {}


async def test_lenient_fake_records_violations_but_serves_the_request() -> None:
    fake = FakeQuranFoundation(strict=False)
    async with _client(fake) as client:
        response = await client.get(
            "/auth/v1/notes", params={"limit": 20, "page": 2}, headers=_headers(fake)
        )
    assert response.status_code == 200
    assert fake.validation_errors == [
        "GET /auth/v1/notes: query parameter 'page' is not declared by GET /v1/notes in the "
        "production contract"
    ]


async def test_missing_token_header_is_unauthorized(
    fake: FakeQuranFoundation, http: httpx.AsyncClient
) -> None:
    response = await http.get("/auth/v1/notes", headers={"x-client-id": "demo-client"})
    assert (response.status_code, response.json()["type"]) == (401, "unauthorized")


async def test_unknown_timezone_is_a_bad_request(
    fake: FakeQuranFoundation, http: httpx.AsyncClient
) -> None:
    response = await http.get("/auth/v1/notes", headers=_headers(fake, zone="Mars/Olympus"))
    assert response.status_code == 400
    assert "x-timezone" in response.json()["message"]


# -- The 2026-03-29 mutation contract -------------------------------------------------------


async def test_first_note_write_must_send_minus_one(dated_fake: FakeQuranFoundation) -> None:
    headers = _headers(dated_fake, scopes=ALL_SCOPES + " sync")
    note = {"body": "My first synced note", "saveToQR": False, "ranges": ["1:1-1:7"]}
    async with _client(dated_fake) as http:
        refused = await http.post(
            "/auth/v1/notes", params={"lastMutationAt": 0}, json=note, headers=headers
        )
        accepted = await http.post(
            "/auth/v1/notes", params={"lastMutationAt": -1}, json=note, headers=headers
        )

    assert refused.status_code == 409
    assert refused.json() == {
        "success": False,
        "error": {
            "code": "OutOfSyncError",
            "message": "First sync detected. Please use lastMutationAt=-1 for initial sync.",
        },
    }
    assert accepted.status_code == 200
    stamp = int(accepted.headers["x-mutation-at"])
    assert stamp == int(NOON.timestamp() * 1000)
    assert dated_fake.users[DEMO_SUB].last_mutation_at == stamp
    assert len(dated_fake.users[DEMO_SUB].notes) == 1
    _assert_clean(dated_fake)


async def test_stale_last_mutation_at_is_out_of_sync_and_success_moves_it(
    dated_fake: FakeQuranFoundation,
) -> None:
    headers = _headers(dated_fake, scopes=ALL_SCOPES + " sync")
    note = {"body": "A note to edit later", "saveToQR": False, "ranges": ["1:1-1:7"]}
    async with _client(dated_fake) as http:
        created = await http.post(
            "/auth/v1/notes", params={"lastMutationAt": -1}, json=note, headers=headers
        )
        first_stamp = created.headers["x-mutation-at"]
        note_id = created.json()["data"]["id"]
        stale = await http.patch(
            f"/auth/v1/notes/{note_id}",
            params={"lastMutationAt": -1},
            json={"body": "Edited with a stale stamp"},
            headers=headers,
        )
        edited = await http.patch(
            f"/auth/v1/notes/{note_id}",
            params={"lastMutationAt": first_stamp},
            json={"body": "Edited with the right stamp"},
            headers=headers,
        )
        head = await http.get(
            "/auth/v1/sync", params={"mutationsSince": 0, "metadataOnly": "true"}, headers=headers
        )
        history = await http.get("/auth/v1/sync", params={"mutationsSince": 0}, headers=headers)

    assert stale.status_code == 409
    assert (
        stale.json()["error"]["message"]
        == "Invalid lastMutationAt, please re-sync your data and try again."
    )
    assert edited.status_code == 200
    second_stamp = edited.headers["x-mutation-at"]
    assert int(second_stamp) > int(first_stamp)
    assert dated_fake.users[DEMO_SUB].notes[note_id].body == "Edited with the right stamp"
    assert head.json() == {"success": True, "data": {"lastMutationAt": int(second_stamp)}}
    assert head.headers["x-mutation-at"] == second_stamp
    assert [(m["type"], m["resourceId"]) for m in history.json()["data"]["mutations"]] == [
        ("CREATE", note_id),
        ("UPDATE", note_id),
    ]
    _assert_clean(dated_fake)


async def test_note_write_without_last_mutation_at_names_the_parameter(
    dated_fake: FakeQuranFoundation,
) -> None:
    headers = _headers(dated_fake)
    note = {"body": "Sent without a stamp", "saveToQR": False}
    async with _client(dated_fake) as http:
        response = await http.post("/auth/v1/notes", json=note, headers=headers)
    assert response.status_code == 400
    assert response.json() == {
        "success": False,
        "message": "query parameter 'lastMutationAt' is required",
        "type": "invalid_request",
    }
    # The discovery rule (docs §6) relies on this answer: it is not a client bug.
    assert dated_fake.validation_errors == []
    assert dated_fake.users[DEMO_SUB].notes == {}


async def test_production_refuses_last_mutation_at(
    fake: FakeQuranFoundation, http: httpx.AsyncClient
) -> None:
    note = {"body": "Sent with a stamp", "saveToQR": False}
    response = await http.post(
        "/auth/v1/notes", params={"lastMutationAt": -1}, json=note, headers=_headers(fake)
    )
    sync = await http.get("/auth/v1/sync", params={"mutationsSince": 0}, headers=_headers(fake))
    assert response.status_code == 400
    assert "lastMutationAt" in response.json()["message"]
    assert sync.status_code == 404
    assert len(fake.validation_errors) == 2


async def test_2026_03_29_answers_follow_its_own_shapes(dated_fake: FakeQuranFoundation) -> None:
    headers = _headers(dated_fake)
    async with _client(dated_fake) as http:
        created = await http.post(
            "/auth/v1/goals",
            params={"mushafId": 4},
            json={"type": "QURAN_TIME", "amount": 300, "category": "QURAN"},
            headers=headers,
        )
        await _read(http, headers, 150, "1:1-1:7")
        plan = await http.get(
            "/auth/v1/goals/get-todays-plan",
            params={"type": "QURAN_TIME", "mushafId": 4},
            headers=headers,
        )
        current = await http.get(
            "/auth/v1/streaks/current-streak-days", params={"type": "QURAN"}, headers=headers
        )
        streaks = await http.get("/auth/v1/streaks", headers=headers)

    assert created.status_code == 200
    assert plan.json()["data"]["hasGoal"] is True
    assert "goalId" not in plan.json()["data"]
    assert plan.json()["data"]["progress"] == 0.5
    assert current.json()["data"] == [{"days": 1}]
    assert streaks.json()["data"][0]["startDate"] == "2026-04-05"
    assert "type" not in streaks.json()["data"][0]
    _assert_clean(dated_fake)


# -- Faults ---------------------------------------------------------------------------------


async def test_fail_next_answers_the_documented_envelope_without_applying(
    fake: FakeQuranFoundation, http: httpx.AsyncClient
) -> None:
    headers = _headers(fake)
    fake.fail_next(503, method="POST", path=r"/v1/notes$", retry_after=7)
    note = {"body": "Will this be saved?", "saveToQR": False}

    failed = await http.post("/auth/v1/notes", json=note, headers=headers)
    listing = await http.get("/auth/v1/notes", headers=headers)
    saved = await http.post("/auth/v1/notes", json=note, headers=headers)

    assert failed.status_code == 503
    assert failed.headers["retry-after"] == "7"
    assert failed.json() == {
        "success": False,
        "message": "The server is currently unable to handle the request due to a temporary "
        "overload or scheduled maintenance",
        "type": "service_unavailable",
    }
    assert listing.status_code == 200
    assert saved.status_code == 200
    assert len(fake.users[DEMO_SUB].notes) == 1
    assert [r.fault for r in fake.api_requests("POST", r"^/v1/notes$")] == ["fail", None]


async def test_fail_next_uses_oauth_and_out_of_sync_envelopes(
    fake: FakeQuranFoundation, http: httpx.AsyncClient
) -> None:
    headers = _headers(fake)
    fake.fail_next(409, path="/v1/notes")
    fake.fail_next(500, path="/oauth2/token", times=2)
    conflict = await http.get("/auth/v1/notes", headers=headers)
    first = await _refresh(http, "whatever")
    second = await _refresh(http, "whatever")
    third = await _refresh(http, "whatever")
    assert conflict.json()["error"]["code"] == "OutOfSyncError"
    assert first.json() == {
        "error": "server_error",
        "error_description": "The authorization server encountered an error.",
        "status_code": 500,
    }
    assert second.status_code == 500
    assert (third.status_code, third.json()["error"]) == (400, "invalid_grant")


async def test_fail_next_can_send_a_proxy_page_or_a_custom_body(
    fake: FakeQuranFoundation, http: httpx.AsyncClient
) -> None:
    headers = _headers(fake)
    fake.fail_next(502, non_json=True)
    fake.fail_next(429, body={"message": "slow down"})
    proxy = await http.get("/auth/v1/notes", headers=headers)
    custom = await http.get("/auth/v1/notes", headers=headers)
    assert proxy.status_code == 502
    assert proxy.headers["content-type"].startswith("text/html")
    assert "<h1>502 Bad Gateway</h1>" in proxy.text
    assert (custom.status_code, custom.json()) == (429, {"message": "slow down"})


async def test_delay_next_applies_first_and_answers_late(
    fake: FakeQuranFoundation, http: httpx.AsyncClient
) -> None:
    headers = _headers(fake)
    fake.delay_next(5, method="POST", path="/v1/activity-days")
    body = {"type": "QURAN", "seconds": 60, "ranges": ["1:1-1:7"], "mushafId": 4}

    started = time.perf_counter()
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.1):
            await http.post("/auth/v1/activity-days", json=body, headers=headers)
    assert time.perf_counter() - started < 2  # gave up long before the 5 s answer
    # The client gave up, yet the reading was credited: the ambiguous timeout.
    assert fake.users[DEMO_SUB].activity_days[NOON.date()].seconds == 60

    fake.delay_next(0.2)
    started = time.perf_counter()
    late = await http.get("/auth/v1/notes", headers=headers)
    assert late.status_code == 200
    assert time.perf_counter() - started >= 0.2


async def test_delay_next_without_apply_does_nothing_if_the_client_gave_up(
    fake: FakeQuranFoundation, http: httpx.AsyncClient
) -> None:
    headers = _headers(fake)
    fake.delay_next(0.3, method="POST", apply=False)
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.1):
            await http.post(
                "/auth/v1/notes", json={"body": "Never saved", "saveToQR": False}, headers=headers
            )
    await asyncio.sleep(0.3)
    assert fake.users[DEMO_SUB].notes == {}


@pytest.mark.parametrize("apply", [False, True])
async def test_drop_next_is_a_transport_error_with_or_without_the_write(
    fake: FakeQuranFoundation, http: httpx.AsyncClient, apply: bool
) -> None:
    headers = _headers(fake)
    fake.drop_next(method="POST", path="/v1/notes", apply=apply)
    with pytest.raises(httpx.RemoteProtocolError) as raised:
        await http.post(
            "/auth/v1/notes", json={"body": "Lost in transit", "saveToQR": False}, headers=headers
        )
    assert raised.value.request.url.path == "/auth/v1/notes"
    assert len(fake.users[DEMO_SUB].notes) == (1 if apply else 0)
    assert (await http.get("/auth/v1/notes", headers=headers)).status_code == 200


async def test_timeout_next_raises_the_clients_read_timeout(
    fake: FakeQuranFoundation, http: httpx.AsyncClient
) -> None:
    headers = _headers(fake)
    fake.timeout_next(path="/oauth2/token")
    tokens = fake.issue_tokens(DEMO_SUB, ALL_SCOPES)
    with pytest.raises(httpx.ReadTimeout):
        await _refresh(http, tokens["refresh_token"])
    # apply=True: the rotation happened although the client never saw the answer.
    assert fake.refresh_token_state(tokens["refresh_token"]) == "used"
    assert (await http.get("/auth/v1/notes", headers=headers)).status_code == 200


# -- Real HTTP ------------------------------------------------------------------------------


async def test_full_flow_and_faults_over_real_http(fake: FakeQuranFoundation) -> None:
    server = await serve_asgi(fake.app)
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=0.5) as http:
            verifier, challenge = _pkce()
            redirect = await _authorize(http, challenge)
            tokens = (await _exchange(http, redirect["code"], verifier)).json()
            headers = {"x-auth-token": tokens["access_token"], "x-client-id": "demo-client"}
            goal = {"type": "QURAN_PAGES", "amount": 1, "category": "QURAN"}
            created = await http.post(
                "/auth/v1/goals", params={"mushafId": 4}, json=goal, headers=headers
            )
            assert created.status_code == 200

            fake.drop_next(method="POST", apply=True)
            with pytest.raises(httpx.RemoteProtocolError):
                await _read(http, headers, 60, "1:1-1:7")
            fake.delay_next(1.5, method="POST", apply=True)
            with pytest.raises(httpx.ReadTimeout):
                await _read(http, headers, 60, "2:1-2:5")

            plan = await http.get(
                "/auth/v1/goals/get-todays-plan",
                params={"type": "QURAN_PAGES", "mushafId": 4},
                headers=headers,
            )
        assert plan.json()["data"]["secondsRead"] == 120
        assert plan.json()["data"]["versesRead"] == 12
        _assert_clean(fake)
    finally:
        await server.stop()


async def test_command_line_entry_serves_and_prints_its_urls() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "sandbox.quran_foundation",
        "--port",
        "0",
        "--contract",
        "2026-03-29",
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        async with asyncio.timeout(30):
            banner = (await process.stdout.readline()).decode()
        url = banner.rsplit(" at ", 1)[1].strip()
        assert banner.startswith("Fake Quran Foundation (2026-03-29) at http://127.0.0.1:")
        async with httpx.AsyncClient(base_url=url) as http:
            response = await http.get("/auth/v1/notes")
        assert response.status_code == 401
    finally:
        process.terminate()
        await process.wait()
