"""✏️ Edit under an opened note: the next message(s) replace its text, collected like a new
note's in a draft of its own (an "edit" draft); Done sends them (handlers.notes.saving)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.presentation.notes import earlier_kept_notice
from bot.services import notes
from bot.services.deps import deps_of
from bot.services.notes import DraftStatus
from handlers.context import translator_for
from handlers.notes.browse import fetch_shown_note
from handlers.notes.buttons import EditNote
from handlers.notes.chat import answer, in_private, user_id_of
from handlers.notes.drafts import unsaved_draft
from handlers.notes.memory import NotesMemory
from handlers.notes.wizard import END, Step, show_body_status


async def edit_note(update: Update, context: ContextTypes.DEFAULT_TYPE, data: EditNote) -> Step:
    """Edit: the next message(s) replace the note's text, collected like a new note's."""
    t = await translator_for(update, context)
    if not await in_private(update, t):
        return END
    await answer(update)
    fetched = await fetch_shown_note(
        update, context, t, data.note, data.version, edit=False, changed=t.gettext(
            "This note has changed since it was shown; nothing was edited. "
            "Open it to edit it as it is now."
        ),
    )
    if fetched is None:
        return END
    _, note = fetched
    user_id = user_id_of(update)
    # The edit gets a draft of its own; one left unsaved before stays as it is.
    earlier = await unsaved_draft(context, user_id)
    draft = await notes.write_draft(deps_of(context).drafts, user_id, ranges=note.ranges,
                                    body="", status=DraftStatus.EDIT)
    memory = NotesMemory(context)
    memory.current_draft_id = draft.id
    memory.start_edit(draft.id, note.id)
    memory.status_message_id = None  # the pressed message is the note itself: it stays readable
    return await show_body_status(update, context, t, draft, in_place=False,
                                  notice=earlier_kept_notice(t) if earlier else None)
