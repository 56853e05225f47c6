"""`/reflections 2:255` and its pages: public QuranReflect posts on the verses, each with
[Open] (the post on quranreflect.com) and [📝 Note on this], and the user's own posts on the
first verse on page 1."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.domain.reflections import ReflectionVerses, post_url
from bot.domain.verse_parsing import split_leading_ranges
from bot.domain.verses import VerseRange, VerseRangeError
from bot.i18n import Translator
from bot.presentation.reflections import LIST_MARK, reflections_page_text
from bot.qf import QFError
from bot.services import reflections
from bot.services.deps import deps_of
from bot.services.reflections import PAGE_SIZE, ReflectionsView
from handlers.callbacks import button
from handlers.context import translator_for
from handlers.reflections.buttons import NoteOnReflection, ShowReflections
from handlers.replies import reply_upstream_error, send, session_for


def reflections_button(t: Translator, verses: VerseRange) -> InlineKeyboardButton:
    """💬 Reflections on the first verses of `verses` (under a note, under /today)."""
    shown = ReflectionVerses.of(verses)
    return button(
        t.gettext("💬 Reflections on {verses}", verses=t.isolate(t.number(shown.key))),
        ShowReflections(shown.chapter, shown.start, shown.end, 1),
    )


def _markup(t: Translator, view: ReflectionsView, first: int) -> InlineKeyboardMarkup | None:
    rows: list[list[InlineKeyboardButton]] = []
    for number, post in enumerate(view.page.posts, start=first):
        rows.append([
            InlineKeyboardButton(t.gettext("↗ Open {n}", n=t.number(number)),
                                 url=post_url(post.id)),
            button(t.gettext("📝 Note on {n}", n=t.number(number)), NoteOnReflection(post.id)),
        ])
    verses, page = view.verses, view.page
    nav: list[InlineKeyboardButton] = []
    if page.page > 1:
        nav.append(button(t.gettext("« Previous"), ShowReflections(
            verses.chapter, verses.start, verses.end, page.page - 1)))
    if page.has_next:
        nav.append(button(t.gettext("Next »"), ShowReflections(
            verses.chapter, verses.start, verses.end, page.page + 1)))
    if nav:
        rows.append(nav)
    return InlineKeyboardMarkup(rows) if rows else None  # Telegram refuses an empty keyboard


async def show_reflections(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator,
    verses: ReflectionVerses, page: int, *, edit: bool,
) -> None:
    deps = deps_of(context)
    try:
        session = await session_for(update, deps)
        view = await reflections.reflections_on(session, verses, page, language=t.language)
    except QFError as error:
        await reply_upstream_error(update, context, t, error)
        return
    first = (page - 1) * PAGE_SIZE + 1
    text = reflections_page_text(t, verses, view.page, view.own, first)
    await send(update, context, text, _markup(t, view, first), edit=edit)


async def reflections_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None:
        return
    t = await translator_for(update, context)
    argument = (message.text or "").partition(" ")[2].strip()
    usage = t.gettext("Which verses? For example <code>/reflections 2:255</code>.")
    if not argument:
        await send(update, context, usage)
        return
    try:
        ranges, _ = split_leading_ranges(argument)
    except VerseRangeError as error:
        await send(update, context, error.describe(t) + "\n" + usage)
        return
    if not ranges:
        await send(update, context, usage)
        return
    await show_reflections(update, context, t, ReflectionVerses.of(ranges[0]), 1, edit=False)


async def turn_page(
    update: Update, context: ContextTypes.DEFAULT_TYPE, data: ShowReflections
) -> None:
    t = await translator_for(update, context)
    query = update.callback_query
    try:
        verses = ReflectionVerses(data.chapter, data.start, data.end)
    except ValueError:
        if query is not None:
            await query.answer(t.gettext("This button is no longer valid."))
        return
    if query is not None:
        await query.answer()
    await show_reflections(update, context, t, verses, data.page,
                           edit=_is_reflections_list(update))


def _is_reflections_list(update: Update) -> bool:
    """Whether the pressed message is a reflections list (its text opens with 💬): its pages
    replace it; from a note or /today the list comes as a new message."""
    query = update.callback_query
    message = query.message if query is not None else None
    text = getattr(message, "text", None)
    return isinstance(text, str) and text.startswith(LIST_MARK)
