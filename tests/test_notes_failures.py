"""Quran.com failing while a note is saved: friendly replies, Retry, and never a second copy."""

from __future__ import annotations

from pathlib import Path

from notes_support import (
    assert_telegram_accepted_everything,
    finish_wizard,
    labels,
    notes_of,
    open_wizard,
    text_of,
)

from handlers.notes.buttons import RetrySave
from sandbox.harness import DEMO_USER, BotHarness
from sandbox.quran_foundation import FakeContract

NOTES_PATH = r"/v1/notes$"


async def test_failed_save_keeps_the_draft_and_retry_saves_it_once(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        await open_wizard(bot, "2:255")
        await bot.send("Saved on the second try.")
        bot.fake_qf.fail_next(503, method="POST", path=NOTES_PATH)
        failed = await finish_wizard(bot)

        reply = text_of(failed)
        assert "{" not in reply and "503" not in reply  # friendly, never raw JSON
        assert labels(failed[-1]) == ["🔁 Try again"]
        assert notes_of(bot, sub) == []
        draft = await bot.deps.drafts.latest_for_user(DEMO_USER.id)
        assert draft is not None and draft.status == "failed"
        assert draft.body == "Saved on the second try."

        saved = await bot.press("Try again")
        assert "✅ Saved your note on 2:255" in text_of(saved)
        (note,) = notes_of(bot, sub)
        assert note.body == "Saved on the second try."
        assert await bot.deps.drafts.latest_for_user(DEMO_USER.id) is None

        again = await bot.press_data(RetrySave(draft.id).pack())  # a stale or double press
        assert again == []  # the "Saved" message stays as it is
        assert "Nothing to retry" in (bot.world.answered_callbacks[-1].text or "")
        assert "✅ Saved your note on 2:255" in bot.texts()[-1]
        assert len(notes_of(bot, sub)) == 1
        assert bot.fake_qf.validation_errors == []
        assert_telegram_accepted_everything(bot.world)


async def test_lost_answer_then_retry_never_duplicates_the_note(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        await open_wizard(bot, "2:255")
        await bot.send("The server saved this; the answer got lost.")
        # The POST is applied but its answer never arrives, and the client's own check by range
        # fails too (every attempt), so the bot cannot know: the draft stays, Retry is offered.
        bot.fake_qf.timeout_next(method="POST", path=NOTES_PATH, apply=True)
        bot.fake_qf.fail_next(503, method="GET", path="by-range", times=3)
        failed = await finish_wizard(bot)
        assert labels(failed[-1]) == ["🔁 Try again"]
        assert len(notes_of(bot, sub)) == 1  # it did arrive

        saved = await bot.press("Try again")
        assert "✅ Saved your note on 2:255" in text_of(saved)
        assert len(notes_of(bot, sub)) == 1  # found, not sent again
        assert len(bot.fake_qf.api_requests("POST", NOTES_PATH)) == 1
        assert await bot.deps.drafts.latest_for_user(DEMO_USER.id) is None


async def test_rate_limit_reply_is_friendly_and_offers_retry(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        bot.fake_qf.fail_next(429, method="POST", path=NOTES_PATH, retry_after=30)
        failed = await bot.send("/note 2:255 Written while Quran.com was busy")
        assert labels(failed[-1]) == ["🔁 Try again"]
        assert "{" not in text_of(failed)
        assert notes_of(bot, sub) == []
        await bot.press("Try again")
        (note,) = notes_of(bot, sub)
        assert note.body == "Written while Quran.com was busy"


async def test_a_restart_after_a_failure_keeps_the_draft_and_its_retry_button(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        bot.fake_qf.fail_next(502, method="POST", path=NOTES_PATH)
        await bot.send("/note 3:200 Survives a restart after failing")
        await bot.restart()
        await bot.press("Try again")
        (note,) = notes_of(bot, sub)
        assert note.body == "Survives a restart after failing"


async def test_sharing_failure_after_done_keeps_the_private_note_and_offers_retry(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        await open_wizard(bot, "2:255")
        await bot.send("Shared later, once QuranReflect is back.")
        saved = await bot.press("Done")
        assert "✅ Saved your note on 2:255" in text_of(saved)
        (note,) = notes_of(bot, sub)  # saved privately whatever happens to the sharing
        bot.fake_qf.fail_next(502, method="POST", path=r"/v1/notes/[^/]+/publish$")
        await bot.press("Share to QuranReflect")
        failed = await bot.press("Yes, share it")
        assert "Try again" in " ".join(labels(failed[-1]))
        assert bot.fake_qf.users[sub].posts == []

        published = await bot.press("Try again")
        assert "Shared your note on 2:255 to QuranReflect" in text_of(published)
        (post,) = bot.fake_qf.users[sub].posts
        assert post["noteId"] == note.id and post["body"] == note.body
        assert bot.fake_qf.validation_errors == []


async def test_expired_link_during_save_asks_to_relink_and_keeps_the_draft(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        await open_wizard(bot, "2:255")
        await bot.send("Written while the link was being revoked.")
        await bot.deps.accounts.delete(DEMO_USER.id)  # unlinked meanwhile (e.g. /logout elsewhere)
        failed = await finish_wizard(bot)
        assert "🔗 Link Quran.com account" in labels(failed[-1])
        draft = await bot.deps.drafts.latest_for_user(DEMO_USER.id)
        assert draft is not None and draft.body == "Written while the link was being revoked."
        await bot.link_account()
        await bot.send("/note")
        confirm = await bot.press("Continue your draft")
        assert "Save this note?" in text_of(confirm)
        await bot.press("Save")
        (note,) = notes_of(bot, sub)
        assert note.body == "Written while the link was being revoked."
