"""/read: credit reading done anywhere to Quran.com, once per message.

`/read 2:1-2:40 15min`, `/read Al-Mulk`, `/read 15min`, `/read page 5`, `/read pages 21-22`,
`/read 2 pages` (on from the last verse credited) and their Arabic forms. A bare number
(`/read 10`) could be a surah, a juz or minutes, so the user is asked rather than guessed for.
Whichever way a message ends up credited (typed, "Try again" after a failure, or a meaning
picked for its number), it is credited under that message's key, so it counts once. In a group
the answer says no more than the user wrote.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.domain.chapters import chapter_name
from bot.domain.pages import credit_for_pages, parse_page_command
from bot.domain.reading import (
    AmbiguousNumber,
    BareNumber,
    ReadChoice,
    ReadInputError,
    ReadRequest,
    parse_read_command,
)
from bot.i18n import Translator
from bot.presentation.goals import progress_bar
from bot.presentation.reading import credit_summary, pages_label, streak_line
from bot.presentation.text import isolated_name
from bot.services.reader import Reader
from bot.services.reading import (
    CreditOutcome,
    credit_read,
    last_read,
    note_read_credited,
    read_concern,
    remember_last_read,
    standing_after_credit,
)
from bot.services.reading_position import beside_position
from handlers.callbacks import button
from handlers.context import translator_for
from handlers.reading.answers import answer_press, report_credit
from handlers.reading.buttons import (
    CancelRead,
    ConfirmRead,
    PickMeaning,
    RetryRead,
    open_for_owner,
)
from handlers.reading.checks import ask_before_crediting
from handlers.replies import is_private, open_reader, send

#: user_data key: /read messages whose credit failed, kept so "Try again" needs no retyping.
PENDING_KEY = "read_pending"
MAX_PENDING = 10


def _read_usage(t: Translator) -> str:
    return t.gettext(
        "Tell me what you read, and I'll credit it to your Quran.com account:\n"
        "<code>/read 2:1-2:40</code> (time estimated from the verses)\n"
        "<code>/read 2:1-2:40 15min</code>\n"
        "<code>/read Al-Mulk</code> or <code>/read 15min</code>\n"
        "<code>/read page 5</code>, <code>/read pages 21-22</code> or "
        "<code>/read 2 pages</code> (on from where you stopped)"
    )


def _remember_pending(context: ContextTypes.DEFAULT_TYPE, message_id: int, text: str) -> None:
    if context.user_data is None:
        return
    pending: dict[str, str] = context.user_data.setdefault(PENDING_KEY, {})
    pending[str(message_id)] = text
    for stale in list(pending)[:-MAX_PENDING]:
        pending.pop(stale, None)


def _forget_pending(context: ContextTypes.DEFAULT_TYPE, message_id: int) -> None:
    if context.user_data is not None:
        context.user_data.get(PENDING_KEY, {}).pop(str(message_id), None)


async def read_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None:
        return
    text = " ".join(context.args or ())
    t = await translator_for(update, context)
    if not text.strip():
        await message.reply_text(_read_usage(t))
        return
    reader = await open_reader(update, context, t)
    if reader is None:
        return
    await _credit_typed_read(
        update, context, reader, t, text, chat_id=message.chat_id, message_id=message.message_id
    )


async def _credit_typed_read(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    reader: Reader,
    t: Translator,
    text: str,
    *,
    chat_id: int,
    message_id: int,
    checked: bool = False,
) -> None:
    pages: tuple[int, int] | None = None
    try:
        asked = parse_page_command(text)
        if asked is not None:
            credit = credit_for_pages(asked, reader.mushaf_id, last_read(context.user_data))
            request, pages = credit.request, (credit.first, credit.last)
        else:
            request = parse_read_command(text)
    except AmbiguousNumber as question:
        await answer_press(update)
        await _ask_what_the_number_means(update, context, reader, t, question.bare, message_id)
        return
    except ReadInputError as error:
        await answer_press(update)
        await send(update, context, error.describe(t) + "\n\n" + _read_usage(t))
        return
    await _credit_request(
        update, context, reader, t, request, text, chat_id=chat_id, message_id=message_id,
        checked=checked, edit=checked, pages=pages,
    )


async def _credit_request(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    reader: Reader,
    t: Translator,
    request: ReadRequest,
    text: str,
    *,
    chat_id: int,
    message_id: int,
    edit: bool = False,
    checked: bool = False,
    pages: tuple[int, int] | None = None,
) -> None:
    """Credit what one /read message asked for (`pages`: the pages it named, said back).
    `text` is kept for "Try again" and for the answer to the question a repeated or very large
    reading gets first (unless `checked`: the user already said "Log it")."""
    if not checked:
        concern = read_concern(
            reader, request, context.user_data, chat_id=chat_id, message_id=message_id
        )
        if concern is not None:
            _remember_pending(context, message_id, text)
            await answer_press(update)
            await ask_before_crediting(
                update, context, t, request, concern,
                owner=reader.user_id, message_id=message_id, edit=edit,
            )
            return
    result = await credit_read(reader, request, chat_id=chat_id, message_id=message_id)
    if result.outcome is CreditOutcome.FAILED:
        _remember_pending(context, message_id, text)
    else:
        _forget_pending(context, message_id)
    if result.outcome is CreditOutcome.CREDITED:
        note_read_credited(
            reader, request, context.user_data, chat_id=chat_id, message_id=message_id
        )
        remember_last_read(context.user_data, request.ranges)
    retry = RetryRead(reader.user_id, message_id)
    if not await report_credit(update, context, t, result, retry=retry, kept=True):
        return
    summary = credit_summary(request.ranges, result.seconds, t)
    if pages is not None:
        summary = t.gettext(
            "{pages}: {summary}", pages=pages_label(*pages, t), summary=summary
        )
    # A fresh credit also moves Quran.com's "continue reading" (beside the follow-up, not
    # after it); a replayed one was recorded the first time.
    stopped = request.ranges if result.outcome is CreditOutcome.CREDITED else []
    if not is_private(update):
        user = update.effective_user
        name = user.mention_html(isolated_name(user.full_name)) if user else ""
        await beside_position(reader, stopped, send(update, context, t.gettext(
            "✅ Credited {summary} to {name}'s Quran.com account.", summary=summary, name=name
        ), edit=edit))
        return
    lines = [t.gettext("✅ Credited {summary} to your Quran.com account.", summary=summary)]
    standing = await beside_position(
        reader, stopped, standing_after_credit(reader, context.user_data)
    )
    if standing is not None:
        if standing.progress is not None:
            bar = progress_bar(standing.progress, t=t)
            lines.append(t.gettext("Today's goal: {bar}", bar=bar))
        lines.append(streak_line(standing.streak_days, t))
    await send(update, context, "\n".join(lines), edit=edit)


async def retry_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, data: RetryRead
) -> None:
    """"Try again" after a failed credit: the kept text, credited under the same message."""
    t = await translator_for(update, context)
    reader = await open_for_owner(update, context, t, data.owner)
    if reader is None:
        return
    query = update.callback_query
    pending = (context.user_data or {}).get(PENDING_KEY, {})
    text = pending.get(str(data.message_id))
    if query is None or query.message is None or text is None:
        await answer_press(update, t.gettext("Nothing to retry: send /read again."), alert=True)
        return
    await _credit_typed_read(
        update, context, reader, t, text,
        chat_id=query.message.chat.id, message_id=data.message_id,
    )


async def confirm_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, data: ConfirmRead
) -> None:
    """"Log it again" / "Log it anyway": the asked-about /read, credited under its message."""
    t = await translator_for(update, context)
    reader = await open_for_owner(update, context, t, data.owner)
    if reader is None:
        return
    query = update.callback_query
    text = (context.user_data or {}).get(PENDING_KEY, {}).get(str(data.message_id))
    if query is None or query.message is None or text is None:
        await answer_press(update, t.gettext("Nothing to log: send /read again."), alert=True)
        return
    await _credit_typed_read(
        update, context, reader, t, text,
        chat_id=query.message.chat.id, message_id=data.message_id, checked=True,
    )


async def cancel_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, data: CancelRead
) -> None:
    """"Cancel" under the question: nothing is credited, and the kept text is dropped."""
    t = await translator_for(update, context)
    query = update.callback_query
    if query is None:
        return
    if query.from_user.id != data.owner:
        await answer_press(update, t.gettext(
            "This button belongs to someone else. Send /today for your own plan."
        ), alert=True)
        return
    _forget_pending(context, data.message_id)
    await answer_press(update)
    await send(update, context, t.gettext("Cancelled: nothing was logged."), edit=True)


# ---------------------------------------------------------------------------------------------
# A bare number: a surah, a juz or minutes?


def _choice_label(bare: BareNumber, choice: ReadChoice, t: Translator) -> str:
    if choice is ReadChoice.SURAH:
        return t.gettext(
            "📖 Surah {number}: {name}",
            number=t.number(bare.number), name=chapter_name(bare.number, t.language),
        )
    if choice is ReadChoice.JUZ:
        return t.gettext("📖 Juz {number}", number=t.number(bare.number))
    return t.gettext("⏱ {duration}", duration=bare.describe_choice(choice, t))


async def _ask_what_the_number_means(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    reader: Reader,
    t: Translator,
    bare: BareNumber,
    message_id: int,
) -> None:
    """`/read 10`: a surah, a juz or minutes? Ask rather than guess, and credit nothing yet.
    Each button carries the whole answer, and all of them credit under the /read message's
    key, so tapping two of them still credits once."""
    examples = t.gettext(
        "To say it exactly, write <code>/read surah 10</code>, <code>/read juz 30</code> or "
        "<code>/read 10min</code>, or the verses with the time, e.g. "
        "<code>/read 2:1-2:40 10min</code>."
    )
    if not bare.alone:
        await send(update, context, bare.question(t) + "\n" + examples)
        return
    rows = [
        [button(
            _choice_label(bare, choice, t),
            PickMeaning(reader.user_id, message_id, choice, bare.number, bare.seconds or 0),
        )]
        for choice in bare.choices()
    ]
    text = bare.question(t) + "\n" + t.gettext("Tap your answer below.") + "\n\n" + examples
    await send(update, context, text, InlineKeyboardMarkup(rows))


def _canonical_text(request: ReadRequest) -> str:
    """The /read arguments that ask for exactly `request`, kept for "Try again"."""
    parts = [",".join(item.key for item in request.ranges)]
    if request.seconds is not None:
        parts.append(f"{request.seconds}s")
    return " ".join(part for part in parts if part)


async def meaning_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, data: PickMeaning
) -> None:
    """A meaning picked for a bare number: credited under the /read message it answers."""
    t = await translator_for(update, context)
    reader = await open_for_owner(update, context, t, data.owner)
    if reader is None:
        return
    query = update.callback_query
    try:
        bare = BareNumber(data.number, data.seconds or None, alone=True)
        request = bare.request(data.choice)
    except ValueError:
        await answer_press(update)  # a meaning this number cannot have: stale or forged
        return
    if query is None or query.message is None:
        await answer_press(update)
        return
    await _credit_request(
        update, context, reader, t, request, _canonical_text(request),
        chat_id=query.message.chat.id, message_id=data.message_id, edit=True,
    )
