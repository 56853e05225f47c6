"""What each Quran Foundation contract declares, as the client sends it: production, today's
pre-live and the 2026-03-29 pre-live, every request checked against that contract's spec (the
fake records any undeclared query parameter in `validation_errors`, which `qf_world` asserts
empty on exit)."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from qf_support import ALL_SCOPES, CONTRACTS, QFWorld, qf_world

from bot.qf import NoteInput, QFError
from bot.qf.oauth import IdTokenRejected, check_id_token, token_set_from
from sandbox.quran_foundation import FakeContract

#: Pre-live grants `sync`, which the 2026-03-29 head lookup needs.
PRELIVE_SCOPES = (*ALL_SCOPES, "sync")


def _scopes(contract: FakeContract) -> tuple[str, ...]:
    return ALL_SCOPES if contract == "production" else PRELIVE_SCOPES


def _note(text: str = "A reflection on the Throne Verse") -> NoteInput:
    return NoteInput(body=text, ranges=["2:255-2:255"])


@pytest.mark.parametrize("contract", CONTRACTS)
async def test_note_writes_carry_exactly_what_the_contract_declares(
    contract: FakeContract,
) -> None:
    async with qf_world(contract) as world:
        user = world.link(scopes=_scopes(contract))
        note = (await user.create_note(_note())).note
        world.clock.advance(seconds=30)
        await user.update_note(note.id, "A second thought on it")
        await user.delete_note(note.id)
        # (On 2026-03-29 a first write meets "First sync detected" once and is re-sent: keep
        # the requests that were accepted.)
        writes = [r for r in world.fake.api_requests() if r.method != "GET" and r.status == 200]
        assert [r.method for r in writes] == ["POST", "PATCH", "DELETE"]
        stamped = [("lastMutationAt" in r.query) for r in writes]
        assert stamped == [contract == "2026-03-29"] * 3
        create, update, _ = writes
        if contract == "prelive":
            assert create.json["clientCreatedAt"] == create.json["clientUpdatedAt"]
            assert create.json["clientCreatedAt"].endswith("Z")
            assert "clientCreatedAt" not in update.json  # an edit keeps the creation time
            assert update.json["clientUpdatedAt"] > create.json["clientUpdatedAt"]
        else:
            assert not {"clientCreatedAt", "clientUpdatedAt"} & set(create.json)
            assert not {"clientCreatedAt", "clientUpdatedAt"} & set(update.json)


async def test_should_not_exist_is_not_read_as_required_and_stops_the_stamp() -> None:
    # A client told to send lastMutationAt meets today's pre-live, which forbids it.
    async with qf_world("prelive", send_last_mutation_at=True, check_spec=False) as world:
        user = world.link(scopes=PRELIVE_SCOPES)
        saved = await user.create_note(_note())
        assert world.fake.users["sub-7"].notes.keys() == {saved.note.id}
        await user.update_note(saved.note.id, "A second thought on it")
        posts = world.fake.api_requests("POST", "/v1/notes$")
        assert [r.status for r in posts] == [400, 200]
        assert ["lastMutationAt" in r.query for r in posts] == [True, False]
        (patch,) = world.fake.api_requests("PATCH")
        assert "lastMutationAt" not in patch.query and patch.status == 200
        assert not world.client.sends_last_mutation_at
        # The one refusal is the only request the contract did not accept.
        assert len(world.fake.validation_errors) == 1
        assert "lastMutationAt" in world.fake.validation_errors[0]


async def test_a_demand_for_the_stamp_is_still_learned_where_the_contract_has_it() -> None:
    async with qf_world("2026-03-29", send_last_mutation_at=False) as world:
        user = world.link(scopes=PRELIVE_SCOPES)
        await user.create_note(_note())
        assert world.client.sends_last_mutation_at


@pytest.mark.parametrize("contract", CONTRACTS)
async def test_by_verse_sends_the_verse_key_in_the_path_and_the_query(
    contract: FakeContract,
) -> None:
    async with qf_world(contract) as world:
        user = world.link(scopes=_scopes(contract))
        saved = await user.create_note(_note())
        found = await user.notes_by_verse("2:255")
        assert [note.id for note in found] == [saved.note.id]
        (request,) = world.fake.api_requests("GET", "/by-verse/")
        assert request.api_path == "/v1/notes/by-verse/2:255"
        assert request.query == {"verseKey": "2:255"}


# -- 403 with a refused token ---------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"success": False, "message": "The access token is invalid", "type": "forbidden"},
        {"success": False, "error": {"code": "invalid_token", "message": "Forbidden"}},
        {"success": False, "message": "Token expired", "type": "forbidden"},
    ],
    ids=["invalid-wording", "invalid_token-code", "expired"],
)
async def test_a_403_saying_the_token_is_refused_refreshes_once(body: dict[str, object]) -> None:
    async with qf_world("production") as world:
        user = world.link()
        world.fake.fail_next(403, path="/v1/streaks/current-streak-days", body=body)
        assert await user.current_streak_days() == 0
        assert world.refresh_grants() == 1


async def test_a_403_for_a_missing_scope_does_not_refresh() -> None:
    async with qf_world("production") as world:
        user = world.link(scopes=("openid", "offline_access", "note"))
        with pytest.raises(QFError) as caught:
            await user.current_streak_days()
        assert caught.value.status == 403
        assert world.refresh_grants() == 0


# -- reading sessions ------------------------------------------------------------------------


@pytest.mark.parametrize("contract", CONTRACTS)
async def test_reading_position_is_recorded_and_read_back(contract: FakeContract) -> None:
    async with qf_world(contract) as world:
        user = world.link(scopes=_scopes(contract))
        assert await user.latest_reading_position() is None
        await user.record_reading_position(18, 10)
        world.clock.advance(seconds=60)
        await user.record_reading_position(18, 20)
        latest = await user.latest_reading_position()
        assert latest is not None and latest.verse_key == "18:20"
        (first, _) = world.fake.api_requests("POST", "/v1/reading-sessions")
        assert first.json["chapterNumber"] == 18 and first.json["verseNumber"] == 10
        assert ("clientCreatedAt" in first.json) is (contract == "prelive")


# -- id_token --------------------------------------------------------------------------------

NOW_CLAIMS = {"iss": "https://oauth2.quran.foundation/", "aud": ["client"], "nonce": "n-1"}


def _check(claims: dict[str, object], *, openid: bool = True, nonce: str | None = "n-1") -> None:
    from datetime import UTC, datetime

    now = datetime(2026, 5, 1, tzinfo=UTC)
    full = {"exp": int((now + timedelta(minutes=5)).timestamp()), **NOW_CLAIMS, **claims}
    check_id_token(
        {k: v for k, v in full.items() if v is not None},
        client_id="client", issuer="https://oauth2.quran.foundation", now=now,
        expected_nonce=nonce, openid_granted=openid,
    )


def test_a_good_id_token_passes() -> None:
    _check({})
    _check({"aud": "client"})


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"aud": ["someone-else"]}, "id_token_audience"),
        ({"iss": "https://evil.example/"}, "id_token_issuer"),
        ({"exp": 1_700_000_000}, "id_token_expired"),
        ({"nonce": None}, "nonce_missing"),
        ({"nonce": "n-2"}, "nonce_mismatch"),
    ],
)
def test_an_id_token_not_for_this_login_is_refused(claims: dict[str, object], reason: str) -> None:
    with pytest.raises(IdTokenRejected) as caught:
        _check(claims)
    assert caught.value.reason == reason


def test_openid_granted_without_an_id_token_is_refused() -> None:
    from datetime import UTC, datetime

    with pytest.raises(IdTokenRejected, match="no id_token"):
        check_id_token({}, client_id="c", issuer="https://o", now=datetime.now(UTC),
                       expected_nonce="n", openid_granted=True)


def _forged(world: QFWorld, tokens_payload: dict[str, object], **changes: object) -> str:
    header, payload, signature = str(tokens_payload["id_token"]).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(changes)
    encoded = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{encoded}.{signature}"


async def test_linking_refuses_an_id_token_issued_to_another_client() -> None:
    async with qf_world("production") as world:
        issued = world.fake.issue_tokens("reader-9", ALL_SCOPES, nonce="n-9")
        issued["id_token"] = _forged(world, issued, iss="https://qf.test/", aud=["other-client"])
        tokens = token_set_from(issued, now=world.clock())
        with pytest.raises(QFError) as caught:
            await world.client.fetch_identity(tokens, expected_nonce="n-9")
        assert caught.value.code == "id_token_audience"
