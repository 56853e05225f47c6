"""`/note` and what follows it: `/note 2:255 my reflection` (a one-liner, saved privately at
once), `/note 2:255` (the wizard, at the text step), `/note` alone (the wizard, or the unsaved
draft offered again), or `/note 2:255` as a reply to a message (that message is the text).
A QuranReflect post link first (or in the replied message) makes a note about that reflection
(`reflection`).

Whatever a /note carried is kept as a draft when it cannot go on where it was sent: in a group
(notes are written in the private chat) or before the account is linked.
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import ContextTypes

from bot.domain.notes import characters_missing
from bot.domain.reflections import find_post_link, split_leading_post_link
from bot.domain.verse_parsing import split_leading_ranges
from bot.domain.verses import VerseRange, VerseRangeError, range_keys
from bot.presentation.notes import earlier_kept_notice, too_short_oneliner_text, too_short_said
from bot.qf import NotLinked
from bot.services import notes
from bot.services.deps import deps_of
from bot.services.notes import DraftStatus
from handlers.callbacks import button
from handlers.context import translator_for
from handlers.notes.buttons import ContinueDraft, DiscardDraft
from handlers.notes.chat import command_argument, send_to_private_chat, user_id_of
from handlers.notes.drafts import offer_choice, offer_resume, unsaved_draft
from handlers.notes.memory import NotesMemory
from handlers.notes.reflection import note_about_post
from handlers.notes.saving import store_note
from handlers.notes.wizard import BODY, END, Step, ask_ranges, show_body_status, step_of
from handlers.replies import is_private, reply_upstream_error, send
from storage import DraftRepository


async def note_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Step:
    """`/note`, `/note 2:255`, `/note 2:255-257 my reflection`, or `/note 2:255` as a reply."""
    message = update.effective_message
    if message is None:
        return END
    deps = deps_of(context)
    t = await translator_for(update, context)
    user_id = user_id_of(update)
    argument = command_argument(message)
    post_id, rest = split_leading_post_link(argument)
    if post_id is None and not _starts_with_verses(argument):
        # `/note my thoughts` as a reply to a message holding a QuranReflect link.
        post_id, rest = find_post_link(_replied_links(message)), argument
    if post_id is not None:
        return await note_about_post(update, context, t, post_id, rest)
    try:
        ranges, body = split_leading_ranges(argument) if argument else ([], "")
    except VerseRangeError as error:
        await send(update, context, error.describe(t) + "\n" + t.gettext(
            "Send it again with the right verses, e.g. <code>/note 2:255 your reflection</code>."
        ))
        return END
    body = body or _replied_text(message)

    if not is_private(update):
        await _keep_for_later(deps.drafts, user_id, ranges, body)  # continued in private
        await send_to_private_chat(update, context, t)
        return END

    if await deps.accounts.get(user_id) is None:
        # Said before someone writes 10,000 characters; whatever they typed already waits.
        await _keep_for_later(deps.drafts, user_id, ranges, body)
        await reply_upstream_error(update, context, t, NotLinked())
        return END

    if not ranges and not body:
        draft = await notes.latest_draft(deps.drafts, user_id)
        if draft is not None:
            return await offer_resume(update, context, t, draft)
        return await ask_ranges(update, context, t, None)

    earlier = await unsaved_draft(context, user_id)
    keys = range_keys(ranges)
    memory = NotesMemory(context)
    if keys and body and not characters_missing(body):
        # The one-liner: verses and text in one message, saved privately at once. It gets a
        # row of its own, so an unsaved earlier draft stays exactly as it was, and so does
        # the wizard that was writing it.
        draft = await notes.write_draft(deps.drafts, user_id, ranges=keys, body=body,
                                        status=DraftStatus.CONFIRM)
        await store_note(update, context, t, draft,
                         footer=earlier_kept_notice(t) if earlier else None)
        if earlier is not None and memory.current_draft_id == earlier.id:
            return step_of(context, earlier)
        return END
    if not keys:
        draft = await notes.write_draft(deps.drafts, user_id, body=body,
                                        status=DraftStatus.RANGES)
    else:
        draft = await notes.write_draft(deps.drafts, user_id, ranges=keys, body=body,
                                        status=DraftStatus.BODY)
    if earlier is not None:
        notice = too_short_said(t, draft.ranges, body) if keys and body else None
        return await offer_choice(update, context, t, earlier, draft, notice=notice)
    if not keys:
        return await ask_ranges(update, context, t, draft)
    memory.current_draft_id = draft.id
    if body:
        # A one-liner too short to save: said plainly, kept, and what was typed next joins it.
        await send(update, context, too_short_oneliner_text(t, draft.ranges, body),
                   InlineKeyboardMarkup([
                       [button(t.gettext("✏️ Continue writing"), ContinueDraft(draft.id)),
                        button(t.gettext("🗑 Discard"), DiscardDraft(draft.id))]]))
        return BODY
    return await show_body_status(update, context, t, draft)


def _starts_with_verses(argument: str) -> bool:
    try:
        return bool(split_leading_ranges(argument)[0]) if argument else False
    except VerseRangeError:
        return True  # what was typed is about verses; the usual path says what is wrong


def _replied_links(message: Message) -> str:
    """The replied message's text and the addresses behind its links (a post linked as a
    word, as the reflections list does, has its address only in an entity)."""
    replied = message.reply_to_message
    if replied is None:
        return ""
    urls = [entity.url for entity in (replied.entities or replied.caption_entities or ())
            if entity.url]
    return " ".join([_replied_text(message), *urls])


def _replied_text(message: Message) -> str:
    replied = message.reply_to_message
    if replied is None:
        return ""
    return (replied.text or replied.caption or "").strip()


async def _keep_for_later(
    drafts: DraftRepository, user_id: int, ranges: Sequence[VerseRange], body: str
) -> None:
    """Store what a /note that cannot go on here carried, for the next /note in private."""
    if ranges or body:
        await notes.write_draft(drafts, user_id, ranges=range_keys(ranges), body=body,
                                status=DraftStatus.BODY if ranges else DraftStatus.RANGES)
