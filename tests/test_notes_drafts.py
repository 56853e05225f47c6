"""An unsaved note draft is never overwritten, pushed aside or joined unasked: `/note` asks first
("Continue your draft on 2:255 (24 characters) or start a new note?"), a second /note keeps both
and asks which to go on with, and text typed while a prompt waits never lands in the draft the
user did not choose (nor in the generic "not sure" reply)."""

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
from sandbox.harness import DEMO_USER, BotHarness
from sandbox.quran_foundation import FakeContract
from storage import NoteDraft

EARLIER = "My unfinished reflection"  # 24 characters
BOTH_KEPT = "so I kept what you just sent as a separate draft"
CHOICES = [
    "Continue your draft (24 characters on 2:255)",
    "📝 Go on with the new note",
    "🗑 Discard the earlier draft",
]
FALLBACK = "I'm not sure what to do with that"


async def _earlier_draft(bot: BotHarness) -> NoteDraft:
    """The wizard half-way: verses chosen, some text typed, not saved."""
    await open_wizard(bot, "2:255")
    await bot.send(EARLIER)
    draft = await bot.deps.drafts.latest_for_user(DEMO_USER.id)
    assert draft is not None and draft.body == EARLIER
    return draft


async def _unchanged(bot: BotHarness, draft: NoteDraft) -> bool:
    stored = await bot.deps.drafts.get(draft.id)
    return stored is not None and (stored.body, stored.ranges) == (draft.body, draft.ranges)


async def test_short_one_liner_keeps_the_open_draft_and_asks_which_to_go_on_with(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        earlier = await _earlier_draft(bot)
        asked = await bot.send("/note 1:1 hi")
        assert text_of(asked).startswith(
            "⚠️ Not saved yet: your note on 1:1 has 2 characters, and a note needs "
            "6–10,000 characters.")  # what is missing, before the choice
        assert BOTH_KEPT in text_of(asked)
        assert labels(asked[-1]) == CHOICES
        assert await _unchanged(bot, earlier)
        new = await bot.deps.drafts.latest_for_user(DEMO_USER.id)
        assert new is not None and new.id != earlier.id
        assert (new.body, new.ranges) == ("hi", ("1:1-1:1",))

        resumed = text_of(await bot.press("Continue your draft"))
        assert "24 / 10,000 characters" in resumed
        await bot.send("finished at last.")
        await finish_wizard(bot)
        (note,) = notes_of(bot, sub)
        assert (note.body, note.ranges) == (EARLIER + "\nfinished at last.", ["2:255-2:255"])

        # The new note waits too: the next /note offers it.
        offer = await bot.send("/note")
        assert "Continue your draft (2 characters on 1:1)" in labels(offer[-1])
        assert_telegram_accepted_everything(bot.world)


async def test_verses_only_note_command_keeps_the_open_draft(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        earlier = await _earlier_draft(bot)
        assert labels((await bot.send("/note 3:5"))[-1]) == CHOICES
        status = text_of(await bot.press("Go on with the new note"))
        assert "Note on 3:5" in status and "0 / 10,000 characters" in status
        await bot.send("A note on another verse.")
        await finish_wizard(bot)
        (note,) = notes_of(bot, sub)
        assert (note.body, note.ranges) == ("A note on another verse.", ["3:5-3:5"])
        assert await _unchanged(bot, earlier)


async def test_text_without_verses_keeps_the_open_draft_until_it_is_discarded(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        earlier = await _earlier_draft(bot)
        asked = await bot.send("/note some text without verses")
        assert labels(asked[-1]) == CHOICES
        assert await _unchanged(bot, earlier)
        question = text_of(await bot.press("Discard the earlier draft"))
        assert "Which verses" in question and "I kept your text (24 characters)." in question
        assert await bot.deps.drafts.get(earlier.id) is None
        await bot.send("1:1")
        await finish_wizard(bot)
        (note,) = notes_of(bot, sub)
        assert (note.body, note.ranges) == ("some text without verses", ["1:1-1:1"])


async def test_complete_one_liner_saves_and_the_open_draft_goes_on(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        earlier = await _earlier_draft(bot)
        saved = text_of(await bot.send("/note 1:1 a full reflection"))
        assert "✅ Saved your note on 1:1" in saved
        assert "Your earlier unsaved draft is kept: send /note to continue it." in saved
        assert await _unchanged(bot, earlier)
        # The wizard that was writing the earlier draft is still there for the next message,
        # and its one live status message moves down as before.
        status = text_of(await bot.send("and its ending."))
        assert "40 / 10,000 characters" in status
        assert sum("/ 10,000 characters" in text for text in bot.texts()) == 1
        await finish_wizard(bot)
        bodies = sorted(note.body for note in notes_of(bot, sub))
        assert bodies == [EARLIER + "\nand its ending.", "a full reflection"]
        assert FALLBACK not in text_of(bot.world.sent(DEMO_USER.id))
        assert_telegram_accepted_everything(bot.world)


async def test_a_draft_without_text_is_not_worth_a_question(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        await bot.link_account()
        await open_wizard(bot, "2:255")  # verses chosen, nothing written
        empty = await bot.deps.drafts.latest_for_user(DEMO_USER.id)
        assert empty is not None and empty.body == ""
        status = text_of(await bot.send("/note 1:1 hi"))
        assert BOTH_KEPT not in status and "your note on 1:1 has 2 characters" in status
        assert await bot.deps.drafts.get(empty.id) is None


async def test_editing_a_note_keeps_the_open_draft_and_says_so(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        session = bot.deps.qf.for_user(DEMO_USER.id)
        await session.create_note(NoteInput(body="A note to edit", ranges=["1:1-1:1"]))
        earlier = await _earlier_draft(bot)
        await bot.send("/notes")
        await bot.press("1")
        asked = text_of(await bot.press("Edit"))
        assert "Your earlier unsaved draft is kept: send /note to continue it." in asked
        await bot.send("The edited text")
        await bot.press("Done")
        assert [note.body for note in notes_of(bot, sub)] == ["The edited text"]
        assert await _unchanged(bot, earlier)
        offer = await bot.send("/note")
        assert "Continue your draft (24 characters on 2:255)" in labels(offer[-1])


# ---------------------------------------------------------------------------------------------
# Typing while a prompt waits for a button


async def test_note_with_a_draft_asks_continue_or_new_before_anything_joins_it(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        await _earlier_draft(bot)
        await bot.send("/cancel")
        (offer,) = await bot.send("/note")
        assert offer["text"] == (
            "Continue your draft on 2:255 (24 characters) or start a new note?")
        assert labels(offer) == ["Continue your draft (24 characters on 2:255)",
                                 "📝 Start a new note", "🗑 Discard the draft"]
        status = text_of(await bot.press("Continue your draft"))
        assert "24 / 10,000 characters" in status
        await bot.send("typed after choosing to continue")
        await finish_wizard(bot)
        (note,) = notes_of(bot, sub)
        assert note.body == EARLIER + "\ntyped after choosing to continue"
        assert_telegram_accepted_everything(bot.world)


async def test_a_new_note_typed_at_the_question_is_never_glued_to_the_draft(
    tmp_path: Path, contract: FakeContract
) -> None:
    """The reported case: a short 2:255 one-liner parked, then a note on 2:153 typed at the
    next /note's question."""
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        await bot.send("/note 2:255 short")
        earlier = await bot.deps.drafts.latest_for_user(DEMO_USER.id)
        assert earlier is not None
        (offer,) = await bot.send("/note")
        assert offer["text"] == "Continue your draft on 2:255 (5 characters) or start a new note?"
        status = text_of(await bot.send("2:153 Seek help through patience and prayer"))
        assert "Started a new note with that." in status and "Note on 2:153" in status
        await finish_wizard(bot)
        (note,) = notes_of(bot, sub)
        assert (note.body, note.ranges) == ("Seek help through patience and prayer",
                                            ["2:153-2:153"])
        assert await _unchanged(bot, earlier)  # the 2:255 draft, untouched and still offered
        (again,) = await bot.send("/note")
        assert "on 2:255 (5 characters)" in again["text"]
        assert FALLBACK not in text_of(bot.world.sent(DEMO_USER.id))
        assert_telegram_accepted_everything(bot.world)


async def test_start_a_new_note_keeps_the_draft_for_later(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        earlier = await _earlier_draft(bot)
        await bot.send("/cancel")
        await bot.send("/note")
        asked = text_of(await bot.press("Start a new note"))
        assert "Which verses" in asked and "earlier unsaved draft is kept" in asked
        await bot.send("3:5")
        await bot.send("A separate reflection")
        await finish_wizard(bot)
        assert [n.ranges for n in notes_of(bot, sub)] == [["3:5-3:5"]]
        assert await _unchanged(bot, earlier)


async def test_text_typed_at_the_choice_prompt_goes_into_the_new_note(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        earlier = await _earlier_draft(bot)
        asked = text_of(await bot.send("/note 3:5"))
        assert "Anything you type now goes into the new note." in asked
        status = text_of(await bot.send("Written for the new note."))
        assert "Note on 3:5" in status and "25 / 10,000 characters" in status
        await finish_wizard(bot)
        (note,) = notes_of(bot, sub)
        assert (note.body, note.ranges) == ("Written for the new note.", ["3:5-3:5"])
        assert await _unchanged(bot, earlier)


async def test_text_typed_at_the_prompt_of_a_draft_without_verses_starts_a_new_note(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        await bot.send("/note Thoughts before choosing verses")
        await bot.send("/cancel")
        (offer,) = await bot.send("/note")
        assert offer["text"] == (
            "Continue your draft (31 characters, no verses yet) or start a new note?")
        asked = text_of(await bot.send("and a second thought"))
        assert "Which verses" in asked and "I kept your text (20 characters)." in asked
        await bot.send("2:255")
        await finish_wizard(bot)
        (note,) = notes_of(bot, sub)
        assert (note.body, note.ranges) == ("and a second thought", ["2:255-2:255"])
        assert FALLBACK not in text_of(bot.world.sent(DEMO_USER.id))


async def test_text_typed_at_the_prompt_after_a_restart_is_kept_apart_too(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        earlier = await _earlier_draft(bot)
        await bot.send("/cancel")
        await bot.send("/note")
        await bot.restart()
        await bot.send("2:286 after the restart")
        await finish_wizard(bot)
        (note,) = notes_of(bot, sub)
        assert (note.body, note.ranges) == ("after the restart", ["2:286-2:286"])
        assert await _unchanged(bot, earlier)


async def test_text_typed_at_the_save_it_anew_prompt_joins_the_draft(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        session = bot.deps.qf.for_user(DEMO_USER.id)
        saved = await session.create_note(NoteInput(body="Soon deleted", ranges=["2:255-2:255"]))
        await bot.send("/notes")
        await bot.press("1")
        await bot.press("Edit")
        await bot.send("Text that outlives its note")
        del bot.fake_qf.users[sub].notes[saved.note.id]
        assert "no longer exists" in text_of(await bot.press("Done"))
        status = text_of(await bot.send("and one more line"))
        assert "45 / 10,000 characters" in status
        assert FALLBACK not in text_of(bot.world.sent(DEMO_USER.id))
        await finish_wizard(bot)
        (note,) = notes_of(bot, sub)
        assert note.body == "Text that outlives its note\nand one more line"
