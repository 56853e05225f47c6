"""Reflections: QuranReflect posts on a verse, and notes about one post.

The public list comes from the filtered feed; the user's own posts on the verse (`by-verse`,
which only ever answers the user's own) are added on the first page as a separate section. A
note about a post carries QF's `attachedEntity` and the post's verses as its ranges.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from bot.domain.reflections import QURANREFLECT_LANGUAGE_IDS, ReflectionVerses
from bot.qf import REFLECTION_ENTITY, Note, Post, PostPage, QFError, UserSession
from bot.services import notes
from bot.services.notes import DraftStatus
from storage import DraftRepository, NoteDraft

#: Posts per page of a reflections list: five excerpts and their buttons fit one screen.
PAGE_SIZE: Final = 5


@dataclass(frozen=True)
class ReflectionsView:
    verses: ReflectionVerses
    page: PostPage
    #: The user's own posts on the first verse (first page only; empty if that lookup failed).
    own: tuple[Post, ...] = ()


async def reflections_on(
    session: UserSession, verses: ReflectionVerses, page: int, *, language: str
) -> ReflectionsView:
    """A page of public posts on `verses`, those in the reader's `language` first."""
    public = await session.reflections_on(
        verses.chapter, verses.start, verses.end, page=page, limit=PAGE_SIZE,
        language_id=QURANREFLECT_LANGUAGE_IDS.get(language),
    )
    own: tuple[Post, ...] = ()
    if page == 1:
        try:
            own = tuple((await session.my_posts_on_verse(verses.first_verse_key)).posts)
        except QFError:
            own = ()  # the public list is what was asked for; the own section is a bonus
    return ReflectionsView(verses, public, own)


async def post(session: UserSession, post_id: int) -> Post:
    """One post; raises `NotFound` when it was deleted or never existed."""
    return await session.post(post_id)


async def notes_on_post(session: UserSession, post_id: int) -> list[Note]:
    return await session.notes_on_post(post_id)


def attachment_stub(post_id: int) -> dict[str, Any]:
    """What a draft remembers about a post not yet looked up (no metadata to show yet)."""
    return {"entityId": str(post_id), "entityType": REFLECTION_ENTITY}


async def draft_on_post(
    drafts: DraftRepository, user_id: int, post: Post, body: str, *, status: DraftStatus
) -> NoteDraft:
    """A new draft about `post`: its verses as the ranges, the post as the attached entity."""
    return await notes.write_draft(
        drafts, user_id, ranges=post.ranges, body=body, status=status,
        attached_entity=post.attached_entity().to_wire(),
    )
