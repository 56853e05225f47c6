"""The /note wizard: verses, then the text (several messages if long), then Done, which saves
the note privately at once and offers "🌍 Share to QuranReflect" below the confirmation (the
same as one-liners and edits). Someone who walks away after Done has their note; a failure
keeps the draft (and its text, across restarts) with Retry. The "private or shared" and "Save"
screens remain for their buttons in older messages.

The conversation state only decides where the next text message goes (verses or text); the
screens are rebuilt from the draft row, so any button works from the row alone. Exactly one
live status message (the running count with Done) stays at the bottom of the chat.
"""

from __future__ import annotations

import logging
from typing import Final

from telegram import InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes, ConversationHandler

from bot.domain.notes import add_part, characters_missing
from bot.domain.verse_parsing import parse_verse_ranges, split_leading_ranges
from bot.domain.verses import VerseRangeError, range_keys
from bot.i18n import Translator
from bot.presentation.notes import (
    ask_ranges_text,
    body_screen_text,
    confirm_text,
    overflow_notice,
    share_choice_text,
    too_short_notice,
)
from bot.presentation.reflections import attached_line, draft_reflection
from bot.services import notes
from bot.services.deps import deps_of
from bot.services.notes import DraftStatus
from handlers.callbacks import button
from handlers.context import translator_for
from handlers.notes.buttons import (
    AddMoreText,
    CancelDraft,
    ChooseSharing,
    FinishText,
    SaveDraft,
)
from handlers.notes.chat import answer, in_private, user_id_of
from handlers.notes.memory import NotesMemory
from handlers.notes.saving import replace_text, store_note
from handlers.replies import send
from storage import NoteDraft

logger = logging.getLogger(__name__)

# Conversation states: where the next plain text message goes.
RANGES: Final = "ranges"
BODY: Final = "body"
SHARE: Final = "share"
CONFIRM: Final = "confirm"
RESUME: Final = "resume"
END: Final = ConversationHandler.END
#: What a conversation callback returns: the next state, END, or None to stay.
Step = str | int


# ---------------------------------------------------------------------------------------------
# Screens


async def ask_ranges(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, draft: NoteDraft | None,
    *, edit: bool = False, notice: str | None = None,
) -> Step:
    NotesMemory(context).current_draft_id = draft.id if draft is not None else None
    markup = InlineKeyboardMarkup(  # draft 0: none yet, so Cancel has nothing to keep
        [[button(t.gettext("✖️ Cancel"), CancelDraft(draft.id if draft else 0))]]
    )
    text = ask_ranges_text(t, draft.body if draft is not None else "", notice)
    await send(update, context, text, markup, edit=edit)
    return RANGES


async def show_body_status(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    t: Translator,
    draft: NoteDraft,
    *,
    notice: str | None = None,
    in_place: bool | None = None,
) -> Step:
    """Keep exactly one live status message, at the bottom of the chat.

    A button press edits that message in place (unless `in_place` is False). After a text
    message the old status is deleted and a new one sent below the user's text: after pasting
    4,000 characters the count and the Done button must be where the user is looking, and
    deleting the old one means the chat never fills with stale counters.
    """
    memory = NotesMemory(context)
    editing = memory.edited_note_id(draft.id) is not None
    text = body_screen_text(t, draft.ranges, draft.body, editing=editing, notice=notice,
                            about=attached_line(t, draft_reflection(draft.attached_entity)))
    markup = InlineKeyboardMarkup(
        [[button(t.gettext("✅ Done"), FinishText(draft.id)),
          button(t.gettext("✖️ Cancel"), CancelDraft(draft.id))]]
    )
    if in_place is None:
        in_place = update.callback_query is not None
    if in_place:
        message = await send(update, context, text, markup, edit=True)
    else:
        previous = memory.status_message_id
        chat = update.effective_chat
        if previous is not None and chat is not None:
            try:
                await context.bot.delete_message(chat.id, previous)
            except TelegramError:
                logger.debug("old note status message %s already gone", previous)
        message = await send(update, context, text, markup)
    if message is not None:
        memory.status_message_id = message.message_id
    return BODY


async def _show_share_choice(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, draft: NoteDraft
) -> Step:
    markup = InlineKeyboardMarkup([
        [button(t.gettext("🔒 Keep private"), ChooseSharing(draft.id, share=False))],
        [button(t.gettext("🌍 Also share to QuranReflect"), ChooseSharing(draft.id, share=True))],
        [button(t.gettext("✖️ Cancel"), CancelDraft(draft.id))],
    ])
    await send(update, context, share_choice_text(t, draft.ranges, draft.body), markup,
               edit=True)
    return SHARE


async def _show_confirm(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, draft: NoteDraft
) -> Step:
    markup = InlineKeyboardMarkup([
        [button(t.gettext("✅ Save"), SaveDraft(draft.id))],
        [button(t.gettext("✏️ Add more text"), AddMoreText(draft.id)),
         button(t.gettext("✖️ Cancel"), CancelDraft(draft.id))],
    ])
    text = confirm_text(t, draft.ranges, draft.body, shared=draft.save_to_qr)
    await send(update, context, text, markup, edit=True)
    return CONFIRM


def _collects_text(context: ContextTypes.DEFAULT_TYPE, draft: NoteDraft) -> bool:
    return (NotesMemory(context).edited_note_id(draft.id) is not None
            or draft.status in (DraftStatus.BODY, DraftStatus.EDIT))


def step_of(context: ContextTypes.DEFAULT_TYPE, draft: NoteDraft) -> Step:
    """The conversation state where `draft`'s next text message belongs."""
    if not draft.ranges:
        return RANGES
    if _collects_text(context, draft):
        return BODY
    return SHARE if draft.status == DraftStatus.SHARE else CONFIRM


async def continue_draft(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, draft: NoteDraft
) -> Step:
    """Pick a draft up at the step it had reached."""
    NotesMemory(context).current_draft_id = draft.id
    if not draft.ranges:
        return await ask_ranges(update, context, t, draft, edit=True)
    if _collects_text(context, draft):
        return await show_body_status(update, context, t, draft)
    if draft.status == DraftStatus.SHARE:
        return await _show_share_choice(update, context, t, draft)
    return await _show_confirm(update, context, t, draft)


async def current_draft(context: ContextTypes.DEFAULT_TYPE, user_id: int) -> NoteDraft | None:
    """The draft the next text message belongs to (see NotesMemory.current_draft_id)."""
    draft_id = NotesMemory(context).current_draft_id
    return await notes.own_draft(deps_of(context).drafts, user_id, draft_id)


async def pressed_draft(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, draft_id: int
) -> NoteDraft | None:
    """The draft a wizard button refers to, or None (and the user told) when it is gone."""
    if not await in_private(update, t):
        return None
    draft = await notes.own_draft(deps_of(context).drafts, user_id_of(update), draft_id)
    if draft is None:
        # Only a notice: a double-pressed Save must not overwrite its own "Saved" message.
        await answer(update, t.gettext(
            "That draft no longer exists: it was saved or discarded."))
        return None
    await answer(update)
    NotesMemory(context).current_draft_id = draft.id
    return draft


# ---------------------------------------------------------------------------------------------
# Text steps


async def receive_ranges(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Step | None:
    message = update.effective_message
    if message is None or not message.text:
        return None
    t = await translator_for(update, context)
    # Lenient here: the user was asked for verses, so "2" is surah 2, and "2:255 my thought"
    # (verses and a first line of text) is welcome too.
    try:
        ranges, rest = split_leading_ranges(message.text, strict=False)
        if not ranges:
            ranges, rest = parse_verse_ranges(message.text), ""
    except VerseRangeError as error:
        await send(update, context, error.describe(t))
        return None
    user_id = user_id_of(update)
    draft = await current_draft(context, user_id)
    notice = None
    body = draft.body if draft else ""
    if rest:
        added = add_part(body, rest)
        body = added.body
        if not added.accepted:
            notice = overflow_notice(t, added.over_by, added.room)
    draft = await notes.write_draft(deps_of(context).drafts, user_id, draft,
                                    ranges=range_keys(ranges), body=body,
                                    status=DraftStatus.BODY)
    NotesMemory(context).current_draft_id = draft.id
    return await show_body_status(update, context, t, draft, notice=notice)


async def receive_body_part(
    update: Update, context: ContextTypes.DEFAULT_TYPE
) -> Step | None:
    """One more message of the note: stored at once, then the running count."""
    message = update.effective_message
    if message is None or not message.text:
        return None
    t = await translator_for(update, context)
    user_id = user_id_of(update)
    draft = await current_draft(context, user_id)
    if draft is None:
        await send(update, context, t.gettext(
            "I could not find your draft. Send /note to start a new note."))
        return END
    added = add_part(draft.body, message.text)
    notice = None
    if added.accepted:
        status = DraftStatus.EDIT if draft.status == DraftStatus.EDIT else DraftStatus.BODY
        draft = await notes.write_draft(deps_of(context).drafts, user_id, draft,
                                        body=added.body, status=status)
    else:
        notice = overflow_notice(t, added.over_by, added.room)
    if not draft.ranges:
        return await ask_ranges(update, context, t, draft)
    return await show_body_status(update, context, t, draft, notice=notice)


async def text_only(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    t = await translator_for(update, context)
    await send(update, context, t.gettext(
        "Notes are text only: send your reflection as a text message."))


async def timed_out(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    t = await translator_for(update, context)
    await context.bot.send_message(
        update.effective_chat.id,
        t.gettext("I have put your note aside as a draft. Send /note when you want to go on."),
    )


# ---------------------------------------------------------------------------------------------
# Buttons: Done, private or shared, add more, Save


async def done(update: Update, context: ContextTypes.DEFAULT_TYPE, data: FinishText) -> Step:
    t = await translator_for(update, context)
    draft = await pressed_draft(update, context, t, data.draft_id)
    if draft is None:
        return END
    if not draft.ranges:
        return await ask_ranges(update, context, t, draft, edit=True)
    if characters_missing(draft.body):
        return await show_body_status(update, context, t, draft,
                                      notice=too_short_notice(t, draft.body))
    note_id = NotesMemory(context).edited_note_id(draft.id)
    if note_id is not None:
        replaced = await replace_text(update, context, t, draft, note_id)
        # Not replaced: the text waits as a draft, and more typed text still joins it.
        return END if replaced else CONFIRM
    # Saved as it is, privately; sharing is the follow-up button on the confirmation. A
    # failure keeps the draft (Retry, or Done again) and never creates a second copy; more
    # text typed meanwhile still joins it.
    saved = await store_note(update, context, t, draft, edit=True)
    return END if saved else BODY


async def choose_sharing(
    update: Update, context: ContextTypes.DEFAULT_TYPE, data: ChooseSharing
) -> Step:
    t = await translator_for(update, context)
    draft = await pressed_draft(update, context, t, data.draft_id)
    if draft is None:
        return END
    draft = await notes.write_draft(deps_of(context).drafts, user_id_of(update), draft,
                                    save_to_qr=data.share, status=DraftStatus.CONFIRM)
    return await _show_confirm(update, context, t, draft)


async def add_more(update: Update, context: ContextTypes.DEFAULT_TYPE, data: AddMoreText) -> Step:
    t = await translator_for(update, context)
    draft = await pressed_draft(update, context, t, data.draft_id)
    if draft is None:
        return END
    draft = await notes.write_draft(deps_of(context).drafts, user_id_of(update), draft,
                                    status=DraftStatus.BODY)
    return await show_body_status(update, context, t, draft)


async def save(update: Update, context: ContextTypes.DEFAULT_TYPE, data: SaveDraft) -> Step:
    t = await translator_for(update, context)
    draft = await pressed_draft(update, context, t, data.draft_id)
    if draft is None:
        return END
    await store_note(update, context, t, draft, edit=True)
    return END
