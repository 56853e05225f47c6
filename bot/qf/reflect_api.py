"""QuranReflect posts: public reflections on a verse, one post, the user's own posts on a verse,
and the notes attached to a post.

The public list is `GET /v1/posts/feed` filtered by one verse reference: `GET
/v1/posts/by-verse/{verseKey}` answers only the *user's own* posts (its spec says so), so it
serves the "your reflections" section, never the public list. Posts live under QuranReflect's
base URL (the spec's per-operation `servers`); the attached-notes lookup is a User API read.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from bot.qf.models import AttachedEntity, Note, QFModel
from bot.qf.user_api import UserApi
from bot.qf.wire import envelope_data, list_data, parse_json, parse_model, path_segment

#: The `entityType` QF gives a note attached to a QuranReflect post.
REFLECTION_ENTITY = "reflection"


class PostAuthor(QFModel):
    id: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None

    @property
    def display_name(self) -> str:
        full = " ".join(part for part in (self.first_name, self.last_name) if part).strip()
        return full or self.username or ""


class PostReference(QFModel):
    chapter_id: int | None = None
    from_: int | None = Field(default=None, alias="from")
    to: int | None = None

    @property
    def verse_range(self) -> str | None:
        """`"2:255-2:255"`, the notes API's range shape; None for a whole-chapter reference."""
        if self.chapter_id is None or not self.from_:
            return None
        return f"{self.chapter_id}:{self.from_}-{self.chapter_id}:{self.to or self.from_}"

    @property
    def label(self) -> str | None:
        if self.chapter_id is None or not self.from_:
            return None
        end = self.to or self.from_
        return f"{self.chapter_id}:{self.from_}" + (f"-{end}" if end != self.from_ else "")


class Post(QFModel):
    id: int
    author_id: str | None = None
    author: PostAuthor = Field(default_factory=PostAuthor)
    body: str = ""
    likes_count: int = 0
    comments_count: int = 0
    references: list[PostReference] = Field(default_factory=list)

    @property
    def author_name(self) -> str:
        return self.author.display_name or self.author_id or ""

    @property
    def ranges(self) -> list[str]:
        return [r for r in (ref.verse_range for ref in self.references) if r]

    @property
    def verse_labels(self) -> list[str]:
        return [r for r in (ref.label for ref in self.references) if r]

    def attached_entity(self) -> AttachedEntity:
        """What a note on this post carries, with enough to show it later without a lookup."""
        return AttachedEntity(
            entity_id=str(self.id),
            entity_type=REFLECTION_ENTITY,
            entity_metadata={"author": self.author_name, "verseKeys": self.verse_labels},
        )


class PostPage(QFModel):
    posts: list[Post]
    page: int = 1
    pages: int = 1
    total: int = 0

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _post_page(payload: Any, page: int) -> PostPage:
    # The posts pages are bare `{total, currentPage, limit, pages, data}`, no `success` envelope.
    info = payload if isinstance(payload, dict) else {}
    items = info.get("data")
    posts = [parse_model(Post, item) for item in (items if isinstance(items, list) else [])]

    def number(key: str, default: int) -> int:
        value = info.get(key)
        return int(value) if isinstance(value, int | float) and not isinstance(value, bool) \
            else default

    return PostPage(
        posts=posts, page=number("currentPage", page), pages=number("pages", 1),
        total=number("total", len(posts)),
    )


class ReflectApi(UserApi):
    """QuranReflect reads on behalf of one linked user."""

    async def _reflect_get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        response = await self._client.user_request(
            self.telegram_user_id, "GET", path, params=params,
            base_url=self._client.reflect_base_url,
        )
        return parse_json(response)

    async def reflections_on(
        self, chapter: int, start: int, end: int, *, page: int = 1, limit: int = 5,
        language_id: int | None = None,
    ) -> PostPage:
        """Public posts on chapter:start-end (the feed's indexed filter), those in QuranReflect
        language `language_id` first. One language id is the same on the wire whether the
        contract reads `languages` comma-separated or repeated."""
        params: dict[str, Any] = {
            "filter[references][0][chapterId]": chapter,
            "filter[references][0][from]": start,
            "filter[references][0][to]": end,
            "page": max(page, 1),
            "limit": limit,
        }
        if language_id is not None:
            params["languages"] = language_id
        payload = await self._reflect_get("/v1/posts/feed", params)
        return _post_page(payload, page)

    async def my_posts_on_verse(self, verse_key: str) -> PostPage:
        """The user's own posts on one verse (what `by-verse` is for)."""
        payload = await self._reflect_get(
            f"/v1/posts/by-verse/{path_segment(verse_key, safe=':')}"
        )
        return _post_page(payload, 1)

    async def post(self, post_id: int) -> Post:
        """One post; `NotFound` when it does not exist or was deleted."""
        payload = await self._reflect_get(f"/v1/posts/{int(post_id)}")
        return parse_model(Post, envelope_data(payload))

    async def notes_on_post(self, post_id: int) -> list[Note]:
        payload = await self._get(
            "/v1/notes/by-attached-entity",
            {"entityId": str(post_id), "entityType": REFLECTION_ENTITY},
        )
        return [parse_model(Note, item) for item in list_data(payload)]
