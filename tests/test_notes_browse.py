"""/notes: cursor pages, notes on a verse or range, opening, editing (PATCH), deleting and
publishing to QuranReflect."""

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

from bot.qf import NoteInput
from handlers.notes.buttons import (
    AskPublish,
    FinishText,
    KeepNote,
    Listing,
    OpenNote,
    RetrySave,
    TurnPage,
)
from sandbox.harness import DEMO_USER, BotHarness
from sandbox.quran_foundation import FakeContract
from sandbox.telegram import FakeUser


async def _add(bot: BotHarness, body: str, *ranges: str) -> str:
    session = bot.deps.qf.for_user(DEMO_USER.id)
    saved = await session.create_note(NoteInput(body=body, ranges=list(ranges)))
    return saved.note.id


async def test_notes_pages_through_cursors_newest_first(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        await bot.link_account()
        for number in range(1, 13):
            await _add(bot, f"Reflection number {number}", f"2:{number}-2:{number}")

        first = await bot.send("/notes")
        page = text_of(first)
        assert "Reflection number 12" in page and "Reflection number 8" in page
        assert "Reflection number 7" not in page
        assert labels(first[-1]) == ["1", "2", "3", "4", "5", "Older ›"]

        second = await bot.press("Older ›")
        assert first[-1]["message_id"] == second[-1]["message_id"]  # the list is edited in place
        page = text_of(second)
        assert "6." in page and "Reflection number 7" in page and "Reflection number 3" in page
        assert labels(second[-1]) == ["6", "7", "8", "9", "10", "‹ Newer", "Older ›"]
        # Cursors stay on the server side: buttons carry only a page number.
        navigation = [data for label, data in bot.world.buttons(second[-1]) if "›" in label
                      or "‹" in label]
        assert navigation == [TurnPage(Listing.ALL, 0).pack(), TurnPage(Listing.ALL, 2).pack()]

        third = text_of(await bot.press("Older ›"))
        assert "Reflection number 2" in third and "Reflection number 1" in third
        back = text_of(await bot.press("‹ Newer"))
        assert "Reflection number 7" in back
        assert bot.fake_qf.validation_errors == []
        assert_telegram_accepted_everything(bot.world)


async def test_notes_for_a_verse_and_for_a_range(tmp_path: Path, contract: FakeContract) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        await bot.link_account()
        await _add(bot, "On the Throne Verse", "2:255-2:255")
        await _add(bot, "On the verses after it", "2:256-2:257")
        await _add(bot, "On Al-Imran", "3:18-3:18")

        one = text_of(await bot.send("/notes 2:255"))
        assert "Your notes on 2:255 (1 note)" in one and "On the Throne Verse" in one
        assert "On the verses after it" not in one

        several = text_of(await bot.send("/notes 2:255-257"))
        assert "(2 notes)" in several
        assert "On the Throne Verse" in several and "On the verses after it" in several
        assert "Al-Imran" not in several

        none = text_of(await bot.send("/notes 114:1"))
        assert "You have no notes on 114:1 yet" in none
        error = text_of(await bot.send("/notes 2:300"))
        assert "Surah 2 has 286 verses." in error
        assert bot.fake_qf.validation_errors == []


async def test_empty_notes_list_explains_how_to_write_one(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        await bot.link_account()
        reply = text_of(await bot.send("/notes"))
        assert "You have no notes yet" in reply and "/note 2:255 your reflection" in reply


async def test_edit_replaces_the_text_with_patch(tmp_path: Path, contract: FakeContract) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        note_id = await _add(bot, "The first draft of a thought", "2:255-2:255")
        await bot.send("/notes")
        opened = await bot.press("1")
        asked = await bot.press("Edit")
        assert opened[-1]["message_id"] != asked[-1]["message_id"]  # the note stays readable
        assert "New text for your note on 2:255" in text_of(asked)
        await bot.send("A better version,")
        await bot.send("written in two messages.")
        updated = await bot.press("Done")
        assert "✅ Updated your note on 2:255" in text_of(updated)

        (note,) = notes_of(bot, sub)
        assert (note.id, note.body) == (note_id, "A better version,\nwritten in two messages.")
        assert len(bot.fake_qf.api_requests("PATCH", "/v1/notes/")) == 1
        assert len(bot.fake_qf.api_requests("POST", r"/v1/notes$")) == 1  # only the setup
        assert await bot.deps.drafts.latest_for_user(DEMO_USER.id) is None
        assert_telegram_accepted_everything(bot.world)


async def test_an_edit_in_progress_survives_a_restart(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        await _add(bot, "Before the edit", "1:1-1:7")
        await bot.send("/notes")
        await bot.press("1")
        await bot.press("Edit")
        await bot.send("Typed before the restart")
        await bot.restart()
        await bot.send("and after it.")
        await bot.press("Done")
        (note,) = notes_of(bot, sub)
        assert note.body == "Typed before the restart\nand after it."


async def test_failed_edit_keeps_the_text_and_retry_patches(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        await _add(bot, "Before the edit", "1:1-1:7")
        await bot.send("/notes")
        await bot.press("1")
        await bot.press("Edit")
        await bot.send("The new text that must not be lost")
        bot.fake_qf.fail_next(503, method="PATCH", path="/v1/notes/")
        failed = await bot.press("Done")
        assert labels(failed[-1]) == ["🔁 Try again"]
        assert notes_of(bot, sub)[0].body == "Before the edit"
        await bot.press("Try again")
        assert notes_of(bot, sub)[0].body == "The new text that must not be lost"


async def test_editing_a_note_deleted_elsewhere_offers_to_save_it_anew(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        note_id = await _add(bot, "Soon deleted on Quran.com", "2:255-2:255")
        await bot.send("/notes")
        await bot.press("1")
        await bot.press("Edit")
        await bot.send("Text that outlives its note")
        del bot.fake_qf.users[sub].notes[note_id]  # deleted on Quran.com meanwhile
        offer = await bot.press("Done")
        assert "no longer exists" in text_of(offer)
        await bot.press("Save as a new note")
        (note,) = notes_of(bot, sub)
        assert (note.body, note.ranges) == ("Text that outlives its note", ["2:255-2:255"])


async def test_delete_asks_first_and_keep_changes_nothing(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        await _add(bot, "A note to delete", "2:255-2:255")
        await bot.send("/notes")
        await bot.press("1")
        question = await bot.press("Delete")
        assert "Delete your note on 2:255 (16 characters)? This cannot be undone." in text_of(
            question)
        kept = await bot.press("Keep it")
        assert "Nothing was deleted" in text_of(kept)
        assert len(notes_of(bot, sub)) == 1

        await bot.press("Delete")
        deleted = await bot.press("Yes, delete it")
        assert "Note deleted" in text_of(deleted)
        assert notes_of(bot, sub) == []
        assert bot.fake_qf.validation_errors == []


async def test_publish_asks_first_then_shares_a_saved_note_to_quranreflect(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        saved = await bot.send("/note 2:255-257 Worth sharing with everyone")
        asked = await bot.press("Share to QuranReflect", message=saved[-1])
        assert ("Share your note on 2:255–257 (27 characters) publicly on QuranReflect? "
                "Anyone will be able to read it there.") in text_of(asked)
        assert labels(asked[-1]) == ["🌍 Yes, share it", "🔒 No, keep it private"]
        assert bot.fake_qf.users[sub].posts == []  # nothing public before the Yes
        shared = await bot.press("Yes, share it", message=asked[-1])
        assert "Shared your note on 2:255–257 to QuranReflect" in text_of(shared)
        (post,) = bot.fake_qf.users[sub].posts
        assert post["body"] == "Worth sharing with everyone" and post["ranges"] == ["2:255-2:257"]
        assert bot.fake_qf.validation_errors == []
        assert_telegram_accepted_everything(bot.world)


async def test_declining_to_share_posts_nothing(tmp_path: Path, contract: FakeContract) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        saved = await bot.send("/note 2:255 Only for me, not for the world")
        await bot.press("Share to QuranReflect", message=saved[-1])
        declined = await bot.press("No, keep it private")
        assert "Not shared. The note stays private." in text_of(declined)
        assert bot.fake_qf.users[sub].posts == []


async def test_a_shared_note_is_never_posted_twice(tmp_path: Path, contract: FakeContract) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        saved = await bot.send("/note 2:255 Shared exactly once, however often pressed")
        first_prompt = await bot.press("Share to QuranReflect", message=saved[-1])
        second_prompt = await bot.press("Share to QuranReflect", message=saved[-1])
        await bot.press("Yes, share it", message=first_prompt[-1])
        again = await bot.press("Yes, share it", message=second_prompt[-1])
        assert "You already shared this note to QuranReflect" in text_of(again)
        once_more = await bot.press("Share to QuranReflect", message=saved[-1])
        assert "You already shared this note to QuranReflect" in text_of(once_more)
        assert len(bot.fake_qf.users[sub].posts) == 1

        await bot.send("/notes")
        opened = await bot.press("1")
        assert "🌍 Share to QuranReflect" not in labels(opened[-1])
        assert bot.fake_qf.validation_errors == []
        assert_telegram_accepted_everything(bot.world)


async def test_a_note_shared_by_the_wizard_is_not_offered_for_sharing_again(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        await open_wizard(bot, "1:1-7")
        await bot.send("The opening of the Book, shared as I saved it.")
        await finish_wizard(bot, share=True)
        await bot.send("/notes")
        opened = await bot.press("1")
        assert labels(opened[-1]) == [
            "✏️ Edit", "🗑 Delete", "💬 Reflections on 1:1-7", "« Back to list"]
        (note,) = notes_of(bot, sub)
        await bot.press_data(AskPublish(note.id).pack())  # an old button from before
        assert "You already shared this note" in bot.texts()[-1]
        assert len(bot.fake_qf.users[sub].posts) == 1


async def test_sharing_retries_after_a_failure_without_asking_again(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        saved = await bot.send("/note 2:255 Shared on the second attempt")
        await bot.press("Share to QuranReflect", message=saved[-1])
        bot.fake_qf.fail_next(503, method="POST", path="/publish")
        failed = await bot.press("Yes, share it")
        assert labels(failed[-1]) == ["🔁 Try again"]
        assert bot.fake_qf.users[sub].posts == []
        done = await bot.press("Try again")
        assert "Shared your note on 2:255 to QuranReflect" in text_of(done)
        assert len(bot.fake_qf.users[sub].posts) == 1


async def test_an_opened_note_leads_back_to_its_list(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        await bot.link_account()
        for number in range(1, 8):
            await _add(bot, f"Reflection number {number}", f"2:{number}-2:{number}")
        await bot.send("/notes")
        await bot.press("Older ›")
        opened = await bot.press("6")
        assert "Reflection number 2" in text_of(opened)
        assert labels(opened[-1])[-1] == "« Back to list"
        back = await bot.press("« Back to list", message=opened[-1])
        assert "Reflection number 2" in text_of(back) and "Reflection number 1" in text_of(back)
        assert labels(back[-1]) == ["6", "7", "‹ Newer"]

        await bot.send("/notes 2:3-5")
        opened = await bot.press("2")
        verse_list = text_of(await bot.press("« Back to list", message=opened[-1]))
        assert "Your notes on 2:3–5" in verse_list and "(3 notes)" in verse_list
        assert_telegram_accepted_everything(bot.world)


async def test_a_note_opened_from_a_save_message_has_no_back_button(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        await bot.link_account()
        saved = await bot.send("/note 2:255 Opened straight from the saved message")
        opened = await bot.press("Open", message=saved[-1])
        assert "« Back to list" not in labels(opened[-1])


async def test_note_buttons_pressed_in_a_group_show_nothing_there(
    tmp_path: Path, contract: FakeContract
) -> None:
    friend = FakeUser(2002, "Bilal")
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        await bot.link_account()
        note_id = await _add(bot, "Private thoughts", "2:255-2:255")
        bot.world.add_group(-100, "Study circle", members=[DEMO_USER, friend])
        reply = await bot.send("/notes", chat_id=-100)
        assert "private chat" in text_of(reply)
        before = len(bot.texts(-100))
        await bot.press_data(OpenNote(note_id).pack(), chat_id=-100, message=reply[-1])
        assert len(bot.texts(-100)) == before
        assert all("Private thoughts" not in text for text in bot.texts(-100))
        (answer,) = [a for a in bot.world.answered_callbacks if a.chat_id == -100]
        assert answer.show_alert and "private chat" in (answer.text or "")


async def test_forged_or_stale_note_buttons_are_answered_and_change_nothing(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        await bot.send("/note 2:255 Someone else's draft must stay theirs")
        await bot.press_data(RetrySave(999).pack())
        await bot.press_data(FinishText(999).pack())
        await bot.press_data(OpenNote("does-not-exist").pack())
        assert len(notes_of(bot, sub)) == 1
        assert_telegram_accepted_everything(bot.world)


async def test_forged_keep_press_in_a_group_rewrites_no_group_message(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        admin = FakeUser(7101, "Bilal")
        bot.world.add_group(-5001, "Circle", admins=[admin], members=[DEMO_USER])
        await bot.send("/help", user=admin, chat_id=-5001)
        before = bot.world.last_sent(-5001)
        await bot.press_data(KeepNote().pack(), user=DEMO_USER, chat_id=-5001, message=before)
        after = bot.world.message(-5001, before["message_id"])
        assert after is not None and after["text"] == before["text"]
