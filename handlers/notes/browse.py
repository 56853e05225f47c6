"""/notes: all notes newest first in pages, or the notes on some verses (`/notes 2:255-260`),
and a note opened in full with its actions (edit, delete, share, back to the list).

Quran.com pages with cursors, which may exceed callback_data's 64 bytes: they stay in
user_data (NotesMemory.pages) and the buttons carry only the page index.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.domain.verse_parsing import parse_verse_ranges
from bot.domain.verses import VerseRangeError, range_keys, readable_ranges
from bot.i18n import Translator
from bot.presentation.notes import note_messages, notes_page_text, ranges_label, verse_notes_text
from bot.qf import Note, NotFound, QFError, UserSession
from bot.services import notes
from bot.services.deps import deps_of
from handlers.callbacks import button
from handlers.context import translator_for
from handlers.notes.buttons import (
    AskDelete,
    AskPublish,
    BackToList,
    EditNote,
    Listing,
    OpenListedNote,
    OpenNote,
    TurnPage,
)
from handlers.notes.chat import (
    answer,
    command_argument,
    in_private,
    send_to_private_chat,
    zone_for,
)
from handlers.notes.memory import NotesMemory
from handlers.reflections import reflections_button
from handlers.replies import is_private, reply_upstream_error, retry_button, send, session_for

#: Notes per page in /notes.
PAGE_SIZE: Final = 5


async def notes_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/notes` (newest first, pages) or `/notes 2:255` / `/notes 2:255-260`."""
    message = update.effective_message
    if message is None:
        return
    t = await translator_for(update, context)
    if not is_private(update):
        await send_to_private_chat(update, context, t)
        return
    argument = command_argument(message)
    if argument:
        try:
            ranges = parse_verse_ranges(argument)
        except VerseRangeError as error:
            await send(update, context, error.describe(t))
            return
        NotesMemory(context).verse_query = range_keys(ranges)
        await _show_verse_notes(update, context, t, 0)
        return
    NotesMemory(context).restart_pages()
    await _show_page(update, context, t, 0)


def _open_row(
    context: ContextTypes.DEFAULT_TYPE, t: Translator, shown: Sequence[Note], first_number: int,
    listing: Listing, position: int,
) -> list[InlineKeyboardButton]:
    """Number buttons that open a note; the list they carry is where its « Back leads."""
    memory = NotesMemory(context)
    return [
        button(t.number(number), OpenListedNote(memory.note_ref(note.id), listing, position))
        for number, note in enumerate(shown, start=first_number)
    ]


def _retry(t: Translator, listing: Listing, position: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[retry_button(t, TurnPage(listing, position))]])


def _out_of_date(t: Translator) -> str:
    return t.gettext("This list is out of date. Send /notes to see your notes.")


async def _show_page(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, index: int,
    *, edit: bool = False,
) -> None:
    """Page `index` of all notes."""
    deps = deps_of(context)
    pages = NotesMemory(context).pages()
    if index >= len(pages):
        await send(update, context, _out_of_date(t), edit=edit)
        return
    try:
        session = await session_for(update, deps)
        page = await notes.list_notes(session, cursor=pages[index], limit=PAGE_SIZE)
    except QFError as error:
        await reply_upstream_error(update, context, t, error,
                                   retry_markup=_retry(t, Listing.ALL, index))
        return
    if not page.notes and index == 0:
        await send(update, context, t.gettext(
            "You have no notes yet. Write one with <code>/note 2:255 your reflection</code>."),
            edit=edit)
        return
    del pages[index + 1:]
    if page.next_cursor:
        pages.append(page.next_cursor)
    zone = await zone_for(update, deps)
    first = index * PAGE_SIZE + 1
    rows = [_open_row(context, t, page.notes, first, Listing.ALL, index)]
    navigation = []
    if index > 0:
        navigation.append(button(t.gettext("‹ Newer"), TurnPage(Listing.ALL, index - 1)))
    if page.next_cursor:
        navigation.append(button(t.gettext("Older ›"), TurnPage(Listing.ALL, index + 1)))
    if navigation:
        rows.append(navigation)
    await send(update, context, notes_page_text(t, page.notes, zone, first),
               InlineKeyboardMarkup(rows), edit=edit)


async def _show_verse_notes(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, offset: int,
    *, edit: bool = False,
) -> None:
    """The notes on the verses of the last `/notes 2:255`, from `offset`."""
    deps = deps_of(context)
    keys = NotesMemory(context).verse_query
    if not keys:
        await send(update, context, _out_of_date(t), edit=edit)
        return
    try:
        session = await session_for(update, deps)
        found = await notes.notes_on(session, keys)
    except QFError as error:
        await reply_upstream_error(update, context, t, error,
                                   retry_markup=_retry(t, Listing.VERSES, offset))
        return
    if not found:
        await send(update, context, t.gettext(
            "You have no notes on {ranges} yet. Write one with /note followed by the verses "
            "and your reflection.", ranges=ranges_label(t, keys)), edit=edit)
        return
    offset = max(0, min(offset, (len(found) - 1) // PAGE_SIZE * PAGE_SIZE))
    shown = found[offset:offset + PAGE_SIZE]
    zone = await zone_for(update, deps)
    rows = [_open_row(context, t, shown, offset + 1, Listing.VERSES, offset)]
    navigation = []
    if offset > 0:
        navigation.append(button(t.gettext("‹ Newer"),
                                 TurnPage(Listing.VERSES, offset - PAGE_SIZE)))
    if offset + PAGE_SIZE < len(found):
        navigation.append(button(t.gettext("Older ›"),
                                 TurnPage(Listing.VERSES, offset + PAGE_SIZE)))
    if navigation:
        rows.append(navigation)
    await send(update, context, verse_notes_text(t, keys, len(found), shown, zone, offset + 1),
               InlineKeyboardMarkup(rows), edit=edit)


async def _show_list(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, listing: Listing,
    position: int, *, edit: bool,
) -> None:
    if listing is Listing.VERSES:
        await _show_verse_notes(update, context, t, position, edit=edit)
    else:
        await _show_page(update, context, t, position, edit=edit)


async def turn_page(update: Update, context: ContextTypes.DEFAULT_TYPE, data: TurnPage) -> None:
    """‹ Newer / Older › (and Retry after a failed page): the list edited in place."""
    t = await translator_for(update, context)
    if not await in_private(update, t):
        return
    await answer(update)
    await _show_list(update, context, t, data.listing, data.position, edit=True)


async def back_to_list(
    update: Update, context: ContextTypes.DEFAULT_TYPE, data: BackToList
) -> None:
    """« Back to list under an opened note: the list again, below the note (the original list
    message may be far up the chat by now)."""
    t = await translator_for(update, context)
    if not await in_private(update, t):
        return
    await answer(update)
    await _show_list(update, context, t, data.listing, data.position, edit=False)


async def fetch_note(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, ref: str,
    *, edit: bool = False,
) -> tuple[UserSession, Note] | None:
    """The note a button refers to, or None after saying why not."""
    memory = NotesMemory(context)
    note_id = memory.resolve_ref(ref)
    if note_id is None:
        await send(update, context, t.gettext(
            "This button is out of date. Send /notes to see your notes."), edit=edit)
        return None
    try:
        session = await session_for(update, deps_of(context))
        return session, await notes.get_note(session, note_id)
    except NotFound:
        memory.forget_shared(note_id)
        await send(update, context, t.gettext(
            "That note no longer exists on Quran.com. Send /notes to see your notes."), edit=edit)
    except QFError as error:
        await reply_upstream_error(update, context, t, error)
    return None


async def fetch_shown_note(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, ref: str, version: str,
    *, changed: str, edit: bool = True,
) -> tuple[UserSession, Note] | None:
    """The note a button refers to, only if it is still as the button showed it (`version`);
    otherwise `changed` is said (nothing is done) with a button to open it as it is now."""
    fetched = await fetch_note(update, context, t, ref, edit=edit)
    if fetched is None:
        return None
    if notes.note_version(fetched[1]) != version:
        markup = InlineKeyboardMarkup([[button(t.gettext("📝 Open it"), OpenNote(ref))]])
        await send(update, context, changed, markup, edit=edit)
        return None
    return fetched


async def open_note(
    update: Update, context: ContextTypes.DEFAULT_TYPE, data: OpenNote | OpenListedNote
) -> None:
    """A note in full: split over several messages when long, actions under the last."""
    t = await translator_for(update, context)
    if not await in_private(update, t):
        return
    await answer(update)
    fetched = await fetch_note(update, context, t, data.note)
    if fetched is None:
        return
    _, note = fetched
    memory = NotesMemory(context)
    messages = note_messages(t, note, await zone_for(update, deps_of(context)))
    ref = memory.note_ref(note.id)
    rows = [[button(t.gettext("✏️ Edit"), EditNote(ref, notes.note_version(note))),
             button(t.gettext("🗑 Delete"), AskDelete(ref))]]
    if note.id not in memory.shared_ids():
        rows.append([button(t.gettext("🌍 Share to QuranReflect"), AskPublish(ref))])
    first_range = readable_ranges(note.ranges[:1])
    if first_range:
        rows.append([reflections_button(t, first_range[0])])
    if isinstance(data, OpenListedNote):
        rows.append([button(t.gettext("« Back to list"),
                            BackToList(data.listing, data.position))])
    markup = InlineKeyboardMarkup(rows)
    for number, text in enumerate(messages, start=1):
        await send(update, context, text, markup if number == len(messages) else None)
