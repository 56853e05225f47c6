"""Note writes under both Quran Foundation contracts, driven through the bot's screens.

2026-03-29: every note write carries `lastMutationAt`; when Quran.com changed meanwhile (the
fake's stamp moved behind the bot's back) the adapter refetches the head and retries once.
Production: no `lastMutationAt`, no `/v1/sync` (the fake's spec validation would flag them).
"""

from __future__ import annotations

from pathlib import Path

from notes_support import (
    SCOPES_WITH_SYNC,
    assert_telegram_accepted_everything,
    finish_wizard,
    labels,
    notes_of,
    open_wizard,
    text_of,
)

from sandbox.harness import DEMO_USER, BotHarness
from sandbox.quran_foundation import RecordedRequest


def _writes(bot: BotHarness, since: int) -> list[RecordedRequest]:
    return [
        request for request in bot.fake_qf.requests[since:]
        if request.api_path is not None and request.method != "GET"
        and request.api_path.startswith("/v1/notes")
    ]


def _quran_com_changed_something(bot: BotHarness, sub: str) -> None:
    stamp = bot.fake_qf.users[sub].last_mutation_at
    assert stamp is not None
    bot.fake_qf.users[sub].last_mutation_at = stamp + 777


async def test_2026_contract_create_edit_publish_delete_recover_from_stale_stamps(
    tmp_path: Path,
) -> None:
    async with BotHarness(tmp_path, contract="2026-03-29") as bot:
        sub = await bot.link_account(scopes=SCOPES_WITH_SYNC)

        # Create on a fresh account: "first sync" → one retry with -1.
        await open_wizard(bot, "2:255")
        await bot.send("Written under the 2026-03-29 contract.")
        mark = len(bot.fake_qf.requests)
        saved = await finish_wizard(bot)
        assert "✅ Saved" in text_of(saved)
        creates = _writes(bot, mark)
        assert [r.status for r in creates] == [409, 200]
        assert creates[-1].query["lastMutationAt"] == "-1"
        stored = (await bot.deps.accounts.get(DEMO_USER.id))
        assert stored is not None
        assert stored.last_mutation_at == bot.fake_qf.users[sub].last_mutation_at

        # Edit after Quran.com changed something: 409, fresh head, one retry.
        _quran_com_changed_something(bot, sub)
        await bot.send("/notes")
        await bot.press("1")
        await bot.press("Edit")
        await bot.send("Edited after a change on Quran.com.")
        mark = len(bot.fake_qf.requests)
        assert "✅ Updated" in text_of(await bot.press("Done"))
        patches = _writes(bot, mark)
        assert [(r.method, r.status) for r in patches] == [("PATCH", 409), ("PATCH", 200)]
        head = bot.fake_qf.api_requests("GET", "/v1/sync")[-1]
        assert head.status == 200
        (note,) = notes_of(bot, sub)
        assert note.body == "Edited after a change on Quran.com."

        # Publish, stale again.
        _quran_com_changed_something(bot, sub)
        mark = len(bot.fake_qf.requests)
        await bot.send("/notes")
        await bot.press("1")
        await bot.press("Share to QuranReflect")
        assert "Shared your note" in text_of(await bot.press("Yes, share it"))
        assert [r.status for r in _writes(bot, mark)] == [409, 200]
        assert len(bot.fake_qf.users[sub].posts) == 1

        # Delete, stale again.
        _quran_com_changed_something(bot, sub)
        await bot.press("Delete")
        mark = len(bot.fake_qf.requests)
        assert "Note deleted" in text_of(await bot.press("Yes, delete it"))
        assert [(r.method, r.status) for r in _writes(bot, mark)] == [("DELETE", 409),
                                                                      ("DELETE", 200)]
        assert notes_of(bot, sub) == []

        # A one-liner with the stamp in step needs no retry at all.
        mark = len(bot.fake_qf.requests)
        await bot.send("/note 1:1 In the name of Allah, the Merciful")
        assert [r.status for r in _writes(bot, mark)] == [200]

        every_write = [r for r in bot.fake_qf.requests if r.api_path is not None
                       and r.method != "GET" and r.api_path.startswith("/v1/notes")]
        assert all("lastMutationAt" in r.query for r in every_write)
        assert bot.fake_qf.validation_errors == []
        assert_telegram_accepted_everything(bot.world)


async def test_2026_contract_without_sync_scope_keeps_the_draft_on_a_stale_stamp(
    tmp_path: Path,
) -> None:
    async with BotHarness(tmp_path, contract="2026-03-29") as bot:
        sub = await bot.link_account()  # the default scopes: no `sync`
        await bot.send("/note 2:255 The first note teaches the bot the stamp")
        assert len(notes_of(bot, sub)) == 1
        _quran_com_changed_something(bot, sub)
        failed = await bot.send("/note 2:256 Written after a change on Quran.com")
        assert labels(failed[-1]) == ["🔁 Try again"]
        assert "{" not in text_of(failed)
        draft = await bot.deps.drafts.latest_for_user(DEMO_USER.id)
        assert draft is not None and draft.body == "Written after a change on Quran.com"
        assert len(notes_of(bot, sub)) == 1
        assert bot.fake_qf.validation_errors == []


async def test_production_note_writes_send_no_last_mutation_at(tmp_path: Path) -> None:
    async with BotHarness(tmp_path, contract="production") as bot:
        sub = await bot.link_account()
        await open_wizard(bot, "2:255")
        await bot.send("Production has no mutation stamps.")
        await finish_wizard(bot, share=True)
        await bot.send("/notes")
        await bot.press("1")
        await bot.press("Edit")
        await bot.send("Edited in production.")
        await bot.press("Done")
        await bot.send("/note 1:1 Shared from the saved message, in production")
        await bot.press("Share to QuranReflect")
        await bot.press("Yes, share it")
        await bot.send("/notes")
        await bot.press("2")
        await bot.press("Delete")
        await bot.press("Yes, delete it")

        methods = {(r.method, r.status) for r in bot.fake_qf.api_requests()
                   if r.api_path and r.api_path.startswith("/v1/notes") and r.method != "GET"}
        assert methods == {("POST", 200), ("PATCH", 200), ("DELETE", 200)}
        assert all("lastMutationAt" not in r.query for r in bot.fake_qf.api_requests())
        assert bot.fake_qf.api_requests(path="/v1/sync") == []
        assert len(notes_of(bot, sub)) == 1 and len(bot.fake_qf.users[sub].posts) == 2
        assert bot.fake_qf.validation_errors == []
        assert_telegram_accepted_everything(bot.world)


async def test_todays_prelive_note_writes_carry_client_timestamps_not_the_stamp(
    tmp_path: Path,
) -> None:
    async with BotHarness(tmp_path, contract="prelive", check_spec=True) as bot:
        sub = await bot.link_account()
        await open_wizard(bot, "2:255")
        await bot.send("Written under today's pre-live contract.")
        await finish_wizard(bot, share=False)
        await bot.send("/notes")
        await bot.press("1")
        await bot.press("Edit")
        await bot.send("Edited under today's pre-live contract.")
        await bot.press("Done")

        writes = [r for r in bot.fake_qf.api_requests()
                  if r.api_path and r.api_path.startswith("/v1/notes") and r.method != "GET"]
        assert [(r.method, r.status) for r in writes] == [("POST", 200), ("PATCH", 200)]
        assert all("lastMutationAt" not in r.query for r in bot.fake_qf.api_requests())
        create, edit = writes
        assert {"clientCreatedAt", "clientUpdatedAt"} <= set(create.json)
        assert "clientUpdatedAt" in edit.json and "clientCreatedAt" not in edit.json
        (note,) = notes_of(bot, sub)
        assert note.body == "Edited under today's pre-live contract."
        assert_telegram_accepted_everything(bot.world)
