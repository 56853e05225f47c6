"""Notes on verse ranges: the /note wizard and one-liners, and /notes to browse, edit, delete and
share them.

The draft row (storage.DraftRepository) is the source of truth while a note is being written:
every collected message goes to the database at once, because PTB persistence is batched and a
crash must not lose a reflection. The conversation state only decides where the next text
message goes (verses or body); every wizard button carries the draft id and works from the row
alone, so buttons keep working after a restart that lost the conversation. A draft is deleted
only once Quran.com confirmed the save.

A draft is never overwritten: a /note that starts another note while one is unsaved keeps both
and asks which to go on with, and text typed while such a prompt waits for a button goes into a
draft rather than to the generic "not sure" reply.

Sharing a saved note to QuranReflect is public, so it is confirmed first and done once: the ids
of notes shared from here are remembered in user_data (the API does not say whether a note was
published).

Notes are personal: in groups the bot answers with a button to the private chat.
"""

from __future__ import annotations

import html
import logging
import warnings
from collections.abc import Sequence
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import MessageEntityType
from telegram.error import TelegramError
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

from bot.domain.notes import (
    NOTE_MAX_LENGTH,
    NOTE_MIN_LENGTH,
    add_part,
    characters_missing,
    note_length,
)
from bot.domain.verse_parsing import parse_verse_ranges, split_leading_ranges
from bot.domain.verses import VerseRange, VerseRangeError, range_keys
from bot.i18n import Translator
from bot.presentation.notes import (
    DISPLAY_CHUNK,
    describe_ranges,
    format_count,
    format_day,
    html_chunks,
    preview,
)
from bot.qf import (
    Note,
    NoteInput,
    NoteSaved,
    NotFound,
    NotLinked,
    QFError,
    UserSession,
)
from bot.services.deps import Deps, deps_of
from bot.services.notes import find_saved_copy, newest_first
from handlers.context import translator_for
from handlers.replies import (
    is_private,
    private_chat_url,
    reply_upstream_error,
    send,
    session_for,
    timezone_for,
)
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

# Draft statuses (the step a draft reached; "edit" drafts replace an existing note's text).
STATUS_RANGES: Final = "ranges"
STATUS_BODY: Final = "body"
STATUS_SHARE: Final = "share"
STATUS_CONFIRM: Final = "confirm"
STATUS_SAVING: Final = "saving"
STATUS_FAILED: Final = "failed"
STATUS_EDIT: Final = "edit"

#: `t.me/<bot>?start=note`: opens the private chat from a group, ready to write.
NOTE_DEEP_LINK: Final = "note"
PREFIX: Final = "note"
CONVERSATION_TIMEOUT: Final = 600
#: Notes per page in /notes.
PAGE_SIZE: Final = 5
#: Telegram's callback_data limit, in bytes.
_CALLBACK_LIMIT: Final = 64

# user_data keys (JSON-serialisable values only: user_data is persisted as JSON).
_DRAFT_KEY: Final = "note_draft"  # int: the draft the next text message belongs to
_STATUS_KEY: Final = "note_status_message"  # int: the live "1,234 / 10,000" message
_EDITS_KEY: Final = "note_edits"  # {str(draft id): note id} for drafts that replace a note
_PAGES_KEY: Final = "note_pages"  # [cursor | None, ...]: /notes page i starts at pages[i]
_QUERY_KEY: Final = "note_query"  # [range key, ...] of the last `/notes 2:255`
_REFS_KEY: Final = "note_refs"  # {"~n": note id} for ids too long for callback_data
_SHARED_KEY: Final = "note_shared"  # [note id, ...] shared to QuranReflect from this bot
#: Shared ids remembered per user; the oldest are forgotten first (a re-share of a note that
#: old is then possible again, which is far better than growing user_data without bound).
MAX_REMEMBERED_SHARES: Final = 500

_TEXT: Final = filters.TEXT & ~filters.COMMAND & filters.UpdateType.MESSAGE
_NOT_TEXT: Final = ~filters.TEXT & ~filters.COMMAND & filters.UpdateType.MESSAGE


# ---------------------------------------------------------------------------------------------
# Small helpers


def _user_data(context: ContextTypes.DEFAULT_TYPE) -> dict[Any, Any]:
    data = context.user_data
    if data is None:  # only updates without a user lack it; every handler here has one
        raise RuntimeError("notes handlers need user_data")
    return data


def _user_id(update: Update) -> int:
    user = update.effective_user
    if user is None:
        raise RuntimeError("notes handlers need an update with a user")
    return user.id


def _button(label: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data)


def _callback_argument(update: Update) -> str:
    """The last `:`-separated part of the pressed button's data."""
    query = update.callback_query
    data = query.data if query is not None and isinstance(query.data, str) else ""
    return data.rsplit(":", 1)[-1]


def _int_argument(update: Update) -> int | None:
    value = _callback_argument(update)
    return int(value) if value.isdecimal() else None


def _command_argument(message: Message) -> str:
    """What follows `/note` (or `/note@Bot`), line breaks kept: a multi-line note stays one."""
    text = message.text or ""
    entities = message.entities
    if entities and entities[0].type == MessageEntityType.BOT_COMMAND and entities[0].offset == 0:
        command = message.parse_entity(entities[0])
        return text[len(command):].strip()
    return text.partition(" ")[2].strip()


def _replied_text(message: Message) -> str:
    replied = message.reply_to_message
    if replied is None:
        return ""
    return (replied.text or replied.caption or "").strip()


def _ranges_label(t: Translator, keys: Sequence[str]) -> str:
    return html.escape(t.isolate(describe_ranges(keys, t)))


def _characters(t: Translator, count: int) -> str:
    return t.gettext(
        "{count} / {limit} characters",
        count=format_count(t, count),
        limit=format_count(t, NOTE_MAX_LENGTH),
    )


def _note_ref(context: ContextTypes.DEFAULT_TYPE, note_id: str) -> str:
    """A callback-safe reference to a note: its id, or a short key when the id is too long.

    QF ids are cuids today (25 characters), but callback_data is capped at 64 bytes, and a
    longer id must not make Telegram reject the whole keyboard.
    """
    # The longest data a ref goes into: an opened note's "back to the list" source.
    if ":" not in note_id and len(f"{PREFIX}:open:{note_id}:v999999".encode()) <= _CALLBACK_LIMIT:
        return note_id
    refs: dict[str, str] = _user_data(context).setdefault(_REFS_KEY, {})
    for key, value in refs.items():
        if value == note_id:
            return key
    key = f"~{len(refs)}"
    refs[key] = note_id
    return key


def _resolve_ref(context: ContextTypes.DEFAULT_TYPE, ref: str) -> str | None:
    if not ref.startswith("~"):
        return ref or None
    value = _user_data(context).get(_REFS_KEY, {}).get(ref)
    return value if isinstance(value, str) else None


def _edited_note_id(context: ContextTypes.DEFAULT_TYPE, draft: NoteDraft) -> str | None:
    value = _user_data(context).get(_EDITS_KEY, {}).get(str(draft.id))
    return value if isinstance(value, str) else None


def _forget_draft(context: ContextTypes.DEFAULT_TYPE, draft_id: int) -> None:
    data = _user_data(context)
    if data.get(_DRAFT_KEY) == draft_id:
        data.pop(_DRAFT_KEY, None)
    edits = data.get(_EDITS_KEY)
    if isinstance(edits, dict):
        edits.pop(str(draft_id), None)


def _shared_ids(context: ContextTypes.DEFAULT_TYPE) -> list[str]:
    value = _user_data(context).get(_SHARED_KEY)
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _remember_shared(context: ContextTypes.DEFAULT_TYPE, note_id: str) -> None:
    shared = [item for item in _shared_ids(context) if item != note_id]
    shared.append(note_id)
    _user_data(context)[_SHARED_KEY] = shared[-MAX_REMEMBERED_SHARES:]


def _forget_shared(context: ContextTypes.DEFAULT_TYPE, note_id: str) -> None:
    if note_id in _shared_ids(context):
        _user_data(context)[_SHARED_KEY] = [
            item for item in _shared_ids(context) if item != note_id
        ]


async def _own_draft(deps: Deps, user_id: int, draft_id: int | None) -> NoteDraft | None:
    """The draft, if it exists and belongs to `user_id` (buttons can be forged)."""
    if draft_id is None:
        return None
    draft = await deps.drafts.get(draft_id)
    return draft if draft is not None and draft.telegram_user_id == user_id else None


async def _current_draft(
    context: ContextTypes.DEFAULT_TYPE, deps: Deps, user_id: int
) -> NoteDraft | None:
    """The draft the next text message belongs to.

    Only user_data says which: it is persisted together with the conversation state, so when
    a text step runs at all, the key is there. Guessing "the latest draft" could pick up an
    unrelated older one.
    """
    stored = _user_data(context).get(_DRAFT_KEY)
    return await _own_draft(deps, user_id, stored if isinstance(stored, int) else None)


async def _unsaved_draft(
    context: ContextTypes.DEFAULT_TYPE, deps: Deps, user_id: int
) -> NoteDraft | None:
    """The user's latest draft that holds text: what a new note must not push aside unasked.

    Drafts without text (verses chosen, nothing written yet) hold nothing worth a question;
    they are dropped here, as Cancel drops them.
    """
    for _ in range(10):  # bounded: each round deletes one row
        draft = await deps.drafts.latest_for_user(user_id)
        if draft is None or draft.body.strip():
            return draft
        await deps.drafts.delete(draft.id)
        _forget_draft(context, draft.id)
    return await deps.drafts.latest_for_user(user_id)


async def _save_draft(
    deps: Deps, update: Update, draft: NoteDraft | None = None, **changes: Any
) -> NoteDraft:
    """Write the draft row now (not at the next persistence flush)."""
    user_id = _user_id(update)
    fields: dict[str, Any] = {
        "ranges": draft.ranges if draft else (),
        "body": draft.body if draft else "",
        "save_to_qr": draft.save_to_qr if draft else False,
        "status": draft.status if draft else STATUS_BODY,
    }
    fields.update(changes)
    return await deps.drafts.save(
        telegram_user_id=user_id,
        chat_id=user_id,  # notes are written in the private chat, whose id is the user's
        draft_id=draft.id if draft else None,
        **fields,
    )


async def _zone_for(update: Update, deps: Deps) -> ZoneInfo:
    name = await timezone_for(update, deps)
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


async def _answer(update: Update, text: str | None = None, *, alert: bool = False) -> None:
    query = update.callback_query
    if query is not None:
        await query.answer(text, show_alert=alert)


async def _private_only(update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator) -> None:
    """Notes are personal: a group gets a button to the private chat instead."""
    markup = InlineKeyboardMarkup(
        [[InlineKeyboardButton(t.gettext("📝 Open our private chat"),
                               url=private_chat_url(context, NOTE_DEEP_LINK))]]
    )
    await send(
        update,
        context,
        t.gettext("Notes are personal, so I write them with you in our private chat."),
        markup,
    )


# ---------------------------------------------------------------------------------------------
# Wizard screens


def _ask_ranges_text(t: Translator, draft: NoteDraft | None, notice: str | None) -> str:
    text = notice + "\n\n" if notice else ""
    text += t.gettext(
        "Which verses is your note about? For example <code>2:255</code>, "
        "<code>2:255-257</code> or <code>Al-Mulk 1-5</code>."
    )
    if draft is not None and draft.body:
        length = note_length(draft.body)
        text += "\n" + t.ngettext(
            "I kept your text ({n} character).", "I kept your text ({n} characters).",
            length, n=format_count(t, length),
        )
    return text


async def _ask_ranges(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, draft: NoteDraft | None,
    *, edit: bool = False, notice: str | None = None,
) -> Step:
    _user_data(context)[_DRAFT_KEY] = draft.id if draft is not None else None
    markup = InlineKeyboardMarkup(  # draft 0: none yet, so Cancel has nothing to keep
        [[_button(t.gettext("✖️ Cancel"), f"{PREFIX}:cancel:{draft.id if draft else 0}")]]
    )
    await send(update, context, _ask_ranges_text(t, draft, notice), markup, edit=edit)
    return RANGES


def _body_screen(
    t: Translator, draft: NoteDraft, *, editing: bool, notice: str | None = None
) -> tuple[str, InlineKeyboardMarkup]:
    ranges = _ranges_label(t, draft.ranges)
    if editing:
        title = t.gettext("<b>New text for your note on {ranges}</b>", ranges=ranges)
    else:
        title = t.gettext("<b>Note on {ranges}</b>", ranges=ranges)
    lines = [title, _characters(t, note_length(draft.body))]
    if notice:
        lines += ["", notice]
    if not draft.body:
        lines += [
            "",
            t.gettext(
                "Send your text. A long note can take several messages (up to {limit} "
                "characters in all); press Done when you have finished.",
                limit=format_count(t, NOTE_MAX_LENGTH),
            ),
        ]
        if editing:
            lines.append(t.gettext("It replaces the note's current text."))
    else:
        lines += ["", t.gettext("Send more text, or press Done when you have finished.")]
    markup = InlineKeyboardMarkup(
        [[_button(t.gettext("✅ Done"), f"{PREFIX}:done:{draft.id}"),
          _button(t.gettext("✖️ Cancel"), f"{PREFIX}:cancel:{draft.id}")]]
    )
    return "\n".join(lines), markup


async def _show_body_status(
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
    text, markup = _body_screen(t, draft, editing=_edited_note_id(context, draft) is not None,
                                notice=notice)
    data = _user_data(context)
    if in_place is None:
        in_place = update.callback_query is not None
    if in_place:
        message = await send(update, context, text, markup, edit=True)
    else:
        previous = data.get(_STATUS_KEY)
        chat = update.effective_chat
        if isinstance(previous, int) and chat is not None:
            try:
                await context.bot.delete_message(chat.id, previous)
            except TelegramError:
                logger.debug("old note status message %s already gone", previous)
        message = await send(update, context, text, markup)
    if message is not None:
        data[_STATUS_KEY] = message.message_id
    return BODY


async def _show_share_choice(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, draft: NoteDraft
) -> Step:
    length = note_length(draft.body)
    text = "\n".join([
        t.ngettext("Your note on {ranges} is ready ({n} character).",
                   "Your note on {ranges} is ready ({n} characters).",
                   length, n=format_count(t, length), ranges=_ranges_label(t, draft.ranges)),
        t.gettext("Keep it private, or also share it publicly on QuranReflect?"),
    ])
    markup = InlineKeyboardMarkup([
        [_button(t.gettext("🔒 Keep private"), f"{PREFIX}:share:{draft.id}:0")],
        [_button(t.gettext("🌍 Also share to QuranReflect"), f"{PREFIX}:share:{draft.id}:1")],
        [_button(t.gettext("✖️ Cancel"), f"{PREFIX}:cancel:{draft.id}")],
    ])
    await send(update, context, text, markup, edit=True)
    return SHARE


async def _show_confirm(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, draft: NoteDraft
) -> Step:
    visibility = (
        t.gettext("shared to QuranReflect") if draft.save_to_qr else t.gettext("private")
    )
    length = note_length(draft.body)
    text = "\n".join([
        t.gettext("<b>Save this note?</b>"),
        t.ngettext("{ranges} · {n} character · {visibility}",
                   "{ranges} · {n} characters · {visibility}",
                   length, n=format_count(t, length), ranges=_ranges_label(t, draft.ranges),
                   visibility=visibility),
        "",
        f"<i>{html.escape(preview(draft.body, 300))}</i>",
    ])
    markup = InlineKeyboardMarkup([
        [_button(t.gettext("✅ Save"), f"{PREFIX}:save:{draft.id}")],
        [_button(t.gettext("✏️ Add more text"), f"{PREFIX}:more:{draft.id}"),
         _button(t.gettext("✖️ Cancel"), f"{PREFIX}:cancel:{draft.id}")],
    ])
    await send(update, context, text, markup, edit=True)
    return CONFIRM


def _step_of(context: ContextTypes.DEFAULT_TYPE, draft: NoteDraft) -> Step:
    """The conversation state where `draft`'s next text message belongs."""
    if not draft.ranges:
        return RANGES
    if _edited_note_id(context, draft) is not None or draft.status in (STATUS_BODY, STATUS_EDIT):
        return BODY
    return SHARE if draft.status == STATUS_SHARE else CONFIRM


async def _continue_draft(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, draft: NoteDraft
) -> Step:
    """Pick a draft up at the step it had reached."""
    _user_data(context)[_DRAFT_KEY] = draft.id
    if not draft.ranges:
        return await _ask_ranges(update, context, t, draft, edit=True)
    if _edited_note_id(context, draft) is not None or draft.status in (STATUS_BODY, STATUS_EDIT):
        return await _show_body_status(update, context, t, draft)
    if draft.status == STATUS_SHARE:
        return await _show_share_choice(update, context, t, draft)
    return await _show_confirm(update, context, t, draft)


# ---------------------------------------------------------------------------------------------
# /note


async def note_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Step:
    """`/note`, `/note 2:255`, `/note 2:255-257 my reflection`, or `/note 2:255` as a reply."""
    message = update.effective_message
    if message is None:
        return END
    deps = deps_of(context)
    t = await translator_for(update, context)
    user_id = _user_id(update)
    argument = _command_argument(message)
    try:
        ranges, body = split_leading_ranges(argument) if argument else ([], "")
    except VerseRangeError as error:
        await send(update, context, error.describe(t) + "\n" + t.gettext(
            "Send it again with the right verses, e.g. <code>/note 2:255 your reflection</code>."
        ))
        return END
    body = body or _replied_text(message)

    if not is_private(update):
        await _keep_for_later(deps, update, ranges, body)  # continued in the private chat
        await _private_only(update, context, t)
        return END

    if await deps.accounts.get(user_id) is None:
        # Said before someone writes 10,000 characters; whatever they typed already waits.
        await _keep_for_later(deps, update, ranges, body)
        await reply_upstream_error(update, context, t, NotLinked())
        return END

    if not ranges and not body:
        draft = await deps.drafts.latest_for_user(user_id)
        if draft is not None:
            return await _offer_resume(update, context, t, draft)
        return await _ask_ranges(update, context, t, None)

    earlier = await _unsaved_draft(context, deps, user_id)
    keys = range_keys(ranges)
    if keys and body and not characters_missing(body):
        # The one-liner: verses and text in one message, saved privately at once. It gets a
        # row of its own, so an unsaved earlier draft stays exactly as it was, and so does
        # the wizard that was writing it.
        draft = await _save_draft(deps, update, ranges=keys, body=body, status=STATUS_CONFIRM)
        await _store_note(update, context, t, draft,
                          footer=_earlier_kept_notice(t) if earlier else None)
        if earlier is not None and _user_data(context).get(_DRAFT_KEY) == earlier.id:
            return _step_of(context, earlier)
        return END
    if not keys:
        draft = await _save_draft(deps, update, body=body, status=STATUS_RANGES)
    else:
        draft = await _save_draft(deps, update, ranges=keys, body=body, status=STATUS_BODY)
    if earlier is not None:
        return await _offer_choice(update, context, t, earlier, draft)
    if not keys:
        return await _ask_ranges(update, context, t, draft)
    _user_data(context)[_DRAFT_KEY] = draft.id
    notice = _too_short_notice(t, body) if body else None
    return await _show_body_status(update, context, t, draft, notice=notice)


def _earlier_kept_notice(t: Translator) -> str:
    return t.gettext("Your earlier unsaved draft is kept: send /note to continue it.")


async def _keep_for_later(
    deps: Deps, update: Update, ranges: Sequence[VerseRange], body: str
) -> None:
    """Store what a /note that cannot go on here carried, for the next /note in private."""
    if ranges or body:
        await _save_draft(deps, update, ranges=range_keys(ranges), body=body,
                          status=STATUS_BODY if ranges else STATUS_RANGES)


def _too_short_notice(t: Translator, body: str) -> str:
    return t.ngettext(
        "A note needs at least {minimum} characters: add {n} more.",
        "A note needs at least {minimum} characters: add {n} more.",
        characters_missing(body),
        minimum=format_count(t, NOTE_MIN_LENGTH),
    )


def _continue_label(t: Translator, draft: NoteDraft) -> str:
    length = note_length(draft.body)
    count = format_count(t, length)
    if draft.ranges:
        return t.ngettext("Continue your draft ({n} character on {ranges})",
                          "Continue your draft ({n} characters on {ranges})",
                          length, n=count, ranges=t.isolate(describe_ranges(draft.ranges, t)))
    return t.ngettext("Continue your draft ({n} character)",
                      "Continue your draft ({n} characters)", length, n=count)


async def _offer_resume(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, draft: NoteDraft
) -> Step:
    """Continue or discard the unsaved draft; text typed meanwhile continues it."""
    _user_data(context)[_DRAFT_KEY] = draft.id
    if _edited_note_id(context, draft) is not None:
        text = t.gettext("You were changing the text of a note and have not saved it yet.")
    else:
        text = t.gettext("You have a note you have not saved yet.")
    text += "\n" + t.gettext("Anything you type now is added to it.")
    markup = InlineKeyboardMarkup([
        [_button(_continue_label(t, draft), f"{PREFIX}:resume:{draft.id}")],
        [_button(t.gettext("🗑 Discard it and start a new note"), f"{PREFIX}:fresh:{draft.id}")],
    ])
    await send(update, context, text, markup)
    return RESUME


async def _offer_choice(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator,
    earlier: NoteDraft, new: NoteDraft,
) -> Step:
    """A new note was started while `earlier` is unsaved: both are kept, the user picks.

    Text typed before choosing goes into the new note, the one just started.
    """
    _user_data(context)[_DRAFT_KEY] = new.id
    text = "\n".join([
        t.gettext("You already have a note you have not saved yet, so I kept what you just "
                  "sent as a separate draft. Nothing is lost."),
        t.gettext("Which one do you want to go on with? Anything you type now goes into the "
                  "new note."),
    ])
    markup = InlineKeyboardMarkup([
        [_button(_continue_label(t, earlier), f"{PREFIX}:resume:{earlier.id}")],
        [_button(t.gettext("📝 Go on with the new note"), f"{PREFIX}:resume:{new.id}")],
        [_button(t.gettext("🗑 Discard the earlier draft"),
                 f"{PREFIX}:swap:{earlier.id}:{new.id}")],
    ])
    await send(update, context, text, markup)
    return RESUME


async def start_from_link(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Step:
    """`/start note` from the group button: continue a draft written there, or start one."""
    t = await translator_for(update, context)
    draft = await deps_of(context).drafts.latest_for_user(_user_id(update))
    if draft is not None:
        return await _offer_resume(update, context, t, draft)
    return await _ask_ranges(update, context, t, None)


# ---------------------------------------------------------------------------------------------
# Wizard steps


async def receive_ranges(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Step | None:
    message = update.effective_message
    if message is None or not message.text:
        return None
    deps = deps_of(context)
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
    draft = await _current_draft(context, deps, _user_id(update))
    notice = None
    body = draft.body if draft else ""
    if rest:
        added = add_part(body, rest)
        body = added.body
        if not added.accepted:
            notice = _overflow_notice(t, added.over_by, added.room)
    draft = await _save_draft(deps, update, draft, ranges=range_keys(ranges), body=body,
                              status=STATUS_BODY)
    _user_data(context)[_DRAFT_KEY] = draft.id
    return await _show_body_status(update, context, t, draft, notice=notice)


def _overflow_notice(t: Translator, over_by: int, room: int) -> str:
    # Two sentences, one count each, so each count takes its own plural form.
    refused = t.ngettext(
        "⚠️ That message would take your note {n} character past the {limit}-character "
        "limit, so I did not add it.",
        "⚠️ That message would take your note {n} characters past the {limit}-character "
        "limit, so I did not add it.",
        over_by,
        n=format_count(t, over_by),
        limit=format_count(t, NOTE_MAX_LENGTH),
    )
    advice = t.ngettext(
        "Your text so far is kept; send a shorter part (up to {n} character) or press Done.",
        "Your text so far is kept; send a shorter part (up to {n} characters) or press Done.",
        room,
        n=format_count(t, room),
    )
    return f"{refused} {advice}"


async def receive_body_part(
    update: Update, context: ContextTypes.DEFAULT_TYPE
) -> Step | None:
    """One more message of the note: stored at once, then the running count."""
    message = update.effective_message
    if message is None or not message.text:
        return None
    deps = deps_of(context)
    t = await translator_for(update, context)
    draft = await _current_draft(context, deps, _user_id(update))
    if draft is None:
        await send(update, context, t.gettext(
            "I could not find your draft. Send /note to start a new note."))
        return END
    added = add_part(draft.body, message.text)
    notice = None
    if added.accepted:
        status = STATUS_EDIT if draft.status == STATUS_EDIT else STATUS_BODY
        draft = await _save_draft(deps, update, draft, body=added.body, status=status)
    else:
        notice = _overflow_notice(t, added.over_by, added.room)
    if not draft.ranges:
        return await _ask_ranges(update, context, t, draft)
    return await _show_body_status(update, context, t, draft, notice=notice)


async def text_only(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    t = await translator_for(update, context)
    await send(update, context, t.gettext(
        "Notes are text only: send your reflection as a text message."))


async def _pressed_draft(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, draft_id: int | None
) -> NoteDraft | None:
    """The draft a wizard button refers to, or None (and the user told) when it is gone."""
    if not await _in_private(update, t):
        return None
    draft = await _own_draft(deps_of(context), _user_id(update), draft_id)
    if draft is None:
        # Only a notice: a double-pressed Save must not overwrite its own "Saved" message.
        await _answer(update, t.gettext(
            "That draft no longer exists: it was saved or discarded."))
        return None
    await _answer(update)
    _user_data(context)[_DRAFT_KEY] = draft.id
    return draft


def _draft_id_at(update: Update, index: int) -> int | None:
    """The draft id at position `index` of `note:<action>:<id>[:<more>]`."""
    query = update.callback_query
    parts = (query.data if query and isinstance(query.data, str) else "").split(":")
    if len(parts) <= index or not parts[index].isdecimal():
        return None
    return int(parts[index])


async def resume(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Step:
    t = await translator_for(update, context)
    draft = await _pressed_draft(update, context, t, _draft_id_at(update, 2))
    if draft is None:
        return END
    return await _continue_draft(update, context, t, draft)


async def start_fresh(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Step:
    t = await translator_for(update, context)
    draft = await _pressed_draft(update, context, t, _draft_id_at(update, 2))
    if draft is None:
        return END
    await deps_of(context).drafts.delete(draft.id)
    _forget_draft(context, draft.id)
    return await _ask_ranges(update, context, t, None, edit=True)


async def drop_earlier(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Step:
    """"Discard the earlier draft" (`note:swap:<earlier>:<new>`): go on with the new one."""
    t = await translator_for(update, context)
    draft = await _pressed_draft(update, context, t, _draft_id_at(update, 3))
    if draft is None:
        return END
    deps = deps_of(context)
    earlier = await _own_draft(deps, _user_id(update), _draft_id_at(update, 2))
    if earlier is not None and earlier.id != draft.id:
        await deps.drafts.delete(earlier.id)
        _forget_draft(context, earlier.id)
    return await _continue_draft(update, context, t, draft)


async def receive_at_prompt(
    update: Update, context: ContextTypes.DEFAULT_TYPE
) -> Step | None:
    """Text typed while a draft prompt waits for a button goes into the draft the prompt said
    it would (rather than to the generic "not sure" reply): typing is taken as going on."""
    message = update.effective_message
    if message is None or not message.text:
        return None
    deps = deps_of(context)
    t = await translator_for(update, context)
    draft = await _current_draft(context, deps, _user_id(update))
    if draft is None:  # the prompt's draft was saved or discarded meanwhile: a new note
        draft = await _save_draft(deps, update, body="", status=STATUS_RANGES)
    ranges: list[VerseRange] = []
    text = message.text
    notice = None
    if not draft.ranges:
        # At the verses step verses are welcome, and so is text: it is kept for the note.
        try:
            ranges, rest = split_leading_ranges(message.text, strict=False)
        except VerseRangeError as error:
            notice = error.describe(t)
        else:
            text = rest if ranges else message.text
    added = add_part(draft.body, text) if text else None
    body = added.body if added is not None else draft.body
    if added is not None and not added.accepted:
        notice = _overflow_notice(t, added.over_by, added.room)
    keys = range_keys(ranges) if ranges else list(draft.ranges)
    status = STATUS_EDIT if draft.status == STATUS_EDIT else STATUS_BODY
    draft = await _save_draft(deps, update, draft, ranges=keys, body=body,
                              status=status if keys else STATUS_RANGES)
    _user_data(context)[_DRAFT_KEY] = draft.id
    if not draft.ranges:
        return await _ask_ranges(update, context, t, draft, notice=notice)
    if notice is None and added is not None:
        notice = t.gettext("Added to your draft.")
    return await _show_body_status(update, context, t, draft, notice=notice)


async def done(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Step:
    t = await translator_for(update, context)
    draft = await _pressed_draft(update, context, t, _draft_id_at(update, 2))
    if draft is None:
        return END
    if not draft.ranges:
        return await _ask_ranges(update, context, t, draft, edit=True)
    if characters_missing(draft.body):
        return await _show_body_status(update, context, t, draft,
                                       notice=_too_short_notice(t, draft.body))
    note_id = _edited_note_id(context, draft)
    if note_id is not None:
        replaced = await _replace_text(update, context, t, draft, note_id)
        # Not replaced: the text waits as a draft, and more typed text still joins it.
        return END if replaced else CONFIRM
    draft = await _save_draft(deps_of(context), update, draft, status=STATUS_SHARE)
    return await _show_share_choice(update, context, t, draft)


async def choose_sharing(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Step:
    t = await translator_for(update, context)
    draft = await _pressed_draft(update, context, t, _draft_id_at(update, 2))
    if draft is None:
        return END
    share = _callback_argument(update) == "1"
    draft = await _save_draft(deps_of(context), update, draft, save_to_qr=share,
                              status=STATUS_CONFIRM)
    return await _show_confirm(update, context, t, draft)


async def add_more(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Step:
    t = await translator_for(update, context)
    draft = await _pressed_draft(update, context, t, _draft_id_at(update, 2))
    if draft is None:
        return END
    draft = await _save_draft(deps_of(context), update, draft, status=STATUS_BODY)
    return await _show_body_status(update, context, t, draft)


async def save(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Step:
    t = await translator_for(update, context)
    draft = await _pressed_draft(update, context, t, _draft_id_at(update, 2))
    if draft is None:
        return END
    await _store_note(update, context, t, draft, edit=True)
    return END


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Step:
    """Stop the wizard. The draft stays (offered again at the next /note) unless discarded."""
    t = await translator_for(update, context)
    if not await _in_private(update, t):
        return END
    deps = deps_of(context)
    await _answer(update)
    user_id = _user_id(update)
    if update.callback_query is not None:
        draft = await _own_draft(deps, user_id, _draft_id_at(update, 2))
    else:
        stored = _user_data(context).get(_DRAFT_KEY)
        draft = await _own_draft(deps, user_id, stored if isinstance(stored, int) else None)
    _user_data(context).pop(_DRAFT_KEY, None)
    _user_data(context).pop(_STATUS_KEY, None)
    if draft is None or not draft.body.strip():
        if draft is not None:  # nothing typed yet: nothing worth keeping
            await deps.drafts.delete(draft.id)
            _forget_draft(context, draft.id)
        await send(update, context, t.gettext("Cancelled."), edit=True)
        return END
    length = note_length(draft.body)
    text = t.ngettext(
        "Stopped. Your draft ({n} character) is kept: send /note to continue it.",
        "Stopped. Your draft ({n} characters) is kept: send /note to continue it.",
        length, n=format_count(t, length),
    )
    markup = InlineKeyboardMarkup(
        [[_button(t.gettext("🗑 Discard draft"), f"{PREFIX}:discard:{draft.id}")]]
    )
    await send(update, context, text, markup, edit=True)
    return END


async def discard(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Step:
    t = await translator_for(update, context)
    draft = await _pressed_draft(update, context, t, _draft_id_at(update, 2))
    if draft is None:
        return END
    await deps_of(context).drafts.delete(draft.id)
    _forget_draft(context, draft.id)
    await send(update, context, t.gettext("Draft discarded."), edit=True)
    return END


async def timed_out(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    t = await translator_for(update, context)
    await context.bot.send_message(
        update.effective_chat.id,
        t.gettext("I have put your note aside as a draft. Send /note when you want to go on."),
    )


# ---------------------------------------------------------------------------------------------
# Saving (create and replace) and retrying


def _retry_markup(t: Translator, draft: NoteDraft) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(t.gettext("🔁 Retry"), f"{PREFIX}:retry:{draft.id}")]])


async def _create(session: UserSession, draft: NoteDraft, *, maybe_sent: bool) -> NoteSaved:
    """Create the note; if an earlier attempt may have reached Quran.com, look first.

    `create_note` reconciles a lost answer within one call. Across calls (the retry button, a
    restart mid-request) only the draft knows an attempt happened, so the lookup is done here.
    """
    if maybe_sent and draft.ranges:
        start, _, end = draft.ranges[0].partition("-")
        existing = find_saved_copy(
            await session.notes_by_range(start, end or start), draft.body, draft.ranges
        )
        if existing is not None:
            logger.info("draft %s had been saved already; not sending it again", draft.id)
            return NoteSaved(note=existing)
    return await session.create_note(
        NoteInput(body=draft.body, ranges=list(draft.ranges), save_to_qr=draft.save_to_qr)
    )


async def _store_note(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, draft: NoteDraft,
    *, edit: bool = False, footer: str | None = None,
) -> None:
    deps = deps_of(context)
    maybe_sent = draft.status in (STATUS_SAVING, STATUS_FAILED)
    await deps.drafts.set_status(draft.id, STATUS_SAVING)
    try:
        session = await session_for(update, deps)
        saved = await _create(session, draft, maybe_sent=maybe_sent)
    except QFError as error:
        await deps.drafts.set_status(draft.id, STATUS_FAILED)
        await reply_upstream_error(update, context, t, error,
                                   retry_markup=_retry_markup(t, draft))
        return
    await deps.drafts.delete(draft.id)
    if _user_data(context).get(_DRAFT_KEY) in (None, draft.id):
        # The live status message was this draft's; another draft's (a one-liner saved while
        # the wizard writes an earlier one) must stay known, to be replaced at its next count.
        _user_data(context).pop(_STATUS_KEY, None)
    _forget_draft(context, draft.id)
    await _report_saved(update, context, t, saved, shared=draft.save_to_qr, edit=edit,
                        footer=footer)


async def _report_saved(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, saved: NoteSaved,
    *, shared: bool, edit: bool, footer: str | None = None,
) -> None:
    note = saved.note
    ref = _note_ref(context, note.id)
    ranges = _ranges_label(t, note.ranges)
    length = note_length(note.body)
    count = format_count(t, length)
    open_button = _button(t.gettext("📖 Open"), f"{PREFIX}:open:{ref}")
    publish_button = _button(t.gettext("🌍 Share to QuranReflect"), f"{PREFIX}:pub:{ref}")
    if saved.shared_failed:
        text = t.gettext(
            "✅ Saved your note on {ranges} to Quran.com, but sharing to QuranReflect failed — "
            "try Publish later.", ranges=ranges)
        rows = [[_button(t.gettext("🌍 Publish to QuranReflect"), f"{PREFIX}:pub:{ref}")],
                [open_button]]
    elif shared:
        _remember_shared(context, note.id)
        text = t.ngettext("✅ Saved your note on {ranges} ({n} character) and shared it "
                          "to QuranReflect.",
                          "✅ Saved your note on {ranges} ({n} characters) and shared it "
                          "to QuranReflect.", length, n=count, ranges=ranges)
        rows = [[open_button]]
    else:
        text = t.ngettext("✅ Saved your note on {ranges} ({n} character) to Quran.com.",
                          "✅ Saved your note on {ranges} ({n} characters) to Quran.com.",
                          length, n=count, ranges=ranges)
        rows = [[open_button, publish_button]]
    if footer:
        text += "\n\n" + footer
    await send(update, context, text, InlineKeyboardMarkup(rows), edit=edit)


async def _replace_text(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, draft: NoteDraft,
    note_id: str,
) -> bool:
    """PATCH the note's body (idempotent, so a retry simply sends it again); True when done."""
    deps = deps_of(context)
    try:
        session = await session_for(update, deps)
        note = await session.update_note(note_id, draft.body)
    except NotFound:
        # Deleted elsewhere meanwhile: the new text becomes a fresh note rather than vanishing.
        _forget_draft(context, draft.id)
        draft = await _save_draft(deps, update, draft, status=STATUS_CONFIRM)
        _user_data(context)[_DRAFT_KEY] = draft.id
        await send(update, context, t.gettext(
            "That note no longer exists on Quran.com, so your new text is kept as a draft. "
            "Save it as a new note?"), InlineKeyboardMarkup(
            [[_button(t.gettext("✅ Save as a new note"), f"{PREFIX}:save:{draft.id}")],
             [_button(t.gettext("🗑 Discard"), f"{PREFIX}:discard:{draft.id}")]]), edit=True)
        return False
    except QFError as error:
        await reply_upstream_error(update, context, t, error,
                                   retry_markup=_retry_markup(t, draft))
        return False
    await deps.drafts.delete(draft.id)
    _forget_draft(context, draft.id)
    _user_data(context).pop(_STATUS_KEY, None)
    ref = _note_ref(context, note.id)
    length = note_length(note.body)
    await send(update, context, t.ngettext(
        "✅ Updated your note on {ranges} ({n} character).",
        "✅ Updated your note on {ranges} ({n} characters).",
        length, n=format_count(t, length),
        ranges=_ranges_label(t, note.ranges or list(draft.ranges))),
        InlineKeyboardMarkup([[_button(t.gettext("📖 Open"), f"{PREFIX}:open:{ref}")]]),
        edit=True)
    return True


async def retry(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Re-send a stored draft after a failure; never a second copy (see `_create`)."""
    t = await translator_for(update, context)
    if not await _in_private(update, t):
        return
    draft = await _own_draft(deps_of(context), _user_id(update), _int_argument(update))
    if draft is None:  # a notice only: the pressed message may already say "Saved"
        await _answer(update, t.gettext(
            "Nothing to retry: that note was already saved or discarded."))
        return
    await _answer(update)
    note_id = _edited_note_id(context, draft)
    if note_id is not None:
        await _replace_text(update, context, t, draft, note_id)
    else:
        await _store_note(update, context, t, draft, edit=True)


# ---------------------------------------------------------------------------------------------
# /notes: browse, open, edit, delete, publish


async def _in_private(update: Update, t: Translator) -> bool:
    if is_private(update):
        return True
    await _answer(update, t.gettext("Notes open only in our private chat."), alert=True)
    return False


async def notes_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/notes` (newest first, pages) or `/notes 2:255` / `/notes 2:255-260`."""
    message = update.effective_message
    if message is None:
        return
    t = await translator_for(update, context)
    if not is_private(update):
        await _private_only(update, context, t)
        return
    argument = _command_argument(message)
    if argument:
        try:
            ranges = parse_verse_ranges(argument)
        except VerseRangeError as error:
            await send(update, context, error.describe(t))
            return
        _user_data(context)[_QUERY_KEY] = range_keys(ranges)
        await _show_verse_notes(update, context, t, 0)
        return
    _user_data(context)[_PAGES_KEY] = [None]
    await _show_page(update, context, t, 0)


def _list_lines(
    t: Translator, notes: Sequence[Note], zone: ZoneInfo, first_number: int
) -> list[str]:
    lines: list[str] = []
    for number, note in enumerate(notes, start=first_number):
        day = format_day(t, note.created_at.astimezone(zone).date())
        # Aligned so that in Arabic the number, verses and date read right to left; the
        # preview below keeps the direction of whatever language the note is written in.
        lines.append(t.align(f"<b>{t.number(number)}.</b> {_ranges_label(t, note.ranges)} · {day}"))
        lines.append(html.escape(preview(note.body)))
        lines.append("")
    return lines


def _open_row(
    context: ContextTypes.DEFAULT_TYPE, t: Translator, notes: Sequence[Note], first_number: int,
    source: str,
) -> list[InlineKeyboardButton]:
    """Number buttons that open a note; `source` ("p<page>" or "v<offset>") is the list to go
    back to from it."""
    return [
        _button(t.number(number), f"{PREFIX}:open:{_note_ref(context, note.id)}:{source}")
        for number, note in enumerate(notes, start=first_number)
    ]


async def _show_page(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, index: int,
    *, edit: bool = False,
) -> None:
    """Page `index` of all notes; cursors stay in user_data (they may exceed 64 bytes)."""
    deps = deps_of(context)
    pages: list[str | None] = _user_data(context).setdefault(_PAGES_KEY, [None])
    if index >= len(pages):
        await send(update, context, t.gettext(
            "This list is out of date. Send /notes to see your notes."), edit=edit)
        return
    try:
        session = await session_for(update, deps)
        page = await session.list_notes(cursor=pages[index], limit=PAGE_SIZE)
    except QFError as error:
        retry_markup = InlineKeyboardMarkup(
            [[_button(t.gettext("🔁 Retry"), f"{PREFIX}:page:{index}")]])
        await reply_upstream_error(update, context, t, error, retry_markup=retry_markup)
        return
    if not page.notes and index == 0:
        await send(update, context, t.gettext(
            "You have no notes yet. Write one with <code>/note 2:255 your reflection</code>."),
            edit=edit)
        return
    del pages[index + 1:]
    if page.next_cursor:
        pages.append(page.next_cursor)
    zone = await _zone_for(update, deps)
    first = index * PAGE_SIZE + 1
    lines = [t.gettext("<b>Your notes</b>, newest first:"), "",
             *_list_lines(t, page.notes, zone, first)]
    lines.append(t.gettext("Press a number to open that note."))
    rows = [_open_row(context, t, page.notes, first, f"p{index}")]
    navigation = []
    if index > 0:
        navigation.append(_button(t.gettext("‹ Newer"), f"{PREFIX}:page:{index - 1}"))
    if page.next_cursor:
        navigation.append(_button(t.gettext("Older ›"), f"{PREFIX}:page:{index + 1}"))
    if navigation:
        rows.append(navigation)
    await send(update, context, "\n".join(lines), InlineKeyboardMarkup(rows), edit=edit)


async def _notes_on(session: UserSession, keys: Sequence[str]) -> list[Note]:
    groups: list[list[Note]] = []
    for verse_range in (VerseRange.from_key(key) for key in keys):
        if verse_range.is_single_verse:
            groups.append(await session.notes_by_verse(verse_range.start_key))
        else:
            groups.append(await session.notes_by_range(verse_range.start_key,
                                                        verse_range.end_key))
    return newest_first(groups)


async def _show_verse_notes(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, offset: int,
    *, edit: bool = False,
) -> None:
    deps = deps_of(context)
    keys = _user_data(context).get(_QUERY_KEY)
    if not isinstance(keys, list) or not keys:
        await send(update, context, t.gettext(
            "This list is out of date. Send /notes to see your notes."), edit=edit)
        return
    label = _ranges_label(t, keys)
    try:
        session = await session_for(update, deps)
        notes = await _notes_on(session, keys)
    except QFError as error:
        retry_markup = InlineKeyboardMarkup(
            [[_button(t.gettext("🔁 Retry"), f"{PREFIX}:vpage:{offset}")]])
        await reply_upstream_error(update, context, t, error, retry_markup=retry_markup)
        return
    if not notes:
        await send(update, context, t.gettext(
            "You have no notes on {ranges} yet. Write one with /note followed by the verses "
            "and your reflection.", ranges=label), edit=edit)
        return
    offset = max(0, min(offset, (len(notes) - 1) // PAGE_SIZE * PAGE_SIZE))
    shown = notes[offset:offset + PAGE_SIZE]
    zone = await _zone_for(update, deps)
    lines = [t.ngettext("<b>Your notes on {ranges}</b> ({n} note):",
                        "<b>Your notes on {ranges}</b> ({n} notes):", len(notes), ranges=label),
             "", *_list_lines(t, shown, zone, offset + 1)]
    lines.append(t.gettext("Press a number to open that note."))
    rows = [_open_row(context, t, shown, offset + 1, f"v{offset}")]
    navigation = []
    if offset > 0:
        navigation.append(_button(t.gettext("‹ Newer"), f"{PREFIX}:vpage:{offset - PAGE_SIZE}"))
    if offset + PAGE_SIZE < len(notes):
        navigation.append(_button(t.gettext("Older ›"), f"{PREFIX}:vpage:{offset + PAGE_SIZE}"))
    if navigation:
        rows.append(navigation)
    await send(update, context, "\n".join(lines), InlineKeyboardMarkup(rows), edit=edit)


async def turn_page(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    t = await translator_for(update, context)
    if not await _in_private(update, t):
        return
    await _answer(update)
    index = _int_argument(update)
    query = update.callback_query
    verse_list = query is not None and isinstance(query.data, str) and ":vpage:" in query.data
    if index is None:
        return
    if verse_list:
        await _show_verse_notes(update, context, t, index, edit=True)
    else:
        await _show_page(update, context, t, index, edit=True)


def _data_parts(update: Update) -> list[str]:
    query = update.callback_query
    return (query.data if query is not None and isinstance(query.data, str) else "").split(":")


def _list_source(update: Update) -> str | None:
    """The list an opened note came from: `note:open:<ref>:p3` → "p3" (page 3 of /notes),
    `…:v5` → the verse list from offset 5; None for notes opened from elsewhere."""
    parts = _data_parts(update)
    source = parts[3] if len(parts) > 3 else ""
    return source if source[:1] in ("p", "v") and source[1:].isdecimal() else None


async def _fetch_note(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, *, edit: bool = False
) -> tuple[UserSession, Note] | None:
    """The note a button refers to (`note:<action>:<ref>[:…]`), or None after saying why not."""
    parts = _data_parts(update)
    note_id = _resolve_ref(context, parts[2]) if len(parts) > 2 else None
    if note_id is None:
        await send(update, context, t.gettext(
            "This button is out of date. Send /notes to see your notes."), edit=edit)
        return None
    try:
        session = await session_for(update, deps_of(context))
        return session, await session.get_note(note_id)
    except NotFound:
        _forget_shared(context, note_id)
        await send(update, context, t.gettext(
            "That note no longer exists on Quran.com. Send /notes to see your notes."), edit=edit)
    except QFError as error:
        await reply_upstream_error(update, context, t, error)
    return None


async def open_note(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A note in full: split over several messages when long, actions under the last."""
    t = await translator_for(update, context)
    if not await _in_private(update, t):
        return
    await _answer(update)
    fetched = await _fetch_note(update, context, t)
    if fetched is None:
        return
    _, note = fetched
    zone = await _zone_for(update, deps_of(context))
    header = t.gettext("📝 <b>Note on {ranges}</b> · {day}",
                       ranges=_ranges_label(t, note.ranges),
                       day=format_day(t, note.created_at.astimezone(zone).date()))
    chunks = html_chunks(note.body, DISPLAY_CHUNK, first_limit=DISPLAY_CHUNK - len(header) - 2)
    messages = [header + "\n\n" + chunks[0] if chunks else header, *chunks[1:]]
    ref = _note_ref(context, note.id)
    rows = [[_button(t.gettext("✏️ Edit"), f"{PREFIX}:edit:{ref}"),
             _button(t.gettext("🗑 Delete"), f"{PREFIX}:del:{ref}")]]
    if note.id not in _shared_ids(context):
        rows.append([_button(t.gettext("🌍 Share to QuranReflect"), f"{PREFIX}:pub:{ref}")])
    source = _list_source(update)
    if source is not None:
        rows.append([_button(t.gettext("« Back to list"), f"{PREFIX}:back:{source}")])
    markup = InlineKeyboardMarkup(rows)
    for number, text in enumerate(messages, start=1):
        await send(update, context, text, markup if number == len(messages) else None)


async def back_to_list(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """« Back to list under an opened note: the list again, below the note (the original list
    message may be far up the chat by now)."""
    t = await translator_for(update, context)
    if not await _in_private(update, t):
        return
    await _answer(update)
    source = _callback_argument(update)
    if source[:1] not in ("p", "v") or not source[1:].isdecimal():
        return
    if source[0] == "p":
        await _show_page(update, context, t, int(source[1:]))
    else:
        await _show_verse_notes(update, context, t, int(source[1:]))


async def edit_note(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Step:
    """Edit: the next message(s) replace the note's text, collected like a new note's."""
    t = await translator_for(update, context)
    if not await _in_private(update, t):
        return END
    await _answer(update)
    fetched = await _fetch_note(update, context, t)
    if fetched is None:
        return END
    _, note = fetched
    deps = deps_of(context)
    # The edit gets a draft of its own; one left unsaved before stays as it is.
    earlier = await _unsaved_draft(context, deps, _user_id(update))
    draft = await _save_draft(deps, update, ranges=note.ranges, body="", status=STATUS_EDIT)
    data = _user_data(context)
    data[_DRAFT_KEY] = draft.id
    data.setdefault(_EDITS_KEY, {})[str(draft.id)] = note.id
    data.pop(_STATUS_KEY, None)  # the pressed message is the note itself: it stays readable
    return await _show_body_status(update, context, t, draft, in_place=False,
                                   notice=_earlier_kept_notice(t) if earlier else None)


async def confirm_delete(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    t = await translator_for(update, context)
    if not await _in_private(update, t):
        return
    await _answer(update)
    fetched = await _fetch_note(update, context, t)
    if fetched is None:
        return
    _, note = fetched
    ref = _note_ref(context, note.id)
    length = note_length(note.body)
    await send(update, context, t.ngettext(
        "Delete your note on {ranges} ({n} character)? This cannot be undone.",
        "Delete your note on {ranges} ({n} characters)? This cannot be undone.",
        length, n=format_count(t, length), ranges=_ranges_label(t, note.ranges)),
        InlineKeyboardMarkup([[_button(t.gettext("🗑 Yes, delete it"), f"{PREFIX}:delok:{ref}"),
                               _button(t.gettext("Keep it"), f"{PREFIX}:keep")]]))


async def delete_note(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    t = await translator_for(update, context)
    if not await _in_private(update, t):
        return
    await _answer(update)
    note_id = _resolve_ref(context, _callback_argument(update))
    if note_id is None:
        await send(update, context, t.gettext(
            "This button is out of date. Send /notes to see your notes."), edit=True)
        return
    try:
        session = await session_for(update, deps_of(context))
        await session.delete_note(note_id)
    except NotFound:
        _forget_shared(context, note_id)
        await send(update, context, t.gettext("That note was already deleted."), edit=True)
        return
    except QFError as error:
        retry_markup = InlineKeyboardMarkup(
            [[_button(t.gettext("🔁 Retry"), f"{PREFIX}:delok:{_callback_argument(update)}")]])
        await reply_upstream_error(update, context, t, error, retry_markup=retry_markup)
        return
    _forget_shared(context, note_id)
    await send(update, context, t.gettext("🗑 Note deleted."), edit=True)


async def keep_note(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    t = await translator_for(update, context)
    # A forged press in a group would otherwise rewrite any bot message there.
    if not await _in_private(update, t):
        return
    await _answer(update)
    await send(update, context, t.gettext("Kept. Nothing was deleted."), edit=True)


async def _say_already_shared(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, *, edit: bool
) -> None:
    await send(update, context, t.gettext(
        "🌍 You already shared this note to QuranReflect, so I did not post it again."),
        edit=edit)


async def publish(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """"Share to QuranReflect": public, so it is confirmed first; a note shared once is not
    posted again."""
    t = await translator_for(update, context)
    if not await _in_private(update, t):
        return
    await _answer(update)
    note_id = _resolve_ref(context, _callback_argument(update))
    if note_id is not None and note_id in _shared_ids(context):
        await _say_already_shared(update, context, t, edit=False)
        return
    fetched = await _fetch_note(update, context, t)
    if fetched is None:
        return
    _, note = fetched
    ref = _note_ref(context, note.id)
    length = note_length(note.body)
    await send(update, context, t.ngettext(
        "Share your note on {ranges} ({n} character) publicly on QuranReflect? Anyone will be "
        "able to read it there.",
        "Share your note on {ranges} ({n} characters) publicly on QuranReflect? Anyone will be "
        "able to read it there.",
        length, n=format_count(t, length), ranges=_ranges_label(t, note.ranges)),
        InlineKeyboardMarkup([[_button(t.gettext("🌍 Yes, share it"), f"{PREFIX}:pubok:{ref}"),
                               _button(t.gettext("🔒 No, keep it private"), f"{PREFIX}:pubno")]]))


async def confirm_publish(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """"Yes, share it": post the note's text and verses to QuranReflect, once."""
    t = await translator_for(update, context)
    if not await _in_private(update, t):
        return
    await _answer(update)
    ref = _callback_argument(update)
    note_id = _resolve_ref(context, ref)
    if note_id is not None and note_id in _shared_ids(context):
        # A second press, or the same note confirmed from two prompts.
        await _say_already_shared(update, context, t, edit=True)
        return
    fetched = await _fetch_note(update, context, t, edit=True)
    if fetched is None:
        return
    session, note = fetched
    retry_markup = InlineKeyboardMarkup(
        [[_button(t.gettext("🔁 Retry"), f"{PREFIX}:pubok:{ref}")]])
    try:
        result = await session.publish_note(note.id, note.body, note.ranges or None)
    except QFError as error:
        await reply_upstream_error(update, context, t, error, retry_markup=retry_markup)
        return
    if not result.success:
        await send(update, context, t.gettext(
            "QuranReflect did not accept the note this time. Please try again later."),
            retry_markup, edit=True)
        return
    _remember_shared(context, note.id)
    await send(update, context, t.gettext(
        "🌍 Shared your note on {ranges} to QuranReflect.", ranges=_ranges_label(t, note.ranges)),
        edit=True)


async def decline_publish(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    t = await translator_for(update, context)
    if not await _in_private(update, t):
        return
    await _answer(update)
    await send(update, context, t.gettext("Not shared. The note stays private."), edit=True)


async def expired_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any other `note:` press (an old or forged button): answer it, change nothing."""
    t = await translator_for(update, context)
    await _answer(update, t.gettext("This button is out of date. Send /notes or /note."))


# ---------------------------------------------------------------------------------------------
# Registration


def _pattern(*actions: str) -> str:
    return rf"^{PREFIX}:({'|'.join(actions)})(:|$)"


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
                CallbackQueryHandler(resume, _pattern("resume")),
                CallbackQueryHandler(start_fresh, _pattern("fresh")),
                CallbackQueryHandler(drop_earlier, _pattern("swap")),
                CallbackQueryHandler(done, _pattern("done")),
                CallbackQueryHandler(choose_sharing, _pattern("share")),
                CallbackQueryHandler(add_more, _pattern("more")),
                CallbackQueryHandler(save, _pattern("save")),
                CallbackQueryHandler(cancel, _pattern("cancel")),
                CallbackQueryHandler(discard, _pattern("discard")),
                CallbackQueryHandler(edit_note, _pattern("edit")),
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
            fallbacks=[CommandHandler("cancel", cancel)],
            allow_reentry=True,
            name="notes",
            persistent=True,
            conversation_timeout=CONVERSATION_TIMEOUT,
        )


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    application.add_handler(build_conversation())
    application.add_handler(CommandHandler("notes", notes_command, filters.UpdateType.MESSAGE))
    application.add_handler(CallbackQueryHandler(retry, _pattern("retry")))
    application.add_handler(CallbackQueryHandler(open_note, _pattern("open")))
    application.add_handler(CallbackQueryHandler(confirm_delete, _pattern("del")))
    application.add_handler(CallbackQueryHandler(delete_note, _pattern("delok")))
    application.add_handler(CallbackQueryHandler(keep_note, _pattern("keep")))
    application.add_handler(CallbackQueryHandler(publish, _pattern("pub")))
    application.add_handler(CallbackQueryHandler(confirm_publish, _pattern("pubok")))
    application.add_handler(CallbackQueryHandler(decline_publish, _pattern("pubno")))
    application.add_handler(CallbackQueryHandler(back_to_list, _pattern("back")))
    application.add_handler(CallbackQueryHandler(turn_page, _pattern("page", "vpage")))
    application.add_handler(CallbackQueryHandler(expired_button, rf"^{PREFIX}:"))
