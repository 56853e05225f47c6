"""Notes on verse ranges: the /note wizard and one-liners, and /notes to browse, edit, delete and
share them.

    /note 2:255 my reflection ─ oneliner: saved privately at once (too short: says so, kept)
    /note [2:255] ───────────── wizard: verses → text (many messages) → Done: saved privately
                                → 🌍 Share to QuranReflect, confirmed  (saving: Retry, never twice)
    /note with a draft unsaved ─ drafts: "continue it or start a new note?" first; typed text
                                never joins a draft by surprise
    /notes [2:255] ──────────── browse: pages, open a note → edit · delete · publish
    /note <QuranReflect link> … ─ reflection: a note attached to the post (also 📝 Note on this)

The draft row (storage, through bot.services.notes) is the source of truth while a note is being
written: every collected message goes to the database at once, because PTB persistence is
batched and a crash must not lose a reflection. The conversation state only decides where the
next text message goes (verses or body); every wizard button carries the draft id and works
from the row alone, so buttons keep working after a restart that lost the conversation. A draft
is deleted only once Quran.com confirmed the save.

A draft is never overwritten: a /note that starts another note while one is unsaved keeps both
and asks which to go on with, and text typed while such a prompt waits for a button goes into a
draft rather than to the generic "not sure" reply.

Sharing a saved note to QuranReflect is public, so it is confirmed first and done once.

Notes are personal: in groups the bot answers with a button to the private chat, and `/start
note` there continues what the group /note carried.

Modules: buttons (every press type), memory (what user_data keeps), chat (private-only, who is
asking), wizard, oneliner, reflection, drafts, saving, browse, edit, delete, publish.
"""

from __future__ import annotations

import warnings
from typing import Any, Final

from telegram import Update
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.i18n import N_
from handlers.callbacks import on_press
from handlers.context import translator_for
from handlers.notes import buttons
from handlers.notes.browse import back_to_list, notes_command, open_note, turn_page
from handlers.notes.chat import NOTE_DEEP_LINK, answer
from handlers.notes.delete import ask_delete, delete_note, keep_note
from handlers.notes.drafts import (
    cancel_command,
    cancel_press,
    discard,
    drop_earlier,
    receive_at_prompt,
    resume,
    start_fresh,
    start_from_link,
    start_new,
)
from handlers.notes.edit import edit_note
from handlers.notes.memory import NotesMemory
from handlers.notes.oneliner import note_command
from handlers.notes.publish import ask_publish, confirm_publish, decline_publish
from handlers.notes.reflection import note_on_reflection
from handlers.notes.saving import retry
from handlers.notes.wizard import (
    BODY,
    CONFIRM,
    RANGES,
    RESUME,
    SHARE,
    add_more,
    choose_sharing,
    done,
    receive_body_part,
    receive_ranges,
    save,
    text_only,
    timed_out,
)
from handlers.reflections import NoteOnReflection
from handlers.wizards import WizardRules, declare

__all__ = ["build_conversation", "register"]

CONVERSATION_TIMEOUT: Final = 600
#: What buttons sent before the callback registry carried ("note:done:5"); old messages in
#: people's chats still have them.
LEGACY_PREFIX: Final = "note:"
CONVERSATION_NAME: Final = "notes"

_TEXT: Final = filters.TEXT & ~filters.COMMAND & filters.UpdateType.MESSAGE
_NOT_TEXT: Final = ~filters.TEXT & ~filters.COMMAND & filters.UpdateType.MESSAGE


async def legacy_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A press of a button from before the registry: answer it, change nothing."""
    t = await translator_for(update, context)
    await answer(update, t.gettext("This button is out of date. Send /notes or /note."))


def build_conversation() -> ConversationHandler[ContextTypes.DEFAULT_TYPE]:
    """The note wizard. Wizard buttons are entry points (they carry the draft id and need no
    conversation state), so they work in any state and after a restart that lost the state."""
    writing_text: list[BaseHandler[Update, ContextTypes.DEFAULT_TYPE, object]] = [
        MessageHandler(_TEXT, receive_body_part), MessageHandler(_NOT_TEXT, text_only)
    ]
    with warnings.catch_warnings():
        # Buttons are tracked per draft id in their data, not per message: the per_message
        # warning about CallbackQueryHandlers does not apply.
        warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
        return ConversationHandler(
            entry_points=[
                CommandHandler("note", note_command, filters.UpdateType.MESSAGE),
                CommandHandler("start", start_from_link,
                               filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE
                               & filters.Regex(rf"^/start(@\w+)?\s+{NOTE_DEEP_LINK}\s*$")),
                on_press(buttons.ContinueDraft, resume),
                on_press(buttons.StartNewNote, start_new),
                on_press(buttons.DiscardAndStartNew, start_fresh),
                on_press(buttons.DropEarlierDraft, drop_earlier),
                on_press(buttons.FinishText, done),
                on_press(buttons.ChooseSharing, choose_sharing),
                on_press(buttons.AddMoreText, add_more),
                on_press(buttons.SaveDraft, save),
                on_press(buttons.CancelDraft, cancel_press),
                on_press(buttons.DiscardDraft, discard),
                on_press(buttons.EditNote, edit_note),
                # Offered by handlers.reflections; starts this wizard about the post.
                on_press(NoteOnReflection, note_on_reflection),
            ],
            states={
                RANGES: [MessageHandler(_TEXT, receive_ranges),
                         MessageHandler(_NOT_TEXT, text_only)],
                BODY: writing_text,
                SHARE: writing_text,
                CONFIRM: writing_text,
                RESUME: [MessageHandler(_TEXT, receive_at_prompt),
                         MessageHandler(_NOT_TEXT, text_only)],
                ConversationHandler.TIMEOUT: [TypeHandler(Update, timed_out)],
            },
            fallbacks=[CommandHandler("cancel", cancel_command)],
            allow_reentry=True,
            name=CONVERSATION_NAME,
            persistent=True,
            conversation_timeout=CONVERSATION_TIMEOUT,
        )


def _stop_writing(context: ContextTypes.DEFAULT_TYPE) -> None:
    if context.user_data is not None:
        NotesMemory(context).stop_writing()


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    application.add_handler(build_conversation())
    declare(application, WizardRules(
        CONVERSATION_NAME,
        closed=N_("Note writing closed; nothing was sent to Quran.com. Send /note to go on."),
        hint=None,  # its steps answer stickers and photos themselves ("Notes are text only")
        # The next text then goes to no draft: it is not glued onto the closed note.
        on_close=_stop_writing,
    ))
    application.add_handler(CommandHandler("notes", notes_command, filters.UpdateType.MESSAGE))
    application.add_handler(on_press(buttons.RetrySave, retry))
    application.add_handler(on_press(buttons.OpenNote, open_note))
    application.add_handler(on_press(buttons.OpenListedNote, open_note))
    application.add_handler(on_press(buttons.AskDelete, ask_delete))
    application.add_handler(on_press(buttons.ConfirmDelete, delete_note))
    application.add_handler(on_press(buttons.KeepNote, keep_note))
    application.add_handler(on_press(buttons.AskPublish, ask_publish))
    application.add_handler(on_press(buttons.ConfirmPublish, confirm_publish))
    application.add_handler(on_press(buttons.DeclinePublish, decline_publish))
    application.add_handler(on_press(buttons.BackToList, back_to_list))
    application.add_handler(on_press(buttons.TurnPage, turn_page))
    application.add_handler(CallbackQueryHandler(legacy_button, rf"^{LEGACY_PREFIX}"))
