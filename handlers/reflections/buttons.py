"""The buttons of the reflections flow. Other flows offer them too (a note's verses, /today's
verses), so the package exports them; every field is bounded to real verses and post ids, and
`ReflectionVerses` checks the verse numbers against the chapter before any request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, TypeAlias

from bot.domain.reflections import MAX_POST_ID
from handlers.callbacks import Between, CallbackData

PostId: TypeAlias = Annotated[int, Between(1, MAX_POST_ID)]
Chapter: TypeAlias = Annotated[int, Between(1, 114)]
VerseNumber: TypeAlias = Annotated[int, Between(1, 286)]
PageNumber: TypeAlias = Annotated[int, Between(1, 10_000)]


@dataclass(frozen=True)
class ShowReflections(CallbackData, prefix="refl.list"):
    """A page of public reflections on chapter:start-end."""

    chapter: Chapter
    start: VerseNumber
    end: VerseNumber
    page: PageNumber


@dataclass(frozen=True)
class NoteOnReflection(CallbackData, prefix="refl.note"):
    """📝 Note on this: write a note attached to the post (handled by the notes wizard)."""

    post: PostId
