"""Unsaved drafts: offered again at the next /note, never overwritten, never joined by surprise,
stopped and discarded.

`/note` with a draft unsaved asks first: "Continue your draft on 2:255 (5 characters) or start
a new note?". Until a button is pressed nothing joins that draft: text typed at the question
starts a new note (the draft stays kept), because a reflection on 2:153 glued onto a 2:255 draft
is worse than one more question. A /note that starts another note while one is unsaved keeps
both and asks which to go on with. Cancel keeps a draft that holds text (the next /note offers
it again).
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.domain.notes import add_part
from bot.domain.verse_parsing import split_leading_ranges
from bot.domain.verses import VerseRange, VerseRangeError, range_keys
from bot.i18n import Translator
from bot.presentation.notes import (
    continue_label,
    draft_kept_text,
    earlier_kept_notice,
    overflow_notice,
    resume_offer_text,
    two_drafts_text,
)
from bot.services import notes
from bot.services.deps import deps_of
from bot.services.notes import DraftStatus
from handlers.callbacks import button
from handlers.context import translator_for
from handlers.notes.buttons import (
    CancelDraft,
    ContinueDraft,
    DiscardAndStartNew,
    DiscardDraft,
    DropEarlierDraft,
    StartNewNote,
)
from handlers.notes.chat import answer, in_private, user_id_of
from handlers.notes.memory import NotesMemory
from handlers.notes.wizard import (
    END,
    RESUME,
    Step,
    ask_ranges,
    continue_draft,
    current_draft,
    pressed_draft,
    show_body_status,
)
from handlers.replies import send
from storage import NoteDraft


async def offer_resume(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, draft: NoteDraft
) -> Step:
    """"Continue your draft on 2:255 (5 characters) or start a new note?" Nothing joins the
    draft until Continue is pressed: text typed meanwhile starts a new note."""
    memory = NotesMemory(context)
    memory.current_draft_id = None  # see receive_at_prompt
    editing = memory.edited_note_id(draft.id) is not None
    text = resume_offer_text(t, draft.ranges, draft.body, editing=editing)
    markup = InlineKeyboardMarkup([
        [button(continue_label(t, draft.ranges, draft.body), ContinueDraft(draft.id))],
        [button(t.gettext("📝 Start a new note"), StartNewNote(draft.id))],
        [button(t.gettext("🗑 Discard the draft"), DiscardAndStartNew(draft.id))],
    ])
    await send(update, context, text, markup)
    return RESUME


async def offer_choice(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator,
    earlier: NoteDraft, new: NoteDraft, *, notice: str | None = None,
) -> Step:
    """A new note was started while `earlier` is unsaved: both are kept, the user picks.

    Text typed before choosing goes into the new note, the one just started. `notice` leads
    (why the new note was not saved at once, when it was too short).
    """
    NotesMemory(context).current_draft_id = new.id
    markup = InlineKeyboardMarkup([
        [button(continue_label(t, earlier.ranges, earlier.body), ContinueDraft(earlier.id))],
        [button(t.gettext("📝 Go on with the new note"), ContinueDraft(new.id))],
        [button(t.gettext("🗑 Discard the earlier draft"), DropEarlierDraft(earlier.id, new.id))],
    ])
    text = two_drafts_text(t)
    await send(update, context, f"{notice}\n\n{text}" if notice else text, markup)
    return RESUME


async def unsaved_draft(context: ContextTypes.DEFAULT_TYPE, user_id: int) -> NoteDraft | None:
    """The user's latest draft holding text; empty ones are dropped (and forgotten here)."""
    found = await notes.unsaved_draft(deps_of(context).drafts, user_id)
    memory = NotesMemory(context)
    for draft_id in found.dropped:
        memory.forget_draft(draft_id)
    return found.draft


async def _discard(context: ContextTypes.DEFAULT_TYPE, draft_id: int) -> None:
    await notes.discard_draft(deps_of(context).drafts, draft_id)
    NotesMemory(context).forget_draft(draft_id)


async def start_from_link(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Step:
    """`/start note` from the group button: continue a draft written there, or start one."""
    t = await translator_for(update, context)
    draft = await notes.latest_draft(deps_of(context).drafts, user_id_of(update))
    if draft is not None:
        return await offer_resume(update, context, t, draft)
    return await ask_ranges(update, context, t, None)


async def resume(update: Update, context: ContextTypes.DEFAULT_TYPE, data: ContinueDraft) -> Step:
    t = await translator_for(update, context)
    draft = await pressed_draft(update, context, t, data.draft_id)
    if draft is None:
        return END
    return await continue_draft(update, context, t, draft)


async def start_new(
    update: Update, context: ContextTypes.DEFAULT_TYPE, data: StartNewNote
) -> Step:
    """"Start a new note": the draft asked about stays kept for a later /note."""
    t = await translator_for(update, context)
    draft = await pressed_draft(update, context, t, data.draft_id)
    if draft is None:
        return END
    return await ask_ranges(update, context, t, None, edit=True, notice=earlier_kept_notice(t))


async def start_fresh(
    update: Update, context: ContextTypes.DEFAULT_TYPE, data: DiscardAndStartNew
) -> Step:
    t = await translator_for(update, context)
    draft = await pressed_draft(update, context, t, data.draft_id)
    if draft is None:
        return END
    await _discard(context, draft.id)
    return await ask_ranges(update, context, t, None, edit=True,
                            notice=t.gettext("Draft discarded."))


async def drop_earlier(
    update: Update, context: ContextTypes.DEFAULT_TYPE, data: DropEarlierDraft
) -> Step:
    """"Discard the earlier draft": go on with the new one."""
    t = await translator_for(update, context)
    draft = await pressed_draft(update, context, t, data.new_id)
    if draft is None:
        return END
    earlier = await notes.own_draft(deps_of(context).drafts, user_id_of(update), data.earlier_id)
    if earlier is not None and earlier.id != draft.id:
        await _discard(context, earlier.id)
    return await continue_draft(update, context, t, draft)


async def receive_at_prompt(
    update: Update, context: ContextTypes.DEFAULT_TYPE
) -> Step | None:
    """Text typed while a draft prompt waits for a button: at "Continue your draft or start a
    new note?" it starts a new note (never joining the draft asked about, which stays kept);
    at the choice between two drafts it goes into the new one, as that prompt says."""
    message = update.effective_message
    if message is None or not message.text:
        return None
    drafts = deps_of(context).drafts
    t = await translator_for(update, context)
    user_id = user_id_of(update)
    draft = await current_draft(context, user_id)
    notice = None
    if draft is None:  # no draft takes the text: it starts a new note
        kept = await unsaved_draft(context, user_id)
        draft = await notes.write_draft(drafts, user_id, body="", status=DraftStatus.RANGES)
        if kept is not None:
            notice = t.gettext("Started a new note with that.") + " " + earlier_kept_notice(t)
    ranges: list[VerseRange] = []
    text = message.text
    if not draft.ranges:
        # At the verses step verses are welcome, and so is text: it is kept for the note.
        try:
            ranges, rest = split_leading_ranges(message.text, strict=False)
        except VerseRangeError as error:
            notice = error.describe(t) if notice is None else f"{notice}\n{error.describe(t)}"
        else:
            text = rest if ranges else message.text
    added = add_part(draft.body, text) if text else None
    body = added.body if added is not None else draft.body
    if added is not None and not added.accepted:
        notice = overflow_notice(t, added.over_by, added.room)
    keys = range_keys(ranges) if ranges else list(draft.ranges)
    status = DraftStatus.EDIT if draft.status == DraftStatus.EDIT else DraftStatus.BODY
    draft = await notes.write_draft(drafts, user_id, draft, ranges=keys, body=body,
                                    status=status if keys else DraftStatus.RANGES)
    NotesMemory(context).current_draft_id = draft.id
    if not draft.ranges:
        return await ask_ranges(update, context, t, draft, notice=notice)
    if notice is None and added is not None:
        notice = t.gettext("Added to your draft.")
    return await show_body_status(update, context, t, draft, notice=notice)


async def cancel_press(
    update: Update, context: ContextTypes.DEFAULT_TYPE, data: CancelDraft
) -> Step:
    """✖️ Cancel under a wizard screen."""
    return await _stop(update, context, data.draft_id)


async def cancel_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Step:
    """/cancel while writing: stops the draft the next text would have gone into."""
    return await _stop(update, context, NotesMemory(context).current_draft_id)


async def _stop(
    update: Update, context: ContextTypes.DEFAULT_TYPE, draft_id: int | None
) -> Step:
    """Stop the wizard. The draft stays (offered again at the next /note) unless discarded."""
    t = await translator_for(update, context)
    if not await in_private(update, t):
        return END
    await answer(update)
    draft = await notes.own_draft(deps_of(context).drafts, user_id_of(update), draft_id)
    NotesMemory(context).stop_writing()
    if draft is None or not draft.body.strip():
        if draft is not None:  # nothing typed yet: nothing worth keeping
            await _discard(context, draft.id)
        await send(update, context, t.gettext("Cancelled. Nothing was saved."), edit=True)
        return END
    markup = InlineKeyboardMarkup(
        [[button(t.gettext("🗑 Discard draft"), DiscardDraft(draft.id))]]
    )
    await send(update, context, draft_kept_text(t, draft.body), markup, edit=True)
    return END


async def discard(update: Update, context: ContextTypes.DEFAULT_TYPE, data: DiscardDraft) -> Step:
    t = await translator_for(update, context)
    draft = await pressed_draft(update, context, t, data.draft_id)
    if draft is None:
        return END
    await _discard(context, draft.id)
    await send(update, context, t.gettext("Draft discarded."), edit=True)
    return END
