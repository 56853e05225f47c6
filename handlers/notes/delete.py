"""🗑 Delete under an opened note: asked first (it cannot be undone), then done once."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.presentation.notes import delete_question
from bot.qf import NotFound, QFError
from bot.services import notes
from handlers.callbacks import button
from handlers.context import translator_for
from handlers.notes.browse import fetch_note, fetch_shown_note
from handlers.notes.buttons import AskDelete, ConfirmDelete, KeepNote
from handlers.notes.chat import answer, in_private
from handlers.notes.memory import NotesMemory
from handlers.replies import reply_upstream_error, retry_button, send


async def ask_delete(update: Update, context: ContextTypes.DEFAULT_TYPE, data: AskDelete) -> None:
    t = await translator_for(update, context)
    if not await in_private(update, t):
        return
    await answer(update)
    fetched = await fetch_note(update, context, t, data.note)
    if fetched is None:
        return
    _, note = fetched
    ref = NotesMemory(context).note_ref(note.id)
    await send(update, context, delete_question(t, note), InlineKeyboardMarkup(
        [[button(t.gettext("🗑 Yes, delete it"), ConfirmDelete(ref, notes.note_version(note))),
          button(t.gettext("Keep it"), KeepNote())]]))


async def delete_note(
    update: Update, context: ContextTypes.DEFAULT_TYPE, data: ConfirmDelete
) -> None:
    t = await translator_for(update, context)
    if not await in_private(update, t):
        return
    await answer(update)
    memory = NotesMemory(context)
    fetched = await fetch_shown_note(update, context, t, data.note, data.version, changed=(
        t.gettext("This note has changed since; nothing was deleted. "
                  "Open it to see it as it is now.")
    ))
    if fetched is None:
        return
    session, note = fetched
    note_id = note.id
    try:
        await notes.delete_note(session, note_id)
    except NotFound:
        memory.forget_shared(note_id)
        await send(update, context, t.gettext("That note was already deleted."), edit=True)
        return
    except QFError as error:
        retry_markup = InlineKeyboardMarkup([[retry_button(t, data)]])
        await reply_upstream_error(update, context, t, error, retry_markup=retry_markup)
        return
    memory.forget_shared(note_id)
    await send(update, context, t.gettext("🗑 Note deleted."), edit=True)


async def keep_note(update: Update, context: ContextTypes.DEFAULT_TYPE, data: KeepNote) -> None:
    t = await translator_for(update, context)
    # A forged press in a group would otherwise rewrite any bot message there.
    if not await in_private(update, t):
        return
    await answer(update)
    await send(update, context, t.gettext("Kept. Nothing was deleted."), edit=True)
