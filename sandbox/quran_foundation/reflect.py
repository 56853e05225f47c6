"""QuranReflect: public posts (the feed filtered by verse, one post, a user's own posts on a
verse), notes attached to a post, publishing a note as a public reflection, and the user profile
that lives on QuranReflect's base URL.

Tests arrange posts with `add_post`; a removed post answers 404 as the spec's "not found or has
been deleted".

Part of `FakeQuranFoundation`. `fail_quranreflect_share_next` (fault injection) makes a save
with `saveToQR` answer the web client's "saved, not shared" shape, which no spec documents.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from sandbox.quran_foundation.errors import ApiError
from sandbox.quran_foundation.formats import iso_z
from sandbox.quran_foundation.model import Answer, Call, Mutation
from sandbox.quran_foundation.notes import Notes
from sandbox.quran_foundation.verses import parse_key, parse_ranges, verse_index


class QuranReflect(Notes):
    def add_post(
        self,
        body: str,
        references: list[tuple[int, int, int]],
        *,
        author: str = "reflector",
        first_name: str = "Amina",
        last_name: str = "",
        likes: int = 0,
        post_id: int | None = None,
        published_at: datetime | None = None,
    ) -> int:
        """A public post on (chapter, from, to) references; returns its id."""
        post_id = post_id if post_id is not None else next(self._post_ids)
        moment = iso_z(published_at or self.now())
        self.posts[post_id] = {
            "id": post_id,
            "authorId": author,
            "author": {
                "id": author, "username": author, "firstName": first_name, "lastName": last_name,
            },
            "body": body,
            "references": [
                {"id": f"{chapter}:{start}-{end}", "chapterId": chapter, "from": start, "to": end}
                for chapter, start, end in references
            ],
            "createdAt": moment,
            "updatedAt": moment,
            "publishedAt": moment,
            "commentsCount": 0,
            "likesCount": likes,
            "roomId": 0,
            "postTypeId": 1,
            "removed": False,
        }
        return post_id

    def add_sample_posts(self) -> None:
        """A few public reflections for the demo and manual runs (`/reflections 2:255`)."""
        self.add_post(
            "Ayat al-Kursi reminds me that the One who holds the heavens and the earth never "
            "tires; nothing I carry today is heavy for Him.", [(2, 255, 255)],
            author="amina", first_name="Amina", likes=12)
        self.add_post(
            "His Kursi extends over the heavens and the earth: I read it each night and sleep "
            "knowing I am guarded.", [(2, 255, 255)], author="yusuf", first_name="Yusuf",
            likes=5)
        self.add_post(
            "Al-Fatihah is a conversation: every verse I say, He answers.", [(1, 1, 7)],
            author="hafsa", first_name="Hafsa", likes=9)

    def remove_post(self, post_id: int) -> None:
        self.posts[post_id]["removed"] = True

    def _live_posts(self) -> list[dict[str, Any]]:
        posts = [post for post in self.posts.values() if not post["removed"]]
        return sorted(posts, key=lambda post: (post["publishedAt"], post["id"]), reverse=True)

    @staticmethod
    def _touches(post: dict[str, Any], start: int, end: int) -> bool:
        return any(
            verse_index(ref["chapterId"], ref["from"]) <= end
            and start <= verse_index(ref["chapterId"], ref["to"])
            for ref in post["references"]
        )

    @staticmethod
    def _post_page(posts: list[dict[str, Any]], page: int, limit: int) -> Answer:
        chunk = posts[(page - 1) * limit : page * limit]
        return Answer(
            {
                "total": len(posts),
                "currentPage": page,
                "limit": limit,
                "pages": max(1, math.ceil(len(posts) / limit)),
                "data": chunk,
            }
        )

    def _feed(self, call: Call) -> Answer:
        query = call.query
        posts = self._live_posts()
        if "filter[references][0][chapterId]" in query:
            chapter = int(float(query["filter[references][0][chapterId]"]))
            start = int(float(query.get("filter[references][0][from]", "1")))
            end = int(float(query.get("filter[references][0][to]", str(start))))
            posts = [
                p for p in posts
                if self._touches(p, verse_index(chapter, start), verse_index(chapter, end))
            ]
        page = int(float(query.get("page", "1")))
        limit = int(float(query.get("limit", "20")))
        return self._post_page(posts, page, limit)

    def _post(self, call: Call) -> Answer:
        raw = call.path_params["id"]
        post = self.posts.get(int(raw)) if raw.isdigit() else None
        if post is None or post["removed"]:
            # The spec documents the 404 without a body; send the usual error envelope.
            error = ApiError(404, "Post not found or has been deleted")
            return Answer(
                {"success": False, "message": error.message, "type": error.type}, 404,
                documented=False,
            )
        return Answer(post)

    def _my_posts_by_verse(self, call: Call) -> Answer:
        index = parse_key(call.path_params["verseKey"])
        posts = [
            p for p in self._live_posts()
            if p["authorId"] == call.user.sub and self._touches(p, index, index)
        ]
        return self._post_page(posts, 1, max(len(posts), 1))

    def _notes_by_attached_entity(self, call: Call) -> Answer:
        wanted = (call.query["entityId"], call.query["entityType"])
        notes = [
            note
            for note in sorted(call.user.notes.values(), key=lambda n: n.sequence, reverse=True)
            if any(
                (entity.get("entityId"), entity.get("entityType")) == wanted
                for entity in note.attached_entities
            )
        ]
        return Answer({"success": True, "data": [self._note_json(n) for n in notes]})

    def _publish_note(self, call: Call) -> Answer:
        note = self._user_note(call)
        ranges = list(call.body.get("ranges", note.ranges))
        parse_ranges(ranges)
        post_id = next(self._post_ids)
        call.user.posts.append(
            {"postId": post_id, "noteId": note.id, "body": call.body["body"], "ranges": ranges}
        )
        note.post_id = post_id
        mutation = Mutation("UPDATE", "NOTE", note.id, 0, self._note_json(note))
        return Answer(
            {"success": True, "data": {"success": True, "postId": post_id}}, mutation=mutation
        )

    def _profile(self, call: Call) -> Answer:
        user = call.user
        avatar = f"https://avatars.example.com/{user.sub}.png"
        profile: dict[str, Any] = {
            "id": user.sub,
            "avatarUrls": {"small": avatar, "medium": avatar, "large": avatar},
            "settings": {"ayahLanguages": [], "reflectionLanguages": []},
            "createdAt": user.created_at.strftime("%Y-%m-%d %H:%M:%S"),
            "joiningYear": user.created_at.year,
            "username": user.sub,
            "firstName": user.first_name,
            "lastName": user.last_name,
            "verified": False,
            "postAs": False,
            "postsCount": len(user.posts),
            "followersCount": 0,
            "likesCount": 0,
            "isAdmin": False,
            "languageIsoCode": "en",
        }
        if self.contract == "production" and call.query.get("qdc") == "true":
            profile |= {"email": user.email, "isPasswordSet": True}
        return Answer(profile)
