"""The notes flow's buttons through the callback registry: forged or out-of-range presses are
refused before any handler runs (and before anything reaches Quran.com), and notes whose ids a
button cannot carry still work through a short reference."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from notes_support import assert_telegram_accepted_everything, labels, notes_of, text_of

from handlers.callbacks import MAX_DATA_BYTES
from handlers.notes.buttons import (
    CARRIED_NOTE_ID,
    AskDelete,
    ConfirmDelete,
    Listing,
    OpenListedNote,
)
from sandbox.harness import DEMO_USER, BotHarness
from sandbox.quran_foundation import FakeContract

STALE = "This button is no longer valid."


def _stale_answers(bot: BotHarness) -> list[str | None]:
    return [answer.text for answer in bot.world.answered_callbacks if answer.text == STALE]


async def test_forged_note_button_is_refused(tmp_path: Path, contract: FakeContract) -> None:
    """A note id with '..' or '/' is no NoteId: the press is answered as stale and the id never
    becomes a Quran.com path (DELETE /v1/notes/.. would address the collection itself)."""
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        await bot.send("/note 2:255 A note that forged presses must leave alone")
        (note,) = notes_of(bot, sub)
        before_requests = len(bot.fake_qf.requests)
        before_texts = bot.texts(DEMO_USER.id)
        forged = [
            "note.delok:..",
            "note.delok:../notes",
            "note.delok:%2e%2e",
            f"note.delok:{note.id}/..",
            f"note.delok:{note.id}:extra",
            "note.delok:",
            "note.del:..",
            "note.edit:..",
            "note.open:a/b",
            "note.pub:..",
            "note.pubok:..",
            f"note.openl:{note.id}:x:0",
            f"note.openl:{note.id}:p:100001",
            f"note.openl:{note.id}:p:-1",
        ]
        for data in forged:
            assert await bot.press_data(data) == []
        assert len(_stale_answers(bot)) == len(forged)
        assert len(bot.fake_qf.requests) == before_requests  # nothing reached Quran.com
        assert notes_of(bot, sub) == [note]
        assert bot.texts(DEMO_USER.id) == before_texts
        assert_telegram_accepted_everything(bot.world)


async def test_forged_draft_button_is_refused(tmp_path: Path, contract: FakeContract) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        await bot.link_account()
        await bot.send("/note 2:255")
        await bot.send("Some text that stays as written")
        draft = await bot.deps.drafts.latest_for_user(DEMO_USER.id)
        assert draft is not None
        before_texts = bot.texts(DEMO_USER.id)
        forged = [
            "note.done:-1",
            "note.done:99999999999999999999",
            f"note.done:0{draft.id}",
            f"note.share:{draft.id}:2",
            f"note.share:{draft.id}:true",
            f"note.swap:{draft.id}",
            f"note.cancel:{draft.id}:{draft.id}",
            "note.retry:",
            "note.page:p:100001",
            "note.page:x:0",
            "note.keep:1",
        ]
        for data in forged:
            assert await bot.press_data(data) == []
        assert len(_stale_answers(bot)) == len(forged)
        assert await bot.deps.drafts.get(draft.id) == draft
        assert bot.texts(DEMO_USER.id) == before_texts
        # The wizard is where it was: more text still joins the draft.
        await bot.send("and more.")
        draft_after = await bot.deps.drafts.get(draft.id)
        assert draft_after is not None
        assert draft_after.body == "Some text that stays as written\nand more."
        assert_telegram_accepted_everything(bot.world)


def test_the_longest_note_button_fits_telegrams_limit() -> None:
    longest_id = "c" * 40
    assert CARRIED_NOTE_ID.fullmatch(longest_id)
    data = OpenListedNote(longest_id, Listing.VERSES, 100_000).pack()
    assert len(data.encode()) <= MAX_DATA_BYTES


async def test_a_note_whose_id_a_button_cannot_carry_works_through_a_reference(
    tmp_path: Path, contract: FakeContract
) -> None:
    async with BotHarness(tmp_path, contract=contract, check_spec=True) as bot:
        sub = await bot.link_account()
        await bot.send("/note 2:255 Its id is longer than a button carries")
        notes = bot.fake_qf.users[sub].notes
        (old_id,) = notes
        long_id = "c" + "x" * 59
        notes[long_id] = replace(notes.pop(old_id), id=long_id)

        await bot.send("/notes")
        opened = await bot.press("1")
        assert "Its id is longer than a button carries" in text_of(opened)
        delete = next(data for label, data in bot.world.buttons(opened[-1]) if "Delete" in label)
        assert delete is not None and long_id not in delete
        assert AskDelete.parse(delete) is not None
        asked = await bot.press("Delete", message=opened[-1])
        assert ConfirmDelete.parse(bot.world.buttons(asked[-1])[0][1]) is not None
        assert "Note deleted" in text_of(await bot.press("Yes, delete it"))
        assert notes_of(bot, sub) == []
        assert labels(opened[-1])[:2] == ["✏️ Edit", "🗑 Delete"]
        assert_telegram_accepted_everything(bot.world)
