"""`/note 2:255-257 my reflection …` and `/note 2:255` as a reply, in process."""

from __future__ import annotations

from pathlib import Path

from notes_support import (
    assert_telegram_accepted_everything,
    finish_wizard,
    labels,
    notes_of,
    text_of,
)

from sandbox.harness import DEMO_USER, BotHarness
from sandbox.quran_foundation import FakeContract


async def test_one_liner_saves_a_private_note_at_once(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        saved = await bot.send("/note 2:255-257 The Throne Verse: His Kursi extends over all")
        assert "✅ Saved your note on 2:255–257 (44 characters) to Quran.com." in text_of(saved)
        assert labels(saved[-1]) == ["📖 Open", "🌍 Share to QuranReflect"]
        (note,) = notes_of(bot, sub)
        assert note.body == "The Throne Verse: His Kursi extends over all"
        assert note.ranges == ["2:255-2:257"] and not note.save_to_qr
        assert await bot.deps.drafts.latest_for_user(DEMO_USER.id) is None
        assert bot.fake_qf.validation_errors == []
        assert_telegram_accepted_everything(bot.world)


async def test_one_liner_keeps_line_breaks_and_several_ranges(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        await bot.send("/note 2:255, 3:18 Tawhid\n\n- first point\n- second point")
        (note,) = notes_of(bot, sub)
        assert note.body == "Tawhid\n\n- first point\n- second point"
        assert note.ranges == ["2:255-2:255", "3:18-3:18"]


async def test_short_one_liner_keeps_the_draft_and_asks_for_more(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        (reply,) = await bot.send("/note 2:255 Ayah")
        assert reply["text"] == (
            "⚠️ Not saved yet: your note on 2:255 has 4 characters, and a note needs "
            "6–10,000 characters.\nSend at least 2 more characters to continue it (your text "
            "is kept), or discard it.")
        assert labels(reply) == ["✏️ Continue writing", "🗑 Discard"]
        assert notes_of(bot, sub) == []
        draft = await bot.deps.drafts.latest_for_user(DEMO_USER.id)
        assert draft is not None and (draft.body, draft.ranges) == ("Ayah", ("2:255-2:255",))
        await bot.send("al-Kursi")
        await finish_wizard(bot)
        (note,) = notes_of(bot, sub)
        assert note.body == "Ayah\nal-Kursi"


async def test_replying_note_saves_the_replied_message_text(
    tmp_path: Path, contract: FakeContract
) -> None:
    quoted = "Whoever reads Ayat al-Kursi after each prayer… <a friend's words> & more"
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        original = await bot.world.user_sends(DEMO_USER.id, DEMO_USER, quoted)
        await bot.process_pending()
        saved = await bot.send("/note 2:255", reply_to=original["message_id"])
        assert "Saved your note on 2:255" in text_of(saved)
        (note,) = notes_of(bot, sub)
        assert (note.body, note.ranges) == (quoted, ["2:255-2:255"])
        assert_telegram_accepted_everything(bot.world)


async def test_own_text_wins_over_the_replied_message(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        original = await bot.world.user_sends(DEMO_USER.id, DEMO_USER, "Someone else's words")
        await bot.process_pending()
        await bot.send("/note 2:255 My own reflection", reply_to=original["message_id"])
        (note,) = notes_of(bot, sub)
        assert note.body == "My own reflection"


async def test_reply_without_verses_asks_for_them_and_keeps_the_quote(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        original = await bot.world.user_sends(
            DEMO_USER.id, DEMO_USER, "Verily, with hardship is ease"
        )
        await bot.process_pending()
        asked = text_of(await bot.send("/note", reply_to=original["message_id"]))
        assert "Which verses" in asked and "I kept your text (29 characters)." in asked
        await bot.send("94:5-6")
        await finish_wizard(bot)
        (note,) = notes_of(bot, sub)
        assert (note.body, note.ranges) == ("Verily, with hardship is ease", ["94:5-94:6"])


async def test_text_without_verses_asks_for_them_and_keeps_the_text(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        asked = text_of(await bot.send("/note 5 things I learned today"))
        assert "Which verses" in asked and "I kept your text (24 characters)." in asked
        status = text_of(await bot.send("Al-Asr"))
        assert "Note on 103:1–3" in status and "24 / 10,000 characters" in status
        await finish_wizard(bot)
        (note,) = notes_of(bot, sub)
        assert (note.body, note.ranges) == ("5 things I learned today", ["103:1-103:3"])


async def test_one_liner_with_an_impossible_verse_explains_and_saves_nothing(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        reply = text_of(await bot.send("/note 2:300 a reflection"))
        assert "Surah 2 has 286 verses." in reply
        assert "/note 2:255 your reflection" in reply
        assert notes_of(bot, sub) == []


async def test_an_edited_note_command_does_not_save_again(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        sent = await bot.world.user_sends(DEMO_USER.id, DEMO_USER, "/note 2:255 First version")
        await bot.process_pending()
        await bot.world.user_edits(DEMO_USER.id, DEMO_USER, sent["message_id"],
                                   "/note 2:255 Second version")
        await bot.process_pending()
        assert [note.body for note in notes_of(bot, sub)] == ["First version"]


async def test_one_liner_command_addressed_to_the_bot_by_name(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        await bot.send(f"/note@{bot.app.bot.username} 112:1 Say: He is Allah, the One")
        (note,) = notes_of(bot, sub)
        assert (note.body, note.ranges) == ("Say: He is Allah, the One", ["112:1-112:1"])


async def test_one_liner_keeps_opening_quotes_and_brackets_in_the_saved_text(
    tmp_path: Path, contract: FakeContract
) -> None:
    bodies = [
        '"No fatigue overtakes Him" is striking',
        "(parenthesised) start note",
        "<hello> world",
        ",a note that starts with a comma",
        "«لا تأخذه سنة ولا نوم» عجيب",
    ]
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        for body in bodies:
            saved = text_of(await bot.send(f"/note 2:255 {body}"))
            assert "✅ Saved your note on 2:255" in saved
        assert [note.body for note in notes_of(bot, sub)] == bodies
        assert all(note.ranges == ["2:255-2:255"] for note in notes_of(bot, sub))
        assert bot.fake_qf.validation_errors == []
        assert_telegram_accepted_everything(bot.world)


async def test_one_liner_with_a_time_like_first_word_keeps_its_verses(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        await bot.send("/note 1:2 second note about praise")
        await bot.send("/note 2:255 minutes spent on this verse")
        await bot.send("/note 2:255-257 hours of reading")
        saved = [(note.ranges, note.body) for note in notes_of(bot, sub)]
        assert saved == [
            (["1:2-1:2"], "second note about praise"),
            (["2:255-2:255"], "minutes spent on this verse"),
            (["2:255-2:257"], "hours of reading"),
        ]
