"""The /note wizard in process: verses, a body collected over several messages, private or
shared, confirm and save; drafts that survive restarts, cancelling and groups."""

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
from telegram import Update

from bot.domain.notes import NOTE_MAX_LENGTH
from sandbox.harness import DEMO_USER, BotHarness
from sandbox.quran_foundation import FakeContract
from sandbox.telegram import FakeUser
from storage import Database, DatabasePersistence

HOSTILE = "<b>x</b> & <script>alert('hi')</script> &amp; &lt;"


async def test_wizard_saves_a_private_note_on_a_range(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        asked = text_of(await bot.send("/note"))
        assert "Which verses" in asked
        status = await bot.send("Al-Baqarah 255-257")
        assert "Note on 2:255–257" in text_of(status) and "0 / 10,000 characters" in text_of(status)
        assert labels(status[-1]) == ["✅ Done", "✖️ Cancel"]
        await bot.send("Allah — there is no deity except Him, the Ever-Living.")
        # Done saves at once, privately; sharing is offered as the follow-up.
        saved = await bot.press("Done")
        assert len(saved) == 1  # the status message becomes the confirmation
        assert "✅ Saved your note on 2:255–257" in text_of(saved)
        assert labels(saved[-1]) == ["📖 Open", "🌍 Share to QuranReflect"]
        (note,) = notes_of(bot, sub)
        assert note.body == "Allah — there is no deity except Him, the Ever-Living."
        assert note.ranges == ["2:255-2:257"]
        assert not note.save_to_qr and bot.fake_qf.users[sub].posts == []
        assert await bot.deps.drafts.latest_for_user(DEMO_USER.id) is None
        assert bot.fake_qf.validation_errors == []
        assert_telegram_accepted_everything(bot.world)


async def test_wizard_can_share_to_quranreflect(tmp_path: Path, contract: FakeContract) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        await open_wizard(bot, "1:1-7")
        await bot.send("Al-Fatihah is the opening of the Book.")
        saved = await finish_wizard(bot, share=True)
        assert "🌍 Shared your note on 1:1–7 to QuranReflect." in text_of(saved)
        assert len(notes_of(bot, sub)) == 1
        (post,) = bot.fake_qf.users[sub].posts
        assert post["body"] == "Al-Fatihah is the opening of the Book."
        assert bot.fake_qf.validation_errors == []


async def test_ten_thousand_characters_over_three_messages_are_saved_intact(
    tmp_path: Path, contract: FakeContract
) -> None:
    # Telegram delivers at most 4,096 characters per message: 4096 + 4096 + 1806, joined by two
    # line breaks, is exactly the API's maximum of 10,000.
    parts = [
        ("سبحان الله وبحمده " * 300)[:4096],
        (HOSTILE + " patience & gratitude\n" * 200)[:4096],
        ("🌙 The night is calm. " * 100)[:1806],
    ]
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        await open_wizard(bot, "2:255")
        counts = [text_of(await bot.send(part)) for part in parts]
        assert "4,096 / 10,000 characters" in counts[0]
        assert "8,193 / 10,000 characters" in counts[1]
        assert "10,000 / 10,000 characters" in counts[2]
        # One live status message: the earlier counters were replaced, not left behind.
        assert sum("/ 10,000 characters" in text for text in bot.texts()) == 1
        await finish_wizard(bot)

        (note,) = notes_of(bot, sub)
        assert note.body == "\n".join(parts)
        assert len(note.body) == NOTE_MAX_LENGTH
        assert bot.fake_qf.validation_errors == []

        await bot.send("/notes")
        shown = await bot.press("1")
        assert len(shown) == 3
        assert all(len(message["text"]) < 4096 for message in shown)
        assert labels(shown[-1]) == [
            "✏️ Edit", "🗑 Delete", "🌍 Share to QuranReflect", "💬 Reflections on 2:255",
            "« Back to list"]
        body_seen = text_of(shown).split("\n", 2)[2]  # after the header and its blank line
        assert "".join(body_seen.split()) == "".join(note.body.split())
        assert_telegram_accepted_everything(bot.world)


async def test_a_part_past_the_limit_is_refused_and_the_text_so_far_kept(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        await open_wizard(bot, "2:286")
        await bot.send("a" * 4096)
        await bot.send("b" * 4096)
        refused = text_of(await bot.send("c" * 4096))
        assert "2,290 characters past the 10,000-character limit" in refused
        assert "up to 1,806 characters" in refused
        assert "8,193 / 10,000 characters" in refused
        draft = await bot.deps.drafts.latest_for_user(DEMO_USER.id)
        assert draft is not None and draft.body == "a" * 4096 + "\n" + "b" * 4096
        await bot.send("c" * 1806)
        await finish_wizard(bot)
        (note,) = notes_of(bot, sub)
        assert len(note.body) == NOTE_MAX_LENGTH and note.body.endswith("c" * 1806)


async def test_done_with_too_little_text_asks_for_more(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        await open_wizard(bot, "94:5")
        await bot.send("Ease")
        more = text_of(await bot.press("Done"))
        assert "A note needs at least 6 characters: add 2 more." in more
        assert notes_of(bot, sub) == []
        await bot.send("follows hardship")
        await finish_wizard(bot)
        (note,) = notes_of(bot, sub)
        assert note.body == "Ease\nfollows hardship"


async def test_html_hostile_text_round_trips_and_every_message_parses(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        await open_wizard(bot, "2:255")
        await bot.send(HOSTILE)
        await bot.press("Done")
        (note,) = notes_of(bot, sub)
        assert note.body == HOSTILE
        listing = text_of(await bot.send("/notes"))
        # Shown literally: escaped on the way out, parsed back to plain text by Telegram.
        assert HOSTILE in listing
        opened = text_of(await bot.press("1"))
        assert HOSTILE in opened
        assert_telegram_accepted_everything(bot.world)


async def test_ranges_step_explains_bad_verses_and_accepts_verses_with_text(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        await bot.send("/note")
        error = text_of(await bot.send("2:300"))
        assert "Surah 2 has 286 verses." in error
        status = text_of(await bot.send("2:286 Our Lord, do not burden us"))
        assert "Note on 2:286" in status and "26 / 10,000 characters" in status
        await finish_wizard(bot)
        (note,) = notes_of(bot, sub)
        assert (note.ranges, note.body) == (["2:286-2:286"], "Our Lord, do not burden us")


async def test_draft_survives_a_restart_mid_wizard(tmp_path: Path, contract: FakeContract) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        await open_wizard(bot, "2:255")
        await bot.send("Written before the restart.")
        await bot.restart()
        status = text_of(await bot.send("Written after the restart."))
        assert "54 / 10,000 characters" in status
        await finish_wizard(bot)
        (note,) = notes_of(bot, sub)
        assert note.body == "Written before the restart.\nWritten after the restart."


async def _crash(bot: BotHarness) -> None:
    """Stop the bot as a crash would leave it: the database keeps the draft, but the
    conversation and user_data that PTB persistence had not flushed yet are gone."""
    await bot.stop()
    database = Database.connect(bot.settings.database_url)
    try:
        persistence = DatabasePersistence(database)
        await persistence.update_conversation("notes", (DEMO_USER.id, DEMO_USER.id), None)
        await persistence.drop_user_data(DEMO_USER.id)
    finally:
        await database.close()
    await bot.start()


async def test_after_a_crash_note_offers_to_continue_the_draft(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        await open_wizard(bot, "2:255")
        await bot.send("Nothing typed is lost.")
        await _crash(bot)
        offer = await bot.send("/note")
        assert labels(offer[-1]) == [
            "Continue your draft (22 characters on 2:255)",
            "📝 Start a new note",
            "🗑 Discard the draft",
        ]
        resumed = text_of(await bot.press("Continue your draft"))
        assert "22 / 10,000 characters" in resumed
        await bot.send("Even after a crash.")
        await finish_wizard(bot)
        (note,) = notes_of(bot, sub)
        assert note.body == "Nothing typed is lost.\nEven after a crash."
        assert_telegram_accepted_everything(bot.world)


async def test_wizard_buttons_work_after_the_conversation_was_lost(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        await open_wizard(bot, "3:200")
        await bot.send("Be patient and steadfast.")
        await _crash(bot)
        await finish_wizard(bot)  # the old status message's Done still knows its draft
        (note,) = notes_of(bot, sub)
        assert note.body == "Be patient and steadfast."


async def test_cancel_keeps_the_draft_until_it_is_discarded(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        await open_wizard(bot, "2:255")
        await bot.send("A thought to finish later.")
        stopped = await bot.press("Cancel")
        assert "Your draft (26 characters) is kept: send /note to continue it." in text_of(stopped)
        assert labels(stopped[-1]) == ["🗑 Discard draft"]
        offer = await bot.send("/note")
        assert "Continue your draft (26 characters on 2:255)" in labels(offer[-1])
        asked = text_of(await bot.press("Discard the draft"))
        assert "Draft discarded." in asked and "Which verses" in asked
        assert await bot.deps.drafts.latest_for_user(DEMO_USER.id) is None
        await bot.send("/cancel")
        assert notes_of(bot, sub) == []


async def test_discard_button_after_cancel_removes_the_draft(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        await bot.link_account()
        await open_wizard(bot, "2:255")
        await bot.send("Soon to be discarded.")
        await bot.send("/cancel")
        discarded = await bot.press("Discard draft")
        assert "Draft discarded." in text_of(discarded)
        assert await bot.deps.drafts.latest_for_user(DEMO_USER.id) is None
        asked = text_of(await bot.send("/note"))
        assert "Which verses" in asked


async def test_in_a_group_note_points_to_the_private_chat_and_keeps_the_text(
    tmp_path: Path, contract: FakeContract
) -> None:
    friend = FakeUser(2002, "Bilal")
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        bot.world.add_group(-100, "Study circle", members=[DEMO_USER, friend])
        reply = await bot.send("/note 2:153 Seek help through patience and prayer", chat_id=-100)
        assert "write them with you in our private chat" in text_of(reply)
        ((label, url),) = bot.world.buttons(reply[-1])
        assert label == "📝 Open our private chat"
        assert url is not None and url.endswith("?start=note")
        assert notes_of(bot, sub) == []

        offer = await bot.send("/note")
        assert "Continue your draft (37 characters on 2:153)" in labels(offer[-1])
        await bot.press("Continue your draft")
        await finish_wizard(bot)
        (note,) = notes_of(bot, sub)
        assert note.body == "Seek help through patience and prayer"
        assert all("Seek help" not in text for text in bot.texts(-100))


async def test_unlinked_user_is_asked_to_link_and_the_text_waits(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        reply = await bot.send("/note 2:255 Written before linking")
        assert "link" in text_of(reply).lower()
        assert "🔗 Link Quran.com account" in labels(reply[-1])
        sub = await bot.link_account()
        await bot.send("/note")
        await bot.press("Continue your draft")
        await finish_wizard(bot)
        (note,) = notes_of(bot, sub)
        assert note.body == "Written before linking"


async def test_a_non_text_message_in_the_body_step_gets_a_hint_and_changes_nothing(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        await bot.link_account()
        await open_wizard(bot, "2:255")
        await bot.send("Some text first.")
        # The fake world has no helper for media; a dice roll is the simplest non-text message.
        dice = {
            "update_id": 10_000,
            "message": {
                "message_id": 10_000, "date": 1_700_000_000, "from": DEMO_USER.to_dict(),
                "chat": {"id": DEMO_USER.id, "type": "private", "first_name": "Amina"},
                "dice": {"emoji": "🎲", "value": 3},
            },
        }
        calls = len(bot.world.calls)
        await bot.app.process_update(Update.de_json(dice, bot.app.bot))
        hint = [c.params.get("text", "") for c in bot.world.calls[calls:]]
        assert any("Notes are text only" in str(text) for text in hint)
        draft = await bot.deps.drafts.latest_for_user(DEMO_USER.id)
        assert draft is not None and draft.body == "Some text first."


async def test_arabic_readers_see_arabic_digits_in_counts_and_verses(
    tmp_path: Path, contract: FakeContract
) -> None:
    reader = FakeUser(3003, "Fatima", language_code="ar")
    async with BotHarness(tmp_path, user=reader) as bot:
        sub = await bot.link_account(reader)
        status = text_of(await bot.send("/note 2:255", user=reader))
        assert "٠ / ١٠٬٠٠٠" in status and "\u2066٢:٢٥٥\u2069" in status
        await bot.send("آية الكرسي أعظم آية", user=reader)
        saved = await bot.press("✅", user=reader)  # Done: saved at once, privately
        assert "✅" in text_of(saved) and "\u2066٢:٢٥٥\u2069" in text_of(saved)
        assert len(labels(saved[-1])) == 2  # 📖 Open and 🌍 Share to QuranReflect, in Arabic
        (note,) = notes_of(bot, sub)
        assert note.body == "آية الكرسي أعظم آية"
        assert_telegram_accepted_everything(bot.world)


async def test_pressing_done_twice_saves_once_and_keeps_the_saved_message(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        await open_wizard(bot, "2:255")
        (status,) = await bot.send("Pressed twice in a hurry.")
        await bot.press("Done", message=status)
        await bot.press_data(bot.world.buttons(status)[0][1] or "", message=status)
        assert len(notes_of(bot, sub)) == 1
        assert "✅ Saved your note" in bot.texts()[-1]
        assert "no longer exists" in (bot.world.answered_callbacks[-1].text or "")
        assert_telegram_accepted_everything(bot.world)


async def test_cancel_before_any_text_leaves_no_draft(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        await bot.link_account()
        await bot.send("/note")
        assert "Cancelled." in text_of(await bot.press("Cancel"))
        await open_wizard(bot, "2:255")
        assert "Cancelled." in text_of(await bot.press("Cancel"))
        assert await bot.deps.drafts.latest_for_user(DEMO_USER.id) is None
        assert "Which verses" in text_of(await bot.send("/note"))
