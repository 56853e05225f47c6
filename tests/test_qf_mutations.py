"""`lastMutationAt` on note writes (docs §6 "Bot rule") against both fake contracts."""

from __future__ import annotations

import pytest
from qf_support import ALL_SCOPES, QFWorld, qf_world

from bot.qf import NoteInput, OutOfSync, UserSession

#: Pre-live grants `sync`, which the head lookup needs.
PRELIVE_SCOPES = (*ALL_SCOPES, "sync")


def _note(text: str = "A reflection") -> NoteInput:
    return NoteInput(body=text, ranges=["2:255-2:255"])


def _stamps(world: QFWorld, method: str = "POST", path: str = "/v1/notes$") -> list[str | None]:
    return [r.query.get("lastMutationAt") for r in world.fake.api_requests(method, path)]


async def test_production_never_sees_last_mutation_at_or_sync() -> None:
    async with qf_world("production") as world:
        user = world.link()
        note = (await user.create_note(_note())).note
        await user.update_note(note.id, "An edited reflection")
        await user.publish_note(note.id, "An edited reflection")
        await user.delete_note(note.id)
        assert all("lastMutationAt" not in r.query for r in world.fake.api_requests())
        assert world.fake.api_requests(path="/v1/sync") == []
        assert world.accounts.rows[7].last_mutation_at is None
        assert not world.client.sends_last_mutation_at


async def test_first_sync_fetches_the_head_then_uses_minus_one() -> None:
    async with qf_world("2026-03-29", send_last_mutation_at=True) as world:
        user = world.link(scopes=PRELIVE_SCOPES)
        await user.create_note(_note())
        (head,) = world.fake.api_requests("GET", "/v1/sync")
        assert head.query == {"mutationsSince": "0", "metadataOnly": "true"}
        assert _stamps(world) == ["0", "-1"]  # head 0 → "First sync detected" → -1
        server = world.fake.users["sub-7"].last_mutation_at
        assert server is not None and world.accounts.rows[7].last_mutation_at == server


async def test_stored_stamp_is_sent_and_advanced_by_each_write() -> None:
    async with qf_world("2026-03-29", send_last_mutation_at=True) as world:
        user = world.link(scopes=PRELIVE_SCOPES)
        note = (await user.create_note(_note())).note
        first = world.accounts.rows[7].last_mutation_at
        world.clock.advance(seconds=5)
        await user.update_note(note.id, "A second thought")
        second = world.accounts.rows[7].last_mutation_at
        assert first is not None and second is not None and second > first
        assert _stamps(world, "PATCH", "/v1/notes/") == [str(first)]
        world.clock.advance(seconds=5)
        await user.publish_note(note.id, "A second thought", ["2:255-2:255"])
        third = world.accounts.rows[7].last_mutation_at
        assert _stamps(world, "POST", "/publish") == [str(second)]
        await user.delete_note(note.id)
        assert _stamps(world, "DELETE", "/v1/notes/") == [str(third)]
        assert len(world.fake.api_requests("GET", "/v1/sync")) == 1  # only before the first


async def test_stale_stamp_refetches_the_head_and_retries_once() -> None:
    async with qf_world("2026-03-29", send_last_mutation_at=True) as world:
        user = world.link(scopes=PRELIVE_SCOPES)
        await user.create_note(_note())
        stale = world.accounts.rows[7].last_mutation_at
        assert stale is not None
        world.fake.users["sub-7"].last_mutation_at = stale + 777  # a write from Quran.com
        await user.create_note(_note("Written after Quran.com changed"))
        heads = world.fake.api_requests("GET", "/v1/sync")
        assert heads[-1].query["mutationsSince"] == str(stale)
        assert _stamps(world)[-2:] == [str(stale), str(stale + 777)]
        assert len(world.fake.users["sub-7"].notes) == 2


async def test_repeated_conflicts_never_loop() -> None:
    async with qf_world("2026-03-29", send_last_mutation_at=True) as world:
        user = world.link(scopes=PRELIVE_SCOPES)
        await world.accounts.set_last_mutation_at(7, 5)
        world.fake.fail_next(409, method="POST", path="/v1/notes$", times=10)
        with pytest.raises(OutOfSync):
            await user.create_note(_note())
        assert len(world.fake.api_requests("POST", "/v1/notes$")) == 2
        assert world.fake.users["sub-7"].notes == {}


async def test_the_requirement_is_learned_from_the_server_and_remembered() -> None:
    async with qf_world("2026-03-29", send_last_mutation_at=False) as world:
        user = world.link(scopes=PRELIVE_SCOPES)
        await user.create_note(_note())
        assert world.client.sends_last_mutation_at
        # Without the stamp (400 naming it) → head → 0 (first sync) → -1.
        assert _stamps(world) == [None, "0", "-1"]
        other: UserSession = world.link(8, sub="sub-8", scopes=PRELIVE_SCOPES)
        await other.create_note(_note())
        assert _stamps(world)[3:] == ["0", "-1"]  # no more probing without the stamp


async def test_unreachable_head_falls_back_to_minus_one() -> None:
    async with qf_world("2026-03-29", send_last_mutation_at=True) as world:
        user = world.link(scopes=PRELIVE_SCOPES)
        world.fake.fail_next(503, path="/v1/sync", times=3)
        await user.create_note(_note())
        assert _stamps(world) == ["-1"]


async def test_head_without_the_sync_scope_falls_back_to_minus_one() -> None:
    async with qf_world("2026-03-29", send_last_mutation_at=True) as world:
        user = world.link()  # no `sync` scope: the head lookup is forbidden
        await user.create_note(_note())
        assert [r.status for r in world.fake.api_requests("GET", "/v1/sync")] == [403]
        assert _stamps(world) == ["-1"]


async def test_ambiguous_create_is_reconciled_and_the_next_write_resyncs() -> None:
    async with qf_world("2026-03-29", send_last_mutation_at=True, request_deadline=0.3) as world:
        user = world.link(scopes=PRELIVE_SCOPES)
        await user.create_note(_note("The first one"))
        world.fake.delay_next(2.0, method="POST", path="/v1/notes$", apply=True)
        second = await user.create_note(_note("Second, answer lost"))
        assert second.note.body == "Second, answer lost"
        third = await user.create_note(_note("The third one"))
        assert third.note.body == "The third one"
        assert len(world.fake.users["sub-7"].notes) == 3


async def test_sync_head_reads_and_stores_the_servers_latest_mutation() -> None:
    async with qf_world("2026-03-29", send_last_mutation_at=True) as world:
        user = world.link(scopes=PRELIVE_SCOPES)
        assert await user.sync_head() == 0
        await user.create_note(_note())
        server = world.fake.users["sub-7"].last_mutation_at
        await world.accounts.set_last_mutation_at(7, 1)  # forget what the write told us
        assert await user.sync_head() == server
        assert world.accounts.rows[7].last_mutation_at == server
        assert world.fake.api_requests("GET", "/v1/sync")[-1].query["mutationsSince"] == "1"
