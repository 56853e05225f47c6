"""🌍 Share to QuranReflect: public, so it is confirmed first, and done once.

The API does not say whether a note was published, so the ids of notes shared from here are
remembered (NotesMemory.shared_ids) and a second share is refused rather than posted again.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.i18n import Translator
from bot.presentation.notes import publish_question, ranges_label
from bot.qf import QFError
from bot.services import notes
from handlers.callbacks import button
from handlers.context import translator_for
from handlers.notes.browse import fetch_note, fetch_shown_note
from handlers.notes.buttons import AskPublish, ConfirmPublish, DeclinePublish
from handlers.notes.chat import answer, in_private
from handlers.notes.memory import NotesMemory
from handlers.replies import reply_upstream_error, retry_button, send


async def _say_already_shared(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, *, edit: bool
) -> None:
    await send(update, context, t.gettext(
        "🌍 You already shared this note to QuranReflect, so I did not post it again."),
        edit=edit)


def _already_shared(context: ContextTypes.DEFAULT_TYPE, ref: str) -> bool:
    memory = NotesMemory(context)
    note_id = memory.resolve_ref(ref)
    return note_id is not None and note_id in memory.shared_ids()


async def ask_publish(update: Update, context: ContextTypes.DEFAULT_TYPE, data: AskPublish) -> None:
    """"Share to QuranReflect": public, so it is confirmed first; a note shared once is not
    posted again."""
    t = await translator_for(update, context)
    if not await in_private(update, t):
        return
    await answer(update)
    if _already_shared(context, data.note):
        await _say_already_shared(update, context, t, edit=False)
        return
    fetched = await fetch_note(update, context, t, data.note)
    if fetched is None:
        return
    _, note = fetched
    ref = NotesMemory(context).note_ref(note.id)
    await send(update, context, publish_question(t, note), InlineKeyboardMarkup(
        [[button(t.gettext("🌍 Yes, share it"), ConfirmPublish(ref, notes.note_version(note))),
          button(t.gettext("🔒 No, keep it private"), DeclinePublish())]]))


async def confirm_publish(
    update: Update, context: ContextTypes.DEFAULT_TYPE, data: ConfirmPublish
) -> None:
    """"Yes, share it": post the note's text and verses to QuranReflect, once."""
    t = await translator_for(update, context)
    if not await in_private(update, t):
        return
    await answer(update)
    if _already_shared(context, data.note):
        # A second press, or the same note confirmed from two prompts.
        await _say_already_shared(update, context, t, edit=True)
        return
    fetched = await fetch_shown_note(update, context, t, data.note, data.version, changed=(
        t.gettext("This note has changed since; nothing was shared. "
                  "Open it to see it as it is now.")
    ))
    if fetched is None:
        return
    session, note = fetched
    retry_markup = InlineKeyboardMarkup([[retry_button(t, data)]])
    try:
        result = await notes.publish_note(session, note)
    except QFError as error:
        await reply_upstream_error(update, context, t, error, retry_markup=retry_markup)
        return
    if not result.success:
        await send(update, context, t.gettext(
            "QuranReflect did not accept the note this time. Please try again later."),
            retry_markup, edit=True)
        return
    NotesMemory(context).remember_shared(note.id)
    await send(update, context, t.gettext(
        "🌍 Shared your note on {ranges} to QuranReflect.", ranges=ranges_label(t, note.ranges)),
        edit=True)


async def decline_publish(
    update: Update, context: ContextTypes.DEFAULT_TYPE, data: DeclinePublish
) -> None:
    t = await translator_for(update, context)
    if not await in_private(update, t):
        return
    await answer(update)
    await send(update, context, t.gettext("Not shared. The note stays private."), edit=True)
