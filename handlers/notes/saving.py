"""Sending a finished draft to Quran.com: a new note, or an edit's new text; and Retry.

A failure keeps the draft and offers Retry; the save itself never creates a second copy
(bot.services.notes.save_note looks before re-sending an attempt that may have arrived).
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.i18n import Translator
from bot.presentation.notes import saved_text, updated_text
from bot.qf import NoteSaved, NotFound, QFError
from bot.services import notes
from bot.services.deps import deps_of
from bot.services.notes import DraftStatus
from handlers.callbacks import button
from handlers.context import translator_for
from handlers.notes.buttons import AskPublish, DiscardDraft, OpenNote, RetrySave, SaveDraft
from handlers.notes.chat import answer, in_private, user_id_of
from handlers.notes.memory import NotesMemory
from handlers.replies import reply_upstream_error, retry_button, send, session_for
from storage import NoteDraft


def _retry_markup(t: Translator, draft: NoteDraft) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[retry_button(t, RetrySave(draft.id))]])


async def store_note(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, draft: NoteDraft,
    *, edit: bool = False, footer: str | None = None,
) -> bool:
    """Save `draft` as a new note and say so (editing the pressed message when `edit`); True
    when saved. Not saved, the draft stays with Retry."""
    deps = deps_of(context)
    try:
        session = await session_for(update, deps)
        saved = await notes.save_note(deps.drafts, session, draft)
    except QFError as error:
        await reply_upstream_error(update, context, t, error,
                                   retry_markup=_retry_markup(t, draft), kept=True)
        return False
    memory = NotesMemory(context)
    if memory.current_draft_id in (None, draft.id):
        # The live status message was this draft's; another draft's (a one-liner saved while
        # the wizard writes an earlier one) must stay known, to be replaced at its next count.
        memory.status_message_id = None
    memory.forget_draft(draft.id)
    await _report_saved(update, context, t, saved, shared=draft.save_to_qr, edit=edit,
                        footer=footer)
    return True


async def _report_saved(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, saved: NoteSaved,
    *, shared: bool, edit: bool, footer: str | None = None,
) -> None:
    memory = NotesMemory(context)
    ref = memory.note_ref(saved.note.id)
    open_button = button(t.gettext("📖 Open"), OpenNote(ref))
    if saved.shared_failed:
        rows = [[button(t.gettext("🌍 Publish to QuranReflect"), AskPublish(ref))],
                [open_button]]
    elif shared:
        memory.remember_shared(saved.note.id)
        rows = [[open_button]]
    else:
        rows = [[open_button, button(t.gettext("🌍 Share to QuranReflect"), AskPublish(ref))]]
    text = saved_text(t, saved, shared=shared)
    if footer:
        text += "\n\n" + footer
    await send(update, context, text, InlineKeyboardMarkup(rows), edit=edit)


async def replace_text(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, draft: NoteDraft,
    note_id: str,
) -> bool:
    """Put the draft's text in place of note `note_id`'s; True when done."""
    deps = deps_of(context)
    memory = NotesMemory(context)
    try:
        session = await session_for(update, deps)
        note = await notes.update_note(deps.drafts, session, draft, note_id)
    except NotFound:
        # Deleted elsewhere meanwhile: the new text becomes a fresh note rather than vanishing.
        memory.forget_draft(draft.id)
        draft = await notes.write_draft(deps.drafts, user_id_of(update), draft,
                                        status=DraftStatus.CONFIRM)
        memory.current_draft_id = draft.id
        await send(update, context, t.gettext(
            "That note no longer exists on Quran.com, so your new text is kept as a draft. "
            "Save it as a new note?"), InlineKeyboardMarkup(
            [[button(t.gettext("✅ Save as a new note"), SaveDraft(draft.id))],
             [button(t.gettext("🗑 Discard"), DiscardDraft(draft.id))]]), edit=True)
        return False
    except QFError as error:
        await reply_upstream_error(update, context, t, error,
                                   retry_markup=_retry_markup(t, draft), kept=True)
        return False
    memory.forget_draft(draft.id)
    memory.status_message_id = None
    await send(update, context, updated_text(t, note, note.ranges or list(draft.ranges)),
               InlineKeyboardMarkup(
                   [[button(t.gettext("📖 Open"), OpenNote(memory.note_ref(note.id)))]]),
               edit=True)
    return True


async def retry(update: Update, context: ContextTypes.DEFAULT_TYPE, data: RetrySave) -> None:
    """Re-send a stored draft after a failure; never a second copy (see notes.save_note)."""
    t = await translator_for(update, context)
    if not await in_private(update, t):
        return
    draft = await notes.own_draft(deps_of(context).drafts, user_id_of(update), data.draft_id)
    if draft is None:  # a notice only: the pressed message may already say "Saved"
        await answer(update, t.gettext(
            "Nothing to retry: that note was already saved or discarded."))
        return
    await answer(update)
    note_id = NotesMemory(context).edited_note_id(draft.id)
    if note_id is not None:
        await replace_text(update, context, t, draft, note_id)
    else:
        await store_note(update, context, t, draft, edit=True)
