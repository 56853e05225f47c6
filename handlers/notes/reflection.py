"""Notes about a QuranReflect reflection: [📝 Note on this] under a reflections list,
`/note https://quranreflect.com/posts/48151 my thoughts`, or `/note my thoughts` as a reply to
a message holding such a link.

The post is looked up first: its verses become the note's ranges and the post the note's
`attachedEntity` (with the author and verse keys, to show it later without a lookup). The press
shows what the user already wrote about the post (`GET /v1/notes/by-attached-entity`) and opens
the wizard at the text step. A deleted or unknown post gets a clear answer, and whatever was
typed is kept as a draft.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.domain.notes import characters_missing
from bot.i18n import Translator
from bot.presentation.notes import earlier_kept_notice, too_short_notice
from bot.presentation.reflections import notes_on_reflection_text, post_not_found_text
from bot.qf import Note, NotFound, NotLinked, QFError, UserSession
from bot.services import notes, reflections
from bot.services.deps import deps_of
from bot.services.notes import DraftStatus
from handlers.context import translator_for
from handlers.notes.chat import answer, send_to_private_chat, user_id_of
from handlers.notes.drafts import offer_choice, unsaved_draft
from handlers.notes.memory import NotesMemory
from handlers.notes.saving import store_note
from handlers.notes.wizard import END, Step, ask_ranges, show_body_status, step_of
from handlers.reflections import NoteOnReflection
from handlers.replies import is_private, reply_upstream_error, send, session_for


async def note_on_reflection(
    update: Update, context: ContextTypes.DEFAULT_TYPE, data: NoteOnReflection
) -> Step:
    """[📝 Note on this]: the wizard at the text step, about that post."""
    t = await translator_for(update, context)
    await answer(update)
    return await note_about_post(update, context, t, data.post, "")


async def note_about_post(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, post_id: int, body: str
) -> Step:
    deps = deps_of(context)
    user_id = user_id_of(update)
    stub = reflections.attachment_stub(post_id)
    if not is_private(update) or await deps.accounts.get(user_id) is None:
        # Kept for the private chat (or for after linking), like any /note that cannot go on.
        await notes.write_draft(deps.drafts, user_id, body=body, status=DraftStatus.RANGES,
                                attached_entity=stub)
        if not is_private(update):
            await send_to_private_chat(update, context, t)
        else:
            await reply_upstream_error(update, context, t, NotLinked())
        return END
    try:
        session = await session_for(update, deps)
        post = await reflections.post(session, post_id)
    except NotFound:
        if body.strip():
            await notes.write_draft(deps.drafts, user_id, body=body, status=DraftStatus.RANGES)
        await send(update, context, post_not_found_text(t, post_id, kept=bool(body.strip())))
        return END
    except QFError as error:
        if body.strip():
            await notes.write_draft(deps.drafts, user_id, body=body, status=DraftStatus.RANGES,
                                    attached_entity=stub)
        await reply_upstream_error(update, context, t, error)
        return END

    earlier_notes = [] if body else await _notes_on(session, post_id)
    earlier = await unsaved_draft(context, user_id)
    memory = NotesMemory(context)
    if post.ranges and body and not characters_missing(body):
        # Verses (from the post) and text in one message: saved privately at once.
        draft = await reflections.draft_on_post(deps.drafts, user_id, post, body,
                                                status=DraftStatus.CONFIRM)
        await store_note(update, context, t, draft,
                         footer=earlier_kept_notice(t) if earlier else None)
        if earlier is not None and memory.current_draft_id == earlier.id:
            return step_of(context, earlier)
        return END
    status = DraftStatus.BODY if post.ranges else DraftStatus.RANGES
    draft = await reflections.draft_on_post(deps.drafts, user_id, post, body, status=status)
    if earlier is not None:
        return await offer_choice(update, context, t, earlier, draft)
    if not post.ranges:
        return await ask_ranges(update, context, t, draft)
    memory.current_draft_id = draft.id
    notice = too_short_notice(t, body) if body else notes_on_reflection_text(t, earlier_notes)
    return await show_body_status(update, context, t, draft, notice=notice, in_place=False)


async def _notes_on(session: UserSession, post_id: int) -> list[Note]:
    """What the user already wrote about the post; a failed lookup only leaves it unsaid."""
    try:
        return await reflections.notes_on_post(session, post_id)
    except QFError:
        return []
