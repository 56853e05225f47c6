"""Done saves: finishing a new note in the wizard saves it privately at once, then offers
"🌍 Share to QuranReflect" as the follow-up (as one-liners and edits do). The typed text
survives a failure and a restart. And the draft questions read right in Arabic."""

from __future__ import annotations

from pathlib import Path

from notes_support import (
    assert_telegram_accepted_everything,
    labels,
    notes_of,
    open_wizard,
    text_of,
)

from sandbox.harness import DEMO_USER, BotHarness
from sandbox.telegram import FakeUser

NOTES_PATH = r"/v1/notes$"
ARABIC_READER = FakeUser(3003, "Fatima", language_code="ar")


async def test_done_saves_privately_at_once_and_offers_sharing_after(tmp_path: Path) -> None:
    async with BotHarness(tmp_path) as bot:
        sub = await bot.link_account()
        await open_wizard(bot, "94:5-6")
        await bot.send("With hardship comes ease, twice over.")
        (saved,) = await bot.press("Done")
        assert saved["text"] == "✅ Saved your note on 94:5–6 (37 characters) to Quran.com."
        assert labels(saved) == ["📖 Open", "🌍 Share to QuranReflect"]
        (note,) = notes_of(bot, sub)
        assert not note.save_to_qr and bot.fake_qf.users[sub].posts == []
        assert await bot.deps.drafts.latest_for_user(DEMO_USER.id) is None
        # Walking away now loses nothing; sharing stays one confirmed press away.
        asked = await bot.press("Share to QuranReflect")
        assert "🌍 Yes, share it" in labels(asked[-1])
        await bot.press("Yes, share it")
        assert len(bot.fake_qf.users[sub].posts) == 1
        assert_telegram_accepted_everything(bot.world)


async def test_done_that_fails_keeps_the_text_through_a_restart_and_saves_once(
    tmp_path: Path,
) -> None:
    async with BotHarness(tmp_path) as bot:
        sub = await bot.link_account()
        await open_wizard(bot, "2:153")
        await bot.send("Patience and prayer, written before the outage.")
        bot.fake_qf.fail_next(503, method="POST", path=NOTES_PATH)
        failed = await bot.press("Done")
        assert labels(failed[-1]) == ["🔁 Try again"]
        assert notes_of(bot, sub) == []
        # More text typed after the failure still joins the same note.
        await bot.send("And one more line.")
        await bot.restart()
        draft = await bot.deps.drafts.latest_for_user(DEMO_USER.id)
        assert draft is not None
        assert draft.body == "Patience and prayer, written before the outage.\nAnd one more line."
        saved = await bot.press("Done")
        assert "✅ Saved your note on 2:153" in text_of(saved)
        await bot.press("Try again")  # a late press of the old Try again: no second copy
        (note,) = notes_of(bot, sub)
        assert note.body == draft.body


async def test_arabic_draft_question_and_too_short_one_liner(tmp_path: Path) -> None:
    async with BotHarness(tmp_path, user=ARABIC_READER) as bot:
        sub = await bot.link_account(ARABIC_READER)
        (short,) = await bot.send("/note 2:255 قصير", user=ARABIC_READER)
        assert short["text"].startswith("⚠️ لم تُحفظ بعد: ملاحظتك على \u2066٢:٢٥٥\u2069 فيها")
        assert "من ٦ إلى ١٠٬٠٠٠ حرف" in short["text"]
        assert labels(short) == ["✏️ تابع الكتابة", "🗑 تجاهل"]
        (offer,) = await bot.send("/note", user=ARABIC_READER)
        assert offer["text"] == (
            "أتتابع مسودتك على \u2066٢:٢٥٥\u2069 (٤ أحرف) أم تبدأ ملاحظة جديدة؟")
        assert "📝 ابدأ ملاحظة جديدة" in labels(offer)
        status = text_of(await bot.send("2:153 الصبر والصلاة عون المؤمن", user=ARABIC_READER))
        assert "\u2066٢:١٥٣\u2069" in status
        saved = await bot.press("✅", user=ARABIC_READER)
        assert "\u2066٢:١٥٣\u2069" in text_of(saved)
        (note,) = notes_of(bot, sub)
        assert note.ranges == ["2:153-2:153"] and note.body == "الصبر والصلاة عون المؤمن"
        assert_telegram_accepted_everything(bot.world)
