"""Every User API operation and the OAuth flow against the fake QF server (spec-validated)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from qf_support import ALL_SCOPES, CONTRACTS, QFWorld, qf_world

from bot.qf import (
    GoalInput,
    GoalType,
    NoteInput,
    NotFound,
    UserSession,
    new_nonce,
    new_pkce_pair,
    new_state,
)

MUSHAF = 4


@pytest.fixture(params=CONTRACTS)
async def world(request: pytest.FixtureRequest) -> AsyncIterator[QFWorld]:
    # Each client is configured as deployed against that contract: lastMutationAt from the
    # start where the contract declares it (docs §6 rule 1), never where it does not.
    async with qf_world(request.param) as w:
        yield w


@pytest.fixture
def user(world: QFWorld) -> UserSession:
    return world.link()


async def test_profile_is_read_from_the_quran_reflect_base(
    world: QFWorld, user: UserSession
) -> None:
    profile = await user.profile()
    assert profile.id == "sub-7"
    assert profile.display_name == "Aisha Khan"
    (request,) = world.fake.api_requests("GET", "/v1/users/profile")
    assert request.path == "/quran-reflect/v1/users/profile"


async def test_goal_lifecycle_create_plan_update_estimate_delete(
    world: QFWorld, user: UserSession
) -> None:
    goal_id = await user.create_goal(GoalInput(type=GoalType.QURAN_TIME, amount=600), MUSHAF)
    plan = await user.todays_plan(GoalType.QURAN_TIME, MUSHAF)
    assert plan.has_active_goal and plan.daily_target_seconds == 600
    assert plan.goal_type is GoalType.QURAN_TIME
    if world.fake.contract == "production":
        assert plan.goal_id == goal_id  # the 2026-03-29 contract has no goalId

    found = await user.find_todays_plan(MUSHAF)
    assert found is not None and found.goal_type is GoalType.QURAN_TIME

    await user.update_goal(goal_id, GoalInput(type=GoalType.QURAN_TIME, amount=900), MUSHAF)
    assert (await user.todays_plan("QURAN_TIME", MUSHAF)).daily_target_seconds == 900

    estimate = await user.estimate_goal(GoalType.QURAN_RANGE, "1:1-2:10", MUSHAF, duration=3)
    assert len(estimate.week) == 3
    assert all(isinstance(day.date, date) for day in estimate.week)

    await user.delete_goal(goal_id)
    assert await user.find_todays_plan(MUSHAF) is None
    assert not world.fake.users["sub-7"].goals


async def test_find_todays_plan_probes_each_quran_goal_type(
    world: QFWorld, user: UserSession
) -> None:
    await user.create_goal(GoalInput(type="QURAN_RANGE", amount="1:1-1:7", duration=1), MUSHAF)
    plan = await user.find_todays_plan(MUSHAF)
    assert plan is not None and plan.goal_type is GoalType.QURAN_RANGE
    assert plan.daily_target_ranges == ["1:1-1:7"]
    asked = [r.query["type"] for r in world.fake.api_requests("GET", "get-todays-plan")]
    assert asked == ["QURAN_TIME", "QURAN_PAGES", "QURAN_RANGE"]


async def test_note_lifecycle(world: QFWorld, user: UserSession) -> None:
    saved = await user.create_note(
        NoteInput(body="On the Throne Verse", ranges=["2:255-2:255"])
    )
    assert not saved.shared_failed
    note = saved.note
    assert note.ranges == ["2:255-2:255"]

    assert [n.id for n in await user.notes_by_verse("2:255")] == [note.id]
    assert [n.id for n in await user.notes_by_range("2:250", "2:260")] == [note.id]
    assert await user.count_notes_in_range("2:254", "2:256") == {"2:255": 1}
    assert (await user.get_note(note.id)).body == "On the Throne Verse"

    updated = await user.update_note(note.id, "On the Throne Verse, again")
    assert updated.body == "On the Throne Verse, again"

    published = await user.publish_note(note.id, updated.body, ["2:255-2:255"])
    assert published.success and published.post_id is not None

    await user.delete_note(note.id)
    with pytest.raises(NotFound):
        await user.get_note(note.id)


async def test_notes_list_pages_with_a_cursor(world: QFWorld, user: UserSession) -> None:
    for n in range(3):
        await user.create_note(NoteInput(body=f"Reflection {n}", ranges=[f"1:{n + 1}-1:{n + 1}"]))
    first = await user.list_notes(limit=2)
    assert [n.body for n in first.notes] == ["Reflection 2", "Reflection 1"]
    assert first.next_cursor is not None
    second = await user.list_notes(cursor=first.next_cursor, limit=2)
    assert [n.body for n in second.notes] == ["Reflection 0"]
    assert second.next_cursor is None


async def test_note_saved_but_not_shared_is_reported_not_raised(
    world: QFWorld, user: UserSession
) -> None:
    world.fake.fail_quranreflect_share_next()
    saved = await user.create_note(
        NoteInput(body="Share this please", ranges=["1:1-1:7"], save_to_qr=True)
    )
    assert saved.shared_failed
    assert saved.note.body == "Share this please"
    assert saved.note.id in world.fake.users["sub-7"].notes


async def test_activity_days_streaks_and_reading_estimate(
    world: QFWorld, user: UserSession
) -> None:
    today = world.clock().date()
    assert await user.estimate_reading_time(["1:1-1:7"]) == 7 * 6
    await user.add_activity_day(["1:1-1:7"], 45, MUSHAF, date=today - timedelta(days=1))
    await user.add_activity_day(["2:1-2:5"], 30, MUSHAF)

    days = await user.list_activity_days(today - timedelta(days=7), today)
    assert sorted(day.date for day in days) == [today - timedelta(days=1), today]
    assert {day.seconds_read for day in days} == {45, 30}

    assert await user.current_streak_days() == 2
    (streak,) = await user.list_streaks()
    assert streak.days == 2 and streak.active
    assert streak.start_date == today - timedelta(days=1)


async def test_lists_follow_relay_cursors_past_one_page(
    world: QFWorld, user: UserSession
) -> None:
    today = world.clock().date()
    for offset in range(25):
        await user.add_activity_day(["1:1-1:1"], 10, MUSHAF, date=today - timedelta(days=offset))
    days = await user.list_activity_days(today - timedelta(days=40), today)
    assert len(days) == 25
    assert len(world.fake.api_requests("GET", r"^/v1/activity-days$")) == 2


async def test_headers_timezone_only_where_the_spec_takes_it(
    world: QFWorld, user: UserSession
) -> None:
    goal_id = await user.create_goal(GoalInput(type=GoalType.QURAN_PAGES, amount=2), MUSHAF)
    await user.todays_plan(GoalType.QURAN_PAGES, MUSHAF)
    await user.update_goal(goal_id, GoalInput(type=GoalType.QURAN_PAGES, amount=3), MUSHAF)
    await user.estimate_goal(GoalType.QURAN_PAGES, 3, MUSHAF)
    await user.delete_goal(goal_id)
    await user.add_activity_day(["1:1-1:7"], 60, MUSHAF)
    await user.list_streaks()
    await user.current_streak_days()
    await user.list_activity_days(world.clock().date(), world.clock().date())
    await user.estimate_reading_time(["1:1-1:2"])
    await user.create_note(NoteInput(body="Header check", ranges=["1:1-1:1"]))
    await user.list_notes()
    await user.profile()

    zoned = {
        ("POST", "/v1/goals"), ("GET", "/v1/goals/get-todays-plan"), ("PUT", "/v1/goals/{id}"),
        ("GET", "/v1/goals/estimate"), ("DELETE", "/v1/goals/{id}"), ("POST", "/v1/activity-days"),
        ("GET", "/v1/streaks"), ("GET", "/v1/streaks/current-streak-days"),
    }
    seen: set[tuple[str, str]] = set()
    for request in world.fake.api_requests():
        template = (request.api_path or "").replace(goal_id, "{id}")
        key = (request.method, template)
        seen.add(key)
        assert request.headers["x-client-id"] == "demo-client"
        assert request.headers["x-auth-token"]
        assert ("x-timezone" in request.headers) == (key in zoned), key
        if key in zoned:
            assert request.headers["x-timezone"] == "Asia/Riyadh"
    assert zoned <= seen


async def test_no_timezone_header_when_the_user_has_none(world: QFWorld) -> None:
    user = world.link(timezone=None)
    await user.current_streak_days()
    (request,) = world.fake.api_requests("GET", "current-streak-days")
    assert "x-timezone" not in request.headers


async def test_oauth_code_flow_with_pkce_and_identity(world: QFWorld) -> None:
    world.fake.seed_user("reader-1", name="Yusuf Ali")
    world.fake.next_login_sub = "reader-1"
    verifier, challenge = new_pkce_pair()
    state, nonce = new_state(), new_nonce()
    redirect_uri = "https://bot.example/oauth/callback"
    url = world.client.authorization_url(
        state=state, nonce=nonce, code_challenge=challenge, redirect_uri=redirect_uri,
        scopes=ALL_SCOPES,
    )
    answer = await world.http.get(url)
    assert answer.status_code == 302
    callback = parse_qs(urlsplit(answer.headers["location"]).query)
    assert callback["state"] == [state]

    tokens = await world.client.exchange_code(
        code=callback["code"][0], code_verifier=verifier, redirect_uri=redirect_uri
    )
    assert tokens.refresh_token and tokens.id_token
    assert tokens.expires_at == world.clock() + timedelta(hours=1)
    assert set(tokens.scopes) == set(ALL_SCOPES)
    assert await world.client.fetch_identity(tokens, expected_nonce=nonce) == (
        "reader-1", "Yusuf Ali"
    )
    (call,) = world.fake.token_requests
    assert call.grant_type == "authorization_code" and call.had_basic_auth and call.status == 200

    await world.client.revoke(tokens.refresh_token)
    assert world.fake.refresh_token_state(tokens.refresh_token) == "revoked"
    assert world.fake.revoke_requests[0].had_basic_auth


async def test_identity_falls_back_to_the_profile_without_an_id_token(world: QFWorld) -> None:
    world.fake.seed_user("reader-2", name="Maryam Noor")
    issued = world.fake.issue_tokens("reader-2", ("offline_access", "user", "note"))
    from bot.qf.oauth import token_set_from

    tokens = token_set_from(issued, now=world.clock())
    assert tokens.id_token is None
    assert await world.client.fetch_identity(tokens) == ("reader-2", "Maryam Noor")
    assert world.fake.api_requests("GET", "/v1/users/profile")
