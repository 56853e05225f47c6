"""Note buttons act only on the note as they showed it: Edit, "Yes, delete it" and "Yes, share
it" pressed after the note changed (on Quran.com, on another device) say so and do nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from notes_support import labels, notes_of, text_of

from handlers.notes.buttons import ConfirmDelete, EditNote
from sandbox.harness import BotHarness


def change_on_quran_com(bot: BotHarness, sub: str, body: str) -> None:
    store = bot.fake_qf.users[sub].notes
    (note_id,) = store
    note = store[note_id]
    store[note_id] = replace(note, body=body, updated_at=note.updated_at + timedelta(minutes=5))


async def test_delete_confirmed_after_the_note_changed_deletes_nothing(tmp_path: Path) -> None:
    async with BotHarness(tmp_path) as bot:
        sub = await bot.link_account()
        await bot.send("/note 2:255 The first words of my reflection")
        await bot.send("/notes")
        opened = await bot.press("1")
        asked = await bot.press("Delete", message=opened[-1])
        assert ConfirmDelete.parse(bot.world.buttons(asked[-1])[0][1]) is not None
        change_on_quran_com(bot, sub, "Rewritten on the website, worth keeping")
        reply = await bot.press("Yes, delete it")
        assert "This note has changed since; nothing was deleted." in text_of(reply)
        assert labels(reply[-1]) == ["📝 Open it"]
        (kept,) = notes_of(bot, sub)
        assert kept.body == "Rewritten on the website, worth keeping"
        assert bot.fake_qf.api_requests("DELETE") == []
        # Opened again, the current note can be deleted.
        opened = await bot.press("Open it")
        assert "Rewritten on the website" in text_of(opened)
        await bot.press("Delete", message=opened[-1])
        assert "Note deleted" in text_of(await bot.press("Yes, delete it"))
        assert notes_of(bot, sub) == []


async def test_share_confirmed_after_the_note_changed_shares_nothing(tmp_path: Path) -> None:
    async with BotHarness(tmp_path) as bot:
        sub = await bot.link_account()
        await bot.send("/note 2:255 A reflection I might share")
        await bot.send("/notes")
        opened = await bot.press("1")
        await bot.press("Share to QuranReflect", message=opened[-1])
        change_on_quran_com(bot, sub, "Private thoughts now, not for sharing")
        reply = await bot.press("Yes, share it")
        assert "This note has changed since; nothing was shared." in text_of(reply)
        assert bot.fake_qf.users[sub].posts == []


async def test_edit_pressed_after_the_note_changed_edits_nothing(tmp_path: Path) -> None:
    async with BotHarness(tmp_path) as bot:
        sub = await bot.link_account()
        await bot.send("/note 2:255 Text as it was first shown")
        await bot.send("/notes")
        opened = await bot.press("1")
        edit = next(data for label, data in bot.world.buttons(opened[-1]) if "Edit" in label)
        assert EditNote.parse(edit) is not None
        change_on_quran_com(bot, sub, "Changed on another device meanwhile")
        reply = await bot.press("Edit", message=opened[-1])
        assert "This note has changed since it was shown; nothing was edited." in text_of(reply)
        await bot.send("This text must not replace the changed note")
        (kept,) = notes_of(bot, sub)
        assert kept.body == "Changed on another device meanwhile"
